// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants: onboarding, removal, live changes, inspection and static routes,
 * the requests of the tenant and route commands. Their arguments come
 * checked by the command table (lib/ctl_cmds.c: types, bounds, required
 * keys, defaults); what is left here is what only the state can say: a
 * tenant exists or not, a NIC is attached with that role and present,
 * prefixes overlap, an address is given twice. The data path of one tenant
 * is in tenant_dp.c, reached through tenant_row.c; making the kernel match
 * the database at start is in reconcile.c.
 *
 * Onboarding runs in one database transaction: row, then tenant_up(), then
 * commit. A failure anywhere runs tenant_down() and rolls back; a kill -9
 * leaves no row, and the next start sweeps what no row owns.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <tenet/router_stats.h>

#include "container.h"
#include "egress.h"
#include "ctl_cmds.h"
#include "dp.h"
#include "fs.h"
#include "burst.h"
#include "log.h"
#include "naming.h"
#include "neigh.h"
#include "nic.h"
#include "rstats.h"
#include "session.h"
#include "fast.h"
#include "store.h"
#include "supervise.h"
#include "tenant.h"
#include "tenant_dp.h"
#include "tenant_row.h"
#include "xsk.h"

/* A list's values fit a record's arrays. */
_Static_assert(TN_G_MAX_VALUES <= TN_STORE_MAX_ADDRS &&
		       TN_G_MAX_VALUES <= TN_STORE_MAX_PREFIXES,
	       "lists of the command table longer than the store's");

/* ---- request arguments ---- */

/* The values of list k: how many, and the i-th checked into v (the
 * table checked it already; this parses it). */
static unsigned int list_len(const struct req *r, int k)
{
	json_object *l = r->a.v[k].list;

	return l ? (unsigned int)json_object_array_length(l) : 0;
}

static int list_item(struct req *r, int k, unsigned int i, struct tn_gval *v)
{
	json_object *e = json_object_array_get_idx(r->a.v[k].list, i);

	memset(v, 0, sizeof(*v));
	v->s = json_object_get_string(e);
	return tn_g_value(&tn_ctl_grammar.keys[k], v->s, v, r->err,
			  sizeof(r->err));
}

/* Interface addresses of list k, as typed, none twice. */
static int take_addrs(struct req *r, int k, char (*out)[TN_STORE_CIDR_MAX + 1],
		      unsigned int *n)
{
	struct tn_gval v[TN_G_MAX_VALUES];
	unsigned int len = list_len(r, k);

	*n = 0;
	for (unsigned int i = 0; i < len && i < TN_G_MAX_VALUES; i++) {
		if (list_item(r, k, i, &v[i]))
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (v[i].family == v[j].family &&
			    v[i].len == v[j].len &&
			    !memcmp(v[i].addr, v[j].addr, sizeof(v[i].addr)))
				return req_fail(r, -EINVAL,
						"%s: %s given twice",
						tn_ctl_grammar.keys[k].name,
						v[i].s);
		snprintf(out[(*n)++], TN_STORE_CIDR_MAX + 1, "%s", v[i].s);
	}
	return 0;
}

/* Sources given beside its own space. */
static int take_sources(struct req *r, struct tn_tenant_rec *t)
{
	unsigned int len = list_len(r, TN_K_SOURCE);
	struct tn_gval v;

	for (unsigned int i = 0; i < len && i < TN_STORE_MAX_SOURCES; i++) {
		struct tn_prefix *p = &t->sources[t->n_sources++];

		if (list_item(r, TN_K_SOURCE, i, &v))
			return -EINVAL;
		p->family = v.family;
		memcpy(p->addr, v.addr, sizeof(p->addr));
		p->len = v.len;
	}
	return 0;
}

/* Routed prefixes, none overlapping another given. */
static int take_prefixes(struct req *r, struct tn_tenant_rec *t)
{
	unsigned int len = list_len(r, TN_K_PREFIX);
	struct tn_gval v;

	for (unsigned int i = 0; i < len && i < TN_G_MAX_VALUES; i++) {
		struct tn_prefix *p = &t->prefixes[t->n_prefixes];

		if (list_item(r, TN_K_PREFIX, i, &v))
			return -EINVAL;
		p->family = v.family;
		memcpy(p->addr, v.addr, sizeof(p->addr));
		p->len = v.len;
		for (unsigned int j = 0; j < t->n_prefixes; j++)
			if (tn_v_overlap(p->family, p->addr, p->len,
					 t->prefixes[j].family,
					 t->prefixes[j].addr,
					 t->prefixes[j].len))
				return req_fail(r, -EINVAL,
						"prefix: %s overlaps another"
						" prefix given",
						v.s);
		t->n_prefixes++;
	}
	return 0;
}

/* The limits given (with tenant add's defaults) over l; "unlimited" is 0,
 * as the store keeps it. */
static void take_limits(const struct req *r, struct tn_limits *l)
{
	const struct tn_gval *v = r->a.v;

	if (v[TN_K_CPU].set)
		l->cpu_millicores = (uint32_t)v[TN_K_CPU].u;
	if (v[TN_K_MEMORY].set)
		l->memory_bytes = v[TN_K_MEMORY].u;
	if (v[TN_K_PIDS].set)
		l->pids = v[TN_K_PIDS].u;
	if (v[TN_K_RATE].set)
		l->rate_bps = v[TN_K_RATE].u;
	if (v[TN_K_PPS].set)
		l->pps = v[TN_K_PPS].u;
	if (v[TN_K_SHAPE].set)
		l->police_only = !v[TN_K_SHAPE].u;
	if (v[TN_K_BURST].set) {
		/* "default": neither */
		l->burst_bytes = !v[TN_K_BURST].deflt && !v[TN_K_BURST].time ?
					 v[TN_K_BURST].u :
					 0;
		l->burst_ns = !v[TN_K_BURST].deflt && v[TN_K_BURST].time ?
				      v[TN_K_BURST].u :
				      0;
	}
}

static struct tn_rate_limits rate_limits(const struct tn_limits *l)
{
	return (struct tn_rate_limits){ l->rate_bps, l->pps, l->burst_bytes,
					l->burst_ns };
}

/* The burst goes with the rate and pps l ends with (burst.h). A burst
 * given before and kept stays as it was given, so a new rate it does not
 * go with is refused rather than the burst changed unasked. */
static int limits_check(struct req *r, const struct tn_limits *l)
{
	struct tn_rate_limits rl = rate_limits(l);
	size_t len;

	if (!tn_burst_check(&rl, r->err, sizeof(r->err)))
		return 0;
	len = strlen(r->err);
	if (!r->a.v[TN_K_BURST].given && len < sizeof(r->err))
		snprintf(r->err + len, sizeof(r->err) - len,
			 "; it was given before: give a burst too, or burst"
			 " default");
	return -EINVAL;
}

/* The NIC key k names: attached with that role, and on this host. */
static int nic_arg(struct req *r, int k, enum tn_role role,
		   struct tn_nic_rec *nic)
{
	const char *key = tn_ctl_grammar.keys[k].name, *s = r->a.v[k].s;

	if (tn_store_nic_get(r->d->st, s, nic))
		return req_fail(r, -ENODEV,
				"%s: %s is not attached (tenetctl nic attach"
				" %s role %s)",
				key, s, s, tn_role_names[role]);
	if (nic->role != role)
		return req_fail(r, -EINVAL, "%s: %s is attached as %s, not %s",
				key, s, tn_role_names[nic->role],
				tn_role_names[role]);
	if (!ifindex_of(s))
		return req_fail(r, -ENODEV, "%s: %s is not on this host", key,
				s);
	return 0;
}

/* The tenant the request names. */
static int tenant_arg(struct req *r, struct tn_tenant_rec *t)
{
	const char *name = r->a.v[TN_K_NAME].s;

	if (tn_store_tenant_get_by_name(r->d->st, name, t))
		return req_fail(r, -ENOENT, "name: no tenant \"%s\"", name);
	return 0;
}

/* Everything tenant add takes into t (id 0: not yet given), and what only
 * the state can refuse. */
static int parse_tenant(struct req *r, struct tn_tenant_rec *t)
{
	const struct tn_gval *v = r->a.v;
	struct tn_nic_rec access, uplink;
	const char *name = v[TN_K_NAME].s;
	int err;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (!tn_store_tenant_get_by_name(r->d->st, name,
					 &(struct tn_tenant_rec){ 0 }))
		return req_fail(r, -EEXIST, "name: tenant \"%s\" exists", name);
	t->mode = (enum tn_tenant_mode)v[TN_K_MODE].u;
	if ((err = nic_arg(r, TN_K_ACCESS, TN_ROLE_ACCESS, &access)) ||
	    (err = nic_arg(r, TN_K_UPLINK, TN_ROLE_UPLINK, &uplink)))
		return err;
	t->access_nic = access.nic_id;
	t->uplink_nic = uplink.nic_id;
	t->access_vlan = (uint16_t)v[TN_K_VLAN].u;
	t->access_inner_vlan = (uint16_t)v[TN_K_INNER_VLAN].u;
	t->uplink_vlan = (uint16_t)v[TN_K_UPLINK_VLAN].u;
	if (v[TN_K_UPLINK_MAC].given) {
		memcpy(t->uplink_mac, v[TN_K_UPLINK_MAC].addr, 6);
		t->has_uplink_mac = true;
	}
	if ((err = take_addrs(r, TN_K_ACCESS_ADDR, t->access_addrs,
			      &t->n_access_addrs)) ||
	    (err = take_addrs(r, TN_K_UPLINK_ADDR, t->uplink_addrs,
			      &t->n_uplink_addrs)) ||
	    (err = take_prefixes(r, t)) || (err = take_sources(r, t)))
		return err;
	t->source_check = v[TN_K_SOURCE_CHECK].u != 0;
	t->fastpath = v[TN_K_FASTPATH].u != 0;
	if (v[TN_K_GATEWAY].given)
		snprintf(t->gateway, sizeof(t->gateway), "%s",
			 v[TN_K_GATEWAY].s);
	if (v[TN_K_CPUSET].given)
		snprintf(t->cpuset, sizeof(t->cpuset), "%s", v[TN_K_CPUSET].s);
	/* What is not given has the table's defaults; no limit only when
	 * asked. */
	take_limits(r, &t->limits);
	if ((err = limits_check(r, &t->limits)))
		return err;
	if (t->limits.cpu_millicores > r->d->host_cores * 1000u)
		t->limits.cpu_millicores = r->d->host_cores * 1000u;
	t->state = TN_STATE_READY;
	return 0;
}

/* ---- JSON ---- */

static json_object *str_array(const char (*a)[TN_STORE_CIDR_MAX + 1],
			      unsigned int n)
{
	json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(a[i]));
	return arr;
}

/* {"bytes": the byte bucket (0: no rate), "packets": the pps bucket (0:
 * no pps), "given": "2M", "50ms" or "default"}. */
static json_object *burst_json(const struct tn_limits *l)
{
	struct tn_rate_limits rl = rate_limits(l);
	json_object *o = json_object_new_object();
	struct tn_burst b;
	char given[32];

	tn_burst_eff(&rl, &b);
	json_object_object_add(o, "bytes", json_object_new_uint64(b.bytes));
	json_object_object_add(o, "packets", json_object_new_uint64(b.pkts));
	json_object_object_add(o, "given",
			       json_object_new_string(tn_burst_given(
				       &rl, given, sizeof(given))));
	return o;
}

static json_object *limits_json(const struct tn_tenant_rec *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
		o, "cpu_millicores",
		json_object_new_uint64(t->limits.cpu_millicores));
	json_object_object_add(o, "cpuset", json_object_new_string(t->cpuset));
	json_object_object_add(o, "memory_bytes",
			       json_object_new_uint64(t->limits.memory_bytes));
	json_object_object_add(o, "pids",
			       json_object_new_uint64(t->limits.pids));
	json_object_object_add(o, "rate_bps",
			       json_object_new_uint64(t->limits.rate_bps));
	json_object_object_add(o, "pps", json_object_new_uint64(t->limits.pps));
	json_object_object_add(o, "burst", burst_json(&t->limits));
	json_object_object_add(
		o, "shape",
		json_object_new_string(tn_onoff_names[!t->limits.police_only]));
	return o;
}

static int route_json_cb(const struct tn_route_rec *r, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cidr", json_object_new_string(r->cidr));
	json_object_object_add(o, "via", json_object_new_string(r->via));
	json_object_array_add(arg, o);
	return 0;
}

static json_object *side_json(struct tenetd *d, uint32_t nic_id,
			      const struct tn_tenant_rec *t, int role)
{
	json_object *o = json_object_new_object();
	struct tn_nic_rec nic = { 0 };
	char veth[IF_NAMESIZE], m[18];

	tn_store_nic_get_id(d->st, nic_id, &nic);
	veth_name(veth, t->id, role, false);
	json_object_object_add(o, "ifname", json_object_new_string(nic.ifname));
	json_object_object_add(o, "vlan",
			       json_object_new_int(role ? t->uplink_vlan :
							  t->access_vlan));
	if (role == TN_ROLE_ACCESS) {
		uint8_t amac[6];

		json_object_object_add(
			o, "inner_vlan",
			json_object_new_int(t->access_inner_vlan));
		/* The router's MAC its customers send to. */
		access_mac(t->id, amac);
		mac_str(amac, m);
	} else {
		mac_str(t->uplink_mac, m);
	}
	json_object_object_add(o, "mac", json_object_new_string(m));
	json_object_object_add(o, "veth", json_object_new_string(veth));
	/* Direct mode: the NIC queue the tenant owns, -1 in veth mode. */
	json_object_object_add(o, "queue",
			       json_object_new_int(role ? t->uplink_queue :
							  t->access_queue));
	json_object_object_add(
		o, "addrs",
		role ? str_array(t->uplink_addrs, t->n_uplink_addrs) :
		       str_array(t->access_addrs, t->n_access_addrs));
	if (role == TN_ROLE_UPLINK) {
		json_object *arr = json_object_new_array();
		char buf[INET6_ADDRSTRLEN], cidr[TN_STORE_CIDR_MAX + 1];

		for (unsigned int i = 0; i < t->n_prefixes; i++) {
			const struct tn_prefix *x = &t->prefixes[i];

			inet_ntop(x->family, x->addr, buf, sizeof(buf));
			snprintf(cidr, sizeof(cidr), "%s/%u", buf, x->len);
			json_object_array_add(arr,
					      json_object_new_string(cidr));
		}
		json_object_object_add(o, "prefixes", arr);
	}
	return o;
}

static json_object *tenant_json(struct tenetd *d, const struct tn_tenant_rec *t,
				bool routes)
{
	json_object *o = json_object_new_object(), *c, *arr;
	const char *name;
	char state[32];
	pid_t pid;

	json_object_object_add(o, "id", json_object_new_int((int)t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(
		o, "state",
		json_object_new_string(tn_store_state_name(t->state)));
	json_object_object_add(
		o, "mode",
		json_object_new_string(tn_tenant_mode_names[t->mode]));
	json_object_object_add(o, "created", json_object_new_int64(t->created));
	json_object_object_add(o, "access",
			       side_json(d, t->access_nic, t, TN_ROLE_ACCESS));
	json_object_object_add(o, "uplink",
			       side_json(d, t->uplink_nic, t, TN_ROLE_UPLINK));
	json_object_object_add(o, "gateway",
			       json_object_new_string(t->gateway));
	json_object_object_add(o, "limits", limits_json(t));
	json_object_object_add(
		o, "source_check",
		json_object_new_string(tn_onoff_names[t->source_check]));
	json_object_object_add(
		o, "fastpath",
		json_object_new_string(tn_onoff_names[t->fastpath]));
	arr = json_object_new_array();
	for (unsigned int i = 0; i < t->n_sources; i++) {
		char ip[INET6_ADDRSTRLEN], cidr[TN_STORE_CIDR_MAX + 1];

		inet_ntop(t->sources[i].family, t->sources[i].addr, ip,
			  sizeof(ip));
		snprintf(cidr, sizeof(cidr), "%s/%u", ip, t->sources[i].len);
		json_object_array_add(arr, json_object_new_string(cidr));
	}
	json_object_object_add(o, "sources", arr);
	name = t->name;
	if (tn_ct_state(d->lxc_path, name, state, sizeof(state), &pid))
		snprintf(state, sizeof(state), "UNKNOWN");
	c = json_object_new_object();
	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "state", json_object_new_string(state));
	json_object_object_add(c, "pid", json_object_new_int(pid));
	json_object_object_add(
		c, "restarts",
		json_object_new_int((int)supervise_restarts(d, t->id)));
	/* Its user namespace: ids 0.. inside are uid_base.. outside. */
	json_object_object_add(
		c, "uid_base",
		json_object_new_uint64(tenant_id_base(d, t->id)));
	json_object_object_add(c, "uid_count",
			       json_object_new_uint64(TN_ID_RANGE));
	json_object_object_add(
		c, "router_uid",
		json_object_new_uint64(router_host_uid(d, t->id)));
	json_object_object_add(c, "supervision", supervise_json(d, t->id));
	json_object_object_add(o, "container", c);
	json_object_object_add(o, "router", session_json(d, t));
	if (routes) {
		json_object_object_add(o, "fast", fast_json(d, t));
		arr = json_object_new_array();
		tn_store_route_list(d->st, t->id, route_json_cb, arr);
		json_object_object_add(o, "routes", arr);
	}
	return o;
}

/* ---- commands ---- */

/* Direct mode: the lowest queue of each NIC that no tenant owns. */
static int direct_queues(struct req *r, struct tn_tenant_rec *t)
{
	const uint32_t nic_id[] = { t->access_nic, t->uplink_nic };
	int16_t *q[] = { &t->access_queue, &t->uplink_queue };
	struct tn_nic_rec nic;
	unsigned int n;
	int err;

	for (int role = 0; role < 2; role++) {
		err = tn_store_nic_get_id(r->d->st, nic_id[role], &nic);
		if (!err && (err = nic_queues(nic.ifname, &n)))
			return req_fail(r, err,
					"mode: direct: cannot count the queues"
					" of %s: %s",
					nic.ifname, strerror(-err));
		if (!err)
			err = tn_store_queue_free(r->d->st, nic_id[role], n,
						  q[role]);
		if (err == -ENOSPC)
			return req_fail(r, err,
					"mode: direct: every queue of %s (%u)"
					" is another direct tenant's",
					nic.ifname, n);
		if (err)
			return err;
	}
	return 0;
}

int do_tenant_add(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	char why[TN_V_ERR_MAX];
	int err;

	err = parse_tenant(r, &t);
	if (err)
		return err;
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_alloc_id(d->st, &t.id);
	if (!err && !t.has_uplink_mac) {
		derived_mac(t.id, t.uplink_mac);
		t.has_uplink_mac = true;
	}
	if (!err && t.mode == TN_MODE_DIRECT)
		err = direct_queues(r, &t);
	if (!err)
		err = tn_store_tenant_add(d->st, &t, r->err, sizeof(r->err));
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ?
			       err :
			       req_fail(r, err, "cannot record tenant %s: %s",
					t.name, strerror(-err));
	}
	tn_info("tenant %s: onboarding as id %u\n", t.name, t.id);
	err = tenant_row_up(d, &t, why, sizeof(why));
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		if (!*why)
			snprintf(why, sizeof(why), "commit: %s",
				 strerror(-err));
		tenant_row_down(d, &t);
		tn_store_rollback(d->st);
		tn_warn("tenant %s: onboarding undone: %s\n", t.name, why);
		return req_fail(r, err, "%s (nothing was kept)", why);
	}
	tn_store_tenant_get(d->st, t.id, &t);
	neigh_size(d);
	r->data = tenant_json(d, &t, true);
	tn_info("tenant %s: ready (id %u, veths tn%ua/tn%uu)\n", t.name, t.id,
		t.id, t.id);
	return 0;
}

int do_tenant_del(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	int err;

	if ((err = tenant_arg(r, &t)))
		return err;
	err = tenant_row_down(d, &t);
	if (err) {
		tn_store_tenant_set_state(d->st, t.id, TN_STATE_FAILED);
		return req_fail(r, err,
				"tenant %s: its container could not be"
				" destroyed (%s); state is failed, try again",
				t.name, strerror(-err));
	}
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_del(d->st, t.id);
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err,
				"tenant %s: removed, but the database"
				" still has it: %s",
				t.name, strerror(-err));
	}
	tn_info("tenant %s (id %u) deleted\n", t.name, t.id);
	return 0;
}

struct tlist {
	struct tenetd *d;
	json_object *arr;
	const char *only;
	json_object *(*fn)(struct tenetd *d, const struct tn_tenant_rec *t);
};

static json_object *list_one(struct tenetd *d, const struct tn_tenant_rec *t)
{
	return tenant_json(d, t, false);
}

static int tlist_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct tlist *c = arg;

	if (!c->only || !strcmp(c->only, t->name))
		json_object_array_add(c->arr, c->fn(c->d, t));
	return 0;
}

int do_tenant_list(struct req *r)
{
	struct tlist c = { r->d, NULL, NULL, list_one };
	int err;

	c.arr = json_object_new_array();
	err = tn_store_tenant_list(r->d->st, tlist_cb, &c);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "tenants", c.arr);
	return err;
}

int do_tenant_show(struct req *r)
{
	struct tn_tenant_rec t;
	int err;

	if ((err = tenant_arg(r, &t)))
		return err;
	r->data = tenant_json(r->d, &t, true);
	return 0;
}

int do_tenant_set(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	struct tn_limits l;
	const char *name;
	char why[TN_V_ERR_MAX] = "";
	bool old_check, old_fast, shaped;
	const char *cpuset = NULL; /* unchanged */
	int err;

	if ((err = tenant_arg(r, &t)))
		return err;
	if (r->a.v[TN_K_CPUSET].given)
		cpuset = r->a.v[TN_K_CPUSET].s;
	/* The table asked for one key at least, and has no defaults here. */
	l = t.limits;
	take_limits(r, &l);
	if ((err = limits_check(r, &l)))
		return err;
	old_check = t.source_check;
	if (r->a.v[TN_K_SOURCE_CHECK].given)
		t.source_check = r->a.v[TN_K_SOURCE_CHECK].u != 0;
	old_fast = t.fastpath;
	if (r->a.v[TN_K_FASTPATH].given)
		t.fastpath = r->a.v[TN_K_FASTPATH].u != 0;
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_update_limits(d->st, t.id, &l);
	if (!err && t.source_check != old_check)
		err = tn_store_tenant_set_source_check(d->st, t.id,
						       t.source_check);
	if (!err && t.fastpath != old_fast)
		err = tn_store_tenant_set_fastpath(d->st, t.id, t.fastpath);
	if (!err && cpuset)
		err = tn_store_tenant_set_cpuset(d->st, t.id, cpuset);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err, "tenant %s: %s", t.name,
				strerror(-err));
	}
	/* Quotas first (the kernel may refuse one), then the policers. */
	name = t.name;
	err = tn_ct_limits(d->lxc_path, name, d->cgroup2, &l, cpuset, why,
			   sizeof(why));
	if (!err)
		err = policers_set(d, t.id, &l);
	if (!err && t.source_check != old_check)
		err = tenant_egress_checks(d, &t);
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		/* Put the old values back where they were changed. */
		tn_store_rollback(d->st);
		tn_ct_limits(d->lxc_path, name, d->cgroup2, &t.limits,
			     cpuset ? t.cpuset : NULL, NULL, 0);
		policers_set(d, t.id, &t.limits);
		if (t.source_check != old_check) {
			t.source_check = old_check;
			tenant_egress_checks(d, &t);
		}
		return req_fail(r, err, "%s", *why ? why : strerror(-err));
	}
	/* The router shapes to them: it hears of a change. */
	shaped = l.rate_bps != t.limits.rate_bps || l.pps != t.limits.pps ||
		 l.burst_bytes != t.limits.burst_bytes ||
		 l.burst_ns != t.limits.burst_ns ||
		 l.police_only != t.limits.police_only;
	t.limits = l;
	if (cpuset)
		snprintf(t.cpuset, sizeof(t.cpuset), "%s", cpuset);
	if (shaped)
		session_limits(d, &t);
	/* Whether XDP forwards for it follows both: a limit that makes the
	 * router shape takes the fast path away. */
	err = fast_flag_sync(d, &t);
	if (err)
		tn_err("tenant %s: fast path flag: %s\n", t.name,
		       strerror(-err));
	r->data = tenant_json(d, &t, true);
	tn_info("tenant %s: limits changed live, source-check %s, fastpath"
		" %s\n",
		t.name, tn_onoff_names[t.source_check],
		tn_onoff_names[t.fastpath]);
	return 0;
}

/* ---- stats ---- */

/* What the tenant wrote, as printable ASCII ('?' for anything else): no
 * byte of it can act on the terminal or the program that reads ours. */
static const char *printable(char *out, const char *in, size_t max)
{
	size_t i;

	for (i = 0; i < max && in[i]; i++)
		out[i] = in[i] > 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
	return out;
}

static json_object *router_json(struct tenetd *d, const char *name,
				json_object *xsk)
{
	struct tn_rstats_file *f = malloc(sizeof(*f));
	char dir[512];
	json_object *o, *ifs;
	bool zc_req = true, zc = false, any = false;

	/* The router's file, in a dir it owns: read with care, never
	 * mapped (a tenant could truncate it under us). */
	sock_dir(d, name, dir, sizeof(dir));
	if (!f ||
	    tn_read_beneath(dir, "router.stats", f, sizeof(*f)) !=
		    (ssize_t)sizeof(*f) ||
	    f->magic != TN_RSTATS_MAGIC || f->version != TN_RSTATS_VERSION) {
		free(f);
		json_object_object_add(xsk, "requested",
				       json_object_new_string("zero-copy"));
		json_object_object_add(xsk, "in_use",
				       json_object_new_string("none"));
		json_object_object_add(xsk, "mode",
				       json_object_new_string("none"));
		return NULL;
	}
	o = json_object_new_object();
	ifs = json_object_new_array();
	/* The router's own idea of its pid is its container's. */
	json_object_object_add(o, "pid_in_container",
			       json_object_new_int((int)f->pid));
	json_object_object_add(o, "started",
			       json_object_new_int64((int64_t)f->started));
	for (uint32_t i = 0; i < f->nslots && i < TN_RSTATS_MAX; i++) {
		const struct tn_rstats_slot *s = &f->slot[i];
		char ifn[17];
		json_object *x, *c;

		if (!s->used)
			continue;
		x = json_object_new_object();
		c = json_object_new_object();
		json_object_object_add(
			x, "ifname",
			json_object_new_string(printable(ifn, s->ifname, 16)));
		json_object_object_add(x, "queue",
				       json_object_new_int((int)s->queue));
		json_object_object_add(
			x, "zc_requested",
			json_object_new_boolean(s->zc_requested));
		json_object_object_add(x, "zc_in_use",
				       json_object_new_boolean(s->zc_in_use));
		json_object_object_add(x, "direct",
				       json_object_new_boolean(s->direct));
		json_object_object_add(x, "xsk_mode",
				       json_object_new_string(tn_xsk_mode_name(
					       s->zc_requested, s->zc_in_use)));
		for (int k = 0; k < TN_RC__MAX; k++)
			json_object_object_add(
				c, tn_rc_names[k],
				json_object_new_uint64(s->ctr[k]));
		json_object_object_add(x, "counters", c);
		json_object_array_add(ifs, x);
		zc_req &= !!s->zc_requested;
		zc |= !!s->zc_in_use;
		any = true;
	}
	json_object_object_add(o, "ifaces", ifs);
	json_object_object_add(xsk, "requested",
			       json_object_new_string(zc_req ? "zero-copy" :
							       "copy"));
	json_object_object_add(xsk, "in_use",
			       json_object_new_string(!any ? "none" :
						      zc   ? "zero-copy" :
							     "copy"));
	json_object_object_add(
		xsk, "mode",
		json_object_new_string(!any ? "none" :
					      tn_xsk_mode_name(zc_req, zc)));
	free(f);
	return o;
}

/* The router's counter k on its interface ifname, over its queues; 0
 * with no router. */
static uint64_t router_ctr(json_object *rt, const char *ifname, int k)
{
	json_object *ifs, *x, *v;
	uint64_t sum = 0;

	if (!rt || !json_object_object_get_ex(rt, "ifaces", &ifs))
		return 0;
	for (size_t i = 0; i < json_object_array_length(ifs); i++) {
		x = json_object_array_get_idx(ifs, i);
		if (json_object_object_get_ex(x, "ifname", &v) &&
		    !strcmp(json_object_get_string(v), ifname) &&
		    json_object_object_get_ex(x, "counters", &v) &&
		    json_object_object_get_ex(v, tn_rc_names[k], &v))
			sum += json_object_get_uint64(v);
	}
	return sum;
}

/* A port's frames over its policer at a stage (map). */
static uint64_t policed(struct tenetd *d, const char *map, uint32_t id,
			int role)
{
	int fd = tn_dp_map_open(d->bpffs, map);
	struct tn_stats st = { 0 };

	if (fd >= 0) {
		tn_dp_stats_read(fd, tn_port(id, (__u32)role), &st);
		close(fd);
	}
	return st.drop_packets[TN_DROP_POLICED];
}

/*
 * Every frame a limit dropped or delayed, by direction, in the order a
 * frame meets them: policed as it enters at one side's NIC (nic_ingress),
 * shaped (delayed) or dropped by the router's shaper on its way out of
 * the other side's interface, policed as it leaves by that side's port
 * (tenant_egress).
 *   "to_upstream": customer -> upstream (access in, uplink0, uplink out)
 *   "to_customer": upstream -> customer (uplink in, access0, access out)
 */
static json_object *limited_json(struct tenetd *d,
				 const struct tn_tenant_rec *t, json_object *rt)
{
	static const char *const dir[] = { "to_upstream", "to_customer" };
	static const char *const out_if[] = { CT_UPLINK, CT_ACCESS };
	json_object *o = json_object_new_object();

	for (int i = 0; i < 2; i++) {
		int in = i ? TN_ROLE_UPLINK : TN_ROLE_ACCESS;
		int out = i ? TN_ROLE_ACCESS : TN_ROLE_UPLINK;
		json_object *x = json_object_new_object();

		json_object_object_add(
			x, "policed_in",
			json_object_new_uint64(
				policed(d, TN_MAP_PORT_STATS, t->id, in)));
		json_object_object_add(x, "shaped",
				       json_object_new_uint64(router_ctr(
					       rt, out_if[i], TN_RC_SHAPED)));
		json_object_object_add(
			x, "shaped_drop",
			json_object_new_uint64(
				router_ctr(rt, out_if[i], TN_RC_SHAPED_DROP)));
		json_object_object_add(
			x, "policed_out",
			json_object_new_uint64(
				policed(d, TN_MAP_EGRESS_STATS, t->id, out)));
		json_object_object_add(o, dir[i], x);
	}
	return o;
}

static json_object *stats_one(struct tenetd *d, const struct tn_tenant_rec *t)
{
	json_object *o = json_object_new_object(), *cl, *eg, *xsk, *u, *rt;
	struct tn_ct_usage use;
	const char *name;

	json_object_object_add(o, "id", json_object_new_int((int)t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	cl = json_object_new_object();
	eg = json_object_new_object();
	for (int role = 0; role < 2; role++) {
		__u32 port = tn_port(t->id, (__u32)role);

		json_object_object_add(cl, tn_role_names[role],
				       stats_json(d, TN_MAP_PORT_STATS, port));
		json_object_object_add(eg, tn_role_names[role],
				       stats_json(d, TN_MAP_EGRESS_STATS,
						  port));
	}
	json_object_object_add(o, "classifier", cl);
	json_object_object_add(o, "egress", eg);
	xsk = json_object_new_object();
	rt = router_json(d, t->name, xsk);
	if (rt)
		json_object_object_add(
			rt, "pid", json_object_new_int(session_pid(d, t->id)));
	json_object_object_add(o, "router", rt);
	json_object_object_add(o, "xsk", xsk);
	json_object_object_add(o, "limits", limits_json(t));
	json_object_object_add(o, "limited", limited_json(d, t, rt));
	name = t->name;
	u = json_object_new_object();
	if (!tn_ct_usage(d->lxc_path, name, d->cgroup2, &use)) {
		json_object_object_add(u, "cpu_ns",
				       json_object_new_uint64(use.cpu_ns));
		json_object_object_add(
			u, "memory_bytes",
			json_object_new_uint64(use.memory_bytes));
		json_object_object_add(u, "pids",
				       json_object_new_uint64(use.pids));
	}
	json_object_object_add(o, "usage", u);
	return o;
}

int do_tenant_stats(struct req *r)
{
	struct tlist c = { r->d, NULL, NULL, stats_one };
	struct tn_tenant_rec t;
	int err;

	if (r->a.v[TN_K_NAME].given) {
		if ((err = tenant_arg(r, &t)))
			return err;
		c.only = t.name;
	}
	c.arr = json_object_new_array();
	err = tn_store_tenant_list(r->d->st, tlist_cb, &c);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "tenants", c.arr);
	return err;
}

/* ---- routes ---- */

/* The route a request names, of the tenant it names; via of the cidr's
 * family. */
static int route_args(struct req *r, struct tn_tenant_rec *t,
		      struct tn_route_rec *rt)
{
	const struct tn_gval *cidr = &r->a.v[TN_K_CIDR],
			     *via = &r->a.v[TN_K_VIA];
	int err;

	if ((err = tenant_arg(r, t)))
		return err;
	if (cidr->family != via->family)
		return req_fail(r, -EINVAL,
				"via: %s is not of the family of %s", via->s,
				cidr->s);
	memset(rt, 0, sizeof(*rt));
	rt->tenant_id = t->id;
	snprintf(rt->cidr, sizeof(rt->cidr), "%s", cidr->s);
	snprintf(rt->via, sizeof(rt->via), "%s", via->s);
	return 0;
}

static int route_change(struct req *r, bool add)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	struct tn_route_rec rt;
	const char *name;
	char state[32];
	pid_t pid;
	int err;

	if ((err = route_args(r, &t, &rt)))
		return err;
	name = t.name;
	if (tn_ct_state(d->lxc_path, name, state, sizeof(state), &pid) ||
	    pid <= 0)
		return req_fail(r, -ESRCH,
				"tenant %s: its container is not running",
				t.name);
	err = tn_store_begin(d->st);
	if (!err)
		err = add ? tn_store_route_add(d->st, &rt, r->err,
					       sizeof(r->err)) :
			    tn_store_route_del(d->st, t.id, rt.cidr);
	if (err) {
		tn_store_rollback(d->st);
		if (err == -ENOENT)
			return req_fail(r, err, "tenant %s has no route %s",
					t.name, rt.cidr);
		return r->err[0] ? err :
				   req_fail(r, err, "route %s: %s", rt.cidr,
					    strerror(-err));
	}
	err = tenant_route(pid, add, &rt);
	if (!add && err == -ESRCH)
		err = 0; /* gone already: the database was the only copy */
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		if (add)
			return req_fail(r, err,
					"route %s via %s: the container's"
					" kernel refused it: %s",
					rt.cidr, rt.via,
					err == -ENETUNREACH ?
						"the next hop is on no"
						" interface" :
						strerror(-err));
		return req_fail(r, err, "route %s: %s", rt.cidr,
				strerror(-err));
	}
	/* A route's destination is a customer network: its sources may
	 * leave by the uplink (said if not, as the route stands). */
	err = tenant_row_sources(d, &t);
	if (err)
		tn_warn("tenant %s: source space: %s\n", t.name,
			strerror(-err));
	tn_info("tenant %s: route %s %s via %s\n", t.name,
		add ? "added" : "deleted", rt.cidr, rt.via);
	return 0;
}

int do_route_add(struct req *r)
{
	return route_change(r, true);
}

int do_route_del(struct req *r)
{
	return route_change(r, false);
}

int do_route_list(struct req *r)
{
	struct tn_tenant_rec t;
	json_object *arr;
	int err;

	if ((err = tenant_arg(r, &t)))
		return err;
	arr = json_object_new_array();
	err = tn_store_route_list(r->d->st, t.id, route_json_cb, arr);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "routes", arr);
	return err;
}
