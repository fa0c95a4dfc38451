// Port-value tables (the vectors CSV) and cycle simulation of a netlist over them.
//
// CSV form: a header row of port names, then one row per clock cycle (or per vector for a purely
// combinational design). Values are unsigned integers, decimal or 0x-hex, of any width.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

// An unsigned value of any width, 64 bits a word, LSB first.
using BitVector = std::vector<uint64_t>;

struct VectorTable {
  std::vector<std::string> names;
  std::vector<uint32_t> widths;
  std::vector<std::vector<BitVector>> rows;  // rows[r][column]
};

// The input ports of nl as columns, with no rows.
VectorTable input_table(const Netlist& nl);
VectorTable output_table(const Netlist& nl);

// Reads a CSV whose columns are exactly the input ports of nl, in any order; the result has them
// in port order. Throws Error naming the file, row and column on any mismatch.
VectorTable read_vectors_csv(const std::string& text, const std::string& filename,
                             const Netlist& nl);
// Reads a CSV whose columns are exactly those of `columns` (names and widths), in any order; the
// result has them in the order of `columns`.
VectorTable read_csv_table(const std::string& text, const std::string& filename,
                           const VectorTable& columns);
void write_vectors_csv(const VectorTable& t, std::ostream& out);

// `count` rows of uniformly random input values from a fixed generator seeded with `seed`.
VectorTable random_vectors(const Netlist& nl, size_t count, uint64_t seed);

// Simulates `cycles` clock cycles from the registers' init values. Row t of the result holds the
// outputs after row t's inputs are applied and before the clock edge that ends cycle t. When the
// inputs run out, the last row is held. A design without registers evaluates its rows in
// parallel, 64 per machine word.
VectorTable simulate(const Netlist& nl, const VectorTable& inputs, size_t cycles);

// For a design with 1-bit ports valid_in and valid_out (a sequential schedule, such as a MAC
// network with reuse factors): each sample (a row of every input port but valid_in) in a lane of
// its own, valid_in held high from the registers' init values, and the sample's outputs taken in
// the first cycle valid_out is high. The lanes run in lockstep, so a design whose valid_out
// depends on the data is an Error, as is one that gives no output within max_cycles. Equals the
// clocked simulation's result for each sample, at 512 samples per pass.
VectorTable simulate_samples(const Netlist& nl, const VectorTable& samples,
                             const std::string& valid_in, const std::string& valid_out,
                             uint64_t max_cycles);

}  // namespace lutforge
