// What the sequential engines share: random stimulus that reaches deep states, and port matching
// by name.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "netlist/netlist.hpp"

namespace lutforge {

// Random stimulus with a density of ones drawn per (lane word, input port), from always 0 through
// 1/32 ... 31/32 to always 1, so that some lanes hold a reset mostly inactive while an enable is
// mostly active: counters then count, and deep states are reached.
class Stimulus {
 public:
  Stimulus(uint64_t seed, unsigned words, size_t ports)
      : rng_(seed), density_(words * ports), ports_(ports) {
    for (auto& d : density_) d = static_cast<unsigned>(rng_() % 7);
  }
  uint64_t word(unsigned w, size_t port) {
    switch (density_[w * ports_ + port]) {
      case 5: return 0;
      case 6: return ~uint64_t{0};
      case 0: return rng_() & rng_() & rng_() & rng_() & rng_();
      case 1: return rng_() & rng_() & rng_();
      case 2: return rng_();
      case 3: return rng_() | rng_() | rng_();
      default: return rng_() | rng_() | rng_() | rng_() | rng_();
    }
  }

 private:
  std::mt19937_64 rng_;
  std::vector<unsigned> density_;
  size_t ports_;
};

// For each of A's ports in a_ports, the index of B's same-named port in b_ports, or b_ports.size().
inline std::vector<size_t> match_ports(const Netlist& a, const std::vector<NodeId>& a_ports,
                                       const Netlist& b, const std::vector<NodeId>& b_ports) {
  std::vector<size_t> index;
  index.reserve(a_ports.size());
  for (NodeId n : a_ports)
    index.push_back(std::find(b_ports.begin(), b_ports.end(), b.find_port(a.name(n))) -
                    b_ports.begin());
  return index;
}

}  // namespace lutforge
