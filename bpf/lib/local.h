/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Which frames a tenant's container kernel must see rather than its router:
 * multicast and broadcast, all that is not IP (ARP among it), IPv6
 * link-local and multicast destinations, ND, and frames to the router's own
 * addresses. tenant_rx asks on the container's veths, nic_ingress for
 * direct-mode tenants; each looks the addresses up in a map of its own.
 */
#ifndef TN_BPF_LOCAL_H
#define TN_BPF_LOCAL_H

#include "parse.h"

/* 1: for the kernel whatever the address. 0: for the kernel only if the
 * destination, copied to *family and addr (16 bytes, IPv4 first), is one
 * of the router's own. */
static __always_inline int local_by_kind(struct pkt *p, __u32 *family,
					 __u8 *addr)
{
	if (p->eth->h_dest[0] & 1) /* multicast and broadcast */
		return 1;
	if (p->ip4) {
		*family = AF_INET;
		__builtin_memcpy(addr, &p->ip4->daddr, 4);
		return 0;
	}
	if (p->ip6) {
		__u8 *d = p->ip6->daddr.in6_u.u6_addr8;
		struct icmp6hdr *icmp = (void *)(p->ip6 + 1);

		if (d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80))
			return 1;
		if (p->ip6->nexthdr == IPPROTO_ICMPV6 &&
		    (void *)(icmp + 1) <= p->data_end &&
		    icmp->icmp6_type >= ND_TYPE_FIRST &&
		    icmp->icmp6_type <= ND_TYPE_LAST)
			return 1;
		*family = AF_INET6;
		__builtin_memcpy(addr, d, 16);
		return 0;
	}
	return 1; /* ARP and all that is not IP */
}

#endif
