#!/usr/bin/env python3
"""Instruction profile of a firmware image under QEMU: which functions ran
how many instructions, per phase.

QEMU runs the image one instruction per translation block (-singlestep)
with every block logged (-d exec,nochain), so each log line is one
executed instruction; its PC is mapped to the function holding it (the
ELF's symbol table, through arm-none-eabi-nm).  A phase ends at each
entry into the --split function (e.g. the bench's report()), so the
bench's workloads come out one by one.  For looking at a hot path, not
for numbers to quote: make bench's counts are the measure.

  tools/iprof.py --machine mps2-an385 --split report build/prof/bench.elf
"""
import argparse
import bisect
import collections
import re
import subprocess
import sys
import tempfile


def symbols(elf):
    out = subprocess.run(["arm-none-eabi-nm", "-S", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 4 and p[2] in "tTwW":
            syms.append((int(p[0], 16) & ~1, int(p[1], 16), p[3]))
    syms.sort()
    return syms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True)
    ap.add_argument("--split", default="report")
    ap.add_argument("--top", type=int, default=14)
    ap.add_argument("--div", type=float, default=1.0,
                    help="divide counts by this (the loop's iterations)")
    ap.add_argument("elf")
    a = ap.parse_args()
    syms = symbols(a.elf)
    starts = [s[0] for s in syms]
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        subprocess.run(["qemu-system-arm", "-M", a.machine, "-kernel", a.elf,
                        "-display", "none", "-serial", "null", "-singlestep",
                        "-semihosting-config", "enable=on,target=native",
                        "-d", "exec,nochain", "-D", log.name],
                       stdin=subprocess.DEVNULL, timeout=600)
        pc_re = re.compile(rb"/([0-9a-f]{8})/")
        phase = collections.Counter()
        n = 0
        prev = None
        with open(log.name, "rb") as f:
            for line in f:
                m = pc_re.search(line)
                if not m:
                    continue
                pc = int(m.group(1), 16)
                i = bisect.bisect_right(starts, pc) - 1
                name = syms[i][2] if i >= 0 and pc < syms[i][0] + max(syms[i][1], 2) else "?"
                if name == a.split and prev != a.split:
                    total = sum(phase.values())
                    print("phase %d: %.2f instructions" % (n, total / a.div))
                    for fn, c in phase.most_common(a.top):
                        print("  %10.2f  %s" % (c / a.div, fn))
                    phase.clear()
                    n += 1
                phase[name] += 1
                prev = name


if __name__ == "__main__":
    main()
