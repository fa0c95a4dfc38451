#include "train/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "base/error.hpp"
#include "prune/prune.hpp"

namespace lutforge::train {

namespace {

// Reads one table of the file, checking that every key in it is known and has the right type.
class Section {
 public:
  Section(const toml::table* t, std::string name, const std::string& source)
      : t_(t), name_(std::move(name)), source_(source) {}

  // Throws for keys the code never asked for; call after reading all keys.
  void reject_unknown() const {
    if (!t_) return;
    for (const auto& [k, node] : *t_)
      if (!asked_.count(std::string(k.str())))
        throw Error(where(node) + ": unknown key '" + std::string(k.str()) + "' in [" + name_ +
                    "]");
  }

  bool has(const std::string& key) {
    asked_.insert(key);
    return t_ && t_->contains(key);
  }

  std::string str(const std::string& key, const std::string& fallback, bool required = false) {
    if (!has(key)) return missing(key, required, fallback);
    const toml::node& n = *t_->get(key);
    if (!n.is_string()) throw Error(where(n) + ": [" + name_ + "] " + key + " must be a string");
    return *n.value<std::string>();
  }

  uint64_t integer(const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi) {
    if (!has(key)) return fallback;
    return checked_integer(*t_->get(key), key, lo, hi);
  }

  double real(const std::string& key, double fallback, double lo, double hi) {
    if (!has(key)) return fallback;
    return checked_real(*t_->get(key), key, lo, hi);
  }

  // An array of integers in [lo, hi]; a single integer is read as an array of one.
  std::vector<unsigned> integers(const std::string& key, uint64_t lo, uint64_t hi, bool required) {
    std::vector<unsigned> out;
    if (!has(key)) {
      if (required) missing(key, true, "");
      return out;
    }
    const toml::node& n = *t_->get(key);
    if (const toml::array* a = n.as_array()) {
      for (const toml::node& e : *a)
        out.push_back(static_cast<unsigned>(checked_integer(e, key, lo, hi)));
      if (out.empty()) throw Error(where(n) + ": [" + name_ + "] " + key + " must not be empty");
    } else {
      out.push_back(static_cast<unsigned>(checked_integer(n, key, lo, hi)));
    }
    return out;
  }

  // One number in [lo, hi] or an array of them; a single number is read as an array of one.
  std::vector<double> reals_in(const std::string& key, double lo, double hi) {
    std::vector<double> out;
    if (!has(key)) return out;
    const toml::node& n = *t_->get(key);
    if (const toml::array* a = n.as_array()) {
      for (const toml::node& e : *a) out.push_back(checked_real(e, key, lo, hi));
    } else {
      out.push_back(checked_real(n, key, lo, hi));
    }
    if (out.empty()) throw Error(where(n) + ": [" + name_ + "] " + key + " must not be empty");
    return out;
  }

  std::vector<double> reals(const std::string& key) {
    std::vector<double> out;
    if (!has(key)) return out;
    const toml::node& n = *t_->get(key);
    const toml::array* a = n.as_array();
    if (!a) throw Error(where(n) + ": [" + name_ + "] " + key + " must be an array of numbers");
    for (const toml::node& e : *a) {
      if (!e.is_number()) throw Error(where(e) + ": [" + name_ + "] " + key + " must hold numbers");
      out.push_back(*e.value<double>());
    }
    return out;
  }

  std::string where(const toml::node& n) const {
    return source_ + ":" + std::to_string(n.source().begin.line);
  }
  std::string where() const { return source_; }

 private:
  uint64_t checked_integer(const toml::node& n, const std::string& key, uint64_t lo,
                           uint64_t hi) const {
    if (!n.is_integer()) throw Error(where(n) + ": [" + name_ + "] " + key + " must be an integer");
    const int64_t v = *n.value<int64_t>();
    if (v < 0 || static_cast<uint64_t>(v) < lo || static_cast<uint64_t>(v) > hi)
      throw Error(where(n) + ": [" + name_ + "] " + key + " = " + std::to_string(v) +
                  " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<uint64_t>(v);
  }

  double checked_real(const toml::node& n, const std::string& key, double lo, double hi) const {
    if (!n.is_number()) throw Error(where(n) + ": [" + name_ + "] " + key + " must be a number");
    const double v = *n.value<double>();
    if (!(v >= lo && v <= hi))
      throw Error(where(n) + ": [" + name_ + "] " + key + " = " + std::to_string(v) +
                  " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }

  std::string missing(const std::string& key, bool required, const std::string& fallback) const {
    if (required) throw Error(source_ + ": [" + name_ + "] needs the key '" + key + "'");
    return fallback;
  }

  const toml::table* t_;
  std::string name_;
  const std::string& source_;
  std::set<std::string> asked_;
};

void check_choice(const std::string& source, const std::string& key, const std::string& value,
                  const std::vector<std::string>& choices) {
  for (const auto& c : choices)
    if (value == c) return;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  throw Error(source + ": " + key + " is '" + value + "'; expected one of " + list);
}

// A [model] list given as one value for every layer or one per layer: the single value repeated
// (an empty list, a key not given, stays empty). `what` names a value in the error.
template <typename T>
void one_per_layer(std::vector<T>& v, size_t layers, const std::string& source,
                   const std::string& key, const char* what) {
  if (v.size() == 1) v.assign(layers, v[0]);
  if (!v.empty() && v.size() != layers)
    throw Error(source + ": [model] " + key + " has " + std::to_string(v.size()) + " entries for " +
                std::to_string(layers) + " layers; give one " + what + " or one per layer");
}

}  // namespace

std::vector<const char*> family_keys(Family f) {
  switch (f) {
    case Family::LogicNets: return {};
    case Family::PolyLut: return {"degree"};
    case Family::NeuraLut: return {"hidden", "hidden_layers"};
    case Family::PolyLutAdd: return {"degree", "sub_neurons", "sub_bits"};
    case Family::DiffLogic:
      return {"classes",       "tau",     "parametrization",
              "residual_init", "mapping", "mapping_candidates",
              "mapping_layers"};
    case Family::Dwn:
      return {"classes", "tau",          "mapping",      "mapping_candidates", "mapping_layers",
              "shrink",  "shrink_epoch", "shrink_steps", "shrink_min_inputs",  "shrink_unit"};
    case Family::LutNet:
      return {"classes",     "tau",           "connections",        "bnn_epochs",
              "shrink",      "shrink_epoch",  "shrink_steps",       "shrink_min_inputs",
              "shrink_unit", "shrink_rewire", "shrink_rewire_luts", "shrink_rewire_margin"};
    case Family::Mac:
      return {"weight_bits",  "activation_bits", "multiplier_bits", "weight_scale",
              "conv_filters", "conv_kernel",     "conv_stride"};
  }
  return {};
}

const char* family_name(Family f) {
  switch (f) {
    case Family::LogicNets: return "logicnets";
    case Family::PolyLut: return "polylut";
    case Family::NeuraLut: return "neuralut";
    case Family::PolyLutAdd: return "polylut-add";
    case Family::DiffLogic: return "difflogic";
    case Family::Dwn: return "dwn";
    case Family::LutNet: return "lutnet";
    case Family::Mac: return "mac";
  }
  return "?";
}

TrainConfig parse_train_config(const std::string& text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw Error(source + ":" + std::to_string(e.source().begin.line) +
                ": not valid TOML: " + std::string(e.description()));
  }
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    if (key != "data" && key != "model" && key != "train" && key != "sparselut" && key != "prune")
      throw Error(source + ":" + std::to_string(node.source().begin.line) +
                  ": unknown table or key '" + key +
                  "'; expected [data], [model], [train], [prune] or [sparselut]");
    if (!node.is_table()) throw Error(source + ": '" + key + "' must be a table ([" + key + "])");
  }
  auto table = [&](const char* name) { return root.get_as<toml::table>(name); };

  TrainConfig c;
  c.source = source;

  Section data(table("data"), "data", source);
  c.dataset = data.str("dataset", "", true);
  check_choice(source, "[data] dataset", c.dataset, {"mnist", "fashion-mnist", "jsc"});
  c.data_path = data.str("path", "", true);
  c.train_limit = data.integer("train_limit", 0, 0, UINT32_MAX);
  c.test_limit = data.integer("test_limit", 0, 0, UINT32_MAX);
  c.split_seed = data.integer("split_seed", 42, 0, INT64_MAX);
  data.reject_unknown();

  Section model(table("model"), "model", source);
  {
    const std::string family = model.str("family", "", true);
    std::vector<std::string> names;
    for (Family f : kFamilies) names.push_back(family_name(f));
    check_choice(source, "[model] family", family, names);
    for (Family f : kFamilies)
      if (family == family_name(f)) c.family = f;
  }
  c.connectivity = model.str("connectivity", "random");
  check_choice(source, "[model] connectivity", c.connectivity, {"random", "sparselut"});
  c.layers = model.integers("layers", 1, 1u << 20, true);
  const bool gates = c.family == Family::DiffLogic;
  if (gates && (model.has("fan_in") || model.has("bits") || model.has("output_bits") ||
                model.has("connectivity")))
    throw Error(source +
                ": [model] difflogic gates read 2 inputs of 1 bit and are wired by `mapping`; "
                "fan_in, bits, output_bits and connectivity may not be given");
  const bool lutnet = c.family == Family::LutNet;
  const bool dwn = c.family == Family::Dwn || lutnet;  // LUTs of single bits with trained entries
  if (dwn && (model.has("bits") || model.has("output_bits") || model.has("connectivity")))
    throw Error(source + ": [model] " + family_name(c.family) +
                " LUTs read and give single bits and are wired " +
                (lutnet ? "at random" : "by `mapping`") +
                "; bits, output_bits and connectivity may not be given");
  const bool mac = c.family == Family::Mac;
  if (mac && (model.has("fan_in") || model.has("output_bits") || model.has("connectivity")))
    throw Error(source +
                ": [model] mac layers are dense and the last one's accumulators are the scores; "
                "fan_in, output_bits and connectivity may not be given");
  c.fan_in = gates ? std::vector<unsigned>{2}
             : mac ? std::vector<unsigned>{0}
                   : model.integers("fan_in", 1, 64, true);
  one_per_layer(c.fan_in, c.layers.size(), source, "fan_in", "integer");
  if (dwn)
    for (unsigned f : c.fan_in)
      if (f > 8)
        throw Error(source + ": [model] fan_in " + std::to_string(f) + ": a " +
                    family_name(c.family) +
                    " LUT has at most 8 inputs (its table has 2^fan_in trained entries)");
  c.bits = static_cast<unsigned>(model.integer("bits", gates || dwn ? 1 : 2, 1, 8));
  c.input_bits = static_cast<unsigned>(model.integer("input_bits", c.bits, 1, 16));
  c.output_bits = static_cast<unsigned>(model.integer("output_bits", c.bits, 1, 8));
  c.input_encoding = model.str("input_encoding", "uniform");
  check_choice(source, "[model] input_encoding", c.input_encoding,
               {"uniform", "thermometer", "distributive"});
  if (model.has("threshold_bits")) {
    if (c.input_encoding != "distributive")
      throw Error(source +
                  ": [model] threshold_bits puts the thresholds of the distributive "
                  "thermometer on a grid; input_encoding is \"" +
                  c.input_encoding + "\"");
    c.pixel_bits = static_cast<unsigned>(model.integer("pixel_bits", 8, 1, 16));
    c.threshold_bits = static_cast<unsigned>(model.integer("threshold_bits", 6, 1, c.pixel_bits));
  } else if (model.has("pixel_bits")) {
    throw Error(source + ": [model] pixel_bits is read only with threshold_bits");
  }
  // A key that belongs to other families is a mistake: it would be silently ignored.
  auto reads = [](Family f, const char* key) {
    const auto keys = family_keys(f);
    return std::any_of(keys.begin(), keys.end(),
                       [&](const char* k) { return std::string(k) == key; });
  };
  for (Family f : kFamilies)
    for (const char* key : family_keys(f)) {
      if (reads(c.family, key) || !model.has(key)) continue;
      std::vector<std::string> readers;
      for (Family g : kFamilies)
        if (reads(g, key)) readers.push_back(family_name(g));
      std::string list = readers[0];
      for (size_t i = 1; i < readers.size(); ++i)
        list += (i + 1 == readers.size() ? " and " : ", ") + readers[i];
      throw Error(source + ": [model] " + key + " is read by the " + list +
                  (readers.size() == 1 ? " family" : " families") + ", not by " +
                  family_name(c.family));
    }
  c.degree = static_cast<unsigned>(model.integer("degree", 1, 1, 8));
  c.sub_neurons = static_cast<unsigned>(model.integer("sub_neurons", 2, 1, 16));
  c.sub_bits = static_cast<unsigned>(model.integer("sub_bits", c.bits, 1, 8));
  c.hidden = static_cast<unsigned>(model.integer("hidden", 16, 1, 1024));
  c.hidden_layers = static_cast<unsigned>(model.integer("hidden_layers", 2, 1, 8));
  c.classes = static_cast<unsigned>(model.integer("classes", 0, 2, 1u << 16));
  c.tau = model.real("tau", 10.0, 1e-3, 1e6);
  c.parametrization = model.str("parametrization", "input-wise");
  check_choice(source, "[model] parametrization", c.parametrization, {"input-wise", "classic"});
  c.residual_init = model.integer("residual_init", 0, 0, 1) != 0;
  c.mapping = model.str("mapping", "random");
  check_choice(source, "[model] mapping", c.mapping, {"random", "learnable"});
  c.mapping_candidates =
      static_cast<unsigned>(model.integer("mapping_candidates", 64, 2, 1u << 20));
  c.mapping_layers = static_cast<unsigned>(
      model.integer("mapping_layers", 1, 1, static_cast<int64_t>(c.layers.size())));
  for (const char* key : {"mapping_candidates", "mapping_layers"})
    if (model.has(key) && c.mapping != "learnable")
      throw Error(source + ": [model] " + key + " applies to mapping = \"learnable\"");
  c.shrink = model.reals_in("shrink", 0.0, 0.95);
  one_per_layer(c.shrink, c.layers.size(), source, "shrink", "fraction");
  if (std::all_of(c.shrink.begin(), c.shrink.end(), [](double f) { return f == 0.0; }))
    c.shrink.clear();  // no shrinkage
  c.shrink_epoch = static_cast<unsigned>(model.integer("shrink_epoch", 0, 0, 100000));
  c.shrink_steps = static_cast<unsigned>(model.integer("shrink_steps", 1, 1, 1000));
  c.shrink_min_inputs = static_cast<unsigned>(model.integer("shrink_min_inputs", 1, 0, 7));
  if (model.has("shrink_min_inputs"))
    for (unsigned f : c.fan_in)
      if (c.shrink_min_inputs >= f)
        throw Error(source + ": [model] shrink_min_inputs " + std::to_string(c.shrink_min_inputs) +
                    " leaves a LUT of " + std::to_string(f) +
                    " inputs whole; it must be below every layer's fan_in");
  c.shrink_unit = model.str("shrink_unit", "input");
  check_choice(source, "[model] shrink_unit", c.shrink_unit, {"input", "lut"});
  c.shrink_rewire = static_cast<unsigned>(model.integer("shrink_rewire", 0, 2, 1u << 16));
  c.shrink_rewire_luts = static_cast<unsigned>(model.integer("shrink_rewire_luts", 0, 2, 1u << 16));
  c.shrink_rewire_margin = model.real("shrink_rewire_margin", 2.0, 0.0, 1e6);
  if (model.has("shrink_rewire_margin") && c.shrink_rewire == 0 && c.shrink_rewire_luts == 0)
    throw Error(source +
                ": [model] shrink_rewire_margin applies to shrink_rewire or shrink_rewire_luts "
                "above 0");
  for (const char* key : {"shrink_epoch", "shrink_steps", "shrink_min_inputs", "shrink_unit",
                          "shrink_rewire", "shrink_rewire_luts", "shrink_rewire_margin"})
    if (model.has(key) && c.shrink.empty())
      throw Error(source + ": [model] " + key + " applies to a shrink fraction above 0");
  if (lutnet) {
    c.connections = model.integers("connections", 1, 1u << 16, true);
    one_per_layer(c.connections, c.layers.size(), source, "connections", "integer");
  }
  c.bnn_epochs = static_cast<unsigned>(model.integer("bnn_epochs", 0, 0, 100000));
  const bool bnn_epochs_given = model.has("bnn_epochs");
  c.multiplier_bits = static_cast<unsigned>(model.integer("multiplier_bits", 8, 2, 16));
  c.weight_scale = model.str("weight_scale", "max");
  check_choice(source, "[model] weight_scale", c.weight_scale, {"max", "learned"});
  if (mac) {
    c.conv_filters = model.integers("conv_filters", 1, 1024, false);
    const size_t convs = c.conv_filters.size(), total = convs + c.layers.size();
    auto per_conv = [&](const char* key, unsigned lo, unsigned hi, unsigned fallback) {
      std::vector<unsigned> v = model.integers(key, lo, hi, false);
      if (!v.empty() && !convs)
        throw Error(source + ": [model] " + key + " is given but conv_filters is not");
      if (v.empty()) v.push_back(fallback);
      if (v.size() == 1) v.assign(convs, v[0]);
      if (v.size() != convs)
        throw Error(source + ": [model] " + key + " has " + std::to_string(v.size()) +
                    " entries for " + std::to_string(convs) +
                    " convolutions; give one integer or one per convolution");
      return v;
    };
    c.conv_kernel = per_conv("conv_kernel", 1, 16, 3);
    c.conv_stride = per_conv("conv_stride", 1, 16, 1);
    auto per_layer = [&](const char* key, size_t count, unsigned fallback) {
      std::vector<unsigned> v = model.integers(key, 2, 8, false);
      if (v.empty()) v.push_back(fallback);
      if (v.size() == 1) v.assign(count, v[0]);
      if (v.size() != count)
        throw Error(source + ": [model] " + key + " has " + std::to_string(v.size()) +
                    " entries; give one integer or " + std::to_string(count) + " (one per " +
                    (count == total ? "layer" : "layer but the last") +
                    (convs ? ", convolutions first" : "") + ")");
      return v;
    };
    c.weight_bits = per_layer("weight_bits", total, 8);
    c.activation_bits = per_layer("activation_bits", total - 1, c.bits);
    if (c.bits < 2 && !model.has("activation_bits"))
      throw Error(source + ": [model] mac activations need at least 2 bits (bits)");
    if (c.input_encoding != "uniform")
      throw Error(source +
                  ": [model] mac layers read the input codes as unsigned integers; "
                  "input_encoding must be uniform");
  }
  if (c.group_sum()) {
    if (!c.classes)
      throw Error(source + ": [model] " + family_name(c.family) + " needs the key 'classes'");
    if (lutnet && c.layers.back() != c.classes)
      throw Error(source +
                  ": [model] a lutnet's last layer has a neuron per class: layers ends with " +
                  std::to_string(c.layers.back()) + ", classes is " + std::to_string(c.classes));
    if (c.layers.back() % c.classes)
      throw Error(source + ": [model] the last layer's " + std::to_string(c.layers.back()) +
                  (gates ? " gates" : " LUTs") + " do not split into " + std::to_string(c.classes) +
                  " equal groups (classes)");
  }
  const std::vector<double> range = model.reals("input_range");
  if (range.empty()) {
    c.input_lo = c.image_dataset() ? 0.0f : -2.0f;
    c.input_hi = c.image_dataset() ? 1.0f : 2.0f;
  } else if (range.size() != 2 || !(range[0] < range[1])) {
    throw Error(source + ": [model] input_range must be [lo, hi] with lo < hi");
  } else {
    c.input_lo = static_cast<float>(range[0]);
    c.input_hi = static_cast<float>(range[1]);
  }
  model.reject_unknown();

  // Each table a neuron becomes must be enumerable and must fit a TruthTable.
  for (size_t l = 0; l < c.layers.size() && !gates && !mac; ++l) {
    const unsigned in_bits = dwn ? 1 : l == 0 ? c.input_bits : c.bits;
    const unsigned vars = c.fan_in[l] * in_bits;
    if (vars > 20)
      throw Error(source + ": layer " + std::to_string(l) + " has tables of " +
                  std::to_string(c.fan_in[l]) + " x " + std::to_string(in_bits) + " = " +
                  std::to_string(vars) +
                  " input bits; at most 20 can be enumerated (lower fan_in or the bit widths)");
  }

  Section tr(table("train"), "train", source);
  c.epochs = static_cast<unsigned>(tr.integer("epochs", 10, 1, 100000));
  c.batch_size = static_cast<unsigned>(tr.integer("batch_size", 256, 1, 1u << 20));
  c.learning_rate = tr.real("learning_rate", 0.01, 1e-9, 10.0);
  c.weight_decay = tr.real("weight_decay", 0.0, 0.0, 1.0);
  c.augment_shift = static_cast<unsigned>(tr.integer("augment_shift", 0, 0, 8));
  if (c.augment_shift && !c.image_dataset())
    throw Error(source + ": [train] augment_shift shifts images; the dataset " + c.dataset +
                " has none");
  c.average_decay = tr.real("average_decay", 0.0, 0.0, 0.999999);
  const bool average_epoch_given = tr.has("average_epoch");
  c.average_epoch = static_cast<unsigned>(tr.integer("average_epoch", 0, 0, 100000));
  if (average_epoch_given && c.average_decay == 0.0)
    throw Error(source + ": [train] average_epoch is given but average_decay is 0 (no average)");
  c.seed = tr.integer("seed", 1, 0, INT64_MAX);
  c.threads = static_cast<unsigned>(tr.integer("threads", 0, 0, 1024));
  c.logit_scale = tr.real("logit_scale", 4.0, 1e-3, 1e3);
  c.bn_freeze_epoch = static_cast<unsigned>(tr.integer("bn_freeze_epoch", 0, 0, c.epochs));
  if (lutnet) {  // a third of the epochs train the BNN by default
    if (!bnn_epochs_given) c.bnn_epochs = std::max(1u, c.epochs / 3);
    if (c.bnn_epochs > c.epochs)
      throw Error(source + ": [model] bnn_epochs " + std::to_string(c.bnn_epochs) +
                  " is more than epochs (" + std::to_string(c.epochs) + ")");
  }
  if (!c.shrink.empty()) {  // logic shrinkage: half the epochs (of the LUTs) before it by default
    const unsigned first = lutnet ? c.bnn_epochs + 1 : 1;
    if (!c.shrink_epoch) c.shrink_epoch = lutnet ? (c.bnn_epochs + c.epochs + 1) / 2 : c.epochs / 2;
    if (c.shrink_epoch < first || c.shrink_epoch >= c.epochs)
      throw Error(source + ": [model] shrink_epoch " + std::to_string(c.shrink_epoch) +
                  " must be " + std::to_string(first) + " to epochs - 1 (" +
                  std::to_string(c.epochs - 1) + ")" +
                  (lutnet ? ": the LUTs it shrinks grow after bnn_epochs" : ""));
    if (c.shrink_epoch + c.shrink_steps > c.epochs)
      throw Error(source + ": [model] shrink_steps " + std::to_string(c.shrink_steps) +
                  " from shrink_epoch " + std::to_string(c.shrink_epoch) + " run past epochs (" +
                  std::to_string(c.epochs) + ")");
  }
  tr.reject_unknown();

  Section pr(table("prune"), "prune", source);
  if (root.contains("prune")) {
    if (!mac) throw Error(source + ": [prune] applies to the mac family");
    TrainConfig::Prune& p = c.prune;
    p.enabled = true;
    p.method = pr.str("method", "knapsack");
    check_choice(source, "[prune] method", p.method, {"knapsack", "unstructured"});
    if (p.method == "knapsack") {
      p.budget = pr.str("budget", "", true);
      prune::parse_budget(p.budget, source + ": [prune] budget");
      if (pr.has("sparsity"))
        throw Error(source + ": [prune] sparsity applies to method = \"unstructured\"");
    } else {
      if (pr.has("budget"))
        throw Error(source + ": [prune] budget applies to method = \"knapsack\"");
      p.sparsity = pr.real("sparsity", 0, 0.0, 0.999);
      if (!pr.has("sparsity"))
        throw Error(source + ": [prune] method = \"unstructured\" needs the key 'sparsity'");
    }
    p.reuse_factor = pr.integers("reuse_factor", 1, 4096, false);
    const size_t total = c.conv_filters.size() + c.layers.size();
    if (p.reuse_factor.size() > 1 && p.reuse_factor.size() != total)
      throw Error(source + ": [prune] reuse_factor has " + std::to_string(p.reuse_factor.size()) +
                  " entries; give one or " + std::to_string(total) + " (one per layer)");
    p.dsp_packing = pr.integer("dsp_packing", 0, 0, 1) != 0;
    p.weights_in_bram = pr.integer("weights_in_bram", 0, 0, 1) != 0;
    if (p.weights_in_bram &&
        std::all_of(p.reuse_factor.begin(), p.reuse_factor.end(), [](unsigned r) { return r < 2; }))
      throw Error(source +
                  ": [prune] weights_in_bram needs a reuse_factor above 1 (a fully parallel "
                  "layer reads every weight at once)");
    p.dsp_family = pr.str("dsp_family", "dsp48e2");
    check_choice(source, "[prune] dsp_family", p.dsp_family, {"dsp48e1", "dsp48e2"});
    p.steps = static_cast<unsigned>(pr.integer("steps", 4, 1, 1000));
    p.finetune_epochs = static_cast<unsigned>(pr.integer("finetune_epochs", 2, 0, 100000));
    p.finetune_learning_rate = pr.real("finetune_learning_rate", 1e-3, 1e-9, 10.0);
    p.importance = pr.str("importance", "taylor");
    check_choice(source, "[prune] importance", p.importance, {"taylor", "fisher", "magnitude"});
    p.solver = pr.str("solver", "cbc");
    check_choice(source, "[prune] solver", p.solver, {"cbc", "dp", "greedy"});
  }
  pr.reject_unknown();

  Section sp(table("sparselut"), "sparselut", source);
  c.freeze_epoch = static_cast<unsigned>(sp.integer("freeze_epoch", c.epochs / 2, 0, 100000));
  c.l1 = sp.real("l1", 1e-4, 0.0, 1.0);
  sp.reject_unknown();
  if (root.contains("sparselut") && !c.sparselut())
    throw Error(source + ": [sparselut] is given but [model] connectivity is '" + c.connectivity +
                "'");

  // The average of the parameters starts once the network keeps its structure: a mean across a
  // change (a regrown connection, a BNN weight becoming a table, a dropped LUT input) would mix
  // parameters that mean different things.
  const unsigned settled =
      std::max({c.sparselut() ? c.freeze_epoch : 0u, lutnet ? c.bnn_epochs : 0u,
                !c.shrink.empty() ? c.shrink_epoch + c.shrink_steps : 0u});
  if (!average_epoch_given) c.average_epoch = settled;
  if (c.average_decay > 0.0 && c.average_epoch < settled)
    throw Error(source + ": [train] average_epoch " + std::to_string(c.average_epoch) +
                " is before epoch " + std::to_string(settled) +
                ", the first after the network's last change of structure");
  if (c.average_decay > 0.0 && c.average_epoch >= c.epochs)
    throw Error(source + ": [train] average_epoch " + std::to_string(c.average_epoch) +
                " leaves no epoch to average (epochs = " + std::to_string(c.epochs) + ")");
  return c;
}

TrainConfig read_train_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open the training configuration");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_train_config(ss.str(), path);
}

}  // namespace lutforge::train
