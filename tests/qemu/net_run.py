#!/usr/bin/env python3
"""Network tests of kettle's firmware against real peers, under QEMU.

    net_run.py --machine mps2-an385 --demo demo.elf \\
        --pair net_pair.elf[:machine] [--pair other.elf:machine]

Three tests, each against a peer we did not write:

  udp-user  The demo image on QEMU's user networking (slirp) with a
            forwarded host UDP port.  Its DHCP client must first get
            10.0.2.15 and the gateway from slirp's DHCP server.  This script, through the host's own
            socket stack, sends every size from 1 to 1472 bytes once
            (1472 datagrams, shuffled, random contents) to the demo's echo
            service on port 7 and requires each back byte-exact, one at a
            time (a lost datagram fails: nothing is resent).  The demo's
            "net" console command must then count them.
  tap       The demo on a TAP device inside a network namespace this
            script creates (addresses 192.0.2.0/24 only): the namespace's
            own `ping -c 20` must get 20 replies, its neighbour table must
            hold the board's MAC, and 200 datagrams from a socket in the
            namespace must come back byte-exact.  The namespace, and the
            TAP device with it, is deleted whatever happens.  Skipped, with
            the reason, where the machine cannot create one (not root, no
            /dev/net/tun, no `ip`).
  hostile   The demo on a QEMU UDP socket netdev whose other end is this
            script: 1,649 random and hostile frames of 14..2040 bytes
            (garbage, other stations, multicast, oversized, forged ARP,
            bad IP/ICMP/UDP, pings, echoes), in bursts QEMU's MAC FIFO
            holds; the counters the demo's `net` prints must account for
            every frame sent, each once (driver), every frame the stack
            took once by outcome, and every unasked ARP reply refused.
  dhcp-fallback  The demo on a link with no one else on it (a socket
            netdev nobody connects to): its DHCP client must give up after
            its DISCOVERs (about 12 s of RFC 2131 back-off) and take the
            static 10.0.2.15.  It boots first and is checked last, so its
            wait overlaps the other tests.
  pair      Two boards on one link (QEMU socket netdev, distinct MACs),
            each running tests/qemu/net_pair.c: UDP both ways at once,
            every datagram echoed byte-exact by the other board.

The demo's address is set over its console ("ip ..."); each QEMU's
console is a pipe, read by a thread.  Timing is real (no -icount): the
peers are real programs.  Prints PASS/FAIL/SKIP per test and a last line
"N passed, N failed, N skipped"; exits non-zero if any failed.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

QEMU = "qemu-system-arm"
TAP_IF = "kttap0"
TAP_HOST_IP = "192.0.2.1"
TAP_BOARD_IP = "192.0.2.2"
TAP_MAC = "52:54:00:c0:00:02"
PAIR_IPS = ("192.0.2.10", "192.0.2.11")
PAIR_MACS = ("52:54:00:00:00:0a", "52:54:00:00:00:0b")
PAIR_SUMMARY = re.compile(rb"scenario net_pair: \d+ checks, 0 failed")


class Board:
    """One QEMU with its console on pipes and a thread collecting output."""

    def __init__(self, machine, elf, net_args, prefix=()):
        cmd = list(prefix) + [
            QEMU, "-M", machine, "-kernel", elf, "-display", "none",
            "-monitor", "none", "-semihosting-config", "enable=on,target=native",
            "-serial", "stdio"] + net_args
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            data = self.proc.stdout.read1(65536)
            if not data:
                return
            with self.lock:
                self.out += data

    def text(self):
        with self.lock:
            return bytes(self.out)

    def wait_for(self, pattern, timeout, start=0):
        """The regex match in the output (from start), or None on timeout/exit."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text(), start)
            if m:
                return m
            if self.proc.poll() is not None or time.monotonic() > deadline:
                # One last look: the output may have landed as it exited.
                self.reader.join(0.5)
                return rx.search(self.text(), start)
            time.sleep(0.02)

    def send(self, line):
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(1)


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shown(board):
    return board.text().decode("utf-8", errors="replace")


# ---- udp-user -----------------------------------------------------------------

def test_udp_user(args):
    port = free_port(socket.SOCK_DGRAM)
    board = Board(args.machine, args.demo,
                  ["-nic", "user,hostfwd=udp:127.0.0.1:%d-:7" % port])
    try:
        if not board.wait_for(rb"net: answers ping", 15):
            return "FAIL", "no network banner", shown(board)
        if not board.wait_for(rb"net: dhcp: bound 10\.0\.2\.15 from 10\.0\.2\.2", 15):
            return "FAIL", "no lease from slirp's DHCP server", shown(board)
        if not board.wait_for(rb"net: 10\.0\.2\.15 netmask 255\.255\.255\.0 "
                              rb"gateway 10\.0\.2\.2", 5):
            return "FAIL", "the lease's address is not the stack's", shown(board)
        rng = random.Random(args.seed)
        sizes = list(range(1, 1473))
        rng.shuffle(sizes)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(args.udp_wait)
        t0 = time.monotonic()
        for i, size in enumerate(sizes):
            data = rng.randbytes(size)
            sock.sendto(data, ("127.0.0.1", port))
            try:
                got, _ = sock.recvfrom(2048)
            except socket.timeout:
                return "FAIL", "datagram %d (%d bytes) never came back" % (i, size), \
                    shown(board)
            if got != data:
                return "FAIL", "datagram %d (%d bytes) came back as %d different bytes" % (
                    i, size, len(got)), shown(board)
        took = time.monotonic() - t0
        sock.close()
        mark = len(board.text())
        board.send("net")
        m = board.wait_for(rb"net udp: rx (\d+),[^\n]* tx (\d+)", 5, mark)
        if not m or int(m.group(1)) < len(sizes) or int(m.group(2)) < len(sizes):
            return "FAIL", "the demo's counters do not show the datagrams", shown(board)
        if not board.wait_for(rb"dhcp: bound, lease \d+ s left; 1 discovers, "
                              rb"1 requests, 1 offers, 1 acks", 5, mark):
            return "FAIL", "the DHCP counters are not one clean exchange", shown(board)
        board.send("exit")
        rc = board.wait_exit(5)
        if rc != 0:
            return "FAIL", "demo exit code %s" % rc, shown(board)
        return "PASS", "%d datagrams of 1..1472 bytes echoed byte-exact in %.2f s " \
            "(%.0f round trips/s); demo counted %s in, %s out" % (
                len(sizes), took, len(sizes) / took, m.group(1).decode(),
                m.group(2).decode()), shown(board)
    finally:
        board.stop()


# ---- dhcp-fallback --------------------------------------------------------------

def start_dhcp_fallback(args):
    port = free_port(socket.SOCK_STREAM)
    return Board(args.machine, args.demo,
                 ["-nic", "socket,listen=127.0.0.1:%d" % port])


def test_dhcp_fallback(args, board):
    try:
        if not board.wait_for(rb"net: dhcp: no server answered; static address\n"
                              rb"net: 10\.0\.2\.15 netmask 255\.255\.255\.0", 30):
            return "FAIL", "no fallback to the static address", shown(board)
        mark = len(board.text())
        board.send("net")
        if not board.wait_for(rb"dhcp: fallback, lease 0 s left; 2 discovers, 0 requests",
                              5, mark):
            return "FAIL", "the DHCP counters do not show 2 unanswered DISCOVERs", \
                shown(board)
        return "PASS", "no DHCP server: 2 DISCOVERs, then the static 10.0.2.15", \
            shown(board)
    finally:
        board.stop()


# ---- tap ------------------------------------------------------------------------

def run(cmd, timeout=20):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def tap_unavailable():
    """Why this machine cannot run the TAP test, or None."""
    if os.geteuid() != 0:
        return "not root: cannot create a network namespace"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    for tool in ("ip", "ping"):
        if shutil.which(tool) is None:
            return "no `%s` command" % tool
    return None


UDP_CLIENT = r"""
import os, random, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
rng = random.Random(7)
for i in range(200):
    data = rng.randbytes(rng.randint(1, 1472))
    s.sendto(data, (sys.argv[1], 7))
    got, _ = s.recvfrom(2048)
    if got != data:
        sys.exit("datagram %d differs" % i)
print("udp: 200 datagrams echoed byte-exact")
"""


def test_tap(args):
    why = tap_unavailable()
    if why:
        return "SKIP", why, ""
    ns = "kettle-net-%d" % os.getpid()
    r = run(["ip", "netns", "add", ns])
    if r.returncode != 0:
        return "SKIP", "cannot create a network namespace: " + r.stderr.strip(), ""
    board = None
    try:
        for cmd in (["ip", "-n", ns, "tuntap", "add", "dev", TAP_IF, "mode", "tap"],
                    ["ip", "-n", ns, "addr", "add", TAP_HOST_IP + "/24", "dev", TAP_IF],
                    ["ip", "-n", ns, "link", "set", TAP_IF, "up"],
                    ["ip", "-n", ns, "link", "set", "lo", "up"]):
            r = run(cmd)
            if r.returncode != 0:
                return "SKIP", "%s: %s" % (" ".join(cmd), r.stderr.strip()), ""
        board = Board(args.machine, args.demo,
                      ["-nic", "tap,ifname=%s,script=no,downscript=no,mac=%s" % (
                          TAP_IF, TAP_MAC)],
                      prefix=("ip", "netns", "exec", ns))
        if not board.wait_for(rb"net: answers ping", 15):
            if b"kettle demo" not in board.text():
                # QEMU never ran the firmware: the sandbox refused the
                # namespace or the TAP device, not a fault of ours.
                return "SKIP", "QEMU could not start on the TAP device: " + \
                    shown(board).strip()[-200:], ""
            return "FAIL", "no network banner", shown(board)
        mark = len(board.text())
        board.send("ip %s/24 %s" % (TAP_BOARD_IP, TAP_HOST_IP))
        if not board.wait_for(rb"net: 192\.0\.2\.2 netmask", 5, mark):
            return "FAIL", "the demo did not take its address", shown(board)
        r = run(["ip", "netns", "exec", ns, "ping", "-c", "20", "-i", "0.05",
                 "-W", "2", TAP_BOARD_IP], timeout=60)
        m = re.search(r"(\d+) received", r.stdout)
        replies = int(m.group(1)) if m else 0
        if replies != 20:
            return "FAIL", "ping: %d of 20 replies" % replies, r.stdout + shown(board)
        rtt = re.search(r"= [\d.]+/([\d.]+)/", r.stdout)
        neigh = run(["ip", "-n", ns, "neigh", "show", TAP_BOARD_IP]).stdout
        if TAP_MAC not in neigh.lower():
            return "FAIL", "the host's neighbour table lacks the board's MAC: %r" % \
                neigh, shown(board)
        u = run(["ip", "netns", "exec", ns, sys.executable, "-c", UDP_CLIENT,
                 TAP_BOARD_IP], timeout=60)
        if u.returncode != 0:
            return "FAIL", "UDP from the namespace: " + (u.stderr or u.stdout).strip(), \
                shown(board)
        board.send("exit")
        board.wait_exit(5)
        return "PASS", "ping -c 20: 20 replies (avg %s ms); neighbour table: %s; %s" % (
            rtt.group(1) if rtt else "?", neigh.strip(), u.stdout.strip()), shown(board)
    finally:
        if board is not None:
            board.stop()
        run(["ip", "netns", "del", ns])


# ---- pair -------------------------------------------------------------------------

def test_pair(args):
    boards_spec = []
    for spec in args.pair:
        elf, _, machine = spec.partition(":")
        boards_spec.append((elf, machine or args.machine))
    if len(boards_spec) == 1:
        boards_spec.append(boards_spec[0])
    port = free_port(socket.SOCK_STREAM)
    boards = []
    try:
        for i, (elf, machine) in enumerate(boards_spec):
            mode = "listen" if i == 0 else "connect"
            boards.append(Board(machine, elf, [
                "-nic", "socket,%s=127.0.0.1:%d,mac=%s" % (mode, port, PAIR_MACS[i])]))
            # The listener must be up before the other connects.
            if not boards[i].wait_for(rb"net_pair: ready", 15):
                return "FAIL", "board %d (%s) did not start" % (i, machine), \
                    "".join(shown(b) for b in boards)
        for i, b in enumerate(boards):
            b.send("%s %s" % (PAIR_IPS[i], PAIR_IPS[1 - i]))
        done = [b.wait_for(rb"net_pair: client done[^\n]*", args.pair_timeout)
                for b in boards]
        for b in boards:
            b.send("quit")
        rcs = [b.wait_exit(10) for b in boards]
        text = ""
        for i, b in enumerate(boards):
            text += "--- board %d: %s\n%s" % (i, boards_spec[i][1], shown(b))
        for i, b in enumerate(boards):
            if not done[i]:
                return "FAIL", "board %d's client did not finish" % i, text
            if rcs[i] != 0 or b"FAIL" in b.text() or not PAIR_SUMMARY.search(b.text()):
                return "FAIL", "board %d exited with %s" % (i, rcs[i]), text
        summary = "; ".join("%s: %s" % (boards_spec[i][1],
                                        done[i].group(0).decode()[len("net_pair: "):])
                            for i in range(2))
        return "PASS", summary, text
    finally:
        for b in boards:
            b.stop()


# ---- hostile ---------------------------------------------------------------------

DEMO_MAC = bytes.fromhex("525400123456")
DEMO_IP = bytes([10, 0, 2, 15])
GW_IP = bytes([10, 0, 2, 2])
COUNTERS = re.compile(rb"^(eth|net) (\w+):([^\n]*)$", re.M)
OUTCOMES = re.compile(rb"net: (\d+) frames in, (\d+) counted once by outcome")
ETH_FRAME_CLASSES = ("rx_frames", "rx_dropped", "rx_runt", "rx_oversize",
                     "rx_filtered", "rx_errors")


def counters(board, start):
    """{"eth rx_frames": n, "net arp_rx": n, ...} from one `net` answer."""
    text = board.text()[start:]
    got = {}
    for m in COUNTERS.finditer(text):
        side, group = m.group(1).decode(), m.group(2).decode()
        for item in m.group(3).decode().split(","):
            f = item.split()
            if len(f) == 2:
                got["%s %s_%s" % (side, group, f[0])] = int(f[1])
            elif len(f) == 1:
                got["%s %s" % (side, group)] = int(f[0])
    return got


def ask_counters(board, timeout=5):
    mark = len(board.text())
    board.send("net")
    m = board.wait_for(OUTCOMES, timeout, mark)
    if not m:
        return None, None
    return counters(board, mark), (int(m.group(1)), int(m.group(2)))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s & 0xffff).to_bytes(2, "big")


def ipv4(rng, proto, payload, src=None):
    src = src or bytes([198, 51, 100, rng.randint(1, 254)])
    h = bytearray(b"\x45\x00" + (20 + len(payload)).to_bytes(2, "big") +
                  rng.randbytes(2) + b"\x00\x00\x40" + bytes([proto]) + b"\0\0" +
                  src + DEMO_IP)
    h[10:12] = csum(bytes(h))
    return bytes(h) + payload


def hostile_frame(rng, src_mac):
    """(kind, frame): a frame of one of the kinds an attacker or a broken
    link sends, 14..2040 bytes: QEMU's models drop others before any
    register shows them (LAN9118: under 14 and from 2048; Stellaris: from
    2042)."""
    kind = rng.choice(["garbage", "ours-garbage", "other-unicast", "multicast",
                       "oversize", "arp-reply-unasked", "arp-request", "arp-bad",
                       "ip-garbage", "ping", "icmp-other", "udp-echo", "udp-noport",
                       "udp-badsum", "ip-proto", "ethertype"])
    bcast = b"\xff" * 6
    eth = lambda dst, t: dst + src_mac + t
    if kind == "garbage":
        return kind, rng.randbytes(rng.randint(14, 1514))
    if kind == "ours-garbage":
        return kind, DEMO_MAC + rng.randbytes(rng.randint(8, 1508))
    if kind == "other-unicast":
        return kind, b"\x02\x00\x00\x00\x00\x77" + rng.randbytes(rng.randint(8, 1508))
    if kind == "multicast":
        return kind, b"\x01\x00\x5e" + rng.randbytes(3) + rng.randbytes(rng.randint(8, 1508))
    if kind == "oversize":
        return kind, DEMO_MAC + src_mac + b"\x08\x00" + rng.randbytes(rng.randint(1501, 2026))
    if kind in ("arp-reply-unasked", "arp-request"):
        op = 2 if kind == "arp-reply-unasked" else 1
        fake = b"\x02\xde\xad\xbe\xef\x01"
        arp = b"\x00\x01\x08\x00\x06\x04" + op.to_bytes(2, "big") + fake + GW_IP + \
            (DEMO_MAC if op == 2 else b"\0" * 6) + DEMO_IP
        return kind, eth(DEMO_MAC if op == 2 else bcast, b"\x08\x06") + arp
    if kind == "arp-bad":
        return kind, eth(bcast, b"\x08\x06") + rng.randbytes(rng.randint(0, 40))
    if kind == "ip-garbage":
        return kind, eth(DEMO_MAC, b"\x08\x00") + rng.randbytes(rng.randint(0, 1500))
    if kind in ("ping", "icmp-other"):
        body = bytearray(bytes([8 if kind == "ping" else 13, 0, 0, 0]) +
                         rng.randbytes(rng.randint(4, 1000)))
        body[2:4] = csum(bytes(body))
        return kind, eth(DEMO_MAC, b"\x08\x00") + ipv4(rng, 1, bytes(body))
    if kind in ("udp-echo", "udp-noport", "udp-badsum"):
        data = rng.randbytes(rng.randint(0, 1400))
        port = 9 if kind == "udp-noport" else 7
        udp = rng.randbytes(2) + port.to_bytes(2, "big") + \
            (8 + len(data)).to_bytes(2, "big") + (b"\x12\x34" if kind == "udp-badsum"
                                                 else b"\0\0") + data
        return kind, eth(DEMO_MAC, b"\x08\x00") + ipv4(rng, 17, udp)
    if kind == "ip-proto":
        return kind, eth(DEMO_MAC, b"\x08\x00") + ipv4(rng, 6, rng.randbytes(40))
    return kind, eth(DEMO_MAC, rng.randbytes(2)) + rng.randbytes(rng.randint(0, 1500))


def test_hostile(args):
    """Random and hostile frames straight onto the demo's link (a QEMU UDP
    socket netdev: one datagram, one frame); every one must show in the
    counters `net` prints, each once."""
    host_port = free_port(socket.SOCK_DGRAM)
    qemu_port = free_port(socket.SOCK_DGRAM)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", host_port))
    sock.setblocking(False)
    board = Board(args.machine, args.demo, [
        "-nic", "socket,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (host_port, qemu_port)])
    rng = random.Random(args.seed + 15)
    src_mac = b"\x52\x54\x00\xaa\xbb\xcc"
    sent, kinds, back = 0, {}, 0
    try:
        if not board.wait_for(rb"net: answers ping", 15):
            return "FAIL", "no network banner", shown(board)
        total = args.hostile_frames
        while sent < total:
            # A burst the MAC's 10 KiB FIFO and the smallest receive ring
            # (4 frames, lm3s6965evb) hold whole, then wait until the
            # driver has seen it and the stack has taken what it
            # delivered: QEMU drops a frame that finds the FIFO full
            # without telling anyone, and a frame that finds the ring
            # still full would be a drop the test caused.
            burst, size = 0, 0
            while sent < total and burst < 4:
                kind, f = hostile_frame(rng, src_mac)
                if size + len(f) > 8000:
                    break
                sock.sendto(f, ("127.0.0.1", qemu_port))
                kinds[kind] = kinds.get(kind, 0) + 1
                sent += 1
                burst += 1
                size += len(f)
            deadline = time.monotonic() + 5
            while True:
                c, taken = ask_counters(board)
                if c is None:
                    return "FAIL", "`net` did not answer", shown(board)
                seen = sum(c.get("eth " + k, 0) for k in ETH_FRAME_CLASSES)
                delivered = c.get("eth rx_frames", 0) - c.get("eth rx_short_buf", 0)
                if (seen >= sent and taken[0] >= delivered) or \
                        time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            try:
                while True:
                    sock.recv(4096)
                    back += 1
            except BlockingIOError:
                pass
        time.sleep(0.3)
        c, (net_in, net_counted) = ask_counters(board)
        eth_seen = sum(c["eth " + k] for k in ETH_FRAME_CLASSES)
        problems = []
        if eth_seen != sent:
            problems.append("the driver's counters show %d frames, %d were sent" % (
                eth_seen, sent))
        if net_in != c["eth rx_frames"] - c["eth rx_short_buf"]:
            problems.append("the stack took %d frames, the driver delivered %d" % (
                net_in, c["eth rx_frames"] - c["eth rx_short_buf"]))
        if net_counted != net_in:
            problems.append("outcomes count %d of %d frames" % (net_counted, net_in))
        if c["net arp_unsolicited"] < kinds.get("arp-reply-unasked", 0):
            problems.append("%d unasked ARP replies, %d refused" % (
                kinds.get("arp-reply-unasked", 0), c["net arp_unsolicited"]))
        board.send("exit")
        board.wait_exit(5)
        if problems:
            return "FAIL", "; ".join(problems), shown(board)
        return "PASS", "%d frames (%s): driver %d delivered, %d filtered, %d oversize, " \
            "%d dropped; stack: %d taken, each counted once; %d unasked ARP replies " \
            "refused; %d frames came back" % (
                sent, ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                c["eth rx_frames"], c["eth rx_filtered"], c["eth rx_oversize"],
                c["eth rx_dropped"], net_in, c["net arp_unsolicited"], back), shown(board)
    finally:
        sock.close()
        board.stop()


def main():
    # A TERM (a CI timeout) unwinds like Ctrl-C, so the finally blocks
    # delete the namespace and kill the QEMUs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("net_run: terminated"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--machine", required=True, help="QEMU -M for the demo")
    ap.add_argument("--demo", required=True, help="the demo image")
    ap.add_argument("--pair", action="append", default=[],
                    help="net_pair image[:machine]; once or twice")
    ap.add_argument("--only", choices=("udp-user", "tap", "pair", "hostile", "dhcp-fallback"),
                    action="append",
                    help="run only these tests")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--udp-wait", type=float, default=2.0,
                    help="seconds to wait for each echo (udp-user)")
    ap.add_argument("--pair-timeout", type=float, default=90.0)
    ap.add_argument("--hostile-frames", type=int, default=1649)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the consoles of passing tests too")
    args = ap.parse_args()

    tests = [("udp-user", test_udp_user), ("tap", test_tap), ("hostile", test_hostile)]
    if args.pair:
        tests.append(("pair", test_pair))
    fallback = None
    if not args.only or "dhcp-fallback" in args.only:
        fallback = start_dhcp_fallback(args)
        tests.append(("dhcp-fallback", lambda a: test_dhcp_fallback(a, fallback)))
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, fn in tests:
        if args.only and name not in args.only:
            continue
        t0 = time.monotonic()
        try:
            verdict, what, output = fn(args)
        except Exception as e:  # a broken runner must not look like a pass
            verdict, what, output = "FAIL", "runner error: %r" % e, ""
        counts[verdict] += 1
        print("%s %s (%.1f s): %s" % (verdict, name, time.monotonic() - t0, what))
        if verdict == "FAIL" or args.verbose:
            for line in output.splitlines()[-60:]:
                print("    | " + line)
        sys.stdout.flush()
    print("%d passed, %d failed, %d skipped" % (counts["PASS"], counts["FAIL"],
                                                counts["SKIP"]))
    return 1 if counts["FAIL"] or not counts["PASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
