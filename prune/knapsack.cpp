#include "prune/knapsack.hpp"

#include <Cbc_C_Interface.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>

#include "base/error.hpp"

namespace lutforge::prune {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The value and the costs of `keep`.
void tally(const KnapsackProblem& p, KnapsackResult& r) {
  r.value = 0;
  for (size_t i = 0; i < p.items.size(); ++i)
    if (r.keep[i]) r.value += p.items[i].value;
  r.used = cost_of(p, r.keep);
}

// grouped[k][i]: item i's cost of resource k is its group's.
std::vector<std::vector<bool>> grouped(const KnapsackProblem& p) {
  std::vector<std::vector<bool>> g(p.budget.size(), std::vector<bool>(p.items.size(), false));
  for (const KnapsackGroup& group : p.groups)
    for (int i : group.items) g[group.resource][static_cast<size_t>(i)] = true;
  return g;
}

void no_groups(const KnapsackProblem& p, const char* solver) {
  if (!p.groups.empty())
    throw Error(std::string("knapsack: the ") + solver + " takes no groups of items");
}

}  // namespace

size_t units(const KnapsackGroup& g, size_t kept) { return (kept + g.per - 1) / g.per; }

std::vector<double> cost_of(const KnapsackProblem& p, const std::vector<bool>& keep) {
  const std::vector<std::vector<bool>> in_group = grouped(p);
  std::vector<double> used(p.budget.size(), 0.0);
  for (size_t i = 0; i < p.items.size(); ++i)
    if (keep[i])
      for (size_t k = 0; k < p.budget.size(); ++k)
        if (!in_group[k][i]) used[k] += p.items[i].cost[k];
  for (const KnapsackGroup& g : p.groups) {
    size_t kept = 0;
    for (int i : g.items) kept += keep[static_cast<size_t>(i)];
    used[g.resource] += g.unit * static_cast<double>(units(g, kept));
  }
  return used;
}

KnapsackSolver parse_solver(const std::string& name, const std::string& what) {
  if (name == "cbc") return KnapsackSolver::Cbc;
  if (name == "dp") return KnapsackSolver::Dp;
  if (name == "greedy") return KnapsackSolver::Greedy;
  throw Error(what + ": unknown solver '" + name + "' (expected cbc, dp or greedy)");
}

std::string solver_name(KnapsackSolver s) {
  switch (s) {
    case KnapsackSolver::Cbc: return "cbc";
    case KnapsackSolver::Dp: return "dp";
    case KnapsackSolver::Greedy: return "greedy";
  }
  return "?";
}

void validate(const KnapsackProblem& p, const std::string& what) {
  for (size_t k = 0; k < p.budget.size(); ++k)
    if (!(p.budget[k] >= 0))
      throw Error(what + ": resource " + std::to_string(k) + " has a negative budget");
  for (size_t i = 0; i < p.items.size(); ++i) {
    const KnapsackItem& it = p.items[i];
    if (it.cost.size() != p.budget.size())
      throw Error(what + ": item " + std::to_string(i) + " has " + std::to_string(it.cost.size()) +
                  " costs for " + std::to_string(p.budget.size()) + " resources");
    for (double c : it.cost)
      if (!(c >= 0) || std::isinf(c))
        throw Error(what + ": item " + std::to_string(i) + " has a negative or infinite cost");
    if (!std::isfinite(it.value))
      throw Error(what + ": item " + std::to_string(i) + " has no finite value");
    if (it.parent >= static_cast<int>(i) || it.parent < -1)
      throw Error(what + ": item " + std::to_string(i) + " needs item " +
                  std::to_string(it.parent) + ", which is not an earlier item");
    for (int j : it.needs_any)
      if (j < 0 || j >= static_cast<int>(p.items.size()) || j == static_cast<int>(i))
        throw Error(what + ": item " + std::to_string(i) + " needs one of item " +
                    std::to_string(j) + ", which is not another item");
    if (it.required && it.parent >= 0 && !p.items[static_cast<size_t>(it.parent)].required)
      throw Error(what + ": item " + std::to_string(i) + " is required and its parent " +
                  std::to_string(it.parent) + " is not");
  }
  std::vector<std::vector<bool>> in_group(p.budget.size(),
                                          std::vector<bool>(p.items.size(), false));
  for (size_t g = 0; g < p.groups.size(); ++g) {
    const KnapsackGroup& group = p.groups[g];
    const std::string name = what + ": group " + std::to_string(g);
    if (group.resource >= p.budget.size())
      throw Error(name + " charges resource " + std::to_string(group.resource) + " of " +
                  std::to_string(p.budget.size()));
    if (group.per < 1 || !(group.unit >= 0) || std::isinf(group.unit))
      throw Error(name + " needs per >= 1 and a finite unit >= 0");
    for (int i : group.items) {
      if (i < 0 || i >= static_cast<int>(p.items.size()))
        throw Error(name + " has item " + std::to_string(i) + ", which is not an item");
      if (in_group[group.resource][static_cast<size_t>(i)])
        throw Error(name + " has item " + std::to_string(i) +
                    ", which is in a group of the same resource already");
      in_group[group.resource][static_cast<size_t>(i)] = true;
    }
  }
  std::vector<bool> required_keep(p.items.size());
  for (size_t i = 0; i < p.items.size(); ++i) required_keep[i] = p.items[i].required;
  const std::vector<double> required = cost_of(p, required_keep);
  for (size_t k = 0; k < p.budget.size(); ++k)
    if (required[k] > p.budget[k] * (1 + 1e-12) + 1e-12)
      throw Error(what + ": the required items alone cost " + std::to_string(required[k]) +
                  " of resource " + std::to_string(k) + ", over its budget " +
                  std::to_string(p.budget[k]));
}

KnapsackResult solve_cbc(const KnapsackProblem& p, double time_limit) {
  validate(p, "knapsack");
  const auto t0 = Clock::now();
  std::unique_ptr<Cbc_Model, void (*)(Cbc_Model*)> model(Cbc_newModel(), Cbc_deleteModel);
  Cbc_Model* cbc = model.get();
  Cbc_setLogLevel(cbc, 0);
  Cbc_setObjSense(cbc, -1);  // maximize
  for (size_t i = 0; i < p.items.size(); ++i)
    Cbc_addCol(cbc, ("x" + std::to_string(i)).c_str(), p.items[i].required ? 1.0 : 0.0, 1.0,
               p.items[i].value, 1, 0, nullptr, nullptr);
  // Group g's units, an integer z_g >= kept / per: column items.size() + g.
  const int first_unit = static_cast<int>(p.items.size());
  for (size_t g = 0; g < p.groups.size(); ++g)
    Cbc_addCol(cbc, ("z" + std::to_string(g)).c_str(), 0.0,
               static_cast<double>(units(p.groups[g], p.groups[g].items.size())), 0.0, 1, 0,
               nullptr, nullptr);
  const std::vector<std::vector<bool>> in_group = grouped(p);
  for (size_t k = 0; k < p.budget.size(); ++k) {
    if (std::isinf(p.budget[k])) continue;
    std::vector<int> cols;
    std::vector<double> coefs;
    for (size_t i = 0; i < p.items.size(); ++i)
      if (p.items[i].cost[k] > 0 && !in_group[k][i]) {
        cols.push_back(static_cast<int>(i));
        coefs.push_back(p.items[i].cost[k]);
      }
    for (size_t g = 0; g < p.groups.size(); ++g)
      if (p.groups[g].resource == k && p.groups[g].unit > 0) {
        cols.push_back(first_unit + static_cast<int>(g));
        coefs.push_back(p.groups[g].unit);
      }
    Cbc_addRow(cbc, ("budget" + std::to_string(k)).c_str(), static_cast<int>(cols.size()),
               cols.data(), coefs.data(), 'L', p.budget[k]);
  }
  for (size_t g = 0; g < p.groups.size(); ++g) {
    // The sum of the group's x_i <= per * z_g.
    std::vector<int> cols;
    std::vector<double> coefs;
    for (int i : p.groups[g].items) {
      cols.push_back(i);
      coefs.push_back(1.0);
    }
    cols.push_back(first_unit + static_cast<int>(g));
    coefs.push_back(-static_cast<double>(p.groups[g].per));
    Cbc_addRow(cbc, ("units" + std::to_string(g)).c_str(), static_cast<int>(cols.size()),
               cols.data(), coefs.data(), 'L', 0.0);
  }
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (p.items[i].parent < 0) continue;
    const int cols[2] = {static_cast<int>(i), p.items[i].parent};
    const double coefs[2] = {1.0, -1.0};
    Cbc_addRow(cbc, ("needs" + std::to_string(i)).c_str(), 2, cols, coefs, 'L', 0.0);
  }
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (p.items[i].needs_any.empty()) continue;
    // x_i <= the sum of the x_j it needs one of.
    std::vector<int> cols{static_cast<int>(i)};
    std::vector<double> coefs{1.0};
    for (int j : p.items[i].needs_any) {
      cols.push_back(j);
      coefs.push_back(-1.0);
    }
    Cbc_addRow(cbc, ("needs_any" + std::to_string(i)).c_str(), static_cast<int>(cols.size()),
               cols.data(), coefs.data(), 'L', 0.0);
  }
  Cbc_setMaximumSeconds(cbc, time_limit);
  Cbc_setParameter(cbc, "threads", "1");
  Cbc_solve(cbc);
  const double* x = p.items.empty() ? nullptr : Cbc_getColSolution(cbc);
  if (!p.items.empty() && !x) throw Error("knapsack: CBC found no solution");
  KnapsackResult r;
  r.keep.resize(p.items.size());
  for (size_t i = 0; i < p.items.size(); ++i) r.keep[i] = x[i] > 0.5;
  r.optimal = p.items.empty() || Cbc_isProvenOptimal(cbc);
  tally(p, r);
  for (size_t k = 0; k < p.budget.size(); ++k)
    if (r.used[k] > p.budget[k] * (1 + 1e-9) + 1e-9)
      throw Error("knapsack: CBC's solution exceeds the budget of resource " + std::to_string(k));
  r.seconds = seconds_since(t0);
  return r;
}

KnapsackResult solve_dp(const KnapsackProblem& p) {
  validate(p, "knapsack");
  no_groups(p, "dynamic program");
  const auto t0 = Clock::now();
  size_t resource = p.budget.size();
  for (size_t k = 0; k < p.budget.size(); ++k) {
    if (std::isinf(p.budget[k])) continue;
    if (resource != p.budget.size())
      throw Error("knapsack: the dynamic program takes one limited resource, not several");
    resource = k;
  }
  for (const KnapsackItem& it : p.items) {
    if (it.parent >= 0) throw Error("knapsack: the dynamic program takes no parents");
    if (!it.needs_any.empty())
      throw Error("knapsack: the dynamic program takes no items that need one of others");
  }
  KnapsackResult r;
  r.keep.assign(p.items.size(), false);
  if (resource == p.budget.size()) {  // nothing is limited: keep what is worth keeping
    for (size_t i = 0; i < p.items.size(); ++i) r.keep[i] = p.items[i].value > 0;
  } else {
    if (p.budget[resource] > 1e7)
      throw Error("knapsack: a budget above 10^7 for the dynamic program");
    std::vector<size_t> cost(p.items.size());
    size_t taken = 0;  // by the required items, which the program does not choose
    for (size_t i = 0; i < p.items.size(); ++i) {
      cost[i] = static_cast<size_t>(std::ceil(p.items[i].cost[resource] - 1e-9));
      if (p.items[i].required) taken += cost[i];
    }
    const size_t budget = static_cast<size_t>(std::floor(p.budget[resource] + 1e-9));
    if (taken > budget)
      throw Error(
          "knapsack: the required items' costs rounded up exceed the dynamic program's "
          "budget");
    const size_t cap = budget - taken;
    if (static_cast<double>(p.items.size()) * static_cast<double>(cap + 1) > 5e8)
      throw Error("knapsack: too large for the dynamic program (items x budget above 5 * 10^8)");
    // best[c]: the most value within cost c; took[i][c]: item i was taken for best[c] after i.
    std::vector<double> best(cap + 1, 0.0);
    std::vector<std::vector<bool>> took(p.items.size(), std::vector<bool>(cap + 1, false));
    for (size_t i = 0; i < p.items.size(); ++i) {
      if (p.items[i].value <= 0 || p.items[i].required) continue;
      for (size_t c = cap + 1; c-- > cost[i];) {
        const double with = best[c - cost[i]] + p.items[i].value;
        if (with > best[c]) {
          best[c] = with;
          took[i][c] = true;
        }
      }
    }
    size_t c = cap;
    for (size_t i = p.items.size(); i-- > 0;)
      if (took[i][c]) {
        r.keep[i] = true;
        c -= cost[i];
      }
  }
  for (size_t i = 0; i < p.items.size(); ++i)
    if (p.items[i].required) r.keep[i] = true;
  r.optimal = true;
  tally(p, r);
  r.seconds = seconds_since(t0);
  return r;
}

KnapsackResult solve_greedy(const KnapsackProblem& p) {
  validate(p, "knapsack");
  no_groups(p, "greedy solver");
  const auto t0 = Clock::now();
  auto normalized = [&](const KnapsackItem& it) {
    double s = 0;
    for (size_t k = 0; k < p.budget.size(); ++k)
      if (!std::isinf(p.budget[k]))
        s += p.budget[k] > 0 ? it.cost[k] / p.budget[k] : it.cost[k] * 1e12;
    return s;
  };
  std::vector<size_t> order(p.items.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> ratio(p.items.size());
  for (size_t i = 0; i < p.items.size(); ++i) {
    const double c = normalized(p.items[i]);
    ratio[i] = c > 0 ? p.items[i].value / c : std::numeric_limits<double>::infinity();
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ratio[a] > ratio[b]; });
  KnapsackResult r;
  r.keep.assign(p.items.size(), false);
  std::vector<double> used(p.budget.size(), 0.0);
  auto satisfied = [&](size_t i) {
    if (p.items[i].needs_any.empty()) return true;
    for (int j : p.items[i].needs_any)
      if (r.keep[static_cast<size_t>(j)]) return true;
    return false;
  };
  // A refill takes only items whose ancestors' needs are met already.
  auto fill = [&](bool refill) {
    for (size_t i : order) {
      if (r.keep[i] || p.items[i].value <= 0) continue;
      // The item and the ancestors it still needs.
      std::vector<size_t> take{i};
      for (int a = p.items[i].parent; a >= 0 && !r.keep[static_cast<size_t>(a)];
           a = p.items[static_cast<size_t>(a)].parent)
        take.push_back(static_cast<size_t>(a));
      if (refill && !std::all_of(take.begin(), take.end(), satisfied)) continue;
      std::vector<double> after = used;
      bool fits = true;
      for (size_t k = 0; k < p.budget.size(); ++k) {
        for (size_t t : take) after[k] += p.items[t].cost[k];
        fits &= after[k] <= p.budget[k] * (1 + 1e-12) + 1e-12;
      }
      if (!fits) continue;
      used = after;
      for (size_t t : take) r.keep[t] = true;
    }
  };
  // The required items first (validate() checked that they fit).
  for (size_t i = 0; i < p.items.size(); ++i)
    if (p.items[i].required) {
      r.keep[i] = true;
      for (size_t k = 0; k < p.budget.size(); ++k) used[k] += p.items[i].cost[k];
    }
  fill(false);
  for (bool changed = true; changed;) {
    changed = false;
    // Drop what needs one of several items of which none is kept, and what needs it; items come
    // after their parents, so one pass in order drops whole subtrees.
    for (size_t i = 0; i < p.items.size(); ++i) {
      const int parent = p.items[i].parent;
      if (!r.keep[i] || p.items[i].required ||
          (satisfied(i) && (parent < 0 || r.keep[static_cast<size_t>(parent)])))
        continue;
      r.keep[i] = false;
      for (size_t k = 0; k < p.budget.size(); ++k) used[k] -= p.items[i].cost[k];
      changed = true;
    }
    if (changed) fill(true);
  }
  tally(p, r);
  r.seconds = seconds_since(t0);
  return r;
}

KnapsackResult solve(const KnapsackProblem& p, KnapsackSolver s) {
  switch (s) {
    case KnapsackSolver::Cbc: return solve_cbc(p);
    case KnapsackSolver::Dp: return solve_dp(p);
    case KnapsackSolver::Greedy: return solve_greedy(p);
  }
  return {};
}

}  // namespace lutforge::prune
