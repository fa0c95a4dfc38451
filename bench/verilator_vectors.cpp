// The peer side of bench_cli.py's simulation row: Verilator's compiled model of the benchmark
// network (top `random_luts`, input `x` of 64 bits, output `y` wider than 64 bits) driven from
// a vectors CSV, writing the outputs in lutforge's CSV form (decimal up to 64 bits, else 0x and
// one hex digit per 4 bits), so the two output files can be compared byte for byte.
//
//   verilator_vectors IN.csv OUT.csv
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "Vrandom_luts.h"
#include "verilated.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s IN.csv OUT.csv\n", argv[0]);
    return 2;
  }
  FILE* in = std::fopen(argv[1], "r");
  FILE* out = std::fopen(argv[2], "w");
  if (!in || !out) {
    std::fprintf(stderr, "cannot open %s or %s\n", argv[1], argv[2]);
    return 1;
  }
  VerilatedContext context;
  Vrandom_luts top(&context);
  constexpr unsigned kWidth = 1000;  // the benchmark's output width
  static_assert(sizeof(top.y) * 8 >= kWidth && sizeof(top.y) * 8 < kWidth + 32,
                "the harness is written for the benchmark's 1000-bit output");
  char line[256];
  if (!std::fgets(line, sizeof line, in)) return 1;  // header: x
  std::fputs("y\n", out);
  std::string row;
  static const char kDigits[] = "0123456789abcdef";
  while (std::fgets(line, sizeof line, in)) {
    if (line[0] == '\n' || line[0] == 0) continue;
    top.x = std::strtoull(line, nullptr, 0);
    top.eval();
    row = "0x";
    for (unsigned d = (kWidth + 3) / 4; d-- > 0;) {
      const unsigned bit = d * 4;
      row.push_back(kDigits[(top.y[bit / 32] >> (bit % 32)) & 0xf]);
    }
    row.push_back('\n');
    std::fwrite(row.data(), 1, row.size(), out);
  }
  std::fclose(in);
  return std::fclose(out) == 0 ? 0 : 1;
}
