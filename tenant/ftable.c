// SPDX-License-Identifier: GPL-2.0
/* The router's side of its fast table: see ftable.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <tenet/dp.h>

#include "ftable.h"
#include "log.h"
#include "rt.h"

#define NS_PER_SEC 1000000000ull

int ftable_attach(struct ftable *ft, int fd, uint32_t slots,
		  const char *const ports[2], union tn_fast_slot **old,
		  size_t *old_len)
{
	size_t len = (size_t)TN_FAST_SLOTS * sizeof(union tn_fast_slot);
	void *p;

	/* A table of another layout is not one we can write. */
	if (slots != TN_FAST_SLOTS)
		return -EPROTO;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (int i = 0; i < 2; i++)
		snprintf(ft->ports[i], sizeof(ft->ports[i]), "%s", ports[i]);
	*old = atomic_exchange(&ft->tab, (union tn_fast_slot *)p);
	*old_len = ft->len;
	ft->len = len;
	memset(ft->stamp, 0, sizeof(ft->stamp));
	atomic_fetch_add(&ft->gen, 1);
	return 0;
}

void ftable_unmap(union tn_fast_slot *tab, size_t len)
{
	if (tab)
		munmap(tab, len);
}

void ftable_sync(struct router *r)
{
	struct ftable *ft = r->ft;
	unsigned int gen;

	if (!ft)
		return;
	gen = atomic_load(&ft->gen);
	if (gen == r->ftab_gen)
		return;
	r->ftab = atomic_load(&ft->tab);
	for (int i = 0; i < r->nifs; i++) {
		r->ifs[i].role = -1;
		for (int k = 0; k < 2; k++)
			if (r->ifs[i].rx_of < 0 &&
			    !strcmp(r->ifs[i].name, ft->ports[k]))
				r->ifs[i].role = k;
	}
	if (!r->fseen)
		r->fseen = calloc(TN_FAST_ENTRIES, sizeof(*r->fseen));
	else
		memset(r->fseen, 0, TN_FAST_ENTRIES * sizeof(*r->fseen));
	r->ftab_gen = gen;
	tn_info("queue %u: fast table in use\n", r->queue);
}

bool ftable_seen(const struct router *r, unsigned int gen)
{
	return r->ftab_gen == gen;
}

static uint32_t now_s(const struct router *r)
{
	return (uint32_t)(r->now_ns / NS_PER_SEC) + 1; /* 0: never */
}

static uint32_t bucket_of(uint8_t family, const uint8_t *dst16)
{
	uint32_t w[4];

	memcpy(w, dst16, 16);
	return tn_fast_hash(family, w[0], w[1], w[2], w[3]);
}

/* Takes an even seq to odd: this thread writes the entry now. */
static bool entry_lock(struct tn_fast_entry *e, uint32_t *seq)
{
	uint32_t s = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

	if (s & 1)
		return false; /* another thread writes it */
	if (!__atomic_compare_exchange_n(&e->seq, &s, s + 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	*seq = s;
	return true;
}

static void entry_unlock(struct tn_fast_entry *e, uint32_t seq)
{
	__atomic_store_n(&e->seq, seq + 2, __ATOMIC_RELEASE);
}

static void entry_clear(struct tn_fast_entry *e)
{
	uint32_t seq;

	if (!entry_lock(e, &seq))
		return;
	e->family = 0;
	entry_unlock(e, seq);
}

/* The decision the router would make now for dst: out which interface
 * of which role, to what MAC, at what MTU. false: not the fast path's
 * (not unicast out one of the two ports, or the next hop unresolved). */
static bool decide(struct router *r, uint8_t family, const uint8_t *dst,
		   struct tn_fast_entry *want, struct neigh **np)
{
	const struct rt_if *o;
	struct neigh *n;
	uint32_t nhi, d4;
	struct nh *nh;

	if (family == AF_INET) {
		memcpy(&d4, dst, 4);
		nhi = fib4_lookup(r->fib4, ntohl(d4));
	} else {
		nhi = fib6_lookup(r->fib6, dst);
	}
	if (nhi == FIB_NONE)
		return false;
	nh = &r->nh.v[nhi];
	if (nh->type != NH_UNICAST)
		return false;
	o = rt_if_by_index(r, nh->ifindex);
	if (!o || o->role < 0 || !o->mtu)
		return false;
	n = nh->family ?
		    neigh_find(&r->neigh, nh->family, nh->ifindex, nh->gw) :
		    neigh_find(&r->neigh, family, o->ifindex, dst);
	if (!n || n->state != NEIGH_VALID)
		return false;
	want->out = (uint8_t)o->role;
	memcpy(want->mac, n->mac, 6);
	want->mtu = (uint16_t)(o->mtu > UINT16_MAX ? UINT16_MAX : o->mtu);
	if (np)
		*np = n;
	return true;
}

static bool same_decision(const struct tn_fast_entry *a,
			  const struct tn_fast_entry *b)
{
	return a->out == b->out && a->mtu == b->mtu && !a->flags &&
	       !memcmp(a->mac, b->mac, 6);
}

void ftable_learn(struct router *r, const struct rt_if *o, uint8_t family,
		  const uint8_t *dst, const uint8_t *mac)
{
	uint8_t d[16] = { 0 };
	struct tn_fast_bucket *b;
	struct tn_fast_entry *e, *victim = NULL;
	uint32_t bi, seq, oldest = UINT32_MAX, *stamp;

	if (!r->ftab || o->role < 0 || !o->mtu)
		return;
	memcpy(d, dst, family == AF_INET ? 4 : 16);
	bi = bucket_of(family, d);
	b = &r->ftab[bi].b;
	stamp = &r->ft->stamp[bi * TN_FAST_WAYS];
	for (int w = 0; w < TN_FAST_WAYS; w++) {
		e = &b->e[w];
		if (e->family == family && !memcmp(e->dst, d, 16)) {
			/* ours already: kept if it says the same (a rewrite
			 * would send XDP's readers to us meanwhile), else
			 * brought up to date */
			if (!(e->seq & 1) && e->out == o->role && !e->flags &&
			    e->mtu == (o->mtu > UINT16_MAX ? UINT16_MAX :
							     o->mtu) &&
			    !memcmp(e->mac, mac, 6)) {
				stamp[w] = now_s(r);
				return;
			}
			victim = e;
			break;
		}
		if (!e->family) {
			oldest = 0;
			victim = e;
		} else if (stamp[w] < oldest) {
			oldest = stamp[w];
			victim = e;
		}
	}
	if (!entry_lock(victim, &seq))
		return;
	victim->family = family;
	memcpy(victim->dst, d, 16);
	victim->out = (uint8_t)o->role;
	memcpy(victim->mac, mac, 6);
	victim->mtu = (uint16_t)(o->mtu > UINT16_MAX ? UINT16_MAX : o->mtu);
	victim->flags = 0;
	entry_unlock(victim, seq);
	stamp[victim - b->e] = now_s(r);
}

void ftable_revalidate(struct router *r)
{
	union tn_fast_slot *t = r->ftab;
	struct tn_fast_entry want;

	r->fast_dirty = false;
	if (!t)
		return;
	for (uint32_t b = 0; b < TN_FAST_BUCKETS; b++)
		for (int w = 0; w < TN_FAST_WAYS; w++) {
			struct tn_fast_entry *e = &t[b].b.e[w];
			uint8_t family = e->family;

			if (!family)
				continue;
			if (!decide(r, family, e->dst, &want, NULL) ||
			    !same_decision(e, &want))
				entry_clear(e);
		}
}

void ftable_forget(struct router *r, uint8_t family, const uint8_t *dst)
{
	uint8_t d[16] = { 0 };
	struct tn_fast_bucket *b;

	if (!r->ftab)
		return;
	memcpy(d, dst, family == AF_INET ? 4 : 16);
	b = &r->ftab[bucket_of(family, d)].b;
	for (int w = 0; w < TN_FAST_WAYS; w++)
		if (b->e[w].family == family && !memcmp(b->e[w].dst, d, 16))
			entry_clear(&b->e[w]);
}

void ftable_flush(struct router *r)
{
	union tn_fast_slot *t = r->ftab;

	for (uint32_t b = 0; t && b < TN_FAST_BUCKETS; b++)
		for (int w = 0; w < TN_FAST_WAYS; w++)
			if (t[b].b.e[w].family)
				entry_clear(&t[b].b.e[w]);
}

/* What XDP forwarded for us, by the port it came in, onto the counters of
 * queue 0's interface of that role. */
static void copy_counters(struct router *r)
{
	uint64_t pkts[2] = { 0 }, bytes[2] = { 0 };

	for (uint32_t c = 0; c < TN_FAST_CPUS; c++) {
		const volatile struct tn_fast_ctrs *x =
			&r->ftab[TN_FAST_BUCKETS + c].c;

		for (int k = 0; k < 2; k++) {
			pkts[k] += x->packets[k];
			bytes[k] += x->bytes[k];
		}
	}
	for (int i = 0; i < r->nifs; i++) {
		struct rt_if *x = &r->ifs[i];

		if (x->role < 0)
			continue;
		x->ctr[TN_RC_FAST] = pkts[x->role];
		x->ctr[TN_RC_FAST_BYTES] = bytes[x->role];
	}
}

void ftable_tick(struct router *r)
{
	union tn_fast_slot *t = r->ftab;
	struct tn_fast_entry want;
	struct neigh *n;
	uint32_t now = now_s(r);

	if (!t)
		return;
	for (uint32_t b = 0; b < TN_FAST_BUCKETS; b++)
		for (int w = 0; w < TN_FAST_WAYS; w++) {
			struct tn_fast_entry *e = &t[b].b.e[w];
			uint32_t i = b * TN_FAST_WAYS + (uint32_t)w;
			uint64_t hits = e->hits;

			if (!e->family || hits == r->fseen[i])
				continue;
			r->fseen[i] = hits;
			r->ft->stamp[i] = now;
			/* Its frames bypass the kernel, whose entry would go
			 * stale: fwd_timer re-asks for neighbours in use. */
			if (decide(r, e->family, e->dst, &want, &n))
				n->used = true;
		}
	if (r->queue == 0)
		copy_counters(r);
}
