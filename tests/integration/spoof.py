#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# What a hostile tenant sends out its uplink, from its container's netns:
# raw frames on a packet socket, so that nothing of the stack's checks
# stands between them and tenant_egress.
#   spoof.py DEV SRC_MAC udp SRC_IP DST_IP [--dport P]   UDP, to DST_MAC
#   spoof.py DEV SRC_MAC arp SENDER_IP                    gratuitous ARP reply
#   spoof.py DEV SRC_MAC na SRC_IP TARGET                 unsolicited NA
#   spoof.py DEV SRC_MAC stp                              a spanning tree BPDU
# --dst MAC (default broadcast), --count N.
import argparse, socket, struct

from netbytes import csum, mac


ap = argparse.ArgumentParser()
ap.add_argument("dev")
ap.add_argument("src")
ap.add_argument("kind", choices=["udp", "arp", "na", "stp"])
ap.add_argument("args", nargs="*")
ap.add_argument("--dst", default="ff:ff:ff:ff:ff:ff")
ap.add_argument("--dport", type=int, default=9999)
ap.add_argument("--count", type=int, default=1)
a = ap.parse_args()
src = mac(a.src)

if a.kind == "udp":
    payload = b"tenet-spoof" + bytes(17)
    udp = struct.pack("!HHHH", 4000, a.dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton(a.args[0]), socket.inet_aton(a.args[1]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = mac(a.dst) + src + struct.pack("!H", 0x0800) + ip + udp
elif a.kind == "arp":
    spa = socket.inet_aton(a.args[0])
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + src + spa + src + spa
    frame = mac(a.dst) + src + struct.pack("!H", 0x0806) + arp
elif a.kind == "na":
    s6, tgt = (socket.inet_pton(socket.AF_INET6, x) for x in a.args[:2])
    dst6 = socket.inet_pton(socket.AF_INET6, "ff02::1")
    body = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + tgt
    body += struct.pack("!BB", 2, 1) + src  # target link-layer address
    pseudo = s6 + dst6 + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    ip6 = struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + s6 + dst6
    frame = mac("33:33:00:00:00:01") + src + struct.pack("!H", 0x86DD) + ip6 + body
else:
    llc = bytes([0x42, 0x42, 0x03]) + bytes(35)
    frame = mac("01:80:c2:00:00:00") + src + struct.pack("!H", len(llc)) + llc

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((a.dev, 0))
for _ in range(a.count):
    s.send(frame)
