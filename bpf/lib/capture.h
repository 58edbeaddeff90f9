/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tenetctl capture's side in the programs (include/tenet/capture.h): the
 * frame as it is now in ctx, copied into its tenant's ring while a capture
 * of that port is on, at most rate frames a second. Needs tn_capture and
 * tn_cap_rings (shared.maps.h).
 */
#ifndef TN_BPF_CAPTURE_H
#define TN_BPF_CAPTURE_H

#include "common.h"
#include "../shared.maps.h"

#define NS_PER_S 1000000000ull

_Static_assert(!(TN_CAP_SNAP_MAX & (TN_CAP_SNAP_MAX - 1)) &&
		       !(TN_CAP_SNAP_SMALL & (TN_CAP_SNAP_SMALL - 1)),
	       "cap_copy() bounds a length by a record's room minus one");

/* A record of room bytes of frame; room a constant, for the verifier. */
static __always_inline void cap_copy(struct xdp_md *ctx, void *ring,
				     struct tn_capture *c, __u64 len,
				     __u64 caplen, __u32 port, __u32 dir,
				     const __u64 room)
{
	struct tn_cap_rec *r;

	r = bpf_ringbuf_reserve(ring, sizeof(*r) + room, 0);
	if (!r) {
		__sync_fetch_and_add(&c->lost, 1);
		return;
	}
	if (caplen > room)
		caplen = room;
	/* 1 to room, by arithmetic the verifier follows into any copy of
	 * the register (a comparison refines only the one compared, and the
	 * compiler may spill another); room is a power of two, so for
	 * 1 <= caplen <= room this is caplen. Opaque first, or the
	 * compiler would drop the mask as doing nothing. */
	asm volatile("" : "+r"(caplen));
	caplen = ((caplen - 1) & (room - 1)) + 1;
	if (bpf_xdp_load_bytes(ctx, 0, r + 1, caplen)) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		__sync_fetch_and_add(&c->lost, 1);
		return;
	}
	r->ts_ns = bpf_ktime_get_ns();
	r->len = len;
	r->caplen = caplen;
	r->port = port;
	r->dir = dir;
	bpf_ringbuf_submit(r, 0);
	__sync_fetch_and_add(&c->captured, 1);
}

/* Tenant tid's frame in ctx, on its port of role, going dir (TN_CAP_IN,
 * TN_CAP_OUT). */
static __always_inline void capture(struct xdp_md *ctx, __u32 tid, __u32 role,
				    __u32 dir)
{
	__u32 port = role ? TN_CAP_UPLINK : TN_CAP_ACCESS;
	__u64 len, caplen;
	struct tn_capture *c = bpf_map_lookup_elem(&tn_capture, &tid);
	void *ring;
	__u64 now;

	if (!c || !(c->ports & port))
		return;
	/* A second's count; two CPUs starting a second at once let a
	 * frame or two more through, never more than a second's worth. */
	now = bpf_ktime_get_ns();
	if (now - c->win_start >= NS_PER_S) {
		c->win_start = now;
		c->win_count = 0;
	}
	if (__sync_fetch_and_add(&c->win_count, 1) >= c->rate) {
		__sync_fetch_and_add(&c->capped, 1);
		return;
	}
	ring = bpf_map_lookup_elem(&tn_cap_rings, &tid);
	if (!ring) {
		__sync_fetch_and_add(&c->lost, 1);
		return;
	}
	len = ctx->data_end - ctx->data;
	caplen = len < c->snaplen ? len : c->snaplen;
	if (!caplen) /* a snaplen of 0 is tenetd's mistake, not a frame */
		return;
	if (caplen <= TN_CAP_SNAP_SMALL)
		cap_copy(ctx, ring, c, len, caplen, port, dir,
			 TN_CAP_SNAP_SMALL);
	else
		cap_copy(ctx, ring, c, len, caplen, port, dir, TN_CAP_SNAP_MAX);
}

#endif
