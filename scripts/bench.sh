#!/usr/bin/env bash
# Reruns the benchmarks against the peer tools and prints the tables with the commands used.
#   scripts/bench.sh [eval] [equiv] [synth] [sim] [cli]     (default: all five)
#     eval   evaluator throughput against Verilator (foundation issue)
#     equiv  lutforge equiv against ABC cec at 1k, 10k and 100k cells (RTL/equivalence issue)
#     synth  rtl_gen plus yosys synth -lut 6 on 500 twelve-input neurons (RTL/equivalence issue)
#     sim    clocked simulation, SystemC and batch engines against Verilator (SystemC issue)
#     cli    the command as a user runs it: start-up, reading Yosys JSON against Yosys, and
#            lutforge sim end to end against Verilator (house issue)
# Work files go to build/bench-out/. Each benchmark runs the peer tool and lutforge in one run,
# single-threaded, on the same design and inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
BUILD="${LUTFORGE_BUILD_DIR:-build}"
OUT="$BUILD/bench-out"
mkdir -p "$OUT"
WHICH=("$@")
[ ${#WHICH[@]} -eq 0 ] && WHICH=(eval equiv synth sim cli)
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for b in "${WHICH[@]}"; do
  case "$b" in
    eval)
      CMD="$BUILD/bench/bench_eval --out $OUT/eval"
      echo "## Evaluator throughput against Verilator $(verilator --version | awk '{print $2}')"
      echo; echo "command: \`$CMD\` on $machine"; echo
      $CMD 2> "$OUT/eval.log" ;;
    equiv)
      CMD="bench/bench_equiv.sh $BUILD $OUT/equiv"
      echo "## lutforge equiv against ABC cec"
      echo; echo "command: \`$CMD\` on $machine"; echo
      $CMD ;;
    synth)
      CMD="bench/bench_synth.sh $BUILD $OUT/synth"
      echo "## rtl_gen plus yosys synth -lut 6 on 500 neurons with 12-input tables"
      echo; echo "command: \`$CMD\` on $machine"; echo
      $CMD ;;
    sim)
      echo "## Clocked simulation against Verilator $(verilator --version | awk '{print $2}')"
      echo; echo "on $machine"; echo
      echo "| design | samples | Verilator samples/s | SystemC engine samples/s | batch engine samples/s | SystemC / Verilator | batch / Verilator | outputs agree | Verilator build s |"
      echo "|---|---|---|---|---|---|---|---|---|"
      for size in "500 10" "2500 10"; do
        set -- $size
        CMD="$BUILD/bench/bench_sim --out $OUT/sim-$1x$2 --width $1 --layers $2 --samples 400000 --words 128"
        $CMD 2> "$OUT/sim-$1x$2.log"
        echo "command: \`$CMD\`" >&2
      done ;;
    cli)
      CMD="bench/bench_cli.py $BUILD $OUT/cli"
      echo "## The command line as a user runs it"
      echo; echo "command: \`$CMD\` on $machine"; echo
      $CMD ;;
    *) echo "unknown benchmark '$b' (expected eval, equiv, synth, sim or cli)" >&2; exit 2 ;;
  esac
  echo
done
