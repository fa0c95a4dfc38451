#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "equiv/equiv.hpp"
#include "netlist/native_json.hpp"
#include "netlist/passes.hpp"
#include "rtl_gen/verilog.hpp"

namespace lutforge::cli {

int cmd_convert(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string in_path, out_path, format, top;
  unsigned max_lut = 6, levels_per_stage = 0;
  opts.add_options()("input", po::value(&in_path)->required(), "Yosys JSON or native JSON netlist")(
      "output,o", po::value(&out_path)->required(), "output file")(
      "format", po::value(&format),
      "output format: json (native), dot or verilog; default from the extension")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules")(
      "max-lut", po::value(&max_lut)->default_value(6),
      "verilog: decompose wider LUTs into LUTs of at most this many inputs")(
      "pipeline", po::value(&levels_per_stage),
      "register every N logic levels, with valid_in/valid_out")(
      "xilinx-luts", "verilog: write LUTs as Xilinx LUT1..LUT6 instances")(
      "yosys-luts",
      "verilog: write LUTs as Yosys $lut cells (fast to synthesize; read with read_verilog "
      "-icells)")("blackbox-luts",
                  "verilog: write LUTs as instances of lf_lut, which yosys keeps as cells (for "
                  "mapped netlists)")("lut-modules",
                                      "verilog: write each decomposed LUT tree as a module of its "
                                      "own (yosys then maps one at a time)")(
      "adder-modules",
      "verilog: write sums of more than two operands as chains of kept two-operand adders, so "
      "that the prover finds every partial sum after synthesis (MAC layers)")(
      "no-check", "skip the equivalence check after decomposition and pipelining");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge convert IN -o OUT [--format json|dot|verilog]", opts, pos, vm))
    return kExitOk;
  if (format.empty()) {
    const auto dot = out_path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : out_path.substr(dot + 1);
    if (ext == "json")
      format = "json";
    else if (ext == "dot" || ext == "gv")
      format = "dot";
    else if (ext == "v")
      format = "verilog";
    else
      throw Error(out_path +
                  ": cannot tell the format from the extension; expected .json, .dot or .v, or "
                  "give --format");
  }
  if (format != "json" && format != "dot" && format != "verilog")
    throw Error("--format '" + format +
                "' is not supported; expected json, dot or verilog (Yosys JSON is input only)");
  Netlist nl = read_netlist_file(in_path, top);
  // Verilog always gets LUTs of at most --max-lut inputs; the other formats when asked.
  if (format == "verilog" || vm.count("pipeline") || !vm["max-lut"].defaulted()) {
    // Each transformation is checked against its input before anything is written.
    if (max_lut < 3) throw Error("--max-lut must be at least 3");
    const bool check = !vm.count("no-check");
    auto checked = [&](const Netlist& before, const Netlist& after, const char* what, int latency) {
      if (!check) return;
      EquivParams ep;
      ep.latency = latency;
      ep.ignore_ports = {"valid_in", "valid_out"};
      const EquivResult r = check_equivalence(before, after, ep);
      if (r.status == EquivStatus::NotEquivalent)
        throw Error(std::string(what) + " changed the function of " + in_path + " (" +
                    status_name(r.status) + ")");
      if (r.status != EquivStatus::Equivalent)
        throw Error(std::string(what) + " of " + in_path +
                    " could not be proved to keep its function (" + status_name(r.status) +
                    "); --no-check writes it without the proof");
    };
    // Only LUTs wider than --max-lut are decomposed; without any, there is nothing to prove.
    bool wide = false;
    for (NodeId n = 0; n < nl.num_nodes() && !wide; ++n)
      if (const auto* l = std::get_if<Lut>(&nl.cell(n))) wide = l->function.num_vars() > max_lut;
    Netlist d = wide ? decompose_luts(nl, max_lut) : nl;
    if (wide) checked(nl, d, "LUT decomposition", -1);
    if (vm.count("pipeline")) {
      PipelineParams pp;
      pp.levels_per_stage = levels_per_stage;
      unsigned latency = 0;
      Netlist piped = pipeline(d, pp, &latency);
      checked(d, piped, "pipelining", static_cast<int>(latency));
      d = std::move(piped);
    }
    nl = std::move(d);
  }
  auto out = open_output(out_path);
  if (format == "json")
    write_native_json(nl, out);
  else if (format == "dot")
    write_dot(nl, out);
  else {
    VerilogParams vp;
    vp.xilinx_luts = vm.count("xilinx-luts") > 0;
    vp.yosys_luts = vm.count("yosys-luts") > 0;
    vp.lut_modules = vm.count("lut-modules") > 0;
    vp.blackbox_luts = vm.count("blackbox-luts") > 0;
    vp.adder_modules = vm.count("adder-modules") > 0;
    if (int(vp.xilinx_luts) + int(vp.yosys_luts) + int(vp.blackbox_luts) > 1)
      throw Error("give at most one of --xilinx-luts, --yosys-luts and --blackbox-luts");
    write_verilog(nl, out, vp);
  }
  return kExitOk;
}

}  // namespace lutforge::cli
