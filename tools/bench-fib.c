// SPDX-License-Identifier: GPL-2.0
/*
 * tn-bench-fib: what tenet-router's forwarding tables (tenant/fib*.c) cost
 * to load and to look up, with the full Internet table and with 1,000,000
 * random IPv4 prefixes whose lengths follow the full table's.
 *
 * Per table: routes held, load time (adds only, parsing excluded), memory
 * as the table counts it and as the process's RSS grew, and ns per lookup
 * over 10M addresses: random ones (with the share that found a route) and
 * ones inside loaded prefixes. Lookups are independent, so this is
 * throughput (misses overlap), not the latency of one lookup.
 *
 * Target (issue): 1M IPv4 routes load in <= 2 s.
 *
 * Usage: tn-bench-fib [-f PATH_TO_TABLE_GZ] [-j | -o FILE]
 * -j prints make bench's JSON (tools/README) instead of the table, -o
 * writes it to FILE as well as the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "bench-json.h"
#include "fib.h"
#include "parse.h"

#define NADDR 1000000 /* addresses generated, each looked up REPS times */
#define REPS 10
#define NRANDOM 1000000

struct pfx {
	uint8_t a[16]; /* network order; IPv4 in the first 4 bytes */
	unsigned int len;
};

struct set {
	struct pfx *p;
	size_t n, cap;
};

struct result {
	const char *name;
	size_t routes;
	double load_s, mem_mb, rss_mb, ns_rand, hit_rand, ns_hit;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%*d %ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (double)sysconf(_SC_PAGESIZE) / 1048576;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void push(struct set *s, const uint8_t a[16], unsigned int len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->p = realloc(s->p, s->cap * sizeof(*s->p));
		if (!s->p) {
			perror("tn-bench-fib");
			exit(1);
		}
	}
	memcpy(s->p[s->n].a, a, 16);
	s->p[s->n++].len = len;
}

static int load_file(const char *path, struct set *v4, struct set *v6)
{
	char cmd[4096], *line = NULL;
	size_t cap = 0;
	FILE *p;

	if (access(path, R_OK)) {
		fprintf(stderr, "tn-bench-fib: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (getline(&line, &cap, p) > 0) {
		uint8_t a[16];
		unsigned int len;
		int family;

		line[strcspn(line, "\r\n")] = '\0';
		if (tn_parse_prefix(line, 0, &family, a, &len)) {
			fprintf(stderr, "tn-bench-fib: bad prefix '%s'\n",
				line);
			continue;
		}
		push(family == AF_INET ? v4 : v6, a, len);
	}
	free(line);
	return pclose(p) ? -EIO : 0;
}

static int cmp_pfx(const void *x, const void *y)
{
	const struct pfx *a = x, *b = y;
	int c = memcmp(a->a, b->a, 4);

	return c ? c : (int)a->len - (int)b->len;
}

/* n distinct random IPv4 prefixes, lengths drawn from those of t, in
 * random order. */
static void random_set(const struct set *t, struct set *r, size_t n)
{
	uint64_t s = 1;

	while (r->n < n) {
		while (r->n < n) {
			unsigned int len = t->p[rnd(&s) % t->n].len;
			uint32_t a = (uint32_t)rnd(&s) &
				     (len ? ~0u << (32 - len) : 0);
			uint8_t b[16] = { 0 };

			a = htonl(a);
			memcpy(b, &a, 4);
			push(r, b, len);
		}
		qsort(r->p, r->n, sizeof(*r->p), cmp_pfx);
		size_t k = 0;
		for (size_t i = 0; i < r->n; i++)
			if (!k || cmp_pfx(&r->p[k - 1], &r->p[i]))
				r->p[k++] = r->p[i];
		r->n = k;
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd(&s) % (i + 1);
		struct pfx x = r->p[i];

		r->p[i] = r->p[j];
		r->p[j] = x;
	}
}

/* Addresses to look up: random, or inside random prefixes of t. */
static uint8_t *addresses(const struct set *t, int inside, uint64_t s)
{
	uint8_t *a = malloc((size_t)NADDR * 16);

	if (!a) {
		perror("tn-bench-fib");
		exit(1);
	}
	for (size_t i = 0; i < NADDR; i++) {
		uint8_t *x = a + i * 16;
		const struct pfx *p = &t->p[rnd(&s) % t->n];
		uint64_t r[2] = { rnd(&s), rnd(&s) };

		memcpy(x, r, 16);
		if (!inside)
			continue;
		for (unsigned int b = 0; b < p->len; b += 8) {
			uint8_t m = p->len - b >= 8 ?
					    0xff :
					    0xff << (8 - (p->len - b));

			x[b / 8] = (x[b / 8] & ~m) | p->a[b / 8];
		}
	}
	return a;
}

/*
 * The family's calls. The generic loops below are always_inline, so each
 * call site is specialised for its family and the timed loop runs
 * fib4_lookup inlined, as the router does.
 */
#define SPECIALISE static inline __attribute__((always_inline))

struct ops {
	void *(*create)(void);
	int (*add)(void *f, const uint8_t *a, unsigned int len, uint32_t nh);
	uint32_t (*lookup)(const void *f, const uint8_t *a);
	size_t (*memory)(const void *f);
	void (*destroy)(void *f);
};

static inline uint32_t v4_of(const uint8_t *a)
{
	uint32_t x;

	memcpy(&x, a, 4);
	return ntohl(x);
}

static void *v4_create(void)
{
	return fib4_create();
}
static int v4_add(void *f, const uint8_t *a, unsigned int len, uint32_t nh)
{
	return fib4_add(f, v4_of(a), len, nh);
}
SPECIALISE uint32_t v4_lookup(const void *f, const uint8_t *a)
{
	return fib4_lookup(f, v4_of(a));
}
static size_t v4_memory(const void *f)
{
	return fib4_memory(f);
}
static void v4_destroy(void *f)
{
	fib4_destroy(f);
}

static void *v6_create(void)
{
	return fib6_create();
}
static int v6_add(void *f, const uint8_t *a, unsigned int len, uint32_t nh)
{
	return fib6_add(f, a, len, nh);
}
SPECIALISE uint32_t v6_lookup(const void *f, const uint8_t *a)
{
	return fib6_lookup(f, a);
}
static size_t v6_memory(const void *f)
{
	return fib6_memory(f);
}
static void v6_destroy(void *f)
{
	fib6_destroy(f);
}

static const struct ops ops4 = { v4_create, v4_add, v4_lookup, v4_memory,
				 v4_destroy };
static const struct ops ops6 = { v6_create, v6_add, v6_lookup, v6_memory,
				 v6_destroy };

/* ns per lookup over NADDR * REPS lookups; *hit gets the share found. */
SPECIALISE double time_lookups(const struct ops *o, const void *f,
			       const uint8_t *a, double *hit)
{
	size_t found = 0;
	double t0 = now();

	for (unsigned int r = 0; r < REPS; r++)
		for (size_t i = 0; i < NADDR; i++)
			found += o->lookup(f, a + i * 16) != FIB_NONE;
	*hit = 100.0 * found / ((double)NADDR * REPS);
	return (now() - t0) * 1e9 / ((double)NADDR * REPS);
}

SPECIALISE int bench(const struct ops *o, const char *name, const struct set *t,
		     struct result *res)
{
	uint8_t *any = addresses(t, 0, 2), *in = addresses(t, 1, 3);
	void *f = o->create();
	double rss0 = rss_mb(), t0 = now(), hit;
	int err = f ? 0 : -errno;

	for (size_t i = 0; i < t->n && !err; i++)
		err = o->add(f, t->p[i].a, t->p[i].len, i);
	res->load_s = now() - t0;
	if (err) {
		fprintf(stderr, "tn-bench-fib: %s: %s\n", name, strerror(-err));
		goto out;
	}
	res->name = name;
	res->routes = t->n;
	res->mem_mb = o->memory(f) / 1048576.0;
	res->rss_mb = rss_mb() - rss0;
	res->ns_rand = time_lookups(o, f, any, &res->hit_rand);
	res->ns_hit = time_lookups(o, f, in, &hit);
	if (hit < 100) {
		fprintf(stderr, "tn-bench-fib: %s: %.2f%% of hits missed\n",
			name, 100 - hit);
		err = -EINVAL;
	}
out:
	if (f)
		o->destroy(f);
	free(any);
	free(in);
	return err;
}

/* Each table in a child process of its own, so that its RSS is its own
 * and not what malloc kept from the one before. */
SPECIALISE int run(const struct ops *o, const char *name, const struct set *t,
		   struct result *res)
{
	struct result *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 1;
	pid_t pid;

	if (r == MAP_FAILED)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (!pid)
		_exit(bench(o, name, t, r) ? 1 : 0);
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		*res = *r;
	munmap(r, sizeof(*r));
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * The table (unless json), and make bench's JSON on stdout (json) or in
 * out. A sample of the table:
 *
 *   table              routes   load s  memory MB   rss MB   ns/rand-addr ...
 *   ipv4 full table    944210    0.402       31.2     33.1           20.1 ...
 */
static int report(int json, const char *out, const struct result *res, int n)
{
	static const char *const keys[] = { "table", NULL };
	struct bench_doc d;
	json_object *row;
	int err;

	if (bench_doc_init(&d, "fib", keys)) {
		fprintf(stderr, "tn-bench-fib: out of memory\n");
		return -1;
	}
	bench_num(d.params, "lookups", "%.0f", (double)NADDR * REPS);
	bench_num(d.params, "random_prefixes", "%.0f", NRANDOM);
	bench_unit(&d, "load_s", "s");
	bench_unit(&d, "mem_mb", "MiB");
	bench_unit(&d, "rss_mb", "MiB");
	bench_unit(&d, "ns_rand", "ns/lookup");
	bench_unit(&d, "found_pct", "%");
	bench_unit(&d, "ns_hit", "ns/lookup");
	bench_plot(&d, "lookup", "FIB lookup, random and in-table addresses",
		   "table", NULL, "ns_rand ns_hit", "ns/lookup");
	bench_plot(&d, "load", "FIB load time", "table", NULL, "load_s", "s");
	bench_plot(&d, "memory", "FIB memory", "table", NULL, "mem_mb rss_mb",
		   "MiB");
	if (!json)
		printf("%-16s %8s %8s %10s %8s %14s %8s %11s\n", "table",
		       "routes", "load s", "memory MB", "rss MB",
		       "ns/rand-addr", "found", "ns/hit-addr");
	for (int i = 0; i < n; i++) {
		if (!json)
			printf("%-16s %8zu %8.3f %10.1f %8.1f %14.1f %7.1f%% "
			       "%11.1f\n",
			       res[i].name, res[i].routes, res[i].load_s,
			       res[i].mem_mb, res[i].rss_mb, res[i].ns_rand,
			       res[i].hit_rand, res[i].ns_hit);
		row = bench_row(&d);
		bench_str(row, "table", res[i].name);
		bench_num(row, "routes", "%.0f", (double)res[i].routes);
		bench_num(row, "load_s", "%.3f", res[i].load_s);
		bench_num(row, "mem_mb", "%.1f", res[i].mem_mb);
		bench_num(row, "rss_mb", "%.1f", res[i].rss_mb);
		bench_num(row, "ns_rand", "%.1f", res[i].ns_rand);
		bench_num(row, "found_pct", "%.1f", res[i].hit_rand);
		bench_num(row, "ns_hit", "%.1f", res[i].ns_hit);
	}
	err = json || out ? bench_write(&d, json ? NULL : out) : 0;
	if (err)
		fprintf(stderr, "tn-bench-fib: %s: %s\n", out ? out : "stdout",
			strerror(-err));
	bench_doc_free(&d);
	return err;
}

int main(int argc, char **argv)
{
	const char *path = "tests/data/fulltable-prefixes.txt.gz", *out = NULL;
	struct set v4 = { 0 }, v6 = { 0 }, r4 = { 0 };
	struct result res[3];
	int opt, err, json = 0;

	while ((opt = getopt(argc, argv, "f:jo:h")) != -1) {
		if (opt == 'f') {
			path = optarg;
		} else if (opt == 'j') {
			json = 1;
		} else if (opt == 'o') {
			out = optarg;
		} else {
			fprintf(stderr,
				"usage: %s [-f PATH_TO_TABLE_GZ] [-j | -o FILE]\n",
				argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (load_file(path, &v4, &v6) || !v4.n || !v6.n) {
		fprintf(stderr,
			"tn-bench-fib: no IPv4 and IPv6 prefixes in %s\n",
			path);
		return 1;
	}
	random_set(&v4, &r4, NRANDOM);
	err = run(&ops4, "ipv4 full table", &v4, &res[0]) ||
	      run(&ops4, "ipv4 random 1M", &r4, &res[1]) ||
	      run(&ops6, "ipv6 full table", &v6, &res[2]);
	if (err)
		return 1;
	err = report(json, out, res, 3);
	free(v4.p);
	free(v6.p);
	free(r4.p);
	return err ? 1 : 0;
}
