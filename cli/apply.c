// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl apply FILE [--prune] [--dry-run]: the host's tenants made what
 * FILE says. FILE is read and checked whole (lib/apply.h) before tenetd is
 * asked anything; then tenant list, the plan, and one request a tenant,
 * each its own transaction in tenetd, one failing not stopping the others.
 * Not on a terminal it prints a line a tenant as each ends, then the
 * counts:
 *
 *   apply: set eps: failed: access.vlan: 100 -> 200 cannot change live;
 *          tenant del and add it                           (one line)
 *   apply: kept delta (not in tenants.json; --prune removes)
 *   apply: 1/3 del old: ok (0.52 s)
 *   apply: 2/3 set beta (rate 100M -> 200M): ok (0.05 s)
 *   apply: 3/3 add gamma: failed: uplink: nic9 is not attached (...) (0.01 s)
 *   apply: 0 added, 1 changed, 1 removed, 5 unchanged, 1 kept, 2 failed
 *
 * On a terminal the requests that went well are one line rewritten as they
 * go ("[2/3] set beta ... ETA 1 s"), the rest as above. --dry-run prints
 * the plan, a line a tenant ("del old", "set beta: rate 100M -> 200M",
 * "add gamma", "kept delta (...)", "set eps: failed: ...") and the counts
 * ("apply --dry-run: 1 to add, ..."). -j prints one JSON object: each
 * tenant's action, result, error, changes and seconds, and the counts,
 * the summary's through the same printer (lib/print.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "ctl_cmds.h"
#include "print.h"
#include "tenetctl.h"

/* FILE at most: well over 16383 tenants as tenant list prints them. */
#define FILE_MAX (64u << 20)

/* path ("-": standard input) into *text, '\0'-terminated: 0 or -errno. */
static int slurp(const char *path, char **text, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) :
				     STDIN_FILENO;
	size_t cap = 65536, used = 0;
	char *buf, *p;
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	while (buf) {
		if (used + 1 == cap) {
			if (cap > FILE_MAX) {
				err = -EFBIG;
				break;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				err = -ENOMEM;
				break;
			}
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	if (!buf)
		err = -ENOMEM;
	if (fd != STDIN_FILENO)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct run {
	const struct tn_apply *ap;
	const char *file;
	bool json, tty, dry;
	unsigned int n, total; /* requests begun, to make */
	double spent[TN_APPLY__MAX]; /* seconds, by op */
	unsigned int done[TN_APPLY__MAX], ok[TN_APPLY__MAX], failed;
	json_object *tenants; /* each one's result */
};

/* Seconds the requests from act i on should take, by what those of their
 * kind took (a tenant set says nothing of a tenant add); -1 until each
 * kind left has been timed. */
static int eta(const struct run *r, unsigned int i)
{
	double t = 0;

	for (; i < r->ap->nact; i++) {
		const struct tn_apply_act *x = &r->ap->act[i];

		if (!x->req)
			continue;
		if (!r->done[x->op])
			return -1;
		t += r->spent[x->op] / r->done[x->op];
	}
	return (int)(t + 0.5);
}

/* {"name", "action", "result", "error", "changes", "seconds"}, in the
 * plan's order. */
static void result(struct run *r, const struct tn_apply_act *x, const char *res,
		   const char *err, double secs)
{
	json_object *o = json_object_new_object();
	char s[32];

	json_object_object_add(o, "name", json_object_new_string(x->name));
	json_object_object_add(
		o, "action", json_object_new_string(tn_apply_op_names[x->op]));
	json_object_object_add(o, "result", json_object_new_string(res));
	if (err)
		json_object_object_add(o, "error", json_object_new_string(err));
	if (x->changes)
		json_object_object_add(o, "changes",
				       json_object_get(x->changes));
	if (secs >= 0) {
		snprintf(s, sizeof(s), "%.3f", secs);
		json_object_object_add(o, "seconds",
				       json_object_new_double_s(secs, s));
	}
	json_object_array_put_idx(r->tenants, (size_t)(x - r->ap->act), o);
}

/* A tenant that needs no request (failed already, kept, unchanged) or,
 * with reqs, one that does: said in the plan (--dry-run) or as apply's
 * first lines (after "apply: "). */
static void unasked(struct run *r, bool reqs, const char *pre)
{
	for (unsigned int i = 0; i < r->ap->nact; i++) {
		const struct tn_apply_act *x = &r->ap->act[i];
		const char *op = tn_apply_op_names[x->op];

		if (x->req && !reqs)
			continue;
		result(r, x,
		       x->req		      ? "planned" :
		       x->why		      ? "failed" :
		       x->op == TN_APPLY_KEEP ? "kept" :
						"unchanged",
		       x->why, -1);
		if (r->json)
			continue;
		if (x->req)
			printf("%s %s%s%s\n", op, x->name, x->what ? ": " : "",
			       x->what ? x->what : "");
		else if (x->why)
			printf("%s%s %s: failed: %s\n", pre, op, x->name,
			       x->why);
		else if (x->op == TN_APPLY_KEEP)
			printf("%skept %s (not in %s; --prune removes)\n", pre,
			       x->name, r->file);
	}
}

/* Each request in turn, said as it goes. */
static void make(struct run *r)
{
	char why[TN_CTL_WHY_MAX];
	json_object *reply;
	double t0, dt;
	int e, rc;

	for (unsigned int i = 0; i < r->ap->nact; i++) {
		const struct tn_apply_act *x = &r->ap->act[i];
		const char *op = tn_apply_op_names[x->op];

		if (!x->req)
			continue;
		r->n++;
		if (r->tty) {
			printf("\r\033[K[%u/%u] %s %s ...", r->n, r->total, op,
			       x->name);
			if ((e = eta(r, i)) >= 0)
				printf(" ETA %d s", e);
			fflush(stdout);
		}
		reply = NULL;
		t0 = now();
		rc = ctl_call(x->req, &reply, why, sizeof(why));
		dt = now() - t0;
		json_object_put(reply);
		r->spent[x->op] += dt;
		r->done[x->op]++;
		if (rc)
			r->failed++;
		else
			r->ok[x->op]++;
		result(r, x, rc ? "failed" : "ok", rc ? why : NULL, dt);
		if (r->json || (r->tty && !rc))
			continue;
		printf("%sapply: %u/%u %s %s%s%s%s: ", r->tty ? "\r\033[K" : "",
		       r->n, r->total, op, x->name, x->what ? " (" : "",
		       x->what ? x->what : "", x->what ? ")" : "");
		if (rc)
			printf("failed: %s (%.2f s)\n", why, dt);
		else
			printf("ok (%.2f s)\n", dt);
		fflush(stdout);
	}
	if (r->tty && r->total)
		fputs("\r\033[K", stdout);
}

static void show_kept(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_int(v))
		tn_print_text(", %d kept", json_object_get_int(v));
}

/* "apply: 3 added, 2 changed, 0 removed, 5 unchanged, 1 failed" */
static const struct tn_print_field done_fields[] = {
	{ .key = "added", .fmt = "apply: %s added" },
	{ .key = "changed", .fmt = ", %s changed" },
	{ .key = "removed", .fmt = ", %s removed" },
	{ .key = "unchanged", .fmt = ", %s unchanged" },
	{ .key = "kept", .show = show_kept },
	{ .key = "failed", .fmt = ", %s failed" },
	{},
};

static const struct tn_print_field dry_fields[] = {
	{ .key = "added", .fmt = "apply --dry-run: %s to add" },
	{ .key = "changed", .fmt = ", %s to change" },
	{ .key = "removed", .fmt = ", %s to remove" },
	{ .key = "unchanged", .fmt = ", %s unchanged" },
	{ .key = "kept", .show = show_kept },
	{ .key = "failed", .fmt = ", %s failing; nothing changed" },
	{},
};

static int summary(struct run *r)
{
	const struct tn_apply *ap = r->ap;
	const unsigned int *n = r->dry ? ap->count : r->ok;
	json_object *o = json_object_new_object();
	int err;

	json_object_object_add(o, "added",
			       json_object_new_int((int)n[TN_APPLY_ADD]));
	json_object_object_add(o, "changed",
			       json_object_new_int((int)n[TN_APPLY_SET]));
	json_object_object_add(o, "removed",
			       json_object_new_int((int)n[TN_APPLY_DEL]));
	json_object_object_add(
		o, "unchanged",
		json_object_new_int((int)ap->count[TN_APPLY_SAME]));
	json_object_object_add(
		o, "kept", json_object_new_int((int)ap->count[TN_APPLY_KEEP]));
	json_object_object_add(
		o, "failed",
		json_object_new_int((int)(ap->failed + r->failed)));
	json_object_object_add(o, "file", json_object_new_string(r->file));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry));
	json_object_object_add(o, "tenants", json_object_get(r->tenants));
	if (!r->json && !r->total && !ap->failed)
		printf("apply: nothing to do, the tenants are as %s says\n",
		       r->file);
	tn_print_open(stdout, r->json);
	tn_print_fields(o, r->dry ? dry_fields : done_fields);
	tn_print_nl();
	err = tn_print_close();
	json_object_put(o);
	if (err || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tenetctl: cannot print: %s\n",
			strerror(err ? -err : EIO));
		return 1;
	}
	return ap->failed + r->failed ? 1 : 0;
}

int apply_main(const struct tn_gargs *a, bool json)
{
	json_object *req, *reply = NULL, *data = NULL;
	const char *file = a->v[TN_K_FILE].s;
	struct run r = { .file = file, .json = json };
	struct tn_apply ap;
	size_t len = 0;
	char *text = NULL;
	int err, ret = 1;

	r.dry = a->v[TN_K_DRY_RUN].set;
	r.tty = !json && isatty(STDOUT_FILENO);
	err = slurp(file, &text, &len);
	if (err) {
		fprintf(stderr, "tenetctl: %s: %s\n", file,
			err == -EFBIG ? "larger than 64M" : strerror(-err));
		return EXIT_USAGE;
	}
	err = tn_apply_read(&ap, file, text, len);
	free(text);
	if (err == -EINVAL) {
		for (unsigned int i = 0; i < ap.errs.n; i++)
			fprintf(stderr, "tenetctl: %s\n", ap.errs.line[i]);
		if (ap.errs.total > ap.errs.n)
			fprintf(stderr, "tenetctl: %s: %u faults more\n", file,
				ap.errs.total - ap.errs.n);
		fprintf(stderr, "tenetctl: %s refused: nothing was changed\n",
			file);
		tn_apply_free(&ap);
		return EXIT_USAGE;
	}
	if (err)
		goto out;
	/* What the host has: the one request before the plan. */
	req = json_object_new_object();
	json_object_object_add(req, "cmd",
			       json_object_new_string("tenant list"));
	json_object_object_add(req, "args", json_object_new_object());
	err = ctl_call(req, &reply, NULL, 0);
	json_object_put(req);
	if (err) {
		err = 0; /* said */
		goto out;
	}
	json_object_object_get_ex(reply, "data", &data);
	err = tn_apply_plan(&ap, data, a->v[TN_K_PRUNE].set);
	if (err == -EBADMSG) {
		fprintf(stderr, "tenetctl: tenetd's tenant list is not one\n");
		err = 0;
	}
	if (err)
		goto out;
	r.ap = &ap;
	r.tenants = json_object_new_array();
	for (unsigned int i = 0; i < ap.nact; i++)
		r.total += !!ap.act[i].req;
	unasked(&r, r.dry, r.dry ? "" : "apply: ");
	if (!r.dry)
		make(&r);
	ret = summary(&r);
	json_object_put(r.tenants);
out:
	if (err)
		fprintf(stderr, "tenetctl: %s\n", strerror(-err));
	json_object_put(reply);
	tn_apply_free(&ap);
	return ret;
}
