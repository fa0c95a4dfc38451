// The evaluator against independent references: table look-ups, integer arithmetic and a
// step-by-step register model written here.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "base/error.hpp"
#include "netlist/eval.hpp"
#include "netlist/generate.hpp"
#include "netlist/vectors.hpp"
#include "tests/support/dsp_model.hpp"

using namespace lutforge;

namespace {

uint64_t val(const BitVector& v) { return v.empty() ? 0 : v[0]; }
int64_t sext(uint64_t v, uint32_t w) {
  return w >= 64 ? int64_t(v) : int64_t(v << (64 - w)) >> (64 - w);
}
uint64_t mask(uint32_t w) { return w >= 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1; }

// One input port per operand, named in0, in1, ...
std::vector<Signal> add_inputs(Netlist& nl, const std::vector<uint32_t>& widths) {
  std::vector<Signal> pins;
  for (size_t i = 0; i < widths.size(); ++i) {
    const NodeId n = nl.add_input("in" + std::to_string(i), widths[i]);
    for (uint32_t b = 0; b < widths[i]; ++b) pins.push_back({n, b});
  }
  return pins;
}

void add_output_of(Netlist& nl, NodeId cell) {
  std::vector<Signal> bits;
  for (uint32_t b = 0; b < num_output_bits(nl.cell(cell)); ++b) bits.push_back({cell, b});
  nl.add_output("y", bits);
}

}  // namespace

TEST_CASE("LUTs of 1 to 12 inputs evaluate their table", "[eval]") {
  std::mt19937_64 rng(10);
  for (unsigned k = 1; k <= 12; ++k) {
    Netlist nl;
    const auto pins = add_inputs(nl, {k});
    TruthTable tt(k);
    for (size_t w = 0; w < tt.num_words(); ++w) tt.words()[w] = rng();
    if (k < 6) tt.words()[0] &= (uint64_t{1} << (1u << k)) - 1;
    add_output_of(nl, nl.add_cell(Lut{tt}, pins));
    const VectorTable in = random_vectors(nl, 1000, k);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r)
      REQUIRE(val(out.rows[r][0]) == get_bit(tt, val(in.rows[r][0])));
  }
}

TEST_CASE("a ROM gives the word at its address, in the vector and the scalar evaluator", "[eval]") {
  std::mt19937_64 rng(11);
  for (const uint32_t aw : {1u, 5u, 10u}) {
    const uint32_t width = 13;
    std::vector<uint64_t> words(size_t{1} << aw);
    Rom rom{aw, std::vector<TruthTable>(width, TruthTable(aw))};
    for (uint64_t a = 0; a < words.size(); ++a) {
      words[a] = rng() & mask(width);
      for (uint32_t b = 0; b < width; ++b)
        if ((words[a] >> b) & 1) set_bit(rom.data[b], a);
    }
    Netlist nl;
    const auto pins = add_inputs(nl, {aw});
    add_output_of(nl, nl.add_cell(rom, pins, "rom"));
    REQUIRE(verify(nl).empty());
    const VectorTable in = random_vectors(nl, 500, aw);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r)
      REQUIRE(val(out.rows[r][0]) == words[val(in.rows[r][0])]);
    CompileParams scalar_params;
    scalar_params.scalar = true;
    ScalarEvaluator scalar(compile(nl, scalar_params));
    for (uint64_t a = 0; a < words.size(); ++a) {
      for (uint32_t i = 0; i < aw; ++i) *scalar.input(0, i) = (a >> i) & 1;
      scalar.eval();
      uint64_t w = 0;
      for (uint32_t b = 0; b < width; ++b) w |= uint64_t{*scalar.output(0, b) & 1u} << b;
      REQUIRE(w == words[a]);
    }
  }
  Netlist bad;
  const auto pins = add_inputs(bad, {2});
  add_output_of(bad, bad.add_cell(Rom{2, {TruthTable(2), TruthTable(3)}}, pins, "w"));
  const auto problems = verify(bad);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == "rom 'w' has a data bit that is not a function of its 2 address bits");
}

TEST_CASE("LUTs with structure: constants, literals, XOR chains", "[eval]") {
  for (const TruthTable& tt :
       {make_constant(3, false), make_constant(3, true), make_var(4, 2), ~make_var(4, 3),
        make_var(5, 0) ^ make_var(5, 1) ^ make_var(5, 4), make_var(7, 6) & make_var(7, 0)}) {
    Netlist nl;
    const auto pins = add_inputs(nl, {tt.num_vars()});
    add_output_of(nl, nl.add_cell(Lut{tt}, pins));
    const VectorTable in = random_vectors(nl, 300, 1);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r)
      REQUIRE(val(out.rows[r][0]) == get_bit(tt, val(in.rows[r][0])));
  }
}

TEST_CASE("all 16 gates", "[eval]") {
  for (unsigned id = 0; id < 16; ++id) {
    Netlist nl;
    const auto pins = add_inputs(nl, {1, 1});
    add_output_of(nl, nl.add_cell(Gate{uint8_t(id)}, pins));
    const VectorTable in = random_vectors(nl, 100, id);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r) {
      const bool a = val(in.rows[r][0]), b = val(in.rows[r][1]);
      const bool expect = (id >> (3 - (unsigned(a) * 2 + unsigned(b)))) & 1;
      REQUIRE(bool(val(out.rows[r][0])) == expect);
    }
  }
}

TEST_CASE("adders: signed and unsigned operands, popcount, truncation", "[eval]") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    Adder a;
    a.width = 1 + rng() % 14;
    const size_t n = 1 + rng() % 6;
    std::vector<uint32_t> widths;
    for (size_t i = 0; i < n; ++i) {
      a.operands.push_back({uint32_t(1 + rng() % 10), bool(rng() & 1)});
      widths.push_back(a.operands.back().width);
    }
    Netlist nl;
    const auto pins = add_inputs(nl, widths);
    add_output_of(nl, nl.add_cell(a, pins));
    const VectorTable in = random_vectors(nl, 200, trial);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r) {
      int64_t sum = 0;
      for (size_t i = 0; i < n; ++i) {
        const uint64_t v = val(in.rows[r][i]);
        sum += a.operands[i].is_signed ? sext(v, a.operands[i].width) : int64_t(v);
      }
      REQUIRE(val(out.rows[r][0]) == (uint64_t(sum) & mask(a.width)));
    }
  }
  // A 24-input popcount.
  Adder pc;
  pc.width = 5;
  pc.operands.assign(24, {1, false});
  Netlist nl;
  const auto pins = add_inputs(nl, {24});
  add_output_of(nl, nl.add_cell(pc, pins));
  const VectorTable in = random_vectors(nl, 500, 3);
  const VectorTable out = simulate(nl, in, in.rows.size());
  for (size_t r = 0; r < in.rows.size(); ++r)
    REQUIRE(val(out.rows[r][0]) == uint64_t(__builtin_popcountll(val(in.rows[r][0]))));
}

TEST_CASE("argmax picks the first largest word", "[eval]") {
  std::mt19937_64 rng(12);
  for (bool is_signed : {false, true})
    for (uint32_t count : {2u, 3u, 5u, 10u}) {
      const uint32_t width = 1 + rng() % 5;  // narrow words make ties common
      Netlist nl;
      const auto pins = add_inputs(nl, std::vector<uint32_t>(count, width));
      add_output_of(nl, nl.add_cell(ArgMax{count, width, is_signed}, pins));
      const VectorTable in = random_vectors(nl, 400, count + width);
      const VectorTable out = simulate(nl, in, in.rows.size());
      for (size_t r = 0; r < in.rows.size(); ++r) {
        size_t best = 0;
        auto word = [&](size_t i) {
          const uint64_t v = val(in.rows[r][i]);
          return is_signed ? sext(v, width) : int64_t(v);
        };
        for (size_t i = 1; i < count; ++i)
          if (word(i) > word(best)) best = i;
        REQUIRE(val(out.rows[r][0]) == best);
      }
    }
}

TEST_CASE("packed DSP: pre-adder, multiplier and post-adder against an integer model", "[eval]") {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 60; ++trial) {
    const PackedDsp d = testing::random_dsp(rng);
    Netlist nl;
    std::vector<uint32_t> widths;
    for (uint32_t w :
         {d.a_width, d.b_width, d.c_width, d.d_width, d.z_width, uint32_t(d.has_z_enable)})
      if (w) widths.push_back(w);
    add_output_of(nl, nl.add_cell(d, add_inputs(nl, widths)));
    REQUIRE(verify(nl).empty());
    const VectorTable in = random_vectors(nl, 300, trial);
    const VectorTable out = simulate(nl, in, in.rows.size());
    for (size_t r = 0; r < in.rows.size(); ++r) {
      size_t port = 0;
      auto next = [&](uint32_t w) { return w ? val(in.rows[r][port++]) : 0; };
      testing::DspOperands o;
      o.a = next(d.a_width);
      o.b = next(d.b_width);
      o.c = next(d.c_width);
      o.d = next(d.d_width);
      o.z = next(d.z_width);
      o.zen = d.has_z_enable ? next(1) != 0 : true;
      INFO("trial " << trial << " row " << r);
      REQUIRE(val(out.rows[r][0]) == testing::dsp_model(d, o));
    }
  }
}

TEST_CASE("registers: init, enable, synchronous and asynchronous resets", "[eval]") {
  // Every combination of controls, against a model of the documented semantics.
  for (unsigned combo = 0; combo < 32; ++combo) {
    Dff d;
    d.init = combo & 1;
    d.has_enable = combo & 2;
    d.has_sync_reset = combo & 4;
    d.sync_reset_value = combo & 8;
    d.sync_reset_needs_enable = d.has_enable && d.has_sync_reset && (combo & 16);
    d.has_async_reset = (combo & 16) && !d.sync_reset_needs_enable;
    d.async_reset_value = !d.init;
    Netlist nl;
    const NodeId in = nl.add_input("c", 4);  // D, EN, SRST, ARST
    std::vector<Signal> f = {{in, 0}};
    if (d.has_enable) f.push_back({in, 1});
    if (d.has_sync_reset) f.push_back({in, 2});
    if (d.has_async_reset) f.push_back({in, 3});
    const NodeId r = nl.add_cell(d, f, "r");
    nl.add_output("q", {{r, 0}});
    const VectorTable stim = random_vectors(nl, 200, combo);
    const VectorTable out = simulate(nl, stim, stim.rows.size());
    CompileParams cp;
    cp.scalar = true;
    ScalarEvaluator scalar(compile(nl, cp));  // the clocked engine's evaluator, on the same model
    bool state = d.init;
    for (size_t t = 0; t < stim.rows.size(); ++t) {
      const uint64_t c = val(stim.rows[t][0]);
      for (uint32_t b = 0; b < 4; ++b) scalar.input(0, b)[0] = (c >> b) & 1;
      scalar.eval();
      const bool D = c & 1, en = !d.has_enable || (c & 2), srst = d.has_sync_reset && (c & 4),
                 arst = d.has_async_reset && (c & 8);
      const bool q = arst ? d.async_reset_value : state;
      INFO("combo " << combo << " cycle " << t);
      REQUIRE(bool(val(out.rows[t][0])) == q);
      REQUIRE(bool(scalar.output(0, 0)[0] & 1) == q);
      scalar.step();
      bool next = state;
      if (d.sync_reset_needs_enable) {
        if (en) next = srst ? d.sync_reset_value : D;
      } else if (srst) {
        next = d.sync_reset_value;
      } else if (en) {
        next = D;
      }
      if (arst) next = d.async_reset_value;
      state = next;
    }
  }
}

TEST_CASE("lanes are independent at every batch width", "[eval]") {
  Netlist nl;
  const auto pins = add_inputs(nl, {3});
  const NodeId r = nl.add_cell(Dff{}, {}, "r");
  const NodeId x =
      nl.add_cell(Lut{make_var(4, 0) ^ make_var(4, 1) ^ (make_var(4, 2) & make_var(4, 3))},
                  {pins[0], pins[1], pins[2], {r, 0}});
  nl.connect(r, 0, {x, 0});
  nl.add_output("y", {{x, 0}});
  for (unsigned words : {1u, 3u, 4u, 8u, 16u, 32u, 64u, 128u}) {
    Evaluator ev(nl, words);
    std::mt19937_64 rng(words);
    std::vector<uint64_t> state(words, 0);
    for (int t = 0; t < 20; ++t) {
      std::vector<std::vector<uint64_t>> in(3, std::vector<uint64_t>(words));
      for (uint32_t b = 0; b < 3; ++b)
        for (unsigned w = 0; w < words; ++w) ev.input(0, b)[w] = in[b][w] = rng();
      ev.eval();
      for (unsigned w = 0; w < words; ++w) {
        const uint64_t expect = in[0][w] ^ in[1][w] ^ (in[2][w] & state[w]);
        REQUIRE(ev.output(0, 0)[w] == expect);
        state[w] = expect;
      }
      ev.step();
    }
  }
}

TEST_CASE("LUT lookups in vector programs give the table at every batch width", "[eval]") {
  // Random 4- to 6-input tables, whose decompositions are long enough to become lookups, on
  // distinct inputs and on pins that include a repeated input and the two constants.
  std::mt19937_64 rng(21);
  int lookups = 0;
  for (unsigned k = 4; k <= 6; ++k)
    for (int trial = 0; trial < 4; ++trial) {
      Netlist nl;
      const auto x = add_inputs(nl, {6});
      const NodeId zero = nl.add_cell(Const{false}, {}), one = nl.add_cell(Const{true}, {});
      std::vector<Signal> pool = {x[0], x[1], x[2], x[3], x[4], x[5]};
      if (trial >= 2) pool = {x[0], x[1], x[2], x[3], x[1], {zero, 0}, {one, 0}};
      std::shuffle(pool.begin(), pool.end(), rng);
      const std::vector<Signal> pins(pool.begin(), pool.begin() + k);
      TruthTable tt(k);
      tt.words()[0] = rng() & (k == 6 ? ~uint64_t{0} : (uint64_t{1} << (1u << k)) - 1);
      add_output_of(nl, nl.add_cell(Lut{tt}, pins));
      CompileParams cp;
      cp.lut_ops = true;
      const Program prog = compile(nl, cp);
      const bool lookup = std::any_of(prog.comb.begin(), prog.comb.end(),
                                      [](const auto& i) { return i.op == Program::Op::Lut; });
      // The same table compiled without lookups: the decomposition this replaces.
      const size_t decomposed = compile(nl).comb.size();
      INFO("k = " << k << ", trial " << trial << ", " << decomposed << " operations decomposed");
      CHECK(lookup == (decomposed > 6));
      lookups += lookup;
      for (unsigned words : {1u, 3u, 4u, 8u, 16u, 32u, 64u, 128u}) {
        Evaluator ev(prog, words);
        std::vector<std::vector<uint64_t>> in(6, std::vector<uint64_t>(words));
        for (uint32_t b = 0; b < 6; ++b)
          for (unsigned w = 0; w < words; ++w) ev.input(0, b)[w] = in[b][w] = rng();
        ev.eval();
        for (unsigned w = 0; w < words; ++w)
          for (unsigned lane = 0; lane < 64; ++lane) {
            uint64_t idx = 0;
            for (unsigned i = 0; i < k; ++i) {
              const Signal s = pins[i];
              const uint64_t bit = s.node == zero  ? 0
                                   : s.node == one ? 1
                                                   : (in[s.bit][w] >> lane) & 1;
              idx |= bit << i;
            }
            REQUIRE(((ev.output(0, 0)[w] >> lane) & 1) == get_bit(tt, idx));
          }
      }
    }
  CHECK(lookups >= 6);  // at least the 6 tables on distinct pins
}

TEST_CASE("transpose64 moves bit j of word i to bit i of word j", "[eval]") {
  std::mt19937_64 rng(14);
  uint64_t m[64], t[64];
  for (auto& w : m) w = rng();
  std::copy(m, m + 64, t);
  transpose64(t);
  for (unsigned i = 0; i < 64; ++i)
    for (unsigned j = 0; j < 64; ++j) REQUIRE(((t[j] >> i) & 1) == ((m[i] >> j) & 1));
}

TEST_CASE("scalar programs: LUTs by table lookup give lane 0 of the bit-parallel program",
          "[eval]") {
  RandomLutParams p;
  p.num_inputs = 20;
  p.width = 16;
  p.layers = 4;
  p.min_k = 1;
  p.max_k = 8;
  p.register_layers = true;
  p.seed = 77;
  const Netlist nl = random_lut_network(p);
  CompileParams cp;
  cp.scalar = true;
  Program scalar = compile(nl, cp);
  REQUIRE(!scalar.lut_tables.empty());
  CHECK_THROWS_WITH(Evaluator(scalar, 1), "Evaluator: a scalar program runs in ScalarEvaluator");
  CHECK_THROWS_WITH(ScalarEvaluator(compile(nl)),
                    "ScalarEvaluator: the program was not compiled with CompileParams::scalar");
  ScalarEvaluator es(std::move(scalar));
  Evaluator eb(nl, 1);
  std::mt19937_64 rng(3);
  for (int t = 0; t < 200; ++t) {
    for (uint32_t b = 0; b < 20; ++b) {
      const uint64_t v = rng() & 1 ? ~uint64_t{0} : 0;
      es.input(0, b)[0] = static_cast<uint8_t>(v & 1);
      eb.input(0, b)[0] = v;
    }
    es.eval();
    eb.eval();
    for (uint32_t b = 0; b < p.width; ++b)
      REQUIRE((es.output(0, b)[0] & 1u) == (eb.output(0, b)[0] & 1));
    // Every LUT's own value against its table, read from lane 0 of its inputs.
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      const auto* l = std::get_if<Lut>(&nl.cell(n));
      if (!l) continue;
      uint64_t idx = 0;
      for (unsigned i = 0; i < l->function.num_vars(); ++i)
        idx |= (es.value(nl.fanin(n)[i])[0] & 1) << i;
      REQUIRE((es.value({n, 0})[0] & 1) == get_bit(l->function, idx));
    }
    es.step();
    eb.step();
  }
}

TEST_CASE("scalar evaluator: register chains step in place, a swap of two registers does not",
          "[eval]") {
  Netlist nl;
  const NodeId x = nl.add_input("x", 1);
  // A chain x -> c -> d -> e, and a pair that swaps its values every cycle.
  const NodeId c = nl.add_cell(Dff{}, {{x, 0}}, "c");
  const NodeId d = nl.add_cell(Dff{}, {{c, 0}}, "d");
  const NodeId e = nl.add_cell(Dff{true}, {{d, 0}}, "e");
  Dff one;
  one.init = true;
  const NodeId a = nl.add_cell(one, {}, "a");
  const NodeId b = nl.add_cell(Dff{}, {{a, 0}}, "b");
  nl.connect(a, 0, {b, 0});
  nl.add_output("y", {{c, 0}, {d, 0}, {e, 0}, {a, 0}, {b, 0}});
  CompileParams cp;
  cp.scalar = true;
  ScalarEvaluator s(compile(nl, cp));
  std::vector<int> xs = {1, 0, 1, 1, 0, 0, 1, 0};
  std::vector<int> hist;  // x by cycle
  for (size_t t = 0; t < xs.size(); ++t) {
    s.input(0, 0)[0] = static_cast<uint8_t>(xs[t]);
    s.eval();
    auto bit = [&](uint32_t k) { return s.output(0, k)[0] & 1; };
    // c and d start at 0; e starts at 1 and then takes d's 0 until x arrives.
    const int cv = t >= 1 ? hist[t - 1] : 0, dv = t >= 2 ? hist[t - 2] : 0,
              ev = t >= 3 ? hist[t - 3] : t == 0;
    INFO("cycle " << t);
    CHECK(bit(0) == cv);
    CHECK(bit(1) == dv);
    CHECK(bit(2) == ev);
    CHECK(bit(3) == (t % 2 == 0 ? 1 : 0));
    CHECK(bit(4) == (t % 2 == 0 ? 0 : 1));
    hist.push_back(xs[t]);
    s.step();
  }
}

TEST_CASE("a long simulation split over the cores gives every row what a row alone gives",
          "[eval]") {
  // Wide ports (100 inputs, 130 outputs) so that rows and bit-sliced words meet in several 64-bit
  // blocks and in partial ones; 20,000 rows, enough to split over threads.
  RandomLutParams p;
  p.num_inputs = 100;
  p.width = 130;
  p.layers = 3;
  p.seed = 9;
  const Netlist nl = random_lut_network(p);
  VectorTable in = input_table(nl);
  std::mt19937_64 rng(4);
  for (int r = 0; r < 20000; ++r) in.rows.push_back({BitVector{rng(), rng() & ((1ull << 36) - 1)}});
  const VectorTable all = simulate(nl, in, in.rows.size());
  REQUIRE(all.rows.size() == 20000);
  // Each of a sample of rows, simulated on its own, with the scalar program (one lane, no
  // transposes, no threads).
  for (int r = 0; r < 20000; r += 97) {
    Evaluator ev(nl, 1);
    for (uint32_t b = 0; b < 100; ++b) ev.input(0, b)[0] = (in.rows[r][0][b / 64] >> (b % 64)) & 1;
    ev.eval();
    for (uint32_t b = 0; b < 130; ++b)
      REQUIRE(((all.rows[r][0][b / 64] >> (b % 64)) & 1) == (ev.output(0, b)[0] & 1));
  }
}
