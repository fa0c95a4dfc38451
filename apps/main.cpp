// lutforge: one subcommand per step of the flow.
#include <boost/program_options/errors.hpp>
#include <cstring>
#include <iostream>

#include "apps/commands.hpp"
#include "netlist/error.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* summary;
};

const Command kCommands[] = {
    {"stats", lutforge::cli::cmd_stats, "cell counts, LUT sizes, registers, depth and pipeline stages"},
    {"sim", lutforge::cli::cmd_sim, "simulate a netlist on vectors, cycle by cycle"},
    {"convert", lutforge::cli::cmd_convert, "convert Yosys JSON or native JSON to native JSON, dot or Verilog"},
    {"synth", lutforge::cli::cmd_synth, "synthesize Verilog with yosys and report resources"},
    {"equiv", lutforge::cli::cmd_equiv, "prove two netlists equivalent, or give a counterexample"},
    {"testbench", lutforge::cli::cmd_testbench, "write a self-checking Verilog testbench from vectors"},
    {"train", lutforge::cli::cmd_train, "train a LUT network from a TOML configuration and export its model file"},
    {"lower", lutforge::cli::cmd_lower, "lower a model file to a netlist"},
    {"encode", lutforge::cli::cmd_encode, "encode dataset samples as a model's input vectors, with its reference"},
};

void usage(std::ostream& out) {
  out << "usage: lutforge <command> [options]\n\ncommands:\n";
  for (const auto& c : kCommands) out << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  out << "\n'lutforge <command> --help' describes a command.\n"
         "exit codes: 0 success (equiv: EQUIVALENT), 1 equiv: NOT EQUIVALENT, 2 error (bad input, options\n"
         "or tool failure), 3 equiv: UNDECIDED\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return lutforge::cli::kExitError;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(std::cout);
    return 0;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const lutforge::Error& e) {
      std::cerr << "lutforge " << name << ": error: " << e.what() << "\n";
    } catch (const boost::program_options::error& e) {
      std::cerr << "lutforge " << name << ": error: " << e.what() << " (see 'lutforge " << name << " --help')\n";
    } catch (const std::bad_alloc&) {
      std::cerr << "lutforge " << name << ": error: out of memory\n";
    } catch (const std::exception& e) {
      std::cerr << "lutforge " << name << ": internal error: " << e.what() << "\n";
    }
    return lutforge::cli::kExitError;
  }
  std::cerr << "lutforge: unknown command '" << name << "'\n";
  usage(std::cerr);
  return lutforge::cli::kExitError;
}
