// DSP packing against a search written here from the slice's port widths, an integer model of
// accumulation, exhaustive simulation, the prover, and iverilog replaying its counterexample.
#include <catch2/catch.hpp>

#include "models/dsp_packing.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::models;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

using i128 = __int128;

struct Operand {
  unsigned bits;
  bool is_signed;
  int64_t lo() const { return is_signed ? -(int64_t{1} << (bits - 1)) : 0; }
  int64_t hi() const {
    return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
  }
};

// Whether `count` fields of `stride` bits hold products of x and y summed `sums` times, by
// walking the operand values themselves (no closed form): every product's sum must stay within
// the field's signed range, the packed X within the multiplicand, y within the multiplier, and the
// fields within P.
bool feasible(Operand x, Operand y, unsigned count, unsigned stride, uint64_t sums,
              SlicePorts ports) {
  if (count * stride > ports.p) return false;
  if (y.bits + (y.is_signed ? 0 : 1) > ports.multiplier) return false;
  const i128 half = i128{1} << (stride - 1);
  for (int64_t a = x.lo(); a <= x.hi(); ++a)
    for (int64_t b : {y.lo(), y.hi(), int64_t{0}}) {
      const i128 sum = i128{a} * b * sums;
      if (sum < -half || sum >= half) return false;
    }
  const i128 m = i128{1} << (ports.multiplicand - 1);
  for (int64_t v : {x.lo(), x.hi()}) {
    i128 packed = 0;
    for (unsigned k = 0; k < count; ++k) packed += i128{v} << (k * stride);
    if (packed < -m || packed >= m) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("best packing: the most products and guard bits, as a search over the ports finds",
          "[dsp]") {
  for (DspFamily f : {DspFamily::DSP48E1, DspFamily::DSP48E2})
    for (bool xs : {true, false})
      for (bool ys : {false, true})
        for (unsigned xb = 1; xb <= 8; ++xb)
          for (unsigned yb = 1; yb <= 8; ++yb) {
            const Operand x{xb, xs}, y{yb, ys};
            const SlicePorts ports = slice_ports(f);
            unsigned best_count = 0, best_stride = 0;
            for (unsigned count = 1; count <= 48; ++count)
              for (unsigned stride = 1; stride <= 48; ++stride)
                if (feasible(x, y, count, stride, 1, ports) &&
                    (count > best_count || (count == best_count && stride > best_stride))) {
                  best_count = count;
                  best_stride = stride;
                }
            INFO(family_name(f) << " x " << xb << (xs ? "s" : "u") << " y " << yb
                                << (ys ? "s" : "u"));
            const auto c = best_packing(f, xb, xs, yb, ys);
            REQUIRE(c.has_value());
            CHECK(c->count == best_count);
            CHECK(c->stride == best_stride);
            // The accumulations it reports fit, and one more does not.
            CHECK(feasible(x, y, c->count, c->stride, c->accumulations, ports));
            CHECK_FALSE(feasible(x, y, c->count, c->stride, c->accumulations + 1, ports));
          }
}

TEST_CASE("packed accumulations extract exactly up to the guard bits, and overflow one past them",
          "[dsp]") {
  // An integer model of P += X * y over a sequence of operands, with the borrow correction.
  auto run = [](const PackingConfig& c, const std::vector<std::vector<int64_t>>& xs,
                const std::vector<int64_t>& ys) {
    i128 p = 0;
    std::vector<int64_t> expected(c.count, 0);
    for (size_t t = 0; t < ys.size(); ++t) {
      i128 packed = 0;
      for (unsigned k = 0; k < c.count; ++k) {
        packed += i128{xs[t][k]} << (k * c.stride);
        expected[k] += xs[t][k] * ys[t];
      }
      p += packed * ys[t];
    }
    const i128 modulus = i128{1} << 48;
    p = ((p % modulus) + modulus) % modulus;  // P's 48 bits
    bool all = true;
    for (unsigned k = 0; k < c.count; ++k) {
      const unsigned lo = k * c.stride;
      uint64_t field = uint64_t(p >> lo) & ((uint64_t{1} << c.stride) - 1);
      if (k > 0) field = (field + uint64_t((p >> (lo - 1)) & 1)) & ((uint64_t{1} << c.stride) - 1);
      int64_t v = int64_t(field);
      if ((v >> (c.stride - 1)) & 1) v -= int64_t{1} << c.stride;
      all = all && v == expected[k];
    }
    return all;
  };
  for (unsigned xb : {2u, 3u, 4u})
    for (unsigned yb : {2u, 3u, 4u}) {
      const auto c = best_packing(DspFamily::DSP48E2, xb, true, yb, false);
      REQUIRE(c.has_value());
      INFO("x " << xb << " y " << yb << ": " << c->count << " products, stride " << c->stride
                << ", " << c->accumulations << " accumulations");
      const Operand x{xb, true}, y{yb, false};
      // The extremes: every field at its most negative product, or at its most positive.
      for (int64_t xv : {x.lo(), x.hi()}) {
        const uint64_t n = c->accumulations;
        std::vector<std::vector<int64_t>> xs(n + 1, std::vector<int64_t>(c->count, xv));
        std::vector<int64_t> ys(n + 1, y.hi());
        CHECK(run(*c, {xs.begin(), xs.begin() + n}, {ys.begin(), ys.begin() + n}));
        if (xv == x.lo()) CHECK_FALSE(run(*c, xs, ys));  // the negative side is the tight one
      }
      // Mixed signs across fields, at the bound.
      std::vector<std::vector<int64_t>> xs(c->accumulations, std::vector<int64_t>(c->count));
      for (auto& row : xs)
        for (unsigned k = 0; k < c->count; ++k) row[k] = k % 2 ? x.hi() : x.lo();
      CHECK(run(*c, xs, std::vector<int64_t>(c->accumulations, y.hi())));
    }
}

TEST_CASE("every packing of 1..8-bit operands equals its unpacked products on every operand value",
          "[dsp]") {
  size_t checked = 0;
  for (DspFamily f : {DspFamily::DSP48E1, DspFamily::DSP48E2})
    for (bool xs : {true, false})
      for (unsigned xb = 1; xb <= 8; ++xb)
        for (unsigned yb = 1; yb <= 8; ++yb) {
          const auto c = best_packing(f, xb, xs, yb, false);
          REQUIRE(c.has_value());
          if (c->count * xb + yb > 20) continue;  // the widest are in the benchmark
          INFO(family_name(f) << " x " << xb << " y " << yb);
          const PackingCheck good = enumerate_packing(*c, f);
          CHECK(good.vectors == uint64_t{1} << (c->count * xb + yb));
          CHECK(good.mismatching == 0);
          // Without the correction, a negative lower product corrupts the field above it.
          if (c->count >= 2 && xs) {
            const PackingCheck bad = enumerate_packing(*c, f, false);
            CHECK(bad.mismatching > 0);
          }
          ++checked;
        }
  CHECK(checked > 150);
}

TEST_CASE("a slice packed without the borrow correction is refuted, and iverilog replays it",
          "[dsp][iverilog]") {
  const fs::path dir = temp_dir("dsp_borrow");
  for (const bool correct : {true, false}) {
    const fs::path sub = dir / (correct ? "good" : "bad");
    const RunResult w = run_lutforge("dsp-packing --x-bits 4 --y-bits 4 --write " + sub.string() +
                                     (correct ? "" : " --no-borrow-correction"));
    INFO(w.out << w.err);
    REQUIRE(w.exit_code == 0);
    const RunResult e = run_lutforge("equiv " + (sub / "unpacked.json").string() + " " +
                                     (sub / "packed.json").string() + " --counterexample-tb " +
                                     (sub / "cex.v").string());
    INFO(e.out << e.err);
    if (correct) {
      CHECK(e.exit_code == 0);
      continue;
    }
    REQUIRE(e.exit_code == 1);
    CHECK(e.out.find("NOT EQUIVALENT") != std::string::npos);
    const RunResult replay =
        run("cd " + sub.string() + " && iverilog -g2012 -o cex.vvp cex.v && vvp -n cex.vvp");
    INFO(replay.out << replay.err);
    CHECK(replay.out.find("REPRODUCED") != std::string::npos);
    CHECK(replay.out.find("NOT REPRODUCED") == std::string::npos);
  }
}

TEST_CASE("dsp-packing rejects bad options with one-line messages", "[dsp]") {
  auto err = [](const std::string& args) {
    const RunResult r = run_lutforge("dsp-packing " + args);
    CHECK(r.exit_code == 2);
    return r.err;
  };
  CHECK(err("--family dsp58") ==
        "lutforge dsp-packing: error: --family: expected dsp48e1 or dsp48e2, got 'dsp58'\n");
  CHECK(err("--x-bits 0") ==
        "lutforge dsp-packing: error: --x-bits: expected a width of 1..24 or a range such as 2..8, "
        "got '0'\n");
  CHECK(err("--y-bits 8..2") ==
        "lutforge dsp-packing: error: --y-bits: expected a width of 1..24 or a range such as 2..8, "
        "got '8..2'\n");
  CHECK(err("--write /tmp/x --x-bits 2..3 --y-bits 2") ==
        "lutforge dsp-packing: error: --write: give single widths with --x-bits and --y-bits\n");
  CHECK(err("--accumulations 0") ==
        "lutforge dsp-packing: error: --accumulations: must be at least 1\n");
}
