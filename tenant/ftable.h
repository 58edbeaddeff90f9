/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The router's side of its fast table (include/tenet/fast.h): it puts in
 * the destinations it forwards to, with what it decided for them, and takes
 * out what a change of its routes, neighbours, links or addresses makes
 * wrong, before it goes on forwarding. nic_ingress forwards by what is
 * there; the router sees the rest.
 *
 * One table for all forwarding threads: each thread puts in what it
 * forwards and checks every entry against its own mirror when that
 * changes (a thread whose mirror is behind another's at worst takes out an
 * entry the other put in, which the next frame puts back).
 */
#ifndef TN_FTABLE_H
#define TN_FTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <tenet/fast.h>

struct router;
struct rt_if;

/* Shared by the threads: the table tenetd handed over, mapped, and which
 * of the router's interfaces has each role. */
struct ftable {
	_Atomic(union tn_fast_slot *) tab; /* NULL: none (yet) */
	size_t len;
	atomic_uint gen; /* bumped when tab changes */
	char ports[2][16]; /* interface names by enum tn_role */
	/* when each entry was last put in or used (s, CLOCK_MONOTONIC):
	 * what goes when a bucket is full */
	uint32_t stamp[TN_FAST_ENTRIES];
};

/* Maps the table fd (slots of them) and makes it the one in use; the
 * caller then waits for every thread to have seen it (ftable_seen) before
 * ftable_unmap(old). 0 or -errno. */
int ftable_attach(struct ftable *ft, int fd, uint32_t slots,
		  const char *const ports[2], union tn_fast_slot **old,
		  size_t *old_len);
void ftable_unmap(union tn_fast_slot *tab, size_t len);

/* Per thread, at the top of its loop: takes up a new table. */
void ftable_sync(struct router *r);
/* r has seen the table of generation gen. */
bool ftable_seen(const struct router *r, unsigned int gen);

/* The frame to dst (family's length) went out o to the next hop mac: the
 * same for the next ones, by XDP. */
void ftable_learn(struct router *r, const struct rt_if *o, uint8_t family,
		  const uint8_t *dst, const uint8_t *mac);
/* After routes, neighbours, links or addresses changed: every entry that
 * no longer says what this thread would do is taken out. */
void ftable_revalidate(struct router *r);
/* Every 100 ms: entries in use keep their neighbours resolved (the kernel
 * sees none of their frames) and their place in the table; thread 0 copies
 * what XDP forwarded into the router's counters. */
void ftable_tick(struct router *r);
/* Takes dst's entry out (it became an address of ours). */
void ftable_forget(struct router *r, uint8_t family, const uint8_t *dst);
/* Takes every entry out. */
void ftable_flush(struct router *r);

#endif
