#include "netlist/netlist.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>

#include "base/error.hpp"
#include "netlist/levels.hpp"
#include "netlist/overloaded.hpp"

namespace lutforge {

Netlist::Netlist(const Netlist& o)
    : graph_(std::make_unique<Graph>(*o.graph_)),
      inputs_(o.inputs_),
      outputs_(o.outputs_),
      port_index_(o.port_index_),
      const_nodes_{o.const_nodes_[0], o.const_nodes_[1]},
      design_name_(o.design_name_),
      clock_name_(o.clock_name_) {}

Netlist& Netlist::operator=(const Netlist& o) {
  if (this != &o) *this = Netlist(o);
  return *this;
}

void Netlist::take(Netlist& o) {
  graph_ = std::exchange(o.graph_, std::make_unique<Graph>());
  inputs_ = std::exchange(o.inputs_, {});
  outputs_ = std::exchange(o.outputs_, {});
  port_index_ = std::exchange(o.port_index_, {});
  const_nodes_[0] = std::exchange(o.const_nodes_[0], kNoNode);
  const_nodes_[1] = std::exchange(o.const_nodes_[1], kNoNode);
  design_name_ = std::exchange(o.design_name_, {});
  clock_name_ = std::exchange(o.clock_name_, {});
}

Netlist::Netlist(Netlist&& o) { take(o); }

Netlist& Netlist::operator=(Netlist&& o) {
  if (this != &o) take(o);
  return *this;
}

Netlist::~Netlist() = default;

NodeId Netlist::add_input(const std::string& name, uint32_t width) {
  if (find_port(name) != kNoNode) throw Error("port '" + name + "' is declared twice");
  const NodeId n = add_cell(Input{width}, {}, name);
  inputs_.push_back(n);
  port_index_.emplace(name, n);
  return n;
}

NodeId Netlist::add_output(const std::string& name, const std::vector<Signal>& bits) {
  if (find_port(name) != kNoNode) throw Error("port '" + name + "' is declared twice");
  const NodeId n = add_cell(Output{static_cast<uint32_t>(bits.size())}, bits, name);
  outputs_.push_back(n);
  port_index_.emplace(name, n);
  return n;
}

NodeId Netlist::add_cell(Cell cell, const std::vector<Signal>& fanin, const std::string& name) {
  const uint32_t pins = num_input_pins(cell);
  assert(fanin.size() <= pins);
  const NodeId n =
      static_cast<NodeId>(boost::add_vertex(Node{std::move(cell), {}, name, {}}, *graph_));
  // The first constant node of each value becomes the shared one, so that a netlist read back
  // from a file reuses its own constants.
  if (const auto* k = std::get_if<Const>(&(*graph_)[n].cell);
      k && const_nodes_[k->value] == kNoNode)
    const_nodes_[k->value] = n;
  (*graph_)[n].fanin.assign(pins, Signal{});
  for (uint32_t p = 0; p < fanin.size(); ++p)
    if (fanin[p].connected()) connect(n, p, fanin[p]);
  return n;
}

void Netlist::reserve(size_t nodes) {
  // adjacency_list has no reserve of its own; its vertex vector is a public member.
  graph_->m_vertices.reserve(nodes);
}

void Netlist::reserve_fanout(NodeId n, size_t fanout) {
  graph_->out_edge_list(n).reserve(fanout);
  (*graph_)[n].fanout.reserve(fanout);
}

void Netlist::connect(NodeId node, uint32_t pin, Signal driver) {
  assert(node < num_nodes() && pin < (*graph_)[node].fanin.size());
  assert(driver.connected() && driver.node < num_nodes());
  Signal& slot = (*graph_)[node].fanin[pin];
  if (slot.connected()) {
    // Remove the one out-edge of the old driver that ends at this pin, and its label.
    const NodeId old = slot.node;
    std::vector<Edge>& labels = (*graph_)[old].fanout;
    size_t i = 0, gone = labels.size();
    for (auto [it, end] = boost::out_edges(old, *graph_); it != end; ++it, ++i)
      if (boost::target(*it, *graph_) == node && labels[i].dst_pin == pin) gone = i;
    if (gone == labels.size())  // every connected pin has its edge; this is a bug if reached
      throw std::logic_error("Netlist::connect: the edge of a connected pin is missing");
    // The out-edge list is a vector, and remove_out_edge_if is std::remove_if over it, which
    // visits the edges in order.
    size_t j = 0;
    boost::remove_out_edge_if(
        old, [&](const Graph::edge_descriptor&) { return j++ == gone; }, *graph_);
    labels.erase(labels.begin() + static_cast<std::ptrdiff_t>(gone));
    assert(boost::out_degree(old, *graph_) == labels.size());
  }
  slot = driver;
  boost::add_edge(driver.node, node, *graph_);
  (*graph_)[driver.node].fanout.push_back(Edge{driver.bit, pin});
}

Signal Netlist::constant(bool value) {
  NodeId& n = const_nodes_[value];
  if (n == kNoNode) add_cell(Const{value}, {}, value ? "$const1" : "$const0");
  return Signal{n, 0};
}

NodeId Netlist::find_port(const std::string& name) const {
  const auto it = port_index_.find(name);
  return it == port_index_.end() ? kNoNode : it->second;
}

void Netlist::set_name(NodeId n, const std::string& name) {
  std::string& old = (*graph_)[n].name;
  if (const auto it = port_index_.find(old); it != port_index_.end() && it->second == n) {
    port_index_.erase(it);
    port_index_.emplace(name, n);
  }
  old = name;
}

std::optional<bool> constant_of(const Netlist& nl, Signal s) {
  if (const auto* k = std::get_if<Const>(&nl.cell(s.node))) return k->value;
  return std::nullopt;
}

std::string describe(const Netlist& nl, NodeId n) {
  const std::string& name = nl.name(n);
  if (!name.empty()) return "'" + name + "'";
  return std::string(kind_name(nl.cell(n))) + " #" + std::to_string(n);
}

std::vector<std::string> verify(const Netlist& nl) {
  std::vector<std::string> problems;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& c = nl.cell(n);
    const auto fanin = nl.fanin(n);
    if (fanin.size() != num_input_pins(c)) {
      problems.push_back("cell " + describe(nl, n) + " has " + std::to_string(fanin.size()) +
                         " pins, expected " + std::to_string(num_input_pins(c)));
      continue;
    }
    for (uint32_t p = 0; p < fanin.size(); ++p) {
      const Signal s = fanin[p];
      if (!s.connected()) {
        problems.push_back("pin " + pin_name(c, p) + " of cell " + describe(nl, n) +
                           " is undriven");
      } else if (s.node >= nl.num_nodes() || s.bit >= num_output_bits(nl.cell(s.node))) {
        problems.push_back("pin " + pin_name(c, p) + " of cell " + describe(nl, n) +
                           " reads a bit that does not exist");
      }
    }
    auto problem_if = [&](bool bad, const std::string& what) {
      if (bad) problems.push_back(std::string(kind_name(c)) + " " + describe(nl, n) + " " + what);
    };
    std::visit(
        Overloaded{
            [&](const Input& i) { problem_if(i.width == 0, "has width 0"); },
            [&](const Output& o) { problem_if(o.width == 0, "has width 0"); },
            [&](const Const&) {},
            [&](const Lut&) {},
            [&](const Gate& g) { problem_if(g.id > 15, "has a gate id outside 0..15"); },
            [&](const Adder& a) {
              problem_if(a.operands.empty() || a.width == 0,
                         "needs at least one operand and a width");
            },
            [&](const ArgMax& a) {
              problem_if(a.count < 1 || a.width == 0, "needs at least one word and a width");
            },
            [&](const PackedDsp& d) {
              problem_if(d.p_width == 0 || d.p_width > 128, "needs an output width of 1..128");
              problem_if(d.a_width == 0 || d.b_width == 0,
                         "needs multiplier operands A and B of at least one bit");
              problem_if(
                  d.pre_add != PackedDsp::PreAdd::None && (d.ad_width == 0 || d.ad_width > 128),
                  "has a pre-adder and needs a pre-adder width of 1..128");
              problem_if(d.pre_add == PackedDsp::PreAdd::None && d.d_width != 0,
                         "has a D operand but no pre-adder");
            },
            [&](const Rom& r) {
              problem_if(r.addr_width == 0 || r.addr_width > Rom::kMaxAddrWidth,
                         "needs an address width of 1.." + std::to_string(Rom::kMaxAddrWidth));
              problem_if(r.data.empty(), "needs a word width of at least one bit");
              for (const TruthTable& t : r.data)
                if (t.num_vars() != r.addr_width) {
                  problem_if(true, "has a data bit that is not a function of its " +
                                       std::to_string(r.addr_width) + " address bits");
                  break;
                }
            },
            [&](const Dff&) {},
        },
        c);
  }
  for (size_t i = 0; i < nl.outputs().size(); ++i)
    for (size_t j = 0; j < nl.inputs().size(); ++j)
      if (nl.name(nl.outputs()[i]) == nl.name(nl.inputs()[j]))
        problems.push_back("port name '" + nl.name(nl.outputs()[i]) + "' is used twice");
  if (problems.empty()) {
    const auto loop = find_combinational_loop(nl);
    if (!loop.empty()) {
      std::string msg = "combinational loop through ";
      for (size_t i = 0; i < loop.size() && i < 8; ++i)
        msg += (i ? " -> " : "") + describe(nl, loop[i]);
      if (loop.size() > 8) msg += " -> ...";
      problems.push_back(msg);
    }
  }
  return problems;
}

void verify_or_throw(const Netlist& nl, const std::string& what) {
  const auto problems = verify(nl);
  if (problems.empty()) return;
  std::string msg = what + ": " + problems.front();
  if (problems.size() > 1)
    msg += " (and " + std::to_string(problems.size() - 1) + " more problems)";
  throw Error(msg);
}

CellCounts count_cells(const Netlist& nl) {
  CellCounts c;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& cell = nl.cell(n);
    ++c.by_kind[cell.index()];
    if (const auto* l = std::get_if<Lut>(&cell)) ++c.lut_by_size[l->function.num_vars()];
  }
  return c;
}

std::vector<AdderStep> adder_steps(const Netlist& nl, NodeId n) {
  const auto& a = std::get<Adder>(nl.cell(n));
  const auto pins = nl.fanin(n);
  auto is_const = [&](Signal s) { return std::holds_alternative<Const>(nl.cell(s.node)); };
  auto is_zero = [&](Signal s) { return is_const(s) && !std::get<Const>(nl.cell(s.node)).value; };
  std::vector<AdderStep> steps;
  uint32_t at = 0;
  uint32_t sum_zeros = 0;  // the partial sum is constant zero in bits [0, sum_zeros)
  bool sum_const = false;
  for (size_t i = 0; i < a.operands.size(); ++i) {
    const Adder::Operand& op = a.operands[i];
    const uint32_t used = std::min(op.width, a.width);
    uint32_t zeros = 0;  // the operand, extended to the width, is zero in bits [0, zeros)
    while (zeros < used && is_zero(pins[at + zeros])) ++zeros;
    if (zeros == used) zeros = a.width;  // zero, and so is its extension
    bool constant = true;
    for (uint32_t b = 0; b < used; ++b) constant = constant && is_const(pins[at + b]);
    at += op.width;
    if (i == 0) {
      sum_zeros = zeros;
      sum_const = constant;
      continue;
    }
    AdderStep step;
    step.constant = constant || sum_const;
    step.low = std::max(sum_zeros, zeros);
    step.low_from_sum = zeros >= sum_zeros;
    steps.push_back(step);
    sum_zeros = std::min(sum_zeros, zeros);
    sum_const = sum_const && constant;
  }
  return steps;
}

uint32_t port_width(const Netlist& nl, NodeId port) {
  return std::max(num_output_bits(nl.cell(port)), num_input_pins(nl.cell(port)));
}

}  // namespace lutforge
