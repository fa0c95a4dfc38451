#include <catch2/catch.hpp>
#include <sstream>

#include "netlist/generate.hpp"
#include "rtl_gen/verilog.hpp"

using namespace lutforge;

TEST_CASE("Verilog output is deterministic and uses legal identifiers", "[rtl_gen]") {
  RandomLutParams p;
  p.register_layers = true;
  std::ostringstream a, b;
  write_verilog(random_lut_network(p), a);
  write_verilog(random_lut_network(p), b);
  CHECK(a.str() == b.str());
  CHECK(a.str().find("module random_luts (\n  input wire clk,\n  input wire [15:0] x,\n  output "
                     "wire [31:0] y\n);") != std::string::npos);
  CHECK(verilog_identifier("a_b$1") == "a_b$1");
  CHECK(verilog_identifier("x[3]") == "\\x[3] ");
  CHECK(verilog_identifier("module") == "\\module ");
  CHECK(verilog_identifier("1abc") == "\\1abc ");
}

#include <fstream>

#include "netlist/vectors.hpp"
#include "rtl_gen/testbench.hpp"
#include "tests/support/tools.hpp"

TEST_CASE(
    "self-checking testbench passes on the design and names the first mismatches, in iverilog and "
    "Verilator",
    "[rtl_gen][iverilog][verilator]") {
  namespace fs = std::filesystem;
  using namespace lutforge::test;
  RandomLutParams p;
  p.num_inputs = 8;
  p.width = 6;
  p.layers = 2;
  p.register_layers = true;
  const Netlist nl = random_lut_network(p);
  const fs::path dir = temp_dir("testbench");
  {
    std::ofstream v(dir / "design.v");
    write_verilog(nl, v);
  }
  const VectorTable in = random_vectors(nl, 40, 2);
  VectorTable expected = simulate(nl, in, in.rows.size());
  auto run_tb = [&](const VectorTable& exp) {
    std::ofstream tb(dir / "tb.v"), st(dir / "stimulus.hex"), ex(dir / "expected.hex");
    write_testbench(nl, in, exp, tb, st, ex);
    tb.close();
    st.close();
    ex.close();
    const RunResult c =
        run("cd " + dir.string() + " && iverilog -g2012 -o tb.vvp tb.v design.v && vvp -n tb.vvp");
    INFO(c.err);
    REQUIRE(c.exit_code == 0);
    return c.out;
  };
  CHECK(run_tb(expected).find("PASS: 40 cycles, 1 output ports") != std::string::npos);
  // The same testbench in Verilator (timing mode runs its delays).
  const RunResult v = run(
      "cd " + dir.string() + " && verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style " +
      "--top-module tb -j 2 --Mdir vobj tb.v design.v > verilator.log 2>&1 && ./vobj/Vtb");
  INFO(read_text(dir / "verilator.log"));
  REQUIRE(v.exit_code == 0);
  CHECK(v.out.find("PASS: 40 cycles, 1 output ports") != std::string::npos);
  expected.rows[17][0][0] ^= 0x4;
  const std::string out = run_tb(expected);
  CHECK(out.find("MISMATCH cycle 17 port y: expected") != std::string::npos);
  CHECK(out.find("FAIL: 1 mismatches in 40 cycles") != std::string::npos);
  // Verilator reads the changed expected.hex at run time, without a rebuild.
  const RunResult vf = run("cd " + dir.string() + " && ./vobj/Vtb");
  CHECK(vf.out.find("MISMATCH cycle 17 port y: expected") != std::string::npos);
  CHECK(vf.out.find("FAIL: 1 mismatches in 40 cycles") != std::string::npos);
}

#include "equiv/equiv.hpp"
#include "netlist/native_json.hpp"
#include "netlist/passes.hpp"

TEST_CASE("LUTs written as Yosys $lut cells survive synth -lut 6 as LUTs and stay equivalent",
          "[rtl_gen][yosys]") {
  namespace fs = std::filesystem;
  using namespace lutforge::test;
  RandomLutParams p;
  p.num_inputs = 16;
  p.width = 20;
  p.layers = 3;
  p.min_k = 3;
  p.max_k = 6;
  p.register_layers = true;
  const Netlist nl = random_lut_network(p);
  const fs::path dir = temp_dir("yosys_luts");
  {
    std::ofstream v(dir / "design.v");
    VerilogParams vp;
    vp.yosys_luts = true;
    write_verilog(nl, v, vp);
  }
  CHECK(read_text(dir / "design.v").find("\\$lut #(.WIDTH(") != std::string::npos);
  const RunResult r = run("yosys -q -p 'read_verilog -icells " + (dir / "design.v").string() +
                          "; synth -flatten -lut 6 -top random_luts; write_json " +
                          (dir / "out.json").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Netlist b = read_netlist_file((dir / "out.json").string());
  // ABC may merge or split a few LUTs, but the function is the same.
  const EquivResult e = check_equivalence(nl, b);
  INFO(status_name(e.status) << " " << e.reason);
  CHECK(e.status == EquivStatus::Equivalent);
}

TEST_CASE("LUT trees written as modules are synthesized one by one and read back flat",
          "[rtl_gen][yosys]") {
  namespace fs = std::filesystem;
  using namespace lutforge::test;
  RandomLutParams p;
  p.num_inputs = 24;
  p.width = 10;
  p.layers = 2;
  p.min_k = 7;
  p.max_k = 9;
  p.register_layers = true;
  const Netlist nl = random_lut_network(p);
  const Netlist dec = decompose_luts(nl, 6);
  size_t wide = 0;  // LUTs of more than 6 inputs: each becomes a tree of several LUT6s
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (const auto* l = std::get_if<Lut>(&nl.cell(n))) wide += l->function.num_vars() > 6;
  REQUIRE(wide == p.width * p.layers);
  for (bool yosys_luts : {false, true}) {
    const fs::path dir = temp_dir(yosys_luts ? "lut_modules_cells" : "lut_modules_expr");
    {
      std::ofstream v(dir / "design.v");
      VerilogParams vp;
      vp.yosys_luts = yosys_luts;
      vp.lut_modules = true;
      write_verilog(dec, v, vp);
    }
    const std::string text = read_text(dir / "design.v");
    // One module per wide LUT (each decomposes into several LUT6s), plus the top.
    size_t modules = 0;
    for (size_t at = text.find("\nmodule "); at != std::string::npos;
         at = text.find("\nmodule ", at + 1))
      ++modules;
    CHECK(modules == 1 + wide);  // the top, after the header comment, and one per wide LUT
    CHECK(text.find("random_luts__lut0 u_l0_0 (") != std::string::npos);
    // Plain synth: no -flatten, so each module is mapped on its own.
    const RunResult r =
        run("yosys -q -p 'read_verilog -icells " + (dir / "design.v").string() +
            "; synth -lut 6 -top random_luts; write_json " + (dir / "out.json").string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_text(dir / "out.json").find("\"random_luts__lut0\"") != std::string::npos);
    const Netlist b = read_netlist_file((dir / "out.json").string());
    size_t in_instances = 0;  // nets of instances keep their path
    for (NodeId n = 0; n < b.num_nodes(); ++n) in_instances += b.name(n).rfind("u_l", 0) == 0;
    CHECK(in_instances > 0);
    const EquivResult e = check_equivalence(nl, b);
    INFO(status_name(e.status) << " " << e.reason);
    CHECK(e.status == EquivStatus::Equivalent);
  }
}

TEST_CASE("blackbox LUTs: iverilog runs their body, yosys keeps each as one cell",
          "[rtl_gen][yosys]") {
  namespace fs = std::filesystem;
  using namespace lutforge::test;
  RandomLutParams p;
  p.num_inputs = 20;
  p.width = 16;
  p.layers = 3;
  p.min_k = 1;
  p.max_k = 6;
  p.register_layers = true;
  p.seed = 11;
  const Netlist nl = random_lut_network(p);
  for (bool modules : {false, true}) {
    const fs::path dir = temp_dir(modules ? "blackbox_luts_modules" : "blackbox_luts");
    {
      std::ofstream v(dir / "design.v");
      VerilogParams vp;
      vp.blackbox_luts = true;
      vp.lut_modules = modules;
      write_verilog(decompose_luts(nl, 4), v,
                    vp);  // trees of LUT4s, so that lut_modules has groups
    }
    const VectorTable in = random_vectors(nl, 100, 9);
    const VectorTable got = simulate(nl, in, in.rows.size());
    const VectorTable ref = iverilog_simulate(dir / "design.v", "random_luts", nl.clock_name(), in,
                                              got.names, got.widths, dir);
    INFO(compare_tables(ref, got));
    CHECK(compare_tables(ref, got).empty());

    const RunResult r =
        run("yosys -q -p 'read_verilog -icells " + (dir / "design.v").string() +
            "; synth -lut 6 -top random_luts; write_json " + (dir / "out.json").string() + "'");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const Netlist dec = decompose_luts(nl, 4);
    const Netlist b = read_netlist_file((dir / "out.json").string());
    auto luts = [](const Netlist& x) {
      size_t c = 0;
      for (NodeId n = 0; n < x.num_nodes(); ++n) c += std::holds_alternative<Lut>(x.cell(n));
      return c;
    };
    CHECK(luts(b) == luts(dec));
    const EquivResult e = check_equivalence(nl, b);
    INFO(status_name(e.status) << " " << e.reason);
    CHECK(e.status == EquivStatus::Equivalent);
  }
}

TEST_CASE(
    "sums written as lf_add2 chains add only the bits above a shifted operand's zeros, fold "
    "constant steps, and synthesize to one LUT per added bit",
    "[rtl_gen][iverilog][yosys]") {
  namespace fs = std::filesystem;
  using namespace lutforge::test;
  Netlist nl;
  nl.set_design_name("sums");
  const NodeId x = nl.add_input("x", 10), z = nl.add_input("z", 6);
  const Signal zero = nl.constant(false), one = nl.constant(true);
  // x shifted left by `s`, as `bits` pins (zeros below, x above).
  auto shifted = [&](NodeId in, uint32_t width, uint32_t s) {
    std::vector<Signal> v(s, zero);
    for (uint32_t b = 0; b < width; ++b) v.push_back({in, b});
    return v;
  };
  auto word = [&](uint64_t value, uint32_t width) {
    std::vector<Signal> v;
    for (uint32_t b = 0; b < width; ++b) v.push_back((value >> b) & 1 ? one : zero);
    return v;
  };
  auto adder = [&](const std::string& name, uint32_t width,
                   const std::vector<std::pair<std::vector<Signal>, bool>>& ops) {
    Adder a;
    a.width = width;
    std::vector<Signal> pins;
    for (const auto& [bits, is_signed] : ops) {
      a.operands.push_back({static_cast<uint32_t>(bits.size()), is_signed});
      pins.insert(pins.end(), bits.begin(), bits.end());
    }
    const NodeId n = nl.add_cell(a, pins, name);
    std::vector<Signal> out;
    for (uint32_t b = 0; b < width; ++b) out.push_back({n, b});
    nl.add_output(name, out);
    return n;
  };
  // A requantizer's x * 0b1100010 plus a rounding constant: x<<1 + x<<5 + x<<6 + 2^9.
  const NodeId requant = adder("requant", 18,
                               {{shifted(x, 10, 1), true},
                                {shifted(x, 10, 5), true},
                                {shifted(x, 10, 6), true},
                                {word(512, 11), false}});
  // A constant first, then the partial sum has more low zeros than the next operand.
  const NodeId const_first =
      adder("const_first", 14,
            {{word(48, 7), false}, {shifted(z, 6, 4), false}, {std::vector<Signal>{{x, 0}}, true}});
  // An all-zero signed operand in the middle, and a shifted operand after an unshifted one.
  const NodeId zero_middle = adder(
      "zero_middle", 13, {{shifted(z, 6, 0), true}, {word(0, 5), true}, {shifted(x, 10, 3), true}});
  verify_or_throw(nl, "sums");

  // The steps, from the operands built above.
  auto lows = [&](NodeId n) {
    std::vector<std::tuple<uint32_t, bool, bool>> v;
    for (const AdderStep& s : adder_steps(nl, n)) v.emplace_back(s.low, s.low_from_sum, s.constant);
    return v;
  };
  using Steps = std::vector<std::tuple<uint32_t, bool, bool>>;
  CHECK(lows(requant) == Steps{{5, true, false}, {6, true, false}, {9, true, true}});
  CHECK(lows(const_first) == Steps{{4, true, true}, {4, false, false}});
  CHECK(lows(zero_middle) == Steps{{13, true, true}, {3, true, false}});

  const fs::path dir = temp_dir("adder_steps");
  {
    std::ofstream v(dir / "design.v");
    VerilogParams vp;
    vp.adder_modules = true;
    write_verilog(nl, v, vp);
  }
  const std::string text = read_text(dir / "design.v");
  CHECK(text.find("lf_add2 #(.W(13))") != std::string::npos);  // requant: 18 - 5
  CHECK(text.find("lf_add2 #(.W(12))") != std::string::npos);  // requant: 18 - 6
  CHECK(text.find("lf_add2 #(.W(10))") != std::string::npos);  // zero_middle: 13 - 3
  CHECK(text.find("lf_add2 #(.W(18))") == std::string::npos);  // the constant step is inline
  const VectorTable in = random_vectors(nl, 200, 5);
  const VectorTable got = simulate(nl, in, in.rows.size());
  const VectorTable ref =
      iverilog_simulate(dir / "design.v", "sums", "", in, got.names, got.widths, dir);
  INFO(compare_tables(ref, got));
  CHECK(compare_tables(ref, got).empty());

  // synth_xilinx: one LUT per bit that a step adds (13 + 12, 10, and const_first's second step
  // at 14 - 4; none for the constant steps), and the result proved equal to the netlist.
  const RunResult r =
      run("yosys -q -p 'read_verilog -icells " + (dir / "design.v").string() +
          "; synth_xilinx -flatten -top sums; setattr -mod -unset keep_hierarchy; "
          "flatten; tee -q -o " +
          (dir / "stat.txt").string() + " stat; write_json " + (dir / "out.json").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  size_t luts = 0;
  std::istringstream stat(read_text(dir / "stat.txt"));
  for (std::string kind; stat >> kind;) {
    if (kind.rfind("LUT", 0) != 0 || kind.size() != 4) continue;
    size_t count = 0;
    stat >> count;
    luts += count;
  }
  INFO(read_text(dir / "stat.txt"));
  CHECK(luts == 13 + 12 + 10 + 10);
  const Netlist b = read_netlist_file((dir / "out.json").string());
  const EquivResult e = check_equivalence(nl, b);
  INFO(status_name(e.status) << " " << e.reason);
  CHECK(e.status == EquivStatus::Equivalent);
}
