// Lowering of a MAC network with reuse factors (LowerParams::reuse_factor), as hls4ml users know
// it: in layer l, each slice serves R_l products over R_l cycles.
//
// Timing. A counter c runs 0, 1, ..., II - 1, 0, ... with II the largest R_l (the initiation
// interval). in_ready is high when c = 0; the input codes and valid_in are registered at the
// edge that ends that cycle. A frame is the II cycles that follow, c = 1, ..., II - 1, 0, and its
// slot t is (c - 1) mod II. Every layer works on one frame at a time:
//   - neuron n's k-th slice multiplies, in slot t < R_l, its input k * R_l + t (a multiplexer of
//     the input codes on the counter) by that input's weight (a LUT of the counter), and 0 in the
//     slots after R_l;
//   - s = (t = 0 ? bias : acc) + the products of the slot, and acc takes s at every edge; so at
//     the edge that ends slot II - 1, s is the neuron's whole accumulator;
//   - at that edge the layer's output register takes the requantized s (the last layer: s), and
//     a valid bit moves one layer on.
// A layer's outputs are thus stable for the whole next frame, which the layer after computes on.
// valid_out is the last valid bit while c = 1, the first cycle of the scores, so each sample's
// scores are offered once. A sample's latency is layers * II + 1 cycles from its input transfer.
#include <algorithm>
#include <map>
#include <optional>

#include "base/error.hpp"
#include "models/lower_mac.hpp"

namespace lutforge::models {
namespace {

// The bits of an unsigned value up to `max`.
uint32_t bits_for_max(uint64_t max) {
  uint32_t w = 1;
  while (w < 64 && (max >> w)) ++w;
  return w;
}

class ReuseBuilder {
 public:
  ReuseBuilder(Netlist& nl, unsigned ii) : nl_(nl), ii_(ii), cbits_(bits_for_max(ii - 1)) {
    for (uint32_t b = 0; b < cbits_; ++b)
      counter_.push_back({nl.add_cell(Dff{}, {}, "count_q" + std::to_string(b)), 0});
    // next = c + 1, and 0 after II - 1; then close the registers' loops.
    for (uint32_t b = 0; b < cbits_; ++b) {
      const Signal next = on_counter([&](uint64_t c) { return (((c + 1) % ii_) >> b) & 1; },
                                     "count_d" + std::to_string(b));
      nl.connect(counter_[b].node, 0, next);
    }
  }

  // A LUT of the counter bits: f(c) for c < II (0 beyond).
  template <typename F>
  Signal on_counter(F f, const std::string& name) {
    TruthTable t(cbits_);
    bool any = false, all = true;
    for (uint64_t c = 0; c < (uint64_t{1} << cbits_); ++c) {
      const bool v = c < ii_ && f(c);
      if (v) set_bit(t, c);
      any |= v;
      all &= v;
    }
    if (!any) return nl_.constant(false);
    if (all) return nl_.constant(true);
    const std::vector<uint64_t> key(t.words(), t.words() + t.num_words());
    if (const auto it = luts_.find(key); it != luts_.end()) return it->second;
    const Signal s{nl_.add_cell(Lut{t}, counter_, name), 0};
    luts_.emplace(key, s);
    return s;
  }

  Signal is_count(uint64_t value, const std::string& name) {
    return on_counter([&](uint64_t c) { return c == value; }, name);
  }
  // The slot of counter value c.
  uint64_t slot(uint64_t c) const { return (c + ii_ - 1) % ii_; }

  // A multiplexer on the counter: data[c] in counter state c (an empty entry is 0), `width` bits,
  // as a tree of 4:1 multiplexers on two counter bits at a time.
  std::vector<Signal> mux(const std::vector<const std::vector<Signal>*>& data, uint32_t width,
                          const std::string& name) {
    std::vector<Signal> out;
    for (uint32_t b = 0; b < width; ++b) {
      std::vector<Signal> level;
      for (uint64_t c = 0; c < (uint64_t{1} << cbits_); ++c)
        level.push_back(c < data.size() && data[c] ? (*data[c])[b] : nl_.constant(false));
      for (uint32_t sel = 0; level.size() > 1; sel += 2) {
        const uint32_t n = sel + 1 < cbits_ ? 4 : 2;  // inputs per multiplexer at this level
        std::vector<Signal> next;
        for (size_t i = 0; i < level.size(); i += n) {
          std::vector<Signal> pins(level.begin() + static_cast<std::ptrdiff_t>(i),
                                   level.begin() + static_cast<std::ptrdiff_t>(i + n));
          const bool zero = std::all_of(pins.begin(), pins.end(),
                                        [&](const Signal& s) { return s == nl_.constant(false); });
          if (zero) {
            next.push_back(nl_.constant(false));
            continue;
          }
          const uint32_t s_bits = n == 4 ? 2 : 1;
          TruthTable t(n + s_bits);  // pins: the n data, then the select bits
          for (uint64_t v = 0; v < (uint64_t{1} << (n + s_bits)); ++v) {
            const uint64_t select = v >> n;
            if ((v >> select) & 1) set_bit(t, v);
          }
          for (uint32_t k = 0; k < s_bits; ++k) pins.push_back(counter_[sel + k]);
          next.push_back({nl_.add_cell(Lut{t}, pins,
                                       name + "_b" + std::to_string(b) + "_m" +
                                           std::to_string(sel) + "_" + std::to_string(i / n)),
                          0});
        }
        level.swap(next);
      }
      out.push_back(level[0]);
    }
    return out;
  }

  const std::vector<Signal>& counter() const { return counter_; }

 private:
  Netlist& nl_;
  unsigned ii_;
  uint32_t cbits_;
  std::vector<Signal> counter_;
  std::map<std::vector<uint64_t>, Signal> luts_;  // by truth table: one LUT per function
};

// Registers of `d` that load when `enable` is high.
std::vector<Signal> enabled_registers(Netlist& nl, const std::vector<Signal>& d, Signal enable,
                                      const std::string& name) {
  std::vector<Signal> q;
  Dff dff;
  dff.has_enable = true;
  for (size_t b = 0; b < d.size(); ++b)
    q.push_back({nl.add_cell(dff, {d[b], enable}, name + "_b" + std::to_string(b) + "_q"), 0});
  return q;
}

}  // namespace

Netlist lower_reused(const Model& m, const std::vector<unsigned>& reuse, const std::string& clock,
                     bool argmax, const MacLowering& mac) {
  if (m.head.kind != Head::Kind::Codes)
    throw Error("lower: reuse factors apply to networks of MAC layers only");
  for (size_t l = 0; l < m.layers.size(); ++l)
    if (m.layers[l].kind != LayerKind::Mac)
      throw Error("lower: reuse factors apply to networks of MAC layers only; layer " +
                  std::to_string(l) + " is not one");
  unsigned ii = 1;
  for (unsigned r : reuse) ii = std::max(ii, r);
  if (ii > 4096) throw Error("lower: a reuse factor above 4096");

  Netlist nl;
  nl.set_design_name("mac");
  nl.set_clock_name(clock);
  const unsigned bits = m.input.bits;
  const NodeId x = nl.add_input("x", static_cast<uint32_t>(m.input.num_features() * bits));
  const NodeId valid_in = nl.add_input("valid_in", 1);
  ReuseBuilder rb(nl, ii);
  const Signal load = rb.is_count(0, "frame_end");  // in_ready, and the end of every frame
  const Signal first = rb.is_count(1, "frame_start");

  std::vector<std::vector<Signal>> codes(m.input.num_features());
  for (size_t f = 0; f < codes.size(); ++f) {
    std::vector<Signal> d;
    for (unsigned b = 0; b < bits; ++b) d.push_back({x, static_cast<uint32_t>(f * bits + b)});
    codes[f] = enabled_registers(nl, d, load, "x" + std::to_string(f));
  }
  Signal valid = enabled_registers(nl, {{valid_in, 0}}, load, "valid0")[0];

  for (size_t l = 0; l < m.layers.size(); ++l) {
    const Layer& L = m.layers[l];
    const unsigned r = reuse[l];
    const std::string layer = "l" + std::to_string(l);
    const uint32_t product_bits = L.weight_bits + L.in_bits, acc_bits = accumulator_bits(L);
    const size_t slices = (L.fan_in + r - 1) / r;
    // The input index of slice k in counter state c, or none.
    auto input_at = [&](size_t k, uint64_t c) -> std::optional<size_t> {
      const uint64_t t = rb.slot(c), j = k * r + t;
      if (t >= r || j >= L.fan_in) return std::nullopt;
      return static_cast<size_t>(j);
    };
    // The operand multiplexers, shared by the neurons that read the same inputs in the same slots.
    std::map<std::vector<uint32_t>, std::vector<Signal>> muxes;
    auto operand = [&](const Neuron& N, size_t k) -> const std::vector<Signal>& {
      std::vector<uint32_t> key;
      std::vector<const std::vector<Signal>*> data(ii, nullptr);
      for (uint64_t c = 0; c < ii; ++c) {
        const auto j = input_at(k, c);
        key.push_back(j ? N.inputs[*j] : UINT32_MAX);
        if (j) data[c] = &codes[N.inputs[*j]];
      }
      auto it = muxes.find(key);
      if (it == muxes.end())
        it = muxes
                 .emplace(key, rb.mux(data, L.in_bits,
                                      layer + "_x" + std::to_string(k) + "_mux" +
                                          std::to_string(muxes.size())))
                 .first;
      return it->second;
    };
    // The weight of neuron N's slice k in counter state c (0 in the idle slots).
    auto weight_at = [&](const Neuron& N, size_t k, uint64_t c) -> int64_t {
      const auto j = input_at(k, c);
      return j ? N.weights[*j] : 0;
    };
    auto any_weight = [&](const Neuron& N, size_t k) {
      for (uint64_t c = 0; c < ii; ++c)
        if (weight_at(N, k, c) != 0) return true;
      return false;
    };

    // Each neuron's products of a slot (two's complement signal vectors).
    std::vector<std::vector<std::vector<Signal>>> products(L.neurons.size());
    if (mac.packing) {
      const auto pack = best_packing(mac.family, L.weight_bits, true, L.in_bits, false);
      if (!pack) throw Error(layer + ": no packing of these widths fits the slice");
      const uint32_t x_width = slice_ports(mac.family).multiplicand;
      // Neurons that read the same inputs share slices, pack->count at a time, in neuron order.
      std::map<std::vector<uint32_t>, std::vector<size_t>> groups;
      for (size_t n = 0; n < L.neurons.size(); ++n) groups[L.neurons[n].inputs].push_back(n);
      for (const auto& [inputs, members] : groups)
        for (size_t from = 0; from < members.size(); from += pack->count) {
          const std::vector<size_t> part(
              members.begin() + static_cast<std::ptrdiff_t>(from),
              members.begin() +
                  static_cast<std::ptrdiff_t>(std::min(members.size(), from + pack->count)));
          const std::string name = layer + "_n" + std::to_string(part[0]) + "_pack";
          for (size_t k = 0; k < slices; ++k) {
            bool used = false;
            for (size_t n : part) used |= any_weight(L.neurons[n], k);
            if (!used) continue;
            auto word_at = [&](uint64_t c) {
              std::vector<int64_t> w;
              for (size_t n : part) w.push_back(weight_at(L.neurons[n], k, c));
              return packed_word(*pack, w, x_width);
            };
            std::vector<Signal> x_word;
            for (uint32_t b = 0; b < x_width; ++b)
              x_word.push_back(
                  rb.on_counter([&](uint64_t c) { return (word_at(c) >> b) & 1; },
                                name + "_k" + std::to_string(k) + "_w" + std::to_string(b)));
            const auto fields =
                add_packed_slice(nl, *pack, mac.family, x_word, static_cast<unsigned>(part.size()),
                                 operand(L.neurons[part[0]], k), name + "_k" + std::to_string(k));
            for (size_t i = 0; i < part.size(); ++i) products[part[i]].push_back(fields[i]);
          }
        }
    } else {
      for (size_t n = 0; n < L.neurons.size(); ++n) {
        const Neuron& N = L.neurons[n];
        const std::string name = layer + "_n" + std::to_string(n);
        for (size_t k = 0; k < slices; ++k) {
          if (!any_weight(N, k)) continue;
          std::vector<Signal> dsp_pins;
          for (uint32_t b = 0; b < L.weight_bits; ++b)
            dsp_pins.push_back(rb.on_counter(
                [&](uint64_t c) { return (static_cast<uint64_t>(weight_at(N, k, c)) >> b) & 1; },
                name + "_k" + std::to_string(k) + "_w" + std::to_string(b)));
          const std::vector<Signal>& y = operand(N, k);
          dsp_pins.insert(dsp_pins.end(), y.begin(), y.end());
          dsp_pins.push_back(nl.constant(false));  // the code is unsigned: a 0 above it
          const NodeId p =
              nl.add_cell(PackedDsp{L.weight_bits, L.in_bits + 1, 0, product_bits, true}, dsp_pins,
                          name + "_k" + std::to_string(k));
          std::vector<Signal> bits;
          for (uint32_t i = 0; i < product_bits; ++i) bits.push_back({p, i});
          products[n].push_back(bits);
        }
      }
    }

    std::vector<std::vector<Signal>> next(L.neurons.size());
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      const Neuron& N = L.neurons[n];
      const std::string name = layer + "_n" + std::to_string(n);
      Adder sum;
      sum.width = acc_bits;
      std::vector<Signal> pins;
      for (const auto& prod : products[n]) {
        sum.operands.push_back({static_cast<uint32_t>(prod.size()), true});
        pins.insert(pins.end(), prod.begin(), prod.end());
      }
      // The accumulator register, and the sum's first operand: the bias in slot 0, else acc.
      std::vector<Signal> acc;
      for (uint32_t i = 0; i < acc_bits; ++i)
        acc.push_back({nl.add_cell(Dff{}, {}, name + "_acc" + std::to_string(i) + "_q"), 0});
      TruthTable keep_or_set(2), keep_or_clear(2);  // pins: acc bit, first slot
      set_bit(keep_or_set, 1);
      set_bit(keep_or_set, 2);
      set_bit(keep_or_set, 3);
      set_bit(keep_or_clear, 1);
      std::vector<Signal> base;
      for (uint32_t i = 0; i < acc_bits; ++i) {
        const bool bias_bit = i < 63 ? (N.bias >> i) & 1 : N.bias < 0;
        base.push_back({nl.add_cell(Lut{bias_bit ? keep_or_set : keep_or_clear}, {acc[i], first},
                                    name + "_base" + std::to_string(i)),
                        0});
      }
      sum.operands.insert(sum.operands.begin(), {acc_bits, true});
      pins.insert(pins.begin(), base.begin(), base.end());
      const NodeId s = nl.add_cell(sum, pins, name + "_sum");
      std::vector<Signal> s_bits;
      for (uint32_t i = 0; i < acc_bits; ++i) {
        s_bits.push_back({s, i});
        nl.connect(acc[i].node, 0, {s, i});
      }
      const std::vector<Signal> out =
          L.requantize ? requantize(nl, s_bits, N.multiplier, L.shift, L.out_bits, name) : s_bits;
      next[n] = enabled_registers(nl, out, load, name + "_out");
    }
    valid = enabled_registers(nl, {valid}, load, "valid" + std::to_string(l + 1))[0];
    codes.swap(next);
  }

  TruthTable both(2);
  set_bit(both, 3);
  nl.add_output("valid_out", {{nl.add_cell(Lut{both}, {valid, first}, "valid_out"), 0}});
  nl.add_output("in_ready", {load});
  for (size_t c = 0; c < codes.size(); ++c) nl.add_output("class" + std::to_string(c), codes[c]);
  if (argmax && codes.size() >= 2) {
    std::vector<Signal> all;
    for (const auto& c : codes) all.insert(all.end(), c.begin(), c.end());
    const ArgMax am{static_cast<uint32_t>(codes.size()), m.score_bits(), m.signed_scores()};
    const NodeId p = nl.add_cell(am, all, "argmax");
    std::vector<Signal> idx;
    for (uint32_t b = 0; b < argmax_index_width(am.count); ++b) idx.push_back({p, b});
    nl.add_output("prediction", idx);
  }
  verify_or_throw(nl, "lower");
  return nl;
}

unsigned reused_latency(const Model& m, const std::vector<unsigned>& reuse) {
  unsigned ii = 1;
  for (unsigned r : reuse) ii = std::max(ii, r);
  return static_cast<unsigned>(m.layers.size()) * ii + 1;
}

}  // namespace lutforge::models
