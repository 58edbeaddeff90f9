/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Frame parsing: Ethernet, up to two VLAN tags, IPv4 (with options), IPv6,
 * ARP. Every read is checked against data_end; a frame that fails a check is
 * malformed and the caller drops it.
 */
#ifndef TN_BPF_PARSE_H
#define TN_BPF_PARSE_H

#include "common.h"

#define TN_MAX_TAGS 2

struct vlan_tag {
	__be16 tci;
	__be16 proto; /* encapsulated ethertype */
};

/* ARP for Ethernet/IPv4, the only kind that carries an IPv4 target. */
struct arp_eth4 {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
} __attribute__((packed));

#define ARP_HDR_FIXED 8 /* htype..op */
#define ARPOP_REQUEST_BE bpf_htons(1)

struct pkt {
	void *data;
	void *data_end;
	struct ethhdr *eth;
	void *l3;
	/* Set by parse_l3() for the ethertype found, else NULL. */
	struct iphdr *ip4;
	struct ipv6hdr *ip6;
	struct arp_eth4 *arp; /* Ethernet/IPv4 ARP only */
	__be16 proto; /* ethertype after the tags */
	__be16 outer_tpid; /* the outer tag's TPID, 0 if untagged */
	__u16 ntags;
	__u16 vid; /* outer tag's VID, 0 if untagged */
	__u16 inner_vid; /* inner tag's VID, 0 if fewer than two tags */
};

static __always_inline int is_vlan_proto(__be16 p)
{
	return p == ETH_P_8021Q_BE || p == ETH_P_8021AD_BE ||
	       p == ETH_P_QINQ1_BE;
}

/* Ethernet and tags. Returns 0, or -1 if malformed (runt, truncated tag,
 * more than TN_MAX_TAGS tags). */
static __always_inline int parse_eth(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *pos = eth + 1;
	__be16 proto;
	int i;

	p->data = data;
	p->data_end = data_end;
	p->ntags = 0;
	p->outer_tpid = 0;
	p->vid = 0;
	p->inner_vid = 0;
	if (pos > data_end)
		return -1;
	p->eth = eth;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < TN_MAX_TAGS; i++) {
		struct vlan_tag *tag = pos;

		if (!is_vlan_proto(proto))
			break;
		if ((void *)(tag + 1) > data_end)
			return -1;
		if (i == 0) {
			p->outer_tpid = proto;
			p->vid = bpf_ntohs(tag->tci) & 0x0fff;
		} else
			p->inner_vid = bpf_ntohs(tag->tci) & 0x0fff;
		proto = tag->proto;
		pos = tag + 1;
		p->ntags++;
	}
	if (is_vlan_proto(proto))
		return -1;
	p->proto = proto;
	p->l3 = pos;
	return 0;
}

/* IPv4 header: version 4, IHL >= 5, the header (options included) and the
 * total length fit in the frame. */
static __always_inline struct iphdr *parse_ipv4(struct pkt *p)
{
	struct iphdr *iph = p->l3;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > p->data_end)
		return NULL;
	if (iph->version != 4 || iph->ihl < 5)
		return NULL;
	hlen = iph->ihl * 4;
	if ((void *)iph + hlen > p->data_end)
		return NULL;
	tot = tn_ntohs(iph->tot_len);
	if (tot < hlen || (void *)iph + tot > p->data_end)
		return NULL;
	return iph;
}

/* IPv6 header: version 6, the fixed header and the payload fit. */
static __always_inline struct ipv6hdr *parse_ipv6(struct pkt *p)
{
	struct ipv6hdr *ip6 = p->l3;

	if ((void *)(ip6 + 1) > p->data_end)
		return NULL;
	if (ip6->version != 6)
		return NULL;
	if ((void *)(ip6 + 1) + tn_ntohs(ip6->payload_len) > p->data_end)
		return NULL;
	return ip6;
}

/* ARP: the fixed part must be there, and the whole body when it is the
 * Ethernet/IPv4 kind (the only one with an IPv4 target). */
static __always_inline int parse_arp(struct pkt *p)
{
	struct arp_eth4 *arp = p->l3;

	if (p->l3 + ARP_HDR_FIXED > p->data_end)
		return -1;
	if (arp->htype != bpf_htons(1) || arp->ptype != bpf_htons(ETH_P_IP) ||
	    arp->hlen != 6 || arp->plen != 4)
		return 0;
	if ((void *)(arp + 1) > p->data_end)
		return -1;
	p->arp = arp;
	return 0;
}

/* The network header must be sound whatever decides the tenant: the router
 * and the host stack behind us get no truncated or lying headers. Returns 0,
 * or -1 if malformed. Other ethertypes are not looked into. */
static __always_inline int parse_l3(struct pkt *p)
{
	p->ip4 = NULL;
	p->ip6 = NULL;
	p->arp = NULL;
	if (p->proto == bpf_htons(ETH_P_IP)) {
		p->ip4 = parse_ipv4(p);
		return p->ip4 ? 0 : -1;
	}
	if (p->proto == bpf_htons(ETH_P_IPV6)) {
		p->ip6 = parse_ipv6(p);
		return p->ip6 ? 0 : -1;
	}
	if (p->proto == bpf_htons(ETH_P_ARP))
		return parse_arp(p);
	return 0;
}

/* The target of an IPv6 neighbour solicitation or advertisement (type),
 * if ip6 carries one right after the fixed header (ND has no extension
 * headers in practice; RFC 4861 requires hop limit 255 and the receiver to
 * ignore others). */
static __always_inline struct in6_addr *
nd_target(struct pkt *p, struct ipv6hdr *ip6, __u8 type)
{
	struct icmp6hdr *icmp = (void *)(ip6 + 1);
	struct in6_addr *tgt = (void *)(icmp + 1);

	if (ip6->nexthdr != IPPROTO_ICMPV6 || ip6->hop_limit != 255)
		return NULL;
	if ((void *)(tgt + 1) > p->data_end)
		return NULL;
	if (icmp->icmp6_type != type)
		return NULL;
	return tgt;
}

static __always_inline struct in6_addr *ns_target(struct pkt *p,
						  struct ipv6hdr *ip6)
{
	return nd_target(p, ip6, ND_TYPE_NS);
}

#endif
