// prune: resource-aware structured pruning of a MAC model file under a budget per resource
// (prune/prune.hpp), with a report of the structures, the solver's pick, and the cost model
// against the pruned model's lowering.
#include <cmath>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/lower_options.hpp"
#include "apps/options.hpp"
#include "apps/prune_json.hpp"
#include "models/model.hpp"
#include "prune/prune.hpp"

namespace lutforge::cli {

int cmd_prune(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string model_path, out_path, budget_text, solver = "cbc", report_path;
  opts.add_options()("model", po::value(&model_path)->required(), "MAC model file (.lfm.json)")(
      "output,o", po::value(&out_path)->required(), "the pruned model file")(
      "budget", po::value(&budget_text)->required(),
      "resources the pruned lowering may use: dsp=N,lut=N,ff=N,bram=N (any of them)")(
      "solver", po::value(&solver), "cbc (default), dp (one resource) or greedy")(
      "report", po::value(&report_path), "write the report as JSON");
  add_mac_lowering_options(opts);
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge prune MODEL.lfm.json --budget dsp=N[,lut=N,ff=N,bram=N] -o PRUNED.lfm.json "
             "[--reuse-factor R[,R...]] [--dsp-packing [--dsp-family F]] [--solver cbc|dp|greedy] "
             "[--report R.json]",
             opts, pos, vm))
    return kExitOk;
  const prune::Budget budget = prune::parse_budget(budget_text, "--budget");
  const prune::KnapsackSolver which = prune::parse_solver(solver, "--solver");
  const models::Model m = models::read_model_file(model_path);
  models::LowerParams lp;
  read_mac_lowering_options(vm, m, model_path, lp);

  const prune::Inventory inv = prune::inventory(m, lp);
  if (!std::isinf(budget[size_t(prune::Resource::Bram)]) &&
      inv.total[size_t(prune::Resource::Bram)] == 0)
    std::cerr << "note: --budget bram: this lowering stores the weights in LUTs and uses no block "
                 "RAM"
              << (lp.reuse_factor.empty() ? "" : "; --weights-in-bram stores them in block RAM")
              << "\n";
  const prune::PruneResult r = prune::prune(m, inv, budget, lp, which);
  if (const std::optional<prune::Resource> over = prune::over_budget(r.lowered, budget))
    throw Error("--budget " + std::string(prune::resource_name(*over)) + "=" +
                std::to_string(std::llround(budget[size_t(*over)])) +
                " is not reached: the best pruning found, which keeps one path from the inputs "
                "to each class, lowers to " +
                prune::format_cost(r.lowered));
  const prune::Cost before = prune::pruned_cost(m, lp);
  {
    auto out = open_output(out_path);
    out << models::write_model(r.model);
  }
  // The greedy pick beside the solver's, as hls4ml users compare them.
  const prune::PruneResult greedy =
      which == prune::KnapsackSolver::Greedy
          ? r
          : prune::prune(m, inv, budget, lp, prune::KnapsackSolver::Greedy);
  size_t rows = 0, patterns = 0;
  double all = 0;
  for (const prune::Structure& s : inv.structures) {
    ++(s.kind == prune::Structure::Kind::Row ? rows : patterns);
    all += s.importance;
  }
  auto share = [&](double v) { return all > 0 ? 100.0 * v / all : 100.0; };
  std::cout << "structures  " << rows << " rows, " << patterns << " patterns\n"
            << "budget      " << prune::format_cost(budget) << "\n"
            << "before      " << prune::format_cost(inv.total) << "  (fixed "
            << prune::format_cost(inv.fixed) << ")\n"
            << "            " << prune::format_cost(before) << " as synthesis keeps it\n"
            << "solver      " << prune::solver_name(which)
            << (r.knapsack.optimal ? " (optimal)" : "") << ", " << std::fixed
            << std::setprecision(3) << r.knapsack.seconds << " s; removed " << r.removed_rows
            << " rows and " << r.removed_patterns << " patterns, kept " << std::setprecision(1)
            << share(r.knapsack.value) << "% of the importance\n"
            << "greedy      kept " << share(greedy.knapsack.value)
            << "% of the importance, lowered " << prune::format_cost(greedy.lowered) << "\n"
            << "knapsack    solved at " << prune::format_cost(r.solved)
            << (r.solved == budget ? "" : " (the budget, corrected by the lowering)") << "\n"
            << "predicted   " << prune::format_cost(r.predicted) << "\n"
            << "lowered     " << prune::format_cost(r.lowered) << "\n";
  if (!report_path.empty()) {
    nlohmann::ordered_json j;
    j["model"] = model_path;
    j["output"] = out_path;
    j["solver"] = prune::solver_name(which);
    j["optimal"] = r.knapsack.optimal;
    j["solver_seconds"] = r.knapsack.seconds;
    j["budget"] = cost_json(budget);
    j["before"] = cost_json(inv.total);
    j["before_synthesized"] = cost_json(before);
    j["fixed"] = cost_json(inv.fixed);
    j["solved"] = cost_json(r.solved);
    j["predicted"] = cost_json(r.predicted);
    j["lowered"] = cost_json(r.lowered);
    j["structures"] = {{"rows", rows}, {"patterns", patterns}};
    j["removed"] = {{"rows", r.removed_rows}, {"patterns", r.removed_patterns}};
    j["importance_kept"] = r.knapsack.value;
    j["importance_total"] = all;
    j["greedy"] = {{"importance_kept", greedy.knapsack.value},
                   {"lowered", cost_json(greedy.lowered)}};
    auto out = open_output(report_path);
    out << j.dump(2) << "\n";
  }
  return kExitOk;
}

}  // namespace lutforge::cli
