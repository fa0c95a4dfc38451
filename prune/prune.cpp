#include "prune/prune.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>

#include "base/error.hpp"
#include "models/lower_mac.hpp"
#include "netlist/cells.hpp"
#include "netlist/passes.hpp"

namespace lutforge::prune {
namespace {

constexpr double kNone = std::numeric_limits<double>::infinity();

bool is_constant(const Netlist& nl, Signal s) { return constant_of(nl, s).has_value(); }

bool is_zero(const Netlist& nl, Signal s) { return constant_of(nl, s) == false; }

Cost minus(const Cost& a, const Cost& b) {
  Cost c{};
  for (size_t k = 0; k < kNumResources; ++k) c[k] = a[k] - b[k];
  return c;
}

void add_to(Cost& a, const Cost& b, double times = 1) {
  for (size_t k = 0; k < kNumResources; ++k) a[k] += times * b[k];
}

// The reuse factor of layer l, and whether its schedule gives a neuron lanes of its own (R < 2F).
struct LayerPlan {
  unsigned reuse = 1;
  bool patterns = false;  // lanes of one neuron: weights k*R .. k*R + R - 1
  size_t pack = 1;        // lanes that share a slice
};

LayerPlan layer_plan(const models::Model& m, size_t l, const std::vector<unsigned>& reuse,
                     const models::LowerParams& params) {
  const models::Layer& L = m.layers[l];
  LayerPlan p;
  p.reuse = reuse[l];
  p.patterns = p.reuse < 2 * L.fan_in;
  if (params.dsp_packing) {
    const auto pack =
        models::best_packing(params.dsp_family, L.weight_bits, true, L.in_bits, false);
    if (pack) p.pack = pack->count;
  }
  return p;
}

// The bits of a multiplier factor that synthesis keeps: Yosys' wreduce drops top bits that are
// constant 0 (unsigned) or repeat the bit below them (signed: the same net, or equal constants).
uint32_t factor_width(const Netlist& nl, const std::vector<Signal>& bits, bool is_signed) {
  auto same = [&](Signal a, Signal b) {
    if (a == b) return true;
    const auto* ca = std::get_if<Const>(&nl.cell(a.node));
    const auto* cb = std::get_if<Const>(&nl.cell(b.node));
    return ca && cb && ca->value == cb->value;
  };
  size_t w = bits.size();
  while (w > 1) {
    const Signal top = bits[w - 1];
    const bool drop = is_signed ? same(top, bits[w - 2]) : is_zero(nl, top);
    if (!drop) break;
    --w;
  }
  return static_cast<uint32_t>(w);
}

// Whether synth_xilinx maps a plain product slice (no pre-adder, C or Z) to a DSP: mul2dsp takes a
// multiplication only when both factors have at least 2 bits and the product at least 9
// (DSP_A_MINWIDTH, DSP_B_MINWIDTH, DSP_Y_MINWIDTH; checked before an unsigned product is widened
// to a signed one); the rest become LUT multipliers. The LUTs of those: about one per bit of the
// partial products. `by_value`: the factors' widths as the pins' values narrow them (a weight
// pattern of {0, -1} is one bit); else the ports' widths, which are the same for every slice of a
// layer, so that one slice's cost is every slice's.
bool maps_to_slice(const Netlist& nl, NodeId n, const PackedDsp& d, bool by_value,
                   double& soft_luts) {
  if (d.pre_add != PackedDsp::PreAdd::None || d.c_width || d.z_width) return true;
  const auto pins = nl.fanin(n);
  const std::vector<Signal> a(pins.begin(), pins.begin() + d.a_width),
      b(pins.begin() + d.a_width, pins.begin() + d.a_width + d.b_width);
  uint32_t wa = by_value ? factor_width(nl, a, d.is_signed) : d.a_width,
           wb = by_value ? factor_width(nl, b, d.is_signed) : d.b_width;
  // Signed factors whose sign bits are both the constant 0 (a weight pattern of {0, 1} times a
  // pixel) make an unsigned product of one bit less each, as Yosys' wreduce does before mul2dsp.
  auto sign_zero = [&](const std::vector<Signal>& f, uint32_t w) {
    return w >= 2 && is_zero(nl, f[w - 1]);
  };
  if (by_value && d.is_signed && sign_zero(a, wa) && sign_zero(b, wb)) {
    --wa;
    --wb;
  }
  if (wa >= 2 && wb >= 2 && std::min(d.p_width, wa + wb) >= 9) return true;
  soft_luts = static_cast<double>(std::min(wa, wb) == 1 ? std::max(wa, wb) : wa * wb);
  return false;
}

// A sum of two operands (which `convert --adder-modules` writes as a plain addition) of which one
// is the whole product of a plain slice (no pre-adder, C or Z operand of its own) that
// synth_xilinx maps to a DSP and that nothing else reads: synthesis moves the addition into the
// slice's post-adder (its C port), as it does for the accumulator of a neuron left with one lane
// by pruning.
bool in_post_adder(const Netlist& nl, NodeId n, const Adder& a, bool by_value) {
  if (a.operands.size() != 2) return false;
  const auto pins = nl.fanin(n);
  uint32_t first = 0;
  for (const Adder::Operand& op : a.operands) {
    const NodeId d = pins[first].node;
    const auto* dsp = std::get_if<PackedDsp>(&nl.cell(d));
    bool whole =
        dsp != nullptr && dsp->pre_add == PackedDsp::PreAdd::None && !dsp->c_width && !dsp->z_width;
    for (uint32_t b = 0; whole && b < op.width; ++b)
      whole = pins[first + b].node == d && pins[first + b].bit == b;
    first += op.width;
    if (!whole) continue;
    bool only_reader = true;
    nl.foreach_fanout(d, [&](const PinRef& sink, uint32_t) { only_reader &= sink.node == n; });
    double soft_luts = 0;
    if (only_reader && maps_to_slice(nl, d, *dsp, by_value, soft_luts)) return true;
  }
  return false;
}

// An ArgMax: a comparison and a multiplexer of the running maximum per word after the first, a
// LUT a bit each. `by_value`: a word whose bits are all constant (a class whose score-layer
// weights were all pruned) costs half when the running maximum is not constant (the comparison
// with a constant and the multiplexer with a constant side fold together), and nothing while the
// running maximum is constant too (the comparison is decided). synth_xilinx's ArgMax of four
// 15-bit words: 77 LUTs against 90; with three of them constant, 13 against 30.
double argmax_luts(const Netlist& nl, NodeId n, const ArgMax& a, bool by_value) {
  const auto pins = nl.fanin(n);
  auto constant_word = [&](uint32_t w) {
    for (uint32_t b = 0; b < a.width; ++b)
      if (!is_constant(nl, pins[w * a.width + b])) return false;
    return true;
  };
  double luts = 0;
  bool max_constant = by_value && constant_word(0);
  for (uint32_t w = 1; w < a.count; ++w) {
    const bool word_constant = by_value && constant_word(w);
    luts += word_constant && max_constant   ? 0.0
            : word_constant || max_constant ? a.width
                                            : 2.0 * a.width;
    max_constant = max_constant && word_constant;
  }
  return luts;
}

}  // namespace

const char* resource_name(Resource r) {
  switch (r) {
    case Resource::Dsp: return "dsp";
    case Resource::Lut: return "lut";
    case Resource::Ff: return "ff";
    case Resource::Bram: return "bram";
  }
  return "?";
}

double bram_width_per_18k(uint32_t addr_width) {
  // RAMB18E1's shapes: 512 x 36 (SDP), 1K x 18, 2K x 9, 4K x 4, 8K x 2, 16K x 1.
  static const double kWidth[] = {36, 18, 9, 4, 2, 1};
  if (addr_width <= 9) return kWidth[0];
  if (addr_width <= 14) return kWidth[addr_width - 9];
  return 1.0 / static_cast<double>(uint64_t{1} << (addr_width - 14));  // deeper: several a bit
}

Cost netlist_cost(const Netlist& nl, Count count) {
  Cost c{};
  // The ROM bits that something reads, and the registers that take a ROM's word: synthesis
  // drops the others and merges these into the block RAM.
  std::vector<std::vector<bool>> rom_bit_read(nl.num_nodes());
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (const auto* r = std::get_if<Rom>(&nl.cell(n))) rom_bit_read[n].assign(r->width(), false);
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    for (const Signal& s : nl.fanin(n))
      if (!rom_bit_read[s.node].empty()) rom_bit_read[s.node][s.bit] = true;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& cell = nl.cell(n);
    if (const auto* r = std::get_if<Rom>(&cell)) {
      // In 18 Kbit halves of block RAM: the ROM's width over one half's width at its depth.
      // Cells counts the share, so that the structures' costs add up; Synthesized rounds up
      // per ROM, as synth_xilinx splits its width (a RAMB36E1 is two halves).
      const double width = count == Count::Cells
                               ? r->width()
                               : static_cast<double>(std::count(rom_bit_read[n].begin(),
                                                                rom_bit_read[n].end(), true));
      const double halves = width / bram_width_per_18k(r->addr_width);
      c[size_t(Resource::Bram)] += count == Count::Cells ? halves : std::ceil(halves);
      continue;
    }
    if (std::holds_alternative<Dff>(cell) && !rom_bit_read[nl.fanin(n)[0].node].empty())
      continue;  // the block RAM's output latch
    if (const auto* d = std::get_if<PackedDsp>(&cell)) {
      double soft_luts = 0;
      if (maps_to_slice(nl, n, *d, count == Count::Synthesized, soft_luts))
        c[size_t(Resource::Dsp)] += 1;
      else
        c[size_t(Resource::Lut)] += soft_luts;
    } else if (std::holds_alternative<Dff>(cell)) {
      c[size_t(Resource::Ff)] += 1;
    } else if (std::holds_alternative<Lut>(cell) || std::holds_alternative<Gate>(cell)) {
      c[size_t(Resource::Lut)] += 1;
    } else if (const auto* a = std::get_if<Adder>(&cell)) {
      // Two operands at a time (adder_steps): one LUT per bit that a step adds, none for a
      // step with a constant side (a carry chain alone) or for the low bits that one side
      // leaves unchanged; none for the sum of two that a slice's post-adder takes.
      if (in_post_adder(nl, n, *a, count == Count::Synthesized)) continue;
      for (const AdderStep& step : adder_steps(nl, n))
        if (!step.constant) c[size_t(Resource::Lut)] += a->width - step.low;
    } else if (const auto* a = std::get_if<ArgMax>(&cell)) {
      c[size_t(Resource::Lut)] += argmax_luts(nl, n, *a, count == Count::Synthesized);
    }
  }
  return c;
}

namespace {
Netlist lower_fitted(const models::Model& m, const models::LowerParams& params) {
  const models::Layer& last = m.layers.back();
  if (last.requantize || last.out_bits == models::accumulator_bits(last))
    return models::lower(m, params);
  // Pruned weights narrow the last layer's accumulators, and the scores with them.
  models::Model fitted = m;
  fit_scores(fitted);
  return models::lower(fitted, params);
}
}  // namespace

Cost lowered_cost(const models::Model& m, const models::LowerParams& params, Count count) {
  models::LowerParams every = params;
  every.keep_unread = true;  // additive: a structure is not charged for what it leaves unread
  return netlist_cost(lower_fitted(m, every), count);
}

Cost pruned_cost(const models::Model& m, const models::LowerParams& params) {
  return netlist_cost(sweep(lower_fitted(m, params)), Count::Synthesized);
}

void fit_scores(models::Model& m) {
  models::Layer& last = m.layers.back();
  if (!last.requantize) last.out_bits = models::accumulator_bits(last);
}

Budget parse_budget(const std::string& text, const std::string& what) {
  Budget b;
  b.fill(kNone);
  if (text.empty()) throw Error(what + ": an empty budget (expected e.g. dsp=40,lut=20000)");
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw Error(what + ": '" + item + "' is not resource=number (dsp, lut, ff or bram)");
    const std::string name = item.substr(0, eq), number = item.substr(eq + 1);
    size_t k = kNumResources;
    for (size_t r = 0; r < kNumResources; ++r)
      if (name == resource_name(static_cast<Resource>(r))) k = r;
    if (k == kNumResources)
      throw Error(what + ": unknown resource '" + name + "' (expected dsp, lut, ff or bram)");
    if (!std::isinf(b[k])) throw Error(what + ": resource '" + name + "' given twice");
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != number.size() || !std::isfinite(v))
      throw Error(what + ": '" + number + "' is not a number, for resource '" + name + "'");
    if (v < 0) throw Error(what + ": a negative budget for resource '" + name + "'");
    b[k] = v;
  }
  return b;
}

std::string format_cost(const Cost& c) {
  std::ostringstream s;
  for (size_t k = 0; k < kNumResources; ++k) {
    if (k) s << ' ';
    s << resource_name(static_cast<Resource>(k)) << '=';
    if (std::isinf(c[k]))
      s << '-';
    else
      s << std::llround(c[k]);
  }
  return s.str();
}

std::optional<Resource> over_budget(const Cost& c, const Budget& b) {
  for (size_t k = 0; k < kNumResources; ++k)
    if (c[k] > b[k] + 1e-9) return static_cast<Resource>(k);  // never over infinity
  return std::nullopt;
}

void remove_structure(models::Model& m, const Structure& s) {
  models::Layer& L = m.layers.at(s.layer);
  for (size_t n : s.neurons) {
    models::Neuron& N = L.neurons.at(n);
    if (s.kind == Structure::Kind::Pattern) {
      for (size_t i = s.first; i < s.first + s.count && i < N.weights.size(); ++i) N.weights[i] = 0;
      continue;
    }
    std::fill(N.weights.begin(), N.weights.end(), 0);
    N.bias = 0;  // the code becomes clamp(round(0)) = 0
    if (s.layer + 1 < m.layers.size())
      for (models::Neuron& next : m.layers[s.layer + 1].neurons)
        for (size_t i = 0; i < next.inputs.size(); ++i)
          if (next.inputs[i] == n) next.weights[i] = 0;
  }
}

Inventory inventory(const models::Model& m, const models::LowerParams& params,
                    const std::vector<size_t>& rows) {
  for (size_t l = 0; l < m.layers.size(); ++l)
    if (m.layers[l].kind != models::LayerKind::Mac)
      throw Error("prune: layer " + std::to_string(l) +
                  " is not a MAC layer; resource-aware pruning takes networks of the mac family");
  if (!rows.empty() && rows.size() != m.layers.size())
    throw Error("prune: " + std::to_string(rows.size()) + " row counts for " +
                std::to_string(m.layers.size()) + " layers");
  const std::vector<unsigned> reuse = models::reuse_factors(m, params);
  Inventory inv;
  inv.total = lowered_cost(m, params);
  // With reuse factors the lowering builds nothing for a neuron whose code nothing reads; such a
  // neuron is as good as pruned, and costs nothing to remove.
  std::vector<std::vector<bool>> read;
  if (models::initiation_interval(m, params) > 1) read = models::read_neurons(m);

  for (size_t l = 0; l < m.layers.size(); ++l) {
    const models::Layer& L = m.layers[l];
    const size_t N = L.neurons.size(), R = rows.empty() ? N : rows[l];
    if (R == 0 || N % R != 0)
      throw Error("prune: layer " + std::to_string(l) + " has " + std::to_string(N) +
                  " neurons, not a multiple of " + std::to_string(R) + " rows");
    const size_t per_row = N / R;
    const LayerPlan plan = layer_plan(m, l, reuse, params);
    const bool prunable_rows = l + 1 < m.layers.size();
    const size_t lanes = plan.patterns ? (L.fan_in + plan.reuse - 1) / plan.reuse : 0;

    // The measured costs: remove the structure of the kind (a row, or pattern k of a row) from
    // the first rows where it is live (as many as share a slice, with packing), lower, and divide
    // the difference. A layer where nothing is live has nothing to cost. Patterns are measured at
    // the position where the most rows are live: the multiplexer that selects a position's
    // inputs serves all the rows' slices there, and the last slice to go takes it along, so a
    // position with few live rows would charge that shared multiplexer to every pattern.
    const size_t g = std::min(plan.pack, R);
    auto row_neurons = [&](size_t r) {
      std::vector<size_t> v;
      for (size_t k = 0; k < per_row; ++k) v.push_back(r * per_row + k);
      return v;
    };
    auto live = [&](size_t r, size_t first, size_t count) {
      for (size_t n : row_neurons(r))
        if (models::any_weight(L.neurons[n], first, count) && (read.empty() || read[l][n]))
          return true;
      return false;
    };
    // The cost of one structure of the kind, and the slices that removing the group measured
    // (as many as share a slice) freed.
    struct Measured {
      Cost each{};
      double group_dsp = 0;
    };
    auto measure = [&](Structure::Kind kind) -> Measured {
      const size_t span = kind == Structure::Kind::Row ? L.fan_in : plan.reuse;
      const size_t positions = kind == Structure::Kind::Row ? 1 : (L.fan_in + span - 1) / span;
      std::vector<size_t> live_rows(positions, 0), order(positions);
      for (size_t k = 0; k < positions; ++k)
        for (size_t r = 0; r < R; ++r) live_rows[k] += live(r, k * span, span);
      std::iota(order.begin(), order.end(), size_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return live_rows[a] > live_rows[b]; });
      for (size_t k : order) {
        std::vector<size_t> picked;
        for (size_t r = 0; r < R && picked.size() < g; ++r)
          if (live(r, k * span, span)) picked.push_back(r);
        if (picked.empty()) break;
        models::Model cut = m;
        for (size_t r : picked) {
          Structure s;
          s.kind = kind;
          s.layer = l;
          s.neurons = row_neurons(r);
          s.first = k * span;
          s.count = span;
          remove_structure(cut, s);
        }
        Measured r{minus(inv.total, lowered_cost(cut, params))};
        r.group_dsp = std::max(0.0, r.each[static_cast<size_t>(Resource::Dsp)]);
        for (double& v : r.each) v /= static_cast<double>(picked.size());
        return r;
      }
      return {};
    };
    Cost pattern_cost{}, row_cost{};
    double pattern_unit = 0, row_unit = 0;
    if (lanes) {
      const Measured pm = measure(Structure::Kind::Pattern);
      pattern_cost = pm.each;
      pattern_unit = pm.group_dsp;
      for (double& v : pattern_cost) v = std::max(0.0, v);
    }
    if (prunable_rows) {
      const Measured rm = measure(Structure::Kind::Row);
      row_cost = rm.each;
      row_unit = rm.group_dsp;
      // Its own part: beyond its `lanes` patterns (each over all of its neurons).
      add_to(row_cost, pattern_cost, -static_cast<double>(lanes));
      for (double& v : row_cost) v = std::max(0.0, v);
    }

    // Packed groups: the live patterns of each lane index, or the live rows of a layer without.
    const size_t first_group = inv.groups.size();
    if (plan.pack > 1 && (lanes || prunable_rows))
      for (size_t k = 0; k < std::max<size_t>(lanes, 1); ++k)
        inv.groups.push_back({{}, plan.pack, lanes ? pattern_unit : row_unit});
    for (size_t r = 0; r < R; ++r) {
      const std::vector<size_t> neurons = row_neurons(r);
      const bool any_live = live(r, 0, L.fan_in);
      int parent = -1;
      if (prunable_rows) {
        Structure s;
        s.kind = Structure::Kind::Row;
        s.layer = l;
        s.row = r;
        s.neurons = neurons;
        s.removed = !any_live;
        if (any_live) s.cost = row_cost;
        if (!lanes) s.count = L.fan_in;  // its importance covers all its weights
        parent = static_cast<int>(inv.structures.size());
        if (plan.pack > 1 && !lanes && any_live)
          inv.groups[first_group].structures.push_back(inv.structures.size());
        inv.structures.push_back(std::move(s));
      }
      for (size_t k = 0; k < lanes; ++k) {
        Structure s;
        s.kind = Structure::Kind::Pattern;
        s.layer = l;
        s.row = r;
        s.neurons = neurons;
        s.first = k * plan.reuse;
        s.count = std::min<size_t>(plan.reuse, L.fan_in - s.first);
        s.parent = parent;
        s.removed = !live(r, s.first, s.count);
        if (!s.removed) s.cost = pattern_cost;
        if (plan.pack > 1 && !s.removed)
          inv.groups[first_group + k].structures.push_back(inv.structures.size());
        inv.structures.push_back(std::move(s));
      }
    }
  }
  // Magnitude importance: |W| times the neuron's multiplier (1 in the last layer), in units of
  // the mean over the layer's nonzero weights, so that layers of different scales compare (the
  // zero weights at an image's border would otherwise inflate the first layer's live ones).
  std::vector<std::vector<std::vector<double>>> magnitude(m.layers.size());
  for (size_t l = 0; l < m.layers.size(); ++l) {
    double sum = 0, count = 0;
    for (const models::Neuron& n : m.layers[l].neurons) {
      std::vector<double> w;
      const double scale = m.layers[l].requantize ? static_cast<double>(n.multiplier) : 1.0;
      for (int32_t v : n.weights) {
        w.push_back(std::abs(static_cast<double>(v)) * scale);
        sum += w.back();
        count += v != 0;
      }
      magnitude[l].push_back(std::move(w));
    }
    if (sum > 0)
      for (auto& w : magnitude[l])
        for (double& v : w) v *= count / sum;
  }
  set_importance(inv, magnitude);
  inv.groups.erase(std::remove_if(inv.groups.begin(), inv.groups.end(),
                                  [](const PackGroup& g) { return g.structures.empty(); }),
                   inv.groups.end());
  inv.fixed = inv.total;
  for (const Structure& s : inv.structures) add_to(inv.fixed, s.cost, -1);
  return inv;
}

void set_importance(Inventory& inv,
                    const std::vector<std::vector<std::vector<double>>>& importance) {
  for (Structure& s : inv.structures) {
    s.importance = 0;
    if (s.removed) continue;
    // A row with patterns has no weights of its own; one without covers all of them.
    if (s.kind == Structure::Kind::Row && s.count == 0) continue;
    for (size_t n : s.neurons) {
      const std::vector<double>& w = importance.at(s.layer).at(n);
      for (size_t i = s.first; i < s.first + s.count && i < w.size(); ++i) s.importance += w[i];
    }
  }
}

namespace {

using RowIndex = std::map<std::pair<size_t, size_t>, size_t>;  // (layer, neuron) -> its row

RowIndex row_index(const Inventory& inv) {
  RowIndex row_of;
  for (size_t i = 0; i < inv.structures.size(); ++i) {
    const Structure& s = inv.structures[i];
    if (s.kind == Structure::Kind::Row)
      for (size_t n : s.neurons) row_of[{s.layer, n}] = i;
  }
  return row_of;
}

// The row structures of layer `layer` - 1 that weights first .. first + count - 1 of `neurons`
// read through a nonzero weight, in increasing order.
std::vector<size_t> rows_read(const models::Model& m, const RowIndex& row_of, size_t layer,
                              const std::vector<size_t>& neurons, size_t first, size_t count) {
  std::vector<size_t> v;
  if (layer == 0) return v;
  const models::Layer& L = m.layers[layer];
  for (size_t n : neurons)
    for (size_t i = first; i < first + count && i < L.fan_in; ++i) {
      if (L.neurons[n].weights[i] == 0) continue;
      auto it = row_of.find({layer - 1, L.neurons[n].inputs[i]});
      if (it != row_of.end()) v.push_back(it->second);
    }
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

std::vector<std::vector<int>> readers(const models::Model& m, const Inventory& inv) {
  std::vector<std::vector<int>> read_by(inv.structures.size());
  const RowIndex row_of = row_index(inv);
  for (size_t j = 0; j < inv.structures.size(); ++j) {
    const Structure& s = inv.structures[j];
    if (s.removed || s.count == 0) continue;  // a row with patterns reads none
    for (size_t r : rows_read(m, row_of, s.layer, s.neurons, s.first, s.count))
      read_by[r].push_back(static_cast<int>(j));
  }
  return read_by;
}

std::vector<bool> class_paths(const models::Model& m, const Inventory& inv) {
  const size_t n = inv.structures.size();
  std::vector<bool> required(n, false);
  if (m.layers.empty()) return required;
  const RowIndex row_of = row_index(inv);
  // A row's live patterns, and its strength: its importance with theirs.
  std::vector<std::vector<size_t>> patterns(n);
  std::vector<double> strength(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const Structure& s = inv.structures[i];
    if (s.removed) continue;
    strength[i] += s.importance;
    if (s.parent < 0) continue;
    patterns[static_cast<size_t>(s.parent)].push_back(i);
    strength[static_cast<size_t>(s.parent)] += s.importance;
  }
  auto strongest = [&](const std::vector<size_t>& among) {
    size_t best = n;  // the first of equals, so that the choice is deterministic
    for (size_t i : among)
      if (!inv.structures[i].removed && (best == n || strength[i] > strength[best])) best = i;
    return best;
  };
  const size_t last = m.layers.size() - 1;
  const models::Layer& out = m.layers[last];
  bool last_has_structures = false;
  for (const Structure& s : inv.structures) last_has_structures |= s.layer == last;
  for (size_t c = 0; c < out.neurons.size(); ++c) {
    // The rows that structure i reads (a row without patterns covers all its weights).
    auto reads_of = [&](size_t i) {
      const Structure& s = inv.structures[i];
      return rows_read(m, row_of, s.layer, s.neurons, s.first, s.count);
    };
    std::vector<size_t> reads;
    if (last_has_structures) {
      std::vector<size_t> own;
      for (size_t i = 0; i < n; ++i) {
        const Structure& s = inv.structures[i];
        if (s.layer == last && std::find(s.neurons.begin(), s.neurons.end(), c) != s.neurons.end())
          own.push_back(i);
      }
      const size_t p = strongest(own);
      if (p == n) continue;  // every weight of the class is pruned already
      required[p] = true;
      reads = reads_of(p);
    } else {
      reads = rows_read(m, row_of, last, {c}, 0, out.fan_in);
    }
    // Down the strongest row read, through its strongest pattern, to the first layer.
    for (size_t r = strongest(reads); r != n; r = strongest(reads)) {
      required[r] = true;
      const size_t via = patterns[r].empty() ? r : strongest(patterns[r]);
      required[via] = true;
      reads = reads_of(via);
    }
  }
  return required;
}

namespace {

// v to a tenth, as the cost model's fractions of a block RAM are.
std::string to_tenths(double v) {
  std::ostringstream o;
  o << std::round(v * 10) / 10;
  return o.str();
}

// Solves p, removes from m what the solver does not keep, and lowers the result. `fixed` is what
// the items of p do not cost.
PruneResult apply_solution(const models::Model& m, const Inventory& inv, const KnapsackProblem& p,
                           const Cost& fixed, const std::vector<bool>& has_patterns,
                           const models::LowerParams& params, KnapsackSolver solver) {
  PruneResult r;
  r.knapsack = solve(p, solver);
  for (size_t k = 0; k < kNumResources; ++k) r.solved[k] = p.budget[k] + fixed[k];
  // A row stays exactly when one of its patterns does (a row without patterns: when kept).
  std::vector<bool> keep = r.knapsack.keep;
  for (size_t i = 0; i < keep.size(); ++i)
    if (has_patterns[i]) keep[i] = false;
  for (size_t i = 0; i < keep.size(); ++i) {
    const Structure& s = inv.structures[i];
    if (s.parent >= 0 && keep[i] && !s.removed) keep[static_cast<size_t>(s.parent)] = true;
  }
  r.model = m;
  r.kept.assign(inv.structures.size(), true);
  r.predicted = fixed;
  const std::vector<double> cost = cost_of(p, keep);
  for (size_t k = 0; k < kNumResources; ++k) r.predicted[k] += cost[k];
  for (size_t i = 0; i < inv.structures.size(); ++i) {
    const Structure& s = inv.structures[i];
    if (keep[i] || s.removed) continue;
    r.kept[i] = false;
    remove_structure(r.model, s);
    ++(s.kind == Structure::Kind::Row ? r.removed_rows : r.removed_patterns);
  }
  fit_scores(r.model);
  models::validate(r.model, "the pruned model");
  r.lowered = pruned_cost(r.model, params);
  return r;
}

}  // namespace

PruneResult prune(const models::Model& m, const Inventory& inv, const Budget& budget,
                  const models::LowerParams& params, KnapsackSolver solver) {
  KnapsackProblem p;
  // CBC charges packed slices by the group (KnapsackGroup); then what the groups take now
  // replaces their structures' fractions in what pruning cannot remove.
  Cost fixed = inv.fixed;
  if (solver == KnapsackSolver::Cbc)
    for (const PackGroup& g : inv.groups) {
      const size_t dsp = static_cast<size_t>(Resource::Dsp);
      KnapsackGroup kg;
      kg.resource = dsp;
      kg.per = g.per;
      kg.unit = g.unit;
      for (size_t i : g.structures) {
        kg.items.push_back(static_cast<int>(i));
        fixed[dsp] += inv.structures[i].cost[dsp];
      }
      fixed[dsp] -= g.unit * static_cast<double>(units(kg, kg.items.size()));
      p.groups.push_back(std::move(kg));
    }
  p.budget.assign(budget.begin(), budget.end());
  for (size_t k = 0; k < kNumResources; ++k)
    if (!std::isinf(budget[k])) p.budget[k] = budget[k] - fixed[k];
  // Removed structures are items of no value and no cost; their children need them all the same,
  // and the knapsack may keep them at no charge. The dynamic program takes no parents: it
  // chooses among the patterns, and a row's own cost is not in its problem.
  std::vector<bool> has_patterns(inv.structures.size(), false);
  for (const Structure& s : inv.structures)
    if (s.parent >= 0) has_patterns[static_cast<size_t>(s.parent)] = true;
  const std::vector<std::vector<int>> read_by = readers(m, inv);
  const std::vector<bool> required = class_paths(m, inv);
  for (size_t i = 0; i < inv.structures.size(); ++i) {
    const Structure& s = inv.structures[i];
    KnapsackItem it;
    it.required = required[i];
    it.value = s.importance;
    it.cost.assign(s.cost.begin(), s.cost.end());
    it.parent = s.parent;
    it.needs_any = read_by[i];
    if (solver == KnapsackSolver::Dp) {
      it.parent = -1;
      it.needs_any.clear();
      if (has_patterns[i]) it.cost.assign(kNumResources, 0.0);
    }
    p.items.push_back(std::move(it));
  }
  const std::vector<double> path = cost_of(p, required);  // what the required paths cost
  for (size_t k = 0; k < kNumResources; ++k)
    if (!std::isinf(budget[k]) && p.budget[k] < path[k] - 1e-9)
      throw Error("prune: --budget " + std::string(resource_name(static_cast<Resource>(k))) + "=" +
                  std::to_string(std::llround(budget[k])) +
                  " is impossible: what pruning cannot remove (the counter, input and output "
                  "registers, the last layer's own parts) and one path from the inputs to each "
                  "class already cost " +
                  to_tenths(fixed[k] + path[k]));
  // The costs are measured one structure (or one packed group) at a time; packing rounds up per
  // group, so the lowering can exceed what the sum predicts. Then the budget of the resource is
  // tightened by the excess and the knapsack solved again, a few times at most.
  PruneResult r = apply_solution(m, inv, p, fixed, has_patterns, params, solver);
  for (int round = 0; round < 8; ++round) {
    bool over = false;
    for (size_t k = 0; k < kNumResources; ++k)
      if (!std::isinf(budget[k]) && r.lowered[k] > budget[k] + 1e-9) {
        // From what the solution uses, which can be well under the knapsack's budget: else a
        // solution that already fits the tightened budget would not change.
        const double used = r.knapsack.used.size() > k ? r.knapsack.used[k] : p.budget[k];
        // Never under the required paths' cost: the knapsack would have no solution.
        p.budget[k] = std::max(path[k], std::min(p.budget[k], used) - (r.lowered[k] - budget[k]));
        over = true;
      }
    if (!over) break;
    r = apply_solution(m, inv, p, fixed, has_patterns, params, solver);
  }
  // The other way: packing regroups what is kept, so the lowering can also free more than the
  // sum predicts and land well under the budget. Then the budget of each resource with slack is
  // loosened by it, and the solution taken when its lowering fits every budget and it keeps more
  // importance; when it does not fit, the step is halved. A few times at most.
  auto fits = [&](const PruneResult& t) { return !over_budget(t.lowered, budget); };
  if (!fits(r)) return r;
  std::vector<double> step(kNumResources, 0.0);
  for (size_t k = 0; k < kNumResources; ++k)
    if (!std::isinf(budget[k])) step[k] = budget[k] - r.lowered[k];
  for (int round = 0; round < 8; ++round) {
    KnapsackProblem q = p;
    bool loosen = false;
    for (size_t k = 0; k < kNumResources; ++k)
      if (step[k] >= 1) {
        q.budget[k] += step[k];
        loosen = true;
      }
    if (!loosen) break;
    PruneResult t = apply_solution(m, inv, q, fixed, has_patterns, params, solver);
    if (fits(t) && t.knapsack.value > r.knapsack.value) {
      r = std::move(t);
      p = std::move(q);
      for (size_t k = 0; k < kNumResources; ++k)
        if (!std::isinf(budget[k])) step[k] = std::min(step[k], budget[k] - r.lowered[k]);
    } else {
      for (double& v : step) v = std::floor(v / 2);
    }
  }
  return r;
}

}  // namespace lutforge::prune
