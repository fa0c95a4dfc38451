#include "regress/runner.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "base/error.hpp"
#include "base/files.hpp"

namespace lutforge::regress {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

size_t RunSummary::failed() const {
  size_t n = 0;
  for (const auto& c : cases) n += c.status != Status::Pass;
  return n;
}

namespace {

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  }
  void add(const std::string& s) {
    add(s.data(), s.size());
    add("\0", 1);  // so that ("ab", "c") and ("a", "bc") differ
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
  }
};

// Numbers and strings of a JSON report, flattened to "a.b.c" names; arrays are left out (per-sample
// lists, counterexamples), as are objects deeper than three levels.
void flatten(const nlohmann::json& j, const std::string& prefix, nlohmann::ordered_json& out,
             int depth = 0) {
  if (j.is_object()) {
    if (depth > 3) return;
    for (const auto& [k, v] : j.items())
      flatten(v, prefix.empty() ? k : prefix + "." + k, out, depth + 1);
  } else if (j.is_number() || j.is_string() || j.is_boolean()) {
    out[prefix] = j;
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream f(path);
  if (!f) return nlohmann::json();
  return nlohmann::json::parse(f, nullptr, false);
}

// Runs argv with stdout and stderr into files; returns the exit status (128 + signal when
// killed). The child dies with the runner (PR_SET_PDEATHSIG), so a killed run leaves no step
// writing into the run directory.
int spawn(const std::vector<std::string>& argv, const std::string& out_path,
          const std::string& err_path, const std::string& cwd, bool append = false) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Error(std::string("cannot start ") + argv[0] + ": fork failed");
  if (pid == 0) {  // only async-signal-safe calls until exec
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int mode = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    const int out = open(out_path.c_str(), mode, 0644);
    const int err = open(err_path.c_str(), mode, 0644);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(cwd.c_str()) != 0)
      _exit(127);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw Error(std::string("lost the process of ") + argv[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The executable `name` on the PATH (or `name` itself when it has a '/'); empty when absent.
std::string which(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    const fs::path f = fs::path(d.empty() ? "." : d) / name;
    if (access(f.c_str(), X_OK) == 0) return f.string();
  }
  return {};
}

// The cells of column `name` of a CSV file with a header row; `why` says what was wrong.
std::vector<std::string> csv_column(const std::string& path, const std::string& name,
                                    std::string& why) {
  std::ifstream f(path);
  std::string line;
  if (!std::getline(f, line)) {
    why = fs::path(path).filename().string() + ": empty";
    return {};
  }
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::istringstream in(l);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    return cells;
  };
  const auto header = split(line);
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    why = fs::path(path).filename().string() + ": no column '" + name + "'";
    return {};
  }
  const size_t col = it - header.begin();
  std::vector<std::string> out;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    const auto cells = split(line);
    out.push_back(col < cells.size() ? cells[col] : "");
  }
  return out;
}

// The last lines of a tool's output, on one line for a message.
std::string tail_of(const std::string& path, size_t n = 3) {
  std::string out;
  for (const auto& l : last_lines(path, n)) out += (out.empty() ? "" : " | ") + l;
  return out;
}

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// One step's command, its output files, and how its result is read.
struct Command {
  std::vector<std::string> argv;
  std::string cwd;  // relative to the step's directory; empty: that directory
};

struct Plan {
  std::vector<Command> commands;      // run in order; the first that fails ends the step
  std::vector<std::string> outputs;   // must exist after a successful run
  std::string artifact;               // the file later steps read ("" for none)
  std::string report;                 // a JSON file whose numbers are the metrics
  bool stdout_json = false;           // the metrics are the command's stdout
  bool expect_pass = false;           // the output must have a line "PASS" and none "FAIL"
  bool predictions = false;           // compare STEP.hardware.csv with STEP.reference.csv
  bool retry_without_last = false;    // if the first command fails, run it once more without its
                                      // last argument (a --resume that does not apply)
  std::vector<std::string> args_key;  // a bench step's arguments with only {env:NAME} expanded
  std::string error;                  // why the step cannot run at all (an unset variable)
};

// A bench step's arguments with their placeholders expanded: {build}, {out}, {lutforge} and
// {env:NAME}; with `key_only`, only {env:NAME}, so that the result does not depend on the run.
// An unset variable or an unknown placeholder is reported in `error`.
std::vector<std::string> expand_args(const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& values,
                                     bool key_only, std::string& error) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    std::string e;
    for (size_t i = 0; i < a.size();) {
      const size_t close = a[i] == '{' ? a.find('}', i) : std::string::npos;
      if (close == std::string::npos) {
        e += a[i++];
        continue;
      }
      const std::string name = a.substr(i + 1, close - i - 1);
      if (name.rfind("env:", 0) == 0) {
        const char* v = std::getenv(name.c_str() + 4);
        if (!v || !*v) {
          error =
              "the environment variable " + name.substr(4) + " is not set (argument '" + a + "')";
          return {};
        }
        e += v;
      } else if (values.count(name)) {
        e += key_only ? "{" + name + "}" : values.at(name);
      } else {
        error = "unknown placeholder {" + name + "} in argument '" + a +
                "' (expected {build}, {out}, {lutforge} or {env:NAME})";
        return {};
      }
      i = close + 1;
    }
    out.push_back(e);
  }
  return out;
}

class Runner {
 public:
  // Results are looked up in `previous` (null: none) and written to `store`; they are the same
  // database except in a Slurm task, which writes a database of its own.
  Runner(const RunParams& p, Store& store, const Store* previous, const Store* baseline, int run,
         std::string version)
      : p_(p),
        store_(store),
        previous_(previous),
        baseline_(baseline),
        run_(run),
        version_(std::move(version)) {}

  CaseOutcome run_case(const Case& c) {
    CaseOutcome o;
    o.name = c.name;
    const auto start = Clock::now();
    const fs::path dir = fs::path(p_.run_dir) / "cases" / c.name;
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(dir))  // left by a killed run
      if (e.path().filename().string().rfind(".run", 0) == 0) fs::remove_all(e.path());
    std::map<std::string, std::string> artifact;  // "source" / step name -> file
    std::map<std::string, nlohmann::ordered_json> metrics;
    artifact["source"] = c.source;
    if (c.source.rfind("{build}/", 0) == 0)
      artifact["source"] = (build_dir() / c.source.substr(8)).string();
    std::map<std::string, std::string> tops;  // Verilog artifacts -> their top module
    if (c.source_kind == SourceKind::Verilog) tops["source"] = c.top;

    for (const Step& s : c.steps) {
      StepResult r;
      r.case_name = c.name;
      r.step = s.name;
      r.kind = name(s.kind);
      r.run = run_;
      // Inputs that an earlier step failed to produce skip this one.
      std::string missing;
      for (const auto& in : s.inputs) {
        if (!in.empty() && in[0] == '/') artifact[in] = in;  // a file named in the suite
        if (!artifact.count(in)) missing = in;
      }
      if (!missing.empty()) {
        r.status = Status::Skipped;
        r.message = "input '" + missing + "' was not produced";
        store_.put(r);
        o.failures.push_back(s.name + ": skipped, " + r.message);
        continue;
      }
      const std::string top = s.kind == StepKind::Synth    ? tops[s.inputs[0]]
                              : s.kind == StepKind::Replay ? tops[s.inputs[1]]
                                                           : "";
      // The step writes into a directory of this run's own and its files are moved into the
      // case directory when it ends: a step of a killed run that is still writing (a yosys the
      // runner's death did not reach) never writes into files that a later run reads.
      const fs::path work = dir / (".run" + std::to_string(run_) + "-" + s.name);
      const Plan plan = make_plan(s, work, artifact, top);
      auto final_path = [&](const std::string& f) {
        return (dir / fs::path(f).lexically_relative(work)).string();
      };
      // The key: the version, the step's kind and options, the top, the input files' bytes.
      Fnv h;
      h.add(version_);
      h.add(r.kind);
      for (const auto& [k, v] : s.options) h.add(k + "=" + v);
      h.add(top);
      for (const auto& in : s.inputs) h.add(hash_file(artifact[in]));
      if (s.options.count("vectors")) h.add(hash_file(s.options.at("vectors")));
      for (const auto& a : plan.args_key) h.add(a);
      r.input_hash = h.hex();

      const auto prev = previous_ ? previous_->find(c.name, s.name) : std::nullopt;
      bool reuse = prev && prev->input_hash == r.input_hash && prev->status != Status::Error &&
                   prev->status != Status::Skipped;
      for (const auto& f : plan.outputs) reuse = reuse && fs::exists(final_path(f));
      if (reuse) {
        r = *prev;
        ++o.steps_reused;
      } else {
        fs::remove_all(work);
        fs::create_directories(work);
        run_step(s, plan, work, r);
        for (const auto& e : fs::directory_iterator(work)) {
          const fs::path to = dir / e.path().filename();
          if (fs::is_directory(to)) fs::remove_all(to);  // a directory is not replaced by rename
          fs::rename(e.path(), to);
        }
        fs::remove_all(work);
        store_.put(r);
        ++o.steps_run;
      }
      metrics[s.name] = r.metrics;
      if (r.status != Status::Pass) o.failures.push_back(s.name + ": " + r.message);
      if (r.status == Status::Error) o.status = Status::Error;
      if (r.status == Status::Error || plan.artifact.empty() ||
          !fs::exists(final_path(plan.artifact)))
        continue;
      artifact[s.name] = final_path(plan.artifact);
      if (s.kind == StepKind::Verilog && r.metrics.contains("design"))
        tops[s.name] = r.metrics["design"].get<std::string>();
    }
    check(c, metrics, o);
    if (o.status == Status::Pass && !o.failures.empty()) o.status = Status::Fail;
    o.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return o;
  }

 private:
  // The build directory: the one above lutforge's own (build/apps/lutforge).
  fs::path build_dir() const {
    return fs::absolute(p_.lutforge).lexically_normal().parent_path().parent_path();
  }

  Plan make_plan(const Step& s, const fs::path& dir,
                 const std::map<std::string, std::string>& artifact, const std::string& top) {
    Plan p;
    p.commands.emplace_back();
    std::vector<std::string>& argv = p.commands[0].argv;
    const std::string base = (dir / s.name).string();
    const std::string in = artifact.at(s.inputs[0]);
    const auto& o = s.options;
    auto opt = [&](const char* key, const char* flag) {
      if (o.count(key)) {
        argv.push_back(flag);
        argv.push_back(o.at(key));
      }
    };
    argv.push_back(p_.lutforge);
    switch (s.kind) {
      case StepKind::Train: {
        p.artifact = base + ".lfm.json";
        p.report = base + ".report.json";
        // The checkpoint lives in the case directory, not the step's own: a training that a
        // killed run interrupted resumes from its last finished epoch.
        const std::string ckpt = (dir.parent_path() / (s.name + ".ckpt")).string();
        argv.insert(argv.end(), {"train", in, "-o", p.artifact, "--report", p.report,
                                 "--checkpoint", ckpt, "-q"});
        opt("epochs", "--epochs");
        opt("data", "--data");
        if (fs::exists(ckpt)) {
          p.retry_without_last = true;  // a checkpoint of another configuration: start afresh
          argv.push_back("--resume");
        }
        break;
      }
      case StepKind::Lower:
        p.artifact = base + ".json";
        argv.insert(argv.end(), {"lower", in, "-o", p.artifact});
        opt("register_every", "--register-every");
        opt("popcount_radix", "--popcount-radix");
        if (o.count("argmax_tree")) argv.push_back("--argmax-tree");
        if (o.count("dsp_packing")) argv.push_back("--dsp-packing");
        opt("dsp_family", "--dsp-family");
        opt("reuse_factor", "--reuse-factor");
        if (o.count("weights_in_bram")) argv.push_back("--weights-in-bram");
        if (o.count("fold")) argv.push_back("--fold");
        opt("pixel_bits", "--pixel-bits");
        break;
      case StepKind::Verilog:
        p.artifact = base + ".v";
        argv.insert(argv.end(), {"convert", in, "-o", p.artifact});
        if (o.count("luts") && o.at("luts") != "shift")
          argv.push_back("--" + o.at("luts") + "-luts");
        if (o.count("adder_modules")) argv.push_back("--adder-modules");
        break;
      case StepKind::Synth:
        p.artifact = base + ".json";
        p.report = base + ".resources.json";
        argv.insert(argv.end(),
                    {"synth", in, "--top", top, "-o", p.artifact, "--report", p.report});
        opt("target", "--target");
        opt("lut", "--lut");
        break;
      case StepKind::Equiv:
        p.stdout_json = true;
        argv.insert(argv.end(), {"equiv", in, artifact.at(s.inputs[1]), "--json"});
        opt("latency", "--latency");
        opt("time_limit", "--time-limit");
        opt("conflicts", "--conflicts");
        break;
      case StepKind::Sim:
        p.outputs.push_back(base + ".csv");
        argv.insert(argv.end(), {"sim", in, "-o", base + ".csv"});
        opt("random", "--random");
        opt("seed", "--seed");
        opt("vectors", "--vectors");
        if (o.count("engine") && o.at("engine") == "systemc") {
          p.report = base + ".report.json";
          argv.insert(argv.end(), {"--engine", "systemc", "--report", p.report});
        }
        if (o.count("engine") && o.at("engine") == "per-sample") argv.push_back("--per-sample");
        break;
      case StepKind::Stats:
        p.stdout_json = true;
        argv.insert(argv.end(), {"stats", in, "--json"});
        break;
      case StepKind::Predict: {
        // models/'s reference and the netlist on the same encoded samples.
        const std::string model = artifact.at(s.inputs[1]);
        argv.insert(argv.end(), {"encode", model, "--" + o.at("dataset"), o.at("data"), "-o",
                                 base + ".x.csv", "--reference-out", base + ".reference.csv"});
        opt("limit", "--limit");
        opt("pixel_bits", "--pixel-bits");
        std::vector<std::string> sim = {
            p_.lutforge, "sim", in, "--vectors", base + ".x.csv", "-o", base + ".hardware.csv"};
        if (o.count("engine") && o.at("engine") == "systemc") {
          p.report = base + ".report.json";
          sim.insert(sim.end(), {"--engine", "systemc", "--report", p.report});
        }
        if (o.count("engine") && o.at("engine") == "per-sample") sim.push_back("--per-sample");
        p.commands.push_back({sim, {}});
        p.predictions = true;
        p.outputs.push_back(base + ".hardware.csv");
        p.outputs.push_back(base + ".reference.csv");
        break;
      }
      case StepKind::Replay: {
        // lutforge simulates the netlist; its outputs become a testbench's expected values, and
        // the Verilog runs against them in iverilog or Verilator.
        const std::string design = artifact.at(s.inputs[1]);
        const std::string tb = base + ".tb";
        argv.insert(argv.end(), {"sim", in, "--inputs-out", base + ".inputs.csv", "-o",
                                 base + ".expected.csv"});
        opt("random", "--random");
        opt("seed", "--seed");
        opt("vectors", "--vectors");
        p.commands.push_back({{p_.lutforge, "testbench", in, "--vectors", base + ".inputs.csv",
                               "--expected", base + ".expected.csv", "--dut", top, "-o", tb},
                              {}});
        if (o.count("simulator") && o.at("simulator") == "verilator") {
          p.commands.push_back(
              {{which("verilator"), "--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style",
                "--top-module", "tb", "-Mdir", tb + "/obj", tb + "/tb.v", design},
               {}});
          p.commands.push_back({{tb + "/obj/Vtb"}, tb});
        } else {
          p.commands.push_back(
              {{which("iverilog"), "-g2012", "-o", tb + "/tb.vvp", tb + "/tb.v", design}, {}});
          p.commands.push_back({{which("vvp"), "-n", tb + "/tb.vvp"}, tb});
        }
        p.expect_pass = true;
        p.outputs.push_back(base + ".expected.csv");
        break;
      }
      case StepKind::Bench: {
        // The script writes its work files and figures.json into a directory named after the
        // step, so that two bench steps of a case do not share files.
        const std::map<std::string, std::string> values = {
            {"build", build_dir().string()},
            {"out", base},
            {"lutforge", fs::absolute(p_.lutforge).string()}};
        argv = {in};
        for (auto& a : expand_args(s.args, values, false, p.error)) argv.push_back(a);
        p.args_key = expand_args(s.args, values, true, p.error);
        p.report = base + "/figures.json";
        if (access(in.c_str(), X_OK) != 0 || fs::is_directory(in))
          p.error = in + " is not an executable file";
        break;
      }
    }
    if (!p.artifact.empty()) p.outputs.push_back(p.artifact);
    if (!p.report.empty()) p.outputs.push_back(p.report);
    return p;
  }

  void run_step(const Step& s, const Plan& plan, const fs::path& dir, StepResult& r) {
    const std::string out = (dir / (s.name + ".out")).string();
    const std::string log = (dir / (s.name + ".log")).string();
    const auto start = Clock::now();
    std::string failed_command;
    if (!plan.error.empty()) {
      r.status = Status::Error;
      r.message = plan.error;
      r.metrics = nlohmann::ordered_json::object();
      return;
    }
    if (!plan.report.empty()) fs::create_directories(fs::path(plan.report).parent_path());
    for (size_t i = 0; i < plan.commands.size(); ++i) {
      const Command& c = plan.commands[i];
      if (c.argv[0].empty()) {
        r.exit_code = 127;
        failed_command = "a tool that is not on the PATH";
        break;
      }
      r.exit_code = spawn(c.argv, out, log, c.cwd.empty() ? dir.string() : c.cwd, i > 0);
      if (r.exit_code != 0 && i == 0 && plan.retry_without_last) {
        std::vector<std::string> again(c.argv.begin(), c.argv.end() - 1);
        r.exit_code = spawn(again, out, log, c.cwd.empty() ? dir.string() : c.cwd, true);
      }
      if (r.exit_code != 0 && !(s.kind == StepKind::Equiv && i + 1 == plan.commands.size())) {
        failed_command = fs::path(c.argv[0]).filename().string();
        break;
      }
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.metrics = nlohmann::ordered_json::object();
    r.metrics["seconds"] = r.seconds;
    const bool equiv = s.kind == StepKind::Equiv;
    const bool expect_different =
        equiv && s.options.count("expect") && s.options.at("expect") == "not-equivalent";
    // equiv: 0 equivalent, 1 not equivalent, 3 undecided; 2 is an error for every command.
    const bool ran = r.exit_code == 0 || (equiv && (r.exit_code == 1 || r.exit_code == 3));
    if (!ran || !failed_command.empty()) {
      r.status = Status::Error;
      r.message = (failed_command.empty() ? "" : failed_command + ": ") + "exit code " +
                  std::to_string(r.exit_code) + ": " + tail_of(log);
      return;
    }
    for (const auto& f : plan.outputs)
      if (!fs::exists(f)) {
        r.status = Status::Error;
        r.message = "did not write " + fs::path(f).filename().string();
        return;
      }
    const nlohmann::json j = plan.stdout_json      ? read_json_file(out)
                             : plan.report.empty() ? nlohmann::json()
                                                   : read_json_file(plan.report);
    if ((plan.stdout_json || !plan.report.empty()) && j.is_discarded()) {
      r.status = Status::Error;
      r.message = "unreadable JSON from " + (plan.stdout_json ? out : plan.report);
      return;
    }
    flatten(j, "", r.metrics);
    r.metrics["seconds"] = r.seconds;
    if (s.kind == StepKind::Verilog) {  // the module to synthesize: the netlist's design name
      const std::string sout = (dir / (s.name + ".stats.json")).string();
      std::vector<std::string> argv = {p_.lutforge, "stats", plan.commands[0].argv[2], "--json"};
      if (spawn(argv, sout, log + ".stats", dir.string()) == 0) {
        const auto st = read_json_file(sout);
        if (st.is_object() && st.contains("design")) r.metrics["design"] = st["design"];
      }
      if (!r.metrics.contains("design")) {
        r.status = Status::Error;
        r.message = "cannot tell the top module of " + fs::path(plan.artifact).filename().string();
        return;
      }
    }
    r.status = Status::Pass;
    if (plan.expect_pass) {
      std::ifstream f(out);
      bool pass = false, fail = false;
      for (std::string line; std::getline(f, line);) {
        pass |= line.rfind("PASS", 0) == 0;
        fail |= line.rfind("FAIL", 0) == 0;
      }
      r.metrics["replayed"] = pass && !fail ? "PASS" : "FAIL";
      if (!pass || fail) {
        r.status = Status::Fail;
        r.message = "the testbench did not pass: " + tail_of(out);
      }
    }
    if (plan.predictions) {
      const std::string base = (dir / s.name).string();
      std::string why;
      const auto hw = csv_column(base + ".hardware.csv", "prediction", why);
      const auto ref = csv_column(base + ".reference.csv", "prediction", why);
      const auto labels = csv_column(base + ".reference.csv", "label", why);
      if (!why.empty() || hw.size() != ref.size() || ref.size() != labels.size() || hw.empty()) {
        r.status = Status::Error;
        r.message = why.empty() ? "the hardware's and the reference's rows differ in number" : why;
        return;
      }
      size_t agree = 0, right = 0, first_diff = hw.size();
      for (size_t i = 0; i < hw.size(); ++i) {
        agree += hw[i] == ref[i];
        right += hw[i] == labels[i];
        if (hw[i] != ref[i] && first_diff == hw.size()) first_diff = i;
      }
      r.metrics["samples"] = hw.size();
      r.metrics["accuracy"] = double(right) / double(hw.size());
      r.metrics["agreement"] = double(agree) / double(hw.size());
      if (agree != hw.size()) {
        r.status = Status::Fail;
        r.message = "the hardware predicts " + std::to_string(hw.size() - agree) + " of " +
                    std::to_string(hw.size()) + " samples unlike models/ (the first: sample " +
                    std::to_string(first_diff) + ")";
      }
    }
    if (equiv) {
      const std::string verdict = r.metrics.value("result", std::string("?"));
      const bool want_equal = !expect_different;
      if (r.exit_code == 3) {
        r.status = Status::Fail;
        r.message = "UNDECIDED: " + r.metrics.value("reason", std::string("no reason given"));
      } else if ((r.exit_code == 0) != want_equal) {
        r.status = Status::Fail;
        r.message = verdict + ", expected " + (want_equal ? "EQUIVALENT" : "NOT EQUIVALENT");
      }
    }
  }

  // Bounds on metrics, absolute and against the baseline; recorded as the case's "checks" row.
  void check(const Case& c, const std::map<std::string, nlohmann::ordered_json>& metrics,
             CaseOutcome& o) {
    if (c.checks.empty()) return;
    StepResult r;
    r.case_name = c.name;
    r.step = "checks";
    r.kind = "checks";
    r.run = run_;
    std::vector<std::string> failed;
    for (const Check& k : c.checks) {
      const std::string label = k.step + "." + k.metric;
      auto it = metrics.find(k.step);
      if (it == metrics.end() || !it->second.contains(k.metric) ||
          !it->second[k.metric].is_number()) {
        failed.push_back(label + ": no such number in the step's results");
        continue;
      }
      const double v = it->second[k.metric].get<double>();
      r.metrics[label] = v;
      if (k.min && v < *k.min) failed.push_back(label + " = " + fmt(v) + " < min " + fmt(*k.min));
      if (k.max && v > *k.max) failed.push_back(label + " = " + fmt(v) + " > max " + fmt(*k.max));
      if (k.max_rel_baseline || k.min_rel_baseline) {
        std::optional<StepResult> b;
        if (baseline_) b = baseline_->find(c.name, k.step);
        if (!b || !b->metrics.contains(k.metric) || !b->metrics[k.metric].is_number()) {
          if (baseline_) failed.push_back(label + ": the baseline has no value");
          continue;  // without --baseline, relative bounds are not checked
        }
        const double base = b->metrics[k.metric].get<double>();
        r.metrics[label + " (baseline)"] = base;
        if (k.max_rel_baseline && v > base + std::abs(base) * *k.max_rel_baseline)
          failed.push_back(label + " = " + fmt(v) + ", more than " +
                           fmt(*k.max_rel_baseline * 100) + "% above the baseline's " + fmt(base));
        if (k.min_rel_baseline && v < base - std::abs(base) * *k.min_rel_baseline)
          failed.push_back(label + " = " + fmt(v) + ", more than " +
                           fmt(*k.min_rel_baseline * 100) + "% below the baseline's " + fmt(base));
      }
    }
    r.status = failed.empty() ? Status::Pass : Status::Fail;
    for (const auto& f : failed) {
      r.message += (r.message.empty() ? "" : "; ") + f;
      o.failures.push_back("check " + f);
    }
    store_.put(r);
  }

  const RunParams& p_;
  Store& store_;
  const Store* previous_;
  const Store* baseline_;
  int run_;
  std::string version_;
};

// The status line: cases done, running and failed, and the time left at the mean case time.
class Progress {
 public:
  Progress(size_t total, unsigned jobs, bool live)
      : total_(total), jobs_(jobs), live_(live), start_(Clock::now()) {
    if (live_) thread_ = std::thread([this] { loop(); });
  }
  ~Progress() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (live_) std::cerr << "\r\033[K" << std::flush;
  }
  void started() {
    std::lock_guard lock(mu_);
    ++running_;
  }
  void set_running(size_t n) {
    std::lock_guard lock(mu_);
    running_ = n;
  }
  void note(const std::string& line) {
    std::lock_guard lock(mu_);
    std::cerr << (live_ ? "\r\033[K" : "") << line << "\n";
  }
  void finished(const CaseOutcome& o) {
    std::lock_guard lock(mu_);
    if (running_ > 0) --running_;
    ++done_;
    failed_ += o.status != Status::Pass;
    busy_ += o.seconds;
    std::ostringstream line;
    line << "[" << done_ << "/" << total_ << "] " << o.name << ": " << name(o.status) << " ("
         << o.steps_run << " run, " << o.steps_reused << " reused, " << fmt_s(o.seconds) << ")";
    for (const auto& f : o.failures) line << "\n    " << f;
    std::cerr << (live_ ? "\r\033[K" : "") << line.str() << "\n";
    if (live_) std::cerr << status() << std::flush;
  }

 private:
  static std::string fmt_s(double s) {
    std::ostringstream o;
    o.precision(s < 10 ? 2 : 0);
    o << std::fixed << s << " s";
    return o.str();
  }
  std::string status() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::ostringstream o;
    o << "regress: " << done_ << "/" << total_ << " done, " << running_ << " running, " << failed_
      << " failed, " << fmt_s(elapsed);
    if (done_ > 0 && done_ < total_)
      o << ", about " << fmt_s(busy_ / done_ * double(total_ - done_) / jobs_) << " left";
    return o.str();
  }
  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      std::cerr << "\r\033[K" << status() << std::flush;
      cv_.wait_for(lock, std::chrono::milliseconds(500));
    }
  }

  size_t total_;
  unsigned jobs_;
  bool live_;
  Clock::time_point start_;
  size_t done_ = 0, running_ = 0, failed_ = 0;
  double busy_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

std::string self_executable() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the lutforge executable (/proc/self/exe)");
  return p.string();
}

}  // namespace

std::string hash_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  Fnv h;
  char buf[1 << 16];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) h.add(buf, static_cast<size_t>(f.gcount()));
  return h.hex();
}

std::string lutforge_version(const std::string& executable) {
  Fnv h;
  const fs::path dir = fs::path(executable).parent_path();
  for (const auto& f : {fs::path(executable), dir / "lutforge-train", dir / "lutforge-systemc"})
    h.add(hash_file(f.string()));
  return h.hex();
}

namespace {

nlohmann::json to_json(const CaseOutcome& o) {
  return {{"name", o.name},           {"status", name(o.status)},       {"seconds", o.seconds},
          {"steps_run", o.steps_run}, {"steps_reused", o.steps_reused}, {"failures", o.failures}};
}

CaseOutcome outcome_from_json(const nlohmann::json& j) {
  CaseOutcome o;
  o.name = j.at("name").get<std::string>();
  o.status = parse_status(j.at("status").get<std::string>());
  o.seconds = j.at("seconds").get<double>();
  o.steps_run = j.at("steps_run").get<size_t>();
  o.steps_reused = j.at("steps_reused").get<size_t>();
  o.failures = j.at("failures").get<std::vector<std::string>>();
  return o;
}

// Runs a Slurm client command and returns its standard output; nullopt when it fails (the message
// goes to `error`).
std::optional<std::string> slurm_command(const std::vector<std::string>& argv, const fs::path& dir,
                                         std::string& error) {
  std::vector<std::string> a = argv;
  a[0] = which(a[0]);
  if (a[0].empty()) {
    error = argv[0] + " is not on the PATH (Slurm's client commands: Debian slurm-client)";
    return std::nullopt;
  }
  const std::string out = (dir / (argv[0] + ".out")).string();
  const std::string err = (dir / (argv[0] + ".err")).string();
  const int rc = spawn(a, out, err, dir.string());
  if (rc != 0) {
    error = argv[0] + " exited with " + std::to_string(rc) + ": " + tail_of(err);
    return std::nullopt;
  }
  return read_file(out);
}

// The coordinator of a Slurm run: submits the array, merges finished tasks, resubmits lost ones.
void run_on_slurm(const std::vector<const Case*>& cases, const Suite& suite, const RunParams& p,
                  Store& store, RunSummary& summary, Progress& progress) {
  const fs::path run_dir(p.run_dir), sdir = run_dir / "slurm", tasks = run_dir / "tasks";
  fs::create_directories(sdir);
  fs::remove_all(tasks);  // results of an earlier run's tasks are merged already
  fs::create_directories(tasks);
  const fs::path script = sdir / "task.sh";
  {
    std::string cmd = "exec " + shell_quote(p.lutforge) + " regress " + shell_quote(suite.path) +
                      " -o " + shell_quote(p.run_dir) + " --task \"$SLURM_ARRAY_TASK_ID\"" +
                      " --task-run " + std::to_string(summary.run) + " --no-progress";
    if (!p.filter.empty()) cmd += " --filter " + shell_quote(p.filter);
    if (!p.baseline.empty()) cmd += " --baseline " + shell_quote(p.baseline);
    open_output(script.string()) << "#!/bin/sh\n# One case of the suite: a task of lutforge "
                                    "regress's job array.\n"
                                 << cmd << "\n";
    fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  }
  struct Task {
    std::string job;  // the array job it was last submitted in
    unsigned attempts = 0;
    bool done = false;
  };
  std::vector<Task> state(cases.size());
  auto submit = [&](const std::string& indices) {
    std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name=lutforge-regress",
                                     "--output=" + (sdir / "%A_%a.log").string(),
                                     "--array=" + indices};
    if (p.slurm_throttle) argv.back() += "%" + std::to_string(p.jobs);
    argv.insert(argv.end(), p.sbatch_args.begin(), p.sbatch_args.end());
    argv.push_back(script.string());
    std::string error;
    const auto out = slurm_command(argv, sdir, error);
    if (!out) throw Error("--backend slurm: " + error);
    std::string job = out->substr(0, out->find_first_of(";\n"));
    if (job.empty() || job.find_first_not_of("0123456789") != std::string::npos)
      throw Error("--backend slurm: sbatch printed no job id: " + *out);
    return job;
  };
  const std::string first = submit("0-" + std::to_string(cases.size() - 1));
  for (auto& t : state) {
    t.job = first;
    t.attempts = 1;
  }
  progress.note("regress: submitted " + std::to_string(cases.size()) +
                " cases to Slurm as job array " + first);

  size_t done = 0;
  auto merge = [&](size_t i) {
    const fs::path result = tasks / (std::to_string(i) + ".json");
    if (!fs::exists(result)) return false;
    const fs::path db = tasks / (std::to_string(i) + ".db");
    if (fs::exists(db)) {
      Store task_store(db.string(), true);
      for (const auto& r : task_store.all()) store.put(r);
    }
    summary.cases[i] = outcome_from_json(nlohmann::json::parse(read_file(result.string())));
    state[i].done = true;
    ++done;
    progress.finished(summary.cases[i]);
    return true;
  };
  while (done < cases.size()) {
    std::this_thread::sleep_for(std::chrono::duration<double>(p.poll_seconds));
    for (size_t i = 0; i < cases.size(); ++i)
      if (!state[i].done) merge(i);
    if (done == cases.size()) break;
    // The tasks still in the queue; a task that is not, and has no results, was lost.
    std::string jobs, error;
    for (const auto& t : state)
      if (!t.done && jobs.find(t.job) == std::string::npos)
        jobs += (jobs.empty() ? "" : ",") + t.job;
    const auto queue =
        slurm_command({"squeue", "-h", "-r", "-j", jobs, "-o", "%F %K %T"}, sdir, error);
    if (!queue) continue;  // the controller may be busy; look again
    std::set<std::pair<std::string, std::string>> present;
    size_t running = 0;
    std::istringstream lines(*queue);
    for (std::string job, index, st; lines >> job >> index >> st;) {
      present.insert({job, index});
      running += st == "RUNNING";
    }
    progress.set_running(running);
    for (size_t i = 0; i < cases.size(); ++i) {
      Task& t = state[i];
      if (t.done || present.count({t.job, std::to_string(i)}) || merge(i)) continue;
      const std::string log = (sdir / (t.job + "_" + std::to_string(i) + ".log")).string();
      if (t.attempts >= p.max_attempts) {
        CaseOutcome& o = summary.cases[i];
        o.name = cases[i]->name;
        o.status = Status::Error;
        o.failures.push_back("its Slurm task ended without results " + std::to_string(t.attempts) +
                             " times; the last log: " + log);
        t.done = true;
        ++done;
        progress.finished(o);
        continue;
      }
      t.job = submit(std::to_string(i));
      ++t.attempts;
      progress.note("regress: case " + cases[i]->name + " left the queue without results (" + log +
                    "); submitted again as " + t.job + "_" + std::to_string(i));
    }
  }
}

}  // namespace

RunSummary run_suite(const Suite& suite, const RunParams& params) {
  RunParams p = params;
  if (p.lutforge.empty()) p.lutforge = self_executable();
  if (p.jobs == 0) throw Error("--jobs must be at least 1");
  std::vector<const Case*> cases;
  for (const Case& c : suite.cases)
    if (p.filter.empty() || matches_filter(c.name, p.filter)) cases.push_back(&c);
  if (cases.empty()) throw Error("--filter '" + p.filter + "' matches no case of " + suite.path);

  fs::create_directories(p.run_dir);
  p.run_dir = fs::absolute(p.run_dir).string();
  const std::string db_path = (fs::path(p.run_dir) / "results.db").string();
  std::unique_ptr<Store> baseline;
  if (!p.baseline.empty()) {
    const std::string db = (fs::path(p.baseline) / "results.db").string();
    if (!fs::exists(db))
      throw Error("--baseline " + p.baseline +
                  ": no results.db; expected a lutforge regress run directory");
    baseline = std::make_unique<Store>(db, true);
  }
  const std::string version = lutforge_version(p.lutforge);
  RunSummary summary;

  if (p.task >= 0) {  // one case, as a task of a Slurm array
    if (size_t(p.task) >= cases.size())
      throw Error("--task " + std::to_string(p.task) + ": the suite has " +
                  std::to_string(cases.size()) + " cases");
    const fs::path tasks = fs::path(p.run_dir) / "tasks";
    fs::create_directories(tasks);
    const std::string id = std::to_string(p.task);
    fs::remove(tasks / (id + ".db"));
    fs::remove(tasks / (id + ".json"));
    std::unique_ptr<Store> previous;
    if (fs::exists(db_path)) previous = std::make_unique<Store>(db_path, true);
    Store out((tasks / (id + ".db")).string());
    Runner runner(p, out, previous.get(), baseline.get(), p.task_run, version);
    summary.run = p.task_run;
    summary.cases.push_back(runner.run_case(*cases[p.task]));
    // The results file appears whole, and last: the coordinator merges once it exists.
    const fs::path tmp = tasks / (id + ".json.tmp");
    open_output(tmp.string()) << to_json(summary.cases.back()).dump() << "\n";
    fs::rename(tmp, tasks / (id + ".json"));
    return summary;
  }

  Store store(db_path);
  const std::string previous = store.meta("suite");
  if (!previous.empty() && previous != suite.path)
    throw Error(p.run_dir + ": this run directory belongs to suite " + previous +
                "; use another directory for " + suite.path);
  store.set_meta("suite", suite.path);
  std::string args =
      p.backend == Backend::Slurm ? "backend=slurm" : "jobs=" + std::to_string(p.jobs);
  if (!p.filter.empty()) args += " filter=" + p.filter;
  if (!p.baseline.empty()) args += " baseline=" + p.baseline;
  summary.run = store.begin_run(suite.path, version, args);
  summary.cases.resize(cases.size());

  const auto start = Clock::now();
  if (p.backend == Backend::Slurm) {
    Progress progress(cases.size(), std::max(1u, p.jobs), p.progress && isatty(2));
    run_on_slurm(cases, suite, p, store, summary, progress);
  } else {
    Runner runner(p, store, &store, baseline.get(), summary.run, version);
    Progress progress(cases.size(), p.jobs, p.progress && isatty(2));
    std::atomic<size_t> next{0};
    std::mutex error_mu;
    std::exception_ptr error;
    auto worker = [&] {
      for (size_t i; (i = next++) < cases.size();) {
        progress.started();
        try {
          summary.cases[i] = runner.run_case(*cases[i]);
        } catch (...) {
          std::lock_guard lock(error_mu);
          if (!error) error = std::current_exception();
          summary.cases[i].name = cases[i]->name;
          summary.cases[i].status = Status::Error;
          summary.cases[i].failures.push_back("the runner failed on this case");
        }
        progress.finished(summary.cases[i]);
      }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::min<size_t>(p.jobs, cases.size()); ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  store.end_run(summary.run);
  return summary;
}

}  // namespace lutforge::regress
