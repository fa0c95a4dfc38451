// Netlist: cells connected bit by bit, stored in a boost::adjacency_list. A node is a cell (see
// cells.hpp); each input pin of a node holds one Signal, which names a driving node and one of its
// output bits, so a net has exactly one driver by construction. Graph edges mirror the pins and
// give fanout. Nodes are never removed: passes build a new netlist, which keeps NodeIds dense and
// iteration order deterministic.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "netlist/cells.hpp"

namespace lutforge {

using NodeId = uint32_t;
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();

// One output bit of a node.
struct Signal {
  NodeId node = kNoNode;
  uint32_t bit = 0;
  bool connected() const { return node != kNoNode; }
  friend bool operator==(const Signal&, const Signal&) = default;
  friend auto operator<=>(const Signal&, const Signal&) = default;
};

struct SignalHash {
  size_t operator()(const Signal& s) const { return (uint64_t{s.node} << 20) ^ s.bit; }
};

// A sink of a signal: input pin `pin` of node `node`.
struct PinRef {
  NodeId node;
  uint32_t pin;
};

class Netlist {
 public:
  Netlist() = default;
  // Boost's adjacency_list copies itself even when moved or swapped, so the graph is held by
  // pointer: a moved netlist hands over its graph, and a copy copies it.
  Netlist(const Netlist& o);
  Netlist& operator=(const Netlist& o);
  Netlist(Netlist&& o);
  Netlist& operator=(Netlist&& o);
  ~Netlist();

  // Ports. Names must be unique among ports; ports keep the order in which they were added.
  NodeId add_input(const std::string& name, uint32_t width);
  NodeId add_output(const std::string& name, const std::vector<Signal>& bits);
  // Any cell. Pins beyond fanin.size() stay unconnected until connect() is called.
  NodeId add_cell(Cell cell, const std::vector<Signal>& fanin = {}, const std::string& name = {});
  // Room for `nodes` nodes, and for `fanout` edges out of node n: only an allocation hint for
  // readers that know the sizes in advance.
  void reserve(size_t nodes);
  void reserve_fanout(NodeId n, size_t fanout);
  // Connects (or reconnects) an input pin.
  void connect(NodeId node, uint32_t pin, Signal driver);
  // The shared constant node of each value, created on first use.
  Signal constant(bool value);

  size_t num_nodes() const { return boost::num_vertices(*graph_); }
  const Cell& cell(NodeId n) const { return (*graph_)[n].cell; }
  std::span<const Signal> fanin(NodeId n) const { return (*graph_)[n].fanin; }
  const std::string& name(NodeId n) const { return (*graph_)[n].name; }
  void set_name(NodeId n, const std::string& name);

  const std::vector<NodeId>& inputs() const { return inputs_; }
  const std::vector<NodeId>& outputs() const { return outputs_; }
  // The port node of that name, or kNoNode.
  NodeId find_port(const std::string& name) const;

  // Every pin that reads any output bit of `n`, as (sink, pin, bit) in a deterministic order.
  template <typename F>
  void foreach_fanout(NodeId n, F&& f) const {
    const std::vector<Edge>& labels = (*graph_)[n].fanout;
    size_t i = 0;
    for (auto [it, end] = boost::out_edges(n, *graph_); it != end; ++it, ++i)
      f(PinRef{static_cast<NodeId>(boost::target(*it, *graph_)), labels[i].dst_pin},
        labels[i].src_bit);
  }
  size_t fanout_size(NodeId n) const { return boost::out_degree(n, *graph_); }

  // The design's name and its clock input (empty for a purely combinational design). The clock is
  // not one of inputs(): every register is clocked by it.
  const std::string& design_name() const { return design_name_; }
  void set_design_name(const std::string& s) { design_name_ = s; }
  const std::string& clock_name() const { return clock_name_; }
  void set_clock_name(const std::string& s) { clock_name_ = s; }

 private:
  // What an out-edge connects: output bit src_bit of its source to pin dst_pin of its target.
  struct Edge {
    uint32_t src_bit = 0;
    uint32_t dst_pin = 0;
  };
  // `fanout` labels the node's out-edges, in the order of Boost's out-edge vector. Boost would keep
  // an edge property in a heap block of its own per edge; with a pin per edge, that is most of
  // the allocations of a large netlist, and on a fresh process every one costs.
  struct Node {
    Cell cell;
    std::vector<Signal> fanin;
    std::string name;
    std::vector<Edge> fanout;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node>;

  // Takes o's content, and leaves o an empty, usable netlist.
  void take(Netlist& o);

  std::unique_ptr<Graph> graph_ = std::make_unique<Graph>();
  std::vector<NodeId> inputs_, outputs_;
  std::unordered_map<std::string, NodeId> port_index_;  // find_port's index, by port name
  NodeId const_nodes_[2] = {kNoNode, kNoNode};
  std::string design_name_, clock_name_;
};

// The structural invariants: every pin is connected to an existing output bit, pin counts match
// the cell parameters, parameters are sane, port names are unique and no combinational loop
// exists. Returns one message per problem, empty when the netlist is sound.
std::vector<std::string> verify(const Netlist& nl);
// Throws Error with the first problems when verify() finds any. `what` names the netlist.
void verify_or_throw(const Netlist& nl, const std::string& what);

// The width of an input or output port node.
uint32_t port_width(const Netlist& nl, NodeId port);

// A readable name of a node for messages: its name, or its kind and id.
std::string describe(const Netlist& nl, NodeId n);

// The value of `s` when a Const cell drives it.
std::optional<bool> constant_of(const Netlist& nl, Signal s);

// Sizes of the netlist by cell kind.
struct CellCounts {
  size_t by_kind[kNumCellKinds] = {};
  size_t lut_by_size[TruthTable::kMaxVars + 1] = {};
};
CellCounts count_cells(const Netlist& nl);

// How the sum of Adder cell n is built two operands at a time, in operand order: one step per
// operand after the first, adding it to the partial sum of those before it, both at the cell's
// width. In a step, one side is constant zero in bits [0, low): those bits of the step's sum are
// the other side's (the partial sum's when `low_from_sum`), and only bits [low, width) need an
// adder (an operand shifted left, as a requantizer's shift-and-add multiplier makes them). A step
// with a side that is all constant is `constant`: synthesis folds it into a carry chain without
// LUTs. The Verilog writer (VerilogParams::adder_modules) writes each step so, and the pruning
// cost model counts width - low LUTs for each step that is not constant.
struct AdderStep {
  uint32_t low = 0;
  bool low_from_sum = false;
  bool constant = false;
};
std::vector<AdderStep> adder_steps(const Netlist& nl, NodeId n);

}  // namespace lutforge
