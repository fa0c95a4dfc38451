// Bit-parallel evaluation. The netlist is compiled once into a flat program of bitwise operations
// on 64-bit words (a LUT becomes a Shannon decomposition with shared sub-functions; adders,
// comparators and DSPs become bit-sliced full adders and multiplexers). Each signal holds `words`
// 64-bit words, so one run evaluates 64 x words independent input vectors (lanes).
//
// Needs: a netlist that passes verify(). Guarantees: eval() gives every signal its value for the
// current inputs and register states; step() then applies one rising clock edge to all registers,
// with the semantics documented on Dff.
#pragma once

#include <cstdint>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

// A netlist compiled to operations on slots. Slots 0 and 1 hold the constants 0 and 1; every
// output bit of every node has a slot; a register has a state slot (its Q, or the value behind
// an asynchronous reset) and a staging slot that `next` computes.
struct Program {
  // Lut is a table lookup, in scalar programs and in vector programs compiled with
  // CompileParams::lut_ops: a = first of its six input slots in lut_pins (padded with the
  // constant 0 slot), b = its table in lut_tables, c = its inputs.
  enum class Op : uint8_t {
    And,
    Or,
    Xor,
    AndNot,
    OrNot,
    Nand,
    Nor,
    Xnor,
    Not,
    Copy,
    Mux,
    Maj,
    Xor3,
    Lut
  };
  struct Instr {
    Op op;
    uint32_t dst, a, b, c;  // AndNot: a & ~b; OrNot: a | ~b; Mux: c ? b : a
  };
  struct Register {
    NodeId node;
    uint32_t state, staging;
    bool init;
  };
  static constexpr uint32_t kZero = 0, kOne = 1;

  std::vector<Instr> comb;  // combinational logic, in topological order
  std::vector<Instr> next;  // next-state functions into the staging slots
  std::vector<Register> registers;
  std::vector<std::vector<uint32_t>> input_slots, output_slots, signal_slots;
  uint32_t num_slots = 2;
  bool scalar = false;             // compiled with CompileParams::scalar
  std::vector<uint32_t> lut_pins;  // input slots of Lut instructions
  std::vector<uint64_t> lut_tables;
};

// Operation `op` on operands of any unsigned type, bit by bit. Lut is not bitwise (it reads its
// pins and table, not a, b and c); callers handle it, and here it gives 0.
template <typename T>
constexpr T apply_op(Program::Op op, T a, T b, T c) {
  using Op = Program::Op;
  switch (op) {
    case Op::And: return a & b;
    case Op::Or: return a | b;
    case Op::Xor: return a ^ b;
    case Op::AndNot: return a & ~b;
    case Op::OrNot: return a | ~b;
    case Op::Nand: return ~(a & b);
    case Op::Nor: return ~(a | b);
    case Op::Xnor: return ~(a ^ b);
    case Op::Not: return ~a;
    case Op::Copy: return a;
    case Op::Mux: return a ^ ((a ^ b) & c);
    case Op::Maj: return (a & b) | (c & (a | b));
    case Op::Xor3: return a ^ b ^ c;
    case Op::Lut: break;
  }
  return T{0};
}

struct CompileParams {
  // Reuse one scratch region for every cell's temporaries (fast, small). Without it every
  // instruction writes a slot of its own, as the CNF encoding needs.
  bool reuse_temporaries = true;
  // For simulating one sample at a time with ScalarEvaluator: LUTs of 3 to 6 inputs become one
  // table lookup instead of a Shannon decomposition.
  bool scalar = false;
  // For simulating many vectors with Evaluator: a LUT of 4 to 6 inputs whose decomposition takes
  // many operations becomes one Lut operation, evaluated branch-free on the words. The prover
  // reads programs operation by operation and compiles without it.
  bool lut_ops = false;
};

Program compile(const Netlist& nl, const CompileParams& params = {});

class Evaluator {
 public:
  explicit Evaluator(const Netlist& nl, unsigned words = 8);
  Evaluator(Program program, unsigned words);

  unsigned words() const { return words_; }
  size_t lanes() const { return size_t{64} * words_; }
  const Program& program() const { return p_; }

  // The words of input port `port` (an index into nl.inputs()), bit `bit`. Write them before
  // eval().
  uint64_t* input(size_t port, uint32_t bit) { return slot(p_.input_slots[port][bit]); }
  // The words of output port `port` (an index into nl.outputs()), bit `bit`, valid after eval().
  const uint64_t* output(size_t port, uint32_t bit) const {
    return slot(p_.output_slots[port][bit]);
  }
  // Any signal's words, valid after eval().
  const uint64_t* value(Signal s) const { return slot(p_.signal_slots[s.node][s.bit]); }
  // Any slot's words.
  uint64_t* slot(uint32_t s) { return values_.data() + size_t{s} * words_; }
  const uint64_t* slot(uint32_t s) const { return values_.data() + size_t{s} * words_; }

  void reset();      // every register to its init value, in every lane
  void eval();       // the combinational logic
  void eval_next();  // the next-state functions into the staging slots (after eval)
  void step();       // one clock edge: eval_next, then every state takes its staging value

  size_t num_instructions() const { return p_.comb.size() + p_.next.size(); }
  size_t num_registers() const { return p_.registers.size(); }

 private:
  void run(const std::vector<Program::Instr>& prog);

  Program p_;
  unsigned words_;
  std::vector<uint64_t> values_;
};

// One sample at a time, for clocked simulation: a scalar program (CompileParams::scalar) on one
// byte per slot, so that a netlist's values stay in the first-level cache. Bit 0 of each byte is
// the value; the other bits are don't-cares. The interface mirrors Evaluator's with one lane.
class ScalarEvaluator {
 public:
  explicit ScalarEvaluator(Program program);

  const Program& program() const { return p_; }
  uint8_t* input(size_t port, uint32_t bit) { return slot(p_.input_slots[port][bit]); }
  const uint8_t* output(size_t port, uint32_t bit) const {
    return slot(p_.output_slots[port][bit]);
  }
  const uint8_t* value(Signal s) const { return slot(p_.signal_slots[s.node][s.bit]); }
  uint8_t* slot(uint32_t s) { return values_.data() + s; }
  const uint8_t* slot(uint32_t s) const { return values_.data() + s; }

  void reset();
  void eval();
  void step();

 public:
  // One operation with its LUT pins and table inline, so evaluation reads a single stream.
  struct Step {
    uint32_t dst;
    Program::Op op;
    uint32_t a, b, c;
    uint32_t pins[6];
    uint64_t table;
  };

 private:
  void order_in_place();

  Program p_;
  std::vector<uint8_t> values_;
  std::vector<Step> comb_;
  bool next_is_copies_ = false;
  // When every register just copies a slot and no copy chain closes a loop: (state, source)
  // pairs ordered so that a register is written after every register that reads it, which lets
  // step() update the states in place in one pass.
  std::vector<std::pair<uint32_t, uint32_t>>
      in_place_;  // plain registers only: step() is two tight copy loops
};

// Transposes a 64 x 64 bit matrix in place: bit j of word i becomes bit i of word j. Moves values
// between one-word-per-vector form and the evaluator's one-word-per-bit form.
void transpose64(uint64_t m[64]);

}  // namespace lutforge
