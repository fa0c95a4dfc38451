#include "models/input_quantizer.hpp"

#include <algorithm>
#include <cmath>

#include "base/error.hpp"

namespace lutforge::models {

uint32_t InputQuantizer::encode_feature(size_t feature, float x) const {
  const std::vector<float>& t = thresholds[feature];
  // Thresholds ascend, so the count of those at or below x is a binary search.
  const uint32_t above = static_cast<uint32_t>(std::upper_bound(t.begin(), t.end(), x) - t.begin());
  if (kind == Kind::Uniform) return above;
  return above >= 32 ? ~uint32_t{0}
                     : (uint32_t{1} << above) - 1;  // thermometer: the lowest `above` bits
}

std::vector<uint8_t> InputQuantizer::encode(const float* x) const {
  std::vector<uint8_t> out;
  out.reserve(num_bits());
  for (size_t f = 0; f < thresholds.size(); ++f) {
    const uint32_t code = encode_feature(f, x[f]);
    for (unsigned b = 0; b < bits; ++b) out.push_back(static_cast<uint8_t>((code >> b) & 1));
  }
  return out;
}

InputQuantizer uniform_quantizer(size_t features, unsigned bits, float lo, float hi) {
  if (bits < 1 || bits > 16)
    throw Error("uniform quantizer: bits must be 1 to 16, not " + std::to_string(bits));
  if (!(lo < hi)) throw Error("uniform quantizer: the range must have lo < hi");
  InputQuantizer q;
  q.kind = InputQuantizer::Kind::Uniform;
  q.bits = bits;
  const unsigned steps = 1u << bits;
  std::vector<float> t;
  for (unsigned k = 1; k < steps; ++k)
    t.push_back(lo + (hi - lo) * static_cast<float>(k) / static_cast<float>(steps));
  q.thresholds.assign(features, t);
  return q;
}

InputQuantizer thermometer_quantizer(size_t features, unsigned levels, float lo, float hi) {
  if (levels < 1 || levels > 32)
    throw Error("thermometer quantizer: levels must be 1 to 32, not " + std::to_string(levels));
  if (!(lo < hi)) throw Error("thermometer quantizer: the range must have lo < hi");
  InputQuantizer q;
  q.kind = InputQuantizer::Kind::Thermometer;
  q.bits = levels;
  std::vector<float> t;
  for (unsigned k = 1; k <= levels; ++k)
    t.push_back(lo + (hi - lo) * static_cast<float>(k) / static_cast<float>(levels + 1));
  q.thresholds.assign(features, t);
  return q;
}

namespace {

// The grid threshold nearest to t: the cut p >= c, c a multiple of 2^(W-G) between 2^(W-G) and
// 2^W - 2^(W-G), placed halfway between the pixel values c - 1 and c. A threshold above every
// pixel value stays (its bit is constant 0).
float snap(float t, ThresholdGrid grid) {
  const double top = static_cast<double>((1u << grid.pixel_bits) - 1);
  const double step = static_cast<double>(1u << (grid.pixel_bits - grid.threshold_bits));
  // The first pixel at or above t, in the floats of the pixel encoder (p / top).
  const auto value = [&](double p) { return static_cast<float>(p) / static_cast<float>(top); };
  double cut = std::max(0.0, std::ceil(static_cast<double>(t) * top));
  while (cut > 0 && value(cut - 1) >= t) --cut;
  while (cut <= top && value(cut) < t) ++cut;
  if (cut > top) return t;  // above every pixel: the bit is 0 with or without a grid
  const double k_max = static_cast<double>((1u << grid.threshold_bits) - 1);
  const double k = std::clamp(std::round(cut / step), 1.0, k_max);
  return static_cast<float>((k * step - 0.5) / top);
}

}  // namespace

InputQuantizer distributive_quantizer(const std::vector<float>& data, size_t features,
                                      unsigned levels, ThresholdGrid grid) {
  if (levels < 1 || levels > 32)
    throw Error("distributive thermometer: levels must be 1 to 32, not " + std::to_string(levels));
  if (grid.pixel_bits > 16 || grid.threshold_bits > grid.pixel_bits ||
      (grid.pixel_bits > 0 && grid.threshold_bits == 0))
    throw Error("distributive thermometer: threshold bits must be 1 to the pixel bits (" +
                std::to_string(grid.pixel_bits) + "), not " + std::to_string(grid.threshold_bits));
  if (features == 0 || data.size() < features || data.size() % features)
    throw Error("distributive thermometer: no samples to take the thresholds from");
  const size_t n = data.size() / features;
  InputQuantizer q;
  q.kind = InputQuantizer::Kind::Thermometer;
  q.bits = levels;
  q.thresholds.resize(features);
  std::vector<float> v(n);
  for (size_t f = 0; f < features; ++f) {
    for (size_t i = 0; i < n; ++i) v[i] = data[i * features + f];
    std::sort(v.begin(), v.end());
    for (unsigned k = 1; k <= levels; ++k) {
      const float at = v[n * k / (levels + 1)];
      const auto above = std::upper_bound(v.begin(), v.end(), at);
      const float t = above == v.end() ? at + 1.0f : at + (*above - at) / 2;
      q.thresholds[f].push_back(grid.pixel_bits ? snap(t, grid) : t);
    }
  }
  return q;
}

}  // namespace lutforge::models
