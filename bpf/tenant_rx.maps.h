/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tenant_rx's maps: one set per tenant, pinned under tenants/<id>/ in the
 * agent's bpffs directory, written by tenetd from the container's netns
 * (tenet-router --standalone keeps an unpinned set and writes it itself).
 * The program writes only its counters.
 */
#ifndef TN_TENANT_RX_MAPS_H
#define TN_TENANT_RX_MAPS_H

#include "lib/maps.h"

/* u32 ifindex in the container -> u32 interface slot (access0 0,
 * uplink0 1). tenetd, at bring-up. */
TN_PINNED_MAP(tn_rx_ifs, TN_MAP_RX_IFS, BPF_MAP_TYPE_HASH, __u32, __u32,
	      TN_RX_MAX_IFS, 0);

/* u32 slot * TN_MAX_QUEUES + rx queue -> the router's XSK. tenetd, once
 * the router has bound the socket it was handed (lib/handoff.h), and takes
 * it out when the router goes. */
TN_PINNED_MAP(tn_rx_xsks, TN_MAP_RX_XSKS, BPF_MAP_TYPE_XSKMAP, __u32, __u32,
	      (TN_RX_MAX_IFS * TN_MAX_QUEUES), 0);

/* struct tn_addr_key (the router's own addresses) -> u32 (unused, 1):
 * frames to them go to the container's kernel. tenetd, at bring-up
 * (access-addr, uplink-addr). */
TN_PINNED_MAP(tn_rx_addrs, TN_MAP_RX_ADDRS, BPF_MAP_TYPE_HASH,
	      struct tn_addr_key, __u32, 256, 0);

/* u32 slot -> struct tn_stats, per CPU. The program counts; bpftool and
 * tests/bpf read them. */
TN_PINNED_MAP(tn_rx_stats, TN_MAP_RX_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, __u32,
	      struct tn_stats, TN_RX_MAX_IFS, 0);

#endif
