// DWN-style networks (Differentiable Weightless Networks): layers of LUTs whose table entries are
// the parameters, on thermometer bits, with a GroupSum head as difflogic's.
//
// A LUT j of n inputs reads bits x[map[j][0]] .. x[map[j][n-1]] (input 0 the lowest address bit)
// and has 2^n real entries T[j][a], clamped to [-1, 1]. Forward, its output is the bit
// T[j][addr] > 0. Backward, the output's gradient reaches the addressed entry as it is (a
// straight-through estimator), and the inputs by the extended finite difference:
//   dy/dx_l = alpha * sum_a2 (+1 if bit l of a2 is set, else -1) * beta^d(a, a2; l) * T[j][a2],
// where d counts the address bits other than l in which a and a2 differ: every entry speaks for
// the direction it lies in, the nearer ones louder. After the convolution of T with
// beta^popcount over the bits other than l (n - 1 butterflies of 2^n entries), the sum is a
// difference of two entries, so a layer's weights E[j][a][l] take n^2 2^n operations per LUT and
// batch, and the per-sample work is n multiply-adds per LUT.
//
// The learnable mapping (mapping = "learnable", the first mapping_layers layers): each LUT input
// slot s has a score per candidate input bit and reads the candidate of the largest score; a
// score's gradient is the sum over the batch of (2 x - 1) g, so a slot's scores rise for the bits
// that agree with the direction its LUT wants that input to move. DWN gives every slot all input
// bits as candidates (mapping_candidates at least the input count does too); that is a dense
// [slots x inputs] score matrix, whose optimizer step alone costs seconds a batch on a CPU, so by
// default each slot has 64 random candidates.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "train/network.hpp"

namespace lutforge::train {
namespace {

// E [N, 2^n, n]: the extended finite difference of every LUT's output in each of its inputs, at
// every address.
torch::Tensor efd_weights(const torch::Tensor& tables, int64_t n, float alpha, float beta) {
  const int64_t luts = tables.size(0), size = int64_t{1} << n;
  torch::Tensor e = torch::empty({luts, size, n}, tables.options());
  const float* pt = tables.data_ptr<float>();
  float* pe = e.data_ptr<float>();
  at::parallel_for(0, luts, 64, [&](int64_t j0, int64_t j1) {
    std::vector<float> c(static_cast<size_t>(size));
    for (int64_t j = j0; j < j1; ++j) {
      const float* t = pt + j * size;
      float* ej = pe + j * size * n;
      for (int64_t l = 0; l < n; ++l) {
        std::copy(t, t + size, c.begin());
        for (int64_t d = 0; d < n; ++d) {
          if (d == l) continue;
          const int64_t bit = int64_t{1} << d;
          for (int64_t a = 0; a < size; ++a)
            if (!(a & bit)) {
              const float lo = c[static_cast<size_t>(a)], hi = c[static_cast<size_t>(a | bit)];
              c[static_cast<size_t>(a)] = lo + beta * hi;
              c[static_cast<size_t>(a | bit)] = hi + beta * lo;
            }
        }
        const int64_t bit = int64_t{1} << l;
        for (int64_t a = 0; a < size; ++a)
          ej[a * n + l] =
              alpha * (c[static_cast<size_t>(a | bit)] - c[static_cast<size_t>(a & ~bit)]);
      }
    }
  });
  return e;
}

// y[b, j] = (T[j][addr(b, j)] > 0), addr(b, j) = sum_l (x[b, map[j][l]] > 0.5) << l.
class LutLayerFunction : public torch::autograd::Function<LutLayerFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x_in,
                               const torch::Tensor& tables_in, const torch::Tensor& map,
                               double alpha, double beta) {
    const torch::Tensor x = x_in.contiguous(), tables = tables_in.contiguous();
    const int64_t batch = x.size(0), m = x.size(1), luts = map.size(0), n = map.size(1);
    const int64_t size = int64_t{1} << n;
    torch::Tensor addr = torch::empty({batch, luts}, torch::kInt);
    torch::Tensor y = torch::empty({batch, luts}, x.options());
    const float* px = x.data_ptr<float>();
    const float* pt = tables.data_ptr<float>();
    const int64_t* pm = map.data_ptr<int64_t>();
    int32_t* pa = addr.data_ptr<int32_t>();
    float* py = y.data_ptr<float>();
    at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t s = b0; s < b1; ++s) {
        const float* xr = px + s * m;
        for (int64_t j = 0; j < luts; ++j) {
          const int64_t* mj = pm + j * n;
          int32_t a = 0;
          for (int64_t l = 0; l < n; ++l) a |= static_cast<int32_t>(xr[mj[l]] > 0.5f) << l;
          pa[s * luts + j] = a;
          py[s * luts + j] = pt[j * size + a] > 0.0f ? 1.0f : 0.0f;
        }
      }
    });
    ctx->save_for_backward({tables, map, addr});
    ctx->saved_data["inputs"] = m;
    ctx->saved_data["input_grad"] = x_in.requires_grad();
    ctx->saved_data["alpha"] = alpha;
    ctx->saved_data["beta"] = beta;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &tables = saved[0], &map = saved[1], &addr = saved[2];
    const torch::Tensor g = grads[0].contiguous();
    const int64_t batch = addr.size(0), luts = map.size(0), n = map.size(1);
    const int64_t size = int64_t{1} << n, m = ctx->saved_data["inputs"].toInt();
    const float* pg = g.data_ptr<float>();
    const int32_t* pa = addr.data_ptr<int32_t>();
    const int64_t* pm = map.data_ptr<int64_t>();
    // The entries' gradient: each LUT's column of the batch, a thread per range of LUTs.
    torch::Tensor gt = torch::zeros_like(tables);
    float* pgt = gt.data_ptr<float>();
    at::parallel_for(0, luts, 16, [&](int64_t j0, int64_t j1) {
      for (int64_t s = 0; s < batch; ++s)
        for (int64_t j = j0; j < j1; ++j) pgt[j * size + pa[s * luts + j]] += pg[s * luts + j];
    });
    torch::Tensor gx;
    if (ctx->saved_data["input_grad"].toBool()) {
      const torch::Tensor e =
          efd_weights(tables, n, static_cast<float>(ctx->saved_data["alpha"].toDouble()),
                      static_cast<float>(ctx->saved_data["beta"].toDouble()));
      const float* pe = e.data_ptr<float>();
      gx = torch::zeros({batch, m}, tables.options());
      float* pgx = gx.data_ptr<float>();
      at::parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
        for (int64_t s = b0; s < b1; ++s) {
          float* gr = pgx + s * m;
          for (int64_t j = 0; j < luts; ++j) {
            const float gj = pg[s * luts + j];
            if (gj == 0.0f) continue;
            const float* ej = pe + (j * size + pa[s * luts + j]) * n;
            const int64_t* mj = pm + j * n;
            for (int64_t l = 0; l < n; ++l) gr[mj[l]] += gj * ej[l];
          }
        }
      });
    }
    return {gx, gt, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// x[:, cand[s][argmax_c W[s, c]]] for every slot s; the scores' gradient is
// dW[s, c] = sum_b (2 x[b, cand[s][c]] - 1) g[b, s]. When x needs a gradient (a mapping between
// trained layers), each slot's gradient goes to the input it reads: dx[b, chosen[s]] += g[b, s].
class LearnableMappingFunction : public torch::autograd::Function<LearnableMappingFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x_in,
                               const torch::Tensor& scores, const torch::Tensor& cand) {
    const torch::Tensor x = x_in.contiguous(), which = chosen(scores, cand);
    ctx->save_for_backward({x, cand, which});
    return x.index_select(1, which);
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &cand = saved[1], &which = saved[2];
    const torch::Tensor g = grads[0].contiguous();
    const int64_t batch = x.size(0), m = x.size(1), slots = cand.size(0), c = cand.size(1);
    torch::Tensor gw = torch::zeros({slots, c}, x.options());
    const float* px = x.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    const int64_t* pc = cand.data_ptr<int64_t>();
    float* pw = gw.data_ptr<float>();
    at::parallel_for(0, slots, 64, [&](int64_t s0, int64_t s1) {
      for (int64_t b = 0; b < batch; ++b) {
        const float* xr = px + b * m;
        for (int64_t s = s0; s < s1; ++s) {
          const float gs = pg[b * slots + s];
          if (gs == 0.0f) continue;
          for (int64_t k = 0; k < c; ++k) pw[s * c + k] += (2 * xr[pc[s * c + k]] - 1) * gs;
        }
      }
    });
    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) gx = torch::zeros_like(x).index_add_(1, which, g);
    return {gx, gw, torch::Tensor()};
  }
  // The input each slot reads [slots].
  static torch::Tensor chosen(const torch::Tensor& scores, const torch::Tensor& cand) {
    return cand.gather(1, scores.argmax(1, true)).squeeze(1);
  }
};

class DwnLayerImpl : public torch::nn::Module {
 public:
  DwnLayerImpl(const TrainConfig& c, int64_t inputs, int64_t luts, int64_t n, bool learnable,
               std::mt19937_64& rng)
      : luts(luts), n(n), learnable(learnable) {
    if (inputs < n)
      throw Error(c.source + ": a dwn layer of " + std::to_string(n) +
                  "-input LUTs needs at least " + std::to_string(n) +
                  " inputs; the layer before has " + std::to_string(inputs));
    // DWN's constants for the finite difference.
    alpha = 0.5 * std::pow(0.75, static_cast<double>(n - 1));
    beta = 0.25 / 0.75;
    tables = register_parameter("tables", torch::rand({luts, int64_t{1} << n}) * 2 - 1);
    keep = register_buffer("keep", torch::ones({luts, n}, torch::kBool));
    if (learnable) {
      cand =
          register_buffer("cand", mapping_candidates(inputs, luts * n, c.mapping_candidates, rng));
      scores = register_parameter("scores", torch::rand(cand.sizes()));
      map = register_buffer("map", torch::arange(luts * n, torch::kLong).view({luts, n}));
      return;
    }
    // Every input is read when the layer has enough slots: the slots run through random
    // permutations of the inputs; a LUT that would read an input twice takes another at random.
    std::vector<int64_t> slots, perm(static_cast<size_t>(inputs));
    while (static_cast<int64_t>(slots.size()) < luts * n) {
      for (int64_t i = 0; i < inputs; ++i) perm[static_cast<size_t>(i)] = i;
      std::shuffle(perm.begin(), perm.end(), rng);
      slots.insert(slots.end(), perm.begin(), perm.end());
    }
    slots.resize(static_cast<size_t>(luts * n));
    for (int64_t j = 0; j < luts; ++j) {
      int64_t* s = slots.data() + j * n;
      for (int64_t l = 1; l < n; ++l)
        while (std::find(s, s + l, s[l]) != s + l)
          s[l] = static_cast<int64_t>(rng() % static_cast<uint64_t>(inputs));
    }
    map = register_buffer("map", torch::tensor(slots, torch::kLong).view({luts, n}));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    if (is_training()) {
      torch::NoGradGuard no_grad;
      tables.clamp_(-1, 1);
    }
    tie();
    const torch::Tensor in = learnable ? learnable_mapping(x, scores, cand) : x;
    return LutLayerFunction::apply(in, tables, map, alpha, beta);
  }
  // Logic shrinkage (shrink_tables), then tie() on every forward.
  void shrink(double fraction, const TrainConfig& c) { shrink_tables(tables, keep, fraction, c); }
  void tie() { tie_tables(tables, keep); }

  // The input bit each LUT input reads [luts, n].
  torch::Tensor wiring() const {
    return learnable ? mapping_choice(scores, cand).view({luts, n}) : map;
  }

  int64_t luts, n;
  bool learnable;
  double alpha = 0, beta = 0;
  torch::Tensor tables, scores, cand, map;
  torch::Tensor keep;  // [luts, n]: the LUT inputs that logic shrinkage left (all, before it)
};
TORCH_MODULE(DwnLayer);

class DwnNetImpl : public GroupSumNetImpl {
 public:
  DwnNetImpl(const TrainConfig& c, int64_t features, std::mt19937_64& rng) : GroupSumNetImpl(c) {
    int64_t prev = features * c.input_bits;
    for (size_t l = 0; l < c.layers.size(); ++l) {
      layers.push_back(
          register_module("layer" + std::to_string(l),
                          DwnLayer(c, prev, c.layers[l], c.fan_in[l],
                                   c.mapping == "learnable" && l < c.mapping_layers, rng)));
      prev = c.layers[l];
    }
  }

 protected:
  // The pass is the discrete network in training too: bits in, bits out.
  torch::Tensor layers_forward(torch::Tensor x, bool) override {
    for (auto& layer : layers) x = layer->forward(x);
    return x;
  }

  void start_epoch(const TrainConfig& c, unsigned epoch) override {
    for (size_t l = 0; l < layers.size(); ++l)
      if (const double f = shrink_fraction(c, l, epoch); f > 0) layers[l]->shrink(f, c);
  }

  std::vector<models::Layer> export_layers() override {
    std::vector<models::Layer> out;
    for (auto& layer : layers) {
      layer->tie();
      models::Layer L;
      L.kind = models::LayerKind::Lut;
      L.fan_in = static_cast<unsigned>(layer->n);
      const torch::Tensor wiring = layer->wiring().contiguous();
      const torch::Tensor on = layer->tables.gt(0).contiguous();
      const torch::Tensor keep = layer->keep.contiguous();
      const int64_t* pw = wiring.data_ptr<int64_t>();
      const bool* po = on.data_ptr<bool>();
      const bool* pk = keep.data_ptr<bool>();
      const int64_t size = int64_t{1} << layer->n;
      for (int64_t j = 0; j < layer->luts; ++j)
        L.neurons.push_back(
            kept_lut(po + j * size, pw + j * layer->n, pk + j * layer->n, layer->n, false));
      out.push_back(std::move(L));
    }
    return out;
  }

 private:
  std::vector<DwnLayer> layers;
};

}  // namespace

torch::Tensor shrink_keep(const torch::Tensor& tables_in, const torch::Tensor& keep_before,
                          double fraction, unsigned min_inputs, bool whole_luts) {
  torch::NoGradGuard no_grad;
  const int64_t n = keep_before.size(1);
  const torch::Tensor before = keep_before.to(torch::kLong).contiguous();
  const torch::Tensor t = tables_in.clamp(-1, 1);
  const int64_t luts = t.size(0);
  std::vector<float> salience(static_cast<size_t>(luts * n));
  for (int64_t i = 0; i < n; ++i) {
    const torch::Tensor pairs = t.view({luts, -1, 2, int64_t{1} << i});
    const torch::Tensor s =
        (pairs.select(2, 0) - pairs.select(2, 1)).abs().sum({1, 2}).contiguous();
    for (int64_t j = 0; j < luts; ++j)  // the inputs dropped before go first
      salience[static_cast<size_t>(j * n + i)] =
          before.data_ptr<int64_t>()[j * n + i] ? s.data_ptr<float>()[j] : -1.0f;
  }
  std::vector<int64_t> kept(salience.size(), 1);
  if (whole_luts) {
    // Each LUT's loss: the salience of its inputs beyond its min_inputs most salient (-1 for one
    // cut before). The `fraction` of the LUTs with the least loss keep only those inputs.
    std::vector<float> loss(static_cast<size_t>(luts));
    std::vector<std::vector<size_t>> ranked(static_cast<size_t>(luts));
    for (size_t j = 0; j < ranked.size(); ++j) {
      for (size_t i = 0; i < static_cast<size_t>(n); ++i) ranked[j].push_back(j * n + i);
      std::stable_sort(ranked[j].begin(), ranked[j].end(),
                       [&](size_t a, size_t b) { return salience[a] > salience[b]; });
      float& l = loss[j];
      for (size_t r = min_inputs; r < ranked[j].size(); ++r)
        l += std::max(0.0f, salience[ranked[j][r]]);
      if (salience[ranked[j][std::min<size_t>(min_inputs, n - 1)]] < 0) l = -1;
    }
    std::vector<size_t> order(loss.size());
    for (size_t j = 0; j < order.size(); ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return loss[a] < loss[b]; });
    const auto cut = static_cast<size_t>(fraction * static_cast<double>(luts));
    for (size_t c = 0; c < cut; ++c)
      for (size_t r = min_inputs; r < ranked[order[c]].size(); ++r) kept[ranked[order[c]][r]] = 0;
    for (size_t k = 0; k < kept.size(); ++k)
      if (salience[k] < 0) kept[k] = 0;  // what was dropped stays dropped
    return torch::tensor(kept).view({luts, n}).to(torch::kBool);
  }
  std::vector<size_t> order(salience.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return salience[a] < salience[b]; });
  std::vector<int64_t> left(static_cast<size_t>(luts), n);
  const auto target = static_cast<size_t>(fraction * static_cast<double>(salience.size()));
  size_t dropped = 0;
  for (size_t k : order) {
    if (dropped == target) break;
    if (left[k / static_cast<size_t>(n)] <= static_cast<int64_t>(min_inputs)) continue;
    kept[k] = 0;
    --left[k / static_cast<size_t>(n)];
    ++dropped;
  }
  return torch::tensor(kept).view({luts, n}).to(torch::kBool);
}

void tie_tables(const torch::Tensor& tables, const torch::Tensor& keep) {
  // A pass over each LUT that dropped an input, its dropped inputs in order: each pair of entries
  // that differ only in that input becomes their mean, rounded once from the exact (a + b) / 2, as
  // the mean over a dimension of two gives it. Runs on every forward pass of a shrunk network.
  torch::NoGradGuard no_grad;
  const torch::Tensor k = keep.contiguous();
  const torch::Tensor t = tables.detach();
  if (!t.is_contiguous() || t.scalar_type() != torch::kFloat)
    throw Error("tie_tables: the tables must be a contiguous float tensor");
  const int64_t luts = t.size(0), n = k.size(1), size = int64_t{1} << n;
  const bool* pk = k.data_ptr<bool>();
  float* pt = t.data_ptr<float>();
  at::parallel_for(0, luts, 256, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j)
      for (int64_t i = 0; i < n; ++i) {
        if (pk[j * n + i]) continue;
        float* row = pt + j * size;
        const int64_t bit = int64_t{1} << i;
        for (int64_t p = 0; p < size; ++p)
          if (!(p & bit)) {
            const auto mean =
                static_cast<float>((static_cast<double>(row[p]) + row[p | bit]) / 2.0);
            row[p] = row[p | bit] = mean;
          }
      }
  });
}

void shrink_tables(const torch::Tensor& tables, const torch::Tensor& keep, double fraction,
                   const TrainConfig& c) {
  torch::NoGradGuard no_grad;
  keep.copy_(shrink_keep(tables, keep, fraction, c.shrink_min_inputs, c.shrink_unit == "lut"));
  tie_tables(tables, keep);
}

double shrink_fraction(const TrainConfig& c, size_t layer, unsigned epoch) {
  if (c.shrink.empty() || epoch < c.shrink_epoch || epoch >= c.shrink_epoch + c.shrink_steps)
    return 0;
  return c.shrink[layer] * (epoch - c.shrink_epoch + 1) / c.shrink_steps;
}

models::Neuron kept_lut(const bool* on, const int64_t* wiring, const bool* keep, int64_t n,
                        bool negate) {
  // The inputs that shrinkage left, and the table over them: the entries whose dropped inputs
  // are 0 (the others equal them). A LUT that lost every input is a constant; the model file
  // gives it its first input (a table of two equal entries), which synthesis folds away.
  models::Neuron N;
  std::vector<int64_t> kept;
  for (int64_t l = 0; l < n; ++l)
    if (keep[l]) {
      kept.push_back(l);
      N.inputs.push_back(static_cast<uint32_t>(wiring[l]));
    }
  if (kept.empty()) N.inputs.push_back(static_cast<uint32_t>(wiring[0]));
  TruthTable t(static_cast<unsigned>(N.inputs.size()));
  for (uint64_t a = 0; a < (uint64_t{1} << N.inputs.size()); ++a) {
    int64_t full = 0;
    for (size_t k = 0; k < kept.size(); ++k)
      if ((a >> k) & 1) full |= int64_t{1} << kept[k];
    if (on[full] != negate) set_bit(t, a);
  }
  N.tables.push_back(std::move(t));
  return N;
}

torch::Tensor learnable_mapping(const torch::Tensor& x, const torch::Tensor& scores,
                                const torch::Tensor& cand) {
  return LearnableMappingFunction::apply(x, scores, cand);
}

torch::Tensor mapping_choice(const torch::Tensor& scores, const torch::Tensor& cand) {
  return LearnableMappingFunction::chosen(scores, cand);
}

torch::Tensor mapping_candidates(int64_t inputs, int64_t slots, int64_t candidates,
                                 std::mt19937_64& rng) {
  // Distinct inputs at random (all of them, in order, when there are no more than `candidates`).
  const int64_t k = std::min<int64_t>(inputs, candidates);
  std::vector<int64_t> all(static_cast<size_t>(inputs)), cands;
  for (int64_t i = 0; i < inputs; ++i) all[static_cast<size_t>(i)] = i;
  for (int64_t s = 0; s < slots; ++s) {
    if (k < inputs)  // a partial shuffle: the first k of a random permutation
      for (int64_t i = 0; i < k; ++i)
        std::swap(all[static_cast<size_t>(i)],
                  all[static_cast<size_t>(
                      i + static_cast<int64_t>(rng() % static_cast<uint64_t>(inputs - i)))]);
    cands.insert(cands.end(), all.begin(), all.begin() + k);
  }
  return torch::tensor(cands, torch::kLong).view({slots, k});
}

torch::Tensor dwn_lut_layer(const torch::Tensor& x, const torch::Tensor& tables,
                            const torch::Tensor& map, double alpha, double beta) {
  return LutLayerFunction::apply(x, tables, map, alpha, beta);
}

std::shared_ptr<NetworkImpl> make_dwn_network(const TrainConfig& c, int64_t features,
                                              std::mt19937_64& rng) {
  return std::make_shared<DwnNetImpl>(c, features, rng);
}

}  // namespace lutforge::train
