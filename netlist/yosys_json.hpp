// Reading Yosys `write_json` output, in two layers:
//   parse_yosys_json / read_yosys_json: JSON text to a plain description of modules, ports, cells
//     and nets. It knows nothing of the netlist.
//   import_yosys: one module of that description to a Netlist, for the cell libraries of generic
//     `synth` (gates and $lut), Yosys' internal flip-flops, Xilinx 7-series and iCE40.
// Both throw Error with a message that names the file, the module, the cell or net, and what was
// expected.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

// A bit in a Yosys netlist: a net id (>= 0; Yosys starts at 2) or one of the constants.
using YBit = int64_t;
inline constexpr YBit kYBit0 = -1, kYBit1 = -2, kYBitX = -3, kYBitZ = -4;

// The description refers into the JSON text instead of copying it: names, types and parameter
// values are views of the text, bit lists and per-cell lists are spans of pools, and both the
// text and the pools belong to the YosysDesign. A 20,000-LUT netlist then needs a few large
// blocks instead of a quarter of a million small strings and vectors.

struct YosysPort {
  enum class Direction { Input, Output, Inout };
  std::string_view name;
  Direction direction = Direction::Input;
  std::span<const YBit> bits;
};

// A parameter value as Yosys writes it: an MSB-first binary string, or text. An integer value in
// the JSON reads as its 32-bit binary string.
struct YosysParam {
  std::string_view name, value;
};

struct YosysConnection {
  std::string_view name;
  std::span<const YBit> bits;
};

struct YosysCell {
  std::string_view name, type;
  std::span<const YosysParam> parameters;
  std::span<const YosysConnection> connections;
};

struct YosysNet {
  std::string_view name;
  bool hidden = false;
  std::span<const YBit> bits;
  std::string_view init;  // the `init` attribute, MSB-first binary, or empty
};

struct YosysModule {
  std::string_view name;
  bool is_top = false;
  bool is_blackbox = false;
  std::vector<YosysPort> ports;
  std::vector<YosysCell> cells;
  std::vector<YosysNet> nets;
};

// Owns the strings, bit lists and per-cell lists that views and spans point to, besides the
// text: the parser's unescaped strings, and the flattener's renamed copies. Nothing it hands out
// moves until it is destroyed.
class YosysArena {
 public:
  std::string_view keep(std::string s) { return strings_.emplace_back(std::move(s)); }
  std::span<const YBit> keep(const std::vector<YBit>& v) { return bits_.add(v); }
  std::span<const YosysParam> keep(const std::vector<YosysParam>& v) { return params_.add(v); }
  std::span<const YosysConnection> keep(const std::vector<YosysConnection>& v) {
    return connections_.add(v);
  }

 private:
  // Arrays carved out of large blocks.
  template <typename T>
  class Pool {
   public:
    std::span<const T> add(const std::vector<T>& items) {
      if (items.empty()) return {};
      if (items.size() > free_) {
        const size_t n = std::max(items.size(), kBlock);
        blocks_.emplace_back(new T[n]);
        next_ = blocks_.back().get();
        free_ = n;
      }
      T* out = next_;
      std::copy(items.begin(), items.end(), out);
      next_ += items.size();
      free_ -= items.size();
      return {out, items.size()};
    }

   private:
    static constexpr size_t kBlock = size_t{1} << 14;
    std::vector<std::unique_ptr<T[]>> blocks_;
    T* next_ = nullptr;
    size_t free_ = 0;
  };

  std::deque<std::string> strings_;
  Pool<YBit> bits_;
  Pool<YosysParam> params_;
  Pool<YosysConnection> connections_;
};

struct YosysDesign {
  std::string filename;
  std::vector<YosysModule> modules;
  // What the views and spans above point into: the text, and the pools. Copies of a design share
  // it.
  std::shared_ptr<const void> storage;
};

// Parses the text, which the design keeps.
YosysDesign parse_yosys_json(std::string text, const std::string& filename);
// Maps the file (see MappedFile) and parses it; the design keeps the mapping.
YosysDesign read_yosys_json(const std::string& path);

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
