// SPDX-License-Identifier: GPL-2.0
/*
 * tenant/pkt.c: frames are accepted exactly when well formed, checksums stay
 * right, and ICMP errors come out byte for byte as the RFCs want, or not at
 * all. Expected frames are spelled out; their checksums were computed
 * outside this code and are checked again here with a plain big-endian
 * RFC 1071 routine that shares nothing with the one under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pkt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- reference checksum and fixtures ---------------------------------- */

static uint16_t ref_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_sum(p, n, 0);
}

static void ref_fix_ip4(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = ref_csum(ip, (ip[0] & 0x0f) * 4u);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

static uint32_t rnd_state = 0x7e4e7;

static uint32_t rnd(void)
{
	/* xorshift32: the same sequence on every libc */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static const uint8_t router_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t host_mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };
static const uint8_t router4[4] = { 192, 0, 2, 1 };
static const uint8_t router6[16] =
	"\x20\x01\x0d\xb8\xff\xff\0\0\0\0\0\0\0\0\0\x01";

/* 198.51.100.7:40000 -> 203.0.113.9:33434 UDP, TTL 1, 16 bytes of data,
 * padded to the 60-byte Ethernet minimum. */
static const uint8_t v4_udp[60] =
	"\x02\x00\x5e\x00\x00\x01\x02\x00\x5e\x00\x00\x02\x08\x00" /* Eth */
	"\x45\x00\x00\x2c\x12\x34\x40\x00\x01\x11\x01\x49" /* IPv4 */
	"\xc6\x33\x64\x07\xcb\x00\x71\x09"
	"\x9c\x40\x82\x9a\x00\x18\x00\x00" /* UDP */
	"tenet traceroute\0\0" /* data, padding */;

/* 2001:db8:1::7 -> 2001:db8:2::9 UDP, hop limit 1, 16 bytes of data. */
static const uint8_t v6_udp[78] =
	"\x02\x00\x5e\x00\x00\x01\x02\x00\x5e\x00\x00\x02\x86\xdd" /* Eth */
	"\x60\x00\x00\x00\x00\x18\x11\x01" /* IPv6 */
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x20\x01\x0d\xb8\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"
	"\x9c\x40\x82\x9a\x00\x18\x0f\x50" /* UDP */
	"tenet traceroute";

/* 1500-byte IP packets, TCP 443 -> 51000, DF, then pat() as data. */
static const uint8_t v4_big_hdrs[54] =
	"\x02\x00\x5e\x00\x00\x01\x02\x00\x5e\x00\x00\x02\x08\x00" /* Eth */
	"\x45\x00\x05\xdc\xab\xcd\x40\x00\x40\x06\x23\x0a" /* IPv4 */
	"\xc6\x33\x64\x07\xcb\x00\x71\x09"
	"\x01\xbb\xc7\x38\x00\x00\x00\x01\x00\x00\x00\x00" /* TCP */
	"\x50\x10\xff\xff\x00\x00\x00\x00";
static const uint8_t v6_big_hdrs[74] =
	"\x02\x00\x5e\x00\x00\x01\x02\x00\x5e\x00\x00\x02\x86\xdd" /* Eth */
	"\x60\x00\x00\x00\x05\xb4\x06\x40" /* IPv6 */
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x20\x01\x0d\xb8\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"
	"\x01\xbb\xc7\x38\x00\x00\x00\x01\x00\x00\x00\x00" /* TCP */
	"\x50\x10\xff\xff\x00\x00\x00\x00";
#define BIG_FRAME 1514

static void make_big(uint8_t *f, const uint8_t *hdrs, size_t hlen)
{
	memcpy(f, hdrs, hlen);
	for (size_t i = 0; hlen + i < BIG_FRAME; i++)
		f[hlen + i] = pat(i);
}

/* v4_udp with a 4-byte Router Alert option: IHL 6, 48 bytes. */
static void make_v4_opts(uint8_t f[62])
{
	static const uint8_t ra[4] = { 0x94, 0x04, 0x00, 0x00 };

	memcpy(f, v4_udp, 34);
	memcpy(f + 34, ra, 4);
	memcpy(f + 38, v4_udp + 34, 24);
	f[14] = 0x46;
	f[17] = 48;
	ref_fix_ip4(f + 14);
}

/* --- pkt_parse -------------------------------------------------------- */

static void expect_info(const uint8_t *f, uint32_t len, uint8_t kind,
			uint16_t l3_len, uint16_t l4_off, uint8_t proto,
			uint8_t ttl)
{
	struct pkt_info pi;

	assert_int_equal(pkt_parse(f, len, &pi), 0);
	assert_int_equal(pi.kind, kind);
	assert_int_equal(pi.l3_off, 14);
	assert_int_equal(pi.l3_len, l3_len);
	assert_int_equal(pi.l4_off, l4_off);
	assert_int_equal(pi.proto, proto);
	assert_int_equal(pi.ttl, ttl);
}

/* pkt_parse of base with byte off set to v, the IPv4 checksum fixed if
 * fix. */
static int parse_with(const uint8_t *base, uint32_t len, size_t off, uint8_t v,
		      bool fix)
{
	struct pkt_info pi;
	uint8_t f[80];

	memcpy(f, base, len);
	f[off] = v;
	if (fix)
		ref_fix_ip4(f + 14);
	return pkt_parse(f, len, &pi);
}

static void test_parse_valid(void **state)
{
	uint8_t f[BIG_FRAME];

	(void)state;
	/* with and without the 2 bytes of Ethernet padding */
	expect_info(v4_udp, 60, PKT_IPV4, 44, 34, 17, 1);
	expect_info(v4_udp, 58, PKT_IPV4, 44, 34, 17, 1);
	make_v4_opts(f);
	expect_info(f, 62, PKT_IPV4, 48, 38, 17, 1);
	f[17] = 24; /* header only */
	ref_fix_ip4(f + 14);
	expect_info(f, 62, PKT_IPV4, 24, 38, 17, 1);
	make_big(f, v4_big_hdrs, sizeof(v4_big_hdrs));
	expect_info(f, BIG_FRAME, PKT_IPV4, 1500, 34, 6, 64);

	expect_info(v6_udp, sizeof(v6_udp), PKT_IPV6, 64, 54, 17, 1);
	make_big(f, v6_big_hdrs, sizeof(v6_big_hdrs));
	expect_info(f, BIG_FRAME, PKT_IPV6, 1500, 54, 6, 64);
	/* IPv6 padded too (a short packet on Ethernet) */
	memcpy(f, v6_udp, sizeof(v6_udp));
	f[19] = 8;
	expect_info(f, sizeof(v6_udp), PKT_IPV6, 48, 54, 17, 1);
}

/* Every cut of a valid frame, each in a heap block of exactly that size so
 * valgrind and ASan see any read past it. */
static void check_truncations(const uint8_t *frame, uint32_t full)
{
	struct pkt_info pi;

	for (uint32_t len = 0; len <= full; len++) {
		uint8_t *copy = malloc(len); /* glibc: a 0-byte block for 0 */
		int want = len < 14 ? -PKT_E_RUNT : -PKT_E_TRUNC;

		assert_true(copy || !len);
		memcpy(copy, frame, len);
		if (len == full)
			want = 0;
		assert_int_equal(pkt_parse(copy, len, &pi), want);
		free(copy);
	}
}

static void test_parse_truncated(void **state)
{
	uint8_t f[BIG_FRAME];

	(void)state;
	check_truncations(v4_udp, 58);
	make_v4_opts(f);
	check_truncations(f, 62);
	check_truncations(v6_udp, sizeof(v6_udp));
	make_big(f, v6_big_hdrs, sizeof(v6_big_hdrs));
	check_truncations(f, BIG_FRAME);
}

static void test_parse_bad(void **state)
{
	/* VLAN tags, ARP, near misses */
	static const uint16_t not_ip[] = { 0x8100, 0x88a8, 0x9100,
					   0x0806, 0x0801, 0x86dc };
	uint8_t f[62], *huge;
	struct pkt_info pi;
	uint16_t sum;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(not_ip); i++) {
		memcpy(f, v4_udp, 60);
		f[12] = not_ip[i] >> 8;
		f[13] = not_ip[i] & 0xff;
		assert_int_equal(pkt_parse(f, 60, &pi), -PKT_E_NOT_IP);
		assert_int_equal(pkt_parse(f, 14, &pi), -PKT_E_NOT_IP);
	}

	/* version against the ethertype, both ways */
	assert_int_equal(parse_with(v4_udp, 60, 14, 0x65, true),
			 -PKT_E_VERSION);
	assert_int_equal(parse_with(v6_udp, 78, 14, 0x40, false),
			 -PKT_E_VERSION);
	for (uint8_t ihl = 0; ihl < 5; ihl++)
		assert_int_equal(parse_with(v4_udp, 60, 14, 0x40 | ihl, false),
				 -PKT_E_IHL);
	/* IHL 15 (60 bytes) in a 46-byte packet */
	assert_int_equal(parse_with(v4_udp, 60, 14, 0x4f, false), -PKT_E_TRUNC);

	/* total length below the header, with and without options */
	assert_int_equal(parse_with(v4_udp, 60, 17, 19, true), -PKT_E_LEN);
	make_v4_opts(f);
	assert_int_equal(parse_with(f, 62, 17, 23, true), -PKT_E_LEN);
	/* total length beyond the frame (padding does not count as data) */
	assert_int_equal(parse_with(v4_udp, 60, 17, 47, true), -PKT_E_TRUNC);
	assert_int_equal(parse_with(v6_udp, 78, 19, 25, false), -PKT_E_TRUNC);

	/* checksum: any single bit flipped; 0xffff stands for 0x0000 */
	for (int bit = 0; bit < 16; bit++)
		assert_int_equal(parse_with(v4_udp, 60, 24 + bit / 8,
					    v4_udp[24 + bit / 8] ^ 1 << bit % 8,
					    false),
				 -PKT_E_CSUM);
	memcpy(f, v4_udp, 60);
	f[18] = f[19] = f[24] = f[25] = 0;
	sum = 0xffff - ref_sum(f + 14, 20, 0); /* an ID for checksum 0 */
	f[18] = sum >> 8;
	f[19] = sum & 0xff;
	ref_fix_ip4(f + 14);
	assert_int_equal(f[24] | f[25], 0);
	assert_int_equal(pkt_parse(f, 60, &pi), 0);
	f[24] = f[25] = 0xff;
	assert_int_equal(pkt_parse(f, 60, &pi), 0);

	/* an IPv6 packet of 65535 + 40 bytes fits no l3_len */
	huge = calloc(1, 14 + 40 + 65535);
	assert_non_null(huge);
	memcpy(huge, v6_udp, 54);
	huge[18] = huge[19] = 0xff;
	assert_int_equal(pkt_parse(huge, 14 + 40 + 65535, &pi), -PKT_E_LEN);
	assert_int_equal(pkt_parse(huge, 14 + 40 + 65534, &pi), -PKT_E_TRUNC);
	huge[19] = 0xd7; /* 65495 + 40 = 65535: the largest that fits */
	expect_info(huge, 14 + 40 + 65535, PKT_IPV6, 65535, 54, 17, 1);
	free(huge);
}

/* --- checksums -------------------------------------------------------- */

/* got is in network order, want a number: compare the bytes. */
static void assert_csum(uint16_t got, uint16_t want)
{
	const uint8_t *b = (const uint8_t *)&got;

	assert_int_equal(b[0], want >> 8);
	assert_int_equal(b[1], want & 0xff);
}

static void test_csum_partial(void **state)
{
	static uint8_t buf[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rnd();
	for (int i = 0; i < 20000; i++) {
		size_t off = rnd() % 64, len = rnd() % 1600;
		size_t cut = (rnd() % (len + 1)) & ~(size_t)1;
		uint16_t want = ref_csum(buf + off, len);
		uint32_t s;

		/* one piece, then two (the first of even length) */
		assert_csum(csum_fold(csum_partial(buf + off, len, 0)), want);
		s = csum_partial(buf + off, cut, 0);
		assert_csum(
			csum_fold(csum_partial(buf + off + cut, len - cut, s)),
			want);
	}
	/* zeros, and ones: -0 and an odd byte padded after, not before */
	memset(buf, 0, 64);
	assert_csum(csum_fold(csum_partial(buf, 64, 0)), 0xffff);
	memset(buf, 0xff, 64);
	assert_csum(csum_fold(csum_partial(buf, 64, 0)), 0x0000);
	assert_csum(csum_fold(csum_partial(buf, 63, 0)), 0x00ff);
	assert_csum(csum_fold(csum_partial(buf, 1, 0)), 0x00ff);
}

/* A random IPv4 header with options and a right checksum. mode 1 makes its
 * checksum 0x0000, mode 2 the same sum stored as 0xffff, mode 3 makes the
 * checksum after the decrement 0x0000; the ID is the free word used. */
static size_t random_ip4(uint8_t *ip, int mode)
{
	size_t hlen = (5 + rnd() % 11) * 4;
	uint32_t s, w;

	for (size_t i = 0; i < hlen; i++)
		ip[i] = (uint8_t)rnd();
	ip[0] = 0x40 | hlen / 4;
	ip[8] = 2 + rnd() % 254;
	ip[10] = ip[11] = 0;
	if (mode) {
		ip[4] = ip[5] = 0;
		s = ref_sum(ip, hlen, 0);
		w = (0xffff - s + (mode == 3 ? 0x100 : 0)) % 0xffff;
		ip[4] = w >> 8;
		ip[5] = w & 0xff;
	}
	ref_fix_ip4(ip);
	if (mode == 1 || mode == 2)
		assert_int_equal(ip[10] | ip[11], 0);
	if (mode == 2)
		ip[10] = ip[11] = 0xff;
	return hlen;
}

static void test_dec_ttl_random(void **state)
{
	uint8_t got[60], want[60];
	int edges[4] = { 0 };

	(void)state;
	for (int i = 0; i < 120000; i++) {
		int mode = i % 8 < 5 ? 0 : i % 8 - 4;
		size_t hlen = random_ip4(got, mode);

		memcpy(want, got, hlen);
		ip4_dec_ttl(got);
		want[8]--;
		ref_fix_ip4(want);
		assert_memory_equal(got, want, hlen);
		assert_int_equal(ref_csum(got, hlen), 0);
		if (!(got[10] | got[11]))
			edges[mode]++;
	}
	/* the edge cases were really there: results of 0x0000 */
	assert_true(edges[3] == 15000);
	assert_true(edges[0] + edges[1] + edges[2] < 100);
}

static void test_dec_ttl_known(void **state)
{
	uint8_t ip[40], want[40];

	(void)state;
	memcpy(ip, v4_big_hdrs + 14, 20);
	memcpy(want, ip, 20);
	want[8] = 0x3f; /* TTL 64 -> 63 */
	want[10] = 0x24; /* 0x230a + 0x0100 */
	ip4_dec_ttl(ip);
	assert_memory_equal(ip, want, 20);

	memcpy(ip, v6_big_hdrs + 14, 40);
	memcpy(want, ip, 40);
	want[7] = 63;
	ip6_dec_hlim(ip);
	assert_memory_equal(ip, want, 40);
}

/* --- ICMP errors ------------------------------------------------------ */

/* The checksums in an expected frame, recomputed with ref_csum. */
static void check_sums(const uint8_t *f, uint32_t len)
{
	static uint8_t scratch[2048];
	uint32_t ilen;

	if (f[12] == 0x08) {
		assert_int_equal(ref_csum(f + 14, 20), 0);
		assert_int_equal(ref_csum(f + 34, len - 34), 0);
		return;
	}
	ilen = len - 54;
	memcpy(scratch, f + 22, 32); /* pseudo-header */
	memset(scratch + 32, 0, 8);
	scratch[34] = ilen >> 8;
	scratch[35] = ilen & 0xff;
	scratch[39] = 58;
	memcpy(scratch + 40, f + 54, ilen);
	assert_int_equal(ref_csum(scratch, 40 + ilen), 0);
}

/* got must equal head followed by the quoted pattern up to want_len. */
static void expect_frame(const uint8_t *got, uint32_t got_len,
			 const uint8_t *head, size_t head_len,
			 uint32_t want_len)
{
	static uint8_t want[2048];

	memcpy(want, head, head_len);
	for (size_t i = 0; head_len + i < want_len; i++)
		want[head_len + i] = pat(i);
	check_sums(want, want_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}

/* Errors from the router to the host the fixtures come from. */
static uint32_t err4(uint8_t *out, uint32_t cap, const uint8_t *ip,
		     uint32_t len, uint8_t type, uint8_t code, uint32_t info)
{
	return icmp4_error(out, cap, ip, len, type, code, info, router4,
			   router_mac, host_mac);
}

static uint32_t err6(uint8_t *out, uint32_t cap, const uint8_t *ip,
		     uint32_t len, uint8_t type, uint8_t code, uint32_t info)
{
	return icmp6_error(out, cap, ip, len, type, code, info, router6,
			   router_mac, host_mac);
}

/* Nothing written from out + from on. */
static void expect_untouched(const uint8_t *out, size_t from, size_t size)
{
	for (size_t i = from; i < size; i++)
		assert_int_equal(out[i], 0xee);
}

/* Time exceeded about v4_udp, from 192.0.2.1, ID 0x0100. */
static const uint8_t te4_want[86] =
	"\x02\x00\x5e\x00\x00\x02\x02\x00\x5e\x00\x00\x01\x08\x00" /* Eth */
	"\x45\xc0\x00\x48\x01\x00\x00\x00\x40\x01\x8c\xb9" /* IPv4 */
	"\xc0\x00\x02\x01\xc6\x33\x64\x07"
	"\x0b\x00\x5f\xfe\x00\x00\x00\x00" /* ICMP */
	"\x45\x00\x00\x2c\x12\x34\x40\x00\x01\x11\x01\x49" /* quoted IPv4 */
	"\xc6\x33\x64\x07\xcb\x00\x71\x09"
	"\x9c\x40\x82\x9a\x00\x18\x00\x00" /* quoted UDP */
	"tenet traceroute";

static void test_icmp4_time_exceeded(void **state)
{
	uint8_t out[600];
	uint32_t n;

	(void)state;
	icmp4_seed_id(0x0100);
	/* the padding after the 44-byte packet is not quoted */
	n = err4(out, sizeof(out), v4_udp + 14, 46, 11, 0, 0);
	expect_frame(out, n, te4_want, sizeof(te4_want), sizeof(te4_want));
}

/* Heads of the errors about the 1500-byte packet: 576-byte datagrams. */
static const uint8_t unreach4_head[82] =
	"\x02\x00\x5e\x00\x00\x02\x02\x00\x5e\x00\x00\x01\x08\x00" /* Eth */
	"\x45\xc0\x02\x40\x02\x00\x00\x00\x40\x01\x89\xc1" /* IPv4 */
	"\xc0\x00\x02\x01\xc6\x33\x64\x07"
	"\x03\x00\x42\x66\x00\x00\x00\x00" /* ICMP */
	"\x45\x00\x05\xdc\xab\xcd\x40\x00\x40\x06\x23\x0a" /* quoted IPv4 */
	"\xc6\x33\x64\x07\xcb\x00\x71\x09"
	"\x01\xbb\xc7\x38\x00\x00\x00\x01\x00\x00\x00\x00" /* quoted TCP */
	"\x50\x10\xff\xff\x00\x00\x00\x00";
static const uint8_t frag_needed4_head[82] =
	"\x02\x00\x5e\x00\x00\x02\x02\x00\x5e\x00\x00\x01\x08\x00" /* Eth */
	"\x45\xc0\x02\x40\x03\x00\x00\x00\x40\x01\x88\xc1" /* IPv4 */
	"\xc0\x00\x02\x01\xc6\x33\x64\x07"
	"\x03\x04\x3c\xea\x00\x00\x05\x78" /* ICMP */
	"\x45\x00\x05\xdc\xab\xcd\x40\x00\x40\x06\x23\x0a" /* quoted IPv4 */
	"\xc6\x33\x64\x07\xcb\x00\x71\x09"
	"\x01\xbb\xc7\x38\x00\x00\x00\x01\x00\x00\x00\x00" /* quoted TCP */
	"\x50\x10\xff\xff\x00\x00\x00\x00";

static void test_icmp4_big(void **state)
{
	static uint8_t in[BIG_FRAME], out[2048];
	uint32_t n;

	(void)state;
	make_big(in, v4_big_hdrs, sizeof(v4_big_hdrs));
	icmp4_seed_id(0x0200);
	n = err4(out, sizeof(out), in + 14, 1500, 3, 0, 0);
	expect_frame(out, n, unreach4_head, 82, 14 + 576);
	icmp4_seed_id(0x0300);
	/* MTU in the low half of the word; high bits of info not sent */
	n = icmp4_error(out, sizeof(out), in + 14, 1500, 3, 4, 0xabcd0578,
			router4, router_mac, host_mac);
	expect_frame(out, n, frag_needed4_head, 82, 14 + 576);
}

/* Time exceeded about v6_udp, from 2001:db8:ffff::1. */
static const uint8_t te6_want[126] =
	"\x02\x00\x5e\x00\x00\x02\x02\x00\x5e\x00\x00\x01\x86\xdd" /* Eth */
	"\x60\x00\x00\x00\x00\x48\x3a\x40" /* IPv6 */
	"\x20\x01\x0d\xb8\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x03\x00\x30\x12\x00\x00\x00\x00" /* ICMPv6 */
	"\x60\x00\x00\x00\x00\x18\x11\x01" /* quoted IPv6 */
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x20\x01\x0d\xb8\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"
	"\x9c\x40\x82\x9a\x00\x18\x0f\x50" /* quoted UDP */
	"tenet traceroute";

static void test_icmp6_small(void **state)
{
	uint8_t out[1400], want[126];
	uint32_t n;

	(void)state;
	n = err6(out, sizeof(out), v6_udp + 14, 64, 3, 0, 0);
	expect_frame(out, n, te6_want, sizeof(te6_want), sizeof(te6_want));

	/* destination unreachable, no route: type and checksum differ */
	memcpy(want, te6_want, sizeof(want));
	want[54] = 0x01;
	want[56] = 0x32;
	n = err6(out, sizeof(out), v6_udp + 14, 64, 1, 0, 0);
	expect_frame(out, n, want, sizeof(want), sizeof(want));
}

/* Packet Too Big about the 1500-byte packet: 1280 bytes from IPv6 on. */
static const uint8_t ptb6_head[122] =
	"\x02\x00\x5e\x00\x00\x02\x02\x00\x5e\x00\x00\x01\x86\xdd" /* Eth */
	"\x60\x00\x00\x00\x04\xd8\x3a\x40" /* IPv6 */
	"\x20\x01\x0d\xb8\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x02\x00\x00\x34\x00\x00\x05\x00" /* ICMPv6 */
	"\x60\x00\x00\x00\x05\xb4\x06\x40" /* quoted IPv6 */
	"\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07"
	"\x20\x01\x0d\xb8\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"
	"\x01\xbb\xc7\x38\x00\x00\x00\x01\x00\x00\x00\x00" /* quoted TCP */
	"\x50\x10\xff\xff\x00\x00\x00\x00";

static void test_icmp6_ptb(void **state)
{
	static uint8_t in[BIG_FRAME], out[2048];
	uint32_t n;

	(void)state;
	make_big(in, v6_big_hdrs, sizeof(v6_big_hdrs));
	n = err6(out, sizeof(out), in + 14, 1500, 2, 0, 1280);
	expect_frame(out, n, ptb6_head, sizeof(ptb6_head), 14 + 1280);
}

/* The reply built over the offending frame itself, MACs taken from it. */
static void test_icmp_in_place(void **state)
{
	static uint8_t buf[2048];
	uint32_t n;

	(void)state;
	make_big(buf, v4_big_hdrs, sizeof(v4_big_hdrs));
	icmp4_seed_id(0x0300);
	n = icmp4_error(buf, sizeof(buf), buf + 14, 1500, 3, 4, 1400, router4,
			buf, buf + 6);
	expect_frame(buf, n, frag_needed4_head, 82, 14 + 576);

	make_big(buf, v6_big_hdrs, sizeof(v6_big_hdrs));
	n = icmp6_error(buf, sizeof(buf), buf + 14, 1500, 2, 0, 1280, router6,
			buf, buf + 6);
	expect_frame(buf, n, ptb6_head, sizeof(ptb6_head), 14 + 1280);

	/* a short packet: quote and new headers overlap the most */
	memcpy(buf, v6_udp, sizeof(v6_udp));
	n = icmp6_error(buf, sizeof(buf), buf + 14, 64, 3, 0, 0, router6, buf,
			buf + 6);
	expect_frame(buf, n, te6_want, sizeof(te6_want), sizeof(te6_want));
}

/* A small cap shortens the quote down to the header + 8 bytes, then 0;
 * nothing is written past cap. */
static void sweep_cap(bool v6, uint32_t min, uint32_t full)
{
	static uint8_t in[BIG_FRAME], out[2048];
	const uint8_t *len_field = out + (v6 ? 18 : 16);

	make_big(in, v6 ? v6_big_hdrs : v4_big_hdrs,
		 v6 ? sizeof(v6_big_hdrs) : sizeof(v4_big_hdrs));
	for (uint32_t cap = 0; cap < full + 10; cap++) {
		uint32_t want = cap < min ? 0 : cap < full ? cap : full, n;

		memset(out, 0xee, sizeof(out));
		n = v6 ? err6(out, cap, in + 14, 1500, 2, 0, 1280) :
			 err4(out, cap, in + 14, 1500, 3, 0, 0);
		assert_int_equal(n, want);
		expect_untouched(out, n, sizeof(out));
		if (n) {
			assert_int_equal(len_field[0] << 8 | len_field[1],
					 n - (v6 ? 54 : 14));
			check_sums(out, n);
		}
	}
}

static void test_icmp_cap(void **state)
{
	uint8_t out[100], opts[62];

	(void)state;
	sweep_cap(false, 14 + 28 + 28, 14 + 576);
	sweep_cap(true, 14 + 48 + 48, 14 + 1280);
	/* options count in the minimum: 24 + 8 quoted */
	make_v4_opts(opts);
	assert_int_equal(err4(out, 73, opts + 14, 48, 11, 0, 0), 0);
	assert_int_equal(err4(out, 74, opts + 14, 48, 11, 0, 0), 74);
	/* a packet shorter than header + 8 is quoted whole */
	assert_int_equal(err4(out, 62, v4_udp + 14, 20, 11, 0, 0), 62);
}

/* An error about f + 14 (a copy of an Ethernet frame): allowed or not,
 * built right or nothing written. */
static void expect_err(bool v6, const uint8_t *f, uint32_t ip_len, uint8_t type,
		       uint8_t code, bool yes)
{
	uint8_t out[700];
	uint32_t n;

	memset(out, 0xee, sizeof(out));
	if (v6) {
		assert_int_equal(
			icmp6_error_allowed(f + 14, ip_len, type, code), yes);
		n = err6(out, sizeof(out), f + 14, ip_len, type, code, 0);
	} else {
		assert_int_equal(icmp4_error_allowed(f + 14, ip_len), yes);
		n = err4(out, sizeof(out), f + 14, ip_len, type, code, 0);
	}
	if (yes) {
		assert_int_not_equal(n, 0);
		check_sums(out, n);
		return;
	}
	assert_int_equal(n, 0);
	expect_untouched(out, 0, sizeof(out));
}

static void expect4(const uint8_t *f, uint32_t ip_len, bool yes)
{
	expect_err(false, f, ip_len, 3, 1, yes);
}

static void expect6(const uint8_t *f, uint8_t type, uint8_t code, bool yes)
{
	expect_err(true, f, 64, type, code, yes);
}

/* v4_udp with n bytes at off set to v (big-endian), checksum fixed. */
static void set4(uint8_t *f, size_t off, uint32_t v, size_t n)
{
	memcpy(f, v4_udp, sizeof(v4_udp));
	for (size_t i = 0; i < n; i++)
		f[off + i] = v >> 8 * (n - 1 - i);
	ref_fix_ip4(f + 14);
}

static void test_icmp4_never(void **state)
{
	static const struct {
		uint8_t off, n;
		uint32_t v;
		bool yes;
	} mods[] = {
		{ 20, 2, 0x2001, false }, /* fragment offset 1, MF */
		{ 20, 2, 0x00b9, false }, /* last fragment */
		{ 20, 2, 0x5000, false }, /* DF, offset 4096 * 8 */
		{ 20, 2, 0x2000, true }, /* first fragment */
		{ 26, 4, 0x00000000, false }, /* sources: "this host" */
		{ 26, 4, 0x00010203, false }, /* 0/8 */
		{ 26, 4, 0x7f000001, false }, /* loopback */
		{ 26, 4, 0xe0000001, false }, /* multicast */
		{ 26, 4, 0xef010101, false },
		{ 26, 4, 0xf0000001, false }, /* class E */
		{ 26, 4, 0xffffffff, false }, /* limited broadcast */
		{ 26, 4, 0xdfffffff, true },
		{ 30, 4, 0xe0000005, false }, /* destinations: multicast */
		{ 30, 4, 0xefffffff, false },
		{ 30, 4, 0xffffffff, false }, /* limited broadcast */
		{ 30, 4, 0xdf010203, true },
		{ 30, 4, 0x7f000001, true }, /* (not ours to judge) */
		{ 14, 1, 0x44, false }, /* IHL 4 */
	};
	static const uint8_t err_types[] = { 3, 4, 5, 11, 12 };
	uint8_t f[60];

	(void)state;
	expect4(v4_udp, 46, true);
	for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
		set4(f, mods[i].off, mods[i].v, mods[i].n);
		expect4(f, 46, mods[i].yes);
	}
	/* about ICMP errors never; about echo, replies, the rest yes */
	for (int t = 0; t < 256; t++) {
		set4(f, 23, 1, 1);
		f[34] = t;
		expect4(f, 46, !memchr(err_types, t, sizeof(err_types)));
	}
	f[17] = 20; /* ICMP with no type to see */
	ref_fix_ip4(f + 14);
	expect4(f, 46, false);
	expect4(f, 20, false);

	/* too short or not IPv4 at all */
	expect4(v4_udp, 19, false);
	expect4(v6_udp, 64, false);
	memcpy(f, v4_udp, sizeof(f)); /* IHL 15: past the end */
	f[14] = 0x4f;
	expect4(f, 46, false);
}

static void test_icmp6_never(void **state)
{
	static const uint8_t mcast[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t zero[16];
	uint8_t f[78];

	(void)state;
	expect6(v6_udp, 3, 0, true);

	/* to a multicast group: only Packet Too Big, Parameter Problem 2 */
	memcpy(f, v6_udp, sizeof(f));
	memcpy(f + 38, mcast, 16);
	for (int t = 1; t < 5; t++)
		for (int c = 0; c < 4; c++)
			expect6(f, t, c, t == 2 || (t == 4 && c == 2));

	/* sources that are no single node */
	memcpy(f, v6_udp, sizeof(f));
	memcpy(f + 22, zero, 16);
	expect6(f, 3, 0, false);
	expect6(f, 2, 0, false);
	memcpy(f + 22, mcast, 16);
	expect6(f, 3, 0, false);

	/* about ICMPv6 errors and redirects never; about echo yes */
	memcpy(f, v6_udp, sizeof(f));
	f[20] = 58;
	for (int t = 0; t < 128; t++) {
		f[54] = t;
		expect6(f, 3, 0, false);
		expect6(f, 2, 0, false);
	}
	f[54] = 137;
	expect6(f, 1, 0, false);
	f[54] = 128;
	expect6(f, 3, 0, true);
	f[54] = 129;
	expect6(f, 1, 0, true);
	f[18] = f[19] = 0; /* ICMPv6 with no type in the packet */
	expect6(f, 3, 0, false);

	/* Known gap: an ICMPv6 error behind an extension header is not seen
	 * (hop-by-hop header 0 in front of it). */
	memcpy(f, v6_udp, sizeof(f));
	f[20] = 0;
	f[54] = 58;
	f[62] = 1;
	assert_true(icmp6_error_allowed(f + 14, 64, 3, 0));

	/* too short or not IPv6 */
	assert_false(icmp6_error_allowed(v6_udp + 14, 39, 3, 0));
	assert_false(icmp6_error_allowed(v4_udp + 14, 46, 3, 0));
}

/* IDs go up one per error and wrap; a source quench would keep the
 * offender's precedence. */
static void test_icmp4_header_fields(void **state)
{
	uint8_t out[200], f[60];
	uint32_t n;

	(void)state;
	icmp4_seed_id(0xffff);
	n = err4(out, sizeof(out), v4_udp + 14, 46, 11, 0, 0);
	assert_int_equal(n, 86);
	assert_int_equal(out[18] << 8 | out[19], 0xffff);
	n = err4(out, sizeof(out), v4_udp + 14, 46, 11, 0, 0);
	assert_int_equal(out[18] << 8 | out[19], 0);
	assert_int_equal(out[15], 0xc0);
	assert_int_equal(out[20] | out[21], 0); /* DF clear */

	set4(f, 15, 0xb8, 1);
	n = err4(out, sizeof(out), f + 14, 46, 4, 0, 0);
	assert_int_equal(n, 86);
	assert_int_equal(out[15], 0xa0);
	check_sums(out, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_csum_partial),
		cmocka_unit_test(test_dec_ttl_random),
		cmocka_unit_test(test_dec_ttl_known),
		cmocka_unit_test(test_icmp4_time_exceeded),
		cmocka_unit_test(test_icmp4_big),
		cmocka_unit_test(test_icmp6_small),
		cmocka_unit_test(test_icmp6_ptb),
		cmocka_unit_test(test_icmp_in_place),
		cmocka_unit_test(test_icmp_cap),
		cmocka_unit_test(test_icmp4_never),
		cmocka_unit_test(test_icmp6_never),
		cmocka_unit_test(test_icmp4_header_fields),
	};

	return cmocka_run_group_tests_name("pkt", tests, NULL, NULL);
}
