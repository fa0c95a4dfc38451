#include "regress/store.hpp"

#include <sqlite3.h>

#include <ctime>

#include "base/error.hpp"

namespace lutforge::regress {

const char* name(Status s) {
  switch (s) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Error: return "error";
    case Status::Skipped: return "skipped";
  }
  return "?";
}

Status parse_status(const std::string& s) {
  for (Status x : {Status::Pass, Status::Fail, Status::Error, Status::Skipped})
    if (s == name(x)) return x;
  throw Error("results database: unknown step status '" + s + "'");
}

namespace {

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::string& path) : path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
      throw Error(path + ": " + sqlite3_errmsg(db) + " (in: " + sql + ")");
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, int v) {
    sqlite3_bind_int(s_, i, v);
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(path_ + ": " + sqlite3_errmsg(sqlite3_db_handle(s_)));
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(s_, col);
    return p ? reinterpret_cast<const char*>(p) : "";
  }
  double real(int col) const { return sqlite3_column_double(s_, col); }
  int integer(int col) const { return sqlite3_column_int(s_, col); }

 private:
  sqlite3_stmt* s_ = nullptr;
  std::string path_;
};

constexpr const char* kResultColumns =
    "case_name, step, kind, input_hash, status, exit_code, seconds, metrics, message, finished, "
    "run";

}  // namespace

Store::Store(const std::string& path, bool read_only) : path_(path) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path + ": cannot open the results database: " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  if (read_only) {
    // A baseline must be a run directory's database, not any file.
    try {
      Stmt s(db_, "SELECT count(*) FROM results", path_);
      s.step();
    } catch (const Error&) {
      throw Error(path + ": not a lutforge regression database (no results table)");
    }
    return;
  }
  // WAL: a commit is one append, and a reader (a report) never blocks the runner.
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
      "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY, suite TEXT, version TEXT, "
      "args TEXT, started TEXT, finished TEXT);"
      "CREATE TABLE IF NOT EXISTS results(case_name TEXT, step TEXT, kind TEXT, input_hash TEXT, "
      "status TEXT, exit_code INTEGER, seconds REAL, metrics TEXT, message TEXT, finished TEXT, "
      "run INTEGER, seq INTEGER, PRIMARY KEY(case_name, step));"
      "CREATE TABLE IF NOT EXISTS history(case_name TEXT, step TEXT, kind TEXT, input_hash TEXT, "
      "status TEXT, exit_code INTEGER, seconds REAL, metrics TEXT, message TEXT, finished TEXT, "
      "run INTEGER);");
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(path_ + ": " + msg);
  }
}

int Store::begin_run(const std::string& suite, const std::string& version,
                     const std::string& args) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT INTO runs(suite, version, args, started) VALUES(?, ?, ?, ?)", path_);
  s.bind(1, suite).bind(2, version).bind(3, args).bind(4, now_utc()).step();
  return static_cast<int>(sqlite3_last_insert_rowid(db_));
}

void Store::end_run(int run) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "UPDATE runs SET finished = ? WHERE id = ?", path_);
  s.bind(1, now_utc()).bind(2, run).step();
}

int Store::num_runs() const {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT count(*) FROM runs", path_);
  s.step();
  return s.integer(0);
}

std::vector<StepResult> Store::query_results(const std::string& sql,
                                             const std::vector<std::string>& args) const {
  Stmt s(db_, sql, path_);
  for (size_t i = 0; i < args.size(); ++i) s.bind(static_cast<int>(i + 1), args[i]);
  std::vector<StepResult> out;
  while (s.step()) {
    StepResult r;
    r.case_name = s.text(0);
    r.step = s.text(1);
    r.kind = s.text(2);
    r.input_hash = s.text(3);
    r.status = parse_status(s.text(4));
    r.exit_code = s.integer(5);
    r.seconds = s.real(6);
    r.metrics = nlohmann::ordered_json::parse(s.text(7), nullptr, false);
    if (r.metrics.is_discarded()) throw Error(path_ + ": unreadable metrics of " + r.step);
    r.message = s.text(8);
    r.finished = s.text(9);
    r.run = s.integer(10);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<StepResult> Store::find(const std::string& case_name, const std::string& step) const {
  std::lock_guard lock(mu_);
  auto v = query_results(
      std::string("SELECT ") + kResultColumns + " FROM results WHERE case_name = ? AND step = ?",
      {case_name, step});
  if (v.empty()) return std::nullopt;
  return v.front();
}

void Store::put(const StepResult& r) {
  std::lock_guard lock(mu_);
  exec("BEGIN IMMEDIATE");
  try {
    const std::string finished = r.finished.empty() ? now_utc() : r.finished;
    for (const char* table : {"results", "history"}) {
      const bool results = std::string(table) == "results";
      Stmt s(db_,
             std::string(results ? "INSERT OR REPLACE INTO " : "INSERT INTO ") + table + "(" +
                 kResultColumns + (results ? ", seq" : "") +
                 ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?" +
                 (results ? ", (SELECT coalesce(max(seq), 0) + 1 FROM results))" : ")"),
             path_);
      s.bind(1, r.case_name)
          .bind(2, r.step)
          .bind(3, r.kind)
          .bind(4, r.input_hash)
          .bind(5, std::string(name(r.status)))
          .bind(6, r.exit_code)
          .bind(7, r.seconds)
          .bind(8, r.metrics.dump())
          .bind(9, r.message)
          .bind(10, finished)
          .bind(11, r.run)
          .step();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

void Store::erase(const std::string& case_name, const std::string& step) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "DELETE FROM results WHERE case_name = ? AND step = ?", path_);
  s.bind(1, case_name).bind(2, step).step();
}

std::vector<StepResult> Store::all() const {
  std::lock_guard lock(mu_);
  return query_results(
      std::string("SELECT ") + kResultColumns + " FROM results ORDER BY case_name, seq", {});
}

std::vector<StepResult> Store::history(const std::string& case_name,
                                       const std::string& step) const {
  std::lock_guard lock(mu_);
  return query_results(std::string("SELECT ") + kResultColumns +
                           " FROM history WHERE case_name = ? AND step = ? ORDER BY rowid",
                       {case_name, step});
}

std::string Store::meta(const std::string& key) const {
  std::lock_guard lock(mu_);
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?", path_);
  s.bind(1, key);
  return s.step() ? s.text(0) : "";
}

void Store::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mu_);
  Stmt s(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", path_);
  s.bind(1, key).bind(2, value).step();
}

}  // namespace lutforge::regress
