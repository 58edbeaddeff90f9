// SPDX-License-Identifier: GPL-2.0
/*
 * tenet-router's counters dump (rt_stats_print, on SIGUSR1 and every
 * --stats-interval): the text is byte for byte what the router printed
 * before it went through lib/print.h (tests grep it), and -j gives one JSON
 * document with the fields of tenetctl's router.ifaces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "rt.h"

static struct tn_rstats_file sf;

/* Three slots, the middle one unused: a copy-mode socket that asked for
 * zero-copy, nothing (never printed), a direct zero-copy one. */
static int setup(void **state)
{
	(void)state;
	memset(&sf, 0, sizeof(sf));
	sf.magic = TN_RSTATS_MAGIC;
	sf.version = TN_RSTATS_VERSION;
	sf.pid = 4242;
	sf.started = 1767225600;
	sf.nslots = 3;
	snprintf(sf.slot[0].ifname, sizeof(sf.slot[0].ifname), "a0");
	sf.slot[0].used = 1;
	sf.slot[0].zc_requested = 1;
	snprintf(sf.slot[2].ifname, sizeof(sf.slot[2].ifname), "nic1");
	sf.slot[2].queue = 3;
	sf.slot[2].used = 1;
	sf.slot[2].zc_requested = 1;
	sf.slot[2].zc_in_use = 1;
	sf.slot[2].direct = 1;
	for (int c = 0; c < TN_RC__MAX; c++) {
		sf.slot[0].ctr[c] = (uint64_t)c + 1;
		sf.slot[2].ctr[c] = UINT64_MAX - (uint64_t)c;
	}
	return 0;
}

static char *dump(bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rt_stats_print(&sf, f, json);
	fclose(f);
	return buf;
}

/* The router's text before lib/print.h, kept here as the reference. */
static char *text_before(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	for (uint32_t s = 0; s < sf.nslots; s++) {
		const struct tn_rstats_slot *sl = &sf.slot[s];

		if (!sl->used)
			continue;
		fprintf(out, "%s q%u xsk %s (%s requested)%s:", sl->ifname,
			sl->queue, sl->zc_in_use ? "zero-copy" : "copy",
			sl->zc_requested ? "zero-copy" : "copy",
			sl->direct ? " direct" : "");
		for (int c = 0; c < TN_RC__MAX; c++)
			fprintf(out, " %s %llu", tn_rc_names[c],
				(unsigned long long)sl->ctr[c]);
		fputc('\n', out);
	}
	fclose(out);
	return buf;
}

static void test_text(void **state)
{
	static const char direct[] =
		"nic1 q3 xsk zero-copy (zero-copy "
		"requested) direct: rx 18446744073709551615";
	char *got = dump(false), *want = text_before(), *nl;

	(void)state;
	assert_string_equal(got, want);
	/* and what test-router.sh and test-router-mq.sh grep for */
	assert_non_null(strstr(got, "a0 q0 xsk copy (zero-copy requested): "
				    "rx 1 tx 2 forwarded 3 no_route 4 "));
	nl = strchr(got, '\n');
	assert_non_null(nl);
	assert_memory_equal(nl + 1, direct, strlen(direct));
	free(got);
	free(want);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

/* The one JSON document in s, which holds nothing else but a newline. */
static json_object *parse_one(const char *s)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc;

	assert_non_null(tok);
	doc = json_tokener_parse_ex(tok, s, (int)strlen(s));
	assert_non_null(doc);
	/* (the tokener takes the white space after the document too) */
	assert_int_equal(strspn(s + json_tokener_get_parse_end(tok), "\n"),
			 strlen(s + json_tokener_get_parse_end(tok)));
	assert_int_equal(s[strlen(s) - 1], '\n');
	json_tokener_free(tok);
	return doc;
}

static void test_json(void **state)
{
	char *got = dump(true);
	json_object *doc = parse_one(got), *ifs, *x, *c;

	(void)state;
	assert_int_equal(json_object_get_int(get(doc, "pid")), 4242);
	assert_int_equal(json_object_get_int64(get(doc, "started")),
			 1767225600);
	ifs = get(doc, "ifaces");
	assert_int_equal(json_object_array_length(ifs), 2);

	x = json_object_array_get_idx(ifs, 0);
	assert_string_equal(json_object_get_string(get(x, "ifname")), "a0");
	assert_int_equal(json_object_get_int(get(x, "queue")), 0);
	assert_true(json_object_get_boolean(get(x, "zc_requested")));
	assert_false(json_object_get_boolean(get(x, "zc_in_use")));
	assert_false(json_object_get_boolean(get(x, "direct")));
	c = get(x, "counters");
	assert_int_equal(json_object_object_length(c), TN_RC__MAX);
	for (int k = 0; k < TN_RC__MAX; k++)
		assert_int_equal(json_object_get_uint64(get(c, tn_rc_names[k])),
				 k + 1);

	x = json_object_array_get_idx(ifs, 1);
	assert_string_equal(json_object_get_string(get(x, "ifname")), "nic1");
	assert_int_equal(json_object_get_int(get(x, "queue")), 3);
	assert_true(json_object_get_boolean(get(x, "zc_in_use")));
	assert_true(json_object_get_boolean(get(x, "direct")));
	assert_true(json_object_get_uint64(get(get(x, "counters"), "rx")) ==
		    UINT64_MAX);
	json_object_put(doc);
	free(got);
}

/* No socket yet: no text at all, and an empty list in JSON. */
static void test_empty(void **state)
{
	char *got;
	json_object *doc;

	(void)state;
	sf.nslots = 0;
	got = dump(false);
	assert_string_equal(got, "");
	free(got);
	got = dump(true);
	doc = parse_one(got);
	assert_int_equal(json_object_array_length(get(doc, "ifaces")), 0);
	json_object_put(doc);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_text, setup),
		cmocka_unit_test_setup(test_json, setup),
		cmocka_unit_test_setup(test_empty, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
