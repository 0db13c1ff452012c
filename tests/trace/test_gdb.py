#!/usr/bin/env python3
"""The GDB command (tools/kettle_gdb.py) against the firmware's own dump.

    test_gdb.py --machine mps2-an385 --elf build/mps2-an385-trace/tests/sc_trace.elf \
        [--plain-elf build/mps2-an385/tests/sc_board.elf]

Runs sc_trace under QEMU with its GDB server, and gdb-multiarch in batch
mode with the script loaded: stop at sc_finish (the firmware has stopped
recording and written its dump by then), run `ktrace FILE`, let the
firmware finish.  The KTRACE lines the firmware printed on its console
and the ones the command read from memory must be the same, line for
line; trace2view must take the command's file.  With --plain-elf (an
image built without tracing) the command must refuse with a clear
message instead of reading garbage.  QEMU runs with -icount, so the
debugger's stop changes nothing the firmware sees.  Ends with
"trace-gdb: N passed, N failed".
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SCRIPT = os.path.join(ROOT, "tools", "kettle_gdb.py")
sys.path.insert(0, os.path.join(HERE, "..", "qemu"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import run  # noqa: E402  tests/qemu/run.py: free_port
import trace2view as tv  # noqa: E402

GDB = os.environ.get("GDB", "gdb-multiarch")


def debug_run(machine, elf, out_path, timeout):
    """(console output, gdb output, QEMU's exit code) of one debugged run."""
    for attempt in range(3):
        port = run.free_port()
        with tempfile.NamedTemporaryFile() as uart, \
                tempfile.TemporaryFile() as qerr:
            qemu = subprocess.Popen(
                ["qemu-system-arm", "-M", machine, "-kernel", elf,
                 "-display", "none", "-monitor", "none",
                 "-serial", "file:" + uart.name,
                 "-semihosting-config", "enable=on,target=native",
                 "-icount", "shift=3,sleep=off",
                 "-gdb", "tcp:127.0.0.1:%d" % port, "-S"],
                stdin=subprocess.DEVNULL, stdout=qerr, stderr=qerr)
            try:
                g = subprocess.run(
                    [GDB, "-q", "-nx", "-batch", elf,
                     "-ex", "target remote 127.0.0.1:%d" % port,
                     "-x", SCRIPT,
                     "-ex", "break sc_finish", "-ex", "continue",
                     "-ex", "ktrace " + out_path,
                     "-ex", "delete", "-ex", "continue"],
                    stdin=subprocess.DEVNULL, capture_output=True, text=True,
                    timeout=timeout)
                rc = qemu.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                qemu.kill()
                qemu.wait()
                return "", "timeout", None
            finally:
                if qemu.poll() is None:
                    qemu.kill()
                    qemu.wait()
            qerr.seek(0)
            if b"Address already in use" in qerr.read() and attempt < 2:
                continue
            with open(uart.name, errors="replace") as fh:
                return fh.read(), g.stdout + g.stderr, rc
    return "", "no free port", None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--plain-elf")
    ap.add_argument("--timeout", type=float, default=60.0)
    a = ap.parse_args()
    passed = failed = 0

    def check(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s%s" % (what, ("\n    | " + detail.replace(
                "\n", "\n    | ")) if detail else ""))

    if shutil.which(GDB) is None:
        print("FAIL %s not found (Debian: apt-get install gdb-multiarch)" % GDB)
        print("trace-gdb: 0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory() as d:
        out_path = os.path.join(d, "ktrace.txt")
        t0 = time.monotonic()
        console, gdb_out, rc = debug_run(a.machine, a.elf, out_path, a.timeout)
        check(rc == 0, "sc_trace under gdb exits 0", "rc %s\n%s%s" % (
            rc, console, gdb_out))
        mine = [l for l in console.splitlines() if l.startswith("KTRACE ")]
        try:
            with open(out_path) as fh:
                theirs = fh.read().splitlines()
        except OSError as e:
            theirs = []
            check(False, "ktrace wrote its file", "%s\n%s" % (e, gdb_out))
        check(len(mine) > 5 and mine == theirs,
              "ktrace's dump equals the firmware's, line for line",
              "firmware:\n%s\nktrace:\n%s\n%s" % ("\n".join(mine),
                                                   "\n".join(theirs), gdb_out))
        dump = tv.parse_dump(theirs)
        check(dump.warnings == [] and len(dump.records) > 0,
              "trace2view takes ktrace's file", "; ".join(dump.warnings))
        took = time.monotonic() - t0

        if a.plain_elf:
            console, gdb_out, rc = debug_run(a.machine, a.plain_elf,
                                             out_path + ".plain", a.timeout)
            check("ktrace: no trace recorder in this image" in gdb_out
                  and not os.path.exists(out_path + ".plain"),
                  "ktrace refuses an image built without tracing", gdb_out)
    print("trace-gdb: %d passed, %d failed (%.1f s)" % (passed, failed, took))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
