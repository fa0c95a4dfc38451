#!/usr/bin/env python3
"""The lutforge command as a user runs it, one process per command, beside the peer tools.

  bench/bench_cli.py BUILD_DIR OUT_DIR [--width 1000 --layers 20 --vectors 200000 --runs 5]

1. Start-up: `lutforge --help` and `lutforge COMMAND --help` for every command, and the helper
   executables (lutforge-train links LibTorch, lutforge-systemc SystemC), wall time and peak RSS.
2. Reading a Yosys JSON: `lutforge stats` against Yosys `read_json; stat`, on a random network of
   WIDTH x LAYERS 6-input $lut cells (written by lutforge, read into Yosys and written back with
   write_json, so the file is Yosys' own).
3. Simulation end to end, process start to written output: `lutforge sim --vectors` writing the
   output CSV, against Verilator's compiled model of the same netlist driven from the same CSV by
   bench/verilator_vectors.cpp (whose output file must be byte-identical to lutforge's), and
   against the Verilator binary of lutforge's self-checking testbench on the same vectors and
   expected outputs. Verilator's builds are timed apart and excluded.

Every figure is the median of RUNS runs, but the testbench's (one run). The machine and the sizes
are printed with the tables; the figures are also written to OUT_DIR/figures.json, which a bench
step of `lutforge regress` reads (regress/suites/benchmarks.toml).
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, cwd=None):
    """Wall seconds and peak RSS (MB) of one process, with its output discarded. GNU time reports
    the peak; the process's own rusage would count the Python parent it was forked from."""
    with tempfile.NamedTemporaryFile(mode="r") as mem, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", mem.name] + cmd, cwd=cwd,
                           stdout=subprocess.DEVNULL, stderr=err)
        secs = time.perf_counter() - start
        if r.returncode != 0:
            err.seek(0)
            sys.exit(f"bench_cli: {' '.join(cmd)} failed: {err.read().decode()[-2000:]}")
        return secs, int(mem.read().split()[-1]) / 1024.0


def median_run(cmd, runs, cwd=None):
    """The median wall seconds and the largest peak RSS (MB) of RUNS runs."""
    results = [timed(cmd, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--layers", type=int, default=20)
    ap.add_argument("--vectors", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    lf = os.path.abspath(os.path.join(a.build, "apps", "lutforge"))
    out = os.path.abspath(a.out)

    print("### Start-up, one process per command\n")
    print("| command | wall ms (median of %d) | peak MB |" % a.runs)
    print("|---|---|---|")
    cmds = [[lf, "--help"]] + [[lf, c, "--help"] for c in
                              ["stats", "sim", "convert", "synth", "equiv", "testbench", "lower", "encode"]]
    for name in ["lutforge-train", "lutforge-systemc"]:
        helper = os.path.join(os.path.dirname(lf), name)
        if os.path.exists(helper):
            cmds.append([helper, "--help"])
    figures = {"startup": {}, "read": {}, "sim": {}}
    for c in cmds:
        shown = " ".join([os.path.basename(c[0])] + c[1:])
        secs, mb = median_run(c, a.runs)
        print(f"| `{shown}` | {secs * 1000:.1f} | {mb:.1f} |")
        figures["startup"][shown.replace(" --help", "").replace(" ", "_")] = {"ms": secs * 1000, "mb": mb}
    # The start-up target excludes lutforge-train, which links LibTorch.
    figures["startup"]["max_ms_but_train"] = max(v["ms"] for k, v in figures["startup"].items()
                                                 if k != "lutforge-train")

    # The design: random 6-input LUTs, as Yosys writes them.
    net = os.path.join(out, "net.json")
    subprocess.run([os.path.join(a.build, "bench", "bench_gen"), "--inputs", "64", "--layers", str(a.layers),
                    "--width", str(a.width), "--k", "6", "--seed", "1", "-o", net], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([lf, "convert", net, "-o", os.path.join(out, "net.v"), "--yosys-luts"], check=True)
    yjson = os.path.join(out, "net.yosys.json")
    subprocess.run(["yosys", "-q", "-p", f"read_verilog -icells {out}/net.v; hierarchy -top random_luts; "
                    f"write_json {yjson}"], check=True)
    luts = a.width * a.layers
    mb = os.path.getsize(yjson) / 1e6

    print(f"\n### Reading a Yosys JSON of {luts:,} LUTs ({mb:.1f} MB)\n")
    print("| command | wall s (median of %d) | peak MB |" % a.runs)
    print("|---|---|---|")
    t_lf, m = median_run([lf, "stats", yjson], a.runs)
    print(f"| `lutforge stats net.yosys.json` | {t_lf:.3f} | {m:.0f} |")
    t_y, m = median_run(["yosys", "-q", "-p", f"read_json {yjson}; stat"], a.runs)
    print(f"| `yosys -p 'read_json net.yosys.json; stat'` | {t_y:.3f} | {m:.0f} |")
    t_yr, m = median_run(["yosys", "-q", "-p", f"read_json {yjson}"], a.runs)
    print(f"| `yosys -p 'read_json net.yosys.json'` | {t_yr:.3f} | {m:.0f} |")
    print(f"\nlutforge stats / Yosys read_json: {t_yr / t_lf:.1f}x faster; against read_json; stat: "
          f"{t_y / t_lf:.1f}x.")
    figures["read"] = {"luts": luts, "mb": mb, "lutforge_s": t_lf, "yosys_read_json_s": t_yr,
                       "yosys_read_json_stat_s": t_y, "ratio": t_yr / t_lf}

    # Simulation, end to end.
    rng = random.Random(7)
    vin = os.path.join(out, "in.csv")
    with open(vin, "w") as f:
        f.write("x\n")
        for _ in range(a.vectors):
            f.write("0x%016x\n" % rng.getrandbits(64))
    vout = os.path.join(out, "out.csv")
    sim = [lf, "sim", yjson, "--vectors", vin, "-o", vout]
    t_sim, m_sim = median_run(sim, a.runs)
    # Verilator simulates the same netlist, written with its LUTs as constants shifted by their inputs,
    # in two harnesses: its compiled model driven from the CSV by a C++ main that writes the outputs
    # in lutforge's CSV form (the fastest way to run it: one eval() per vector), and lutforge's
    # self-checking testbench, which compares every output row with lutforge's CSV.
    subprocess.run([lf, "convert", yjson, "-o", os.path.join(out, "net_sim.v")], check=True)
    verilator = ["verilator", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
                 "-Wno-fatal", "-Wno-lint", "-Wno-style"]
    harness = os.path.join(os.path.dirname(os.path.abspath(__file__)), "verilator_vectors.cpp")
    start = time.perf_counter()
    subprocess.run(verilator + ["--cc", "--exe", "--build", "--top-module", "random_luts", "--output-split",
                                "20000", "-MAKEFLAGS", "OPT_FAST=-O2 OPT_SLOW=-O1", "-CFLAGS", "-O2",
                                "-Mdir", os.path.join(out, "obj_model"), os.path.join(out, "net_sim.v"),
                                harness], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    build_model = time.perf_counter() - start
    vout_model = os.path.join(out, "out_verilator.csv")
    model = [os.path.join(out, "obj_model", "Vrandom_luts"), vin, vout_model]
    t_model, m_model = median_run(model, a.runs)
    with open(vout, "rb") as f1, open(vout_model, "rb") as f2:
        same = f1.read() == f2.read()

    tb = os.path.join(out, "tb")
    subprocess.run([lf, "testbench", yjson, "--vectors", vin, "--expected", vout, "-o", tb], check=True,
                   stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run(verilator + ["--binary", "--timing", "--top-module", "tb", "-Mdir", os.path.join(out, "obj_dir"),
                                os.path.join(tb, "tb.v"), os.path.join(out, "net_sim.v")], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    build_tb = time.perf_counter() - start
    vbin = [os.path.join(out, "obj_dir", "Vtb")]
    start = time.perf_counter()
    result = subprocess.run(vbin, cwd=tb, capture_output=True, text=True)
    t_tb = time.perf_counter() - start
    passed = "PASS" in result.stdout
    print(f"\n### Simulation end to end: {a.vectors:,} vectors through {luts:,} LUTs\n")
    print("| command | wall s | peak MB |")
    print("|---|---|---|")
    print(f"| `lutforge sim net.yosys.json --vectors in.csv -o out.csv` (median of {a.runs}) | {t_sim:.3f} | "
          f"{m_sim:.0f} |")
    print(f"| Verilator model, `verilator_vectors in.csv out.csv` (median of {a.runs}; build of "
          f"{build_model:.0f} s excluded) | {t_model:.3f} | {m_model:.0f} |")
    print(f"| Verilator testbench binary `Vtb`, checks every row (one run; build of {build_tb:.0f} s "
          f"excluded) | {t_tb:.3f} | - |")
    print(f"\nlutforge sim / Verilator model: {t_model / t_sim:.1f}x faster; their output files are "
          f"{'byte-identical' if same else 'DIFFERENT'}. lutforge sim / Verilator testbench: "
          f"{t_tb / t_sim:.1f}x; the testbench checked every output of lutforge's CSV: "
          f"{'PASS' if passed else 'FAIL'}.")
    figures["sim"] = {"vectors": a.vectors, "luts": luts, "lutforge_s": t_sim, "verilator_model_s": t_model,
                      "verilator_testbench_s": t_tb, "ratio_model": t_model / t_sim,
                      "ratio_testbench": t_tb / t_sim, "outputs_identical": same,
                      "testbench": "PASS" if passed else "FAIL"}
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=1)
    passed = passed and same
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
