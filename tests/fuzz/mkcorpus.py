#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/):
frames as a customer sends them, rtnetlink messages as the kernel sends
them (dumped and followed in a network namespace of this script's own:
run as root, `unshare -n tests/fuzz/mkcorpus.py`), control requests and
handoff messages as tenetctl and tenet-router write them, and values as
operators type them. The seeds are committed; this is how they were made.
Regression seeds (crash-*, found by the fuzzers) are added by hand."""
import json
import os
import socket
import struct
import subprocess
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from netbytes import csum  # noqa: E402


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- frames (fuzz_pkt) ----

MAC_R = bytes.fromhex("02005e000001")
MAC_H = bytes.fromhex("02005e000002")


def eth(t, dst=MAC_R, src=MAC_H):
    return dst + src + struct.pack("!H", t)


def ip4(src, dst, proto, payload, ttl=64, opts=b"", frag=0x4000):
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                    0x1234, frag, ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def udp(n=16):
    return struct.pack("!HHHH", 40000, 33434, 8 + n, 0) + bytes(i & 0xff for i in range(n))


def frames():
    put("pkt", "ipv4-udp-ttl1", eth(0x0800) + ip4("198.51.100.7",
        "203.0.113.9", 17, udp(), ttl=1) + b"\0" * 4)
    put("pkt", "ipv4-udp", eth(0x0800) + ip4("10.0.0.2", "203.0.113.1",
        17, udp(18)))
    put("pkt", "ipv4-options", eth(0x0800) + ip4("10.0.0.2",
        "203.0.113.1", 17, udp(), opts=b"\x01" * 12))
    echo = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    put("pkt", "ipv4-icmp-echo", eth(0x0800) + ip4("10.0.0.2", "10.0.0.1",
        1, echo, ttl=1))
    err = struct.pack("!BBHI", 11, 0, 0, 0) + ip4("10.0.0.1", "10.0.0.2",
        17, udp())[:28]
    put("pkt", "ipv4-icmp-error", eth(0x0800) + ip4("192.0.2.1",
        "10.0.0.2", 1, err, ttl=1))
    put("pkt", "ipv4-fragment", eth(0x0800) + ip4("10.0.0.2",
        "203.0.113.1", 17, udp(64), frag=0x2000 | 8))
    put("pkt", "ipv4-big", eth(0x0800) + ip4("10.0.0.2", "203.0.113.1",
        17, udp(1400)))
    put("pkt", "ipv6-udp-hlim1", eth(0x86dd) + ip6("2001:db8:1::7",
        "2001:db8:2::9", 17, udp(), hlim=1))
    put("pkt", "ipv6-icmp-echo", eth(0x86dd) + ip6("2001:db8:1::7",
        "2001:db8:2::9", 58, struct.pack("!BBHHH", 128, 0, 0, 1, 1)))
    put("pkt", "ipv6-to-multicast", eth(0x86dd) + ip6("2001:db8:1::7",
        "ff0e::1", 17, udp(), hlim=1))
    put("pkt", "ipv6-big", eth(0x86dd) + ip6("2001:db8:1::7",
        "2001:db8:2::9", 17, udp(1400)))
    put("pkt", "vlan-tagged", MAC_R + MAC_H + b"\x81\x00\x00\x64" +
        b"\x08\x00" + ip4("10.0.0.2", "203.0.113.1", 17, udp()))
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_H,
                      socket.inet_aton("10.0.0.2"), b"\0" * 6,
                      socket.inet_aton("10.0.0.1"))
    put("pkt", "arp-request", eth(0x0806, dst=b"\xff" * 6) + arp)


# ---- rtnetlink (fuzz_nl) ----

RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETNEIGH = 18, 22, 26, 30
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300


def nl_dump(typ, family, hdrlen):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.bind((0, 0))
    body = struct.pack("B", family) + b"\0" * (hdrlen - 1)
    s.send(struct.pack("=IHHII", 16 + len(body), typ,
                       NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    out = b""
    while True:
        b = s.recv(65536)
        done = False
        off = 0
        while off < len(b):
            ln, t = struct.unpack_from("=IH", b, off)
            if t == 3:  # NLMSG_DONE
                done = True
                break
            out += b[off:off + ((ln + 3) & ~3)]
            off += (ln + 3) & ~3
        if done:
            break
    s.close()
    return out


def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)


def netlink():
    groups = 0x1 | 0x4 | 0x10 | 0x40 | 0x100 | 0x400  # link neigh addr route
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    ev.bind((0, groups))
    sh("ip link add access0 type veth peer name peer0")
    sh("ip link add uplink0 type veth peer name peer1")
    sh("for d in access0 peer0 uplink0 peer1 lo; do ip link set $d up; done")
    sh("ip addr add 10.0.0.1/24 dev access0")
    sh("ip addr add 192.0.2.10/24 dev uplink0")
    sh("ip -6 addr add 2001:db8:a::1/64 dev access0 nodad")
    sh("ip route add default via 192.0.2.1")
    sh("ip route add 203.0.113.0/24 via 10.0.0.2 metric 10")
    sh("ip route add 203.0.113.0/24 via 10.0.0.3 metric 20")
    sh("ip route add blackhole 198.51.100.0/25")
    sh("ip route add unreachable 198.51.100.128/25")
    sh("ip route add prohibit 192.0.2.128/26")
    sh("ip route add 100.64.0.0/10 nexthop via 10.0.0.2 nexthop via "
       "192.0.2.1")
    sh("ip -6 route add 2001:db8:f::/48 via 2001:db8:a::2")
    sh("ip -6 route add 2001:db8:e::/48 via inet6 fe80::1 dev access0")
    sh("ip route add 100.127.0.0/16 via inet6 fe80::1 dev access0")
    sh("ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev access0")
    sh("ip neigh add 2001:db8:a::2 lladdr 02:00:00:00:00:02 dev access0")
    put("nl", "dump-links", nl_dump(RTM_GETLINK, 0, 16))
    put("nl", "dump-addrs", nl_dump(RTM_GETADDR, 0, 8))
    put("nl", "dump-routes4", nl_dump(RTM_GETROUTE, socket.AF_INET, 12))
    put("nl", "dump-routes6", nl_dump(RTM_GETROUTE, socket.AF_INET6, 12))
    put("nl", "dump-neighs", nl_dump(RTM_GETNEIGH, 0, 12))
    sh("ip route del 203.0.113.0/24 via 10.0.0.3 metric 20")
    sh("ip neigh del 10.0.0.2 dev access0")
    sh("ip addr del 10.0.0.1/24 dev access0")
    sh("ip link set uplink0 down")
    ev.setblocking(False)
    events = b""
    try:
        while True:
            events += ev.recv(65536)
    except BlockingIOError:
        pass
    put("nl", "events", events)


# ---- control requests (fuzz_ctl) ----

def requests():
    reqs = {
        "status": {"cmd": "status"},
        "nic-attach": {"cmd": "nic attach", "args": {
            "ifname": "eth1", "role": "access", "xdp-mode": "native",
            "default": "pass"}},
        "tenant-add": {"cmd": "tenant add", "args": {
            "name": "acme", "access": "eth1", "vlan": "100",
            "inner-vlan": "200", "uplink": "eth2", "uplink-vlan": "300",
            "uplink-mac": "02:00:00:00:00:01",
            "access-addr": ["10.0.0.1/24", "fd00::1/64"],
            "uplink-addr": ["192.0.2.10/24"],
            "prefix": ["198.51.100.0/24", "2001:db8::/32"],
            "gateway": "192.0.2.1", "mode": "direct", "cpu": "0.5",
            "cpuset": "0-1", "memory": "256M", "pids": "unlimited",
            "rate": "100M", "pps": "10000"}},
        "tenant-set": {"cmd": "tenant set", "args": {
            "name": "acme", "rate": "unlimited", "memory": "1G"}},
        "tenant-stats": {"cmd": "tenant stats"},
        "route-add": {"cmd": "route add", "args": {
            "name": "acme", "cidr": "203.0.113.0/24", "via": "10.0.0.2"}},
        "bad-key": {"cmd": "route del", "args": {
            "name": "acme", "cidr": "203.0.113.0/24", "via": "10.0.0.2",
            "vlan": "5"}},
    }
    for name, r in reqs.items():
        put("ctl", name, json.dumps(r) + "\n")
    put("ctl", "not-json", "tenant list\n")


# ---- handoff messages (fuzz_handoff), 0xff between packets ----

def handoff():
    hello = {"type": "hello", "version": 2, "pid": 1234, "queues": 2}
    b0 = {"type": "bound", "id": 0, "ifname": "access0", "ifindex": 2,
          "queue": 0, "zerocopy": False}
    e1 = {"type": "error", "id": 1, "ifname": "uplink0", "queue": 0,
          "message": "bind: Device or resource busy"}
    put("handoff", "hello", json.dumps(hello))
    put("handoff", "bound", json.dumps(b0))
    put("handoff", "session", b"\xff".join(
        json.dumps(m).encode() for m in (hello, b0, e1, b0, {"type": "x"})))


# ---- values (fuzz_validate) ----

def values():
    for i, v in enumerate(["acme", "eth1", "100", "4094", "256M", "1024G",
                           "100M", "400G", "0.5", "1.25", "0-1,3",
                           "10.0.0.1/24", "198.51.100.0/24",
                           "2001:db8::/32", "fd00::1/64", "192.0.2.1",
                           "02:00:00:00:00:01", "unlimited", "direct",
                           "/run/tenet/tenetd.sock"]):
        put("validate", "v%02d" % i, v)


if __name__ == "__main__":
    frames()
    requests()
    handoff()
    values()
    if os.geteuid() == 0 and "--no-netlink" not in sys.argv:
        netlink()
