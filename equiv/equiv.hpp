// Equivalence checking of two netlists.
//
// Ports are matched by name and bit. Three cases (with registers, on the parts of both designs
// that reach an output: registers that nothing reads, which synthesis removes, take no part):
//   - neither design has registers: the outputs are compared as combinational functions;
//   - both have the same registers by name: registers become cut points, and the outputs and
//     next-state functions are compared (register correspondence); a difference is confirmed
//     by a reachable counterexample from the init state before it is reported;
//   - otherwise, for designs without feedback: both are unrolled, and the outputs of B at cycle
//     t + L are compared with those of A at cycle t, for a latency L given or found by simulation;
//   - where register correspondence is not inductive, or registers do not correspond and a
//     design has feedback: k-induction over signal correspondence (equiv/induction.hpp).
// Engines, cheapest first: random bit-parallel simulation, exhaustive simulation of every output
// cone whose input support is small enough, and SAT (CaDiCaL) with SAT sweeping for the rest.
//
// Needs: netlists that pass verify(). Guarantees: Equivalent only with a complete proof of every
// output bit; NotEquivalent only with a counterexample that the evaluator reproduces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlist/netlist.hpp"
#include "netlist/vectors.hpp"

namespace lutforge {

struct EquivParams {
  uint64_t seed = 1;
  unsigned random_rounds = 16;      // rounds of 4096 random vectors
  unsigned exhaustive_limit = 22;   // largest input support proved by enumeration
  int64_t conflict_limit = 200000;  // per SAT call; 0 = none
  double time_limit = 0;            // seconds for the whole check; 0 = none
  int latency = -1;                 // fixed latency of B against A; -1 = find it when needed
  unsigned max_latency = 16;
  unsigned sequential_cycles = 300;  // random simulation depth when confirming a counterexample
  unsigned bmc_depth = 6;            // SAT unrolling depth when confirming a counterexample
  unsigned induction_depth = 8;      // largest k of the k-induction
  // Ports that may exist on one side only (such as the valid ports a pipeline adds): an input
  // there is left free, an output is not compared.
  std::vector<std::string> ignore_ports;
};

enum class EquivStatus { Equivalent, NotEquivalent, Undecided };
const char* status_name(EquivStatus s);

// How the two designs were compared, from their registers:
//   Combinational: neither has registers; the outputs are compared as functions.
//   RegisterCorrespondence: registers paired by name (or by simulation); the outputs and the
//     next-state functions are compared with the paired registers as cut points.
//   Latency: the registers do not correspond and neither design has feedback; both are unrolled
//     and B's outputs at t + latency are compared with A's at t.
//   Induction: register correspondence was not inductive, or the registers do not correspond and
//     a design has feedback; k-induction over candidate equivalences of the nets of both designs
//     decided it (or a bounded search from reset refuted it).
//   Bounded: as Induction, but with a latency other than 0, where only a bounded search from
//     reset is done, so the result is NotEquivalent or Undecided.
enum class EquivMode { Combinational, RegisterCorrespondence, Latency, Induction, Bounded };
// The mode's name in reports and on the command line: "combinational", "register
// correspondence", "latency", "k-induction" or "bounded".
const char* mode_name(EquivMode m);

struct Counterexample {
  size_t cycle = 0;    // the cycle of B at which an output differs (A's is cycle - latency)
  VectorTable inputs;  // the input rows of cycles 0..cycle, shared by A and B
  struct Bit {
    std::string port;
    uint32_t bit;
    bool a, b;
  };
  std::vector<Bit> differing;  // the output bits that differ
  struct Net {
    std::string name;
    bool a, b;
  };
  std::vector<Net> trace;  // the first same-named internal nets that differ, by logic level
};

struct EquivResult {
  EquivStatus status = EquivStatus::Undecided;
  EquivMode mode = EquivMode::Combinational;
  int latency = 0;
  size_t outputs = 0;               // compared bits, including next-state functions
  size_t proved_by_simulation = 0;  // constant-equal outputs proved structurally or by enumeration
  size_t proved_by_enumeration = 0;
  size_t proved_by_sat = 0;
  size_t sat_calls = 0;
  size_t merged_by_sweeping = 0;    // internal equivalences proved and merged
  size_t merged_by_cut = 0;         // of those, proved by enumerating a small cut rather than SAT
  unsigned induction_depth = 0;     // Induction: the k that decided it
  size_t induction_candidates = 0;  // Induction: nets in candidate classes after simulation
  size_t induction_classes = 0;     // Induction: classes proved
  std::optional<Counterexample> counterexample;
  std::string reason;  // why the result is Undecided, or a note
  double seconds = 0;
};

// Throws Error when the ports do not match (names, widths) or a design is not supported.
EquivResult check_equivalence(const Netlist& a, const Netlist& b, const EquivParams& params = {});

// Unrolls a design into a combinational netlist over `frames` cycles: input ports "x@t", output
// ports "y@t" for t in 0..frames-1, registers starting at their init value.
Netlist unroll(const Netlist& nl, unsigned frames);

// Replaces every register by a cut point: an input port "NAME@q" for its state and an output
// port "NAME@next" for its next-state function. Register names must be unique and non-empty.
Netlist cut_registers(const Netlist& nl);

}  // namespace lutforge
