// Clocked simulation throughput: the SystemC engine, the batch bit-parallel engine and Verilator
// on the same pipelined netlist and the same samples, single thread, timed in one run. The
// network is a random LUT6 network pipelined at every level (valid_in/valid_out beside it); the
// RTL is rtl_gen's Verilog of that netlist. Each simulator hashes the outputs of every sample in
// sample order, and the hashes must agree.
//
// The three run in rounds, one after the other in each round, so that a slow spell of the
// machine lands on every simulator alike; one row per round, then the medians and their ratios.
// SystemC elaborates once per process, so each round runs it in a child process of this program.
//
// bench_sim --out DIR [--width 500 --layers 10] [--samples 400000] [--words 128] [--rounds 3]
// [--reuse-build]
// The medians are also written to DIR/figures.json, which `lutforge regress` reads.
#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/bench_util.hpp"
#include "netlist/eval.hpp"
#include "netlist/generate.hpp"
#include "netlist/levels.hpp"
#include "netlist/passes.hpp"
#include "rtl_gen/verilog.hpp"
#include "sim/clocked.hpp"
#include "sim/systemc_main.hpp"

using namespace lutforge;
using namespace lutforge::bench;
namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

// Samples of the data port x (the only input besides valid_in), 64-bit words per sample.
struct Samples {
  size_t count = 0, words = 0;
  uint32_t width = 0;
  std::vector<uint64_t> data;
};

Samples make_samples(uint32_t width, size_t count, uint64_t seed) {
  Samples s{count, (width + 63) / 64, width, {}};
  s.data.resize(count * s.words);
  for (size_t i = 0; i < s.data.size(); ++i) {
    const uint64_t z = splitmix64(seed);
    const uint32_t bits = std::min<uint32_t>(64, width - 64 * static_cast<uint32_t>(i % s.words));
    s.data[i] = bits == 64 ? z : z & ((uint64_t{1} << bits) - 1);
  }
  return s;
}

uint64_t hash_word(uint64_t h, uint64_t w, uint32_t bits) {
  for (uint32_t k = 0; k < bits; k += 32) h = (h ^ static_cast<uint32_t>(w >> k)) * kFnvPrime;
  return h;
}

// The SystemC engine: one sample per cycle, always ready.
std::pair<uint64_t, double> run_systemc(const Netlist& nl, const Samples& s) {
  VectorTable in;
  in.names = {"x"};
  in.widths = {s.width};
  for (size_t i = 0; i < s.count; ++i)
    in.rows.push_back(
        {BitVector(s.data.begin() + i * s.words, s.data.begin() + (i + 1) * s.words)});
  sim::ClockedParams p;
  sim::ClockedReport r;
  sim::run_in_systemc([&] {
    r = sim::run_clocked(nl, in, p);
    return 0;
  });
  const size_t y =
      std::find(r.outputs.names.begin(), r.outputs.names.end(), "y") - r.outputs.names.begin();
  uint64_t h = kFnvBasis;
  for (const auto& row : r.outputs.rows)
    for (size_t k = 0; k < row[y].size(); ++k)
      h = hash_word(h, row[y][k], std::min<uint32_t>(64, r.outputs.widths[y] - 64 * k));
  return {h, r.seconds};
}

// The batch engine: 64 * words independent copies of the pipeline, lane l taking a contiguous
// slice of the samples, one slice element per cycle; the outputs are put back in sample order.
std::pair<uint64_t, double> run_batch(const Netlist& nl, const Samples& s, unsigned words,
                                      unsigned depth) {
  Evaluator ev(nl, words);
  const size_t lanes = ev.lanes(), per_lane = (s.count + lanes - 1) / lanes;
  size_t xi = 0, vi = 0, yo = 0, vo = 0;
  for (size_t i = 0; i < nl.inputs().size(); ++i) (nl.name(nl.inputs()[i]) == "x" ? xi : vi) = i;
  for (size_t i = 0; i < nl.outputs().size(); ++i) (nl.name(nl.outputs()[i]) == "y" ? yo : vo) = i;
  const uint32_t yw = port_width(nl, nl.outputs()[yo]);
  const size_t ywords = (yw + 63) / 64;
  std::vector<uint64_t> out(s.count * ywords, 0);
  uint64_t m[64];
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t t = 0; t < per_lane + depth; ++t) {
    for (unsigned g = 0; g < words; ++g) {
      uint64_t valid = 0;
      for (unsigned i = 0; i < 64; ++i) {
        const size_t sample = (g * 64 + i) * per_lane + t;
        if (t < per_lane && sample < s.count) valid |= uint64_t{1} << i;
      }
      ev.input(vi, 0)[g] = valid;
      for (size_t k = 0; k < s.words; ++k) {
        for (unsigned i = 0; i < 64; ++i) {
          const size_t sample = (g * 64 + i) * per_lane + t;
          m[i] = (valid >> i) & 1 ? s.data[sample * s.words + k] : 0;
        }
        transpose64(m);
        for (unsigned b = 0; b < 64 && 64 * k + b < s.width; ++b)
          ev.input(xi, 64 * k + b)[g] = m[b];
      }
    }
    ev.eval();
    if (t >= depth) {
      for (unsigned g = 0; g < words; ++g) {
        const uint64_t valid = ev.output(vo, 0)[g];
        for (size_t k = 0; k < ywords; ++k) {
          for (unsigned b = 0; b < 64; ++b)
            m[b] = 64 * k + b < yw ? ev.output(yo, 64 * k + b)[g] : 0;
          transpose64(m);
          for (unsigned i = 0; i < 64; ++i)
            if ((valid >> i) & 1) out[((g * 64 + i) * per_lane + t - depth) * ywords + k] = m[i];
        }
      }
    }
    ev.step();
  }
  uint64_t h = kFnvBasis;
  for (size_t i = 0; i < s.count; ++i)
    for (size_t k = 0; k < ywords; ++k)
      h = hash_word(h, out[i * ywords + k],
                    std::min<uint32_t>(64, yw - 64 * static_cast<uint32_t>(k)));
  return {h, seconds_since(t0)};
}

// Verilator: drives the clock from C++, one sample per cycle, and hashes y on valid_out.
std::string verilator_harness(uint32_t xw, uint32_t yw) {
  std::ostringstream s;
  const size_t xwords = (xw + 63) / 64;
  s << "#include \"Vdut.h\"\n#include \"verilated.h\"\n#include <chrono>\n#include "
       "<cstdint>\n#include <cstdio>\n"
       "#include <fstream>\n#include <string>\n#include <vector>\n"
       "int main(int argc, char** argv) {\n"
       "  const size_t count = std::stoull(argv[2]), depth = std::stoull(argv[3]);\n"
       "  std::vector<uint64_t> v(count * "
    << xwords
    << ");\n"
       "  std::ifstream(argv[1], std::ios::binary).read(reinterpret_cast<char*>(v.data()), "
       "v.size() * 8);\n"
       "  VerilatedContext ctx;\n  Vdut top(&ctx);\n"
       "  uint64_t h = "
    << kFnvBasis
    << "ull;\n  size_t done = 0;\n"
       "  top.clk = 0; top.valid_in = 0; top.eval();\n"
       "  const auto t0 = std::chrono::steady_clock::now();\n"
       "  for (size_t t = 0; done < count && t < count + depth + 2; ++t) {\n"
       "    const bool has = t < count;\n"
       "    top.valid_in = has;\n";
  for (size_t i = 0; i < (xw + 31) / 32; ++i)
    s << "    " << (xw <= 64 ? "top.x" : "top.x[" + std::to_string(i) + "]")
      << (xw <= 64 && i ? " |= " : " = ") << (xw <= 64 && i ? "uint64_t(" : "")
      << "has ? static_cast<uint32_t>(v[t * " << xwords << " + " << i / 2 << "] >> " << 32 * (i % 2)
      << ") : 0" << (xw <= 64 && i ? ") << 32" : "") << ";\n";
  s << "    top.eval();\n"
       "    if (top.valid_out) {\n";
  for (size_t i = 0; i < (yw + 31) / 32; ++i)
    s << "      h = (h ^ static_cast<uint32_t>("
      << (yw <= 64 ? "top.y >> " + std::to_string(32 * i) : "top.y[" + std::to_string(i) + "]")
      << ")) * " << kFnvPrime << "ull;\n";
  s << "      ++done;\n    }\n"
       "    top.clk = 1; top.eval(); top.clk = 0; top.eval();\n"
       "  }\n"
       "  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - "
       "t0).count();\n"
       "  std::printf(\"%llu %.6f %zu\\n\", static_cast<unsigned long long>(h), secs, done);\n"
       "  return 0;\n}\n";
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  RandomLutParams gp;
  gp.num_inputs = 256;
  gp.width = 500;
  gp.layers = 10;
  gp.min_k = gp.max_k = 6;
  gp.seed = 17;
  size_t count = 400000;
  unsigned words = 128, rounds = 3;
  po::options_description opts("bench_sim");
  opts.add_options()("out", po::value(&out)->required())(
      "reuse-build", "reuse a Verilator build already in --out")("width", po::value(&gp.width))(
      "layers", po::value(&gp.layers))("samples", po::value(&count))("words", po::value(&words))(
      "rounds", po::value(&rounds))(
      "systemc-only", "internal: run the SystemC engine once and print its hash and seconds");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  po::notify(vm);
  const fs::path dir(out);
  fs::create_directories(dir);

  PipelineParams pp;
  pp.levels_per_stage = 1;
  unsigned depth = 0;
  const Netlist nl = pipeline(random_lut_network(gp), pp, &depth);
  const CellCounts cc = count_cells(nl);
  const size_t luts = cc.by_kind[size_t(CellKind::Lut)], regs = cc.by_kind[size_t(CellKind::Dff)];
  const uint32_t xw = port_width(nl, nl.find_port("x")), yw = port_width(nl, nl.find_port("y"));
  const Samples s = make_samples(xw, count, 99);
  if (vm.count("systemc-only")) {
    const auto [h, secs] = run_systemc(nl, s);
    std::printf("%llu %.6f\n", static_cast<unsigned long long>(h), secs);
    return 0;
  }
  {
    std::ofstream v(dir / "dut.v");
    VerilogParams vp;
    vp.module_name = "dut";
    write_verilog(nl, v, vp);
    std::ofstream h(dir / "harness.cpp");
    h << verilator_harness(xw, yw);
    std::ofstream b(dir / "samples.bin", std::ios::binary);
    b.write(reinterpret_cast<const char*>(s.data.data()),
            static_cast<std::streamsize>(s.data.size() * 8));
  }
  const auto tb = std::chrono::steady_clock::now();
  if ((!vm.count("reuse-build") || !fs::exists(dir / "obj" / "Vdut")) &&
      shell(verilator_build_command(dir.string(), "dut", "dut.v harness.cpp")) != 0) {
    std::cerr << "verilator build failed; see " << (dir / "verilator_build.log").string() << "\n";
    return 2;
  }
  const double build_s = seconds_since(tb);
  auto read_child = [&](const std::string& cmd, const fs::path& file, unsigned long long& h,
                        double& secs) {
    if (shell(cmd + " > " + file.string()) != 0) return false;
    std::ifstream in(file);
    return static_cast<bool>(in >> h >> secs);
  };
  const std::string self = fs::canonical("/proc/self/exe").string();
  auto rate = [&](double secs) { return static_cast<double>(count) / secs; };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  std::vector<double> vr, sr, br;
  bool agree = true;
  for (unsigned r = 1; r <= std::max(1u, rounds); ++r) {
    unsigned long long vh = 0, sh = 0;
    double vs = 0, ss = 0;
    size_t vdone = 0;
    if (shell("cd " + dir.string() + " && ./obj/Vdut samples.bin " + std::to_string(count) + " " +
              std::to_string(depth) + " > verilator.out") != 0)
      return 2;
    std::ifstream(dir / "verilator.out") >> vh >> vs >> vdone;
    const auto [bh, bs] = run_batch(nl, s, words, depth);
    if (!read_child(self + " --systemc-only --out " + dir.string() + " --width " +
                        std::to_string(gp.width) + " --layers " + std::to_string(gp.layers) +
                        " --samples " + std::to_string(count),
                    dir / "systemc.out", sh, ss))
      return 2;
    const bool same = vh == bh && vh == sh && vdone == count;
    agree = agree && same;
    vr.push_back(rate(vs));
    sr.push_back(rate(ss));
    br.push_back(rate(bs));
    std::printf(
        "| %zu LUT6 + %zu registers, %u stages, round %u | %zu | %.0f | %.0f | %.0f | %.2fx | "
        "%.1fx | %s | %s |\n",
        luts, regs, depth, r, count, rate(vs), rate(ss), rate(bs), vs / ss, vs / bs,
        same ? "yes" : "NO", r == 1 ? std::to_string(static_cast<int>(build_s + 0.5)).c_str() : "");
    std::fflush(stdout);
  }
  const double mv = median(vr), ms = median(sr), mb = median(br);
  std::printf("| same, median of %zu rounds | %zu | %.0f | %.0f | %.0f | %.2fx | %.1fx | %s | |\n",
              vr.size(), count, mv, ms, mb, ms / mv, mb / mv, agree ? "yes" : "NO");
  const nlohmann::ordered_json figures = {{"luts", luts},
                                          {"registers", regs},
                                          {"stages", depth},
                                          {"samples", count},
                                          {"verilator_samples_per_s", mv},
                                          {"systemc_samples_per_s", ms},
                                          {"batch_samples_per_s", mb},
                                          {"systemc_over_verilator", ms / mv},
                                          {"batch_over_verilator", mb / mv},
                                          {"outputs_agree", agree},
                                          {"verilator_build_s", build_s}};
  std::ofstream(dir / "figures.json") << figures.dump(1) << "\n";
  return agree ? 0 : 1;
}
