// SPDX-License-Identifier: GPL-2.0
/*
 * The per-frame path: validate, look up, rewrite, send; or answer with an
 * ICMP error, or hold the frame while the kernel resolves the next hop.
 * Frames never leave the UMEM: a forwarded frame is the received buffer put
 * on another socket's TX ring, an ICMP error is built over the frame that
 * caused it.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "log.h"
#include "pkt.h"
#include "rt.h"

#define NS_PER_SEC 1000000000ull
#define RESOLVE_RETRY_NS NS_PER_SEC /* ask the kernel again after */
#define RESOLVE_GIVEUP_NS (3 * NS_PER_SEC) /* drop what is held after */
#define REVALIDATE_NS (15 * NS_PER_SEC) /* re-ask for neighbours in use */
#define FORGET_NS (10 * NS_PER_SEC) /* unresolved, nothing held: forget */
#define ICMP_BURST 50

static inline uint8_t *frame_at(struct router *r, uint64_t addr)
{
	return (uint8_t *)r->umem.area + addr;
}

static inline uint32_t frame_room(struct router *r, uint64_t addr)
{
	return r->umem.frame_size - (uint32_t)(addr % r->umem.frame_size);
}

static void drop(struct router *r, struct rt_if *i, enum tn_rc why,
		 uint64_t addr)
{
	i->ctr[why]++;
	tn_umem_put(&r->umem, addr);
}

/* Puts one frame on o's TX ring; the ring's producer is published, and the
 * kernel kicked, once per loop (after_batch), not per frame. */
static bool tx_ring(struct router *r, struct rt_if *o, uint64_t addr,
		    uint32_t len)
{
	struct xdp_desc *d;
	uint32_t idx;

	if (xsk_ring_prod__reserve(&o->xsk.tx, 1, &idx) != 1) {
		drop(r, o, TN_RC_TX_RING_FULL, addr);
		return false;
	}
	d = xsk_ring_prod__tx_desc(&o->xsk.tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	o->ctr[TN_RC_TX]++;
	o->tx_pending++;
	return true;
}

/* Sends a frame, or queues it behind the others while the tenant's rate
 * does not let it go (fwd_shape sends it later). */
static bool tx(struct router *r, struct rt_if *o, uint64_t addr, uint32_t len)
{
	uint64_t at;

	if (!o->sq.n && (!shaper_on(o->shaper) ||
			 shaper_take(o->shaper, len, r->now_ns, &at)))
		return tx_ring(r, o, addr, len);
	if (!shape_enqueue(&o->sq, addr, len, r->now_ns)) {
		drop(r, o, TN_RC_SHAPED_DROP, addr);
		return false;
	}
	o->ctr[TN_RC_SHAPED]++;
	return true;
}

struct shape_ctx {
	struct router *r;
	struct rt_if *o;
};

static void shape_drop(const struct shape_frame *f, void *arg)
{
	struct shape_ctx *c = arg;

	drop(c->r, c->o, TN_RC_SHAPED_DROP, f->addr);
}

/* Up to a TX ring of o's queue, as its shaper allows: when to come back. */
static uint64_t shape_send(struct router *r, struct rt_if *o)
{
	struct shape_ctx c = { r, o };
	struct shape_frame f;
	bool on = shaper_on(o->shaper);
	uint64_t at;

	if (on && o->sq.gen != o->shaper->gen)
		shape_queue_tune(&o->sq, o->shaper);
	while (o->sq.n) {
		if (!xsk_prod_nb_free(&o->xsk.tx, 1))
			return r->now_ns + 50000; /* after this loop's kick */
		if (on) {
			at = shaper_when(o->shaper, shape_head(&o->sq)->len,
					 r->now_ns);
			if (at > r->now_ns)
				return at + shaper_slack(o->shaper);
		}
		if (!shape_dequeue(&o->sq, r->now_ns, &f, shape_drop, &c))
			break;
		/* Another thread may have taken the credit meanwhile. */
		if (on && !shaper_take(o->shaper, f.len, r->now_ns, &at)) {
			shape_unget(&o->sq, &f);
			return at + shaper_slack(o->shaper);
		}
		tx_ring(r, o, f.addr, f.len);
	}
	return 0;
}

uint64_t fwd_shape(struct router *r)
{
	uint64_t wake = 0, w;

	for (int s = 0; s < r->nifs; s++) {
		if (!r->ifs[s].sq.n)
			continue;
		w = shape_send(r, &r->ifs[s]);
		if (w && (!wake || w < wake))
			wake = w;
	}
	return wake;
}

void fwd_drop_shaped(struct router *r)
{
	struct shape_frame f;

	for (int s = 0; s < r->nifs; s++) {
		struct shape_queue *q = &r->ifs[s].sq;

		while (q->n) {
			f = *shape_head(q);
			q->head = (q->head + 1) % q->cap;
			q->n--;
			tn_umem_put(&r->umem, f.addr);
		}
		q->bytes = 0;
	}
}

/*
 * Makes the kernel resolve a neighbour by sending it an empty UDP datagram
 * (discard port, one hop): the only way that needs no capability. The
 * datagram leaves by the neighbour's interface (IP_PKTINFO), so a gateway
 * the kernel has no route to (an "onlink" one) is taken as on the link.
 * The kernel's answer arrives as a neighbour event.
 */
static void ask_kernel(struct router *r, struct neigh *n)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} c = { 0 };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(9),
				    .sin6_scope_id = (uint32_t)n->ifindex };
	struct sockaddr_in sa4 = { .sin_family = AF_INET,
				   .sin_port = htons(9) };
	struct in6_pktinfo pi6 = { .ipi6_ifindex = (unsigned int)n->ifindex };
	struct in_pktinfo pi4 = { .ipi_ifindex = n->ifindex };
	bool v4 = n->family == AF_INET;
	size_t pilen = v4 ? sizeof(pi4) : sizeof(pi6);
	struct msghdr mh = {
		.msg_name = v4 ? (void *)&sa4 : (void *)&sa6,
		.msg_namelen = v4 ? sizeof(sa4) : sizeof(sa6),
		.msg_control = c.buf,
		.msg_controllen = CMSG_SPACE(pilen),
	};
	struct cmsghdr *cm = (struct cmsghdr *)c.buf;

	n->asked_ns = r->now_ns;
	memcpy(&sa4.sin_addr, n->addr, 4);
	memcpy(&sa6.sin6_addr, n->addr, 16);
	cm->cmsg_level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
	cm->cmsg_type = v4 ? IP_PKTINFO : IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(pilen);
	memcpy(CMSG_DATA(cm), v4 ? (void *)&pi4 : (void *)&pi6, pilen);
	sendmsg(v4 ? r->probe4 : r->probe6, &mh, MSG_DONTWAIT);
}

/* Addresses the frame to the neighbour and sends it: forwarded, counted
 * on the interface it came in on. */
static void send_to_neigh(struct router *r, struct rt_if *in, struct rt_if *o,
			  struct neigh *n, uint64_t addr, uint32_t len)
{
	uint8_t *f = frame_at(r, addr);

	memcpy(f, n->mac, 6);
	memcpy(f + 6, o->mac, 6);
	n->used = true;
	if (tx(r, o, addr, len))
		in->ctr[TN_RC_FORWARDED]++;
}

static bool icmp_token(struct router *r)
{
	double add;

	if (!r->o.icmp_rate)
		return false;
	add = (double)(r->now_ns - r->icmp_last_ns) * r->o.icmp_rate /
	      NS_PER_SEC;
	r->icmp_last_ns = r->now_ns;
	r->icmp_tokens += add;
	if (r->icmp_tokens > ICMP_BURST)
		r->icmp_tokens = ICMP_BURST;
	if (r->icmp_tokens < 1)
		return false;
	r->icmp_tokens -= 1;
	return true;
}

/*
 * Answers the frame at addr (received on in, parsed into pi) with an ICMP
 * error, built in its own buffer and routed back to its source like any
 * frame, out of an interface whose address becomes the error's source
 * (RFC 1812 4.3.2.4). Consumes the frame.
 */
static void icmp_reply(struct router *r, struct rt_if *in, uint64_t addr,
		       const struct pkt_info *pi, uint8_t type, uint8_t code,
		       uint32_t info)
{
	uint8_t *f = frame_at(r, addr), *ip = f + pi->l3_off, mac[6];
	bool v4 = pi->kind == PKT_IPV4;
	uint32_t nhi, len, src4;
	struct rt_if *o = NULL;
	struct neigh *n = NULL;
	struct nh *nh;

	/* Never about link-layer broadcast or multicast (RFC 1812 4.3.2.7,
	 * RFC 4443 2.4 e.4); then the ICMP rules, then the rate limit. */
	if ((f[0] & 1) ||
	    !(v4 ? icmp4_error_allowed(ip, pi->l3_len) :
		   icmp6_error_allowed(ip, pi->l3_len, type, code)) ||
	    !icmp_token(r))
		goto limited;
	if (v4) {
		memcpy(&src4, ip + 12, 4);
		nhi = fib4_lookup(r->fib4, ntohl(src4));
	} else {
		nhi = fib6_lookup(r->fib6, ip + 8);
	}
	if (nhi == FIB_NONE)
		goto limited;
	nh = &r->nh.v[nhi];
	if (nh->type == NH_UNICAST)
		o = rt_if_by_index(r, nh->ifindex);
	if (!o || !(v4 ? o->has4 : o->has6))
		goto limited;
	if (nh->family)
		n = neigh_find(&r->neigh, nh->family, nh->ifindex, nh->gw);
	else
		n = neigh_find(&r->neigh, v4 ? AF_INET : AF_INET6, o->ifindex,
			       v4 ? ip + 12 : ip + 8);
	if (n && n->state == NEIGH_VALID)
		memcpy(mac, n->mac, 6);
	else if (o == in) /* the hop it came from is the way back */
		memcpy(mac, f + 6, 6);
	else
		goto limited;
	len = v4 ? icmp4_error(f, frame_room(r, addr), ip, pi->l3_len, type,
			       code, info, o->addr4, o->mac, mac) :
		   icmp6_error(f, frame_room(r, addr), ip, pi->l3_len, type,
			       code, info, o->addr6, o->mac, mac);
	if (!len)
		goto limited;
	if (tx(r, o, addr, len))
		in->ctr[TN_RC_ICMP_SENT]++;
	return;
limited:
	drop(r, in, TN_RC_ICMP_LIMITED, addr);
}

struct neigh *fwd_neigh_get(struct router *r, uint8_t family, int ifindex,
			    const uint8_t *addr)
{
	struct neigh *n = neigh_find(&r->neigh, family, ifindex, addr);
	struct rt_if *o;

	if (n)
		return n;
	o = rt_if_by_index(r, ifindex);
	if (!o || o->unresolved >= RT_NEIGH_UNRESOLVED_MAX)
		return NULL;
	n = neigh_get(&r->neigh, family, ifindex, addr);
	if (n)
		o->unresolved++;
	return n;
}

void fwd_neigh_state(struct router *r, struct neigh *n, uint8_t state)
{
	struct rt_if *o = rt_if_by_index(r, n->ifindex);
	bool was = n->state == NEIGH_VALID, is = state == NEIGH_VALID;

	if (o && was && !is)
		o->unresolved++;
	else if (o && !was && is && o->unresolved)
		o->unresolved--;
	n->state = state;
}

/* A resolution asked of the kernel out of o, if its budget allows. */
static bool ask_token(struct router *r, struct rt_if *o)
{
	if (!o->ask_ns)
		o->ask_tokens = RT_NEIGH_ASK_RATE;
	else
		o->ask_tokens += (double)(r->now_ns - o->ask_ns) *
				 RT_NEIGH_ASK_RATE / NS_PER_SEC;
	if (o->ask_tokens > RT_NEIGH_ASK_RATE)
		o->ask_tokens = RT_NEIGH_ASK_RATE;
	o->ask_ns = r->now_ns;
	if (o->ask_tokens < 1)
		return false;
	o->ask_tokens -= 1;
	return true;
}

static void hold(struct router *r, struct rt_if *in, struct neigh *n,
		 struct rt_if *o, uint64_t addr, uint32_t len)
{
	in->ctr[TN_RC_NEIGH_MISS]++;
	if (n->state == NEIGH_FAILED &&
	    r->now_ns - n->asked_ns < RESOLVE_RETRY_NS) {
		drop(r, in, TN_RC_NEIGH_DROP, addr);
		return;
	}
	if (n->state == NEIGH_FAILED ||
	    r->now_ns - n->asked_ns >= RESOLVE_RETRY_NS) {
		if (!ask_token(r, o)) {
			drop(r, in, TN_RC_NEIGH_LIMITED, addr);
			return;
		}
		fwd_neigh_state(r, n, NEIGH_INCOMPLETE);
		ask_kernel(r, n);
	}
	if (n->nheld == NEIGH_HOLD || r->nheld >= RT_HELD_MAX) {
		drop(r, in, TN_RC_NEIGH_DROP, addr);
		return;
	}
	n->held[n->nheld++] = (struct held){ addr, len, (uint16_t)(in - r->ifs),
					     (uint16_t)(o - r->ifs) };
	r->nheld++;
}

void fwd_neigh_update(struct router *r, struct neigh *n)
{
	for (uint32_t i = 0; i < n->nheld; i++) {
		struct held *h = &n->held[i];
		struct rt_if *o = &r->ifs[h->oslot];

		if (n->state == NEIGH_VALID)
			send_to_neigh(r, &r->ifs[h->islot], o, n, h->addr,
				      h->len);
		else
			drop(r, &r->ifs[h->islot], TN_RC_NEIGH_DROP, h->addr);
	}
	r->nheld -= n->nheld;
	n->nheld = 0;
}

static void fwd_one(struct router *r, struct rt_if *in, uint64_t addr,
		    uint32_t len)
{
	uint8_t *f = frame_at(r, addr), *ip;
	struct pkt_info pi;
	struct rt_if *o;
	struct neigh *n;
	uint32_t nhi, d4;
	struct nh *nh;
	bool v4;

	/* A router forwards what is sent to it: a frame for another MAC
	 * (flooded, or a neighbour's spoof) is not ours to route. */
	if (len < 6 || memcmp(f, in->mac, 6)) {
		drop(r, in, TN_RC_NOT_OURS, addr);
		return;
	}
	if (pkt_parse(f, len, &pi) < 0) {
		drop(r, in, TN_RC_MALFORMED, addr);
		return;
	}
	v4 = pi.kind == PKT_IPV4;
	ip = f + pi.l3_off;
	if (pi.ttl <= 1) {
		in->ctr[TN_RC_TTL_EXCEEDED]++;
		icmp_reply(r, in, addr, &pi, v4 ? 11 : 3, 0, 0);
		return;
	}
	if (v4) {
		memcpy(&d4, ip + 16, 4);
		nhi = fib4_lookup(r->fib4, ntohl(d4));
	} else {
		nhi = fib6_lookup(r->fib6, ip + 24);
	}
	if (nhi == FIB_NONE) {
		in->ctr[TN_RC_NO_ROUTE]++;
		icmp_reply(r, in, addr, &pi, v4 ? 3 : 1, 0, 0);
		return;
	}
	nh = &r->nh.v[nhi];
	switch (nh->type) {
	case NH_BLACKHOLE:
		drop(r, in, TN_RC_BLACKHOLE, addr);
		return;
	case NH_UNREACHABLE: /* as Linux answers: host unreachable, no route */
		in->ctr[TN_RC_UNREACHABLE]++;
		icmp_reply(r, in, addr, &pi, v4 ? 3 : 1, v4 ? 1 : 0, 0);
		return;
	case NH_PROHIBIT:
		in->ctr[TN_RC_UNREACHABLE]++;
		icmp_reply(r, in, addr, &pi, v4 ? 3 : 1, v4 ? 13 : 1, 0);
		return;
	}
	o = rt_if_by_index(r, nh->ifindex);
	if (!o) {
		drop(r, in, TN_RC_NO_IFACE, addr);
		return;
	}
	if (pi.l3_len > o->mtu) {
		/* IPv4 without DF would be fragmented; we do not fragment
		 * (yet): dropped, and the counter says so. */
		if (v4 && !(ip[6] & 0x40)) {
			drop(r, in, TN_RC_TOO_BIG, addr);
			return;
		}
		in->ctr[TN_RC_TOO_BIG]++;
		icmp_reply(r, in, addr, &pi, v4 ? 3 : 2, v4 ? 4 : 0, o->mtu);
		return;
	}
	if (v4)
		ip4_dec_ttl(ip);
	else
		ip6_dec_hlim(ip);

	if (nh->family) {
		n = nh->neigh;
		if (!n)
			n = nh->neigh = fwd_neigh_get(r, nh->family,
						      nh->ifindex, nh->gw);
	} else {
		n = fwd_neigh_get(r, v4 ? AF_INET : AF_INET6, o->ifindex,
				  v4 ? ip + 16 : ip + 24);
	}
	if (!n) {
		drop(r, in,
		     o->unresolved >= RT_NEIGH_UNRESOLVED_MAX ?
			     TN_RC_NEIGH_LIMITED :
			     TN_RC_NEIGH_DROP,
		     addr);
		return;
	}
	if (n->state == NEIGH_VALID) {
		/* The next frames to it are XDP's (ftable.h). */
		ftable_learn(r, o, v4 ? AF_INET : AF_INET6,
			     v4 ? ip + 16 : ip + 24, n->mac);
		send_to_neigh(r, in, o, n, addr, len);
	} else {
		hold(r, in, n, o, addr, len);
	}
}

/*
 * A frame of a NIC queue's own UMEM (direct mode) into a frame of ours, at
 * the same offset (the headroom the kernel left), and its frame back to
 * that UMEM: what we send leaves through our interfaces, from our UMEM.
 * false: none of ours free (counted), or a descriptor outside its UMEM.
 */
static bool own_copy(struct router *r, struct rt_if *x, uint64_t *addr,
		     uint32_t len)
{
	uint64_t src = *addr, off = src % x->own.frame_size, dst = 0;

	bool ok;

	if (src >= x->own.size) { /* never one we gave: not put back */
		x->ctr[TN_RC_MALFORMED]++;
		return false;
	}
	ok = off + len <= x->own.frame_size && off + len <= r->umem.frame_size;
	if (!ok)
		x->ctr[TN_RC_MALFORMED]++;
	else if (!(ok = tn_umem_get(&r->umem, &dst)))
		x->ctr[TN_RC_NO_FRAME]++;
	else
		memcpy(frame_at(r, dst + off), (uint8_t *)x->own.area + src,
		       len);
	tn_umem_put(&x->own, src);
	*addr = dst + off;
	return ok;
}

void fwd_rx(struct router *r, int slot, uint32_t budget)
{
	struct rt_if *x = &r->ifs[slot];
	/* A direct socket's frames come in on the interface it stands for. */
	struct rt_if *in = x->rx_of < 0 ? x : &r->ifs[x->rx_of];
	uint32_t idx, n;

	if (!budget)
		return;
	n = xsk_ring_cons__peek(&x->xsk.rx, budget, &idx);
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d =
			xsk_ring_cons__rx_desc(&x->xsk.rx, idx + i);
		uint64_t addr = d->addr;

		x->ctr[TN_RC_RX]++;
		if (x->own.area && !own_copy(r, x, &addr, d->len))
			continue;
		fwd_one(r, in, addr, d->len);
	}
	if (n)
		xsk_ring_cons__release(&x->xsk.rx, n);
}

static void neigh_tick(struct neigh *n, void *arg)
{
	struct router *r = arg;

	if (n->state == NEIGH_INCOMPLETE && n->nheld &&
	    r->now_ns - n->asked_ns >= RESOLVE_GIVEUP_NS) {
		fwd_neigh_state(r, n, NEIGH_FAILED);
		fwd_neigh_update(r, n);
	}
	/* The kernel's entry goes stale as our traffic bypasses it; asking
	 * again makes the kernel re-probe the neighbour and tell us if its
	 * address changed. */
	if (n->state == NEIGH_VALID && n->used &&
	    r->now_ns - n->asked_ns >= REVALIDATE_NS) {
		n->used = false;
		ask_kernel(r, n);
	}
}

/* Entries made for destinations that never answered, holding nothing. */
static bool neigh_dead(struct neigh *n, void *arg)
{
	struct router *r = arg;

	return n->state != NEIGH_VALID && !n->nheld &&
	       r->now_ns - n->asked_ns >= FORGET_NS;
}

static void neigh_gone(struct neigh *n, void *arg)
{
	struct router *r = arg;
	struct rt_if *o = rt_if_by_index(r, n->ifindex);

	if (o && n->state != NEIGH_VALID && o->unresolved)
		o->unresolved--;
	nh_forget_neigh(&r->nh, n);
}

void fwd_timer(struct router *r)
{
	neigh_walk(&r->neigh, neigh_tick, r);
	neigh_sweep(&r->neigh, neigh_dead, neigh_gone, r);
}

static void neigh_release(struct neigh *n, void *arg)
{
	struct router *r = arg;

	for (uint32_t i = 0; i < n->nheld; i++)
		tn_umem_put(&r->umem, n->held[i].addr);
	r->nheld -= n->nheld;
	n->nheld = 0;
}

void fwd_drop_held(struct router *r)
{
	neigh_walk(&r->neigh, neigh_release, r);
}
