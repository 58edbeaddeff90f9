// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * tenant_rx: XDP on the container side of a tenant veth (access0, uplink0).
 * Transit frames go to the router's XSK for this interface and rx queue;
 * what the container's kernel must see goes up the stack: ARP, IPv6
 * neighbour discovery, multicast and broadcast, link-local IPv6, and frames
 * for the router's own addresses (BGP, ping the router). One instance of the
 * maps per tenant, pinned under tenants/<id>/ (tenant_rx.maps.h).
 */
#include "lib/common.h"
#include "lib/local.h"
#include "lib/parse.h"
#include "lib/stats.h"

#include "tenant_rx.maps.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Is this frame for the container's kernel rather than for forwarding? */
static __always_inline int for_local(struct pkt *p)
{
	struct tn_addr_key k = {};

	if (p->ntags) /* the host pops tags: not ours to forward */
		return 1;
	if (local_by_kind(p, &k.family, k.addr))
		return 1;
	return bpf_map_lookup_elem(&tn_rx_addrs, &k) != NULL;
}

SEC("xdp")
int tenant_rx(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 *slot, key, idx, q;
	struct tn_stats *s;
	struct pkt p;

	slot = bpf_map_lookup_elem(&tn_rx_ifs, &ifindex);
	key = slot ? *slot : 0;
	s = bpf_map_lookup_elem(&tn_rx_stats, &key);
	stats_rx(s, len);

	if (parse_eth(ctx, &p) < 0 || parse_l3(&p) < 0) {
		stats_drop(s, TN_DROP_MALFORMED);
		return XDP_DROP;
	}
	if (for_local(&p)) {
		stats_pass(s, len);
		return XDP_PASS;
	}

	q = ctx->rx_queue_index;
	if (!slot || q >= TN_MAX_QUEUES)
		goto nosock;
	idx = key * TN_MAX_QUEUES + q;
	if (bpf_redirect_map(&tn_rx_xsks, idx, XDP_PASS) == XDP_REDIRECT) {
		stats_tx(s, len);
		return XDP_REDIRECT;
	}
nosock:
	stats_count(s, nosock_packets);
	stats_pass(s, len);
	return XDP_PASS;
}
