#include "rtl_gen/verilog.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include "base/error.hpp"
#include "netlist/levels.hpp"
#include "netlist/overloaded.hpp"

namespace lutforge {
namespace {

bool is_keyword(const std::string& s) {
  static const std::set<std::string> kWords = {
      "always",  "and",   "assign",  "begin",     "buf",       "case",     "default",
      "else",    "end",   "endcase", "endmodule", "for",       "function", "if",
      "initial", "inout", "input",   "integer",   "module",    "nand",     "nor",
      "not",     "or",    "output",  "parameter", "reg",       "signed",   "wire",
      "xnor",    "xor",   "posedge", "negedge",   "localparam"};
  return kWords.count(s) > 0;
}

// The Verilog identifier of every node: its own name when it is legal and unused, else n<id>.
using Ids = std::vector<std::string>;

Ids node_identifiers(const Netlist& nl, const std::string& clock) {
  std::set<std::string> used = {clock};
  for (NodeId n : nl.inputs()) used.insert(nl.name(n));
  for (NodeId n : nl.outputs()) used.insert(nl.name(n));
  Ids ids(nl.num_nodes());
  std::vector<NodeId> unnamed;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& c = nl.cell(n);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c) ||
        std::holds_alternative<Const>(c))
      continue;
    const std::string& name = nl.name(n);
    if (!name.empty() && name.find_first_of(" \t\n\\") == std::string::npos &&
        used.insert(name).second)
      ids[n] = name;
    else
      unnamed.push_back(n);
  }
  for (NodeId n : unnamed) {
    std::string id = "n" + std::to_string(n);
    for (unsigned k = 1; !used.insert(id).second; ++k)
      id = "n" + std::to_string(n) + "_" + std::to_string(k);
    ids[n] = id;
  }
  for (auto& id : ids)
    if (!id.empty()) id = verilog_identifier(id);
  return ids;
}

std::string sig(const Netlist& nl, const Ids& ids, Signal s) {
  const Cell& c = nl.cell(s.node);
  if (const auto* k = std::get_if<Const>(&c)) return k->value ? "1'b1" : "1'b0";
  if (std::holds_alternative<Input>(c)) {
    const std::string id = verilog_identifier(nl.name(s.node));
    return std::get<Input>(c).width == 1 ? id : id + "[" + std::to_string(s.bit) + "]";
  }
  const std::string& base = ids[s.node];
  return num_output_bits(c) == 1
             ? base
             : base + (base.back() == ' ' ? "" : " ") + "[" + std::to_string(s.bit) + "]";
}

// {msb, ..., lsb} of a run of pins.
std::string concat(const Netlist& nl, const Ids& ids, NodeId n, uint32_t from, uint32_t count) {
  std::string s = "{";
  for (uint32_t i = count; i-- > 0;) s += sig(nl, ids, nl.fanin(n)[from + i]) + (i ? ", " : "");
  return s + "}";
}

// A word of `count` pins zero- or sign-extended (or truncated) to `width` bits.
std::string extended(const Netlist& nl, const Ids& ids, NodeId n, uint32_t from, uint32_t count,
                     uint32_t width, bool is_signed) {
  if (count >= width) return concat(nl, ids, n, from, width);
  const std::string fill = is_signed ? sig(nl, ids, nl.fanin(n)[from + count - 1]) : "1'b0";
  return "{{" + std::to_string(width - count) + "{" + fill + "}}, " +
         concat(nl, ids, n, from, count) + "}";
}

std::string gate_expr(uint8_t id, const std::string& a, const std::string& b) {
  switch (id) {
    case 0: return "1'b0";
    case 1: return a + " & " + b;
    case 2: return a + " & ~" + b;
    case 3: return a;
    case 4: return "~" + a + " & " + b;
    case 5: return b;
    case 6: return a + " ^ " + b;
    case 7: return a + " | " + b;
    case 8: return "~(" + a + " | " + b + ")";
    case 9: return "~(" + a + " ^ " + b + ")";
    case 10: return "~" + b;
    case 11: return a + " | ~" + b;
    case 12: return "~" + a;
    case 13: return "~" + a + " | " + b;
    case 14: return "~(" + a + " & " + b + ")";
    default: return "1'b1";
  }
}

// One LUT: y = f(ins), with ins given LSB first as Verilog expressions.
void write_lut(std::ostream& out, const Netlist& nl, NodeId n, const std::string& y,
               const std::vector<std::string>& ins, const VerilogParams& params) {
  const TruthTable& f = std::get<Lut>(nl.cell(n)).function;
  const unsigned k = f.num_vars();
  const std::string helper = "lf_n" + std::to_string(n);  // the cell instance, where there is one
  if (k == 0) {
    out << "  assign " << y << " = 1'b" << get_bit(f, 0) << ";\n";
    return;
  }
  std::string bus = "{";
  for (unsigned i = k; i-- > 0;) bus += ins[i] + (i ? ", " : "");
  bus += "}";
  if (params.blackbox_luts) {
    out << "  lf_lut #(.K(" << k << "), .INIT(" << f.num_bits() << "'h" << to_hex(f) << ")) "
        << helper << " (.A(" << bus << "), .Y(" << y << "));\n";
  } else if (params.yosys_luts) {
    out << "  \\$lut #(.WIDTH(" << k << "), .LUT(" << f.num_bits() << "'h" << to_hex(f) << ")) "
        << helper << " (.A(" << bus << "), .Y(" << y << "));\n";
  } else if (params.xilinx_luts) {
    if (k > 6)
      throw Error("write_verilog: LUT " + describe(nl, n) + " has " + std::to_string(k) +
                  " inputs; Xilinx LUTs take at most 6 (decompose it first)");
    out << "  LUT" << k << " #(.INIT(" << f.num_bits() << "'h" << to_hex(f) << ")) " << helper
        << " (.O(" << y << ")";
    for (unsigned i = 0; i < k; ++i) out << ", .I" << i << "(" << ins[i] << ")";
    out << ");\n";
  } else {
    out << "  assign " << y << " = " << f.num_bits() << "'h" << to_hex(f) << " >> " << bus << ";\n";
  }
}

// The LUT trees to write as modules of their own: a LUT and the LUTs decompose_luts made from it
// (named NAME and NAME$dK) form a group; groups of one LUT stay in the top module.
std::vector<std::pair<std::string, std::vector<NodeId>>> lut_groups(const Netlist& nl) {
  std::map<std::string, std::vector<NodeId>> by_key;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    if (!std::holds_alternative<Lut>(nl.cell(n)) || nl.name(n).empty()) continue;
    std::string key = nl.name(n);
    const size_t d = key.rfind("$d");
    if (d != std::string::npos && d + 2 < key.size() &&
        key.find_first_not_of("0123456789", d + 2) == std::string::npos)
      key.resize(d);
    by_key[key].push_back(n);
  }
  std::vector<std::pair<std::string, std::vector<NodeId>>> groups;
  for (auto& [key, members] : by_key)
    if (members.size() >= 2) groups.emplace_back(key, std::move(members));
  std::sort(groups.begin(), groups.end(),
            [](const auto& a, const auto& b) { return a.second[0] < b.second[0]; });
  return groups;
}

}  // namespace

std::string verilog_identifier(const std::string& name) {
  bool legal =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name)
    legal = legal && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$');
  if (legal && !is_keyword(name)) return name;
  return "\\" + name + " ";
}

void write_verilog(const Netlist& nl, std::ostream& out, const VerilogParams& params) {
  if (int(params.xilinx_luts) + int(params.yosys_luts) + int(params.blackbox_luts) > 1)
    throw Error("write_verilog: choose at most one of Xilinx, Yosys $lut and blackbox LUT cells");
  const Levels lv = levelize(nl);
  std::string module = params.module_name;
  if (module.empty()) module = nl.design_name().empty() ? "top" : nl.design_name();
  bool has_regs = false;
  for (NodeId n = 0; n < nl.num_nodes(); ++n) has_regs = has_regs || is_register(nl.cell(n));
  const std::string clk =
      verilog_identifier(nl.clock_name().empty() ? params.clock_name : nl.clock_name());
  const Ids ids =
      node_identifiers(nl, nl.clock_name().empty() ? params.clock_name : nl.clock_name());

  // LUT trees written as modules of their own (params.lut_modules).
  std::vector<std::pair<std::string, std::vector<NodeId>>> groups;
  if (params.lut_modules) groups = lut_groups(nl);
  std::vector<int> group_of(nl.num_nodes(), -1);
  for (size_t g = 0; g < groups.size(); ++g)
    for (NodeId n : groups[g].second) group_of[n] = static_cast<int>(g);
  std::vector<char> used_outside(nl.num_nodes(), 0);  // a grouped LUT read outside its group
  for (NodeId n = 0; n < nl.num_nodes(); ++n)
    for (const Signal& f : nl.fanin(n))
      if (group_of[f.node] >= 0 && group_of[f.node] != group_of[n]) used_outside[f.node] = 1;

  out << "// Generated by lutforge.\nmodule " << verilog_identifier(module) << " (";
  bool first = true;
  auto port = [&](const std::string& dir, NodeId n, uint32_t width) {
    out << (first ? "\n" : ",\n") << "  " << dir << " wire "
        << (width > 1 ? "[" + std::to_string(width - 1) + ":0] " : "")
        << verilog_identifier(nl.name(n));
    first = false;
  };
  if (has_regs) {
    out << "\n  input wire " << clk;
    first = false;
  }
  for (NodeId n : nl.inputs()) port("input", n, std::get<Input>(nl.cell(n)).width);
  for (NodeId n : nl.outputs()) port("output", n, std::get<Output>(nl.cell(n)).width);
  out << "\n);\n";

  // Declarations in id order, logic in topological order, registers last.
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& c = nl.cell(n);
    if (std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c) ||
        std::holds_alternative<Const>(c))
      continue;
    if (group_of[n] >= 0 && !used_outside[n]) continue;
    const uint32_t w = num_output_bits(c);
    const std::string range = w > 1 ? "[" + std::to_string(w - 1) + ":0] " : "";
    if (const auto* d = std::get_if<Dff>(&c))
      out << "  reg " << ids[n] << " = 1'b" << (d->init ? 1 : 0) << ";\n";
    else
      out << "  wire " << range << ids[n] << ";\n";
  }
  // Each group's module reads the group's inputs from other cells as bus i, and drives the cells
  // read elsewhere as bus o, both in order of first use.
  struct GroupPorts {
    std::vector<Signal> in;
    std::vector<NodeId> out;
  };
  std::vector<GroupPorts> gports(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    for (NodeId n : groups[g].second) {
      for (const Signal& f : nl.fanin(n))
        if (group_of[f.node] != static_cast<int>(g) &&
            !std::holds_alternative<Const>(nl.cell(f.node)) &&
            std::find(gports[g].in.begin(), gports[g].in.end(), f) == gports[g].in.end())
          gports[g].in.push_back(f);
      if (used_outside[n]) gports[g].out.push_back(n);
    }
  }
  auto group_module = [&](size_t g) {
    return verilog_identifier(module + "__lut" + std::to_string(g));
  };
  std::set<std::string> taken(ids.begin(), ids.end());
  taken.insert(clk);
  for (NodeId n : nl.inputs()) taken.insert(verilog_identifier(nl.name(n)));
  for (NodeId n : nl.outputs()) taken.insert(verilog_identifier(nl.name(n)));
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string inst = "u_" + groups[g].first;
    while (!taken.insert(verilog_identifier(inst)).second) inst += "_";
    out << "  " << group_module(g) << " " << verilog_identifier(inst) << " (";
    std::string sep;
    if (!gports[g].in.empty()) {
      out << ".i({";
      for (size_t k = gports[g].in.size(); k-- > 0;)
        out << sig(nl, ids, gports[g].in[k]) << (k ? ", " : "");
      out << "})";
      sep = ", ";
    }
    if (!gports[g].out.empty()) {
      out << sep << ".o({";
      for (size_t k = gports[g].out.size(); k-- > 0;)
        out << ids[gports[g].out[k]] << (k ? ", " : "");
      out << "})";
    }
    out << ");\n";
  }
  for (NodeId n : lv.order) {
    const Cell& c = nl.cell(n);
    const std::string& y = ids[n];
    const std::string helper = "lf_n" + std::to_string(n);  // internal wires of multi-step cells
    std::visit(
        Overloaded{
            // Ports and constants are declarations, written above; registers are written below.
            [&](const Input&) {},
            [&](const Output&) {},
            [&](const Const&) {},
            [&](const Dff&) {},
            [&](const Lut&) {
              if (group_of[n] >= 0) return;  // written in its group's module
              std::vector<std::string> ins;
              for (const Signal& f : nl.fanin(n)) ins.push_back(sig(nl, ids, f));
              write_lut(out, nl, n, y, ins, params);
            },
            [&](const Gate& g) {
              out << "  assign " << y << " = "
                  << gate_expr(g.id, sig(nl, ids, nl.fanin(n)[0]), sig(nl, ids, nl.fanin(n)[1]))
                  << ";\n";
            },
            [&](const Adder& a) {
              if (params.adder_modules && a.operands.size() > 2) {
                // One step per operand after the first (adder_steps): a step with a constant
                // side is an addition synthesis may fold; the others are lf_add2 instances over
                // the bits above those where one side is constant zero.
                const std::string range = "[" + std::to_string(a.width - 1) + ":0] ";
                auto bits = [](const std::string& word, uint32_t hi, uint32_t lo) {
                  return word + (word.back() == ' ' ? "" : " ") + "[" + std::to_string(hi) + ":" +
                         std::to_string(lo) + "]";
                };
                const std::vector<AdderStep> steps = adder_steps(nl, n);
                uint32_t pin = 0;
                std::string sum;
                for (size_t i = 0; i < a.operands.size(); ++i) {
                  std::string term = extended(nl, ids, n, pin, a.operands[i].width, a.width,
                                              a.operands[i].is_signed);
                  pin += a.operands[i].width;
                  if (i == 0) {
                    sum = term;
                    continue;
                  }
                  const AdderStep& step = steps[i - 1];
                  const bool last = i + 1 == a.operands.size();
                  const std::string partial = last ? y : helper + "_s" + std::to_string(i);
                  if (!last) out << "  wire " << range << partial << ";\n";
                  if (step.constant) {
                    out << "  assign " << partial << " = " << sum << " + " << term << ";\n";
                  } else if (step.low == 0) {
                    out << "  lf_add2 #(.W(" << a.width << ")) " << helper << "_add" << i << " ("
                        << sum << ", " << term << ", " << partial << ");\n";
                  } else {
                    // Concatenations cannot be sliced: name both sides first.
                    if (sum.front() == '{') {
                      out << "  wire " << range << helper << "_s0 = " << sum << ";\n";
                      sum = helper + "_s0";
                    }
                    const std::string t = helper + "_t" + std::to_string(i);
                    out << "  wire " << range << t << " = " << term << ";\n";
                    term = t;
                    const uint32_t hi = a.width - 1;
                    out << "  assign " << bits(partial, step.low - 1, 0) << " = "
                        << bits(step.low_from_sum ? sum : term, step.low - 1, 0) << ";\n";
                    out << "  lf_add2 #(.W(" << a.width - step.low << ")) " << helper << "_add" << i
                        << " (" << bits(sum, hi, step.low) << ", " << bits(term, hi, step.low)
                        << ", " << bits(partial, hi, step.low) << ");\n";
                  }
                  sum = partial;
                }
                return;
              }
              out << "  assign " << y << " = ";
              uint32_t pin = 0;
              for (size_t i = 0; i < a.operands.size(); ++i) {
                out << (i ? "\n      + " : "")
                    << extended(nl, ids, n, pin, a.operands[i].width, a.width,
                                a.operands[i].is_signed);
                pin += a.operands[i].width;
              }
              out << ";\n";
            },
            [&](const ArgMax& m) {
              const uint32_t iw = argmax_index_width(m.count);
              const std::string wr = m.width > 1 ? "[" + std::to_string(m.width - 1) + ":0] " : "";
              const std::string ir = iw > 1 ? "[" + std::to_string(iw - 1) + ":0] " : "";
              auto as = [&](const std::string& e) {
                return m.is_signed ? "$signed(" + e + ")" : e;
              };
              out << "  wire " << wr << helper << "_b0 = " << concat(nl, ids, n, 0, m.width)
                  << ";\n";
              out << "  wire " << ir << helper << "_i0 = " << iw << "'d0;\n";
              for (uint32_t i = 1; i < m.count; ++i) {
                const std::string w = concat(nl, ids, n, i * m.width, m.width);
                const std::string prev = helper + "_b" + std::to_string(i - 1);
                const std::string gt = as(w) + " > " + as(prev);
                out << "  wire " << wr << helper << "_b" << i << " = (" << gt << ") ? " << w
                    << " : " << prev << ";\n";
                out << "  wire " << ir << helper << "_i" << i << " = (" << gt << ") ? " << iw
                    << "'d" << i << " : " << helper << "_i" << (i - 1) << ";\n";
              }
              out << "  assign " << y << " = " << helper << "_i" << (m.count - 1) << ";\n";
            },
            [&](const PackedDsp& d) {
              // One wire per port, then Verilog's own extension rules: in a signed expression
              // every operand is sign-extended to the width of the assignment, which is also
              // the form from which synthesis infers a slice of the right size.
              auto op = [&](const std::string& e) {
                return d.is_signed ? "$signed(" + e + ")" : e;
              };
              auto range = [](uint32_t width) {
                return width > 1 ? "[" + std::to_string(width - 1) + ":0] " : std::string();
              };
              uint32_t pin = 0;
              auto port = [&](const char* name, uint32_t width) {
                const std::string wire = helper + "_" + name;
                if (width)
                  out << "  wire " << range(width) << wire << " = "
                      << concat(nl, ids, n, pin, width) << ";\n";
                pin += width;
                return wire;
              };
              std::string a = port("A", d.a_width);
              const std::string b = port("B", d.b_width);
              const std::string cc = port("C", d.c_width);
              const std::string dd = port("D", d.d_width);
              const std::string z = port("Z", d.z_width);
              if (d.pre_add != PackedDsp::PreAdd::None) {
                const char* sign = d.pre_add == PackedDsp::PreAdd::Add ? " + " : " - ";
                out << "  wire " << range(d.ad_width) << helper
                    << "_AD = " << op(d.d_width ? dd : std::to_string(d.ad_width) + "'d0") << sign
                    << op(a) << ";\n";
                a = helper + "_AD";
              }
              out << "  assign " << y << " = " << op(a) << " * " << op(b);
              if (d.c_width) out << " + " << op(cc);
              if (d.z_width) {
                std::string zv = z;
                if (d.has_z_enable)
                  zv = "(" + z + " & {" + std::to_string(d.z_width) + "{" +
                       sig(nl, ids, nl.fanin(n)[pin]) + "}})";
                out << " + " << op(zv);
              }
              out << ";\n";
            },
            [&](const Rom& r) {
              // A memory with its contents, marked for block RAM; Yosys merges the registers
              // that take its word into the block RAM's output latch.
              const uint64_t depth = uint64_t{1} << r.addr_width;
              const uint32_t w = r.width();
              const std::string mem = helper + "_mem";
              out << "  (* rom_style = \"block\" *)\n  reg [" << w - 1 << ":0] " << mem
                  << " [0:" << depth - 1 << "];\n  initial begin\n";
              for (uint64_t a = 0; a < depth; ++a) {
                std::string bits(w, '0');
                for (uint32_t b = 0; b < w; ++b)
                  if (get_bit(r.data[b], a)) bits[w - 1 - b] = '1';
                out << "    " << mem << "[" << a << "] = " << w << "'b" << bits << ";\n";
              }
              out << "  end\n  assign " << y << " = " << mem << "["
                  << concat(nl, ids, n, 0, r.addr_width) << "];\n";
            },
        },
        c);
  }
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const auto* d = std::get_if<Dff>(&nl.cell(n));
    if (!d) continue;
    const auto f = nl.fanin(n);
    uint32_t pin = 1;
    const std::string& y = ids[n];
    const std::string data = sig(nl, ids, f[0]);
    const std::string en = d->has_enable ? sig(nl, ids, f[pin++]) : "";
    const std::string srst = d->has_sync_reset ? sig(nl, ids, f[pin++]) : "";
    const std::string arst = d->has_async_reset ? sig(nl, ids, f[pin++]) : "";
    out << "  always @(posedge " << clk << (d->has_async_reset ? " or posedge " + arst : "")
        << ")\n";
    std::string indent = "    ";
    if (d->has_async_reset) {
      out << indent << "if (" << arst << ") " << y << " <= 1'b" << d->async_reset_value << ";\n"
          << indent << "else ";
    } else {
      out << indent;
    }
    if (d->has_sync_reset && d->sync_reset_needs_enable) {
      out << "if (" << en << ") " << y << " <= " << srst << " ? 1'b" << d->sync_reset_value << " : "
          << data << ";\n";
    } else if (d->has_sync_reset) {
      out << "if (" << srst << ") " << y << " <= 1'b" << d->sync_reset_value << ";\n"
          << indent << "else ";
      if (d->has_enable) out << "if (" << en << ") ";
      out << y << " <= " << data << ";\n";
    } else {
      if (d->has_enable) out << "if (" << en << ") ";
      out << y << " <= " << data << ";\n";
    }
  }
  for (NodeId n : nl.outputs())
    out << "  assign " << verilog_identifier(nl.name(n)) << " = "
        << concat(nl, ids, n, 0, nl.fanin(n).size()) << ";\n";
  out << "endmodule\n";

  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupPorts& gp = gports[g];
    out << "\nmodule " << group_module(g) << " (";
    std::string sep = "\n";
    if (!gp.in.empty()) {
      out << sep << "  input wire [" << gp.in.size() - 1 << ":0] i";
      sep = ",\n";
    }
    if (!gp.out.empty()) out << sep << "  output wire [" << gp.out.size() - 1 << ":0] o";
    out << "\n);\n";
    for (NodeId n : groups[g].second) out << "  wire " << ids[n] << ";\n";
    for (NodeId n : lv.order) {
      if (group_of[n] != static_cast<int>(g)) continue;
      std::vector<std::string> ins;
      for (const Signal& f : nl.fanin(n)) {
        if (group_of[f.node] == static_cast<int>(g) ||
            std::holds_alternative<Const>(nl.cell(f.node))) {
          ins.push_back(sig(nl, ids, f));
        } else {
          const size_t k = std::find(gp.in.begin(), gp.in.end(), f) - gp.in.begin();
          ins.push_back("i[" + std::to_string(k) + "]");
        }
      }
      write_lut(out, nl, n, ids[n], ins, params);
    }
    for (size_t k = 0; k < gp.out.size(); ++k)
      out << "  assign o[" << k << "] = " << ids[gp.out[k]] << ";\n";
    out << "endmodule\n";
  }

  bool chained_adder = false;
  for (NodeId n = 0; n < nl.num_nodes() && !chained_adder; ++n)
    if (const auto* a = std::get_if<Adder>(&nl.cell(n)))
      chained_adder = params.adder_modules && a->operands.size() > 2;
  if (chained_adder)
    out << "\n// Y = A + B, kept as a level of hierarchy so that synthesis keeps each partial "
           "sum.\n"
           "(* keep_hierarchy *)\n"
           "module lf_add2 #(parameter W = 1) (\n"
           "  input wire [W - 1:0] A,\n"
           "  input wire [W - 1:0] B,\n"
           "  output wire [W - 1:0] Y\n"
           ");\n"
           "  assign Y = A + B;\n"
           "endmodule\n";

  bool any_lut = false;
  for (NodeId n = 0; n < nl.num_nodes() && !any_lut; ++n)
    if (const auto* l = std::get_if<Lut>(&nl.cell(n))) any_lut = l->function.num_vars() > 0;
  if (params.blackbox_luts && any_lut)
    out << "\n// A K-input LUT: Y = INIT[A]. Yosys keeps it as a cell; simulators run the body.\n"
           "(* blackbox *)\n"
           "module lf_lut #(parameter K = 1, parameter [(1 << K) - 1:0] INIT = 0) (\n"
           "  input wire [K - 1:0] A,\n"
           "  output wire Y\n"
           ");\n"
           "  assign Y = INIT[A];\n"
           "endmodule\n";
}

}  // namespace lutforge
