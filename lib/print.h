/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One printer for text and JSON output, in the style of iproute2's
 * json_print: a command makes the same calls in both modes.
 *
 * Text mode prints as it goes: each value through its printf format (a NULL
 * format prints nothing), keys are never printed, tn_print_nl() ends a line.
 * JSON mode builds one json_object and tn_print_close() prints it, pretty,
 * once: values go under their key in the current object or, in an array,
 * are appended (the key is then ignored). A NULL key in an object means
 * "text only". Object and array starts and ends print nothing in text.
 *
 *   tn_print_open(stdout, json);
 *   tn_print_str("ifname", "%s", "eth1");
 *   tn_print_u64("nic_id", " nic %" PRIu64, 1);
 *   tn_print_nl();
 *   tn_print_close();
 *
 * prints "eth1 nic 1\n" or {"ifname": "eth1", "nic_id": 1}. One printer at
 * a time (the state is global, as in iproute2).
 */
#ifndef TENET_PRINT_H
#define TENET_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

/* Starts a document on f (NULL: stdout). 0 or -ENOMEM. */
int tn_print_open(FILE *f, bool json);
bool tn_print_is_json(void);
/* JSON: prints the document and a newline. Returns 0, -ENOMEM if a value
 * could not be made, or -EINVAL if starts and ends did not pair up. */
int tn_print_close(void);

void tn_print_obj_start(const char *key);
void tn_print_obj_end(void);
void tn_print_arr_start(const char *key);
void tn_print_arr_end(void);

/* fmt takes the value: "%s", "%" PRIu64, "%" PRId64. */
void tn_print_str(const char *key, const char *fmt, const char *value);
void tn_print_u64(const char *key, const char *fmt, uint64_t value);
void tn_print_s64(const char *key, const char *fmt, int64_t value);
/* Text: value as "true" or "false" through fmt ("%s"). */
void tn_print_bool(const char *key, const char *fmt, bool value);
/* Any JSON value, e.g. one taken from a reply (a reference is taken).
 * Text: the value's string form through fmt ("%s"): strings bare, numbers
 * and booleans as JSON writes them, null as nothing at all. */
void tn_print_json(const char *key, const char *fmt, json_object *value);
/* Text only. */
void tn_print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tn_print_nl(void);

/*
 * Printing a JSON object received (a reply's data) through a table: each
 * listed field present in o as tn_print_json(key, fmt, v), by show(), or,
 * for an object (TN_PF_EACH: an array of objects) with fields, through
 * those, after label and as flags say; then, JSON only, the fields the
 * table does not
 * list, so that the object reaches JSON whole. A value not of the shape
 * the table expects goes to JSON as it is. The table ends with an empty
 * entry.
 *
 *   { .key = "limits", .fields = limit_fields, .label = "  limits",
 *     .flags = TN_PF_NL }          a line "  limits cpu 1 ..." of its own
 *   { .key = "tenants", .fields = tenant_fields,
 *     .flags = TN_PF_EACH | TN_PF_NL_AFTER }
 *                                  each tenant, then a new line
 */
enum {
	TN_PF_NL = 1 << 0, /* a new line before each object */
	TN_PF_NL_AFTER = 1 << 1, /* a new line after each object */
	TN_PF_EACH = 1 << 2, /* the value is an array of such objects */
};

struct tn_print_field {
	const char *key;
	const char *fmt;
	void (*show)(const char *key, json_object *v);
	const struct tn_print_field *fields;
	const char *label;
	unsigned int flags; /* TN_PF_* */
};

void tn_print_fields(json_object *o, const struct tn_print_field *fields);
/* One field of such a table, whose value is v (a show() may call it for a
 * value it only sometimes prints through the table). */
void tn_print_field(const struct tn_print_field *f, json_object *v);
/* Every field of o, in order: text key_fmt with the key, then val_fmt with
 * the value, e.g. "%s " and "%s\n" for "key value" lines. */
void tn_print_pairs(json_object *o, const char *key_fmt, const char *val_fmt);

/* Writes n bytes of s to f as text that cannot act on a terminal: C0 and
 * C1 controls, DEL, bidi overrides and bytes that are not UTF-8 as \xHH
 * (newlines kept if keep_nl). What tenants control (names, files they
 * write) reaches the operator's terminal only through this. */
void tn_print_clean(FILE *f, const char *s, size_t n, bool keep_nl);

/* Numbers as tenetctl reads them, so that what is printed can be typed
 * back: "12"; cores from millicores ("0.5", "1.25", "2"); bytes in the
 * largest binary unit that divides them ("256M", "1536K"); bits/s in the
 * largest decimal one ("100M", "1500k"). */
void tn_fmt_plain(uint64_t v, char *buf, size_t n);
void tn_fmt_cores(uint64_t millicores, char *buf, size_t n);
void tn_fmt_size(uint64_t bytes, char *buf, size_t n);
void tn_fmt_rate(uint64_t bps, char *buf, size_t n);

#endif
