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

class Evaluator {
 public:
  explicit Evaluator(const Netlist& nl, unsigned words = 8);

  unsigned words() const { return words_; }
  size_t lanes() const { return size_t{64} * words_; }

  // The words of input port `port` (an index into nl.inputs()), bit `bit`. Write them before eval().
  uint64_t* input(size_t port, uint32_t bit) { return slot(input_slots_[port][bit]); }
  // The words of output port `port` (an index into nl.outputs()), bit `bit`, valid after eval().
  const uint64_t* output(size_t port, uint32_t bit) const { return slot(output_slots_[port][bit]); }
  // Any signal's words, valid after eval().
  const uint64_t* value(Signal s) const { return slot(signal_slots_[s.node][s.bit]); }

  void reset();  // every register to its init value, in every lane
  void eval();   // the combinational logic
  void step();   // one clock edge; call eval() first

  size_t num_instructions() const { return comb_.size() + next_.size(); }
  size_t num_registers() const { return commit_.size(); }

  enum class Op : uint8_t { And, Or, Xor, AndNot, OrNot, Nand, Nor, Xnor, Not, Copy, Mux, Maj, Xor3 };
  struct Instr {
    Op op;
    uint32_t dst, a, b, c;  // Mux: dst = c ? b : a
  };

 private:
  uint64_t* slot(uint32_t s) { return values_.data() + size_t{s} * words_; }
  const uint64_t* slot(uint32_t s) const { return values_.data() + size_t{s} * words_; }
  void run(const std::vector<Instr>& prog);

  unsigned words_;
  std::vector<Instr> comb_;  // combinational logic, in topological order
  std::vector<Instr> next_;  // next-state functions of the registers, into staging slots
  std::vector<std::pair<uint32_t, uint32_t>> commit_;  // (state slot, staging slot)
  std::vector<std::pair<uint32_t, bool>> init_;        // (state slot, init value)
  std::vector<std::vector<uint32_t>> input_slots_, output_slots_, signal_slots_;
  std::vector<uint64_t> values_;
};

// Transposes a 64 x 64 bit matrix in place: bit j of word i becomes bit i of word j. Moves values
// between one-word-per-vector form and the evaluator's one-word-per-bit form.
void transpose64(uint64_t m[64]);

}  // namespace lutforge
