#include "sim/power.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/cells.hpp"
#include "netlist/overloaded.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::sim {

std::map<std::string, double> default_kind_weights() {
  std::map<std::string, double> w;
  for (unsigned k = 0; k < kNumCellKinds; ++k) {
    const Cell c = default_cell(static_cast<CellKind>(k));
    w[kind_name(c)] = std::visit(Overloaded{
                                     [](const Input&) { return 0.5; },
                                     [](const Output&) { return 0.0; },
                                     [](const Const&) { return 0.0; },
                                     [](const Lut&) { return 1.0; },
                                     [](const Gate&) { return 0.5; },
                                     [](const Adder&) { return 1.5; },
                                     [](const ArgMax&) { return 1.0; },
                                     [](const PackedDsp&) { return 4.0; },
                                     [](const Rom&) { return 2.0; },
                                     [](const Dff&) { return 0.5; },
                                 },
                                 c);
  }
  return w;
}

PowerWeights read_power_weights(const std::string& path) {
  PowerWeights w;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  if (!j.is_object()) throw Error(path + ": expected a JSON object of power weights");
  auto number = [&](const nlohmann::json& v, const std::string& what) {
    if (!v.is_number() || v.get<double>() < 0)
      throw Error(path + ": " + what + " must be a number >= 0");
    return v.get<double>();
  };
  for (const auto& [key, value] : j.items()) {
    if (key == "fanout") {
      w.fanout = number(value, "fanout");
    } else if (key == "clock") {
      w.clock = number(value, "clock");
    } else if (key == "kind") {
      if (!value.is_object()) throw Error(path + ": kind must be an object of cell kind weights");
      for (const auto& [kind, v] : value.items()) {
        if (!w.kind.count(kind)) throw Error(path + ": unknown cell kind '" + kind + "' in kind");
        w.kind[kind] = number(v, "kind." + kind);
      }
    } else {
      throw Error(path + ": unknown key '" + key + "' (expected kind, fanout, clock)");
    }
  }
  return w;
}

}  // namespace lutforge::sim
