/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* What every tenet XDP program includes: kernel headers, libbpf helpers and
 * the shared contract. */
#ifndef TN_BPF_COMMON_H
#define TN_BPF_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <tenet/dp.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#define ETH_P_8021Q_BE bpf_htons(0x8100)
#define ETH_P_8021AD_BE bpf_htons(0x88A8)
#define ETH_P_QINQ1_BE bpf_htons(0x9100) /* pre-standard QinQ */

/* Neighbour discovery (RFC 4861) message types. */
#define ND_TYPE_FIRST 133 /* router solicitation */
#define ND_TYPE_NS 135
#define ND_TYPE_NA 136
#define ND_TYPE_LAST 137 /* redirect */

/* A 16-bit field of a frame in host order, bounded for the verifier: on
 * kernels before 6.5 (Debian 12's 6.1 among them) a byte swap leaves the
 * register unbounded, and packet pointer math with it is refused. */
static __always_inline __u64 tn_ntohs(__be16 v)
{
	__u64 x = bpf_ntohs(v);

	asm volatile("%[x] &= 0xffff" : [x] "+r"(x));
	return x;
}

static __always_inline int same_mac(const __u8 *a, const __u8 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		 (a[4] ^ b[4]) | (a[5] ^ b[5]));
}

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif
