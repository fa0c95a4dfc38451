#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${LUTFORGE_BUILD_DIR:-build}"
ctest --output-on-failure -j "$(nproc)" "$@"
