/* SPDX-License-Identifier: GPL-2.0 */
/* tenetctl capture, tenetd's side: capture.c. */
#ifndef TENET_AGENT_CAPTURE_H
#define TENET_AGENT_CAPTURE_H

#include <stdint.h>

struct tenetd;
struct req;

/* capture NAME [port ROLE] [duration S] [cap N] [snaplen N]: the ring,
 * handed over with the reply, which holds the client (control.h) for
 * the capture's life. */
int do_capture(struct req *r);
/* Ends the capture of tenant id, if any: its tenant is going. */
void capture_tenant_gone(struct tenetd *d, uint32_t id);
/* At start-up: turns off the captures an earlier tenetd left on (their
 * readers went with it). */
void capture_reset(struct tenetd *d);

#endif
