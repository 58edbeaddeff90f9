// SPDX-License-Identifier: GPL-2.0
/*
 * What every room of tenetd uses (agent.h): a refusal's sentence, an entry
 * of a pinned map, the counters of a map's entry as JSON.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "dp.h"
#include "names.h"

int req_fail(struct req *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

int map_set(struct tenetd *d, const char *map, const void *k, const void *v)
{
	int fd = tn_dp_map_open(d->bpffs, map), err = 0;

	if (fd < 0)
		return fd;
	if (v ? bpf_map_update_elem(fd, k, v, 0) : bpf_map_delete_elem(fd, k))
		err = v || errno != ENOENT ? -errno : 0;
	close(fd);
	return err;
}

json_object *stats_json(struct tenetd *d, const char *map, uint32_t key)
{
	json_object *o = json_object_new_object(), *drops;
	int fd = tn_dp_map_open(d->bpffs, map);
	struct tn_stats s = { 0 };

	if (fd >= 0) {
		tn_dp_stats_read(fd, key, &s);
		close(fd);
	}
#define CTR(f) json_object_object_add(o, #f, json_object_new_uint64(s.f))
	CTR(rx_packets);
	CTR(rx_bytes);
	CTR(tx_packets);
	CTR(tx_bytes);
	CTR(pass_packets);
	CTR(pass_bytes);
	CTR(nosock_packets);
	CTR(direct_packets);
	CTR(offqueue_packets);
	CTR(fast_packets);
	CTR(fast_bytes);
	CTR(fast_zc_packets);
#undef CTR
	drops = json_object_new_object();
	for (int i = 0; i < TN_DROP__MAX; i++)
		json_object_object_add(
			drops, tn_drop_names[i],
			json_object_new_uint64(s.drop_packets[i]));
	json_object_object_add(o, "drops", drops);
	return o;
}
