#include "netlist/levels.hpp"

#include <algorithm>
#include <deque>

#include "base/error.hpp"

namespace lutforge {
namespace {

// Kahn's algorithm over the combinational pins. Returns the nodes in order; nodes on or behind a
// loop are missing from it.
// Kahn's order over the combinational pins, or with `through_registers` over every pin; shorter
// than the netlist when a loop remains.
std::vector<NodeId> topological_order(const Netlist& nl, bool through_registers) {
  const size_t n = nl.num_nodes();
  auto counts = [&](NodeId v, uint32_t pin) {
    return through_registers || is_combinational_pin(nl.cell(v), pin);
  };
  std::vector<uint32_t> pending(n, 0);
  for (NodeId v = 0; v < n; ++v) {
    const auto fanin = nl.fanin(v);
    for (uint32_t p = 0; p < fanin.size(); ++p)
      if (counts(v, p) && fanin[p].connected()) ++pending[v];
  }
  std::vector<NodeId> order;
  order.reserve(n);
  for (NodeId v = 0; v < n; ++v)
    if (pending[v] == 0) order.push_back(v);
  for (size_t i = 0; i < order.size(); ++i) {
    nl.foreach_fanout(order[i], [&](PinRef sink, uint32_t) {
      if (counts(sink.node, sink.pin) && --pending[sink.node] == 0) order.push_back(sink.node);
    });
  }
  return order;
}

std::vector<NodeId> combinational_order(const Netlist& nl) { return topological_order(nl, false); }

}  // namespace

std::vector<NodeId> find_combinational_loop(const Netlist& nl) {
  const auto order = combinational_order(nl);
  if (order.size() == nl.num_nodes()) return {};
  std::vector<char> done(nl.num_nodes(), 0);
  for (NodeId v : order) done[v] = 1;
  // Walk backwards from an unordered node through unordered combinational fanins until a node
  // repeats; the repeated stretch is a loop.
  NodeId start = 0;
  while (done[start]) ++start;
  std::vector<NodeId> path;
  std::vector<int> pos(nl.num_nodes(), -1);
  NodeId v = start;
  while (pos[v] < 0) {
    pos[v] = static_cast<int>(path.size());
    path.push_back(v);
    const auto fanin = nl.fanin(v);
    NodeId next = kNoNode;
    for (uint32_t p = 0; p < fanin.size(); ++p)
      if (is_combinational_pin(nl.cell(v), p) && fanin[p].connected() && !done[fanin[p].node]) {
        next = fanin[p].node;
        break;
      }
    if (next == kNoNode) return {start};  // cannot happen for a real loop
    v = next;
  }
  std::vector<NodeId> loop(path.begin() + pos[v], path.end());
  std::reverse(loop.begin(), loop.end());  // driver to sink order
  return loop;
}

Levels levelize(const Netlist& nl) {
  Levels lv;
  lv.order = combinational_order(nl);
  if (lv.order.size() != nl.num_nodes()) {
    const auto loop = find_combinational_loop(nl);
    throw Error("combinational loop through " + describe(nl, loop.front()));
  }
  const size_t n = nl.num_nodes();
  lv.level.assign(n, 0);
  for (NodeId v : lv.order) {
    const Cell& c = nl.cell(v);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Const>(c)) continue;
    uint32_t l = 0;
    const auto fanin = nl.fanin(v);
    for (uint32_t p = 0; p < fanin.size(); ++p)
      if (is_combinational_pin(c, p)) l = std::max(l, lv.level[fanin[p].node]);
    const bool counts = !std::holds_alternative<Output>(c) && !is_register(c);
    lv.level[v] = l + (counts ? 1 : 0);
  }
  for (NodeId v = 0; v < n; ++v) {
    const Cell& c = nl.cell(v);
    if (std::holds_alternative<Output>(c) || is_register(c))
      for (const Signal& s : nl.fanin(v)) lv.depth = std::max(lv.depth, lv.level[s.node]);
  }

  // Stages: longest register count from the inputs, and levels through the registers, in one
  // pass over an order of every edge, registers included. When a register reaches itself there
  // is no such order: the design has feedback, and stages are not meaningful (all 0).
  lv.stage.assign(n, 0);
  std::vector<uint32_t> through(n, 0);
  const std::vector<NodeId> full = topological_order(nl, true);
  const bool converged = full.size() == n;
  for (NodeId v : converged ? full : std::vector<NodeId>{}) {
    uint32_t s = 0, t = 0;
    for (const Signal& f : nl.fanin(v)) {
      if (!f.connected()) continue;
      s = std::max(s, lv.stage[f.node]);
      t = std::max(t, through[f.node]);
    }
    const Cell& c = nl.cell(v);
    if (is_register(c)) ++s;
    // A logic cell adds a level; a register or an output passes its level on.
    if (!is_register(c) && !std::holds_alternative<Output>(c) &&
        !std::holds_alternative<Input>(c) && !std::holds_alternative<Const>(c))
      ++t;
    lv.stage[v] = s;
    through[v] = t;
  }
  lv.has_feedback = !converged;
  for (NodeId o : nl.outputs()) {
    lv.num_stages = std::max(lv.num_stages, lv.stage[o]);
    if (!lv.has_feedback) lv.total_depth = std::max(lv.total_depth, through[o]);
  }
  return lv;
}

}  // namespace lutforge
