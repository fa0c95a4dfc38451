// A DSP slice with its pipeline registers, built from cells: a PackedDsp for the arithmetic and
// Dff cells for the registers, as a slice places them (DSP48E2-like):
//
//   A, B, D --[AREG/BREG/DREG stages]--> pre-adder --[ADREG]--> multiplier --[MREG]-->
//   post-adder (+ C after CREG, + Z) --[PREG]--> P
//
// With `accumulate`, Z is the slice's own P register (PREG is required), and the ZEN port keeps
// it (1) or drops it (0, the start of a new sum), as the OPMODE bit that switches the Z
// multiplexer between P and 0. Registers start at 0 and have no enables or resets.
//
// Without ADREG and MREG the arithmetic is one PackedDsp. ADREG puts the pre-adder in an Adder in
// front of its registers; MREG makes the multiplier one PackedDsp and the post-adder an Adder
// behind the M registers. The slice is then still one PackedDsp, so that counting PackedDsp
// cells counts slices.
//
// Needs: `arithmetic` without Z (the builder owns it), ports of its widths. Guarantees: every
// sample's P appears dsp_latency(config) cycles after its operands, and equals the PackedDsp
// arithmetic of those operands (plus the previous P with accumulate and ZEN = 1).
#pragma once

#include <string>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

struct DspConfig {
  PackedDsp arithmetic;  // ports, widths, pre-adder and signedness; z_width must be 0
  unsigned areg = 0, breg = 0, creg = 0, dreg = 0;  // input stages: 0..2 for A, B and D
  bool adreg = false, mreg = false, preg = false;
  bool accumulate = false;  // Z = P, kept while ZEN is 1
};

struct DspPorts {
  std::vector<Signal> a, b, c, d;
  Signal zen;  // accumulate only
};

// The cycles from a sample's operands to its P: AREG + ADREG + MREG + PREG.
unsigned dsp_latency(const DspConfig& c);
// Throws Error naming `name` when the configuration is not one a slice can have, or when a
// sample's operands would not meet: BREG = AREG + ADREG, DREG = AREG, and C's stages = the
// stages to the post-adder (C may have up to 3, the extra ones in the fabric).
void check_dsp_config(const DspConfig& c, const std::string& name);

// Adds the slice to `nl` and returns P's signals (arithmetic.p_width bits).
std::vector<Signal> add_dsp(Netlist& nl, const DspConfig& c, const DspPorts& ports,
                            const std::string& name);

}  // namespace lutforge
