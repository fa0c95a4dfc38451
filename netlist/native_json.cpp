#include "netlist/native_json.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/overloaded.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge {
namespace {

using ojson = nlohmann::ordered_json;
constexpr const char* kFormat = "lutforge-netlist";
constexpr int kVersion = 1;

ojson node_json(const Netlist& nl, NodeId n) {
  ojson j;
  const Cell& c = nl.cell(n);
  j["kind"] = kind_name(c);
  j["name"] = nl.name(n);
  std::visit(Overloaded{
                 [&](const Input& i) { j["width"] = i.width; },
                 [&](const Output& o) { j["width"] = o.width; },
                 [&](const Const& k) { j["value"] = k.value ? 1 : 0; },
                 [&](const Lut& l) {
                   j["k"] = l.function.num_vars();
                   j["init"] = to_hex(l.function);
                 },
                 [&](const Gate& g) { j["id"] = g.id; },
                 [&](const Adder& a) {
                   j["width"] = a.width;
                   ojson ops = ojson::array();
                   for (const auto& op : a.operands)
                     ops.push_back({op.width, op.is_signed ? 1 : 0});
                   j["operands"] = ops;
                 },
                 [&](const ArgMax& a) {
                   j["count"] = a.count;
                   j["width"] = a.width;
                   j["signed"] = a.is_signed ? 1 : 0;
                 },
                 [&](const PackedDsp& d) {
                   j["a_width"] = d.a_width;
                   j["b_width"] = d.b_width;
                   j["c_width"] = d.c_width;
                   j["p_width"] = d.p_width;
                   j["signed"] = d.is_signed ? 1 : 0;
                   if (d.d_width) j["d_width"] = d.d_width;
                   if (d.z_width) j["z_width"] = d.z_width;
                   if (d.pre_add != PackedDsp::PreAdd::None) {
                     j["pre_add"] = d.pre_add == PackedDsp::PreAdd::Add ? "add" : "subtract";
                     j["ad_width"] = d.ad_width;
                   }
                   if (d.has_z_enable) j["z_enable"] = 1;
                 },
                 [&](const Rom& r) {
                   j["addr_width"] = r.addr_width;
                   ojson data = ojson::array();  // output bit i as a function of the address
                   for (const TruthTable& t : r.data) data.push_back(to_hex(t));
                   j["data"] = data;
                 },
                 [&](const Dff& d) {
                   j["init"] = d.init ? 1 : 0;
                   if (d.has_enable) j["enable"] = 1;
                   if (d.has_sync_reset) {
                     j["sync_reset"] = 1;
                     j["sync_reset_value"] = d.sync_reset_value ? 1 : 0;
                     if (d.sync_reset_needs_enable) j["sync_reset_needs_enable"] = 1;
                   }
                   if (d.has_async_reset) {
                     j["async_reset"] = 1;
                     j["async_reset_value"] = d.async_reset_value ? 1 : 0;
                   }
                 },
             },
             c);
  if (!nl.fanin(n).empty()) {
    ojson f = ojson::array();
    for (const Signal& s : nl.fanin(n)) f.push_back({s.node, s.bit});
    j["fanin"] = f;
  }
  return j;
}

class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(file_ + ": " + where_ + what);
  }

  uint32_t uint(const nlohmann::json& j, const char* key, uint32_t dflt, bool required) const {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) fail("missing \"" + std::string(key) + "\"");
      return dflt;
    }
    if (!it->is_number_unsigned())
      fail("\"" + std::string(key) + "\" must be a non-negative integer");
    const auto v = it->get<uint64_t>();
    if (v > UINT32_MAX) fail("\"" + std::string(key) + "\" is too large");
    return static_cast<uint32_t>(v);
  }
  bool flag(const nlohmann::json& j, const char* key) const { return uint(j, key, 0, false) != 0; }

  Cell cell(const nlohmann::json& j) const {
    auto kit = j.find("kind");
    if (kit == j.end() || !kit->is_string()) fail("missing \"kind\" string");
    const std::string kind = kit->get<std::string>();
    CellKind k;
    if (!kind_from_name(kind, k)) fail("unknown kind \"" + kind + "\"");
    Cell cell = default_cell(k);
    std::visit(
        Overloaded{
            [&](Input& i) { i.width = uint(j, "width", 1, true); },
            [&](Output& o) { o.width = uint(j, "width", 1, true); },
            [&](Const& c) { c.value = flag(j, "value"); },
            [&](Lut& l) {
              const uint32_t n = uint(j, "k", 0, true);
              auto it = j.find("init");
              if (it == j.end() || !it->is_string()) fail("missing \"init\" hex string");
              if (n > TruthTable::kMaxVars || !from_hex(it->get<std::string>(), n, l.function))
                fail("\"init\" is not a hex table of " + std::to_string(n) + " inputs");
            },
            [&](Gate& g) {
              const uint32_t id = uint(j, "id", 0, true);
              if (id > 15) fail("gate id " + std::to_string(id) + " is not in 0..15");
              g.id = static_cast<uint8_t>(id);
            },
            [&](Adder& a) {
              a.width = uint(j, "width", 0, true);
              auto it = j.find("operands");
              if (it == j.end() || !it->is_array()) fail("missing \"operands\" array");
              for (const auto& op : *it) {
                if (!op.is_array() || op.size() != 2 || !op[0].is_number_unsigned() ||
                    !op[1].is_number_unsigned())
                  fail("an operand must be [width, signed]");
                a.operands.push_back({op[0].get<uint32_t>(), op[1].get<uint32_t>() != 0});
              }
            },
            [&](ArgMax& a) {
              a = ArgMax{uint(j, "count", 0, true), uint(j, "width", 0, true), flag(j, "signed")};
            },
            [&](PackedDsp& d) {
              d = PackedDsp{uint(j, "a_width", 0, true), uint(j, "b_width", 0, true),
                            uint(j, "c_width", 0, true), uint(j, "p_width", 0, true),
                            flag(j, "signed")};
              d.d_width = uint(j, "d_width", 0, false);
              d.z_width = uint(j, "z_width", 0, false);
              d.has_z_enable = flag(j, "z_enable");
              if (auto it = j.find("pre_add"); it != j.end()) {
                if (*it == "add")
                  d.pre_add = PackedDsp::PreAdd::Add;
                else if (*it == "subtract")
                  d.pre_add = PackedDsp::PreAdd::Subtract;
                else
                  fail("\"pre_add\" must be \"add\" or \"subtract\"");
                d.ad_width = uint(j, "ad_width", 0, true);
              }
            },
            [&](Rom& r) {
              r.addr_width = uint(j, "addr_width", 0, true);
              if (r.addr_width == 0 || r.addr_width > Rom::kMaxAddrWidth)
                fail("\"addr_width\" must be 1.." + std::to_string(Rom::kMaxAddrWidth));
              auto it = j.find("data");
              if (it == j.end() || !it->is_array() || it->empty())
                fail("missing \"data\" array of hex tables, one per output bit");
              r.data.clear();
              for (const auto& bit : *it) {
                TruthTable t;
                if (!bit.is_string() || !from_hex(bit.get<std::string>(), r.addr_width, t))
                  fail("\"data\" bit " + std::to_string(r.data.size()) + " is not a hex table of " +
                       std::to_string(r.addr_width) + " inputs");
                r.data.push_back(std::move(t));
              }
            },
            [&](Dff& d) {
              d.init = flag(j, "init");
              d.has_enable = flag(j, "enable");
              d.has_sync_reset = flag(j, "sync_reset");
              d.sync_reset_value = flag(j, "sync_reset_value");
              d.sync_reset_needs_enable = flag(j, "sync_reset_needs_enable");
              d.has_async_reset = flag(j, "async_reset");
              d.async_reset_value = flag(j, "async_reset_value");
            },
        },
        cell);
    return cell;
  }

  Netlist read(std::string_view text) {
    nlohmann::json root;
    try {
      root = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for huge numbers
      std::string msg = e.what();
      const auto pos = msg.find("] ");
      throw Error(file_ +
                  ": malformed JSON: " + (pos == std::string::npos ? msg : msg.substr(pos + 2)));
    }
    if (!root.is_object() || root.value("format", "") != kFormat)
      fail("not a lutforge netlist (expected \"format\": \"" + std::string(kFormat) + "\")");
    if (root.value("version", 0) != kVersion)
      fail("unsupported version; expected " + std::to_string(kVersion));
    Netlist nl;
    nl.set_design_name(root.value("design", ""));
    nl.set_clock_name(root.value("clock", ""));
    auto nodes = root.find("nodes");
    if (nodes == root.end() || !nodes->is_array()) fail("missing \"nodes\" array");
    const size_t count = nodes->size();
    for (size_t i = 0; i < count; ++i) {
      const auto& j = (*nodes)[i];
      where_ = "node " + std::to_string(i) + ": ";
      if (!j.is_object()) fail("expected an object");
      Cell c = cell(j);
      const std::string name = j.value("name", "");
      if (std::holds_alternative<Input>(c)) {
        nl.add_input(name, std::get<Input>(c).width);
      } else if (std::holds_alternative<Output>(c)) {
        nl.add_output(name, std::vector<Signal>(std::get<Output>(c).width));
      } else {
        nl.add_cell(std::move(c), {}, name);
      }
    }
    for (size_t i = 0; i < count; ++i) {
      const auto& j = (*nodes)[i];
      where_ = "node " + std::to_string(i) + ": ";
      const NodeId n = static_cast<NodeId>(i);
      auto f = j.find("fanin");
      const uint32_t pins = num_input_pins(nl.cell(n));
      if (f == j.end()) {
        if (pins) fail("missing \"fanin\" for " + std::to_string(pins) + " pins");
        continue;
      }
      if (!f->is_array() || f->size() != pins)
        fail("\"fanin\" must list " + std::to_string(pins) + " [node, bit] pairs");
      for (uint32_t p = 0; p < pins; ++p) {
        const auto& s = (*f)[p];
        if (!s.is_array() || s.size() != 2 || !s[0].is_number_unsigned() ||
            !s[1].is_number_unsigned())
          fail("fanin entry " + std::to_string(p) + " must be [node, bit]");
        const uint64_t src = s[0].get<uint64_t>(), bit = s[1].get<uint64_t>();
        if (src >= count)
          fail("fanin entry " + std::to_string(p) + " names node " + std::to_string(src) +
               ", which does not exist");
        if (bit >= num_output_bits(nl.cell(static_cast<NodeId>(src))))
          fail("fanin entry " + std::to_string(p) + " reads bit " + std::to_string(bit) +
               " of node " + std::to_string(src) + ", which has " +
               std::to_string(num_output_bits(nl.cell(static_cast<NodeId>(src)))) + " bits");
        nl.connect(n, p, Signal{static_cast<NodeId>(src), static_cast<uint32_t>(bit)});
      }
    }
    where_.clear();
    verify_or_throw(nl, file_);
    return nl;
  }

 private:
  std::string file_;
  std::string where_;
};

}  // namespace

void write_native_json(const Netlist& nl, std::ostream& out) {
  // Written by hand around per-node JSON so that each node sits on one line: diffable and compact.
  ojson head;
  head["format"] = kFormat;
  head["version"] = kVersion;
  head["design"] = nl.design_name();
  head["clock"] = nl.clock_name();
  std::string h = head.dump();
  h.pop_back();  // the closing brace
  out << h << ",\"nodes\":[\n";
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    out << node_json(nl, n).dump();
    out << (n + 1 < nl.num_nodes() ? ",\n" : "\n");
  }
  out << "]}\n";
}

Netlist read_native_json(std::string_view text, const std::string& filename) {
  return Reader(filename).read(text);
}

bool is_native_json(std::string_view text) {
  return text.substr(0, 256).find("\"lutforge-netlist\"") != std::string_view::npos;
}

bool is_native_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  char head[256];
  in.read(head, sizeof head);
  return is_native_json(std::string_view(head, static_cast<size_t>(in.gcount())));
}

Netlist read_netlist_file(const std::string& path, const std::string& top) {
  ImportParams p;
  p.top = top;
  if (is_native_json_file(path)) return read_native_json(read_file(path), path);
  return read_yosys_json_file(path, p);
}

void write_dot(const Netlist& nl, std::ostream& out) {
  auto quote = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') q.push_back('\\');
      q.push_back(c);
    }
    return q + "\"";
  };
  out << "digraph " << quote(nl.design_name().empty() ? "netlist" : nl.design_name()) << " {\n";
  out << "  rankdir=LR;\n";
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const Cell& c = nl.cell(n);
    std::string label = kind_name(c);
    if (const auto* l = std::get_if<Lut>(&c))
      label += std::to_string(l->function.num_vars()) + " " + to_hex(l->function);
    if (const auto* g = std::get_if<Gate>(&c)) label += " " + std::to_string(g->id);
    if (!nl.name(n).empty()) label += "\\n" + nl.name(n);
    const char* shape = std::holds_alternative<Input>(c) || std::holds_alternative<Output>(c)
                            ? "cds"
                        : is_register(c) ? "box3d"
                                         : "box";
    out << "  n" << n << " [shape=" << shape << ",label=" << quote(label) << "];\n";
  }
  for (NodeId n = 0; n < nl.num_nodes(); ++n) {
    const auto fanin = nl.fanin(n);
    for (uint32_t p = 0; p < fanin.size(); ++p) {
      out << "  n" << fanin[p].node << " -> n" << n;
      const bool wide = num_output_bits(nl.cell(fanin[p].node)) > 1 || fanin.size() > 1;
      if (wide) out << " [label=\"" << fanin[p].bit << ":" << pin_name(nl.cell(n), p) << "\"]";
      out << ";\n";
    }
  }
  out << "}\n";
}

}  // namespace lutforge
