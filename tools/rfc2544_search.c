// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rfc2544_search.h"

const char *rfc_status_name(enum rfc_status s)
{
	switch (s) {
	case RFC_FOUND:
		return "found";
	case RFC_AT_MAX:
		return "no-loss-at-generator-max";
	case RFC_GEN_BOUND:
		return "generator-bound";
	case RFC_NO_PASS:
		return "loss-at-lowest-rate";
	default:
		return "error";
	}
}

int rfc_trial_pass(const struct rfc_trial *t, double loss_tolerance)
{
	uint64_t lost = t->received >= t->sent ? 0 : t->sent - t->received;

	if (t->sent == 0)
		return 0; /* nothing offered proves nothing */
	return (double)lost <= loss_tolerance * (double)t->sent;
}

/*
 * One trial at target, again (up to retries times) while it passes at less
 * than the generator tolerance of its target: a machine that lends the
 * generator's core to someone else for a moment should not end a search.
 * A loss at less than the target stands: the target would have lost too.
 */
static int trial(const struct rfc_search_cfg *cfg, rfc_trial_fn fn, void *arg,
		 double target, struct rfc_trial *t, int *pass, int *gen_ok,
		 struct rfc_search_result *res)
{
	double gtol = cfg->gen_tolerance > 0 ? cfg->gen_tolerance : 0.99;
	int err;

	for (int k = 0;; k++) {
		memset(t, 0, sizeof(*t));
		err = fn(arg, target, t);
		res->trials++;
		if (err) {
			res->status = RFC_ERROR;
			res->err = err;
			return err;
		}
		*pass = rfc_trial_pass(t, cfg->loss_tolerance);
		*gen_ok = target <= 0 || t->offered_pps >= gtol * target;
		if (!*pass || *gen_ok || k >= cfg->gen_retries)
			return 0;
	}
}

int rfc_search(const struct rfc_search_cfg *cfg, rfc_trial_fn fn, void *arg,
	       struct rfc_search_result *res)
{
	double top, lo, hi, step, mid, good_off = 0;
	int pass, gen_ok, lo_tested = 0, err;
	struct rfc_trial t;

	memset(res, 0, sizeof(*res));
	if (cfg->hi_pps < 0 || cfg->lo_pps < 0 || cfg->resolution <= 0 ||
	    cfg->resolution >= 1) {
		res->status = RFC_ERROR;
		res->err = -EINVAL;
		return -EINVAL;
	}
	/* The top: the generator's maximum, or the rate asked for. */
	err = trial(cfg, fn, arg, cfg->hi_pps, &t, &pass, &gen_ok, res);
	if (err)
		return err;
	res->top_pps = t.offered_pps;
	if (pass) {
		/* Nothing lost at the most the generator offered: it could not
		 * disprove any rate, so no zero-loss figure, only "≥". */
		res->status = gen_ok ? RFC_AT_MAX : RFC_GEN_BOUND;
		res->rate_pps = t.offered_pps;
		res->rate_offered_pps = t.offered_pps;
		return 0;
	}
	top = cfg->hi_pps > 0 ? cfg->hi_pps : t.offered_pps;
	lo = cfg->lo_pps > 0 ? cfg->lo_pps : top * 0.01;
	if (lo >= top)
		lo = top * 0.01;
	hi = top;
	step = cfg->resolution * top;
	while (hi - lo > step) {
		if (cfg->max_trials && res->trials >= cfg->max_trials)
			break;
		mid = (lo + hi) / 2;
		err = trial(cfg, fn, arg, mid, &t, &pass, &gen_ok, res);
		if (err)
			return err;
		if (!pass) {
			hi = mid;
			continue;
		}
		if (!gen_ok)
			goto gen_bound;
		lo = mid;
		lo_tested = 1;
		good_off = t.offered_pps;
	}
	if (!lo_tested) {
		/* Every rate halved to lost: does the floor itself pass? */
		err = trial(cfg, fn, arg, lo, &t, &pass, &gen_ok, res);
		if (err)
			return err;
		if (!pass) {
			res->status = RFC_NO_PASS;
			res->fail_pps = lo;
			return 0;
		}
		if (!gen_ok)
			goto gen_bound;
		good_off = t.offered_pps;
	}
	res->status = RFC_FOUND;
	res->rate_pps = lo;
	res->rate_offered_pps = good_off;
	res->fail_pps = hi;
	return 0;
gen_bound:
	/* Passed at less than it was asked to test: the best this search
	 * can say is that what was offered got through. */
	res->status = RFC_GEN_BOUND;
	res->rate_pps = t.offered_pps > good_off ? t.offered_pps : good_off;
	res->rate_offered_pps = res->rate_pps;
	res->fail_pps = hi;
	return 0;
}

uint64_t rfc_hist_lower(uint32_t b)
{
	uint32_t k, e;

	if (b < RFC_HIST_LINEAR)
		return b;
	if (b >= RFC_HIST_N - 1)
		return 1ULL << RFC_HIST_MAX_LOG;
	k = b - RFC_HIST_LINEAR;
	e = k / RFC_HIST_SUB + 1;
	return (uint64_t)(RFC_HIST_SUB + k % RFC_HIST_SUB) << e;
}

uint64_t rfc_hist_upper(uint32_t b)
{
	if (b < RFC_HIST_LINEAR)
		return b;
	if (b >= RFC_HIST_N - 1)
		return UINT64_MAX;
	return rfc_hist_lower(b + 1) - 1;
}

uint64_t rfc_hist_percentile(const __u64 *hist, uint64_t count, uint64_t min,
			     uint64_t max, double p)
{
	uint64_t rank, cum = 0, v;

	if (!count)
		return 0;
	rank = (uint64_t)ceil(p * (double)count - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	for (uint32_t b = 0; b < RFC_HIST_N; b++) {
		cum += hist[b];
		if (cum < rank)
			continue;
		v = rfc_hist_upper(b);
		if (v > max)
			v = max;
		if (v < min)
			v = min;
		return v;
	}
	return max;
}

void rfc_latency_of(const struct rfc_sink_stats *s, struct rfc_latency *l)
{
	memset(l, 0, sizeof(*l));
	l->count = s->packets;
	if (!s->packets)
		return;
	l->min = s->lat_min;
	l->max = s->lat_max;
	l->mean = (double)s->lat_sum / (double)s->packets;
	l->p50 = rfc_hist_percentile(s->hist, s->packets, l->min, l->max, 0.5);
	l->p99 = rfc_hist_percentile(s->hist, s->packets, l->min, l->max, 0.99);
}

void rfc_sink_stats_add(struct rfc_sink_stats *a,
			const struct rfc_sink_stats *b)
{
	if (!b->packets)
		return;
	if (!a->packets || b->lat_min < a->lat_min)
		a->lat_min = b->lat_min;
	if (b->lat_max > a->lat_max)
		a->lat_max = b->lat_max;
	a->packets += b->packets;
	a->bytes += b->bytes;
	a->lat_sum += b->lat_sum;
	for (uint32_t i = 0; i < RFC_HIST_N; i++)
		a->hist[i] += b->hist[i];
}

double rfc_jain(const double *x, size_t n)
{
	double sum = 0, sq = 0;

	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		sq += x[i] * x[i];
	}
	if (!n || sq == 0)
		return -1;
	return sum * sum / ((double)n * sq);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double rfc_median(double *v, size_t n, double *min, double *max)
{
	if (!n) {
		if (min)
			*min = 0;
		if (max)
			*max = 0;
		return 0;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	if (min)
		*min = v[0];
	if (max)
		*max = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
