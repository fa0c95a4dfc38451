// Training a LUT network and exporting it to a model file. The interface has no LibTorch types, so
// the CLI and the tests use it without including LibTorch headers.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "prune/prune.hpp"
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
  double test_accuracy = 0;   // of the quantized evaluation (of the average, if there is one)
  std::optional<double> unaveraged_test_accuracy;  // with an average: the last parameters'
  double seconds = 0;
  long long regrown = 0;  // SparseLUT: input slots regrown in the epoch
};

// One step of resource-aware pruning ([prune] in the configuration).
struct PruneStepStats {
  unsigned step = 0;  // 1-based
  prune::Budget budget{};
  prune::Budget solved{};  // the budget the knapsack was solved at, corrected by the lowering
  prune::Cost predicted{}, lowered{};  // the cost model's figure and the pruned lowering's
  size_t removed_rows = 0, removed_patterns = 0;
  size_t removed_weights = 0;  // method "unstructured": the weights masked so far
  bool optimal = false;
  double solver_seconds = 0;
  double accuracy_pruned = 0;  // test accuracy right after the step
  double test_accuracy = 0;    // after its fine-tuning
  double seconds = 0;
};

struct TrainResult {
  models::Model model;
  std::vector<EpochStats> epochs;  // the epochs run in this call
  std::vector<int32_t> test_labels;
  std::vector<uint32_t> test_predictions;  // LibTorch's quantized evaluation, per test sample
  double test_accuracy = 0;
  double train_seconds = 0, export_seconds = 0;
  unsigned first_epoch = 0;  // 0, or the epoch resumed after
  // Pruning: the steps, the accuracy before them, the lowering's resources before and after (as
  // synthesis keeps them, prune::pruned_cost).
  std::vector<PruneStepStats> prune_steps;
  double accuracy_before_prune = 0, prune_seconds = 0;
  prune::Cost cost_before{}, cost_after{};
  // False when the result still exceeds the budget after the extra steps (a warning says so).
  bool within_budget = true;
};

// The train and test sets a configuration names, with its limits applied (JSC: split and scaled).
std::pair<Dataset, Dataset> load_datasets(const TrainConfig& c);
// The input quantizer a configuration asks for, for the features of `train` (the distributive
// thermometer takes its thresholds from their values).
models::InputQuantizer make_input_quantizer(const TrainConfig& c, const Dataset& train);

// Trains, exports every neuron's tables by enumeration, and checks that models/ predicts every
// test sample as LibTorch's quantized evaluation does (an Error names the first sample that
// differs).
TrainResult train_model(const TrainConfig& c, const TrainOptions& opts);

// The time of one training step (forward, loss, backward, Adam) of c's network on random input
// codes of `features` features, c.batch_size samples per step, with c.threads threads: the
// median milliseconds of `steps` steps after two warm-up steps.
double time_train_step(const TrainConfig& c, int64_t features, unsigned steps);

}  // namespace lutforge::train
