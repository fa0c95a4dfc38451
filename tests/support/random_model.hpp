// Random model files for tests: random connectivity and random tables of the right shapes.
#pragma once

#include <algorithm>
#include <random>
#include <vector>

#include "models/model.hpp"

namespace lutforge::test {

// Layers of the given widths over `features` inputs quantized uniformly to `bits` bits on
// [lo, hi]. sub_neurons > 0 makes PolyLUT-Add layers of sub_neurons sub-neurons with
// fan_in / sub_neurons inputs each.
inline models::Model random_model(const std::vector<size_t>& widths, size_t features,
                                  unsigned fan_in, unsigned bits, unsigned sub_neurons,
                                  uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937_64 rng(seed);
  auto table = [&](unsigned vars) {
    TruthTable t(vars);
    for (size_t w = 0; w < t.num_words(); ++w) t.words()[w] = rng();
    if (vars < 6) t.words()[0] &= (uint64_t{1} << (1u << vars)) - 1;
    return t;
  };
  models::Model m;
  m.family = sub_neurons ? "polylut-add" : "polylut";
  m.input = models::uniform_quantizer(features, bits, lo, hi);
  size_t prev = features;
  for (size_t w : widths) {
    models::Layer L;
    L.in_bits = L.out_bits = bits;
    L.fan_in = fan_in;
    L.sub_neurons = sub_neurons;
    L.sub_bits = sub_neurons ? bits : 0;
    for (size_t n = 0; n < w; ++n) {
      models::Neuron N;
      std::vector<uint32_t> pool(prev);
      for (uint32_t i = 0; i < prev; ++i) pool[i] = i;
      std::shuffle(pool.begin(), pool.end(), rng);
      N.inputs.assign(pool.begin(), pool.begin() + fan_in);
      const unsigned vars = L.sub_fan_in() * bits;
      if (sub_neurons) {
        N.sub.resize(sub_neurons);
        for (auto& s : N.sub)
          for (unsigned b = 0; b < L.sub_bits; ++b) s.push_back(table(vars));
        for (unsigned b = 0; b < bits; ++b) N.requant.push_back(table(L.sum_bits()));
      } else {
        for (unsigned b = 0; b < bits; ++b) N.tables.push_back(table(vars));
      }
      L.neurons.push_back(std::move(N));
    }
    m.layers.push_back(std::move(L));
    prev = w;
  }
  return m;
}

// A difflogic-style model: gate layers of the given widths with random connections and gates over
// the bits of `features` codes of `bits` bits, and a GroupSum head of `groups` classes.
inline models::Model random_gate_model(const std::vector<size_t>& widths, size_t features,
                                       unsigned bits, unsigned groups, uint64_t seed) {
  std::mt19937_64 rng(seed);
  models::Model m;
  m.family = "difflogic";
  m.input = models::uniform_quantizer(features, bits, -1.0f, 1.0f);
  m.head = {models::Head::Kind::GroupSum, groups, 2.5};
  size_t prev = features * bits;
  for (size_t w : widths) {
    models::Layer L;
    L.kind = models::LayerKind::Gate;
    L.fan_in = 2;
    for (size_t n = 0; n < w; ++n)
      L.neurons.push_back(
          {{static_cast<uint32_t>(rng() % prev), static_cast<uint32_t>(rng() % prev)},
           {make_gate(static_cast<unsigned>(rng() % 16))},
           {},
           {}});
    m.layers.push_back(std::move(L));
    prev = w;
  }
  return m;
}

// A DWN-style model: layers of 1-bit LUTs of `fan_in` distinct inputs with random tables, over
// the bits of `features` thermometer codes of `bits` bits, and a GroupSum head of `groups`
// classes.
inline models::Model random_bit_lut_model(const std::vector<size_t>& widths, size_t features,
                                          unsigned bits, unsigned fan_in, unsigned groups,
                                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  models::Model m;
  m.family = "dwn";
  m.input = models::thermometer_quantizer(features, bits, -1.0f, 1.0f);
  m.head = {models::Head::Kind::GroupSum, groups, 3.0};
  size_t prev = features * bits;
  for (size_t w : widths) {
    models::Layer L;
    L.fan_in = fan_in;
    for (size_t n = 0; n < w; ++n) {
      models::Neuron N;
      std::vector<uint32_t> pool(prev);
      for (uint32_t i = 0; i < prev; ++i) pool[i] = i;
      std::shuffle(pool.begin(), pool.end(), rng);
      N.inputs.assign(pool.begin(), pool.begin() + fan_in);
      TruthTable t(fan_in);
      t.words()[0] = rng() & used_bits(fan_in);
      N.tables.push_back(std::move(t));
      L.neurons.push_back(std::move(N));
    }
    m.layers.push_back(std::move(L));
    prev = w;
  }
  return m;
}

}  // namespace lutforge::test

namespace lutforge::test {

// A quantized MLP ("mac"): dense layers of the given widths over `features` inputs of `in_bits`
// bits, random weights of `weight_bits` bits (a quarter of them zero), biases and requantizing
// multipliers; the last layer gives its accumulators as signed scores.
inline models::Model random_mac_model(const std::vector<size_t>& widths, size_t features,
                                      unsigned in_bits, unsigned weight_bits, unsigned act_bits,
                                      uint64_t seed) {
  std::mt19937_64 rng(seed);
  models::Model m;
  m.family = "mac";
  m.input = models::uniform_quantizer(features, in_bits, -1.0f, 1.0f);
  size_t prev = features;
  unsigned prev_bits = in_bits;
  const int32_t half = int32_t{1} << (weight_bits - 1);
  for (size_t l = 0; l < widths.size(); ++l) {
    models::Layer L;
    L.kind = models::LayerKind::Mac;
    L.in_bits = prev_bits;
    L.weight_bits = weight_bits;
    L.fan_in = static_cast<unsigned>(prev);
    L.requantize = l + 1 < widths.size();
    L.shift = 6 + static_cast<unsigned>(rng() % 4);
    for (size_t n = 0; n < widths[l]; ++n) {
      models::Neuron N;
      for (uint32_t i = 0; i < prev; ++i) {
        N.inputs.push_back(i);
        N.weights.push_back(rng() % 4 == 0 ? 0 : static_cast<int32_t>(rng() % (2 * half)) - half);
      }
      N.bias = static_cast<int64_t>(rng() % 64) - 32;
      N.multiplier = static_cast<uint32_t>(rng() % 200);
      L.neurons.push_back(std::move(N));
    }
    L.out_bits = L.requantize ? act_bits : models::accumulator_bits(L);
    m.layers.push_back(std::move(L));
    prev = widths[l];
    prev_bits = act_bits;
  }
  return m;
}

}  // namespace lutforge::test
