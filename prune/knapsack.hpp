// The multi-dimensional 0/1 knapsack of resource-aware pruning: keep the items (prunable
// structures) with the most value (importance) whose summed cost fits a budget in every resource.
// An item may have a parent, which it needs: a pattern of a neuron is kept only with its neuron;
// and a set of items of which it needs one: a neuron is kept only with a structure that reads it.
//
// Items may also form a group whose cost in one resource comes in whole units: DSP slices that
// pack several lanes cost one slice for every `per` lanes kept or part of them.
//
// Three solvers: COIN-OR CBC on the integer program (the exact answer, or the best one found in
// the time limit, said so); an exact dynamic program for one resource with integer costs and no
// parents (the cross-check); and the greedy one by value per unit of cost.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lutforge::prune {

struct KnapsackItem {
  double value = 0;
  std::vector<double> cost;  // one per resource, >= 0
  int parent = -1;           // the item this one needs, or -1
  // Items of which this one needs at least one (empty: none): a neuron is worth keeping only
  // when something reads it. CBC and greedy honour it; the dynamic program takes none.
  std::vector<int> needs_any;
  // Kept whatever the budget leaves for the others (with its parent, which must be required too):
  // a class's path to the inputs. Every solver keeps it; their costs alone must fit the budget.
  bool required = false;
};

// The group costs unit * ceil(kept / per) of `resource`, where kept counts its items that are
// kept; in that resource its items' own costs do not count. Only CBC takes groups.
struct KnapsackGroup {
  std::vector<int> items;  // distinct, and in no other group of the same resource
  size_t resource = 0;
  size_t per = 1;
  double unit = 0;
};

struct KnapsackProblem {
  std::vector<KnapsackItem> items;
  std::vector<double> budget;  // one per resource; infinity: no limit
  std::vector<KnapsackGroup> groups;
};

// The units that `kept` items of group g take: ceil(kept / g.per).
size_t units(const KnapsackGroup& g, size_t kept);

// What `keep` costs: per resource, the kept items' costs, with groups charged by their units.
std::vector<double> cost_of(const KnapsackProblem& p, const std::vector<bool>& keep);

struct KnapsackResult {
  std::vector<bool> keep;
  double value = 0;          // of the kept items
  std::vector<double> used;  // summed cost of the kept items, per resource
  bool optimal = false;      // proved optimal (CBC, the dynamic program)
  double seconds = 0;
};

enum class KnapsackSolver { Cbc, Dp, Greedy };
KnapsackSolver parse_solver(const std::string& name, const std::string& what);
std::string solver_name(KnapsackSolver s);

// The optimum by CBC; stops after `time_limit` seconds with the best solution found
// (optimal = false then). Throws Error when CBC finds no feasible solution.
KnapsackResult solve_cbc(const KnapsackProblem& p, double time_limit = 60);
// The exact optimum for one resource with integer costs (rounded up) and no parents; throws Error
// otherwise, or when the budget exceeds 10^7 units.
KnapsackResult solve_dp(const KnapsackProblem& p);
// The required items, then the others by decreasing value per unit of normalized cost (the sum
// over the limited resources of cost / budget), each taken when it and its parent fit; then the
// items whose needs_any has none kept are dropped with what needs them, and the freed budget
// refilled in the same order, until nothing changes.
KnapsackResult solve_greedy(const KnapsackProblem& p);
KnapsackResult solve(const KnapsackProblem& p, KnapsackSolver s);

// Checks the sizes and signs; throws Error naming `what`.
void validate(const KnapsackProblem& p, const std::string& what);

}  // namespace lutforge::prune
