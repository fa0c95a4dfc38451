// LogicNets: a neuron is a linear combination of its F input values plus a bias.
#include "train/neuron_function.hpp"

namespace lutforge::train {
namespace {

class LogicNets : public NeuronFunction {
 public:
  LogicNets(torch::nn::Module& module, NeuronShape s) : fan_in_(s.fan_in) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(s.fan_in));
    weight_ = module.register_parameter("weight", uniform_init({s.neurons, s.fan_in}, bound));
    bias_ = module.register_parameter("bias", uniform_init({s.neurons}, bound));
  }
  torch::Tensor preact(const torch::Tensor& x, int64_t n0, int64_t n) const override {
    return (x * weight_.narrow(0, n0, n)).sum(-1) + bias_.narrow(0, n0, n);
  }
  int64_t work_per_code() const override { return fan_in_; }

 private:
  int64_t fan_in_;
  torch::Tensor weight_, bias_;
};

}  // namespace

std::unique_ptr<NeuronFunction> make_logicnets(const TrainConfig&, torch::nn::Module& module,
                                               NeuronShape shape) {
  return std::make_unique<LogicNets>(module, shape);
}

}  // namespace lutforge::train
