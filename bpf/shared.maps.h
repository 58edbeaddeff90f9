/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Maps more than one program uses: each program defines them the same way
 * and libbpf reuses the one pin (pinned by name under the agent's bpffs
 * directory), whichever program is loaded first.
 */
#ifndef TN_SHARED_MAPS_H
#define TN_SHARED_MAPS_H

#include <tenet/capture.h>

#include "lib/maps.h"

/* struct tn_local_key (tenant id, address) -> u32 (unused, 1): every
 * address of each tenant's router, its IPv6 link-local ones included.
 * nic_ingress: for a direct-mode tenant, frames to them (and ARP, ND,
 * multicast) go the veth way, to the container's kernel, never into the
 * XSK on the NIC queue. tenant_egress: the only addresses a tenant's ARP and
 * ND may claim. tenetd, at bring-up. */
TN_PINNED_MAP(tn_local, TN_MAP_LOCAL, BPF_MAP_TYPE_HASH, struct tn_local_key,
	      __u32, TN_MAX_LOCAL_KEYS, 0);

/* tenant_egress's, which nic_ingress uses too for what it forwards by a
 * tenant's fast table: the same NIC, source check, policer and counters as
 * the frames the router sends out that port. */

/* u32 nic id -> u32 NIC ifindex: where the frames leave. tenetd, at nic
 * attach. */
TN_PINNED_MAP(tn_nic_dev, TN_MAP_NIC_DEV, BPF_MAP_TYPE_DEVMAP, __u32, __u32,
	      TN_MAX_NICS, 0);

/* struct tn_src4_key / tn_src6_key (tenant id + source prefix) -> u32
 * (unused, 1): the sources a tenant may send from where tn_egress.flags
 * has TN_EG_F_SRC: its own addresses, the subnets of its access side, its
 * prefixes, its routes and the sources the operator gave. tenetd, at
 * bring-up and route add/del. */
TN_PINNED_MAP(tn_src4, TN_MAP_SRC4, BPF_MAP_TYPE_LPM_TRIE, struct tn_src4_key,
	      __u32, TN_MAX_SRC_PREFIXES, BPF_F_NO_PREALLOC);
TN_PINNED_MAP(tn_src6, TN_MAP_SRC6, BPF_MAP_TYPE_LPM_TRIE, struct tn_src6_key,
	      __u32, TN_MAX_SRC_PREFIXES, BPF_F_NO_PREALLOC);

/* u32 port -> struct tn_policer: the tenant's rate and pps again, for all
 * it sends out that port, what its container originates included (what it
 * forwards was policed on the way in too). tenetd, with tn_policer, with
 * BPF_F_LOCK. */
TN_PINNED_MAP(tn_egress_policer, TN_MAP_EGRESS_POLICER, BPF_MAP_TYPE_ARRAY,
	      __u32, struct tn_policer, TN_MAX_PORTS, 0);

/* tenetctl capture (include/tenet/capture.h): u32 tenant id -> struct
 * tn_capture, whether and how the tenant's frames are copied; and u32
 * tenant id -> the ring they are copied into, made for that capture alone.
 * tenetd, as a capture starts and ends; the programs keep the counters. */
TN_PINNED_MAP(tn_capture, TN_MAP_CAPTURE, BPF_MAP_TYPE_ARRAY, __u32,
	      struct tn_capture, TN_MAX_TENANTS, 0);

struct tn_cap_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TN_CAP_RING_SIZE);
};

TN_PINNED_TENANT_MAPS(tn_cap_rings, TN_MAP_CAP_RINGS, struct tn_cap_ring);

/* u32 port -> struct tn_stats, per CPU (port 0: veths bound to no NIC).
 * The program counts; tenetctl tenant stats sums. */
TN_PINNED_MAP(tn_egress_stats, TN_MAP_EGRESS_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
	      __u32, struct tn_stats, TN_MAX_PORTS, 0);

#endif
