// The training loop: seeded initialization and shuffling, Adam with a cosine schedule, SparseLUT
// prune-and-regrow until the freeze epoch, an optional moving average of the parameters, a
// checkpoint after every epoch, then the export and its check against the quantized evaluation.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "base/error.hpp"
#include "train/network.hpp"
#include "train/train.hpp"

namespace lutforge::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The learning rate of epoch e of `epochs`: `base` cosine-annealed towards 0.
double cosine_rate(double base, unsigned e, unsigned epochs) {
  return base * 0.5 * (1.0 + std::cos(M_PI * e / epochs));
}

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Input codes of every sample [samples, features], as bytes when they fit.
torch::Tensor encode_dataset(const models::InputQuantizer& q, const Dataset& d) {
  const bool bytes = q.bits <= 8;
  torch::Tensor t =
      torch::empty({static_cast<int64_t>(d.size()), static_cast<int64_t>(d.num_features)},
                   bytes ? torch::kByte : torch::kInt);
  for (size_t i = 0; i < d.size(); ++i) {
    const float* x = &d.features[i * d.num_features];
    for (size_t f = 0; f < d.num_features; ++f) {
      const uint32_t code = q.encode_feature(f, x[f]);
      if (bytes) {
        t.data_ptr<uint8_t>()[i * d.num_features + f] = static_cast<uint8_t>(code);
      } else {
        t.data_ptr<int32_t>()[i * d.num_features + f] = static_cast<int32_t>(code);
      }
    }
  }
  return t;
}

torch::Tensor labels_of(const Dataset& d) {
  std::vector<int64_t> v(d.labels.begin(), d.labels.end());
  return torch::tensor(v, torch::kLong);
}

// Quantized evaluation of all samples, in batches: class codes [samples, classes].
torch::Tensor eval_all(NetworkImpl& net, const torch::Tensor& codes) {
  torch::NoGradGuard no_grad;
  net.eval();
  std::vector<torch::Tensor> parts;
  const int64_t n = codes.size(0), batch = 1024;
  for (int64_t i = 0; i < n; i += batch)
    parts.push_back(net.eval_codes(codes.narrow(0, i, std::min(batch, n - i)).to(torch::kLong)));
  return parts.empty() ? torch::empty({0, 0}, torch::kLong) : torch::cat(parts, 0);
}

// Everything in a configuration that shapes the run; a checkpoint only resumes the same run.
std::string fingerprint(const TrainConfig& c) {
  std::ostringstream s;
  s << c.dataset << '|' << c.train_limit << '|' << c.test_limit << '|' << c.split_seed << '|'
    << family_name(c.family) << '|' << c.connectivity << '|';
  for (unsigned v : c.layers) s << v << ',';
  s << '|';
  for (unsigned v : c.fan_in) s << v << ',';
  s << '|' << c.bits << '|' << c.input_bits << '|' << c.output_bits << '|' << c.input_encoding
    << '|' << c.input_lo << '|' << c.input_hi << '|' << c.degree << '|' << c.sub_neurons << '|'
    << c.sub_bits << '|' << c.hidden << '|' << c.hidden_layers << '|' << c.epochs << '|'
    << c.batch_size << '|' << c.learning_rate << '|' << c.weight_decay << '|' << c.seed << '|'
    << c.logit_scale << '|' << c.freeze_epoch << '|' << c.l1 << '|' << c.bn_freeze_epoch << '|'
    << c.classes << '|' << c.tau << '|' << c.parametrization << '|' << c.residual_init << '|'
    << c.mapping << '|' << c.mapping_candidates << '|' << c.mapping_layers << '|';
  // One fraction as before per-layer fractions came (a checkpoint of then still resumes).
  if (c.shrink.empty() || std::equal(c.shrink.begin() + 1, c.shrink.end(), c.shrink.begin()))
    s << (c.shrink.empty() ? 0.0 : c.shrink[0]);
  else
    for (double f : c.shrink) s << f << ',';
  s << '|' << c.shrink_epoch << '|' << c.augment_shift << '|' << c.pixel_bits << '|'
    << c.threshold_bits << '|';
  for (unsigned v : c.weight_bits) s << v << ',';
  s << '|';
  for (unsigned v : c.activation_bits) s << v << ',';
  s << '|' << c.multiplier_bits << '|' << c.weight_scale << '|';
  for (const auto* v : {&c.conv_filters, &c.conv_kernel, &c.conv_stride}) {
    for (unsigned x : *v) s << x << ',';
    s << '|';
  }
  if (c.average_decay > 0) s << "average " << c.average_decay << ' ' << c.average_epoch << '|';
  if (!c.shrink.empty())
    s << "shrink " << c.shrink_steps << ' ' << c.shrink_min_inputs << ' ' << c.shrink_unit << '|';
  if (c.shrink_rewire > 0)
    s << "rewire " << c.shrink_rewire << ' ' << c.shrink_rewire_margin << '|';
  if (c.shrink_rewire_luts > 0)
    s << "rewire whole " << c.shrink_rewire_luts << ' ' << c.shrink_rewire_margin << '|';
  if (c.family == Family::LutNet) {
    s << "lutnet " << c.bnn_epochs << ' ';
    for (unsigned v : c.connections) s << v << ',';
    s << '|';
  }
  return s.str();
}

// Polyak averaging: an exponential moving average of a network's parameters, updated after every
// optimizer step once started, with the decay min(decay, (1 + t) / (10 + t)) at its step t so
// that the first steps do not hold on to the parameters it started from.
class ParameterAverage {
 public:
  ParameterAverage(NetworkImpl& net, const TrainConfig& c)
      : params_(net.parameters()), decay_(c.average_decay), first_epoch_(c.average_epoch) {}

  // Whether the configuration averages, and from which epoch.
  bool enabled() const { return decay_ > 0; }
  unsigned first_epoch() const { return first_epoch_; }
  bool started() const { return !average_.empty(); }
  void start() {
    torch::NoGradGuard no_grad;
    average_.clear();
    for (const torch::Tensor& p : params_) average_.push_back(p.detach().clone());
    steps_ = 0;
  }
  void update() {
    if (!started()) return;
    torch::NoGradGuard no_grad;
    const double t = static_cast<double>(steps_++);
    const double d = std::min(decay_, (1.0 + t) / (10.0 + t));
    for (size_t i = 0; i < params_.size(); ++i) average_[i].lerp_(params_[i].detach(), 1.0 - d);
  }
  // Exchanges the averaged and the live values of the parameters (twice restores them).
  void swap() {
    if (!started()) return;
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      const torch::Tensor live = params_[i].detach().clone();
      params_[i].detach().copy_(average_[i]);
      average_[i].copy_(live);
    }
  }
  // The live parameters become the average, which stops.
  void finish() {
    swap();
    average_.clear();
  }
  void save(torch::serialize::OutputArchive& ar) const {
    ar.write("steps", c10::IValue(static_cast<int64_t>(steps_)));
    for (size_t i = 0; i < average_.size(); ++i) ar.write(std::to_string(i), average_[i]);
  }
  void load(torch::serialize::InputArchive& ar) {
    c10::IValue v;
    ar.read("steps", v);
    start();
    steps_ = static_cast<uint64_t>(v.toInt());
    for (size_t i = 0; i < average_.size(); ++i) ar.read(std::to_string(i), average_[i]);
  }

 private:
  std::vector<torch::Tensor> params_;
  std::vector<torch::Tensor> average_;
  double decay_;
  unsigned first_epoch_;
  uint64_t steps_ = 0;
};

void save_checkpoint(const std::string& path, NetworkImpl& net, torch::optim::Optimizer& opt,
                     const ParameterAverage& average, unsigned epochs_done,
                     const std::string& config) {
  torch::serialize::OutputArchive ar, model_ar, opt_ar, average_ar;
  net.save(model_ar);
  opt.save(opt_ar);
  ar.write("model", model_ar);
  ar.write("optimizer", opt_ar);
  if (average.started()) {
    average.save(average_ar);
    ar.write("average", average_ar);
  }
  ar.write("epoch", c10::IValue(static_cast<int64_t>(epochs_done)));
  ar.write("config", c10::IValue(config));
  const std::string tmp = path + ".tmp";
  ar.save_to(tmp);
  std::filesystem::rename(tmp, path);  // a run killed while saving leaves the previous checkpoint
}

unsigned load_checkpoint(const std::string& path, NetworkImpl& net, torch::optim::Optimizer& opt,
                         ParameterAverage& average, const std::string& config,
                         const std::string& source) {
  if (!std::filesystem::exists(path)) throw Error(path + ": no checkpoint to resume from");
  try {
    torch::serialize::InputArchive ar, model_ar, opt_ar;
    ar.load_from(path);
    c10::IValue v;
    ar.read("config", v);
    if (v.toStringRef() != config)
      throw Error(path + ": this checkpoint was written for a different configuration than " +
                  source + "; train without --resume, or give the configuration it came from");
    ar.read("epoch", v);
    ar.read("model", model_ar);
    net.load(model_ar);
    ar.read("optimizer", opt_ar);
    opt.load(opt_ar);
    const auto epochs_done = static_cast<unsigned>(v.toInt());
    if (average.enabled() && epochs_done > average.first_epoch()) {
      torch::serialize::InputArchive average_ar;
      ar.read("average", average_ar);
      average.load(average_ar);
    }
    return epochs_done;
  } catch (const c10::Error& e) {
    throw Error(path + ": not a readable lutforge checkpoint (" +
                std::string(e.what_without_backtrace()) + ")");
  }
}

// A progress line on a terminal: epoch, a bar, batches and the running loss.
class Progress {
 public:
  explicit Progress(bool enabled) : tty_(enabled && isatty(fileno(stderr))) {}
  void batch(unsigned epoch, unsigned epochs, int64_t done, int64_t total, double loss) {
    if (!tty_ || (seconds_since(last_) < 0.2 && done != total)) return;
    last_ = Clock::now();
    const int width = 30, filled = static_cast<int>(width * done / std::max<int64_t>(1, total));
    std::fprintf(stderr, "\r  epoch %u/%u [%s%s] %lld/%lld  loss %.4f", epoch, epochs,
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 static_cast<long long>(done), static_cast<long long>(total), loss);
    std::fflush(stderr);
  }
  void clear() {
    if (tty_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool tty_;
  Clock::time_point last_ = Clock::now();
};

void reset_adam_moments(torch::optim::Adam& opt, const torch::Tensor& param,
                        const torch::Tensor& mask) {
  auto& states = opt.state();
  auto it = states.find(c10::guts::to_string(param.unsafeGetTensorImpl()));
  if (it == states.end()) return;
  auto& st = static_cast<torch::optim::AdamParamState&>(*it->second);
  st.exp_avg().masked_fill_(mask, 0.0);
  st.exp_avg_sq().masked_fill_(mask, 0.0);
}

}  // namespace

std::pair<Dataset, Dataset> load_datasets(const TrainConfig& c) {
  std::pair<Dataset, Dataset> d;
  if (c.image_dataset()) {
    d.first = read_mnist_dir(c.data_path, true);
    d.second = read_mnist_dir(c.data_path, false);
  } else {
    d = prepare_jsc(c.data_path, c.split_seed);
  }
  auto limit = [](Dataset& s, size_t n) {
    if (n == 0 || n >= s.size()) return;
    s.labels.resize(n);
    s.features.resize(n * s.num_features);
  };
  limit(d.first, c.train_limit);
  limit(d.second, c.test_limit);
  return d;
}

models::InputQuantizer make_input_quantizer(const TrainConfig& c, const Dataset& train) {
  const size_t features = train.num_features;
  if (c.input_encoding == "distributive")
    return models::distributive_quantizer(train.features, features, c.input_bits,
                                          {c.pixel_bits, c.threshold_bits});
  if (c.input_encoding == "thermometer")
    return models::thermometer_quantizer(features, c.input_bits, c.input_lo, c.input_hi);
  return models::uniform_quantizer(features, c.input_bits, c.input_lo, c.input_hi);
}

namespace {

// c's network, freshly initialized from c.seed, with LibTorch set to c.threads threads (its
// OpenMP default can be a single thread; 0 means every core).
std::shared_ptr<NetworkImpl> new_network(const TrainConfig& c, int64_t features) {
  torch::set_num_threads(
      static_cast<int>(c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency())));
  torch::manual_seed(c.seed);
  std::mt19937_64 init_rng(c.seed);
  return make_network(c, features, init_rng);
}

torch::optim::Adam new_optimizer(const TrainConfig& c, NetworkImpl& net) {
  return torch::optim::Adam(
      net.parameters(), torch::optim::AdamOptions(c.learning_rate).weight_decay(c.weight_decay));
}

}  // namespace

double time_train_step(const TrainConfig& c, int64_t features, unsigned steps) {
  const std::shared_ptr<NetworkImpl> net = new_network(c, features);
  torch::optim::Adam opt = new_optimizer(c, *net);
  const int64_t batch = c.batch_size;
  const torch::Tensor x =
      torch::randint(0, int64_t{1} << c.input_bits, {batch, features}, torch::kLong);
  const torch::Tensor y = torch::randint(0, c.num_classes(), {batch}, torch::kLong);
  net->train();
  std::vector<double> ms;
  for (unsigned s = 0; s < steps + 2; ++s) {
    const auto t0 = Clock::now();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (s >= 2) ms.push_back(1000.0 * seconds_since(t0));
  }
  std::sort(ms.begin(), ms.end());
  return ms.empty() ? 0.0 : ms[ms.size() / 2];
}

TrainResult train_model(const TrainConfig& c, const TrainOptions& opts) {
  const auto [train_set, test_set] = load_datasets(c);
  if (train_set.size() < 2)
    throw Error(c.data_path + ": the training set has fewer than 2 samples");
  for (const Dataset* d : {&train_set, &test_set})
    for (int32_t y : d->labels)
      if (y < 0 || static_cast<unsigned>(y) >= c.num_classes())
        throw Error(c.source + ": the dataset has class " + std::to_string(y) +
                    " but the network has only " + std::to_string(c.num_classes()) + " classes");
  const models::InputQuantizer quantizer = make_input_quantizer(c, train_set);
  torch::Tensor train_x = encode_dataset(quantizer, train_set);
  const torch::Tensor train_y = labels_of(train_set);
  const torch::Tensor test_x = encode_dataset(quantizer, test_set);

  const std::shared_ptr<NetworkImpl> net =
      new_network(c, static_cast<int64_t>(train_set.num_features));
  torch::optim::Adam opt = new_optimizer(c, *net);
  ParameterAverage average(*net, c);
  const std::string config = fingerprint(c);

  TrainResult r;
  if (opts.resume) {
    r.first_epoch = load_checkpoint(opts.checkpoint, *net, opt, average, config, c.source);
    if (opts.progress)
      std::fprintf(stderr, "resuming %s after epoch %u of %u\n", opts.checkpoint.c_str(),
                   r.first_epoch, c.epochs);
  }

  const auto t_train = Clock::now();
  const int64_t n = train_x.size(0);
  Progress progress(opts.progress);
  const torch::Tensor test_y = labels_of(test_set);
  auto live_test_accuracy = [&]() {
    if (test_x.size(0) == 0) return 0.0;
    const torch::Tensor pred = predictions(eval_all(*net, test_x));
    return pred.eq(test_y).to(torch::kDouble).mean().item<double>();
  };
  auto test_accuracy = [&]() {  // of the averaged parameters while there is an average
    average.swap();
    const double a = live_test_accuracy();
    average.swap();
    return a;
  };
  // Pruning masks (parameter, mask): the masked entries are zeroed after every optimizer step.
  std::vector<std::pair<torch::Tensor, torch::Tensor>> masks;
  auto apply_masks = [&]() {
    torch::NoGradGuard no_grad;
    for (auto& [param, mask] : masks) param.mul_(mask);
  };

  // One epoch of training: epoch e (0-based; it seeds the shuffle) of `epochs` at rate lr.
  auto run_epoch = [&](unsigned e, unsigned shown, unsigned epochs, double lr) {
    const auto t_epoch = Clock::now();
    for (auto& group : opt.param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    const bool rewire = c.sparselut() && e < c.freeze_epoch;

    // A shuffle that depends only on the seed and the epoch, so a resumed run sees the same
    // batches.
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    std::mt19937_64 shuffle_rng(mix(c.seed, 2 * e));
    std::shuffle(order.begin(), order.end(), shuffle_rng);
    std::mt19937_64 regrow_rng(mix(c.seed, 2 * e + 1));
    if (c.augment_shift) {  // this epoch's shifted images, from the seed and the epoch alone
      std::mt19937_64 shift_rng(mix(c.seed ^ 0x5bd1e995u, e));
      train_x = encode_dataset(quantizer, shifted_images(train_set, c.augment_shift, shift_rng));
    }
    const torch::Tensor order_t = torch::tensor(order, torch::kLong);

    net->train();
    net->start_epoch(c, e);
    if (average.enabled() && e == average.first_epoch() && !average.started()) average.start();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0, regrown = 0;
    const int64_t batches = (n + c.batch_size - 1) / c.batch_size;
    for (int64_t b = 0; b < batches; ++b) {
      const int64_t start = b * c.batch_size, size = std::min<int64_t>(c.batch_size, n - start);
      if (size < 2) continue;  // batch norm needs two samples
      const torch::Tensor idx = order_t.narrow(0, start, size);
      const torch::Tensor x = train_x.index_select(0, idx).to(torch::kLong),
                          y = train_y.index_select(0, idx);
      const torch::Tensor logits = net->forward(x);
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      const double ce = loss.item<double>();
      if (rewire) loss = loss + net->penalty(c, rewire);
      opt.zero_grad();
      loss.backward();
      opt.step();
      apply_masks();
      average.update();
      if (rewire) {
        for (const auto& [param, mask] : net->rewire(regrow_rng)) {
          const int64_t k = mask.sum().item<int64_t>();
          if (k) reset_adam_moments(opt, param, mask);
          regrown += k;
        }
      }
      loss_sum += ce * static_cast<double>(size);
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += size;
      progress.batch(shown, epochs, b + 1, batches, loss_sum / static_cast<double>(seen));
    }
    progress.clear();

    EpochStats s;
    s.epoch = shown;
    s.loss = loss_sum / static_cast<double>(std::max<int64_t>(1, seen));
    s.train_accuracy =
        static_cast<double>(correct) / static_cast<double>(std::max<int64_t>(1, seen));
    s.test_accuracy = test_accuracy();
    if (average.started()) s.unaveraged_test_accuracy = live_test_accuracy();
    s.seconds = seconds_since(t_epoch);
    s.regrown = regrown;
    if (opts.progress) {
      std::fprintf(stderr, "epoch %u/%u  loss %.4f  train %.2f%%  test %.2f%%", s.epoch, epochs,
                   s.loss, 100 * s.train_accuracy, 100 * s.test_accuracy);
      if (s.unaveraged_test_accuracy)
        std::fprintf(stderr, " (average; last parameters %.2f%%)",
                     100 * *s.unaveraged_test_accuracy);
      std::fprintf(stderr, "  %.1f s", s.seconds);
      if (c.sparselut())
        std::fprintf(stderr, rewire ? "  regrown %lld" : "  mask frozen", s.regrown);
      std::fprintf(stderr, "\n");
    }
    return s;
  };

  for (unsigned e = r.first_epoch; e < c.epochs; ++e) {
    r.epochs.push_back(run_epoch(e, e + 1, c.epochs, cosine_rate(c.learning_rate, e, c.epochs)));
    if (!opts.checkpoint.empty())
      save_checkpoint(opts.checkpoint, *net, opt, average, e + 1, config);
  }
  average.finish();  // what follows (pruning, the export) starts from the averaged parameters
  r.train_seconds = seconds_since(t_train);

  if (c.prune.enabled) {
    const auto t_prune = Clock::now();
    r.accuracy_before_prune = test_accuracy();
    run_prune_schedule(c, quantizer, *net, train_x, train_y, opts.progress, masks, r,
                       [&](unsigned step, unsigned epochs) {
                         for (unsigned k = 0; k < epochs; ++k)
                           run_epoch(c.epochs + step * epochs + k, k + 1, epochs,
                                     cosine_rate(c.prune.finetune_learning_rate, k, epochs));
                         return test_accuracy();
                       });
    r.prune_seconds = seconds_since(t_prune);
  }

  const auto t_export = Clock::now();
  r.model = net->export_model(c, quantizer);
  r.export_seconds = seconds_since(t_export);

  // The check of the export: models/ must give every test sample the class scores of the
  // quantized evaluation.
  const torch::Tensor scores = eval_all(*net, test_x);
  const torch::Tensor pred = predictions(scores);
  r.test_labels = test_set.labels;
  r.test_predictions.resize(static_cast<size_t>(pred.size(0)));
  int64_t right = 0;
  for (int64_t i = 0; i < pred.size(0); ++i) {
    r.test_predictions[static_cast<size_t>(i)] = static_cast<uint32_t>(pred[i].item<int64_t>());
    right += r.test_predictions[static_cast<size_t>(i)] ==
             static_cast<uint32_t>(test_set.labels[static_cast<size_t>(i)]);
    const std::vector<uint32_t> ref = models::class_scores(
        r.model, models::input_codes(
                     r.model, &test_set.features[static_cast<size_t>(i) * test_set.num_features]));
    for (size_t k = 0; k < ref.size(); ++k) {
      const int64_t t = scores[i][static_cast<int64_t>(k)].item<int64_t>();
      if (models::score_value(r.model, ref[k]) != t)
        throw Error("export check: test sample " + std::to_string(i) + ", class " +
                    std::to_string(k) + ": the model file scores " +
                    std::to_string(models::score_value(r.model, ref[k])) +
                    ", LibTorch's quantized evaluation " + std::to_string(t));
    }
  }
  r.test_accuracy =
      pred.size(0) ? static_cast<double>(right) / static_cast<double>(pred.size(0)) : 0.0;
  if (opts.progress)
    std::fprintf(stderr,
                 "exported %zu layers in %.2f s; the model file predicts all %lld test samples as "
                 "LibTorch does\n",
                 r.model.layers.size(), r.export_seconds, static_cast<long long>(pred.size(0)));
  return r;
}

}  // namespace lutforge::train
