#!/usr/bin/env python3
"""The tick survives a core that stands still: SysTick's tickless idle
under QEMU without -icount while the host stops and starts QEMU.

    stall_run.py --machine mps2-an385 --elf build/mps2-an385/demo.elf

Design: without -icount QEMU's SysTick counts host time, so every time the
host takes the CPU away from QEMU between two of the guest's instructions,
the counter jumps on - the window between reading SYST_CVR and writing
SYST_RVR or SYST_CVR, a few cycles on silicon, can last milliseconds (a
debugger's halt does the same on a real board).  This boots the demo with
its UART on a socket, says "quiet", and then, while a thread stops QEMU
with SIGSTOP for 0.5 to 20 ms every 1 to 10 ms, asks "uptime" every 50 ms
for --seconds.  Every answer must come, and the tick count must grow from
one to the next: before the fix in board/common/systick.c a stall between
the idle path's decision and its cut of the counter left a period of
garbage length, and uptime stood still for up to 0.67 s.  The last line is
"stall-test: N passed, N failed"; the exit status is the failures.
"""

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc):
    deadline = time.monotonic() + 10
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), 1)
            sock.settimeout(0.02)
            return sock
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stop_and_go(pid, done, rng):
    """Take the CPU away from QEMU at random moments, for random times."""
    while not done.is_set():
        time.sleep(rng.uniform(0.001, 0.010))
        os.kill(pid, signal.SIGSTOP)
        time.sleep(rng.uniform(0.0005, 0.020))
        os.kill(pid, signal.SIGCONT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", default="mps2-an385")
    ap.add_argument("--elf", required=True)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)

    port = free_port()
    proc = subprocess.Popen(
        ["qemu-system-arm", "-M", args.machine, "-kernel", args.elf,
         "-display", "none", "-monitor", "none",
         "-semihosting-config", "enable=on,target=native",
         "-chardev", "socket,id=s0,host=127.0.0.1,port=%d,server=on,wait=on" % port,
         "-serial", "chardev:s0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    done = threading.Event()
    staller = threading.Thread(target=stop_and_go, args=(proc.pid, done, rng))
    buf = bytearray()
    failures = []
    samples = []

    def read_until(rx, start, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(buf, start)
            if m:
                return m
            try:
                buf.extend(sock.recv(65536))
            except socket.timeout:
                pass
        return None

    try:
        sock = connect(port, proc)
        if read_until(re.compile(rb'"help" lists the commands\n'), 0, 15) is None:
            failures.append("no shell greeting")
        else:
            sock.sendall(b"quiet\r")
            read_until(re.compile(rb"periodic lines off"), 0, 5)
            staller.start()
            answer = re.compile(rb"up \S+ s \((\d+) ticks")
            end = time.monotonic() + args.seconds
            while time.monotonic() < end and not failures:
                start = len(buf)
                sock.sendall(b"uptime\r")
                m = read_until(answer, start, 5)
                if m is None:
                    failures.append("no answer to uptime after %d answers" % len(samples))
                    break
                ticks = int(m.group(1))
                if samples and ticks <= samples[-1]:
                    failures.append("uptime stood still or went back: %d ticks, then %d"
                                    % (samples[-1], ticks))
                samples.append(ticks)
                time.sleep(0.05)
    finally:
        done.set()
        if staller.is_alive():
            staller.join()
        try:
            os.kill(proc.pid, signal.SIGCONT)
        except OSError:
            pass
        proc.kill()
        proc.wait()

    what = "%d answers, ticks %s, seed %d" % (
        len(samples), "%d..%d" % (samples[0], samples[-1]) if samples else "-", seed)
    if failures:
        print("FAIL uptime grows while QEMU is stopped and started (%s): %s"
              % (what, "; ".join(failures)))
    else:
        print("PASS uptime grows while QEMU is stopped and started (%s)" % what)
    print("stall-test: %d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
