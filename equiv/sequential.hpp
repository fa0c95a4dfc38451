// The sequential helpers of the prover that simulate from the init state: the search for a
// difference, the latency of B against A, and the pairing of registers by their value sequences.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>

#include "equiv/equiv.hpp"

namespace lutforge {

// Random sequences from the init state (EquivParams::sequential_cycles cycles, several rounds
// with fresh input densities); B at t against A at t - latency. Fills cex on a difference, which
// the caller confirms with describe_difference.
bool sequential_search(const Netlist& a, const Netlist& b, int latency, const EquivParams& p,
                       Counterexample& cex);

// The smallest latency up to EquivParams::max_latency at which B follows A on random sequences,
// or -1.
int find_latency(const Netlist& a, const Netlist& b, const EquivParams& p);

struct RegisterMatch {
  bool complete = false;  // every register of B has a partner in A
  std::unordered_map<NodeId, std::pair<std::string, bool>>
      b_rename;  // B register -> (A name, inverted)
};

// Registers of B that did not match A's by name are paired with A's by their value sequences in
// random simulation from the init state: equal sequences pair directly, complementary ones with
// inverted polarity. The pairing is only a guess; the proof that follows checks it.
RegisterMatch match_registers(const Netlist& a, const Netlist& b, const EquivParams& p);

// B with its registers renamed, and the inverted ones stored with the opposite polarity, so that
// every register holds the same value as its partner in A.
Netlist apply_register_match(const Netlist& b, const RegisterMatch& m);

}  // namespace lutforge
