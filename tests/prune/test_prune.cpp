// Resource-aware pruning: the knapsack solvers against each other and against enumeration, the
// budget syntax, and pruned MAC models whose lowering uses what the cost model predicts and
// computes what models/ computes for the pruned model.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>
#include "base/error.hpp"
#include "models/lower.hpp"
#include "models/lower_mac.hpp"
#include "netlist/passes.hpp"
#include "netlist/vectors.hpp"
#include "prune/prune.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"

namespace lutforge::prune {
namespace {

constexpr double kNone = std::numeric_limits<double>::infinity();

// `nl` written to dir/TAG.json, converted to Verilog with `convert_flags`, synthesized by
// synth_xilinx with its design as the top: the resource report of synthesis.
nlohmann::json synth_xilinx(const std::filesystem::path& dir, const std::string& tag,
                            const Netlist& nl, const std::string& convert_flags) {
  const auto json = dir / (tag + ".json"), v = dir / (tag + ".v"), mapped = dir / (tag + "_x.json");
  test::write_netlist(json, nl);
  REQUIRE(test::run_lutforge("convert " + json.string() + " -o " + v.string() + convert_flags)
              .exit_code == 0);
  const test::RunResult r =
      test::run_lutforge("synth " + v.string() + " --top " + nl.design_name() +
                         " --target xilinx -o " + mapped.string());
  INFO(tag << "\n" << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(test::read_text(dir / (tag + "_x.resources.json")));
}

// The best value by enumerating every subset that respects the parents and the budgets (groups
// charged by their whole units).
double enumerate_best(const KnapsackProblem& p) {
  const size_t n = p.items.size();
  double best = 0;
  for (uint64_t set = 0; set < (uint64_t{1} << n); ++set) {
    bool ok = true;
    double value = 0;
    std::vector<bool> keep(n);
    for (size_t i = 0; i < n && ok; ++i) {
      keep[i] = (set >> i) & 1;
      if (!keep[i]) {
        ok = !p.items[i].required;
        continue;
      }
      if (p.items[i].parent >= 0 && !((set >> p.items[i].parent) & 1)) ok = false;
      value += p.items[i].value;
    }
    if (!ok) continue;
    const std::vector<double> used = cost_of(p, keep);
    for (size_t k = 0; k < used.size() && ok; ++k) ok = used[k] <= p.budget[k] + 1e-9;
    if (ok) best = std::max(best, value);
  }
  return best;
}

void check_feasible(const KnapsackProblem& p, const KnapsackResult& r) {
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (r.keep[i] && p.items[i].parent >= 0) CHECK(r.keep[static_cast<size_t>(p.items[i].parent)]);
    if (p.items[i].required) CHECK(r.keep[i]);
  }
  for (size_t k = 0; k < p.budget.size(); ++k) CHECK(r.used[k] <= p.budget[k] + 1e-6);
}

TEST_CASE("CBC finds the enumerated optimum of small knapsacks with two resources and parents") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 25; ++trial) {
    KnapsackProblem p;
    const size_t n = 8 + rng() % 7;
    for (size_t i = 0; i < n; ++i) {
      KnapsackItem it;
      it.value = static_cast<double>(rng() % 100) / 7.0;
      it.cost = {static_cast<double>(rng() % 10), static_cast<double>(rng() % 50) / 3.0};
      it.parent = i > 0 && rng() % 3 == 0 ? static_cast<int>(rng() % i) : -1;
      p.items.push_back(it);
    }
    p.budget = {static_cast<double>(5 + rng() % 30), trial % 5 == 0 ? kNone : 40.0};
    INFO("trial " << trial);
    const double best = enumerate_best(p);
    const KnapsackResult cbc = solve_cbc(p);
    CHECK(cbc.optimal);
    CHECK(cbc.value == Approx(best).margin(1e-6));
    check_feasible(p, cbc);
    const KnapsackResult greedy = solve_greedy(p);
    check_feasible(p, greedy);
    CHECK(greedy.value <= best + 1e-6);
  }
}

TEST_CASE("CBC charges a group of items by its whole units, as enumeration does") {
  std::mt19937_64 rng(17);
  for (int trial = 0; trial < 25; ++trial) {
    KnapsackProblem p;
    const size_t n = 9 + rng() % 5;
    for (size_t i = 0; i < n; ++i) {
      KnapsackItem it;
      it.value = static_cast<double>(rng() % 100) / 7.0;
      it.cost = {static_cast<double>(rng() % 4) / 2.0, static_cast<double>(rng() % 50) / 3.0};
      it.parent = i > 0 && rng() % 4 == 0 ? static_cast<int>(rng() % i) : -1;
      it.required = i == 0 && trial % 3 == 0;
      p.items.push_back(it);
    }
    // Two groups of resource 0 over disjoint items, `per` items a unit.
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t g = 0; g < 2; ++g) {
      KnapsackGroup group;
      group.per = 2 + rng() % 3;
      group.unit = static_cast<double>(1 + rng() % 5);
      group.items.assign(order.begin() + static_cast<std::ptrdiff_t>(g * 4),
                         order.begin() + static_cast<std::ptrdiff_t>(g * 4 + 4));
      p.groups.push_back(group);
    }
    p.budget = {static_cast<double>(4 + rng() % 12), trial % 4 == 0 ? kNone : 40.0};
    INFO("trial " << trial);
    std::vector<bool> all(n, true);
    if (cost_of(p, all)[0] <= p.budget[0]) p.budget[0] = cost_of(p, all)[0] / 2 + 1;
    const double best = enumerate_best(p);
    const KnapsackResult cbc = solve_cbc(p);
    CHECK(cbc.optimal);
    CHECK(cbc.value == Approx(best).margin(1e-6));
    check_feasible(p, cbc);
    CHECK(cbc.used == cost_of(p, cbc.keep));
  }
  // cost_of: a group of 5 items at 2 a unit of 3, with 3 kept, costs 2 units; the items' own
  // costs of that resource do not count, those of the other do.
  KnapsackProblem p;
  for (int i = 0; i < 5; ++i) p.items.push_back({1.0, {10.0, 1.0}, -1, {}, false});
  p.budget = {kNone, kNone};
  p.groups.push_back({{0, 1, 2, 3, 4}, 0, 2, 3.0});
  CHECK(cost_of(p, {true, false, true, false, true}) == std::vector<double>{6.0, 3.0});
  CHECK(cost_of(p, {false, false, false, false, false}) == std::vector<double>{0.0, 0.0});
  CHECK(test::error_of([&] { solve_dp(p); }) ==
        "knapsack: the dynamic program takes no groups of items");
  CHECK(test::error_of([&] { solve_greedy(p); }) ==
        "knapsack: the greedy solver takes no groups of items");
  p.groups.push_back({{4, 0}, 0, 2, 1.0});
  CHECK(test::error_of([&] { validate(p, "k"); }) ==
        "k: group 1 has item 4, which is in a group of the same resource already");
  p.groups.back() = {{5}, 1, 2, 1.0};
  CHECK(test::error_of([&] { validate(p, "k"); }) == "k: group 1 has item 5, which is not an item");
  p.groups.back() = {{0}, 1, 0, 1.0};
  CHECK(test::error_of([&] { validate(p, "k"); }) ==
        "k: group 1 needs per >= 1 and a finite unit >= 0");
}

TEST_CASE("required items are kept by every solver, and the rest is the optimum around them") {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 25; ++trial) {
    KnapsackProblem p;
    const size_t n = 8 + rng() % 7;
    const bool parents = trial % 2 == 0;  // the dynamic program takes none
    for (size_t i = 0; i < n; ++i) {
      KnapsackItem it;
      it.value = static_cast<double>(rng() % 100) / 7.0;
      it.cost = {static_cast<double>(rng() % 10)};
      it.parent = parents && i > 0 && rng() % 3 == 0 ? static_cast<int>(rng() % i) : -1;
      // Required now and then, and only under a required parent; a valuable required item is
      // one that the optimum keeps anyway, so some are worth nothing.
      it.required = rng() % 4 == 0 && (it.parent < 0 || p.items[size_t(it.parent)].required);
      if (it.required && rng() % 2) it.value = 0;
      p.items.push_back(it);
    }
    double required = 0;
    for (const KnapsackItem& it : p.items) required += it.required ? it.cost[0] : 0;
    p.budget = {required + static_cast<double>(rng() % 20)};
    INFO("trial " << trial);
    const double best = enumerate_best(p);
    const KnapsackResult cbc = solve_cbc(p);
    check_feasible(p, cbc);
    CHECK(cbc.value == Approx(best).margin(1e-6));
    check_feasible(p, solve_greedy(p));
    if (!parents) {
      const KnapsackResult dp = solve_dp(p);
      check_feasible(p, dp);
      CHECK(dp.value == Approx(best).margin(1e-6));
    }
    // Below the required items' cost, no solver has a solution, and each says why.
    if (required > 0) {
      p.budget = {required - 0.5};
      for (const KnapsackSolver solver :
           {KnapsackSolver::Cbc, KnapsackSolver::Greedy, KnapsackSolver::Dp})
        CHECK_THROWS_WITH(solve(p, solver), Catch::Contains("the required items alone cost"));
    }
  }
  KnapsackProblem orphan;
  orphan.items = {{1, {1}, -1, {}, false}, {1, {1}, 0, {}, true}};
  orphan.budget = {2};
  CHECK_THROWS_WITH(validate(orphan, "k"),
                    Catch::Contains("item 1 is required and its parent 0 is not"));
}

TEST_CASE("an item that needs one of several is kept only with one of them, by CBC and greedy") {
  // A is worth much but needs B or C; at a budget of one item, A alone is not allowed.
  KnapsackProblem p;
  p.items = {{10, {1}, -1, {1, 2}}, {1, {1}, -1, {}}, {0.5, {1}, -1, {}}};
  for (const double budget : {1.0, 2.0}) {
    p.budget = {budget};
    for (const KnapsackSolver solver : {KnapsackSolver::Cbc, KnapsackSolver::Greedy}) {
      INFO("budget " << budget << ", " << solver_name(solver));
      const KnapsackResult r = solve(p, solver);
      CHECK(r.keep == (budget == 1 ? std::vector<bool>{false, true, false}
                                   : std::vector<bool>{true, true, false}));
    }
  }
  CHECK_THROWS_WITH(solve(p, KnapsackSolver::Dp), Catch::Contains("need one of others"));
  p.items[1].needs_any = {1};
  CHECK_THROWS_WITH(validate(p, "k"), Catch::Contains("item 1 needs one of item 1"));
}

TEST_CASE("CBC and the exact dynamic program agree on one-resource knapsacks") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    KnapsackProblem p;
    for (size_t i = 0; i < 60; ++i)
      p.items.push_back(
          {static_cast<double>(rng() % 1000) / 10.0, {static_cast<double>(1 + rng() % 20)}});
    p.budget = {static_cast<double>(50 + rng() % 200)};
    INFO("trial " << trial);
    const KnapsackResult cbc = solve_cbc(p), dp = solve_dp(p);
    CHECK(dp.value == Approx(cbc.value).margin(1e-6));
    check_feasible(p, dp);
    check_feasible(p, cbc);
  }
  KnapsackProblem two;
  two.items = {{1.0, {1.0, 1.0}}};
  two.budget = {1.0, 1.0};
  CHECK_THROWS_WITH(solve_dp(two), Catch::Contains("one limited resource"));
}

TEST_CASE("budgets: one-line errors name the resource or the value") {
  const Budget b = parse_budget("dsp=40,lut=2000.5", "--budget");
  CHECK(b[size_t(Resource::Dsp)] == 40);
  CHECK(b[size_t(Resource::Lut)] == 2000.5);
  CHECK(std::isinf(b[size_t(Resource::Ff)]));
  CHECK_THROWS_WITH(parse_budget("dps=4", "--budget"), Catch::Contains("unknown resource 'dps'"));
  CHECK_THROWS_WITH(parse_budget("dsp=-1", "--budget"),
                    Catch::Contains("negative budget for resource 'dsp'"));
  CHECK_THROWS_WITH(parse_budget("lut=12k", "--budget"), Catch::Contains("'12k' is not a number"));
  CHECK_THROWS_WITH(parse_budget("dsp", "--budget"), Catch::Contains("not resource=number"));
  CHECK_THROWS_WITH(parse_budget("ff=1,ff=2", "--budget"), Catch::Contains("'ff' given twice"));
  CHECK_THROWS_WITH(parse_budget("", "--budget"), Catch::Contains("empty budget"));
  CHECK_THROWS_WITH(parse_solver("gurobi", "--solver"), Catch::Contains("unknown solver"));
}

// The class scores of the lowering of m, one sample per lane, on `codes`.
std::vector<std::vector<uint64_t>> lowered_scores(const models::Model& m,
                                                  const models::LowerParams& lp,
                                                  const std::vector<std::vector<uint32_t>>& codes) {
  const Netlist nl = models::lower(m, lp);
  VectorTable in;
  for (const auto& c : codes) in.rows.push_back({models::pack_codes(m, c)});
  const VectorTable out = simulate_samples(nl, in, "valid_in", "valid_out", 100000);
  std::vector<std::vector<uint64_t>> scores(codes.size());
  for (size_t k = 0; k < m.num_classes(); ++k) {
    const size_t col = static_cast<size_t>(
        std::find(out.names.begin(), out.names.end(), "class" + std::to_string(k)) -
        out.names.begin());
    REQUIRE(col < out.names.size());
    for (size_t s = 0; s < codes.size(); ++s) scores[s].push_back(out.rows[s][col][0]);
  }
  return scores;
}

TEST_CASE(
    "a pruned MAC model lowers to the slices its cost model predicts and computes as "
    "models/ does") {
  const models::Model m = test::random_mac_model({12, 4}, 30, 8, 4, 5, 5);
  std::mt19937_64 rng(3);
  std::vector<std::vector<uint32_t>> codes(64);
  for (auto& c : codes)
    for (size_t f = 0; f < 30; ++f) c.push_back(static_cast<uint32_t>(rng() % 256));

  for (const bool packing : {false, true}) {
    models::LowerParams lp;
    lp.reuse_factor = {7, 5};
    lp.dsp_packing = packing;
    lp.dsp_family = models::DspFamily::DSP48E1;
    const Inventory inv = inventory(m, lp);
    // Layer 0: 12 rows with ceil(30 / 7) = 5 patterns each; layer 1: 4 x ceil(12 / 5) patterns.
    size_t rows = 0, patterns = 0;
    for (const Structure& s : inv.structures) ++(s.kind == Structure::Kind::Row ? rows : patterns);
    CHECK(rows == 12);
    CHECK(patterns == 12 * 5 + 4 * 3);
    for (const KnapsackSolver solver :
         {KnapsackSolver::Cbc, KnapsackSolver::Greedy, KnapsackSolver::Dp}) {
      INFO("packing " << packing << ", solver " << solver_name(solver));
      Budget budget;
      budget.fill(kNone);
      budget[size_t(Resource::Dsp)] = std::floor(inv.total[size_t(Resource::Dsp)] * 0.45);
      const PruneResult r = prune(m, inv, budget, lp, solver);
      CHECK(r.removed_patterns > 0);
      CHECK(r.lowered[size_t(Resource::Dsp)] <= budget[size_t(Resource::Dsp)]);
      // Unpacked, the structures' costs add up on the lowering that keeps every cell; the
      // reported count has swept what no output reaches (a neuron no kept weight reads).
      const Cost unswept = lowered_cost(r.model, lp);
      if (!packing) CHECK(unswept[size_t(Resource::Dsp)] == r.predicted[size_t(Resource::Dsp)]);
      // (LUTs aside: synthesis makes the slices of one-bit weights LUTs.)
      for (const Resource k : {Resource::Dsp, Resource::Ff, Resource::Bram})
        CHECK(r.lowered[size_t(k)] <= unswept[size_t(k)]);
      // A removed row's code is 0: its weights, bias and the weights that read it are zero.
      for (size_t i = 0; i < inv.structures.size(); ++i) {
        const Structure& s = inv.structures[i];
        if (r.kept[i] || s.kind != Structure::Kind::Row) continue;
        CHECK(r.model.layers[0].neurons[s.row].bias == 0);
        for (const auto& next : r.model.layers[1].neurons) CHECK(next.weights[s.row] == 0);
      }
      const auto hw = lowered_scores(r.model, lp, codes);
      for (size_t s = 0; s < codes.size(); ++s) {
        const std::vector<uint32_t> ref = models::class_scores(r.model, codes[s]);
        for (size_t k = 0; k < ref.size(); ++k) CHECK(hw[s][k] == ref[k]);
      }
    }
  }
}

TEST_CASE(
    "neurons whose code is constant (no weight, a multiplier of 0, a saturating bias) lower to "
    "constants and do not widen their layer's accumulators") {
  const models::Model m = test::random_mac_model({12, 4}, 30, 8, 4, 5, 8);
  models::Model c = m;
  std::vector<models::Neuron>& ns = c.layers[0].neurons;
  // As training exports a neuron whose weights were all pruned.
  std::fill(ns[1].weights.begin(), ns[1].weights.end(), 0);
  ns[1].multiplier = 0;
  ns[1].bias = -5'800'000'000;
  ns[2].multiplier = 0;              // its weights stay
  ns[3].bias = -(int64_t{1} << 40);  // below 0 for every input
  ns[4].bias = int64_t{1} << 40;     // above the largest code for every input
  ns[4].multiplier = std::max<uint32_t>(ns[4].multiplier, 1);
  const uint32_t top = (1u << c.layers[0].out_bits) - 1;
  CHECK(models::constant_output(c.layers[0], ns[0]) == std::nullopt);
  CHECK(models::constant_output(c.layers[0], ns[1]) == 0u);
  CHECK(models::constant_output(c.layers[0], ns[2]) == 0u);
  CHECK(models::constant_output(c.layers[0], ns[3]) == 0u);
  CHECK(models::constant_output(c.layers[0], ns[4]) == top);
  // The widths are those of the layer without the four neurons.
  models::Layer rest = c.layers[0];
  rest.neurons.erase(rest.neurons.begin() + 1, rest.neurons.begin() + 5);
  CHECK(models::accumulator_bits(c.layers[0]) == models::accumulator_bits(rest));
  CHECK(models::accumulator_bits(c.layers[0]) < 24);

  std::mt19937_64 rng(4);
  std::vector<std::vector<uint32_t>> codes(48);
  for (auto& x : codes)
    for (size_t f = 0; f < 30; ++f) x.push_back(static_cast<uint32_t>(rng() % 256));
  for (const bool packing : {false, true}) {
    INFO("packing " << packing);
    models::LowerParams lp;
    lp.reuse_factor = {7, 5};
    lp.dsp_packing = packing;
    lp.dsp_family = models::DspFamily::DSP48E1;
    // Four neurons fewer to accumulate and requantize: fewer slices and LUTs than the same
    // model with the four neurons live.
    const Cost live = lowered_cost(m, lp), constant = lowered_cost(c, lp);
    CHECK(constant[size_t(Resource::Lut)] < live[size_t(Resource::Lut)]);
    CHECK(constant[size_t(Resource::Ff)] < live[size_t(Resource::Ff)]);
    const auto hw = lowered_scores(c, lp, codes);
    for (size_t s = 0; s < codes.size(); ++s) {
      const std::vector<uint32_t> ref = models::class_scores(c, codes[s]);
      CHECK(hw[s] == std::vector<uint64_t>(ref.begin(), ref.end()));
    }
  }
  // Fully parallel (models/lower_mac.cpp), combinational.
  const Netlist nl = models::lower(c, models::LowerParams{});
  VectorTable in = input_table(nl);
  for (const auto& x : codes) in.rows.push_back({models::pack_codes(c, x)});
  const VectorTable out = simulate(nl, in, in.rows.size());
  for (size_t s = 0; s < codes.size(); ++s) {
    const std::vector<uint32_t> ref = models::class_scores(c, codes[s]);
    for (size_t k = 0; k < ref.size(); ++k) CHECK(out.rows[s][k][0] == ref[k]);
  }
}

TEST_CASE(
    "a packed pruning charges the slices by packed group: it predicts the lowering and keeps at "
    "least the importance of every pruning by the structures' fractional costs that fits") {
  // Packing frees a slice only when every product on it goes, so the sum of per-structure costs
  // can be far from the lowering, above it or below it. CBC charges each group of lanes that
  // share slices by the slice instead.
  size_t cases = 0, exact = 0, compared = 0;
  double group_error = 0, fractional_error = 0;  // |predicted - lowered| slices, summed
  for (const uint64_t seed : {5u, 11u, 21u}) {
    const models::Model m = test::random_mac_model({12, 4}, 30, 8, 4, 5, seed);
    models::LowerParams lp;
    lp.reuse_factor = {7, 5};
    lp.dsp_packing = true;
    lp.dsp_family = models::DspFamily::DSP48E1;
    const Inventory inv = inventory(m, lp);
    REQUIRE(!inv.groups.empty());
    const double total = inv.total[size_t(Resource::Dsp)];
    for (double fraction = 0.3; fraction < 0.95; fraction += 0.05) {
      INFO("seed " << seed << ", fraction " << fraction);
      Budget budget;
      budget.fill(kNone);
      const double dsp = std::floor(total * fraction);
      budget[size_t(Resource::Dsp)] = dsp;
      const PruneResult r = prune(m, inv, budget, lp, KnapsackSolver::Cbc);
      CHECK(r.lowered[size_t(Resource::Dsp)] <= dsp);
      ++cases;
      exact += r.predicted[size_t(Resource::Dsp)] == Approx(r.lowered[size_t(Resource::Dsp)]);
      // The same solution costed by the fractions, as the knapsack did before the groups.
      double fractional = inv.fixed[size_t(Resource::Dsp)];
      for (size_t i = 0; i < inv.structures.size(); ++i)
        if (r.kept[i]) fractional += inv.structures[i].cost[size_t(Resource::Dsp)];
      group_error +=
          std::abs(r.predicted[size_t(Resource::Dsp)] - r.lowered[size_t(Resource::Dsp)]);
      fractional_error += std::abs(fractional - r.lowered[size_t(Resource::Dsp)]);
      // The knapsack on the fractional costs at the budget, solved and lowered here.
      KnapsackProblem plain;
      const std::vector<std::vector<int>> read_by = readers(m, inv);
      const std::vector<bool> required = class_paths(m, inv);
      for (size_t i = 0; i < inv.structures.size(); ++i) {
        const Structure& s = inv.structures[i];
        plain.items.push_back({s.importance, std::vector<double>(s.cost.begin(), s.cost.end()),
                               s.parent, read_by[i], required[i]});
      }
      plain.budget.assign(kNumResources, kNone);
      plain.budget[size_t(Resource::Dsp)] = dsp - inv.fixed[size_t(Resource::Dsp)];
      const KnapsackResult at_budget = solve_cbc(plain);
      models::Model cut = m;
      for (size_t i = 0; i < inv.structures.size(); ++i)
        if (!at_budget.keep[i] && !inv.structures[i].removed)
          remove_structure(cut, inv.structures[i]);
      fit_scores(cut);
      if (pruned_cost(cut, lp)[size_t(Resource::Dsp)] <= dsp) {
        ++compared;
        CHECK(r.knapsack.value >= at_budget.value - 1e-9 * std::abs(at_budget.value));
      }
    }
  }
  // The groups predict the lowering better than the fractions; they are not exact, as a row's
  // removal also frees what reads it, and slices of narrow products are LUTs.
  INFO(exact << " of " << cases << " exact; summed errors " << group_error << " (groups), "
             << fractional_error << " (fractions)");
  CHECK(group_error < fractional_error / 2);
  CHECK(exact > cases / 2);
  CHECK(compared > 0);
}

TEST_CASE(
    "rows of several neurons (filters), and a pruned model pruned again, as the schedule "
    "does") {
  // Layer 0: 12 neurons as 4 rows of 3 (a filter at three positions).
  const models::Model m = test::random_mac_model({12, 4}, 30, 8, 4, 5, 21);
  models::LowerParams lp;
  lp.reuse_factor = {8};
  lp.dsp_packing = true;
  lp.dsp_family = models::DspFamily::DSP48E1;
  const std::vector<size_t> rows = {4, 4};
  const Inventory inv = inventory(m, lp, rows);
  size_t row_structures = 0;
  for (const Structure& s : inv.structures)
    if (s.kind == Structure::Kind::Row) {
      ++row_structures;
      CHECK(s.neurons.size() == 3);
      // A row owns its neurons' accumulators and requantizers beyond its patterns' slices.
      if (!s.removed) CHECK(s.cost[size_t(Resource::Lut)] > 0);
    }
  CHECK(row_structures == 4);
  Budget budget;
  budget.fill(kNone);
  budget[size_t(Resource::Dsp)] = std::floor(inv.total[size_t(Resource::Dsp)] * 0.7);
  const PruneResult first = prune(m, inv, budget, lp, KnapsackSolver::Cbc);
  CHECK(first.lowered[size_t(Resource::Dsp)] <= budget[size_t(Resource::Dsp)]);
  // The pruned model's last layer has narrower accumulators; pricing its structures lowers
  // copies with more removed, which must fit their scores too.
  const Inventory again = inventory(first.model, lp, rows);
  // Its total counts every slice cell; the pruning's report what synthesis keeps of them.
  CHECK(again.total[size_t(Resource::Dsp)] >= first.lowered[size_t(Resource::Dsp)]);
  CHECK(pruned_cost(first.model, lp) == first.lowered);
  budget[size_t(Resource::Dsp)] = std::floor(inv.total[size_t(Resource::Dsp)] * 0.4);
  const PruneResult second = prune(first.model, again, budget, lp, KnapsackSolver::Cbc);
  CHECK(second.lowered[size_t(Resource::Dsp)] <= budget[size_t(Resource::Dsp)]);
  std::mt19937_64 rng(5);
  std::vector<std::vector<uint32_t>> codes(32);
  for (auto& c : codes)
    for (size_t f = 0; f < 30; ++f) c.push_back(static_cast<uint32_t>(rng() % 256));
  const auto hw = lowered_scores(second.model, lp, codes);
  for (size_t s = 0; s < codes.size(); ++s) {
    const std::vector<uint32_t> ref = models::class_scores(second.model, codes[s]);
    CHECK(hw[s] == std::vector<uint64_t>(ref.begin(), ref.end()));
  }
}

TEST_CASE(
    "a pattern's LUT cost is measured where every row keeps its slice: a position's multiplexer "
    "is not charged to each pattern") {
  models::Model m = test::random_mac_model({12, 4}, 30, 8, 4, 5, 5);
  // Position 0 of layer 0 (weights 0..6) is live in row 3 alone: removing that pattern removes
  // the multiplexer that selects the position's inputs along with its slice.
  for (size_t n = 0; n < 12; ++n)
    if (n != 3)
      for (size_t i = 0; i < 7; ++i) m.layers[0].neurons[n].weights[i] = 0;
  // Every other position is live in every row.
  for (size_t n = 0; n < 12; ++n)
    for (size_t k = 1; k < 5; ++k)
      if (!models::any_weight(m.layers[0].neurons[n], k * 7, std::min<size_t>(7, 30 - k * 7)))
        m.layers[0].neurons[n].weights[k * 7] = 1;
  models::LowerParams lp;
  lp.reuse_factor = {7, 5};
  const Inventory inv = inventory(m, lp);
  auto without = [&](size_t row, size_t first) {
    models::Model cut = m;
    Structure s;
    s.kind = Structure::Kind::Pattern;
    s.layer = 0;
    s.neurons = {row};
    s.first = first;
    s.count = 7;
    remove_structure(cut, s);
    return inv.total[size_t(Resource::Lut)] - lowered_cost(cut, lp)[size_t(Resource::Lut)];
  };
  const double lone = without(3, 0), shared = without(5, 14);
  CHECK(lone > shared);
  for (const Structure& s : inv.structures)
    if (s.kind == Structure::Kind::Pattern && s.layer == 0 && !s.removed)
      CHECK(s.cost[size_t(Resource::Lut)] == Approx(shared));
  CHECK(inv.fixed[size_t(Resource::Lut)] >= 0);
}

TEST_CASE("fully parallel: a pattern is one weight, and the pruned lowering has its slices") {
  const models::Model m = test::random_mac_model({6, 3}, 10, 8, 4, 5, 9);
  const models::LowerParams lp;
  const Inventory inv = inventory(m, lp);
  for (const Structure& s : inv.structures)
    if (s.kind == Structure::Kind::Pattern) CHECK(s.count == 1);
  Budget budget;
  budget.fill(kNone);
  budget[size_t(Resource::Dsp)] = 20;
  const PruneResult r = prune(m, inv, budget, lp, KnapsackSolver::Cbc);
  CHECK(r.lowered[size_t(Resource::Dsp)] <= 20);
  // The next layer's single weights that read a removed row go with it, beyond the prediction.
  const double unswept = lowered_cost(r.model, lp)[size_t(Resource::Dsp)];
  CHECK(unswept <= r.predicted[size_t(Resource::Dsp)]);
  size_t removed_rows_weights = 0;
  for (size_t i = 0; i < inv.structures.size(); ++i)
    if (!r.kept[i] && inv.structures[i].kind == Structure::Kind::Row)
      for (const auto& next : m.layers[1].neurons)
        removed_rows_weights += next.weights[inv.structures[i].row] != 0;
  CHECK(unswept >= r.predicted[size_t(Resource::Dsp)] - static_cast<double>(removed_rows_weights));
  // The reported count leaves out the slices of every hidden neuron that no kept weight of the
  // next layer reads (synthesis removes them): as if their weights were zero. And a hidden neuron
  // whose code is constant has no slices, and neither have the products of that constant: as if
  // the next layer's weights on it were folded into the biases.
  models::Model unread = r.model;
  for (size_t n = 0; n < unread.layers[0].neurons.size(); ++n) {
    const std::optional<uint32_t> code =
        models::constant_output(unread.layers[0], unread.layers[0].neurons[n]);
    if (!code) continue;
    for (auto& next : unread.layers[1].neurons) {
      next.bias += int64_t{next.weights[n]} * *code;
      next.weights[n] = 0;
    }
  }
  size_t unread_neurons = 0;
  for (size_t n = 0; n < unread.layers[0].neurons.size(); ++n) {
    bool read = false;
    for (const auto& next : unread.layers[1].neurons) read |= next.weights[n] != 0;
    if (read) continue;
    ++unread_neurons;
    for (int32_t& w : unread.layers[0].neurons[n].weights) w = 0;
  }
  CHECK(unread_neurons > 0);
  CHECK(r.lowered[size_t(Resource::Dsp)] ==
        lowered_cost(unread, lp, Count::Synthesized)[size_t(Resource::Dsp)]);
}

// Whether every class of m reads, through nonzero weights, a chain of neurons from the inputs.
bool every_class_reaches_the_inputs(const models::Model& m) {
  std::vector<bool> live;  // of the layer before; every input is
  for (size_t l = 0; l < m.layers.size(); ++l) {
    std::vector<bool> next;
    for (const models::Neuron& n : m.layers[l].neurons) {
      bool any = false;
      for (size_t i = 0; i < n.weights.size() && !any; ++i)
        any = n.weights[i] != 0 && (l == 0 || live[n.inputs[i]]);
      next.push_back(any);
    }
    live = std::move(next);
  }
  return std::all_of(live.begin(), live.end(), [](bool b) { return b; });
}

TEST_CASE("no budget, importance or solver removes a class's last path from the inputs") {
  size_t pruned = 0, impossible = 0;
  for (const uint64_t seed : {3u, 8u}) {
    const models::Model m = test::random_mac_model({8, 6, 4}, 20, 8, 4, 5, seed);
    REQUIRE(every_class_reaches_the_inputs(m));
    for (const unsigned reuse : {1u, 5u}) {
      models::LowerParams lp;
      lp.reuse_factor = {reuse};
      Inventory inv = inventory(m, lp);
      // An importance that gives the last layer nothing: the knapsack has no reason of its own
      // to keep any weight of a class.
      std::vector<std::vector<std::vector<double>>> importance(m.layers.size());
      for (size_t l = 0; l < m.layers.size(); ++l)
        for (const models::Neuron& n : m.layers[l].neurons)
          importance[l].push_back(
              std::vector<double>(n.weights.size(), l + 1 == m.layers.size() ? 0.0 : 1.0));
      set_importance(inv, importance);
      for (const Resource resource : {Resource::Dsp, Resource::Lut})
        for (const double fraction : {0.02, 0.15, 0.4})
          for (const KnapsackSolver solver :
               {KnapsackSolver::Cbc, KnapsackSolver::Greedy, KnapsackSolver::Dp}) {
            Budget budget;
            budget.fill(kNone);
            budget[size_t(resource)] = std::floor(inv.total[size_t(resource)] * fraction);
            INFO("seed " << seed << ", reuse " << reuse << ", " << format_cost(budget) << ", "
                         << solver_name(solver));
            try {
              const PruneResult r = prune(m, inv, budget, lp, solver);
              ++pruned;
              CHECK(every_class_reaches_the_inputs(r.model));
            } catch (const Error& e) {
              CHECK_THAT(e.what(), Catch::Contains("one path from the inputs to each class"));
              ++impossible;
            }
          }
    }
  }
  CHECK(pruned > 0);
  CHECK(impossible > 0);
}

TEST_CASE(
    "a pruning counts what synthesis keeps: input registers that no kept slice reads are not "
    "counted") {
  // 10 features of 8 bits, layer 0 at reuse factor 4: pattern 0 of a neuron is its weights of
  // features 0 to 3. With pattern 0 gone from every neuron, no slice reads those features, and
  // their 4 x 8 input register bits drive nothing.
  const models::Model m = test::random_mac_model({6, 3}, 10, 8, 4, 5, 9);
  models::LowerParams lp;
  lp.reuse_factor = {4};
  const Inventory inv = inventory(m, lp);
  models::Model cut = m;
  size_t patterns = 0;
  for (const Structure& s : inv.structures)
    if (s.kind == Structure::Kind::Pattern && s.layer == 0 && s.first == 0) {
      CHECK(s.count == 4);
      remove_structure(cut, s);
      ++patterns;
    }
  CHECK(patterns == 6);
  const Cost kept = lowered_cost(cut, lp, Count::Synthesized), swept = pruned_cost(cut, lp);
  CHECK(kept[size_t(Resource::Ff)] - swept[size_t(Resource::Ff)] == 4 * 8);
  CHECK(kept[size_t(Resource::Dsp)] == swept[size_t(Resource::Dsp)]);
  // The unpruned lowering has nothing to sweep.
  CHECK(pruned_cost(m, lp) == lowered_cost(m, lp, Count::Synthesized));
  // A pruning reports (and checks its budget by) the swept count.
  Budget budget;
  budget.fill(kNone);
  budget[size_t(Resource::Dsp)] = std::floor(inv.total[size_t(Resource::Dsp)] * 0.5);
  const PruneResult r = prune(m, inv, budget, lp, KnapsackSolver::Cbc);
  CHECK(r.lowered == pruned_cost(r.model, lp));
}

TEST_CASE("the cost model counts a product slice as a DSP exactly when synth_xilinx maps it to one",
          "[yosys][dsp]") {
  // One signed product slice per case, its factors' pins as the lowering makes them (a weight's
  // bits that are one LUT, constant bits); Yosys decides, and the cost model must agree.
  struct Case {
    const char* what;
    std::vector<int> a;  // bit i of A: input bit a[i], or -1 / -2 for the constants 0 / 1
    uint32_t b_width, p_width;
    bool is_signed = true;
    bool b_sign_zero = false;  // B's top bit the constant 0, as an unsigned pixel's
  };
  const std::vector<Case> cases = {
      {"4 distinct bits times 9", {0, 1, 2, 3}, 9, 12},
      {"a weight in {0, -1}: one bit repeated", {0, 0, 0, 0}, 9, 12},
      {"a weight in [-2, 1]: two bits, the sign repeated", {0, 1, 1, 1}, 9, 12},
      {"a weight in [0, 1]: its bit and constant zeros", {0, -1, -1, -1}, 9, 12},
      {"a weight in [0, 1] times a pixel: both non-negative", {0, -1, -1, -1}, 9, 12, true, true},
      {"a weight in [0, 3] times a pixel: both non-negative", {0, 1, -1, -1}, 9, 12, true, true},
      {"a weight in [-1, 0] times a pixel", {0, 0, 0, 0}, 9, 12, true, true},
      {"a weight in [0, 7] times a 5-bit code: 3 by 5 bits unsigned",
       {0, 1, 2, -1},
       6,
       12,
       true,
       true},
      {"a weight in [0, 7] times a 6-bit code: 3 by 6 bits unsigned",
       {0, 1, 2, -1},
       7,
       12,
       true,
       true},
      {"a product of 8 bits", {0, 1, 2, 3}, 5, 8},
      {"a product of 9 bits", {0, 1, 2, 3}, 5, 9},
      {"the constant weight 5", {-2, -1, -2, -1}, 9, 12},
      {"the constant weight -1", {-2, -2, -2, -2}, 9, 12},
      {"unsigned: one bit and constant zeros", {0, -1, -1, -1}, 9, 12, false},
      {"unsigned: 4 bits times 5 in 9", {0, 1, 2, 3}, 5, 9, false},
      {"unsigned: 4 bits times 4 in 8", {0, 1, 2, 3}, 4, 8, false},
  };
  const auto dir = test::temp_dir("prune_dsp_rule");
  size_t slices = 0;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    Netlist nl;
    nl.set_design_name("slice");
    const NodeId a = nl.add_input("a", 4), b = nl.add_input("b", c.b_width);
    std::vector<Signal> pins;
    for (const int i : c.a)
      pins.push_back(i >= 0 ? Signal{a, static_cast<uint32_t>(i)} : nl.constant(i == -2));
    for (uint32_t i = 0; i < c.b_width; ++i)
      pins.push_back(c.b_sign_zero && i + 1 == c.b_width ? nl.constant(false) : Signal{b, i});
    const NodeId d = nl.add_cell(PackedDsp{4, c.b_width, 0, c.p_width, c.is_signed}, pins, "p");
    std::vector<Signal> y;
    for (uint32_t i = 0; i < c.p_width; ++i) y.push_back({d, i});
    nl.add_output("y", y);
    INFO(c.what);
    const nlohmann::json res = synth_xilinx(dir, "c" + std::to_string(k), nl, "");
    const double dsps = res.at("dsps").get<double>();
    CHECK(netlist_cost(nl, Count::Synthesized)[size_t(Resource::Dsp)] == dsps);
    // Counted by the ports' widths, a slice is a DSP unless its ports are too narrow.
    const bool ports_map = std::min(c.p_width, 4 + c.b_width) >= 9;  // A has 4 bits
    CHECK(netlist_cost(nl)[size_t(Resource::Dsp)] == (ports_map ? 1 : 0));
    slices += dsps > 0;
  }
  CHECK(slices > 0);
  CHECK(slices < cases.size());
}

TEST_CASE(
    "a sum of two whose operand is a slice's product is the slice's post-adder, unless the product "
    "is read elsewhere",
    "[yosys][dsp]") {
  // acc + a * b, as the lowering makes a neuron's accumulator when pruning leaves it one lane:
  // synth_xilinx takes the addition into the DSP48E1 (its C port), and the cost model counts no
  // LUT for it; when the product is also an output, the addition stays in LUTs, one a bit.
  const auto dir = test::temp_dir("prune_post_adder");
  for (const bool shared : {false, true}) {
    Netlist nl;
    nl.set_design_name("mac");
    const NodeId a = nl.add_input("a", 4), b = nl.add_input("b", 9), acc = nl.add_input("acc", 18);
    std::vector<Signal> pins;
    for (uint32_t i = 0; i < 4; ++i) pins.push_back({a, i});
    for (uint32_t i = 0; i < 9; ++i) pins.push_back({b, i});
    const NodeId d = nl.add_cell(PackedDsp{4, 9, 0, 12, true}, pins, "p");
    std::vector<Signal> sum_pins, product;
    for (uint32_t i = 0; i < 18; ++i) sum_pins.push_back({acc, i});
    for (uint32_t i = 0; i < 12; ++i) product.push_back({d, i});
    sum_pins.insert(sum_pins.end(), product.begin(), product.end());
    const NodeId s = nl.add_cell(Adder{{{18, true}, {12, true}}, 18}, sum_pins, "s");
    std::vector<Signal> y;
    for (uint32_t i = 0; i < 18; ++i) y.push_back({s, i});
    nl.add_output("y", y);
    if (shared) nl.add_output("p", product);
    const nlohmann::json res =
        synth_xilinx(dir, shared ? "shared" : "alone", nl, " --adder-modules --xilinx-luts");
    const Cost c = netlist_cost(nl, Count::Synthesized);
    CHECK(c[size_t(Resource::Dsp)] == res.at("dsps").get<double>());
    CHECK(c[size_t(Resource::Lut)] == (shared ? 18 : 0));
    CHECK(c[size_t(Resource::Lut)] == res.at("luts").get<double>());
  }
}

TEST_CASE(
    "weights in block RAM: a pattern costs its share of a BRAM, a bram budget is met, and the "
    "count is synth_xilinx's") {
  // 8-bit weights, 40 inputs at reuse factor 10 (4 lanes a neuron): layer 0's ROM has 16 x 4
  // lanes x 8 bits, at most 512 = 14 BRAM18 halves of 36 bits.
  const models::Model m = test::random_mac_model({16, 4}, 40, 8, 8, 5, 13);
  models::LowerParams lp;
  lp.reuse_factor = {10};
  lp.weights_in_bram = true;
  lp.dsp_family = models::DspFamily::DSP48E1;
  const Inventory inv = inventory(m, lp);
  const double total = inv.total[size_t(Resource::Bram)];
  CHECK(total > 10);
  for (const Structure& st : inv.structures)
    if (st.kind == Structure::Kind::Pattern && st.layer == 0 && !st.removed) {
      // Its 8 weight columns, less any that is constant over the slots, of 36 a half.
      CHECK(st.cost[size_t(Resource::Bram)] > 0);
      CHECK(st.cost[size_t(Resource::Bram)] <= 8.0 / 36 + 1e-9);
    }
  std::mt19937_64 rng(5);
  std::vector<std::vector<uint32_t>> codes(32);
  for (auto& c : codes)
    for (size_t f = 0; f < 40; ++f) c.push_back(static_cast<uint32_t>(rng() % 256));
  const auto dir = test::temp_dir("prune_bram");
  Budget budget;
  budget.fill(kNone);
  budget[size_t(Resource::Bram)] = std::floor(pruned_cost(m, lp)[size_t(Resource::Bram)] / 2);
  const PruneResult r = prune(m, inv, budget, lp, KnapsackSolver::Cbc);
  CHECK(r.removed_patterns > 0);
  CHECK(r.lowered[size_t(Resource::Dsp)] > 0);  // the network still computes
  CHECK(r.lowered[size_t(Resource::Bram)] <= budget[size_t(Resource::Bram)]);
  const auto hw = lowered_scores(r.model, lp, codes);
  for (size_t s = 0; s < codes.size(); ++s) {
    const std::vector<uint32_t> ref = models::class_scores(r.model, codes[s]);
    CHECK(hw[s] == std::vector<uint64_t>(ref.begin(), ref.end()));
  }
  // The BRAM, DSPs and flip-flops the cost model counts are what synth_xilinx builds, before and
  // after pruning, and its LUTs nearly so.
  for (const auto& [tag, model] :
       {std::pair<std::string, const models::Model*>{"whole", &m}, {"pruned", &r.model}}) {
    models::Model fitted = *model;
    fit_scores(fitted);
    const nlohmann::json res =
        synth_xilinx(dir, tag, models::lower(fitted, lp), " --adder-modules --xilinx-luts");
    const Cost model_cost = pruned_cost(*model, lp);
    CHECK(model_cost[size_t(Resource::Bram)] == res.at("brams_18k").get<double>());
    CHECK(model_cost[size_t(Resource::Dsp)] == res.at("dsps").get<double>());
    // Written with the lowering's LUTs as LUT instances, which ABC keeps, the LUT estimate is
    // within 2% of synthesis (the ArgMax is what it estimates), and the flip-flops are exact.
    CHECK(model_cost[size_t(Resource::Ff)] == res.at("flip_flops").get<double>());
    CHECK(std::abs(model_cost[size_t(Resource::Lut)] / res.at("luts").get<double>() - 1) < 0.02);
  }
}

TEST_CASE("an impossible budget and a BRAM budget are errors that name the resource") {
  const models::Model m = test::random_mac_model({6, 3}, 10, 8, 4, 5, 9);
  models::LowerParams lp;
  lp.reuse_factor = {4};
  const Inventory inv = inventory(m, lp);
  Budget b;
  b.fill(kNone);
  b[size_t(Resource::Ff)] = 1;
  CHECK_THROWS_WITH(prune(m, inv, b, lp, KnapsackSolver::Cbc),
                    Catch::Contains("--budget ff=1 is impossible"));
  b.fill(kNone);
  b[size_t(Resource::Bram)] = 0;
  CHECK_NOTHROW(prune(m, inv, b, lp, KnapsackSolver::Cbc));  // none is used: 0 fits
  models::Model lut = m;
  lut.layers[0].kind = models::LayerKind::Lut;
  CHECK_THROWS_WITH(inventory(lut, lp), Catch::Contains("layer 0 is not a MAC layer"));
}

}  // namespace
}  // namespace lutforge::prune

namespace lutforge::prune {
namespace {

TEST_CASE(
    "lutforge prune: the pruned model file, the report, greedy beside the solver, and "
    "one-line errors") {
  const auto dir = test::temp_dir("prune_cli");
  const std::string m = (dir / "m.lfm.json").string(), p = (dir / "p.lfm.json").string(),
                    r = (dir / "r.json").string();
  test::write_text(m, models::write_model(test::random_mac_model({12, 4}, 30, 8, 4, 5, 5)));
  const test::RunResult ok = test::run_lutforge(
      "prune " + m + " --reuse-factor 7 --budget dsp=30 -o " + p + " --report " + r);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.find("greedy      kept") != std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(test::read_text(r));
  CHECK(j.at("lowered").at("dsp").get<double>() <= 30);
  CHECK(j.at("before").at("dsp").get<double>() > 30);
  // The budget the knapsack was solved at: the given one unless the lowering corrected it.
  CHECK(j.at("solved").at("dsp").get<double>() > 0);
  CHECK(j.at("solved").at("lut").is_null());
  CHECK(ok.out.find("knapsack    solved at dsp=") != std::string::npos);
  CHECK(j.at("importance_kept").get<double>() >=
        j.at("greedy").at("importance_kept").get<double>());
  // The pruned file is a model like any other: it lowers, with the slices the report counts.
  const models::Model pruned = models::read_model_file(p);
  CHECK(netlist_cost(sweep(models::lower(pruned, {.reuse_factor = {7}})),
                     Count::Synthesized)[size_t(Resource::Dsp)] ==
        j.at("lowered").at("dsp").get<double>());

  auto error = [&](const std::string& args) {
    const test::RunResult e = test::run_lutforge("prune " + args);
    CHECK(e.exit_code == 2);
    return e.err;
  };
  CHECK(error(m + " --budget dps=3 -o " + p).find("--budget: unknown resource 'dps'") !=
        std::string::npos);
  CHECK(error(m + " --budget dsp=-3 -o " + p).find("negative budget for resource 'dsp'") !=
        std::string::npos);
  CHECK(error(m + " --budget dsp=20,lut=100000 --solver dp -o " + p).find("one limited resource") !=
        std::string::npos);
  CHECK(error(m + " --reuse-factor 7 --budget ff=3 -o " + p).find("--budget ff=3 is impossible") !=
        std::string::npos);
  CHECK(error(m + " --weights-in-bram --budget bram=3 -o " + p)
            .find("--weights-in-bram needs --reuse-factor") != std::string::npos);
  // A BRAM budget on a lowering without block RAM is met by nothing, and says so; with the
  // weights in block RAM it prunes.
  const test::RunResult luts =
      test::run_lutforge("prune " + m + " --reuse-factor 7 --budget bram=1 -o " + p);
  CHECK(luts.exit_code == 0);
  CHECK(luts.err.find("uses no block RAM; --weights-in-bram stores them") != std::string::npos);
  const test::RunResult bram =
      test::run_lutforge("prune " + m + " --reuse-factor 7 --weights-in-bram --budget bram=2 -o " +
                         p + " --report " + r);
  INFO(bram.out << bram.err);
  REQUIRE(bram.exit_code == 0);
  CHECK(bram.err.find("block RAM") == std::string::npos);
  const nlohmann::json jb = nlohmann::json::parse(test::read_text(r));
  CHECK(jb.at("before").at("bram").get<double>() > 2);
  CHECK(jb.at("lowered").at("bram").get<double>() <= 2);
  // One block RAM would leave the classes nothing to read.
  CHECK(error(m + " --reuse-factor 7 --weights-in-bram --budget bram=1 -o " + p)
            .find("--budget bram=1 is impossible: what pruning cannot remove (the counter, input "
                  "and output registers, the last layer's own parts) and one path from the inputs "
                  "to each class already cost") != std::string::npos);
}

}  // namespace
}  // namespace lutforge::prune
