/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of the values operators type into tenetctl and tenetd's API.
 *
 * Each validator returns 0 (tn_v_keyword: the index of the word) or -EINVAL.
 * On -EINVAL it writes one sentence into err (n bytes, always NUL-terminated
 * when n > 0, may be NULL) that names the field, says what is allowed and
 * quotes what was given, e.g.
 *   vlan: must be a number from 1 to 4094, not "4095"
 * The quote is safe to print: non-printable bytes become '?' and inputs over
 * 40 characters are cut with "...". A NULL input is treated as "".
 * Output arguments are only written on success.
 */
#ifndef TENET_VALIDATE_H
#define TENET_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_NAME_MAX 32
/* Large enough for every message, so callers need not worry about cuts. */
#define TN_V_ERR_MAX 256

/* Limits the data path and the kernel impose, for the CLI's help text. */
#define TN_V_SIZE_MAX (1ULL << 40)
#define TN_V_RATE_MIN 1000ULL /* tn_policer_config()'s minimum */
#define TN_V_RATE_MAX 400000000000ULL
#define TN_V_PPS_MAX 100000000ULL
#define TN_V_PIDS_MAX 4194304ULL /* the kernel's PID_MAX_LIMIT */

/*
 * No limit at all only when asked for: the word TN_V_UNLIMITED (kept as
 * 0). The limits a tenant gets otherwise are tenant add's defaults in the
 * command table (lib/ctl_cmds.c).
 */
#define TN_V_UNLIMITED "unlimited"

/* Back to what a key is when it is not given (burst). */
#define TN_V_DEFAULT "default"

/* True for TN_V_UNLIMITED, which cpu, memory, pids, rate and pps take. */
bool tn_v_unlimited(const char *s);

/* Tenant name: 1..32 of [a-z0-9_.-], starting with [a-z0-9]; field "name". */
int tn_v_name(const char *s, char *err, size_t n);
/* Linux interface name: 1..15 bytes, no '/', ':', white space or control
 * characters, not "." or "..". */
int tn_v_ifname(const char *field, const char *s, char *err, size_t n);
/* 802.1Q VLAN ID 1..4094. */
int tn_v_vlan(const char *field, const char *s, uint16_t *vid, char *err,
	      size_t n);
/* Bytes: N, NK, NM or NG (or k, m, g), binary multiples, 1..1024G. */
int tn_v_size(const char *field, const char *s, uint64_t *bytes, char *err,
	      size_t n);
/* The same in [min, max]; the sentence names both, like "32M to 1024G". */
int tn_v_size_in(const char *field, const char *s, uint64_t min, uint64_t max,
		 uint64_t *bytes, char *err, size_t n);
/* A path of 1..max bytes. */
int tn_v_path(const char *field, const char *s, size_t max, char *err,
	      size_t n);
/* Bits/s: N, Nk (or NK), NM or NG, decimal multiples, 1000..400G. */
int tn_v_rate(const char *field, const char *s, uint64_t *bps, char *err,
	      size_t n);
/*
 * A burst, a size or a time: N, NK, NM or NG bytes (binary, as tn_v_size)
 * from min_bytes to TN_V_SIZE_MAX, or Nus, Nms or Ns from 1us to max_ns.
 * *is_time says which *v is: ns or bytes.
 */
int tn_v_burst(const char *field, const char *s, uint64_t min_bytes,
	       uint64_t max_ns, uint64_t *v, bool *is_time, char *err,
	       size_t n);
/* Plain decimal in [min, max]: pps 1..TN_V_PPS_MAX, pids 1..TN_V_PIDS_MAX. */
int tn_v_count(const char *field, const char *s, uint64_t min, uint64_t max,
	       uint64_t *v, char *err, size_t n);
/* CPUs as "2", "0.5", "1.25": over 0, at most host_cores, at most three
 * decimals; *millicores gets e.g. 1250. */
int tn_v_cpu(const char *field, const char *s, unsigned int host_cores,
	     uint32_t *millicores, char *err, size_t n);
/* CPU list "0", "0-1", "0,2-3": every CPU below host_cores and below 64,
 * ranges low-high with low <= high; bit i of *mask is CPU i. */
int tn_v_cpuset(const char *field, const char *s, unsigned int host_cores,
		uint64_t *mask, char *err, size_t n);
/*
 * ADDR/LEN, IPv4 or IPv6. strict (prefixes, routes): host bits must be zero
 * and addr gets the prefix. !strict (interface addresses): addr keeps the
 * host bits, /0 is refused, and so is an IPv4 network or broadcast address
 * of a /1../30 subnet.
 */
int tn_v_cidr(const char *field, const char *s, bool strict, int *family,
	      uint8_t addr[16], unsigned int *len, char *err, size_t n);
/* IPv4 or IPv6 address, as tn_parse_ip() returns it. */
int tn_v_ip(const char *field, const char *s, int *family, uint8_t addr[16],
	    char *err, size_t n);
/* aa:bb:cc:dd:ee:ff, unicast and not all zero. */
int tn_v_mac(const char *field, const char *s, uint8_t mac[6], char *err,
	     size_t n);
/* Returns the index of s in the NULL-terminated list allowed (exact,
 * case-sensitive match) or -EINVAL. */
int tn_v_keyword(const char *field, const char *s, const char *const *allowed,
		 char *err, size_t n);
/* Two prefixes overlap if one contains the other; never across families. */
bool tn_v_overlap(int fam1, const uint8_t *a1, unsigned int len1, int fam2,
		  const uint8_t *a2, unsigned int len2);

#endif
