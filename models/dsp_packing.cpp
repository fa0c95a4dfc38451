#include "models/dsp_packing.hpp"

#include <cassert>

#include "base/error.hpp"

namespace lutforge::models {
namespace {

using i128 = __int128;

int64_t lowest(unsigned bits, bool is_signed) {
  return is_signed ? -(int64_t{1} << (bits - 1)) : 0;
}
int64_t highest(unsigned bits, bool is_signed) {
  return is_signed ? (int64_t{1} << (bits - 1)) - 1 : (int64_t{1} << bits) - 1;
}
bool fits_signed(i128 v, unsigned bits) {
  const i128 half = i128{1} << (bits - 1);
  return v >= -half && v < half;
}

void check_widths(unsigned x_bits, unsigned y_bits) {
  if (x_bits < 1 || x_bits > 24 || y_bits < 1 || y_bits > 24)
    throw Error("dsp packing: operand widths must be 1..24 bits (got " + std::to_string(x_bits) +
                " and " + std::to_string(y_bits) + ")");
}

// The product fields of slice `p`: field 0 as it is, field k >= 1 plus the borrow bit below it.
std::vector<std::vector<Signal>> extract_fields(Netlist& nl, const PackingConfig& c, NodeId p,
                                                unsigned count, const std::string& name,
                                                bool borrow_correction) {
  std::vector<std::vector<Signal>> products(count);
  for (unsigned k = 0; k < count; ++k) {
    const uint32_t lo = k * c.stride;
    if (k == 0 || !borrow_correction) {
      for (uint32_t i = 0; i < c.stride; ++i) products[k].push_back({p, lo + i});
      continue;
    }
    std::vector<Signal> add_pins;
    for (uint32_t i = 0; i < c.stride; ++i) add_pins.push_back({p, lo + i});
    add_pins.push_back({p, lo - 1});
    const NodeId fix = nl.add_cell(Adder{{{c.stride, false}, {1, false}}, c.stride}, add_pins,
                                   name + ".field" + std::to_string(k));
    for (uint32_t i = 0; i < c.stride; ++i) products[k].push_back({fix, i});
  }
  return products;
}

}  // namespace

const char* family_name(DspFamily f) { return f == DspFamily::DSP48E1 ? "dsp48e1" : "dsp48e2"; }

bool family_from_name(const std::string& name, DspFamily& f) {
  if (name == "dsp48e1")
    f = DspFamily::DSP48E1;
  else if (name == "dsp48e2")
    f = DspFamily::DSP48E2;
  else
    return false;
  return true;
}

SlicePorts slice_ports(DspFamily f) {
  return f == DspFamily::DSP48E1 ? SlicePorts{25, 18, 48} : SlicePorts{27, 18, 48};
}

ProductRange product_range(unsigned x_bits, bool x_signed, unsigned y_bits, bool y_signed) {
  check_widths(x_bits, y_bits);
  const int64_t xs[] = {lowest(x_bits, x_signed), highest(x_bits, x_signed)};
  const int64_t ys[] = {lowest(y_bits, y_signed), highest(y_bits, y_signed)};
  ProductRange r{xs[0] * ys[0], xs[0] * ys[0]};
  for (int64_t a : xs)
    for (int64_t b : ys) {
      r.min = std::min(r.min, a * b);
      r.max = std::max(r.max, a * b);
    }
  return r;
}

uint64_t max_accumulations(const ProductRange& r, unsigned stride) {
  if (stride < 1 || stride > 62) return 0;
  const int64_t half = int64_t{1} << (stride - 1);
  uint64_t n = UINT64_MAX;
  if (r.min < 0) n = std::min<uint64_t>(n, uint64_t(half / -r.min));
  if (r.max > 0) n = std::min<uint64_t>(n, uint64_t((half - 1) / r.max));
  return n;
}

bool packing_fits(const PackingConfig& c, DspFamily f, std::string* why) {
  auto no = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  check_widths(c.x_bits, c.y_bits);
  const SlicePorts ports = slice_ports(f);
  if (c.count < 1 || c.stride < 1) return no("needs at least one product and a stride");
  if (c.y_bits + (c.y_signed ? 0 : 1) > ports.multiplier)
    return no("y does not fit the " + std::to_string(ports.multiplier) + "-bit multiplier port");
  if (uint64_t{c.count} * c.stride > ports.p)
    return no(std::to_string(c.count) + " fields of " + std::to_string(c.stride) +
              " bits do not fit the " + std::to_string(ports.p) + "-bit P");
  // X's extremes: every field at its lowest, or at its highest.
  i128 x_min = 0, x_max = 0;
  for (unsigned k = 0; k < c.count; ++k) {
    x_min += i128{lowest(c.x_bits, c.x_signed)} << (k * c.stride);
    x_max += i128{highest(c.x_bits, c.x_signed)} << (k * c.stride);
  }
  if (!fits_signed(x_min, ports.multiplicand) || !fits_signed(x_max, ports.multiplicand))
    return no("X does not fit the " + std::to_string(ports.multiplicand) +
              "-bit multiplicand port");
  const ProductRange r = product_range(c.x_bits, c.x_signed, c.y_bits, c.y_signed);
  if (max_accumulations(r, c.stride) < c.accumulations)
    return no("a field of " + std::to_string(c.stride) + " bits cannot sum " +
              std::to_string(c.accumulations) + " products");
  return true;
}

std::optional<PackingConfig> best_packing(DspFamily f, unsigned x_bits, bool x_signed,
                                          unsigned y_bits, bool y_signed,
                                          uint64_t min_accumulations) {
  const SlicePorts ports = slice_ports(f);
  PackingConfig c;
  c.x_bits = x_bits;
  c.y_bits = y_bits;
  c.x_signed = x_signed;
  c.y_signed = y_signed;
  c.accumulations = std::max<uint64_t>(min_accumulations, 1);
  const ProductRange r = product_range(x_bits, x_signed, y_bits, y_signed);
  unsigned stride = 1;
  while (stride <= ports.p && max_accumulations(r, stride) < c.accumulations) ++stride;
  for (unsigned count = ports.p / std::max(stride, 1u); count >= 1; --count) {
    c.count = count;
    c.stride = stride;
    if (!packing_fits(c, f)) continue;
    // The widest stride that still fits gives the most guard bits.
    for (c.stride = ports.p / count; !packing_fits(c, f); --c.stride) {
    }
    c.accumulations = max_accumulations(r, c.stride);
    return c;
  }
  return std::nullopt;
}

std::vector<std::vector<Signal>> add_packed_slice(Netlist& nl, const PackingConfig& c, DspFamily f,
                                                  const std::vector<Signal>& x_word, unsigned count,
                                                  const std::vector<Signal>& y,
                                                  const std::string& name, bool borrow_correction) {
  const SlicePorts ports = slice_ports(f);
  assert(x_word.size() == ports.multiplicand && y.size() == c.y_bits && count <= c.count);
  // Signed ports, so an unsigned y gets a 0 above it.
  PackedDsp slice{ports.multiplicand, c.y_bits + (c.y_signed ? 0u : 1u), 0, ports.p, true};
  std::vector<Signal> pins = x_word;
  pins.insert(pins.end(), y.begin(), y.end());
  if (!c.y_signed) pins.push_back(nl.constant(false));
  const NodeId p = nl.add_cell(slice, pins, name);
  return extract_fields(nl, c, p, count, name, borrow_correction);
}

std::vector<std::vector<Signal>> add_packed_products(
    Netlist& nl, const PackingConfig& c, DspFamily f, const std::vector<std::vector<Signal>>& x,
    const std::vector<Signal>& y, const std::string& name, bool borrow_correction) {
  std::string why;
  if (!packing_fits(c, f, &why)) throw Error("dsp packing '" + name + "': " + why);
  assert(x.size() == c.count && y.size() == c.y_bits);
  const SlicePorts ports = slice_ports(f);
  // X = sum of the fields, each shifted to its place and extended from there.
  Adder form;
  form.width = ports.multiplicand;
  std::vector<Signal> form_pins;
  for (unsigned k = 0; k < c.count; ++k) {
    assert(x[k].size() == c.x_bits);
    const uint32_t shift = k * c.stride;
    form.operands.push_back({std::min(shift + c.x_bits, ports.multiplicand), c.x_signed});
    for (uint32_t i = 0; i < form.operands.back().width; ++i)
      form_pins.push_back(i < shift ? nl.constant(false) : x[k][i - shift]);
  }
  const NodeId xn = nl.add_cell(form, form_pins, name + ".X");
  std::vector<Signal> x_word;
  for (uint32_t i = 0; i < ports.multiplicand; ++i) x_word.push_back({xn, i});
  return add_packed_slice(nl, c, f, x_word, c.count, y, name, borrow_correction);
}

int64_t packed_word(const PackingConfig& c, const std::vector<int64_t>& weights,
                    unsigned bit_count) {
  i128 x = 0;
  for (size_t k = 0; k < weights.size(); ++k) x += i128{weights[k]} << (k * c.stride);
  // The low bit_count bits, as the port sees them (two's complement).
  const i128 mask = (i128{1} << bit_count) - 1;
  return static_cast<int64_t>(x & mask);
}

std::vector<std::vector<Signal>> add_packed_constant_products(Netlist& nl, const PackingConfig& c,
                                                              DspFamily f,
                                                              const std::vector<int64_t>& weights,
                                                              const std::vector<Signal>& y,
                                                              const std::string& name) {
  PackingConfig used = c;
  used.count = static_cast<unsigned>(weights.size());
  std::string why;
  if (used.count < 1 || used.count > c.count || !packing_fits(used, f, &why))
    throw Error("dsp packing '" + name + "': " + (why.empty() ? "bad weight count" : why));
  const SlicePorts ports = slice_ports(f);
  const int64_t x = packed_word(c, weights, ports.multiplicand);
  std::vector<Signal> x_word;
  for (uint32_t i = 0; i < ports.multiplicand; ++i) x_word.push_back(nl.constant((x >> i) & 1));
  return add_packed_slice(nl, c, f, x_word, used.count, y, name, true);
}

std::vector<std::vector<Signal>> add_unpacked_products(Netlist& nl, const PackingConfig& c,
                                                       const std::vector<std::vector<Signal>>& x,
                                                       const std::vector<Signal>& y,
                                                       const std::string& name) {
  std::vector<std::vector<Signal>> products(c.count);
  for (unsigned k = 0; k < c.count; ++k) {
    // Both operands signed, each with a 0 above it where it is unsigned.
    PackedDsp mul{c.x_bits + (c.x_signed ? 0u : 1u), c.y_bits + (c.y_signed ? 0u : 1u), 0, c.stride,
                  true};
    std::vector<Signal> pins = x[k];
    if (!c.x_signed) pins.push_back(nl.constant(false));
    pins.insert(pins.end(), y.begin(), y.end());
    if (!c.y_signed) pins.push_back(nl.constant(false));
    const NodeId m = nl.add_cell(mul, pins, name + ".mul" + std::to_string(k));
    for (uint32_t i = 0; i < c.stride; ++i) products[k].push_back({m, i});
  }
  return products;
}

Netlist packing_netlist(const PackingConfig& c, DspFamily f, bool packed, bool borrow_correction) {
  Netlist nl;
  nl.set_design_name(packed ? "packed" : "unpacked");
  std::vector<std::vector<Signal>> x(c.count);
  for (unsigned k = 0; k < c.count; ++k) {
    const NodeId in = nl.add_input("x" + std::to_string(k), c.x_bits);
    for (uint32_t i = 0; i < c.x_bits; ++i) x[k].push_back({in, i});
  }
  std::vector<Signal> y;
  const NodeId yin = nl.add_input("y", c.y_bits);
  for (uint32_t i = 0; i < c.y_bits; ++i) y.push_back({yin, i});
  const auto products = packed ? add_packed_products(nl, c, f, x, y, "dsp", borrow_correction)
                               : add_unpacked_products(nl, c, x, y, "mul");
  for (unsigned k = 0; k < c.count; ++k) nl.add_output("p" + std::to_string(k), products[k]);
  return nl;
}

PackingCheck enumerate_packing(const PackingConfig& c, DspFamily f, bool borrow_correction) {
  const unsigned bits = c.count * c.x_bits + c.y_bits;
  if (bits > 32)
    throw Error("dsp packing: " + std::to_string(bits) +
                " operand bits are too many to enumerate (at most 32)");
  constexpr unsigned kWords = 64;
  Evaluator packed(packing_netlist(c, f, true, borrow_correction), kWords);
  Evaluator plain(packing_netlist(c, f, false), kWords);
  // Operand bit b of vector v is bit b of v: input k holds bits k * x_bits.., y the top ones.
  std::vector<std::pair<size_t, uint32_t>> bit_port(bits);
  for (unsigned b = 0; b < bits; ++b)
    bit_port[b] = b < c.count * c.x_bits
                      ? std::pair<size_t, uint32_t>{b / c.x_bits, b % c.x_bits}
                      : std::pair<size_t, uint32_t>{c.count, b - c.count * c.x_bits};
  static constexpr uint64_t kLow[6] = {0xAAAAAAAAAAAAAAAAull, 0xCCCCCCCCCCCCCCCCull,
                                       0xF0F0F0F0F0F0F0F0ull, 0xFF00FF00FF00FF00ull,
                                       0xFFFF0000FFFF0000ull, 0xFFFFFFFF00000000ull};
  PackingCheck check;
  const uint64_t total = uint64_t{1} << bits;
  auto value = [&](uint64_t v, unsigned from, unsigned width, bool is_signed) {
    int64_t x = static_cast<int64_t>((v >> from) & ((uint64_t{1} << width) - 1));
    if (is_signed && ((x >> (width - 1)) & 1)) x -= int64_t{1} << width;
    return x;
  };
  for (uint64_t base = 0; base < total; base += 64 * kWords) {
    for (unsigned b = 0; b < bits; ++b)
      for (unsigned w = 0; w < kWords; ++w) {
        const uint64_t word =
            b < 6 ? kLow[b] : (((base + 64 * uint64_t{w}) >> b) & 1 ? ~uint64_t{0} : 0);
        packed.input(bit_port[b].first, bit_port[b].second)[w] = word;
        plain.input(bit_port[b].first, bit_port[b].second)[w] = word;
      }
    packed.eval();
    plain.eval();
    const uint64_t lanes = std::min<uint64_t>(64 * kWords, total - base);
    for (unsigned w = 0; w < kWords && 64 * uint64_t{w} < lanes; ++w) {
      uint64_t differ = 0;
      for (unsigned k = 0; k < c.count; ++k)
        for (uint32_t i = 0; i < c.stride; ++i)
          differ |= packed.output(k, i)[w] ^ plain.output(k, i)[w];
      if (lanes - 64 * uint64_t{w} < 64) differ &= (uint64_t{1} << (lanes - 64 * w)) - 1;
      check.mismatching += __builtin_popcountll(differ);
      if (differ && check.first.empty()) {
        const unsigned lane = __builtin_ctzll(differ);
        const uint64_t v = base + 64 * uint64_t{w} + lane;
        std::string s;
        for (unsigned k = 0; k < c.count; ++k)
          s += "x" + std::to_string(k) + "=" +
               std::to_string(value(v, k * c.x_bits, c.x_bits, c.x_signed)) + " ";
        const int64_t y = value(v, c.count * c.x_bits, c.y_bits, c.y_signed);
        s += "y=" + std::to_string(y) + ":";
        for (unsigned k = 0; k < c.count; ++k) {
          uint64_t got = 0, want = 0;
          for (uint32_t i = 0; i < c.stride; ++i) {
            got |= ((packed.output(k, i)[w] >> lane) & 1) << i;
            want |= ((plain.output(k, i)[w] >> lane) & 1) << i;
          }
          if (got != want)
            s += std::string(s.back() == ':' ? " " : ", ") + "p" + std::to_string(k) + " = " +
                 std::to_string(value(got, 0, c.stride, true)) + " (expected " +
                 std::to_string(value(want, 0, c.stride, true)) + ")";
        }
        check.first = s;
      }
    }
    check.vectors += lanes;
  }
  return check;
}

}  // namespace lutforge::models
