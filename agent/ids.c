// SPDX-License-Identifier: GPL-2.0
/* Checking the tenants' id span against the host's: see ids.h. */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "log.h"

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* "name:start:count" lines; anything else is skipped. */
static int check_sub(const char *path, uint64_t base, uint64_t count, char *err,
		     size_t n)
{
	FILE *f = fopen(path, "re");
	char line[512];
	int ret = 0, no = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *end;
		uint64_t start, len;

		no++;
		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		start = strtoull(c1 + 1, &end, 10);
		if (end != c2)
			continue;
		len = strtoull(c2 + 1, &end, 10);
		if (overlaps(base, count, start, len)) {
			line[strcspn(line, "\n")] = '\0';
			tn_errbuf(err, n,
				  "tenants' ids %" PRIu64 "..%" PRIu64
				  " overlap %s line %d (\"%.80s\"): give"
				  " --id-base outside it",
				  base, base + count - 1, path, no, line);
			ret = -EEXIST;
		}
	}
	fclose(f);
	return ret;
}

/* A host user's or group's id in the span. */
static int check_id(const char *kind, const char *name, uint32_t id,
		    uint64_t base, uint64_t count, char *err, size_t n)
{
	if (!overlaps(base, count, id, 1))
		return 0;
	tn_errbuf(err, n,
		  "%s %s (%cid %u) is in the tenants' ids %" PRIu64 "..%" PRIu64
		  ": give --id-base outside them",
		  kind, name, kind[0], id, base, base + count - 1);
	return -EEXIST;
}

int tn_ids_check(const char *etc_dir, uint64_t base, uint64_t count, char *err,
		 size_t n)
{
	char path[512];
	struct passwd *pw;
	struct group *gr;
	int ret = 0;

	if (base + count > 4294967295ull) {
		tn_errbuf(err, n,
			  "tenants' ids %" PRIu64 "..%" PRIu64
			  " run past the last uid (4294967294): give a lower"
			  " --id-base",
			  base, base + count - 1);
		return -ERANGE;
	}
	snprintf(path, sizeof(path), "%s/subuid", etc_dir);
	ret = check_sub(path, base, count, err, n);
	snprintf(path, sizeof(path), "%s/subgid", etc_dir);
	if (!ret)
		ret = check_sub(path, base, count, err, n);
	if (ret || strcmp(etc_dir, "/etc"))
		return ret;
	setpwent();
	while (!ret && (pw = getpwent()))
		ret = check_id("user", pw->pw_name, pw->pw_uid, base, count,
			       err, n);
	endpwent();
	setgrent();
	while (!ret && (gr = getgrent()))
		ret = check_id("group", gr->gr_name, gr->gr_gid, base, count,
			       err, n);
	endgrent();
	return ret;
}
