/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * tenant_egress's maps: one set for the host, shared by every host-side
 * tenant veth, pinned under the agent's bpffs directory beside
 * nic_ingress's. tenetd writes them; the program writes only its counters.
 */
#ifndef TN_TENANT_EGRESS_MAPS_H
#define TN_TENANT_EGRESS_MAPS_H

#include "lib/maps.h"
#include "shared.maps.h"

/* u32 ifindex of a host-side veth -> struct tn_egress: its port, the NIC
 * it leaves by and the tag pushed there. tenetd, at bring-up. */
TN_PINNED_MAP(tn_egress, TN_MAP_EGRESS, BPF_MAP_TYPE_HASH, __u32,
	      struct tn_egress, TN_MAX_PORTS, 0);

#endif
