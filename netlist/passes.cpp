#include "netlist/passes.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <optional>

#include "base/error.hpp"
#include "netlist/levels.hpp"

namespace lutforge {
namespace {

// Called for each combinational cell with the cell and its fanin mapped into the new netlist.
// Returns the new signals of the cell's output bits; it may add cells to `out`.
using RewriteFn =
    std::function<std::vector<Signal>(Netlist& out, NodeId old, const std::vector<Signal>& fanin)>;

// Copies a cell as it is.
std::vector<Signal> copy_cell(Netlist& out, const Netlist& in, NodeId old,
                              const std::vector<Signal>& fanin) {
  const NodeId n = out.add_cell(in.cell(old), fanin, in.name(old));
  std::vector<Signal> bits;
  for (uint32_t b = 0; b < num_output_bits(in.cell(old)); ++b) bits.push_back({n, b});
  return bits;
}

Netlist rebuild(const Netlist& in, const std::vector<char>& keep, const RewriteFn& rewrite) {
  const Levels lv = levelize(in);
  Netlist out;
  out.set_design_name(in.design_name());
  out.set_clock_name(in.clock_name());
  std::vector<std::vector<Signal>> map(in.num_nodes());
  auto mapped = [&](NodeId n) {
    std::vector<Signal> f;
    for (const Signal& s : in.fanin(n)) f.push_back(map[s.node][s.bit]);
    return f;
  };
  for (NodeId n : in.inputs()) {
    const NodeId m = out.add_input(in.name(n), std::get<Input>(in.cell(n)).width);
    for (uint32_t b = 0; b < std::get<Input>(in.cell(n)).width; ++b) map[n].push_back({m, b});
  }
  std::vector<NodeId> regs;
  for (NodeId n = 0; n < in.num_nodes(); ++n)
    if (keep[n] && is_register(in.cell(n))) {
      map[n] = {Signal{out.add_cell(in.cell(n), {}, in.name(n)), 0}};
      regs.push_back(n);
    }
  for (NodeId n : lv.order) {
    const Cell& c = in.cell(n);
    if (!keep[n] || std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c) ||
        is_register(c))
      continue;
    if (const auto* k = std::get_if<Const>(&c)) {
      map[n] = {out.constant(k->value)};
      continue;
    }
    map[n] = rewrite(out, n, mapped(n));
  }
  for (NodeId r : regs) {
    const auto f = mapped(r);
    for (uint32_t p = 0; p < f.size(); ++p) out.connect(map[r][0].node, p, f[p]);
  }
  for (NodeId n : in.outputs()) out.add_output(in.name(n), mapped(n));
  assert(verify(out).empty());
  return out;
}

std::vector<char> live_nodes(const Netlist& nl) {
  std::vector<char> live(nl.num_nodes(), 0);
  std::vector<NodeId> stack(nl.outputs().begin(), nl.outputs().end());
  for (NodeId n : nl.inputs()) live[n] = 1;
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    if (live[n] && !std::holds_alternative<Input>(nl.cell(n))) continue;
    live[n] = 1;
    for (const Signal& s : nl.fanin(n))
      if (!live[s.node]) stack.push_back(s.node);
  }
  return live;
}

void fill_stats(PassStats* stats, const Netlist& before, const Netlist& after, size_t rewritten) {
  if (!stats) return;
  stats->nodes_before = before.num_nodes();
  stats->nodes_after = after.num_nodes();
  stats->rewritten = rewritten;
}

// The simplest form of f over `fanin`: constants folded in, repeated inputs merged and inputs
// outside the support dropped. Returns the signal when the result is a constant or a plain input.
std::optional<Signal> simplify(Netlist& out, TruthTable& f, std::vector<Signal>& fanin) {
  for (unsigned v = 0; v < fanin.size(); ++v)
    if (auto k = constant_of(out, fanin[v])) f = *k ? cofactor1(f, v) : cofactor0(f, v);
  // Merge repeated signals: map each input to the first position holding the same signal.
  std::vector<unsigned> map(fanin.size());
  std::vector<Signal> unique;
  for (unsigned v = 0; v < fanin.size(); ++v) {
    auto it = std::find(unique.begin(), unique.end(), fanin[v]);
    map[v] = static_cast<unsigned>(it - unique.begin());
    if (it == unique.end()) unique.push_back(fanin[v]);
  }
  if (unique.size() != fanin.size()) {
    f = remap_vars(f, map, static_cast<unsigned>(unique.size()));
    fanin = unique;
  }
  const uint32_t sup = support(f);
  std::vector<unsigned> vars;
  std::vector<Signal> kept;
  for (unsigned v = 0; v < fanin.size(); ++v)
    if ((sup >> v) & 1) {
      vars.push_back(v);
      kept.push_back(fanin[v]);
    }
  if (kept.size() != fanin.size()) {
    f = shrink_to(f, vars);
    fanin = kept;
  }
  if (f.num_vars() == 0) return out.constant(get_bit(f, 0));
  if (f.num_vars() == 1 && get_bit(f, 1) && !get_bit(f, 0)) return fanin[0];
  return std::nullopt;
}

bool is_buffer(const Cell& c) {
  const auto* l = std::get_if<Lut>(&c);
  return l && l->function.num_vars() == 1 && get_bit(l->function, 1) && !get_bit(l->function, 0);
}
bool is_inverter(const Cell& c) {
  const auto* l = std::get_if<Lut>(&c);
  return l && l->function.num_vars() == 1 && !get_bit(l->function, 1) && get_bit(l->function, 0);
}

// Builds f over `in` from LUTs of at most max_k inputs into `out`.
class LutDecomposer {
 public:
  LutDecomposer(Netlist& out, unsigned max_k, const std::string& name)
      : out_(out), max_k_(max_k), name_(name) {}

  Signal build(TruthTable f, std::vector<Signal> in) {
    if (auto s = simplify(out_, f, in)) return *s;
    const unsigned k = f.num_vars();
    if (k <= max_k_) return lut(std::move(f), std::move(in));
    auto key = std::make_pair(to_hex(f), in);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    Signal r;
    const std::vector<Signal> low(in.begin(), in.end() - (max_k_ >= 6 ? 2 : 1));
    if (max_k_ >= 6) {
      auto [f0, f1] = split_top(f);     // on in[k-1]
      auto [f00, f01] = split_top(f0);  // on in[k-2]
      auto [f10, f11] = split_top(f1);
      const Signal g00 = build(f00, low), g01 = build(f01, low), g10 = build(f10, low),
                   g11 = build(f11, low);
      // mux4 over (g00, g01, g10, g11, s0 = in[k-2], s1 = in[k-1]): inputs 0..3 data, 4..5 select.
      TruthTable m(6);
      for (unsigned i = 0; i < 64; ++i) set_bit(m, i, (i >> ((i >> 4) & 3)) & 1);
      r = build(std::move(m), {g00, g01, g10, g11, in[k - 2], in[k - 1]});
    } else {
      auto [f0, f1] = split_top(f);
      const Signal g0 = build(f0, low), g1 = build(f1, low);
      TruthTable m(3);
      for (unsigned i = 0; i < 8; ++i) set_bit(m, i, (i >> 2) ? ((i >> 1) & 1) : (i & 1));
      r = build(std::move(m), {g0, g1, in[k - 1]});
    }
    memo_.emplace(std::move(key), r);
    return r;
  }

 private:
  Signal lut(TruthTable f, std::vector<Signal> in) {
    const std::string name =
        name_.empty() ? std::string() : name_ + "$d" + std::to_string(count_++);
    return Signal{out_.add_cell(Lut{std::move(f)}, in, name), 0};
  }

  Netlist& out_;
  unsigned max_k_;
  std::string name_;
  unsigned count_ = 0;
  std::map<std::pair<std::string, std::vector<Signal>>, Signal> memo_;
};

}  // namespace

Netlist sweep(const Netlist& nl, PassStats* stats) {
  const auto live = live_nodes(nl);
  Netlist out = rebuild(nl, live, [&](Netlist& o, NodeId n, const std::vector<Signal>& f) {
    return copy_cell(o, nl, n, f);
  });
  fill_stats(stats, nl, out, static_cast<size_t>(std::count(live.begin(), live.end(), 0)));
  return out;
}

Netlist propagate_constants(const Netlist& nl, PassStats* stats) {
  size_t rewritten = 0;
  const std::vector<char> all(nl.num_nodes(), 1);
  Netlist out = rebuild(
      nl, all, [&](Netlist& o, NodeId n, const std::vector<Signal>& fanin) -> std::vector<Signal> {
        const Cell& c = nl.cell(n);
        const auto* lut = std::get_if<Lut>(&c);
        const auto* gate = std::get_if<Gate>(&c);
        if (!lut && !gate) return copy_cell(o, nl, n, fanin);
        TruthTable f = lut ? lut->function : make_gate(gate->id);
        std::vector<Signal> in = fanin;
        if (auto s = simplify(o, f, in)) {
          ++rewritten;
          return {*s};
        }
        if (gate && in.size() == 2 && in == fanin) return copy_cell(o, nl, n, fanin);
        if (lut && in.size() == fanin.size()) return copy_cell(o, nl, n, fanin);
        ++rewritten;
        return {Signal{o.add_cell(Lut{std::move(f)}, in, nl.name(n)), 0}};
      });
  Netlist swept = sweep(out);
  fill_stats(stats, nl, swept, rewritten);
  return swept;
}

Netlist fold_buffers(const Netlist& nl, PassStats* stats) {
  size_t rewritten = 0;
  const std::vector<char> all(nl.num_nodes(), 1);
  Netlist out = rebuild(
      nl, all, [&](Netlist& o, NodeId n, const std::vector<Signal>& fanin) -> std::vector<Signal> {
        const Cell& c = nl.cell(n);
        // Buffers in the new netlist were already bypassed, so fanin never names one; a buffer
        // itself maps to its input.
        if (is_buffer(c)) {
          ++rewritten;
          return {fanin[0]};
        }
        const auto* lut = std::get_if<Lut>(&c);
        const auto* gate = std::get_if<Gate>(&c);
        if (is_inverter(c)) {
          // Two inverters in a row cancel.
          if (is_inverter(o.cell(fanin[0].node))) {
            ++rewritten;
            return {o.fanin(fanin[0].node)[0]};
          }
          return copy_cell(o, nl, n, fanin);
        }
        if (!lut && !gate) return copy_cell(o, nl, n, fanin);
        TruthTable f = lut ? lut->function : make_gate(gate->id);
        std::vector<Signal> in = fanin;
        bool changed = false;
        for (unsigned v = 0; v < in.size(); ++v)
          if (is_inverter(o.cell(in[v].node))) {
            f = flip_var(f, v);
            in[v] = o.fanin(in[v].node)[0];
            changed = true;
          }
        if (!changed) return copy_cell(o, nl, n, fanin);
        ++rewritten;
        const NodeId m = gate ? o.add_cell(Gate{gate_id_of(f)}, in, nl.name(n))
                              : o.add_cell(Lut{std::move(f)}, in, nl.name(n));
        return {Signal{m, 0}};
      });
  Netlist swept = sweep(out);
  fill_stats(stats, nl, swept, rewritten);
  return swept;
}

Netlist decompose_luts(const Netlist& nl, unsigned max_k, PassStats* stats) {
  assert(max_k >= 3);
  size_t rewritten = 0;
  const std::vector<char> all(nl.num_nodes(), 1);
  Netlist out = rebuild(
      nl, all, [&](Netlist& o, NodeId n, const std::vector<Signal>& fanin) -> std::vector<Signal> {
        const auto* lut = std::get_if<Lut>(&nl.cell(n));
        if (!lut || lut->function.num_vars() <= max_k) return copy_cell(o, nl, n, fanin);
        ++rewritten;
        LutDecomposer d(o, max_k, nl.name(n));
        const Signal s = d.build(lut->function, fanin);
        // Keep the cell's name on the tree's root so that names survive into the Verilog.
        if (!nl.name(n).empty() && std::holds_alternative<Lut>(o.cell(s.node)))
          o.set_name(s.node, nl.name(n));
        return {s};
      });
  Netlist swept = sweep(out);
  fill_stats(stats, nl, swept, rewritten);
  return swept;
}

Netlist pipeline(const Netlist& nl, const PipelineParams& params, unsigned* latency) {
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (is_register(nl.cell(n)))
      throw Error("pipeline: the netlist already has registers (" + describe(nl, n) + ")");
  if (nl.find_port(params.valid_in) != kNoNode || nl.find_port(params.valid_out) != kNoNode)
    throw Error("pipeline: the netlist already has a port named '" + params.valid_in + "' or '" +
                params.valid_out + "'");
  const unsigned per = std::max(1u, params.levels_per_stage);
  const Levels lv = levelize(nl);
  std::vector<unsigned> stage(nl.num_nodes(), 0);
  unsigned last = 0;
  for (NodeId n : lv.order) {
    const Cell& c = nl.cell(n);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Const>(c) ||
        std::holds_alternative<Output>(c))
      continue;
    stage[n] = (lv.level[n] + per - 1) / per;
    last = std::max(last, stage[n]);
  }
  Netlist out;
  out.set_design_name(nl.design_name());
  out.set_clock_name(params.clock);
  std::vector<std::vector<Signal>> map(nl.num_nodes());
  for (NodeId n : nl.inputs()) {
    const uint32_t w = std::get<Input>(nl.cell(n)).width;
    const NodeId m = out.add_input(nl.name(n), w);
    for (uint32_t b = 0; b < w; ++b) map[n].push_back({m, b});
  }
  const NodeId valid = out.add_input(params.valid_in, 1);
  // delayed[(node, bit)][k]: the signal delayed by k registers, built on demand and shared.
  std::map<std::pair<NodeId, uint32_t>, std::vector<Signal>> delayed;
  auto at_stage = [&](Signal s, unsigned want) -> Signal {
    const Cell& c = nl.cell(s.node);
    if (std::holds_alternative<Const>(c)) return map[s.node][s.bit];
    auto& chain = delayed[{s.node, s.bit}];
    if (chain.empty()) chain.push_back(map[s.node][s.bit]);
    const unsigned have = stage[s.node];
    assert(want >= have);
    while (chain.size() <= want - have) {
      std::string base = nl.name(s.node).empty() ? "n" + std::to_string(s.node) : nl.name(s.node);
      if (num_output_bits(c) > 1) base += "_" + std::to_string(s.bit);
      const std::string name = base + "_p" + std::to_string(have + chain.size());
      chain.push_back(Signal{out.add_cell(Dff{}, {chain.back()}, name), 0});
    }
    return chain[want - have];
  };
  for (NodeId n : lv.order) {
    const Cell& c = nl.cell(n);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c)) continue;
    if (const auto* k = std::get_if<Const>(&c)) {
      map[n] = {out.constant(k->value)};
      continue;
    }
    std::vector<Signal> f;
    for (const Signal& s : nl.fanin(n)) f.push_back(at_stage(s, stage[n]));
    const NodeId m = out.add_cell(c, f, nl.name(n));
    for (uint32_t b = 0; b < num_output_bits(c); ++b) map[n].push_back({m, b});
  }
  for (NodeId o : nl.outputs()) {
    std::vector<Signal> f;
    for (const Signal& s : nl.fanin(o)) f.push_back(at_stage(s, last));
    out.add_output(nl.name(o), f);
  }
  Signal v{valid, 0};
  for (unsigned k = 1; k <= last; ++k)
    v = Signal{out.add_cell(Dff{}, {v}, params.valid_in + "_p" + std::to_string(k)), 0};
  out.add_output(params.valid_out, {v});
  if (latency) *latency = last;
  assert(verify(out).empty());
  return out;
}

}  // namespace lutforge
