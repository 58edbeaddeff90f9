/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tenant's rate limits as one thing: rate (bits/s), pps and the burst
 * the operator gave, and what they make -- the depth of each bucket, the
 * same for the policers (lib/dp.c) and the router's shaper (the "limits"
 * message, lib/handoff.h) -- and whether they go together. Frames count as
 * lib/dp.h's TN_LIMITS_* say.
 *
 * A burst is given as a size (bytes: it stays that many bytes when the
 * rate changes) or a time (it stays that long at whatever the rate is), or
 * not at all (TN_BURST_DEFAULT_NS at the rate). The byte bucket is at
 * least TN_BURST_MIN bytes whatever was given: below about 121 kbit/s that
 * is more than TN_BURST_MAX_NS at the rate, and it is the burst. The pps
 * bucket holds as long as the byte bucket does (with no rate: the time
 * given, or TN_BURST_DEFAULT_NS), at least TN_BURST_MIN_PKTS packets.
 */
#ifndef TENET_BURST_H
#define TENET_BURST_H

#include <stddef.h>
#include <stdint.h>

struct tn_rate_limits {
	uint64_t rate_bps; /* 0: no bit limit */
	uint64_t pps; /* 0: no packet limit */
	uint64_t burst_bytes; /* given as a size; 0: not */
	uint64_t burst_ns; /* given as a time; 0: not */
};

/* The buckets l makes. */
struct tn_burst {
	uint64_t bytes; /* the byte bucket's depth; 0 with no rate */
	uint64_t pkts; /* the pps bucket's depth; 0 with no pps */
	uint64_t ns; /* how long a full bucket lasts at the rate */
};

void tn_burst_eff(const struct tn_rate_limits *l, struct tn_burst *b);

/*
 * 0 if l's burst goes with its rate and pps, else -EINVAL with one
 * sentence naming "burst": a size below TN_BURST_MIN or above
 * TN_BURST_MAX_NS at the rate (TN_BURST_MIN at the least), a time over
 * TN_BURST_MAX_NS or that makes fewer than TN_BURST_MIN bytes at the rate
 * (unless no time up to TN_BURST_MAX_NS makes that many), a size with no
 * rate, a time with no rate and no pps. No burst given always goes.
 */
int tn_burst_check(const struct tn_rate_limits *l, char *err, size_t n);

/* The burst as given, as it can be typed again: "2M", "1500000", "50ms",
 * or "default". */
const char *tn_burst_given(const struct tn_rate_limits *l, char *buf, size_t n);

#endif
