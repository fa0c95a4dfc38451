// Lowering of a MAC network with reuse factors (LowerParams::reuse_factor), as hls4ml users know
// it: in layer l, each slice serves R_l products over R_l cycles.
//
// Timing. A counter c runs 0, 1, ..., II - 1, 0, ... with II the largest R_l (the initiation
// interval). in_ready is high when c = 0; the input codes and valid_in are registered at the
// edge that ends that cycle. A frame is the II cycles that follow, c = 1, ..., II - 1, 0, and its
// slot t is (c - 1) mod II. Every layer works on one frame at a time:
//   - when R_l slots hold fewer than two neurons' F inputs, neuron n has ceil(F / R_l) slices:
//     slice k multiplies, in slot t < R_l, input k * R_l + t (a multiplexer of the input codes on
//     the counter) by its weight (a LUT of the counter), and 0 in the slots after R_l; they add to
//     one accumulator, whose sum s = (t = 0 ? bias : acc) + the slot's products is the neuron's
//     whole accumulator at the edge that ends slot II - 1, when the neuron's output register takes
//     its requantized s;
//   - otherwise one slice serves m = floor(R_l / F) neurons in turn, F slots each, with its own
//     accumulator: s restarts from the bias of each neuron, and at the neuron's last slot a
//     result register takes its requantized s, which the output register takes at the frame's
//     end (schedule() below);
//   - at the frame's end a valid bit moves one layer on.
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

class ReuseBuilder {
 public:
  ReuseBuilder(Netlist& nl, unsigned ii) : nl_(nl), ii_(ii), cbits_(unsigned_bits(ii - 1)) {
    for (uint32_t b = 0; b < cbits_; ++b)
      counter_.push_back({nl.add_cell(Dff{}, {}, "count_q" + std::to_string(b)), 0});
    // next = c + 1, and 0 after II - 1; then close the registers' loops.
    for (uint32_t b = 0; b < cbits_; ++b) {
      const Signal next = on_counter([&](uint64_t c) { return (((c + 1) % ii_) >> b) & 1; },
                                     "count_d" + std::to_string(b));
      nl.connect(counter_[b].node, 0, next);
      next_.push_back(next);
    }
  }

  // A LUT of the counter bits: f(c) for c < II (0 beyond).
  // f(c) for c < II (0 beyond): one LUT of the counter bits, or with more than six of them, LUTs
  // of the low six for each value of the others and a multiplexer tree on those.
  template <typename F>
  Signal on_counter(F f, const std::string& name) {
    const uint32_t low = std::min(cbits_, 6u);
    std::vector<Signal> parts;
    for (uint64_t high = 0; high < (uint64_t{1} << (cbits_ - low)); ++high) {
      TruthTable t(low);
      bool any = false, all = true;
      for (uint64_t c0 = 0; c0 < (uint64_t{1} << low); ++c0) {
        const uint64_t c = (high << low) | c0;
        const bool v = c < ii_ && f(c);
        if (v) set_bit(t, c0);
        any |= v;
        all &= v;
      }
      if (!any || all) {
        parts.push_back(nl_.constant(all));
        continue;
      }
      const std::vector<uint64_t> key(t.words(), t.words() + t.num_words());
      auto it = luts_.find(key);
      if (it == luts_.end()) {
        const std::vector<Signal> pins(counter_.begin(), counter_.begin() + low);
        it = luts_
                 .emplace(key,
                          Signal{nl_.add_cell(Lut{t}, pins, name + "_" + std::to_string(high)), 0})
                 .first;
      }
      parts.push_back(it->second);
    }
    return tree(std::move(parts), low, name);
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
      out.push_back(tree(std::move(level), 0, name + "_b" + std::to_string(b)));
    }
    return out;
  }

  // level[i] selected by counter bits sel, sel + 1, ... (level.size() = 2^(cbits - sel)), as
  // 4:1 multiplexers (LUT6) on two bits at a time; equal inputs need no multiplexer.
  Signal tree(std::vector<Signal> level, uint32_t sel, const std::string& name) {
    for (; level.size() > 1; sel += 2) {
      const uint32_t n = sel + 1 < cbits_ ? 4 : 2;  // inputs per multiplexer at this level
      std::vector<Signal> next;
      for (size_t i = 0; i < level.size(); i += n) {
        std::vector<Signal> pins(level.begin() + static_cast<std::ptrdiff_t>(i),
                                 level.begin() + static_cast<std::ptrdiff_t>(i + n));
        if (std::all_of(pins.begin(), pins.end(), [&](const Signal& s) { return s == pins[0]; })) {
          next.push_back(pins[0]);
          continue;
        }
        const uint32_t s_bits = n == 4 ? 2 : 1;
        TruthTable t(n + s_bits);  // pins: the n data, then the select bits
        for (uint64_t v = 0; v < (uint64_t{1} << (n + s_bits)); ++v) {
          const uint64_t select = v >> n;
          if ((v >> select) & 1) set_bit(t, v);
        }
        for (uint32_t k = 0; k < s_bits; ++k) pins.push_back(counter_[sel + k]);
        next.push_back(
            {nl_.add_cell(Lut{t}, pins,
                          name + "_m" + std::to_string(sel) + "_" + std::to_string(i / n)),
             0});
      }
      level.swap(next);
    }
    return level[0];
  }

  const std::vector<Signal>& counter() const { return counter_; }
  // The counter's next value, (c + 1) mod II.
  const std::vector<Signal>& next() const { return next_; }
  unsigned ii() const { return ii_; }

 private:
  Netlist& nl_;
  unsigned ii_;
  uint32_t cbits_;
  std::vector<Signal> counter_, next_;
  std::map<std::vector<uint64_t>, Signal> luts_;  // by truth table: one LUT per function
};

// The weight bits of one layer's slices, each a function f(c) of the counter state. In LUTs
// (ReuseBuilder::on_counter), or with MacLowering::weights_in_bram as the columns of one ROM
// per layer: the ROM reads the word of the counter's next value, and a register per column
// takes it, so that in counter state c the register holds f(c) (initially f(0), the counter
// starting at 0). synth_xilinx maps the ROM and its registers to block RAM. Constant columns
// need no storage, and equal columns share one.
class WeightBits {
 public:
  WeightBits(Netlist& nl, ReuseBuilder& rb, bool in_bram) : nl_(nl), rb_(rb), in_bram_(in_bram) {}

  template <typename F>
  Signal bit(F f, const std::string& name) {
    if (!in_bram_) return rb_.on_counter(f, name);
    const uint32_t aw = static_cast<uint32_t>(rb_.counter().size());
    TruthTable t(aw);
    bool any = false, all = true;
    for (uint64_t c = 0; c < rb_.ii(); ++c) {
      const bool v = f(c);
      if (v) set_bit(t, c);
      any |= v;
      all &= v;
    }
    if (!any || all) return nl_.constant(all);
    const std::vector<uint64_t> key(t.words(), t.words() + t.num_words());
    auto it = columns_.find(key);
    if (it != columns_.end()) return {registers_[it->second], 0};
    Dff q;
    q.init = get_bit(t, 0);
    columns_.emplace(key, registers_.size());
    registers_.push_back(nl_.add_cell(q, {}, name + "_q"));
    data_.push_back(std::move(t));
    return {registers_.back(), 0};
  }

  // Builds the layer's ROM and connects its registers; the next layer starts a new memory.
  void finish(const std::string& name) {
    if (!registers_.empty()) {
      const uint32_t aw = static_cast<uint32_t>(rb_.counter().size());
      // Column i at address a is f_i(a); the register reads it at address (c + 1) mod II.
      const NodeId rom = nl_.add_cell(Rom{aw, std::move(data_)}, rb_.next(), name);
      for (size_t i = 0; i < registers_.size(); ++i)
        nl_.connect(registers_[i], 0, {rom, static_cast<uint32_t>(i)});
    }
    registers_.clear();
    data_.clear();
    columns_.clear();
  }

 private:
  Netlist& nl_;
  ReuseBuilder& rb_;
  bool in_bram_;
  std::vector<NodeId> registers_;
  std::vector<TruthTable> data_;
  std::map<std::vector<uint64_t>, size_t> columns_;
};

// What one slice (or one field of a packed slice) does: in counter state c, the product of input
// `input` of neuron `neuron` (at[c]), or nothing; and the accumulator it adds to.
struct Lane {
  struct Use {
    size_t neuron, input;
  };
  std::vector<std::optional<Use>> at;
  size_t accumulator = 0;
};
// A neuron's products reach its accumulator from slot `first` to slot `last` of the frame.
struct Segment {
  size_t neuron;
  uint64_t first, last;
};
struct Schedule {
  std::vector<Lane> lanes;
  std::vector<std::vector<Segment>> accumulators;  // each accumulator's segments, in slot order
};

// The slots of layer L at reuse factor r, in a frame of ii slots (counter state c is slot
// (c - 1) mod ii). With F inputs per neuron:
//   when r < 2F, neuron n has ceil(F / r) lanes, lane k taking inputs k*r .. k*r + r - 1 in
//   slots 0 .. r - 1, all adding to the neuron's accumulator, whose one segment spans the frame;
//   otherwise a lane serves up to m = floor(r / F) neurons one after another, F slots each, with
//   an accumulator of its own (one segment per neuron).
// Pruned weights cost nothing: a lane whose weights are all zero is left out (the lanes keep
// their inputs, so that a pruned lane is a slice less), and a neuron without a nonzero weight has
// no lane and no accumulator (its code is a constant, lower_reused()); nor has a neuron that
// nothing reads (read[n] false).
Schedule schedule(const Layer& L, unsigned r, unsigned ii, const std::vector<bool>& read) {
  Schedule plan;
  const size_t F = L.fan_in, N = L.neurons.size();
  auto counter_of = [&](uint64_t t) { return (t + 1) % ii; };
  const size_t m = r / F;
  if (m < 2) {
    const size_t per = (F + r - 1) / r;
    for (size_t n = 0; n < N; ++n) {
      if (!is_live(L, L.neurons[n]) || !read[n]) continue;
      const size_t accumulator = plan.accumulators.size();
      plan.accumulators.push_back({{n, 0, ii - 1}});
      for (size_t k = 0; k < per; ++k) {
        if (!any_weight(L.neurons[n], k * r, r)) continue;
        Lane lane;
        lane.at.assign(ii, std::nullopt);
        lane.accumulator = accumulator;
        for (uint64_t t = 0; t < r && k * r + t < F; ++t)
          lane.at[counter_of(t)] = Lane::Use{n, static_cast<size_t>(k * r + t)};
        plan.lanes.push_back(std::move(lane));
      }
    }
    return plan;
  }
  // Which neurons share a lane, m at a time. Neurons that read the same inputs (the filters of a
  // convolution at one position, or all neurons of a dense layer) form a class; the lanes take
  // the classes' first members, then their second members, and so on, so that the lanes of
  // different ranks read the same inputs in the same slots and share multiplexers and packed
  // slices. A rank with fewer than m members continues into the next.
  std::map<std::vector<uint32_t>, size_t> class_of;
  std::vector<std::vector<size_t>> classes;
  for (size_t n = 0; n < N; ++n) {
    if (!is_live(L, L.neurons[n]) || !read[n]) continue;
    const auto [it, fresh] = class_of.emplace(L.neurons[n].inputs, classes.size());
    if (fresh) classes.emplace_back();
    classes[it->second].push_back(n);
  }
  std::vector<std::vector<size_t>> members;  // each lane's neurons, in slot order
  std::vector<size_t> carry;
  for (size_t rank = 0;; ++rank) {
    std::vector<size_t> row;
    for (const auto& c : classes)
      if (rank < c.size()) row.push_back(c[rank]);
    if (row.empty()) break;
    if (row.size() < m) {
      carry.insert(carry.end(), row.begin(), row.end());
    } else {
      for (size_t from = 0; from < row.size(); from += m)
        members.emplace_back(
            row.begin() + static_cast<std::ptrdiff_t>(from),
            row.begin() + static_cast<std::ptrdiff_t>(std::min(row.size(), from + m)));
    }
    while (carry.size() >= m || (!carry.empty() && row.size() >= m)) {
      const size_t take = std::min(m, carry.size());
      members.emplace_back(carry.begin(), carry.begin() + static_cast<std::ptrdiff_t>(take));
      carry.erase(carry.begin(), carry.begin() + static_cast<std::ptrdiff_t>(take));
    }
  }
  if (!carry.empty()) members.push_back(carry);
  for (const std::vector<size_t>& neurons : members) {
    Lane lane;
    lane.at.assign(ii, std::nullopt);
    lane.accumulator = plan.accumulators.size();
    std::vector<Segment> segs;
    for (size_t i = 0; i < neurons.size(); ++i) {
      segs.push_back({neurons[i], i * F, i * F + F - 1});
      for (uint64_t j = 0; j < F; ++j) lane.at[counter_of(i * F + j)] = Lane::Use{neurons[i], j};
    }
    plan.accumulators.push_back(std::move(segs));
    plan.lanes.push_back(std::move(lane));
  }
  return plan;
}

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

std::vector<std::vector<bool>> read_neurons(const Model& m) {
  std::vector<std::vector<bool>> read(m.layers.size());
  read.back().assign(m.layers.back().neurons.size(), true);
  for (size_t l = m.layers.size(); l-- > 0;) {
    if (l + 1 < m.layers.size()) {
      read[l].assign(m.layers[l].neurons.size(), false);
      const Layer& next = m.layers[l + 1];
      for (size_t n = 0; n < next.neurons.size(); ++n) {
        if (!read[l + 1][n]) continue;
        const Neuron& N = next.neurons[n];
        for (size_t i = 0; i < N.weights.size(); ++i)
          if (N.weights[i] != 0) read[l][N.inputs[i]] = true;
      }
    }
    const Layer& L = m.layers[l];
    for (size_t n = 0; n < L.neurons.size(); ++n)
      if (!is_live(L, L.neurons[n])) read[l][n] = false;
  }
  return read;
}

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

  std::vector<std::vector<bool>> read;
  if (mac.keep_unread)
    for (const Layer& L : m.layers) read.emplace_back(L.neurons.size(), true);
  else
    read = read_neurons(m);

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
    const std::string layer = "l" + std::to_string(l);
    const Schedule plan = schedule(L, reuse[l], ii, read[l]);
    WeightBits weight_bits(nl, rb, mac.weights_in_bram);
    // The operand multiplexers, one per distinct sequence of inputs.
    std::map<std::vector<uint32_t>, std::vector<Signal>> muxes;
    auto operand = [&](const std::vector<uint32_t>& key) -> const std::vector<Signal>& {
      auto it = muxes.find(key);
      if (it == muxes.end()) {
        std::vector<const std::vector<Signal>*> data(ii, nullptr);
        for (uint64_t c = 0; c < ii; ++c)
          if (key[c] != UINT32_MAX) data[c] = &codes[key[c]];
        it = muxes
                 .emplace(key,
                          rb.mux(data, L.in_bits, layer + "_mux" + std::to_string(muxes.size())))
                 .first;
      }
      return it->second;
    };
    auto input_key = [&](const Lane& lane) {
      std::vector<uint32_t> key;
      for (const auto& at : lane.at)
        key.push_back(at ? L.neurons[at->neuron].inputs[at->input] : UINT32_MAX);
      return key;
    };
    auto weight_at = [&](const Lane& lane, uint64_t c) -> int64_t {
      const auto& at = lane.at[c];
      return at ? L.neurons[at->neuron].weights[at->input] : 0;
    };

    // Each accumulator's products of a slot, one per lane (two's complement signal vectors).
    std::vector<std::vector<std::vector<Signal>>> products(plan.accumulators.size());
    if (mac.packing) {
      const auto pack = best_packing(mac.family, L.weight_bits, true, L.in_bits, false);
      if (!pack) throw Error(layer + ": no packing of these widths fits the slice");
      const uint32_t x_width = slice_ports(mac.family).multiplicand;
      // Lanes that read the same inputs in the same slots share slices, pack->count at a time.
      std::map<std::vector<uint32_t>, std::vector<size_t>> groups;
      for (size_t i = 0; i < plan.lanes.size(); ++i) groups[input_key(plan.lanes[i])].push_back(i);
      size_t slice = 0;
      for (const auto& [key, members] : groups)
        for (size_t from = 0; from < members.size(); from += pack->count, ++slice) {
          const std::vector<size_t> part(
              members.begin() + static_cast<std::ptrdiff_t>(from),
              members.begin() +
                  static_cast<std::ptrdiff_t>(std::min(members.size(), from + pack->count)));
          const std::string name = layer + "_pack" + std::to_string(slice);
          std::vector<Signal> x_word;
          for (uint32_t b = 0; b < x_width; ++b)
            x_word.push_back(weight_bits.bit(
                [&](uint64_t c) {
                  std::vector<int64_t> w;
                  for (size_t i : part) w.push_back(weight_at(plan.lanes[i], c));
                  return (packed_word(*pack, w, x_width) >> b) & 1;
                },
                name + "_w" + std::to_string(b)));
          const auto fields =
              add_packed_slice(nl, *pack, mac.family, x_word, static_cast<unsigned>(part.size()),
                               operand(key), name);
          for (size_t i = 0; i < part.size(); ++i)
            products[plan.lanes[part[i]].accumulator].push_back(fields[i]);
        }
    } else {
      const uint32_t product_bits = L.weight_bits + L.in_bits;
      for (size_t i = 0; i < plan.lanes.size(); ++i) {
        const Lane& lane = plan.lanes[i];
        const std::string name = layer + "_slice" + std::to_string(i);
        std::vector<Signal> dsp_pins;
        for (uint32_t b = 0; b < L.weight_bits; ++b)
          dsp_pins.push_back(weight_bits.bit(
              [&](uint64_t c) { return (static_cast<uint64_t>(weight_at(lane, c)) >> b) & 1; },
              name + "_w" + std::to_string(b)));
        const std::vector<Signal>& y = operand(input_key(lane));
        dsp_pins.insert(dsp_pins.end(), y.begin(), y.end());
        dsp_pins.push_back(nl.constant(false));  // the code is unsigned: a 0 above it
        const NodeId p = nl.add_cell(PackedDsp{L.weight_bits, L.in_bits + 1, 0, product_bits, true},
                                     dsp_pins, name);
        std::vector<Signal> bits;
        for (uint32_t k = 0; k < product_bits; ++k) bits.push_back({p, k});
        products[lane.accumulator].push_back(bits);
      }
    }

    weight_bits.finish(layer + "_weights");

    // The accumulators: s = (a segment starts ? its bias : acc) + the products, acc takes s, and
    // each segment's neuron takes its (requantized) s at the segment's last slot.
    const uint32_t acc_bits = accumulator_bits(L);
    std::vector<std::vector<Signal>> next(L.neurons.size());
    for (size_t a = 0; a < plan.accumulators.size(); ++a) {
      const std::vector<Segment>& segs = plan.accumulators[a];
      const std::string name = layer + "_acc" + std::to_string(a);
      auto segment_at = [&](uint64_t c, bool first_slot) -> const Segment* {
        const uint64_t t = rb.slot(c);
        for (const Segment& g : segs)
          if (t == (first_slot ? g.first : g.last)) return &g;
        return nullptr;
      };
      std::vector<Signal> acc;
      for (uint32_t i = 0; i < acc_bits; ++i)
        acc.push_back({nl.add_cell(Dff{}, {}, name + "_q" + std::to_string(i)), 0});
      const Signal start = rb.on_counter([&](uint64_t c) { return segment_at(c, true) != nullptr; },
                                         name + "_start");
      std::vector<Signal> base;
      for (uint32_t i = 0; i < acc_bits; ++i) {
        const Signal bias = rb.on_counter(
            [&](uint64_t c) {
              const Segment* g = segment_at(c, true);
              if (!g) return false;
              const int64_t v = L.neurons[g->neuron].bias;
              return i < 63 ? ((v >> i) & 1) != 0 : v < 0;
            },
            name + "_bias" + std::to_string(i));
        TruthTable pick(3);  // pins: acc bit, start, bias bit
        for (uint64_t v = 0; v < 8; ++v)
          if (((v >> 1) & 1) ? ((v >> 2) & 1) : (v & 1)) set_bit(pick, v);
        base.push_back(
            {nl.add_cell(Lut{pick}, {acc[i], start, bias}, name + "_base" + std::to_string(i)), 0});
      }
      Adder sum;
      sum.width = acc_bits;
      sum.operands.push_back({acc_bits, true});
      std::vector<Signal> pins = base;
      for (const auto& prod : products[a]) {
        sum.operands.push_back({static_cast<uint32_t>(prod.size()), true});
        pins.insert(pins.end(), prod.begin(), prod.end());
      }
      const NodeId s = nl.add_cell(sum, pins, name + "_sum");
      std::vector<Signal> s_bits;
      for (uint32_t i = 0; i < acc_bits; ++i) {
        s_bits.push_back({s, i});
        nl.connect(acc[i].node, 0, {s, i});
      }
      // The requantizer depends on the neuron only through its multiplier: the segments of a
      // convolution's lane (one filter at several positions) share one.
      std::map<uint32_t, std::vector<Signal>> requantized;
      for (const Segment& g : segs) {
        const Neuron& N = L.neurons[g.neuron];
        const std::string out_name = layer + "_n" + std::to_string(g.neuron);
        if (L.requantize && !requantized.count(N.multiplier))
          requantized[N.multiplier] =
              requantize(nl, s_bits, N.multiplier, L.shift, L.out_bits, out_name);
        const std::vector<Signal> out = L.requantize ? requantized[N.multiplier] : s_bits;
        if (g.last == ii - 1) {  // complete at the frame's end: one register
          next[g.neuron] = enabled_registers(nl, out, load, out_name + "_out");
          continue;
        }
        const Signal done =
            rb.on_counter([&](uint64_t c) { return rb.slot(c) == g.last; }, out_name + "_done");
        next[g.neuron] = enabled_registers(
            nl, enabled_registers(nl, out, done, out_name + "_result"), load, out_name + "_out");
      }
    }
    // The pruned neurons: their bias alone, a constant code.
    for (size_t n = 0; n < L.neurons.size(); ++n)
      if (!is_live(L, L.neurons[n]) || !read[l][n]) next[n] = pruned_code(nl, L, L.neurons[n]);
    valid = enabled_registers(nl, {valid}, load, "valid" + std::to_string(l + 1))[0];
    codes.swap(next);
  }

  TruthTable both(2);
  set_bit(both, 3);
  nl.add_output("valid_out", {{nl.add_cell(Lut{both}, {valid, first}, "valid_out"), 0}});
  nl.add_output("in_ready", {load});
  add_score_ports(nl, m, codes, argmax);
  verify_or_throw(nl, "lower");
  return nl;
}

unsigned reused_latency(const Model& m, const std::vector<unsigned>& reuse) {
  unsigned ii = 1;
  for (unsigned r : reuse) ii = std::max(ii, r);
  return static_cast<unsigned>(m.layers.size()) * ii + 1;
}

}  // namespace lutforge::models
