#!/usr/bin/env bash
# rtl_gen plus yosys `synth -lut 6` on a network of 500 neurons with 12-input tables (MNIST
# scale): 5 layers of 100 random 12-input LUTs over 256 inputs. Reports wall time and peak memory
# of each step (GNU time), and the LUT count after synthesis. rtl_gen writes the LUT6s it
# decomposed as lf_lut cells (--blackbox-luts), which `synth -lut 6` keeps as they are; lutforge
# equiv then proves yosys' JSON equivalent to the native netlist.
#   bench/bench_synth.sh BUILD_DIR OUT_DIR
# The figures are also written to OUT_DIR/figures.json, which `lutforge regress` reads.
set -euo pipefail
BUILD="$1"; OUT="$2"
LF="$BUILD/apps/lutforge"
mkdir -p "$OUT"
"$BUILD/bench/bench_gen" --inputs 256 --layers 5 --width 100 --k 12 --seed 7 -o "$OUT/neurons.json" >/dev/null
measure() {  # log name, label, command...
  local log="$1" label="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$OUT/$log.log" 2>&1
  read -r secs kb < "$OUT/time.txt"
  printf '%s\t%s\t%s\n' "$log" "$secs" "$kb" >> "$OUT/figures.tsv"
  printf "| %s | %.1f | %.0f |\n" "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
: > "$OUT/figures.tsv"
echo "| step | wall s | peak MB |"
echo "|---|---|---|"
measure rtl_gen "rtl_gen: decompose to LUT6, prove, write Verilog (--blackbox-luts)" "$LF" convert "$OUT/neurons.json" -o "$OUT/neurons.v" --blackbox-luts
measure yosys "yosys: synth -lut 6" yosys -q -p "read_verilog -icells $OUT/neurons.v; synth -lut 6 -top random_luts; write_json $OUT/neurons_synth.json"
measure equiv "lutforge equiv: native netlist against yosys' JSON" "$LF" equiv "$OUT/neurons.json" "$OUT/neurons_synth.json"
echo
echo "equiv: $(head -1 "$OUT/equiv.log")"
"$LF" stats "$OUT/neurons_synth.json" --json > "$OUT/stats.json"
python3 - "$OUT" "$(head -1 "$OUT/equiv.log" | awk '{print $1}')" <<'PY'
import json, sys
out, verdict = sys.argv[1], sys.argv[2]
figures = {"equiv_result": verdict}
for line in open(out + "/figures.tsv"):
    step, secs, kb = line.split()
    figures[step] = {"s": float(secs), "mb": int(kb) / 1024}
stats = json.load(open(out + "/stats.json"))
figures["luts_after_synth"] = stats["cells"]["lut"]
print(f"  {'lut':<14}{stats['cells']['lut']}")
print(f"  {'LUT6':<14}{stats['lut_sizes'].get('6', 0)}")
json.dump(figures, open(out + "/figures.json", "w"), indent=1)
PY
