#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "rtl_gen/yosys_driver.hpp"

namespace lutforge::cli {

int cmd_synth(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string in, out, target = "generic", report, yosys = "yosys";
  SynthParams p;
  opts.add_options()("verilog", po::value(&in)->required(), "Verilog design")(
      "top", po::value(&p.top)->required(), "top module")("target", po::value(&target),
                                                          "generic (default), xilinx or ice40")(
      "lut", po::value(&p.lut_size),
      "generic target: map to LUTs of K inputs (default: gate level)")(
      "output,o", po::value(&out)->required(), "Yosys JSON output")(
      "report", po::value(&report), "resource report JSON (default: OUT with .resources.json)")(
      "yosys", po::value(&p.yosys), "the yosys binary (default: yosys on the PATH)");
  po::positional_options_description pos;
  pos.add("verilog", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge synth IN.v --top T [--target generic|xilinx|ice40] [--lut K] -o OUT.json",
             opts, pos, vm))
    return kExitOk;
  if (target == "generic")
    p.target = SynthTarget::Generic;
  else if (target == "xilinx")
    p.target = SynthTarget::Xilinx;
  else if (target == "ice40")
    p.target = SynthTarget::Ice40;
  else
    throw Error("--target '" + target + "' is not one of generic, xilinx, ice40");
  if (p.lut_size && (p.lut_size < 2 || p.lut_size > 8))
    throw Error("--lut must be between 2 and 8");
  if (p.lut_size && p.target != SynthTarget::Generic)
    throw Error("--lut applies to the generic target only");
  synthesize(in, out, p);
  const Resources r = count_resources(out, p.top);
  nlohmann::ordered_json j;
  j["design"] = in;
  j["top"] = p.top;
  j["target"] = target;
  if (p.lut_size) j["lut"] = p.lut_size;
  j["luts"] = r.luts;
  nlohmann::ordered_json sizes = nlohmann::ordered_json::object();
  for (auto [k, n] : r.luts_by_size) sizes[std::to_string(k)] = n;
  j["luts_by_size"] = sizes;
  j["flip_flops"] = r.flip_flops;
  j["carry_cells"] = r.carry_cells;
  j["dsps"] = r.dsps;
  j["brams_18k"] = r.brams_18k;
  j["wide_muxes"] = r.muxes;
  j["gates"] = r.gates;
  j["other_cells"] = r.other;
  j["cells_by_type"] = r.cells_by_type;
  if (report.empty())
    report =
        (out.size() > 5 && out.substr(out.size() - 5) == ".json" ? out.substr(0, out.size() - 5)
                                                                 : out) +
        ".resources.json";
  auto f = open_output(report);
  f << j.dump(2) << "\n";
  std::cout << "synthesized " << p.top << " (" << target
            << (p.lut_size ? ", " + std::to_string(p.lut_size) + "-LUTs" : "") << "): " << r.luts
            << " LUTs, " << r.flip_flops << " flip-flops, " << r.carry_cells << " carry cells, "
            << r.dsps << " DSPs, " << r.brams_18k << " BRAM18, " << r.gates << " gates\nwrote "
            << out << " and " << report << "\n";
  return kExitOk;
}

}  // namespace lutforge::cli
