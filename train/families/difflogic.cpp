// Differentiable logic gate networks (difflogic): layers of 2-input gates with fixed random
// connections, each a relaxed mixture of the 16 Boolean functions of two inputs, and a GroupSum
// head whose class scores are popcounts of groups of the last layer's outputs.
//
// Every relaxed gate is a bilinear form of its inputs a, b in [0, 1]:
//   y = c0 + c1 a + c2 b + c3 a b,
// for the gate with truth values f00, f01, f10, f11 (f_ab): c0 = f00, c1 = f10 - f00,
// c2 = f01 - f00, c3 = f00 - f01 - f10 + f11. A mixture of gates is the mixture of their
// coefficients, so a neuron needs only its 4 coefficients per step:
//   classic:    16 logits w; c = softmax(w) . C, with C the 16 x 4 coefficients of the gates;
//   input-wise: 4 parameters w_ab, one per input combination; f_ab = sigmoid(w_ab), then c from f.
// The layer kernel (GateLayerFunction) computes y for a whole batch from the 4 coefficients in
// fused loops, forward and backward, parallel over the batch with at::parallel_for.
//
// The learnable mapping (mapping = "learnable", in the first mapping_layers layers, as the DWN
// family's): each of a gate's two inputs chooses its input among mapping_candidates random ones
// by a trained score (learnable_mapping); the discretized gate reads the inputs of the largest
// scores. A gate may then read one input twice.
//
// Discretization: classic takes the gate of the largest logit, input-wise the gate with
// f_ab = [w_ab > 0]. The discretized network runs through the same kernel with the gates'
// integer coefficients on 0/1 inputs, which is exact in float, so eval_codes computes what the
// exported model file computes.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "train/network.hpp"

namespace lutforge::train {
namespace {

// The truth values (f00, f01, f10, f11) of gate id g, numbered as Gate cells number them:
// g = 8 f00 + 4 f01 + 2 f10 + f11.
std::array<float, 4> gate_values(unsigned g) {
  return {static_cast<float>((g >> 3) & 1), static_cast<float>((g >> 2) & 1),
          static_cast<float>((g >> 1) & 1), static_cast<float>(g & 1)};
}

// The 4 x 4 map from truth values (f00, f01, f10, f11) to coefficients (c0, c1, c2, c3).
torch::Tensor values_to_coefficients() {
  return torch::tensor({{1.0f, -1.0f, -1.0f, 1.0f},
                        {0.0f, 0.0f, 1.0f, -1.0f},
                        {0.0f, 1.0f, 0.0f, -1.0f},
                        {0.0f, 0.0f, 0.0f, 1.0f}});
}

// The 16 gates' truth values [16, 4].
torch::Tensor all_gate_values() {
  std::vector<float> v;
  for (unsigned g = 0; g < 16; ++g)
    for (float f : gate_values(g)) v.push_back(f);
  return torch::tensor(v).view({16, 4});
}

// y[b, n] = c0 + c1 a + c2 b' + c3 a b' with a = x[b, ia[n]], b' = x[b, ib[n]].
class GateLayerFunction : public torch::autograd::Function<GateLayerFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x_in,
                               const torch::Tensor& coef_in, const torch::Tensor& ia,
                               const torch::Tensor& ib) {
    const torch::Tensor x = x_in.contiguous(), coef = coef_in.contiguous();
    ctx->save_for_backward({x, coef, ia, ib});
    const int64_t batch = x.size(0), m = x.size(1), n = coef.size(0);
    torch::Tensor y = torch::empty({batch, n}, x.options());
    const float* px = x.data_ptr<float>();
    const float* pc = coef.data_ptr<float>();
    const int64_t* pa = ia.data_ptr<int64_t>();
    const int64_t* pb = ib.data_ptr<int64_t>();
    float* py = y.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t s = b0; s < b1; ++s) {
        const float* xr = px + s * m;
        float* yr = py + s * n;
        for (int64_t j = 0; j < n; ++j) {
          const float a = xr[pa[j]], b = xr[pb[j]];
          const float* c = pc + 4 * j;
          yr[j] = c[0] + c[1] * a + c[2] * b + c[3] * a * b;
        }
      }
    });
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &coef = saved[1], &ia = saved[2], &ib = saved[3];
    const torch::Tensor g = grads[0].contiguous();
    const int64_t batch = x.size(0), m = x.size(1), n = coef.size(0);
    torch::Tensor gx = torch::zeros_like(x);
    // One coefficient-gradient accumulator per thread, summed at the end.
    const int threads = at::get_num_threads();
    torch::Tensor partial = torch::zeros({threads, n, 4}, x.options());
    const float* px = x.data_ptr<float>();
    const float* pc = coef.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    const int64_t* pa = ia.data_ptr<int64_t>();
    const int64_t* pb = ib.data_ptr<int64_t>();
    float* pgx = gx.data_ptr<float>();
    float* pp = partial.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      float* acc = pp + static_cast<int64_t>(at::get_thread_num()) * n * 4;
      for (int64_t s = b0; s < b1; ++s) {
        const float* xr = px + s * m;
        const float* gr = pg + s * n;
        float* gxr = pgx + s * m;
        for (int64_t j = 0; j < n; ++j) {
          const float gj = gr[j];
          if (gj == 0.0f) continue;
          const float a = xr[pa[j]], b = xr[pb[j]];
          const float* c = pc + 4 * j;
          gxr[pa[j]] += gj * (c[1] + c[3] * b);
          gxr[pb[j]] += gj * (c[2] + c[3] * a);
          float* aj = acc + 4 * j;
          aj[0] += gj;
          aj[1] += gj * a;
          aj[2] += gj * b;
          aj[3] += gj * a * b;
        }
      }
    });
    return {gx, partial.sum(0), torch::Tensor(), torch::Tensor()};
  }
};

// c[n] = sum_g softmax(w[n])_g * gate_coef[g] for logits w [N, 16] and the gates' coefficients
// [16, 4]: the classic parametrization's mixture in one pass over each neuron's 16 logits, forward
// and backward (dw_g = p_g (dp_g - sum_h p_h dp_h) with dp_g = gate_coef[g] . dc). Written out by
// ATen ops, the [N, 16, 4] products cross memory several times per step; this reads the logits
// once and writes 4 values.
class ClassicCoefficientsFunction : public torch::autograd::Function<ClassicCoefficientsFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& w_in,
                               const torch::Tensor& gc_in) {
    const torch::Tensor w = w_in.contiguous(), gc = gc_in.contiguous();
    ctx->save_for_backward({w, gc});
    const int64_t n = w.size(0);
    torch::Tensor c = torch::empty({n, 4}, w.options());
    const float* pw = w.data_ptr<float>();
    const float* pg = gc.data_ptr<float>();
    float* pc = c.data_ptr<float>();
    at::parallel_for(0, n, 2048, [&](int64_t j0, int64_t j1) {
      float p[16];
      for (int64_t j = j0; j < j1; ++j) {
        softmax16(pw + 16 * j, p);
        float c4[4] = {0, 0, 0, 0};
        for (int g = 0; g < 16; ++g)
          for (int k = 0; k < 4; ++k) c4[k] += p[g] * pg[4 * g + k];
        for (int k = 0; k < 4; ++k) pc[4 * j + k] = c4[k];
      }
    });
    return c;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &w = saved[0], &gc = saved[1];
    const torch::Tensor dc = grads[0].contiguous();
    const int64_t n = w.size(0);
    torch::Tensor dw = torch::empty_like(w);
    const float* pw = w.data_ptr<float>();
    const float* pg = gc.data_ptr<float>();
    const float* pd = dc.data_ptr<float>();
    float* po = dw.data_ptr<float>();
    at::parallel_for(0, n, 2048, [&](int64_t j0, int64_t j1) {
      float p[16], dp[16];
      for (int64_t j = j0; j < j1; ++j) {
        softmax16(pw + 16 * j, p);
        const float* d = pd + 4 * j;
        float dot = 0;
        for (int g = 0; g < 16; ++g) {
          const float* cg = pg + 4 * g;
          dp[g] = cg[0] * d[0] + cg[1] * d[1] + cg[2] * d[2] + cg[3] * d[3];
          dot += p[g] * dp[g];
        }
        for (int g = 0; g < 16; ++g) po[16 * j + g] = p[g] * (dp[g] - dot);
      }
    });
    return {dw, torch::Tensor()};
  }

 private:
  static void softmax16(const float* w, float* p) {
    float m = w[0];
    for (int g = 1; g < 16; ++g) m = std::max(m, w[g]);
    float sum = 0;
    for (int g = 0; g < 16; ++g) sum += p[g] = std::exp(w[g] - m);
    const float inv = 1.0f / sum;
    for (int g = 0; g < 16; ++g) p[g] *= inv;
  }
};

class GateLayerImpl : public torch::nn::Module {
 public:
  GateLayerImpl(const TrainConfig& c, int64_t inputs, int64_t gates, bool learnable,
                std::mt19937_64& rng)
      : classic(c.parametrization == "classic"), learnable(learnable), neurons(gates) {
    if (inputs < 2)
      throw Error(c.source + ": a gate layer needs at least 2 inputs; the layer before has " +
                  std::to_string(inputs));
    if (learnable) {
      // Slot j (input a of gate j) and slot gates + j (its input b) each choose their input
      // among their own candidates; the gates read the slots.
      cand =
          register_buffer("cand", mapping_candidates(inputs, 2 * gates, c.mapping_candidates, rng));
      scores = register_parameter("scores", torch::rand(cand.sizes()));
      ia = register_buffer("ia", torch::arange(gates, torch::kLong));
      ib = register_buffer("ib", torch::arange(gates, 2 * gates, torch::kLong));
    } else {
      wire_at_random(inputs, gates, rng);
    }
    init_weights(c, gates);
  }

  // Two different inputs per gate, at random; every input is read when the layer is wide
  // enough: the first inputs of the gates run through a permutation of the inputs.
  void wire_at_random(int64_t inputs, int64_t gates, std::mt19937_64& rng) {
    std::vector<int64_t> perm(static_cast<size_t>(inputs));
    for (int64_t i = 0; i < inputs; ++i) perm[static_cast<size_t>(i)] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<int64_t> a(static_cast<size_t>(gates)), b(static_cast<size_t>(gates));
    for (int64_t j = 0; j < gates; ++j) {
      a[static_cast<size_t>(j)] = perm[static_cast<size_t>(j % inputs)];
      int64_t other = static_cast<int64_t>(rng() % static_cast<uint64_t>(inputs - 1));
      if (other >= a[static_cast<size_t>(j)]) ++other;
      b[static_cast<size_t>(j)] = other;
    }
    ia = register_buffer("ia", torch::tensor(a, torch::kLong));
    ib = register_buffer("ib", torch::tensor(b, torch::kLong));
  }

  void init_weights(const TrainConfig& c, int64_t gates) {
    if (classic) {
      torch::Tensor w = torch::randn({gates, 16});
      if (c.residual_init) {  // gate 3 is f = a, the pass-through of the first input
        w = torch::zeros({gates, 16});
        w.select(1, 3).fill_(5.0f);
      }
      weights = register_parameter("weights", w);
    } else {
      torch::Tensor w = torch::randn({gates, 4});
      if (c.residual_init)  // f_ab = a: f00 = f01 = 0, f10 = f11 = 1
        w = torch::tensor({-3.0f, -3.0f, 3.0f, 3.0f}).repeat({gates, 1}) +
            0.1f * torch::randn({gates, 4});
      weights = register_parameter("weights", w);
    }
    to_coef = register_buffer("to_coef", values_to_coefficients());
    gate_coef = register_buffer("gate_coef", all_gate_values().matmul(to_coef));
  }

  // The relaxed coefficients [N, 4] of training. The input-wise products are written out as
  // broadcasts and sums: BLAS on matrices this thin costs more in its thread pool than in
  // arithmetic.
  torch::Tensor coefficients() const {
    if (classic) return ClassicCoefficientsFunction::apply(weights, gate_coef);
    return (torch::sigmoid(weights).unsqueeze(2) * to_coef.unsqueeze(0)).sum(1);
  }
  // The gate id of every neuron after discretization [N].
  torch::Tensor gate_ids() const {
    if (classic) return weights.argmax(1);
    const torch::Tensor bits = weights.gt(0).to(torch::kLong);
    return bits.select(1, 0) * 8 + bits.select(1, 1) * 4 + bits.select(1, 2) * 2 +
           bits.select(1, 3);
  }
  torch::Tensor discrete_coefficients() const { return gate_coef.index_select(0, gate_ids()); }

  torch::Tensor forward(const torch::Tensor& x) {
    return GateLayerFunction::apply(slots(x), coefficients(), ia, ib);
  }
  torch::Tensor forward_discrete(const torch::Tensor& x) {
    return GateLayerFunction::apply(slots(x), discrete_coefficients(), ia, ib);
  }
  // What the gates read: the layer's input, or (learnable) the inputs its slots chose.
  torch::Tensor slots(const torch::Tensor& x) const {
    return learnable ? learnable_mapping(x, scores, cand) : x;
  }
  // The inputs a and b of every gate, of the layer's input [N] each.
  std::pair<torch::Tensor, torch::Tensor> wiring() const {
    if (!learnable) return {ia, ib};
    const torch::Tensor chosen = mapping_choice(scores, cand);
    return {chosen.narrow(0, 0, neurons), chosen.narrow(0, neurons, neurons)};
  }

  bool classic, learnable;
  int64_t neurons;
  torch::Tensor ia, ib, weights;
  torch::Tensor cand, scores;  // learnable: each slot's candidate inputs and their scores
  torch::Tensor to_coef;       // [4, 4]: truth values (f00, f01, f10, f11) to coefficients
  torch::Tensor gate_coef;     // [16, 4]: the coefficients of each gate id
};
TORCH_MODULE(GateLayer);

class GateNetImpl : public GroupSumNetImpl {
 public:
  GateNetImpl(const TrainConfig& c, int64_t features, std::mt19937_64& rng) : GroupSumNetImpl(c) {
    int64_t prev = features * c.input_bits;
    for (size_t l = 0; l < c.layers.size(); ++l) {
      layers.push_back(
          register_module("layer" + std::to_string(l),
                          GateLayer(c, prev, static_cast<int64_t>(c.layers[l]),
                                    c.mapping == "learnable" && l < c.mapping_layers, rng)));
      prev = c.layers[l];
    }
  }

 protected:
  torch::Tensor layers_forward(torch::Tensor x, bool discrete) override {
    for (auto& layer : layers) x = discrete ? layer->forward_discrete(x) : layer->forward(x);
    return x;
  }

  std::vector<models::Layer> export_layers() override {
    std::vector<models::Layer> out;
    for (auto& layer : layers) {
      models::Layer L;
      L.kind = models::LayerKind::Gate;
      L.fan_in = 2;
      const torch::Tensor ids = layer->gate_ids().contiguous();
      const auto [wa, wb] = layer->wiring();
      const torch::Tensor a = wa.contiguous(), b = wb.contiguous();
      const int64_t *pid = ids.data_ptr<int64_t>(), *pa = a.data_ptr<int64_t>(),
                    *pb = b.data_ptr<int64_t>();
      for (int64_t j = 0; j < layer->neurons; ++j) {
        models::Neuron N;
        N.inputs = {static_cast<uint32_t>(pa[j]), static_cast<uint32_t>(pb[j])};
        N.tables = {make_gate(static_cast<unsigned>(pid[j]))};
        L.neurons.push_back(std::move(N));
      }
      out.push_back(std::move(L));
    }
    return out;
  }

 private:
  std::vector<GateLayer> layers;
};

}  // namespace

torch::Tensor gate_layer(const torch::Tensor& x, const torch::Tensor& coef, const torch::Tensor& ia,
                         const torch::Tensor& ib) {
  return GateLayerFunction::apply(x, coef, ia, ib);
}

torch::Tensor classic_coefficients(const torch::Tensor& logits, const torch::Tensor& gate_coef) {
  return ClassicCoefficientsFunction::apply(logits, gate_coef);
}

std::shared_ptr<NetworkImpl> make_gate_network(const TrainConfig& c, int64_t features,
                                               std::mt19937_64& rng) {
  return std::make_shared<GateNetImpl>(c, features, rng);
}

}  // namespace lutforge::train
