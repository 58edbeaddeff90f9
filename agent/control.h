/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's control socket (include/tenet/ctl.h), served without waiting on
 * any client: each connection is a small state machine (read the request,
 * then write the reply) with a deadline, so a client that is silent, slow,
 * or stops reading delays no other, and replies of any size go out as the
 * client takes them. Requests themselves are served one at a time, in the
 * loop (tenetd_request() in main.c). A reply may hand the client a
 * descriptor and keep its connection (struct tn_ctl_hold).
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

/*
 * A reply that keeps its connection (tenetctl capture): the request's
 * handler fills it in. fd goes with the reply's first bytes (SCM_RIGHTS)
 * and is closed here. Then the client is held, its connection the life of
 * what ctx stands for, until one of: it sends a line (why 0), it goes
 * away (-EPIPE), until passes (-ETIME), tenetd ends it (control_hold_end)
 * or shuts down (-ESHUTDOWN). end is called once, then: its reply, if
 * any, is the client's last (not sent to one that went away).
 */
struct tn_ctl_hold {
	int fd; /* -1: none */
	void *ctx; /* NULL: not held; the connection closes after the reply */
	int64_t until; /* tn_now_ms(); 0: no end of its own */
	json_object *(*end)(struct tenetd *d, void *ctx, int why);
};

/* Ends the hold of ctx, if a client holds it, with why. */
void control_hold_end(struct tenetd *d, void *ctx, int why);

/* main.c: the reply to one request; err is the reading's (-EMSGSIZE,
 * -EBADMSG, ...), with req NULL then. hold starts as none (fd -1, ctx
 * NULL). */
json_object *tenetd_request(struct tenetd *d, json_object *req, int err,
			    struct tn_ctl_hold *hold);

#endif
