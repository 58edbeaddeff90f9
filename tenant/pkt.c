// SPDX-License-Identifier: GPL-2.0
/* tenant/pkt.c: per-packet helpers of tenet-router; see pkt.h. */
#include <string.h>

#include "pkt.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define ERR_TTL 64

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	/* 32-bit words into 64 bits: 2^32 = 1 (mod 0xffff), so this is the
	 * 16-bit one's complement sum with the carries deferred. */
	uint64_t acc = sum;
	uint32_t w32;
	uint16_t w16;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* RFC 1071: an odd byte is padded with a zero after it. */
		const uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		acc += w16;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int parse_ip4(const uint8_t *ip, uint32_t avail, struct pkt_info *pi)
{
	uint32_t hlen, tot;

	if (avail < PKT_IP4_HLEN)
		return -PKT_E_TRUNC;
	if (ip[0] >> 4 != 4)
		return -PKT_E_VERSION;
	hlen = (ip[0] & 0x0f) * 4u;
	if (hlen < PKT_IP4_HLEN)
		return -PKT_E_IHL;
	if (hlen > avail)
		return -PKT_E_TRUNC;
	tot = get_be16(ip + 2);
	if (tot < hlen)
		return -PKT_E_LEN;
	if (tot > avail)
		return -PKT_E_TRUNC;
	/* Last: the only check that reads the whole header. */
	if (csum_fold(csum_partial(ip, hlen, 0)))
		return -PKT_E_CSUM;
	pi->kind = PKT_IPV4;
	pi->l3_len = tot;
	pi->l4_off = PKT_ETH_HLEN + hlen;
	pi->proto = ip[9];
	pi->ttl = ip[8];
	return 0;
}

static int parse_ip6(const uint8_t *ip, uint32_t avail, struct pkt_info *pi)
{
	uint32_t tot;

	if (avail < PKT_IP6_HLEN)
		return -PKT_E_TRUNC;
	if (ip[0] >> 4 != 6)
		return -PKT_E_VERSION;
	tot = PKT_IP6_HLEN + get_be16(ip + 4);
	if (tot > avail)
		return -PKT_E_TRUNC;
	if (tot > UINT16_MAX)
		return -PKT_E_LEN;
	pi->kind = PKT_IPV6;
	pi->l3_len = tot;
	pi->l4_off = PKT_ETH_HLEN + PKT_IP6_HLEN;
	pi->proto = ip[6];
	pi->ttl = ip[7];
	return 0;
}

int pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi)
{
	const uint8_t *ip = frame + PKT_ETH_HLEN;
	uint32_t avail;
	int ret;

	if (len < PKT_ETH_HLEN)
		return -PKT_E_RUNT;
	avail = len - PKT_ETH_HLEN;
	/* VLAN tags (0x8100, 0x88a8, ...) land here too: the host strips the
	 * tags it knows, so one still present was not meant for us. */
	switch (get_be16(frame + 12)) {
	case ETH_P_IPV4:
		ret = parse_ip4(ip, avail, pi);
		break;
	case ETH_P_IPV6:
		ret = parse_ip6(ip, avail, pi);
		break;
	default:
		return -PKT_E_NOT_IP;
	}
	if (!ret)
		pi->l3_off = PKT_ETH_HLEN;
	return ret;
}

void ip4_dec_ttl(uint8_t *ip4hdr)
{
	uint8_t w[2] = { ip4hdr[8] - 1, ip4hdr[9] };
	uint16_t hc, m, m2;

	/* TTL shares its 16-bit word with the protocol. The sum works on
	 * memory-order words as csum_partial does (RFC 1071 2.(B)). RFC 1624
	 * eqn. 3 rather than eqn. 2: it never turns a sum into -0, so the
	 * result equals a full recomputation, 0x0000 and 0xffff cases
	 * included. */
	memcpy(&hc, ip4hdr + 10, 2);
	memcpy(&m, ip4hdr + 8, 2);
	memcpy(&m2, w, 2);
	hc = csum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m + m2);
	ip4hdr[8] = w[0];
	memcpy(ip4hdr + 10, &hc, 2);
}

void ip6_dec_hlim(uint8_t *ip6hdr)
{
	ip6hdr[7]--;
}

/* --- ICMP errors ------------------------------------------------------ */

static bool ip4_unicast_src(const uint8_t *a)
{
	/* RFC 1812 4.3.2.7: not a source that "does not define a single
	 * host": 0/8, 127/8, multicast 224/4, class E 240/4 and with it
	 * 255.255.255.255. */
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static bool ip4_group_dst(const uint8_t *a)
{
	/* RFC 1812 4.3.2.7: not to an IP multicast (224/4) or the limited
	 * broadcast address. Directed broadcasts are the caller's: only it
	 * knows its subnets. */
	return (a[0] & 0xf0) == 224 ||
	       (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
}

static bool icmp4_is_error(uint8_t type)
{
	/* Destination unreachable, source quench, redirect, time exceeded,
	 * parameter problem (RFC 792). Echo, echo reply and the other
	 * queries are not errors and may be answered with one. */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The length of orig that is IPv4 and may be quoted (0: no error may be
 * sent); *hlen its header length. */
static uint32_t ip4_error_len(const uint8_t *orig, uint32_t orig_len,
			      uint32_t *hlen)
{
	uint32_t tot;

	if (orig_len < PKT_IP4_HLEN || orig[0] >> 4 != 4)
		return 0;
	*hlen = (orig[0] & 0x0f) * 4u;
	if (*hlen < PKT_IP4_HLEN || *hlen > orig_len)
		return 0;
	/* RFC 1812 4.3.2.7: only about the first fragment of a datagram. */
	if (get_be16(orig + 6) & 0x1fff)
		return 0;
	if (!ip4_unicast_src(orig + 12) || ip4_group_dst(orig + 16))
		return 0;
	/* Padding is not quoted; a total length the frame does not hold is
	 * the caller's to have refused (pkt_parse): quote what there is. */
	tot = get_be16(orig + 2);
	if (tot < *hlen || tot > orig_len)
		tot = orig_len;
	/* RFC 1812 4.3.2.7: never about an ICMP error. A first fragment or
	 * packet too short to show its ICMP type is treated as one: no error
	 * is better than an error loop. */
	if (orig[9] == PROTO_ICMP &&
	    (tot <= *hlen || icmp4_is_error(orig[*hlen])))
		return 0;
	return tot;
}

bool icmp4_error_allowed(const uint8_t *orig, uint32_t orig_len)
{
	uint32_t hlen;

	return ip4_error_len(orig, orig_len, &hlen) != 0;
}

static bool ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool ip6_is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, 16);
}

static uint32_t ip6_error_len(const uint8_t *orig, uint32_t orig_len,
			      uint8_t type, uint8_t code)
{
	uint32_t tot;

	if (orig_len < PKT_IP6_HLEN || orig[0] >> 4 != 6)
		return 0;
	/* RFC 4443 2.4 (e.6): the source must identify a single node.
	 * Anycast sources are the caller's to know about. */
	if (ip6_is_unspecified(orig + 8) || ip6_is_multicast(orig + 8))
		return 0;
	/* RFC 4443 2.4 (e.3): not to a multicast group, except Packet Too
	 * Big and Parameter Problem code 2 (unrecognized option that asks
	 * for a report even then), which exist to reach multicast senders. */
	if (ip6_is_multicast(orig + 24) && type != 2 &&
	    !(type == 4 && code == 2))
		return 0;
	/* Padding is not quoted. */
	tot = PKT_IP6_HLEN + get_be16(orig + 4);
	if (tot > orig_len)
		tot = orig_len;
	/* RFC 4443 2.4 (e.1, e.2): not about an ICMPv6 error (type < 128) or
	 * a redirect (137). Only an ICMPv6 header right after the fixed
	 * header is seen: extension headers are not walked, so one behind
	 * them goes unnoticed. Unreadable type: treated as an error. */
	if (orig[6] == PROTO_ICMPV6 &&
	    (tot <= PKT_IP6_HLEN || orig[PKT_IP6_HLEN] < 128 ||
	     orig[PKT_IP6_HLEN] == 137))
		return 0;
	return tot;
}

bool icmp6_error_allowed(const uint8_t *orig, uint32_t orig_len, uint8_t type,
			 uint8_t code)
{
	return ip6_error_len(orig, orig_len, type, code) != 0;
}

/* What differs between the families in the frame around the ICMP message. */
struct icmp_family {
	uint16_t ethertype;
	uint16_t l3_hlen;
	uint16_t max_dgram; /* IP header + ICMP message */
};

/* How much may be quoted: RFC 1812 4.3.2.3 (576 bytes), RFC 4443 2.4 (c)
 * (the IPv6 minimum MTU). */
static const struct icmp_family fam4 = { ETH_P_IPV4, PKT_IP4_HLEN,
					 PKT_ICMP4_MAX };
static const struct icmp_family fam6 = { ETH_P_IPV6, PKT_IP6_HLEN,
					 PKT_ICMP6_MAX };

/*
 * Lays out what both families share: Ethernet header, ICMP header and quote,
 * with the ICMP checksum zero and room for the IP header left between. The
 * quote is min_quote..ip_len bytes of orig, as many as the family's limit
 * and cap allow. Returns the ICMP message length, 0 if cap is too small.
 * orig may overlap out: the quote is moved before any header is written,
 * and the callers copy what else they need from orig (its source address)
 * before calling.
 */
static uint32_t icmp_frame(uint8_t *out, uint32_t cap,
			   const struct icmp_family *f, const uint8_t *orig,
			   uint32_t ip_len, uint32_t min_quote, uint8_t type,
			   uint8_t code, uint32_t info,
			   const uint8_t mac_src[6], const uint8_t mac_dst[6])
{
	uint32_t hdrs = PKT_ETH_HLEN + f->l3_hlen + PKT_ICMP_HLEN;
	uint32_t max_quote = f->max_dgram - hdrs + PKT_ETH_HLEN;
	uint32_t quote = ip_len;
	uint8_t *icmp = out + PKT_ETH_HLEN + f->l3_hlen;
	uint8_t eth[PKT_ETH_HLEN];

	if (min_quote > ip_len)
		min_quote = ip_len;
	if (cap < hdrs + min_quote)
		return 0;
	if (quote > max_quote)
		quote = max_quote;
	if (quote > cap - hdrs)
		quote = cap - hdrs;
	memmove(icmp + PKT_ICMP_HLEN, orig, quote);

	/* Via a copy: the MACs may be those of the frame being overwritten. */
	memcpy(eth, mac_dst, 6);
	memcpy(eth + 6, mac_src, 6);
	put_be16(eth + 12, f->ethertype);
	memcpy(out, eth, sizeof(eth));

	icmp[0] = type;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	put_be32(icmp + 4, info);
	return PKT_ICMP_HLEN + quote;
}

static uint16_t icmp4_next_id;

void icmp4_seed_id(uint16_t id)
{
	__atomic_store_n(&icmp4_next_id, id, __ATOMIC_RELAXED);
}

uint32_t icmp4_error(uint8_t *out, uint32_t cap, const uint8_t *orig,
		     uint32_t orig_len, uint8_t type, uint8_t code,
		     uint32_t info, const uint8_t src[4],
		     const uint8_t mac_src[6], const uint8_t mac_dst[6])
{
	uint8_t *ip = out + PKT_ETH_HLEN, *icmp = ip + PKT_IP4_HLEN;
	uint32_t hlen, ip_len, icmp_len;
	uint8_t dst[4], tos = 0xc0;
	uint16_t sum;

	ip_len = ip4_error_len(orig, orig_len, &hlen);
	if (!ip_len)
		return 0;
	/* RFC 1812 4.3.2.5: errors SHOULD go out with precedence 6 (internet
	 * control, 0xc0) so they survive the congestion they may report;
	 * a source quench, if asked for, copies the offender's precedence. */
	if (type == 4)
		tos = orig[1] & 0xe0;
	/* RFC 1191: type 3 code 4 puts the MTU in the low 16 bits, the high
	 * 16 stay unused (zero). */
	if (type == 3 && code == 4)
		info &= 0xffff;
	memcpy(dst, orig + 12, 4);
	/* RFC 792, RFC 1812 4.3.2.3: the IP header and at least 8 bytes. */
	icmp_len = icmp_frame(out, cap, &fam4, orig, ip_len, hlen + 8, type,
			      code, info, mac_src, mac_dst);
	if (!icmp_len)
		return 0;
	sum = csum_fold(csum_partial(icmp, icmp_len, 0));
	memcpy(icmp + 2, &sum, 2);

	ip[0] = 0x45;
	ip[1] = tos;
	put_be16(ip + 2, PKT_IP4_HLEN + icmp_len);
	put_be16(ip + 4,
		 __atomic_fetch_add(&icmp4_next_id, 1, __ATOMIC_RELAXED));
	put_be16(ip + 6, 0); /* DF clear: the error may be fragmented */
	ip[8] = ERR_TTL;
	ip[9] = PROTO_ICMP;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	sum = csum_fold(csum_partial(ip, PKT_IP4_HLEN, 0));
	memcpy(ip + 10, &sum, 2);
	return PKT_ETH_HLEN + PKT_IP4_HLEN + icmp_len;
}

uint32_t icmp6_error(uint8_t *out, uint32_t cap, const uint8_t *orig,
		     uint32_t orig_len, uint8_t type, uint8_t code,
		     uint32_t info, const uint8_t src[16],
		     const uint8_t mac_src[6], const uint8_t mac_dst[6])
{
	uint8_t *ip = out + PKT_ETH_HLEN, *icmp = ip + PKT_IP6_HLEN;
	uint32_t ip_len, icmp_len;
	uint8_t dst[16], pseudo[8];
	uint16_t sum;

	ip_len = ip6_error_len(orig, orig_len, type, code);
	if (!ip_len)
		return 0;
	memcpy(dst, orig + 8, 16);
	icmp_len = icmp_frame(out, cap, &fam6, orig, ip_len, PKT_IP6_HLEN + 8,
			      type, code, info, mac_src, mac_dst);
	if (!icmp_len)
		return 0;

	put_be32(ip, 6u << 28); /* traffic class and flow label 0 */
	put_be16(ip + 4, icmp_len);
	ip[6] = PROTO_ICMPV6;
	ip[7] = ERR_TTL;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);

	/* RFC 4443 2.3, RFC 8200 8.1: the pseudo-header is both addresses,
	 * the 32-bit upper-layer length, 3 zero bytes and next header. */
	put_be32(pseudo, icmp_len);
	put_be32(pseudo + 4, PROTO_ICMPV6);
	sum = csum_fold(
		csum_partial(icmp, icmp_len,
			     csum_partial(pseudo, sizeof(pseudo),
					  csum_partial(ip + 8, 32, 0))));
	memcpy(icmp + 2, &sum, 2);
	return PKT_ETH_HLEN + PKT_IP6_HLEN + icmp_len;
}
