#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile tenet-router for tests: speaks the handoff protocol of
lib/handoff.h, sets up and binds its own sockets (with a TX ring), and
tries to make the NIC queues' sockets (direct mode), which tenetd hands
over bound and read-only, able to send: a TX ring, a UMEM of its own, a
bind elsewhere, a send; and to write into or grow the UMEM tenetd made for
them. It prints one JSON line per socket with what the kernel answered,
answers "error" for those, then waits to be stopped.

Usage: hostile_router.py SOCKPATH   (run in the tenant container's netns)
"""
import ctypes
import errno
import json
import mmap
import socket
import struct
import sys
import time

SOL_XDP = 283
XDP_RX_RING, XDP_TX_RING, XDP_UMEM_REG = 2, 3, 4
XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING = 5, 6
XDP_COPY = 1 << 1
AF_XDP = 44
FRAMES, FRAME, RING = 64, 2048, 64

libc = ctypes.CDLL(None, use_errno=True)
umems = []  # kept alive: the kernel pins their pages


def check(rc, what):
    if rc != 0:
        raise OSError(ctypes.get_errno(), what)


def sockopt(fd, opt, value):
    buf = ctypes.create_string_buffer(value, len(value))
    check(libc.setsockopt(fd, SOL_XDP, opt, buf, len(value)), f"opt {opt}")


def setup(fd, ifindex, queue):
    area = mmap.mmap(-1, FRAMES * FRAME)
    umems.append(area)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(area))
    sockopt(fd, XDP_UMEM_REG, struct.pack("QQIIII", addr, FRAMES * FRAME,
                                          FRAME, 0, 0, 0))
    for opt in (XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING, XDP_RX_RING,
                XDP_TX_RING):
        sockopt(fd, opt, struct.pack("I", RING))
    sa = struct.pack("HHIII", AF_XDP, XDP_COPY, ifindex, queue, 0)
    buf = ctypes.create_string_buffer(sa, len(sa))
    # The queue stays busy for a moment after its last holder is gone.
    for _ in range(40):
        if libc.bind(fd, buf, len(sa)) == 0:
            return
        err = ctypes.get_errno()
        if err != errno.EBUSY:
            raise OSError(err, "bind")
        time.sleep(0.05)
    raise OSError(errno.EBUSY, "bind")


def attempt(fn):
    """The errno name fn failed with, or "done"."""
    try:
        fn()
        return "done"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def subvert(fd, ifindex):
    """What a router would try to send on a socket bound for it."""
    area = mmap.mmap(-1, FRAMES * FRAME)
    umems.append(area)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(area))
    sa = struct.pack("HHIII", AF_XDP, XDP_COPY, ifindex, 0, 0)
    buf = ctypes.create_string_buffer(sa, len(sa))

    def send():
        if libc.sendto(fd, None, 0, socket.MSG_DONTWAIT, None, 0) < 0:
            raise OSError(ctypes.get_errno(), "sendto")

    return {
        "tx_ring": attempt(lambda: sockopt(fd, XDP_TX_RING,
                                           struct.pack("I", RING))),
        "umem_reg": attempt(lambda: sockopt(fd, XDP_UMEM_REG, struct.pack(
            "QQIIII", addr, FRAMES * FRAME, FRAME, 0, 0, 0))),
        "rebind": attempt(lambda: check(libc.bind(fd, buf, len(sa)),
                                        "bind")),
        "sendto": attempt(send),
    }


def spoil(memfd):
    """What a router would try on the UMEM of a NIC queue's socket, which
    tenetd made and the NIC writes into: write it, map it writable, grow
    it (the pages tenetd pays for)."""
    import os

    def map_rw():
        mmap.mmap(memfd, FRAME, mmap.MAP_SHARED,
                  mmap.PROT_READ | mmap.PROT_WRITE).close()

    return {
        "write": attempt(lambda: os.pwrite(memfd, b"x", 0)),
        "map_rw": attempt(map_rw),
        "grow": attempt(lambda: os.ftruncate(memfd, 1 << 30)),
    }


def main():
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    conn.connect(sys.argv[1])
    conn.send(json.dumps({"type": "hello", "version": 3,
                          "pid": 1, "queues": 1}).encode())
    while True:
        data, fds, _, _ = socket.recv_fds(conn, 4096, 2)
        m = json.loads(data)
        if m["type"] == "done":
            break
        if m["type"] == "fast":  # the fast table: kept, unused
            umems.append(fds)
            continue
        reply = {"id": m["id"], "ifname": m["ifname"],
                 "ifindex": m["ifindex"], "queue": m["queue"]}
        if "rx_for" in m:
            tried = subvert(fds[0], m["ifindex"])
            tried.update(spoil(fds[1]) if len(fds) > 1 else {})
            print("hostile: direct", m["ifname"], json.dumps(tried),
                  flush=True)
            reply.update(type="error", message="not today")
        else:
            try:
                setup(fds[0], m["ifindex"], m["queue"])
                reply.update(type="bound", zerocopy=False)
            except OSError as e:
                reply.update(type="error", message=str(e))
            print("hostile: own", json.dumps(reply), flush=True)
        conn.send(json.dumps(reply).encode())
    while True:
        time.sleep(1)


main()
