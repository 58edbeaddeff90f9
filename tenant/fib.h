/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forwarding tables of tenet-router: longest-prefix match of a destination
 * address to a 32-bit next-hop index. Each router thread owns its tables,
 * so nothing here locks.
 *
 * IPv4 (fib4.c) is DIR-24-8: a lookup reads at most two table entries.
 * IPv6 (fib6.c) is a multibit trie, stride 8, with bitmap-compressed nodes
 * and path compression of lone prefixes into leaves.
 */
#ifndef TENET_FIB_H
#define TENET_FIB_H

#include <stddef.h>
#include <stdint.h>

/* The API as the issue states it, kept in its layout. */
/* clang-format off */
#define FIB_NONE UINT32_MAX        /* lookup found no route */
#define FIB_NH_MAX ((1u << 24) - 2) /* largest next-hop index a route can carry */
/* (not 2^24 - 1: IPv4 entries hold nh + 1 in 24 bits, so that an all-zero
 * entry, what an untouched page reads as, means "no route") */

struct fib4;
struct fib4 *fib4_create(void);             /* NULL with errno on failure */
void fib4_destroy(struct fib4 *f);
/* addr in host byte order, len 0..32; host bits beyond len are ignored.
 * Adding an existing (addr, len) replaces its next hop. 0 or -errno
 * (-EINVAL bad len or nh > FIB_NH_MAX, -ENOSPC out of second-level tables, -ENOMEM). */
int fib4_add(struct fib4 *f, uint32_t addr, unsigned int len, uint32_t nh);
int fib4_del(struct fib4 *f, uint32_t addr, unsigned int len); /* -ENOENT if absent */
static inline uint32_t fib4_lookup(const struct fib4 *f, uint32_t addr); /* FIB_NONE if no route */
size_t fib4_routes(const struct fib4 *f);   /* number of prefixes held */
size_t fib4_memory(const struct fib4 *f);   /* bytes of tables actually touched/allocated, for stats */

struct fib6;  /* same API with const uint8_t addr[16] (network order) and len 0..128 */
struct fib6 *fib6_create(void);
void fib6_destroy(struct fib6 *f);
int fib6_add(struct fib6 *f, const uint8_t addr[16], unsigned int len, uint32_t nh);
int fib6_del(struct fib6 *f, const uint8_t addr[16], unsigned int len);
uint32_t fib6_lookup(const struct fib6 *f, const uint8_t addr[16]);  /* may be inline */
size_t fib6_routes(const struct fib6 *f);
size_t fib6_memory(const struct fib6 *f);
/* clang-format on */

/* The next hop of exactly (addr, len), host bits ignored; FIB_NONE if that
 * prefix is not held (or len is out of range). The control plane needs it
 * to release the next hop a route held when it is replaced or deleted. */
uint32_t fib4_get(const struct fib4 *f, uint32_t addr, unsigned int len);
uint32_t fib6_get(const struct fib6 *f, const uint8_t addr[16],
		  unsigned int len);

/*
 * IPv4 layout, public only so that fib4_lookup can be inlined into the
 * forwarding loop; everything else belongs to fib4.c.
 *
 * An entry is 4 bytes: bits 0-23 hold nh + 1 (0: no route) or, with
 * FIB4_GROUP, the index of a 256-entry second-level group; bits 24-29 the
 * length of the prefix that wrote it, which add and delete need to know
 * what a range may be overwritten with.
 *
 * Prefixes up to FIB4_SHORT_MAX long never enter tbl24: a /0 would have to
 * write all 2^24 entries (64 MB) and a /8 65536 of them. They live in
 * fallback[first octet] instead, read when a tbl24 entry is empty. Groups are
 * filled with the fallback entry where no longer prefix covers an address, so
 * a lookup never reads a third table.
 */
#define FIB4_VAL_MASK 0x00ffffffu
#define FIB4_DEPTH_SHIFT 24
#define FIB4_GROUP (1u << 31)
#define FIB4_SHORT_MAX 8

struct fib4_ctl;

struct fib4 {
	uint32_t *tbl24; /* 2^24 entries by top 24 bits, MAP_NORESERVE */
	uint32_t *tbl8; /* groups of 256 entries by the last octet */
	struct fib4_ctl *ctl; /* control plane, private to fib4.c */
	uint32_t fallback[1u << FIB4_SHORT_MAX];
};

static inline uint32_t fib4_lookup(const struct fib4 *f, uint32_t addr)
{
	uint32_t e = f->tbl24[addr >> 8];

	if (e & FIB4_GROUP)
		e = f->tbl8[(size_t)(e & FIB4_VAL_MASK) << 8 | (addr & 0xff)];
	else if (!e)
		e = f->fallback[addr >> (32 - FIB4_SHORT_MAX)];
	/* an empty entry yields 0 - 1, which is FIB_NONE */
	return (e & FIB4_VAL_MASK) - 1;
}

#endif
