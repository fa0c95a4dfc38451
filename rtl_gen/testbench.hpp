// Self-checking testbench writer. The stimulus and the expected outputs go to $readmemh files;
// the testbench applies one row per clock cycle, compares every output port just before the
// rising edge (with !==, so x and z count as mismatches), reports each mismatch with its cycle
// and port, and ends with a PASS or FAIL line.
#pragma once

#include <iosfwd>
#include <string>

#include "equiv/equiv.hpp"
#include "netlist/netlist.hpp"
#include "netlist/vectors.hpp"

namespace lutforge {

struct TestbenchParams {
  std::string dut_module;                      // default: the design name, or "top"
  std::string stimulus_file = "stimulus.hex";  // as $readmemh will open it
  std::string expected_file = "expected.hex";
  size_t max_reported = 20;  // mismatches printed before the rest are only counted
};

// Writes the testbench module `tb` to `tb` and the two memory files to `stimulus` and `expected`.
// `inputs` has the netlist's input ports as columns, `expected` its output ports.
void write_testbench(const Netlist& nl, const VectorTable& inputs, const VectorTable& expected,
                     std::ostream& tb, std::ostream& stimulus, std::ostream& expected_out,
                     const TestbenchParams& params = {});

// A self-contained counterexample replay: netlist A as module lf_cex_a, netlist B as lf_cex_b,
// and a testbench `tb` that drives the counterexample's inputs into both, one row per cycle, and
// compares B at cycle t with A at cycle t - latency. It prints "REPRODUCED" with the differing
// ports at the counterexample's cycle, or "NOT REPRODUCED".
void write_counterexample_testbench(const Netlist& a, const Netlist& b, const Counterexample& cex,
                                    int latency, std::ostream& out);

}  // namespace lutforge
