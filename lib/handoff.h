/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing AF_XDP sockets to a router that may not make them itself.
 *
 * AF_XDP bind() resolves the ifindex in the netns where socket() was
 * called, so the agent makes each socket in the netns that holds the
 * interface and sends the descriptor over a unix SOCK_SEQPACKET socket
 * (SCM_RIGHTS). The router registers UMEM in its own memory, maps the
 * rings, binds, and says so; only a bound socket can go into an XSKMAP.
 * Messages are JSON objects, one per packet:
 *
 *   router -> agent  {"type":"hello","version":1,"pid":N,"queues":Q}
 *   agent -> router  {"type":"xsk","ifname":S,"ifindex":N,"queue":N} + fd
 *                    ... one per interface and queue, then {"type":"done"}
 *   router -> agent  {"type":"bound","ifname":S,"ifindex":N,"queue":N,
 *                     "zerocopy":B}  or  {"type":"error","ifname":S,
 *                     "queue":N,"message":S}  for each socket
 *
 * The connection stays open while the router runs: when it closes, the
 * agent takes the sockets out of the XSKMAP and closes its copies.
 */
#ifndef TENET_HANDOFF_H
#define TENET_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <tenet/dp.h>

#define TN_HO_VERSION 1
#define TN_HO_MAX_MSG 4096

/* Sends msg (and fd, if >= 0). 0 or -errno. */
int tn_ho_send(int conn, json_object *msg, int fd);
/* Receives one message; *fd gets a passed descriptor or -1. 0, -errno,
 * or -ECONNRESET when the peer is gone. The caller puts *msg. */
int tn_ho_recv(int conn, json_object **msg, int *fd);
/* The "type" of a message, "" if none. */
const char *tn_ho_type(json_object *msg);
/* Integer and string fields: false if missing or of another type. */
bool tn_ho_int(json_object *msg, const char *key, int64_t *v);
const char *tn_ho_str(json_object *msg, const char *key);

/* The agent's side of one router's sockets (tn_ho_serve). */
#define TN_HO_MAX_SOCKS (TN_RX_MAX_IFS * TN_MAX_QUEUES)

struct tn_ho_bound {
	int made; /* sockets made and sent */
	int fds[TN_HO_MAX_SOCKS];
	int64_t ifindex[TN_HO_MAX_SOCKS], queue[TN_HO_MAX_SOCKS];
	int n; /* of them bound and in the XSKMAP, at keys[] */
	__u32 keys[TN_HO_MAX_SOCKS];
	int which[TN_HO_MAX_SOCKS]; /* keys[k] holds fds[which[k]] */
	bool zerocopy; /* any of them */
};

/*
 * After the router's hello: makes an AF_XDP socket for every queue (of
 * queues) and interface, in the current netns (the interfaces'), sends
 * each, then "done"; reads the router's answer for each and puts every
 * bound socket into xsk_map at if_map[ifindex] * TN_MAX_QUEUES + queue.
 * The agent keeps its copies in b until tn_ho_unbind(). 0 or -errno (then
 * nothing is left in the map).
 */
int tn_ho_serve(int conn, int64_t queues, const char *const *ifnames, int nifs,
		int xsk_map, int if_map, struct tn_ho_bound *b);
/* Takes b's sockets out of xsk_map and closes the agent's copies: what
 * must happen when the router goes away, or the sockets stay alive. */
void tn_ho_unbind(struct tn_ho_bound *b, int xsk_map);

#endif
