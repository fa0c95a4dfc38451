#include "equiv/equiv.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <random>
#include <unordered_map>

#include "base/error.hpp"
#include "equiv/cnf.hpp"
#include "equiv/induction.hpp"
#include "equiv/stimulus.hpp"
#include "netlist/eval.hpp"
#include "netlist/levels.hpp"

namespace lutforge {

const char* status_name(EquivStatus s) {
  switch (s) {
    case EquivStatus::Equivalent: return "EQUIVALENT";
    case EquivStatus::NotEquivalent: return "NOT EQUIVALENT";
    case EquivStatus::Undecided: return "UNDECIDED";
  }
  return "?";
}

const char* mode_name(EquivMode m) {
  switch (m) {
    case EquivMode::Combinational: return "combinational";
    case EquivMode::RegisterCorrespondence: return "register correspondence";
    case EquivMode::Latency: return "latency";
    case EquivMode::Induction: return "k-induction";
    case EquivMode::Bounded: return "bounded";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;
using Op = Program::Op;

// ---------------------------------------------------------------------------------------------
// The combinational core. Input ports are matched by name (a port on one side only is a free
// input); output ports are compared in the given pairs, bit by bit.

struct CombOutcome {
  EquivStatus status = EquivStatus::Equivalent;
  std::vector<bool> assignment;  // a counterexample over the unified input bits
  std::string reason;
};

class CombProver {
 public:
  CombProver(const Netlist& a, const Netlist& b, std::vector<std::pair<size_t, size_t>> outputs,
             const EquivParams& p, Clock::time_point deadline, EquivResult& stats)
      : a_(a),
        b_(b),
        levels_a_(levelize(a)),
        levels_b_(levelize(b)),
        out_pairs_(std::move(outputs)),
        p_(p),
        deadline_(deadline),
        st_(stats) {
    // Unified input bits: A's first, then B's ports that A lacks.
    std::map<std::string, size_t> by_name;
    for (size_t i = 0; i < a.inputs().size(); ++i) {
      by_name[a.name(a.inputs()[i])] = unified_.size();
      a_port_base_.push_back(unified_.size());
      for (uint32_t k = 0; k < port_width(a, a.inputs()[i]); ++k)
        unified_.push_back({a.name(a.inputs()[i]), k});
    }
    for (size_t i = 0; i < b.inputs().size(); ++i) {
      auto it = by_name.find(b.name(b.inputs()[i]));
      if (it != by_name.end()) {
        b_port_base_.push_back(it->second);
      } else {
        b_port_base_.push_back(unified_.size());
        for (uint32_t k = 0; k < port_width(b, b.inputs()[i]); ++k)
          unified_.push_back({b.name(b.inputs()[i]), k});
      }
    }
    for (auto [oa, ob] : out_pairs_)
      for (uint32_t k = 0; k < port_width(a, a.outputs()[oa]); ++k) bits_.push_back({oa, ob, k});
    st_.outputs += bits_.size();
  }

  const std::vector<std::pair<std::string, uint32_t>>& unified() const { return unified_; }

  CombOutcome run() {
    CombOutcome r;
    if (random_simulation(r)) return r;
    std::vector<size_t> remaining = enumerate_small_cones(r);
    if (r.status == EquivStatus::NotEquivalent) return r;
    if (!remaining.empty()) sat(remaining, r);
    return r;
  }

 private:
  struct OutBit {
    size_t a_port, b_port;
    uint32_t bit;
  };

  bool timed_out() const { return p_.time_limit > 0 && Clock::now() > deadline_; }

  // Sets the same words on the unified input bits of both evaluators.
  void set_inputs(Evaluator& ea, Evaluator& eb, const std::vector<std::vector<uint64_t>>& words) {
    for (size_t i = 0; i < a_.inputs().size(); ++i)
      for (uint32_t k = 0; k < port_width(a_, a_.inputs()[i]); ++k)
        std::copy(words[a_port_base_[i] + k].begin(), words[a_port_base_[i] + k].end(),
                  ea.input(i, k));
    for (size_t i = 0; i < b_.inputs().size(); ++i)
      for (uint32_t k = 0; k < port_width(b_, b_.inputs()[i]); ++k)
        std::copy(words[b_port_base_[i] + k].begin(), words[b_port_base_[i] + k].end(),
                  eb.input(i, k));
  }

  // Compares every output bit; on a difference, fills the counterexample from that lane.
  bool compare(const Evaluator& ea, const Evaluator& eb,
               const std::vector<std::vector<uint64_t>>& words, const std::vector<size_t>& which,
               CombOutcome& r) {
    for (size_t idx : which) {
      const OutBit& o = bits_[idx];
      const uint64_t* x = ea.output(o.a_port, o.bit);
      const uint64_t* y = eb.output(o.b_port, o.bit);
      for (unsigned w = 0; w < ea.words(); ++w) {
        const uint64_t diff = x[w] ^ y[w];
        if (!diff) continue;
        const unsigned lane = static_cast<unsigned>(__builtin_ctzll(diff));
        r.status = EquivStatus::NotEquivalent;
        r.assignment.assign(unified_.size(), false);
        for (size_t u = 0; u < unified_.size(); ++u) r.assignment[u] = (words[u][w] >> lane) & 1;
        return true;
      }
    }
    return false;
  }

  bool random_simulation(CombOutcome& r) {
    constexpr unsigned kWords = 64;
    Evaluator ea(a_, kWords), eb(b_, kWords);
    std::mt19937_64 rng(p_.seed);
    std::vector<std::vector<uint64_t>> words(unified_.size(), std::vector<uint64_t>(kWords));
    std::vector<size_t> all(bits_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    for (unsigned round = 0; round < p_.random_rounds; ++round) {
      for (auto& v : words)
        for (auto& w : v) {
          w = rng();
          // Every few rounds, bias the inputs towards 0 and 1 to reach rare corners.
          if (round % 4 == 1) w &= rng();
          if (round % 4 == 2) w |= rng();
        }
      set_inputs(ea, eb, words);
      ea.eval();
      eb.eval();
      if (compare(ea, eb, words, all, r)) return true;
    }
    return false;
  }

  // Input support of every node output bit, as sorted unified indices, capped at limit + 1.
  std::vector<std::vector<std::vector<uint32_t>>> supports(const Netlist& nl, const Levels& lv,
                                                           const std::vector<size_t>& base) {
    const size_t cap = p_.exhaustive_limit + 1;
    std::vector<std::vector<std::vector<uint32_t>>> sup(nl.num_nodes());
    for (size_t i = 0; i < nl.inputs().size(); ++i) {
      const NodeId n = nl.inputs()[i];
      for (uint32_t k = 0; k < port_width(nl, n); ++k)
        sup[n].push_back({static_cast<uint32_t>(base[i] + k)});
    }
    for (NodeId n : lv.order) {
      const Cell& c = nl.cell(n);
      if (std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c)) continue;
      std::vector<uint32_t> u;
      for (const Signal& s : nl.fanin(n)) {
        const auto& f = sup[s.node].empty() ? u : sup[s.node][s.bit];
        if (&f == &u) continue;
        std::vector<uint32_t> merged;
        std::set_union(u.begin(), u.end(), f.begin(), f.end(), std::back_inserter(merged));
        u.swap(merged);
        if (u.size() >= cap) {
          u.resize(cap);
          break;
        }
      }
      // Every output bit of a cell gets the cell's whole support: conservative and cheap.
      sup[n].assign(std::max<uint32_t>(1, num_output_bits(c)), u);
    }
    return sup;
  }

  // A netlist with the same inputs and only the cone of `outs`, whose outputs are `outs`.
  static Netlist cone(const Netlist& nl, const Levels& lv, const std::vector<Signal>& outs) {
    std::vector<char> keep(nl.num_nodes(), 0);
    std::vector<NodeId> stack;
    for (const Signal& s : outs) stack.push_back(s.node);
    while (!stack.empty()) {
      const NodeId n = stack.back();
      stack.pop_back();
      if (keep[n]) continue;
      keep[n] = 1;
      for (const Signal& s : nl.fanin(n)) stack.push_back(s.node);
    }
    Netlist c;
    std::vector<std::vector<Signal>> map(nl.num_nodes());
    for (NodeId n : nl.inputs()) {
      const NodeId m = c.add_input(nl.name(n), port_width(nl, n));
      for (uint32_t k = 0; k < port_width(nl, n); ++k) map[n].push_back({m, k});
    }
    for (NodeId n : lv.order) {
      if (!keep[n] || std::holds_alternative<Input>(nl.cell(n)) ||
          std::holds_alternative<Output>(nl.cell(n)))
        continue;
      std::vector<Signal> f;
      for (const Signal& s : nl.fanin(n)) f.push_back(map[s.node][s.bit]);
      const NodeId m = c.add_cell(nl.cell(n), f);
      for (uint32_t k = 0; k < num_output_bits(nl.cell(n)); ++k) map[n].push_back({m, k});
    }
    for (size_t i = 0; i < outs.size(); ++i)
      c.add_output("o" + std::to_string(i), {map[outs[i].node][outs[i].bit]});
    return c;
  }

  std::vector<size_t> enumerate_small_cones(CombOutcome& r) {
    const auto sa = supports(a_, levels_a_, a_port_base_);
    const auto sb = supports(b_, levels_b_, b_port_base_);
    std::map<std::vector<uint32_t>, std::vector<size_t>> groups;
    std::vector<size_t> rest;
    for (size_t i = 0; i < bits_.size(); ++i) {
      const Signal x = a_.fanin(a_.outputs()[bits_[i].a_port])[bits_[i].bit];
      const Signal y = b_.fanin(b_.outputs()[bits_[i].b_port])[bits_[i].bit];
      std::vector<uint32_t> u;
      std::set_union(sa[x.node][x.bit].begin(), sa[x.node][x.bit].end(), sb[y.node][y.bit].begin(),
                     sb[y.node][y.bit].end(), std::back_inserter(u));
      if (u.size() > p_.exhaustive_limit)
        rest.push_back(i);
      else
        groups[u].push_back(i);
    }
    for (const auto& [support, members] : groups) {
      if (timed_out()) {
        for (size_t m : members) rest.push_back(m);
        continue;
      }
      if (enumerate(support, members, r)) return {};
      if (support.empty())
        st_.proved_by_simulation += members.size();
      else
        st_.proved_by_enumeration += members.size();
    }
    std::sort(rest.begin(), rest.end());
    return rest;
  }

  // Proves or refutes the output bits `members` over every assignment of `support`.
  bool enumerate(const std::vector<uint32_t>& support, const std::vector<size_t>& members,
                 CombOutcome& r) {
    std::vector<Signal> oa, ob;
    for (size_t m : members) {
      oa.push_back(a_.fanin(a_.outputs()[bits_[m].a_port])[bits_[m].bit]);
      ob.push_back(b_.fanin(b_.outputs()[bits_[m].b_port])[bits_[m].bit]);
    }
    const Netlist ca = cone(a_, levels_a_, oa), cb = cone(b_, levels_b_, ob);
    const unsigned m = static_cast<unsigned>(support.size());
    const unsigned words = m <= 6 ? 1 : std::min(64u, 1u << std::min(6u, m - 6));
    Evaluator ea(ca, words), eb(cb, words);
    const unsigned lane_bits = 6 + __builtin_ctz(words);
    const uint64_t rounds = m <= lane_bits ? 1 : uint64_t{1} << (m - lane_bits);
    static constexpr uint64_t kVar[6] = {0xaaaaaaaaaaaaaaaaull, 0xccccccccccccccccull,
                                         0xf0f0f0f0f0f0f0f0ull, 0xff00ff00ff00ff00ull,
                                         0xffff0000ffff0000ull, 0xffffffff00000000ull};
    std::vector<std::vector<uint64_t>> words_of(unified_.size(), std::vector<uint64_t>(words, 0));
    std::vector<size_t> local(members.size());
    for (size_t i = 0; i < local.size(); ++i) local[i] = i;
    for (uint64_t round = 0; round < rounds; ++round) {
      for (unsigned j = 0; j < m; ++j) {
        auto& v = words_of[support[j]];
        for (unsigned w = 0; w < words; ++w) {
          if (j < 6)
            v[w] = kVar[j];
          else if (j < lane_bits)
            v[w] = ((w >> (j - 6)) & 1) ? ~uint64_t{0} : 0;
          else
            v[w] = ((round >> (j - lane_bits)) & 1) ? ~uint64_t{0} : 0;
        }
      }
      set_inputs(ea, eb, words_of);
      ea.eval();
      eb.eval();
      for (size_t i = 0; i < members.size(); ++i) {
        const uint64_t* x = ea.output(i, 0);
        const uint64_t* y = eb.output(i, 0);
        for (unsigned w = 0; w < words; ++w) {
          const uint64_t valid = m >= 6 ? ~uint64_t{0} : (uint64_t{1} << (1u << m)) - 1;
          const uint64_t diff = (x[w] ^ y[w]) & valid;
          if (!diff) continue;
          const unsigned lane = static_cast<unsigned>(__builtin_ctzll(diff));
          r.status = EquivStatus::NotEquivalent;
          r.assignment.assign(unified_.size(), false);
          for (size_t u = 0; u < unified_.size(); ++u)
            r.assignment[u] = (words_of[u][w] >> lane) & 1;
          return true;
        }
      }
    }
    return false;
  }

  // ---- SAT with sweeping ----
  struct Side {
    Program prog;
    std::vector<int32_t> def;  // defining instruction of each slot, or -1
    std::vector<int> var;      // SAT variable of each slot, 0 until encoded
    std::vector<uint64_t>
        sig;  // simulation signature of each slot: kSigWords words from slot * kSigWords
    std::vector<char> net;  // the slot holds a cell's output bit (not a step inside a cell)
  };

  int encode(Side& s, uint32_t slot) {
    if (s.var[slot]) return s.var[slot];
    std::vector<uint32_t> stack{slot};
    while (!stack.empty()) {
      const uint32_t x = stack.back();
      if (s.var[x]) {
        stack.pop_back();
        continue;
      }
      const int32_t d = s.def[x];
      if (d < 0) {  // an unconstrained slot: a free input of its own
        s.var[x] = cnf_->new_var();
        stack.pop_back();
        continue;
      }
      const Program::Instr& in = s.prog.comb[d];
      bool ready = true;
      for (uint32_t o : {in.a, in.b, in.c})
        if (!s.var[o] &&
            (o == in.a || (o == in.b && op_reads_b(in.op)) || (o == in.c && op_reads_c(in.op)))) {
          stack.push_back(o);
          ready = false;
        }
      if (!ready) continue;
      stack.pop_back();
      s.var[x] = cnf_->gate(in.op, s.var[in.a], op_reads_b(in.op) ? s.var[in.b] : 0,
                            op_reads_c(in.op) ? s.var[in.c] : 0);
    }
    return s.var[slot];
  }

  // Whether literals x and y can differ, within `conflicts` (0 = no limit).
  SatResult prove_equal(int x, int y, int64_t conflicts) {
    if (x == y) return SatResult::Unsatisfiable;
    const int m = cnf_->new_var();
    cnf_->add({-m, x, y});
    cnf_->add({-m, -x, -y});
    ++st_.sat_calls;
    const SatResult res = cnf_->solve({m}, conflicts);
    if (res ==
        SatResult::Satisfiable) {  // keep the inputs of the model: adding a clause discards it
      model_.assign(input_var_.size(), false);
      for (size_t u = 0; u < input_var_.size(); ++u)
        model_[u] = input_var_[u] && cnf_->value(input_var_[u]);
    }
    cnf_->add({-m});  // retire the miter
    return res;
  }

  void prepare(Side& s, const Netlist& nl, const std::vector<size_t>& base,
               std::vector<int>& input_var) {
    CompileParams cp;
    cp.reuse_temporaries = false;
    s.prog = compile(nl, cp);
    s.def.assign(s.prog.num_slots, -1);
    for (size_t i = 0; i < s.prog.comb.size(); ++i)
      s.def[s.prog.comb[i].dst] = static_cast<int32_t>(i);
    s.net.assign(s.prog.num_slots, 0);
    for (const auto& slots : s.prog.signal_slots)
      for (uint32_t x : slots) s.net[x] = 1;
    s.var.assign(s.prog.num_slots, 0);
    s.var[Program::kZero] = const0_;
    s.var[Program::kOne] = -const0_;
    for (size_t i = 0; i < nl.inputs().size(); ++i)
      for (uint32_t k = 0; k < s.prog.input_slots[i].size(); ++k) {
        int& v = input_var[base[i] + k];
        if (!v) v = cnf_->new_var();
        s.var[s.prog.input_slots[i][k]] = v;
      }
  }

  // Signatures from 64 * kSigWords input patterns: uniform words, and words biased towards 0 and
  // towards 1, which separate nodes that are rarely 1 or rarely 0. Trained networks have many such
  // nodes; 2048 patterns instead of 512 cut the false candidates, whose refuting SAT calls each
  // assign the whole design, and the check of a trained 566-neuron MNIST network from 153 s to 55
  // s.
  static constexpr unsigned kSigWords = 32;
  static constexpr unsigned kMaxCutCandidates = 64;  // of A's nodes tried by cut per node of B
  // Conflicts allowed to a sweeping SAT call: a merge that needs more is left to the output proof.
  static constexpr int64_t kSweepConflicts = 1000;
  void signatures(Side& s, const std::vector<std::vector<uint64_t>>& words,
                  const std::vector<size_t>& base, const Netlist& nl) {
    Evaluator ev(s.prog, kSigWords);
    for (size_t i = 0; i < nl.inputs().size(); ++i)
      for (uint32_t k = 0; k < s.prog.input_slots[i].size(); ++k)
        for (unsigned w = 0; w < kSigWords; ++w) ev.input(i, k)[w] = words[base[i] + k][w];
    ev.eval();
    s.sig.resize(size_t{s.prog.num_slots} * kSigWords);
    for (uint32_t x = 0; x < s.prog.num_slots; ++x)
      std::copy(ev.slot(x), ev.slot(x) + kSigWords, s.sig.begin() + size_t{x} * kSigWords);
  }

  // A hash of a slot's signature that is the same for its complement.
  static uint64_t sig_key(const Side& s, uint32_t x) {
    const uint64_t* v = &s.sig[size_t{x} * kSigWords];
    const uint64_t flip = (v[0] & 1) ? ~uint64_t{0} : 0;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (unsigned w = 0; w < kSigWords; ++w) h = (h ^ (v[w] ^ flip)) * 0x100000001b3ull + (h >> 31);
    return h;
  }
  static bool constant_signature(const Side& s, uint32_t x) {
    const uint64_t* v = &s.sig[size_t{x} * kSigWords];
    for (unsigned w = 0; w < kSigWords; ++w)
      if (v[w] != v[0] || (v[0] != 0 && v[0] != ~uint64_t{0})) return false;
    return true;
  }
  // 1: equal signatures, -1: complementary, 0: neither.
  static int sig_relation(const Side& a, uint32_t x, const Side& b, uint32_t y) {
    const uint64_t* u = &a.sig[size_t{x} * kSigWords];
    const uint64_t* v = &b.sig[size_t{y} * kSigWords];
    bool eq = true, comp = true;
    for (unsigned w = 0; w < kSigWords; ++w) {
      eq = eq && u[w] == v[w];
      comp = comp && u[w] == ~v[w];
    }
    return eq ? 1 : comp ? -1 : 0;
  }

  static void cone_slots(const Side& s, uint32_t root, std::vector<uint32_t>& out,
                         std::vector<char>& seen) {
    std::vector<uint32_t> stack{root};
    while (!stack.empty()) {
      const uint32_t x = stack.back();
      stack.pop_back();
      if (seen[x]) continue;
      seen[x] = 1;
      out.push_back(x);
      if (s.def[x] < 0) continue;
      const auto& in = s.prog.comb[s.def[x]];
      stack.push_back(in.a);
      if (op_reads_b(in.op)) stack.push_back(in.b);
      if (op_reads_c(in.op)) stack.push_back(in.c);
    }
  }

  // Variables that both designs' encodings use: inputs, the constant, and every merged node.
  void mark_shared(int v) {
    const size_t i = static_cast<size_t>(std::abs(v));
    if (shared_.size() <= i) shared_.resize(i + 1, 0);
    shared_[i] = 1;
  }
  bool defined(int v) const { return cnf_->defined(v); }
  bool is_shared(int v) const {
    const size_t i = static_cast<size_t>(std::abs(v));
    return i < shared_.size() && shared_[i];
  }

  // Proves literals lx and ly equal by enumerating them over a small cut of variables. The cut
  // starts at the shared variables; while the two tables differ, its newest defined leaf is
  // expanded, since leaves that depend on each other can take fewer values than a free cut. A
  // difference that remains proves nothing: SAT decides those.
  static constexpr size_t kMaxConeVars = 512;
  static constexpr unsigned kMaxCutVars = 12;
  static constexpr unsigned kMaxExpansions = 8;
  bool proved_by_cut(int lx, int ly) const {
    static constexpr uint64_t kVar[6] = {0xaaaaaaaaaaaaaaaaull, 0xccccccccccccccccull,
                                         0xf0f0f0f0f0f0f0f0ull, 0xff00ff00ff00ff00ull,
                                         0xffff0000ffff0000ull, 0xffffffff00000000ull};
    std::vector<int> expanded{std::abs(lx), std::abs(ly)};
    for (unsigned round = 0; round <= kMaxExpansions; ++round) {
      std::vector<int> leaves, inner, stack{std::abs(lx), std::abs(ly)};
      while (!stack.empty()) {
        const int v = stack.back();
        stack.pop_back();
        if (std::find(inner.begin(), inner.end(), v) != inner.end() ||
            std::find(leaves.begin(), leaves.end(), v) != leaves.end())
          continue;
        const bool open = std::find(expanded.begin(), expanded.end(), v) != expanded.end();
        if (!defined(v) || (is_shared(v) && !open)) {
          leaves.push_back(v);
          if (leaves.size() > kMaxCutVars) return false;
          continue;
        }
        inner.push_back(v);
        if (inner.size() > kMaxConeVars) return false;
        const Cnf::Def& d = cnf_->def(v);
        stack.push_back(std::abs(d.a));
        if (d.b) stack.push_back(std::abs(d.b));
        if (d.c) stack.push_back(std::abs(d.c));
      }
      const size_t k = leaves.size(), words = k <= 6 ? 1 : size_t{1} << (k - 6);
      std::unordered_map<int, std::vector<uint64_t>> val;
      for (size_t j = 0; j < k; ++j) {
        std::vector<uint64_t> t(words);
        if (leaves[j] != const0_)
          for (size_t w = 0; w < words; ++w)
            t[w] = j < 6 ? kVar[j] : (((w >> (j - 6)) & 1) ? ~uint64_t{0} : 0);
        val.emplace(leaves[j], std::move(t));
      }
      auto lit = [&](int l, size_t w) {
        return l == 0 ? 0 : (l > 0 ? val.at(l)[w] : ~val.at(-l)[w]);
      };
      std::sort(inner.begin(), inner.end());  // variables are numbered after their operands
      for (int v : inner) {
        const Cnf::Def& d = cnf_->def(v);
        std::vector<uint64_t> t(words);
        for (size_t w = 0; w < words; ++w)
          t[w] = apply_op<uint64_t>(d.op, lit(d.a, w), lit(d.b, w), lit(d.c, w));
        val.emplace(v, std::move(t));
      }
      const uint64_t valid = k >= 6 ? ~uint64_t{0} : (uint64_t{1} << (1u << k)) - 1;
      bool equal = true;
      for (size_t w = 0; w < words && equal; ++w) equal = ((lit(lx, w) ^ lit(ly, w)) & valid) == 0;
      if (equal) return true;
      int newest = 0;
      for (int v : leaves)
        if (defined(v) && v > newest) newest = v;
      if (!newest) return false;
      expanded.push_back(newest);
    }
    return false;
  }

  // Replaces B's slot y by A's variable vx (negated when complement) in everything encoded later.
  void merge(Side& B, uint32_t y, int vx, bool complement) {
    const int vy = B.var[y], target = complement ? -vx : vx;
    cnf_->equate(target, vy);
    B.var[y] = target;
    mark_shared(vx);
    ++st_.merged_by_sweeping;
  }

  void sat(const std::vector<size_t>& remaining, CombOutcome& r) {
    cnf_ = std::make_unique<Cnf>();
    const0_ = cnf_->false_lit();
    mark_shared(const0_);
    std::vector<int>& input_var = input_var_;
    input_var.assign(unified_.size(), 0);
    Side A, B;
    prepare(A, a_, a_port_base_, input_var);
    prepare(B, b_, b_port_base_, input_var);
    for (int v : input_var)
      if (v) mark_shared(v);
    std::mt19937_64 rng(p_.seed + 99);
    std::vector<std::vector<uint64_t>> words(unified_.size(), std::vector<uint64_t>(kSigWords));
    for (auto& v : words)
      for (unsigned w = 0; w < kSigWords; ++w) {
        v[w] = rng();
        if (w % 4 == 1) v[w] &= rng();
        if (w % 4 == 2) v[w] |= rng();
      }
    signatures(A, words, a_port_base_, a_);
    signatures(B, words, b_port_base_, b_);
    // A's nodes by signature up to complement; B's nodes are merged into them.
    // Several of A's nodes can share a signature: a trained network has many nodes that random
    // inputs almost never change. Each keeps its candidates; cuts try them all before SAT.
    std::unordered_map<uint64_t, std::vector<uint32_t>> a_by_sig;
    std::vector<char> a_seen(A.prog.num_slots, 0), b_seen(B.prog.num_slots, 0),
        b_tried(B.prog.num_slots, 0);

    for (size_t idx : remaining) {
      if (timed_out()) {
        r.status = EquivStatus::Undecided;
        r.reason = "time limit reached with " + std::to_string(remaining.size()) +
                   " output bits left for SAT";
        return;
      }
      const OutBit& o = bits_[idx];
      const uint32_t xa = A.prog.output_slots[o.a_port][o.bit];
      const uint32_t xb = B.prog.output_slots[o.b_port][o.bit];
      // Sweep, bottom-up: each node of B's cone that simulates like a node of A is proved equal to
      // it (by a small cut, else by SAT) and merged into it, so the logic above it hashes together.
      std::vector<uint32_t> ca, cb;
      cone_slots(A, xa, ca, a_seen);
      cone_slots(B, xb, cb, b_seen);
      for (uint32_t x : ca)  // each slot once: a_seen keeps it out of later cones
        if (A.def[x] >= 0 && A.net[x]) a_by_sig[sig_key(A, x)].push_back(x);
      std::sort(cb.begin(), cb.end(), [&](uint32_t p, uint32_t q) { return B.def[p] < B.def[q]; });
      for (uint32_t y : cb) {
        // Only nets: the steps inside a compiled cell rarely have a counterpart, and every false
        // candidate costs a SAT call.
        if (B.def[y] < 0 || !B.net[y] || b_tried[y]) continue;
        b_tried[y] = 1;
        auto it = a_by_sig.find(sig_key(B, y));
        if (it == a_by_sig.end()) continue;
        // The first candidate that a cut proves equal; else SAT on the first that simulates alike.
        int first_x = -1;
        bool first_complement = false, merged = false;
        unsigned tried = 0;
        for (const uint32_t x : it->second) {
          const int relation = sig_relation(A, x, B, y);
          if (relation == 0) continue;
          const bool complement = relation < 0;
          const int vx = encode(A, x), vy = encode(B, y);
          if (vy == (complement ? -vx : vx)) {
            mark_shared(vx);
            merged = true;
            break;
          }
          if (first_x < 0) {
            first_x = static_cast<int>(x);
            first_complement = complement;
          }
          if (proved_by_cut(vx, complement ? -vy : vy)) {
            ++st_.merged_by_cut;
            merge(B, y, vx, complement);
            merged = true;
            break;
          }
          if (++tried == kMaxCutCandidates) break;
        }
        // SAT only where the signature says something: a node that no random pattern changes is
        // most often a different rarely-active node, and a refuting SAT call assigns the whole
        // design.
        if (merged || first_x < 0 || constant_signature(B, y)) continue;
        const int vx = encode(A, static_cast<uint32_t>(first_x)), vy = encode(B, y);
        const SatResult res = prove_equal(vx, first_complement ? -vy : vy, kSweepConflicts);
        if (res == SatResult::Unsatisfiable) merge(B, y, vx, first_complement);
      }
      const int va = encode(A, xa), vb = encode(B, xb);
      const SatResult res = prove_equal(va, vb, p_.conflict_limit);
      if (res == SatResult::Unsatisfiable) {
        ++st_.proved_by_sat;
        cnf_->equate(va, vb);
        continue;
      }
      if (res == SatResult::Satisfiable) {
        r.status = EquivStatus::NotEquivalent;
        r.assignment = model_;
        return;
      }
      r.status = EquivStatus::Undecided;
      r.reason = "SAT conflict limit (" + std::to_string(p_.conflict_limit) +
                 ") reached on output '" + a_.name(a_.outputs()[o.a_port]) + "' bit " +
                 std::to_string(o.bit);
      return;
    }
  }

  const Netlist& a_;
  const Netlist& b_;
  const Levels levels_a_, levels_b_;
  std::vector<std::pair<size_t, size_t>> out_pairs_;
  const EquivParams& p_;
  Clock::time_point deadline_;
  EquivResult& st_;
  std::vector<std::pair<std::string, uint32_t>> unified_;
  std::vector<size_t> a_port_base_, b_port_base_;
  std::vector<OutBit> bits_;
  std::unique_ptr<Cnf> cnf_;
  std::vector<char> shared_;    // by variable
  std::vector<int> input_var_;  // by unified input bit
  std::vector<bool> model_;     // input bits of the last satisfying assignment
  int const0_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Port matching and the sequential modes.

void check_ports(const Netlist& a, const Netlist& b, const std::vector<std::string>& ignore) {
  auto check = [&](const std::vector<NodeId>& pa, const std::vector<NodeId>& pb, const Netlist& na,
                   const Netlist& nb, const char* kind, const char* side_a, const char* side_b) {
    for (NodeId x : pa) {
      const NodeId y = nb.find_port(na.name(x));
      if (y == kNoNode && std::find(ignore.begin(), ignore.end(), na.name(x)) != ignore.end())
        continue;
      if (y == kNoNode || std::find(pb.begin(), pb.end(), y) == pb.end())
        throw Error(std::string(kind) + " port '" + na.name(x) + "' of " + side_a +
                    " has no match in " + side_b);
      if (port_width(na, x) != port_width(nb, y))
        throw Error(std::string(kind) + " port '" + na.name(x) + "' is " +
                    std::to_string(port_width(na, x)) + " bits in " + side_a + " and " +
                    std::to_string(port_width(nb, y)) + " bits in " + side_b);
    }
  };
  check(a.inputs(), b.inputs(), a, b, "input", "A", "B");
  check(b.inputs(), a.inputs(), b, a, "input", "B", "A");
  check(a.outputs(), b.outputs(), a, b, "output", "A", "B");
  check(b.outputs(), a.outputs(), b, a, "output", "B", "A");
}

std::vector<std::pair<size_t, size_t>> pairs_by_name(const Netlist& a, const Netlist& b,
                                                     const std::string& suffix_a = {},
                                                     const std::string& suffix_b = {}) {
  std::vector<std::pair<size_t, size_t>> pairs;
  for (size_t i = 0; i < a.outputs().size(); ++i) {
    std::string name = a.name(a.outputs()[i]);
    if (!suffix_a.empty()) {
      if (name.size() < suffix_a.size() ||
          name.compare(name.size() - suffix_a.size(), suffix_a.size(), suffix_a) != 0)
        continue;
      name = name.substr(0, name.size() - suffix_a.size()) + suffix_b;
    }
    for (size_t j = 0; j < b.outputs().size(); ++j)
      if (b.name(b.outputs()[j]) == name) pairs.emplace_back(i, j);
  }
  return pairs;
}

bool has_registers(const Netlist& nl) {
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (is_register(nl.cell(n))) return true;
  return false;
}

std::vector<std::string> register_names(const Netlist& nl) {
  std::vector<std::string> names;
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    if (is_register(nl.cell(n))) names.push_back(nl.name(n));
  std::sort(names.begin(), names.end());
  return names;
}

bool unique_nonempty(const std::vector<std::string>& sorted) {
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i].empty() || (i && sorted[i] == sorted[i - 1])) return false;
  return true;
}

// Input rows of cycles 0..frames-1 from an assignment over an unrolled design's ports "x@t".
VectorTable rows_from_unrolled(const Netlist& design,
                               const std::vector<std::pair<std::string, uint32_t>>& unified,
                               const std::vector<bool>& assignment, size_t frames) {
  VectorTable t = input_table(design);
  t.rows.assign(frames, {});
  for (auto& row : t.rows)
    for (uint32_t w : t.widths) row.emplace_back((w + 63) / 64, 0);
  for (size_t u = 0; u < unified.size(); ++u) {
    if (!assignment[u]) continue;
    const auto& [port, bit] = unified[u];
    const auto at = port.rfind('@');
    if (at == std::string::npos) continue;
    const size_t frame = std::stoul(port.substr(at + 1));
    const std::string base = port.substr(0, at);
    for (size_t c = 0; c < t.names.size(); ++c)
      if (t.names[c] == base && frame < frames)
        t.rows[frame][c][bit / 64] |= uint64_t{1} << (bit % 64);
  }
  return t;
}

// Simulates both designs on `rows` and fills the differing output bits at `cycle` (B) against
// cycle - latency (A), and the trace of differing same-named nets. False when nothing differs.
bool describe_difference(const Netlist& a, const Netlist& b, int latency, Counterexample& cex) {
  cex.differing.clear();
  cex.trace.clear();
  const size_t cycles = cex.inputs.rows.size();
  if (cycles == 0 || cex.cycle >= cycles || static_cast<int>(cex.cycle) < latency) return false;
  Evaluator ea(a, 1), eb(b, 1);
  const size_t ta = cex.cycle - latency, tb = cex.cycle;
  std::vector<uint64_t> av, bv;  // values of all named single-bit nodes at the compared cycles
  auto apply = [&](Evaluator& e, const Netlist& nl, size_t t) {
    const auto& row = cex.inputs.rows[t];
    for (size_t i = 0; i < nl.inputs().size(); ++i) {
      const NodeId n = nl.inputs()[i];
      const size_t col = std::find(cex.inputs.names.begin(), cex.inputs.names.end(), nl.name(n)) -
                         cex.inputs.names.begin();
      for (uint32_t k = 0; k < port_width(nl, n); ++k)
        e.input(i, k)[0] = col < row.size() && ((row[col][k / 64] >> (k % 64)) & 1) ? 1 : 0;
    }
    e.eval();
  };
  const std::vector<size_t> out_b = match_ports(a, a.outputs(), b, b.outputs());
  for (size_t t = 0; t <= tb; ++t) {
    if (t <= ta) apply(ea, a, t);
    apply(eb, b, t);
    if (t == tb) {
      for (size_t i = 0; i < a.outputs().size(); ++i) {
        const size_t jb = out_b[i];
        if (jb >= b.outputs().size()) continue;
        for (uint32_t k = 0; k < port_width(a, a.outputs()[i]); ++k) {
          const bool x = ea.output(i, k)[0] & 1, y = eb.output(jb, k)[0] & 1;
          if (x != y) cex.differing.push_back({a.name(a.outputs()[i]), k, x, y});
        }
      }
      if (latency == 0) {
        // The first same-named nets that differ, by logic level of A.
        const Levels lv = levelize(a);
        std::unordered_map<std::string, NodeId> in_b;
        for (NodeId n = 0; n < b.num_nodes(); ++n)
          if (!b.name(n).empty() && num_output_bits(b.cell(n)) == 1) in_b.emplace(b.name(n), n);
        std::vector<std::pair<uint32_t, NodeId>> diffs;
        for (NodeId n = 0; n < a.num_nodes(); ++n) {
          if (a.name(n).empty() || num_output_bits(a.cell(n)) != 1 ||
              std::holds_alternative<Input>(a.cell(n)))
            continue;
          auto it = in_b.find(a.name(n));
          if (it == in_b.end()) continue;
          if ((ea.value({n, 0})[0] & 1) != (eb.value({it->second, 0})[0] & 1))
            diffs.emplace_back(lv.level[n], n);
        }
        std::sort(diffs.begin(), diffs.end());
        for (size_t i = 0; i < diffs.size() && i < 5; ++i)
          cex.trace.push_back({a.name(diffs[i].second), bool(ea.value({diffs[i].second, 0})[0] & 1),
                               !(ea.value({diffs[i].second, 0})[0] & 1)});
      }
    }
    if (t < ta) ea.step();
    if (t < tb) eb.step();
  }
  return !cex.differing.empty();
}

// Random sequences from the init state; B at t against A at t - latency. Fills cex on a difference.
bool sequential_search_once(const Netlist& a, const Netlist& b, int latency, const EquivParams& p,
                            uint64_t seed, Counterexample& cex);

// Several rounds with fresh densities: deep states need the right mix of held controls.
bool sequential_search(const Netlist& a, const Netlist& b, int latency, const EquivParams& p,
                       Counterexample& cex) {
  for (uint64_t round = 0; round < 3; ++round)
    if (sequential_search_once(a, b, latency, p, p.seed + 7 + 1000 * round, cex)) return true;
  return false;
}

bool sequential_search_once(const Netlist& a, const Netlist& b, int latency, const EquivParams& p,
                            uint64_t seed, Counterexample& cex) {
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

// Registers of B that did not match A's by name are paired with A's by their value sequences in
// random simulation from the init state: equal sequences pair directly, complementary ones with
// inverted polarity. The pairing is only a guess; the proof that follows checks it.
struct RegisterMatch {
  bool complete = false;
  std::unordered_map<NodeId, std::pair<std::string, bool>>
      b_rename;  // B register -> (A name, inverted)
};

RegisterMatch match_registers(const Netlist& a, const Netlist& b, const EquivParams& p) {
  RegisterMatch m;
  constexpr unsigned kWords = 16, kCycles = 256;
  Evaluator ea(a, kWords), eb(b, kWords);
  Stimulus stim(p.seed + 31, kWords, a.inputs().size());
  std::vector<uint64_t> ha(a.num_nodes(), 0x12345), hb(b.num_nodes(), 0x12345),
      hbn(b.num_nodes(), 0x12345);
  auto mix = [](uint64_t h, uint64_t w) { return (h ^ w) * 0x100000001b3ull + (h >> 29); };
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
    for (const auto& r : ea.program().registers)
      for (unsigned w = 0; w < kWords; ++w) ha[r.node] = mix(ha[r.node], ea.slot(r.state)[w]);
    for (const auto& r : eb.program().registers)
      for (unsigned w = 0; w < kWords; ++w) {
        hb[r.node] = mix(hb[r.node], eb.slot(r.state)[w]);
        hbn[r.node] = mix(hbn[r.node], ~eb.slot(r.state)[w]);
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
  m.complete = a_regs == b_regs && m.b_rename.size() == b_regs;
  return m;
}

// B with its registers renamed, and the inverted ones stored with the opposite polarity, so that
// every register holds the same value as its partner in A.
Netlist apply_register_match(const Netlist& b, const RegisterMatch& m) {
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
  return out;
}

}  // namespace

namespace {

// k-induction over signal correspondence. True when it decided: proved, or refuted with a
// counterexample that the evaluator reproduces; else `reason` says why not.
bool decide_by_induction(const Netlist& a, const Netlist& b, const EquivParams& p,
                         Clock::time_point deadline, EquivResult& res, std::string& reason) {
  InductionParams ip;
  ip.max_depth = p.induction_depth;
  ip.seed = p.seed;
  ip.conflict_limit = p.conflict_limit;
  if (p.time_limit > 0) ip.deadline = deadline;
  const InductionOutcome o = prove_by_induction(a, b, ip);
  res.sat_calls += o.stats.sat_calls;
  res.induction_depth = o.stats.depth;
  res.induction_candidates = o.stats.candidates;
  res.induction_classes = o.stats.classes;
  if (o.verdict == InductionOutcome::Verdict::Proved) {
    res.mode = EquivMode::Induction;
    res.status = EquivStatus::Equivalent;
    return true;
  }
  if (o.verdict == InductionOutcome::Verdict::Refuted) {
    Counterexample cex;
    cex.inputs = o.inputs;
    cex.cycle = o.inputs.rows.size() - 1;
    if (!describe_difference(a, b, 0, cex))
      throw std::logic_error("equivalence: an induction counterexample that does not reproduce");
    res.mode = EquivMode::Induction;
    res.status = EquivStatus::NotEquivalent;
    res.counterexample = std::move(cex);
    return true;
  }
  reason = o.reason;
  return false;
}

}  // namespace

EquivResult check_equivalence(const Netlist& a, const Netlist& b, const EquivParams& p) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(p.time_limit));
  EquivResult res;
  check_ports(a, b, p.ignore_ports);
  auto finish = [&](EquivResult& r) -> EquivResult {
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
  };

  const bool regs_a = has_registers(a), regs_b = has_registers(b);
  if (!regs_a && !regs_b) {
    res.mode = EquivMode::Combinational;
    CombProver prover(a, b, pairs_by_name(a, b), p, deadline, res);
    const CombOutcome o = prover.run();
    res.status = o.status;
    res.reason = o.reason;
    if (o.status == EquivStatus::NotEquivalent) {
      Counterexample cex;
      cex.inputs = input_table(a);
      std::vector<BitVector> row;
      size_t u = 0;
      for (NodeId n : a.inputs()) {
        BitVector v((port_width(a, n) + 63) / 64, 0);
        for (uint32_t k = 0; k < port_width(a, n); ++k, ++u)
          if (o.assignment[u]) v[k / 64] |= uint64_t{1} << (k % 64);
        row.push_back(std::move(v));
      }
      cex.inputs.rows.push_back(std::move(row));
      if (!describe_difference(a, b, 0, cex))
        throw std::logic_error("equivalence: a counterexample that does not reproduce");
      res.counterexample = std::move(cex);
    }
    return finish(res);
  }

  const auto names_a = register_names(a), names_b = register_names(b);
  bool correspond = regs_a && regs_b && names_a == names_b && unique_nonempty(names_a);
  std::optional<Netlist> matched_b;
  if (!correspond && regs_a && regs_b && unique_nonempty(names_a)) {
    const RegisterMatch m = match_registers(a, b, p);
    if (m.complete) {
      matched_b = apply_register_match(b, m);
      correspond = true;
    }
  }
  if (correspond) {
    const Netlist& b_cut = matched_b ? *matched_b : b;
    res.mode = EquivMode::RegisterCorrespondence;
    bool inits_equal = true;
    std::unordered_map<std::string, bool> init_b;
    for (NodeId n = 0; n < b_cut.num_nodes(); ++n)
      if (const auto* d = std::get_if<Dff>(&b_cut.cell(n))) init_b[b_cut.name(n)] = d->init;
    for (NodeId n = 0; n < a.num_nodes(); ++n)
      if (const auto* d = std::get_if<Dff>(&a.cell(n)))
        inits_equal = inits_equal && init_b[a.name(n)] == d->init;
    const Netlist ca = cut_registers(a), cb = cut_registers(b_cut);
    CombProver prover(ca, cb, pairs_by_name(ca, cb), p, deadline, res);
    const CombOutcome o = prover.run();
    if (o.status == EquivStatus::Equivalent && inits_equal) {
      res.status = EquivStatus::Equivalent;
      return finish(res);
    }
    if (o.status == EquivStatus::Undecided) {
      res.status = EquivStatus::Undecided;
      res.reason = o.reason;
      return finish(res);
    }
    // A difference from some state, or different init values: look for one reachable from reset.
    Counterexample cex;
    if (sequential_search(a, b, 0, p, cex) && describe_difference(a, b, 0, cex)) {
      res.status = EquivStatus::NotEquivalent;
      res.counterexample = std::move(cex);
      return finish(res);
    }
    const unsigned depth = p.bmc_depth;
    const Netlist ua = unroll(a, depth), ub = unroll(b, depth);
    EquivResult scratch;
    CombProver bmc(ua, ub, pairs_by_name(ua, ub), p, deadline, scratch);
    const CombOutcome ob = bmc.run();
    if (ob.status == EquivStatus::NotEquivalent) {
      cex = Counterexample{};
      cex.inputs = rows_from_unrolled(a, bmc.unified(), ob.assignment, depth);
      for (size_t t = 0; t < depth; ++t) {
        cex.cycle = t;
        if (describe_difference(a, b, 0, cex)) {
          cex.inputs.rows.resize(t + 1);
          res.status = EquivStatus::NotEquivalent;
          res.counterexample = std::move(cex);
          return finish(res);
        }
      }
    }
    std::string why;
    if (decide_by_induction(a, b, p, deadline, res, why)) return finish(res);
    res.status = EquivStatus::Undecided;
    res.reason =
        (inits_equal
             ? "the next-state functions differ only from register states that random simulation "
               "and a " +
                   std::to_string(depth) + "-cycle bounded check did not reach"
             : "the register init values differ, but no difference reached an output within " +
                   std::to_string(depth) + " cycles") +
        "; " + why;
    return finish(res);
  }

  // Registers that do not correspond: compare over the latency, for designs without feedback.
  const Levels la = levelize(a), lb = levelize(b);
  if (la.has_feedback || lb.has_feedback) {
    const int latency = std::max(p.latency, 0);
    res.mode = latency == 0 ? EquivMode::Induction : EquivMode::Bounded;
    res.latency = latency;
    Counterexample cex;
    std::string why;
    if (sequential_search(a, b, latency, p, cex) && describe_difference(a, b, latency, cex)) {
      res.status = EquivStatus::NotEquivalent;
      res.counterexample = std::move(cex);
    } else if (latency == 0 && decide_by_induction(a, b, p, deadline, res, why)) {
      return finish(res);
    } else if (latency == 0) {
      res.status = EquivStatus::Undecided;
      res.reason = "the registers do not correspond by name and a design has feedback; " + why;
    } else {
      res.status = EquivStatus::Undecided;
      res.reason =
          "the registers do not correspond by name and a design has feedback; random simulation "
          "found no difference";
    }
    return finish(res);
  }
  res.mode = EquivMode::Latency;
  int latency = p.latency;
  if (latency < 0) latency = find_latency(a, b, p);
  if (latency < 0)
    latency = std::max(0, static_cast<int>(lb.num_stages) - static_cast<int>(la.num_stages));
  res.latency = latency;
  const unsigned t0 = std::max<int>(la.num_stages, static_cast<int>(lb.num_stages) - latency);
  const Netlist ua = unroll(a, t0 + 1), ub = unroll(b, t0 + latency + 1);
  std::vector<std::pair<size_t, size_t>> pairs =
      pairs_by_name(ua, ub, "@" + std::to_string(t0), "@" + std::to_string(t0 + latency));
  CombProver prover(ua, ub, pairs, p, deadline, res);
  const CombOutcome o = prover.run();
  res.status = o.status;
  res.reason = o.reason;
  if (o.status == EquivStatus::NotEquivalent) {
    Counterexample cex;
    cex.cycle = t0 + latency;
    cex.inputs = rows_from_unrolled(a, prover.unified(), o.assignment, t0 + latency + 1);
    if (!describe_difference(a, b, latency, cex))
      throw std::logic_error("equivalence: a latency counterexample that does not reproduce");
    res.counterexample = std::move(cex);
  }
  return finish(res);
}

}  // namespace lutforge
