#!/usr/bin/env python3
"""Count the timer interrupts of 10 s of idle, tickless and periodic.

    tickless_bench.py --machine mps2-an385 --tickless A.elf --periodic B.elf
                      [--out FILE] [--check]

Runs each image (apps/tickless, built tickless and with KT_TICKLESS=0)
under qemu-system-arm -icount shift=3,sleep=off with QEMU's trace of the
interrupt controller on, which logs every interrupt a device raises
(nvic_set_pending: a SysTick board's tick handled with interrupts masked
is raised but never taken) and every one the CPU takes
(nvic_acknowledge_irq): the counts are QEMU's, not the firmware's.  The
image marks a window of 10 s of guest time by taking its soft interrupt
at both ends, and in between only its timer runs: every interrupt inside
the window is the tick's.  The image also prints the 1 s intervals
between its timer's expiries as measured by board_cycles(), the board's
second timer.

Prints a table and writes it to --out.  With --check, fails unless the
periodic image took an interrupt per tick (at least 9,990 in 10 s), the
tickless one no more than its board needs (TICKLESS_MOST: one a second
where the alarm spans the second; on SysTick one more for the tick a
sleep begins in, and on netduinoplus2 a reload every 99 ticks), and every
interval was a second of cycles to within a thousandth of a tick.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

EVENT = re.compile(r"^nvic_(set_pending|acknowledge_irq) NVIC "
                   r"(?:set pending irq|acknowledge IRQ:) (\d+)(.*enabled: 0)?")
VALUE = re.compile(r"^tickless-bench (\S+) (-?\d+)$", re.M)

# The most timer interrupts 10 s of tickless idle may raise, by machine.
TICKLESS_MOST = {"mps2-an385": 30, "mps2-an386": 30, "mps2-an500": 30,
                 "microbit": 10, "lm3s6965evb": 20, "netduinoplus2": 120}


def run(machine, elf, timeout):
    """Run elf; returns (values printed, [(event, exception)] in order)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "trace.log")
        cmd = ["qemu-system-arm", "-M", machine, "-kernel", elf,
               "-display", "none", "-monitor", "none", "-serial", "stdio",
               "-semihosting-config", "enable=on,target=native",
               "-icount", "shift=3,sleep=off",
               "-trace", "nvic_set_pending", "-trace", "nvic_acknowledge_irq",
               "-D", log]
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        out = proc.stdout.decode("utf-8", errors="replace")
        if proc.returncode != 0:
            sys.exit("tickless-bench: %s exited with %d:\n%s%s" % (
                elf, proc.returncode, out, proc.stderr.decode(errors="replace")))
        with open(log) as f:
            # A line the NVIC keeps disabled (a QEMU pacer's) never interrupts.
            events = [(m.group(1), int(m.group(2)))
                      for m in map(EVENT.match, f) if m and not m.group(3)]
    return {k: int(v) for k, v in VALUE.findall(out)}, events


def window(values, events):
    """Interrupts raised and taken between the two marks, by exception."""
    soft = values["soft-exception"]
    marks = [i for i, e in enumerate(events) if e == ("acknowledge_irq", soft)]
    if len(marks) != 2 or values.get("marks") != 2:
        sys.exit("tickless-bench: expected 2 marks (exception %d), found %d"
                 % (soft, len(marks)))
    raised, taken = {}, {}
    for kind, n in events[marks[0] + 1:marks[1]]:
        if n == soft:
            continue  # the end mark's own request
        counts = raised if kind == "set_pending" else taken
        counts[n] = counts.get(n, 0) + 1
    return raised, taken


def describe(name, values, raised, taken):
    hz = values["cycles-hz"]
    second = hz  # one second of board_cycles()
    lo, hi = values["interval-min"] - second, values["interval-max"] - second
    total = sum(raised.values())
    by = ", ".join("exception %d" % n for n in sorted(raised))
    return total, lo, hi, ("%-9s %6d timer interrupts (%d taken) in 10 s (%s); "
                           "1 s wake-ups by board_cycles(): %+d .. %+d cycles "
                           "(%+.2f .. %+.2f us)"
                           % (name, total, sum(taken.values()), by or "none",
                              lo, hi, lo * 1e6 / hz, hi * 1e6 / hz))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--tickless", required=True, help="image built tickless")
    ap.add_argument("--periodic", required=True, help="image with KT_TICKLESS=0")
    ap.add_argument("--out", help="also write the table here")
    ap.add_argument("--check", action="store_true", help="fail outside the bounds")
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()

    lines = ["tickless idle on %s, 10 s of guest time, one 1 s periodic timer "
             "(-icount shift=3):" % args.machine]
    result = {}
    for name, elf in (("tickless", args.tickless), ("periodic", args.periodic)):
        values, events = run(args.machine, elf, args.timeout)
        if values.get("fires") != 10:
            sys.exit("tickless-bench: %s: no 10 expiries: %s" % (elf, values))
        total, lo, hi, line = describe(name, values, *window(values, events))
        result[name] = (total, lo, hi, values["cycles-hz"])
        lines.append("  " + line)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    if not args.check:
        return 0
    bad = []
    periodic, tickless = result["periodic"][0], result["tickless"][0]
    if periodic < 9990:
        bad.append("periodic: %d interrupts, not one a tick" % periodic)
    most = TICKLESS_MOST.get(args.machine, periodic // 50)
    if tickless > most:
        bad.append("tickless: %d interrupts, over %d" % (tickless, most))
    for name, (_, lo, hi, hz) in result.items():
        slack = hz // 1000 // 1000  # a thousandth of a tick
        if lo < -slack or hi > slack:
            bad.append("%s: 1 s intervals off by %+d .. %+d cycles" % (name, lo, hi))
    for b in bad:
        print("tickless-bench: FAIL " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
