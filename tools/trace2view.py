#!/usr/bin/env python3
"""trace2view: a kettle schedule trace as a picture.

    trace2view.py [dump] --json trace.json --svg trace.svg [--elf demo.elf]

Reads the text a kettle image writes with kt_trace_dump() (or the GDB
command in tools/kettle_gdb.py writes from a halted target): "KTRACE
begin/task/rec/end" lines, found among whatever else the console printed,
from a file or stdin.  Writes Chrome trace event JSON (Perfetto and
chrome://tracing open it), a self-contained SVG timeline, or a plain text
listing of the decoded events.

Design.  Three steps, each a plain function the tests call: parse_dump()
turns lines into a Dump (the begin line's clock, the task table, the raw
8-byte records), keeping what is intact and noting in its warnings what
it skipped; decode() replays the records through a small state machine
per lane - a task is running from the switch that names it to the switch
away from it, then ready, blocked (on what the switch says) or done,
until a wake or the next switch - and returns spans, instants and wake
arrows on lanes, one per task, one for the scheduler (its own work and
the idle time) and one per interrupt source; to_chrome() and to_svg()
only draw that.  Times: the 32-bit clock is unwrapped (records are in
order, so each step forward is taken modulo 2^32) and converted to
microseconds from the oldest record with the begin line's clock_hz; a
step back by half the clock's range or more is a clock read out of order
(a warning), not a gap of minutes, and counts as no time.

Interrupt numbers are the Cortex-M exception numbers the boards pass to
kt_trace_irq_enter (SysTick 15, interrupt line n 16 + n).  Names come from
"KTRACE irq <n> <name>" lines in the input, from --irq N=NAME, or from
the image's vector table (--elf: the handler each vector points at);
otherwise "SysTick" and "IRQ <line>".

Bad input - a missing end line, a short or non-hex record, an unknown
record type or task id - gives a warning on stderr and the rest is
converted: exit status 0.  Only input with nothing usable in it (no begin
line, no records) exits 1.
"""

import argparse
import bisect
import json
import math
import re
import struct
import sys

# enum kt_trace_type, kernel/trace.h
SWITCH, WAKE, IRQ_ENTER, IRQ_EXIT, HANDOFF, PRIO, CANCEL, SPAWN, MARK, TICK = \
    range(1, 11)
TYPE_NAMES = {
    SWITCH: "switch", WAKE: "wake", IRQ_ENTER: "irq-enter",
    IRQ_EXIT: "irq-exit", HANDOFF: "handoff", PRIO: "prio",
    CANCEL: "cancel", SPAWN: "spawn", MARK: "mark", TICK: "tick",
}
WHY_YIELD, WHY_DONE = 0x80, 0x81
BY_TIMER, BY_TASK, BY_IRQ, BY_CANCEL = 0x0000, 0x0100, 0x0200, 0x0300
# enum kt_wait, kernel/kettle.h
WAIT_NAMES = ["none", "sleep", "join", "event", "mutex", "sem", "queue",
              "any"]
SCHED = 0  # the scheduler's task id
SYSTICK = 15


class Dump:
    """What parse_dump() found: the header, tasks, raw records, warnings."""

    def __init__(self):
        self.clock_hz = None
        self.tick_hz = None
        self.announced = None  # records the begin line announced
        self.lost = 0          # older records the ring overwrote
        self.tasks = {}        # id -> (base prio, name)
        self.irq_names = {}    # exception number -> name
        self.records = []      # (time, type, task, arg), oldest first
        self.ended = False
        self.warnings = []
        self.notes = []


def warn(obj, text):
    obj.warnings.append(text)


RECORD = re.compile(r"^[0-9a-fA-F]{16}$")


def parse_record(token):
    """A 16-hex-digit record: (time, type, task, arg)."""
    return (int(token[0:8], 16), int(token[8:10], 16), int(token[10:12], 16),
            int(token[12:16], 16))


def parse_dump(lines, clock_hz=None):
    """Parse the KTRACE lines among lines (an iterable of str).

    Several dumps in one input: the last one with records is kept.  clock_hz
    stands in for a begin line that is missing or unreadable.
    """
    dumps = []
    cur = None
    stray = 0
    for no, raw in enumerate(lines, 1):
        at = raw.find("KTRACE ")
        if at < 0:
            continue
        f = raw[at:].split()
        kind = f[1] if len(f) > 1 else ""
        if kind == "begin":
            cur = Dump()
            dumps.append(cur)
            try:
                cur.announced, cur.lost, cur.clock_hz, cur.tick_hz = \
                    (int(x) for x in f[2:6])
            except ValueError:
                warn(cur, "line %d: unreadable begin line %r" % (no, raw.strip()))
                cur.announced = None
                cur.lost = 0
                cur.clock_hz = cur.tick_hz = None
            continue
        if cur is None:
            if kind in ("rec", "task", "end", "irq"):
                stray += 1
            continue
        if cur.ended:
            continue
        if kind == "task":
            if len(f) < 5 or not f[2].isdigit() or not f[3].isdigit():
                warn(cur, "line %d: unreadable task line %r" % (no, raw.strip()))
                continue
            cur.tasks[int(f[2])] = (int(f[3]), " ".join(f[4:]))
        elif kind == "irq":
            if len(f) < 4 or not f[2].isdigit():
                warn(cur, "line %d: unreadable irq line %r" % (no, raw.strip()))
                continue
            cur.irq_names[int(f[2])] = " ".join(f[3:])
        elif kind == "rec":
            for tok in f[2:]:
                if RECORD.match(tok):
                    cur.records.append(parse_record(tok))
                else:
                    warn(cur, "line %d: record %r is not 16 hex digits: skipped"
                         % (no, tok))
        elif kind == "end":
            cur.ended = True
            if len(f) < 3 or not f[2].isdigit():
                warn(cur, "line %d: unreadable end line %r" % (no, raw.strip()))
            elif int(f[2]) != len(cur.records):
                warn(cur, "the end line says %s records, %d were read"
                     % (f[2], len(cur.records)))
                cur.announced = None  # said once is enough
        else:
            warn(cur, "line %d: unknown line kind %r: skipped" % (no, kind))
    usable = [d for d in dumps if d.records]
    if not usable:
        d = dumps[-1] if dumps else Dump()
        if not dumps:
            warn(d, "no 'KTRACE begin' line: not a kettle trace dump"
                 + (" (%d KTRACE lines without one)" % stray if stray else ""))
        return d
    d = usable[-1]
    if len(dumps) > 1:
        d.notes.append("%d dumps in the input: converting the last one with "
                       "records" % len(dumps))
    if not d.ended:
        warn(d, "no end line: the dump was cut short; converting the %d "
             "records that arrived" % len(d.records))
    if d.announced is not None and d.announced != len(d.records) and d.ended:
        warn(d, "the begin line announced %d records, %d were read"
             % (d.announced, len(d.records)))
    if clock_hz:
        d.clock_hz = clock_hz
    if d.lost:
        d.notes.append("the ring overwrote %d older records: the trace starts "
                       "at the oldest one kept" % d.lost)
    return d


# ---- irq names from an image's vector table --------------------------------

def elf_irq_names(path):
    """Exception number -> handler name, from an ELF's vector table.

    Reads the symbols core_vectors (exceptions 0-15) and board_irq_vectors
    (16 up) of board/common: each word is a handler address, named by the
    function symbol there.  The fault handler and unknown addresses are
    left out.  Standard library only: a 32-bit little-endian ELF reader.
    """
    with open(path, "rb") as fh:
        img = fh.read()
    if img[:4] != b"\x7fELF" or img[4] != 1 or img[5] != 1:
        raise ValueError("%s: not a 32-bit little-endian ELF" % path)
    shoff, = struct.unpack_from("<I", img, 32)
    shentsize, shnum = struct.unpack_from("<HH", img, 46)
    secs = [struct.unpack_from("<IIIIIIIIII", img, shoff + i * shentsize)
            for i in range(shnum)]
    funcs, objects = {}, {}
    for s in secs:
        if s[1] != 2:  # SHT_SYMTAB
            continue
        strtab = secs[s[6]]
        for off in range(s[4], s[4] + s[5], 16):
            name_off, value, size, info, _, _ = struct.unpack_from(
                "<IIIBBH", img, off)
            end = img.index(b"\0", strtab[4] + name_off)
            name = img[strtab[4] + name_off:end].decode("ascii", "replace")
            if info & 0xf == 2:  # STT_FUNC
                funcs.setdefault(value & ~1, name)
            elif info & 0xf == 1:  # STT_OBJECT
                objects[name] = (value, size)

    def words(addr, size):
        for s in secs:
            if s[1] == 1 and s[3] <= addr and addr + size <= s[3] + s[5]:
                at = s[4] + addr - s[3]
                return struct.unpack_from("<%dI" % (size // 4), img, at)
        return ()

    names = {}
    for table, first in (("core_vectors", 0), ("board_irq_vectors", 16)):
        if table not in objects:
            continue
        for i, w in enumerate(words(*objects[table])):
            fn = funcs.get(w & ~1)
            if fn is None or i + first < 2 or "fault" in fn:
                continue
            names[i + first] = handler_name(fn)
    return names


def handler_name(fn):
    """uart0_rx_handler -> uart0_rx, board_soft_irq_isr -> soft_irq."""
    if fn.startswith("board_"):
        fn = fn[len("board_"):]
    for suffix in ("_handler", "_isr"):
        if fn.endswith(suffix) and len(fn) > len(suffix):
            fn = fn[:-len(suffix)]
    return fn


def default_irq_name(n):
    if n == SYSTICK:
        return "SysTick"
    if n >= 16:
        return "IRQ %d" % (n - 16)
    return "exception %d" % n


# ---- decoding: records to spans on lanes -----------------------------------

class Lane:
    """A row of the picture: a task (id; 0 the scheduler) or an interrupt."""

    def __init__(self, kind, num, name):
        self.kind = kind  # "task" or "irq"
        self.num = num
        self.name = name

    @property
    def key(self):
        return (self.kind, self.num)


class Span:
    """[start, end] in microseconds on a lane.  kind: run, ready, blocked,
    irq.  label: what a blocked span waits for, "new" for a task not yet
    run.  info: details for tooltips and the JSON's args."""

    def __init__(self, lane, kind, start, label=""):
        self.lane = lane
        self.kind = kind
        self.start = start
        self.end = start
        self.label = label
        self.info = {}


class Instant:
    def __init__(self, lane, t, name, info=None):
        self.lane = lane
        self.t = t
        self.name = name
        self.info = info or {}


class Flow:
    """An arrow: what woke a task, from src at src_t to dst at dst_t."""

    def __init__(self, src, src_t, dst, dst_t, kind):
        self.src = src
        self.src_t = src_t
        self.dst = dst
        self.dst_t = dst_t
        self.kind = kind  # "irq" or "task"


class Event:
    """One decoded record, for the text listing and the tests.  tick: the
    tick's own (SysTick's interrupt, the scheduler's tick record), which
    happen whether anything runs or not."""

    def __init__(self, t, kind, who, detail, tick=False):
        self.t = t
        self.kind = kind
        self.who = who
        self.detail = detail
        self.tick = tick

    def tuple(self):
        return (self.kind, self.who, self.detail)

    def __repr__(self):
        return "Event(%.3f, %r, %r, %r)" % (self.t, self.kind, self.who,
                                            self.detail)


class Trace:
    def __init__(self, dump):
        self.dump = dump
        self.lanes = {}  # key -> Lane
        self.spans = []
        self.instants = []
        self.flows = []
        self.events = []
        self.t_end = 0.0
        self.warnings = list(dump.warnings)
        self.notes = list(dump.notes)

    def lane_order(self):
        """Tasks by id, then the scheduler, then interrupts by number."""
        tasks = sorted((l for l in self.lanes.values()
                        if l.kind == "task" and l.num != SCHED),
                       key=lambda l: l.num)
        sched = [l for l in self.lanes.values()
                 if l.kind == "task" and l.num == SCHED]
        irqs = sorted((l for l in self.lanes.values() if l.kind == "irq"),
                      key=lambda l: l.num)
        return tasks + sched + irqs


def wait_name(why):
    return WAIT_NAMES[why] if why < len(WAIT_NAMES) else "wait %d" % why


class Decoder:
    """Replays records; one open span at most per lane."""

    def __init__(self, dump, irq_names):
        self.tr = Trace(dump)
        self.irq_names = irq_names
        self.open = {}        # lane key -> Span
        self.last_irq = {}    # irq number -> its latest Span
        self.seen = set()     # lane keys with any record so far
        self.unknown_ids = set()
        self.switched = False
        self.t0 = 0.0

    def task_lane(self, tid):
        key = ("task", tid)
        lane = self.tr.lanes.get(key)
        if lane is None:
            if tid == SCHED:
                name = "scheduler"
            elif tid in self.tr.dump.tasks:
                name = self.tr.dump.tasks[tid][1]
            else:
                name = "task %d" % tid
                if tid not in self.unknown_ids:
                    self.unknown_ids.add(tid)
                    warn(self.tr, "task id %d is in the records but not in the "
                         "task list: shown as %r" % (tid, name))
            lane = self.tr.lanes[key] = Lane("task", tid, name)
        return lane

    def irq_lane(self, n):
        key = ("irq", n)
        lane = self.tr.lanes.get(key)
        if lane is None:
            name = self.irq_names.get(n) or default_irq_name(n)
            lane = self.tr.lanes[key] = Lane("irq", n, name)
        return lane

    def begin(self, lane, kind, t, label=""):
        self.close(lane, t)
        s = Span(lane, kind, t, label)
        self.open[lane.key] = s
        self.tr.spans.append(s)
        return s

    def close(self, lane, t):
        s = self.open.pop(lane.key, None)
        if s is not None:
            s.end = t
        return s

    def event(self, t, kind, who, detail, tick=False):
        self.tr.events.append(Event(t, kind, who, detail, tick))

    def waker(self, arg):
        """(text, source lane or None) for a wake's arg."""
        by, low = arg & 0xff00, arg & 0xff
        if by == BY_TIMER:
            return "timer", None
        if by == BY_TASK:
            lane = self.task_lane(low)
            return "task %s" % lane.name, lane
        if by == BY_IRQ:
            lane = self.irq_lane(low)
            return "irq %s" % lane.name, lane
        if by == BY_CANCEL:
            return "cancel", None
        return "unknown waker 0x%04x" % arg, None

    def switch(self, t, to, arg):
        prev, why = arg & 0xff, arg >> 8
        plane, tlane = self.task_lane(prev), self.task_lane(to)
        s = self.open.get(plane.key)
        if s is not None and s.kind == "run":
            self.close(plane, t)
        elif not self.switched:
            # Whoever the oldest switch leaves ran since the trace began.
            run = self.begin(plane, "run", self.t0)
            self.close(plane, t)
            run.info["since"] = "before the trace"
        if prev == SCHED:
            reason = "-"
        elif why == WHY_YIELD:
            reason = "yield"
            self.begin(plane, "ready", t, "ready")
        elif why == WHY_DONE:
            reason = "done"
            self.close(plane, t)
            self.tr.instants.append(Instant(plane, t, "done"))
        else:
            reason = wait_name(why)
            self.begin(plane, "blocked", t, reason)
        self.switched = True
        self.seen.update((plane.key, tlane.key))
        self.begin(tlane, "run", t)
        self.event(t, "switch", tlane.name, "from %s (%s)" % (plane.name, reason))

    def wake(self, t, tid, arg):
        lane = self.task_lane(tid)
        text, src = self.waker(arg)
        s = self.open.get(lane.key)
        if s is None and lane.key not in self.seen:
            s = self.begin(lane, "blocked", self.t0, "blocked")
            s.info["since"] = "before the trace"
        if s is not None and s.kind == "blocked":
            s.info["woken by"] = text
        self.seen.add(lane.key)
        self.begin(lane, "ready", t, "ready").info["woken by"] = text
        self.tr.instants.append(Instant(lane, t, "wake", {"by": text}))
        self.event(t, "wake", lane.name, "by " + text)
        if src is None:
            return
        if src.kind == "irq":
            isr = self.last_irq.get(src.num)
            if isr is None:
                return  # its interrupt's records fell off the ring
            self.tr.flows.append(Flow(src, (isr.start + isr.end) / 2, lane, t,
                                      "irq"))
        else:
            self.tr.flows.append(Flow(src, t, lane, t, "task"))

    def irq(self, t, typ, n):
        lane = self.irq_lane(n)
        self.seen.add(lane.key)
        if typ == IRQ_ENTER:
            if lane.key in self.open:
                warn(self.tr, "at %.3f us: %s entered again before its exit"
                     % (t, lane.name))
            s = self.begin(lane, "irq", t, lane.name)
            self.last_irq[n] = s
            self.event(t, "irq-enter", lane.name, "", n == SYSTICK)
        else:
            s = self.close(lane, t)
            if s is None:
                # Entered before the oldest record: a span of no length.
                s = self.begin(lane, "irq", t, lane.name)
                self.close(lane, t)
                self.last_irq[n] = s
            self.event(t, "irq-exit", lane.name, "", n == SYSTICK)

    def record(self, t, typ, task, arg):
        if typ == SWITCH:
            self.switch(t, task, arg)
        elif typ == WAKE:
            self.wake(t, task, arg)
        elif typ in (IRQ_ENTER, IRQ_EXIT):
            self.irq(t, typ, arg)
        elif typ == SPAWN:
            lane = self.task_lane(task)
            self.seen.add(lane.key)
            self.begin(lane, "ready", t, "new")
            self.tr.instants.append(Instant(lane, t, "spawn", {"prio": arg}))
            self.event(t, "spawn", lane.name, "prio %d" % arg)
        elif typ == HANDOFF:
            lane, prev = self.task_lane(task), self.task_lane(arg & 0xff)
            self.tr.instants.append(Instant(lane, t, "mutex handed over",
                                            {"from": prev.name}))
            self.event(t, "handoff", lane.name, "from " + prev.name)
        elif typ == PRIO:
            lane = self.task_lane(task)
            self.tr.instants.append(Instant(lane, t, "priority %d" % arg))
            self.event(t, "prio", lane.name, str(arg))
        elif typ == CANCEL:
            lane, by = self.task_lane(task), self.task_lane(arg & 0xff)
            self.tr.instants.append(Instant(lane, t, "cancel", {"by": by.name}))
            self.event(t, "cancel", lane.name, "by " + by.name)
        elif typ == MARK:
            lane = self.task_lane(task)
            self.tr.instants.append(Instant(lane, t, "mark %d" % arg))
            self.event(t, "mark", lane.name, str(arg))
        elif typ == TICK:
            lane = self.task_lane(SCHED)
            self.tr.instants.append(Instant(lane, t, "tick", {"ticks": arg}))
            self.event(t, "tick", lane.name, str(arg), True)


def decode(dump, irq_names=None):
    """Replay dump's records into a Trace of spans, instants and flows."""
    names = dict(dump.irq_names)
    names.update(irq_names or {})
    dec = Decoder(dump, names)
    tr = dec.tr
    if not dump.clock_hz:
        warn(tr, "no clock rate (the begin line is missing or unreadable): "
             "give --clock-hz")
        return tr
    for tid in sorted(dump.tasks):
        dec.task_lane(tid)
    unknown = {}
    ticks, last, back, most = 0, None, 0, 0
    scale = 1e6 / dump.clock_hz
    for time, typ, task, arg in dump.records:
        step = (time - last) & 0xffffffff if last is not None else 0
        if step >= 0x80000000:
            # Half the clock's range back: a clock read out of order, not
            # a gap of minutes between two records.  No time passes.
            back += 1
            most = max(most, 0x100000000 - step)
            step = 0
        ticks += step
        last = time
        t = ticks * scale
        if typ not in TYPE_NAMES:
            unknown[typ] = unknown.get(typ, 0) + 1
            continue
        dec.record(t, typ, task, arg)
    if back:
        warn(tr, "%d record%s earlier than the one before (by up to %d clock "
             "cycles): taken as no time passing" % (back, "" if back == 1 else "s",
                                                    most))
    for typ, n in sorted(unknown.items()):
        warn(tr, "%d record%s of unknown type %d: skipped"
             % (n, "" if n == 1 else "s", typ))
    tr.t_end = ticks * scale
    for key in list(dec.open):
        s = dec.open.pop(key)
        s.end = tr.t_end
        s.info["open"] = "still at the end of the trace"
    mark_tick_irqs(tr.events)
    return tr


def mark_tick_irqs(events):
    """Flag the tick interrupt's events as the tick's.  SysTick is known by
    its number; a board whose tick is another timer (the micro:bit's) is
    known by what follows: an interrupt whose exit is mostly followed
    straight away by the scheduler's tick record is the tick's."""
    votes = {}
    for e, nxt in zip(events, events[1:] + [None]):
        if e.kind == "irq-exit" and not e.tick:
            v = votes.setdefault(e.who, [0, 0])
            v[0] += nxt is not None and nxt.kind == "tick"
            v[1] += 1
    ticks = {who for who, (yes, n) in votes.items() if n >= 2 and 2 * yes >= n}
    for e in events:
        if e.kind in ("irq-enter", "irq-exit") and e.who in ticks:
            e.tick = True


# ---- Chrome trace event JSON -------------------------------------------------

TASK_PID, IRQ_PID = 1, 2
SCHED_TID = 256  # task ids are 1..255
CNAME = {"run": "thread_state_running", "ready": "thread_state_runnable",
         "blocked": "thread_state_sleeping", "irq": "thread_state_iowait"}


def us(x):
    return round(x, 3)


def track(lane):
    if lane.kind == "irq":
        return IRQ_PID, lane.num
    return TASK_PID, SCHED_TID if lane.num == SCHED else lane.num


def span_name(s):
    if s.kind == "run":
        return s.lane.name
    if s.kind == "blocked":
        return "blocked: " + s.label
    return s.label


def to_chrome(tr):
    """The Trace as a Chrome trace event dict (json.dump it)."""
    meta = [
        {"ph": "M", "name": "process_name", "pid": TASK_PID,
         "args": {"name": "tasks"}},
        {"ph": "M", "name": "process_sort_index", "pid": TASK_PID,
         "args": {"sort_index": 1}},
        {"ph": "M", "name": "process_name", "pid": IRQ_PID,
         "args": {"name": "interrupts"}},
        {"ph": "M", "name": "process_sort_index", "pid": IRQ_PID,
         "args": {"sort_index": 2}},
    ]
    for i, lane in enumerate(tr.lane_order()):
        pid, tid = track(lane)
        meta.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                     "args": {"name": lane.name}})
        meta.append({"ph": "M", "name": "thread_sort_index", "pid": pid,
                     "tid": tid, "args": {"sort_index": i}})
    timed = []
    for s in tr.spans:
        pid, tid = track(s.lane)
        e = {"name": span_name(s), "cat": s.kind, "ph": "X", "ts": us(s.start),
             "dur": us(s.end - s.start), "pid": pid, "tid": tid,
             "cname": CNAME[s.kind]}
        if s.info:
            e["args"] = dict(s.info)
        timed.append((s.start, e))
    for m in tr.instants:
        pid, tid = track(m.lane)
        e = {"name": m.name, "cat": "event", "ph": "i", "s": "t",
             "ts": us(m.t), "pid": pid, "tid": tid}
        if m.info:
            e["args"] = dict(m.info)
        timed.append((m.t, e))
    for k, f in enumerate(tr.flows, 1):
        spid, stid = track(f.src)
        dpid, dtid = track(f.dst)
        # The start binds to the slice around it (the interrupt, or the
        # waker's run); the end to the next slice on the woken task's
        # track, the ready span that begins at the wake.
        timed.append((f.src_t, {"name": "wake", "cat": "wake", "ph": "s",
                                "id": k, "ts": us(f.src_t), "pid": spid,
                                "tid": stid}))
        timed.append((f.dst_t, {"name": "wake", "cat": "wake", "ph": "f",
                                "id": k, "ts": us(f.dst_t), "pid": dpid,
                                "tid": dtid}))
    timed.sort(key=lambda x: x[0])  # stable: equal times keep their order
    d = tr.dump
    return {
        "traceEvents": meta + [e for _, e in timed],
        "displayTimeUnit": "ms",
        "otherData": {"source": "kettle kt_trace_dump",
                      "clock_hz": d.clock_hz, "tick_hz": d.tick_hz,
                      "records": len(d.records), "lost": d.lost},
    }


# ---- SVG timeline -------------------------------------------------------------

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
           "#ff9da7", "#9c755f", "#e15759", "#bab0ac"]
SCHED_FILL = "#c9c9c9"
IRQ_FILL = "#c0392b"
TASK_ARROW = "#555555"
LANE_H, BAR_H, TOP, CHAR_W = 26, 14, 48, 7.0


def fmt(x):
    """A coordinate: at most two decimals, no trailing zeros."""
    s = "%.2f" % x
    return s.rstrip("0").rstrip(".") if "." in s else s


def esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def nice_step(span_ms, want=10):
    """A 1, 2 or 5 times a power of ten close to span_ms / want."""
    raw = max(span_ms / want, 1e-6)
    p = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * p:
            return m * p
    return 10 * p


def ms_text(v, step):
    decimals = max(0, -int(math.floor(math.log10(step) + 1e-9)))
    return "%.*f ms" % (decimals, v)


class TimeScale:
    """Microseconds to x.  Linear over [t0, t1], width pixels from left; or,
    with cut_us, every quiet stretch longer than cut_us - no record in it
    but the tick's - is cut down to a break CUT_PX wide, keeping a margin
    of it each side, so the moments something happens get the width.  A
    real trace is microseconds of work between milliseconds of idling:
    drawn linearly, every run is a hairline.  The longest stretches are cut
    first, as many as leave half the width to the rest."""

    CUT_PX = 12

    def __init__(self, tr, t0, t1, left, width, cut_us=None):
        self.t0, self.t1, self.left, self.width = t0, t1, left, width
        self.cuts = []
        if cut_us:
            margin = min(20.0, cut_us / 4)
            points = sorted({t0, t1} | {e.t for e in tr.events
                                        if not e.tick and t0 < e.t < t1})
            quiet = [(a + margin, b - margin) for a, b in zip(points, points[1:])
                     if b - a > cut_us]
            keep = max(0, int(width / 2 // self.CUT_PX))
            quiet.sort(key=lambda c: c[0] - c[1])
            self.cuts = sorted(quiet[:keep])
        linear = (t1 - t0) - sum(b - a for a, b in self.cuts)
        self.scale = (width - self.CUT_PX * len(self.cuts)) / linear
        self.starts = [a for a, _ in self.cuts]
        self.at = []  # x where each cut begins
        done = 0.0
        for i, (a, b) in enumerate(self.cuts):
            self.at.append(left + (a - t0 - done) * self.scale + i * self.CUT_PX)
            done += b - a

    def __call__(self, t):
        t = min(max(t, self.t0), self.t1)
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return self.left + (t - self.t0) * self.scale
        a, b = self.cuts[i]
        if t <= b:
            return self.at[i] + (t - a) / (b - a) * self.CUT_PX
        return self.at[i] + self.CUT_PX + (t - b) * self.scale

    def cut_of(self, a, b):
        """The index of the cut [a, b] lies in, or None."""
        i = bisect.bisect_right(self.starts, a) - 1
        return i if i >= 0 and b <= self.cuts[i][1] else None

    def segments(self):
        """The stretches drawn to scale, [(start, end)]."""
        edges = [self.t0] + [x for c in self.cuts for x in c] + [self.t1]
        return list(zip(edges[0::2], edges[1::2]))


def merge(spans, x, min_gap=0.5):
    """Runs of spans closer than min_gap pixels, as [(x0, x1, [spans])]:
    a long trace draws one mark per pixel, not one per span."""
    out = []
    for s in spans:
        x0, x1 = x(s.start), x(s.end)
        if out and x0 - out[-1][1] < min_gap:
            out[-1][1] = max(out[-1][1], x1)
            out[-1][2].append(s)
        else:
            out.append([x0, x1, [s]])
    return out


def to_svg(tr, width=1000, start_ms=None, end_ms=None, cut_us=None):
    """The Trace as an SVG document (a str), lanes top to bottom; cut_us
    cuts quiet stretches short (TimeScale)."""
    lanes = tr.lane_order()
    t0 = (start_ms or 0.0) * 1000.0
    t1 = end_ms * 1000.0 if end_ms is not None else tr.t_end
    if t1 <= t0:
        t1 = t0 + 1.0
    left = 16 + CHAR_W * max([len(l.name) for l in lanes] + [8])
    right = left + width
    x = TimeScale(tr, t0, t1, left, width, cut_us)
    row = {l.key: i for i, l in enumerate(lanes)}
    mid = lambda lane: TOP + row[lane.key] * LANE_H + LANE_H / 2
    axis_y = TOP + len(lanes) * LANE_H + 8
    height = axis_y + 62
    colour = {}
    for l in lanes:
        if l.kind == "irq":
            colour[l.key] = IRQ_FILL
        elif l.num == SCHED:
            colour[l.key] = SCHED_FILL
        else:
            colour[l.key] = PALETTE[len(colour) % len(PALETTE)]
    # Spans that only touch the window's edges stay out; marks of no
    # length at the edges stay in.
    inside = lambda a, b: (b > t0 and a < t1) or (a == b and t0 <= a <= t1)
    d = tr.dump
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" '
        'viewBox="0 0 %s %s" font-family="Helvetica, Arial, sans-serif" '
        'font-size="12">' % (fmt(right + 24), fmt(height), fmt(right + 24),
                             fmt(height)),
        '<defs>%s</defs>' % "".join(
            '<marker id="arrow-%s" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>' % (k, c)
            for k, c in (("irq", IRQ_FILL), ("task", TASK_ARROW))),
        '<rect width="100%" height="100%" fill="white"/>',
        '<text class="title" x="16" y="22" font-size="14" font-weight="bold">'
        'kettle schedule: %d records, %s ms, clock %s MHz%s%s</text>'
        % (len(d.records), "%.3f" % ((t1 - t0) / 1000.0),
           fmt((d.clock_hz or 0) / 1e6),
           ", %d older records lost" % d.lost if d.lost else "",
           "; quiet stretches over %s us cut short (shaded)" % fmt(cut_us)
           if x.cuts else ""),
    ]
    for l in lanes:
        y = TOP + row[l.key] * LANE_H
        if row[l.key] % 2 == 0:
            out.append('<rect class="lane-bg" x="0" y="%s" width="%s" '
                       'height="%d" fill="#f4f4f4"/>' % (fmt(y), fmt(right + 24),
                                                        LANE_H))
        out.append('<text class="lane-name" x="%s" y="%s" text-anchor="end" '
                   'dominant-baseline="middle">%s</text>'
                   % (fmt(left - 8), fmt(y + LANE_H / 2), esc(l.name)))
    # Interrupts inside a cut (the tick's: nothing else is cut) are only
    # counted, in the cut's tooltip.
    in_cut = [0] * len(x.cuts)
    for s in tr.spans:
        i = x.cut_of(s.start, s.end) if s.kind == "irq" else None
        if i is not None:
            in_cut[i] += 1
    for (a, b), n in zip(x.cuts, in_cut):
        out.append('<rect class="cut" x="%s" y="%d" width="%d" height="%d" '
                   'fill="#000000" fill-opacity="0.07"><title>%.3f ms cut '
                   'short: %.3f-%.3f ms, %d tick interrupt%s</title></rect>'
                   % (fmt(x(a)), TOP, x.CUT_PX, len(lanes) * LANE_H,
                      (b - a) / 1000.0, a / 1000.0, b / 1000.0, n,
                      "" if n == 1 else "s"))
    # Blocked and ready spans first, so running bars and ticks draw on top.
    for s in tr.spans:
        if s.kind not in ("blocked", "ready") or not inside(s.start, s.end):
            continue
        x0, x1, y = x(s.start), x(s.end), mid(s.lane)
        if x1 - x0 < 1:
            continue
        tip = "%s %s: %.3f-%.3f ms" % (s.lane.name, span_name(s),
                                       s.start / 1000.0, s.end / 1000.0)
        if "woken by" in s.info:
            tip += ", woken by " + s.info["woken by"]
        if s.kind == "ready":
            out.append('<rect class="ready" data-lane="%s" x="%s" y="%s" '
                       'width="%s" height="4" fill="#dddddd"><title>%s</title>'
                       '</rect>' % (esc(s.lane.name), fmt(x0), fmt(y - 2),
                                    fmt(x1 - x0), esc(tip)))
            continue
        out.append('<line class="blocked" data-lane="%s" data-wait="%s" '
                   'x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999999" '
                   'stroke-dasharray="3,3"><title>%s</title></line>'
                   % (esc(s.lane.name), esc(s.label), fmt(x0), fmt(y), fmt(x1),
                      fmt(y), esc(tip)))
        if x1 - x0 > CHAR_W * len(s.label) + 8:
            out.append('<text class="wait" x="%s" y="%s" text-anchor="middle" '
                       'font-size="10" fill="#555555">%s</text>'
                       % (fmt((x0 + x1) / 2), fmt(y - 3), esc(s.label)))
    for l in lanes:
        kind = "irq" if l.kind == "irq" else "run"
        spans = [s for s in tr.spans if s.lane is l and s.kind == kind
                 and inside(s.start, s.end)
                 and (kind != "irq" or x.cut_of(s.start, s.end) is None)]
        for x0, x1, group in merge(spans, x):
            first, last = group[0], group[-1]
            if len(group) == 1:
                tip = "%s %s: %.3f-%.3f ms (%.1f us)" % (
                    l.name, "interrupt" if kind == "irq" else "running",
                    first.start / 1000.0, first.end / 1000.0,
                    first.end - first.start)
            else:
                tip = "%s: %d %s, %.3f-%.3f ms" % (
                    l.name, len(group), "interrupts" if kind == "irq"
                    else "runs", first.start / 1000.0, last.end / 1000.0)
            w = max(x1 - x0, 1.0)
            out.append('<rect class="%s" data-lane="%s" x="%s" y="%s" '
                       'width="%s" height="%d" fill="%s"><title>%s</title>'
                       '</rect>' % (kind, esc(l.name), fmt(x0),
                                    fmt(mid(l) - BAR_H / 2), fmt(w), BAR_H,
                                    colour[l.key], esc(tip)))
    for f in tr.flows:
        if not (t0 <= f.src_t <= t1 and t0 <= f.dst_t <= t1):
            continue
        y0, y1 = mid(f.src), mid(f.dst)
        # From the source bar's edge to the woken lane's bar edge.
        sign = -1 if y1 < y0 else 1
        out.append('<line class="wake" data-from="%s" data-to="%s" x1="%s" '
                   'y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.2" '
                   'marker-end="url(#arrow-%s)"><title>%s woke %s at %.3f ms'
                   '</title></line>'
                   % (esc(f.src.name), esc(f.dst.name), fmt(x(f.src_t)),
                      fmt(y0 + sign * BAR_H / 2), fmt(x(f.dst_t)),
                      fmt(y1 - sign * BAR_H / 2),
                      IRQ_FILL if f.kind == "irq" else TASK_ARROW, f.kind,
                      esc(f.src.name), esc(f.dst.name), f.dst_t / 1000.0))
    out.append(svg_axis(x, axis_y))
    # A legend, so the picture reads on its own.
    ly = axis_y + 44
    out.append(
        '<g class="legend" font-size="11">'
        '<rect x="%s" y="%s" width="18" height="10" fill="%s"/>'
        '<text x="%s" y="%s">running</text>'
        '<rect x="%s" y="%s" width="18" height="4" fill="#dddddd"/>'
        '<text x="%s" y="%s">ready</text>'
        '<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999999" '
        'stroke-dasharray="3,3"/><text x="%s" y="%s">blocked (on what)</text>'
        '<rect x="%s" y="%s" width="3" height="10" fill="%s"/>'
        '<text x="%s" y="%s">interrupt</text>'
        '<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" '
        'marker-end="url(#arrow-irq)"/><text x="%s" y="%s">woke</text></g>'
        % (fmt(left), fmt(ly - 9), PALETTE[0], fmt(left + 24), fmt(ly),
           fmt(left + 90), fmt(ly - 5), fmt(left + 114), fmt(ly),
           fmt(left + 170), fmt(ly - 4), fmt(left + 190), fmt(ly - 4),
           fmt(left + 196), fmt(ly), fmt(left + 320), fmt(ly - 9), IRQ_FILL,
           fmt(left + 330), fmt(ly), fmt(left + 400), fmt(ly - 4),
           fmt(left + 424), fmt(ly - 4), IRQ_FILL, fmt(left + 430), fmt(ly)))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def svg_axis(x, y):
    """The time axis, in ms from the oldest record: ticks at round values
    along each stretch drawn to scale, a break mark at each cut."""
    out = ['<g class="axis">']
    segs = x.segments()
    for a, b in segs:
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="black"/>'
                   % (fmt(x(a)), fmt(y), fmt(x(b)), fmt(y)))
    for a, b in x.cuts:
        xa = x(a)
        out.append('<path class="break" d="M%s,%s l4,-8 M%s,%s l4,-8" '
                   'stroke="black" fill="none"/>'
                   % (fmt(xa + 2), fmt(y + 4), fmt(xa + 6), fmt(y + 4)))
    # One step for the whole axis, from the widest stretch, so that its
    # labels are some 100 px apart; every stretch gets at least its start.
    wide = max(segs, key=lambda s: x(s[1]) - x(s[0]))
    px = max(x(wide[1]) - x(wide[0]), 1.0)
    step = nice_step((wide[1] - wide[0]) / 1000.0, max(px / 100.0, 1.0))
    last = -1e9
    for a, b in segs:
        values = [a / 1000.0] if x.cuts else []
        k = math.ceil(a / 1000.0 / step - 1e-9)
        while k * step <= b / 1000.0 + 1e-9:
            values.append(k * step)
            k += 1
        for v in sorted(set(values)):
            xv = x(v * 1000.0)
            text = ms_text(v, step if v % step < 1e-9 or step - v % step < 1e-9
                           else min(step, 0.001))
            if xv - last < CHAR_W * len(text) + 8:
                continue
            last = xv
            out.append('<line class="tick" x1="%s" y1="%s" x2="%s" y2="%s" '
                       'stroke="black"/><text x="%s" y="%s" text-anchor="middle">'
                       '%s</text>' % (fmt(xv), fmt(y), fmt(xv), fmt(y + 5),
                                      fmt(xv), fmt(y + 18), text))
    out.append('</g>')
    return "".join(out[:1]) + "\n".join(out[1:-1]) + out[-1]


# ---- text listing ---------------------------------------------------------------

def to_text(tr):
    lines = ["%12.3f us  %-9s %-14s %s" % (e.t, e.kind, e.who, e.detail)
             for e in tr.events]
    return "\n".join(lines) + ("\n" if lines else "")


# ---- command line ---------------------------------------------------------------

def irq_arg(text):
    n, sep, name = text.partition("=")
    if not sep or not n.strip().isdigit() or not name:
        raise argparse.ArgumentTypeError("expected N=NAME, got %r" % text)
    return int(n), name


def write(path, text):
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path, "w") as fh:
        fh.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Convert a kettle trace dump (KTRACE lines) to Chrome "
        "trace JSON, an SVG timeline or a text listing.")
    ap.add_argument("input", nargs="?", default="-",
                    help="the dump, among other output (default: stdin)")
    ap.add_argument("-j", "--json", metavar="FILE",
                    help="write Chrome trace event JSON ('-': stdout)")
    ap.add_argument("-s", "--svg", metavar="FILE", help="write an SVG timeline")
    ap.add_argument("-t", "--text", metavar="FILE",
                    help="write the decoded events, one a line")
    ap.add_argument("--elf", help="name interrupts after the handlers in this "
                    "image's vector table")
    ap.add_argument("--irq", type=irq_arg, action="append", default=[],
                    metavar="N=NAME", help="name exception number N")
    ap.add_argument("--clock-hz", type=int,
                    help="the trace clock's rate when the begin line is lost")
    ap.add_argument("--start", type=float, metavar="MS",
                    help="SVG: start this many ms after the oldest record")
    ap.add_argument("--end", type=float, metavar="MS", help="SVG: end here")
    ap.add_argument("--width", type=int, default=1000,
                    help="SVG: pixels for the time axis (default 1000)")
    ap.add_argument("--cut-idle", type=float, metavar="US",
                    help="SVG: cut quiet stretches longer than US microseconds "
                    "(nothing but the tick) down to a narrow break")
    a = ap.parse_args(argv)
    if not (a.json or a.svg or a.text):
        a.json = "-"
    try:
        if a.input == "-":
            dump = parse_dump(sys.stdin.read().splitlines(), a.clock_hz)
        else:
            with open(a.input, errors="replace") as fh:
                dump = parse_dump(fh.read().splitlines(), a.clock_hz)
        names = elf_irq_names(a.elf) if a.elf else {}
    except (OSError, ValueError) as e:
        print("trace2view: %s" % e, file=sys.stderr)
        return 1
    names.update(dict(a.irq))
    tr = decode(dump, names)
    for n in tr.notes:
        print("trace2view: note: %s" % n, file=sys.stderr)
    for w in tr.warnings:
        print("trace2view: warning: %s" % w, file=sys.stderr)
    if not dump.records or not dump.clock_hz:
        print("trace2view: nothing to convert", file=sys.stderr)
        return 1
    try:
        if a.json:
            write(a.json, json.dumps(to_chrome(tr), indent=None,
                                     separators=(",", ":")) + "\n")
        if a.svg:
            write(a.svg, to_svg(tr, a.width, a.start, a.end, a.cut_idle))
        if a.text:
            write(a.text, to_text(tr))
    except OSError as e:
        print("trace2view: %s" % e, file=sys.stderr)
        return 1
    if tr.warnings:
        print("trace2view: %d warning%s: converted what was intact"
              % (len(tr.warnings), "" if len(tr.warnings) == 1 else "s"),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
