#include "equiv/counterexample.hpp"

#include <algorithm>
#include <unordered_map>

#include "equiv/stimulus.hpp"
#include "netlist/eval.hpp"
#include "netlist/levels.hpp"

namespace lutforge {

// Input rows of cycles 0..frames-1 from an assignment over an unrolled design's ports "x@t".
VectorTable rows_from_unrolled(const Netlist& design,
                               const std::vector<std::pair<std::string, uint32_t>>& unified,
                               const std::vector<bool>& assignment, size_t frames) {
  VectorTable t = input_table(design);
  t.rows.assign(frames, {});
  for (auto& row : t.rows)
    for (uint32_t w : t.widths) row.emplace_back((w + 63) / 64, 0);
  for (size_t u = 0; u < unified.size(); ++u) {
    if (!assignment[u]) continue;
    const auto& [port, bit] = unified[u];
    const auto at = port.rfind('@');
    if (at == std::string::npos) continue;
    const size_t frame = std::stoul(port.substr(at + 1));
    const std::string base = port.substr(0, at);
    for (size_t c = 0; c < t.names.size(); ++c)
      if (t.names[c] == base && frame < frames)
        t.rows[frame][c][bit / 64] |= uint64_t{1} << (bit % 64);
  }
  return t;
}

// Simulates both designs on `rows` and fills the differing output bits at `cycle` (B) against
// cycle - latency (A), and the trace of differing same-named nets. False when nothing differs.
bool describe_difference(const Netlist& a, const Netlist& b, int latency, Counterexample& cex) {
  cex.differing.clear();
  cex.trace.clear();
  const size_t cycles = cex.inputs.rows.size();
  if (cycles == 0 || cex.cycle >= cycles || static_cast<int>(cex.cycle) < latency) return false;
  Evaluator ea(a, 1), eb(b, 1);
  const size_t ta = cex.cycle - latency, tb = cex.cycle;
  std::vector<uint64_t> av, bv;  // values of all named single-bit nodes at the compared cycles
  auto apply = [&](Evaluator& e, const Netlist& nl, size_t t) {
    const auto& row = cex.inputs.rows[t];
    for (size_t i = 0; i < nl.inputs().size(); ++i) {
      const NodeId n = nl.inputs()[i];
      const size_t col = std::find(cex.inputs.names.begin(), cex.inputs.names.end(), nl.name(n)) -
                         cex.inputs.names.begin();
      for (uint32_t k = 0; k < port_width(nl, n); ++k)
        e.input(i, k)[0] = col < row.size() && ((row[col][k / 64] >> (k % 64)) & 1) ? 1 : 0;
    }
    e.eval();
  };
  const std::vector<size_t> out_b = match_ports(a, a.outputs(), b, b.outputs());
  for (size_t t = 0; t <= tb; ++t) {
    if (t <= ta) apply(ea, a, t);
    apply(eb, b, t);
    if (t == tb) {
      for (size_t i = 0; i < a.outputs().size(); ++i) {
        const size_t jb = out_b[i];
        if (jb >= b.outputs().size()) continue;
        for (uint32_t k = 0; k < port_width(a, a.outputs()[i]); ++k) {
          const bool x = ea.output(i, k)[0] & 1, y = eb.output(jb, k)[0] & 1;
          if (x != y) cex.differing.push_back({a.name(a.outputs()[i]), k, x, y});
        }
      }
      if (latency == 0) {
        // The first same-named nets that differ, by logic level of A.
        const Levels lv = levelize(a);
        std::unordered_map<std::string, NodeId> in_b;
        for (NodeId n = 0; n < b.num_nodes(); ++n)
          if (!b.name(n).empty() && num_output_bits(b.cell(n)) == 1) in_b.emplace(b.name(n), n);
        std::vector<std::pair<uint32_t, NodeId>> diffs;
        for (NodeId n = 0; n < a.num_nodes(); ++n) {
          if (a.name(n).empty() || num_output_bits(a.cell(n)) != 1 ||
              std::holds_alternative<Input>(a.cell(n)))
            continue;
          auto it = in_b.find(a.name(n));
          if (it == in_b.end()) continue;
          if ((ea.value({n, 0})[0] & 1) != (eb.value({it->second, 0})[0] & 1))
            diffs.emplace_back(lv.level[n], n);
        }
        std::sort(diffs.begin(), diffs.end());
        for (size_t i = 0; i < diffs.size() && i < 5; ++i)
          cex.trace.push_back({a.name(diffs[i].second), bool(ea.value({diffs[i].second, 0})[0] & 1),
                               !(ea.value({diffs[i].second, 0})[0] & 1)});
      }
    }
    if (t < ta) ea.step();
    if (t < tb) eb.step();
  }
  return !cex.differing.empty();
}

}  // namespace lutforge
