/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's neighbour tables (ARP, ND) are one per protocol for the
 * whole host, every netns and container included: gc_thresh3 entries in
 * all (1024 by default), past which a new entry anywhere fails (ENOBUFS).
 * Each tenant's router keeps its own resolutions within a budget
 * (TN_NEIGH_PER_TENANT: tenant/fwd.c caps what it asks per interface);
 * tenetd sizes the thresholds so that every tenant's budget and the host's
 * own fit, raising them (never lowering) as tenants are added, and says so
 * in its log. It can only from the initial netns, where the thresholds
 * live; elsewhere (tests) it says what they would need.
 */
#ifndef TENET_AGENT_NEIGH_H
#define TENET_AGENT_NEIGH_H

#include <stdint.h>

struct tenetd;

/* Entries a router may hold, both interfaces (tenant/rt.h:
 * RT_NEIGH_UNRESOLVED_MAX per interface, resolved ones as many again). */
#define TN_NEIGH_PER_TENANT 1024u
/* The host's own, as the kernel's default. */
#define TN_NEIGH_HOST 1024u

/* gc_thresh1..3 for n tenants. */
void tn_neigh_want(uint32_t n, uint32_t thresh[3]);
/* Raises the host's thresholds to fit the tenants recorded now. */
void neigh_size(struct tenetd *d);

#endif
