/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Per-CPU counters: every verdict of every program is counted. */
#ifndef TN_BPF_STATS_H
#define TN_BPF_STATS_H

#include "common.h"

static __always_inline void stats_rx(struct tn_stats *s, __u64 len)
{
	if (s) {
		s->rx_packets++;
		s->rx_bytes += len;
	}
}

static __always_inline void stats_tx(struct tn_stats *s, __u64 len)
{
	if (s) {
		s->tx_packets++;
		s->tx_bytes += len;
	}
}

static __always_inline void stats_pass(struct tn_stats *s, __u64 len)
{
	if (s) {
		s->pass_packets++;
		s->pass_bytes += len;
	}
}

static __always_inline void stats_drop(struct tn_stats *s, enum tn_drop why)
{
	if (s && why < TN_DROP__MAX)
		s->drop_packets[why]++;
}

/* One of the counters that have no bytes: nosock, direct, offqueue. */
#define stats_count(s, field)         \
	do {                          \
		if (s)                \
			(s)->field++; \
	} while (0)

#endif
