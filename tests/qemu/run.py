#!/usr/bin/env python3
"""Run kettle's on-target scenarios under QEMU and report.

    run.py --machine mps2-an385 build/mps2-an385/tests/sc_*.elf

Each ELF boots in its own QEMU under a hard timeout (the process is killed
when it expires).  The UART goes to a small pipe (-serial stdio), except for
interactive scenarios (name containing "uart_echo"), whose UART is a TCP
socket the runner connects to and talks through; so is the soak's
(name containing "soak": the protocol is soak.py's; with --soak-net,
which make passes on boards with Ethernet, QEMU's user networking also
forwards a free host UDP port to the firmware's port 7 and the runner
floods that too).  For scenarios named
"*flood*" the runner leaves the pipe unread until it is full and then
for --pause seconds more, so the firmware's UART output backs up (QEMU
writes stdio non-blocking: a full pipe stalls the UART, not the
emulator); for uart_flood it then checks the flood lines it printed.
In every scenario, lines "@@ <text> <crc32>" are checked whole, and
counted against a line "@@count N" (check_lines).  Scenarios named
"*tickless*" get UART input: a byte every --feed-gap seconds on QEMU's
stdin until it exits, each waking the firmware wherever it sleeps
(tests/qemu/sc_tickless.c).

A scenario passes when QEMU exits with code 0 (the firmware's failure
count, through semihosting), its output has no "FAIL", and it printed its
summary line "scenario <name>: N checks, 0 failed" (so a firmware that
exits 0 without finishing does not pass).  Prints "PASS name" or
"FAIL name (reason)" with the output, and at the end exactly one line
"N passed, N failed".  Exits non-zero if any failed or none ran.  Exit
codes 100-199 are the board's fault handler: 100 + exception number; 98
an overflow of the interrupt or the main stack.

Scenarios named sc_fault_* fault on purpose.  Each announces what must
happen in lines "expect: exit N" and "expect: <text>" (sc_expect_exit,
sc_expect), and passes when QEMU exits with that code and every text is
in the output outside those lines (and, for exit 0, when it passes as
any other scenario does).

Time: QEMU runs with -icount shift=3,sleep=off, so virtual time is a pure
function of the instructions executed (run after run the same) and an idle
guest skips straight to its next timer instead of waiting in real time
(with tickless idle about 30 virtual ticks pass per real millisecond when
idle): sleeping scenarios take a second or two, not their virtual duration.
The board keeps a timer running at the tick rate so that QEMU 7.2's
sleep=off does not overshoot each idle wake-up (board/mps2-an385/board.c).
The flood scenarios run with sleep=on instead: the runner stalls them in
real time, on purpose, and with sleep=off their idle virtual time would
race past the timeouts they wait with.  The interactive scenarios are paced
by the host, not by virtual time; the firmware waits for the host without
timeouts and the runner's hard timeout is the backstop.

The uart_echo protocol (firmware in tests/qemu/sc_uart_echo.c):
  1. firmware -> "uart_echo: ready\n"
  2. runner -> 12-byte header, little-endian u32s: payload length, seed,
     burst length
  3. echo: runner -> the payload, paced; the firmware echoes every byte
     verbatim and checks it against the same generator (payload()).
     Once every byte came back, runner -> "Q".
  4. burst: firmware -> "uart_echo: burst\n"; runner -> the burst at full
     speed, which the firmware lets overflow its receive buffer.
  5. firmware -> its report and summary; exits.
"""

import argparse
import concurrent.futures
import fcntl
import os
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import zlib

import soak

QEMU = "qemu-system-arm"
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)
READY = b"uart_echo: ready\n"
ECHO_WINDOW = 128  # bytes in flight at most, well under any guest buffer
SUMMARY = re.compile(rb"scenario \S+: \d+ checks, 0 failed")


def payload(count, seed):
    """The echo test data: every byte value once, then xorshift32 bytes.

    Must match sc_uart_echo.c: byte i < 256 is (i * 167 + 13) & 0xff (a
    permutation: 167 is odd), then the top byte of each xorshift32 step.
    """
    out = bytearray()
    x = seed
    for i in range(count):
        if i < 256:
            out.append((i * 167 + 13) & 0xFF)
            continue
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x >> 24)
    return bytes(out)


def burst_data(n):
    """The burst: must match burst_byte() in sc_uart_echo.c."""
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def qemu_base(args, elf):
    cmd = [
        QEMU, "-M", args.machine, "-kernel", elf,
        "-display", "none", "-monitor", "none",
        "-semihosting-config", "enable=on,target=native",
    ]
    if args.icount:
        # The flood scenarios' stalls are real time: see the top.
        sleep = "on" if "flood" in os.path.basename(elf) else "off"
        cmd += ["-icount", "shift=3,sleep=" + sleep]
    return cmd


def text(data):
    return data.decode("utf-8", errors="replace")


def verdict(rc, output, timed_out):
    """None when the scenario passed, else the reason it did not."""
    if timed_out:
        return "timeout"
    if rc != 0:
        if rc >= 100 and rc < 200:
            return "exit code %d: fault or unexpected exception %d" % (rc, rc - 100)
        return "exit code %d" % rc
    if b"FAIL" in output:
        return "output has FAIL"
    if not SUMMARY.search(output):
        return "no summary line"
    return None


EXPECT_LINE = re.compile(rb"^expect: (.*?)\r?$", re.M)


def fault_verdict(rc, output, timed_out):
    """verdict() for sc_fault_*: what the scenario announced must happen."""
    if timed_out:
        return "timeout"
    expected = EXPECT_LINE.findall(output)
    codes = [int(e[5:]) for e in expected if re.match(rb"exit \d+$", e)]
    if len(codes) != 1:
        return "announced %d exit codes, not 1" % len(codes)
    if rc != codes[0]:
        return "exit code %d, announced %d" % (rc, codes[0])
    rest = EXPECT_LINE.sub(b"", output)
    for e in expected:
        if not e.startswith(b"exit ") and e not in rest:
            return "announced %r, not in the output" % text(e)
    if b"FAIL" in rest:
        return "output has FAIL"
    return verdict(rc, output, False) if rc == 0 else None


FLOOD_LINE = re.compile(rb"^flood (\d{4}) abcdefghijklmnopqrstuvwxyz0123456789$")


def check_flood(output, lines=1000):
    """uart_flood's lines: all there, whole, in order (None when so)."""
    got = [int(m.group(1)) for m in
           (FLOOD_LINE.match(l) for l in output.splitlines()) if m]
    if got != list(range(lines)):
        bad = next((i for i in range(min(len(got), lines)) if got[i] != i),
                   min(len(got), lines))
        return "flood lines: %d whole, first missing or out of order: %d" % (
            len(got), bad)
    return None


CHECKED_LINE = re.compile(rb"^@@ (.*) ([0-9a-f]{8})$")
CHECKED_COUNT = re.compile(rb"^@@count (\d+)$", re.M)


def check_lines(output):
    """Lines "@@ <text> <crc32 of text, hex>" must be whole, and as many as
    a line "@@count N" announced (None when so, or when there are none).
    Scenarios use them for output whose integrity only the host can see."""
    count = CHECKED_COUNT.search(output)
    lines = [l for l in output.splitlines() if l.startswith(b"@@ ")]
    if count is None and not lines:
        return None
    bad = 0
    for l in lines:
        m = CHECKED_LINE.match(l)
        if not m or int(m.group(2), 16) != zlib.crc32(m.group(1)):
            bad += 1
    want = int(count.group(1)) if count else -1
    if bad or len(lines) != want:
        return "checked lines: %d of %d announced, %d broken" % (
            len(lines), want, bad)
    return None


def wait_pipe_full(rfd, proc, until):
    """Until the pipe holds all it can, QEMU exits, or until passes.

    A fixed pause alone is a race: on a loaded host QEMU may not reach the
    flood before the pause is over, and then nothing ever backs up.
    """
    try:
        size = fcntl.fcntl(rfd, F_GETPIPE_SZ)
    except OSError:
        return
    while time.monotonic() < until and proc.poll() is None:
        held = fcntl.ioctl(rfd, termios.FIONREAD, b"\0\0\0\0")
        if struct.unpack("i", held)[0] >= size:
            return
        time.sleep(0.01)


def feed(proc, gap):
    """Write a byte to QEMU's stdin every gap seconds until it exits."""
    try:
        while proc.poll() is None:
            proc.stdin.write(b".")
            proc.stdin.flush()
            time.sleep(gap)
    except (BrokenPipeError, ValueError, OSError):
        pass  # QEMU exited between the poll and the write


def run_plain(args, elf):
    """Run to exit with the UART on a pipe; returns (reason, output).

    The pipe is made small (4 KB), and for uart_flood the runner reads
    nothing for --pause seconds, so that QEMU's UART backs up (QEMU writes
    its stdio non-blocking, so a full pipe stalls the UART, not QEMU).
    """
    flood = "flood" in os.path.basename(elf)
    fed = "tickless" in os.path.basename(elf)
    cmd = qemu_base(args, elf) + ["-serial", "stdio"]
    rfd, wfd = os.pipe()
    try:
        fcntl.fcntl(rfd, F_SETPIPE_SZ, 4096)
    except OSError:
        pass  # not Linux: the pipe keeps its size, flood waits less
    with tempfile.TemporaryFile() as qerr:
        proc = subprocess.Popen(cmd, stdout=wfd, stderr=qerr,
                                stdin=subprocess.PIPE if fed else subprocess.DEVNULL)
        os.close(wfd)
        feeder = None
        if fed:
            feeder = threading.Thread(target=feed, args=(proc, args.feed_gap),
                                      daemon=True)
            feeder.start()
        deadline = time.monotonic() + args.timeout
        if flood:
            wait_pipe_full(rfd, proc, min(deadline, time.monotonic() + 5))
            time.sleep(args.pause)
        out = bytearray()
        timed_out = False
        with os.fdopen(rfd, "rb", buffering=0) as r:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    timed_out = True
                    break
                ready, _, _ = select.select([r], [], [], left)
                if not ready:
                    continue
                data = r.read(65536)
                if not data:
                    break
                out += data
        if timed_out:
            proc.kill()
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        if feeder is not None:
            feeder.join()
            try:
                proc.stdin.close()
            except OSError:
                pass  # a byte the feeder could not write: QEMU had gone
        qerr.seek(0)
        err = qerr.read()
    if os.path.basename(elf).startswith("sc_fault_"):
        reason = fault_verdict(proc.returncode, bytes(out), timed_out)
    else:
        reason = verdict(proc.returncode, bytes(out), timed_out)
    if reason is None and "uart_flood" in os.path.basename(elf):
        reason = check_flood(bytes(out))
    if reason is None:
        reason = check_lines(bytes(out))
    return reason, bytes(out) + err


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc, deadline):
    """Connect to QEMU's UART socket, retrying while QEMU starts up.

    """
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(1)
        try:
            sock.connect(("127.0.0.1", port))
            return sock
        except OSError:
            sock.close()
            time.sleep(0.02)
    return None


class Uart:
    """The runner's end of the UART socket, with a receive buffer."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.sock.setblocking(False)
        self.buf = bytearray()
        self.deadline = deadline
        self.eof = False

    def poll(self, wait):
        """Take what has arrived, waiting at most wait seconds for it."""
        wait = max(0.0, min(wait, self.deadline - time.monotonic()))
        if self.eof:
            time.sleep(wait)
            return
        ready, _, _ = select.select([self.sock], [], [], wait)
        if not ready:
            return
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.eof = True
        self.buf += data

    def send(self, data):
        """Send all of data before the deadline; on failure, mark EOF."""
        try:
            self.sock.settimeout(max(0.1, self.deadline - time.monotonic()))
            self.sock.sendall(data)
        except OSError:
            self.eof = True
        self.sock.setblocking(False)

    def expired(self):
        return time.monotonic() >= self.deadline

    def wait_for(self, pattern, start=0):
        """Index just past pattern (searched from start), None on timeout/EOF."""
        while True:
            at = self.buf.find(pattern, start)
            if at >= 0:
                return at + len(pattern)
            if self.eof or self.expired():
                return None
            self.poll(0.1)

    def wait_len(self, n):
        """Wait until the buffer holds n bytes; False on timeout/EOF."""
        while len(self.buf) < n:
            if self.eof or self.expired():
                return False
            self.poll(0.1)
        return True


def first_difference(got, want):
    n = min(len(got), len(want))
    return next((i for i in range(n) if got[i] != want[i]), n)


def echo_session(args, uart):
    """Talk the uart_echo protocol; returns (reason or None, shown output).

    The shown output is what the firmware printed, with the binary echo
    replaced by a line of the runner's.
    """
    start = uart.wait_for(READY)
    if start is None:
        return "no ready banner", bytes(uart.buf)
    data = payload(args.echo_bytes, args.seed)
    uart.send(struct.pack("<III", len(data), args.seed, args.burst))

    # 3. echo, paced
    sent = 0
    begun = time.monotonic()
    while len(uart.buf) - start < len(data):
        if uart.eof or uart.expired():
            break
        # Never more than a window unechoed: a slow (loaded) host slows the
        # guest, and an open-loop sender would then overflow its buffers.
        unechoed = sent - (len(uart.buf) - start)
        if sent < len(data) and unechoed < ECHO_WINDOW:
            due = begun + sent / args.rate
            now = time.monotonic()
            if now >= due:
                chunk = data[sent:sent + args.chunk]
                uart.send(chunk)
                sent += len(chunk)
                continue
            uart.poll(due - now)
        else:
            uart.poll(0.1)
    echoed = bytes(uart.buf[start:start + len(data)])
    shown = bytes(uart.buf[:start])
    pos = start + len(echoed)
    if echoed != data:
        return "echo differs at byte %d of %d (got %d bytes back)" % (
            first_difference(echoed, data), len(data), len(echoed)), \
            shown + bytes(uart.buf[pos:])
    took = time.monotonic() - begun
    shown += b"[runner: %d bytes echoed in order, %.2f s, %.0f B/s]\n" % (
        len(data), took, len(data) / took)
    uart.send(b"Q")

    # 4. burst, unpaced and unread by the firmware
    if args.burst:
        end = uart.wait_for(b"uart_echo: burst\n", pos)
        if end is None:
            return "no burst prompt", shown + bytes(uart.buf[pos:])
        uart.send(burst_data(args.burst))

    # 5. the report, until QEMU exits and closes the socket
    while not uart.eof and not uart.expired():
        uart.poll(0.2)
    return None, shown + bytes(uart.buf[pos:])


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_interactive(args, elf, session=echo_session, net=False):
    """Run with the UART on a TCP socket and drive session's protocol.
    With net, QEMU's user networking forwards a free host UDP port to the
    firmware's port 7, and session gets the port as a third argument."""
    for attempt in range(3):
        port = free_port()
        cmd = qemu_base(args, elf) + [
            "-chardev",
            "socket,id=s0,host=127.0.0.1,port=%d,server=on,wait=on" % port,
            "-serial", "chardev:s0",
        ]
        talk = session
        if net:
            uport = free_udp_port()
            cmd += ["-nic", "user,hostfwd=udp:127.0.0.1:%d-:7" % uport]
            talk = lambda a, u, p=uport: session(a, u, p)
        with tempfile.TemporaryFile() as qout:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=qout, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + args.timeout
            sock = connect(port, proc, deadline)
            if sock is None:
                proc.kill()
                proc.wait()
                qout.seek(0)
                err = qout.read()
                if (b"Address already in use" in err or
                        b"host forwarding rule" in err) and attempt < 2:
                    continue  # lost the race for the port: another one
                return "could not connect to the UART socket", err
            with sock:
                reason, shown = talk(args, Uart(sock, deadline))
                if reason is not None:
                    proc.kill()  # the firmware waits for what never comes
                timed_out = False
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    timed_out = True
            qout.seek(0)
            shown += b"".join(l for l in qout.read().splitlines(True)
                              if b"QEMU waiting for connection" not in l)
            if reason is None:
                reason = verdict(proc.returncode, shown, timed_out)
            return reason, shown
    return "no free port", b""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True, help="QEMU -M machine")
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="hard limit per scenario, seconds (default 20)")
    ap.add_argument("--no-icount", dest="icount", action="store_false",
                    help="run in real time instead of -icount shift=3,sleep=off")
    ap.add_argument("--echo-bytes", type=int, default=4096,
                    help="uart_echo payload size (default 4096)")
    ap.add_argument("--rate", type=float, default=8000.0,
                    help="uart_echo send rate, bytes per second (default 8000)")
    ap.add_argument("--chunk", type=int, default=64,
                    help="uart_echo bytes per send (default 64)")
    ap.add_argument("--seed", type=int, default=0x6b657474,
                    help="uart_echo payload seed (nonzero)")
    ap.add_argument("--burst", type=int, default=2048,
                    help="uart_echo unread burst size, to overflow (default 2048)")
    ap.add_argument("--pause", type=float, default=0.3,
                    help="uart_flood: seconds before reading starts (default 0.3)")
    ap.add_argument("--feed-gap", type=float, default=0.003,
                    help="tickless scenarios: seconds between UART bytes (default 0.003)")
    ap.add_argument("--soak-seconds", type=float, default=3.0,
                    help="soak: guest seconds of flood and churn (default 3)")
    ap.add_argument("--soak-window", type=int, default=4096,
                    help="soak: bytes in flight at most (default 4096)")
    ap.add_argument("--soak-net", action="store_true",
                    help="soak: flood the network too (boards with Ethernet)")
    ap.add_argument("--soak-net-window", type=int, default=6000,
                    help="soak: frame bytes in flight at most on the network "
                    "(default 6000; QEMU's LAN9118 holds 10560)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="scenarios paced by virtual time alone run this many "
                    "at a time (default: the CPUs)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the output of passing scenarios too")
    ap.add_argument("elfs", nargs="*")
    args = ap.parse_args()
    if not 0 < args.seed < 1 << 32:
        ap.error("--seed must be a nonzero 32-bit number (xorshift)")

    def run_one(elf):
        name = os.path.splitext(os.path.basename(elf))[0]
        t0 = time.monotonic()
        if "uart_echo" in name:
            reason, output = run_interactive(args, elf)
        elif "soak" in name:
            reason, output = run_interactive(soak.with_timeout(args), elf,
                                             soak.session, args.soak_net)
        else:
            reason, output = run_plain(args, elf)
        return name, reason, output, time.monotonic() - t0

    # Scenarios paced by virtual time alone run --jobs at a time; those
    # the host paces in real time (fed, flooded, soaked) run alone, after.
    def host_paced(elf):
        return any(k in os.path.basename(elf)
                   for k in ("uart_echo", "soak", "flood", "tickless"))

    alone = [e for e in args.elfs if host_paced(e)]
    together = [e for e in args.elfs if not host_paced(e)]
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(run_one, together))
    results += [run_one(e) for e in alone]

    passed = failed = 0
    for name, reason, output, took in results:
        if reason is None:
            passed += 1
            print("PASS %s (%.2f s)" % (name, took))
        else:
            failed += 1
            print("FAIL %s (%s)" % (name, reason))
        if reason is not None or args.verbose:
            for line in text(output).splitlines():
                print("    | " + line)
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
