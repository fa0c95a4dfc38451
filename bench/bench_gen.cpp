// Writes a layered network of random LUTs as a native netlist: the benchmarks' input.
//   bench_gen --inputs N --layers L --width W --k K --seed S -o OUT.json
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "netlist/generate.hpp"
#include "netlist/native_json.hpp"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  lutforge::RandomLutParams p;
  unsigned k = 6;
  std::string out;
  po::options_description opts("bench_gen");
  opts.add_options()("inputs", po::value(&p.num_inputs))("layers", po::value(&p.layers))(
      "width", po::value(&p.width))("k", po::value(&k))("seed", po::value(&p.seed))(
      "output,o", po::value(&out)->required());
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  po::notify(vm);
  p.min_k = p.max_k = k;
  std::ofstream f(out);
  lutforge::write_native_json(lutforge::random_lut_network(p), f);
  std::cout << p.layers * p.width << " LUTs of " << k << " inputs\n";
  return f ? 0 : 2;
}
