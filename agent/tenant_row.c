// SPDX-License-Identifier: GPL-2.0
/*
 * Between the store and a tenant's data path (tenant_row.h): tenant_dp.c
 * reads no database, so what its bring-up and teardown need of it is
 * looked up here, once, into a struct tenant_ctx: the tenant's two NICs,
 * the lookups every tenant of each NIC needs (tn_nics flags), its static
 * routes (which are part of its source space too). A key tenant_dp.c finds held by another tenant comes back as
 * that tenant's id, named here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "egress.h"
#include "log.h"
#include "nic.h"
#include "store.h"
#include "tenant_dp.h"
#include "tenant_row.h"

struct routes {
	struct tn_route_rec *r;
	unsigned int n, cap;
};

static int route_cb(const struct tn_route_rec *r, void *arg)
{
	struct routes *rs = arg;

	if (rs->n == rs->cap) {
		unsigned int cap = rs->cap ? rs->cap * 2 : 8;
		struct tn_route_rec *p = realloc(rs->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->r = p;
		rs->cap = cap;
	}
	rs->r[rs->n++] = *r;
	return 0;
}

/* t's NICs and their flags (t counted unless down), its routes (up). */
static void resolve(struct tenetd *d, const struct tn_tenant_rec *t, bool down,
		    bool routes, struct tenant_ctx *c, struct routes *rs)
{
	uint32_t except = down ? t->id : 0;
	int err;

	memset(c, 0, sizeof(*c));
	c->t = t;
	if (tn_store_nic_get_id(d->st, t->access_nic, &c->access))
		c->access.nic_id = 0;
	else
		c->access_flags = nic_tenant_flags(d, t->access_nic, except);
	if (tn_store_nic_get_id(d->st, t->uplink_nic, &c->uplink))
		c->uplink.nic_id = 0;
	else
		c->uplink_flags = nic_tenant_flags(d, t->uplink_nic, except);
	/* Routes that cannot be read are said, not fatal, as a route the
	 * container's kernel refuses is (tenant_dp.c). */
	if (routes && (err = tn_store_route_list(d->st, t->id, route_cb, rs)))
		tn_warn("tenant %s: its routes: %s\n", t->name, strerror(-err));
	c->routes = rs->r;
	c->n_routes = rs->n;
}

/* A key of another tenant: that tenant by name. */
static void name_holder(struct tenetd *d, const struct tenant_ctx *c, char *why,
			size_t n)
{
	struct tn_tenant_rec o;

	if (c->holder && !tn_store_tenant_get(d->st, c->holder, &o))
		snprintf(why, n, "%s is already tenant \"%s\"'s", c->held,
			 o.name);
}

static int row_up(struct tenetd *d, const struct tn_tenant_rec *t, bool prepare,
		  char *why, size_t n)
{
	struct routes rs = { 0 };
	struct tenant_ctx c;
	int err;

	resolve(d, t, false, true, &c, &rs);
	err = prepare ? tenant_prepare(d, &c, why, n) :
			tenant_up(d, &c, why, n);
	if (err == -EEXIST)
		name_holder(d, &c, why, n);
	free(rs.r);
	return err;
}

int tenant_row_up(struct tenetd *d, const struct tn_tenant_rec *t, char *why,
		  size_t n)
{
	return row_up(d, t, false, why, n);
}

int tenant_row_prepare(struct tenetd *d, const struct tn_tenant_rec *t,
		       char *why, size_t n)
{
	return row_up(d, t, true, why, n);
}

int tenant_row_sources(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct routes rs = { 0 };
	struct tenant_ctx c;
	int err;

	resolve(d, t, false, true, &c, &rs);
	err = tenant_sources_sync(d, &c, true);
	free(rs.r);
	return err;
}

int tenant_row_down(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct routes rs = { 0 };
	struct tenant_ctx c;

	capture_tenant_gone(d, t->id);
	resolve(d, t, true, false, &c, &rs);
	return tenant_down(d, &c);
}
