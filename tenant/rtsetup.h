/* SPDX-License-Identifier: GPL-2.0 */
/* How tenet-router comes to have its sockets, threads and counters. */
#ifndef TN_RTSETUP_H
#define TN_RTSETUP_H

#include <signal.h>
#include "rt.h"

struct rt_config {
	struct rt_opts o;
	bool standalone;
	const char *agent; /* tenetd's socket for this tenant */
	const char *ifnames[RT_MAX_IFS];
	int nifs;
	uint32_t queues;
	uint32_t xdp_mode; /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	const char *stats_path;
	uint32_t stats_interval;
	bool json; /* counters dumps as JSON (-j) */
	/* Limits to shape to until tenetd says others (0: none); burst in
	 * bytes, as tenetd's policers hold. */
	uint64_t rate, pps, burst, burst_pkts;
};

/* Sets everything up, forwards until *stop, tears down. 0 or -errno. */
int rt_main(struct rt_config *c, volatile sig_atomic_t *stop,
	    volatile sig_atomic_t *want_stats);

#endif
