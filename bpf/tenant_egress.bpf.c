// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * tenant_egress: XDP on the host side of a tenant veth. Frames the tenant
 * sends leave through the NIC this veth belongs to, with that NIC's tag for
 * the tenant pushed here. The tag comes from which veth the frame arrived on
 * (the tn_egress entry for ingress_ifindex), never from the frame: a frame
 * that already carries a tag is dropped, so a tenant cannot hop VLANs.
 */
#include "lib/common.h"
#include "lib/parse.h"
#include "lib/stats.h"
#include "lib/vlan.h"

#include "tenant_egress.maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int tenant_egress(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 ifindex = ctx->ingress_ifindex;
	struct tn_egress *eg;
	struct tn_stats *s;
	struct pkt p;
	__u32 key;

	eg = bpf_map_lookup_elem(&tn_egress, &ifindex);
	key = eg ? eg->port : 0; /* port 0 is no tenant's: unbound veths */
	s = bpf_map_lookup_elem(&tn_egress_stats, &key);
	stats_rx(s, len);
	if (!eg) {
		stats_drop(s, TN_DROP_NO_CONFIG);
		return XDP_DROP;
	}
	if (parse_eth(ctx, &p) < 0) {
		stats_drop(s, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (p.ntags) {
		stats_drop(s, TN_DROP_VLAN_SMUGGLED);
		return XDP_DROP;
	}
	if (eg->vid && vlan_push(ctx, eg->vid, eg->inner_vid) < 0) {
		stats_drop(s, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (bpf_redirect_map(&tn_nic_dev, eg->nic_id, XDP_DROP) !=
	    XDP_REDIRECT) {
		stats_drop(s, TN_DROP_NO_SLOT);
		return XDP_DROP;
	}
	stats_tx(s, ctx->data_end - ctx->data);
	return XDP_REDIRECT;
}
