/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the tenant files (tenant.c, tenant_dp.c, reconcile.c): what
 * crosses between them. The public API is in agent.h.
 */
#ifndef TENET_AGENT_TENANT_H
#define TENET_AGENT_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"
#include "store.h"

/* Below this a container dies starting (and liblxc waits for it). */
#define TN_MEMORY_MIN (32ULL << 20)
/*
 * Each container runs in a user namespace of its own: uids and gids 0 ..
 * TN_ID_RANGE-1 inside are tenant_id_base() + the same outside, a range of
 * no other tenant and of nothing in /etc/subuid or /etc/subgid (checked at
 * start, agent/ids.c). The router is TN_ROUTER_UID inside, so a uid of its
 * own outside: locked memory (its UMEM) is counted per user, against a
 * limit that cannot be raised here.
 */
#define TN_ID_RANGE 65536u
#define TN_ROUTER_UID 1000u

static inline uint32_t tenant_id_base(const struct tenetd *d, uint32_t id)
{
	return d->id_base + id * TN_ID_RANGE;
}

static inline uint32_t router_host_uid(const struct tenetd *d, uint32_t id)
{
	return tenant_id_base(d, id) + TN_ROUTER_UID;
}

#define CT_ACCESS "access0"
#define CT_UPLINK "uplink0"

/* Static routes of the tenant, in its container's FIB. */
struct route_ctx {
	bool add;
	const struct tn_route_rec *r;
};

/* tenant_dp.c: names */
void veth_name(char *buf, uint32_t id, int role, bool peer);
void sock_dir(struct tenetd *d, const char *name, char *buf, size_t n);
void derived_mac(uint32_t id, uint8_t mac[6]);
void mac_str(const uint8_t m[6], char *buf);
int ifindex_of(const char *name);

/* tenant_dp.c: kernel helpers */
int in_netns(pid_t pid, int (*fn)(void *arg), void *arg);
int in_netns_fd(int fd, int (*fn)(void *arg), void *arg);
int route_in(void *arg); /* arg: a struct route_ctx */

/* tenant_dp.c: bring-up and teardown */
int tenant_up(struct tenetd *d, const struct tn_tenant_rec *t, char *err_buf,
	      size_t n);
/* What tenant_up() makes before the container starts (its links, maps,
 * router socket): for a start done elsewhere (supervise.c). */
int tenant_prepare(struct tenetd *d, const struct tn_tenant_rec *t,
		   char *err_buf, size_t n);
int tenant_down(struct tenetd *d, const struct tn_tenant_rec *t);
void ports_down(struct tenetd *d, uint32_t id);
/* Direct mode: frees tn_qowner slot key if id owns it and takes its
 * socket out of tn_nic_xsks. */
void direct_queue_free(struct tenetd *d, __u32 key, uint32_t id);
/* Removes the tn_local entries of every tenant id keep() says no to. */
void direct_local_sweep(struct tenetd *d,
			bool (*keep)(struct tenetd *d, uint32_t id, void *arg),
			void *arg);
void rx_pins_down(struct tenetd *d, uint32_t id);

#define TN_POLICER_BURST_US 20000

/* Both ports' policers (0: no limit), rewritten only where they change. */
int policers_set(struct tenetd *d, uint32_t id, uint64_t bps, uint64_t pps);

#endif
