// Datasets on small files the tests write: IDX plain and gzip, JSC CSV, the split and the scaler.
#include <zlib.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <set>

#include "base/error.hpp"
#include "tests/support/tools.hpp"
#include "train/datasets.hpp"

using namespace lutforge;
using namespace lutforge::train;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

void write_gzip(const fs::path& p, const std::string& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  gzclose(f);
}

}  // namespace

TEST_CASE("IDX files, plain and gzip, and an MNIST-layout directory", "[train]") {
  const fs::path dir = temp_dir("idx");
  // Three 2x2 images and their labels.
  const std::vector<uint8_t> pixels = {0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0};
  write_text(dir / "train-images-idx3-ubyte", idx_bytes(8, {3, 2, 2}, pixels));
  write_gzip(dir / "train-labels-idx1-ubyte.gz", idx_bytes(8, {3}, {7, 0, 9}));
  const IdxArray a = read_idx((dir / "train-images-idx3-ubyte").string());
  CHECK(a.dims == std::vector<uint32_t>{3, 2, 2});
  CHECK(a.data == pixels);
  const Dataset d = read_mnist_dir(dir.string(), true);
  CHECK(d.size() == 3);
  CHECK(d.num_features == 4);
  CHECK(d.labels == std::vector<int32_t>{7, 0, 9});
  CHECK(d.features[1] == 1.0f);
  CHECK(d.features[2] == Approx(0.2f));
  CHECK(d.class_names.size() == 10);

  write_text(dir / "bad_magic", "\x01\x02\x08\x01");
  CHECK(error_of([&] { read_idx((dir / "bad_magic").string()); }) ==
        (dir / "bad_magic").string() +
            ": not an IDX file (the magic number must start with two zero bytes)");
  write_text(dir / "floats", idx_bytes(0x0d, {1}, {0, 0, 0, 0}));
  CHECK(error_of([&] { read_idx((dir / "floats").string()); }) ==
        (dir / "floats").string() +
            ": IDX element type 0xd; only unsigned bytes (0x08) are supported");
  write_text(dir / "short", idx_bytes(8, {3, 2, 2}, {1, 2, 3}));
  CHECK(error_of([&] { read_idx((dir / "short").string()); }) ==
        (dir / "short").string() + ": 3 bytes of data, expected 12 for dimensions 3x2x2");
  write_text(dir / "t10k-images-idx3-ubyte", idx_bytes(8, {2, 1, 1}, {1, 2}));
  write_text(dir / "t10k-labels-idx1-ubyte", idx_bytes(8, {3}, {1, 2, 3}));
  CHECK(error_of([&] { read_mnist_dir(dir.string(), false); }) ==
        (dir / "t10k-images-idx3-ubyte").string() + " has 2 images but " +
            (dir / "t10k-labels-idx1-ubyte").string() + " has 3 labels");
  CHECK(error_of([&] { read_mnist_dir((dir / "nosuch").string(), true); }) ==
        (dir / "nosuch").string() +
            ": no train-images-idx3-ubyte (or train-images-idx3-ubyte.gz); run "
            "scripts/fetch-datasets.sh");
  write_text(dir / "broken.gz", std::string("\x1f\x8b\x08\x00garbage-garbage", 19));
  CHECK(error_of([&] {
          read_idx((dir / "broken.gz").string());
        }).rfind((dir / "broken.gz").string() + ": corrupt gzip data", 0) == 0);
}

namespace {

// A JSC CSV in OpenML's layout: 16 features and a quoted class column.
std::string jsc_csv(size_t rows) {
  std::string s;
  for (int f = 0; f < 16; ++f) s += "f" + std::to_string(f) + ",";
  s += "class\n";
  const char* classes[] = {"g", "q", "t", "w", "z"};
  for (size_t r = 0; r < rows; ++r) {
    for (int f = 0; f < 16; ++f) s += std::to_string(static_cast<double>(r) * (f + 1) - 3.5) + ",";
    s += std::string("'") + classes[r % 5] + "'\n";
  }
  return s;
}

}  // namespace

TEST_CASE("JSC CSV: classes, 80/20 split with a seed, StandardScaler fitted on the training part",
          "[train]") {
  const fs::path dir = temp_dir("jsc");
  write_text(dir / "jsc.csv", jsc_csv(50));
  const Dataset d = read_jsc_csv((dir / "jsc.csv").string());
  CHECK(d.size() == 50);
  CHECK(d.num_features == 16);
  CHECK(d.labels[0] == 0);
  CHECK(d.labels[4] == 4);
  CHECK(d.features[16 + 2] == Approx(1.0 * 3 - 3.5));  // row 1, feature 2

  const auto [train, test] = prepare_jsc((dir / "jsc.csv").string(), 42);
  CHECK(train.size() == 40);
  CHECK(test.size() == 10);
  // The scaler was fitted on the training part: there every feature has mean 0 and variance 1.
  for (size_t f = 0; f < 16; ++f) {
    double sum = 0, sq = 0;
    for (size_t i = 0; i < train.size(); ++i) sum += train.features[i * 16 + f];
    for (size_t i = 0; i < train.size(); ++i)
      sq += std::pow(train.features[i * 16 + f] - sum / 40, 2);
    CHECK(sum / 40 == Approx(0).margin(1e-5));
    CHECK(sq / 40 == Approx(1).epsilon(1e-4));
  }
  // Every sample lands in exactly one part, with its label; the same seed gives the same split.
  const auto [train2, test2] = prepare_jsc((dir / "jsc.csv").string(), 42);
  CHECK(train2.features == train.features);
  CHECK(test2.labels == test.labels);
  const auto [train3, test3] = split_dataset(d, 0.2, 7);
  const auto [train4, test4] = split_dataset(d, 0.2, 42);
  CHECK(train3.labels.size() + test3.labels.size() == 50);
  CHECK(train3.features != train4.features);
  std::vector<int> counts(5, 0);
  for (int32_t l : train4.labels) ++counts[l];
  for (int32_t l : test4.labels) ++counts[l];
  CHECK(counts == std::vector<int>{10, 10, 10, 10, 10});

  write_text(
      dir / "bad_class.csv",
      jsc_csv(2) + std::string(16, ' ').replace(0, 16, "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,") + "x\n");
  CHECK(error_of([&] { read_jsc_csv((dir / "bad_class.csv").string()); }) ==
        (dir / "bad_class.csv").string() + ": line 4: class 'x'; expected g, q, t, w or z");
  std::string bad = jsc_csv(1);
  bad += "1,2,3,oops,5,6,7,8,9,10,11,12,13,14,15,16,g\n";
  write_text(dir / "bad_number.csv", bad);
  CHECK(error_of([&] { read_jsc_csv((dir / "bad_number.csv").string()); }) ==
        (dir / "bad_number.csv").string() + ": line 3, column 'f3': 'oops' is not a finite number");
  write_text(dir / "short.csv", jsc_csv(1) + "1,2,g\n");
  CHECK(error_of([&] { read_jsc_csv((dir / "short.csv").string()); }) ==
        (dir / "short.csv").string() + ": line 3: 3 columns; the header has 17");
  write_text(dir / "noclass.csv", "a,b\n1,2\n");
  CHECK(error_of([&] { read_jsc_csv((dir / "noclass.csv").string()); }) ==
        (dir / "noclass.csv").string() + ": line 1: no column named 'class'");
}

TEST_CASE("augment_shift: every image moves by one offset within the range, zeros come in",
          "[train]") {
  // 5x5 images whose pixels are all distinct and nonzero, so that the offset of a shifted copy
  // can be read back: pixel (x, y) of the result is pixel (x - dx, y - dy) of the original.
  Dataset d;
  d.num_features = 25;
  for (int i = 0; i < 400; ++i) {
    for (int p = 0; p < 25; ++p) d.features.push_back(static_cast<float>(1 + p + 25 * (i % 3)));
    d.labels.push_back(i % 10);
  }
  std::mt19937_64 rng(7);
  const Dataset s = shifted_images(d, 2, rng);
  REQUIRE(s.size() == d.size());
  CHECK(s.labels == d.labels);
  std::set<std::pair<int, int>> seen;
  for (size_t i = 0; i < d.size(); ++i) {
    const float* a = &d.features[i * 25];
    const float* b = &s.features[i * 25];
    int matches = 0;
    for (int dy = -2; dy <= 2; ++dy)
      for (int dx = -2; dx <= 2; ++dx) {
        bool same = true;
        for (int y = 0; y < 5; ++y)
          for (int x = 0; x < 5; ++x) {
            const int sx = x - dx, sy = y - dy;
            const float want = sx < 0 || sx >= 5 || sy < 0 || sy >= 5 ? 0.0f : a[sy * 5 + sx];
            same = same && b[y * 5 + x] == want;
          }
        if (same) {
          ++matches;
          seen.insert({dx, dy});
        }
      }
    CHECK(matches == 1);
  }
  CHECK(seen.size() == 25);  // 400 draws reach every offset of the range
  // The same generator state gives the same images; no shift is the identity.
  std::mt19937_64 again(7);
  CHECK(shifted_images(d, 2, again).features == s.features);
  CHECK(shifted_images(d, 0, rng).features == d.features);
  d.num_features = 24;
  d.features.resize(24 * d.size());
  CHECK_THROWS_WITH(shifted_images(d, 1, rng),
                    "augment_shift: the samples have 24 features, not a square image");
}
