/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a tenant may send (egress.c): the maps and flags tenant_egress
 * checks a tenant's frames with, filled by tenetd. See include/tenet/dp.h
 * (TN_EG_F_*) for the checks themselves.
 */
#ifndef TENET_AGENT_EGRESS_H
#define TENET_AGENT_EGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tenet/dp.h>

#include "agent.h"
#include "records.h"
#include "tenant_dp.h"

/* The tenant's own addresses in tn_local: its router's, and the EUI-64
 * link-local ones of its two MACs. err gets one sentence on failure. */
int tenant_own_up(struct tenetd *d, const struct tn_tenant_rec *t, char *err,
		  size_t n);
/* Removes id's entries of tn_local. */
void tenant_own_down(struct tenetd *d, uint32_t id);
/* Removes the tn_local entries of every tenant id keep() says no to. */
void local_sweep(struct tenetd *d,
		 bool (*keep)(struct tenetd *d, uint32_t id, void *arg),
		 void *arg);
/* c's tenant's source space in tn_src4/6 as it should be now (its
 * routes, prefixes and sources given): added, and with prune what is no
 * longer in it removed. Pruning walks the whole map: bring-up, for every
 * tenant at start, only adds (the space shrinks only by route del, which
 * prunes; ids of no tenant go in the sweep). */
int tenant_sources_sync(struct tenetd *d, const struct tenant_ctx *c,
			bool prune);
/* Every tn_src4/6 entry of id. */
void tenant_sources_down(struct tenetd *d, uint32_t id);
/* A port's checks and MAC into eg, as t->source_check says. */
void tenant_egress_fill(const struct tn_tenant_rec *t, int role,
			struct tn_egress *eg);
/* Its ports' checks (tn_egress.flags) as t->source_check says, live. */
int tenant_egress_checks(struct tenetd *d, const struct tn_tenant_rec *t);
/* In the container's netns: the MAC of side role set to the tenant's if
 * container root changed it. */
int tenant_mac_enforce(const struct tn_tenant_rec *t, int role,
		       const char *ifname);

#endif
