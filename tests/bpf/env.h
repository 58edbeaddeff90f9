/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A private world for BPF_PROG_RUN tests and benchmarks: the process moves
 * into its own network and mount namespaces, makes veth "NICs" there, and
 * loads the three XDP programs with unpinned maps (those of
 * bpf/shared.maps.h shared by nic_ingress and tenant_egress, as their pins
 * are).
 */
#ifndef TN_TEST_ENV_H
#define TN_TEST_ENV_H

#include <stdint.h>
#include <tenet/dp.h>
#include "frames.h"
#include "nic_ingress.skel.h"
#include "tenant_egress.skel.h"
#include "tenant_rx.skel.h"

struct xdp_env {
	int if_nic; /* "access NIC", 4 rx queues */
	int if_nic2; /* "uplink NIC" */
	int if_veth; /* a tenant's host-side veth */
	int if_veth2; /* its peer, the container side */
	int pcache_off; /* load nic_ingress with its prefix cache off */
	struct nic_ingress *ni;
	struct tenant_egress *eg;
	struct tenant_rx *rx;
};

/* The programs, and the counter maps they write (tests name them). */
enum env_prog { P_NIC, P_EGRESS, P_RX, P__MAX };
enum env_smap { S_NIC, S_PORT, S_EGRESS, S_RX, S__MAX };

int env_prog_fd(const struct xdp_env *e, enum env_prog p);
int env_stats_fd(const struct xdp_env *e, enum env_smap m);
/* One counter entry on stderr: "TITLE: rx P/B tx ... fast P/B drops
 * malformed=N ...". */
void env_print_stats(const char *title, const struct tn_stats *s);

/* Enters fresh namespaces and creates the devices, once per process.
 * Returns 0, or -errno with a reason in *why (for a SKIP). */
int env_world(struct xdp_env *e, const char **why);
/* Loads fresh copies of the programs (all maps empty). */
int env_load(struct xdp_env *e);
void env_unload(struct xdp_env *e);

/* One BPF_PROG_RUN of an XDP program. out may be NULL. */
int env_run(int prog_fd, int ifindex, uint32_t rxq, const struct frame *in,
	    struct frame *out, uint32_t *verdict, uint32_t repeat,
	    uint32_t *duration_ns);

/* An AF_XDP socket bound in copy mode to ifindex/queue, with minimal rings:
 * enough for an XSKMAP slot. Returns the fd or -errno. */
int env_xsk(int ifindex, uint32_t queue);

#endif
