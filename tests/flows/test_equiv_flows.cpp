// Equivalence acceptance with real yosys and iverilog:
//   - a native netlist and the yosys JSON of its Verilog are proved equivalent in every flow,
//     with and without the pipeline option;
//   - seeded single mutations of yosys JSON are refuted with counterexamples that reproduce in
//     iverilog, or proved equivalent where iverilog agrees that nothing changed;
//   - the same design synthesized by two flows is never reported different.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "base/error.hpp"
#include "equiv/equiv.hpp"
#include "models/lower.hpp"
#include "netlist/dsp.hpp"
#include "netlist/generate.hpp"
#include "netlist/native_json.hpp"
#include "netlist/passes.hpp"
#include "netlist/vectors.hpp"
#include "netlist/yosys_json.hpp"
#include "rtl_gen/verilog.hpp"
#include "tests/support/designs.hpp"
#include "tests/support/random_model.hpp"
#include "tests/support/tools.hpp"

using namespace lutforge;
using namespace lutforge::test;
namespace fs = std::filesystem;

namespace {

struct Design {
  std::string name, top, verilog;
  bool combinational;
};

const std::vector<Design>& verilog_designs() {
  static const std::vector<Design> d = {{"ripple", "ripple", kRipple, true},
                                        {"mult", "mult", kMultiplier, true},
                                        {"pipe", "pipe", kPipeline, false},
                                        {"muxtree", "muxtree", kMuxTree, true},
                                        {"enables", "enables", kEnables, false}};
  return d;
}

Netlist synth_native(const fs::path& dir, const Design& d, const Flow& flow) {
  write_text(dir / "src.v", d.verilog);
  synthesize(dir / "src.v", d.top, flow, dir / "src.json");
  return read_netlist_file((dir / "src.json").string());
}

// Writes nl as Verilog, synthesizes it in `flow`, and returns the JSON's netlist.
Netlist roundtrip(const Netlist& nl, const fs::path& dir, const Flow& flow,
                  const std::string& top) {
  {
    std::ofstream v(dir / "native.v");
    write_verilog(nl, v);
  }
  synthesize(dir / "native.v", top, flow, dir / "out.json");
  return read_netlist_file((dir / "out.json").string());
}

void require_equivalent(const Netlist& a, const Netlist& b, const std::string& what,
                        const EquivParams& p = {}) {
  const EquivResult r = check_equivalence(a, b, p);
  INFO(what << ": " << status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
  REQUIRE(r.status == EquivStatus::Equivalent);
}

}  // namespace

TEST_CASE(
    "native netlists of the cross-simulation designs prove equivalent to yosys' synthesis of their "
    "Verilog",
    "[equiv][yosys]") {
  const Flow lut6 = synth_flows()[1];
  for (const Design& d : verilog_designs()) {
    const fs::path dir = temp_dir("equiv_native_" + d.name);
    const Netlist native = synth_native(dir, d, lut6);
    for (const Flow& flow : synth_flows()) {
      const Netlist b = roundtrip(native, dir, flow, d.top);
      require_equivalent(native, b, d.name + " in flow " + flow.name);
    }
  }
}

TEST_CASE("random LUT networks with LUTs of up to 12 inputs prove equivalent in every flow",
          "[equiv][yosys]") {
  for (const bool registered : {false, true}) {
    RandomLutParams p;
    p.num_inputs = 14;
    p.width = 8;
    p.layers = 2;
    p.min_k = 2;
    p.max_k = 12;
    p.register_layers = registered;
    p.seed = 17 + registered;
    const Netlist native = random_lut_network(p);
    const Netlist small = decompose_luts(native, 6);
    require_equivalent(native, small, "decomposition");
    const fs::path dir = temp_dir(std::string("equiv_random_") + (registered ? "reg" : "comb"));
    for (const Flow& flow : synth_flows()) {
      const Netlist b = roundtrip(small, dir, flow, "random_luts");
      require_equivalent(native, b, std::string("random network in flow ") + flow.name);
    }
  }
}

TEST_CASE("pipelined Verilog proves equivalent to the combinational netlist over its latency",
          "[equiv][yosys]") {
  RandomLutParams p;
  p.num_inputs = 12;
  p.width = 10;
  p.layers = 3;
  p.max_k = 8;
  p.seed = 23;
  std::vector<std::pair<std::string, Netlist>> designs;
  designs.emplace_back("random", decompose_luts(random_lut_network(p), 6));
  for (const Design& d : verilog_designs())
    if (d.combinational)
      designs.emplace_back(d.name,
                           synth_native(temp_dir("equiv_pipe_src_" + d.name), d, synth_flows()[1]));
  for (auto& [name, comb] : designs) {
    PipelineParams pp;
    pp.levels_per_stage = 2;
    unsigned latency = 0;
    const Netlist piped = pipeline(comb, pp, &latency);
    REQUIRE(latency > 0);
    const fs::path dir = temp_dir("equiv_pipe_" + name);
    for (const Flow& flow : synth_flows()) {
      const Netlist b =
          roundtrip(piped, dir, flow, comb.design_name().empty() ? "top" : comb.design_name());
      EquivParams ep;
      ep.ignore_ports = {"valid_in", "valid_out"};
      const EquivResult r = check_equivalence(comb, b, ep);
      INFO(name << " in flow " << flow.name << ": " << status_name(r.status) << " " << r.reason);
      REQUIRE(r.status == EquivStatus::Equivalent);
      CHECK(r.latency == static_cast<int>(latency));
      // The pipelined native netlist against its own synthesis: registers correspond by name or
      // the check falls back to the latency; either way the result is a proof.
      require_equivalent(piped, b, name + " pipelined vs its synthesis in flow " + flow.name);
    }
  }
}

TEST_CASE("the same design synthesized by two flows is never reported different (50 pairs)",
          "[equiv][yosys]") {
  size_t pairs = 0, proved = 0, second_opinions = 0;
  for (const Design& d : verilog_designs()) {
    std::vector<Netlist> flows;
    std::vector<fs::path> aigs;  // Yosys' AIGER of each flow's JSON, for the second opinion
    for (const Flow& flow : synth_flows()) {
      const fs::path dir = temp_dir("equiv_pairs_" + d.name + "_" + flow.name);
      flows.push_back(synth_native(dir, d, flow));
      // Yosys reads its ice40 cell models for over a minute: that flow is left out of the sample.
      aigs.push_back(std::string(flow.name) == "ice40"
                         ? fs::path()
                         : yosys_aiger(dir / "src.json", d.top, flow));
    }
    for (size_t i = 0; i < flows.size(); ++i)
      for (size_t j = i + 1; j < flows.size(); ++j) {
        const EquivResult r = check_equivalence(flows[i], flows[j]);
        INFO(d.name << ": " << synth_flows()[i].name << " vs " << synth_flows()[j].name << ": "
                    << status_name(r.status) << " (" << mode_name(r.mode) << ") " << r.reason);
        CHECK(r.status != EquivStatus::NotEquivalent);
        // The prover compared every output bit of the pair (and, with registers, their next-state
        // functions), not just returned a verdict.
        size_t output_bits = 0;
        for (NodeId o : flows[i].outputs()) output_bits += port_width(flows[i], o);
        CHECK(r.outputs >= output_bits);
        proved += r.status == EquivStatus::Equivalent;
        ++pairs;
        // The second opinion: yosys-abc proves the same pair.
        if (!aigs[i].empty() && !aigs[j].empty()) {
          CHECK(abc_verdict(aigs[i], aigs[j], !d.combinational) == AbcVerdict::Equivalent);
          ++second_opinions;
        }
      }
  }
  // enables through synth_xilinx against synth_ice40 pairs every register (renamed and inverted
  // ones by simulation), but that correspondence is not inductive: k-induction proves it.
  CHECK(pairs == 50);
  CHECK(proved == pairs);
  CHECK(second_opinions == 30);
  WARN(proved << " of " << pairs << " pairs proved equivalent, " << second_opinions
              << " of them also by yosys-abc");
}

namespace {

// One seeded single mutation of a yosys JSON module. Returns a description, or empty when the
// chosen cell does not admit that mutation.
std::string mutate(nlohmann::ordered_json& mod, std::mt19937_64& rng) {
  auto& cells = mod["cells"];
  std::vector<std::string> names;
  for (auto it = cells.begin(); it != cells.end(); ++it) names.push_back(it.key());
  if (names.empty()) return {};
  const std::string name = names[rng() % names.size()];
  auto& c = cells[name];
  const std::string type = c["type"];
  const bool is_ff = type.find("DFF") != std::string::npos || type.rfind("FD", 0) == 0;
  const unsigned kind = rng() % 6;
  auto table_param = [&]() -> std::string {
    if (type == "$lut") return "LUT";
    if (type.rfind("LUT", 0) == 0) return "INIT";
    if (type == "SB_LUT4") return "LUT_INIT";
    return {};
  };
  auto inputs = [&]() {
    std::vector<std::string> pins;
    for (auto it = c["connections"].begin(); it != c["connections"].end(); ++it) {
      const std::string pin = it.key();
      if (pin != "Y" && pin != "O" && pin != "Q" && pin != "CO" && pin != "C" && pin != "CLK")
        pins.push_back(pin);
    }
    return pins;
  };
  switch (kind) {
    case 0: {  // flip one bit of a LUT table
      const std::string p = table_param();
      if (p.empty()) return {};
      std::string v = c["parameters"][p];
      const size_t i = rng() % v.size();
      v[i] = v[i] == '1' ? '0' : '1';
      c["parameters"][p] = v;
      return "flip " + p + " bit " + std::to_string(v.size() - 1 - i) + " of " + name;
    }
    case 1: {  // swap two input pins
      if (is_ff) return {};
      auto pins = inputs();
      if (pins.size() < 2) return {};
      const size_t i = rng() % pins.size(), j = (i + 1 + rng() % (pins.size() - 1)) % pins.size();
      if (c["connections"][pins[i]].size() != c["connections"][pins[j]].size()) return {};
      std::swap(c["connections"][pins[i]], c["connections"][pins[j]]);
      return "swap " + pins[i] + " and " + pins[j] + " of " + name;
    }
    case 2: {  // change a gate type
      static const std::vector<std::string> gates = {"$_AND_", "$_OR_",   "$_XOR_",    "$_NAND_",
                                                     "$_NOR_", "$_XNOR_", "$_ANDNOT_", "$_ORNOT_"};
      if (std::find(gates.begin(), gates.end(), type) == gates.end()) return {};
      c["type"] = gates[rng() % gates.size()];
      return "change " + name + " from " + type + " to " + std::string(c["type"]);
    }
    case 3: {  // a net stuck at 0 or 1
      auto pins = inputs();
      if (pins.empty()) return {};
      const std::string pin = pins[rng() % pins.size()];
      auto& bits = c["connections"][pin];
      const size_t i = rng() % bits.size();
      const std::string v = (rng() & 1) ? "1" : "0";
      bits[i] = v;
      return "stick " + pin + "[" + std::to_string(i) + "] of " + name + " at " + v;
    }
    case 4: {  // bypass a register: its readers read D instead of Q
      if (!is_ff || !c["connections"].contains("D") || !c["connections"].contains("Q")) return {};
      const auto d = c["connections"]["D"], q = c["connections"]["Q"];
      for (auto it = cells.begin(); it != cells.end(); ++it) {
        if (it.key() == name) continue;
        for (auto pit = it.value()["connections"].begin(); pit != it.value()["connections"].end();
             ++pit)
          for (auto& bit : pit.value())
            for (size_t k = 0; k < q.size(); ++k)
              if (bit == q[k]) bit = d[k];
      }
      for (auto it = mod["ports"].begin(); it != mod["ports"].end(); ++it)
        if (it.value()["direction"] == "output")
          for (auto& bit : it.value()["bits"])
            for (size_t k = 0; k < q.size(); ++k)
              if (bit == q[k]) bit = d[k];
      return "bypass register " + name;
    }
    default: {  // invert an output bit
      std::vector<std::string> outs;
      for (auto it = mod["ports"].begin(); it != mod["ports"].end(); ++it)
        if (it.value()["direction"] == "output") outs.push_back(it.key());
      if (outs.empty()) return {};
      const std::string port = outs[rng() % outs.size()];
      auto& bits = mod["ports"][port]["bits"];
      const size_t i = rng() % bits.size();
      if (!bits[i].is_number()) return {};
      const int fresh = 1000000 + static_cast<int>(rng() % 1000);
      cells["$mutation_not"] = {{"type", "$_NOT_"},
                                {"connections", {{"A", {bits[i]}}, {"Y", {fresh}}}}};
      bits[i] = fresh;
      // The port's net moves too, or Yosys, which reads wires from the netnames, would keep the
      // old bit on the port.
      if (mod.contains("netnames") && mod["netnames"].contains(port)) {
        auto& net = mod["netnames"][port];
        const auto old = net["bits"][i];
        net["bits"][i] = fresh;
        // An init value on the port's net belongs to the register that drives the old bit.
        if (net.contains("attributes") && net["attributes"].contains("init")) {
          std::string init = net["attributes"]["init"];
          const size_t pos = init.size() - 1 - i;  // the init string is MSB first
          const std::string bit = init.substr(pos, 1);
          init[pos] = 'x';
          net["attributes"]["init"] = init;
          // (Inserting a net invalidates `net`: an ordered_json object is a vector.)
          mod["netnames"]["$mutation_old"] = {{"bits", {old}}, {"attributes", {{"init", bit}}}};
        }
      }
      return "invert an output bit";
    }
  }
}

// `lutforge synth V --top TOP --target xilinx -o OUT`, which must succeed; its report.
std::string synth_xilinx_cli(const fs::path& v, const std::string& top, const fs::path& out) {
  const RunResult r =
      run_lutforge("synth " + v.string() + " --top " + top + " --target xilinx -o " + out.string());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE(
    "200 seeded mutations: refuted with a replayable counterexample, or proved where nothing "
    "changed",
    "[equiv][yosys][iverilog][mutation]") {
  // Original designs and the flows their JSON comes from.
  std::vector<std::tuple<std::string, Netlist, std::string, nlohmann::ordered_json, std::string>>
      bases;                        // name, A, top, json, Verilog
  std::vector<fs::path> base_aigs;  // Yosys' AIGER of each base, for the second opinion
  std::vector<char> base_sequential;
  const std::vector<size_t> flows = {0, 1, 2};  // lut4, lut6, gates
  for (const Design& d : verilog_designs())
    for (size_t f : flows) {
      const fs::path dir = temp_dir("mut_base_" + d.name + "_" + synth_flows()[f].name);
      const Netlist a = synth_native(dir, d, synth_flows()[f]);
      bases.emplace_back(d.name + "/" + synth_flows()[f].name, a, d.top,
                         nlohmann::ordered_json::parse(read_text(dir / "src.json")), d.verilog);
      base_aigs.push_back(yosys_aiger(dir / "src.json", d.top, synth_flows()[f]));
      base_sequential.push_back(!d.combinational);
    }
  std::mt19937_64 rng(2026);
  size_t done = 0, refuted = 0, proved = 0, abc_agrees = 0, abc_refuted = 0;
  const fs::path dir = temp_dir("mutations");
  for (unsigned attempt = 0; done < 200 && attempt < 5000; ++attempt) {
    auto& [name, a, top, json, verilog] = bases[attempt % bases.size()];
    nlohmann::ordered_json mutated = json;
    auto& mod = mutated["modules"][top];
    const std::string what = mutate(mod, rng);
    if (what.empty()) continue;
    write_text(dir / "mut.json", mutated.dump());
    Netlist b;
    try {
      b = read_netlist_file((dir / "mut.json").string());
    } catch (const Error&) {
      continue;  // a mutation that makes the netlist invalid (a loop, say) is not a design
    }
    ++done;
    INFO("mutation " << done << " of " << name << ": " << what);
    write_netlist(dir / "a.json", a);
    const RunResult e =
        run_lutforge("equiv " + (dir / "a.json").string() + " " + (dir / "mut.json").string() +
                     " --counterexample-tb " + (dir / "cex.v").string());
    INFO(e.out << e.err);
    REQUIRE((e.exit_code == 0 || e.exit_code == 1));
    // The second opinion on the first 60 mutations: where yosys-abc decides, it agrees.
    if (done <= 60) {
      const size_t base = attempt % bases.size();
      const AbcVerdict v =
          abc_verdict(base_aigs[base], yosys_aiger(dir / "mut.json", top, synth_flows()[0]),
                      base_sequential[base]);
      INFO("yosys-abc: " << verdict_name(v));
      if (v != AbcVerdict::Undecided) {
        CHECK((v == AbcVerdict::NotEquivalent) == (e.exit_code == 1));
        ++abc_agrees;
        abc_refuted += v == AbcVerdict::NotEquivalent;
      }
    }
    if (e.exit_code == 1) {
      ++refuted;
      const RunResult replay =
          run("cd " + dir.string() + " && iverilog -g2012 -o cex.vvp cex.v && vvp -n cex.vvp");
      INFO(replay.out << replay.err);
      CHECK(replay.out.find("REPRODUCED") != std::string::npos);
      CHECK(replay.out.find("NOT REPRODUCED") == std::string::npos);
    } else {
      ++proved;
      // Independent check: iverilog runs the original Verilog and the mutated netlist (as yosys
      // writes it, with yosys' own cell models) on random vectors; nothing may differ.
      // lutforge reads x init bits as 0; give iverilog the same initial state.
      for (auto& [net, v] : mod["netnames"].items())
        if (v.contains("attributes") && v["attributes"].contains("init")) {
          std::string init = v["attributes"]["init"];
          std::replace(init.begin(), init.end(), 'x', '0');
          v["attributes"]["init"] = init;
        }
      write_text(dir / "mut.json", mutated.dump());
      const RunResult w = run("yosys -q -p 'read_json " + (dir / "mut.json").string() +
                              "; write_verilog -noattr " + (dir / "mut_y.v").string() + "'");
      REQUIRE(w.exit_code == 0);
      const std::string datdir = run("yosys-config --datdir").out;
      write_text(dir / "mut_all.v",
                 read_text(dir / "mut_y.v") +
                     read_text(datdir.substr(0, datdir.find('\n')) + "/simcells.v"));
      write_text(dir / "orig.v", verilog);
      const VectorTable in = random_vectors(a, 300, done);
      const VectorTable ref = iverilog_simulate(dir / "orig.v", top, a.clock_name(), in,
                                                output_table(a).names, output_table(a).widths, dir);
      const VectorTable got = iverilog_simulate(dir / "mut_all.v", top, a.clock_name(), in,
                                                output_table(a).names, output_table(a).widths, dir);
      CHECK(compare_tables(ref, got).empty());
    }
  }
  CHECK(done == 200);
  CHECK(refuted > 100);  // most single mutations change the function
  CHECK(abc_agrees >= 50);
  CHECK(abc_refuted >= 25);
  WARN("mutations: " << refuted << " refuted, " << proved << " proved equivalent; yosys-abc "
                     << "decided " << abc_agrees << " of the first 60 alike (" << abc_refuted
                     << " refuted)");
}

TEST_CASE("a registered slice built by lutforge maps to one DSP48E1 and is proved equal to it",
          "[yosys][dsp]") {
  // A * B + C with A, B, M and P registers, and an accumulator kept under ZEN: lutforge writes
  // Verilog, synth_xilinx absorbs the arithmetic into a slice, the reader reads the slice back,
  // and the prover compares it with the netlist that lutforge built.
  for (const bool accumulate : {false, true}) {
    DspConfig c;
    c.arithmetic = PackedDsp{12, 10, accumulate ? 0u : 20u, 32, true};
    c.areg = c.breg = 1;
    c.mreg = c.preg = true;
    c.creg = accumulate ? 0 : 2;
    c.accumulate = accumulate;
    Netlist nl;
    nl.set_design_name("slice");
    nl.set_clock_name("clk");
    DspPorts p;
    auto port = [&](const char* name, uint32_t width, std::vector<Signal>& bits) {
      const NodeId in = nl.add_input(name, width);
      for (uint32_t i = 0; i < width; ++i) bits.push_back({in, i});
    };
    port("a", 12, p.a);
    port("b", 10, p.b);
    if (!accumulate) port("c", 20, p.c);
    if (accumulate) {
      std::vector<Signal> zen;
      port("zen", 1, zen);
      p.zen = zen[0];
    }
    nl.add_output("y", add_dsp(nl, c, p, "dsp"));
    const fs::path dir = temp_dir(accumulate ? "dsp_slice_acc" : "dsp_slice");
    write_netlist(dir / "slice.json", nl);
    REQUIRE(run_lutforge("convert " + (dir / "slice.json").string() + " -o " +
                         (dir / "slice.v").string())
                .exit_code == 0);
    const std::string report = synth_xilinx_cli(dir / "slice.v", "slice", dir / "mapped.json");
    CHECK(report.find(" 1 DSPs") != std::string::npos);
    const RunResult e = run_lutforge("equiv " + (dir / "slice.json").string() + " " +
                                     (dir / "mapped.json").string());
    INFO(e.out << e.err);
    CHECK(e.exit_code == 0);
  }
}

TEST_CASE(
    "a MAC network through synth_xilinx is proved equal to its lowering: with and without DSP "
    "packing, and with its weights in block RAM",
    "[yosys][dsp][mac][bram]") {
  // Two MAC layers (a requantizing one and the signed scores) over 16 codes of 4 bits. Written
  // with --adder-modules, every partial sum of products survives synthesis, and the proof takes
  // seconds; the fully parallel Verilog also simulates in iverilog as the netlist does. With
  // reuse factors 8 and 4 and the weights in block RAM, each layer's weights are a ROM on the
  // frame counter that synth_xilinx maps, with the registers behind it, to block RAM; the reader
  // names the RAM's latches after the registers it absorbed, so the registers still correspond.
  const models::Model m = random_mac_model({10, 4}, 16, 4, 4, 4, 5);
  const fs::path dir = temp_dir("mac_flow");
  write_text(dir / "m.lfm.json", models::write_model(m));
  for (const bool bram : {false, true})
    for (const bool packing : {false, true}) {
      const std::string tag = std::string(bram ? "bram_" : "") + (packing ? "packed" : "plain");
      const fs::path net = dir / (tag + ".json"), v = dir / (tag + ".v"),
                     mapped = dir / (tag + "_x.json");
      RunResult r = run_lutforge("lower " + (dir / "m.lfm.json").string() + " -o " + net.string() +
                                 " --dsp-family dsp48e1" + (packing ? " --dsp-packing" : "") +
                                 (bram ? " --reuse-factor 8,4 --weights-in-bram" : ""));
      INFO(tag << "\n" << r.out << r.err);
      REQUIRE(r.exit_code == 0);
      REQUIRE(run_lutforge("convert " + net.string() + " -o " + v.string() + " --adder-modules")
                  .exit_code == 0);
      const Netlist nl = read_netlist_file(net.string());
      if (!bram) {
        const VectorTable in = random_vectors(nl, 200, 3);
        const VectorTable got = simulate(nl, in, in.rows.size());
        fs::create_directories(dir / tag);
        const VectorTable ref =
            iverilog_simulate(v, nl.design_name(), "", in, got.names, got.widths, dir / tag);
        INFO(compare_tables(ref, got));
        CHECK(compare_tables(ref, got).empty());
      }
      const std::string report = synth_xilinx_cli(v, nl.design_name(), mapped);
      if (packing) CHECK(report.find(" 0 DSPs") == std::string::npos);
      if (bram) CHECK(report.find(" 0 BRAM18") == std::string::npos);
      r = run_lutforge("equiv " + net.string() + " " + mapped.string() + " --time-limit 120");
      INFO(r.out << r.err);
      CHECK(r.exit_code == 0);
      if (bram) CHECK(r.out.find("register correspondence") != std::string::npos);
    }
}

TEST_CASE("a ROM read at two addresses maps to both ports of one RAMB18E1 and reads back",
          "[yosys][bram]") {
  // Two registered reads of one memory: synth_xilinx uses ports A and B of one block RAM (TDP, 18
  // bits each). The reader's netlist, simulated, must give both words the test chose, a cycle
  // after their addresses.
  std::mt19937_64 rng(77);
  std::vector<uint64_t> words(256);
  std::string v =
      "module rom2(input clk, input [7:0] a, input [7:0] b, output reg [15:0] qa = 16'd0,\n"
      "            output reg [15:0] qb = 16'd0);\n"
      "  (* rom_style = \"block\" *) reg [15:0] mem [0:255];\n  initial begin\n";
  for (size_t i = 0; i < words.size(); ++i) {
    words[i] = rng() & 0xffff;
    v += "    mem[" + std::to_string(i) + "] = 16'd" + std::to_string(words[i]) + ";\n";
  }
  v += "  end\n  always @(posedge clk) begin\n    qa <= mem[a];\n    qb <= mem[b];\n  end\n"
       "endmodule\n";
  const fs::path dir = temp_dir("bram_two_ports");
  write_text(dir / "rom2.v", v);
  const std::string report = synth_xilinx_cli(dir / "rom2.v", "rom2", dir / "mapped.json");
  CHECK(report.find(" 1 BRAM18") != std::string::npos);
  CHECK(report.find(" 0 flip-flops") != std::string::npos);
  const Netlist back = read_yosys_json_file((dir / "mapped.json").string());
  VectorTable in = input_table(back);
  for (int t = 0; t < 200; ++t) {
    std::vector<BitVector> row;
    for (size_t c = 0; c < in.names.size(); ++c) row.push_back({rng() % 256});
    in.rows.push_back(row);
  }
  const VectorTable out = simulate(back, in, in.rows.size());
  auto column = [](const VectorTable& t, const std::string& name) {
    const size_t c =
        static_cast<size_t>(std::find(t.names.begin(), t.names.end(), name) - t.names.begin());
    REQUIRE(c < t.names.size());
    return c;
  };
  const size_t ca = column(in, "a"), cb = column(in, "b"), qa = column(out, "qa"),
               qb = column(out, "qb");
  size_t mismatches = 0;
  for (size_t t = 0; t < in.rows.size(); ++t) {
    const uint64_t want_a = t ? words[in.rows[t - 1][ca][0]] : 0;
    const uint64_t want_b = t ? words[in.rows[t - 1][cb][0]] : 0;
    mismatches += out.rows[t][qa][0] != want_a || out.rows[t][qb][0] != want_b;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("a ROM with a registered word maps to block RAM, reads back and is proved equal to it",
          "[yosys][bram]") {
  // A Rom cell of random words behind registers (with an enable and initial values in one case):
  // lutforge writes the contents as a memory, synth_xilinx maps it with the registers to a
  // RAMB18E1 or RAMB36E1, and the reader's netlist must both prove equivalent and, simulated,
  // give the words the test chose, one cycle after their address.
  struct Shape {
    uint32_t addr_width, width;
    bool enable;
    const char* primitive;
  };
  for (const Shape& shape : {Shape{4, 8, true, "RAMB18E1"}, Shape{9, 36, false, "RAMB18E1"},
                             Shape{11, 9, false, "RAMB18E1"}, Shape{8, 72, true, "RAMB36E1"}}) {
    const uint64_t depth = uint64_t{1} << shape.addr_width;
    std::mt19937_64 rng(depth * 131 + shape.width);
    std::vector<BitVector> words(depth);
    Rom rom{shape.addr_width, std::vector<TruthTable>(shape.width, TruthTable(shape.addr_width))};
    for (uint64_t a = 0; a < depth; ++a) {
      words[a].assign((shape.width + 63) / 64, 0);
      for (uint32_t b = 0; b < shape.width; ++b)
        if (rng() & 1) {
          words[a][b / 64] |= uint64_t{1} << (b % 64);
          set_bit(rom.data[b], a);
        }
    }
    Netlist nl;
    nl.set_design_name("rom");
    nl.set_clock_name("clk");
    const NodeId addr = nl.add_input("addr", shape.addr_width);
    const NodeId en = nl.add_input("en", 1);
    std::vector<Signal> pins;
    for (uint32_t i = 0; i < shape.addr_width; ++i) pins.push_back({addr, i});
    const NodeId r = nl.add_cell(rom, pins, "weights");
    std::vector<Signal> q;
    for (uint32_t b = 0; b < shape.width; ++b) {
      Dff d;
      d.has_enable = shape.enable;
      d.init = shape.enable && b % 3 == 0;
      std::vector<Signal> in{{r, b}};
      if (shape.enable) in.push_back({en, 0});
      q.push_back({nl.add_cell(d, in, "q" + std::to_string(b)), 0});
    }
    nl.add_output("word", q);
    REQUIRE(verify(nl).empty());

    const fs::path dir = temp_dir("bram_rom_" + std::to_string(shape.addr_width) + "x" +
                                  std::to_string(shape.width));
    write_netlist(dir / "rom.json", nl);
    REQUIRE(
        run_lutforge("convert " + (dir / "rom.json").string() + " -o " + (dir / "rom.v").string())
            .exit_code == 0);
    const std::string report = synth_xilinx_cli(dir / "rom.v", "rom", dir / "mapped.json");
    const std::string mapped = read_text(dir / "mapped.json");
    CHECK(mapped.find("\"type\": \"" + std::string(shape.primitive) + "\"") != std::string::npos);
    CHECK(report.find(" 0 flip-flops") != std::string::npos);  // the registers are the RAM's
    const Netlist back = read_yosys_json_file((dir / "mapped.json").string());

    // The words, read independently of the reader: address a in cycle t, its word in cycle t + 1
    // (while enabled; a disabled cycle keeps the word).
    VectorTable in = input_table(back);
    const size_t addr_col = in.names[0] == "addr" ? 0 : 1;
    for (uint64_t t = 0; t < 300; ++t) {
      std::vector<BitVector> row(2);
      row[addr_col] = {rng() % depth};
      row[1 - addr_col] = {uint64_t{shape.enable ? rng() % 4 != 0 : true}};
      in.rows.push_back(row);
    }
    const VectorTable out = simulate(back, in, in.rows.size());
    BitVector expect((shape.width + 63) / 64, 0);
    for (uint32_t b = 0; b < shape.width; b += 3)
      if (shape.enable) expect[b / 64] |= uint64_t{1} << (b % 64);
    size_t mismatches = 0;
    for (size_t t = 0; t < in.rows.size(); ++t) {
      mismatches += out.rows[t][0] != expect;
      if (in.rows[t][1 - addr_col][0]) expect = words[in.rows[t][addr_col][0]];
    }
    CHECK(mismatches == 0);

    const RunResult e =
        run_lutforge("equiv " + (dir / "rom.json").string() + " " + (dir / "mapped.json").string());
    INFO(e.out << e.err);
    CHECK(e.exit_code == 0);
  }
}
