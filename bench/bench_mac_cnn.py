#!/usr/bin/env python3
"""DSP-aware mixed precision for MAC CNNs (DSP issue), on MNIST and Fashion-MNIST.

For each dataset:
  1. the baseline: the CNN with 8-bit weights and activations everywhere, trained by
     `lutforge train`, lowered with a reuse factor and no DSP packing;
  2. the search: an evolutionary search over the per-layer weight and activation widths. A
     candidate's cost is the number of slices in its DSP-packed lowering at the same reuse
     factor (`lutforge lower --dsp-packing`: the packing table decides how many products share a
     slice); its fitness is the test accuracy after a short training. Each generation mutates the
     best candidates under the DSP budget (a quarter of the baseline's slices) one layer at a time;
  3. the Pareto front of every candidate evaluated (accuracy against slices), and the pick: the
     most accurate candidate within the budget, retrained from scratch with the baseline's epochs;
     with --prune-slack F, the most accurate within F above the budget, retrained and then pruned
     to the budget by the [prune] schedule (one knapsack step on Fisher importance that counts
     packed slices, 15 epochs of fine-tuning);
  4. the hardware of the baseline, the pick and every network of the Pareto front (each front
     candidate retrained from scratch with the baseline's epochs): `synth_xilinx` (DSP48E1s,
     LUTs, FFs), `lutforge equiv` of the synthesized design against its lowering, the
     synthesized netlist on every test image (`lutforge sim --per-sample`), whose predictions
     must equal models/ on every image, and II and latency from the SystemC engine on the first
     200 images.

Writes OUT/<dataset>/... (configurations, models, netlists, logs), OUT/search.csv (every
candidate), OUT/results.json, and the plots OUT/pareto-dsp.{png,svg} (accuracy against slices)
and, with the hardware, OUT/pareto-luts.{png,svg} (the front's accuracy against DSP48E1s and LUTs
after synthesis), with their data (OUT/search-<dataset>*.dat, OUT/front-<dataset>.dat); prints
Markdown tables.

    bench/bench_mac_cnn.py BUILD_DIR OUT_DIR [--datasets mnist,fashion-mnist]
        [--generations 4] [--population 6] [--search-epochs 4] [--epochs 15] [--reuse 72]
        [--input-bits 8] [--weight-scale max|learned] [--prune-slack F] [--search-only]
"""
import argparse
import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import time

# The CNN: 8 filters of 4x4 at stride 4 (7x7 positions), 16 filters of 3x3 at stride 2 (3x3
# positions), and the 10 classes. Three layers: widths are per layer, activations per layer but
# the last.
ARCH = {"conv_filters": [8, 16], "conv_kernel": [4, 3], "conv_stride": [4, 2], "layers": [10]}
BITS = [2, 3, 4, 5, 6, 8]
DATA = {"mnist": "data/mnist", "fashion-mnist": "data/fashion-mnist"}


def toml_list(v):
    return "[" + ", ".join(str(x) for x in v) + "]"


def width_tag(w, a):
    """Per-layer widths in file names: w2-2-3_a2-3."""
    return "w" + "-".join(map(str, w)) + "_a" + "-".join(map(str, a))


def width_label(w, a):
    """Per-layer widths in tables: w2-2-3 a2-3."""
    return width_tag(w, a).replace("_", " ")


def write_config(path, a, dataset, weights, acts, epochs, seed, prune_to=None, baseline=False):
    """A training configuration; with prune_to, pruned to that many packed DSP48E1 slices. The
    baseline has 8-bit pixel codes and the largest magnitude's weight scales, as
    configs/*-mac-cnn.toml."""
    with open(path, "w") as f:
        f.write(f'[data]\ndataset = "{dataset}"\npath = "{DATA[dataset]}"\n\n[model]\n'
                f'family = "mac"\ninput_bits = {8 if baseline else a.input_bits}\n'
                f'weight_scale = "{"max" if baseline else a.weight_scale}"\n')
        for k, v in ARCH.items():
            f.write(f"{k} = {toml_list(v)}\n")
        f.write(f"weight_bits = {toml_list(weights)}\nactivation_bits = {toml_list(acts)}\n\n"
                f"[train]\nepochs = {epochs}\nbatch_size = 128\nlearning_rate = 0.003\n"
                f"seed = {seed}\nthreads = 1\n")
        if prune_to is not None:
            f.write(f'\n[prune]\nbudget = "dsp={prune_to}"\nreuse_factor = {a.reuse}\n'
                    f'dsp_packing = 1\ndsp_family = "dsp48e1"\nsteps = 1\nfinetune_epochs = 15\n'
                    f'importance = "fisher"\nsolver = "cbc"\n')


def run(args, log=None):
    start = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True)
    if log:
        with open(log, "a") as f:
            f.write("$ " + " ".join(args) + "\n" + r.stdout + r.stderr + "\n")
    # `lutforge equiv` exits 1 for NOT EQUIVALENT and 3 for UNDECIDED: verdicts, not failures.
    verdict = len(args) > 1 and args[1] == "equiv" and r.returncode in (1, 3)
    if r.returncode and not verdict:
        sys.exit(f"failed: {' '.join(args)}\n{r.stdout}{r.stderr}")
    return r, time.monotonic() - start


class Bench:
    def __init__(self, a):
        self.a = a
        self.lf = os.path.join(a.build, "apps", "lutforge")
        self.done = {}  # (dataset, tag) -> hardware figures, so the pick is not built twice
        self.full_runs = {}  # (dataset, tag) -> (model, accuracy, seconds) of full trainings

    def train(self, d, tag, weights, acts, epochs, seed=1, prune_to=None, baseline=False):
        cfg = os.path.join(d, tag + ".toml")
        write_config(cfg, self.a, self.dataset, weights, acts, epochs, seed, prune_to, baseline)
        model, rep = os.path.join(d, tag + ".lfm.json"), os.path.join(d, tag + ".report.json")
        _, secs = run([self.lf, "train", cfg, "-o", model, "--report", rep, "--quiet"],
                      os.path.join(d, "log.txt"))
        with open(rep) as f:
            acc = json.load(f)["test_accuracy"]
        return model, acc, secs

    def slices(self, model, packing, net=None):
        net = net or model.replace(".lfm.json", "_slices.json")
        run([self.lf, "lower", model, "-o", net, "--reuse-factor", str(self.a.reuse),
             "--dsp-family", "dsp48e1"] + (["--dsp-packing"] if packing else []))
        r, _ = run([self.lf, "stats", net, "--json"])
        return json.loads(r.stdout)["cells"].get("packed_dsp", 0)

    def full(self, d, w, a, prune_to=None):
        """Widths w, a retrained from scratch with the baseline's epochs (once a run), and pruned
        to prune_to slices if given: its tag, model and a row with its configuration, accuracy
        and training time."""
        tag = "pick_" + width_tag(w, a) + ("" if prune_to is None else f"_pruned{prune_to}")
        if (self.dataset, tag) not in self.full_runs:
            self.full_runs[(self.dataset, tag)] = self.train(d, tag, w, a, self.a.epochs,
                                                             prune_to=prune_to)
        model, acc, secs = self.full_runs[(self.dataset, tag)]
        label = width_label(w, a) + ", packed" + ("" if prune_to is None else ", pruned")
        return tag, model, {"config": label, "accuracy": acc, "train_s": round(secs, 1)}

    def hardware(self, d, tag, model, packing):
        """Lowers, synthesizes, proves and simulates `model`; returns its figures. The figures of
        an earlier run on byte-identical Verilog are reused (OUT/<dataset>/TAG.hardware.json)."""
        if (self.dataset, tag) in self.done:
            return self.done[(self.dataset, tag)]
        cache = os.path.join(d, tag + ".hardware.json")
        print(f"  {self.dataset} {tag}: synth_xilinx, equiv, every test image", file=sys.stderr)
        log = os.path.join(d, "log.txt")
        net, v, syn = (os.path.join(d, tag + ext) for ext in (".json", ".v", "_x.json"))
        slices = self.slices(model, packing, net)
        # A synthesis of byte-identical Verilog from an earlier run is reused (the training and
        # the lowering are deterministic; synthesis takes minutes); the proof and the simulations
        # always run again.
        earlier = open(v).read() if os.path.exists(v) else None
        run([self.lf, "convert", net, "-o", v, "--adder-modules"], log)
        digest = hashlib.sha256(open(v, "rb").read()).hexdigest()
        if os.path.exists(cache):
            with open(cache) as f:
                row = json.load(f)
            if row.pop("verilog_sha256", None) == digest:
                self.done[(self.dataset, tag)] = row
                return row
        resources = syn.replace(".json", ".resources.json")
        synth_s = None
        if not (earlier == open(v).read() and os.path.exists(syn) and os.path.exists(resources)):
            _, synth_s = run([self.lf, "synth", v, "--top", "mac", "--target", "xilinx", "-o",
                              syn], log)
        with open(resources) as f:
            res = json.load(f)
        r, equiv_s = run([self.lf, "equiv", net, syn, "--time-limit", "1800"], log)
        verdict = r.stdout.split("\n")[0]
        x, ref, out, rep = (os.path.join(d, tag + ext)
                            for ext in ("_x.csv", "_ref.csv", "_sim.csv", "_sim.json"))
        run([self.lf, "encode", model, "--mnist", DATA[self.dataset], "-o", x,
             "--reference-out", ref], log)
        # Every test image through the synthesized netlist (the batch engine, a lane per image),
        # and the first 200 through the SystemC engine for II and latency.
        _, sim_s = run([self.lf, "sim", "--per-sample", syn, "--vectors", x, "-o", out], log)
        with open(x) as f:
            head = [next(f) for _ in range(201)]
        x200 = os.path.join(d, tag + "_x200.csv")
        with open(x200, "w") as f:
            f.writelines(head)
        run([self.lf, "sim", "--engine", "systemc", syn, "--vectors", x200, "-o",
             os.path.join(d, tag + "_sim200.csv"), "--report", rep], log)
        with open(ref) as f:
            rows = list(csv.DictReader(f))
        with open(out) as f:
            got = [r["prediction"] for r in csv.DictReader(f)]
        same = sum(g == r["prediction"] for g, r in zip(got, rows))
        right = sum(g == r["label"] for g, r in zip(got, rows))
        with open(rep) as f:
            sim = json.load(f)
        row = {"slices": slices, "dsp": res["dsps"], "luts": res["luts"],
                "ffs": res["flip_flops"], "carry": res["carry_cells"], "proof": verdict,
                "images": len(rows), "hw_equals_models": same, "hw_accuracy": right / len(rows),
                "ii": sim["throughput"]["initiation_interval"],
                "latency": sim["latency"]["max"],
                "synth_s": round(synth_s, 1) if synth_s is not None else "reused",
                "equiv_s": round(equiv_s, 1), "sim_s": round(sim_s, 1)}
        with open(cache, "w") as f:
            json.dump(dict(row, verilog_sha256=digest), f, indent=1)
        self.done[(self.dataset, tag)] = row
        return row

    def reach(self, budget):
        """The most slices a candidate may have: the budget, or with --prune-slack above it."""
        return budget * (1 + self.a.prune_slack)

    def search(self, d, budget, writer):
        """Evolutionary search; returns every candidate as (weights, acts, slices, accuracy)."""
        rng = random.Random(5)
        seen = {}

        def evaluate(w, a):
            key = (tuple(w), tuple(a))
            if key in seen:
                return seen[key]
            tag = "s_" + width_tag(w, a)
            model, acc, secs = self.train(d, tag, w, a, self.a.search_epochs)
            s = self.slices(model, True)
            seen[key] = (list(w), list(a), s, acc)
            writer.writerow([self.dataset, "-".join(map(str, w)), "-".join(map(str, a)), s,
                             f"{acc:.4f}", f"{secs:.1f}"])
            print(f"  {self.dataset} w={w} a={a}: {s} slices, {100 * acc:.2f}% "
                  f"({secs:.0f} s)", file=sys.stderr)
            return seen[key]

        pop = [([4, 4, 4], [4, 4]), ([3, 3, 3], [3, 3]), ([4, 3, 4], [4, 3]),
               ([3, 4, 3], [4, 4]), ([2, 3, 3], [3, 3]), ([3, 2, 4], [3, 4])][:self.a.population]
        for g in range(self.a.generations):
            scored = [evaluate(w, a) for w, a in pop]
            fit = sorted((c for c in seen.values() if c[2] <= self.reach(budget)),
                         key=lambda c: -c[3])
            parents = fit[:max(2, self.a.population // 2)] or sorted(seen.values(),
                                                                   key=lambda c: c[2])[:2]
            pop = []
            while len(pop) < self.a.population:
                w, a, _, _ = rng.choice(parents)
                w, a = list(w), list(a)
                genes = w if rng.random() < 0.6 else a
                i = rng.randrange(len(genes))
                j = BITS.index(genes[i]) + rng.choice([-1, 1])
                genes[i] = BITS[min(max(j, 0), len(BITS) - 1)]
                if (tuple(w), tuple(a)) not in seen:
                    pop.append((w, a))
        return list(seen.values())

    def dataset_run(self, dataset):
        self.dataset = dataset
        d = os.path.join(self.a.out, dataset)
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, "log.txt"), "w").close()
        model, acc, secs = self.train(d, "base_w8a8", [8, 8, 8], [8, 8], self.a.epochs,
                                      baseline=True)
        base = {"config": "w8-8-8 a8-8, unpacked", "accuracy": acc, "train_s": round(secs, 1)}
        if self.a.search_only:
            base["slices"] = self.slices(model, False)
        else:
            base.update(self.hardware(d, "base_w8a8", model, False))
        budget = base["slices"] // 4
        with open(os.path.join(self.a.out, "search.csv"), "a", newline="") as f:
            cands = self.search(d, budget, csv.writer(f))
        front = [c for c in cands
                 if not any(o[2] <= c[2] and o[3] > c[3] for o in cands if o is not c)]
        within = ([c for c in cands if c[2] <= self.reach(budget)] or
                  sorted(cands, key=lambda c: c[2])[:1])
        w, a, s, _ = max(within, key=lambda c: c[3])
        tag, model, pick = self.full(d, w, a, budget if self.a.prune_slack and s > budget else None)
        if self.a.search_only:
            pick["slices"] = self.slices(model, True)
        else:
            pick.update(self.hardware(d, tag, model, True))
        # The Pareto front as hardware: each front candidate retrained as the pick was, then
        # synthesized, proved and run on every test image; the unpacked baseline closes it.
        front_hw = []
        if not self.a.search_only:
            for w, a, _, _ in sorted(front, key=lambda c: c[2]):
                ftag, fmodel, h = self.full(d, w, a)
                h.update(self.hardware(d, ftag, fmodel, True))
                front_hw.append(h)
            front_hw.append(base)
        return {"baseline": base, "pick": pick, "budget": budget, "front_hw": front_hw,
                "front": sorted(([c[0], c[1], c[2], c[3]] for c in front), key=lambda c: c[2]),
                "candidates": [[c[0], c[1], c[2], c[3]] for c in cands]}


def plot(results, out):
    """Accuracy against slices (every search candidate, the Pareto front, the baseline and the
    pick) and, when synthesized, against LUTs: gnuplot PNG and SVG, the data beside them."""
    files = []
    for i, (ds, r) in enumerate(results.items()):
        cands, front, marks = (os.path.join(out, f"search-{ds}{k}.dat")
                               for k in ("", "-front", "-marks"))
        with open(cands, "w") as f:
            f.write("# slices accuracy(%) weight_bits activation_bits (short training)\n")
            for w, a, s, acc in r["candidates"]:
                f.write(f"{s} {100 * acc:.2f} {'-'.join(map(str, w))} {'-'.join(map(str, a))}\n")
        with open(front, "w") as f:
            f.write("# Pareto front: slices accuracy(%)\n")
            for w, a, s, acc in r["front"]:
                f.write(f"{s} {100 * acc:.2f}\n")
        with open(marks, "w") as f:
            f.write("# baseline and pick (full training): slices accuracy(%) luts\n")
            for which in ("baseline", "pick"):
                p = r[which]
                f.write(f"{p['slices']} {100 * p['accuracy']:.2f} {p.get('luts', '?')}\n")
        files.append((i + 1, ds, cands, front, marks))
    hw = [(ds, r["front_hw"]) for ds, r in results.items() if r.get("front_hw")]
    for ds, front_hw in hw:
        with open(os.path.join(out, f"front-{ds}.dat"), "w") as f:
            f.write("# the front, retrained and synthesized: DSP48E1 LUTs accuracy(%) network\n")
            for h in sorted(front_hw, key=lambda h: h["dsp"]):
                f.write(f"{h['dsp']} {h['luts']} {100 * h['accuracy']:.2f} "
                        f"\"{h['config'].split(',')[0]}\"\n")
    for term, ext in (("pngcairo size 1200,500", "png"), ("svg size 1200,500", "svg")):
        if not hw:
            break
        script = [f"set terminal {term} noenhanced",
                  f"set output '{os.path.join(out, 'pareto-luts.' + ext)}'",
                  "set multiplot layout 1,2 title 'MAC CNN: the search front, retrained, "
                  "after synth_xilinx'", "set grid", "set key bottom right",
                  "set offsets graph 0.08, graph 0.08, graph 0.1, graph 0.1",
                  "set ylabel 'test accuracy (%)'"]
        for col, label in ((1, "DSP48E1 after synth_xilinx"), (2, "LUTs after synth_xilinx")):
            series = []
            for lc, (ds, _) in enumerate(hw, 1):
                dat = os.path.join(out, f"front-{ds}.dat")
                series += [f"'{dat}' using {col}:3 with linespoints pt 7 lc {lc} title '{ds}'",
                           f"'{dat}' using {col}:3:4 with labels offset 0,-1 font ',8' notitle"]
            script += [f"set xlabel '{label}'", "plot " + ", ".join(series)]
        script.append("unset multiplot")
        try:
            subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"no plot ({e}); scripts/install-deps.sh installs gnuplot", file=sys.stderr)
            return
    for term, ext in (("pngcairo size 900,600", "png"), ("svg size 900,600", "svg")):
        script = [f"set terminal {term} noenhanced",
                  f"set output '{os.path.join(out, 'pareto-dsp.' + ext)}'",
                  "set xlabel 'DSP slices (lowered, reuse factor; = DSP48E1 after synth_xilinx)'",
                  "set ylabel 'test accuracy (%)'", "set grid", "set key bottom right",
                  "set title 'MAC CNN: accuracy against DSP slices'"]
        series = []
        for lc, ds, cands, front, marks in files:
            series += [f"'{cands}' using 1:2 with points pt 7 ps 0.8 lc {lc} "
                       f"title '{ds}: search (short training)'",
                       f"'{front}' using 1:2 with steps lw 1 lc {lc} notitle",
                       f"'{marks}' using 1:2 with points pt 5 ps 2 lc {lc} "
                       f"title '{ds}: w8a8 unpacked and the pick (full training)'"]
        script.append("plot " + ", ".join(series))
        try:
            subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"no plot ({e}); scripts/install-deps.sh installs gnuplot", file=sys.stderr)
            return


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("out")
    p.add_argument("--datasets", default="mnist,fashion-mnist")
    p.add_argument("--generations", type=int, default=4)
    p.add_argument("--population", type=int, default=6)
    p.add_argument("--search-epochs", type=int, default=4)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--reuse", type=int, default=72)
    p.add_argument("--input-bits", type=int, default=8, help="the pixel codes' width")
    p.add_argument("--weight-scale", choices=["max", "learned"], default="max")
    p.add_argument("--prune-slack", type=float, default=0.0,
                   help="pick among the candidates up to this fraction over the budget, and prune "
                        "the pick to the budget")
    p.add_argument("--search-only", action="store_true",
                   help="no synthesis, proofs or simulation: the search and the lowered slices")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    datasets = a.datasets.split(",")
    search_csv = os.path.join(a.out, "search.csv")
    kept = []
    if os.path.exists(search_csv):
        with open(search_csv) as f:
            kept = [r for r in csv.reader(f)][1:]
    with open(search_csv, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["dataset", "weight_bits", "activation_bits", "slices", "accuracy", "train_s"])
        w.writerows(r for r in kept if r and r[0] not in datasets)
    bench = Bench(a)
    # Each dataset's results are written as soon as they are complete; the other datasets' from
    # an earlier run stay (rerun one with --datasets).
    path = os.path.join(a.out, "results.json")
    results = {}
    if os.path.exists(path):
        with open(path) as f:
            results = json.load(f)
    for ds in datasets:
        results[ds] = bench.dataset_run(ds)
        with open(path, "w") as f:
            json.dump(results, f, indent=1)
    plot(results, a.out)
    if a.search_only:
        print("| dataset | network | test acc. | slices lowered (reuse factor "
              f"{a.reuse}, DSP48E1) |\n|---|---|---|---|")
        for ds, r in results.items():
            for which in ("baseline", "pick"):
                h = r[which]
                print(f"| {ds} | {h['config']} | {100 * h['accuracy']:.2f}% | {h['slices']} |")
            b, k = r["baseline"], r["pick"]
            print(f"| {ds} | ratio | {100 * (k['accuracy'] - b['accuracy']):+.2f} pts | "
                  f"{b['slices'] / max(1, k['slices']):.2f}x |")
        return
    print(f"reuse factor {a.reuse}; DSP48E1 family; proofs by `lutforge equiv`; the "
          f"synthesized netlists' predictions on every test image against models/\n")
    print("| dataset | network | test acc. | slices lowered | DSP48E1 | LUTs | FFs | II | "
          "latency (cycles) | proof | hw = models/ | synth s | proof s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    # Datasets of an earlier --search-only run have no hardware figures.
    results = {ds: r for ds, r in results.items() if "dsp" in r["baseline"]}
    for ds, r in results.items():
        for which in ("baseline", "pick"):
            h = r[which]
            print(f"| {ds} | {h['config']} | {100 * h['accuracy']:.2f}% | {h['slices']} | "
                  f"{h['dsp']} | {h['luts']} | {h['ffs']} | {h['ii']:.0f} | {h['latency']} | "
                  f"{h['proof']} | {h['hw_equals_models']}/{h['images']} | {h['synth_s']} | "
                  f"{h['equiv_s']} |")
        b, k = r["baseline"], r["pick"]
        print(f"| {ds} | ratio | {100 * (k['accuracy'] - b['accuracy']):+.2f} pts | "
              f"{b['slices'] / max(1, k['slices']):.2f}x | {b['dsp'] / max(1, k['dsp']):.2f}x | "
              f"{b['luts'] / max(1, k['luts']):.2f}x | | | | | | | |")
    print("\nThe Pareto front of the search, each network retrained and synthesized:\n")
    print("| dataset | network | test acc. | slices lowered | DSP48E1 | LUTs | FFs | proof | "
          "hw = models/ | proof s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for ds, r in results.items():
        for h in sorted(r["front_hw"], key=lambda h: h["dsp"]):
            print(f"| {ds} | {h['config']} | {100 * h['accuracy']:.2f}% | {h['slices']} | "
                  f"{h['dsp']} | {h['luts']} | {h['ffs']} | {h['proof']} | "
                  f"{h['hw_equals_models']}/{h['images']} | {h['equiv_s']} |")


if __name__ == "__main__":
    main()
