"""The runner's side of the soak scenario (tests/qemu/sc_soak.c).

run.py calls session() for scenarios named "*soak*", with the UART on a
TCP socket.  The protocol is in tests/qemu/soak_proto.h: after the
firmware's ready banner the runner sends the header (the run's length in
ticks, a seed), then frames back to back, never more than --soak-window
bytes ahead of what the firmware last reported had reached its UART
("soak: rx N read M dropped D"): QEMU's UART takes a byte at a time, so
anything more would sit in socket buffers and the end of the run would
wait for it to drain.  When the firmware says "soak: stop" the runner
waits until everything it sent reached the UART and was read or dropped
(the receive ring is empty), then four frames that fit any receive ring
and, when they too were read, a trailer with its counts, once; the
firmware checks its accounts against them (the run ends on an accepted
frame, however far behind the reader was at the stop).  The
runner then checks that the firmware's report repeats its counts.

With --soak-net (boards with Ethernet) QEMU's user networking forwards a
host UDP port to the firmware's port 7 (run.py starts it so), and the
runner floods that too: first a hello, resent until the firmware acks
it; then datagrams of 9 to 1472 bytes (NetFlood) alongside the UART's
frames, never more than --soak-net-window bytes of frames beyond what
the firmware's acks say reached its Ethernet driver (QEMU's LAN9118
drops a frame that finds its 10 KiB receive FIFO full, silently, so the
window stays well under that); after "soak: stop" the trailer, resent
until acked.  The firmware's report must repeat its counts.
"""

import argparse
import collections
import re
import select
import socket
import struct
import time
import zlib

READY = b"soak: ready\n"
STOP = b"soak: stop\n"
RX_LINE = re.compile(rb"soak: rx (\d+) read (\d+) dropped (\d+)\n")
REPORT = re.compile(rb"soak: host sent (\d+) frames (\d+) bytes")
NET_REPORT = re.compile(rb"soak: net host sent (\d+) datagrams (\d+) bytes")
FRAME = 32
PAYLOAD = 23
FRAMES_PER_SEND = 8
TAIL_FRAMES = 4      # after the stop: 128 bytes, under every receive ring
FLAG_NET = 1
NET_MIN = 9
NET_MAX = 1472
NET_SALT = 0x6E657421
ACK_LEN = 25
ACK_HELLO = 1
ACK_TRAILER = 2
# What a datagram of n bytes takes in the LAN9118's receive FIFO, at most:
# its frame (42 bytes of headers), 2 bytes of offset, the FCS, rounded up
# to words.
NET_FRAME_COST = 52
M32 = 0xFFFFFFFF


def with_timeout(args):
    """args with a hard timeout that fits the run.  Real time per guest
    second varies with the board and how its image idles: 0.2 to 2.5 s
    on every board today, but about 12 s on mps2-an385 with the tickless
    tick of 5706067 (backed out for now), where QEMU's TLB flush at
    every MPU write - the guard moving at every switch - turned costly."""
    out = argparse.Namespace(**vars(args))
    out.timeout = max(args.timeout, 20 + 15 * args.soak_seconds)
    return out


def payload(seq, seed):
    """soak_payload() in soak_proto.h: xorshift32 from seed and seq."""
    x = (seed ^ (seq * 0x9E3779B9)) & 0xFFFFFFFF
    if x == 0:
        x = 1
    out = bytearray()
    for _ in range(PAYLOAD):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x >> 24)
    return bytes(out)


def frame(magic, body):
    """magic, 27 bytes of body, and the CRC-32 of those 28 bytes."""
    head = magic + body
    return head + struct.pack("<I", zlib.crc32(head))


def net_len(seq, seed):
    """soak_net_len() in soak_proto.h."""
    x = (((seq + 1) * 0x9E3779B9) & M32) ^ seed
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & M32
    x ^= x >> 12
    return NET_MIN + x % (NET_MAX - NET_MIN + 1)


def net_table(seed):
    """soak_net_byte() for j = 0..65535, and the first NET_MAX again, so
    that any payload is one slice."""
    out = bytearray(65536)
    for j in range(65536):
        x = ((j ^ seed) * 0x9E3779B1) & M32
        x ^= x >> 15
        x = (x * 0x85EBCA77) & M32
        x ^= x >> 13
        out[j] = x >> 24
    return bytes(out + out[:NET_MAX])


def crc_tail(body):
    return body + struct.pack("<I", zlib.crc32(body))


class NetFlood:
    """The runner's end of the network flood: a UDP socket to QEMU's
    forwarded port, the datagrams in flight and the firmware's acks."""

    def __init__(self, args, port):
        self.args = args
        self.addr = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setblocking(False)
        self.seed = args.seed ^ NET_SALT
        self.table = net_table(self.seed)
        self.window = args.soak_net_window
        self.seq = 0
        self.bytes = 0
        self.costs = collections.deque()  # datagrams not yet reached
        self.inflight = 0
        self.reached = 0
        self.flags = 0
        self.acks = 0
        self.bad_acks = 0
        self.last = None  # the last ack's fields
        self.began = self.took = None
        self.next = None  # the next datagram, made but not yet sent

    def datagram(self, seq):
        n = net_len(seq, self.seed)
        base = (seq * 0x9E3779B9 & M32) >> 16
        return crc_tail(b"S" + struct.pack("<I", seq) +
                        self.table[base:base + n - NET_MIN])

    def poll(self):
        """Take every ack that has come."""
        while True:
            try:
                data = self.sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. ICMP unreachable before QEMU listens
            if len(data) != ACK_LEN or data[:1] != b"A" or \
                    zlib.crc32(data[:-4]) != struct.unpack("<I", data[-4:])[0]:
                self.bad_acks += 1
                continue
            flags, reached, other, accepted, next_seq = struct.unpack(
                "<5I", data[1:21])
            self.acks += 1
            self.flags |= flags
            self.last = (reached, other, accepted, next_seq)
            # Flood datagrams that reached the driver, at least: the acks
            # count every frame, and frames netrx has not looked at yet
            # may be others (ARP) - a frame or two at most.
            now = min(max(reached - other, 0), self.seq)
            while self.reached < now:
                self.inflight -= self.costs.popleft()
                self.reached += 1

    def pump(self):
        """Send while the window has room; True if anything went."""
        sent = False
        if self.began is None:
            self.began = time.monotonic()
        while True:
            if self.next is None:
                self.next = self.datagram(self.seq)
            d = self.next
            cost = len(d) + NET_FRAME_COST
            if self.inflight + cost > self.window and self.costs:
                return sent
            try:
                self.sock.sendto(d, self.addr)
            except (BlockingIOError, InterruptedError):
                return sent
            self.next = None
            self.costs.append(cost)
            self.inflight += cost
            self.seq += 1
            self.bytes += len(d)
            sent = True

    def until(self, uart, flag, packet, every):
        """Send packet every `every` seconds until an ack has flag (True),
        or the UART closes or time is up (False)."""
        due = 0.0
        while not self.flags & flag:
            if uart.eof or uart.expired():
                return False
            now = time.monotonic()
            if now >= due:
                try:
                    self.sock.sendto(packet, self.addr)
                except OSError:
                    pass
                due = now + every
            wait_any(uart, self, min(0.02, max(0.0, due - now)))
        return True

    def hello(self, uart):
        return self.until(uart, ACK_HELLO,
                          crc_tail(b"H" + struct.pack("<I", self.args.seed)), 0.1)

    def trailer(self, uart):
        self.took = time.monotonic() - (self.began or time.monotonic())
        return self.until(uart, ACK_TRAILER,
                          crc_tail(b"E" + struct.pack("<II", self.seq, self.bytes)),
                          0.05)

    def summary(self):
        took = self.took or 1e-9
        return b"[runner: net: %d datagrams, %d bytes in %.1f s, %.0f datagrams/s " \
            b"(window %d bytes); %d acks, last: %r]\n" % (
                self.seq, self.bytes, took, self.seq / took, self.window,
                self.acks, self.last)


def wait_any(uart, net, wait):
    """Wait up to wait seconds for the UART or an ack; take what came."""
    socks = [uart.sock] + ([net.sock] if net else [])
    if uart.eof:
        socks = socks[1:]
    ready = []
    if socks:
        ready, _, _ = select.select(socks, [], [], wait)
    if uart.sock in ready:
        uart.poll(0)
    if net:
        net.poll()


def data_frame(seq, seed):
    return frame(b"S", struct.pack("<I", seq) + payload(seq, seed))


def trailer(frames, nbytes):
    return frame(b"E", struct.pack("<II", frames, nbytes) + bytes(19))


def session(args, uart, net_port=None):
    """Talk the soak protocol; returns (reason or None, shown output).
    net_port: the host UDP port QEMU forwards to the firmware's port 7,
    None without the network."""
    start = uart.wait_for(READY)
    if start is None:
        return "no ready banner", bytes(uart.buf)
    net = NetFlood(args, net_port) if net_port is not None else None
    if net and not net.hello(uart):
        return "no ack to the network hello", bytes(uart.buf)
    ticks = int(args.soak_seconds * 1000)
    uart.send(struct.pack("<III", ticks, args.seed, FLAG_NET if net else 0))
    sent = 12
    seq = 0
    reached = 0
    scanned = stop_scan = start
    began = time.monotonic()
    while True:
        for m in RX_LINE.finditer(uart.buf, scanned):
            reached = max(reached, int(m.group(1)))
            scanned = m.end()
        # The reporter goes on after "stop": look for it on its own.
        if uart.buf.find(STOP, stop_scan) >= 0:
            break
        stop_scan = max(stop_scan, len(uart.buf) - len(STOP) + 1)
        if uart.eof or uart.expired():
            return "the firmware never said stop", bytes(uart.buf)
        busy = False
        if sent - reached < args.soak_window:
            chunk = b"".join(data_frame(seq + i, args.seed)
                             for i in range(FRAMES_PER_SEND))
            uart.send(chunk)
            seq += FRAMES_PER_SEND
            sent += len(chunk)
            busy = True
        if net:
            net.poll()
            busy = net.pump() or busy
        if busy:
            uart.poll(0)
        else:
            wait_any(uart, net, 0.01)
    # The trailer goes once, so only into an empty receive ring: when
    # every byte sent reached the UART and was read or dropped.  Before
    # it, a tail of frames that fits the smallest ring (256 bytes), also
    # sent into an empty ring: however far behind the reader was at the
    # stop (the network flood goes on), the last frames cannot be
    # dropped, so the firmware can check the run ended on an accepted one.
    took = time.monotonic() - began

    def drain(scanned):
        while True:
            drained = False
            for m in RX_LINE.finditer(uart.buf, scanned):
                rx, read, dropped = (int(g) for g in m.groups())
                drained = rx == sent and read + dropped == rx
                scanned = m.end()
            if drained:
                return scanned
            if uart.eof or uart.expired():
                return None
            wait_any(uart, net, 0.01)

    scanned = drain(scanned)
    if scanned is not None:
        uart.send(b"".join(data_frame(seq + i, args.seed) for i in range(TAIL_FRAMES)))
        seq += TAIL_FRAMES
        sent += TAIL_FRAMES * FRAME
        scanned = drain(scanned)
    if scanned is None:
        return "the UART never drained after stop", bytes(uart.buf)
    uart.send(trailer(seq, seq * FRAME))
    acked = net.trailer(uart) if net else True
    while not uart.eof and not uart.expired():
        uart.poll(0.2)
    shown = bytes(RX_LINE.sub(b"", bytes(uart.buf)))
    shown += b"[runner: %d frames, %d bytes in %.1f s, %.0f B/s]\n" % (
        seq, seq * FRAME, took, seq * FRAME / took)
    if net:
        shown += net.summary()
        net.sock.close()
    m = REPORT.search(uart.buf)
    if m is None:
        return "no report of the host's counts", shown
    if (int(m.group(1)), int(m.group(2))) != (seq, seq * FRAME):
        return "the firmware read %s frames, %s bytes from the trailer; " \
            "the runner sent %d, %d" % (m.group(1).decode(),
                                        m.group(2).decode(), seq, seq * FRAME), shown
    if net:
        m = NET_REPORT.search(uart.buf)
        if m is None:
            return "no report of the host's datagram counts" + (
                "" if acked else " (and no ack to the trailer)"), shown
        if (int(m.group(1)), int(m.group(2))) != (net.seq, net.bytes):
            return "the firmware read %s datagrams, %s bytes from the trailer; " \
                "the runner sent %d, %d" % (m.group(1).decode(), m.group(2).decode(),
                                            net.seq, net.bytes), shown
        if net.bad_acks:
            return "%d acks came broken" % net.bad_acks, shown
    return None, shown
