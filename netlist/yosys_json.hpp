// Reading Yosys `write_json` output, in two layers:
//   parse_yosys_json: JSON text to a plain description of modules, ports, cells and nets. It knows
//     nothing of the netlist.
//   import_yosys: one module of that description to a Netlist, for the cell libraries of generic
//     `synth` (gates and $lut), Yosys' internal flip-flops, Xilinx 7-series and iCE40.
// Both throw Error with a message that names the file, the module, the cell or net, and what was
// expected.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

// A bit in a Yosys netlist: a net id (>= 0; Yosys starts at 2) or one of the constants.
using YBit = int64_t;
inline constexpr YBit kYBit0 = -1, kYBit1 = -2, kYBitX = -3, kYBitZ = -4;

struct YosysPort {
  enum class Direction { Input, Output, Inout };
  std::string name;
  Direction direction = Direction::Input;
  std::vector<YBit> bits;
};

struct YosysCell {
  std::string name, type;
  // Parameter values as Yosys writes them: MSB-first binary strings, or text.
  std::vector<std::pair<std::string, std::string>> parameters;
  std::vector<std::pair<std::string, std::vector<YBit>>> connections;
};

struct YosysNet {
  std::string name;
  bool hidden = false;
  std::vector<YBit> bits;
  std::string init;  // the `init` attribute, MSB-first binary, or empty
};

struct YosysModule {
  std::string name;
  bool is_top = false;
  bool is_blackbox = false;
  std::vector<YosysPort> ports;
  std::vector<YosysCell> cells;
  std::vector<YosysNet> nets;
};

struct YosysDesign {
  std::string filename;
  std::vector<YosysModule> modules;
};

YosysDesign parse_yosys_json(std::string_view text, const std::string& filename);

struct ImportParams {
  std::string top;  // the module to read; empty: the one marked top, or the only non-blackbox one
};

struct ImportStats {
  size_t x_bits = 0;                            // constant x bits read as 0
  size_t z_bits = 0;                            // constant z bits read as 0
  std::map<std::string, size_t> cells_by_type;  // Yosys cell types of the module read
};

Netlist import_yosys(const YosysDesign& design, const ImportParams& params = {},
                     ImportStats* stats = nullptr);

// Reads a file and does both steps.
Netlist read_yosys_json_file(const std::string& path, const ImportParams& params = {},
                             ImportStats* stats = nullptr);

}  // namespace lutforge
