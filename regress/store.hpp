// The results of a regression run directory, in an embedded SQLite database (RUN_DIR/results.db).
// Every finished step is committed at once, so a killed run loses no finished step; a step is
// keyed by its case and name, with the hash of its inputs and of the lutforge version.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace lutforge::regress {

enum class Status { Pass, Fail, Error, Skipped };
const char* name(Status s);
Status parse_status(const std::string& s);

struct StepResult {
  std::string case_name, step, kind;
  std::string input_hash;  // of the command, its input files and the lutforge version
  Status status = Status::Pass;
  int exit_code = 0;
  double seconds = 0;
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();  // flat: name -> number/text
  std::string message;                                                // why it failed, or empty
  std::string finished;                                               // UTC, ISO 8601
  int run = 0;  // the run (see Store::begin_run) that produced it
};

class Store {
 public:
  // Opens or creates the database. read_only: for a baseline, which must exist.
  explicit Store(const std::string& path, bool read_only = false);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::string& path() const { return path_; }

  // Records the start of a run and returns its number (1, 2, ...).
  int begin_run(const std::string& suite, const std::string& version, const std::string& args);
  void end_run(int run);

  std::optional<StepResult> find(const std::string& case_name, const std::string& step) const;
  // Replaces the case's step and appends it to the history of every run.
  void put(const StepResult& r);
  // Forgets a case's steps from `step` on (they are rerun).
  void erase(const std::string& case_name, const std::string& step);
  std::vector<StepResult> all() const;  // ordered by case, then by the order they finished
  // One step's results across runs, oldest first (for plots of a metric over runs).
  std::vector<StepResult> history(const std::string& case_name, const std::string& step) const;
  int num_runs() const;
  std::string meta(const std::string& key) const;
  void set_meta(const std::string& key, const std::string& value);

 private:
  void exec(const std::string& sql) const;
  std::vector<StepResult> query_results(const std::string& sql,
                                        const std::vector<std::string>& args) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mu_;
};

}  // namespace lutforge::regress
