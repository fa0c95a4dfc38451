#!/usr/bin/env bash
# rtl_gen plus yosys `synth -lut 6` on a network of 500 neurons with 12-input tables (MNIST
# scale): 5 layers of 100 random 12-input LUTs over 256 inputs. Reports wall time and peak memory
# of each step (GNU time), and the LUT count after synthesis. rtl_gen writes the LUT6s it
# decomposed as lf_lut cells (--blackbox-luts), which `synth -lut 6` keeps as they are; lutforge
# equiv then proves yosys' JSON equivalent to the native netlist.
#   bench/bench_synth.sh BUILD_DIR OUT_DIR
set -euo pipefail
BUILD="$1"; OUT="$2"
LF="$BUILD/apps/lutforge"
mkdir -p "$OUT"
"$BUILD/bench/bench_gen" --inputs 256 --layers 5 --width 100 --k 12 --seed 7 -o "$OUT/neurons.json" >/dev/null
measure() {  # log name, label, command...
  local log="$1" label="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$OUT/$log.log" 2>&1
  read -r secs kb < "$OUT/time.txt"
  printf "| %s | %.1f | %.0f |\n" "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
echo "| step | wall s | peak MB |"
echo "|---|---|---|"
measure rtl_gen "rtl_gen: decompose to LUT6, prove, write Verilog (--blackbox-luts)" "$LF" convert "$OUT/neurons.json" -o "$OUT/neurons.v" --blackbox-luts
measure yosys "yosys: synth -lut 6" yosys -q -p "read_verilog -icells $OUT/neurons.v; synth -lut 6 -top random_luts; write_json $OUT/neurons_synth.json"
measure equiv "lutforge equiv: native netlist against yosys' JSON" "$LF" equiv "$OUT/neurons.json" "$OUT/neurons_synth.json"
echo
echo "equiv: $(head -1 "$OUT/equiv.log")"
"$LF" stats "$OUT/neurons_synth.json" | grep -E "^  lut|LUT6"
