#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "netlist/levels.hpp"
#include "netlist/netlist.hpp"

using namespace lutforge;

TEST_CASE("building a netlist and reading its fanout", "[netlist]") {
  Netlist nl;
  const NodeId a = nl.add_input("a", 2);
  const NodeId g = nl.add_cell(Gate{1}, {{a, 0}, {a, 1}}, "and");
  const NodeId inv = nl.add_cell(Lut{make_from_word(1, 0b01)}, {{g, 0}}, "inv");
  nl.add_output("y", {{g, 0}, {inv, 0}});
  REQUIRE(verify(nl).empty());
  CHECK(nl.inputs().size() == 1);
  CHECK(nl.outputs().size() == 1);
  CHECK(nl.fanout_size(g) == 2);
  std::vector<NodeId> sinks;
  nl.foreach_fanout(a, [&](PinRef p, uint32_t bit) {
    sinks.push_back(p.node);
    CHECK(bit == p.pin);
  });
  CHECK(sinks == std::vector<NodeId>{g, g});
  // Reconnecting moves the edge.
  nl.connect(inv, 0, {a, 0});
  CHECK(nl.fanout_size(g) == 1);
  CHECK(nl.find_port("y") != kNoNode);
  CHECK(nl.find_port("nope") == kNoNode);
  CHECK_THROWS_AS(nl.add_input("a", 1), Error);
}

TEST_CASE("verify reports undriven pins, bad bits and combinational loops", "[netlist]") {
  {
    Netlist nl;
    const NodeId a = nl.add_input("a", 1);
    const NodeId g = nl.add_cell(Gate{1}, {{a, 0}}, "g");
    nl.add_output("y", {{g, 0}});
    const auto p = verify(nl);
    REQUIRE(p.size() == 1);
    CHECK(p[0] == "pin B of cell 'g' is undriven");
  }
  {
    Netlist nl;
    const NodeId a = nl.add_input("a", 1);
    const NodeId g1 = nl.add_cell(Gate{1}, {{a, 0}}, "g1");
    const NodeId g2 = nl.add_cell(Gate{7}, {{g1, 0}, {a, 0}}, "g2");
    nl.connect(g1, 1, {g2, 0});
    nl.add_output("y", {{g2, 0}});
    const auto p = verify(nl);
    REQUIRE(p.size() == 1);
    CHECK(p[0].find("combinational loop through") == 0);
    CHECK(p[0].find("'g1'") != std::string::npos);
    CHECK(p[0].find("'g2'") != std::string::npos);
    CHECK_THROWS_WITH(levelize(nl), Catch::Contains("combinational loop"));
  }
  {
    // A loop through a register is not combinational.
    Netlist nl;
    const NodeId r = nl.add_cell(Dff{}, {}, "r");
    const NodeId inv = nl.add_cell(Lut{make_from_word(1, 0b01)}, {{r, 0}}, "inv");
    nl.connect(r, 0, {inv, 0});
    nl.add_output("y", {{r, 0}});
    CHECK(verify(nl).empty());
    const Levels lv = levelize(nl);
    CHECK(lv.has_feedback);
  }
}

TEST_CASE("levelize gives levels, depth and pipeline stages", "[netlist]") {
  Netlist nl;
  const NodeId a = nl.add_input("a", 2);
  const NodeId g1 = nl.add_cell(Gate{1}, {{a, 0}, {a, 1}});
  const NodeId g2 = nl.add_cell(Gate{6}, {{g1, 0}, {a, 1}});
  const NodeId r1 = nl.add_cell(Dff{}, {{g2, 0}});
  const NodeId g3 = nl.add_cell(Gate{7}, {{r1, 0}, {a, 0}});
  const NodeId r2 = nl.add_cell(Dff{}, {{g3, 0}});
  nl.add_output("y", {{r2, 0}});
  const Levels lv = levelize(nl);
  CHECK(lv.level[g1] == 1);
  CHECK(lv.level[g2] == 2);
  CHECK(lv.level[g3] == 1);
  CHECK(lv.depth == 2);
  CHECK(lv.stage[g2] == 0);
  CHECK(lv.stage[r1] == 1);
  CHECK(lv.stage[g3] == 1);
  CHECK(lv.stage[r2] == 2);
  CHECK(lv.num_stages == 2);
  CHECK(lv.total_depth == 3);  // g1, g2, then g3 behind r1
  CHECK_FALSE(lv.has_feedback);
  // Every node after its combinational drivers.
  std::vector<size_t> pos(nl.num_nodes());
  for (size_t i = 0; i < lv.order.size(); ++i) pos[lv.order[i]] = i;
  CHECK(pos[g1] < pos[g2]);
  CHECK(pos[r1] < pos[g3]);
}
