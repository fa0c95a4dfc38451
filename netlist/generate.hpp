// Seeded generators of test and benchmark netlists.
#pragma once

#include <cstdint>

#include "netlist/netlist.hpp"

namespace lutforge {

struct RandomLutParams {
  uint32_t num_inputs = 16;  // one input port "x"
  uint32_t width = 32;       // LUTs per layer; the last layer drives the output port "y"
  uint32_t layers = 4;
  unsigned min_k = 2, max_k = 6;
  bool register_layers = false;  // a register after every LUT, making each layer a pipeline stage
  uint64_t seed = 1;
};

// A layered network of random LUTs. Every LUT reads distinct signals of the layer before
// (the first layer reads x), every signal of a layer is read by the next, and the tables are
// uniformly random, so nothing is dead or trivially constant.
Netlist random_lut_network(const RandomLutParams& p);

}  // namespace lutforge
