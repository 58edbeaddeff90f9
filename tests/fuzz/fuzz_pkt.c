// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: tenet-router's per-frame code (tenant/pkt.c) on any
 * bytes a tenant's customer can send. The input is one Ethernet frame.
 *
 *   - pkt_parse(), and for a frame it accepts: the fields it reports lie
 *     inside the frame; ip4_dec_ttl() keeps the header checksum right
 *     (the frame parses again, TTL one less); ip6_dec_hlim().
 *   - Every ICMP/ICMPv6 error the router sends, about that frame, built as
 *     fwd.c builds it (in place, in the frame's own UMEM-sized buffer) and
 *     into separate buffers of exact sizes (ASan sees a byte past cap),
 *     from 0 to more than the limits. Each frame built must parse, carry
 *     right checksums, stay within cap and the 576/1280-byte limits, quote
 *     the offending datagram's first bytes, and come out exactly when
 *     icmp4/6_error_allowed() say it may.
 *   - The builders on unparsed bytes too: the caller's checks are not
 *     theirs to rely on for memory safety.
 *
 * A broken invariant aborts (libFuzzer reports it as a crash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pkt.h"

#define ROOM 2048 /* a UMEM frame (TN_XSK_FRAME_SIZE) */

static const uint8_t mac_r[6] = { 0x02, 0, 0x5e, 0, 0, 1 };
static const uint8_t src4[4] = { 192, 0, 2, 1 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

struct kind {
	uint8_t type, code;
	uint32_t info;
};

/* What fwd.c sends: time exceeded, unreachables, prohibited, too big. */
static const struct kind k4[] = {
	{ 11, 0, 0 },	{ 3, 0, 0 },	      { 3, 1, 0 }, { 3, 13, 0 },
	{ 3, 4, 1400 }, { 12, 0, 20u << 24 }, { 4, 0, 0 },
};
static const struct kind k6[] = {
	{ 3, 0, 0 }, { 1, 0, 0 },    { 1, 1, 0 },
	{ 1, 3, 0 }, { 2, 0, 1280 }, { 4, 2, 40 },
};

static const uint32_t caps[] = { 0,  1,	  13,  14,  41,	  42,	61,
				 62, 100, 590, 591, 1294, 1295, 1514 };

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A frame an error builder returned: sound, and about orig. */
static void check_error(const uint8_t *out, uint32_t n, uint32_t cap, bool v6,
			const uint8_t *orig, uint32_t ip_len,
			uint32_t min_quote, const struct kind *k)
{
	struct pkt_info pi;
	uint32_t hl = v6 ? PKT_IP6_HLEN : PKT_IP4_HLEN, quote;
	const uint8_t *icmp = out + PKT_ETH_HLEN + hl;

	CHECK(n <= cap);
	CHECK(n <= PKT_ETH_HLEN + (v6 ? PKT_ICMP6_MAX : PKT_ICMP4_MAX));
	CHECK(pkt_parse(out, n, &pi) == 0);
	CHECK(pi.kind == (v6 ? PKT_IPV6 : PKT_IPV4));
	CHECK(pi.l3_len == n - PKT_ETH_HLEN);
	CHECK(pi.proto == (v6 ? 58 : 1));
	CHECK(icmp[0] == k->type && icmp[1] == k->code);
	quote = n - PKT_ETH_HLEN - hl - PKT_ICMP_HLEN;
	CHECK(quote >= (min_quote < ip_len ? min_quote : ip_len));
	CHECK(quote <= ip_len);
	CHECK(!memcmp(icmp + PKT_ICMP_HLEN, orig, quote));
	if (v6) {
		uint8_t pseudo[8] = { 0 };
		uint32_t ilen = n - PKT_ETH_HLEN - hl;

		pseudo[2] = (uint8_t)(ilen >> 8);
		pseudo[3] = (uint8_t)ilen;
		pseudo[7] = 58;
		CHECK(!csum_fold(csum_partial(
			icmp, ilen,
			csum_partial(pseudo, 8,
				     csum_partial(out + PKT_ETH_HLEN + 8, 32,
						  0)))));
		CHECK(!memcmp(out + PKT_ETH_HLEN + 8, src6, 16));
		CHECK(!memcmp(out + PKT_ETH_HLEN + 24, orig + 8, 16));
	} else {
		CHECK(!csum_fold(csum_partial(icmp, n - PKT_ETH_HLEN - hl, 0)));
		CHECK(!memcmp(out + PKT_ETH_HLEN + 12, src4, 4));
		CHECK(!memcmp(out + PKT_ETH_HLEN + 16, orig + 12, 4));
	}
}

/* orig/len: from the IP header on. ip_len/min_quote as the builder should
 * see them when it says yes. */
static void errors(const uint8_t *orig, uint32_t len, bool v6)
{
	const struct kind *ks = v6 ? k6 : k4;
	size_t nk = v6 ? sizeof(k6) / sizeof(k6[0]) :
			 sizeof(k4) / sizeof(k4[0]);

	for (size_t i = 0; i < nk; i++) {
		const struct kind *k = &ks[i];
		bool allowed =
			v6 ? icmp6_error_allowed(orig, len, k->type, k->code) :
			     icmp4_error_allowed(orig, len);
		uint32_t hlen = v6 ? PKT_IP6_HLEN : (orig[0] & 0x0f) * 4u;
		uint32_t ip_len = 0;

		if (allowed) {
			ip_len = v6 ? PKT_IP6_HLEN + be16(orig + 4) :
				      be16(orig + 2);
			if (ip_len > len || (!v6 && ip_len < hlen))
				ip_len = len;
		}
		for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
			uint8_t *out = malloc(caps[c] ? caps[c] : 1);
			uint32_t n;

			n = v6 ? icmp6_error(out, caps[c], orig, len, k->type,
					     k->code, k->info, src6, mac_r,
					     orig) :
				 icmp4_error(out, caps[c], orig, len, k->type,
					     k->code, k->info, src4, mac_r,
					     orig);
			if (!allowed)
				CHECK(n == 0);
			/* Enough room for the headers and the minimum
			 * quote: an error there must be. */
			if (allowed &&
			    caps[c] >= PKT_ETH_HLEN + (v6 ? 48u : 28u) +
					       (hlen + 8 < ip_len ? hlen + 8 :
								    ip_len))
				CHECK(n != 0);
			if (n)
				check_error(out, n, caps[c], v6, orig, ip_len,
					    hlen + 8, k);
			free(out);
		}
	}
}

/* As fwd.c does it: the error written over the frame it is about, in the
 * frame's own buffer (a UMEM frame: ROOM bytes). */
static void in_place(const uint8_t *frame, uint32_t len, bool v6)
{
	uint8_t *room = malloc(ROOM), *copy = malloc(len);
	const struct kind *k = v6 ? &k6[1] : &k4[0];
	uint8_t mac[6];
	uint32_t n;

	memcpy(room, frame, len);
	memcpy(copy, frame, len);
	memcpy(mac, frame + 6, 6);
	n = v6 ? icmp6_error(room, ROOM, room + PKT_ETH_HLEN,
			     len - PKT_ETH_HLEN, k->type, k->code, k->info,
			     src6, mac_r, room + 6) :
		 icmp4_error(room, ROOM, room + PKT_ETH_HLEN,
			     len - PKT_ETH_HLEN, k->type, k->code, k->info,
			     src4, mac_r, room + 6);
	if (n) {
		struct pkt_info pi;
		uint32_t hl = v6 ? PKT_IP6_HLEN : PKT_IP4_HLEN;

		CHECK(pkt_parse(room, n, &pi) == 0);
		CHECK(!memcmp(room, mac, 6)); /* back to the sender */
		CHECK(!memcmp(room + PKT_ETH_HLEN + hl + PKT_ICMP_HLEN,
			      copy + PKT_ETH_HLEN,
			      n - PKT_ETH_HLEN - hl - PKT_ICMP_HLEN));
	}
	free(room);
	free(copy);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	icmp4_seed_id(1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_info pi;
	uint32_t len = size > 65535 + 100 ? 65535 + 100 : (uint32_t)size;
	uint8_t *f;
	int ret;

	f = malloc(len ? len : 1);
	memcpy(f, data, len);
	ret = pkt_parse(f, len, &pi);
	if (ret == 0) {
		CHECK(pi.l3_off == PKT_ETH_HLEN);
		CHECK(pi.l3_off + pi.l3_len <= len);
		CHECK(pi.l4_off <= pi.l3_off + pi.l3_len);
		CHECK(pi.l3_len >=
		      (pi.kind == PKT_IPV6 ? PKT_IP6_HLEN : PKT_IP4_HLEN));
		errors(f + pi.l3_off, pi.l3_len, pi.kind == PKT_IPV6);
		/* What the router quotes: the frame, padding cut. */
		if (len <= ROOM)
			in_place(f, pi.l3_off + pi.l3_len, pi.kind == PKT_IPV6);
		if (pi.ttl > 1) {
			struct pkt_info pj;

			if (pi.kind == PKT_IPV4)
				ip4_dec_ttl(f + pi.l3_off);
			else
				ip6_dec_hlim(f + pi.l3_off);
			CHECK(pkt_parse(f, len, &pj) == 0);
			CHECK(pj.ttl == pi.ttl - 1);
		}
	} else {
		CHECK(ret < 0 && ret >= -PKT_E_CSUM);
		/* The builders on what the parser refused: any result, but
		 * within bounds. */
		if (len > PKT_ETH_HLEN) {
			errors(f + PKT_ETH_HLEN, len - PKT_ETH_HLEN, false);
			errors(f + PKT_ETH_HLEN, len - PKT_ETH_HLEN, true);
		}
	}
	free(f);
	return 0;
}
