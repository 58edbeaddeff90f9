/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenet-router's state, inside the router: what router.c, routes.c, nl.c
 * and fwd.c share (rt_*, RT_*). What others see of the router, its
 * counters and stats file, is include/tenet/router_stats.h.
 *
 * One struct router per forwarding thread: each thread serves one queue
 * index on every interface, owns a UMEM shared by its sockets (a frame
 * received on one interface is sent from another with no copy), and keeps
 * its own mirror of the kernel's routes and neighbours, so nothing on the
 * per-packet path is shared between threads.
 */
#ifndef TN_RT_H
#define TN_RT_H

#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <libmnl/libmnl.h>
#include <tenet/router_stats.h>

#include "fib.h"
#include "ftable.h"
#include "nh.h"
#include "rstats.h"
#include "shape.h"
#include "xsk.h"

#define RT_MAX_IFS 4
#define RT_BATCH_DEFAULT 64
#define RT_HELD_MAX 256 /* frames held for resolution, all neighbours */
/*
 * The kernel's neighbour table is one for the whole host (agent/neigh.h):
 * what we make it resolve stays within a budget per interface, so that a
 * customer sending to every address of a connected prefix cannot fill it
 * for the other tenants. At most this many unresolved entries, and this
 * many resolutions asked per second (a burst of as many); past either, the
 * frame is dropped and counted neigh_limited.
 */
#define RT_NEIGH_UNRESOLVED_MAX 256
#define RT_NEIGH_ASK_RATE 100
#define RT_MULTI_BUCKETS 256
#define RT_MULTI_MAX 8 /* routes of one prefix (metrics) we follow */

struct rt_multi;

struct rt_if {
	int ifindex; /* in our netns; direct: in the host's */
	int rx_of; /* -1: an interface of ours. Else a NIC queue the tenant
		    * owns (direct mode): we only read it, and its frames
		    * come in on ifs[rx_of]. */
	char name[IFNAMSIZ];
	int role; /* its enum tn_role in the fast table; -1: none */
	uint8_t mac[6];
	uint32_t mtu;
	bool has4, has6;
	bool up; /* IFF_UP as the kernel last said */
	uint8_t addr4[4]; /* source of ICMP errors sent out here */
	uint8_t addr6[16];
	struct tn_xsk xsk;
	/* A NIC queue's socket's own UMEM, the agent's, mapped read-only:
	 * each frame is copied into ours as it comes (area NULL: the
	 * socket is on ours). */
	struct tn_umem own;
	uint64_t *ctr; /* TN_RC__MAX counters in the stats file */
	uint32_t tx_pending; /* descriptors written on the TX ring this loop,
			      * published and kicked in after_batch() */
	uint32_t fill_share; /* frames its fill ring may hold (fill_shares) */
	uint64_t demand_seen; /* rx + fill-empty drops at the last share-out */
	/* neighbours out of here not resolved, and the budget of asks */
	uint32_t unresolved;
	double ask_tokens;
	uint64_t ask_ns;
	/* The tenant's rate on what leaves here (NULL: none; direct
	 * sockets send nothing): the interface's shaper, shared by the
	 * threads, and this thread's queue for it. */
	struct shaper *shaper;
	struct shape_queue sq;
};

struct rt_opts {
	uint32_t batch;
	uint32_t frames; /* UMEM frames */
	uint32_t ring;
	enum tn_xsk_mode xsk_mode;
	bool busy_poll;
	uint32_t icmp_rate; /* errors per second, 0: none */
};

struct router {
	struct rt_opts o;
	uint32_t queue;
	int nifs;
	struct rt_if ifs[RT_MAX_IFS];
	struct tn_umem umem;
	struct fib4 *fib4;
	struct fib6 *fib6;
	struct nh_table nh;
	struct neigh_table neigh;
	struct rt_multi *multi[RT_MULTI_BUCKETS]; /* routes.c */
	uint32_t nheld;
	/* netlink: events on ev, dumps and requests on req */
	struct mnl_socket *ev, *req;
	uint32_t seq;
	int probe4, probe6; /* UDP sockets whose sends make the kernel
			      * resolve a neighbour */
	/* ICMP error rate limit: a token bucket in errors */
	double icmp_tokens;
	uint64_t icmp_last_ns;
	uint64_t now_ns; /* CLOCK_MONOTONIC at the top of the loop */
	uint64_t route_changes;
	/* The kernel dropped routes without telling (an interface went
	 * down) or events were lost: rebuild from a dump, and retry. */
	const char *resync_why;
	struct tn_rstats_file *stats;
	/* The fast table (ftable.h): shared, this thread's view of it, and
	 * the entries' hits at the last tick. */
	struct ftable *ft;
	union tn_fast_slot *ftab;
	unsigned int ftab_gen;
	uint64_t *fseen;
	bool fast_dirty; /* routes, neighbours, links or addresses changed */
	volatile sig_atomic_t *stop;
	/* Called for address changes of a router interface (standalone
	 * mode keeps tenant_rx's address map in step). */
	void (*addr_cb)(struct router *r, bool add, int family,
			const uint8_t *addr);
	void *cb_arg;
};

/* One of our interfaces (never a direct socket: its ifindex is of the
 * host's netns). */
static inline struct rt_if *rt_if_by_index(struct router *r, int ifindex)
{
	for (int i = 0; i < r->nifs; i++)
		if (r->ifs[i].ifindex == ifindex && r->ifs[i].rx_of < 0)
			return &r->ifs[i];
	return NULL;
}

/* router.c: one forwarding thread's life */
int rt_init(struct router *r, const struct rt_opts *o, uint32_t queue);
void rt_fini(struct router *r);
int rt_add_if(struct router *r, const char *name, int ifindex, int fd,
	      struct tn_rstats_slot *slot);
/* Direct mode: fd, a socket the agent bound read-only on a NIC's queue with
 * rings of ring entries, on a UMEM of nframes in umem_fd (taken: closed
 * once mapped); its frames are taken as received on our interface rx_for. */
int rt_add_direct(struct router *r, const char *nic, int ifindex,
		  uint32_t queue, uint32_t ring, uint32_t nframes, int umem_fd,
		  const char *rx_for, int fd, struct tn_rstats_slot *slot);
int rt_run(struct router *r);

/* The UMEM i's fill ring takes frames from. */
static inline struct tn_umem *rt_pool(struct router *r, struct rt_if *i)
{
	return i->own.area ? &i->own : &r->umem;
}
/* Rebuilds routes and neighbours from a dump. */
int rt_resync(struct router *r, const char *why);
struct tn_rstats_file *rt_stats_open(const char *path);
/* The counters on out: text, or one JSON document. */
void rt_stats_print(const struct tn_rstats_file *sf, FILE *out, bool json);

/* routes.c: the kernel's routes (several per prefix) into the FIB */
int route_add(struct router *r, uint8_t family, const uint8_t *dst,
	      unsigned len, const struct nh *key);
int route_del(struct router *r, uint8_t family, const uint8_t *dst,
	      unsigned len, const struct nh *key);
void routes_free(struct router *r);

/* nl.c: the mirror of the kernel's links, addresses, routes, neighbours */
int nl_open(struct router *r);
void nl_close(struct router *r);
int nl_dump_all(struct router *r);
/* Reads and applies pending events; 0 or -errno. */
int nl_events(struct router *r);
/* Applies the messages in buf[0..len) as events: what nl_events() does
 * with each read, without a socket (tests/fuzz/fuzz_nl.c). mnl_cb_run()'s
 * return (-1 with errno on a malformed batch). A router without sockets
 * (r->req NULL) mirrors what it is given and asks the kernel nothing. */
int nl_apply(struct router *r, const void *buf, size_t len);
/* Throws away events queued on the event socket (before a full dump). */
void nl_drain(struct router *r);
int nl_event_fd(const struct router *r);

/* fwd.c: the per-frame path */
/* Handles up to budget frames received on ifs[slot]. */
void fwd_rx(struct router *r, int slot, uint32_t budget);
/* A neighbour has changed state: send or drop what waits for it. */
void fwd_neigh_update(struct router *r, struct neigh *n);
/* The entry for a neighbour, made if new and the interface's budget of
 * unresolved ones allows; NULL otherwise. */
struct neigh *fwd_neigh_get(struct router *r, uint8_t family, int ifindex,
			    const uint8_t *addr);
/* Every change of a neighbour's state goes through here (the budget
 * counts what is unresolved). */
void fwd_neigh_state(struct router *r, struct neigh *n, uint8_t state);
/* Periodic work: resolution timeouts, revalidation of neighbours in use. */
void fwd_timer(struct router *r);
/* Returns held frames to the UMEM (shutdown). */
void fwd_drop_held(struct router *r);
/* Sends what the shapers let go of the frames they queued; returns when
 * to call again (CLOCK_MONOTONIC ns), 0 if nothing waits. */
uint64_t fwd_shape(struct router *r);
/* Returns shaped frames to the UMEM (shutdown). */
void fwd_drop_shaped(struct router *r);

#endif
