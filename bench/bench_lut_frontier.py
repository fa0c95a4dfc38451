#!/usr/bin/env python3
"""Accuracy per LUT of trained LUT networks, counted after Yosys on the whole design.

For every configuration: train (or reuse the model already in OUT/runs), then lower it twice,
pipelined (a register after every LUT layer, every LUTNet neuron layer of LUTs, popcounts and
thresholds, or every second gate layer of a gate network, and every level of radix-6 popcount
trees):
without the input encoder (the netlist reads thermometer bits, as published LUT counts do) and
with it (the netlist reads 8-bit pixels, --pixel-bits 8). Each is written with Yosys $lut cells,
synthesized with `synth -lut 6` and proved EQUIVALENT to its lowering; the whole design then
predicts all test images from their pixels in the SystemC engine (compared with models/, sample
by sample), which also measures the latency, the initiation interval and the energy per
inference of the toggle-based power proxy over the whole test set. Every command is timed from process
start to written output.

  bench/bench_lut_frontier.py --build build --out bench/results/lut-frontier \\
      configs/mnist-dwn.toml

Writes OUT/frontier.csv (keeping the rows of earlier runs for other configurations, unless
--fresh), OUT/frontier.md (the table of BENCHMARKS.md) and an accuracy-against-LUTs plot
(OUT/frontier.png, with the data in OUT/frontier.dat) with the published anchors marked beside
ours. --merge takes in the rows of runs made in other OUTs (one a core or a machine) in place of
the rows of the same names; without configurations it measures nothing and only redraws:

  bench/bench_lut_frontier.py --merge OTHER/frontier.csv
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Published points (accuracy %, LUTs) on MNIST, as their papers count them: DWN without its
# encoder, TreeLUT.
ANCHORS = [("DWN (published, no encoder)", 98.3, 4082), ("TreeLUT (published)", 97.0, 4478)]


class Bench:
    def __init__(self, a):
        self.a = a
        self.lf = os.path.join(a.build, "apps", "lutforge")
        self.runs = os.path.join(a.out, "runs")
        os.makedirs(self.runs, exist_ok=True)

    def cmd(self, *args, progress=False):
        """Runs lutforge; (stdout, seconds). With progress, its stderr (the training's line an
        epoch) goes to ours as it comes."""
        t0 = time.time()
        r = subprocess.run([self.lf] + [str(x) for x in args], text=True, stdout=subprocess.PIPE,
                           stderr=None if progress else subprocess.PIPE)
        # equiv exits 1 for NOT EQUIVALENT and 3 for UNDECIDED: verdicts, not failures.
        if r.returncode != 0 and not (args[0] == "equiv" and r.returncode in (1, 3)):
            sys.exit("lutforge %s failed (%d)%s" % (" ".join(map(str, args)), r.returncode,
                                                   ":\n" + r.stderr[-2000:] if r.stderr else ""))
        return r.stdout, time.time() - t0

    def path(self, name, ext):
        return os.path.join(self.runs, name + ext)

    def train(self, config, name):
        model, report = self.path(name, ".lfm.json"), self.path(name, ".json")
        if not (os.path.exists(model) and os.path.exists(report)):
            print("training %s" % config, file=sys.stderr)
            self.cmd("train", config, "-o", model, "--report", report, progress=True)
        return model, json.load(open(report))

    def hardware(self, model, name, pixels):
        """lower, convert, synth -lut 6, equiv: the resource report and the proof."""
        tag = name + ("-pixels" if pixels else "-bits")
        low, v, syn = self.path(tag, ".low.json"), self.path(tag, ".v"), self.path(tag, ".syn.json")
        extra = ["--pixel-bits", "8"] if pixels else []
        mj = json.load(open(model))
        if mj.get("head", {}).get("kind") == "group_sum":  # popcount trees
            extra += ["--popcount-radix", "6"]
        # A LUTNet neuron is a LUT layer and a threshold layer (popcount and compare): one stage.
        every = 2 if any(L.get("kind") == "threshold" for L in mj["layers"]) else 1
        if mj.get("family") == "difflogic":
            # Gate layers are a gate deep: a stage every two layers (as the regress cases do), and
            # the pass-through and constant gates folded, as the gate-network issue counts them.
            every = 2
            extra += ["--fold"]
        self.cmd("lower", model, "-o", low, "--register-every", every, *extra)
        top = json.load(open(low))["design"]  # the module name the lowering chose
        self.cmd("convert", low, "-o", v, "--yosys-luts")
        _, synth_s = self.cmd("synth", v, "--top", top, "--lut", 6, "-o", syn)
        res = json.load(open(syn[:-5] + ".resources.json"))
        out, equiv_s = self.cmd("equiv", low, syn, "--time-limit", self.a.equiv_time)
        stats = json.loads(self.cmd("stats", syn, "--json")[0])
        return {"luts": res["luts"], "flip_flops": res["flip_flops"],
                "synth_s": round(synth_s, 1), "equiv": (out.split() or ["ERROR"])[0],
                "equiv_s": round(equiv_s, 1), "logic_depth": stats.get("logic_depth")}, syn

    def predict(self, model, syn, name, data):
        """All test images from their pixels through the SystemC engine (one sample a row,
        clocked through the pipeline), against models/: predictions, latency, initiation
        interval and the energy per inference over the whole test set."""
        x, ref, out = (self.path(name, s) for s in ("-px.csv", "-ref.csv", "-hw.csv"))
        self.cmd("encode", model, "--mnist", data, "-o", x, "--pixel-bits", 8,
                 "--reference-out", ref)
        rep = self.path(name, "-systemc.json")
        self.cmd("sim", "--engine", "systemc", syn, "--vectors", x, "-o", out, "--report", rep)
        refp = [r["prediction"] for r in csv.DictReader(open(ref))]
        hwp = [r["prediction"] for r in csv.DictReader(open(out))]
        labels = [r["label"] for r in csv.DictReader(open(ref))]
        sc = json.load(open(rep))
        return {"test_images": len(refp),
                "hw_equals_models": sum(p == q for p, q in zip(refp, hwp)),
                "hw_accuracy": round(100 * sum(p == l for p, l in zip(hwp, labels)) / len(labels), 2),
                "latency_cycles": sc["latency"]["max"],
                "initiation_interval": sc["throughput"]["initiation_interval"],
                "energy_per_inference": sc["power"]["energy_per_inference"]}


def label_sides(rows):
    """-1 (below its point) for each row's label, or 1 (above) when a label below would cover one
    already placed below: within 0.6 points of accuracy, and the two centred names closer on the
    log-LUT axis than half their widths (about 0.006 decades a character); -2 (a line lower) when
    one above would cover one already placed above too."""
    def near(r, q):
        luts = max(1.0, float(r["luts_pixels"])) / max(1.0, float(q["luts_pixels"]))
        widths = 0.006 * (len(r["name"]) + len(q["name"]))
        return (abs(math.log10(luts)) < widths
                and abs(float(r["accuracy"]) - float(q["accuracy"])) < 0.6)

    sides = []
    for r in rows:
        taken = {side for q, side in zip(rows, sides) if near(r, q)}
        sides.append(-1 if -1 not in taken else 1 if 1 not in taken else -2)
    return sides


def plot(out, rows):
    """One plot a dataset: frontier.png for MNIST (with the published anchors and the target),
    frontier-DATASET.png for the others; the data beside each. The gnuplot scripts name their
    files from the repository's root, where they run."""
    out = os.path.relpath(os.path.abspath(out), ROOT)
    for dataset in sorted({r["dataset"] for r in rows}):
        mnist = dataset == "mnist"
        stem = "frontier" if mnist else "frontier-" + dataset
        dat = os.path.join(out, stem + ".dat")
        with open(os.path.join(ROOT, dat), "w") as f:
            f.write("# name accuracy luts_with_encoder luts_without_encoder label_side\n")
            here = [r for r in rows if r["dataset"] == dataset]
            sides = label_sides(here)
            for r, side in zip(here, sides):
                f.write('"%s" %s %s %s %d\n' % (r["name"], r["accuracy"], r["luts_pixels"],
                                                r["luts_bits"], side))
        series = ["'%s' using 3:2 with points pt 7 ps 1.5 title 'lutforge, whole design (8-bit "
                  "pixels in)'" % dat,
                  "'%s' using 4:2 with points pt 6 ps 1.5 title 'lutforge, without the encoder'"
                  % dat,
                  "'%s' using 3:($5 == -1 ? $2 : NaN):1 with labels offset 0,-1 font ',9' notitle"
                  % dat]
        # gnuplot (5.4) crashes on a labels series with no point left, so the labels above their
        # points and those two lines below are a series only when some are.
        for side in (1, -2):
            if side in sides:
                series.append("'%s' using 3:($5 == %d ? $2 : NaN):1 with labels offset 0,%d "
                              "font ',9' notitle" % (dat, side, side))
        extra = ""
        if mnist:
            anchors = os.path.join(out, "anchors.dat")
            with open(os.path.join(ROOT, anchors), "w") as f:
                for name, acc, luts in ANCHORS:
                    f.write('"%s" %s %s\n' % (name, acc, luts))
            series += ["'%s' using 3:2 with points pt 5 ps 1.5 lc rgb '#e69f00' "
                       "title 'published anchors'" % anchors,
                       "'%s' using 3:2:1 with labels left offset 1,0.6 font ',9' notitle"
                       % anchors]
            extra = """# The target of the frontier: 98.0%% with at most 5,000 LUTs, the whole design counted.
set arrow from 5000, graph 0 to 5000, graph 1 nohead dt 2 lc rgb 'gray40'
set arrow from graph 0, first 98.0 to graph 1, first 98.0 nohead dt 2 lc rgb 'gray40'
set label 'target: >= 98.0%%, <= 5,000 LUTs' at 5050, graph 0.05 tc rgb 'gray40'
""".replace("%%", "%")
        gp = os.path.join(out, stem + ".gp")
        with open(os.path.join(ROOT, gp), "w") as f:
            f.write("""set terminal pngcairo size 1400,800
set output '%s'
set title '%s: test accuracy against LUTs after synth -lut 6'
set xlabel 'LUTs (6-input, log scale)'
set logscale x
set xtics (1000, 2000, 3000, 5000, 7000, 10000, 20000, 30000, 50000)
set ylabel 'test accuracy (%%)'
set key top right
set offsets graph 0.08, graph 0.22, graph 0.15, graph 0.15
set grid
""" % (os.path.join(out, stem + ".png"), "MNIST" if mnist else dataset))
            f.write(extra)
            f.write("plot " + ", \\\n     ".join(series) + "\n")
        subprocess.run(["gnuplot", gp], check=True, cwd=ROOT)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("configs", nargs="*")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "lut-frontier"))
    p.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"))
    p.add_argument("--equiv-time", default=1200, type=int)
    p.add_argument("--fresh", action="store_true",
                   help="drop the rows of earlier runs from OUT/frontier.csv")
    p.add_argument("--merge", action="append", default=[], metavar="CSV",
                   help="the rows of another run's frontier.csv, in place of this OUT's rows of "
                   "the same names (repeatable)")
    a = p.parse_args()
    if not a.configs and not a.merge:
        p.error("give configurations to measure, or --merge CSV to redraw with another run's rows")
    merged = []
    for path in a.merge:
        if not os.path.exists(path):
            sys.exit("--merge %s: no such file (a frontier.csv that this bench wrote)" % path)
        here = list(csv.DictReader(open(path)))
        missing = {"name", "dataset", "accuracy", "luts_pixels", "luts_bits"} - set(
            here[0].keys() if here else ())
        if missing:
            sys.exit("--merge %s: not a frontier.csv of this bench (no %s)"
                     % (path, ", ".join(sorted(missing))))
        merged += here
    b = Bench(a)
    rows = []
    for config in a.configs:
        name = os.path.splitext(os.path.basename(config))[0]
        print("== %s" % name, file=sys.stderr)
        model, report = b.train(config, name)
        bits, _ = b.hardware(model, name, False)
        whole, syn = b.hardware(model, name, True)
        pred = b.predict(model, syn, name, a.data)
        rows.append(dict(
            name=name, dataset=report["dataset"], family=report["family"], accuracy=round(100 * report["test_accuracy"], 2),
            train_s=round(report["train_seconds"]), luts_bits=bits["luts"],
            ffs_bits=bits["flip_flops"], equiv_bits=bits["equiv"], equiv_bits_s=bits["equiv_s"],
            luts_pixels=whole["luts"], ffs_pixels=whole["flip_flops"],
            encoder_luts=whole["luts"] - bits["luts"], equiv_pixels=whole["equiv"],
            equiv_pixels_s=whole["equiv_s"], synth_pixels_s=whole["synth_s"],
            logic_depth=whole["logic_depth"], **pred))
        print(json.dumps(rows[-1]), file=sys.stderr)
    # The rows of earlier runs stay, in their order, unless this run measured them again or a
    # merged run did; a merged row takes the place of the row it replaces.
    csv_path = os.path.join(a.out, "frontier.csv")
    mine = {r["name"] for r in rows}
    fresh = {r["name"]: r for r in merged if r["name"] not in mine}
    earlier = []
    if os.path.exists(csv_path) and not a.fresh:
        earlier = [fresh.pop(r["name"], r) for r in csv.DictReader(open(csv_path))
                   if r["name"] not in mine]
    earlier += fresh.values()
    if earlier:
        for r in earlier:
            r.setdefault("dataset", "mnist")  # the runs before the dataset column were MNIST's
            for k, v in r.items():
                try:
                    r[k] = float(v) if "." in v else int(v)
                except ValueError:
                    pass
        rows = earlier + rows
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[-1].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out, "frontier.md"), "w") as f:
        f.write("| network | dataset | family | test acc. | LUTs, whole design | encoder LUTs | LUTs without "
                "encoder | FFs (whole) | latency (cycles) | II | energy / inference | proof "
                "(whole; without encoder) | hardware = models/ | training |\n")
        f.write("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
        for r in rows:
            f.write("| %s | %s | %s | %.2f%% | %d | %d | %d | %d | %d | %d | %.1f | %s %.0f s; %s %.0f s "
                    "| %d / %d | %d s |\n" % (
                        r["name"], r["dataset"], r["family"], r["accuracy"], r["luts_pixels"], r["encoder_luts"],
                        r["luts_bits"], r["ffs_pixels"], r["latency_cycles"],
                        r["initiation_interval"], r["energy_per_inference"], r["equiv_pixels"],
                        r["equiv_pixels_s"], r["equiv_bits"], r["equiv_bits_s"],
                        r["hw_equals_models"], r["test_images"], r["train_s"]))
    plot(a.out, rows)
    print(open(os.path.join(a.out, "frontier.md")).read())


if __name__ == "__main__":
    main()
