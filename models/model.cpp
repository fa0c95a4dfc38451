#include "models/model.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <fstream>

#include "base/error.hpp"
#include "base/files.hpp"
#include "netlist/yosys_json.hpp"

namespace lutforge::models {
namespace {

using nlohmann::json;

// The index a neuron reads: its inputs' codes, input 0 in the lowest bits.
uint64_t gather(const std::vector<uint32_t>& codes, const std::vector<uint32_t>& inputs,
                size_t from, size_t count, unsigned bits) {
  uint64_t idx = 0;
  for (size_t j = 0; j < count; ++j) idx |= uint64_t{codes[inputs[from + j]]} << (j * bits);
  return idx;
}

uint32_t apply_tables(const std::vector<TruthTable>& tables, uint64_t idx) {
  uint32_t out = 0;
  for (size_t b = 0; b < tables.size(); ++b) out |= uint32_t{get_bit(tables[b], idx)} << b;
  return out;
}

}  // namespace

unsigned Layer::sum_bits() const {
  return unsigned_bits(uint64_t{sub_neurons} * ((uint64_t{1} << sub_bits) - 1));
}

FanInProfile fan_in_profile(const Layer& L) {
  FanInProfile p;
  p.by_fan_in.assign(L.fan_in + 1, 0);
  p.constants_apart = (L.kind == LayerKind::Lut && !L.sub_neurons) || L.kind == LayerKind::Gate;
  for (const Neuron& n : L.neurons) {
    const bool constant =
        p.constants_apart && std::all_of(n.tables.begin(), n.tables.end(), [](const TruthTable& t) {
          return is_constant(t, false) || is_constant(t, true);
        });
    if (constant)
      ++p.constant;
    else if (L.kind == LayerKind::Gate)
      ++p.by_fan_in.at(static_cast<size_t>(std::popcount(support(n.tables.at(0)))));
    else
      ++p.by_fan_in.at(n.inputs.size());
  }
  return p;
}

std::string describe(const FanInProfile& p) {
  std::string s;
  for (size_t k = 0; k < p.by_fan_in.size(); ++k)
    if (p.by_fan_in[k])
      s += (s.empty() ? "" : ", ") + std::to_string(p.by_fan_in[k]) + " of " + std::to_string(k) +
           (k == 1 ? " input" : " inputs");
  if (p.constants_apart) s += (s.empty() ? "" : ", ") + std::to_string(p.constant) + " constant";
  return s;
}

size_t Model::num_classes() const {
  if (head.kind == Head::Kind::GroupSum) return head.groups;
  return layers.empty() ? 0 : layers.back().neurons.size();
}

unsigned Model::score_bits() const {
  if (layers.empty()) return 1;
  if (head.kind == Head::Kind::GroupSum)
    return unsigned_bits(head.groups ? layers.back().neurons.size() / head.groups : 1);
  return layers.back().out_bits;
}

bool Model::signed_scores() const {
  return head.kind == Head::Kind::Codes && !layers.empty() &&
         layers.back().kind == LayerKind::Mac && !layers.back().requantize;
}

AccumulatorRange accumulator_range(const Layer& L, const Neuron& n) {
  const int64_t top = (int64_t{1} << L.in_bits) - 1;  // the largest input code
  AccumulatorRange r{n.bias, n.bias};
  for (int32_t w : n.weights) (w < 0 ? r.min : r.max) += int64_t{w} * top;
  return r;
}

unsigned unsigned_bits(uint64_t max) {
  unsigned b = 1;
  while (b < 64 && (max >> b) != 0) ++b;
  return b;
}

unsigned signed_bits(int64_t lo, int64_t hi) {
  unsigned bits = 1;
  while (bits < 63 && (lo < -(int64_t{1} << (bits - 1)) || hi >= (int64_t{1} << (bits - 1))))
    ++bits;
  return bits;
}

std::optional<uint32_t> constant_output(const Layer& L, const Neuron& n) {
  const AccumulatorRange r = accumulator_range(L, n);
  // A requantized code is monotone in the accumulator (the multiplier is unsigned).
  if (r.min == r.max || (L.requantize && mac_output(L, r.min, n) == mac_output(L, r.max, n)))
    return mac_output(L, r.min, n);
  return std::nullopt;
}

unsigned accumulator_bits(const Layer& L) {
  unsigned bits = 1;
  for (const Neuron& n : L.neurons) {
    if (L.requantize && constant_output(L, n)) continue;
    const AccumulatorRange r = accumulator_range(L, n);
    bits = std::max(bits, signed_bits(r.min, r.max));
  }
  return bits;
}

uint32_t mac_output(const Layer& L, int64_t acc, const Neuron& n) {
  if (!L.requantize) return static_cast<uint32_t>(acc) & ((uint64_t{1} << L.out_bits) - 1);
  const __int128 round = L.shift ? __int128{1} << (L.shift - 1) : 0;
  const __int128 scaled = (__int128{acc} * n.multiplier + round) >> L.shift;  // floor
  const __int128 top = (__int128{1} << L.out_bits) - 1;
  return static_cast<uint32_t>(scaled < 0 ? 0 : scaled > top ? top : scaled);
}

std::vector<uint32_t> head_scores(const Model& m, const std::vector<uint32_t>& last_codes) {
  if (m.head.kind == Head::Kind::Codes) return last_codes;
  const size_t group = last_codes.size() / m.head.groups;
  std::vector<uint32_t> scores(m.head.groups, 0);
  for (size_t i = 0; i < group * m.head.groups; ++i) scores[i / group] += last_codes[i] & 1;
  return scores;
}

void validate(const Model& m, const std::string& what) {
  auto fail = [&](const std::string& msg) { throw Error(what + ": " + msg); };
  if (m.input.thresholds.empty()) fail("the input quantizer has no features");
  if (m.layers.empty()) fail("no layers");
  size_t prev = m.input.num_features();
  unsigned prev_bits = m.input.bits;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const Layer& L = m.layers[l];
    const std::string at = "layer " + std::to_string(l);
    if (L.reads_bits()) {
      prev *= prev_bits;
      prev_bits = 1;
    }
    if (L.in_bits != prev_bits)
      fail(at + ": in_bits " + std::to_string(L.in_bits) + ", but its inputs have " +
           std::to_string(prev_bits) + " bits");
    if (L.kind == LayerKind::Mac) {
      if (L.weight_bits < 2 || L.weight_bits > 16) fail(at + ": weight_bits must be 2 to 16");
      if (L.shift > 48) fail(at + ": shift must be 0 to 48");
      if (!L.requantize && l + 1 != m.layers.size())
        fail(at + ": only the last layer may leave its accumulators unrequantized");
    }
    const unsigned max_out = L.kind == LayerKind::Mac && !L.requantize ? 32 : 16;
    if (L.out_bits < 1 || L.out_bits > max_out)
      fail(at + ": out_bits must be 1 to " + std::to_string(max_out));
    if (L.neurons.empty()) fail(at + ": no neurons");
    if (L.kind == LayerKind::Gate &&
        (L.fan_in != 2 || L.in_bits != 1 || L.out_bits != 1 || L.sub_neurons))
      fail(at + ": a gate layer has fan_in 2, in_bits 1 and out_bits 1");
    if (L.kind == LayerKind::Threshold && (L.in_bits != 1 || L.out_bits != 1 || L.sub_neurons))
      fail(at + ": a threshold layer has in_bits 1 and out_bits 1");
    if (L.sub_neurons && (L.fan_in % L.sub_neurons != 0 || L.sub_bits < 1 || L.sub_bits > 16))
      fail(at + ": fan_in must be a multiple of sub_neurons, and sub_bits 1 to 16");
    const unsigned table_vars = L.sub_fan_in() * L.in_bits;
    if (L.kind != LayerKind::Mac && L.kind != LayerKind::Threshold &&
        table_vars > TruthTable::kMaxVars)
      fail(at + ": tables of " + std::to_string(table_vars) + " inputs; at most " +
           std::to_string(TruthTable::kMaxVars));
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      const Neuron& N = L.neurons[n];
      const std::string where = at + ", neuron " + std::to_string(n);
      if (L.mixed_fan_in()) {
        if (N.inputs.empty() || N.inputs.size() > L.fan_in)
          fail(where + ": " + std::to_string(N.inputs.size()) + " inputs, expected 1 to fan_in " +
               std::to_string(L.fan_in));
      } else if (N.inputs.size() != L.fan_in) {
        fail(where + ": " + std::to_string(N.inputs.size()) + " inputs, expected fan_in " +
             std::to_string(L.fan_in));
      }
      for (uint32_t i : N.inputs)
        if (i >= prev)
          fail(where + ": input " + std::to_string(i) + " out of range (the layer before has " +
               std::to_string(prev) + ")");
      auto check_tables = [&](const std::vector<TruthTable>& t, size_t count, unsigned vars,
                              const std::string& which) {
        if (t.size() != count)
          fail(where + ": " + std::to_string(t.size()) + " " + which + " tables, expected " +
               std::to_string(count));
        for (const TruthTable& tt : t)
          if (tt.num_vars() != vars)
            fail(where + ": a " + which + " table of " + std::to_string(tt.num_vars()) +
                 " inputs, expected " + std::to_string(vars));
      };
      if (L.kind == LayerKind::Threshold) {
        if (N.threshold > N.inputs.size() + 1)
          fail(where + ": threshold " + std::to_string(N.threshold) + " for " +
               std::to_string(N.inputs.size()) + " inputs; expected 0 to " +
               std::to_string(N.inputs.size() + 1));
        if (!N.tables.empty()) fail(where + ": a threshold neuron has no tables");
      } else if (L.kind == LayerKind::Mac) {
        if (N.weights.size() != L.fan_in)
          fail(where + ": " + std::to_string(N.weights.size()) + " weights, expected fan_in " +
               std::to_string(L.fan_in));
        const int32_t lo = -(int32_t{1} << (L.weight_bits - 1)), hi = -lo - 1;
        for (int32_t w : N.weights)
          if (w < lo || w > hi)
            fail(where + ": weight " + std::to_string(w) + " does not fit " +
                 std::to_string(L.weight_bits) + " signed bits");
        if (N.multiplier > (1u << 24)) fail(where + ": multiplier above 2^24");
      } else if (L.sub_neurons) {
        if (N.sub.size() != L.sub_neurons)
          fail(where + ": " + std::to_string(N.sub.size()) + " sub-neurons, expected " +
               std::to_string(L.sub_neurons));
        for (const auto& s : N.sub) check_tables(s, L.sub_bits, table_vars, "sub-neuron");
        check_tables(N.requant, L.out_bits, L.sum_bits(), "requant");
      } else {
        // Over the neuron's own inputs: a plain LUT layer's fan-in is per neuron, and a gate
        // layer's neurons have their 2 inputs (checked above).
        check_tables(N.tables, L.out_bits, static_cast<unsigned>(N.inputs.size()) * L.in_bits,
                     "output");
      }
    }
    if (L.kind == LayerKind::Mac && !L.requantize && L.out_bits != accumulator_bits(L))
      fail(at + ": out_bits " + std::to_string(L.out_bits) + ", but the accumulators need " +
           std::to_string(accumulator_bits(L)) + " bits");
    prev = L.neurons.size();
    prev_bits = L.out_bits;
  }
  if (m.signed_scores() && m.head.kind != Head::Kind::Codes)
    fail("a MAC model's last layer feeds the codes head");
  if (m.head.kind == Head::Kind::GroupSum) {
    const Layer& last = m.layers.back();
    if (m.head.groups < 2 || last.neurons.size() % m.head.groups != 0)
      fail("group_sum head: " + std::to_string(m.head.groups) +
           " groups; expected at least 2 that divide the last layer's " +
           std::to_string(last.neurons.size()) + " neurons");
    if (last.out_bits != 1) fail("group_sum head: the last layer must have out_bits 1");
    if (!(m.head.tau > 0)) fail("group_sum head: tau must be positive");
  }
}

Model read_model(const std::string& text, const std::string& filename) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(filename + ": not valid JSON: " + e.what());
  }
  Model m;
  try {
    if (j.value("format", "") != "lutforge-model")
      throw Error(filename + ": not a lutforge model file (format is not \"lutforge-model\")");
    if (j.value("version", 0) != 1)
      throw Error(filename + ": model file version " + j.value("version", json(0)).dump() +
                  "; expected 1");
    m.family = j.at("family").get<std::string>();
    m.dataset = j.value("dataset", "");
    const json& in = j.at("input");
    const std::string kind = in.at("kind").get<std::string>();
    if (kind != "uniform" && kind != "thermometer")
      throw Error(filename + ": input kind '" + kind + "'; expected uniform or thermometer");
    m.input.kind =
        kind == "uniform" ? InputQuantizer::Kind::Uniform : InputQuantizer::Kind::Thermometer;
    m.input.bits = in.at("bits").get<unsigned>();
    m.input.thresholds = in.at("thresholds").get<std::vector<std::vector<float>>>();
    auto tables = [&](const json& a, unsigned vars, const std::string& where) {
      std::vector<TruthTable> t;
      for (const auto& h : a) {
        TruthTable tt;
        if (!from_hex(h.get<std::string>(), vars, tt))
          throw Error(filename + ": " + where + ": a table that is not " + std::to_string(vars) +
                      "-input hex");
        t.push_back(std::move(tt));
      }
      return t;
    };
    if (j.contains("head")) {
      const json& h = j.at("head");
      const std::string hk = h.at("kind").get<std::string>();
      if (hk != "codes" && hk != "group_sum")
        throw Error(filename + ": head kind '" + hk + "'; expected codes or group_sum");
      if (hk == "group_sum") {
        m.head.kind = Head::Kind::GroupSum;
        m.head.groups = h.at("groups").get<unsigned>();
        m.head.tau = h.at("tau").get<double>();
      }
    }
    const json& layers = j.at("layers");
    for (size_t l = 0; l < layers.size(); ++l) {
      const json& jl = layers[l];
      Layer L;
      const std::string lk = jl.value("kind", "lut");
      if (lk != "lut" && lk != "gate" && lk != "mac" && lk != "threshold")
        throw Error(filename + ": layer " + std::to_string(l) + ": kind '" + lk +
                    "'; expected lut, gate, mac or threshold");
      if (lk == "threshold") {
        // The widths follow from the kind, fan_in from the widest neuron.
        L.kind = LayerKind::Threshold;
        L.fan_in = 0;
        for (const json& jn : jl.at("neurons")) {
          Neuron N;
          N.inputs = jn.at("inputs").get<std::vector<uint32_t>>();
          N.threshold = jn.at("threshold").get<uint32_t>();
          L.fan_in = std::max(L.fan_in, static_cast<unsigned>(N.inputs.size()));
          L.neurons.push_back(std::move(N));
        }
        m.layers.push_back(std::move(L));
        continue;
      }
      if (lk == "mac") {
        L.kind = LayerKind::Mac;
        L.in_bits = jl.at("in_bits").get<unsigned>();
        L.out_bits = jl.at("out_bits").get<unsigned>();
        L.fan_in = jl.at("fan_in").get<unsigned>();
        L.weight_bits = jl.at("weight_bits").get<unsigned>();
        L.shift = jl.value("shift", 0u);
        L.requantize = jl.value("requantize", true);
        for (const json& jn : jl.at("neurons")) {
          Neuron N;
          N.inputs = jn.at("inputs").get<std::vector<uint32_t>>();
          N.weights = jn.at("weights").get<std::vector<int32_t>>();
          N.bias = jn.value("bias", int64_t{0});
          N.multiplier = jn.value("multiplier", 1u);
          L.neurons.push_back(std::move(N));
        }
        m.layers.push_back(std::move(L));
        continue;
      }
      if (lk == "gate") {
        // Gate layers store a gate id per neuron; the widths follow from the kind.
        L.kind = LayerKind::Gate;
        L.fan_in = 2;
        const json& neurons = jl.at("neurons");
        for (size_t n = 0; n < neurons.size(); ++n) {
          Neuron N;
          N.inputs = neurons[n].at("inputs").get<std::vector<uint32_t>>();
          const unsigned id = neurons[n].at("gate").get<unsigned>();
          if (id > 15)
            throw Error(filename + ": layer " + std::to_string(l) + ", neuron " +
                        std::to_string(n) + ": gate " + std::to_string(id) + "; expected 0 to 15");
          N.tables = {make_gate(id)};
          L.neurons.push_back(std::move(N));
        }
        m.layers.push_back(std::move(L));
        continue;
      }
      L.in_bits = jl.at("in_bits").get<unsigned>();
      L.out_bits = jl.at("out_bits").get<unsigned>();
      L.fan_in = jl.at("fan_in").get<unsigned>();
      L.sub_neurons = jl.value("sub_neurons", 0u);
      L.sub_bits = jl.value("sub_bits", 0u);
      if (L.fan_in == 0 || L.in_bits == 0 || (L.sub_neurons && L.fan_in % L.sub_neurons))
        throw Error(filename + ": layer " + std::to_string(l) +
                    ": fan_in and in_bits must be positive, fan_in a multiple of sub_neurons");
      const unsigned vars = L.sub_fan_in() * L.in_bits;
      if (vars > TruthTable::kMaxVars)
        throw Error(filename + ": layer " + std::to_string(l) + ": tables of " +
                    std::to_string(vars) + " inputs; at most " +
                    std::to_string(TruthTable::kMaxVars));
      const json& neurons = jl.at("neurons");
      for (size_t n = 0; n < neurons.size(); ++n) {
        const json& jn = neurons[n];
        const std::string where = "layer " + std::to_string(l) + ", neuron " + std::to_string(n);
        Neuron N;
        N.inputs = jn.at("inputs").get<std::vector<uint32_t>>();
        if (L.sub_neurons) {
          for (const auto& s : jn.at("sub")) N.sub.push_back(tables(s, vars, where));
          N.requant = tables(jn.at("requant"), L.sum_bits(), where);
        } else {  // a plain LUT layer: tables over the neuron's own inputs (mixed fan-in)
          N.tables =
              tables(jn.at("tables"), static_cast<unsigned>(N.inputs.size()) * L.in_bits, where);
        }
        L.neurons.push_back(std::move(N));
      }
      m.layers.push_back(std::move(L));
    }
  } catch (const json::exception& e) {
    throw Error(filename + ": " + e.what());
  }
  validate(m, filename);
  return m;
}

Model read_model_file(const std::string& path) { return read_model(read_file(path), path); }

bool is_model_file(const std::string& path) {
  // The keys are written in order: "dataset" and "family" (short strings) come before "format".
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open file for reading");
  std::string head(1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head.find("\"lutforge-model\"") != std::string::npos;
}

std::string write_model(const Model& m) {
  json j;
  j["format"] = "lutforge-model";
  j["version"] = 1;
  j["family"] = m.family;
  j["dataset"] = m.dataset;
  j["input"] = {{"kind", m.input.kind == InputQuantizer::Kind::Uniform ? "uniform" : "thermometer"},
                {"bits", m.input.bits},
                {"thresholds", m.input.thresholds}};
  if (m.head.kind == Head::Kind::GroupSum)
    j["head"] = {{"kind", "group_sum"}, {"groups", m.head.groups}, {"tau", m.head.tau}};
  json layers = json::array();
  auto hexes = [](const std::vector<TruthTable>& t) {
    json a = json::array();
    for (const auto& tt : t) a.push_back(to_hex(tt));
    return a;
  };
  for (const Layer& L : m.layers) {
    if (L.kind == LayerKind::Gate) {
      json neurons = json::array();
      for (const Neuron& N : L.neurons)
        neurons.push_back({{"inputs", N.inputs}, {"gate", gate_id_of(N.tables.at(0))}});
      layers.push_back({{"kind", "gate"}, {"neurons", neurons}});
      continue;
    }
    if (L.kind == LayerKind::Threshold) {
      json neurons = json::array();
      for (const Neuron& N : L.neurons)
        neurons.push_back({{"inputs", N.inputs}, {"threshold", N.threshold}});
      layers.push_back({{"kind", "threshold"}, {"neurons", neurons}});
      continue;
    }
    if (L.kind == LayerKind::Mac) {
      json neurons = json::array();
      for (const Neuron& N : L.neurons) {
        json jn = {{"inputs", N.inputs}, {"weights", N.weights}, {"bias", N.bias}};
        if (L.requantize) jn["multiplier"] = N.multiplier;
        neurons.push_back(jn);
      }
      layers.push_back({{"kind", "mac"},
                        {"in_bits", L.in_bits},
                        {"out_bits", L.out_bits},
                        {"fan_in", L.fan_in},
                        {"weight_bits", L.weight_bits},
                        {"shift", L.shift},
                        {"requantize", L.requantize},
                        {"neurons", neurons}});
      continue;
    }
    json jl = {{"in_bits", L.in_bits}, {"out_bits", L.out_bits}, {"fan_in", L.fan_in}};
    if (L.sub_neurons) {
      jl["sub_neurons"] = L.sub_neurons;
      jl["sub_bits"] = L.sub_bits;
    }
    json neurons = json::array();
    for (const Neuron& N : L.neurons) {
      json jn = {{"inputs", N.inputs}};
      if (L.sub_neurons) {
        json sub = json::array();
        for (const auto& s : N.sub) sub.push_back(hexes(s));
        jn["sub"] = sub;
        jn["requant"] = hexes(N.requant);
      } else {
        jn["tables"] = hexes(N.tables);
      }
      neurons.push_back(jn);
    }
    jl["neurons"] = neurons;
    layers.push_back(jl);
  }
  j["layers"] = layers;
  return j.dump(1) + "\n";
}

std::vector<uint32_t> input_codes(const Model& m, const float* features) {
  std::vector<uint32_t> codes(m.input.num_features());
  for (size_t f = 0; f < codes.size(); ++f) codes[f] = m.input.encode_feature(f, features[f]);
  return codes;
}

std::vector<std::vector<uint32_t>> layer_codes(const Model& m,
                                               const std::vector<uint32_t>& input_codes,
                                               const ForcedNeuron* force) {
  std::vector<std::vector<uint32_t>> out;
  out.reserve(m.layers.size());
  const std::vector<uint32_t>* codes = &input_codes;
  std::vector<uint32_t> bits;  // the inputs of a layer that reads bits: the codes' bits
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const Layer& L = m.layers[l];
    if (L.reads_bits()) {
      const unsigned width = l == 0 ? m.input.bits : m.layers[l - 1].out_bits;
      if (width != 1) {
        bits.assign(codes->size() * width, 0);
        for (size_t i = 0; i < bits.size(); ++i) bits[i] = ((*codes)[i / width] >> (i % width)) & 1;
        codes = &bits;
      }
    }
    std::vector<uint32_t> next(L.neurons.size(), 0);
    for (size_t n = 0; n < L.neurons.size(); ++n) {
      const Neuron& N = L.neurons[n];
      if (force && force->layer == l && force->neuron == n) {
        next[n] = force->value;
      } else if (L.kind == LayerKind::Threshold) {
        uint32_t set = 0;
        for (uint32_t i : N.inputs) set += (*codes)[i] & 1;
        next[n] = set >= N.threshold;
      } else if (L.kind == LayerKind::Mac) {
        int64_t acc = N.bias;
        for (size_t i = 0; i < N.inputs.size(); ++i)
          acc += int64_t{N.weights[i]} * (*codes)[N.inputs[i]];
        next[n] = mac_output(L, acc, N);
      } else if (L.sub_neurons) {
        uint64_t sum = 0;
        for (unsigned a = 0; a < L.sub_neurons; ++a)
          sum += apply_tables(N.sub[a], gather(*codes, N.inputs, size_t{a} * L.sub_fan_in(),
                                               L.sub_fan_in(), L.in_bits));
        next[n] = apply_tables(N.requant, sum);
      } else {
        next[n] = apply_tables(N.tables, gather(*codes, N.inputs, 0, N.inputs.size(), L.in_bits));
      }
    }
    out.push_back(std::move(next));
    codes = &out.back();
  }
  return out;
}

std::vector<uint32_t> class_scores(const Model& m, const std::vector<uint32_t>& input_codes) {
  auto codes = layer_codes(m, input_codes);
  return codes.empty() ? input_codes : head_scores(m, codes.back());
}

std::optional<ForcedNeuron> explain_scores(const Model& m, const std::vector<uint32_t>& input_codes,
                                           const std::vector<uint32_t>& scores) {
  const auto reference = layer_codes(m, input_codes);
  for (size_t l = 0; l < m.layers.size(); ++l)
    for (size_t n = 0; n < m.layers[l].neurons.size(); ++n)
      for (uint32_t v = 0; m.layers[l].out_bits <= 16 && v < (uint32_t{1} << m.layers[l].out_bits);
           ++v) {
        if (v == reference[l][n]) continue;
        const ForcedNeuron f{l, n, v};
        if (head_scores(m, layer_codes(m, input_codes, &f).back()) == scores) return f;
      }
  return std::nullopt;
}

int64_t score_value(const Model& m, uint32_t score) {
  const unsigned bits = m.score_bits();
  if (!m.signed_scores() || bits >= 64) return score;
  const int64_t v = score & ((int64_t{1} << bits) - 1);
  return (v >> (bits - 1)) & 1 ? v - (int64_t{1} << bits) : v;
}

uint32_t predict(const Model& m, const std::vector<uint32_t>& scores) {
  uint32_t best = 0;
  for (uint32_t c = 1; c < scores.size(); ++c)
    if (score_value(m, scores[c]) > score_value(m, scores[best])) best = c;
  return best;
}

}  // namespace lutforge::models
