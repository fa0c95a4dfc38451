// A regression suite: a TOML file of cases, each a source (a Verilog design with its top, a
// netlist, a model file or a training configuration) and the steps to run on it, with checks on
// the steps' metrics. See docs in README.md ("Regression suites") for the file format.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lutforge::regress {

enum class SourceKind { Verilog, Netlist, Model, Config, Script };

// What a step does; each runs one lutforge command.
enum class StepKind {
  Train,    // config -> model file               (lutforge train)
  Lower,    // model -> netlist                   (lutforge lower)
  Verilog,  // netlist -> Verilog                 (lutforge convert)
  Synth,    // Verilog -> Yosys JSON + resources  (lutforge synth)
  Equiv,    // two netlists -> verdict            (lutforge equiv)
  Sim,      // netlist -> outputs, SystemC report (lutforge sim)
  Stats,    // netlist -> statistics              (lutforge stats)
  Replay,  // netlist + Verilog -> PASS/FAIL     (lutforge sim and testbench, iverilog or Verilator)
  Predict,  // netlist + model + dataset -> accuracy, agreement with models/ (encode, sim)
  Bench,    // script -> the figures it writes    (a benchmark script against its peer tools)
};

// What a step produces (and a source is).
enum class Artifact { Verilog, Netlist, Model, Config, Script, None };

const char* name(SourceKind k);
const char* name(StepKind k);
const char* name(Artifact a);
Artifact artifact_of(SourceKind k);
Artifact artifact_of(StepKind k);

struct Step {
  std::string name;  // unique in its case; defaults to the kind's name
  StepKind kind;
  // The artifacts it reads: "source", the name of an earlier step of the case, or the absolute
  // path of a file named in the suite (.json: a netlist, .v/.sv: Verilog), such as a golden
  // netlist. Equiv reads two netlists; replay a netlist and the Verilog to replay it on;
  // every other kind one.
  std::vector<std::string> inputs;
  // Options of the command, as validated strings: target, lut, latency, random, seed, engine,
  // vectors, register_every, popcount_radix, fold, epochs, data, time_limit, conflicts, expect,
  // simulator, dataset, limit, luts, pixel_bits.
  std::map<std::string, std::string> options;
  // A bench step's arguments to its script, with the placeholders {build} (the build directory:
  // the one above lutforge's), {out} (the step's own work directory, where the script writes
  // figures.json), {lutforge} and {env:NAME} still in them; the runner expands them.
  std::vector<std::string> args;
};

// A bound on one metric of one step. The run fails the case when the bound does not hold.
struct Check {
  std::string step, metric;
  std::optional<double> min, max;
  // At most this fraction above (below, for min_rel_baseline) the baseline run's value.
  std::optional<double> max_rel_baseline, min_rel_baseline;
  std::string where;  // "FILE:LINE" for messages
};

struct Case {
  std::string name;
  SourceKind source_kind;
  std::string source;  // absolute path; a script's may start with {build}/ instead
  std::string top;     // Verilog sources
  std::vector<Step> steps;
  std::vector<Check> checks;
};

struct Suite {
  std::string name;
  std::string path;  // absolute path of the TOML file
  std::vector<Case> cases;
};

// Reads and validates a suite. Paths in it are relative to the file's directory. Throws Error
// naming the file, the line, the case and the key on any mistake.
Suite read_suite(const std::string& path);

// Whether `name` matches a --filter pattern: shell wildcards (* and ?); a pattern without
// wildcards matches names that contain it.
bool matches_filter(const std::string& name, const std::string& pattern);

}  // namespace lutforge::regress
