// SPDX-License-Identifier: GPL-2.0
/*
 * Routers' sessions with tenetd: each tenant's router connects to
 * <run-dir>/tenants/<name>/router.sock (its /run/tenet/router.sock), says
 * hello, and gets its AF_XDP sockets, made in its container's netns
 * (lib/handoff.h). Bound sockets go into the tenant's XSKMAP; when the
 * router goes away they come out again and tenetd closes its copies, so no
 * dead socket keeps a slot.
 *
 * What runs in a tenant is not trusted, and tenetd never waits on it. A
 * session is a state machine driven by the loop, one deadline per step:
 *
 *   (listening) --accept--> HELLO --hello--> OWN --answers--> BIND
 *        ^                                                      |
 *        |    any message, EOF, a passed descriptor,            | NIC queues
 *        +--- a late step: the connection is dropped     UP <-- NIC
 *                                                          (done sent)
 *
 * Sends never block (the socket is non-blocking; a full one ends the
 * session during the handoff; after it, the "limits" message waits for
 * room, see send_limits()). Descriptors a router passes are refused by the kernel where it
 * can (SO_PASSRIGHTS, 6.16+); elsewhere they, the connection and the
 * listening socket are closed by the reaper (reaper.h), never here: a
 * close can block as long as the tenant likes. A tenant gets TN_SESS_BURST
 * connections, then one each TN_SESS_REFILL_MS: past that, and while any
 * of its descriptors wait for the reaper, its socket is not accepted on
 * (connections wait in the backlog, costing tenetd nothing).
 *
 * The peer's pid comes with a pidfd (SO_PEERPIDFD, or pidfd_open on 6.1,
 * checked to be in the tenant's pid namespace and still alive after use),
 * and the sockets are made in the netns of the container's init, reached
 * through its pidfd: a pid the router gives up and the kernel hands to
 * another process never sends tenetd elsewhere.
 *
 * tenetd renices each router as it says hello: it shares its core with the
 * NAPI thread of its veths and must win that race (measured in issue 3),
 * and it holds no capability to do so itself.
 *
 * The session survives a router restart (the container's init restarts it;
 * each hello is counted), not an agent restart: a router that was running
 * keeps its sockets and forwards on, and connects again with a hello that
 * says "resume": it gets no sockets, only what tenetd says after a handoff
 * (its limits), and is up as if it had taken them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "agent.h"
#include "dp.h"
#include "fs.h"
#include "fast.h"
#include "handoff.h"
#include "xsk.h"
#include "burst.h"
#include "log.h"
#include "loop.h"
#include "naming.h"
#include "reaper.h"
#include "session.h"
#include "store.h"
#include "supervise.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* The veth pairs are made with one queue each. */
#define ROUTER_QUEUES 1
/* How often a held NIC queue is tried again, within the step. */
#define BIND_RETRY_MS 20

enum sess_state { S_NONE, S_HELLO, S_OWN, S_BIND, S_NIC, S_UP };

static const char *const state_names[] = { "none",	  "hello",
					   "own sockets", "NIC queues",
					   "NIC sockets", "up" };

struct session {
	char name[TN_STORE_NAME_MAX + 1];
	uint32_t id;
	struct tn_watch lw, cw; /* router.sock, the router's connection */
	enum sess_state st;
	int64_t deadline, retry_at;
	int due; /* answers still due */
	int xsk_map, nic_map, zc_map; /* tn_rx_xsks; tn_nic_xsks, tn_qzc
				       * (direct mode) */
	struct tn_ho_bound b;
	pid_t pid; /* the connected router's, in the agent's pid namespace */
	int pidfd;
	unsigned int accepts, hellos; /* since the agent started */
	unsigned int refused; /* connections dropped for breaking rules */
	double tokens;
	int64_t tokens_at;
	bool accepting;
	/* The tenant's limits for the router to shape to, and whether they
	 * still wait for room in its socket. */
	struct tn_burst burst;
	uint64_t rate_bps, pps;
	bool shape;
	bool limits_due;
	unsigned int resumes;
	unsigned int limits_sent;
};

static void reap_cb(int fd, void *arg)
{
	tn_reap(fd, *(uint32_t *)arg);
}

static int sock_path_at(int dfd, char *buf, size_t n)
{
	return snprintf(buf, n, "/proc/self/fd/%d/router.sock", dfd) < (int)n ?
		       0 :
		       -ENAMETOOLONG;
}

/* The router went away, or is replaced: its sockets leave the XSKMAP,
 * the connection goes to the reaper. */
static void drop_conn(struct tenetd *d, struct session *s)
{
	int conn = s->cw.fd;

	if (conn < 0)
		return;
	tn_watch_del(d, &s->cw);
	/* Nothing the router wrote is used once it is gone. */
	fast_table_drop(d, s->id);
	tn_ho_unbind(&s->b);
	if (s->xsk_map >= 0)
		close(s->xsk_map);
	if (s->nic_map >= 0)
		close(s->nic_map);
	if (s->zc_map >= 0)
		close(s->zc_map);
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->xsk_map = s->nic_map = s->zc_map = s->pidfd = -1;
	tn_reap(conn, s->id);
	s->st = S_NONE;
	s->pid = 0;
	s->due = 0;
}

static void refuse(struct tenetd *d, struct session *s, const char *why,
		   int err)
{
	char who[32] = "a connection";

	if (s->pid)
		snprintf(who, sizeof(who), "router %d", (int)s->pid);
	s->refused++;
	tn_warn("tenant %s: %s: %s%s%s; connection dropped\n", s->name, who,
		why, err ? ": " : "", err ? strerror(-err) : "");
	drop_conn(d, s);
}

/* ---- the router's pid ---- */

static bool pidfd_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

static int same_ns(pid_t a, pid_t b, const char *ns)
{
	char pa[64], pb[64];
	struct stat sa, sb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/%s", (int)a, ns);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/%s", (int)b, ns);
	if (stat(pa, &sa) || stat(pb, &sb))
		return -errno;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino ? 0 : -EPERM;
}

/* A pidfd of the peer, who must be a process of the tenant's container. */
static int peer_pidfd(struct tenetd *d, struct session *s, pid_t pid)
{
	socklen_t len = sizeof(int);
	int fd = -1, err;
	pid_t init = supervise_init_pid(d, s->id);

	if (getsockopt(s->cw.fd, SOL_SOCKET, SO_PEERPIDFD, &fd, &len))
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return -errno;
	err = init > 0 ? same_ns(pid, init, "pid") : -ESRCH;
	if (!err && !pidfd_alive(fd))
		err = -ESRCH;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* ---- steps ---- */

struct make_ctx {
	struct session *s;
	int64_t queues;
	int if_map;
};

/* In the container's netns: the sockets of the router's interfaces. */
static int make_in(void *arg)
{
	static const char *const ifs[] = { CT_ACCESS, CT_UPLINK };
	struct make_ctx *c = arg;

	return tn_ho_make_ifs(&c->s->b, ifs, 2, c->queues, c->s->xsk_map,
			      c->if_map);
}

/* Direct mode, in the host's netns: a socket on the queue the tenant owns
 * on each of its NICs, read as its interface of that side. */
static int make_direct(struct tenetd *d, const struct tn_tenant_rec *t,
		       struct session *s)
{
	static const char *const ct_if[] = { CT_ACCESS, CT_UPLINK };
	const uint32_t nic_id[] = { t->access_nic, t->uplink_nic };
	const int16_t queue[] = { t->access_queue, t->uplink_queue };
	struct tn_nic_rec nic;
	int err = 0;

	s->nic_map = tn_dp_map_open(d->bpffs, TN_MAP_NIC_XSKS);
	if (s->nic_map < 0)
		return s->nic_map;
	s->zc_map = tn_dp_map_open(d->bpffs, TN_MAP_QZC);
	if (s->zc_map < 0)
		return s->zc_map;
	for (int side = 0; !err && side < 2; side++) {
		if (queue[side] < 0)
			return -EINVAL;
		err = tn_store_nic_get_id(d->st, nic_id[side], &nic);
		if (!err)
			err = tn_ho_make(&s->b, nic.ifname, queue[side],
					 ct_if[side], s->nic_map,
					 nic_id[side] * TN_MAX_QUEUES +
						 (uint32_t)queue[side]);
		if (!err)
			s->b.s[s->b.made - 1].zc_ok = nic.zerocopy;
	}
	tn_ho_flag_zc(&s->b, s->zc_map);
	return err;
}

static void set_step(struct session *s, enum sess_state st, int64_t now)
{
	s->st = st;
	s->deadline = now + TN_SESS_STEP_MS;
}

static void send_nic(struct tenetd *d, struct session *s, int64_t now,
		     bool last_try);
static bool go_up(struct tenetd *d, struct session *s);

/* A new fast table for the router (lib/handoff.h's "fast"), its old one's
 * entries forgotten. A table that cannot be made leaves the tenant on the
 * router's path, said; only a send that fails ends the session. */
static int send_fast(struct tenetd *d, struct session *s)
{
	int fd = fast_table_new(d, s->id), err;

	if (fd < 0) {
		tn_warn("tenant %s: no fast table: %s; the router forwards"
			" every frame\n",
			s->name, strerror(-fd));
		return 0;
	}
	err = tn_ho_send_fast(s->cw.fd, fd,
			      (const char *const[]){ CT_ACCESS, CT_UPLINK });
	close(fd);
	if (err)
		fast_table_drop(d, s->id);
	return err;
}

/* The hello: renice, make the sockets, send the router's own. */
static void on_hello(struct tenetd *d, struct session *s, json_object *m,
		     int64_t now)
{
	struct make_ctx c = { .s = s, .queues = 1, .if_map = -1 };
	struct tn_tenant_rec t;
	json_object *resume;
	int64_t version = 0;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char dir[512];
	int err, n, init_fd = supervise_init_fd(d, s->id);

	if (strcmp(tn_ho_type(m), "hello")) {
		refuse(d, s, "no hello", 0);
		return;
	}
	if (!tn_ho_int(m, "version", &version) || version != TN_HO_VERSION) {
		/* A router another tenet put in the container speaks its
		 * protocol: the upgrade replaces it (agent/upgrade.c), if
		 * this tenetd knows its own router. */
		tn_warn("tenant %s: router speaks handoff v%lld, tenetd v%d:"
			" %s\n",
			s->name, (long long)version, TN_HO_VERSION,
			*d->router_build ?
				"refused until the upgrade replaces it" :
				"re-create the tenant to update it");
		refuse(d, s, "wrong handoff version", 0);
		return;
	}
	if (getsockopt(s->cw.fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    init_fd < 0) {
		refuse(d, s, "no credentials, or no container init",
		       init_fd < 0 ? -ESRCH : -errno);
		return;
	}
	s->pid = cred.pid;
	s->pidfd = peer_pidfd(d, s, cred.pid);
	if (s->pidfd < 0) {
		refuse(d, s, "not a process of the tenant's container",
		       s->pidfd);
		return;
	}
	tn_ho_int(m, "queues", &c.queues);
	if (c.queues > ROUTER_QUEUES)
		c.queues = ROUTER_QUEUES;
	s->hellos++;
	/* The pidfd, alive after the call, says the pid was still the
	 * router's when it was reniced. */
	if (setpriority(PRIO_PROCESS, (id_t)cred.pid, TN_ROUTER_NICE) ||
	    !pidfd_alive(s->pidfd))
		tn_warn("tenant %s: router %d not reniced: %s\n", s->name,
			(int)cred.pid, strerror(errno ? errno : ESRCH));
	if (json_object_object_get_ex(m, "resume", &resume) &&
	    json_object_get_boolean(resume)) {
		s->resumes++;
		/* It kept its table, unless tenetd took it out meanwhile. */
		if (!fast_table_present(d, s->id) && (err = send_fast(d, s))) {
			refuse(d, s, "handing the fast table over", err);
			return;
		}
		if (go_up(d, s))
			tn_info("tenant %s: router %d is back, with the sockets"
				" it kept\n",
				s->name, (int)s->pid);
		return;
	}
	rx_pin_dir(d, s->id, dir, sizeof(dir));
	s->xsk_map = tn_dp_map_open(dir, TN_MAP_RX_XSKS);
	c.if_map = tn_dp_map_open(dir, TN_MAP_RX_IFS);
	err = s->xsk_map < 0 ? s->xsk_map :
	      c.if_map < 0   ? c.if_map :
			       in_netns_fd(init_fd, make_in, &c);
	if (c.if_map >= 0)
		close(c.if_map);
	if (!err)
		err = tn_store_tenant_get(d->st, s->id, &t);
	if (!err && t.mode == TN_MODE_DIRECT)
		err = make_direct(d, &t, s);
	n = err ? err : tn_ho_send_own(s->cw.fd, &s->b);
	if (n < 0) {
		refuse(d, s, "handing sockets over", n);
		return;
	}
	s->due = n;
	set_step(s, S_OWN, now);
	if (!n)
		send_nic(d, s, now, false);
}

/* The NIC queues' sockets, once bound (or the step's time is up). */
static void send_nic(struct tenetd *d, struct session *s, int64_t now,
		     bool last_try)
{
	int held = tn_ho_bind_nic(&s->b), n;

	if (held && !last_try) {
		s->st = S_BIND;
		s->retry_at = now + BIND_RETRY_MS;
		return;
	}
	n = tn_ho_send_nic(s->cw.fd, &s->b);
	if (n < 0) {
		refuse(d, s, "handing NIC queues over", n);
		return;
	}
	s->due = n;
	set_step(s, S_NIC, now);
}

/* The router's limits, once it is up: {"type":"limits","rate":BPS,
 * "pps":N,"burst":BYTES,"shape":B} (lib/handoff.h). The socket is the router's to
 * empty and it may not: a send that finds it full (EAGAIN) leaves the
 * newest limits due, for the next tick to try again; tenetd never waits,
 * and never drops a router for a message it has not read. Any other
 * failure is a connection gone. */
static void send_limits(struct tenetd *d, struct session *s)
{
	json_object *m;
	int err;

	if (!s->limits_due || s->st != S_UP || s->cw.fd < 0)
		return;
	m = json_object_new_object();
	json_object_object_add(m, "type", json_object_new_string("limits"));
	json_object_object_add(m, "rate", json_object_new_uint64(s->rate_bps));
	json_object_object_add(m, "pps", json_object_new_uint64(s->pps));
	json_object_object_add(m, "burst",
			       json_object_new_uint64(s->burst.bytes));
	json_object_object_add(m, "burst_pkts",
			       json_object_new_uint64(s->burst.pkts));
	json_object_object_add(m, "shape", json_object_new_boolean(s->shape));
	err = tn_ho_send(s->cw.fd, m, -1);
	json_object_put(m);
	if (err == -EAGAIN || err == -EWOULDBLOCK || err == -ENOBUFS)
		return;
	if (err) {
		refuse(d, s, "sending limits", err);
		return;
	}
	s->limits_due = false;
	s->limits_sent++;
}

static void set_limits(struct session *s, const struct tn_limits *l)
{
	const struct tn_rate_limits rl = { l->rate_bps, l->pps, l->burst_bytes,
					   l->burst_ns };

	tn_burst_eff(&rl, &s->burst);
	s->rate_bps = l->rate_bps;
	s->pps = l->pps;
	s->shape = !l->police_only;
	s->limits_due = true;
}

void session_limits(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct session *s = d->sess[t->id];

	if (!s)
		return;
	set_limits(s, &t->limits);
	send_limits(d, s);
}

/* The router is up (handed its sockets, or kept them): its limits, from
 * the record, so what a tenant set changed while no router was up is in
 * them too. false if the connection went meanwhile. */
static bool go_up(struct tenetd *d, struct session *s)
{
	struct tn_tenant_rec t;

	s->st = S_UP;
	if (!tn_store_tenant_get(d->st, s->id, &t)) {
		set_limits(s, &t.limits);
		send_limits(d, s);
	}
	return s->cw.fd >= 0;
}

static void handoff_done(struct tenetd *d, struct session *s)
{
	int err = send_fast(d, s);

	if (err) {
		refuse(d, s, "handing the fast table over", err);
		return;
	}
	err = tn_ho_send_done(s->cw.fd);
	if (err) {
		refuse(d, s, "saying done", err);
		return;
	}
	if (!go_up(d, s))
		return;
	tn_info("tenant %s: router %d took %d sockets (%s)\n", s->name,
		(int)s->pid, s->b.n, s->b.zerocopy ? "zero-copy" : "copy");
	if (s->b.unsent)
		/* Most likely the last router still holds the queues. */
		tn_warn("tenant %s: %d NIC queue sockets not bound: %s\n",
			s->name, s->b.unsent, strerror(-s->b.unsent_err));
}

static void on_conn(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct session *s =
		(struct session *)((char *)w - offsetof(struct session, cw));
	int64_t now = tn_now_ms();

	(void)ev;
	/* A few messages a wake-up: a router that floods gets no more of
	 * the loop than one that does not. */
	for (int i = 0; i < 8 && s->cw.fd >= 0; i++) {
		json_object *m = NULL;
		int err = tn_ho_recv_nofd(s->cw.fd, &m, reap_cb, &s->id);

		if (err == -EAGAIN)
			return;
		if (err == -ECONNRESET && s->st == S_UP) {
			tn_info("tenant %s: router %d gone, %d XSKMAP slots"
				" cleared\n",
				s->name, (int)s->pid, s->b.n);
			drop_conn(d, s);
			return;
		}
		if (err) {
			refuse(d, s,
			       err == -EPROTO ? "passed descriptors" :
			       err == -ECONNRESET ?
						"went away during the handoff" :
						"sent a malformed message",
			       0);
			return;
		}
		switch (s->st) {
		case S_HELLO:
			on_hello(d, s, m, now);
			break;
		case S_OWN:
		case S_NIC:
			if (!tn_ho_answer(&s->b, m)) {
				refuse(d, s, "not an answer", 0);
				break;
			}
			if (--s->due)
				break;
			if (s->st == S_OWN)
				send_nic(d, s, now, false);
			if (s->st == S_NIC && !s->due)
				handoff_done(d, s);
			break;
		default: /* routers say nothing after the handoff (the
			  * limits they get are not answered) */
			refuse(d, s, "spoke out of turn", 0);
			break;
		}
		json_object_put(m);
	}
}

static void refill(struct session *s, int64_t now)
{
	s->tokens += (double)(now - s->tokens_at) / TN_SESS_REFILL_MS;
	if (s->tokens > TN_SESS_BURST)
		s->tokens = TN_SESS_BURST;
	s->tokens_at = now;
}

static void set_accepting(struct tenetd *d, struct session *s, bool on)
{
	if (s->accepting != on && !tn_watch_set(d, &s->lw, on ? EPOLLIN : 0))
		s->accepting = on;
}

static void on_listen(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct session *s =
		(struct session *)((char *)w - offsetof(struct session, lw));
	int64_t now = tn_now_ms();
	int conn, zero = 0;

	(void)ev;
	refill(s, now);
	if (s->tokens < 1 || tn_reaper_pending(s->id)) {
		set_accepting(d, s, false);
		return;
	}
	conn = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0) {
		/* EMFILE and the like: a second before we try again. */
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED) {
			tn_warn("tenant %s: accept: %s\n", s->name,
				strerror(errno));
			s->tokens = 0;
			set_accepting(d, s, false);
		}
		return;
	}
	s->tokens -= 1;
	s->accepts++;
	if (d->passrights)
		setsockopt(conn, SOL_SOCKET, SO_PASSRIGHTS, &zero,
			   sizeof(zero));
	/* One router per tenant: a new one replaces the old. */
	drop_conn(d, s);
	if (tn_watch_add(d, &s->cw, conn, EPOLLIN, on_conn)) {
		tn_reap(conn, s->id);
		return;
	}
	set_step(s, S_HELLO, now);
}

void sessions_tick(struct tenetd *d, int64_t now)
{
	for (uint32_t id = 1; id < TN_MAX_TENANTS; id++) {
		struct session *s = d->sess[id];

		if (!s)
			continue;
		if (s->st == S_BIND && now >= s->retry_at)
			send_nic(d, s, now, now >= s->deadline);
		if (s->st == S_NIC && !s->due)
			handoff_done(d, s);
		if (s->st == S_UP && s->limits_due)
			send_limits(d, s);
		if (s->st != S_NONE && s->st != S_UP && now >= s->deadline)
			refuse(d, s, state_names[s->st], -ETIMEDOUT);
		if (!s->accepting && s->lw.fd >= 0) {
			refill(s, now);
			if (s->tokens >= 1 && !tn_reaper_pending(id))
				set_accepting(d, s, true);
		}
	}
}

/* ---- the socket ---- */

/*
 * The socket dir is the tenant's (its container's /run/tenet): everything
 * there is done relative to a descriptor of it, opened without following a
 * link, and the socket is born with its final mode (umask), so nothing the
 * tenant swaps in between makes us touch another file. The dir is the
 * router's, mode 0700: only it (and its container's root) reaches the
 * socket, which is ours, mode 0666.
 */
static int bind_sock(struct tenetd *d, const char *name, uid_t uid, gid_t gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tenants[512];
	int tfd = -1, dfd = -1, fd = -1, err, zero = 0;
	mode_t old;

	tenants_dir(d, tenants, sizeof(tenants));
	err = tn_mkdir_p(tenants, 0755);
	if (!err) {
		tfd = open(tenants,
			   O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		err = tfd < 0 ? -errno : 0;
	}
	if (!err) {
		dfd = tn_dir_at(tfd, name, 0700, uid, gid);
		err = dfd < 0 ? dfd : 0;
	}
	if (!err)
		err = sock_path_at(dfd, sa.sun_path, sizeof(sa.sun_path));
	if (!err) {
		fd = socket(AF_UNIX,
			    SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		err = fd < 0 ? -errno : 0;
	}
	/* Whatever is in the way goes (a link is removed, not followed);
	 * a tenant that puts it back each time wins only its own
	 * failure. */
	for (int i = 0; !err && i < 3; i++) {
		if (unlinkat(dfd, "router.sock", 0) && errno != ENOENT) {
			err = -errno;
			break;
		}
		old = umask(0111);
		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		umask(old);
		if (err != -EADDRINUSE)
			break;
	}
	if (!err && d->passrights)
		setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof(zero));
	if (!err && listen(fd, 4))
		err = -errno;
	if (tfd >= 0)
		close(tfd);
	if (dfd >= 0)
		close(dfd);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

int session_listen(struct tenetd *d, const struct tn_tenant_rec *t, uid_t uid,
		   gid_t gid)
{
	struct session *s = d->sess[t->id];
	int fd;

	if (s && s->lw.fd >= 0)
		return 0;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->lw.fd = s->cw.fd = -1;
		s->xsk_map = s->nic_map = s->zc_map = s->pidfd = -1;
		s->id = t->id;
		s->tokens = TN_SESS_BURST;
		s->tokens_at = tn_now_ms();
		d->sess[t->id] = s;
	}
	snprintf(s->name, sizeof(s->name), "%s", t->name);
	fd = bind_sock(d, t->name, uid, gid);
	if (fd < 0)
		return fd;
	if (tn_watch_add(d, &s->lw, fd, EPOLLIN, on_listen)) {
		int err = -errno;

		close(fd);
		return err;
	}
	s->accepting = true;
	return 0;
}

void session_close(struct tenetd *d, uint32_t id)
{
	struct session *s = d->sess[id];
	int fd;

	if (!s)
		return;
	drop_conn(d, s);
	fd = s->lw.fd;
	tn_watch_del(d, &s->lw);
	/* Connections waiting in its backlog may hold descriptors. */
	tn_reap(fd, id);
	tn_loop_free(d, s);
	d->sess[id] = NULL;
}

pid_t session_pid(struct tenetd *d, uint32_t id)
{
	struct session *s = d->sess[id];

	return s && s->st == S_UP ? s->pid : 0;
}

bool session_state(struct tenetd *d, uint32_t id, unsigned int *fresh,
		   int *pidfd)
{
	struct session *s = d->sess[id];
	bool up = s && s->st == S_UP;

	*fresh = s ? s->hellos - s->resumes : 0;
	*pidfd = up ? s->pidfd : -1;
	return up;
}

json_object *session_json(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct session *s = d->sess[t->id];
	bool up = s && s->st == S_UP;
	json_object *o = json_object_new_object();
	char rootfs[4096], buf[32] = "", build[TN_STORE_NAME_MAX + 1];
	ssize_t n;

	json_object_object_add(o, "connected", json_object_new_boolean(up));
	json_object_object_add(o, "pid", json_object_new_int(up ? s->pid : 0));
	json_object_object_add(o, "sockets",
			       json_object_new_int(up ? s->b.n : 0));
	json_object_object_add(o, "connects",
			       json_object_new_int(s ? (int)s->hellos : 0));
	/* hellos of routers that kept their sockets through a restart of
	 * ours: "sockets" is 0 for them (we did not hand any). */
	json_object_object_add(o, "resumed",
			       json_object_new_int(s ? (int)s->resumes : 0));
	json_object_object_add(o, "accepted",
			       json_object_new_int(s ? (int)s->accepts : 0));
	json_object_object_add(o, "refused",
			       json_object_new_int(s ? (int)s->refused : 0));
	/* "limits" messages sent since the agent started, and whether the
	 * newest still waits for room in the router's socket. */
	json_object_object_add(o, "limits_sent",
			       json_object_new_int(s ? (int)s->limits_sent :
						       0));
	json_object_object_add(o, "limits_due",
			       json_object_new_boolean(up && s->limits_due));
	/* Restarts by the container's init, kept in its rootfs. */
	rootfs_dir(d, t->name, rootfs, sizeof(rootfs));
	n = tn_read_beneath(rootfs, "run/tenet-init.restarts", buf,
			    sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	json_object_object_add(o, "restarts", json_object_new_int(atoi(buf)));
	/* The build tenetd put in the container ("": an older tenetd's),
	 * and whether it is the one beside this tenetd. */
	if (tn_store_router_build(d->st, t->id, build))
		*build = '\0';
	json_object_object_add(o, "build", json_object_new_string(build));
	json_object_object_add(
		o, "build_current",
		json_object_new_boolean(*build &&
					!strcmp(build, d->router_build)));
	return o;
}

void session_nic_xsks(struct tenetd *d, const char *ifname, json_object *arr)
{
	for (uint32_t id = 1; id < TN_MAX_TENANTS; id++) {
		struct session *s = d->sess[id];

		for (int i = 0; s && s->st == S_UP && i < s->b.made; i++) {
			const struct tn_ho_sock *k = &s->b.s[i];
			json_object *o;

			if (!k->rx_for[0] || !k->bound ||
			    strcmp(k->ifname, ifname))
				continue;
			o = json_object_new_object();
			json_object_object_add(
				o, "queue", json_object_new_int((int)k->queue));
			json_object_object_add(o, "tenant",
					       json_object_new_string(s->name));
			json_object_object_add(
				o, "zerocopy",
				json_object_new_boolean(k->zerocopy));
			json_object_object_add(
				o, "mode",
				json_object_new_string(tn_xsk_mode_name(
					k->zc_ok, k->zerocopy)));
			json_object_object_add(o, "tx_ring",
					       json_object_new_boolean(false));
			json_object_object_add(
				o, "umem_bytes",
				json_object_new_int64(
					(int64_t)TN_HO_DIRECT_FRAMES *
					TN_XSK_FRAME_SIZE));
			json_object_array_add(arr, o);
		}
	}
}
