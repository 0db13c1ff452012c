#!/usr/bin/env python3
"""Run an application's image under QEMU and check what it prints.

    app_check.py --machine mps2-an385 --expect expected.txt app.elf

The expect file lists, one per line, lines the firmware must print, in
that order (other lines may come in between; trailing blanks and CRs are
ignored).  Blank lines and lines starting with "#" are comments.  A line

    !udp <text> => <reply>

sends <text> as one UDP datagram to the firmware's port 7 (QEMU's user
networking forwards a free host port to it) once everything above it was
seen, and waits for a datagram back holding exactly <reply> (it resends a
few times: the first may be spent resolving addresses).

The check passes when every line was seen, every reply came back and the
firmware then stopped with exit code 0 (board_exit through semihosting:
main returning, or a task calling board_exit(0)).  Like tests/qemu/run.py
it runs QEMU under -icount shift=3,sleep=off, so sleeps take little real
time and the output is the same run after run; except with !udp lines,
whose peer is this script, in real time.  Prints the output and
"PASS name" or "FAIL name (reason)"; exits non-zero on failure.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\r\n").rstrip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("!udp "):
                send, sep, reply = line[5:].partition(" => ")
                if not sep:
                    raise SystemExit("%s: '!udp' needs '<text> => <reply>': %r"
                                     % (path, line))
                steps.append(("udp", send, reply))
            else:
                steps.append(("line", line, None))
    if not steps:
        raise SystemExit("%s: expects nothing" % path)
    return steps


class Console:
    """QEMU's console, read by a thread into lines."""

    def __init__(self, proc):
        self.proc = proc
        self.lines = []
        self.partial = b""
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        while True:
            data = self.proc.stdout.read1(4096)
            with self.cond:
                if not data:
                    if self.partial:
                        self.lines.append(self.partial)
                        self.partial = b""
                    self.cond.notify_all()
                    return
                self.partial += data
                *whole, self.partial = self.partial.split(b"\n")
                self.lines += whole
                self.cond.notify_all()

    def wait_line(self, want, start, deadline):
        """Index of the first line at or after start equal to want."""
        want = want.encode()
        with self.cond:
            i = start
            while True:
                while i < len(self.lines):
                    if self.lines[i].rstrip(b"\r").rstrip() == want:
                        return i
                    i += 1
                if self.proc.poll() is not None and not self.thread.is_alive():
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.5))

    def text(self):
        with self.cond:
            out = b"\n".join(self.lines + [self.partial])
        return out.decode("utf-8", errors="replace")


def udp_exchange(port, send, reply, deadline):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    try:
        while time.monotonic() < deadline:
            s.sendto(send.encode(), ("127.0.0.1", port))
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            return data.decode("utf-8", errors="replace")
    finally:
        s.close()
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("elf")
    args = ap.parse_args()

    name = os.path.splitext(os.path.basename(args.elf))[0]
    steps = parse(args.expect)
    udp = any(kind == "udp" for kind, _, _ in steps)
    cmd = ["qemu-system-arm", "-M", args.machine, "-kernel", args.elf,
           "-display", "none", "-monitor", "none", "-serial", "stdio",
           "-semihosting-config", "enable=on,target=native"]
    port = None
    if udp:
        port = free_port()
        cmd += ["-nic", "user,hostfwd=udp:127.0.0.1:%d-:7" % port]
    else:
        cmd += ["-icount", "shift=3,sleep=off"]

    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    console = Console(proc)
    deadline = time.monotonic() + args.timeout
    reason = None
    at = 0
    try:
        for kind, a, b in steps:
            if kind == "line":
                i = console.wait_line(a, at, deadline)
                if i is None:
                    reason = "never printed %r" % a
                    break
                at = i + 1
            else:
                got = udp_exchange(port, a, b, min(deadline, time.monotonic() + 15))
                if got != b:
                    reason = "UDP %r: got %r, want %r" % (a, got, b)
                    break
        if reason is None:
            try:
                rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                rc = None
                reason = "did not exit within %gs" % args.timeout
            if rc is not None and rc != 0:
                reason = "exit code %d" % rc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        console.thread.join(timeout=5)

    print(console.text())
    if reason:
        print("FAIL %s (%s)" % (name, reason))
        return 1
    print("PASS %s: %d expected lines seen, exit 0" % (name, len(steps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
