/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-packet helpers of tenet-router: validate a received frame, keep the
 * IPv4 header checksum right across a TTL decrement, and build ICMP/ICMPv6
 * errors. Pure computation on byte buffers: no syscalls, no allocation.
 *
 * Alignment: nothing here assumes any; multi-byte fields are read and
 * written with memcpy or byte by byte, so frames may sit anywhere in UMEM.
 */
#ifndef TENET_PKT_H
#define TENET_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_ETH_HLEN 14
#define PKT_IP4_HLEN 20 /* without options */
#define PKT_IP6_HLEN 40
#define PKT_ICMP_HLEN 8 /* type, code, checksum, one 32-bit word */
/* Largest ICMP error datagrams, counted from the IP header on. */
#define PKT_ICMP4_MAX 576 /* RFC 1812 4.3.2.3 */
#define PKT_ICMP6_MAX 1280 /* RFC 4443 2.4 (c): the IPv6 minimum MTU */

enum pkt_kind { PKT_IPV4 = 1, PKT_IPV6 = 2 };

/* Negative returns of pkt_parse. */
enum pkt_err {
	PKT_E_RUNT = 1, /* shorter than an Ethernet header */
	PKT_E_NOT_IP, /* ethertype not IPv4/IPv6 (incl. VLAN tags) */
	PKT_E_TRUNC, /* L3 header (or the length it claims) past the frame */
	PKT_E_VERSION, /* IP version field disagrees with the ethertype */
	PKT_E_IHL, /* IPv4 IHL < 5 */
	/* IPv4 total length < IHL*4; IPv6 40 + payload length > 65535, which
	 * l3_len cannot hold (only in a frame longer than 64 KiB) */
	PKT_E_LEN,
	PKT_E_CSUM, /* IPv4 header checksum wrong */
};

struct pkt_info {
	uint8_t kind; /* enum pkt_kind */
	uint16_t l3_off; /* 14 */
	uint16_t l3_len; /* IPv4 total length / IPv6 40 + payload length */
	uint16_t l4_off; /* IPv4: l3_off + IHL*4; IPv6: l3_off + 40
			  * (extension headers not walked) */
	uint8_t proto; /* IPv4 protocol / IPv6 next header */
	uint8_t ttl; /* TTL / hop limit */
};

/* Validates an Ethernet frame carrying IPv4 (version, IHL, header checksum,
 * total length <= frame, >= header) or IPv6 (version, payload length fits).
 * Frame padding beyond the IP length is allowed. Returns 0 or -enum pkt_err;
 * *pi is written only on success. Checks run cheapest first; a frame cut
 * anywhere after the Ethernet header is PKT_E_TRUNC. IPv6 jumbograms
 * (payload length 0 with a Jumbo option) are not recognised: l3_len is 40. */
int pkt_parse(const uint8_t *frame, uint32_t len, struct pkt_info *pi);

/*
 * RFC 1071 Internet checksum, in the style of the kernel's: the sum is kept
 * over 16-bit words as they lie in memory (host loads of network-order
 * data), which the one's complement sum allows (RFC 1071 2.(B)). So a value
 * folded from it is in network order: memcpy it into the packet as is.
 * Words added to a sum by hand must be in network order too.
 *
 * csum_partial adds len bytes at buf to sum; chain calls over consecutive
 * pieces, all but the last of even length. The result is not folded.
 */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* Folded to 16 bits, complemented, network order. 0 when checking a
 * received header whose checksum is right. */
uint16_t csum_fold(uint32_t sum);

/* IPv4 TTL decrement with RFC 1624 incremental update of the header checksum
 * (HC' = ~(~HC + ~m + m')). Caller guarantees ttl > 1. */
void ip4_dec_ttl(uint8_t *ip4hdr);
/* Caller guarantees hop limit > 1. */
void ip6_dec_hlim(uint8_t *ip6hdr);

/*
 * ICMP errors, built as a whole Ethernet frame into out (cap bytes).
 * orig points at the offending frame's IP header (not Ethernet), orig_len its
 * length from there (Ethernet padding past the IP length is not quoted).
 * src is the router's address to send from (IPv4: 4 bytes; IPv6: 16), dst is
 * the original packet's source. mac_src/mac_dst: Ethernet addresses for the
 * reply. info: the 32-bit word after the ICMP checksum, host order: the
 * next-hop MTU for "fragmentation needed" (type 3 code 4, only the low 16
 * bits are sent, RFC 1191) and ICMPv6 Packet Too Big, the pointer for
 * ICMPv6 Parameter Problem (for ICMPv4 Parameter Problem: pointer << 24),
 * else 0.
 *
 * Returns the frame length, or 0 when the rules forbid an error for this
 * packet or cap cannot hold the smallest useful error: the offending IP
 * header plus 8 bytes of what follows (RFC 792; for IPv6 the fixed header
 * plus 8), or the whole packet if it is shorter. Below the 576/1280-byte
 * limits a smaller cap only shortens the quote. Nothing is written past cap,
 * and nothing at all when 0 is returned.
 *
 * out may overlap orig (e.g. the reply built in place in the offending
 * frame's buffer), and the MAC addresses may point into that frame.
 *
 * Neither function can see the Ethernet header of the offending frame: the
 * caller must not ask for an error about a frame received as link-layer
 * broadcast or multicast (RFC 1812 4.3.2.7, RFC 4443 2.4 (e.4, e.5)), nor
 * about one sent to a directed broadcast it knows of, and must rate-limit
 * (RFC 1812 4.3.2.8, RFC 4443 2.4 (f)).
 */
uint32_t icmp4_error(uint8_t *out, uint32_t cap, const uint8_t *orig,
		     uint32_t orig_len, uint8_t type, uint8_t code,
		     uint32_t info, const uint8_t src[4],
		     const uint8_t mac_src[6], const uint8_t mac_dst[6]);
uint32_t icmp6_error(uint8_t *out, uint32_t cap, const uint8_t *orig,
		     uint32_t orig_len, uint8_t type, uint8_t code,
		     uint32_t info, const uint8_t src[16],
		     const uint8_t mac_src[6], const uint8_t mac_dst[6]);

/* The same rules, asked before spending work (e.g. a route lookup for the
 * reply). False too when orig is too short to apply them. */
bool icmp4_error_allowed(const uint8_t *orig, uint32_t orig_len);
bool icmp6_error_allowed(const uint8_t *orig, uint32_t orig_len, uint8_t type,
			 uint8_t code);

/* Sets the next IPv4 ID of ICMP errors. Seed it at random at start-up so
 * IDs are not predictable from outside; tests seed it to get fixed bytes.
 * IDs are taken atomically, so several threads may build errors. */
void icmp4_seed_id(uint16_t id);

#endif
