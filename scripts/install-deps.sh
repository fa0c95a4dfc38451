#!/usr/bin/env bash
# Installs every Debian package lutforge needs. Does nothing when all are present.
set -euo pipefail

PACKAGES=(
  cmake g++ ninja-build pkg-config clang clang-format
  libboost-graph-dev libboost-program-options-dev
  nlohmann-json3-dev coinor-libcbc-dev
  libcadical-dev
  libsystemc-dev
  libtorch-dev libopenblas0-pthread libtomlplusplus-dev
  catch2
  yosys iverilog verilator
  zlib1g-dev bc time python3 chromium
  libsqlite3-dev slurmctld slurmd slurm-client munge
  gnuplot-nox nextpnr-ice40
)

# LibTorch calls the system BLAS; the reference BLAS makes every matmul about 25x slower than
# OpenBLAS. Select OpenBLAS (pthread build) whenever both are installed.
select_openblas() {
  local arch dir
  arch="$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"
  dir="/usr/lib/$arch/openblas-pthread"
  for lib in libblas.so.3 liblapack.so.3; do
    if [ -e "$dir/$lib" ] && [ "$(readlink -f "/usr/lib/$arch/$lib")" != "$(readlink -f "$dir/$lib")" ]; then
      ${SUDO:-} update-alternatives --set "$lib-$arch" "$dir/$lib" >/dev/null
    fi
  done
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
select_openblas
