#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "models/input_quantizer.hpp"

using namespace lutforge;
using namespace lutforge::models;

TEST_CASE("uniform quantization: codes by equal steps, clamped at both ends", "[models]") {
  const InputQuantizer q = uniform_quantizer(2, 2, 0.0f, 1.0f);
  REQUIRE(q.thresholds[0] == std::vector<float>{0.25f, 0.5f, 0.75f});
  CHECK(q.num_bits() == 4);
  CHECK(q.encode_feature(0, -5.0f) == 0);
  CHECK(q.encode_feature(0, 0.1f) == 0);
  CHECK(q.encode_feature(0, 0.25f) == 1);  // at a threshold: the step above
  CHECK(q.encode_feature(0, 0.6f) == 2);
  CHECK(q.encode_feature(0, 0.99f) == 3);
  CHECK(q.encode_feature(1, 7.0f) == 3);
  const float x[2] = {0.6f, 0.3f};  // codes 2 (bits 0,1) and 1 (bits 1,0), LSB first
  CHECK(q.encode(x) == std::vector<uint8_t>{0, 1, 1, 0});
  CHECK_THROWS_WITH(uniform_quantizer(1, 0, 0, 1),
                    "uniform quantizer: bits must be 1 to 16, not 0");
  CHECK_THROWS_WITH(uniform_quantizer(1, 2, 1, 1),
                    "uniform quantizer: the range must have lo < hi");
}

TEST_CASE("thermometer encoding: one bit per threshold passed", "[models]") {
  const InputQuantizer q = thermometer_quantizer(1, 3, 0.0f, 1.0f);
  REQUIRE(q.thresholds[0] == std::vector<float>{0.25f, 0.5f, 0.75f});
  CHECK(q.bits == 3);
  CHECK(q.encode_feature(0, 0.0f) == 0b000);
  CHECK(q.encode_feature(0, 0.3f) == 0b001);
  CHECK(q.encode_feature(0, 0.6f) == 0b011);
  CHECK(q.encode_feature(0, 0.8f) == 0b111);
  const float x[1] = {0.6f};
  CHECK(q.encode(x) == std::vector<uint8_t>{1, 1, 0});
}

TEST_CASE("distributive thermometer: thresholds at the data's quantiles, between its values",
          "[models]") {
  // Feature 0: the values 0..99 in a shuffled order. Feature 1: 60 zeros, then 10, 20, .., 400.
  // Feature 2: constant.
  std::vector<float> data;
  for (int i = 0; i < 100; ++i) {
    data.push_back(static_cast<float>((i * 37) % 100));
    data.push_back(i < 60 ? 0.0f : static_cast<float>(10 * (i - 59)));
    data.push_back(5.0f);
  }
  const InputQuantizer q = distributive_quantizer(data, 3, 3);
  CHECK(q.kind == InputQuantizer::Kind::Thermometer);
  CHECK(q.bits == 3);
  // Quantiles 1/4, 2/4, 3/4 of 100 sorted values: the values at 25, 50 and 75, and the thresholds
  // halfway to the next value.
  CHECK(q.thresholds[0] == std::vector<float>{25.5f, 50.5f, 75.5f});
  // Sorted feature 1: indices 25 and 50 are zeros (next value 10), index 75 is 10 * 16 = 160.
  CHECK(q.thresholds[1] == std::vector<float>{5.0f, 5.0f, 165.0f});
  // No value above the constant: one above it, a bit that the data never sets.
  CHECK(q.thresholds[2] == std::vector<float>{6.0f, 6.0f, 6.0f});
  // x exceeds the quantile value exactly when it is at or above the threshold.
  CHECK(q.encode_feature(0, 25.0f) == 0b000);
  CHECK(q.encode_feature(0, 26.0f) == 0b001);
  CHECK(q.encode_feature(0, 99.0f) == 0b111);
  CHECK(q.encode_feature(1, 0.0f) == 0b000);
  CHECK(q.encode_feature(1, 10.0f) == 0b011);  // equal thresholds give equal bits
  CHECK(q.encode_feature(2, 5.0f) == 0b000);
  CHECK_THROWS_WITH(distributive_quantizer({}, 3, 2),
                    "distributive thermometer: no samples to take the thresholds from");
  CHECK_THROWS_WITH(distributive_quantizer(data, 3, 0),
                    "distributive thermometer: levels must be 1 to 32, not 0");
}

TEST_CASE("distributive thermometer on a grid: comparators that read the top bits of a pixel",
          "[models]") {
  // 8-bit pixels p / 255. Feature 0: the pixels 0, 2, .., 198; feature 1: constant 255;
  // feature 2: constant 0.
  std::vector<float> data;
  for (int i = 0; i < 100; ++i) {
    data.push_back(static_cast<float>(2 * ((i * 37) % 100)) / 255.0f);
    data.push_back(1.0f);
    data.push_back(0.0f);
  }
  const InputQuantizer q = distributive_quantizer(data, 3, 3, {8, 6});
  const auto cut = [](int c) { return static_cast<float>((c - 0.5) / 255.0); };
  // Without the grid: the pixels at the quantiles are 50, 100 and 150, so the first pixels above
  // the thresholds are 51, 101 and 151; the nearest multiples of 4 are 52, 100 and 152.
  CHECK(q.thresholds[0] == std::vector<float>{cut(52), cut(100), cut(152)});
  // A threshold above every pixel stays where it was (the bit is 0 for every pixel).
  CHECK(q.thresholds[1] == std::vector<float>{2.0f, 2.0f, 2.0f});
  // 1.0 (pixel 255) goes to the last cut of the grid, 252.
  CHECK(q.thresholds[2] == std::vector<float>{cut(252), cut(252), cut(252)});
  // Every bit of every 8-bit pixel depends on its top 6 bits only.
  for (size_t f = 0; f < 3; ++f)
    for (uint32_t p = 0; p < 256; ++p)
      CHECK(q.encode_feature(f, static_cast<float>(p) / 255.0f) ==
            q.encode_feature(f, static_cast<float>(p & ~3u) / 255.0f));
  CHECK(q.encode_feature(0, 151.0f / 255.0f) == 0b011);
  CHECK(q.encode_feature(0, 152.0f / 255.0f) == 0b111);
  // The grid of all 8 bits keeps every cut at a pixel.
  CHECK(distributive_quantizer(data, 3, 3, {8, 8}).thresholds[0] ==
        std::vector<float>{cut(51), cut(101), cut(151)});
  CHECK_THROWS_WITH(distributive_quantizer(data, 3, 3, {8, 9}),
                    "distributive thermometer: threshold bits must be 1 to the pixel bits (8), "
                    "not 9");
}
