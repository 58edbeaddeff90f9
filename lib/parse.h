/* SPDX-License-Identifier: GPL-2.0 */
/* Validation of what users type: numbers, addresses, prefixes. Each returns
 * 0 or -EINVAL and never accepts trailing garbage. */
#ifndef TENET_PARSE_H
#define TENET_PARSE_H

#include <stdint.h>

int tn_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int tn_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
int tn_parse_mac(const char *s, uint8_t mac[6]);
/* An IPv4 or IPv6 address; *family gets AF_INET or AF_INET6, addr the
 * address in network order (IPv4 in the first 4 bytes, rest zero). */
int tn_parse_ip(const char *s, int *family, uint8_t addr[16]);
/* ADDR/LEN; host bits must be zero when strict. */
int tn_parse_prefix(const char *s, int strict, int *family, uint8_t addr[16],
		    unsigned int *len);

#endif
