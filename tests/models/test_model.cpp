// Model files: round trips, the integer reference against the lowered netlist's simulation, and
// the exact messages for bad files.
#include <catch2/catch.hpp>
#include <random>

#include "base/error.hpp"
#include "equiv/equiv.hpp"
#include "models/lower.hpp"
#include "models/model.hpp"
#include "netlist/vectors.hpp"
#include "tests/support/random_model.hpp"

using namespace lutforge;
using namespace lutforge::models;
using lutforge::test::random_model;

namespace {

std::string error_of(const std::string& text) {
  try {
    read_model(text, "m.lfm.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// `samples` random samples (features uniform on [-range, range]) through the lowered netlist `nl`
// of m, each held for latency + 1 clocks: every class score and the prediction must be models/'s.
void check_against_reference(const Model& m, const Netlist& nl, size_t latency, int samples,
                             float range, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-range, range);
  for (int s = 0; s < samples; ++s) {
    std::vector<float> f(m.input.num_features());
    for (float& v : f) v = u(rng);
    const std::vector<uint32_t> codes = input_codes(m, f.data());
    const std::vector<uint32_t> scores = class_scores(m, codes);
    VectorTable in = input_table(nl);
    in.rows.assign(latency + 1, {pack_codes(m, codes)});
    const VectorTable out = simulate(nl, in, latency + 1);
    const auto& row = out.rows.back();
    for (size_t c = 0; c < scores.size(); ++c) REQUIRE(row[c][0] == scores[c]);
    REQUIRE(row[scores.size()][0] == predict(m, scores));
  }
}

}  // namespace

TEST_CASE("a hand-computed model: AND and OR of two one-bit features, argmax", "[models]") {
  Model m;
  m.family = "logicnets";
  m.input = uniform_quantizer(2, 1, 0.0f, 1.0f);  // x >= 0.5 gives 1
  Layer L;
  L.fan_in = 2;
  L.neurons.push_back({{0, 1}, {make_from_word(2, 0b1000)}, {}, {}});  // AND
  L.neurons.push_back({{1, 0}, {make_from_word(2, 0b1110)}, {}, {}});  // OR
  m.layers.push_back(L);
  const float a[2] = {0.9f, 0.1f}, b[2] = {0.9f, 0.7f}, c[2] = {0.0f, 0.2f};
  CHECK(class_scores(m, input_codes(m, a)) == std::vector<uint32_t>{0, 1});
  CHECK(class_scores(m, input_codes(m, b)) == std::vector<uint32_t>{1, 1});
  CHECK(predict(m, class_scores(m, input_codes(m, a))) == 1);
  CHECK(predict(m, class_scores(m, input_codes(m, b))) == 0);  // a tie goes to the first class
  CHECK(predict(m, class_scores(m, input_codes(m, c))) == 0);
}

TEST_CASE("model files round-trip byte for byte", "[models]") {
  for (unsigned sub : {0u, 2u}) {
    const Model m = random_model({12, 8, 5}, 20, 4, 2, sub, 3 + sub);
    const std::string text = write_model(m);
    const Model back = read_model(text, "m.lfm.json");
    CHECK(write_model(back) == text);
    std::mt19937_64 rng(1);
    std::vector<uint32_t> codes(20);
    for (auto& c : codes) c = rng() % 4;
    CHECK(class_scores(back, codes) == class_scores(m, codes));
  }
}

TEST_CASE("the lowered netlist computes the integer reference, plain, PolyLUT-Add and registered",
          "[models]") {
  for (unsigned sub : {0u, 2u}) {
    for (bool regs : {false, true}) {
      const Model m = random_model({16, 10, 6}, 24, 4, 2, sub, 11 + sub);
      LowerParams lp;
      lp.register_every = regs;
      const Netlist nl = lower(m, lp);
      const size_t latency = regs ? m.layers.size() : 0;
      CHECK(lowered_latency(m, lp) == latency);
      check_against_reference(m, nl, latency, 100, 1.5f, 5);
    }
  }
}

TEST_CASE("a hand-computed gate network: gates on input bits, GroupSum popcounts", "[models]") {
  // Two 2-bit features; the gate layer reads their bits: unit 2f + b is bit b of feature f.
  Model m;
  m.family = "difflogic";
  m.input = uniform_quantizer(2, 2, 0.0f, 3.0f);  // codes 0..3 for x near 0, 1, 2, 3
  m.head = {Head::Kind::GroupSum, 2, 1.0};
  Layer L;
  L.kind = LayerKind::Gate;
  L.fan_in = 2;
  // Gate ids list f(0,0) f(0,1) f(1,0) f(1,1) from the MSB: AND = 0001, XOR = 0110, OR = 0111,
  // NAND = 1110.
  L.neurons.push_back({{0, 2}, {make_gate(0b0001)}, {}, {}});  // a0 AND b0
  L.neurons.push_back({{1, 3}, {make_gate(0b0110)}, {}, {}});  // a1 XOR b1
  L.neurons.push_back({{0, 1}, {make_gate(0b0111)}, {}, {}});  // a0 OR a1
  L.neurons.push_back({{2, 3}, {make_gate(0b1110)}, {}, {}});  // NAND(b0, b1)
  m.layers.push_back(L);
  validate(m, "hand");
  const float x[2] = {3.0f, 1.0f};  // a = 11, b = 01: AND 1, XOR 1 | OR 1, NAND 1
  const float y[2] = {0.0f, 3.0f};  // a = 00, b = 11: AND 0, XOR 1 | OR 0, NAND 0
  const float z[2] = {2.0f, 2.0f};  // a = 10, b = 10: AND 0, XOR 0 | OR 1, NAND 1
  CHECK(class_scores(m, input_codes(m, x)) == std::vector<uint32_t>{2, 2});
  CHECK(class_scores(m, input_codes(m, y)) == std::vector<uint32_t>{1, 0});
  CHECK(class_scores(m, input_codes(m, z)) == std::vector<uint32_t>{0, 2});
  CHECK(predict(m, class_scores(m, input_codes(m, z))) == 1);
  CHECK(m.score_bits() == 2);
  // The file stores gate ids, and reads back to the same network.
  const std::string text = write_model(m);
  CHECK(text.find("\"gate\": 14") != std::string::npos);
  CHECK(write_model(read_model(text, "g.lfm.json")) == text);
}

TEST_CASE("1-bit LUT layers read single bits: by hand, round trip, and the lowered netlist",
          "[models]") {
  // Two features of 3 thermometer bits (units 3f + b); a 3-input LUT on bits a2, b0, a0 and a
  // 2-input one on b1, b2; then a 2-input LUT layer over those two outputs; GroupSum of one
  // group per output.
  Model m;
  m.family = "dwn";
  m.input = thermometer_quantizer(2, 3, 0.0f, 4.0f);  // thresholds 1, 2, 3
  m.head = {Head::Kind::GroupSum, 2, 1.0};
  Layer L0;
  L0.fan_in = 3;
  // Table bit i is f at address i, input 0 the lowest address bit: majority of three = 0xE8.
  L0.neurons.push_back({{2, 3, 0}, {make_from_word(3, 0xE8)}, {}, {}});
  L0.neurons.push_back({{4, 5, 4}, {make_from_word(3, 0x0F)}, {}, {}});  // NOT b1 (input 0 twice)
  m.layers.push_back(L0);
  Layer L1;
  L1.fan_in = 2;
  L1.neurons.push_back({{0, 1}, {make_from_word(2, 0b0110)}, {}, {}});  // XOR
  L1.neurons.push_back({{1, 0}, {make_from_word(2, 0b0100)}, {}, {}});  // n0 AND NOT n1
  m.layers.push_back(L1);
  validate(m, "hand");
  // Codes: 3.5 -> 111, 2.5 -> 011, 0.5 -> 000. Layer 0 gives n0 = majority(a2, b0, a0) and
  // n1 = NOT b1; layer 1 gives n0 XOR n1 and n0 AND NOT n1.
  const float x[2] = {3.5f, 0.5f}, y[2] = {0.5f, 2.5f}, z[2] = {3.5f, 2.5f}, w[2] = {0.5f, 0.5f};
  CHECK(class_scores(m, input_codes(m, x)) == std::vector<uint32_t>{0, 0});  // n0 1, n1 1
  CHECK(class_scores(m, input_codes(m, y)) == std::vector<uint32_t>{0, 0});  // n0 0, n1 0
  CHECK(class_scores(m, input_codes(m, z)) == std::vector<uint32_t>{1, 1});  // n0 1, n1 0
  CHECK(class_scores(m, input_codes(m, w)) == std::vector<uint32_t>{1, 0});  // n0 0, n1 1
  const std::string text = write_model(m);
  CHECK(write_model(read_model(text, "d.lfm.json")) == text);

  // Random networks of 6-input LUTs over 3-bit codes, combinational and registered per layer.
  for (unsigned every : {0u, 1u}) {
    const Model r = lutforge::test::random_bit_lut_model({60, 40}, 12, 3, 6, 4, 5 + every);
    CHECK(write_model(read_model(write_model(r), "r.lfm.json")) == write_model(r));
    LowerParams lp;
    lp.register_every = every;
    const Netlist nl = lower(r, lp);
    CHECK(count_cells(nl).by_kind[static_cast<unsigned>(CellKind::Lut)] == 100);
    check_against_reference(r, nl, lowered_latency(r, lp), 200, 1.2f, 3);
  }
}

TEST_CASE("gate networks: round trip, and the lowered netlist computes the reference", "[models]") {
  // Registers after every 0 (none), 1 or 2 gate layers, and after the popcounts.
  for (unsigned every : {0u, 1u, 2u}) {
    const Model m = lutforge::test::random_gate_model({40, 30, 24}, 10, 3, 4, 7 + every);
    const std::string text = write_model(m);
    CHECK(write_model(read_model(text, "g.lfm.json")) == text);
    LowerParams lp;
    lp.register_every = every;
    const Netlist nl = lower(m, lp);
    const CellCounts counts = count_cells(nl);
    CHECK(counts.by_kind[static_cast<unsigned>(CellKind::Gate)] == 94);
    CHECK(counts.by_kind[static_cast<unsigned>(CellKind::Adder)] == 4);
    // Flip-flops: the layers' outputs that are registered, and 4 popcounts of 3 bits (groups of 6).
    const size_t ffs = every == 0 ? 0 : every == 1 ? 40 + 30 + 24 + 4 * 3 : 30 + 4 * 3;
    CHECK(counts.by_kind[static_cast<unsigned>(CellKind::Dff)] == ffs);
    const size_t latency = every == 0 ? 0 : every == 1 ? 4 : 2;
    CHECK(lowered_latency(m, lp) == latency);
    check_against_reference(m, nl, latency, 200, 1.2f, 3);
  }
  // The popcounts as trees of adders, each level a pipeline stage. The 6 outputs of a class take
  // three levels of 2-operand adders (6 -> 3 -> 2 -> 1), two of 3 (6 -> 2 -> 1) and one of 8.
  const Model m = lutforge::test::random_gate_model({40, 30, 24}, 10, 3, 4, 9);
  for (auto [radix, levels] : {std::pair{2u, 3u}, {3u, 2u}, {8u, 1u}}) {
    CHECK(popcount_levels(6, radix) == levels);
    for (unsigned every : {0u, 1u, 3u}) {
      INFO("radix " << radix << ", registers every " << every);
      LowerParams lp;
      lp.register_every = every;
      lp.popcount_radix = radix;
      const Netlist nl = lower(m, lp);
      const size_t latency = every == 0 ? 0 : 3 / every + levels;
      CHECK(lowered_latency(m, lp) == latency);
      // Adders per class: 3 + 1 + 1 at radix 2 (a partial sum is carried past the middle level),
      // 2 + 1 at radix 3, 1 at radix 8.
      const size_t adders = radix == 2 ? 5 : radix == 3 ? 3 : 1;
      CHECK(count_cells(nl).by_kind[static_cast<unsigned>(CellKind::Adder)] == 4 * adders);
      check_against_reference(m, nl, latency, 100, 1.2f, 5);
    }
  }
}

TEST_CASE("bad model files are named with the layer and neuron", "[models]") {
  const std::string good = write_model(random_model({3, 2}, 5, 2, 1, 0, 1));
  CHECK(error_of("{").rfind("m.lfm.json: not valid JSON: ", 0) == 0);
  CHECK(error_of(R"({"format":"x"})") ==
        "m.lfm.json: not a lutforge model file (format is not \"lutforge-model\")");
  Model bad = read_model(good, "m.lfm.json");
  bad.layers[1].neurons[1].inputs[0] = 7;
  CHECK(error_of(write_model(bad)) ==
        "m.lfm.json: layer 1, neuron 1: input 7 out of range (the layer before has 3)");
  bad = read_model(good, "m.lfm.json");
  bad.layers[0].neurons[2].tables.pop_back();
  CHECK(error_of(write_model(bad)) == "m.lfm.json: layer 0, neuron 2: 0 output tables, expected 1");
  bad = read_model(good, "m.lfm.json");
  bad.layers[1].in_bits = 2;
  CHECK(error_of(write_model(bad)) == "m.lfm.json: layer 1: in_bits 2, but its inputs have 1 bits");
  bad = read_model(good, "m.lfm.json");
  bad.layers[0].neurons[0].inputs.push_back(0);
  bad.layers[0].neurons[0].tables[0] = TruthTable(3);
  CHECK(error_of(write_model(bad)) ==
        "m.lfm.json: layer 0, neuron 0: 3 inputs, expected 1 to fan_in 2");
  bad = read_model(good, "m.lfm.json");
  bad.layers[0].neurons[0].inputs.clear();
  bad.layers[0].neurons[0].tables[0] = TruthTable(0);
  CHECK(error_of(write_model(bad)) ==
        "m.lfm.json: layer 0, neuron 0: 0 inputs, expected 1 to fan_in 2");
}

TEST_CASE("mixed fan-in: a neuron reads 1 to fan_in inputs, its tables over its own inputs",
          "[models]") {
  // A plain 2-bit network whose neurons keep 1 + n % 3 of their fan-in of 3 (as logic shrinkage
  // leaves them), with fresh random tables of the right size.
  Model m = random_model({9, 6, 4}, 7, 3, 2, 0, 21);
  std::mt19937_64 rng(5);
  for (Layer& L : m.layers)
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      Neuron& N = L.neurons[n];
      N.inputs.resize(1 + n % 3);
      for (TruthTable& t : N.tables) {
        t = TruthTable(static_cast<unsigned>(N.inputs.size()) * L.in_bits);
        for (size_t w = 0; w < t.num_words(); ++w) t.words()[w] = rng();
      }
    }
  // Neuron 0 of layer 0 reads feature 4 alone and copies its code.
  Neuron& copy = m.layers[0].neurons[0];
  copy.inputs = {4};
  for (unsigned b = 0; b < 2; ++b)
    for (uint64_t v = 0; v < 4; ++v) set_bit(copy.tables[b], v, (v >> b) & 1);
  const std::string text = write_model(m);
  const Model back = read_model(text, "m.lfm.json");
  CHECK(write_model(back) == text);
  CHECK(back.layers[1].neurons[1].inputs.size() == 2);
  CHECK(back.layers[1].neurons[1].tables[0].num_vars() == 4);
  std::mt19937_64 srng(9);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int s = 0; s < 50; ++s) {
    std::vector<float> f(7);
    for (float& v : f) v = u(srng);
    const std::vector<uint32_t> in = input_codes(back, f.data());
    CHECK(layer_codes(back, in)[0][0] == in[4]);
  }
  for (bool regs : {false, true}) {
    LowerParams lp;
    lp.register_every = regs;
    const Netlist nl = lower(back, lp);
    check_against_reference(back, nl, regs ? back.layers.size() : 0, 200, 1.2f, 7);
  }
}

TEST_CASE("the fan-in profile of a LUT or gate layer counts neurons by inputs, and constants apart",
          "[models]") {
  // A 1-bit layer of fan-in 4: neurons of 4, 1, 1 and 2 inputs computing something, and two that
  // compute constants (0 over 3 inputs, 1 over 1 input).
  Layer L;
  L.fan_in = 4;
  auto neuron = [&](std::vector<uint32_t> inputs, uint64_t table) {
    Neuron n;
    n.inputs = std::move(inputs);
    n.tables = {TruthTable(static_cast<unsigned>(n.inputs.size()))};
    for (uint64_t v = 0; v < (uint64_t{1} << n.inputs.size()); ++v)
      set_bit(n.tables[0], v, (table >> v) & 1);
    L.neurons.push_back(n);
  };
  neuron({0, 1, 2, 3}, 0x8000);  // AND of four
  neuron({5}, 0b01);             // an inverter
  neuron({6}, 0b10);             // a wire
  neuron({1, 2}, 0b0110);        // XOR
  neuron({1, 2, 3}, 0);          // constant 0
  neuron({4}, 0b11);             // constant 1
  const FanInProfile p = fan_in_profile(L);
  CHECK(p.by_fan_in == std::vector<size_t>{0, 2, 1, 0, 1});
  CHECK(p.constant == 2);
  // A 2-bit neuron is constant only when both of its bits are.
  L.neurons.clear();
  L.out_bits = 2;
  neuron({0, 1}, 0);
  L.neurons.back().tables.push_back(L.neurons.back().tables[0]);
  neuron({0, 1}, 0);
  L.neurons.back().tables.push_back(TruthTable(2));
  set_bit(L.neurons.back().tables[1], 3, true);
  const FanInProfile q = fan_in_profile(L);
  CHECK(q.by_fan_in == std::vector<size_t>{0, 0, 1, 0, 0});
  CHECK(q.constant == 1);
  // A gate counts by the inputs its function depends on: AND and XOR two, a (3), not b (10) one,
  // the constants 0 and 1 none.
  Layer G;
  G.kind = LayerKind::Gate;
  G.fan_in = 2;
  for (unsigned id : {1u, 6u, 3u, 10u, 0u, 15u, 6u}) {
    Neuron n;
    n.inputs = {0, 1};
    n.tables = {make_gate(id)};
    G.neurons.push_back(n);
  }
  const FanInProfile g = fan_in_profile(G);
  CHECK(g.by_fan_in == std::vector<size_t>{0, 2, 3});
  CHECK(g.constant == 2);
  CHECK(describe(g) == "2 of 1 input, 3 of 2 inputs, 2 constant");
  // A threshold layer has no tables: its neurons count by the inputs they list, no constants.
  Layer T;
  T.kind = LayerKind::Threshold;
  T.fan_in = 3;
  for (std::vector<uint32_t> inputs : {std::vector<uint32_t>{0, 1, 2}, {3}, {4, 5}, {6, 7, 8}}) {
    Neuron n;
    n.inputs = inputs;
    n.threshold = 1;
    T.neurons.push_back(n);
  }
  const FanInProfile t = fan_in_profile(T);
  CHECK(t.by_fan_in == std::vector<size_t>{0, 1, 1, 2});
  CHECK(t.constant == 0);
  CHECK(describe(t) == "1 of 1 input, 1 of 2 inputs, 2 of 3 inputs");
}

TEST_CASE("threshold layers: popcount and threshold by hand, round trip, and the lowered netlist",
          "[models]") {
  // Two features of 3 thermometer bits (units 3f + b). Neuron 0: at least 2 of a0 a1 a2 b0;
  // neuron 1: threshold 0, always 1; neuron 2: at least 3 of its 2 inputs, never; neuron 3: at
  // least 1 of b1, b2. GroupSum of two classes.
  Model m;
  m.family = "lutnet";
  m.input = thermometer_quantizer(2, 3, 0.0f, 4.0f);  // thresholds 1, 2, 3
  m.head = {Head::Kind::GroupSum, 2, 1.0};
  Layer L;
  L.kind = LayerKind::Threshold;
  L.fan_in = 4;
  const std::vector<std::pair<std::vector<uint32_t>, uint32_t>> neurons = {
      {{0, 1, 2, 3}, 2}, {{3, 4, 5}, 0}, {{0, 5}, 3}, {{4, 5}, 1}};
  for (const auto& [inputs, t] : neurons) {
    Neuron N;
    N.inputs = inputs;
    N.threshold = t;
    L.neurons.push_back(N);
  }
  m.layers.push_back(L);
  validate(m, "hand");
  const float x[2] = {1.5f, 0.5f}, y[2] = {2.5f, 2.5f}, z[2] = {0.5f, 3.5f};
  // x: a = 001, b = 000: 1 set of 4, so 0 | 1 | 0 | 0.
  CHECK(class_scores(m, input_codes(m, x)) == std::vector<uint32_t>{1, 0});
  // y: a = 011, b = 011: 3 of 4 | 1 | 0 | b1 set.
  CHECK(class_scores(m, input_codes(m, y)) == std::vector<uint32_t>{2, 1});
  // z: a = 000, b = 111: 1 of 4 | 1 | 0 | 1.
  CHECK(class_scores(m, input_codes(m, z)) == std::vector<uint32_t>{1, 1});
  const std::string text = write_model(m);
  CHECK(text.find("\"threshold\": 3") != std::string::npos);
  CHECK(write_model(read_model(text, "t.lfm.json")) == text);
  Model bad = m;
  bad.layers[0].neurons[2].threshold = 4;
  CHECK(error_of(write_model(bad)) ==
        "m.lfm.json: layer 0, neuron 2: threshold 4 for 2 inputs; expected 0 to 3");

  // LUTNet's shape: 1-bit LUTs, threshold neurons over groups of their outputs (1 to 9 each,
  // random thresholds around half), 1-bit LUTs again; combinational and registered per layer.
  for (unsigned every : {0u, 1u}) {
    Model r = lutforge::test::random_bit_lut_model({60, 40}, 12, 3, 4, 4, 11 + every);
    std::mt19937_64 rng(every);
    Layer T;
    T.kind = LayerKind::Threshold;
    for (size_t n = 0, next = 0; n < 12; ++n) {
      Neuron N;
      const size_t count = 1 + rng() % 9;
      for (size_t i = 0; i < count; ++i) N.inputs.push_back(static_cast<uint32_t>(next++ % 60));
      N.threshold = static_cast<uint32_t>(n == 0 ? 0 : n == 1 ? count + 1 : rng() % (count + 1));
      T.fan_in = std::max(T.fan_in, static_cast<unsigned>(count));
      T.neurons.push_back(N);
    }
    for (Neuron& N : r.layers[1].neurons)
      for (uint32_t& i : N.inputs) i %= 12;
    r.layers.insert(r.layers.begin() + 1, T);
    // LUTs that shrinkage emptied: LUTs 0 to 3 and every fourth after them are constant 0 or 1
    // (the first threshold neuron reads LUT 0 onwards, so its count loses its first bits).
    for (size_t i = 0; i < 60; ++i) {
      TruthTable& t = r.layers[0].neurons[i].tables[0];
      if (i % 4 != 0 && (i < 1 || i >= 4)) continue;
      t = TruthTable(t.num_vars());
      if ((i / 4) % 2)
        for (uint64_t v = 0; v < t.num_bits(); ++v) set_bit(t, v);
    }
    validate(r, "random");
    CHECK(write_model(read_model(write_model(r), "r.lfm.json")) == write_model(r));
    LowerParams lp;
    lp.register_every = every;
    lp.popcount_radix = every ? 3 : 0;  // the popcounts as one Adder, or as trees of three
    const Netlist nl = lower(r, lp);
    check_against_reference(r, nl, lowered_latency(r, lp), 300, 1.2f, 3);
    // A constant LUT is no cell nor register, and no popcount counts it.
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      const std::string& name = nl.name(n);
      CHECK(name.rfind("l0_n0_", 0) != 0);
      CHECK(name.rfind("l0_n4_", 0) != 0);
      if (name.find("_popcount") != std::string::npos)
        for (const Signal& s : nl.fanin(n)) CHECK(!constant_of(nl, s));
    }
  }
}

TEST_CASE("a hand-computed MAC model: products, bias, rounding, clamping and signed scores",
          "[models][mac]") {
  Model m;
  m.family = "mac";
  m.input = uniform_quantizer(2, 2, 0.0f, 3.0f);  // codes 0..3 for features 0..3
  Layer hidden;
  hidden.kind = LayerKind::Mac;
  hidden.in_bits = 2;
  hidden.out_bits = 2;
  hidden.fan_in = 2;
  hidden.weight_bits = 4;
  hidden.shift = 2;
  // acc = 3 a - 2 b + 1, then (acc * 2 + 2) >> 2, clamped to 0..3
  hidden.neurons.push_back({{0, 1}, {}, {}, {}, {3, -2}, 1, 2});
  Layer out;
  out.kind = LayerKind::Mac;
  out.in_bits = 2;
  out.fan_in = 1;
  out.weight_bits = 4;
  out.requantize = false;
  out.neurons.push_back({{0}, {}, {}, {}, {-3}, 2, 1});  // 2 - 3 h
  out.neurons.push_back({{0}, {}, {}, {}, {1}, -1, 1});  // h - 1
  out.out_bits = accumulator_bits(out);
  m.layers = {hidden, out};
  validate(m, "hand");
  CHECK(out.out_bits == 4);  // 2 - 3 * 3 = -7 needs 4 signed bits
  CHECK(m.signed_scores());
  // a = 3, b = 0: acc 10, (20 + 2) >> 2 = 5, clamped to 3; scores 2 - 9 = -7 and 2.
  const float f1[2] = {3.0f, 0.0f};
  CHECK(class_scores(m, input_codes(m, f1)) == std::vector<uint32_t>{16 - 7, 2});
  CHECK(predict(m, class_scores(m, input_codes(m, f1))) == 1);
  // a = 0, b = 3: acc -5, (-10 + 2) >> 2 = -2, clamped to 0; scores 2 and -1.
  const float f2[2] = {0.0f, 3.0f};
  CHECK(class_scores(m, input_codes(m, f2)) == std::vector<uint32_t>{2, 15});
  CHECK(predict(m, class_scores(m, input_codes(m, f2))) == 0);
  // a = 1, b = 1: acc 2, (4 + 2) >> 2 = 1; scores -1 and 0.
  const float f3[2] = {1.0f, 1.0f};
  CHECK(class_scores(m, input_codes(m, f3)) == std::vector<uint32_t>{15, 0});
  CHECK(predict(m, class_scores(m, input_codes(m, f3))) == 1);
}

TEST_CASE(
    "MAC models: round trip, and the lowered netlist computes the reference, with and "
    "without DSP packing",
    "[models][mac]") {
  for (unsigned wbits : {2u, 4u, 8u}) {
    const Model m = lutforge::test::random_mac_model({12, 8, 5}, 10, 4, wbits, 3, 40 + wbits);
    validate(m, "random");
    CHECK(write_model(read_model(write_model(m), "m.lfm.json")) == write_model(m));
    for (const bool packing : {false, true})
      for (const bool regs : {false, true}) {
        INFO("weights " << wbits << " bits, packing " << packing << ", registers " << regs);
        LowerParams lp;
        lp.dsp_packing = packing;
        lp.register_every = regs;
        const Netlist nl = lower(m, lp);
        const size_t latency = lowered_latency(m, lp);
        check_against_reference(m, nl, latency, 60, 1.2f, 7);
      }
  }
}

TEST_CASE("bad MAC layers are named with the layer and neuron", "[models][mac]") {
  Model m = lutforge::test::random_mac_model({3, 2}, 4, 3, 4, 3, 1);
  auto message = [](const Model& x) {
    try {
      validate(x, "m.lfm.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message(m) == "no error");
  Model w = m;
  w.layers[0].neurons[1].weights[2] = 8;
  CHECK(message(w) == "m.lfm.json: layer 0, neuron 1: weight 8 does not fit 4 signed bits");
  Model o = m;
  o.layers[1].out_bits += 1;
  CHECK(message(o) == "m.lfm.json: layer 1: out_bits " + std::to_string(o.layers[1].out_bits) +
                          ", but the accumulators need " +
                          std::to_string(o.layers[1].out_bits - 1) + " bits");
  Model r = m;
  r.layers[0].requantize = false;
  CHECK(message(r) ==
        "m.lfm.json: layer 0: only the last layer may leave its accumulators "
        "unrequantized");
  Model c = m;
  c.layers[0].neurons[0].weights.pop_back();
  CHECK(message(c) == "m.lfm.json: layer 0, neuron 0: 3 weights, expected fan_in 4");
}

TEST_CASE(
    "a MAC layer lowered with DSP packing is proved equivalent to it without packing, "
    "and packing saves slices",
    "[models][mac][equiv]") {
  for (const auto& [features, bits] : {std::pair{4, 3u}, {8, 4u}}) {
    const Model m = lutforge::test::random_mac_model({10, 4}, features, bits, 4, 3, 77 + bits);
    LowerParams plain, packed;
    packed.dsp_packing = true;
    const Netlist a = lower(m, plain), b = lower(m, packed);
    const size_t slices_a = count_cells(a).by_kind[size_t(CellKind::PackedDsp)],
                 slices_b = count_cells(b).by_kind[size_t(CellKind::PackedDsp)];
    INFO(features << " features of " << bits << " bits: " << slices_a << " slices unpacked, "
                  << slices_b << " packed");
    CHECK(slices_b * 2 < slices_a);
    const EquivResult r = check_equivalence(a, b);
    INFO(status_name(r.status) << " " << r.reason);
    CHECK(r.status == EquivStatus::Equivalent);
  }
}

TEST_CASE("an ArgMax tournament predicts as one ArgMax cell, combinational and pipelined",
          "[models]") {
  // Ties are common with narrow scores: the tree must keep the first largest class.
  const Model lut = random_model({16, 7}, 12, 3, 1, 0, 3);  // 7 classes of 1-bit scores
  const Model gates = lutforge::test::random_gate_model({40, 30}, 6, 2, 10, 4);
  const Model mac = lutforge::test::random_mac_model({6, 5}, 5, 3, 4, 3, 9);  // signed scores
  for (const Model* m : {&lut, &gates, &mac})
    for (const bool regs : {false, true}) {
      INFO(m->family << (regs ? ", registered" : ""));
      LowerParams lp;
      lp.argmax_tree = true;
      lp.register_every = regs;
      const Netlist nl = lower(*m, lp);
      const size_t latency = lowered_latency(*m, lp);
      CHECK(latency == (regs ? m->layers.size() + (m->head.kind == Head::Kind::GroupSum) +
                                   argmax_levels(m->num_classes())
                             : 0));
      check_against_reference(*m, nl, latency, 80, 1.5f, 17);
    }
  CHECK(argmax_levels(10) == 4);
  CHECK(argmax_levels(2) == 1);
  CHECK(argmax_levels(5) == 3);
}

TEST_CASE("reuse factors: one or one per layer, MAC layers only, and alone", "[models][mac]") {
  const Model mac = lutforge::test::random_mac_model({4, 3}, 6, 3, 4, 3, 2);
  const Model lut = random_model({4, 3}, 6, 2, 2, 0, 3);
  auto lower_error = [](const Model& m, LowerParams p) {
    try {
      lower(m, p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(reuse_factors(mac, {}) == std::vector<unsigned>{1, 1});
  CHECK(reuse_factors(mac, {.reuse_factor = {5}}) == std::vector<unsigned>{5, 5});
  CHECK(reuse_factors(mac, {.reuse_factor = {5, 2}}) == std::vector<unsigned>{5, 2});
  CHECK(initiation_interval(mac, {.reuse_factor = {5, 2}}) == 5);
  CHECK(lowered_latency(mac, {.reuse_factor = {5, 2}}) == 11);  // two frames of 5, and one
  CHECK(lower_error(mac, {.reuse_factor = {2, 2, 2}}) ==
        "lower: 3 reuse factors for 2 layers; give one, or one per layer");
  CHECK(lower_error(mac, {.reuse_factor = {0}}) == "lower: a reuse factor must be at least 1");
  CHECK(lower_error(lut, {.reuse_factor = {2}}) ==
        "lower: reuse factors apply to networks of MAC layers only; layer 0 is not one");
  LowerParams tree;
  tree.reuse_factor = {2};
  tree.argmax_tree = true;
  const std::string alone =
      "lower: with reuse factors the design is a sequential schedule of its own; registers every "
      "N layers, the ArgMax tree and the pixel encoder do not combine with it";
  CHECK(lower_error(mac, tree) == alone);
  LowerParams pixels;
  pixels.reuse_factor = {2};
  pixels.pixel_bits = 8;
  CHECK(lower_error(mac, pixels) == alone);
  // All factors 1 is the fully parallel lowering.
  CHECK(lower(mac, {.reuse_factor = {1}}).inputs().size() == 1);
  // Each slice serves up to R products: 6 inputs at R = 2 take 3 slices a neuron, at R = 5 two.
  auto slices = [](const Netlist& nl) {
    size_t n = 0;
    for (NodeId v = 0; v < nl.num_nodes(); ++v) n += std::holds_alternative<PackedDsp>(nl.cell(v));
    return n;
  };
  size_t products = 0;
  for (const Layer& L : mac.layers)
    for (const Neuron& N : L.neurons)
      for (int32_t w : N.weights) products += w != 0;
  CHECK(slices(lower(mac)) == products);
  CHECK(slices(lower(mac, {.reuse_factor = {2}})) <= 4 * 3 + 3 * 2);
  CHECK(slices(lower(mac, {.reuse_factor = {5}})) <= 4 * 2 + 3 * 1);
  // At R = 12 a slice serves two neurons of 6 inputs, or three of 4: 2 + 1 slices.
  CHECK(slices(lower(mac, {.reuse_factor = {12}})) == 2 + 1);
  // Packed, 4-bit weights times 3-bit codes share slices: the 4 neurons of the first layer
  // (and the 3 of the second) fit one packed slice per slot group.
  LowerParams packed;
  packed.reuse_factor = {2};
  packed.dsp_packing = true;
  const auto pack = best_packing(DspFamily::DSP48E2, 4, true, 3, false);
  REQUIRE(pack);
  REQUIRE(pack->count >= 4);
  CHECK(slices(lower(mac, packed)) == 3 + 2);
}

TEST_CASE("weights in block RAM: one ROM a layer, read a cycle ahead, computes as models/ does",
          "[models][mac][bram]") {
  // The ROM's registers must show slot c's weights in counter state c, from the first frame on:
  // every sample's scores, pipelined back to back, equal the integer reference.
  const Model m = lutforge::test::random_mac_model({9, 4}, 20, 8, 5, 4, 31);
  std::mt19937_64 rng(4);
  VectorTable in;
  std::vector<std::vector<uint32_t>> codes(40);
  for (auto& c : codes) {
    for (size_t f = 0; f < 20; ++f) c.push_back(static_cast<uint32_t>(rng() % 256));
    in.rows.push_back({pack_codes(m, c)});
  }
  for (const bool packing : {false, true}) {
    INFO("packing " << packing);
    LowerParams lp;
    lp.reuse_factor = {6, 4};
    lp.dsp_packing = packing;
    lp.dsp_family = DspFamily::DSP48E1;
    lp.weights_in_bram = true;
    const Netlist nl = lower(m, lp);
    size_t roms = 0, lut_inputs_on_counter = 0;
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      roms += std::holds_alternative<Rom>(nl.cell(n));
      if (nl.name(n).find("_w") != std::string::npos && std::holds_alternative<Lut>(nl.cell(n)))
        ++lut_inputs_on_counter;
    }
    CHECK(roms == 2);
    CHECK(lut_inputs_on_counter == 0);  // no weight is a LUT of the counter any more
    const VectorTable out = simulate_samples(nl, in, "valid_in", "valid_out", 100000);
    for (size_t k = 0; k < m.num_classes(); ++k) {
      const size_t col = static_cast<size_t>(
          std::find(out.names.begin(), out.names.end(), "class" + std::to_string(k)) -
          out.names.begin());
      REQUIRE(col < out.names.size());
      for (size_t s = 0; s < codes.size(); ++s)
        CHECK(out.rows[s][col][0] == class_scores(m, codes[s])[k]);
    }
  }
  LowerParams parallel;
  parallel.weights_in_bram = true;
  CHECK_THROWS_WITH(lower(m, parallel), Catch::Contains("weights in block RAM need reuse factors"));
}
