// Truth-table export: every input code of every neuron through the same function the quantized
// evaluation uses, in batches of neurons.
#include <algorithm>

#include "train/network.hpp"

namespace lutforge::train {

namespace {

// All 2^(fan_in * bits) index values as the codes of fan_in inputs, fan-in 0 in the lowest bits:
// [2^(fan_in * bits), fan_in].
torch::Tensor enumerate_codes(int64_t fan_in, unsigned bits) {
  const int64_t count = int64_t{1} << (fan_in * bits);
  const torch::Tensor index = torch::arange(count, torch::kLong).unsqueeze(1);
  const torch::Tensor shift =
      (torch::arange(fan_in, torch::kLong) * static_cast<int64_t>(bits)).unsqueeze(0);
  return torch::bitwise_and(torch::bitwise_right_shift(index, shift), (int64_t{1} << bits) - 1);
}

// One table per output bit for each column of codes [2^vars, n].
std::vector<std::vector<TruthTable>> tables_of(const torch::Tensor& codes, unsigned vars,
                                               unsigned bits) {
  const torch::Tensor c = codes.contiguous();
  const int64_t rows = c.size(0), n = c.size(1);
  const int64_t* p = c.data_ptr<int64_t>();
  std::vector<std::vector<TruthTable>> out(static_cast<size_t>(n),
                                           std::vector<TruthTable>(bits, TruthTable(vars)));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t v = p[i * n + j];
      for (unsigned b = 0; b < bits; ++b)
        if ((v >> b) & 1) set_bit(out[static_cast<size_t>(j)][b], static_cast<uint64_t>(i));
    }
  return out;
}

// Neurons per batch, so that the widest intermediate tensor stays near 2^24 elements.
int64_t neurons_per_batch(int64_t codes, int64_t per_code_cost) {
  return std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, codes * per_code_cost));
}

}  // namespace

// The model file of a trained LUT network: every neuron's tables, by enumerating all its input
// codes through neuron_codes (sub_codes and requant_codes for polylut-add) in batches.
models::Model LutNetImpl::export_model(const TrainConfig& c, const models::InputQuantizer& input) {
  LutNetImpl& net = *this;
  torch::NoGradGuard no_grad;
  net.eval();
  models::Model m;
  m.family = std::string(family_name(c.family)) + (c.sparselut() ? "+sparselut" : "");
  m.dataset = c.dataset;
  m.input = input;
  for (auto& layer : net.layers) {
    LutLayerImpl& L = *layer;
    models::Layer out;
    out.in_bits = L.in_bits;
    out.out_bits = L.out_bits;
    out.fan_in = static_cast<unsigned>(L.fan_in);
    out.sub_neurons = static_cast<unsigned>(L.sub_neurons);
    out.sub_bits = L.sub_bits;
    out.neurons.resize(static_cast<size_t>(L.neurons));
    const torch::Tensor inputs = L.inputs.contiguous();
    for (int64_t n = 0; n < L.neurons; ++n) {
      const int64_t* row = inputs.data_ptr<int64_t>() + n * L.fan_in;
      out.neurons[static_cast<size_t>(n)].inputs.assign(row, row + L.fan_in);
    }

    const unsigned vars = static_cast<unsigned>(L.sub_fan_in) * L.in_bits;
    const torch::Tensor codes = enumerate_codes(L.sub_fan_in, L.in_bits);
    const int64_t count = codes.size(0);
    const int64_t batch = neurons_per_batch(count, L.work_per_code());
    for (int64_t n0 = 0; n0 < L.neurons; n0 += batch) {
      const int64_t n = std::min(batch, L.neurons - n0);
      if (L.sub_neurons) {
        const torch::Tensor g =
            codes.view({count, 1, 1, L.sub_fan_in}).expand({count, n, L.sub_neurons, L.sub_fan_in});
        const torch::Tensor sub = L.sub_codes(g, n0, n);  // [count, n, A]
        for (int64_t a = 0; a < L.sub_neurons; ++a) {
          auto t = tables_of(sub.select(2, a), vars, L.sub_bits);
          for (int64_t j = 0; j < n; ++j) {
            auto& N = out.neurons[static_cast<size_t>(n0 + j)];
            N.sub.resize(static_cast<size_t>(L.sub_neurons));
            N.sub[static_cast<size_t>(a)] = std::move(t[static_cast<size_t>(j)]);
          }
        }
        const unsigned sum_bits = out.sum_bits();
        const int64_t sums = int64_t{1} << sum_bits;
        const torch::Tensor s = torch::arange(sums, torch::kFloat).unsqueeze(1).expand({sums, n});
        auto t = tables_of(L.requant_codes(s, n0, n), sum_bits, L.out_bits);
        for (int64_t j = 0; j < n; ++j)
          out.neurons[static_cast<size_t>(n0 + j)].requant = std::move(t[static_cast<size_t>(j)]);
      } else {
        const torch::Tensor g = codes.view({count, 1, L.fan_in}).expand({count, n, L.fan_in});
        auto t = tables_of(L.neuron_codes(g, n0, n), vars, L.out_bits);
        for (int64_t j = 0; j < n; ++j)
          out.neurons[static_cast<size_t>(n0 + j)].tables = std::move(t[static_cast<size_t>(j)]);
      }
    }
    m.layers.push_back(std::move(out));
  }
  models::validate(m, "exported model");
  return m;
}

}  // namespace lutforge::train
