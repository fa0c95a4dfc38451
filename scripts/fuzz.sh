#!/usr/bin/env bash
# Fuzzes the Yosys JSON reader with libFuzzer under ASan and UBSan for a bounded time.
#   scripts/fuzz.sh [SECONDS] [FIGURES_JSON]   (default 300 s; no figures file)
# FIGURES_JSON receives libFuzzer's final statistics and the result, for `lutforge regress`.
# The seed corpus is the JSON that yosys writes for small designs in every supported flow.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-300}"
FIGURES="${2:-}"
scripts/install-deps.sh
BUILD=build-fuzz
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLUTFORGE_BUILD_FUZZERS=ON -DLUTFORGE_BUILD_TESTS=OFF -DLUTFORGE_WITH_TORCH=OFF -DLUTFORGE_WITH_SYSTEMC=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
fi
cmake --build "$BUILD" --target fuzz_yosys_json -j "$(nproc)"

CORPUS="$BUILD/corpus"
mkdir -p "$CORPUS"
if [ -z "$(ls -A "$CORPUS")" ]; then
  cat > "$BUILD/seed.v" <<'V'
module seed(input clk, input rst, input en, input [3:0] a, input [3:0] b, output reg [4:0] s = 5'd3, output y, output [7:0] m);
  always @(posedge clk) if (rst) s <= 5'd0; else if (en) s <= a + b;
  assign y = ^a & |b;
  assign m = a * b;
endmodule
V
  i=0
  for flow in "synth -lut 4" "synth -lut 6" "synth" "synth_xilinx -nosrl" "synth_ice40"; do
    # synth_xilinx also writes its cell library as blackboxes; they only slow the fuzzer down.
    yosys -q -p "read_verilog $BUILD/seed.v; $flow -flatten -top seed; delete =A:blackbox; write_json $CORPUS/seed$i.json"
    i=$((i + 1))
  done
fi
mkdir -p "$BUILD/artifacts"
"$BUILD/fuzz/fuzz_yosys_json" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=4096 \
  -artifact_prefix="$BUILD/artifacts/" -print_final_stats=1 "$CORPUS" 2>&1 | tee "$BUILD/fuzz.log" | grep -E "^#[0-9]+ +(pulse|DONE)|stat::|ERROR|SUMMARY" || true
failed=0
grep -q -E "ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error" "$BUILD/fuzz.log" && failed=1
if [ -n "$FIGURES" ]; then  # stat::number_of_executed_units: 686976, ... and the result
  python3 - "$BUILD/fuzz.log" "$FIGURES" "$SECONDS_TO_RUN" "$failed" <<'PY'
import json, re, sys
log, out, secs, failed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
figures = {"seconds": secs, "failures": int(failed)}
for m in re.finditer(r"^stat::(\w+):\s*(\d+)", open(log, errors="replace").read(), re.M):
    figures[m.group(1)] = int(m.group(2))
json.dump(figures, open(out, "w"), indent=1)
PY
fi
if [ "$failed" = 1 ]; then
  echo "fuzz: a failure was found; see $BUILD/fuzz.log and $BUILD/artifacts/"
  exit 1
fi
echo "fuzz: no failure in ${SECONDS_TO_RUN} s"
