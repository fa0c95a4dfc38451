#!/usr/bin/env bash
# The mission's main job, as a regression suite (regress/suites/demo.toml): a small network trained
# on bundled synthetic images, lowered, written as Verilog, synthesized by Yosys, proved equivalent
# to its netlist, simulated clock by clock in SystemC with its latency, throughput and energy, and
# replayed in iverilog; beside it, a hand-written Verilog design through the same checks. Ends with
# the summary and the path of the HTML report. A second run reuses every step whose inputs have
# not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
scripts/install-deps.sh
scripts/build.sh >/dev/null
BUILD="$ROOT/${LUTFORGE_BUILD_DIR:-build}"
LF="$BUILD/apps/lutforge"
RUN="${1:-$BUILD/demo}"

echo "== demo data: 4x4 images in four classes (regress/suites/demo/make_data.py)"
python3 regress/suites/demo/make_data.py regress/suites/demo/data

echo "== lutforge regress regress/suites/demo.toml -o $RUN"
status=0
"$LF" regress regress/suites/demo.toml -o "$RUN" || status=$?
echo
cat "$RUN/summary.md"
echo
echo "demo: HTML report: $RUN/report.html (JUnit: $RUN/junit.xml; every step's files: $RUN/cases/)"
exit $status
