#!/usr/bin/env python3
"""make trace: run the traced demo under QEMU, talk to it, draw its schedule.

    trace_demo.py --machine mps2-an385 --elf build/mps2-an385-trace/demo.elf \
        --out build/trace

Boots the demo built with KT_TRACE=1 (it records from boot) under QEMU
with -icount shift=3,sleep=off and its UART on a TCP socket, and plays a
user at the console: waits for a few heartbeats (seconds of guest time),
types a line a key at a time, so that every key is a UART receive
interrupt waking the echo task, waits for the echo task's answer, types
"trace" and collects the dump, then "exit".  Writes everything the
console said to OUT.txt and converts it with tools/trace2view.py, naming
the interrupts from the image's vector table: OUT.json (Chrome trace
events: open it in https://ui.perfetto.dev or chrome://tracing) and
OUT.svg.  Prints the three paths.

Keys go out with a pause of real time between them; an idle guest runs
about ten times faster than real time under -icount sleep=off, so in the
picture the keys sit tens of milliseconds apart.  The exact schedule
depends on that host pacing: the picture differs a little from run to
run (the on-target test of tracing is tests/qemu/sc_trace.c).
"""

import argparse
import os
import select
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import trace2view  # noqa: E402


class Console:
    """The demo's UART over QEMU's socket, with what it said so far."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline
        self.buf = bytearray()
        self.closed = False

    def poll(self, wait):
        if self.closed:
            return
        ready, _, _ = select.select([self.sock], [], [], wait)
        if ready:
            data = self.sock.recv(65536)
            if not data:
                self.closed = True
            self.buf += data

    def wait_for(self, text, start=0):
        """Index past text in the output, or an exit with what went wrong."""
        while True:
            at = self.buf.find(text, start)
            if at >= 0:
                return at + len(text)
            if self.closed or time.monotonic() > self.deadline:
                sys.exit("trace_demo: the demo never said %r; it said:\n%s"
                         % (text.decode(), self.buf.decode("utf-8", "replace")))
            self.poll(0.1)

    def type(self, line, pause):
        for ch in line.encode() + b"\r":
            self.sock.sendall(bytes([ch]))
            end = time.monotonic() + pause
            while time.monotonic() < end:
                self.poll(max(0.0, end - time.monotonic()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc, deadline):
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            time.sleep(0.02)
    return None


def session(args, con):
    pos = con.wait_for(b"type a line")
    pos = con.wait_for(b"heartbeat %d " % args.heartbeats, pos)
    con.type(args.line, args.pause)
    pos = con.wait_for(('heard: "%s"' % args.line).encode(), pos)
    con.type("trace", args.pause)
    pos = con.wait_for(b"KTRACE end", pos)
    con.wait_for(b"\n", pos)
    con.type("exit", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True, help="the demo built with KT_TRACE=1")
    ap.add_argument("--out", required=True, help="path prefix of what is written")
    ap.add_argument("--line", default="hello kettle", help="the line typed")
    ap.add_argument("--heartbeats", type=int, default=2,
                    help="heartbeats to wait for before typing (default 2)")
    ap.add_argument("--pause", type=float, default=0.001,
                    help="real seconds between keys (default 0.001)")
    ap.add_argument("--cut-idle", type=float, default=200.0, metavar="US",
                    help="SVG: cut quiet stretches over US microseconds short "
                    "(trace2view --cut-idle; 0: linear time)")
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()

    port = free_port()
    proc = subprocess.Popen(
        ["qemu-system-arm", "-M", a.machine, "-kernel", a.elf,
         "-display", "none", "-monitor", "none",
         "-semihosting-config", "enable=on,target=native",
         "-icount", "shift=3,sleep=off",
         "-chardev", "socket,id=s0,host=127.0.0.1,port=%d,server=on,wait=on"
         % port, "-serial", "chardev:s0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + a.timeout
    try:
        sock = connect(port, proc, deadline)
        if sock is None:
            sys.exit("trace_demo: could not reach QEMU's UART socket: %s"
                     % proc.stderr.read().decode(errors="replace"))
        with sock:
            con = Console(sock, deadline)
            session(a, con)
            while not con.closed and time.monotonic() < deadline:
                con.poll(0.1)
    finally:
        if proc.poll() is None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    out = os.path.abspath(a.out)
    with open(out + ".txt", "wb") as fh:
        fh.write(bytes(con.buf))
    conv = [out + ".txt", "--elf", a.elf, "--json", out + ".json",
            "--svg", out + ".svg"]
    if a.cut_idle:
        conv += ["--cut-idle", str(a.cut_idle)]
    rc = trace2view.main(conv)
    if rc != 0:
        return rc
    for ext, what in ((".txt", "the console, with the dump"),
                      (".json", "Chrome trace events: ui.perfetto.dev or "
                       "chrome://tracing"),
                      (".svg", "the timeline")):
        print("trace: %s%s  (%s)" % (a.out, ext, what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
