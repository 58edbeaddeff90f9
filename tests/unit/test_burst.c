// SPDX-License-Identifier: GPL-2.0
/*
 * lib/burst.c: the buckets a tenant's rate, pps and burst make, and the
 * bursts refused with them, each with its sentence; and tn_policer_config()
 * writing exactly those buckets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "burst.h"
#include "dp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define M 1000000ULL
#define MS 1000000ULL

static struct tn_burst eff(uint64_t bps, uint64_t pps, uint64_t bytes,
			   uint64_t ns)
{
	const struct tn_rate_limits l = { bps, pps, bytes, ns };
	struct tn_burst b;

	tn_burst_eff(&l, &b);
	return b;
}

static void test_eff(void **state)
{
	struct tn_burst b;

	(void)state;
	/* default: 50 ms at the rate */
	b = eff(100 * M, 0, 0, 0);
	assert_int_equal(b.bytes, 625000);
	assert_int_equal(b.pkts, 0);
	assert_int_equal(b.ns, 50 * MS);
	/* a size stays bytes; the pps bucket lasts as long */
	b = eff(100 * M, 10000, 2 << 20, 0);
	assert_int_equal(b.bytes, 2 << 20);
	assert_int_equal(b.ns, (2ULL << 20) * 8 * 1000000000ULL / (100 * M));
	assert_int_equal(b.pkts, 10000 * b.ns / 1000000000ULL);
	b = eff(1 * M, 0, 2 << 20, 0);
	assert_int_equal(b.bytes, 2 << 20); /* not checked here */
	/* a time follows the rate */
	b = eff(100 * M, 0, 0, 50 * MS);
	assert_int_equal(b.bytes, 625000);
	b = eff(10 * M, 0, 0, 50 * MS);
	assert_int_equal(b.bytes, 62500);
	/* the floor wins: 50 ms of 1 Mbit/s is 6250 bytes */
	b = eff(1 * M, 0, 0, 0);
	assert_int_equal(b.bytes, TN_BURST_MIN);
	assert_int_equal(b.ns, (uint64_t)TN_BURST_MIN * 8 * 1000);
	/* below 121 kbit/s the floor is more than a second */
	b = eff(100000, 0, 0, 1000 * MS);
	assert_int_equal(b.bytes, TN_BURST_MIN);
	assert_true(b.ns > 1000 * MS);
	/* pps alone: the time given, or 50 ms; at least 10 packets */
	b = eff(0, 20000, 0, 0);
	assert_int_equal(b.bytes, 0);
	assert_int_equal(b.pkts, 1000);
	b = eff(0, 20000, 0, 20 * MS);
	assert_int_equal(b.pkts, 400);
	b = eff(0, 10, 0, 0);
	assert_int_equal(b.pkts, TN_BURST_MIN_PKTS);
	/* nothing at all */
	b = eff(0, 0, 0, 0);
	assert_int_equal(b.bytes, 0);
	assert_int_equal(b.pkts, 0);
}

static void test_check(void **state)
{
	static const struct {
		struct tn_rate_limits l;
		const char *err; /* NULL: goes */
	} cases[] = {
		{ { 100 * M, 0, 0, 0 }, NULL },
		{ { 0, 0, 0, 0 }, NULL },
		{ { 100 * M, 0, 2 << 20, 0 }, NULL },
		{ { 100 * M, 0, 12500000, 0 }, NULL }, /* exactly 1 s */
		{ { 100 * M, 0, 0, 50 * MS }, NULL },
		{ { 100 * M, 0, 0, 1000 * MS }, NULL },
		{ { 0, 20000, 0, 50 * MS }, NULL },
		{ { 1000, 0, TN_BURST_MIN, 0 }, NULL }, /* the floor wins */
		{ { 100000, 0, 0, 10 * MS }, NULL }, /* no time is enough */
		{ { 100 * M, 0, 12500001, 0 },
		  "burst: 12500001 is more than 1s at rate 100M (12500000"
		  " bytes): give 12500000 or less, or a time" },
		{ { 1 * M, 0, 2 << 20, 0 },
		  "burst: 2M is more than 1s at rate 1M (125000 bytes): give"
		  " 125000 or less, or a time" },
		{ { 1000, 0, TN_BURST_MIN + 1, 0 },
		  "burst: 15141 is more than 1s at rate 1k (15140 bytes): give"
		  " 15140 or less, or a time" },
		{ { 100 * M, 0, 1024, 0 },
		  "burst: 1K is less than 10 full frames (15140 bytes)" },
		{ { 100 * M, 0, 0, 1 * MS },
		  "burst: 1ms at rate 100M is 12500 bytes, less than 10 full"
		  " frames (15140 bytes): give 1212us or more" },
		{ { 100 * M, 0, 0, 2000 * MS }, "burst: 2s is more than 1s" },
		{ { 0, 0, 2 << 20, 0 },
		  "burst: 2M of nothing: the tenant has no rate and no pps"
		  " (give one, or burst default)" },
		{ { 0, 0, 0, 50 * MS },
		  "burst: 50ms of nothing: the tenant has no rate and no pps"
		  " (give one, or burst default)" },
		{ { 0, 1000, 2 << 20, 0 },
		  "burst: 2M is bytes, and the tenant has no rate (with pps"
		  " alone give a time: burst 100ms)" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int r;

		err[0] = '\0';
		r = tn_burst_check(&cases[i].l, err, sizeof(err));
		if (!cases[i].err && r)
			fail_msg("case %zu: refused: %s", i, err);
		if (!cases[i].err)
			continue;
		if (r != -EINVAL ||
		    strncmp(err, cases[i].err, strlen(cases[i].err)))
			fail_msg("case %zu: %d \"%s\"\n want \"%s\"", i, r, err,
				 cases[i].err);
	}
}

static void test_given(void **state)
{
	const struct tn_rate_limits a = { 1, 0, 2 << 20, 0 },
				    b = { 1, 0, 1500000, 0 },
				    c = { 1, 0, 0, 50 * MS },
				    d = { 1, 0, 0, 1500 * 1000 },
				    e = { 1, 0, 0, 0 };
	char buf[32];

	(void)state;
	assert_string_equal(tn_burst_given(&a, buf, sizeof(buf)), "2M");
	assert_string_equal(tn_burst_given(&b, buf, sizeof(buf)), "1500000");
	assert_string_equal(tn_burst_given(&c, buf, sizeof(buf)), "50ms");
	assert_string_equal(tn_burst_given(&d, buf, sizeof(buf)), "1500us");
	assert_string_equal(tn_burst_given(&e, buf, sizeof(buf)), "default");
}

/* The policer holds exactly the buckets it is given. */
static void test_policer(void **state)
{
	const uint64_t one = 1ULL << TN_POLICER_SHIFT;
	struct tn_policer pol;

	(void)state;
	tn_policer_config(&pol, 100 * M, 20000, 1250000, 2000);
	assert_int_equal(pol.byte_cost, 8000000000ULL * one / (100 * M));
	assert_int_equal(pol.byte_burst, 1250000 * pol.byte_cost);
	assert_int_equal(pol.pkt_burst, 2000 * pol.pkt_cost);
	assert_int_equal(pol.byte_credit, pol.byte_burst);
	assert_int_equal(pol.pkt_credit, pol.pkt_burst);
	/* 0: the least */
	tn_policer_config(&pol, 1000, 1, 0, 0);
	assert_int_equal(pol.byte_burst, TN_BURST_MIN * pol.byte_cost);
	assert_int_equal(pol.pkt_burst, TN_BURST_MIN_PKTS * pol.pkt_cost);
	/* no limit: nothing to take */
	tn_policer_config(&pol, 0, 0, 0, 0);
	assert_int_equal(pol.byte_cost, 0);
	assert_int_equal(pol.pkt_cost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eff),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_given),
		cmocka_unit_test(test_policer),
	};

	return cmocka_run_group_tests_name("burst", tests, NULL, NULL);
}
