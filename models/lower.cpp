#include "models/lower.hpp"

#include "base/error.hpp"
#include "models/lower_mac.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace lutforge::models {

std::vector<unsigned> reuse_factors(const Model& m, const LowerParams& params) {
  const std::vector<unsigned>& r = params.reuse_factor;
  if (r.empty()) return std::vector<unsigned>(m.layers.size(), 1);
  if (r.size() != 1 && r.size() != m.layers.size())
    throw Error("lower: " + std::to_string(r.size()) + " reuse factors for " +
                std::to_string(m.layers.size()) + " layers; give one, or one per layer");
  for (unsigned v : r)
    if (v == 0) throw Error("lower: a reuse factor must be at least 1");
  return r.size() == 1 ? std::vector<unsigned>(m.layers.size(), r[0]) : r;
}

unsigned initiation_interval(const Model& m, const LowerParams& params) {
  const std::vector<unsigned> r = reuse_factors(m, params);
  return r.empty() ? 1 : *std::max_element(r.begin(), r.end());
}

namespace {

// The number of set bits among `bits`, `width` bits wide: one Adder, or (radix >= 2) a tree of
// Adders of at most `radix` operands each, whose every level is registered when `registered`.
// The last Adder is named `name`, the others name_lLEVEL_INDEX.
std::vector<Signal> popcount(Netlist& nl, const std::vector<Signal>& bits, unsigned radix,
                             bool registered, unsigned width, const std::string& name) {
  // Partial sums: their bits and their largest value. Each tree level adds up to `radix` of them
  // (all of them without a radix).
  struct Part {
    std::vector<Signal> bits;
    uint64_t max;
  };
  std::vector<Part> parts;
  for (const Signal& b : bits) parts.push_back({{b}, 1});
  for (unsigned level = 0; level == 0 || parts.size() > 1; ++level) {
    const size_t n = radix ? radix : parts.size();
    const bool last = parts.size() <= n;
    std::vector<Part> next;
    for (size_t j = 0; j < parts.size(); j += n) {
      const size_t end = std::min(parts.size(), j + n);
      Part sum{{}, 0};
      std::string node =
          last ? name : name + "_l" + std::to_string(level) + "_" + std::to_string(j / n);
      if (end - j == 1 && !last) {
        sum = parts[j];  // carried to the next level as it is
      } else {
        Adder add;
        std::vector<Signal> ins;
        for (size_t q = j; q < end; ++q) {
          add.operands.push_back({static_cast<uint32_t>(parts[q].bits.size()), false});
          ins.insert(ins.end(), parts[q].bits.begin(), parts[q].bits.end());
          sum.max += parts[q].max;
        }
        add.width = last ? width : unsigned_bits(sum.max);
        const NodeId a = nl.add_cell(add, ins, node);
        for (uint32_t b = 0; b < add.width; ++b) sum.bits.push_back({a, b});
      }
      if (registered)
        for (uint32_t b = 0; b < sum.bits.size(); ++b)
          sum.bits[b] = {nl.add_cell(Dff{}, {sum.bits[b]},
                                     node + "_b" + std::to_string(b) +
                                         (end - j == 1 && !last ? "_p" : "") + "_q"),
                         0};
      next.push_back(std::move(sum));
    }
    parts.swap(next);
  }
  return parts[0].bits;
}

// The number of set bits among `bits` as Lut cells of counters (column compression: up to six bits
// of a column become their count, a bit in each of that column and the next two, each a LUT6 at
// most; two bits left in a column become a half adder), unsigned_bits(bits.size()) bits wide.
// Every partial count is a net of its own, so synthesis and the prover see the same small steps
// (a popcount in one Adder cell leaves the prover a wide sum to reason about at once).
std::vector<Signal> compressed_popcount(Netlist& nl, const std::vector<Signal>& bits,
                                        const std::string& name) {
  const unsigned width = unsigned_bits(bits.size());
  std::vector<std::vector<Signal>> column(width + 3);
  column[0] = bits;
  unsigned cells = 0;
  // Bit j of the count of `in` set bits, into column c + j.
  auto count = [&](const std::vector<Signal>& in, unsigned c) {
    const auto k = static_cast<unsigned>(in.size());
    for (unsigned j = 0; j < unsigned_bits(k); ++j) {
      TruthTable t(k);
      for (uint64_t v = 0; v < (uint64_t{1} << k); ++v)
        if ((__builtin_popcountll(v) >> j) & 1) set_bit(t, v);
      column[c + j].push_back(
          {nl.add_cell(Lut{t}, in, name + "_c" + std::to_string(cells) + "_b" + std::to_string(j)),
           0});
    }
    ++cells;
  };
  for (unsigned c = 0; c < width; ++c) {
    std::vector<Signal>& col = column[c];
    size_t i = 0;  // col[i..] are the bits still to add, in the order they arrived
    while (col.size() - i >= 2) {
      const size_t k = std::min<size_t>(6, col.size() - i);
      const std::vector<Signal> in(col.begin() + static_cast<std::ptrdiff_t>(i),
                                   col.begin() + static_cast<std::ptrdiff_t>(i + k));
      i += k;
      count(in, c);  // its bit 0 joins this column again (col may reallocate)
    }
    column[c].erase(column[c].begin(), column[c].begin() + static_cast<std::ptrdiff_t>(i));
  }
  std::vector<Signal> out;
  for (unsigned c = 0; c < width; ++c)
    out.push_back(column[c].empty() ? nl.constant(false) : column[c][0]);
  return out;
}

}  // namespace

Netlist lower(const Model& m, const LowerParams& params) {
  validate(m, "lower");
  if (initiation_interval(m, params) > 1) {
    if (params.register_every || params.argmax_tree || params.pixel_bits)
      throw Error(
          "lower: with reuse factors the design is a sequential schedule of its own; "
          "registers every N layers, the ArgMax tree and the pixel encoder do not combine with "
          "it");
    return lower_reused(
        m, reuse_factors(m, params), params.clock, params.argmax,
        {params.dsp_family, params.dsp_packing, params.weights_in_bram, params.keep_unread});
  }
  if (params.weights_in_bram)
    throw Error(
        "lower: weights in block RAM need reuse factors (a fully parallel layer reads every "
        "weight at once)");
  Netlist nl;
  std::string name = m.family.empty() ? "model" : m.family;  // a plain Verilog identifier
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  if (std::isdigit(static_cast<unsigned char>(name[0]))) name = "m_" + name;
  nl.set_design_name(name);
  const unsigned every = params.register_every;
  const bool group_sum = m.head.kind == Head::Kind::GroupSum;
  if (every) nl.set_clock_name(params.clock);
  const unsigned bits = m.input.bits, pixel = params.pixel_bits;
  if (pixel > 16) throw Error("lower: pixel_bits must be 0 to 16");
  const NodeId x =
      nl.add_input("x", static_cast<uint32_t>(m.input.num_features() * (pixel ? pixel : bits)));
  // codes[i] = the bits of unit i of the current layer's input, LSB first.
  std::vector<std::vector<Signal>> codes(m.input.num_features());
  for (size_t f = 0; f < codes.size(); ++f) {
    if (!pixel) {
      for (unsigned b = 0; b < bits; ++b)
        codes[f].push_back({x, static_cast<uint32_t>(f * bits + b)});
      continue;
    }
    std::vector<Signal> p;
    for (unsigned i = 0; i < pixel; ++i) p.push_back({x, static_cast<uint32_t>(f * pixel + i)});
    std::vector<TruthTable> tables(bits, TruthTable(pixel));
    for (uint32_t v = 0; v < (1u << pixel); ++v) {
      const uint32_t code = m.input.encode_feature(f, pixel_value(v, pixel));
      for (unsigned b = 0; b < bits; ++b)
        if ((code >> b) & 1) set_bit(tables[b], v);
    }
    for (unsigned b = 0; b < bits; ++b)
      codes[f].push_back(
          {nl.add_cell(Lut{tables[b]}, p, "enc" + std::to_string(f) + "_b" + std::to_string(b)),
           0});
  }

  for (size_t l = 0; l < m.layers.size(); ++l) {
    const Layer& L = m.layers[l];
    if (L.reads_bits()) {  // gates and 1-bit LUTs read single bits: one unit per bit
      std::vector<std::vector<Signal>> bits;
      for (const auto& code : codes)
        for (const Signal& s : code) bits.push_back({s});
      codes.swap(bits);
    }
    std::vector<std::vector<Signal>> next(L.neurons.size());
    if (L.kind == LayerKind::Mac)
      next = lower_mac_layer(nl, L, codes, {params.dsp_family, params.dsp_packing},
                             "l" + std::to_string(l));
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      const Neuron& N = L.neurons[n];
      const std::string name = "l" + std::to_string(l) + "_n" + std::to_string(n);
      auto fanin = [&](size_t from, size_t count) {
        std::vector<Signal> f;
        for (size_t j = 0; j < count; ++j)
          for (const Signal& s : codes[N.inputs[from + j]]) f.push_back(s);
        return f;
      };
      if (L.sub_neurons) {
        std::vector<Signal> addends;
        Adder add;
        add.width = L.sum_bits();
        for (unsigned a = 0; a < L.sub_neurons; ++a) {
          const std::vector<Signal> f = fanin(size_t{a} * L.sub_fan_in(), L.sub_fan_in());
          for (unsigned b = 0; b < L.sub_bits; ++b)
            addends.push_back(
                {nl.add_cell(Lut{N.sub[a][b]}, f,
                             name + "_s" + std::to_string(a) + "_b" + std::to_string(b)),
                 0});
          add.operands.push_back({L.sub_bits, false});
        }
        const NodeId sum = nl.add_cell(add, addends, name + "_sum");
        std::vector<Signal> sum_bits;
        for (uint32_t b = 0; b < add.width; ++b) sum_bits.push_back({sum, b});
        for (unsigned b = 0; b < L.out_bits; ++b)
          next[n].push_back(
              {nl.add_cell(Lut{N.requant[b]}, sum_bits, name + "_b" + std::to_string(b)), 0});
      } else if (L.kind == LayerKind::Mac) {
        // built above, a layer at a time
      } else if (L.kind == LayerKind::Threshold) {
        // A popcount of counter Luts and a Lut over its sum that tells sum >= threshold. Inputs
        // that are constants (LUTs that logic shrinkage emptied) are left out of the popcount, and
        // each constant 1 lowers the threshold by one: synthesis would fold them too, but not
        // rebuild the counters around the bits that are left.
        std::vector<Signal> counted;
        uint32_t threshold = N.threshold;
        for (const Signal& s : fanin(0, N.inputs.size())) {
          const std::optional<bool> c = constant_of(nl, s);
          if (!c)
            counted.push_back(s);
          else if (*c && threshold > 0)
            --threshold;
        }
        if (threshold == 0 || threshold > counted.size()) {
          next[n].push_back(nl.constant(threshold == 0));
        } else {
          const std::vector<Signal> sum_bits = compressed_popcount(nl, counted, name + "_popcount");
          TruthTable at_least(static_cast<unsigned>(sum_bits.size()));
          for (uint64_t v = threshold; v < (uint64_t{1} << sum_bits.size()); ++v)
            set_bit(at_least, v);
          next[n].push_back({nl.add_cell(Lut{at_least}, sum_bits, name + "_b0"), 0});
        }
      } else if (L.kind == LayerKind::Gate) {
        next[n].push_back(
            {nl.add_cell(Gate{gate_id_of(N.tables[0])}, fanin(0, 2), name + "_b0"), 0});
      } else {
        const std::vector<Signal> f = fanin(0, N.inputs.size());  // mixed fan-in: its own
        for (unsigned b = 0; b < L.out_bits; ++b) {
          const TruthTable& t = N.tables[b];
          const bool zero = is_constant(t, false), one = is_constant(t, true);
          next[n].push_back(
              zero || one ? nl.constant(one)
                          : Signal{nl.add_cell(Lut{t}, f, name + "_b" + std::to_string(b)), 0});
        }
      }
      const bool last = l + 1 == m.layers.size();
      if (every && ((l + 1) % every == 0 || (last && !group_sum)))
        for (unsigned b = 0; b < L.out_bits; ++b)
          if (!constant_of(nl, next[n][b]))  // a constant is the same every cycle
            next[n][b] = {nl.add_cell(Dff{}, {next[n][b]}, name + "_b" + std::to_string(b) + "_q"),
                          0};
    }
    codes.swap(next);
  }
  if (m.head.kind == Head::Kind::GroupSum) {  // a popcount per class
    const size_t group = codes.size() / m.head.groups;
    std::vector<std::vector<Signal>> scores(m.head.groups);
    for (size_t k = 0; k < m.head.groups; ++k) {
      std::vector<Signal> bits;
      for (size_t i = k * group; i < (k + 1) * group; ++i) bits.push_back(codes[i][0]);
      scores[k] = popcount(nl, bits, params.popcount_radix, every != 0, m.score_bits(),
                           "class" + std::to_string(k) + "_popcount");
    }
    codes.swap(scores);
  }
  if (params.argmax && params.argmax_tree && codes.size() >= 2) {
    // Candidates: a score and the low bits of its class index; a pair's winner takes index bit
    // `level` from the comparison and the lower bits from the winning side.
    struct Candidate {
      std::vector<Signal> value, index;
    };
    std::vector<Candidate> round;
    for (const auto& c : codes) round.push_back({c, {}});
    const uint32_t width = m.score_bits();
    // pins: 0 = left bit, 1 = right bit, 2 = right wins
    TruthTable pick(3);
    for (uint64_t v = 0; v < 8; ++v)
      if (((v >> 2) & 1) ? ((v >> 1) & 1) : (v & 1)) set_bit(pick, v);
    std::vector<std::vector<Signal>> delayed = codes;  // the class-score ports, kept in step
    for (unsigned level = 0; round.size() > 1; ++level) {
      std::vector<Candidate> next;
      for (size_t j = 0; j < round.size(); j += 2) {
        const std::string name = "argmax_l" + std::to_string(level) + "_" + std::to_string(j / 2);
        Candidate win;
        if (j + 1 == round.size()) {  // no opponent: index bit `level` is 0
          win = round[j];
          win.index.push_back(nl.constant(false));
        } else {
          const Candidate &l = round[j], &r = round[j + 1];
          std::vector<Signal> both = l.value;
          both.insert(both.end(), r.value.begin(), r.value.end());
          const Signal right{nl.add_cell(ArgMax{2, width, m.signed_scores()}, both, name), 0};
          for (uint32_t b = 0; b < width; ++b)
            win.value.push_back({nl.add_cell(Lut{pick}, {l.value[b], r.value[b], right},
                                             name + "_v" + std::to_string(b)),
                                 0});
          for (size_t b = 0; b < l.index.size(); ++b)
            win.index.push_back({nl.add_cell(Lut{pick}, {l.index[b], r.index[b], right},
                                             name + "_i" + std::to_string(b)),
                                 0});
          win.index.push_back(right);
        }
        if (every) {
          auto reg = [&](std::vector<Signal>& bits, const std::string& what) {
            for (size_t b = 0; b < bits.size(); ++b)
              bits[b] = {nl.add_cell(Dff{}, {bits[b]}, name + what + std::to_string(b) + "_q"), 0};
          };
          reg(win.value, "_v");
          reg(win.index, "_i");
        }
        next.push_back(std::move(win));
      }
      if (every)
        for (size_t c = 0; c < delayed.size(); ++c)
          for (size_t b = 0; b < delayed[c].size(); ++b)
            delayed[c][b] = {nl.add_cell(Dff{}, {delayed[c][b]},
                                         "class" + std::to_string(c) + "_b" + std::to_string(b) +
                                             "_d" + std::to_string(level)),
                             0};
      round.swap(next);
    }
    for (size_t c = 0; c < delayed.size(); ++c)
      nl.add_output("class" + std::to_string(c), delayed[c]);
    nl.add_output("prediction", round[0].index);
    verify_or_throw(nl, "lower");
    return nl;
  }
  add_score_ports(nl, m, codes, params.argmax);
  verify_or_throw(nl, "lower");
  return nl;
}

void add_score_ports(Netlist& nl, const Model& m, const std::vector<std::vector<Signal>>& scores,
                     bool argmax) {
  for (size_t c = 0; c < scores.size(); ++c) nl.add_output("class" + std::to_string(c), scores[c]);
  if (!argmax || scores.size() < 2) return;
  std::vector<Signal> all;
  for (const auto& c : scores) all.insert(all.end(), c.begin(), c.end());
  const ArgMax am{static_cast<uint32_t>(scores.size()), m.score_bits(), m.signed_scores()};
  const NodeId p = nl.add_cell(am, all, "argmax");
  std::vector<Signal> idx;
  for (uint32_t b = 0; b < argmax_index_width(am.count); ++b) idx.push_back({p, b});
  nl.add_output("prediction", idx);
}

unsigned popcount_levels(size_t group, unsigned radix) {
  unsigned levels = 1;
  if (radix >= 2)
    for (size_t n = group; n > radix; n = (n + radix - 1) / radix) ++levels;
  return levels;
}

unsigned argmax_levels(size_t classes) {
  unsigned levels = 0;
  for (size_t n = classes; n > 1; n = (n + 1) / 2) ++levels;
  return levels;
}

unsigned lowered_latency(const Model& m, const LowerParams& params) {
  if (initiation_interval(m, params) > 1) return reused_latency(m, reuse_factors(m, params));
  const unsigned every = params.register_every;
  if (!every) return 0;
  const unsigned layers = static_cast<unsigned>(m.layers.size());
  const unsigned tree = params.argmax && params.argmax_tree ? argmax_levels(m.num_classes()) : 0;
  if (m.head.kind == Head::Kind::GroupSum)
    return layers / every +
           popcount_levels(m.layers.back().neurons.size() / m.head.groups, params.popcount_radix) +
           tree;
  return layers / every + (layers % every != 0) + tree;
}

namespace {

// Values of `width` bits each, value f in bits f * width .. f * width + width - 1, LSB first.
std::vector<uint64_t> pack_fields(const std::vector<uint32_t>& values, unsigned width) {
  std::vector<uint64_t> word((values.size() * width + 63) / 64, 0);
  for (size_t f = 0; f < values.size(); ++f)
    for (unsigned b = 0; b < width; ++b)
      if ((values[f] >> b) & 1) word[(f * width + b) / 64] |= uint64_t{1} << ((f * width + b) % 64);
  return word;
}

}  // namespace

std::vector<uint64_t> pack_codes(const Model& m, const std::vector<uint32_t>& codes) {
  return pack_fields(codes, m.input.bits);
}

float pixel_value(uint32_t p, unsigned pixel_bits) {
  return static_cast<float>(p) / static_cast<float>((uint32_t{1} << pixel_bits) - 1);
}

std::vector<uint64_t> pack_pixels(const Model& m, const float* features, unsigned pixel_bits) {
  const uint32_t top = (uint32_t{1} << pixel_bits) - 1;
  std::vector<uint32_t> pixels(m.input.num_features());
  for (size_t f = 0; f < pixels.size(); ++f) {
    const float x = features[f];
    const long p = std::lround(x * static_cast<float>(top));
    if (p < 0 || p > static_cast<long>(top) ||
        pixel_value(static_cast<uint32_t>(p), pixel_bits) != x)
      throw Error("feature " + std::to_string(f) + " is " + std::to_string(x) + ", not a " +
                  std::to_string(pixel_bits) + "-bit pixel p / " + std::to_string(top));
    pixels[f] = static_cast<uint32_t>(p);
  }
  return pack_fields(pixels, pixel_bits);
}

std::vector<uint32_t> unpack_codes(const Model& m, const std::vector<uint64_t>& word) {
  const unsigned bits = m.input.bits;
  std::vector<uint32_t> codes(m.input.num_features(), 0);
  for (size_t f = 0; f < codes.size(); ++f)
    for (unsigned b = 0; b < bits; ++b) {
      const size_t i = f * bits + b;
      if (i / 64 < word.size() && ((word[i / 64] >> (i % 64)) & 1)) codes[f] |= 1u << b;
    }
  return codes;
}

}  // namespace lutforge::models
