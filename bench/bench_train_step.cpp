// Milliseconds per training step of a network from a training configuration, on random inputs:
//   bench_train_step CONFIG.toml --features F [--steps N]
// The configuration's batch_size and threads apply. bench/bench_difflogic.sh runs it beside
// difflogic's own Python implementation on the same shape.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "base/error.hpp"
#include "base/heap.hpp"
#include "train/config.hpp"
#include "train/train.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  lutforge::prepare_heap();  // as lutforge-train does
  std::string config;
  int64_t features = 784;
  unsigned steps = 10;
  po::options_description opts("options");
  opts.add_options()("config", po::value(&config)->required(), "training configuration")(
      "features", po::value(&features), "input features (default 784)")("steps", po::value(&steps),
                                                                        "timed steps (default 10)");
  po::positional_options_description pos;
  pos.add("config", 1);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
    const lutforge::train::TrainConfig c = lutforge::train::read_train_config(config);
    const double ms = lutforge::train::time_train_step(c, features, steps);
    std::printf("%.1f ms/step (median of %u; batch %u, %u threads)\n", ms, steps, c.batch_size,
                c.threads);
  } catch (const std::exception& e) {
    std::cerr << "bench_train_step: " << e.what() << "\n";
    return 1;
  }
}
