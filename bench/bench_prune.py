#!/usr/bin/env python3
"""Resource-aware pruning of the MAC MLP (configs/mnist-mac-mlp.toml) to a DSP budget.

For each dataset: the unpruned network (the configuration's epochs), then the same training
followed by the [prune] schedule to a budget of (1 - cut) of the unpruned lowering's slices at
reuse factor R, with CBC and with greedy (Taylor importance), and with CBC on magnitude
importance. Writes OUT/results.csv (one row per run), OUT/steps.csv (accuracy and slices after
every pruning step), OUT/prune-steps.png/svg (gnuplot) and OUT/table.md.

usage: bench_prune.py BUILD OUT [--datasets mnist fashion-mnist] [--cut 0.56] [--reuse 49]
                      [--steps 4] [--finetune 2]
"""
import argparse
import csv
import json
import math
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def config_text(dataset, prune=None):
    base = open(os.path.join(ROOT, "configs", "mnist-mac-mlp.toml")).read()
    base = base.replace('dataset = "mnist"', 'dataset = "%s"' % dataset)
    base = base.replace('path = "data/mnist"', 'path = "%s"' % os.path.join(ROOT, "data", dataset))
    if prune:
        base += "\n[prune]\n" + "".join("%s = %s\n" % kv for kv in prune.items())
    return base


def train(build, out, name, text):
    cfg = os.path.join(out, name + ".toml")
    with open(cfg, "w") as f:
        f.write(text)
    model, report = os.path.join(out, name + ".lfm.json"), os.path.join(out, name + ".json")
    t0 = time.time()
    subprocess.run([os.path.join(build, "apps", "lutforge"), "train", cfg, "-o", model, "--report",
                    report, "-q"], check=True)
    wall = time.time() - t0
    return json.load(open(report)), wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    ap.add_argument("--cut", type=float, default=0.56)
    ap.add_argument("--reuse", type=int, default=49)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--finetune", type=int, default=2)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows, steps = [], []
    for ds in a.datasets:
        # The unpruned lowering's slices come from a pruning run's "before"; the baseline is the
        # same training without [prune].
        base, wall = train(a.build, a.out, ds + "-base", config_text(ds))
        probe = None
        for solver, importance in [("cbc", "taylor"), ("greedy", "taylor"), ("cbc", "magnitude")]:
            before = probe["prune"]["before"]["dsp"] if probe else None
            budget = math.floor((1 - a.cut) * before) if before else None
            if budget is None:  # the first run learns the unpruned cost from a tiny probe budget
                _, _ = None, None
            spec = {"budget": '"dsp=%d"' % (budget if budget is not None else 0),
                    "reuse_factor": str(a.reuse), "steps": str(a.steps),
                    "finetune_epochs": str(a.finetune), "solver": '"%s"' % solver,
                    "importance": '"%s"' % importance}
            if budget is None:
                # Lower the baseline model to count its slices.
                model = os.path.join(a.out, ds + "-base.lfm.json")
                low = os.path.join(a.out, ds + "-base-r.json")
                subprocess.run([os.path.join(a.build, "apps", "lutforge"), "lower", model, "-o",
                                low, "--reuse-factor", str(a.reuse)], check=True)
                st = json.loads(subprocess.run(
                    [os.path.join(a.build, "apps", "lutforge"), "stats", low, "--json"],
                    check=True, capture_output=True, text=True).stdout)
                before = st["cells"]["packed_dsp"]
                budget = math.floor((1 - a.cut) * before)
                spec["budget"] = '"dsp=%d"' % budget
            name = "%s-%s-%s" % (ds, solver, importance)
            rep, pwall = train(a.build, a.out, name, config_text(ds, spec))
            probe = rep
            p = rep["prune"]
            rows.append({
                "dataset": ds, "solver": solver, "importance": importance,
                "dsp_before": p["before"]["dsp"], "dsp_budget": budget, "dsp_after": p["after"]["dsp"],
                "dsp_cut_pct": round(100 * (1 - p["after"]["dsp"] / p["before"]["dsp"]), 1),
                "lut_before": p["before"]["lut"], "lut_after": p["after"]["lut"],
                "ff_before": p["before"]["ff"], "ff_after": p["after"]["ff"],
                "acc_base": round(100 * base["test_accuracy"], 2),
                "acc_before_prune": round(100 * p["accuracy_before"], 2),
                "acc_pruned": round(100 * rep["test_accuracy"], 2),
                "delta_pts": round(100 * (rep["test_accuracy"] - base["test_accuracy"]), 2),
                "wall_s": round(pwall, 1), "base_wall_s": round(wall, 1),
                "prune_s": round(p["seconds"], 1),
            })
            for s in p["steps"]:
                steps.append({"dataset": ds, "solver": solver, "importance": importance,
                              "step": s["step"], "dsp": s["lowered"]["dsp"],
                              "lut": s["lowered"]["lut"],
                              "acc_pruned": round(100 * s["accuracy_pruned"], 2),
                              "acc_finetuned": round(100 * s["test_accuracy"], 2)})
            print(rows[-1], flush=True)
    for fname, data in [("results.csv", rows), ("steps.csv", steps)]:
        with open(os.path.join(a.out, fname), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0].keys()))
            w.writeheader()
            w.writerows(data)
    # The schedule: accuracy against slices, one line per dataset and run.
    plots = []
    for r in rows:
        key = "%s-%s-%s" % (r["dataset"], r["solver"], r["importance"])
        dat = os.path.join(a.out, key + ".dat")
        with open(dat, "w") as f:
            f.write("# dsp acc_finetuned (step 0: the unpruned network)\n")
            f.write("%g %g\n" % (r["dsp_before"], r["acc_before_prune"]))
            for s in steps:
                if (s["dataset"], s["solver"], s["importance"]) == (r["dataset"], r["solver"], r["importance"]):
                    f.write("%g %g\n" % (s["dsp"], s["acc_finetuned"]))
        plots.append("'%s' using 1:2 with linespoints title '%s'" % (os.path.basename(dat), key))
    for term, ext in [("pngcairo size 900,560", "png"), ("svg size 900,560", "svg")]:
        script = ("set terminal %s\nset output 'prune-steps.%s'\nset xlabel 'DSP slices (lowering, R=%d)'\n"
                  "set ylabel 'test accuracy (%%)'\nset key bottom right\nset grid\n"
                  "set title 'Accuracy over the pruning schedule'\nplot %s\n"
                  % (term, ext, a.reuse, ", ".join(plots)))
        subprocess.run(["gnuplot"], input=script, text=True, cwd=a.out, check=True)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write("| dataset | solver | importance | DSPs before | after | cut | LUTs before | after |"
                " FFs before | after | accuracy unpruned | pruned | change (pts) | run (s) |\n")
        f.write("|" + "---|" * 14 + "\n")
        for r in rows:
            f.write("| %s | %s | %s | %d | %d | %.1f%% | %d | %d | %d | %d | %.2f%% | %.2f%% | %+.2f | %.0f |\n" % (
                r["dataset"], r["solver"], r["importance"], r["dsp_before"], r["dsp_after"],
                r["dsp_cut_pct"], r["lut_before"], r["lut_after"], r["ff_before"], r["ff_after"],
                r["acc_base"], r["acc_pruned"], r["delta_pts"], r["wall_s"]))


if __name__ == "__main__":
    main()
