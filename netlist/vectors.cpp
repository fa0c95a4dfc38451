#include "netlist/vectors.hpp"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <ostream>

#include "base/error.hpp"
#include "base/parallel.hpp"
#include "netlist/eval.hpp"

namespace lutforge {
namespace {

size_t words_for(uint32_t width) { return (width + 63) / 64; }

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
      if (d) {  // a digit's 4 bits never straddle two words
        if (bit + 31 - __builtin_clz(d) >= width) return too_wide();
        out[bit / 64] |= uint64_t{d} << (bit % 64);
      }
      bit += 4;
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

// Appends `v` as the CSV writes it: decimal up to 64 bits, else 0x and one hex digit per 4 bits.
void append_value(std::string& s, const BitVector& v, uint32_t width) {
  if (width <= 64) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v.empty() ? 0 : v[0]);
    s.append(buf, r.ptr);
    return;
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  const uint32_t digits = (width + 3) / 4;
  const size_t at = s.size();
  s.resize(at + 2 + digits);
  char* p = s.data() + at;
  *p++ = '0';
  *p++ = 'x';
  for (uint32_t d = digits; d-- > 0;) {
    const uint32_t bit = d * 4;  // a digit's 4 bits never straddle two words
    const uint64_t word = bit / 64 < v.size() ? v[bit / 64] : 0;
    *p++ = kDigits[(word >> (bit % 64)) & 0xf];
  }
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
  // Rows parse independently, so they are split over the cores; the first error in file order
  // is the one reported.
  std::vector<size_t> data_lines;
  data_lines.reserve(lines.size());
  for (size_t r = 1; r < lines.size(); ++r)
    if (!trim(lines[r]).empty()) data_lines.push_back(r);
  t.rows.resize(data_lines.size());
  parallel_ranges(data_lines.size(), 20000, [&](size_t first, size_t last, size_t) {
    for (size_t i = first; i < last; ++i) {
      const size_t r = data_lines[i];
      const auto cells = split_csv(lines[r]);
      if (cells.size() != header.size())
        throw Error(filename + ": line " + std::to_string(r + 1) + " has " +
                    std::to_string(cells.size()) + " values, expected " +
                    std::to_string(header.size()));
      std::vector<BitVector>& row = t.rows[i];
      row.resize(t.names.size());
      for (size_t c = 0; c < cells.size(); ++c) {
        const size_t p = port_of_column[c];
        const std::string err = parse_value(cells[c], t.widths[p], row[p]);
        if (!err.empty())
          throw Error(filename + ": line " + std::to_string(r + 1) + ", column '" + t.names[p] +
                      "': " + err);
      }
    }
  });
  return t;
}
}  // namespace

void write_vectors_csv(const VectorTable& t, std::ostream& out) {
  std::string header;
  for (size_t c = 0; c < t.names.size(); ++c) (header += c ? "," : "") += t.names[c];
  header += '\n';
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  // Blocks of rows are formatted on the cores, one buffer each, and written in order, so a
  // table of any size costs a few MB of text at a time.
  constexpr size_t kBlockRows = 8192;
  const size_t blocks = (t.rows.size() + kBlockRows - 1) / kBlockRows;
  const size_t threads = parallel_ranges_threads(blocks, 1);
  std::vector<std::string> text(threads);
  for (size_t b0 = 0; b0 < blocks; b0 += threads) {
    const size_t n = std::min(threads, blocks - b0);
    parallel_ranges(n, 1, [&](size_t first, size_t last, size_t) {
      for (size_t b = first; b < last; ++b) {
        std::string& s = text[b];
        s.clear();
        const size_t end = std::min(t.rows.size(), (b0 + b + 1) * kBlockRows);
        for (size_t r = (b0 + b) * kBlockRows; r < end; ++r) {
          const auto& row = t.rows[r];
          for (size_t c = 0; c < row.size(); ++c) {
            if (c) s += ',';
            append_value(s, row[c], t.widths[c]);
          }
          s += '\n';
        }
      }
    });
    for (size_t b = 0; b < n; ++b)
      out.write(text[b].data(), static_cast<std::streamsize>(text[b].size()));
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
// Rows base .. base + n - 1 of `inputs` into the evaluator's lanes (row numbers past the end read
// the last row). Rows and bit-sliced words meet in 64 x 64 blocks: 64 rows' words of 64 port
// bits are, once transposed, 64 port bits' words of 64 lanes.
void load_rows(Evaluator& ev, const VectorTable& inputs, size_t base, size_t n) {
  auto input_row = [&](size_t t) -> const std::vector<BitVector>& {
    return inputs.rows[std::min(t, inputs.rows.size() - 1)];
  };
  uint64_t block[64];
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
}

// The evaluated outputs of lanes 0 .. n - 1 into rows base .. base + n - 1 of `out`.
void store_rows(const Evaluator& ev, VectorTable& out, size_t base, size_t n) {
  uint64_t block[64];
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
}

void run_rows(Evaluator& ev, const VectorTable& inputs, VectorTable& out, size_t first, size_t last,
              size_t lanes, bool step) {
  for (size_t base = first; base < last; base += lanes) {
    const size_t n = std::min(lanes, last - base);
    load_rows(ev, inputs, base, n);
    ev.eval();
    store_rows(ev, out, base, n);
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
  out.rows.resize(cycles);
  for (auto& row : out.rows)
    for (uint32_t w : out.widths) row.emplace_back(words_for(w), 0);
  // LUTs are evaluated as lookups (CompileParams::lut_ops): a dispatch per LUT instead of one
  // per operation of its decomposition.
  CompileParams params;
  params.lut_ops = true;
  const Program program = compile(nl, params);
  if (has_regs) {  // one lane, cycle by cycle
    Evaluator ev(program, 1);
    run_rows(ev, inputs, out, 0, cycles, 1, true);
    return out;
  }
  // Independent rows share machine words, and a long run is split over the cores, each with an
  // evaluator of its own and a contiguous share of whole blocks. 8 words a pass (512 lanes)
  // keep a LUT lookup's working set in registers.
  constexpr unsigned kWords = 8;
  const size_t lanes = size_t{64} * kWords;
  const size_t blocks = (cycles + lanes - 1) / lanes;
  parallel_ranges(blocks, 16, [&](size_t first, size_t last, size_t) {
    const size_t r0 = std::min(cycles, first * lanes), r1 = std::min(cycles, last * lanes);
    Evaluator ev(program, kWords);
    run_rows(ev, inputs, out, r0, r1, lanes, false);
  });
  return out;
}

VectorTable simulate_samples(const Netlist& nl, const VectorTable& samples,
                             const std::string& valid_in, const std::string& valid_out,
                             uint64_t max_cycles) {
  const NodeId vi = nl.find_port(valid_in), vo = nl.find_port(valid_out);
  if (vi == kNoNode || vo == kNoNode || port_width(nl, vi) != 1 || port_width(nl, vo) != 1)
    throw Error("per-sample simulation needs 1-bit ports " + valid_in + " and " + valid_out);
  // The full input table: the samples, and valid_in high in every row.
  VectorTable in = input_table(nl);
  const size_t vi_col =
      static_cast<size_t>(std::find(in.names.begin(), in.names.end(), valid_in) - in.names.begin());
  for (const auto& row : samples.rows) {
    std::vector<BitVector> full = row;
    full.insert(full.begin() + static_cast<std::ptrdiff_t>(vi_col), BitVector{1});
    in.rows.push_back(std::move(full));
  }
  size_t vo_port = 0;
  while (nl.outputs()[vo_port] != vo) ++vo_port;
  VectorTable out = output_table(nl);
  out.rows.resize(in.rows.size());
  for (auto& row : out.rows)
    for (uint32_t w : out.widths) row.emplace_back(words_for(w), 0);
  CompileParams params;
  params.lut_ops = true;
  const Program program = compile(nl, params);
  constexpr unsigned kWords = 8;
  const size_t lanes = size_t{64} * kWords;
  const size_t blocks = (in.rows.size() + lanes - 1) / lanes;
  std::string failure;
  std::mutex failure_mutex;
  parallel_ranges(blocks, 1, [&](size_t first, size_t last, size_t) {
    Evaluator ev(program, kWords);
    for (size_t block = first; block < last; ++block) {
      const size_t base = block * lanes, n = std::min(lanes, in.rows.size() - base);
      ev.reset();
      load_rows(ev, in, base, n);
      bool done = false;
      for (uint64_t cycle = 0; cycle < max_cycles && !done; ++cycle) {
        ev.eval();
        const uint64_t* v = ev.output(vo_port, 0);
        size_t high = 0;
        for (size_t l = 0; l < n; ++l) high += (v[l / 64] >> (l % 64)) & 1;
        if (high == n) {
          store_rows(ev, out, base, n);
          done = true;
        } else if (high) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          failure = "per-sample simulation: " + valid_out + " rose in " + std::to_string(high) +
                    " of " + std::to_string(n) + " lanes at cycle " + std::to_string(cycle) +
                    "; the design's timing depends on its data";
          return;
        } else {
          ev.step();
        }
      }
      if (!done) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        failure = "per-sample simulation: " + valid_out + " did not rise within " +
                  std::to_string(max_cycles) + " cycles";
        return;
      }
    }
  });
  if (!failure.empty()) throw Error(failure);
  return out;
}

}  // namespace lutforge
