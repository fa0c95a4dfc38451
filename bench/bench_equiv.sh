#!/usr/bin/env bash
# Equivalence checking time of `lutforge equiv` against ABC (yosys-abc) on the same pairs: `cec`,
# and the stronger `&cec` (the AIG-package checker with its own SAT sweeping) and `dcec`.
#   bench/bench_equiv.sh BUILD_DIR OUT_DIR [SIZES]
# SIZES are LUT6 counts of A (default "150 1500 15000"): A is a layered network of random LUT6s
# (native JSON), B is yosys `synth -flatten -lut 4` of A's Verilog (Yosys JSON), which has about
# seven times as many cells. Yosys writes both as AIGER for ABC. Only the two checkers are timed,
# each as a whole process from reading its files to its answer, one after the other on one core.
# The figures are also written to OUT_DIR/figures.json (per size: the times, the answers and the
# ratio of the best ABC command to lutforge), which `lutforge regress` reads.
set -euo pipefail
BUILD="$1"; OUT="$2"; SIZES="${3:-150 1500 15000}"
LF="$BUILD/apps/lutforge"
ABC_TIMEOUT="${ABC_TIMEOUT:-3600}"
mkdir -p "$OUT"
: > "$OUT/figures.tsv"

timed() {  # log, command... -> prints "seconds peak_MB exit_code"
  local log="$1"; shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$log" 2>&1 || rc=$?
  read -r secs kb < <(tail -1 "$OUT/time.txt")
  echo "$secs $((kb / 1024)) $rc"
}

echo "| A: LUT6 | B: cells after synth -lut 4 | AIG ANDs A / B | lutforge equiv s | MB | ABC cec s | MB | ABC &cec s | MB | ABC dcec s | MB | best ABC / lutforge | answers |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  d="$OUT/n$n"; mkdir -p "$d"
  width=$(( n < 1000 ? 15 : (n < 10000 ? 50 : 300) ))
  layers=$(( n / width ))
  inputs=$(( width < 64 ? 64 : 256 ))
  # A pair already in OUT (from an earlier run with the same SIZES) is reused: generating and
  # synthesizing the largest takes longer than checking it.
  if [ ! -s "$d/a.aig" ] || [ ! -s "$d/b.aig" ] || [ ! -s "$d/b.json" ]; then
    "$BUILD/bench/bench_gen" --inputs "$inputs" --layers "$layers" --width "$width" --k 6 --seed "$n" -o "$d/a.json" >/dev/null
    "$LF" convert "$d/a.json" -o "$d/a.v" --yosys-luts --no-check
    yosys -q -p "read_verilog -icells $d/a.v; synth -flatten -lut 4 -top random_luts; write_json $d/b.json" > "$d/synth.log" 2>&1
    yosys -q -p "read_verilog -icells $d/a.v; hierarchy -top random_luts; flatten; techmap; opt_clean; aigmap; write_aiger $d/a.aig; stat" > "$d/aig_a.log"
    yosys -q -p "read_json $d/b.json; hierarchy -top random_luts; techmap; opt_clean; aigmap; write_aiger $d/b.aig; stat" > "$d/aig_b.log"
  fi
  ands_a=$(yosys-abc -c "read $d/a.aig; print_stats" | grep -o 'and *= *[0-9]*' | grep -o '[0-9]*$')
  ands_b=$(yosys-abc -c "read $d/b.aig; print_stats" | grep -o 'and *= *[0-9]*' | grep -o '[0-9]*$')
  cells_b=$("$LF" stats "$d/b.json" --json | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["cells"].values()))')
  read -r lf_s lf_mb lf_rc < <(timed "$d/lutforge.log" "$LF" equiv "$d/a.json" "$d/b.json")
  answers="lutforge: $(head -1 "$d/lutforge.log" | awk '{print $1}') (exit $lf_rc)"
  row=""; best=""; abc_times=""
  for cmd in "cec $d/a.aig $d/b.aig" "&r $d/a.aig; &cec $d/b.aig" "dcec $d/a.aig $d/b.aig"; do
    name=$(echo "$cmd" | grep -o '&cec\|dcec\|^cec')
    log="$d/abc_$(echo "$name" | sed 's/&/gia_/').log"  # &cec: ABC's new AIG package (Gia)
    read -r abc_s abc_mb abc_rc < <(timed "$log" timeout "$ABC_TIMEOUT" yosys-abc -c "$cmd")
    answer=$(grep -o 'Networks are equivalent\|Networks are NOT EQUIVALENT\|are UNDECIDED' "$log" | head -1 || true)
    abc_times="$abc_times $name=$([ "$abc_rc" = 124 ] && echo timeout || echo "$abc_s")"
    if [ "$abc_rc" = 124 ]; then
      answer="timeout after ${ABC_TIMEOUT} s"; row="$row | > $ABC_TIMEOUT | $abc_mb"
    else
      row="$row | $abc_s | $abc_mb"
      if [ -z "$best" ] || [ "$(echo "$abc_s < $best" | bc -l)" = 1 ]; then best=$abc_s; fi
    fi
    answers="$answers; $name: ${answer:-see $log}"
  done
  if [ -n "$best" ]; then ratio="$(echo "scale=1; $best / $lf_s" | bc -l)×"; else ratio="> $(echo "scale=0; $ABC_TIMEOUT / $lf_s" | bc -l)×"; fi
  echo "| $n | $cells_b | $ands_a / $ands_b | $lf_s | $lf_mb$row | $ratio | $answers |"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$lf_s" "$(head -1 "$d/lutforge.log" | awk '{print $1}')" \
    "$best" "$ABC_TIMEOUT" "$abc_times" >> "$OUT/figures.tsv"
done
python3 - "$OUT/figures.tsv" "$OUT/figures.json" <<'PY'
import json, sys
figures = {}
for line in open(sys.argv[1]):
    n, lf_s, answer, best, limit, abc = line.rstrip("\n").split("\t")
    row = {"lutforge_s": float(lf_s), "lutforge_answer": answer}
    for item in abc.split():
        name, secs = item.split("=")
        row["abc_" + name.replace("&", "gia_") + "_s"] = None if secs == "timeout" else float(secs)
    # With every ABC command out of time, the ratio is a lower bound: the limit over lutforge's time.
    row["best_abc_over_lutforge"] = (float(best) if best else float(limit)) / max(float(lf_s), 0.01)
    row["abc_all_timed_out"] = not best
    figures["n" + n] = row
json.dump(figures, open(sys.argv[2], "w"), indent=1)
PY
