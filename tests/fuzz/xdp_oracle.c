// SPDX-License-Identifier: GPL-2.0
/* fuzz_xdp's oracle: see xdp_oracle.h. */
#include <string.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include "xdp_oracle.h"

struct nicdev nics[2];
uint32_t tflags[NTEN];
bool port_slot[NTEN * 2], policed[NTEN * 2];
struct vkey vkeys[16];
int nvkeys;
struct hkey hkeys[16];
int nhkeys;
struct pfx pfxs[16];
int npfxs;
uint32_t qowner[TN_MAX_NICS * TN_MAX_QUEUES];
bool nic_xsk[TN_MAX_NICS * TN_MAX_QUEUES];
struct hkey locals[4]; /* direct-mode routers' own addresses */
int nlocals;
struct egdev egs[5];
bool nic_dev[TN_MAX_NICS];
int rx_slot_of[3][2]; /* ifindex, slot */
bool rx_xsk[TN_RX_MAX_IFS * TN_MAX_QUEUES];
struct hkey rx_addrs[2];
struct hkey eg_own[4]; /* tenant_egress's tn_local */
int neg_own;
struct pfx eg_src[8]; /* tn_src4/6, tid the tenant's */
int neg_src;
bool eg_policed[NTEN * 2];
uint32_t map_ids[P__MAX][2]; /* devmap, xskmap a program uses */

struct parsed {
	bool bad; /* malformed: the programs must drop it */
	int ntags;
	uint16_t outer_tpid, vid, inner;
	uint16_t proto;
	size_t l3;
	bool ip4, ip6, arp;
};

static bool is_tpid(uint16_t t)
{
	return t == 0x8100 || t == 0x88a8 || t == 0x9100;
}

/* Ethernet and tags; then, with l3, the network header's soundness. */
static void parse(const struct frame *f, bool l3, struct parsed *p)
{
	const uint8_t *b = f->b;
	size_t len = f->len, off = 14;

	memset(p, 0, sizeof(*p));
	if (len < 14) {
		p->bad = true;
		return;
	}
	p->proto = get16(b + 12);
	while (is_tpid(p->proto)) {
		if (p->ntags == 2 || off + 4 > len) {
			p->bad = true;
			return;
		}
		if (p->ntags) {
			p->inner = get16(b + off) & 0x0fff;
		} else {
			p->outer_tpid = p->proto;
			p->vid = get16(b + off) & 0x0fff;
		}
		p->proto = get16(b + off + 2);
		off += 4;
		p->ntags++;
	}
	p->l3 = off;
	if (!l3)
		return;
	if (p->proto == ETH_P_IP) {
		size_t hl, tot;

		if (off + 20 > len || b[off] >> 4 != 4 || (b[off] & 15) < 5) {
			p->bad = true;
			return;
		}
		hl = (b[off] & 15) * 4u;
		tot = get16(b + off + 2);
		p->bad = off + hl > len || tot < hl || off + tot > len;
		p->ip4 = !p->bad;
	} else if (p->proto == ETH_P_IPV6) {
		p->bad = off + 40 > len || b[off] >> 4 != 6 ||
			 off + 40 + get16(b + off + 4) > len;
		p->ip6 = !p->bad;
	} else if (p->proto == ETH_P_ARP) {
		if (off + 8 > len) {
			p->bad = true;
			return;
		}
		if (get16(b + off) == 1 && get16(b + off + 2) == ETH_P_IP &&
		    b[off + 4] == 6 && b[off + 5] == 4) {
			p->bad = off + 28 > len;
			p->arp = !p->bad;
		}
	}
}

static uint32_t host_lookup(int ifindex, int family, const uint8_t *a)
{
	for (int i = 0; i < nhkeys; i++)
		if (hkeys[i].ifindex == ifindex && hkeys[i].family == family &&
		    !memcmp(hkeys[i].addr, a,
			    family == AF_INET ? 4 :
			    family	      ? 16 :
						6))
			return hkeys[i].tid;
	return 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *p, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++)
		if ((a[i / 8] ^ p[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

static uint32_t lpm(int ifindex, int family, const uint8_t *a)
{
	int best = -1;

	for (int i = 0; i < npfxs; i++)
		if (pfxs[i].on && pfxs[i].ifindex == ifindex &&
		    pfxs[i].family == family &&
		    prefix_match(a, pfxs[i].addr, pfxs[i].len) &&
		    (best < 0 || pfxs[i].len > pfxs[best].len))
			best = i;
	return best < 0 ? 0 : pfxs[best].tid;
}

static uint32_t vlan_lookup(int ifindex, uint16_t vid, uint16_t inner)
{
	for (int i = 0; i < nvkeys; i++)
		if (vkeys[i].ifindex == ifindex && vkeys[i].vid == vid &&
		    vkeys[i].inner == inner)
			return vkeys[i].tid;
	return 0;
}

/* The target of an IPv6 neighbour solicitation (135) or advertisement
 * (136) right after the header. */
static const uint8_t *nd_target(const struct frame *f, const struct parsed *p,
				uint8_t type)
{
	const uint8_t *ip6 = f->b + p->l3;

	if (ip6[6] != 58 || ip6[7] != 255 || p->l3 + 40 + 8 + 16 > f->len ||
	    ip6[40] != type)
		return NULL;
	return ip6 + 48;
}

static const uint8_t *ns_target(const struct frame *f, const struct parsed *p)
{
	return nd_target(f, p, 135);
}

/* For the container's kernel whatever its address (1), or by address (0:
 * *family and addr, 16 bytes, IPv4 first, rest zero). */
static int local_kind(const struct frame *f, const struct parsed *p,
		      int *family, uint8_t addr[16])
{
	const uint8_t *l3 = f->b + p->l3;

	memset(addr, 0, 16);
	if (f->b[0] & 1)
		return 1;
	if (p->ip4) {
		*family = AF_INET;
		memcpy(addr, l3 + 16, 4);
		return 0;
	}
	if (p->ip6) {
		const uint8_t *d = l3 + 24;

		if (d[0] == 0xff || (d[0] == 0xfe && (d[1] & 0xc0) == 0x80))
			return 1;
		if (l3[6] == 58 && p->l3 + 48 <= f->len && l3[40] >= 133 &&
		    l3[40] <= 137)
			return 1;
		*family = AF_INET6;
		memcpy(addr, d, 16);
		return 0;
	}
	return 1;
}

static bool addr_in(const struct hkey *set, int n, uint32_t tid, int family,
		    const uint8_t *a)
{
	for (int i = 0; i < n; i++)
		if ((!tid || set[i].tid == tid) && set[i].family == family &&
		    !memcmp(set[i].addr, a, 16))
			return true;
	return false;
}

static const struct nicdev *nic_of(int ifindex)
{
	for (int i = 0; i < 2; i++)
		if (nics[i].ifindex == ifindex)
			return &nics[i];
	return NULL;
}

static void both(struct expect *e, bool *field)
{
	field[0] = true;
	field[1] = e->sset[1];
}

void oracle_nic(const struct frame *f, int ifindex, uint32_t rxq,
		struct expect *e)
{
	const struct nicdev *n = nic_of(ifindex);
	struct parsed p;
	uint32_t tid = 0, port, idx;
	uint8_t a[16];
	int fam;

	e->smap[0] = S_NIC;
	e->sset[0] = true;
	e->rx[0] = true;
	if (!n) {
		e->skey[0] = 0;
		e->pass[0] = true;
		e->verdict = XDP_PASS;
		return;
	}
	e->skey[0] = n->id;
	parse(f, true, &p);
	if (p.bad) {
		e->drop[0] = TN_DROP_MALFORMED;
		e->verdict = XDP_DROP;
		return;
	}
	if (p.ntags) {
		/* two tags are QinQ only under an S-tag */
		if (p.ntags == 1 || p.outer_tpid != 0x8100)
			tid = vlan_lookup(ifindex, p.vid, p.inner);
	} else {
		if ((n->flags & TN_NIC_F_MAC) && !(f->b[0] & 1)) {
			tid = host_lookup(ifindex, 0, f->b);
		} else if (n->flags & TN_NIC_F_MAC) {
			const uint8_t *t;

			if (p.arp && get16(f->b + p.l3 + 6) == 1) {
				memset(a, 0, 16);
				memcpy(a, f->b + p.l3 + 24, 4);
				tid = host_lookup(ifindex, AF_INET, a);
			} else if (p.ip6 && (t = ns_target(f, &p))) {
				tid = host_lookup(ifindex, AF_INET6, t);
			}
		}
		if (!tid && (n->flags & TN_NIC_F_PREFIX)) {
			if (p.ip4)
				tid = lpm(ifindex, AF_INET, f->b + p.l3 + 16);
			else if (p.ip6)
				tid = lpm(ifindex, AF_INET6, f->b + p.l3 + 24);
		}
	}
	if (!tid || tid >= NTEN || !(tflags[tid] & TN_TENANT_F_ACTIVE)) {
		uint32_t t2;

		if (!tid && p.ntags == 2 &&
		    (t2 = vlan_lookup(ifindex, p.vid, 0))) {
			e->smap[1] = S_PORT;
			e->skey[1] = tn_port(t2, n->role & 1);
			e->sset[1] = true;
			e->rx[1] = true;
			e->drop[0] = e->drop[1] = TN_DROP_VLAN_SMUGGLED;
			e->verdict = XDP_DROP;
			return;
		}
		if (n->dflt == TN_DEFAULT_DROP) {
			e->drop[0] = TN_DROP_NO_TENANT;
			e->verdict = XDP_DROP;
		} else {
			e->pass[0] = true;
			e->verdict = XDP_PASS;
		}
		return;
	}
	e->tid = tid;
	port = tn_port(tid, n->role & 1);
	e->smap[1] = S_PORT;
	e->skey[1] = port;
	e->sset[1] = true;
	e->rx[1] = true;
	e->may_police = policed[port];
	e->pop = p.ntags;
	if ((tflags[tid] & TN_TENANT_F_DIRECT) &&
	    !(!local_kind(f, &p, &fam, a) ?
		      addr_in(locals, nlocals, tid, fam, a) :
		      true)) {
		idx = n->id * TN_MAX_QUEUES + rxq;
		if (rxq >= TN_MAX_QUEUES || qowner[idx] != tid) {
			both(e, e->offqueue);
		} else if (nic_xsk[idx]) {
			both(e, e->direct);
			both(e, e->tx);
			e->map = map_ids[P_NIC][1];
			e->key = idx;
			e->verdict = XDP_REDIRECT;
			return;
		} else {
			both(e, e->nosock);
		}
	}
	if (!port_slot[port]) {
		e->drop[0] = e->drop[1] = TN_DROP_NO_SLOT;
		e->verdict = XDP_DROP;
		return;
	}
	both(e, e->tx);
	e->map = map_ids[P_NIC][0];
	e->key = port;
	e->verdict = XDP_REDIRECT;
}

static bool zero(const uint8_t *a, size_t n)
{
	while (n--)
		if (a[n])
			return false;
	return true;
}

/* tenant_egress's checks (TN_EG_F_*): a drop reason, or -1. */
static int eg_check(const struct frame *f, const struct parsed *p,
		    const struct tn_egress *eg, uint32_t tid)
{
	static const uint8_t rsv[5] = { 0x01, 0x80, 0xc2, 0, 0 };
	const uint8_t *l3 = f->b + p->l3, *t;
	uint8_t a[16] = { 0 };

	if (!memcmp(f->b, rsv, 5) && !(f->b[5] & 0xf0))
		return TN_DROP_RESERVED;
	if ((eg->flags & TN_EG_F_MAC) && memcmp(f->b + 6, eg->mac, 6))
		return TN_DROP_SPOOFED;
	if ((eg->flags & TN_EG_F_ARP) && p->arp) {
		memcpy(a, l3 + 14, 4);
		if (memcmp(l3 + 8, eg->mac, 6) ||
		    (!zero(a, 4) && !addr_in(eg_own, neg_own, tid, AF_INET, a)))
			return TN_DROP_SPOOFED;
	} else if ((eg->flags & TN_EG_F_ARP) && p->ip6) {
		if ((t = nd_target(f, p, 136)) &&
		    !addr_in(eg_own, neg_own, tid, AF_INET6, t))
			return TN_DROP_SPOOFED;
		if (!t && nd_target(f, p, 135) && !zero(l3 + 8, 16) &&
		    !addr_in(eg_own, neg_own, tid, AF_INET6, l3 + 8))
			return TN_DROP_SPOOFED;
	}
	if ((eg->flags & TN_EG_F_SRC) && (p->ip4 || p->ip6)) {
		int fam = p->ip4 ? AF_INET : AF_INET6;
		bool ok = false;

		memcpy(a, p->ip4 ? l3 + 12 : l3 + 8, p->ip4 ? 4 : 16);
		if (p->ip6 && zero(a, 16) && l3[24] == 0xff)
			return -1;
		for (int i = 0; i < neg_src; i++)
			ok |= eg_src[i].tid == tid && eg_src[i].family == fam &&
			      prefix_match(a, eg_src[i].addr, eg_src[i].len);
		if (!ok)
			return TN_DROP_SPOOFED;
	}
	return -1;
}

void oracle_egress(const struct frame *f, int ifindex, struct expect *e)
{
	const struct egdev *g = NULL;
	struct parsed p;
	int why;

	for (int i = 0; i < 5; i++)
		if (egs[i].set && egs[i].ifindex == ifindex)
			g = &egs[i];
	e->smap[0] = S_EGRESS;
	e->sset[0] = true;
	e->rx[0] = true;
	e->skey[0] = g ? g->eg.port : 0;
	e->verdict = XDP_DROP;
	if (!g) {
		e->drop[0] = TN_DROP_NO_CONFIG;
		return;
	}
	e->tid = g->eg.port / 2;
	parse(f, true, &p);
	if (p.bad) {
		e->drop[0] = TN_DROP_MALFORMED;
		return;
	}
	if (p.ntags) {
		e->drop[0] = TN_DROP_VLAN_SMUGGLED;
		return;
	}
	why = eg_check(f, &p, &g->eg, e->tid);
	if (why >= 0) {
		e->drop[0] = why;
		return;
	}
	e->may_police = eg_policed[g->eg.port];
	if (g->eg.vid) {
		e->push_vid = g->eg.vid;
		e->push_inner = g->eg.inner_vid;
	}
	if (g->eg.nic_id >= TN_MAX_NICS || !nic_dev[g->eg.nic_id]) {
		e->drop[0] = TN_DROP_NO_SLOT;
		return;
	}
	e->tx[0] = true;
	e->map = map_ids[P_EGRESS][0];
	e->key = g->eg.nic_id;
	e->verdict = XDP_REDIRECT;
}

void oracle_rx(const struct frame *f, int ifindex, uint32_t rxq,
	       struct expect *e)
{
	int slot = -1, fam = 0;
	struct parsed p;
	uint8_t a[16];

	for (int i = 0; i < 3; i++)
		if (rx_slot_of[i][0] == ifindex)
			slot = rx_slot_of[i][1];
	e->smap[0] = S_RX;
	e->sset[0] = true;
	e->rx[0] = true;
	e->skey[0] = slot < 0 ? 0 : (uint32_t)slot;
	parse(f, true, &p);
	if (p.bad) {
		e->drop[0] = TN_DROP_MALFORMED;
		e->verdict = XDP_DROP;
		return;
	}
	if (p.ntags || local_kind(f, &p, &fam, a) ||
	    addr_in(rx_addrs, 2, 0, fam, a)) {
		e->pass[0] = true;
		e->verdict = XDP_PASS;
		return;
	}
	if (slot >= 0 && rxq < TN_MAX_QUEUES &&
	    rx_xsk[slot * TN_MAX_QUEUES + rxq]) {
		e->tx[0] = true;
		e->map = map_ids[P_RX][1];
		e->key = (uint32_t)slot * TN_MAX_QUEUES + rxq;
		e->verdict = XDP_REDIRECT;
		return;
	}
	e->nosock[0] = true;
	e->pass[0] = true;
	e->verdict = XDP_PASS;
}

void expected_out(const struct frame *in, const struct expect *e,
		  struct frame *w)
{
	*w = *in;
	if (e->verdict == XDP_REDIRECT && e->pop) {
		size_t n = 4 * (size_t)e->pop;

		memmove(w->b + 12, in->b + 12 + n, in->len - 12 - n);
		w->len = in->len - n;
	} else if (e->verdict == XDP_REDIRECT && e->push_vid) {
		uint8_t tags[8];
		size_t n = e->push_inner ? 8 : 4;

		put16(tags, e->push_inner ? ETH_P_8021AD : ETH_P_8021Q);
		put16(tags + 2, (uint16_t)e->push_vid);
		put16(tags + 4, ETH_P_8021Q);
		put16(tags + 6, (uint16_t)e->push_inner);
		memmove(w->b + 12 + n, in->b + 12, in->len - 12);
		memcpy(w->b + 12, tags, n);
		w->len = in->len + n;
	}
}
