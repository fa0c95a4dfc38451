#!/usr/bin/env python3
"""DSP packing through Yosys (DSP issue): an MLP of MAC layers (16 codes -> 10 -> 4, random
weights, a quarter of them zero) at several weight/activation widths, lowered without and with
DSP packing for DSP48E1, written with --adder-modules, synthesized with synth_xilinx, and proved
EQUIVALENT to its lowering. Reports the slices in the lowered netlist, the DSP48E1s, LUTs and
CARRY4s after synthesis, and the proof time. Random weights, not a trained network: the figures
show what packing does to the hardware, not accuracy. Prints a Markdown table and writes
OUT/figures.json.

    bench/bench_mac_packing.py BUILD_DIR OUT_DIR
"""
import json
import os
import random
import subprocess
import sys
import time

WIDTHS = [16, 10, 4]


def model(w_bits, a_bits, seed):
    """A model file of the MLP: uniform input codes of a_bits bits, requantized hidden codes of
    a_bits bits, signed scores."""
    rng = random.Random(seed)
    steps = (1 << a_bits) - 1
    thresholds = [[(k + 0.5) / steps for k in range(steps)] for _ in range(WIDTHS[0])]
    layers, prev = [], WIDTHS[0]
    half = 1 << (w_bits - 1)
    for i, width in enumerate(WIDTHS[1:]):
        last = i + 2 == len(WIDTHS)
        neurons = []
        for _ in range(width):
            weights = [0 if rng.random() < 0.25 else rng.randrange(-half, half) for _ in range(prev)]
            neurons.append({"inputs": list(range(prev)), "weights": weights,
                            "bias": rng.randrange(-64, 64), "multiplier": rng.randrange(1, 256)})
        layer = {"kind": "mac", "in_bits": a_bits, "fan_in": prev, "weight_bits": w_bits,
                 "shift": 8 + w_bits, "requantize": not last, "neurons": neurons}
        if last:
            top = (1 << a_bits) - 1
            lo = min(sum(w * top for w in n["weights"] if w < 0) + n["bias"] for n in neurons)
            hi = max(sum(w * top for w in n["weights"] if w > 0) + n["bias"] for n in neurons)
            bits = 1
            while lo < -(1 << (bits - 1)) or hi >= (1 << (bits - 1)):
                bits += 1
            layer["out_bits"] = bits
        else:
            layer["out_bits"] = a_bits
        layers.append(layer)
        prev = width
    return {"format": "lutforge-model", "version": 1, "family": "mac", "dataset": "random",
            "input": {"kind": "uniform", "bits": a_bits, "thresholds": thresholds},
            "layers": layers}


def run(args):
    start = time.monotonic()
    r = subprocess.run(args, capture_output=True, text=True)
    return r, time.monotonic() - start


def main():
    build, out = sys.argv[1], sys.argv[2]
    lf = os.path.join(build, "apps", "lutforge")
    os.makedirs(out, exist_ok=True)
    figures = {}
    print("| w/a bits | packing | slices lowered | DSP48E1 | LUTs | CARRY4 | synth s | proof | "
          "proof s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for w_bits, a_bits in [(8, 8), (4, 4), (2, 2)]:
        path = os.path.join(out, f"w{w_bits}a{a_bits}.lfm.json")
        with open(path, "w") as f:
            json.dump(model(w_bits, a_bits, 7), f)
        for packing in (False, True):
            tag = f"w{w_bits}a{a_bits}{'_packed' if packing else ''}"
            net, v, mapped = (os.path.join(out, tag + ext) for ext in (".json", ".v", "_x.json"))
            r, _ = run([lf, "lower", path, "-o", net, "--dsp-family", "dsp48e1"] +
                       (["--dsp-packing"] if packing else []))
            if r.returncode:
                sys.exit(r.stderr)
            stats = json.loads(run([lf, "stats", net, "--json"])[0].stdout)
            run([lf, "convert", net, "-o", v, "--adder-modules"])
            r, synth_s = run([lf, "synth", v, "--top", "mac", "--target", "xilinx", "-o", mapped])
            if r.returncode:
                sys.exit(r.stderr)
            res = json.load(open(mapped.replace(".json", ".resources.json")))
            r, proof_s = run([lf, "equiv", net, mapped, "--time-limit", "1800"])
            verdict = r.stdout.splitlines()[0] if r.stdout else r.stderr.strip()
            row = {"slices": stats["cells"]["packed_dsp"], "dsps": res.get("dsps"),
                   "luts": res.get("luts"), "carry": res.get("carry_cells"),
                   "synth_s": round(synth_s, 1), "proof": verdict, "proof_s": round(proof_s, 1)}
            figures[tag] = row
            print(f"| w{w_bits}a{a_bits} | {'yes' if packing else 'no'} | {row['slices']} | "
                  f"{row['dsps']} | {row['luts']} | {row['carry']} | {row['synth_s']} | "
                  f"{verdict} | {row['proof_s']} |", flush=True)
    base = figures["w8a8"]["dsps"]
    for tag, row in figures.items():
        row["dsp_ratio_vs_w8a8"] = round(base / row["dsps"], 2) if row["dsps"] else None
    with open(os.path.join(out, "figures.json"), "w") as f:
        json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
