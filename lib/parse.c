// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "parse.h"

int tn_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int tn_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int err = tn_parse_u64(s, min, max, &v);

	if (!err)
		*out = (uint32_t)v;
	return err;
}

int tn_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (s[i * 3 + 2] != ':' && i < 5)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

int tn_parse_ip(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int tn_parse_prefix(const char *s, int strict, int *family, uint8_t addr[16],
		    unsigned int *len)
{
	char buf[64];
	const char *slash;
	uint32_t plen, bits;

	if (!s || !(slash = strchr(s, '/')) ||
	    (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (tn_parse_ip(buf, family, addr))
		return -EINVAL;
	bits = *family == AF_INET ? 32 : 128;
	if (tn_parse_u32(slash + 1, 0, bits, &plen))
		return -EINVAL;
	for (uint32_t i = plen; i < bits; i++) {
		if (!(addr[i / 8] & (0x80 >> (i % 8))))
			continue;
		if (strict)
			return -EINVAL;
		addr[i / 8] &= ~(0x80 >> (i % 8));
	}
	*len = plen;
	return 0;
}
