// SPDX-License-Identifier: GPL-2.0
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
#include <bpf/libbpf.h>

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

int tn_dp_prepare(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct tenant_egress *eg = NULL;
	struct nic_ingress *ni = NULL;
	int err;

	err = tn_dp_bpffs_prepare(pin_dir);
	if (err)
		return err;
	ni = nic_ingress__open_opts(&opts);
	eg = tenant_egress__open_opts(&opts);
	if (!ni || !eg) {
		err = -errno;
		goto out;
	}
	match_pinned_flags(ni->obj, pin_dir);
	err = nic_ingress__load(ni);
	if (!err) {
		match_pinned_flags(eg->obj, pin_dir);
		err = tenant_egress__load(eg);
	}
	if (err)
		tn_err("load the data path with maps in %s: %s\n", pin_dir,
		       strerror(-err));
out:
	nic_ingress__destroy(ni);
	tenant_egress__destroy(eg);
	return err;
}

int tn_dp_owner(const char *pin_dir, uint64_t *instance)
{
	char path[4096];
	__u32 key = 0;
	uint64_t v = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, TN_MAP_OWNER);
	fd = bpf_obj_get(path);
	if (fd < 0 && errno != ENOENT)
		return -errno;
	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, TN_MAP_OWNER,
				    sizeof(key), sizeof(v), 1, NULL);
		if (fd < 0)
			return -errno;
		if (bpf_obj_pin(fd, path))
			err = -errno;
	}
	if (!err && bpf_map_lookup_elem(fd, &key, &v))
		err = -errno;
	else if (!err && v)
		*instance = v;
	else if (!err && bpf_map_update_elem(fd, &key, instance, 0))
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
