// The lutforge executable: help, exit codes and the exact one-line errors for bad input.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "netlist/generate.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

// A small registered design written as native JSON: y = register(a + b), 4 bits.
fs::path write_design(const fs::path& dir) {
  Netlist nl;
  nl.set_design_name("acc");
  nl.set_clock_name("clk");
  const NodeId a = nl.add_input("a", 4);
  const NodeId b = nl.add_input("b", 4);
  const NodeId s =
      nl.add_cell(Adder{{{4, false}, {4, false}}, 4},
                  {{a, 0}, {a, 1}, {a, 2}, {a, 3}, {b, 0}, {b, 1}, {b, 2}, {b, 3}}, "sum");
  std::vector<Signal> q;
  for (uint32_t i = 0; i < 4; ++i)
    q.push_back({nl.add_cell(Dff{}, {{s, i}}, "q" + std::to_string(i)), 0});
  nl.add_output("y", q);
  write_netlist(dir / "acc.json", nl);
  return dir / "acc.json";
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

TEST_CASE("help for every subcommand and unknown commands", "[cli]") {
  for (const char* cmd : {"stats", "sim", "convert", "testbench", "equiv", "synth", "lower",
                          "encode", "regress", "dsp-packing"}) {
    const RunResult r = run_lutforge(std::string(cmd) + " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind(std::string("usage: lutforge ") + cmd, 0) == 0);
  }
  const RunResult top = run_lutforge("--help");
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("exit codes") != std::string::npos);
  CHECK(top.out.find("  dsp-packing  how many") != std::string::npos);
  const RunResult bad = run_lutforge("frobnicate");
  CHECK(bad.exit_code == 2);
  CHECK(first_line(bad.err) == "lutforge: unknown command 'frobnicate'");
}

TEST_CASE("sim: registered design, held inputs, random stimulus", "[cli]") {
  const fs::path dir = temp_dir("cli_sim");
  const fs::path design = write_design(dir);
  write_text(dir / "in.csv", "b,a\n1,2\n0x3,4\n15,15\n");
  RunResult r = run_lutforge("sim " + design.string() + " --vectors " + (dir / "in.csv").string() +
                             " --cycles 5 -o " + (dir / "out.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Row t shows the register before edge t: init 0, then the sums 3, 7, 14 (15 + 15 mod 16), held.
  CHECK(read_text(dir / "out.csv") == "y\n0\n3\n7\n14\n14\n");

  r = run_lutforge("sim " + design.string() + " --random 50 --seed 9 -o " +
                   (dir / "r1.csv").string() + " --inputs-out " + (dir / "ri.csv").string());
  REQUIRE(r.exit_code == 0);
  r = run_lutforge("sim " + design.string() + " --vectors " + (dir / "ri.csv").string() + " -o " +
                   (dir / "r2.csv").string());
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(dir / "r1.csv") == read_text(dir / "r2.csv"));
  const std::string r1 = read_text(dir / "r1.csv");
  CHECK(std::count(r1.begin(), r1.end(), '\n') == 51);
}

TEST_CASE("sim rejects vectors that do not match the ports", "[cli]") {
  const fs::path dir = temp_dir("cli_sim_bad");
  const fs::path design = write_design(dir);
  const std::string csv = (dir / "in.csv").string();
  auto sim_error = [&](const std::string& text) {
    write_text(dir / "in.csv", text);
    const RunResult r = run_lutforge("sim " + design.string() + " --vectors " + csv + " -o " +
                                     (dir / "o.csv").string());
    CHECK(r.exit_code == 2);
    return first_line(r.err);
  };
  CHECK(sim_error("a,b,c\n1,2,3\n") ==
        "lutforge sim: error: " + csv +
            ": column 'c' is not a port of the design (expected: a, b)");
  CHECK(sim_error("a\n1\n") == "lutforge sim: error: " + csv + ": no column for port 'b'");
  CHECK(sim_error("a,b,clk\n1,2,0\n") ==
        "lutforge sim: error: " + csv +
            ": column 'clk' is the clock, which the simulator drives; remove it");
  CHECK(sim_error("a,b\n1,16\n") ==
        "lutforge sim: error: " + csv + ": line 2, column 'b': value 16 does not fit 4 bits");
  CHECK(sim_error("a,b\n1,0x1f\n") ==
        "lutforge sim: error: " + csv + ": line 2, column 'b': value 0x1f does not fit 4 bits");
  CHECK(sim_error("a,b\n1,-1\n") ==
        "lutforge sim: error: " + csv +
            ": line 2, column 'b': '-1' is not an unsigned decimal or 0x-hex number");
  CHECK(sim_error("a,b\n1,2\n3\n") ==
        "lutforge sim: error: " + csv + ": line 3 has 1 values, expected 2");
  CHECK(sim_error("a,a\n1,2\n") == "lutforge sim: error: " + csv + ": column 'a' appears twice");
  CHECK(sim_error("") ==
        "lutforge sim: error: " + csv + ": empty file; expected a header row of input port names");
  const RunResult both =
      run_lutforge("sim " + design.string() + " --random 3 --vectors " + csv + " -o x.csv");
  CHECK(both.exit_code == 2);
  CHECK(first_line(both.err) == "lutforge sim: error: give exactly one of --vectors and --random");
  const RunResult missing =
      run_lutforge("sim " + (dir / "nope.json").string() + " --random 3 -o x.csv");
  CHECK(missing.exit_code == 2);
  CHECK(first_line(missing.err) ==
        "lutforge sim: error: " + (dir / "nope.json").string() + ": cannot open file for reading");
  const RunResult bad_opt = run_lutforge("sim " + design.string() + " --random many -o x.csv");
  CHECK(bad_opt.exit_code == 2);
  CHECK(first_line(bad_opt.err)
            .find("lutforge sim: error: the argument ('many') for option '--random' is invalid") ==
        0);
}

TEST_CASE("stats reports cells, LUT sizes, depth and stages as text and JSON", "[cli]") {
  const fs::path dir = temp_dir("cli_stats");
  RandomLutParams p;
  p.num_inputs = 6;
  p.width = 5;
  p.layers = 3;
  p.min_k = p.max_k = 3;
  p.register_layers = true;
  write_netlist(dir / "n.json", random_lut_network(p));
  const RunResult r = run_lutforge("stats " + (dir / "n.json").string() + " --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["cells"]["lut"] == 15);
  CHECK(j["lut_sizes"]["3"] == 15);
  CHECK(j["registers"] == 15);
  CHECK(j["logic_depth"] == 1);
  CHECK(j["pipeline_stages"] == 3);
  CHECK(j["clock"] == "clk");
  const RunResult t = run_lutforge("stats " + (dir / "n.json").string());
  REQUIRE(t.exit_code == 0);
  CHECK(t.out.find("pipeline stages 3") != std::string::npos);
  write_text(dir / "trunc.json", read_text(dir / "n.json").substr(0, 100));
  const RunResult bad = run_lutforge("stats " + (dir / "trunc.json").string());
  CHECK(bad.exit_code == 2);
  CHECK(first_line(bad.err).find("lutforge stats: error: " + (dir / "trunc.json").string() +
                                 ": malformed JSON: parse error at line") == 0);
}

TEST_CASE("convert: Yosys JSON to native JSON and dot, byte-stable", "[cli]") {
  const fs::path dir = temp_dir("cli_convert");
  write_text(dir / "t.v", "module t(input [3:0] a, output y); assign y = ^a; endmodule\n");
  REQUIRE(run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
              "; synth -lut 4 -top t; write_json " + (dir / "t.json").string() + "'")
              .exit_code == 0);
  REQUIRE(run_lutforge("convert " + (dir / "t.json").string() + " -o " + (dir / "n1.json").string())
              .exit_code == 0);
  REQUIRE(
      run_lutforge("convert " + (dir / "n1.json").string() + " -o " + (dir / "n2.json").string())
          .exit_code == 0);
  CHECK(read_text(dir / "n1.json") == read_text(dir / "n2.json"));
  REQUIRE(run_lutforge("convert " + (dir / "n1.json").string() + " -o " + (dir / "n.dot").string())
              .exit_code == 0);
  CHECK(read_text(dir / "n.dot").rfind("digraph \"t\"", 0) == 0);
  const RunResult bad =
      run_lutforge("convert " + (dir / "t.json").string() + " -o " + (dir / "t.v2").string());
  CHECK(bad.exit_code == 2);
  CHECK(first_line(bad.err) == "lutforge convert: error: " + (dir / "t.v2").string() +
                                   ": cannot tell the format from the extension; expected .json, "
                                   ".dot or .v, or give --format");
  const RunResult yosys_out =
      run_lutforge("convert " + (dir / "t.json").string() + " --format yosys -o x");
  CHECK(yosys_out.exit_code == 2);
  CHECK(first_line(yosys_out.err) ==
        "lutforge convert: error: --format 'yosys' is not supported; expected json, dot or verilog "
        "(Yosys JSON is input only)");
}

TEST_CASE("equiv: exit codes, JSON, and messages for mismatched designs", "[cli][equiv]") {
  const fs::path dir = temp_dir("cli_equiv");
  const fs::path design = write_design(dir);
  // The same design: equivalent, exit 0.
  RunResult r = run_lutforge("equiv " + design.string() + " " + design.string() + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["result"] == "EQUIVALENT");
  CHECK(j["mode"] == "register correspondence");
  // y = register(a + b) against y = register(a + b + 1): not equivalent, exit 1, a counterexample.
  {
    Netlist nl;
    nl.set_design_name("acc");
    nl.set_clock_name("clk");
    const NodeId a = nl.add_input("a", 4);
    const NodeId b = nl.add_input("b", 4);
    const NodeId s = nl.add_cell(
        Adder{{{4, false}, {4, false}, {1, false}}, 4},
        {{a, 0}, {a, 1}, {a, 2}, {a, 3}, {b, 0}, {b, 1}, {b, 2}, {b, 3}, nl.constant(true)}, "sum");
    std::vector<Signal> q;
    for (uint32_t i = 0; i < 4; ++i)
      q.push_back({nl.add_cell(Dff{}, {{s, i}}, "q" + std::to_string(i)), 0});
    nl.add_output("y", q);
    write_netlist(dir / "diff.json", nl);
  }
  r = run_lutforge("equiv " + design.string() + " " + (dir / "diff.json").string() +
                   " --counterexample-tb " + (dir / "cex.v").string());
  CHECK(r.exit_code == 1);
  CHECK(r.out.rfind("NOT EQUIVALENT (register correspondence)", 0) == 0);
  CHECK(r.out.find("counterexample at cycle 1 of B") != std::string::npos);
  const RunResult replay =
      run("cd " + dir.string() + " && iverilog -g2012 -o cex.vvp cex.v && vvp -n cex.vvp");
  CHECK(replay.out.find("REPRODUCED: 1 output ports differ at cycle 1") != std::string::npos);

  // Mismatched ports and unreadable files.
  Netlist wide;
  wide.set_design_name("acc");
  const NodeId a = wide.add_input("a", 5);
  const NodeId b = wide.add_input("b", 4);
  wide.add_output("y", {{a, 0}, {a, 1}, {b, 2}, {b, 3}});
  write_netlist(dir / "wide.json", wide);
  r = run_lutforge("equiv " + design.string() + " " + (dir / "wide.json").string());
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.err) ==
        "lutforge equiv: error: input port 'a' is 4 bits in A and 5 bits in B");
  Netlist other;
  const NodeId c = other.add_input("c", 4);
  other.add_input("b", 4);
  other.add_output("y", {{c, 0}, {c, 1}, {c, 2}, {c, 3}});
  write_netlist(dir / "other.json", other);
  r = run_lutforge("equiv " + design.string() + " " + (dir / "other.json").string());
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.err) == "lutforge equiv: error: input port 'a' of A has no match in B");
  r = run_lutforge("equiv " + design.string() + " " + (dir / "missing.json").string());
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.err) == "lutforge equiv: error: " + (dir / "missing.json").string() +
                                 ": cannot open file for reading");
}

TEST_CASE("synth: resource report, yosys errors with the log's last lines, a missing yosys",
          "[cli][yosys]") {
  const fs::path dir = temp_dir("cli_synth");
  write_text(dir / "t.v",
             "module t(input clk, input [7:0] a, input [7:0] b, output reg [8:0] s = 0);\n"
             "  always @(posedge clk) s <= a + b;\nendmodule\n");
  RunResult r = run_lutforge("synth " + (dir / "t.v").string() + " --top t --target xilinx -o " +
                             (dir / "t.json").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(read_text(dir / "t.resources.json"));
  CHECK(j["flip_flops"] == 9);
  CHECK(j["carry_cells"] == 3);  // a 9-bit sum has 9 carry stages, 4 per CARRY4
  CHECK(j["dsps"] == 0);
  CHECK(j["luts"].get<int>() > 0);
  r = run_lutforge("synth " + (dir / "t.v").string() + " --top t --lut 4 -o " +
                   (dir / "g.json").string());
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(read_text(dir / "g.resources.json"))["luts_by_size"].contains("4"));
  r = run_lutforge("synth " + (dir / "t.v").string() + " --top nope -o " +
                   (dir / "n.json").string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("lutforge synth: error: synth: yosys failed on " + (dir / "t.v").string()) == 0);
  CHECK(r.err.find("ERROR: Module `nope' not found!") != std::string::npos);
  r = run_lutforge("synth " + (dir / "t.v").string() + " --top t --yosys /nonexistent/yosys -o " +
                   (dir / "m.json").string());
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.err) ==
        "lutforge synth: error: synth: the yosys binary '/nonexistent/yosys' was not found; "
        "install it with: apt-get install yosys");
  r = run_lutforge("synth " + (dir / "t.v").string() + " --top t --target asic -o x.json");
  CHECK(first_line(r.err) ==
        "lutforge synth: error: --target 'asic' is not one of generic, xilinx, ice40");
}

TEST_CASE("outputs are byte-identical across two processes", "[cli]") {
  // Two processes differ in their address layout, so any order that follows pointers or an
  // unordered container's hashing shows up here, where a test within one process would not see it.
  const fs::path dir = temp_dir("cli_determinism");
  RandomLutParams p;
  p.num_inputs = 16;
  p.width = 24;
  p.layers = 4;
  p.min_k = 2;
  p.max_k = 9;
  p.seed = 99;
  write_netlist(dir / "net.json", random_lut_network(p));
  const std::string net = (dir / "net.json").string();
  auto twice = [&](const std::string& args, const std::string& out) {
    std::string text[2];
    for (int i = 0; i < 2; ++i) {
      const std::string path = (dir / (std::to_string(i) + out)).string();
      const RunResult r = run_lutforge(args + " -o " + path);
      INFO(args << ": " << r.err);
      REQUIRE(r.exit_code == 0);
      text[i] = read_text(path);
    }
    CHECK(!text[0].empty());
    CHECK(text[0] == text[1]);
  };
  twice("convert " + net + " --max-lut 4 --pipeline 2", "a.v");
  twice("convert " + net + " --max-lut 4 --pipeline 2 --lut-modules", "b.v");
  twice("convert " + net + " --max-lut 6 --pipeline 1", "c.json");
  twice("convert " + net, "d.dot");
  twice("sim " + net + " --random 300 --seed 4", "e.csv");
  std::string stats[2];
  for (auto& s : stats) s = run_lutforge("stats --json " + net).out;
  CHECK(stats[0] == stats[1]);
}
