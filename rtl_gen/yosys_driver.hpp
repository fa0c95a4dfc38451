// Runs the real `yosys` binary on a generated script and reports the resources of the result.
#pragma once

#include <map>
#include <string>

#include "netlist/netlist.hpp"

namespace lutforge {

enum class SynthTarget { Generic, Xilinx, Ice40 };

struct SynthParams {
  std::string top;
  SynthTarget target = SynthTarget::Generic;
  unsigned lut_size = 0;  // generic: synth -lut K (0 = gate level); ignored by the FPGA targets
  std::string yosys = "yosys";
  std::string log_file;  // the yosys log; default: next to the output, with .log
};

struct Resources {
  std::map<unsigned, size_t> luts_by_size;
  size_t luts = 0, gates = 0, flip_flops = 0, carry_cells = 0, dsps = 0, muxes = 0, other = 0;
  size_t brams_18k = 0;  // block RAM in 18 Kbit halves: a RAMB18E1 is one, a RAMB36E1 two
  std::map<std::string, size_t> cells_by_type;
};

// The yosys script for a target, as `synthesize` runs it.
std::string synth_script(const std::string& verilog, const std::string& json, const SynthParams& p);

// Synthesizes `verilog` to Yosys JSON at `json`. Throws Error with the last lines of the log when
// yosys fails, and with the install command when the binary is missing.
void synthesize(const std::string& verilog, const std::string& json, const SynthParams& p);

// Counts the cells of the top module of a Yosys JSON by resource class.
Resources count_resources(const std::string& json_path, const std::string& top = {});

}  // namespace lutforge
