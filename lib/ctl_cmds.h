/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's grammar: every command tenetctl sends and tenetd
 * serves, its keys, their types, bounds, defaults and help, in one table
 * (ctl_cmds.c, read through lib/grammar.h). tenetctl parses command lines
 * with it, tenetd checks every request with it, and the help, the man page
 * (tenetctl.8), the bash completion and README's command summary are made
 * from it. Adding a key: a line in the vocabulary, a use in each command
 * that takes it, and the code that uses its value.
 */
#ifndef TENET_CTL_CMDS_H
#define TENET_CTL_CMDS_H

#include "grammar.h"

/* The keys: indexes into tn_ctl_grammar.keys and struct tn_gargs.v. */
enum tn_ctl_key {
	TN_K_NAME = 1,
	TN_K_IFNAME,
	TN_K_ROLE,
	TN_K_XDP_MODE,
	TN_K_DEFAULT,
	TN_K_ACCESS,
	TN_K_VLAN,
	TN_K_INNER_VLAN,
	TN_K_UPLINK,
	TN_K_UPLINK_VLAN,
	TN_K_UPLINK_MAC,
	TN_K_PREFIX,
	TN_K_ACCESS_ADDR,
	TN_K_UPLINK_ADDR,
	TN_K_GATEWAY,
	TN_K_MODE,
	TN_K_CPU,
	TN_K_CPUSET,
	TN_K_MEMORY,
	TN_K_PIDS,
	TN_K_RATE,
	TN_K_PPS,
	TN_K_BURST,
	TN_K_SHAPE,
	TN_K_CIDR,
	TN_K_VIA,
	TN_K_SOURCE,
	TN_K_SOURCE_CHECK,
	TN_K_FASTPATH,
	TN_K_ZEROCOPY,
	TN_K_FILE,
	TN_K_PRUNE,
	TN_K_DRY_RUN,
	TN_K_PORT,
	TN_K_COUNT,
	TN_K_DURATION,
	TN_K_WRITE,
	TN_K_CAP,
	TN_K_SNAPLEN,
	TN_K__MAX,
};

/* The commands: indexes into tn_ctl_grammar.cmds. */
enum tn_ctl_cmd {
	TN_C_STATUS,
	TN_C_NIC_ATTACH,
	TN_C_NIC_DETACH,
	TN_C_NIC_LIST,
	TN_C_TENANT_ADD,
	TN_C_TENANT_DEL,
	TN_C_TENANT_LIST,
	TN_C_TENANT_SHOW,
	TN_C_TENANT_STATS,
	TN_C_TENANT_SET,
	TN_C_ROUTE_ADD,
	TN_C_ROUTE_DEL,
	TN_C_ROUTE_LIST,
	TN_C_APPLY, /* tenetctl's own: tenant list, then add, set, del */
	TN_C_CAPTURE, /* tenetd hands tenetctl the ring (agent/capture.c) */
	TN_C__MAX,
};

/* A container needs this much at least: the router's UMEM and FIB, and
 * the container's init. */
#define TN_MEMORY_MIN (32ULL << 20)

extern const struct tn_grammar tn_ctl_grammar;

/* The command of a request's "cmd", or -1 (for tenetctl's own commands,
 * TN_GC_LOCAL, too: no request is one of them). */
int tn_ctl_cmd_find(const char *name);

#endif
