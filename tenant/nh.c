// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nh.h"

static uint32_t mix(const uint8_t *p, size_t n, uint32_t h)
{
	/* FNV-1a: small keys, few entries; good enough and simple. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t nh_hash(const struct nh *k)
{
	uint32_t h = 2166136261u;

	h = mix(&k->type, 1, h);
	h = mix(&k->family, 1, h);
	h = mix((const uint8_t *)&k->ifindex, sizeof(k->ifindex), h);
	h = mix((const uint8_t *)&k->prio, sizeof(k->prio), h);
	return mix(k->gw, 16, h);
}

bool nh_equal(const struct nh *a, const struct nh *b)
{
	return a->type == b->type && a->family == b->family &&
	       a->ifindex == b->ifindex && a->prio == b->prio &&
	       !memcmp(a->gw, b->gw, 16);
}

int nh_table_init(struct nh_table *t)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->hcap = 128;
	t->v = calloc(t->cap, sizeof(*t->v));
	t->hash = calloc(t->hcap, sizeof(*t->hash));
	if (!t->v || !t->hash) {
		nh_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void nh_table_free(struct nh_table *t)
{
	free(t->v);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

/* Rebuilds the index over live entries into a table of hcap slots. */
static int rehash(struct nh_table *t, uint32_t hcap)
{
	uint32_t *h = calloc(hcap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t j;

		if (!t->v[i].refs)
			continue;
		for (j = nh_hash(&t->v[i]) & (hcap - 1); h[j];
		     j = (j + 1) & (hcap - 1))
			;
		h[j] = i + 1;
	}
	free(t->hash);
	t->hash = h;
	t->hcap = hcap;
	t->hused = 0;
	for (uint32_t i = 0; i < t->n; i++)
		t->hused += t->v[i].refs != 0;
	return 0;
}

int64_t nh_get(struct nh_table *t, const struct nh *key)
{
	uint32_t j, idx = UINT32_MAX;

	for (j = nh_hash(key) & (t->hcap - 1); t->hash[j];
	     j = (j + 1) & (t->hcap - 1)) {
		struct nh *e = &t->v[t->hash[j] - 1];

		if (e->refs && nh_equal(e, key)) {
			e->refs++;
			return t->hash[j] - 1;
		}
	}
	for (uint32_t i = 0; i < t->n; i++)
		if (!t->v[i].refs) {
			idx = i;
			break;
		}
	if (idx == UINT32_MAX) {
		if (t->n == t->cap) {
			struct nh *v = realloc(t->v, 2 * t->cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			memset(v + t->cap, 0, t->cap * sizeof(*v));
			t->v = v;
			t->cap *= 2;
		}
		idx = t->n++;
	}
	t->v[idx] = *key;
	t->v[idx].refs = 1;
	t->v[idx].neigh = NULL;
	/* Entries freed earlier stay in the index as stale pointers that
	 * lookups skip, and each reuse of a slot adds one: count every
	 * taken index slot and rebuild (dropping the stale ones, growing if
	 * live entries need it) before the probe loops could find no empty
	 * slot. */
	if (2 * (t->hused + 1) >= t->hcap) {
		uint32_t live = 0;

		for (uint32_t i = 0; i < t->n; i++)
			live += t->v[i].refs != 0;
		if (rehash(t, 4 * live >= t->hcap ? 2 * t->hcap : t->hcap)) {
			t->v[idx].refs = 0;
			return -ENOMEM;
		}
	} else {
		t->hash[j] = idx + 1;
		t->hused++;
	}
	return idx;
}

void nh_put(struct nh_table *t, uint32_t idx)
{
	if (idx < t->n && t->v[idx].refs)
		t->v[idx].refs--;
}

void nh_forget_neigh(struct nh_table *t, const struct neigh *n)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (t->v[i].neigh == n)
			t->v[i].neigh = NULL;
}

static uint32_t neigh_hash(uint8_t family, int ifindex, const uint8_t *addr)
{
	uint32_t h = mix(&family, 1, 2166136261u);

	h = mix((const uint8_t *)&ifindex, sizeof(ifindex), h);
	return mix(addr, family == 2 ? 4 : 16, h);
}

int neigh_table_init(struct neigh_table *t, uint32_t buckets)
{
	t->nb = buckets;
	t->n = 0;
	t->b = calloc(buckets, sizeof(*t->b));
	return t->b ? 0 : -ENOMEM;
}

void neigh_table_free(struct neigh_table *t)
{
	for (uint32_t i = 0; t->b && i < t->nb; i++)
		while (t->b[i]) {
			struct neigh *n = t->b[i];

			t->b[i] = n->next;
			free(n);
		}
	free(t->b);
	t->b = NULL;
}

struct neigh *neigh_find(const struct neigh_table *t, uint8_t family,
			 int ifindex, const uint8_t *addr)
{
	size_t alen = family == 2 ? 4 : 16;
	struct neigh *n;

	n = t->b[neigh_hash(family, ifindex, addr) & (t->nb - 1)];
	for (; n; n = n->next)
		if (n->family == family && n->ifindex == ifindex &&
		    !memcmp(n->addr, addr, alen))
			return n;
	return NULL;
}

struct neigh *neigh_get(struct neigh_table *t, uint8_t family, int ifindex,
			const uint8_t *addr)
{
	struct neigh *n = neigh_find(t, family, ifindex, addr);
	uint32_t b;

	if (n)
		return n;
	if (t->n >= NEIGH_MAX)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->family = family;
	n->ifindex = ifindex;
	memcpy(n->addr, addr, family == 2 ? 4 : 16);
	n->state = NEIGH_INCOMPLETE;
	b = neigh_hash(family, ifindex, addr) & (t->nb - 1);
	n->next = t->b[b];
	t->b[b] = n;
	t->n++;
	return n;
}

void neigh_sweep(struct neigh_table *t, bool (*dead)(struct neigh *, void *),
		 void (*gone)(struct neigh *, void *), void *arg)
{
	for (uint32_t i = 0; i < t->nb; i++) {
		struct neigh **pp = &t->b[i];

		while (*pp) {
			struct neigh *n = *pp;

			if (!dead(n, arg)) {
				pp = &n->next;
				continue;
			}
			gone(n, arg);
			*pp = n->next;
			free(n);
			t->n--;
		}
	}
}

void neigh_walk(struct neigh_table *t, void (*fn)(struct neigh *, void *),
		void *arg)
{
	for (uint32_t i = 0; i < t->nb; i++)
		for (struct neigh *n = t->b[i]; n; n = n->next)
			fn(n, arg);
}
