/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tenetd's rooms share: the daemon's state, a request being served
 * (its arguments already checked against the command table,
 * lib/ctl_cmds.c), and the helpers of agent.c every room uses: one
 * sentence for a refusal, a pinned map's entry, a map's counters.
 *
 * The database is not here: only the files that query or change it include
 * store.h; the records they hand on are in records.h.
 */
#ifndef TENET_AGENT_H
#define TENET_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <json-c/json.h>

struct tn_ctl_hold;

#include "grammar.h"
#include "validate.h"

/* Linux 6.16: a unix socket that refuses SCM_RIGHTS (Debian 12's headers
 * are older). */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

struct tn_store;

struct tenetd {
	const char *state_dir, *run_dir, *bpffs, *lxc_path, *template;
	char exe_dir[4096]; /* where this tenetd is: tenet-router beside it */
	char db_path[512], sock_path[512], lock_path[512];
	struct tn_store *st;
	int lock_fd;
	/* Its database's instance, and the mark it puts on what it makes
	 * outside the database (link aliases, marks of containers, its
	 * tenants' socket dir): the sweep removes only what carries it. */
	uint64_t instance;
	char mark[32];
	time_t started;
	struct session **sess; /* by tenant id: its router's session */
	struct sup **sup; /* by tenant id: its container's supervision */
	struct control *ctl; /* the control socket and its clients */
	unsigned int host_cores;
	bool cgroup2; /* unified hierarchy: lxc.cgroup2.* keys */
	bool passrights; /* routers may not pass descriptors (SO_PASSRIGHTS) */
	uint32_t id_base; /* tenants' uid/gid ranges start here (naming.h) */
	/* --group: its members may use the control socket (0660); -1: root
	 * alone (0600). */
	gid_t ctl_gid;
	/* The tenet-router new containers get and older ones are upgraded
	 * to, and its build ("" if none found: the template finds its own,
	 * and nothing is upgraded; upgrade.h). */
	char router_path[4096 + 32];
	char router_build[24];
	struct upgrade *upg;
	/* the loop (loop.h) */
	int epfd;
	bool in_batch;
	void **dead;
	size_t n_dead, cap_dead;
};

/*
 * A request being served: its arguments checked by tn_g_json() (types,
 * bounds, required keys, defaults), by key index: r->a.v[TN_K_RATE].
 * Strings in them are the request's, valid while it is served.
 */
struct req {
	struct tenetd *d;
	struct tn_gargs a;
	char err[TN_V_ERR_MAX];
	json_object *data;
	struct tn_ctl_hold *hold; /* control.h: a reply that keeps its client */
};

/* Writes the sentence into r->err and returns err. */
int req_fail(struct req *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A pinned map of the agent's bpffs dir: update (v) or delete (v NULL;
 * a missing key is not an error). */
int map_set(struct tenetd *d, const char *map, const void *k, const void *v);
/* Counters of one entry of a per-CPU tn_stats map, as JSON. */
json_object *stats_json(struct tenetd *d, const char *map, uint32_t key);

#endif
