// SPDX-License-Identifier: GPL-2.0
/*
 * lib/print.c: the same calls print the expected text, and JSON that parses
 * back to the same values; text-only and JSON-only calls stay in their mode;
 * unbalanced starts and ends are reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "print.h"

static char *buf;
static size_t len;

static FILE *open_doc(bool json)
{
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(tn_print_open(f, json), 0);
	return f;
}

/* Closes the document: 0 and what was printed (the caller frees). */
static char *close_doc(FILE *f, int want)
{
	assert_int_equal(tn_print_close(), want);
	fclose(f);
	return buf;
}

/* A NIC as tenetctl prints it, with a nested object, an array and a value
 * of each kind. */
static void nic_doc(void)
{
	json_object *drop = json_object_new_uint64(3);

	tn_print_arr_start("nics");
	tn_print_obj_start(NULL);
	tn_print_str("ifname", "%s", "eth1");
	tn_print_u64("nic_id", " nic %" PRIu64, 1);
	tn_print_bool("multiprog", NULL, true);
	tn_print_s64("delta", " delta %" PRId64, -5);
	tn_print_bool("attached", " attached %s", false);
	tn_print_text(" (%s)", "text only");
	tn_print_nl();
	tn_print_obj_start("counters");
	tn_print_u64("rx_packets", "  rx %" PRIu64 " pkts", UINT64_MAX);
	tn_print_text("  drops");
	tn_print_obj_start("drops");
	tn_print_text(" %s", "no_tenant");
	tn_print_json("no_tenant", " %s", drop);
	tn_print_json("gone", " gone %s", NULL);
	tn_print_obj_end();
	tn_print_obj_end();
	tn_print_nl();
	tn_print_obj_end();
	tn_print_str(NULL, NULL,
		     "eth2"); /* appended in JSON, nothing in text */
	tn_print_arr_end();
	json_object_put(drop);
}

static void test_text(void **state)
{
	FILE *f = open_doc(false);
	char *out;

	(void)state;
	assert_false(tn_print_is_json());
	nic_doc();
	out = close_doc(f, 0);
	assert_string_equal(
		out, "eth1 nic 1 delta -5 attached false (text only)\n"
		     "  rx 18446744073709551615 pkts  drops no_tenant 3\n");
	free(out);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, key, &v));
	return v;
}

static void test_json(void **state)
{
	json_object *doc, *nics, *nic, *drops;
	FILE *f = open_doc(true);
	char *out;

	(void)state;
	assert_true(tn_print_is_json());
	nic_doc();
	out = close_doc(f, 0);
	doc = json_tokener_parse(out);
	assert_non_null(doc);
	assert_int_equal(json_object_object_length(doc), 1);
	nics = get(doc, "nics");
	assert_int_equal(json_object_array_length(nics), 2);
	nic = json_object_array_get_idx(nics, 0);
	assert_int_equal(json_object_object_length(nic), 6);
	assert_string_equal(json_object_get_string(get(nic, "ifname")), "eth1");
	assert_int_equal(json_object_get_uint64(get(nic, "nic_id")), 1);
	assert_true(
		json_object_is_type(get(nic, "multiprog"), json_type_boolean));
	assert_true(json_object_get_boolean(get(nic, "multiprog")));
	assert_int_equal(json_object_get_int64(get(nic, "delta")), -5);
	assert_false(json_object_get_boolean(get(nic, "attached")));
	assert_true(json_object_get_uint64(get(get(nic, "counters"),
					       "rx_packets")) == UINT64_MAX);
	drops = get(get(nic, "counters"), "drops");
	assert_int_equal(json_object_get_uint64(get(drops, "no_tenant")), 3);
	assert_null(get(drops, "gone"));
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(nics, 1)),
		"eth2");
	/* pretty, one document, paths unescaped */
	assert_non_null(strchr(out, '\n'));
	assert_int_equal(out[strlen(out) - 1], '\n');
	json_object_put(doc);
	free(out);
}

static void test_json_empty(void **state)
{
	FILE *f = open_doc(true);
	char *out;

	(void)state;
	tn_print_text("message only in text\n");
	tn_print_nl();
	tn_print_str("path", NULL, "/run/tenet");
	out = close_doc(f, 0);
	assert_string_equal(out, "{\n  \"path\": \"/run/tenet\"\n}\n");
	free(out);
	f = open_doc(true);
	out = close_doc(f, 0);
	assert_string_equal(out, "{}\n");
	free(out);
}

/* A container with a NULL key inside an object is text only: its values
 * go nowhere and the document stays whole. */
static void test_json_orphan(void **state)
{
	FILE *f = open_doc(true);
	char *out;

	(void)state;
	tn_print_obj_start(NULL);
	tn_print_u64("lost", "%" PRIu64, 1);
	tn_print_obj_end();
	tn_print_u64("kept", "%" PRIu64, 2);
	out = close_doc(f, 0);
	assert_string_equal(out, "{\n  \"kept\": 2\n}\n");
	free(out);
}

static void test_unbalanced(void **state)
{
	FILE *f = open_doc(true);

	(void)state;
	tn_print_obj_start("a");
	tn_print_arr_start("b");
	free(close_doc(f, -EINVAL));
	f = open_doc(true);
	tn_print_obj_end();
	free(close_doc(f, -EINVAL));
	/* text mode does not track nesting */
	f = open_doc(false);
	tn_print_obj_end();
	free(close_doc(f, 0));
}

static void show_sub(const char *key, json_object *v)
{
	tn_print_text(" [");
	tn_print_obj_start(key);
	tn_print_pairs(v, " %s=", "%s");
	tn_print_obj_end();
	tn_print_text(" ]");
}

static const struct tn_print_field fields[] = {
	{ .key = "name", .fmt = "%s" },
	{ .key = "id", .fmt = " id %s" },
	{ .key = "missing", .fmt = " missing %s" },
	{ .key = "hidden" },
	{ .key = "sub", .show = show_sub },
	{},
};

static const char reply[] = "{\"extra\": [1, 2], \"sub\": {\"a\": 1, "
			    "\"b\": null, \"c\": \"x\"}, \"id\": 7, "
			    "\"hidden\": true, \"name\": \"eth1\"}";

/* Listed fields in the table's order, through their formats; the rest and
 * JSON-only ones reach JSON only; the object comes back whole. */
static void test_fields(void **state)
{
	json_object *in = json_tokener_parse(reply), *out;
	FILE *f = open_doc(false);
	char *text;

	(void)state;
	assert_non_null(in);
	tn_print_fields(in, fields);
	tn_print_nl();
	text = close_doc(f, 0);
	assert_string_equal(text, "eth1 id 7 [ a=1 c=x ]\n");
	free(text);
	f = open_doc(true);
	tn_print_fields(in, fields);
	text = close_doc(f, 0);
	out = json_tokener_parse(text);
	assert_true(json_object_equal(in, out));
	json_object_put(out);
	json_object_put(in);
	free(text);
}

/* What a tenant may put in a name reaches the terminal as text only. */
static void test_clean(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "eth0", "eth0" },
		{ "\x1b[2J\x1b]0;pwn\x07", "\\x1b[2J\\x1b]0;pwn\\x07" },
		{ "a\rb\x7f", "a\\x0db\\x7f" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" }, /* UTF-8 stays */
		{ "\xc2\x9b"
		  "31m",
		  "\\xc2\\x9b31m" }, /* C1 CSI */
		{ "\x9b"
		  "31m",
		  "\\x9b31m" }, /* a bare 8-bit CSI */
		{ "\xe2\x80", "\\xe2\\x80" }, /* cut short */
		{ "\xc0\xaf", "\\xc0\\xaf" }, /* overlong */
		{ "a\xe2\x80\xae"
		  "b",
		  "a\\xe2\\x80\\xaeb" }, /* bidi */
	};
	FILE *f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = open_doc(false);
		tn_print_str("x", "[%s]", cases[i].in);
		close_doc(f, 0);
		if (strncmp(buf, "[", 1) || strlen(buf) < 2 ||
		    strncmp(buf + 1, cases[i].out, strlen(cases[i].out)) ||
		    strcmp(buf + 1 + strlen(cases[i].out), "]"))
			fail_msg("%zu: got %s, want [%s]", i, buf,
				 cases[i].out);
		free(buf);
	}
	/* A newline inside a value is escaped; the format's stays. */
	f = open_doc(false);
	tn_print_str("x", "%s\n", "two\nlines");
	close_doc(f, 0);
	assert_string_equal(buf, "two\\x0alines\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_orphan),
		cmocka_unit_test(test_unbalanced),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
