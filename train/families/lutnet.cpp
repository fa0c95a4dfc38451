// LUTNet: a binarized network whose XNORs become trained K-input LUTs, and logic shrinkage.
//
// Layer l has N neurons of S connections (`connections`), each a random distinct bit of the
// layer before. A connection is a LUT j that reads that bit as its input 0 and, once grown,
// K - 1 more random distinct bits (K = fan_in). Its output is the bit T[j][addr] > 0, trained
// as the DWN family's LUTs are (dwn_lut_layer: the straight-through estimator for the entries,
// the extended finite difference for the inputs).
//
// The BNN (the first bnn_epochs epochs): the connection's LUT has one input and the entries
// (-w, +w): its output is the XNOR of the bit with the binary weight w > 0, and w is the latent
// weight of the BNN (clamped to [-1, 1]). At epoch bnn_epochs every LUT grows to K inputs with
// T[a] = +w where bit 0 of a is set and -w elsewhere: it computes its XNOR as before, and the
// new inputs start unread.
//
// A hidden neuron counts its S LUT outputs (a popcount P, which is (S + sum of the +-1
// products) / 2 of the BNN) and batch norm and a sign give its bit: z = bn(P) >= 0, with the
// hardtanh straight-through estimator. Discretized, the batch norm's running statistics make
// that a threshold: P >= T when its scale is positive, P <= T' otherwise, which is
// S - P >= S - T' on the complemented LUTs (the export complements them, so the model file has
// only "at least" thresholds). The last layer has a neuron per class, whose popcount is the
// class score (a GroupSum head of one group per class).
//
// Logic shrinkage (`shrink`, from shrink_epoch, in shrink_steps epochs) is the DWN family's: per
// layer, the least salient fraction of the LUT inputs go, and the tables stay tied on them. With
// shrink_rewire, the LUTs it leaves one input (wires and inverters, no LUT after synthesis)
// learn which bit of the layer before they read, among shrink_rewire candidates; with
// shrink_rewire_luts, the LUTs it leaves whole learn which bits they read too, each input among
// shrink_rewire_luts candidates.
#include <algorithm>
#include <cmath>

#include "base/error.hpp"
#include "train/network.hpp"

namespace lutforge::train {
namespace {

class LutNetLayerImpl : public torch::nn::Module {
 public:
  LutNetLayerImpl(const TrainConfig& c, size_t l, int64_t inputs, bool last, std::mt19937_64& rng)
      : neurons(c.layers[l]), s(c.connections[l]), k(c.fan_in[l]), last(last) {
    const std::string at = c.source + ": lutnet layer " + std::to_string(l);
    if (inputs < s)
      throw Error(at + ": " + std::to_string(s) +
                  " connections per neuron, but the layer before has " + std::to_string(inputs) +
                  " bits");
    if (inputs < k)
      throw Error(at + ": " + std::to_string(k) + "-input LUTs need at least " + std::to_string(k) +
                  " bits before; the layer before has " + std::to_string(inputs));
    const int64_t luts = neurons * s;
    // Each neuron's connections: s distinct bits of a random permutation. Each LUT's other
    // inputs: distinct random bits that its connection is not.
    std::vector<int64_t> perm(static_cast<size_t>(inputs)), wiring;
    for (int64_t i = 0; i < inputs; ++i) perm[static_cast<size_t>(i)] = i;
    for (int64_t n = 0; n < neurons; ++n) {
      for (int64_t i = 0; i < s; ++i)
        std::swap(perm[static_cast<size_t>(i)],
                  perm[static_cast<size_t>(
                      i + static_cast<int64_t>(rng() % static_cast<uint64_t>(inputs - i)))]);
      for (int64_t i = 0; i < s; ++i) {
        const size_t first = wiring.size();
        wiring.push_back(perm[static_cast<size_t>(i)]);
        while (wiring.size() - first < static_cast<size_t>(k)) {
          const auto b = static_cast<int64_t>(rng() % static_cast<uint64_t>(inputs));
          if (std::find(wiring.begin() + static_cast<std::ptrdiff_t>(first), wiring.end(), b) ==
              wiring.end())
            wiring.push_back(b);
        }
      }
    }
    map = register_buffer("map", torch::tensor(wiring, torch::kLong).view({luts, k}));
    connection = register_buffer("connection", map.narrow(1, 0, 1).contiguous());
    w = register_parameter("w", torch::rand({luts}) * 2 - 1);
    tables = register_parameter("tables", torch::zeros({luts, int64_t{1} << k}));
    keep = register_buffer("keep", torch::ones({luts, k}, torch::kBool));
    grown = register_buffer("grown", torch::zeros({}, torch::kBool));
    const bool cut = !c.shrink.empty() && c.shrink[l] > 0;  // a layer that shrinkage cuts
    // The candidates come from copies of rng: the layers after are wired as without rewiring.
    if (cut && c.shrink_rewire > 0) {
      std::mt19937_64 wrng = rng;
      wire_cand =
          register_buffer("wire_cand", mapping_candidates(inputs, luts, c.shrink_rewire, wrng));
      wire_scores = register_parameter("wire_scores", torch::zeros({luts, wire_cand.size(1)}));
      wire_tables = register_parameter("wire_tables", torch::zeros({luts, 2}));
      wired = register_buffer("wired", torch::zeros({luts}, torch::kBool));
    }
    if (cut && c.shrink_rewire_luts > 0) {
      std::mt19937_64 copy = rng;
      std::mt19937_64 lrng(copy() ^ 0x5851f42d4c957f2dULL);
      whole_cand = register_buffer(
          "whole_cand", mapping_candidates(inputs, luts * k, c.shrink_rewire_luts, lrng));
      whole_scores =
          register_parameter("whole_scores", torch::zeros({luts * k, whole_cand.size(1)}));
      rewired_whole = register_buffer("rewired_whole", torch::zeros({luts}, torch::kBool));
    }
    margin = c.shrink_rewire_margin;
    if (!last) bn = register_module("bn", torch::nn::BatchNorm1d(neurons));
  }

  // The LUTs' outputs [B, neurons * s].
  torch::Tensor luts(const torch::Tensor& x) {
    if (is_training()) {
      torch::NoGradGuard no_grad;
      w.clamp_(-1, 1);
      tables.clamp_(-1, 1);
    }
    if (!grown.item<bool>())
      return dwn_lut_layer(x, torch::stack({-w, w}, 1), connection, 0.5, kBeta);
    tie();
    const double alpha = 0.5 * std::pow(0.75, static_cast<double>(k - 1));
    torch::Tensor y = dwn_lut_layer(x, tables, map, alpha, kBeta);
    if (rewires_whole() && rewired_whole.any().item<bool>()) {  // their inputs by score
      const torch::Tensor idx = rewired_whole.nonzero().squeeze(1);
      const torch::Tensor slots =
          (idx.unsqueeze(1) * k + torch::arange(k, torch::kLong).unsqueeze(0)).reshape({-1});
      const torch::Tensor xs = learnable_mapping(x, whole_scores.index_select(0, slots),
                                                 whole_cand.index_select(0, slots));
      y = y.index_copy(
          1, idx,
          dwn_lut_layer(xs, tables.index_select(0, idx),
                        torch::arange(slots.size(0), torch::kLong).view({-1, k}), alpha, kBeta));
    }
    if (!rewires() || !wired.any().item<bool>()) return y;
    if (is_training()) {
      torch::NoGradGuard no_grad;
      wire_tables.clamp_(-1, 1);
    }
    const torch::Tensor idx = wired.nonzero().squeeze(1);
    const torch::Tensor xs =
        learnable_mapping(x, wire_scores.index_select(0, idx), wire_cand.index_select(0, idx));
    const torch::Tensor yw =
        dwn_lut_layer(xs, wire_tables.index_select(0, idx),
                      torch::arange(idx.size(0), torch::kLong).view({-1, 1}), 0.5, kBeta);
    return y.index_copy(1, idx, yw);
  }

  // Rewiring: each LUT that shrinkage leaves one input reads the candidate bit of the largest
  // score (DWN's learnable mapping) through a table of two entries of its own. At its cut, its
  // candidate 0 is the input it kept, with a head start of `margin`, and its two entries are
  // the tied table's.
  void start_wires() {
    torch::NoGradGuard no_grad;
    // A wire that a later step empties is a constant: its tied table holds it from now on.
    const torch::Tensor one_input = keep.sum(1).eq(1);
    wired.logical_and_(one_input);
    const torch::Tensor fresh = one_input.logical_and(wired.logical_not());
    const torch::Tensor idx = fresh.nonzero().squeeze(1).contiguous();
    const int64_t* pi = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.size(0); ++i) {
      const int64_t j = pi[i], slot = kept_slot(j);
      wire_cand[j][0] = map[j][slot];
      wire_scores[j].fill_(0);
      wire_scores[j][0] = margin;
      wire_tables[j][0] = tables[j][0];
      wire_tables[j][1] = tables[j][int64_t{1} << slot];
    }
    wired.logical_or_(fresh);
  }
  // Writes each wire's bit and entries into map and tables, where salience and export read them.
  void commit_wires() {
    torch::NoGradGuard no_grad;
    const torch::Tensor choice = mapping_choice(wire_scores, wire_cand);
    const torch::Tensor addr = torch::arange(int64_t{1} << k, torch::kLong);
    const torch::Tensor idx = wired.nonzero().squeeze(1).contiguous();
    const int64_t* pi = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.size(0); ++i) {
      const int64_t j = pi[i], slot = kept_slot(j);
      map[j][slot] = choice[j];
      const torch::Tensor on = addr.bitwise_right_shift(slot).bitwise_and(1).eq(1);
      tables[j].copy_(torch::where(on, wire_tables[j][1], wire_tables[j][0]));
    }
  }
  int64_t kept_slot(int64_t j) const { return keep[j].to(torch::kLong).argmax().item<int64_t>(); }
  bool rewires() const { return wired.defined(); }

  // The LUTs that shrinkage leaves whole read, for each input, the candidate bit of the largest
  // score; at the cut, candidate 0 is the bit it read, with a head start of `margin`.
  void start_whole() {
    torch::NoGradGuard no_grad;
    const torch::Tensor whole = keep.all(1);
    rewired_whole.logical_and_(whole);  // a LUT that a later step cuts keeps the bits it chose
    const torch::Tensor idx =
        whole.logical_and(rewired_whole.logical_not()).nonzero().squeeze(1).contiguous();
    const int64_t* pi = idx.data_ptr<int64_t>();
    for (int64_t i = 0; i < idx.size(0); ++i)
      for (int64_t l = 0; l < k; ++l) {
        const int64_t slot = pi[i] * k + l;
        whole_cand[slot][0] = map[pi[i]][l];
        whole_scores[slot].fill_(0);
        whole_scores[slot][0] = margin;
      }
    rewired_whole.logical_or_(whole);
  }
  // Writes the bits they chose into map, where salience, wires and export read them.
  void commit_whole() {
    torch::NoGradGuard no_grad;
    const torch::Tensor idx = rewired_whole.nonzero().squeeze(1);
    map.index_copy_(0, idx,
                    mapping_choice(whole_scores, whole_cand).view({-1, k}).index_select(0, idx));
  }
  bool rewires_whole() const { return rewired_whole.defined(); }
  void commit_rewiring() {
    if (rewires_whole()) commit_whole();
    if (rewires()) commit_wires();
  }

  // The layer's output bits [B, neurons] (hidden layers), or its LUTs' outputs (the last).
  torch::Tensor forward(const torch::Tensor& x, bool discrete) {
    const torch::Tensor y = luts(x);
    if (last) return y;
    const torch::Tensor p = y.view({y.size(0), neurons, s}).sum(2);
    if (discrete) {
      const auto [t, flip] = thresholds();
      return torch::where(flip, s - p, p).ge(t).to(torch::kFloat);
    }
    const torch::Tensor z = bn->forward(p);
    const torch::Tensor soft = (z.clamp(-1, 1) + 1) * 0.5;
    return z.ge(0).to(torch::kFloat) + (soft - soft.detach());
  }

  // From the batch norm's running statistics, per neuron: whether its LUTs are complemented, and
  // the least count of (complemented) set outputs that gives 1.
  std::pair<torch::Tensor, torch::Tensor> thresholds() const {
    torch::NoGradGuard no_grad;
    const torch::Tensor mean = bn->running_mean.to(torch::kDouble).contiguous();
    const torch::Tensor var = bn->running_var.to(torch::kDouble).contiguous();
    const torch::Tensor gamma = bn->weight.to(torch::kDouble).contiguous();
    const torch::Tensor beta = bn->bias.to(torch::kDouble).contiguous();
    const double eps = bn->options.eps();
    std::vector<int64_t> t(static_cast<size_t>(neurons));
    std::vector<uint8_t> flip(static_cast<size_t>(neurons));
    for (int64_t n = 0; n < neurons; ++n) {
      const double m = mean.data_ptr<double>()[n], g = gamma.data_ptr<double>()[n];
      const double scale = g / std::sqrt(var.data_ptr<double>()[n] + eps);
      const double b = beta.data_ptr<double>()[n];
      auto on = [&](int64_t count) { return (static_cast<double>(count) - m) * scale + b >= 0; };
      flip[static_cast<size_t>(n)] = g < 0;
      int64_t& tn = t[static_cast<size_t>(n)];
      if (g >= 0) {  // the first count that is on (s + 1: none)
        for (tn = 0; tn <= s && !on(tn);) ++tn;
      } else {  // the last count that is on, q; then s - P >= s - q
        int64_t q = s;
        while (q >= 0 && !on(q)) --q;
        tn = s - q;
      }
    }
    return {torch::tensor(t, torch::kLong),
            torch::tensor(std::vector<int64_t>(flip.begin(), flip.end())).to(torch::kBool)};
  }

  // The BNN's XNORs become LUTs of k inputs that compute them.
  void grow() {
    torch::NoGradGuard no_grad;
    const torch::Tensor bit0 = torch::arange(int64_t{1} << k, torch::kLong).bitwise_and(1).eq(1);
    tables.copy_(torch::where(bit0.unsqueeze(0), w.unsqueeze(1), -w.unsqueeze(1)));
    grown.fill_(true);
  }
  void shrink(double fraction, const TrainConfig& c) {
    commit_rewiring();
    shrink_tables(tables, keep, fraction, c);
    if (rewires()) start_wires();
    if (rewires_whole()) start_whole();
  }
  void tie() { tie_tables(tables, keep); }

  // The model file's layers: the LUTs, then (hidden layers) the threshold neurons.
  void export_to(std::vector<models::Layer>& out) {
    torch::NoGradGuard no_grad;
    const bool g = grown.item<bool>();
    const int64_t n_in = g ? k : 1;
    if (g) commit_rewiring();
    if (g) tie();
    const torch::Tensor on = (g ? tables : torch::stack({-w, w}, 1)).gt(0).contiguous();
    const torch::Tensor wiring = (g ? map : connection).contiguous();
    const torch::Tensor kept =
        (g ? keep : torch::ones({neurons * s, 1}, torch::kBool)).contiguous();
    std::vector<uint8_t> flip(static_cast<size_t>(neurons), 0);
    models::Layer T;
    T.kind = models::LayerKind::Threshold;
    T.fan_in = static_cast<unsigned>(s);
    if (!last) {
      const auto [t, f] = thresholds();
      const torch::Tensor tc = t.contiguous(), fc = f.contiguous();
      for (int64_t n = 0; n < neurons; ++n) {
        flip[static_cast<size_t>(n)] = fc.data_ptr<bool>()[n];
        models::Neuron N;
        for (int64_t i = 0; i < s; ++i) N.inputs.push_back(static_cast<uint32_t>(n * s + i));
        N.threshold = static_cast<uint32_t>(tc.data_ptr<int64_t>()[n]);
        T.neurons.push_back(std::move(N));
      }
    }
    models::Layer L;
    L.kind = models::LayerKind::Lut;
    L.fan_in = static_cast<unsigned>(n_in);
    const int64_t size = int64_t{1} << n_in;
    for (int64_t j = 0; j < neurons * s; ++j)
      L.neurons.push_back(
          kept_lut(on.data_ptr<bool>() + j * size, wiring.data_ptr<int64_t>() + j * n_in,
                   kept.data_ptr<bool>() + j * n_in, n_in, flip[static_cast<size_t>(j / s)] != 0));
    out.push_back(std::move(L));
    if (!last) out.push_back(std::move(T));
  }

  static constexpr double kBeta = 0.25 / 0.75;  // DWN's finite-difference decay
  int64_t neurons, s, k;
  bool last;
  torch::Tensor map, connection, w, tables, keep, grown;
  torch::Tensor wire_cand, wire_scores, wire_tables, wired;  // rewiring (shrink_rewire)
  torch::Tensor whole_cand, whole_scores, rewired_whole;     // shrink_rewire_luts
  double margin = 0;
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(LutNetLayer);

class LutNetNetImpl : public GroupSumNetImpl {
 public:
  LutNetNetImpl(const TrainConfig& c, int64_t features, std::mt19937_64& rng) : GroupSumNetImpl(c) {
    int64_t prev = features * c.input_bits;
    for (size_t l = 0; l < c.layers.size(); ++l) {
      layers.push_back(register_module("layer" + std::to_string(l),
                                       LutNetLayer(c, l, prev, l + 1 == c.layers.size(), rng)));
      prev = c.layers[l];
    }
  }

 protected:
  torch::Tensor layers_forward(torch::Tensor x, bool discrete) override {
    for (auto& layer : layers) x = layer->forward(x, discrete);
    return x;
  }

  void start_epoch(const TrainConfig& c, unsigned epoch) override {
    if (epoch == c.bnn_epochs)
      for (auto& layer : layers)
        if (!layer->grown.item<bool>()) layer->grow();
    for (size_t l = 0; l < layers.size(); ++l)
      if (const double f = shrink_fraction(c, l, epoch); f > 0) layers[l]->shrink(f, c);
  }

  std::vector<models::Layer> export_layers() override {
    std::vector<models::Layer> out;
    for (auto& layer : layers) layer->export_to(out);
    return out;
  }

 private:
  std::vector<LutNetLayer> layers;
};

}  // namespace

std::shared_ptr<NetworkImpl> make_lutnet_network(const TrainConfig& c, int64_t features,
                                                 std::mt19937_64& rng) {
  return std::make_shared<LutNetNetImpl>(c, features, rng);
}

}  // namespace lutforge::train
