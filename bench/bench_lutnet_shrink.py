#!/usr/bin/env python3
"""Logic shrinkage against narrower LUTNets: test accuracy against LUTs after synth -lut 6.

Writes a configuration per variant of configs/mnist-lutnet.toml into OUT/configs: the LUTNet with
fewer hidden neurons and no shrinkage, and the 256-neuron LUTNet shrunk by each rule of
train/README.md (LUTs cut to their most salient input, LUTs cut to constants, inputs dropped
across the layer, LUTs cut to one input that they choose: shrink_rewire).
bench/bench_lut_frontier.py then trains each one that OUT/runs does not hold yet, lowers it with
and without the input encoder, synthesizes it, proves it EQUIVALENT and predicts every test image
in SystemC against models/ (OUT/frontier.csv and frontier.md). The plot, OUT/shrink.png with its
data in OUT/shrink.dat, draws the accuracy against the LUTs without the encoder, the narrower
networks as a line, and the target of the learned-table issue: at most 1/1.5 of mnist-lutnet's
LUTs within 0.2 points of its accuracy.

  bench/bench_lutnet_shrink.py --build build --out bench/results/lutnet-shrink
"""
import argparse
import csv
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "configs", "mnist-lutnet.toml")
BASE_NAME = "lutnet-256"  # mnist-lutnet itself

# The networks without shrinkage: their hidden neurons. The shrunk ones, of 256 hidden neurons:
# name, rule, and the [model] keys added to configs/mnist-lutnet.toml.
WIDTHS = [128, 160, 192, 224, 256]
SHRUNK = [
    ("wires-60", "LUTs cut to their most salient input",
     {"shrink": 0.6, "shrink_unit": '"lut"', "shrink_epoch": 5}),
    ("wires-60-steps-3", "LUTs cut to their most salient input",
     {"shrink": 0.6, "shrink_unit": '"lut"', "shrink_epoch": 5, "shrink_steps": 3}),
    ("constants-35", "LUTs cut to constants",
     {"shrink": 0.35, "shrink_unit": '"lut"', "shrink_epoch": 5, "shrink_min_inputs": 0}),
    ("constants-50", "LUTs cut to constants",
     {"shrink": 0.5, "shrink_unit": '"lut"', "shrink_epoch": 5, "shrink_min_inputs": 0}),
    ("inputs-50", "inputs dropped across the layer", {"shrink": 0.5, "shrink_epoch": 10}),
    ("wires-60-rewired", "LUTs cut to one input that they learn",
     {"shrink": 0.6, "shrink_unit": '"lut"', "shrink_epoch": 5, "shrink_rewire": 64}),
]
KINDS = ["LUTs cut to their most salient input", "LUTs cut to constants",
         "inputs dropped across the layer", "LUTs cut to one input that they learn"]


def variant(text, data, neurons, keys):
    """configs/mnist-lutnet.toml with its data path absolute, `neurons` hidden neurons and the
    [model] keys added."""
    def sub(pattern, repl, s):
        out, n = re.subn(pattern, repl, s, count=1, flags=re.M)
        if n != 1:
            sys.exit("%s: no line matches %s" % (BASE, pattern))
        return out

    text = sub(r'^path = ".*"$', 'path = "%s"' % os.path.abspath(data), text)
    text = sub(r"^layers = \[256, 10\]$", "layers = [%d, 10]" % neurons, text)
    added = "".join("%s = %s\n" % kv for kv in keys.items())
    text = sub(r"^\n\[train\]$", added + "\n[train]", text)  # the keys end [model]
    what = ", ".join(["%d hidden neurons" % neurons] + ["%s = %s" % kv for kv in keys.items()])
    body = text[text.index("[data]"):]  # the base's comments describe the base
    return "# Written by bench/bench_lutnet_shrink.py: configs/mnist-lutnet.toml with %s.\n%s" % (
        what, body)


def plot(out, rows):
    """OUT/shrink.png from the bench's rows: accuracy against LUTs without the encoder, with the
    data in OUT/shrink.dat and the gnuplot script in OUT/shrink.gp."""
    by_name = {r["name"]: r for r in rows}
    base = by_name.get(BASE_NAME)
    out = os.path.relpath(os.path.abspath(out), ROOT)  # the script names files from the root
    dat = os.path.join(out, "shrink.dat")
    with open(os.path.join(ROOT, dat), "w") as f:
        f.write("# block 0: hidden neurons, no shrinkage; blocks 1 to %d: %s\n"
                % (len(KINDS), "; ".join(KINDS)))
        f.write("# name accuracy luts_without_encoder luts_with_encoder label_side\n")
        blocks = [[("lutnet-%d" % w, "%d neurons" % w) for w in WIDTHS]]
        blocks += [[(n, n) for n, k, _ in SHRUNK if k == kind] for kind in KINDS]
        below = []  # the shrunk points labelled below them: a near one is labelled above
        sides = set()
        for i, block in enumerate(blocks):
            for name, label in block:
                if name in by_name:
                    r = by_name[name]
                    acc, luts = float(r["accuracy"]), float(r["luts_bits"])
                    side = 1 if i == 0 or any(abs(acc - a) < 0.15 and abs(luts - l) < 500
                                              for a, l in below) else -1
                    if side < 0:
                        below.append((acc, luts))
                    sides.add(side)
                    f.write('"%s" %s %s %s %d\n' % (label, r["accuracy"], r["luts_bits"],
                                                    r["luts_pixels"], side))
            f.write("\n\n")
    target = ""
    if base:
        luts, acc = float(base["luts_bits"]) / 1.5, float(base["accuracy"]) - 0.2
        target = """set object 1 rect from graph 0, first %.2f to first %.0f, graph 1 fc rgb '#d0f0d0' fs solid 0.5 noborder behind
set label 'target: >= %.2f%% (mnist-lutnet - 0.2) with <= %s LUTs (mnist-lutnet / 1.5)' at graph 0.02, graph 0.96 tc rgb 'gray30'
""" % (acc, luts, acc, format(int(luts), ","))
    gp = os.path.join(out, "shrink.gp")
    with open(os.path.join(ROOT, gp), "w") as f:
        f.write("""set terminal pngcairo size 1200,750
set output '%s'
set title 'MNIST LUTNet: logic shrinkage against narrower networks (seed 1)'
set xlabel 'LUTs after synth -lut 6, without the input encoder'
set ylabel 'test accuracy (%%)'
set key bottom right
set grid
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
%s""" % (os.path.join(out, "shrink.png"), target))
        series = ["'%s' index 0 using 3:2 with linespoints pt 7 ps 1.3 lc rgb '#333333' "
                  "title 'LUTNet, fewer hidden neurons, no shrinkage'" % dat]
        styles = ((9, "#009e73"), (5, "#56b4e9"), (13, "#e69f00"), (11, "#c0392b"))
        for i, (kind, (pt, colour)) in enumerate(zip(KINDS, styles), start=1):
            if any(k == kind and n in by_name for n, k, _ in SHRUNK):
                series.append("'%s' index %d using 3:2 with points pt %d ps 1.6 lc rgb '%s' "
                              "title '256 neurons, %s'" % (dat, i, pt, colour, kind))
        # The labels above their points, then those below (a series each only when it has
        # some: gnuplot crashes on a labels series with no point left).
        for side in (1, -1):
            if side in sides:
                series.append("'%s' using 3:($5 == %d ? $2 : NaN):1 with labels offset 0,%d "
                              "font ',9' notitle" % (dat, side, side))
        f.write("plot " + ", \\\n     ".join(series) + "\n")
    subprocess.run(["gnuplot", gp], check=True, cwd=ROOT)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "lutnet-shrink"))
    p.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"))
    p.add_argument("--plot-only", action="store_true",
                   help="draw the plot from OUT/frontier.csv without running anything")
    a = p.parse_args()
    configs = os.path.join(a.out, "configs")
    os.makedirs(configs, exist_ok=True)
    text = open(BASE).read()
    paths = []
    for name, neurons, keys in ([("lutnet-%d" % w, w, {}) for w in WIDTHS]
                                + [(n, 256, keys) for n, _, keys in SHRUNK]):
        path = os.path.join(configs, name + ".toml")
        with open(path, "w") as f:
            f.write(variant(text, a.data, neurons, keys))
        paths.append(path)
    if not a.plot_only:
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "bench_lut_frontier.py"),
                        "--build", a.build, "--out", a.out, "--data", a.data] + paths, check=True)
    csv_path = os.path.join(a.out, "frontier.csv")
    if not os.path.exists(csv_path):
        sys.exit("%s: not found; run without --plot-only to measure the networks first" % csv_path)
    rows = list(csv.DictReader(open(csv_path)))
    plot(a.out, rows)
    print("wrote %s" % os.path.join(a.out, "shrink.png"))


if __name__ == "__main__":
    main()
