// The model file (.lfm.json): a trained LUT network as tables, which is everything the hardware
// needs and nothing of the trainer. models/ reads it without LibTorch, runs it with integers,
// and lowers it to a netlist.
//
// Semantics. The input quantizer turns a sample's features into codes of `bits` bits. Layer l
// reads the codes of layer l-1 (layer 0 reads the input codes). A neuron's fan-in codes are
// concatenated, fan-in 0 in the lowest bits, into an index of fan_in * in_bits bits, and each of
// its out_bits output bits is a truth table over that index. A PolyLUT-Add neuron instead has A
// sub-neurons, each a table over its own fan_in inputs giving sub_bits bits; their outputs are
// added as unsigned integers and a requantizing table over the sum's bits gives the neuron's
// code. The last layer's codes are the class scores (unsigned); the prediction is the first
// class with the largest score.
//
// A gate layer (difflogic) is a layer of 2-input logic gates: fan_in 2, in_bits = out_bits = 1,
// and a neuron's one table is its gate over (input 0, input 1), numbered as Gate cells number
// them (netlist/cells.hpp). Its inputs index the bits of the layer before: input i is bit
// i % B of code i / B, where B is the width of those codes (the input quantizer's bits, for the
// first layer). With a GroupSum head, the last layer's 1-bit outputs form `groups`
// equal groups, and class k's score is the number of set bits in group k instead.
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
};

enum class LayerKind { Lut, Gate };

struct Layer {
  LayerKind kind = LayerKind::Lut;
  unsigned in_bits = 1, out_bits = 1;
  unsigned fan_in = 1;       // inputs per neuron (all sub-neurons together for PolyLUT-Add)
  unsigned sub_neurons = 0;  // A of PolyLUT-Add; 0 for plain neurons
  unsigned sub_bits = 0;     // output bits of each sub-neuron
  std::vector<Neuron> neurons;

  unsigned sub_fan_in() const { return sub_neurons ? fan_in / sub_neurons : fan_in; }
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
  std::string family;   // logicnets, polylut, neuralut, polylut-add, difflogic; "+sparselut" when
                        // trained so
  std::string dataset;  // informative
  InputQuantizer input;
  std::vector<Layer> layers;
  Head head;

  size_t num_classes() const;
  unsigned score_bits() const;  // the width of a class score
};

// Checks the structure (widths, indices, table sizes); throws Error naming `what`, the layer and
// the neuron.
void validate(const Model& m, const std::string& what);

Model read_model(const std::string& text, const std::string& filename);
Model read_model_file(const std::string& path);
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

}  // namespace lutforge::models
