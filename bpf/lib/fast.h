/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The fast path of nic_ingress: a frame to a destination the tenant's router
 * has put in its fast table (include/tenet/fast.h) is forwarded here, as
 * the router would: MACs rewritten, TTL or hop limit decremented, the egress
 * port's tag pushed, out the NIC. Everything else takes the slow path: the
 * caller goes on as if there were no table.
 *
 * The table is the tenant's to write, so nothing in an entry is trusted. It
 * is copied under its seq (a torn entry is a miss), and of the copy only
 * the next hop's MAC and an MTU (which can only lower tenetd's) are used
 * as they are; the port is the tenant's own by construction, and what a
 * frame leaves that port with comes from tenetd's tn_fast_ports.
 */
#ifndef TN_BPF_FAST_H
#define TN_BPF_FAST_H

#include "capture.h"
#include "parse.h"
#include "policer.h"
#include "source.h"
#include "stats.h"
#include "vlan.h"
#include "../nic_ingress.maps.h"

#define barrier() asm volatile("" ::: "memory")
#define READ_ONCE_U32(x) (*(volatile __u32 *)&(x))

/* Of an entry, what is used: copied while its seq holds still. */
struct fast_hop {
	__u8 mac[6];
	__u16 mtu;
	__u32 out;
	__u32 flags;
};

/* The way of bucket b holding (family, w), copied into *h; NULL if none
 * holds it whole. */
static __always_inline struct tn_fast_entry *fast_find(struct tn_fast_bucket *b,
						       __u32 family,
						       const __u32 *w,
						       struct fast_hop *h)
{
#pragma unroll
	for (int i = 0; i < TN_FAST_WAYS; i++) {
		struct tn_fast_entry *x = &b->e[i];
		volatile __u32 *d = (volatile __u32 *)x->dst;
		__u32 s1 = READ_ONCE_U32(x->seq);

		if (s1 & 1)
			continue;
		barrier();
		if (*(volatile __u8 *)&x->family != family || d[0] != w[0] ||
		    d[1] != w[1] || d[2] != w[2] || d[3] != w[3])
			continue;
		__builtin_memcpy(h->mac, (const void *)x->mac, 6);
		h->mtu = *(volatile __u16 *)&x->mtu;
		h->out = *(volatile __u8 *)&x->out;
		h->flags = *(volatile __u16 *)&x->flags;
		barrier();
		if (READ_ONCE_U32(x->seq) == s1)
			return x;
	}
	return NULL;
}

/* RFC 1624 eqn. 3 over the word TTL shares with the protocol: the same
 * checksum as a full recomputation (tenant/pkt.c's ip4_dec_ttl). */
static __always_inline void fast_dec_ttl(struct iphdr *ip)
{
	__u16 *w = (__u16 *)&ip->ttl, old = *w, nw;
	__u32 sum;

	ip->ttl--;
	nw = *w;
	sum = (__u16)~ip->check + (__u16)~old + nw;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;
}

/* Does the IPv4 header (no options) sum to -0, as a sound one does? The
 * router drops the others (tenant/pkt.c's parse_ip4: PKT_E_CSUM); the fast
 * path would send them on, the TTL's update keeping the error. */
static __always_inline int fast_ip4_sound(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Is the frame (parsed, still tagged) one the fast path may forward, and
 * where does its destination go in the table? Fills w, *family and *l3len. */
static __always_inline int fast_eligible(struct pkt *p, __u32 *w, __u32 *family,
					 __u32 *l3len)
{
	if (p->ip4) {
		struct iphdr *ip = p->ip4;
		__u8 d0;

		/* options, TTL running out, a corrupt header: the router's */
		if (ip->ihl != 5 || ip->ttl <= 1 || !fast_ip4_sound(ip))
			return 0;
		__builtin_memcpy(w, &ip->daddr, 4);
		d0 = ((__u8 *)&ip->daddr)[0];
		if (d0 >= 224) /* multicast, class E, broadcast */
			return 0;
		*family = AF_INET;
		*l3len = tn_ntohs(ip->tot_len);
		return 1;
	}
	if (p->ip6) {
		struct ipv6hdr *ip6 = p->ip6;
		__u8 *d = ip6->daddr.in6_u.u6_addr8;
		__u8 *s = ip6->saddr.in6_u.u6_addr8;

		/* Hop-by-Hop options are the router's to look at (RFC 8200
		 * 4.3); link-local and multicast are never forwarded here. */
		if (ip6->hop_limit <= 1 || ip6->nexthdr == 0 || d[0] == 0xff ||
		    (d[0] == 0xfe && (d[1] & 0xc0) == 0x80) ||
		    (s[0] == 0xfe && (s[1] & 0xc0) == 0x80))
			return 0;
		__builtin_memcpy(w, d, 16);
		*family = AF_INET6;
		*l3len = sizeof(*ip6) + tn_ntohs(ip6->payload_len);
		return 1;
	}
	return 0;
}

/*
 * Whether the frame came in on a queue of NIC nic_id that a socket has
 * bound zero-copy (tn_qzc): it is then in that socket's UMEM, and the
 * kernel would copy it into a page of its own to send it out a NIC, with no
 * headroom, which virtio-net cannot send (-EOVERFLOW, its tx_xdp_tx_drops).
 */
static __always_inline int fast_zc_queue(struct xdp_md *ctx, __u32 nic_id)
{
	__u32 q = ctx->rx_queue_index, idx = nic_id * TN_MAX_QUEUES + q;
	__u32 *zc;

	if (q >= TN_MAX_QUEUES)
		return 0;
	zc = bpf_map_lookup_elem(&tn_qzc, &idx);
	return zc && *zc;
}

/*
 * The frame p (of tenant tid, come in on its port of role in_role of NIC
 * nic_id, policed; len bytes untagged) by the fast table: -1 if it takes
 * the slow path (nothing changed), else the verdict (XDP_REDIRECT out the
 * NIC, or XDP_DROP, counted).
 */
static __always_inline int fast_forward(struct xdp_md *ctx, struct pkt *p,
					__u64 len, __u32 tid, __u32 nic_id,
					__u32 in_role, struct tn_stats *ns,
					struct tn_stats *ps)
{
	__u32 w[4] = {}, family = 0, l3len = 0, key, in_port, out_port, mtu;
	__u32 ntags = p->ntags, cpu;
	struct tn_egress *in, *out;
	struct tn_fast_entry *x;
	union tn_fast_slot *slot;
	struct tn_policer *pol;
	struct tn_stats *es;
	struct fast_hop h;
	struct ethhdr *eth;
	void *data, *data_end, *tbl;

	if (!fast_eligible(p, w, &family, &l3len))
		return -1;
	/* Sent to the router: its MAC on the port the frame came in. */
	in_port = tn_port(tid, in_role);
	in = bpf_map_lookup_elem(&tn_fast_ports, &in_port);
	if (!in || !in->mtu || !same_mac(p->eth->h_dest, in->mac))
		return -1;
	tbl = bpf_map_lookup_elem(&tn_fast, &tid);
	if (!tbl)
		return -1;
	key = tn_fast_hash(family, w[0], w[1], w[2], w[3]);
	slot = bpf_map_lookup_elem(tbl, &key);
	if (!slot)
		return -1;
	x = fast_find(&slot->b, family, w, &h);
	if (!x || (h.flags & TN_FAST_F_SLOW) || h.out > TN_ROLE_UPLINK ||
	    (h.mac[0] & 1))
		return -1;
	out_port = tn_port(tid, h.out);
	out = bpf_map_lookup_elem(&tn_fast_ports, &out_port);
	if (!out || !out->mtu)
		return -1;
	mtu = h.mtu < out->mtu ? h.mtu : out->mtu;
	/* the router fragments, or says too big; and a frame whose
	 * Ethernet trailer takes it past the MTU is not sent on here */
	if (l3len > mtu || len > mtu + sizeof(struct ethhdr))
		return -1;
	/* What tenant_egress would refuse, it refuses and counts. */
	if ((out->flags & TN_EG_F_SRC) && foreign_source(p, tid))
		return -1;
	/* The router's way (its veth, or its socket on this queue) takes
	 * it; counted, for what the fast path would have taken. */
	if (fast_zc_queue(ctx, nic_id)) {
		stats_count(ns, fast_zc_packets);
		stats_count(ps, fast_zc_packets);
		return -1;
	}

	/* Taken by the fast path, whatever happens to it now: counted as
	 * the ports count what they deliver to the router (which the
	 * egress may police in turn). */
	stats_count(ns, fast_packets);
	if (ns)
		ns->fast_bytes += len;
	stats_count(ps, fast_packets);
	if (ps)
		ps->fast_bytes += len;
	es = bpf_map_lookup_elem(&tn_egress_stats, &out_port);
	pol = bpf_map_lookup_elem(&tn_egress_policer, &out_port);
	if (pol && (pol->pkt_cost || pol->byte_cost) &&
	    !policer_conform(pol, len, bpf_ktime_get_ns())) {
		stats_rx(es, len);
		stats_drop(es, TN_DROP_POLICED);
		return XDP_DROP;
	}

	x->hits++;
	if (ntags && vlan_pop(ctx, ntags) < 0)
		goto malformed;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if (family == AF_INET) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end)
			goto malformed;
		fast_dec_ttl(ip);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end)
			goto malformed;
		ip6->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, h.mac, 6);
	__builtin_memcpy(eth->h_source, out->mac, 6);
	if (out->vid && vlan_push(ctx, out->vid, out->inner_vid) < 0)
		goto malformed;
	stats_rx(es, len);
	capture(ctx, tid, h.out, TN_CAP_OUT);
	if (bpf_redirect_map(&tn_nic_dev, out->nic_id, 0) != XDP_REDIRECT) {
		stats_drop(es, TN_DROP_NO_SLOT);
		return XDP_DROP;
	}
	stats_tx(es, ctx->data_end - ctx->data);
	/* The router's view of it, by the port it came in. */
	cpu = TN_FAST_BUCKETS +
	      (bpf_get_smp_processor_id() & (TN_FAST_CPUS - 1));
	slot = bpf_map_lookup_elem(tbl, &cpu);
	if (slot) {
		slot->c.packets[in_role & 1]++;
		slot->c.bytes[in_role & 1] += len;
	}
	return XDP_REDIRECT;
malformed:
	stats_drop(ns, TN_DROP_MALFORMED);
	stats_drop(ps, TN_DROP_MALFORMED);
	return XDP_DROP;
}

#endif
