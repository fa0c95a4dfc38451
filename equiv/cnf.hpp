// The CNF encoding that every SAT-based engine of the prover shares: one CaDiCaL solver, Tseitin
// clauses for the evaluator's bitwise operations, and structural hashing, so that an operation on
// the same literals as an earlier one (of either design, in any frame) is the same variable.
//
// Literals are DIMACS style: a variable v > 0, its negation -v. false_lit() is a variable fixed to
// false; its negation is true.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "netlist/eval.hpp"

namespace CaDiCaL {
class Solver;
}

namespace lutforge {

// A SAT call's answer, with CaDiCaL's codes.
enum class SatResult { Satisfiable = 10, Unsatisfiable = 20, Unknown = 0 };

// Whether operation `op` reads its second and third operands.
bool op_reads_b(Program::Op op);
bool op_reads_c(Program::Op op);

class Cnf {
 public:
  using Op = Program::Op;
  // The operation that defines a variable made by gate(), for cut enumeration.
  struct Def {
    Op op = Op::Copy;
    int a = 0, b = 0, c = 0;  // operand literals; 0 where the operation has fewer
    bool defined = false;
  };

  Cnf();
  ~Cnf();
  Cnf(const Cnf&) = delete;
  Cnf& operator=(const Cnf&) = delete;

  int new_var();
  int false_lit() const { return false_; }
  // The literal of op(a, b, c), structurally hashed after rewriting to And, Xor, Xor3, Mux and
  // Maj (Not and Copy are literals) and simplifying constant and repeated operands. Lut is not
  // encodable (scalar programs only).
  int gate(Op op, int a, int b = 0, int c = 0);
  void add(std::initializer_list<int> lits);
  void add(const std::vector<int>& lits);
  void equate(int x, int y);  // x <-> y

  // Solves under `assumptions`, with a conflict limit (0 = none) for this call only.
  SatResult solve(const std::vector<int>& assumptions, int64_t conflict_limit = 0);
  // solve() gives up (Unknown) once this time has passed, even inside a call without a conflict
  // limit; without it, solve() runs to its conflict limit.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    deadline_ = deadline;
  }
  // The value of a literal in the last satisfying assignment.
  bool value(int lit) const;

  const Def& def(int var) const;
  bool defined(int var) const;
  size_t calls() const { return calls_; }

 private:
  int hashed(Op op, int a, int b, int c);  // a new variable for op(a, b, c) unless hashed before
  void clauses(Op op, int d, int a, int b, int c);

  struct KeyHash {
    size_t operator()(const std::array<int, 4>& k) const;
  };
  std::unique_ptr<CaDiCaL::Solver> solver_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::unordered_map<std::array<int, 4>, int, KeyHash> strash_;
  std::vector<Def> defs_;  // by variable
  int num_vars_ = 0;
  int false_ = 0;
  size_t calls_ = 0;
};

// Encodes one clock cycle of a compiled program (compiled without reuse_temporaries, so that every
// instruction writes a slot of its own). `slots` holds a literal per slot: on entry those of the
// constants, the inputs and the register states; on return also those of every combinational slot
// and of the registers' staging slots (their next state).
void encode_cycle(Cnf& cnf, const Program& prog, std::vector<int>& slots);

}  // namespace lutforge
