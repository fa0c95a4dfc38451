#include <catch2/catch.hpp>
#include <random>

#include "netlist/generate.hpp"
#include "netlist/passes.hpp"
#include "netlist/vectors.hpp"

using namespace lutforge;

namespace {

// Same outputs on the same random stimulus, cycle by cycle.
void check_same_behaviour(const Netlist& a, const Netlist& b, uint64_t seed) {
  REQUIRE(verify(b).empty());
  const VectorTable in = random_vectors(a, 300, seed);
  const VectorTable oa = simulate(a, in, in.rows.size());
  const VectorTable ob = simulate(b, in, in.rows.size());
  REQUIRE(oa.names == ob.names);
  for (size_t r = 0; r < oa.rows.size(); ++r) REQUIRE(oa.rows[r] == ob.rows[r]);
}

const TruthTable kNot = make_from_word(1, 0b01);
const TruthTable kBuf = make_from_word(1, 0b10);

}  // namespace

TEST_CASE("sweep removes exactly the cells no output reaches", "[passes]") {
  Netlist nl;
  const NodeId a = nl.add_input("a", 2);
  const NodeId live = nl.add_cell(Gate{1}, {{a, 0}, {a, 1}}, "live");
  nl.add_cell(Gate{6}, {{a, 0}, {live, 0}}, "dead1");
  const NodeId r = nl.add_cell(Dff{}, {}, "dead_reg");  // a register that only feeds itself
  nl.connect(r, 0, {r, 0});
  nl.add_output("y", {{live, 0}});
  PassStats st;
  const Netlist s = sweep(nl, &st);
  CHECK(s.num_nodes() == 3);  // input, gate, output
  CHECK(st.rewritten == 2);
  check_same_behaviour(nl, s, 1);
  // Unused input ports stay: they are part of the interface.
  Netlist nl2;
  nl2.add_input("unused", 3);
  const NodeId b = nl2.add_input("b", 1);
  nl2.add_output("y", {{b, 0}});
  CHECK(sweep(nl2).inputs().size() == 2);
}

TEST_CASE("constant propagation folds constants, repeats and unused inputs", "[passes]") {
  Netlist nl;
  const NodeId a = nl.add_input("a", 3);
  // (a0 & 1) -> a0; (a1 | 1) -> 1; lut(a0, a0, a2) = a0 ^ a0 ^ a2 -> a2
  const NodeId g1 = nl.add_cell(Gate{1}, {{a, 0}, nl.constant(true)}, "g1");
  const NodeId g2 = nl.add_cell(Gate{7}, {{a, 1}, nl.constant(true)}, "g2");
  const NodeId l = nl.add_cell(Lut{make_var(3, 0) ^ make_var(3, 1) ^ make_var(3, 2)},
                               {{a, 0}, {a, 0}, {a, 2}}, "l");
  // A 3-input LUT that ignores its middle input shrinks to 2 inputs.
  const NodeId w = nl.add_cell(Lut{make_var(3, 0) & make_var(3, 2)}, {{a, 0}, {a, 1}, {a, 2}}, "w");
  const NodeId g3 = nl.add_cell(Gate{6}, {{g1, 0}, {g2, 0}}, "g3");  // a0 ^ 1 = ~a0
  nl.add_output("y", {{g1, 0}, {g2, 0}, {l, 0}, {w, 0}, {g3, 0}});
  PassStats st;
  const Netlist c = propagate_constants(nl, &st);
  check_same_behaviour(nl, c, 2);
  const CellCounts n = count_cells(c);
  CHECK(n.by_kind[size_t(CellKind::Gate)] == 0);
  CHECK(n.by_kind[size_t(CellKind::Lut)] == 2);  // w as a 2-input AND, g3 as an inverter
  CHECK(n.lut_by_size[2] == 1);
  CHECK(n.lut_by_size[1] == 1);
  const auto y = c.fanin(c.outputs()[0]);
  CHECK(y[0] == Signal{c.inputs()[0], 0});
  CHECK(std::get<Const>(c.cell(y[1].node)).value == true);
  CHECK(y[2] == Signal{c.inputs()[0], 2});
}

TEST_CASE("buffer and inverter folding", "[passes]") {
  Netlist nl;
  const NodeId a = nl.add_input("a", 2);
  const NodeId b1 = nl.add_cell(Lut{kBuf}, {{a, 0}}, "buf");
  const NodeId n1 = nl.add_cell(Lut{kNot}, {{b1, 0}}, "not1");
  const NodeId n2 = nl.add_cell(Lut{kNot}, {{n1, 0}}, "not2");  // cancels not1
  const NodeId g =
      nl.add_cell(Gate{1}, {{n1, 0}, {a, 1}}, "and_n");  // ~a0 & a1: the inverter is absorbed
  const NodeId l = nl.add_cell(Lut{make_var(2, 0) | make_var(2, 1)}, {{n1, 0}, {b1, 0}}, "or_n");
  nl.add_output("y", {{n2, 0}, {g, 0}, {l, 0}});
  const Netlist f = fold_buffers(nl);
  check_same_behaviour(nl, f, 3);
  const CellCounts n = count_cells(f);
  CHECK(n.by_kind[size_t(CellKind::Lut)] == 1);   // or_n with a flipped input
  CHECK(n.by_kind[size_t(CellKind::Gate)] == 1);  // and_n as gate 4 (~a & b)
  CHECK(n.lut_by_size[1] == 0);
  const auto y = f.fanin(f.outputs()[0]);
  CHECK(y[0] == Signal{f.inputs()[0], 0});
  CHECK(std::get<Gate>(f.cell(y[1].node)).id == 4);
}

TEST_CASE("passes keep random networks' behaviour", "[passes]") {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    RandomLutParams p;
    p.num_inputs = 8;
    p.width = 12;
    p.layers = 3;
    p.min_k = 1;
    p.max_k = 4;
    p.register_layers = seed % 2;
    p.seed = seed;
    const Netlist nl = random_lut_network(p);
    check_same_behaviour(nl, sweep(nl), seed);
    check_same_behaviour(nl, propagate_constants(nl), seed);
    check_same_behaviour(nl, fold_buffers(nl), seed);
    check_same_behaviour(nl, fold_buffers(propagate_constants(nl)), seed);
  }
}

TEST_CASE("wide LUTs decompose into trees of small LUTs with the same function", "[passes]") {
  std::mt19937_64 rng(21);
  for (unsigned k : {7u, 9u, 12u}) {
    for (unsigned max_k : {3u, 4u, 6u}) {
      Netlist nl;
      const NodeId x = nl.add_input("x", k);
      std::vector<Signal> in;
      for (unsigned i = 0; i < k; ++i) in.push_back({x, i});
      TruthTable f(k);
      for (size_t w = 0; w < f.num_words(); ++w) f.words()[w] = rng();
      const NodeId l = nl.add_cell(Lut{f}, in, "wide");
      // A structured function: x0 ^ x(k-1) ignoring the rest, which must shrink to one LUT.
      const NodeId s = nl.add_cell(Lut{make_var(k, 0) ^ make_var(k, k - 1)}, in, "sparse");
      nl.add_output("y", {{l, 0}, {s, 0}});
      PassStats st;
      const Netlist d = decompose_luts(nl, max_k, &st);
      const CellCounts cc = count_cells(d);
      for (unsigned j = max_k + 1; j <= TruthTable::kMaxVars; ++j) REQUIRE(cc.lut_by_size[j] == 0);
      CHECK(st.rewritten == 2);
      // Exhaustive comparison over all 2^k inputs.
      VectorTable in_t = input_table(nl);
      for (uint64_t v = 0; v < (uint64_t{1} << k); ++v) in_t.rows.push_back({BitVector{v}});
      const VectorTable ya = simulate(nl, in_t, in_t.rows.size());
      const VectorTable yb = simulate(d, in_t, in_t.rows.size());
      for (size_t r = 0; r < ya.rows.size(); ++r) REQUIRE(ya.rows[r] == yb.rows[r]);
      // The sparse function is a single 2-input LUT.
      const Signal sp = d.fanin(d.outputs()[0])[1];
      CHECK(std::get<Lut>(d.cell(sp.node)).function.num_vars() == 2);
    }
  }
}
