// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <tenet/version.h>

#include "dp.h"
#include "fs.h"
#include "log.h"
#include "nic_ingress.skel.h"
#include "tenant_egress.skel.h"
#include "tenant_rx.skel.h"

const char *tn_xdp_mode_name(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "offload";
	default:
		return "none";
	}
}

static int on_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return st.f_type == BPF_FS_MAGIC;
}

int tn_dp_bpffs_prepare(const char *dir)
{
	char buf[PATH_MAX];
	int err, r;

	r = on_bpffs(dir);
	if (r == 1)
		return 0;
	/* Mount bpffs on the directory's first component that is not on one:
	 * /sys/fs/bpf for the default, the directory itself otherwise. */
	if (!strncmp(dir, "/sys/fs/bpf/", 12) || !strcmp(dir, "/sys/fs/bpf"))
		snprintf(buf, sizeof(buf), "/sys/fs/bpf");
	else
		snprintf(buf, sizeof(buf), "%s", dir);
	err = tn_mkdir_p(buf, 0700);
	if (err)
		return err;
	if (on_bpffs(buf) != 1) {
		if (mount("bpf", buf, "bpf", 0, "mode=0700")) {
			err = -errno;
			tn_err("mount bpffs on %s: %s\n", buf, strerror(errno));
			return err;
		}
		tn_info("mounted bpffs on %s\n", buf);
	}
	return tn_mkdir_p(dir, 0700);
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to a DEVMAP it creates, and libbpf 1.1
 * then refuses to reuse the pinned map because the flags differ from the
 * object's. Take the flags of what is pinned so reuse matches.
 */
static void match_pinned_flags(struct bpf_object *obj, const char *pin_dir)
{
	struct bpf_map_info info;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		__u32 len = sizeof(info);
		int fd = tn_dp_map_open(pin_dir, bpf_map__name(map));

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == bpf_map__type(map))
			bpf_map__set_map_flags(map, info.map_flags);
		close(fd);
	}
}

/* Maps whose entries are plain data, which userspace can copy. */
static bool copyable(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

static bool percpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Every entry of old into new, each value zero-extended from osz to nsz
 * bytes (per CPU: each CPU's, 8-byte aligned, as the syscall lays them). */
static int copy_entries(int old, int new, const struct bpf_map_info *info,
			__u32 nsz, bool pcpu, unsigned int *copied)
{
	int ncpu = pcpu ? libbpf_num_possible_cpus() : 1, err = 0;
	size_t ostep = pcpu ? (info->value_size + 7) / 8 * 8 : info->value_size;
	size_t nstep = pcpu ? (nsz + 7) / 8 * 8 : nsz;
	void *key = calloc(1, info->key_size),
	     *next = calloc(1, info->key_size);
	uint8_t *ov = calloc(ncpu, ostep), *nv = calloc(ncpu, nstep);
	void *prev = NULL;

	if (ncpu < 0)
		err = ncpu;
	else if (!key || !next || !ov || !nv)
		err = -ENOMEM;
	while (!err && !bpf_map_get_next_key(old, prev, next)) {
		memcpy(key, next, info->key_size);
		prev = key;
		if (bpf_map_lookup_elem(old, key, ov)) {
			if (errno == ENOENT) /* gone meanwhile */
				continue;
			err = -errno;
			break;
		}
		memset(nv, 0, (size_t)ncpu * nstep);
		for (int c = 0; c < ncpu; c++)
			memcpy(nv + c * nstep, ov + c * ostep,
			       info->value_size);
		if (bpf_map_update_elem(new, key, nv, 0))
			err = -errno;
		else
			++*copied;
	}
	free(key);
	free(next);
	free(ov);
	free(nv);
	return err;
}

/* Whether map's pin in pin_dir (if any) has the object's definition. */
static bool pin_matches(struct bpf_map *map, const char *pin_dir)
{
	int fd = tn_dp_map_open(pin_dir, bpf_map__name(map));
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	bool same;

	if (fd < 0)
		return true;
	memset(&info, 0, sizeof(info));
	same = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.type == bpf_map__type(map) &&
	       info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map);
	close(fd);
	return same;
}

/*
 * A pinned map whose definition is not the object's (an older layout's):
 * its entries copied into a map of the object's definition, pinned in its
 * place (rename(2) on bpffs: readers see the old map or the new one). A
 * value that grew is zero-extended: fields are only ever appended. What
 * cannot be carried over (another type or key size, a value or an array
 * that shrank, maps of maps, sockets, devices) is refused with a sentence.
 * Programs still attached use the old map until they are replaced.
 */
static int migrate_map(struct bpf_map *map, const char *pin_dir, int btf_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, copts);
	const char *name = bpf_map__name(map);
	enum bpf_map_type type = bpf_map__type(map);
	__u32 nsz = bpf_map__value_size(map), len;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct bpf_map_info info;
	int old, new = -1, err = 0;
	unsigned int copied = 0;

	if (pin_matches(map, pin_dir))
		return 0;
	old = tn_dp_map_open(pin_dir, name);
	if (old < 0)
		return old;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(old, &info, &len)) {
		err = -errno;
		goto out;
	}
	if (info.type != type || !copyable(type) ||
	    info.key_size != bpf_map__key_size(map) || info.value_size > nsz ||
	    ((type == BPF_MAP_TYPE_ARRAY ||
	      type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	     info.max_entries > bpf_map__max_entries(map))) {
		tn_err("%s/%s: pinned as type %u, key %u, value %u, %u entries;"
		       " this tenet's is type %u, key %u, value %u, %u entries:"
		       " it cannot be carried over (remove the tenants and the"
		       " pins, or run the tenet that made them)\n",
		       pin_dir, name, info.type, info.key_size, info.value_size,
		       info.max_entries, type, bpf_map__key_size(map), nsz,
		       bpf_map__max_entries(map));
		err = -EPROTO;
		goto out;
	}
	/* With the object's BTF, as libbpf would make it: a value with a
	 * spin lock is known as one only through it. */
	copts.map_flags = bpf_map__map_flags(map);
	if (btf_fd >= 0 && bpf_map__btf_value_type_id(map)) {
		copts.btf_fd = btf_fd;
		copts.btf_key_type_id = bpf_map__btf_key_type_id(map);
		copts.btf_value_type_id = bpf_map__btf_value_type_id(map);
	}
	new = bpf_map_create(type, name, info.key_size, nsz,
			     bpf_map__max_entries(map), &copts);
	if (new < 0) {
		err = -errno;
		goto out;
	}
	err = copy_entries(old, new, &info, nsz, percpu(type), &copied);
	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	snprintf(tmp, sizeof(tmp), "%s__new", path); /* bpffs refuses dots */
	unlink(tmp);
	if (!err && bpf_obj_pin(new, tmp))
		err = -errno;
	if (!err && rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
	}
	if (err)
		tn_err("%s: migrating to the new layout: %s\n", path,
		       strerror(-err));
	else
		tn_info("%s: migrated, %u entries copied (value %u -> %u bytes,"
			" room for %u -> %u)\n",
			path, copied, info.value_size, nsz, info.max_entries,
			bpf_map__max_entries(map));
out:
	if (new >= 0)
		close(new);
	close(old);
	return err;
}

static int migrate_pins(struct bpf_object *obj, const char *pin_dir)
{
	struct btf *btf = NULL;
	struct bpf_map *map;
	const void *raw;
	__u32 size;
	int err = 0;

	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__pin_path(map))
			continue;
		/* The object's BTF in the kernel, for new maps: a copy, the
		 * object loads its own. Only when something is migrated. */
		if (!btf && bpf_object__btf(obj) &&
		    !pin_matches(map, pin_dir) &&
		    (raw = btf__raw_data(bpf_object__btf(obj), &size)) &&
		    (btf = btf__new(raw, size)) && btf__load_into_kernel(btf))
			tn_warn("loading BTF for the migration: %s\n",
				strerror(errno));
		err = migrate_map(map, pin_dir, btf ? btf__fd(btf) : -1);
		if (err)
			break;
	}
	btf__free(btf);
	return err;
}

/* The layout of what is pinned in pin_dir: TN_MAP_LAYOUT's, 1 if there
 * are maps of ours but no record (an install older than the record), 0 if
 * there is nothing. */
static int layout_read(const char *pin_dir, uint64_t *v)
{
	__u32 key = 0;
	int fd = tn_dp_map_open(pin_dir, TN_MAP_LAYOUT), err = 0;

	*v = 0;
	if (fd == -ENOENT) {
		fd = tn_dp_map_open(pin_dir, TN_MAP_NICS);
		if (fd >= 0)
			*v = 1;
		else if (fd != -ENOENT)
			return fd;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	close(fd);
	return err;
}

/* The pinned one-entry u64 array name under pin_dir (tenetd's own
 * records), made if missing: its fd or -errno. */
static int u64_pin(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, name, sizeof(__u32),
			    sizeof(uint64_t), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int layout_write(const char *pin_dir)
{
	uint64_t v = TN_DP_LAYOUT_VERSION;
	int fd = u64_pin(pin_dir, TN_MAP_LAYOUT), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &(__u32){ 0 }, &v, 0))
		err = -errno;
	close(fd);
	return err;
}

int tn_dp_layout(const char *pin_dir, uint64_t *layout)
{
	int err = layout_read(pin_dir, layout);

	if (err)
		return err;
	if (*layout > TN_DP_LAYOUT_VERSION) {
		tn_err("%s holds the maps of a newer tenet (layout v%llu; this"
		       " tenetd knows up to v%d): downgrading is not supported."
		       " Run the tenetd that made them, or remove the tenants"
		       " and the pins\n",
		       pin_dir, (unsigned long long)*layout,
		       TN_DP_LAYOUT_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/* nic_ingress's tag (the hash of its instructions, map references left
 * out) as this tenet builds it: tn_dp_prepare() learns it. */
static uint8_t nic_tag[BPF_TAG_SIZE];

static int prog_tag(int fd, uint8_t tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

/* Whether the map id is pinned (top level) in pin_dir. */
static bool pinned_here(const char *pin_dir, __u32 id)
{
	DIR *dir = opendir(pin_dir);
	struct dirent *e;
	bool found = false;

	while (dir && !found && (e = readdir(dir))) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);
		int fd;

		if (e->d_type != DT_REG ||
		    (fd = tn_dp_map_open(pin_dir, e->d_name)) < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		found = !bpf_obj_get_info_by_fd(fd, &mi, &len) && mi.id == id;
		close(fd);
	}
	if (dir)
		closedir(dir);
	return found;
}

/*
 * Whether the program fd runs this tenet's instructions on the maps pinned
 * in pin_dir: the same tag, and each of its maps (but libbpf's internal
 * ones: .rodata, .bss) pinned there -- a program of an older layout still
 * holds the maps a migration replaced.
 */
static bool prog_current(int fd, const uint8_t tag[BPF_TAG_SIZE],
			 const char *pin_dir)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info), ids[64];
	bool ok = true;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    memcmp(info.tag, tag, BPF_TAG_SIZE) || info.nr_map_ids > 64)
		return false;
	for (__u32 i = 0; ok && i < info.nr_map_ids; i++) {
		struct bpf_map_info mi;
		int mfd = bpf_map_get_fd_by_id(ids[i]);

		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		ok = mfd >= 0 && !bpf_obj_get_info_by_fd(mfd, &mi, &len) &&
		     (strchr(mi.name, '.') || pinned_here(pin_dir, mi.id));
		if (mfd >= 0)
			close(mfd);
	}
	return ok;
}

int tn_dp_prepare(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct tenant_egress *eg = NULL;
	struct nic_ingress *ni = NULL;
	uint64_t layout;
	int err;

	err = tn_dp_bpffs_prepare(pin_dir);
	if (!err)
		err = tn_dp_layout(pin_dir, &layout);
	if (err)
		return err;
	ni = nic_ingress__open_opts(&opts);
	eg = tenant_egress__open_opts(&opts);
	if (!ni || !eg) {
		err = -errno;
		goto out;
	}
	if (layout && layout < TN_DP_LAYOUT_VERSION)
		tn_info("%s: maps of layout v%llu, this tenetd's is v%d:"
			" migrating\n",
			pin_dir, (unsigned long long)layout,
			TN_DP_LAYOUT_VERSION);
	match_pinned_flags(ni->obj, pin_dir);
	err = migrate_pins(ni->obj, pin_dir);
	if (!err)
		err = nic_ingress__load(ni);
	if (!err) {
		match_pinned_flags(eg->obj, pin_dir);
		err = migrate_pins(eg->obj, pin_dir);
	}
	if (!err)
		err = tenant_egress__load(eg);
	if (err)
		tn_err("load the data path with maps in %s: %s\n", pin_dir,
		       strerror(-err));
	else
		err = layout_write(pin_dir);
	if (!err)
		err = prog_tag(bpf_program__fd(ni->progs.nic_ingress), nic_tag);
out:
	nic_ingress__destroy(ni);
	tenant_egress__destroy(eg);
	return err;
}

int tn_dp_owner(const char *pin_dir, uint64_t *instance)
{
	int fd = u64_pin(pin_dir, TN_MAP_OWNER), err = 0;
	__u32 key = 0;
	uint64_t v = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &v))
		err = -errno;
	else if (v)
		*instance = v;
	else if (bpf_map_update_elem(fd, &key, instance, 0))
		err = -errno; /* 0: no owner yet; ours now */
	close(fd);
	return err;
}

/* libxdp falls back to attaching a program alone when its dispatcher cannot
 * load (this project's kernel refuses the freplace it needs with EPERM);
 * that must not go unsaid, since other XDP programs then cannot share the
 * NIC. */
static void warn_if_alone(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	if (!libxdp_get_error(mp) && mp && xdp_multiprog__is_legacy(mp))
		tn_warn("ifindex %d: libxdp dispatcher unavailable, nic_ingress "
			"attached alone (no other XDP program can share this NIC)\n",
			ifindex);
	if (!libxdp_get_error(mp))
		xdp_multiprog__close(mp);
}

static __u32 mode_flags(enum xdp_attach_mode mode);

/*
 * nic_ingress alone on a NIC that has no XDP program, for when libxdp's
 * dispatcher is refused in a way libxdp does not fall back from: kernels
 * from 6.13 on refuse libxdp 1.3's dispatcher (Debian 12's) an extension
 * that changes packet data where its slot does not ("Extension program
 * changes packet data, while original does not", EINVAL). Said, as
 * warn_if_alone() says libxdp's own fallback.
 */
static int attach_alone(const char *pin_dir, int ifindex,
			enum xdp_attach_mode mode, enum xdp_attach_mode *in_use)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct nic_ingress *skel = nic_ingress__open_opts(&opts);
	int err = skel ? 0 : -errno;

	if (!err) {
		match_pinned_flags(skel->obj, pin_dir);
		err = nic_ingress__load(skel);
	}
	if (!err &&
	    bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.nic_ingress),
			   mode_flags(mode) | XDP_FLAGS_UPDATE_IF_NOEXIST,
			   NULL))
		err = -errno;
	nic_ingress__destroy(skel);
	if (err)
		return err;
	tn_warn("ifindex %d: libxdp's dispatcher refused nic_ingress (EINVAL:"
		" this kernel refuses this libxdp's dispatcher a program that"
		" changes packet data); attached alone (no other XDP program"
		" can share this NIC)\n",
		ifindex);
	if (in_use)
		*in_use = mode;
	return 0;
}

/* Whether some XDP program is attached to ifindex, in any mode. */
static bool nic_has_xdp(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	return bpf_xdp_query(ifindex, 0, &q) || q.prog_id || q.drv_prog_id ||
	       q.skb_prog_id || q.hw_prog_id;
}

int tn_dp_nic_attach(const char *pin_dir, int ifindex,
		     enum xdp_attach_mode mode, enum xdp_attach_mode *in_use)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct xdp_program *prog = NULL;
	struct nic_ingress *skel;
	int err;

	skel = nic_ingress__open_opts(&opts);
	if (!skel)
		return -errno;
	match_pinned_flags(skel->obj, pin_dir);
	prog = xdp_program__from_bpf_obj(skel->obj, "xdp");
	err = libxdp_get_error(prog);
	if (err) {
		prog = NULL;
		tn_err("nic_ingress: %s\n", strerror(-err));
		goto out;
	}
	/* Behind the operator's own programs in the dispatcher (libxdp's
	 * default priority is 50): a filter put on the NIC sees every frame
	 * before tenet hands them to tenants. */
	err = xdp_program__set_run_prio(prog, TN_XDP_RUN_PRIO);
	if (err)
		goto out;
	/* libxdp tries its dispatcher first and, on a kernel that refuses
	 * it, warns of permissions and memlock before falling back: we say
	 * what came of it (warn_if_alone), in words that fit. */
	tn_log_libs_quiet(1);
	err = xdp_program__attach(prog, ifindex, mode, 0);
	tn_log_libs_quiet(0);
	/* (In a skeleton of its own: libxdp has loaded this one's as a
	 * dispatcher's extension.) */
	if (err == -EINVAL && mode != XDP_MODE_UNSPEC &&
	    !nic_has_xdp(ifindex) &&
	    !attach_alone(pin_dir, ifindex, mode, in_use)) {
		err = 0;
		goto out;
	}
	if (err) {
		tn_err("attach nic_ingress to ifindex %d (%s): %s\n", ifindex,
		       tn_xdp_mode_name(mode), strerror(-err));
		goto out;
	}
	if (in_use)
		*in_use = xdp_program__is_attached(prog, ifindex);
	warn_if_alone(ifindex);
out:
	xdp_program__close(prog);
	nic_ingress__destroy(skel);
	return err;
}

struct xdp_program *tn_dp_find_prog(struct xdp_multiprog *mp, const char *name)
{
	struct xdp_program *p = NULL;

	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		return p && !strcmp(xdp_program__name(p), name) ? p : NULL;
	}
	while ((p = xdp_multiprog__next_prog(p, mp)))
		if (!strcmp(xdp_program__name(p), name))
			break;
	return p;
}

static __u32 mode_flags(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	default:
		return 0;
	}
}

bool tn_dp_nic_current(const char *pin_dir, int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	bool ok;

	if (libxdp_get_error(mp) || !mp)
		return false;
	p = tn_dp_find_prog(mp, "nic_ingress");
	ok = p && prog_current(xdp_program__fd(p), nic_tag, pin_dir);
	xdp_multiprog__close(mp);
	return ok;
}

int tn_dp_nic_replace(const char *pin_dir, int ifindex)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct nic_ingress *skel = NULL;
	enum xdp_attach_mode mode;
	struct xdp_program *old;
	int err = libxdp_get_error(mp);

	if (err || !mp)
		return err ? err : -ENOENT;
	old = tn_dp_find_prog(mp, "nic_ingress");
	mode = xdp_multiprog__attach_mode(mp);
	if (!old) {
		err = -ENOENT;
	} else if (!xdp_multiprog__is_legacy(mp)) {
		/* In libxdp's dispatcher: the new one joins, then the old
		 * one leaves, each an atomic swap of the dispatcher. In
		 * between both run; whichever comes first takes a tenant's
		 * frame, as the other would. */
		err = tn_dp_nic_attach(pin_dir, ifindex, mode, NULL);
		if (!err)
			err = xdp_program__detach(old, ifindex, mode, 0);
	} else {
		/* Alone on the NIC: one atomic swap, refused if someone
		 * else swapped it meanwhile. */
		skel = nic_ingress__open_opts(&opts);
		err = skel ? 0 : -errno;
		if (!err) {
			match_pinned_flags(skel->obj, pin_dir);
			err = nic_ingress__load(skel);
		}
		aopts.old_prog_fd = xdp_program__fd(old);
		if (!err &&
		    bpf_xdp_attach(
			    ifindex, bpf_program__fd(skel->progs.nic_ingress),
			    mode_flags(mode) | XDP_FLAGS_REPLACE, &aopts))
			err = -errno;
	}
	if (err)
		tn_err("replace nic_ingress on ifindex %d: %s\n", ifindex,
		       strerror(-err));
	nic_ingress__destroy(skel);
	xdp_multiprog__close(mp);
	return err;
}

int tn_dp_nic_detach(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;
	int err = libxdp_get_error(mp);

	if (err)
		return err;
	if (!mp)
		return -ENOENT;
	p = tn_dp_find_prog(mp, "nic_ingress");
	err = p ? xdp_program__detach(p, ifindex,
				      xdp_multiprog__attach_mode(mp), 0) :
		  -ENOENT;
	xdp_multiprog__close(mp);
	return err;
}

int tn_dp_nic_query(int ifindex, enum xdp_attach_mode *mode, bool *multiprog)
{
	struct xdp_multiprog *mp;
	int err = -ENOENT;

	*mode = XDP_MODE_UNSPEC;
	*multiprog = false;
	if (ifindex <= 0)
		return -ENOENT;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(mp) || !mp)
		return -ENOENT;
	if (tn_dp_find_prog(mp, "nic_ingress")) {
		*mode = xdp_multiprog__attach_mode(mp);
		*multiprog = !xdp_multiprog__is_legacy(mp);
		err = 0;
	}
	xdp_multiprog__close(mp);
	return err;
}

static int plain_attach(struct bpf_program *prog, int ifindex,
			enum xdp_attach_mode mode)
{
	int err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
				 mode_flags(mode), NULL);

	if (err)
		tn_err("attach %s to ifindex %d (%s): %s\n",
		       bpf_program__name(prog), ifindex, tn_xdp_mode_name(mode),
		       strerror(-err));
	return err;
}

int tn_dp_egress_attach(const char *pin_dir, int ifindex,
			enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct tenant_egress *skel;
	int err;

	skel = tenant_egress__open_opts(&opts);
	if (!skel)
		return -errno;
	match_pinned_flags(skel->obj, pin_dir);
	err = tenant_egress__load(skel);
	if (!err)
		err = plain_attach(skel->progs.tenant_egress, ifindex, mode);
	tenant_egress__destroy(skel);
	return err;
}

int tn_dp_rx_attach(const char *pin_dir, int ifindex, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct tenant_rx *skel;
	int err;

	err = tn_mkdir_p(pin_dir, 0700);
	if (err)
		return err;
	skel = tenant_rx__open_opts(&opts);
	if (!skel)
		return -errno;
	match_pinned_flags(skel->obj, pin_dir);
	err = migrate_pins(skel->obj, pin_dir);
	if (!err)
		err = tenant_rx__load(skel);
	if (!err)
		err = plain_attach(skel->progs.tenant_rx, ifindex, mode);
	tenant_rx__destroy(skel);
	return err;
}

int tn_dp_plain_detach(int ifindex)
{
	return bpf_xdp_detach(ifindex, 0, NULL);
}

int tn_dp_map_open(const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", pin_dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	return fd;
}

int tn_dp_prefix_set(int lpm_fd, int gen_fd, uint32_t ifindex, int family,
		     const uint8_t *addr, unsigned int len, uint32_t tid)
{
	struct tn_lpm6_key k6 = { .ifindex = ifindex };
	struct tn_lpm4_key k4 = { .ifindex = ifindex };
	void *key;
	int err;

	if (family == AF_INET && len <= 32) {
		k4.prefixlen = TN_LPM_IFINDEX_BITS + len;
		memcpy(k4.addr, addr, 4);
		key = &k4;
	} else if (family == AF_INET6 && len <= 128) {
		k6.prefixlen = TN_LPM_IFINDEX_BITS + len;
		memcpy(k6.addr, addr, 16);
		key = &k6;
	} else {
		return -EINVAL;
	}
	err = tid ? bpf_map_update_elem(lpm_fd, key, &tid, 0) :
		    bpf_map_delete_elem(lpm_fd, key);
	if (err)
		return -errno;
	/* After the change, never before: nic_ingress reads the generation
	 * before its trie lookup, so an answer it caches from the old trie
	 * carries the old generation and is ignored from now on. */
	return tn_dp_lpm_gen_bump(gen_fd);
}

int tn_dp_stats_zero(int map_fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct tn_stats *v;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(map_fd, &key, v, 0))
		err = -errno;
	free(v);
	return err;
}

int tn_dp_policer_write(int map_fd, uint32_t port, const struct tn_policer *pol)
{
	return bpf_map_update_elem(map_fd, &port, pol, BPF_F_LOCK) ? -errno : 0;
}

int tn_dp_lpm_gen_bump(int gen_fd)
{
	__u32 zero = 0, gen;

	if (bpf_map_lookup_elem(gen_fd, &zero, &gen))
		return -errno;
	gen++;
	if (bpf_map_update_elem(gen_fd, &zero, &gen, 0))
		return -errno;
	return 0;
}

int tn_dp_stats_read(int map_fd, uint32_t key, struct tn_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tn_stats *v;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(map_fd, &key, v)) {
		err = -errno;
		goto out;
	}
	for (int c = 0; c < ncpu; c++) {
		__u64 *dst = (__u64 *)out;
		const __u64 *src = (const __u64 *)&v[c];

		for (size_t i = 0; i < sizeof(*out) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
out:
	free(v);
	return err;
}

void tn_policer_config(struct tn_policer *pol, uint64_t bps, uint64_t pps,
		       uint64_t burst_bytes, uint64_t burst_pkts)
{
	const uint64_t one = 1ULL << TN_POLICER_SHIFT;

	memset(pol, 0, sizeof(*pol));
	pol->pkt_cost = pps ? 1000000000ULL * one / pps : 0;
	pol->byte_cost = bps ? 8000000000ULL * one / bps : 0;
	if (!burst_bytes)
		burst_bytes = TN_BURST_MIN;
	if (!burst_pkts)
		burst_pkts = TN_BURST_MIN_PKTS;
	/* Credit is time: a bucket of N bytes holds N bytes' worth. */
	pol->pkt_burst = burst_pkts * pol->pkt_cost;
	pol->byte_burst = burst_bytes * pol->byte_cost;
	pol->pkt_credit = pol->pkt_burst;
	pol->byte_credit = pol->byte_burst;
}
