/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's control socket (include/tenet/ctl.h), served without waiting on
 * any client: each connection is a small state machine (read the request,
 * then write the reply) with a deadline, so a client that is silent, slow,
 * or stops reading delays no other, and replies of any size go out as the
 * client takes them. Requests themselves are served one at a time, in the
 * loop (tenetd_request() in main.c).
 */
#ifndef TENET_AGENT_CONTROL_H
#define TENET_AGENT_CONTROL_H

#include <stdint.h>
#include <json-c/json.h>

struct tenetd;

/* The whole request must arrive within this; a client that takes none of
 * its reply for this long is dropped. */
#define TN_CTL_READ_MS 5000
#define TN_CTL_WRITE_MS 10000
/* Clients at once; more wait in the listen backlog. */
#define TN_CTL_CLIENTS_MAX 4096

/* Makes d->sock_path (0600, or 0660 of d->ctl_gid), listens and watches
 * it. 0 or -errno. */
int control_listen(struct tenetd *d);
/* Deadlines of clients, and accepting again after a pause. */
void control_tick(struct tenetd *d, int64_t now);
/* Every client dropped, the socket closed and removed. */
void control_close(struct tenetd *d);
/* Clients connected now. */
unsigned int control_clients(struct tenetd *d);

/* main.c: the reply to one request; err is the reading's (-EMSGSIZE,
 * -EBADMSG, ...), with req NULL then. */
json_object *tenetd_request(struct tenetd *d, json_object *req, int err);

#endif
