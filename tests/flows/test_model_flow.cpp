// A model file through the whole flow with the real tools: lower, write Verilog, yosys
// synth -lut 6, prove the synthesized JSON equivalent to the lowered netlist, and simulate it on
// encoded dataset samples, which must reproduce the integer reference of models/ exactly.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>
#include <optional>

#include "models/model.hpp"
#include "netlist/vectors.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"
#include "train/datasets.hpp"

using namespace lutforge;
using namespace lutforge::models;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

// An MNIST-layout test set of 60 random 4x4 images with random labels, in a fresh directory.
fs::path random_images(const std::string& name, uint64_t seed) {
  const fs::path data = temp_dir(name);
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> pixels(60 * 16), labels(60);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng());
  for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
  write_text(data / "t10k-images-idx3-ubyte", idx_bytes(8, {60, 4, 4}, pixels));
  write_text(data / "t10k-labels-idx1-ubyte", idx_bytes(8, {60}, labels));
  return data;
}

}  // namespace

TEST_CASE("model to hardware: lower, synth -lut 6, prove, and simulate encoded images",
          "[models][yosys]") {
  const fs::path data = random_images("model_flow_data", 2);

  for (unsigned sub : {0u, 2u}) {
    const fs::path dir = temp_dir(sub ? "model_flow_add" : "model_flow");
    // 4x4 images with 2-bit inputs; 6-input tables (fan-in 3, or PolyLUT-Add 2 x 2).
    write_text(dir / "m.lfm.json",
               write_model(random_model({12, 10}, 16, sub ? 4 : 3, 2, sub, 7 + sub, 0.0f, 1.0f)));
    auto lf = [&](const std::string& args) {
      const RunResult r = run_lutforge(args);
      INFO("lutforge " << args << "\n" << r.err);
      REQUIRE(r.exit_code == 0);
      return r;
    };
    lf("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "low.json").string());
    lf("convert " + (dir / "low.json").string() + " -o " + (dir / "m.v").string() +
       " --blackbox-luts");
    const std::string top = sub ? "polylut_add" : "polylut";
    const RunResult y =
        run("yosys -q -p 'read_verilog -icells " + (dir / "m.v").string() + "; synth -lut 6 -top " +
            top + "; write_json " + (dir / "syn.json").string() + "'");
    INFO(y.err);
    REQUIRE(y.exit_code == 0);
    const RunResult e =
        lf("equiv " + (dir / "low.json").string() + " " + (dir / "syn.json").string());
    CHECK(e.out.rfind("EQUIVALENT", 0) == 0);
    lf("encode " + (dir / "m.lfm.json").string() + " --mnist " + data.string() + " -o " +
       (dir / "x.csv").string() + " --reference-out " + (dir / "ref.csv").string());
    lf("sim " + (dir / "syn.json").string() + " --vectors " + (dir / "x.csv").string() + " -o " +
       (dir / "out.csv").string());
    CHECK(csv_column(dir / "out.csv", "prediction") == csv_column(dir / "ref.csv", "prediction"));
    for (int c = 0; c < 10; ++c)
      CHECK(csv_column(dir / "out.csv", "class" + std::to_string(c)) ==
            csv_column(dir / "ref.csv", "class" + std::to_string(c)));
    CHECK(csv_column(dir / "out.csv", "prediction").size() == 60);
  }
}

TEST_CASE(
    "a changed neuron: the counterexample names it, and --dataset finds the first test sample "
    "that exposes it",
    "[models][yosys][equiv]") {
  const fs::path data = random_images("model_neuron_data", 5);
  const train::Dataset d = train::read_mnist_dir(data.string(), false);

  const Model m = random_model({12, 10}, 16, 3, 2, 0, 11, 0.0f, 1.0f);
  auto scores = [&](const Model& model, size_t i) {
    return class_scores(model, input_codes(model, &d.features[i * d.num_features]));
  };
  // Neuron 5 of layer 0 with one table entry changed: the entry that some sample reads, chosen so
  // that the class scores change on some sample. The expected sample comes from models/ alone.
  Model changed;
  std::optional<size_t> first;
  for (size_t s = 0; s < d.size() && !first; ++s) {
    changed = m;
    const auto codes = input_codes(m, &d.features[s * d.num_features]);
    const auto& inputs = m.layers[0].neurons[5].inputs;
    uint64_t idx = 0;
    for (size_t j = 0; j < inputs.size(); ++j) idx |= uint64_t{codes[inputs[j]]} << (2 * j);
    TruthTable& t = changed.layers[0].neurons[5].tables[0];
    set_bit(t, idx, !get_bit(t, idx));
    for (size_t i = 0; i < d.size() && !first; ++i)
      if (scores(m, i) != scores(changed, i)) first = i;
  }
  REQUIRE(first);

  const fs::path dir = temp_dir("model_neuron");
  write_text(dir / "m.lfm.json", write_model(m));
  write_text(dir / "changed.lfm.json", write_model(changed));
  auto lf = [&](const std::string& args, int expect) {
    const RunResult r = run_lutforge(args);
    INFO("lutforge " << args << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == expect);
    return r;
  };
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "low.json").string(), 0);
  lf("lower " + (dir / "changed.lfm.json").string() + " -o " + (dir / "changed.json").string(), 0);
  lf("convert " + (dir / "changed.json").string() + " -o " + (dir / "changed.v").string() +
         " --blackbox-luts",
     0);
  const RunResult y =
      run("yosys -q -p 'read_verilog -icells " + (dir / "changed.v").string() +
          "; synth -lut 6 -top polylut; write_json " + (dir / "syn.json").string() + "'");
  REQUIRE(y.exit_code == 0);
  // B is Yosys' synthesis of the changed model: none of its nets is named after a neuron.
  const RunResult e =
      lf("equiv " + (dir / "low.json").string() + " " + (dir / "syn.json").string() + " --model " +
             (dir / "m.lfm.json").string() + " --dataset " + data.string() + " --json",
         1);
  const auto j = nlohmann::json::parse(e.out);
  CHECK(j["result"] == "NOT EQUIVALENT");
  CHECK(j["first_differing_neuron"]["layer"] == 0);
  CHECK(j["first_differing_neuron"]["neuron"] == 5);
  CHECK(j["dataset"]["samples"] == 60);
  CHECK(j["dataset"]["sample"] == *first);
  CHECK(j["dataset"]["label"] == d.labels[*first]);
  CHECK(j["dataset"]["neuron"]["layer"] == 0);
  CHECK(j["dataset"]["neuron"]["neuron"] == 5);
  CHECK(j["dataset"]["prediction_b"] == predict(changed, scores(changed, *first)));
  // The text report, against the changed model's own lowering this time.
  const RunResult same =
      lf("equiv " + (dir / "low.json").string() + " " + (dir / "changed.json").string() +
             " --model " + (dir / "m.lfm.json").string() + " --dataset " + data.string(),
         1);
  CHECK(same.out.find("test sample " + std::to_string(*first) + " (label") != std::string::npos);
  // Bad input: --dataset without --model.
  const RunResult bad = run_lutforge("equiv " + (dir / "low.json").string() + " " +
                                     (dir / "syn.json").string() + " --dataset " + data.string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--dataset needs --model") != std::string::npos);
}

TEST_CASE(
    "the input encoder in hardware: 8-bit pixels in, the model's thresholds as LUTs, proved and "
    "predicting as models/",
    "[models][yosys]") {
  const fs::path data = random_images("model_flow_pixels_data", 6);
  const fs::path dir = temp_dir("model_flow_pixels");
  // 16 features of 3 thermometer bits with thresholds between pixel values and on them: the
  // encoder must reproduce x >= t for every pixel value, whichever side of t it falls.
  Model m = lutforge::test::random_bit_lut_model({40, 20}, 16, 3, 6, 4, 17);
  for (size_t f = 0; f < 16; ++f)
    m.input.thresholds[f] = {static_cast<float>(f * 10) / 255.0f,
                             (static_cast<float>(f * 10) + 40.5f) / 255.0f, 0.77f};
  write_text(dir / "m.lfm.json", write_model(m));
  auto lf = [&](const std::string& args) {
    const RunResult r = run_lutforge(args);
    INFO("lutforge " << args << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  const std::string low = (dir / "low.json").string(), enc = (dir / "enc.json").string();
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + low);
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + enc + " --pixel-bits 8");
  // 48 encoder LUTs of 8 inputs in front of the 60 of the network.
  CHECK(lf("stats " + enc + " --json").out.find("\"lut\": 108") != std::string::npos);
  lf("convert " + enc + " -o " + (dir / "enc.v").string() + " --yosys-luts");
  lf("synth " + (dir / "enc.v").string() + " --top dwn --lut 6 -o " + (dir / "syn.json").string());
  CHECK(lf("equiv " + enc + " " + (dir / "syn.json").string()).out.rfind("EQUIVALENT", 0) == 0);
  // The netlist reads the pixels themselves and predicts as models/ does from the features.
  lf("encode " + (dir / "m.lfm.json").string() + " --mnist " + data.string() + " -o " +
     (dir / "px.csv").string() + " --pixel-bits 8 --reference-out " + (dir / "ref.csv").string());
  lf("sim " + (dir / "syn.json").string() + " --vectors " + (dir / "px.csv").string() + " -o " +
     (dir / "out.csv").string());
  CHECK(csv_column(dir / "out.csv", "prediction") == csv_column(dir / "ref.csv", "prediction"));
  CHECK(csv_column(dir / "out.csv", "class0") == csv_column(dir / "ref.csv", "class0"));
  // Features that are not 4-bit pixels: an error that names the sample and the feature.
  const RunResult bad =
      run_lutforge("encode " + (dir / "m.lfm.json").string() + " --mnist " + data.string() +
                   " -o " + (dir / "b.csv").string() + " --pixel-bits 4");
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("sample 0: feature ") != std::string::npos);
  CHECK(bad.err.find("not a 4-bit pixel p / 15") != std::string::npos);
}

TEST_CASE("a gate network lowered with --fold: counts before and after, and the same predictions",
          "[models]") {
  const fs::path data = random_images("model_flow_gates_data", 5);
  const fs::path dir = temp_dir("model_flow_gates");
  // 16 features of 2 bits; 10 classes of 6 gates each.
  const Model m = random_gate_model({80, 60}, 16, 2, 10, 21);
  write_text(dir / "m.lfm.json", write_model(m));
  // The gates folding must remove or turn into inverters, counted per layer from the gate ids
  // alone: constants (0, 15), pass-throughs (3 = a, 5 = b) and negations (12 = not a, 10 = not b).
  std::vector<size_t> constant(m.layers.size()), one_input(m.layers.size());
  size_t foldable = 0;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    for (const Neuron& n : m.layers[l].neurons) {
      const unsigned id = gate_id_of(n.tables[0]);
      constant[l] += id == 0 || id == 15;
      one_input[l] += id == 3 || id == 5 || id == 10 || id == 12;
    }
    foldable += constant[l] + one_input[l];
  }
  REQUIRE(foldable > 0);
  // `lutforge stats` on the model counts the same gates, layer by layer.
  {
    const RunResult s = run_lutforge("stats " + (dir / "m.lfm.json").string() + " --json");
    REQUIRE(s.exit_code == 0);
    const auto j = nlohmann::json::parse(s.out);
    for (size_t l = 0; l < m.layers.size(); ++l) {
      const auto& jl = j["layers"][l];
      CHECK(jl["constant"] == constant[l]);
      CHECK(jl["by_fan_in"].value("1", size_t{0}) == one_input[l]);
      CHECK(jl["by_fan_in"].value("2", size_t{0}) ==
            m.layers[l].neurons.size() - one_input[l] - constant[l]);
    }
  }
  auto lf = [&](const std::string& args) {
    const RunResult r = run_lutforge(args);
    INFO("lutforge " << args << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  for (const char* regs : {"", " --register-every 1"}) {
    const RunResult r = lf("lower " + (dir / "m.lfm.json").string() + " -o " +
                           (dir / "f.json").string() + " --fold" + regs);
    unsigned before = 0, after = 0;
    REQUIRE(std::sscanf(r.out.c_str(), "lowered %u gates", &before) == 1);
    REQUIRE(std::sscanf(r.out.substr(r.out.find("folded")).c_str(), "folded %u gates", &after) ==
            1);
    CHECK(before == 140);
    CHECK(after <= before - foldable);
    CHECK(r.out.find("proved equivalent") != std::string::npos);
  }
  // The folded, combinational netlist predicts as models/ does.
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "f.json").string() + " --fold");
  lf("encode " + (dir / "m.lfm.json").string() + " --mnist " + data.string() + " -o " +
     (dir / "x.csv").string() + " --reference-out " + (dir / "ref.csv").string());
  lf("sim " + (dir / "f.json").string() + " --vectors " + (dir / "x.csv").string() + " -o " +
     (dir / "out.csv").string());
  CHECK(csv_column(dir / "out.csv", "prediction") == csv_column(dir / "ref.csv", "prediction"));
  CHECK(csv_column(dir / "out.csv", "prediction").size() == 60);
  CHECK(run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "g.json").string() +
                     " --register-layers --register-every 2")
            .exit_code == 2);

  // Popcounts as trees of 2-operand adders, a stage per level: 6 outputs a class take 3 levels,
  // so the scores come 2 + 3 clocks after the input. The prover finds that latency itself and
  // proves the pipeline equal to the combinational netlist.
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "c.json").string());
  lf("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "p.json").string() +
     " --register-every 1 --popcount-radix 2");
  const RunResult e =
      lf("equiv " + (dir / "c.json").string() + " " + (dir / "p.json").string() + " --json");
  CHECK(e.out.find("\"result\": \"EQUIVALENT\"") != std::string::npos);
  CHECK(e.out.find("\"latency\": 5") != std::string::npos);
  const RunResult bad = run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " +
                                     (dir / "g.json").string() + " --popcount-radix 1");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--popcount-radix must be at least 2") != std::string::npos);
}

TEST_CASE("Verilog of a gate network with wide popcounts needs no decomposition proof",
          "[models]") {
  // 10 classes of 300 gates: popcounts of 300 one-bit operands, which a proof of the netlist
  // against itself does not settle within its conflict budget. Nothing is wider than --max-lut,
  // so nothing is decomposed and nothing needs proving.
  const fs::path dir = temp_dir("model_flow_wide_popcount");
  write_text(dir / "m.lfm.json", write_model(random_gate_model({600, 3000}, 16, 2, 10, 31)));
  REQUIRE(
      run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " + (dir / "low.json").string())
          .exit_code == 0);
  const RunResult v =
      run_lutforge("convert " + (dir / "low.json").string() + " -o " + (dir / "m.v").string());
  INFO(v.err);
  CHECK(v.exit_code == 0);
  CHECK(read_text(dir / "m.v").find("module difflogic") != std::string::npos);
}

TEST_CASE("stats on a model file: each layer's neurons by fan-in, and the constant LUTs apart",
          "[models]") {
  // Neurons of 1 + n % 3 inputs with non-constant tables (bit b copies bit b of the first input),
  // as logic shrinkage leaves them, and neurons 0 and 1 of layer 0 made constants (0 and 3).
  Model m = random_model({9, 6, 4}, 7, 3, 2, 0, 21);
  for (Layer& L : m.layers)
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      Neuron& N = L.neurons[n];
      N.inputs.resize(1 + n % 3);
      for (unsigned b = 0; b < 2; ++b) {
        N.tables[b] = TruthTable(static_cast<unsigned>(N.inputs.size()) * 2);
        for (uint64_t v = 0; v < (uint64_t{1} << N.tables[b].num_vars()); ++v)
          set_bit(N.tables[b], v, &L == &m.layers[0] && n < 2 ? n == 1 : (v >> b) & 1);
      }
    }
  const fs::path dir = temp_dir("model_stats");
  write_text(dir / "m.lfm.json", write_model(m));
  const RunResult j = run_lutforge("stats " + (dir / "m.lfm.json").string() + " --json");
  INFO(j.err);
  REQUIRE(j.exit_code == 0);
  const nlohmann::json s = nlohmann::json::parse(j.out);
  CHECK(s["input"]["features"] == 7);
  REQUIRE(s["layers"].size() == 3);
  // Layer 0: inputs 1, 2, 3, 1, 2, 3, 1, 2, 3 with the first two constant.
  CHECK(s["layers"][0]["by_fan_in"] == nlohmann::json({{"1", 2}, {"2", 2}, {"3", 3}}));
  CHECK(s["layers"][0]["constant"] == 2);
  CHECK(s["layers"][1]["by_fan_in"] == nlohmann::json({{"1", 2}, {"2", 2}, {"3", 2}}));
  CHECK(s["layers"][2]["by_fan_in"] == nlohmann::json({{"1", 2}, {"2", 1}, {"3", 1}}));
  CHECK(s["layers"][2]["constant"] == 0);
  CHECK(s["classes"] == 4);
  const RunResult t = run_lutforge("stats " + (dir / "m.lfm.json").string());
  CHECK(t.out.find("layer 0         lut: 9 neurons of 2 -> 2 bits; 2 of 1 input, 2 of 2 inputs, "
                   "3 of 3 inputs, 2 constant\n") != std::string::npos);
  // A model file cut short is named, as the model reader names it.
  const std::string text = read_text(dir / "m.lfm.json");
  write_text(dir / "cut.lfm.json", text.substr(0, text.size() / 2));
  const RunResult bad = run_lutforge("stats " + (dir / "cut.lfm.json").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("cut.lfm.json") != std::string::npos);
}
