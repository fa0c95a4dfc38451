#include <iomanip>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/fan_in_json.hpp"
#include "apps/options.hpp"
#include "base/files.hpp"
#include "models/model.hpp"
#include "netlist/levels.hpp"
#include "netlist/native_json.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::cli {

namespace {

const char* layer_kind_name(models::LayerKind k) {
  switch (k) {
    case models::LayerKind::Lut: return "lut";
    case models::LayerKind::Gate: return "gate";
    case models::LayerKind::Mac: return "mac";
    case models::LayerKind::Threshold: return "threshold";
  }
  return "?";
}

// A model file's shape: its input, and each layer's neurons, widths and fan-ins; for plain LUT
// layers the neurons by the inputs they read and the constants (what logic shrinkage learned),
// for gate layers the gates by the inputs their functions depend on and the constants.
int model_stats(const std::string& path, bool as_json) {
  const models::Model m = models::read_model_file(path);
  nlohmann::ordered_json j;
  j["file"] = path;
  j["family"] = m.family;
  j["dataset"] = m.dataset;
  j["input"] = {
      {"kind", m.input.kind == models::InputQuantizer::Kind::Uniform ? "uniform" : "thermometer"},
      {"features", m.input.num_features()},
      {"bits", m.input.bits}};
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  std::vector<std::string> lines;  // a layer each, for the text form
  for (const models::Layer& L : m.layers) {
    nlohmann::ordered_json jl = {{"kind", layer_kind_name(L.kind)},
                                 {"neurons", L.neurons.size()},
                                 {"in_bits", L.in_bits},
                                 {"out_bits", L.out_bits},
                                 {"fan_in", L.fan_in}};
    const models::FanInProfile p = models::fan_in_profile(L);
    if (p.constants_apart) jl["constant"] = p.constant;
    jl["by_fan_in"] = fan_in_json<nlohmann::ordered_json>(p);
    if (L.sub_neurons) jl["sub_neurons"] = L.sub_neurons;
    layers.push_back(jl);
    lines.push_back(std::string(layer_kind_name(L.kind)) + ": " + std::to_string(L.neurons.size()) +
                    " neurons of " + std::to_string(L.in_bits) + " -> " +
                    std::to_string(L.out_bits) + " bits; " + models::describe(p));
  }
  j["layers"] = layers;
  j["head"] = m.head.kind == models::Head::Kind::GroupSum
                  ? nlohmann::ordered_json{{"kind", "group_sum"}, {"groups", m.head.groups}}
                  : nlohmann::ordered_json{{"kind", "codes"}};
  j["classes"] = m.num_classes();
  if (as_json) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "model           " << m.family << (m.dataset.empty() ? "" : " on " + m.dataset)
            << "\n";
  std::cout << "input           " << m.input.num_features() << " features, "
            << j["input"]["kind"].get<std::string>() << " codes of " << m.input.bits << " bits\n";
  for (size_t l = 0; l < lines.size(); ++l)
    std::cout << "layer " << std::left << std::setw(10) << l << lines[l] << "\n";
  std::cout << "head            "
            << (m.head.kind == models::Head::Kind::GroupSum ? "GroupSum popcounts, " : "scores, ")
            << m.num_classes() << " classes\n";
  return kExitOk;
}

}  // namespace

int cmd_stats(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string path, top;
  opts.add_options()("netlist", po::value(&path)->required(),
                     "netlist file (Yosys JSON or native JSON), or a model file (.lfm.json)")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "json", "print the statistics as JSON");
  po::positional_options_description pos;
  pos.add("netlist", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge stats NETLIST|MODEL [--top T] [--json]", opts, pos, vm))
    return kExitOk;

  if (models::is_model_file(path)) return model_stats(path, vm.count("json") > 0);
  const bool native = is_native_json_file(path);
  ImportStats istats;
  Netlist nl;
  if (native) {
    nl = read_native_json(read_file(path), path);
  } else {
    ImportParams p;
    p.top = top;
    nl = read_yosys_json_file(path, p, &istats);
  }
  const CellCounts counts = count_cells(nl);
  const Levels lv = levelize(nl);

  nlohmann::ordered_json j;
  j["file"] = path;
  j["design"] = nl.design_name();
  j["clock"] = nl.clock_name();
  auto ports = [&](const std::vector<NodeId>& ids) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (NodeId n : ids) a.push_back({{"name", nl.name(n)}, {"width", port_width(nl, n)}});
    return a;
  };
  j["inputs"] = ports(nl.inputs());
  j["outputs"] = ports(nl.outputs());
  nlohmann::ordered_json cells;
  for (unsigned k = 0; k < kNumCellKinds; ++k)
    if (k != static_cast<unsigned>(CellKind::Input) && k != static_cast<unsigned>(CellKind::Output))
      cells[kind_name(static_cast<CellKind>(k))] = counts.by_kind[k];
  j["cells"] = cells;
  nlohmann::ordered_json hist;
  for (unsigned k = 0; k <= TruthTable::kMaxVars; ++k)
    if (counts.lut_by_size[k]) hist[std::to_string(k)] = counts.lut_by_size[k];
  j["lut_sizes"] = hist.is_null() ? nlohmann::ordered_json::object() : hist;
  j["registers"] = counts.by_kind[static_cast<unsigned>(CellKind::Dff)];
  j["logic_depth"] = lv.depth;
  if (lv.has_feedback)
    j["logic_depth_total"] = nullptr;
  else
    j["logic_depth_total"] = lv.total_depth;
  if (lv.has_feedback)
    j["pipeline_stages"] = nullptr;
  else
    j["pipeline_stages"] = lv.num_stages;
  j["register_feedback"] = lv.has_feedback;
  if (!native) {
    j["constant_x_bits"] = istats.x_bits;
    j["constant_z_bits"] = istats.z_bits;
    j["yosys_cells"] = istats.cells_by_type;
  }

  if (vm.count("json")) {
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "design          " << nl.design_name()
            << (nl.clock_name().empty() ? "" : "  (clock " + nl.clock_name() + ")") << "\n";
  std::cout << "ports           " << nl.inputs().size() << " inputs, " << nl.outputs().size()
            << " outputs\n";
  std::cout << "cells\n";
  for (auto it = cells.begin(); it != cells.end(); ++it)
    if (it.value().get<size_t>())
      std::cout << "  " << std::left << std::setw(14) << it.key() << it.value().get<size_t>()
                << "\n";
  if (!hist.is_null()) {
    std::cout << "LUT sizes\n";
    for (auto it = hist.begin(); it != hist.end(); ++it)
      std::cout << "  " << std::left << std::setw(14) << ("LUT" + it.key())
                << it.value().get<size_t>() << "\n";
  }
  std::cout << "registers       " << j["registers"].get<size_t>() << "\n";
  std::cout << "logic depth     " << lv.depth;
  if (lv.num_stages > 0 && !lv.has_feedback)
    std::cout << " per stage, " << lv.total_depth << " through the registers";
  std::cout << "\n";
  std::cout << "pipeline stages "
            << (lv.has_feedback ? "n/a (registers with feedback)" : std::to_string(lv.num_stages))
            << "\n";
  if (istats.x_bits || istats.z_bits)
    std::cout << "constant bits   " << istats.x_bits << " x, " << istats.z_bits
              << " z (read as 0)\n";
  return kExitOk;
}

}  // namespace lutforge::cli
