// SPDX-License-Identifier: GPL-2.0
/*
 * Routers of an older tenet replaced by this one's, one tenant at a time.
 *
 * Each tenant's row records the tenet-router build tenetd put in its
 * container (a hash of the binary's bytes; none: an older tenetd put it
 * there). After start-up, each tenant whose build is not that of the
 * tenet-router this tenetd gives new containers gets it: it is installed
 * in the container's rootfs (tn_install_beneath: the rootfs is the
 * tenant's), the running router is stopped (SIGTERM, SIGKILL after
 * UPG_KILL_MS; one that is not connected, through its init's SIGHUP), and
 * the container's init starts the new one, which takes its sockets in a
 * fresh handoff. The next tenant's turn comes once this
 * one's new router is up, or UPG_GIVE_UP_MS has passed: one tenant's
 * forwarding is interrupted at a time, for as long as a router takes to
 * start and take its sockets.
 *
 * The loop is never held: each step is a tick's work (upgrade_tick).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "agent.h"
#include "fs.h"
#include "log.h"
#include "naming.h"
#include "session.h"
#include "store.h"
#include "supervise.h"
#include "upgrade.h"

/* Where the template puts the router in the rootfs. */
#define ROUTER_REL "usr/sbin/tenet-router"
/* A router that says nothing this long after tenetd started is not waited
 * for: the binary is installed for its next start. */
#define UPG_WAIT_UP_MS 5000
#define UPG_KILL_MS 1000
#define UPG_GIVE_UP_MS 15000

enum upg_phase { U_IDLE, U_WAIT_UP, U_WAIT_NEW };

struct upgrade {
	int src; /* the router beside tenetd, open */
	uint32_t *ids; /* the tenants to do, in id order */
	size_t n, next;
	enum upg_phase ph;
	uint32_t cur;
	unsigned int fresh0;
	int pidfd; /* the old router's (a dup), -1 once gone */
	int64_t since, stopped;
	bool killed;
	unsigned int replaced, installed, failed;
	int64_t last_ms, max_ms;
};

/* FNV-1a, 64 bits, of the file's bytes: which build, not a secret. */
static int build_of(int fd, char *out, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	off_t off = 0;
	ssize_t r;

	while ((r = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
		off += r;
	}
	if (r < 0)
		return -errno;
	snprintf(out, n, "%016llx", (unsigned long long)h);
	return 0;
}

int upgrade_init(struct tenetd *d)
{
	/* Beside tenetd in a build tree, in ../bin once installed. */
	static const char *const where[] = { "%s/tenet-router",
					     "%s/../bin/tenet-router" };
	struct upgrade *u = calloc(1, sizeof(*u));
	char *path = d->router_path;
	int err;

	if (!u)
		return -ENOMEM;
	u->src = -1;
	u->pidfd = -1;
	d->upg = u;
	*d->router_build = '\0';
	*path = '\0';
	for (size_t i = 0; *d->exe_dir && i < 2 && !*path; i++) {
		snprintf(path, sizeof(d->router_path), where[i], d->exe_dir);
		if (access(path, X_OK))
			*path = '\0';
	}
	if (!*path)
		return 0; /* the template finds its own: no build known */
	u->src = open(path, O_RDONLY | O_CLOEXEC);
	if (u->src < 0)
		return -errno;
	err = build_of(u->src, d->router_build, sizeof(d->router_build));
	if (err)
		tn_warn("%s: %s: routers are not upgraded\n", path,
			strerror(-err));
	return 0;
}

struct plan_ctx {
	struct tenetd *d;
	int err;
};

static int plan_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct plan_ctx *c = arg;
	struct upgrade *u = c->d->upg;
	char build[TN_STORE_NAME_MAX + 1];
	uint32_t *ids;

	if (t->state == TN_STATE_CREATING || t->state == TN_STATE_DELETING ||
	    tn_store_router_build(c->d->st, t->id, build) ||
	    !strcmp(build, c->d->router_build))
		return 0;
	ids = realloc(u->ids, (u->n + 1) * sizeof(*ids));
	if (!ids) {
		c->err = -ENOMEM;
		return 1;
	}
	u->ids = ids;
	u->ids[u->n++] = t->id;
	return 0;
}

void upgrade_plan(struct tenetd *d)
{
	struct plan_ctx c = { .d = d };

	if (!*d->router_build)
		return;
	tn_store_tenant_list(d->st, plan_cb, &c);
	if (c.err)
		tn_err("planning the routers' upgrade: %s\n", strerror(-c.err));
	else if (d->upg->n)
		tn_info("%zu tenant(s) run a router of another build than %s:"
			" replacing them one at a time\n",
			d->upg->n, d->router_build);
}

static bool gone(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd < 0 || poll(&p, 1, 0) != 0;
}

static void signal_old(struct upgrade *u, int sig)
{
	if (!gone(u->pidfd))
		syscall(SYS_pidfd_send_signal, u->pidfd, sig, NULL, 0);
}

static void finish(struct tenetd *d, const char *name, bool ok)
{
	struct upgrade *u = d->upg;

	if (u->pidfd >= 0)
		close(u->pidfd);
	u->pidfd = -1;
	u->ph = U_IDLE;
	if (ok && tn_store_set_router_build(d->st, u->cur, d->router_build))
		tn_warn("tenant %s: recording its router build failed\n", name);
	if (!ok)
		u->failed++;
	if (u->next == u->n)
		tn_info("routers upgraded: %u replaced, %u installed for their"
			" next start, %u failed\n",
			u->replaced, u->installed, u->failed);
}

/* The binary into the container; the old router stopped, if it runs. */
static void replace(struct tenetd *d, const struct tn_tenant_rec *t,
		    int64_t now)
{
	struct upgrade *u = d->upg;
	char rootfs[4096];
	int pidfd, init, err;

	rootfs_dir(d, t->name, rootfs, sizeof(rootfs));
	err = tn_install_beneath(rootfs, ROUTER_REL, u->src, 0755);
	if (err) {
		tn_err("tenant %s: installing the new router in %s/%s: %s\n",
		       t->name, rootfs, ROUTER_REL, strerror(-err));
		finish(d, t->name, false);
		return;
	}
	u->stopped = now;
	u->killed = false;
	if (session_state(d, t->id, &u->fresh0, &pidfd)) {
		u->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 0);
		u->ph = U_WAIT_NEW;
		signal_old(u, SIGTERM);
		return;
	}
	/* No router of its is connected (none runs, or one that cannot
	 * talk to this tenetd): its init restarts whatever runs (SIGHUP,
	 * lxc-templates/README), with the new binary. */
	init = supervise_init_fd(d, t->id);
	if (init >= 0 &&
	    !syscall(SYS_pidfd_send_signal, init, SIGHUP, NULL, 0)) {
		u->ph = U_WAIT_NEW;
		return;
	}
	tn_info("tenant %s: new router installed; its container is not"
		" running: it takes it at its next start\n",
		t->name);
	u->installed++;
	finish(d, t->name, true);
}

void upgrade_tick(struct tenetd *d, int64_t now)
{
	struct upgrade *u = d->upg;
	struct tn_tenant_rec t;
	unsigned int fresh;
	int pidfd;
	bool up;

	if (!u || !*d->router_build)
		return;
	if (u->ph == U_IDLE) {
		if (u->next == u->n)
			return;
		u->cur = u->ids[u->next++];
		u->ph = U_WAIT_UP;
		u->since = now;
	}
	if (tn_store_tenant_get(d->st, u->cur, &t)) {
		if (u->pidfd >= 0) /* deleted meanwhile */
			close(u->pidfd);
		u->pidfd = -1;
		u->ph = U_IDLE;
		return;
	}
	up = session_state(d, u->cur, &fresh, &pidfd);
	switch (u->ph) {
	case U_WAIT_UP:
		/* Its router reconnects first (a resume), to be stopped
		 * through its session, SIGKILL behind; one that does not
		 * within UPG_WAIT_UP_MS is restarted through its init. */
		if (up || now - u->since >= UPG_WAIT_UP_MS)
			replace(d, &t, now);
		break;
	case U_WAIT_NEW:
		if (up && fresh > u->fresh0) {
			u->last_ms = now - u->stopped;
			if (u->last_ms > u->max_ms)
				u->max_ms = u->last_ms;
			u->replaced++;
			tn_info("tenant %s: router replaced by build %s, up"
				" %lld ms after the old one was stopped\n",
				t.name, d->router_build, (long long)u->last_ms);
			finish(d, t.name, true);
		} else if (now - u->stopped >= UPG_GIVE_UP_MS) {
			tn_err("tenant %s: the new router did not come up"
			       " within %d s (the container's"
			       " run/tenet-init.log says why)\n",
			       t.name, UPG_GIVE_UP_MS / 1000);
			finish(d, t.name, false);
		} else if (!u->killed && now - u->stopped >= UPG_KILL_MS) {
			u->killed = true;
			signal_old(u, SIGKILL);
		}
		break;
	case U_IDLE:
		break;
	}
}

void upgrade_json(struct tenetd *d, json_object *o)
{
	struct upgrade *u = d->upg;
	int pending = u ? (int)(u->n - u->next) + (u->ph != U_IDLE) : 0;

	json_object_object_add(o, "router_build",
			       json_object_new_string(d->router_build));
	json_object_object_add(o, "upgrade_pending",
			       json_object_new_int(pending));
	json_object_object_add(o, "upgrade_replaced",
			       json_object_new_int(u ? (int)u->replaced : 0));
	json_object_object_add(o, "upgrade_installed",
			       json_object_new_int(u ? (int)u->installed : 0));
	json_object_object_add(o, "upgrade_failed",
			       json_object_new_int(u ? (int)u->failed : 0));
	json_object_object_add(o, "upgrade_max_ms",
			       json_object_new_int64(u ? u->max_ms : 0));
}
