/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's NICs (nic.c): the nic attach, detach and list requests, putting
 * nic_ingress back on recorded NICs at start and off unknown ones, and the
 * one writer of the NICs' map entries (tn_nics, tn_nic_dev).
 */
#ifndef TENET_AGENT_NIC_H
#define TENET_AGENT_NIC_H

#include <stdint.h>

#include "agent.h"
#include "records.h"

int do_nic_attach(struct req *r);
int do_nic_detach(struct req *r);
int do_nic_list(struct req *r);

/* Start-up: nic_ingress and its entries on every recorded NIC; NICs
 * already right are not touched. */
void nics_reconcile(struct tenetd *d);
/* Start-up: nic_ingress and its entry off the NICs no row names. */
void nics_sweep(struct tenetd *d);

/* The lookups (TN_NIC_F_*) the tenants on nic_id need, tenant except
 * (0: none) left out. */
uint32_t nic_tenant_flags(struct tenetd *d, uint32_t nic_id, uint32_t except);
/* The tn_nics entry of NIC n, at ifindex, with those flags. 0 or -errno
 * (-ENODEV: no ifindex). */
int nic_entry_set(struct tenetd *d, const struct tn_nic_rec *n, int ifindex,
		  uint32_t flags);
/* The receive queues a NIC runs with: ethtool's channels, else the count
 * the link was made with. */
int nic_queues(const char *ifname, unsigned int *n);

#endif
