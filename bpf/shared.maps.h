/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Maps more than one program uses: each program defines them the same way
 * and libbpf reuses the one pin (pinned by name under the agent's bpffs
 * directory), whichever program is loaded first.
 */
#ifndef TN_SHARED_MAPS_H
#define TN_SHARED_MAPS_H

#include "lib/maps.h"

/* struct tn_local_key (tenant id, address) -> u32 (unused, 1): every
 * address of each tenant's router, its IPv6 link-local ones included.
 * nic_ingress: for a direct-mode tenant, frames to them (and ARP, ND,
 * multicast) go the veth way, to the container's kernel, never into the
 * XSK on the NIC queue. tenant_egress: the only addresses a tenant's ARP and
 * ND may claim. tenetd, at bring-up. */
TN_PINNED_MAP(tn_local, TN_MAP_LOCAL, BPF_MAP_TYPE_HASH, struct tn_local_key,
	      __u32, TN_MAX_LOCAL_KEYS, 0);

#endif
