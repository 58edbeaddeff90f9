/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tenetd keeps of its NICs, tenants and routes: the records the store
 * (store.h) reads and writes and the other rooms hand on. They live apart
 * from the store's functions so that the headers that take records
 * (tenant_dp.h, container.h, session.h, supervise.h, nic.h) give no file
 * the database: only the .c files that query or change it include store.h,
 * and tenant_dp.c, which talks to the kernel only, is not among them.
 */
#ifndef TENET_AGENT_RECORDS_H
#define TENET_AGENT_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <tenet/dp.h>

#define TN_STORE_NAME_MAX 32 /* tenant name, bytes without the NUL */
#define TN_STORE_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define TN_STORE_IP_MAX 45 /* INET6_ADDRSTRLEN - 1 */
#define TN_STORE_CIDR_MAX 49 /* an IPv6 address and "/128" */
#define TN_STORE_CPUSET_MAX 63
#define TN_STORE_MAX_ADDRS 16 /* per side */
#define TN_STORE_MAX_PREFIXES 16
#define TN_STORE_MAX_SOURCES 16

enum tn_xdp_mode {
	TN_XDP_NATIVE = 0,
	TN_XDP_GENERIC = 1,
};

enum tn_tenant_mode {
	TN_MODE_VETH = 0,
	TN_MODE_DIRECT = 1,
};

enum tn_tenant_state {
	TN_STATE_CREATING = 0,
	TN_STATE_READY = 1,
	TN_STATE_FAILED = 2,
	TN_STATE_DELETING = 3,
};

struct tn_nic_rec {
	uint32_t nic_id; /* 1 .. TN_MAX_NICS-1; 0 in nic_add: the lowest free */
	char ifname[TN_STORE_IFNAME_MAX + 1];
	enum tn_role role;
	enum tn_xdp_mode xdp_mode;
	enum tn_default_action default_action;
	/* Direct tenants' NIC-queue sockets may bind zero-copy: such a
	 * socket's UMEM receives every frame of its queue, so only where the
	 * operator steers nothing but that tenant's frames there. */
	bool zerocopy;
};

/* A routed prefix: host bits zero, IPv4 in the first 4 bytes, rest zero. */
struct tn_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int len;
};

/* 0 means "no limit" for each. The burst is as given (lib/burst.h):
 * bytes or a time, neither (0) for the default. */
struct tn_limits {
	uint32_t cpu_millicores;
	uint64_t memory_bytes;
	uint64_t pids;
	uint64_t rate_bps;
	uint64_t pps;
	uint64_t burst_bytes;
	uint64_t burst_ns;
	bool police_only; /* shape off: the router does not shape */
};

struct tn_tenant_rec {
	uint32_t id; /* 1 .. TN_MAX_TENANTS-1; 0 in tenant_add: the lowest free */
	char name[TN_STORE_NAME_MAX + 1];
	enum tn_tenant_mode mode;
	uint32_t access_nic;
	uint16_t access_vlan; /* 1 .. 4094 */
	uint16_t access_inner_vlan; /* 0: single tag */
	uint32_t uplink_nic;
	uint16_t uplink_vlan; /* 0: untagged */
	/* Direct mode: the queue the tenant owns on each NIC; -1 in veth
	 * mode. tn_store_queue_free() finds one. */
	int16_t access_queue, uplink_queue;
	bool has_uplink_mac;
	uint8_t uplink_mac[6];
	char gateway[TN_STORE_IP_MAX + 1]; /* "": none */
	char cpuset[TN_STORE_CPUSET_MAX + 1]; /* "": any CPU */
	struct tn_limits limits;
	enum tn_tenant_state state;
	int64_t created; /* Unix time, set by tenant_add */
	/* Interface addresses as typed (ADDR/LEN, host bits kept), in order. */
	unsigned int n_access_addrs, n_uplink_addrs;
	char access_addrs[TN_STORE_MAX_ADDRS][TN_STORE_CIDR_MAX + 1];
	char uplink_addrs[TN_STORE_MAX_ADDRS][TN_STORE_CIDR_MAX + 1];
	/* Routed to the tenant on its uplink NIC; none may overlap another
	 * tenant's prefix on that NIC. */
	unsigned int n_prefixes;
	struct tn_prefix prefixes[TN_STORE_MAX_PREFIXES];
	/* What it sends out its uplink is checked (tenant_egress), and from
	 * where it may come beside its own space: sources given. */
	bool source_check;
	unsigned int n_sources;
	/* Frames to what its router put in its fast table go out from
	 * the NICs' XDP (include/tenet/fast.h). */
	bool fastpath;
	struct tn_prefix sources[TN_STORE_MAX_SOURCES];
};

struct tn_route_rec {
	uint32_t tenant_id;
	char cidr[TN_STORE_CIDR_MAX + 1];
	char via[TN_STORE_IP_MAX + 1];
};

#endif
