#include "tests/support/tools.hpp"

#include <sys/wait.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "base/error.hpp"
#include "netlist/native_json.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::test {

namespace fs = std::filesystem;

RunResult run(const std::string& command) {
  static int counter = 0;
  const fs::path err_file = fs::path(LUTFORGE_TEST_TMP) / ("stderr." + std::to_string(::getpid()) +
                                                           "." + std::to_string(counter++));
  fs::create_directories(err_file.parent_path());
  RunResult r;
  FILE* p = ::popen((command + " 2>" + err_file.string()).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_file);
  fs::remove(err_file);
  return r;
}

fs::path temp_dir(const std::string& name) {
  std::string clean;
  for (char c : name) clean.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  const fs::path d = fs::path(LUTFORGE_TEST_TMP) / clean;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

void write_netlist(const fs::path& path, const Netlist& nl) {
  std::ofstream out(path, std::ios::binary);
  write_native_json(nl, out);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string idx_bytes(uint8_t type, const std::vector<uint32_t>& dims,
                      const std::vector<uint8_t>& data) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int k = 3; k >= 0; --k) s += static_cast<char>((d >> (8 * k)) & 0xff);
  s.append(data.begin(), data.end());
  return s;
}

std::vector<std::string> csv_column(const fs::path& csv, const std::string& name) {
  std::istringstream in(read_text(csv));
  std::string line, cell;
  std::getline(in, line);
  size_t col = SIZE_MAX;
  {
    std::istringstream h(line);
    for (size_t i = 0; std::getline(h, cell, ','); ++i)
      if (cell == name) col = i;
  }
  INFO(csv.string() << " has no column " << name);
  REQUIRE(col != SIZE_MAX);
  std::vector<std::string> v;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    for (size_t i = 0; i <= col; ++i) std::getline(l, cell, ',');
    v.push_back(cell);
  }
  return v;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

RunResult run_lutforge(const std::string& args) {
  return run(std::string(LUTFORGE_BIN) + " " + args);
}

const std::vector<Flow>& synth_flows() {
  static const std::vector<Flow> flows = {
      {"lut4", "synth -flatten -lut 4"}, {"lut6", "synth -flatten -lut 6"},
      {"gates", "synth -flatten"},       {"xilinx", "synth_xilinx -flatten -nosrl"},
      {"ice40", "synth_ice40 -flatten"},
  };
  return flows;
}

const char* verdict_name(AbcVerdict v) {
  switch (v) {
    case AbcVerdict::Equivalent: return "equivalent";
    case AbcVerdict::NotEquivalent: return "not equivalent";
    case AbcVerdict::Undecided: return "undecided";
  }
  return "?";
}

fs::path yosys_aiger(const fs::path& json, const std::string& top, const Flow& flow) {
  fs::path aig = json, map = json;
  aig.replace_extension(".aig");
  map.replace_extension(".aig.map");
  const std::string models =
      std::string(flow.name) == "xilinx" ? "read_verilog +/xilinx/cells_sim.v; " : "";
  const std::string script = "read_json " + json.string() + "; " + models + "hierarchy -top " +
                             top +
                             "; proc; flatten; async2sync; techmap; opt -fast; dffunmap; "
                             "setundef -zero; aigmap; write_aiger -zinit -map " +
                             map.string() + " " + aig.string();
  const RunResult r = run("yosys -q -p '" + script + "' 2>&1 | grep -v 'tri-state'");
  INFO("yosys: " << r.out << r.err);
  REQUIRE(fs::exists(aig));
  return aig;
}

AbcVerdict abc_verdict(const fs::path& aig_a, const fs::path& aig_b, bool sequential) {
  // The AIGER ports are matched by position: the headers must agree on the numbers of inputs and
  // outputs, and the maps on the port bit at every position that both list (Yosys leaves constant
  // outputs out of its map).
  auto ports = [](const fs::path& aig) {
    std::istringstream header(read_text(aig).substr(0, 64));
    std::string magic;
    unsigned m = 0, i = 0, l = 0, o = 0;
    header >> magic >> m >> i >> l >> o;
    fs::path map = aig;
    map.replace_extension(".aig.map");
    std::map<std::string, std::string> at;  // "input 3" -> "0 a"
    std::istringstream lines(read_text(map));
    for (std::string kind, index, rest; lines >> kind >> index && std::getline(lines, rest);)
      if (kind == "input" || kind == "output") at[kind + " " + index] = rest;
    return std::make_tuple(i, o, at);
  };
  const auto [ia, oa, mapa] = ports(aig_a);
  const auto [ib, ob, mapb] = ports(aig_b);
  REQUIRE(ia == ib);
  REQUIRE(oa == ob);
  for (const auto& [pos, bit] : mapa)
    if (mapb.count(pos)) REQUIRE(mapb.at(pos) == bit);
  const std::string cmd = sequential ? "dsec " + aig_a.string() + " " + aig_b.string()
                                     : "&r " + aig_a.string() + "; &cec " + aig_b.string();
  const RunResult r = run("yosys-abc -c '" + cmd + "'");
  INFO("yosys-abc: " << r.out << r.err);
  if (r.out.find("Networks are equivalent") != std::string::npos) return AbcVerdict::Equivalent;
  if (r.out.find("NOT EQUIVALENT") != std::string::npos) return AbcVerdict::NotEquivalent;
  return AbcVerdict::Undecided;
}

void synthesize(const fs::path& verilog, const std::string& top, const Flow& flow,
                const fs::path& json) {
  const std::string script = "read_verilog " + verilog.string() + "; " + flow.script + " -top " +
                             top + "; write_json " + json.string();
  const RunResult r = run("yosys -q -p '" + script + "'");
  INFO("yosys " << flow.name << ": " << r.err << r.out);
  REQUIRE(r.exit_code == 0);
}

namespace {
std::string hex_of(const BitVector& v, uint32_t width) {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint32_t d = (width + 3) / 4; d-- > 0;) {
    unsigned x = 0;
    for (unsigned b = 0; b < 4; ++b) {
      const uint32_t bit = d * 4 + b;
      if (bit < width && ((v[bit / 64] >> (bit % 64)) & 1)) x |= 1u << b;
    }
    s.push_back(kDigits[x]);
  }
  return s;
}
}  // namespace

VectorTable iverilog_simulate(const fs::path& verilog, const std::string& top,
                              const std::string& clock, const VectorTable& inputs,
                              const std::vector<std::string>& output_names,
                              const std::vector<uint32_t>& output_widths, const fs::path& dir,
                              const std::vector<fs::path>& libraries) {
  uint32_t total_in = 0;
  for (uint32_t w : inputs.widths) total_in += w;
  // Stimulus: one hex word per row, inputs concatenated with the first column most significant.
  std::ostringstream hex;
  for (const auto& row : inputs.rows) {
    BitVector all((total_in + 63) / 64 + 1, 0);
    uint32_t pos = total_in;
    for (size_t c = 0; c < row.size(); ++c) {
      pos -= inputs.widths[c];
      for (uint32_t b = 0; b < inputs.widths[c]; ++b)
        if ((row[c][b / 64] >> (b % 64)) & 1)
          all[(pos + b) / 64] |= uint64_t{1} << ((pos + b) % 64);
    }
    hex << hex_of(all, std::max<uint32_t>(total_in, 1)) << "\n";
  }
  write_text(dir / "stimulus.hex", hex.str());

  std::ostringstream tb;
  tb << "`timescale 1ns/1ps\nmodule tb;\n";
  if (!clock.empty()) tb << "  reg " << clock << " = 1'b0;\n";
  for (size_t c = 0; c < inputs.names.size(); ++c)
    tb << "  reg [" << inputs.widths[c] - 1 << ":0] " << inputs.names[c] << ";\n";
  for (size_t c = 0; c < output_names.size(); ++c)
    tb << "  wire [" << output_widths[c] - 1 << ":0] " << output_names[c] << ";\n";
  tb << "  reg [" << std::max<uint32_t>(total_in, 1) - 1 << ":0] mem [0:" << inputs.rows.size() - 1
     << "];\n";
  tb << "  integer t, f;\n  " << top << " dut(";
  bool first = true;
  auto conn = [&](const std::string& n) {
    tb << (first ? "" : ", ") << "." << n << "(" << n << ")";
    first = false;
  };
  if (!clock.empty()) conn(clock);
  for (const auto& n : inputs.names) conn(n);
  for (const auto& n : output_names) conn(n);
  tb << ");\n  initial begin\n    $readmemh(\"" << (dir / "stimulus.hex").string() << "\", mem);\n";
  tb << "    f = $fopen(\"" << (dir / "iverilog.out").string() << "\", \"w\");\n";
  tb << "    for (t = 0; t < " << inputs.rows.size() << "; t = t + 1) begin\n";
  if (!inputs.names.empty()) {
    tb << "      {";
    for (size_t c = 0; c < inputs.names.size(); ++c) tb << (c ? ", " : "") << inputs.names[c];
    tb << "} = mem[t];\n";
  }
  tb << "      #1;\n      $fdisplay(f, \"";
  for (size_t c = 0; c < output_names.size(); ++c) tb << (c ? " " : "") << "%h";
  tb << "\"";
  for (const auto& n : output_names) tb << ", " << n;
  tb << ");\n";
  if (!clock.empty())
    tb << "      " << clock << " = 1'b1; #1; " << clock << " = 1'b0; #1;\n";
  else
    tb << "      #2;\n";
  tb << "    end\n    $fclose(f);\n    $finish;\n  end\nendmodule\n";
  write_text(dir / "tb.v", tb.str());

  std::string extra;
  for (const auto& lib : libraries) extra += " " + lib.string();
  const RunResult c = run("iverilog -g2012 -o " + (dir / "sim.vvp").string() + " " +
                          (dir / "tb.v").string() + " " + verilog.string() + extra);
  INFO("iverilog: " << c.err);
  REQUIRE(c.exit_code == 0);
  const RunResult s = run("vvp -n " + (dir / "sim.vvp").string());
  INFO("vvp: " << s.err);
  REQUIRE(s.exit_code == 0);

  VectorTable out;
  out.names = output_names;
  out.widths = output_widths;
  std::istringstream lines(read_text(dir / "iverilog.out"));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cols(line);
    std::vector<BitVector> row;
    for (uint32_t w : output_widths) {
      std::string h;
      cols >> h;
      BitVector v((w + 63) / 64, 0);
      uint32_t bit = 0;
      for (size_t i = h.size(); i-- > 0;) {
        const char ch = h[i];
        const bool unknown = ch == 'x' || ch == 'X' || ch == 'z' || ch == 'Z';
        INFO("iverilog printed an unknown value '" << h << "' in line: " << line);
        REQUIRE_FALSE(unknown);
        const unsigned d =
            std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0' : std::tolower(ch) - 'a' + 10;
        for (unsigned b = 0; b < 4; ++b, ++bit)
          if (((d >> b) & 1) && bit < w) v[bit / 64] |= uint64_t{1} << (bit % 64);
      }
      row.push_back(std::move(v));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

std::string compare_tables(const VectorTable& expected, const VectorTable& actual) {
  if (expected.names != actual.names) return "different columns";
  if (expected.rows.size() != actual.rows.size())
    return "expected " + std::to_string(expected.rows.size()) + " rows, got " +
           std::to_string(actual.rows.size());
  for (size_t r = 0; r < expected.rows.size(); ++r)
    for (size_t c = 0; c < expected.names.size(); ++c)
      if (expected.rows[r][c] != actual.rows[r][c]) {
        std::ostringstream m;
        m << "row " << r << ", port '" << expected.names[c] << "': expected 0x"
          << hex_of(expected.rows[r][c], expected.widths[c]) << ", got 0x"
          << hex_of(actual.rows[r][c], actual.widths[c]);
        return m.str();
      }
  return {};
}

}  // namespace lutforge::test
