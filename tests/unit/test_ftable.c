// SPDX-License-Identifier: GPL-2.0
/*
 * tenant/ftable.c, the router's side of its fast table, against a
 * reference: a router with no sockets (as tests/fuzz/fuzz_nl.c builds
 * one), two interfaces of the table's roles (access0, uplink0) and one of
 * none (mgmt0), its table plain memory as the mmap'd one is, fed routes,
 * neighbours, links and addresses as rtnetlink messages through
 * nl_apply(). The test keeps its own model of what it told the router (a
 * list of routes, longest-prefix matched by scanning; a list of
 * neighbours; the links' MTUs) and from that alone says what the router
 * would decide for a destination: out which role, to what MAC, at what
 * MTU, or not the fast path's.
 *
 * Every ftable_revalidate() here is checked entry by entry: an entry the
 * model still decides the same for is left byte for byte (its seq too),
 * one it does not is taken out (empty, seq + 2), an empty one or one
 * another writer holds (odd seq) is left alone.
 *
 * The full Internet table (tests/data/fulltable-prefixes.txt.gz) with
 * every entry of the table learned: the time of one revalidation is
 * printed, and a /24 added takes out exactly the entries inside it that
 * no longer-than-/24 prefix covers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "log.h"
#include "parse.h"
#include "rt.h"

#define FULLTABLE "tests/data/fulltable-prefixes.txt.gz"
#define NS 1000000000ull

#define IF_ACCESS 2 /* role 0 */
#define IF_UPLINK 3 /* role 1 */
#define IF_MGMT 4 /* no role */
#define IF_MAX 8

/* ---- the model ---- */

struct mroute {
	bool live;
	uint8_t family, len, type; /* type: RTN_* */
	uint8_t dst[16];
	int ifindex;
	uint8_t gwfam; /* 0: connected */
	uint8_t gw[16];
	uint32_t prio;
};

struct mneigh {
	bool valid;
	uint8_t family;
	int ifindex;
	uint8_t addr[16];
	uint8_t mac[6];
};

struct fx {
	struct router r;
	struct ftable ft;
	union tn_fast_slot *tab;
	uint64_t ctr[RT_MAX_IFS][TN_RC__MAX];
	struct tn_fast_entry *before; /* TN_FAST_ENTRIES: a snapshot */
	struct mroute routes[64];
	int nroutes;
	struct mneigh neighs[64];
	int nneighs;
	uint32_t mtu[IF_MAX]; /* by ifindex */
};

/* What the router decides for a destination. */
struct decision {
	int ifindex;
	uint8_t out;
	uint8_t mac[6];
	uint16_t mtu;
};

static int role_of(int ifindex)
{
	return ifindex == IF_ACCESS ? 0 : ifindex == IF_UPLINK ? 1 : -1;
}

static int alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static bool in_prefix(const uint8_t *a, const uint8_t *p, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		uint8_t m = 0x80 >> (i % 8);

		if ((a[i / 8] & m) != (p[i / 8] & m))
			return false;
	}
	return true;
}

static struct mneigh *model_neigh(struct fx *f, int family, int ifindex,
				  const uint8_t *addr)
{
	for (int i = 0; i < f->nneighs; i++) {
		struct mneigh *n = &f->neighs[i];

		if (n->family == family && n->ifindex == ifindex &&
		    !memcmp(n->addr, addr, (size_t)alen(family)))
			return n;
	}
	return NULL;
}

/* The model's decision for dst (16 bytes, IPv4 zero-padded). */
static bool ref_decide(struct fx *f, int family, const uint8_t *dst,
		       struct decision *d)
{
	const struct mroute *best = NULL;
	const struct mneigh *n;

	for (int i = 0; i < f->nroutes; i++) {
		const struct mroute *m = &f->routes[i];

		if (!m->live || m->family != family ||
		    !in_prefix(dst, m->dst, m->len))
			continue;
		if (!best || m->len > best->len ||
		    (m->len == best->len && m->prio < best->prio))
			best = m;
	}
	if (!best || best->type != RTN_UNICAST || role_of(best->ifindex) < 0 ||
	    !f->mtu[best->ifindex])
		return false;
	n = best->gwfam ? model_neigh(f, best->gwfam, best->ifindex, best->gw) :
			  model_neigh(f, family, best->ifindex, dst);
	if (!n || !n->valid)
		return false;
	d->ifindex = best->ifindex;
	d->out = (uint8_t)role_of(best->ifindex);
	memcpy(d->mac, n->mac, 6);
	d->mtu = f->mtu[best->ifindex] > 65535 ?
			 65535 :
			 (uint16_t)f->mtu[best->ifindex];
	return true;
}

/* ---- addresses ---- */

/* s, an address, into 16 bytes (IPv4 zero-padded); its family. */
static int ip(const char *s, uint8_t a[16])
{
	int family;

	assert_int_equal(tn_parse_ip(s, &family, a), 0);
	return family;
}

static void mac_of(uint8_t m[6], uint8_t last)
{
	const uint8_t base[6] = { 0x02, 0, 0, 0, 0, last };

	memcpy(m, base, 6);
}

/* ---- rtnetlink messages, through nl_apply() ---- */

static void apply(struct fx *f, const struct nlmsghdr *nlh)
{
	assert_true(nl_apply(&f->r, nlh, nlh->nlmsg_len) >= 0);
}

/* A route: "10.0.0.0/8" via gw (NULL: connected) out ifindex, of
 * RTN_* type, added (RTM_NEWROUTE, replacing one of the same metric) or
 * deleted (RTM_DELROUTE). */
static void route_msg(struct fx *f, uint16_t type, const char *pfx,
		      const char *gw, int ifindex, uint32_t prio, uint8_t rtype)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mroute m = {
		.live = true, .type = rtype, .ifindex = ifindex, .prio = prio
	};
	struct rtmsg *rtm;
	unsigned int len;
	int family, i;

	assert_int_equal(tn_parse_prefix(pfx, 1, &family, m.dst, &len), 0);
	m.family = (uint8_t)family;
	m.len = (uint8_t)len;
	if (gw)
		m.gwfam = (uint8_t)ip(gw, m.gw);
	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = rtype;
	mnl_attr_put(nlh, RTA_DST, (size_t)alen(family), m.dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, prio);
	if (gw && m.gwfam == family) {
		mnl_attr_put(nlh, RTA_GATEWAY, (size_t)alen(family), m.gw);
	} else if (gw) {
		/* An IPv4 route via an IPv6 gateway (RFC 5549) */
		uint8_t via[2 + 16];
		uint16_t vf = m.gwfam;

		memcpy(via, &vf, 2);
		memcpy(via + 2, m.gw, 16);
		mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	}
	f->r.fast_dirty = false;
	apply(f, nlh);
	assert_true(f->r.fast_dirty);

	for (i = 0; i < f->nroutes; i++)
		if (f->routes[i].live && f->routes[i].family == m.family &&
		    f->routes[i].len == m.len && f->routes[i].prio == prio &&
		    !memcmp(f->routes[i].dst, m.dst, 16))
			break;
	if (type == RTM_DELROUTE) {
		assert_true(i < f->nroutes);
		f->routes[i].live = false;
		return;
	}
	if (i == f->nroutes) {
		assert_true(f->nroutes <
			    (int)(sizeof(f->routes) / sizeof(f->routes[0])));
		f->nroutes++;
	}
	f->routes[i] = m;
}

static void route(struct fx *f, const char *pfx, const char *gw, int ifindex)
{
	route_msg(f, RTM_NEWROUTE, pfx, gw, ifindex, 0, RTN_UNICAST);
}

/* A neighbour: RTM_NEWNEIGH in state (NUD_*) with mac (NULL: none), or
 * RTM_DELNEIGH. dirty: whether the router should see a change for its
 * table in it. */
static void neigh_msg(struct fx *f, uint16_t type, int ifindex,
		      const char *addr, const uint8_t *mac, uint16_t state,
		      bool dirty)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *nd;
	struct mneigh *n;
	uint8_t a[16];
	int family = ip(addr, a);

	nlh->nlmsg_type = type;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = (uint8_t)family;
	nd->ndm_ifindex = ifindex;
	nd->ndm_state = state;
	mnl_attr_put(nlh, NDA_DST, (size_t)alen(family), a);
	if (mac)
		mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	f->r.fast_dirty = false;
	apply(f, nlh);
	assert_int_equal(f->r.fast_dirty, dirty);

	n = model_neigh(f, family, ifindex, a);
	if (!n) {
		assert_true(f->nneighs <
			    (int)(sizeof(f->neighs) / sizeof(f->neighs[0])));
		n = &f->neighs[f->nneighs++];
		n->family = (uint8_t)family;
		n->ifindex = ifindex;
		memcpy(n->addr, a, 16);
	}
	if (type == RTM_DELNEIGH || (state & NUD_FAILED)) {
		n->valid = false;
	} else if (mac) {
		n->valid = true;
		memcpy(n->mac, mac, 6);
	}
}

static void neigh(struct fx *f, int ifindex, const char *addr, uint8_t last)
{
	uint8_t m[6];

	mac_of(m, last);
	neigh_msg(f, RTM_NEWNEIGH, ifindex, addr, m, NUD_REACHABLE, true);
}

static void link_mtu(struct fx *f, int ifindex, uint32_t mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP | IFF_RUNNING;
	ifi->ifi_change = 0xffffffff;
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	f->r.fast_dirty = false;
	apply(f, nlh);
	assert_true(f->r.fast_dirty);
	assert_null(f->r.resync_why); /* it stayed up */
	assert_int_equal(rt_if_by_index(&f->r, ifindex)->mtu, mtu);
	f->mtu[ifindex] = mtu;
}

static void addr_msg(struct fx *f, int ifindex, const char *addr,
		     unsigned int plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	uint8_t a[16];
	int family = ip(addr, a);

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, (size_t)alen(family), a);
	mnl_attr_put(nlh, IFA_ADDRESS, (size_t)alen(family), a);
	apply(f, nlh);
}

/* ---- the table ---- */

static struct tn_fast_entry *ent(struct fx *f, uint32_t i)
{
	return &f->tab[i / TN_FAST_WAYS].b.e[i % TN_FAST_WAYS];
}

/* The bucket of dst, as fast.h says: four words in memory order. */
static uint32_t bucket(int family, const uint8_t *dst)
{
	uint8_t d[16] = { 0 };
	uint32_t w[4];

	memcpy(d, dst, (size_t)alen(family));
	memcpy(w, d, 16);
	return tn_fast_hash((uint32_t)family, w[0], w[1], w[2], w[3]) &
	       (TN_FAST_BUCKETS - 1);
}

static bool same_dst(const struct tn_fast_entry *e, int family,
		     const uint8_t *dst)
{
	uint8_t d[16] = { 0 };

	memcpy(d, dst, (size_t)alen(family));
	return e->family == family && !memcmp(e->dst, d, 16);
}

/* dst's entry: in its bucket, nowhere else, once at most. */
static struct tn_fast_entry *find_a(struct fx *f, int family,
				    const uint8_t *dst)
{
	struct tn_fast_entry *found = NULL;
	uint32_t b = bucket(family, dst);

	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++) {
		struct tn_fast_entry *e = ent(f, i);

		if (!same_dst(e, family, dst))
			continue;
		assert_int_equal(i / TN_FAST_WAYS, b);
		assert_null(found);
		found = e;
	}
	return found;
}

static struct tn_fast_entry *find(struct fx *f, const char *s)
{
	uint8_t a[16];
	int family = ip(s, a);

	return find_a(f, family, a);
}

static int used_entries(struct fx *f)
{
	int n = 0;

	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++)
		n += ent(f, i)->family != 0;
	return n;
}

static void snap(struct fx *f)
{
	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++)
		f->before[i] = *ent(f, i);
}

/* Since the snapshot, nothing changed but the entries whose numbers are
 * in idx[0..n): those were written once (seq + 2). */
static void changed_only(struct fx *f, const uint32_t *idx, int n)
{
	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *a = ent(f, i), *b = &f->before[i];
		bool ch = false;

		for (int k = 0; k < n; k++)
			ch |= idx[k] == i;
		if (!ch) {
			assert_memory_equal(a, b, sizeof(*a));
			continue;
		}
		assert_int_equal(b->seq % 2, 0);
		assert_int_equal(a->seq, b->seq + 2);
	}
}

static uint32_t index_of(struct fx *f, const struct tn_fast_entry *e)
{
	size_t off = (size_t)((const char *)e - (const char *)f->tab);

	return (uint32_t)(off / sizeof(union tn_fast_slot)) * TN_FAST_WAYS +
	       (uint32_t)(off % sizeof(union tn_fast_slot) / sizeof(*e));
}

static bool same_decision(const struct tn_fast_entry *e,
			  const struct decision *d)
{
	return !e->flags && e->out == d->out && e->mtu == d->mtu &&
	       !memcmp(e->mac, d->mac, 6);
}

/*
 * ftable_revalidate(), checked entry by entry against the model: what it
 * still decides the same for is left as it was, seq and all; the rest is
 * taken out (empty, seq + 2) unless another writer holds it (odd seq),
 * when it is left alone. Returns how many went.
 */
static int revalidate(struct fx *f)
{
	int removed = 0;

	snap(f);
	f->r.fast_dirty = true;
	ftable_revalidate(&f->r);
	assert_false(f->r.fast_dirty);
	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *a = ent(f, i), *b = &f->before[i];
		struct decision d;

		if (!b->family || (b->seq & 1) ||
		    (ref_decide(f, b->family, b->dst, &d) &&
		     same_decision(b, &d))) {
			assert_memory_equal(a, b, sizeof(*a));
			continue;
		}
		assert_int_equal(a->family, 0);
		assert_int_equal(a->seq, b->seq + 2);
		removed++;
	}
	return removed;
}

/* What fwd_one() does for a frame to s: the model's decision, learned;
 * the entry, checked. */
static struct tn_fast_entry *learn(struct fx *f, const char *s)
{
	struct tn_fast_entry *e;
	struct decision d;
	uint8_t a[16];
	uint8_t frame_dst[16];
	int family = ip(s, a);
	uint32_t old_seq;
	bool kept;

	assert_true(ref_decide(f, family, a, &d));
	e = find_a(f, family, a);
	old_seq = e ? e->seq : 0;
	/* an entry that already says the same is left as it is */
	kept = e && !(e->seq & 1) && !e->flags && same_decision(e, &d);
	/* An IPv4 address is 4 bytes in a frame: what follows is not its. */
	memset(frame_dst, 0xa5, sizeof(frame_dst));
	memcpy(frame_dst, a, (size_t)alen(family));
	ftable_learn(&f->r, rt_if_by_index(&f->r, d.ifindex), (uint8_t)family,
		     frame_dst, d.mac);
	if (e)
		assert_ptr_equal(find_a(f, family, a), e);
	e = find_a(f, family, a);
	assert_non_null(e);
	assert_int_equal(e->seq % 2, 0);
	if (kept)
		assert_int_equal(e->seq, old_seq);
	else
		assert_true(e->seq > old_seq);
	assert_int_equal(e->family, family);
	assert_memory_equal(e->dst, a, 16); /* zero-padded */
	assert_int_equal(e->flags, 0);
	assert_true(same_decision(e, &d));
	return e;
}

/* ---- the router ---- */

static void add_if(struct fx *f, int ifindex, const char *name)
{
	struct rt_if *i = &f->r.ifs[f->r.nifs];

	i->ifindex = ifindex;
	i->rx_of = -1;
	i->role = -1; /* as rt_add_if leaves it */
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->mtu = 1500;
	i->up = true;
	i->ctr = f->ctr[f->r.nifs];
	f->mtu[ifindex] = 1500;
	f->r.nifs++;
}

/* Table tab in use, its ports named p0 and p1: what ftable_attach() and
 * each thread's ftable_sync() do, but with plain memory. */
static void attach(struct fx *f, union tn_fast_slot *tab, const char *p0,
		   const char *p1)
{
	snprintf(f->ft.ports[0], sizeof(f->ft.ports[0]), "%s", p0);
	snprintf(f->ft.ports[1], sizeof(f->ft.ports[1]), "%s", p1);
	atomic_store(&f->ft.tab, tab);
	f->ft.len = (size_t)TN_FAST_SLOTS * sizeof(union tn_fast_slot);
	memset(f->ft.stamp, 0, sizeof(f->ft.stamp));
	atomic_fetch_add(&f->ft.gen, 1);
	f->r.ft = &f->ft;
	ftable_sync(&f->r);
	assert_ptr_equal(f->r.ftab, tab);
	assert_true(ftable_seen(&f->r, atomic_load(&f->ft.gen)));
}

static union tn_fast_slot *new_table(void)
{
	size_t len = (size_t)TN_FAST_SLOTS * sizeof(union tn_fast_slot);
	void *p = NULL;

	assert_int_equal(posix_memalign(&p, 64, len), 0);
	memset(p, 0, len);
	return p;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct router *r;

	if (!f)
		return -1;
	r = &f->r;
	r->probe4 = r->probe6 = -1;
	r->now_ns = NS;
	add_if(f, IF_ACCESS, "access0");
	add_if(f, IF_UPLINK, "uplink0");
	add_if(f, IF_MGMT, "mgmt0");
	r->fib4 = fib4_create();
	r->fib6 = fib6_create();
	f->before = calloc(TN_FAST_ENTRIES, sizeof(*f->before));
	if (!r->fib4 || !r->fib6 || !f->before || nh_table_init(&r->nh) ||
	    neigh_table_init(&r->neigh, 1024))
		return -1;
	f->tab = new_table();
	attach(f, f->tab, "access0", "uplink0");
	assert_int_equal(r->ifs[0].role, 0);
	assert_int_equal(r->ifs[1].role, 1);
	assert_int_equal(r->ifs[2].role, -1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct router *r = &f->r;

	routes_free(r);
	neigh_table_free(&r->neigh);
	nh_table_free(&r->nh);
	fib4_destroy(r->fib4);
	fib6_destroy(r->fib6);
	free(r->fseen);
	free(f->tab);
	free(f->before);
	free(f);
	return 0;
}

/*
 * The topology most tests use. uplink0 (MTU 9000) has gateways GW1
 * 192.0.2.1, GW2 .2, GW3 .3 (GW1's MAC: another address of the same
 * box) and fe80::1 (50.0.0.0/8's gateway too); access0 (1500) has hosts 198.51.100.10 and
 * 2001:db8:ff::10 on connected prefixes; mgmt0 (no role) 203.0.113.1.
 */
static void topo(struct fx *f)
{
	link_mtu(f, IF_UPLINK, 9000);
	link_mtu(f, IF_ACCESS, 1500);
	route(f, "192.0.2.0/24", NULL, IF_UPLINK);
	route(f, "198.51.100.0/24", NULL, IF_ACCESS);
	route(f, "2001:db8:ff::/64", NULL, IF_ACCESS);
	route(f, "203.0.113.0/24", NULL, IF_MGMT);
	neigh(f, IF_UPLINK, "192.0.2.1", 0x01);
	neigh(f, IF_UPLINK, "192.0.2.2", 0x02);
	neigh(f, IF_UPLINK, "192.0.2.3", 0x01);
	neigh(f, IF_UPLINK, "fe80::1", 0x06);
	neigh(f, IF_ACCESS, "198.51.100.10", 0x10);
	neigh(f, IF_ACCESS, "2001:db8:ff::10", 0x16);
	neigh(f, IF_MGMT, "203.0.113.1", 0x20);
	route(f, "10.0.0.0/8", "192.0.2.1", IF_UPLINK);
	route(f, "20.0.0.0/8", "192.0.2.2", IF_UPLINK);
	route(f, "30.0.0.0/8", "203.0.113.1", IF_MGMT);
	route(f, "2001:db8:1::/48", "fe80::1", IF_UPLINK);
	route(f, "50.0.0.0/8", "fe80::1", IF_UPLINK);
}

/* ---- 1. learning ---- */

static void test_learn(void **state)
{
	struct fx *f = *state;
	const uint8_t gw1[6] = { 2, 0, 0, 0, 0, 0x01 };
	const uint8_t gw6[6] = { 2, 0, 0, 0, 0, 0x06 };
	struct tn_fast_entry *e, *e6, copy;
	uint8_t a[16], b[16];

	topo(f);
	e = learn(f, "10.1.1.1");
	assert_int_equal(e->seq, 2); /* a fresh table's seq is 0 */
	assert_int_equal(e->family, AF_INET);
	assert_memory_equal(e->dst, ((uint8_t[16]){ 10, 1, 1, 1 }), 16);
	assert_int_equal(e->out, 1);
	assert_memory_equal(e->mac, gw1, 6);
	assert_int_equal(e->mtu, 9000);
	assert_int_equal(e->hits, 0);
	assert_int_equal(index_of(f, e) / TN_FAST_WAYS,
			 bucket(AF_INET, (uint8_t[16]){ 10, 1, 1, 1 }));

	e6 = learn(f, "2001:db8:1::1");
	assert_int_equal(e6->seq, 2);
	assert_int_equal(e6->family, AF_INET6);
	assert_int_equal(e6->out, 1);
	assert_memory_equal(e6->mac, gw6, 6);
	assert_int_equal(e6->mtu, 9000);

	e = learn(f, "50.1.1.1"); /* IPv4 via an IPv6 gateway */
	assert_int_equal(e->out, 1);
	assert_memory_equal(e->mac, gw6, 6);
	ftable_forget(&f->r, AF_INET, e->dst);
	assert_null(find(f, "50.1.1.1"));

	e = learn(f, "198.51.100.10"); /* connected: the host's own MAC */
	assert_int_equal(e->out, 0);
	assert_int_equal(e->mtu, 1500);
	e = learn(f, "2001:db8:ff::10");
	assert_int_equal(e->out, 0);
	assert_int_equal(e->mac[5], 0x16);
	assert_int_equal(used_entries(f), 4);

	/* Again: the same entry, left as it is (a rewrite would send
	 * XDP's readers to the router meanwhile), no second one. */
	copy = *e6;
	e = learn(f, "2001:db8:1::1");
	assert_ptr_equal(e, e6);
	assert_memory_equal(e, &copy, sizeof(copy));
	for (int i = 0; i < 10; i++)
		learn(f, "10.1.1.1");
	assert_int_equal(find(f, "10.1.1.1")->seq, 2);
	assert_int_equal(used_entries(f), 4);

	/* IPv4 1.2.3.4 and IPv6 102:304:: have the same 16 bytes: two
	 * destinations. */
	route(f, "0.0.0.0/0", "192.0.2.1", IF_UPLINK);
	route(f, "::/0", "fe80::1", IF_UPLINK);
	ip("1.2.3.4", a);
	ip("102:304::", b);
	assert_memory_equal(a, b, 16);
	learn(f, "1.2.3.4");
	learn(f, "102:304::");
	assert_ptr_not_equal(find(f, "1.2.3.4"), find(f, "102:304::"));
	assert_int_equal(used_entries(f), 6);

	/* Out an interface of no role, or with no table: nothing. */
	snap(f);
	ftable_learn(&f->r, rt_if_by_index(&f->r, IF_MGMT), AF_INET,
		     (uint8_t[16]){ 30, 0, 0, 1 }, gw1);
	f->r.ftab = NULL;
	ftable_learn(&f->r, rt_if_by_index(&f->r, IF_UPLINK), AF_INET,
		     (uint8_t[16]){ 10, 9, 9, 9 }, gw1);
	ftable_revalidate(&f->r);
	ftable_tick(&f->r);
	ftable_forget(&f->r, AF_INET, (uint8_t[16]){ 10, 1, 1, 1 });
	ftable_flush(&f->r);
	f->r.ftab = f->tab;
	changed_only(f, NULL, 0);

	/* A new table, the ports the other way round: the roles follow the
	 * names, and the new table starts empty. */
	{
		union tn_fast_slot *old = f->tab;

		f->tab = new_table();
		attach(f, f->tab, "uplink0", "access0");
		free(old);
		assert_int_equal(f->r.ifs[0].role, 1);
		assert_int_equal(f->r.ifs[1].role, 0);
		assert_int_equal(f->r.ifs[2].role, -1);
		assert_int_equal(used_entries(f), 0);
		ftable_learn(&f->r, rt_if_by_index(&f->r, IF_ACCESS), AF_INET,
			     (uint8_t[16]){ 198, 51, 100, 10 }, gw1);
		e = find(f, "198.51.100.10");
		assert_non_null(e);
		assert_int_equal(e->out, 1);
	}
}

/* ---- 2. revalidation ---- */

static void test_revalidate(void **state)
{
	struct fx *f = *state;
	const char *all[] = { "10.1.1.1",      "10.1.2.2",
			      "10.2.2.2",      "20.1.1.1",
			      "198.51.100.10", "2001:db8:1::1",
			      "2001:db8:1::2", "2001:db8:ff::10",
			      "50.1.1.1" };
	const int nall = (int)(sizeof(all) / sizeof(all[0]));
	uint8_t mac[6];

	topo(f);
	for (int i = 0; i < nall; i++)
		learn(f, all[i]);
	assert_int_equal(used_entries(f), nall);
	/* Nothing changed: nothing goes. */
	assert_int_equal(revalidate(f), 0);

	/* 10.1.0.0/16 via GW2: the two entries in it go, no other. */
	route(f, "10.1.0.0/16", "192.0.2.2", IF_UPLINK);
	assert_int_equal(revalidate(f), 2);
	assert_null(find(f, "10.1.1.1"));
	assert_null(find(f, "10.1.2.2"));
	assert_non_null(find(f, "10.2.2.2"));
	learn(f, "10.1.1.1");
	learn(f, "10.1.2.2");

	/* Changes that change no decision take nothing out: a route to
	 * where the /8 already sends, one via GW3 (GW1's MAC), one for
	 * prefixes no entry is in, the same MTU again. */
	route(f, "10.2.0.0/16", "192.0.2.1", IF_UPLINK);
	assert_int_equal(revalidate(f), 0);
	route(f, "10.2.2.0/24", "192.0.2.3", IF_UPLINK);
	assert_int_equal(revalidate(f), 0);
	route(f, "40.0.0.0/8", "192.0.2.2", IF_UPLINK);
	route(f, "2001:db8:2::/48", "fe80::1", IF_UPLINK);
	assert_int_equal(revalidate(f), 0);
	link_mtu(f, IF_UPLINK, 9000);
	assert_int_equal(revalidate(f), 0);
	/* A neighbour refreshed, MAC unchanged: the router sees no change. */
	mac_of(mac, 0x02);
	neigh_msg(f, RTM_NEWNEIGH, IF_UPLINK, "192.0.2.2", mac, NUD_STALE,
		  false);
	assert_int_equal(revalidate(f), 0);
	/* A second route for the /16 with a higher metric: the FIB keeps
	 * the better one. */
	route_msg(f, RTM_NEWROUTE, "10.1.0.0/16", "192.0.2.1", IF_UPLINK, 100,
		  RTN_UNICAST);
	assert_int_equal(revalidate(f), 0);

	/* GW2's MAC changes: the entries through it go (10.1/16 and 20/8). */
	neigh(f, IF_UPLINK, "192.0.2.2", 0x22);
	assert_int_equal(revalidate(f), 3);
	assert_null(find(f, "10.1.1.1"));
	assert_null(find(f, "10.1.2.2"));
	assert_null(find(f, "20.1.1.1"));
	learn(f, "10.1.1.1");
	learn(f, "10.1.2.2");
	learn(f, "20.1.1.1");

	/* The better route of the /16 goes: the metric-100 one via GW1
	 * takes over. */
	route_msg(f, RTM_DELROUTE, "10.1.0.0/16", "192.0.2.2", IF_UPLINK, 0,
		  RTN_UNICAST);
	assert_int_equal(revalidate(f), 2);
	learn(f, "10.1.1.1");
	learn(f, "10.1.2.2");

	/* GW2 deleted: 20.1.1.1 goes. GW1 failed: 10.1/16's
	 * entries go (the /16's metric-100 route is GW1's). */
	neigh_msg(f, RTM_DELNEIGH, IF_UPLINK, "192.0.2.2", NULL, 0, true);
	assert_int_equal(revalidate(f), 1);
	assert_null(find(f, "20.1.1.1"));
	neigh_msg(f, RTM_NEWNEIGH, IF_UPLINK, "192.0.2.1", NULL, NUD_FAILED,
		  true);
	assert_int_equal(revalidate(f), 2);
	/* 10.2.2.0/24 is GW3's: GW1's MAC, but another neighbour */
	assert_non_null(find(f, "10.2.2.2"));
	neigh(f, IF_UPLINK, "192.0.2.1", 0x01);
	neigh(f, IF_UPLINK, "192.0.2.2", 0x02);
	for (int i = 0; i < nall; i++)
		learn(f, all[i]);
	assert_int_equal(used_entries(f), nall);

	/* IPv6's gateway fails: its entries go, 50/8's IPv4 one too. */
	neigh_msg(f, RTM_NEWNEIGH, IF_UPLINK, "fe80::1", NULL, NUD_FAILED,
		  true);
	assert_int_equal(revalidate(f), 3);
	assert_null(find(f, "50.1.1.1"));
	neigh(f, IF_UPLINK, "fe80::1", 0x06);
	learn(f, "2001:db8:1::1");
	learn(f, "2001:db8:1::2");
	learn(f, "50.1.1.1");

	/* uplink0's MTU: what leaves by it goes, what leaves by access0
	 * stays. */
	link_mtu(f, IF_UPLINK, 1500);
	assert_int_equal(revalidate(f), 7);
	assert_non_null(find(f, "198.51.100.10"));
	assert_non_null(find(f, "2001:db8:ff::10"));
	for (int i = 0; i < nall; i++)
		learn(f, all[i]);
	assert_int_equal(find(f, "10.1.1.1")->mtu, 1500);
	/* Past 65535 the entry says 65535: 70000 to 80000 changes
	 * nothing it says. */
	link_mtu(f, IF_ACCESS, 70000);
	assert_int_equal(revalidate(f), 2);
	learn(f, "198.51.100.10");
	learn(f, "2001:db8:ff::10");
	assert_int_equal(find(f, "198.51.100.10")->mtu, 65535);
	link_mtu(f, IF_ACCESS, 80000);
	assert_int_equal(revalidate(f), 0);

	/* Routes that take destinations off the fast path: a blackhole,
	 * one out an interface of no role, one deleted with nothing under
	 * it. */
	route_msg(f, RTM_NEWROUTE, "10.1.1.0/24", NULL, 0, 0, RTN_BLACKHOLE);
	assert_int_equal(revalidate(f), 1);
	assert_null(find(f, "10.1.1.1"));
	route(f, "10.1.2.0/24", "203.0.113.1", IF_MGMT);
	assert_int_equal(revalidate(f), 1);
	assert_null(find(f, "10.1.2.2"));
	route_msg(f, RTM_DELROUTE, "20.0.0.0/8", "192.0.2.2", IF_UPLINK, 0,
		  RTN_UNICAST);
	assert_int_equal(revalidate(f), 1);
	assert_null(find(f, "20.1.1.1"));
	assert_int_equal(used_entries(f), nall - 3);

	/* An address of ours now: gone at once, nothing else touched. */
	snap(f);
	{
		uint32_t i = index_of(f, find(f, "198.51.100.10"));

		addr_msg(f, IF_ACCESS, "198.51.100.10", 24);
		assert_null(find(f, "198.51.100.10"));
		changed_only(f, &i, 1);
	}
	snap(f);
	{
		uint32_t i = index_of(f, find(f, "2001:db8:1::2"));

		/* on an interface not the router's (lo, a dummy): also */
		addr_msg(f, 1, "2001:db8:1::2", 128);
		assert_null(find(f, "2001:db8:1::2"));
		changed_only(f, &i, 1);
	}
	/* One no entry is for: nothing. */
	snap(f);
	addr_msg(f, IF_UPLINK, "192.0.2.254", 24);
	changed_only(f, NULL, 0);
	assert_int_equal(revalidate(f), 0);
}

/* ---- 3. eviction ---- */

/* n IPv4 destinations in 10.0.0.0/8 that share one bucket. */
static void same_bucket(char (*out)[INET_ADDRSTRLEN], int n)
{
	uint32_t want = UINT32_MAX;
	int k = 0;

	for (uint32_t x = 1; k < n; x++) {
		uint32_t a = htonl(0x0a000000u | x);
		uint8_t d[16] = { 0 };

		memcpy(d, &a, 4);
		if (want == UINT32_MAX)
			want = bucket(AF_INET, d);
		if (bucket(AF_INET, d) != want)
			continue;
		inet_ntop(AF_INET, d, out[k++], INET_ADDRSTRLEN);
	}
}

static void hit(struct fx *f, const char *s)
{
	find(f, s)->hits += 7; /* nic_ingress forwarded by it */
}

static void test_evict(void **state)
{
	struct fx *f = *state;
	char d[7][INET_ADDRSTRLEN];
	struct tn_fast_entry *e;
	struct neigh *gw1;
	uint32_t way[7];

	topo(f);
	same_bucket(d, 7);
	gw1 = neigh_find(&f->r.neigh, AF_INET, IF_UPLINK,
			 (uint8_t[16]){ 192, 0, 2, 1 });
	assert_non_null(gw1);
	for (int i = 0; i < 4; i++) {
		f->r.now_ns = (uint64_t)(i + 1) * NS;
		way[i] = index_of(f, learn(f, d[i]));
	}
	/* d3, d0, d1 used, a second apart; d2 not since it was learned. */
	ftable_tick(&f->r);
	hit(f, d[3]);
	gw1->used = false;
	f->r.now_ns = 6 * NS;
	ftable_tick(&f->r);
	assert_true(gw1->used); /* kept resolved: the kernel sees none */
	hit(f, d[0]);
	f->r.now_ns = 7 * NS;
	ftable_tick(&f->r);
	hit(f, d[1]);
	f->r.now_ns = 8 * NS;
	ftable_tick(&f->r);
	/* Unused since: a tick does not make them newer. */
	f->r.now_ns = 9 * NS;
	ftable_tick(&f->r);

	/* Full: d4 takes the least recently used way, d2's. */
	f->r.now_ns = 10 * NS;
	snap(f);
	e = learn(f, d[4]);
	assert_int_equal(index_of(f, e), way[2]);
	assert_null(find(f, d[2]));
	changed_only(f, &way[2], 1);
	way[4] = way[2];
	/* Then d3's (used at 6 s), then d0's (7 s). */
	f->r.now_ns = 11 * NS;
	e = learn(f, d[5]);
	assert_int_equal(index_of(f, e), way[3]);
	assert_null(find(f, d[3]));
	f->r.now_ns = 12 * NS;
	e = learn(f, d[6]);
	assert_int_equal(index_of(f, e), way[0]);
	assert_null(find(f, d[0]));
	/* Left: d1 (8 s), d4 (10 s), d5 (11 s), d6 (12 s). A hit on d1 now
	 * makes d4 the oldest. */
	hit(f, d[1]);
	f->r.now_ns = 13 * NS;
	ftable_tick(&f->r);
	f->r.now_ns = 14 * NS;
	e = learn(f, d[0]);
	assert_int_equal(index_of(f, e), way[4]);
	assert_non_null(find(f, d[1]));
	/* A way taken out is free: the next one takes it, whatever the
	 * ages. */
	ftable_forget(&f->r, AF_INET, find(f, d[5])->dst);
	assert_null(find(f, d[5]));
	f->r.now_ns = 15 * NS;
	e = learn(f, d[2]);
	assert_int_equal(index_of(f, e), way[3]);
	assert_non_null(find(f, d[0]));
	assert_non_null(find(f, d[1]));
	assert_non_null(find(f, d[6]));
	assert_int_equal(used_entries(f), 4);
}

/* Thread 0 copies what XDP forwarded, summed over the CPUs' slots, onto
 * the counters of each role's interface. */
static void test_counters(void **state)
{
	struct fx *f = *state;
	struct tn_fast_ctrs *c;

	for (uint32_t cpu = 0; cpu < TN_FAST_CPUS; cpu += 3) {
		c = &f->tab[TN_FAST_BUCKETS + cpu].c;
		c->packets[0] = cpu + 1;
		c->bytes[0] = 1000 * (cpu + 1);
		c->packets[1] = 2;
		c->bytes[1] = 3000;
	}
	f->r.queue = 1;
	ftable_tick(&f->r);
	assert_int_equal(f->ctr[0][TN_RC_FAST], 0);
	f->r.queue = 0;
	ftable_tick(&f->r);
	/* cpu 0, 3, ..., 63: 22 slots; sum of cpu + 1 = 22 * 32.5 */
	assert_int_equal(f->ctr[0][TN_RC_FAST], 715);
	assert_int_equal(f->ctr[0][TN_RC_FAST_BYTES], 715000);
	assert_int_equal(f->ctr[1][TN_RC_FAST], 44);
	assert_int_equal(f->ctr[1][TN_RC_FAST_BYTES], 66000);
	assert_int_equal(f->ctr[2][TN_RC_FAST], 0); /* mgmt0: no role */
}

/* ---- 4. the seq protocol ---- */

static void test_seq(void **state)
{
	struct fx *f = *state;
	const uint8_t other[6] = { 2, 0, 0, 0, 0, 0x99 };
	char d[5][INET_ADDRSTRLEN];
	struct tn_fast_entry *e, *busy, copy;
	uint8_t a[16];
	uint32_t i, seq;

	topo(f);
	e = learn(f, "10.1.1.1");
	learn(f, "20.1.1.1");
	assert_int_equal(e->seq, 2);

	/* Another thread writes it (seq odd): learning it again writes
	 * nothing, neither does taking it out. */
	e->seq = 3;
	copy = *e;
	snap(f);
	ftable_learn(&f->r, rt_if_by_index(&f->r, IF_UPLINK), AF_INET,
		     (uint8_t[16]){ 10, 1, 1, 1 }, other);
	ftable_forget(&f->r, AF_INET, (uint8_t[16]){ 10, 1, 1, 1 });
	neigh(f, IF_UPLINK, "192.0.2.1", 0x11); /* its decision changes */
	neigh(f, IF_UPLINK, "192.0.2.2", 0x12);
	assert_int_equal(revalidate(f), 1); /* 20.1.1.1's, not this one */
	ftable_flush(&f->r);
	assert_memory_equal(e, &copy, sizeof(copy));
	assert_int_equal(used_entries(f), 1);

	/* That writer is done (seq + 2): now it is ours to take out. */
	e->seq = 4;
	assert_int_equal(revalidate(f), 1);
	assert_int_equal(e->seq, 6);
	assert_int_equal(e->family, 0);
	e = learn(f, "10.1.1.1");
	seq = e->seq;
	ftable_flush(&f->r);
	assert_int_equal(e->seq, seq + 2);
	assert_int_equal(used_entries(f), 0);

	/* A full bucket whose least recently used way is another writer's:
	 * that way is not overwritten. */
	same_bucket(d, 5);
	for (int k = 0; k < 3; k++) {
		f->r.now_ns = (uint64_t)(k + 1) * NS;
		learn(f, d[k]);
	}
	busy = find(f, d[0]); /* the oldest */
	busy->seq |= 1;
	copy = *busy;
	f->r.now_ns = 10 * NS;
	learn(f, d[3]); /* a free way: it goes there */
	assert_memory_equal(busy, &copy, sizeof(copy));
	snap(f);
	ip(d[4], a);
	ftable_learn(&f->r, rt_if_by_index(&f->r, IF_UPLINK), AF_INET, a,
		     other);
	/* Wherever it went (or if it did not), d[0]'s way is untouched. */
	for (i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *x = ent(f, i), *b = &f->before[i];

		if (x->seq != b->seq) {
			assert_int_equal(b->seq % 2, 0);
			assert_int_equal(x->seq, b->seq + 2);
			assert_true(same_dst(x, AF_INET, a));
		} else {
			assert_memory_equal(x, b, sizeof(*x));
		}
	}
	assert_memory_equal(busy, &copy, sizeof(copy));

	/* Every write leaves seq even and larger, flush's too. */
	busy->seq &= ~1u;
	snap(f);
	ftable_flush(&f->r);
	for (i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *x = ent(f, i), *b = &f->before[i];

		assert_int_equal(x->family, 0);
		assert_int_equal(x->seq, b->seq + (b->family ? 2 : 0));
	}
}

/* ---- 5. the full Internet table ---- */

struct pfx {
	uint8_t a[16];
	uint8_t family, len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t v4(const uint8_t *a)
{
	uint32_t x;

	memcpy(&x, a, 4);
	return ntohl(x);
}

/* What fwd_one() decides by the router's own tables: the interface and
 * MAC to learn. */
static bool fwd_decide(struct router *r, int family, const uint8_t *dst,
		       struct rt_if **o, const uint8_t **mac)
{
	uint32_t nhi = family == AF_INET ? fib4_lookup(r->fib4, v4(dst)) :
					   fib6_lookup(r->fib6, dst);
	struct neigh *n;
	struct nh *nh;

	if (nhi == FIB_NONE)
		return false;
	nh = &r->nh.v[nhi];
	*o = rt_if_by_index(r, nh->ifindex);
	if (nh->type != NH_UNICAST || !*o)
		return false;
	n = nh->family ?
		    neigh_find(&r->neigh, nh->family, nh->ifindex, nh->gw) :
		    neigh_find(&r->neigh, (uint8_t)family, nh->ifindex, dst);
	if (!n || n->state != NEIGH_VALID)
		return false;
	*mac = n->mac;
	return true;
}

/* The /24 to add: one with prefixes longer than /24 inside it covering
 * an eighth of it to seven eighths, the rest routed by a shorter one; of those, the one
 * with the most lengths, then the most prefixes. (The file is sorted: a
 * /24's longer prefixes come together.) */
static uint32_t pick_24(struct router *r, const struct pfx *p, size_t np)
{
	uint32_t best = 0;
	int best_score = -1;

	for (size_t i = 0; i < np;) {
		uint32_t base;
		uint8_t cov[256] = { 0 };
		unsigned int lens = 0, ncov = 0, cnt = 0, free_a = 256;
		size_t j;

		if (p[i].family != AF_INET || p[i].len <= 24) {
			i++;
			continue;
		}
		base = v4(p[i].a) & 0xffffff00u;
		for (j = i; j < np && p[j].family == AF_INET && p[j].len > 24 &&
			    (v4(p[j].a) & 0xffffff00u) == base;
		     j++) {
			uint32_t lo = v4(p[j].a) & 0xff,
				 size = 1u << (32 - p[j].len);

			lens |= 1u << (p[j].len - 24);
			cnt++;
			for (uint32_t k = lo; k < lo + size; k++)
				cov[k] = 1;
		}
		for (int k = 0; k < 256; k++)
			if (cov[k])
				ncov++;
			else if (free_a == 256)
				free_a = (unsigned int)k;
		if (ncov >= 32 && ncov <= 224 &&
		    fib4_lookup(r->fib4, base | free_a) != FIB_NONE) {
			int score = __builtin_popcount(lens) * 1000 + (int)cnt;

			if (score > best_score) {
				best_score = score;
				best = base;
			}
		}
		i = j;
	}
	assert_true(best_score >= 0);
	return best;
}

static void test_fulltable(void **state)
{
	struct fx *f = *state;
	struct router *r = &f->r;
	/* v4 gateways: three on uplink0, one on access0; v6: two. */
	const char *gw4[] = { "192.0.2.11", "192.0.2.12", "192.0.2.13",
			      "198.51.100.1" };
	const int if4[] = { IF_UPLINK, IF_UPLINK, IF_UPLINK, IF_ACCESS };
	const char *gw6[] = { "fe80::11", "fe80::12" };
	struct nh key4[4], key6[2];
	struct pfx *p = NULL;
	size_t np = 0, cap = 0, n4 = 0, n6 = 0, nlong = 0, *lng;
	uint8_t cnt[TN_FAST_BUCKETS] = { 0 };
	char *line = NULL, net[INET_ADDRSTRLEN];
	double t0, load, t[5];
	uint32_t base, learned = 0, in24 = 0, removed = 0, kept24 = 0;
	uint64_t s = 42, tries = 0;
	size_t lcap = 0;
	FILE *in;

	if (access(FULLTABLE, R_OK))
		skip();
	link_mtu(f, IF_UPLINK, 9000);
	for (int i = 0; i < 4; i++) {
		neigh(f, if4[i], gw4[i], (uint8_t)(0x40 + i));
		key4[i] = (struct nh){ .type = NH_UNICAST,
				       .family = AF_INET,
				       .ifindex = if4[i] };
		ip(gw4[i], key4[i].gw);
	}
	for (int i = 0; i < 2; i++) {
		neigh(f, IF_UPLINK, gw6[i], (uint8_t)(0x60 + i));
		key6[i] = (struct nh){ .type = NH_UNICAST,
				       .family = AF_INET6,
				       .ifindex = IF_UPLINK };
		ip(gw6[i], key6[i].gw);
	}

	in = popen("gzip -dc " FULLTABLE, "r");
	assert_non_null(in);
	while (getline(&line, &lcap, in) > 0) {
		unsigned int len;
		int family;

		if (np == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			p = realloc(p, cap * sizeof(*p));
			assert_non_null(p);
		}
		line[strcspn(line, "\r\n")] = '\0'; /* the file has CRLFs */
		memset(p[np].a, 0, 16);
		assert_int_equal(
			tn_parse_prefix(line, 0, &family, p[np].a, &len), 0);
		p[np].family = (uint8_t)family;
		p[np++].len = (uint8_t)len;
	}
	free(line);
	assert_int_equal(pclose(in), 0);
	t0 = now_s();
	for (size_t i = 0; i < np; i++) {
		const struct nh *k = p[i].family == AF_INET ? &key4[i % 4] :
							      &key6[i % 2];

		assert_int_equal(route_add(r, p[i].family, p[i].a, p[i].len, k),
				 0);
		if (p[i].family == AF_INET)
			n4++;
		else
			n6++;
	}
	load = now_s() - t0;
	assert_int_equal(fib4_routes(r->fib4), n4);
	assert_int_equal(fib6_routes(r->fib6), n6);
	print_message("# full table: %zu IPv4 + %zu IPv6 routes by route_add "
		      "in %.2f s\n",
		      n4, n6, load);

	/* Every address of the /24, then random ones in random prefixes,
	 * into buckets not yet full, until the table is. */
	base = pick_24(r, p, np);
	/* The reference: its longer prefixes, all of them. */
	lng = calloc(np, sizeof(*lng));
	assert_non_null(lng);
	for (size_t i = 0; i < np; i++)
		if (p[i].family == AF_INET && p[i].len > 24 &&
		    (v4(p[i].a) & 0xffffff00u) == base)
			lng[nlong++] = i;
	{
		uint32_t b = htonl(base);

		inet_ntop(AF_INET, &b, net, sizeof(net));
	}
	for (uint32_t k = 0; k < 256; k++) {
		uint32_t a = htonl(base | k);
		uint8_t d[16] = { 0 };
		const uint8_t *mac;
		struct rt_if *o;
		uint32_t b;

		memcpy(d, &a, 4);
		b = bucket(AF_INET, d);
		if (cnt[b] == TN_FAST_WAYS)
			continue;
		assert_true(fwd_decide(r, AF_INET, d, &o, &mac));
		ftable_learn(r, o, AF_INET, d, mac);
		cnt[b]++;
		learned++;
		in24++;
	}
	while (learned < TN_FAST_ENTRIES) {
		const struct pfx *x = &p[rnd(&s) % np];
		uint64_t h[2] = { rnd(&s), rnd(&s) };
		uint8_t d[16] = { 0 };
		const uint8_t *mac;
		struct rt_if *o;
		uint32_t b;

		tries++;
		memcpy(d, h, (size_t)alen(x->family));
		for (unsigned int i = 0; i < x->len; i++) {
			uint8_t m = 0x80 >> (i % 8);

			d[i / 8] =
				(uint8_t)((d[i / 8] & ~m) | (x->a[i / 8] & m));
		}
		b = bucket(x->family, d);
		if (cnt[b] == TN_FAST_WAYS)
			continue;
		for (int w = 0; w < TN_FAST_WAYS; w++)
			if (same_dst(&f->tab[b].b.e[w], x->family, d))
				goto next;
		assert_true(fwd_decide(r, x->family, d, &o, &mac));
		ftable_learn(r, o, x->family, d, mac);
		cnt[b]++;
		learned++;
next:;
	}
	assert_int_equal(used_entries(f), TN_FAST_ENTRIES);
	print_message("# table full: %u entries (%u in %s/24, which %zu longer "
		      "prefixes cover in part), %llu tries\n",
		      learned, in24, net, nlong, (unsigned long long)tries);

	/* Nothing changed: every entry agrees with the router's tables. */
	for (int k = 0; k < 5; k++) {
		snap(f);
		t0 = now_s();
		ftable_revalidate(r);
		t[k] = now_s() - t0;
		changed_only(f, NULL, 0);
	}
	print_message("# ftable_revalidate, %u entries, full table, nothing "
		      "changed: %.3f ms (then %.3f %.3f %.3f %.3f)\n",
		      learned, t[0] * 1e3, t[1] * 1e3, t[2] * 1e3, t[3] * 1e3,
		      t[4] * 1e3);

	/* The /24 via a new gateway: out go exactly its entries that no
	 * longer prefix covers. */
	neigh(f, IF_UPLINK, "192.0.2.15", 0x4f);
	{
		char pfx[INET_ADDRSTRLEN + 4];

		snprintf(pfx, sizeof(pfx), "%s/24", net);
		f->r.fast_dirty = false;
		route(f, pfx, "192.0.2.15", IF_UPLINK);
	}
	snap(f);
	t0 = now_s();
	ftable_revalidate(r);
	t[0] = now_s() - t0;
	assert_false(r->fast_dirty);
	for (uint32_t i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *a = ent(f, i), *b = &f->before[i];
		bool covered = false;

		if (b->family != AF_INET ||
		    (v4(b->dst) & 0xffffff00u) != base) {
			assert_memory_equal(a, b, sizeof(*a));
			continue;
		}
		for (size_t k = 0; k < nlong; k++)
			covered |=
				in_prefix(b->dst, p[lng[k]].a, p[lng[k]].len);
		if (covered) {
			assert_memory_equal(a, b, sizeof(*a));
			kept24++;
		} else {
			assert_int_equal(a->family, 0);
			assert_int_equal(a->seq, b->seq + 2);
			removed++;
		}
	}
	assert_true(removed > 0 && kept24 > 0);
	assert_int_equal(used_entries(f), TN_FAST_ENTRIES - (int)removed);
	print_message("# %s/24 added: ftable_revalidate %.3f ms, %u entries "
		      "out, %u of the /24 kept (longer prefixes), the other "
		      "%u untouched\n",
		      net, t[0] * 1e3, removed, kept24,
		      TN_FAST_ENTRIES - removed - kept24);
	free(lng);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revalidate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_evict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fulltable, setup,
						teardown),
	};

	tn_log_init("test_ftable", TN_LOG_WARN); /* no "fast table in use" */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
