// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A customer's 802.1Q port, for tests and the demo on a kernel without
 * 802.1Q devices: on tc egress the customer's frames get tag vid, on tc
 * ingress frames with that tag lose it and others are dropped (a port of
 * one VLAN). The pushed tag is metadata; it goes on the wire in-band from
 * a device with tx-vlan offload off (ethtool -K DEV txvlan off), and the
 * stack turns an in-band tag back into metadata before tc ingress.
 * What comes in is marked with the VID, for policy routing on the far side
 * (an upstream with one table per customer VLAN).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u16 vid = 1;

SEC("tc")
int cust_vlan_push(struct __sk_buff *skb)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc")
int cust_vlan_pop(struct __sk_buff *skb)
{
	if (!skb->vlan_present || (skb->vlan_tci & 0x0fff) != vid)
		return TC_ACT_SHOT;
	if (bpf_skb_vlan_pop(skb))
		return TC_ACT_SHOT;
	skb->mark = vid;
	return TC_ACT_OK;
}
