#!/usr/bin/env bash
# Equivalence checking time of `lutforge equiv` against ABC's `cec` (yosys-abc) on the same pairs.
#   bench/bench_equiv.sh BUILD_DIR OUT_DIR [SIZES]
# SIZES are LUT6 counts of A (default "150 1500 15000"): A is a layered network of random LUT6s
# (native JSON), B is yosys `synth -flatten -lut 4` of A's Verilog (Yosys JSON), which has about
# seven times as many cells. Yosys writes both as AIGER for ABC. Only the two checkers are timed,
# each as a whole process from reading its files to its answer, one after the other on one core.
set -euo pipefail
BUILD="$1"; OUT="$2"; SIZES="${3:-150 1500 15000}"
LF="$BUILD/apps/lutforge"
ABC_TIMEOUT="${ABC_TIMEOUT:-3600}"
mkdir -p "$OUT"

timed() {  # log, command... -> prints "seconds peak_MB exit_code"
  local log="$1"; shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$log" 2>&1 || rc=$?
  read -r secs kb < <(tail -1 "$OUT/time.txt")
  echo "$secs $((kb / 1024)) $rc"
}

echo "| A: LUT6 | B: cells after synth -lut 4 | AIG ANDs A / B | lutforge equiv s | MB | ABC cec s | MB | ABC / lutforge | answers |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  d="$OUT/n$n"; mkdir -p "$d"
  width=$(( n < 1000 ? 15 : (n < 10000 ? 50 : 300) ))
  layers=$(( n / width ))
  inputs=$(( width < 64 ? 64 : 256 ))
  "$BUILD/bench/bench_gen" --inputs "$inputs" --layers "$layers" --width "$width" --k 6 --seed "$n" -o "$d/a.json" >/dev/null
  "$LF" convert "$d/a.json" -o "$d/a.v" --yosys-luts --no-check
  yosys -q -p "read_verilog -icells $d/a.v; synth -flatten -lut 4 -top random_luts; write_json $d/b.json" > "$d/synth.log" 2>&1
  yosys -q -p "read_verilog -icells $d/a.v; hierarchy -top random_luts; flatten; techmap; opt_clean; aigmap; write_aiger $d/a.aig; stat" > "$d/aig_a.log"
  yosys -q -p "read_json $d/b.json; hierarchy -top random_luts; techmap; opt_clean; aigmap; write_aiger $d/b.aig; stat" > "$d/aig_b.log"
  ands_a=$(yosys-abc -c "read $d/a.aig; print_stats" | grep -o 'and *= *[0-9]*' | grep -o '[0-9]*$')
  ands_b=$(yosys-abc -c "read $d/b.aig; print_stats" | grep -o 'and *= *[0-9]*' | grep -o '[0-9]*$')
  cells_b=$("$LF" stats "$d/b.json" --json | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["cells"].values()))')
  read -r lf_s lf_mb lf_rc < <(timed "$d/lutforge.log" "$LF" equiv "$d/a.json" "$d/b.json")
  read -r abc_s abc_mb abc_rc < <(timed "$d/abc.log" timeout "$ABC_TIMEOUT" yosys-abc -c "cec $d/a.aig $d/b.aig")
  lf_answer=$(head -1 "$d/lutforge.log" | awk '{print $1}')
  abc_answer=$(grep -o 'Networks are equivalent\|Networks are NOT EQUIVALENT\|are UNDECIDED' "$d/abc.log" | head -1 || true)
  [ "$abc_rc" = 124 ] && abc_answer="timeout after ${ABC_TIMEOUT} s"
  ratio=$(echo "scale=1; $abc_s / $lf_s" | bc -l)
  echo "| $n | $cells_b | $ands_a / $ands_b | $lf_s | $lf_mb | $abc_s | $abc_mb | ${ratio}× | lutforge: $lf_answer (exit $lf_rc); ABC: ${abc_answer:-see $d/abc.log} |"
done
