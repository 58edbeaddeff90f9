/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tn-rfc2544: what its generator writes, what its sink reads, and the
 * latency histogram both sides agree on (tools/rfc2544.bpf.c, tools/rfc2544.c,
 * tools/README.rfc2544.md); and the cross-connect's counters
 * (tools/rfc2544_xc.c).
 *
 * A bench frame is Ethernet, an optional 802.1Q tag, IPv4 (no options), UDP
 * to port RFC_PORT, and in the UDP payload the bench header below. It fits a
 * 64-byte frame with a tag: 14 + 4 + 20 + 8 + 14 = 60 bytes, plus the FCS.
 */
#ifndef TN_RFC2544_H
#define TN_RFC2544_H

#include <linux/types.h>

#define RFC_MAGIC 0x2544
#define RFC_PORT 2544
#define RFC_MAX_TENANTS 4094
#define RFC_HDR_TAGGED 46 /* Ethernet, 802.1Q, IPv4, UDP */
#define RFC_HDR_UNTAGGED 42
#define RFC_NCLS 3 /* frame sizes in one mix (IMIX: 64, 570, 1518) */
#define RFC_PAT 12 /* slots of a mix's pattern (IMIX: 7:4:1) */

/* In network order but tx_ns, which only this host's clock reads. seq is
 * the tenant's frame number modulo 2^16, for a capture; the sink ignores it. */
struct rfc_bench_hdr {
	__be16 magic;
	__be16 tenant;
	__be16 seq;
	__u64 tx_ns; /* bpf_ktime_get_ns() when the generator built the frame */
} __attribute__((packed));

/*
 * Latency histogram, log-linear in nanoseconds: exact below 64 ns, then 32
 * buckets per power of two, so a bucket is at most 1/32 (3.1%) of the
 * values in it wide: 2 ns wide at 64 ns, 32 ns at 1 us, 32 us at 1 ms.
 * From 2^32 ns (4.3 s) on, everything is in the last bucket.
 */
#define RFC_HIST_SUB_BITS 5
#define RFC_HIST_SUB (1U << RFC_HIST_SUB_BITS)
#define RFC_HIST_LINEAR (2U * RFC_HIST_SUB)
#define RFC_HIST_MAX_LOG 32
#define RFC_HIST_N         \
	(RFC_HIST_LINEAR + \
	 (RFC_HIST_MAX_LOG - RFC_HIST_SUB_BITS - 1) * RFC_HIST_SUB + 1)

static inline __u32 rfc_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

static inline __u32 rfc_hist_bucket(__u64 ns)
{
	__u32 h, e;

	if (ns < RFC_HIST_LINEAR)
		return (__u32)ns;
	if (ns >> RFC_HIST_MAX_LOG)
		return RFC_HIST_N - 1;
	h = rfc_log2(ns);
	e = h - RFC_HIST_SUB_BITS;
	return RFC_HIST_LINEAR + (h - RFC_HIST_SUB_BITS - 1) * RFC_HIST_SUB +
	       (__u32)((ns >> e) - RFC_HIST_SUB);
}

/* Per tenant, per CPU: what the sink received. lat_min is valid once
 * packets > 0. */
struct rfc_sink_stats {
	__u64 packets;
	__u64 bytes; /* frame lengths with the FCS, as on the wire */
	__u64 lat_min;
	__u64 lat_max;
	__u64 lat_sum;
	__u64 hist[RFC_HIST_N];
};

/* Per CPU: what reached the sink that it did not count for a tenant. */
struct rfc_sink_misc {
	__u64 other; /* no bench header: passed to the kernel (ARP, ...) */
	__u64 bad_tenant; /* bench header, tenant index out of range: dropped */
	__u64 future; /* tx_ns after the sink's clock: counted as 0 ns */
};

/* Per tenant, per CPU: what the generator handed to the device. */
struct rfc_gen_stats {
	__u64 packets;
	__u64 bytes; /* with the FCS */
};

/*
 * The generator's state, one for the one generating thread. Userspace sets
 * limit and ps_per_frame and zeroes the rest before a trial; rfc_gen sets
 * t0 at its first run and sends frame k (k from 0) not before
 * t0 + k * ps_per_frame / 1000 ns: until then, and after limit frames,
 * each run drops its frame unsent. So the pacing is per frame, in the
 * kernel, and BPF_PROG_RUN can run for the whole trial (ended by a signal).
 *
 * With a flood tenant (rodata flood_tenant), a run whose paced frame is not
 * yet due sends a frame of the flood tenant instead, unpaced, numbered
 * apart (flood_seq), until the paced frames reach the limit. limit, sent,
 * seq and t_last count the paced frames only.
 */
struct rfc_gen_ctl {
	__u64 limit; /* paced frames to send; 0: no limit */
	__u64 ps_per_frame; /* picoseconds between frames; 0: unpaced */
	__u64 t0; /* ns: the first run */
	__u64 t_last; /* ns: the last paced frame sent */
	__u64 sent;
	__u64 seq; /* paced frames numbered for tenants and sizes */
	__u64 flood_sent;
	__u64 flood_seq; /* the flood tenant's frames, for its sizes */
	__u64 flood_t_last; /* ns: its last frame sent */
};

#define RFC_NO_FLOOD 0xffffffffU /* flood_tenant: none */

/* Per CPU: what the cross-connect (rfc_xc, tn-rfc2544 xconnect) did. */
struct rfc_xc_stats {
	__u64 redirected; /* 802.1Q VID in range: MACs rewritten, redirected */
	__u64 passed; /* anything else: XDP_PASS, to the next program */
};

#define RFC_XC_PRIO 10 /* run priority: before libxdp's default, 50 */

/* Per tenant and frame size: the headers the generator writes. */
struct rfc_gen_tmpl {
	__u8 b[RFC_HDR_TAGGED];
};

#endif
