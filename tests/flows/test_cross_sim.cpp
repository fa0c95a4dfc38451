// Cross-simulation: each design is synthesized by real yosys in five flows, the JSON is simulated
// by `lutforge sim`, the original Verilog by iverilog, on the same random vectors. Every output
// bit must agree on every cycle.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "netlist/generate.hpp"
#include "netlist/native_json.hpp"
#include "netlist/vectors.hpp"
#include "rtl_gen/verilog.hpp"
#include "tests/support/designs.hpp"
#include "tests/support/dsp_model.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

std::string random_network_verilog(bool registered, uint64_t seed) {
  RandomLutParams p;
  p.num_inputs = 12;
  p.width = 24;
  p.layers = 4;
  p.register_layers = registered;
  p.seed = seed;
  std::ostringstream v;
  write_verilog(random_lut_network(p), v);
  return v.str();
}

// Synthesizes `source` in every flow and checks lutforge sim against iverilog.
void cross_check(const std::string& test_name, const std::string& source, const std::string& top,
                 size_t rows) {
  for (const Flow& flow : synth_flows()) {
    SECTION(flow.name) {
      const fs::path dir = temp_dir(test_name + "_" + flow.name);
      write_text(dir / "design.v", source);
      synthesize(dir / "design.v", top, flow, dir / "design.json");

      // The reader sees the design's ports; the stimulus is drawn for its inputs.
      const Netlist nl = read_netlist_file((dir / "design.json").string());
      const VectorTable in = random_vectors(nl, rows, 42);
      {
        std::ofstream f(dir / "in.csv");
        write_vectors_csv(in, f);
      }
      const RunResult r =
          run_lutforge("sim " + (dir / "design.json").string() + " --vectors " +
                       (dir / "in.csv").string() + " -o " + (dir / "out.csv").string());
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      const VectorTable expected_cols = output_table(nl);
      const VectorTable got =
          read_csv_table(read_text(dir / "out.csv"), (dir / "out.csv").string(), expected_cols);

      const VectorTable ref = iverilog_simulate(dir / "design.v", top, nl.clock_name(), in,
                                                expected_cols.names, expected_cols.widths, dir);
      const std::string diff = compare_tables(ref, got);
      INFO("flow " << flow.name << ": " << diff);
      CHECK(diff.empty());
    }
  }
}

}  // namespace

TEST_CASE("ripple adder agrees with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("ripple", kRipple, "ripple", 300);
}

TEST_CASE("multiplier agrees with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("mult", kMultiplier, "mult", 300);
}

TEST_CASE("registered pipeline agrees with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("pipe", kPipeline, "pipe", 200);
}

TEST_CASE("mux tree agrees with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("muxtree", kMuxTree, "muxtree", 300);
}

TEST_CASE("registers with enables and resets agree with iverilog in every flow",
          "[yosys][iverilog]") {
  cross_check("enables", kEnables, "enables", 300);
}

TEST_CASE("random LUT networks agree with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("random_comb", random_network_verilog(false, 7), "random_luts", 300);
}

TEST_CASE("registered random LUT networks agree with iverilog in every flow", "[yosys][iverilog]") {
  cross_check("random_reg", random_network_verilog(true, 11), "random_luts", 200);
}

TEST_CASE("the native netlist of a random network simulates like its Verilog", "[iverilog]") {
  for (bool registered : {false, true}) {
    RandomLutParams p;
    p.num_inputs = 10;
    p.width = 16;
    p.layers = 3;
    p.register_layers = registered;
    p.seed = 5 + registered;
    const Netlist nl = random_lut_network(p);
    const fs::path dir = temp_dir(std::string("native_random_") + (registered ? "reg" : "comb"));
    {
      std::ofstream v(dir / "design.v");
      write_verilog(nl, v);
    }
    const VectorTable in = random_vectors(nl, 150, 3);
    const VectorTable got = simulate(nl, in, in.rows.size());
    const VectorTable ref = iverilog_simulate(dir / "design.v", "random_luts", nl.clock_name(), in,
                                              got.names, got.widths, dir);
    const std::string diff = compare_tables(ref, got);
    INFO(diff);
    CHECK(diff.empty());
  }
}

TEST_CASE("packed DSP cells simulate like their Verilog", "[iverilog]") {
  // Twenty random cells, every port and pre-adder mode among them, in one design.
  std::mt19937_64 rng(21);
  Netlist nl;
  nl.set_design_name("dsps");
  for (int i = 0; i < 20; ++i) {
    const PackedDsp d = testing::random_dsp(rng);
    std::vector<Signal> pins;
    const std::pair<const char*, uint32_t> ports[] = {
        {"a", d.a_width}, {"b", d.b_width}, {"c", d.c_width},
        {"d", d.d_width}, {"z", d.z_width}, {"zen", uint32_t(d.has_z_enable)}};
    for (const auto& [name, width] : ports) {
      if (!width) continue;
      const NodeId in = nl.add_input(name + std::to_string(i), width);
      for (uint32_t b = 0; b < width; ++b) pins.push_back({in, b});
    }
    const NodeId cell = nl.add_cell(d, pins, "dsp" + std::to_string(i));
    std::vector<Signal> out;
    for (uint32_t b = 0; b < d.p_width; ++b) out.push_back({cell, b});
    nl.add_output("p" + std::to_string(i), out);
  }
  const fs::path dir = temp_dir("native_dsps");
  {
    std::ofstream v(dir / "design.v");
    write_verilog(nl, v);
  }
  const VectorTable in = random_vectors(nl, 300, 4);
  const VectorTable got = simulate(nl, in, in.rows.size());
  const VectorTable ref =
      iverilog_simulate(dir / "design.v", "dsps", "", in, got.names, got.widths, dir);
  const std::string diff = compare_tables(ref, got);
  INFO(diff);
  CHECK(diff.empty());
}
