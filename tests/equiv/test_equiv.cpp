// The equivalence engines on native netlists, without yosys: SAT sweeping with cut proofs,
// complemented internal nodes, and a difference that random simulation cannot see.
#include <catch2/catch.hpp>

#include "equiv/equiv.hpp"
#include "netlist/generate.hpp"
#include "netlist/levels.hpp"
#include "netlist/passes.hpp"
#include "netlist/vectors.hpp"

using namespace lutforge;

namespace {

// A deep network whose outputs read about 48 inputs each, beyond enumeration.
Netlist deep_network(uint64_t seed) {
  RandomLutParams p;
  p.num_inputs = 48;
  p.width = 24;
  p.layers = 8;
  p.min_k = p.max_k = 6;
  p.seed = seed;
  return random_lut_network(p);
}

// Params that leave every output to SAT sweeping.
EquivParams sat_only() {
  EquivParams p;
  p.exhaustive_limit = 8;
  p.random_rounds = 2;
  return p;
}

// A copy of `nl` where every LUT computes the complement of its function and its readers
// (LUTs and outputs) undo it: the same function, with every internal node inverted.
Netlist invert_luts(const Netlist& nl) {
  Netlist out;
  std::vector<NodeId> map(nl.num_nodes(), kNoNode);
  std::vector<char> inverted(nl.num_nodes(), 0);
  const TruthTable kNot = make_from_word(1, 0b01);
  for (NodeId n : levelize(nl).order) {
    const Cell& c = nl.cell(n);
    std::vector<Signal> f;
    for (const Signal& s : nl.fanin(n)) f.push_back({map[s.node], s.bit});
    if (const auto* in = std::get_if<Input>(&c)) {
      map[n] = out.add_input(nl.name(n), in->width);
    } else if (const auto* l = std::get_if<Lut>(&c)) {
      TruthTable t = ~l->function;
      for (unsigned i = 0; i < f.size(); ++i)
        if (inverted[nl.fanin(n)[i].node]) t = flip_var(t, i);
      map[n] = out.add_cell(Lut{t}, f, nl.name(n));
      inverted[n] = 1;
    } else if (std::holds_alternative<Output>(c)) {
      for (size_t i = 0; i < f.size(); ++i)
        if (inverted[nl.fanin(n)[i].node]) f[i] = {out.add_cell(Lut{kNot}, {f[i]}), 0};
      map[n] = out.add_output(nl.name(n), f);
    } else {
      FAIL("unexpected cell kind in a random LUT network");
    }
  }
  return out;
}

}  // namespace

TEST_CASE("SAT sweeping proves a deep LUT network equal to its decomposition into LUT3s",
          "[equiv]") {
  const Netlist a = deep_network(3);
  const Netlist b = decompose_luts(a, 3);
  const EquivResult r = check_equivalence(a, b, sat_only());
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.proved_by_sat == r.outputs);
  CHECK(r.merged_by_sweeping > 0);
  CHECK(r.merged_by_cut > 0);
  CHECK(r.merged_by_cut <= r.merged_by_sweeping);
}

TEST_CASE("SAT sweeping merges internal nodes that are complements of each other", "[equiv]") {
  const Netlist a = deep_network(4);
  const Netlist b = invert_luts(a);
  const EquivResult r = check_equivalence(a, b, sat_only());
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.merged_by_sweeping > 0);
}

TEST_CASE("a difference on one input vector in 2^48 is found, and its counterexample reproduces",
          "[equiv]") {
  const Netlist a = deep_network(5);
  // B: A with output bit 0 XORed with the AND of all 48 inputs, built as a chain of AND2 LUTs
  // above a decomposed copy of A, so that no cone is structurally the same as A's.
  const Netlist b = decompose_luts(a, 4);
  Netlist c;
  std::vector<NodeId> map(b.num_nodes(), kNoNode);
  for (NodeId n : levelize(b).order) {
    if (std::holds_alternative<Output>(b.cell(n))) continue;
    std::vector<Signal> f;
    for (const Signal& s : b.fanin(n)) f.push_back({map[s.node], s.bit});
    if (const auto* in = std::get_if<Input>(&b.cell(n)))
      map[n] = c.add_input(b.name(n), in->width);
    else
      map[n] = c.add_cell(b.cell(n), f, b.name(n));
  }
  const NodeId x = c.inputs()[0];
  const TruthTable kAnd = make_from_word(2, 0b1000), kXor = make_from_word(2, 0b0110);
  Signal all{c.add_cell(Lut{kAnd}, {{x, 0}, {x, 1}}), 0};
  for (uint32_t i = 2; i < 48; ++i) all = {c.add_cell(Lut{kAnd}, {all, {x, i}}), 0};
  for (NodeId y : b.outputs()) {
    std::vector<Signal> outs;
    for (const Signal& s : b.fanin(y)) outs.push_back({map[s.node], s.bit});
    if (y == b.outputs()[0]) outs[0] = {c.add_cell(Lut{kXor}, {outs[0], all}), 0};
    c.add_output(b.name(y), outs);
  }
  REQUIRE(verify(c).empty());
  const EquivResult r = check_equivalence(a, c, sat_only());
  REQUIRE(r.status == EquivStatus::NotEquivalent);
  REQUIRE(r.counterexample);
  const Counterexample& cex = *r.counterexample;
  REQUIRE(cex.inputs.rows.size() == 1);
  // The only vector that differs: every input bit 1.
  CHECK(cex.inputs.rows[0][0][0] == (uint64_t{1} << 48) - 1);
  // Replayed by plain simulation, independently of the prover.
  const VectorTable oa = simulate(a, cex.inputs, 1), oc = simulate(c, cex.inputs, 1);
  CHECK(oa.rows[0] != oc.rows[0]);
  REQUIRE(cex.differing.size() == 1);
  CHECK(cex.differing[0].bit == 0);
}
