#include <iomanip>
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "base/files.hpp"
#include "netlist/levels.hpp"
#include "netlist/native_json.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::cli {

int cmd_stats(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string path, top;
  opts.add_options()("netlist", po::value(&path)->required(),
                     "netlist file (Yosys JSON or native JSON)")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "json", "print the statistics as JSON");
  po::positional_options_description pos;
  pos.add("netlist", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge stats NETLIST [--top T] [--json]", opts, pos, vm)) return kExitOk;

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
