/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* BCP 38: is a frame's IP source the tenant's to send from (tn_src4/6,
 * bpf/shared.maps.h)? tenant_egress asks of what a tenant sends, nic_ingress
 * of what it forwards for a tenant by the fast path. */
#ifndef TN_BPF_SOURCE_H
#define TN_BPF_SOURCE_H

#include "parse.h"
#include "../shared.maps.h"

static __always_inline int zero16(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return !(w[0] | w[1] | w[2] | w[3]);
}

/* An IP source outside the tenant's space (tn_src4/6). */
static __always_inline int foreign_source(struct pkt *p, __u32 tid)
{
	if (p->ip4) {
		struct tn_src4_key k = {
			.prefixlen = TN_SRC_TENANT_BITS + 32,
			.tenant_id = tid,
		};

		__builtin_memcpy(k.addr, &p->ip4->saddr, 4);
		return !bpf_map_lookup_elem(&tn_src4, &k);
	}
	if (p->ip6) {
		struct tn_src6_key k = {
			.prefixlen = TN_SRC_TENANT_BITS + 128,
			.tenant_id = tid,
		};

		/* :: to a multicast group claims nothing: DAD's
		 * solicitations and MLD's reports come from it before the
		 * address is the sender's (RFC 4862, RFC 3810) */
		if (zero16(p->ip6->saddr.in6_u.u6_addr8) &&
		    p->ip6->daddr.in6_u.u6_addr8[0] == 0xff)
			return 0;
		__builtin_memcpy(k.addr, &p->ip6->saddr, 16);
		return !bpf_map_lookup_elem(&tn_src6, &k);
	}
	return 0;
}

#endif
