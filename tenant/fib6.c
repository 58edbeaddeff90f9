// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 FIB: a multibit trie, one level per address byte (stride 8).
 *
 * Why this shape: a full table is 160k prefixes, nearly all /29../48, so
 * prefix expansion (DIR-style tables) would write a 256-entry group for
 * almost every prefix: hundreds of MB. Here a node stores only what it
 * holds, as bitmaps plus dense arrays (popcount gives the array slot):
 *
 *  - the prefixes ending in its byte, as a 512-bit map of "ART" indices:
 *    a prefix of l bits (0..8) within the byte with value v is index
 *    2^l + v, so the up to 9 prefixes that can match byte b are 256 + b
 *    and its successive halvings; the first one set is the longest match.
 *    A prefix of length L lives at depth (L - 1) / 8 (the /0 at the root),
 *    so /8, /16 ... /128 end a node's byte instead of opening a new node;
 *  - its children, as a 256-bit map by next byte.
 *
 * A child that would hold a single prefix is that prefix itself, a leaf
 * (path compression), so a lone /48 or /128 does not cost a chain of
 * nodes; the trie is kept so on delete. A full table needs ~23k nodes and
 * ~12k leaves, 3.8 MB; a lookup descends at most 16 nodes, for a full
 * table usually 4..6, then takes the longest match on the way back up.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fib.h"

#define LEAF ((uintptr_t)1)

/*
 * A node is one allocation: this header, then its children, then the
 * 512-bit map of its prefixes, then their next hops. Descending reads the
 * kids map and one child slot: with few children, as deep nodes have,
 * mostly one cache line per level. (Aligning nodes to cache lines measured
 * no faster and cost 50% more memory in malloc's alignment waste.)
 */
struct node {
	uint64_t kids[4]; /* byte b of the address has a child */
	uint8_t kids_below[4]; /* children in kids[0..w-1] */
	uint16_t nkids, npfx;
	uintptr_t kid[]; /* by rank in kids[]; LEAF tags a leaf */
};

struct leaf {
	uint64_t hi, lo; /* host order, host bits zero */
	uint32_t nh;
	uint8_t len;
};

struct fib6 {
	uintptr_t root;
	size_t routes;
	size_t memory; /* bytes of nodes and leaves */
};

static uint64_t *pfx_map(const struct node *n)
{
	return (uint64_t *)(n->kid + n->nkids);
}

static uint32_t *nh_of(const struct node *n)
{
	return (uint32_t *)(pfx_map(n) + 8);
}

static unsigned int depth_of(unsigned int len)
{
	return len ? (len - 1) / 8 : 0;
}

static unsigned int byte_at(const struct leaf *p, unsigned int d)
{
	return (d < 8 ? p->hi >> (56 - 8 * d) : p->lo >> (120 - 8 * d)) & 0xff;
}

static uint64_t mask_of(unsigned int len)
{
	return len ? ~0ull << (64 - len) : 0;
}

static void set_len(struct leaf *p, unsigned int len)
{
	p->len = len;
	p->hi &= mask_of(len < 64 ? len : 64);
	p->lo &= mask_of(len > 64 ? len - 64 : 0);
}

static void load(struct leaf *p, const uint8_t a[16])
{
	memcpy(&p->hi, a, 8);
	memcpy(&p->lo, a + 8, 8);
	p->hi = be64toh(p->hi);
	p->lo = be64toh(p->lo);
}

/* The index in the ART map of prefix p within the byte of depth d. */
static unsigned int art_index(const struct leaf *p, unsigned int d)
{
	unsigned int l = p->len - 8 * d;

	return p->len ? 1u << l | byte_at(p, d) >> (8 - l) : 1;
}

static int test_bit(const uint64_t *map, unsigned int i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static unsigned int below(uint64_t word, unsigned int i)
{
	return __builtin_popcountll(word & ((1ull << (i % 64)) - 1));
}

static unsigned int kid_rank(const struct node *n, unsigned int b)
{
	return n->kids_below[b / 64] + below(n->kids[b / 64], b);
}

static unsigned int pfx_rank(const uint64_t *map, unsigned int i)
{
	unsigned int r = below(map[i / 64], i);

	for (unsigned int w = 0; w < i / 64; w++)
		r += __builtin_popcountll(map[w]);
	return r;
}

/* Memory is counted as glibc's malloc takes it, a chunk with an 8-byte
 * header in 16-byte steps, and computed, not asked of malloc, so the same
 * table always counts the same. */
static size_t chunk(size_t size)
{
	return (size + 8 + 15) & ~(size_t)15;
}

static size_t node_size(unsigned int nkids, unsigned int npfx)
{
	return sizeof(struct node) + nkids * sizeof(uintptr_t) +
	       8 * sizeof(uint64_t) + npfx * sizeof(uint32_t);
}

static void leaf_free(struct fib6 *f, struct leaf *lf)
{
	f->memory -= chunk(sizeof(*lf));
	free(lf);
}

static void node_free1(struct fib6 *f, struct node *n)
{
	f->memory -= chunk(node_size(n->nkids, n->npfx));
	free(n);
}

static struct leaf *leaf_new(struct fib6 *f, const struct leaf *p)
{
	struct leaf *lf = malloc(sizeof(*lf));

	if (lf) {
		*lf = *p;
		f->memory += chunk(sizeof(*lf));
	}
	return lf;
}

static struct node *node_alloc(struct fib6 *f, unsigned int nkids,
			       unsigned int npfx)
{
	struct node *n = malloc(node_size(nkids, npfx));

	if (n)
		f->memory += chunk(node_size(nkids, npfx));
	return n;
}

static struct node *node_new(struct fib6 *f)
{
	struct node *n = node_alloc(f, 0, 0);

	if (n)
		memset(n, 0, node_size(0, 0));
	return n;
}

static void node_free(struct fib6 *f, struct node *n)
{
	for (unsigned int i = 0; i < n->nkids; i++) {
		if (n->kid[i] & LEAF)
			leaf_free(f, (struct leaf *)(n->kid[i] & ~LEAF));
		else
			node_free(f, (struct node *)n->kid[i]);
	}
	node_free1(f, n);
}

/* Copy n elements of size sz, opening a hole at pos (d 1) or dropping the
 * element at pos (d -1); dst may be src when dropping. */
static void splice(void *dst, const void *src, size_t sz, unsigned int n,
		   unsigned int pos, int d)
{
	char *to = dst;
	const char *from = src;

	memmove(to, from, pos * sz);
	if (d > 0)
		memmove(to + (pos + 1) * sz, from + pos * sz, (n - pos) * sz);
	else if (d < 0)
		memmove(to + pos * sz, from + (pos + 1) * sz,
			(n - pos - 1) * sz);
	else
		memmove(to + pos * sz, from + pos * sz, (n - pos) * sz);
}

/*
 * The node in *slot with a child slot opened (dk 1) or dropped (dk -1) at
 * rank kr, and likewise a next hop (dp) at rank pr. NULL if growing cannot
 * allocate; shrinking then happens in place, so deletes never fail.
 */
static struct node *node_splice(struct fib6 *f, uintptr_t *slot,
				unsigned int kr, int dk, unsigned int pr,
				int dp)
{
	struct node *o = (struct node *)*slot;
	struct node *n = node_alloc(f, o->nkids + dk, o->npfx + dp);
	const uint64_t *map = pfx_map(o);
	const uint32_t *nh = nh_of(o);
	unsigned int nk = o->nkids, np = o->npfx;

	if (!n) {
		if (dk > 0 || dp > 0)
			return NULL;
		n = o;
		f->memory -= chunk(node_size(nk, np)) -
			     chunk(node_size(nk + dk, np + dp));
	}
	memmove(n, o, sizeof(*n));
	n->nkids += dk;
	n->npfx += dp;
	splice(n->kid, o->kid, sizeof(*n->kid), nk, kr, dk);
	memmove(pfx_map(n), map, 8 * sizeof(*map));
	splice(nh_of(n), nh, sizeof(*nh), np, pr, dp);
	if (n != o) {
		f->memory -= chunk(node_size(nk, np));
		free(o);
		*slot = (uintptr_t)n;
	}
	return n;
}

static void flip_kid(struct node *n, unsigned int b, int delta)
{
	for (unsigned int w = b / 64 + 1; w < 4; w++)
		n->kids_below[w] += delta;
	n->kids[b / 64] ^= 1ull << (b % 64);
}

static int same_prefix(const struct leaf *a, const struct leaf *b)
{
	return a->len == b->len && a->hi == b->hi && a->lo == b->lo;
}

/* Add p below the node in *slot, at depth d: 1 if p is new, 0 if it
 * replaced a next hop, or -ENOMEM with the trie unchanged. */
static int node_add(struct fib6 *f, uintptr_t *slot, unsigned int d,
		    const struct leaf *p)
{
	struct node *n = (struct node *)*slot;
	unsigned int b = byte_at(p, d), r;
	struct leaf *lf;
	uintptr_t *k, m;
	int err;

	if (depth_of(p->len) == d) {
		unsigned int i = art_index(p, d);
		int new = !test_bit(pfx_map(n), i);

		r = pfx_rank(pfx_map(n), i);
		if (new) {
			n = node_splice(f, slot, 0, 0, r, 1);
			if (!n)
				return -ENOMEM;
			pfx_map(n)[i / 64] |= 1ull << (i % 64);
		}
		nh_of(n)[r] = p->nh;
		return new;
	}
	r = kid_rank(n, b);
	if (!test_bit(n->kids, b)) {
		lf = leaf_new(f, p);
		if (!lf)
			return -ENOMEM;
		n = node_splice(f, slot, r, 1, 0, 0);
		if (!n) {
			leaf_free(f, lf);
			return -ENOMEM;
		}
		n->kid[r] = (uintptr_t)lf | LEAF;
		flip_kid(n, b, 1);
		return 1;
	}
	k = &n->kid[r];
	if (!(*k & LEAF))
		return node_add(f, k, d + 1, p);
	lf = (struct leaf *)(*k & ~LEAF);
	if (same_prefix(lf, p)) {
		lf->nh = p->nh;
		return 0;
	}
	/* a second prefix below b: the leaf becomes a node holding both */
	m = (uintptr_t)node_new(f);
	if (!m)
		return -ENOMEM;
	err = node_add(f, &m, d + 1, lf);
	if (err >= 0)
		err = node_add(f, &m, d + 1, p);
	if (err < 0) {
		node_free(f, (struct node *)m);
		return err;
	}
	*k = m;
	leaf_free(f, lf);
	return 1;
}

/*
 * The child in n's slot for byte b (at depth d, on prefix p's path) lost a
 * prefix. Keep the trie canonical, every node holding two prefixes or
 * more, so memory follows the table down. Best effort: if a leaf cannot be
 * allocated the node stays, which costs memory but is still correct.
 */
static void compact(struct fib6 *f, uintptr_t *slot, unsigned int b,
		    unsigned int d, const struct leaf *p)
{
	struct node *n = (struct node *)*slot;
	uintptr_t *k = &n->kid[kid_rank(n, b)];
	struct node *m = (struct node *)*k;
	struct leaf *lf;

	if (m->npfx + m->nkids == 0) {
		node_splice(f, slot, kid_rank(n, b), -1, 0, 0);
		flip_kid((struct node *)*slot, b, -1);
	} else if (m->npfx == 0 && m->nkids == 1 && (m->kid[0] & LEAF)) {
		*k = m->kid[0];
	} else if (m->npfx == 1 && m->nkids == 0 && (lf = leaf_new(f, p))) {
		unsigned int i = 0, l;
		uint64_t byte;

		while (!test_bit(pfx_map(m), i))
			i++;
		l = 31 - __builtin_clz(i);
		byte = (i ^ 1u << l) << (8 - l);
		set_len(lf, 8 * d);
		if (d < 8)
			lf->hi |= byte << (56 - 8 * d);
		else
			lf->lo |= byte << (120 - 8 * d);
		lf->len += l;
		lf->nh = nh_of(m)[0];
		*k = (uintptr_t)lf | LEAF;
	} else {
		return;
	}
	node_free1(f, m);
}

static int node_del(struct fib6 *f, uintptr_t *slot, unsigned int d,
		    const struct leaf *p)
{
	struct node *n = (struct node *)*slot;
	unsigned int b = byte_at(p, d);
	uintptr_t k;
	int err;

	if (depth_of(p->len) == d) {
		unsigned int i = art_index(p, d);

		if (!test_bit(pfx_map(n), i))
			return -ENOENT;
		n = node_splice(f, slot, 0, 0, pfx_rank(pfx_map(n), i), -1);
		pfx_map(n)[i / 64] &= ~(1ull << (i % 64));
		return 0;
	}
	if (!test_bit(n->kids, b))
		return -ENOENT;
	k = n->kid[kid_rank(n, b)];
	if (k & LEAF) {
		if (!same_prefix((struct leaf *)(k & ~LEAF), p))
			return -ENOENT;
		n = node_splice(f, slot, kid_rank(n, b), -1, 0, 0);
		flip_kid(n, b, -1);
		leaf_free(f, (struct leaf *)(k & ~LEAF));
		return 0;
	}
	err = node_del(f, &n->kid[kid_rank(n, b)], d + 1, p);
	if (!err)
		compact(f, slot, b, d + 1, p);
	return err;
}

static int prefix_of(struct leaf *p, const uint8_t addr[16], unsigned int len,
		     uint32_t nh)
{
	if (len > 128 || nh > FIB_NH_MAX)
		return -EINVAL;
	load(p, addr);
	set_len(p, len);
	p->nh = nh;
	return 0;
}

int fib6_add(struct fib6 *f, const uint8_t addr[16], unsigned int len,
	     uint32_t nh)
{
	struct leaf p;
	int err = prefix_of(&p, addr, len, nh);

	if (!err)
		err = node_add(f, &f->root, 0, &p);
	if (err > 0)
		f->routes++;
	return err < 0 ? err : 0;
}

int fib6_del(struct fib6 *f, const uint8_t addr[16], unsigned int len)
{
	struct leaf p;
	int err = prefix_of(&p, addr, len, 0);

	if (!err)
		err = node_del(f, &f->root, 0, &p);
	if (!err)
		f->routes--;
	return err;
}

static int leaf_covers(const struct leaf *lf, const uint8_t a[16])
{
	struct leaf x;

	load(&x, a);
	set_len(&x, lf->len);
	return x.hi == lf->hi && x.lo == lf->lo;
}

/* Descend as far as a's bytes lead, then climb back: a deeper node's
 * prefixes are longer, so the first one matching is the longest. */
uint32_t fib6_lookup(const struct fib6 *f, const uint8_t a[16])
{
	const struct node *path[16], *n = (const struct node *)f->root;
	int d;

	for (d = 0;; d++) {
		unsigned int b = a[d];
		uintptr_t k;

		path[d] = n;
		/* nothing hangs below the last byte */
		if (d == 15 || !test_bit(n->kids, b))
			break;
		k = n->kid[kid_rank(n, b)];
		if (!(k & LEAF)) {
			n = (const struct node *)k;
			continue;
		}
		/* a leaf is longer than anything above it */
		if (leaf_covers((const struct leaf *)(k & ~LEAF), a))
			return ((const struct leaf *)(k & ~LEAF))->nh;
		break;
	}
	for (; d >= 0; d--) {
		n = path[d];
		if (!n->npfx)
			continue;
		for (unsigned int i = 256 + a[d]; i; i >>= 1)
			if (test_bit(pfx_map(n), i))
				return nh_of(n)[pfx_rank(pfx_map(n), i)];
	}
	return FIB_NONE;
}

struct fib6 *fib6_create(void)
{
	struct fib6 *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->root = (uintptr_t)node_new(f);
	if (!f->root) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

void fib6_destroy(struct fib6 *f)
{
	if (!f)
		return;
	node_free(f, (struct node *)f->root);
	free(f);
}

uint32_t fib6_get(const struct fib6 *f, const uint8_t addr[16],
		  unsigned int len)
{
	const struct node *n = (const struct node *)f->root;
	struct leaf p;
	unsigned int d, i;
	uintptr_t k;

	if (prefix_of(&p, addr, len, 0))
		return FIB_NONE;
	for (d = 0; d < depth_of(len); d++) {
		i = byte_at(&p, d);
		if (!test_bit(n->kids, i))
			return FIB_NONE;
		k = n->kid[kid_rank(n, i)];
		if (k & LEAF) {
			const struct leaf *lf =
				(const struct leaf *)(k & ~LEAF);

			return same_prefix(lf, &p) ? lf->nh : FIB_NONE;
		}
		n = (const struct node *)k;
	}
	i = art_index(&p, d);
	if (!test_bit(pfx_map(n), i))
		return FIB_NONE;
	return nh_of(n)[pfx_rank(pfx_map(n), i)];
}

size_t fib6_routes(const struct fib6 *f)
{
	return f->routes;
}

size_t fib6_memory(const struct fib6 *f)
{
	return sizeof(*f) + f->memory;
}
