"""kettle's kt-net: the network counters of a halted target, as the shell's net.

    (gdb) source tools/kettle_net_gdb.py     (make debug loads it)
    (gdb) kt-net [STACK]

Design: like kt-ps, everything is read from target memory through the
debug information; nothing is written or called.  The driver's counters
are the `port.stats` of the board's static `eth` (board/<b>/eth.c), the
stack's the `stats` of STACK (default: the static `stack`, the demo's in
apps/demo/net.c).  The fields are taken from the structs' types, in
declaration order, so every counter the C code keeps is shown - a new one
with no change here - grouped into lines as `net` groups them: a
counter's group is its name up to the first '_'.  The last line, which
needs to know the outcomes (net/stats.c), is the shell's alone.
"""

import gdb


def fields(value):
    """[(name, int)] of a struct of uint32_t counters, in order."""
    return [(f.name, int(value[f.name])) for f in value.type.strip_typedefs().fields()]


def group_lines(prefix, items):
    lines, group, cur = [], None, []
    for name, v in items:
        g, _, label = name.partition("_")
        if g != group:
            if cur:
                lines.append("%s %s: %s" % (prefix, group, ", ".join(cur)))
            group, cur = g, []
        cur.append("%s %d" % (label, v) if label else "%d" % v)
    if cur:
        lines.append("%s %s: %s" % (prefix, group, ", ".join(cur)))
    return lines


def static(name):
    sym = gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError("kt-net: no static `%s` in this image" % name)
    return sym.value()


class KtNet(gdb.Command):
    """Show kettle's network counters (driver and stack) from target memory.

kt-net [STACK]: every field of the Ethernet driver's board_eth_stats and of
the stack's net_stats (STACK, default the static `stack`), grouped as the
shell's net prints them."""

    def __init__(self):
        super().__init__("kt-net", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            eth = static("eth")["port"]["stats"]
            st = (gdb.parse_and_eval(arg) if arg.strip() else static("stack"))["stats"]
            lines = group_lines("eth", fields(eth)) + group_lines("net", fields(st))
        except gdb.error as e:
            raise gdb.GdbError("kt-net: no kettle network here (%s)" % e)
        gdb.write("\n".join(lines) + "\n")


KtNet()
