#!/usr/bin/env python3
"""Resource-aware pruning of the MAC MLP (configs/mnist-mac-mlp.toml, 784-64-10, 4-bit weights
and activations) lowered at reuse factor R, on MNIST and Fashion-MNIST.

Per dataset, each run trains the configuration's epochs and then (but for the baseline) prunes
with the [prune] schedule, `steps` steps of `finetune` epochs:
  - knapsack on a DSP budget of (1 - cut) x the baseline lowering's slices: CBC and greedy on
    Taylor importance, CBC on magnitude importance;
  - knapsack on a LUT budget of (1 - lut_cut) x the baseline's LUT estimate: CBC and greedy on
    Taylor importance, CBC on Fisher importance;
  - unstructured magnitude pruning of each layer's smallest weights at several sparsities, the
    comparison at equal accuracy.
Then, with --hardware, the baseline and the CBC runs on Taylor and Fisher importance (DSP and
LUT budgets) of each dataset go through lower, synth_xilinx, the prover (with a time limit),
per-sample simulation of all test images against models/ (lutforge encode's reference), and the
SystemC engine's II and latency.

Writes OUT/results.csv, OUT/steps.csv, OUT/hardware.csv, OUT/prune-steps.png/svg, OUT/table.md;
the runs' files go to OUT/runs/ (not kept in the repository).

usage: bench_prune.py BUILD OUT [--datasets mnist fashion-mnist] [--cut 0.56] [--lut-cut 0.5]
                      [--reuse 49] [--steps 4] [--finetune 6] [--sparsities 0.5 0.7 0.9]
                      [--hardware [DATASET...]] [--equiv-time 600] [--reprove]
                      [--only RUN...]
       bench_prune.py BUILD OUT --merge DIR [DIR...]

The datasets can run side by side, each with its own OUT (--datasets mnist, --datasets
fashion-mnist); --merge then writes the tables and plots of both into one OUT.

--only runs some of the runs, named BUDGET-SOLVER-IMPORTANCE (lut-cbc-fisher), beside the
baseline, whose hardware row it then leaves to the full run that OUT is merged with.

--reprove runs `lutforge equiv` again on the synthesized netlists of rows measured before (after
a change to the prover), and keeps the rest of those rows.
"""
import argparse
import csv
import hashlib
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


class Bench:
    def __init__(self, a):
        self.a = a
        self.lf = os.path.join(a.build, "apps", "lutforge")
        self.runs = os.path.join(a.out, "runs")
        os.makedirs(self.runs, exist_ok=True)

    def cmd(self, *args, capture=False):
        r = subprocess.run([self.lf] + [str(x) for x in args], check=True, text=True,
                           capture_output=capture)
        return r.stdout

    def train(self, name, text):
        cfg, model, report = (os.path.join(self.runs, name + ext) for ext in (".toml", ".lfm.json", ".json"))
        with open(cfg, "w") as f:
            f.write(text)
        t0 = time.time()
        self.cmd("train", cfg, "-o", model, "--report", report, "-q")
        return json.load(open(report)), time.time() - t0, model

    def cost(self, model, name):
        """The cost model's figure for `model` at the reuse factor, as a [prune] run's "before"."""
        report = os.path.join(self.runs, name + "-cost.json")
        self.cmd("prune", model, "--budget", "dsp=1000000000", "--reuse-factor", self.a.reuse,
                 "-o", os.path.join(self.runs, name + "-cost.lfm.json"), "--report", report,
                 capture=True)
        return json.load(open(report))["before_synthesized"]

    def lowered(self, model, name):
        low = os.path.join(self.runs, name + "-r%d.json" % self.a.reuse)
        self.cmd("lower", model, "-o", low, "--reuse-factor", self.a.reuse)
        return low

    def prove(self, low, syn):
        """`lutforge equiv` of the lowering against its synthesis: (verdict, seconds)."""
        t0 = time.time()
        eq = subprocess.run([self.lf, "equiv", low, syn, "--time-limit", str(self.a.equiv_time)],
                            text=True, capture_output=True)
        return (eq.stdout.split() or ["ERROR"])[0], round(time.time() - t0, 1)

    def hardware(self, ds, name, model, cost):
        """lower, synth_xilinx, prove, every test image, SystemC II and latency; `cost` is the
        cost model's figure for the lowering (the [prune] report's)."""
        a = self.a
        low = self.lowered(model, name)
        v = os.path.join(self.runs, name + ".v")
        # The lowering's LUTs as LUT instances, which synth_xilinx keeps as they are: the cost
        # model counts them one each, and ABC, left to map them again, makes more (the weights'
        # functions of the counter) and takes much longer.
        self.cmd("convert", low, "-o", v, "--adder-modules", "--xilinx-luts")
        # A row measured before on the same lowered netlist, written as the same Verilog, is
        # reused.
        digest = hashlib.sha256(open(low, "rb").read() + open(v, "rb").read()).hexdigest()
        cache = os.path.join(self.runs, name + ".hardware.json")
        syn = os.path.join(self.runs, name + "-xilinx.json")
        if os.path.exists(cache):
            row = json.load(open(cache))
            if row.get("lowered_sha256") == digest:
                if a.reprove and os.path.exists(syn):
                    row["equiv"], row["equiv_s"] = self.prove(low, syn)
                    json.dump(row, open(cache, "w"), indent=1)
                del row["lowered_sha256"]
                # The cost model's figures are this run's.
                row.update({"model_" + k: cost[k] for k in ("dsp", "lut", "ff")})
                return row
        t0 = time.time()
        self.cmd("synth", v, "--top", "mac", "--target", "xilinx", "-o", syn)
        synth_s = time.time() - t0
        res = json.load(open(syn[:-5] + ".resources.json"))
        verdict, equiv_s = self.prove(low, syn)
        x, ref, out = (os.path.join(self.runs, name + s) for s in ("-x.csv", "-ref.csv", "-out.csv"))
        self.cmd("encode", model, "--mnist", os.path.join(ROOT, "data", ds), "-o", x,
                 "--reference-out", ref)
        t0 = time.time()
        self.cmd("sim", syn, "--per-sample", "--vectors", x, "-o", out)
        sim_s = time.time() - t0
        refp = [r["prediction"] for r in csv.DictReader(open(ref))]
        hwp = [r["prediction"] for r in csv.DictReader(open(out))]
        labels = [r["label"] for r in csv.DictReader(open(ref))]
        # SystemC on the first 16 images of the synthesized netlist: II and latency.
        x16 = os.path.join(self.runs, name + "-x16.csv")
        with open(x) as f, open(x16, "w") as g:
            for i, line in enumerate(f):
                if i > 16:
                    break
                g.write(line)
        rep = os.path.join(self.runs, name + "-systemc.json")
        self.cmd("sim", "--engine", "systemc", syn, "--vectors", x16, "-o",
                 os.path.join(self.runs, name + "-sc.csv"), "--report", rep)
        sc = json.load(open(rep))
        row = {
            "dataset": ds, "run": name, "dsps": res["dsps"], "luts": res["luts"],
            "flip_flops": res["flip_flops"], "carry_cells": res["carry_cells"],
            "model_dsp": cost["dsp"], "model_lut": cost["lut"], "model_ff": cost["ff"],
            "synth_s": round(synth_s, 1), "equiv": verdict, "equiv_s": equiv_s,
            "test_images": len(refp), "hw_equals_models": sum(p == q for p, q in zip(refp, hwp)),
            "hw_accuracy": round(100 * sum(p == l for p, l in zip(hwp, labels)) / len(labels), 2),
            "per_sample_sim_s": round(sim_s, 1),
            "systemc_ii": sc["throughput"]["initiation_interval"],
            "systemc_latency": sc["latency"]["max"],
        }
        json.dump(dict(row, lowered_sha256=digest), open(cache, "w"), indent=1)
        return row


def schedule_plot(out, steps, runs, resource, dat_suffix, header, using, output, title, xlabel):
    """Accuracy against one resource over the schedule, one panel per dataset and one line per
    run; runs are (results row, run name, line title). The data go beside the plot as .dat files."""
    panels = {}
    for r, name, label in runs:
        dat = os.path.join(out, name + dat_suffix + ".dat")
        with open(dat, "w") as f:
            f.write("# %s accuracy-after-fine-tuning; the first line is the unpruned network\n" % header)
            f.write("%g %g\n" % (float(r[resource + "_before"]), float(r["acc_base"])))
            for s in steps:
                if s["run"] == name:
                    f.write("%g %g\n" % (float(s[resource]), float(s["acc_finetuned"])))
        panels.setdefault(r["dataset"], []).append(
            "'%s' using %s with linespoints title '%s'" % (os.path.basename(dat), using, label))
    for term, ext in [("pngcairo size 1100,520", "png"), ("svg size 1100,520", "svg")]:
        script = "set terminal %s\nset output '%s.%s'\nset multiplot layout 1,%d\n" % (
            term, output, ext, len(panels))
        for ds, plots in panels.items():
            script += ("set title '%s: %s'\nset xlabel '%s'\nset ylabel 'test accuracy (%%)'\n"
                       "set yrange [*:*]\nset key bottom right font ',9'\nset grid\nplot %s\n"
                       % (ds, title, xlabel, ", ".join(plots)))
        script += "unset multiplot\n"
        subprocess.run(["gnuplot"], input=script, text=True, cwd=out, check=True)


def run_tag(r):
    """A results row's solver, or its sparsity for an unstructured run."""
    return r["sparsity"] if r["budget"] == "unstructured" else r["solver"]


def run_name(r):
    """The name of a results row's run (its files in OUT/runs/)."""
    return "%s-%s-%s-%s" % (r["dataset"], r["budget"], run_tag(r), r["importance"])


def plot(out, rows, steps, reuse):
    """Accuracy against slices (the runs on a DSP budget and the unstructured ones), against
    the LUT estimate (the knapsack runs on either budget) and against flip-flops (every run) over
    the schedule."""
    runs = []
    for r in rows:
        if r["budget"] == "lut":
            continue
        kind = "unstructured" if r["budget"] == "unstructured" else "knapsack"
        runs.append((r, run_name(r), "%s %s %s" % (kind, run_tag(r), r["importance"])))
    schedule_plot(out, steps, runs, "dsp", "", "dsp", "1:2", "prune-steps",
                  "accuracy over the pruning schedule", "DSP slices of the lowering (R=%d)" % reuse)
    runs = []
    for r in rows:
        if r["budget"] == "unstructured":
            continue
        runs.append((r, run_name(r), "%s budget, %s %s" % (r["budget"], r["solver"], r["importance"])))
    schedule_plot(out, steps, runs, "lut", "-lut", "lut-estimate", "($1/1000):2", "prune-luts",
                  "accuracy against LUTs over the schedule", "thousand LUTs (cost model estimate)")
    # Flip-flops: every run (the registers go with the neurons and the lanes).
    runs = [(r, run_name(r), "%s %s %s" % (r["budget"], run_tag(r), r["importance"])) for r in rows]
    schedule_plot(out, steps, runs, "ff", "-ff", "flip-flops", "1:2", "prune-ffs",
                  "accuracy against flip-flops over the schedule", "flip-flops (as synthesis keeps them)")


def write_outputs(out, rows, steps, hw, reuse):
    """results.csv, steps.csv, hardware.csv, the plots and table.md."""
    for fname, data in [("results.csv", rows), ("steps.csv", steps), ("hardware.csv", hw)]:
        if not data:
            continue
        with open(os.path.join(out, fname), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0].keys()))
            w.writeheader()
            w.writerows(data)
    plot(out, rows, steps, reuse)
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| dataset | budget | solver | importance | DSPs before | after | cut | LUTs before | after | cut |"
                " FFs after | accuracy unpruned | pruned | change (pts) | train+prune (s) |\n")
        f.write("|" + "---|" * 15 + "\n")
        for r in rows:
            what = r["budget_value"] or ("unstructured %s" % r["sparsity"])
            f.write("| %s | %s | %s | %s | %d | %d | %.1f%% | %d | %d | %.1f%% | %d | %.2f%% | %.2f%% | %+.2f | %.0f |\n" % (
                r["dataset"], what, r["solver"], r["importance"], r["dsp_before"], r["dsp_after"],
                r["dsp_cut_pct"], r["lut_before"], r["lut_after"], r["lut_cut_pct"], r["ff_after"],
                r["acc_base"], r["acc_pruned"], r["delta_pts"], r["train_prune_wall_s"]))
        if hw:
            f.write("\n| dataset | network | DSP48E1 (cost model) | LUTs (cost model) | FFs (cost model) | synth (s) | proof | proof (s) | hardware = models/ | hardware accuracy | SystemC II | latency (cycles) |\n")
            f.write("|" + "---|" * 12 + "\n")
            for h in hw:
                f.write("| %s | %s | %d (%d) | %d (%d) | %d (%d) | %.0f | %s | %.0f | %d/%d | %.2f%% | %g | %g |\n" % (
                    h["dataset"], h["run"], h["dsps"], h["model_dsp"], h["luts"], h["model_lut"],
                    h["flip_flops"], h["model_ff"], h["synth_s"],
                    h["equiv"], h["equiv_s"], h["hw_equals_models"], h["test_images"],
                    h["hw_accuracy"], h["systemc_ii"], h["systemc_latency"]))


def read_csv(path):
    """Rows of a CSV file written here, with numbers as numbers."""
    rows = []
    for r in csv.DictReader(open(path)):
        for k, v in r.items():
            try:
                r[k] = float(v) if "." in v else int(v)
            except ValueError:
                pass
        rows.append(r)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion-mnist"])
    ap.add_argument("--cut", type=float, default=0.56)
    ap.add_argument("--lut-cut", type=float, default=0.5)
    ap.add_argument("--reuse", type=int, default=49)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--finetune", type=int, default=6)
    ap.add_argument("--sparsities", type=float, nargs="+", default=[0.5, 0.7, 0.9])
    ap.add_argument("--hardware", nargs="*", metavar="DATASET",
                    help="run the hardware stage (for the datasets named, or all)")
    ap.add_argument("--equiv-time", type=int, default=600)
    ap.add_argument("--only", nargs="+", metavar="RUN",
                    help="only these runs (BUDGET-SOLVER-IMPORTANCE, as lut-cbc-fisher)")
    ap.add_argument("--reprove", action="store_true",
                    help="prove the synthesized netlists of cached hardware rows again")
    ap.add_argument("--merge", nargs="+", metavar="DIR",
                    help="write OUT's tables and plots from the runs in DIRs (each OUT of a run "
                         "over some of the datasets, run side by side)")
    ap.add_argument("--plot-only", action="store_true",
                    help="redraw the plot from OUT/results.csv and OUT/steps.csv")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.plot_only:
        plot(a.out, list(csv.DictReader(open(os.path.join(a.out, "results.csv")))),
             list(csv.DictReader(open(os.path.join(a.out, "steps.csv")))), a.reuse)
        return
    if a.merge:
        merged = {f: [] for f in ("results.csv", "steps.csv", "hardware.csv")}
        for d in a.merge:
            for f in merged:
                if os.path.exists(os.path.join(d, f)):
                    merged[f] += read_csv(os.path.join(d, f))
        write_outputs(a.out, merged["results.csv"], merged["steps.csv"], merged["hardware.csv"],
                      a.reuse)
        return
    b = Bench(a)
    rows, steps, hw = [], [], []
    common = {"reuse_factor": str(a.reuse), "steps": str(a.steps), "finetune_epochs": str(a.finetune)}
    for ds in a.datasets:
        base, base_wall, base_model = b.train(ds + "-base", config_text(ds))
        st = json.loads(b.cmd("stats", b.lowered(base_model, ds + "-base"), "--json", capture=True))
        dsp_before = st["cells"]["packed_dsp"]
        runs = [("dsp", "cbc", "taylor"), ("dsp", "greedy", "taylor"), ("dsp", "cbc", "magnitude"),
                ("lut", "cbc", "taylor"), ("lut", "greedy", "taylor"), ("lut", "cbc", "fisher")]
        runs += [("unstructured", "%g" % s, "magnitude") for s in a.sparsities]
        if a.only:
            unknown = set(a.only) - {"-".join(r) for r in runs}
            if unknown:
                raise SystemExit("bench_prune.py: --only: no run named %s" % ", ".join(sorted(unknown)))
            runs = [r for r in runs if "-".join(r) in a.only]
        base_cost = b.cost(base_model, ds + "-base")  # as a [prune] run's "before"
        lut_before = base_cost["lut"]
        for kind, solver, importance in runs:
            spec = dict(common)
            if kind == "unstructured":
                spec.update({"method": '"unstructured"', "sparsity": solver})
                budget = ""
            else:
                if kind == "dsp":
                    budget = "dsp=%d" % math.floor((1 - a.cut) * dsp_before)
                else:
                    budget = "lut=%d" % math.floor((1 - a.lut_cut) * lut_before)
                spec.update({"budget": '"%s"' % budget, "solver": '"%s"' % solver,
                             "importance": '"%s"' % importance})
            name = "%s-%s-%s-%s" % (ds, kind, solver, importance)
            rep, wall, model = b.train(name, config_text(ds, spec))
            p = rep["prune"]
            rows.append({
                "dataset": ds, "budget": kind, "solver": solver if kind != "unstructured" else "-",
                "sparsity": solver if kind == "unstructured" else "-", "importance": importance,
                "budget_value": budget,
                "dsp_before": p["before"]["dsp"], "dsp_after": p["after"]["dsp"],
                "dsp_cut_pct": round(100 * (1 - p["after"]["dsp"] / p["before"]["dsp"]), 1),
                "lut_before": p["before"]["lut"], "lut_after": p["after"]["lut"],
                "lut_cut_pct": round(100 * (1 - p["after"]["lut"] / p["before"]["lut"]), 1),
                "ff_before": p["before"]["ff"], "ff_after": p["after"]["ff"],
                "acc_base": round(100 * base["test_accuracy"], 2),
                "acc_pruned": round(100 * rep["test_accuracy"], 2),
                "delta_pts": round(100 * (rep["test_accuracy"] - base["test_accuracy"]), 2),
                "train_prune_wall_s": round(wall, 1), "base_wall_s": round(base_wall, 1),
                "prune_s": round(p["seconds"], 1),
            })
            for s in p["steps"]:
                steps.append({"dataset": ds, "run": name, "step": s["step"],
                              "dsp": s["lowered"]["dsp"], "lut": s["lowered"]["lut"],
                              "ff": s["lowered"]["ff"],
                              "dsp_predicted": s["predicted"]["dsp"], "lut_predicted": s["predicted"]["lut"],
                              "acc_pruned": round(100 * s["accuracy_pruned"], 2),
                              "acc_finetuned": round(100 * s["test_accuracy"], 2)})
            print(rows[-1], flush=True)
            hardware = a.hardware is not None and (not a.hardware or ds in a.hardware)
            if hardware and solver == "cbc" and importance in ("taylor", "fisher"):
                hw.append(b.hardware(ds, name, model, p["after"]))
                print(hw[-1], flush=True)
        if a.hardware is not None and (not a.hardware or ds in a.hardware) and not a.only:
            hw.append(b.hardware(ds, ds + "-base", base_model, base_cost))
            print(hw[-1], flush=True)
    write_outputs(a.out, rows, steps, hw, a.reuse)


if __name__ == "__main__":
    main()
