// SPDX-License-Identifier: GPL-2.0
/*
 * Routes as the kernel has them, into the FIB. The kernel may hold several
 * routes for one prefix (metrics differ; RTM_F_* aside) and uses the one of
 * lowest metric; a delete names one of them. The FIB holds one next hop per
 * prefix, so prefixes with more than one route keep all of them here, in a
 * small side table (rare: most prefixes have one route, whose metric is in
 * its next hop). Every route owns one reference to its next hop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"
#include "rt.h"

struct rt_multi {
	struct rt_multi *next;
	uint8_t family, len;
	uint8_t dst[16];
	uint32_t n;
	uint32_t nh[RT_MULTI_MAX]; /* next hop indexes, one per route */
};

static uint32_t multi_bucket(uint8_t family, const uint8_t *dst, unsigned len)
{
	uint32_t h = 2166136261u ^ family ^ (len << 8);

	for (int i = 0; i < (family == AF_INET ? 4 : 16); i++)
		h = (h ^ dst[i]) * 16777619u;
	return h % RT_MULTI_BUCKETS;
}

static struct rt_multi **multi_find(struct router *r, uint8_t family,
				    const uint8_t *dst, unsigned len)
{
	struct rt_multi **pp = &r->multi[multi_bucket(family, dst, len)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->family == family && (*pp)->len == len &&
		    !memcmp((*pp)->dst, dst, family == AF_INET ? 4 : 16))
			break;
	return pp;
}

void routes_free(struct router *r)
{
	for (int b = 0; b < RT_MULTI_BUCKETS; b++)
		while (r->multi[b]) {
			struct rt_multi *m = r->multi[b];

			r->multi[b] = m->next;
			free(m);
		}
}

static uint32_t fib_get(struct router *r, uint8_t family, const uint8_t *dst,
			unsigned len)
{
	uint32_t a;

	if (family == AF_INET6)
		return fib6_get(r->fib6, dst, len);
	memcpy(&a, dst, 4);
	return fib4_get(r->fib4, ntohl(a), len);
}

static int fib_set(struct router *r, uint8_t family, const uint8_t *dst,
		   unsigned len, uint32_t nh)
{
	uint32_t a;

	if (family == AF_INET6)
		return nh == FIB_NONE ? fib6_del(r->fib6, dst, len) :
					fib6_add(r->fib6, dst, len, nh);
	memcpy(&a, dst, 4);
	return nh == FIB_NONE ? fib4_del(r->fib4, ntohl(a), len) :
				fib4_add(r->fib4, ntohl(a), len, nh);
}

/* dst/len as the FIB keys it: host bits cleared. The side table must key
 * a prefix exactly as the FIB does, or a route given with host bits set
 * (the kernel sends none) replaces the FIB's entry without the side
 * table's knowing, and releases a next hop it still holds. */
static const uint8_t *prefix_of(uint8_t family, const uint8_t *dst,
				unsigned len, uint8_t out[16])
{
	unsigned int bits = family == AF_INET ? 32 : 128;

	memset(out, 0, 16);
	memcpy(out, dst, family == AF_INET ? 4 : 16);
	for (unsigned int i = len; i < bits; i++)
		out[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
	return out;
}

/* The route of lowest metric goes in the FIB. */
static int install_best(struct router *r, struct rt_multi *m)
{
	uint32_t best = m->nh[0];

	for (uint32_t i = 1; i < m->n; i++)
		if (r->nh.v[m->nh[i]].prio < r->nh.v[best].prio)
			best = m->nh[i];
	return fib_set(r, m->family, m->dst, m->len, best);
}

int route_add(struct router *r, uint8_t family, const uint8_t *dst,
	      unsigned len, const struct nh *key)
{
	uint32_t old, i;
	struct rt_multi **pp, *m;
	uint8_t pfx[16];
	int64_t idx;
	int err;

	dst = prefix_of(family, dst, len, pfx);
	old = fib_get(r, family, dst, len);
	idx = nh_get(&r->nh, key);
	if (idx < 0 || idx > FIB_NH_MAX)
		return idx < 0 ? (int)idx : -ENOSPC;
	pp = multi_find(r, family, dst, len);
	m = *pp;
	if (!m && (old == FIB_NONE || r->nh.v[old].prio == key->prio)) {
		/* The only route of the prefix, new or replaced. */
		err = fib_set(r, family, dst, len, (uint32_t)idx);
		if (err) {
			nh_put(&r->nh, (uint32_t)idx);
			return err;
		}
		if (old != FIB_NONE)
			nh_put(&r->nh, old);
		return 0;
	}
	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m) {
			nh_put(&r->nh, (uint32_t)idx);
			return -ENOMEM;
		}
		m->family = family;
		m->len = (uint8_t)len;
		memcpy(m->dst, dst, family == AF_INET ? 4 : 16);
		m->nh[m->n++] = old;
		*pp = m;
	}
	/* Same metric: it replaces that route; else one more route. */
	for (i = 0; i < m->n && r->nh.v[m->nh[i]].prio != key->prio; i++)
		;
	if (i < m->n) {
		nh_put(&r->nh, m->nh[i]);
	} else if (m->n == RT_MULTI_MAX) {
		nh_put(&r->nh, (uint32_t)idx);
		return -ENOSPC;
	} else {
		m->n++;
	}
	m->nh[i] = (uint32_t)idx;
	return install_best(r, m);
}

int route_del(struct router *r, uint8_t family, const uint8_t *dst,
	      unsigned len, const struct nh *key)
{
	uint8_t pfx[16];
	const uint8_t *p = prefix_of(family, dst, len, pfx);
	uint32_t old = fib_get(r, family, p, len), i;
	struct rt_multi **pp = multi_find(r, family, p, len), *m = *pp;
	int err;

	if (old == FIB_NONE)
		return 0;
	if (!m) {
		/* A delete of another route than ours (the kernel's table
		 * holds routes we do not mirror) changes nothing here. */
		if (!nh_equal(&r->nh.v[old], key))
			return 0;
		err = fib_set(r, family, p, len, FIB_NONE);
		if (!err)
			nh_put(&r->nh, old);
		return err;
	}
	for (i = 0; i < m->n && !nh_equal(&r->nh.v[m->nh[i]], key); i++)
		;
	if (i == m->n)
		return 0;
	nh_put(&r->nh, m->nh[i]);
	m->nh[i] = m->nh[--m->n];
	err = install_best(r, m);
	if (m->n == 1) {
		*pp = m->next;
		free(m);
	}
	return err;
}
