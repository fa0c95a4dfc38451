// The model file (.lfm.json): a trained LUT network as tables, which is everything the hardware
// needs and nothing of the trainer. models/ reads it without LibTorch, runs it with integers,
// and lowers it to a netlist.
//
// Semantics. The input quantizer turns a sample's features into codes of `bits` bits. Layer l
// reads the codes of layer l-1 (layer 0 reads the input codes). A neuron's fan-in codes are
// concatenated, fan-in 0 in the lowest bits, into an index of inputs * in_bits bits, and each of
// its out_bits output bits is a truth table over that index. A plain LUT layer's fan_in is the
// most inputs a neuron has; each neuron may read fewer (at least one). A PolyLUT-Add neuron instead
// has A sub-neurons, each a table over its own fan_in inputs giving sub_bits bits; their outputs
// are added as unsigned integers and a requantizing table over the sum's bits gives the neuron's
// code. The last layer's codes are the class scores (unsigned); the prediction is the first
// class with the largest score.
//
// A gate layer (difflogic) is a layer of 2-input logic gates: fan_in 2, in_bits = out_bits = 1,
// and a neuron's one table is its gate over (input 0, input 1), numbered as Gate cells number
// them (netlist/cells.hpp). Its inputs index the bits of the layer before: input i is bit
// i % B of code i / B, where B is the width of those codes (the input quantizer's bits, for the
// first layer). A LUT layer whose in_bits is 1 reads bits in the same way (for codes of one bit
// both readings agree): the DWN-style networks' 6-input LUTs read single thermometer bits.
// With a GroupSum head, the last layer's 1-bit outputs form `groups` equal groups, and class k's
// score is the number of set bits in group k instead.
//
// A threshold layer (LUTNet's popcount and threshold) reads single bits as gate layers do; a
// neuron reads 1 to fan_in of them and gives 1 when at least `threshold` of them are set (0:
// always; more than its inputs: never). It has no tables.
//
// A MAC layer (quantized multiply-accumulate, family "mac") reads unsigned codes of in_bits bits
// and has integer weights of weight_bits bits (signed) per input, and a bias. Its accumulator is
// acc = bias + sum_i weights[i] * code[inputs[i]]. A requantizing layer's code is
// clamp((acc * multiplier + r) >> shift, 0, 2^out_bits - 1) with r = 2^(shift - 1) (0 when shift
// is 0) and an arithmetic shift: a ReLU and a rescale in integers. A layer without requantizing
// (the last) gives acc itself, as an out_bits-bit two's complement code: the scores are then
// signed (Model::signed_scores()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/input_quantizer.hpp"
#include "netlist/truth_table.hpp"

namespace lutforge::models {

struct Neuron {
  std::vector<uint32_t> inputs;    // indices into the previous layer's neurons (or input features)
  std::vector<TruthTable> tables;  // one per output bit (plain neurons)
  // PolyLUT-Add: sub[a] are the tables (one per sub_bits bit) of sub-neuron a, which reads
  // inputs[a * sub_fan_in ...]; requant has one table per output bit over the sum's bits.
  std::vector<std::vector<TruthTable>> sub;
  std::vector<TruthTable> requant;
  // MAC neurons: a weight per input, the bias and the requantizing multiplier.
  std::vector<int32_t> weights;
  int64_t bias = 0;
  uint32_t multiplier = 1;
  // Threshold neurons: the least number of set inputs that gives 1.
  uint32_t threshold = 0;
};

enum class LayerKind { Lut, Gate, Mac, Threshold };

struct Layer {
  LayerKind kind = LayerKind::Lut;
  unsigned in_bits = 1, out_bits = 1;
  unsigned fan_in = 1;       // inputs per neuron (all sub-neurons together for PolyLUT-Add)
  unsigned sub_neurons = 0;  // A of PolyLUT-Add; 0 for plain neurons
  unsigned sub_bits = 0;     // output bits of each sub-neuron
  // MAC layers.
  unsigned weight_bits = 0;  // signed weights of 2..16 bits
  unsigned shift = 0;        // the requantizing shift, 0..48
  bool requantize = true;    // false: the codes are the accumulators (the last layer)
  std::vector<Neuron> neurons;

  unsigned sub_fan_in() const { return sub_neurons ? fan_in / sub_neurons : fan_in; }
  // Plain LUT layers have a fan-in per neuron: fan_in is the largest, and a neuron reads 1 to
  // fan_in inputs with tables over its own inputs (logic shrinkage leaves such layers).
  // Threshold layers too.
  bool mixed_fan_in() const {
    return (kind == LayerKind::Lut && !sub_neurons) || kind == LayerKind::Threshold;
  }
  // Whether the inputs index single bits of the codes before (gate, threshold and 1-bit LUT
  // layers).
  bool reads_bits() const {
    return kind == LayerKind::Gate || kind == LayerKind::Threshold ||
           (kind == LayerKind::Lut && in_bits == 1 && !sub_neurons);
  }
  unsigned sum_bits() const;  // bits of the sum of sub_neurons values of sub_bits bits
};

// How the class scores come from the last layer.
struct Head {
  enum class Kind { Codes, GroupSum };
  Kind kind = Kind::Codes;
  unsigned groups = 0;  // GroupSum: the number of classes
  double tau = 1.0;     // GroupSum: the training temperature (logits = scores / tau); informative
};

struct Model {
  std::string family;   // logicnets, polylut, neuralut, polylut-add, difflogic, dwn, lutnet, mac;
                        // "+sparselut" when trained so
  std::string dataset;  // informative
  InputQuantizer input;
  std::vector<Layer> layers;
  Head head;

  size_t num_classes() const;
  unsigned score_bits() const;  // the width of a class score
  // Whether the scores are two's complement (a MAC model's accumulators) rather than unsigned.
  bool signed_scores() const;
};

// A layer's neurons by the inputs they read: by_fan_in[k] neurons read k (k = 0..fan_in).
// A plain LUT layer (one without sub-neurons) counts them as logic shrinkage leaves them, and
// `constant` neurons, which give one code whatever they read (the lowering makes them
// constants, no LUT), apart. The gates of a gate layer count by the inputs their function
// depends on: 2, 1 (a wire or an inverter: lowering with --fold makes it a wire or a one-input
// LUT) or none, a constant, apart too (folded away). The other layers (PolyLUT-Add's, threshold,
// MAC) count every neuron by the inputs it lists, and no constants.
struct FanInProfile {
  std::vector<size_t> by_fan_in;
  size_t constant = 0;
  bool constants_apart = false;  // plain LUT and gate layers
};
FanInProfile fan_in_profile(const Layer& L);
// "4411 of 1 input, 3277 of 6 inputs, 504 constant" (the constants when counted apart).
std::string describe(const FanInProfile& p);

// The smallest and largest accumulator of MAC neuron n, over all input codes.
struct AccumulatorRange {
  int64_t min = 0, max = 0;
};
AccumulatorRange accumulator_range(const Layer& L, const Neuron& n);
// The unsigned width that holds every integer in [0, max] (at least 1).
unsigned unsigned_bits(uint64_t max);
// The two's complement width that holds every integer in [lo, hi].
unsigned signed_bits(int64_t lo, int64_t hi);
// A MAC neuron's output: its requantized code, or its accumulator in L.out_bits bits.
uint32_t mac_output(const Layer& L, int64_t acc, const Neuron& n);
// The output of a MAC neuron that gives one code for every input: one without a nonzero weight,
// or a requantizing one whose whole accumulator range requantizes to one code (a multiplier of 0,
// or a bias that saturates the clamp either way). Such a neuron needs no accumulator in hardware.
std::optional<uint32_t> constant_output(const Layer& L, const Neuron& n);
// The two's complement width that holds every accumulator that the layer computes: of every
// neuron in a layer without requantizing (its accumulators are its codes), and of the neurons
// whose output is not constant in a requantizing one.
unsigned accumulator_bits(const Layer& L);

// Checks the structure (widths, indices, table sizes, weight ranges); throws Error naming `what`,
// the layer and the neuron.
void validate(const Model& m, const std::string& what);

Model read_model(const std::string& text, const std::string& filename);
Model read_model_file(const std::string& path);
// Whether the file starts as a model file does (its "format" key among the first keys).
bool is_model_file(const std::string& path);
std::string write_model(const Model& m);  // deterministic JSON text

// The class scores from the last layer's codes, by the head.
std::vector<uint32_t> head_scores(const Model& m, const std::vector<uint32_t>& last_codes);

// Bit-exact integer inference: the codes of every layer for one sample of input codes.
std::vector<uint32_t> input_codes(const Model& m, const float* features);
std::vector<uint32_t> class_scores(const Model& m, const std::vector<uint32_t>& input_codes);

// One neuron whose output code is replaced by `value`.
struct ForcedNeuron {
  size_t layer = 0, neuron = 0;
  uint32_t value = 0;
};
// The codes of every layer (codes[l][n]) for one sample, with `force` applied when given.
std::vector<std::vector<uint32_t>> layer_codes(const Model& m,
                                               const std::vector<uint32_t>& input_codes,
                                               const ForcedNeuron* force = nullptr);
// For class scores that differ from the model's on a sample (those of a faulty netlist, say): the
// neuron of the earliest layer, then the lowest index, whose output alone, changed to some other
// code, makes the model compute exactly `scores`. Empty when no single neuron does.
std::optional<ForcedNeuron> explain_scores(const Model& m, const std::vector<uint32_t>& input_codes,
                                           const std::vector<uint32_t>& scores);
uint32_t predict(const Model& m, const std::vector<uint32_t>& scores);
// A class score as a number: signed scores (Model::signed_scores) are sign-extended from
// score_bits.
int64_t score_value(const Model& m, uint32_t score);

}  // namespace lutforge::models
