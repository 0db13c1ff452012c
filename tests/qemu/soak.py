"""The runner's side of the soak scenario (tests/qemu/sc_soak.c).

run.py calls session() for scenarios named "*soak*", with the UART on a
TCP socket.  The protocol is in tests/qemu/soak_proto.h: after the
firmware's ready banner the runner sends the header (the run's length in
ticks, a seed), then frames back to back, never more than --soak-window
bytes ahead of what the firmware last reported had reached its UART
("soak: rx N"): QEMU's UART takes a byte at a time, so anything more
would sit in socket buffers and the end of the run would wait for it to
drain.  When the firmware says "soak: stop" the runner sends a trailer
with its counts; the firmware checks its accounts against them.  The
runner then checks that the firmware's report repeats its counts.
"""

import argparse
import re
import struct
import time
import zlib

READY = b"soak: ready\n"
STOP = b"soak: stop\n"
RX_LINE = re.compile(rb"soak: rx (\d+)\n")
REPORT = re.compile(rb"soak: host sent (\d+) frames (\d+) bytes")
FRAME = 32
PAYLOAD = 23
FRAMES_PER_SEND = 8


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


def data_frame(seq, seed):
    return frame(b"S", struct.pack("<I", seq) + payload(seq, seed))


def trailer(frames, nbytes):
    return frame(b"E", struct.pack("<II", frames, nbytes) + bytes(19))


def session(args, uart):
    """Talk the soak protocol; returns (reason or None, shown output)."""
    start = uart.wait_for(READY)
    if start is None:
        return "no ready banner", bytes(uart.buf)
    ticks = int(args.soak_seconds * 1000)
    uart.send(struct.pack("<II", ticks, args.seed))
    sent = 8
    seq = 0
    reached = 0
    scanned = start
    began = time.monotonic()
    while True:
        for m in RX_LINE.finditer(uart.buf, scanned):
            reached = max(reached, int(m.group(1)))
            scanned = m.end()
        if uart.buf.find(STOP, scanned) >= 0:
            break
        if uart.eof or uart.expired():
            return "the firmware never said stop", bytes(uart.buf)
        if sent - reached < args.soak_window:
            chunk = b"".join(data_frame(seq + i, args.seed)
                             for i in range(FRAMES_PER_SEND))
            uart.send(chunk)
            seq += FRAMES_PER_SEND
            sent += len(chunk)
        else:
            uart.poll(0.01)
    uart.send(trailer(seq, seq * FRAME))
    took = time.monotonic() - began
    while not uart.eof and not uart.expired():
        uart.poll(0.2)
    shown = bytes(RX_LINE.sub(b"", bytes(uart.buf)))
    shown += b"[runner: %d frames, %d bytes in %.1f s, %.0f B/s]\n" % (
        seq, seq * FRAME, took, seq * FRAME / took)
    m = REPORT.search(uart.buf)
    if m is None:
        return "no report of the host's counts", shown
    if (int(m.group(1)), int(m.group(2))) != (seq, seq * FRAME):
        return "the firmware read %s frames, %s bytes from the trailer; " \
            "the runner sent %d, %d" % (m.group(1).decode(),
                                        m.group(2).decode(), seq, seq * FRAME), shown
    return None, shown
