#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Sends raw Ethernet frames, tags in-band, on a device: the stack would turn
# an 802.1Q device's tag into metadata, a packet socket does not.
# Usage: sendframe.py DEV DST_MAC SRC_MAC [--vlan V]... --ipv4|--ipv6 SRC DST
#        [--count N] [--vary]   (each frame another IP id, TTL, TOS and length: the
#                    checksums an incremental update must get right)
import argparse, socket, struct

from netbytes import csum, mac


ap = argparse.ArgumentParser()
ap.add_argument("dev")
ap.add_argument("dst")
ap.add_argument("src")
ap.add_argument("--vlan", type=int, action="append", default=[])
fam = ap.add_mutually_exclusive_group(required=True)
fam.add_argument("--ipv4", nargs=2)
fam.add_argument("--ipv6", nargs=2)
ap.add_argument("--count", type=int, default=1)
ap.add_argument("--vary", action="store_true")
a = ap.parse_args()


def l3(i):
    ident, ttl, tos, extra = 0, 64, 0, 0
    if a.vary:
        ident, ttl, tos, extra = (i * 7919) & 0xFFFF, 2 + i % 62, (i % 8) << 2, (i * 37) % 1300
    payload = b"tenet-test" + bytes(18) + bytes((i + k) & 0xFF for k in range(extra))
    if a.ipv6:
        src = socket.inet_pton(socket.AF_INET6, a.ipv6[0])
        dst = socket.inet_pton(socket.AF_INET6, a.ipv6[1])
        n = 8 + len(payload)
        udp = struct.pack("!HHHH", 4000, 5000, n, 0) + payload
        sum_ = csum(src + dst + struct.pack("!IxxxB", n, 17) + udp) or 0xFFFF
        udp = udp[:6] + struct.pack("!H", sum_) + udp[8:]
        first = 6 << 28 | tos << 20 | ident  # version, traffic class, flow label
        return 0x86DD, struct.pack("!IHBB", first, n, 17, ttl) + src + dst + udp
    udp = struct.pack("!HHHH", 4000, 5000, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(udp), ident, 0, ttl, 17, 0,
                     socket.inet_aton(a.ipv4[0]), socket.inet_aton(a.ipv4[1]))
    return 0x0800, ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + udp


def frame(i):
    ethertype, ip = l3(i)
    l2 = mac(a.dst) + mac(a.src)
    tpids = [0x88A8] + [0x8100] * (len(a.vlan) - 1) if len(a.vlan) > 1 else [0x8100]
    for tpid, vid in zip(tpids, a.vlan):
        l2 += struct.pack("!HH", tpid, vid)
    return l2 + struct.pack("!H", ethertype) + ip


s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.dev, 0))
for i in range(a.count):
    s.send(frame(i))
