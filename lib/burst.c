// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's rate, pps and burst (burst.h): the buckets they make, and
 * the sentence that refuses a burst that does not go with them. tenetd
 * checks every change with it before anything is written, and the
 * policers and the router's shaper are sized from the same numbers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "dp.h"
#include "burst.h"

#define NS_PER_S 1000000000ULL

/* v in the largest unit of mul[] that divides it, else as it is. */
static const char *fmt_exact(uint64_t v, const uint64_t *mul,
			     const char *const *sfx, const char *bare,
			     char *buf, size_t n)
{
	int i;

	for (i = 0; mul[i] && (v < mul[i] || v % mul[i]); i++)
		;
	if (mul[i])
		snprintf(buf, n, "%" PRIu64 "%s", v / mul[i], sfx[i]);
	else
		snprintf(buf, n, "%" PRIu64 "%s", v, bare);
	return buf;
}

/* Bytes as typed: "2M", "15140". */
static const char *fmt_size(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1ULL << 30, 1ULL << 20, 1ULL << 10, 0 };
	static const char *const sfx[] = { "G", "M", "K" };

	return fmt_exact(v, mul, sfx, "", buf, n);
}

/* A time as typed: "1s", "50ms", "1500us" (ns: what no unit takes). */
static const char *fmt_time(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { NS_PER_S, 1000000, 1000, 0 };
	static const char *const sfx[] = { "s", "ms", "us" };

	return fmt_exact(v, mul, sfx, "ns", buf, n);
}

/* Bits/s as typed: "100M", "121k". */
static const char *fmt_rate(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1000000000, 1000000, 1000, 0 };
	static const char *const sfx[] = { "G", "M", "k" };

	return fmt_exact(v, mul, sfx, "", buf, n);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void tn_burst_eff(const struct tn_rate_limits *l, struct tn_burst *b)
{
	uint64_t ns = l->burst_ns ? l->burst_ns : TN_BURST_DEFAULT_NS;

	b->bytes = 0;
	if (l->rate_bps) {
		b->bytes = l->burst_bytes ?
				   l->burst_bytes :
				   max_u64(TN_BURST_MIN,
					   tn_burst_of(l->rate_bps, ns));
		/* How long the byte bucket lasts, which the pps one
		 * follows. */
		ns = (uint64_t)((unsigned __int128)b->bytes * 8 * NS_PER_S /
				l->rate_bps);
	}
	b->ns = ns;
	b->pkts = l->pps ? max_u64(TN_BURST_MIN_PKTS,
				   (uint64_t)((unsigned __int128)l->pps * ns /
					      NS_PER_S)) :
			   0;
}

int tn_burst_check(const struct tn_rate_limits *l, char *err, size_t n)
{
	uint64_t most, bytes;
	char g[32], r[32], m[32];

	if (!l->burst_bytes && !l->burst_ns)
		return 0;
	tn_burst_given(l, g, sizeof(g));
	if (!l->rate_bps && !l->pps) {
		snprintf(err, n,
			 "burst: %s of nothing: the tenant has no rate and no"
			 " pps (give one, or burst default)",
			 g);
		return -EINVAL;
	}
	if (l->burst_bytes && !l->rate_bps) {
		snprintf(err, n,
			 "burst: %s is bytes, and the tenant has no rate (with"
			 " pps alone give a time: burst 100ms)",
			 g);
		return -EINVAL;
	}
	if (l->burst_bytes) {
		most = max_u64(TN_BURST_MIN,
			       tn_burst_of(l->rate_bps, TN_BURST_MAX_NS));
		if (l->burst_bytes < TN_BURST_MIN) {
			snprintf(err, n,
				 "burst: %s is less than 10 full frames (%d"
				 " bytes)",
				 g, TN_BURST_MIN);
			return -EINVAL;
		}
		if (l->burst_bytes > most) {
			snprintf(err, n,
				 "burst: %s is more than 1s at rate %s (%s"
				 " bytes): give %s or less, or a time",
				 g, fmt_rate(l->rate_bps, r, sizeof(r)),
				 fmt_size(most, m, sizeof(m)), m);
			return -EINVAL;
		}
		return 0;
	}
	if (l->burst_ns > TN_BURST_MAX_NS) {
		snprintf(err, n, "burst: %s is more than 1s", g);
		return -EINVAL;
	}
	if (!l->rate_bps)
		return 0;
	bytes = tn_burst_of(l->rate_bps, l->burst_ns);
	/* Where even 1s makes less than the least burst, the least burst
	 * is what any time gets. */
	if (bytes < TN_BURST_MIN &&
	    tn_burst_of(l->rate_bps, TN_BURST_MAX_NS) >= TN_BURST_MIN) {
		/* The least time that makes TN_BURST_MIN, in whole us. */
		uint64_t us = (uint64_t)(((unsigned __int128)TN_BURST_MIN * 8 *
						  1000000 +
					  l->rate_bps - 1) /
					 l->rate_bps);

		snprintf(err, n,
			 "burst: %s at rate %s is %" PRIu64 " bytes, less"
			 " than 10 full frames (%d bytes): give %s or more",
			 g, fmt_rate(l->rate_bps, r, sizeof(r)), bytes,
			 TN_BURST_MIN, fmt_time(us * 1000, m, sizeof(m)));
		return -EINVAL;
	}
	return 0;
}

const char *tn_burst_given(const struct tn_rate_limits *l, char *buf, size_t n)
{
	if (l->burst_bytes)
		return fmt_size(l->burst_bytes, buf, n);
	if (l->burst_ns)
		return fmt_time(l->burst_ns, buf, n);
	snprintf(buf, n, "default");
	return buf;
}
