// Small helpers the benchmark programs share.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "netlist/netlist.hpp"

namespace lutforge::bench {

constexpr uint64_t kFnvBasis = 1469598103934665603ull, kFnvPrime = 1099511628211ull;

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// SplitMix64: the benchmarks' input generator, the same on every platform.
inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Runs a shell command, echoing it to stderr; returns its exit status.
inline int shell(const std::string& cmd) {
  std::cerr << "+ " << cmd << "\n";
  return std::system(cmd.c_str());
}

// Verilator, single-threaded, as both benchmarks build it.
inline std::string verilator_build_command(const std::string& dir, const std::string& top,
                                           const std::string& sources) {
  return "cd " + dir +
         " && verilator --cc --exe --build -O3 --x-assign fast --x-initial fast --noassert "
         "-Wno-fatal " +
         "-Wno-lint -Wno-style --top-module " + top +
         " --output-split 20000 -j 2 -MAKEFLAGS 'OPT_FAST=-O2 OPT_SLOW=-O1' " +
         "-CFLAGS -O2 --Mdir obj " + sources + " > verilator_build.log 2>&1";
}

}  // namespace lutforge::bench
