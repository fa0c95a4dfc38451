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

struct RunParams {
  std::string run_dir;
  unsigned jobs = 1;     // cases at a time
  std::string filter;    // case names (see matches_filter); empty: all
  std::string baseline;  // a run directory whose results the *_rel_baseline checks compare with
  std::string lutforge;  // the executable that runs the steps (default: this process's)
  bool progress = true;  // a live status line on stderr when it is a terminal
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

RunSummary run_suite(const Suite& suite, const RunParams& params);

// The hash that keys every step's results to this lutforge: the bytes of the executable and of
// its helpers beside it.
std::string lutforge_version(const std::string& executable);

// 64-bit FNV-1a of a file's bytes, as 16 hex digits; empty when the file cannot be read.
std::string hash_file(const std::string& path);

}  // namespace lutforge::regress
