// SPDX-License-Identifier: GPL-2.0
/*
 * tenant/shape.c: the router's shaper and its CoDel queue, on simulated
 * time. What leaves must keep the long-run rate exactly, and pass a token
 * bucket of the policers' burst even when each frame is late by up to half
 * of it; CoDel must leave a queue alone below its target and drop, ever
 * faster, while it stays above.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dp.h"
#include "shape.h"

#define US 1000ULL
#define MS 1000000ULL
#define S 1000000000ULL

/* The policers' bucket, in exact integer arithmetic: credit in bit-ns
 * (bits x 1e9), the same unit for everything. */
struct bucket {
	unsigned __int128 credit, depth;
	uint64_t bps, last;
};

static void bucket_init(struct bucket *b, uint64_t bps, uint64_t bytes)
{
	b->bps = bps;
	b->depth = (unsigned __int128)bytes * 8 * S;
	b->credit = b->depth;
	b->last = 0;
}

static bool bucket_take(struct bucket *b, uint32_t len, uint64_t now)
{
	unsigned __int128 cost = (unsigned __int128)len * 8 * S;

	if (now > b->last) {
		b->credit += (unsigned __int128)(now - b->last) * b->bps;
		if (b->credit > b->depth)
			b->credit = b->depth;
		b->last = now;
	}
	if (b->credit < cost)
		return false;
	b->credit -= cost;
	return true;
}

/* Offers a full frame every gap ns for dur ns through a shaper (frames
 * wait in an unbounded FIFO, here a counter); each frame sent reaches a
 * policer of burst bytes late by a pseudo-random delay up to jitter ns.
 * Returns bytes sent; *over counts frames the policer would drop. */
static uint64_t run(struct shaper *s, uint64_t gap, uint64_t dur,
		    uint64_t burst, uint64_t jitter, uint64_t *over)
{
	struct bucket pol;
	uint64_t sent = 0, waiting = 0, next = 0, at, seen = 0;
	uint32_t rnd = 1;

	bucket_init(&pol, s->bps, burst);
	*over = 0;
	/* (time starts at 1 s: CLOCK_MONOTONIC is never near 0) */
	next = S;
	for (uint64_t t = S; t < S + dur; t += 10 * US) {
		while (next <= t) {
			waiting++;
			next += gap;
		}
		while (waiting && shaper_take(s, TN_LIMITS_FRAME, t, &at)) {
			uint64_t arrive;

			waiting--;
			sent += TN_LIMITS_FRAME;
			rnd = rnd * 1103515245 + 12345;
			arrive = t + (jitter ? (rnd >> 8) % jitter : 0);
			/* the policer sees frames in order */
			if (arrive < seen)
				arrive = seen;
			seen = arrive;
			if (!bucket_take(&pol, TN_LIMITS_FRAME, arrive))
				(*over)++;
		}
		if (waiting)
			assert_true(at > t);
	}
	return sent;
}

static void test_rate_exact(void **state)
{
	static const uint64_t rates[] = { 1000000, 10000000, 100000000,
					  1000000000, 3000000000ULL };

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		uint64_t bps = rates[i], burst, want, got, over;
		struct shaper s;

		burst = tn_burst_of(bps, TN_BURST_DEFAULT_NS);
		if (burst < TN_BURST_MIN)
			burst = TN_BURST_MIN;
		assert_int_equal(shaper_init(&s), 0);
		shaper_set(&s, bps, 0, burst, 0);
		/* offered at twice the rate */
		got = run(&s, TN_LIMITS_FRAME * 8 * S / bps / 2, 10 * S, burst,
			  0, &over);
		want = tn_burst_of(bps, 10 * S);
		/* the rate, plus at most the shaper's bucket and a frame */
		print_message("%llu bit/s: %llu bytes in 10 s, %llu at the "
			      "rate\n",
			      (unsigned long long)bps, (unsigned long long)got,
			      (unsigned long long)want);
		assert_true(got <= want + burst / 2 + TN_LIMITS_FRAME);
		assert_true(got + TN_LIMITS_FRAME >= want);
		assert_int_equal(over, 0);
		shaper_destroy(&s);
	}
}

/* Late by up to half the burst, what the shaper sends still passes. At the
 * smallest burst allowed this holds too. */
static void test_policer_passes_jitter(void **state)
{
	static const uint64_t rates[] = { 10000000, 100000000, 1000000000 };

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		for (int small = 0; small < 2; small++) {
			uint64_t bps = rates[i], burst, over, jitter;
			struct shaper s;

			burst = small ? TN_BURST_MIN :
					tn_burst_of(bps, TN_BURST_DEFAULT_NS);
			if (burst < TN_BURST_MIN)
				burst = TN_BURST_MIN;
			/* what the other half of the burst covers, less a
			 * frame for rounding */
			jitter = (burst / 2 - TN_LIMITS_FRAME) * 8 * S / bps;
			assert_int_equal(shaper_init(&s), 0);
			shaper_set(&s, bps, 0, burst, 0);
			run(&s, TN_LIMITS_FRAME * 8 * S / bps / 3, 2 * S, burst,
			    jitter, &over);
			assert_int_equal(over, 0);
			shaper_destroy(&s);
		}
	}
}

static void test_pps(void **state)
{
	struct shaper s;
	uint64_t at, n = 0;

	(void)state;
	assert_int_equal(shaper_init(&s), 0);
	shaper_set(&s, 0, 1000, TN_BURST_MIN, 0);
	for (uint64_t t = S; t < 11 * S; t += 100 * US)
		while (shaper_take(&s, 64, t, &at))
			n++;
	/* 1000/s for 10 s, plus the bucket (at most 5 packets) */
	assert_true(n >= 10000 && n <= 10005);
	shaper_destroy(&s);
}

/* pps alone keeps half the policer's packet bucket: a wake-up 20 ms late
 * (a busy CPU) costs the tenant nothing of 2000/s while the policer holds
 * 100 packets (50 ms); with 5 packets it lost most of each gap. */
static void test_pps_late(void **state)
{
	struct shaper s;
	uint64_t at, n = 0;

	(void)state;
	assert_int_equal(shaper_init(&s), 0);
	shaper_set(&s, 0, 2000, 0, 100);
	for (uint64_t t = S; t < 11 * S; t += 20 * MS)
		while (shaper_take(&s, 64, t, &at))
			n++;
	/* 2000/s for 10 s, plus the bucket (50 packets) */
	assert_true(n >= 20000 && n <= 20050);
	shaper_destroy(&s);
}

/* A new rate holds from the moment it is set; nothing queued is lost. */
static void test_rate_change(void **state)
{
	struct shaper s;
	uint64_t at, before = 0, after = 0;

	(void)state;
	assert_int_equal(shaper_init(&s), 0);
	shaper_set(&s, 10000000, 0, 1250000, 0);
	for (uint64_t t = 0; t < S; t += 10 * US)
		while (shaper_take(&s, TN_LIMITS_FRAME, t, &at))
			before += TN_LIMITS_FRAME;
	shaper_set(&s, 100000000, 0, 12500000, 0);
	for (uint64_t t = S; t < 2 * S; t += 10 * US)
		while (shaper_take(&s, TN_LIMITS_FRAME, t, &at))
			after += TN_LIMITS_FRAME;
	assert_true(before <= 1250000 + 2 * TN_LIMITS_FRAME + 1250000 / 2);
	assert_true(after >= 12500000 - TN_LIMITS_FRAME &&
		    after <= 12500000 + 12500000 / 2);
	/* and off: everything goes */
	shaper_set(&s, 0, 0, 0, 0);
	assert_false(shaper_on(&s));
	shaper_destroy(&s);
}

static uint32_t drops;

static void count_drop(const struct shape_frame *f, void *arg)
{
	(void)f;
	(void)arg;
	drops++;
}

/* Below its target CoDel drops nothing, however long the queue stays. */
static void test_codel_below_target(void **state)
{
	struct shape_queue q;
	struct shape_frame f;
	uint64_t t;

	(void)state;
	assert_int_equal(shape_queue_init(&q, 256), 0);
	drops = 0;
	/* four frames always waiting, one sent a ms: each waits 4 ms */
	for (t = 0; t < 4; t++)
		assert_true(shape_enqueue(&q, t, TN_LIMITS_FRAME, t * MS));
	for (; t < 10000; t++) {
		assert_true(shape_dequeue(&q, t * MS, &f, count_drop, NULL));
		assert_true(shape_enqueue(&q, t, TN_LIMITS_FRAME, t * MS));
	}
	assert_int_equal(drops, 0);
	shape_queue_free(&q);
}

/* Above it for longer than an interval, CoDel drops, then more often. */
static void test_codel_drops(void **state)
{
	struct shape_queue q;
	struct shape_frame f;
	uint64_t first = 0, t;
	uint32_t d10 = 0;

	(void)state;
	assert_int_equal(shape_queue_init(&q, 256), 0);
	drops = 0;
	/* 20 frames ahead, one sent per ms: each waits 20 ms */
	for (t = 0; t < 20; t++)
		assert_true(shape_enqueue(&q, t, TN_LIMITS_FRAME, t * MS));
	for (; t < 1020; t++) {
		if (shape_dequeue(&q, t * MS, &f, count_drop, NULL))
			assert_true(t * MS - f.enq_ns >= 5 * MS);
		while (q.n < 20)
			assert_true(
				shape_enqueue(&q, t, TN_LIMITS_FRAME, t * MS));
		if (drops && !first)
			first = t;
		if (t == 520)
			d10 = drops;
	}
	/* not before an interval above target */
	assert_true(first >= 120 && first <= 125);
	/* the second half drops more than the first */
	assert_true(drops - d10 > d10);
	shape_queue_free(&q);
}

/* Full is full; unget puts a frame back first in line. */
static void test_queue_bounds(void **state)
{
	struct shape_queue q;
	struct shape_frame f;

	(void)state;
	assert_int_equal(shape_queue_init(&q, 4), 0);
	for (uint64_t i = 0; i < 4; i++)
		assert_true(shape_enqueue(&q, i, 100, 0));
	assert_false(shape_enqueue(&q, 9, 100, 0));
	assert_true(shape_dequeue(&q, 0, &f, count_drop, NULL));
	assert_int_equal(f.addr, 0);
	shape_unget(&q, &f);
	assert_int_equal(q.n, 4);
	assert_int_equal(q.bytes, 400);
	assert_int_equal(shape_head(&q)->addr, 0);
	shape_queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_exact),
		cmocka_unit_test(test_policer_passes_jitter),
		cmocka_unit_test(test_pps),
		cmocka_unit_test(test_pps_late),
		cmocka_unit_test(test_rate_change),
		cmocka_unit_test(test_codel_below_target),
		cmocka_unit_test(test_codel_drops),
		cmocka_unit_test(test_queue_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
