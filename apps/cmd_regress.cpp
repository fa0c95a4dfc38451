#include <filesystem>
#include <iostream>
#include <thread>

#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "regress/report.hpp"
#include "regress/runner.hpp"

namespace lutforge::cli {

int cmd_regress(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string suite_path, filter, baseline, backend = "local";
  regress::RunParams p;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  opts.add_options()("suite", po::value(&suite_path)->required(), "suite file (TOML)")(
      "output,o", po::value(&p.run_dir)->required(),
      "run directory: results.db, reports, and every step's files; rerunning into it resumes")(
      "jobs,j", po::value(&jobs), "cases at a time (default: the number of cores)")(
      "filter", po::value(&p.filter),
      "run only the cases whose names match (shell wildcards; without any, a substring)")(
      "baseline", po::value(&p.baseline),
      "a previous run directory, for the checks relative to a baseline and the report")(
      "backend", po::value(&backend),
      "local (default): run the cases here; slurm: submit them as a Slurm job array (sbatch) and "
      "merge the results as the tasks finish")(
      "sbatch-arg", po::value(&p.sbatch_args),
      "slurm: an option for sbatch, such as --partition=fpga (repeatable)")(
      "poll", po::value(&p.poll_seconds), "slurm: seconds between looks at the queue (default 1)")(
      "no-progress", "no live status line")(
      "task", po::value(&p.task), "internal: run one case as a task of a Slurm job array")(
      "task-run", po::value(&p.task_run), "internal: the run that the task belongs to");
  po::positional_options_description pos;
  pos.add("suite", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge regress SUITE.toml -o RUN_DIR [-j N] [--filter PATTERN] "
             "[--baseline RUN_DIR] [--backend local|slurm [--sbatch-arg ARG]...]",
             opts, pos, vm))
    return kExitOk;
  if (vm.count("jobs") && jobs == 0) throw Error("--jobs must be at least 1");
  p.jobs = jobs;
  p.slurm_throttle = vm.count("jobs") > 0;
  if (backend == "slurm")
    p.backend = regress::Backend::Slurm;
  else if (backend != "local")
    throw Error("--backend '" + backend + "' is not one of local, slurm");
  if (!(p.poll_seconds > 0 && p.poll_seconds <= 3600))
    throw Error("--poll must be between 0 and 3600 seconds");
  p.progress = !vm.count("no-progress");
  const regress::Suite suite = regress::read_suite(suite_path);
  const regress::RunSummary summary = regress::run_suite(suite, p);
  if (p.task >= 0)
    return summary.failed() ? kExitNotEquivalent : kExitOk;  // the coordinator reports

  regress::Store store((std::filesystem::path(p.run_dir) / "results.db").string());
  std::unique_ptr<regress::Store> base;
  if (!p.baseline.empty())
    base = std::make_unique<regress::Store>(
        (std::filesystem::path(p.baseline) / "results.db").string(), true);
  const std::string written = regress::write_reports(suite, p.run_dir, store, base.get());
  size_t run = 0, reused = 0;
  for (const auto& c : summary.cases) {
    run += c.steps_run;
    reused += c.steps_reused;
  }
  std::cout << "regress " << suite.name << " (run " << summary.run
            << "): " << summary.cases.size() - summary.failed() << " of " << summary.cases.size()
            << " cases passed, " << summary.failed() << " failed; " << run << " steps run, "
            << reused << " reused, " << summary.seconds << " s\nwrote " << written << "\n";
  return summary.failed() ? kExitNotEquivalent : kExitOk;
}

}  // namespace lutforge::cli
