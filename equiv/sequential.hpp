// The sequential helpers of the prover that simulate from the init state: the search for a
// difference, the latency of B against A, and the pairing of registers by their value sequences.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  bool complete = false;  // every register of B has a partner in A, and every one of A is used
  std::unordered_map<NodeId, std::pair<std::string, bool>>
      b_rename;  // B register -> (A name, inverted)
  // A registers that B has merged into their twins (synthesis merges registers with one D):
  // (the duplicate, its twin in A that has a partner in B).
  std::vector<std::pair<NodeId, NodeId>> a_merge;
  // A registers that B has removed because they hold their init value in every cycle (synthesis
  // removes a register whose D is the constant it starts with): (the register, that value).
  std::vector<std::pair<NodeId, bool>> a_constant;
};

// Registers of B that did not match A's by name are paired with A's by their value sequences in
// random simulation from the init state: equal sequences pair directly, complementary ones with
// inverted polarity. A registers left over that never left their init value, and whose next state
// holds it from random states, count as constants (a_constant); the others pair with a used one of
// the same sequence and init, as duplicates (a_merge), preferring one whose next state agrees with
// theirs from random states (the constants held): a rare value on a shared input can give other
// registers the same sequence. The pairing is only a guess; the proof that follows checks it.
RegisterMatch match_registers(const Netlist& a, const Netlist& b, const EquivParams& p);

// B with its registers renamed, and the inverted ones stored with the opposite polarity, so that
// every register holds the same value as its partner in A. For each duplicate of A, a register of
// that name with the D pins of its twin's partner (its Q unread): the proof then checks that the
// duplicate's next state is its twin's. For each constant of A, a register of that name with that
// init and D tied to it (its Q unread): the proof checks that the constant's next state is that
// value.
Netlist apply_register_match(const Netlist& b, const RegisterMatch& m, const Netlist& a);

// A with the readers of each duplicate register reading its twin instead, and those of each
// constant register reading its value (the register stays, its Q unread). Equal to A from the init
// state when the duplicates and their twins start equal and have the same next state in every
// state where they are equal, and each constant's next state is its init value in every state
// where the registers correspond, which the register correspondence of merge_duplicates(A) and
// apply_register_match(B) proves.
Netlist merge_duplicates(const Netlist& a, const RegisterMatch& m);

}  // namespace lutforge
