// The equivalence engines on native netlists, without yosys: SAT sweeping with cut proofs,
// complemented internal nodes, and a difference that random simulation cannot see.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>

#include "equiv/cnf.hpp"
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

TEST_CASE("the CNF's simplified and hashed operations compute what the evaluator computes",
          "[equiv]") {
  // Every operation on every combination of constant, repeated and complemented operands: the
  // literal gate() returns takes, under each assignment of the three signals, the value that
  // apply_op (the evaluator's own semantics) gives, as CaDiCaL finds it.
  using Op = Program::Op;
  Cnf cnf;
  const int x = cnf.new_var(), y = cnf.new_var(), z = cnf.new_var();
  const int F = cnf.false_lit(), T = -F;
  const std::vector<int> pool{F, T, x, -x, y, -y, z, -z};
  const std::vector<int> none{0};
  struct Case {
    Op op;
    int a, b, c, lit;
  };
  std::vector<Case> cases;
  for (Op op : {Op::And, Op::Or, Op::Xor, Op::AndNot, Op::OrNot, Op::Nand, Op::Nor, Op::Xnor,
                Op::Not, Op::Copy, Op::Mux, Op::Maj, Op::Xor3})
    for (int a : pool)
      for (int b : op_reads_b(op) ? pool : none)
        for (int c : op_reads_c(op) ? pool : none)
          cases.push_back({op, a, b, c, cnf.gate(op, a, b, c)});
  size_t simplified = 0;
  for (const Case& k : cases) simplified += std::abs(k.lit) <= std::max({x, y, z});
  CHECK(simplified > cases.size() / 4);  // constants and repeats became literals
  for (unsigned m = 0; m < 8; ++m) {
    const bool vx = m & 1, vy = m & 2, vz = m & 4;
    REQUIRE(cnf.solve({vx ? x : -x, vy ? y : -y, vz ? z : -z}) == SatResult::Satisfiable);
    auto value = [&](int l) -> uint64_t {
      if (l == 0) return 0;
      const int v = std::abs(l);
      const bool b = v == std::abs(F) ? false : v == x ? vx : v == y ? vy : vz;
      return (l > 0 ? b : !b) ? 1 : 0;
    };
    for (const Case& k : cases) {
      INFO("op " << static_cast<int>(k.op) << " on " << k.a << ", " << k.b << ", " << k.c
                 << " with x y z = " << vx << vy << vz);
      CHECK(cnf.value(k.lit) ==
            ((apply_op<uint64_t>(k.op, value(k.a), value(k.b), value(k.c)) & 1) != 0));
    }
  }
}

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

// ---- Sequential designs whose registers do not correspond one to one ----

namespace {

// A LUT over `in` (bit i of the index is in[i]) computing f.
Signal lut(Netlist& nl, const std::vector<Signal>& in, const std::function<bool(uint64_t)>& f) {
  TruthTable t(static_cast<unsigned>(in.size()));
  for (uint64_t i = 0; i < (uint64_t{1} << in.size()); ++i) set_bit(t, i, f(i));
  return {nl.add_cell(Lut{t}, in), 0};
}

// A state machine of `bits` registers named prefix0, prefix1, ..., starting at `init`, whose next
// state is next(en, state), one LUT per bit over (en, state bits). Returns the state bits.
std::vector<Signal> machine(Netlist& nl, Signal en, const std::string& prefix, unsigned bits,
                            uint64_t init, const std::function<uint64_t(bool, uint64_t)>& next) {
  std::vector<Signal> state;
  std::vector<NodeId> regs;
  for (unsigned i = 0; i < bits; ++i) {
    Dff d;
    d.init = (init >> i) & 1;
    regs.push_back(nl.add_cell(d, {}, prefix + std::to_string(i)));
    state.push_back({regs.back(), 0});
  }
  std::vector<Signal> in{en};
  in.insert(in.end(), state.begin(), state.end());
  for (unsigned i = 0; i < bits; ++i)
    nl.connect(regs[i], 0, lut(nl, in, [&](uint64_t x) { return (next(x & 1, x >> 1) >> i) & 1; }));
  return state;
}

// A decoder of the state: one LUT computing f(state).
Signal decode(Netlist& nl, const std::vector<Signal>& state,
              const std::function<bool(uint64_t)>& f) {
  return lut(nl, state, f);
}

Netlist with_enable(const std::function<void(Netlist&, Signal)>& body) {
  Netlist nl;
  nl.set_design_name("seq");
  nl.set_clock_name("clk");
  const Signal en{nl.add_input("en", 1), 0};
  body(nl, en);
  REQUIRE(verify(nl).empty());
  return nl;
}

uint64_t count_up(bool en, uint64_t s, unsigned bits) {
  return en ? (s + 1) & ((uint64_t{1} << bits) - 1) : s;
}

// A 4-bit counter with the count and a flag for count == 13 as outputs, from one copy of the
// counter, or from two copies (one per output).
Netlist counter(bool duplicated) {
  return with_enable([&](Netlist& nl, Signal en) {
    auto next = [](bool e, uint64_t s) { return count_up(e, s, 4); };
    const auto c = machine(nl, en, "c", 4, 0, next);
    const auto d = duplicated ? machine(nl, en, "d", 4, 0, next) : c;
    nl.add_output("q", c);
    nl.add_output("hit", {decode(nl, d, [](uint64_t s) { return s == 13; })});
  });
}

// A modulo-3 counter whose output is 1 in state 2: binary (2 registers) or one-hot (3 registers,
// the one-hot output read from register `out_bit`).
Netlist mod3(bool one_hot, unsigned out_bit = 2) {
  return with_enable([&](Netlist& nl, Signal en) {
    if (one_hot) {
      const auto h = machine(nl, en, "h", 3, 0b001,
                             [](bool e, uint64_t s) { return e ? ((s << 1) | (s >> 2)) & 7 : s; });
      nl.add_output("z", {h[out_bit]});
    } else {
      const auto s = machine(nl, en, "s", 2, 0,
                             [](bool e, uint64_t x) { return e ? (x == 2 ? 0 : x + 1) : x; });
      nl.add_output("z", {decode(nl, s, [](uint64_t x) { return x == 2; })});
    }
  });
}

// An 8-bit counter with a flag at count `at`: counting up from 0, or down from 255 (the state
// stored complemented), so that no register of one is named like a register of the other.
Netlist late_flag(bool down, unsigned at) {
  return with_enable([&](Netlist& nl, Signal en) {
    if (down) {
      const auto d =
          machine(nl, en, "d", 8, 255, [](bool e, uint64_t s) { return e ? (s + 255) & 255 : s; });
      nl.add_output("flag", {decode(nl, d, [at](uint64_t s) { return s == 255 - at; })});
    } else {
      const auto c =
          machine(nl, en, "c", 8, 0, [](bool e, uint64_t s) { return count_up(e, s, 8); });
      nl.add_output("flag", {decode(nl, c, [at](uint64_t s) { return s == at; })});
    }
  });
}

// Input ports of the given names and widths; the bits of each.
std::vector<std::vector<Signal>> add_words(
    Netlist& nl, std::initializer_list<std::pair<const char*, uint32_t>> ports) {
  std::vector<std::vector<Signal>> bits;
  for (auto [name, width] : ports) {
    const NodeId in = nl.add_input(name, width);
    bits.emplace_back();
    for (uint32_t i = 0; i < width; ++i) bits.back().push_back({in, i});
  }
  return bits;
}

// An output port of the first `width` bits of `cell`.
void add_word_output(Netlist& nl, const std::string& name, NodeId cell, uint32_t width) {
  std::vector<Signal> out;
  for (uint32_t i = 0; i < width; ++i) out.push_back({cell, i});
  nl.add_output(name, out);
}

// Replays a counterexample by plain simulation and checks that the outputs differ at its cycle.
void check_replays(const Netlist& a, const Netlist& b, const Counterexample& cex) {
  const VectorTable oa = simulate(a, cex.inputs, cex.cycle + 1);
  const VectorTable ob = simulate(b, cex.inputs, cex.cycle + 1);
  REQUIRE(oa.rows.size() == cex.cycle + 1);
  CHECK(oa.rows[cex.cycle] != ob.rows[cex.cycle]);
  for (size_t t = 0; t < cex.cycle; ++t) CHECK(oa.rows[t] == ob.rows[t]);
}

}  // namespace

TEST_CASE("k-induction proves a register duplicated on one side, and merged on the other",
          "[equiv][induction]") {
  const Netlist one = counter(false), two = counter(true);
  for (const bool swap : {false, true}) {
    const EquivResult r = swap ? check_equivalence(two, one) : check_equivalence(one, two);
    INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
    CHECK(r.status == EquivStatus::Equivalent);
  }
}

TEST_CASE(
    "registers that synthesis merged into one still correspond: the duplicates of A pair with "
    "their twin",
    "[equiv]") {
  // A keeps the counter twice (c and d, as a lowering can compute one function in two places);
  // B, as Yosys' opt_merge leaves it, once. The duplicate's next state is proved to be its twin's.
  const Netlist two = counter(true), one = counter(false);
  const EquivResult r = check_equivalence(two, one);
  INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.mode == EquivMode::RegisterCorrespondence);
  // A "duplicate" that starts one count ahead is no duplicate: the flag comes a cycle early.
  const Netlist ahead = with_enable([&](Netlist& nl, Signal en) {
    auto next = [](bool e, uint64_t s) { return count_up(e, s, 4); };
    const auto c = machine(nl, en, "c", 4, 0, next);
    const auto d = machine(nl, en, "d", 4, 1, next);
    nl.add_output("q", c);
    nl.add_output("hit", {decode(nl, d, [](uint64_t s) { return s == 13; })});
  });
  const EquivResult w = check_equivalence(ahead, one);
  REQUIRE(w.status == EquivStatus::NotEquivalent);
  REQUIRE(w.counterexample);
  check_replays(ahead, one, *w.counterexample);
}

TEST_CASE(
    "registers that synthesis removed as constants still correspond: a register that holds its "
    "init value is proved constant",
    "[equiv]") {
  // A: the counter, and two registers that hold their init value (k starts at 1 and its next state
  // is k | en; z starts at 0, next z & en) gating the flag, as a lowering registers a constant;
  // B, as Yosys' opt_dff leaves it, without them.
  const Netlist one = counter(false);
  const Netlist gated = with_enable([&](Netlist& nl, Signal en) {
    const auto c = machine(nl, en, "c", 4, 0, [](bool e, uint64_t s) { return count_up(e, s, 4); });
    const auto k = machine(nl, en, "k", 1, 1, [](bool e, uint64_t s) { return s | e; });
    const auto z = machine(nl, en, "z", 1, 0, [](bool e, uint64_t s) { return s & e; });
    std::vector<Signal> in = c;
    in.push_back(k[0]);
    in.push_back(z[0]);
    nl.add_output("q", c);
    nl.add_output("hit", {lut(nl, in, [](uint64_t x) {
                    return ((x & 15) == 13 && ((x >> 4) & 1)) || ((x >> 5) & 1);
                  })});
  });
  for (const bool swap : {false, true}) {
    const EquivResult r = swap ? check_equivalence(one, gated) : check_equivalence(gated, one);
    INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
    CHECK(r.status == EquivStatus::Equivalent);
    // Registers only B lacks are paired; a register only B has is not guessed away.
    CHECK((r.mode == EquivMode::RegisterCorrespondence) == !swap);
  }
  // A constant register beside a live one that random simulation never sets either (a flag for
  // a 12-bit counter at 3000): both start at 0 and stay there for the 256 cycles, but only the
  // constant's next state holds 0 from any state, so it is not taken for the flag's duplicate.
  auto rare = [](bool with_constant) {
    return with_enable([&](Netlist& nl, Signal en) {
      const auto c =
          machine(nl, en, "c", 12, 0, [](bool e, uint64_t s) { return count_up(e, s, 12); });
      const NodeId r = nl.add_cell(Dff{}, {}, "r");
      nl.connect(r, 0, lut(nl, c, [](uint64_t x) { return x == 3000; }));
      Signal flag{r, 0};
      if (with_constant) {
        const auto z = machine(nl, en, "z", 1, 0, [](bool e, uint64_t s) { return s & e; });
        flag = lut(nl, {flag, z[0]}, [](uint64_t x) { return x != 0; });
      }
      nl.add_output("q", c);
      nl.add_output("hit", {flag});
    });
  };
  const EquivResult rc = check_equivalence(rare(true), rare(false));
  INFO(status_name(rc.status) << " (" << mode_name(rc.mode) << ") " << rc.reason);
  CHECK(rc.status == EquivStatus::Equivalent);
  CHECK(rc.mode == EquivMode::RegisterCorrespondence);
  // A register that holds its init value for the 256 cycles of random simulation but leaves it
  // when a 12-bit counter reaches 3000: whether or not the random states reveal it and the guess
  // is made, the result must not be EQUIVALENT.
  auto late = [](bool gate) {
    return with_enable([&](Netlist& nl, Signal en) {
      const auto c =
          machine(nl, en, "c", 12, 0, [](bool e, uint64_t s) { return count_up(e, s, 12); });
      std::vector<Signal> flag_in = c;
      if (gate) {
        Dff d;
        d.init = true;
        const NodeId k = nl.add_cell(d, {}, "k");
        std::vector<Signal> in = c;
        in.push_back({k, 0});
        nl.connect(k, 0, lut(nl, in, [](uint64_t x) { return (x >> 12) && (x & 4095) != 3000; }));
        flag_in.push_back({k, 0});
      }
      nl.add_output("q", c);
      nl.add_output("hit", {lut(nl, flag_in, [gate](uint64_t x) {
                      return (x & 4095) == 13 && (!gate || (x >> 12));
                    })});
    });
  };
  EquivParams p;
  p.time_limit = 20;
  const EquivResult w = check_equivalence(late(true), late(false), p);
  INFO(status_name(w.status) << " (" << mode_name(w.mode) << ") " << w.reason);
  CHECK(w.status != EquivStatus::Equivalent);
}

TEST_CASE(
    "a merged duplicate pairs with the register of its next-state function, not with one whose "
    "sequence only happened to agree",
    "[equiv]") {
  // Registers rx <= x and rc <= (w != 0x5a5a5a), a 24-bit comparison that random simulation
  // never satisfies (its words are dense or sparse in ones, never this mix), so rc is 1 in every
  // simulated cycle. Then p <= rx, d <= rx & rc and, in A only, its duplicate e <= rx & rc,
  // which Yosys' opt_merge folds into d. p, d and e have the same sequence from the init state;
  // only d has e's next-state function.
  auto design = [](bool duplicated) {
    Netlist nl;
    nl.set_design_name("seq");
    nl.set_clock_name("clk");
    const auto in = add_words(nl, {{"x", 1}, {"w", 24}});
    auto reg = [&](const std::string& name, Signal d, bool init) {
      Dff f;
      f.init = init;
      return Signal{nl.add_cell(f, {d}, name), 0};
    };
    auto pattern = [](uint64_t v) { return v == 0xa5a; };
    const Signal low = lut(nl, {in[1].begin(), in[1].begin() + 12}, pattern);
    const Signal high =
        lut(nl, {in[1].begin() + 12, in[1].end()}, [](uint64_t v) { return v == 0x5a5; });
    const Signal rx = reg("rx", in[0][0], false);
    const Signal rc = reg("rc", lut(nl, {low, high}, [](uint64_t v) { return v != 3; }), true);
    const Signal p = reg("p", rx, false);  // the first register of that sequence
    auto both = [](uint64_t v) { return v == 3; };
    const Signal d = reg("d", lut(nl, {rx, rc}, both), false);
    const Signal e = duplicated ? reg("e", lut(nl, {rx, rc}, both), false) : d;
    nl.add_output("y", {p, d, e});
    REQUIRE(verify(nl).empty());
    return nl;
  };
  const EquivResult r = check_equivalence(design(true), design(false));
  INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.mode == EquivMode::RegisterCorrespondence);
}

TEST_CASE("registers that no output reads take no part, and the others still correspond by name",
          "[equiv]") {
  // The counter with a second, 3-bit counter beside it that nothing reads, as a lowering keeps
  // the input registers of pixels a pruned network no longer uses and synthesis removes them.
  const Netlist plain = counter(false);
  const Netlist extra = with_enable([&](Netlist& nl, Signal en) {
    const auto c = machine(nl, en, "c", 4, 0, [](bool e, uint64_t s) { return count_up(e, s, 4); });
    machine(nl, en, "unread", 3, 5, [](bool e, uint64_t s) { return count_up(e, s, 3); });
    nl.add_output("q", c);
    nl.add_output("hit", {decode(nl, c, [](uint64_t s) { return s == 13; })});
  });
  for (const bool swap : {false, true}) {
    const EquivResult r = swap ? check_equivalence(extra, plain) : check_equivalence(plain, extra);
    INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
    CHECK(r.status == EquivStatus::Equivalent);
    CHECK(r.mode == EquivMode::RegisterCorrespondence);
  }
}

TEST_CASE("k-induction proves a binary state machine equal to its one-hot re-encoding",
          "[equiv][induction]") {
  const EquivResult r = check_equivalence(mod3(false), mod3(true));
  INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.mode == EquivMode::Induction);
  CHECK(r.induction_depth >= 1);
  CHECK(r.induction_classes > 0);
  // The one-hot machine reading the wrong register differs from the first enable on.
  const Netlist wrong = mod3(true, 1);
  const EquivResult w = check_equivalence(mod3(false), wrong);
  REQUIRE(w.status == EquivStatus::NotEquivalent);
  REQUIRE(w.counterexample);
  check_replays(mod3(false), wrong, *w.counterexample);
}

TEST_CASE(
    "a counter stored complemented proves equal, and a flag that differs only after 200 "
    "cycles is refuted",
    "[equiv][induction]") {
  const Netlist up = late_flag(false, 200);
  const EquivResult r = check_equivalence(up, late_flag(true, 200));
  INFO(status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  // Counts 200 and 201 differ only once the counter has reached them: no induction proves that,
  // and a search from reset finds it.
  const Netlist late = late_flag(true, 201);
  const EquivResult w = check_equivalence(up, late);
  INFO(status_name(w.status) << " (" << mode_name(w.mode) << ") " << w.reason);
  REQUIRE(w.status == EquivStatus::NotEquivalent);
  REQUIRE(w.counterexample);
  CHECK(w.counterexample->cycle >= 200);
  check_replays(up, late, *w.counterexample);
}

TEST_CASE("the time limit stops a SAT call that has no conflict limit", "[equiv]") {
  // a * b against b * a at 16 bits: commutativity of a multiplier, which a SAT solver does not
  // settle in any reasonable time.
  auto multiplier = [](bool swapped) {
    Netlist nl;
    const NodeId a = nl.add_input("a", 16), b = nl.add_input("b", 16);
    std::vector<Signal> pins;
    for (NodeId x : {swapped ? b : a, swapped ? a : b})
      for (uint32_t i = 0; i < 16; ++i) pins.push_back({x, i});
    const NodeId p = nl.add_cell(PackedDsp{16, 16, 0, 32, false}, pins, "p");
    std::vector<Signal> out;
    for (uint32_t i = 0; i < 32; ++i) out.push_back({p, i});
    nl.add_output("y", out);
    return nl;
  };
  EquivParams p = sat_only();
  p.conflict_limit = 0;
  p.time_limit = 2;
  const auto start = std::chrono::steady_clock::now();
  const EquivResult r = check_equivalence(multiplier(false), multiplier(true), p);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.reason);
  CHECK(r.status == EquivStatus::Undecided);
  CHECK(r.reason.rfind("time limit reached on output 'y' bit ", 0) == 0);
  CHECK(seconds < 10);
}

TEST_CASE(
    "a product that synthesis widened, swapped and folded an accumulator into proves by "
    "structural hashing alone",
    "[equiv]") {
  // A: a 6-bit signed weight times an 11-bit unsigned activation (a zero sign bit) in a 17-bit
  // cell, then an Adder with a 20-bit accumulator. B: as synth_xilinx maps it, one 30x18 slice
  // with the activation zero-extended on A, the weight sign-extended on B and the accumulator
  // on C. The compiled products are the same operations on the same factors, so the outputs
  // hash together and no SAT call needs a conflict; a multiplier miter of two different
  // structures would need thousands.
  auto inputs = [](Netlist& nl) { return add_words(nl, {{"w", 6}, {"x", 11}, {"acc", 20}}); };
  auto output = [](Netlist& nl, NodeId cell) { add_word_output(nl, "p", cell, 20); };
  Netlist lowered;
  {
    const auto in = inputs(lowered);
    std::vector<Signal> pins = in[0];
    pins.insert(pins.end(), in[1].begin(), in[1].end());
    pins.push_back(lowered.constant(false));
    const NodeId product = lowered.add_cell(PackedDsp{6, 12, 0, 17, true}, pins, "mul");
    pins.clear();
    for (uint32_t i = 0; i < 17; ++i) pins.push_back({product, i});
    pins.insert(pins.end(), in[2].begin(), in[2].end());
    output(lowered, lowered.add_cell(Adder{{{17, true}, {20, true}}, 20}, pins, "sum"));
  }
  Netlist mapped;
  {
    const auto in = inputs(mapped);
    std::vector<Signal> pins = in[1];
    pins.resize(30, mapped.constant(false));
    for (uint32_t i = 0; i < 18; ++i) pins.push_back(in[0][std::min(i, 5u)]);
    for (uint32_t i = 0; i < 48; ++i) pins.push_back(in[2][std::min(i, 19u)]);
    output(mapped, mapped.add_cell(PackedDsp{30, 18, 48, 48, true}, pins, "dsp"));
  }
  EquivParams p = sat_only();
  p.conflict_limit = 1;
  const EquivResult r = check_equivalence(lowered, mapped, p);
  INFO(status_name(r.status) << " " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  CHECK(r.proved_by_sat == 20);
}

TEST_CASE(
    "a slice's pre-adder and dynamic Z prove equal to adders and gates, and a wrong sign "
    "is refuted",
    "[equiv]") {
  // P = (D - A) * B + C + (ZEN ? Z : 0), signed, against the pre-adder as an Adder of D, ~A and
  // a carry of 1, and Z gated by AND gates in front of a slice without either feature.
  PackedDsp full{4, 4, 6, 12, true};
  full.d_width = 4;
  full.z_width = 5;
  full.pre_add = PackedDsp::PreAdd::Subtract;
  full.ad_width = 5;
  full.has_z_enable = true;
  auto ports = [](Netlist& nl) {
    return add_words(nl, {{"a", 4}, {"b", 4}, {"c", 6}, {"d", 4}, {"z", 5}, {"zen", 1}});
  };
  auto output = [](Netlist& nl, NodeId cell) { add_word_output(nl, "p", cell, 12); };
  auto slice = [&](PackedDsp::PreAdd mode) {
    Netlist nl;
    const auto in = ports(nl);
    PackedDsp d = full;
    d.pre_add = mode;
    std::vector<Signal> pins;
    for (const auto& port : in) pins.insert(pins.end(), port.begin(), port.end());
    output(nl, nl.add_cell(d, pins, "dsp"));
    return nl;
  };
  Netlist parts;
  {
    const auto in = ports(parts);
    std::vector<Signal> pre = in[3];
    for (uint32_t i = 0; i < 4; ++i)
      pre.push_back({parts.add_cell(Gate{12}, {in[0][i], in[0][i]}, "na" + std::to_string(i)), 0});
    pre.push_back(parts.constant(true));
    const NodeId ad = parts.add_cell(Adder{{{4, true}, {4, true}, {1, false}}, 5}, pre, "ad");
    std::vector<Signal> pins;
    for (uint32_t i = 0; i < 5; ++i) pins.push_back({ad, i});
    pins.insert(pins.end(), in[1].begin(), in[1].end());
    pins.insert(pins.end(), in[2].begin(), in[2].end());
    for (uint32_t i = 0; i < 5; ++i)
      pins.push_back({parts.add_cell(Gate{1}, {in[4][i], in[5][0]}, "zg" + std::to_string(i)), 0});
    PackedDsp plain{5, 4, 6, 12, true};
    plain.z_width = 5;
    output(parts, parts.add_cell(plain, pins, "dsp"));
  }
  const EquivResult r = check_equivalence(slice(PackedDsp::PreAdd::Subtract), parts);
  INFO(status_name(r.status) << " " << r.reason);
  CHECK(r.status == EquivStatus::Equivalent);
  const Netlist wrong = slice(PackedDsp::PreAdd::Add);
  const EquivResult w = check_equivalence(wrong, parts);
  REQUIRE(w.status == EquivStatus::NotEquivalent);
  REQUIRE(w.counterexample);
  check_replays(wrong, parts, *w.counterexample);
}
