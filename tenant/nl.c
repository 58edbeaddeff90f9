// SPDX-License-Identifier: GPL-2.0
/*
 * The router's control plane is the container's kernel: routes (from `ip
 * route`, BIRD or FRR), addresses, links and neighbours are mirrored over
 * rtnetlink. One socket subscribes to the change groups before another
 * dumps everything, so nothing changed during the dump is missed (events
 * are applied after it, and applying one twice is harmless).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "rt.h"

/* Large enough for a dump message batch (the kernel fills up to 32 KiB). */
#define NL_BUF 32768

static int rt_family_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Attributes by type into tb[0..max]; unknown types are skipped. */
struct attrs {
	const struct nlattr **tb;
	uint16_t max;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static void parse_attrs(const struct nlmsghdr *nlh, size_t hdr,
			const struct nlattr **tb, uint16_t max)
{
	struct attrs t = { tb, max };

	mnl_attr_parse(nlh, (unsigned int)hdr, attr_cb, &t);
}

/* A u32 attribute's value: false if absent or too short to hold one
 * (libmnl's getters read what they are told to). */
static bool attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_get_payload_len(a) < sizeof(uint32_t))
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static int dump(struct router *r, uint16_t type, uint8_t family, size_t hdr);

/* ---- links and addresses ---- */

static void on_link(struct router *r, const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct rt_if *i = rt_if_by_index(r, ifi->ifi_index);

	if (!i || nlh->nlmsg_type != RTM_NEWLINK)
		return;
	/* Taking an interface down, the kernel drops the IPv4 routes out of
	 * it and says nothing about them. */
	if (i->up && !(ifi->ifi_flags & IFF_UP))
		r->resync_why = "an interface went down";
	i->up = ifi->ifi_flags & IFF_UP;
	r->fast_dirty = true;
	parse_attrs(nlh, sizeof(*ifi), tb, IFLA_MAX);
	attr_u32(tb[IFLA_MTU], &i->mtu);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(i->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
}

static void on_addr(struct router *r, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	struct rt_if *i = rt_if_by_index(r, (int)ifa->ifa_index);
	bool add = nlh->nlmsg_type == RTM_NEWADDR, readdr = false;
	const struct nlattr *a;
	const uint8_t *addr;

	/* Other families' addresses (16 bytes long, say) are none of the
	 * router's: tenant_rx's address map takes IPv4 and IPv6 only. */
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	parse_attrs(nlh, sizeof(*ifa), tb, IFA_MAX);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) !=
			  (uint16_t)rt_family_len(ifa->ifa_family))
		return;
	addr = mnl_attr_get_payload(a);
	/* An address of ours is no destination to forward to. */
	if (add)
		ftable_forget(r, ifa->ifa_family, addr);
	/* Every address of the router's is its own, on lo or a dummy as
	 * much as on a forwarding interface. */
	if (r->addr_cb)
		r->addr_cb(r, add, ifa->ifa_family, addr);
	if (!i)
		return;
	if (ifa->ifa_family == AF_INET) {
		if (add && !i->has4) {
			memcpy(i->addr4, addr, 4);
			i->has4 = true;
		} else if (!add && i->has4 && !memcmp(i->addr4, addr, 4)) {
			i->has4 = false;
			readdr = true;
		}
	} else if (ifa->ifa_family == AF_INET6) {
		/* ICMPv6 errors go to anywhere: they need a global source,
		 * and a link-local one only while there is nothing else. */
		bool global = ifa->ifa_scope == RT_SCOPE_UNIVERSE;
		bool ll_now = i->has6 && i->addr6[0] == 0xfe &&
			      (i->addr6[1] & 0xc0) == 0x80;

		if (add && (!i->has6 || (global && ll_now))) {
			memcpy(i->addr6, addr, 16);
			i->has6 = true;
		} else if (!add && i->has6 && !memcmp(i->addr6, addr, 16)) {
			i->has6 = false;
			readdr = true;
		}
	}
	/* The source of our ICMP errors went: take another if it has one. */
	if (readdr)
		dump(r, RTM_GETADDR, ifa->ifa_family, sizeof(struct ifaddrmsg));
}

/* ---- routes ---- */

struct route_msg {
	int family;
	unsigned int len;
	uint8_t dst[16];
	struct nh nh;
	bool ours; /* main table, a type we forward or refuse */
};

static void gateway(struct route_msg *m, const struct nlattr *gw,
		    const struct nlattr *via)
{
	if (gw && mnl_attr_get_payload_len(gw) ==
			  (uint16_t)rt_family_len(m->family)) {
		m->nh.family = (uint8_t)m->family;
		memcpy(m->nh.gw, mnl_attr_get_payload(gw),
		       rt_family_len(m->family));
	} else if (via && mnl_attr_get_payload_len(via) >= 2) {
		/* RTA_VIA: an IPv4 route with an IPv6 gateway (RFC 5549) */
		const struct rtvia *v = mnl_attr_get_payload(via);
		uint16_t alen = mnl_attr_get_payload_len(via) - 2;

		if (alen == (uint16_t)rt_family_len(v->rtvia_family)) {
			m->nh.family = (uint8_t)v->rtvia_family;
			memcpy(m->nh.gw, v->rtvia_addr, alen);
		}
	}
}

static void parse_route(const struct nlmsghdr *nlh, struct route_msg *m)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	uint32_t table = rtm->rtm_table, oif;

	memset(m, 0, sizeof(*m));
	parse_attrs(nlh, sizeof(*rtm), tb, RTA_MAX);
	attr_u32(tb[RTA_TABLE], &table);
	m->family = rtm->rtm_family;
	m->len = rtm->rtm_dst_len;
	if (table != RT_TABLE_MAIN || (rtm->rtm_flags & RTM_F_CLONED) ||
	    (m->family != AF_INET && m->family != AF_INET6))
		return;
	switch (rtm->rtm_type) {
	case RTN_UNICAST:
		m->nh.type = NH_UNICAST;
		break;
	case RTN_BLACKHOLE:
		m->nh.type = NH_BLACKHOLE;
		break;
	case RTN_UNREACHABLE:
		m->nh.type = NH_UNREACHABLE;
		break;
	case RTN_PROHIBIT:
		m->nh.type = NH_PROHIBIT;
		break;
	default:
		return;
	}
	if (tb[RTA_DST]) {
		/* A destination of another length is no route we know. */
		if (mnl_attr_get_payload_len(tb[RTA_DST]) !=
		    (uint16_t)rt_family_len(m->family))
			return;
		memcpy(m->dst, mnl_attr_get_payload(tb[RTA_DST]),
		       rt_family_len(m->family));
	}
	if (attr_u32(tb[RTA_OIF], &oif))
		m->nh.ifindex = (int)oif;
	attr_u32(tb[RTA_PRIORITY], &m->nh.prio);
	gateway(m, tb[RTA_GATEWAY], tb[RTA_VIA]);
	if (tb[RTA_MULTIPATH] && !m->nh.ifindex) {
		/* ECMP is not spread yet: the first path carries it all. */
		const struct rtnexthop *nh =
			mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		const struct nlattr *ntb[RTA_MAX + 1] = { 0 };

		if (mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >=
			    sizeof(*nh) &&
		    nh->rtnh_len >= sizeof(*nh) &&
		    nh->rtnh_len <=
			    mnl_attr_get_payload_len(tb[RTA_MULTIPATH])) {
			m->nh.ifindex = nh->rtnh_ifindex;
			struct attrs t = { ntb, RTA_MAX };

			mnl_attr_parse_payload(RTNH_DATA(nh),
					       nh->rtnh_len - sizeof(*nh),
					       attr_cb, &t);
			gateway(m, ntb[RTA_GATEWAY], ntb[RTA_VIA]);
		}
	}
	m->ours = true;
}

static void on_route(struct router *r, const struct nlmsghdr *nlh)
{
	char buf[INET6_ADDRSTRLEN];
	struct route_msg m;
	struct timespec ts;
	int err;

	parse_route(nlh, &m);
	if (!m.ours)
		return;
	err = nlh->nlmsg_type == RTM_NEWROUTE ?
		      route_add(r, (uint8_t)m.family, m.dst, m.len, &m.nh) :
		      route_del(r, (uint8_t)m.family, m.dst, m.len, &m.nh);
	inet_ntop(m.family, m.dst, buf, sizeof(buf));
	if (err) {
		tn_err("route %s/%u: %s\n", buf, m.len, strerror(-err));
		return;
	}
	r->route_changes++;
	r->fast_dirty = true;
	/* With the wall clock, so a change can be timed from outside. */
	clock_gettime(CLOCK_REALTIME, &ts);
	tn_dbg("route %s %s/%u in the FIB at %lld.%09ld\n",
	       nlh->nlmsg_type == RTM_NEWROUTE ? "add" : "del", buf, m.len,
	       (long long)ts.tv_sec, ts.tv_nsec);
}

/* ---- neighbours ---- */

static void on_neigh(struct router *r, const struct nlmsghdr *nlh)
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	const uint16_t usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY |
				NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
	struct neigh *n;

	if ((nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) ||
	    !rt_if_by_index(r, nd->ndm_ifindex))
		return;
	parse_attrs(nlh, sizeof(*nd), tb, NDA_MAX);
	if (!tb[NDA_DST] || mnl_attr_get_payload_len(tb[NDA_DST]) !=
				    (uint16_t)rt_family_len(nd->ndm_family))
		return;
	n = neigh_find(&r->neigh, nd->ndm_family, nd->ndm_ifindex,
		       mnl_attr_get_payload(tb[NDA_DST]));
	if (nlh->nlmsg_type == RTM_DELNEIGH) {
		/* Kept, unresolved: the next frame asks again. */
		if (n) {
			fwd_neigh_state(r, n, NEIGH_INCOMPLETE);
			r->fast_dirty = true;
		}
		return;
	}
	if (!n && !(nd->ndm_state & usable))
		return; /* nothing of ours waits for it */
	if (!n)
		n = fwd_neigh_get(r, nd->ndm_family, nd->ndm_ifindex,
				  mnl_attr_get_payload(tb[NDA_DST]));
	if (!n)
		return;
	if ((nd->ndm_state & usable) && tb[NDA_LLADDR] &&
	    mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		/* A new MAC, or valid again: what the fast table holds of
		 * this neighbour is checked (a refresh changes nothing). */
		if (n->state != NEIGH_VALID ||
		    memcmp(n->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6))
			r->fast_dirty = true;
		memcpy(n->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		fwd_neigh_state(r, n, NEIGH_VALID);
	} else if (nd->ndm_state & NUD_FAILED) {
		fwd_neigh_state(r, n, NEIGH_FAILED);
		r->fast_dirty = true;
	} else {
		return;
	}
	fwd_neigh_update(r, n);
}

static const struct {
	uint16_t type;
	size_t hdr; /* the family's header, which the handler reads */
	void (*fn)(struct router *r, const struct nlmsghdr *nlh);
} handlers[] = {
	{ RTM_NEWLINK, sizeof(struct ifinfomsg), on_link },
	{ RTM_DELLINK, sizeof(struct ifinfomsg), on_link },
	{ RTM_NEWADDR, sizeof(struct ifaddrmsg), on_addr },
	{ RTM_DELADDR, sizeof(struct ifaddrmsg), on_addr },
	{ RTM_NEWROUTE, sizeof(struct rtmsg), on_route },
	{ RTM_DELROUTE, sizeof(struct rtmsg), on_route },
	{ RTM_NEWNEIGH, sizeof(struct ndmsg), on_neigh },
	{ RTM_DELNEIGH, sizeof(struct ndmsg), on_neigh },
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct router *r = data;

	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		/* A message too short for its header is skipped, not read
		 * past its end. */
		if (nlh->nlmsg_type == handlers[i].type &&
		    mnl_nlmsg_get_payload_len(nlh) >= handlers[i].hdr)
			handlers[i].fn(r, nlh);
	return MNL_CB_OK;
}

/*
 * The length of buf's whole messages, the first len bytes of what came.
 * libmnl reads a message length of 2^31 or more as negative, which "fits"
 * any buffer, and walks on past its end: it gets only what is framed.
 */
static size_t framed(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t off = 0;

	while (len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)(p + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			off = len;
	}
	return off;
}

static int cb_run(struct router *r, const void *buf, size_t len, uint32_t seq,
		  uint32_t portid)
{
	return mnl_cb_run(buf, framed(buf, len), seq, portid, on_msg, r);
}

/* ---- sockets ---- */

int nl_open(struct router *r)
{
	unsigned int groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR |
			      RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
			      RTMGRP_IPV6_ROUTE;
	int rcvbuf = 4 << 20;

	r->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	r->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->ev || !r->req ||
	    mnl_socket_bind(r->ev, groups, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_bind(r->req, 0, MNL_SOCKET_AUTOPID)) {
		int err = -errno;

		nl_close(r);
		return err;
	}
	/* Room for a burst of route changes (a BGP session coming up); the
	 * kernel caps it at net.core.rmem_max. Past that, events are lost
	 * and nl_events says -ENOBUFS: the caller rebuilds from a dump. */
	setsockopt(mnl_socket_get_fd(r->ev), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	r->seq = (uint32_t)time(NULL);
	return 0;
}

void nl_close(struct router *r)
{
	if (r->ev)
		mnl_socket_close(r->ev);
	if (r->req)
		mnl_socket_close(r->req);
	r->ev = r->req = NULL;
}

int nl_event_fd(const struct router *r)
{
	return mnl_socket_get_fd(r->ev);
}

static int dump(struct router *r, uint16_t type, uint8_t family, size_t hdr)
{
	char buf[NL_BUF];
	struct nlmsghdr *nlh;
	uint32_t portid;
	struct rtgenmsg *g;
	ssize_t n;
	int ret;

	/* A router fed by nl_apply() alone has no socket to ask with. */
	if (!r->req)
		return -ENOTCONN;
	nlh = mnl_nlmsg_put_header(buf);
	portid = mnl_socket_get_portid(r->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++r->seq;
	/* Each request has its own header; all start with the family. */
	g = mnl_nlmsg_put_extra_header(nlh, hdr);
	g->rtgen_family = family;
	if (mnl_socket_sendto(r->req, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->req, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = cb_run(r, buf, (size_t)n, r->seq, portid);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

int nl_dump_all(struct router *r)
{
	static const struct {
		uint16_t type;
		uint8_t family;
		size_t hdr;
	} what[] = {
		{ RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg) },
		{ RTM_GETADDR, AF_UNSPEC, sizeof(struct ifaddrmsg) },
		{ RTM_GETROUTE, AF_INET, sizeof(struct rtmsg) },
		{ RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg) },
		{ RTM_GETNEIGH, AF_UNSPEC, sizeof(struct ndmsg) },
	};

	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		int err = dump(r, what[i].type, what[i].family, what[i].hdr);

		if (err)
			return err;
	}
	return 0;
}

void nl_drain(struct router *r)
{
	char buf[NL_BUF];

	while (mnl_socket_recvfrom(r->ev, buf, sizeof(buf)) > 0 ||
	       errno == ENOBUFS)
		;
}

int nl_apply(struct router *r, const void *buf, size_t len)
{
	/* Events carry sequence 0 and the kernel's port id. */
	return cb_run(r, buf, len, 0, 0);
}

int nl_events(struct router *r)
{
	char buf[NL_BUF];
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(r->ev, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (nl_apply(r, buf, (size_t)n) < 0 && errno != ESRCH)
			return -errno;
	}
}
