/* SPDX-License-Identifier: GPL-2.0 */
/* Links over rtnetlink (libmnl): 0 or the kernel's -errno. Names must be
 * 1..15 bytes (-EINVAL otherwise). */
#ifndef TENET_NL_H
#define TENET_NL_H

#include <stdbool.h>
#include <stdint.h>

/* A veth pair name <-> peer; the peer goes into the netns of peer_netns_fd
 * (-1: stays here); mtu 0 keeps the default. -EEXIST if either name is
 * taken. */
int tn_nl_veth_add(const char *name, const char *peer, int peer_netns_fd,
		   unsigned int mtu);
/* Removes a link (a veth takes its peer with it). -ENODEV if absent. */
int tn_nl_link_del(const char *name);
int tn_nl_link_up(const char *name, bool up);
int tn_nl_link_set_mac(const char *name, const uint8_t mac[6]);
/* The link's alias (IFLA_IFALIAS): tenetd marks what it makes with it. */
int tn_nl_link_set_alias(const char *name, const char *alias);
/* Its alias into buf ("" if none); -ENODEV if there is no such link. */
int tn_nl_link_alias(const char *name, char *buf, size_t n);
/* How many receive queues the link has. */
int tn_nl_link_rx_queues(const char *name, unsigned int *n);
/* One SIOCETHTOOL request: cmd is the struct ethtool_* it starts with. */
int tn_ethtool(const char *ifname, void *cmd);
/* A static unicast route in the main table of the current netns: dst/len
 * via the gateway via (both of family's size). -EEXIST when add finds
 * one, -ESRCH when del finds none. */
int tn_nl_route(bool add, int family, const uint8_t *dst, unsigned int len,
		const uint8_t *via);

/* An AF_XDP socket bound to a queue, as sock_diag says (ss --xdp). */
struct tn_xsk_diag {
	uint32_t ino;
	uint32_t ifindex, queue;
	uint32_t umem_id;
	uint64_t umem_size;
	bool zerocopy; /* its UMEM's mode on that queue */
	bool rx_ring, tx_ring;
};

/* cb for every bound AF_XDP socket of the current netns; a non-zero return
 * stops the walk and is returned. 0 or -errno. */
int tn_nl_xsk_list(int (*cb)(const struct tn_xsk_diag *x, void *arg),
		   void *arg);

#endif
