// SPDX-License-Identifier: GPL-2.0
/* tenetd's epoll set: see loop.h. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "loop.h"

#define EVENTS_PER_WAIT 256

int64_t tn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tn_loop_init(struct tenetd *d)
{
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	return d->epfd < 0 ? -errno : 0;
}

int tn_watch_add(struct tenetd *d, struct tn_watch *w, int fd, uint32_t events,
		 tn_watch_fn fn)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	w->fd = fd;
	w->fn = fn;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		w->fd = -1;
		return -errno;
	}
	return 0;
}

int tn_watch_set(struct tenetd *d, struct tn_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (w->fd < 0)
		return -EBADF;
	return epoll_ctl(d->epfd, EPOLL_CTL_MOD, w->fd, &ev) ? -errno : 0;
}

void tn_watch_del(struct tenetd *d, struct tn_watch *w)
{
	if (w->fd < 0)
		return;
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
}

void tn_loop_once(struct tenetd *d, int timeout_ms)
{
	struct epoll_event ev[EVENTS_PER_WAIT];
	int n = epoll_wait(d->epfd, ev, EVENTS_PER_WAIT, timeout_ms);

	/* A callback may remove a watch that is later in this batch: it is
	 * marked (fd -1) and skipped, and its memory kept until the batch is
	 * over (tn_loop_free). */
	d->in_batch = true;
	for (int i = 0; i < n; i++) {
		struct tn_watch *w = ev[i].data.ptr;

		if (w->fd >= 0)
			w->fn(d, w, ev[i].events);
	}
	d->in_batch = false;
	for (size_t i = 0; i < d->n_dead; i++)
		free(d->dead[i]);
	d->n_dead = 0;
}

void tn_loop_free(struct tenetd *d, void *p)
{
	if (!p)
		return;
	if (d->in_batch && d->n_dead == d->cap_dead) {
		size_t cap = d->cap_dead ? d->cap_dead * 2 : 64;
		void **v = realloc(d->dead, cap * sizeof(*v));

		if (v) {
			d->dead = v;
			d->cap_dead = cap;
		}
	}
	if (d->in_batch && d->n_dead < d->cap_dead)
		d->dead[d->n_dead++] = p;
	else if (!d->in_batch)
		free(p);
	/* else: out of memory in a batch; leaking beats a use after free */
}
