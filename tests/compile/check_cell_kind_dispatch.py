#!/usr/bin/env python3
"""Adding a cell kind must fail to compile wherever cells are dispatched by kind.

Compiles each file that dispatches on the kind of a cell again, with LUTFORGE_PROBE_NEW_CELL_KIND
defined (netlist/cells.hpp then adds a kind that no visitor handles), and expects every one to
fail in a std::visit. A file that includes cells.hpp but dispatches on no kind must still compile,
which shows that the probe itself is well formed.

usage: check_cell_kind_dispatch.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import re
import shlex
import subprocess
import sys

# Every file with a per-kind dispatch. A new dispatch site belongs in this list.
# Every file with a per-kind dispatch, and how many std::visit calls there must fail. A new dispatch
# site belongs in this table.
DISPATCHING = {
    "netlist/cells.cpp": 3,        # num_input_pins, num_output_bits, pin_name
    "netlist/netlist.cpp": 1,      # verify: the parameters of each kind
    "netlist/native_json.cpp": 2,  # writing and reading each kind's fields
    "netlist/eval.cpp": 1,         # compile: each kind's logic
    "rtl_gen/verilog.cpp": 1,      # write_verilog: each kind's Verilog
    "sim/power.cpp": 1,            # the power proxy's default weight of each kind
}
CONTROL = "netlist/levels.cpp"


def command_for(entries, source_dir, rel):
    path = os.path.realpath(os.path.join(source_dir, rel))
    for e in entries:
        if os.path.realpath(os.path.join(e["directory"], e["file"])) == path:
            args = shlex.split(e["command"]) if "command" in e else list(e["arguments"])
            out, skip = [], False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a == "-o":
                    skip = True
                    continue
                if a == "-c":
                    continue
                out.append(a)
            return e["directory"], out + ["-fsyntax-only", "-DLUTFORGE_PROBE_NEW_CELL_KIND"]
    return None, None


def main():
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = json.load(f)
    failures = []
    checked = 0
    for rel in list(DISPATCHING) + [CONTROL]:
        directory, cmd = command_for(entries, source_dir, rel)
        if cmd is None:
            if rel.startswith("sim/"):
                print(f"SKIP {rel}: not built (LUTFORGE_WITH_SYSTEMC=OFF)")
                continue
            failures.append(f"{rel}: not in compile_commands.json")
            continue
        r = subprocess.run(cmd, cwd=directory, capture_output=True, text=True)
        checked += 1
        if rel == CONTROL:
            if r.returncode != 0:
                failures.append(f"{rel}: the probe kind breaks a file without dispatch:\n{r.stderr[:2000]}")
            else:
                print(f"ok   {rel} compiles with the probe kind (no dispatch)")
            continue
        if r.returncode == 0:
            failures.append(f"{rel}: compiled with an unhandled cell kind; a dispatch there is not exhaustive")
        else:
            # GCC names the line of each failing std::visit call with "required from here".
            name = re.escape(os.path.basename(rel))
            sites = sorted({int(l) for l in re.findall(name + r":(\d+):\d+:\s+required from here", r.stderr)})
            if len(sites) != DISPATCHING[rel]:
                failures.append(f"{rel}: {len(sites)} failing dispatch sites (lines {sites}), expected "
                                f"{DISPATCHING[rel]}:\n{r.stderr[:2000]}")
            else:
                print(f"ok   {rel} fails to compile at each of its {len(sites)} dispatches (lines {sites})")
    for f in failures:
        print("FAIL " + f)
    print(f"checked {checked} files, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
