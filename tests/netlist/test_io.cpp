#include <catch2/catch.hpp>
#include <sstream>

#include "base/error.hpp"
#include "netlist/generate.hpp"
#include "netlist/native_json.hpp"

using namespace lutforge;

namespace {
Netlist every_kind() {
  Netlist nl;
  nl.set_design_name("kinds");
  nl.set_clock_name("clk");
  const NodeId a = nl.add_input("a", 4);
  const NodeId b = nl.add_input("b", 4);
  const NodeId l = nl.add_cell(Lut{make_var(7, 6) ^ make_var(7, 1)},
                               {{a, 0}, {a, 1}, {a, 2}, {a, 3}, {b, 0}, {b, 1}, {b, 2}}, "wide");
  const NodeId g = nl.add_cell(Gate{9}, {{a, 0}, {b, 0}}, "xnor");
  const NodeId s = nl.add_cell(
      Adder{{{4, false}, {4, true}, {1, false}}, 5},
      {{a, 0}, {a, 1}, {a, 2}, {a, 3}, {b, 0}, {b, 1}, {b, 2}, {b, 3}, nl.constant(true)}, "sum");
  const NodeId m = nl.add_cell(
      ArgMax{2, 4, true}, {{a, 0}, {a, 1}, {a, 2}, {a, 3}, {b, 0}, {b, 1}, {b, 2}, {b, 3}}, "arg");
  const NodeId d = nl.add_cell(PackedDsp{2, 2, 1, 5, false},
                               {{a, 0}, {a, 1}, {b, 0}, {b, 1}, nl.constant(false)}, "dsp");
  PackedDsp full{2, 1, 0, 6, true};
  full.d_width = 1;
  full.z_width = 2;
  full.pre_add = PackedDsp::PreAdd::Subtract;
  full.ad_width = 3;
  full.has_z_enable = true;
  const NodeId d2 =
      nl.add_cell(full, {{a, 0}, {a, 1}, {b, 0}, {b, 1}, {a, 2}, {b, 2}, {b, 3}}, "dsp_full");
  Dff reg;
  reg.init = true;
  reg.has_enable = reg.has_sync_reset = reg.has_async_reset = true;
  reg.sync_reset_value = true;
  const NodeId r = nl.add_cell(reg, {{l, 0}, {g, 0}, {a, 3}, {b, 3}}, "r");
  const NodeId rom = nl.add_cell(Rom{3, {make_var(3, 0) ^ make_var(3, 2), make_var(3, 1)}},
                                 {{a, 0}, {b, 1}, {b, 2}}, "rom");
  nl.add_output("y", {{s, 0}, {s, 4}, {m, 0}, {d, 4}, {d2, 5}, {r, 0}, {rom, 0}, {rom, 1}});
  return nl;
}
}  // namespace

TEST_CASE("native JSON round trip is lossless and byte-stable", "[io]") {
  RandomLutParams p;
  p.register_layers = true;
  for (const Netlist& nl : {every_kind(), random_lut_network(p)}) {
    std::ostringstream first;
    write_native_json(nl, first);
    const Netlist back = read_native_json(first.str(), "mem.json");
    std::ostringstream second;
    write_native_json(back, second);
    CHECK(first.str() == second.str());
    REQUIRE(back.num_nodes() == nl.num_nodes());
    CHECK(back.clock_name() == nl.clock_name());
    CHECK(back.design_name() == nl.design_name());
    for (NodeId n = 0; n < nl.num_nodes(); ++n) {
      CHECK(back.name(n) == nl.name(n));
      CHECK(std::vector<Signal>(back.fanin(n).begin(), back.fanin(n).end()) ==
            std::vector<Signal>(nl.fanin(n).begin(), nl.fanin(n).end()));
      CHECK(back.cell(n).index() == nl.cell(n).index());
    }
  }
}

TEST_CASE("native JSON reader rejects bad files with a located message", "[io]") {
  auto message = [](const std::string& text) {
    try {
      read_native_json(text, "bad.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string head =
      R"({"format":"lutforge-netlist","version":1,"design":"d","clock":"","nodes":[)";
  CHECK(message("{\"format\":") ==
        "bad.json: malformed JSON: parse error at line 1, column 11: syntax error while parsing "
        "value - unexpected end of input; expected '[', '{', or a literal");
  CHECK(message("{\"format\": 1e5011}") ==
        "bad.json: malformed JSON: number overflow parsing '1e5011'");
  CHECK(message("{}") ==
        "bad.json: not a lutforge netlist (expected \"format\": \"lutforge-netlist\")");
  CHECK(message(head + R"({"kind":"blob","name":"x"}]})") ==
        "bad.json: node 0: unknown kind \"blob\"");
  CHECK(
      message(
          head +
          R"({"kind":"input","name":"a","width":1},{"kind":"gate","name":"g","id":1,"fanin":[[0,0]]}]})") ==
      "bad.json: node 1: \"fanin\" must list 2 [node, bit] pairs");
  CHECK(
      message(
          head +
          R"({"kind":"input","name":"a","width":1},{"kind":"output","name":"y","width":1,"fanin":[[7,0]]}]})") ==
      "bad.json: node 1: fanin entry 0 names node 7, which does not exist");
  CHECK(
      message(
          head +
          R"({"kind":"input","name":"a","width":1},{"kind":"lut","name":"l","k":1,"init":"7","fanin":[[0,0]]}]})") ==
      "bad.json: node 1: \"init\" is not a hex table of 1 inputs");
  CHECK(
      message(
          head +
          R"({"kind":"gate","name":"g","id":6,"fanin":[[1,0],[0,0]]},{"kind":"gate","name":"h","id":6,"fanin":[[0,0],[0,0]]},{"kind":"output","name":"y","width":1,"fanin":[[0,0]]}]})") ==
      "bad.json: combinational loop through 'h' -> 'g'");
  CHECK(
      message(
          head +
          R"({"kind":"packed_dsp","name":"m","a_width":1,"b_width":1,"c_width":0,"p_width":2,"pre_add":"mul","ad_width":2}]})") ==
      "bad.json: node 0: \"pre_add\" must be \"add\" or \"subtract\"");
  CHECK(message(head + R"({"kind":"rom","name":"w","addr_width":2,"data":["f","3f"]}]})") ==
        "bad.json: node 0: \"data\" bit 1 is not a hex table of 2 inputs");
  CHECK(message(head + R"({"kind":"rom","name":"w","addr_width":17,"data":["0"]}]})") ==
        "bad.json: node 0: \"addr_width\" must be 1..16");
}

TEST_CASE("dot output names every cell and edge", "[io]") {
  std::ostringstream out;
  write_dot(every_kind(), out);
  const std::string s = out.str();
  CHECK(s.rfind("digraph \"kinds\" {", 0) == 0);
  CHECK(s.find("label=\"lut7 ") != std::string::npos);
  CHECK(s.find("shape=box3d") != std::string::npos);
  size_t edges = 0;
  for (size_t pos = 0; (pos = s.find(" -> ", pos)) != std::string::npos; ++pos) ++edges;
  size_t pins = 0;
  const Netlist nl = every_kind();
  for (NodeId n = 0; n < nl.num_nodes(); ++n) pins += nl.fanin(n).size();
  CHECK(edges == pins);
}
