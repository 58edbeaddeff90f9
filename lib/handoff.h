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
 *   router -> agent  {"type":"hello","version":2,"pid":N,"queues":Q}
 *   agent -> router  {"type":"xsk","id":N,"ifname":S,"ifindex":N,"queue":N}
 *                     + fd, one per interface and queue of the router
 *   router -> agent  {"type":"bound","id":N,"ifname":S,"ifindex":N,
 *                     "queue":N,"zerocopy":B}  or  {"type":"error","id":N,
 *                     "ifname":S,"queue":N,"message":S}  for each socket
 *   agent -> router  {"type":"xsk","id":N,"ifname":S,"ifindex":N,"queue":N,
 *                     "rx_for":S,"ring":N} + fd, per NIC queue (direct)
 *   router -> agent  "bound" or "error" for each
 *   agent -> router  {"type":"done"}
 *
 * "rx_for" marks a socket on a NIC queue the tenant owns (direct mode),
 * made in the host's netns and bound there by the agent on the router's
 * UMEM, with fill, completion and RX rings of "ring" entries and no TX
 * ring: the router maps the rings and reads, taking the frames as received
 * on its interface of that name. "id" matches answers to sockets
 * (ifindexes of two netns may be equal).
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
#include <tenet/router.h>

#define TN_HO_VERSION 2
/* Entries of each ring of a NIC queue's socket, which the agent makes. */
#define TN_HO_DIRECT_RING 512
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

/* The agent's side of one router's sockets. */
/* As many as a router keeps counters for; tenetd keeps a set per tenant. */
#define TN_HO_MAX_SOCKS TN_RSTATS_MAX

struct tn_ho_sock {
	int fd;
	int ifindex; /* in the netns the socket was made in */
	int64_t queue;
	char ifname[16];
	char rx_for[16]; /* "": one of the router's interfaces. Else a NIC
			  * queue (direct mode): the router reads frames
			  * there as if they came in on its rx_for. */
	int map_fd; /* the XSKMAP it goes into once bound (not owned) */
	__u32 key;
	bool sent;
	bool bound; /* and in the map */
	bool zerocopy;
};

struct tn_ho_bound {
	int made;
	struct tn_ho_sock s[TN_HO_MAX_SOCKS];
	int n; /* bound and in their maps */
	bool zerocopy; /* any of them */
	int unsent, unsent_err; /* NIC queues' sockets we could not bind */
};

/* Makes an AF_XDP socket for ifname/queue in the current netns, to be
 * handed over by tn_ho_serve() and put in map_fd at key once bound. */
int tn_ho_make(struct tn_ho_bound *b, const char *ifname, int64_t queue,
	       const char *rx_for, int map_fd, __u32 key);
/* tn_ho_make() for each of the router's own interfaces and queues, in
 * xsk_map at if_map[ifindex] * TN_MAX_QUEUES + queue. */
int tn_ho_make_ifs(struct tn_ho_bound *b, const char *const *ifnames, int nifs,
		   int64_t queues, int xsk_map, int if_map);
/*
 * Sends the router's own sockets and reads its answers; binds the NIC
 * queues' (rx_for) on the UMEM of its first bound socket of queue 0, sends
 * them and reads the answers; then "done". Bound sockets go into their
 * maps. A NIC queue's socket that could not be bound (its queue still held)
 * is not sent: b->unsent counts them, b->unsent_err says why. The agent
 * keeps its copies in b until tn_ho_unbind(). 0 or -errno (then nothing is
 * left in the maps).
 */
int tn_ho_serve(int conn, struct tn_ho_bound *b);
/* Takes b's sockets out of their maps and closes the agent's copies: what
 * must happen when the router goes away, or the sockets stay alive. */
void tn_ho_unbind(struct tn_ho_bound *b);

#endif
