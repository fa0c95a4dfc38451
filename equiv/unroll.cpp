// The transformations that reduce sequential equivalence to combinational equivalence.
#include <set>

#include "base/error.hpp"
#include "equiv/equiv.hpp"
#include "netlist/levels.hpp"

namespace lutforge {
namespace {

// The next state of a register as a LUT over (D, [EN], [SRST], [ARST], state), following the
// semantics documented on Dff.
TruthTable next_state_table(const Dff& d) {
  const unsigned pins = 1 + d.has_enable + d.has_sync_reset + d.has_async_reset;
  TruthTable tt(pins + 1);
  for (uint64_t i = 0; i < tt.num_bits(); ++i) {
    unsigned p = 0;
    const bool data = (i >> p++) & 1;
    const bool en = d.has_enable ? ((i >> p++) & 1) : true;
    const bool srst = d.has_sync_reset ? ((i >> p++) & 1) : false;
    const bool arst = d.has_async_reset ? ((i >> p++) & 1) : false;
    const bool q = (i >> p) & 1;
    bool next = q;
    if (d.sync_reset_needs_enable) {
      if (en) next = srst ? d.sync_reset_value : data;
    } else if (srst) {
      next = d.sync_reset_value;
    } else if (en) {
      next = data;
    }
    if (arst) next = d.async_reset_value;
    set_bit(tt, i, next);
  }
  return tt;
}

// Q of a register with an asynchronous reset, as a LUT over (ARST, state).
TruthTable async_output_table(const Dff& d) {
  TruthTable tt(2);
  set_bit(tt, 0, false);  // arst = 0, state = 0
  set_bit(tt, 1, d.async_reset_value);
  set_bit(tt, 2, true);  // arst = 0, state = 1
  set_bit(tt, 3, d.async_reset_value);
  return tt;
}

// Copies the combinational logic of `nl` into `out` once, with registers reading `state`.
// Returns the mapped signals of every node.
std::vector<std::vector<Signal>> copy_frame(const Netlist& nl, const Levels& lv, Netlist& out,
                                            const std::vector<std::vector<Signal>>& inputs,
                                            const std::vector<Signal>& state,
                                            const std::string& suffix) {
  std::vector<std::vector<Signal>> map(nl.num_nodes());
  for (size_t i = 0; i < nl.inputs().size(); ++i) map[nl.inputs()[i]] = inputs[i];
  auto mapped = [&](NodeId n) {
    std::vector<Signal> f;
    for (const Signal& s : nl.fanin(n)) f.push_back(map[s.node][s.bit]);
    return f;
  };
  for (NodeId n : lv.order) {
    const Cell& c = nl.cell(n);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c)) continue;
    if (const auto* k = std::get_if<Const>(&c)) {
      map[n] = {out.constant(k->value)};
    } else if (const auto* d = std::get_if<Dff>(&c)) {
      if (d->has_async_reset) {
        const Signal arst = map[nl.fanin(n).back().node][nl.fanin(n).back().bit];
        map[n] = {Signal{
            out.add_cell(Lut{async_output_table(*d)}, {arst, state[n]}, nl.name(n) + suffix), 0}};
      } else {
        map[n] = {state[n]};
      }
    } else {
      const NodeId m =
          out.add_cell(c, mapped(n), nl.name(n).empty() ? std::string() : nl.name(n) + suffix);
      for (uint32_t b = 0; b < num_output_bits(c); ++b) map[n].push_back({m, b});
    }
  }
  return map;
}

Signal next_state(const Netlist& nl, NodeId r, Netlist& out,
                  const std::vector<std::vector<Signal>>& map, Signal state,
                  const std::string& name) {
  std::vector<Signal> f;
  for (const Signal& s : nl.fanin(r)) f.push_back(map[s.node][s.bit]);
  f.push_back(state);
  return Signal{out.add_cell(Lut{next_state_table(std::get<Dff>(nl.cell(r)))}, f, name), 0};
}

}  // namespace

Netlist unroll(const Netlist& nl, unsigned frames) {
  const Levels lv = levelize(nl);
  Netlist out;
  out.set_design_name(nl.design_name());
  std::vector<std::vector<std::vector<Signal>>> inputs(frames);
  for (unsigned t = 0; t < frames; ++t)
    for (NodeId n : nl.inputs()) {
      const uint32_t w = std::get<Input>(nl.cell(n)).width;
      const NodeId p = out.add_input(nl.name(n) + "@" + std::to_string(t), w);
      std::vector<Signal> bits;
      for (uint32_t b = 0; b < w; ++b) bits.push_back({p, b});
      inputs[t].push_back(bits);
    }
  std::vector<Signal> state(nl.num_nodes());
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (const auto* d = std::get_if<Dff>(&nl.cell(n))) state[n] = out.constant(d->init);
  for (unsigned t = 0; t < frames; ++t) {
    const std::string suffix = "@" + std::to_string(t);
    const auto map = copy_frame(nl, lv, out, inputs[t], state, suffix);
    for (NodeId o : nl.outputs()) {
      std::vector<Signal> bits;
      for (const Signal& s : nl.fanin(o)) bits.push_back(map[s.node][s.bit]);
      out.add_output(nl.name(o) + suffix, bits);
    }
    if (t + 1 == frames) break;
    std::vector<Signal> next(nl.num_nodes());
    for (NodeId n = 0; n < nl.num_nodes(); ++n)
      if (is_register(nl.cell(n)))
        next[n] = next_state(nl, n, out, map, state[n], nl.name(n) + "@next" + suffix);
    state = std::move(next);
  }
  return out;
}

Netlist cut_registers(const Netlist& nl) {
  const Levels lv = levelize(nl);
  Netlist out;
  out.set_design_name(nl.design_name());
  std::vector<std::vector<Signal>> inputs;
  for (NodeId n : nl.inputs()) {
    const uint32_t w = std::get<Input>(nl.cell(n)).width;
    const NodeId p = out.add_input(nl.name(n), w);
    std::vector<Signal> bits;
    for (uint32_t b = 0; b < w; ++b) bits.push_back({p, b});
    inputs.push_back(bits);
  }
  std::set<std::string> names;
  std::vector<Signal> state(nl.num_nodes());
  std::vector<NodeId> regs;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    if (!is_register(nl.cell(n))) continue;
    if (nl.name(n).empty() || !names.insert(nl.name(n)).second)
      throw Error("register " + describe(nl, n) +
                  " has no unique name; registers cannot be cut points");
    state[n] = Signal{out.add_input(nl.name(n) + "@q", 1), 0};
    regs.push_back(n);
  }
  const auto map = copy_frame(nl, lv, out, inputs, state, "");
  for (NodeId o : nl.outputs()) {
    std::vector<Signal> bits;
    for (const Signal& s : nl.fanin(o)) bits.push_back(map[s.node][s.bit]);
    out.add_output(nl.name(o), bits);
  }
  for (NodeId r : regs)
    out.add_output(nl.name(r) + "@next",
                   {next_state(nl, r, out, map, state[r], nl.name(r) + "@next")});
  return out;
}

}  // namespace lutforge
