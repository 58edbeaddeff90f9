/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetd's state store: what should exist (NICs, tenants, their addresses,
 * prefixes and routes), in SQLite. The database is the source of truth; the
 * agent reconciles the kernel to it. The records it reads and writes are in
 * records.h.
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

#include "records.h"

#define TN_STORE_SCHEMA_VERSION 8
#define TN_STORE_BUSY_MS 5000

struct tn_store;
struct sqlite3;

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

/* This database's instance: a random number drawn when it is made. What
 * tenetd makes outside it (links, containers) is marked with it, and the
 * start-up sweep removes only what carries its mark. */
int tn_store_instance(struct tn_store *st, uint64_t *id);

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
int tn_store_tenant_set_source_check(struct tn_store *st, uint32_t id, bool on);
int tn_store_tenant_set_fastpath(struct tn_store *st, uint32_t id, bool on);
/* "" for any CPU. */
int tn_store_tenant_set_cpuset(struct tn_store *st, uint32_t id,
			       const char *cpuset);
/* The tenet-router build tenetd put in id's container ("" if unknown:
 * put there by an older tenetd), and setting it. 0 or -ENOENT (no such
 * tenant). */
int tn_store_router_build(struct tn_store *st, uint32_t id,
			  char build[TN_STORE_NAME_MAX + 1]);
int tn_store_set_router_build(struct tn_store *st, uint32_t id,
			      const char *build);
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
