/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The router's hash: SipHash-2-4 (Aumasson and Bernstein) under a key each
 * table draws at random when it is made. Its tables are filled from what
 * others send (destinations a customer picks, routes a peer announces):
 * with a known, unkeyed hash one could pick keys that all land in one
 * bucket and make every lookup walk them.
 */
#ifndef TN_ROUTER_HASH_H
#define TN_ROUTER_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_key {
	uint64_t k0, k1;
};

/* A random key (getrandom; it cannot fail for 16 bytes once the kernel's
 * pool is ready, which it is long before a router runs). */
void hash_key_random(struct hash_key *k);
uint64_t siphash24(const struct hash_key *k, const void *data, size_t len);

#endif
