// SPDX-License-Identifier: GPL-2.0
/*
 * lib/grammar.h with the control socket's table (lib/ctl_cmds.c) and a
 * small table of tn-dp's shape (positional arguments after keys): what a
 * command line and a request become, their defaults, and that a request
 * that is refused gets the very sentence the command line gets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "ctl_cmds.h"
#include "validate.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct tn_grammar *const g = &tn_ctl_grammar;

struct run {
	int ret;
	bool usage;
	char err[TN_V_ERR_MAX];
	struct tn_gargs a;
	json_object *args;
};

/* "tenant add acme access eth1 ..." through tn_g_argv(). */
static void run_line(struct run *r, const char *line)
{
	static char buf[1024]; /* the values point into it */
	char *argv[64], *w;
	const struct tn_gcmd *c = NULL;
	int argc = 0, skip;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok(buf, " "); w && argc < 63; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	/* "OBJ VERB" or "OBJ" */
	for (skip = 2; !c && skip > 0; skip--) {
		char name[64];

		if (argc < skip)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", argv[0],
			 skip > 1 ? " " : "", skip > 1 ? argv[1] : "");
		c = tn_g_find(g, name);
	}
	assert_non_null(c);
	r->args = json_object_new_object();
	r->ret = tn_g_argv(g, c, argc - skip - 1, argv + skip + 1, &r->a,
			   r->args, r->err, sizeof(r->err), &r->usage);
}

static void run_json(struct run *r, const char *cmd, const char *args)
{
	json_object *o = args ? json_tokener_parse(args) : NULL;

	assert_true(!args || o);
	r->args = o;
	r->ret = tn_g_json(g, tn_g_find(g, cmd), o, &r->a, r->err,
			   sizeof(r->err));
}

#define ADD "tenant add acme access eth1 vlan 100 uplink eth2 "
#define ADDRS "access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24"

static void test_line(void **state)
{
	struct run r;
	const struct tn_gval *v = r.a.v;

	(void)state;
	run_line(&r, ADD ADDRS " prefix 198.51.100.0/24 2001:db8::/48 "
			       "inner-vlan 5 prefix 203.0.113.0/25 rate 100M "
			       "uplink-mac 02:00:00:00:00:09 pids unlimited");
	assert_int_equal(r.ret, 0);
	assert_string_equal(v[TN_K_NAME].s, "acme");
	assert_int_equal(v[TN_K_VLAN].u, 100);
	assert_int_equal(v[TN_K_INNER_VLAN].u, 5);
	assert_true(v[TN_K_INNER_VLAN].given);
	assert_false(v[TN_K_UPLINK_VLAN].set);
	assert_int_equal(v[TN_K_RATE].u, 100000000);
	assert_int_equal(v[TN_K_UPLINK_MAC].addr[5], 9);
	/* a list given twice adds up, in order */
	assert_int_equal(json_object_array_length(v[TN_K_PREFIX].list), 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    v[TN_K_PREFIX].list, 2)),
			    "203.0.113.0/25");
	assert_int_equal(v[TN_K_PREFIX].family, AF_INET);
	assert_int_equal(v[TN_K_PREFIX].len, 24);
	/* what was not given gets the table's default... */
	assert_true(v[TN_K_CPU].set);
	assert_false(v[TN_K_CPU].given);
	assert_int_equal(v[TN_K_CPU].u, 1000);
	assert_int_equal(v[TN_K_MEMORY].u, 256ULL << 20);
	assert_int_equal(v[TN_K_MODE].u, 0); /* veth */
	/* ...but "unlimited" given is 0 */
	assert_true(v[TN_K_PIDS].unlimited);
	assert_int_equal(v[TN_K_PIDS].u, 0);
	/* the request holds what was typed, defaults not */
	assert_string_equal(
		json_object_to_json_string_ext(r.args, JSON_C_TO_STRING_PLAIN),
		"{\"name\":\"acme\",\"access\":\"eth1\","
		"\"vlan\":\"100\",\"uplink\":\"eth2\","
		"\"access-addr\":[\"10.0.0.1\\/24\"],"
		"\"uplink-addr\":[\"192.0.2.2\\/24\"],"
		"\"prefix\":[\"198.51.100.0\\/24\","
		"\"2001:db8::\\/48\",\"203.0.113.0\\/25\"],"
		"\"inner-vlan\":\"5\",\"rate\":\"100M\","
		"\"uplink-mac\":\"02:00:00:00:00:09\","
		"\"pids\":\"unlimited\"}");
	json_object_put(r.args);

	/* tenant set takes no defaults: only what is given is set */
	run_line(&r, "tenant set acme memory 1G");
	assert_int_equal(r.ret, 0);
	assert_true(r.a.v[TN_K_MEMORY].given);
	assert_false(r.a.v[TN_K_CPU].set);
	json_object_put(r.args);
}

/* Bad command lines: the sentence, and whether it is about the usage. */
static void test_line_refused(void **state)
{
	static const struct {
		const char *line, *err;
		bool usage;
	} cases[] = {
		{ ADD ADDRS " vlan 2", "vlan given twice", true },
		{ ADD ADDRS " memory 16M",
		  "memory: must be a whole number of bytes from 32M to 1024G, "
		  "optionally with K, M or G (1K = 1024), not \"16M\"",
		  false },
		{ ADD ADDRS " colour red",
		  "tenant add: must be access, vlan, inner-vlan, uplink, "
		  "uplink-vlan, uplink-mac, prefix, access-addr, uplink-addr, "
		  "gateway, mode, cpu, cpuset, memory, pids, rate, pps, "
		  "burst, shape, source, source-check or fastpath, not "
		  "\"colour\"",
		  false },
		{ ADD "access-addr uplink-addr 192.0.2.2/24",
		  "access-addr needs a value", true },
		{ ADD "access-addr 10.0.0.1/24", "uplink-addr is required",
		  true },
		{ ADD ADDRS " gateway", "gateway needs a value", true },
		{ "tenant add", "missing NAME", true },
		{ "tenant list x", "too many arguments", true },
		{ "tenant set acme",
		  "give at least one of rate, pps, burst, shape, cpu, cpuset, memory, pids,"
		  " source-check or fastpath",
		  true },
#define BURST_ERR(s)                                                          \
	"burst: must be a size from 15140 bytes to 1024G, optionally with K," \
	" M or G (1K = 1024), or a time from 1us to 1s (50ms), not \"" s "\""
		{ "tenant set acme burst 1k", BURST_ERR("1k"), false },
		{ "tenant set acme burst 0", BURST_ERR("0"), false },
		{ "tenant set acme burst 0ms", BURST_ERR("0ms"), false },
		{ "tenant set acme burst 12x", BURST_ERR("12x"), false },
		{ "tenant set acme burst 2s", BURST_ERR("2s"), false },
		{ "tenant set acme burst 1001ms", BURST_ERR("1001ms"), false },
		{ "tenant set acme burst 5ns", BURST_ERR("5ns"), false },
		{ "tenant set acme burst ms", BURST_ERR("ms"), false },
		{ "tenant set acme burst unlimited", BURST_ERR("unlimited"),
		  false },
		{ "route add acme 10.0.0.0/24", "via is required", true },
		{ "nic attach eth1 role core",
		  "role: must be access or uplink, not \"core\"", false },
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run_line(&r, cases[i].line);
		if (r.ret != -EINVAL || strcmp(r.err, cases[i].err) ||
		    r.usage != cases[i].usage)
			fail_msg("%s: %d %s \"%s\"", cases[i].line, r.ret,
				 r.usage ? "usage" : "value", r.err);
		json_object_put(r.args);
	}
}

/* burst: a size, a time, or "default", each told apart. */
static void test_burst(void **state)
{
	static const struct {
		const char *word;
		uint64_t u;
		bool time, deflt;
	} cases[] = {
		{ "2M", 2ULL << 20, false, false },
		{ "1500000", 1500000, false, false },
		{ "15140", 15140, false, false },
		{ "1G", 1ULL << 30, false, false },
		{ "50ms", 50000000, true, false },
		{ "200us", 200000, true, false },
		{ "1us", 1000, true, false },
		{ "1s", 1000000000, true, false },
		{ "1000ms", 1000000000, true, false },
		{ "default", 0, false, true },
	};
	struct run r;
	char line[96];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct tn_gval *v = &r.a.v[TN_K_BURST];

		snprintf(line, sizeof(line), "tenant set acme burst %s",
			 cases[i].word);
		run_line(&r, line);
		if (r.ret || v->u != cases[i].u || v->time != cases[i].time ||
		    v->deflt != cases[i].deflt || !v->given)
			fail_msg("%s: %d %s", line, r.ret, r.err);
		json_object_put(r.args);
	}
	/* tenant add takes it too, and without it it is not set */
	run_line(&r, ADD ADDRS " rate 100M burst 50ms");
	assert_int_equal(r.ret, 0);
	assert_true(r.a.v[TN_K_BURST].time);
	json_object_put(r.args);
	run_line(&r, ADD ADDRS " rate 100M");
	assert_int_equal(r.ret, 0);
	assert_false(r.a.v[TN_K_BURST].set);
	json_object_put(r.args);
}

/* A request refused says what the same command line would say. */
static void test_json_same_sentence(void **state)
{
	static const struct {
		const char *line, *cmd, *args;
	} cases[] = {
		{ ADD ADDRS " colour red", "tenant add",
		  "{\"name\":\"acme\",\"access\":\"eth1\",\"vlan\":\"100\","
		  "\"uplink\":\"eth2\",\"access-addr\":[\"10.0.0.1/24\"],"
		  "\"uplink-addr\":[\"192.0.2.2/24\"],\"colour\":\"red\"}" },
		{ "tenant add acme access eth1 vlan 0 uplink eth2 " ADDRS,
		  "tenant add",
		  "{\"name\":\"acme\",\"access\":\"eth1\",\"vlan\":\"0\","
		  "\"uplink\":\"eth2\",\"access-addr\":[\"10.0.0.1/24\"],"
		  "\"uplink-addr\":[\"192.0.2.2/24\"]}" },
		{ ADD "access-addr 10.0.0.1/24", "tenant add",
		  "{\"name\":\"acme\",\"access\":\"eth1\",\"vlan\":\"100\","
		  "\"uplink\":\"eth2\",\"access-addr\":[\"10.0.0.1/24\"]}" },
		{ ADD ADDRS " memory 1M", "tenant add",
		  "{\"name\":\"acme\",\"access\":\"eth1\",\"vlan\":\"100\","
		  "\"uplink\":\"eth2\",\"access-addr\":[\"10.0.0.1/24\"],"
		  "\"uplink-addr\":[\"192.0.2.2/24\"],\"memory\":\"1M\"}" },
		{ ADD "access-addr 10.0.0.0/24 uplink-addr 192.0.2.2/24",
		  "tenant add",
		  "{\"name\":\"acme\",\"access\":\"eth1\",\"vlan\":\"100\","
		  "\"uplink\":\"eth2\",\"access-addr\":[\"10.0.0.0/24\"],"
		  "\"uplink-addr\":[\"192.0.2.2/24\"]}" },
		{ "nic attach eth1 role access speed 10", "nic attach",
		  "{\"ifname\":\"eth1\",\"role\":\"access\",\"speed\":\"10\"}" },
		{ "nic attach eth1 xdp-mode offload", "nic attach",
		  "{\"ifname\":\"eth1\",\"xdp-mode\":\"offload\"}" },
		{ "tenant set acme", "tenant set", "{\"name\":\"acme\"}" },
		{ "route add acme 10.0.0.0/24 via 10.0.0", "route add",
		  "{\"name\":\"acme\",\"cidr\":\"10.0.0.0/24\","
		  "\"via\":\"10.0.0\"}" },
	};
	struct run l, j;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run_line(&l, cases[i].line);
		run_json(&j, cases[i].cmd, cases[i].args);
		if (l.ret != -EINVAL || j.ret != -EINVAL ||
		    strcmp(l.err, j.err))
			fail_msg("%s:\n  line %d \"%s\"\n  json %d \"%s\"",
				 cases[i].line, l.ret, l.err, j.ret, j.err);
		json_object_put(l.args);
		json_object_put(j.args);
	}
}

/* What only a request can get wrong. */
static void test_json_refused(void **state)
{
	static const struct {
		const char *cmd, *args, *err;
	} cases[] = {
		{ "tenant show", "[1]", "args: must be an object" },
		{ "tenant show", "{\"name\":7}", "name: must be a string" },
		{ "tenant show", "{\"name\":\"a\",\"x\":\"y\"}",
		  "tenant show: takes no argument \"x\"" },
		{ "tenant show", "{}", "name is required" },
		{ "tenant add",
		  "{\"name\":\"a\",\"access-addr\":\"10.0.0.1/24\"}",
		  "access-addr: must be a list of values" },
		{ "tenant add", "{\"name\":\"a\",\"access-addr\":[1]}",
		  "access-addr: every value must be a string" },
		{ "tenant add", "{\"name\":\"a\",\"access-addr\":[]}",
		  "access-addr needs a value" },
		{ "tenant add",
		  "{\"name\":\"a\",\"prefix\":[\"1.0.0.0/8\",\"2.0.0.0/8\","
		  "\"3.0.0.0/8\",\"4.0.0.0/8\",\"5.0.0.0/8\",\"6.0.0.0/8\","
		  "\"7.0.0.0/8\",\"8.0.0.0/8\",\"9.0.0.0/8\",\"10.0.0.0/8\","
		  "\"11.0.0.0/8\",\"12.0.0.0/8\",\"13.0.0.0/8\",\"14.0.0.0/8\","
		  "\"15.0.0.0/8\",\"16.0.0.0/8\",\"17.0.0.0/8\"]}",
		  "prefix takes at most 16 values" },
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run_json(&r, cases[i].cmd, cases[i].args);
		if (r.ret != -EINVAL || strcmp(r.err, cases[i].err))
			fail_msg("%s %s: %d \"%s\"", cases[i].cmd,
				 cases[i].args, r.ret, r.err);
		json_object_put(r.args);
	}
	/* and what it gets right: no args at all, defaults applied */
	run_json(&r, "nic list", NULL);
	assert_int_equal(r.ret, 0);
	run_json(&r, "nic attach", "{\"ifname\":\"eth1\",\"role\":\"uplink\"}");
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.a.v[TN_K_ROLE].u, 1);
	assert_true(r.a.v[TN_K_XDP_MODE].set);
	assert_string_equal(r.a.v[TN_K_DEFAULT].s, "pass");
	json_object_put(r.args);
}

/* tn-dp's shape: a positional argument after a key, a list of them. */
enum { K_DEV = 1, K_T, K_ROLE, K_IFS, K__MAX };
static const char *const roles[] = { "access", "uplink", NULL };
static const struct tn_gkey dp_keys[K__MAX] = {
	[K_DEV] = { .name = "dev", .type = TN_G_IFNAME, .meta = "DEV" },
	[K_T] = { .name = "tenant",
		  .type = TN_G_COUNT,
		  .meta = "T",
		  .min = 1,
		  .max = 9 },
	[K_ROLE] = { .name = "role", .type = TN_G_ENUM, .words = roles },
	[K_IFS] = { .name = "ifname",
		    .type = TN_G_IFNAME,
		    .meta = "IFNAME",
		    .flags = TN_GK_LIST,
		    .max_values = 2 },
};
static const struct tn_gcmd dp_cmds[] = {
	{ .obj = "port",
	  .verb = "set",
	  .args = "<tenant> role! <dev>",
	  .summary = "p" },
	{ .obj = "serve", .args = "<dev> tenant! <ifname>", .summary = "s" },
};
static const struct tn_grammar dp = { .prog = "tn-dp",
				      .keys = dp_keys,
				      .nkeys = K__MAX,
				      .cmds = dp_cmds,
				      .ncmds = 2 };

static int dp_line(struct tn_gargs *a, int cmd, const char *line, char *err)
{
	char buf[256], *argv[16], *w;
	json_object *args = json_object_new_object();
	int argc = 0, ret;
	bool usage;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok(buf, " "); w && argc < 15; w = strtok(NULL, " "))
		argv[argc++] = w;
	ret = tn_g_argv(&dp, &dp_cmds[cmd], argc, argv, a, args, err,
			TN_V_ERR_MAX, &usage);
	if (!ret && a->v[K_IFS].list)
		snprintf(err, TN_V_ERR_MAX, "%s",
			 json_object_to_json_string_ext(
				 a->v[K_IFS].list, JSON_C_TO_STRING_PLAIN));
	json_object_put(args);
	return ret;
}

static void test_trailing(void **state)
{
	char err[TN_V_ERR_MAX], line[256];
	struct tn_gargs a;

	(void)state;
	assert_int_equal(dp_line(&a, 0, "3 role uplink tn3u", err), 0);
	assert_int_equal(a.v[K_T].u, 3);
	assert_string_equal(a.v[K_DEV].s, "tn3u");
	assert_int_equal(dp_line(&a, 0, "3 role uplink", err), -EINVAL);
	assert_string_equal(err, "missing DEV");
	assert_int_equal(dp_line(&a, 0, "3 role uplink a b", err), -EINVAL);
	assert_string_equal(err, "port set: must be role, not \"b\"");
	assert_int_equal(dp_line(&a, 1, "s0 tenant 2 a0 b0", err), 0);
	assert_string_equal(err, "[\"a0\",\"b0\"]");
	assert_int_equal(dp_line(&a, 1, "/s a0 tenant 2", err), -EINVAL);
	assert_string_equal(err, "dev: must be an interface name of 1 to 15 "
				 "bytes without '/', ':' or spaces, not "
				 "\"/s\"");
	assert_int_equal(dp_line(&a, 1, "s0 tenant 2 a0 b0 c0", err), -EINVAL);
	assert_string_equal(err, "ifname takes at most 2 values");
	/* usage lines show where the positional arguments go */
	assert_string_equal(tn_g_usage(&dp, &dp_cmds[0], line, sizeof(line)),
			    "T role access|uplink DEV");
	assert_string_equal(tn_g_usage(&dp, &dp_cmds[1], line, sizeof(line)),
			    "DEV tenant T IFNAME...");
}

/* Flags (apply's --prune and --dry-run): no value, before or after a
 * positional argument, once; a request's flag is true. tenetd finds no
 * command of tenetctl's own. */
static void test_flags(void **state)
{
	const struct tn_gcmd *apply = tn_g_find(g, "apply");
	char line[256];
	struct run r;

	(void)state;
	assert_non_null(apply);
	run_line(&r, "apply f.json --dry-run");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.a.v[TN_K_FILE].s, "f.json");
	assert_true(r.a.v[TN_K_DRY_RUN].set);
	assert_false(r.a.v[TN_K_PRUNE].set);
	assert_string_equal(
		json_object_to_json_string_ext(r.args, JSON_C_TO_STRING_PLAIN),
		"{\"file\":\"f.json\",\"--dry-run\":true}");
	json_object_put(r.args);

	run_line(&r, "apply --prune --dry-run f.json");
	assert_int_equal(r.ret, 0);
	assert_string_equal(r.a.v[TN_K_FILE].s, "f.json");
	assert_true(r.a.v[TN_K_PRUNE].set && r.a.v[TN_K_DRY_RUN].set);
	json_object_put(r.args);

	run_line(&r, "apply --prune");
	assert_int_equal(r.ret, -EINVAL);
	assert_true(r.usage);
	assert_string_equal(r.err, "missing FILE");
	json_object_put(r.args);

	run_line(&r, "apply f.json --prune --prune");
	assert_int_equal(r.ret, -EINVAL);
	assert_string_equal(r.err, "--prune given twice");
	json_object_put(r.args);

	run_line(&r, "apply f.json g.json");
	assert_int_equal(r.ret, -EINVAL);
	assert_string_equal(
		r.err, "apply: must be --prune or --dry-run, not \"g.json\"");
	json_object_put(r.args);

	assert_string_equal(tn_g_usage(g, apply, line, sizeof(line)),
			    "FILE [--prune] [--dry-run]");

	run_json(&r, "apply", "{\"file\": \"f\", \"--prune\": true}");
	assert_int_equal(r.ret, 0);
	assert_true(r.a.v[TN_K_PRUNE].set);
	assert_false(r.a.v[TN_K_DRY_RUN].set);
	json_object_put(r.args);
	run_json(&r, "apply", "{\"file\": \"f\", \"--prune\": \"yes\"}");
	assert_int_equal(r.ret, -EINVAL);
	assert_string_equal(r.err, "--prune: must be true or false");
	json_object_put(r.args);

	assert_int_equal(tn_ctl_cmd_find("apply"), -1);
	assert_int_equal(tn_ctl_cmd_find("tenant add"), TN_C_TENANT_ADD);
}

/* Every key of the vocabulary is used, named, typed and explained. */
static void test_table(void **state)
{
	bool used[TN_G_MAX_KEYS] = { false };
	char line[512];

	(void)state;
	for (unsigned int i = 0; i < g->ncmds; i++) {
		const struct tn_gcmd *c = &g->cmds[i];
		bool key_seen = false;

		assert_non_null(c->summary);
		assert_ptr_equal(tn_g_find(g, tn_g_name(c, line, sizeof(line))),
				 c);
		struct tn_gspec sp;

		/* every word of its args is a key of the vocabulary */
		if (tn_g_spec(g, c, &sp))
			fail_msg("%s: args \"%s\"", line, c->args);
		for (const struct tn_guse *u = sp.u; u->key; u++) {
			struct tn_gval v = { 0 };

			assert_true(u->key > 0 && u->key < (int)g->nkeys);
			used[u->key] = true;
			/* tenetctl's positional arguments come first */
			if (u->flags & TN_GU_POS)
				assert_false(key_seen);
			key_seen |= !(u->flags & TN_GU_POS);
			if (u->dflt)
				assert_int_equal(tn_g_value(&g->keys[u->key],
							    u->dflt, &v, line,
							    sizeof(line)),
						 0);
		}
	}
	for (unsigned int k = 1; k < g->nkeys; k++) {
		assert_true(used[k]);
		assert_non_null(g->keys[k].name);
		assert_non_null(g->keys[k].help);
		assert_true(g->keys[k].type == TN_G_ENUM ||
			    g->keys[k].type == TN_G_FLAG ||
			    g->keys[k].meta != NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_line_refused),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_json_same_sentence),
		cmocka_unit_test(test_json_refused),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
