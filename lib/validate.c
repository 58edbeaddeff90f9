// SPDX-License-Identifier: GPL-2.0
/*
 * What operators type, checked before anything is configured. The number and
 * address grammar lives in parse.c; this file adds the per-field limits and
 * a message that tells the operator what to type instead.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "parse.h"
#include "validate.h"

#define QUOTE_MAX 40

/*
 * Writes "FIELD: <what>, not "<s>"" into err. The input is quoted because it
 * may be empty or contain spaces; bytes a terminal could act on become '?'.
 */
static int __attribute__((format(printf, 5, 6)))
fail(char *err, size_t n, const char *field, const char *s, const char *fmt,
     ...)
{
	char what[TN_V_ERR_MAX], q[QUOTE_MAX + 4];
	size_t i;
	va_list ap;

	if (!err || !n)
		return -EINVAL;
	for (i = 0; s && s[i] && i < QUOTE_MAX; i++) {
		unsigned char c = s[i];

		q[i] = c < 0x20 || c >= 0x7f ? '?' : c;
	}
	strcpy(q + i, s && s[i] ? "..." : "");
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(err, n, "%.32s: %s, not \"%s\"", field, what, q);
	return -EINVAL;
}

/* parse.c takes whole strings; this cuts out a piece of one to hand over. */
static int copy_span(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int tn_v_name(const char *s, char *err, size_t n)
{
	size_t len = s ? strlen(s) : 0;

	for (size_t i = 0; i < len && len <= TN_NAME_MAX; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i && (c == '_' || c == '.' || c == '-'))
			continue;
		len = 0;
	}
	if (len && len <= TN_NAME_MAX)
		return 0;
	/* one sentence for every cause: it lists everything that is allowed */
	return fail(
		err, n, "name", s,
		"must be 1 to %d lower-case letters, digits, '_', '.' or '-', "
		"starting with a letter or digit",
		TN_NAME_MAX);
}

int tn_v_ifname(const char *field, const char *s, char *err, size_t n)
{
	size_t len = s ? strlen(s) : 0;
	bool ok = len && len < 16 && strcmp(s, ".") && strcmp(s, "..");

	/* the kernel's dev_valid_name(), plus control bytes nobody means */
	for (size_t i = 0; ok && i < len; i++) {
		unsigned char c = s[i];

		ok = c != '/' && c != ':' && c > ' ' && c != 0x7f;
	}
	if (ok)
		return 0;
	return fail(err, n, field, s,
		    "must be an interface name of 1 to 15 bytes without '/', "
		    "':' or spaces");
}

bool tn_v_unlimited(const char *s)
{
	return s && !strcmp(s, TN_V_UNLIMITED);
}

int tn_v_count(const char *field, const char *s, uint64_t min, uint64_t max,
	       uint64_t *v, char *err, size_t n)
{
	if (!tn_parse_u64(s, min, max, v))
		return 0;
	return fail(err, n, field, s, "must be a number from %llu to %llu",
		    (unsigned long long)min, (unsigned long long)max);
}

int tn_v_vlan(const char *field, const char *s, uint16_t *vid, char *err,
	      size_t n)
{
	uint64_t v;
	int ret = tn_v_count(field, s, 1, 4094, &v, err, n);

	if (!ret)
		*vid = (uint16_t)v;
	return ret;
}

struct suffix {
	char c;
	uint64_t mul;
};

/*
 * DIGITS[SUFFIX] with the value in [min, max]. The digits are range-checked
 * against max / mul before multiplying, so the product cannot overflow.
 */
static int parse_scaled(const char *s, const struct suffix *sfx, uint64_t min,
			uint64_t max, uint64_t *out)
{
	size_t digits = s ? strspn(s, "0123456789") : 0;
	uint64_t mul = 1, v;
	char buf[32];

	if (!digits || copy_span(buf, sizeof(buf), s, digits))
		return -EINVAL;
	if (s[digits]) {
		while (sfx->c && sfx->c != s[digits])
			sfx++;
		if (!sfx->c || s[digits + 1])
			return -EINVAL;
		mul = sfx->mul;
	}
	if (tn_parse_u64(buf, 0, max / mul, &v) || v * mul < min)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* "32M", "1024G", "1536K": v in the largest unit that divides it. */
static const char *fmt_size(uint64_t v, char *buf, size_t n)
{
	static const char units[] = "GMK";

	for (int i = 0; i < 3; i++) {
		uint64_t mul = 1ULL << (10 * (3 - i));

		if (v >= mul && !(v % mul)) {
			snprintf(buf, n, "%llu%c",
				 (unsigned long long)(v / mul), units[i]);
			return buf;
		}
	}
	snprintf(buf, n, "%llu", (unsigned long long)v);
	return buf;
}

int tn_v_size_in(const char *field, const char *s, uint64_t min, uint64_t max,
		 uint64_t *bytes, char *err, size_t n)
{
	static const struct suffix sfx[] = {
		{ 'K', 1ULL << 10 },
		{ 'k', 1ULL << 10 },
		{ 'M', 1ULL << 20 },
		{ 'm', 1ULL << 20 },
		{ 'G', 1ULL << 30 },
		{ 'g', 1ULL << 30 },
		{ 0, 0 },
	};

	char lo[24], hi[24];

	if (!parse_scaled(s, sfx, min, max, bytes))
		return 0;
	return fail(err, n, field, s,
		    "must be a whole number of bytes from %s to %s, "
		    "optionally with K, M or G (1K = 1024)",
		    fmt_size(min, lo, sizeof(lo)),
		    fmt_size(max, hi, sizeof(hi)));
}

int tn_v_size(const char *field, const char *s, uint64_t *bytes, char *err,
	      size_t n)
{
	return tn_v_size_in(field, s, 1, TN_V_SIZE_MAX, bytes, err, n);
}

int tn_v_path(const char *field, const char *s, size_t max, char *err, size_t n)
{
	size_t len = s ? strlen(s) : 0;

	if (len && len <= max)
		return 0;
	return fail(err, n, field, s, "must be a path of 1 to %zu bytes", max);
}

int tn_v_rate(const char *field, const char *s, uint64_t *bps, char *err,
	      size_t n)
{
	/* no 'm' or 'g': to some people "m" means milli */
	static const struct suffix sfx[] = {
		{ 'k', 1000ULL },	{ 'K', 1000ULL }, { 'M', 1000000ULL },
		{ 'G', 1000000000ULL }, { 0, 0 },
	};

	if (!parse_scaled(s, sfx, TN_V_RATE_MIN, TN_V_RATE_MAX, bps))
		return 0;
	return fail(err, n, field, s,
		    "must be a whole number of bits/s from 1000 to 400G, "
		    "optionally with k, M or G (1k = 1000)");
}

int tn_v_burst(const char *field, const char *s, uint64_t min_bytes,
	       uint64_t max_ns, uint64_t *v, bool *is_time, char *err, size_t n)
{
	static const struct {
		const char *sfx;
		uint64_t mul;
	} units[] = { { "us", 1000ULL },
		      { "ms", 1000000ULL },
		      { "s", 1000000000ULL } };
	size_t digits = s ? strspn(s, "0123456789") : 0;
	char lo[24], hi[24], buf[32];
	uint64_t t;

	/* A time: digits and a unit; anything else is taken for a size. */
	for (size_t i = 0; digits && i < sizeof(units) / sizeof(units[0]);
	     i++) {
		if (strcmp(s + digits, units[i].sfx))
			continue;
		if (!copy_span(buf, sizeof(buf), s, digits) &&
		    !tn_parse_u64(buf, 1, max_ns / units[i].mul, &t)) {
			*v = t * units[i].mul;
			*is_time = true;
			return 0;
		}
		break;
	}
	if (!tn_v_size_in(field, s, min_bytes, TN_V_SIZE_MAX, v, NULL, 0)) {
		*is_time = false;
		return 0;
	}
	if (max_ns % 1000000000ULL)
		snprintf(buf, sizeof(buf), "%lluus",
			 (unsigned long long)(max_ns / 1000));
	else
		snprintf(buf, sizeof(buf), "%llus",
			 (unsigned long long)(max_ns / 1000000000ULL));
	return fail(err, n, field, s,
		    "must be a size from %s bytes to %s, optionally with K, M"
		    " or G (1K = 1024), or a time from 1us to %s (50ms)",
		    fmt_size(min_bytes, lo, sizeof(lo)),
		    fmt_size(TN_V_SIZE_MAX, hi, sizeof(hi)), buf);
}

/* INT[.FRAC] with FRAC of 1 to 3 digits, as millicores. */
static int parse_millis(const char *s, unsigned int max_units, uint32_t *out)
{
	const char *dot;
	uint32_t units, frac = 0;
	char buf[16];

	if (!s)
		return -EINVAL;
	dot = strchr(s, '.');
	if (copy_span(buf, sizeof(buf), s,
		      dot ? (size_t)(dot - s) : strlen(s)) ||
	    tn_parse_u32(buf, 0, max_units, &units))
		return -EINVAL;
	if (dot) {
		size_t flen = strlen(dot + 1);

		/* "5" is 500 millis: pad on the right, not the left */
		if (!flen || flen > 3)
			return -EINVAL;
		memcpy(buf, "000", 4);
		memcpy(buf, dot + 1, flen);
		if (tn_parse_u32(buf, 0, 999, &frac))
			return -EINVAL;
	}
	*out = units * 1000 + frac;
	return 0;
}

int tn_v_cpu(const char *field, const char *s, unsigned int host_cores,
	     uint32_t *millicores, char *err, size_t n)
{
	uint32_t m;

	if (host_cores > UINT32_MAX / 1000)
		host_cores = UINT32_MAX / 1000;
	if (!parse_millis(s, host_cores, &m) && m && m <= host_cores * 1000) {
		*millicores = m;
		return 0;
	}
	return fail(err, n, field, s,
		    "must be a number of CPUs from 0.001 to %u with at most "
		    "3 decimals",
		    host_cores);
}

int tn_v_cpuset(const char *field, const char *s, unsigned int host_cores,
		uint64_t *mask, char *err, size_t n)
{
	unsigned int ncpu = host_cores < 64 ? host_cores : 64;
	const char *p = s ? s : "";
	uint64_t m = 0;

	while (ncpu) {
		size_t plen = strcspn(p, ","), dash = strcspn(p, "-");
		uint32_t lo, hi;
		char buf[16];

		if (dash > plen)
			dash = plen;
		if (copy_span(buf, sizeof(buf), p, dash) ||
		    tn_parse_u32(buf, 0, ncpu - 1, &lo))
			break;
		hi = lo;
		if (dash < plen && (copy_span(buf, sizeof(buf), p + dash + 1,
					      plen - dash - 1) ||
				    tn_parse_u32(buf, lo, ncpu - 1, &hi)))
			break;
		m |= (hi == 63 ? ~0ULL : (2ULL << hi) - 1) &
		     ~((1ULL << lo) - 1);
		if (!p[plen]) {
			*mask = m;
			return 0;
		}
		p += plen + 1;
	}
	if (!ncpu)
		return fail(err, n, field, s, "must be empty: no CPUs known");
	return fail(err, n, field, s,
		    "must be a list of CPUs from 0 to %u like 0,2-3 with "
		    "ranges low-high",
		    ncpu - 1);
}

static bool bit(const uint8_t *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

/* Whether the bits from len to the end of an IPv4 address are all equal to
 * one: 0 for a network address, 1 for a broadcast address. */
static bool host_bits_all(const uint8_t *a, unsigned int len, bool one)
{
	for (unsigned int i = len; i < 32; i++)
		if (bit(a, i) != one)
			return false;
	return true;
}

int tn_v_cidr(const char *field, const char *s, bool strict, int *family,
	      uint8_t addr[16], unsigned int *len, char *err, size_t n)
{
	uint8_t a[16];
	unsigned int l;
	char buf[64];
	int fam;

	if (tn_parse_prefix(s, 0, &fam, a, &l))
		return fail(err, n, field, s,
			    "must be ADDR/LEN with an IPv4 address and LEN 0 "
			    "to 32, or an IPv6 address and LEN 0 to 128");
	if (strict && tn_parse_prefix(s, 1, &fam, a, &l))
		return fail(err, n, field, s,
			    "must have no address bits set past the prefix "
			    "length, like 10.0.0.0/24");
	if (!strict) {
		/* tn_parse_prefix() cleared the host bits; this wants them */
		if (copy_span(buf, sizeof(buf), s, strcspn(s, "/")) ||
		    tn_parse_ip(buf, &fam, a))
			return -EINVAL; /* cannot happen: parsed above */
		if (!l)
			return fail(err, n, field, s,
				    "must have a prefix length of at least 1");
		/* /31 and /32 have no network or broadcast address (RFC 3021) */
		if (fam == AF_INET && l <= 30 &&
		    (host_bits_all(a, l, 0) || host_bits_all(a, l, 1)))
			return fail(
				err, n, field, s,
				"must be a usable host address of its subnet, "
				"like .1 to .254 in a /24");
	}
	*family = fam;
	memcpy(addr, a, 16);
	*len = l;
	return 0;
}

int tn_v_ip(const char *field, const char *s, int *family, uint8_t addr[16],
	    char *err, size_t n)
{
	uint8_t a[16];
	int fam;

	if (tn_parse_ip(s, &fam, a))
		return fail(err, n, field, s,
			    "must be an IPv4 or IPv6 address");
	*family = fam;
	memcpy(addr, a, 16);
	return 0;
}

int tn_v_mac(const char *field, const char *s, uint8_t mac[6], char *err,
	     size_t n)
{
	static const uint8_t zero[6];
	uint8_t m[6];

	/* multicast or zero as a source MAC: neighbours would drop our frames */
	if (tn_parse_mac(s, m) || (m[0] & 1) || !memcmp(m, zero, 6))
		return fail(err, n, field, s,
			    "must be a unicast, non-zero MAC address like "
			    "02:00:00:00:00:01");
	memcpy(mac, m, 6);
	return 0;
}

int tn_v_keyword(const char *field, const char *s, const char *const *allowed,
		 char *err, size_t n)
{
	char list[TN_V_ERR_MAX] = "";
	size_t used = 0;
	int i;

	for (i = 0; s && allowed[i]; i++)
		if (!strcmp(s, allowed[i]))
			return i;
	/* "a", "a or b", "a, b or c" */
	for (i = 0; allowed[i] && used < sizeof(list); i++)
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 !i		? "" :
				 allowed[i + 1] ? ", " :
						  " or ",
				 allowed[i]);
	return fail(err, n, field, s, "must be %s", list);
}

bool tn_v_overlap(int fam1, const uint8_t *a1, unsigned int len1, int fam2,
		  const uint8_t *a2, unsigned int len2)
{
	unsigned int bits = fam1 == AF_INET ? 32 : 128;
	unsigned int len = len1 < len2 ? len1 : len2;

	if (fam1 != fam2)
		return false;
	if (len > bits)
		len = bits;
	/* one contains the other iff they agree on the shorter prefix */
	if (memcmp(a1, a2, len / 8))
		return false;
	for (unsigned int i = len / 8 * 8; i < len; i++)
		if (bit(a1, i) != bit(a2, i))
			return false;
	return true;
}
