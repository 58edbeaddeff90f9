/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Removing and inserting 802.1Q/802.1ad tags in place. */
#ifndef TN_BPF_VLAN_H
#define TN_BPF_VLAN_H

#include "common.h"

#define VLAN_HLEN 4

/* Both MAC addresses, moved as three words so source and destination may
 * overlap. */
struct mac_pair {
	__u32 w[3];
};

/* Drops the first ntags (1 or 2) tags: moves the MAC addresses forward over
 * them and advances the frame start. Returns 0 or -1. */
static __always_inline int vlan_pop(struct xdp_md *ctx, __u32 ntags)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int off = ntags == 2 ? 2 * VLAN_HLEN : VLAN_HLEN;
	struct mac_pair macs, *src = data;

	if (data + sizeof(macs) + off > data_end)
		return -1;
	macs = *src;
	*(struct mac_pair *)(data + off) = macs;
	return bpf_xdp_adjust_head(ctx, off);
}

/* Room for off bytes of tags after the MAC addresses: the tags' start, or
 * NULL. off is a constant at each call: 6.1's verifier loses the bound of
 * a check whose offset is one of two values. */
static __always_inline __be16 *vlan_room(struct xdp_md *ctx, const int off)
{
	struct mac_pair macs;
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, -off))
		return NULL;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(macs) + off > data_end)
		return NULL;
	macs = *(struct mac_pair *)(data + off);
	*(struct mac_pair *)data = macs;
	return data + sizeof(macs);
}

/* Inserts one tag (inner_vid == 0: TPID 802.1Q) or two (outer 802.1ad with
 * vid, inner 802.1Q with inner_vid) after the MAC addresses. */
static __always_inline int vlan_push(struct xdp_md *ctx, __u16 vid,
				     __u16 inner_vid)
{
	__be16 *tag;

	if (inner_vid) {
		tag = vlan_room(ctx, 2 * VLAN_HLEN);
		if (!tag)
			return -1;
		tag[0] = ETH_P_8021AD_BE;
		tag[1] = bpf_htons(vid & 0x0fff);
		tag[2] = ETH_P_8021Q_BE;
		tag[3] = bpf_htons(inner_vid & 0x0fff);
	} else {
		tag = vlan_room(ctx, VLAN_HLEN);
		if (!tag)
			return -1;
		tag[0] = ETH_P_8021Q_BE;
		tag[1] = bpf_htons(vid & 0x0fff);
	}
	return 0;
}

#endif
