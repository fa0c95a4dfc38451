// The one place that maps a family to its network, and a LUT family to its neuron function. A new
// family adds an enumerator (config.hpp), its keys (family_keys), a file beside this one and its
// cases here; -Werror=switch names every switch that misses it.
#include "train/network.hpp"
#include "train/neuron_function.hpp"

namespace lutforge::train {

std::unique_ptr<NeuronFunction> make_neuron_function(const TrainConfig& c,
                                                     torch::nn::Module& module, NeuronShape shape) {
  switch (c.family) {
    case Family::LogicNets: return make_logicnets(c, module, shape);
    case Family::PolyLut: return make_polylut(c, module, shape);
    case Family::NeuraLut: return make_neuralut(c, module, shape);
    case Family::PolyLutAdd: return make_polylut(c, module, shape);  // the sub-neurons
    case Family::DiffLogic: break;                                   // gates, not LUT neurons
    case Family::Mac: break;                                         // MAC layers, not LUTs
    case Family::Dwn: break;  // tables are the parameters, not enumerated from a function
    case Family::LutNet: break;
  }
  throw std::logic_error("make_neuron_function: a family without a neuron function");
}

std::shared_ptr<NetworkImpl> make_network(const TrainConfig& c, int64_t features,
                                          std::mt19937_64& rng) {
  switch (c.family) {
    case Family::LogicNets:
    case Family::PolyLut:
    case Family::NeuraLut:
    case Family::PolyLutAdd: return std::make_shared<LutNetImpl>(c, features, rng);
    case Family::DiffLogic: return make_gate_network(c, features, rng);
    case Family::Mac: return make_mac_network(c, features);
    case Family::Dwn: return make_dwn_network(c, features, rng);
    case Family::LutNet: return make_lutnet_network(c, features, rng);
  }
  throw std::logic_error("make_network: a family without a network");
}

}  // namespace lutforge::train
