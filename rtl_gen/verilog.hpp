// Verilog-2005 writer. Every node output becomes a wire named after its node id; LUTs become a
// constant shifted by their inputs, gates expressions, adders `+` over explicitly extended
// operands, registers `always @(posedge clk)` blocks with their init value. The same netlist always
// gives byte-identical text.
#pragma once

#include <iosfwd>
#include <string>

#include "netlist/netlist.hpp"

namespace lutforge {

struct VerilogParams {
  std::string module_name;         // default: the design name, or "top"
  std::string clock_name = "clk";  // used when the netlist has registers but names no clock
  // Write LUTs as Xilinx LUT1..LUT6 instances with INIT instead of expressions. LUTs must have at
  // most 6 inputs (see decompose_luts).
  bool xilinx_luts = false;
  // Write LUTs as Yosys $lut cells (read with `read_verilog -icells`). Yosys then keeps them as
  // LUTs instead of re-mapping a shift expression through gates: 1,000 random 6-input LUTs took
  // 7 s to `synth -lut 6` this way against 159 s as expressions. Simulators need Yosys' simlib.v.
  bool yosys_luts = false;
  // Write LUTs as instances of lf_lut, a module written once in the same file with a behavioural
  // body and the (* blackbox *) attribute: Yosys keeps every LUT as one cell and synthesizes only
  // the rest, while simulators run the body. For netlists that are already mapped to LUTs (after
  // decompose_luts): 500 twelve-input neurons go through `synth -lut 6` in seconds this way.
  bool blackbox_luts = false;
  // Write every LUT tree (a LUT and the LUTs decompose_luts made from it, named NAME and NAME$dK)
  // as a module of its own, instantiated as u_NAME. Yosys `synth` without -flatten then maps one
  // module at a time, so its memory follows the largest tree rather than the whole design.
  bool lut_modules = false;
  // Write a sum of more than two operands as a chain of lf_add2 instances (a module written once
  // in the same file, kept as a hierarchy level by synthesis), adding the operands in the order
  // the evaluator and the prover add them. Synthesis then cannot restructure the sum, and the
  // prover finds every partial sum in the synthesized netlist: a MAC layer's sums of products,
  // which SAT alone does not settle in minutes, prove in a second. It costs carry logic, and a
  // long chain is slow, so it is for arithmetic sums rather than wide popcounts.
  bool adder_modules = false;
};

void write_verilog(const Netlist& nl, std::ostream& out, const VerilogParams& params = {});

// A Verilog identifier for `name`: the name itself when legal, else an escaped identifier.
std::string verilog_identifier(const std::string& name);

}  // namespace lutforge
