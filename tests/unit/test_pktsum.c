// SPDX-License-Identifier: GPL-2.0
/*
 * lib/pktsum.c: frames built byte by byte give tcpdump -n's line (tags,
 * ARP, IPv4 and its fragments, IPv6, TCP, UDP, ICMP, ICMPv6, the rest by
 * number); every frame cut at every length reads nothing past the cut (each
 * copy is a heap buffer of exactly that size, for valgrind and ASan) and
 * says where it was cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "pktsum.h"

struct fb {
	uint8_t b[256];
	size_t n;
};

static void put8(struct fb *f, unsigned int v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned int v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct fb *f, unsigned long v)
{
	put16(f, (unsigned int)(v >> 16));
	put16(f, (unsigned int)v);
}

static void putip(struct fb *f, int af, const char *s)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(af, s, a), 1);
	memcpy(f->b + f->n, a, af == AF_INET ? 4 : 16);
	f->n += af == AF_INET ? 4 : 16;
}

/* Ethernet, with the tags given (0: none), to type. */
static void eth(struct fb *f, unsigned int vid, unsigned int inner,
		unsigned int type)
{
	f->n = 0;
	for (int i = 0; i < 12; i++)
		put8(f, 0x02);
	if (vid) {
		put16(f, inner ? 0x88a8 : 0x8100);
		put16(f, vid);
	}
	if (inner) {
		put16(f, 0x8100);
		put16(f, inner);
	}
	put16(f, type);
}

/* IPv4 header (no options) for payload bytes of proto; frag: the flags
 * and offset field. */
static void ip4(struct fb *f, unsigned int proto, unsigned int payload,
		unsigned int frag, const char *src, const char *dst)
{
	put8(f, 0x45);
	put8(f, 0);
	put16(f, 20 + payload);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	putip(f, AF_INET, src);
	putip(f, AF_INET, dst);
}

static void ip6(struct fb *f, unsigned int next, unsigned int payload,
		const char *src, const char *dst)
{
	put32(f, 0x60000000);
	put16(f, payload);
	put8(f, next);
	put8(f, 64);
	putip(f, AF_INET6, src);
	putip(f, AF_INET6, dst);
}

static void pad(struct fb *f, size_t k)
{
	memset(f->b + f->n, 0xab, k);
	f->n += k;
}

/* The line of f whole, and of f cut at every length: none reads past its
 * cut, and a cut one says so. */
static void check(const struct fb *f, const char *want)
{
	char line[512];

	assert_string_equal(
		tn_pkt_summary(f->b, f->n, f->n, line, sizeof(line)), want);
	for (size_t cut = 0; cut < f->n; cut++) {
		uint8_t *p = malloc(cut ? cut : 1);

		memcpy(p, f->b, cut);
		tn_pkt_summary(p, cut, f->n, line, sizeof(line));
		free(p);
		if (!strstr(line, "[|") && strcmp(line, want))
			fail_msg("cut at %zu of %zu: \"%s\" neither the whole"
				 " line nor cut",
				 cut, f->n, line);
	}
}

static void test_icmp_tagged(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 100, 0, 0x0800);
	ip4(&f, 1, 64, 0, "10.0.0.2", "198.51.100.1");
	put8(&f, 8);
	put8(&f, 0);
	put16(&f, 0);
	put16(&f, 7);
	put16(&f, 1);
	pad(&f, 56);
	check(&f, "vlan 100, IP 10.0.0.2 > 198.51.100.1: ICMP echo request,"
		  " id 7, seq 1, length 64");
	f.b[18 + 20] = 0; /* a reply */
	assert_non_null(
		strstr(tn_pkt_summary(f.b, f.n, f.n, (char[256]){ 0 }, 256),
		       "ICMP echo reply"));
}

static void test_qinq_udp(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 10, 20, 0x0800);
	ip4(&f, 17, 20, 0, "10.0.0.2", "10.0.0.1");
	put16(&f, 5000);
	put16(&f, 53);
	put16(&f, 20);
	put16(&f, 0);
	pad(&f, 12);
	check(&f, "vlan 10, vlan 20, IP 10.0.0.2.5000 > 10.0.0.1.53: UDP,"
		  " length 12");
}

static void test_tcp(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 0, 0, 0x0800);
	ip4(&f, 6, 20, 0, "10.0.0.2", "10.0.0.1");
	put16(&f, 40000);
	put16(&f, 80);
	put32(&f, 1000);
	put32(&f, 0);
	put8(&f, 5 << 4);
	put8(&f, 0x02); /* SYN */
	put16(&f, 65535);
	put32(&f, 0);
	check(&f, "IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [S], seq 1000,"
		  " win 65535, length 0");
	f.b[14 + 20 + 13] = 0x18; /* PSH ACK */
	f.b[14 + 20 + 11] = 5; /* ack 5 */
	check(&f, "IP 10.0.0.2.40000 > 10.0.0.1.80: Flags [P.], seq 1000,"
		  " ack 5, win 65535, length 0");
}

static void test_arp(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 0, 0, 0x0806);
	put16(&f, 1);
	put16(&f, 0x0800);
	put8(&f, 6);
	put8(&f, 4);
	put16(&f, 1);
	for (int i = 0; i < 6; i++)
		put8(&f, 0x02);
	putip(&f, AF_INET, "10.0.0.2");
	for (int i = 0; i < 6; i++)
		put8(&f, 0);
	putip(&f, AF_INET, "10.0.0.1");
	check(&f, "ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28");
	f.b[14 + 7] = 2;
	check(&f, "ARP, Reply 10.0.0.2 is-at 02:02:02:02:02:02, length 28");
}

static void test_fragments(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 0, 0, 0x0800);
	ip4(&f, 17, 16, 0x2000, "10.0.0.2", "10.0.0.1"); /* first, MF */
	put16(&f, 7);
	put16(&f, 9);
	put16(&f, 3008);
	put16(&f, 0);
	pad(&f, 8);
	check(&f, "IP 10.0.0.2.7 > 10.0.0.1.9: UDP, length 3000 (frag"
		  " 4660:16@0+)");
	eth(&f, 0, 0, 0x0800);
	ip4(&f, 17, 16, 185, "10.0.0.2", "10.0.0.1"); /* last, at 1480 */
	pad(&f, 16);
	check(&f, "IP 10.0.0.2 > 10.0.0.1: ip-proto-17 (frag 4660:16@1480)");
}

static void test_ip6(void **state)
{
	struct fb f;

	(void)state;
	eth(&f, 300, 0, 0x86dd);
	ip6(&f, 58, 16, "2001:db8::1", "2001:db8::2");
	put8(&f, 128);
	put8(&f, 0);
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 2);
	pad(&f, 8);
	check(&f, "vlan 300, IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo"
		  " request, id 1, seq 2, length 16");
	eth(&f, 0, 0, 0x86dd);
	ip6(&f, 58, 24, "fe80::1", "ff02::1:ff00:2");
	put8(&f, 135);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 0);
	putip(&f, AF_INET6, "2001:db8::2");
	check(&f, "IP6 fe80::1 > ff02::1:ff00:2: ICMP6, neighbor"
		  " solicitation, who has 2001:db8::2, length 24");
	eth(&f, 0, 0, 0x86dd);
	ip6(&f, 0, 8, "2001:db8::1", "2001:db8::2"); /* hop-by-hop */
	pad(&f, 8);
	check(&f, "IP6 2001:db8::1 > 2001:db8::2: ip-proto-0 8");
}

static void test_other(void **state)
{
	struct fb f;
	char line[16];

	(void)state;
	eth(&f, 0, 0, 0x88cc);
	pad(&f, 46);
	check(&f, "ethertype 0x88cc, length 60");
	/* a line longer than the buffer: cut, ended */
	tn_pkt_summary(f.b, f.n, f.n, line, sizeof(line));
	assert_int_equal(strlen(line), sizeof(line) - 1);
	/* IPv4 that lies: total length below its header */
	eth(&f, 0, 0, 0x0800);
	ip4(&f, 6, 0, 0, "10.0.0.2", "10.0.0.1");
	f.b[14 + 3] = 10;
	check(&f, "IP 10.0.0.2 > 10.0.0.1: bad total length 10");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp_tagged),
		cmocka_unit_test(test_qinq_udp),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_ip6),
		cmocka_unit_test(test_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
