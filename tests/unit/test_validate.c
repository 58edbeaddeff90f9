// SPDX-License-Identifier: GPL-2.0
/*
 * lib/validate.c: every value from the tenetctl grammar is accepted with the
 * right result, and every bad one is refused with a message that starts with
 * the field, says what is allowed and quotes the input safely.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "parse.h"
#include "validate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TOO_BIG "99999999999999999999" /* over 2^64 */
#define TOO_BIG_G TOO_BIG "G"
#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
#define TIB (1ULL << 40)
#define GBIT 1000000000ULL
#define NAME32 "abcdefghijklmnopqrstuvwxyz012345"
#define NAME33 NAME32 "6"

/* Inputs the quote shows verbatim: short and printable. */
static bool verbatim(const char *in)
{
	if (!in || strlen(in) > 40)
		return false;
	for (; *in; in++)
		if (*in < 0x20 || *in >= 0x7f)
			return false;
	return true;
}

/* rc is -EINVAL and err is "FIELD: ...NEEDLE..., not "IN"". */
static void refused(int rc, const char *err, const char *field,
		    const char *needle, const char *in)
{
	char want[128];

	if (rc != -EINVAL)
		fail_msg("%s \"%s\": rc %d, want -EINVAL", field, in, rc);
	snprintf(want, sizeof(want), "%s: ", field);
	if (strstr(err, want) != err || !strstr(err, needle))
		fail_msg("%s \"%s\": message \"%s\" lacks \"%s\"", field, in,
			 err, needle);
	snprintf(want, sizeof(want), ", not \"%s\"", in ? in : "");
	if (verbatim(in) && !strstr(err, want))
		fail_msg("%s \"%s\": message \"%s\" lacks the input", field, in,
			 err);
	assert_true(strlen(err) < TN_V_ERR_MAX);
}

static char err[TN_V_ERR_MAX];

static void test_name(void **state)
{
	static const char *const ok[] = {
		"a", "t1", "0abc", "tenant-a.b_c", NAME32,
	};
	static const char *const bad[] = {
		"",    NAME33, "a/b",	    "a b", "a;rm", "$(x)",
		"`x`", "a|b",  "UPPER",	    "Abc", "-a",   "_a",
		".a",  "a\n",  "a&b",	    "a>b", "a'b",  "a\"b",
		"a*",  "..",   "a\xc3\xa9", NULL,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		assert_int_equal(tn_v_name(ok[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_name(bad[i], err, sizeof(err)), err, "name",
			"1 to 32 lower-case letters, digits", bad[i]);
}

static void test_ifname(void **state)
{
	static const char *const ok[] = {
		"a", "eth0", "enp1s0f0", "veth-t1.100", "abcdefghijklmno",
	};
	static const char *const bad[] = {
		"",	 "abcdefghijklmnop",
		"a/b",	 "a:1",
		"a b",	 "a\tb",
		".",	 "..",
		"a\x01", "a\x7f",
		NULL,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		assert_int_equal(tn_v_ifname("access", ok[i], err, sizeof(err)),
				 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_ifname("uplink", bad[i], err, sizeof(err)), err,
			"uplink", "1 to 15 bytes without '/', ':'", bad[i]);
}

static void test_vlan(void **state)
{
	static const struct {
		const char *in;
		uint16_t want;
	} ok[] = { { "1", 1 }, { "100", 100 }, { "4094", 4094 } };
	static const char *const bad[] = {
		"0", "4095", "4096", "abc", "-1",    " 1", "1 ",
		"",  "+1",   "0x10", "1e3", TOO_BIG, NULL,
	};
	static const char *const fields[] = {
		"vlan",
		"inner-vlan",
		"uplink-vlan",
	};
	uint16_t vid;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_vlan("vlan", ok[i].in, &vid, err, 64), 0);
		assert_int_equal(vid, ok[i].want);
	}
	for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
		for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
			refused(tn_v_vlan(fields[f], bad[i], &vid, err,
					  sizeof(err)),
				err, fields[f], "a number from 1 to 4094",
				bad[i]);
	/* outputs are only written on success */
	assert_int_equal(vid, 4094);
	tn_v_vlan("vlan", "4095", &vid, err, sizeof(err));
	assert_string_equal(err, "vlan: must be a number from 1 to 4094, "
				 "not \"4095\"");
}

struct u64_case {
	const char *in;
	uint64_t want;
};

typedef int (*u64_fn)(const char *field, const char *s, uint64_t *v, char *err,
		      size_t n);

/* tn_v_size() and tn_v_rate() share a signature and so this driver. */
static void check_u64(u64_fn fn, const char *field, const char *needle,
		      const struct u64_case *ok, size_t nok,
		      const char *const *bad, size_t nbad)
{
	uint64_t v;

	for (size_t i = 0; i < nok; i++) {
		if (fn(field, ok[i].in, &v, err, sizeof(err)))
			fail_msg("%s \"%s\" refused: %s", field, ok[i].in, err);
		assert_int_equal(v, ok[i].want);
	}
	for (size_t i = 0; i < nbad; i++)
		refused(fn(field, bad[i], &v, err, sizeof(err)), err, field,
			needle, bad[i]);
}

static void test_size(void **state)
{
	static const struct u64_case ok[] = {
		{ "1", 1 },
		{ "4096", 4096 },
		{ "1K", 1024 },
		{ "1k", 1024 },
		{ "512M", 512 * MIB },
		{ "512m", 512 * MIB },
		{ "1G", GIB },
		{ "2g", 2 * GIB },
		{ "1024G", TIB },
		{ "1048576M", TIB },
	};
	static const char *const bad[] = {
		"0",   "0K",	"10X",	   "1.5G",	    "K",    "-1M",
		"2T",  "1T",	"1025G",   "1KB",	    "1KiB", "1GB",
		" 1G", "1G ",	"",	   "1 G",	    "+1G",  "0x10",
		"1GG", TOO_BIG, TOO_BIG_G, "1099511627777", NULL,
	};

	(void)state;
	check_u64(tn_v_size, "memory",
		  "from 1 to 1024G, optionally with K, M or G (1K = 1024)", ok,
		  ARRAY_SIZE(ok), bad, ARRAY_SIZE(bad));
}

static void test_rate(void **state)
{
	static const struct u64_case ok[] = {
		{ "1000", 1000 },	{ "1k", 1000 },
		{ "1K", 1000 },		{ "10000", 10000 },
		{ "100M", 100000000 },	{ "1G", GBIT },
		{ "400G", 400 * GBIT }, { "400000000000", 400 * GBIT },
	};
	static const char *const bad[] = {
		"0",	 "999", "500G", "1.5G",
		"100Mb", "1m",	"1g",	"401G",
		"",	 "k",	"-1G",	"100 M",
		"0k",	 "1T",	NULL,	"400000000001",
	};

	(void)state;
	check_u64(tn_v_rate, "rate",
		  "bits/s from 1000 to 400G, optionally with k, M or G", ok,
		  ARRAY_SIZE(ok), bad, ARRAY_SIZE(bad));
}

static void test_count(void **state)
{
	static const struct {
		const char *field, *in;
		uint64_t max, want;
	} ok[] = {
		{ "pps", "1", TN_V_PPS_MAX, 1 },
		{ "pps", "100000000", TN_V_PPS_MAX, 100000000 },
		{ "pids", "4194304", TN_V_PIDS_MAX, 4194304 },
	};
	static const char *const bad[] = {
		"0", "1k", "-1", "", "1.0", " 1", "1 ", "x", NULL, "4194305",
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_count(ok[i].field, ok[i].in, 1, ok[i].max,
					    &v, err, sizeof(err)),
				 0);
		assert_int_equal(v, ok[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_count("pids", bad[i], 1, TN_V_PIDS_MAX, &v, err,
				   sizeof(err)),
			err, "pids", "from 1 to 4194304", bad[i]);
	refused(tn_v_count("pps", "100000001", 1, TN_V_PPS_MAX, &v, err,
			   sizeof(err)),
		err, "pps", "from 1 to 100000000", "100000001");
}

static void test_cpu(void **state)
{
	static const struct {
		const char *in;
		uint32_t want;
	} ok[] = {
		{ "0.5", 500 }, { "2", 2000 },	 { "1.25", 1250 },
		{ "0.001", 1 }, { "1.0", 1000 }, { "2.000", 2000 },
		{ "0.1", 100 }, { "01", 1000 },
	};
	static const char *const bad[] = {
		"0",	 "-1",	  "3",	  "1.2345", "abc", "0.0001", "0.000",
		"2.001", ".5",	  "1.",	  "",	    "1,5", " 1",     "1 ",
		"1e3",	 "1.5.5", "1.-5", "1.5 ",   "2.5", NULL,
	};
	uint32_t m;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_cpu("cpu", ok[i].in, 2, &m, err, 64), 0);
		assert_int_equal(m, ok[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_cpu("cpu", bad[i], 2, &m, err, sizeof(err)), err,
			"cpu", "from 0.001 to 2 with at most 3 decimals",
			bad[i]);
	refused(tn_v_cpu("cpu", "1", 0, &m, err, sizeof(err)), err, "cpu",
		"to 0", "1");
	assert_int_equal(tn_v_cpu("cpu", "64", 64, &m, err, 64), 0);
	assert_int_equal(m, 64000);
}

static void test_cpuset(void **state)
{
	static const struct {
		const char *in;
		unsigned int cores;
		uint64_t want;
	} ok[] = {
		{ "0", 2, 0x1 },	   { "0-1", 2, 0x3 },
		{ "0,2-3", 4, 0xd },	   { "3", 4, 0x8 },
		{ "1-1", 2, 0x2 },	   { "3,0", 4, 0x9 },
		{ "0,0", 1, 0x1 },	   { "0-63", 64, ~0ULL },
		{ "63", 128, 1ULL << 63 }, { "62-63", 64, 3ULL << 62 },
	};
	static const char *const bad[] = {
		"2",  "1-0",   "0,,1", "0-", "64",  "",	  ",0", "0,",
		"-1", "0-1-1", " 0",   "a",  "0-2", "0 ", NULL,
	};
	uint64_t mask;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_cpuset("cpuset", ok[i].in, ok[i].cores,
					     &mask, err, 64),
				 0);
		assert_int_equal(mask, ok[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_cpuset("cpuset", bad[i], 2, &mask, err,
				    sizeof(err)),
			err, "cpuset", "CPUs from 0 to 1 like 0,2-3", bad[i]);
	/* CPUs past 63 do not fit the mask, however many the host has */
	refused(tn_v_cpuset("cpuset", "64", 128, &mask, err, sizeof(err)), err,
		"cpuset", "from 0 to 63", "64");
	refused(tn_v_cpuset("cpuset", "0", 0, &mask, err, sizeof(err)), err,
		"cpuset", "no CPUs", "0");
}

static void test_cidr(void **state)
{
	static const struct {
		const char *in;
		bool strict;
		int fam;
		const char *addr;
		unsigned int len;
	} ok[] = {
		{ "10.0.0.0/24", true, AF_INET, "10.0.0.0", 24 },
		{ "0.0.0.0/0", true, AF_INET, "0.0.0.0", 0 },
		{ "192.0.2.1/32", true, AF_INET, "192.0.2.1", 32 },
		{ "2001:db8::/32", true, AF_INET6, "2001:db8::", 32 },
		{ "::/0", true, AF_INET6, "::", 0 },
		/* interface addresses keep their host bits */
		{ "10.0.0.1/24", false, AF_INET, "10.0.0.1", 24 },
		{ "10.0.0.254/24", false, AF_INET, "10.0.0.254", 24 },
		{ "10.0.0.0/31", false, AF_INET, "10.0.0.0", 31 },
		{ "10.0.0.1/31", false, AF_INET, "10.0.0.1", 31 },
		{ "10.0.0.255/32", false, AF_INET, "10.0.0.255", 32 },
		{ "2001:db8::1/64", false, AF_INET6, "2001:db8::1", 64 },
		{ "2001:db8::/64", false, AF_INET6, "2001:db8::", 64 },
	};
	static const struct {
		const char *in;
		bool strict;
		const char *needle;
	} bad[] = {
		{ "10.0.0.1/24", true, "no address bits set past the prefix" },
		{ "2001:db8::1/32", true, "like 10.0.0.0/24" },
		{ "0.0.0.0/0", false, "prefix length of at least 1" },
		{ "::/0", false, "prefix length of at least 1" },
		{ "10.0.0.0/24", false, "host address" },
		{ "10.0.0.255/24", false, "usable host address of its subnet" },
		{ "10.255.255.255/8", false, "host address" },
		{ "128.0.0.0/1", false, "host address" },
		{ "10.0.0.3/30", false, "host address" },
	};
	static const char *const malformed[] = {
		"10.0.0.0",	"10.0.0.0/33",	 "1.2.3/24",
		"::1/129",	"10.0.0.0/24/1", "",
		"/24",		"10.0.0.0/",	 "10.0.0.0/-1",
		"10.0.0.0/ 24", "10.0.0.256/24", NULL,
	};
	uint8_t a[16], want[16];
	unsigned int len;
	int fam, wfam;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
		refused(tn_v_cidr("prefix", malformed[i], true, &fam, a, &len,
				  err, sizeof(err)),
			err, "prefix",
			"must be ADDR/LEN with an IPv4 address "
			"and LEN 0 to 32, or an IPv6 address and LEN 0 to 128",
			malformed[i]);
		refused(tn_v_cidr("uplink-addr", malformed[i], false, &fam, a,
				  &len, err, sizeof(err)),
			err, "uplink-addr", "ADDR/LEN", malformed[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_cidr("prefix", ok[i].in, ok[i].strict,
					   &fam, a, &len, err, 64),
				 0);
		assert_int_equal(tn_parse_ip(ok[i].addr, &wfam, want), 0);
		assert_int_equal(fam, ok[i].fam);
		assert_memory_equal(a, want, 16);
		assert_int_equal(len, ok[i].len);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *field = bad[i].strict ? "prefix" : "access-addr";

		refused(tn_v_cidr(field, bad[i].in, bad[i].strict, &fam, a,
				  &len, err, sizeof(err)),
			err, field, bad[i].needle, bad[i].in);
	}
}

static void test_ip(void **state)
{
	static const char *const ok[] = { "192.0.2.1", "2001:db8::1", "::" };
	static const char *const bad[] = {
		"10.0.0.256", "",	  "10.0.0.1/32", "1.2.3", "::g",
		" 1.2.3.4",   "1.2.3.4 ", "gateway",	 NULL,
	};
	uint8_t a[16], want[16];
	int fam, wfam;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		assert_int_equal(tn_v_ip("gateway", ok[i], &fam, a, err, 64),
				 0);
		assert_int_equal(tn_parse_ip(ok[i], &wfam, want), 0);
		assert_int_equal(fam, wfam);
		assert_memory_equal(a, want, 16);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_ip("via", bad[i], &fam, a, err, sizeof(err)), err,
			"via", "must be an IPv4 or IPv6 address", bad[i]);
}

static void test_mac(void **state)
{
	static const char *const bad[] = {
		"01:00:5e:00:00:01",
		"00:00:00:00:00:00",
		"zz:00:00:00:00:01",
		"ff:ff:ff:ff:ff:ff",
		"33:33:00:00:00:01",
		"02:00:00:00:00",
		"02:00:00:00:00:01 ",
		"",
		NULL,
	};
	uint8_t m[6];

	(void)state;
	assert_int_equal(
		tn_v_mac("uplink-mac", "02:aB:00:00:00:ff", m, err, 64), 0);
	assert_memory_equal(m, "\x02\xab\x00\x00\x00\xff", 6);
	assert_int_equal(
		tn_v_mac("uplink-mac", "fe:00:00:00:00:00", m, err, 64), 0);
	assert_memory_equal(m, "\xfe\x00\x00\x00\x00\x00", 6);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_mac("uplink-mac", bad[i], m, err, sizeof(err)),
			err, "uplink-mac", "unicast, non-zero MAC address",
			bad[i]);
}

static void test_keyword(void **state)
{
	static const char *const role[] = { "access", "uplink", NULL };
	static const char *const mode[] = { "veth", "direct", "other", NULL };
	static const char *const one[] = { "pass", NULL };
	static const char *const bad[] = {
		"x", "Access", "", "acc", "access ", NULL,
	};

	(void)state;
	assert_int_equal(tn_v_keyword("role", "access", role, err, 64), 0);
	assert_int_equal(tn_v_keyword("role", "uplink", role, err, 64), 1);
	assert_int_equal(tn_v_keyword("mode", "other", mode, err, 64), 2);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused(tn_v_keyword("role", bad[i], role, err, sizeof(err)),
			err, "role", "must be access or uplink", bad[i]);
	tn_v_keyword("role", "x", role, err, sizeof(err));
	assert_string_equal(err, "role: must be access or uplink, not \"x\"");
	tn_v_keyword("mode", "x", mode, err, sizeof(err));
	assert_string_equal(err,
			    "mode: must be veth, direct or other, not \"x\"");
	tn_v_keyword("default", "x", one, err, sizeof(err));
	assert_string_equal(err, "default: must be pass, not \"x\"");
}

static void test_overlap(void **state)
{
	static const struct {
		const char *a, *b;
		bool want;
	} cases[] = {
		{ "10.0.0.0/8", "10.1.0.0/16", true },
		{ "10.0.0.0/8", "10.0.0.0/8", true },
		{ "0.0.0.0/0", "192.0.2.1/32", true },
		{ "10.0.0.0/8", "11.0.0.0/8", false },
		{ "10.0.0.0/24", "10.0.1.0/24", false },
		{ "10.0.0.0/25", "10.0.0.128/25", false },
		{ "10.0.0.0/23", "10.0.1.0/24", true },
		{ "192.0.2.1/32", "192.0.2.2/32", false },
		{ "2001:db8::/32", "2001:db8:1::/48", true },
		{ "2001:db8::/32", "2001:db9::/32", false },
		{ "2001:db8::/33", "2001:db8:8000::/33", false },
		{ "::/0", "2001:db8::1/128", true },
		{ "2001:db8::1/128", "2001:db8::1/128", true },
		{ "0.0.0.0/0", "::/0", false },
		{ "10.0.0.0/8", "a00::/8", false },
	};
	uint8_t a[16], b[16];
	unsigned int la, lb;
	int fa, fb;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(tn_parse_prefix(cases[i].a, 1, &fa, a, &la),
				 0);
		assert_int_equal(tn_parse_prefix(cases[i].b, 1, &fb, b, &lb),
				 0);
		if (tn_v_overlap(fa, a, la, fb, b, lb) != cases[i].want ||
		    tn_v_overlap(fb, b, lb, fa, a, la) != cases[i].want)
			fail_msg("overlap %s %s: want %d", cases[i].a,
				 cases[i].b, cases[i].want);
	}
}

/* Whatever the input, the message is one printable line. */
static void test_quoting(void **state)
{
	char long_in[64];

	(void)state;
	refused(tn_v_name("a\x01\x1b[2J\x7f\xff", err, sizeof(err)), err,
		"name", "lower-case", NULL);
	assert_non_null(strstr(err, "not \"a??[2J??\""));
	memset(long_in, 'x', sizeof(long_in) - 1);
	long_in[sizeof(long_in) - 1] = '\0';
	long_in[45] = '\n';
	refused(tn_v_name(long_in, err, sizeof(err)), err, "name", "1 to 32",
		long_in);
	assert_non_null(strstr(err, "not \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				    "xxxxxx...\""));
	assert_null(strchr(err, '\n'));
	refused(tn_v_name(NULL, err, sizeof(err)), err, "name", "1 to 32", "");
}

/* A short buffer gets a cut, NUL-terminated message and nothing past it. */
static void test_truncation(void **state)
{
	uint64_t bytes;
	char buf[24];
	uint16_t vid;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(tn_v_vlan("vlan", "4095", &vid, buf, 8), -EINVAL);
	assert_string_equal(buf, "vlan: m");
	for (size_t i = 8; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x5a);

	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(tn_v_keyword("mode", "x",
				      (const char *const[]){ "a", "b", NULL },
				      buf, 1),
			 -EINVAL);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 0x5a);

	/* no buffer at all is allowed too */
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(tn_v_mac("mac", "", (uint8_t *)buf + 8, buf, 0),
			 -EINVAL);
	assert_int_equal(buf[0], 0x5a);
	assert_int_equal(tn_v_size("memory", "0", &bytes, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_cpuset),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_keyword),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
