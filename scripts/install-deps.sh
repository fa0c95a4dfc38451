#!/usr/bin/env bash
# Installs every Debian package lutforge needs. Does nothing when all are present.
set -euo pipefail

PACKAGES=(
  cmake g++ ninja-build pkg-config clang
  libboost-graph-dev libboost-program-options-dev
  nlohmann-json3-dev libsimdjson-dev
  libcadical-dev
  libsystemc-dev
  libtorch-dev libopenblas0-pthread libtomlplusplus-dev
  catch2
  yosys iverilog verilator
  zlib1g-dev bc time
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
