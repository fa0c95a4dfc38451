#!/usr/bin/env python3
"""The prediction as one ArgMax cell against a pipelined ArgMax tournament (`lutforge lower
--argmax-tree`), on trained gate networks of the study: both lowered as the study lowered them
before it took the tournament (folded, a register every 2 layers, popcount trees of radix 16),
placed and routed on an iCE40 HX8K with nextpnr-ice40 in the study's wrapper, and proved equal to
each other by `lutforge equiv`.
Prints a Markdown table and writes OUT/figures.json.

    bench/bench_argmax_tree.py BUILD_DIR STUDY_RUN_DIR OUT_DIR CASE...

STUDY_RUN_DIR is the `run` directory of scripts/difflogic-study.py (its cases hold the trained
models, train.lfm.json).
"""
import importlib.util
import json
import os
import shutil
import subprocess
import sys


def study_module():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "study", os.path.join(here, "..", "scripts", "difflogic-study.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stderr.strip()[-500:]}")
    return r.stdout


def main():
    build, study_run, out, cases = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    study = study_module()
    # The study's progress lines go to standard error, the table to standard output.
    study.log = lambda msg: print(f"[bench_argmax_tree] {msg}", file=sys.stderr, flush=True)
    lf = os.path.join(build, "apps", "lutforge")
    os.makedirs(out, exist_ok=True)
    figures = {}
    print("| point | ArgMax | latency (cycles) | LUT4 cells | Fmax MHz | latency ns | proof |")
    print("|---|---|---|---|---|---|---|")
    for case in cases:
        model = os.path.join(study_run, "cases", case, "train.lfm.json")
        if not os.path.exists(model):
            sys.exit(f"{model}: no trained model (run scripts/difflogic-study.py first)")
        rows = {}
        for tree in (False, True):
            d = os.path.join(out, case, "tree" if tree else "cell")
            os.makedirs(d, exist_ok=True)
            net = os.path.join(d, "lowered.json")
            args = [lf, "lower", model, "-o", net, "--fold", "--register-every", "2",
                    "--popcount-radix", "16"]
            if tree:
                args.append("--argmax-tree")
            run(args)
            stats = json.loads(run([lf, "stats", net, "--json"]))
            with open(os.path.join(d, "lowered_stats.out"), "w") as f:
                json.dump(stats, f)
            run([lf, "convert", net, "-o", os.path.join(d, "verilog.v")])
            fmax, cells, note = study.place_and_route(d, f"{case} ({'tree' if tree else 'cell'})",
                                                      3600)
            stages = stats["pipeline_stages"]
            rows[tree] = {"stages": stages, "cells": cells, "fmax_mhz": fmax, "note": note,
                          "latency_ns": round(stages * 1000.0 / fmax, 1) if fmax else None}
        proof = subprocess.run([lf, "equiv", os.path.join(out, case, "cell", "lowered.json"),
                                os.path.join(out, case, "tree", "lowered.json"), "--time-limit",
                                "600"], capture_output=True, text=True)
        verdict = proof.stdout.splitlines()[0] if proof.stdout else proof.stderr.strip()
        for tree in (False, True):
            r = rows[tree]
            print(f"| {case} | {'tournament, registered' if tree else 'one cell'} | {r['stages']} | "
                  f"{r['cells']} | {r['fmax_mhz']} | {r['latency_ns']} | "
                  f"{verdict if tree else ''} |")
        figures[case] = {"cell": rows[False], "tree": rows[True], "proof": verdict,
                         "fmax_ratio": round(rows[True]["fmax_mhz"] / rows[False]["fmax_mhz"], 2)
                         if rows[True]["fmax_mhz"] and rows[False]["fmax_mhz"] else None}
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
