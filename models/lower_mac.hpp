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
};

// The layer's output codes (L.out_bits signals per neuron) from its input codes.
std::vector<std::vector<Signal>> lower_mac_layer(Netlist& nl, const Layer& L,
                                                 const std::vector<std::vector<Signal>>& codes,
                                                 const MacLowering& p, const std::string& prefix);

}  // namespace lutforge::models
