/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One tenant's data path and container (tenant_dp.c): bring-up, teardown,
 * policers, routes, and the pieces the start-up sweep (reconcile.c) takes
 * apart by id. tenant_dp.c talks only to the kernel and LXC: it is handed
 * the records it needs, resolved from the store by its callers
 * (tenant_row.c), and reads no database.
 */
#ifndef TENET_AGENT_TENANT_DP_H
#define TENET_AGENT_TENANT_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "records.h"

/* A tenant as its bring-up and teardown need it. */
struct tenant_ctx {
	const struct tn_tenant_rec *t;
	/* Its two NICs; nic_id 0: not recorded (teardown leaves that side's
	 * keys, as it cannot name them). */
	struct tn_nic_rec access, uplink;
	/* TN_NIC_F_* each NIC's tn_nics entry is to have: what every tenant
	 * on it needs, t counted at bring-up, not at teardown. */
	uint32_t access_flags, uplink_flags;
	/* Its static routes, added once its container runs (tenant_up). */
	const struct tn_route_rec *routes;
	unsigned int n_routes;
	/* Out: a key held by another tenant (-EEXIST): that tenant's id, and
	 * the key in words ("vlan 100 on eth1"), for the caller to name. */
	uint32_t holder;
	char held[128];
};

/*
 * Makes what the tenant needs exist; what exists and is right stays
 * untouched. err gets one sentence on failure; nothing is undone here.
 */
int tenant_up(struct tenetd *d, struct tenant_ctx *c, char *err, size_t n);
/* What tenant_up() makes before the container starts (its links, maps,
 * router socket): for a start done elsewhere (supervise.c). */
int tenant_prepare(struct tenetd *d, struct tenant_ctx *c, char *err, size_t n);
/* Removes everything of the tenant that exists; never fails half-way.
 * Its container not destroyed: -errno (the rest is gone). */
int tenant_down(struct tenetd *d, const struct tenant_ctx *c);

/* Adds (add) or removes route r in the container of init pid. */
int tenant_route(pid_t pid, bool add, const struct tn_route_rec *r);

/* Both ports' policers at l's rate, pps and burst (lib/burst.h; 0: no
 * limit), rewritten only where they change. */
int policers_set(struct tenetd *d, uint32_t id, const struct tn_limits *l);

/* For the sweep of ids no row has, and teardown: the ports, policers,
 * counters, own addresses and source space of id. */
void ports_down(struct tenetd *d, uint32_t id);
/* tenant_rx's pins of id. */
void rx_pins_down(struct tenetd *d, uint32_t id);

#endif
