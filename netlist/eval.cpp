#include "netlist/eval.hpp"

#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "base/error.hpp"
#include "netlist/levels.hpp"
#include "netlist/overloaded.hpp"

namespace lutforge {
namespace {

using Op = Program::Op;
using Instr = Program::Instr;
constexpr uint32_t kZero = Program::kZero, kOne = Program::kOne;
// With CompileParams::lut_ops, a LUT whose decomposition needs more operations than this becomes
// one Lut operation: a dispatch costs about as much as 4 to 6 word operations, and a lookup
// about as much as 5 to 8 dispatched operations.
constexpr size_t kLutOpThreshold = 6;

struct TableHash {
  size_t operator()(const TruthTable& t) const { return hash_value(t); }
};

// Emits instructions with constant folding. Temporaries come from a scratch region that every
// cell reuses, since a cell's temporaries are dead once its outputs are copied out.
class Builder {
 public:
  Builder(std::vector<Instr>& out, uint32_t temp_base, bool reuse)
      : out_(out), base_(temp_base), next_(temp_base), reuse_(reuse) {}

  void start_cell() {
    if (reuse_) next_ = base_;
    placed_.clear();
  }
  uint32_t max_temp() const { return max_; }
  void push(const Instr& i) { out_.push_back(i); }

  uint32_t emit(Op op, uint32_t a, uint32_t b = 0, uint32_t c = 0) {
    const uint32_t d = next_++;
    if (next_ > max_) max_ = next_;
    out_.push_back({op, d, a, b, c});
    return d;
  }
  // Moves `value` into `dst`: retargets the instruction that produced it when that is the last one.
  // A temp retargeted this way lives in its first destination, so placing it again copies from
  // there.
  void place(uint32_t value, uint32_t dst) {
    if (auto it = placed_.find(value); it != placed_.end()) {
      out_.push_back({Op::Copy, dst, it->second, 0, 0});
    } else if (value >= base_ && !out_.empty() && out_.back().dst == value) {
      out_.back().dst = dst;
      placed_.emplace(value, dst);
    } else {
      out_.push_back({Op::Copy, dst, value, 0, 0});
    }
  }

  uint32_t not_(uint32_t a) {
    if (a == kZero) return kOne;
    if (a == kOne) return kZero;
    return emit(Op::Not, a);
  }
  uint32_t and_(uint32_t a, uint32_t b) {
    if (a == kZero || b == kZero) return kZero;
    if (a == kOne || a == b) return b;
    if (b == kOne) return a;
    return emit(Op::And, a, b);
  }
  uint32_t or_(uint32_t a, uint32_t b) {
    if (a == kOne || b == kOne) return kOne;
    if (a == kZero || a == b) return b;
    if (b == kZero) return a;
    return emit(Op::Or, a, b);
  }
  uint32_t xor_(uint32_t a, uint32_t b) {
    if (a == kZero) return b;
    if (b == kZero) return a;
    if (a == kOne) return not_(b);
    if (b == kOne) return not_(a);
    if (a == b) return kZero;
    return emit(Op::Xor, a, b);
  }
  uint32_t and_not(uint32_t a, uint32_t b) {  // a & ~b
    if (b == kZero) return a;
    if (b == kOne || a == kZero || a == b) return kZero;
    if (a == kOne) return not_(b);
    return emit(Op::AndNot, a, b);
  }
  uint32_t or_not(uint32_t a, uint32_t b) {  // a | ~b
    if (b == kOne) return a;
    if (b == kZero || a == kOne || a == b) return kOne;
    if (a == kZero) return not_(b);
    return emit(Op::OrNot, a, b);
  }
  uint32_t mux(uint32_t s, uint32_t hi, uint32_t lo) {  // s ? hi : lo
    if (s == kZero || hi == lo) return lo;
    if (s == kOne) return hi;
    if (lo == kZero) return and_(s, hi);
    if (hi == kZero) return and_not(lo, s);
    if (lo == kOne) return or_not(hi, s);
    if (hi == kOne) return or_(s, lo);
    return emit(Op::Mux, lo, hi, s);
  }
  uint32_t xor3(uint32_t a, uint32_t b, uint32_t c) {
    if (a <= kOne || b <= kOne || c <= kOne) return xor_(xor_(a, b), c);
    return emit(Op::Xor3, a, b, c);
  }
  uint32_t maj(uint32_t a, uint32_t b, uint32_t c) {
    if (a == kZero) return and_(b, c);
    if (b == kZero) return and_(a, c);
    if (c == kZero) return and_(a, b);
    if (a == kOne) return or_(b, c);
    if (b == kOne) return or_(a, c);
    if (c == kOne) return or_(a, b);
    return emit(Op::Maj, a, b, c);
  }

  // f over inputs in[0..n-1]: Shannon decomposition on the highest input with memoized
  // sub-functions, which shares equal cofactors.
  uint32_t lut(const TruthTable& f, const std::vector<uint32_t>& in) {
    memo_.clear();
    return lut_rec(f, in);
  }

  // acc += addend + carry_in (both `width` bits, LSB first, from bit `from` up), ripple carry.
  void add_into(std::vector<uint32_t>& acc, const std::vector<uint32_t>& addend, size_t from = 0,
                uint32_t carry_in = kZero) {
    uint32_t carry = carry_in;
    for (size_t i = from; i < acc.size(); ++i) {
      const uint32_t a = acc[i], b = addend[i];
      acc[i] = xor3(a, b, carry);
      if (i + 1 < acc.size()) carry = maj(a, b, carry);
    }
  }

 private:
  uint32_t lut_rec(const TruthTable& f, const std::vector<uint32_t>& in) {
    if (is_constant(f, false)) return kZero;
    if (is_constant(f, true)) return kOne;
    if (auto it = memo_.find(f); it != memo_.end()) return it->second;
    const uint32_t v = in[f.num_vars() - 1];
    if (f.num_vars() == 2) {
      // Every non-constant function of two inputs is one operation (or a copy of one input).
      const uint32_t r = gate2(static_cast<unsigned>(f.words()[0]), in[0], in[1]);
      memo_.emplace(f, r);
      return r;
    }
    auto [f0, f1] = split_top(f);
    uint32_t r;
    if (f0 == f1)
      r = lut_rec(f0, in);
    else if (f0 == ~f1)
      r = xor_(v, lut_rec(f0, in));
    else {
      const uint32_t s0 = lut_rec(f0, in);
      const uint32_t s1 = lut_rec(f1, in);
      r = mux(v, s1, s0);
    }
    memo_.emplace(f, r);
    return r;
  }

  // The function of (a = input 0, b = input 1) with 4-bit table t (bit a + 2b).
  uint32_t gate2(unsigned t, uint32_t a, uint32_t b) {
    switch (t & 15) {
      case 0x0: return kZero;
      case 0x1: return emit(Op::Nor, a, b);
      case 0x2: return and_not(a, b);
      case 0x3: return not_(b);
      case 0x4: return and_not(b, a);
      case 0x5: return not_(a);
      case 0x6: return xor_(a, b);
      case 0x7: return emit(Op::Nand, a, b);
      case 0x8: return and_(a, b);
      case 0x9: return emit(Op::Xnor, a, b);
      case 0xa: return a;
      case 0xb: return or_not(a, b);
      case 0xc: return b;
      case 0xd: return or_not(b, a);
      case 0xe: return or_(a, b);
      default: return kOne;
    }
  }

  std::vector<Instr>& out_;
  uint32_t base_, next_, max_ = 0;
  bool reuse_;
  std::unordered_map<TruthTable, uint32_t, TableHash> memo_;
  std::unordered_map<uint32_t, uint32_t> placed_;  // retargeted temp -> the slot it was written to
};

// Extends or truncates a word to `width` bits.
std::vector<uint32_t> extend(std::vector<uint32_t> bits, uint32_t width, bool is_signed) {
  const uint32_t fill = is_signed && !bits.empty() ? bits.back() : kZero;
  bits.resize(width, fill);
  return bits;
}

// A LUT of up to six inputs on W words, branch-free, for vector programs (CompileParams::
// lut_ops). All 16 functions of the two lowest inputs are formed once per chunk of words; the
// table picks 16 of them as leaves, and a multiplexer tree over the four higher inputs selects
// among the leaves. Pins past the LUT's width are the constant-0 slot, so the tree then takes
// the lower half of the table at those levels.
template <unsigned W>
inline __attribute__((always_inline)) void run_lut(const Instr& i, const uint32_t* pins,
                                                   uint64_t table, uint64_t* v) {
  constexpr unsigned C = W < 8 ? W : 8;  // words per chunk: one 512-bit register
  unsigned leaf[16];
  for (unsigned j = 0; j < 16; ++j) leaf[j] = (table >> (4 * j)) & 15;
  const uint64_t* in[6];
  for (unsigned p = 0; p < 6; ++p) in[p] = v + size_t{pins[p]} * W;
  uint64_t* d = v + size_t{i.dst} * W;
  for (unsigned w0 = 0; w0 < W; w0 += C) {
    uint64_t f[16][C], m[4][C], x[8][C];
    for (unsigned w = 0; w < C; ++w) {
      const uint64_t a = in[0][w0 + w], b = in[1][w0 + w];
      m[0][w] = ~a & ~b;
      m[1][w] = a & ~b;
      m[2][w] = ~a & b;
      m[3][w] = a & b;
      f[0][w] = 0;
    }
    // f[t] has truth table t over (a, b): f[t] = f[t without its highest bit] | that minterm.
#pragma GCC unroll 16
    for (unsigned t = 1; t < 16; ++t) {
      const unsigned hi = 31 - __builtin_clz(t);
      for (unsigned w = 0; w < C; ++w) f[t][w] = f[t & ~(1u << hi)][w] | m[hi][w];
    }
#pragma GCC unroll 8
    for (unsigned k = 0; k < 8; ++k) {
      const uint64_t* lo = f[leaf[2 * k]];
      const uint64_t* hi = f[leaf[2 * k + 1]];
      for (unsigned w = 0; w < C; ++w) x[k][w] = lo[w] ^ ((lo[w] ^ hi[w]) & in[2][w0 + w]);
    }
#pragma GCC unroll 3
    for (unsigned level = 3, half = 4; level < 6; ++level, half /= 2)
#pragma GCC unroll 4
      for (unsigned k = 0; k < half; ++k)
        for (unsigned w = 0; w < C; ++w)
          x[k][w] = x[2 * k][w] ^ ((x[2 * k][w] ^ x[2 * k + 1][w]) & in[level][w0 + w]);
    for (unsigned w = 0; w < C; ++w) d[w0 + w] = x[0][w];
  }
}

template <unsigned W>
inline __attribute__((always_inline)) void run_impl(const Instr* prog, size_t n, uint64_t* v,
                                                    const uint32_t* lut_pins,
                                                    const uint64_t* lut_tables) {
  for (size_t k = 0; k < n; ++k) {
    const Instr& i = prog[k];
    uint64_t* __restrict d = v + size_t{i.dst} * W;
    const uint64_t* __restrict a = v + size_t{i.a} * W;
    const uint64_t* __restrict b = v + size_t{i.b} * W;
    const uint64_t* __restrict c = v + size_t{i.c} * W;
    switch (i.op) {
      case Op::And:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] & b[w];
        break;
      case Op::Or:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] | b[w];
        break;
      case Op::Xor:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] ^ b[w];
        break;
      case Op::AndNot:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] & ~b[w];
        break;
      case Op::OrNot:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] | ~b[w];
        break;
      case Op::Nand:
        for (unsigned w = 0; w < W; ++w) d[w] = ~(a[w] & b[w]);
        break;
      case Op::Nor:
        for (unsigned w = 0; w < W; ++w) d[w] = ~(a[w] | b[w]);
        break;
      case Op::Xnor:
        for (unsigned w = 0; w < W; ++w) d[w] = ~(a[w] ^ b[w]);
        break;
      case Op::Not:
        for (unsigned w = 0; w < W; ++w) d[w] = ~a[w];
        break;
      case Op::Copy:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w];
        break;
      case Op::Mux:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] ^ ((a[w] ^ b[w]) & c[w]);
        break;
      case Op::Maj:
        for (unsigned w = 0; w < W; ++w) d[w] = (a[w] & b[w]) | (c[w] & (a[w] | b[w]));
        break;
      case Op::Xor3:
        for (unsigned w = 0; w < W; ++w) d[w] = a[w] ^ b[w] ^ c[w];
        break;
      case Op::Lut: run_lut<W>(i, lut_pins + i.a, lut_tables[i.b], v); break;
    }
  }
}

// One kernel per batch width, each cloned for AVX-512, AVX2 and the baseline; the loader picks
// the best clone the machine supports.
#define LF_KERNEL(W)                                                                         \
  __attribute__((target_clones("avx512f", "avx2", "default"))) void run##W(                  \
      const Instr* p, size_t n, uint64_t* v, const uint32_t* pins, const uint64_t* tables) { \
    run_impl<W>(p, n, v, pins, tables);                                                      \
  }
LF_KERNEL(1)
LF_KERNEL(4)
LF_KERNEL(8)
LF_KERNEL(16)
LF_KERNEL(32)
LF_KERNEL(64)
LF_KERNEL(128)
#undef LF_KERNEL

}  // namespace

Program compile(const Netlist& nl, const CompileParams& params) {
  Program prog;
  prog.scalar = params.scalar;
  auto& signal_slots = prog.signal_slots;
  const Levels lv = levelize(nl);

  // Slots: 0 and 1 are the constants, then every output bit of every node, then a state slot
  // for each register with an asynchronous reset (its Q is a function of the state), then a
  // staging slot per register, then the scratch temporaries.
  uint32_t next_slot = 2;
  signal_slots.resize(nl.num_nodes());
  std::vector<uint32_t> state_slot(nl.num_nodes(), 0);
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& c = nl.cell(n);
    if (const auto* k = std::get_if<Const>(&c)) {
      signal_slots[n] = {k->value ? kOne : kZero};
      continue;
    }
    for (uint32_t b = 0; b < num_output_bits(c); ++b) signal_slots[n].push_back(next_slot++);
  }
  std::vector<NodeId> regs;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    if (const auto* d = std::get_if<Dff>(&nl.cell(n))) {
      regs.push_back(n);
      state_slot[n] = d->has_async_reset ? next_slot++ : signal_slots[n][0];
    }
  }
  std::vector<uint32_t> staging(nl.num_nodes(), 0);
  for (NodeId r : regs) staging[r] = next_slot++;

  const uint32_t temp_base = next_slot;
  Builder comb(prog.comb, temp_base, params.reuse_temporaries);
  auto in = [&](NodeId n, uint32_t pin) {
    const Signal s = nl.fanin(n)[pin];
    return signal_slots[s.node][s.bit];
  };
  auto ins = [&](NodeId n, uint32_t from, uint32_t count) {
    std::vector<uint32_t> v(count);
    for (uint32_t i = 0; i < count; ++i) v[i] = in(n, from + i);
    return v;
  };

  for (NodeId n : lv.order) {
    const Cell& c = nl.cell(n);
    comb.start_cell();
    const auto& out = signal_slots[n];
    std::visit(
        Overloaded{
            // Ports and constants own slots but compute nothing.
            [&](const Input&) {},
            [&](const Output&) {},
            [&](const Const&) {},
            [&](const Lut& l) {
              const uint32_t k = l.function.num_vars();
              if (params.scalar ? k < 3 || k > 6 : !params.lut_ops || k < 4 || k > 6) {
                comb.place(comb.lut(l.function, ins(n, 0, k)), out[0]);
                return;
              }
              if (!params.scalar) {
                // Decomposed, unless that takes more operations than one lookup costs.
                const size_t before = prog.comb.size();
                const uint32_t r = comb.lut(l.function, ins(n, 0, k));
                if (prog.comb.size() - before <= kLutOpThreshold) {
                  comb.place(r, out[0]);
                  return;
                }
                prog.comb.resize(before);
              }
              std::vector<uint32_t> pins = ins(n, 0, k);
              const uint32_t at = static_cast<uint32_t>(prog.lut_pins.size());
              pins.resize(
                  6,
                  kZero);  // always six pins, so the lookup is a fixed, unrolled sequence of loads
              prog.lut_pins.insert(prog.lut_pins.end(), pins.begin(), pins.end());
              prog.lut_tables.push_back(l.function.words()[0]);
              comb.push({Op::Lut, out[0], at, static_cast<uint32_t>(prog.lut_tables.size() - 1),
                         static_cast<uint32_t>(pins.size())});
            },
            [&](const Gate& g) { comb.place(comb.lut(make_gate(g.id), ins(n, 0, 2)), out[0]); },
            [&](const Rom& r) {
              // Each output bit is a function of the address, decomposed as a LUT's is.
              const auto address = ins(n, 0, r.addr_width);
              for (uint32_t b = 0; b < r.width(); ++b)
                comb.place(comb.lut(r.data[b], address), out[b]);
            },
            [&](const Adder& a) {
              std::vector<uint32_t> acc(a.width, kZero);
              uint32_t pin = 0;
              for (const auto& op : a.operands) {
                comb.add_into(acc, extend(ins(n, pin, op.width), a.width, op.is_signed));
                pin += op.width;
              }
              for (uint32_t b = 0; b < a.width; ++b) comb.place(acc[b], out[b]);
            },
            [&](const ArgMax& m) {
              std::vector<uint32_t> best = ins(n, 0, m.width);
              std::vector<uint32_t> idx(out.size(), kZero);
              for (uint32_t i = 1; i < m.count; ++i) {
                const auto w = ins(n, i * m.width, m.width);
                uint32_t less = kZero;  // best < w, from the LSB up
                for (uint32_t j = 0; j < m.width; ++j) {
                  const bool sign_bit = m.is_signed && j + 1 == m.width;
                  const uint32_t differ = comb.xor_(best[j], w[j]);
                  less = comb.mux(differ, sign_bit ? comb.not_(w[j]) : w[j], less);
                }
                for (uint32_t j = 0; j < m.width; ++j) best[j] = comb.mux(less, w[j], best[j]);
                for (uint32_t k = 0; k < idx.size(); ++k)
                  idx[k] = comb.mux(less, ((i >> k) & 1) ? kOne : kZero, idx[k]);
              }
              for (uint32_t k = 0; k < idx.size(); ++k) comb.place(idx[k], out[k]);
            },
            [&](const PackedDsp& d) {
              const uint32_t w = d.p_width;
              uint32_t pin = 0;
              auto port = [&](uint32_t width) {
                auto bits = ins(n, pin, width);
                pin += width;
                return bits;
              };
              auto a = port(d.a_width);
              const auto b = port(d.b_width);
              std::vector<uint32_t> acc = extend(port(d.c_width), w, d.is_signed);
              const auto dd = port(d.d_width);
              auto z = extend(port(d.z_width), w, d.is_signed);
              if (d.has_z_enable) {
                const uint32_t zen = in(n, pin);
                for (uint32_t& bit : z) bit = comb.and_(bit, zen);
              }
              if (d.pre_add != PackedDsp::PreAdd::None) {
                // D - A = D + ~A + 1 in the pre-adder's width.
                std::vector<uint32_t> ad = extend(dd, d.ad_width, d.is_signed);
                auto addend = extend(a, d.ad_width, d.is_signed);
                const bool subtract = d.pre_add == PackedDsp::PreAdd::Subtract;
                if (subtract)
                  for (uint32_t& bit : addend) bit = comb.not_(bit);
                comb.add_into(ad, addend, 0, subtract ? kOne : kZero);
                a = std::move(ad);
              }
              // The product in one canonical form, so that the prover's structural hashing finds
              // two cells equal whenever their factors are: synthesis widens the ports, extends
              // the operands, swaps them and folds the accumulator into the slice. Both factors
              // become signed words without their redundant top bits; the product is formed in
              // the width it cannot overflow by partial products over the shorter factor, or over
              // a constant one, and is then extended and added to C + Z.
              auto minimal = [&](std::vector<uint32_t> v) {
                if (!d.is_signed) v.push_back(kZero);
                while (v.size() > 1 && v.back() == v[v.size() - 2]) v.pop_back();
                return v;
              };
              std::vector<uint32_t> x = minimal(std::move(a)), y = minimal(b);
              auto constant = [](const std::vector<uint32_t>& v) {
                return std::all_of(v.begin(), v.end(), [](uint32_t s) { return s <= kOne; });
              };
              if (constant(y) != constant(x) ? constant(x) : x.size() < y.size()) std::swap(x, y);
              // Signed factors of m and k bits multiply into m + k bits, one fewer when either
              // cannot be negative (its sign bit is the constant 0).
              const bool non_negative = x.back() == kZero || y.back() == kZero;
              const uint32_t n = std::min<uint32_t>(
                  w, static_cast<uint32_t>(x.size() + y.size() - (non_negative ? 1 : 0)));
              x = extend(std::move(x), n, true);
              y = extend(std::move(y), n, true);
              std::vector<uint32_t> product(n, kZero);
              for (uint32_t j = 0; j < n; ++j) {
                if (y[j] == kZero) continue;
                std::vector<uint32_t> pp(n, kZero);
                for (uint32_t i = j; i < n; ++i) pp[i] = comb.and_(x[i - j], y[j]);
                comb.add_into(product, pp, j);
              }
              comb.add_into(acc, z);
              comb.add_into(acc, extend(std::move(product), w, true));
              for (uint32_t k = 0; k < w; ++k) comb.place(acc[k], out[k]);
            },
            [&](const Dff& d) {
              // Q is the state itself unless an asynchronous reset can override it within the
              // cycle.
              if (!d.has_async_reset) return;
              const uint32_t arst = in(n, num_input_pins(c) - 1);
              comb.place(comb.mux(arst, d.async_reset_value ? kOne : kZero, state_slot[n]), out[0]);
            },
        },
        c);
  }

  // Next-state functions, evaluated after the combinational logic and committed together.
  Builder next(prog.next,
               params.reuse_temporaries ? temp_base : std::max(temp_base, comb.max_temp()),
               params.reuse_temporaries);
  for (NodeId r : regs) {
    const auto& d = std::get<Dff>(nl.cell(r));
    next.start_cell();
    uint32_t pin = 1;
    const uint32_t q = state_slot[r], data = in(r, 0);
    const uint32_t en = d.has_enable ? in(r, pin++) : kOne;
    const uint32_t srst = d.has_sync_reset ? in(r, pin++) : kZero;
    const uint32_t arst = d.has_async_reset ? in(r, pin++) : kZero;
    const uint32_t sval = d.sync_reset_value ? kOne : kZero;
    uint32_t v;
    if (d.sync_reset_needs_enable)
      v = next.mux(en, next.mux(srst, sval, data), q);
    else
      v = next.mux(srst, sval, next.mux(en, data, q));
    v = next.mux(arst, d.async_reset_value ? kOne : kZero, v);
    next.place(v, staging[r]);
    prog.registers.push_back({r, q, staging[r], d.init});
  }
  const uint32_t num_slots = std::max({temp_base, comb.max_temp(), next.max_temp()});

  prog.input_slots.resize(nl.inputs().size());
  for (size_t i = 0; i < nl.inputs().size(); ++i)
    prog.input_slots[i] = signal_slots[nl.inputs()[i]];
  prog.output_slots.resize(nl.outputs().size());
  for (size_t i = 0; i < nl.outputs().size(); ++i)
    for (uint32_t p = 0; p < nl.fanin(nl.outputs()[i]).size(); ++p)
      prog.output_slots[i].push_back(in(nl.outputs()[i], p));
  prog.num_slots = num_slots;
  return prog;
}

Evaluator::Evaluator(const Netlist& nl, unsigned words) : Evaluator(compile(nl), words) {}

Evaluator::Evaluator(Program program, unsigned words) : p_(std::move(program)), words_(words) {
  assert(words >= 1);
  if (p_.scalar) throw Error("Evaluator: a scalar program runs in ScalarEvaluator");
  assert(
      std::none_of(p_.next.begin(), p_.next.end(), [](const Instr& i) { return i.op == Op::Lut; }));
  values_.assign(size_t{p_.num_slots} * words_, 0);
  for (unsigned w = 0; w < words_; ++w) slot(kOne)[w] = ~uint64_t{0};
  reset();
}

void Evaluator::reset() {
  for (const auto& r : p_.registers)
    for (unsigned w = 0; w < words_; ++w) slot(r.state)[w] = r.init ? ~uint64_t{0} : 0;
}

void Evaluator::run(const std::vector<Program::Instr>& prog) {
  uint64_t* v = values_.data();
  const uint32_t* pins = p_.lut_pins.data();
  const uint64_t* tables = p_.lut_tables.data();
  switch (words_) {
    case 1: return run1(prog.data(), prog.size(), v, pins, tables);
    case 4: return run4(prog.data(), prog.size(), v, pins, tables);
    case 8: return run8(prog.data(), prog.size(), v, pins, tables);
    case 16: return run16(prog.data(), prog.size(), v, pins, tables);
    case 32: return run32(prog.data(), prog.size(), v, pins, tables);
    case 64: return run64(prog.data(), prog.size(), v, pins, tables);
    case 128: return run128(prog.data(), prog.size(), v, pins, tables);
  }
  // Widths without a specialized kernel run word by word on a strided copy.
  std::vector<uint64_t> lane(values_.size() / words_);
  for (unsigned w = 0; w < words_; ++w) {
    for (size_t s = 0; s < lane.size(); ++s) lane[s] = values_[s * words_ + w];
    run1(prog.data(), prog.size(), lane.data(), pins, tables);
    for (size_t s = 0; s < lane.size(); ++s) values_[s * words_ + w] = lane[s];
  }
}

void Evaluator::eval() { run(p_.comb); }

void Evaluator::eval_next() { run(p_.next); }

void transpose64(uint64_t m[64]) {
  // Swap ever smaller off-diagonal blocks: 32 x 32, then 16 x 16, ... 1 x 1.
  uint64_t mask = 0x00000000ffffffffull;
  for (unsigned j = 32; j != 0; j >>= 1, mask ^= mask << j) {
    for (unsigned k = 0; k < 64; k = ((k | j) + 1) & ~j) {
      const uint64_t t = ((m[k] >> j) ^ m[k | j]) & mask;
      m[k] ^= t << j;
      m[k | j] ^= t;
    }
  }
}

void Evaluator::step() {
  run(p_.next);
  for (const auto& r : p_.registers)
    for (unsigned w = 0; w < words_; ++w) slot(r.state)[w] = slot(r.staging)[w];
}

}  // namespace lutforge

namespace lutforge {
namespace {

// One operation other than Lut on bytes; bit 0 is the value.
inline void run_bytes_one(const Instr& i, uint8_t* __restrict v) {
  v[i.dst] = apply_op<uint8_t>(i.op, v[i.a], v[i.b], v[i.c]);
}

}  // namespace

ScalarEvaluator::ScalarEvaluator(Program program) : p_(std::move(program)) {
  if (!p_.scalar)
    throw Error("ScalarEvaluator: the program was not compiled with CompileParams::scalar");
  values_.assign(p_.num_slots, 0);
  values_[kOne] = 1;
  next_is_copies_ =
      std::all_of(p_.next.begin(), p_.next.end(), [](const Instr& i) { return i.op == Op::Copy; });
  assert(
      std::none_of(p_.next.begin(), p_.next.end(), [](const Instr& i) { return i.op == Op::Lut; }));
  if (next_is_copies_) order_in_place();
  for (const Instr& i : p_.comb) {
    Step st{i.dst, i.op, i.a, i.b, i.c, {}, 0};
    if (i.op == Op::Lut) {
      std::copy(p_.lut_pins.begin() + i.a, p_.lut_pins.begin() + i.a + 6, st.pins);
      st.table = p_.lut_tables[i.b];
    }
    comb_.push_back(st);
  }
  reset();
}

void ScalarEvaluator::reset() {
  for (const auto& r : p_.registers) values_[r.state] = r.init ? 1 : 0;
}

void ScalarEvaluator::order_in_place() {
  // Register r reads `source[r]`; if that is register q's state, r must be written before q.
  std::unordered_map<uint32_t, size_t> by_staging, by_state;
  for (size_t r = 0; r < p_.registers.size(); ++r) {
    by_staging[p_.registers[r].staging] = r;
    by_state[p_.registers[r].state] = r;
  }
  std::vector<uint32_t> source(p_.registers.size(), 0);
  std::vector<bool> has_source(p_.registers.size(), false);
  for (const Instr& i : p_.next) {
    auto it = by_staging.find(i.dst);
    if (it == by_staging.end()) return;  // a copy into a temporary: keep the two-phase step
    source[it->second] = i.a;
    has_source[it->second] = true;
  }
  // readers[q]: registers that read q's state. Kahn's algorithm on "reader before q".
  std::vector<std::vector<size_t>> readers(p_.registers.size());
  std::vector<unsigned> pending(p_.registers.size(), 0);
  for (size_t r = 0; r < source.size(); ++r) {
    if (!has_source[r]) return;
    auto q = by_state.find(source[r]);
    if (q != by_state.end() && q->second != r) {
      readers[q->second].push_back(r);
      ++pending[q->second];
    } else if (q != by_state.end()) {
      continue;  // a register that holds itself
    }
  }
  std::vector<size_t> ready;
  for (size_t r = 0; r < pending.size(); ++r)
    if (pending[r] == 0) ready.push_back(r);
  std::vector<std::pair<uint32_t, uint32_t>> order;
  while (!ready.empty()) {
    const size_t r = ready.back();
    ready.pop_back();
    order.emplace_back(p_.registers[r].state, source[r]);
    // r is written now; the register r reads may be written once all of its readers are.
    auto q = by_state.find(source[r]);
    if (q != by_state.end() && q->second != r && --pending[q->second] == 0)
      ready.push_back(q->second);
  }
  if (order.size() == p_.registers.size()) in_place_ = std::move(order);  // else a loop of copies
}

void ScalarEvaluator::eval() {
  uint8_t* __restrict v = values_.data();
  for (const Step& i : comb_) {
    if (i.op == Op::Lut) {
      const unsigned idx = (v[i.pins[0]] & 1u) | (v[i.pins[1]] & 1u) << 1 |
                           (v[i.pins[2]] & 1u) << 2 | (v[i.pins[3]] & 1u) << 3 |
                           (v[i.pins[4]] & 1u) << 4 | (v[i.pins[5]] & 1u) << 5;
      v[i.dst] = static_cast<uint8_t>((i.table >> idx) & 1);
      continue;
    }
    const Instr in{i.op, i.dst, i.a, i.b, i.c};
    run_bytes_one(in, v);
  }
}

void ScalarEvaluator::step() {
  if (!in_place_.empty()) {
    uint8_t* v = values_.data();
    for (const auto& [state, src] : in_place_) v[state] = v[src];
    return;
  }
  if (next_is_copies_) {
    uint8_t* v = values_.data();
    for (const Instr& i : p_.next) v[i.dst] = v[i.a];
  } else {
    for (const Instr& i : p_.next) run_bytes_one(i, values_.data());  // next-state logic has no Lut
  }
  for (const auto& r : p_.registers) values_[r.state] = values_[r.staging];
}

}  // namespace lutforge
