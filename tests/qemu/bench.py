#!/usr/bin/env python3
"""Run the benchmark image under QEMU with -icount, twice, and print a table.

Instruction counts under -icount are exact, so the two runs must agree to
the last digit; if they do not, something in the measurement is not
deterministic and the numbers are not reported as valid.
"""
import argparse
import subprocess
import sys

def run(machine, elf, timeout):
    cmd = ["qemu-system-arm", "-M", machine, "-kernel", elf, "-display", "none",
           "-serial", "stdio", "-semihosting-config", "enable=on,target=native",
           "-icount", "shift=3,sleep=off"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, text=True, errors="replace")
    if p.returncode != 0:
        sys.exit("bench: QEMU exited with %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
    rows = []
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) in (3, 4) and parts[0] == "bench":
            rows.append((parts[1], parts[2], parts[3] if len(parts) == 4 else "instr"))
    if not rows:
        sys.exit("bench: no results in output:\n" + p.stdout)
    return rows

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True)
    ap.add_argument("--out", help="also write the table here")
    ap.add_argument("elf")
    a = ap.parse_args()
    first = run(a.machine, a.elf, 120)
    second = run(a.machine, a.elf, 120)
    if first != second:
        sys.exit("bench: two runs disagree:\n%s\n%s" % (first, second))
    lines = ["%-28s %12s %s" % ("workload", "per op", "unit"),
             "%-28s %12s %s" % ("-" * 28, "-" * 12, "-----")]
    lines += ["%-28s %12s %s" % r for r in first]
    table = "\n".join(lines)
    print(table)
    print("(%s, qemu -icount shift=3: two runs identical)" % a.machine)
    if a.out:
        with open(a.out, "w") as f:
            f.write(table + "\n")

if __name__ == "__main__":
    main()
