// NeuraLUT: a neuron is an MLP of `hidden_layers` ReLU layers of width `hidden` over its F input
// values, plus a linear skip connection from the inputs.
#include "train/neuron_function.hpp"

namespace lutforge::train {
namespace {

class NeuraLut : public NeuronFunction {
 public:
  NeuraLut(const TrainConfig& c, torch::nn::Module& module, NeuronShape s) : fan_in_(s.fan_in) {
    int64_t width = s.fan_in;
    for (unsigned l = 0; l < c.hidden_layers; ++l) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(width));
      hidden_w_.push_back(module.register_parameter(
          "hidden_w" + std::to_string(l), uniform_init({s.neurons, c.hidden, width}, bound)));
      hidden_b_.push_back(module.register_parameter("hidden_b" + std::to_string(l),
                                                    uniform_init({s.neurons, c.hidden}, bound)));
      width = c.hidden;
    }
    out_w_ = module.register_parameter(
        "out_w", uniform_init({s.neurons, width}, 1.0 / std::sqrt(static_cast<double>(width))));
    skip_w_ = module.register_parameter(
        "skip_w",
        uniform_init({s.neurons, s.fan_in}, 1.0 / std::sqrt(static_cast<double>(s.fan_in))));
    bias_ = module.register_parameter("bias", torch::zeros({s.neurons}));
  }
  torch::Tensor preact(const torch::Tensor& x, int64_t n0, int64_t n) const override {
    torch::Tensor h = x;
    for (size_t l = 0; l < hidden_w_.size(); ++l)
      h = torch::relu((h.unsqueeze(-2) * hidden_w_[l].narrow(0, n0, n)).sum(-1) +
                      hidden_b_[l].narrow(0, n0, n));
    return (h * out_w_.narrow(0, n0, n)).sum(-1) + (x * skip_w_.narrow(0, n0, n)).sum(-1) +
           bias_.narrow(0, n0, n);
  }
  int64_t work_per_code() const override {
    return hidden_w_.empty() ? fan_in_
                             : hidden_w_[0].size(1) * std::max(hidden_w_[0].size(1), fan_in_);
  }

 private:
  int64_t fan_in_;
  std::vector<torch::Tensor> hidden_w_, hidden_b_;
  torch::Tensor out_w_, skip_w_, bias_;
};

}  // namespace

std::unique_ptr<NeuronFunction> make_neuralut(const TrainConfig& c, torch::nn::Module& module,
                                              NeuronShape shape) {
  return std::make_unique<NeuraLut>(c, module, shape);
}

}  // namespace lutforge::train
