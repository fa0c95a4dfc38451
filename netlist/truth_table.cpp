#include "netlist/truth_table.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace lutforge {
namespace {

// The positions where variable v (v < 6) is 1, within a 64-bit word.
constexpr uint64_t var_mask(unsigned v) { return projection_word(v, 0); }

template <typename F>
TruthTable binary_op(const TruthTable& a, const TruthTable& b, F f) {
  assert(a.num_vars() == b.num_vars());
  TruthTable r(a.num_vars());
  const uint64_t mask = used_bits(a.num_vars());
  for (size_t i = 0; i < a.num_words(); ++i) r.words()[i] = f(a.words()[i], b.words()[i]) & mask;
  return r;
}

}  // namespace

TruthTable::TruthTable(unsigned num_vars) : num_vars_(num_vars) {
  if (num_vars > kMaxVars)
    throw std::invalid_argument("truth table of " + std::to_string(num_vars) +
                                " inputs exceeds the limit of " + std::to_string(kMaxVars));
  if (num_vars > 6) large_.assign(size_t{1} << (num_vars - 6), 0);
}

bool operator==(const TruthTable& a, const TruthTable& b) {
  if (a.num_vars_ != b.num_vars_) return false;
  return a.num_vars_ <= 6 ? a.small_ == b.small_ : a.large_ == b.large_;
}

bool get_bit(const TruthTable& tt, uint64_t index) {
  assert(index < tt.num_bits());
  return (tt.words()[index >> 6] >> (index & 63)) & 1;
}

void set_bit(TruthTable& tt, uint64_t index, bool value) {
  assert(index < tt.num_bits());
  uint64_t& w = tt.words()[index >> 6];
  const uint64_t bit = uint64_t{1} << (index & 63);
  w = value ? (w | bit) : (w & ~bit);
}

TruthTable make_constant(unsigned num_vars, bool value) {
  TruthTable tt(num_vars);
  if (value) {
    const uint64_t mask = used_bits(num_vars);
    for (size_t i = 0; i < tt.num_words(); ++i) tt.words()[i] = mask;
  }
  return tt;
}

TruthTable make_var(unsigned num_vars, unsigned var) {
  assert(var < num_vars);
  TruthTable tt(num_vars);
  const uint64_t mask = used_bits(num_vars);
  for (size_t i = 0; i < tt.num_words(); ++i) {
    if (var < 6)
      tt.words()[i] = var_mask(var) & mask;
    else
      tt.words()[i] = ((i >> (var - 6)) & 1) ? ~uint64_t{0} : 0;
  }
  return tt;
}

TruthTable make_gate(unsigned gate_id) {
  assert(gate_id < 16);
  // Truth-table index = a + 2b; the id lists f(0,0), f(0,1), f(1,0), f(1,1) from its MSB down.
  uint64_t w = 0;
  if (gate_id & 8) w |= 1;  // f(0,0) -> index 0
  if (gate_id & 4) w |= 4;  // f(0,1) -> index 2
  if (gate_id & 2) w |= 2;  // f(1,0) -> index 1
  if (gate_id & 1) w |= 8;  // f(1,1) -> index 3
  return make_from_word(2, w);
}

uint8_t gate_id_of(const TruthTable& f) {
  assert(f.num_vars() == 2);
  return static_cast<uint8_t>((get_bit(f, 0) << 3) | (get_bit(f, 2) << 2) | (get_bit(f, 1) << 1) |
                              get_bit(f, 3));
}

TruthTable make_from_word(unsigned num_vars, uint64_t word) {
  assert(num_vars <= 6);
  TruthTable tt(num_vars);
  tt.words()[0] = word & used_bits(num_vars);
  return tt;
}

TruthTable operator~(const TruthTable& a) {
  TruthTable r(a.num_vars());
  const uint64_t mask = used_bits(a.num_vars());
  for (size_t i = 0; i < a.num_words(); ++i) r.words()[i] = ~a.words()[i] & mask;
  return r;
}
TruthTable operator&(const TruthTable& a, const TruthTable& b) {
  return binary_op(a, b, [](uint64_t x, uint64_t y) { return x & y; });
}
TruthTable operator|(const TruthTable& a, const TruthTable& b) {
  return binary_op(a, b, [](uint64_t x, uint64_t y) { return x | y; });
}
TruthTable operator^(const TruthTable& a, const TruthTable& b) {
  return binary_op(a, b, [](uint64_t x, uint64_t y) { return x ^ y; });
}

bool is_constant(const TruthTable& tt, bool value) {
  return tt == make_constant(tt.num_vars(), value);
}

uint64_t count_ones(const TruthTable& tt) {
  uint64_t n = 0;
  for (size_t i = 0; i < tt.num_words(); ++i) n += std::popcount(tt.words()[i]);
  return n;
}

namespace {
// Copies the half selected by `value` of variable `var` over the other half.
TruthTable cofactor(const TruthTable& tt, unsigned var, bool value) {
  assert(var < tt.num_vars());
  TruthTable r = tt;
  uint64_t* w = r.words();
  if (var < 6) {
    const unsigned shift = 1u << var;
    const uint64_t m = var_mask(var);
    const uint64_t mask = used_bits(tt.num_vars());
    for (size_t i = 0; i < r.num_words(); ++i) {
      const uint64_t half = value ? (w[i] & m) >> shift : (w[i] & ~m);
      w[i] = (half | (half << shift)) & mask;
    }
  } else {
    const size_t stride = size_t{1} << (var - 6);
    for (size_t i = 0; i < r.num_words(); i += 2 * stride)
      for (size_t j = 0; j < stride; ++j) {
        const uint64_t v = value ? w[i + stride + j] : w[i + j];
        w[i + j] = w[i + stride + j] = v;
      }
  }
  return r;
}
}  // namespace

TruthTable cofactor0(const TruthTable& tt, unsigned var) { return cofactor(tt, var, false); }
TruthTable cofactor1(const TruthTable& tt, unsigned var) { return cofactor(tt, var, true); }

bool depends_on(const TruthTable& tt, unsigned var) {
  const uint64_t* w = tt.words();
  if (var < 6) {
    const unsigned shift = 1u << var;
    const uint64_t m = var_mask(var);
    for (size_t i = 0; i < tt.num_words(); ++i)
      if (((w[i] & m) >> shift) != (w[i] & ~m & used_bits(tt.num_vars()))) return true;
    return false;
  }
  const size_t stride = size_t{1} << (var - 6);
  for (size_t i = 0; i < tt.num_words(); i += 2 * stride)
    for (size_t j = 0; j < stride; ++j)
      if (w[i + j] != w[i + stride + j]) return true;
  return false;
}

uint32_t support(const TruthTable& tt) {
  uint32_t s = 0;
  for (unsigned v = 0; v < tt.num_vars(); ++v)
    if (depends_on(tt, v)) s |= 1u << v;
  return s;
}

TruthTable flip_var(const TruthTable& tt, unsigned var) {
  assert(var < tt.num_vars());
  TruthTable r = tt;
  uint64_t* w = r.words();
  if (var < 6) {
    const unsigned shift = 1u << var;
    const uint64_t m = var_mask(var);
    for (size_t i = 0; i < r.num_words(); ++i) w[i] = ((w[i] & m) >> shift) | ((w[i] << shift) & m);
  } else {
    const size_t stride = size_t{1} << (var - 6);
    for (size_t i = 0; i < r.num_words(); i += 2 * stride)
      for (size_t j = 0; j < stride; ++j) std::swap(w[i + j], w[i + stride + j]);
  }
  return r;
}

TruthTable remap_vars(const TruthTable& tt, const std::vector<unsigned>& map,
                      unsigned new_num_vars) {
  assert(map.size() == tt.num_vars());
  TruthTable r(new_num_vars);
  for (uint64_t y = 0; y < r.num_bits(); ++y) {
    uint64_t x = 0;
    for (unsigned i = 0; i < map.size(); ++i) x |= ((y >> map[i]) & 1) << i;
    if (get_bit(tt, x)) set_bit(r, y);
  }
  return r;
}

TruthTable shrink_to(const TruthTable& tt, const std::vector<unsigned>& vars) {
  assert((support(tt) & ~[&] {
           uint32_t m = 0;
           for (unsigned v : vars) m |= 1u << v;
           return m;
         }()) == 0);
  TruthTable r(static_cast<unsigned>(vars.size()));
  for (uint64_t y = 0; y < r.num_bits(); ++y) {
    uint64_t x = 0;
    for (unsigned i = 0; i < vars.size(); ++i) x |= ((y >> i) & 1) << vars[i];
    if (get_bit(tt, x)) set_bit(r, y);
  }
  return r;
}

std::pair<TruthTable, TruthTable> split_top(const TruthTable& tt) {
  assert(tt.num_vars() > 0);
  const unsigned k = tt.num_vars() - 1;
  TruthTable lo(k), hi(k);
  if (k < 6) {
    const unsigned half = 1u << k;
    lo.words()[0] = tt.words()[0] & ((uint64_t{1} << half) - 1);
    hi.words()[0] = (tt.words()[0] >> half) & ((uint64_t{1} << half) - 1);
  } else {
    const size_t n = lo.num_words();
    std::copy(tt.words(), tt.words() + n, lo.words());
    std::copy(tt.words() + n, tt.words() + 2 * n, hi.words());
  }
  return {std::move(lo), std::move(hi)};
}

std::string to_hex(const TruthTable& tt) {
  static const char* kDigits = "0123456789abcdef";
  const uint64_t digits = tt.num_vars() < 2 ? 1 : tt.num_bits() / 4;
  std::string s;
  s.reserve(digits);
  for (uint64_t d = digits; d-- > 0;) {
    unsigned v = 0;
    for (unsigned b = 0; b < 4; ++b) {
      const uint64_t idx = d * 4 + b;
      if (idx < tt.num_bits() && get_bit(tt, idx)) v |= 1u << b;
    }
    s.push_back(kDigits[v]);
  }
  return s;
}

std::string to_binary(const TruthTable& tt) {
  std::string s;
  s.reserve(tt.num_bits());
  for (uint64_t i = tt.num_bits(); i-- > 0;) s.push_back(get_bit(tt, i) ? '1' : '0');
  return s;
}

bool from_hex(std::string_view hex, unsigned num_vars, TruthTable& out) {
  if (num_vars > TruthTable::kMaxVars || hex.empty()) return false;
  TruthTable tt(num_vars);
  uint64_t bit = 0;
  for (size_t i = hex.size(); i-- > 0;) {
    const char c = hex[i];
    if (c == '_') continue;
    unsigned v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return false;
    for (unsigned b = 0; b < 4; ++b, ++bit) {
      if (!((v >> b) & 1)) continue;
      if (bit >= tt.num_bits()) return false;
      set_bit(tt, bit);
    }
  }
  out = std::move(tt);
  return true;
}

bool from_binary(std::string_view bin, unsigned num_vars, TruthTable& out) {
  if (num_vars > TruthTable::kMaxVars) return false;
  TruthTable tt(num_vars);
  if (bin.size() > tt.num_bits()) return false;
  // Bit i is the i-th character from the end; 64 of them make a word.
  uint64_t* words = tt.words();
  for (size_t base = 0; base < bin.size(); base += 64) {
    const size_t n = std::min<size_t>(64, bin.size() - base);
    const char* c = bin.data() + bin.size() - base;  // one past bit `base`
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) {
      const char ch = *--c;
      if (ch != '0' && ch != '1' && ch != 'x' && ch != 'z') return false;
      w |= uint64_t{ch == '1'} << i;
    }
    words[base / 64] = w;
  }
  out = std::move(tt);
  return true;
}

size_t hash_value(const TruthTable& tt) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ tt.num_vars();
  for (size_t i = 0; i < tt.num_words(); ++i) {
    h ^= tt.words()[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  }
  return static_cast<size_t>(h);
}

}  // namespace lutforge
