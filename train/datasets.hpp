// Datasets for training: IDX files (MNIST, Fashion-MNIST), plain or gzip-compressed, and the Jet
// Substructure (JSC) dataset in its OpenML CSV form, with the standard preprocessing. No LibTorch
// here: a dataset is a row-major float matrix and integer labels.
//
// Errors name the file, and the line and column for CSV, and what was expected.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace lutforge::train {

// An IDX array of unsigned bytes (type 0x08) with 1 to 4 dimensions.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

// Reads an IDX file; a file that starts with the gzip magic is decompressed first.
IdxArray read_idx(const std::string& path);

struct Dataset {
  size_t num_features = 0;
  std::vector<float> features;  // row-major: sample i is features[i * num_features ...]
  std::vector<int32_t> labels;  // 0 .. class_names.size() - 1
  std::vector<std::string> class_names;
  size_t size() const { return labels.size(); }
};

// Images (N x rows x cols) scaled to [0, 1], and labels (N) 0..9. The files must agree on N.
Dataset read_idx_dataset(const std::string& images, const std::string& labels);

// The square images of `d` (an Error if the samples are not), each moved by its own random
// (dx, dy) in [-shift, shift]^2 drawn from `rng`: pixel (x, y) of the result is pixel
// (x - dx, y - dy) of the image, or 0 outside it.
Dataset shifted_images(const Dataset& d, unsigned shift, std::mt19937_64& rng);

// The train or test split of an MNIST-layout directory: train-images-idx3-ubyte and
// train-labels-idx1-ubyte, or t10k-*, each plain or with .gz.
Dataset read_mnist_dir(const std::string& dir, bool train);

// JSC as OpenML gives it (hls4ml_lhc_jets_hlf): a header row, 16 numeric feature columns and a
// column named "class" holding g, q, t, w or z (quoted or not). Classes are numbered in that order.
Dataset read_jsc_csv(const std::string& path);

// StandardScaler: each feature to zero mean and unit variance (population variance; a constant
// feature keeps scale 1).
struct StandardScaler {
  std::vector<double> mean, scale;
};
StandardScaler fit_scaler(const Dataset& d);
void apply_scaler(const StandardScaler& s, Dataset& d);

// A seeded shuffle, then the first (1 - test_fraction) of the samples for training and the rest
// for testing. The same seed gives the same split.
std::pair<Dataset, Dataset> split_dataset(const Dataset& d, double test_fraction, uint64_t seed);

// The standard JSC preprocessing: an 80/20 split with `seed`, then a StandardScaler fitted on the
// training part and applied to both.
std::pair<Dataset, Dataset> prepare_jsc(const std::string& csv_path, uint64_t seed = 42);

}  // namespace lutforge::train
