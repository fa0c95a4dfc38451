// Runs a suite into a run directory: cases in parallel, each case's steps in order, each step one
// lutforge process. A step whose inputs (its options, its input files and the lutforge version)
// have not changed since it last finished is not rerun, so an interrupted run resumes with the
// same command and loses no finished step.
#pragma once

#include <string>
#include <vector>

#include "regress/store.hpp"
#include "regress/suite.hpp"

namespace lutforge::regress {

enum class Backend { Local, Slurm };

struct RunParams {
  std::string run_dir;
  Backend backend = Backend::Local;
  unsigned jobs = 1;     // cases at a time (Slurm: the array's throttle when slurm_throttle)
  std::string filter;    // case names (see matches_filter); empty: all
  std::string baseline;  // a run directory whose results the *_rel_baseline checks compare with
  std::string lutforge;  // the executable that runs the steps (default: this process's)
  bool progress = true;  // a live status line on stderr when it is a terminal
  // Slurm: more sbatch options (partition, time limit, ...); throttle the array to `jobs` tasks
  // at a time; seconds between looks at the queue; submissions of a task before it counts as
  // failed.
  std::vector<std::string> sbatch_args;
  bool slurm_throttle = false;
  double poll_seconds = 1.0;
  unsigned max_attempts = 3;
  // A Slurm array task: run case `task` (an index into the filtered cases) of run `task_run`
  // into RUN_DIR/tasks/TASK.db and RUN_DIR/tasks/TASK.json; -1: not a task.
  long task = -1;
  int task_run = 0;
};

struct CaseOutcome {
  std::string name;
  Status status =
      Status::Pass;    // Fail when a step or a check failed, Error when a step could not run
  double seconds = 0;  // spent in this run
  size_t steps_run = 0, steps_reused = 0;
  std::vector<std::string> failures;  // one line each
};

struct RunSummary {
  int run = 0;
  std::vector<CaseOutcome> cases;  // in suite order, filtered
  double seconds = 0;
  size_t failed() const;
};

// Local: the cases run on this machine, `jobs` at a time. Slurm: the cases are submitted as a job
// array (sbatch) whose tasks each run one case (`lutforge regress --task`) into the shared run
// directory; their results are merged into the database as they finish, and a task that leaves
// the queue without its results (failed, preempted, cancelled) is submitted again.
RunSummary run_suite(const Suite& suite, const RunParams& params);

// The hash that keys every step's results to this lutforge: the bytes of the executable and of
// its helpers beside it.
std::string lutforge_version(const std::string& executable);

// 64-bit FNV-1a of a file's bytes, as 16 hex digits; empty when the file cannot be read.
std::string hash_file(const std::string& path);

}  // namespace lutforge::regress
