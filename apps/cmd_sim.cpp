#include "apps/cli.hpp"
#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "netlist/native_json.hpp"
#include "netlist/vectors.hpp"
#include "netlist/yosys_json.hpp"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#ifdef LUTFORGE_HAVE_SYSTEMC
#include "base/files.hpp"
#include "sim/clocked.hpp"
#include "sim/systemc_main.hpp"
#endif

namespace lutforge::cli {

#ifdef LUTFORGE_HAVE_SYSTEMC
namespace {

nlohmann::json report_json(const sim::ClockedReport& r) {
  nlohmann::json j;
  j["samples"] = r.samples;
  j["cycles"] = r.cycles;
  j["seconds"] = r.seconds;  // the simulation itself, without reading and compiling the netlist
  j["valid_from"] = r.valid_ports ? "valid ports" : "balanced pipeline";
  j["pipeline_depth"] = r.pipeline_depth;
  j["latency"] = {{"min", r.latency_min}, {"max", r.latency_max}, {"mean", r.latency_mean}};
  j["throughput"] = {{"samples_per_cycle", r.samples_per_cycle},
                     {"initiation_interval", r.initiation_interval},
                     {"fill_cycles", r.fill_cycles},
                     {"drain_cycles", r.drain_cycles},
                     {"stall_cycles", r.stall_cycles},
                     {"first_in", r.first_in},
                     {"last_in", r.last_in},
                     {"first_out", r.first_out},
                     {"last_out", r.last_out}};
  const sim::Power& p = r.power;
  j["power"] = {{"energy", p.energy},       {"energy_per_inference", p.per_inference},
                {"switching", p.switching}, {"clock", p.clock},
                {"toggles", p.toggles},     {"alpha", p.alpha},
                {"by_kind", p.by_kind},     {"by_stage", p.by_stage}};
  j["per_sample"] = nlohmann::json::array();
  for (size_t i = 0; i < r.output_order.size(); ++i)
    j["per_sample"].push_back({{"sample", r.output_order[i]}, {"latency", r.latency[i]}});
  return j;
}

void print_report(const sim::ClockedReport& r) {
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "samples          " << r.samples << " in " << r.cycles << " cycles after reset, "
            << (r.seconds > 0 ? static_cast<double>(r.samples) / r.seconds : 0.0) << " samples/s\n";
  std::cout << "latency          min " << r.latency_min << ", max " << r.latency_max << ", mean "
            << r.latency_mean << " cycles (pipeline depth " << r.pipeline_depth << ")";
  std::cout << "\n";
  std::cout << "throughput       " << r.samples_per_cycle << " samples/cycle, initiation interval "
            << r.initiation_interval << ", fill " << r.fill_cycles << ", drain " << r.drain_cycles
            << ", stalled " << r.stall_cycles << " cycles\n";
  std::cout << "energy           " << r.power.per_inference << " per inference (" << r.power.energy
            << " in all, proxy units), alpha " << r.power.alpha << "\n";
  for (const auto& [kind, e] : r.power.by_kind)
    std::cout << "  " << std::left << std::setw(15) << kind << e << "\n";
}

}  // namespace
#endif

int cmd_sim(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string path, top, vectors, out_path, inputs_out, engine = "batch", report_path, weights_path,
                                                        vcd_path;
  std::string ready_pattern, source_pattern, cycles_in_path, cycles_out_path, toggles_path;
  std::vector<std::string> vcd_nets;
  size_t random = 0, cycles = 0;
  uint64_t seed = 1, max_cycles = 0;
  opts.add_options()("netlist", po::value(&path)->required(),
                     "netlist file (Yosys JSON or native JSON)")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "vectors", po::value(&vectors), "input CSV: a header of input port names, one row per cycle")(
      "random", po::value(&random), "simulate N rows of random inputs instead")(
      "seed", po::value(&seed), "seed of --random (default 1)")(
      "cycles", po::value(&cycles),
      "clock cycles to run (default: one per input row; the last row is held)")(
      "inputs-out", po::value(&inputs_out), "also write the applied input rows to this CSV")(
      "output,o", po::value(&out_path)->required(),
      "output CSV: one row per cycle (batch) or per sample (systemc), one column per output port")(
      "engine", po::value(&engine),
      "batch (default): every row is one cycle; systemc: every row is one sample, "
      "clocked through the design with valid/ready")(
      "report", po::value(&report_path), "systemc: write latency, throughput and power as JSON")(
      "ready-pattern", po::value(&ready_pattern),
      "systemc: output ready per cycle, repeating, such as 1101 (default 1)")(
      "source-pattern", po::value(&source_pattern),
      "systemc: cycles on which the source offers a sample, repeating")(
      "max-cycles", po::value(&max_cycles),
      "systemc: give up after this many cycles (default 16 * samples + 1000, or 4096 * samples + "
      "1000 for a design with an in_ready port); --per-sample: per sample (default 100000)")(
      "per-sample",
      "batch engine, designs with valid_in and valid_out ports: every sample in a lane of its own "
      "with valid_in high, its outputs taken when valid_out rises (512 samples at a time)")(
      "power-weights", po::value(&weights_path),
      "systemc: JSON file overriding the power proxy's weights")("vcd", po::value(&vcd_path),
                                                                 "systemc: write a VCD trace")(
      "toggles-out", po::value(&toggles_path),
      "systemc: write the toggle count of every net bit as CSV (net,bit,toggles)")(
      "cycle-inputs-out", po::value(&cycles_in_path),
      "systemc: write the design's inputs, one row per cycle")(
      "cycle-outputs-out", po::value(&cycles_out_path),
      "systemc: write the design's outputs, one row per cycle")(
      "vcd-net", po::value(&vcd_nets),
      "systemc: trace this net (repeatable; default every named net)");
  po::positional_options_description pos;
  pos.add("netlist", 1);
  po::variables_map vm;
  if (!parse(
          args,
          "lutforge sim NETLIST (--vectors IN.csv | --random N [--seed S]) [--cycles C] -o OUT.csv",
          opts, pos, vm))
    return kExitOk;
  if (vm.count("vectors") == vm.count("random"))
    throw Error("give exactly one of --vectors and --random");
#ifndef LUTFORGE_HAVE_SYSTEMC
  // The SystemC engine lives in lutforge-systemc, so that every other command starts without
  // loading SystemC.
  if (engine == "systemc")
    exec_helper("lutforge-systemc", "sim", args, "--engine systemc (LUTFORGE_WITH_SYSTEMC)");
#endif

  const Netlist nl = read_netlist_file(path, top);
  VectorTable in;
  const bool per_sample = vm.count("per-sample") > 0;
  if (per_sample && engine != "batch") throw Error("--per-sample is a mode of the batch engine");
  if ((engine == "systemc" || per_sample) && nl.find_port("valid_in") != kNoNode &&
      nl.find_port("valid_out") != kNoNode) {
    // Samples carry data only: the engine drives valid_in by the handshake.
    VectorTable columns = input_table(nl);
    const size_t v =
        std::find(columns.names.begin(), columns.names.end(), "valid_in") - columns.names.begin();
    auto drop = [&](VectorTable& t) {
      t.names.erase(t.names.begin() + v);
      t.widths.erase(t.widths.begin() + v);
      for (auto& row : t.rows) row.erase(row.begin() + v);
    };
    if (vm.count("vectors")) {
      drop(columns);
      in = read_csv_table(read_file(vectors), vectors, columns);
    } else {
      in = random_vectors(nl, random, seed);
      drop(in);
    }
  } else {
    in = vm.count("vectors") ? read_vectors_csv(read_file(vectors), vectors, nl)
                             : random_vectors(nl, random, seed);
  }
  for (const std::string* pat : {&ready_pattern, &source_pattern})
    if (pat->find_first_not_of("01") != std::string::npos ||
        (!pat->empty() && pat->find('1') == std::string::npos))
      throw Error("a pattern is a string of 0 and 1 with at least one 1, not '" + *pat + "'");
  if (engine == "systemc") {
#ifdef LUTFORGE_HAVE_SYSTEMC
    if (vm.count("cycles"))
      throw Error(
          "--cycles is for the batch engine; the systemc engine runs until every sample is out");
    sim::ClockedParams cp;
    cp.ready_pattern = ready_pattern;
    cp.source_pattern = source_pattern;
    cp.max_cycles = max_cycles;
    cp.vcd_path = vcd_path;
    cp.vcd_nets = vcd_nets;
    cp.record_cycles = !cycles_in_path.empty() || !cycles_out_path.empty();
    if (!weights_path.empty()) cp.weights = sim::read_power_weights(weights_path);
    sim::ClockedReport report;
    sim::run_in_systemc([&] {
      report = sim::run_clocked(nl, in, cp);
      return 0;
    });
    // Rows in sample order: the monitor takes them in order, which the report's order confirms.
    for (size_t i = 0; i < report.output_order.size(); ++i)
      if (report.output_order[i] != i)
        throw Error("systemc engine: sample " + std::to_string(i) + " came out out of order");
    auto file = open_output(out_path);
    write_vectors_csv(report.outputs, file);
    if (!report_path.empty()) {
      auto f = open_output(report_path);
      f << report_json(report).dump(2) << "\n";
    }
    if (!inputs_out.empty()) {
      auto f = open_output(inputs_out);
      write_vectors_csv(in, f);
    }
    if (!toggles_path.empty()) {
      auto f = open_output(toggles_path);
      f << "net,bit,toggles\n";
      for (const auto& t : report.net_toggles)
        f << (nl.name(t.node).empty() ? "n" + std::to_string(t.node) : nl.name(t.node)) << ","
          << t.bit << "," << t.toggles << "\n";
    }
    if (!cycles_in_path.empty()) {
      auto f = open_output(cycles_in_path);
      write_vectors_csv(report.cycle_inputs, f);
    }
    if (!cycles_out_path.empty()) {
      auto f = open_output(cycles_out_path);
      write_vectors_csv(report.cycle_outputs, f);
    }
    print_report(report);
    return kExitOk;
#else
    throw Error(
        "--engine systemc: this lutforge was built without SystemC (LUTFORGE_WITH_SYSTEMC=OFF)");
#endif
  }
  if (engine != "batch") throw Error("--engine must be batch or systemc, not '" + engine + "'");
  for (const char* opt : {"report", "ready-pattern", "source-pattern", "power-weights", "vcd",
                          "vcd-net", "cycle-inputs-out", "cycle-outputs-out", "toggles-out"})
    if (vm.count(opt)) throw Error(std::string("--") + opt + " needs --engine systemc");
  if (per_sample && vm.count("cycles"))
    throw Error("--cycles and --per-sample: give --max-cycles instead");
  if (!per_sample && vm.count("max-cycles"))
    throw Error("--max-cycles needs --engine systemc or --per-sample");
  if (!vm.count("cycles")) cycles = in.rows.size();
  if (!per_sample && cycles > 0 && in.rows.empty() && !nl.inputs().empty())
    throw Error((vectors.empty() ? std::string("--random") : vectors) + ": no input rows");
  const VectorTable out = per_sample ? simulate_samples(nl, in, "valid_in", "valid_out",
                                                        max_cycles ? max_cycles : 100000)
                                     : simulate(nl, in, cycles);
  auto file = open_output(out_path);
  write_vectors_csv(out, file);
  if (!inputs_out.empty()) {
    auto f = open_output(inputs_out);
    write_vectors_csv(in, f);
  }
  return kExitOk;
}

}  // namespace lutforge::cli
