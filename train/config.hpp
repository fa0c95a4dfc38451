// The training configuration: a TOML file that names the dataset, the network family, the layer
// sizes and bit widths, and the optimizer settings. No LibTorch here, so the CLI and the tests can
// read and check a configuration without building a network.
//
//   [data]
//   dataset = "mnist"            # mnist | fashion-mnist | jsc
//   path = "data/mnist"          # an MNIST-layout directory, or the JSC CSV
//   train_limit = 0              # use only the first N samples (0: all)
//   test_limit = 0
//   split_seed = 42              # jsc: the seed of the 80/20 split
//
//   [model]
//   family = "polylut"           # logicnets | polylut | neuralut | polylut-add | difflogic | mac
//                                #    | dwn
//   connectivity = "random"      # random | sparselut
//   layers = [256, 100, 100, 100, 10]   # neurons per layer; the last is the class count
//   fan_in = 6                   # F, inputs per neuron (per sub-neuron for polylut-add);
//                                #    an integer, or one per layer
//   bits = 2                     # beta, the code width between layers
//   input_bits = 2               # code width of each input feature
//   input_encoding = "uniform"   # uniform | thermometer | distributive (a thermometer whose
//                                #    input_bits thresholds per feature are the quantiles of the
//                                #    training data, as DWN's distributive thermometer)
//   threshold_bits = 6           # distributive only: each threshold moves to the nearest cut
//   pixel_bits = 8               #    "p >= k 2^(pixel_bits - threshold_bits)" of the features'
//                                #    pixels p / (2^pixel_bits - 1), so that a comparator of the
//                                #    hardware encoder reads threshold_bits bits of its pixel
//   input_range = [0.0, 1.0]     # the quantizer's range (default: [0,1] for images,
//                                #    [-2,2] for jsc)
//   output_bits = 2              # code width of the class scores
//   # The family's own keys; a key of another family is an error (family_keys):
//   degree = 4                   # D (polylut, polylut-add)
//   sub_neurons = 2              # A (polylut-add)
//   sub_bits = 2                 # code width of each sub-neuron's output (polylut-add)
//   hidden = 16                  # width N of the MLP inside a neuralut neuron (neuralut)
//   hidden_layers = 2            # its depth (neuralut)
//   classes = 10                 # difflogic: the class count; layers are then gate layers, the
//                                #    last one's width a multiple of it (GroupSum); fan_in is 2
//                                #    and bits 1, and neither may be given
//   tau = 10.0                   # difflogic: GroupSum temperature (logits = popcounts / tau)
//   parametrization = "input-wise"   # difflogic: input-wise (4 parameters per gate) | classic
//                                #    (16 logits per gate)
//   residual_init = 0            # difflogic: 1 starts every gate near the pass-through of its
//                                #    first input, which helps deep networks train; shallow ones
//                                #    learn faster without (0, the default)
//   mapping = "random"           # dwn, difflogic: connections at random, or "learnable" (in
//                                #    the first mapping_layers layers, each LUT or gate input
//                                #    chooses its input by a trained score); dwn: the layers are
//                                #    LUTs of fan_in inputs of 1 bit with learned tables,
//                                #    classes and tau as for difflogic (bits and output_bits are
//                                #    1 and may not be given)
//   mapping_candidates = 64      # learnable: the random input bits each LUT or gate input chooses
//                                #    among (at least the input bit count: all, as DWN)
//   mapping_layers = 1           # learnable: how many of the first layers learn their mapping
//                                #    (the first by default)
//   connections = [32, 64]       # lutnet: XNORs (then LUTs) per neuron, one or one per layer;
//                                #    the last layer has a neuron per class; fan_in is K
//   bnn_epochs = 4               # lutnet: epochs of the BNN before its XNORs grow into LUTs
//                                #    (default a third of the epochs)
//   shrink = 0.75                # dwn, lutnet: logic shrinkage; after shrink_epoch epochs
//   shrink_epoch = 12            #    (default half of them, of the LUTs' for lutnet) each layer
//   shrink_steps = 1             #    drops this fraction of its LUT inputs, an equal part in
//                                #    each of shrink_steps epochs: the least salient (the sum of
//                                #    |c_p - c_q| over the table entries that differ only in
//                                #    that input), averages the entries paired by each dropped
//                                #    input, and trains on; one fraction, or one per layer
//                                #    ([0.65, 0.0] shrinks the first of two layers only)
//   shrink_min_inputs = 0        #    the fewest inputs it leaves a LUT: 1 (the default), 0,
//                                #    which lets it remove whole LUTs (constants, which the
//                                #    lowering leaves out of LUTNet's popcounts and synthesis
//                                #    folds into any LUT that reads them), or more, below fan_in
//   shrink_unit = "lut"          #    "input" (the default): shrink is a fraction of the inputs;
//                                #    "lut": of the LUTs, those whose inputs beyond their
//                                #    shrink_min_inputs most salient sum the least salience keep
//                                #    only those (after synth -lut 6 a LUT of 2 to 6 inputs is one
//                                #    LUT6; one of 0 or 1 is none)
//   shrink_rewire = 64           # lutnet: a LUT that shrinkage leaves one input (a wire or an
//                                #    inverter) learns which bit it reads: the one kept and
//                                #    shrink_rewire - 1 random others, by score, as a learnable
//                                #    mapping (0, the default: it keeps that input)
//   shrink_rewire_luts = 16      # lutnet: the LUTs that shrinkage leaves whole learn which bits
//                                #    they read: each input the one it had and
//                                #    shrink_rewire_luts - 1 random others, by score (0, the
//                                #    default: they keep their random inputs)
//   shrink_rewire_margin = 2.0   #    the kept bit's head start in score, for both (Adam moves a
//                                #    score by about the learning rate a step)
//   weight_bits = 4              # mac: signed weight bits (2..8), one integer or one per layer
//   activation_bits = 4          # mac: unsigned code bits between layers (2..8), one integer or
//                                #    one per layer but the last (default: bits); the layers are
//                                #    dense (fan_in may not be given) and the last layer's
//                                #    accumulators are the class scores (no output_bits)
//   multiplier_bits = 8          # mac: width of the integer requantizing multipliers (2..16)
//   weight_scale = "max"         # mac: the weights' scale per neuron (one for the last layer):
//                                #    "max" maps the largest magnitude to the largest integer;
//                                #    "learned" starts there and learns it (LSQ), clipping the
//                                #    weights beyond it
//   conv_filters = [8, 16]       # mac: convolutions before the dense layers, on the square
//   conv_kernel = 3              #    single-channel images: filters, kernel side and stride of
//   conv_stride = 2              #    each (no padding); weight_bits and activation_bits then
//                                #    count them first
//
//   [train]
//   epochs = 10
//   batch_size = 256
//   learning_rate = 0.01         # Adam, cosine-annealed to 0 over the epochs
//   weight_decay = 0.0
//   augment_shift = 0            # images: every epoch shifts each training image by a random
//                                #    (dx, dy) in [-s, s]^2 (zeros fill in), then encodes it
//   average_decay = 0.0          # above 0: the test accuracies and the export use an exponential
//                                #    moving average of the parameters, updated after every step
//                                #    with this decay (at most (1 + t) / (10 + t) at its step t);
//                                #    buffers (batch-norm statistics) stay the live network's;
//                                #    each epoch reports the last parameters' test accuracy too
//   average_epoch = 0            #    the epoch the average starts from (default and minimum:
//                                #    the first after every change of structure: the SparseLUT
//                                #    freeze, LUTNet's BNN epochs, the last shrinkage step)
//   seed = 1
//   threads = 0                  # intra-op threads (0: one per core)
//   logit_scale = 4.0            # the class scores' values (on [-1, 1]) times this are the logits
//   bn_freeze_epoch = 0          # after this many epochs batch norm trains on its running
//                                # statistics, as the quantized evaluation uses them (0: never)
//
//   [prune]                      # mac only: resource-aware pruning after the training (prune/)
//   method = "knapsack"          # knapsack | unstructured (the comparison: the smallest weights
//                                #    of each layer, whatever slice they are on)
//   budget = "dsp=460"           # knapsack: what the pruned lowering may use: dsp, lut, ff, bram
//   sparsity = 0.9               # unstructured: the fraction of each layer's weights pruned
//   reuse_factor = 49            # the lowering the costs are measured on: one, or one per layer
//   dsp_packing = 0              # 1: with DSP packing
//   weights_in_bram = 0          # 1: each layer's weights in block RAM (needs a reuse factor)
//   dsp_family = "dsp48e2"       # dsp48e1 | dsp48e2
//   steps = 4                    # pruning steps, step s to s/steps of the way to the budget
//   finetune_epochs = 2          # epochs of fine-tuning after each step
//   finetune_learning_rate = 0.001   # cosine-annealed within each step's epochs
//   importance = "taylor"        # taylor (|sum of w * dL/dw| over the training set) | fisher
//                                # (sum over the batches of (w * dL/dw)^2) | magnitude
//   solver = "cbc"               # cbc | dp (one resource) | greedy
//
//   [sparselut]                  # only with connectivity = "sparselut"
//   freeze_epoch = 5             # T: after this many epochs the mask is frozen
//   l1 = 0.0001                  # the pull of each live input's magnitude towards zero
//
// Every key is checked: an unknown key, a wrong type or a value out of range is an Error that names
// the file, the line and the key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lutforge::train {

// The network families that train/ trains. In configuration and model files they are strings
// ("logicnets", "polylut", "neuralut", "polylut-add"); in code, this enum, switched on
// exhaustively (the build makes a missing case an error).
enum class Family { LogicNets, PolyLut, NeuraLut, PolyLutAdd, DiffLogic, Mac, Dwn, LutNet };
inline constexpr Family kFamilies[] = {Family::LogicNets,  Family::PolyLut,   Family::NeuraLut,
                                       Family::PolyLutAdd, Family::DiffLogic, Family::Mac,
                                       Family::Dwn,        Family::LutNet};
const char* family_name(Family f);
// The [model] keys that only this family reads (beyond the keys every family reads).
std::vector<const char*> family_keys(Family f);

struct TrainConfig {
  std::string source;  // the file it came from, for messages

  std::string dataset, data_path;
  size_t train_limit = 0, test_limit = 0;
  uint64_t split_seed = 42;

  Family family = Family::LogicNets;
  std::string connectivity = "random";
  std::vector<unsigned> layers;
  std::vector<unsigned> fan_in;  // one per layer after reading; mac: 0 (dense)
  unsigned bits = 2, input_bits = 2, output_bits = 2;
  std::string input_encoding = "uniform";
  unsigned pixel_bits = 0, threshold_bits = 0;  // distributive: the threshold grid (0: none)
  float input_lo = 0.0f, input_hi = 1.0f;
  unsigned degree = 1, sub_neurons = 2, sub_bits = 2, hidden = 16, hidden_layers = 2;
  unsigned classes = 0;  // difflogic, dwn, lutnet
  double tau = 10.0;
  std::string mapping = "random";    // dwn, difflogic: random | learnable
  unsigned mapping_candidates = 64;  // learnable: the inputs each LUT or gate input chooses from
  unsigned mapping_layers = 1;       // learnable: the first layers that learn their mapping
  // dwn, lutnet: the fraction of its LUT inputs (or LUTs) that shrinkage cuts, one per layer;
  // empty: no shrinkage
  std::vector<double> shrink;
  unsigned shrink_epoch = 0;          // dwn, lutnet: the epoch after which it does (0: a default)
  unsigned shrink_steps = 1;          // dwn, lutnet: the epochs it takes, an equal part in each
  unsigned shrink_min_inputs = 1;     // dwn, lutnet: the fewest inputs it leaves a LUT
  std::string shrink_unit = "input";  // dwn, lutnet: what `shrink` counts: "input" or "lut"
  unsigned shrink_rewire = 0;         // lutnet: the bits a LUT cut to one input chooses from
  unsigned shrink_rewire_luts = 0;    // lutnet: the bits each input of a whole LUT chooses from
  double shrink_rewire_margin = 2.0;  // lutnet: the head start of the input the cut kept
  std::vector<unsigned> connections;  // lutnet: the XNORs (then LUTs) of a neuron, one per layer
  unsigned bnn_epochs = 0;            // lutnet: the epochs of the BNN before the LUTs grow
  std::string parametrization = "input-wise";
  bool residual_init = false;
  std::vector<unsigned> weight_bits;      // mac: one per layer after reading
  std::vector<unsigned> activation_bits;  // mac: one per layer but the last after reading
  unsigned multiplier_bits = 8;           // mac
  std::string weight_scale = "max";       // mac: max | learned
  std::vector<unsigned> conv_filters, conv_kernel, conv_stride;  // mac: one per convolution

  unsigned epochs = 10, batch_size = 256;
  double learning_rate = 0.01, weight_decay = 0.0;
  unsigned augment_shift = 0;  // images: random shifts of up to this many pixels a training epoch
  double average_decay = 0.0;  // 0: no averaging of the parameters
  unsigned average_epoch = 0;  // the epoch the average starts from
  uint64_t seed = 1;
  unsigned threads = 0;
  double logit_scale = 4.0;
  unsigned bn_freeze_epoch = 0;  // 0: batch statistics in every epoch

  unsigned freeze_epoch = 0;
  double l1 = 1e-4;

  struct Prune {
    bool enabled = false;  // a [prune] section was given
    std::string method = "knapsack";
    std::string budget;   // checked by prune::parse_budget
    double sparsity = 0;  // method "unstructured"
    std::vector<unsigned> reuse_factor;
    bool dsp_packing = false;
    bool weights_in_bram = false;
    std::string dsp_family = "dsp48e2";
    unsigned steps = 4, finetune_epochs = 2;
    double finetune_learning_rate = 1e-3;
    std::string importance = "taylor", solver = "cbc";
  } prune;

  bool sparselut() const { return connectivity == "sparselut"; }
  bool image_dataset() const { return dataset == "mnist" || dataset == "fashion-mnist"; }
  // Whether the class scores are popcounts of groups of the last layer's bits (GroupSum).
  bool group_sum() const {
    return family == Family::DiffLogic || family == Family::Dwn || family == Family::LutNet;
  }
  // The class count: the last layer's width, or the GroupSum's classes.
  unsigned num_classes() const {
    return group_sum() ? classes : (layers.empty() ? 0 : layers.back());
  }
};

TrainConfig read_train_config(const std::string& path);
TrainConfig parse_train_config(const std::string& text, const std::string& source);

}  // namespace lutforge::train
