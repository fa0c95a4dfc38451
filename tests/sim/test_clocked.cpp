// The SystemC engine (`lutforge sim --engine systemc`), run as the CLI runs it: SystemC elaborates
// once per process. References are computed independently: the batch engine on the unpipelined
// netlist, Verilator on the generated RTL, and toggles counted from the applied inputs.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <tuple>

#include "models/lower.hpp"
#include "models/model.hpp"
#include "netlist/dsp.hpp"
#include "netlist/generate.hpp"
#include "netlist/native_json.hpp"
#include "netlist/yosys_json.hpp"
#include "rtl_gen/testbench.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

struct Design {
  fs::path comb, piped;  // native JSON: the LUT network, and it pipelined with valid ports
};

Design pipelined_design(const fs::path& dir) {
  RandomLutParams p;
  p.num_inputs = 24;
  p.width = 12;
  p.layers = 4;
  p.min_k = 3;
  p.max_k = 6;
  p.seed = 21;
  write_netlist(dir / "comb.json", random_lut_network(p));
  const RunResult r = run_lutforge("convert " + (dir / "comb.json").string() + " -o " +
                                   (dir / "piped.json").string() + " --pipeline 1");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return {dir / "comb.json", dir / "piped.json"};
}

nlohmann::json read_json(const fs::path& p) { return nlohmann::json::parse(read_text(p)); }

}  // namespace

TEST_CASE(
    "systemc engine: no sample lost or duplicated under backpressure, latency from the pipeline",
    "[sim][systemc]") {
  const fs::path dir = temp_dir("sim_backpressure");
  const Design d = pipelined_design(dir);
  // Samples, and the reference: the batch engine on the combinational netlist.
  REQUIRE(run_lutforge("sim " + d.comb.string() + " --random 80 --seed 4 -o " +
                       (dir / "ref.csv").string() + " --inputs-out " +
                       (dir / "samples.csv").string())
              .exit_code == 0);
  const std::vector<std::string> ref = csv_column(dir / "ref.csv", "y");
  const nlohmann::json stats =
      nlohmann::json::parse(run_lutforge("stats --json " + d.piped.string()).out);
  const unsigned depth = stats["pipeline_stages"].get<unsigned>();
  REQUIRE(depth == 4);

  struct Case {
    const char *ready, *source;
  };
  for (const Case c :
       {Case{"", ""}, Case{"110", "1110"}, Case{"0101", ""}, Case{"1", "10"}, Case{"1000", "1"}}) {
    INFO("ready pattern '" << c.ready << "', source pattern '" << c.source << "'");
    std::string args = "sim --engine systemc " + d.piped.string() + " --vectors " +
                       (dir / "samples.csv").string() + " -o " + (dir / "out.csv").string() +
                       " --report " + (dir / "report.json").string();
    if (*c.ready) args += std::string(" --ready-pattern ") + c.ready;
    if (*c.source) args += std::string(" --source-pattern ") + c.source;
    const RunResult r = run_lutforge(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(csv_column(dir / "out.csv", "y") ==
          ref);  // every sample once, in order, with its own result
    const nlohmann::json rep = read_json(dir / "report.json");
    CHECK(rep["samples"] == 80);
    CHECK(rep["pipeline_depth"] == depth);
    CHECK(rep["per_sample"].size() == 80);
    const bool stalls = std::string(c.ready).find('0') != std::string::npos;
    if (!stalls) {
      CHECK(rep["latency"]["min"] == depth);
      CHECK(rep["latency"]["max"] == depth);
      CHECK(rep["throughput"]["stall_cycles"] == 0);
      CHECK(rep["throughput"]["fill_cycles"] == depth);
    } else {
      CHECK(rep["latency"]["min"].get<unsigned>() >= depth);
      CHECK(rep["throughput"]["stall_cycles"].get<unsigned>() > 0);
    }
    if (!*c.ready && !*c.source) {
      CHECK(rep["throughput"]["initiation_interval"] == 1.0);
      CHECK(rep["throughput"]["samples_per_cycle"].get<double>() == Approx(80.0 / (80 + depth)));
    }
  }
}

TEST_CASE("systemc engine equals Verilator on the generated RTL, cycle by cycle",
          "[sim][systemc][verilator]") {
  const fs::path dir = temp_dir("sim_verilator");
  const Design d = pipelined_design(dir);
  // Bubbles from the source pattern; no stalls, which the RTL has no enable for.
  const RunResult r =
      run_lutforge("sim --engine systemc " + d.piped.string() +
                   " --random 60 --seed 8 --source-pattern 11010 -o " + (dir / "out.csv").string() +
                   " --cycle-inputs-out " + (dir / "cin.csv").string() + " --cycle-outputs-out " +
                   (dir / "cout.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Netlist nl = read_netlist_file(d.piped.string());
  const VectorTable in = read_vectors_csv(read_text(dir / "cin.csv"), "cin.csv", nl);
  const VectorTable expected =
      read_csv_table(read_text(dir / "cout.csv"), "cout.csv", output_table(nl));
  REQUIRE(in.rows.size() == expected.rows.size());
  REQUIRE(in.rows.size() > 60);
  REQUIRE(run_lutforge("convert " + d.piped.string() + " -o " + (dir / "design.v").string())
              .exit_code == 0);
  {
    std::ofstream tb(dir / "tb.v"), stim(dir / "stimulus.hex"), exp(dir / "expected.hex");
    write_testbench(nl, in, expected, tb, stim, exp);
  }
  const RunResult v = run(
      "cd " + dir.string() + " && verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style " +
      "--top-module tb -j 2 --Mdir vobj tb.v design.v > verilator.log 2>&1 && ./vobj/Vtb");
  INFO(read_text(dir / "verilator.log") << v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("PASS") != std::string::npos);
  CHECK(v.out.find("mismatch") == std::string::npos);
}

TEST_CASE("systemc engine: a balanced pipeline without valid ports, and one that is not balanced",
          "[sim][systemc]") {
  const fs::path dir = temp_dir("sim_balanced");
  RandomLutParams p;
  p.num_inputs = 12;
  p.width = 8;
  p.layers = 3;
  p.register_layers = true;  // a register after every LUT: three stages, no valid ports
  p.seed = 5;
  write_netlist(dir / "regs.json", random_lut_network(p));
  const RunResult r =
      run_lutforge("sim --engine systemc " + (dir / "regs.json").string() + " --random 30 -o " +
                   (dir / "out.csv").string() + " --report " + (dir / "rep.json").string() +
                   " --inputs-out " + (dir / "samples.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json rep = read_json(dir / "rep.json");
  CHECK(rep["valid_from"] == "balanced pipeline");
  CHECK(rep["pipeline_depth"] == 3);
  CHECK(rep["latency"]["max"] == 3);
  // The batch engine, cycle by cycle: sample i comes out at cycle i + 3.
  REQUIRE(run_lutforge("sim " + (dir / "regs.json").string() + " --vectors " +
                       (dir / "samples.csv").string() + " --cycles 33 -o " +
                       (dir / "batch.csv").string())
              .exit_code == 0);
  const std::vector<std::string> batch = csv_column(dir / "batch.csv", "y"),
                                 got = csv_column(dir / "out.csv", "y");
  REQUIRE(got.size() == 30);
  for (size_t i = 0; i < 30; ++i) CHECK(got[i] == batch[i + 3]);

  // y0 = register(a), y1 = a: outputs one and zero registers from the inputs.
  Netlist bad;
  bad.set_clock_name("clk");
  const NodeId a = bad.add_input("a", 1);
  const NodeId q = bad.add_cell(Dff{}, {{a, 0}}, "q");
  bad.add_output("y", {{q, 0}, {a, 0}});
  write_netlist(dir / "bad.json", bad);
  const RunResult e = run_lutforge("sim --engine systemc " + (dir / "bad.json").string() +
                                   " --random 3 -o " + (dir / "x.csv").string());
  CHECK(e.exit_code == 2);
  CHECK(
      e.err ==
      "lutforge sim: error: clocked simulation: output ports are 0 and 1 registers from the "
      "inputs; the netlist is "
      "not a balanced pipeline (give it valid_in/valid_out ports, as `convert --pipeline` does)\n");
}

TEST_CASE("systemc engine: the power proxy of a three-cell design, computed by hand",
          "[sim][systemc]") {
  // a, b -> y = a XOR b (a LUT) -> register r -> output q. From the applied inputs alone: a and
  // b toggle as the rows change, y as a ^ b changes, and r one cycle after y.
  const fs::path dir = temp_dir("sim_power_hand");
  Netlist nl;
  nl.set_design_name("xor_reg");
  const NodeId a = nl.add_input("a", 1), b = nl.add_input("b", 1);
  const NodeId y = nl.add_cell(Lut{make_gate(6)}, {{a, 0}, {b, 0}}, "y");
  const NodeId r = nl.add_cell(Dff{}, {{y, 0}}, "r");
  nl.add_output("q", {{r, 0}});
  write_netlist(dir / "d.json", nl);
  const RunResult run =
      run_lutforge("sim --engine systemc " + (dir / "d.json").string() +
                   " --random 60 --seed 5 -o " + (dir / "out.csv").string() + " --report " +
                   (dir / "rep.json").string() + " --cycle-inputs-out " +
                   (dir / "cin.csv").string() + " --toggles-out " + (dir / "t.csv").string());
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const VectorTable in = read_vectors_csv(read_text(dir / "cin.csv"), "cin.csv", nl);
  REQUIRE(in.rows.size() >= 60);
  // Toggles between consecutive evaluated cycles. The register holds y of the cycle before, and
  // starts at its init value 0.
  uint64_t ta = 0, tb = 0, ty = 0, tr = 0;
  bool reg = false;
  for (size_t t = 0; t < in.rows.size(); ++t) {
    const bool av = in.rows[t][0][0] & 1, bv = in.rows[t][1][0] & 1;
    const bool yv = av != bv;
    if (t > 0) {
      const bool pa = in.rows[t - 1][0][0] & 1, pb = in.rows[t - 1][1][0] & 1;
      ta += av != pa;
      tb += bv != pb;
      ty += yv != (pa != pb);
      const bool next_reg = pa != pb;  // clocked in at the end of cycle t - 1
      tr += next_reg != reg;
      reg = next_reg;
    }
  }
  // Default weights (sim/README.md): input 0.5, lut 1.0, dff 0.5, 0.25 per reading pin, and a
  // clock of 0.2 per register and cycle. a, b and y have one reader each, r the output port.
  const double cycles = static_cast<double>(in.rows.size());
  const double switching = 0.75 * static_cast<double>(ta + tb) + 1.25 * static_cast<double>(ty) +
                           0.75 * static_cast<double>(tr);
  const double clock = 0.2 * 1 * cycles;
  const nlohmann::json rep = read_json(dir / "rep.json");
  CHECK(rep["power"]["toggles"].get<uint64_t>() == ta + tb + ty + tr);
  CHECK(rep["power"]["by_kind"]["input"].get<double>() ==
        Approx(0.75 * static_cast<double>(ta + tb)));
  CHECK(rep["power"]["by_kind"]["lut"].get<double>() == Approx(1.25 * static_cast<double>(ty)));
  CHECK(rep["power"]["by_kind"]["dff"].get<double>() == Approx(0.75 * static_cast<double>(tr)));
  CHECK(rep["power"]["by_kind"]["clock"].get<double>() == Approx(clock));
  CHECK(rep["power"]["energy"].get<double>() == Approx(switching + clock));
  CHECK(rep["power"]["energy_per_inference"].get<double>() == Approx((switching + clock) / 60.0));
  CHECK(rep["power"]["alpha"].get<double>() ==
        Approx(static_cast<double>(ta + tb + ty + tr) / (cycles * 4)));
}

TEST_CASE("systemc engine: power proxy weights, toggles checked against the applied inputs, VCD",
          "[sim][systemc]") {
  const fs::path dir = temp_dir("sim_power");
  const Design d = pipelined_design(dir);
  // Only input toggles cost anything: the energy is then the number of input bit changes.
  write_text(dir / "w.json",
             R"({"kind": {"lut": 0, "dff": 0, "gate": 0, "input": 1}, "fanout": 0, "clock": 0})");
  const RunResult r =
      run_lutforge("sim --engine systemc " + d.piped.string() + " --random 40 --seed 2 -o " +
                   (dir / "out.csv").string() + " --report " + (dir / "rep.json").string() +
                   " --power-weights " + (dir / "w.json").string() + " --cycle-inputs-out " +
                   (dir / "cin.csv").string() + " --vcd " + (dir / "trace.vcd").string() +
                   " --vcd-net l0_0 --vcd-net valid_in");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Netlist nl = read_netlist_file(d.piped.string());
  const VectorTable in = read_vectors_csv(read_text(dir / "cin.csv"), "cin.csv", nl);
  uint64_t toggles = 0;
  for (size_t t = 1; t < in.rows.size(); ++t)  // changes between consecutive cycles after reset
    for (size_t c = 0; c < in.names.size(); ++c)
      for (size_t w = 0; w < in.rows[t][c].size(); ++w)
        toggles += __builtin_popcountll(in.rows[t][c][w] ^ in.rows[t - 1][c][w]);
  const nlohmann::json rep = read_json(dir / "rep.json");
  CHECK(rep["power"]["energy"].get<double>() == Approx(static_cast<double>(toggles)));
  CHECK(rep["power"]["by_kind"]["input"].get<double>() == Approx(static_cast<double>(toggles)));
  CHECK(rep["power"]["toggles"].get<uint64_t>() >
        toggles);  // LUTs and registers toggle too, at weight 0
  // Default weights cost more, and every kind shows up.
  REQUIRE(run_lutforge("sim --engine systemc " + d.piped.string() + " --random 40 --seed 2 -o " +
                       (dir / "out2.csv").string() + " --report " + (dir / "rep2.json").string())
              .exit_code == 0);
  const nlohmann::json rep2 = read_json(dir / "rep2.json");
  CHECK(rep2["power"]["energy"].get<double>() > rep["power"]["energy"].get<double>());
  for (const char* kind : {"input", "lut", "dff", "clock"})
    CHECK(rep2["power"]["by_kind"][kind].get<double>() > 0);
  CHECK(rep2["power"]["alpha"].get<double>() > 0);
  CHECK(rep2["power"]["alpha"].get<double>() < 1);
  // The VCD names the selected nets and the handshake.
  const std::string vcd = read_text(dir / "trace.vcd");
  for (const char* name : {" clk ", " ready ", " out_valid ", " l0_0 ", " valid_in "})
    CHECK(vcd.find(name) != std::string::npos);
  CHECK(vcd.find(" l0_1 ") == std::string::npos);
  // Bad weights and unknown nets are named.
  write_text(dir / "bad.json", R"({"kind": {"lutt": 1}})");
  const RunResult e =
      run_lutforge("sim --engine systemc " + d.piped.string() + " --random 4 -o " +
                   (dir / "x.csv").string() + " --power-weights " + (dir / "bad.json").string());
  CHECK(e.exit_code == 2);
  CHECK(e.err == "lutforge sim: error: " + (dir / "bad.json").string() +
                     ": unknown cell kind 'lutt' in kind\n");
  const RunResult n = run_lutforge("sim --engine systemc " + d.piped.string() + " --random 4 -o " +
                                   (dir / "x.csv").string() + " --vcd " +
                                   (dir / "t2.vcd").string() + " --vcd-net nosuch");
  CHECK(n.exit_code == 2);
  CHECK(n.err == "lutforge sim: error: --vcd-net: the netlist has no net named 'nosuch'\n");
  const RunResult b = run_lutforge("sim " + d.piped.string() + " --random 4 -o " +
                                   (dir / "x.csv").string() + " --report r.json");
  CHECK(b.err == "lutforge sim: error: --report needs --engine systemc\n");
}

namespace {

// Value changes per signal bit in a VCD, for times in (0, until] in units of the first nonzero
// timestamp (the testbench's first clock edge, at its time 1): the values at the end of time 0 are
// the baseline. Keys are "name" for 1-bit signals and "name[i]" for vectors, of the signals in
// scope `scope`.
std::map<std::string, uint64_t> vcd_toggles(const std::string& text, uint64_t until,
                                            const std::string& scope) {
  std::map<std::string, std::vector<std::string>> names_of;  // id code -> names (aliases)
  std::map<std::string, unsigned> width_of;
  std::map<std::string, std::string> value;  // id code -> current value, MSB first
  std::map<std::string, uint64_t> toggles;
  std::istringstream in(text);
  std::string tok;
  uint64_t time = 0, unit = 0;
  auto apply = [&](const std::string& id, std::string v) {
    const unsigned w = width_of[id];
    if (v.size() < w) v.insert(0, w - v.size(), v[0] == '1' ? '0' : v[0]);
    std::string& old = value[id];
    if (!old.empty() && time > 0 && time <= until * unit)
      for (unsigned i = 0; i < w; ++i)
        if (old[w - 1 - i] != v[w - 1 - i])
          for (const auto& n : names_of[id])
            ++toggles[w == 1 ? n : n + "[" + std::to_string(i) + "]"];
    old = v;
  };
  std::vector<std::string> scopes;
  while (in >> tok) {
    if (tok == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
    } else if (tok == "$upscope") {
      scopes.pop_back();
    } else if (tok == "$var") {
      std::string type, id, name;
      unsigned w;
      in >> type >> w >> id >> name;
      width_of[id] = w;
      if (!scopes.empty() && scopes.back() == scope) names_of[id].push_back(name);
    } else if (tok[0] == '#') {
      time = std::stoull(tok.substr(1));
      if (!unit && time) unit = time;
    } else if (tok[0] == 'b') {
      std::string id;
      in >> id;
      apply(id, tok.substr(1));
    } else if ((tok[0] == '0' || tok[0] == '1') && tok.size() > 1 &&
               width_of.count(tok.substr(1))) {
      apply(tok.substr(1), tok.substr(0, 1));
    }
  }
  return toggles;
}

}  // namespace

TEST_CASE("systemc engine: toggle counts per net equal those of Verilator's VCD",
          "[sim][systemc][verilator]") {
  const fs::path dir = temp_dir("sim_toggles");
  const Design d = pipelined_design(dir);
  const RunResult r = run_lutforge(
      "sim --engine systemc " + d.piped.string() +
      " --random 50 --seed 6 --source-pattern 1101 -o " + (dir / "out.csv").string() +
      " --cycle-inputs-out " + (dir / "cin.csv").string() + " --cycle-outputs-out " +
      (dir / "cout.csv").string() + " --toggles-out " + (dir / "toggles.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Netlist nl = read_netlist_file(d.piped.string());
  const VectorTable in = read_vectors_csv(read_text(dir / "cin.csv"), "cin.csv", nl);
  const VectorTable expected =
      read_csv_table(read_text(dir / "cout.csv"), "cout.csv", output_table(nl));
  REQUIRE(run_lutforge("convert " + d.piped.string() + " -o " + (dir / "design.v").string())
              .exit_code == 0);
  {
    std::ostringstream tb;
    std::ofstream stim(dir / "stimulus.hex"), exp(dir / "expected.hex");
    write_testbench(nl, in, expected, tb, stim, exp);
    std::string text = tb.str();
    const size_t body = text.find("  initial begin\n");
    REQUIRE(body != std::string::npos);
    text.insert(body, "  initial begin $dumpfile(\"trace.vcd\"); $dumpvars(0, dut); end\n");
    write_text(dir / "tb.v", text);
  }
  const RunResult v =
      run("cd " + dir.string() +
          " && verilator --binary --timing --trace -Wno-fatal -Wno-lint -Wno-style " +
          "--top-module tb -j 2 --Mdir vobj tb.v design.v > verilator.log 2>&1 && ./vobj/Vtb");
  INFO(read_text(dir / "verilator.log") << v.out);
  REQUIRE(v.exit_code == 0);
  REQUIRE(v.out.find("PASS") != std::string::npos);
  // The testbench applies row t at time 3t and clocks at 3t + 1; the edge after the last row
  // is not a cycle the engine evaluated.
  const uint64_t until = 3 * (in.rows.size() - 1);
  const auto vcd = vcd_toggles(read_text(dir / "trace.vcd"), until, "dut");
  std::istringstream t(read_text(dir / "toggles.csv"));
  std::string line;
  std::getline(t, line);
  size_t compared = 0, nets = 0;
  uint64_t total = 0;
  std::map<std::string, uint32_t> width_of_net;
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    width_of_net[nl.name(n).empty() ? "n" + std::to_string(n) : nl.name(n)] =
        num_output_bits(nl.cell(n));
  while (std::getline(t, line)) {
    std::istringstream l(line);
    std::string net, bit, count;
    std::getline(l, net, ',');
    std::getline(l, bit, ',');
    std::getline(l, count, ',');
    ++nets;
    const auto node = width_of_net.find(net);
    REQUIRE(node != width_of_net.end());
    const bool vector = node->second > 1;
    const std::string key = vector ? net + "[" + bit + "]" : net;
    auto it = vcd.find(key);
    const uint64_t theirs = it == vcd.end() ? 0 : it->second;
    if (it == vcd.end() && std::stoull(count) == 0 && !vcd.empty()) {
      // A net that never changes has no entry; it must still be a signal of the dump.
      CHECK(read_text(dir / "trace.vcd").find(" " + net + " ") != std::string::npos);
    }
    INFO("net " << key);
    CHECK(std::stoull(count) == theirs);
    total += theirs;
    ++compared;
  }
  CHECK(compared == nets);
  CHECK(nets > 100);
  CHECK(total > 1000);  // the comparison is not vacuous
}

TEST_CASE("systemc engine: dataset images through a model's quantizer and its registered lowering",
          "[sim][systemc][models]") {
  const fs::path dir = temp_dir("sim_model");
  std::vector<uint8_t> pixels(40 * 16), labels(40);
  for (int i = 0; i < 40 * 16; ++i) pixels[i] = static_cast<uint8_t>(i * 37 + i / 16);
  for (int i = 0; i < 40; ++i) labels[i] = static_cast<uint8_t>(i % 10);
  write_text(dir / "t10k-images-idx3-ubyte", idx_bytes(8, {40, 4, 4}, pixels));
  write_text(dir / "t10k-labels-idx1-ubyte", idx_bytes(8, {40}, labels));
  write_text(dir / "m.lfm.json",
             models::write_model(random_model({12, 10, 10}, 16, 3, 2, 0, 5, 0.0f, 1.0f)));
  auto lf = [&](const std::string& args) {
    const RunResult r = run_lutforge(args);
    INFO("lutforge " << args << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
  };
  lf("lower " + (dir / "m.lfm.json").string() + " --register-layers -o " +
     (dir / "piped.json").string());
  lf("encode " + (dir / "m.lfm.json").string() + " --mnist " + dir.string() + " -o " +
     (dir / "x.csv").string() + " --reference-out " + (dir / "ref.csv").string());
  lf("sim --engine systemc " + (dir / "piped.json").string() + " --vectors " +
     (dir / "x.csv").string() + " -o " + (dir / "out.csv").string() + " --report " +
     (dir / "rep.json").string() + " --vcd " + (dir / "img.vcd").string() +
     " --vcd-net l2_n0_b0_q");
  CHECK(csv_column(dir / "out.csv", "prediction") == csv_column(dir / "ref.csv", "prediction"));
  const nlohmann::json rep = read_json(dir / "rep.json");
  CHECK(rep["latency"]["max"] == 3);  // one register rank per layer
  CHECK(rep["pipeline_depth"] == 3);
  CHECK(read_text(dir / "img.vcd").find(" l2_n0_b0_q ") != std::string::npos);
}

TEST_CASE(
    "systemc engine: a DSP slice's registers set the latency, and its samples equal the "
    "batch engine's",
    "[sim][systemc][dsp]") {
  const fs::path dir = temp_dir("sim_dsp");
  // (D - A) * B + C with A, D, AD, M and P registered: 1 + 1 + 1 + 1 = 4 cycles.
  DspConfig c;
  c.arithmetic = PackedDsp{9, 7, 12, 24, true};
  c.arithmetic.d_width = 9;
  c.arithmetic.pre_add = PackedDsp::PreAdd::Subtract;
  c.arithmetic.ad_width = 10;
  c.areg = c.dreg = 1;
  c.adreg = c.mreg = c.preg = true;
  c.breg = 2;
  c.creg = 3;
  Netlist nl;
  nl.set_clock_name("clk");
  DspPorts p;
  for (auto [name, width, bits] :
       {std::tuple{"a", 9u, &p.a}, {"b", 7u, &p.b}, {"c", 12u, &p.c}, {"d", 9u, &p.d}}) {
    const NodeId in = nl.add_input(name, width);
    for (uint32_t i = 0; i < width; ++i) bits->push_back({in, i});
  }
  nl.add_output("y", add_dsp(nl, c, p, "dsp"));
  REQUIRE(dsp_latency(c) == 4);
  write_netlist(dir / "dsp.json", nl);
  const RunResult r =
      run_lutforge("sim --engine systemc " + (dir / "dsp.json").string() + " --random 30 -o " +
                   (dir / "out.csv").string() + " --report " + (dir / "rep.json").string() +
                   " --inputs-out " + (dir / "samples.csv").string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json rep = read_json(dir / "rep.json");
  CHECK(rep["pipeline_depth"] == 4);
  CHECK(rep["latency"]["min"] == 4);
  CHECK(rep["latency"]["max"] == 4);
  REQUIRE(run_lutforge("sim " + (dir / "dsp.json").string() + " --vectors " +
                       (dir / "samples.csv").string() + " --cycles 34 -o " +
                       (dir / "batch.csv").string())
              .exit_code == 0);
  const std::vector<std::string> batch = csv_column(dir / "batch.csv", "y"),
                                 got = csv_column(dir / "out.csv", "y");
  REQUIRE(got.size() == 30);
  for (size_t i = 0; i < 30; ++i) CHECK(got[i] == batch[i + 4]);
}

TEST_CASE(
    "systemc engine: a MAC network with reuse factors takes a sample every II cycles, scores as "
    "models/ does, and equals Verilator cycle by cycle",
    "[sim][systemc][verilator][mac]") {
  // 10 inputs of 3 bits, 6 requantizing neurons and 3 signed scores. "4,2": each slice of the
  // first layer serves 4 products (10 = 4 + 4 + 2 inputs: three slices per neuron, the last one
  // idle after two slots), the second layer's 2; II = 4. "3": three slots of 10 and 6 inputs.
  // "4,2 --dsp-packing": the same with the neurons' products packed into shared slices. "4,12": a
  // slice of the second layer serves two neurons in turn (6 slots each); "25": every slice serves
  // two or more neurons, the last of which finishes before the frame ends.
  const models::Model m = random_mac_model({6, 3}, 10, 3, 4, 3, 17);
  for (const auto& [reuse, ii] : {std::pair<std::string, unsigned>{"4,2", 4},
                                  {"3", 3},
                                  {"4,2 --dsp-packing", 4},
                                  {"4,12", 12},
                                  {"25", 25},
                                  {"4,12 --dsp-packing", 12}}) {
    SECTION("reuse " + reuse) {
      const fs::path dir = temp_dir("sim_reuse");
      write_text(dir / "m.lfm.json", models::write_model(m));
      const fs::path net = dir / "r.json";
      RunResult r = run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " + net.string() +
                                 " --reuse-factor " + reuse);
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      const Netlist nl = read_netlist_file(net.string());
      // The samples: random codes, and what models/ computes on them.
      std::mt19937_64 rng(5);
      VectorTable x{{"x"}, {30}, {}};
      std::vector<std::vector<uint32_t>> expected;
      for (int s = 0; s < 40; ++s) {
        std::vector<uint32_t> codes(10);
        for (auto& c : codes) c = static_cast<uint32_t>(rng() % 8);
        x.rows.push_back({models::pack_codes(m, codes)});
        std::vector<uint32_t> scores = models::class_scores(m, codes);
        scores.push_back(models::predict(m, scores));
        expected.push_back(scores);
      }
      {
        std::ofstream f(dir / "x.csv");
        write_vectors_csv(x, f);
      }
      r = run_lutforge("sim --engine systemc " + net.string() + " --vectors " +
                       (dir / "x.csv").string() + " -o " + (dir / "out.csv").string() +
                       " --report " + (dir / "rep.json").string() + " --source-pattern 1110 " +
                       "--cycle-inputs-out " + (dir / "cin.csv").string() +
                       " --cycle-outputs-out " + (dir / "cout.csv").string());
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      for (size_t k = 0; k < 4; ++k) {
        const auto got = csv_column(
            dir / "out.csv", k < 3 ? "class" + std::to_string(k) : std::string("prediction"));
        REQUIRE(got.size() == expected.size());
        for (size_t s = 0; s < got.size(); ++s) CHECK(got[s] == std::to_string(expected[s][k]));
      }
      // The batch engine's per-sample mode: every sample in a lane of its own.
      r = run_lutforge("sim --per-sample " + net.string() + " --vectors " +
                       (dir / "x.csv").string() + " -o " + (dir / "lanes.csv").string());
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      for (size_t k = 0; k < 4; ++k) {
        const std::string col = k < 3 ? "class" + std::to_string(k) : std::string("prediction");
        CHECK(csv_column(dir / "lanes.csv", col) == csv_column(dir / "out.csv", col));
      }
      const nlohmann::json rep = read_json(dir / "rep.json");
      CHECK(rep["latency"]["max"] == 2 * ii + 1);
      CHECK(rep["latency"]["min"] == 2 * ii + 1);
      CHECK(models::lowered_latency(m, {.reuse_factor = models::reuse_factors(
                                            m, {.reuse_factor = {ii}})}) == 2 * ii + 1);
      // The source offers a sample three cycles in four; with II = 4 it keeps up, with II = 3
      // the bubbles cost a frame now and then.
      if (ii == 4) CHECK(rep["throughput"]["initiation_interval"].get<double>() == Approx(4.0));
      if (ii == 3) CHECK(rep["throughput"]["initiation_interval"].get<double>() > 3.0);

      // Verilator runs the written RTL on the cycles the engine applied and must see its outputs.
      const VectorTable in = read_vectors_csv(read_text(dir / "cin.csv"), "cin.csv", nl);
      const VectorTable out =
          read_csv_table(read_text(dir / "cout.csv"), "cout.csv", output_table(nl));
      REQUIRE(in.rows.size() > 40 * size_t{ii});
      REQUIRE(run_lutforge("convert " + net.string() + " -o " + (dir / "design.v").string())
                  .exit_code == 0);
      {
        std::ofstream tb(dir / "tb.v"), stim(dir / "stimulus.hex"), exp(dir / "expected.hex");
        write_testbench(nl, in, out, tb, stim, exp);
      }
      const RunResult v =
          run("cd " + dir.string() +
              " && verilator --binary --timing -Wno-fatal -Wno-lint -Wno-style " +
              "--top-module tb -j 2 --Mdir vobj tb.v design.v > verilator.log 2>&1 && ./vobj/Vtb");
      INFO(read_text(dir / "verilator.log") << v.out << v.err);
      CHECK(v.exit_code == 0);
      CHECK(v.out.find("PASS") != std::string::npos);
      CHECK(v.out.find("mismatch") == std::string::npos);
    }
  }
}

TEST_CASE("per-sample simulation: errors name the ports and the cycle", "[sim][mac]") {
  const fs::path dir = temp_dir("sim_per_sample");
  RandomLutParams p;
  p.num_inputs = 8;
  p.width = 4;
  p.layers = 2;
  p.seed = 3;
  write_netlist(dir / "comb.json", random_lut_network(p));
  RunResult r = run_lutforge("sim --per-sample " + (dir / "comb.json").string() +
                             " --random 10 -o " + (dir / "o.csv").string());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("per-sample simulation needs 1-bit ports valid_in and valid_out") !=
        std::string::npos);
  // A MAC design whose output needs more cycles than allowed.
  write_text(dir / "m.lfm.json", models::write_model(random_mac_model({3, 2}, 4, 3, 4, 3, 1)));
  REQUIRE(run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " +
                       (dir / "r.json").string() + " --reuse-factor 4")
              .exit_code == 0);
  r = run_lutforge("sim --per-sample " + (dir / "r.json").string() +
                   " --random 10 --max-cycles 5 -o " + (dir / "o.csv").string());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("valid_out did not rise within 5 cycles") != std::string::npos);
  r = run_lutforge("sim --per-sample --engine systemc " + (dir / "r.json").string() +
                   " --random 10 -o " + (dir / "o.csv").string());
  CHECK(r.err.find("--per-sample is a mode of the batch engine") != std::string::npos);
}
