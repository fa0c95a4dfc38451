#include "train/network.hpp"

#include <cmath>

#include "base/error.hpp"

namespace lutforge::train {

namespace {

constexpr double kBnEps = 1e-5;
constexpr double kBnMomentum = 0.1;
constexpr float kRegrowMagnitude = 0.25f;

int64_t levels(unsigned bits) { return (int64_t{1} << bits) - 1; }

// Rounds to the nearest of the 2^bits values spread over [-1, 1]; the gradient passes where the
// input is inside [-1, 1] (a hard tanh with a straight-through estimator).
torch::Tensor quantize_ste(const torch::Tensor& y, unsigned bits) {
  const double half = static_cast<double>(levels(bits)) / 2.0;
  const torch::Tensor yc = torch::clamp(y, -1.0, 1.0);
  const torch::Tensor q = torch::round((yc + 1.0) * half) / half - 1.0;
  return yc + (q - yc).detach();
}

torch::Tensor quantize_codes(const torch::Tensor& y, unsigned bits) {
  const double half = static_cast<double>(levels(bits)) / 2.0;
  return torch::round((y + 1.0) * half)
      .clamp(0.0, static_cast<double>(levels(bits)))
      .to(torch::kLong);
}

// The batch norm of the quantized evaluation: the running statistics as one scale and shift.
torch::Tensor bn_eval(const torch::Tensor& y, const torch::Tensor& w, const torch::Tensor& b,
                      const torch::Tensor& mean, const torch::Tensor& var) {
  const torch::Tensor scale = w / torch::sqrt(var + kBnEps);
  const torch::Tensor shift = b - mean * scale;
  return y * scale + shift;
}

}  // namespace

GroupSumNetImpl::GroupSumNetImpl(const TrainConfig& c)
    : input_bits(c.input_bits), classes(c.classes), tau(c.tau) {}

torch::Tensor GroupSumNetImpl::forward(const torch::Tensor& input_codes) {
  return group_sums(layers_forward(input_bits_of(input_codes), false)) / tau;
}

torch::Tensor GroupSumNetImpl::eval_codes(const torch::Tensor& input_codes) {
  torch::NoGradGuard no_grad;
  return torch::round(group_sums(layers_forward(input_bits_of(input_codes), true)))
      .to(torch::kLong);
}

models::Model GroupSumNetImpl::export_model(const TrainConfig& c,
                                            const models::InputQuantizer& input) {
  torch::NoGradGuard no_grad;
  models::Model m;
  m.family = family_name(c.family);
  m.dataset = c.dataset;
  m.input = input;
  m.head = {models::Head::Kind::GroupSum, static_cast<unsigned>(classes), tau};
  m.layers = export_layers();
  return m;
}

torch::Tensor GroupSumNetImpl::input_bits_of(const torch::Tensor& codes) const {
  const torch::Tensor shift = torch::arange(static_cast<int64_t>(input_bits), torch::kLong);
  return torch::bitwise_and(torch::bitwise_right_shift(codes.unsqueeze(-1), shift), 1)
      .flatten(1)
      .to(torch::kFloat);
}

torch::Tensor GroupSumNetImpl::group_sums(const torch::Tensor& y) const {
  return y.view({y.size(0), classes, -1}).sum(-1);
}

torch::Tensor code_values(unsigned bits, bool thermometer) {
  const int64_t n = int64_t{1} << bits;
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t c = 0; c < n; ++c) {
    if (thermometer) {
      v[static_cast<size_t>(c)] =
          static_cast<float>(__builtin_popcountll(static_cast<uint64_t>(c))) * (2.0f / bits) - 1.0f;
    } else {
      const float half = static_cast<float>(levels(bits)) / 2.0f;
      v[static_cast<size_t>(c)] = static_cast<float>(c) / half - 1.0f;
    }
  }
  return torch::tensor(v);
}

LutLayerImpl::LutLayerImpl(const TrainConfig& c, size_t layer, int64_t prev, unsigned in_b,
                           bool thermometer_in, unsigned out_b, std::mt19937_64& rng)
    : family(c.family),
      neurons(c.layers[layer]),
      prev_units(prev),
      in_bits(in_b),
      out_bits(out_b),
      sparse(c.sparselut()) {
  const int64_t f = c.fan_in[layer];
  sub_fan_in = f;
  fan_in = f;
  if (family == Family::PolyLutAdd) {
    sub_neurons = c.sub_neurons;
    sub_bits = c.sub_bits;
    fan_in = f * sub_neurons;
  }
  if (fan_in > prev_units)
    throw Error(c.source + ": layer " + std::to_string(layer) + " needs " + std::to_string(fan_in) +
                " distinct inputs per neuron, but its input has only " +
                std::to_string(prev_units) + " units");

  // Connectivity: fan_in distinct previous units per neuron, by a seeded partial shuffle.
  inputs = torch::empty({neurons, fan_in}, torch::kLong);
  std::vector<int64_t> pool(static_cast<size_t>(prev_units));
  auto in_acc = inputs.accessor<int64_t, 2>();
  for (int64_t n = 0; n < neurons; ++n) {
    for (int64_t i = 0; i < prev_units; ++i) pool[static_cast<size_t>(i)] = i;
    for (int64_t s = 0; s < fan_in; ++s) {
      std::uniform_int_distribution<int64_t> pick(s, prev_units - 1);
      std::swap(pool[static_cast<size_t>(s)], pool[static_cast<size_t>(pick(rng))]);
      in_acc[n][s] = pool[static_cast<size_t>(s)];
    }
  }
  register_buffer("inputs", inputs);
  in_values_ = register_buffer("in_values", code_values(in_bits, thermometer_in));

  // The family's own parameters, registered here so that their initialization follows the
  // connectivity and precedes SparseLUT's, as it always has.
  fn_ = make_neuron_function(
      c, *this,
      sub_neurons ? NeuronShape{neurons * sub_neurons, sub_fan_in} : NeuronShape{neurons, fan_in});

  if (sparse) {
    magnitude_ = register_parameter(
        "magnitude", torch::empty({neurons, fan_in}).uniform_(kRegrowMagnitude, 1.0));
    sign_ = register_buffer(
        "sign", torch::where(torch::rand({neurons, fan_in}) < 0.5, -1.0f, 1.0f).to(torch::kFloat));
  }
  bn_w_ = register_parameter("bn_weight", torch::ones({neurons}));
  bn_b_ = register_parameter("bn_bias", torch::zeros({neurons}));
  bn_mean_ = register_buffer("bn_mean", torch::zeros({neurons}));
  bn_var_ = register_buffer("bn_var", torch::ones({neurons}));
  if (sub_neurons) {
    sub_bn_w_ = register_parameter("sub_bn_weight", torch::ones({neurons * sub_neurons}));
    sub_bn_b_ = register_parameter("sub_bn_bias", torch::zeros({neurons * sub_neurons}));
    sub_bn_mean_ = register_buffer("sub_bn_mean", torch::zeros({neurons * sub_neurons}));
    sub_bn_var_ = register_buffer("sub_bn_var", torch::ones({neurons * sub_neurons}));
  }
}

int64_t LutLayerImpl::work_per_code() const { return sub_neurons ? fan_in : fn_->work_per_code(); }

torch::Tensor LutLayerImpl::slot_scale(int64_t n0, int64_t n) const {
  return sign_.narrow(0, n0, n) * torch::relu(magnitude_.narrow(0, n0, n));
}

torch::Tensor LutLayerImpl::magnitude_penalty() const {
  if (!sparse) return torch::zeros({});
  return torch::relu(magnitude_).sum();
}

torch::Tensor LutLayerImpl::preact(const torch::Tensor& xin, int64_t n0, int64_t n) {
  if (sub_neurons)
    throw Error(std::string("preact: the ") + family_name(family) +
                " family computes its neurons as sums of sub-neurons (sub_preact)");
  return fn_->preact(sparse ? xin * slot_scale(n0, n) : xin, n0, n);
}

torch::Tensor LutLayerImpl::sub_preact(const torch::Tensor& xin, int64_t n0, int64_t n) {
  const torch::Tensor x = sparse ? xin * slot_scale(n0, n).view({n, sub_neurons, sub_fan_in}) : xin;
  const int64_t b = x.size(0);
  return fn_->preact(x.reshape({b, n * sub_neurons, sub_fan_in}), n0 * sub_neurons, n * sub_neurons)
      .view({b, n, sub_neurons});
}

torch::Tensor LutLayerImpl::gather_values(const torch::Tensor& values) const {
  return values.index_select(1, inputs.flatten()).view({values.size(0), neurons, fan_in});
}

torch::Tensor LutLayerImpl::forward(const torch::Tensor& values) {
  const torch::Tensor x = gather_values(values);
  const int64_t b = values.size(0);
  const bool batch_stats = is_training() && !bn_frozen;
  torch::Tensor y;
  if (sub_neurons) {
    torch::Tensor s = sub_preact(x.view({b, neurons, sub_neurons, sub_fan_in}), 0, neurons);
    s = torch::batch_norm(s.reshape({b, neurons * sub_neurons}), sub_bn_w_, sub_bn_b_, sub_bn_mean_,
                          sub_bn_var_, batch_stats, kBnMomentum, kBnEps, false);
    y = quantize_ste(s, sub_bits).view({b, neurons, sub_neurons}).sum(-1);
  } else {
    y = preact(x, 0, neurons);
  }
  y = torch::batch_norm(y, bn_w_, bn_b_, bn_mean_, bn_var_, batch_stats, kBnMomentum, kBnEps,
                        false);
  return quantize_ste(y, out_bits);
}

torch::Tensor LutLayerImpl::sub_codes(const torch::Tensor& gathered, int64_t n0, int64_t n) {
  const torch::Tensor x = in_values_.index_select(0, gathered.flatten()).view(gathered.sizes());
  const torch::Tensor s = sub_preact(x, n0, n);
  const int64_t a0 = n0 * sub_neurons, an = n * sub_neurons;
  const torch::Tensor y =
      bn_eval(s.reshape({s.size(0), an}), sub_bn_w_.narrow(0, a0, an), sub_bn_b_.narrow(0, a0, an),
              sub_bn_mean_.narrow(0, a0, an), sub_bn_var_.narrow(0, a0, an));
  return quantize_codes(y, sub_bits).view({s.size(0), n, sub_neurons});
}

torch::Tensor LutLayerImpl::requant_codes(const torch::Tensor& sums, int64_t n0, int64_t n) {
  // The sum of the sub-neurons' values, from the sum of their codes (what the adder computes).
  const double half = static_cast<double>(levels(sub_bits)) / 2.0;
  const torch::Tensor y = sums / half - static_cast<double>(sub_neurons);
  return quantize_codes(bn_eval(y, bn_w_.narrow(0, n0, n), bn_b_.narrow(0, n0, n),
                                bn_mean_.narrow(0, n0, n), bn_var_.narrow(0, n0, n)),
                        out_bits);
}

torch::Tensor LutLayerImpl::neuron_codes(const torch::Tensor& gathered, int64_t n0, int64_t n) {
  if (sub_neurons) {
    const torch::Tensor sub =
        sub_codes(gathered.view({gathered.size(0), n, sub_neurons, sub_fan_in}), n0, n);
    return requant_codes(sub.sum(-1).to(torch::kFloat), n0, n);
  }
  const torch::Tensor x = in_values_.index_select(0, gathered.flatten()).view(gathered.sizes());
  return quantize_codes(bn_eval(preact(x, n0, n), bn_w_.narrow(0, n0, n), bn_b_.narrow(0, n0, n),
                                bn_mean_.narrow(0, n0, n), bn_var_.narrow(0, n0, n)),
                        out_bits);
}

torch::Tensor LutLayerImpl::eval_codes(const torch::Tensor& codes) {
  const torch::Tensor gathered =
      codes.index_select(1, inputs.flatten()).view({codes.size(0), neurons, fan_in});
  return neuron_codes(gathered, 0, neurons);
}

torch::Tensor LutLayerImpl::regrow(std::mt19937_64& rng) {
  torch::Tensor mask = torch::zeros({neurons, fan_in}, torch::kBool);
  if (!sparse) return mask;
  torch::NoGradGuard no_grad;
  auto m = mask.accessor<bool, 2>();
  auto mag = magnitude_.accessor<float, 2>();
  auto sgn = sign_.accessor<float, 2>();
  auto in = inputs.accessor<int64_t, 2>();
  std::uniform_int_distribution<int64_t> unit(0, prev_units - 1);
  for (int64_t n = 0; n < neurons; ++n) {
    for (int64_t s = 0; s < fan_in; ++s) {
      if (mag[n][s] > 0.0f) continue;
      m[n][s] = true;
      mag[n][s] = kRegrowMagnitude;
      sgn[n][s] = (rng() & 1) ? 1.0f : -1.0f;
      if (prev_units == fan_in)
        continue;  // every unit is already read: only the magnitude restarts
      for (;;) {
        const int64_t u = unit(rng);
        bool used = false;
        for (int64_t k = 0; k < fan_in && !used; ++k) used = in[n][k] == u;
        if (!used) {
          in[n][s] = u;
          break;
        }
      }
    }
  }
  return mask;
}

LutNetImpl::LutNetImpl(const TrainConfig& c, int64_t features, std::mt19937_64& rng)
    : logit_scale(c.logit_scale) {
  const bool thermometer = c.input_encoding == "thermometer";
  input_values = register_buffer("input_values", code_values(c.input_bits, thermometer));
  int64_t prev = features;
  for (size_t l = 0; l < c.layers.size(); ++l) {
    const bool last = l + 1 == c.layers.size();
    layers.push_back(
        register_module("layer" + std::to_string(l),
                        LutLayer(c, l, prev, l == 0 ? c.input_bits : c.bits, l == 0 && thermometer,
                                 last ? c.output_bits : c.bits, rng)));
    prev = c.layers[l];
  }
}

torch::Tensor LutNetImpl::forward(const torch::Tensor& input_codes) {
  torch::Tensor v = input_values.index_select(0, input_codes.flatten()).view(input_codes.sizes());
  for (auto& layer : layers) v = layer->forward(v);
  return v * logit_scale;
}

torch::Tensor LutNetImpl::eval_codes(const torch::Tensor& input_codes) {
  torch::Tensor codes = input_codes;
  for (auto& layer : layers) codes = layer->eval_codes(codes);
  return codes;
}

torch::Tensor LutNetImpl::penalty(const TrainConfig& c, bool rewire) {
  torch::Tensor p = torch::zeros({});
  if (rewire && c.l1 > 0)
    for (auto& layer : layers) p = p + c.l1 * layer->magnitude_penalty();
  return p;
}

std::vector<std::pair<torch::Tensor, torch::Tensor>> LutNetImpl::rewire(std::mt19937_64& rng) {
  std::vector<std::pair<torch::Tensor, torch::Tensor>> reset;
  for (auto& layer : layers) reset.emplace_back(layer->magnitude(), layer->regrow(rng));
  return reset;
}

torch::Tensor predictions(const torch::Tensor& class_codes) {
  // Unique keys make the first of equal scores win, whatever argmax does with ties.
  const int64_t c = class_codes.size(1);
  const torch::Tensor rank = torch::arange(c - 1, -1, -1, torch::kLong);
  return (class_codes * c + rank).argmax(1);
}

}  // namespace lutforge::train
