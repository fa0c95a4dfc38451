// The native netlist file (.json): every node in id order with its kind, name, parameters and
// fanin as [node, bit] pairs. Writing then reading gives back the same netlist, and writing is
// deterministic, so a file read and written again is byte-identical.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include "netlist/netlist.hpp"

namespace lutforge {

void write_native_json(const Netlist& nl, std::ostream& out);
// Throws Error naming `filename` and the node when the text is not a valid native netlist.
Netlist read_native_json(std::string_view text, const std::string& filename);

// True when the text looks like a native netlist rather than Yosys JSON.
bool is_native_json(std::string_view text);
// The same test on the start of a file; throws Error naming the file when it cannot be read.
bool is_native_json_file(const std::string& path);

// Reads a native or Yosys JSON file, judged by its content. `top` picks the Yosys module.
Netlist read_netlist_file(const std::string& path, const std::string& top = {});

// Graphviz dot, one node per cell, edges labelled with bits for multi-bit cells.
void write_dot(const Netlist& nl, std::ostream& out);

}  // namespace lutforge
