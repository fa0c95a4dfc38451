#include <filesystem>

#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "base/files.hpp"
#include "netlist/native_json.hpp"
#include "netlist/vectors.hpp"
#include "netlist/yosys_json.hpp"
#include "rtl_gen/testbench.hpp"

namespace lutforge::cli {

int cmd_testbench(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string path, top, vectors, expected, out_dir, dut;
  opts.add_options()("netlist", po::value(&path)->required(),
                     "netlist whose ports the testbench drives")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "vectors", po::value(&vectors)->required(), "input CSV, one row per cycle")(
      "expected", po::value(&expected), "expected output CSV (default: simulate the netlist)")(
      "dut", po::value(&dut), "module name of the design under test (default: the design name)")(
      "output-dir,o", po::value(&out_dir)->required(),
      "directory for tb.v, stimulus.hex and expected.hex");
  po::positional_options_description pos;
  pos.add("netlist", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge testbench NETLIST --vectors IN.csv [--expected OUT.csv] -o DIR", opts,
             pos, vm))
    return kExitOk;
  const Netlist nl = read_netlist_file(path, top);
  const VectorTable in = read_vectors_csv(read_file(vectors), vectors, nl);
  const VectorTable exp = expected.empty()
                              ? simulate(nl, in, in.rows.size())
                              : read_csv_table(read_file(expected), expected, output_table(nl));
  std::filesystem::create_directories(out_dir);
  auto tb = open_output(out_dir + "/tb.v");
  auto st = open_output(out_dir + "/stimulus.hex");
  auto ex = open_output(out_dir + "/expected.hex");
  TestbenchParams p;
  p.dut_module = dut;
  write_testbench(nl, in, exp, tb, st, ex, p);
  return kExitOk;
}

}  // namespace lutforge::cli
