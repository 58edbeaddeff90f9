/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tenetctl capture: a tenant's frames copied by the XDP programs into a ring
 * buffer of that tenant's alone.
 *
 * tenetd makes a BPF ring buffer for each capture, puts it in
 * tn_cap_rings[tenant id] (an array of maps, TN_MAP_CAP_RINGS) and then
 * turns the capture on in tn_capture[tenant id] (struct tn_capture); it
 * hands the ring's descriptor to tenetctl, which reads it. The programs
 * copy into the ring found by the tenant id the frame was classified to
 * (nic_ingress, its fast path) or whose veth it left by (tenant_egress):
 * a ring only ever holds the frames of the tenant it was made for.
 *
 * The cap bounds what a capture costs the data path: at most `cap` frames
 * a second are copied (snaplen bytes each at most); the rest are counted,
 * not copied. A full ring (a reader too slow) loses frames, counted too.
 */
#ifndef TENET_CAPTURE_H
#define TENET_CAPTURE_H

#include <linux/types.h>

/* Each capture's ring: the size every ring in tn_cap_rings must have. */
#define TN_CAP_RING_SIZE (4u << 20)
/* Bytes of a frame copied at most (a 1500-byte MTU's frame with two tags
 * fits), and the records' two sizes: a small frame takes a small one.
 * Powers of two (bpf/lib/capture.h bounds a length with them). */
#define TN_CAP_SNAP_MAX 2048
#define TN_CAP_SNAP_SMALL 128
/* Frames a second, at most and by default. */
#define TN_CAP_RATE_MAX 100000
#define TN_CAP_RATE_DEFAULT 1000

/* struct tn_capture.ports, and the port a record was taken on */
#define TN_CAP_ACCESS (1u << 0)
#define TN_CAP_UPLINK (1u << 1)

/* u32 tenant id -> this (TN_MAP_CAPTURE): tenetd writes it whole at the
 * start (counters zero) and at the end (all zero); the programs keep the
 * window and add to the counters. */
struct tn_capture {
	__u32 ports; /* TN_CAP_*; 0: no capture */
	__u32 snaplen;
	__u32 rate; /* frames a second */
	__u32 _pad;
	__u64 win_start; /* ns, bpf_ktime_get_ns(): the second counted */
	__u64 win_count;
	__u64 captured; /* copied into the ring */
	__u64 capped; /* over the rate: not copied */
	__u64 lost; /* the ring was full */
};

/* struct tn_cap_rec.dir */
#define TN_CAP_IN 0 /* from the NIC, to the tenant */
#define TN_CAP_OUT 1 /* from the tenant, out the NIC */

/* One frame in the ring: this, then caplen bytes of it as it was on the
 * wire (tags included). */
struct tn_cap_rec {
	__u64 ts_ns; /* bpf_ktime_get_ns() */
	__u32 len; /* the frame's length */
	__u16 caplen;
	__u8 port; /* TN_CAP_ACCESS or TN_CAP_UPLINK */
	__u8 dir; /* TN_CAP_IN or TN_CAP_OUT */
};

#endif
