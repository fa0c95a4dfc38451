// Evaluator throughput against Verilator on the same netlist and the same vectors, single thread,
// both timed in one run. The netlist is written as Verilog by rtl_gen, so both simulators run the
// same LUT-level design; the outputs of every vector are hashed in order on both sides and the
// hashes must agree.
//
// bench_eval --out DIR [--vectors N] [--words W] [--lut-width 1000 --lut-layers 20]
// The figures are also written to DIR/figures.json, which `lutforge regress` reads.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/bench_util.hpp"
#include "netlist/eval.hpp"
#include "netlist/generate.hpp"
#include "netlist/levels.hpp"
#include "netlist/native_json.hpp"
#include "netlist/yosys_json.hpp"
#include "rtl_gen/verilog.hpp"

using namespace lutforge;
using namespace lutforge::bench;
namespace fs = std::filesystem;
namespace po = boost::program_options;

namespace {

struct Vectors {
  size_t count = 0;
  std::vector<uint32_t> words_per_port;  // 64-bit words of each input port
  size_t stride = 0;                     // 64-bit words per vector
  std::vector<uint64_t> data;            // vector-major
};

Vectors make_vectors(const Netlist& nl, size_t count, uint64_t seed) {
  Vectors v;
  v.count = count;
  for (NodeId n : nl.inputs()) {
    v.words_per_port.push_back((port_width(nl, n) + 63) / 64);
    v.stride += v.words_per_port.back();
  }
  v.data.resize(count * v.stride);
  uint64_t s = seed;
  for (size_t i = 0; i < count; ++i) {
    size_t off = i * v.stride;
    for (size_t p = 0; p < nl.inputs().size(); ++p) {
      const uint32_t w = port_width(nl, nl.inputs()[p]);
      for (uint32_t k = 0; k < v.words_per_port[p]; ++k) {
        const uint64_t z = splitmix64(s);
        const uint32_t bits = std::min<uint32_t>(64, w - 64 * k);
        v.data[off++] = bits == 64 ? z : z & ((uint64_t{1} << bits) - 1);
      }
    }
  }
  return v;
}

// lutforge: transposes vectors into bit slices, evaluates, transposes the outputs back and hashes
// them in vector order. All of it is timed.
std::pair<uint64_t, double> run_lutforge(const Netlist& nl, const Vectors& vec, unsigned words) {
  Evaluator ev(nl, words);
  const size_t lanes = ev.lanes();
  std::vector<uint32_t> out_w;
  for (NodeId n : nl.outputs()) out_w.push_back(port_width(nl, n));
  size_t out_words64 = 0;
  for (uint32_t w : out_w) out_words64 += (w + 63) / 64;
  std::vector<uint64_t> out(lanes * out_words64);
  uint64_t h = kFnvBasis;
  uint64_t m[64];
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t base = 0; base < vec.count; base += lanes) {
    const size_t n = std::min(lanes, vec.count - base);
    size_t word_off = 0;
    for (size_t p = 0; p < vec.words_per_port.size(); ++p) {
      const uint32_t width = port_width(nl, nl.inputs()[p]);
      for (uint32_t k = 0; k < vec.words_per_port[p]; ++k, ++word_off) {
        for (unsigned g = 0; g < words; ++g) {
          for (unsigned i = 0; i < 64; ++i) {
            const size_t v = base + g * 64 + i;
            m[i] = v < vec.count ? vec.data[v * vec.stride + word_off] : 0;
          }
          transpose64(m);
          for (unsigned b = 0; b < 64 && 64 * k + b < width; ++b) ev.input(p, 64 * k + b)[g] = m[b];
        }
      }
    }
    ev.eval();
    size_t col = 0;
    for (size_t p = 0; p < out_w.size(); ++p) {
      for (uint32_t k = 0; k < (out_w[p] + 63) / 64; ++k, ++col) {
        for (unsigned g = 0; g < words; ++g) {
          for (unsigned b = 0; b < 64; ++b)
            m[b] = 64 * k + b < out_w[p] ? ev.output(p, 64 * k + b)[g] : 0;
          transpose64(m);
          for (unsigned i = 0; i < 64; ++i) out[(g * 64 + i) * out_words64 + col] = m[i];
        }
      }
    }
    for (size_t i = 0; i < n; ++i) {
      size_t c = 0;
      for (size_t p = 0; p < out_w.size(); ++p) {
        for (uint32_t w32 = 0; w32 < (out_w[p] + 31) / 32; ++w32) {
          const uint64_t word = out[i * out_words64 + c + w32 / 2];
          h = (h ^ static_cast<uint32_t>(word >> (32 * (w32 % 2)))) * kFnvPrime;
        }
        c += (out_w[p] + 63) / 64;
      }
    }
  }
  return {h, seconds_since(t0)};
}

// The Verilator harness: reads the same vectors, evaluates and hashes in the same order.
std::string verilator_harness(const Netlist& nl, const Vectors& vec) {
  std::ostringstream s;
  s << "#include \"Vdut.h\"\n#include \"verilated.h\"\n#include <chrono>\n#include "
       "<cstdio>\n#include <cstdint>\n"
       "#include <fstream>\n#include <string>\n#include <vector>\n"
       "int main(int argc, char** argv) {\n"
       "  const size_t count = std::stoull(argv[2]);\n"
       "  std::vector<uint64_t> v(count * "
    << vec.stride
    << ");\n"
       "  std::ifstream f(argv[1], std::ios::binary);\n"
       "  f.read(reinterpret_cast<char*>(v.data()), v.size() * 8);\n"
       "  VerilatedContext ctx;\n  Vdut top(&ctx);\n"
       "  uint64_t h = "
    << kFnvBasis
    << "ull;\n"
       "  const auto t0 = std::chrono::steady_clock::now();\n"
       "  for (size_t i = 0; i < count; ++i) {\n"
       "    const uint64_t* in = v.data() + i * "
    << vec.stride << ";\n";
  size_t off = 0;
  for (size_t p = 0; p < nl.inputs().size(); ++p) {
    const std::string name = nl.name(nl.inputs()[p]);
    const uint32_t w = port_width(nl, nl.inputs()[p]);
    if (w <= 64)
      s << "    top." << name << " = in[" << off << "];\n";
    else
      for (uint32_t i = 0; i < (w + 31) / 32; ++i)
        s << "    top." << name << "[" << i << "] = static_cast<uint32_t>(in[" << off + i / 2
          << "] >> " << 32 * (i % 2) << ");\n";
    off += vec.words_per_port[p];
  }
  s << "    top.eval();\n";
  for (NodeId n : nl.outputs()) {
    const std::string name = nl.name(n);
    const uint32_t w = port_width(nl, n);
    if (w <= 32)
      s << "    h = (h ^ static_cast<uint32_t>(top." << name << ")) * " << kFnvPrime << "ull;\n";
    else if (w <= 64)
      s << "    h = (h ^ static_cast<uint32_t>(top." << name << ")) * " << kFnvPrime << "ull;\n"
        << "    h = (h ^ static_cast<uint32_t>(top." << name << " >> 32)) * " << kFnvPrime
        << "ull;\n";
    else
      s << "    for (int k = 0; k < " << (w + 31) / 32
        << "; ++k) h = (h ^ static_cast<uint32_t>(top." << name << "[k])) * " << kFnvPrime
        << "ull;\n";
  }
  s << "  }\n"
       "  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - "
       "t0).count();\n"
       "  std::printf(\"%llu %.6f\\n\", static_cast<unsigned long long>(h), t);\n"
       "  return 0;\n}\n";
  return s.str();
}

struct Row {
  std::string design;
  size_t luts, gates, vectors;
  double verilator_build, verilator_s, lutforge_s;
  bool agree;
};

Row bench_design(const std::string& name, const Netlist& nl, const fs::path& dir, size_t count,
                 unsigned words) {
  fs::create_directories(dir);
  {
    std::ofstream v(dir / "dut.v");
    VerilogParams vp;
    vp.module_name = "dut";
    write_verilog(nl, v, vp);
    std::ofstream j(dir / "netlist.json");
    write_native_json(nl, j);
  }
  const Vectors vec = make_vectors(nl, count, 12345);
  {
    std::ofstream f(dir / "vectors.bin", std::ios::binary);
    f.write(reinterpret_cast<const char*>(vec.data.data()),
            static_cast<std::streamsize>(vec.data.size() * 8));
    std::ofstream h(dir / "harness.cpp");
    h << verilator_harness(nl, vec);
  }
  Row r{name, 0, 0, count, 0, 0, 0, false};
  const CellCounts cc = count_cells(nl);
  r.luts = cc.by_kind[size_t(CellKind::Lut)];
  r.gates = cc.by_kind[size_t(CellKind::Gate)];

  const auto tb = std::chrono::steady_clock::now();
  const std::string d = dir.string();
  if (shell(verilator_build_command(d, "dut", "dut.v harness.cpp")) != 0)
    throw std::runtime_error("verilator build failed; see " + d + "/verilator_build.log");
  r.verilator_build = seconds_since(tb);

  if (shell("cd " + d + " && ./obj/Vdut vectors.bin " + std::to_string(count) +
            " > verilator.out") != 0)
    throw std::runtime_error("verilator run failed");
  unsigned long long vh = 0;
  std::ifstream(dir / "verilator.out") >> vh >> r.verilator_s;

  const auto [lh, ls] = run_lutforge(nl, vec, words);
  r.lutforge_s = ls;
  r.agree = lh == vh;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  size_t vectors = 1 << 16;
  unsigned words = 64;
  uint32_t lut_width = 1000, lut_layers = 20, lut_inputs = 64;
  po::options_description opts("bench_eval");
  opts.add_options()("out", po::value(&out)->required(), "work directory")(
      "vectors", po::value(&vectors), "vectors per design")("words", po::value(&words),
                                                            "64-bit words per signal")(
      "lut-width", po::value(&lut_width), "LUTs per layer of the random network")(
      "lut-layers", po::value(&lut_layers), "layers of the random network")("help", "help");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  po::notify(vm);
  try {
    std::vector<Row> rows;
    RandomLutParams p;
    p.num_inputs = lut_inputs;
    p.width = lut_width;
    p.layers = lut_layers;
    p.min_k = p.max_k = 6;
    p.seed = 2024;
    rows.push_back(bench_design("random LUT6 network", random_lut_network(p),
                                fs::path(out) / "random_luts", vectors, words));

    // The 16 x 16 multiplier, synthesized by yosys to 6-input LUTs.
    const fs::path md = fs::path(out) / "mult16";
    fs::create_directories(md);
    std::ofstream(md / "mult16.v")
        << "module mult16(input [15:0] a, input [15:0] b, output [31:0] p);\n"
           "  assign p = a * b;\nendmodule\n";
    if (shell("yosys -q -p 'read_verilog " + (md / "mult16.v").string() +
              "; synth -flatten -lut 6 -top mult16; write_json " + (md / "mult16.json").string() +
              "'") != 0)
      throw std::runtime_error("yosys failed on mult16");
    rows.push_back(bench_design("16x16 multiplier (synth -lut 6)",
                                read_yosys_json_file((md / "mult16.json").string()), md / "bench",
                                vectors, words));

    std::printf(
        "| design | cells | vectors | Verilator vectors/s | lutforge vectors/s | ratio | outputs "
        "agree | Verilator build s |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    bool ok = true;
    nlohmann::ordered_json figures;  // OUT/figures.json, read by `lutforge regress`
    const char* ids[] = {"random_luts", "mult16"};
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      const double vv = r.vectors / r.verilator_s, lv = r.vectors / r.lutforge_s;
      figures[ids[i]] = {{"luts", r.luts},
                         {"gates", r.gates},
                         {"vectors", r.vectors},
                         {"verilator_vectors_per_s", vv},
                         {"lutforge_vectors_per_s", lv},
                         {"ratio", lv / vv},
                         {"outputs_agree", r.agree},
                         {"verilator_build_s", r.verilator_build}};
      std::printf("| %s | %zu LUTs, %zu gates | %zu | %.0f | %.0f | %.1fx | %s | %.0f |\n",
                  r.design.c_str(), r.luts, r.gates, r.vectors, vv, lv, lv / vv,
                  r.agree ? "yes" : "NO", r.verilator_build);
      ok = ok && r.agree;
    }
    std::ofstream(fs::path(out) / "figures.json") << figures.dump(1) << "\n";
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_eval: " << e.what() << "\n";
    return 2;
  }
}
