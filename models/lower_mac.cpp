// Lowering of MAC layers (models/lower.hpp): every product of a constant weight and an input code
// is computed by a slice (PackedDsp), alone or packed with the products of the same input for
// other neurons (models/dsp_packing.hpp); each neuron adds its products and its bias in one Adder,
// and a requantizing layer rescales, rounds and clamps the sum with an Adder of shifted copies
// (the multiplier's set bits) and saturation LUTs.
#include "models/lower_mac.hpp"

#include <algorithm>
#include <map>

#include "base/error.hpp"

namespace lutforge::models {
namespace {

// A constant as `width` signals, two's complement.
std::vector<Signal> constant_bits(Netlist& nl, int64_t v, uint32_t width) {
  std::vector<Signal> bits;
  for (uint32_t i = 0; i < width; ++i) bits.push_back(nl.constant(i < 63 ? (v >> i) & 1 : v < 0));
  return bits;
}

// OR of `bits` as a tree of LUTs of up to six inputs.
Signal or_tree(Netlist& nl, std::vector<Signal> bits, const std::string& name) {
  if (bits.empty()) return nl.constant(false);
  for (unsigned level = 0; bits.size() > 1; ++level) {
    std::vector<Signal> next;
    for (size_t i = 0; i < bits.size(); i += 6) {
      const size_t n = std::min<size_t>(6, bits.size() - i);
      if (n == 1) {
        next.push_back(bits[i]);
        continue;
      }
      TruthTable any(static_cast<unsigned>(n));
      for (uint64_t v = 1; v < (uint64_t{1} << n); ++v) set_bit(any, v);
      next.push_back(
          {nl.add_cell(Lut{any}, {bits.begin() + i, bits.begin() + i + n},
                       name + "_or" + std::to_string(level) + "_" + std::to_string(i / 6)),
           0});
    }
    bits.swap(next);
  }
  return bits[0];
}

}  // namespace

bool any_weight(const Neuron& n, size_t first, size_t count) {
  const size_t end = std::min(n.weights.size(), first + count);
  for (size_t i = first; i < end; ++i)
    if (n.weights[i] != 0) return true;
  return false;
}

bool is_live(const Layer& L, const Neuron& n) { return !constant_output(L, n); }

std::vector<Signal> pruned_code(Netlist& nl, const Layer& L, const Neuron& n) {
  const uint32_t code = constant_output(L, n).value_or(mac_output(L, n.bias, n));
  std::vector<Signal> bits;
  for (unsigned b = 0; b < L.out_bits; ++b) bits.push_back(nl.constant((code >> b) & 1));
  return bits;
}

// clamp((acc * m + r) >> shift, 0, 2^out_bits - 1), acc signed.
std::vector<Signal> requantize(Netlist& nl, const std::vector<Signal>& acc, uint32_t m,
                               unsigned shift, unsigned out_bits, const std::string& name) {
  const uint32_t acc_bits = static_cast<uint32_t>(acc.size());
  uint32_t m_bits = 0;
  while (m_bits < 32 && (uint64_t{m} >> m_bits)) ++m_bits;
  const uint32_t width = acc_bits + m_bits + 1;
  Adder scale;
  scale.width = width;
  std::vector<Signal> pins;
  for (uint32_t j = 0; j < m_bits; ++j) {
    if (!((m >> j) & 1)) continue;
    scale.operands.push_back({acc_bits + j, true});
    for (uint32_t i = 0; i < j; ++i) pins.push_back(nl.constant(false));
    pins.insert(pins.end(), acc.begin(), acc.end());
  }
  if (shift) {
    scale.operands.push_back({shift, false});
    for (uint32_t i = 0; i < shift; ++i) pins.push_back(nl.constant(i + 1 == shift));
  }
  std::vector<Signal> scaled;
  if (scale.operands.empty()) return constant_bits(nl, 0, out_bits);
  const NodeId s = nl.add_cell(scale, pins, name + "_scaled");
  for (uint32_t i = 0; i < width; ++i) scaled.push_back({s, i});
  const Signal neg = scaled.back();
  auto bit = [&](uint32_t i) { return i < width ? scaled[i] : neg; };
  std::vector<Signal> above;
  for (uint32_t i = shift + out_bits; i + 1 < width; ++i) above.push_back(scaled[i]);
  const Signal over = or_tree(nl, above, name);
  // pins: 0 = the bit, 1 = above the range, 2 = negative
  TruthTable sat(3);
  for (uint64_t v = 0; v < 8; ++v)
    if (!((v >> 2) & 1) && (((v >> 1) & 1) || (v & 1))) set_bit(sat, v);
  std::vector<Signal> out;
  for (unsigned b = 0; b < out_bits; ++b)
    out.push_back(
        {nl.add_cell(Lut{sat}, {bit(shift + b), over, neg}, name + "_b" + std::to_string(b)), 0});
  return out;
}

std::vector<std::vector<Signal>> lower_mac_layer(Netlist& nl, const Layer& L,
                                                 const std::vector<std::vector<Signal>>& codes,
                                                 const MacLowering& p, const std::string& prefix) {
  const uint32_t product_bits = L.weight_bits + L.in_bits;
  // products[n]: each product's signals, two's complement.
  std::vector<std::vector<std::vector<Signal>>> products(L.neurons.size());
  // Who multiplies input i, and by what: (neuron, weight), in neuron order.
  std::map<uint32_t, std::vector<std::pair<size_t, int64_t>>> users;
  for (size_t n = 0; n < L.neurons.size(); ++n)
    for (size_t j = 0; j < L.neurons[n].inputs.size(); ++j)
      if (L.neurons[n].weights[j] != 0)
        users[L.neurons[n].inputs[j]].push_back({n, L.neurons[n].weights[j]});
  std::optional<PackingConfig> pack;
  if (p.packing) {
    pack = best_packing(p.family, L.weight_bits, true, L.in_bits, false);
    if (!pack) throw Error(prefix + ": no packing of these widths fits the slice");
  }
  for (const auto& [input, list] : users) {
    const std::vector<Signal>& y = codes[input];
    if (pack) {
      for (size_t from = 0; from < list.size(); from += pack->count) {
        const size_t to = std::min(list.size(), from + pack->count);
        std::vector<int64_t> weights;
        for (size_t k = from; k < to; ++k) weights.push_back(list[k].second);
        const auto fields = add_packed_constant_products(
            nl, *pack, p.family, weights, y,
            prefix + "_x" + std::to_string(input) + "_dsp" + std::to_string(from / pack->count));
        for (size_t k = from; k < to; ++k) products[list[k].first].push_back(fields[k - from]);
      }
      continue;
    }
    for (const auto& [n, w] : list) {
      // One slice per product; the constant weight on A, the unsigned code (a 0 above it) on B.
      std::vector<Signal> pins = constant_bits(nl, w, L.weight_bits);
      pins.insert(pins.end(), y.begin(), y.end());
      pins.push_back(nl.constant(false));
      const NodeId m =
          nl.add_cell(PackedDsp{L.weight_bits, L.in_bits + 1, 0, product_bits, true}, pins,
                      prefix + "_n" + std::to_string(n) + "_x" + std::to_string(input));
      std::vector<Signal> bits;
      for (uint32_t i = 0; i < product_bits; ++i) bits.push_back({m, i});
      products[n].push_back(bits);
    }
  }
  const uint32_t acc_bits = accumulator_bits(L);
  std::vector<std::vector<Signal>> out(L.neurons.size());
  for (size_t n = 0; n < L.neurons.size(); ++n) {
    const Neuron& N = L.neurons[n];
    const std::string name = prefix + "_n" + std::to_string(n);
    if (!is_live(L, N)) {
      out[n] = pruned_code(nl, L, N);
      continue;
    }
    Adder sum;
    sum.width = acc_bits;
    std::vector<Signal> pins;
    for (const auto& prod : products[n]) {
      sum.operands.push_back({static_cast<uint32_t>(prod.size()), true});
      pins.insert(pins.end(), prod.begin(), prod.end());
    }
    const uint32_t bias_bits = signed_bits(N.bias, N.bias);
    sum.operands.push_back({bias_bits, true});
    const auto bias = constant_bits(nl, N.bias, bias_bits);
    pins.insert(pins.end(), bias.begin(), bias.end());
    const NodeId acc = nl.add_cell(sum, pins, name + "_acc");
    std::vector<Signal> acc_bits_v;
    for (uint32_t i = 0; i < acc_bits; ++i) acc_bits_v.push_back({acc, i});
    out[n] = L.requantize ? requantize(nl, acc_bits_v, N.multiplier, L.shift, L.out_bits, name)
                          : acc_bits_v;
  }
  return out;
}

}  // namespace lutforge::models
