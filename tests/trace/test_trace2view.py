#!/usr/bin/env python3
"""Unit tests of tools/trace2view.py: records in, exact events out.

    python3 tests/trace/test_trace2view.py [-v]

Each test writes a dump the way kt_trace_dump does (dump() below, from
(type, task, arg) records at known times) and checks what comes out: the
parsed records, the decoded spans, instants and wake arrows, the exact
Chrome trace events, the SVG's elements (parsed as XML, by class and
coordinates), and the warnings and exit status for bad input.  The
schedule most tests use is the one tests/host/test_trace.c gets from the
kernel.  With a trace clock of 1 MHz a cycle is a microsecond, so the
expected times are the records' own.  Ends with one line "trace2view:
N passed, N failed".
"""

import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "trace2view.py")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import trace2view as tv  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
SLEEP, EVENT = 1, 3  # enum kt_wait


def rec(time, typ, task, arg):
    return "%08x%02x%02x%04x" % (time & 0xffffffff, typ, task, arg)


def dump(records, tasks=((1, 2, "sleeper"), (2, 1, "waiter")), clock=1000000,
         start=10, step=10, lost=0, end=True, extra=()):
    """kt_trace_dump's text for records [(type, task, arg)] at start,
    start + step, ...; or [(time, type, task, arg)] at their own times."""
    toks = []
    for i, r in enumerate(records):
        toks.append(rec(*r) if len(r) == 4 else rec(start + i * step, *r))
    lines = ["KTRACE begin %d %d %d 1000" % (len(toks), lost, clock)]
    lines += ["KTRACE task %d %d %s" % t for t in tasks]
    lines += list(extra)
    for i in range(0, len(toks), 8):
        lines.append("KTRACE rec " + " ".join(toks[i:i + 8]))
    if end:
        lines.append("KTRACE end %d" % len(toks))
    return lines


# tests/host/test_trace.c's known_schedule, as the kernel records it.
KNOWN = [
    (tv.SPAWN, 1, 2),
    (tv.SPAWN, 2, 1),
    (tv.SWITCH, 1, 0),                       # from the scheduler
    (tv.MARK, 1, 42),
    (tv.SWITCH, 2, 1 | SLEEP << 8),          # sleeper sleeps
    (tv.SWITCH, 0, 2 | EVENT << 8),          # waiter waits: idle
    (tv.IRQ_ENTER, 0, 17),
    (tv.IRQ_EXIT, 0, 17),
    (tv.WAKE, 2, tv.BY_IRQ | 17),            # the interrupt woke it
    (tv.SWITCH, 2, 0),
    (tv.SWITCH, 0, 2 | tv.WHY_DONE << 8),
    (tv.TICK, 0, 3),
    (tv.WAKE, 1, tv.BY_TIMER),
    (tv.SWITCH, 1, 0),
    (tv.SWITCH, 0, 1 | tv.WHY_DONE << 8),
]


def known(**kw):
    return tv.decode(tv.parse_dump(dump(KNOWN, **kw)))


def spans(tr):
    return [(s.lane.name, s.kind, s.start, s.end, s.label) for s in tr.spans]


class Parse(unittest.TestCase):
    def test_finds_the_lines_among_other_output(self):
        lines = ["kettle demo: 1000 ticks/s", "[    1.000] heartbeat 1"]
        body = dump(KNOWN[:3])
        # Console noise before a line and a carriage return after it.
        lines += ["\r" + body[0] + "\r", "echo> " + body[1]] + body[2:]
        lines += ["[    1.200] worker-a: step 1"]
        d = tv.parse_dump(lines)
        self.assertEqual((d.announced, d.lost, d.clock_hz, d.tick_hz),
                         (3, 0, 1000000, 1000))
        self.assertEqual(d.tasks, {1: (2, "sleeper"), 2: (1, "waiter")})
        self.assertEqual(d.records, [(10, 8, 1, 2), (20, 8, 2, 1), (30, 1, 1, 0)])
        self.assertEqual(d.warnings, [])
        self.assertTrue(d.ended)

    def test_record_fields(self):
        d = tv.parse_dump(["KTRACE begin 1 0 25000000 1000",
                           "KTRACE rec 89abcdef0203a5c7", "KTRACE end 1"])
        self.assertEqual(d.records, [(0x89abcdef, 2, 3, 0xa5c7)])

    def test_task_names_keep_their_spaces(self):
        d = tv.parse_dump(dump([(tv.SPAWN, 3, 1)], tasks=[(3, 1, "udp echo")]))
        self.assertEqual(d.tasks[3], (1, "udp echo"))

    def test_irq_lines_name_interrupts(self):
        d = tv.parse_dump(dump(KNOWN, extra=["KTRACE irq 17 uart0_tx"]))
        self.assertEqual(d.irq_names, {17: "uart0_tx"})
        tr = tv.decode(d)
        self.assertIn("uart0_tx", [l.name for l in tr.lane_order()])

    def test_the_last_dump_wins(self):
        first = dump(KNOWN[:2])
        second = dump(KNOWN[:4])
        d = tv.parse_dump(first + ["> trace"] + second)
        self.assertEqual(len(d.records), 4)
        self.assertEqual(d.warnings, [])
        self.assertEqual(d.notes, ["2 dumps in the input: converting the last "
                                   "one with records"])

    def test_lost_records_are_a_note(self):
        d = tv.parse_dump(dump(KNOWN, lost=1234))
        self.assertEqual(d.lost, 1234)
        self.assertEqual(d.warnings, [])
        self.assertIn("overwrote 1234 older records", d.notes[0])


class BadInput(unittest.TestCase):
    def test_missing_end_line(self):
        d = tv.parse_dump(dump(KNOWN, end=False))
        self.assertEqual(len(d.records), len(KNOWN))
        self.assertEqual(d.warnings, ["no end line: the dump was cut short; "
                                      "converting the 15 records that arrived"])
        self.assertEqual(len(tv.decode(d).events), len(KNOWN))

    def test_cut_inside_a_rec_line(self):
        lines = dump(KNOWN, end=False)
        lines[-1] = lines[-1][:-9]  # the last record loses 9 digits
        d = tv.parse_dump(lines)
        self.assertEqual(len(d.records), len(KNOWN) - 1)
        self.assertEqual(len(d.warnings), 2)
        self.assertIn("is not 16 hex digits: skipped", d.warnings[0])
        self.assertIn("no end line", d.warnings[1])

    def test_short_and_non_hex_records(self):
        lines = dump(KNOWN)
        toks = lines[3].split()
        toks[3] = toks[3][:15]          # short
        toks[5] = "zz" + toks[5][2:]    # not hex
        lines[3] = " ".join(toks)
        d = tv.parse_dump(lines)
        self.assertEqual(len(d.records), len(KNOWN) - 2)
        self.assertEqual([w.split(":")[1].strip().split()[1] for w in d.warnings[:2]],
                         ["%r" % toks[3], "%r" % toks[5]])
        self.assertEqual(d.warnings[2:], ["the end line says 15 records, 13 were read"])

    def test_unknown_record_types(self):
        recs = KNOWN[:3] + [(0x0c, 1, 0), (0, 0, 0), (0x0c, 2, 5)] + KNOWN[3:]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual(tr.warnings, ["1 record of unknown type 0: skipped",
                                       "2 records of unknown type 12: skipped"])
        self.assertEqual([e.tuple() for e in tr.events],
                         [e.tuple() for e in known().events])

    def test_unknown_task_ids(self):
        recs = KNOWN + [(tv.WAKE, 9, tv.BY_TASK | 1), (tv.SWITCH, 9, 0)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual(tr.warnings, ["task id 9 is in the records but not in "
                                       "the task list: shown as 'task 9'"])
        self.assertEqual(tr.events[-1].tuple(),
                         ("switch", "task 9", "from scheduler (-)"))
        self.assertIn("task 9", [l.name for l in tr.lane_order()])

    def test_begin_and_end_disagree(self):
        lines = dump(KNOWN)
        lines[0] = lines[0].replace("begin 15", "begin 16")
        d = tv.parse_dump(lines)
        self.assertEqual(d.warnings, ["the begin line announced 16 records, "
                                      "15 were read"])

    def test_unknown_line_kind(self):
        lines = dump(KNOWN)
        lines.insert(2, "KTRACE bogus 1 2 3")
        d = tv.parse_dump(lines)
        self.assertEqual(d.warnings, ["line 3: unknown line kind 'bogus': skipped"])
        self.assertEqual(len(d.records), len(KNOWN))

    def test_unreadable_begin_line_needs_a_clock(self):
        lines = dump(KNOWN)
        lines[0] = "KTRACE begin 15 0 25MHz 1000"
        d = tv.parse_dump(lines)
        self.assertIsNone(d.clock_hz)
        tr = tv.decode(d)
        self.assertEqual(tr.events, [])
        self.assertIn("give --clock-hz", tr.warnings[-1])
        d = tv.parse_dump(lines, clock_hz=1000000)
        self.assertEqual(len(tv.decode(d).events), len(KNOWN))

    def test_no_begin_line(self):
        d = tv.parse_dump(dump(KNOWN)[1:])
        self.assertEqual(d.records, [])
        self.assertEqual(d.warnings, ["no 'KTRACE begin' line: not a kettle trace "
                                      "dump (5 KTRACE lines without one)"])

    def test_not_a_dump_at_all(self):
        d = tv.parse_dump(["hello", "world"])
        self.assertEqual(d.warnings, ["no 'KTRACE begin' line: not a kettle "
                                      "trace dump"])


class Decode(unittest.TestCase):
    def test_known_schedule_spans(self):
        tr = known()
        self.assertEqual(spans(tr), [
            ("sleeper", "ready", 0, 20, "new"),
            ("waiter", "ready", 10, 40, "new"),
            ("scheduler", "run", 0, 20, ""),        # ran since the trace began
            ("sleeper", "run", 20, 40, ""),
            ("sleeper", "blocked", 40, 120, "sleep"),
            ("waiter", "run", 40, 50, ""),
            ("waiter", "blocked", 50, 80, "event"),
            ("scheduler", "run", 50, 90, ""),
            ("IRQ 1", "irq", 60, 70, "IRQ 1"),
            ("waiter", "ready", 80, 90, "ready"),
            ("waiter", "run", 90, 100, ""),
            ("scheduler", "run", 100, 130, ""),
            ("sleeper", "ready", 120, 130, "ready"),
            ("sleeper", "run", 130, 140, ""),
            ("scheduler", "run", 140, 140, ""),     # open at the end
        ])
        info = [s.info for s in tr.spans]
        self.assertEqual(info[2], {"since": "before the trace"})
        self.assertEqual(info[4], {"woken by": "timer"})
        self.assertEqual(info[6], {"woken by": "irq IRQ 1"})
        self.assertEqual(info[14], {"open": "still at the end of the trace"})
        self.assertEqual(tr.t_end, 140)

    def test_known_schedule_events(self):
        self.assertEqual([(e.t,) + e.tuple() for e in known().events], [
            (0, "spawn", "sleeper", "prio 2"),
            (10, "spawn", "waiter", "prio 1"),
            (20, "switch", "sleeper", "from scheduler (-)"),
            (30, "mark", "sleeper", "42"),
            (40, "switch", "waiter", "from sleeper (sleep)"),
            (50, "switch", "scheduler", "from waiter (event)"),
            (60, "irq-enter", "IRQ 1", ""),
            (70, "irq-exit", "IRQ 1", ""),
            (80, "wake", "waiter", "by irq IRQ 1"),
            (90, "switch", "waiter", "from scheduler (-)"),
            (100, "switch", "scheduler", "from waiter (done)"),
            (110, "tick", "scheduler", "3"),
            (120, "wake", "sleeper", "by timer"),
            (130, "switch", "sleeper", "from scheduler (-)"),
            (140, "switch", "scheduler", "from sleeper (done)"),
        ])

    def test_known_schedule_wake_arrow(self):
        tr = known()
        self.assertEqual([(f.src.name, f.src_t, f.dst.name, f.dst_t, f.kind)
                          for f in tr.flows],
                         [("IRQ 1", 65, "waiter", 80, "irq")])
        self.assertEqual([(m.lane.name, m.t, m.name, m.info) for m in tr.instants], [
            ("sleeper", 0, "spawn", {"prio": 2}),
            ("waiter", 10, "spawn", {"prio": 1}),
            ("sleeper", 30, "mark 42", {}),
            ("waiter", 80, "wake", {"by": "irq IRQ 1"}),
            ("waiter", 100, "done", {}),
            ("scheduler", 110, "tick", {"ticks": 3}),
            ("sleeper", 120, "wake", {"by": "timer"}),
            ("sleeper", 140, "done", {}),
        ])

    def test_lane_order(self):
        self.assertEqual([l.name for l in known().lane_order()],
                         ["sleeper", "waiter", "scheduler", "IRQ 1"])

    def test_time_is_microseconds_of_the_begin_clock(self):
        recs = [(0, tv.SPAWN, 1, 2), (25000000, tv.SPAWN, 2, 1)]
        tr = tv.decode(tv.parse_dump(dump(recs, clock=25000000)))
        self.assertEqual([e.t for e in tr.events], [0, 1e6])

    def test_the_clock_unwraps(self):
        recs = [(0xfffffff0, tv.SPAWN, 1, 2), (0x00000010, tv.SPAWN, 2, 1),
                (0x70000010, tv.MARK, 1, 1), (0xe0000010, tv.MARK, 1, 2),
                (0x00000000, tv.MARK, 1, 3)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual([e.t for e in tr.events],
                         [0, 0x20, 0x70000020, 0xe0000020, 0x100000010])
        self.assertEqual(tr.warnings, [])

    def test_a_clock_that_steps_back(self):
        # A record stamped before its predecessor (a clock read out of
        # order) is no time passing, not a wrap of the whole 32 bits.
        recs = [(1000, tv.SPAWN, 1, 2), (900, tv.SPAWN, 2, 1),
                (1100, tv.MARK, 1, 1), (1050, tv.MARK, 1, 2)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual([e.t for e in tr.events], [0, 0, 200, 200])
        self.assertEqual(tr.warnings, ["2 records earlier than the one before "
                                       "(by up to 100 clock cycles): taken as "
                                       "no time passing"])

    def test_yield_hands_over_and_stays_ready(self):
        recs = [(tv.SWITCH, 1, 0), (tv.SWITCH, 2, 1 | tv.WHY_YIELD << 8),
                (tv.SWITCH, 1, 2 | tv.WHY_YIELD << 8)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual(spans(tr), [
            ("scheduler", "run", 0, 0, ""),
            ("sleeper", "run", 0, 10, ""),
            ("sleeper", "ready", 10, 20, "ready"),
            ("waiter", "run", 10, 20, ""),
            ("waiter", "ready", 20, 20, "ready"),
            ("sleeper", "run", 20, 20, ""),
        ])
        self.assertEqual(tr.events[1].detail, "from sleeper (yield)")

    def test_a_task_woken_before_we_saw_it_block(self):
        tr = tv.decode(tv.parse_dump(dump([(tv.WAKE, 2, tv.BY_TASK | 1)])))
        self.assertEqual(spans(tr), [("waiter", "blocked", 0, 0, "blocked"),
                                     ("waiter", "ready", 0, 0, "ready")])
        self.assertEqual(tr.spans[0].info, {"since": "before the trace",
                                            "woken by": "task sleeper"})

    def test_wake_by_task_is_an_arrow_from_the_waker(self):
        recs = [(tv.SWITCH, 1, 0), (tv.SWITCH, 2, 1 | 5 << 8),
                (tv.WAKE, 1, tv.BY_TASK | 2), (tv.SWITCH, 1, 2 | 2 << 8)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual([(f.src.name, f.src_t, f.dst.name, f.dst_t, f.kind)
                          for f in tr.flows], [("waiter", 20, "sleeper", 20, "task")])
        self.assertEqual(tr.events[1].detail, "from sleeper (sem)")
        self.assertEqual(tr.events[3].detail, "from waiter (join)")

    def test_wake_by_an_interrupt_whose_entry_fell_off_the_ring(self):
        tr = tv.decode(tv.parse_dump(dump([(tv.WAKE, 2, tv.BY_IRQ | 40)])))
        self.assertEqual(tr.flows, [])
        self.assertEqual(tr.events[0].detail, "by irq IRQ 24")

    def test_exit_without_enter_is_a_mark_of_no_length(self):
        tr = tv.decode(tv.parse_dump(dump([(tv.IRQ_EXIT, 0, 15),
                                           (tv.IRQ_ENTER, 0, 15)])))
        self.assertEqual(spans(tr), [("SysTick", "irq", 0, 0, "SysTick"),
                                     ("SysTick", "irq", 10, 10, "SysTick")])
        self.assertEqual(tr.spans[1].info, {"open": "still at the end of the trace"})

    def test_handoff_prio_cancel(self):
        recs = [(tv.PRIO, 1, 7), (tv.HANDOFF, 2, 1), (tv.CANCEL, 2, 1),
                (tv.WAKE, 2, tv.BY_CANCEL)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual([e.tuple() for e in tr.events], [
            ("prio", "sleeper", "7"),
            ("handoff", "waiter", "from sleeper"),
            ("cancel", "waiter", "by sleeper"),
            ("wake", "waiter", "by cancel"),
        ])
        self.assertEqual([(m.name, m.info) for m in tr.instants[:3]], [
            ("priority 7", {}), ("mutex handed over", {"from": "sleeper"}),
            ("cancel", {"by": "sleeper"})])
        self.assertEqual(tr.flows, [])

    def test_wait_names(self):
        self.assertEqual([tv.wait_name(w) for w in range(9)],
                         ["none", "sleep", "join", "event", "mutex", "sem",
                          "queue", "any", "wait 8"])

    def test_default_irq_names(self):
        self.assertEqual([tv.default_irq_name(n) for n in (3, 15, 16, 47)],
                         ["exception 3", "SysTick", "IRQ 0", "IRQ 31"])

    def test_names_given_win(self):
        tr = tv.decode(tv.parse_dump(dump(KNOWN, extra=["KTRACE irq 17 dump"])),
                       {17: "given"})
        self.assertEqual(tr.events[6].who, "given")


class Chrome(unittest.TestCase):
    def test_metadata(self):
        ev = tv.to_chrome(known())["traceEvents"]
        meta = [e for e in ev if e["ph"] == "M"]
        names = [(e["pid"], e.get("tid"), e["args"]["name"]) for e in meta
                 if e["name"] in ("process_name", "thread_name")]
        self.assertEqual(names, [(1, None, "tasks"), (2, None, "interrupts"),
                                 (1, 1, "sleeper"), (1, 2, "waiter"),
                                 (1, 256, "scheduler"), (2, 17, "IRQ 1")])
        order = [(e["pid"], e["tid"], e["args"]["sort_index"]) for e in meta
                 if e["name"] == "thread_sort_index"]
        self.assertEqual(order, [(1, 1, 0), (1, 2, 1), (1, 256, 2), (2, 17, 3)])
        self.assertEqual(ev[:len(meta)], meta)  # metadata first

    def test_complete_events(self):
        ev = tv.to_chrome(known())["traceEvents"]
        xs = [(e["name"], e["cat"], e["ts"], e["dur"], e["pid"], e["tid"])
              for e in ev if e["ph"] == "X"]
        self.assertEqual(xs, [
            ("new", "ready", 0, 20, 1, 1),
            ("scheduler", "run", 0, 20, 1, 256),
            ("new", "ready", 10, 30, 1, 2),
            ("sleeper", "run", 20, 20, 1, 1),
            ("blocked: sleep", "blocked", 40, 80, 1, 1),
            ("waiter", "run", 40, 10, 1, 2),
            ("blocked: event", "blocked", 50, 30, 1, 2),
            ("scheduler", "run", 50, 40, 1, 256),
            ("IRQ 1", "irq", 60, 10, 2, 17),
            ("ready", "ready", 80, 10, 1, 2),
            ("waiter", "run", 90, 10, 1, 2),
            ("scheduler", "run", 100, 30, 1, 256),
            ("ready", "ready", 120, 10, 1, 1),
            ("sleeper", "run", 130, 10, 1, 1),
            ("scheduler", "run", 140, 0, 1, 256),
        ])
        blocked = next(e for e in ev if e["name"] == "blocked: event")
        self.assertEqual(blocked, {
            "name": "blocked: event", "cat": "blocked", "ph": "X", "ts": 50,
            "dur": 30, "pid": 1, "tid": 2, "cname": "thread_state_sleeping",
            "args": {"woken by": "irq IRQ 1"}})

    def test_wake_instants_and_flow(self):
        ev = tv.to_chrome(known())["traceEvents"]
        flow = [e for e in ev if e["ph"] in ("s", "f")]
        self.assertEqual(flow, [
            {"name": "wake", "cat": "wake", "ph": "s", "id": 1, "ts": 65,
             "pid": 2, "tid": 17},
            {"name": "wake", "cat": "wake", "ph": "f", "id": 1, "ts": 80,
             "pid": 1, "tid": 2},
        ])
        wakes = [e for e in ev if e["ph"] == "i" and e["name"] == "wake"]
        self.assertEqual(wakes, [
            {"name": "wake", "cat": "event", "ph": "i", "s": "t", "ts": 80,
             "pid": 1, "tid": 2, "args": {"by": "irq IRQ 1"}},
            {"name": "wake", "cat": "event", "ph": "i", "s": "t", "ts": 120,
             "pid": 1, "tid": 1, "args": {"by": "timer"}},
        ])
        # The flow starts inside the interrupt's slice and ends where the
        # woken task's next slice (ready) begins.
        isr = next(e for e in ev if e["ph"] == "X" and e["tid"] == 17)
        self.assertTrue(isr["ts"] < flow[0]["ts"] < isr["ts"] + isr["dur"])
        ready = next(e for e in ev if e["ph"] == "X" and e["tid"] == 2
                     and e["name"] == "ready")
        self.assertEqual(ready["ts"], flow[1]["ts"])

    def test_timestamps_in_order_and_rounded_to_ns(self):
        recs = [(0, tv.SPAWN, 1, 2), (1, tv.SPAWN, 2, 1), (3, tv.MARK, 1, 0)]
        ev = tv.to_chrome(tv.decode(tv.parse_dump(dump(recs, clock=3000000))))
        ts = [e["ts"] for e in ev["traceEvents"] if "ts" in e]
        self.assertEqual(ts, sorted(ts))
        self.assertIn(0.333, ts)
        self.assertIn(1.0, ts)

    def test_other_data_and_json(self):
        out = tv.to_chrome(known(lost=7))
        self.assertEqual(out["displayTimeUnit"], "ms")
        self.assertEqual(out["otherData"], {
            "source": "kettle kt_trace_dump", "clock_hz": 1000000,
            "tick_hz": 1000, "records": 15, "lost": 7})
        self.assertEqual(json.loads(json.dumps(out)), out)


def svg_root(tr, **kw):
    return ET.fromstring(tv.to_svg(tr, **kw))


def by_class(root, cls):
    return [e for e in root.iter() if e.get("class") == cls]


class Svg(unittest.TestCase):
    # width 1400 over 140 us: 10 px a microsecond, from x = 79 (the
    # names' column: "scheduler" is 9 characters, 16 + 9 * 7).
    def setUp(self):
        self.root = svg_root(known(), width=1400)

    def test_lanes_named_on_the_left_in_order(self):
        names = [(e.text, e.get("x"), e.get("y"))
                 for e in by_class(self.root, "lane-name")]
        self.assertEqual(names, [("sleeper", "71", "61"), ("waiter", "71", "87"),
                                 ("scheduler", "71", "113"), ("IRQ 1", "71", "139")])

    def test_running_spans_are_filled(self):
        runs = [(e.get("data-lane"), e.get("x"), e.get("y"), e.get("width"),
                 e.get("height")) for e in by_class(self.root, "run")]
        self.assertEqual(runs, [
            ("sleeper", "279", "54", "200", "14"),
            ("sleeper", "1379", "54", "100", "14"),
            ("waiter", "479", "80", "100", "14"),
            ("waiter", "979", "80", "100", "14"),
            ("scheduler", "79", "106", "200", "14"),
            ("scheduler", "579", "106", "400", "14"),
            ("scheduler", "1079", "106", "300", "14"),
            ("scheduler", "1479", "106", "1", "14"),   # no length: 1 px
        ])
        fills = {e.get("data-lane"): e.get("fill") for e in by_class(self.root, "run")}
        self.assertEqual(fills, {"sleeper": tv.PALETTE[0], "waiter": tv.PALETTE[1],
                                 "scheduler": tv.SCHED_FILL})
        title = by_class(self.root, "run")[0].find(SVG + "title").text
        self.assertEqual(title, "sleeper running: 0.020-0.040 ms (20.0 us)")

    def test_blocked_spans_say_what_they_wait_for(self):
        lines = [(e.get("data-lane"), e.get("data-wait"), e.get("x1"), e.get("x2"),
                  e.get("y1")) for e in by_class(self.root, "blocked")]
        self.assertEqual(lines, [("sleeper", "sleep", "479", "1279", "61"),
                                 ("waiter", "event", "579", "879", "87")])
        labels = [(e.text, e.get("x"), e.get("y")) for e in by_class(self.root, "wait")]
        self.assertEqual(labels, [("sleep", "879", "58"), ("event", "729", "84")])
        title = by_class(self.root, "blocked")[1].find(SVG + "title").text
        self.assertEqual(title, "waiter blocked: event: 0.050-0.080 ms, "
                         "woken by irq IRQ 1")

    def test_interrupt_lane_and_wake_arrow(self):
        irqs = [(e.get("data-lane"), e.get("x"), e.get("width"))
                for e in by_class(self.root, "irq")]
        self.assertEqual(irqs, [("IRQ 1", "679", "100")])
        arrows = [{k: e.get(k) for k in ("data-from", "data-to", "x1", "y1", "x2",
                                         "y2", "marker-end")}
                  for e in by_class(self.root, "wake")]
        # From the interrupt's middle, leaving its bar's top, to the
        # waiter's bar bottom at the wake.
        self.assertEqual(arrows, [{"data-from": "IRQ 1", "data-to": "waiter",
                                   "x1": "729", "y1": "132", "x2": "879",
                                   "y2": "94", "marker-end": "url(#arrow-irq)"}])
        markers = [m.get("id") for m in self.root.iter(SVG + "marker")]
        self.assertEqual(markers, ["arrow-irq", "arrow-task"])

    def test_ready_spans(self):
        ready = [(e.get("data-lane"), e.get("x"), e.get("width"))
                 for e in by_class(self.root, "ready")]
        self.assertEqual(ready, [("sleeper", "79", "200"), ("waiter", "179", "300"),
                                 ("waiter", "879", "100"), ("sleeper", "1279", "100")])

    def test_time_axis_in_ms(self):
        axis = by_class(self.root, "axis")[0]
        labels = [t.text for t in axis.iter(SVG + "text")]
        # Round steps about 100 px apart.
        self.assertEqual(labels, ["%.2f ms" % (i / 100) for i in range(15)])
        ticks = [t.get("x1") for t in by_class(axis, "tick")]
        self.assertEqual(ticks[:3], ["79", "179", "279"])
        self.assertEqual(by_class(axis, "break"), [])

    def test_title_and_legend(self):
        title = by_class(self.root, "title")[0].text
        self.assertEqual(title, "kettle schedule: 15 records, 0.140 ms, "
                         "clock 1 MHz")
        legend = [t.text for t in by_class(self.root, "legend")[0].iter(SVG + "text")]
        self.assertEqual(legend, ["running", "ready", "blocked (on what)",
                                  "interrupt", "woke"])

    def test_dense_spans_merge_into_one_mark_per_pixel(self):
        # Eleven short runs within a microsecond (the first switch shows
        # the waiter ran before it), then 10 ms of the scheduler.
        recs = []
        for i in range(10):
            recs.append((i * 10, tv.SWITCH, 1 + i % 2, (2 - i % 2) | 0x80 << 8))
        recs.append((100, tv.SWITCH, 0, 2 | EVENT << 8))
        recs.append((1000000, tv.MARK, 0, 0))
        tr = tv.decode(tv.parse_dump(dump(recs, clock=100000000)))
        root = svg_root(tr, width=1000)
        runs = [(e.get("data-lane"), e.get("width"), e.find(SVG + "title").text)
                for e in by_class(root, "run")]
        self.assertEqual(runs, [
            ("sleeper", "1", "sleeper: 5 runs, 0.000-0.001 ms"),
            ("waiter", "1", "waiter: 6 runs, 0.000-0.001 ms"),
            ("scheduler", "999.9", "scheduler running: 0.001-10.000 ms "
             "(9999.0 us)")])

    def test_a_window(self):
        root = svg_root(known(), width=500, start_ms=0.05, end_ms=0.1)
        # 10 px a microsecond again, from 50 us at x = 79.
        runs = [(e.get("data-lane"), e.get("x"), e.get("width"))
                for e in by_class(root, "run")]
        # Spans that only touch the window's edges stay out.
        self.assertEqual(runs, [("waiter", "479", "100"),
                                ("scheduler", "79", "400")])
        self.assertEqual(len(by_class(root, "wake")), 1)
        self.assertEqual(by_class(root, "title")[0].text,
                         "kettle schedule: 15 records, 0.050 ms, clock 1 MHz")

    def cut_trace(self):
        # The known schedule with the sleeper's 3 ticks drawn out: nothing
        # but the tick (its interrupt at 1500 us, the scheduler's record
        # at 110 us) between 100 us and 3000 us.
        times = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 3000, 3010,
                 3020]
        recs = [(t,) + r for t, r in zip(times, KNOWN)]
        recs[12:12] = [(1500, tv.IRQ_ENTER, 0, 15), (1501, tv.IRQ_EXIT, 0, 15)]
        return tv.decode(tv.parse_dump(dump(recs)))

    def test_quiet_stretches_cut_short(self):
        # Cut above 100 us, keeping 20 us each side: [120, 2980] becomes
        # 12 px, and the 160 us left get the other 1600 px (10 a us).
        root = svg_root(self.cut_trace(), width=1612, cut_us=100)
        cuts = [(e.get("x"), e.get("width"), e.find(SVG + "title").text)
                for e in by_class(root, "cut")]
        self.assertEqual(cuts, [("1279", "12", "2.860 ms cut short: "
                                 "0.120-2.980 ms, 1 tick interrupt")])
        runs = [(e.get("data-lane"), e.get("x"), e.get("width"))
                for e in by_class(root, "run") if e.get("data-lane") == "sleeper"]
        self.assertEqual(runs, [("sleeper", "279", "200"),
                                ("sleeper", "1591", "100")])
        blocked = [(e.get("x1"), e.get("x2")) for e in by_class(root, "blocked")
                   if e.get("data-lane") == "sleeper"]
        self.assertEqual(blocked, [("479", "1491")])
        # The tick's interrupt inside the cut is counted, not drawn.
        self.assertEqual([e.get("data-lane") for e in by_class(root, "irq")],
                         ["IRQ 1"])
        axis = by_class(root, "axis")[0]
        self.assertEqual(len(by_class(axis, "break")), 1)
        labels = [t.text for t in axis.iter(SVG + "text")]
        self.assertEqual(labels, ["%.2f ms" % (i / 100) for i in range(13)] +
                         ["2.99 ms", "3.00 ms", "3.01 ms", "3.02 ms"])
        self.assertIn("quiet stretches over 100 us cut short",
                      by_class(root, "title")[0].text)

    def test_a_tick_that_is_not_systick(self):
        # The micro:bit's tick is TIMER0 (exception 24): known because the
        # scheduler's tick record follows its exit; the UART's is not.
        recs = [(0, tv.MARK, 1, 0)]
        for t in range(1000, 6000, 1000):
            recs += [(t, tv.IRQ_ENTER, 0, 24), (t + 1, tv.IRQ_EXIT, 0, 24),
                     (t + 2, tv.TICK, 0, 1)]
        recs += [(6000, tv.IRQ_ENTER, 0, 18), (6001, tv.IRQ_EXIT, 0, 18),
                 (6500, tv.IRQ_ENTER, 0, 18), (6501, tv.IRQ_EXIT, 0, 18),
                 (7000, tv.MARK, 1, 1)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        self.assertEqual({e.who for e in tr.events if e.tick},
                         {"IRQ 8", "scheduler"})
        x = tv.TimeScale(tr, 0, tr.t_end, 0, 1000, 100)
        self.assertEqual(x.cuts, [(20, 5980), (6021, 6480), (6521, 6980)])

    def test_only_the_longest_stretches_are_cut(self):
        # Ten quiet stretches, 500 to 1400 us; 100 px keep 4 cuts of 12 px.
        gaps = [500 + 100 * i for i in range(10)]
        times = [sum(gaps[:i]) for i in range(11)]
        recs = [(t, tv.MARK, 1, i) for i, t in enumerate(times)]
        tr = tv.decode(tv.parse_dump(dump(recs)))
        x = tv.TimeScale(tr, 0, tr.t_end, 0, 100, 100)
        self.assertEqual(x.cuts, [(times[i] + 20, times[i + 1] - 20)
                                  for i in range(6, 10)])
        self.assertEqual(x(tr.t_end), 100)
        self.assertEqual(tv.TimeScale(tr, 0, tr.t_end, 0, 100).cuts, [])

    def test_text_is_escaped(self):
        tr = tv.decode(tv.parse_dump(dump([(tv.SPAWN, 1, 1)], tasks=[(1, 1, "a<b&c")])))
        root = svg_root(tr)
        self.assertEqual(by_class(root, "lane-name")[0].text, "a<b&c")


class ElfNames(unittest.TestCase):
    def elf(self, path):
        """A minimal ARM ELF: a vector table at 0 and handler symbols."""
        funcs = {"reset_handler": 0x101, "board_fault_handler": 0x111,
                 "systick_handler": 0x121, "uart0_rx_handler": 0x131,
                 "board_soft_irq_isr": 0x141}
        core = [0x20001000, 0x101] + [0x111] * 13 + [0x121]
        irqs = [0x131, 0x111, 0x141]
        text = struct.pack("<%dI" % (len(core) + len(irqs)), *(core + irqs))
        strtab = b"\0"
        syms = [struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)]
        for name, value, size, kind in (
                [(n, v, 4, 2) for n, v in funcs.items()] +
                [("core_vectors", 0, 64, 1), ("board_irq_vectors", 64, 12, 1)]):
            syms.append(struct.pack("<IIIBBH", len(strtab), value, size, kind, 0, 1))
            strtab += name.encode() + b"\0"
        symtab = b"".join(syms)
        shstr = b"\0.text\0.symtab\0.strtab\0.shstrtab\0"
        off_text = 52
        off_sym = off_text + len(text)
        off_str = off_sym + len(symtab)
        off_shstr = off_str + len(strtab)
        shoff = (off_shstr + len(shstr) + 3) & ~3
        secs = [(0,) * 10,
                (1, 1, 6, 0, off_text, len(text), 0, 0, 4, 0),
                (7, 2, 0, 0, off_sym, len(symtab), 3, 1, 4, 16),
                (15, 3, 0, 0, off_str, len(strtab), 0, 0, 1, 0),
                (23, 3, 0, 0, off_shstr, len(shstr), 0, 0, 1, 0)]
        hdr = b"\x7fELF\x01\x01\x01" + b"\0" * 9 + struct.pack(
            "<HHIIIIIHHHHHH", 2, 40, 1, 0, 0, shoff, 0, 52, 0, 0, 40, len(secs), 4)
        body = hdr + text + symtab + strtab + shstr
        body += b"\0" * (shoff - len(body))
        body += b"".join(struct.pack("<10I", *s) for s in secs)
        with open(path, "wb") as fh:
            fh.write(body)

    def test_vector_table_names(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "img.elf")
            self.elf(path)
            self.assertEqual(tv.elf_irq_names(path),
                             {15: "systick", 16: "uart0_rx", 18: "soft_irq"})

    def test_not_an_elf(self):
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"not an elf at all" * 4)
            f.flush()
            with self.assertRaises(ValueError):
                tv.elf_irq_names(f.name)

    def test_handler_names(self):
        self.assertEqual([tv.handler_name(n) for n in
                          ("uart0_rx_handler", "board_soft_irq_isr", "eth_handler",
                           "systick_handler", "_isr", "timer0_handler")],
                         ["uart0_rx", "soft_irq", "eth", "systick", "_isr", "timer0"])


class CommandLine(unittest.TestCase):
    def run_tool(self, args, stdin=""):
        p = subprocess.run([sys.executable, TOOL] + args, input=stdin,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def test_stdin_to_json_on_stdout(self):
        rc, out, err = self.run_tool([], "\n".join(dump(KNOWN)) + "\n")
        self.assertEqual(rc, 0)
        self.assertEqual(err, "")
        self.assertEqual(json.loads(out), tv.to_chrome(known()))

    def test_files_out(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "dump.txt")
            with open(src, "w") as fh:
                fh.write("\n".join(dump(KNOWN)) + "\n")
            paths = [os.path.join(d, n) for n in ("t.json", "t.svg", "t.txt")]
            rc, out, err = self.run_tool([src, "--json", paths[0], "--svg",
                                          paths[1], "--text", paths[2],
                                          "--irq", "17=uart0_tx"])
            self.assertEqual((rc, out, err), (0, "", ""))
            with open(paths[0]) as fh:
                self.assertIn("uart0_tx", [e["args"]["name"] for e in
                                           json.load(fh)["traceEvents"]
                                           if e["name"] == "thread_name"])
            ET.parse(paths[1])
            with open(paths[2]) as fh:
                text = fh.read().splitlines()
            self.assertEqual(len(text), len(KNOWN))
            self.assertEqual(text[8].split(), ["80.000", "us", "wake", "waiter",
                                               "by", "irq", "uart0_tx"])

    def test_warnings_still_convert(self):
        rc, out, err = self.run_tool(["--text", "-"],
                                     "\n".join(dump(KNOWN, end=False)) + "\n")
        self.assertEqual(rc, 0)
        self.assertEqual(len(out.splitlines()), len(KNOWN))
        self.assertEqual(err.splitlines(), [
            "trace2view: warning: no end line: the dump was cut short; "
            "converting the 15 records that arrived",
            "trace2view: 1 warning: converted what was intact"])

    def test_nothing_usable(self):
        rc, out, err = self.run_tool([], "just a console log\n")
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err.splitlines()[-1], "trace2view: nothing to convert")
        rc, out, err = self.run_tool([], "KTRACE begin 0 0 25000000 1000\n"
                                     "KTRACE end 0\n")
        self.assertEqual((rc, out), (1, ""))

    def test_missing_file_and_bad_option(self):
        rc, _, err = self.run_tool(["/nonexistent/dump.txt"])
        self.assertEqual(rc, 1)
        self.assertIn("No such file", err)
        rc, _, err = self.run_tool(["--irq", "x"])
        self.assertEqual(rc, 2)
        self.assertIn("expected N=NAME", err)


def main():
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    stream = io.StringIO() if verbosity == 1 else sys.stderr
    result = unittest.TextTestRunner(stream=stream, verbosity=verbosity).run(suite)
    bad = len(result.failures) + len(result.errors)
    if bad and verbosity == 1:
        sys.stdout.write(stream.getvalue())
    print("trace2view: %d passed, %d failed" % (result.testsRun - bad, bad))
    return 0 if bad == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
