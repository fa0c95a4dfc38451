// Quantized MAC networks (family "mac"): convolutions (optional, first) and dense layers with
// signed integer weights and unsigned integer activations, trained with fake quantization
// (quantization-aware training) and exported as the integers the hardware multiplies and
// accumulates. A convolution is exported as one MAC neuron per filter and position, reading its
// window of the layer before (channel-major numbering, as the model file's units), with the
// filter's weights, bias and multiplier.
//
// Scales. Layer l reads codes q of in_bits bits whose real value is q * s_in (the input codes:
// s_in = 1 / (2^input_bits - 1); after that, the scale the layer before learned). Neuron n's
// weights are w_n ~ W_n * s_w[n] with W_n integers of weight_bits bits (|W| <= 2^(b-1) - 1) and a
// per-neuron scale s_w[n] = max |w_n| / (2^(b-1) - 1) (in the last layer one scale for all, the
// largest |w| of the layer: the class scores share a unit); its bias is B_n * s_w[n] * s_in. So the
// neuron's real pre-activation is acc * s_w[n] * s_in, with acc = B_n + sum_i W_n[i] q[i] the
// integer accumulator of the model file. A requantizing layer has a learned output scale s_out
// (LSQ: the gradient reaches it through the straight-through rounding) and gives the code
// clamp(round(acc * s_w[n] * s_in / s_out), 0, 2^out_bits - 1): a ReLU and a rescale. The last
// layer's accumulators are the class scores.
//
// Integers. The quantized evaluation (eval_codes) and the export compute the same integers from
// one function (quantize): W, B, and per neuron an integer multiplier M[n] with one shift per
// layer, M[n] / 2^shift ~ s_w[n] * s_in / s_out, M of at most multiplier_bits bits (the shift is
// the largest that keeps every M in range), so the code is
// clamp((acc * M[n] + 2^(shift-1)) >> shift, 0, 2^out_bits - 1), exactly as models/ computes it.
// The evaluation runs in int64 and double (exact for these integers), so models/ must score
// every test sample as it does, which the trainer checks.
#include <cmath>
#include <optional>

#include "base/error.hpp"
#include "models/model.hpp"
#include "train/network.hpp"

namespace lutforge::train {
namespace {

// Rounding half up, as the requantizer's + 2^(shift-1) rounds.
torch::Tensor round_half_up(const torch::Tensor& x) { return torch::floor(x + 0.5); }

// x rounded, with the gradient of the identity (straight-through estimator).
torch::Tensor ste_round(const torch::Tensor& x) { return x + (round_half_up(x) - x).detach(); }

// The integers of one layer, as the model file holds them.
struct LayerIntegers {
  torch::Tensor weights;     // [N, F] int64
  torch::Tensor bias;        // [N] int64
  torch::Tensor multiplier;  // [N] int64 (requantizing layers)
  unsigned shift = 0;
};

// A convolution's geometry: `channels` planes of side x side units in (channel-major, then row,
// then column, as the model file numbers them), `filters` planes of out x out units out.
struct ConvShape {
  int64_t channels = 0, side = 0, filters = 0, kernel = 0, stride = 1;
  int64_t out() const { return (side - kernel) / stride + 1; }
  int64_t fan_in() const { return channels * kernel * kernel; }
};

class MacLayerImpl : public torch::nn::Module {
 public:
  // A dense layer of `neurons` over `inputs` units, or with `conv` a convolution (its filters are
  // the rows of the weight matrix, each over channels x kernel x kernel inputs).
  MacLayerImpl(int64_t inputs, int64_t neurons, unsigned in_bits, unsigned weight_bits,
               unsigned out_bits, bool requantize, unsigned multiplier_bits, bool learned_scale,
               std::optional<ConvShape> conv = std::nullopt)
      : in_bits(in_bits),
        weight_bits(weight_bits),
        out_bits(out_bits),
        requantize(requantize),
        multiplier_bits(multiplier_bits),
        conv(conv) {
    const int64_t rows = conv ? conv->filters : neurons, cols = conv ? conv->fan_in() : inputs;
    const double bound = 1.0 / std::sqrt(static_cast<double>(cols));
    weight = register_parameter("weight", uniform_init({rows, cols}, bound));
    bias = register_parameter("bias", uniform_init({rows}, bound));
    if (requantize) {
      log_scale = register_parameter("log_scale", torch::zeros({}));
      scale_ready = register_buffer("scale_ready", torch::zeros({}, torch::kLong));
    }
    if (learned_scale) {
      log_weight_scale =
          register_parameter("log_weight_scale", torch::zeros({requantize ? rows : 1, 1}));
      weight_scale_ready = register_buffer("weight_scale_ready", torch::zeros({}, torch::kLong));
    }
  }

  int64_t weight_max() const { return (int64_t{1} << (weight_bits - 1)) - 1; }
  int64_t code_max() const { return (int64_t{1} << out_bits) - 1; }

  // Training: real values [B, F] whose scale is in_scale to real values [B, N] (codes times the
  // output scale), or the real pre-activations of the last layer.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& in_scale) {
    if (is_training() && log_weight_scale.defined() && weight_scale_ready.item<int64_t>() == 0) {
      torch::NoGradGuard no_grad;  // a learned scale starts at the largest magnitude's
      log_weight_scale.copy_(max_weight_scale().narrow(0, 0, log_weight_scale.size(0)).log());
      weight_scale_ready.fill_(1);
    }
    const torch::Tensor sw = weight_scale();
    // The weights' integers. A learned scale clips the weights beyond it: its gradient is LSQ's,
    // and the weights' the identity's, clipped ones included, so that a weight beyond the scale
    // keeps its gradient (and its Taylor importance, which pruning reads).
    const torch::Tensor wd = weight.detach();
    const torch::Tensor wq =
        log_weight_scale.defined()
            ? torch::clamp(ste_round(wd / sw), -static_cast<double>(weight_max()),
                           static_cast<double>(weight_max())) *
                      sw +
                  (weight - wd)
            : ste_round(weight / sw) * sw;
    const torch::Tensor unit = (sw.squeeze(1) * in_scale).detach();  // one accumulator step
    const torch::Tensor bq = bias + (round_half_up(bias / unit) * unit - bias).detach();
    const torch::Tensor y = affine(x, wq, bq);
    if (!requantize) return y;
    if (is_training() && scale_ready.item<int64_t>() == 0) {
      // LSQ's initial step: 2 mean|y| / sqrt(2^bits - 1).
      torch::NoGradGuard no_grad;
      const double s = std::max(
          1e-6, 2.0 * y.abs().mean().item<double>() / std::sqrt(static_cast<double>(code_max())));
      log_scale.fill_(std::log(s));
      scale_ready.fill_(1);
    }
    const torch::Tensor s = out_scale();
    return torch::clamp(ste_round(y / s), 0, static_cast<double>(code_max())) * s;
  }

  torch::Tensor out_scale() const { return torch::exp(log_scale); }

  // The integers of the model file, for inputs of scale in_scale.
  LayerIntegers quantize(double in_scale) const {
    torch::NoGradGuard no_grad;
    const torch::Tensor sw = weight_scale().to(torch::kDouble);  // [N, 1]
    LayerIntegers q;
    q.weights = round_half_up(weight.to(torch::kDouble) / sw)
                    .clamp(-weight_max(), weight_max())
                    .to(torch::kLong);
    const torch::Tensor unit = sw.squeeze(1) * in_scale;
    q.bias = round_half_up(bias.to(torch::kDouble) / unit).to(torch::kLong);
    if (!requantize) return q;
    const torch::Tensor ratio = unit / out_scale().to(torch::kDouble);
    // The largest shift whose multipliers all fit multiplier_bits bits.
    const double top = ratio.max().item<double>();
    const double limit = std::ldexp(1.0, static_cast<int>(multiplier_bits));
    q.shift = 0;
    while (q.shift < 48 && std::round(std::ldexp(top, static_cast<int>(q.shift) + 1)) < limit)
      ++q.shift;
    q.multiplier = round_half_up(ratio * std::ldexp(1.0, static_cast<int>(q.shift)))
                       .clamp(0, limit - 1)
                       .to(torch::kLong);
    return q;
  }

  // The quantized evaluation: codes [B, F] (int64) to codes [B, N], or accumulators for the last
  // layer, computed from q as models/ computes them.
  torch::Tensor eval_codes(const torch::Tensor& codes, const LayerIntegers& q) const {
    // Sums of integer products in double are exact below 2^53, far above any accumulator here.
    const torch::Tensor acc =
        affine(codes.to(torch::kDouble), q.weights.to(torch::kDouble), q.bias.to(torch::kDouble))
            .to(torch::kLong);
    if (!requantize) return acc;
    const int64_t round = q.shift ? int64_t{1} << (q.shift - 1) : 0;
    const torch::Tensor scaled =
        torch::div(acc * per_unit(q.multiplier) + round, int64_t{1} << q.shift, "floor");
    return scaled.clamp(0, code_max());
  }

  unsigned in_bits, weight_bits, out_bits;
  bool requantize;
  unsigned multiplier_bits;
  std::optional<ConvShape> conv;
  torch::Tensor weight, bias, log_scale, scale_ready;
  torch::Tensor log_weight_scale, weight_scale_ready;  // [model] weight_scale = "learned"

 private:
  // x [B, inputs] times the weights w [rows, cols] plus b [rows]: a matrix product, or the
  // convolution, flattened channel-major to [B, filters * out * out].
  torch::Tensor affine(const torch::Tensor& x, const torch::Tensor& w,
                       const torch::Tensor& b) const {
    if (!conv) return x.matmul(w.t()) + b;
    const ConvShape& g = *conv;
    return torch::conv2d(x.view({x.size(0), g.channels, g.side, g.side}),
                         w.view({g.filters, g.channels, g.kernel, g.kernel}), b, g.stride)
        .flatten(1);
  }
  // A per-row value [rows] for every output unit: repeated over a filter's positions.
  torch::Tensor per_unit(const torch::Tensor& v) const {
    return conv ? v.repeat_interleave(conv->out() * conv->out()) : v;
  }

  // The weight scale [N, 1], per neuron where a requantizer rescales each accumulator, and one
  // over the whole last layer, whose accumulators the ArgMax compares as they are: with a scale
  // per class, a class whose largest weight is pruned or trained smaller would score in other
  // units than the rest in hardware, and training would not see it. The learned scale once
  // training has started it, else the largest magnitude's.
  torch::Tensor weight_scale() const {
    if (log_weight_scale.defined() && weight_scale_ready.item<int64_t>() != 0)
      return torch::exp(log_weight_scale).expand({weight.size(0), 1});
    return max_weight_scale();
  }
  // The scale that maps the largest magnitude to the largest integer.
  torch::Tensor max_weight_scale() const {
    const torch::Tensor top =
        requantize ? weight.abs().amax(1, true) : weight.abs().amax().expand({weight.size(0), 1});
    return (top.clamp_min(1e-8) / static_cast<double>(weight_max())).detach();
  }
};
TORCH_MODULE(MacLayer);

class MacNetImpl : public NetworkImpl {
 public:
  MacNetImpl(const TrainConfig& c, int64_t features)
      : input_scale(1.0 / static_cast<double>((int64_t{1} << c.input_bits) - 1)) {
    int64_t prev = features;
    unsigned prev_bits = c.input_bits;
    const size_t convs = c.conv_filters.size(), total = convs + c.layers.size();
    ConvShape g;
    if (convs) {  // the input is a square single-channel image
      g.channels = 1;
      g.side = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(features))));
      if (g.side * g.side != features)
        throw Error(c.source + ": [model] conv_filters needs square images; the dataset has " +
                    std::to_string(features) + " features");
    }
    for (size_t l = 0; l < total; ++l) {
      const bool last = l + 1 == total;
      const unsigned out_bits = last ? 0 : c.activation_bits[l];
      std::optional<ConvShape> shape;
      int64_t width = 0;
      if (l < convs) {
        g.filters = c.conv_filters[l];
        g.kernel = c.conv_kernel[l];
        g.stride = c.conv_stride[l];
        if (g.kernel > g.side)
          throw Error(c.source + ": [model] convolution " + std::to_string(l) +
                      " has a kernel of " + std::to_string(g.kernel) + " on planes of side " +
                      std::to_string(g.side));
        shape = g;
        width = g.filters * g.out() * g.out();
        g = {g.filters, g.out(), 0, 0, 1};  // the next convolution's input
      } else {
        width = c.layers[l - convs];
      }
      layers.push_back(
          register_module("layer" + std::to_string(l),
                          MacLayer(prev, width, prev_bits, c.weight_bits[l], out_bits, !last,
                                   c.multiplier_bits, c.weight_scale == "learned", shape)));
      prev = width;
      prev_bits = out_bits;
    }
  }

  std::vector<PrunableLayer> prunable_layers() override {
    std::vector<PrunableLayer> out;
    for (auto& layer : layers) {
      PrunableLayer p;
      p.weight = layer->weight;
      p.bias = layer->bias;
      p.rows = static_cast<size_t>(layer->weight.size(0));
      if (layer->conv) p.per_row = static_cast<size_t>(layer->conv->out() * layer->conv->out());
      out.push_back(p);
    }
    return out;
  }

  torch::Tensor forward(const torch::Tensor& input_codes) override {
    torch::Tensor x = input_codes.to(torch::kFloat) * input_scale;
    torch::Tensor scale = torch::full({}, input_scale);
    for (auto& layer : layers) {
      x = layer->forward(x, scale);
      if (layer->requantize) scale = layer->out_scale();
    }
    return x;
  }

  torch::Tensor eval_codes(const torch::Tensor& input_codes) override {
    torch::NoGradGuard no_grad;
    torch::Tensor x = input_codes;
    const std::vector<LayerIntegers> q = integers();
    for (size_t l = 0; l < layers.size(); ++l) x = layers[l]->eval_codes(x, q[l]);
    return x;
  }

  models::Model export_model(const TrainConfig& c, const models::InputQuantizer& input) override {
    models::Model m;
    m.family = family_name(c.family);
    m.dataset = c.dataset;
    m.input = input;
    const std::vector<LayerIntegers> q = integers();
    for (size_t l = 0; l < layers.size(); ++l) {
      const MacLayerImpl& layer = *layers[l];
      models::Layer L;
      L.kind = models::LayerKind::Mac;
      L.in_bits = layer.in_bits;
      L.weight_bits = layer.weight_bits;
      L.requantize = layer.requantize;
      L.shift = q[l].shift;
      const auto w = q[l].weights.accessor<int64_t, 2>();
      const auto bias = q[l].bias.accessor<int64_t, 1>();
      // Neuron (row, unit inputs): a dense row, or a filter at one position.
      auto add_neuron = [&](int64_t row, const std::vector<uint32_t>& inputs) {
        models::Neuron N;
        N.inputs = inputs;
        for (size_t i = 0; i < inputs.size(); ++i)
          N.weights.push_back(static_cast<int32_t>(w[row][static_cast<int64_t>(i)]));
        N.bias = bias[row];
        if (layer.requantize)
          N.multiplier = static_cast<uint32_t>(q[l].multiplier[row].item<int64_t>());
        L.neurons.push_back(std::move(N));
      };
      if (const auto& g = layer.conv) {
        L.fan_in = static_cast<unsigned>(g->fan_in());
        for (int64_t f = 0; f < g->filters; ++f)
          for (int64_t i = 0; i < g->out(); ++i)
            for (int64_t j = 0; j < g->out(); ++j) {
              std::vector<uint32_t> inputs;  // in the weights' order: channel, row, column
              for (int64_t ch = 0; ch < g->channels; ++ch)
                for (int64_t di = 0; di < g->kernel; ++di)
                  for (int64_t dj = 0; dj < g->kernel; ++dj)
                    inputs.push_back(static_cast<uint32_t>(
                        (ch * g->side + i * g->stride + di) * g->side + j * g->stride + dj));
              add_neuron(f, inputs);
            }
      } else {
        L.fan_in = static_cast<unsigned>(w.size(1));
        std::vector<uint32_t> all(static_cast<size_t>(w.size(1)));
        for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint32_t>(i);
        for (int64_t n = 0; n < w.size(0); ++n) add_neuron(n, all);
      }
      L.out_bits = layer.requantize ? layer.out_bits : models::accumulator_bits(L);
      m.layers.push_back(std::move(L));
    }
    models::validate(m, "the exported mac model");
    return m;
  }

 private:
  // Every layer's integers; each layer's input scale is the learned output scale before it.
  std::vector<LayerIntegers> integers() const {
    std::vector<LayerIntegers> q;
    double scale = input_scale;
    for (const auto& layer : layers) {
      q.push_back(layer->quantize(scale));
      if (layer->requantize) scale = layer->out_scale().item<double>();
    }
    return q;
  }

  double input_scale;
  std::vector<MacLayer> layers;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_mac_network(const TrainConfig& c, int64_t features) {
  return std::make_shared<MacNetImpl>(c, features);
}

}  // namespace lutforge::train
