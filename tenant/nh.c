// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nh.h"

/* The fields that make a next hop what it is, packed, under the key. */
static uint32_t nh_hash(const struct nh_table *t, const struct nh *k)
{
	uint8_t b[1 + 1 + sizeof(k->ifindex) + sizeof(k->prio) + 16];

	b[0] = k->type;
	b[1] = k->family;
	memcpy(b + 2, &k->ifindex, sizeof(k->ifindex));
	memcpy(b + 2 + sizeof(k->ifindex), &k->prio, sizeof(k->prio));
	memcpy(b + 2 + sizeof(k->ifindex) + sizeof(k->prio), k->gw, 16);
	return (uint32_t)siphash24(&t->key, b, sizeof(b));
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
	hash_key_random(&t->key);
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
		for (j = nh_hash(t, &t->v[i]) & (hcap - 1); h[j];
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

	for (j = nh_hash(t, key) & (t->hcap - 1); t->hash[j];
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

static uint32_t neigh_hash(const struct neigh_table *t, uint8_t family,
			   int ifindex, const uint8_t *addr)
{
	uint8_t b[1 + sizeof(ifindex) + 16];
	size_t alen = family == 2 ? 4 : 16;

	b[0] = family;
	memcpy(b + 1, &ifindex, sizeof(ifindex));
	memcpy(b + 1 + sizeof(ifindex), addr, alen);
	return (uint32_t)siphash24(&t->key, b, 1 + sizeof(ifindex) + alen);
}

static struct neigh **bucket(const struct neigh_table *t, uint8_t family,
			     int ifindex, const uint8_t *addr)
{
	return &t->b[neigh_hash(t, family, ifindex, addr) & (t->nb - 1)];
}

int neigh_table_init(struct neigh_table *t, uint32_t buckets)
{
	t->nb = buckets;
	t->n = 0;
	hash_key_random(&t->key);
	t->b = calloc(buckets, sizeof(*t->b));
	return t->b ? 0 : -ENOMEM;
}

/* Twice the buckets, each entry moved to its new one; on ENOMEM the table
 * stays as it is (longer chains, still bounded). */
static void grow(struct neigh_table *t)
{
	uint32_t nb = t->nb * 2;
	struct neigh **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; i < t->nb; i++)
		while (t->b[i]) {
			struct neigh *n = t->b[i];
			uint32_t j =
				neigh_hash(t, n->family, n->ifindex, n->addr) &
				(nb - 1);

			t->b[i] = n->next;
			n->next = b[j];
			b[j] = n;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
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

	for (n = *bucket(t, family, ifindex, addr); n; n = n->next)
		if (n->family == family && n->ifindex == ifindex &&
		    !memcmp(n->addr, addr, alen))
			return n;
	return NULL;
}

struct neigh *neigh_get(struct neigh_table *t, uint8_t family, int ifindex,
			const uint8_t *addr)
{
	struct neigh *n = neigh_find(t, family, ifindex, addr), **b;
	int len = 0;

	if (n)
		return n;
	if (t->n >= NEIGH_MAX)
		return NULL;
	if (t->n >= t->nb)
		grow(t);
	b = bucket(t, family, ifindex, addr);
	for (n = *b; n; n = n->next)
		if (++len >= NEIGH_CHAIN_MAX)
			return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->family = family;
	n->ifindex = ifindex;
	memcpy(n->addr, addr, family == 2 ? 4 : 16);
	n->state = NEIGH_INCOMPLETE;
	n->next = *b;
	*b = n;
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
