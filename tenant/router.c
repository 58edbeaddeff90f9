// SPDX-License-Identifier: GPL-2.0
/*
 * tenet-router: a tenant's AF_XDP forwarding engine. It takes its sockets
 * from tenetd (--agent: file descriptors over a unix socket, the router
 * holding no capability at all) or makes them itself (--standalone, with
 * tenant_rx on its interfaces), mirrors the container kernel's routes and
 * neighbours over rtnetlink, and forwards between its interfaces.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "log.h"
#include "print.h"
#include "rt.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *xsk_mode(bool zc)
{
	return zc ? "zero-copy" : "copy";
}

/*
 * A line a socket, or with json one document a dump (pretty, as lib/print
 * writes it; here on fewer lines), from the same calls. The fields are those
 * of tenetctl's router.ifaces.
 *
 *   a0 q0 xsk copy (zero-copy requested): rx 12 tx 9 forwarded 9 ...
 *   { "pid": 42, "started": 1767225600, "ifaces": [ { "ifname": "a0",
 *     "queue": 0, "zc_requested": true, "zc_in_use": false,
 *     "direct": false, "counters": { "rx": 12, "tx": 9, ... } } ] }
 */
void rt_stats_print(const struct tn_rstats_file *sf, FILE *out, bool json)
{
	tn_print_open(out, json);
	tn_print_u64("pid", NULL, sf->pid);
	tn_print_u64("started", NULL, sf->started);
	tn_print_arr_start("ifaces");
	for (uint32_t s = 0; s < sf->nslots; s++) {
		const struct tn_rstats_slot *sl = &sf->slot[s];

		if (!sl->used)
			continue;
		tn_print_obj_start(NULL);
		tn_print_str("ifname", "%s", sl->ifname);
		tn_print_u64("queue", " q%" PRIu64, sl->queue);
		tn_print_bool("zc_requested", NULL, sl->zc_requested);
		tn_print_bool("zc_in_use", NULL, sl->zc_in_use);
		tn_print_bool("direct", NULL, sl->direct);
		tn_print_text(
			" xsk %s (%s requested)%s:", xsk_mode(sl->zc_in_use),
			xsk_mode(sl->zc_requested),
			sl->direct ? " direct" : "");
		tn_print_obj_start("counters");
		for (int c = 0; c < TN_RC__MAX; c++) {
			tn_print_text(" %s", tn_rc_names[c]);
			tn_print_u64(tn_rc_names[c], " %" PRIu64, sl->ctr[c]);
		}
		tn_print_obj_end();
		tn_print_nl();
		tn_print_obj_end();
	}
	tn_print_arr_end();
	tn_print_close();
}

/* Counters live in a file others may map read-only; without one, in
 * anonymous memory of the same layout. */
struct tn_rstats_file *rt_stats_open(const char *path)
{
	struct tn_rstats_file *sf;
	int fd = -1;

	if (path) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, sizeof(*sf))) {
			tn_err("stats file %s: %s\n", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
	}
	sf = mmap(NULL, sizeof(*sf), PROT_READ | PROT_WRITE,
		  path ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
	if (fd >= 0)
		close(fd);
	if (sf == MAP_FAILED)
		return NULL;
	memset(sf, 0, sizeof(*sf));
	sf->magic = TN_RSTATS_MAGIC;
	sf->version = TN_RSTATS_VERSION;
	sf->pid = (uint32_t)getpid();
	sf->started = (uint64_t)time(NULL);
	return sf;
}

int rt_init(struct router *r, const struct rt_opts *o, uint32_t queue)
{
	int one = 1, err;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->queue = queue;
	r->probe4 = r->probe6 = -1;
	r->fib4 = fib4_create();
	r->fib6 = fib6_create();
	if (!r->fib4 || !r->fib6)
		return -ENOMEM;
	err = nh_table_init(&r->nh);
	if (!err)
		err = neigh_table_init(&r->neigh, 1024);
	if (!err)
		err = tn_umem_init(&r->umem, o->frames, TN_XSK_FRAME_SIZE);
	if (err)
		return err;
	r->probe4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r->probe6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->probe4 < 0 || r->probe6 < 0)
		return -errno;
	/* One hop is all a resolution probe needs to go. */
	setsockopt(r->probe4, IPPROTO_IP, IP_TTL, &one, sizeof(one));
	setsockopt(r->probe6, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &one,
		   sizeof(one));
	r->icmp_tokens = 10;
	r->icmp_last_ns = now_ns();
	return nl_open(r);
}

void rt_fini(struct router *r)
{
	fwd_drop_held(r);
	fwd_drop_shaped(r);
	routes_free(r);
	for (int i = 0; i < r->nifs; i++) {
		if (r->ifs[i].xsk.maps[0])
			tn_xsk_close(&r->ifs[i].xsk);
		tn_umem_free(&r->ifs[i].own);
		shape_queue_free(&r->ifs[i].sq);
	}
	nl_close(r);
	if (r->probe4 >= 0)
		close(r->probe4);
	if (r->probe6 >= 0)
		close(r->probe6);
	neigh_table_free(&r->neigh);
	free(r->fseen);
	nh_table_free(&r->nh);
	fib4_destroy(r->fib4);
	fib6_destroy(r->fib6);
	tn_umem_free(&r->umem);
}

/* Sets fd up as socket of ifs[r->nifs] on ifindex/queue, and its slot; a
 * direct one (rx_of >= 0) on its own UMEM (rt_add_direct). */
static int add_sock(struct router *r, const char *name, int ifindex,
		    uint32_t queue, int rx_of, uint32_t ring, int fd,
		    struct tn_rstats_slot *slot)
{
	/* A NIC queue's socket comes bound, read-only, by the agent: what
	 * we send leaves by our interfaces. */
	struct tn_xsk_opts xo = { .mode = r->o.xsk_mode,
				  .ring_size = rx_of >= 0 ? ring : r->o.ring,
				  .shared_umem_fd = r->nifs ? r->ifs[0].xsk.fd :
							      -1,
				  .rx_only = rx_of >= 0,
				  .bound = rx_of >= 0 };
	struct rt_if *i;
	struct tn_umem own;
	int err;

	if (r->nifs == RT_MAX_IFS)
		return -E2BIG;
	i = &r->ifs[r->nifs];
	own = i->own; /* rt_add_direct's */
	memset(i, 0, sizeof(*i));
	i->own = own;
	i->ifindex = ifindex;
	i->rx_of = rx_of;
	i->role = -1;
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->mtu = 1500;
	/* Frames waiting for the rate: at most half the UMEM, over as many
	 * interfaces as a router may have. */
	if (rx_of < 0 && shape_queue_init(&i->sq, r->umem.nframes / 4))
		return -ENOMEM;
	err = tn_xsk_setup(&i->xsk, fd, rt_pool(r, i), ifindex, queue, &xo);
	if (err == -EOPNOTSUPP && r->nifs && r->ifs[0].xsk.zerocopy) {
		/* A socket sharing a UMEM takes the first one's mode. */
		tn_err("%s queue %u: cannot share %s's zero-copy UMEM (its "
		       "driver has no zero-copy): run with --copy\n",
		       name, queue, r->ifs[0].name);
		return err;
	}
	if (err) {
		tn_err("%s queue %u: AF_XDP socket: %s\n", name, queue,
		       strerror(-err));
		return err;
	}
	if (r->o.busy_poll) {
		int v = 20, budget = (int)r->o.batch;

		/* SO_PREFER_BUSY_POLL = 69, SO_BUSY_POLL_BUDGET = 70 */
		if (setsockopt(fd, SOL_SOCKET, 69, &(int){ 1 }, sizeof(int)) ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &v, sizeof(v)) ||
		    setsockopt(fd, SOL_SOCKET, 70, &budget, sizeof(budget)))
			tn_warn("%s: busy poll: %s\n", name, strerror(errno));
	}
	slot->used = 1;
	slot->ifindex = (uint32_t)ifindex;
	slot->queue = queue;
	snprintf(slot->ifname, sizeof(slot->ifname), "%s", name);
	slot->zc_requested = r->o.xsk_mode != TN_XSK_COPY;
	slot->zc_in_use = i->xsk.zerocopy;
	slot->direct = rx_of >= 0;
	i->ctr = slot->ctr;
	tn_info("%s queue %u: AF_XDP %s (%s requested)%s%s\n", name, queue,
		i->xsk.zerocopy ? "zero-copy" : "copy",
		r->o.xsk_mode == TN_XSK_COPY	 ? "copy" :
		r->o.xsk_mode == TN_XSK_ZEROCOPY ? "zero-copy" :
						   "zero-copy if possible",
		rx_of >= 0 ? ", direct, read as " : "",
		rx_of >= 0 ? r->ifs[rx_of].name : "");
	r->nifs++;
	/* The floor until the first share-out (fill_shares); a UMEM of its
	 * own fills the whole ring. */
	i->fill_share = i->own.area ? i->xsk.fill.size : r->o.batch * 2;
	tn_xsk_refill(&i->xsk, rt_pool(r, i), i->fill_share);
	return 0;
}

/* Adds an interface and sets up fd as its socket for r's queue. */
int rt_add_if(struct router *r, const char *name, int ifindex, int fd,
	      struct tn_rstats_slot *slot)
{
	return add_sock(r, name, ifindex, r->queue, -1, 0, fd, slot);
}

int rt_add_direct(struct router *r, const char *nic, int ifindex,
		  uint32_t queue, uint32_t ring, uint32_t nframes, int umem_fd,
		  const char *rx_for, int fd, struct tn_rstats_slot *slot)
{
	struct rt_if *i = &r->ifs[r->nifs];
	int err, s;

	for (s = 0; s < r->nifs; s++)
		if (r->ifs[s].rx_of < 0 && !strcmp(r->ifs[s].name, rx_for))
			break;
	if (s == r->nifs) {
		tn_err("%s queue %u: no interface %s to read it as\n", nic,
		       queue, rx_for);
		close(umem_fd);
		return -ENOENT;
	}
	if (r->nifs == RT_MAX_IFS) {
		close(umem_fd);
		return -E2BIG;
	}
	err = tn_umem_attach(&i->own, umem_fd, nframes, TN_XSK_FRAME_SIZE);
	close(umem_fd);
	if (err) {
		tn_err("%s queue %u: its UMEM: %s\n", nic, queue,
		       strerror(-err));
		return err;
	}
	err = add_sock(r, nic, ifindex, queue, s, ring, fd, slot);
	if (err)
		tn_umem_free(&r->ifs[r->nifs].own);
	return err;
}

int rt_resync(struct router *r, const char *why)
{
	int err;

	tn_warn("queue %u: %s: rebuilding routes and neighbours from a dump\n",
		r->queue, why);
	/* What is queued predates the dump and would undo it. */
	nl_drain(r);
	fwd_drop_held(r);
	routes_free(r);
	fib4_destroy(r->fib4);
	fib6_destroy(r->fib6);
	nh_table_free(&r->nh);
	neigh_table_free(&r->neigh);
	for (int i = 0; i < r->nifs; i++)
		r->ifs[i].unresolved = 0;
	r->fib4 = fib4_create();
	r->fib6 = fib6_create();
	if (!r->fib4 || !r->fib6 || nh_table_init(&r->nh) ||
	    neigh_table_init(&r->neigh, 1024)) {
		tn_err("queue %u: out of memory rebuilding routes\n", r->queue);
		exit(1); /* no table to forward with: let the supervisor act */
	}
	err = nl_dump_all(r);
	r->fast_dirty = true;
	/* A failed dump leaves part of the table: try again next loop. */
	r->resync_why = err ? "the last rebuild failed" : NULL;
	return err;
}

/*
 * Takes no more from an RX ring than the other interfaces' TX rings can
 * take: when transmit is the bottleneck (copy mode builds an skb per frame)
 * frames wait in the RX ring, where the kernel drops them at no cost to
 * us, instead of being parsed, routed and then dropped for a full ring.
 */
static uint32_t rx_budget(struct router *r, int slot)
{
	uint32_t b = r->o.batch;

	for (int s = 0; s < r->nifs; s++) {
		uint32_t room;

		if (s == slot || r->ifs[s].rx_of >= 0)
			continue;
		room = xsk_prod_nb_free(&r->ifs[s].xsk.tx, b);
		if (room < b)
			b = room;
	}
	return b;
}

/*
 * Half the UMEM is for the kernel to receive into: on the fill rings, or
 * received and waiting on the RX rings. Each socket gets a floor, for a
 * burst to start on; the rest goes by what each was asked to take since
 * the last share-out (frames read plus frames the kernel dropped for an
 * empty fill ring): an idle interface must not sit on the frames a busy
 * one needs, as the veths do beside a direct socket. A share is at most
 * the RX ring: then the ring never overflows, and a router that falls
 * behind has the kernel drop at the empty fill ring, before it copies the
 * frame, not at the full RX ring, after.
 */
static void fill_shares(struct router *r)
{
	uint32_t half = r->umem.nframes / 2, floor = r->o.batch * 2, spare;
	uint64_t d[RT_MAX_IFS], sum = 0;

	if (floor * (uint32_t)r->nifs > half)
		floor = half / (uint32_t)r->nifs;
	spare = half - floor * (uint32_t)r->nifs;
	for (int s = 0; s < r->nifs; s++) {
		struct rt_if *i = &r->ifs[s];
		uint64_t demand =
			i->ctr[TN_RC_RX] + i->ctr[TN_RC_XSK_FILL_EMPTY];

		d[s] = i->own.area ? 0 : demand - i->demand_seen;
		i->demand_seen = demand;
		sum += d[s];
	}
	for (int s = 0; s < r->nifs; s++) {
		struct rt_if *i = &r->ifs[s];
		uint32_t share =
			floor + (uint32_t)(sum ? spare * d[s] / sum :
						 spare / (uint32_t)r->nifs);

		if (!i->own.area) /* else its whole ring (add_sock) */
			i->fill_share = share < i->xsk.rx.size ? share :
								 i->xsk.rx.size;
	}
}

static void after_batch(struct router *r)
{
	uint32_t fill;

	for (int s = 0; s < r->nifs; s++) {
		struct rt_if *i = &r->ifs[s];

		/* Publish this loop's frames at once, then kick for them
		 * and for what an earlier kick left on the ring. */
		if (i->tx_pending)
			xsk_ring_prod__submit(&i->xsk.tx, i->tx_pending);
		if (i->tx_pending ||
		    xsk_prod_nb_free(&i->xsk.tx, i->xsk.tx.size) <
			    i->xsk.tx.size)
			tn_xsk_kick_tx(&i->xsk);
		i->tx_pending = 0;
		tn_xsk_complete(&i->xsk, rt_pool(r, i));
		/* Each fill ring holds at most its share (fill_shares). */
		/* in the kernel's hands: to fill, and filled */
		fill = i->xsk.fill.size -
		       xsk_prod_nb_free(&i->xsk.fill, i->xsk.fill.size) +
		       xsk_cons_nb_avail(&i->xsk.rx, i->xsk.rx.size);
		if (fill < i->fill_share)
			tn_xsk_refill(&i->xsk, rt_pool(r, i),
				      i->fill_share - fill < r->o.batch * 2 ?
					      i->fill_share - fill :
					      r->o.batch * 2);
	}
}

/* What the kernel counts for each socket, into its counters. */
static void xsk_stats(struct router *r)
{
	for (int s = 0; s < r->nifs; s++) {
		struct rt_if *i = &r->ifs[s];
		struct xdp_statistics st = { 0 };
		socklen_t len = sizeof(st);

		/* (an older kernel fills only the first three) */
		if (getsockopt(i->xsk.fd, SOL_XDP, XDP_STATISTICS, &st, &len))
			continue;
		i->ctr[TN_RC_XSK_FILL_EMPTY] = st.rx_fill_ring_empty_descs;
		i->ctr[TN_RC_XSK_RX_RING_FULL] = st.rx_ring_full;
		i->ctr[TN_RC_XSK_RX_DROPPED] = st.rx_dropped;
		i->ctr[TN_RC_XSK_INVALID] =
			st.rx_invalid_descs + st.tx_invalid_descs;
	}
}

/* How long to wait for frames: 100 ms, less when a shaper has frames due
 * at wake (0: none). */
static struct timespec poll_timeout(uint64_t wake)
{
	uint64_t t = 100000000, now = now_ns();

	if (wake && wake <= now)
		t = 0;
	else if (wake && wake - now < t)
		t = wake - now;
	return (struct timespec){ (time_t)(t / 1000000000),
				  (long)(t % 1000000000) };
}

/* The loop of one forwarding thread. */
int rt_run(struct router *r)
{
	struct pollfd pfd[RT_MAX_IFS + 1];
	uint64_t last_timer = 0, last_nl = 0, wake = 0;
	int n = r->nifs, err;

	for (int s = 0; s < n; s++)
		pfd[s] = (struct pollfd){ .fd = r->ifs[s].xsk.fd,
					  .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = nl_event_fd(r), .events = POLLIN };
	while (!*r->stop) {
		if (!r->o.busy_poll) {
			struct timespec ts = poll_timeout(wake);

			if (ppoll(pfd, (nfds_t)n + 1, &ts, NULL) < 0 &&
			    errno != EINTR)
				return -errno;
		} else {
			/* Drives the driver's NAPI from this thread. */
			for (int s = 0; s < n; s++)
				recvfrom(r->ifs[s].xsk.fd, NULL, 0,
					 MSG_DONTWAIT, NULL, NULL);
		}
		r->now_ns = now_ns();
		ftable_sync(r);
		for (int s = 0; s < n; s++)
			fwd_rx(r, s, rx_budget(r, s));
		/* Routes: at once when polled, within 1 ms when busy. */
		if ((pfd[n].revents & POLLIN) ||
		    (r->o.busy_poll && r->now_ns - last_nl > 1000000)) {
			last_nl = r->now_ns;
			err = nl_events(r);
			if (err == -ENOBUFS)
				r->resync_why = "netlink events were lost";
			else if (err)
				tn_err("netlink: %s\n", strerror(-err));
		}
		if (r->resync_why) {
			err = rt_resync(r, r->resync_why);
			if (err)
				tn_err("netlink dump: %s\n", strerror(-err));
		}
		/* Before the next frame: XDP forwards by none of what the
		 * change made wrong (ftable.h). */
		if (r->fast_dirty)
			ftable_revalidate(r);
		if (r->now_ns - last_timer > 100000000) {
			last_timer = r->now_ns;
			fwd_timer(r);
			ftable_tick(r);
			xsk_stats(r);
			fill_shares(r);
		}
		/* Last: frames released by a neighbour event above, or by a
		 * shaper, leave in this loop too, not after the next poll. */
		r->now_ns = now_ns();
		wake = fwd_shape(r);
		after_batch(r);
	}
	return 0;
}
