#!/usr/bin/env python3
"""make trace, end to end: tools/trace_demo.py on the traced demo.

    test_demo.py --machine mps2-an385 --elf build/mps2-an385-trace/demo.elf \
        --out build/mps2-an385-trace/trace-test

Runs the same session `make trace` runs (boot, heartbeats, a typed line,
"trace", "exit") and checks what it wrote: a whole dump in OUT.txt that
trace2view converts without a warning; in it the echo task woken by the
UART's receive interrupt (named from the vector table) once per key at
least, with an arrow for each in the JSON (a flow from the uart0_rx track
to the echo track) and in the SVG; every task of the demo has a lane.
Ends with "trace-demo: N passed, N failed".
"""

import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import trace2view as tv  # noqa: E402

LINE = "hello kettle"
TASKS = ["heartbeat", "worker-a", "worker-b", "echo"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    passed = failed = 0

    def check(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s%s" % (what, (": " + detail) if detail else ""))

    p = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "trace_demo.py"),
                        "--machine", a.machine, "--elf", a.elf, "--out", a.out,
                        "--line", LINE], capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0, "trace_demo.py ran", p.stdout + p.stderr)
    check(all("trace: %s%s" % (a.out, ext) in p.stdout
              for ext in (".txt", ".json", ".svg")), "it printed the paths",
          p.stdout)
    if p.returncode != 0:
        print("trace-demo: %d passed, %d failed" % (passed, failed))
        return 1

    with open(a.out + ".txt", errors="replace") as fh:
        dump = tv.parse_dump(fh.read().splitlines())
    tr = tv.decode(dump, tv.elf_irq_names(a.elf))
    check(dump.ended and tr.warnings == [], "a whole dump, no warnings",
          "; ".join(tr.warnings))
    lanes = [l.name for l in tr.lane_order()]
    check(all(t in lanes for t in TASKS), "every task has a lane", repr(lanes))
    keys = [e for e in tr.events if e.tuple() == ("wake", "echo", "by irq uart0_rx")]
    # "trace" and its Enter at least are in the ring, however much of the
    # typed line the ring kept.
    check(len(keys) >= len("trace") + 1, "echo woken by uart0_rx per key",
          "%d wakes" % len(keys))

    with open(a.out + ".json") as fh:
        chrome = json.load(fh)
    ev = chrome["traceEvents"]
    tids = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev
            if e["ph"] == "M" and e["name"] == "thread_name"}
    starts = {e["id"]: tids[(e["pid"], e["tid"])] for e in ev if e["ph"] == "s"}
    ends = {e["id"]: tids[(e["pid"], e["tid"])] for e in ev if e["ph"] == "f"}
    uart_flows = [k for k in starts if starts[k] == "uart0_rx" and ends.get(k) == "echo"]
    check(len(uart_flows) == len(keys), "a JSON flow per UART wake",
          "%d flows, %d wakes" % (len(uart_flows), len(keys)))

    root = ET.parse(a.out + ".svg").getroot()
    arrows = [e for e in root.iter() if e.get("class") == "wake"
              and e.get("data-from") == "uart0_rx" and e.get("data-to") == "echo"]
    check(len(arrows) == len(keys), "an SVG arrow per UART wake",
          "%d arrows" % len(arrows))
    check(any(e.get("class") == "cut" for e in root.iter()),
          "quiet stretches cut short")
    print("trace-demo: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
