// The pruning schedule of [prune] (train/network.hpp): export, measure, solve, mask, fine-tune.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "base/error.hpp"
#include "models/lower.hpp"
#include "train/network.hpp"
#include "train/train.hpp"

namespace lutforge::train {
namespace {

using Clock = std::chrono::steady_clock;

// The first-order (Taylor) estimate of the loss change when a weight goes, per weight entry, over
// the first `limit` samples of the training set: with `squared` false, |sum over the batches of
// w * dL/dw|; with `squared` true, the sum over the batches of (w * dL/dw)^2, which does not
// vanish when the batches' gradients cancel near convergence.
std::vector<torch::Tensor> taylor_importance(NetworkImpl& net,
                                             const std::vector<NetworkImpl::PrunableLayer>& layers,
                                             const torch::Tensor& train_x,
                                             const torch::Tensor& train_y, int64_t batch,
                                             int64_t limit, bool squared) {
  std::vector<torch::Tensor> sum;
  for (const auto& L : layers) sum.push_back(torch::zeros_like(L.weight));
  net.train();
  const int64_t n = std::min(limit, train_x.size(0));
  for (int64_t start = 0; start + 1 < n; start += batch) {
    const int64_t size = std::min(batch, n - start);
    const torch::Tensor x = train_x.narrow(0, start, size).to(torch::kLong),
                        y = train_y.narrow(0, start, size);
    net.zero_grad();
    torch::nn::functional::cross_entropy(net.forward(x), y).backward();
    torch::NoGradGuard no_grad;
    for (size_t l = 0; l < layers.size(); ++l)
      if (layers[l].weight.grad().defined()) {
        const torch::Tensor wg = layers[l].weight * layers[l].weight.grad();
        sum[l] += squared ? wg * wg : wg;
      }
  }
  net.zero_grad();
  if (!squared)
    for (auto& t : sum) t = t.abs();
  return sum;
}

}  // namespace

void run_prune_schedule(const TrainConfig& c, const models::InputQuantizer& quantizer,
                        NetworkImpl& net, const torch::Tensor& train_x,
                        const torch::Tensor& train_y, bool progress,
                        std::vector<std::pair<torch::Tensor, torch::Tensor>>& masks, TrainResult& r,
                        const std::function<double(unsigned, unsigned)>& finetune) {
  const std::vector<NetworkImpl::PrunableLayer> layers = net.prunable_layers();
  if (layers.empty())
    throw Error(c.source + ": [prune] applies to networks whose weights can be pruned (mac)");
  models::LowerParams lp;
  lp.reuse_factor = c.prune.reuse_factor;
  lp.dsp_packing = c.prune.dsp_packing;
  lp.weights_in_bram = c.prune.weights_in_bram;
  if (!models::family_from_name(c.prune.dsp_family, lp.dsp_family))
    throw Error(c.source + ": [prune] dsp_family '" + c.prune.dsp_family + "'");
  const bool unstructured = c.prune.method == "unstructured";
  const prune::Budget target =
      unstructured ? prune::Budget{}
                   : prune::parse_budget(c.prune.budget, c.source + ": [prune] budget");
  const prune::KnapsackSolver solver = prune::parse_solver(c.prune.solver, c.source + ": [prune]");
  std::vector<size_t> rows;
  for (const auto& L : layers) rows.push_back(L.rows);

  // The masks start full: weight and bias of every layer.
  std::vector<torch::Tensor> wmask, bmask;
  for (const auto& L : layers) {
    wmask.push_back(torch::ones_like(L.weight));
    bmask.push_back(torch::ones_like(L.bias));
    masks.push_back({L.weight, wmask.back()});
    masks.push_back({L.bias, bmask.back()});
  }

  // Fine-tuning moves the kept weights, and the LUT estimate depends on their values: when the
  // last step's fine-tuning leaves the lowering over a budget, one more step prunes at the budget,
  // up to four; the fourth is not fine-tuned, so that the result is within the budget.
  unsigned last = c.prune.steps;
  // A step's fine-tuning and its record; after the last step, the cost of the result.
  auto finish = [&](PruneStepStats& s, Clock::time_point t0, unsigned epochs) {
    s.test_accuracy = epochs ? finetune(s.step - 1, epochs) : s.accuracy_pruned;
    s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.prune_steps.push_back(s);
    if (s.step != last) return;
    r.cost_after = prune::pruned_cost(net.export_model(c, quantizer), lp);
    const bool over = !unstructured && prune::over_budget(r.cost_after, target);
    if (over && s.step < c.prune.steps + 4) {
      last = s.step + 1;
      if (progress)
        std::fprintf(stderr,
                     "after the fine-tuning the lowering takes %s, over the budget %s: one more "
                     "step at the budget\n",
                     prune::format_cost(r.cost_after).c_str(), prune::format_cost(target).c_str());
      return;
    }
    r.within_budget = !over;
    if (over)  // shown even when quiet: the result is not what was asked for
      std::fprintf(stderr,
                   "%s: warning: after %u pruning steps the lowering still takes %s, over the "
                   "budget %s\n",
                   c.source.c_str(), s.step, prune::format_cost(r.cost_after).c_str(),
                   prune::format_cost(target).c_str());
  };
  for (unsigned step = 1; step <= last; ++step) {
    const bool repair = step > c.prune.steps;
    // The extra steps are fine-tuned as the others, but for the last one allowed.
    const unsigned epochs = step < c.prune.steps + 4 ? c.prune.finetune_epochs : 0;
    const auto t0 = Clock::now();
    const models::Model m = net.export_model(c, quantizer);
    if (step == 1) r.cost_before = prune::pruned_cost(m, lp);
    if (unstructured) {
      // The comparison: the smallest weights of each layer, step / steps of `sparsity`, whatever
      // slice they are on.
      const double fraction = c.prune.sparsity * static_cast<double>(step) / c.prune.steps;
      PruneStepStats s;
      {
        torch::NoGradGuard no_grad;
        for (size_t l = 0; l < layers.size(); ++l) {
          const torch::Tensor mag = layers[l].weight.abs().flatten();
          const int64_t k = static_cast<int64_t>(fraction * static_cast<double>(mag.numel()));
          if (k == 0) continue;
          const double threshold = std::get<0>(mag.kthvalue(k)).item<double>();
          wmask[l].mul_((layers[l].weight.abs() > threshold).to(wmask[l].dtype()));
          s.removed_weights += static_cast<size_t>((wmask[l] == 0).sum().item<int64_t>());
        }
        for (auto& [param, mask] : masks) param.mul_(mask);
      }
      s.step = step;
      s.budget.fill(std::numeric_limits<double>::infinity());
      s.solved = s.budget;
      s.lowered = prune::pruned_cost(net.export_model(c, quantizer), lp);
      s.predicted = s.lowered;
      s.accuracy_pruned = finetune(step - 1, 0);
      if (progress)
        std::fprintf(stderr,
                     "prune step %u/%u: the smallest %.1f%% of each layer's weights (%zu); "
                     "lowered %s; test %.2f%%, fine-tuning %u epochs\n",
                     step, c.prune.steps, 100 * fraction, s.removed_weights,
                     prune::format_cost(s.lowered).c_str(), 100 * s.accuracy_pruned,
                     c.prune.finetune_epochs);
      finish(s, t0, epochs);
      continue;
    }
    prune::Inventory inv = prune::inventory(m, lp, rows);
    // This step's budget: step / steps of the way from the unpruned cost to the target.
    prune::Budget budget = target;
    for (size_t k = 0; k < prune::kNumResources; ++k)
      if (!std::isinf(target[k]))
        budget[k] = repair ? target[k]
                           : r.cost_before[k] - (r.cost_before[k] - target[k]) *
                                                    static_cast<double>(step) / c.prune.steps;
    if (c.prune.importance != "magnitude") {
      const std::vector<torch::Tensor> imp = taylor_importance(
          net, layers, train_x, train_y, c.batch_size, 10000, c.prune.importance == "fisher");
      std::vector<std::vector<std::vector<double>>> per_weight(m.layers.size());
      for (size_t l = 0; l < m.layers.size(); ++l) {
        const torch::Tensor t = imp[l].to(torch::kDouble).contiguous();
        const auto a = t.accessor<double, 2>();
        for (size_t n = 0; n < m.layers[l].neurons.size(); ++n) {
          const int64_t row = static_cast<int64_t>(n / layers[l].per_row);
          std::vector<double> w(static_cast<size_t>(a.size(1)));
          for (int64_t i = 0; i < a.size(1); ++i)
            w[static_cast<size_t>(i)] = a[row][i] / static_cast<double>(layers[l].per_row);
          per_weight[l].push_back(std::move(w));
        }
      }
      prune::set_importance(inv, per_weight);
    }
    const prune::PruneResult pr = prune::prune(m, inv, budget, lp, solver);

    // Mask what this step removed: a pattern's weights; a row's weights and bias, and the next
    // layer's weight slots that read only removed units (at every position of a filter).
    std::vector<std::set<uint32_t>> removed_units(m.layers.size());
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < inv.structures.size(); ++i) {
        const prune::Structure& s = inv.structures[i];
        if (pr.kept[i]) continue;
        const int64_t row = static_cast<int64_t>(s.row);
        if (s.kind == prune::Structure::Kind::Pattern) {
          wmask[s.layer][row]
              .narrow(0, static_cast<int64_t>(s.first), static_cast<int64_t>(s.count))
              .zero_();
          continue;
        }
        wmask[s.layer][row].zero_();
        bmask[s.layer][row].zero_();
        for (size_t n : s.neurons) removed_units[s.layer].insert(static_cast<uint32_t>(n));
      }
      for (size_t l = 0; l + 1 < m.layers.size(); ++l) {
        if (removed_units[l].empty()) continue;
        const models::Layer& next = m.layers[l + 1];
        const size_t per_row = layers[l + 1].per_row;
        for (size_t row = 0; row < layers[l + 1].rows; ++row)
          for (size_t i = 0; i < next.fan_in; ++i) {
            bool all = true;
            for (size_t k = 0; k < per_row && all; ++k)
              all = removed_units[l].count(next.neurons[row * per_row + k].inputs[i]) > 0;
            if (all) wmask[l + 1][static_cast<int64_t>(row)][static_cast<int64_t>(i)] = 0;
          }
      }
      for (auto& [param, mask] : masks) param.mul_(mask);
    }

    PruneStepStats s;
    s.step = step;
    s.budget = budget;
    s.solved = pr.solved;
    s.predicted = pr.predicted;
    s.lowered = pr.lowered;
    s.removed_rows = pr.removed_rows;
    s.removed_patterns = pr.removed_patterns;
    s.optimal = pr.knapsack.optimal;
    s.solver_seconds = pr.knapsack.seconds;
    s.accuracy_pruned = finetune(step - 1, 0);
    if (progress)
      std::fprintf(stderr,
                   "prune step %u/%u: budget %s%s%s; removed %zu rows, %zu patterns (%s%s, %.2f "
                   "s); predicted %s, lowered %s; test %.2f%%, fine-tuning %u epochs\n",
                   step, c.prune.steps, prune::format_cost(budget).c_str(),
                   s.solved == budget ? "" : ", solved at ",
                   s.solved == budget ? "" : prune::format_cost(s.solved).c_str(), s.removed_rows,
                   s.removed_patterns, c.prune.solver.c_str(), s.optimal ? ", optimal" : "",
                   s.solver_seconds, prune::format_cost(s.predicted).c_str(),
                   prune::format_cost(s.lowered).c_str(), 100 * s.accuracy_pruned, epochs);
    finish(s, t0, epochs);
  }
  if (progress)
    std::fprintf(stderr, "pruned: %s before, %s after\n", prune::format_cost(r.cost_before).c_str(),
                 prune::format_cost(r.cost_after).c_str());
}

}  // namespace lutforge::train
