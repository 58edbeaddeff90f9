/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenet-router's contract with the outside: its counters, and the file it
 * keeps them in so tenetd (or anyone allowed) can read them without asking:
 * a struct tn_rstats_file, mmap'd read-only. The router writes, nobody else.
 */
#ifndef TENET_ROUTER_STATS_H
#define TENET_ROUTER_STATS_H

#include <stdint.h>

/* Per interface and queue. Keep tn_rc_names in lib/rstats.c in step. */
enum tn_rc {
	TN_RC_RX = 0, /* frames read from the RX ring */
	TN_RC_TX, /* frames put on this interface's TX ring */
	TN_RC_FORWARDED, /* received here and sent on (any interface) */
	TN_RC_NO_ROUTE, /* no route: ICMP net unreachable */
	TN_RC_TTL_EXCEEDED, /* TTL/hop limit ran out: ICMP time exceeded */
	TN_RC_TOO_BIG, /* over the egress MTU: ICMP frag needed / too big */
	TN_RC_NEIGH_MISS, /* next hop unresolved: frame held, resolution asked */
	TN_RC_NEIGH_DROP, /* held too long, queue full, or resolution failed */
	TN_RC_TX_RING_FULL, /* no room on the egress TX ring */
	TN_RC_MALFORMED, /* failed the IP header checks */
	TN_RC_UNREACHABLE, /* route of type unreachable/prohibit: ICMP sent */
	TN_RC_BLACKHOLE, /* route of type blackhole: silently dropped */
	TN_RC_NO_IFACE, /* route out an interface the router has no socket on */
	TN_RC_ICMP_SENT, /* ICMP/ICMPv6 errors sent */
	TN_RC_ICMP_LIMITED, /* ICMP errors not sent: rate limit or rules */
	TN_RC_NO_FRAME, /* no free UMEM frame for an ICMP error, or for a
			 * direct socket's frame to be copied into */
	TN_RC_NOT_OURS, /* not addressed to this interface's MAC: dropped */
	TN_RC_NEIGH_LIMITED, /* not resolved: the interface's budget of
			      * unresolved neighbours or asks is spent */
	/* The tenant's rate, shaped on the way out of this interface
	 * (tenant/shape.h): frames that waited in its queue, and frames
	 * its queue dropped (CoDel, or the queue full). */
	TN_RC_SHAPED,
	TN_RC_SHAPED_DROP,
	/* The kernel's own counts for the socket (XDP_STATISTICS), copied
	 * every 100 ms: frames it could not give us. */
	TN_RC_XSK_FILL_EMPTY, /* no free frame on the fill ring */
	TN_RC_XSK_RX_RING_FULL, /* no room on the RX ring */
	TN_RC_XSK_RX_DROPPED, /* dropped for any other reason */
	TN_RC_XSK_INVALID, /* descriptors the kernel refused, RX and TX */
	/* What nic_ingress forwarded by the fast table for frames that came
	 * in on this interface's port (include/tenet/fast.h), copied every
	 * 100 ms onto queue 0's slot: frames and bytes. */
	TN_RC_FAST,
	TN_RC_FAST_BYTES,
	TN_RC__MAX,
};

#define TN_RSTATS_MAGIC 0x74736e74 /* "tnst" */
#define TN_RSTATS_VERSION 6
#define TN_RSTATS_MAX 16 /* interface x queue slots */

struct tn_rstats_slot {
	char ifname[16];
	uint32_t ifindex;
	uint32_t queue;
	uint8_t used;
	uint8_t zc_requested; /* 1: zero-copy asked for (auto or forced) */
	uint8_t zc_in_use; /* 1: zero-copy, 0: copy mode */
	uint8_t direct; /* 1: a NIC queue the tenant owns, read only; its
			 * frames count as received on an interface of ours */
	uint8_t pad[4];
	uint64_t ctr[TN_RC__MAX];
};

struct tn_rstats_file {
	uint32_t magic;
	uint32_t version;
	uint32_t nslots;
	uint32_t pid;
	uint64_t started; /* CLOCK_REALTIME seconds */
	struct tn_rstats_slot slot[TN_RSTATS_MAX];
};

#endif
