#!/usr/bin/env python3
"""Pruning to a block RAM budget: the MAC MLP of configs/mnist-mac-mlp.toml (784-64-10, 4-bit
weights and activations) lowered at reuse factor R with its weights in block RAM
(`lutforge lower --reuse-factor R --weights-in-bram`), on MNIST and Fashion-MNIST.

Per dataset: the unpruned network, and the [prune] schedule (knapsack, CBC, Taylor importance,
weights_in_bram = 1) at BRAM budgets of each given fraction of the unpruned network's BRAM18
count. Every network then goes through lower, synth_xilinx (BRAM18, DSPs, LUTs, FFs beside the
cost model's), the prover with a time limit, per-sample simulation of all test images against
models/ (lutforge encode's reference), and the SystemC engine's II and latency: bench_prune.py's
hardware stage, with the weights in block RAM.

Writes OUT/results.csv, OUT/steps.csv (every pruning step), OUT/table.md and the plot
OUT/prune-bram-steps.png/svg of accuracy against BRAM18 over the schedule, with its .dat files;
the runs' files go to OUT/runs/ (not kept in the repository). A hardware row is reused when its
lowered netlist is unchanged.

usage: bench_prune_bram.py BUILD OUT [--datasets mnist fashion-mnist] [--reuse 196]
                           [--fractions 0.5 0.25] [--steps 4] [--finetune 2] [--equiv-time 900]
"""
import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_prune  # noqa: E402  (the training, lowering and hardware stage)


class BramBench(bench_prune.Bench):
    def lowered(self, model, name):
        low = os.path.join(self.runs, name + "-r%d-bram.json" % self.a.reuse)
        self.cmd("lower", model, "-o", low, "--reuse-factor", self.a.reuse, "--dsp-family",
                 "dsp48e1", "--weights-in-bram")
        return low

    def hardware(self, ds, name, model, cost):
        row = super().hardware(ds, name, model, cost)
        res = json.load(open(os.path.join(self.runs, name + "-xilinx.resources.json")))
        row["brams_18k"] = res["brams_18k"]
        row["model_bram"] = cost["bram"]
        return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    ap.add_argument("--reuse", type=int, default=196)
    ap.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.25])
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--finetune", type=int, default=2)
    ap.add_argument("--equiv-time", type=int, default=900)
    a = ap.parse_args()
    a.reprove = False
    os.makedirs(a.out, exist_ok=True)
    b = BramBench(a)
    rows, steps, lines = [], [], []
    common = {"reuse_factor": str(a.reuse), "steps": str(a.steps),
              "finetune_epochs": str(a.finetune), "weights_in_bram": "1",
              "dsp_family": '"dsp48e1"', "solver": '"cbc"', "importance": '"taylor"'}
    for ds in a.datasets:
        base, base_wall, base_model = b.train(ds + "-base", bench_prune.config_text(ds))
        # The unpruned network's cost as synthesis keeps it (`lutforge prune`'s report).
        report = os.path.join(b.runs, ds + "-base-cost.json")
        b.cmd("prune", base_model, "--budget", "bram=1000000", "-o",
              os.path.join(b.runs, ds + "-base-unpruned.lfm.json"), "--reuse-factor", a.reuse,
              "--weights-in-bram", "--dsp-family", "dsp48e1", "--report", report, capture=True)
        base_cost = json.load(open(report))["before_synthesized"]
        runs = []
        for fraction in a.fractions:
            spec = dict(common)
            budget = "bram=%d" % math.floor(fraction * base_cost["bram"])
            spec["budget"] = '"%s"' % budget
            name = "%s-bram-%g" % (ds, fraction)
            rep, wall, model = b.train(name, bench_prune.config_text(ds, spec))
            runs.append((name, budget, rep, wall, model))
        for name, budget, rep, wall, model in [(ds + "-base", "-", base, base_wall, base_model)] + runs:
            cost = rep["prune"]["after"] if "prune" in rep else base_cost
            hw = b.hardware(ds, name, model, cost)
            row = {"dataset": ds, "run": name, "budget": budget,
                   "accuracy": round(100 * rep["test_accuracy"], 2),
                   "delta_pts": round(100 * (rep["test_accuracy"] - base["test_accuracy"]), 2),
                   "train_prune_s": round(wall, 1)}
            row.update({k: hw[k] for k in ("brams_18k", "model_bram", "dsps", "model_dsp", "luts",
                                           "model_lut", "flip_flops", "model_ff", "synth_s",
                                           "equiv", "equiv_s", "hw_equals_models", "test_images",
                                           "hw_accuracy", "systemc_ii", "systemc_latency")})
            rows.append(row)
            print(row, flush=True)
            if "prune" not in rep:
                continue
            for st in rep["prune"]["steps"]:
                steps.append({"dataset": ds, "run": name, "step": st["step"],
                              "bram": st["lowered"]["bram"], "dsp": st["lowered"]["dsp"],
                              "acc_pruned": round(100 * st["accuracy_pruned"], 2),
                              "acc_finetuned": round(100 * st["test_accuracy"], 2)})
            lines.append(({"dataset": ds, "bram_before": base_cost["bram"],
                           "acc_base": round(100 * base["test_accuracy"], 2)}, name,
                          "budget %s" % budget))
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "steps.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(steps[0].keys()))
        w.writeheader()
        w.writerows(steps)
    bench_prune.schedule_plot(a.out, steps, lines, "bram", "", "bram", "1:2", "prune-bram-steps",
                              "accuracy against block RAM over the schedule",
                              "BRAM18 of the lowering (R=%d, weights in block RAM)" % a.reuse)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write("| dataset | network | budget | test acc. | change (pts) | BRAM18 (cost model) | "
                "DSP48E1 (cost model) | LUTs (cost model) | FFs (cost model) | proof | proof (s) | "
                "hardware = models/ | SystemC II | latency |\n|" + "---|" * 14 + "\n")
        for r in rows:
            f.write("| %s | %s | %s | %.2f%% | %+.2f | %d (%g) | %d (%g) | %d (%g) | %d (%g) | %s | %s | "
                    "%d/%d | %s | %s |\n" % (
                        r["dataset"], r["run"], r["budget"], r["accuracy"], r["delta_pts"],
                        r["brams_18k"], r["model_bram"], r["dsps"], r["model_dsp"], r["luts"],
                        r["model_lut"], r["flip_flops"], r["model_ff"], r["equiv"], r["equiv_s"],
                        r["hw_equals_models"], r["test_images"], r["systemc_ii"],
                        r["systemc_latency"]))


if __name__ == "__main__":
    main()
