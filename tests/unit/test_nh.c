// SPDX-License-Identifier: GPL-2.0
/* tenant/nh.c: next hops shared by routes, and the neighbour table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nh.h"

static struct nh gw(uint8_t last)
{
	struct nh k = { .type = NH_UNICAST, .family = 2, .ifindex = 3 };

	k.gw[0] = 10;
	k.gw[3] = last;
	return k;
}

/* A route whose gateway flips back and forth: each change takes a new next
 * hop and gives back the old one. This once filled the index with stale
 * entries until a lookup never ended. */
static void test_flip_gateways(void **state)
{
	struct nh_table t;
	struct nh a = gw(1), b = gw(2);
	int64_t cur, next;

	(void)state;
	assert_int_equal(nh_table_init(&t), 0);
	cur = nh_get(&t, &a);
	assert_true(cur >= 0);
	for (int i = 0; i < 100000; i++) {
		next = nh_get(&t, i % 2 ? &a : &b);
		assert_true(next >= 0);
		nh_put(&t, (uint32_t)cur);
		cur = next;
	}
	assert_true(t.n <= 2); /* freed slots are reused */
	assert_true(t.hcap <= 128); /* and the index did not grow for it */
	nh_table_free(&t);
}

/* Same key, same entry; refcounts keep it while any route uses it. */
static void test_dedup_refcount(void **state)
{
	struct nh_table t;
	struct nh keys[1000];
	int64_t idx[1000];

	(void)state;
	assert_int_equal(nh_table_init(&t), 0);
	for (int i = 0; i < 1000; i++) {
		keys[i] = gw((uint8_t)i);
		keys[i].gw[2] = (uint8_t)(i >> 8);
		idx[i] = nh_get(&t, &keys[i]);
		assert_true(idx[i] >= 0);
	}
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(nh_get(&t, &keys[i]), idx[i]);
		nh_put(&t, (uint32_t)idx[i]);
		assert_int_equal(t.v[idx[i]].refs, 1);
	}
	nh_put(&t, (uint32_t)idx[7]);
	assert_int_equal(t.v[idx[7]].refs, 0);
	assert_int_equal(nh_get(&t, &keys[8]), idx[8]);
	nh_table_free(&t);
}

static bool all_dead(struct neigh *n, void *arg)
{
	(void)arg;
	return n->state != NEIGH_VALID;
}

static void count_gone(struct neigh *n, void *arg)
{
	(void)n;
	++*(int *)arg;
}

/* A scan of a connected /64 cannot grow the table past NEIGH_MAX, and the
 * sweep gives the unresolved entries back. */
static void test_neigh_cap_sweep(void **state)
{
	struct neigh_table t;
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct neigh *n, *valid;
	int gone = 0;

	(void)state;
	assert_int_equal(neigh_table_init(&t, 1024), 0);
	for (uint32_t i = 0; i < NEIGH_MAX; i++) {
		memcpy(a + 12, &i, 4);
		assert_non_null(neigh_get(&t, 10, 2, a));
	}
	a[11] = 1;
	assert_null(neigh_get(&t, 10, 2, a));
	valid = neigh_find(&t, 10, 2, (uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8 });
	assert_non_null(valid);
	valid->state = NEIGH_VALID;
	neigh_sweep(&t, all_dead, count_gone, &gone);
	assert_int_equal(gone, NEIGH_MAX - 1);
	assert_int_equal(t.n, 1);
	n = neigh_get(&t, 10, 2, a);
	assert_non_null(n);
	assert_int_equal(n->state, NEIGH_INCOMPLETE);
	neigh_table_free(&t);
}

/* The test vector of the SipHash paper (appendix A). */
static void test_siphash_vector(void **state)
{
	struct hash_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t m[15];

	(void)state;
	for (int i = 0; i < 15; i++)
		m[i] = (uint8_t)i;
	assert_true(siphash24(&k, m, sizeof(m)) == 0xa129ca6149be45e5ULL);
}

static uint32_t longest_chain(const struct neigh_table *t)
{
	uint32_t most = 0;

	for (uint32_t i = 0; i < t->nb; i++) {
		uint32_t len = 0;

		for (struct neigh *n = t->b[i]; n; n = n->next)
			len++;
		most = len > most ? len : most;
	}
	return most;
}

/* Addresses an attacker would pick to collide under a fixed hash spread
 * under a table's own key: the table grows to about one entry a bucket
 * and no chain passes the bound; two tables do not share a key. */
static void test_neigh_keyed_bounded(void **state)
{
	struct neigh_table t, u;
	uint8_t a[4] = { 10, 0, 0, 0 };
	uint32_t same = 0;

	(void)state;
	assert_int_equal(neigh_table_init(&t, 1024), 0);
	assert_int_equal(neigh_table_init(&u, 1024), 0);
	assert_false(t.key.k0 == u.key.k0 && t.key.k1 == u.key.k1);
	for (uint32_t i = 0; i < 50000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		a[1] = (uint8_t)(i >> 16);
		assert_non_null(neigh_get(&t, 2, 3, a));
	}
	assert_int_equal(t.n, 50000);
	assert_true(t.nb >= t.n);
	assert_true(longest_chain(&t) <= NEIGH_CHAIN_MAX);
	/* the same addresses land in other buckets under another key */
	for (uint32_t i = 0; i < 1024; i++) {
		a[3] = (uint8_t)i;
		a[2] = (uint8_t)(i >> 8);
		same += siphash24(&t.key, a, 4) % 1024 ==
			siphash24(&u.key, a, 4) % 1024;
	}
	assert_true(same < 64); /* 1 in 1024 expected each */
	neigh_table_free(&t);
	neigh_table_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip_gateways),
		cmocka_unit_test(test_dedup_refcount),
		cmocka_unit_test(test_neigh_cap_sweep),
		cmocka_unit_test(test_siphash_vector),
		cmocka_unit_test(test_neigh_keyed_bounded),
	};

	return cmocka_run_group_tests_name("nh", tests, NULL, NULL);
}
