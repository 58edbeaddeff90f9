// SPDX-License-Identifier: GPL-2.0
/* The host's neighbour tables sized for the tenants: see neigh.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"
#include "neigh.h"
#include "store.h"

static const char *const fams[] = { "ipv4", "ipv6" };

void tn_neigh_want(uint32_t n, uint32_t thresh[3])
{
	uint64_t t3 = TN_NEIGH_HOST + (uint64_t)TN_NEIGH_PER_TENANT * n;

	if (t3 > INT32_MAX)
		t3 = INT32_MAX;
	/* The kernel's proportions: GC starts at a quarter of the hard
	 * limit (after 5 s over it at half). */
	thresh[0] = (uint32_t)(t3 / 8);
	thresh[1] = (uint32_t)(t3 / 2);
	thresh[2] = (uint32_t)t3;
}

static int path_of(char *buf, size_t n, int fam, int k)
{
	return snprintf(buf, n, "/proc/sys/net/%s/neigh/default/gc_thresh%d",
			fams[fam], k + 1);
}

static int read_u32(const char *path, uint32_t *v)
{
	FILE *f = fopen(path, "re");
	int ok = f && fscanf(f, "%u", v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -errno ? -errno : -EINVAL;
}

static int write_u32(const char *path, uint32_t v)
{
	FILE *f = fopen(path, "we");
	int err = f ? 0 : -errno;

	if (f && fprintf(f, "%u\n", v) < 0)
		err = -EIO;
	if (f && fclose(f) && !err)
		err = -errno;
	return err;
}

static int read_all(uint32_t have[2][3])
{
	char path[128];
	int err = 0;

	for (int f = 0; !err && f < 2; f++)
		for (int k = 0; !err && k < 3; k++) {
			path_of(path, sizeof(path), f, k);
			err = read_u32(path, &have[f][k]);
		}
	return err;
}

static int count_cb(const struct tn_tenant_rec *t, void *arg)
{
	(void)t;
	++*(uint32_t *)arg;
	return 0;
}

void neigh_size(struct tenetd *d)
{
	uint32_t n = 0, want[3], have[2][3];
	char path[128];
	int err;

	tn_store_tenant_list(d->st, count_cb, &n);
	tn_neigh_want(n, want);
	path_of(path, sizeof(path), 0, 2);
	if (access(path, W_OK)) {
		/* The knobs are only in the initial netns. */
		static uint32_t said;

		if (said != want[2])
			tn_warn("neighbour tables: tenetd runs outside the"
				" initial netns and cannot size them: %u"
				" tenants need gc_thresh3 %u (IPv4 and IPv6)\n",
				n, want[2]);
		said = want[2];
		return;
	}
	err = read_all(have);
	if (err) {
		tn_warn("neighbour tables: %s\n", strerror(-err));
		return;
	}
	if (have[0][2] >= want[2] && have[1][2] >= want[2])
		return;
	/* Largest first going up: the kernel wants 1 <= 2 <= 3. */
	for (int f = 0; f < 2; f++)
		for (int k = 2; k >= 0; k--) {
			if (have[f][k] >= want[k])
				continue;
			path_of(path, sizeof(path), f, k);
			err = write_u32(path, want[k]);
			if (err)
				tn_warn("neighbour tables: %s: %s\n", path,
					strerror(-err));
		}
	tn_info("neighbour tables: gc_thresh1/2/3 raised to %u/%u/%u (IPv4"
		" and IPv6, were %u/%u/%u) for %u tenants\n",
		want[0], want[1], want[2], have[0][0], have[0][1], have[0][2],
		n);
}
