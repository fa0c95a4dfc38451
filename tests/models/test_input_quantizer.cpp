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
