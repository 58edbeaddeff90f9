// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>

#include "frames.h"

const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void fr_init(struct frame *f)
{
	memset(f, 0, sizeof(*f));
}

void fr_put(struct frame *f, const void *p, size_t n)
{
	if (f->len + n > FR_MAX)
		n = FR_MAX - f->len;
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put16(struct frame *f, uint16_t v)
{
	uint16_t be = htons(v);

	fr_put(f, &be, 2);
}

void fr_eth(struct frame *f, const uint8_t dst[6], const uint8_t src[6])
{
	fr_put(f, dst, 6);
	fr_put(f, src, 6);
}

void fr_tag(struct frame *f, uint16_t tpid, uint16_t vid)
{
	put16(f, tpid);
	put16(f, vid);
}

void fr_type(struct frame *f, uint16_t ethertype)
{
	put16(f, ethertype);
}

static uint32_t csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void put_udp(struct frame *f, uint32_t pseudo, size_t n)
{
	size_t off = f->len;
	uint16_t ulen = (uint16_t)(8 + n);
	uint16_t *ck;

	put16(f, 4000);
	put16(f, 5000);
	put16(f, ulen);
	put16(f, 0);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)i;

		fr_put(f, &c, 1);
	}
	ck = (uint16_t *)(f->b + off + 6);
	*ck = csum_fold(csum_add(pseudo, f->b + off, 8 + n));
}

void fr_ipv4_udp(struct frame *f, const char *src, const char *dst,
		 size_t opt_len, size_t n)
{
	size_t off = f->len, hlen = 20 + opt_len;
	uint8_t h[60] = { 0 };
	uint32_t pseudo = 0;

	h[0] = 0x40 | (uint8_t)(hlen / 4);
	h[2] = (uint8_t)((hlen + 8 + n) >> 8);
	h[3] = (uint8_t)(hlen + 8 + n);
	h[8] = 64;
	h[9] = 17;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst, h + 16);
	memset(h + 20, 1, opt_len); /* NOP options */
	fr_put(f, h, hlen);
	*(uint16_t *)(f->b + off + 10) = csum_fold(csum_add(0, h, hlen));
	pseudo = csum_add(0, h + 12, 8) + 17 + (uint32_t)(8 + n);
	put_udp(f, pseudo, n);
}

void fr_ipv6_udp(struct frame *f, const char *src, const char *dst, size_t n)
{
	uint8_t h[40] = { 0x60 };
	uint32_t pseudo;

	h[4] = (uint8_t)((8 + n) >> 8);
	h[5] = (uint8_t)(8 + n);
	h[6] = 17;
	h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	fr_put(f, h, 40);
	pseudo = csum_add(0, h + 8, 32) + 17 + (uint32_t)(8 + n);
	put_udp(f, pseudo, n);
}

void fr_arp(struct frame *f, uint16_t op, const uint8_t sha[6], const char *spa,
	    const char *tpa)
{
	uint8_t ip[4], zero[6] = { 0 };

	put16(f, 1);
	put16(f, ETH_P_IP);
	fr_put(f, "\x06\x04", 2);
	put16(f, op);
	fr_put(f, sha, 6);
	inet_pton(AF_INET, spa, ip);
	fr_put(f, ip, 4);
	fr_put(f, zero, 6);
	inet_pton(AF_INET, tpa, ip);
	fr_put(f, ip, 4);
}

void fr_nd(struct frame *f, uint8_t type, const char *src, const char *target)
{
	uint8_t h[40] = { 0x60 }, icmp[24] = { type };
	uint32_t sum;

	h[5] = sizeof(icmp);
	h[6] = 58;
	h[7] = 255;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, target, icmp + 8);
	if (type == 135) {
		/* solicited-node multicast of the target */
		inet_pton(AF_INET6, "ff02::1:ff00:0", h + 24);
		memcpy(h + 37, icmp + 8 + 13, 3);
	} else {
		/* unsolicited advertisement to all nodes, override set */
		inet_pton(AF_INET6, "ff02::1", h + 24);
		icmp[4] = 0x20;
	}
	sum = csum_add(0, h + 8, 32) + 58 + sizeof(icmp);
	sum = csum_add(sum, icmp, sizeof(icmp));
	*(uint16_t *)(icmp + 2) = csum_fold(sum);
	fr_put(f, h, 40);
	fr_put(f, icmp, sizeof(icmp));
}

void fr_ns(struct frame *f, const char *src, const char *target)
{
	fr_nd(f, 135, src, target);
}

static void l2(struct frame *f, const uint8_t dst[6], uint16_t vid,
	       uint16_t inner, uint16_t type)
{
	fr_init(f);
	fr_eth(f, dst, MAC_A);
	if (vid && inner) {
		fr_tag(f, ETH_P_8021AD, vid);
		fr_tag(f, ETH_P_8021Q, inner);
	} else if (vid) {
		fr_tag(f, ETH_P_8021Q, vid);
	}
	fr_type(f, type);
}

void fr_udp4(struct frame *f, const uint8_t dst[6], uint16_t vid,
	     uint16_t inner, const char *src_ip, const char *dst_ip)
{
	l2(f, dst, vid, inner, ETH_P_IP);
	fr_ipv4_udp(f, src_ip, dst_ip, 0, 18);
}

void fr_udp6(struct frame *f, const uint8_t dst[6], uint16_t vid,
	     uint16_t inner, const char *src_ip, const char *dst_ip)
{
	l2(f, dst, vid, inner, ETH_P_IPV6);
	fr_ipv6_udp(f, src_ip, dst_ip, 18);
}

void fr_hexdump(const char *title, const uint8_t *b, size_t len)
{
	fprintf(stderr, "%s (%zu bytes):\n", title, len);
	for (size_t i = 0; i < len; i += 16) {
		fprintf(stderr, "  %04zx:", i);
		for (size_t j = i; j < i + 16 && j < len; j++)
			fprintf(stderr, " %02x", b[j]);
		fputc('\n', stderr);
	}
}
