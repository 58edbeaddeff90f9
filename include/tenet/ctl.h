/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's control socket: <run-dir>/tenetd.sock, a unix stream socket
 * (mode 0600: root only). One connection carries one request and one
 * reply, each a JSON object followed by a newline. A request is at most
 * TN_CTL_MAX bytes and must arrive whole within 5 s; one larger than that,
 * cut short, or not JSON is answered with status -EMSGSIZE / -EBADMSG and
 * the connection closed; the daemon carries on. A reply is of any size
 * (tenetctl takes up to TN_CTL_REPLY_MAX); tenetd drops a client that
 * reads none of it for 10 s. Clients are served side by side: one that is
 * silent or slow delays no other.
 *
 *   request  {"cmd": "nic attach", "args": {"ifname": "eth1",
 *             "role": "access", "xdp-mode": "native", "default": "pass"}}
 *   reply    {"status": 0, "message": "...", "data": {...}}
 *            {"status": -22, "message": "role: must be access or uplink,
 *             not \"x\""}
 *
 * status is 0 or a negative errno; message is one sentence for a human;
 * data holds what a show/list/stats command returns.
 *
 * The commands, their arguments, types, bounds and defaults are a table:
 * lib/ctl_cmds.c (read through lib/grammar.h), which tenetctl parses
 * command lines with and tenetd checks every request against; tenetctl
 * --help prints it. Argument names are the CLI's keywords (positional
 * words get their key's name); values are strings as typed, except lists
 * (prefix, access-addr, uplink-addr): JSON arrays of strings (at most 16).
 * Every request is checked against its command's line of the table
 * before anything is done: a key the command does not take, a value out
 * of bounds, a missing required key, and a value of another type (a
 * number where a string goes, a string where a list goes: refused, no
 * longer taken as absent) are refused by name, in tenetctl's sentences
 * ("vlan: must be a number from 1 to 4094, not \"0\"",
 * "tenant del: takes no argument \"colour\"").
 *
 *   {"cmd": "route add", "args": {"name": "acme",
 *    "cidr": "203.0.113.0/24", "via": "10.0.0.2"}}
 *   {"cmd": "tenant add", "args": {"name": "acme", "access": "eth1",
 *    "vlan": "100", "uplink": "eth2", "access-addr": ["10.0.0.1/24"],
 *    "uplink-addr": ["192.0.2.10/24"], "prefix": ["198.51.100.0/24"]}}
 */
#ifndef TENET_CTL_H
#define TENET_CTL_H

#define TN_CTL_MAX 65536
#define TN_CTL_REPLY_MAX (256u << 20)
#define TN_CTL_SOCK "tenetd.sock"

#endif
