// SPDX-License-Identifier: GPL-2.0
/*
 * make bench's JSON for the benchmarks in C (bench-json.h): the envelope
 * every benchmark's file has (name, date, commit, kernel, CPUs), the rows,
 * their units and plots, written once at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench-json.h"

static void put(json_object *o, const char *key, json_object *v)
{
	if (o && v)
		json_object_object_add(o, key, v);
	else
		json_object_put(v);
}

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

int bench_doc_init(struct bench_doc *d, const char *name,
		   const char *const *keys)
{
	json_object *k = json_object_new_array();
	struct utsname u;
	char date[32];
	time_t now = time(NULL);

	memset(d, 0, sizeof(*d));
	d->doc = json_object_new_object();
	d->params = json_object_new_object();
	d->units = json_object_new_object();
	d->rows = json_object_new_array();
	d->plots = json_object_new_array();
	if (!d->doc || !d->params || !d->units || !d->rows || !d->plots || !k) {
		json_object_put(k);
		bench_doc_free(d);
		return -ENOMEM;
	}
	strftime(date, sizeof(date), "%FT%TZ", gmtime(&now));
	put(d->doc, "bench", json_object_new_string(name));
	put(d->doc, "date", json_object_new_string(date));
	/* a null value is a JSON null, which the convention allows */
	json_object_object_add(d->doc, "commit",
			       str_or_null(getenv("BENCH_COMMIT")));
	put(d->doc, "kernel",
	    json_object_new_string(uname(&u) ? "" : u.release));
	put(d->doc, "cpus",
	    json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	put(d->doc, "params", json_object_get(d->params));
	for (; *keys; keys++)
		json_object_array_add(k, json_object_new_string(*keys));
	put(d->doc, "keys", k);
	put(d->doc, "units", json_object_get(d->units));
	put(d->doc, "rows", json_object_get(d->rows));
	put(d->doc, "plots", json_object_get(d->plots));
	return 0;
}

void bench_doc_free(struct bench_doc *d)
{
	json_object_put(d->params);
	json_object_put(d->units);
	json_object_put(d->rows);
	json_object_put(d->plots);
	json_object_put(d->doc);
	memset(d, 0, sizeof(*d));
}

json_object *bench_row(struct bench_doc *d)
{
	json_object *r = json_object_new_object();

	if (r && json_object_array_add(d->rows, r)) {
		json_object_put(r);
		return NULL;
	}
	return r;
}

void bench_num(json_object *o, const char *key, const char *fmt, double v)
{
	char s[64];

	snprintf(s, sizeof(s), fmt, v);
	put(o, key, json_object_new_double_s(v, s));
}

void bench_str(json_object *o, const char *key, const char *v)
{
	put(o, key, json_object_new_string(v));
}

void bench_unit(struct bench_doc *d, const char *column, const char *unit)
{
	put(d->units, column, json_object_new_string(unit));
}

static json_object *words(const char *s)
{
	json_object *a = json_object_new_array();
	char *copy = strdup(s), *save = NULL;

	if (!a || !copy) {
		free(copy);
		json_object_put(a);
		return NULL;
	}
	for (char *w = strtok_r(copy, " ", &save); w;
	     w = strtok_r(NULL, " ", &save))
		json_object_array_add(a, json_object_new_string(w));
	free(copy);
	return a;
}

void bench_plot(struct bench_doc *d, const char *name, const char *title,
		const char *x, const char *series, const char *y,
		const char *ylabel)
{
	json_object *p = json_object_new_object();

	put(p, "name", json_object_new_string(name));
	put(p, "title", json_object_new_string(title));
	put(p, "x", json_object_new_string(x));
	if (series)
		put(p, "series", words(series));
	put(p, "y", words(y));
	put(p, "ylabel", json_object_new_string(ylabel));
	if (p && json_object_array_add(d->plots, p))
		json_object_put(p);
}

int bench_write(struct bench_doc *d, const char *path)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%s\n",
		    json_object_to_json_string_ext(
			    d->doc,
			    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				    JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		err = -EIO;
	if (path && fclose(f) && !err)
		err = -errno;
	else if (!path && fflush(f))
		err = -errno;
	return err;
}
