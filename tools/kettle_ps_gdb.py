"""kettle's kt-ps: the task list of a halted target, as the shell's ps.

    (gdb) source tools/kettle_ps_gdb.py     (make debug loads it)
    (gdb) kt-ps

Design: everything comes from target memory through the debug
information, nothing is written and nothing on the target is called, so
it works on a board stopped anywhere - at a breakpoint, in a fault
handler, hung.  The tasks are kt_k's all_first/next_all chain; each
struct kt_task gives name, state, wait, prio, stack, stack_size, runs,
ticks and hogs.  The stack's high-water mark is found as the kernel's
kt_task_info finds it: the lowest word that is no longer the paint
pattern (kernel/task.c's STACK_PAINT), read in one memory read per task.
The CPU share is ticks against the sum of all tasks' ticks and kt_k's
idle ticks; the columns are the shell's (apps/demo/shell.c cmd_ps), so a
table from the console and one from the debugger read the same way.
Finished tasks are listed after the table, as the shell does.
"""

import struct

import gdb

STACK_PAINT = 0xA5A5A5A5
STATES = ["unused", "new", "ready", "running", "blocked", "done"]
WAITS = ["-", "sleep", "join", "event", "mutex", "sem", "queue", "any"]
MAX_TASKS = 256  # the chain is walked at most this far: memory may be bad


def name_of(list_, i):
    return list_[i] if 0 <= i < len(list_) else "?"


def idle_ticks():
    """kt_idle_ticks(): the ticks that found the scheduler's own context."""
    for expr in ("kt_k.sched.ticks",):
        try:
            return int(gdb.parse_and_eval(expr))
        except gdb.error:
            continue
    return 0


def stack_used(inferior, base, size):
    if base == 0 or size == 0:
        return 0
    mem = bytes(inferior.read_memory(base, size))
    words = struct.unpack("<%dI" % (size // 4), mem[: size // 4 * 4])
    for i, w in enumerate(words):
        if w != STACK_PAINT:
            return size - i * 4
    return 0


def tasks():
    t = gdb.parse_and_eval("kt_k.all_first")
    seen = 0
    while int(t) != 0 and seen < MAX_TASKS:
        yield t.dereference()
        t = t.dereference()["next_all"]
        seen += 1


class KtPs(gdb.Command):
    """List kettle's tasks from target memory, with the columns of the shell's ps.

kt-ps: name, state, what it waits on, priority, stack used/size, run count,
share of CPU ticks (idle included in the total) and hog count."""

    def __init__(self):
        super().__init__("kt-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            rows = list(tasks())
        except gdb.error as e:
            raise gdb.GdbError("kt-ps: no kettle kernel here (%s)" % e)
        inferior = gdb.selected_inferior()
        idle = idle_ticks()
        total = idle + sum(int(t["ticks"]) for t in rows) or 1
        out = ["%-10s %-8s %-6s %4s %11s %8s %6s %4s" % (
            "task", "state", "wait", "prio", "stack", "runs", "cpu", "hogs")]
        done = []
        for t in rows:
            name = t["name"].string() if int(t["name"]) else "?"
            state = int(t["state"])
            if name_of(STATES, state) == "done":
                done.append("finished: %s (result %d)" % (name, int(t["result"])))
                continue
            size = int(t["stack_size"])
            used = stack_used(inferior, int(t["stack"]), size)
            permille = int(t["ticks"]) * 1000 // total
            out.append("%-10s %-8s %-6s %4d %5d/%-5d %8d %4d.%d%% %4d" % (
                name, name_of(STATES, state), name_of(WAITS, int(t["wait"])),
                int(t["prio"]), used, size, int(t["runs"]),
                permille // 10, permille % 10, int(t["hogs"])))
        permille = idle * 1000 // total
        out.append("%-10s %-8s %-6s %4s %11s %8s %4d.%d%%" % (
            "(idle)", "", "", "", "", "", permille // 10, permille % 10))
        gdb.write("\n".join(out + done) + "\n")


KtPs()
