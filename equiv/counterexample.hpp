// Counterexamples: input rows from a SAT assignment, and their replay by the evaluator.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "equiv/equiv.hpp"

namespace lutforge {

// Input rows of cycles 0..frames-1 from an assignment over an unrolled design's ports "x@t".
VectorTable rows_from_unrolled(const Netlist& design,
                               const std::vector<std::pair<std::string, uint32_t>>& unified,
                               const std::vector<bool>& assignment, size_t frames);

// Simulates both designs on cex.inputs and fills the differing output bits at cex.cycle (B)
// against cex.cycle - latency (A), and the trace of differing same-named nets. False when nothing
// differs: the caller must not report such a counterexample.
bool describe_difference(const Netlist& a, const Netlist& b, int latency, Counterexample& cex);

}  // namespace lutforge
