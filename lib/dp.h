/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the host data path: load the XDP programs with their
 * maps pinned by name under a bpffs directory, attach and detach them, and
 * read and write the maps of include/tenet/dp.h. Functions return 0 or
 * -errno and log what failed.
 */
#ifndef TENET_DP_H_USER
#define TENET_DP_H_USER

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <xdp/libxdp.h>
#include <tenet/dp.h>

#include "names.h"

/* Makes dir (and parents) and mounts bpffs on the deepest missing mount if
 * dir is not on one. */
int tn_dp_bpffs_prepare(const char *dir);

/*
 * Prepares bpffs and creates (or reuses) every pinned map of nic_ingress
 * and tenant_egress under pin_dir, without attaching anything. Maps of an
 * older layout (tenet/version.h) are migrated, a newer layout refused
 * (-EPROTONOSUPPORT, said); the layout is then recorded as this one.
 */
int tn_dp_prepare(const char *pin_dir);
/* The layout of the maps pinned in pin_dir (0: none), refused with a
 * sentence (-EPROTONOSUPPORT) when newer than this tenet's. */
int tn_dp_layout(const char *pin_dir, uint64_t *layout);

/* The tenet instance pin_dir belongs to: TN_MAP_OWNER holds it. If there
 * is none yet, *instance is written there (the dir is now its); else
 * *instance gets the one there, for the caller to compare. */
int tn_dp_owner(const char *pin_dir, uint64_t *instance);

/* nic_ingress's priority in libxdp's dispatcher: after programs of the
 * default priority (50), so an operator's filter sees frames first. */
#define TN_XDP_RUN_PRIO 100

/* nic_ingress on a NIC, through libxdp so it shares the NIC with other XDP
 * programs. *in_use gets the mode the kernel gave (native or skb). */
int tn_dp_nic_attach(const char *pin_dir, int ifindex,
		     enum xdp_attach_mode mode, enum xdp_attach_mode *in_use);
/* The program called name among those on a device (attached alone, or in
 * libxdp's dispatcher); NULL if none. */
struct xdp_program *tn_dp_find_prog(struct xdp_multiprog *mp, const char *name);
int tn_dp_nic_detach(int ifindex);
/* Whether nic_ingress on ifindex is this tenet's, on the maps pinned in
 * pin_dir (after tn_dp_prepare()); an older tenet's or one on maps a
 * migration replaced is not. */
bool tn_dp_nic_current(const char *pin_dir, int ifindex);
/* Puts this tenet's nic_ingress in the place of the one on ifindex, in
 * the same mode, with no moment where neither runs. */
int tn_dp_nic_replace(const char *pin_dir, int ifindex);
/* Is nic_ingress on ifindex? 0 with the mode in use and whether libxdp's
 * dispatcher runs it (other programs may share the NIC), or -ENOENT. */
int tn_dp_nic_query(int ifindex, enum xdp_attach_mode *mode, bool *multiprog);

/* tenant_egress (pin_dir: the agent's) and tenant_rx (pin_dir: the
 * tenant's own, e.g. <bpffs>/tenants/<id>) on a veth in the current netns. */
int tn_dp_egress_attach(const char *pin_dir, int ifindex,
			enum xdp_attach_mode mode);
int tn_dp_rx_attach(const char *pin_dir, int ifindex,
		    enum xdp_attach_mode mode);
/* Removes whatever XDP program is on ifindex (plain attach). */
int tn_dp_plain_detach(int ifindex);

/* The pinned map dir/name (name: a TN_MAP_* of tenet/maps.h), opened; a
 * new fd or -errno. */
int tn_dp_map_open(const char *pin_dir, const char *name);

/* Sets (tid > 0) or removes (tid 0) the prefix addr/len on ifindex in the
 * LPM trie lpm_fd (tn_lpm4 or tn_lpm6 by family), then bumps tn_lpm_gen
 * (gen_fd) so no cached answer of the old table survives. */
int tn_dp_prefix_set(int lpm_fd, int gen_fd, uint32_t ifindex, int family,
		     const uint8_t *addr, unsigned int len, uint32_t tid);

/* Sums one per-CPU struct tn_stats entry. */
/* After any change to tn_lpm4/6 made without tn_dp_prefix_set(): voids
 * the answers nic_ingress cached. */
int tn_dp_lpm_gen_bump(int gen_fd);

int tn_dp_stats_read(int map_fd, uint32_t key, struct tn_stats *out);
/* Zeroes it on every CPU: an id used again starts from nothing. */
int tn_dp_stats_zero(int map_fd, uint32_t key);
/* A whole policer value under its spin lock (BPF_F_LOCK): XDP on other CPUs
 * holds the lock while it takes credit, and must never see half of it. */
int tn_dp_policer_write(int map_fd, uint32_t port,
			const struct tn_policer *pol);

/*
 * A tenant's limits (rate, pps, burst) count each frame as its Ethernet
 * bytes from the destination MAC to the end of the payload: no VLAN tag,
 * FCS, preamble or inter-frame gap -- the frame as the tenant's router
 * sees it, the same whichever way the tenant is attached. A full-size
 * frame (MTU 1500) is TN_LIMITS_FRAME bytes.
 *
 * The burst is the depth of the policers' byte bucket: at least
 * TN_BURST_MIN bytes, at most TN_BURST_MAX_NS of the rate, by default
 * TN_BURST_DEFAULT_NS of it (at least TN_BURST_MIN).
 */
#define TN_LIMITS_FRAME 1514
#define TN_BURST_MIN (10 * TN_LIMITS_FRAME)
#define TN_BURST_MAX_NS 1000000000ULL
#define TN_BURST_DEFAULT_NS 50000000ULL
/* The bytes ns of traffic at bps bits/s make. */
static inline uint64_t tn_burst_of(uint64_t bps, uint64_t ns)
{
	return (uint64_t)((unsigned __int128)bps * ns / 8000000000ULL);
}

/* The pps bucket holds at least this many packets. */
#define TN_BURST_MIN_PKTS 10

/*
 * Fills the config half of a policer for bits/s and packets/s (0 =
 * unlimited) with buckets of burst_bytes and burst_pkts (lib/burst.h's
 * tn_burst_eff() gives both), and starts it full. Exactly that is
 * written: TN_BURST_MIN holds a frame of any MTU a NIC takes (9216), so
 * no floor of jumbo frames is added. A depth of 0 with its rate set is
 * the least (TN_BURST_MIN bytes, TN_BURST_MIN_PKTS). bps must be 0 or at
 * least 1000.
 */
void tn_policer_config(struct tn_policer *pol, uint64_t bps, uint64_t pps,
		       uint64_t burst_bytes, uint64_t burst_pkts);

const char *tn_xdp_mode_name(enum xdp_attach_mode mode);

#endif
