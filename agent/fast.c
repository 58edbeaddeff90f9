// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants' fast tables (include/tenet/fast.h): made for each router as it
 * connects and handed to it (session.c), taken out of tn_fast as it goes,
 * so that nothing a dead router wrote is ever used; and what tenant show
 * says of them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <tenet/fast.h>

#include "agent.h"
#include "dp.h"
#include "fast.h"
#include "log.h"
#include "names.h"

bool fast_wanted(const struct tn_tenant_rec *t)
{
	const struct tn_limits *l = &t->limits;

	/* XDP can police but not queue: a shaped tenant's frames all go
	 * through its router, whose shaper keeps TCP from the policers. */
	return t->fastpath && !((l->rate_bps || l->pps) && !l->police_only);
}

int fast_flag_sync(struct tenetd *d, const struct tn_tenant_rec *t)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_TENANTS), err = 0;
	struct tn_tenant v;
	__u32 id = t->id;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &id, &v))
		err = -errno;
	/* Only a tenant that is up: bring-up sets the flags it starts with. */
	else if (v.flags & TN_TENANT_F_ACTIVE) {
		v.flags &= ~TN_TENANT_F_FAST;
		if (fast_wanted(t))
			v.flags |= TN_TENANT_F_FAST;
		if (bpf_map_update_elem(fd, &id, &v, 0))
			err = -errno;
	}
	close(fd);
	return err;
}

int fast_table_new(struct tenetd *d, uint32_t id)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	int outer = tn_dp_map_open(d->bpffs, TN_MAP_FAST), fd, err = 0;
	char name[BPF_OBJ_NAME_LEN];

	if (outer < 0)
		return outer;
	snprintf(name, sizeof(name), "tn_fast_%u", id);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32),
			    sizeof(union tn_fast_slot), TN_FAST_SLOTS, &o);
	if (fd < 0)
		err = -errno;
	else if (bpf_map_update_elem(outer, &id, &fd, 0))
		err = -errno;
	close(outer);
	if (err && fd >= 0)
		close(fd);
	return err ? err : fd;
}

void fast_table_drop(struct tenetd *d, uint32_t id)
{
	int err = map_set(d, TN_MAP_FAST, &id, NULL);

	if (err)
		tn_err("tenant id %u: fast table not taken out: %s\n", id,
		       strerror(-err));
}

/* The table in id's slot, opened; -errno if none. */
static int table_open(struct tenetd *d, uint32_t id)
{
	int outer = tn_dp_map_open(d->bpffs, TN_MAP_FAST), fd;
	__u32 map_id;

	if (outer < 0)
		return outer;
	fd = bpf_map_lookup_elem(outer, &id, &map_id) ? -errno :
	     (fd = bpf_map_get_fd_by_id(map_id)) < 0  ? -errno :
							fd;
	close(outer);
	return fd;
}

bool fast_table_present(struct tenetd *d, uint32_t id)
{
	int fd = table_open(d, id);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Entries in use: a snapshot of memory the router writes as it likes,
 * read only and counted, never trusted for more. */
static long table_entries(int fd)
{
	size_t len = sizeof(union tn_fast_slot) * TN_FAST_BUCKETS;
	const union tn_fast_slot *s;
	long n = 0;

	s = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (s == MAP_FAILED)
		return -errno;
	for (unsigned int b = 0; b < TN_FAST_BUCKETS; b++)
		for (unsigned int w = 0; w < TN_FAST_WAYS; w++) {
			const volatile struct tn_fast_entry *e = &s[b].b.e[w];

			n += e->family && !(e->seq & 1);
		}
	munmap((void *)s, len);
	return n;
}

json_object *fast_json(struct tenetd *d, const struct tn_tenant_rec *t)
{
	json_object *o = json_object_new_object();
	int sfd = tn_dp_map_open(d->bpffs, TN_MAP_PORT_STATS);
	int fd = table_open(d, t->id);
	uint64_t fast = 0, slow = 0;
	long n = fd >= 0 ? table_entries(fd) : 0;

	for (__u32 role = 0; sfd >= 0 && role < 2; role++) {
		struct tn_stats s;

		if (!tn_dp_stats_read(sfd, tn_port(t->id, role), &s)) {
			fast += s.fast_packets;
			slow += s.tx_packets;
		}
	}
	if (sfd >= 0)
		close(sfd);
	if (fd >= 0)
		close(fd);
	json_object_object_add(o, "active",
			       json_object_new_boolean(fast_wanted(t)));
	json_object_object_add(o, "shaped",
			       json_object_new_boolean(t->fastpath &&
						       !fast_wanted(t)));
	json_object_object_add(o, "table", json_object_new_boolean(fd >= 0));
	json_object_object_add(o, "entries",
			       json_object_new_int64(n > 0 ? n : 0));
	json_object_object_add(o, "capacity",
			       json_object_new_int(TN_FAST_ENTRIES));
	json_object_object_add(o, "fast_packets", json_object_new_uint64(fast));
	json_object_object_add(o, "delivered_packets",
			       json_object_new_uint64(slow));
	json_object_object_add(
		o, "hit_ratio",
		json_object_new_double(
			fast + slow ? (double)fast / (double)(fast + slow) :
				      0.0));
	return o;
}
