// The combinational core of the prover. Input ports are matched by name (a port on one side only
// is a free input); output ports are compared in the given pairs, bit by bit. Engines, cheapest
// first: random bit-parallel simulation; exhaustive simulation of the output cones whose input
// support is at most EquivParams::exhaustive_limit; SAT sweeping for the rest: nodes of B that
// simulate like nodes of A are proved equal (by cut enumeration, equiv/cuts.hpp, else by SAT on
// the shared CNF, equiv/cnf.hpp) and merged bottom-up, so that the outputs' own SAT calls are
// small.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "equiv/equiv.hpp"

namespace lutforge {

struct CombOutcome {
  EquivStatus status = EquivStatus::Equivalent;
  std::vector<bool> assignment;  // NotEquivalent: a counterexample over the unified input bits
  std::string reason;            // Undecided: why
  // The unified input bits (port name, bit): A's input ports, then the ports only B has.
  std::vector<std::pair<std::string, uint32_t>> unified;
};

// Adds the compared bits and the engines' counts to `stats`.
CombOutcome prove_combinational(const Netlist& a, const Netlist& b,
                                std::vector<std::pair<size_t, size_t>> outputs,
                                const EquivParams& p,
                                std::chrono::steady_clock::time_point deadline, EquivResult& stats);

}  // namespace lutforge
