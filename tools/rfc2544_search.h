/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tn-rfc2544's arithmetic, apart from any device so that tests can drive
 * it: the RFC 2544 §26.1 binary search for the zero-loss rate over a trial
 * callback, percentiles of the sink's latency histogram, Jain's fairness
 * index and medians.
 */
#ifndef TN_RFC2544_SEARCH_H
#define TN_RFC2544_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "rfc2544.h"

/* What one trial at a target rate gave. */
struct rfc_trial {
	double target_pps; /* 0: as fast as the generator can */
	double offered_pps; /* what the generator achieved */
	uint64_t sent, received;
};

/* Runs one trial at target_pps (0: unpaced, the generator's maximum).
 * Returns 0, or -errno to end the search. */
typedef int (*rfc_trial_fn)(void *arg, double target_pps,
			    struct rfc_trial *out);

struct rfc_search_cfg {
	double lo_pps; /* lowest rate tried; 0: 1% of the top */
	double hi_pps; /* 0: the generator's maximum, measured (unpaced) */
	double resolution; /* stop when pass and fail are this fraction of
			      the top apart (0.01: 1%) */
	double loss_tolerance; /* fraction of frames a pass may lose (0) */
	double gen_tolerance; /* a trial counts when offered >= this fraction
				 of its target (0.99) */
	int gen_retries; /* retries of a pass the generator fell short on */
	int max_trials; /* 0: no limit but the resolution */
};

enum rfc_status {
	RFC_FOUND, /* rate_pps: highest rate passed; fail_pps lost */
	RFC_AT_MAX, /* no loss at the generator's top: rate_pps is a lower
		       bound ("≥"), not a zero-loss figure */
	RFC_GEN_BOUND, /* the generator could not offer a rate it had to
			  test: no figure; rate_pps the best verified pass */
	RFC_NO_PASS, /* frames lost even at lo_pps */
	RFC_ERROR, /* a trial failed (err) */
};

struct rfc_search_result {
	enum rfc_status status;
	double top_pps; /* the rate the search started from (offered) */
	double rate_pps; /* see status */
	double rate_offered_pps; /* what was offered in that trial */
	double fail_pps; /* lowest rate that lost frames, 0: none */
	int trials;
	int err;
};

const char *rfc_status_name(enum rfc_status s);
/* Whether a trial lost no more than the tolerance allows. */
int rfc_trial_pass(const struct rfc_trial *t, double loss_tolerance);
int rfc_search(const struct rfc_search_cfg *cfg, rfc_trial_fn fn, void *arg,
	       struct rfc_search_result *res);

/* Histogram: the values a bucket holds, both ends included. */
uint64_t rfc_hist_lower(uint32_t b);
uint64_t rfc_hist_upper(uint32_t b);

struct rfc_latency {
	uint64_t count, min, p50, p99, max;
	double mean;
};

/* p (0..1] of the values in hist: the highest value of the bucket that
 * holds the ceil(p * count)-th smallest, clamped to [min, max] (so within
 * one bucket, at most 3.1%, above the truth). 0 when count is 0. */
uint64_t rfc_hist_percentile(const __u64 *hist, uint64_t count, uint64_t min,
			     uint64_t max, double p);
/* The summary of one tenant's (or a sum of tenants') stats. */
void rfc_latency_of(const struct rfc_sink_stats *s, struct rfc_latency *l);
/* Adds b to a: counts, histogram, min and max. */
void rfc_sink_stats_add(struct rfc_sink_stats *a,
			const struct rfc_sink_stats *b);

/* Jain's index of x[0..n): (sum x)^2 / (n sum x^2); 1 when all are equal,
 * 1/n when one has everything. -1 when n is 0 or every x is 0. */
double rfc_jain(const double *x, size_t n);
/* Median of v[0..n) (sorts v); min and max, if asked for. */
double rfc_median(double *v, size_t n, double *min, double *max);

#endif
