#!/usr/bin/env bash
# Trains the benchmark configurations and takes each trained model through the hardware flow:
#   lutforge train     the model file, test accuracy, training time, export time
#   lutforge lower     the lowered LUT cells; with --register-layers, the pipeline depth
#   convert + yosys    rtl_gen's Verilog (--blackbox-luts) through `synth -lut 6`: the LUT count
#   lutforge equiv     Yosys' JSON proved equivalent to the lowered netlist
#   encode + sim       the synthesized netlist on the whole test set must predict every sample as
#                      models/ does (the trainer has checked models/ against LibTorch on each)
# and prints one Markdown row per configuration.
#   scripts/bench-train.sh [CONFIG.toml ...]     (default: every configs/*.toml)
# Work files go to build/bench-out/train/NAME/. A model trained there from an unchanged
# configuration is reused, and an interrupted training resumes from its last epoch; delete the
# directory to train again. Needs the datasets (scripts/fetch-datasets.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${LUTFORGE_BUILD_DIR:-build}"
LF="$BUILD/apps/lutforge"
OUT="$BUILD/bench-out/train"
mkdir -p "$OUT"
CONFIGS=("$@")
[ ${#CONFIGS[@]} -eq 0 ] && CONFIGS=(configs/*.toml)
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

json() {  # file, python expression over the parsed JSON `j`
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}
toml() {  # file, python expression over the parsed TOML `t`
  python3 -c "import tomllib,sys; t=tomllib.load(open(sys.argv[1],'rb')); print($2)" "$1"
}
stat_of() {  # netlist, python expression over `lutforge stats --json` as `j`
  "$LF" stats "$1" --json | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
}
same_predictions() {  # reference CSV, simulated CSV
  python3 -c "
import csv, sys
ref = [r['prediction'] for r in csv.DictReader(open(sys.argv[1]))]
hw = [r['prediction'] for r in csv.DictReader(open(sys.argv[2]))]
print('yes, %d samples' % len(hw) if ref == hw else 'NO')" "$1" "$2"
}

echo "on $machine"
echo
echo "| configuration | family | dataset | epochs | test accuracy | lowered LUT cells | LUTs after synth -lut 6 | pipeline stages | training s | export s | equiv | hardware = models/ |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for cfg in "${CONFIGS[@]}"; do
  name="$(basename "$cfg" .toml)"
  dir="$OUT/$name"
  mkdir -p "$dir"
  if [ -s "$dir/train.json" ] && cmp -s "$cfg" "$dir/config.toml"; then
    echo "== $name: reusing the model trained in $dir" >&2
  else
    echo "== $name: training (log: $dir/train.log)" >&2
    resume=()
    if [ -s "$dir/model.ckpt" ] && cmp -s "$cfg" "$dir/checkpoint-config.toml"; then resume=(--resume); fi
    rm -f "$dir/train.json" "$dir/config.toml"
    cp "$cfg" "$dir/checkpoint-config.toml"
    "$LF" train "$cfg" -o "$dir/model.lfm.json" --checkpoint "$dir/model.ckpt" --report "$dir/train.json" \
      "${resume[@]}" 2>> "$dir/train.log"
    cp "$cfg" "$dir/config.toml"
    tail -n 1 "$dir/train.log" >&2
  fi
  family="$(json "$dir/model.lfm.json" "j['family']")"
  dataset="$(json "$dir/train.json" "j['dataset']")"
  accuracy="$(json "$dir/train.json" "'%.2f%%' % (100 * j['test_accuracy'])")"
  train_s="$(json "$dir/train.json" "'%.0f' % j['train_seconds']")"
  export_s="$(json "$dir/train.json" "'%.2f' % j['export_seconds']")"
  data="$(toml "$cfg" "t['data']['path']")"
  epochs="$(toml "$cfg" "t['train'].get('epochs', 'default')")"

  echo "== $name: lowering, synthesis, proof and simulation" >&2
  "$LF" lower "$dir/model.lfm.json" -o "$dir/lowered.json"
  "$LF" lower "$dir/model.lfm.json" -o "$dir/lowered-registered.json" --register-layers
  lut_cells="$(stat_of "$dir/lowered.json" "j['cells']['lut']")"
  stages="$(stat_of "$dir/lowered-registered.json" "j['pipeline_stages']")"
  top="$(json "$dir/lowered.json" "j['design']")"
  "$LF" convert "$dir/lowered.json" -o "$dir/model.v" --blackbox-luts
  yosys -q -l "$dir/yosys.log" -p "read_verilog -icells $dir/model.v; synth -lut 6 -top $top; write_json $dir/synth.json"
  luts="$(stat_of "$dir/synth.json" "j['cells']['lut']")"
  "$LF" equiv "$dir/lowered.json" "$dir/synth.json" > "$dir/equiv.txt" || true
  equiv="$(head -n 1 "$dir/equiv.txt" | awk '{print $1}')"
  "$LF" encode "$dir/model.lfm.json" --mnist "$data" -o "$dir/x.csv" --reference-out "$dir/reference.csv"
  "$LF" sim "$dir/synth.json" --vectors "$dir/x.csv" -o "$dir/hw.csv"
  agree="$(same_predictions "$dir/reference.csv" "$dir/hw.csv")"
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$name" "$family" "$dataset" "$epochs" "$accuracy" \
    "$lut_cells" "$luts" "$stages" "$train_s" "$export_s" "$equiv" "$agree"
done
