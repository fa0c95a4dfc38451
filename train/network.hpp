// The LUT network in LibTorch. Internal to train/: it includes <torch/torch.h>, so only train/'s
// own .cpp files include it.
//
// Every neuron reads the codes of F units of the previous layer and produces a code of `bits`
// bits. Codes become values through a per-layer table (uniform codes: evenly spaced on [-1, 1];
// thermometer codes: by their count of set bits), the neuron's function turns the values into one
// number, batch norm scales it, and a quantizer with a straight-through estimator rounds it back
// to a code. The functions:
//   logicnets:   a linear combination of the F values;
//   polylut:     a linear combination of all monomials of the F values up to degree D;
//   neuralut:    an MLP of hidden_layers layers of width N, plus a linear skip from the inputs;
//   polylut-add: A polylut sub-neurons on disjoint sets of F inputs, each quantized to sub_bits;
//                their codes are added and the sum is batch-normed and requantized.
// With SparseLUT connectivity each input slot also has a trainable magnitude and a fixed sign;
// a slot whose magnitude reaches zero is regrown on a random input the neuron does not read yet.
//
// Bit-exactness. eval_codes (the quantized evaluation) and the export compute a neuron through the
// same function, neuron_codes, with only elementwise operations, reductions over the last
// dimension and the polynomial kernel, so a neuron's result on an input does not depend on the
// batch it is computed in.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "models/model.hpp"
#include "train/config.hpp"
#include "train/neuron_function.hpp"

namespace lutforge::train {

// The value of every code of `bits` bits: uniform codes spread evenly over [-1, 1] (1 bit: -1 and
// +1); thermometer codes by their number of set bits.
torch::Tensor code_values(unsigned bits, bool thermometer);

class LutLayerImpl : public torch::nn::Module {
 public:
  LutLayerImpl(const TrainConfig& c, size_t layer, int64_t prev_units, unsigned in_bits,
               bool thermometer_in, unsigned out_bits, std::mt19937_64& rng);

  // Training: values of the previous layer [B, prev_units] to quantized values [B, neurons].
  torch::Tensor forward(const torch::Tensor& values);
  // Quantized evaluation: codes [B, prev_units] (int64) to codes [B, neurons] (int64).
  torch::Tensor eval_codes(const torch::Tensor& codes);

  // The neurons n0 .. n0 + n - 1 on their gathered input codes [B, n, fan_in] (int64); returns
  // their output codes [B, n]. For polylut-add this is requant_codes of the summed sub_codes.
  torch::Tensor neuron_codes(const torch::Tensor& gathered, int64_t n0, int64_t n);
  // polylut-add only: the sub-neurons' codes [B, n, A] from gathered codes [B, n, A, F], and the
  // requantized codes [B, n] of sums S [B, n] (float holding integers).
  torch::Tensor sub_codes(const torch::Tensor& gathered, int64_t n0, int64_t n);
  torch::Tensor requant_codes(const torch::Tensor& sums, int64_t n0, int64_t n);

  // SparseLUT: regrows every slot whose magnitude is no longer positive on a random unit the
  // neuron does not read; returns the mask [neurons, fan_in] of the regrown slots.
  torch::Tensor regrow(std::mt19937_64& rng);
  torch::Tensor magnitude() const { return magnitude_; }
  // The elements of a neuron's widest intermediate tensor per input code (for batch sizes).
  int64_t work_per_code() const;
  // The L1 pull on the live magnitudes (0 without SparseLUT).
  torch::Tensor magnitude_penalty() const;
  // Frozen: training normalizes with the running statistics and leaves them as they are, so that
  // it computes what the quantized evaluation computes.
  bool bn_frozen = false;

  Family family;
  int64_t neurons, prev_units, fan_in;  // fan_in: all inputs of a neuron (A * F for polylut-add)
  int64_t sub_neurons = 0, sub_fan_in;
  unsigned in_bits, out_bits, sub_bits = 0;
  bool sparse = false;
  torch::Tensor inputs;  // [neurons, fan_in] int64: which previous unit each slot reads

 private:
  torch::Tensor preact(const torch::Tensor& x, int64_t n0, int64_t n);  // values [B,n,F] -> [B,n]
  torch::Tensor sub_preact(const torch::Tensor& x, int64_t n0, int64_t n);  // [B,n,A,F] -> [B,n,A]
  torch::Tensor slot_scale(int64_t n0, int64_t n) const;           // SparseLUT: sign * magnitude
  torch::Tensor gather_values(const torch::Tensor& values) const;  // [B, M] -> [B, N, fan_in]

  torch::Tensor in_values_;  // code -> value table of the inputs
  // The family's neuron function (train/families/), of the sub-neurons for polylut-add.
  std::unique_ptr<NeuronFunction> fn_;
  torch::Tensor magnitude_, sign_;                                // SparseLUT
  torch::Tensor bn_w_, bn_b_, bn_mean_, bn_var_;                  // the neuron's batch norm
  torch::Tensor sub_bn_w_, sub_bn_b_, sub_bn_mean_, sub_bn_var_;  // polylut-add sub-neurons
};
TORCH_MODULE(LutLayer);

// What the trainer needs of a network, whatever its family: the LUT families' LutNet below, and
// the gate networks of train/families/difflogic.cpp.
class NetworkImpl : public torch::nn::Module {
 public:
  // Training: input codes [B, features] (int64) to logits [B, classes].
  virtual torch::Tensor forward(const torch::Tensor& input_codes) = 0;
  // The discretized evaluation: input codes to integer class scores [B, classes] (int64), exactly
  // what the exported model file computes.
  virtual torch::Tensor eval_codes(const torch::Tensor& input_codes) = 0;
  virtual models::Model export_model(const TrainConfig& c, const models::InputQuantizer& input) = 0;
  // Called before each epoch's batches.
  virtual void start_epoch(const TrainConfig& c, unsigned epoch) {}
  // A term added to the loss (SparseLUT's L1 pull while the connections rewire).
  virtual torch::Tensor penalty(const TrainConfig& c, bool rewire) { return torch::zeros({}); }
  // Called after each optimizer step while the connections rewire: the parameters and masks of the
  // entries that were reset, whose optimizer moments must be reset too.
  virtual std::vector<std::pair<torch::Tensor, torch::Tensor>> rewire(std::mt19937_64& rng) {
    return {};
  }
  // Resource-aware pruning (prune/): per layer of the exported model, its weights [rows, F] and
  // bias [rows], where row r is the model's neurons r * per_row .. r * per_row + per_row - 1 (a
  // dense neuron, or a filter at every position), and weight column i their weight i. Empty for
  // families that cannot be pruned so.
  struct PrunableLayer {
    torch::Tensor weight, bias;
    size_t rows = 0, per_row = 1;
  };
  virtual std::vector<PrunableLayer> prunable_layers() { return {}; }
};

// A network of single-bit layers on the bits of the input codes whose class scores are popcounts
// of equal groups of its last layer's bits (GroupSum): difflogic's gates, DWN's LUTs. Input bit
// f * bits + k is bit k of feature f's code, as the model file numbers them. A family gives its
// layers' pass (relaxed for training, or discrete: exactly what the model file computes) and
// their export.
class GroupSumNetImpl : public NetworkImpl {
 public:
  explicit GroupSumNetImpl(const TrainConfig& c);
  torch::Tensor forward(const torch::Tensor& input_codes) override;
  torch::Tensor eval_codes(const torch::Tensor& input_codes) override;
  models::Model export_model(const TrainConfig& c, const models::InputQuantizer& input) override;

 protected:
  virtual torch::Tensor layers_forward(torch::Tensor bits, bool discrete) = 0;
  virtual std::vector<models::Layer> export_layers() = 0;

 private:
  torch::Tensor input_bits_of(const torch::Tensor& codes) const;
  torch::Tensor group_sums(const torch::Tensor& y) const;

  unsigned input_bits;
  int64_t classes;
  double tau;
};

class LutNetImpl : public NetworkImpl {
 public:
  LutNetImpl(const TrainConfig& c, int64_t features, std::mt19937_64& rng);
  torch::Tensor forward(const torch::Tensor& input_codes) override;
  torch::Tensor eval_codes(const torch::Tensor& input_codes) override;
  models::Model export_model(const TrainConfig& c, const models::InputQuantizer& input) override;
  void start_epoch(const TrainConfig& c, unsigned epoch) override {
    for (auto& layer : layers)
      layer->bn_frozen = c.bn_freeze_epoch > 0 && epoch >= c.bn_freeze_epoch;
  }
  torch::Tensor penalty(const TrainConfig& c, bool rewire) override;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> rewire(std::mt19937_64& rng) override;

  std::vector<LutLayer> layers;
  torch::Tensor input_values;  // code -> value of the input features
  double logit_scale;
};

// The network of c.family (train/families/families.cpp).
std::shared_ptr<NetworkImpl> make_network(const TrainConfig& c, int64_t features,
                                          std::mt19937_64& rng);
std::shared_ptr<NetworkImpl> make_gate_network(const TrainConfig& c, int64_t features,
                                               std::mt19937_64& rng);
// The DWN-style LUT network (train/families/dwn.cpp).
std::shared_ptr<NetworkImpl> make_dwn_network(const TrainConfig& c, int64_t features,
                                              std::mt19937_64& rng);
// Its layer kernel, differentiable in x and the tables [N, 2^n]: y[b, j] = (tables[j][a] > 0) for
// the address a whose bit l is x[b, map[j][l]] > 0.5; the entries get the output's gradient,
// the inputs the extended finite difference with the constants alpha and beta.
torch::Tensor dwn_lut_layer(const torch::Tensor& x, const torch::Tensor& tables,
                            const torch::Tensor& map, double alpha, double beta);
// The learnable mapping (train/families/dwn.cpp): slot s reads x[:, cand[s][argmax_c
// scores[s][c]]] ([B, slots]); the scores [slots, k] get dW[s, c] = sum_b (2 x[b, cand[s][c]] - 1)
// g[b, s], so a slot's scores rise for the bits that agree with the direction its reader wants
// that input to move. When x needs a gradient, dx[b, chosen[s]] += g[b, s].
torch::Tensor learnable_mapping(const torch::Tensor& x, const torch::Tensor& scores,
                                const torch::Tensor& cand);
// The input each slot reads after training [slots].
torch::Tensor mapping_choice(const torch::Tensor& scores, const torch::Tensor& cand);
// Each slot's candidates [slots, min(inputs, candidates)]: distinct inputs at random, or all of
// the inputs in order when there are no more than `candidates`.
torch::Tensor mapping_candidates(int64_t inputs, int64_t slots, int64_t candidates,
                                 std::mt19937_64& rng);
// Logic shrinkage of LUTs with trained tables [luts, 2^n] (train/families/dwn.cpp): the salience
// of LUT input i is the sum of |c_p - c_q| over the pairs of entries that differ only in bit i.
// Returns which inputs stay [luts, n] (bool): the `fraction` of all inputs with the least salience
// go (those that `keep_before` dropped first; ties: the lower LUT, then the lower input, first),
// and every LUT keeps its `min_inputs` most salient inputs. With `whole_luts`, the
// `fraction` is of the LUTs, not of the inputs: those whose inputs beyond their `min_inputs` most
// salient have the least salience in sum keep only those (the LUTs cut before first).
torch::Tensor shrink_keep(const torch::Tensor& tables, const torch::Tensor& keep_before,
                          double fraction, unsigned min_inputs, bool whole_luts);
// The fraction of layer `layer`'s LUT inputs (or LUTs) that logic shrinkage has cut after `epoch`
// starts: 0 outside its epochs, then shrink[layer] * (i + 1) / shrink_steps at epoch
// shrink_epoch + i.
double shrink_fraction(const TrainConfig& c, size_t layer, unsigned epoch);
// Ties `tables` in place to `keep`: the entries that each dropped input pairs are averaged, so
// that they no longer depend on it (nothing to do while keep is all true).
void tie_tables(const torch::Tensor& tables, const torch::Tensor& keep);
// One shrinkage step on a layer of LUTs: keep becomes shrink_keep(tables, keep, fraction) with
// the configuration's shrink_min_inputs and shrink_unit, and the tables are tied to it.
void shrink_tables(const torch::Tensor& tables, const torch::Tensor& keep, double fraction,
                   const TrainConfig& c);
// One LUT of the model file from its 2^n output bits `on`, the input bits its n inputs read and
// which of them stay: its kept inputs and the table over them, complemented when `negate` (a LUT
// that kept none reads its first input through a constant table).
models::Neuron kept_lut(const bool* on, const int64_t* wiring, const bool* keep, int64_t n,
                        bool negate);
// The LUTNet network: BNN layers whose XNORs grow into LUTs (train/families/lutnet.cpp).
std::shared_ptr<NetworkImpl> make_lutnet_network(const TrainConfig& c, int64_t features,
                                                 std::mt19937_64& rng);
// The quantized MAC network (train/families/mac.cpp).
std::shared_ptr<NetworkImpl> make_mac_network(const TrainConfig& c, int64_t features);
// The difflogic layer kernel (train/families/difflogic.cpp), differentiable in x and coef:
// y[b, n] = c0 + c1 a + c2 b' + c3 a b' with a = x[b, ia[n]], b' = x[b, ib[n]], (c0..c3) = coef[n].
torch::Tensor gate_layer(const torch::Tensor& x, const torch::Tensor& coef, const torch::Tensor& ia,
                         const torch::Tensor& ib);
// The classic parametrization's coefficients, differentiable in the logits [N, 16]:
// c[n] = sum_g softmax(logits[n])_g * gate_coef[g], with gate_coef [16, 4].
torch::Tensor classic_coefficients(const torch::Tensor& logits, const torch::Tensor& gate_coef);

// Resource-aware pruning after the training (train/prune_schedule.cpp): c.prune.steps steps,
// each exporting the network, pruning the model to its share of the way to the budget
// (prune::prune), masking the pruned weights in `masks` (zeroed after every optimizer step from
// then on) and fine-tuning by `finetune(step, epochs)`, which returns the test accuracy. Fills
// r.prune_steps, r.cost_before and r.cost_after.
struct TrainResult;
void run_prune_schedule(const TrainConfig& c, const models::InputQuantizer& quantizer,
                        NetworkImpl& net, const torch::Tensor& train_x,
                        const torch::Tensor& train_y, bool progress,
                        std::vector<std::pair<torch::Tensor, torch::Tensor>>& masks, TrainResult& r,
                        const std::function<double(unsigned, unsigned)>& finetune);

// The first class with the highest score, per row of class codes [B, C].
torch::Tensor predictions(const torch::Tensor& class_codes);

}  // namespace lutforge::train
