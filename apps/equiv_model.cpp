#include "apps/equiv_model.hpp"

#include <algorithm>
#include <filesystem>

#include "base/error.hpp"
#include "models/lower.hpp"
#include "netlist/levels.hpp"
#include "netlist/vectors.hpp"
#include "train/datasets.hpp"

namespace lutforge::cli {
namespace {

size_t column(const VectorTable& t, const std::string& name) {
  return std::find(t.names.begin(), t.names.end(), name) - t.names.begin();
}

// The class scores on output ports class0, class1, ... at one row; empty when a port is missing.
std::vector<uint32_t> scores_at(const VectorTable& out, size_t row, size_t classes) {
  std::vector<uint32_t> s;
  for (size_t c = 0; c < classes; ++c) {
    const size_t k = column(out, "class" + std::to_string(c));
    if (k == out.names.size()) return {};
    s.push_back(static_cast<uint32_t>(out.rows[row][k][0]));
  }
  return s;
}

NeuronFinding explain(const models::Model& m, const std::vector<uint32_t>& codes,
                      const std::vector<uint32_t>& scores_a,
                      const std::vector<uint32_t>& scores_b) {
  NeuronFinding f;
  const std::vector<uint32_t> model = models::class_scores(m, codes);
  if (scores_a.empty() || scores_b.empty()) {
    f.note = "the netlists have no class0, class1, ... outputs for the model's " +
             std::to_string(m.num_classes()) + " classes";
  } else if (scores_a != model) {
    f.note = "A does not compute the model's class scores on this sample: is A lowered from it?";
  } else if (scores_b == model) {
    f.note = "B's class scores equal the model's: only the prediction differs";
  } else if (const auto n = models::explain_scores(m, codes, scores_b)) {
    f.neuron = n;
    f.model_code = models::layer_codes(m, codes)[n->layer][n->neuron];
  } else {
    f.note = "no single neuron's output explains B's class scores";
  }
  return f;
}

}  // namespace

NeuronFinding find_neuron(const Netlist& a, const Netlist& b, const models::Model& m,
                          const EquivResult& r) {
  const Counterexample& cex = *r.counterexample;
  const size_t x = column(cex.inputs, "x");
  const size_t stages = levelize(b).num_stages;
  if (x == cex.inputs.names.size()) return {{}, 0, "the netlists have no input port x"};
  if (cex.cycle < stages) return {{}, 0, "the difference appears before a sample has passed B"};
  const size_t row = cex.cycle - stages;  // the sample whose result B shows at the cycle
  const std::vector<uint32_t> codes = models::unpack_codes(m, cex.inputs.rows[row][x]);
  const VectorTable out_b = simulate(b, cex.inputs, cex.cycle + 1);
  const VectorTable out_a = simulate(a, cex.inputs, cex.cycle - r.latency + 1);
  return explain(m, codes, scores_at(out_a, cex.cycle - r.latency, m.num_classes()),
                 scores_at(out_b, cex.cycle, m.num_classes()));
}

DatasetFinding search_dataset(const Netlist& a, const Netlist& b, const models::Model& m,
                              const std::string& path) {
  for (const Netlist* nl : {&a, &b})
    if (nl->inputs().size() != 1 || nl->name(nl->inputs()[0]) != "x")
      throw Error("--dataset: the netlists must have one input port, x (as lowered from a model)");
  train::Dataset d = std::filesystem::is_directory(path) ? train::read_mnist_dir(path, false)
                                                         : train::prepare_jsc(path).second;
  if (d.num_features != m.input.num_features())
    throw Error(path + ": the model reads " + std::to_string(m.input.num_features()) +
                " features, the dataset has " + std::to_string(d.num_features));
  VectorTable x;
  x.names = {"x"};
  x.widths = {static_cast<uint32_t>(m.input.num_bits())};
  std::vector<std::vector<uint32_t>> codes;
  for (size_t i = 0; i < d.size(); ++i) {
    codes.push_back(models::input_codes(m, &d.features[i * d.num_features]));
    x.rows.push_back({models::pack_codes(m, codes.back())});
  }
  // One sample per cycle: a pipeline of s stages shows sample t's result at cycle t + s.
  const size_t sa = levelize(a).num_stages, sb = levelize(b).num_stages;
  const VectorTable oa = simulate(a, x, d.size() + sa), ob = simulate(b, x, d.size() + sb);
  DatasetFinding f;
  f.samples = d.size();
  for (size_t t = 0; t < d.size() && !f.sample; ++t)
    for (size_t ka = 0; ka < oa.names.size(); ++ka) {
      const size_t kb = column(ob, oa.names[ka]);
      if (kb < ob.names.size() && oa.rows[t + sa][ka] != ob.rows[t + sb][kb]) {
        f.sample = t;
        break;
      }
    }
  if (!f.sample) return f;
  const size_t t = *f.sample;
  f.label = d.labels[t];
  const auto scores_a = scores_at(oa, t + sa, m.num_classes());
  const auto scores_b = scores_at(ob, t + sb, m.num_classes());
  f.prediction_a =
      models::predict(m, scores_a.empty() ? models::class_scores(m, codes[t]) : scores_a);
  f.prediction_b = scores_b.empty() ? f.prediction_a : models::predict(m, scores_b);
  const size_t pa = column(oa, "prediction"), pb = column(ob, "prediction");
  if (pa < oa.names.size()) f.prediction_a = static_cast<uint32_t>(oa.rows[t + sa][pa][0]);
  if (pb < ob.names.size()) f.prediction_b = static_cast<uint32_t>(ob.rows[t + sb][pb][0]);
  f.neuron = explain(m, codes[t], scores_a, scores_b);
  return f;
}

std::string describe(const NeuronFinding& f) {
  if (!f.neuron) return f.note;
  return "layer " + std::to_string(f.neuron->layer) + ", neuron " +
         std::to_string(f.neuron->neuron) + ": the model computes code " +
         std::to_string(f.model_code) + " there, and code " + std::to_string(f.neuron->value) +
         " gives B's class scores";
}

std::string describe(const DatasetFinding& f) {
  if (!f.sample)
    return "none of the " + std::to_string(f.samples) + " test samples exposes the difference";
  return "test sample " + std::to_string(*f.sample) + " (label " + std::to_string(f.label) +
         ") exposes it: A predicts " + std::to_string(f.prediction_a) + ", B predicts " +
         std::to_string(f.prediction_b) + "; first differing neuron: " + describe(f.neuron);
}

nlohmann::ordered_json to_json(const NeuronFinding& f) {
  nlohmann::ordered_json j;
  if (f.neuron) {
    j["layer"] = f.neuron->layer;
    j["neuron"] = f.neuron->neuron;
    j["model_code"] = f.model_code;
    j["code_explaining_b"] = f.neuron->value;
  } else {
    j["note"] = f.note;
  }
  return j;
}

nlohmann::ordered_json to_json(const DatasetFinding& f) {
  nlohmann::ordered_json j;
  j["samples"] = f.samples;
  if (f.sample) {
    j["sample"] = *f.sample;
    j["label"] = f.label;
    j["prediction_a"] = f.prediction_a;
    j["prediction_b"] = f.prediction_b;
    j["neuron"] = to_json(f.neuron);
  } else {
    j["sample"] = nullptr;
  }
  return j;
}

}  // namespace lutforge::cli
