// What a model says about a difference between two netlists lowered from it (or synthesized from
// its lowering): the neuron whose output first differs, and a real sample of the test set that
// exposes the difference.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "equiv/equiv.hpp"
#include "models/model.hpp"

namespace lutforge::cli {

struct NeuronFinding {
  std::optional<models::ForcedNeuron> neuron;  // the earliest neuron whose change explains B
  uint32_t model_code = 0;                     // that neuron's code in the model
  std::string note;                            // why there is no neuron, or a caveat
};

struct DatasetFinding {
  size_t samples = 0;            // searched
  std::optional<size_t> sample;  // the first that exposes the difference
  int32_t label = 0;
  uint32_t prediction_a = 0, prediction_b = 0;
  NeuronFinding neuron;  // on that sample
};

// On the counterexample of `r` (which must have one).
NeuronFinding find_neuron(const Netlist& a, const Netlist& b, const models::Model& m,
                          const EquivResult& r);
// Simulates both netlists on every sample of the dataset at `path` (an MNIST-layout directory, or
// the JSC CSV, whose test split is taken) and stops at the first sample whose outputs differ.
DatasetFinding search_dataset(const Netlist& a, const Netlist& b, const models::Model& m,
                              const std::string& path);

std::string describe(const NeuronFinding& f);
std::string describe(const DatasetFinding& f);
nlohmann::ordered_json to_json(const NeuronFinding& f);
nlohmann::ordered_json to_json(const DatasetFinding& f);

}  // namespace lutforge::cli
