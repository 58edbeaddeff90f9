/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tenetd's rooms share: the daemon's state, a request being served,
 * and the helpers every command uses to read its arguments and say why it
 * failed (one sentence, naming the field).
 */
#ifndef TENET_AGENT_H
#define TENET_AGENT_H

#include <stdbool.h>
#include <json-c/json.h>
#include <tenet/dp.h>

#include "store.h"
#include "validate.h"

/* Linux 6.16: a unix socket that refuses SCM_RIGHTS (Debian 12's headers
 * are older). */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

struct tenetd {
	const char *state_dir, *run_dir, *bpffs, *lxc_path, *template;
	char exe_dir[4096]; /* where this tenetd is: tenet-router beside it */
	char db_path[512], sock_path[512], lock_path[512];
	struct tn_store *st;
	int lock_fd;
	time_t started;
	struct session **sess; /* by tenant id: its router's session */
	struct sup **sup; /* by tenant id: its container's supervision */
	struct control *ctl; /* the control socket and its clients */
	unsigned int host_cores;
	bool cgroup2; /* unified hierarchy: lxc.cgroup2.* keys */
	bool passrights; /* routers may not pass descriptors (SO_PASSRIGHTS) */
	uint32_t id_base; /* tenants' uid/gid ranges start here (tenant.h) */
	/* the loop (loop.h) */
	int epfd;
	bool in_batch;
	void **dead;
	size_t n_dead, cap_dead;
};

struct req {
	struct tenetd *d;
	json_object *args;
	char err[TN_V_ERR_MAX];
	json_object *data;
};

extern const char *const tn_roles[]; /* "access", "uplink" */

/* A string argument, or NULL when absent or not a string. */
const char *req_arg(struct req *r, const char *key);
/* Writes the sentence into r->err and returns err. */
int req_fail(struct req *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A keyword argument: its index, dflt when absent, or -EINVAL. */
int req_kw(struct req *r, const char *key, const char *const *allowed,
	   int dflt);

/* A pinned map of the agent's bpffs dir: update (v) or delete (v NULL;
 * a missing key is not an error). */
int map_set(struct tenetd *d, const char *map, const void *k, const void *v);
/* Counters of one entry of a per-CPU tn_stats map, as JSON. */
json_object *stats_json(struct tenetd *d, const char *map, uint32_t key);

/* agent/tenant.c */
int do_tenant_add(struct req *r);
int do_tenant_del(struct req *r);
int do_tenant_list(struct req *r);
int do_tenant_show(struct req *r);
int do_tenant_stats(struct req *r);
int do_tenant_set(struct req *r);
int do_route_add(struct req *r);
int do_route_del(struct req *r);
int do_route_list(struct req *r);
/* Start-up: make every recorded tenant whole, remove what no tenant owns. */
void tenants_reconcile(struct tenetd *d);
/* NIC flags (TN_NIC_F_*) the tenants on nic_id need. */
uint32_t tenants_nic_flags(struct tenetd *d, uint32_t nic_id);

#endif
