// The input encodings of LUT networks: each feature becomes a few bits by comparing it with
// thresholds, which the model file stores, so that training, export, the integer reference and
// the hardware stimulus all encode a sample the same way.
//   uniform:     `bits` bits, the number of thresholds x is at or above, as a binary code; the
//                2^bits - 1 thresholds split [lo, hi] into equal steps;
//   thermometer: one bit per threshold, bit k = (x >= threshold k); equal thresholds give equal
//                bits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lutforge::models {

struct InputQuantizer {
  enum class Kind { Uniform, Thermometer };
  Kind kind = Kind::Uniform;
  unsigned bits = 1;                           // output bits per feature
  std::vector<std::vector<float>> thresholds;  // per feature, ascending

  size_t num_features() const { return thresholds.size(); }
  size_t num_bits() const { return thresholds.size() * bits; }
  // The code of one feature (uniform: 0 .. 2^bits - 1; thermometer: the bits as an integer).
  uint32_t encode_feature(size_t feature, float x) const;
  // All features, LSB first within each feature, feature 0 first.
  std::vector<uint8_t> encode(const float* x) const;
};

// Equal steps over [lo, hi] for every one of `features` features.
InputQuantizer uniform_quantizer(size_t features, unsigned bits, float lo, float hi);
// `levels` thresholds per feature at equal steps strictly inside [lo, hi].
InputQuantizer thermometer_quantizer(size_t features, unsigned levels, float lo, float hi);
// A thermometer whose `levels` thresholds per feature follow the distribution of the feature's
// values in `data` (row-major, `features` per sample): bit k is set when x exceeds the value at
// the quantile k / (levels + 1). As thresholds, each lies halfway between that value and the
// next larger value of the data (one above the largest, when none is larger), so that no value
// of the data sits on a threshold; a feature of few distinct values repeats thresholds.
// With a grid (pixel_bits W > 0, threshold_bits G <= W), the features are W-bit pixels
// p / (2^W - 1) and every threshold moves to the nearest cut "p >= k * 2^(W-G)" (k from 1 to
// 2^G - 1), halfway between two pixel values: the comparator then reads only the top G bits of
// the pixel, one LUT6 for G <= 6 in the hardware encoder.
struct ThresholdGrid {
  unsigned pixel_bits = 0, threshold_bits = 0;  // 0: no grid
};
InputQuantizer distributive_quantizer(const std::vector<float>& data, size_t features,
                                      unsigned levels, ThresholdGrid grid = {});

}  // namespace lutforge::models
