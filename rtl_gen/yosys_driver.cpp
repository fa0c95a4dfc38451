#include "rtl_gen/yosys_driver.hpp"

#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge {
namespace {

// The last lines of a log, indented under an error message.
std::string log_tail(const std::string& path, size_t n) {
  std::string out;
  for (const auto& l : last_lines(path, n)) out += "\n  " + l;
  return out;
}

}  // namespace

std::string synth_script(const std::string& verilog, const std::string& json,
                         const SynthParams& p) {
  std::ostringstream s;
  // -icells lets the design instantiate Yosys cells such as $lut (see VerilogParams::yosys_luts).
  s << "read_verilog -icells " << verilog << "\n";
  switch (p.target) {
    case SynthTarget::Generic:
      // Each module is mapped on its own (see VerilogParams::lut_modules), then the result is
      // flattened.
      s << "synth -top " << p.top << (p.lut_size ? " -lut " + std::to_string(p.lut_size) : "")
        << "\n";
      break;
    case SynthTarget::Xilinx:
      // Shift-register LUTs are not read back yet; DSP48E1 slices and block RAM ROMs are.
      s << "synth_xilinx -flatten -nosrl -top " << p.top << "\n";
      s << "delete =A:blackbox\n";
      break;
    case SynthTarget::Ice40: s << "synth_ice40 -flatten -top " << p.top << "\n"; break;
  }
  // Levels of hierarchy kept through synthesis (VerilogParams::adder_modules) are inlined once
  // mapped, so that the JSON and the resource report hold the whole design in its top module.
  s << "setattr -mod -unset keep_hierarchy\nflatten\nopt_clean\n";
  s << "write_json " << json << "\n";
  return s.str();
}

void synthesize(const std::string& verilog, const std::string& json, const SynthParams& p) {
  if (p.top.empty()) throw Error("synth: --top is required");
  if (!std::filesystem::exists(verilog)) throw Error(verilog + ": cannot open file for reading");
  const std::string log = p.log_file.empty() ? json + ".log" : p.log_file;
  const std::string script_path = json + ".ys";
  {
    std::ofstream f(script_path);
    if (!f) throw Error(script_path + ": cannot open file for writing");
    f << synth_script(verilog, json, p);
  }
  const std::string cmd = shell_quote(p.yosys) + " -q -l " + shell_quote(log) + " -s " +
                          shell_quote(script_path) + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127)
    throw Error("synth: the yosys binary '" + p.yosys +
                "' was not found; install it with: apt-get install yosys");
  if (code != 0)
    throw Error("synth: yosys failed on " + verilog + " (log " + log + "):" + log_tail(log, 8));
}

Resources count_resources(const std::string& json_path, const std::string& top) {
  const YosysDesign d = read_yosys_json(json_path);
  const YosysModule* m = nullptr;
  for (const auto& mod : d.modules)
    if ((top.empty() && (mod.is_top || (!mod.is_blackbox && !m))) || mod.name == top) m = &mod;
  if (!m) throw Error(json_path + ": no module to count");
  Resources r;
  for (const auto& c : m->cells) {
    const std::string_view t = c.type;
    ++r.cells_by_type[std::string(t)];
    unsigned k = 0;
    if (t == "$lut" || t == "lf_lut") {
      for (const auto& [name, v] : c.parameters)
        if (name == (t == "lf_lut" ? "K" : "WIDTH"))
          k = static_cast<unsigned>(std::stoul(std::string(v), nullptr, 2));
    } else if (t.size() == 4 && t.rfind("LUT", 0) == 0) {
      k = t[3] - '0';
    } else if (t == "SB_LUT4") {
      k = 4;
    }
    if (k) {
      ++r.luts;
      ++r.luts_by_size[k];
    } else if (t.find("DFF") != std::string::npos || t.rfind("$dff", 0) == 0 ||
               t.rfind("$sdff", 0) == 0 || t.rfind("$adff", 0) == 0 || t.rfind("FD", 0) == 0) {
      ++r.flip_flops;
    } else if (t == "CARRY4" || t == "CARRY8" || t == "SB_CARRY") {
      ++r.carry_cells;
    } else if (t.rfind("DSP", 0) == 0 || t == "SB_MAC16") {
      ++r.dsps;
    } else if (t == "RAMB18E1" || t == "RAMB36E1") {
      r.brams_18k += t == "RAMB36E1" ? 2 : 1;
    } else if (t.rfind("MUXF", 0) == 0) {
      ++r.muxes;
    } else if (t.size() > 2 && t[0] == '$' && t[1] == '_') {
      ++r.gates;
    } else {
      ++r.other;
    }
  }
  return r;
}

}  // namespace lutforge
