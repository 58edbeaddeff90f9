// SPDX-License-Identifier: GPL-2.0
/*
 * agent/store.c: what is stored comes back, what must be refused is, and a
 * refusal changes nothing (every refusal compares row counts before and
 * after). Each test gets a fresh database in its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "parse.h"
#include "store.h"

struct fx {
	char dir[64];
	char path[96];
	struct tn_store *st;
	char err[256];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/tn-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/state.db", f->dir);
	assert_int_equal(tn_store_open(f->path, &f->st), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[128];

	tn_store_close(f->st);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void reopen(struct fx *f)
{
	tn_store_close(f->st);
	assert_int_equal(tn_store_open(f->path, &f->st), 0);
}

/* The store turns on extended result codes: compare the primary one. */
static int raw(struct tn_store *st, const char *sql)
{
	return sqlite3_exec(tn_store_db(st), sql, NULL, NULL, NULL) & 0xff;
}

static long long sql_int(struct tn_store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(tn_store_db(st), sql, -1, &s, NULL),
			 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Row counts of every table, to show a refusal changed nothing. */
static long long fingerprint(struct tn_store *st)
{
	return sql_int(st, "SELECT (SELECT count(*) FROM nics)"
			   " + 100 * (SELECT count(*) FROM tenants)"
			   " + 10000 * (SELECT count(*) FROM tenant_addrs)"
			   " + 1000000 * (SELECT count(*) FROM tenant_prefixes)"
			   " + 100000000 * (SELECT count(*) FROM routes)");
}

static void nic(struct tn_store *st, uint32_t id, const char *ifname,
		enum tn_role role)
{
	struct tn_nic_rec n = { .nic_id = id, .role = role };

	snprintf(n.ifname, sizeof(n.ifname), "%s", ifname);
	assert_int_equal(tn_store_nic_add(st, &n, NULL, 0), 0);
}

/* eth1 (id 1) access, eth2 (id 2) and eth3 (id 3) uplinks. */
static void nics(struct tn_store *st)
{
	nic(st, 1, "eth1", TN_ROLE_ACCESS);
	nic(st, 2, "eth2", TN_ROLE_UPLINK);
	nic(st, 3, "eth3", TN_ROLE_UPLINK);
}

static void pfx(struct tn_tenant_rec *t, const char *s)
{
	struct tn_prefix *p = &t->prefixes[t->n_prefixes++];
	char ip[64];
	char *slash;

	snprintf(ip, sizeof(ip), "%s", s);
	slash = strchr(ip, '/');
	*slash = 0;
	p->family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p->family, ip, p->addr), 1);
	p->len = atoi(slash + 1);
}

static struct tn_tenant_rec tenant(const char *name, uint16_t vlan,
				   uint16_t inner)
{
	struct tn_tenant_rec t = {
		.access_nic = 1,
		.access_vlan = vlan,
		.access_inner_vlan = inner,
		.uplink_nic = 2,
	};

	snprintf(t.name, sizeof(t.name), "%s", name);
	return t;
}

static int add(struct fx *f, struct tn_tenant_rec *t)
{
	f->err[0] = 0;
	return tn_store_tenant_add(f->st, t, f->err, sizeof(f->err));
}

/* Adds t and expects err with nothing changed. */
static void refused(struct fx *f, struct tn_tenant_rec *t, int err)
{
	long long before = fingerprint(f->st);

	assert_int_equal(add(f, t), err);
	assert_int_equal(fingerprint(f->st), before);
}

static struct tn_tenant_rec full_tenant(void)
{
	struct tn_tenant_rec t = tenant("acme", 100, 0);
	static const uint8_t mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 };

	t.mode = TN_MODE_DIRECT;
	t.access_queue = 1;
	t.uplink_queue = 0;
	t.uplink_vlan = 200;
	t.has_uplink_mac = true;
	memcpy(t.uplink_mac, mac, 6);
	strcpy(t.gateway, "192.0.2.1");
	strcpy(t.cpuset, "0-1");
	t.limits = (struct tn_limits){ 1500,  1 << 30, 512, 100000000,
				       50000, 2 << 20, 0,   false };
	t.n_access_addrs = 2;
	strcpy(t.access_addrs[0], "10.1.0.1/24");
	strcpy(t.access_addrs[1], "2001:db8:1::1/64");
	t.n_uplink_addrs = 1;
	strcpy(t.uplink_addrs[0], "192.0.2.10/24");
	pfx(&t, "198.51.100.0/24");
	pfx(&t, "2001:db8:100::/48");
	return t;
}

static void same_tenant(const struct tn_tenant_rec *a,
			const struct tn_tenant_rec *b)
{
	assert_int_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->access_nic, b->access_nic);
	assert_int_equal(a->access_vlan, b->access_vlan);
	assert_int_equal(a->access_inner_vlan, b->access_inner_vlan);
	assert_int_equal(a->uplink_nic, b->uplink_nic);
	assert_int_equal(a->uplink_vlan, b->uplink_vlan);
	assert_int_equal(a->access_queue, b->access_queue);
	assert_int_equal(a->uplink_queue, b->uplink_queue);
	assert_int_equal(a->has_uplink_mac, b->has_uplink_mac);
	assert_memory_equal(a->uplink_mac, b->uplink_mac, 6);
	assert_string_equal(a->gateway, b->gateway);
	assert_string_equal(a->cpuset, b->cpuset);
	assert_int_equal(a->limits.cpu_millicores, b->limits.cpu_millicores);
	assert_int_equal(a->limits.memory_bytes, b->limits.memory_bytes);
	assert_int_equal(a->limits.pids, b->limits.pids);
	assert_int_equal(a->limits.rate_bps, b->limits.rate_bps);
	assert_int_equal(a->limits.pps, b->limits.pps);
	assert_int_equal(a->limits.burst_bytes, b->limits.burst_bytes);
	assert_int_equal(a->limits.burst_ns, b->limits.burst_ns);
	assert_int_equal(a->limits.police_only, b->limits.police_only);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->n_access_addrs, b->n_access_addrs);
	for (unsigned int i = 0; i < a->n_access_addrs; i++)
		assert_string_equal(a->access_addrs[i], b->access_addrs[i]);
	assert_int_equal(a->n_uplink_addrs, b->n_uplink_addrs);
	for (unsigned int i = 0; i < a->n_uplink_addrs; i++)
		assert_string_equal(a->uplink_addrs[i], b->uplink_addrs[i]);
	assert_int_equal(a->source_check, b->source_check);
	assert_int_equal(a->n_sources, b->n_sources);
	for (unsigned int i = 0; i < a->n_sources; i++) {
		assert_int_equal(a->sources[i].family, b->sources[i].family);
		assert_int_equal(a->sources[i].len, b->sources[i].len);
		assert_memory_equal(a->sources[i].addr, b->sources[i].addr, 16);
	}
	assert_int_equal(a->n_prefixes, b->n_prefixes);
	assert_memory_equal(a->prefixes, b->prefixes,
			    a->n_prefixes * sizeof(a->prefixes[0]));
}

static void test_reopen_persists(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = full_tenant(), got;

	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(t.id, 1);
	assert_true(t.created > 0);
	reopen(f);
	assert_int_equal(tn_store_tenant_get_by_name(f->st, "acme", &got), 0);
	same_tenant(&t, &got);
	assert_int_equal(tn_store_tenant_get(f->st, 1, &got), 0);
	same_tenant(&t, &got);
	assert_int_equal(tn_store_tenant_get_by_name(f->st, "nope", &got),
			 -ENOENT);
	assert_int_equal(tn_store_tenant_get(f->st, 2, &got), -ENOENT);
}

static void test_pragmas(void **state)
{
	struct fx *f = *state;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(tn_store_db(f->st),
					    "PRAGMA journal_mode", -1, &s,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	assert_int_equal(sql_int(f->st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(sql_int(f->st, "PRAGMA busy_timeout"),
			 TN_STORE_BUSY_MS);
	assert_int_equal(tn_store_schema_version(f->st),
			 TN_STORE_SCHEMA_VERSION);
}

static void test_migrate_from_v1(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec got;
	struct tn_nic_rec n;
	struct tn_route_rec r = { 1, "10.9.0.0/16", "10.1.0.254" };

	/* A fresh file opened as the first tenetd would have left it, with
	 * a row as that tenetd wrote it. */
	tn_store_close(f->st);
	unlink(f->path);
	assert_int_equal(tn_store_open_version(f->path, 1, &f->st), 0);
	assert_int_equal(tn_store_schema_version(f->st), 1);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM sqlite_master"
					" WHERE name = 'routes'"),
			 0);
	/* As v1's tenetd wrote them: no zerocopy column yet (v8). */
	assert_int_equal(raw(f->st, "INSERT INTO nics VALUES"
				    " (1, 'eth1', 'access', 'native', 'pass'),"
				    " (2, 'eth2', 'uplink', 'native', 'pass'),"
				    " (3, 'eth3', 'uplink', 'native', 'pass')"),
			 SQLITE_OK);
	assert_int_equal(raw(f->st, "INSERT INTO tenants (id, name, mode,"
				    " access_nic, access_vlan, uplink_nic,"
				    " created) VALUES (1, 'old', 'veth', 1,"
				    " 10, 2, 0)"),
			 SQLITE_OK);

	reopen(f);
	assert_int_equal(tn_store_schema_version(f->st),
			 TN_STORE_SCHEMA_VERSION);
	assert_int_equal(tn_store_tenant_get_by_name(f->st, "old", &got), 0);
	assert_int_equal(got.id, 1);
	assert_int_equal(got.mode, TN_MODE_VETH);
	assert_int_equal(got.access_vlan, 10);
	assert_int_equal(got.access_queue, -1);
	assert_int_equal(got.uplink_queue, -1);
	/* v8: NICs of before it stay copy only. */
	assert_int_equal(tn_store_nic_get(f->st, "eth1", &n), 0);
	assert_false(n.zerocopy);
	assert_int_equal(tn_store_route_add(f->st, &r, NULL, 0), 0);
	/* v2's trigger checks roles even past the C check. */
	assert_int_equal(raw(f->st, "UPDATE tenants SET uplink_nic = 1"),
			 SQLITE_CONSTRAINT);
	/* v3's: direct mode owns queues, veth mode none. */
	assert_int_equal(raw(f->st, "INSERT INTO tenants (id, name, mode,"
				    " access_nic, access_vlan, uplink_nic,"
				    " created) VALUES (2, 'd', 'direct', 1,"
				    " 11, 2, 0)"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw(f->st, "INSERT INTO tenants (id, name, mode,"
				    " access_nic, access_vlan, uplink_nic,"
				    " created, access_queue, uplink_queue)"
				    " VALUES (2, 'd', 'veth', 1, 11, 2, 0, 1,"
				    " 1)"),
			 SQLITE_CONSTRAINT);
	/* v5's: an old tenant has the default burst; a burst is bytes or a
	 * time, never both, and no time over a second. */
	assert_int_equal(got.limits.burst_bytes, 0);
	assert_int_equal(got.limits.burst_ns, 0);
	assert_int_equal(raw(f->st, "UPDATE tenants SET burst_bytes = 2,"
				    " burst_ns = 1 WHERE id = 1"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw(f->st, "UPDATE tenants SET burst_ns = 1000000001"
				    " WHERE id = 1"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(raw(f->st, "UPDATE tenants SET burst_ns = 50000000"
				    " WHERE id = 1"),
			 SQLITE_OK);
}

static void test_newer_schema_refused(void **state)
{
	struct fx *f = *state;

	assert_int_equal(raw(f->st, "UPDATE meta SET value = 99"
				    " WHERE key = 'schema_version'"),
			 SQLITE_OK);
	tn_store_close(f->st);
	f->st = NULL;
	assert_int_equal(tn_store_open(f->path, &f->st), -EPROTONOSUPPORT);
	assert_null(f->st);
	assert_int_equal(tn_store_open_version(
				 f->path, TN_STORE_SCHEMA_VERSION + 1, &f->st),
			 -EINVAL);
	assert_int_equal(tn_store_open_version(f->path, 0, &f->st), -EINVAL);
}

static int count_nic(const struct tn_nic_rec *n, void *arg)
{
	(void)n;
	++*(int *)arg;
	return 0;
}

static void test_nics(void **state)
{
	struct fx *f = *state;
	struct tn_nic_rec n = { .ifname = "eth1",
				.role = TN_ROLE_UPLINK,
				.xdp_mode = TN_XDP_GENERIC,
				.default_action = TN_DEFAULT_DROP,
				.zerocopy = true },
			  got;
	long long before;
	int cnt = 0;

	assert_int_equal(tn_store_nic_add(f->st, &n, NULL, 0), 0);
	assert_int_equal(n.nic_id, 1);
	nic(f->st, 0, "eth2", TN_ROLE_ACCESS);
	assert_int_equal(tn_store_nic_get(f->st, "eth1", &got), 0);
	assert_int_equal(got.nic_id, 1);
	assert_string_equal(got.ifname, "eth1");
	assert_int_equal(got.role, TN_ROLE_UPLINK);
	assert_int_equal(got.xdp_mode, TN_XDP_GENERIC);
	assert_int_equal(got.default_action, TN_DEFAULT_DROP);
	assert_true(got.zerocopy);
	assert_int_equal(tn_store_nic_get_id(f->st, 2, &got), 0);
	assert_string_equal(got.ifname, "eth2");
	assert_int_equal(got.role, TN_ROLE_ACCESS);
	assert_int_equal(got.xdp_mode, TN_XDP_NATIVE);
	assert_int_equal(got.default_action, TN_DEFAULT_PASS);
	assert_false(got.zerocopy);
	assert_int_equal(tn_store_nic_list(f->st, count_nic, &cnt), 0);
	assert_int_equal(cnt, 2);

	before = fingerprint(f->st);
	n.nic_id = 0;
	assert_int_equal(tn_store_nic_add(f->st, &n, f->err, sizeof(f->err)),
			 -EEXIST);
	assert_non_null(strstr(f->err, "eth1"));
	n.nic_id = 2;
	strcpy(n.ifname, "eth9");
	assert_int_equal(tn_store_nic_add(f->st, &n, NULL, 0), -EEXIST);
	n.nic_id = 64;
	assert_int_equal(tn_store_nic_add(f->st, &n, NULL, 0), -EINVAL);
	n.nic_id = 0;
	n.role = 7;
	assert_int_equal(tn_store_nic_add(f->st, &n, NULL, 0), -EINVAL);
	assert_int_equal(fingerprint(f->st), before);

	assert_int_equal(tn_store_nic_del(f->st, 1, NULL, 0), 0);
	assert_int_equal(tn_store_nic_get(f->st, "eth1", &got), -ENOENT);
	assert_int_equal(tn_store_nic_del(f->st, 1, NULL, 0), -ENOENT);
	/* The lowest free id is reused. */
	nic(f->st, 0, "eth3", TN_ROLE_ACCESS);
	assert_int_equal(tn_store_nic_get(f->st, "eth3", &got), 0);
	assert_int_equal(got.nic_id, 1);
}

static void test_nic_del_in_use(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = tenant("acme", 100, 0);
	long long before;

	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	before = fingerprint(f->st);
	assert_int_equal(tn_store_nic_del(f->st, 1, f->err, sizeof(f->err)),
			 -EBUSY);
	assert_string_equal(f->err, "eth1 is used by tenant \"acme\"");
	assert_int_equal(tn_store_nic_del(f->st, 2, NULL, 0), -EBUSY);
	assert_int_equal(fingerprint(f->st), before);
	/* Defence in depth: the foreign key refuses it too. */
	assert_int_equal(raw(f->st, "DELETE FROM nics WHERE nic_id = 2"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(tn_store_nic_del(f->st, 3, NULL, 0), 0);
}

static int collect(const struct tn_tenant_rec *t, void *arg)
{
	char *names = arg;

	strcat(names, t->name);
	strcat(names, ",");
	return 0;
}

static int stop_at_first(const struct tn_tenant_rec *t, void *arg)
{
	(void)t;
	(void)arg;
	return 42;
}

static void test_tenant_crud(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = full_tenant(), b = tenant("beta", 101, 0), got;
	struct tn_route_rec r = { 1, "10.9.0.0/16", "10.1.0.254" };
	char names[64] = "";

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	assert_int_equal(add(f, &b), 0);
	assert_int_equal(b.id, 2);
	assert_int_equal(tn_store_route_add(f->st, &r, NULL, 0), 0);
	assert_int_equal(tn_store_tenant_list(f->st, collect, names), 0);
	assert_string_equal(names, "acme,beta,");
	assert_int_equal(tn_store_tenant_list(f->st, stop_at_first, NULL), 42);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM tenant_addrs"),
			 3);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM tenant_prefixes"),
			 2);

	assert_int_equal(tn_store_tenant_del(f->st, a.id), 0);
	assert_int_equal(tn_store_tenant_del(f->st, a.id), -ENOENT);
	assert_int_equal(tn_store_tenant_get_by_name(f->st, "acme", &got),
			 -ENOENT);
	/* The cascade took its addresses, prefixes and routes. */
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM tenant_addrs"),
			 0);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM tenant_prefixes"),
			 0);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM routes"), 0);
	assert_int_equal(tn_store_tenant_get_by_name(f->st, "beta", &got), 0);
	same_tenant(&b, &got);
}

static void test_duplicate_name(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("acme", 100, 0);
	struct tn_tenant_rec b = tenant("acme", 101, 0);

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	refused(f, &b, -EEXIST);
	assert_string_equal(f->err, "tenant \"acme\" exists");
	assert_int_equal(b.id, 0);
}

static void test_same_vlan(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("acme", 100, 0);
	struct tn_tenant_rec b = tenant("beta", 100, 0);

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	refused(f, &b, -EEXIST);
	assert_string_equal(
		f->err, "access vlan 100 on eth1 is already tenant \"acme\"'s");
	/* An explicit id that is taken: the primary key refuses it. */
	b = tenant("beta", 101, 0);
	b.id = a.id;
	refused(f, &b, -EEXIST);
	assert_int_equal(b.id, a.id);
}

static void test_inner_vlan(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 5), b = tenant("b", 100, 5);
	struct tn_tenant_rec c = tenant("c", 100, 6), d = tenant("d", 100, 0);

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	refused(f, &b, -EEXIST);
	assert_string_equal(
		f->err, "access vlan 100.5 on eth1 is already tenant \"a\"'s");
	assert_int_equal(add(f, &c), 0);
	/* Single-tagged 100 beside QinQ 100.x: a customer of the one could
	 * put the other's inner tag under the switch's tag (issue 13). */
	refused(f, &d, -EEXIST);
	assert_string_equal(
		f->err, "access vlan 100 on eth1 is tenant \"a\"'s QinQ outer"
			" tag: one outer VLAN is either single-tagged or"
			" QinQ, not both");
}

static void test_single_then_qinq(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 100, 7);

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	refused(f, &b, -EEXIST);
	assert_string_equal(f->err,
			    "access vlan 100 on eth1 is tenant \"a\"'s single"
			    " tag: one outer VLAN is either single-tagged or"
			    " QinQ, not both");
}

static void test_uplink_vlan_and_mac(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0);

	nics(f->st);
	a.uplink_vlan = 200;
	a.has_uplink_mac = true;
	a.uplink_mac[5] = 1;
	assert_int_equal(add(f, &a), 0);

	b.uplink_vlan = 200;
	refused(f, &b, -EEXIST);
	assert_string_equal(
		f->err, "uplink vlan 200 on eth2 is already tenant \"a\"'s");

	b.uplink_vlan = 0;
	b.has_uplink_mac = true;
	b.uplink_mac[5] = 1;
	refused(f, &b, -EEXIST);
	assert_string_equal(
		f->err,
		"uplink mac 00:00:00:00:00:01 on eth2 is already tenant \"a\"'s");

	/* The same MAC and tag on another uplink NIC are another tenant's. */
	b.uplink_vlan = 200;
	b.uplink_nic = 3;
	assert_int_equal(add(f, &b), 0);
	/* Untagged uplinks without a MAC are shared. */
	a = tenant("c", 102, 0);
	b = tenant("d", 103, 0);
	assert_int_equal(add(f, &a), 0);
	assert_int_equal(add(f, &b), 0);
}

static void overlap_case(void **state, const char *first, const char *second,
			 const char *msg)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0);

	nics(f->st);
	pfx(&a, first);
	assert_int_equal(add(f, &a), 0);
	pfx(&b, "203.0.113.0/24");
	pfx(&b, second);
	refused(f, &b, -EEXIST);
	assert_string_equal(f->err, msg);
	/* On another uplink NIC the same prefix is free. */
	b.uplink_nic = 3;
	assert_int_equal(add(f, &b), 0);
}

static void test_overlap_shorter_first(void **state)
{
	overlap_case(state, "10.0.0.0/16", "10.0.1.0/24",
		     "prefix 10.0.1.0/24 on eth2 overlaps 10.0.0.0/16"
		     " of tenant \"a\"");
}

static void test_overlap_longer_first(void **state)
{
	overlap_case(state, "10.0.1.0/24", "10.0.0.0/16",
		     "prefix 10.0.0.0/16 on eth2 overlaps 10.0.1.0/24"
		     " of tenant \"a\"");
}

static void test_overlap_ipv6(void **state)
{
	overlap_case(state, "2001:db8::/32", "2001:db8:1::/48",
		     "prefix 2001:db8:1::/48 on eth2 overlaps 2001:db8::/32"
		     " of tenant \"a\"");
}

static void test_overlap_equal(void **state)
{
	overlap_case(state, "10.0.0.0/16", "10.0.0.0/16",
		     "prefix 10.0.0.0/16 on eth2 overlaps 10.0.0.0/16"
		     " of tenant \"a\"");
}

static void test_no_overlap(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0);
	struct tn_tenant_rec c = tenant("c", 102, 0);

	nics(f->st);
	pfx(&a, "10.0.0.0/16");
	pfx(&a, "2001:db8::/32");
	assert_int_equal(add(f, &a), 0);
	/* Neighbours, not overlaps; and families never overlap. */
	pfx(&b, "10.1.0.0/16");
	pfx(&b, "10.0.0.0/8");
	b.n_prefixes = 1;
	pfx(&b, "2001:db9::/32");
	pfx(&b, "0.0.0.0/1");
	refused(f, &b, -EEXIST); /* 0.0.0.0/1 contains 10.0.0.0/16 */
	b.n_prefixes = 2;
	assert_int_equal(add(f, &b), 0);
	/* A tenant never conflicts with itself. */
	assert_int_equal(tn_store_prefix_conflict(f->st, 2, &a.prefixes[0],
						  a.id, NULL, 0),
			 0);
	assert_int_equal(tn_store_prefix_conflict(f->st, 2, &a.prefixes[0], 0,
						  NULL, 0),
			 -EEXIST);
	/* Host bits set: not a prefix. */
	pfx(&c, "10.2.0.1/16");
	refused(f, &c, -EINVAL);
	assert_string_equal(f->err, "prefix 10.2.0.1/16 has host bits set");
}

static void test_unknown_nic(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = tenant("a", 100, 0);

	nics(f->st);
	t.access_nic = 9;
	refused(f, &t, -ENODEV);
	assert_string_equal(f->err, "access nic id 9 is not attached");
	/* Roles swapped. */
	t.access_nic = 2;
	refused(f, &t, -EINVAL);
	assert_string_equal(f->err, "eth2 is an uplink nic, not an access nic");
	/* Detached. */
	t.access_nic = 1;
	t.uplink_nic = 3;
	assert_int_equal(tn_store_nic_del(f->st, 3, NULL, 0), 0);
	refused(f, &t, -ENODEV);
	assert_string_equal(f->err, "uplink nic id 3 is not attached");
}

static void test_id_reuse(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t;
	uint32_t id;

	nics(f->st);
	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "t%d", i);
		t = tenant(name, 100 + i, 0);
		assert_int_equal(add(f, &t), 0);
		assert_int_equal(t.id, i + 1);
	}
	assert_int_equal(tn_store_tenant_del(f->st, 3), 0);
	assert_int_equal(tn_store_tenant_del(f->st, 1), 0);
	assert_int_equal(tn_store_tenant_alloc_id(f->st, &id), 0);
	assert_int_equal(id, 1);
	t = tenant("x", 200, 0);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(t.id, 1);
	t = tenant("y", 201, 0);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(t.id, 3);
	t = tenant("z", 202, 0);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(t.id, 5);
	/* The top id, then none left above it is not "full". */
	t = tenant("top", 203, 0);
	t.id = TN_MAX_TENANTS - 1;
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(tn_store_tenant_alloc_id(f->st, &id), 0);
	assert_int_equal(id, 6);
	t = tenant("over", 204, 0);
	t.id = TN_MAX_TENANTS;
	refused(f, &t, -EINVAL);
}

static void test_rollback(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = full_tenant();
	long long empty = fingerprint(f->st);

	assert_int_equal(tn_store_rollback(f->st), 0); /* none: no-op */
	assert_int_equal(tn_store_commit(f->st), -EINVAL);
	assert_int_equal(tn_store_begin(f->st), 0);
	assert_int_equal(tn_store_begin(f->st), -EINPROGRESS);
	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(tn_store_rollback(f->st), 0);
	assert_int_equal(fingerprint(f->st), empty);
	reopen(f);
	assert_int_equal(fingerprint(f->st), empty);

	assert_int_equal(tn_store_begin(f->st), 0);
	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(tn_store_commit(f->st), 0);
	reopen(f);
	assert_int_equal(fingerprint(f->st), 3 + 100 + 30000 + 2000000);
}

/* A refusal inside a transaction undoes only itself. */
static void test_refusal_in_transaction(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0);
	long long before;

	nics(f->st);
	assert_int_equal(tn_store_begin(f->st), 0);
	pfx(&a, "10.0.0.0/16");
	assert_int_equal(add(f, &a), 0);
	before = fingerprint(f->st);
	/* b's row and its first prefix are written before the overlap. */
	b.n_access_addrs = 1;
	strcpy(b.access_addrs[0], "10.1.0.1/24");
	pfx(&b, "10.1.0.0/16");
	pfx(&b, "10.0.5.0/24");
	refused(f, &b, -EEXIST);
	/* Duplicate address within one tenant: refused by SQL. */
	b = tenant("b", 101, 0);
	b.n_access_addrs = 2;
	strcpy(b.access_addrs[0], "10.1.0.1/24");
	strcpy(b.access_addrs[1], "10.1.0.1/24");
	refused(f, &b, -EEXIST);
	assert_int_equal(tn_store_commit(f->st), 0);
	assert_int_equal(fingerprint(f->st), before);
}

static void test_limits_and_state(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = full_tenant(), got;
	struct tn_limits l = { 250,  64 << 20, 100,	 5000000,
			       1000, 0,	       50000000, true };
	long long before;

	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(tn_store_tenant_update_limits(f->st, t.id, &l), 0);
	assert_int_equal(tn_store_tenant_set_state(f->st, t.id, TN_STATE_READY),
			 0);
	assert_int_equal(tn_store_tenant_get(f->st, t.id, &got), 0);
	t.limits = l;
	t.state = TN_STATE_READY;
	same_tenant(&t, &got);
	assert_string_equal(tn_store_state_name(got.state), "ready");

	assert_int_equal(tn_store_tenant_update_limits(f->st, 99, &l), -ENOENT);
	assert_int_equal(tn_store_tenant_set_state(f->st, 99, TN_STATE_READY),
			 -ENOENT);
	assert_int_equal(tn_store_tenant_set_state(f->st, t.id, 9), -EINVAL);
	l.rate_bps = UINT64_MAX; /* over SQLite's INT64_MAX */
	before = sql_int(f->st, "SELECT rate_bps FROM tenants");
	assert_int_equal(tn_store_tenant_update_limits(f->st, t.id, &l),
			 -EINVAL);
	assert_int_equal(sql_int(f->st, "SELECT rate_bps FROM tenants"),
			 before);
}

/* Sources given and source-check kept, and changed live. */
static void test_sources(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec t = full_tenant(), got;

	nics(f->st);
	t.source_check = true;
	t.n_sources = 2;
	assert_int_equal(tn_parse_prefix("203.0.113.0/24", 1,
					 &t.sources[0].family,
					 t.sources[0].addr, &t.sources[0].len),
			 0);
	assert_int_equal(tn_parse_prefix("2001:db8:77::/48", 1,
					 &t.sources[1].family,
					 t.sources[1].addr, &t.sources[1].len),
			 0);
	assert_int_equal(add(f, &t), 0);
	assert_int_equal(tn_store_tenant_get(f->st, t.id, &got), 0);
	same_tenant(&t, &got);
	assert_int_equal(tn_store_tenant_set_source_check(f->st, t.id, false),
			 0);
	assert_int_equal(tn_store_tenant_get(f->st, t.id, &got), 0);
	assert_false(got.source_check);
	assert_int_equal(tn_store_tenant_set_source_check(f->st, 99, true),
			 -ENOENT);
	/* They go with the tenant. */
	assert_int_equal(tn_store_tenant_del(f->st, t.id), 0);
	assert_int_equal(sql_int(f->st, "SELECT count(*) FROM tenant_sources"),
			 0);
}

static int collect_route(const struct tn_route_rec *r, void *arg)
{
	char *out = arg;

	sprintf(out + strlen(out), "%u:%s>%s,", r->tenant_id, r->cidr, r->via);
	return 0;
}

static void test_routes(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0);
	struct tn_route_rec r1 = { 1, "10.9.0.0/16", "10.1.0.254" };
	struct tn_route_rec r2 = { 1, "::/0", "2001:db8::1" };
	struct tn_route_rec r3 = { 2, "10.9.0.0/16", "10.2.0.254" };
	char out[256] = "";
	long long before;

	nics(f->st);
	assert_int_equal(add(f, &a), 0);
	assert_int_equal(add(f, &b), 0);
	assert_int_equal(tn_store_route_add(f->st, &r1, NULL, 0), 0);
	assert_int_equal(tn_store_route_add(f->st, &r2, NULL, 0), 0);
	assert_int_equal(tn_store_route_add(f->st, &r3, NULL, 0), 0);
	assert_int_equal(tn_store_route_list(f->st, 1, collect_route, out), 0);
	assert_string_equal(out,
			    "1:10.9.0.0/16>10.1.0.254,1:::/0>2001:db8::1,");
	out[0] = 0;
	assert_int_equal(tn_store_route_list(f->st, 0, collect_route, out), 0);
	assert_string_equal(out, "1:10.9.0.0/16>10.1.0.254,1:::/0>2001:db8::1,"
				 "2:10.9.0.0/16>10.2.0.254,");

	before = fingerprint(f->st);
	r1.via[0] = 'X';
	assert_int_equal(tn_store_route_add(f->st, &r1, f->err, sizeof(f->err)),
			 -EEXIST);
	assert_string_equal(f->err,
			    "tenant 1 already has a route to 10.9.0.0/16");
	r1.tenant_id = 7;
	assert_int_equal(tn_store_route_add(f->st, &r1, f->err, sizeof(f->err)),
			 -ENOENT);
	assert_string_equal(f->err, "no tenant 7");
	assert_int_equal(fingerprint(f->st), before);

	assert_int_equal(tn_store_route_del(f->st, 1, "10.9.0.0/16"), 0);
	assert_int_equal(tn_store_route_del(f->st, 1, "10.9.0.0/16"), -ENOENT);
	out[0] = 0;
	assert_int_equal(tn_store_route_list(f->st, 0, collect_route, out), 0);
	assert_string_equal(out,
			    "1:::/0>2001:db8::1,2:10.9.0.0/16>10.2.0.254,");
}

/* Rows written past the C API still meet the constraints. */
static void test_checks_direct(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {
		"INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		" uplink_nic, created) VALUES (0, 'z', 'veth', 1, 300, 2, 0)",
		"INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		" uplink_nic, created) VALUES (9, 'z', 'veth', 1, 4095, 2, 0)",
		"INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		" uplink_nic, created) VALUES (9, 'z', 'vxlan', 1, 300, 2, 0)",
		"INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		" uplink_nic, uplink_mac, created)"
		" VALUES (9, 'z', 'veth', 1, 300, 2, 'AA:00:00:00:00:01', 0)",
		"INSERT INTO tenants (id, name, mode, access_nic, access_vlan,"
		" uplink_nic, created) VALUES (9, 'z', 'veth', 1, 300, 'eth2', 0)",
		"UPDATE tenants SET access_vlan = 4095",
		"UPDATE tenants SET state = 'gone'",
		"INSERT INTO nics VALUES (64, 'eth9', 'access', 'native', 'pass',"
		" 0)",
		"INSERT INTO nics VALUES (9, 'eth9', 'core', 'native', 'pass', 0)",
		"INSERT INTO nics VALUES (9, 'eth9', 'access', 'native', 'pass',"
		" 2)",
		"INSERT INTO tenant_prefixes VALUES (1, 2, 4, zeroblob(16), 33,"
		" '0.0.0.0/33')",
		"INSERT INTO tenant_addrs VALUES (5, 'access', '10.0.0.1/24')",
	};
	struct tn_tenant_rec t = tenant("a", 100, 0);
	long long before;

	nics(f->st);
	assert_int_equal(add(f, &t), 0);
	before = fingerprint(f->st);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = raw(f->st, bad[i]);

		if (rc != SQLITE_CONSTRAINT)
			fail_msg("accepted or wrong error %d: %s", rc, bad[i]);
	}
	assert_int_equal(fingerprint(f->st), before);
	/* And through the API. */
	t = tenant("b", 4095, 0);
	refused(f, &t, -EINVAL);
	t = tenant("", 101, 0);
	refused(f, &t, -EINVAL);
}

/* Direct mode: each tenant owns a queue per NIC; the lowest free one is
 * found, and a queue is never owned twice. */
static void test_queues(void **state)
{
	struct fx *f = *state;
	struct tn_tenant_rec a = tenant("a", 100, 0), b = tenant("b", 101, 0),
			     c = tenant("c", 102, 0), v = tenant("v", 103, 0);
	int16_t q;

	nics(f->st);
	assert_int_equal(tn_store_queue_free(f->st, 1, 2, &q), 0);
	assert_int_equal(q, 0);
	a.mode = TN_MODE_DIRECT;
	a.access_queue = 0;
	a.uplink_queue = 1;
	assert_int_equal(add(f, &a), 0);
	/* veth mode owns none, whatever the record says */
	v.access_queue = v.uplink_queue = 1;
	assert_int_equal(add(f, &v), 0);
	assert_int_equal(tn_store_tenant_get(f->st, v.id, &v), 0);
	assert_int_equal(v.access_queue, -1);
	assert_int_equal(v.uplink_queue, -1);
	assert_int_equal(tn_store_queue_free(f->st, 1, 2, &q), 0);
	assert_int_equal(q, 1);
	assert_int_equal(tn_store_queue_free(f->st, 2, 2, &q), 0);
	assert_int_equal(q, 0);
	assert_int_equal(tn_store_queue_free(f->st, 1, 1, &q), -ENOSPC);
	b.mode = TN_MODE_DIRECT;
	b.access_queue = 0; /* a's */
	b.uplink_queue = 0;
	refused(f, &b, -EEXIST);
	b.access_queue = 1;
	assert_int_equal(add(f, &b), 0);
	assert_int_equal(tn_store_queue_free(f->st, 1, 2, &q), -ENOSPC);
	assert_int_equal(tn_store_queue_free(f->st, 2, 64, &q), 0);
	assert_int_equal(q, 2);
	c.mode = TN_MODE_DIRECT;
	c.access_queue = 2;
	c.uplink_queue = 1; /* a's */
	refused(f, &c, -EEXIST);
	/* A tenant gone gives its queues back. */
	assert_int_equal(tn_store_tenant_del(f->st, a.id), 0);
	assert_int_equal(tn_store_queue_free(f->st, 1, 2, &q), 0);
	assert_int_equal(q, 0);
}

static void test_busy(void **state)
{
	struct fx *f = *state;
	sqlite3 *other;

	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	sqlite3_busy_timeout(tn_store_db(f->st), 0);
	assert_int_equal(tn_store_begin(f->st), -EBUSY);
	sqlite3_close(other); /* rolls back */
	assert_int_equal(tn_store_begin(f->st), 0);
	assert_int_equal(tn_store_commit(f->st), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reopen_persists),
		T(test_pragmas),
		T(test_migrate_from_v1),
		T(test_newer_schema_refused),
		T(test_nics),
		T(test_nic_del_in_use),
		T(test_tenant_crud),
		T(test_duplicate_name),
		T(test_same_vlan),
		T(test_inner_vlan),
		T(test_single_then_qinq),
		T(test_uplink_vlan_and_mac),
		T(test_overlap_shorter_first),
		T(test_overlap_longer_first),
		T(test_overlap_ipv6),
		T(test_overlap_equal),
		T(test_no_overlap),
		T(test_unknown_nic),
		T(test_id_reuse),
		T(test_rollback),
		T(test_refusal_in_transaction),
		T(test_limits_and_state),
		T(test_sources),
		T(test_routes),
		T(test_checks_direct),
		T(test_queues),
		T(test_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
