#include "equiv/equiv.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "base/error.hpp"
#include "equiv/comb.hpp"
#include "equiv/counterexample.hpp"
#include "equiv/induction.hpp"
#include "equiv/sequential.hpp"
#include "equiv/stimulus.hpp"
#include "netlist/levels.hpp"
#include "netlist/passes.hpp"

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

// Port matching.

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
  std::unordered_map<NodeId, size_t> place;  // b's output node -> its index
  for (size_t j = 0; j < b.outputs().size(); ++j) place.emplace(b.outputs()[j], j);
  for (size_t i = 0; i < a.outputs().size(); ++i) {
    std::string name = a.name(a.outputs()[i]);
    if (!suffix_a.empty()) {
      if (name.size() < suffix_a.size() ||
          name.compare(name.size() - suffix_a.size(), suffix_a.size(), suffix_a) != 0)
        continue;
      name = name.substr(0, name.size() - suffix_a.size()) + suffix_b;
    }
    if (const auto it = place.find(b.find_port(name)); it != place.end())
      pairs.emplace_back(i, it->second);
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

// The designs with registers: register correspondence, else k-induction or a comparison over
// the latency. `a` and `b` reach an output with every cell (sweep).
void check_sequential(const Netlist& a, const Netlist& b, const EquivParams& p,
                      Clock::time_point deadline, EquivResult& res) {
  const bool regs_a = has_registers(a), regs_b = has_registers(b);
  const auto names_a = register_names(a), names_b = register_names(b);
  bool correspond = regs_a && regs_b && names_a == names_b && unique_nonempty(names_a);
  std::optional<Netlist> matched_b, merged_a;
  if (!correspond && regs_a && regs_b && unique_nonempty(names_a)) {
    const RegisterMatch m = match_registers(a, b, p);
    if (m.complete) {
      matched_b = apply_register_match(b, m, a);
      if (!m.a_merge.empty() || !m.a_constant.empty()) merged_a = merge_duplicates(a, m);
      correspond = true;
    }
  }
  if (correspond) {
    const Netlist& b_cut = matched_b ? *matched_b : b;
    const Netlist& a_cut = merged_a ? *merged_a : a;
    res.mode = EquivMode::RegisterCorrespondence;
    bool inits_equal = true;
    std::unordered_map<std::string, bool> init_b;
    for (NodeId n = 0; n < b_cut.num_nodes(); ++n)
      if (const auto* d = std::get_if<Dff>(&b_cut.cell(n))) init_b[b_cut.name(n)] = d->init;
    for (NodeId n = 0; n < a.num_nodes(); ++n)
      if (const auto* d = std::get_if<Dff>(&a.cell(n)))
        inits_equal = inits_equal && init_b[a.name(n)] == d->init;
    const Netlist ca = cut_registers(a_cut), cb = cut_registers(b_cut);
    const CombOutcome o = prove_combinational(ca, cb, pairs_by_name(ca, cb), p, deadline, res);
    if (o.status == EquivStatus::Equivalent && inits_equal) {
      res.status = EquivStatus::Equivalent;
      return;
    }
    if (o.status == EquivStatus::Undecided) {
      res.status = EquivStatus::Undecided;
      res.reason = o.reason;
      return;
    }
    // A difference from some state, or different init values: look for one reachable from reset.
    Counterexample cex;
    if (sequential_search(a, b, 0, p, cex) && describe_difference(a, b, 0, cex)) {
      res.status = EquivStatus::NotEquivalent;
      res.counterexample = std::move(cex);
      return;
    }
    const unsigned depth = p.bmc_depth;
    const Netlist ua = unroll(a, depth), ub = unroll(b, depth);
    EquivResult scratch;
    const CombOutcome ob = prove_combinational(ua, ub, pairs_by_name(ua, ub), p, deadline, scratch);
    if (ob.status == EquivStatus::NotEquivalent) {
      cex = Counterexample{};
      cex.inputs = rows_from_unrolled(a, ob.unified, ob.assignment, depth);
      for (size_t t = 0; t < depth; ++t) {
        cex.cycle = t;
        if (describe_difference(a, b, 0, cex)) {
          cex.inputs.rows.resize(t + 1);
          res.status = EquivStatus::NotEquivalent;
          res.counterexample = std::move(cex);
          return;
        }
      }
    }
    std::string why;
    if (decide_by_induction(a, b, p, deadline, res, why)) return;
    res.status = EquivStatus::Undecided;
    res.reason =
        (inits_equal
             ? "the next-state functions differ only from register states that random simulation "
               "and a " +
                   std::to_string(depth) + "-cycle bounded check did not reach"
             : "the register init values differ, but no difference reached an output within " +
                   std::to_string(depth) + " cycles") +
        "; " + why;
    return;
  }

  // Registers that do not correspond: compare over the latency, for designs without feedback.
  const Levels la = levelize(a), lb = levelize(b);
  if (la.has_feedback || lb.has_feedback) {
    const int latency = std::max(p.latency, 0);
    res.mode = latency == 0 ? EquivMode::Induction : EquivMode::Bounded;
    res.latency = latency;
    Counterexample cex;
    if (sequential_search(a, b, latency, p, cex) && describe_difference(a, b, latency, cex)) {
      res.status = EquivStatus::NotEquivalent;
      res.counterexample = std::move(cex);
      return;
    }
    std::string why = "random simulation found no difference";  // all that runs with a latency
    if (latency == 0 && decide_by_induction(a, b, p, deadline, res, why)) return;
    res.status = EquivStatus::Undecided;
    res.reason = "the registers do not correspond by name and a design has feedback; " + why;
    return;
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
  const CombOutcome o = prove_combinational(ua, ub, pairs, p, deadline, res);
  res.status = o.status;
  res.reason = o.reason;
  if (o.status == EquivStatus::NotEquivalent) {
    Counterexample cex;
    cex.cycle = t0 + latency;
    cex.inputs = rows_from_unrolled(a, o.unified, o.assignment, t0 + latency + 1);
    if (!describe_difference(a, b, latency, cex))
      throw std::logic_error("equivalence: a latency counterexample that does not reproduce");
    res.counterexample = std::move(cex);
  }
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
    const CombOutcome o = prove_combinational(a, b, pairs_by_name(a, b), p, deadline, res);
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

  // Registers that no output reads take no part: synthesis removes them (the input registers of
  // pixels that a pruned network no longer reads), and the registers then correspond again.
  check_sequential(sweep(a), sweep(b), p, deadline, res);
  return finish(res);
}

}  // namespace lutforge
