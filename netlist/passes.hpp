// Netlist passes. Each takes a netlist and returns a new one with the same ports, clock and
// registers' behaviour, and the same function at every output on every cycle.
//
// Needs: a netlist that passes verify(). Guarantees: the result passes verify(); node order is
// inputs, registers, combinational cells in topological order, outputs, so the result is
// deterministic.
#pragma once

#include <cstddef>
#include <string>

#include "netlist/netlist.hpp"

namespace lutforge {

struct PassStats {
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  size_t rewritten = 0;  // cells whose function or fanin the pass changed or removed
};

// Removes every cell that no output port reaches, through registers included.
Netlist sweep(const Netlist& nl, PassStats* stats = nullptr);

// Folds constant inputs into LUTs and gates, merges a LUT's repeated inputs, drops inputs a
// function does not depend on, and replaces cells whose result becomes constant or a plain copy
// of an input. Ends with sweep.
Netlist propagate_constants(const Netlist& nl, PassStats* stats = nullptr);

// Bypasses buffers (1-input identity LUTs) everywhere and absorbs inverters (1-input NOT LUTs)
// into the LUTs and gates that read them. Ends with sweep.
Netlist fold_buffers(const Netlist& nl, PassStats* stats = nullptr);

// Decomposes every LUT of more than max_k inputs (max_k >= 3) into a tree of LUTs of at most
// max_k inputs: Shannon decomposition on the highest inputs (two at a time into a 4:1 mux LUT
// when max_k >= 6, else one into a 2:1 mux), with inputs outside each cofactor's support dropped
// and equal cofactors built once. Ends with sweep.
Netlist decompose_luts(const Netlist& nl, unsigned max_k = 6, PassStats* stats = nullptr);

struct PipelineParams {
  unsigned levels_per_stage = 1;        // logic levels between two register ranks
  std::string valid_in = "valid_in";    // the valid input port
  std::string valid_out = "valid_out";  // the valid output port, valid_in delayed by the latency
  std::string clock = "clk";
};

// Registers a combinational netlist: every cell gets the stage ceil(level / levels_per_stage),
// and every signal is delayed by registers to the stage of each reader (outputs read at the last
// stage), so that every input-to-output path crosses the same number of registers, the latency.
// A valid bit travels beside the data. Throws Error when the netlist already has registers or
// uses the valid port names.
Netlist pipeline(const Netlist& nl, const PipelineParams& params, unsigned* latency = nullptr);

}  // namespace lutforge
