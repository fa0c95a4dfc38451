#!/usr/bin/env bash
# Reruns the benchmarks against the peer tools and prints the tables with the commands used.
#   scripts/bench.sh            evaluator throughput against Verilator (issue: foundation)
# Work files go to build/bench-out/. Each benchmark runs the peer tool and lutforge in one run,
# single-threaded, on the same design and vectors.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
OUT="${LUTFORGE_BUILD_DIR:-build}/bench-out"
mkdir -p "$OUT"
CMD="${LUTFORGE_BUILD_DIR:-build}/bench/bench_eval --out $OUT/eval"
echo "## Evaluator throughput against Verilator $(verilator --version | awk '{print $2}')"
echo
echo "command: \`$CMD\` on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
$CMD 2> "$OUT/eval.log"
