#include "equiv/comb.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <unordered_map>

#include "equiv/cnf.hpp"
#include "equiv/cuts.hpp"
#include "netlist/eval.hpp"
#include "netlist/levels.hpp"
#include "netlist/truth_table.hpp"

namespace lutforge {
namespace {

using Clock = std::chrono::steady_clock;

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
    a_port_of_.assign(a.num_nodes(), 0);
    for (uint32_t i = 0; i < a.inputs().size(); ++i) a_port_of_[a.inputs()[i]] = i;
    b_port_of_.assign(b.num_nodes(), 0);
    for (uint32_t i = 0; i < b.inputs().size(); ++i) b_port_of_[b.inputs()[i]] = i;
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

  // A netlist of the cone of `outs` alone, whose outputs are `outs` and whose inputs are one
  // 1-bit port per bit of `support` (unified input bits, sorted), which holds every input bit
  // the cone reads. Costs the cone's size, not the design's: a cut design has an input per
  // register, and is enumerated cone by cone.
  static Netlist cone(const Netlist& nl, const Levels& lv, const std::vector<size_t>& port_base,
                      const std::vector<uint32_t>& port_of, const std::vector<Signal>& outs,
                      const std::vector<uint32_t>& support) {
    std::unordered_map<NodeId, std::vector<Signal>> map;
    std::vector<NodeId> cells, stack;
    Netlist c;
    for (uint32_t j = 0; j < support.size(); ++j) c.add_input("s" + std::to_string(j), 1);
    for (const Signal& s : outs) stack.push_back(s.node);
    while (!stack.empty()) {
      const NodeId n = stack.back();
      stack.pop_back();
      if (!map.try_emplace(n).second) continue;
      if (!std::holds_alternative<Input>(nl.cell(n))) {
        cells.push_back(n);
        for (const Signal& s : nl.fanin(n)) stack.push_back(s.node);
        continue;
      }
      const uint32_t port = port_of[n];
      for (uint32_t k = 0; k < port_width(nl, n); ++k) {
        const auto it = std::lower_bound(support.begin(), support.end(), port_base[port] + k);
        // A bit outside the support is not read: the support is the union of the cones'.
        map[n].push_back(it != support.end() && *it == port_base[port] + k
                             ? Signal{c.inputs()[it - support.begin()], 0}
                             : c.constant(false));
      }
    }
    std::sort(cells.begin(), cells.end(), [&](NodeId x, NodeId y) {
      return std::pair(lv.level[x], x) < std::pair(lv.level[y], y);
    });
    for (NodeId n : cells) {
      std::vector<Signal> f;
      for (const Signal& s : nl.fanin(n)) f.push_back(map.at(s.node)[s.bit]);
      const NodeId m = c.add_cell(nl.cell(n), f);
      for (uint32_t k = 0; k < num_output_bits(nl.cell(n)); ++k) map[n].push_back({m, k});
    }
    for (size_t i = 0; i < outs.size(); ++i)
      c.add_output("o" + std::to_string(i), {map.at(outs[i].node)[outs[i].bit]});
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
    const Netlist ca = cone(a_, levels_a_, a_port_base_, a_port_of_, oa, support),
                  cb = cone(b_, levels_b_, b_port_base_, b_port_of_, ob, support);
    const unsigned m = static_cast<unsigned>(support.size());
    const unsigned words = m <= 6 ? 1 : std::min(64u, 1u << std::min(6u, m - 6));
    Evaluator ea(ca, words), eb(cb, words);
    const unsigned lane_bits = 6 + __builtin_ctz(words);
    const uint64_t rounds = m <= lane_bits ? 1 : uint64_t{1} << (m - lane_bits);
    const uint64_t valid = used_bits(m);
    for (uint64_t round = 0; round < rounds; ++round) {
      for (unsigned j = 0; j < m; ++j)
        for (unsigned w = 0; w < words; ++w) {
          const uint64_t v = j < lane_bits                      ? projection_word(j, w)
                             : ((round >> (j - lane_bits)) & 1) ? ~uint64_t{0}
                                                                : 0;
          ea.input(j, 0)[w] = v;
          eb.input(j, 0)[w] = v;
        }
      ea.eval();
      eb.eval();
      for (size_t i = 0; i < members.size(); ++i) {
        const uint64_t* x = ea.output(i, 0);
        const uint64_t* y = eb.output(i, 0);
        for (unsigned w = 0; w < words; ++w) {
          const uint64_t diff = (x[w] ^ y[w]) & valid;
          if (!diff) continue;
          const unsigned lane = static_cast<unsigned>(__builtin_ctzll(diff));
          r.status = EquivStatus::NotEquivalent;
          r.assignment.assign(unified_.size(), false);
          for (unsigned j = 0; j < m; ++j)
            r.assignment[support[j]] = (ea.input(j, 0)[w] >> lane) & 1;
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
  // The signatures' random patterns: a stream of their own, apart from random simulation's.
  static constexpr uint64_t kSignatureSeedOffset = 99;
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
    if (p_.time_limit > 0) cnf_->set_deadline(deadline_);
    const0_ = cnf_->false_lit();
    mark_shared(const0_);
    std::vector<int>& input_var = input_var_;
    input_var.assign(unified_.size(), 0);
    Side A, B;
    prepare(A, a_, a_port_base_, input_var);
    prepare(B, b_, b_port_base_, input_var);
    for (int v : input_var)
      if (v) mark_shared(v);
    std::mt19937_64 rng(p_.seed + kSignatureSeedOffset);
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
      // A's candidates include the steps inside its cells: synthesis turns an adder's carries,
      // or a multiplier's partial sums, into nets of B (CARRY4 outputs, LUTs), and a merge there
      // keeps the SAT calls above it small. Without them, each higher bit of an accumulator
      // took about twice as long as the one below.
      for (uint32_t x : ca)  // each slot once: a_seen keeps it out of later cones
        if (A.def[x] >= 0) a_by_sig[sig_key(A, x)].push_back(x);
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
          if (equal_by_cut(*cnf_, shared_, vx, complement ? -vy : vy)) {
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
      const std::string where =
          " on output '" + a_.name(a_.outputs()[o.a_port]) + "' bit " + std::to_string(o.bit);
      r.reason = timed_out() ? "time limit reached" + where
                             : "SAT conflict limit (" + std::to_string(p_.conflict_limit) +
                                   ") reached" + where;
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
  std::vector<uint32_t> a_port_of_, b_port_of_;  // each input node's index among the inputs
  std::vector<OutBit> bits_;
  std::unique_ptr<Cnf> cnf_;
  std::vector<char> shared_;    // by variable
  std::vector<int> input_var_;  // by unified input bit
  std::vector<bool> model_;     // input bits of the last satisfying assignment
  int const0_ = 0;
};

}  // namespace

CombOutcome prove_combinational(const Netlist& a, const Netlist& b,
                                std::vector<std::pair<size_t, size_t>> outputs,
                                const EquivParams& p,
                                std::chrono::steady_clock::time_point deadline,
                                EquivResult& stats) {
  CombProver prover(a, b, std::move(outputs), p, deadline, stats);
  CombOutcome o = prover.run();
  o.unified = prover.unified();
  return o;
}

}  // namespace lutforge
