// SPDX-License-Identifier: GPL-2.0
/*
 * tools/rfc2544_search.c: the RFC 2544 binary search on known synthetic
 * loss curves (a step, a noisy step, none, everything lost, a generator
 * that falls short, a failing trial), and the latency histogram's buckets,
 * percentiles, Jain's index and medians against numbers worked by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rfc2544_search.h"

#define M 1e6

/* A device under test and a generator, in numbers. */
struct curve {
	double gen_max; /* unpaced */
	double gen_paced_max; /* the most a paced run reaches */
	double knee; /* loses frames above this */
	double noise; /* the knee moves by up to +-noise/2 of itself */
	int fail_at; /* trial number that returns -EIO, 0: none */
	int calls;
	unsigned int seed;
};

static int curve_trial(void *arg, double target, struct rfc_trial *t)
{
	struct curve *c = arg;
	double knee = c->knee, offered;

	c->calls++;
	if (c->fail_at && c->calls == c->fail_at)
		return -EIO;
	if (c->noise > 0)
		knee *= 1 +
			c->noise * ((double)rand_r(&c->seed) / RAND_MAX - 0.5);
	offered = target > 0 ? target : c->gen_max;
	if (target > 0 && c->gen_paced_max > 0 && offered > c->gen_paced_max)
		offered = c->gen_paced_max;
	t->target_pps = target;
	t->offered_pps = offered;
	t->sent = (uint64_t)offered;
	t->received = offered > knee ? (uint64_t)knee : t->sent;
	return 0;
}

static const struct rfc_search_cfg cfg1 = { .resolution = 0.01,
					    .gen_tolerance = 0.99,
					    .gen_retries = 2 };

static void test_step(void **state)
{
	struct curve c = { .gen_max = 7 * M, .knee = 3.3 * M };
	struct rfc_search_result r;

	(void)state;
	assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_FOUND);
	assert_true(r.rate_pps <= 3.3 * M);
	assert_true(r.rate_pps >= 3.3 * M - 0.01 * 7 * M);
	assert_true(r.fail_pps > 3.3 * M);
	assert_true(r.fail_pps - r.rate_pps <= 0.01 * 7 * M);
	assert_true(r.top_pps == 7 * M);
	assert_true(r.rate_offered_pps == r.rate_pps);
	/* the top, then halvings of 7 Mpps down to 70 kpps: 7 of them */
	assert_int_equal(r.trials, 1 + 7);
	assert_int_equal(c.calls, r.trials);
}

static void test_step_fine(void **state)
{
	struct rfc_search_cfg cfg = cfg1;
	struct curve c = { .gen_max = 7 * M, .knee = 1234567 };
	struct rfc_search_result r;

	(void)state;
	cfg.resolution = 0.001;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_FOUND);
	assert_true(r.rate_pps <= 1234567 && r.rate_pps >= 1234567 - 7000);
	assert_int_equal(r.trials, 1 + 10);
}

/* A knee below the floor the search would halve to: the floor is tried. */
static void test_knee_near_floor(void **state)
{
	struct rfc_search_cfg cfg = cfg1;
	struct curve c = { .gen_max = 7 * M, .knee = 100000 };
	struct rfc_search_result r;

	(void)state;
	cfg.lo_pps = 50000;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_FOUND);
	assert_true(r.rate_pps <= 100000 && r.rate_pps >= 50000);
	assert_true(r.fail_pps > 100000);
}

static void test_no_pass(void **state)
{
	struct rfc_search_cfg cfg = cfg1;
	struct curve c = { .gen_max = 7 * M, .knee = 1000 };
	struct rfc_search_result r;

	(void)state;
	cfg.lo_pps = 50000;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_NO_PASS);
	assert_true(r.rate_pps == 0);
	assert_true(r.fail_pps == 50000);
}

/* Nothing lost at the generator's top: a lower bound, never a figure. */
static void test_at_max(void **state)
{
	struct curve c = { .gen_max = 7 * M, .knee = 20 * M };
	struct rfc_search_result r;

	(void)state;
	assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_AT_MAX);
	assert_true(r.rate_pps == 7 * M);
	assert_int_equal(r.trials, 1);
	assert_string_equal(rfc_status_name(r.status),
			    "no-loss-at-generator-max");
}

/* A top asked for that the generator cannot reach, no loss: refused. */
static void test_hi_unreachable(void **state)
{
	struct rfc_search_cfg cfg = cfg1;
	struct curve c = { .gen_max = 7 * M,
			   .gen_paced_max = 5 * M,
			   .knee = 20 * M };
	struct rfc_search_result r;

	(void)state;
	cfg.hi_pps = 6 * M;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_GEN_BOUND);
	assert_true(r.rate_pps == 5 * M); /* what was offered, a bound */
	assert_int_equal(r.trials, 1 + 2); /* retried twice */
}

/*
 * Unpaced, the generator reaches 7 Mpps and loses frames; paced it manages
 * 2 Mpps only, and the knee is 5 Mpps: halfway, 3.5 Mpps is asked for and
 * 2 offered with no loss. The search must not call 3.5 zero-loss.
 */
static void test_gen_bound(void **state)
{
	struct curve c = { .gen_max = 7 * M,
			   .gen_paced_max = 2 * M,
			   .knee = 5 * M };
	struct rfc_search_result r;

	(void)state;
	assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_GEN_BOUND);
	assert_true(r.rate_pps == 2 * M);
	assert_true(r.fail_pps == 7 * M);
	assert_string_equal(rfc_status_name(r.status), "generator-bound");
}

/* Losses at less than the target stand: the search goes on below. */
static void test_short_loss_counts(void **state)
{
	struct curve c = { .gen_max = 7 * M,
			   .gen_paced_max = 4 * M,
			   .knee = 1 * M };
	struct rfc_search_result r;

	(void)state;
	assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_FOUND);
	assert_true(r.rate_pps <= 1 * M && r.rate_pps >= 1 * M - 70000);
}

/* A knee that wanders +-2.5% trial to trial: the answer stays within the
 * wander and the resolution of the knee, 20 seeds. */
static void test_noisy(void **state)
{
	(void)state;
	for (unsigned int seed = 1; seed <= 20; seed++) {
		struct curve c = { .gen_max = 7 * M,
				   .knee = 3 * M,
				   .noise = 0.05,
				   .seed = seed };
		struct rfc_search_result r;

		assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), 0);
		assert_int_equal(r.status, RFC_FOUND);
		assert_true(r.rate_pps <= 3 * M * 1.025);
		assert_true(r.rate_pps >= 3 * M * 0.975 - 0.01 * 7 * M);
		assert_true(r.trials <= 1 + 7);
	}
}

/* A loss tolerance of 1% passes a curve that loses 0.5% everywhere. */
static void test_loss_tolerance(void **state)
{
	struct rfc_trial t = { .sent = 1000000, .received = 995000 };

	(void)state;
	assert_false(rfc_trial_pass(&t, 0));
	assert_true(rfc_trial_pass(&t, 0.01));
	assert_false(rfc_trial_pass(&t, 0.004));
	t.received = 1000001; /* duplicates: not a loss */
	assert_true(rfc_trial_pass(&t, 0));
	t.sent = t.received = 0; /* nothing offered proves nothing */
	assert_false(rfc_trial_pass(&t, 0));
}

static void test_max_trials_and_errors(void **state)
{
	struct rfc_search_cfg cfg = cfg1;
	struct curve c = { .gen_max = 7 * M, .knee = 3.3 * M };
	struct rfc_search_result r;

	(void)state;
	cfg.max_trials = 4;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), 0);
	assert_int_equal(r.status, RFC_FOUND);
	assert_int_equal(r.trials, 4);
	assert_true(r.rate_pps <= 3.3 * M);

	c = (struct curve){ .gen_max = 7 * M, .knee = 3.3 * M, .fail_at = 3 };
	assert_int_equal(rfc_search(&cfg1, curve_trial, &c, &r), -EIO);
	assert_int_equal(r.status, RFC_ERROR);
	assert_int_equal(r.err, -EIO);

	cfg = cfg1;
	cfg.resolution = 0;
	assert_int_equal(rfc_search(&cfg, curve_trial, &c, &r), -EINVAL);
}

/* ---- histogram ---- */

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(RFC_HIST_N, 64 + 26 * 32 + 1);
	for (uint64_t v = 0; v < 64; v++)
		assert_int_equal(rfc_hist_bucket(v), v);
	assert_int_equal(rfc_hist_bucket(64), 64);
	assert_int_equal(rfc_hist_bucket(65), 64);
	assert_int_equal(rfc_hist_bucket(66), 65);
	assert_int_equal(rfc_hist_bucket(127), 95);
	assert_int_equal(rfc_hist_bucket(128), 96);
	assert_int_equal(rfc_hist_bucket(1000), rfc_hist_bucket(999));
	assert_int_equal(rfc_hist_bucket((1ULL << 32) - 1), RFC_HIST_N - 2);
	assert_int_equal(rfc_hist_bucket(1ULL << 32), RFC_HIST_N - 1);
	assert_int_equal(rfc_hist_bucket(UINT64_MAX), RFC_HIST_N - 1);
	/* every bucket holds exactly [lower, upper], no wider than 1/32 of
	 * its values, and the next starts where it ends */
	for (uint32_t b = 0; b < RFC_HIST_N - 1; b++) {
		uint64_t lo = rfc_hist_lower(b), hi = rfc_hist_upper(b);

		assert_int_equal(rfc_hist_bucket(lo), b);
		assert_int_equal(rfc_hist_bucket(hi), b);
		assert_int_equal(rfc_hist_lower(b + 1), hi + 1);
		assert_true((double)(hi - lo + 1) <= (double)lo / 32 + 1);
	}
	assert_int_equal(rfc_hist_lower(RFC_HIST_N - 1), 1ULL << 32);
	/* the resolutions README.rfc2544.md states */
	assert_int_equal(rfc_hist_upper(rfc_hist_bucket(1024)) -
				 rfc_hist_lower(rfc_hist_bucket(1024)) + 1,
			 32);
	assert_int_equal(rfc_hist_upper(rfc_hist_bucket(1 << 20)) -
				 rfc_hist_lower(rfc_hist_bucket(1 << 20)) + 1,
			 32768);
}

static void add(struct rfc_sink_stats *s, uint64_t v)
{
	if (!s->packets || v < s->lat_min)
		s->lat_min = v;
	if (v > s->lat_max)
		s->lat_max = v;
	s->packets++;
	s->lat_sum += v;
	s->hist[rfc_hist_bucket(v)]++;
}

static void test_percentiles(void **state)
{
	static struct rfc_sink_stats s, t;
	struct rfc_latency l;
	uint64_t p;

	(void)state;
	rfc_latency_of(&s, &l);
	assert_int_equal(l.count, 0);
	assert_int_equal(rfc_hist_percentile(s.hist, 0, 0, 0, 0.5), 0);
	/* 1..1000 us */
	for (uint64_t us = 1; us <= 1000; us++)
		add(&s, us * 1000);
	rfc_latency_of(&s, &l);
	assert_int_equal(l.count, 1000);
	assert_int_equal(l.min, 1000);
	assert_int_equal(l.max, 1000000);
	assert_true(fabs(l.mean - 500500) < 1);
	/* the bucket of 500 us, its top: within 3.1% above */
	assert_int_equal(l.p50, rfc_hist_upper(rfc_hist_bucket(500000)));
	assert_true(l.p50 >= 500000 && l.p50 <= 500000 * 1.032);
	assert_int_equal(l.p99, rfc_hist_upper(rfc_hist_bucket(990000)));
	assert_true(l.p99 >= 990000 && l.p99 <= 990000 * 1.032);
	/* clamped to the exact max and min */
	p = rfc_hist_percentile(s.hist, s.packets, s.lat_min, s.lat_max, 1.0);
	assert_int_equal(p, 1000000);
	/* the first value's bucket: 992..1007, its top */
	p = rfc_hist_percentile(s.hist, s.packets, s.lat_min, s.lat_max,
				0.0001);
	assert_int_equal(p, 1007);
	/* clamped to max: everything in one bucket under its top */
	memset(&t, 0, sizeof(t));
	add(&t, 1000);
	add(&t, 1001);
	rfc_latency_of(&t, &l);
	assert_int_equal(l.p50, 1001);
	assert_int_equal(l.p99, 1001);
	memset(&t, 0, sizeof(t));

	/* exact in the linear range: 100 x 7 ns, then one of 50 ns */
	for (int i = 0; i < 99; i++)
		add(&t, 7);
	add(&t, 50);
	rfc_latency_of(&t, &l);
	assert_int_equal(l.p50, 7);
	assert_int_equal(l.p99, 7);
	assert_int_equal(l.max, 50);
	assert_int_equal(rfc_hist_percentile(t.hist, 100, 7, 50, 0.995), 50);

	/* sums: min, max and counts of both */
	rfc_sink_stats_add(&s, &t);
	assert_int_equal(s.packets, 1100);
	assert_int_equal(s.lat_min, 7);
	assert_int_equal(s.lat_max, 1000000);
	memset(&t, 0, sizeof(t));
	rfc_sink_stats_add(&t, &s);
	assert_int_equal(t.lat_min, 7);
	assert_int_equal(t.hist[7], 99);
}

static void test_jain_median(void **state)
{
	double eq[4] = { 1, 1, 1, 1 }, one[4] = { 0, 0, 5, 0 },
	       half[2] = { 1, 0.5 }, z[3] = { 0, 0, 0 };
	double v[5] = { 5, 1, 4, 2, 3 }, w[4] = { 4, 1, 3, 2 }, lo, hi;

	(void)state;
	assert_true(fabs(rfc_jain(eq, 4) - 1) < 1e-12);
	assert_true(fabs(rfc_jain(one, 4) - 0.25) < 1e-12);
	assert_true(fabs(rfc_jain(half, 2) - 2.25 / 2.5) < 1e-12);
	assert_true(rfc_jain(z, 3) == -1);
	assert_true(rfc_jain(z, 0) == -1);
	assert_true(rfc_median(v, 5, &lo, &hi) == 3);
	assert_true(lo == 1 && hi == 5);
	assert_true(rfc_median(w, 4, NULL, NULL) == 2.5);
	assert_true(rfc_median(w, 0, &lo, &hi) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_step_fine),
		cmocka_unit_test(test_knee_near_floor),
		cmocka_unit_test(test_no_pass),
		cmocka_unit_test(test_at_max),
		cmocka_unit_test(test_hi_unreachable),
		cmocka_unit_test(test_gen_bound),
		cmocka_unit_test(test_short_loss_counts),
		cmocka_unit_test(test_noisy),
		cmocka_unit_test(test_loss_tolerance),
		cmocka_unit_test(test_max_trials_and_errors),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_jain_median),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
