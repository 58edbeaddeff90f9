/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_xdp's oracle: the data path's configuration as fuzz_xdp sets it up
 * (it fills these as it writes the maps), and what nic_ingress,
 * tenant_egress and tenant_rx must do with a frame under it, worked out
 * from the frame and the configuration alone: its own parse of Ethernet,
 * tags and network header, its own lookups (linear, longest prefix by
 * hand). Nothing here reads a map or shares code with bpf/.
 */
#ifndef TN_FUZZ_XDP_ORACLE_H
#define TN_FUZZ_XDP_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <tenet/dp.h>

#include "env.h"
#include "frames.h"

#define NIC1 1 /* tfnic0: access, default pass, prefixes */
#define NIC2 2 /* tfnic1: uplink, default drop, MAC and prefixes */
#define NTEN 16

struct vkey {
	int ifindex;
	uint16_t vid, inner;
	uint32_t tid;
};

struct hkey { /* MAC (family 0), ARP (AF_INET), ND (AF_INET6) targets */
	int ifindex;
	int family;
	uint8_t addr[16];
	uint32_t tid;
};

struct pfx {
	int ifindex;
	int family;
	uint8_t addr[16];
	unsigned int len;
	uint32_t tid;
	bool on;
};

struct nicdev {
	int ifindex;
	uint32_t id, role, dflt, flags;
};

struct egdev {
	int ifindex;
	bool set;
	struct tn_egress eg;
};

extern struct nicdev nics[2];
extern uint32_t tflags[NTEN];
extern bool port_slot[NTEN * 2], policed[NTEN * 2];
extern struct vkey vkeys[16];
extern int nvkeys;
extern struct hkey hkeys[16];
extern int nhkeys;
extern struct pfx pfxs[16];
extern int npfxs;
extern uint32_t qowner[TN_MAX_NICS * TN_MAX_QUEUES];
extern bool nic_xsk[TN_MAX_NICS * TN_MAX_QUEUES];
extern struct hkey locals[4]; /* direct-mode routers' own addresses */
extern int nlocals;
extern struct egdev egs[5];
extern bool nic_dev[TN_MAX_NICS];
extern int rx_slot_of[3][2]; /* ifindex, slot */
extern bool rx_xsk[TN_RX_MAX_IFS * TN_MAX_QUEUES];
extern struct hkey rx_addrs[2];
extern struct hkey eg_own[4]; /* tenant_egress's tn_local */
extern int neg_own;
extern struct pfx eg_src[8]; /* tn_src4/6: tid the tenant's */
extern int neg_src;
extern bool eg_policed[NTEN * 2];
extern uint32_t map_ids[P__MAX][2]; /* devmap, xskmap a program uses */

/* What a program must do with a frame, and what it must count. */
struct expect {
	uint32_t verdict;
	bool may_police; /* a drop for the policer is fine too */
	uint32_t map, key; /* on XDP_REDIRECT */
	uint32_t tid; /* the tenant the frame belongs to, 0: none */
	int pop, push_vid, push_inner; /* tags off (nic) or on (egress) */
	/* counter entries: [0] nic/egress/rx entry, [1] the port (nic) */
	int smap[2];
	uint32_t skey[2];
	bool sset[2];
	int drop[2]; /* reason, -1: none */
	bool rx[2], tx[2], pass[2], nosock[2], direct[2], offqueue[2];
};

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* e (zeroed, drop reasons -1) gets what the program must do with f. */
void oracle_nic(const struct frame *f, int ifindex, uint32_t rxq,
		struct expect *e);
void oracle_egress(const struct frame *f, int ifindex, struct expect *e);
void oracle_rx(const struct frame *f, int ifindex, uint32_t rxq,
	       struct expect *e);
/* The frame out of a program that gave e's verdict. */
void expected_out(const struct frame *in, const struct expect *e,
		  struct frame *w);

#endif
