/* SPDX-License-Identifier: GPL-2.0 */
/* Tenants' fast tables (include/tenet/fast.h): see fast.c. */
#ifndef TENET_AGENT_FAST_H
#define TENET_AGENT_FAST_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "records.h"

struct tenetd;

/* Do the NICs forward for t by its table? fastpath on, and its router not
 * shaping (XDP polices, it cannot queue). */
bool fast_wanted(const struct tn_tenant_rec *t);
/* TN_TENANT_F_FAST in tn_tenants as fast_wanted() says, if t is up (its
 * other flags kept). */
int fast_flag_sync(struct tenetd *d, const struct tn_tenant_rec *t);
/* A new, empty table in tn_fast[id] (replacing any): its fd, for the
 * router, or -errno. */
int fast_table_new(struct tenetd *d, uint32_t id);
/* Empties tn_fast[id]: what the table holds is never used again. */
void fast_table_drop(struct tenetd *d, uint32_t id);
bool fast_table_present(struct tenetd *d, uint32_t id);
/* For tenant show: {"active", "shaped" (on, but shaping), "table", "entries", "capacity",
 * "fast_packets", "delivered_packets", "hit_ratio"}. */
json_object *fast_json(struct tenetd *d, const struct tn_tenant_rec *t);

#endif
