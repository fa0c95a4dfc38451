// Where the time of reading a Yosys JSON goes, phase by phase, in one process:
//   bench_read FILE [--runs N]
// Phases: mapping and parsing the file into the YosysDesign description, building the Netlist, and
// levelizing it (what `lutforge stats` does after reading). Prints the median of N runs per phase.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <vector>

#include "base/files.hpp"
#include "bench/bench_util.hpp"
#include "netlist/levels.hpp"
#include "netlist/yosys_json.hpp"

namespace po = boost::program_options;
using namespace lutforge;

int main(int argc, char** argv) {
  std::string path;
  int runs = 5;
  po::options_description opts("options");
  opts.add_options()("file", po::value(&path)->required(), "Yosys JSON")(
      "runs", po::value(&runs), "runs; the median is printed");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
  po::notify(vm);

  std::vector<double> t_parse, t_import, t_levels;
  size_t nodes = 0, depth = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    const YosysDesign d = read_yosys_json(path);
    t_parse.push_back(bench::seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    const Netlist nl = import_yosys(d);
    t_import.push_back(bench::seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    const Levels lv = levelize(nl);
    t_levels.push_back(bench::seconds_since(t0));
    nodes = nl.num_nodes();
    depth = lv.depth;
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2] * 1000.0;
  };
  std::printf("%s: %zu nodes, depth %zu; median of %d runs, ms\n", path.c_str(), nodes, depth,
              runs);
  std::printf("map+parse %.1f\nimport    %.1f\nlevelize  %.1f\n", median(t_parse), median(t_import),
              median(t_levels));
}
