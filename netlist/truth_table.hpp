// TruthTable: a Boolean function of k inputs (0 <= k <= kMaxVars), stored as 2^k bits.
// Bit i holds f(x) for the input assignment whose binary value is i (input 0 is the LSB), which is
// the order of Yosys $lut, Xilinx LUTn INIT and iCE40 LUT_INIT. Functions of up to 6 inputs live in
// one 64-bit word without heap storage; wider ones use a vector of words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lutforge {

class TruthTable {
 public:
  static constexpr unsigned kMaxVars = 24;

  TruthTable() = default;                  // the 0-input constant 0
  explicit TruthTable(unsigned num_vars);  // constant 0 of num_vars inputs

  unsigned num_vars() const { return num_vars_; }
  uint64_t num_bits() const { return uint64_t{1} << num_vars_; }
  // Number of 64-bit words; one for num_vars <= 6.
  size_t num_words() const { return num_vars_ <= 6 ? 1 : size_t{1} << (num_vars_ - 6); }

  const uint64_t* words() const { return num_vars_ <= 6 ? &small_ : large_.data(); }
  uint64_t* words() { return num_vars_ <= 6 ? &small_ : large_.data(); }

  friend bool operator==(const TruthTable& a, const TruthTable& b);

 private:
  unsigned num_vars_ = 0;
  uint64_t small_ = 0;           // used when num_vars_ <= 6 (only the low 2^k bits)
  std::vector<uint64_t> large_;  // used when num_vars_ > 6
};

// Bit access.
bool get_bit(const TruthTable& tt, uint64_t index);
void set_bit(TruthTable& tt, uint64_t index, bool value = true);

// Word w of the table of variable j in a table of any number of variables (the projection of j):
// the positions where variable j is 1. Simulating these words enumerates every assignment.
constexpr uint64_t projection_word(unsigned j, size_t w) {
  constexpr uint64_t kInWord[6] = {0xaaaaaaaaaaaaaaaaull, 0xccccccccccccccccull,
                                   0xf0f0f0f0f0f0f0f0ull, 0xff00ff00ff00ff00ull,
                                   0xffff0000ffff0000ull, 0xffffffff00000000ull};
  return j < 6 ? kInWord[j] : (((w >> (j - 6)) & 1) ? ~uint64_t{0} : 0);
}
// The bits of word 0 that a table of `num_vars` variables uses: all of them from 6 variables on.
constexpr uint64_t used_bits(unsigned num_vars) {
  return num_vars >= 6 ? ~uint64_t{0} : (uint64_t{1} << (uint64_t{1} << num_vars)) - 1;
}

// Constructors of common functions.
TruthTable make_constant(unsigned num_vars, bool value);
TruthTable make_var(unsigned num_vars, unsigned var);  // the projection x_var
// The function of a 2-input gate numbered as difflogic does: id = 8 f(0,0) + 4 f(0,1) + 2 f(1,0) +
// f(1,1), where f(a, b) and a is input 0.
TruthTable make_gate(unsigned gate_id);
// The gate id of a 2-input table: the inverse of make_gate.
uint8_t gate_id_of(const TruthTable& f);
// Reads a 2^k-bit word (bit i = f(i)); k <= 6.
TruthTable make_from_word(unsigned num_vars, uint64_t word);

// Bitwise operations on functions of the same number of inputs.
TruthTable operator~(const TruthTable& a);
TruthTable operator&(const TruthTable& a, const TruthTable& b);
TruthTable operator|(const TruthTable& a, const TruthTable& b);
TruthTable operator^(const TruthTable& a, const TruthTable& b);

bool is_constant(const TruthTable& tt, bool value);
uint64_t count_ones(const TruthTable& tt);

// Cofactors keep the number of inputs; the result no longer depends on `var`.
TruthTable cofactor0(const TruthTable& tt, unsigned var);
TruthTable cofactor1(const TruthTable& tt, unsigned var);
bool depends_on(const TruthTable& tt, unsigned var);
// Bit mask of the inputs the function really depends on.
uint32_t support(const TruthTable& tt);

// The function with `var` complemented: g(x) = f(x with x_var negated).
TruthTable flip_var(const TruthTable& tt, unsigned var);
// Keeps only the inputs in `vars` (ascending), which must contain the support. Input i of the
// result is input vars[i] of tt.
TruthTable shrink_to(const TruthTable& tt, const std::vector<unsigned>& vars);
// g(y) = f(x) with x_i = y_{map[i]}; map has tt.num_vars() entries, each < new_num_vars.
// Several inputs may map to the same new input (that merges them).
TruthTable remap_vars(const TruthTable& tt, const std::vector<unsigned>& map,
                      unsigned new_num_vars);

// The two cofactors of the highest input, as functions of the remaining num_vars - 1 inputs.
std::pair<TruthTable, TruthTable> split_top(const TruthTable& tt);

// Hex digits, most significant first, 2^k/4 digits (at least one), as in Verilog INIT values.
std::string to_hex(const TruthTable& tt);
// Binary digits, most significant first (Yosys JSON parameter order), exactly 2^k digits.
std::string to_binary(const TruthTable& tt);
// Parses the two forms above. Returns false when the digits do not fit 2^num_vars bits.
// Binary input may be shorter than 2^k (missing high bits are 0); 'x' and 'z' read as 0.
bool from_hex(std::string_view hex, unsigned num_vars, TruthTable& out);
bool from_binary(std::string_view bin, unsigned num_vars, TruthTable& out);

size_t hash_value(const TruthTable& tt);

}  // namespace lutforge
