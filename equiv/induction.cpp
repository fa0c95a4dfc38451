#include "equiv/induction.hpp"

#include <algorithm>
#include <unordered_map>

#include "equiv/cnf.hpp"
#include "equiv/stimulus.hpp"
#include "netlist/eval.hpp"

namespace lutforge {
namespace {

using Clock = std::chrono::steady_clock;

// A net of one design: side 0 is A, side 1 is B. Within a class, value ^ pol is the same for every
// member in every reachable state.
struct Member {
  uint8_t side;
  uint32_t slot;
  bool pol;
};
using Class = std::vector<Member>;  // the first member is the representative

uint64_t key_of(uint8_t side, uint32_t slot) { return (uint64_t{side} << 32) | slot; }

// An input port of the product machine: A's port, B's same-named port, or one of them alone.
struct Port {
  int a = -1, b = -1;
  uint32_t width = 0;
  std::string name;
};

// Both designs unrolled over some cycles in one solver, from the init state or from any state.
struct Frames {
  Cnf cnf;
  std::vector<std::vector<int>> slots[2];         // [side][cycle][slot]: literal
  std::vector<std::vector<std::vector<int>>> in;  // [cycle][port][bit]: literal
};

enum class Check { Holds, Split, Refuted, Unknown };

class Induction {
 public:
  Induction(const Netlist& a, const Netlist& b, const InductionParams& p) : p_(p) {
    CompileParams cp;
    cp.reuse_temporaries = false;  // every instruction its own slot, as the encoding needs
    prog_[0] = compile(a, cp);
    prog_[1] = compile(b, cp);
    const std::vector<size_t> in_b = match_ports(a, a.inputs(), b, b.inputs());
    std::vector<char> b_matched(b.inputs().size(), 0);
    for (size_t i = 0; i < a.inputs().size(); ++i) {
      Port port{static_cast<int>(i), -1, port_width(a, a.inputs()[i]), a.name(a.inputs()[i])};
      if (in_b[i] < b.inputs().size()) {
        port.b = static_cast<int>(in_b[i]);
        b_matched[in_b[i]] = 1;
      }
      ports_.push_back(port);
    }
    for (size_t j = 0; j < b.inputs().size(); ++j)
      if (!b_matched[j])
        ports_.push_back(
            {-1, static_cast<int>(j), port_width(b, b.inputs()[j]), b.name(b.inputs()[j])});
    const std::vector<size_t> out_b = match_ports(a, a.outputs(), b, b.outputs());
    for (size_t i = 0; i < a.outputs().size(); ++i) {
      if (out_b[i] >= b.outputs().size()) continue;
      for (uint32_t k = 0; k < port_width(a, a.outputs()[i]); ++k)
        outputs_.push_back({prog_[0].output_slots[i][k], prog_[1].output_slots[out_b[i]][k],
                            a.name(a.outputs()[i]), k});
    }
    for (uint8_t side = 0; side < 2; ++side) {
      const Netlist& nl = side ? b : a;
      std::vector<char> seen(prog_[side].num_slots, 0);
      for (NodeId n = 0; n < nl.num_nodes(); ++n)
        for (uint32_t x : prog_[side].signal_slots[n])
          if (x != Program::kZero && x != Program::kOne && !seen[x]) {
            seen[x] = 1;
            nets_.push_back({side, x, false});
          }
    }
  }

  InductionOutcome run() {
    InductionOutcome out;
    const std::vector<Class> proposed = simulate();
    for (const Class& c : proposed) out.stats.candidates += c.size();
    // Depths 1, 2, 4, ...: each attempt starts again from the simulated classes, and deep
    // attempts are rarely needed.
    for (unsigned k = 1; k <= p_.max_depth;
         k = k < p_.max_depth ? std::min(2 * k, p_.max_depth) : k + 1) {
      out.stats.depth = k;
      classes_ = proposed;
      Check c = base(k, out);
      if (c == Check::Refuted) {
        out.verdict = InductionOutcome::Verdict::Refuted;
        break;
      }
      if (c == Check::Holds) c = step(k, out);
      out.stats.classes = classes_.size();
      if (c == Check::Unknown) {
        if (timed_out())
          out.reason = "time limit reached in the induction";
        else if (calls_ >= p_.max_sat_calls)
          out.reason = "the induction reached its limit of " + std::to_string(p_.max_sat_calls) +
                       " SAT calls";
        else
          out.reason = "SAT conflict limit (" + std::to_string(p_.conflict_limit) +
                       ") reached in the induction at depth " + std::to_string(k);
        break;
      }
      const std::string unproved = first_unproved_output();
      if (unproved.empty()) {
        out.verdict = InductionOutcome::Verdict::Proved;
        break;
      }
      out.reason = unproved + " is not proved by induction up to depth " + std::to_string(k) +
                   " over " + std::to_string(out.stats.candidates) + " candidate nets";
    }
    out.stats.sat_calls = calls_;
    return out;
  }

 private:
  struct OutBit {
    uint32_t a, b;  // slots
    std::string port;
    uint32_t bit;
  };

  bool timed_out() const { return p_.deadline && Clock::now() > *p_.deadline; }

  // Candidate classes from random simulation of both designs from the init state: nets whose value
  // sequences are equal up to complement share a class, and the constant is a member, so nets
  // that never change join it.
  std::vector<Class> simulate() {
    const unsigned words = std::max(1u, p_.sim_words);
    Evaluator ev0(prog_[0], words), ev1(prog_[1], words);
    Evaluator* ev[2] = {&ev0, &ev1};
    Stimulus stim(p_.seed, words, ports_.size());
    std::vector<Member> cands{{0, Program::kZero, false}};
    cands.insert(cands.end(), nets_.begin(), nets_.end());
    std::vector<uint64_t> hash(cands.size(), 0x9e3779b97f4a7c15ull);
    for (unsigned t = 0; t < std::max(1u, p_.sim_cycles); ++t) {
      for (size_t u = 0; u < ports_.size(); ++u)
        for (uint32_t k = 0; k < ports_[u].width; ++k)
          for (unsigned w = 0; w < words; ++w) {
            const uint64_t v = stim.word(w, u);
            if (ports_[u].a >= 0) ev0.input(ports_[u].a, k)[w] = v;
            if (ports_[u].b >= 0) ev1.input(ports_[u].b, k)[w] = v;
          }
      ev0.eval();
      ev1.eval();
      for (size_t c = 0; c < cands.size(); ++c) {
        const uint64_t* x = ev[cands[c].side]->slot(cands[c].slot);
        if (t == 0) cands[c].pol = x[0] & 1;  // the polarity that makes lane 0 start at 0
        const uint64_t flip = cands[c].pol ? ~uint64_t{0} : 0;
        uint64_t h = hash[c];
        for (unsigned w = 0; w < words; ++w) {
          h = (h ^ (x[w] ^ flip)) * 0x100000001b3ull;
          h ^= h >> 29;
        }
        hash[c] = h;
      }
      ev0.step();
      ev1.step();
    }
    std::unordered_map<uint64_t, size_t> by_hash;
    std::vector<Class> classes;
    for (size_t c = 0; c < cands.size(); ++c) {
      auto [it, inserted] = by_hash.try_emplace(hash[c], classes.size());
      if (inserted) classes.emplace_back();
      classes[it->second].push_back(cands[c]);
    }
    classes.erase(
        std::remove_if(classes.begin(), classes.end(), [](const Class& c) { return c.size() < 2; }),
        classes.end());
    return classes;
  }

  // Adds one cycle of both designs: fresh inputs, and registers at their init value (cycle 0 from
  // reset), free (cycle 0 from any state) or at the previous cycle's next state.
  void add_cycle(Frames& f, bool from_init) const {
    const size_t t = f.in.size();
    f.in.emplace_back();
    std::vector<int> slots[2] = {std::vector<int>(prog_[0].num_slots, 0),
                                 std::vector<int>(prog_[1].num_slots, 0)};
    for (const Port& port : ports_) {
      std::vector<int> bits;
      for (uint32_t k = 0; k < port.width; ++k) {
        const int v = f.cnf.new_var();
        bits.push_back(v);
        if (port.a >= 0) slots[0][prog_[0].input_slots[port.a][k]] = v;
        if (port.b >= 0) slots[1][prog_[1].input_slots[port.b][k]] = v;
      }
      f.in.back().push_back(std::move(bits));
    }
    for (int side = 0; side < 2; ++side) {
      for (const Program::Register& r : prog_[side].registers) {
        int& s = slots[side][r.state];
        if (t > 0)
          s = f.slots[side][t - 1][r.staging];
        else if (from_init)
          s = r.init ? -f.cnf.false_lit() : f.cnf.false_lit();
        else
          s = f.cnf.new_var();
      }
      encode_cycle(f.cnf, prog_[side], slots[side]);
      f.slots[side].push_back(std::move(slots[side]));
    }
  }

  static int lit(const Frames& f, const Member& m, size_t t) {
    const int l = f.slots[m.side][t][m.slot];
    return m.pol ? -l : l;
  }

  // Literals that are true when a member differs from its representative in cycle t.
  std::vector<int> differences(Frames& f, size_t t) const {
    std::vector<int> d;
    for (const Class& c : classes_)
      for (size_t i = 1; i < c.size(); ++i) {
        const int x = lit(f, c[0], t), y = lit(f, c[i], t);
        if (x != y) d.push_back(f.cnf.gate(Program::Op::Xor, x, y));
      }
    return d;
  }

  // Splits every class by its members' values in the cycles `cycles` of the last assignment.
  void refine(const Frames& f, size_t first, size_t last) {
    std::vector<Class> next;
    for (const Class& c : classes_) {
      std::vector<std::pair<std::vector<bool>, Class>> groups;
      for (const Member& m : c) {
        std::vector<bool> key;
        for (size_t t = first; t <= last; ++t) key.push_back(f.cnf.value(lit(f, m, t)));
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == key; });
        if (it == groups.end()) {
          groups.push_back({key, {}});
          it = groups.end() - 1;
        }
        it->second.push_back(m);
      }
      for (auto& g : groups)
        if (g.second.size() >= 2) next.push_back(std::move(g.second));
    }
    classes_ = std::move(next);
  }

  SatResult solve(Frames& f, const std::vector<int>& assumptions) {
    if (timed_out() || calls_ >= p_.max_sat_calls) return SatResult::Unknown;
    ++calls_;
    f.cnf.set_deadline(p_.deadline);
    return f.cnf.solve(assumptions, p_.conflict_limit);
  }

  // Base: the candidates hold in cycles 0..k-1 of every run from the init state. An assignment in
  // which a compared output differs is a real trace: it refutes the pair.
  Check base(unsigned k, InductionOutcome& out) {
    Frames f;
    for (unsigned t = 0; t < k; ++t) add_cycle(f, true);
    for (;;) {
      std::vector<int> d;
      for (unsigned t = 0; t < k; ++t) {
        const auto dt = differences(f, t);
        d.insert(d.end(), dt.begin(), dt.end());
      }
      if (d.empty()) return Check::Holds;
      const int sel = f.cnf.new_var();
      d.insert(d.begin(), -sel);
      f.cnf.add(d);
      const SatResult r = solve(f, {sel});
      if (r == SatResult::Unsatisfiable) return Check::Holds;
      if (r == SatResult::Unknown) return Check::Unknown;
      for (unsigned t = 0; t < k; ++t)
        for (const OutBit& o : outputs_)
          if (f.cnf.value(slot_lit(f, 0, o.a, t)) != f.cnf.value(slot_lit(f, 1, o.b, t))) {
            out.inputs = trace(f, t);
            return Check::Refuted;
          }
      refine(f, 0, k - 1);
      ++out.stats.refinements;
      f.cnf.add({-sel});
    }
  }

  // Step: k cycles from any state in which every candidate holds imply that they hold in cycle k.
  Check step(unsigned k, InductionOutcome& out) {
    Frames f;
    for (unsigned t = 0; t <= k; ++t) add_cycle(f, false);
    simple_path(f);
    for (;;) {
      const int act = f.cnf.new_var();  // the hypothesis for this set of classes
      for (const Class& c : classes_)
        for (size_t i = 1; i < c.size(); ++i)
          for (unsigned t = 0; t < k; ++t) {
            const int x = lit(f, c[0], t), y = lit(f, c[i], t);
            if (x == y) continue;
            f.cnf.add({-act, -x, y});
            f.cnf.add({-act, x, -y});
          }
      std::vector<int> d = differences(f, k);
      if (d.empty()) return Check::Holds;
      const int sel = f.cnf.new_var();
      d.insert(d.begin(), -sel);
      f.cnf.add(d);
      const SatResult r = solve(f, {act, sel});
      if (r == SatResult::Unsatisfiable) return Check::Holds;
      if (r == SatResult::Unknown) return Check::Unknown;
      refine(f, k, k);
      ++out.stats.refinements;
      f.cnf.add({-act});
      f.cnf.add({-sel});
    }
  }

  // Simple-path strengthening: the register states of the cycles are pairwise different. A path
  // from reset to the first violation can be shortened until no state repeats, so this excludes
  // only paths that a shorter one covers, and the loops of unreachable states that never violate
  // a candidate (such as a state machine's unused codes held by a disabled enable) cannot satisfy
  // the step however large k is.
  void simple_path(Frames& f) const {
    const size_t frames = f.in.size();
    const size_t regs = prog_[0].registers.size() + prog_[1].registers.size();
    if (regs * frames * (frames - 1) / 2 > p_.max_simple_path_xors) return;
    for (size_t i = 0; i < frames; ++i)
      for (size_t j = i + 1; j < frames; ++j) {
        std::vector<int> differ;
        for (int side = 0; side < 2; ++side)
          for (const Program::Register& r : prog_[side].registers) {
            const int x = f.slots[side][i][r.state], y = f.slots[side][j][r.state];
            if (x != y) differ.push_back(f.cnf.gate(Program::Op::Xor, x, y));
          }
        f.cnf.add(differ);  // empty when neither design has a register: unsatisfiable, as it should
      }
  }

  static int slot_lit(const Frames& f, int side, uint32_t slot, size_t t) {
    return f.slots[side][t][slot];
  }

  // The input rows of cycles 0..last of the last assignment.
  VectorTable trace(const Frames& f, size_t last) const {
    VectorTable table;
    for (const Port& port : ports_) {
      table.names.push_back(port.name);
      table.widths.push_back(port.width);
    }
    for (size_t t = 0; t <= last; ++t) {
      std::vector<BitVector> row;
      for (size_t u = 0; u < ports_.size(); ++u) {
        BitVector v((ports_[u].width + 63) / 64, 0);
        for (uint32_t k = 0; k < ports_[u].width; ++k)
          if (f.cnf.value(f.in[t][u][k])) v[k / 64] |= uint64_t{1} << (k % 64);
        row.push_back(std::move(v));
      }
      table.rows.push_back(std::move(row));
    }
    return table;
  }

  // "output 'q' bit 3" for the first compared output bit whose two sides are not in one class
  // with one polarity; empty when every one is.
  std::string first_unproved_output() const {
    std::unordered_map<uint64_t, std::pair<size_t, bool>> where;
    for (size_t c = 0; c < classes_.size(); ++c)
      for (const Member& m : classes_[c]) where[key_of(m.side, m.slot)] = {c, m.pol};
    auto find = [&](uint8_t side, uint32_t slot) -> std::optional<std::pair<size_t, bool>> {
      const bool one = slot == Program::kOne;
      if (slot == Program::kZero || one) {
        side = 0;
        slot = Program::kZero;
      }
      auto it = where.find(key_of(side, slot));
      if (it == where.end()) return std::nullopt;
      return std::make_pair(it->second.first, it->second.second != one);
    };
    for (const OutBit& o : outputs_) {
      const auto x = find(0, o.a), y = find(1, o.b);
      const bool same_constant = (o.a < 2 && o.b < 2 && o.a == o.b);
      if (!same_constant && (!x || !y || *x != *y))
        return "output '" + o.port + "' bit " + std::to_string(o.bit);
    }
    return {};
  }

  const InductionParams& p_;
  Program prog_[2];
  std::vector<Port> ports_;
  std::vector<OutBit> outputs_;
  std::vector<Member> nets_;
  std::vector<Class> classes_;
  size_t calls_ = 0;
};

}  // namespace

InductionOutcome prove_by_induction(const Netlist& a, const Netlist& b,
                                    const InductionParams& params) {
  return Induction(a, b, params).run();
}

}  // namespace lutforge
