// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"

#define TN_PRINT_DEPTH 16

static struct {
	FILE *f;
	bool json;
	int err;
	int depth; /* stack[0] is the document */
	json_object *stack[TN_PRINT_DEPTH];
} p;

static void set_err(int err);

/* Bytes of a valid UTF-8 sequence at s (n left), 0 if not one. */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };

	if (!len || len > n || s[0] > 0xf4)
		return 0;
	*cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	return *cp >= min[len] && *cp <= 0x10ffff &&
			       (*cp < 0xd800 || *cp > 0xdfff) ?
		       len :
		       0;
}

void tn_print_clean(FILE *f, const char *str, size_t n, bool keep_nl)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t len = s[i] < 0x80 ? 1 : utf8_len(s + i, n - i, &cp);

		if (len == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
			fputc(s[i], f);
		} else if (len == 1 && s[i] == '\n' && keep_nl) {
			fputc('\n', f);
		} else if (len > 1 && cp >= 0xa0 &&
			   !(cp >= 0x202a && cp <= 0x202e) &&
			   !(cp >= 0x2066 && cp <= 0x2069)) {
			/* (not the bidi overrides, which reorder a line) */
			fwrite(s + i, 1, len, f);
		} else { /* C0, DEL, C1, bidi, or not UTF-8: escaped bytes */
			fprintf(f, "\\x%02x", s[i]);
			len = 1;
		}
		i += len;
	}
}

/* Text goes out through this: whatever a value holds reaches the terminal
 * as text, never as a control sequence. Newlines from the formats stay;
 * one inside a value is escaped by the value's printer first. */
static void vout(const char *fmt, va_list ap)
{
	char *buf;
	int n = vasprintf(&buf, fmt, ap);

	if (n < 0) {
		set_err(-ENOMEM);
		return;
	}
	tn_print_clean(p.f, buf, (size_t)n, true);
	free(buf);
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout(fmt, ap);
	va_end(ap);
}

/* A value's string with its newlines as \x0a, for out(). NULL: "". */
static char *value_str(const char *v)
{
	size_t n = 0;
	char *r, *w;

	for (const char *c = v ? v : ""; *c; c++)
		n += *c == '\n' ? 4 : 1;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	w = r;
	for (const char *c = v ? v : ""; *c; c++)
		w += *c == '\n' ? sprintf(w, "\\x0a") : (*w = *c, 1);
	*w = '\0';
	return r;
}

static void set_err(int err)
{
	if (!p.err)
		p.err = err;
}

/* JSON: puts v (whose reference it takes) under key in the current object,
 * or appends it to the current array. */
static void add(const char *key, json_object *v, bool may_be_null)
{
	json_object *top;

	if (!v && !may_be_null) {
		set_err(-ENOMEM);
		return;
	}
	top = p.stack[p.depth];
	if (!top) /* tn_print_open() failed */
		json_object_put(v);
	else if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else if (key)
		json_object_object_add(top, key, v);
	else
		json_object_put(v);
}

int tn_print_open(FILE *f, bool json)
{
	p.f = f ? f : stdout;
	p.json = json;
	p.err = 0;
	p.depth = 0;
	p.stack[0] = json ? json_object_new_object() : NULL;
	return json && !p.stack[0] ? -ENOMEM : 0;
}

bool tn_print_is_json(void)
{
	return p.json;
}

int tn_print_close(void)
{
	int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE;

	if (p.depth != 0)
		set_err(-EINVAL);
	while (p.json && p.depth > 0)
		json_object_put(p.stack[p.depth--]);
	if (p.json && p.stack[0]) {
		/* json-c writes an empty object as "{\n}" */
		fprintf(p.f, "%s\n",
			json_object_object_length(p.stack[0]) ?
				json_object_to_json_string_ext(p.stack[0],
							       flags) :
				"{}");
		json_object_put(p.stack[0]);
		p.stack[0] = NULL;
	}
	fflush(p.f);
	return p.err;
}

static void start(const char *key, json_object *c)
{
	if (!p.json)
		return;
	if (!c || p.depth + 1 >= TN_PRINT_DEPTH) {
		json_object_put(c);
		set_err(c ? -EINVAL : -ENOMEM);
		return;
	}
	/* The stack holds its own reference: with a NULL key in an object
	 * the container is text only and its contents go nowhere. */
	add(key, json_object_get(c), false);
	p.stack[++p.depth] = c;
}

static void end(void)
{
	if (!p.json)
		return;
	if (p.depth > 0)
		json_object_put(p.stack[p.depth--]);
	else
		set_err(-EINVAL);
}

void tn_print_obj_start(const char *key)
{
	start(key, p.json ? json_object_new_object() : NULL);
}

void tn_print_obj_end(void)
{
	end();
}

void tn_print_arr_start(const char *key)
{
	start(key, p.json ? json_object_new_array() : NULL);
}

void tn_print_arr_end(void)
{
	end();
}

/* A string value through fmt in text. */
static void out_str(const char *fmt, const char *value)
{
	char *v = value_str(value);

	if (!v) {
		set_err(-ENOMEM);
		return;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	out(fmt, v);
#pragma GCC diagnostic pop
	free(v);
}

void tn_print_str(const char *key, const char *fmt, const char *value)
{
	if (p.json)
		add(key, json_object_new_string(value ? value : ""), false);
	else if (fmt)
		out_str(fmt, value);
}

void tn_print_u64(const char *key, const char *fmt, uint64_t value)
{
	if (p.json)
		add(key, json_object_new_uint64(value), false);
	else if (fmt)
		fprintf(p.f, fmt, value);
}

void tn_print_s64(const char *key, const char *fmt, int64_t value)
{
	if (p.json)
		add(key, json_object_new_int64(value), false);
	else if (fmt)
		fprintf(p.f, fmt, value);
}

void tn_print_bool(const char *key, const char *fmt, bool value)
{
	if (p.json)
		add(key, json_object_new_boolean(value), false);
	else if (fmt)
		fprintf(p.f, fmt, value ? "true" : "false");
}

void tn_print_json(const char *key, const char *fmt, json_object *value)
{
	if (p.json)
		add(key, json_object_get(value), true);
	else if (fmt && value)
		out_str(fmt, json_object_get_string(value));
}

void tn_print_text(const char *fmt, ...)
{
	va_list ap;

	if (p.json)
		return;
	va_start(ap, fmt);
	vout(fmt, ap);
	va_end(ap);
}

void tn_print_nl(void)
{
	if (!p.json)
		fputc('\n', p.f);
}

/* An object's entries in order: json_object_object_foreach() without a
 * macro that clang-format does not know. */
static struct lh_entry *first(json_object *o)
{
	return json_object_is_type(o, json_type_object) ?
		       lh_table_head(json_object_get_object(o)) :
		       NULL;
}

#define KEY(e) ((const char *)lh_entry_k(e))
#define VAL(e) ((json_object *)lh_entry_v(e))

/* An object through f->fields, after f's label and lines. */
static void nested(const struct tn_print_field *f, const char *key,
		   json_object *v)
{
	if (f->flags & TN_PF_NL)
		tn_print_nl();
	if (f->label)
		tn_print_text("%s", f->label);
	tn_print_obj_start(key);
	tn_print_fields(v, f->fields);
	tn_print_obj_end();
	if (f->flags & TN_PF_NL_AFTER)
		tn_print_nl();
}

void tn_print_field(const struct tn_print_field *f, json_object *v)
{
	size_t n;

	if (f->show) {
		f->show(f->key, v);
	} else if (!f->fields) {
		tn_print_json(f->key, f->fmt, v);
	} else if (!(f->flags & TN_PF_EACH) &&
		   json_object_is_type(v, json_type_object)) {
		nested(f, f->key, v);
	} else if ((f->flags & TN_PF_EACH) &&
		   json_object_is_type(v, json_type_array)) {
		tn_print_arr_start(f->key);
		n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (json_object_is_type(e, json_type_object))
				nested(f, NULL, e);
			else
				tn_print_json(NULL, NULL, e);
		}
		tn_print_arr_end();
	} else {
		tn_print_json(f->key, NULL, v);
	}
}

void tn_print_fields(json_object *o, const struct tn_print_field *fields)
{
	const struct tn_print_field *f;
	struct lh_entry *e;
	json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return;
	for (f = fields; f->key; f++)
		if (json_object_object_get_ex(o, f->key, &v))
			tn_print_field(f, v);
	for (e = first(o); e; e = lh_entry_next(e)) {
		for (f = fields; f->key && strcmp(f->key, KEY(e)); f++)
			;
		if (!f->key)
			tn_print_json(KEY(e), NULL, VAL(e));
	}
}

void tn_print_pairs(json_object *o, const char *key_fmt, const char *val_fmt)
{
	struct lh_entry *e;

	for (e = first(o); e; e = lh_entry_next(e)) {
		if (VAL(e)) /* null: JSON only, as in tn_print_json() */
			tn_print_text(key_fmt, KEY(e));
		tn_print_json(KEY(e), val_fmt, VAL(e));
	}
}

void tn_fmt_plain(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64, v);
}

void tn_fmt_cores(uint64_t m, char *buf, size_t n)
{
	int len =
		snprintf(buf, n, "%" PRIu64 ".%03" PRIu64, m / 1000, m % 1000);

	while (len > 0 && (size_t)len < n && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && (size_t)len < n && buf[len - 1] == '.')
		buf[len - 1] = '\0';
}

/* v in the largest unit of mul[] (0-ended) that divides it exactly, with
 * that unit's letter of sfx, or as it is. */
static void fmt_exact(uint64_t v, const uint64_t *mul, const char *sfx,
		      char *buf, size_t n)
{
	int i;

	for (i = 0; mul[i] && (v < mul[i] || v % mul[i]); i++)
		;
	if (mul[i])
		snprintf(buf, n, "%" PRIu64 "%c", v / mul[i], sfx[i]);
	else
		snprintf(buf, n, "%" PRIu64, v);
}

void tn_fmt_size(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1ULL << 30, 1ULL << 20, 1ULL << 10, 0 };

	fmt_exact(v, mul, "GMK", buf, n);
}

void tn_fmt_rate(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1000000000, 1000000, 1000, 0 };

	fmt_exact(v, mul, "GMk", buf, n);
}
