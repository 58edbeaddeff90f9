/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Supervision of tenants' containers, without waiting on any of them.
 *
 * Each container's init is watched through a pidfd (no LXC call while it
 * lives). A container found stopped is started again by a child process,
 * under a deadline, while the loop goes on; the rest of its bring-up
 * (tenant_up) runs when the child reports. A container that keeps dying
 * waits longer each time: 1 s, doubled per restart up to 60 s, back to 1 s
 * once one has run for a minute. What the tenant's init does (exit at once,
 * hang, ignore signals) costs tenetd one child at a time, nothing more.
 */
#ifndef TENET_AGENT_SUPERVISE_H
#define TENET_AGENT_SUPERVISE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "records.h"

struct tenetd;

#define TN_SUP_BACKOFF_MIN_MS 1000
#define TN_SUP_BACKOFF_MAX_MS 60000
/* A start that has not finished by then is killed. */
#define TN_SUP_START_MS 25000

/* The init of the container, pid as LXC gives it, watched by a pidfd. */
void supervise_watch_init(struct tenetd *d, uint32_t id, pid_t pid);
/* The pidfd (-1: none) and pid (0: none) of a living init. */
int supervise_init_fd(struct tenetd *d, uint32_t id);
pid_t supervise_init_pid(struct tenetd *d, uint32_t id);
/* Each second: every ready tenant whose container stopped is started again,
 * when its back-off allows. */
void supervise_tick(struct tenetd *d, int64_t now);
/* Starts t's container (defined, not running) in a child, then brings the
 * tenant up: for reconcile and supervision. 0 or -errno; err says why. */
int supervise_start(struct tenetd *d, const struct tn_tenant_rec *t, char *err,
		    size_t n);
/* The tenant is gone: a start in flight is killed, the pidfd closed. */
void supervise_forget(struct tenetd *d, uint32_t id);
/* {"starting", "backoff_ms"}: a start in flight, the wait before the
 * next. */
json_object *supervise_json(struct tenetd *d, uint32_t id);
unsigned int supervise_restarts(struct tenetd *d, uint32_t id);

#endif
