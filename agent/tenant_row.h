/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tenant's row brought up or taken down (tenant_row.c): what the data
 * path needs of the store resolved, then tenant_dp.c's bring-up or
 * teardown, then a key another tenant holds named after that tenant. For
 * onboarding and removal (tenant.c), start-up (reconcile.c) and
 * supervision (supervise.c).
 */
#ifndef TENET_AGENT_TENANT_ROW_H
#define TENET_AGENT_TENANT_ROW_H

#include <stddef.h>

#include "agent.h"
#include "records.h"

/* tenant_up() of t's row; why gets one sentence on failure. */
int tenant_row_up(struct tenetd *d, const struct tn_tenant_rec *t, char *why,
		  size_t n);
/* tenant_prepare() of t's row. */
int tenant_row_prepare(struct tenetd *d, const struct tn_tenant_rec *t,
		       char *why, size_t n);
/* tenant_down() of t's row: t's NICs keep the lookups of the other
 * tenants only. */
/* Its source space (tenant_egress) after its routes or sources changed. */
int tenant_row_sources(struct tenetd *d, const struct tn_tenant_rec *t);
int tenant_row_down(struct tenetd *d, const struct tn_tenant_rec *t);

#endif
