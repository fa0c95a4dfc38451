#include <iomanip>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/equiv_model.hpp"
#include "apps/options.hpp"
#include "equiv/equiv.hpp"
#include "netlist/native_json.hpp"
#include "rtl_gen/testbench.hpp"

namespace lutforge::cli {

int cmd_equiv(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string pa, pb, top_a, top_b, tb, model_path, dataset;
  EquivParams p;
  opts.add_options()("a", po::value(&pa)->required(), "netlist A (Yosys JSON or native JSON)")(
      "b", po::value(&pb)->required(), "netlist B")("top-a", po::value(&top_a),
                                                    "module of A in a multi-module Yosys JSON")(
      "top-b", po::value(&top_b), "module of B in a multi-module Yosys JSON")(
      "latency", po::value(&p.latency),
      "cycles B lags A when their registers do not correspond (default: found by simulation)")(
      "conflicts", po::value(&p.conflict_limit),
      "SAT conflict budget per output bit (default 200000; 0 = none)")(
      "time-limit", po::value(&p.time_limit), "seconds for the whole check (default: none)")(
      "exhaustive-limit", po::value(&p.exhaustive_limit),
      "largest input support proved by enumeration (default 22)")("seed", po::value(&p.seed),
                                                                  "seed of the random simulation")(
      "ignore-port", po::value(&p.ignore_ports)->composing(),
      "a port that may exist on one side only (repeatable)")("json", "print the result as JSON")(
      "model", po::value(&model_path),
      "the model file the netlists were lowered from: a counterexample then names the neuron "
      "whose output first differs")(
      "dataset", po::value(&dataset),
      "with --model: an MNIST-layout directory or the JSC CSV, whose test set is searched for a "
      "real sample that exposes the difference")(
      "counterexample-tb", po::value(&tb),
      "write a Verilog file that replays the counterexample in iverilog");
  po::positional_options_description pos;
  pos.add("a", 1).add("b", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge equiv A B [--latency L] [--conflicts N] [--time-limit S] [--json] "
             "[--counterexample-tb OUT.v] [--model M.lfm.json [--dataset DATA]]",
             opts, pos, vm))
    return kExitOk;
  if (p.exhaustive_limit > 30) throw Error("--exhaustive-limit must be at most 30");
  const Netlist a = read_netlist_file(pa, top_a);
  const Netlist b = read_netlist_file(pb, top_b);
  if (!dataset.empty() && model_path.empty()) throw Error("--dataset needs --model");
  const std::optional<models::Model> model =
      model_path.empty() ? std::nullopt : std::optional(models::read_model_file(model_path));
  const EquivResult r = check_equivalence(a, b, p);
  std::optional<NeuronFinding> neuron;
  std::optional<DatasetFinding> sample;
  if (model && r.counterexample) neuron = find_neuron(a, b, *model, r);
  if (model && !dataset.empty() && r.status != EquivStatus::Equivalent)
    sample = search_dataset(a, b, *model, dataset);

  if (r.counterexample && !tb.empty()) {
    auto f = open_output(tb);
    write_counterexample_testbench(a, b, *r.counterexample, r.latency, f);
  }
  if (vm.count("json")) {
    nlohmann::ordered_json j;
    j["result"] = status_name(r.status);
    j["mode"] = mode_name(r.mode);
    j["latency"] = r.latency;
    j["output_bits"] = r.outputs;
    j["proved_by_simulation"] = r.proved_by_simulation;
    j["proved_by_enumeration"] = r.proved_by_enumeration;
    j["proved_by_sat"] = r.proved_by_sat;
    j["sat_calls"] = r.sat_calls;
    j["merged_by_sweeping"] = r.merged_by_sweeping;
    j["merged_by_cut"] = r.merged_by_cut;
    if (r.induction_depth) {
      j["induction_depth"] = r.induction_depth;
      j["induction_candidates"] = r.induction_candidates;
      j["induction_classes"] = r.induction_classes;
    }
    j["seconds"] = r.seconds;
    if (!r.reason.empty()) j["reason"] = r.reason;
    if (r.counterexample) {
      const Counterexample& c = *r.counterexample;
      nlohmann::ordered_json cj;
      cj["cycle"] = c.cycle;
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const auto& row : c.inputs.rows) {
        nlohmann::ordered_json o;
        for (size_t k = 0; k < row.size(); ++k) {
          std::ostringstream v;
          write_vectors_csv(VectorTable{{c.inputs.names[k]}, {c.inputs.widths[k]}, {{row[k]}}}, v);
          std::string s = v.str();
          s = s.substr(s.find('\n') + 1);
          s.pop_back();
          o[c.inputs.names[k]] = s;
        }
        rows.push_back(o);
      }
      cj["inputs"] = rows;
      nlohmann::ordered_json diff = nlohmann::ordered_json::array();
      for (const auto& d : c.differing)
        diff.push_back({{"port", d.port}, {"bit", d.bit}, {"a", int(d.a)}, {"b", int(d.b)}});
      cj["differing"] = diff;
      nlohmann::ordered_json trace = nlohmann::ordered_json::array();
      for (const auto& t : c.trace)
        trace.push_back({{"net", t.name}, {"a", int(t.a)}, {"b", int(t.b)}});
      cj["trace"] = trace;
      j["counterexample"] = cj;
    }
    if (neuron) j["first_differing_neuron"] = to_json(*neuron);
    if (sample) j["dataset"] = to_json(*sample);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << status_name(r.status) << " (" << mode_name(r.mode)
              << (r.mode == EquivMode::Latency ? " " + std::to_string(r.latency) : "") << ")\n";
    std::cout << "  output bits compared  " << r.outputs << "\n";
    if (r.status == EquivStatus::Equivalent ||
        r.proved_by_enumeration + r.proved_by_sat + r.proved_by_simulation) {
      std::cout << "  proved constant/equal " << r.proved_by_simulation << "\n";
      std::cout << "  proved by enumeration " << r.proved_by_enumeration << "\n";
      std::cout << "  proved by SAT         " << r.proved_by_sat << " (" << r.sat_calls
                << " SAT calls, " << r.merged_by_sweeping << " internal equivalences merged, "
                << r.merged_by_cut << " of them by cut enumeration)\n";
    }
    if (r.mode == EquivMode::Induction && r.status == EquivStatus::Equivalent)
      std::cout << "  k-induction           depth " << r.induction_depth << ", "
                << r.induction_classes << " classes of equivalent nets from "
                << r.induction_candidates << " candidates\n";
    if (!r.reason.empty()) std::cout << "  reason: " << r.reason << "\n";
    if (r.counterexample) {
      const Counterexample& c = *r.counterexample;
      std::cout << "  counterexample at cycle " << c.cycle << " of B";
      if (r.latency) std::cout << " (cycle " << c.cycle - r.latency << " of A)";
      std::cout << "\n  differing output bits:";
      for (size_t i = 0; i < c.differing.size() && i < 16; ++i)
        std::cout << " " << c.differing[i].port << "[" << c.differing[i].bit
                  << "] A=" << c.differing[i].a << " B=" << c.differing[i].b;
      if (c.differing.size() > 16) std::cout << " ... (" << c.differing.size() << " in all)";
      std::cout << "\n  inputs, one row per cycle:\n";
      std::ostringstream csv;
      write_vectors_csv(c.inputs, csv);
      std::istringstream lines(csv.str());
      for (std::string line; std::getline(lines, line);) std::cout << "    " << line << "\n";
      if (!c.trace.empty()) {
        std::cout << "  first differing nets:";
        for (const auto& t : c.trace)
          std::cout << " " << t.name << " (A=" << t.a << " B=" << t.b << ")";
        std::cout << "\n";
      }
      if (neuron) std::cout << "  first differing neuron: " << describe(*neuron) << "\n";
      if (!tb.empty())
        std::cout << "  replay: iverilog -o cex.vvp " << tb << " && vvp -n cex.vvp\n";
    }
    if (sample) std::cout << "  test set: " << describe(*sample) << "\n";
    std::cout << "  time " << std::fixed << std::setprecision(2) << r.seconds << " s\n";
  }
  switch (r.status) {
    case EquivStatus::Equivalent: return kExitOk;
    case EquivStatus::NotEquivalent: return kExitNotEquivalent;
    case EquivStatus::Undecided: return kExitUndecided;
  }
  return kExitError;
}

}  // namespace lutforge::cli
