#!/usr/bin/env bash
# The main job on the bundled design: synthesize with Yosys, read the JSON, print its statistics,
# simulate it on random vectors with lutforge, and check the same vectors against iverilog
# running the original Verilog through a generated self-checking testbench.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
scripts/install-deps.sh
scripts/build.sh >/dev/null
LF="$ROOT/${LUTFORGE_BUILD_DIR:-build}/apps/lutforge"
DESIGN="${1:-$ROOT/examples/demo/bnn_layer.v}"
TOP="${2:-bnn_layer}"
VECTORS="${VECTORS:-1000}"
OUT="$ROOT/${LUTFORGE_BUILD_DIR:-build}/demo"
rm -rf "$OUT" && mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }

step "1/5 yosys: synth -flatten -lut 6 -top $TOP ($DESIGN)"
yosys -q -l "$OUT/yosys.log" -p "read_verilog $DESIGN; synth -flatten -lut 6 -top $TOP; write_json $OUT/design.json"
echo "wrote $OUT/design.json"

step "2/5 lutforge stats"
"$LF" stats "$OUT/design.json"

step "3/5 lutforge sim: $VECTORS cycles of random inputs"
"$LF" sim "$OUT/design.json" --random "$VECTORS" --seed 1 --inputs-out "$OUT/inputs.csv" -o "$OUT/outputs.csv"
echo "wrote $OUT/inputs.csv and $OUT/outputs.csv"
head -4 "$OUT/outputs.csv"

step "4/5 lutforge testbench: lutforge's outputs become the expected values"
"$LF" testbench "$OUT/design.json" --vectors "$OUT/inputs.csv" --expected "$OUT/outputs.csv" -o "$OUT/tb"

step "5/5 iverilog: the original Verilog against lutforge's outputs"
cd "$OUT/tb"
iverilog -g2012 -o tb.vvp tb.v "$DESIGN"
vvp -n tb.vvp | tee "$OUT/iverilog.log"
grep -q '^PASS' "$OUT/iverilog.log"
echo
echo "demo: lutforge and iverilog agree on every output bit of every cycle"
