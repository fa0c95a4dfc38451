// A LUT family's neuron function in training: how a neuron turns the values of its F inputs into
// one number, before the layer's batch norm and quantizer (network.hpp). Each family is one file
// in train/families/ behind this interface, with its own parameters; network.cpp only calls it,
// and the keys the family reads from the configuration are listed by family_keys (config.hpp).
// Internal to train/: it includes LibTorch.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>

#include "train/config.hpp"

namespace lutforge::train {

class NeuronFunction {
 public:
  virtual ~NeuronFunction() = default;
  // The values [B, n, F] of neurons n0 .. n0 + n - 1 to one number each, [B, n].
  virtual torch::Tensor preact(const torch::Tensor& x, int64_t n0, int64_t n) const = 0;
  // The elements of a neuron's widest intermediate tensor per input code (for batch sizes).
  virtual int64_t work_per_code() const = 0;
};

// How many neurons, and the inputs F of each.
struct NeuronShape {
  int64_t neurons = 0, fan_in = 0;
};

// One per family, each in train/families/<family>.cpp; they register their parameters on `module`
// under the family's names, initialized from LibTorch's generator.
std::unique_ptr<NeuronFunction> make_logicnets(const TrainConfig& c, torch::nn::Module& module,
                                               NeuronShape shape);
std::unique_ptr<NeuronFunction> make_polylut(const TrainConfig& c, torch::nn::Module& module,
                                             NeuronShape shape);
std::unique_ptr<NeuronFunction> make_neuralut(const TrainConfig& c, torch::nn::Module& module,
                                              NeuronShape shape);

// The function of c.family's neurons. polylut-add's neurons are sums of polylut sub-neurons: its
// function is that of the sub-neurons, and `shape` counts them (neurons * A of F inputs each).
std::unique_ptr<NeuronFunction> make_neuron_function(const TrainConfig& c,
                                                     torch::nn::Module& module, NeuronShape shape);

// Uniform initialization on [-bound, bound], as the families use it.
inline torch::Tensor uniform_init(std::vector<int64_t> shape, double bound) {
  return torch::empty(shape).uniform_(-bound, bound);
}

}  // namespace lutforge::train
