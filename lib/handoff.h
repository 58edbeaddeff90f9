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
 *                     "rx_for":S,"ring":N,"frames":N,"frame_size":N,
 *                     "zerocopy":B,"zc_requested":B} + fd + UMEM memfd,
 *                     per NIC queue
 *                     (direct)
 *   router -> agent  "bound" or "error" for each
 *   agent -> router  {"type":"fast","slots":N,"ports":[S,S]} + fd: the
 *                     tenant's fast table (tenet/fast.h), a BPF array of N
 *                     union tn_fast_slot to mmap read-write; ports name
 *                     the router's interfaces of each role (access,
 *                     uplink). Also after a "resume" hello, when tenetd
 *                     has no table of the router's: the new one replaces
 *                     the old.
 *   agent -> router  {"type":"done"}
 *   agent -> router  {"type":"limits","rate":N,"pps":N,"burst":N,
 *                     "burst_pkts":N,"shape":B} after "done", and again
 *                     whenever they change
 *
 * "limits" are the tenant's rate (bits/s of frames as lib/dp.h's
 * TN_LIMITS_* say they count), packets/s (0: none) and burst (the
 * policers' depth: bytes, and burst_pkts packets): the router shapes what it sends out each interface to
 * them (tenant/shape.h) so that the policers, which enforce them, see a
 * conforming stream; with "shape" false (the operator's `shape off`) it
 * does not, and the policers alone keep them. Nothing answers it.
 *
 * A router whose tenetd went away (restarted) forwards on with the sockets
 * it has and connects again: {"type":"hello","version":3,"pid":N,
 * "queues":Q,"resume":true}. No socket is sent; it is up at once and gets
 * "limits" as after "done".
 *
 * "rx_for" marks a socket on a NIC queue the tenant owns (direct mode),
 * made in the host's netns and bound there by the agent -- zero-copy where
 * the NIC allows it ("zc_requested": the operator's nic attach ... zerocopy
 * on; absent from an older agent: true) and the driver can ("zerocopy") --
 * on a UMEM of its own: "frames" frames of
 * "frame_size" bytes in the memfd that comes with it, which the router
 * maps read-only. Fill, completion and RX rings of "ring" entries, no TX
 * ring: the router maps the rings and reads, copying each frame into its
 * own UMEM and taking it as received on its interface of that name. "id"
 * matches answers to sockets (ifindexes of two netns may be equal).
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
#include <tenet/fast.h>
#include <tenet/router_stats.h>
#include <tenet/version.h>

/* Entries of each ring of a NIC queue's socket, which the agent makes,
 * and the frames (TN_XSK_FRAME_SIZE) of its UMEM: as many as the fill and
 * RX rings hold together (2 MiB of the agent's memory a socket). */
#define TN_HO_DIRECT_RING 512
#define TN_HO_DIRECT_FRAMES 1024
#define TN_HO_MAX_MSG 4096
/* Descriptors one message may carry. */
#define TN_HO_MAX_FDS 2

/* Sends msg (and fd, if >= 0). 0 or -errno (-EAGAIN on a non-blocking
 * socket that is full). */
int tn_ho_send(int conn, json_object *msg, int fd);
/* The same with nfds (<= TN_HO_MAX_FDS) descriptors. */
int tn_ho_send_fds(int conn, json_object *msg, const int *fds, int nfds);
/* Receives one message; *fd gets a passed descriptor or -1. 0, -errno,
 * or -ECONNRESET when the peer is gone. The caller puts *msg. For the
 * router, whose peer is tenetd. */
int tn_ho_recv(int conn, json_object **msg, int *fd);
/* The same keeping up to max descriptors, in fds[] (-1 for none). */
int tn_ho_recv_fds(int conn, json_object **msg, int *fds, int max);
/*
 * The agent's receive, from a peer it does not trust: no descriptor is
 * ever kept or closed here. Each one passed is handed to reap(fd, arg)
 * (tenetd closes them off its loop: agent/reaper.h), and a message that
 * carried any is refused with -EPROTO. Room is made for as many as one
 * message can carry (SCM_MAX_FD), so the kernel never drops any in our
 * context. 0, -EAGAIN (nothing yet), -ECONNRESET, -EBADMSG, -EPROTO.
 */
int tn_ho_recv_nofd(int conn, json_object **msg,
		    void (*reap)(int fd, void *arg), void *arg);
/* What both receives make of a message's bytes, s (NUL-terminated where
 * the packet ended): 0 and *msg an object the caller puts, or -EBADMSG and
 * *msg NULL. No socket: tests/fuzz/fuzz_handoff.c feeds it. */
int tn_ho_parse(const char *s, json_object **msg);
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
	bool answered;
	bool nic_rings, nic_bound; /* a NIC queue's, set up by the agent */
	int umem_fd; /* its UMEM (a memfd), the agent's; -1 for others */
	int nic_err; /* why it could not be, other than EBUSY */
	bool bound; /* and in the map */
	bool zerocopy; /* a NIC queue's: as we bound it; else as the router
			* said */
	bool zc_ok; /* a NIC queue's: zero-copy allowed (its NIC's
		     * zerocopy), else bound copy */
	int zc_map; /* a NIC queue's: where it is flagged at key while bound
		     * zero-copy (tn_qzc; not owned), -1: nowhere */
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
/* The NIC queues' sockets made so far: u32 1 at their key in zc_map while
 * bound zero-copy, 0 once unbound (tn_ho_bind_nic(), tn_ho_unbind()). */
void tn_ho_flag_zc(struct tn_ho_bound *b, int zc_map);
/* tn_ho_make() for each of the router's own interfaces and queues, in
 * xsk_map at if_map[ifindex] * TN_MAX_QUEUES + queue. */
int tn_ho_make_ifs(struct tn_ho_bound *b, const char *const *ifnames, int nifs,
		   int64_t queues, int xsk_map, int if_map);
/*
 * The agent's side of a handoff, in steps that never wait (agent/session.c
 * runs them as a state machine; tn_ho_serve() runs them in a row):
 *   tn_ho_send_own()  the router's own sockets; answers are read with
 *   tn_ho_answer()    until none is due;
 *   tn_ho_bind_nic()  binds the NIC queues' (rx_for) sockets, each on a
 *                     UMEM of ours, once each call; those whose queue is
 *                     still held (EBUSY) are tried again on the next call;
 *   tn_ho_send_nic()  sends the bound ones (answers as above), and marks
 *                     the rest unsent (b->unsent, b->unsent_err);
 *   tn_ho_send_done().
 * Bound sockets go into their maps as their answers come. Each returns 0
 * (or a count) or -errno; on an error the caller runs tn_ho_unbind().
 */
/* Sockets sent: answers due. */
int tn_ho_send_own(int conn, struct tn_ho_bound *b);
/* One message from the router: 1 if it answered a socket sent (and the
 * socket went into its map if bound), 0 if not an answer we wait for
 * (then the peer breaks the protocol). */
int tn_ho_answer(struct tn_ho_bound *b, json_object *m);
/* NIC queues' sockets still held by another socket (try again). */
int tn_ho_bind_nic(struct tn_ho_bound *b);
/* Sockets sent: answers due. */
int tn_ho_send_nic(int conn, struct tn_ho_bound *b);
int tn_ho_send_done(int conn);
/* The "fast" message, with the table's fd; ports: the router's interface
 * names by role. */
int tn_ho_send_fast(int conn, int fd, const char *const ports[2]);
/* All of it on a blocking conn, waiting up to 100 ms for a held queue:
 * for tools (tn-dp). 0 or -errno (then nothing is left in the maps). */
int tn_ho_serve(int conn, struct tn_ho_bound *b);
/* Takes b's sockets out of their maps and closes the agent's copies: what
 * must happen when the router goes away, or the sockets stay alive. */
void tn_ho_unbind(struct tn_ho_bound *b);

#endif
