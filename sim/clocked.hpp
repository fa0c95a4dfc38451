// Cycle-accurate simulation of a netlist in SystemC: a clock, a reset, a stimulus source with
// valid/ready, the design, and a monitor. The design keeps the netlist's registers as its state;
// each clock evaluates the logic between them with the compiled bit-parallel evaluator (one lane),
// not one SystemC process per cell.
//
// Flow control: the design has a clock enable driven by the monitor's ready. When ready is low the
// whole design holds (no register changes, the source's sample is not taken), so a sample is never
// lost or duplicated. Input ready is therefore the monitor's ready.
//
// A design that cannot take a sample every cycle (a reuse factor above 1, say) has a 1-bit output
// port in_ready: the source's sample transfers only at an edge where in_ready was high, besides
// valid and the monitor's ready. The design sees valid_in high in the cycles the source offers a
// sample, and takes it in the cycles it signals in_ready.
//
// Which cycles carry a valid sample: a netlist with 1-bit ports valid_in and valid_out (as the
// pipeline pass makes) tracks validity itself; otherwise the netlist must be a balanced pipeline
// (every output the same number of registers from the inputs, no feedback), and a valid bit
// travels beside it for that many cycles.
//
// Needs: a netlist that passes verify(), one clock domain. SystemC elaborates once per process, so
// run_clocked may be called once per process (the CLI runs it from sc_main).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "netlist/netlist.hpp"
#include "netlist/vectors.hpp"
#include "sim/power.hpp"

namespace lutforge::sim {

struct ClockedParams {
  std::string valid_in = "valid_in", valid_out = "valid_out", in_ready = "in_ready";
  // Per cycle, repeating: '1' where the source offers its next sample, or the monitor is ready.
  // Empty means always.
  std::string source_pattern, ready_pattern;
  unsigned reset_cycles = 2;
  // 0: 16 * samples + 1000 (4096 * samples + 1000 with an in_ready port); the run fails if
  // samples are still in flight then.
  uint64_t max_cycles = 0;
  double clock_period_ns = 10;
  bool record_cycles = false;         // fill ClockedReport::cycle_inputs and cycle_outputs
  std::string vcd_path;               // empty: no VCD
  std::vector<std::string> vcd_nets;  // node names to trace; empty: every named net
  PowerWeights weights;
};

struct Power {
  uint64_t toggles = 0;                   // net bits that changed, summed over the evaluated cycles
  double switching = 0;                   // weighted toggles
  double clock = 0;                       // clock-load term of the registers
  double energy = 0;                      // switching + clock, in proxy units
  double per_inference = 0;               // energy / samples
  double alpha = 0;                       // mean switching activity: toggles / (net bits * cycles)
  std::map<std::string, double> by_kind;  // energy by cell kind ("clock" for the clock term)
  std::vector<double> by_stage;           // switching energy by pipeline stage
};

struct ClockedReport {
  uint64_t samples = 0;
  uint64_t cycles = 0;          // after reset
  bool valid_ports = false;     // validity came from the netlist's own valid ports
  bool ready_port = false;      // the design's in_ready port paced the source
  unsigned pipeline_depth = 0;  // registers from the inputs to the outputs
  std::vector<uint64_t>
      latency;  // per sample: cycles from its input transfer to its output transfer
  uint64_t latency_min = 0, latency_max = 0;
  double latency_mean = 0;
  uint64_t first_in = 0, last_in = 0, first_out = 0, last_out = 0;  // transfer cycles
  uint64_t stall_cycles = 0;                                        // cycles with ready low
  double samples_per_cycle = 0;        // samples / (last_out - first_in + 1)
  double initiation_interval = 0;      // (last_in - first_in) / (samples - 1)
  uint64_t fill_cycles = 0;            // first_out - first_in
  uint64_t drain_cycles = 0;           // last_out - last_in
  VectorTable outputs;                 // one row per sample, in the order the monitor took them
  std::vector<uint64_t> output_order;  // the sample index of each output row
  // With record_cycles: every input and output port of the design, one row per cycle after reset,
  // as the design saw them (valid_in included). Replaying cycle_inputs into the generated RTL
  // must give cycle_outputs when no cycle stalled.
  VectorTable cycle_inputs, cycle_outputs;
  Power power;
  struct NetToggles {
    NodeId node;
    uint32_t bit;
    uint64_t toggles;
  };
  std::vector<NetToggles> net_toggles;  // every net bit, in slot order
  double seconds = 0;                   // wall time of the simulation itself (sc_start)
};

ClockedReport run_clocked(const Netlist& nl, const VectorTable& samples,
                          const ClockedParams& params);

}  // namespace lutforge::sim
