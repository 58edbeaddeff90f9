// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * tenant_egress: XDP on the host side of a tenant veth. Frames the tenant
 * sends leave through the NIC this veth belongs to, with that NIC's tag for
 * the tenant pushed here. The tag comes from which veth the frame arrived on
 * (the tn_egress entry for ingress_ifindex), never from the frame: a frame
 * that already carries a tag is dropped, so a tenant cannot hop VLANs.
 *
 * What a tenant sends is checked before it leaves (tn_egress.flags, see
 * include/tenet/dp.h): its source MAC, what its ARP and neighbour discovery
 * claim, its IP source (BCP 38), all dropped as spoofed; frames to reserved
 * link-local multicast never leave; and its rate and pps are policed again,
 * so that what its container originates counts too.
 */
#include "lib/common.h"
#include "lib/capture.h"
#include "lib/parse.h"
#include "lib/policer.h"
#include "lib/source.h"
#include "lib/stats.h"
#include "lib/vlan.h"

#include "tenant_egress.maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* 01:80:c2:00:00:00 to 01:80:c2:00:00:0f: bridges never forward these. */
static __always_inline int reserved_mcast(const __u8 *d)
{
	return d[0] == 0x01 && d[1] == 0x80 && d[2] == 0xc2 && !d[3] && !d[4] &&
	       !(d[5] & 0xf0);
}

/* Is addr (4 or 16 bytes) one of the tenant's own (tn_local)? */
static __always_inline int own(__u32 tid, __u32 family, const void *addr)
{
	struct tn_local_key k = { .tenant_id = tid, .family = family };

	if (family == AF_INET)
		__builtin_memcpy(k.addr, addr, 4);
	else
		__builtin_memcpy(k.addr, addr, 16);
	return bpf_map_lookup_elem(&tn_local, &k) != NULL;
}

/* ARP and ND: 1 if the frame claims an address (or, in ARP, a MAC) that is
 * not the tenant's. */
static __always_inline int false_claim(struct pkt *p, struct tn_egress *eg,
				       __u32 tid)
{
	struct in6_addr *tgt;
	__u8 *spa;

	if (p->arp) {
		spa = p->arp->spa;
		if (!same_mac(p->arp->sha, eg->mac))
			return 1;
		/* 0.0.0.0: an address probe (RFC 5227) claims nothing */
		return (spa[0] | spa[1] | spa[2] | spa[3]) &&
		       !own(tid, AF_INET, spa);
	}
	if (!p->ip6)
		return 0;
	tgt = nd_target(p, p->ip6, ND_TYPE_NA);
	if (tgt)
		return !own(tid, AF_INET6, tgt);
	if (nd_target(p, p->ip6, ND_TYPE_NS)) {
		__u8 *src = p->ip6->saddr.in6_u.u6_addr8;

		/* :: for duplicate address detection */
		return !zero16(src) && !own(tid, AF_INET6, src);
	}
	return 0;
}

/* 0 if the frame may leave, else the drop reason. */
static __always_inline int check(struct pkt *p, struct tn_egress *eg)
{
	__u32 tid = eg->port / 2;

	if (reserved_mcast(p->eth->h_dest))
		return TN_DROP_RESERVED;
	if ((eg->flags & TN_EG_F_MAC) && !same_mac(p->eth->h_source, eg->mac))
		return TN_DROP_SPOOFED;
	if ((eg->flags & TN_EG_F_ARP) && false_claim(p, eg, tid))
		return TN_DROP_SPOOFED;
	if ((eg->flags & TN_EG_F_SRC) && foreign_source(p, tid))
		return TN_DROP_SPOOFED;
	return 0;
}

SEC("xdp")
int tenant_egress(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct tn_policer *pol;
	struct tn_egress *eg;
	struct tn_stats *s;
	struct pkt p;
	__u32 key;
	int why;

	eg = bpf_map_lookup_elem(&tn_egress, &ifindex);
	key = eg ? eg->port : 0; /* port 0 is no tenant's: unbound veths */
	s = bpf_map_lookup_elem(&tn_egress_stats, &key);
	stats_rx(s, len);
	if (!eg) {
		stats_drop(s, TN_DROP_NO_CONFIG);
		return XDP_DROP;
	}
	if (parse_eth(ctx, &p) < 0 || parse_l3(&p) < 0) {
		stats_drop(s, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (p.ntags) {
		stats_drop(s, TN_DROP_VLAN_SMUGGLED);
		return XDP_DROP;
	}
	why = check(&p, eg);
	if (why) {
		stats_drop(s, why);
		return XDP_DROP;
	}
	/* len is the frame as the tenant sent it: untagged (tagged ones are
	 * dropped above), before the push -- the length its limits count
	 * (lib/dp.h's TN_LIMITS_*). */
	key = eg->port;
	pol = bpf_map_lookup_elem(&tn_egress_policer, &key);
	if (pol && (pol->pkt_cost || pol->byte_cost) &&
	    !policer_conform(pol, len, bpf_ktime_get_ns())) {
		stats_drop(s, TN_DROP_POLICED);
		return XDP_DROP;
	}
	if (eg->vid && vlan_push(ctx, eg->vid, eg->inner_vid) < 0) {
		stats_drop(s, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	/* As it leaves, tagged. */
	capture(ctx, eg->port / 2, eg->port & 1, TN_CAP_OUT);
	if (bpf_redirect_map(&tn_nic_dev, eg->nic_id, XDP_DROP) !=
	    XDP_REDIRECT) {
		stats_drop(s, TN_DROP_NO_SLOT);
		return XDP_DROP;
	}
	stats_tx(s, ctx->data_end - ctx->data);
	return XDP_REDIRECT;
}
