// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant as tenant list prints it, read into tenant add's arguments
 * (lib/apply_tenant.h): the table of its fields, their values in
 * tenetctl's units, the validators of the command table under each
 * field's name, tenetd's checks of a whole tenant and of two.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply_tenant.h"
#include "burst.h"
#include "ctl_cmds.h"
#include "print.h"

static const struct tn_grammar *const g = &tn_ctl_grammar;

/* ---- the fields of a tenant, as tenant list prints it ---- */

/* Designators of a field of each kind, in braces in the table. */
#define NODE(p) .path = p, .kind = TN_AF_NODE
#define READ(p) .path = p, .kind = TN_AF_READ
#define STR(p, k) .path = p, .kind = TN_AF_STR, .key = k
#define INT(p, k, f) .path = p, .kind = TN_AF_INT, .key = k, .fmt = f
#define LIST(p, k) .path = p, .kind = TN_AF_LIST, .key = k, .flags = TN_AF_NONE

/* In the order a plan names what differs. */
const struct tn_apply_field tn_apply_fields[] = {
	{ STR("name", TN_K_NAME) },
	{ READ("id") },
	{ READ("state") },
	{ STR("mode", TN_K_MODE) },
	{ READ("created") },
	{ NODE("access") },
	{ STR("access.ifname", TN_K_ACCESS) },
	{ INT("access.vlan", TN_K_VLAN, tn_fmt_plain) },
	{ INT("access.inner_vlan", TN_K_INNER_VLAN, tn_fmt_plain),
	  .flags = TN_AF_NONE },
	{ READ("access.mac") },
	{ READ("access.veth") },
	{ READ("access.queue") },
	{ LIST("access.addrs", TN_K_ACCESS_ADDR) },
	{ NODE("uplink") },
	{ STR("uplink.ifname", TN_K_UPLINK) },
	{ INT("uplink.vlan", TN_K_UPLINK_VLAN, tn_fmt_plain),
	  .flags = TN_AF_NONE, .none = "untagged" },
	{ STR("uplink.mac", TN_K_UPLINK_MAC), .flags = TN_AF_DERIVED },
	{ READ("uplink.veth") },
	{ READ("uplink.queue") },
	{ LIST("uplink.addrs", TN_K_UPLINK_ADDR) },
	{ LIST("uplink.prefixes", TN_K_PREFIX) },
	{ STR("gateway", TN_K_GATEWAY), .flags = TN_AF_NONE },
	{ NODE("limits") },
	{ INT("limits.cpu_millicores", TN_K_CPU, tn_fmt_cores),
	  .flags = TN_AF_UNLIMITED },
	{ STR("limits.cpuset", TN_K_CPUSET), .flags = TN_AF_NONE,
	  .none = "any" },
	{ INT("limits.memory_bytes", TN_K_MEMORY, tn_fmt_size),
	  .flags = TN_AF_UNLIMITED },
	{ INT("limits.pids", TN_K_PIDS, tn_fmt_plain),
	  .flags = TN_AF_UNLIMITED },
	{ INT("limits.rate_bps", TN_K_RATE, tn_fmt_rate), .flags = TN_AF_NONE },
	{ INT("limits.pps", TN_K_PPS, tn_fmt_plain), .flags = TN_AF_NONE },
	{ NODE("limits.burst") },
	{ READ("limits.burst.bytes") },
	{ READ("limits.burst.packets") },
	{ STR("limits.burst.given", TN_K_BURST), .none = "default" },
	{ STR("limits.shape", TN_K_SHAPE) },
	{ STR("source_check", TN_K_SOURCE_CHECK) },
	{ LIST("sources", TN_K_SOURCE) },
	{ STR("fastpath", TN_K_FASTPATH) },
	{ READ("container") },
	{ READ("router") },
};

#undef NODE
#undef READ
#undef STR
#undef INT
#undef LIST

const unsigned int tn_apply_nfields =
	sizeof(tn_apply_fields) / sizeof(tn_apply_fields[0]);

static const struct tn_apply_field *field_of(const char *path)
{
	for (size_t i = 0; i < tn_apply_nfields; i++)
		if (!strcmp(tn_apply_fields[i].path, path))
			return &tn_apply_fields[i];
	return NULL;
}

/* The field of key k (the first, for messages). */
static const char *path_of(int k)
{
	for (size_t i = 0; i < tn_apply_nfields; i++)
		if (tn_apply_fields[i].key == k &&
		    tn_apply_fields[i].kind >= TN_AF_STR)
			return tn_apply_fields[i].path;
	return g->keys[k].name;
}

/* ---- faults ---- */

void tn_apply_fault(struct tn_apply_errs *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	e->total++;
	if (e->n >= TN_APPLY_ERRS_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		e->line[e->n++] = s;
}

void tn_apply_errs_free(struct tn_apply_errs *e)
{
	for (unsigned int i = 0; i < e->n; i++)
		free(e->line[i]);
	memset(e, 0, sizeof(*e));
}

/* What a file says, safe to print: printable ASCII, 40 bytes at most. */
const char *tn_apply_clean(const char *s, char *buf, size_t n)
{
	size_t i, j = 0;

	for (i = 0; s[i] && j + 4 < n && i < 40; i++)
		buf[j++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] && j + 4 < n)
		j += (size_t)snprintf(buf + j, n - j, "...");
	buf[j] = '\0';
	return buf;
}

/* A JSON value in a message: "a string "100"", "1.5", "null". */
static const char *shown(json_object *v, char *buf, size_t n)
{
	char tmp[48];

	if (json_object_is_type(v, json_type_string))
		snprintf(buf, n, "\"%s\"",
			 tn_apply_clean(json_object_get_string(v), tmp,
					sizeof(tmp)));
	else
		tn_apply_clean(json_object_to_json_string_ext(
				       v, JSON_C_TO_STRING_PLAIN),
			       buf, n);
	return buf;
}

/* ---- one tenant ---- */

/* Reading one. */
struct rd {
	struct tn_apply_errs *e;
	const char *where; /* "f.json: " */
	struct tn_apply_tenant *t;
	unsigned int faults; /* e->total when it began */
	bool seen[TN_G_MAX_KEYS]; /* the file has the field */
	bool bad[TN_G_MAX_KEYS]; /* and it was refused */
};

static void __attribute__((format(printf, 2, 3)))
bad(struct rd *rd, const char *fmt, ...)
{
	char msg[2 * TN_V_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tn_apply_fault(rd->e, "%s%s: %s", rd->where, rd->t->who, msg);
}

/* A sentence of the grammar's, naming key k, with the field's name. */
static void bad_key(struct rd *rd, int k, const char *err)
{
	const char *name = g->keys[k].name;
	size_t len = strlen(name);

	if (!strncmp(err, name, len) && (err[len] == ':' || err[len] == ' '))
		bad(rd, "%s%s", path_of(k), err + len);
	else
		bad(rd, "%s", err);
}

/* "access: colour" is no field: say which are. */
static void unknown(struct rd *rd, const char *at, const char *key)
{
	size_t at_len = strlen(at), used = 0;
	char known[512], k[64];

	known[0] = '\0';
	for (size_t i = 0; i < tn_apply_nfields && used < sizeof(known); i++) {
		const char *p = tn_apply_fields[i].path;

		if (at_len && (strncmp(p, at, at_len) || p[at_len] != '.'))
			continue;
		p += at_len + !!at_len;
		if (strchr(p, '.'))
			continue;
		used += (size_t)snprintf(known + used, sizeof(known) - used,
					 "%s%s", used ? ", " : "", p);
	}
	bad(rd, "unknown key \"%s%s%s\" (%s has %s)", at, at_len ? "." : "",
	    tn_apply_clean(key, k, sizeof(k)), at_len ? at : "a tenant", known);
}

/* One value of f, typed as tenetctl would (into buf), checked by the
 * command table's validator under the field's name: 0 or -EINVAL, said. */
static int typed(struct rd *rd, const struct tn_apply_field *f,
		 json_object *val, char *buf, size_t n)
{
	struct tn_gkey k = g->keys[f->key];
	char err[TN_V_ERR_MAX], v_s[64];
	struct tn_gval v = { 0 };
	uint64_t u;

	/* The grammar's sentences name the field, not the CLI's key. */
	k.name = f->path;
	if (f->kind == TN_AF_INT) {
		if (!json_object_is_type(val, json_type_int) ||
		    json_object_get_int64(val) < 0) {
			bad(rd, "%s: must be a whole number, 0 or more, not %s",
			    f->path, shown(val, v_s, sizeof(v_s)));
			return -EINVAL;
		}
		u = json_object_get_uint64(val);
		if (!u && (f->flags & TN_AF_NONE))
			buf[0] = '\0';
		else if (!u && (f->flags & TN_AF_UNLIMITED))
			snprintf(buf, n, "%s", TN_V_UNLIMITED);
		else
			f->fmt(u, buf, n);
	} else if (!json_object_is_type(val, json_type_string)) {
		bad(rd, "%s: %s be a string, not %s", f->path,
		    f->kind == TN_AF_LIST ? "every value must" : "must",
		    shown(val, v_s, sizeof(v_s)));
		return -EINVAL;
	} else if (json_object_get_string_len(val) >= (int)n) {
		bad(rd, "%s: %s is too long", f->path,
		    shown(val, v_s, sizeof(v_s)));
		return -EINVAL;
	} else {
		snprintf(buf, n, "%s", json_object_get_string(val));
	}
	if (!buf[0] && (f->flags & TN_AF_NONE) && f->kind != TN_AF_LIST)
		return 0;
	if (tn_g_value(&k, buf, &v, err, sizeof(err))) {
		bad(rd, "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* f's value into tenant add's args, checked as the command line's; the
 * none of TN_AF_NONE leaves the key out. */
static void take(struct rd *rd, const struct tn_apply_field *f,
		 json_object *val)
{
	const char *key = g->keys[f->key].name;
	char buf[256], v_s[64];
	json_object *arr;
	size_t n, max;

	rd->seen[f->key] = true;
	rd->bad[f->key] = true;
	if (f->kind != TN_AF_LIST) {
		if (typed(rd, f, val, buf, sizeof(buf)))
			return;
		if (buf[0])
			json_object_object_add(rd->t->args, key,
					       json_object_new_string(buf));
		rd->bad[f->key] = false;
		return;
	}
	if (!json_object_is_type(val, json_type_array)) {
		bad(rd, "%s: must be a list of strings, not %s", f->path,
		    shown(val, v_s, sizeof(v_s)));
		return;
	}
	n = json_object_array_length(val);
	max = g->keys[f->key].max_values ? g->keys[f->key].max_values :
					   TN_G_MAX_VALUES;
	if (n > max) {
		bad(rd, "%s: takes at most %zu values", f->path, max);
		return;
	}
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		if (typed(rd, f, json_object_array_get_idx(val, i), buf,
			  sizeof(buf))) {
			json_object_put(arr);
			return;
		}
		json_object_array_add(arr, json_object_new_string(buf));
	}
	if (n)
		json_object_object_add(rd->t->args, key, arr);
	else
		json_object_put(arr);
	rd->bad[f->key] = false;
}

static void walk(struct rd *rd, json_object *o, const char *at)
{
	char path[64], v_s[64];
	const struct tn_apply_field *f;

	json_object_object_foreach(o, key, val)
	{
		if (snprintf(path, sizeof(path), "%s%s%s", at, *at ? "." : "",
			     key) >= (int)sizeof(path) ||
		    !(f = field_of(path))) {
			unknown(rd, at, key);
			continue;
		}
		if (f->kind == TN_AF_NODE &&
		    !json_object_is_type(val, json_type_object))
			bad(rd, "%s: must be an object, not %s", path,
			    shown(val, v_s, sizeof(v_s)));
		else if (f->kind == TN_AF_NODE)
			walk(rd, val, path);
		else if (f->kind != TN_AF_READ)
			take(rd, f, val);
	}
}

/* The values of list k, parsed. */
static unsigned int cidrs(const struct tn_gargs *a, int k,
			  struct tn_apply_cidr *c, const char **s)
{
	json_object *l = a->v[k].list;
	unsigned int n = l ? (unsigned int)json_object_array_length(l) : 0;
	struct tn_gval v;

	for (unsigned int i = 0; i < n && i < TN_G_MAX_VALUES; i++) {
		memset(&v, 0, sizeof(v));
		s[i] = json_object_get_string(json_object_array_get_idx(l, i));
		tn_g_value(&g->keys[k], s[i], &v, NULL, 0);
		c[i] = (struct tn_apply_cidr){ v.family, { 0 }, v.len };
		memcpy(c[i].addr, v.addr, sizeof(c[i].addr));
	}
	return n < TN_G_MAX_VALUES ? n : TN_G_MAX_VALUES;
}

static bool same_cidr(const struct tn_apply_cidr *a,
		      const struct tn_apply_cidr *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* List k with no value twice (tenetd's take_addrs(); the store keeps a
 * source once). */
static void once(struct rd *rd, const struct tn_gargs *a, int k)
{
	struct tn_apply_cidr c[TN_G_MAX_VALUES];
	const char *s[TN_G_MAX_VALUES];
	unsigned int n = cidrs(a, k, c, s);

	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = 0; j < i; j++)
			if (same_cidr(&c[i], &c[j])) {
				bad(rd, "%s: %s given twice", path_of(k), s[i]);
				return;
			}
}

/* What tenetd checks of a whole tenant beyond the grammar, then what two
 * tenants may not share. */
static void whole(struct rd *rd, const struct tn_gargs *a)
{
	struct tn_apply_tenant *t = rd->t;
	const struct tn_gval *v = a->v;
	struct tn_rate_limits rl = { 0 };
	char err[TN_V_ERR_MAX];

	once(rd, a, TN_K_ACCESS_ADDR);
	once(rd, a, TN_K_UPLINK_ADDR);
	once(rd, a, TN_K_SOURCE);
	t->nprefix = cidrs(a, TN_K_PREFIX, t->prefix, t->prefix_s);
	for (unsigned int i = 1; i < t->nprefix; i++)
		for (unsigned int j = 0; j < i; j++)
			if (tn_v_overlap(t->prefix[i].family, t->prefix[i].addr,
					 t->prefix[i].len, t->prefix[j].family,
					 t->prefix[j].addr, t->prefix[j].len)) {
				bad(rd,
				    "uplink.prefixes: %s overlaps %s, also"
				    " given",
				    t->prefix_s[i], t->prefix_s[j]);
				i = t->nprefix;
				break;
			}
	/* The burst goes with the rate and pps (lib/burst.h). */
	if (v[TN_K_RATE].set)
		rl.rate_bps = v[TN_K_RATE].u;
	if (v[TN_K_PPS].set)
		rl.pps = v[TN_K_PPS].u;
	if (v[TN_K_BURST].set && !v[TN_K_BURST].deflt) {
		if (v[TN_K_BURST].time)
			rl.burst_ns = v[TN_K_BURST].u;
		else
			rl.burst_bytes = v[TN_K_BURST].u;
	}
	if (tn_burst_check(&rl, err, sizeof(err)))
		bad_key(rd, TN_K_BURST, err);

	snprintf(t->access, sizeof(t->access), "%s", v[TN_K_ACCESS].s);
	snprintf(t->uplink, sizeof(t->uplink), "%s", v[TN_K_UPLINK].s);
	t->vlan = (unsigned int)v[TN_K_VLAN].u;
	t->inner = v[TN_K_INNER_VLAN].set ? (unsigned int)v[TN_K_INNER_VLAN].u :
					    0;
	t->uplink_vlan = v[TN_K_UPLINK_VLAN].set ?
				 (unsigned int)v[TN_K_UPLINK_VLAN].u :
				 0;
	t->has_mac = v[TN_K_UPLINK_MAC].set;
	memcpy(t->mac, v[TN_K_UPLINK_MAC].addr, sizeof(t->mac));
}

int tn_apply_tenant_read(struct tn_apply_errs *e, const char *where,
			 json_object *o, size_t i, struct tn_apply_tenant *t)
{
	struct rd rd = { .e = e, .where = where, .t = t, .faults = e->total };
	struct tn_gargs *a;
	struct tn_gspec sp;
	json_object *name;
	char err[TN_V_ERR_MAX], v_s[64];
	const struct tn_gcmd *add = &g->cmds[TN_C_TENANT_ADD];

	memset(t, 0, sizeof(*t));
	snprintf(t->who, sizeof(t->who), "tenants[%zu]", i);
	if (!json_object_is_type(o, json_type_object)) {
		tn_apply_fault(e, "%s%s: must be an object, not %s", where,
			       t->who, shown(o, v_s, sizeof(v_s)));
		return 0;
	}
	t->args = json_object_new_object();
	a = malloc(sizeof(*a));
	if (!t->args || !a) {
		free(a);
		return -ENOMEM;
	}
	if (json_object_object_get_ex(o, "name", &name) &&
	    json_object_is_type(name, json_type_string) &&
	    !tn_v_name(json_object_get_string(name), NULL, 0)) {
		snprintf(t->name, sizeof(t->name), "%s",
			 json_object_get_string(name));
		snprintf(t->who, sizeof(t->who), "%s", t->name);
	}
	walk(&rd, o, "");
	/* Required keys: as tenant add's line of the table says. */
	if (!tn_g_spec(g, add, &sp))
		for (const struct tn_guse *u = sp.u; u->key; u++)
			if ((u->flags & TN_GU_REQ) && !rd.bad[u->key] &&
			    !json_object_object_get_ex(
				    t->args, g->keys[u->key].name, NULL))
				bad(&rd, "%s: %s", path_of(u->key),
				    rd.seen[u->key] ? "needs a value" :
						      "is required");
	/* All of it as tenetd reads a request: whatever this file missed. */
	if (e->total == rd.faults &&
	    tn_g_json(g, add, t->args, a, err, sizeof(err))) {
		bad(&rd, "%s", err);
	}
	if (e->total == rd.faults)
		whole(&rd, a);
	t->ok = e->total == rd.faults;
	free(a);
	return 0;
}

/* ---- two tenants ---- */

/* In the order of tenetd's tenant_clash(), then its prefix check. */
bool tn_apply_clash(const struct tn_apply_tenant *a,
		    const struct tn_apply_tenant *b, const char *owner,
		    char *why, size_t n)
{
	bool access = !strcmp(a->access, b->access) && a->vlan == b->vlan;
	bool uplink = !strcmp(a->uplink, b->uplink);

	if (access && a->inner == b->inner && b->inner) {
		snprintf(why, n, "access.inner_vlan: %s vlan %u.%u is also %s",
			 b->access, b->vlan, b->inner, owner);
		return true;
	}
	if (access && a->inner == b->inner) {
		snprintf(why, n, "access.vlan: %s vlan %u is also %s",
			 b->access, b->vlan, owner);
		return true;
	}
	if (uplink && b->uplink_vlan && a->uplink_vlan == b->uplink_vlan) {
		snprintf(why, n, "uplink.vlan: %s vlan %u is also %s",
			 b->uplink, b->uplink_vlan, owner);
		return true;
	}
	if (access) {
		snprintf(why, n,
			 "access.inner_vlan: %s vlan %u is %s %s: one outer"
			 " VLAN is either single-tagged or QinQ, not both",
			 b->access, b->vlan, owner,
			 a->inner ? "QinQ outer tag" : "single tag");
		return true;
	}
	if (uplink && a->has_mac && b->has_mac &&
	    !memcmp(a->mac, b->mac, sizeof(a->mac))) {
		snprintf(why, n,
			 "uplink.mac: %02x:%02x:%02x:%02x:%02x:%02x on %s is"
			 " also %s",
			 b->mac[0], b->mac[1], b->mac[2], b->mac[3], b->mac[4],
			 b->mac[5], b->uplink, owner);
		return true;
	}
	for (unsigned int i = 0; uplink && i < b->nprefix; i++)
		for (unsigned int j = 0; j < a->nprefix; j++) {
			const struct tn_apply_cidr *x = &b->prefix[i],
						   *y = &a->prefix[j];

			if (same_cidr(x, y))
				snprintf(why, n,
					 "uplink.prefixes: %s on %s is also %s",
					 b->prefix_s[i], b->uplink, owner);
			else if (tn_v_overlap(x->family, x->addr, x->len,
					      y->family, y->addr, y->len))
				snprintf(why, n,
					 "uplink.prefixes: %s overlaps %s %s"
					 " on %s",
					 b->prefix_s[i], owner, a->prefix_s[j],
					 b->uplink);
			else
				continue;
			return true;
		}
	return false;
}
