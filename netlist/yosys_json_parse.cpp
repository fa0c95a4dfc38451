// Parses Yosys JSON in one pass over the text, straight into the YosysDesign description, with no
// document tree in between: a JSON tree of a 20,000-LUT netlist is several times the size of the
// file, and on a fresh process every page of it costs a page fault. The scanner checks the whole
// text against the JSON grammar (RFC 8259), including the parts it skips, and reports a syntax
// error with its line and column.
#include <cstdio>
#include <cstring>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge {
namespace {

// What a YosysDesign's views and spans point into.
struct Storage {
  std::shared_ptr<const void> text;  // the std::string or MappedFile holding the JSON text
  YosysArena arena;                  // unescaped strings, converted values and the lists
};

class Parser {
 public:
  Parser(std::string_view text, const std::string& filename, Storage& storage)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        file_(filename),
        store_(storage) {}

  YosysDesign design() {
    YosysDesign d;
    d.filename = file_;
    if (peek() != '{') {
      if (p_ == end_) syntax("unexpected end of input; expected a JSON value");
      skip_value();
      expect_end();
      throw Error(file_ + ": expected a JSON object at the top level (Yosys write_json output)");
    }
    bool have_modules = false;
    members([&](std::string_view key) {
      if (key != "modules" || have_modules) return skip_value();
      have_modules = true;
      expect_object([] { return std::string("modules"); });
      members([&](std::string_view name) { d.modules.push_back(module(name)); });
    });
    expect_end();
    if (!have_modules)
      throw Error(file_ + ": no \"modules\" object; is this a Yosys write_json file?");
    return d;
  }

 private:
  // ---- errors ----
  [[noreturn]] void syntax(const std::string& what) const {
    size_t line = 1, column = 1;
    for (const char* c = begin_; c < p_; ++c) {
      if (*c == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw Error(file_ + ": malformed JSON at line " + std::to_string(line) + ", column " +
                std::to_string(column) + ": " + what);
  }
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(file_ + ": " + where + ": " + what);
  }
  // A value of the wrong JSON type at the cursor. Its syntax is checked first, so that a
  // malformed or truncated file is reported as such.
  [[noreturn]] void wrong_type(const std::string& where, const std::string& what) {
    skip_value();
    fail(where, what);
  }
  static std::string shown(char c) {
    if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(c));
    return buf;
  }
  [[noreturn]] void unexpected(const char* expected) const {
    if (p_ == end_) syntax(std::string("unexpected end of input; expected ") + expected);
    syntax("unexpected " + shown(*p_) + "; expected " + expected);
  }

  // ---- the scanner ----
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  // The next significant character, or '\0' at the end of the text.
  char peek() {
    ws();
    return p_ < end_ ? *p_ : '\0';
  }
  void expect(char c, const char* expected) {
    if (peek() != c || p_ == end_) unexpected(expected);
    ++p_;
  }
  void expect_end() {
    if (peek() != '\0' || p_ != end_)
      syntax("unexpected " + shown(*p_) + " after the top-level value");
  }

  // Calls f(key) for each member of the object at the cursor; f consumes the value.
  template <typename F>
  void members(F&& f) {
    expect('{', "'{'");
    if (peek() == '}') {
      ++p_;
      return;
    }
    for (;;) {
      if (peek() != '"') unexpected("a string as an object key");
      const std::string_view key = keep(string());
      expect(':', "':'");
      f(key);
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect('}', "',' or '}'");
      return;
    }
  }
  // Calls f() for each element of the array at the cursor; f consumes the element.
  template <typename F>
  void elements(F&& f) {
    expect('[', "'['");
    if (peek() == ']') {
      ++p_;
      return;
    }
    for (;;) {
      f();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      expect(']', "',' or ']'");
      return;
    }
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  unsigned hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      const int d = p_ < end_ ? hex_digit(*p_) : -1;
      if (d < 0) unexpected("a hexadecimal digit of a \\u escape");
      v = v * 16 + static_cast<unsigned>(d);
    }
    return v;
  }
  void put_utf8(unsigned cp) {
    if (cp < 0x80) {
      scratch_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      scratch_ += static_cast<char>(0xc0 | (cp >> 6));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      scratch_ += static_cast<char>(0xe0 | (cp >> 12));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      scratch_ += static_cast<char>(0xf0 | (cp >> 18));
      scratch_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      scratch_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      scratch_ += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  // Checks one UTF-8 sequence that starts at the cursor with a byte >= 0x80, and steps over it.
  void utf8_sequence() {
    const auto b0 = static_cast<unsigned char>(*p_);
    int n;
    unsigned cp;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 1, cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 2, cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 3, cp = b0 & 0x07;
    } else {
      syntax("invalid UTF-8 byte " + shown(*p_) + " in a string");
    }
    const char* start = p_++;
    for (int i = 0; i < n; ++i, ++p_) {
      if (p_ == end_ || (static_cast<unsigned char>(*p_) & 0xc0) != 0x80) {
        p_ = start;
        syntax("truncated UTF-8 sequence in a string");
      }
      cp = (cp << 6) | (static_cast<unsigned char>(*p_) & 0x3f);
    }
    const unsigned min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      p_ = start;
      syntax("invalid UTF-8 sequence in a string");
    }
  }
  // Steps over string characters that need no attention (no quote, backslash, control character
  // or non-ASCII byte), eight at a time.
  void skip_plain() {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
    while (end_ - p_ >= 8) {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      const uint64_t special = has_zero_byte(w ^ (kOnes * '"')) |
                               has_zero_byte(w ^ (kOnes * '\\')) |
                               ((w - kOnes * 0x20) & ~w & kHigh) | (w & kHigh);
      if (special) return;
      p_ += 8;
    }
  }

  // The string at the cursor, unescaped. Without escapes it is a view of the text; with escapes,
  // of a scratch buffer that the next call reuses.
  std::string_view string() {
    expect('"', "'\"'");
    const char* start = p_;
    bool escaped = false;
    skip_plain();
    for (;;) {
      if (p_ == end_) unexpected("'\"' at the end of a string");
      const char c = *p_;
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20)
        syntax("control character " + shown(c) + " in a string");
      if (c == '\\') {
        escaped = true;
        p_ += 2;
        if (p_ > end_) {
          p_ = end_;
          unexpected("an escape character");
        }
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80)
        utf8_sequence();
      else
        ++p_;
    }
    const char* stop = p_++;
    if (!escaped) return {start, static_cast<size_t>(stop - start)};
    // Second pass, decoding the escapes.
    scratch_.clear();
    const char* resume = p_;
    for (p_ = start; p_ < stop;) {
      if (*p_ != '\\') {
        scratch_ += *p_++;
        continue;
      }
      ++p_;
      switch (*p_++) {
        case '"': scratch_ += '"'; break;
        case '\\': scratch_ += '\\'; break;
        case '/': scratch_ += '/'; break;
        case 'b': scratch_ += '\b'; break;
        case 'f': scratch_ += '\f'; break;
        case 'n': scratch_ += '\n'; break;
        case 'r': scratch_ += '\r'; break;
        case 't': scratch_ += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xdc00 && cp <= 0xdfff) syntax("a lone low surrogate in a \\u escape");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (p_ + 1 >= stop || p_[0] != '\\' || p_[1] != 'u')
              syntax("a high surrogate not followed by a \\u low surrogate");
            p_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xdc00 || lo > 0xdfff) syntax("a high surrogate not followed by a low one");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          put_utf8(cp);
          break;
        }
        default: --p_; syntax("invalid escape '\\" + std::string(1, *p_) + "' in a string");
      }
    }
    p_ = resume;
    return scratch_;
  }

  // A JSON number at the cursor. Returns true and sets `value` when it is an integer that fits
  // int64; other valid numbers (fractions, exponents, huge integers) return false.
  bool number(int64_t& value) {
    ws();
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') unexpected("a digit");
    bool fits = true;
    uint64_t v = 0;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
        const uint64_t d = static_cast<uint64_t>(*p_++ - '0');
        if (v > (uint64_t{1} << 63) / 10 || v * 10 + d > (uint64_t{1} << 63) - !negative)
          fits = false;
        else
          v = v * 10 + d;
      }
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      fits = false;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') unexpected("a digit after the decimal point");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      fits = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') unexpected("a digit in the exponent");
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (fits) value = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
    return fits;
  }

  void literal(const char* word) {
    const size_t n = std::strlen(word);
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      unexpected("a JSON value");
    p_ += n;
  }

  // Steps over any JSON value, checking its syntax. Nesting is bounded so that a hostile file
  // cannot overflow the stack.
  void skip_value() {
    if (++depth_ > kMaxDepth)
      syntax("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    switch (peek()) {
      case '{': members([&](std::string_view) { skip_value(); }); break;
      case '[': elements([&] { skip_value(); }); break;
      case '"': string(); break;
      case 't': literal("true"); break;
      case 'f': literal("false"); break;
      case 'n': literal("null"); break;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9': {
        int64_t ignored;
        number(ignored);
        break;
      }
      default: unexpected("a JSON value");
    }
    --depth_;
  }

  // A string view that stays valid: a view of the text as it is, or a copy kept in the storage
  // when it is in the scratch buffer.
  std::string_view keep(std::string_view s) {
    if (s.empty()) return {};
    if (s.data() < begin_ || s.data() >= end_) return store_.arena.keep(std::string(s));
    return s;
  }

  // ---- Yosys' schema ----
  template <typename W>
  void expect_object(const W& where) {
    if (peek() != '{') wrong_type(where(), "expected a JSON object");
  }

  // `where` is a callable that names the object, called only for a message.
  template <typename W>
  YBit bit(const W& where) {
    const char c = peek();
    if (c == '"') {
      const std::string_view s = string();
      if (s == "0") return kYBit0;
      if (s == "1") return kYBit1;
      if (s == "x") return kYBitX;
      if (s == "z") return kYBitZ;
      fail(where(),
           "bit \"" + std::string(s) + "\" is not a net id or one of \"0\", \"1\", \"x\", \"z\"");
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      int64_t i = 0;
      if (!number(i)) fail(where(), "bit is not an integer net id");
      if (i < 0) fail(where(), "negative bit id " + std::to_string(i));
      return i;
    }
    wrong_type(where(), "expected a bit (a net id or a constant string)");
  }

  template <typename W>
  std::span<const YBit> bits(const W& where) {
    if (peek() != '[') wrong_type(where(), "expected an array of bits");
    bits_.clear();
    elements([&] { bits_.push_back(bit(where)); });
    return store_.arena.keep(bits_);
  }

  // A parameter or attribute value: binary strings stay as they are, integers become 32-bit
  // binary, anything else is empty.
  std::string_view value() {
    const char c = peek();
    if (c == '"') return keep(string());
    int64_t i = 0;
    if ((c == '-' || (c >= '0' && c <= '9')) && number(i)) {
      std::string b(32, '0');
      for (int k = 0; k < 32; ++k)
        if ((static_cast<uint64_t>(i) >> k) & 1) b[31 - k] = '1';
      return store_.arena.keep(std::move(b));
    }
    if (c != '-' && (c < '0' || c > '9')) skip_value();
    return {};
  }

  static bool is_true(std::string_view v) { return v.find('1') != std::string_view::npos; }

  void ports(YosysModule& m, const std::string& where) {
    expect_object([&] { return where + " ports"; });
    members([&](std::string_view name) {
      YosysPort p;
      p.name = name;
      const auto pwhere = [&] { return where + ", port '" + std::string(p.name) + "'"; };
      expect_object(pwhere);
      bool have_dir = false, have_bits = false;
      members([&](std::string_view key) {
        if (key == "direction" && !have_dir) {
          have_dir = true;
          if (peek() != '"') wrong_type(pwhere(), "expected a \"direction\" string");
          const std::string_view dir = string();
          if (dir == "input")
            p.direction = YosysPort::Direction::Input;
          else if (dir == "output")
            p.direction = YosysPort::Direction::Output;
          else if (dir == "inout")
            p.direction = YosysPort::Direction::Inout;
          else
            fail(pwhere(), "direction \"" + std::string(dir) + "\" is not input, output or inout");
        } else if (key == "bits" && !have_bits) {
          have_bits = true;
          p.bits = bits(pwhere);
        } else {
          skip_value();
        }
      });
      if (!have_dir) fail(pwhere(), "expected a \"direction\" string");
      if (!have_bits) fail(pwhere(), "expected a \"bits\" array");
      m.ports.push_back(std::move(p));
    });
  }

  void cells(YosysModule& m, const std::string& where) {
    expect_object([&] { return where + " cells"; });
    members([&](std::string_view name) {
      YosysCell c;
      c.name = name;
      const auto cwhere = [&] { return where + ", cell '" + std::string(c.name) + "'"; };
      params_.clear();
      connections_.clear();
      expect_object(cwhere);
      bool have_type = false, have_params = false, have_conn = false;
      members([&](std::string_view key) {
        if (key == "type" && !have_type) {
          have_type = true;
          if (peek() != '"') wrong_type(cwhere(), "expected a \"type\" string");
          c.type = keep(string());
        } else if (key == "parameters" && !have_params) {
          have_params = true;
          expect_object([&] { return cwhere() + " parameters"; });
          members([&](std::string_view k) { params_.push_back({k, value()}); });
        } else if (key == "connections" && !have_conn) {
          have_conn = true;
          expect_object([&] { return cwhere() + " connections"; });
          members([&](std::string_view k) {
            connections_.push_back(
                {k, bits([&] { return cwhere() + ", port '" + std::string(k) + "'"; })});
          });
        } else {
          skip_value();
        }
      });
      if (!have_type) fail(cwhere(), "expected a \"type\" string");
      if (!have_conn) fail(cwhere(), "expected a \"connections\" object");
      c.parameters = store_.arena.keep(params_);
      c.connections = store_.arena.keep(connections_);
      m.cells.push_back(c);
    });
  }

  void nets(YosysModule& m, const std::string& where) {
    expect_object([&] { return where + " netnames"; });
    members([&](std::string_view name) {
      YosysNet n;
      n.name = name;
      const auto nwhere = [&] { return where + ", net '" + std::string(n.name) + "'"; };
      expect_object(nwhere);
      bool have_hide = false, have_bits = false, have_attrs = false;
      members([&](std::string_view key) {
        if (key == "hide_name" && !have_hide) {
          have_hide = true;
          const char c = peek();
          int64_t hide = 0;
          if ((c == '-' || (c >= '0' && c <= '9')) && number(hide))
            n.hidden = hide != 0;
          else if (c != '-' && (c < '0' || c > '9'))
            skip_value();
        } else if (key == "bits" && !have_bits) {
          have_bits = true;
          n.bits = bits(nwhere);
        } else if (key == "attributes" && !have_attrs) {
          have_attrs = true;
          expect_object(nwhere);
          bool have_init = false;
          members([&](std::string_view k) {
            if (k == "init" && !have_init) {
              have_init = true;
              n.init = value();
            } else {
              skip_value();
            }
          });
        } else {
          skip_value();
        }
      });
      if (!have_bits) fail(nwhere(), "expected a \"bits\" array");
      m.nets.push_back(std::move(n));
    });
  }

  // A module. Yosys writes its attributes first; a blackbox's body (a cell library's
  // declaration) is then checked for syntax only. Should the attributes come later, the body is
  // read from where it was seen once they are known.
  YosysModule module(std::string_view name) {
    YosysModule m;
    m.name = name;
    const std::string where = "module '" + std::string(m.name) + "'";
    expect_object([&] { return where; });
    bool have_attrs = false, have_ports = false, have_cells = false, have_nets = false;
    const char *ports_at = nullptr, *cells_at = nullptr, *nets_at = nullptr;
    // Reads a body section now, or remembers where it starts.
    auto section = [&](bool& seen, const char*& at, auto read) {
      const bool first = !seen;
      seen = true;
      ws();
      if (first && !have_attrs) at = p_;
      if (first && have_attrs && !m.is_blackbox)
        read();
      else
        skip_value();
    };
    members([&](std::string_view key) {
      if (key == "attributes" && !have_attrs) {
        expect_object([&] { return where + " attributes"; });
        members([&](std::string_view k) {
          if (k == "top")
            m.is_top = is_true(value());
          else if (k == "blackbox" || k == "whitebox")
            m.is_blackbox = is_true(value()) || m.is_blackbox;
          else
            skip_value();
        });
        have_attrs = true;
      } else if (key == "ports") {
        section(have_ports, ports_at, [&] { ports(m, where); });
      } else if (key == "cells") {
        section(have_cells, cells_at, [&] { cells(m, where); });
      } else if (key == "netnames") {
        section(have_nets, nets_at, [&] { this->nets(m, where); });
      } else {
        skip_value();
      }
    });
    if (!m.is_blackbox && (ports_at || cells_at || nets_at)) {
      const char* resume = p_;
      for (auto [at, read] :
           {std::pair{ports_at, &Parser::ports}, std::pair{cells_at, &Parser::cells},
            std::pair{nets_at, &Parser::nets}}) {
        if (!at) continue;
        p_ = at;
        (this->*read)(m, where);
      }
      p_ = resume;
    }
    if (m.is_blackbox) m.ports.clear(), m.cells.clear(), m.nets.clear();
    return m;
  }

  static constexpr int kMaxDepth = 1000;
  const char* begin_;
  const char* p_;
  const char* end_;
  std::string file_;
  Storage& store_;
  std::string scratch_;  // the unescaped string last read
  // The lists being read, before they go into the pools.
  std::vector<YBit> bits_;
  std::vector<YosysParam> params_;
  std::vector<YosysConnection> connections_;
  int depth_ = 0;
};

YosysDesign parse(std::string_view text, const std::string& filename,
                  std::shared_ptr<const void> owner) {
  auto storage = std::make_shared<Storage>();
  storage->text = std::move(owner);
  YosysDesign d = Parser(text, filename, *storage).design();
  d.storage = std::move(storage);
  return d;
}

}  // namespace

YosysDesign parse_yosys_json(std::string text, const std::string& filename) {
  auto owned = std::make_shared<const std::string>(std::move(text));
  const std::string_view view = *owned;
  return parse(view, filename, std::move(owned));
}

YosysDesign read_yosys_json(const std::string& path) {
  auto file = std::make_shared<const MappedFile>(path);
  const std::string_view view = file->text();
  return parse(view, path, std::move(file));
}

Netlist read_yosys_json_file(const std::string& path, const ImportParams& params,
                             ImportStats* stats) {
  return import_yosys(read_yosys_json(path), params, stats);
}

}  // namespace lutforge
