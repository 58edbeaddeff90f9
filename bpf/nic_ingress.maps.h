/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * nic_ingress's maps: one set for the host, shared by every NIC it is on,
 * pinned under the agent's bpffs directory (default /sys/fs/bpf/tenet/).
 * tenetd writes them (tn-dp by hand, tests/bpf through the skeleton); the
 * program writes only its counters, its prefix cache and its policers'
 * state. Tenant id, nic id and port: include/tenet/dp.h.
 */
#ifndef TN_NIC_INGRESS_MAPS_H
#define TN_NIC_INGRESS_MAPS_H

#include <tenet/fast.h>

#include "lib/maps.h"
#include "shared.maps.h"

/* u32 ifindex -> struct tn_nic: the NIC's id, role, default for frames of
 * no tenant, and which lookups it does for untagged frames. tenetd, at
 * nic attach. */
TN_PINNED_MAP(tn_nics, TN_MAP_NICS, BPF_MAP_TYPE_HASH, __u32, struct tn_nic,
	      TN_MAX_NICS, 0);

/* struct tn_vlan_key (ifindex, VID, inner VID) -> u32 tenant id. tenetd,
 * at tenant add: the access VLAN and a tagged uplink's. */
TN_PINNED_MAP(tn_vlan, TN_MAP_VLAN, BPF_MAP_TYPE_HASH, struct tn_vlan_key,
	      __u32, TN_MAX_VLAN_KEYS, 0);

/* struct tn_mac_key (ifindex, destination MAC) -> u32 tenant id, for
 * untagged frames on a NIC with TN_NIC_F_MAC. tenetd, at tenant add: an
 * untagged uplink's MAC. */
TN_PINNED_MAP(tn_mac, TN_MAP_MAC, BPF_MAP_TYPE_HASH, struct tn_mac_key, __u32,
	      TN_MAX_MAC_KEYS, 0);

/* struct tn_host_key (ifindex, address) -> u32 tenant id: ARP requests and
 * neighbour solicitations by their target. tenetd, at tenant add: an
 * untagged uplink's addresses. */
TN_PINNED_MAP(tn_host, TN_MAP_HOST, BPF_MAP_TYPE_HASH, struct tn_host_key,
	      __u32, TN_MAX_HOST_KEYS, 0);

/* struct tn_lpm4_key / tn_lpm6_key (ifindex + destination prefix) -> u32
 * tenant id, for untagged frames on a NIC with TN_NIC_F_PREFIX. tenetd, at
 * tenant add (prefix), through tn_dp_prefix_set(), which bumps tn_lpm_gen
 * after each change. */
TN_PINNED_MAP(tn_lpm4, TN_MAP_LPM4, BPF_MAP_TYPE_LPM_TRIE, struct tn_lpm4_key,
	      __u32, TN_MAX_PREFIXES, BPF_F_NO_PREALLOC);
TN_PINNED_MAP(tn_lpm6, TN_MAP_LPM6, BPF_MAP_TYPE_LPM_TRIE, struct tn_lpm6_key,
	      __u32, TN_MAX_PREFIXES, BPF_F_NO_PREALLOC);

/* struct tn_pcache_key (ifindex, destination) -> u64 generation << 32 |
 * tenant id: the answers of tn_lpm4/6, an LRU with per-CPU lists. The
 * program writes it; an entry older than tn_lpm_gen is ignored. */
TN_PINNED_MAP(tn_pcache, TN_MAP_PCACHE, BPF_MAP_TYPE_LRU_HASH,
	      struct tn_pcache_key, __u64, TN_PCACHE_SIZE, BPF_F_NO_COMMON_LRU);

/* 0 -> u32 generation of tn_lpm4/6. tenetd bumps it after every prefix
 * change (tn_dp_prefix_set, tn_dp_lpm_gen_bump), which voids tn_pcache. */
TN_PINNED_MAP(tn_lpm_gen, TN_MAP_LPM_GEN, BPF_MAP_TYPE_ARRAY, __u32, __u32, 1,
	      0);

/* u32 tenant id -> struct tn_tenant: active, direct mode. tenetd sets it
 * last at bring-up (frames flow only once all is in place) and clears it
 * first at teardown. */
TN_PINNED_MAP(tn_tenants, TN_MAP_TENANTS, BPF_MAP_TYPE_ARRAY, __u32,
	      struct tn_tenant, TN_MAX_TENANTS, 0);

/* u32 port -> struct tn_policer: token buckets in packets/s and bits/s.
 * tenetd writes the config half at tenant add and tenant set (with
 * BPF_F_LOCK); the program keeps the state half under the lock. */
TN_PINNED_MAP(tn_policer, TN_MAP_POLICER, BPF_MAP_TYPE_ARRAY, __u32,
	      struct tn_policer, TN_MAX_PORTS, 0);

/* u32 port -> u32 ifindex of the tenant's host-side veth facing the NIC of
 * that role: where a tenant's frames are redirected. tenetd, at bring-up. */
TN_PINNED_MAP(tn_ports, TN_MAP_PORTS, BPF_MAP_TYPE_DEVMAP, __u32, __u32,
	      TN_MAX_PORTS, 0);

/* u32 nic id * TN_MAX_QUEUES + rx queue -> the router's XSK on that queue
 * (direct mode). tenetd, once the socket it made for the router is bound
 * (lib/handoff.h). */
TN_PINNED_MAP(tn_nic_xsks, TN_MAP_NIC_XSKS, BPF_MAP_TYPE_XSKMAP, __u32, __u32,
	      (TN_MAX_NICS * TN_MAX_QUEUES), 0);

/* Same index as tn_nic_xsks -> u32 tenant id owning the queue (direct
 * mode). tenetd, at bring-up of a direct-mode tenant. */
TN_PINNED_MAP(tn_qowner, TN_MAP_QOWNER, BPF_MAP_TYPE_ARRAY, __u32, __u32,
	      (TN_MAX_NICS * TN_MAX_QUEUES), 0);

/* Same index -> u32 1 while a socket is bound zero-copy on that queue: its
 * frames are then in the socket's UMEM, and the fast path leaves them to
 * the router (lib/fast.h). tenetd, as it binds and closes them. */
TN_PINNED_MAP(tn_qzc, TN_MAP_QZC, BPF_MAP_TYPE_ARRAY, __u32, __u32,
	      (TN_MAX_NICS * TN_MAX_QUEUES), 0);

/* u32 tenant id -> the tenant's fast table (include/tenet/fast.h): a
 * BPF_F_MMAPABLE array of union tn_fast_slot that its router writes and
 * the program reads, and writes the counters of. tenetd puts a new table in
 * when the router connects, and empties the slot when it goes. */
struct tn_fast_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TN_FAST_SLOTS);
	/* sizes, not types: BTF would have only a forward of the union */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(union tn_fast_slot));
	__uint(map_flags, BPF_F_MMAPABLE);
};

TN_PINNED_TENANT_MAPS(tn_fast, TN_MAP_FAST, struct tn_fast_table);

/* u32 port -> struct tn_egress: what a frame forwarded by the fast path
 * leaves that port with (the tenant's NIC, tag, source MAC and MTU, and
 * TN_EG_F_SRC), as tenant_egress sends the router's. mtu 0: not a port
 * of the fast path (yet). tenetd, at bring-up. */
TN_PINNED_MAP(tn_fast_ports, TN_MAP_FAST_PORTS, BPF_MAP_TYPE_ARRAY, __u32,
	      struct tn_egress, TN_MAX_PORTS, 0);

/* Per-CPU counters that the program writes and readers sum
 * (tn_dp_stats_read): u32 nic id -> struct tn_stats (nic id 0: frames on
 * a NIC with no configuration), for tenetctl nic list; u32 port -> struct
 * tn_stats, for tenetctl tenant stats. */
TN_PINNED_MAP(tn_nic_stats, TN_MAP_NIC_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, __u32,
	      struct tn_stats, TN_MAX_NICS, 0);
TN_PINNED_MAP(tn_port_stats, TN_MAP_PORT_STATS, BPF_MAP_TYPE_PERCPU_ARRAY,
	      __u32, struct tn_stats, TN_MAX_PORTS, 0);

#endif
