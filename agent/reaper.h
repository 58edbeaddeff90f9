/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Closing what a tenant handed us, where a blocked close cannot stall
 * tenetd.
 *
 * close() can block for as long as the tenant likes: a TCP socket with
 * SO_LINGER {1, T} and a full send queue (measured: T seconds), a FUSE file
 * whose daemon does not answer FLUSH, a tty draining. The last reference to
 * a file is dropped in the context of whoever drops it: the thread that
 * closes the descriptor, or that closes a unix socket still queueing
 * messages with descriptors in them. So every descriptor a router sent, and
 * every connection and listening socket a router can send on, is closed
 * here, by worker threads, never by the main loop.
 *
 * Jobs carry their owner (a tenant id): a worker takes one owner's jobs one
 * at a time, so a tenant whose close hangs holds one worker, never the
 * others' closes. Workers are added while owners wait, up to
 * TN_REAPER_MAX_WORKERS; each has a small stack.
 */
#ifndef TENET_AGENT_REAPER_H
#define TENET_AGENT_REAPER_H

#include <stdint.h>

#define TN_REAPER_MAX_WORKERS 64

/* Starts the first worker. 0 or -errno. */
int tn_reaper_init(void);
/* Closes fd off the main loop (at once, on this thread, when the reaper
 * could not take it: out of memory, or before tn_reaper_init()). */
void tn_reap(int fd, uint32_t owner);
/* Descriptors of owner not yet closed (queued or being closed). */
unsigned int tn_reaper_pending(uint32_t owner);
/* Everything queued is closed, or timeout_ms has passed: 0 or -ETIMEDOUT.
 * For tests and a clean stop. */
int tn_reaper_drain(int timeout_ms);

#endif
