// Lowering a model to a netlist, cell for cell: each output bit of a neuron is a Lut cell over its
// fan-in codes (fan_in * in_bits inputs), a PolyLUT-Add neuron is sub-neuron Luts, an Adder and
// requantizing Luts, a gate neuron is a Gate cell, a threshold neuron is a popcount of counter
// Luts and a Lut over its count, a GroupSum head is an Adder per class (a
// popcount) or a tree of them, a MAC layer is slices (PackedDsp) and Adders (models/lower_mac.cpp),
// and the class scores go to output ports class0, class1, ... with an optional ArgMax cell
// driving `prediction`.
//
// Ports: input `x` holds the input codes, feature f's code at bits f * bits .. f * bits + bits - 1.
// Needs: a model that passes validate(). Guarantees: simulating the netlist on a sample's codes
// gives class_scores() and predict() of models/, bit for bit, lowered_latency() clocks later.
#pragma once

#include <string>

#include "models/dsp_packing.hpp"
#include "models/model.hpp"
#include "netlist/netlist.hpp"

namespace lutforge::models {

struct LowerParams {
  bool argmax = true;  // add the ArgMax cell and the `prediction` port
  // Pipelining: 0 registers nothing. N > 0 puts a register after every N-th layer, and at the
  // end: after the popcounts of a GroupSum head (a stage of its own), or after the last layer
  // when N does not divide the layer count.
  unsigned register_every = 0;
  // GroupSum heads: 0 makes each class's popcount one Adder cell. R >= 2 makes it a tree of
  // Adders of at most R operands each; with register_every, every level of the tree is a
  // pipeline stage of its own (a popcount of G outputs takes popcount_levels(G, R) stages).
  unsigned popcount_radix = 0;
  // The prediction as a tournament of two-word ArgMax cells, one level per halving of the
  // classes (ties go to the lower class, as with one ArgMax cell). With register_every, every
  // level is a pipeline stage, and the class-score ports are delayed to stay in step with it.
  bool argmax_tree = false;
  // MAC layers: the slices' family, and whether the products of one input for several neurons
  // share a slice (DSP packing, with the borrow correction).
  DspFamily dsp_family = DspFamily::DSP48E2;
  bool dsp_packing = false;
  // Networks of MAC layers: the reuse factor R of each layer (one entry: every layer). Empty or
  // all 1: fully parallel, one slice per product. Otherwise each slice serves R products over R
  // cycles, and the design is sequential with an initiation interval of the largest R
  // (models/lower_reuse.cpp): ports valid_in, valid_out and in_ready beside x and the scores.
  std::vector<unsigned> reuse_factor;
  // With reuse factors: each layer's weights as a ROM on the frame counter with registers behind
  // it, which synth_xilinx maps to block RAM (MacLowering::weights_in_bram).
  bool weights_in_bram = false;
  // With reuse factors: build the slices of neurons whose code nothing reads too (read_neurons(),
  // models/lower_mac.hpp), as the pruning cost model measures structures one at a time, so that
  // removing a next-layer structure is not charged for the neurons it leaves unread.
  bool keep_unread = false;
  std::string clock = "clk";
  // The input encoder in hardware: 0 makes the port x the input codes (pack_codes). W > 0 makes
  // it the features as W-bit integers p (feature = p / (2^W - 1), as image pixels are read), and
  // each bit of each code a LUT of the W bits of its feature: the model's own quantizer
  // evaluated at all 2^W values, so the encoder is exact by construction.
  unsigned pixel_bits = 0;
};

// The levels of a popcount tree of `group` one-bit inputs at `radix` operands an Adder (0: one).
unsigned popcount_levels(size_t group, unsigned radix);
// The levels of an ArgMax tournament over `classes` words.
unsigned argmax_levels(size_t classes);

Netlist lower(const Model& m, const LowerParams& params = {});
// params.reuse_factor for each layer of m (all 1 when it is empty); throws Error when its length
// is neither 1 nor the layer count, or a factor is 0.
std::vector<unsigned> reuse_factors(const Model& m, const LowerParams& params);
// The initiation interval of lower()'s netlist: the largest reuse factor.
unsigned initiation_interval(const Model& m, const LowerParams& params);
// The clocks from a sample's input to its scores in lower()'s netlist (with reuse factors: from
// its input transfer to its output transfer).
unsigned lowered_latency(const Model& m, const LowerParams& params);

// The netlist input word of one sample: the codes packed as lower() expects them.
std::vector<uint64_t> pack_codes(const Model& m, const std::vector<uint32_t>& codes);
// The inverse: a sample's input codes from the netlist input word.
std::vector<uint32_t> unpack_codes(const Model& m, const std::vector<uint64_t>& word);
// The netlist input word of one sample with the encoder in hardware (LowerParams::pixel_bits):
// the features as `pixel_bits`-bit integers. Throws when a feature is not p / (2^bits - 1).
std::vector<uint64_t> pack_pixels(const Model& m, const float* features, unsigned pixel_bits);
// The features as the encoder reads them: p / (2^bits - 1) for the integer p of each.
float pixel_value(uint32_t p, unsigned pixel_bits);

}  // namespace lutforge::models
