#!/usr/bin/env python3
"""The on-target trace, decoded on the host: tests/qemu/sc_trace.c's dump
through tools/trace2view.py, event by event.

    test_sc_trace.py --machine mps2-an385 --elf build/mps2-an385-trace/tests/sc_trace.elf

Runs the scenario under QEMU the way tests/qemu/run.py does (it must pass
there too: exit code 0, no FAIL, its summary line), takes the dump from
its console output and decodes it with trace2view, naming interrupts from
the image's vector table.  Then checks what the firmware checks, from the
other end: the decoded events, leaving out the tick's (see sc_trace.c),
are exactly the schedule's; the waiter's wake is an arrow from the soft
interrupt; the sleeper was blocked on "sleep" for 2 to 3 tick periods and
woken by its timer; the dump parsed with no warning; the JSON and the SVG
come out.  So a wrong record in the kernel, a wrong dump or a wrong
decoder fails here.  Ends with "trace-sc: N passed, N failed".
"""

import argparse
import json
import os
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import run  # noqa: E402  tests/qemu/run.py
import trace2view as tv  # noqa: E402

SOFT = "soft_irq"  # board_soft_irq_isr, named from the vector table

SCHEDULE = [
    ("spawn", "sleeper", "prio 3"),
    ("spawn", "waiter", "prio 2"),
    ("spawn", "kicker", "prio 1"),
    ("switch", "sleeper", "from conductor (join)"),
    ("mark", "sleeper", "42"),
    ("switch", "waiter", "from sleeper (sleep)"),
    ("switch", "kicker", "from waiter (event)"),
    ("irq-enter", SOFT, ""),
    ("irq-exit", SOFT, ""),
    ("wake", "waiter", "by irq " + SOFT),
    ("switch", "waiter", "from kicker (done)"),
    ("switch", "scheduler", "from waiter (done)"),
    ("wake", "sleeper", "by timer"),
    ("switch", "sleeper", "from scheduler (-)"),
    ("wake", "conductor", "by task sleeper"),
    ("switch", "conductor", "from sleeper (done)"),
]


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            return
        self.failed += 1
        print("FAIL %s%s" % (what, (": " + detail) if detail else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--timeout", type=float, default=20.0)
    a = ap.parse_args()
    c = Checks()

    args = argparse.Namespace(machine=a.machine, icount=True,
                              timeout=a.timeout, pause=0.0)
    reason, output = run.run_plain(args, a.elf)
    out = output.decode("utf-8", "replace")
    c.check(reason is None, "sc_trace on the target", str(reason))

    dump = tv.parse_dump(out.splitlines())
    tr = tv.decode(dump, tv.elf_irq_names(a.elf))
    c.check(dump.records != [] and dump.ended, "a whole dump in the output")
    c.check(tr.warnings == [], "no warnings", "; ".join(tr.warnings))
    c.check(dump.lost == 0, "nothing lost", str(dump.lost))

    # What the schedule decides: not the tick's records, nor other
    # interrupts' (see sc_trace.c).
    got = [e.tuple() for e in tr.events if e.kind != "tick"
           and not (e.kind.startswith("irq") and e.who != SOFT)]
    for i, (g, w) in enumerate(zip(got, SCHEDULE)):
        c.check(g == w, "event %d of the schedule" % i, "got %r, want %r" % (g, w))
    c.check(len(got) == len(SCHEDULE), "as many events as the schedule",
            "%d, want %d" % (len(got), len(SCHEDULE)))
    tick_sum = sum(int(e.detail) for e in tr.events if e.kind == "tick")
    c.check(tick_sum == 3, "3 ticks in the trace", str(tick_sum))

    arrows = [(f.src.name, f.dst.name, f.kind) for f in tr.flows]
    c.check(arrows == [(SOFT, "waiter", "irq"), ("sleeper", "conductor", "task")],
            "wake arrows", repr(arrows))
    sleep = [s for s in tr.spans if s.lane.name == "sleeper" and s.kind == "blocked"]
    period = 1e6 / dump.tick_hz if dump.tick_hz else 0
    c.check(len(sleep) == 1 and sleep[0].label == "sleep"
            and sleep[0].info.get("woken by") == "timer"
            and 2 * period < sleep[0].end - sleep[0].start <= 3 * period,
            "the sleeper blocked on sleep for 2-3 tick periods",
            repr([(s.label, s.start, s.end, s.info) for s in sleep]))
    waits = [(s.label, s.info.get("woken by")) for s in tr.spans
             if s.lane.name == "waiter" and s.kind == "blocked"]
    c.check(waits == [("event", "irq " + SOFT)], "the waiter blocked on its event",
            repr(waits))

    chrome = tv.to_chrome(tr)
    c.check(json.loads(json.dumps(chrome)) == chrome, "Chrome JSON")
    try:
        root = ET.fromstring(tv.to_svg(tr))
        names = [e.text for e in root.iter() if e.get("class") == "lane-name"]
        # The tasks, the scheduler, then interrupts: the tick's (the
        # board's own) and the soft one.
        c.check(names[:5] == ["conductor", "sleeper", "waiter", "kicker",
                              "scheduler"] and names[-1] == SOFT,
                "SVG lanes", repr(names))
    except ET.ParseError as e:
        c.check(False, "SVG parses", str(e))

    if c.failed:
        print("    | " + "\n    | ".join(out.splitlines()))
    print("trace-sc: %d passed, %d failed" % (c.passed, c.failed))
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
