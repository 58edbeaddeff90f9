// SPDX-License-Identifier: GPL-2.0
/* Tenants' containers watched and started again: see supervise.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "agent.h"
#include "container.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "supervise.h"
#include "tenant_row.h"

/* A container that ran this long had a good start: back-off starts
 * over. */
#define GOOD_RUN_MS 60000

struct sup {
	int init_fd;
	pid_t init_pid;
	unsigned int restarts; /* since the agent started */
	pid_t child; /* a start in flight */
	struct tn_watch cw; /* its pidfd */
	int64_t child_deadline;
	int64_t next_try, backoff_ms, last_try;
	uint32_t id;
};

static struct sup *sup_of(struct tenetd *d, uint32_t id, bool make)
{
	struct sup *s;

	if (!id || id >= TN_MAX_TENANTS)
		return NULL;
	s = d->sup[id];
	if (s || !make)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->init_fd = s->cw.fd = -1;
	s->id = id;
	s->backoff_ms = TN_SUP_BACKOFF_MIN_MS;
	d->sup[id] = s;
	return s;
}

void supervise_watch_init(struct tenetd *d, uint32_t id, pid_t pid)
{
	struct sup *s = sup_of(d, id, true);

	if (!s)
		return;
	if (s->init_fd >= 0)
		close(s->init_fd);
	s->init_fd = (int)syscall(SYS_pidfd_open, pid, 0);
	s->init_pid = s->init_fd >= 0 ? pid : 0;
}

static bool init_alive(struct sup *s)
{
	struct pollfd p;

	if (!s || s->init_fd < 0)
		return false;
	/* A pidfd turns readable when its process exits. */
	p = (struct pollfd){ .fd = s->init_fd, .events = POLLIN };
	return poll(&p, 1, 0) == 0;
}

int supervise_init_fd(struct tenetd *d, uint32_t id)
{
	struct sup *s = sup_of(d, id, false);

	return init_alive(s) ? s->init_fd : -1;
}

pid_t supervise_init_pid(struct tenetd *d, uint32_t id)
{
	struct sup *s = sup_of(d, id, false);

	return init_alive(s) ? s->init_pid : 0;
}

unsigned int supervise_restarts(struct tenetd *d, uint32_t id)
{
	struct sup *s = sup_of(d, id, false);

	return s ? s->restarts : 0;
}

json_object *supervise_json(struct tenetd *d, uint32_t id)
{
	struct sup *s = sup_of(d, id, false);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "starting",
			       json_object_new_boolean(s && s->child > 0));
	json_object_object_add(
		o, "backoff_ms",
		json_object_new_int64(s ? s->backoff_ms :
					  TN_SUP_BACKOFF_MIN_MS));
	return o;
}

/* The child's end: the rest of the bring-up, in the loop. */
static void on_child(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct sup *s = (struct sup *)((char *)w - offsetof(struct sup, cw));
	struct tn_tenant_rec t;
	char why[TN_V_ERR_MAX];
	int status = 0, fd = w->fd;

	(void)ev;
	if (waitpid(s->child, &status, WNOHANG) != s->child)
		return; /* not yet: a spurious wake-up */
	tn_watch_del(d, w);
	close(fd);
	s->child = 0;
	if (tn_store_tenant_get(d->st, s->id, &t))
		return; /* deleted meanwhile */
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		tn_warn("tenant %s: container did not start (%s %d); next try"
			" in %lld s\n",
			t.name, WIFEXITED(status) ? "status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) :
					    WTERMSIG(status),
			(long long)(s->next_try - tn_now_ms() + 999) / 1000);
		return;
	}
	if (tenant_row_up(d, &t, why, sizeof(why)))
		tn_err("tenant %s: cannot restore: %s\n", t.name, why);
	else
		tn_info("tenant %s: container running again\n", t.name);
}

int supervise_start(struct tenetd *d, const struct tn_tenant_rec *t, char *err,
		    size_t n)
{
	struct sup *s = sup_of(d, t->id, true);
	int64_t now = tn_now_ms();
	int ret, fd;
	pid_t pid;

	if (!s)
		return -ENOMEM;
	if (s->child > 0)
		return 0;
	/* Crash-looping (the last try was within a good run's time): each
	 * start waits twice as long as the last. */
	if (s->last_try && now - s->last_try < s->backoff_ms + GOOD_RUN_MS)
		s->backoff_ms = s->backoff_ms * 2 > TN_SUP_BACKOFF_MAX_MS ?
					TN_SUP_BACKOFF_MAX_MS :
					s->backoff_ms * 2;
	else
		s->backoff_ms = TN_SUP_BACKOFF_MIN_MS;
	s->last_try = now;
	s->next_try = now + s->backoff_ms;
	if (!tn_ct_unprivileged(d->lxc_path, t->name)) {
		snprintf(err, n,
			 "container %s has no user namespace (made by an older"
			 " tenetd): not started; re-create the tenant",
			 t->name);
		return -EPERM;
	}
	/* Its links and maps, which the start needs, first. */
	ret = tenant_row_prepare(d, t, err, n);
	if (ret)
		return ret;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		char msg[256];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		ret = tn_ct_start(d->lxc_path, t->name, msg, sizeof(msg));
		if (ret)
			tn_warn("tenant %s: %s\n", t->name, msg);
		_exit(ret ? 1 : 0);
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 || tn_watch_add(d, &s->cw, fd, EPOLLIN, on_child)) {
		ret = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (fd >= 0)
			close(fd);
		return ret;
	}
	s->child = pid;
	s->child_deadline = now + TN_SUP_START_MS;
	return 0;
}

void supervise_forget(struct tenetd *d, uint32_t id)
{
	struct sup *s = sup_of(d, id, false);
	int fd;

	if (!s)
		return;
	if (s->child > 0) {
		kill(s->child, SIGKILL);
		waitpid(s->child, NULL, 0);
	}
	fd = s->cw.fd;
	tn_watch_del(d, &s->cw);
	if (fd >= 0)
		close(fd);
	if (s->init_fd >= 0)
		close(s->init_fd);
	tn_loop_free(d, s);
	d->sup[id] = NULL;
}

struct tick_ctx {
	struct tenetd *d;
	int64_t now;
};

static int tick_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct tick_ctx *c = arg;
	struct tenetd *d = c->d;
	struct sup *s = sup_of(d, t->id, true);
	char state[32], why[TN_V_ERR_MAX];
	pid_t pid;

	/* LXC is asked only when the init's pidfd says it is gone (or
	 * there is none): the check runs every second for every tenant. */
	if (!s || t->state != TN_STATE_READY || init_alive(s) || s->child > 0 ||
	    c->now < s->next_try ||
	    tn_ct_state(d->lxc_path, t->name, state, sizeof(state), &pid))
		return 0;
	if (pid > 0) { /* running: someone else started it */
		supervise_watch_init(d, t->id, pid);
		return 0;
	}
	s->restarts++;
	tn_warn("tenant %s: container %s: starting it again (restart %u)\n",
		t->name, state, s->restarts);
	if (supervise_start(d, t, why, sizeof(why)))
		tn_err("tenant %s: cannot restore: %s\n", t->name, why);
	return 0;
}

void supervise_tick(struct tenetd *d, int64_t now)
{
	struct tick_ctx c = { d, now };

	for (uint32_t id = 1; id < TN_MAX_TENANTS; id++) {
		struct sup *s = d->sup[id];

		if (s && s->child > 0 && now >= s->child_deadline) {
			tn_warn("tenant id %u: container start took over %d"
				" s: killed\n",
				id, TN_SUP_START_MS / 1000);
			kill(s->child, SIGKILL); /* on_child reaps it */
		}
	}
	tn_store_tenant_list(d->st, tick_cb, &c);
}
