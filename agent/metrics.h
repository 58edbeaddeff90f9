/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics: tenetd --metrics ADDR:PORT serves GET /metrics in the
 * text exposition format (0.0.4) from a thread of libmicrohttpd's, never
 * from the loop: a scrape, however slow or however many, costs the control
 * socket nothing. What the thread needs of tenetd's own state (the tenants
 * and NICs of the database, whose routers are up) it takes from a snapshot
 * the loop makes each second; counters it reads itself, at the scrape, from
 * the pinned maps, the routers' stats files and the containers' cgroups.
 */
#ifndef TENET_AGENT_METRICS_H
#define TENET_AGENT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

struct tenetd;

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (every address) into *ss. 0, or
 * -EINVAL with the reason in err. */
int metrics_parse_addr(const char *s, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t n);
/* A socket listening on addr (metrics_parse_addr's), or -errno with the
 * reason in err: made before tenetd touches anything, so that a port in
 * use fails it at once. */
int metrics_listen(const char *addr, char *err, size_t n);
/* Serves on fd (metrics_listen's, taken) from a thread of its own: after
 * daemon(). 0 or -errno, the reason logged. */
int metrics_start(struct tenetd *d, int fd, const char *addr);
/* The loop's snapshot for the next scrapes; cheap with metrics off. */
void metrics_refresh(struct tenetd *d);
void metrics_stop(struct tenetd *d);

/* For tests. The cgroup dir of controller ctrl ("" on v2) of container
 * name, from /proc/PID/cgroup's text: the path cut after
 * "/lxc.payload.NAME" (or NAME-N: LXC's name for a second cgroup of that
 * name), under /sys/fs/cgroup[/CTRL]. 0, -ENOENT, -ENAMETOOLONG. */
int metrics_cg_path(const char *text, const char *name, bool v2,
		    const char *ctrl, char *out, size_t n);
/* s (at most max bytes) as a label value: \ and " escaped, anything but
 * printable ASCII as '?'. */
void metrics_lval(FILE *f, const char *s, size_t max);

#endif
