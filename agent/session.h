/* SPDX-License-Identifier: GPL-2.0 */
/* Routers' sessions with tenetd: see session.c. */
#ifndef TENET_SESSION_H
#define TENET_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "agent.h"

/* The nice value routers run at. */
#define TN_ROUTER_NICE (-10)

/* Listens on the tenant's router.sock (idempotent). */
int session_listen(struct tenetd *d, const struct tn_tenant_rec *t, uid_t uid);
/* Ends the session: the router's sockets leave the XSKMAP. */
void session_close(struct tenetd *d, uint32_t id);
/* The sessions' descriptors for poll(); owner[i] is p[i]'s tenant id. */
int sessions_pollfds(struct tenetd *d, struct pollfd *p, uint32_t *owner,
		     int max);
void sessions_handle(struct tenetd *d, const struct pollfd *p,
		     const uint32_t *owner, int n);
/* Supervision without asking LXC each second: a pidfd on the container's
 * init. alive is false when it exited, or when nothing is known. */
void session_watch_init(struct tenetd *d, uint32_t id, pid_t pid);
bool session_init_alive(struct tenetd *d, uint32_t id);
/* The connected router's pid (in the agent's pid namespace), or 0. */
pid_t session_pid(struct tenetd *d, uint32_t id);
/* Containers supervision started again, since the agent started. */
void session_count_ct_restart(struct tenetd *d, uint32_t id);
unsigned int session_ct_restarts(struct tenetd *d, uint32_t id);
/* The router: {"connected", "pid", "sockets", "connects", "restarts"}. */
json_object *session_json(struct tenetd *d, const struct tn_tenant_rec *t);

#endif
