#!/usr/bin/env python3
"""DSP packing table (DSP issue): for every pair of operand widths 2..8, how many products one
slice computes when they share an operand, and how many accumulations its guard bits allow, for
DSP48E2 and DSP48E1; each configuration checked on every operand value against the unpacked
products, and proved by lutforge's prover (`lutforge dsp-packing --prove`). Prints Markdown tables and writes OUT/figures.json.

    bench/bench_dsp_packing.py BUILD_DIR OUT_DIR
"""
import json
import os
import subprocess
import sys
import time

# DeepBurning-MixQ's MACs per DSP for its kernel shape, as its paper states them.
MIXQ = {(2, 2): 12, (8, 8): 2}


def main():
    build, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    lf = os.path.join(build, "apps", "lutforge")
    figures = {}
    for family in ("dsp48e2", "dsp48e1"):
        for y_signed in (False, True):
            start = time.monotonic()
            args = [lf, "dsp-packing", "--family", family, "--prove", "--json"]
            if y_signed:
                args.append("--y-signed")
            run = subprocess.run(args, capture_output=True, text=True)
            seconds = time.monotonic() - start
            if run.returncode not in (0, 1):
                sys.exit(f"lutforge dsp-packing failed: {run.stderr}")
            table = json.loads(run.stdout)
            name = f"{family}_{'signed' if y_signed else 'unsigned'}_y"
            with open(os.path.join(out, name + ".json"), "w") as f:
                json.dump(table, f, indent=2)
            rows = {(r["x_bits"], r["y_bits"]): r for r in table["configurations"]}
            proved = sum(1 for r in rows.values()
                         if r.get("mismatching", 1) == 0 and r.get("prover") == "EQUIVALENT")
            figures[name] = {"configurations": len(rows), "proved": proved,
                             "all_proved": int(proved == len(rows)), "s": round(seconds, 2),
                             "w2a2": rows[(2, 2)]["products"], "w4a4": rows[(4, 4)]["products"],
                             "w8a8": rows[(8, 8)]["products"]}
            print(f"### {family}, signed weights x {'signed' if y_signed else 'unsigned'} "
                  f"activations\n")
            print("products per slice (accumulations that the guard bits allow); rows: weight "
                  "bits, columns: activation bits\n")
            print("| w \\ a | " + " | ".join(str(a) for a in range(2, 9)) + " |")
            print("|---|" + "---|" * 7)
            for w in range(2, 9):
                cells = [f"{rows[(w, a)]['products']} ({rows[(w, a)]['accumulations']})"
                         for a in range(2, 9)]
                print(f"| {w} | " + " | ".join(cells) + " |")
            print(f"\n{proved} of {len(rows)} configurations equal their unpacked products on "
                  f"every operand value and are proved EQUIVALENT by the prover; "
                  f"{seconds:.1f} s.\n")
    print("| config | DeepBurning-MixQ MACs/DSP | lutforge products/DSP48E2 (unsigned a) |")
    print("|---|---|---|")
    e2 = json.load(open(os.path.join(out, "dsp48e2_unsigned_y.json")))
    rows = {(r["x_bits"], r["y_bits"]): r for r in e2["configurations"]}
    for (w, a), n in MIXQ.items():
        print(f"| w{w}a{a} | {n} | {rows[(w, a)]['products']} |")
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
