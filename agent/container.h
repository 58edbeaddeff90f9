/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tenant containers through liblxc: create from the lxc-tenet template with
 * the tenant's links moved in (lxc.net.N.type = phys), addresses, gateway
 * and cgroup quotas; start, stop, destroy; quotas changed live; usage read.
 *
 * Every container is unprivileged: a user namespace of its own (lxc.idmap),
 * so its root holds capabilities only over the namespaces it owns (its
 * netns, its mounts), never over the host's.
 *
 * Quotas use the cgroup v1 keys (lxc.cgroup.*) on hybrid hosts and the v2
 * keys (lxc.cgroup2.*) on unified ones; tn_ct_cgroup2() tells which.
 * Functions return 0 or a negative errno; those taking err, n write one
 * sentence there, with LXC's own reason when it gives one.
 */
#ifndef TENET_CONTAINER_H
#define TENET_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "records.h"

#define TN_CT_START_TIMEOUT_S 10
#define TN_CT_STOP_TIMEOUT_S 5

struct tn_ct_net {
	const char *link; /* in the agent's netns until the container starts */
	const char *name; /* its name inside */
	unsigned int mtu; /* 0: as it is */
	const uint8_t *mac; /* NULL: as it is */
	unsigned int n_addrs;
	const char (*addrs)[TN_STORE_CIDR_MAX + 1]; /* ADDR/LEN */
	const char *gateway; /* NULL or "": none */
};

struct tn_ct_spec {
	const char *lxc_path, *name, *template;
	const char *router; /* tenet-router for the template, NULL: its own */
	unsigned int router_uid; /* the user it runs as, inside */
	/* Its user namespace: uids and gids 0..map_count-1 inside are
	 * map_base.. outside (lxc.idmap). */
	uint32_t map_base, map_count;
	unsigned int n_net;
	struct tn_ct_net net[2];
	const char *bind_dir; /* bind-mounted at /run/tenet inside */
	const struct tn_limits *limits;
	const char *cpuset; /* "" or NULL: every CPU */
};

/* True when the host runs the unified cgroup v2 hierarchy only. */
bool tn_ct_cgroup2(void);

int tn_ct_create(const struct tn_ct_spec *s, bool cgroup2, char *err, size_t n);
int tn_ct_start(const char *lxc_path, const char *name, char *err, size_t n);
/* Stops (SIGKILL to init after TN_CT_STOP_TIMEOUT_S of SIGPWR, or at once
 * when !graceful). A container that is not running is fine. */
int tn_ct_stop(const char *lxc_path, const char *name, bool graceful);
/* Stops and destroys; a container that does not exist is fine. */
int tn_ct_destroy(const char *lxc_path, const char *name);
bool tn_ct_exists(const char *lxc_path, const char *name);
/* Its config maps a user namespace (lxc.idmap). */
bool tn_ct_unprivileged(const char *lxc_path, const char *name);
/* "RUNNING", "STOPPED", ... into state; *pid the init's pid or -1. */
int tn_ct_state(const char *lxc_path, const char *name, char *state, size_t n,
		pid_t *pid);

/* Writes the quotas into the container's config and, when it runs, into
 * its cgroups. cpuset NULL: left as it is. */
int tn_ct_limits(const char *lxc_path, const char *name, bool cgroup2,
		 const struct tn_limits *l, const char *cpuset, char *err,
		 size_t n);

struct tn_ct_usage {
	uint64_t cpu_ns;
	uint64_t memory_bytes;
	uint64_t pids;
};

/* Of a running container: -ESRCH when it is not. */
int tn_ct_usage(const char *lxc_path, const char *name, bool cgroup2,
		struct tn_ct_usage *u);

#endif
