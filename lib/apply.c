// SPDX-License-Identifier: GPL-2.0
/*
 * The planner of lib/apply.h. Every tenant, the file's and tenetd's alike,
 * is read by lib/apply_tenant.c into tenant add's arguments, as tenetctl
 * would send them, and through tn_g_json() for tenant add: so a value
 * means the same whichever side it comes from, a field left out takes the
 * command table's default, and two tenants are compared value by value
 * (same()). The keys tenant set takes are read from its line of the table
 * (live()), so a key made live there is applied live here with no change
 * to this file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "apply_tenant.h"
#include "ctl_cmds.h"
#include "grammar.h"

static const struct tn_grammar *const g = &tn_ctl_grammar;

const char *const tn_apply_op_names[TN_APPLY__MAX] = {
	[TN_APPLY_DEL] = "del",	  [TN_APPLY_SET] = "set",
	[TN_APPLY_ADD] = "add",	  [TN_APPLY_KEEP] = "keep",
	[TN_APPLY_SAME] = "none",
};

/* ---- the file ---- */

/* The JSON of text, or NULL with the fault said, at its line and column. */
static json_object *parse(struct tn_apply *ap, const char *text, size_t len)
{
	enum json_tokener_error je = json_tokener_success;
	struct json_tokener *tok;
	const char *nul = memchr(text, '\0', len), *why;
	unsigned int line = 1;
	json_object *o = NULL;
	size_t at, col = 1;

	if (len >= INT32_MAX) {
		tn_apply_fault(&ap->errs, "%s: larger than 2G", ap->file);
		return NULL;
	}
	if (nul) {
		at = (size_t)(nul - text);
		why = "a NUL byte";
	} else {
		tok = json_tokener_new();
		if (!tok)
			return NULL;
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
						    JSON_TOKENER_VALIDATE_UTF8);
		/* its '\0' too: the end is known */
		o = json_tokener_parse_ex(tok, text, (int)len + 1);
		je = json_tokener_get_error(tok);
		at = json_tokener_get_parse_end(tok);
		json_tokener_free(tok);
		if (o && je == json_tokener_success)
			return o;
		json_object_put(o);
		why = json_tokener_error_desc(je);
	}
	for (size_t i = 0; i < at && i < len; i++, col++)
		if (text[i] == '\n') {
			line++;
			col = 0;
		}
	tn_apply_fault(&ap->errs, "%s:%u:%zu: malformed JSON: %s", ap->file,
		       line, col, why);
	return NULL;
}

static void ap_bad(struct tn_apply *ap, struct tn_apply_tenant *t,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void ap_bad(struct tn_apply *ap, struct tn_apply_tenant *t,
		   const char *fmt, ...)
{
	char msg[2 * TN_V_ERR_MAX];
	va_list va;

	va_start(va, fmt);
	vsnprintf(msg, sizeof(msg), fmt, va);
	va_end(va);
	tn_apply_fault(&ap->errs, "%s: %s: %s", ap->file, t->who, msg);
	t->ok = false;
}

int tn_apply_read(struct tn_apply *ap, const char *file, const char *text,
		  size_t len)
{
	json_object *arr = NULL, *names, *prev;
	bool *fine;
	char where[sizeof(ap->file) + 2], why[2 * TN_V_ERR_MAX], k[64];
	int err = 0;

	memset(ap, 0, sizeof(*ap));
	snprintf(ap->file, sizeof(ap->file), "%s", file);
	ap->doc = parse(ap, text, len);
	if (!ap->doc)
		return ap->errs.total ? -EINVAL : -ENOMEM;
	if (!json_object_is_type(ap->doc, json_type_object)) {
		tn_apply_fault(&ap->errs,
			       "%s: must be an object {\"tenants\": [...]}, as"
			       " tenetctl -j tenant list prints",
			       ap->file);
		return -EINVAL;
	}
	json_object_object_foreach(ap->doc, key, val)
	{
		if (strcmp(key, "tenants"))
			tn_apply_fault(
				&ap->errs,
				"%s: unknown key \"%s\" (the file has tenants"
				" alone)",
				ap->file, tn_apply_clean(key, k, sizeof(k)));
		else if (!json_object_is_type(val, json_type_array))
			tn_apply_fault(&ap->errs, "%s: tenants: must be a list",
				       ap->file);
		else
			arr = val;
	}
	if (!arr && !ap->errs.total)
		tn_apply_fault(&ap->errs, "%s: tenants: is required", ap->file);
	if (!arr)
		return -EINVAL;

	ap->nwant = (unsigned int)json_object_array_length(arr);
	ap->want = calloc(ap->nwant ? ap->nwant : 1, sizeof(*ap->want));
	names = json_object_new_object();
	if (!ap->want || !names) {
		json_object_put(names);
		return -ENOMEM;
	}
	snprintf(where, sizeof(where), "%s: ", ap->file);
	for (unsigned int i = 0; !err && i < ap->nwant; i++) {
		struct tn_apply_tenant *t = &ap->want[i];

		err = tn_apply_tenant_read(&ap->errs, where,
					   json_object_array_get_idx(arr, i), i,
					   t);
		if (err || !*t->name)
			continue;
		if (json_object_object_get_ex(names, t->name, &prev))
			ap_bad(ap, t,
			       "name: twice in the file (tenants[%d] and"
			       " tenants[%u])",
			       json_object_get_int(prev), i);
		else
			json_object_object_add(names, t->name,
					       json_object_new_int((int)i));
	}
	json_object_put(names);
	if (err)
		return err;
	/* What tenetd would refuse between two of them: the first each
	 * clashes with, among those read whole. */
	fine = calloc(ap->nwant + 1, sizeof(*fine));
	if (!fine)
		return -ENOMEM;
	for (unsigned int i = 0; i < ap->nwant; i++)
		fine[i] = ap->want[i].ok;
	for (unsigned int j = 1; j < ap->nwant; j++)
		for (unsigned int i = 0; fine[j] && i < j; i++) {
			char owner[48];

			snprintf(owner, sizeof(owner), "%s's",
				 ap->want[i].name);
			if (fine[i] &&
			    tn_apply_clash(&ap->want[i], &ap->want[j], owner,
					   why, sizeof(why))) {
				ap_bad(ap, &ap->want[j], "%s", why);
				break;
			}
		}
	free(fine);
	return ap->errs.total ? -EINVAL : 0;
}

/* ---- the plan ---- */

static bool given(const struct tn_gval *v)
{
	return v->set && !v->deflt;
}

/* Two values of key k, as the table reads them. */
static bool same_val(const struct tn_gkey *k, const struct tn_gval *a,
		     const struct tn_gval *b)
{
	if (given(a) != given(b))
		return false;
	if (!given(a))
		return true;
	switch (k->type) {
	case TN_G_NAME:
	case TN_G_IFNAME:
	case TN_G_PATH:
		return !strcmp(a->s, b->s);
	case TN_G_ADDR:
	case TN_G_PREFIX:
		return a->family == b->family && a->len == b->len &&
		       !memcmp(a->addr, b->addr, sizeof(a->addr));
	case TN_G_IP:
		return a->family == b->family &&
		       !memcmp(a->addr, b->addr, sizeof(a->addr));
	case TN_G_MAC:
		return !memcmp(a->addr, b->addr, 6);
	case TN_G_BURST:
		return a->time == b->time && a->u == b->u;
	default:
		return a->unlimited == b->unlimited && a->u == b->u;
	}
}

/* Lists as sets: no value is in one and not the other. */
static bool in_list(const struct tn_gkey *k, const struct tn_gval *x,
		    json_object *l)
{
	struct tn_gval y;

	for (size_t i = 0; l && i < json_object_array_length(l); i++) {
		memset(&y, 0, sizeof(y));
		y.set = true;
		if (!tn_g_value(k,
				json_object_get_string(
					json_object_array_get_idx(l, i)),
				&y, NULL, 0) &&
		    same_val(k, x, &y))
			return true;
	}
	return false;
}

static bool same(const struct tn_gkey *k, const struct tn_gval *a,
		 const struct tn_gval *b)
{
	size_t na, nb;
	struct tn_gval x;

	if (!(k->flags & TN_GK_LIST))
		return same_val(k, a, b);
	na = a->list ? json_object_array_length(a->list) : 0;
	nb = b->list ? json_object_array_length(b->list) : 0;
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		memset(&x, 0, sizeof(x));
		x.set = true;
		if (tn_g_value(k,
			       json_object_get_string(
				       json_object_array_get_idx(a->list, i)),
			       &x, NULL, 0) ||
		    !in_list(k, &x, b->list))
			return false;
	}
	return true;
}

/* How a value reads in a plan: "100M", "10.0.0.1/24,fd00::1/64", "none". */
static const char *text(const struct tn_apply_field *f, const struct tn_gval *v,
			char *buf, size_t n)
{
	size_t used = 0;

	if (!given(v) && !v->list)
		snprintf(buf, n, "%s", f->none ? f->none : "none");
	else if (!v->list)
		snprintf(buf, n, "%s", v->s);
	if (!v->list)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(v->list) && used < n;
	     i++)
		used += (size_t)snprintf(
			buf + used, n - used, "%s%s", i ? "," : "",
			json_object_get_string(
				json_object_array_get_idx(v->list, i)));
	return buf;
}

/* Tenant set takes key k. */
static bool live(int k)
{
	struct tn_gspec sp;

	if (tn_g_spec(g, &g->cmds[TN_C_TENANT_SET], &sp))
		return false;
	for (const struct tn_guse *u = sp.u; u->key; u++)
		if (u->key == k && !(u->flags & TN_GU_POS))
			return true;
	return false;
}

static json_object *request(int c, json_object *args)
{
	json_object *o = json_object_new_object();
	char name[64];

	json_object_object_add(o, "cmd",
			       json_object_new_string(tn_g_name(
				       &g->cmds[c], name, sizeof(name))));
	json_object_object_add(o, "args", args);
	return o;
}

static json_object *name_args(const char *name)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	return o;
}

/* s += ", " and the rest, growing. */
static void __attribute__((format(printf, 2, 3)))
append(char **s, const char *fmt, ...)
{
	char *more = NULL, *both = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		more = NULL;
	va_end(ap);
	if (more &&
	    asprintf(&both, "%s%s%s", *s ? *s : "", *s ? ", " : "", more) < 0)
		both = NULL;
	free(more);
	if (both) {
		free(*s);
		*s = both;
	}
}

/* What differs between the tenant on the host (c) and the file's (t):
 * none (SAME), what tenant set changes (SET, one request), or a field it
 * cannot (SET that fails, naming each). */
static int diff(const struct tn_apply_tenant *c,
		const struct tn_apply_tenant *t, struct tn_apply_act *x)
{
	struct tn_gargs *want = malloc(sizeof(*want)),
			*cur = malloc(sizeof(*cur));
	const struct tn_gcmd *add = &g->cmds[TN_C_TENANT_ADD];
	char from[1024], to[1024];
	json_object *args = name_args(t->name);
	char *frozen = NULL;

	x->changes = json_object_new_array();
	if (!want || !cur || !args || !x->changes ||
	    tn_g_json(g, add, t->args, want, NULL, 0) ||
	    tn_g_json(g, add, c->args, cur, NULL, 0)) {
		free(want);
		free(cur);
		json_object_put(args);
		return -ENOMEM;
	}
	for (size_t i = 0; i < tn_apply_nfields; i++) {
		const struct tn_apply_field *f = &tn_apply_fields[i];
		const struct tn_gkey *k = &g->keys[f->key];
		const struct tn_gval *w = &want->v[f->key],
				     *h = &cur->v[f->key];
		const char *word = NULL;
		json_object *ch;

		if (!tn_apply_is_value(f) || f->key == TN_K_NAME ||
		    ((f->flags & TN_AF_DERIVED) && !w->set) || same(k, w, h))
			continue;
		text(f, h, from, sizeof(from));
		text(f, w, to, sizeof(to));
		/* Back to none: the word tenant set has for it. */
		if (given(w))
			word = w->s;
		else if (k->flags & TN_GK_UNLIMITED)
			word = TN_V_UNLIMITED;
		else if (k->flags & TN_GK_DEFAULT)
			word = TN_V_DEFAULT;
		ch = json_object_new_object();
		json_object_object_add(ch, "field",
				       json_object_new_string(f->path));
		json_object_object_add(ch, "key",
				       json_object_new_string(k->name));
		json_object_object_add(ch, "from",
				       json_object_new_string(from));
		json_object_object_add(ch, "to", json_object_new_string(to));
		json_object_object_add(ch, "live",
				       json_object_new_boolean(live(f->key) &&
							       word));
		json_object_array_add(x->changes, ch);
		if (live(f->key) && word) {
			json_object_object_add(args, k->name,
					       json_object_new_string(word));
			append(&x->what, "%s %s -> %s", k->name, from, to);
		} else if (live(f->key)) {
			append(&frozen,
			       "%s: %s -> %s (tenant set has no word"
			       " for %s)",
			       f->path, from, to, to);
		} else {
			append(&frozen, "%s: %s -> %s", f->path, from, to);
		}
	}
	free(want);
	free(cur);
	x->op = TN_APPLY_SET;
	if (frozen) {
		if (asprintf(&x->why,
			     "%s cannot change live; tenant del and add it",
			     frozen) < 0)
			x->why = NULL;
		free(frozen);
		json_object_put(args);
		return x->why ? 0 : -ENOMEM;
	}
	if (!x->what) {
		x->op = TN_APPLY_SAME;
		json_object_put(args);
		json_object_put(x->changes);
		x->changes = NULL;
		return 0;
	}
	x->req = request(TN_C_TENANT_SET, args);
	return 0;
}

/* A tenant of the host, kept or not, that t may not be beside. */
static void clash_host(const struct tn_apply_tenant *cur, unsigned int ncur,
		       const bool *goes, const struct tn_apply_tenant *t,
		       struct tn_apply_act *x)
{
	char why[2 * TN_V_ERR_MAX], owner[64];

	for (unsigned int j = 0; j < ncur && !x->why; j++) {
		if (!cur[j].ok || goes[j])
			continue;
		snprintf(owner, sizeof(owner), "tenant %s's, on the host",
			 cur[j].name);
		if (tn_apply_clash(&cur[j], t, owner, why, sizeof(why)))
			x->why = strdup(why);
	}
}

int tn_apply_plan(struct tn_apply *ap, json_object *list, bool prune)
{
	struct tn_apply_errs e = { 0 };
	struct tn_apply_tenant *cur = NULL;
	struct tn_apply_act *acts = NULL;
	json_object *arr, *byname = NULL, *wanted = NULL, *idx;
	unsigned int ncur, nact = 0;
	int c;
	char **cur_why = NULL;
	bool *goes = NULL, *in_file = NULL;
	int err = -ENOMEM;

	if (!json_object_object_get_ex(list, "tenants", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return -EBADMSG;
	ncur = (unsigned int)json_object_array_length(arr);
	cur = calloc(ncur + 1, sizeof(*cur));
	cur_why = calloc(ncur + 1, sizeof(*cur_why));
	goes = calloc(ncur + 1, sizeof(*goes));
	in_file = calloc(ncur + 1, sizeof(*in_file));
	acts = calloc(ncur + ap->nwant + 1, sizeof(*acts));
	byname = json_object_new_object();
	wanted = json_object_new_object();
	if (!cur || !cur_why || !goes || !in_file || !acts || !byname ||
	    !wanted)
		goto out;
	for (unsigned int i = 0; i < ap->nwant; i++)
		json_object_object_add(wanted, ap->want[i].name,
				       json_object_new_int((int)i));
	/* The host's, read as the file's: what differs is in values. */
	for (unsigned int i = 0; i < ncur; i++) {
		if (tn_apply_tenant_read(&e, "tenant list: ",
					 json_object_array_get_idx(arr, i), i,
					 &cur[i]))
			goto out;
		if (!cur[i].ok && e.n)
			cur_why[i] = strdup(e.line[0]);
		tn_apply_errs_free(&e);
		if (!*cur[i].name)
			continue; /* nothing to name it by */
		json_object_object_add(byname, cur[i].name,
				       json_object_new_int((int)i));
		in_file[i] =
			json_object_object_get_ex(wanted, cur[i].name, NULL);
		goes[i] = prune && !in_file[i];
	}
	for (unsigned int i = 0; i < ncur; i++) {
		struct tn_apply_act *x = &acts[nact];

		if (!*cur[i].name || in_file[i])
			continue;
		nact++;
		x->op = goes[i] ? TN_APPLY_DEL : TN_APPLY_KEEP;
		snprintf(x->name, sizeof(x->name), "%s", cur[i].name);
		if (goes[i])
			x->req = request(TN_C_TENANT_DEL,
					 name_args(cur[i].name));
	}
	for (unsigned int i = 0; i < ap->nwant; i++) {
		const struct tn_apply_tenant *t = &ap->want[i];
		struct tn_apply_act *x = &acts[nact++];

		snprintf(x->name, sizeof(x->name), "%s", t->name);
		if (!json_object_object_get_ex(byname, t->name, &idx)) {
			x->op = TN_APPLY_ADD;
			clash_host(cur, ncur, goes, t, x);
			if (!x->why)
				x->req = request(TN_C_TENANT_ADD,
						 json_object_get(t->args));
			continue;
		}
		c = json_object_get_int(idx);
		if (!cur[c].ok) {
			/* tenetd printed what its own table refuses */
			x->op = TN_APPLY_SET;
			x->why = strdup(cur_why[c] ? cur_why[c] :
						     "tenant list: unreadable");
			continue;
		}
		if (diff(&cur[c], t, x))
			goto out;
	}
	/* In the order they are done; the rest after. */
	ap->act = calloc(nact + 1, sizeof(*ap->act));
	if (!ap->act)
		goto out;
	for (int op = 0; op < TN_APPLY__MAX; op++)
		for (unsigned int i = 0; i < nact; i++) {
			if ((int)acts[i].op != op)
				continue;
			if (acts[i].why)
				ap->failed++;
			else
				ap->count[op]++;
			ap->act[ap->nact++] = acts[i];
		}
	nact = 0;
	err = 0;
out:
	for (unsigned int i = 0; i < nact; i++) {
		json_object_put(acts[i].req);
		json_object_put(acts[i].changes);
		free(acts[i].what);
		free(acts[i].why);
	}
	for (unsigned int i = 0; cur && i < ncur; i++) {
		json_object_put(cur[i].args);
		free(cur_why[i]);
	}
	tn_apply_errs_free(&e);
	free(acts);
	free(cur);
	free(cur_why);
	free(goes);
	free(in_file);
	json_object_put(byname);
	json_object_put(wanted);
	return err;
}

void tn_apply_free(struct tn_apply *ap)
{
	for (unsigned int i = 0; i < ap->nwant; i++)
		json_object_put(ap->want[i].args);
	for (unsigned int i = 0; i < ap->nact; i++) {
		json_object_put(ap->act[i].req);
		json_object_put(ap->act[i].changes);
		free(ap->act[i].what);
		free(ap->act[i].why);
	}
	free(ap->want);
	free(ap->act);
	json_object_put(ap->doc);
	tn_apply_errs_free(&ap->errs);
	memset(ap, 0, sizeof(*ap));
}
