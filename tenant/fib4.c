// SPDX-License-Identifier: GPL-2.0
/*
 * IPv4 FIB, DIR-24-8; fib.h describes the entries and the fallback table
 * of short prefixes.
 *
 * Memory: tbl24 (64 MB) and the groups (GROUPS_MAX KB) are MAP_NORESERVE
 * mappings, so a router pays only for the pages its routes write; a
 * default route and a few connected routes cost a few pages. Huge pages are
 * refused for the same reason: one /24 would make 2 MB resident (and they
 * measured no faster with a full table, tools/bench-fib.c).
 *
 * The tables only say which prefix wins where. Deleting a prefix must
 * re-expose the next longest one covering it, so every prefix is also kept
 * in a hash table keyed by (addr, len); it answers that question with at
 * most 23 probes and counts the routes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fib.h"

#define TBL24_SIZE ((size_t)4 << 24)
#define PAGE_SHIFT 12
#define TBL24_PAGES (TBL24_SIZE >> PAGE_SHIFT)
#define GROUP_ENTRIES 256
#define GROUP_SIZE (GROUP_ENTRIES * sizeof(uint32_t))
/* 64K /24s holding a prefix longer than /24: a full table has ~900. */
#define GROUPS_MAX (1u << 16)
#define NO_GROUP UINT32_MAX
#define REC_MIN_SLOTS 64
#define DEPTH(e) (((e) >> FIB4_DEPTH_SHIFT) & 0x3f)

struct fib4_ctl {
	/* Record of every prefix, open addressing with linear probing. A slot
	 * is addr << 32 | len << 24 | (nh + 1); 0 is free. */
	uint64_t *slot;
	size_t slot_mask;
	unsigned int slot_shift; /* 64 - log2(slots), for the hash */
	size_t routes;
	uint32_t groups_used; /* high-water mark: groups ever written */
	uint32_t free_group; /* freed groups, chained through entry 0 */
	uint32_t *owner; /* tbl24 index of each group, NO_GROUP if free */
	size_t tbl24_touched; /* pages of tbl24 written at least once */
	uint64_t touched[TBL24_PAGES / 64];
};

static uint32_t mask_of(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

static uint32_t entry(unsigned int len, uint32_t val)
{
	return len << FIB4_DEPTH_SHIFT | val;
}

static size_t rec_hash(const struct fib4_ctl *c, uint64_t key)
{
	return (key * 0x9e3779b97f4a7c15ull) >> c->slot_shift;
}

/* The slot holding (addr, len), or the free slot where it would go. */
static uint64_t *rec_find(const struct fib4_ctl *c, uint32_t addr,
			  unsigned int len)
{
	uint64_t key = (uint64_t)addr << 8 | len;
	size_t i = rec_hash(c, key);

	while (c->slot[i] && c->slot[i] >> 24 != key)
		i = (i + 1) & c->slot_mask;
	return &c->slot[i];
}

/* nh + 1 of (addr, len), 0 if absent */
static uint32_t rec_get(const struct fib4_ctl *c, uint32_t addr,
			unsigned int len)
{
	return *rec_find(c, addr, len) & FIB4_VAL_MASK;
}

/* The record is mapped rather than malloc'd so that growing it hands the
 * old array back to the kernel instead of leaving holes in the heap: the
 * router's RSS is then what fib4_memory says. */
static int rec_resize(struct fib4_ctl *c, size_t nslots)
{
	uint64_t *old = c->slot;
	size_t old_n = old ? c->slot_mask + 1 : 0;
	void *p = mmap(NULL, nslots * sizeof(*old), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -ENOMEM;
	c->slot = p;
	c->slot_mask = nslots - 1;
	c->slot_shift = 64 - __builtin_ctzl(nslots);
	for (size_t i = 0; i < old_n; i++)
		if (old[i])
			*rec_find(c, old[i] >> 32, (old[i] >> 24) & 0x3f) =
				old[i];
	if (old)
		munmap(old, old_n * sizeof(*old));
	return 0;
}

/* Room for one more prefix, so nothing can fail once tables change. */
static int rec_reserve(struct fib4_ctl *c)
{
	if ((c->routes + 1) * 4 <= (c->slot_mask + 1) * 3)
		return 0;
	return rec_resize(c, (c->slot_mask + 1) * 2);
}

/* Backward-shift deletion: later slots of the probe run move up, so
 * lookups never need tombstones. */
static void rec_remove(struct fib4_ctl *c, uint64_t *s)
{
	size_t i = s - c->slot, j = i;

	for (;;) {
		j = (j + 1) & c->slot_mask;
		if (!c->slot[j])
			break;
		size_t h = rec_hash(c, c->slot[j] >> 24);
		/* slot j may fill the hole at i only if its home is not
		 * cyclically within (i, j] */
		if ((i <= j) ? (h <= i || h > j) : (h <= i && h > j)) {
			c->slot[i] = c->slot[j];
			i = j;
		}
	}
	c->slot[i] = 0;
	c->routes--;
}

static void t24_write(struct fib4 *f, uint32_t i, uint32_t e)
{
	struct fib4_ctl *c = f->ctl;
	size_t page = (size_t)i >> (PAGE_SHIFT - 2);
	uint64_t bit = 1ull << (page & 63);

	if (!(c->touched[page / 64] & bit)) {
		c->touched[page / 64] |= bit;
		c->tbl24_touched++;
	}
	f->tbl24[i] = e;
}

static uint32_t *group(const struct fib4 *f, uint32_t t24)
{
	return f->tbl8 + (size_t)(t24 & FIB4_VAL_MASK) * GROUP_ENTRIES;
}

static void paint_group(uint32_t *g, unsigned int first, unsigned int n,
			unsigned int lo, unsigned int hi, uint32_t e)
{
	for (unsigned int j = first; j < first + n; j++)
		if (DEPTH(g[j]) >= lo && DEPTH(g[j]) <= hi)
			g[j] = e;
}

/*
 * Entry e replaces those in [addr, addr + 2^(32-len)) written by a prefix
 * of length lo..hi: an add passes 0..len (an empty entry has depth 0), a
 * delete len..len. tbl24 never holds what fallback says.
 */
static void paint(struct fib4 *f, uint32_t addr, unsigned int len,
		  unsigned int lo, unsigned int hi, uint32_t e)
{
	uint32_t first = addr >> 8;

	if (len > 24) {
		paint_group(group(f, f->tbl24[first]), addr & 0xff,
			    1u << (32 - len), lo, hi, e);
		return;
	}
	for (uint32_t i = first; i < first + (1u << (24 - len)); i++) {
		uint32_t t = f->tbl24[i];

		if (t & FIB4_GROUP) {
			paint_group(group(f, t), 0, GROUP_ENTRIES, lo, hi, e);
		} else if (DEPTH(t) >= lo && DEPTH(t) <= hi) {
			uint32_t v = DEPTH(e) > FIB4_SHORT_MAX ? e : 0;

			if (t != v)
				t24_write(f, i, v);
		}
	}
}

/* Give tbl24 entry i a group holding what the entry said for all 256. */
static int group_split(struct fib4 *f, uint32_t i)
{
	struct fib4_ctl *c = f->ctl;
	uint32_t gi, fill, *g;

	if (c->free_group != NO_GROUP) {
		gi = c->free_group;
		c->free_group = f->tbl8[(size_t)gi * GROUP_ENTRIES];
	} else if (c->groups_used < GROUPS_MAX) {
		gi = c->groups_used++;
	} else {
		return -ENOSPC;
	}
	fill = f->tbl24[i] ? f->tbl24[i] :
			     f->fallback[i >> (24 - FIB4_SHORT_MAX)];
	g = f->tbl8 + (size_t)gi * GROUP_ENTRIES;
	for (unsigned int j = 0; j < GROUP_ENTRIES; j++)
		g[j] = fill;
	c->owner[gi] = i;
	t24_write(f, i, FIB4_GROUP | gi);
	return 0;
}

/* Once no prefix longer than /24 is left in it, a group says one thing
 * for all 256 addresses: fold it back into tbl24 and free it. */
static void group_merge(struct fib4 *f, uint32_t i)
{
	struct fib4_ctl *c = f->ctl;
	uint32_t gi = f->tbl24[i] & FIB4_VAL_MASK, *g = group(f, f->tbl24[i]);

	for (unsigned int j = 0; j < GROUP_ENTRIES; j++)
		if (DEPTH(g[j]) > 24)
			return;
	t24_write(f, i, DEPTH(g[0]) > FIB4_SHORT_MAX ? g[0] : 0);
	c->owner[gi] = NO_GROUP;
	g[0] = c->free_group;
	c->free_group = gi;
}

/* The entry of the longest prefix shorter than len covering addr. */
static uint32_t cover(const struct fib4 *f, uint32_t addr, unsigned int len)
{
	for (unsigned int l = len - 1; l > FIB4_SHORT_MAX; l--) {
		uint32_t v = rec_get(f->ctl, addr & mask_of(l), l);

		if (v)
			return entry(l, v);
	}
	return f->fallback[addr >> (32 - FIB4_SHORT_MAX)];
}

/*
 * A short prefix changed: recompute fallback for the octets it spans, and the
 * group entries that no longer prefix covers, which are copies of fallback.
 * Short prefixes are rare, so walking every group is fine.
 */
static void fallback_update(struct fib4 *f, uint32_t addr, unsigned int len)
{
	struct fib4_ctl *c = f->ctl;
	uint32_t first = addr >> (32 - FIB4_SHORT_MAX);
	uint32_t n = 1u << (FIB4_SHORT_MAX - len);

	for (uint32_t o = first; o < first + n; o++) {
		uint32_t base = o << (32 - FIB4_SHORT_MAX), e = 0;

		for (int l = FIB4_SHORT_MAX; l >= 0 && !e; l--) {
			uint32_t v = rec_get(c, base & mask_of(l), l);

			if (v)
				e = entry(l, v);
		}
		f->fallback[o] = e;
	}
	for (uint32_t gi = 0; gi < c->groups_used; gi++) {
		uint32_t o = c->owner[gi] >> (24 - FIB4_SHORT_MAX);
		uint32_t *g = f->tbl8 + (size_t)gi * GROUP_ENTRIES;

		if (c->owner[gi] == NO_GROUP || o < first || o >= first + n)
			continue;
		for (unsigned int j = 0; j < GROUP_ENTRIES; j++)
			if (DEPTH(g[j]) <= FIB4_SHORT_MAX)
				g[j] = f->fallback[o];
	}
}

int fib4_add(struct fib4 *f, uint32_t addr, unsigned int len, uint32_t nh)
{
	struct fib4_ctl *c = f->ctl;
	uint64_t *s;
	int err;

	if (len > 32 || nh > FIB_NH_MAX)
		return -EINVAL;
	addr &= mask_of(len);
	s = rec_find(c, addr, len);
	if (!*s) {
		err = rec_reserve(c);
		if (err)
			return err;
		if (len > 24 && !(f->tbl24[addr >> 8] & FIB4_GROUP)) {
			err = group_split(f, addr >> 8);
			if (err)
				return err;
		}
		s = rec_find(c, addr, len);
		c->routes++;
	}
	*s = (uint64_t)addr << 32 | entry(len, nh + 1);
	if (len <= FIB4_SHORT_MAX)
		fallback_update(f, addr, len);
	else
		paint(f, addr, len, 0, len, entry(len, nh + 1));
	return 0;
}

int fib4_del(struct fib4 *f, uint32_t addr, unsigned int len)
{
	uint64_t *s;

	if (len > 32)
		return -EINVAL;
	addr &= mask_of(len);
	s = rec_find(f->ctl, addr, len);
	if (!*s)
		return -ENOENT;
	rec_remove(f->ctl, s);
	if (len <= FIB4_SHORT_MAX) {
		fallback_update(f, addr, len);
		return 0;
	}
	paint(f, addr, len, len, len, cover(f, addr, len));
	if (len > 24)
		group_merge(f, addr >> 8);
	return 0;
}

static void *map_noreserve(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

struct fib4 *fib4_create(void)
{
	struct fib4 *f = calloc(1, sizeof(*f));
	int err = ENOMEM;

	if (!f)
		return NULL;
	f->ctl = calloc(1, sizeof(*f->ctl));
	if (!f->ctl)
		goto fail;
	f->ctl->free_group = NO_GROUP;
	if (rec_resize(f->ctl, REC_MIN_SLOTS))
		goto fail;
	f->tbl24 = map_noreserve(TBL24_SIZE);
	f->tbl8 = map_noreserve((size_t)GROUPS_MAX * GROUP_SIZE);
	f->ctl->owner = map_noreserve(GROUPS_MAX * sizeof(*f->ctl->owner));
	if (f->tbl24 && f->tbl8 && f->ctl->owner)
		return f;
	err = errno;
fail:
	fib4_destroy(f);
	errno = err;
	return NULL;
}

void fib4_destroy(struct fib4 *f)
{
	if (!f)
		return;
	if (f->tbl24)
		munmap(f->tbl24, TBL24_SIZE);
	if (f->tbl8)
		munmap(f->tbl8, (size_t)GROUPS_MAX * GROUP_SIZE);
	if (f->ctl) {
		if (f->ctl->slot)
			munmap(f->ctl->slot,
			       (f->ctl->slot_mask + 1) * sizeof(*f->ctl->slot));
		if (f->ctl->owner)
			munmap(f->ctl->owner,
			       GROUPS_MAX * sizeof(*f->ctl->owner));
		free(f->ctl);
	}
	free(f);
}

uint32_t fib4_get(const struct fib4 *f, uint32_t addr, unsigned int len)
{
	if (len > 32)
		return FIB_NONE;
	/* absent reads as nh + 1 = 0 */
	return rec_get(f->ctl, addr & mask_of(len), len) - 1;
}

size_t fib4_routes(const struct fib4 *f)
{
	return f->ctl->routes;
}

static size_t page_up(size_t n)
{
	return (n + (1u << PAGE_SHIFT) - 1) & ~(((size_t)1 << PAGE_SHIFT) - 1);
}

size_t fib4_memory(const struct fib4 *f)
{
	const struct fib4_ctl *c = f->ctl;

	return sizeof(*f) + sizeof(*c) + (c->tbl24_touched << PAGE_SHIFT) +
	       page_up(c->groups_used * GROUP_SIZE) +
	       page_up(c->groups_used * sizeof(*c->owner)) +
	       page_up((c->slot_mask + 1) * sizeof(*c->slot));
}
