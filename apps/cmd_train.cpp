// train: a configuration to a trained, exported and checked model file.
#include <nlohmann/json.hpp>

#include "apps/commands.hpp"
#include "apps/fan_in_json.hpp"
#include "apps/options.hpp"
#include "apps/prune_json.hpp"
#include "models/model.hpp"
#include "train/config.hpp"
#ifdef LUTFORGE_HAVE_TORCH
#include "train/train.hpp"
#endif

namespace lutforge::cli {

int cmd_train(const std::vector<std::string>& args) {
  po::options_description opts("options");
  std::string config_path, out_path, checkpoint, data, predictions, report;
  unsigned epochs = 0;
  uint64_t seed = 0;
  opts.add_options()("config", po::value(&config_path)->required(),
                     "training configuration (TOML)")("output,o", po::value(&out_path)->required(),
                                                      "model file to write (.lfm.json)")(
      "checkpoint", po::value(&checkpoint),
      "checkpoint written after every epoch (default: OUTPUT.ckpt)")(
      "resume", "continue from the checkpoint's last finished epoch")(
      "data", po::value(&data), "the dataset path, instead of the configuration's [data] path")(
      "epochs", po::value(&epochs), "the epoch count, instead of the configuration's")(
      "seed", po::value(&seed),
      "the seed of the initialization and the shuffles, instead of the configuration's [train] "
      "seed")("predictions-out", po::value(&predictions),
              "CSV of LibTorch's quantized evaluation on the test set: sample,label,prediction")(
      "report", po::value(&report),
      "JSON report: the configuration, every epoch, accuracy and times")("quiet,q",
                                                                         "no progress output");
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  if (!parse(args,
             "lutforge train CONFIG.toml -o MODEL.lfm.json [--resume] [--checkpoint FILE] "
             "[--report R.json]",
             opts, pos, vm))
    return kExitOk;
  train::TrainConfig c = train::read_train_config(config_path);
  if (!data.empty()) c.data_path = data;
  if (vm.count("epochs")) {
    if (epochs == 0) throw Error("--epochs must be at least 1");
    c.epochs = epochs;
  }
  if (vm.count("seed")) c.seed = seed;
#ifndef LUTFORGE_HAVE_TORCH
  throw Error(
      "this lutforge was built without LibTorch (LUTFORGE_WITH_TORCH=OFF), so it cannot train");
#else
  train::TrainOptions o;
  o.checkpoint = checkpoint.empty() ? out_path + ".ckpt" : checkpoint;
  o.resume = vm.count("resume") > 0;
  o.progress = !vm.count("quiet");
  const train::TrainResult r = train::train_model(c, o);
  {
    auto out = open_output(out_path);
    out << models::write_model(r.model);
  }
  if (!predictions.empty()) {
    auto out = open_output(predictions);
    out << "sample,label,prediction\n";
    for (size_t i = 0; i < r.test_predictions.size(); ++i)
      out << i << ',' << r.test_labels[i] << ',' << r.test_predictions[i] << '\n';
  }
  // The learned shape of each plain LUT layer (a mixed fan-in after logic shrinkage).
  std::vector<std::pair<size_t, models::FanInProfile> > profiles;
  for (size_t l = 0; l < r.model.layers.size(); ++l) {
    const models::Layer& L = r.model.layers[l];
    if (L.kind == models::LayerKind::Lut && !L.sub_neurons)
      profiles.emplace_back(l, models::fan_in_profile(L));
  }
  if (!report.empty()) {
    nlohmann::json j;
    j["config"] = config_path;
    j["family"] = r.model.family;
    j["dataset"] = c.dataset;
    j["layers"] = c.layers;
    j["fan_in"] = c.fan_in;
    j["bits"] = c.bits;
    j["seed"] = c.seed;
    j["test_accuracy"] = r.test_accuracy;
    j["test_samples"] = r.test_predictions.size();
    j["train_seconds"] = r.train_seconds;
    j["export_seconds"] = r.export_seconds;
    j["resumed_after_epoch"] = r.first_epoch;
    nlohmann::json ep = nlohmann::json::array();
    for (const auto& e : r.epochs) {
      ep.push_back({{"epoch", e.epoch},
                    {"loss", e.loss},
                    {"train_accuracy", e.train_accuracy},
                    {"test_accuracy", e.test_accuracy},
                    {"seconds", e.seconds},
                    {"regrown", e.regrown}});
      if (e.unaveraged_test_accuracy)
        ep.back()["unaveraged_test_accuracy"] = *e.unaveraged_test_accuracy;
    }
    j["epochs"] = ep;
    nlohmann::json lut_layers = nlohmann::json::array();
    for (const auto& [l, p] : profiles)
      lut_layers.push_back({{"layer", l},
                            {"neurons", r.model.layers[l].neurons.size()},
                            {"constant", p.constant},
                            {"by_fan_in", fan_in_json<nlohmann::json>(p)}});
    j["lut_layers"] = lut_layers;
    if (c.prune.enabled) {
      const auto cost = cost_json<nlohmann::json>;
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& s : r.prune_steps)
        steps.push_back({{"step", s.step},
                         {"budget", cost(s.budget)},
                         {"solved", cost(s.solved)},
                         {"predicted", cost(s.predicted)},
                         {"lowered", cost(s.lowered)},
                         {"removed_rows", s.removed_rows},
                         {"removed_patterns", s.removed_patterns},
                         {"removed_weights", s.removed_weights},
                         {"optimal", s.optimal},
                         {"solver_seconds", s.solver_seconds},
                         {"accuracy_pruned", s.accuracy_pruned},
                         {"test_accuracy", s.test_accuracy},
                         {"seconds", s.seconds}});
      j["prune"] = {{"method", c.prune.method},
                    {"sparsity", c.prune.sparsity},
                    {"budget", c.prune.budget},
                    {"solver", c.prune.solver},
                    {"importance", c.prune.importance},
                    {"accuracy_before", r.accuracy_before_prune},
                    {"before", cost(r.cost_before)},
                    {"after", cost(r.cost_after)},
                    {"within_budget", r.within_budget},
                    {"seconds", r.prune_seconds},
                    {"steps", steps}};
    }
    auto out = open_output(report);
    out << j.dump(1) << "\n";
  }
  if (o.progress && !c.shrink.empty())  // the fan-ins that logic shrinkage learned
    for (const auto& [l, p] : profiles) {
      std::cerr << "layer " << l << ": " << r.model.layers[l].neurons.size()
                << " LUTs: " << models::describe(p) << "\n";
    }
  if (o.progress)
    std::cerr << "test accuracy " << 100.0 * r.test_accuracy << "% (" << r.test_predictions.size()
              << " samples); wrote " << out_path << "\n";
  return kExitOk;
#endif
}

}  // namespace lutforge::cli
