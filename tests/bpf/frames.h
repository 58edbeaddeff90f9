/* SPDX-License-Identifier: GPL-2.0 */
/* Builds test frames layer by layer; every header is valid (checksums too)
 * unless a test breaks it on purpose afterwards. */
#ifndef TN_TEST_FRAMES_H
#define TN_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FR_MAX 2048

struct frame {
	uint8_t b[FR_MAX];
	size_t len;
};

extern const uint8_t MAC_A[6], MAC_B[6], MAC_BCAST[6];

void fr_init(struct frame *f);
void fr_put(struct frame *f, const void *p, size_t n);
void fr_eth(struct frame *f, const uint8_t dst[6], const uint8_t src[6]);
void fr_tag(struct frame *f, uint16_t tpid, uint16_t vid);
void fr_type(struct frame *f, uint16_t ethertype);
/* IPv4 with opt_len bytes of options (NOPs) and a UDP payload of n bytes. */
void fr_ipv4_udp(struct frame *f, const char *src, const char *dst,
		 size_t opt_len, size_t n);
void fr_ipv6_udp(struct frame *f, const char *src, const char *dst, size_t n);
void fr_arp(struct frame *f, uint16_t op, const uint8_t sha[6], const char *spa,
	    const char *tpa);
/* Neighbour solicitation (135, to the target's solicited-node group) or
 * advertisement (136, unsolicited, to all nodes). */
void fr_nd(struct frame *f, uint8_t type, const char *src, const char *target);
void fr_ns(struct frame *f, const char *src, const char *target);

/* Untagged or tagged (vid 0: none; inner 0: single tag) frame helpers. */
void fr_udp4(struct frame *f, const uint8_t dst[6], uint16_t vid,
	     uint16_t inner, const char *src_ip, const char *dst_ip);
void fr_udp6(struct frame *f, const uint8_t dst[6], uint16_t vid,
	     uint16_t inner, const char *src_ip, const char *dst_ip);

void fr_hexdump(const char *title, const uint8_t *b, size_t len);

#endif
