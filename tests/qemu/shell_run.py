#!/usr/bin/env python3
"""The demo's shell, used as a person would, and kt-ps under gdb.

    shell_run.py --machine mps2-an385 --elf build/mps2-an385/demo.elf

Design: two sessions on the `make run` image.  The first boots it with
the UART on a TCP socket (QEMU's chardev server), types each command a
byte at a time like a terminal, and checks the shape of every answer:
help lists the table, ps has a row per task with the shell's columns and
CPU shares summing to about 100%, uptime grows, timers shows the soft
timer and task timeouts, mutex names the console mutex, hog N is caught
by the hog detector, bench prints its numbers; junk, bad arguments,
Ctrl-C, backspace and an over-long line each get their one answer and
the shell keeps working; kill worker-b cancels the consumer and the next
ps no longer lists it.  The second session starts the same image halted
(-S) under gdb-multiarch -batch with tools/kettle_ps_gdb.py, runs it to
the soft timer's fourth expiry and checks kt-ps lists every task with the
same header as ps, and kt-net shows the network counters.  Each check prints PASS/FAIL; the last line is
"shell-test: N passed, N failed" and the exit status is the failures.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
HEADER = re.compile(rb"task\s+state\s+wait\s+prio\s+stack\s+runs\s+cpu\s+hogs")
TASKS = [b"heartbeat", b"worker-a", b"worker-b", b"hogwatch", b"echo"]
PROMPT_WAIT = 15.0

passed = failed = 0


def check(ok, what, detail=b""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s" % what)
    else:
        failed += 1
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        print("FAIL %s%s" % (what, ("\n" + detail) if detail else ""))
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """The UART socket: type bytes, collect what comes back."""

    def __init__(self, port, proc):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), 1)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(0.05)
        self.buf = b""

    def poll(self):
        try:
            data = self.sock.recv(65536)
            if data:
                self.buf += data
        except socket.timeout:
            pass

    def wait_for(self, pattern, start, timeout=PROMPT_WAIT):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, start)
            if m or time.monotonic() > deadline:
                return m
            self.poll()

    def type(self, data):
        for b in data:
            self.sock.sendall(bytes([b]))
            time.sleep(0.002)

    def command(self, line, until, timeout=PROMPT_WAIT, settle=0.0):
        """Type line and Enter; the output from here to pattern until, and
        what else comes within settle seconds (lines in any order)."""
        start = len(self.buf)
        self.type(line + b"\r")
        m = self.wait_for(until, start, timeout)
        end = time.monotonic() + settle
        while m and time.monotonic() < end:
            self.poll()
        if m and settle:
            return self.buf[start:], True
        return (self.buf[start:m.end()] if m else self.buf[start:]), m is not None


def ps_rows(out):
    rows = {}
    for ln in out.splitlines():
        f = ln.split()
        if len(f) >= 8 and f[0] in TASKS + [b"net", b"udp-echo", b"(idle)"]:
            rows[f[0]] = f
        elif len(f) >= 2 and f[0] == b"(idle)":
            rows[f[0]] = f
    return rows


def cpu_sum(out):
    return sum(float(x[:-1]) for x in re.findall(rb"(\d+\.\d%)", out))


def shell_session(args):
    port = free_port()
    cmd = ["qemu-system-arm", "-M", args.machine, "-kernel", args.elf,
           "-display", "none", "-monitor", "none",
           "-semihosting-config", "enable=on,target=native",
           "-chardev", "socket,id=s0,host=127.0.0.1,port=%d,server=on,wait=on" % port,
           "-serial", "chardev:s0"]
    with tempfile.TemporaryFile() as qout:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qout,
                                stderr=subprocess.STDOUT)
        try:
            con = Console(port, proc)
            drive(con)
            out, ok = con.command(b"exit", rb"bye\n")
            check(ok, "exit says bye", out)
            try:
                rc = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                rc = None
            check(rc == 0, "QEMU exits with 0 after exit (%s)" % rc)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if failed:
            print("---- console ----")
            print(con.buf.decode("utf-8", "replace"))


def drive(con):
    m = con.wait_for(rb'"help" lists the commands\n', 0)
    check(m is not None, "banner and the shell's greeting", con.buf)
    check(re.search(rb"kettle demo: .*Running: heartbeat", con.buf) is not None,
          "the banner says what runs", con.buf)
    out, ok = con.command(b"quiet", rb"periodic lines off.*\n")
    check(ok, "quiet", out)
    time.sleep(0.3)

    out, ok = con.command(b"help", rb"\(and the demo's own: [^\n]*\)\n")
    check(ok and all(re.search(rb"\n  %s " % c, out) for c in
                     (b"help", b"ps", b"uptime", b"timers", b"mutex", b"kill",
                      b"hog", b"bench")), "help lists the commands", out)

    out, ok = con.command(b"ps", rb"\(idle\)[^\n]*\n")
    rows = ps_rows(out)
    check(ok and HEADER.search(out) is not None, "ps has its header", out)
    check(all(t in rows for t in TASKS), "ps lists every task", out)
    check(rows.get(b"echo", [b""] * 3)[1] == b"running",
          "the shell runs while it lists", out)
    check(rows.get(b"worker-b", [b""] * 3)[2] in (b"queue", b"sleep", b"mutex"),
          "the consumer waits on the queue (or its work)", out)
    check(95.0 <= cpu_sum(out) <= 101.0, "CPU shares add up (%.1f%%)" % cpu_sum(out), out)
    stack = re.search(rb"\n\s*heartbeat\s+\S+\s+\S+\s+\d+\s+(\d+)/(\d+)", out)
    check(stack is not None and 0 < int(stack.group(1)) < int(stack.group(2)),
          "stack used/size", out)

    out, ok = con.command(b"uptime", rb"up [^\n]*\n")
    m1 = re.search(rb"up (\d+)\.(\d{3}) s \((\d+) ticks", out)
    time.sleep(0.5)
    out2, ok2 = con.command(b"uptime", rb"up [^\n]*\n")
    m2 = re.search(rb"up (\d+)\.(\d{3}) s \((\d+) ticks", out2)
    check(m1 is not None and m2 is not None and int(m2.group(3)) > int(m1.group(3)),
          "uptime grows", out + out2)

    out, ok = con.command(b"timers", rb"\n\s+soft timer blink[^\n]*\n", settle=0.3)
    check(ok and re.search(rb"\d+ timers running at tick \d+", out) is not None,
          "timers shows the soft timer", out)
    check(re.search(rb"timeout of heartbeat\s+fires in\s+\d+ ms \(sleep\)", out) is not None,
          "timers shows a task's timeout with its task", out)

    out, ok = con.command(b"mutex", rb"(no task holds a mutex|held by [^\n]*)\n")
    check(ok and b"console: free" in out, "mutex names the console mutex", out)
    # worker-b holds stats 50 ms in every 700: ask until one lands there.
    seen_stats = b"stats: held by worker-b" in out
    until = time.monotonic() + 10
    while not seen_stats and time.monotonic() < until:
        o, _ = con.command(b"mutex", rb"(no task holds a mutex|held by [^\n]*)\n")
        seen_stats = b"stats: held by worker-b" in o
    check(seen_stats, "mutex shows worker-b holding stats", out)

    out, ok = con.command(b"frob nicate", rb"no such command[^\n]*\n")
    check(ok and out.count(b"\n") <= 3 and b'"frob nicate"' in out,
          "an unknown command gets one line, with the whole line", out)
    out, ok = con.command(b"ps extra", rb"usage: [^\n]*\n")
    check(ok, "an argument ps does not take is refused", out)
    out, ok = con.command(b"hog abc", rb"hog: want[^\n]*\n")
    check(ok, "hog refuses a bad number", out)
    out, ok = con.command(b"kill", rb"usage: [^\n]*\n")
    check(ok, "kill without a name is refused", out)
    out, ok = con.command(b"kill nosuch", rb"kill: no task[^\n]*\n")
    check(ok, "kill of an unknown task is refused", out)
    out, ok = con.command(b"x" * 300, rb"error: line longer than \d+[^\n]*\n")
    check(ok, "an over-long line is refused", out)
    out, ok = con.command(b"uptime", rb"up [^\n]*\n")
    check(ok, "the shell still works after it", out)
    start = len(con.buf)
    con.type(b"frob\x03")
    m = con.wait_for(rb"\^C\n", start)
    out, ok = con.command(b"uptime", rb"up [^\n]*\n")
    check(m is not None and ok and b"no such command" not in con.buf[start:],
          "Ctrl-C throws the line away", con.buf[start:])
    out, ok = con.command(b"upz\x7ftime", rb"(up |no such command)[^\n]*\n")
    check(ok and b"up " in out and b"no such" not in out, "backspace edits", out)

    out, ok = con.command(b"hog 300", rb"hog: echo ran \d+ ms[^\n]*\n")
    m = re.search(rb"hog: echo ran (\d+) ms", out)
    check(ok and m is not None and int(m.group(1)) >= 300,
          "hog 300 is caught by the hog detector", out)
    out, ok = con.command(b"ps", rb"\(idle\)[^\n]*\n")
    hogs = ps_rows(out).get(b"echo", [b"0"] * 8)[-1]
    check(hogs.isdigit() and int(hogs) >= 1, "ps counts the hog", out)

    out, ok = con.command(b"bench", rb"queue put \+ get\s+\d+ cycles\n", 30)
    check(ok and re.search(rb"mutex lock \+ unlock\s+\d+ cycles", out) is not None,
          "bench prints its timings", out)

    out, ok = con.command(b"kill worker-b", rb"kill: [^\n]*\n")
    check(ok and b"kill: cancelled worker-b" in out, "kill cancels worker-b", out)
    time.sleep(0.3)
    out, ok = con.command(b"ps", rb"\(idle\)[^\n]*\n(finished: [^\n]*\n)*")
    time.sleep(0.2)
    out += con.buf[len(con.buf):]
    rows = ps_rows(out)
    check(ok and b"worker-b" not in rows and b"heartbeat" in rows,
          "worker-b is gone from ps", out)
    m = con.wait_for(rb"finished: worker-b \(result -\d+\)", 0, 2)
    check(m is not None, "ps shows how worker-b ended", con.buf[-600:])
    out, ok = con.command(b"kill worker-b", rb"kill: [^\n]*\n")
    check(ok and b"already finished" in out, "a second kill says it is done", out)


def gdb_session(args):
    port = free_port()
    qemu = subprocess.Popen(
        ["qemu-system-arm", "-M", args.machine, "-kernel", args.elf,
         "-display", "none", "-monitor", "none", "-serial", "null",
         "-semihosting-config", "enable=on,target=native",
         "-gdb", "tcp:127.0.0.1:%d" % port, "-S"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        p = subprocess.run(
            ["gdb-multiarch", "-nx", "-batch", args.elf,
             "-x", os.path.join(ROOT, "tools", "kettle_ps_gdb.py"),
             "-x", os.path.join(ROOT, "tools", "kettle_net_gdb.py"),
             "-ex", "target remote 127.0.0.1:%d" % port,
             "-ex", "break blink_fn", "-ex", "ignore 1 3",
             "-ex", "continue", "-ex", "kt-ps", "-ex", "kt-net"],
            capture_output=True, timeout=60)
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + b"\n(gdb timed out)"
    finally:
        qemu.kill()
        qemu.wait()
    rows = ps_rows(out)
    check(HEADER.search(out) is not None, "kt-ps prints the ps header", out)
    check(all(t in rows for t in TASKS), "kt-ps lists every task", out)
    check(all(len(rows[t]) == 8 for t in TASKS if t in rows),
          "kt-ps rows have ps's columns", out)
    st = rows.get(b"heartbeat", [b""] * 9)
    check(st[1] == b"blocked" and st[2] == b"sleep",
          "kt-ps: heartbeat blocked in its sleep", out)
    used = re.search(rb"\n\s*heartbeat\s+\S+\s+\S+\s+\d+\s+(\d+)/(\d+)", out)
    check(used is not None and 0 < int(used.group(1)) < int(used.group(2)),
          "kt-ps reads the stack's high-water mark", out)
    check(80.0 <= cpu_sum(out) <= 101.0, "kt-ps: CPU shares add up", out)
    groups = re.findall(rb"^(?:eth|net) \w+:", out, re.M)
    check(all(g in groups for g in (b"eth rx:", b"eth tx:", b"net rx:", b"net arp:",
                                    b"net ip:", b"net icmp:", b"net udp:", b"net tx:"))
          and re.search(rb"^net arp: rx \d+, bad \d+, unsolicited \d+", out, re.M),
          "kt-net shows the driver's and the stack's counters", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--only", choices=["shell", "gdb"])
    args = ap.parse_args()
    if args.only != "gdb":
        shell_session(args)
    if args.only != "shell":
        gdb_session(args)
    print("shell-test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
