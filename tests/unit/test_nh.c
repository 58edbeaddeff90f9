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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flip_gateways),
		cmocka_unit_test(test_dedup_refcount),
		cmocka_unit_test(test_neigh_cap_sweep),
	};

	return cmocka_run_group_tests_name("nh", tests, NULL, NULL);
}
