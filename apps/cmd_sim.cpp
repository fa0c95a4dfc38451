#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "netlist/native_json.hpp"
#include "netlist/vectors.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::cli {

int cmd_sim(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string path, top, vectors, out_path, inputs_out;
  size_t random = 0, cycles = 0;
  uint64_t seed = 1;
  opts.add_options()("netlist", po::value(&path)->required(), "netlist file (Yosys JSON or native JSON)")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "vectors", po::value(&vectors), "input CSV: a header of input port names, one row per cycle")(
      "random", po::value(&random), "simulate N rows of random inputs instead")(
      "seed", po::value(&seed), "seed of --random (default 1)")(
      "cycles", po::value(&cycles), "clock cycles to run (default: one per input row; the last row is held)")(
      "inputs-out", po::value(&inputs_out), "also write the applied input rows to this CSV")(
      "output,o", po::value(&out_path)->required(), "output CSV: one row per cycle, one column per output port");
  po::positional_options_description pos;
  pos.add("netlist", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge sim NETLIST (--vectors IN.csv | --random N [--seed S]) [--cycles C] -o OUT.csv", opts, pos, vm))
    return kExitOk;
  if (vm.count("vectors") == vm.count("random"))
    throw Error("give exactly one of --vectors and --random");

  const Netlist nl = read_netlist_file(path, top);
  const VectorTable in = vm.count("vectors") ? read_vectors_csv(read_file(vectors), vectors, nl)
                                             : random_vectors(nl, random, seed);
  if (!vm.count("cycles")) cycles = in.rows.size();
  if (cycles > 0 && in.rows.empty() && !nl.inputs().empty())
    throw Error((vectors.empty() ? std::string("--random") : vectors) + ": no input rows");
  const VectorTable out = simulate(nl, in, cycles);
  auto file = open_output(out_path);
  write_vectors_csv(out, file);
  if (!inputs_out.empty()) {
    auto f = open_output(inputs_out);
    write_vectors_csv(in, f);
  }
  return kExitOk;
}

}  // namespace lutforge::cli
