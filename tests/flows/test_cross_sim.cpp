// Cross-simulation: each design is synthesized by real yosys in five flows, the JSON is simulated
// by `lutforge sim`, the original Verilog by iverilog, on the same random vectors. Every output
// bit must agree on every cycle.
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
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

namespace {

// Multipliers as synth_xilinx maps them to DSP48E1: a multiply-add, an unsigned product, a
// 30 x 30 product over cascaded slices (ACIN, PCIN >> 17), A/B/M/P registers, a clock enable
// and reset, and an accumulator whose load is a dynamic OPMODE bit.
const char* kDspMultipliers = R"(
module dsps(input clk, input rst, input ce, input ld,
            input signed [7:0] a, input signed [7:0] b, input signed [15:0] c,
            input [11:0] u, input [9:0] v, input signed [29:0] wa, input signed [29:0] wb,
            output signed [17:0] mac, output [21:0] umul, output signed [59:0] wide,
            output reg signed [15:0] piped = 0, output reg [15:0] gated = 0,
            output reg signed [35:0] acc = 0);
  assign mac = a * b + c;
  assign umul = u * v;
  assign wide = wa * wb;
  reg signed [7:0] ar = 0, br = 0;
  always @(posedge clk) begin ar <= a; br <= b; piped <= ar * br; end
  always @(posedge clk) if (rst) gated <= 0; else if (ce) gated <= u[7:0] * v[7:0];
  always @(posedge clk) acc <= (ld ? 36'sd0 : acc) + a * c;
endmodule
)";

// Slices that synth_xilinx does not build itself but keeps when a design instantiates them:
// the pre-adder (D - A with AD and D registers, D + A1 without), two-stage A and B registers
// with the first stage cascaded out, Z = C, and Z chosen at run time among 0, PCIN, P and C.
const char* kDspInstances = R"(
module slices(input clk, input [3:0] ce, input [1:0] rst, input [1:0] zsel,
              input signed [11:0] a, input signed [9:0] b, input signed [11:0] d,
              input signed [15:0] c, output [47:0] p0, output [47:0] p1, output [29:0] acout);
  wire [47:0] pc;
  DSP48E1 #(.USE_DPORT("TRUE"), .AREG(2), .BREG(2), .ACASCREG(1), .BCASCREG(2), .ADREG(1),
            .DREG(1), .CREG(1), .MREG(1), .PREG(1), .INMODEREG(0), .OPMODEREG(0),
            .ALUMODEREG(0), .CARRYINREG(0), .CARRYINSELREG(0))
    s0 (.CLK(clk), .A({{18{a[11]}}, a}), .B({{8{b[9]}}, b}), .C({{32{c[15]}}, c}),
        .D({{13{d[11]}}, d}), .INMODE(5'b01100), .OPMODE(7'b0110101), .ALUMODE(4'b0000),
        .CARRYIN(1'b0), .CARRYINSEL(3'b000),
        .CEA1(ce[0]), .CEA2(ce[1]), .CEB1(1'b1), .CEB2(ce[2]), .CEC(1'b1), .CED(ce[3]),
        .CEAD(1'b1), .CEM(1'b1), .CEP(ce[0]), .RSTA(rst[0]), .RSTB(1'b0), .RSTC(rst[1]),
        .RSTD(1'b0), .RSTM(rst[1]), .RSTP(rst[0]), .P(p0), .PCOUT(pc), .ACOUT(acout));
  DSP48E1 #(.USE_DPORT("TRUE"), .AREG(2), .BREG(2), .ADREG(0), .DREG(0), .CREG(0), .MREG(0),
            .PREG(1), .INMODEREG(0), .OPMODEREG(0), .ALUMODEREG(0), .CARRYINREG(0),
            .CARRYINSELREG(0))
    s1 (.CLK(clk), .A({{18{a[11]}}, a}), .B({{8{b[9]}}, b}), .C({{32{c[15]}}, c}),
        .D({{13{d[11]}}, d}), .INMODE(5'b10101), .OPMODE({1'b0, zsel, 4'b0101}),
        .ALUMODE(4'b0000), .CARRYIN(1'b0), .CARRYINSEL(3'b000), .PCIN(pc),
        .CEA1(1'b1), .CEA2(1'b1), .CEB1(ce[1]), .CEB2(1'b1), .CEP(1'b1),
        .RSTA(1'b0), .RSTB(rst[0]), .RSTP(1'b0), .P(p1));
endmodule
)";

// Synthesizes `source` with synth_xilinx (DSP mapping on), then checks `lutforge sim` of the
// JSON against iverilog running the mapped netlist on Yosys' own cell models, and on
// `slice_model` for a cell that Yosys has no model of. Returns the JSON.
std::string check_against_cell_models(const std::string& name, const std::string& source,
                                      const std::string& top, size_t rows,
                                      const std::string& synth_options = "",
                                      std::optional<fs::path> slice_model = std::nullopt) {
  const fs::path dir = temp_dir(name);
  write_text(dir / "design.v", source);
  const RunResult y = run("yosys -q -p 'read_verilog " + (dir / "design.v").string() +
                          "; synth_xilinx -flatten -nosrl " + synth_options + " -top " + top +
                          "; write_json " + (dir / "design.json").string() +
                          "; write_verilog -noattr " + (dir / "mapped.v").string() + "'");
  INFO(y.err);
  REQUIRE(y.exit_code == 0);
  const Netlist nl = read_netlist_file((dir / "design.json").string());
  const VectorTable in = random_vectors(nl, rows, 9);
  {
    std::ofstream f(dir / "in.csv");
    write_vectors_csv(in, f);
  }
  const RunResult r = run_lutforge("sim " + (dir / "design.json").string() + " --vectors " +
                                   (dir / "in.csv").string() + " -o " + (dir / "out.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const VectorTable cols = output_table(nl);
  const VectorTable got =
      read_csv_table(read_text(dir / "out.csv"), (dir / "out.csv").string(), cols);
  // Yosys' data directory sits beside its binary (yosys-config, which would name it, comes only
  // with the development package).
  const RunResult datdir =
      run("echo $(dirname $(dirname $(readlink -f $(command -v yosys))))/share/yosys");
  REQUIRE(datdir.exit_code == 0);
  std::vector<fs::path> libraries = {fs::path(datdir.out.substr(0, datdir.out.find('\n'))) /
                                     "xilinx" / "cells_sim.v"};
  if (slice_model) libraries.push_back(*slice_model);
  const VectorTable ref = iverilog_simulate(dir / "mapped.v", top, nl.clock_name(), in, cols.names,
                                            cols.widths, dir, libraries);
  const std::string diff = compare_tables(ref, got);
  INFO(diff);
  CHECK(diff.empty());
  return read_text(dir / "design.json");
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = 0; (pos = text.find(what, pos)) != std::string::npos; pos += what.size()) ++n;
  return n;
}

}  // namespace

TEST_CASE("DSP48E1 slices from synth_xilinx simulate like Yosys' model of the cell",
          "[yosys][iverilog][dsp]") {
  const std::string json = check_against_cell_models("dsp_mult", kDspMultipliers, "dsps", 300);
  // The design must have reached the slices it is meant to test.
  CHECK(count_of(json, "\"type\": \"DSP48E1\"") >= 8);
  CHECK(count_of(json, "\"A_INPUT\": \"CASCADE\"") >= 1);
  CHECK(count_of(json, "\"PREG\": \"1\"") >= 1);
  CHECK(count_of(json, "\"MREG\": \"1\"") >= 1);
}

TEST_CASE("instantiated DSP48E1 slices with pre-adders and cascades simulate like Yosys' model",
          "[yosys][iverilog][dsp]") {
  const std::string json = check_against_cell_models("dsp_inst", kDspInstances, "slices", 300);
  CHECK(count_of(json, "\"type\": \"DSP48E1\"") == 2);
}

namespace {

// DSP48E2 slices instantiated: the pre-adder as the multiplier's input (AMULTSEL = "AD") with D,
// AD, M and P registers, A in two stages with the first cascaded out, and a second slice that
// adds D + A1 with B1 and picks Z at run time among 0, PCIN, P and C.
const char* kDsp48e2Instances = R"(
module slices2(input clk, input [3:0] ce, input [1:0] rst, input [1:0] zsel,
               input signed [13:0] a, input signed [9:0] b, input signed [13:0] d,
               input signed [15:0] c, output [47:0] p0, output [47:0] p1, output [29:0] acout);
  wire [47:0] pc;
  DSP48E2 #(.AMULTSEL("AD"), .AREG(2), .BREG(2), .ACASCREG(1), .BCASCREG(2), .ADREG(1),
            .DREG(1), .CREG(1), .MREG(1), .PREG(1), .INMODEREG(0), .OPMODEREG(0),
            .ALUMODEREG(0), .CARRYINREG(0), .CARRYINSELREG(0))
    s0 (.CLK(clk), .A({{16{a[13]}}, a}), .B({{8{b[9]}}, b}), .C({{32{c[15]}}, c}),
        .D({{13{d[13]}}, d}), .INMODE(5'b01100), .OPMODE(9'b000110101), .ALUMODE(4'b0000),
        .CARRYIN(1'b0), .CARRYINSEL(3'b000),
        .CEA1(ce[0]), .CEA2(ce[1]), .CEB1(1'b1), .CEB2(ce[2]), .CEC(1'b1), .CED(ce[3]),
        .CEAD(1'b1), .CEM(1'b1), .CEP(ce[0]), .RSTA(rst[0]), .RSTB(1'b0), .RSTC(rst[1]),
        .RSTD(1'b0), .RSTM(rst[1]), .RSTP(rst[0]), .P(p0), .PCOUT(pc), .ACOUT(acout));
  DSP48E2 #(.AMULTSEL("AD"), .AREG(2), .BREG(2), .ADREG(0), .DREG(0), .CREG(0), .MREG(0),
            .PREG(1), .INMODEREG(0), .OPMODEREG(0), .ALUMODEREG(0), .CARRYINREG(0),
            .CARRYINSELREG(0))
    s1 (.CLK(clk), .A({{16{a[13]}}, a}), .B({{8{b[9]}}, b}), .C({{32{c[15]}}, c}),
        .D({{13{d[13]}}, d}), .INMODE(5'b10101), .OPMODE({2'b00, 1'b0, zsel, 4'b0101}),
        .ALUMODE(4'b0000), .CARRYIN(1'b0), .CARRYINSEL(3'b000), .PCIN(pc),
        .CEA1(1'b1), .CEA2(1'b1), .CEB1(ce[1]), .CEB2(1'b1), .CEP(1'b1),
        .RSTA(1'b0), .RSTB(rst[0]), .RSTP(1'b0), .P(p1));
endmodule
)";

fs::path dsp48e2_model() {
  return fs::path(__FILE__).parent_path().parent_path() / "support" / "dsp48e2_model.v";
}

}  // namespace

TEST_CASE("DSP48E2 slices from synth_xilinx -family xcup simulate like a model of UG579",
          "[yosys][iverilog][dsp]") {
  const std::string json = check_against_cell_models("dsp_mult_e2", kDspMultipliers, "dsps", 300,
                                                     "-family xcup", dsp48e2_model());
  CHECK(count_of(json, "\"type\": \"DSP48E2\"") >= 8);
}

TEST_CASE(
    "instantiated DSP48E2 slices with pre-adders and cascades simulate like a model of "
    "UG579",
    "[yosys][iverilog][dsp]") {
  const std::string json = check_against_cell_models("dsp_inst_e2", kDsp48e2Instances, "slices2",
                                                     300, "-family xcup", dsp48e2_model());
  CHECK(count_of(json, "\"type\": \"DSP48E2\"") == 2);
}
