#!/usr/bin/env python3
"""Write seed inputs for tests/fuzz/fuzz_net_input.c into a directory.

    seeds.py DIR

Each seed is a script in the target's record format (see the .c file):
well-formed frames a real peer would send - ARP requests and replies, a
ping, UDP to the bound ports, then the application echoing - so the
fuzzer starts from inputs that reach deep into the stack and mutates
from there.  Built with Python's struct, independently of the C
builders, so a builder bug cannot hide in its own seeds.
"""

import os
import struct
import sys

US_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("525500020202")
BCAST = b"\xff" * 6
US_IP = bytes([10, 0, 2, 15])
PEER_IP = bytes([10, 0, 2, 2])
OTHER_IP = bytes([10, 0, 2, 7])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def ipv4(src, dst, proto, payload, flags=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, flags,
                      64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(src, dst, sport, dport, data):
    length = 8 + len(data)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + data


def icmp_echo(ident, seq, data):
    msg = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def frame_record(frame, via_driver=False):
    return bytes([0x40 if via_driver else 0x00]) + struct.pack("<H", len(frame)) + frame


def ticks(n16):
    return bytes([0x80 | (n16 & 0x3F)])


def echo(sock):
    return bytes([0xC0 | sock])


def send(sock, size_byte, ip):
    return bytes([0xC2 | sock, size_byte]) + ip


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    arp_req = eth(BCAST, PEER_MAC, 0x0806,
                  arp(1, PEER_MAC, PEER_IP, b"\0" * 6, US_IP))
    arp_rep = eth(US_MAC, PEER_MAC, 0x0806,
                  arp(2, PEER_MAC, PEER_IP, US_MAC, US_IP))
    ping = eth(US_MAC, PEER_MAC, 0x0800,
               ipv4(PEER_IP, US_IP, 1, icmp_echo(0x77, 1, bytes(range(56)))))
    udp7 = eth(US_MAC, PEER_MAC, 0x0800,
               ipv4(PEER_IP, US_IP, 17, udp(PEER_IP, US_IP, 40000, 7, b"hello kettle")))
    udp9 = eth(US_MAC, PEER_MAC, 0x0800,
               ipv4(PEER_IP, US_IP, 17, udp(PEER_IP, US_IP, 40001, 9, bytes(1472))))
    frag = eth(US_MAC, PEER_MAC, 0x0800,
               ipv4(PEER_IP, US_IP, 17, udp(PEER_IP, US_IP, 1, 7, b"x"), flags=0x2000))
    seeds = {
        "arp_request": frame_record(arp_req),
        "ping": frame_record(ping),
        "ping_via_driver": frame_record(ping, True) + frame_record(udp7, True) + echo(0),
        "udp_echo_resolved": frame_record(arp_rep) + frame_record(udp7) + echo(0),
        "udp_echo_waits_for_arp": frame_record(udp7) + echo(0) + ticks(5) +
                                  frame_record(arp_rep),
        "udp_big": frame_record(udp9) + echo(1) + frame_record(arp_rep),
        "send_unresolved": send(0, 10, OTHER_IP) + send(1, 183, PEER_IP) +
                           ticks(20) + send(0, 1, bytes([8, 8, 8, 8])),
        "fragment": frame_record(frag),
        "flood": b"".join(frame_record(eth(BCAST, bytes([2, 0, 0, 0, 0, i]), 0x0806,
                                           arp(1, bytes([2, 0, 0, 0, 0, i]),
                                               bytes([10, 0, 2, i]), b"\0" * 6, US_IP)))
                          for i in range(1, 40)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
