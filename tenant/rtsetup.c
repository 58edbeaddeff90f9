// SPDX-License-Identifier: GPL-2.0
/*
 * Agent mode: tenetd hands us AF_XDP sockets (lib/handoff.h) made in our
 * netns, and keeps tenant_rx and its maps; we need no capability.
 *
 * Standalone mode: the router makes its own AF_XDP sockets in its netns,
 * loads tenant_rx (unpinned: it lives as long as we do) on its interfaces
 * and fills its maps: interface slots, the sockets, and the addresses of
 * the router, which go to the kernel (kept in step with netlink).
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <tenet/dp.h>

#include "handoff.h"
#include "log.h"
#include "pkt.h"
#include "rtsetup.h"
#include "tenant_rx.skel.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

struct setup {
	struct rt_config *c;
	int conn; /* to tenetd, agent mode */
	struct tenant_rx *rx;
	int ifindex[RT_MAX_IFS];
	struct router *r; /* c->queues of them */
	struct tn_rstats_file *sf;
	/* One shaper per interface of ours, all threads' sockets on it
	 * sharing it. */
	struct shaper shaper[RT_MAX_IFS];
	char shaper_if[RT_MAX_IFS][IFNAMSIZ];
	int nshapers;
	/* The fast table tenetd handed over, and the one it replaced until
	 * every thread has let go of it. */
	struct ftable ft;
	union tn_fast_slot *ft_old;
	size_t ft_old_len;
	unsigned int ft_old_gen;
};

/* tenetd's "fast" (lib/handoff.h): the table to map and write. */
static void agent_fast(struct setup *s, json_object *m, int fd)
{
	json_object *ports, *p0, *p1;
	union tn_fast_slot *old;
	size_t old_len;
	int64_t slots;
	int err = -EPROTO;

	if (fd >= 0 && tn_ho_int(m, "slots", &slots) && slots > 0 &&
	    json_object_object_get_ex(m, "ports", &ports) &&
	    json_object_is_type(ports, json_type_array) &&
	    json_object_array_length(ports) == 2 &&
	    (p0 = json_object_array_get_idx(ports, 0)) &&
	    (p1 = json_object_array_get_idx(ports, 1)) &&
	    json_object_is_type(p0, json_type_string) &&
	    json_object_is_type(p1, json_type_string))
		err = ftable_attach(
			&s->ft, fd, (uint32_t)slots,
			(const char *const[]){ json_object_get_string(p0),
					       json_object_get_string(p1) },
			&old, &old_len);
	if (fd >= 0)
		close(fd); /* the mapping keeps it */
	if (err) {
		tn_err("tenetd's fast table: %s: every frame comes here\n",
		       strerror(-err));
		return;
	}
	/* An older one still mapped waits for the threads as well. */
	ftable_unmap(s->ft_old, s->ft_old_len);
	s->ft_old = old;
	s->ft_old_len = old_len;
	s->ft_old_gen = atomic_load(&s->ft.gen);
}

/* The replaced table, once no thread writes it. */
static void fast_reap(struct setup *s)
{
	for (uint32_t q = 0; q < s->c->queues; q++)
		if (!ftable_seen(&s->r[q], s->ft_old_gen))
			return;
	ftable_unmap(s->ft_old, s->ft_old_len);
	s->ft_old = NULL;
}

static void rx_addr_cb(struct router *r, bool add, int family,
		       const uint8_t *addr)
{
	struct setup *s = r->cb_arg;
	struct tn_addr_key k = { .family = (uint32_t)family };
	int fd = bpf_map__fd(s->rx->maps.tn_rx_addrs);
	__u32 one = 1;

	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	if (add ? bpf_map_update_elem(fd, &k, &one, 0) :
		  bpf_map_delete_elem(fd, &k))
		if (add || errno != ENOENT)
			tn_warn("tenant_rx address map: %s\n", strerror(errno));
}

static int standalone_xdp(struct setup *s)
{
	struct rt_config *c = s->c;
	struct bpf_map *m;
	int err;

	s->rx = tenant_rx__open();
	if (!s->rx)
		return -errno;
	bpf_object__for_each_map(m, s->rx->obj)
		bpf_map__set_pin_path(m, NULL);
	err = tenant_rx__load(s->rx);
	if (err)
		return err;
	for (int i = 0; i < c->nifs; i++) {
		__u32 slot = (__u32)i;

		err = bpf_xdp_attach(s->ifindex[i],
				     bpf_program__fd(s->rx->progs.tenant_rx),
				     c->xdp_mode, NULL);
		if (err) {
			tn_err("%s: attach tenant_rx (%s): %s\n", c->ifnames[i],
			       c->xdp_mode == XDP_FLAGS_SKB_MODE ? "generic" :
								   "native",
			       strerror(-err));
			return err;
		}
		err = bpf_map_update_elem(bpf_map__fd(s->rx->maps.tn_rx_ifs),
					  &s->ifindex[i], &slot, 0);
		if (err)
			return -errno;
	}
	return 0;
}

static void standalone_detach(struct setup *s)
{
	for (int i = 0; s->rx && i < s->c->nifs; i++)
		bpf_xdp_detach(s->ifindex[i], s->c->xdp_mode, NULL);
	tenant_rx__destroy(s->rx);
}

/* Makes the sockets of queue q and hands them to tenant_rx. */
static int standalone_sockets(struct setup *s, uint32_t q)
{
	struct router *r = &s->r[q];

	for (int i = 0; i < s->c->nifs; i++) {
		__u32 idx = (__u32)i * TN_MAX_QUEUES + q;
		int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0), err;

		if (fd < 0)
			return -errno;
		err = rt_add_if(
			r, s->c->ifnames[i], s->ifindex[i], fd,
			&s->sf->slot[q * (uint32_t)s->c->nifs + (uint32_t)i]);
		if (err) {
			close(fd);
			return err;
		}
		if (bpf_map_update_elem(bpf_map__fd(s->rx->maps.tn_rx_xsks),
					&idx, &fd, 0))
			return -errno;
	}
	return 0;
}

static int agent_reply(struct setup *s, int64_t id, const char *ifname,
		       int64_t ifindex, int64_t q, int err, bool zc)
{
	json_object *m = json_object_new_object();
	int ret;

	json_object_object_add(m, "type",
			       json_object_new_string(err ? "error" : "bound"));
	json_object_object_add(m, "id", json_object_new_int64(id));
	json_object_object_add(m, "ifname", json_object_new_string(ifname));
	json_object_object_add(m, "ifindex", json_object_new_int64(ifindex));
	json_object_object_add(m, "queue", json_object_new_int64(q));
	if (err)
		json_object_object_add(m, "message",
				       json_object_new_string(strerror(-err)));
	else
		json_object_object_add(m, "zerocopy",
				       json_object_new_boolean(zc));
	ret = tn_ho_send(s->conn, m, -1);
	json_object_put(m);
	return ret;
}

/*
 * Connects to tenetd and says hello; with resume (non-blocking: tenetd may
 * have us wait in its backlog, and we forward meanwhile) as a router that
 * has its sockets and wants only what tenetd says after a handoff.
 */
static int agent_connect(struct setup *s, bool resume)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_object *m;
	int err;

	if (strlen(s->c->agent) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, s->c->agent);
	s->conn = socket(AF_UNIX,
			 SOCK_SEQPACKET | SOCK_CLOEXEC |
				 (resume ? SOCK_NONBLOCK : 0),
			 0);
	if (s->conn < 0 ||
	    connect(s->conn, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		if (!resume)
			tn_err("connect to tenetd at %s: %s\n", s->c->agent,
			       strerror(errno));
		goto fail;
	}
	m = json_object_new_object();
	json_object_object_add(m, "type", json_object_new_string("hello"));
	json_object_object_add(m, "version",
			       json_object_new_int(TN_HO_VERSION));
	json_object_object_add(m, "pid", json_object_new_int(getpid()));
	json_object_object_add(m, "queues",
			       json_object_new_int((int)s->c->queues));
	if (resume)
		json_object_object_add(m, "resume",
				       json_object_new_boolean(true));
	err = tn_ho_send(s->conn, m, -1);
	json_object_put(m);
	if (!err) {
		if (resume)
			tn_info("connected to tenetd again\n");
		return 0;
	}
fail:
	if (s->conn >= 0)
		close(s->conn);
	s->conn = -1;
	return err;
}

static void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Takes sockets from tenetd until it says "done". */
static int agent_sockets(struct setup *s)
{
	json_object *m;
	int err, fds[2];

	err = agent_connect(s, false);
	while (!err) {
		const char *name, *rx_for;
		int64_t id = -1, ifindex, q, ring = 0, frames = 0, fsize = 0;
		int fd, umem_fd;
		struct router *r;
		bool ok;

		err = tn_ho_recv_fds(s->conn, &m, fds, 2);
		if (err)
			break;
		fd = fds[0];
		umem_fd = fds[1];
		if (!strcmp(tn_ho_type(m), "done")) {
			close_fds(fds, 2);
			json_object_put(m);
			break;
		}
		if (!strcmp(tn_ho_type(m), "fast")) {
			if (umem_fd >= 0)
				close(umem_fd);
			agent_fast(s, m, fd);
			json_object_put(m);
			continue;
		}
		name = tn_ho_str(m, "ifname");
		rx_for = tn_ho_str(m, "rx_for");
		/* Our own sockets are per forwarding thread (queue); a
		 * direct one is for a NIC queue, read by the thread of
		 * queue 0 (copied into its UMEM from the queue's own). */
		ok = !strcmp(tn_ho_type(m), "xsk") && fd >= 0 && name &&
		     tn_ho_int(m, "id", &id) &&
		     tn_ho_int(m, "ifindex", &ifindex) &&
		     tn_ho_int(m, "queue", &q) && q >= 0 &&
		     q < (rx_for ? TN_MAX_QUEUES : (int64_t)s->c->queues) &&
		     (!rx_for ||
		      (tn_ho_int(m, "ring", &ring) && ring > 0 &&
		       ring <= 65536 && !(ring & (ring - 1)) &&
		       tn_ho_int(m, "frames", &frames) && frames > 0 &&
		       frames <= 65536 && tn_ho_int(m, "frame_size", &fsize) &&
		       fsize == TN_XSK_FRAME_SIZE && umem_fd >= 0)) &&
		     s->sf->nslots < TN_RSTATS_MAX;
		if (!ok) {
			tn_err("tenetd sent a message we cannot use: %s\n",
			       json_object_to_json_string(m));
			err = agent_reply(s, id, name ? name : "", 0, 0,
					  -EINVAL, false);
			close_fds(fds, 2);
			json_object_put(m);
			continue;
		}
		r = &s->r[rx_for ? 0 : q];
		if (rx_for) {
			err = rt_add_direct(r, name, (int)ifindex, (uint32_t)q,
					    (uint32_t)ring, (uint32_t)frames,
					    umem_fd, rx_for, fd,
					    &s->sf->slot[s->sf->nslots]);
		} else {
			if (umem_fd >= 0)
				close(umem_fd);
			err = rt_add_if(r, name, (int)ifindex, fd,
					&s->sf->slot[s->sf->nslots]);
		}
		if (err) {
			close(fd);
		} else {
			json_object *zr;

			/* A NIC queue's: zero-copy is what its NIC allows
			 * (nic attach ... zerocopy), not what we ask. */
			if (rx_for &&
			    json_object_object_get_ex(m, "zc_requested", &zr))
				s->sf->slot[s->sf->nslots].zc_requested =
					json_object_get_boolean(zr);
			s->sf->nslots++;
		}
		err = agent_reply(s, id, name, ifindex, q, err,
				  !err && r->ifs[r->nifs - 1].xsk.zerocopy);
		json_object_put(m);
	}
	if (err)
		tn_err("taking sockets from tenetd: %s\n", strerror(-err));
	return err;
}

/* Gives each interface of ours, in every thread, the shaper of its name. */
static int shapers_attach(struct setup *s)
{
	for (uint32_t q = 0; q < s->c->queues; q++) {
		struct router *r = &s->r[q];

		for (int i = 0; i < r->nifs; i++) {
			int k = 0;

			if (r->ifs[i].rx_of >= 0)
				continue;
			while (k < s->nshapers &&
			       strcmp(s->shaper_if[k], r->ifs[i].name))
				k++;
			if (k == s->nshapers) {
				int err = shaper_init(&s->shaper[k]);

				if (err)
					return err;
				snprintf(s->shaper_if[k], IFNAMSIZ, "%s",
					 r->ifs[i].name);
				shaper_set(&s->shaper[k], s->c->rate, s->c->pps,
					   s->c->burst, s->c->burst_pkts);
				s->nshapers++;
			}
			r->ifs[i].shaper = &s->shaper[k];
		}
	}
	return 0;
}

static void limits_set(struct setup *s, uint64_t rate, uint64_t pps,
		       uint64_t burst, uint64_t burst_pkts)
{
	for (int k = 0; k < s->nshapers; k++)
		shaper_set(&s->shaper[k], rate, pps, burst, burst_pkts);
	tn_info("limits: rate %llu bit/s, %llu packets/s, burst %llu bytes, "
		"%llu packets (0: none)\n",
		(unsigned long long)rate, (unsigned long long)pps,
		(unsigned long long)burst, (unsigned long long)burst_pkts);
}

/*
 * What tenetd says after the handoff: the tenant's limits, when they
 * change. false once the connection is gone (tenetd restarted: we forward
 * on with the limits we have until we are connected again; the policers
 * keep enforcing tenetd's meanwhile).
 */
static bool agent_message(struct setup *s)
{
	int64_t rate, pps, burst, burst_pkts = 0;
	json_object *m, *shape;
	int fd, err;

	err = tn_ho_recv(s->conn, &m, &fd);
	if (err == -EAGAIN || err == -EINTR)
		return true;
	if (err) {
		tn_warn("tenetd's connection: %s: forwarding on with the "
			"limits we have, and connecting again\n",
			strerror(-err));
		return false;
	}
	if (!strcmp(tn_ho_type(m), "fast")) {
		agent_fast(s, m, fd);
		json_object_put(m);
		return true;
	}
	if (fd >= 0)
		close(fd);
	if (!strcmp(tn_ho_type(m), "limits") && tn_ho_int(m, "rate", &rate) &&
	    tn_ho_int(m, "pps", &pps) && tn_ho_int(m, "burst", &burst) &&
	    rate >= 0 && pps >= 0 && burst >= 0) {
		/* "shape": false, the policers alone keep them */
		if (json_object_object_get_ex(m, "shape", &shape) &&
		    !json_object_get_boolean(shape))
			rate = pps = 0;
		/* (from tenetd of handoff v3 on; 0: ours, 5 packets) */
		if (!tn_ho_int(m, "burst_pkts", &burst_pkts) || burst_pkts < 0)
			burst_pkts = 0;
		limits_set(s, (uint64_t)rate, (uint64_t)pps, (uint64_t)burst,
			   (uint64_t)burst_pkts);
	} else
		tn_err("tenetd sent a message we cannot use: %s\n",
		       json_object_to_json_string(m));
	json_object_put(m);
	return true;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *thread_main(void *arg)
{
	struct router *r = arg;

	return (void *)(long)rt_run(r);
}

int rt_main(struct rt_config *c, volatile sig_atomic_t *stop,
	    volatile sig_atomic_t *want_stats)
{
	struct setup s = { .c = c };
	pthread_t th[16];
	uint32_t started = 0, q;
	uint64_t next_stats, next_connect = 0;
	uint16_t id;
	int err = 0;

	if (c->queues * (uint32_t)c->nifs > TN_RSTATS_MAX)
		return -E2BIG;
	for (int i = 0; c->standalone && i < c->nifs; i++) {
		s.ifindex[i] = (int)if_nametoindex(c->ifnames[i]);
		if (!s.ifindex[i]) {
			tn_err("%s: no such interface\n", c->ifnames[i]);
			return -ENODEV;
		}
	}
	s.sf = rt_stats_open(c->stats_path);
	s.r = calloc(c->queues, sizeof(*s.r));
	if (!s.sf || !s.r)
		return -ENOMEM;
	s.conn = -1;
	/* ICMP error IDs that cannot be guessed from outside */
	if (getrandom(&id, sizeof(id), 0) == sizeof(id))
		icmp4_seed_id(id);
	for (q = 0; !err && q < c->queues; q++) {
		err = rt_init(&s.r[q], &c->o, q);
		s.r[q].stats = s.sf;
		s.r[q].ft = &s.ft;
		s.r[q].stop = stop;
	}
	if (!err && c->standalone) {
		s.sf->nslots = c->queues * (uint32_t)c->nifs;
		err = standalone_xdp(&s);
		for (q = 0; !err && q < c->queues; q++)
			err = standalone_sockets(&s, q);
		/* One copy of the address map: one thread keeps it. */
		s.r[0].addr_cb = rx_addr_cb;
		s.r[0].cb_arg = &s;
	} else if (!err) {
		err = agent_sockets(&s);
	}
	if (!err)
		err = shapers_attach(&s);
	for (q = 0; !err && q < c->queues; q++) {
		if (!s.r[q].nifs) {
			tn_err("queue %u: no socket to forward on\n", q);
			err = -ENODEV;
		} else {
			err = nl_dump_all(&s.r[q]);
		}
	}
	if (err)
		tn_err("setting up: %s\n", strerror(-err));
	for (q = 0; !err && q < c->queues; q++) {
		err = -pthread_create(&th[q], NULL, thread_main, &s.r[q]);
		if (!err)
			started++;
	}
	if (!err)
		tn_info("forwarding on %d interfaces, %u queues\n", s.r[0].nifs,
			c->queues);
	next_stats = mono_ms() + 1000ULL * c->stats_interval;
	while (!err && !*stop) {
		struct pollfd pfd = { .fd = s.conn, .events = POLLIN };

		if (s.ft_old)
			fast_reap(&s);
		/* (fd -1: just sleeps) */
		if (poll(&pfd, 1, 100) > 0 && !agent_message(&s)) {
			close(s.conn);
			s.conn = -1;
		}
		/* tenetd restarted: we forward on, and ask it once a second
		 * for what it would say after a handoff. */
		if (c->agent && s.conn < 0 && mono_ms() >= next_connect) {
			next_connect = mono_ms() + 1000;
			agent_connect(&s, true);
		}
		if (*want_stats ||
		    (c->stats_interval && mono_ms() >= next_stats)) {
			*want_stats = 0;
			next_stats = mono_ms() + 1000ULL * c->stats_interval;
			rt_stats_print(s.sf, stderr, c->json);
		}
	}
	*stop = 1;
	for (q = 0; q < started; q++) {
		void *ret;

		pthread_join(th[q], &ret);
		if (ret)
			err = (int)(long)ret;
	}
	rt_stats_print(s.sf, stderr, c->json);
	standalone_detach(&s);
	if (s.conn >= 0)
		close(s.conn);
	for (q = 0; q < c->queues; q++)
		if (s.r[q].fib4)
			rt_fini(&s.r[q]);
	free(s.r);
	for (int k = 0; k < s.nshapers; k++)
		shaper_destroy(&s.shaper[k]);
	munmap(s.sf, sizeof(*s.sf));
	ftable_unmap(s.ft_old, s.ft_old_len);
	ftable_unmap(atomic_load(&s.ft.tab), s.ft.len);
	return err;
}
