#include "apps/commands.hpp"
#include "apps/options.hpp"
#include "netlist/native_json.hpp"
#include "rtl_gen/verilog.hpp"

namespace lutforge::cli {

int cmd_convert(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string in_path, out_path, format, top;
  opts.add_options()("input", po::value(&in_path)->required(), "Yosys JSON or native JSON netlist")(
      "output,o", po::value(&out_path)->required(), "output file")(
      "format", po::value(&format), "output format: json (native), dot or verilog; default from the extension")(
      "top", po::value(&top), "module to read from a Yosys JSON with several modules");
  po::positional_options_description pos;
  pos.add("input", 1);
  po::variables_map vm;
  if (!parse(args, "lutforge convert IN -o OUT [--format json|dot|verilog]", opts, pos, vm)) return kExitOk;
  if (format.empty()) {
    const auto dot = out_path.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : out_path.substr(dot + 1);
    if (ext == "json") format = "json";
    else if (ext == "dot" || ext == "gv") format = "dot";
    else if (ext == "v") format = "verilog";
    else throw Error(out_path + ": cannot tell the format from the extension; expected .json, .dot or .v, or give --format");
  }
  if (format != "json" && format != "dot" && format != "verilog")
    throw Error("--format '" + format + "' is not supported; expected json, dot or verilog (Yosys JSON is input only)");
  const Netlist nl = read_netlist_file(in_path, top);
  auto out = open_output(out_path);
  if (format == "json") write_native_json(nl, out);
  else if (format == "dot") write_dot(nl, out);
  else write_verilog(nl, out);
  return kExitOk;
}

}  // namespace lutforge::cli
