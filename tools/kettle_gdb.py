"""kettle's GDB commands: the schedule trace from a halted target.

    (gdb) source tools/kettle_gdb.py      (make debug loads it)
    (gdb) ktrace [FILE] [--clock-hz HZ] [--tick-hz HZ]

ktrace reads the trace ring of an image built with KT_TRACE=1 straight
from the target's memory and writes it in kt_trace_dump's text format
(kernel/trace.h) - to FILE, or to GDB's console - so tools/trace2view.py
draws it exactly as it draws a dump from the console.  It works where the
console cannot: a target stopped at a breakpoint, in a fault, or hung.

Design: the recorder's state is the static `tr` in kernel/trace.c (the
ring, its mask, the free-running head) and the task list is kt_k's
all_first/next_all chain, so the command does in Python what
kt_trace_dump does in C, line for line: count = min(head, size), the
oldest record at head - count, eight records a line, the same hex.  The
ring is read with one memory read.  Nothing on the target is written.
The clock's rate comes from calling board_cycles_hz() on the target (or
--clock-hz), the tick rate from the KT_TICK_HZ macro in the debug
information where the selected frame's source sees it (built with -g3;
or --tick-hz, else 1000).  A record being
written at the moment the target stopped may be half written; the
converter reports it if it is unreadable.
"""

import struct

import gdb

RECORDS_PER_LINE = 8


def ring_state():
    """(buf address, size, head, on) of the trace recorder."""
    try:
        tr = gdb.parse_and_eval("'trace.c'::tr")
        buf = int(tr["buf"])
        size = int(tr["mask"]) + 1
        head = int(tr["head"])
        on = int(tr["on"])
    except gdb.error as e:
        raise gdb.GdbError("ktrace: no trace recorder in this image (build it "
                           "with KT_TRACE=1, e.g. make trace-images): %s" % e)
    if buf == 0:
        raise gdb.GdbError("ktrace: the trace was never started "
                           "(kt_trace_start)")
    if size & (size - 1):
        raise gdb.GdbError("ktrace: the recorder's ring size %d is not a power "
                           "of two: is this a KT_TRACE=1 image?" % size)
    return buf, size, head, on


def tasks():
    """[(id, base prio, name)] in spawn order, as kt_task_next walks them."""
    out = []
    t = gdb.parse_and_eval("kt_k")["all_first"]
    seen = 0
    while int(t) != 0 and seen < 256:
        name = t["name"]
        out.append((int(t["id"]), int(t["base_prio"]),
                    name.string() if int(name) != 0 else "?"))
        t = t["next_all"]
        seen += 1
    return out


def number(expr):
    try:
        return int(gdb.parse_and_eval(expr))
    except gdb.error:
        return None


def dump_lines(clock_hz, tick_hz):
    buf, size, head, on = ring_state()
    count = min(head, size)
    first = (head - count) & 0xffffffff
    mem = bytes(gdb.selected_inferior().read_memory(buf, 8 * size))
    lines = ["KTRACE begin %d %d %d %d" % (count, first, clock_hz, tick_hz)]
    lines += ["KTRACE task %d %d %s" % t for t in tasks()]
    recs = []
    for i in range(count):
        at = ((first + i) & (size - 1)) * 8
        time, typ, task, arg = struct.unpack_from("<IBBH", mem, at)
        recs.append("%08x%02x%02x%04x" % (time, typ, task, arg))
    for i in range(0, len(recs), RECORDS_PER_LINE):
        lines.append("KTRACE rec " + " ".join(recs[i:i + RECORDS_PER_LINE]))
    lines.append("KTRACE end %d" % count)
    return lines, count, on


class KtraceCommand(gdb.Command):
    """Write the kettle schedule trace from the target's memory.

Usage: ktrace [FILE] [--clock-hz HZ] [--tick-hz HZ]
Writes kt_trace_dump's text format to FILE (or here) for
tools/trace2view.py.  The image must be built with KT_TRACE=1."""

    def __init__(self):
        super().__init__("ktrace", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        path, clock_hz, tick_hz = None, None, None
        while argv:
            a = argv.pop(0)
            if a in ("--clock-hz", "--tick-hz") and argv:
                try:
                    v = int(argv.pop(0), 0)
                except ValueError:
                    raise gdb.GdbError("ktrace: %s wants a number" % a)
                if a == "--clock-hz":
                    clock_hz = v
                else:
                    tick_hz = v
            elif a.startswith("-"):
                raise gdb.GdbError("ktrace: unknown option %s" % a)
            elif path is None:
                path = a
            else:
                raise gdb.GdbError("usage: ktrace [FILE] [--clock-hz HZ] "
                                   "[--tick-hz HZ]")
        if clock_hz is None:
            clock_hz = number("board_cycles_hz()")
        if not clock_hz:
            raise gdb.GdbError("ktrace: cannot call board_cycles_hz() on the "
                               "target: give --clock-hz")
        guessed = ""
        if tick_hz is None:
            tick_hz = number("KT_TICK_HZ")
        if tick_hz is None:
            # The macro is only known where the frame's source includes
            # board.h; the rate is only the dump's header anyway.
            tick_hz = 1000
            guessed = ", tick rate taken as 1000 Hz (--tick-hz)"
        lines, count, on = dump_lines(clock_hz, tick_hz)
        text = "\n".join(lines) + "\n"
        if path is None:
            gdb.write(text)
            return
        with open(path, "w") as fh:
            fh.write(text)
        gdb.write("ktrace: %d records to %s%s%s\n"
                  % (count, path, guessed,
                     " (still recording: the newest may be half written)"
                     if on else ""))


KtraceCommand()
