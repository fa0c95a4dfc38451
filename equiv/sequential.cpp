#include "equiv/sequential.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "equiv/counterexample.hpp"
#include "equiv/stimulus.hpp"
#include "netlist/eval.hpp"

namespace lutforge {
namespace {

// Seeds of the random streams, apart from each other and from the combinational engines'.
constexpr uint64_t kSearchSeedOffset = 7;     // the first round of the sequential search
constexpr uint64_t kSearchSeedStride = 1000;  // between its rounds
constexpr uint64_t kMatchSeedOffset = 31;     // register matching
constexpr uint64_t kSearchRounds = 3;         // of the sequential search, each with fresh densities

// One more word into a simulation signature.
uint64_t mix_hash(uint64_t h, uint64_t w) { return (h ^ w) * 0x100000001b3ull + (h >> 29); }

}  // namespace

// Random sequences from the init state; B at t against A at t - latency. Fills cex on a difference.
static bool sequential_search_once(const Netlist& a, const Netlist& b, int latency,
                                   const EquivParams& p, uint64_t seed, Counterexample& cex);

// Several rounds with fresh densities: deep states need the right mix of held controls.
bool sequential_search(const Netlist& a, const Netlist& b, int latency, const EquivParams& p,
                       Counterexample& cex) {
  for (uint64_t round = 0; round < kSearchRounds; ++round)
    if (sequential_search_once(a, b, latency, p,
                               p.seed + kSearchSeedOffset + kSearchSeedStride * round, cex))
      return true;
  return false;
}

static bool sequential_search_once(const Netlist& a, const Netlist& b, int latency,
                                   const EquivParams& p, uint64_t seed, Counterexample& cex) {
  constexpr unsigned kWords = 16;
  Evaluator ea(a, kWords), eb(b, kWords);
  Stimulus stim(seed, kWords, a.inputs().size());
  const size_t cycles = p.sequential_cycles + latency;
  // history[t][port][bit][word] of A's outputs, and the inputs applied.
  std::vector<std::vector<std::vector<std::vector<uint64_t>>>> hist(cycles);
  std::vector<std::vector<std::vector<std::vector<uint64_t>>>> inputs(cycles);
  const std::vector<size_t> in_b = match_ports(a, a.inputs(), b, b.inputs());
  const std::vector<size_t> out_b = match_ports(a, a.outputs(), b, b.outputs());
  for (size_t t = 0; t < cycles; ++t) {
    inputs[t].resize(a.inputs().size());
    for (size_t i = 0; i < a.inputs().size(); ++i) {
      const NodeId n = a.inputs()[i];
      const size_t j = in_b[i];
      inputs[t][i].resize(port_width(a, n));
      for (uint32_t k = 0; k < port_width(a, n); ++k) {
        inputs[t][i][k].resize(kWords);
        for (unsigned w = 0; w < kWords; ++w) {
          const uint64_t v = stim.word(w, i);
          inputs[t][i][k][w] = v;
          ea.input(i, k)[w] = v;
          if (j < b.inputs().size()) eb.input(j, k)[w] = v;
        }
      }
    }
    ea.eval();
    eb.eval();
    hist[t].resize(a.outputs().size());
    for (size_t i = 0; i < a.outputs().size(); ++i)
      for (uint32_t k = 0; k < port_width(a, a.outputs()[i]); ++k)
        hist[t][i].emplace_back(ea.output(i, k), ea.output(i, k) + kWords);
    if (static_cast<int>(t) >= latency) {
      for (size_t i = 0; i < a.outputs().size(); ++i) {
        const size_t j = out_b[i];
        if (j >= b.outputs().size()) continue;
        for (uint32_t k = 0; k < port_width(a, a.outputs()[i]); ++k)
          for (unsigned w = 0; w < kWords; ++w) {
            const uint64_t diff = hist[t - latency][i][k][w] ^ eb.output(j, k)[w];
            if (!diff) continue;
            const unsigned lane = __builtin_ctzll(diff);
            cex.cycle = t;
            cex.inputs = input_table(a);
            for (size_t s = 0; s <= t; ++s) {
              std::vector<BitVector> row;
              for (size_t c = 0; c < a.inputs().size(); ++c) {
                BitVector v((port_width(a, a.inputs()[c]) + 63) / 64, 0);
                for (uint32_t bit = 0; bit < port_width(a, a.inputs()[c]); ++bit)
                  if ((inputs[s][c][bit][w] >> lane) & 1) v[bit / 64] |= uint64_t{1} << (bit % 64);
                row.push_back(std::move(v));
              }
              cex.inputs.rows.push_back(std::move(row));
            }
            return true;
          }
      }
    }
    ea.step();
    eb.step();
  }
  return false;
}

// The smallest latency at which B follows A on random sequences, or -1.
int find_latency(const Netlist& a, const Netlist& b, const EquivParams& p) {
  for (unsigned l = 0; l <= p.max_latency; ++l) {
    Counterexample c;
    if (!sequential_search(a, b, static_cast<int>(l), p, c)) return static_cast<int>(l);
  }
  return -1;
}

// Evaluates A's next-state functions in random states: the registers with a value in `fixed`
// (by node) hold it, the other registers and the inputs are random. Calls visit(register, word)
// for every simulated word of every register's next state.
template <class Visit>
static void random_next_states(const Netlist& a, const std::vector<std::optional<bool>>& fixed,
                               uint64_t seed, Visit visit) {
  constexpr unsigned kWords = 16, kRounds = 4;
  std::unordered_map<std::string, NodeId> reg_by_name;
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    if (is_register(a.cell(n))) reg_by_name.emplace(a.name(n), n);
  const Netlist cut = cut_registers(a);
  // Each cut input: the value of the register it stands for, if that is fixed.
  std::vector<std::optional<bool>> value(cut.inputs().size());
  for (size_t i = 0; i < cut.inputs().size(); ++i) {
    const std::string& name = cut.name(cut.inputs()[i]);
    if (name.size() < 2 || name.compare(name.size() - 2, 2, "@q") != 0) continue;
    const auto it = reg_by_name.find(name.substr(0, name.size() - 2));
    if (it != reg_by_name.end()) value[i] = fixed[it->second];
  }
  Evaluator e(cut, kWords);
  Stimulus stim(seed, kWords, cut.inputs().size());
  for (unsigned round = 0; round < kRounds; ++round) {
    for (size_t i = 0; i < cut.inputs().size(); ++i)
      for (uint32_t k = 0; k < port_width(cut, cut.inputs()[i]); ++k)
        for (unsigned w = 0; w < kWords; ++w)
          e.input(i, k)[w] = value[i] ? (*value[i] ? ~uint64_t{0} : 0) : stim.word(w, i);
    e.eval();
    for (size_t o = a.outputs().size(); o < cut.outputs().size(); ++o) {
      const std::string& name = cut.name(cut.outputs()[o]);
      const NodeId r = reg_by_name.at(name.substr(0, name.size() - 5));  // "@next"
      for (unsigned w = 0; w < kWords; ++w) visit(r, e.output(o, 0)[w]);
    }
  }
}

// The init value of every register of A in `which`, by node.
static std::vector<std::optional<bool>> init_values(const Netlist& a,
                                                    const std::vector<char>& which) {
  std::vector<std::optional<bool>> v(a.num_nodes());
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    if (is_register(a.cell(n)) && which[n]) v[n] = std::get<Dff>(a.cell(n)).init;
  return v;
}

// For each register of A that never left its init value in `varies`' simulation: whether its
// next state is that value in random states where those registers hold their init values and the
// others and the inputs are random. A register that holds a constant passes; one that a rare
// input pattern sets (a comparator that random inputs never satisfied) fails.
static std::vector<char> holds_init(const Netlist& a, const std::vector<char>& varies,
                                    uint64_t seed) {
  std::vector<char> held(a.num_nodes(), 0), steady(a.num_nodes(), 0);
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    steady[n] = held[n] = is_register(a.cell(n)) && !varies[n];
  random_next_states(a, init_values(a, steady), seed, [&](NodeId r, uint64_t word) {
    const uint64_t init = std::get<Dff>(a.cell(r)).init ? ~uint64_t{0} : 0;
    held[r] = held[r] && word == init;
  });
  return held;
}

// A hash of each register's next state over random states in which the `constant` registers hold
// their init values, as merge_duplicates makes them: registers with the same next-state function
// there (the duplicates that synthesis merges) hash alike, while two whose sequences from the init
// state only happened to agree (a rare value of a shared input) rarely do.
static std::vector<uint64_t> next_state_signatures(const Netlist& a,
                                                   const std::vector<char>& constant,
                                                   uint64_t seed) {
  std::vector<uint64_t> sig(a.num_nodes(), 0x12345);
  random_next_states(a, init_values(a, constant), seed,
                     [&](NodeId r, uint64_t word) { sig[r] = mix_hash(sig[r], word); });
  return sig;
}

// Registers of B that did not match A's by name are paired with A's by their value sequences in
// random simulation from the init state: equal sequences pair directly, complementary ones with
// inverted polarity. The pairing is only a guess; the proof that follows checks it.
RegisterMatch match_registers(const Netlist& a, const Netlist& b, const EquivParams& p) {
  RegisterMatch m;
  constexpr unsigned kWords = 16, kCycles = 256;
  Evaluator ea(a, kWords), eb(b, kWords);
  Stimulus stim(p.seed + kMatchSeedOffset, kWords, a.inputs().size());
  std::vector<uint64_t> ha(a.num_nodes(), 0x12345), hb(b.num_nodes(), 0x12345),
      hbn(b.num_nodes(), 0x12345);
  std::vector<char> a_varies(a.num_nodes(), 0);  // left its init value in some cycle and lane
  const std::vector<size_t> in_b = match_ports(a, a.inputs(), b, b.inputs());
  for (unsigned t = 0; t < kCycles; ++t) {
    for (size_t i = 0; i < a.inputs().size(); ++i) {
      const NodeId n = a.inputs()[i];
      const size_t j = in_b[i];
      for (uint32_t k = 0; k < port_width(a, n); ++k)
        for (unsigned w = 0; w < kWords; ++w) {
          const uint64_t v = stim.word(w, i);
          ea.input(i, k)[w] = v;
          if (j < b.inputs().size()) eb.input(j, k)[w] = v;
        }
    }
    ea.eval();
    eb.eval();
    for (const auto& r : ea.program().registers) {
      const uint64_t held = std::get<Dff>(a.cell(r.node)).init ? ~uint64_t{0} : 0;
      for (unsigned w = 0; w < kWords; ++w) {
        ha[r.node] = mix_hash(ha[r.node], ea.slot(r.state)[w]);
        a_varies[r.node] |= ea.slot(r.state)[w] != held;
      }
    }
    for (const auto& r : eb.program().registers)
      for (unsigned w = 0; w < kWords; ++w) {
        hb[r.node] = mix_hash(hb[r.node], eb.slot(r.state)[w]);
        hbn[r.node] = mix_hash(hbn[r.node], ~eb.slot(r.state)[w]);
      }
    ea.step();
    eb.step();
  }
  std::unordered_map<std::string, NodeId> a_by_name;
  std::unordered_map<uint64_t, std::vector<NodeId>> a_by_sig;
  size_t a_regs = 0, b_regs = 0;
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    if (is_register(a.cell(n))) {
      ++a_regs;
      a_by_name.emplace(a.name(n), n);
    }
  std::vector<char> a_used(a.num_nodes(), 0);
  std::vector<NodeId> unmatched;
  for (NodeId n = 0; n < b.num_nodes(); ++n) {
    if (!is_register(b.cell(n))) continue;
    ++b_regs;
    auto it = a_by_name.find(b.name(n));
    if (it != a_by_name.end() && !b.name(n).empty() && !a_used[it->second]) {
      a_used[it->second] = 1;
      m.b_rename[n] = {b.name(n), false};
    } else {
      unmatched.push_back(n);
    }
  }
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    if (is_register(a.cell(n)) && !a_used[n]) a_by_sig[ha[n]].push_back(n);
  // The first unused A register with that signature, preferring one with the same init value.
  auto take = [&](uint64_t sig, bool init) -> NodeId {
    auto it = a_by_sig.find(sig);
    if (it == a_by_sig.end()) return kNoNode;
    NodeId fallback = kNoNode;
    for (NodeId x : it->second) {
      if (a_used[x]) continue;
      if (std::get<Dff>(a.cell(x)).init == init) return x;
      if (fallback == kNoNode) fallback = x;
    }
    return fallback;
  };
  for (NodeId n : unmatched) {
    const bool init = std::get<Dff>(b.cell(n)).init;
    bool inverted = false;
    NodeId x = take(hb[n], init);
    if (x == kNoNode) {
      x = take(hbn[n], !init);
      inverted = true;
    }
    if (x == kNoNode) return m;
    a_used[x] = 1;
    m.b_rename[n] = {a.name(x), inverted};
  }
  // A registers left over: duplicates of a used one with the same sequence and init, which B
  // holds once.
  std::unordered_map<uint64_t, std::vector<NodeId>> used_by_sig;
  for (NodeId n = 0; n < a.num_nodes(); ++n)
    if (is_register(a.cell(n)) && a_used[n]) used_by_sig[ha[n]].push_back(n);
  // A register that never varied is a constant when its next state holds its init value, and
  // otherwise may be the duplicate of a register that also never varied here.
  std::vector<char> left(a.num_nodes(), 0), constant(a.num_nodes(), 0);
  for (NodeId n = 0; n < a.num_nodes(); ++n) left[n] = is_register(a.cell(n)) && !a_used[n];
  if (std::find(left.begin(), left.end(), 1) != left.end()) {
    const std::vector<char> held = holds_init(a, a_varies, p.seed + kMatchSeedOffset + 1);
    for (NodeId n = 0; n < a.num_nodes(); ++n)
      if (left[n] && !a_varies[n] && held[n]) {
        constant[n] = 1;
        m.a_constant.emplace_back(n, std::get<Dff>(a.cell(n)).init);
      }
    // Among the used registers of a duplicate's sequence, its twin is one with its next-state
    // function if there is one: registers that differ only rarely share a sequence too.
    const std::vector<uint64_t> next =
        next_state_signatures(a, constant, p.seed + kMatchSeedOffset + 2);
    for (NodeId n = 0; n < a.num_nodes(); ++n) {
      if (!left[n] || constant[n]) continue;
      const bool init = std::get<Dff>(a.cell(n)).init;
      const auto it = used_by_sig.find(ha[n]);
      if (it == used_by_sig.end()) continue;
      NodeId twin = kNoNode;
      for (const NodeId x : it->second) {
        if (std::get<Dff>(a.cell(x)).init != init) continue;
        if (next[x] == next[n]) {
          twin = x;
          break;
        }
        if (twin == kNoNode) twin = x;
      }
      if (twin != kNoNode) m.a_merge.emplace_back(n, twin);
    }
  }
  m.complete =
      m.b_rename.size() == b_regs && a_regs == b_regs + m.a_merge.size() + m.a_constant.size();
  return m;
}

Netlist merge_duplicates(const Netlist& a, const RegisterMatch& m) {
  Netlist out = a;
  // Every reader of register `reg` reads `to` instead.
  auto redirect = [&](NodeId reg, Signal to) {
    std::vector<PinRef> readers;
    a.foreach_fanout(reg, [&](PinRef r, uint32_t) { readers.push_back(r); });
    for (const PinRef& r : readers) out.connect(r.node, r.pin, to);
  };
  for (const auto& [dup, twin] : m.a_merge) redirect(dup, Signal{twin, 0});
  for (const auto& [reg, value] : m.a_constant) redirect(reg, out.constant(value));
  return out;
}

// B with its registers renamed, and the inverted ones stored with the opposite polarity, so that
// every register holds the same value as its partner in A; the duplicates of A as copies.
Netlist apply_register_match(const Netlist& b, const RegisterMatch& m, const Netlist& a) {
  Netlist out;
  out.set_design_name(b.design_name());
  out.set_clock_name(b.clock_name());
  const TruthTable kNot = make_from_word(1, 0b01);
  for (NodeId n = 0; n < b.num_nodes(); ++n) {
    const Cell& c = b.cell(n);
    if (std::holds_alternative<Input>(c)) {
      out.add_input(b.name(n), std::get<Input>(c).width);
    } else if (std::holds_alternative<Output>(c)) {
      out.add_output(b.name(n), std::vector<Signal>(std::get<Output>(c).width));
    } else if (const auto* d = std::get_if<Dff>(&c); d && m.b_rename.count(n)) {
      const auto& [name, inverted] = m.b_rename.at(n);
      Dff r = *d;
      if (inverted) {
        r.init = !r.init;
        r.sync_reset_value = !r.sync_reset_value;
        r.async_reset_value = !r.async_reset_value;
      }
      out.add_cell(r, {}, name);
    } else {
      out.add_cell(c, {}, b.name(n));
    }
  }
  // Readers of an inverted register read its complement; its D pin gets the complement of D.
  std::vector<Signal> q_of(b.num_nodes());
  for (const auto& [n, info] : m.b_rename)
    q_of[n] = info.second ? Signal{out.add_cell(Lut{kNot}, {{n, 0}}, info.first + "$q_n"), 0}
                          : Signal{n, 0};
  for (NodeId n = 0; n < b.num_nodes(); ++n) {
    const auto fanin = b.fanin(n);
    for (uint32_t pin = 0; pin < fanin.size(); ++pin) {
      Signal s = fanin[pin];
      if (is_register(b.cell(s.node)) && m.b_rename.count(s.node)) s = q_of[s.node];
      if (pin == 0 && is_register(b.cell(n)) && m.b_rename.count(n) && m.b_rename.at(n).second)
        s = Signal{out.add_cell(Lut{kNot}, {s}), 0};
      out.connect(n, pin, s);
    }
  }
  // The duplicates: a copy of the twin's partner, under the duplicate's name.
  std::unordered_map<std::string, NodeId> reg_by_name;
  for (NodeId n = 0; n < out.num_nodes(); ++n)
    if (is_register(out.cell(n))) reg_by_name.emplace(out.name(n), n);
  for (const auto& [dup, twin] : m.a_merge) {
    const auto it = reg_by_name.find(a.name(twin));
    if (it == reg_by_name.end()) throw std::logic_error("register match: a twin without a partner");
    const Cell copy = out.cell(it->second);
    const auto pins = out.fanin(it->second);
    out.add_cell(copy, std::vector<Signal>(pins.begin(), pins.end()), a.name(dup));
  }
  // The constants: a register that starts at the value and stays there.
  for (const auto& [reg, value] : m.a_constant) {
    Dff held;
    held.init = value;
    out.add_cell(held, {out.constant(value)}, a.name(reg));
  }
  return out;
}

}  // namespace lutforge
