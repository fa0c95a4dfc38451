#include "netlist/vectors.hpp"

#include <algorithm>
#include <memory>
#include <ostream>
#include <thread>

#include "base/error.hpp"
#include "netlist/eval.hpp"

namespace lutforge {
namespace {

size_t words_for(uint32_t width) { return (width + 63) / 64; }

bool get(const BitVector& v, uint32_t bit) {
  return bit / 64 < v.size() && ((v[bit / 64] >> (bit % 64)) & 1);
}

// Parses a decimal or 0x-hex value into `width` bits; returns an error text or empty.
std::string parse_value(std::string_view s, uint32_t width, BitVector& out) {
  out.assign(words_for(width), 0);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.empty()) return "an empty value";
  auto too_wide = [&] {
    return "value " + std::string(s) + " does not fit " + std::to_string(width) + " bits";
  };
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint32_t bit = 0;
    for (size_t i = s.size(); i-- > 2;) {
      const char c = s[i];
      if (c == '_') continue;
      unsigned d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return "'" + std::string(s) + "' is not a hex number";
      for (unsigned b = 0; b < 4; ++b, ++bit)
        if ((d >> b) & 1) {
          if (bit >= width) return too_wide();
          out[bit / 64] |= uint64_t{1} << (bit % 64);
        }
    }
    return {};
  }
  for (char c : s) {
    if (c < '0' || c > '9')
      return "'" + std::string(s) + "' is not an unsigned decimal or 0x-hex number";
    // out = out * 10 + digit, word by word, with overflow past `width` reported.
    unsigned __int128 carry = static_cast<unsigned>(c - '0');
    for (auto& w : out) {
      const unsigned __int128 v = static_cast<unsigned __int128>(w) * 10 + carry;
      w = static_cast<uint64_t>(v);
      carry = v >> 64;
    }
    if (carry) return too_wide();
    if (width % 64 && (out.back() >> (width % 64))) return too_wide();
  }
  return {};
}

std::string format_value(const BitVector& v, uint32_t width) {
  if (width <= 64) return std::to_string(v.empty() ? 0 : v[0]);
  static const char* kDigits = "0123456789abcdef";
  std::string s = "0x";
  for (uint32_t d = (width + 3) / 4; d-- > 0;) {
    unsigned x = 0;
    for (unsigned b = 0; b < 4; ++b) x |= get(v, d * 4 + b) << b;
    s.push_back(kDigits[x]);
  }
  return s;
}

std::vector<std::string_view> split_csv(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ',') {
      cells.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  return cells;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

VectorTable port_table(const Netlist& nl, const std::vector<NodeId>& ports) {
  VectorTable t;
  for (NodeId n : ports) {
    t.names.push_back(nl.name(n));
    t.widths.push_back(port_width(nl, n));
  }
  return t;
}

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

VectorTable read_table(const std::string& text, const std::string& filename, VectorTable t,
                       const std::string& clock);

}  // namespace

VectorTable input_table(const Netlist& nl) { return port_table(nl, nl.inputs()); }
VectorTable output_table(const Netlist& nl) { return port_table(nl, nl.outputs()); }

VectorTable read_vectors_csv(const std::string& text, const std::string& filename,
                             const Netlist& nl) {
  return read_table(text, filename, input_table(nl), nl.clock_name());
}

VectorTable read_csv_table(const std::string& text, const std::string& filename,
                           const VectorTable& columns) {
  return read_table(text, filename, columns, {});
}

namespace {
VectorTable read_table(const std::string& text, const std::string& filename, VectorTable t,
                       const std::string& clock) {
  t.rows.clear();
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '\n') {
      lines.push_back(std::string_view(text).substr(start, i - start));
      start = i + 1;
    }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty())
    throw Error(filename + ": empty file; expected a header row of input port names");
  const auto header = split_csv(lines[0]);
  std::vector<int> column_of_port(t.names.size(), -1);
  std::vector<int> port_of_column(header.size(), -1);
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string name(trim(header[c]));
    auto it = std::find(t.names.begin(), t.names.end(), name);
    if (it == t.names.end()) {
      std::string ports;
      for (const auto& n : t.names) ports += (ports.empty() ? "" : ", ") + n;
      if (!clock.empty() && name == clock)
        throw Error(filename + ": column '" + name +
                    "' is the clock, which the simulator drives; remove it");
      throw Error(filename + ": column '" + name +
                  "' is not a port of the design (expected: " + ports + ")");
    }
    const size_t p = it - t.names.begin();
    if (column_of_port[p] >= 0) throw Error(filename + ": column '" + name + "' appears twice");
    column_of_port[p] = static_cast<int>(c);
    port_of_column[c] = static_cast<int>(p);
  }
  for (size_t p = 0; p < t.names.size(); ++p)
    if (column_of_port[p] < 0) throw Error(filename + ": no column for port '" + t.names[p] + "'");
  for (size_t r = 1; r < lines.size(); ++r) {
    if (trim(lines[r]).empty()) continue;
    const auto cells = split_csv(lines[r]);
    if (cells.size() != header.size())
      throw Error(filename + ": line " + std::to_string(r + 1) + " has " +
                  std::to_string(cells.size()) + " values, expected " +
                  std::to_string(header.size()));
    std::vector<BitVector> row(t.names.size());
    for (size_t c = 0; c < cells.size(); ++c) {
      const size_t p = port_of_column[c];
      const std::string err = parse_value(cells[c], t.widths[p], row[p]);
      if (!err.empty())
        throw Error(filename + ": line " + std::to_string(r + 1) + ", column '" + t.names[p] +
                    "': " + err);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}
}  // namespace

void write_vectors_csv(const VectorTable& t, std::ostream& out) {
  for (size_t c = 0; c < t.names.size(); ++c) out << (c ? "," : "") << t.names[c];
  out << '\n';
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c)
      out << (c ? "," : "") << format_value(row[c], t.widths[c]);
    out << '\n';
  }
}

VectorTable random_vectors(const Netlist& nl, size_t count, uint64_t seed) {
  VectorTable t = input_table(nl);
  uint64_t state = seed;
  t.rows.reserve(count);
  for (size_t r = 0; r < count; ++r) {
    std::vector<BitVector> row;
    for (uint32_t w : t.widths) {
      BitVector v(words_for(w));
      for (auto& x : v) x = splitmix64(state);
      if (w % 64) v.back() &= (uint64_t{1} << (w % 64)) - 1;
      row.push_back(std::move(v));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

namespace {

// Runs rows [first, last) of `inputs` through `ev` into `out`, `lanes` rows per evaluation; a
// sequential design (`step`) runs one lane, clocked after each row.
void run_rows(Evaluator& ev, const VectorTable& inputs, VectorTable& out, size_t first, size_t last,
              size_t lanes, bool step) {
  auto input_row = [&](size_t t) -> const std::vector<BitVector>& {
    return inputs.rows[std::min(t, inputs.rows.size() - 1)];
  };
  // Rows and bit-sliced words meet in 64 x 64 blocks: 64 rows' words of 64 port bits are, once
  // transposed, 64 port bits' words of 64 lanes.
  uint64_t block[64];
  for (size_t base = first; base < last; base += lanes) {
    const size_t n = std::min(lanes, last - base);
    for (size_t p = 0; p < inputs.widths.size() && !inputs.rows.empty(); ++p)
      for (uint32_t b0 = 0; b0 < inputs.widths[p]; b0 += 64) {
        const uint32_t bits = std::min<uint32_t>(64, inputs.widths[p] - b0);
        for (size_t w = 0; w < ev.words(); ++w) {
          const size_t l0 = w * 64;
          for (size_t l = 0; l < 64; ++l) {
            const BitVector* v = l0 + l < n ? &input_row(base + l0 + l)[p] : nullptr;
            block[l] = v && b0 / 64 < v->size() ? (*v)[b0 / 64] : 0;
          }
          transpose64(block);
          for (uint32_t i = 0; i < bits; ++i) ev.input(p, b0 + i)[w] = block[i];
        }
      }
    ev.eval();
    for (size_t p = 0; p < out.widths.size(); ++p)
      for (uint32_t b0 = 0; b0 < out.widths[p]; b0 += 64) {
        const uint32_t bits = std::min<uint32_t>(64, out.widths[p] - b0);
        for (size_t w = 0; w * 64 < n; ++w) {
          for (uint32_t i = 0; i < 64; ++i) block[i] = i < bits ? ev.output(p, b0 + i)[w] : 0;
          transpose64(block);
          const size_t l0 = w * 64;
          for (size_t l = 0; l < 64 && l0 + l < n; ++l)
            out.rows[base + l0 + l][p][b0 / 64] = block[l];
        }
      }
    if (step) ev.step();
  }
}

}  // namespace

VectorTable simulate(const Netlist& nl, const VectorTable& inputs, size_t cycles) {
  VectorTable out = output_table(nl);
  if (inputs.rows.empty() && !nl.inputs().empty() && cycles > 0)
    throw Error("no input rows to simulate");
  bool has_regs = false;
  for (NodeId n = 0; n < nl.num_nodes() && !has_regs; ++n) has_regs = is_register(nl.cell(n));
  out.rows.assign(cycles, {});
  for (auto& row : out.rows)
    for (uint32_t w : out.widths) row.emplace_back(words_for(w), 0);
  if (has_regs) {  // one lane, cycle by cycle
    Evaluator ev(nl, 1);
    run_rows(ev, inputs, out, 0, cycles, 1, true);
    return out;
  }
  // Independent rows share machine words, and a long run is split over the cores, each with an
  // evaluator of its own and a contiguous share of whole blocks.
  Evaluator ev(nl, 8);
  const size_t lanes = ev.lanes();
  const size_t blocks = (cycles + lanes - 1) / lanes;
  const size_t threads =
      std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), blocks / 16 + 1);
  if (threads <= 1) {
    run_rows(ev, inputs, out, 0, cycles, lanes, false);
    return out;
  }
  std::vector<std::thread> pool;
  std::vector<std::unique_ptr<Evaluator>> more;
  for (size_t t = 0; t < threads; ++t) {
    const size_t first = std::min(cycles, blocks * t / threads * lanes);
    const size_t last = std::min(cycles, blocks * (t + 1) / threads * lanes);
    Evaluator* e = &ev;
    if (t > 0) e = more.emplace_back(std::make_unique<Evaluator>(nl, 8)).get();
    pool.emplace_back(
        [&, e, first, last] { run_rows(*e, inputs, out, first, last, lanes, false); });
  }
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace lutforge
