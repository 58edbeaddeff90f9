// SPDX-License-Identifier: GPL-2.0
/*
 * The engine behind lib/grammar.h: one reading of a command's table for
 * the command line, for a request's JSON, and for every text made from it
 * (help, man page, completion, README's summary). The sentences a command
 * line and a request get are the same, since both go through check_use()
 * and the same refusals of keys.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "grammar.h"
#include "validate.h"

static unsigned int host_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static int errf(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (err && n) {
		va_start(ap, fmt);
		vsnprintf(err, n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int tn_g_value(const struct tn_gkey *k, const char *s, struct tn_gval *v,
	       char *err, size_t n)
{
	const char *f = k->name;
	uint32_t mc;
	uint16_t vid;
	int r = 0;

	if ((k->flags & TN_GK_UNLIMITED) && tn_v_unlimited(s)) {
		v->unlimited = true;
		v->u = 0;
		return 0;
	}
	if ((k->flags & TN_GK_DEFAULT) && s && !strcmp(s, TN_V_DEFAULT)) {
		v->deflt = true;
		v->u = 0;
		return 0;
	}
	switch (k->type) {
	case TN_G_NAME:
		return tn_v_name(s, err, n);
	case TN_G_IFNAME:
		return tn_v_ifname(f, s, err, n);
	case TN_G_VLAN:
		r = tn_v_vlan(f, s, &vid, err, n);
		v->u = r ? 0 : vid;
		return r;
	case TN_G_COUNT:
		return tn_v_count(f, s, k->min, k->max, &v->u, err, n);
	case TN_G_SIZE:
		return tn_v_size_in(f, s, k->min ? k->min : 1,
				    k->max ? k->max : TN_V_SIZE_MAX, &v->u, err,
				    n);
	case TN_G_RATE:
		return tn_v_rate(f, s, &v->u, err, n);
	case TN_G_CPU:
		r = tn_v_cpu(f, s, host_cores(), &mc, err, n);
		v->u = r ? 0 : mc;
		return r;
	case TN_G_CPUSET:
		return tn_v_cpuset(f, s, host_cores(), &v->u, err, n);
	case TN_G_ADDR:
	case TN_G_PREFIX:
		return tn_v_cidr(f, s, k->type == TN_G_PREFIX, &v->family,
				 v->addr, &v->len, err, n);
	case TN_G_IP:
		return tn_v_ip(f, s, &v->family, v->addr, err, n);
	case TN_G_MAC:
		return tn_v_mac(f, s, v->addr, err, n);
	case TN_G_ENUM:
		r = tn_v_keyword(f, s, k->words, err, n);
		v->u = r < 0 ? 0 : (uint64_t)r;
		return r < 0 ? r : 0;
	case TN_G_PATH:
		return tn_v_path(f, s, k->max, err, n);
	case TN_G_BURST:
		return tn_v_burst(f, s, k->min, k->max, &v->u, &v->time, err,
				  n);
	case TN_G_FLAG:
		v->u = 1;
		return 0;
	}
	return errf(err, n, "%s: a key of no known type", f);
}

const char *tn_g_name(const struct tn_gcmd *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", c->obj, c->verb ? " " : "",
		 c->verb ? c->verb : "");
	return buf;
}

const struct tn_gcmd *tn_g_find(const struct tn_grammar *g, const char *name)
{
	char buf[64];

	for (unsigned int i = 0; name && i < g->ncmds; i++)
		if (!strcmp(tn_g_name(&g->cmds[i], buf, sizeof(buf)), name))
			return &g->cmds[i];
	return NULL;
}

/* "<name>", "[<name>]", "name!", "name+", "name=V": see grammar.h. */
static int spec_word(const struct tn_grammar *g, char *w, struct tn_guse *u,
		     struct tn_gspec *s, size_t *used)
{
	size_t len = strlen(w);
	char *eq = strchr(w, '=');

	if (w[0] == '[') {
		if (len < 3 || w[len - 1] != ']')
			return -EINVAL;
		w[--len] = '\0';
		w++;
		len--;
		if (w[0] != '<')
			return -EINVAL;
		u->flags = TN_GU_POS;
	} else if (w[0] == '<') {
		u->flags = TN_GU_POS | TN_GU_REQ;
	}
	if (u->flags & TN_GU_POS) {
		if (len < 3 || w[len - 1] != '>')
			return -EINVAL;
		w[len - 1] = '\0';
		w++;
	} else if (eq) {
		size_t n = strlen(eq + 1) + 1;

		if (*used + n > sizeof(s->dflt))
			return -EINVAL;
		u->dflt = memcpy(s->dflt + *used, eq + 1, n);
		*used += n;
		*eq = '\0';
	} else {
		for (; len && strchr("!+", w[len - 1]); w[--len] = '\0')
			u->flags |= w[len - 1] == '!' ? TN_GU_REQ :
							TN_GU_REPEAT;
	}
	for (unsigned int k = 1; k < g->nkeys; k++)
		if (g->keys[k].name && !strcmp(g->keys[k].name, w)) {
			u->key = (int)k;
			return 0;
		}
	return -EINVAL;
}

int tn_g_spec(const struct tn_grammar *g, const struct tn_gcmd *c,
	      struct tn_gspec *s)
{
	const char *p = c->args ? c->args : "";
	size_t used = 0, len;
	char w[64];
	int n = 0;

	memset(s, 0, sizeof(*s));
	for (; *p; p += len) {
		len = strcspn(p, " ");
		if (!len) {
			len = 1;
			continue;
		}
		if (len >= sizeof(w) || n >= TN_G_MAX_USES)
			return -EINVAL;
		memcpy(w, p, len);
		w[len] = '\0';
		if (spec_word(g, w, &s->u[n++], s, &used))
			return -EINVAL;
	}
	return 0;
}

/* c's uses for the texts made from it (none if its args are wrong, which
 * test_grammar's test_table rules out). */
static const struct tn_guse *
uses_of(const struct tn_grammar *g, const struct tn_gcmd *c, struct tn_gspec *s)
{
	if (tn_g_spec(g, c, s))
		memset(s, 0, sizeof(*s));
	return s->u;
}

static const struct tn_gkey *key_of(const struct tn_grammar *g,
				    const struct tn_guse *u)
{
	return &g->keys[u->key];
}

static bool is_list(const struct tn_grammar *g, const struct tn_guse *u)
{
	return key_of(g, u)->flags & TN_GK_LIST;
}

static bool is_flag(const struct tn_grammar *g, const struct tn_guse *u)
{
	return key_of(g, u)->type == TN_G_FLAG;
}

/* Values of a list or repeat go to an array. */
static bool takes_array(const struct tn_grammar *g, const struct tn_guse *u)
{
	return is_list(g, u) || (u->flags & TN_GU_REPEAT);
}

static unsigned int max_values(const struct tn_grammar *g,
			       const struct tn_guse *u)
{
	unsigned int m = key_of(g, u)->max_values;

	return m ? m : TN_G_MAX_VALUES;
}

/* The keywords among uses (those not positional), NULL-terminated. */
static int keywords(const struct tn_grammar *g, const struct tn_guse *uses,
		    const char **w, const struct tn_guse **u, int max)
{
	int n = 0;

	for (const struct tn_guse *p = uses; p->key && n < max - 1; p++)
		if (!(p->flags & TN_GU_POS)) {
			u[n] = p;
			w[n++] = key_of(g, p)->name;
		}
	w[n] = NULL;
	return n;
}

/* "tenant add: must be access, vlan ... or pps, not "colour"" */
static int unknown_key(const struct tn_grammar *g, const struct tn_gcmd *c,
		       const struct tn_guse *uses, const char *word, char *err,
		       size_t n)
{
	const char *w[TN_G_MAX_KEYS];
	const struct tn_guse *u[TN_G_MAX_KEYS];
	char name[64];

	keywords(g, uses, w, u, TN_G_MAX_KEYS);
	tn_v_keyword(tn_g_name(c, name, sizeof(name)), word, w, err, n);
	return -EINVAL;
}

/* "UPLINK" from "uplink": positional arguments in messages. */
static const char *upper(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	buf[i] = '\0';
	return buf;
}

/* One value of use u into a, and into args unless NULL. */
static int take(const struct tn_grammar *g, const struct tn_guse *u,
		const char *s, struct tn_gargs *a, json_object *args, char *err,
		size_t n)
{
	const struct tn_gkey *k = key_of(g, u);
	struct tn_gval tmp = { 0 }, *v = &a->v[u->key];
	json_object *list = NULL;
	int r;

	/* A list's items are checked one by one; v keeps the first. */
	r = tn_g_value(k, s, v->given ? &tmp : v, err, n);
	if (r)
		return r;
	if (takes_array(g, u) && args) {
		if (!json_object_object_get_ex(args, k->name, &list)) {
			list = json_object_new_array();
			json_object_object_add(args, k->name, list);
		}
		if (json_object_array_length(list) >= max_values(g, u))
			return errf(err, n, "%s takes at most %u values",
				    k->name, max_values(g, u));
	}
	if (!v->given)
		v->s = s;
	v->set = v->given = true;
	if (list) {
		json_object_array_add(list, json_object_new_string(s));
		v->list = list;
	} else if (args)
		json_object_object_add(args, k->name,
				       k->type == TN_G_FLAG ?
					       json_object_new_boolean(1) :
					       json_object_new_string(s));
	return 0;
}

/* A word of a list cannot be a key unless it holds no digit and no ':'
 * (addresses always do): such a word after a list is a mistyped key. */
static bool looks_like_key(const char *s)
{
	return !strpbrk(s, "0123456789:");
}

/* Defaults of what was not given, required keys, at least one key. */
static int finish(const struct tn_grammar *g, const struct tn_gcmd *c,
		  struct tn_gargs *a, const bool *seen, bool cli, char *err,
		  size_t n, bool *usage)
{
	const char *w[TN_G_MAX_KEYS];
	const struct tn_guse *ku[TN_G_MAX_KEYS];
	int given = 0, nk;
	char up[32], list[256];

	const struct tn_guse *uses = a->spec.u;

	for (const struct tn_guse *u = uses; u->key; u++) {
		int i = (int)(u - uses);
		const struct tn_gkey *k = key_of(g, u);

		if (seen[i]) {
			given += !(u->flags & TN_GU_POS);
			continue;
		}
		if (u->flags & TN_GU_REQ) {
			*usage = true;
			if ((u->flags & TN_GU_POS) && cli)
				return errf(err, n, "missing %s",
					    k->meta ? k->meta :
						      upper(k->name, up,
							    sizeof(up)));
			return errf(err, n, "%s is required", k->name);
		}
		if (u->dflt) {
			struct tn_gval *v = &a->v[u->key];

			if (tn_g_value(k, u->dflt, v, err, n))
				return -EINVAL; /* a bad table */
			v->s = u->dflt;
			v->set = true;
		}
	}
	nk = keywords(g, uses, w, ku, TN_G_MAX_KEYS);
	if ((c->flags & TN_GC_NEEDS_KEY) && !given) {
		size_t used = 0;

		list[0] = '\0';
		for (int i = 0; i < nk && used < sizeof(list); i++)
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 !i	    ? "" :
						 i + 1 < nk ? ", " :
							      " or ",
						 w[i]);
		*usage = true;
		return errf(err, n, "give at least one of %s", list);
	}
	return 0;
}

/* a made ready for c's arguments. */
static int start(const struct tn_grammar *g, const struct tn_gcmd *c,
		 struct tn_gargs *a, char *err, size_t n)
{
	char name[64];

	memset(a, 0, sizeof(*a));
	a->g = g;
	a->cmd = c;
	if (tn_g_spec(g, c, &a->spec))
		return errf(err, n, "%s: its grammar is wrong (\"%s\")",
			    tn_g_name(c, name, sizeof(name)), c->args);
	return 0;
}

static bool is_keyword(const char *const *w, const char *s)
{
	return tn_v_keyword("key", s, w, NULL, 0) >= 0;
}

/* Values of p from argv[*i] on: one, or for a list every word up to the
 * next key. */
static int take_words(const struct tn_grammar *g, const struct tn_gcmd *c,
		      const struct tn_guse *p, const char *const *w, int argc,
		      char **argv, int *i, struct tn_gargs *a,
		      json_object *args, char *err, size_t n)
{
	int r = take(g, p, argv[(*i)++], a, args, err, n);

	while (!r && is_list(g, p) && *i < argc && !is_keyword(w, argv[*i])) {
		r = take(g, p, argv[*i], a, args, err, n);
		if (r && looks_like_key(argv[*i]))
			return unknown_key(g, c, a->spec.u, argv[*i], err, n);
		(*i)++;
	}
	return r;
}

int tn_g_argv(const struct tn_grammar *g, const struct tn_gcmd *c, int argc,
	      char **argv, struct tn_gargs *a, json_object *args, char *err,
	      size_t n, bool *usage)
{
	const char *w[TN_G_MAX_KEYS];
	const struct tn_guse *ku[TN_G_MAX_KEYS], *uses, *u, *p;
	bool seen[TN_G_MAX_KEYS] = { false };
	int i = 0, k, nk, r;

	*usage = false;
	if ((r = start(g, c, a, err, n)))
		return r;
	u = uses = a->spec.u;
	nk = keywords(g, uses, w, ku, TN_G_MAX_KEYS);
	/* Leading positional arguments, in order, up to a flag: those left
	 * then take words as trailing ones do. */
	for (; u->key && (u->flags & TN_GU_POS) && i < argc; u++) {
		k = tn_v_keyword("key", argv[i], w, NULL, 0);
		if (k >= 0 && is_flag(g, ku[k]))
			break;
		seen[u - uses] = true;
		r = take_words(g, c, u, w, argc, argv, &i, a, args, err, n);
		if (r)
			return r;
	}
	while (i < argc) {
		k = tn_v_keyword("key", argv[i], w, NULL, 0);
		if (k < 0) {
			/* The next trailing positional argument takes it. */
			for (p = u; p->key; p++)
				if ((p->flags & TN_GU_POS) && !seen[p - uses])
					break;
			if (!p->key) {
				if (nk)
					return unknown_key(g, c, uses, argv[i],
							   err, n);
				*usage = true;
				return errf(err, n, "too many arguments");
			}
		} else {
			p = ku[k];
			if (seen[p - uses] && !(p->flags & TN_GU_REPEAT)) {
				*usage = true;
				return errf(err, n, "%s given twice", w[k]);
			}
			if (is_flag(g, p)) {
				seen[p - uses] = true;
				r = take(g, p, argv[i++], a, args, err, n);
				if (r)
					return r;
				continue;
			}
			/* A list's first value cannot be a key either. */
			if (++i >= argc ||
			    (is_list(g, p) && is_keyword(w, argv[i]))) {
				*usage = true;
				return errf(err, n, "%s needs a value", w[k]);
			}
		}
		seen[p - uses] = true;
		r = take_words(g, c, p, w, argc, argv, &i, a, args, err, n);
		if (r)
			return r;
	}
	return finish(g, c, a, seen, true, err, n, usage);
}

int tn_g_json(const struct tn_grammar *g, const struct tn_gcmd *c,
	      json_object *args, struct tn_gargs *a, char *err, size_t n)
{
	bool seen[TN_G_MAX_KEYS] = { false }, usage;
	const struct tn_guse *u, *uses;
	int r;

	if ((r = start(g, c, a, err, n)))
		return r;
	uses = a->spec.u;
	if (args && !json_object_is_type(args, json_type_object))
		return errf(err, n, "args: must be an object");
	if (args) {
		json_object_object_foreach(args, key, val)
		{
			for (u = uses; u->key; u++)
				if (!strcmp(key_of(g, u)->name, key))
					break;
			if (!u->key) {
				const char *w[TN_G_MAX_KEYS];
				const struct tn_guse *ku[TN_G_MAX_KEYS];
				char name[64];

				if (keywords(g, uses, w, ku, TN_G_MAX_KEYS))
					return unknown_key(g, c, uses, key, err,
							   n);
				return errf(err, n,
					    "%s: takes no argument \"%.32s\"",
					    tn_g_name(c, name, sizeof(name)),
					    key);
			}
			seen[u - uses] = true;
			if (is_flag(g, u)) {
				if (!json_object_is_type(val,
							 json_type_boolean))
					return errf(err, n,
						    "%s: must be true or false",
						    key);
				seen[u - uses] = json_object_get_boolean(val);
				if (seen[u - uses] &&
				    (r = take(g, u, key, a, NULL, err, n)))
					return r;
				continue;
			}
			if (!takes_array(g, u)) {
				if (!json_object_is_type(val, json_type_string))
					return errf(err, n,
						    "%s: must be a string",
						    key);
				r = take(g, u, json_object_get_string(val), a,
					 NULL, err, n);
				if (r)
					return r;
				continue;
			}
			if (!json_object_is_type(val, json_type_array))
				return errf(err, n,
					    "%s: must be a list of values",
					    key);
			if (json_object_array_length(val) > max_values(g, u))
				return errf(err, n,
					    "%s takes at most %u values", key,
					    max_values(g, u));
			if (!json_object_array_length(val))
				return errf(err, n, "%s needs a value", key);
			for (size_t i = 0; i < json_object_array_length(val);
			     i++) {
				json_object *e =
					json_object_array_get_idx(val, i);

				if (!json_object_is_type(e, json_type_string))
					return errf(err, n,
						    "%s: every value must be"
						    " a string",
						    key);
				r = take(g, u, json_object_get_string(e), a,
					 NULL, err, n);
				if (r)
					return r;
			}
			a->v[u->key].list = val;
		}
	}
	return finish(g, c, a, seen, false, err, n, &usage);
}

int tn_g_opt(const struct tn_grammar *g, int argc, char **argv, char *err,
	     size_t n)
{
	struct option lo[TN_G_MAX_OPTS + 1] = { { 0 } };
	const char *names[2 * TN_G_MAX_OPTS + 1];
	char optstr[3 * TN_G_MAX_OPTS + 3] = "+:";
	int k = 0, w = 0, c;
	size_t used = 2;

	for (const struct tn_gopt *o = g->opts;
	     o && o->lng && k < TN_G_MAX_OPTS; o++, k++) {
		lo[k] = (struct option){ o->lng + 2,
					 o->meta ? required_argument :
						   no_argument,
					 NULL, o->val };
		if (o->shrt) {
			optstr[used++] = o->shrt[1];
			if (o->meta)
				optstr[used++] = ':';
			names[w++] = o->shrt;
		}
		names[w++] = o->lng;
	}
	optstr[used] = '\0';
	names[w] = NULL;
	opterr = 0;
	c = getopt_long(argc, argv, optstr, lo, NULL);
	if (c == ':') {
		for (const struct tn_gopt *o = g->opts; o && o->lng; o++)
			if (o->val == optopt ||
			    (o->shrt && o->shrt[1] == optopt))
				return errf(err, n, "%s needs a %s", o->lng,
					    o->meta),
				       '?';
		return errf(err, n, "%s needs a value", argv[optind - 1]), '?';
	}
	if (c == '?') {
		tn_v_keyword("option", argv[optind - 1], names, err, n);
		return '?';
	}
	return c;
}

/* ---- texts made from the table ---- */

/* "VID", "veth|direct", "CORES|unlimited" */
static const char *meta(const struct tn_gkey *k, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (k->type == TN_G_FLAG)
		return buf;
	if (k->type == TN_G_ENUM)
		for (int i = 0; k->words[i] && used < n; i++)
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
						 i ? "|" : "", k->words[i]);
	else
		used = (size_t)snprintf(buf, n, "%s", k->meta);
	if ((k->flags & TN_GK_UNLIMITED) && used < n)
		used += (size_t)snprintf(buf + used, n - used, "|%s",
					 TN_V_UNLIMITED);
	if ((k->flags & TN_GK_DEFAULT) && used < n)
		snprintf(buf + used, n - used, "|%s", TN_V_DEFAULT);
	return buf;
}

/* One argument of a usage line: "NAME", "[NAME]", "vlan VID",
 * "[prefix CIDR...]", "access-addr CIDR...". */
static const char *word_of(const struct tn_grammar *g, const struct tn_guse *u,
			   char *buf, size_t n)
{
	const struct tn_gkey *k = key_of(g, u);
	bool opt = !(u->flags & TN_GU_REQ);
	char m[96];

	meta(k, m, sizeof(m));
	if (k->type == TN_G_FLAG)
		snprintf(buf, n, "%s%s%s", opt ? "[" : "", k->name,
			 opt ? "]" : "");
	else if (u->flags & TN_GU_POS)
		snprintf(buf, n, "%s%s%s%s", opt ? "[" : "", m,
			 is_list(g, u) ? "..." : "", opt ? "]" : "");
	else
		snprintf(buf, n, "%s%s %s%s%s%s", opt ? "[" : "", k->name, m,
			 is_list(g, u) ? "..." : "", opt ? "]" : "",
			 u->flags & TN_GU_REPEAT ? "..." : "");
	return buf;
}

const char *tn_g_usage(const struct tn_grammar *g, const struct tn_gcmd *c,
		       char *buf, size_t n)
{
	struct tn_gspec sp;
	size_t used = 0;
	char w[160];

	buf[0] = '\0';
	for (const struct tn_guse *u = uses_of(g, c, &sp); u->key && used < n;
	     u++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 used ? " " : "",
					 word_of(g, u, w, sizeof(w)));
	return buf;
}

/* "PROG OBJ VERB" then the arguments, wrapped at width: continuation lines
 * start with cont. */
static void usage_lines(FILE *f, const struct tn_grammar *g,
			const struct tn_gcmd *c, const char *indent,
			const char *cont, unsigned int width)
{
	char name[64], w[160];
	struct tn_gspec sp;
	size_t col;

	col = (size_t)fprintf(f, "%s%s %s", indent, g->prog,
			      tn_g_name(c, name, sizeof(name)));
	for (const struct tn_guse *u = uses_of(g, c, &sp); u->key; u++) {
		word_of(g, u, w, sizeof(w));
		if (col + 1 + strlen(w) > width) {
			col = (size_t)fprintf(f, "\n%s%s", cont, w);
			continue;
		}
		col += (size_t)fprintf(f, " %s", w);
	}
	fputc('\n', f);
}

void tn_g_summary(FILE *f, const struct tn_grammar *g, unsigned int width)
{
	fprintf(f, "%s", g->prog);
	for (const struct tn_gopt *o = g->opts; o && o->lng; o++)
		fprintf(f, " [%s%s%s%s%s]", o->shrt ? o->shrt : "",
			o->shrt ? "|" : "", o->lng, o->meta ? " " : "",
			o->meta ? o->meta : "");
	fputs(" OBJECT [COMMAND] [ARGS]\n", f);
	for (unsigned int i = 0; i < g->ncmds; i++)
		usage_lines(f, g, &g->cmds[i], "", "        ", width);
}

/* Lines of s, each after indent. */
static void indented(FILE *f, const char *indent, const char *s)
{
	while (s && *s) {
		size_t len = strcspn(s, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)len, s);
		s += len + !!s[len];
	}
}

/* Words of s after indent, wrapped at width. */
static void wrapped(FILE *f, const char *indent, const char *s,
		    unsigned int width)
{
	size_t col = 0, len;

	while (*s) {
		len = strcspn(s, " ");
		if (col && col + 1 + len > width) {
			fputc('\n', f);
			col = 0;
		}
		col += (size_t)fprintf(f, "%s%.*s", col ? " " : indent,
				       (int)len, s);
		s += len;
		s += strspn(s, " ");
	}
	if (col)
		fputc('\n', f);
}

/* What a key's help says beyond its own line: the bounds of its type,
 * lists and the default. */
static const char *more(const struct tn_grammar *g, const struct tn_guse *u,
			char *buf, size_t n)
{
	const struct tn_gkey *k = key_of(g, u);
	size_t used = 0;

	buf[0] = '\0';
	if (k->type == TN_G_COUNT)
		used += (size_t)snprintf(buf + used, n - used, "; %llu to %llu",
					 (unsigned long long)k->min,
					 (unsigned long long)k->max);
	if (is_list(g, u) && used < n)
		used += (size_t)snprintf(buf + used, n - used,
					 "; up to %u values%s",
					 max_values(g, u),
					 u->flags & TN_GU_REPEAT ?
						 ", and it may be given again" :
						 "");
	if (u->dflt && used < n)
		snprintf(buf + used, n - used, "; default %s", u->dflt);
	return buf;
}

/* "        vlan         help..., wrapped at 78 under the help's column. */
static void key_line(FILE *f, const char *name, const char *help)
{
	size_t col = (size_t)fprintf(f, "        %-13s", name), len;
	bool first = true;

	if (strlen(name) > 12)
		col = (size_t)fprintf(f, "\n%21s", "") - 1;
	while (*help) {
		len = strcspn(help, " ");
		if (!first && col + 1 + len > 78) {
			col = (size_t)fprintf(f, "\n%21s", "") - 1;
			first = true;
		}
		col += (size_t)fprintf(f, "%s%.*s", first ? "" : " ", (int)len,
				       help);
		first = false;
		help += len;
		help += strspn(help, " ");
	}
	fputc('\n', f);
}

/* "  -s, --socket PATH  help", continued lines under the help. */
static void opt_lines(FILE *f, const struct tn_grammar *g)
{
	char w[64];

	for (const struct tn_gopt *o = g->opts; o && o->lng; o++) {
		size_t len = strcspn(o->help, "\n");

		snprintf(w, sizeof(w), "%s%s%s%s%s", o->shrt ? o->shrt : "",
			 o->shrt ? ", " : "    ", o->lng, o->meta ? " " : "",
			 o->meta ? o->meta : "");
		fprintf(f, "  %-18s %.*s\n", w, (int)len, o->help);
		indented(f, "                     ",
			 o->help + len + !!o->help[len]);
	}
}

void tn_g_help(FILE *f, const struct tn_grammar *g, const char *obj)
{
	char w[160], m[256], line[512];
	struct tn_gspec sp;

	if (!obj) {
		fprintf(f,
			"Usage: %s [OPTIONS] OBJECT [COMMAND] [ARGS]\n\n"
			"Options, before OBJECT:\n",
			g->prog);
		opt_lines(f, g);
		fputc('\n', f);
	}
	fputs("Commands:\n", f);
	for (unsigned int i = 0; i < g->ncmds; i++) {
		const struct tn_gcmd *c = &g->cmds[i];

		if (obj && strcmp(c->obj, obj))
			continue;
		usage_lines(f, g, c, "  ", "          ", 78);
		wrapped(f, "      ", c->summary, 78);
		indented(f, "      ", c->help);
		for (const struct tn_guse *u = uses_of(g, c, &sp); u->key;
		     u++) {
			const struct tn_gkey *k = key_of(g, u);

			snprintf(line, sizeof(line), "%s%s", k->help,
				 more(g, u, m, sizeof(m)));
			key_line(f,
				 u->flags & TN_GU_POS ? meta(k, w, sizeof(w)) :
							k->name,
				 line);
		}
	}
	if (g->notes) {
		fputc('\n', f);
		wrapped(f, "", g->notes, 78);
	}
}

/* roff text: a leading '.' or '\'' escaped, backslashes doubled, '-' as
 * \- so that options can be searched for. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n') {
			fputc('\n', f);
			if (s[1] == '.' || s[1] == '\'')
				fputs("\\&", f);
		} else
			fputc(*s, f);
	}
}

void tn_g_man(FILE *f, const struct tn_grammar *g, const char *date)
{
	char name[64], w[160], m[256], up[64];
	struct tn_gspec sp;

	fprintf(f,
		".\\\" Generated from %s's command table (lib/grammar.h):"
		" do not edit.\n"
		".TH %s 8 \"%s\" tenet \"tenet\"\n.SH NAME\n%s \\- ",
		g->prog, upper(g->prog, up, sizeof(up)), date, g->prog);
	roff(f, g->summary);
	fprintf(f,
		"\n.SH SYNOPSIS\n.B %s\n[\\fIOPTIONS\\fR] \\fIOBJECT\\fR"
		" [\\fICOMMAND\\fR] [\\fIARGS\\fR]\n.SH OPTIONS\n",
		g->prog);
	for (const struct tn_gopt *o = g->opts; o && o->lng; o++) {
		fputs(".TP\n.B ", f);
		if (o->shrt) {
			roff(f, o->shrt);
			fputs(", ", f);
		}
		roff(f, o->lng);
		if (o->meta)
			fprintf(f, " \\fI%s\\fR", o->meta);
		fputc('\n', f);
		roff(f, o->help);
		fputc('\n', f);
	}
	fputs(".SH COMMANDS\n", f);
	for (unsigned int i = 0; i < g->ncmds; i++) {
		const struct tn_gcmd *c = &g->cmds[i];

		fprintf(f, ".TP\n\\fB%s %s\\fR", g->prog,
			tn_g_name(c, name, sizeof(name)));
		if (*tn_g_usage(g, c, m, sizeof(m)))
			fputc(' ', f);
		roff(f, m);
		fputs("\n.RS\n", f);
		roff(f, c->summary);
		fputc('\n', f);
		if (c->help) {
			fputs(".nf\n", f);
			roff(f, c->help);
			fputs("\n.fi\n", f);
		}
		for (const struct tn_guse *u = uses_of(g, c, &sp); u->key;
		     u++) {
			const struct tn_gkey *k = key_of(g, u);

			fputs(".TP\n.B ", f);
			roff(f, u->flags & TN_GU_POS ? meta(k, w, sizeof(w)) :
						       k->name);
			if (!(u->flags & TN_GU_POS) && k->type != TN_G_FLAG) {
				fputs(" ", f);
				roff(f, meta(k, w, sizeof(w)));
			}
			fputc('\n', f);
			roff(f, k->help);
			roff(f, more(g, u, m, sizeof(m)));
			fputc('\n', f);
		}
		fputs(".RE\n", f);
	}
	if (g->notes) {
		fputs(".SH NOTES\n", f);
		roff(f, g->notes);
		fputc('\n', f);
	}
	fputs(".SH SEE ALSO\n.BR tenetd (8)\n", f);
}

/* The bash words a key's value completes from: "@ifname", "@path", the
 * enum's words, or nothing. */
static void value_words(FILE *f, const struct tn_gkey *k)
{
	switch (k->type) {
	case TN_G_IFNAME:
		fputs("@ifname", f);
		break;
	case TN_G_PATH:
		fputs("@path", f);
		break;
	case TN_G_FLAG:
		fputs("@flag", f);
		break;
	case TN_G_ENUM:
		for (int i = 0; k->words[i]; i++)
			fprintf(f, "%s%s", i ? " " : "", k->words[i]);
		break;
	default:
		break;
	}
	if (k->flags & TN_GK_UNLIMITED)
		fprintf(f, " %s", TN_V_UNLIMITED);
	if (k->flags & TN_GK_DEFAULT)
		fprintf(f, " %s", TN_V_DEFAULT);
}

void tn_g_completion(FILE *f, const struct tn_grammar *g)
{
	const char *p = g->prog;
	char name[64], opts[256] = "", optarg[256] = "";
	struct tn_gspec sp;
	size_t no = 0, na = 0;

	for (const struct tn_gopt *o = g->opts; o && o->lng; o++) {
		no += (size_t)snprintf(opts + no, sizeof(opts) - no, "%s%s %s",
				       no ? " " : "", o->shrt ? o->shrt : "",
				       o->lng);
		if (o->meta)
			na += (size_t)snprintf(optarg + na, sizeof(optarg) - na,
					       "%s%s %s", na ? " " : "",
					       o->shrt ? o->shrt : "", o->lng);
	}

	fprintf(f,
		"# bash completion for %s, generated from its command table\n"
		"# (lib/grammar.h): do not edit. Install as\n"
		"# /usr/share/bash-completion/completions/%s.\n\n",
		p, p);
	/* The table, as bash arrays. */
	fprintf(f, "declare -gA _%s_verbs=(", p);
	for (unsigned int i = 0; i < g->ncmds; i++) {
		const struct tn_gcmd *c = &g->cmds[i];

		if (i && !strcmp(g->cmds[i - 1].obj, c->obj))
			continue;
		fprintf(f, "\n\t[%s]='", c->obj);
		for (unsigned int j = i; j < g->ncmds; j++)
			if (!strcmp(g->cmds[j].obj, c->obj) && g->cmds[j].verb)
				fprintf(f, "%s%s", j > i ? " " : "",
					g->cmds[j].verb);
		fputc('\'', f);
	}
	fputs("\n)\n", f);
	/* per command: its leading positional arguments (by key, for their
	 * values), then ':' and its keys, '+' after those that may be given
	 * again */
	fprintf(f, "declare -gA _%s_args=(", p);
	for (unsigned int i = 0; i < g->ncmds; i++) {
		const struct tn_gcmd *c = &g->cmds[i];

		fprintf(f, "\n\t['%s']='", tn_g_name(c, name, sizeof(name)));
		const struct tn_guse *uses = uses_of(g, c, &sp);

		for (const struct tn_guse *u = uses;
		     u->key && (u->flags & TN_GU_POS); u++)
			fprintf(f, "%s ", key_of(g, u)->name);
		fputs(":", f);
		for (const struct tn_guse *u = uses; u->key; u++)
			if (!(u->flags & TN_GU_POS))
				fprintf(f, " %s%s", key_of(g, u)->name,
					u->flags & TN_GU_REPEAT ? "+" : "");
		fputc('\'', f);
	}
	fputs("\n)\n", f);
	fprintf(f, "declare -gA _%s_values=(", p);
	for (unsigned int i = 1; i < g->nkeys; i++) {
		fprintf(f, "\n\t[%s]='", g->keys[i].name);
		value_words(f, &g->keys[i]);
		fputc('\'', f);
	}
	fputs("\n)\n\n", f);
	fprintf(f,
		"_%1$s_value()\n{\n"
		"\tlocal d w=\"${_%1$s_values[$1]}\"\n"
		"\tcase $w in\n"
		"\t@ifname*)\n"
		"\t\tfor d in /sys/class/net/*; do\n"
		"\t\t\t[ -e \"$d\" ] && w+=\" ${d##*/}\"\n"
		"\t\tdone\n"
		"\t\tw=${w#@ifname}\n"
		"\t\t;;\n"
		"\t@path*)\n"
		"\t\tcompopt -o filenames 2>/dev/null\n"
		"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		"\t\treturn\n"
		"\t\t;;\n"
		"\tesac\n"
		"\tCOMPREPLY=($(compgen -W \"$w\" -- \"$cur\"))\n"
		"}\n\n",
		p);
	fprintf(f,
		"_%1$s()\n{\n"
		"\tlocal cur=${COMP_WORDS[COMP_CWORD]} i first obj cmd spec pos"
		" keys w last= need=0\n"
		"\tCOMPREPLY=()\n"
		"\t# Options come before the object.\n"
		"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
		"\t\tcase \" %3$s \" in\n"
		"\t\t*\" ${COMP_WORDS[i]} \"*) ((i++)) ;;\n"
		"\t\t*) [[ ${COMP_WORDS[i]} == -* ]] || break ;;\n"
		"\t\tesac\n"
		"\tdone\n"
		"\tfirst=$i\n"
		"\tif ((first > COMP_CWORD)); then\n"
		"\t\tcompopt -o filenames 2>/dev/null\n"
		"\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		"\t\treturn\n"
		"\tfi\n"
		"\tif ((COMP_CWORD == first)); then\n"
		"\t\tif [[ $cur == -* ]]; then\n"
		"\t\t\tCOMPREPLY=($(compgen -W '%2$s' -- \"$cur\"))\n"
		"\t\telse\n"
		"\t\t\tCOMPREPLY=($(compgen -W \"${!_%1$s_verbs[*]}\" --"
		" \"$cur\"))\n"
		"\t\tfi\n"
		"\t\treturn\n"
		"\tfi\n"
		"\tobj=${COMP_WORDS[first]}\n"
		"\tcmd=$obj\n"
		"\tif [ -n \"${_%1$s_verbs[$obj]}\" ]; then\n"
		"\t\tif ((COMP_CWORD == first + 1)); then\n"
		"\t\t\tCOMPREPLY=($(compgen -W \"${_%1$s_verbs[$obj]} --help\""
		" -- \"$cur\"))\n"
		"\t\t\treturn\n"
		"\t\tfi\n"
		"\t\tcmd+=\" ${COMP_WORDS[first + 1]}\"\n"
		"\t\t((first++))\n"
		"\tfi\n"
		"\tspec=${_%1$s_args[$cmd]-}\n"
		"\tpos=(${spec%%%%:*})\n"
		"\tkeys=\" ${spec#*:} \"\n"
		"\t# Leading positional values first.\n"
		"\tif ((COMP_CWORD - first <= ${#pos[@]})); then\n"
		"\t\t_%1$s_value \"${pos[COMP_CWORD - first - 1]}\"\n"
		"\t\treturn\n"
		"\tfi\n"
		"\t# Then \"key value\": after a key its values, else the keys"
		" not\n"
		"\t# given yet (those with '+' again).\n"
		"\tfor ((i = first + 1 + ${#pos[@]}; i < COMP_CWORD; i++)); do\n"
		"\t\tw=${COMP_WORDS[i]}\n"
		"\t\tif ((need == 0)) && [[ $keys == *\" $w \"* ||"
		" $keys == *\" $w+ \"* ]]; then\n"
		"\t\t\tlast=$w\n"
		"\t\t\t# a flag takes no value\n"
		"\t\t\t[[ ${_%1$s_values[$w]} == @flag ]] || need=1\n"
		"\t\t\tkeys=${keys/ $w / }\n"
		"\t\telse\n"
		"\t\t\tneed=0\n"
		"\t\tfi\n"
		"\tdone\n"
		"\tif ((need)); then\n"
		"\t\t_%1$s_value \"$last\"\n"
		"\t\treturn\n"
		"\tfi\n"
		"\tkeys=${keys//+/}\n"
		"\tCOMPREPLY=($(compgen -W \"$keys\" -- \"$cur\"))\n"
		"}\n\n"
		"complete -F _%1$s %1$s\n",
		p, opts, optarg);
}
