/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's state store: what should exist (NICs, tenants, their addresses,
 * prefixes and routes), in SQLite. The database is the source of truth; the
 * agent reconciles the kernel to it.
 *
 * Opening sets WAL, foreign keys and a busy timeout, and brings the schema
 * to the current version: a meta table holds schema_version, and step N of
 * a static list of SQL scripts takes a database from version N to N + 1, in
 * one transaction, with the version read inside that transaction so two
 * agents opening one file cannot both run a step. A database newer than
 * this binary is refused (-EPROTONOSUPPORT), never downgraded.
 *
 * SQL constraints do the uniqueness work (names, VLANs, MACs, prefixes on a
 * NIC, routes), the ranges (ids, VLANs, enums, lengths) and the references
 * (a tenant's NICs must be attached and of the right role), so a caller that
 * forgets a check still cannot store a bad row. C adds what SQL cannot say
 * simply (prefix overlap) and a message naming what collided.
 *
 * Transactions: tn_store_begin() takes the write lock (BEGIN IMMEDIATE), so
 * an operation's reads (the lowest free id, the conflict checks) and writes
 * see one state. Every mutating call also runs in a savepoint of its own:
 * a refused call leaves nothing behind, whether or not the caller holds a
 * transaction, and the caller's transaction stays usable.
 *
 * Every function returns 0 (the get functions: 0 when found) or a negative
 * errno:
 *   -EEXIST   a uniqueness constraint (duplicate name, VLAN, MAC, prefix,
 *             route, id or ifname; overlapping prefix)
 *   -EBUSY    the database is locked by another connection, or a NIC still
 *             used by tenants is detached
 *   -ENOENT   no such row (get, del, set; a route for a missing tenant)
 *   -ENODEV   a tenant names a NIC that is not attached
 *   -EINVAL   a value out of range (CHECK constraint, wrong NIC role)
 *   -ENOSPC   no free tenant or NIC id
 *   -EIO      anything else (logged with SQLite's message)
 * Functions taking err, n write one sentence there on failure when they can
 * say more than the errno (err may be NULL; always NUL-terminated if n > 0),
 * e.g.  access vlan 100 on eth1 is already tenant "acme"'s
 *
 * List callbacks get each record in id order; a nonzero return stops the
 * walk and is returned. They must not change the store.
 *
 * Not thread-safe: one struct tn_store per thread.
 */
#ifndef TENET_STORE_H
#define TENET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tenet/dp.h>

#define TN_STORE_NAME_MAX 32 /* tenant name, bytes without the NUL */
#define TN_STORE_IFNAME_MAX 15 /* IFNAMSIZ - 1 */
#define TN_STORE_IP_MAX 45 /* INET6_ADDRSTRLEN - 1 */
#define TN_STORE_CIDR_MAX 49 /* an IPv6 address and "/128" */
#define TN_STORE_CPUSET_MAX 63
#define TN_STORE_MAX_ADDRS 16 /* per side */
#define TN_STORE_MAX_PREFIXES 16
#define TN_STORE_SCHEMA_VERSION 3
#define TN_STORE_BUSY_MS 5000

struct tn_store;
struct sqlite3;

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
};

/* A routed prefix: host bits zero, IPv4 in the first 4 bytes, rest zero. */
struct tn_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int len;
};

/* 0 means "no limit" for each. */
struct tn_limits {
	uint32_t cpu_millicores;
	uint64_t memory_bytes;
	uint64_t pids;
	uint64_t rate_bps;
	uint64_t pps;
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
};

struct tn_route_rec {
	uint32_t tenant_id;
	char cidr[TN_STORE_CIDR_MAX + 1];
	char via[TN_STORE_IP_MAX + 1];
};

typedef int (*tn_store_nic_cb)(const struct tn_nic_rec *nic, void *arg);
typedef int (*tn_store_tenant_cb)(const struct tn_tenant_rec *t, void *arg);
typedef int (*tn_store_route_cb)(const struct tn_route_rec *r, void *arg);

/* Opens or creates path and migrates it to TN_STORE_SCHEMA_VERSION. */
int tn_store_open(const char *path, struct tn_store **out);
/* For tests: migrates only up to version (1 .. TN_STORE_SCHEMA_VERSION). */
int tn_store_open_version(const char *path, int version, struct tn_store **out);
void tn_store_close(struct tn_store *st);
int tn_store_schema_version(struct tn_store *st);
/* For tests and diagnostics: the connection (sqlite3 *). */
struct sqlite3 *tn_store_db(struct tn_store *st);

/* BEGIN IMMEDIATE: -EBUSY if another connection writes; -EINPROGRESS if
 * this one already has a transaction. Rollback without one is a no-op. */
int tn_store_begin(struct tn_store *st);
int tn_store_commit(struct tn_store *st);
int tn_store_rollback(struct tn_store *st);

/* nic->nic_id 0 takes the lowest free id and writes it back. */
int tn_store_nic_add(struct tn_store *st, struct tn_nic_rec *nic, char *err,
		     size_t n);
/* -EBUSY while any tenant uses the NIC. */
int tn_store_nic_del(struct tn_store *st, uint32_t nic_id, char *err, size_t n);
int tn_store_nic_get(struct tn_store *st, const char *ifname,
		     struct tn_nic_rec *nic);
int tn_store_nic_get_id(struct tn_store *st, uint32_t nic_id,
			struct tn_nic_rec *nic);
int tn_store_nic_list(struct tn_store *st, tn_store_nic_cb cb, void *arg);

/* The lowest id no tenant has; -ENOSPC when all are taken. */
int tn_store_tenant_alloc_id(struct tn_store *st, uint32_t *id);
/* The row, its addresses and prefixes. t->id 0 takes the lowest free id;
 * t->id and t->created are written back. */
int tn_store_tenant_add(struct tn_store *st, struct tn_tenant_rec *t, char *err,
			size_t n);
int tn_store_tenant_get(struct tn_store *st, uint32_t id,
			struct tn_tenant_rec *t);
int tn_store_tenant_get_by_name(struct tn_store *st, const char *name,
				struct tn_tenant_rec *t);
int tn_store_tenant_list(struct tn_store *st, tn_store_tenant_cb cb, void *arg);
/* The lowest queue below nqueues (at most TN_MAX_QUEUES) that no tenant
 * owns on nic_id; -ENOSPC when all are taken. */
int tn_store_queue_free(struct tn_store *st, uint32_t nic_id,
			unsigned int nqueues, int16_t *queue);
int tn_store_tenant_set_state(struct tn_store *st, uint32_t id,
			      enum tn_tenant_state state);
int tn_store_tenant_update_limits(struct tn_store *st, uint32_t id,
				  const struct tn_limits *l);
/* Addresses, prefixes and routes go with it. */
int tn_store_tenant_del(struct tn_store *st, uint32_t id);

/* 0 if p overlaps no prefix of a tenant other than exclude_tenant on
 * nic_id; -EEXIST (err names the owner) if it does. */
int tn_store_prefix_conflict(struct tn_store *st, uint32_t nic_id,
			     const struct tn_prefix *p, uint32_t exclude_tenant,
			     char *err, size_t n);

int tn_store_route_add(struct tn_store *st, const struct tn_route_rec *r,
		       char *err, size_t n);
int tn_store_route_del(struct tn_store *st, uint32_t tenant_id,
		       const char *cidr);
/* tenant_id 0: every tenant's routes. */
int tn_store_route_list(struct tn_store *st, uint32_t tenant_id,
			tn_store_route_cb cb, void *arg);

const char *tn_store_state_name(enum tn_tenant_state state);

#endif
