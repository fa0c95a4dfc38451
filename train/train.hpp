// Training a LUT network and exporting it to a model file. The interface has no LibTorch types, so
// the CLI and the tests use it without including LibTorch headers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "train/config.hpp"
#include "train/datasets.hpp"

namespace lutforge::train {

struct TrainOptions {
  std::string checkpoint;  // written after every epoch (atomically); empty: none
  bool resume = false;     // continue from the checkpoint's last finished epoch
  bool progress = true;    // a progress line on stderr
};

struct EpochStats {
  unsigned epoch = 0;         // 1-based
  double loss = 0;            // mean training loss
  double train_accuracy = 0;  // of the training forward pass (batch statistics)
  double test_accuracy = 0;   // of the quantized evaluation
  double seconds = 0;
  long long regrown = 0;  // SparseLUT: input slots regrown in the epoch
};

struct TrainResult {
  models::Model model;
  std::vector<EpochStats> epochs;  // the epochs run in this call
  std::vector<int32_t> test_labels;
  std::vector<uint32_t> test_predictions;  // LibTorch's quantized evaluation, per test sample
  double test_accuracy = 0;
  double train_seconds = 0, export_seconds = 0;
  unsigned first_epoch = 0;  // 0, or the epoch resumed after
};

// The train and test sets a configuration names, with its limits applied (JSC: split and scaled).
std::pair<Dataset, Dataset> load_datasets(const TrainConfig& c);
// The input quantizer a configuration asks for, for `features` features.
models::InputQuantizer make_input_quantizer(const TrainConfig& c, size_t features);

// Trains, exports every neuron's tables by enumeration, and checks that models/ predicts every
// test sample as LibTorch's quantized evaluation does (an Error names the first sample that
// differs).
TrainResult train_model(const TrainConfig& c, const TrainOptions& opts);

// The time of one training step (forward, loss, backward, Adam) of c's network on random input
// codes of `features` features, c.batch_size samples per step, with c.threads threads: the
// median milliseconds of `steps` steps after two warm-up steps.
double time_train_step(const TrainConfig& c, int64_t features, unsigned steps);

}  // namespace lutforge::train
