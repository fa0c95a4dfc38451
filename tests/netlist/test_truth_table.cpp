#include <catch2/catch.hpp>
#include <random>

#include "netlist/truth_table.hpp"

using namespace lutforge;

namespace {
// A reference evaluation of random functions: bit i of a plain vector<bool>.
TruthTable random_table(unsigned k, std::mt19937_64& rng, std::vector<bool>& ref) {
  TruthTable tt(k);
  ref.assign(size_t{1} << k, false);
  for (size_t i = 0; i < ref.size(); ++i) {
    ref[i] = rng() & 1;
    set_bit(tt, i, ref[i]);
  }
  return tt;
}
}  // namespace

TEST_CASE("truth table bit access, across the one-word boundary", "[truth_table]") {
  std::mt19937_64 rng(1);
  for (unsigned k = 0; k <= 10; ++k) {
    std::vector<bool> ref;
    const TruthTable tt = random_table(k, rng, ref);
    REQUIRE(tt.num_vars() == k);
    REQUIRE(tt.num_bits() == ref.size());
    for (size_t i = 0; i < ref.size(); ++i) REQUIRE(get_bit(tt, i) == ref[i]);
    uint64_t ones = 0;
    for (bool b : ref) ones += b;
    CHECK(count_ones(tt) == ones);
  }
}

TEST_CASE("projections and cofactors agree with pointwise definitions", "[truth_table]") {
  std::mt19937_64 rng(2);
  for (unsigned k = 1; k <= 10; ++k) {
    std::vector<bool> ref;
    const TruthTable tt = random_table(k, rng, ref);
    for (unsigned v = 0; v < k; ++v) {
      const TruthTable x = make_var(k, v);
      const TruthTable c0 = cofactor0(tt, v), c1 = cofactor1(tt, v), fl = flip_var(tt, v);
      bool depends = false;
      for (size_t i = 0; i < ref.size(); ++i) {
        REQUIRE(get_bit(x, i) == bool((i >> v) & 1));
        const size_t i0 = i & ~(size_t{1} << v), i1 = i | (size_t{1} << v);
        REQUIRE(get_bit(c0, i) == ref[i0]);
        REQUIRE(get_bit(c1, i) == ref[i1]);
        REQUIRE(get_bit(fl, i) == ref[i ^ (size_t{1} << v)]);
        depends = depends || ref[i0] != ref[i1];
      }
      CHECK(depends_on(tt, v) == depends);
      CHECK_FALSE(depends_on(c0, v));
    }
  }
}

TEST_CASE("support finds exactly the inputs a function depends on", "[truth_table]") {
  for (unsigned k = 1; k <= 9; ++k) {
    // f = x0 XOR x(k-1) depends on just those two inputs (one when k = 1).
    const TruthTable f = make_var(k, 0) ^ make_var(k, k - 1);
    const uint32_t expected = k == 1 ? 0u : (1u | (1u << (k - 1)));
    CHECK(support(f) == expected);
    CHECK(support(make_constant(k, true)) == 0);
    if (k > 1) {
      const TruthTable s = shrink_to(f, {0, k - 1});
      CHECK(s == (make_var(2, 0) ^ make_var(2, 1)));
    }
  }
}

TEST_CASE("split_top gives the cofactors of the highest input", "[truth_table]") {
  std::mt19937_64 rng(3);
  for (unsigned k = 1; k <= 9; ++k) {
    std::vector<bool> ref;
    const TruthTable tt = random_table(k, rng, ref);
    auto [lo, hi] = split_top(tt);
    REQUIRE(lo.num_vars() == k - 1);
    const size_t half = size_t{1} << (k - 1);
    for (size_t i = 0; i < half; ++i) {
      REQUIRE(get_bit(lo, i) == ref[i]);
      REQUIRE(get_bit(hi, i) == ref[i + half]);
    }
  }
}

TEST_CASE("remap_vars permutes and merges inputs", "[truth_table]") {
  // f(x0, x1, x2) = x0 & ~x1 | x2; g(y0, y1) = f(y1, y0, y1) = y1 & ~y0 | y1 = y1.
  const TruthTable f = (make_var(3, 0) & ~make_var(3, 1)) | make_var(3, 2);
  CHECK(remap_vars(f, {1, 0, 1}, 2) == make_var(2, 1));
  // A permutation: h(y0, y1, y2) = f(y2, y0, y1).
  const TruthTable h = remap_vars(f, {2, 0, 1}, 3);
  for (unsigned y = 0; y < 8; ++y) {
    const unsigned x = ((y >> 2) & 1) | (((y >> 0) & 1) << 1) | (((y >> 1) & 1) << 2);
    CHECK(get_bit(h, y) == get_bit(f, x));
  }
}

TEST_CASE("hex and binary follow Yosys and Xilinx INIT order", "[truth_table]") {
  // A 2-input AND is INIT = 4'h8 (only index 3 = I1 I0 = 11 is set).
  CHECK(to_hex(make_var(2, 0) & make_var(2, 1)) == "8");
  CHECK(to_binary(make_var(2, 0) & make_var(2, 1)) == "1000");
  // LUT6 O = I0 is 64'hAAAAAAAAAAAAAAAA.
  CHECK(to_hex(make_var(6, 0)) == "aaaaaaaaaaaaaaaa");
  // A 1-input inverter is 2'b01, printed as one hex digit.
  CHECK(to_hex(~make_var(1, 0)) == "1");
  CHECK(to_binary(~make_var(1, 0)) == "01");
  std::mt19937_64 rng(4);
  for (unsigned k = 0; k <= 10; ++k) {
    std::vector<bool> ref;
    const TruthTable tt = random_table(k, rng, ref);
    TruthTable a, b;
    REQUIRE(from_hex(to_hex(tt), k, a));
    REQUIRE(from_binary(to_binary(tt), k, b));
    CHECK(a == tt);
    CHECK(b == tt);
  }
  TruthTable t;
  CHECK_FALSE(from_hex("1f", 2, t));  // 5 bits set beyond a 4-bit table
  CHECK_FALSE(from_binary("10101", 2, t));
  CHECK_FALSE(from_hex("g", 2, t));
  CHECK(from_binary("x1", 1, t));  // x reads as 0
  CHECK(to_binary(t) == "01");
}

TEST_CASE("difflogic gate numbering", "[truth_table]") {
  // id = 8 f(0,0) + 4 f(0,1) + 2 f(1,0) + f(1,1), checked against named functions.
  auto f = [](unsigned id, bool a, bool b) {
    return get_bit(make_gate(id), unsigned(a) | (unsigned(b) << 1));
  };
  for (bool a : {false, true})
    for (bool b : {false, true}) {
      CHECK(f(0, a, b) == false);
      CHECK(f(1, a, b) == (a && b));
      CHECK(f(2, a, b) == (a && !b));
      CHECK(f(3, a, b) == a);
      CHECK(f(4, a, b) == (!a && b));
      CHECK(f(5, a, b) == b);
      CHECK(f(6, a, b) == (a != b));
      CHECK(f(7, a, b) == (a || b));
      CHECK(f(8, a, b) == !(a || b));
      CHECK(f(9, a, b) == (a == b));
      CHECK(f(10, a, b) == !b);
      CHECK(f(11, a, b) == (a || !b));
      CHECK(f(12, a, b) == !a);
      CHECK(f(13, a, b) == (!a || b));
      CHECK(f(14, a, b) == !(a && b));
      CHECK(f(15, a, b) == true);
    }
}

TEST_CASE("wide tables up to the limit", "[truth_table]") {
  const TruthTable t = make_var(20, 19) & make_var(20, 3);
  CHECK(count_ones(t) == (uint64_t{1} << 18));
  CHECK(support(t) == ((1u << 19) | (1u << 3)));
  CHECK_THROWS(TruthTable(TruthTable::kMaxVars + 1));
}
