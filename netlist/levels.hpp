// Levelization: a topological order of the combinational logic, the logic level of each node and
// the pipeline stage of each node.
//
// Needs: a netlist whose pins are all connected. Guarantees: in `order`, every node comes after
// the drivers of its combinational pins (registers, inputs and constants are sources, except a
// register's asynchronous reset pin). Throws Error on a combinational loop.
#pragma once

#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

struct Levels {
  std::vector<NodeId> order;    // every node, sources first
  std::vector<uint32_t> level;  // logic level: 0 for sources, 1 + max over combinational fanin
  std::vector<uint32_t> stage;  // registers passed on the longest register path from the inputs
  uint32_t depth = 0;           // the largest level of a node feeding an output or a register
  uint32_t num_stages = 0;      // the largest stage of an output port
  // The most logic levels on a path from an input to an output through the registers: the depth
  // of the design without its pipeline registers. 0 when there is feedback.
  uint32_t total_depth = 0;
  bool has_feedback = false;  // a register reaches itself; stages are then not meaningful
};

Levels levelize(const Netlist& nl);

// The nodes of one combinational loop in order, or empty when there is none.
std::vector<NodeId> find_combinational_loop(const Netlist& nl);

}  // namespace lutforge
