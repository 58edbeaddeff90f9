/* SPDX-License-Identifier: GPL-2.0 */
/*
 * make bench's JSON, the shape every benchmark writes into $BENCH_DIR as
 * NAME.json (tools/README, "The JSON convention"), for the benchmarks in C:
 *
 *   {"bench": "fib", "date": "2026-12-03T14:52:07Z", "commit": "e11bb06",
 *    "kernel": "6.18.0", "cpus": 2, "params": {...},
 *    "keys": ["table"], "units": {"load_s": "s", ...},
 *    "rows": [{"table": "ipv4 full table", "load_s": 0.412, ...}, ...],
 *    "plots": [{"name": "load", "title": "...", "x": "table",
 *               "y": ["load_s"], "ylabel": "s"}]}
 *
 * The commit is $BENCH_COMMIT (make sets it), null without it. Built with
 * json-c, the JSON library the rest of tenet keeps.
 */
#ifndef TENET_BENCH_JSON_H
#define TENET_BENCH_JSON_H

#include <json-c/json.h>

struct bench_doc {
	json_object *doc, *params, *units, *rows, *plots;
};

/* keys: the row's key columns, NULL-terminated. 0 or -ENOMEM. */
int bench_doc_init(struct bench_doc *d, const char *name,
		   const char *const *keys);
void bench_doc_free(struct bench_doc *d);

/* A new row at the end of rows (NULL if out of memory). */
json_object *bench_row(struct bench_doc *d);
/* A number as printf's fmt writes it ("%.1f"), so the JSON has the digits
 * the table has. */
void bench_num(json_object *o, const char *key, const char *fmt, double v);
void bench_str(json_object *o, const char *key, const char *v);
void bench_unit(struct bench_doc *d, const char *column, const char *unit);

/*
 * A plot: x a key column (one cluster of bars per value); either series, a
 * column whose values are the bars of a cluster, with one y column, or no
 * series and several y columns (space-separated), one bar each.
 */
void bench_plot(struct bench_doc *d, const char *name, const char *title,
		const char *x, const char *series, const char *y,
		const char *ylabel);

/* Writes the document to path (NULL: stdout). 0 or -errno. */
int bench_write(struct bench_doc *d, const char *path);

#endif
