#!/usr/bin/env python3
"""The traced demo's status page draws the schedule: /trace.svg, live.

    test_trace_page.py --machine mps2-an385 --elf build/mps2-an385-trace/demo.elf

Boots the traced demo on QEMU's user networking with its port 80
forwarded, fetches /trace.svg twice a second apart and requires an SVG
with a lane for every task the page lists (the web tasks among them)
and at least 20 spans, the second fetch's spans later than the first's
(the picture is of now, not of boot).  Prints "N passed, N failed".
"""

import argparse
import re
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def fetch(port, path, timeout=10):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
                                timeout=timeout) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read().decode()


def last_us(svg):
    ends = [int(m) for m in re.findall(r"<title>\d+-(\d+) us</title>", svg)]
    return max(ends) if ends else -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True)
    args = ap.parse_args()
    port = free_port()
    qemu = subprocess.Popen(
        ["qemu-system-arm", "-M", args.machine, "-kernel", args.elf,
         "-display", "none", "-monitor", "none", "-serial", "null",
         "-semihosting-config", "enable=on,target=native",
         "-nic", "user,hostfwd=tcp:127.0.0.1:%d-:80" % port],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT)
    failed = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                st, ctype, first = fetch(port, "/trace.svg", 3)
                break
            except OSError:
                if time.monotonic() > deadline:
                    failed.append("no answer on port 80 within 30 s")
                    first = ""
                    break
                time.sleep(0.5)
        if first:
            time.sleep(1.0)
            st, ctype, svg = fetch(port, "/trace.svg")
            lanes = re.findall(r"<text x=\"2\" y=\"\d+\">([^<]*)</text>", svg)
            rects = svg.count("<rect")
            if st != 200 or "svg" not in ctype or not svg.startswith("<svg"):
                failed.append("status %d, type %r" % (st, ctype))
            for name in ("(scheduler)", "net", "web", "tcp-echo"):
                if name not in lanes:
                    failed.append("no lane %r (lanes: %s)" % (name, lanes))
            if rects < 20:
                failed.append("%d spans, want 20 or more" % rects)
            if last_us(svg) <= last_us(first):
                failed.append("the second picture (to %d us) is not later than "
                              "the first (%d us)" % (last_us(svg), last_us(first)))
            print("%s trace-page: %d lanes, %d spans, to %d us" % (
                "FAIL" if failed else "PASS", len(lanes), rects, last_us(svg)))
    finally:
        qemu.kill()
        qemu.wait()
    for f in failed:
        print("  " + f)
    print("%d passed, %d failed" % (0 if failed else 1, 1 if failed else 0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
