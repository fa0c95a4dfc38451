// The one place that maps a family to its neuron function. A new LUT family adds an enumerator
// (config.hpp), its keys (family_keys), a file beside this one and a case here; -Werror=switch
// names every switch that misses it.
#include "train/neuron_function.hpp"

namespace lutforge::train {

std::unique_ptr<NeuronFunction> make_neuron_function(const TrainConfig& c,
                                                     torch::nn::Module& module, NeuronShape shape) {
  switch (c.family) {
    case Family::LogicNets: return make_logicnets(c, module, shape);
    case Family::PolyLut: return make_polylut(c, module, shape);
    case Family::NeuraLut: return make_neuralut(c, module, shape);
    case Family::PolyLutAdd: return make_polylut(c, module, shape);  // the sub-neurons
  }
  throw std::logic_error("make_neuron_function: a family without a neuron function");
}

}  // namespace lutforge::train
