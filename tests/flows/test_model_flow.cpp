// A model file through the whole flow with the real tools: lower, write Verilog, yosys
// synth -lut 6, prove the synthesized JSON equivalent to the lowered netlist, and simulate it on
// encoded dataset samples, which must reproduce the integer reference of models/ exactly.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "models/model.hpp"
#include "netlist/vectors.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::models;
using namespace lutforge::test;
namespace fs = std::filesystem;

TEST_CASE("model to hardware: lower, synth -lut 6, prove, and simulate encoded images",
          "[models][yosys]") {
  const fs::path data = temp_dir("model_flow_data");
  std::mt19937_64 rng(2);
  std::vector<uint8_t> pixels(60 * 16), labels(60);
  for (auto& p : pixels) p = static_cast<uint8_t>(rng());
  for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
  write_text(data / "t10k-images-idx3-ubyte", idx_bytes(8, {60, 4, 4}, pixels));
  write_text(data / "t10k-labels-idx1-ubyte", idx_bytes(8, {60}, labels));

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
