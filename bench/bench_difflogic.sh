#!/usr/bin/env bash
# Training speed of the difflogic family against difflogic's own Python implementation on CPU,
# side by side on the same shape: NEURONS gates x LAYERS layers over 784 binary inputs, GroupSum
# of 10 classes, batch 100, Adam; 1 thread and then every core on both sides.
#   bench/bench_difflogic.sh BUILD_DIR DIFFLOGIC_SOURCE [NEURONS] [LAYERS] [OUT_DIR]
# DIFFLOGIC_SOURCE is a checkout of the public difflogic repository; it is only run, never copied.
# Work files go to OUT_DIR (default BUILD_DIR/bench-out/difflogic), with the figures in
# OUT_DIR/figures.json, which `lutforge regress` reads.
# Installs python3-torch (Debian) for the reference when it is missing.
set -euo pipefail
BUILD="$1"
SOURCE="$2"
NEURONS="${3:-8000}"
LAYERS="${4:-6}"
# Debian's Python, which python3-torch installs into (another python3 may come first in PATH).
PY=/usr/bin/python3
"$PY" -c "import torch" 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch >/dev/null
OUT="${5:-$BUILD/bench-out/difflogic}"
mkdir -p "$OUT"
[ -d "$SOURCE/difflogic" ] || { echo "bench_difflogic: $SOURCE is not a difflogic checkout (no difflogic/ in it)" >&2; exit 2; }
echo "{" > "$OUT/figures.json"
layers=$(python3 -c "print(', '.join(['$NEURONS'] * $LAYERS))")
echo "| threads | lutforge ms/step | difflogic (Python, CPU) ms/step | ratio |"
echo "|---|---|---|---|"
for threads in 1 "$(nproc)"; do
  cat > "$OUT/step.toml" <<TOML
[data]
dataset = "mnist"
path = "unused"
[model]
family = "difflogic"
layers = [$layers]
classes = 10
tau = 10.0
input_bits = 1
parametrization = "classic"
[train]
batch_size = 100
learning_rate = 0.01
threads = $threads
TOML
  ours=$("$BUILD/bench/bench_train_step" "$OUT/step.toml" --features 784 --steps 10 | awk '{print $1}')
  theirs=$("$PY" "$(dirname "$0")/difflogic_step.py" "$SOURCE" --neurons "$NEURONS" \
             --layers "$LAYERS" --threads "$threads" --steps 5 | tail -1 | awk '{print $1}')
  ratio=$(python3 -c "print('%.1fx' % ($theirs / $ours))")
  echo "| $threads | $ours | $theirs | $ratio |"
  if [ -z "${first_done:-}" ]; then key=threads_1; first_done=1; else key=threads_all; echo "," >> "$OUT/figures.json"; fi
  echo "\"$key\": {\"threads\": $threads, \"lutforge_ms_per_step\": $ours, \"difflogic_ms_per_step\": $theirs, \"ratio\": $(python3 -c "print($theirs / $ours)")}" >> "$OUT/figures.json"
done
echo "}" >> "$OUT/figures.json"
