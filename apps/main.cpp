// lutforge: one subcommand per step of the flow. This executable links neither LibTorch nor
// SystemC; `train` and `sim --engine systemc` run in the helper executables beside it.
#include <cstdlib>

#include "apps/cli.hpp"
#include "apps/commands.hpp"

namespace {

int train_in_helper(const std::vector<std::string>& args) {
  // LibTorch's OpenMP threads spin while they wait. With more training threads than cores (two
  // trainings of two threads on two cores) the spinning took the cores from the work: two gate
  // networks took 1.7x as long, two PolyLUT-Add networks about 10x (BENCHMARKS.md). Threads
  // that sleep cost nothing measurable alone. The user's own setting stays. It is set here, in
  // the helper's environment: OpenMP reads it when its library loads, before the helper's main.
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  lutforge::cli::exec_helper("lutforge-train", "train", args,
                             "lutforge train (LUTFORGE_WITH_TORCH)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lutforge::cli;
  return cli_main(
      argc, argv,
      {
          {"stats", cmd_stats, "cell counts, LUT sizes, registers, depth and pipeline stages"},
          {"sim", cmd_sim, "simulate a netlist on vectors, cycle by cycle"},
          {"convert", cmd_convert,
           "convert Yosys JSON or native JSON to native JSON, dot or Verilog"},
          {"synth", cmd_synth, "synthesize Verilog with yosys and report resources"},
          {"equiv", cmd_equiv, "prove two netlists equivalent, or give a counterexample"},
          {"testbench", cmd_testbench, "write a self-checking Verilog testbench from vectors"},
          {"train", train_in_helper,
           "train a LUT network from a TOML configuration and export its model file"},
          {"lower", cmd_lower, "lower a model file to a netlist"},
          {"encode", cmd_encode,
           "encode dataset samples as a model's input vectors, with its reference"},
          {"dsp-packing", cmd_dsp_packing,
           "how many low-bit products a DSP slice packs, with guard bits; proved on request"},
          {"prune", cmd_prune,
           "prune a MAC model to a budget of DSPs, LUTs, FFs and BRAM (a knapsack over its "
           "structures)"},
          {"regress", cmd_regress,
           "run a regression suite: resumable, in parallel or on Slurm, with reports"},
      });
}
