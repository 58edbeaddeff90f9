/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The names the data path's maps are pinned by, for everyone who opens
 * them: tn_dp_map_open(dir, TN_MAP_VLAN) fails to compile on a typo, where
 * "tn_vlna" would fail at run time with ENOENT. The BPF programs define
 * their maps with these (bpf/lib/maps.h checks that each variable is named
 * as its constant says), and the comment above each definition tells what
 * the map holds and who writes it: bpf/<program>.maps.h.
 *
 * Shell scripts and operators type the names themselves, as bpftool users
 * do: `bpftool map dump pinned /sys/fs/bpf/tenet/tn_vlan`. They are a
 * contract; never rename one.
 */
#ifndef TENET_MAPS_H
#define TENET_MAPS_H

/* nic_ingress, on physical NICs: under the agent's bpffs directory */
#define TN_MAP_NICS "tn_nics"
#define TN_MAP_VLAN "tn_vlan"
#define TN_MAP_MAC "tn_mac"
#define TN_MAP_HOST "tn_host"
#define TN_MAP_LPM4 "tn_lpm4"
#define TN_MAP_LPM6 "tn_lpm6"
#define TN_MAP_PCACHE "tn_pcache"
#define TN_MAP_LPM_GEN "tn_lpm_gen"
#define TN_MAP_TENANTS "tn_tenants"
#define TN_MAP_POLICER "tn_policer"
#define TN_MAP_PORTS "tn_ports"
#define TN_MAP_NIC_XSKS "tn_nic_xsks"
#define TN_MAP_QOWNER "tn_qowner"
#define TN_MAP_QZC "tn_qzc"
#define TN_MAP_LOCAL "tn_local"
#define TN_MAP_NIC_STATS "tn_nic_stats"
#define TN_MAP_PORT_STATS "tn_port_stats"
/* the fast path (tenet/fast.h): tenants' tables, and their ports */
#define TN_MAP_FAST "tn_fast"
#define TN_MAP_FAST_PORTS "tn_fast_ports"

/* Made by tenetd, not by a program: u32 0 -> u64 the instance (its
 * database's) this directory belongs to. A tenetd with another database
 * refuses the directory rather than take its maps apart. */
#define TN_MAP_OWNER "tn_owner"

/* tenant_egress, on the host-side tenant veths: the agent's directory too */
#define TN_MAP_EGRESS "tn_egress"
#define TN_MAP_NIC_DEV "tn_nic_dev"
#define TN_MAP_EGRESS_STATS "tn_egress_stats"
#define TN_MAP_EGRESS_POLICER "tn_egress_policer"
#define TN_MAP_SRC4 "tn_src4"
#define TN_MAP_SRC6 "tn_src6"
/* tenetctl capture (tenet/capture.h), both programs */
#define TN_MAP_CAPTURE "tn_capture"
#define TN_MAP_CAP_RINGS "tn_cap_rings"

/* tenant_rx, in each tenant's container: one set per tenant, pinned under
 * tenants/<id>/ in the agent's directory (tenet-router --standalone keeps
 * its own set unpinned) */
#define TN_MAP_RX_IFS "tn_rx_ifs"
#define TN_MAP_RX_XSKS "tn_rx_xsks"
#define TN_MAP_RX_ADDRS "tn_rx_addrs"
#define TN_MAP_RX_STATS "tn_rx_stats"

#endif
