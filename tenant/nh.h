/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Next hops and neighbours. A route's FIB entry is the index of a next hop:
 * where frames go (an interface and a gateway, or the destination itself
 * for a connected route) or what becomes of them (blackhole, unreachable,
 * prohibit). Routes sharing a next hop share the entry (refcounted). The
 * neighbour table mirrors the container kernel's (ARP/ND stay with it) and
 * holds a few frames per neighbour while the kernel resolves it.
 */
#ifndef TN_ROUTER_NH_H
#define TN_ROUTER_NH_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"

enum nh_type {
	NH_UNICAST = 0,
	NH_BLACKHOLE,
	NH_UNREACHABLE,
	NH_PROHIBIT,
};

struct neigh;

struct nh {
	uint32_t refs; /* 0: free slot */
	uint8_t type; /* enum nh_type */
	uint8_t family; /* of gw; 0 for a connected route */
	uint16_t pad;
	int ifindex;
	uint32_t prio; /* the route's metric: part of what a route is */
	uint8_t gw[16];
	struct neigh *neigh; /* the gateway's, once looked up */
};

struct nh_table {
	struct nh *v;
	uint32_t n, cap; /* slots in use up to n; cap allocated */
	uint32_t *hash; /* open addressing over v indexes + 1, 0 empty */
	uint32_t hcap;
	uint32_t hused; /* index slots taken, stale ones included */
	struct hash_key key;
};

/* Same type, interface, gateway and metric. */
bool nh_equal(const struct nh *a, const struct nh *b);
int nh_table_init(struct nh_table *t);
void nh_table_free(struct nh_table *t);
/* The index of a next hop equal to key (refs + 1), made if new; or -errno. */
int64_t nh_get(struct nh_table *t, const struct nh *key);
void nh_put(struct nh_table *t, uint32_t idx);
/* Drops every next hop out of ifindex's cached neighbour (on link loss). */
void nh_forget_neigh(struct nh_table *t, const struct neigh *n);

enum neigh_state {
	NEIGH_INCOMPLETE = 0, /* asked; frames may be held */
	NEIGH_VALID, /* has a link-layer address */
	NEIGH_FAILED, /* the kernel gave up */
};

#define NEIGH_HOLD 4 /* frames held per neighbour */
/* Entries: a scan of a connected /64 must not grow the table without end. */
#define NEIGH_MAX 65536
/* Entries a bucket holds at most. The table grows to keep about one entry
 * a bucket and its hash is keyed, so a longer chain would take luck no one
 * has: a new entry that would make one is refused (as when full). */
#define NEIGH_CHAIN_MAX 16

struct held {
	uint64_t addr; /* UMEM address */
	uint32_t len;
	uint16_t islot; /* interface slots it came in on and goes out of */
	uint16_t oslot;
};

struct neigh {
	struct neigh *next; /* hash chain */
	int ifindex;
	uint8_t family;
	uint8_t state; /* enum neigh_state */
	uint8_t mac[6];
	uint8_t addr[16];
	bool used; /* sent to since the last revalidation */
	uint64_t asked_ns; /* last time resolution was asked */
	uint32_t nheld;
	struct held held[NEIGH_HOLD];
};

struct neigh_table {
	struct neigh **b;
	uint32_t nb; /* power of two, doubled as n passes it */
	uint32_t n;
	struct hash_key key;
};

/* buckets: to start with, a power of two. */
int neigh_table_init(struct neigh_table *t, uint32_t buckets);
void neigh_table_free(struct neigh_table *t);
struct neigh *neigh_find(const struct neigh_table *t, uint8_t family,
			 int ifindex, const uint8_t *addr);
/* Finds or makes (state INCOMPLETE) the entry; NULL on ENOMEM, when the
 * table holds NEIGH_MAX entries, or its bucket NEIGH_CHAIN_MAX. */
struct neigh *neigh_get(struct neigh_table *t, uint8_t family, int ifindex,
			const uint8_t *addr);
/* Frees every entry dead() says is dead, after telling gone(). */
void neigh_sweep(struct neigh_table *t, bool (*dead)(struct neigh *, void *),
		 void (*gone)(struct neigh *, void *), void *arg);
/* Calls fn for every entry; fn may not delete. */
void neigh_walk(struct neigh_table *t, void (*fn)(struct neigh *, void *),
		void *arg);

#endif
