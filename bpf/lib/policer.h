/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Two token buckets per port, packets/s and bits/s, one lock for both so a
 * frame takes from both or from neither. Credit is time: the buckets refill
 * by the time elapsed since the last frame (capped at the burst) and a frame
 * costs pkt_cost + len * byte_cost. See struct tn_policer.
 */
#ifndef TN_BPF_POLICER_H
#define TN_BPF_POLICER_H

#include "common.h"

/* Returns 1 if the frame conforms (credit taken), 0 if it is over. */
static __always_inline int policer_conform(struct tn_policer *pol, __u64 len,
					   __u64 now)
{
	__u64 elapsed, pkt, bytes, pcost, bcost;
	int ok = 0;

	bpf_spin_lock(&pol->lock);
	elapsed = now > pol->last_ns ? (now - pol->last_ns) : 0;
	pol->last_ns = now > pol->last_ns ? now : pol->last_ns;
	/* Cap before the shift so it cannot overflow. */
	if (elapsed > (1ULL << 40))
		elapsed = 1ULL << 40;
	elapsed <<= TN_POLICER_SHIFT;

	pkt = pol->pkt_credit + elapsed;
	if (pkt > pol->pkt_burst)
		pkt = pol->pkt_burst;
	bytes = pol->byte_credit + elapsed;
	if (bytes > pol->byte_burst)
		bytes = pol->byte_burst;
	pcost = pol->pkt_cost;
	bcost = pol->byte_cost * len;
	if (pkt >= pcost && bytes >= bcost) {
		pkt -= pcost;
		bytes -= bcost;
		ok = 1;
	}
	pol->pkt_credit = pkt;
	pol->byte_credit = bytes;
	bpf_spin_unlock(&pol->lock);
	return ok;
}

#endif
