#!/usr/bin/env python3
"""Network tests of kettle's firmware against real peers, under QEMU.

    net_run.py --machine mps2-an385 --demo demo.elf \\
        --pair net_pair.elf[:machine] [--pair other.elf:machine]

The tests, each against a peer we did not write:

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
  tcp-user  The demo on slirp with host TCP ports forwarded to its echo
            (7) and status page (80): Linux's TCP, through slirp's, sends
            --tcp-bytes (10 MiB) of random bytes to the echo from one
            thread while another reads them back; the SHA-256 of what came
            back must be what was sent, within --tcp-limit seconds, and
            the echo must end its side after ours.  Then `curl` must get
            200 for GET / with the task table in it.  Prints MiB/s.
  tcp-impaired  The same echo transfer (--impaired-bytes), from Linux's TCP inside a network
            namespace of this script's, over an impaired link: QEMU's UDP
            socket netdev to a relay thread here that opens a TAP device in
            the namespace (setns, TUNSETIFF) and moves frames both ways,
            dropping 1%, delaying every one 5 ms and holding 2% back behind
            the next (RNGs seeded: one per direction).  A relay rather than
            netem, so it runs on kernels without sch_netem.  Skipped where
            no namespace or TAP device can be had.
  page-chromium  Headless Chromium screenshots GET / at 1024x768: the PNG
            (decoded here with zlib) must be 1024x768 and not blank.  It
            stays in the demo image's directory (--out-dir) for a human.
            Skipped without chromium (scripts/deps.sh browser).

With --pcap DIR the TCP tests' links are also captured to DIR/<test>.pcap.
A demo that serves no TCP (lm3s6965evb: too little RAM) skips the TCP tests.

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
        # Whole, to its last line: a line longer than BOARD_PRINTF_MAX is cut.
        if not board.wait_for(rb'sets the address, "net" counts\.\n', 5):
            return "FAIL", "the network banner is cut short", shown(board)
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
        if not board.wait_for(rb"dhcp dropped: 0 malformed, 0 wrong xid, "
                              rb"0 unexpected, 0 bad offers\n", 5, mark):
            return "FAIL", "the DHCP drop counters are missing or not 0", shown(board)
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


def tap_namespace(prefix):
    """A network namespace of this run with TAP_IF up at TAP_HOST_IP/24:
    (its name, None), or (None, why it cannot be had).  The caller deletes
    it (ip netns del) when done."""
    why = tap_unavailable()
    if why:
        return None, why
    ns = "%s-%d" % (prefix, os.getpid())
    r = run(["ip", "netns", "add", ns])
    if r.returncode != 0:
        return None, "cannot create a network namespace: " + r.stderr.strip()
    for cmd in (["ip", "-n", ns, "tuntap", "add", "dev", TAP_IF, "mode", "tap"],
                ["ip", "-n", ns, "addr", "add", TAP_HOST_IP + "/24", "dev", TAP_IF],
                ["ip", "-n", ns, "link", "set", TAP_IF, "up"],
                ["ip", "-n", ns, "link", "set", "lo", "up"]):
        r = run(cmd)
        if r.returncode != 0:
            run(["ip", "netns", "del", ns])
            return None, "%s: %s" % (" ".join(cmd), r.stderr.strip())
    return ns, None


def test_tap(args):
    ns, why = tap_namespace("kettle-net")
    if why:
        return "SKIP", why, ""
    board = None
    try:
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


# ---- TCP: the echo client, shared by tcp-user and tcp-impaired -------------------

# Run as a program (in the test's namespace for tcp-impaired): connects to
# argv[1]:argv[2], sends argv[3] random bytes (seed argv[4]) from one
# thread while another reads the echo, and prints one JSON line: what was
# sent and read, both SHA-256s, the time, how the stream ended.  Exits 0
# whatever happened: the test judges the line.
TCP_ECHO_CLIENT = r"""
import hashlib, json, random, select, socket, sys, threading, time
host, port, size, seed, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), float(sys.argv[5])
data = random.Random(seed).randbytes(size)
res = {"sent": 0, "got": 0, "sha_sent": hashlib.sha256(data).hexdigest(),
       "sha_got": None, "error": None, "eof": None, "extra": 0}
t0 = time.monotonic()
deadline = t0 + limit
try:
    s = socket.create_connection((host, port), timeout=10)
except OSError as e:
    res["error"] = "connect: %r" % e
    print(json.dumps(res)); sys.exit(0)
res["connect_s"] = time.monotonic() - t0
s.settimeout(None)
stop = threading.Event()

def sender():
    view = memoryview(data)
    try:
        while res["sent"] < size and not stop.is_set():
            n = s.send(view[res["sent"]:res["sent"] + 65536])
            res["sent"] += n
    except OSError as e:
        if not stop.is_set():
            res["error"] = res["error"] or "send: %r" % e
    res["send_s"] = time.monotonic() - t0

tx = threading.Thread(target=sender, daemon=True)
tx.start()
h = hashlib.sha256()
mark, mark_t, stalls = 0, time.monotonic(), []
try:
    while res["got"] < size:
        now = time.monotonic()
        if now > deadline:
            res["error"] = "timed out after %.0f s" % limit
            break
        try:
            # select, not a socket timeout: that would cut the sender's
            # blocking sends too
            chunk = None
            if select.select([s], [], [], 0.5)[0]:
                chunk = s.recv(min(262144, size - res["got"]))
        except OSError as e:
            res["error"] = "recv: %r" % e
            break
        if chunk == b"":
            res["error"] = "the echo ended (EOF) after %d bytes" % res["got"]
            break
        if res["error"]:
            break  # the sender's
        if chunk:
            h.update(chunk)
            res["got"] += len(chunk)
            now = time.monotonic()
            if now - mark_t > 1.0:
                stalls.append([round(mark_t - t0, 2), round(now - mark_t, 2), mark])
            mark, mark_t = res["got"], now
except Exception as e:
    res["error"] = "reader: %r" % e
res["elapsed_s"] = time.monotonic() - t0
res["sha_got"] = h.hexdigest()
res["stalls"] = stalls[:20]
if res["error"] is None:
    # Half-close: the echo should end its side too, with nothing more.
    try:
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        while True:
            b = s.recv(65536)
            if not b:
                res["eof"] = "clean"
                break
            res["extra"] += len(b)
    except socket.timeout:
        res["eof"] = "no FIN within 5 s"
    except OSError as e:
        res["eof"] = repr(e)
stop.set()
try:
    s.close()
except OSError:
    pass
print(json.dumps(res))
"""


def tcp_echo(host, port, size, seed, limit, prefix=()):
    """Run TCP_ECHO_CLIENT (under prefix: `ip netns exec NS`); its result
    as a dict, or a dict with "error"."""
    import json
    cmd = list(prefix) + [sys.executable, "-c", TCP_ECHO_CLIENT, host, str(port),
                          str(size), str(seed), str(limit)]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=limit + 30)
    except subprocess.TimeoutExpired:
        return {"error": "the client hung past %.0f s" % (limit + 30)}
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "client: rc %d %s" % (r.returncode, (r.stderr or r.stdout)[-500:])}


def tcp_verdict(res, size):
    """None when res is a whole byte-exact echo, else why not."""
    if res.get("error"):
        got = res.get("got", 0)
        t = res.get("elapsed_s") or 0
        rate = " (%.2f MiB/s while it ran)" % (got / t / 2**20) if t else ""
        return "%s at %.1f s; %d of %d bytes sent, %d echoed%s%s" % (
            res["error"], t, res.get("sent", 0), size, got, rate,
            "; stalls >1 s [start, length, at byte]: %s" % res["stalls"]
            if res.get("stalls") else "")
    if res["got"] != size or res["sha_got"] != res["sha_sent"]:
        return "the echo differs: %d bytes back, SHA-256 %s, sent %s" % (
            res["got"], res["sha_got"], res["sha_sent"])
    if res.get("extra"):
        return "%d bytes more than were sent came back" % res["extra"]
    return None


def tcp_counters(board):
    """The `net tcp` counters, as text, for a report."""
    c, _ = ask_counters(board)
    if c is None:
        return "(no answer to `net`)"
    keys = [k for k in c if k.startswith("net tcp_")] + \
        [k for k in ("eth rx_frames", "eth rx_dropped", "net tx_frames", "net tx_errors")
         if k in c]
    return ", ".join("%s %d" % (k.split(" ", 1)[1], c[k]) for k in keys)


def tcp_rate(res, size):
    return "%.1f s, %.2f MiB/s each way (connect %.2f s)" % (
        res["elapsed_s"], size / res["elapsed_s"] / 2**20, res.get("connect_s", 0))


# ---- tcp-user ---------------------------------------------------------------------

STATUS_PAGE = (b"<h2>Tasks</h2>", b"<th>name</th><th>state</th><th>prio</th>")


def nic(args, test, netdev, mac=None):
    """QEMU's arguments for the board's NIC on netdev ("user,hostfwd=...");
    with --pcap, every frame of the link goes to DIR/<test>.pcap too."""
    if not args.pcap:
        return ["-nic", netdev + (",mac=" + mac if mac else "")]
    os.makedirs(args.pcap, exist_ok=True)
    kind, _, rest = netdev.partition(",")
    return ["-netdev", "%s,id=n0%s" % (kind, "," + rest if rest else ""),
            "-net", "nic,netdev=n0" + (",macaddr=" + mac if mac else ""),
            "-object", "filter-dump,id=d0,netdev=n0,maxlen=128,file=%s" % os.path.join(
                args.pcap, test + ".pcap")]


def user_board(args, test):
    """The demo on slirp with its echo and HTTP ports forwarded: (board,
    echo port, http port), once its lease is in."""
    p_echo, p_http = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
    board = Board(args.machine, args.demo, nic(
        args, test, "user,hostfwd=tcp:127.0.0.1:%d-:7,hostfwd=tcp:127.0.0.1:%d-:80" % (
            p_echo, p_http)))
    ok = board.wait_for(rb"net: dhcp: bound 10\.0\.2\.15|net: no TCP services", 20)
    return board, p_echo, p_http, ok


def no_tcp(board):
    """Why the demo serves no TCP (a board too small for it), or None."""
    m = re.search(rb"net: no TCP services[^\n]*", board.text())
    return m and m.group(0).decode()


def test_tcp_user(args):
    board, p_echo, p_http, ok = user_board(args, "tcp-user")
    try:
        if no_tcp(board):
            return "SKIP", no_tcp(board), ""
        if not ok:
            return "FAIL", "no lease from slirp's DHCP server", shown(board)
        size = args.tcp_bytes
        res = tcp_echo("127.0.0.1", p_echo, size, args.seed, args.tcp_limit)
        why = tcp_verdict(res, size)
        if why:
            return "FAIL", "echo through slirp: %s; %s" % (why, tcp_counters(board)), \
                shown(board)
        echo = "%.1f MiB both ways byte-exact (SHA-256 %s...), %s; end: %s" % (
            size / 2**20, res["sha_got"][:12], tcp_rate(res, size), res["eof"])
        url = "http://127.0.0.1:%d/" % p_http
        t0 = time.monotonic()
        r = run(["curl", "-sS", "--max-time", "20", "-o", "-", "-w",
                 "\n%{http_code}", url], timeout=30)
        took = time.monotonic() - t0
        body, _, code = r.stdout.rpartition("\n")
        if r.returncode != 0 or code != "200":
            return "FAIL", "curl %s: rc %d, status %s: %s; %s" % (
                url, r.returncode, code, r.stderr.strip(), echo), shown(board)
        missing = [s.decode() for s in STATUS_PAGE if s.decode() not in body]
        if missing:
            return "FAIL", "GET / is 200 but lacks %s: %r" % (missing, body[:300]), \
                shown(board)
        rows = body.count("<tr><td>")
        counts = tcp_counters(board)
        board.send("exit")
        board.wait_exit(5)
        return "PASS", "%s; GET / 200, %d bytes with the task table, %d rows, in %.2f s; " \
            "tcp: %s" % (echo, len(body), rows, took, counts), shown(board)
    finally:
        board.stop()


# ---- tcp-impaired -----------------------------------------------------------------

TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
CLONE_NEWNET = 0x40000000


def netns_tap(ns, name):
    """Open the TAP device name in the namespace ns from this thread (the
    thread joins the namespace: setns is per thread, so call it from a
    thread of its own).  The fd."""
    import ctypes
    import fcntl
    import struct
    libc = ctypes.CDLL(None, use_errno=True)
    nsfd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(nsfd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + ns)
    finally:
        os.close(nsfd)
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


class Relay:
    """Ethernet frames between a UDP socket (QEMU's socket netdev: one
    datagram, one frame) and a TAP device in a namespace, impaired: each
    frame dropped with probability loss, every frame delayed by delay
    seconds, and with probability reorder one held back behind the next
    (released after hold seconds when no next comes).  One RNG per
    direction, seeded: a direction's n-th frame always meets the same
    fate."""

    def __init__(self, ns, tap, sock, peer, seed, loss=0.01, delay=0.005,
                 reorder=0.02, hold=0.05):
        self.ns, self.tap, self.sock, self.peer = ns, tap, sock, peer
        self.loss, self.delay, self.reorder, self.hold = loss, delay, reorder, hold
        self.rngs = [random.Random(seed), random.Random(seed + 1)]
        self.stats = [dict(frames=0, dropped=0, reordered=0, sent=0) for _ in range(2)]
        self.error = None
        self.ready = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def start_failed(self, timeout=5):
        self.ready.wait(timeout)
        return self.error

    def _run(self):
        import heapq
        import select
        try:
            fd = netns_tap(self.ns, self.tap)
        except OSError as e:
            self.error = "cannot open the TAP device in the namespace: %s" % e
            self.ready.set()
            return
        self.ready.set()
        os.set_blocking(fd, False)
        self.sock.setblocking(False)
        # direction 0: board -> namespace (UDP in, TAP out); 1: the reverse
        out = [lambda f: os.write(fd, f), lambda f: self.sock.sendto(f, self.peer)]
        queue, seq = [], 0               # (due, seq, direction, frame)
        held = [None, None]              # (since, frame) per direction
        try:
            while not self.done.is_set():
                now = time.monotonic()
                due = [q[0] for q in queue[:1]] + [h[0] + self.hold for h in held if h]
                wait = max(0.0, min(due) - now) if due else 0.1
                r, _, _ = select.select([self.sock, fd], [], [], min(wait, 0.1))
                now = time.monotonic()
                arrived = []
                if self.sock in r:
                    for _ in range(64):
                        try:
                            arrived.append((0, self.sock.recv(65536)))
                        except BlockingIOError:
                            break
                if fd in r:
                    for _ in range(64):
                        try:
                            arrived.append((1, os.read(fd, 65536)))
                        except BlockingIOError:
                            break
                for d, f in arrived:
                    st, rng = self.stats[d], self.rngs[d]
                    st["frames"] += 1
                    if rng.random() < self.loss:
                        st["dropped"] += 1
                        continue
                    if held[d]:
                        # this frame, then the one held back behind it
                        for g in (f, held[d][1]):
                            seq += 1
                            heapq.heappush(queue, (now + self.delay, seq, d, g))
                        held[d] = None
                    elif rng.random() < self.reorder:
                        held[d] = (now, f)
                        st["reordered"] += 1
                    else:
                        seq += 1
                        heapq.heappush(queue, (now + self.delay, seq, d, f))
                for d in (0, 1):
                    if held[d] and now >= held[d][0] + self.hold:
                        seq += 1
                        heapq.heappush(queue, (now, seq, d, held[d][1]))
                        held[d] = None
                while queue and queue[0][0] <= now:
                    _, _, d, f = heapq.heappop(queue)
                    try:
                        out[d](f)
                        self.stats[d]["sent"] += 1
                    except (BlockingIOError, OSError):
                        self.stats[d]["dropped"] += 1   # a full queue: lost
        except Exception as e:  # reported by the test
            self.error = "relay: %r" % e
        finally:
            os.close(fd)

    def stop(self):
        self.done.set()
        self.thread.join(2)

    def summary(self):
        return "; ".join("%s: %d frames, %d dropped, %d held back" % (
            name, s["frames"], s["dropped"], s["reordered"])
            for name, s in zip(("board->host", "host->board"), self.stats))


def test_tcp_impaired(args):
    ns, why = tap_namespace("kettle-tcp")
    if why:
        return "SKIP", why, ""
    board = relay = sock = None
    try:
        host_port = free_port(socket.SOCK_DGRAM)
        qemu_port = free_port(socket.SOCK_DGRAM)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.bind(("127.0.0.1", host_port))
        relay = Relay(ns, TAP_IF, sock, ("127.0.0.1", qemu_port), args.seed + 23,
                      loss=args.loss, delay=args.delay_ms / 1000.0,
                      reorder=args.reorder)
        err = relay.start_failed()
        if err:
            return "SKIP", err, ""
        board = Board(args.machine, args.demo, nic(
            args, "tcp-impaired", "socket,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (
                host_port, qemu_port), TAP_MAC))
        if not board.wait_for(rb"net: answers ping", 15):
            return "FAIL", "no network banner", shown(board)
        mark = len(board.text())
        board.send("ip %s/24 %s" % (TAP_BOARD_IP, TAP_HOST_IP))
        if not board.wait_for(rb"net: 192\.0\.2\.2 netmask", 5, mark):
            return "FAIL", "the demo did not take its address", shown(board)
        if no_tcp(board):
            return "SKIP", no_tcp(board), ""
        size = args.impaired_bytes
        res = tcp_echo(TAP_BOARD_IP, 7, size, args.seed + 1, args.tcp_limit,
                       prefix=("ip", "netns", "exec", ns))
        why = tcp_verdict(res, size) or relay.error
        link = "link: %.1f%% loss, %g ms delay, %.1f%% held back (seed %d): %s" % (
            args.loss * 100, args.delay_ms, args.reorder * 100, args.seed + 23,
            relay.summary())
        counts = tcp_counters(board)
        if why:
            return "FAIL", "echo from the namespace: %s; %s; tcp: %s" % (why, link, counts), \
                shown(board)
        board.send("exit")
        board.wait_exit(5)
        return "PASS", "%.1f MiB both ways byte-exact (SHA-256 %s...), %s; end: %s; " \
            "%s; tcp: %s" % (size / 2**20, res["sha_got"][:12], tcp_rate(res, size),
                             res["eof"], link, counts), shown(board)
    finally:
        if board is not None:
            board.stop()
        if relay is not None:
            relay.stop()
        if sock is not None:
            sock.close()
        run(["ip", "netns", "del", ns])


# ---- page-chromium ----------------------------------------------------------------

def png_pixels(path):
    """(width, height, colour type, rows of raw pixel bytes) of an 8-bit
    non-interlaced PNG, decoded with zlib alone."""
    import struct
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace:
        raise ValueError("PNG depth %d interlace %d: not decoded here" % (depth, interlace))
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if bpp is None:
        raise ValueError("PNG colour type %d: not decoded here" % ctype)
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ft == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif ft == 2:
            line = bytearray((a + b) & 0xff for a, b in zip(line, prev))
        elif ft == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif ft == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xff
        elif ft != 0:
            raise ValueError("PNG filter %d on row %d" % (ft, y))
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def png_colours(path):
    """(width, height, {colour: pixels})."""
    w, h, bpp, rows = png_pixels(path)
    hist = {}
    for row in rows:
        for x in range(0, len(row), bpp):
            px = row[x:x + bpp]
            hist[px] = hist.get(px, 0) + 1
    return w, h, hist


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_page_chromium(args):
    browser = find_chromium()
    if browser is None:
        return "SKIP", "no chromium (scripts/deps.sh browser installs it from Debian; " \
            "it could not here)", ""
    board, _, p_http, ok = user_board(args, "page-chromium")
    out_png = os.path.join(args.out_dir, "status-page.png")
    try:
        if no_tcp(board):
            return "SKIP", no_tcp(board), ""
        if not ok:
            return "FAIL", "no lease from slirp's DHCP server", shown(board)
        os.makedirs(args.out_dir, exist_ok=True)
        if os.path.exists(out_png):
            os.unlink(out_png)
        url = "http://127.0.0.1:%d/" % p_http
        import tempfile
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="kettle-chromium-") as profile:
            try:
                r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                                    "--user-data-dir=" + profile,
                                    "--screenshot=" + out_png, "--window-size=1024,768",
                                    url], stdin=subprocess.DEVNULL, capture_output=True,
                                   text=True, timeout=60)
            except subprocess.TimeoutExpired:
                return "FAIL", "chromium did not finish in 60 s; tcp: %s" % \
                    tcp_counters(board), shown(board)
        took = time.monotonic() - t0
        if not os.path.exists(out_png):
            return "FAIL", "chromium wrote no screenshot (rc %d): %s" % (
                r.returncode, r.stderr.strip()[-400:]), shown(board)
        w, h, hist = png_colours(out_png)
        total = w * h
        top = max(hist.values())
        if (w, h) != (1024, 768):
            return "FAIL", "%s is %dx%d, not 1024x768" % (out_png, w, h), shown(board)
        # Blank: one colour, or next to nothing but the background (an
        # error page has text too: the page's own text is checked by
        # tcp-user's curl; here the content must at least cover 0.2%).
        if len(hist) < 4 or total - top < total // 500:
            return "FAIL", "%s looks blank: %d colours, %d of %d pixels off the " \
                "background" % (out_png, len(hist), total - top, total), shown(board)
        counts = tcp_counters(board)
        board.send("exit")
        board.wait_exit(5)
        return "PASS", "%s loaded in %.1f s: %s, %dx%d, %d colours, %.1f%% of pixels " \
            "off the background; tcp: %s" % (
                os.path.basename(browser), took, out_png, w, h, len(hist),
                100.0 * (total - top) / total, counts), shown(board)
    finally:
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
    ap.add_argument("--only", choices=("udp-user", "tap", "pair", "hostile", "dhcp-fallback",
                                       "tcp-user", "tcp-impaired", "page-chromium"),
                    action="append",
                    help="run only these tests")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--udp-wait", type=float, default=2.0,
                    help="seconds to wait for each echo (udp-user)")
    ap.add_argument("--pair-timeout", type=float, default=90.0)
    ap.add_argument("--hostile-frames", type=int, default=1649)
    ap.add_argument("--tcp-bytes", type=int, default=10 << 20,
                    help="bytes each way through the TCP echo in tcp-user")
    ap.add_argument("--impaired-bytes", type=int, default=10 << 20,
                    help="bytes each way through the TCP echo in tcp-impaired")
    ap.add_argument("--tcp-limit", type=float, default=60.0,
                    help="seconds one TCP echo transfer may take")
    ap.add_argument("--loss", type=float, default=0.01, help="tcp-impaired: frames dropped")
    ap.add_argument("--delay-ms", type=float, default=5.0,
                    help="tcp-impaired: every frame's delay, each way")
    ap.add_argument("--reorder", type=float, default=0.02,
                    help="tcp-impaired: frames held back behind the next")
    ap.add_argument("--pcap", metavar="DIR", help="tcp-user, tcp-impaired, page-chromium: "
                    "the board's link to DIR/<test>.pcap (frames cut at 128 bytes)")
    ap.add_argument("--out-dir", help="where page-chromium leaves its screenshot "
                    "(default: the demo image's directory)")
    ap.add_argument("--skip", action="append", default=[],
                    help="leave this test out (may be repeated): make test runs "
                    "tcp-impaired on the default board only")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show the consoles of passing tests too")
    args = ap.parse_args()
    if not args.out_dir:
        args.out_dir = os.path.dirname(os.path.abspath(args.demo))

    tests = [("udp-user", test_udp_user), ("tap", test_tap), ("hostile", test_hostile),
             ("tcp-user", test_tcp_user), ("tcp-impaired", test_tcp_impaired),
             ("page-chromium", test_page_chromium)]
    if args.pair:
        tests.append(("pair", test_pair))
    fallback = None
    if not args.only or "dhcp-fallback" in args.only:
        fallback = start_dhcp_fallback(args)
        tests.append(("dhcp-fallback", lambda a: test_dhcp_fallback(a, fallback)))
    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    for name, fn in tests:
        if (args.only and name not in args.only) or name in args.skip:
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
