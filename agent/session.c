// SPDX-License-Identifier: GPL-2.0
/*
 * Routers' sessions with tenetd: each tenant's router connects to
 * <run-dir>/tenants/<name>/router.sock (its /run/tenet/router.sock, owned by
 * the router's uid), says hello, and gets its AF_XDP sockets, made in its
 * container's netns (lib/handoff). Bound sockets go into the tenant's
 * XSKMAP; when the router goes away they come out again and tenetd closes
 * its copies, so no dead socket keeps a slot.
 *
 * tenetd also renices each router as it says hello: it shares its core
 * with the NAPI thread of its veths and must win that race (measured in
 * issue 3), and it holds no capability to do so itself.
 *
 * The session survives a router restart (the container's init restarts it;
 * each hello is counted), not an agent restart: a router that was running
 * keeps its sockets and forwards on, unconnected, until it exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "dp.h"
#include "fs.h"
#include "handoff.h"
#include "log.h"
#include "session.h"
#include "tenant.h"

/* Each answer the router owes: what runs in a tenant cannot stall tenetd
 * longer than this per socket. */
#define ANSWER_TIMEOUT_S 1
#define QUIET_S 2
/* The veth pairs are made with one queue each. */
#define ROUTER_QUEUES 1

struct session {
	char name[TN_STORE_NAME_MAX + 1];
	int lfd, conn;
	int xsk_map, nic_map; /* tn_rx_xsks, tn_nic_xsks (direct mode) */
	struct tn_ho_bound b;
	pid_t pid; /* the connected router's, in the agent's pid namespace */
	unsigned int hellos; /* since the agent started */
	unsigned int ct_restarts; /* containers started again by supervision */
	time_t quiet_until; /* after a failed handoff: connections refused */
	int init_fd; /* pidfd of the container's init, -1: not known */
};

/* -ENAMETOOLONG when it does not fit a unix socket address. */
static int sock_path(struct tenetd *d, const char *name, char *buf)
{
	char dir[512];
	int len;

	sock_dir(d, name, dir, sizeof(dir));
	len = snprintf(buf, sizeof(((struct sockaddr_un *)0)->sun_path), "%.*s",
		       (int)sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
		       dir);
	if (len + sizeof("/router.sock") >
	    sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	strcat(buf, "/router.sock");
	return 0;
}

int session_listen(struct tenetd *d, const struct tn_tenant_rec *t, uid_t uid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct session *s = d->sess[t->id];
	char dir[512];
	int err;

	if (s && s->lfd >= 0)
		return 0;
	sock_dir(d, t->name, dir, sizeof(dir));
	err = sock_path(d, t->name, sa.sun_path);
	if (!err)
		err = tn_mkdir_p(dir, 0755);
	/* The router writes its stats file there, and no other user can
	 * reach the socket. */
	if (!err && chown(dir, uid, uid))
		err = -errno;
	if (err)
		return err;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->lfd = s->conn = s->xsk_map = s->nic_map = s->init_fd = -1;
		d->sess[t->id] = s;
	}
	snprintf(s->name, sizeof(s->name), "%s", t->name);
	unlink(sa.sun_path);
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
			0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chown(sa.sun_path, uid, uid) || chmod(sa.sun_path, 0600) ||
	    listen(s->lfd, 4)) {
		err = -errno;
		if (s->lfd >= 0)
			close(s->lfd);
		s->lfd = -1;
		return err;
	}
	return 0;
}

/* The router went away, or is replaced: its sockets leave the XSKMAP. */
static void drop_conn(struct session *s)
{
	if (s->conn < 0)
		return;
	tn_ho_unbind(&s->b);
	if (s->xsk_map >= 0)
		close(s->xsk_map);
	if (s->nic_map >= 0)
		close(s->nic_map);
	s->xsk_map = s->nic_map = -1;
	close(s->conn);
	s->conn = -1;
	s->pid = 0;
}

void session_close(struct tenetd *d, uint32_t id)
{
	struct session *s = d->sess[id];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];

	if (!s)
		return;
	drop_conn(s);
	if (s->init_fd >= 0)
		close(s->init_fd);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (!sock_path(d, s->name, path))
			unlink(path);
	}
	free(s);
	d->sess[id] = NULL;
}

struct serve_ctx {
	struct session *s;
	int64_t queues;
	int if_map;
};

/* In the container's netns: the sockets of the router's interfaces. */
static int make_in(void *arg)
{
	static const char *const ifs[] = { CT_ACCESS, CT_UPLINK };
	struct serve_ctx *c = arg;

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

	s->nic_map = tn_dp_map_open(d->bpffs, "tn_nic_xsks");
	if (s->nic_map < 0)
		return s->nic_map;
	for (int side = 0; !err && side < 2; side++) {
		if (queue[side] < 0)
			return -EINVAL;
		err = tn_store_nic_get_id(d->st, nic_id[side], &nic);
		if (!err)
			err = tn_ho_make(&s->b, nic.ifname, queue[side],
					 ct_if[side], s->nic_map,
					 nic_id[side] * TN_MAX_QUEUES +
						 (uint32_t)queue[side]);
	}
	return err;
}

/* A router connects: hello, renice, its sockets. */
static void accept_router(struct tenetd *d, uint32_t id, struct session *s)
{
	struct timeval tv = { .tv_sec = ANSWER_TIMEOUT_S };
	struct serve_ctx c = { .s = s, .queues = 1, .if_map = -1 };
	struct tn_tenant_rec t;
	int64_t version = 0;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char dir[512];
	json_object *m = NULL;
	int conn, fd, err;

	conn = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return;
	/* A handoff blocks tenetd for up to ANSWER_TIMEOUT_S per answer
	 * (and 100 ms per NIC queue still held): one that failed or left a
	 * queue out buys the tenant QUIET_S of refusals, so what runs in a
	 * tenant cannot keep tenetd busy. */
	if (time(NULL) < s->quiet_until) {
		close(conn);
		return;
	}
	/* One router per tenant: a new one replaces the old. */
	drop_conn(s);
	s->conn = conn;
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	err = getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) ? -errno :
								       0;
	if (!err)
		err = tn_ho_recv(conn, &m, &fd);
	/* A hello carries no descriptor. */
	if (!err && fd >= 0)
		close(fd);
	if (!err && strcmp(tn_ho_type(m), "hello"))
		err = -EPROTO;
	if (!err &&
	    (!tn_ho_int(m, "version", &version) || version != TN_HO_VERSION)) {
		/* Routers are copied into containers when they are made:
		 * one from another tenet speaks another protocol. */
		tn_warn("tenant %s: router speaks handoff v%lld, tenetd v%d:"
			" re-create the tenant to update it\n",
			s->name, (long long)version, TN_HO_VERSION);
		err = -EPROTO;
	}
	if (!err) {
		tn_ho_int(m, "queues", &c.queues);
		if (c.queues > ROUTER_QUEUES)
			c.queues = ROUTER_QUEUES;
		s->pid = cred.pid;
		s->hellos++;
		if (setpriority(PRIO_PROCESS, (id_t)cred.pid, TN_ROUTER_NICE))
			tn_warn("tenant %s: router %d not reniced: %s\n",
				s->name, (int)cred.pid, strerror(errno));
		snprintf(dir, sizeof(dir), "%s/tenants/%u", d->bpffs, id);
		s->xsk_map = tn_dp_map_open(dir, "tn_rx_xsks");
		c.if_map = tn_dp_map_open(dir, "tn_rx_ifs");
		err = s->xsk_map < 0 ? s->xsk_map :
		      c.if_map < 0   ? c.if_map :
				       in_netns(cred.pid, make_in, &c);
		if (!err)
			err = tn_store_tenant_get(d->st, id, &t);
		if (!err && t.mode == TN_MODE_DIRECT)
			err = make_direct(d, &t, s);
		if (!err)
			err = tn_ho_serve(conn, &s->b);
	}
	json_object_put(m);
	if (c.if_map >= 0)
		close(c.if_map);
	if (err) {
		tn_warn("tenant %s: router %d: handing sockets over: %s\n",
			s->name, (int)cred.pid, strerror(-err));
		drop_conn(s);
		s->quiet_until = time(NULL) + QUIET_S;
		return;
	}
	tn_info("tenant %s: router %d took %d sockets (%s)\n", s->name,
		(int)cred.pid, s->b.n, s->b.zerocopy ? "zero-copy" : "copy");
	if (s->b.unsent) {
		/* Most likely the last router still holds the queues. */
		tn_warn("tenant %s: %d NIC queue sockets not bound: %s\n",
			s->name, s->b.unsent, strerror(-s->b.unsent_err));
		s->quiet_until = time(NULL) + QUIET_S;
	}
}

int sessions_pollfds(struct tenetd *d, struct pollfd *p, uint32_t *owner,
		     int max)
{
	int n = 0;

	for (uint32_t id = 1; id < TN_MAX_TENANTS && n + 2 <= max; id++) {
		struct session *s = d->sess[id];

		if (!s)
			continue;
		if (s->lfd >= 0) {
			p[n] = (struct pollfd){ .fd = s->lfd,
						.events = POLLIN };
			owner[n++] = id;
		}
		if (s->conn >= 0) {
			p[n] = (struct pollfd){ .fd = s->conn,
						.events = POLLIN };
			owner[n++] = id;
		}
	}
	return n;
}

void sessions_handle(struct tenetd *d, const struct pollfd *p,
		     const uint32_t *owner, int n)
{
	for (int i = 0; i < n; i++) {
		struct session *s = d->sess[owner[i]];
		json_object *m;
		int fd;

		if (!s || !p[i].revents)
			continue;
		if (p[i].fd == s->lfd) {
			accept_router(d, owner[i], s);
		} else if (p[i].fd == s->conn) {
			/* Routers say nothing after the handoff: anything
			 * readable is their going away. */
			if (!tn_ho_recv(s->conn, &m, &fd)) {
				json_object_put(m);
				if (fd >= 0)
					close(fd);
				continue;
			}
			tn_info("tenant %s: router %d gone, %d XSKMAP slots"
				" cleared\n",
				s->name, (int)s->pid, s->b.n);
			drop_conn(s);
		}
	}
}

void session_count_ct_restart(struct tenetd *d, uint32_t id)
{
	if (d->sess[id])
		d->sess[id]->ct_restarts++;
}

void session_watch_init(struct tenetd *d, uint32_t id, pid_t pid)
{
	struct session *s = d->sess[id];

	if (!s)
		return;
	if (s->init_fd >= 0)
		close(s->init_fd);
	s->init_fd = (int)syscall(SYS_pidfd_open, pid, 0);
}

bool session_init_alive(struct tenetd *d, uint32_t id)
{
	struct session *s = d->sess[id];
	struct pollfd p;

	if (!s || s->init_fd < 0)
		return false;
	/* A pidfd turns readable when its process exits. */
	p = (struct pollfd){ .fd = s->init_fd, .events = POLLIN };
	return poll(&p, 1, 0) == 0;
}

pid_t session_pid(struct tenetd *d, uint32_t id)
{
	struct session *s = d->sess[id];

	return s && s->conn >= 0 ? s->pid : 0;
}

unsigned int session_ct_restarts(struct tenetd *d, uint32_t id)
{
	return d->sess[id] ? d->sess[id]->ct_restarts : 0;
}

json_object *session_json(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct session *s = d->sess[t->id];
	json_object *o = json_object_new_object();
	char rootfs[4096], buf[32] = "";
	ssize_t n;

	json_object_object_add(o, "connected",
			       json_object_new_boolean(s && s->conn >= 0));
	json_object_object_add(
		o, "pid", json_object_new_int(s && s->conn >= 0 ? s->pid : 0));
	json_object_object_add(o, "sockets",
			       json_object_new_int(s && s->conn >= 0 ? s->b.n :
								       0));
	json_object_object_add(o, "connects",
			       json_object_new_int(s ? (int)s->hellos : 0));
	/* Restarts by the container's init, kept in its rootfs. */
	snprintf(rootfs, sizeof(rootfs), "%s/%s/rootfs", d->lxc_path, t->name);
	n = tn_read_beneath(rootfs, "run/tenet-init.restarts", buf,
			    sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	json_object_object_add(o, "restarts", json_object_new_int(atoi(buf)));
	return o;
}
