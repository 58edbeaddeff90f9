// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: lib/validate, every tn_v_* function, on one string: the
 * input up to its first NUL (what a request's JSON string or a command-line
 * word can hold). Each runs with error buffers of exact sizes (0, 1, 17 and
 * TN_V_ERR_MAX bytes; ASan sees a byte past them) and must keep its
 * contract (lib/validate.h):
 *   - a refusal is one NUL-terminated, printable sentence (the quote of the
 *     input has no control bytes), naming the field;
 *   - what it accepts is in range: VID 1..4094, sizes, rates, counts and
 *     CPUs within their bounds, a CPU set within the host's CPUs, a prefix
 *     with no host bits (strict), a unicast MAC, a keyword's index;
 *   - output arguments are untouched on a refusal;
 *   - a prefix accepted, printed and read again is the same prefix, and
 *     overlaps itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "check.h"
#include "validate.h"

static const size_t errsz[] = { 0, 1, 17, TN_V_ERR_MAX };
#define NERR (sizeof(errsz) / sizeof(errsz[0]))

static char *errs[NERR];

/* A refusal's sentence, in a buffer of n bytes. */
static void check_err(int ret, const char *err, size_t n, const char *field)
{
	size_t len;

	/* Success leaves err alone. */
	if (!n || ret != -EINVAL)
		return;
	len = strnlen(err, n);
	CHECK(len < n);
	for (size_t i = 0; i < len; i++)
		CHECK(err[i] >= 0x20 && err[i] < 0x7f);
	/* "field: ...", cut where n cuts it */
	if (n == TN_V_ERR_MAX)
		CHECK(!strncmp(err, field, strlen(field)) &&
		      err[strlen(field)] == ':');
}

/* Runs CALL (which uses err and n) once per error buffer size. */
#define EACH_ERR(field, CALL)                                 \
	for (size_t e = 0; e < NERR; e++) {                   \
		char *err = errsz[e] ? errs[e] : NULL;        \
		size_t n = errsz[e];                          \
		int ret;                                      \
		if (err)                                      \
			memset(err, 'x', n);                  \
		ret = CALL;                                   \
		CHECK(ret == 0 || ret == -EINVAL || ret > 0); \
		if (err)                                      \
			check_err(ret, err, n, field);        \
		if (e + 1 < NERR)                             \
			continue;                             \
		last = ret;                                   \
	}

static unsigned int bits_of(int family)
{
	return family == AF_INET ? 32 : 128;
}

static void check_prefix(const char *s, bool strict)
{
	uint8_t addr[16], a2[16];
	unsigned int len = 999, l2;
	int family = -1, f2, last = 0;
	char buf[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN];

	EACH_ERR("cidr",
		 tn_v_cidr("cidr", s, strict, &family, addr, &len, err, n));
	if (last) {
		CHECK(family == -1 && len == 999);
		return;
	}
	CHECK(family == AF_INET || family == AF_INET6);
	CHECK(len <= bits_of(family));
	if (!strict)
		CHECK(len > 0);
	if (family == AF_INET)
		for (int i = 4; i < 16; i++)
			CHECK(addr[i] == 0);
	for (unsigned int i = strict ? len : bits_of(family);
	     i < bits_of(family); i++)
		CHECK(!(addr[i / 8] & (0x80 >> (i % 8))));
	CHECK(tn_v_overlap(family, addr, len, family, addr, len));
	CHECK(!tn_v_overlap(family, addr, len,
			    family == AF_INET ? AF_INET6 : AF_INET, addr, len));
	/* Printed and read again: the same. */
	CHECK(inet_ntop(family, addr, txt, sizeof(txt)));
	snprintf(buf, sizeof(buf), "%s/%u", txt, len);
	CHECK(!tn_v_cidr("cidr", buf, strict, &f2, a2, &l2, NULL, 0));
	CHECK(f2 == family && l2 == len && !memcmp(a2, addr, 16));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (size_t e = 0; e < NERR; e++)
		errs[e] = errsz[e] ? malloc(errsz[e]) : NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "veth", "direct", "access",
					     "uplink", NULL };
	char *s = malloc(size + 1);
	uint64_t u64, mask;
	uint32_t milli;
	uint16_t vid;
	uint8_t mac[6], addr[16];
	int family, last = 0;

	memcpy(s, data, size);
	s[size] = '\0';

	(void)tn_v_unlimited(s);
	EACH_ERR("name", tn_v_name(s, err, n));
	if (!last) {
		size_t len = strlen(s);

		CHECK(len >= 1 && len <= TN_NAME_MAX);
		CHECK((s[0] >= 'a' && s[0] <= 'z') ||
		      (s[0] >= '0' && s[0] <= '9'));
	}
	EACH_ERR("ifname", tn_v_ifname("ifname", s, err, n));
	if (!last) {
		CHECK(strlen(s) >= 1 && strlen(s) <= 15);
		CHECK(!strchr(s, '/') && !strchr(s, ':'));
	}

	vid = 0;
	EACH_ERR("vlan", tn_v_vlan("vlan", s, &vid, err, n));
	CHECK(last ? vid == 0 : vid >= 1 && vid <= 4094);

	u64 = 0;
	EACH_ERR("memory", tn_v_size("memory", s, &u64, err, n));
	CHECK(last ? u64 == 0 : u64 >= 1 && u64 <= TN_V_SIZE_MAX);
	u64 = 0;
	EACH_ERR("memory", tn_v_size_in("memory", s, 32ULL << 20, TN_V_SIZE_MAX,
					&u64, err, n));
	CHECK(last ? u64 == 0 : u64 >= 32ULL << 20 && u64 <= TN_V_SIZE_MAX);
	EACH_ERR("path", tn_v_path("path", s, 108, err, n));
	CHECK(last || (strlen(s) >= 1 && strlen(s) <= 108));
	u64 = 0;
	EACH_ERR("rate", tn_v_rate("rate", s, &u64, err, n));
	CHECK(last ? u64 == 0 : u64 >= TN_V_RATE_MIN && u64 <= TN_V_RATE_MAX);
	u64 = 0;
	EACH_ERR("pps", tn_v_count("pps", s, 1, TN_V_PPS_MAX, &u64, err, n));
	CHECK(last ? u64 == 0 : u64 >= 1 && u64 <= TN_V_PPS_MAX);
	for (unsigned int cores = 0; cores <= 64; cores += 16) {
		milli = 0;
		EACH_ERR("cpu", tn_v_cpu("cpu", s, cores, &milli, err, n));
		CHECK(last ? milli == 0 : milli >= 1 && milli <= cores * 1000);
		mask = 0;
		EACH_ERR("cpuset",
			 tn_v_cpuset("cpuset", s, cores, &mask, err, n));
		CHECK(last ? mask == 0 :
			     mask != 0 && (cores >= 64 ||
					   !(mask >> (cores ? cores : 1))));
	}
	check_prefix(s, true);
	check_prefix(s, false);
	family = -1;
	EACH_ERR("via", tn_v_ip("via", s, &family, addr, err, n));
	CHECK(last ? family == -1 : family == AF_INET || family == AF_INET6);
	memset(mac, 0, 6);
	EACH_ERR("uplink-mac", tn_v_mac("uplink-mac", s, mac, err, n));
	CHECK(last ? !memcmp(mac, "\0\0\0\0\0", 6) :
		     !(mac[0] & 1) && memcmp(mac, "\0\0\0\0\0", 6));
	EACH_ERR("mode", tn_v_keyword("mode", s, words, err, n));
	CHECK(last == -EINVAL ||
	      (last >= 0 && last < 4 && !strcmp(words[last], s)));
	free(s);
	return 0;
}
