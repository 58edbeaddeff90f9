// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl apply's planner (lib/apply.h) on tenant list's JSON: the same
 * tenants make no request whatever the order of keys and tenants, or
 * whether a default is written out; a new tenant is one tenant add, a
 * changed limit one tenant set of exactly what differs, a tenant the file
 * lacks is kept or (--prune) removed; a change tenant set cannot make fails
 * that tenant alone, naming the field; and a file at fault is refused
 * whole, each fault naming the tenant and the field, as do clashes between
 * its tenants and with tenants the host keeps.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "apply.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What tenetd lists: acme (limits given) and beta (QinQ, a tagged uplink,
 * pps with a burst in time, a source), with the read-only fields. */
static const char host[] =
	"{\"tenants\": ["
	"{\"name\": \"acme\", \"id\": 1, \"state\": \"ready\","
	" \"mode\": \"veth\", \"created\": 1796473809,"
	" \"access\": {\"ifname\": \"nic0\", \"vlan\": 100, \"inner_vlan\": 0,"
	"  \"mac\": \"06:74:6e:00:00:01\", \"veth\": \"tn1a\", \"queue\": -1,"
	"  \"addrs\": [\"10.0.0.1/24\", \"fd00::1/64\"]},"
	" \"uplink\": {\"ifname\": \"nic1\", \"vlan\": 0,"
	"  \"mac\": \"02:74:6e:00:00:01\", \"veth\": \"tn1u\", \"queue\": -1,"
	"  \"addrs\": [\"192.0.2.2/24\"], \"prefixes\": [\"198.51.100.0/24\"]},"
	" \"gateway\": \"192.0.2.1\","
	" \"limits\": {\"cpu_millicores\": 500, \"cpuset\": \"0\","
	"  \"memory_bytes\": 268435456, \"pids\": 200, \"rate_bps\": 100000000,"
	"  \"pps\": 0, \"burst\": {\"bytes\": 2097152, \"packets\": 0,"
	"  \"given\": \"2M\"}, \"shape\": \"on\"},"
	" \"source_check\": \"on\", \"sources\": [], \"fastpath\": \"on\","
	" \"container\": {\"name\": \"acme\", \"state\": \"RUNNING\","
	"  \"pid\": 28816, \"supervision\": {\"starting\": false}},"
	" \"router\": {\"connected\": true, \"pid\": 28844}},"
	"{\"name\": \"beta\", \"id\": 2, \"state\": \"ready\","
	" \"mode\": \"veth\", \"created\": 1796473812,"
	" \"access\": {\"ifname\": \"nic0\", \"vlan\": 200, \"inner_vlan\": 7,"
	"  \"mac\": \"06:74:6e:00:00:02\", \"veth\": \"tn2a\", \"queue\": -1,"
	"  \"addrs\": [\"10.0.0.1/24\"]},"
	" \"uplink\": {\"ifname\": \"nic1\", \"vlan\": 300,"
	"  \"mac\": \"02:74:6e:00:00:02\", \"veth\": \"tn2u\", \"queue\": -1,"
	"  \"addrs\": [\"192.0.2.6/30\"], \"prefixes\": []},"
	" \"gateway\": \"\","
	" \"limits\": {\"cpu_millicores\": 1000, \"cpuset\": \"\","
	"  \"memory_bytes\": 268435456, \"pids\": 256, \"rate_bps\": 0,"
	"  \"pps\": 1000, \"burst\": {\"bytes\": 0, \"packets\": 50,"
	"  \"given\": \"50ms\"}, \"shape\": \"off\"},"
	" \"source_check\": \"on\", \"sources\": [\"203.0.113.0/24\"],"
	" \"fastpath\": \"on\","
	" \"container\": {\"name\": \"beta\", \"state\": \"RUNNING\"},"
	" \"router\": null}"
	"]}";

/* A tenant of the file, at index 2: as few fields as tenant add needs. */
static const char gamma_json[] =
	"{\"name\": \"gamma\", \"access\": {\"ifname\": \"nic0\", \"vlan\": 300,"
	" \"addrs\": [\"10.0.0.1/24\"]}, \"uplink\": {\"ifname\": \"nic1\","
	" \"addrs\": [\"192.0.2.10/30\"]}, \"limits\": {\"cpu_millicores\": 250,"
	" \"memory_bytes\": 67108864, \"rate_bps\": 1500000}}";

/* doc with the value at path ("tenants.0.limits.rate_bps") set to the
 * JSON text value, or removed (NULL). */
static void set_at(json_object *doc, const char *path, const char *value)
{
	char buf[128], *last, *p, *save = NULL;
	json_object *o = doc, *v = value ? json_tokener_parse(value) : NULL;

	assert_true(!value || v || !strcmp(value, "null"));
	snprintf(buf, sizeof(buf), "%s", path);
	last = strrchr(buf, '.');
	assert_non_null(last);
	*last++ = '\0';
	for (p = strtok_r(buf, ".", &save); p; p = strtok_r(NULL, ".", &save)) {
		json_object *next = NULL;

		if (json_object_is_type(o, json_type_array))
			next = json_object_array_get_idx(o, (size_t)atoi(p));
		else
			json_object_object_get_ex(o, p, &next);
		assert_non_null(next);
		o = next;
	}
	if (json_object_is_type(o, json_type_array))
		json_object_array_put_idx(o, (size_t)atoi(last), v);
	else if (v || (value && !strcmp(value, "null")))
		json_object_object_add(o, last, v);
	else
		json_object_object_del(o, last);
}

/* base, then each "path", value pair (to the NULL path). */
static char *edited(const char *base, ...)
{
	json_object *doc = json_tokener_parse(base);
	const char *path;
	va_list ap;
	char *s;

	assert_non_null(doc);
	va_start(ap, base);
	while ((path = va_arg(ap, const char *)))
		set_at(doc, path, va_arg(ap, const char *));
	va_end(ap);
	s = strdup(
		json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY));
	json_object_put(doc);
	return s;
}

/* base without its i-th tenant. */
static char *dropped(const char *base, size_t i)
{
	json_object *doc = json_tokener_parse(base), *arr;
	char *s;

	assert_true(json_object_object_get_ex(doc, "tenants", &arr));
	assert_int_equal(json_object_array_del_idx(arr, i, 1), 0);
	s = strdup(json_object_to_json_string(doc));
	json_object_put(doc);
	return s;
}

/* Every object's keys, and every list, the other way round. */
static json_object *reversed(json_object *o)
{
	json_object *r;
	size_t n;

	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		r = json_object_new_array();
		while (n--)
			json_object_array_add(
				r, reversed(json_object_array_get_idx(o, n)));
		return r;
	}
	if (!json_object_is_type(o, json_type_object))
		return json_object_get(o);
	{
		const char *keys[64];
		json_object *vals[64];
		int k = 0;

		json_object_object_foreach(o, key, val)
		{
			assert_true(k < 64);
			keys[k] = key;
			vals[k++] = val;
		}
		r = json_object_new_object();
		while (k--)
			json_object_object_add(r, keys[k], reversed(vals[k]));
	}
	return r;
}

/* The file read, then (if it was) planned against host. */
static int plan(struct tn_apply *ap, const char *file, const char *list,
		bool prune)
{
	json_object *l = json_tokener_parse(list);
	int r;

	assert_non_null(l);
	r = tn_apply_read(ap, "f.json", file, strlen(file));
	if (!r)
		r = tn_apply_plan(ap, l, prune);
	json_object_put(l);
	return r;
}

static const struct tn_apply_act *act(const struct tn_apply *ap,
				      const char *name)
{
	for (unsigned int i = 0; i < ap->nact; i++)
		if (!strcmp(ap->act[i].name, name))
			return &ap->act[i];
	fail_msg("no action for %s", name);
	return NULL;
}

static void assert_json(json_object *got, const char *want)
{
	json_object *w = json_tokener_parse(want);

	assert_non_null(w);
	if (!json_object_equal(got, w))
		fail_msg("got  %s\nwant %s", json_object_to_json_string(got),
			 want);
	json_object_put(w);
}

static void assert_counts(const struct tn_apply *ap, unsigned int del,
			  unsigned int set, unsigned int add, unsigned int keep,
			  unsigned int same, unsigned int failed)
{
	const unsigned int want[] = { del, set, add, keep, same };

	for (int op = 0; op < TN_APPLY__MAX; op++)
		if (ap->count[op] != want[op])
			fail_msg("%s: %u, want %u", tn_apply_op_names[op],
				 ap->count[op], want[op]);
	assert_int_equal(ap->failed, failed);
}

/* tenetctl -j tenant list > f; tenetctl apply f: nothing to do. */
static void test_same(void **state)
{
	struct tn_apply ap;

	(void)state;
	assert_int_equal(plan(&ap, host, host, false), 0);
	assert_int_equal(ap.nact, 2);
	assert_counts(&ap, 0, 0, 0, 0, 2, 0);
	for (unsigned int i = 0; i < ap.nact; i++) {
		assert_int_equal(ap.act[i].op, TN_APPLY_SAME);
		assert_null(ap.act[i].req);
		assert_null(ap.act[i].why);
	}
	tn_apply_free(&ap);
	/* --prune has nothing to remove either */
	assert_int_equal(plan(&ap, host, host, true), 0);
	assert_counts(&ap, 0, 0, 0, 0, 2, 0);
	tn_apply_free(&ap);
}

/* Keys and tenants in another order, lists too: the same tenants. */
static void test_order(void **state)
{
	json_object *doc = json_tokener_parse(host), *r = reversed(doc);
	struct tn_apply ap;

	(void)state;
	assert_int_equal(plan(&ap, json_object_to_json_string(r), host, false),
			 0);
	assert_counts(&ap, 0, 0, 0, 0, 2, 0);
	tn_apply_free(&ap);
	json_object_put(r);
	json_object_put(doc);
}

/* A file written by hand: defaults left out, values written otherwise
 * (cpuset "0,0" is "0"), the uplink MAC left to tenetd. */
static void test_defaults(void **state)
{
	static const char file[] =
		"{\"tenants\": ["
		"{\"name\": \"acme\", \"access\": {\"ifname\": \"nic0\","
		" \"vlan\": 100, \"addrs\": [\"fd00::1/64\", \"10.0.0.1/24\"]},"
		" \"uplink\": {\"ifname\": \"nic1\", \"addrs\": [\"192.0.2.2/24\"],"
		" \"prefixes\": [\"198.51.100.0/24\"]}, \"gateway\": \"192.0.2.1\","
		" \"limits\": {\"cpu_millicores\": 500, \"cpuset\": \"0,0\","
		" \"pids\": 200, \"rate_bps\": 100000000,"
		" \"burst\": {\"given\": \"2048K\"}}},"
		"{\"name\": \"beta\", \"access\": {\"ifname\": \"nic0\","
		" \"vlan\": 200, \"inner_vlan\": 7, \"addrs\": [\"10.0.0.1/24\"]},"
		" \"uplink\": {\"ifname\": \"nic1\", \"vlan\": 300,"
		" \"addrs\": [\"192.0.2.6/30\"]}, \"limits\": {\"pps\": 1000,"
		" \"burst\": {\"given\": \"50ms\"}, \"shape\": \"off\"},"
		" \"sources\": [\"203.0.113.0/24\"]}"
		"]}";
	struct tn_apply ap;
	char *f;

	(void)state;
	assert_int_equal(plan(&ap, file, host, false), 0);
	assert_counts(&ap, 0, 0, 0, 0, 2, 0);
	tn_apply_free(&ap);
	/* beta on the host with cpu 0.5: the file's default (1) is wanted */
	f = edited(host, "tenants.1.limits.cpu_millicores", "500", NULL);
	assert_int_equal(plan(&ap, file, f, false), 0);
	assert_counts(&ap, 0, 1, 0, 0, 1, 0);
	assert_json(act(&ap, "beta")->req,
		    "{\"cmd\": \"tenant set\", \"args\": {\"name\": \"beta\","
		    " \"cpu\": \"1\"}}");
	tn_apply_free(&ap);
	free(f);
}

static void test_add(void **state)
{
	struct tn_apply ap;
	char *f = edited(host, "tenants.2", gamma_json, NULL);

	(void)state;
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 0, 1, 0, 2, 0);
	assert_int_equal(act(&ap, "gamma")->op, TN_APPLY_ADD);
	/* what tenetctl tenant add gamma access nic0 vlan 300 ... sends */
	assert_json(act(&ap, "gamma")->req,
		    "{\"cmd\": \"tenant add\", \"args\": {\"name\": \"gamma\","
		    " \"access\": \"nic0\", \"vlan\": \"300\","
		    " \"access-addr\": [\"10.0.0.1/24\"], \"uplink\": \"nic1\","
		    " \"uplink-addr\": [\"192.0.2.10/30\"], \"cpu\": \"0.25\","
		    " \"memory\": \"64M\", \"rate\": \"1500k\"}}");
	tn_apply_free(&ap);
	free(f);
}

/* Limits changed: one tenant set each, of what differs, in its units. */
static void test_set(void **state)
{
	struct tn_apply ap;
	const struct tn_apply_act *x;
	char *f = edited(host, "tenants.0.limits.rate_bps", "200000000",
			 "tenants.0.limits.cpu_millicores", "1000",
			 "tenants.1.fastpath", "\"off\"",
			 "tenants.1.limits.cpuset", "\"0\"", NULL);

	(void)state;
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 2, 0, 0, 0, 0);
	x = act(&ap, "acme");
	assert_int_equal(x->op, TN_APPLY_SET);
	assert_json(x->req, "{\"cmd\": \"tenant set\", \"args\": {\"name\":"
			    " \"acme\", \"cpu\": \"1\", \"rate\": \"200M\"}}");
	assert_string_equal(x->what, "cpu 0.5 -> 1, rate 100M -> 200M");
	assert_json(x->changes,
		    "[{\"field\": \"limits.cpu_millicores\", \"key\": \"cpu\","
		    " \"from\": \"0.5\", \"to\": \"1\", \"live\": true},"
		    " {\"field\": \"limits.rate_bps\", \"key\": \"rate\","
		    " \"from\": \"100M\", \"to\": \"200M\", \"live\": true}]");
	x = act(&ap, "beta");
	assert_json(x->req, "{\"cmd\": \"tenant set\", \"args\": {\"name\":"
			    " \"beta\", \"cpuset\": \"0\", \"fastpath\":"
			    " \"off\"}}");
	assert_string_equal(x->what, "cpuset any -> 0, fastpath on -> off");
	tn_apply_free(&ap);
	free(f);
}

/* A limit the file leaves out goes back to none, by tenant set's word. */
static void test_set_back(void **state)
{
	struct tn_apply ap;
	char *f = edited(host, "tenants.0.limits.rate_bps", NULL,
			 "tenants.0.limits.burst", NULL,
			 "tenants.0.limits.memory_bytes", "0", NULL);

	(void)state;
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 1, 0, 0, 1, 0);
	assert_json(act(&ap, "acme")->req,
		    "{\"cmd\": \"tenant set\", \"args\": {\"name\": \"acme\","
		    " \"memory\": \"unlimited\", \"rate\": \"unlimited\","
		    " \"burst\": \"default\"}}");
	assert_string_equal(act(&ap, "acme")->what,
			    "memory 256M -> unlimited, rate 100M -> none,"
			    " burst 2M -> default");
	tn_apply_free(&ap);
	free(f);
}

/* A tenant the file does not name: kept, or removed with --prune, first. */
static void test_prune(void **state)
{
	struct tn_apply ap;
	char *f = dropped(host, 1);

	(void)state;
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 0, 0, 1, 1, 0);
	assert_int_equal(act(&ap, "beta")->op, TN_APPLY_KEEP);
	assert_null(act(&ap, "beta")->req);
	tn_apply_free(&ap);

	assert_int_equal(plan(&ap, f, host, true), 0);
	assert_counts(&ap, 1, 0, 0, 0, 1, 0);
	assert_int_equal(ap.act[0].op, TN_APPLY_DEL);
	assert_string_equal(ap.act[0].name, "beta");
	assert_json(ap.act[0].req, "{\"cmd\": \"tenant del\", \"args\":"
				   " {\"name\": \"beta\"}}");
	tn_apply_free(&ap);

	/* an empty file with --prune removes every tenant */
	assert_int_equal(plan(&ap, "{\"tenants\": []}", host, true), 0);
	assert_counts(&ap, 2, 0, 0, 0, 0, 0);
	tn_apply_free(&ap);
	free(f);
}

/* Removals first, then changes, then additions. */
static void test_order_of_acts(void **state)
{
	struct tn_apply ap;
	char *f = edited(host, "tenants.0", gamma_json, "tenants.1.limits.pps",
			 "2000", NULL);

	(void)state;
	assert_int_equal(plan(&ap, f, host, true), 0);
	assert_counts(&ap, 1, 1, 1, 0, 0, 0);
	assert_int_equal(ap.nact, 3);
	assert_string_equal(ap.act[0].name, "acme");
	assert_int_equal(ap.act[0].op, TN_APPLY_DEL);
	assert_string_equal(ap.act[1].name, "beta");
	assert_int_equal(ap.act[1].op, TN_APPLY_SET);
	assert_string_equal(ap.act[2].name, "gamma");
	assert_int_equal(ap.act[2].op, TN_APPLY_ADD);
	tn_apply_free(&ap);
	free(f);
}

/* What tenant set cannot change fails that tenant, whole, naming every
 * such field; the others go on. */
static void test_not_live(void **state)
{
	struct tn_apply ap;
	const struct tn_apply_act *x;
	char *f = edited(host, "tenants.0.access.vlan", "150",
			 "tenants.0.limits.rate_bps", "200000000",
			 "tenants.1.limits.pps", "2000", NULL);

	(void)state;
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 1, 0, 0, 0, 1);
	x = act(&ap, "acme");
	assert_int_equal(x->op, TN_APPLY_SET);
	assert_null(x->req);
	assert_string_equal(x->why, "access.vlan: 100 -> 150 cannot change"
				    " live; tenant del and add it");
	assert_non_null(act(&ap, "beta")->req);
	tn_apply_free(&ap);
	free(f);

	f = edited(host, "tenants.0.uplink.addrs", "[\"192.0.2.3/24\"]",
		   "tenants.0.mode", "\"direct\"", "tenants.0.uplink.mac",
		   "\"02:00:00:00:00:09\"", "tenants.0.limits.cpuset", "\"\"",
		   NULL);
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_string_equal(
		act(&ap, "acme")->why,
		"mode: veth -> direct, uplink.mac: 02:74:6e:00:00:01 ->"
		" 02:00:00:00:00:09, uplink.addrs: 192.0.2.2/24 ->"
		" 192.0.2.3/24, limits.cpuset: 0 -> any (tenant set has no"
		" word for any) cannot change live; tenant del and add it");
	tn_apply_free(&ap);
	free(f);
}

struct refusal {
	const char *path, *value; /* NULL path: file is the text */
	const char *file, *err;
};

static void refused(const struct refusal *c, size_t n)
{
	struct tn_apply ap;
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		char *f = c[i].path ?
				  edited(host, c[i].path, c[i].value, NULL) :
				  strdup(c[i].file);
		int r = tn_apply_read(&ap, "f.json", f, strlen(f));

		if (r != -EINVAL || ap.errs.n < 1 ||
		    strcmp(ap.errs.line[0], c[i].err)) {
			print_error("%s: %d, %s\nwant %s\n",
				    c[i].path ? c[i].path : c[i].file, r,
				    ap.errs.n ? ap.errs.line[0] : "(no fault)",
				    c[i].err);
			bad++;
		}
		tn_apply_free(&ap);
		free(f);
	}
	assert_int_equal(bad, 0);
}

/* Faults of the file: refused whole, each naming the tenant and field,
 * the value's sentence the command line's. */
static void test_refused(void **state)
{
	static const struct refusal cases[] = {
		{ NULL, NULL, "{\"tenants\": [\n  {\"name\": \"a\",}\n]}",
		  "f.json:2:16: malformed JSON: unexpected character" },
		{ NULL, NULL, "{\"tenants\": []} x",
		  "f.json:1:17: malformed JSON: unexpected character" },
		{ NULL, NULL, "{\"tenants\": [",
		  "f.json:1:14: malformed JSON: unexpected end of data" },
		{ NULL, NULL, "",
		  "f.json:1:1: malformed JSON: unexpected end of data" },
		{ NULL, NULL, "[]",
		  "f.json: must be an object {\"tenants\": [...]}, as tenetctl"
		  " -j tenant list prints" },
		{ NULL, NULL, "{\"tenant\": []}",
		  "f.json: unknown key \"tenant\" (the file has tenants"
		  " alone)" },
		{ NULL, NULL, "{}", "f.json: tenants: is required" },
		{ NULL, NULL, "{\"tenants\": [7]}",
		  "f.json: tenants[0]: must be an object, not 7" },
		{ "tenants.0.colour", "\"red\"", NULL,
		  "f.json: acme: unknown key \"colour\" (a tenant has name,"
		  " id, state, mode, created, access, uplink, gateway,"
		  " limits, source_check, sources, fastpath, container,"
		  " router)" },
		{ "tenants.1.access.colour", "\"red\"", NULL,
		  "f.json: beta: unknown key \"access.colour\" (access has"
		  " ifname, vlan, inner_vlan, mac, veth, queue, addrs)" },
		{ "tenants.0.limits", "5", NULL,
		  "f.json: acme: limits: must be an object, not 5" },
		{ "tenants.0.access.vlan", "\"100\"", NULL,
		  "f.json: acme: access.vlan: must be a whole number, 0 or"
		  " more, not \"100\"" },
		{ "tenants.0.access.vlan", "-1", NULL,
		  "f.json: acme: access.vlan: must be a whole number, 0 or"
		  " more, not -1" },
		{ "tenants.0.access.vlan", "1.5", NULL,
		  "f.json: acme: access.vlan: must be a whole number, 0 or"
		  " more, not 1.5" },
		{ "tenants.0.access.vlan", "4095", NULL,
		  "f.json: acme: access.vlan: must be a number from 1 to 4094,"
		  " not \"4095\"" },
		{ "tenants.0.access.vlan", "0", NULL,
		  "f.json: acme: access.vlan: must be a number from 1 to 4094,"
		  " not \"0\"" },
		{ "tenants.0.access.ifname", "12", NULL,
		  "f.json: acme: access.ifname: must be a string, not 12" },
		{ "tenants.0.limits.memory_bytes", "1000", NULL,
		  "f.json: acme: limits.memory_bytes: must be a whole number"
		  " of bytes from 32M to 1024G, optionally with K, M or G"
		  " (1K = 1024), not \"1000\"" },
		{ "tenants.0.limits.shape", "\"maybe\"", NULL,
		  "f.json: acme: limits.shape: must be off or on, not"
		  " \"maybe\"" },
		{ "tenants.0.uplink.prefixes", "[\"198.51.100.1/24\"]", NULL,
		  "f.json: acme: uplink.prefixes: must have no address bits"
		  " set past the prefix length, like 10.0.0.0/24, not"
		  " \"198.51.100.1/24\"" },
		{ "tenants.0.uplink.prefixes", "\"198.51.100.0/24\"", NULL,
		  "f.json: acme: uplink.prefixes: must be a list of strings,"
		  " not \"198.51.100.0/24\"" },
		{ "tenants.0.access.addrs", "[\"10.0.0.1/24\", 5]", NULL,
		  "f.json: acme: access.addrs: every value must be a string,"
		  " not 5" },
		{ "tenants.0.access.ifname", NULL, NULL,
		  "f.json: acme: access.ifname: is required" },
		{ "tenants.0.access.addrs", "[]", NULL,
		  "f.json: acme: access.addrs: needs a value" },
		{ "tenants.0.name", "\"Acme!\"", NULL,
		  "f.json: tenants[0]: name: must be 1 to 32 lower-case"
		  " letters, digits, '_', '.' or '-', starting with a letter"
		  " or digit, not \"Acme!\"" },
		{ "tenants.0.access.addrs",
		  "[\"10.0.0.1/24\", \"10.0.0.1/24\"]", NULL,
		  "f.json: acme: access.addrs: 10.0.0.1/24 given twice" },
		{ "tenants.0.uplink.prefixes",
		  "[\"198.51.100.0/24\", \"198.51.100.0/25\"]", NULL,
		  "f.json: acme: uplink.prefixes: 198.51.100.0/25 overlaps"
		  " 198.51.100.0/24, also given" },
		{ "tenants.1.limits.burst.given", "\"2M\"", NULL,
		  "f.json: beta: limits.burst.given: 2M is bytes, and the"
		  " tenant has no rate (with pps alone give a time: burst"
		  " 100ms)" },
		{ "tenants.1.name", "\"acme\"", NULL,
		  "f.json: acme: name: twice in the file (tenants[0] and"
		  " tenants[1])" },
	};

	(void)state;
	refused(cases, ARRAY_SIZE(cases));
}

/* Every fault is said, not the first alone. */
static void test_refused_all(void **state)
{
	struct tn_apply ap;
	char *f = edited(host, "tenants.0.access.vlan", "0", "tenants.1.colour",
			 "1", NULL);

	(void)state;
	assert_int_equal(tn_apply_read(&ap, "f.json", f, strlen(f)), -EINVAL);
	assert_int_equal(ap.errs.total, 2);
	assert_non_null(strstr(ap.errs.line[0], "acme: access.vlan"));
	assert_non_null(strstr(ap.errs.line[1], "beta: unknown key"));
	tn_apply_free(&ap);
	free(f);
}

/* What tenetd refuses between two tenants, refused between two of the
 * file's: said of the later one. */
static void test_clashes(void **state)
{
	static const struct refusal cases[] = {
		{ "tenants.1.access",
		  "{\"ifname\": \"nic0\", \"vlan\": 100,"
		  " \"addrs\": [\"10.0.0.1/24\"]}",
		  NULL,
		  "f.json: beta: access.vlan: nic0 vlan 100 is also"
		  " acme's" },
		{ "tenants.0.access",
		  "{\"ifname\": \"nic0\", \"vlan\": 200,"
		  " \"inner_vlan\": 7,"
		  " \"addrs\": [\"10.0.0.1/24\"]}",
		  NULL,
		  "f.json: beta: access.inner_vlan: nic0 vlan 200.7 is"
		  " also acme's" },
		{ "tenants.0.access",
		  "{\"ifname\": \"nic0\", \"vlan\": 200,"
		  " \"addrs\": [\"10.0.0.1/24\"]}",
		  NULL,
		  "f.json: beta: access.inner_vlan: nic0 vlan 200 is"
		  " acme's single tag: one outer VLAN is either"
		  " single-tagged or QinQ, not both" },
		{ "tenants.0.uplink.vlan", "300", NULL,
		  "f.json: beta: uplink.vlan: nic1 vlan 300 is also acme's" },
		{ "tenants.1.uplink.mac", "\"02:74:6e:00:00:01\"", NULL,
		  "f.json: beta: uplink.mac: 02:74:6e:00:00:01 on nic1 is also"
		  " acme's" },
		{ "tenants.1.uplink.prefixes", "[\"198.51.100.128/25\"]", NULL,
		  "f.json: beta: uplink.prefixes: 198.51.100.128/25 overlaps"
		  " acme's 198.51.100.0/24 on nic1" },
		{ "tenants.1.uplink.prefixes", "[\"198.51.100.0/24\"]", NULL,
		  "f.json: beta: uplink.prefixes: 198.51.100.0/24 on nic1 is"
		  " also acme's" },
	};
	struct tn_apply ap;
	char *f;

	(void)state;
	refused(cases, ARRAY_SIZE(cases));
	/* no clash: another access NIC, another uplink NIC, two untagged
	 * uplinks, the same prefix through another uplink */
	f = edited(host, "tenants.1.access.ifname", "\"nic2\"",
		   "tenants.1.access.vlan", "100",
		   "tenants.1.access.inner_vlan", "0", "tenants.1.uplink.vlan",
		   "0", NULL);
	assert_int_equal(tn_apply_read(&ap, "f.json", f, strlen(f)), 0);
	tn_apply_free(&ap);
	free(f);
	f = edited(host, "tenants.1.uplink.ifname", "\"nic3\"",
		   "tenants.1.uplink.prefixes", "[\"198.51.100.0/24\"]", NULL);
	assert_int_equal(tn_apply_read(&ap, "f.json", f, strlen(f)), 0);
	tn_apply_free(&ap);
	free(f);
}

/* An addition that clashes with a tenant the host keeps fails, said; with
 * --prune that tenant goes first and it does not. */
static void test_clash_host(void **state)
{
	struct tn_apply ap;
	char *acme = dropped(host, 1);
	char *f = edited(acme, "tenants.1", gamma_json, "tenants.1.access.vlan",
			 "200", "tenants.1.access.inner_vlan", "7", NULL);

	(void)state;
	free(acme);
	assert_int_equal(plan(&ap, f, host, false), 0);
	assert_counts(&ap, 0, 0, 0, 1, 1, 1);
	assert_null(act(&ap, "gamma")->req);
	assert_string_equal(act(&ap, "gamma")->why,
			    "access.inner_vlan: nic0 vlan 200.7 is also tenant"
			    " beta's, on the host");
	tn_apply_free(&ap);
	assert_int_equal(plan(&ap, f, host, true), 0);
	assert_counts(&ap, 1, 0, 1, 0, 1, 0);
	tn_apply_free(&ap);
	free(f);
}

/* Not tenant list's reply: refused as such. */
static void test_bad_list(void **state)
{
	struct tn_apply ap;

	(void)state;
	assert_int_equal(plan(&ap, host, "{\"nics\": []}", false), -EBADMSG);
	tn_apply_free(&ap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_set_back),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_order_of_acts),
		cmocka_unit_test(test_not_live),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refused_all),
		cmocka_unit_test(test_clashes),
		cmocka_unit_test(test_clash_host),
		cmocka_unit_test(test_bad_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
