#include "netlist/generate.hpp"

#include <algorithm>
#include <random>

namespace lutforge {

Netlist random_lut_network(const RandomLutParams& p) {
  std::mt19937_64 rng(p.seed);
  Netlist nl;
  nl.set_design_name("random_luts");
  if (p.register_layers) nl.set_clock_name("clk");
  const NodeId x = nl.add_input("x", p.num_inputs);
  std::vector<Signal> prev;
  for (uint32_t i = 0; i < p.num_inputs; ++i) prev.push_back({x, i});
  for (uint32_t layer = 0; layer < p.layers; ++layer) {
    std::vector<Signal> cur;
    // Visit the previous layer's signals in a shuffled order so that each is read at least once.
    std::vector<Signal> order = prev;
    std::shuffle(order.begin(), order.end(), rng);
    size_t next = 0;
    for (uint32_t j = 0; j < p.width; ++j) {
      const unsigned k =
          std::min<unsigned>(static_cast<unsigned>(prev.size()),
                             p.min_k + static_cast<unsigned>(rng() % (p.max_k - p.min_k + 1)));
      std::vector<Signal> fanin;
      while (fanin.size() < k) {
        Signal s = next < order.size() ? order[next++] : prev[rng() % prev.size()];
        if (std::find(fanin.begin(), fanin.end(), s) == fanin.end()) fanin.push_back(s);
      }
      TruthTable tt(k);
      for (size_t w = 0; w < tt.num_words(); ++w) tt.words()[w] = rng();
      tt.words()[0] &= used_bits(k);
      const std::string name = "l" + std::to_string(layer) + "_" + std::to_string(j);
      Signal s{nl.add_cell(Lut{std::move(tt)}, fanin, name), 0};
      if (p.register_layers) s = Signal{nl.add_cell(Dff{}, {s}, name + "_q"), 0};
      cur.push_back(s);
    }
    prev = std::move(cur);
  }
  nl.add_output("y", prev);
  return nl;
}

}  // namespace lutforge
