// Sequential equivalence by k-induction over signal correspondence (van Eijk's method; ABC's scorr
// and Yosys' equiv_induct work the same way).
//
// Both designs run side by side on the same inputs. Random simulation from the init state groups
// the nets of both designs (registers, internal nets, outputs and the constant) into candidate
// classes whose members always carry the same value or its complement. The candidates are then
// proved together by induction of depth k:
//   base: on every path of k cycles from the init state, every candidate holds in every cycle;
//   step: from any state at all, k cycles in which every candidate holds and no register state
//         repeats (simple-path strengthening) imply that they hold in the next cycle.
// A satisfying assignment of either check splits the classes it violates, and the check repeats
// until both are unsatisfiable. What remains holds in every reachable state, so the designs are
// equivalent when each compared output pair ends in one class with the same polarity. The
// candidates strengthen the induction: registers duplicated, merged, inverted or re-encoded on one
// side need no one-to-one correspondence, only nets that agree.
//
// Needs: netlists that pass verify(), ports matched by name (check_equivalence checks them).
// Guarantees: proved only with both checks complete; a counterexample only from the base check,
// which starts at the init state, so it is a real trace (the caller replays it).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlist/netlist.hpp"
#include "netlist/vectors.hpp"

namespace lutforge {

struct InductionParams {
  unsigned max_depth = 8;    // largest k tried: 1, 2, 4, ... up to it
  unsigned sim_cycles = 64;  // cycles of random simulation that propose the candidates
  unsigned sim_words = 4;    // 64-lane words simulated per cycle
  uint64_t seed = 1;
  int64_t conflict_limit = 200000;  // per SAT call; 0 = none
  size_t max_sat_calls = 20000;     // over all depths: each refines the classes once
  // The simple-path constraints cost one XOR per register and pair of cycles; above this many the
  // step runs without them (still sound, only weaker).
  size_t max_simple_path_xors = 4000000;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct InductionStats {
  unsigned depth = 0;      // the k of the last attempt
  size_t candidates = 0;   // nets in a class of two or more after simulation
  size_t classes = 0;      // classes left at the end of the last attempt
  size_t refinements = 0;  // satisfying assignments that split classes
  size_t sat_calls = 0;
};

struct InductionOutcome {
  enum class Verdict { Proved, Refuted, Unproved } verdict = Verdict::Unproved;
  VectorTable inputs;  // Refuted: input rows from the init state to the differing cycle
  std::string reason;  // Unproved: why
  InductionStats stats;
};

// Compares the outputs that both designs have (by name), cycle by cycle from the init state.
InductionOutcome prove_by_induction(const Netlist& a, const Netlist& b,
                                    const InductionParams& params = {});

}  // namespace lutforge
