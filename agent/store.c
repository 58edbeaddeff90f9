// SPDX-License-Identifier: GPL-2.0
/*
 * tenetd's state store in SQLite; store.h has the contract. Every statement
 * is a constant string with bound parameters: user data never becomes SQL.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <sqlite3.h>

#include "log.h"
#include "names.h"
#include "parse.h"
#include "store.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct tn_store {
	sqlite3 *db;
};

/*
 * Step i takes schema version i to i + 1. Never edit a released step: add
 * one. A step that rebuilds a table cannot turn foreign keys off inside its
 * transaction; it would use PRAGMA defer_foreign_keys and end with
 * PRAGMA foreign_key_check instead.
 */
static const char *const migrations[TN_STORE_SCHEMA_VERSION] = {
	/* v1: NICs, tenants, their addresses and prefixes. */
	"CREATE TABLE nics ("
	" nic_id INTEGER PRIMARY KEY CHECK (nic_id BETWEEN 1 AND 63),"
	" ifname TEXT NOT NULL UNIQUE CHECK (length(ifname) BETWEEN 1 AND 15),"
	" role TEXT NOT NULL CHECK (role IN ('access', 'uplink')),"
	" xdp_mode TEXT NOT NULL CHECK (xdp_mode IN ('native', 'generic')),"
	" default_action TEXT NOT NULL CHECK (default_action IN ('pass', 'drop'))"
	") STRICT;"
	"CREATE TABLE tenants ("
	" id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 16383),"
	" name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),"
	" mode TEXT NOT NULL CHECK (mode IN ('veth', 'direct')),"
	" access_nic INTEGER NOT NULL REFERENCES nics (nic_id),"
	" access_vlan INTEGER NOT NULL CHECK (access_vlan BETWEEN 1 AND 4094),"
	" access_inner_vlan INTEGER NOT NULL DEFAULT 0"
	"  CHECK (access_inner_vlan BETWEEN 0 AND 4094),"
	" uplink_nic INTEGER NOT NULL REFERENCES nics (nic_id),"
	" uplink_vlan INTEGER NOT NULL DEFAULT 0"
	"  CHECK (uplink_vlan BETWEEN 0 AND 4094),"
	" uplink_mac TEXT CHECK (uplink_mac GLOB"
	"  '[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:"
	"[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]'),"
	" gateway TEXT CHECK (length(gateway) BETWEEN 1 AND 45),"
	" cpu_millicores INTEGER NOT NULL DEFAULT 0 CHECK (cpu_millicores >= 0),"
	" cpuset TEXT CHECK (length(cpuset) BETWEEN 1 AND 63),"
	" memory_bytes INTEGER NOT NULL DEFAULT 0 CHECK (memory_bytes >= 0),"
	" pids INTEGER NOT NULL DEFAULT 0 CHECK (pids >= 0),"
	" rate_bps INTEGER NOT NULL DEFAULT 0 CHECK (rate_bps >= 0),"
	" pps INTEGER NOT NULL DEFAULT 0 CHECK (pps >= 0),"
	" state TEXT NOT NULL DEFAULT 'creating'"
	"  CHECK (state IN ('creating', 'ready', 'failed', 'deleting')),"
	" created INTEGER NOT NULL,"
	" UNIQUE (access_nic, access_vlan, access_inner_vlan)"
	") STRICT;"
	/* Untagged uplinks are shared: only a tag is exclusive. */
	"CREATE UNIQUE INDEX tenants_uplink_vlan ON tenants (uplink_nic, uplink_vlan)"
	" WHERE uplink_vlan > 0;"
	"CREATE UNIQUE INDEX tenants_uplink_mac ON tenants (uplink_nic, uplink_mac)"
	" WHERE uplink_mac IS NOT NULL;"
	"CREATE TABLE tenant_addrs ("
	" tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	" side TEXT NOT NULL CHECK (side IN ('access', 'uplink')),"
	" cidr TEXT NOT NULL CHECK (length(cidr) BETWEEN 1 AND 49),"
	" PRIMARY KEY (tenant_id, side, cidr)"
	") STRICT;"
	/* family 4 or 6; addr 16 bytes, IPv4 first; cidr the canonical text,
	 * so that UNIQUE catches an exact duplicate even without the C check. */
	"CREATE TABLE tenant_prefixes ("
	" tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	" nic_id INTEGER NOT NULL REFERENCES nics (nic_id),"
	" family INTEGER NOT NULL CHECK (family IN (4, 6)),"
	" addr BLOB NOT NULL CHECK (length(addr) = 16),"
	" len INTEGER NOT NULL"
	"  CHECK (len BETWEEN 0 AND CASE family WHEN 4 THEN 32 ELSE 128 END),"
	" cidr TEXT NOT NULL,"
	" UNIQUE (nic_id, cidr)"
	") STRICT;"
	/* Foreign keys: deleting a tenant or a NIC looks its children up. */
	"CREATE INDEX tenants_uplink_nic ON tenants (uplink_nic);"
	"CREATE INDEX tenant_prefixes_tenant ON tenant_prefixes (tenant_id);",

	/* v2: routes, and NIC roles checked by SQL too. */
	"CREATE TABLE routes ("
	" tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	" cidr TEXT NOT NULL CHECK (length(cidr) BETWEEN 1 AND 49),"
	" via TEXT NOT NULL CHECK (length(via) BETWEEN 1 AND 45),"
	" PRIMARY KEY (tenant_id, cidr)"
	") STRICT;"
	"CREATE TRIGGER tenants_roles_insert BEFORE INSERT ON tenants"
	" WHEN (SELECT role FROM nics WHERE nic_id = NEW.access_nic)"
	"  IS NOT 'access'"
	" OR (SELECT role FROM nics WHERE nic_id = NEW.uplink_nic) IS NOT 'uplink'"
	" BEGIN SELECT RAISE(ABORT, 'tenant NICs must have the access and"
	" uplink roles'); END;"
	"CREATE TRIGGER tenants_roles_update"
	" BEFORE UPDATE OF access_nic, uplink_nic ON tenants"
	" WHEN (SELECT role FROM nics WHERE nic_id = NEW.access_nic)"
	"  IS NOT 'access'"
	" OR (SELECT role FROM nics WHERE nic_id = NEW.uplink_nic) IS NOT 'uplink'"
	" BEGIN SELECT RAISE(ABORT, 'tenant NICs must have the access and"
	" uplink roles'); END;"
	"CREATE TRIGGER nics_role_in_use BEFORE UPDATE OF role ON nics"
	" WHEN EXISTS (SELECT 1 FROM tenants WHERE access_nic = NEW.nic_id"
	"  OR uplink_nic = NEW.nic_id)"
	" BEGIN SELECT RAISE(ABORT, 'a NIC in use keeps its role'); END;",

	/* v3: direct mode owns a queue on each of its NICs. */
	"ALTER TABLE tenants ADD COLUMN access_queue INTEGER NOT NULL"
	" DEFAULT -1 CHECK (access_queue BETWEEN -1 AND 63);"
	"ALTER TABLE tenants ADD COLUMN uplink_queue INTEGER NOT NULL"
	" DEFAULT -1 CHECK (uplink_queue BETWEEN -1 AND 63);"
	"CREATE UNIQUE INDEX tenants_access_queue ON tenants"
	" (access_nic, access_queue) WHERE access_queue >= 0;"
	"CREATE UNIQUE INDEX tenants_uplink_queue ON tenants"
	" (uplink_nic, uplink_queue) WHERE uplink_queue >= 0;"
	"CREATE TRIGGER tenants_queues_insert BEFORE INSERT ON tenants"
	" WHEN (NEW.mode = 'direct') != (NEW.access_queue >= 0)"
	" OR (NEW.mode = 'direct') != (NEW.uplink_queue >= 0)"
	" BEGIN SELECT RAISE(ABORT, 'direct mode and only it owns queues');"
	" END;",

	/* v4: what a tenant may send from (tenant_egress): checked or not,
	 * and the source prefixes the operator gave beside its own. */
	"ALTER TABLE tenants ADD COLUMN source_check INTEGER NOT NULL"
	" DEFAULT 1 CHECK (source_check IN (0, 1));"
	"CREATE TABLE tenant_sources ("
	" tenant_id INTEGER NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,"
	" cidr TEXT NOT NULL CHECK (length(cidr) BETWEEN 1 AND 49),"
	" PRIMARY KEY (tenant_id, cidr)"
	") STRICT;",

	/* v5: the burst of rate and pps, as given: bytes or a time (ns),
	 * never both; neither is the default (lib/burst.h). */
	"ALTER TABLE tenants ADD COLUMN burst_bytes INTEGER NOT NULL"
	" DEFAULT 0 CHECK (burst_bytes >= 0);"
	"ALTER TABLE tenants ADD COLUMN burst_ns INTEGER NOT NULL"
	" DEFAULT 0 CHECK (burst_ns BETWEEN 0 AND 1000000000"
	"  AND (burst_ns = 0 OR burst_bytes = 0));"
	/* and whether the router shapes to them (1) or the policers alone
	 * keep them (0) */
	"ALTER TABLE tenants ADD COLUMN shape INTEGER NOT NULL"
	" DEFAULT 1 CHECK (shape IN (0, 1));",

	/* v6: the fast path on (1) or off (0) */
	"ALTER TABLE tenants ADD COLUMN fastpath INTEGER NOT NULL"
	" DEFAULT 1 CHECK (fastpath IN (0, 1));",
	/* v7: the tenet-router build tenetd put in the container (NULL: one
	 * an older tenetd put there, unknown). */
	"ALTER TABLE tenants ADD COLUMN router_build TEXT"
	" CHECK (length(router_build) BETWEEN 1 AND 32);",
	/* v8: direct tenants' sockets on this NIC may bind zero-copy (1), or
	 * copy only (0): the operator's word that its queues are steered. */
	"ALTER TABLE nics ADD COLUMN zerocopy INTEGER NOT NULL"
	" DEFAULT 0 CHECK (zerocopy IN (0, 1));",
};

/* The words of the enums kept as text: lib/names.c's (the CLI's), and the
 * states, which only the store names. */
static const char *const state_names[] = { "creating", "ready", "failed",
					   "deleting", NULL };

/* The word of v in a NULL-terminated list; an out-of-range enum becomes
 * NULL, which NOT NULL refuses (-EINVAL). */
static const char *enum_name(const char *const *names, unsigned int v)
{
	for (unsigned int i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return NULL;
}

#define ENAME(names, v) enum_name(names, (unsigned int)(v))
#define EVALUE(names, s, i) enum_value(names, s, i)

/* The CHECK constraints allow only known words; 0 is a safe fallback. */
static int enum_value(const char *const *names, sqlite3_stmt *s, int col)
{
	const char *v = (const char *)sqlite3_column_text(s, col);

	for (int i = 0; v && names[i]; i++)
		if (!strcmp(v, names[i]))
			return i;
	return 0;
}

/* Extended result codes are on, so constraints can be told apart. */
static int map_err(struct tn_store *st, int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
	case SQLITE_CONSTRAINT_TRIGGER:
	case SQLITE_CONSTRAINT_DATATYPE:
		tn_dbg("store: %s\n", sqlite3_errmsg(st->db));
		return -EINVAL;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		/* Inserts: the referenced row is missing. Deletes of a
		 * referenced row are checked before, with a better errno. */
		return -ENOENT;
	}
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		tn_dbg("store: %s\n", sqlite3_errmsg(st->db));
		return -EEXIST;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	}
	tn_err("store: %s (%d)\n", sqlite3_errmsg(st->db), rc);
	return -EIO;
}

/*
 * Prepares sql and binds one parameter per character of fmt, in order:
 *   u unsigned int   U uint64_t   I int64_t
 *   s const char * (NULL binds NULL)   o the same, and "" binds NULL too
 *   b const void *, int length: a blob
 * A uint64_t over INT64_MAX binds negative, which the >= 0 CHECKs refuse.
 */
static int vprep(struct tn_store *st, sqlite3_stmt **out, const char *sql,
		 const char *fmt, va_list ap)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	for (int i = 1; rc == SQLITE_OK && fmt[i - 1]; i++) {
		const char *t;
		const void *p;

		switch (fmt[i - 1]) {
		case 'u':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, unsigned int));
			break;
		case 'U':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, uint64_t));
			break;
		case 'I':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 's':
		case 'o':
			t = va_arg(ap, const char *);
			if (fmt[i - 1] == 'o' && t && !*t)
				t = NULL;
			rc = sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			rc = sqlite3_bind_blob(s, i, p, va_arg(ap, int),
					       SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		int err = map_err(st, rc);

		sqlite3_finalize(s);
		return err;
	}
	*out = s;
	return 0;
}

/* 1: a row, 0: done, or -errno. */
static int step(struct tn_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return map_err(st, rc);
}

typedef int (*row_fn)(struct tn_store *st, sqlite3_stmt *s, void *arg);

/* Calls fn for each row until it returns nonzero, which is returned. */
static int vrows(struct tn_store *st, row_fn fn, void *arg, const char *sql,
		 const char *fmt, va_list ap)
{
	sqlite3_stmt *s;
	int err = vprep(st, &s, sql, fmt, ap);

	if (err)
		return err;
	while ((err = step(st, s)) > 0 && !(err = fn(st, s, arg)))
		;
	sqlite3_finalize(s);
	return err;
}

static int rows(struct tn_store *st, row_fn fn, void *arg, const char *sql,
		const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vrows(st, fn, arg, sql, fmt, ap);
	va_end(ap);
	return err;
}

/* Runs a statement that returns no rows: the number of rows it changed. */
static int exec(struct tn_store *st, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vprep(st, &s, sql, fmt, ap);
	va_end(ap);
	if (err)
		return err;
	while ((err = step(st, s)) > 0)
		;
	sqlite3_finalize(s);
	return err ? err : sqlite3_changes(st->db);
}

static int int_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	(void)st;
	if (sqlite3_column_type(s, 0) == SQLITE_NULL)
		return 0;
	*(int64_t *)arg = sqlite3_column_int64(s, 0);
	return 1;
}

static void col_text(sqlite3_stmt *s, int col, char *dst, size_t n)
{
	const char *v = (const char *)sqlite3_column_text(s, col);

	snprintf(dst, n, "%s", v ? v : "");
}

static int text_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	(void)st;
	col_text(s, 0, arg, TN_STORE_NAME_MAX + 1);
	return 1;
}

/* For exec's row count where only success matters. */
static int ok(int changes)
{
	return changes < 0 ? changes : 0;
}

/* Every mutation runs in a savepoint: a refusal undoes its partial writes
 * and leaves the caller's transaction, if any, usable. */
static int sp_begin(struct tn_store *st)
{
	return ok(exec(st, "SAVEPOINT tn_op", ""));
}

static int sp_end(struct tn_store *st, int err)
{
	int e;

	if (err < 0)
		exec(st, "ROLLBACK TO tn_op", "");
	e = exec(st, "RELEASE tn_op", "");
	return err < 0 ? err : e < 0 ? e : 0;
}

/* A DELETE or UPDATE of one row by key: -ENOENT if there was none. */
static int changed_one(int changes)
{
	return changes < 0 ? changes : changes ? 0 : -ENOENT;
}

static int migrate(struct tn_store *st, int target)
{
	for (int64_t from = -1;;) {
		int64_t v = 0;
		int err, rc;

		/* The version is read under the write lock: if another agent
		 * migrated meanwhile, this one sees its result. */
		err = tn_store_begin(st);
		if (err)
			return err;
		err = exec(st,
			   "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY"
			   " KEY, value INTEGER NOT NULL) STRICT",
			   "");
		if (err >= 0)
			err = v = tn_store_schema_version(st);
		if (err < 0 || v >= target) {
			tn_store_rollback(st);
			/* Creating a database is not news; upgrading one is. */
			if (from > 0 && v > from)
				tn_info("store: schema migrated from v%lld to"
					" v%lld\n",
					(long long)from, (long long)v);
			if (v > TN_STORE_SCHEMA_VERSION) {
				tn_err("store: schema v%lld is newer than this"
				       " tenetd's v%d\n",
				       (long long)v, TN_STORE_SCHEMA_VERSION);
				return -EPROTONOSUPPORT;
			}
			return err < 0 ? err : 0;
		}
		if (from < 0)
			from = v;
		rc = sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL);
		err = rc == SQLITE_OK ? 0 : map_err(st, rc);
		if (!err)
			err = exec(st,
				   "INSERT OR REPLACE INTO meta (key, value)"
				   " VALUES ('schema_version', ?1)",
				   "I", v + 1);
		if (err >= 0)
			err = tn_store_commit(st);
		if (err < 0) {
			tn_err("store: migration to schema v%lld failed\n",
			       (long long)v + 1);
			tn_store_rollback(st);
			return err;
		}
	}
}

static int pragma_is(struct tn_store *st, const char *sql, const char *want)
{
	char got[TN_STORE_NAME_MAX + 1] = "";
	int err = rows(st, text_row, got, sql, "");

	return err < 0 ? err : !strcasecmp(got, want);
}

int tn_store_open_version(const char *path, int version, struct tn_store **out)
{
	struct tn_store *st;
	int err, rc;

	if (version < 1 || version > TN_STORE_SCHEMA_VERSION)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &st->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		tn_err("store: open %s: %s\n", path,
		       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		err = -EIO;
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* Same as PRAGMA busy_timeout: wait for another writer, not fail. */
	sqlite3_busy_timeout(st->db, TN_STORE_BUSY_MS);
	/* WAL: readers (tenetctl show) never block the agent's writes. A file
	 * system without shared memory cannot do it; that is only slower. */
	err = pragma_is(st, "PRAGMA journal_mode = WAL", "wal");
	if (err < 0)
		goto fail;
	if (!err)
		tn_warn("store: %s: WAL not available\n", path);
	/* Off by default and per connection; without it the REFERENCES and
	 * cascades would be silently ignored, so refuse to run. */
	err = exec(st, "PRAGMA foreign_keys = ON", "");
	if (err >= 0)
		err = pragma_is(st, "PRAGMA foreign_keys", "1");
	if (err <= 0) {
		tn_err("store: %s: foreign keys unavailable\n", path);
		err = err < 0 ? err : -ENOTSUP;
		goto fail;
	}
	err = migrate(st, version);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail:
	tn_store_close(st);
	return err;
}

int tn_store_open(const char *path, struct tn_store **out)
{
	return tn_store_open_version(path, TN_STORE_SCHEMA_VERSION, out);
}

void tn_store_close(struct tn_store *st)
{
	if (!st)
		return;
	/* An open transaction is rolled back. */
	sqlite3_close_v2(st->db);
	free(st);
}

int tn_store_schema_version(struct tn_store *st)
{
	int64_t v = 0;
	int err = rows(st, int_row, &v,
		       "SELECT value FROM meta WHERE key = 'schema_version'",
		       "");

	return err < 0 ? err : (int)v;
}

int tn_store_instance(struct tn_store *st, uint64_t *id)
{
	int64_t v = 0, r;
	int err;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -EIO;
	r = (r & INT64_MAX) | 1; /* positive, never 0 */
	/* The first start draws it; every later one reads it. */
	err = exec(st,
		   "INSERT OR IGNORE INTO meta (key, value)"
		   " VALUES ('instance', ?1)",
		   "I", r);
	if (err >= 0)
		err = rows(st, int_row, &v,
			   "SELECT value FROM meta WHERE key = 'instance'", "");
	if (err < 0)
		return err;
	*id = (uint64_t)v;
	return v ? 0 : -EIO;
}

struct sqlite3 *tn_store_db(struct tn_store *st)
{
	return st->db;
}

/* Runs sql if a transaction is open (in_txn) or not (!in_txn); else
 * returns otherwise. */
static int txn(struct tn_store *st, bool in_txn, int otherwise, const char *sql)
{
	if (!sqlite3_get_autocommit(st->db) != in_txn)
		return otherwise;
	return ok(exec(st, sql, ""));
}

int tn_store_begin(struct tn_store *st)
{
	return txn(st, false, -EINPROGRESS, "BEGIN IMMEDIATE");
}

int tn_store_commit(struct tn_store *st)
{
	return txn(st, true, -EINVAL, "COMMIT");
}

int tn_store_rollback(struct tn_store *st)
{
	return txn(st, true, 0, "ROLLBACK");
}

/* The lowest id in 1 .. max-1 that no row of table has, or NULL. */
#define LOWEST_FREE(table, col)                                           \
	"SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM " table " WHERE " col \
	" = 1) THEN 1 ELSE (SELECT min(" col ") + 1 FROM " table          \
	" a WHERE " col " + 1 < ?1 AND NOT EXISTS (SELECT 1 FROM " table  \
	" b WHERE b." col " = a." col " + 1)) END"

static int alloc_id(struct tn_store *st, const char *sql, unsigned int max,
		    uint32_t *id)
{
	int64_t v;
	int err = rows(st, int_row, &v, sql, "u", max);

	if (err < 0)
		return err;
	if (!err)
		return -ENOSPC;
	*id = v;
	return 0;
}

/* NICs */

#define NIC_COLS                                                          \
	"SELECT nic_id, ifname, role, xdp_mode, default_action, zerocopy" \
	" FROM nics"

static void nic_read(sqlite3_stmt *s, struct tn_nic_rec *nic)
{
	nic->nic_id = sqlite3_column_int64(s, 0);
	col_text(s, 1, nic->ifname, sizeof(nic->ifname));
	nic->role = EVALUE(tn_role_names, s, 2);
	nic->xdp_mode = EVALUE(tn_xdp_mode_names, s, 3);
	nic->default_action = EVALUE(tn_default_names, s, 4);
	nic->zerocopy = sqlite3_column_int(s, 5) != 0;
}

static int nic_get_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	(void)st;
	nic_read(s, arg);
	return 1;
}

struct list_ctx {
	union {
		tn_store_nic_cb nic;
		tn_store_tenant_cb tenant;
		tn_store_route_cb route;
	} cb;
	void *arg;
};

static int nic_list_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct list_ctx *c = arg;
	struct tn_nic_rec nic;

	(void)st;
	nic_read(s, &nic);
	return c->cb.nic(&nic, c->arg);
}

static int found(int err)
{
	return err < 0 ? err : err ? 0 : -ENOENT;
}

int tn_store_nic_get(struct tn_store *st, const char *ifname,
		     struct tn_nic_rec *nic)
{
	return found(rows(st, nic_get_row, nic, NIC_COLS " WHERE ifname = ?1",
			  "s", ifname));
}

int tn_store_nic_get_id(struct tn_store *st, uint32_t nic_id,
			struct tn_nic_rec *nic)
{
	return found(rows(st, nic_get_row, nic, NIC_COLS " WHERE nic_id = ?1",
			  "u", nic_id));
}

int tn_store_nic_list(struct tn_store *st, tn_store_nic_cb cb, void *arg)
{
	struct list_ctx c = { .cb.nic = cb, .arg = arg };

	return rows(st, nic_list_row, &c, NIC_COLS " ORDER BY nic_id", "");
}

int tn_store_nic_add(struct tn_store *st, struct tn_nic_rec *nic, char *err,
		     size_t n)
{
	uint32_t id = nic->nic_id;
	int e = sp_begin(st);

	if (!e && !id)
		e = alloc_id(st, LOWEST_FREE("nics", "nic_id"), TN_MAX_NICS,
			     &id);
	if (!e)
		e = exec(st,
			 "INSERT INTO nics (nic_id, ifname, role, xdp_mode,"
			 " default_action, zerocopy)"
			 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			 "ussssu", id, nic->ifname,
			 ENAME(tn_role_names, nic->role),
			 ENAME(tn_xdp_mode_names, nic->xdp_mode),
			 ENAME(tn_default_names, nic->default_action),
			 (uint32_t)nic->zerocopy);
	e = sp_end(st, e);
	if (e == -EEXIST)
		tn_errbuf(err, n, "%s or nic id %u is already attached",
			  nic->ifname, id);
	else if (e == -ENOSPC)
		tn_errbuf(err, n, "all %d nic ids are taken", TN_MAX_NICS - 1);
	else if (!e)
		nic->nic_id = id;
	return e;
}

int tn_store_nic_del(struct tn_store *st, uint32_t nic_id, char *err, size_t n)
{
	char user[TN_STORE_NAME_MAX + 1];
	struct tn_nic_rec nic;
	int e = tn_store_nic_get_id(st, nic_id, &nic);

	if (e)
		return e;
	e = rows(st, text_row, user,
		 "SELECT name FROM tenants WHERE access_nic = ?1"
		 " OR uplink_nic = ?1 ORDER BY id LIMIT 1",
		 "u", nic_id);
	if (e < 0)
		return e;
	if (e > 0) {
		tn_errbuf(err, n, "%s is used by tenant \"%s\"", nic.ifname,
			  user);
		return -EBUSY;
	}
	e = exec(st, "DELETE FROM nics WHERE nic_id = ?1", "u", nic_id);
	/* A foreign key failing here means a tenant appeared meanwhile. */
	return e == -ENOENT ? -EBUSY : changed_one(e);
}

/* Tenants */

int tn_store_tenant_alloc_id(struct tn_store *st, uint32_t *id)
{
	return alloc_id(st, LOWEST_FREE("tenants", "id"), TN_MAX_TENANTS, id);
}

static int queue_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	int q = sqlite3_column_int(s, 0);

	(void)st;
	if (q >= 0 && q < TN_MAX_QUEUES)
		*(uint64_t *)arg |= 1ull << q;
	return 0;
}

int tn_store_queue_free(struct tn_store *st, uint32_t nic_id,
			unsigned int nqueues, int16_t *queue)
{
	uint64_t used = 0;
	int e = rows(st, queue_row, &used,
		     "SELECT access_queue FROM tenants WHERE access_nic = ?1"
		     " UNION SELECT uplink_queue FROM tenants"
		     " WHERE uplink_nic = ?1",
		     "u", nic_id);

	if (e < 0)
		return e;
	for (unsigned int q = 0; q < nqueues && q < TN_MAX_QUEUES; q++)
		if (!(used & 1ull << q)) {
			*queue = (int16_t)q;
			return 0;
		}
	return -ENOSPC;
}

static bool has_nul(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

/* Checks p is a prefix with host bits zero; cidr gets its canonical text. */
static int prefix_text(const struct tn_prefix *p, char *cidr, size_t size,
		       char *err, size_t n)
{
	unsigned int max = p->family == AF_INET ? 32 : 128;
	char ip[INET6_ADDRSTRLEN];

	if ((p->family != AF_INET && p->family != AF_INET6) || p->len > max) {
		tn_errbuf(err, n, "bad prefix (family %d, length %u)",
			  p->family, p->len);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);

		if (p->addr[i] & ~mask) {
			inet_ntop(p->family, p->addr, ip, sizeof(ip));
			tn_errbuf(err, n, "prefix %s/%u has host bits set", ip,
				  p->len);
			return -EINVAL;
		}
	}
	inet_ntop(p->family, p->addr, ip, sizeof(ip));
	snprintf(cidr, size, "%s/%u", ip, p->len);
	return 0;
}

/* Prefixes of lengths la, lb overlap iff they agree on min(la, lb) bits. */
static bool overlap(const uint8_t *a, unsigned int la, const uint8_t *b,
		    unsigned int lb)
{
	unsigned int len = la < lb ? la : lb, bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !bits || !((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> bits));
}

struct conflict_ctx {
	const struct tn_prefix *p;
	const char *cidr;
	char *err;
	size_t n;
};

static int conflict_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct conflict_ctx *c = arg;
	const uint8_t *addr = sqlite3_column_blob(s, 0);

	(void)st;
	if (sqlite3_column_bytes(s, 0) != 16 ||
	    !overlap(c->p->addr, c->p->len, addr, sqlite3_column_int(s, 1)))
		return 0;
	tn_errbuf(c->err, c->n, "prefix %s on %s overlaps %s of tenant \"%s\"",
		  c->cidr, sqlite3_column_text(s, 4), sqlite3_column_text(s, 2),
		  sqlite3_column_text(s, 3));
	return -EEXIST;
}

/* A linear scan of the NIC's prefixes of that family: cheap for a control
 * plane, and containment has no simple index in SQLite. */
int tn_store_prefix_conflict(struct tn_store *st, uint32_t nic_id,
			     const struct tn_prefix *p, uint32_t exclude_tenant,
			     char *err, size_t n)
{
	char cidr[TN_STORE_CIDR_MAX + 1];
	struct conflict_ctx c = { p, cidr, err, n };
	int e = prefix_text(p, cidr, sizeof(cidr), err, n);

	if (e)
		return e;
	return rows(
		st, conflict_row, &c,
		"SELECT p.addr, p.len, p.cidr, t.name, n.ifname"
		" FROM tenant_prefixes p JOIN tenants t ON t.id = p.tenant_id"
		" JOIN nics n ON n.nic_id = p.nic_id"
		" WHERE p.nic_id = ?1 AND p.family = ?2 AND p.tenant_id <> ?3",
		"uuu", nic_id, p->family == AF_INET ? 4 : 6, exclude_tenant);
}

/* Looks up a tenant's NIC: it must be attached and have that role. */
static int tenant_nic(struct tn_store *st, uint32_t nic_id, enum tn_role role,
		      struct tn_nic_rec *nic, char *err, size_t n)
{
	int e = tn_store_nic_get_id(st, nic_id, nic);

	if (e == -ENOENT) {
		tn_errbuf(err, n, "%s nic id %u is not attached",
			  tn_role_names[role], nic_id);
		return -ENODEV;
	}
	if (!e && nic->role != role) {
		tn_errbuf(err, n, "%s is an %s nic, not an %s nic", nic->ifname,
			  tn_role_names[nic->role], tn_role_names[role]);
		return -EINVAL;
	}
	return e;
}

struct clash_ctx {
	const struct tn_tenant_rec *t;
	const char *mac;
	const struct tn_nic_rec *access, *uplink;
	char *err;
	size_t n;
};

static int clash_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	const struct clash_ctx *c = arg;
	const struct tn_tenant_rec *t = c->t;
	const char *owner = (const char *)sqlite3_column_text(s, 0);

	(void)st;
	switch (sqlite3_column_int(s, 1)) {
	case 0:
		tn_errbuf(c->err, c->n, "tenant \"%s\" exists", owner);
		break;
	case 1:
		if (t->access_inner_vlan)
			tn_errbuf(
				c->err, c->n,
				"access vlan %u.%u on %s is already tenant \"%s\"'s",
				t->access_vlan, t->access_inner_vlan,
				c->access->ifname, owner);
		else
			tn_errbuf(
				c->err, c->n,
				"access vlan %u on %s is already tenant \"%s\"'s",
				t->access_vlan, c->access->ifname, owner);
		break;
	case 2:
		tn_errbuf(c->err, c->n,
			  "uplink vlan %u on %s is already tenant \"%s\"'s",
			  t->uplink_vlan, c->uplink->ifname, owner);
		break;
	case 3:
		tn_errbuf(
			c->err, c->n,
			"access vlan %u on %s is tenant \"%s\"'s %s: one outer"
			" VLAN is either single-tagged or QinQ, not both",
			t->access_vlan, c->access->ifname, owner,
			t->access_inner_vlan ? "single tag" : "QinQ outer tag");
		break;
	default:
		tn_errbuf(c->err, c->n,
			  "uplink mac %s on %s is already tenant \"%s\"'s",
			  c->mac, c->uplink->ifname, owner);
	}
	return -EEXIST;
}

/* Finds the first unique key of t another tenant has, to name it; the
 * constraints would refuse the insert anyway, but say less. */
static int tenant_clash(struct tn_store *st, const struct clash_ctx *c)
{
	const struct tn_tenant_rec *t = c->t;

	return rows(
		st, clash_row, (void *)c,
		"SELECT name, CASE WHEN name = ?1 THEN 0"
		" WHEN access_nic = ?2 AND access_vlan = ?3"
		"  AND access_inner_vlan = ?4 THEN 1"
		" WHEN ?6 > 0 AND uplink_nic = ?5 AND uplink_vlan = ?6 THEN 2"
		" WHEN access_nic = ?2 AND access_vlan = ?3 THEN 3"
		" ELSE 4 END FROM tenants WHERE id <> ?8 AND (name = ?1"
		" OR (access_nic = ?2 AND access_vlan = ?3"
		"  AND (access_inner_vlan = ?4"
		"   OR (access_inner_vlan = 0) <> (?4 = 0)))"
		" OR (?6 > 0 AND uplink_nic = ?5 AND uplink_vlan = ?6)"
		" OR (uplink_nic = ?5 AND uplink_mac = ?7))"
		" ORDER BY 2 LIMIT 1",
		"suuuuuou", t->name, t->access_nic, t->access_vlan,
		t->access_inner_vlan, t->uplink_nic, t->uplink_vlan, c->mac,
		t->id);
}

static int tenant_check(const struct tn_tenant_rec *t, char *err, size_t n)
{
	bool ok = has_nul(t->name, sizeof(t->name)) &&
		  has_nul(t->gateway, sizeof(t->gateway)) &&
		  has_nul(t->cpuset, sizeof(t->cpuset)) &&
		  t->n_access_addrs <= TN_STORE_MAX_ADDRS &&
		  t->n_uplink_addrs <= TN_STORE_MAX_ADDRS &&
		  t->n_prefixes <= TN_STORE_MAX_PREFIXES &&
		  t->n_sources <= TN_STORE_MAX_SOURCES;

	for (unsigned int i = 0; ok && i < t->n_access_addrs; i++)
		ok = has_nul(t->access_addrs[i], sizeof(t->access_addrs[i]));
	for (unsigned int i = 0; ok && i < t->n_uplink_addrs; i++)
		ok = has_nul(t->uplink_addrs[i], sizeof(t->uplink_addrs[i]));
	if (!ok)
		tn_errbuf(err, n, "malformed tenant record");
	return ok ? 0 : -EINVAL;
}

static int addrs_add(struct tn_store *st, uint32_t id, const char *side,
		     const char (*addrs)[TN_STORE_CIDR_MAX + 1],
		     unsigned int cnt)
{
	int e = 0;

	for (unsigned int i = 0; e >= 0 && i < cnt; i++)
		e = exec(st,
			 "INSERT INTO tenant_addrs (tenant_id, side, cidr)"
			 " VALUES (?1, ?2, ?3)",
			 "uss", id, side, addrs[i]);
	return ok(e);
}

/* The row, then its children; sp_end undoes all of it on any failure. */
static int tenant_insert(struct tn_store *st, struct tn_tenant_rec *t,
			 const char *mac, char *err, size_t n)
{
	const struct tn_limits *l = &t->limits;
	int e;

	t->created = time(NULL);
	if (t->mode != TN_MODE_DIRECT)
		t->access_queue = t->uplink_queue = -1;
	e = exec(st,
		 "INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		 " access_inner_vlan, uplink_nic, uplink_vlan, uplink_mac,"
		 " gateway, cpu_millicores, cpuset, memory_bytes, pids,"
		 " rate_bps, pps, state, created, access_queue, uplink_queue,"
		 " source_check, burst_bytes, burst_ns, shape, fastpath)"
		 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		 " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
		 " ?25)",
		 "ussuuuuuoouoUUUUsIIIuUUuu", t->id, t->name,
		 ENAME(tn_tenant_mode_names, t->mode), t->access_nic,
		 t->access_vlan, t->access_inner_vlan, t->uplink_nic,
		 t->uplink_vlan, mac, t->gateway, l->cpu_millicores, t->cpuset,
		 l->memory_bytes, l->pids, l->rate_bps, l->pps,
		 ENAME(state_names, t->state), (int64_t)t->created,
		 (int64_t)t->access_queue, (int64_t)t->uplink_queue,
		 t->source_check ? 1u : 0u, l->burst_bytes, l->burst_ns,
		 l->police_only ? 0u : 1u, t->fastpath ? 1u : 0u);
	if (e >= 0)
		e = addrs_add(st, t->id, "access", t->access_addrs,
			      t->n_access_addrs);
	if (e >= 0)
		e = addrs_add(st, t->id, "uplink", t->uplink_addrs,
			      t->n_uplink_addrs);
	for (unsigned int i = 0; e >= 0 && i < t->n_sources; i++) {
		char cidr[TN_STORE_CIDR_MAX + 1];

		e = prefix_text(&t->sources[i], cidr, sizeof(cidr), err, n);
		if (!e)
			e = exec(st,
				 "INSERT INTO tenant_sources (tenant_id, cidr)"
				 " VALUES (?1, ?2)",
				 "us", t->id, cidr);
	}
	for (unsigned int i = 0; e >= 0 && i < t->n_prefixes; i++) {
		const struct tn_prefix *p = &t->prefixes[i];
		char cidr[TN_STORE_CIDR_MAX + 1];

		e = prefix_text(p, cidr, sizeof(cidr), err, n);
		if (!e)
			e = tn_store_prefix_conflict(st, t->uplink_nic, p,
						     t->id, err, n);
		if (!e)
			e = exec(st,
				 "INSERT INTO tenant_prefixes (tenant_id,"
				 " nic_id, family, addr, len, cidr)"
				 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				 "uuubus", t->id, t->uplink_nic,
				 p->family == AF_INET ? 4 : 6, p->addr, 16,
				 p->len, cidr);
	}
	return ok(e);
}

int tn_store_tenant_add(struct tn_store *st, struct tn_tenant_rec *t, char *err,
			size_t n)
{
	struct tn_nic_rec access, uplink;
	char mac[18] = "";
	struct clash_ctx c = { t, mac, &access, &uplink, err, n };
	uint32_t given = t->id;
	int e;

	if (err && n)
		*err = 0;
	e = tenant_check(t, err, n);
	if (e)
		return e;
	if (t->has_uplink_mac)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 t->uplink_mac[0], t->uplink_mac[1], t->uplink_mac[2],
			 t->uplink_mac[3], t->uplink_mac[4], t->uplink_mac[5]);
	e = sp_begin(st);
	if (!e)
		e = tenant_nic(st, t->access_nic, TN_ROLE_ACCESS, &access, err,
			       n);
	if (!e)
		e = tenant_nic(st, t->uplink_nic, TN_ROLE_UPLINK, &uplink, err,
			       n);
	if (!e && !t->id)
		e = tn_store_tenant_alloc_id(st, &t->id);
	if (!e)
		e = tenant_clash(st, &c);
	if (!e)
		e = tenant_insert(st, t, mac, err, n);
	e = sp_end(st, e);
	if (e) {
		/* A duplicate within t itself, or an id already taken. */
		if (e == -EEXIST && err && n && !*err)
			tn_errbuf(err, n,
				  "tenant \"%s\" (id %u) repeats an address"
				  " or prefix, or its id is taken",
				  t->name, t->id);
		t->id = given;
	}
	return e;
}

#define TENANT_COLS                                                          \
	"SELECT id, name, mode, access_nic, access_vlan, access_inner_vlan," \
	" uplink_nic, uplink_vlan, uplink_mac, gateway, cpu_millicores,"     \
	" cpuset, memory_bytes, pids, rate_bps, pps, state, created,"        \
	" access_queue, uplink_queue, source_check, burst_bytes, burst_ns,"  \
	" shape, fastpath"                                                   \
	" FROM tenants"

static int addr_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct tn_tenant_rec *t = arg;
	bool access =
		!strcmp((const char *)sqlite3_column_text(s, 0), "access");
	unsigned int *cnt = access ? &t->n_access_addrs : &t->n_uplink_addrs;
	char(*addrs)[TN_STORE_CIDR_MAX + 1] = access ? t->access_addrs :
						       t->uplink_addrs;

	if (*cnt == TN_STORE_MAX_ADDRS) {
		tn_err("store: tenant %u has over %d %s addresses\n", t->id,
		       TN_STORE_MAX_ADDRS, access ? "access" : "uplink");
		(void)st;
		return -EIO;
	}
	col_text(s, 1, addrs[(*cnt)++], sizeof(addrs[0]));
	return 0;
}

static int prefix_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct tn_tenant_rec *t = arg;
	struct tn_prefix *p = &t->prefixes[t->n_prefixes];

	(void)st;
	if (t->n_prefixes == TN_STORE_MAX_PREFIXES ||
	    sqlite3_column_bytes(s, 1) != sizeof(p->addr)) {
		tn_err("store: tenant %u has a bad prefix\n", t->id);
		return -EIO;
	}
	p->family = sqlite3_column_int(s, 0) == 4 ? AF_INET : AF_INET6;
	memcpy(p->addr, sqlite3_column_blob(s, 1), sizeof(p->addr));
	p->len = sqlite3_column_int(s, 2);
	t->n_prefixes++;
	return 0;
}

static int source_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct tn_tenant_rec *t = arg;
	struct tn_prefix *p = &t->sources[t->n_sources];

	(void)st;
	if (t->n_sources == TN_STORE_MAX_SOURCES ||
	    tn_parse_prefix((const char *)sqlite3_column_text(s, 0), 1,
			    &p->family, p->addr, &p->len)) {
		tn_err("store: tenant %u has a bad source prefix\n", t->id);
		return -EIO;
	}
	t->n_sources++;
	return 0;
}

/* Reads the current row of a TENANT_COLS statement, then the children. */
static int tenant_read(struct tn_store *st, sqlite3_stmt *s,
		       struct tn_tenant_rec *t)
{
	const char *mac = (const char *)sqlite3_column_text(s, 8);
	int e;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, t->name, sizeof(t->name));
	t->mode = EVALUE(tn_tenant_mode_names, s, 2);
	t->access_nic = sqlite3_column_int64(s, 3);
	t->access_vlan = sqlite3_column_int(s, 4);
	t->access_inner_vlan = sqlite3_column_int(s, 5);
	t->uplink_nic = sqlite3_column_int64(s, 6);
	t->uplink_vlan = sqlite3_column_int(s, 7);
	t->has_uplink_mac = mac &&
			    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				   &t->uplink_mac[0], &t->uplink_mac[1],
				   &t->uplink_mac[2], &t->uplink_mac[3],
				   &t->uplink_mac[4], &t->uplink_mac[5]) == 6;
	col_text(s, 9, t->gateway, sizeof(t->gateway));
	t->limits.cpu_millicores = sqlite3_column_int64(s, 10);
	col_text(s, 11, t->cpuset, sizeof(t->cpuset));
	t->limits.memory_bytes = sqlite3_column_int64(s, 12);
	t->limits.pids = sqlite3_column_int64(s, 13);
	t->limits.rate_bps = sqlite3_column_int64(s, 14);
	t->limits.pps = sqlite3_column_int64(s, 15);
	t->state = EVALUE(state_names, s, 16);
	t->created = sqlite3_column_int64(s, 17);
	t->access_queue = (int16_t)sqlite3_column_int(s, 18);
	t->uplink_queue = (int16_t)sqlite3_column_int(s, 19);
	t->source_check = sqlite3_column_int(s, 20) != 0;
	t->limits.burst_bytes = sqlite3_column_int64(s, 21);
	t->limits.burst_ns = sqlite3_column_int64(s, 22);
	t->limits.police_only = sqlite3_column_int(s, 23) == 0;
	t->fastpath = sqlite3_column_int(s, 24) != 0;
	e = rows(st, addr_row, t,
		 "SELECT side, cidr FROM tenant_addrs WHERE tenant_id = ?1"
		 " ORDER BY rowid",
		 "u", t->id);
	if (!e)
		e = rows(st, prefix_row, t,
			 "SELECT family, addr, len FROM tenant_prefixes"
			 " WHERE tenant_id = ?1 ORDER BY rowid",
			 "u", t->id);
	if (!e)
		e = rows(st, source_row, t,
			 "SELECT cidr FROM tenant_sources WHERE tenant_id = ?1"
			 " ORDER BY rowid",
			 "u", t->id);
	return e;
}

static int tenant_get_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	int e = tenant_read(st, s, arg);

	return e ? e : 1;
}

static int tenant_list_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct list_ctx *c = arg;
	struct tn_tenant_rec t;
	int e = tenant_read(st, s, &t);

	return e ? e : c->cb.tenant(&t, c->arg);
}

int tn_store_tenant_get(struct tn_store *st, uint32_t id,
			struct tn_tenant_rec *t)
{
	return found(rows(st, tenant_get_row, t, TENANT_COLS " WHERE id = ?1",
			  "u", id));
}

int tn_store_tenant_get_by_name(struct tn_store *st, const char *name,
				struct tn_tenant_rec *t)
{
	return found(rows(st, tenant_get_row, t, TENANT_COLS " WHERE name = ?1",
			  "s", name));
}

int tn_store_tenant_list(struct tn_store *st, tn_store_tenant_cb cb, void *arg)
{
	struct list_ctx c = { .cb.tenant = cb, .arg = arg };

	return rows(st, tenant_list_row, &c, TENANT_COLS " ORDER BY id", "");
}

int tn_store_tenant_set_state(struct tn_store *st, uint32_t id,
			      enum tn_tenant_state state)
{
	return changed_one(exec(st,
				"UPDATE tenants SET state = ?2 WHERE id = ?1",
				"us", id, ENAME(state_names, state)));
}

int tn_store_router_build(struct tn_store *st, uint32_t id,
			  char build[TN_STORE_NAME_MAX + 1])
{
	*build = '\0';
	return found(rows(st, text_row, build,
			  "SELECT router_build FROM tenants WHERE id = ?1", "u",
			  id));
}

int tn_store_set_router_build(struct tn_store *st, uint32_t id,
			      const char *build)
{
	return changed_one(exec(st,
				"UPDATE tenants SET router_build = ?2"
				" WHERE id = ?1",
				"us", id, build));
}

int tn_store_tenant_update_limits(struct tn_store *st, uint32_t id,
				  const struct tn_limits *l)
{
	return changed_one(exec(st,
				"UPDATE tenants SET cpu_millicores = ?2,"
				" memory_bytes = ?3, pids = ?4, rate_bps = ?5,"
				" pps = ?6, burst_bytes = ?7, burst_ns = ?8,"
				" shape = ?9 WHERE id = ?1",
				"uuUUUUUUu", id, l->cpu_millicores,
				l->memory_bytes, l->pids, l->rate_bps, l->pps,
				l->burst_bytes, l->burst_ns,
				l->police_only ? 0u : 1u));
}

int tn_store_tenant_set_source_check(struct tn_store *st, uint32_t id, bool on)
{
	return changed_one(exec(st,
				"UPDATE tenants SET source_check = ?2"
				" WHERE id = ?1",
				"uu", id, on ? 1u : 0u));
}

int tn_store_tenant_set_fastpath(struct tn_store *st, uint32_t id, bool on)
{
	return changed_one(
		exec(st, "UPDATE tenants SET fastpath = ?2 WHERE id = ?1", "uu",
		     id, on ? 1u : 0u));
}

int tn_store_tenant_set_cpuset(struct tn_store *st, uint32_t id,
			       const char *cpuset)
{
	return changed_one(exec(st,
				"UPDATE tenants SET cpuset = NULLIF(?2, '')"
				" WHERE id = ?1",
				"us", id, cpuset));
}

int tn_store_tenant_del(struct tn_store *st, uint32_t id)
{
	return changed_one(
		exec(st, "DELETE FROM tenants WHERE id = ?1", "u", id));
}

const char *tn_store_state_name(enum tn_tenant_state state)
{
	const char *s = ENAME(state_names, state);

	return s ? s : "unknown";
}

/* Routes */

int tn_store_route_add(struct tn_store *st, const struct tn_route_rec *r,
		       char *err, size_t n)
{
	int e = exec(st,
		     "INSERT INTO routes (tenant_id, cidr, via)"
		     " VALUES (?1, ?2, ?3)",
		     "uss", r->tenant_id, r->cidr, r->via);

	if (e == -EEXIST)
		tn_errbuf(err, n, "tenant %u already has a route to %s",
			  r->tenant_id, r->cidr);
	else if (e == -ENOENT)
		tn_errbuf(err, n, "no tenant %u", r->tenant_id);
	return ok(e);
}

int tn_store_route_del(struct tn_store *st, uint32_t tenant_id,
		       const char *cidr)
{
	return changed_one(exec(st,
				"DELETE FROM routes WHERE tenant_id = ?1"
				" AND cidr = ?2",
				"us", tenant_id, cidr));
}

static int route_row(struct tn_store *st, sqlite3_stmt *s, void *arg)
{
	struct list_ctx *c = arg;
	struct tn_route_rec r;

	(void)st;
	r.tenant_id = sqlite3_column_int64(s, 0);
	col_text(s, 1, r.cidr, sizeof(r.cidr));
	col_text(s, 2, r.via, sizeof(r.via));
	return c->cb.route(&r, c->arg);
}

int tn_store_route_list(struct tn_store *st, uint32_t tenant_id,
			tn_store_route_cb cb, void *arg)
{
	struct list_ctx c = { .cb.route = cb, .arg = arg };

	return rows(st, route_row, &c,
		    "SELECT tenant_id, cidr, via FROM routes"
		    " WHERE ?1 = 0 OR tenant_id = ?1 ORDER BY tenant_id, rowid",
		    "u", tenant_id);
}
