#!/usr/bin/env python3
"""Write seed inputs for tests/fuzz/fuzz_net_input.c into a directory.

    seeds.py DIR

Each seed is a script in the target's record format (see the .c file):
well-formed frames a real peer would send - ARP requests and replies, a
ping, UDP to the bound ports, then the application echoing; TCP
handshakes both ways (the records' edits echo the stack's sequence
numbers), data, FIN, RST, bad options, timeouts - so the
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


def tcp(src, dst, sport, dport, seq, ack, flags, data=b"", opts=b"", wnd=8192,
        off=None):
    if off is None:
        off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, wnd,
                      0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS_1460 = b"\x02\x04\x05\xb4"

# fix_frame's edits (the frame record's low bits, see the .c file)
FIX, ECHO_ACK, ECHO_SEQ, ECHO_PORTS = 0x20, 0x10, 0x08, 0x04


def frame_record(frame, via_driver=False, edits=0):
    return bytes([(0x40 if via_driver else 0x00) | edits]) + \
        struct.pack("<H", len(frame)) + frame


def tcp_frame(sport, dport, seq, ack, flags, data=b"", **kw):
    return eth(US_MAC, PEER_MAC, 0x0800,
               ipv4(PEER_IP, US_IP, 6,
                    tcp(PEER_IP, US_IP, sport, dport, seq, ack, flags, data, **kw)))


def tcp_record(flags, data=b"", seq=1000, edits=FIX | ECHO_ACK, sport=40000,
               dport=80, **kw):
    return frame_record(tcp_frame(sport, dport, seq, 0, flags, data, **kw),
                        edits=edits)


# TCP application records: connection 0, 1 (the listener's), 2 (active)
def tcp_app(conn, act, arg=None):
    return bytes([0xE0 | conn << 3 | act]) + (bytes([arg]) if arg is not None else b"")


TCP_ACCEPT = bytes([0xE0 | 3 << 3])
TCP_RELISTEN = bytes([0xE0 | 3 << 3 | 4])
TCP_RECONNECT = bytes([0xE0 | 3 << 3 | 6])


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
    # TCP: the gateway's ARP reply first (it also lets the connector's SYN
    # out), then a peer on 40000 to the listener on 80, its sequence from
    # 1000; ECHO_ACK acks the end of the last segment the stack sent.
    hs = frame_record(arp_rep) + tcp_record(SYN, opts=MSS_1460, edits=0) + \
        tcp_record(ACK, seq=1001)
    est = hs + TCP_ACCEPT
    # the active connection: a SYN-ACK to the connector's SYN (ports and
    # ack echoed), then data both ways
    active = frame_record(arp_rep) + \
        tcp_record(SYN | ACK, seq=5000, opts=MSS_1460,
                   edits=FIX | ECHO_ACK | ECHO_PORTS)
    echo_all = FIX | ECHO_ACK | ECHO_SEQ | ECHO_PORTS
    seeds.update({
        "tcp_syn": frame_record(arp_rep) + tcp_record(SYN, opts=MSS_1460, edits=0),
        "tcp_syn_unresolved": tcp_record(SYN, edits=0) + ticks(40),
        "tcp_handshake": hs + ticks(10),
        "tcp_data": est + tcp_record(ACK | PSH, b"hello kettle", seq=1001) +
                    tcp_app(0, 2) + tcp_record(ACK, seq=1013) + tcp_app(0, 0, 200),
        "tcp_fin": est + tcp_record(ACK | PSH, b"bye", seq=1001) + tcp_app(0, 0, 10) +
                   tcp_record(ACK | FIN, seq=1004) + tcp_app(0, 0, 10) + tcp_app(0, 3) +
                   tcp_record(ACK, seq=1005) + ticks(63),
        "tcp_close_first": est + tcp_app(0, 1, 99) + tcp_app(0, 3) +
                           tcp_record(ACK, seq=1001) + tcp_record(ACK | FIN, seq=1001) +
                           ticks(63) + ticks(63),
        "tcp_rst": est + tcp_record(RST, seq=1001, edits=FIX) + tcp_app(0, 0, 1),
        "tcp_rst_in_window": est + tcp_record(RST, seq=1500, edits=FIX) +
                             tcp_record(RST | ACK, seq=1001),
        "tcp_retransmit": est + tcp_app(0, 1, 255) + tcp_app(0, 1, 255) + ticks(63) +
                          ticks(63) + tcp_record(ACK, seq=1001, edits=FIX) * 3 +
                          ticks(63),
        "tcp_zero_window": est + tcp_record(ACK, seq=1001, wnd=0) + tcp_app(0, 1, 50) +
                           ticks(63) + ticks(63) + ticks(63) +
                           tcp_record(ACK, seq=1001, wnd=4096),
        "tcp_window_full": est + tcp_record(ACK | PSH, bytes(300), seq=1001) +
                           tcp_record(ACK | PSH, bytes(100), seq=1257),
        "tcp_out_of_order": est + tcp_record(ACK, b"later", seq=1100) +
                            tcp_record(ACK, b"now", seq=1001),
        "tcp_syn_in_window": est + tcp_record(SYN, seq=1001, edits=FIX),
        "tcp_backlog": frame_record(arp_rep) +
                       b"".join(tcp_record(SYN, sport=40000 + i, edits=FIX)
                                for i in range(3)) + ticks(63) + ticks(63),
        "tcp_bad_options": frame_record(arp_rep) +
                           tcp_record(SYN, opts=b"\x02\x03\x05\xb4", edits=0) +
                           tcp_record(SYN, opts=b"\x01\x01\x08\x00", edits=0) +
                           tcp_record(SYN, opts=b"\x03\x03\x07\x00", edits=0) +
                           tcp_record(SYN, opts=b"\x01" * 40, edits=0) +
                           tcp_record(SYN, off=15, edits=0) +
                           tcp_record(SYN, opts=b"\x00\x00\x00\x00" + MSS_1460,
                                      edits=0),
        "tcp_no_listener": frame_record(arp_rep) +
                           tcp_record(SYN, dport=81, edits=0) +
                           tcp_record(ACK, dport=81, edits=FIX),
        "tcp_active": active + tcp_app(2, 1, 99) +
                      tcp_record(ACK | PSH, b"pong", seq=0, edits=echo_all) +
                      tcp_app(2, 0, 100) + tcp_app(2, 3) +
                      tcp_record(ACK | FIN, seq=0, edits=echo_all) + ticks(63),
        "tcp_active_refused": frame_record(arp_rep) +
                              tcp_record(RST | ACK, seq=0,
                                         edits=FIX | ECHO_ACK | ECHO_PORTS) +
                              TCP_RECONNECT + ticks(10),
        "tcp_active_timeout": frame_record(arp_rep) + ticks(63) * 5 + TCP_RECONNECT,
        "tcp_simultaneous": frame_record(arp_rep) +
                            tcp_record(SYN, seq=7000, edits=FIX | ECHO_PORTS) +
                            tcp_record(ACK, seq=7001, edits=FIX | ECHO_ACK | ECHO_PORTS),
        "tcp_unlisten": est + TCP_RELISTEN + tcp_app(0, 3) + TCP_RELISTEN + hs,
    })
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
