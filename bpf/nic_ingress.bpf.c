// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * nic_ingress: XDP on a physical NIC. Finds the tenant a frame belongs to,
 * polices it, pops the tags and delivers it to the tenant's host-side veth,
 * or (direct mode) a frame to forward that came in on a NIC queue the tenant
 * owns straight into its router's XSK on that queue; or, if the tenant's
 * router has put its destination in its fast table, forwards it itself,
 * out the NIC (lib/fast.h).
 *
 * Tagged frames are looked up by (ifindex, VID) or, under an 802.1ad outer
 * tag, (ifindex, outer, inner);
 * untagged frames by destination MAC, ARP/NS target, or destination prefix,
 * as the NIC's flags enable. Maps: nic_ingress.maps.h; keys, values and
 * counters: include/tenet/dp.h.
 */
#include "lib/common.h"
#include "lib/capture.h"
#include "lib/fast.h"
#include "lib/local.h"
#include "lib/parse.h"
#include "lib/policer.h"
#include "lib/stats.h"
#include "lib/vlan.h"

#include "nic_ingress.maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set before load to look prefixes up in the trie alone (benchmarks; or a
 * NIC facing so many destinations that the cache would only churn). */
const volatile __u32 tn_pcache_off = 0;

static __always_inline __u32 lookup_u32(void *map, void *key)
{
	__u32 *v = bpf_map_lookup_elem(map, key);

	return v ? *v : 0;
}

static __always_inline __u32 vlan_lookup(__u32 ifindex, __u16 vid,
					 __u16 inner_vid)
{
	struct tn_vlan_key k = {
		.ifindex = ifindex,
		.vid = vid,
		.inner_vid = inner_vid,
	};

	return lookup_u32(&tn_vlan, &k);
}

static __always_inline __u32 classify_tagged(struct pkt *p, __u32 ifindex)
{
	/* Two tags are QinQ only under an S-tag (802.1ad, or the older
	 * 0x9100). Under an 802.1Q outer tag the inner one is the customer's
	 * own: it must never select another tenant (smuggled() decides). */
	if (p->ntags == 2 && p->outer_tpid == ETH_P_8021Q_BE)
		return 0;
	return vlan_lookup(ifindex, p->vid, p->inner_vid);
}

/* A second tag under a tenant's own single VID: its customer is smuggling
 * a VLAN (someone else's, maybe). Counted on that tenant's port, dropped. */
static __always_inline int smuggled(struct pkt *p, struct tn_nic *nic,
				    __u32 ifindex, struct tn_stats *ns,
				    __u64 len)
{
	__u32 tid = vlan_lookup(ifindex, p->vid, 0), port;
	struct tn_stats *ps;

	if (!tid)
		return 0;
	port = tn_port(tid, nic->role & 1);
	ps = bpf_map_lookup_elem(&tn_port_stats, &port);
	stats_rx(ps, len);
	stats_drop(ps, TN_DROP_VLAN_SMUGGLED);
	stats_drop(ns, TN_DROP_VLAN_SMUGGLED);
	return 1;
}

/* ARP requests and neighbour solicitations, which are sent to broadcast or
 * multicast, belong to the tenant whose address they ask for. */
static __always_inline __u32 classify_resolution(struct pkt *p, __u32 ifindex)
{
	struct tn_host_key k = { .ifindex = ifindex };
	struct in6_addr *tgt;

	if (p->arp) {
		if (p->arp->op != ARPOP_REQUEST_BE)
			return 0;
		k.family = AF_INET;
		__builtin_memcpy(k.addr, p->arp->tpa, 4);
		return lookup_u32(&tn_host, &k);
	}
	if (p->ip6) {
		tgt = ns_target(p, p->ip6);
		if (!tgt)
			return 0;
		k.family = AF_INET6;
		__builtin_memcpy(k.addr, tgt, 16);
		return lookup_u32(&tn_host, &k);
	}
	return 0;
}

static __always_inline __u32 lpm_lookup(struct pkt *p, __u32 ifindex)
{
	if (p->ip4) {
		struct tn_lpm4_key k = {
			.prefixlen = TN_LPM_IFINDEX_BITS + 32,
			.ifindex = ifindex,
		};

		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
		return lookup_u32(&tn_lpm4, &k);
	}
	if (p->ip6) {
		struct tn_lpm6_key k = {
			.prefixlen = TN_LPM_IFINDEX_BITS + 128,
			.ifindex = ifindex,
		};

		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
		return lookup_u32(&tn_lpm6, &k);
	}
	return 0;
}

/* The trie's answer through tn_pcache (see include/tenet/dp.h). Misses,
 * "no tenant" answers included, are cached too. */
static __always_inline __u32 classify_prefix(struct pkt *p, __u32 ifindex)
{
	struct tn_pcache_key k = { .ifindex = ifindex };
	__u32 zero = 0, gen, tid;
	__u64 *hit, v;

	if (tn_pcache_off)
		return lpm_lookup(p, ifindex);
	/* Test each pointer before use: the verifier does not know that
	 * ip4 and ip6 exclude each other. */
	if (p->ip4) {
		k.family = AF_INET;
		__builtin_memcpy(k.addr, &p->ip4->daddr, 4);
	} else if (p->ip6) {
		k.family = AF_INET6;
		__builtin_memcpy(k.addr, &p->ip6->daddr, 16);
	} else {
		return 0;
	}
	gen = lookup_u32(&tn_lpm_gen, &zero);
	hit = bpf_map_lookup_elem(&tn_pcache, &k);
	if (hit) {
		v = *hit;
		if ((__u32)(v >> 32) == gen)
			return (__u32)v;
	}
	tid = lpm_lookup(p, ifindex);
	v = (__u64)gen << 32 | tid;
	bpf_map_update_elem(&tn_pcache, &k, &v, BPF_ANY);
	return tid;
}

static __always_inline __u32 classify_untagged(struct pkt *p,
					       struct tn_nic *nic,
					       __u32 ifindex)
{
	__u32 tid = 0;

	if (nic->flags & TN_NIC_F_MAC) {
		if (!(p->eth->h_dest[0] & 1)) {
			struct tn_mac_key k = { .ifindex = ifindex };

			__builtin_memcpy(k.mac, p->eth->h_dest, 6);
			tid = lookup_u32(&tn_mac, &k);
		} else {
			tid = classify_resolution(p, ifindex);
		}
		if (tid)
			return tid;
	}
	if (nic->flags & TN_NIC_F_PREFIX)
		tid = classify_prefix(p, ifindex);
	return tid;
}

/* Direct mode: is this a frame the tenant's router forwards (not one for
 * its container's kernel: those always go the veth way)? */
static __always_inline int direct_transit(struct pkt *p, __u32 tid)
{
	struct tn_local_key k = { .tenant_id = tid };

	if (local_by_kind(p, &k.family, k.addr))
		return 0;
	return bpf_map_lookup_elem(&tn_local, &k) == NULL;
}

/* Into the XSK on this NIC queue if the tenant owns the queue and its
 * router has a socket there; else the caller sends it the veth way,
 * counted. */
static __always_inline int deliver_direct(struct xdp_md *ctx,
					  struct tn_nic *nic, __u32 tid,
					  struct tn_stats *ns,
					  struct tn_stats *ps)
{
	__u32 q = ctx->rx_queue_index;
	__u32 idx = nic->nic_id * TN_MAX_QUEUES + q;

	if (q >= TN_MAX_QUEUES || lookup_u32(&tn_qowner, &idx) != tid) {
		stats_count(ns, offqueue_packets);
		stats_count(ps, offqueue_packets);
		return -1;
	}
	if (bpf_redirect_map(&tn_nic_xsks, idx, 0) != XDP_REDIRECT) {
		stats_count(ns, nosock_packets);
		stats_count(ps, nosock_packets);
		return -1;
	}
	stats_count(ns, direct_packets);
	stats_count(ps, direct_packets);
	return 0;
}

SEC("xdp")
int nic_ingress(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct tn_stats *ns, *ps = NULL;
	struct tn_tenant *tenant;
	struct tn_policer *pol;
	struct tn_nic *nic;
	__u32 key, tid, port;
	struct pkt p;
	int direct, v;

#ifdef TN_TEST_VARIANT
	/* make variant: another build's nic_ingress, one instruction more,
	 * for test-tenetd's in-place replacement in libxdp's dispatcher. */
	asm volatile("r0 = 0" ::: "r0");
#endif
	nic = bpf_map_lookup_elem(&tn_nics, &ifindex);
	key = nic ? nic->nic_id : 0;
	ns = bpf_map_lookup_elem(&tn_nic_stats, &key);
	stats_rx(ns, len);
	if (!nic) {
		stats_pass(ns, len);
		return XDP_PASS;
	}

	if (parse_eth(ctx, &p) < 0 || parse_l3(&p) < 0) {
		stats_drop(ns, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (p.ntags)
		tid = classify_tagged(&p, ifindex);
	else
		tid = classify_untagged(&p, nic, ifindex);
	tenant = tid ? bpf_map_lookup_elem(&tn_tenants, &tid) : NULL;
	if (!tenant || !(tenant->flags & TN_TENANT_F_ACTIVE)) {
		/* Off the delivery path: frames of no tenant only. */
		if (!tid && p.ntags == 2 && smuggled(&p, nic, ifindex, ns, len))
			return XDP_DROP;
		if (nic->default_action == TN_DEFAULT_DROP) {
			stats_drop(ns, TN_DROP_NO_TENANT);
			return XDP_DROP;
		}
		stats_pass(ns, len);
		return XDP_PASS;
	}

	port = tn_port(tid, nic->role & 1);
	ps = bpf_map_lookup_elem(&tn_port_stats, &port);
	stats_rx(ps, len);
	/* As it came in, tags and all, whatever becomes of it. */
	capture(ctx, tid, nic->role & 1, TN_CAP_IN);

	/* A frame costs its untagged length (lib/dp.h's TN_LIMITS_*): what
	 * the tenant's router sees and shapes to, however it is attached. */
	pol = bpf_map_lookup_elem(&tn_policer, &port);
	if (pol && (pol->pkt_cost || pol->byte_cost) &&
	    !policer_conform(pol, len - VLAN_HLEN * p.ntags,
			     bpf_ktime_get_ns())) {
		stats_drop(ns, TN_DROP_POLICED);
		stats_drop(ps, TN_DROP_POLICED);
		return XDP_DROP;
	}

	/* What the tenant's router has put in its fast table goes out the
	 * NIC from here (lib/fast.h); the rest to the router. */
	if (tenant->flags & TN_TENANT_F_FAST) {
		v = fast_forward(ctx, &p, len - VLAN_HLEN * p.ntags, tid,
				 nic->nic_id, nic->role & 1, ns, ps);
		if (v >= 0)
			return v;
	}

	/* Before the pop, which moves the frame under p's pointers. */
	direct = (tenant->flags & TN_TENANT_F_DIRECT) &&
		 direct_transit(&p, tid);
	if (p.ntags && vlan_pop(ctx, p.ntags) < 0) {
		stats_drop(ns, TN_DROP_MALFORMED);
		stats_drop(ps, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	len = ctx->data_end - ctx->data;

	if ((!direct || deliver_direct(ctx, nic, tid, ns, ps)) &&
	    bpf_redirect_map(&tn_ports, port, XDP_DROP) != XDP_REDIRECT) {
		stats_drop(ns, TN_DROP_NO_SLOT);
		stats_drop(ps, TN_DROP_NO_SLOT);
		return XDP_DROP;
	}
	stats_tx(ns, len);
	stats_tx(ps, len);
	return XDP_REDIRECT;
}
