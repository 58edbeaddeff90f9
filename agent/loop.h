/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's one loop: every descriptor it waits on (the control socket and
 * its clients, each tenant's router socket and connection, children doing
 * slow LXC work) is a watch in one epoll set, with a callback. Nothing a
 * callback does waits on a peer: peers are state machines with deadlines,
 * checked by the ticks the loop runs (loop_tick). The set grows with what
 * is watched; there is no fixed cap on descriptors.
 */
#ifndef TENET_AGENT_LOOP_H
#define TENET_AGENT_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct tenetd;
struct tn_watch;

typedef void (*tn_watch_fn)(struct tenetd *d, struct tn_watch *w,
			    uint32_t events);

struct tn_watch {
	int fd; /* -1: not in the set */
	tn_watch_fn fn;
};

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t tn_now_ms(void);

int tn_loop_init(struct tenetd *d);
/* Adds fd with events (EPOLLIN, EPOLLOUT; 0: in the set but quiet). */
int tn_watch_add(struct tenetd *d, struct tn_watch *w, int fd, uint32_t events,
		 tn_watch_fn fn);
int tn_watch_set(struct tenetd *d, struct tn_watch *w, uint32_t events);
/* Out of the set (before its fd is closed or handed to the reaper). */
void tn_watch_del(struct tenetd *d, struct tn_watch *w);
/* free(p), or after the batch of callbacks running now: for what holds a
 * watch. */
void tn_loop_free(struct tenetd *d, void *p);
/* Waits up to timeout_ms and runs the callbacks of what is ready. */
void tn_loop_once(struct tenetd *d, int timeout_ms);

#endif
