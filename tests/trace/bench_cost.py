#!/usr/bin/env python3
"""What schedule tracing costs: the benchmark built without and with
KT_TRACE=1, workload by workload.

    bench_cost.py --machine mps2-an385 --off build/mps2-an385/bench.elf \
        --on build/mps2-an385-trace/bench.elf [--out cost.txt]

Both images run under QEMU with -icount (tests/qemu/bench.py's run(), so
the numbers are instructions, net of the empty loop, and each image runs
twice and must agree with itself).  The traced image records into a ring
of 1024 records with board_cycles() as the clock from its first line on
(apps/bench/main.c), so every switch, wake and interrupt in a workload
pays for its record.  Prints the instruction workloads side by side and
the difference, and first the number that matters most: what a task
switch (the yield workload: one switch per yield) costs more.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
import bench  # noqa: E402  tests/qemu/bench.py


def numbers(machine, elf):
    first = bench.run(machine, elf, 120)
    second = bench.run(machine, elf, 120)
    if first != second:
        sys.exit("bench_cost: two runs of %s disagree" % elf)
    return {name: float(value) for name, value, unit in first if unit == "instr"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--off", required=True, help="the bench without tracing")
    ap.add_argument("--on", required=True, help="the bench with KT_TRACE=1")
    ap.add_argument("--out", help="also write the table here")
    a = ap.parse_args()
    off = numbers(a.machine, a.off)
    on = numbers(a.machine, a.on)
    if "yield" not in off or "yield" not in on:
        sys.exit("bench_cost: no yield workload in the bench's output")
    lines = ["tracing on (KT_TRACE=1, recording): a task switch costs %+.0f "
             "instructions (yield: %.0f -> %.0f)"
             % (on["yield"] - off["yield"], off["yield"], on["yield"]),
             "%-28s %10s %10s %10s" % ("workload", "off", "on", "cost"),
             "%-28s %10s %10s %10s" % ("-" * 28, "-" * 10, "-" * 10, "-" * 10)]
    for name, v in off.items():
        if name in on and name != "empty-loop":
            lines.append("%-28s %10.2f %10.2f %+10.2f" % (name, v, on[name],
                                                        on[name] - v))
    lines.append("(%s, qemu -icount shift=3: instructions per operation; "
                 "two runs of each identical)" % a.machine)
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
