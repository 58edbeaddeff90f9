/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The fast table: destinations a tenant's router has forwarded to, which
 * nic_ingress then forwards itself, in XDP, straight out the NIC.
 *
 * One table per tenant: a BPF_F_MMAPABLE array that tenetd creates when
 * the router connects, puts in tn_fast[tenant id] (an array of maps,
 * pinned as TN_MAP_FAST) and hands the router with its sockets (lib/
 * handoff.h's "fast"). The router, with no capability and no bpf(), maps
 * it read-write and writes entries as plain memory; nic_ingress reads them.
 * When the router goes, tenetd empties the slot: its entries are never
 * used again.
 *
 * The table is a cache of the router's decisions, keyed by destination
 * address (never a prefix: what the FIB holds, a full Internet table
 * included, is the router's business): TN_FAST_BUCKETS buckets of
 * TN_FAST_WAYS entries, a destination in bucket tn_fast_hash() &
 * (TN_FAST_BUCKETS - 1). After the buckets come TN_FAST_CPUS slots of
 * counters, one per CPU (by CPU number modulo), which nic_ingress writes
 * and the router reads: what XDP forwarded for it, by the port it came in.
 *
 * An entry is written under its seq: a writer takes it from even to odd
 * (compare-and-swap: several threads of a router write), writes, and
 * stores seq + 2 (release). nic_ingress copies an entry between two reads
 * of seq and uses the copy only if both are the same even value: a torn
 * entry is never used (x86's ordering of loads and stores makes the
 * compiler barriers enough; see bpf/nic_ingress.bpf.c). Nothing in an
 * entry is trusted: the router is the tenant's. An entry names a role, not
 * a device: out is masked to the tenant's own two ports, whose NIC, tag,
 * source MAC and MTU come from tenetd's tn_fast_ports; a garbage entry can
 * only send the tenant's frames out the tenant's ports, or to the slow path.
 */
#ifndef TENET_FAST_H
#define TENET_FAST_H

#include <linux/types.h>

#define TN_FAST_WAYS 4
#define TN_FAST_BUCKETS 2048 /* a power of two */
#define TN_FAST_CPUS 64 /* a power of two */
#define TN_FAST_SLOTS (TN_FAST_BUCKETS + TN_FAST_CPUS)
#define TN_FAST_ENTRIES (TN_FAST_BUCKETS * TN_FAST_WAYS)

/* tn_fast_entry.flags */
#define TN_FAST_F_SLOW (1u << 0) /* every frame to the router */

struct tn_fast_entry {
	__u32 seq; /* odd: being written */
	__u16 flags; /* TN_FAST_F_* */
	__u8 family; /* AF_INET, AF_INET6; 0: empty */
	__u8 out; /* the port it leaves by: enum tn_role */
	__u8 dst[16]; /* IPv4 in the first 4 bytes, the rest zero */
	__u8 mac[6]; /* the next hop's */
	__u16 mtu; /* IP bytes the router lets out that way */
	__u64 hits; /* frames nic_ingress forwarded by it (racy) */
};

struct tn_fast_bucket {
	struct tn_fast_entry e[TN_FAST_WAYS];
};

/* By the port frames came in (enum tn_role). */
struct tn_fast_ctrs {
	__u64 packets[2];
	__u64 bytes[2];
};

union tn_fast_slot {
	struct tn_fast_bucket b;
	struct tn_fast_ctrs c;
};

/* Both sides hash the destination as four words in memory order. */
static inline __u32 tn_fast_hash(__u32 family, __u32 w0, __u32 w1, __u32 w2,
				 __u32 w3)
{
	__u32 h = (w0 * 0x9e3779b1u) ^ (w1 * 0x85ebca77u) ^ (w2 * 0xc2b2ae3du) ^
		  (w3 * 0x27d4eb2fu) ^ family;

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h & (TN_FAST_BUCKETS - 1);
}

#endif
