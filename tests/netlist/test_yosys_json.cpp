// The Yosys JSON reader: facts about real yosys output checked by running yosys on tiny designs,
// and the exact messages for bad input.
#include <catch2/catch.hpp>
#include <map>
#include <thread>

#include "base/error.hpp"
#include "netlist/native_json.hpp"
#include "netlist/vectors.hpp"
#include "netlist/yosys_json.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

std::string error_of(const std::string& text, const std::string& top = {}) {
  try {
    ImportParams p;
    p.top = top;
    import_yosys(parse_yosys_json(text, "in.json"), p);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

// A minimal Yosys JSON module with the given cells and ports.
std::string module(const std::string& ports, const std::string& cells,
                   const std::string& nets = "{}") {
  return R"({"modules":{"m":{"attributes":{"top":"00000000000000000000000000000001"},"ports":)" +
         ports + R"(,"cells":)" + cells + R"(,"netnames":)" + nets + "}}}";
}

const std::string kPorts =
    R"({"a":{"direction":"input","bits":[2]},"b":{"direction":"input","bits":[3]},"y":{"direction":"output","bits":[4]}})";

}  // namespace

TEST_CASE("yosys facts: $lut order, bit ids, init attribute, constant bits", "[yosys]") {
  const fs::path dir = temp_dir("yosys_facts");
  write_text(dir / "t.v", R"(
module t(input clk, input [2:0] a, output y, output [1:0] k, output reg [3:0] r = 4'b1010);
  assign y = a[0] & ~a[2];
  assign k = 2'b10;
  always @(posedge clk) r <= {r[2:0], a[1]};
endmodule
)");
  const RunResult r = run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
                          "; synth -lut 3 -top t; write_json " + (dir / "t.json").string() + "'");
  REQUIRE(r.exit_code == 0);
  const YosysDesign d = parse_yosys_json(read_text(dir / "t.json"), "t.json");
  REQUIRE(d.modules.size() == 1);
  const YosysModule& m = d.modules[0];
  CHECK(m.is_top);
  // Ports in declaration order, bit ids from 2, LSB first.
  REQUIRE(m.ports.size() == 5);
  CHECK(m.ports[0].name == "clk");
  auto bits = [](std::span<const YBit> s) { return std::vector<YBit>(s.begin(), s.end()); };
  CHECK(bits(m.ports[0].bits) == std::vector<YBit>{2});
  CHECK(bits(m.ports[1].bits) == std::vector<YBit>{3, 4, 5});
  CHECK(bits(m.ports[3].bits) == std::vector<YBit>{kYBit0, kYBit1});
  // The register's init sits on its net's init attribute, MSB first.
  bool found_init = false;
  for (const auto& n : m.nets)
    if (n.name == "r") {
      CHECK(n.init == "1010");
      found_init = true;
    }
  CHECK(found_init);
  // The $lut computing y: Y = LUT[sum A[k] 2^k].
  const YosysCell* lut = nullptr;
  for (const auto& c : m.cells)
    if (c.type == "$lut") lut = &c;
  REQUIRE(lut);
  ImportStats st;
  const Netlist nl = import_yosys(d, {}, &st);
  CHECK(nl.clock_name() == "clk");
  CHECK(nl.inputs().size() == 1);  // the clock is not a data input
  // Exhaustive check of y and the constant port against the Verilog semantics.
  VectorTable in = input_table(nl);
  for (uint64_t v = 0; v < 8; ++v) in.rows.push_back({BitVector{v}});
  const VectorTable out = simulate(nl, in, 8);
  for (uint64_t v = 0; v < 8; ++v) {
    CHECK(out.rows[v][0][0] == ((v & 1) && !(v & 4) ? 1u : 0u));
    CHECK(out.rows[v][1][0] == 2u);
  }
  // The register shifts in a[1] from its init value 1010.
  CHECK(out.rows[0][2][0] == 0xa);
  CHECK(out.rows[1][2][0] == ((0xa << 1) & 0xf));                 // a = 0: a[1] = 0
  CHECK(out.rows[2][2][0] == ((((0xa << 1) & 0xf) << 1) & 0xf));  // a = 1: a[1] = 0
}

TEST_CASE("a register that drives an output port keeps the name of its own net", "[yosys]") {
  // The prover pairs the registers of a synthesized netlist with those of the netlist it came
  // from by name (a design with registers of equal simulation signatures depends on it); lutforge's
  // Verilog names every register bit by a net of its own, and the last stage's registers also drive
  // the score ports.
  const fs::path dir = temp_dir("yosys_register_names");
  write_text(dir / "t.v", R"(
module t(input clk, input [3:0] a, output [1:0] o);
  reg p_q = 1'b0;
  reg q_q = 1'b0;
  always @(posedge clk) begin p_q <= &a; q_q <= |a; end
  assign o = {q_q, p_q};
endmodule
)");
  const RunResult r = run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
                          "; synth -lut 4 -top t; write_json " + (dir / "t.json").string() + "'");
  REQUIRE(r.exit_code == 0);
  const Netlist nl = import_yosys(parse_yosys_json(read_text(dir / "t.json"), "t.json"), {});
  std::vector<std::string> regs;
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (std::holds_alternative<Dff>(nl.cell(n))) regs.push_back(nl.name(n));
  std::sort(regs.begin(), regs.end());
  // Not o[0] and o[1]: Yosys lists the port's net first (its names sort before the registers').
  CHECK(regs == std::vector<std::string>{"p_q", "q_q"});
}

TEST_CASE("several modules: the top attribute, --top, and blackboxes", "[yosys]") {
  const fs::path dir = temp_dir("yosys_modules");
  write_text(dir / "t.v", R"(
module sub(input a, output y); assign y = ~a; endmodule
module t(input a, input b, output y); wire w; sub s(.a(a), .y(w)); assign y = w ^ b; endmodule
)");
  // Hierarchy kept by yosys: the reader flattens it. y = ~a ^ b.
  REQUIRE(run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
              "; synth -top t -lut 4; write_json " + (dir / "h.json").string() + "'")
              .exit_code == 0);
  const std::string h = read_text(dir / "h.json");
  {
    const Netlist nl = import_yosys(parse_yosys_json(h, "h.json"));
    VectorTable in = input_table(nl);
    for (uint64_t v = 0; v < 4; ++v) in.rows.push_back({BitVector{v & 1}, BitVector{v >> 1}});
    const VectorTable out = simulate(nl, in, 4);
    for (uint64_t v = 0; v < 4; ++v) CHECK(out.rows[v][0][0] == ((~v & 1) ^ (v >> 1)));
  }
  CHECK(error_of(h, "nosuch") == "in.json: no module named 'nosuch'");
  // --top picks a module even when another has the top attribute.
  ImportParams p;
  p.top = "sub";
  REQUIRE(run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
              "; synth -top t -lut 4; write_json " + (dir / "s.json").string() + "'")
              .exit_code == 0);
  const Netlist sub = import_yosys(parse_yosys_json(read_text(dir / "s.json"), "s.json"), p);
  CHECK(sub.design_name() == "sub");
  // synth_xilinx writes its cell library as blackboxes beside the top.
  REQUIRE(run("yosys -q -p 'read_verilog " + (dir / "t.v").string() +
              "; synth_xilinx -flatten -top t; write_json " + (dir / "x.json").string() + "'")
              .exit_code == 0);
  const YosysDesign x = parse_yosys_json(read_text(dir / "x.json"), "x.json");
  size_t blackboxes = 0;
  for (const auto& m : x.modules) blackboxes += m.is_blackbox;
  CHECK(blackboxes > 10);
  CHECK(import_yosys(x).design_name() == "t");
  // Without a top attribute and with several modules, the reader asks for --top.
  const std::string two =
      R"({"modules":{"a":{"ports":{},"cells":{},"netnames":{}},"b":{"ports":{},"cells":{},"netnames":{}}}})";
  CHECK(error_of(two) == "in.json: 2 modules and none has the top attribute; name one with --top");
}

TEST_CASE("bad Yosys JSON gets one-line messages naming file, object and expectation", "[yosys]") {
  CHECK(error_of("{\"modules\": {\"m\": ") ==
        "in.json: malformed JSON at line 1, column 19: unexpected end of input; expected a JSON "
        "value");
  CHECK(error_of("{\"modules\": {\"m\": {\"ports\": {\"a\": {\"bits\": [2,]}}}}}") ==
        "in.json: malformed JSON at line 1, column 47: unexpected ']'; expected a JSON value");
  CHECK(error_of("{\"modules\": {}}\n\n  x") ==
        "in.json: malformed JSON at line 3, column 3: unexpected 'x' after the top-level value");
  CHECK(error_of("{\"modules\": {\"m\\q\": {}}}") ==
        "in.json: malformed JSON at line 1, column 17: invalid escape '\\q' in a string");
  // Found by the fuzzer: a number too large for a double, where a bit is expected.
  CHECK(error_of("{\"modules\": {\"m\": {\"ports\": {\"a\": {\"bits\": [1e5011]}}}}}") ==
        "in.json: module 'm', port 'a': bit is not an integer net id");
  CHECK(error_of("[1,2]") ==
        "in.json: expected a JSON object at the top level (Yosys write_json output)");
  CHECK(error_of("{\"creator\":\"x\"}") ==
        "in.json: no \"modules\" object; is this a Yosys write_json file?");
  CHECK(error_of(module(kPorts, R"({"c1":{"type":"$alu","connections":{}}})")) ==
        "in.json: module 'm', cell 'c1' ($alu): unsupported cell type; expected generic synth "
        "gates, $lut, Yosys flip-flops, Xilinx LUTn/MUXF7/MUXF8/CARRY4/FD*E/DSP48E1/DSP48E2/"
        "RAMB18E1/RAMB36E1 (as ROMs) or iCE40 SB_LUT4/SB_CARRY/SB_DFF* (map the design with "
        "synth first)");
  // Block RAM is read as a ROM: a write enable driven by a net, or a cascade, is refused.
  CHECK(
      error_of(module(
          kPorts,
          R"({"r":{"type":"RAMB18E1","parameters":{"READ_WIDTH_A":"00000000000000000000000000000001"},"connections":{"CLKARDCLK":[2],"ENARDEN":["1"],"WEA":[3,"0"],"ADDRARDADDR":[3],"DOADO":[4]}}})")) ==
      "in.json: module 'm', cell 'r' (RAMB18E1): the memory can be written (WEA/WEBWE are not 0); "
      "lutforge reads block RAMs as ROMs");
  CHECK(
      error_of(module(
          kPorts,
          R"({"r":{"type":"RAMB36E1","parameters":{"RAM_EXTENSION_A":"UPPER"},"connections":{"CLKARDCLK":[2],"DOADO":[4]}}})")) ==
      "in.json: module 'm', cell 'r' (RAMB36E1): parameter RAM_EXTENSION_A is \"UPPER\"; "
      "lutforge reads NONE");
  CHECK(error_of(module(kPorts, R"({"c1":{"type":"$_AND_","connections":{"A":[2],"Y":[4]}}})")) ==
        "in.json: module 'm', cell 'c1' ($_AND_): missing port B");
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"$lut","parameters":{"WIDTH":"00000000000000000000000000000010","LUT":"0110"},"connections":{"A":[2],"Y":[4]}}})")) ==
      "in.json: module 'm', cell 'c1' ($lut): port A has 1 bits, expected 2");
  // A hand-edited $lut table of the wrong length: 5 bits for a 6-input LUT, and 65 bits.
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"$lut","parameters":{"WIDTH":"00000000000000000000000000000110","LUT":"10x1z"},"connections":{"A":[2,3,2,3,2,3],"Y":[4]}}})")) ==
      "in.json: module 'm', cell 'c1' ($lut): parameter LUT has 5 bits, expected 64 (2^WIDTH for "
      "WIDTH 6)");
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"$lut","parameters":{"WIDTH":"00000000000000000000000000000001","LUT":"011"},"connections":{"A":[2],"Y":[4]}}})")) ==
      "in.json: module 'm', cell 'c1' ($lut): parameter LUT has 3 bits, expected 2 (2^WIDTH for "
      "WIDTH 1)");
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"LUT2","parameters":{"INIT":"10110"},"connections":{"I0":[2],"I1":[3],"O":[4]}}})")) ==
      "in.json: module 'm', cell 'c1' (LUT2): parameter INIT \"10110\" is not a binary table of at "
      "most 4 bits");
  CHECK(
      error_of(module(kPorts, R"({"c1":{"type":"$_AND_","connections":{"A":[2],"B":[9],"Y":[4]}}})",
                      R"({"floating":{"hide_name":0,"bits":[9]}})")) ==
      "in.json: module 'm', cell 'c1' ($_AND_): pin B reads net 'floating', which has no driver");
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"$_NOT_","connections":{"A":[2],"Y":[4]}},"c2":{"type":"$_NOT_","connections":{"A":[3],"Y":[4]}}})",
          R"({"y":{"hide_name":0,"bits":[4]}})")) ==
      "in.json: module 'm', cell 'c2' ($_NOT_): net 'y' already has a driver ('y')");
  CHECK(
      error_of(module(
          kPorts,
          R"({"c1":{"type":"$_OR_","connections":{"A":[2],"B":[5],"Y":[5]}},"c2":{"type":"$_BUF_","connections":{"A":[5],"Y":[4]}}})",
          R"({"w":{"hide_name":0,"bits":[5]},"y":{"hide_name":0,"bits":[4]}})")) ==
      "in.json: module 'm': combinational loop through 'w'");
  CHECK(error_of(module(R"({"a":{"direction":"inout","bits":[2]}})", "{}")) ==
        "in.json: module 'm', port 'a': inout ports are not supported");
  CHECK(error_of(module(
            R"({"a":{"direction":"input","bits":[2]},"y":{"direction":"output","bits":[7]}})",
            "{}")) == "in.json: module 'm', port 'y': bit 0 (net 'bit 7') has no driver");
  CHECK(error_of(module(kPorts,
                        R"({"r":{"type":"$_DFF_N_","connections":{"C":[2],"D":[3],"Q":[4]}}})")) ==
        "in.json: module 'm', cell 'r' ($_DFF_N_): falling-edge registers are not supported; "
        "lutforge expects one rising-edge clock");
  CHECK(
      error_of(module(
          kPorts,
          R"({"r":{"type":"$_DFF_P_","connections":{"C":[2],"D":[3],"Q":[4]}},"s":{"type":"$_DFF_P_","connections":{"C":[3],"D":[2],"Q":[5]}}})")) ==
      "in.json: module 'm', cell 's' ($_DFF_P_): clocked by net 'bit 3', but other registers use "
      "'bit 2'; lutforge expects one clock domain");
  CHECK(error_of(module(kPorts,
                        R"({"r":{"type":"$_DFF_P_","connections":{"C":[6],"D":[3],"Q":[4]}}})")) ==
        "in.json: module 'm': registers are clocked by net 'bit 6', which is not a 1-bit input "
        "port; derived or gated clocks are not supported");
  CHECK(error_of(module(kPorts,
                        R"({"c":{"type":"$_AND_","connections":{"A":["q"],"B":[3],"Y":[4]}}})")) ==
        "in.json: module 'm', cell 'c', port 'A': bit \"q\" is not a net id or one of \"0\", "
        "\"1\", \"x\", \"z\"");
}

TEST_CASE("x and z constants read as 0 and are counted", "[yosys]") {
  const std::string text = module(
      R"({"a":{"direction":"input","bits":[2]},"y":{"direction":"output","bits":[4,"x","z"]}})",
      R"({"c":{"type":"$_OR_","connections":{"A":[2],"B":["x"],"Y":[4]}}})");
  ImportStats st;
  const Netlist nl = import_yosys(parse_yosys_json(text, "in.json"), {}, &st);
  CHECK(st.x_bits == 2);
  CHECK(st.z_bits == 1);
  VectorTable in = input_table(nl);
  in.rows = {{BitVector{0}}, {BitVector{1}}};
  const VectorTable out = simulate(nl, in, 2);
  CHECK(out.rows[0][0][0] == 0);
  CHECK(out.rows[1][0][0] == 1);
}

TEST_CASE("hierarchical designs are flattened: instances, feed-throughs, constant ports, tie-offs",
          "[yosys]") {
  // sub: o = ~i, k = 1 (a constant port), f = i (a feed-through).
  // top: u0 drives y[0..2] from a; u1 has its input tied to 0 and drives y[3] only.
  const std::string text = R"({"modules":{
    "sub":{"attributes":{},"ports":{"i":{"direction":"input","bits":[2]},"o":{"direction":"output","bits":[3]},
           "k":{"direction":"output","bits":["1"]},"f":{"direction":"output","bits":[2]}},
           "cells":{"inv":{"type":"$_NOT_","connections":{"A":[2],"Y":[3]}}},
           "netnames":{"i":{"bits":[2]},"o":{"bits":[3]}}},
    "top":{"attributes":{"top":"00000000000000000000000000000001"},
           "ports":{"a":{"direction":"input","bits":[2]},"y":{"direction":"output","bits":[3,4,5,6]}},
           "cells":{"u0":{"type":"sub","connections":{"i":[2],"o":[3],"k":[4],"f":[5]}},
                    "u1":{"type":"sub","connections":{"i":["0"],"o":[6]}}},
           "netnames":{"a":{"bits":[2]},"y":{"bits":[3,4,5,6]}}}}})";
  const Netlist nl = import_yosys(parse_yosys_json(text, "h.json"));
  VectorTable in = input_table(nl);
  in.rows = {{BitVector{0}}, {BitVector{1}}};
  const VectorTable out = simulate(nl, in, 2);
  // y = {u1.o = ~0, u0.f = a, u0.k = 1, u0.o = ~a}
  CHECK(out.rows[0][0][0] == 0b1011);
  CHECK(out.rows[1][0][0] == 0b1110);
  CHECK(error_of(
            R"({"modules":{"m":{"attributes":{"top":"00000000000000000000000000000001"},"ports":{},
    "cells":{"me":{"type":"m","connections":{}}},"netnames":{}}}})") ==
        "in.json: module 'm' instantiates itself");
  CHECK(error_of(R"({"modules":{
    "s":{"attributes":{},"ports":{"i":{"direction":"input","bits":[2,3]}},"cells":{},"netnames":{}},
    "m":{"attributes":{"top":"00000000000000000000000000000001"},"ports":{"a":{"direction":"input","bits":[2]}},
         "cells":{"u":{"type":"s","connections":{"i":[2]}}},"netnames":{}}}})") ==
        "in.json: module 'm', instance 'u' of 's': port i has 1 bits, expected 2");
}

TEST_CASE("the one-pass reader: key order, escapes, duplicate keys, sparse ids, pipes", "[yosys]") {
  // y = a & ~b, written as a hand-edited file might be: the module's attributes after its body,
  // escaped names, net ids far apart, and a duplicate "type" key (the first one counts).
  const std::string text = R"({"modules":{
    "lib":{"cells":{"broken":{"no_type":1}},"attributes":{"blackbox":"00000000000000000000000000000001"}},
    "m":{"ports":{"\u0061\u00e9\"":{"direction":"input","bits":[1000000000000]},
                  "b":{"direction":"input","bits":[7]},
                  "y\/q":{"direction":"output","bits":[4000000000]}},
         "cells":{"n":{"type":"$_NOT_","type":"$_AND_","connections":{"A":[7],"Y":[9]}},
                  "g":{"type":"$_AND_","connections":{"A":[1000000000000],"B":[9],"Y":[4000000000]}}},
         "netnames":{"nb":{"hide_name":0,"bits":[9],"attributes":{"src":"t.v:1\n"}}},
         "attributes":{"top":1}}}})";
  const YosysDesign d = parse_yosys_json(text, "in.json");
  REQUIRE(d.modules.size() == 2);
  CHECK(d.modules[0].is_blackbox);
  CHECK(d.modules[0].cells.empty());  // a blackbox's body is checked for syntax only
  const YosysModule& m = d.modules[1];
  CHECK(m.is_top);  // an integer attribute reads as its 32-bit binary string
  REQUIRE(m.ports.size() == 3);
  CHECK(m.ports[0].name == "a\xc3\xa9\"");
  CHECK(m.ports[2].name == "y/q");
  CHECK(m.cells[0].type == "$_NOT_");
  const Netlist nl = import_yosys(d);
  CHECK(nl.name(nl.inputs()[0]) == "a\xc3\xa9\"");
  VectorTable in = input_table(nl);
  for (uint64_t v = 0; v < 4; ++v) in.rows.push_back({BitVector{v & 1}, BitVector{v >> 1}});
  const VectorTable out = simulate(nl, in, 4);
  for (uint64_t v = 0; v < 4; ++v) CHECK(out.rows[v][0][0] == ((v & 1) & (~v >> 1) & 1));

  // The same file through a pipe, which cannot be mapped and is read instead.
  const fs::path dir = temp_dir("yosys_pipe");
  const fs::path fifo = dir / "net.json";
  fs::remove(fifo);
  REQUIRE(run("mkfifo " + fifo.string()).exit_code == 0);
  std::thread writer([&] { write_text(fifo, text); });
  const YosysDesign piped = read_yosys_json(fifo.string());
  writer.join();
  REQUIRE(piped.modules.size() == 2);
  CHECK(piped.modules[1].ports[0].name == "a\xc3\xa9\"");

  // Escapes that are not JSON.
  CHECK(error_of(R"({"modules":{"\ud800x":{}}})") ==
        "in.json: malformed JSON at line 1, column 20: a high surrogate not followed by a \\u low "
        "surrogate");
  CHECK(error_of("{\"modules\":{\"a\tb\":{}}}") ==
        "in.json: malformed JSON at line 1, column 15: control character 0x09 in a string");
  CHECK(error_of("{\"modules\":{\"\xff\":{}}}") ==
        "in.json: malformed JSON at line 1, column 14: invalid UTF-8 byte 0xff in a string");
}

TEST_CASE("DSP slices in configurations lutforge does not read get messages naming the setting",
          "[yosys][dsp]") {
  // A combinational DSP48E1 computing P = A * B, y = P[0]; each case changes one setting.
  using Fields = std::map<std::string, std::string>;  // key -> JSON value
  auto slice = [](const Fields& params, const Fields& conns) {
    Fields p = {{"OPMODEREG", "\"0\""},
                {"ALUMODEREG", "\"0\""},
                {"INMODEREG", "\"0\""},
                {"CARRYINSELREG", "\"0\""}};
    for (const char* reg :
         {"AREG", "BREG", "CREG", "DREG", "ADREG", "MREG", "PREG", "ACASCREG", "BCASCREG"})
      p[reg] = "\"0\"";
    Fields c = {{"A", "[2]"},
                {"B", "[3]"},
                {"P", "[4]"},
                {"ALUMODE", R"(["0","0","0","0"])"},
                {"OPMODE", R"(["1","0","1","0","0","0","0"])"}};
    for (const auto& [k, v] : params) p[k] = v;
    for (const auto& [k, v] : conns) c[k] = v;
    auto object = [](const Fields& f) {
      std::string s;
      for (const auto& [k, v] : f) s += (s.empty() ? "\"" : ",\"") + k + "\":" + v;
      return "{" + s + "}";
    };
    return module(kPorts, R"({"s":{"type":"DSP48E1","parameters":)" + object(p) +
                              R"(,"connections":)" + object(c) + "}}");
  };
  const std::string where = "in.json: module 'm', cell 's' (DSP48E1): ";
  CHECK(error_of(slice({}, {})) == "no error");
  CHECK(error_of(slice({{"PREG", R"("1")"}}, {})) == where + "missing port CLK");
  CHECK(error_of(slice({}, {{"ALUMODE", R"(["1","1","0","0"])"}})) ==
        where + "ALUMODE is 0011; lutforge reads 0000 (Z + X + Y)");
  CHECK(error_of(slice({}, {{"OPMODE", R"(["1","1","0","0","0","0","0"])"}})) ==
        where +
            "OPMODE[3:0] is not the constant 0101; lutforge reads slices whose X and Y "
            "multiplexers select the multiplier");
  CHECK(error_of(slice({}, {{"OPMODE", R"(["1","0","1","0","0","1","0"])"}})) ==
        where + "OPMODE[6:4] can select P, and PREG is 0");
  CHECK(error_of(slice({}, {{"OPMODE", R"(["1","0","1","0","0","0","1"])"}})) ==
        where + "OPMODE[6:4] is 100; lutforge reads Z = 0, PCIN, P, C, PCIN >> 17 or P >> 17");
  CHECK(error_of(slice({{"USE_SIMD", R"("FOUR12")"}}, {})) ==
        where + "parameter USE_SIMD is \"FOUR12\"; lutforge reads ONE48");
  CHECK(error_of(slice({{"INMODEREG", R"("1")"}}, {})).find("parameter INMODEREG is 1") !=
        std::string::npos);
  CHECK(error_of(slice({}, {{"INMODE", R"([2,"0","0","0","0"])"}})) ==
        where + "port INMODE is driven by net 'bit 2'; lutforge reads it only as a constant");
  CHECK(error_of(slice({}, {{"CARRYIN", R"([2])"}})) ==
        where + "a carry-in is used (CARRYIN and CARRYINSEL must be 0)");
  CHECK(error_of(slice({{"AREG", R"("00000000000000000000000000000011")"}},
                       {{"CLK", "[3]"}, {"B", R"(["0"])"}})) ==
        where + "parameter AREG is 3, expected 0..2");
}
