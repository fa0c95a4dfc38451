#!/usr/bin/env python3
"""Depth, width and final-layer width of differentiable logic gate networks against accuracy, LUTs,
logic levels, latency, energy and Fmax (the gate-network issue's study).

  scripts/difflogic-study.py --out DIR [--dataset mnist=data/mnist] [--dataset fashion-mnist=...]
      [--point DATASET:DEPTH:WIDTH:FINAL ...] [--epochs 15] [-j 2] [--register-every 2]
      [--popcount-radix 6] [--argmax-cell] [--equiv-time-limit 300] [--no-pnr]
      [--lutforge build/apps/lutforge]

Each point is a network of DEPTH layers: DEPTH-1 of WIDTH gates, then a final layer of FINAL gates
(the GroupSum's input, FINAL/classes gates a class). Without --point, a grid of 12 points on MNIST
and 6 on Fashion-MNIST (the datasets given; scripts/fetch-datasets.sh fetches both).

Every point is a case of a generated regression suite, DIR/study.toml, run by `lutforge regress`
into DIR/run, so an interrupted study resumes where it stopped and a rerun only runs what changed:
  train                 the configuration DIR/configs/POINT.toml (input-wise gates, 1-bit pixels)
  lower, stats          gates before folding (pass-through and constant gates kept)
  lower --fold, stats   gates after folding, registered every N gate layers, each class's popcount
                        a tree of adders of at most R operands with a register after each level,
                        and the prediction a tournament of two-class comparisons, a register
                        after each of its levels (--argmax-tree; --argmax-cell: one ArgMax cell
                        in one stage, which then sets the clock). Radix 6 makes each adder of
                        1-bit operands a LUT6 per sum bit, which synth -lut 6 keeps, so the
                        prover matches the sums one by one (radix 16 took 4% more LUTs and its
                        proofs ran out of time at 200 gates a class; one wide adder per class
                        is merged by Yosys' alumacc into a carry-save tree that the prover
                        cannot match)
  verilog, synth -lut 6 LUTs and flip-flops; stats of the result: LUT levels per pipeline stage
                        and in total (through the registers)
  equiv                 the synthesized netlist against the lowered one (with a time limit)
  predict (SystemC)     accuracy on the whole test set, agreement with models/, latency, II and
                        energy per inference from the clock-by-clock engine on the real images
  synth --target ice40  iCE40 logic cells
Then, for each point whose iCE40 mapping fits an HX8K (7,680 logic cells) inside a wrapper that
feeds the inputs from a shift register and folds the registered outputs into one pin (a design
with hundreds of ports has more ports than the package has pins), Yosys synth_ice40 and
nextpnr-ice40 place and route it: the Fmax nextpnr reports, and the latency in ns.

Writes DIR/study.csv, DIR/study.md (the same as a table), DIR/final_layer.md (each point against
the same network with a narrower final layer), DIR/fmax_model.json (the clock period as a line in
the LUT4 levels per stage, fitted on the placed points; the CSV's fmax_predicted_mhz) and Pareto
plots DIR/pareto-{luts,energy,latency}.{png,svg} (gnuplot), the data of
each plot beside it. Installs gnuplot-nox and nextpnr-ice40 from Debian when they are missing.
"""
import argparse
import csv
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

HX8K_CELLS = 7680
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(f"[difflogic-study {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ensure_packages():
    missing = [p for p, exe in [("gnuplot-nox", "gnuplot"), ("nextpnr-ice40", "nextpnr-ice40")]
               if shutil.which(exe) is None]
    if missing:
        log("installing " + " ".join(missing))
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing,
                       check=True, env=env)


def classes_of(data_dir):
    """The number of classes: one more than the largest test label (IDX, gzipped or not)."""
    for name in ["t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz"]:
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            raw = (gzip.open if name.endswith(".gz") else open)(path, "rb").read()
            return max(raw[8:]) + 1
    sys.exit(f"difflogic-study: {data_dir} has no t10k-labels-idx1-ubyte[.gz] (MNIST layout); "
             "run scripts/fetch-datasets.sh")


def default_points(datasets):
    points = []
    if "mnist" in datasets:
        for depth in [2, 4, 6]:
            for width in [1000, 2000, 4000]:
                points.append(("mnist", depth, width, width))
        for depth, width in [(2, 4000), (4, 2000), (4, 4000)]:
            points.append(("mnist", depth, width, width // 4))
    if "fashion-mnist" in datasets:
        for depth in [2, 4]:
            for width in [2000, 4000]:
                points.append(("fashion-mnist", depth, width, width))
        for depth, width in [(2, 4000), (4, 4000)]:
            points.append(("fashion-mnist", depth, width, width // 4))
    return points


def parse_point(text, datasets):
    m = re.fullmatch(r"([\w-]+):(\d+):(\d+):(\d+)", text)
    if not m:
        sys.exit(f"difflogic-study: --point '{text}' is not DATASET:DEPTH:WIDTH:FINAL")
    name, depth, width, final = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
    if name not in datasets:
        sys.exit(f"difflogic-study: --point '{text}': no --dataset {name}=DIR")
    if depth < 1 or width < 1 or final < 1:
        sys.exit(f"difflogic-study: --point '{text}': depth and widths must be positive")
    return name, depth, width, final


def point_name(p):
    return f"{p[0]}-d{p[1]}-w{p[2]}-f{p[3]}"


def write_config(path, p, data_dir, classes, epochs, threads):
    dataset, depth, width, final = p
    if final % classes:
        sys.exit(f"difflogic-study: point {point_name(p)}: the final layer's {final} gates do not "
                 f"split into {classes} classes")
    layers = [width] * (depth - 1) + [final]
    with open(path, "w") as f:
        f.write(f"""# Generated by scripts/difflogic-study.py: point {point_name(p)}.
[data]
dataset = "{'fashion-mnist' if dataset == 'fashion-mnist' else 'mnist'}"
path = "{data_dir}"

[model]
family = "difflogic"
layers = {json.dumps(layers)}
classes = {classes}
tau = {max(1.0, (final / classes) ** 0.5 / 2):.2f}
input_encoding = "thermometer"
input_bits = 1
parametrization = "input-wise"

[train]
epochs = {epochs}
batch_size = 100
learning_rate = 0.01
seed = 1
threads = {threads}
""")


def write_suite(path, points, configs, data_dirs, register_every, radix, argmax_tree,
                time_limit):
    with open(path, "w") as f:
        f.write("# Generated by scripts/difflogic-study.py: one case per point of the study.\n"
                'name = "difflogic-study"\n')
        for p in points:
            data = data_dirs[p[0]]
            f.write(f"""
[[case]]
name = "{point_name(p)}"
config = "{configs[p]}"
  [[case.step]]
  kind = "train"
  [[case.step]]
  kind = "lower"
  name = "unfolded"
  [[case.step]]
  kind = "stats"
  name = "unfolded_stats"
  input = "unfolded"
  [[case.step]]
  kind = "lower"
  name = "lowered"
  fold = true
  register_every = {register_every}
  popcount_radix = {radix}
  argmax_tree = {"true" if argmax_tree else "false"}
  [[case.step]]
  kind = "stats"
  name = "lowered_stats"
  input = "lowered"
  [[case.step]]
  kind = "verilog"
  input = "lowered"
  [[case.step]]
  kind = "synth"
  name = "lut6"
  lut = 6
  [[case.step]]
  kind = "stats"
  name = "lut6_stats"
  input = "lut6"
  [[case.step]]
  kind = "equiv"
  a = "lowered"
  b = "lut6"
  time_limit = {time_limit}
  [[case.step]]
  kind = "predict"
  input = "lut6"
  model = "train"
  data = "{data}"
  engine = "systemc"
  [[case.step]]
  kind = "synth"
  name = "ice40"
  target = "ice40"
  input = "verilog"
""")


def results(db):
    """{case: {step: (status, metrics)}} of the latest result of every step."""
    con = sqlite3.connect(db)
    out = {}
    for case, step, status, metrics in con.execute(
            "SELECT case_name, step, status, metrics FROM results"):
        out.setdefault(case, {})[step] = (status, json.loads(metrics))
    return out


def wrapper_verilog(stats, path):
    """A top that feeds every input bit from a shift register and XORs the registered outputs
    into one pin, so that the design needs three pins and every gate stays observable. The XOR
    is a tree of 4-input XORs with a register after each level (one LUT4 a stage), so that the
    wrapper does not set the clock."""
    clock = stats.get("clock") or ""
    ins = [p for p in stats["inputs"] if p["name"] != clock]
    outs = stats["outputs"]
    n_in = sum(p["width"] for p in ins)
    n_out = sum(p["width"] for p in outs)
    lines = ["module study_top(input clk, input sin, output reg sout);",
             f"  reg [{n_in - 1}:0] chain = 0;",
             f"  always @(posedge clk) chain <= {{chain[{n_in - 2}:0], sin}};" if n_in > 1 else
             "  always @(posedge clk) chain <= sin;",
             f"  wire [{n_out - 1}:0] y;",
             f"  reg [{n_out - 1}:0] x0 = 0;",
             "  always @(posedge clk) x0 <= y;"]
    level, width = 0, n_out
    while width > 1:
        nxt = (width + 3) // 4
        lines.append(f"  reg [{nxt - 1}:0] x{level + 1} = 0;")
        for i in range(nxt):
            hi = min(4 * i + 3, width - 1)
            lines.append(f"  always @(posedge clk) x{level + 1}[{i}] <= ^x{level}[{hi}:{4 * i}];")
        level, width = level + 1, nxt
    lines.append(f"  always @(posedge clk) sout <= x{level}[0];")
    conns, lo = [], 0
    for p in ins:
        conns.append(f".{p['name']}(chain[{lo + p['width'] - 1}:{lo}])")
        lo += p["width"]
    lo = 0
    for p in outs:
        conns.append(f".{p['name']}(y[{lo + p['width'] - 1}:{lo}])")
        lo += p["width"]
    if clock:
        conns.append(f".{clock}(clk)")
    lines.append(f"  {stats['design']} dut({', '.join(conns)});")
    lines.append("endmodule")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return n_in + n_out + 1


def place_and_route(case_dir, name, timeout):
    """Fmax (MHz) and logic cells of the point on an HX8K, or (None, cells, why)."""
    pnr = os.path.join(case_dir, "ice40_pnr")
    os.makedirs(pnr, exist_ok=True)
    done = os.path.join(pnr, "result.json")
    # A result is reused only for the same Verilog: a rerun with other settings places again.
    with open(os.path.join(case_dir, "verilog.v"), "rb") as f:
        design_hash = hashlib.sha256(f.read()).hexdigest()
    if os.path.exists(done):
        r = json.load(open(done))
        if r.get("verilog_sha256") == design_hash:
            return r["fmax_mhz"], r["cells"], r["note"]
    log(f"{name}: synth_ice40 and nextpnr-ice40 (HX8K)")
    # The ports of the lowered netlist, from its stats step's output (`lutforge stats --json`).
    stats = json.load(open(os.path.join(case_dir, "lowered_stats.out")))
    wrapper = os.path.join(pnr, "study_top.v")
    wrapper_verilog(stats, wrapper)
    js = os.path.join(pnr, "study_top.json")
    y = subprocess.run(["yosys", "-q", "-l", os.path.join(pnr, "yosys.log"), "-p",
                        f"read_verilog {os.path.join(case_dir, 'verilog.v')} {wrapper}; "
                        f"synth_ice40 -top study_top -json {js}"], capture_output=True, text=True)
    if y.returncode != 0:
        return None, None, "synth_ice40 failed: " + y.stderr.strip()[-300:]
    plog = os.path.join(pnr, "nextpnr.log")
    try:
        n = subprocess.run(["nextpnr-ice40", "--hx8k", "--package", "ct256", "--json", js,
                            "--pcf-allow-unconstrained", "--timing-allow-fail", "--freq", "12",
                            "--seed", "1", "--log", plog, "-q"], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, f"nextpnr-ice40 did not finish within {timeout} s"
    text = open(plog).read() if os.path.exists(plog) else n.stderr
    cells = None
    m = re.findall(r"ICESTORM_LC:\s+(\d+)/\s*(\d+)", text)
    if m:
        cells = int(m[-1][0])
    if n.returncode != 0:
        fits = not (cells and cells > 7680) and not re.search(
            r"(?i)too many|unable to place|not enough|failed to expand region", text)
        why = "nextpnr-ice40 failed: " + text.strip().splitlines()[-1][-200:] if fits \
            else f"does not fit an HX8K ({cells} of 7,680 logic cells)"
        r = {"fmax_mhz": None, "cells": cells, "note": why, "verilog_sha256": design_hash}
    else:
        f = re.findall(r"Max frequency for clock\s+'[^']*':\s+([\d.]+) MHz", text)
        r = {"fmax_mhz": float(f[-1]) if f else None, "cells": cells,
             "note": "" if f else "no Fmax in nextpnr's log", "verilog_sha256": design_hash}
    json.dump(r, open(done, "w"))
    return r["fmax_mhz"], r["cells"], r["note"]


def pareto(rows, x):
    """The rows not dominated in (lower x, higher accuracy), sorted by x."""
    pts = sorted((r for r in rows if r.get(x) not in (None, "")), key=lambda r: (r[x], -r["accuracy"]))
    front, best = [], -1.0
    for r in pts:
        if r["accuracy"] > best:
            front.append(r)
            best = r["accuracy"]
    return front


def plot(out, rows, x, xlabel, stem, logx):
    datasets = sorted({r["dataset"] for r in rows})
    files = []
    for d in datasets:
        mine = [r for r in rows if r["dataset"] == d and r.get(x) not in (None, "")]
        pts = os.path.join(out, f"{stem}-{d}.dat")
        with open(pts, "w") as f:
            f.write(f"# {x} accuracy point\n")
            for r in mine:
                f.write(f"{r[x]} {r['accuracy'] * 100:.2f} {r['point']}\n")
        front = os.path.join(out, f"{stem}-{d}-front.dat")
        with open(front, "w") as f:
            f.write(f"# Pareto front: {x} accuracy point\n")
            for r in pareto(mine, x):
                f.write(f"{r[x]} {r['accuracy'] * 100:.2f} {r['point']}\n")
        files.append((d, pts, front))
    for term, ext in [("pngcairo size 900,600", "png"), ("svg size 900,600", "svg")]:
        script = [f"set terminal {term}", f"set output '{os.path.join(out, stem + '.' + ext)}'",
                  f"set xlabel '{xlabel}'", "set ylabel 'test accuracy (%)'", "set grid",
                  "set key bottom right",
                  "set title 'Differentiable logic gate networks: accuracy against " + xlabel + "'"]
        if logx:
            script.append("set logscale x")
        series = []
        for i, (d, pts, front) in enumerate(files):
            series.append(f"'{pts}' using 1:2 with points pt 7 ps 1.2 lc {i + 1} title '{d}'")
            series.append(f"'{front}' using 1:2 with steps lw 2 lc {i + 1} title '{d} Pareto front'")
        script.append("plot " + ", ".join(series))
        subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--dataset", action="append", default=[],
                    help="NAME=DIR, an MNIST-layout dataset (default: mnist=data/mnist and "
                         "fashion-mnist=data/fashion-mnist, those that exist)")
    ap.add_argument("--point", action="append", default=[], help="DATASET:DEPTH:WIDTH:FINAL")
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--register-every", type=int, default=2)
    ap.add_argument("--popcount-radix", type=int, default=6)
    ap.add_argument("--argmax-cell", action="store_true",
                    help="one ArgMax cell in one stage instead of a registered tournament")
    ap.add_argument("--equiv-time-limit", type=float, default=300)
    ap.add_argument("--pnr-timeout", type=int, default=1800)
    ap.add_argument("--no-pnr", action="store_true")
    ap.add_argument("--lutforge", default=os.path.join(REPO, "build", "apps", "lutforge"))
    a = ap.parse_args()
    if a.epochs < 1 or a.jobs < 1 or a.register_every < 1 or a.popcount_radix < 2:
        sys.exit("difflogic-study: --epochs, -j and --register-every must be at least 1, "
                 "--popcount-radix at least 2")
    lutforge = os.path.abspath(a.lutforge)
    if not os.access(lutforge, os.X_OK):
        sys.exit(f"difflogic-study: no lutforge executable at {lutforge} (scripts/build.sh)")
    ensure_packages()

    data_dirs = {}
    for spec in a.dataset:
        if "=" not in spec:
            sys.exit(f"difflogic-study: --dataset '{spec}' is not NAME=DIR")
        name, d = spec.split("=", 1)
        if not os.path.isdir(d):
            sys.exit(f"difflogic-study: --dataset {name}: no directory {d}")
        data_dirs[name] = os.path.abspath(d)
    if not data_dirs:
        for name in ["mnist", "fashion-mnist"]:
            d = os.path.join(REPO, "data", name)
            if os.path.isdir(d):
                data_dirs[name] = d
    if not data_dirs:
        sys.exit("difflogic-study: no dataset; run scripts/fetch-datasets.sh or give --dataset")
    points = [parse_point(p, data_dirs) for p in a.point] or default_points(data_dirs)
    if not points:
        sys.exit("difflogic-study: no points (the default grid is for mnist and fashion-mnist)")

    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, "configs"), exist_ok=True)
    classes = {d: classes_of(p) for d, p in data_dirs.items()}
    threads = max(1, (os.cpu_count() or 1) // a.jobs)
    configs = {}
    for p in points:
        configs[p] = os.path.join(out, "configs", point_name(p) + ".toml")
        write_config(configs[p], p, data_dirs[p[0]], classes[p[0]], a.epochs, threads)
    suite = os.path.join(out, "study.toml")
    write_suite(suite, points, configs, data_dirs, a.register_every, a.popcount_radix,
                not a.argmax_cell, a.equiv_time_limit)

    log(f"{len(points)} points through lutforge regress ({suite})")
    rc = subprocess.run([lutforge, "regress", suite, "-o", os.path.join(out, "run"), "-j",
                         str(a.jobs)]).returncode
    if rc not in (0, 1):  # 1: some case failed (an UNDECIDED proof, say); its figures still count
        sys.exit(f"difflogic-study: lutforge regress failed (exit code {rc})")
    res = results(os.path.join(out, "run", "results.db"))

    rows = []
    for p in points:
        name = point_name(p)
        r = res.get(name, {})

        def metric(step, key, default=None):
            status, m = r.get(step, ("missing", {}))
            return m.get(key, default) if status in ("pass", "fail") else default

        acc = metric("predict", "accuracy")
        if acc is None:
            log(f"{name}: no prediction (see {os.path.join(out, 'run', 'summary.md')}); left out")
            continue
        row = {
            "point": name, "dataset": p[0], "depth": p[1], "width": p[2], "final_width": p[3],
            "gates": p[2] * (p[1] - 1) + p[3],
            "accuracy": acc,
            "train_accuracy_report": metric("train", "test_accuracy"),
            "agreement": metric("predict", "agreement"),
            "gates_before_folding": metric("unfolded_stats", "cells.gate"),
            "gates_after_folding": metric("lowered_stats", "cells.gate"),
            "adders": metric("lowered_stats", "cells.adder"),
            "luts": metric("lut6", "luts"),
            "flip_flops": metric("lut6", "flip_flops"),
            "stages": metric("lut6_stats", "pipeline_stages"),
            "levels_per_stage": metric("lut6_stats", "logic_depth"),
            "levels_total": metric("lut6_stats", "logic_depth_total"),
            "latency_cycles": metric("predict", "latency.max"),
            "initiation_interval": metric("predict", "throughput.initiation_interval"),
            "energy_per_inference": metric("predict", "power.energy_per_inference"),
            "equiv": metric("equiv", "result", "-"),
            "train_seconds": metric("train", "seconds"),
            "ice40_cells": metric("ice40", "luts"),
            "fmax_mhz": None, "latency_ns": None, "pnr_note": "",
        }
        case_dir = os.path.join(out, "run", "cases", name)
        ice40_json = os.path.join(case_dir, "ice40.json")
        if os.path.exists(ice40_json):  # LUT4 levels per stage of the iCE40 mapping
            st = subprocess.run([lutforge, "stats", ice40_json, "--json"], capture_output=True,
                                text=True)
            if st.returncode == 0:
                row["ice40_levels_per_stage"] = json.loads(st.stdout).get("logic_depth")
        if not a.no_pnr:
            if row["ice40_cells"] is not None and row["ice40_cells"] > HX8K_CELLS:
                row["pnr_note"] = f"does not fit an HX8K ({row['ice40_cells']} LUT4s)"
            else:
                fmax, cells, note = place_and_route(case_dir, name, a.pnr_timeout)
                row["fmax_mhz"], row["pnr_note"] = fmax, note
                if cells is not None:
                    row["ice40_placed_cells"] = cells
                if fmax and row["latency_cycles"] is not None:
                    row["latency_ns"] = row["latency_cycles"] * 1000.0 / fmax
        rows.append(row)
        log(f"{name}: accuracy {acc * 100:.2f}%, {row['luts']} LUTs, {row['levels_total']} levels"
            + (f", Fmax {row['fmax_mhz']:.1f} MHz" if row["fmax_mhz"] else ""))

    if not rows:
        sys.exit("difflogic-study: no point has results")

    # How well LUT4 levels per stage predict the clock period: a least-squares line through the
    # placed and routed points, applied to the others.
    fit = [(r["ice40_levels_per_stage"], 1000.0 / r["fmax_mhz"]) for r in rows
           if r.get("fmax_mhz") and r.get("ice40_levels_per_stage") is not None]
    model = None
    if len(fit) >= 2 and len({x for x, _ in fit}) >= 2:
        n = len(fit)
        mx, my = sum(x for x, _ in fit) / n, sum(y for _, y in fit) / n
        sxx = sum((x - mx) ** 2 for x, _ in fit)
        sxy = sum((x - mx) * (y - my) for x, y in fit)
        slope = sxy / sxx
        icept = my - slope * mx
        ss_res = sum((y - (icept + slope * x)) ** 2 for x, y in fit)
        ss_tot = sum((y - my) ** 2 for _, y in fit)
        r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
        model = {"points": n, "ns_per_level": slope, "ns_fixed": icept, "r2": r2,
                 "max_error_pct": max(abs((icept + slope * x) - y) / y * 100 for x, y in fit)}
        for r in rows:
            lv = r.get("ice40_levels_per_stage")
            if lv is not None and icept + slope * lv > 0:
                r["fmax_predicted_mhz"] = 1000.0 / (icept + slope * lv)
        json.dump(model, open(os.path.join(out, "fmax_model.json"), "w"), indent=1)
    fields = ["point", "dataset", "depth", "width", "final_width", "gates", "gates_before_folding",
              "gates_after_folding", "adders", "accuracy", "agreement", "luts", "flip_flops",
              "stages", "levels_per_stage", "levels_total", "latency_cycles", "initiation_interval",
              "energy_per_inference", "equiv", "train_seconds", "ice40_cells",
              "ice40_levels_per_stage", "ice40_placed_cells", "fmax_mhz", "fmax_predicted_mhz",
              "latency_ns", "pnr_note"]
    with open(os.path.join(out, "study.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in fields})

    plot(out, rows, "luts", "LUT6 after synth -lut 6", "pareto-luts", True)
    plot(out, rows, "energy_per_inference", "energy per inference (toggle proxy)", "pareto-energy",
         True)
    plot(out, rows, "latency_cycles", "latency (cycles)", "pareto-latency", False)

    def change(now, was):
        d = (1 - now / was) * 100 if was else 0.0
        return f"{d:.1f}% fewer" if d >= 0 else f"{-d:.1f}% more"

    # Each point against the same network with a narrower final layer.
    lines = ["| dataset | depth | width | final layer | accuracy | LUTs | LUT levels (total) | "
             "energy | vs. final = width: LUTs | levels | accuracy |", "|" + "---|" * 11]
    for r in rows:
        if r["final_width"] == r["width"]:
            continue
        full = next((q for q in rows if q["dataset"] == r["dataset"] and q["depth"] == r["depth"]
                     and q["width"] == r["width"] and q["final_width"] == q["width"]), None)
        if not full:
            continue
        lines.append(
            f"| {r['dataset']} | {r['depth']} | {r['width']} | {r['final_width']} (was "
            f"{full['final_width']}) | {r['accuracy'] * 100:.2f}% (was {full['accuracy'] * 100:.2f}%)"
            f" | {r['luts']} (was {full['luts']}) | {r['levels_total']} (was {full['levels_total']})"
            f" | {r['energy_per_inference']:.0f} (was {full['energy_per_inference']:.0f}) | "
            f"{change(r['luts'], full['luts'])} | {change(r['levels_total'], full['levels_total'])} | "
            f"{(r['accuracy'] - full['accuracy']) * 100:+.2f} points |")
    with open(os.path.join(out, "final_layer.md"), "w") as f:
        f.write("\n".join(lines) + "\n")

    # Every point as a Markdown table.
    def fmt(v, spec=""):
        return "" if v is None or v == "" else format(v, spec)
    table = ["| point | accuracy | gates before / after folding | LUT6 | FF | stages | LUT6 levels "
             "per stage / total | latency cycles | energy / inference | equiv | iCE40 LUT4 | "
             "LUT4 levels per stage | Fmax MHz (HX8K) | latency ns |", "|" + "---|" * 14]
    for r in rows:
        fmax = (fmt(r.get("fmax_mhz"), ".1f") if r.get("fmax_mhz") else
                (f"({fmt(r.get('fmax_predicted_mhz'), '.0f')} predicted; {r['pnr_note']})"
                 if r.get("fmax_predicted_mhz") else r.get("pnr_note", "")))
        table.append(
            f"| {r['point']} | {r['accuracy'] * 100:.2f}% | {r['gates_before_folding']} / "
            f"{r['gates_after_folding']} | {r['luts']} | {r['flip_flops']} | {r['stages']} | "
            f"{r['levels_per_stage']} / {r['levels_total']} | {r['latency_cycles']} | "
            f"{fmt(r['energy_per_inference'], '.0f')} | {r['equiv']} | {r['ice40_cells']} | "
            f"{fmt(r.get('ice40_levels_per_stage'))} | {fmax} | {fmt(r.get('latency_ns'), '.1f')} |")
    if model:
        table.append(f"\nClock period against LUT4 levels per stage over the {model['points']} "
                     f"placed points: {model['ns_fixed']:.2f} ns + {model['ns_per_level']:.2f} ns "
                     f"per level, R² = {model['r2']:.2f}, largest error "
                     f"{model['max_error_pct']:.0f}%.")
    with open(os.path.join(out, "study.md"), "w") as f:
        f.write("\n".join(table) + "\n")
    log(f"wrote {os.path.join(out, 'study.csv')}, study.md, final_layer.md and pareto-*.png/svg "
        f"({len(rows)} points)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
