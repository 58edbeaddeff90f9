// SPDX-License-Identifier: GPL-2.0
/*
 * tenant/fib4.c, fib6.c: every lookup answers what a plain longest-prefix
 * scan over the same prefixes answers, through adds, replaces and deletes,
 * and the full Internet table loads and answers right.
 *
 * Both families run the same tests through struct fam. An address is an
 * unsigned __int128 with IPv4 in the top 32 bits, so one mask and one +-1
 * serve both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "fib.h"
#include "parse.h"

#define FULLTABLE "tests/data/fulltable-prefixes.txt.gz"

typedef unsigned __int128 u128;

struct fam {
	const char *name;
	unsigned int bits;
	void *(*create)(void);
	void (*destroy)(void *f);
	int (*add)(void *f, u128 a, unsigned int len, uint32_t nh);
	int (*del)(void *f, u128 a, unsigned int len);
	uint32_t (*lookup)(const void *f, u128 a);
	uint32_t (*get)(const void *f, u128 a, unsigned int len);
	size_t (*routes)(const void *f);
	size_t (*memory)(const void *f);
	/* memory follows deletes down: the same prefixes cost the same
	 * whatever came and went (IPv4 keeps pages it touched) */
	int shrinks;
};

/* a in network order, in the caller's buffer b */
static const uint8_t *to_bytes(u128 a, uint8_t b[16])
{
	for (int i = 15; i >= 0; i--, a >>= 8)
		b[i] = a & 0xff;
	return b;
}

static u128 from_bytes(const uint8_t b[16])
{
	u128 a = 0;

	for (int i = 0; i < 16; i++)
		a = a << 8 | b[i];
	return a;
}

static void *v4_create(void)
{
	return fib4_create();
}
static void v4_destroy(void *f)
{
	fib4_destroy(f);
}
static int v4_add(void *f, u128 a, unsigned int len, uint32_t nh)
{
	return fib4_add(f, a >> 96, len, nh);
}
static int v4_del(void *f, u128 a, unsigned int len)
{
	return fib4_del(f, a >> 96, len);
}
static uint32_t v4_lookup(const void *f, u128 a)
{
	return fib4_lookup(f, a >> 96);
}
static uint32_t v4_get(const void *f, u128 a, unsigned int len)
{
	return fib4_get(f, a >> 96, len);
}
static size_t v4_routes(const void *f)
{
	return fib4_routes(f);
}
static size_t v4_memory(const void *f)
{
	return fib4_memory(f);
}

static void *v6_create(void)
{
	return fib6_create();
}
static void v6_destroy(void *f)
{
	fib6_destroy(f);
}
static int v6_add(void *f, u128 a, unsigned int len, uint32_t nh)
{
	return fib6_add(f, to_bytes(a, (uint8_t[16]){ 0 }), len, nh);
}
static int v6_del(void *f, u128 a, unsigned int len)
{
	return fib6_del(f, to_bytes(a, (uint8_t[16]){ 0 }), len);
}
static uint32_t v6_lookup(const void *f, u128 a)
{
	return fib6_lookup(f, to_bytes(a, (uint8_t[16]){ 0 }));
}
static uint32_t v6_get(const void *f, u128 a, unsigned int len)
{
	return fib6_get(f, to_bytes(a, (uint8_t[16]){ 0 }), len);
}
static size_t v6_routes(const void *f)
{
	return fib6_routes(f);
}
static size_t v6_memory(const void *f)
{
	return fib6_memory(f);
}

static const struct fam fam4 = {
	.name = "ipv4",
	.bits = 32,
	.create = v4_create,
	.destroy = v4_destroy,
	.add = v4_add,
	.del = v4_del,
	.lookup = v4_lookup,
	.get = v4_get,
	.routes = v4_routes,
	.memory = v4_memory,
	.shrinks = 0,
};
static const struct fam fam6 = {
	.name = "ipv6",
	.bits = 128,
	.create = v6_create,
	.destroy = v6_destroy,
	.add = v6_add,
	.del = v6_del,
	.lookup = v6_lookup,
	.get = v6_get,
	.routes = v6_routes,
	.memory = v6_memory,
	.shrinks = 1,
};

static u128 mask_of(unsigned int len)
{
	return len ? ~(u128)0 << (128 - len) : 0;
}

/* one unit of the family's address: +-1 wraps within its bits */
static u128 unit(const struct fam *fm)
{
	return (u128)1 << (128 - fm->bits);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static u128 rnd_addr(const struct fam *fm, uint64_t *s)
{
	return ((u128)rnd(s) << 64 | rnd(s)) & mask_of(fm->bits);
}

static const char *str(const struct fam *fm, u128 a, char *buf)
{
	return inet_ntop(fm->bits == 32 ? AF_INET : AF_INET6,
			 to_bytes(a, (uint8_t[16]){ 0 }), buf,
			 INET6_ADDRSTRLEN);
}

/* The reference: a list of prefixes, lookup scans for the longest match. */
struct route {
	u128 addr, mask;
	unsigned int len;
	uint32_t nh;
};

struct ref {
	struct route *r;
	size_t n, cap;
};

static struct route *ref_find(struct ref *ref, u128 a, unsigned int len)
{
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].len == len &&
		    ref->r[i].addr == (a & mask_of(len)))
			return &ref->r[i];
	return NULL;
}

static void ref_push(struct ref *ref, u128 a, unsigned int len, uint32_t nh)
{
	if (ref->n == ref->cap) {
		ref->cap = ref->cap ? ref->cap * 2 : 256;
		ref->r = realloc(ref->r, ref->cap * sizeof(*ref->r));
		assert_non_null(ref->r);
	}
	ref->r[ref->n++] =
		(struct route){ a & mask_of(len), mask_of(len), len, nh };
}

static void ref_add(struct ref *ref, u128 a, unsigned int len, uint32_t nh)
{
	struct route *r = ref_find(ref, a, len);

	if (r)
		r->nh = nh;
	else
		ref_push(ref, a, len, nh);
}

static void ref_del(struct ref *ref, u128 a, unsigned int len)
{
	struct route *r = ref_find(ref, a, len);

	assert_non_null(r);
	*r = ref->r[--ref->n];
}

static uint32_t ref_lookup(const struct ref *ref, u128 a)
{
	const struct route *best = NULL;

	for (size_t i = 0; i < ref->n; i++) {
		const struct route *r = &ref->r[i];

		if (!((a ^ r->addr) & r->mask) && (!best || r->len > best->len))
			best = r;
	}
	return best ? best->nh : FIB_NONE;
}

static void expect(const struct fam *fm, const void *f, u128 a, uint32_t want)
{
	uint32_t got = fm->lookup(f, a);
	char buf[INET6_ADDRSTRLEN];

	if (got != want)
		print_error("%s lookup %s: got %u, want %u\n", fm->name,
			    str(fm, a, buf), got, want);
	assert_int_equal(got, want);
}

/* Both tables hold the same prefixes and agree on the edges of every
 * prefix of edges (first and last address, one either side), on random
 * addresses and on random ones inside prefixes. */
static void check(const struct fam *fm, const void *f, const struct ref *ref,
		  const struct ref *edges, uint64_t seed, unsigned int nrand)
{
	u128 one = unit(fm), host = mask_of(fm->bits);

	assert_int_equal(fm->routes(f), ref->n);
	for (size_t i = 0; i < ref->n; i++)
		assert_int_equal(fm->get(f, ref->r[i].addr, ref->r[i].len),
				 ref->r[i].nh);
	for (size_t i = 0; i < edges->n; i++) {
		u128 first = edges->r[i].addr;
		u128 last = first | (~edges->r[i].mask & host);
		u128 edge[4] = { first, last, (first - one) & host,
				 (last + one) & host };

		for (int j = 0; j < 4; j++)
			expect(fm, f, edge[j], ref_lookup(ref, edge[j]));
	}
	for (unsigned int i = 0; i < nrand; i++) {
		u128 a = rnd_addr(fm, &seed);

		expect(fm, f, a, ref_lookup(ref, a));
		if (!ref->n)
			continue;
		const struct route *r = &ref->r[rnd(&seed) % ref->n];
		a = r->addr | (rnd_addr(fm, &seed) & ~r->mask);
		expect(fm, f, a, ref_lookup(ref, a));
	}
}

static void add_both(const struct fam *fm, void *f, struct ref *ref, u128 a,
		     unsigned int len, uint32_t nh)
{
	assert_int_equal(fm->add(f, a, len, nh), 0);
	ref_add(ref, a, len, nh);
}

static void del_both(const struct fam *fm, void *f, struct ref *ref, u128 a,
		     unsigned int len)
{
	assert_int_equal(fm->del(f, a, len), 0);
	assert_int_equal(fm->get(f, a, len), FIB_NONE);
	ref_del(ref, a, len);
}

/*
 * n random prefixes: the forced lengths first, then half fresh (mostly in
 * the longer half of the lengths, where tables are busy) and half nested
 * inside an earlier prefix, so that longest match has work to do.
 */
static void add_random(const struct fam *fm, void *f, struct ref *ref,
		       uint64_t *s, unsigned int n, const unsigned int *forced,
		       unsigned int nforced)
{
	unsigned int b = fm->bits;

	for (unsigned int i = 0; i < n; i++) {
		u128 a = rnd_addr(fm, s);
		unsigned int len;

		if (i < nforced) {
			len = forced[i];
		} else if (ref->n && rnd(s) % 2) {
			const struct route *p = &ref->r[rnd(s) % ref->n];

			len = p->len + rnd(s) % (b - p->len + 1);
			a = p->addr | (a & ~p->mask);
		} else {
			len = rnd(s) % 4 ? b / 2 + rnd(s) % (b / 2 + 1) :
					   rnd(s) % (b + 1);
		}
		add_both(fm, f, ref, a, len, rnd(s) % (FIB_NH_MAX + 1));
	}
}

static const unsigned int forced4[] = { 0,  1,	8,  9,	16, 23,
					24, 24, 25, 31, 32, 32 };
static const unsigned int forced6[] = { 0,  1,	8,  16,	 32,  47,  48,
					48, 64, 65, 120, 127, 128, 128 };

static const unsigned int *forced_of(const struct fam *fm, unsigned int *n)
{
	*n = fm->bits == 32 ? sizeof(forced4) / sizeof(forced4[0]) :
			      sizeof(forced6) / sizeof(forced6[0]);
	return fm->bits == 32 ? forced4 : forced6;
}

/* The memory of a table built afresh from ref's prefixes. */
static size_t fresh_memory(const struct fam *fm, const struct ref *ref)
{
	void *f = fm->create();
	size_t mem;

	assert_non_null(f);
	for (size_t i = 0; i < ref->n; i++)
		assert_int_equal(fm->add(f, ref->r[i].addr, ref->r[i].len,
					 ref->r[i].nh),
				 0);
	mem = fm->memory(f);
	fm->destroy(f);
	return mem;
}

/* Random sets: add, check; replace and delete a third, check; re-add,
 * check. */
static void test_random(void **state)
{
	const struct fam *fm = *state;
	static const uint64_t seeds[] = { 1, 0xfeedbeef, 20240607 };
	unsigned int nforced;
	const unsigned int *forced = forced_of(fm, &nforced);

	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		uint64_t s = seeds[k];
		struct ref ref = { 0 }, gone = { 0 };
		void *f = fm->create();

		assert_non_null(f);
		add_random(fm, f, &ref, &s, 3000, forced, nforced);
		check(fm, f, &ref, &ref, s, 3000);
		for (size_t i = 0; i < ref.n;) {
			const struct route r = ref.r[i];

			if (rnd(&s) % 3) {
				i++;
				continue;
			}
			if (rnd(&s) % 2) { /* replace, with host bits set */
				add_both(fm, f, &ref,
					 r.addr | (~r.mask & unit(fm)), r.len,
					 r.nh ^ 1);
				i++;
				continue;
			}
			del_both(fm, f, &ref, r.addr, r.len);
			ref_add(&gone, r.addr, r.len, r.nh);
		}
		check(fm, f, &ref, &ref, s, 3000);
		check(fm, f, &ref, &gone, s, 0);
		if (fm->shrinks)
			assert_int_equal(fm->memory(f), fresh_memory(fm, &ref));
		for (size_t i = 0; i < gone.n; i++)
			add_both(fm, f, &ref, gone.r[i].addr, gone.r[i].len,
				 gone.r[i].nh);
		check(fm, f, &ref, &ref, s, 3000);
		fm->destroy(f);
		free(ref.r);
		free(gone.r);
	}
}

/* Delete a smaller set in random order until empty, checking after every
 * delete; then add it again: the tables must come back to the same size,
 * so freed groups and nodes are reused and none leak. */
static void test_delete_all(void **state)
{
	const struct fam *fm = *state;
	uint64_t s = 42;
	struct ref ref = { 0 }, all;
	unsigned int nforced;
	const unsigned int *forced = forced_of(fm, &nforced);
	void *f = fm->create();
	size_t empty_mem, full_mem;

	assert_non_null(f);
	empty_mem = fm->memory(f);
	add_random(fm, f, &ref, &s, 200, forced, nforced);
	full_mem = fm->memory(f);
	all = ref;
	all.r = malloc(ref.n * sizeof(*ref.r));
	assert_non_null(all.r);
	memcpy(all.r, ref.r, ref.n * sizeof(*ref.r));
	while (ref.n) {
		const struct route r = ref.r[rnd(&s) % ref.n];

		del_both(fm, f, &ref, r.addr, r.len);
		assert_int_equal(fm->del(f, r.addr, r.len), -ENOENT);
		/* the deleted prefixes' edges too: what covers them now */
		check(fm, f, &ref, &all, s, 20);
		if (fm->shrinks)
			assert_int_equal(fm->memory(f), fresh_memory(fm, &ref));
	}
	assert_int_equal(fm->routes(f), 0);
	if (fm->shrinks)
		assert_int_equal(fm->memory(f), empty_mem);
	for (size_t i = 0; i < all.n; i++)
		add_both(fm, f, &ref, all.r[i].addr, all.r[i].len, all.r[i].nh);
	check(fm, f, &ref, &ref, s, 1000);
	assert_int_equal(fm->memory(f), full_mem);
	fm->destroy(f);
	free(ref.r);
	free(all.r);
}

/* A default route alone answers everywhere and costs no table pages; a
 * few connected routes next to it cost a few. */
static void test_default_only(void **state)
{
	const struct fam *fm = *state;
	uint64_t s = 7;
	struct ref ref = { 0 };
	void *f = fm->create();
	size_t mem0;

	assert_non_null(f);
	mem0 = fm->memory(f);
	add_both(fm, f, &ref, 0, 0, 7);
	expect(fm, f, 0, 7);
	expect(fm, f, mask_of(fm->bits), 7);
	check(fm, f, &ref, &ref, s, 1000);
	assert_in_range(fm->memory(f) - mem0, 0, 64);
	add_both(fm, f, &ref, rnd_addr(fm, &s), fm->bits - 8, 1);
	add_both(fm, f, &ref, rnd_addr(fm, &s), fm->bits - 2, 2);
	add_both(fm, f, &ref, rnd_addr(fm, &s), fm->bits, 3);
	check(fm, f, &ref, &ref, s, 1000);
	assert_in_range(fm->memory(f) - mem0, 1, 32 << 10);
	del_both(fm, f, &ref, mask_of(fm->bits), 0);
	check(fm, f, &ref, &ref, s, 1000);
	expect(fm, f, 0, FIB_NONE);
	fm->destroy(f);
	free(ref.r);
}

/* Host routes (/32, /128), among them the first and last address. */
static void test_host_routes(void **state)
{
	const struct fam *fm = *state;
	uint64_t s = 32;
	struct ref ref = { 0 };
	void *f = fm->create();

	assert_non_null(f);
	add_both(fm, f, &ref, 0, fm->bits, 0);
	add_both(fm, f, &ref, mask_of(fm->bits), fm->bits, FIB_NH_MAX);
	for (int i = 0; i < 500; i++)
		add_both(fm, f, &ref, rnd_addr(fm, &s), fm->bits, i + 1);
	/* and a run of neighbours, which share their last-level table */
	for (int i = 0; i < 20; i++)
		add_both(fm, f, &ref, ref.r[5].addr + i * unit(fm), fm->bits,
			 1000 + i);
	check(fm, f, &ref, &ref, s, 1000);
	fm->destroy(f);
	free(ref.r);
}

/* A prefix, the prefixes of each longer length up to 8 more that start
 * where it starts, and the other half of it; removed one by one, each
 * re-exposes the next longest. */
static void nested(const struct fam *fm, unsigned int base, uint64_t s)
{
	static const unsigned int order[] = { 3, 0, 8, 1, 7, 2, 6, 4, 5 };
	struct ref ref = { 0 };
	void *f = fm->create();
	u128 p = rnd_addr(fm, &s) & mask_of(base);

	assert_non_null(f);
	for (unsigned int l = base; l <= base + 8; l++)
		add_both(fm, f, &ref, p, l, l);
	add_both(fm, f, &ref, p | (u128)1 << (127 - base), base + 1, 1000);
	check(fm, f, &ref, &ref, s, 500);
	for (unsigned int i = 0; i < 9; i++) {
		del_both(fm, f, &ref, p, base + order[i]);
		check(fm, f, &ref, &ref, s, 100);
		expect(fm, f, p, ref_lookup(&ref, p));
	}
	fm->destroy(f);
	free(ref.r);
}

static void test_nested(void **state)
{
	const struct fam *fm = *state;

	nested(fm, fm->bits - 8, 1); /* /24../32, /120../128 */
	nested(fm, fm->bits / 2, 2); /* /16../24, /64../72 */
	nested(fm, 4, 3); /* /4../12 */
	nested(fm, 0, 4);
	if (fm->bits == 128)
		nested(fm, 44, 5); /* /44../52 */
}

static void test_replace(void **state)
{
	const struct fam *fm = *state;
	uint64_t s = 9;
	void *f = fm->create();

	assert_non_null(f);
	for (unsigned int len = 0; len <= fm->bits; len++) {
		u128 a = rnd_addr(fm, &s) & mask_of(len);

		assert_int_equal(fm->add(f, a, len, 1), 0);
		expect(fm, f, a, 1);
		assert_int_equal(fm->add(f, a, len, 2), 0);
		expect(fm, f, a, 2);
		assert_int_equal(fm->add(f, a, len, FIB_NH_MAX), 0);
		expect(fm, f, a, FIB_NH_MAX);
		assert_int_equal(fm->add(f, a, len, 0), 0);
		expect(fm, f, a, 0);
		assert_int_equal(fm->routes(f), len + 1);
	}
	fm->destroy(f);
}

static void test_errors(void **state)
{
	const struct fam *fm = *state;
	uint64_t s = 11;
	void *f = fm->create();
	u128 a = rnd_addr(fm, &s) & mask_of(fm->bits - 8);

	assert_non_null(f);
	assert_int_equal(fm->add(f, a, fm->bits + 1, 1), -EINVAL);
	assert_int_equal(fm->add(f, a, 1000, 1), -EINVAL);
	assert_int_equal(fm->add(f, a, 8, FIB_NH_MAX + 1), -EINVAL);
	assert_int_equal(fm->add(f, a, 8, FIB_NONE), -EINVAL);
	assert_int_equal(fm->del(f, a, fm->bits + 1), -EINVAL);
	assert_int_equal(fm->get(f, a, fm->bits + 1), FIB_NONE);
	assert_int_equal(fm->routes(f), 0);
	expect(fm, f, a, FIB_NONE);
	assert_int_equal(fm->del(f, a, 8), -ENOENT);
	assert_int_equal(fm->del(f, 0, 0), -ENOENT);
	assert_int_equal(fm->add(f, a, fm->bits - 8, 5), 0);
	/* same address other lengths, same length other address */
	assert_int_equal(fm->del(f, a, fm->bits - 9), -ENOENT);
	assert_int_equal(fm->del(f, a, fm->bits - 7), -ENOENT);
	assert_int_equal(fm->del(f, a, fm->bits), -ENOENT);
	assert_int_equal(fm->del(f, a ^ unit(fm) << 8, fm->bits - 8), -ENOENT);
	assert_int_equal(fm->get(f, a, fm->bits - 9), FIB_NONE);
	assert_int_equal(fm->get(f, a, fm->bits), FIB_NONE);
	assert_int_equal(fm->get(f, a ^ unit(fm) << 8, fm->bits - 8), FIB_NONE);
	assert_int_equal(fm->get(f, a | unit(fm), fm->bits - 8), 5);
	assert_int_equal(fm->routes(f), 1);
	expect(fm, f, a, 5);
	assert_int_equal(fm->del(f, a, fm->bits - 8), 0);
	assert_int_equal(fm->del(f, a, fm->bits - 8), -ENOENT);
	expect(fm, f, a, FIB_NONE);
	fm->destroy(f);
}

/* Bits beyond the length are ignored by add, replace and delete. */
static void test_host_bits(void **state)
{
	const struct fam *fm = *state;
	unsigned int lens[] = { 0, 7, 13, fm->bits - 7, fm->bits - 1 };
	uint64_t s = 13;
	void *f = fm->create();

	assert_non_null(f);
	for (unsigned int i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned int len = lens[i];
		u128 a = rnd_addr(fm, &s) | (~mask_of(len) & mask_of(fm->bits));
		u128 first = a & mask_of(len);

		assert_int_equal(fm->add(f, a, len, 1), 0);
		expect(fm, f, first, 1);
		expect(fm, f, a, 1);
		assert_int_equal(fm->add(f, first | unit(fm), len, 2), 0);
		assert_int_equal(fm->routes(f), 1);
		expect(fm, f, first, 2);
		assert_int_equal(fm->del(f, a ^ unit(fm), len), 0);
		assert_int_equal(fm->routes(f), 0);
		expect(fm, f, a, FIB_NONE);
	}
	fm->destroy(f);
}

/* IPv4 keeps /0../8 out of tbl24 and copies them into the groups of
 * longer prefixes: both must follow the short prefixes' changes. */
static void test_v4_short_in_groups(void **state)
{
	struct fib4 *f = fib4_create();
	uint32_t a = 0x0a000005; /* 10.0.0.5 */

	(void)state;
	assert_non_null(f);
	assert_int_equal(fib4_add(f, a, 32, 1), 0);
	assert_int_equal(fib4_lookup(f, a + 1), FIB_NONE);
	assert_int_equal(fib4_add(f, a, 8, 2), 0);
	assert_int_equal(fib4_lookup(f, a + 1), 2);
	assert_int_equal(fib4_lookup(f, a + 256), 2);
	assert_int_equal(fib4_add(f, 0, 0, 3), 0);
	assert_int_equal(fib4_add(f, a, 7, 4), 0);
	assert_int_equal(fib4_lookup(f, a + 1), 2);
	assert_int_equal(fib4_del(f, a, 8), 0);
	assert_int_equal(fib4_lookup(f, a + 1), 4);
	assert_int_equal(fib4_lookup(f, 0x0b000005), 4); /* 11/8 in the /7 */
	assert_int_equal(fib4_del(f, a, 7), 0);
	assert_int_equal(fib4_lookup(f, a + 1), 3);
	assert_int_equal(fib4_lookup(f, a), 1);
	assert_int_equal(fib4_add(f, a, 16, 5), 0);
	assert_int_equal(fib4_lookup(f, a + 1), 5);
	assert_int_equal(fib4_del(f, a, 32), 0);
	assert_int_equal(fib4_lookup(f, a), 5);
	assert_int_equal(fib4_del(f, a, 16), 0);
	assert_int_equal(fib4_del(f, 0, 0), 0);
	assert_int_equal(fib4_lookup(f, a), FIB_NONE);
	assert_int_equal(fib4_routes(f), 0);
	fib4_destroy(f);
}

/* Running out of second-level groups fails cleanly, and a group freed by a
 * delete is reused. */
static void test_v4_groups_exhausted(void **state)
{
	struct fib4 *f = fib4_create();
	uint32_t i;
	int err = 0;

	(void)state;
	assert_non_null(f);
	for (i = 0; i < 1u << 20; i++) {
		err = fib4_add(f, i << 8 | 1, 32, i);
		if (err)
			break;
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(fib4_routes(f), i);
	assert_int_equal(fib4_lookup(f, i << 8 | 1), FIB_NONE);
	assert_int_equal(fib4_lookup(f, (i - 1) << 8 | 1), i - 1);
	assert_int_equal(fib4_add(f, (i - 1) << 8 | 2, 32, 7), 0);
	assert_int_equal(fib4_del(f, 5 << 8 | 1, 32), 0);
	assert_int_equal(fib4_add(f, i << 8 | 1, 32, i), 0);
	assert_int_equal(fib4_lookup(f, i << 8 | 1), i);
	assert_int_equal(fib4_lookup(f, 5 << 8 | 1), FIB_NONE);
	assert_int_equal(fib4_add(f, 5 << 8 | 1, 32, 5), -ENOSPC);
	fib4_destroy(f);
}

/*
 * The full table. The scan above is too slow for it; here the reference
 * keeps the prefixes in a hash table and tries each length from the
 * longest down, which is also a longest-prefix match.
 */
struct hent {
	u128 addr;
	uint32_t nh; /* FIB_NONE once deleted */
	uint8_t len, used;
};

struct href {
	struct hent *t;
	size_t mask;
	int has[129]; /* some prefix of this length exists */
};

static struct hent *href_slot(const struct href *h, u128 a, unsigned int len)
{
	uint64_t k = (uint64_t)(a >> 64) ^ (uint64_t)a * 0xc2b2ae3d27d4eb4full;
	size_t i;

	k = (k ^ len ^ k >> 31) * 0x9e3779b97f4a7c15ull;
	i = (k ^ k >> 32) & h->mask;

	while (h->t[i].used && (h->t[i].len != len || h->t[i].addr != a))
		i = (i + 1) & h->mask;
	return &h->t[i];
}

static uint32_t href_lookup(const struct href *h, unsigned int bits, u128 a)
{
	for (int l = bits; l >= 0; l--) {
		const struct hent *e;

		if (!h->has[l])
			continue;
		e = href_slot(h, a & mask_of(l), l);
		if (e->used && e->nh != FIB_NONE)
			return e->nh;
	}
	return FIB_NONE;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sample(const struct fam *fm, const void *f, const struct href *h,
		   const struct ref *t, uint64_t s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct route *r = &t->r[rnd(&s) % t->n];
		u128 a = rnd_addr(fm, &s), host = ~r->mask & mask_of(fm->bits);

		/* a quarter random, the rest in and at the edges of prefixes */
		if (i % 4 == 1)
			a = r->addr | (a & host);
		else if (i % 4 == 2)
			a = r->addr - (i % 8 == 2 ? unit(fm) : 0);
		else if (i % 4 == 3)
			a = (r->addr | host) + (i % 8 == 3 ? unit(fm) : 0);
		a &= mask_of(fm->bits);
		expect(fm, f, a, href_lookup(h, fm->bits, a));
	}
}

static void fulltable(const struct fam *fm, const struct ref *t,
		      unsigned int nsample)
{
	struct href h = { 0 };
	void *f = fm->create();
	double t0, load;

	assert_non_null(f);
	t0 = now();
	for (size_t i = 0; i < t->n; i++)
		assert_int_equal(
			fm->add(f, t->r[i].addr, t->r[i].len, t->r[i].nh), 0);
	load = now() - t0;
	assert_int_equal(fm->routes(f), t->n);
	fprintf(stderr,
		"# %s full table: %zu prefixes loaded in %.3f s, %.1f MB\n",
		fm->name, t->n, load, fm->memory(f) / 1048576.0);

	for (h.mask = 1; h.mask < 2 * t->n; h.mask <<= 1)
		;
	h.t = calloc(h.mask--, sizeof(*h.t));
	assert_non_null(h.t);
	for (size_t i = 0; i < t->n; i++) {
		struct hent *e = href_slot(&h, t->r[i].addr, t->r[i].len);

		*e = (struct hent){ t->r[i].addr, t->r[i].nh, t->r[i].len, 1 };
		h.has[t->r[i].len] = 1;
	}
	sample(fm, f, &h, t, 1, nsample);
	/* delete a tenth: what covered those prefixes shows again */
	for (size_t i = 0; i < t->n; i += 10) {
		assert_int_equal(fm->del(f, t->r[i].addr, t->r[i].len), 0);
		href_slot(&h, t->r[i].addr, t->r[i].len)->nh = FIB_NONE;
	}
	assert_int_equal(fm->routes(f), t->n - (t->n + 9) / 10);
	sample(fm, f, &h, t, 2, nsample / 4);
	free(h.t);
	fm->destroy(f);
}

static void test_fulltable(void **state)
{
	struct ref t[2] = { 0 }; /* IPv4, IPv6 */
	char *line = NULL;
	size_t cap = 0;
	uint32_t lineno = 0;
	FILE *p;

	(void)state;
	if (access(FULLTABLE, R_OK))
		skip();
	p = popen("gzip -dc " FULLTABLE, "r");
	assert_non_null(p);
	while (getline(&line, &cap, p) > 0) {
		uint8_t b[16];
		unsigned int len;
		int family;

		line[strcspn(line, "\r\n")] = '\0'; /* the file has CRLFs */
		assert_int_equal(tn_parse_prefix(line, 0, &family, b, &len), 0);
		ref_push(&t[family == AF_INET6], from_bytes(b), len, ++lineno);
	}
	free(line);
	assert_int_equal(pclose(p), 0);
	assert_int_equal(t[0].n, 901899);
	assert_int_equal(t[1].n, 160147);
	fulltable(&fam4, &t[0], 100000);
	fulltable(&fam6, &t[1], 100000);
	free(t[0].r);
	free(t[1].r);
}

#define FAM(fn, fm, tag)                                  \
	{                                                 \
		.name = #fn "(" tag ")", .test_func = fn, \
		.initial_state = (void *)&fm              \
	}
#define BOTH(fn) FAM(fn, fam4, "ipv4"), FAM(fn, fam6, "ipv6")

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_default_only),
		BOTH(test_host_routes),
		BOTH(test_nested),
		BOTH(test_replace),
		BOTH(test_errors),
		BOTH(test_host_bits),
		BOTH(test_random),
		BOTH(test_delete_all),
		cmocka_unit_test(test_v4_short_in_groups),
		cmocka_unit_test(test_v4_groups_exhausted),
		cmocka_unit_test(test_fulltable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
