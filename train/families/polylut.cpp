// PolyLUT: a neuron is a linear combination of every monomial of its F input values up to degree
// D (the [model] key `degree`), computed by the polynomial kernel (polynomial.hpp).
#include "train/neuron_function.hpp"
#include "train/polynomial.hpp"

namespace lutforge::train {
namespace {

class PolyLut : public NeuronFunction {
 public:
  PolyLut(const TrainConfig& c, torch::nn::Module& module, NeuronShape s)
      : fan_in_(s.fan_in), mono_(std::make_shared<const Monomials>(s.fan_in, c.degree)) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(mono_->terms));
    weight_ = module.register_parameter("weight", uniform_init({s.neurons, mono_->terms}, bound));
  }
  torch::Tensor preact(const torch::Tensor& x, int64_t n0, int64_t n) const override {
    return polynomial(x, weight_.narrow(0, n0, n), *mono_);
  }
  int64_t work_per_code() const override { return fan_in_; }  // the kernel keeps terms local

 private:
  int64_t fan_in_;
  std::shared_ptr<const Monomials> mono_;
  torch::Tensor weight_;
};

}  // namespace

std::unique_ptr<NeuronFunction> make_polylut(const TrainConfig& c, torch::nn::Module& module,
                                             NeuronShape shape) {
  return std::make_unique<PolyLut>(c, module, shape);
}

}  // namespace lutforge::train
