/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's control socket: <run-dir>/tenetd.sock, a unix stream socket
 * (mode 0600: root only). One connection carries one request and one
 * reply, each a JSON object followed by a newline, at most TN_CTL_MAX
 * bytes. A request larger than that, cut short, or not JSON is answered
 * with status -EMSGSIZE / -EBADMSG; the daemon carries on.
 *
 *   request  {"cmd": "nic attach", "args": {"ifname": "eth1",
 *             "role": "access", "xdp-mode": "native", "default": "pass"}}
 *   reply    {"status": 0, "message": "...", "data": {...}}
 *            {"status": -22, "message": "role: must be access or uplink,
 *             not \"x\""}
 *
 * status is 0 or a negative errno; message is one sentence for a human;
 * data holds what a show/list command returns. Argument names are the
 * CLI's keywords. Commands so far: "status", "nic attach", "nic detach",
 * "nic list".
 */
#ifndef TENET_CTL_H
#define TENET_CTL_H

#define TN_CTL_MAX 65536
#define TN_CTL_SOCK "tenetd.sock"

#endif
