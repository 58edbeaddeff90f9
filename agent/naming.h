/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tenetd calls a tenant's things and where it finds them, in one
 * place: the host and container names of its links, its socket dir, pin
 * dir and rootfs, its uplink MAC, the ids of its user namespace; and how
 * tenetd steps into its netns. Every room names things through here, so a
 * name is made one way, and the rooms that make a tenant's sockets
 * (session.c) and its data path (tenant_dp.c) need not include each other.
 */
#ifndef TENET_AGENT_NAMING_H
#define TENET_AGENT_NAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "agent.h"

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

/* The router's links, inside its container. */
#define CT_ACCESS "access0"
#define CT_UPLINK "uplink0"

/* Host side tn<ID>a / tn<ID>u (role: enum tn_role); peer: the container
 * side, tn<ID>ac / tn<ID>uc until LXC moves it in as CT_ACCESS/CT_UPLINK.
 * buf: IF_NAMESIZE. */
/* The address of an interface address ADDR/LEN, host bits and all. */
int cidr_addr(const char *cidr, int *family, uint8_t addr[16]);
void veth_name(char *buf, uint32_t id, int role, bool peer);
/* <run-dir>/tenants: every tenant's socket dir is in it. */
void tenants_dir(struct tenetd *d, char *buf, size_t n);
/* <run-dir>/tenants/<name>, bind-mounted at /run/tenet in its container. */
void sock_dir(struct tenetd *d, const char *name, char *buf, size_t n);
/* <bpffs>/tenants/<id>: tenant_rx's maps in its container. */
void rx_pin_dir(struct tenetd *d, uint32_t id, char *buf, size_t n);
/* <lxc-path>/<name>/rootfs: the tenant's to write. */
void rootfs_dir(struct tenetd *d, const char *name, char *buf, size_t n);
/* Locally administered, derived from the id: 02:74:6e ("tn") + id. */
void derived_mac(uint32_t id, uint8_t mac[6]);
/* aa:bb:cc:dd:ee:ff into buf (18 bytes). */
/* The router's MAC on its access side, set by tenetd at every bring-up:
 * 06:74:6e and the 24-bit id. tenant_egress lets no other leave. */
void access_mac(uint32_t id, uint8_t mac[6]);
void mac_str(const uint8_t m[6], char *buf);
/* The link's index in the netns we are in, 0 if there is none. */
int ifindex_of(const char *name);

/* Runs fn in the netns of fd (a netns, or a pidfd: Linux 5.8), then comes
 * back; fn's return. */
int in_netns_fd(int fd, int (*fn)(void *arg), void *arg);
/* The same in the netns of process pid. */
int in_netns(pid_t pid, int (*fn)(void *arg), void *arg);

/* Marks (set) or unmarks a container of this tenetd's in its state dir
 * (made/NAME, holding the LXC path). 0 or -errno. */
int ct_mark(struct tenetd *d, const char *name, bool set);
/* Whether NAME in the LXC path is marked as this tenetd's. */
bool ct_marked(struct tenetd *d, const char *name);

#endif
