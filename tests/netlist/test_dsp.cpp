// The registered DSP slice against a cycle model written here from the documented pipeline: each
// register starts at 0, a sample's operands meet at the multiplier and at the post-adder, and
// the accumulator keeps P while ZEN is 1.
#include <catch2/catch.hpp>
#include <random>

#include "base/error.hpp"
#include "netlist/dsp.hpp"
#include "netlist/eval.hpp"
#include "netlist/vectors.hpp"
#include "tests/support/dsp_model.hpp"

using namespace lutforge;

namespace {

uint64_t val(const BitVector& v) { return v.empty() ? 0 : v[0]; }

struct Built {
  Netlist nl;
  std::vector<std::string> ports;  // input port names in order
};

Built build(const DspConfig& c) {
  Built b;
  auto port = [&](const char* name, uint32_t width) {
    std::vector<Signal> bits;
    if (!width) return bits;
    const NodeId n = b.nl.add_input(name, width);
    b.ports.push_back(name);
    for (uint32_t i = 0; i < width; ++i) bits.push_back({n, i});
    return bits;
  };
  DspPorts p;
  p.a = port("a", c.arithmetic.a_width);
  p.b = port("b", c.arithmetic.b_width);
  p.c = port("c", c.arithmetic.c_width);
  p.d = port("d", c.arithmetic.d_width);
  if (c.accumulate) p.zen = port("zen", 1)[0];
  b.nl.set_clock_name("clk");
  b.nl.add_output("p", add_dsp(b.nl, c, p, "dsp"));
  return b;
}

}  // namespace

TEST_CASE("registered DSP slices: P follows the operands by their latency, accumulating on ZEN",
          "[eval][dsp]") {
  std::mt19937_64 rng(31);
  int built = 0;
  for (int trial = 0; trial < 200 && built < 60; ++trial) {
    DspConfig c;
    c.arithmetic = testing::random_dsp(rng);
    c.arithmetic.z_width = 0;
    c.arithmetic.has_z_enable = false;
    c.areg = rng() % 3;
    c.adreg = c.arithmetic.pre_add != PackedDsp::PreAdd::None && (rng() & 1);
    c.mreg = rng() & 1;
    c.preg = rng() & 1;
    c.accumulate = c.preg && (rng() & 1);
    c.breg = c.areg + c.adreg;
    c.dreg = c.areg;
    c.creg = c.areg + c.adreg + c.mreg;
    if (c.breg > 2 || (c.arithmetic.d_width && c.dreg > 2)) continue;
    ++built;
    Built b = build(c);
    INFO("trial " << trial << ": AREG " << c.areg << " ADREG " << c.adreg << " MREG " << c.mreg
                  << " PREG " << c.preg << " accumulate " << c.accumulate);
    REQUIRE(verify(b.nl).empty());
    const size_t cycles = 120;
    const VectorTable in = random_vectors(b.nl, cycles, trial);
    const VectorTable out = simulate(b.nl, in, cycles);
    // The model: the product of cycle t's operands reaches the post-adder at cycle
    // t + AREG + ADREG + MREG; P's register takes the post-adder's value at each edge.
    const unsigned to_post = c.areg + c.adreg + c.mreg;
    const uint32_t w = c.arithmetic.p_width;
    auto operands = [&](long t) {
      testing::DspOperands o;
      if (t < 0) {
        o.a = o.b = o.c = o.d = 0;  // the registers' initial zeros
        return o;
      }
      size_t col = 0;
      o.a = val(in.rows[t][col++]);
      o.b = val(in.rows[t][col++]);
      if (c.arithmetic.c_width) o.c = val(in.rows[t][col++]);
      if (c.arithmetic.d_width) o.d = val(in.rows[t][col++]);
      return o;
    };
    uint64_t p_reg = 0;
    for (size_t u = 0; u < cycles; ++u) {
      const uint64_t post = testing::dsp_model(c.arithmetic, operands(long(u) - long(to_post)));
      uint64_t value = post;
      if (c.accumulate) {
        const bool zen = val(in.rows[u].back()) & 1;
        value = (post + (zen ? p_reg : 0)) & testing::dsp_mask(w);
      }
      const uint64_t shown = c.preg ? p_reg : value;
      INFO("cycle " << u);
      REQUIRE(val(out.rows[u][0]) == shown);
      p_reg = value;
    }
    CHECK(dsp_latency(c) == to_post + c.preg);
  }
  CHECK(built >= 40);
}

TEST_CASE("a slice configuration whose operands would not meet is rejected by name", "[dsp]") {
  auto message = [](const DspConfig& c) {
    try {
      check_dsp_config(c, "mac3");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  DspConfig c;
  c.arithmetic = PackedDsp{8, 8, 16, 20, true};
  c.areg = c.breg = 1;
  c.creg = 1;
  CHECK(message(c) == "no error");
  c.breg = 0;
  CHECK(message(c) ==
        "DSP slice 'mac3': BREG 0 does not match the A path's 1 stages to the multiplier");
  c.breg = 1;
  c.mreg = true;
  CHECK(message(c) == "DSP slice 'mac3': C's 1 stages do not match the 2 stages to the post-adder");
  c.mreg = false;
  c.accumulate = true;
  CHECK(message(c) == "DSP slice 'mac3': accumulation needs the P register");
}
