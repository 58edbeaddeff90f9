/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The host data path's contract: map keys and values, counters and drop
 * reasons shared by bpf/ and userspace. Every map is pinned by name under
 * the agent's bpffs directory (default /sys/fs/bpf/tenet/), so
 * `bpftool map dump pinned /sys/fs/bpf/tenet/<name>` shows it with BTF.
 *
 * Identifiers:
 *   tenant id  1 .. TN_MAX_TENANTS-1 (0 is never a tenant)
 *   nic id     1 .. TN_MAX_NICS-1, given by the agent to each attached NIC
 *              (0 counts frames seen on a NIC with no configuration)
 *   port       tenant id * 2 + role: the tenant's host-side veth facing the
 *              NIC of that role (tn<ID>a for access, tn<ID>u for uplink);
 *              indexes the DEVMAP, the policers and the per-port counters.
 *
 * The maps: their names in include/tenet/maps.h (TN_MAP_*, included here),
 * their definitions in bpf/<program>.maps.h, each with its key, value and
 * who writes it:
 *   nic_ingress    (on physical NICs)           bpf/nic_ingress.maps.h
 *   tenant_egress  (host-side tenant veths)     bpf/tenant_egress.maps.h
 *   tenant_rx      (in each tenant's container,
 *                   pinned under tenants/<id>/) bpf/tenant_rx.maps.h
 */
#ifndef TENET_DP_H
#define TENET_DP_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <tenet/maps.h>

#define TN_MAX_TENANTS 16384
#define TN_MAX_PORTS (TN_MAX_TENANTS * 2)
#define TN_MAX_NICS 64
#define TN_MAX_QUEUES 64
#define TN_RX_MAX_IFS 4
/* Upper bounds for the classification tables. */
#define TN_MAX_VLAN_KEYS 65536
#define TN_MAX_MAC_KEYS 65536
#define TN_MAX_HOST_KEYS 65536
#define TN_MAX_PREFIXES 262144

enum tn_role {
	TN_ROLE_ACCESS = 0,
	TN_ROLE_UPLINK = 1,
};

static inline __u32 tn_port(__u32 tenant_id, __u32 role)
{
	return tenant_id * 2 + role;
}

/* What nic_ingress does with a frame that belongs to no tenant. */
enum tn_default_action {
	TN_DEFAULT_PASS = 0, /* to the host's own stack */
	TN_DEFAULT_DROP = 1,
};

/* tn_nic.flags: which lookups this NIC does for untagged frames. */
#define TN_NIC_F_MAC (1u << 0) /* destination MAC, ARP/ND by target */
#define TN_NIC_F_PREFIX (1u << 1) /* destination prefix (LPM) */

struct tn_nic {
	__u32 nic_id;
	__u32 role; /* enum tn_role: selects the tenant's port */
	__u32 default_action; /* enum tn_default_action */
	__u32 flags; /* TN_NIC_F_* */
};

/* Single tag: inner_vid = 0. QinQ (802.1ad outer, 802.1Q inner): both. */
struct tn_vlan_key {
	__u32 ifindex;
	__u16 vid;
	__u16 inner_vid;
};

struct tn_mac_key {
	__u32 ifindex;
	__u8 mac[6];
	__u16 pad;
};

/* A tenant's own address on a shared untagged link: ARP requests (IPv4)
 * and neighbour solicitations (IPv6) are matched by their target. */
struct tn_host_key {
	__u32 ifindex;
	__u32 family; /* AF_INET or AF_INET6 */
	__u8 addr[16]; /* IPv4 in the first 4 bytes, rest zero */
};

/* LPM keys: prefixlen counts the 32 ifindex bits too (32 + IP prefix). */
struct tn_lpm4_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u8 addr[4];
};

struct tn_lpm6_key {
	__u32 prefixlen;
	__u32 ifindex;
	__u8 addr[16];
};

#define TN_LPM_IFINDEX_BITS 32

/*
 * The LPM trie's lookup walks deeper as prefixes are added (about log2 of
 * their number). Its answers are cached per (ifindex, destination), tagged
 * with tn_lpm_gen as read before the trie lookup; an entry of an older
 * generation is ignored, so a cached answer never outlives a change.
 */
#define TN_PCACHE_SIZE 65536

struct tn_pcache_key {
	__u32 ifindex;
	__u32 family; /* AF_INET or AF_INET6 */
	__u8 addr[16];
};

#define TN_TENANT_F_ACTIVE (1u << 0)
#define TN_TENANT_F_DIRECT (1u << 1) /* deliver to XSK on the NIC queue */
#define TN_TENANT_F_FAST (1u << 2) /* forward by its fast table (fast.h) */

struct tn_tenant {
	__u32 flags; /* TN_TENANT_F_* */
	__u32 pad;
};

/*
 * Token bucket in both packets/s and bits/s; a rate of 0 is unlimited.
 * Credit is kept as time (ns << TN_POLICER_SHIFT): a packet costs
 * pkt_cost, each byte costs byte_cost, the buckets refill with elapsed time
 * and hold at most burst. Userspace fills the config half with
 * tn_policer_set() and writes the whole value with BPF_F_LOCK.
 */
#define TN_POLICER_SHIFT 16

struct tn_policer {
	struct bpf_spin_lock lock;
	__u32 pad;
	/* config */
	__u64 pkt_cost; /* (1e9 << SHIFT) / pps, 0: no pps limit */
	__u64 byte_cost; /* (8e9 << SHIFT) / bps, 0: no bit limit */
	__u64 pkt_burst; /* most credit the pps bucket holds */
	__u64 byte_burst; /* most credit the bps bucket holds */
	/* state */
	__u64 last_ns;
	__u64 pkt_credit;
	__u64 byte_credit;
};

/*
 * tn_egress.flags: what tenant_egress checks of a frame a tenant sends out
 * this port, each failure dropped as TN_DROP_SPOOFED:
 *   MAC  its source MAC is the tenant's on this port (tn_egress.mac)
 *   ARP  ARP and neighbour discovery claim only the tenant's own addresses
 *        (tn_local): ARP's sender (0.0.0.0 for a probe), an NS's source
 *        (:: for DAD), an NA's target; ARP's sender MAC is tn_egress.mac;
 *        from :: only to a multicast group (DAD, MLD)
 *   SRC  an IPv4/IPv6 source is in the tenant's space (tn_src4/tn_src6)
 * tenetd sets MAC and ARP on both ports and SRC on the uplink's, none with
 * "source-check off". Frames to reserved link-local multicast (STP, LACP,
 * PAUSE: 01:80:c2:00:00:00/28) are dropped whatever the flags
 * (TN_DROP_RESERVED).
 */
#define TN_EG_F_MAC (1u << 0)
#define TN_EG_F_ARP (1u << 1)
#define TN_EG_F_SRC (1u << 2)

struct tn_egress {
	__u32 port; /* tenant id * 2 + role, for counters */
	__u32 nic_id; /* index into tn_nic_dev */
	__u16 vid; /* 0: untagged */
	__u16 inner_vid; /* with vid: QinQ, outer 802.1ad */
	__u32 flags; /* TN_EG_F_* */
	__u8 mac[6]; /* the tenant's MAC on this port */
	__u16 mtu; /* tn_fast_ports: the port's IP MTU; 0: nothing leaves
		    * here by the fast path */
};

/* The tenant's source space: prefixlen counts the 32 tenant id bits too. */
struct tn_src4_key {
	__u32 prefixlen;
	__u32 tenant_id;
	__u8 addr[4];
};

struct tn_src6_key {
	__u32 prefixlen;
	__u32 tenant_id;
	__u8 addr[16];
};

#define TN_SRC_TENANT_BITS 32
#define TN_MAX_SRC_PREFIXES 262144

/* Host addresses of a tenant router, for tenant_rx. */
struct tn_addr_key {
	__u32 family; /* AF_INET or AF_INET6 */
	__u8 addr[16];
};

/* The same for nic_ingress (direct mode) and tenant_egress (what ARP and ND
 * may claim), which serve every tenant. */
#define TN_MAX_LOCAL_KEYS 65536

struct tn_local_key {
	__u32 tenant_id;
	__u32 family; /* AF_INET or AF_INET6 */
	__u8 addr[16];
};

/* Drop reasons: indexes into tn_stats.drop_packets. Keep tn_drop_names in
 * lib/names.c in step. */
enum tn_drop {
	TN_DROP_MALFORMED = 0, /* runt, truncated tag/header, bad IHL/length */
	TN_DROP_NO_TENANT, /* no tenant and the NIC's default is drop */
	TN_DROP_POLICED, /* over the tenant's rate or pps */
	TN_DROP_NO_SLOT, /* tenant has no veth / no XSK in the slot */
	TN_DROP_VLAN_SMUGGLED, /* tagged frame from the tenant side, or a
				* second tag under a tenant's single VID */
	TN_DROP_NO_CONFIG, /* egress veth not bound to a NIC */
	TN_DROP_SPOOFED, /* tenant_egress: a source MAC or IP, an ARP or ND
			  * claim that is not the tenant's (TN_EG_F_*) */
	TN_DROP_RESERVED, /* tenant_egress: to 01:80:c2:00:00:0x (STP, LACP,
			   * PAUSE, ...): never for the upstream's L2 */
	TN_DROP__MAX,
};

/* Per-CPU counters; userspace sums the CPUs. "tx" is delivered: redirected
 * to the tenant's port or XSK (nic_ingress), out the NIC (tenant_egress),
 * or into the router's XSK (tenant_rx). */
struct tn_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 pass_packets; /* given to the kernel stack */
	__u64 pass_bytes;
	__u64 nosock_packets; /* transit, no XSK bound: tenant_rx passes it
			       * to the kernel; nic_ingress (direct mode)
			       * sends it the veth way */
	__u64 direct_packets; /* nic_ingress: into the tenant's XSK on the
			       * NIC queue it owns (direct mode; in tx too) */
	__u64 offqueue_packets; /* nic_ingress: direct-mode transit that came
				 * in on a queue the tenant does not own and
				 * went the veth way: steering is off */
	__u64 fast_packets; /* nic_ingress: forwarded by the tenant's fast
			     * table, out the NIC (not in tx) */
	__u64 fast_bytes;
	__u64 drop_packets[TN_DROP__MAX];
	/* Appended (layout v3): fields only ever go at the end. */
	__u64 fast_zc_packets; /* nic_ingress: in the tenant's fast table, but
				* come in on a queue bound zero-copy
				* (tn_qzc): the slow path took it */
};

#endif
