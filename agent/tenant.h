/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tenant and route requests (tenant.c). Each gets its arguments
 * checked by the command table (struct req's a) and does the rest.
 */
#ifndef TENET_AGENT_TENANT_H
#define TENET_AGENT_TENANT_H

#include "agent.h"

int do_tenant_add(struct req *r);
int do_tenant_del(struct req *r);
int do_tenant_list(struct req *r);
int do_tenant_show(struct req *r);
int do_tenant_stats(struct req *r);
int do_tenant_set(struct req *r);
int do_route_add(struct req *r);
int do_route_del(struct req *r);
int do_route_list(struct req *r);

#endif
