// Parses Yosys JSON with simdjson, which keeps the document order of ports and cells. Malformed
// JSON is parsed a second time with nlohmann::json only to report the line and column.
#include <simdjson.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge {
namespace {

namespace sj = simdjson;

std::string json_syntax_error(std::string_view text) {
  try {
    [[maybe_unused]] auto j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for huge numbers
    std::string msg = e.what();
    const auto pos = msg.find("] ");
    if (pos != std::string::npos) msg = msg.substr(pos + 2);
    return msg;
  }
  return {};
}

class Parser {
 public:
  explicit Parser(const std::string& filename) : file_(filename) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(file_ + ": " + where + ": " + what);
  }

  YBit bit(sj::dom::element e, const std::string& where) const {
    int64_t i;
    if (e.get_int64().get(i) == sj::SUCCESS) {
      if (i < 0) fail(where, "negative bit id " + std::to_string(i));
      return i;
    }
    std::string_view s;
    if (e.get_string().get(s) == sj::SUCCESS) {
      if (s == "0") return kYBit0;
      if (s == "1") return kYBit1;
      if (s == "x") return kYBitX;
      if (s == "z") return kYBitZ;
      fail(where,
           "bit \"" + std::string(s) + "\" is not a net id or one of \"0\", \"1\", \"x\", \"z\"");
    }
    fail(where, "expected a bit (a net id or a constant string)");
  }

  std::vector<YBit> bits(sj::dom::element e, const std::string& where) const {
    sj::dom::array arr;
    if (e.get_array().get(arr) != sj::SUCCESS) fail(where, "expected an array of bits");
    std::vector<YBit> out;
    out.reserve(arr.size());
    for (sj::dom::element b : arr) out.push_back(bit(b, where));
    return out;
  }

  sj::dom::object object(sj::dom::element e, const std::string& where) const {
    sj::dom::object o;
    if (e.get_object().get(o) != sj::SUCCESS) fail(where, "expected a JSON object");
    return o;
  }

  // A parameter or attribute value: binary strings stay as they are, numbers become 32-bit binary.
  std::string value(sj::dom::element e) const {
    std::string_view s;
    if (e.get_string().get(s) == sj::SUCCESS) return std::string(s);
    int64_t i;
    if (e.get_int64().get(i) == sj::SUCCESS) {
      std::string b(32, '0');
      for (int k = 0; k < 32; ++k)
        if ((static_cast<uint64_t>(i) >> k) & 1) b[31 - k] = '1';
      return b;
    }
    return {};
  }

  static bool is_true(const std::string& v) {
    if (v.empty()) return false;
    for (char c : v)
      if (c == '1') return true;
    return false;
  }

  YosysModule module(std::string_view name, sj::dom::element e) const {
    YosysModule m;
    m.name = std::string(name);
    const std::string where = "module '" + m.name + "'";
    const sj::dom::object obj = object(e, where);
    sj::dom::element attrs;
    if (obj["attributes"].get(attrs) == sj::SUCCESS) {
      for (auto [k, v] : object(attrs, where + " attributes")) {
        if (k == "top") m.is_top = is_true(value(v));
        if (k == "blackbox" || k == "whitebox") m.is_blackbox = m.is_blackbox || is_true(value(v));
      }
    }
    if (m.is_blackbox) return m;  // cell library declarations: their bodies are not needed

    sj::dom::element ports;
    if (obj["ports"].get(ports) == sj::SUCCESS) {
      for (auto [pname, pe] : object(ports, where + " ports")) {
        YosysPort p;
        p.name = std::string(pname);
        const std::string pwhere = where + ", port '" + p.name + "'";
        const sj::dom::object po = object(pe, pwhere);
        std::string_view dir;
        if (po["direction"].get_string().get(dir) != sj::SUCCESS)
          fail(pwhere, "expected a \"direction\" string");
        if (dir == "input")
          p.direction = YosysPort::Direction::Input;
        else if (dir == "output")
          p.direction = YosysPort::Direction::Output;
        else if (dir == "inout")
          p.direction = YosysPort::Direction::Inout;
        else
          fail(pwhere, "direction \"" + std::string(dir) + "\" is not input, output or inout");
        sj::dom::element be;
        if (po["bits"].get(be) != sj::SUCCESS) fail(pwhere, "expected a \"bits\" array");
        p.bits = bits(be, pwhere);
        m.ports.push_back(std::move(p));
      }
    }

    sj::dom::element cells;
    if (obj["cells"].get(cells) == sj::SUCCESS) {
      for (auto [cname, ce] : object(cells, where + " cells")) {
        YosysCell c;
        c.name = std::string(cname);
        const std::string cwhere = where + ", cell '" + c.name + "'";
        const sj::dom::object co = object(ce, cwhere);
        std::string_view type;
        if (co["type"].get_string().get(type) != sj::SUCCESS)
          fail(cwhere, "expected a \"type\" string");
        c.type = std::string(type);
        sj::dom::element pe;
        if (co["parameters"].get(pe) == sj::SUCCESS)
          for (auto [k, v] : object(pe, cwhere + " parameters"))
            c.parameters.emplace_back(std::string(k), value(v));
        sj::dom::element conn;
        if (co["connections"].get(conn) != sj::SUCCESS)
          fail(cwhere, "expected a \"connections\" object");
        for (auto [k, v] : object(conn, cwhere + " connections"))
          c.connections.emplace_back(std::string(k),
                                     bits(v, cwhere + ", port '" + std::string(k) + "'"));
        m.cells.push_back(std::move(c));
      }
    }

    sj::dom::element nets;
    if (obj["netnames"].get(nets) == sj::SUCCESS) {
      for (auto [nname, ne] : object(nets, where + " netnames")) {
        YosysNet n;
        n.name = std::string(nname);
        const std::string nwhere = where + ", net '" + n.name + "'";
        const sj::dom::object no = object(ne, nwhere);
        int64_t hide = 0;
        sj::dom::element he;
        if (no["hide_name"].get(he) == sj::SUCCESS && he.get_int64().get(hide) != sj::SUCCESS)
          hide = 0;
        n.hidden = hide != 0;
        sj::dom::element be;
        if (no["bits"].get(be) != sj::SUCCESS) fail(nwhere, "expected a \"bits\" array");
        n.bits = bits(be, nwhere);
        sj::dom::element ae;
        if (no["attributes"].get(ae) == sj::SUCCESS) {
          sj::dom::element init;
          if (object(ae, nwhere)["init"].get(init) == sj::SUCCESS) n.init = value(init);
        }
        m.nets.push_back(std::move(n));
      }
    }
    return m;
  }

 private:
  std::string file_;
};

}  // namespace

YosysDesign parse_yosys_json(std::string_view text, const std::string& filename) {
  sj::dom::parser parser;
  sj::padded_string padded(text);
  sj::dom::element doc;
  if (const auto err = parser.parse(padded).get(doc); err != sj::SUCCESS) {
    std::string detail = json_syntax_error(text);
    if (detail.empty()) detail = sj::error_message(err);
    throw Error(filename + ": malformed JSON: " + detail);
  }
  Parser p(filename);
  sj::dom::object root;
  if (doc.get_object().get(root) != sj::SUCCESS)
    throw Error(filename + ": expected a JSON object at the top level (Yosys write_json output)");
  sj::dom::element modules;
  if (root["modules"].get(modules) != sj::SUCCESS)
    throw Error(filename + ": no \"modules\" object; is this a Yosys write_json file?");
  YosysDesign d;
  d.filename = filename;
  for (auto [name, m] : p.object(modules, "modules")) d.modules.push_back(p.module(name, m));
  return d;
}

Netlist read_yosys_json_file(const std::string& path, const ImportParams& params,
                             ImportStats* stats) {
  return import_yosys(parse_yosys_json(read_file(path), path), params, stats);
}

}  // namespace lutforge
