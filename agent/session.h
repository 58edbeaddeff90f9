/* SPDX-License-Identifier: GPL-2.0 */
/* Routers' sessions with tenetd: see session.c. */
#ifndef TENET_SESSION_H
#define TENET_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "records.h"

struct tenetd;

/* The nice value routers run at. */
#define TN_ROUTER_NICE (-10)
/* Each step of a handoff (hello, the answers) must come within this. */
#define TN_SESS_STEP_MS 1000
/* Connections a tenant may make: a burst, then one per interval. */
#define TN_SESS_BURST 4
#define TN_SESS_REFILL_MS 1000

/* Listens on the tenant's router.sock (idempotent); the socket dir goes to
 * the router's uid:gid. */
int session_listen(struct tenetd *d, const struct tn_tenant_rec *t, uid_t uid,
		   gid_t gid);
/* Ends the session: the router's sockets leave the XSKMAP. */
void session_close(struct tenetd *d, uint32_t id);
/* Deadlines, held NIC queues tried again, accepting again. */
void sessions_tick(struct tenetd *d, int64_t now);
/* t's rate, pps and burst to its router, now or once it is up (lib/
 * handoff.h's "limits"); never waits on it. */
void session_limits(struct tenetd *d, const struct tn_tenant_rec *t);
/* The connected router's pid (in the agent's pid namespace), or 0. */
pid_t session_pid(struct tenetd *d, uint32_t id);
/* Whether id's router is up; *fresh gets the handoffs it has had since
 * tenetd started that were not resumes (a new router each), *pidfd the up
 * router's pidfd (the session's: not to be closed) or -1. */
bool session_state(struct tenetd *d, uint32_t id, unsigned int *fresh,
		   int *pidfd);
/* The router: {"connected", "pid", "sockets", "connects" (hellos),
 * "accepted" (connections), "refused" (dropped for breaking the protocol
 * or a deadline), "limits_sent", "limits_due", "restarts" (by its
 * init)}. */
json_object *session_json(struct tenetd *d, const struct tn_tenant_rec *t);
/* The NIC queues' sockets on ifname of the routers connected since we
 * started, as we bound them (nic list, where the kernel cannot list its
 * AF_XDP sockets: no xsk_diag, as in Debian 12's 6.1): objects of queue,
 * tenant, zerocopy, mode, tx_ring, umem_bytes into arr. */
void session_nic_xsks(struct tenetd *d, const char *ifname, json_object *arr);

#endif
