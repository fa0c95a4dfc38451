#!/usr/bin/env python3
"""How much of an accuracy difference between two training configurations is the seed's.

Each pair names a baseline configuration and a candidate (say the uniform 8-bit MAC CNN and its
packed, pruned twin); both are trained with seeds 1..N (`lutforge train --seed S`), and the
candidate's loss is taken against the baseline of the same seed and against the baseline's mean.
A figure from one seed (the configurations' own seed is 1) is one draw of these.

Writes OUT/seeds.csv (every run), OUT/table.md (per pair: mean, standard deviation and range of
each side, the loss per seed, and how many seeds stay within --margin points) and
OUT/seeds.png/svg with its data OUT/seeds-PAIR.dat. The runs' files go to OUT/runs/ (not kept in
the repository); a run whose configuration, seed and binary are unchanged is not trained again.
--plot-only rewrites the table and the plot from OUT/seeds.csv alone (the pairs as trained; their
configurations need not exist any more).

usage: bench_seeds.py BUILD OUT --pair NAME BASE.toml CANDIDATE.toml [--pair ...] [--seeds 6]
                      [--jobs 2] [--margin 1.0] [--plot-only]
"""
import argparse
import concurrent.futures
import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sha(*paths):
    h = hashlib.sha256()
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def train(lf, config, seed, runs):
    """Trains `config` with `seed` unless its report is there for the same inputs; the report."""
    name = "%s-seed%d" % (os.path.splitext(os.path.basename(config))[0], seed)
    key = sha(config, lf, lf + "-train") + "-%d" % seed  # the CLI and the trainer it runs
    report = os.path.join(runs, name + ".report.json")
    stamp = os.path.join(runs, name + ".key")
    if os.path.exists(report) and os.path.exists(stamp) and open(stamp).read() == key:
        return name, json.load(open(report)), 0.0
    t0 = time.time()
    r = subprocess.run([lf, "train", config, "-o", os.path.join(runs, name + ".lfm.json"),
                        "--seed", str(seed), "--report", report, "--quiet"], cwd=ROOT, text=True,
                       capture_output=True)
    if r.returncode != 0:
        sys.exit("bench_seeds: %s --seed %d failed:\n%s" % (config, seed, r.stderr))
    open(stamp, "w").write(key)
    return name, json.load(open(report)), time.time() - t0


def summary(values):
    return (statistics.mean(values), statistics.stdev(values) if len(values) > 1 else 0.0,
            min(values), max(values))


def write_table(a, rows):
    lines = ["| pair | configuration | seeds | mean | sd | min | max | DSPs after pruning |",
             "|---|---|---|---|---|---|---|---|"]
    notes = []
    for name, base, cand in a.pair:
        acc = {}
        for role, config in (("baseline", base), ("candidate", cand)):
            rs = [r for r in rows if r["pair"] == name and r["role"] == role]
            acc[role] = {int(r["seed"]): float(r["test_accuracy"]) for r in rs}
            m, sd, lo, hi = summary(list(acc[role].values()))
            dsps = sorted({r["dsp_after"] for r in rs if r["dsp_after"]})
            lines.append("| %s | %s `%s` | %d | %.2f%% | %.2f | %.2f%% | %.2f%% | %s |" % (
                name, role, os.path.relpath(config, ROOT), len(rs), m, sd, lo, hi,
                ", ".join(dsps) or "-"))
        seeds = sorted(set(acc["baseline"]) & set(acc["candidate"]))
        loss = [acc["baseline"][s] - acc["candidate"][s] for s in seeds]
        base_mean = statistics.mean(acc["baseline"].values())
        within = sum(1 for d in loss if d <= a.margin)
        notes.append(
            "- %s: loss per seed (baseline - candidate, points) %s; mean %.2f, median %.2f; "
            "within %.1f point%s on %d of %d seeds; the candidate's mean %.2f points below the "
            "baseline's mean" % (
                name, ", ".join("%d: %+.2f" % (s, d) for s, d in zip(seeds, loss)),
                statistics.mean(loss), statistics.median(loss), a.margin,
                "" if a.margin == 1 else "s", within, len(loss),
                base_mean - statistics.mean(acc["candidate"].values())))
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write("\n".join(lines) + "\n\n" + "\n".join(notes) + "\n")
    print("\n".join(lines) + "\n\n" + "\n".join(notes))


def plot(a, rows):
    """Accuracy per seed, baseline and candidate, one panel per pair, with the baseline's mean and
    the margin below it: gnuplot PNG and SVG, the data beside them."""
    script = []
    panels = []
    for name, base, cand in a.pair:
        series = {}
        for role in ("baseline", "candidate"):
            series[role] = {int(r["seed"]): float(r["test_accuracy"]) for r in rows
                            if r["pair"] == name and r["role"] == role}
        seeds = sorted(set(series["baseline"]) & set(series["candidate"]))
        dat = os.path.join(a.out, "seeds-%s.dat" % name)
        with open(dat, "w") as f:
            f.write("# seed baseline(%%) candidate(%%): %s, %s\n" % (
                os.path.relpath(base, ROOT), os.path.relpath(cand, ROOT)))
            for s in seeds:
                f.write("%d %.2f %.2f\n" % (s, series["baseline"][s], series["candidate"][s]))
        m = statistics.mean(series["baseline"].values())
        mc = statistics.mean(series["candidate"].values())
        panels.append([
            "set title '%s'" % name,
            "plot '%s' using 1:2 with points pt 7 title 'baseline (%s)', "
            "'' using 1:3 with points pt 5 title 'candidate (%s)', "
            "%.3f with lines lc 1 dt 1 title 'baseline mean', "
            "%.3f with lines lc 1 dt 2 title 'baseline mean - %.1f point', "
            "%.3f with lines lc 2 dt 1 title 'candidate mean'" % (
                dat, os.path.basename(base), os.path.basename(cand), m, m - a.margin, a.margin,
                mc)])
    width = 520 * len(panels)
    for term, ext in (("pngcairo size %d,500" % width, "png"), ("svg size %d,500" % width, "svg")):
        script += ["set terminal %s" % term,
                   "set output '%s'" % os.path.join(a.out, "seeds." + ext),
                   "set multiplot layout 1,%d" % len(panels),
                   "set xlabel 'seed'", "set ylabel 'test accuracy (%)'",
                   "set key outside below font ',8'", "set grid", "set xrange [0.5:%d.5]" % a.seeds]
        for p in panels:
            script += p
        script += ["unset multiplot"]
    try:
        subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("no plot (%s); scripts/install-deps.sh installs gnuplot" % e, file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("build")
    p.add_argument("out")
    p.add_argument("--pair", nargs=3, action="append", required=True,
                   metavar=("NAME", "BASE", "CANDIDATE"))
    p.add_argument("--seeds", type=int, default=6)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--margin", type=float, default=1.0)
    p.add_argument("--plot-only", action="store_true")
    a = p.parse_args()
    if a.seeds < 1:
        sys.exit("bench_seeds: --seeds must be at least 1")
    a.pair = [(n, os.path.abspath(b), os.path.abspath(c)) for n, b, c in a.pair]
    for _, b, c in a.pair:
        for config in (b, c):
            if not a.plot_only and not os.path.exists(config):
                sys.exit("bench_seeds: %s: no such configuration" % config)
    os.makedirs(os.path.join(a.out, "runs"), exist_ok=True)
    csv_path = os.path.join(a.out, "seeds.csv")
    fields = ["pair", "role", "config", "seed", "test_accuracy", "dsp_after", "train_seconds"]
    if a.plot_only:
        rows = list(csv.DictReader(open(csv_path)))
    else:
        lf = os.path.join(os.path.abspath(a.build), "apps", "lutforge")
        # Seed by seed, the baseline beside its candidate: the first losses come early.
        work = [(name, role, config, seed) for name, base, cand in a.pair
                for seed in range(1, a.seeds + 1)
                for role, config in (("baseline", base), ("candidate", cand))]
        rows = []
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
            futures = {pool.submit(train, lf, w[2], w[3], os.path.join(a.out, "runs")): w
                       for w in work}
            done = 0
            for fut in concurrent.futures.as_completed(futures):
                name, role, config, seed = futures[fut]
                run, report, seconds = fut.result()
                done += 1
                dsp = report.get("prune", {}).get("after", {}).get("dsp", "")
                rows.append({"pair": name, "role": role, "config": os.path.relpath(config, ROOT),
                             "seed": seed, "test_accuracy": "%.2f" % (100 * report["test_accuracy"]),
                             "dsp_after": "%d" % dsp if dsp != "" else "",
                             "train_seconds": "%.0f" % report["train_seconds"]})
                print("[%d/%d] %s: %.2f%%%s" % (done, len(work), run, 100 * report["test_accuracy"],
                                                " (%.0f s)" % seconds if seconds else " (cached)"),
                      flush=True)
        rows.sort(key=lambda r: (r["pair"], r["role"], int(r["seed"])))
        with open(csv_path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
    write_table(a, rows)
    plot(a, rows)


if __name__ == "__main__":
    main()
