// The closed set of cell kinds of a lutforge netlist. Every cell has an ordered list of input pins
// and of output bits; the helpers below give their counts and names for each kind.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "netlist/truth_table.hpp"

namespace lutforge {

// A primary input port of `width` bits: no input pins, `width` output bits (bit 0 is the LSB).
struct Input {
  static constexpr const char* kName = "input";
  uint32_t width = 1;
};

// A primary output port of `width` bits: `width` input pins, no output bits.
struct Output {
  static constexpr const char* kName = "output";
  uint32_t width = 1;
};

// A constant bit.
struct Const {
  static constexpr const char* kName = "const";
  bool value = false;
};

// A lookup table: k input pins (pin 0 is the LSB of the table index) and one output bit.
struct Lut {
  static constexpr const char* kName = "lut";
  TruthTable function;
};

// A 2-input gate, numbered as difflogic numbers its 16 functions:
// id = 8 f(0,0) + 4 f(0,1) + 2 f(1,0) + f(1,1), with pin 0 = a and pin 1 = b. Examples: 1 = AND,
// 6 = XOR, 7 = OR, 14 = NAND.
struct Gate {
  static constexpr const char* kName = "gate";
  uint8_t id = 1;
};

// A sum of operands, each zero- or sign-extended to `width` bits; the result is taken modulo
// 2^width. The input pins are the operands' bits, operand 0 first, each LSB first. A popcount is
// the case of 1-bit unsigned operands.
struct Adder {
  static constexpr const char* kName = "adder";
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
  static constexpr const char* kName = "argmax";
  uint32_t count = 2;
  uint32_t width = 1;
  bool is_signed = false;
};

// The arithmetic of a DSP slice (DSP48E1/E2-like), without its registers:
//   AD = A                          when pre_add is None,
//        (D + A) mod 2^ad_width     when Add,
//        (D - A) mod 2^ad_width     when Subtract (the slice's pre-adder, INMODE[3]);
//   P  = (AD * B + C + (ZEN ? Z : 0)) mod 2^p_width.
// Every operand is zero-extended (sign-extended when is_signed) from its own width: A, D into
// the pre-adder, AD (a_width bits without a pre-adder, ad_width with one), B, C and Z into P.
// Z is the post-adder's third operand: the slice's own P register for accumulation, a cascade
// input, or P >> 17; ZEN (present when has_z_enable) is the dynamic OPMODE bit that drops it.
// Input pins: A, B, C, D, Z (a_width, b_width, c_width, d_width, z_width bits, each LSB first),
// then ZEN. Output: p_width bits.
//
// The slice's pipeline registers (AREG, BREG, CREG, DREG, ADREG, MREG, PREG) are Dff cells around
// this cell, as add_dsp (netlist/dsp.hpp) and the Yosys reader build them: every state bit of a
// netlist is a Dff, so latency, the prover's register matching and the pipeline checks see a
// slice's registers as any others. With MREG, the post-adder is an Adder behind them.
struct PackedDsp {
  static constexpr const char* kName = "packed_dsp";
  enum class PreAdd : uint8_t { None, Add, Subtract };
  uint32_t a_width = 1, b_width = 1, c_width = 0, p_width = 1;
  bool is_signed = false;
  uint32_t d_width = 0, z_width = 0;
  PreAdd pre_add = PreAdd::None;
  uint32_t ad_width = 0;  // the pre-adder's width; used only with a pre-adder
  bool has_z_enable = false;
  // The width of AD, the multiplier's first operand.
  uint32_t multiplicand_width() const { return pre_add == PreAdd::None ? a_width : ad_width; }
};

// A read-only memory of 2^addr_width words of `width` bits, read without a clock: the output is
// the word at the address. Input pins: the address, LSB first. Output: the word, LSB first.
// data[i] is output bit i as a function of the address (a truth table of addr_width inputs), so
// bit i of word a is data[i](a). A block RAM's synchronous read is this cell followed by Dff
// cells (its output latch, and the optional output register), as the Yosys reader builds it;
// the Verilog writer emits the contents as a memory marked for block RAM, which Yosys maps,
// with the registers behind it, to RAMB18E1/RAMB36E1.
struct Rom {
  static constexpr const char* kName = "rom";
  static constexpr uint32_t kMaxAddrWidth = 16;
  uint32_t addr_width = 1;
  std::vector<TruthTable> data = {TruthTable(1)};
  uint32_t width() const { return static_cast<uint32_t>(data.size()); }
};

// A one-bit register on the design's single rising-edge clock. Input pins, in this order: D, then
// EN when has_enable, SRST when has_sync_reset, ARST when has_async_reset. All controls are active
// high. At a clock edge:
//   next = D, or Q when EN is low;
//   a synchronous reset gives sync_reset_value instead (when sync_reset_needs_enable, only
//   while EN is high, as Yosys $sdffce; otherwise it has priority over EN, as $sdffe and FDRE).
// While ARST is high, Q shows async_reset_value at once and the state takes it at the edge.
struct Dff {
  static constexpr const char* kName = "dff";
  bool init = false;
  bool has_enable = false;
  bool has_sync_reset = false;
  bool sync_reset_value = false;
  bool sync_reset_needs_enable = false;
  bool has_async_reset = false;
  bool async_reset_value = false;
};

#ifdef LUTFORGE_PROBE_NEW_CELL_KIND
// A kind that nothing handles. tests/compile builds the dispatching files with it defined and
// expects every one of them to fail to compile: each per-kind dispatch is an exhaustive visit.
struct ProbeKind {
  static constexpr const char* kName = "probe";
};
#define LUTFORGE_PROBE_ALTERNATIVE , ProbeKind
#define LUTFORGE_PROBE_ENUMERATOR , ProbeKind
#define LUTFORGE_LAST_CELL_KIND ProbeKind
#else
#define LUTFORGE_PROBE_ALTERNATIVE
#define LUTFORGE_PROBE_ENUMERATOR
#define LUTFORGE_LAST_CELL_KIND Dff
#endif

using Cell = std::variant<Input, Output, Const, Lut, Gate, Adder, ArgMax, PackedDsp, Rom,
                          Dff LUTFORGE_PROBE_ALTERNATIVE>;

// The kind of a cell as a number, for tables indexed by kind. The enumerators follow the
// variant's order; the static_asserts below keep the two in step.
enum class CellKind : uint8_t {
  Input,
  Output,
  Const,
  Lut,
  Gate,
  Adder,
  ArgMax,
  PackedDsp,
  Rom,
  Dff LUTFORGE_PROBE_ENUMERATOR
};
inline constexpr unsigned kNumCellKinds = std::variant_size_v<Cell>;
static_assert(static_cast<unsigned>(CellKind::LUTFORGE_LAST_CELL_KIND) + 1 == kNumCellKinds,
              "CellKind must list every alternative of Cell");

namespace detail {
template <class T, class... Ts>
constexpr size_t index_in(const std::variant<Ts...>*) {
  size_t i = 0;
  bool found = false;
  ((found = found || std::is_same_v<T, Ts>, i += found ? 0 : 1), ...);
  return i;
}
}  // namespace detail

// The CellKind of the alternative T.
template <class T>
inline constexpr CellKind kind_of_type =
    static_cast<CellKind>(detail::index_in<T>(static_cast<const Cell*>(nullptr)));

static_assert(kind_of_type<Input> == CellKind::Input && kind_of_type<Output> == CellKind::Output &&
                  kind_of_type<Const> == CellKind::Const && kind_of_type<Lut> == CellKind::Lut &&
                  kind_of_type<Gate> == CellKind::Gate && kind_of_type<Adder> == CellKind::Adder &&
                  kind_of_type<ArgMax> == CellKind::ArgMax &&
                  kind_of_type<PackedDsp> == CellKind::PackedDsp &&
                  kind_of_type<Rom> == CellKind::Rom && kind_of_type<Dff> == CellKind::Dff,
              "CellKind must follow the order of Cell's alternatives");

inline CellKind kind_of(const Cell& c) { return static_cast<CellKind>(c.index()); }
const char* kind_name(CellKind k);
inline const char* kind_name(const Cell& c) {
  return std::visit([](const auto& k) { return std::decay_t<decltype(k)>::kName; }, c);
}
// The kind whose kName is `name`, or false.
bool kind_from_name(const std::string& name, CellKind& kind);
// A cell of kind `k` with default parameters.
Cell default_cell(CellKind k);

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
