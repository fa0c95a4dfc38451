// The closed set of cell kinds of a lutforge netlist. Every cell has an ordered list of input pins
// and of output bits; the helpers below give their counts and names for each kind.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "netlist/truth_table.hpp"

namespace lutforge {

// A primary input port of `width` bits: no input pins, `width` output bits (bit 0 is the LSB).
struct Input {
  uint32_t width = 1;
};

// A primary output port of `width` bits: `width` input pins, no output bits.
struct Output {
  uint32_t width = 1;
};

// A constant bit.
struct Const {
  bool value = false;
};

// A lookup table: k input pins (pin 0 is the LSB of the table index) and one output bit.
struct Lut {
  TruthTable function;
};

// A 2-input gate, numbered as difflogic numbers its 16 functions:
// id = 8 f(0,0) + 4 f(0,1) + 2 f(1,0) + f(1,1), with pin 0 = a and pin 1 = b. Examples: 1 = AND,
// 6 = XOR, 7 = OR, 14 = NAND.
struct Gate {
  uint8_t id = 1;
};

// A sum of operands, each zero- or sign-extended to `width` bits; the result is taken modulo
// 2^width. The input pins are the operands' bits, operand 0 first, each LSB first. A popcount is
// the case of 1-bit unsigned operands.
struct Adder {
  struct Operand {
    uint32_t width = 1;
    bool is_signed = false;
    friend bool operator==(const Operand&, const Operand&) = default;
  };
  std::vector<Operand> operands;
  uint32_t width = 1;
};

// The index of the largest of `count` words of `width` bits each (signed or unsigned); ties go to
// the lowest index. Input pins are the words' bits, word 0 first, LSB first. The output has
// argmax_index_width(count) bits.
struct ArgMax {
  uint32_t count = 2;
  uint32_t width = 1;
  bool is_signed = false;
};

// A DSP slice. Placeholder semantics until packing is defined: P = A * B + C modulo 2^p_width,
// where A, B and C are zero-extended (or sign-extended when is_signed) to p_width bits.
// Input pins: A (a_width bits), B (b_width), C (c_width), each LSB first. Output: p_width bits.
struct PackedDsp {
  uint32_t a_width = 1, b_width = 1, c_width = 0, p_width = 1;
  bool is_signed = false;
};

// A one-bit register on the design's single rising-edge clock. Input pins, in this order: D, then
// EN when has_enable, SRST when has_sync_reset, ARST when has_async_reset. All controls are active
// high. At a clock edge:
//   next = D, or Q when EN is low;
//   a synchronous reset gives sync_reset_value instead (when sync_reset_needs_enable, only
//   while EN is high, as Yosys $sdffce; otherwise it has priority over EN, as $sdffe and FDRE).
// While ARST is high, Q shows async_reset_value at once and the state takes it at the edge.
struct Dff {
  bool init = false;
  bool has_enable = false;
  bool has_sync_reset = false;
  bool sync_reset_value = false;
  bool sync_reset_needs_enable = false;
  bool has_async_reset = false;
  bool async_reset_value = false;
};

using Cell = std::variant<Input, Output, Const, Lut, Gate, Adder, ArgMax, PackedDsp, Dff>;

// The kind names used in reports and in the native JSON format.
enum class CellKind : uint8_t { Input, Output, Const, Lut, Gate, Adder, ArgMax, PackedDsp, Dff };
inline constexpr unsigned kNumCellKinds = 9;
inline CellKind kind_of(const Cell& c) { return static_cast<CellKind>(c.index()); }
const char* kind_name(CellKind k);
inline const char* kind_name(const Cell& c) { return kind_name(kind_of(c)); }

uint32_t argmax_index_width(uint32_t count);
uint32_t num_input_pins(const Cell& c);
uint32_t num_output_bits(const Cell& c);

// True for pins whose value reaches an output bit within the same cycle. Only a register's
// ARST pin is combinational; its D, EN and SRST act at the clock edge.
bool is_combinational_pin(const Cell& c, uint32_t pin);
inline bool is_register(const Cell& c) { return std::holds_alternative<Dff>(c); }

// A short description of a pin for messages, such as "A[3]" or "EN".
std::string pin_name(const Cell& c, uint32_t pin);

}  // namespace lutforge
