// Weights of the toggle-based power proxy. A toggle of one bit of a node's output costs
// kind[kind of the node] + fanout * (pins that read it); every register adds `clock` per cycle.
// The numbers are proxy units, meant for comparing designs and configurations, not joules.
#pragma once

#include <map>
#include <string>

namespace lutforge::sim {

// The default weight of every cell kind, by kind name (sim/README.md lists them).
std::map<std::string, double> default_kind_weights();

struct PowerWeights {
  std::map<std::string, double> kind = default_kind_weights();
  double fanout = 0.25;
  double clock = 0.2;
};

// Reads overrides from a JSON file: {"kind": {"lut": 1.2, ...}, "fanout": 0.3, "clock": 0.1}.
// Keys that are left out keep their defaults; unknown keys are errors naming the file.
PowerWeights read_power_weights(const std::string& path);

}  // namespace lutforge::sim
