// The lowering of one MAC layer, for lower() (models/lower.hpp). Internal to models/.
#pragma once

#include <string>
#include <vector>

#include "models/dsp_packing.hpp"
#include "models/model.hpp"

namespace lutforge::models {

struct MacLowering {
  DspFamily family = DspFamily::DSP48E2;
  bool packing = false;  // products of one input for several neurons share a slice
  // With reuse factors: each layer's weights are one ROM read by the frame counter, with a
  // register per weight bit behind it (block RAM after synth_xilinx), instead of LUTs of the
  // counter.
  bool weights_in_bram = false;
  bool keep_unread = false;  // LowerParams::keep_unread
};

// clamp((acc * m + r) >> shift, 0, 2^out_bits - 1) of a signed accumulator, r = 2^(shift - 1):
// an Adder of shifted copies of acc (m's set bits) and saturating LUTs.
std::vector<Signal> requantize(Netlist& nl, const std::vector<Signal>& acc, uint32_t m,
                               unsigned shift, unsigned out_bits, const std::string& name);

// A network of MAC layers with reuse factors (one per layer, the largest > 1): the sequential
// design of models/lower_reuse.cpp, with ports x, valid_in, valid_out, in_ready, class0.. and
// prediction (with argmax). With mac.packing, the neurons that read the same inputs share packed
// slices whose packed weight word is a LUT of the frame counter.
Netlist lower_reused(const Model& m, const std::vector<unsigned>& reuse, const std::string& clock,
                     bool argmax, const MacLowering& mac);
// The class-score ports class0, class1, ... and, with argmax and two classes or more, an ArgMax
// cell driving `prediction` (models/lower.cpp).
void add_score_ports(Netlist& nl, const Model& m, const std::vector<std::vector<Signal>>& scores,
                     bool argmax);
// The clocks from a sample's input transfer to its scores in lower_reused()'s design.
unsigned reused_latency(const Model& m, const std::vector<unsigned>& reuse);

// Whether any of the weights first .. first + count - 1 of MAC neuron n is nonzero (a lane whose
// weights are all zero is pruned: no slice).
bool any_weight(const Neuron& n, size_t first, size_t count);
// Whether a MAC neuron's code varies (models::constant_output); one that does not (pruned, or
// saturated) lowers to its constant code, with no slice and no adder (pruned_code).
bool is_live(const Layer& L, const Neuron& n);
// read[l][n]: whether the code of neuron n of layer l varies and is read: a neuron of the next
// layer that is itself read takes it through a nonzero weight (every neuron of the last layer:
// the scores), and it is live (is_live: a multiplier of 0, for one, makes the code constant).
// lower_reused() builds no slice for the others, as for pruned neurons: their code is the
// constant of their bias, and no lane, weight or memory column is built for what synthesis would
// only find dead later.
std::vector<std::vector<bool>> read_neurons(const Model& m);
// The constant code of a neuron of layer L that is not live, as L.out_bits constant signals; for
// a live one (which nothing reads), the code of its bias alone.
std::vector<Signal> pruned_code(Netlist& nl, const Layer& L, const Neuron& n);

// The layer's output codes (L.out_bits signals per neuron) from its input codes.
std::vector<std::vector<Signal>> lower_mac_layer(Netlist& nl, const Layer& L,
                                                 const std::vector<std::vector<Signal>>& codes,
                                                 const MacLowering& p, const std::string& prefix);

}  // namespace lutforge::models
