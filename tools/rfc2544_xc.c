// SPDX-License-Identifier: GPL-2.0
/*
 * tn-rfc2544 xconnect: the benchmark's ceiling, an XDP cross-connect from
 * one NIC to another with the MACs rewritten and no router in between
 * (rfc_xc in tools/rfc2544.bpf.c; tools/README.rfc2544.md).
 *
 *   tn-rfc2544 xconnect --in DEV --out DEV --dst-mac MAC|keep [--ns NS]
 *                       [--vlan-lo V --vlan-hi V]
 *   tn-rfc2544 xconnect --in DEV --detach [--ns NS]
 *
 * rfc_xc goes on --in through libxdp's dispatcher, native mode, run
 * priority 10 and chain call on XDP_PASS: in front of what is there already
 * (tenet's nic_ingress, libxdp's default priority 50), which still gets
 * every frame rfc_xc passes (untagged, other VIDs). The attachment outlives
 * the process: libxdp pins it under LIBXDP_BPFFS, which the caller sets as
 * tenetd's. --detach takes rfc_xc out again, found by name, and nothing
 * else; it prints rfc_xc's counters first, read through the attached
 * program's maps.
 *
 * Where libxdp's dispatcher cannot load (this project's VM refuses the
 * freplace it needs), libxdp attaches rfc_xc alone to a device that has
 * nothing; the tool says so ("dispatcher": false). It never replaces a
 * program attached alone, and refuses a device that carries rfc_xc
 * already (--detach first); --detach without rfc_xc is an error.
 *
 * Output: one JSON line, {"type": "xconnect", ...}. Exit status 0, 1 for a
 * device or attachment that will not do, 2 for usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <xdp/libxdp.h>

#include "log.h"
#include "dp.h"
#include "parse.h"
#include "rfc2544.h"
#include "rfc2544.skel.h"
#include "rfc2544_xc.h"

#define XC_NAME "rfc_xc"

struct xc_opts {
	const char *in, *out, *ns;
	uint8_t dst_mac[6];
	bool keep_dst; /* --dst-mac keep: the frame's own destination stays */
	uint32_t vlan_lo, vlan_hi;
	bool dst_set, detach;
};

static void xc_usage(FILE *f)
{
	fprintf(f,
		"usage: tn-rfc2544 xconnect --in DEV --out DEV --dst-mac MAC|keep "
		"[--ns NS] [--vlan-lo V --vlan-hi V]\n"
		"       tn-rfc2544 xconnect --in DEV --detach [--ns NS]\n"
		"  802.1Q frames on --in with a VID in [vlan-lo, vlan-hi] "
		"(1, 4094) out of --out,\n"
		"  to --dst-mac (keep: the frame's own) from --out's MAC; the "
		"rest passed on. "
		"(tools/README.rfc2544.md)\n");
}

static int xc_bad(const char *opt, const char *range)
{
	fprintf(stderr, "tn-rfc2544: xconnect: --%s takes %s\n", opt, range);
	return -EINVAL;
}

enum {
	X_IN = 256,
	X_OUT,
	X_DMAC,
	X_NS,
	X_VLO,
	X_VHI,
	X_DETACH,
};

static const struct option xc_lopts[] = {
	{ "in", 1, 0, X_IN },
	{ "out", 1, 0, X_OUT },
	{ "dst-mac", 1, 0, X_DMAC },
	{ "ns", 1, 0, X_NS },
	{ "vlan-lo", 1, 0, X_VLO },
	{ "vlan-hi", 1, 0, X_VHI },
	{ "detach", 0, 0, X_DETACH },
	{ "help", 0, 0, 'h' },
	{ 0, 0, 0, 0 },
};

static int xc_parse(struct xc_opts *o, int argc, char **argv)
{
	int c;

	*o = (struct xc_opts){ .vlan_lo = 1, .vlan_hi = 4094 };
	while ((c = getopt_long(argc, argv, "h", xc_lopts, NULL)) != -1) {
		switch (c) {
		case X_IN:
			o->in = optarg;
			break;
		case X_OUT:
			o->out = optarg;
			break;
		case X_NS:
			o->ns = optarg;
			break;
		case X_DMAC:
			if (!strcmp(optarg, "keep"))
				o->keep_dst = true;
			else if (tn_parse_mac(optarg, o->dst_mac))
				return xc_bad("dst-mac",
					      "a MAC address or keep");
			o->dst_set = true;
			break;
		case X_VLO:
		case X_VHI:
			if (tn_parse_u32(optarg, 1, 4094,
					 c == X_VLO ? &o->vlan_lo :
						      &o->vlan_hi))
				return xc_bad(c == X_VLO ? "vlan-lo" :
							   "vlan-hi",
					      "a VLAN id 1..4094");
			break;
		case X_DETACH:
			o->detach = true;
			break;
		case 'h':
			xc_usage(stdout);
			exit(0);
		default:
			xc_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tn-rfc2544: xconnect: unexpected %s\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!o->in) {
		fprintf(stderr, "tn-rfc2544: xconnect: --in DEV is required\n");
		return -EINVAL;
	}
	if (o->detach && (o->out || o->dst_set)) {
		fprintf(stderr, "tn-rfc2544: xconnect: --detach takes --in "
				"(and --ns) only\n");
		return -EINVAL;
	}
	if (!o->detach && (!o->out || !o->dst_set)) {
		fprintf(stderr, "tn-rfc2544: xconnect: --out DEV and --dst-mac "
				"MAC are required (or --detach)\n");
		return -EINVAL;
	}
	if (o->vlan_lo > o->vlan_hi)
		return xc_bad("vlan-lo", "a VLAN id no greater than --vlan-hi");
	return 0;
}

/* The device's Ethernet address, in the current netns. */
static int mac_of(const char *dev, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = -EAFNOSUPPORT;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

static void mac_str(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* The programs on ifindex: NULL if none (or libxdp cannot say). */
static struct xdp_multiprog *progs_on(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

	return libxdp_get_error(mp) ? NULL : mp;
}

/* Sums rfc_xc's per-CPU counters, found among the attached program's maps
 * (its own object is long gone: another process loaded it). */
static int xc_counters(int prog_fd, struct rfc_xc_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), err = -ENOENT;
	struct bpf_prog_info info;
	__u32 len = sizeof(info), ids[64], n;

	if (ncpu <= 0)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.nr_map_ids < 64 ? info.nr_map_ids : 64;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = n;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	for (__u32 i = 0; i < n && err == -ENOENT; i++) {
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi), zero = 0;
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) &&
		    !strcmp(mi.name, "xc_stats") &&
		    mi.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		    mi.value_size == sizeof(*sum)) {
			struct rfc_xc_stats v[ncpu];

			memset(sum, 0, sizeof(*sum));
			if (bpf_map_lookup_elem(fd, &zero, v)) {
				err = -errno;
			} else {
				for (int c = 0; c < ncpu; c++) {
					sum->redirected += v[c].redirected;
					sum->passed += v[c].passed;
				}
				err = 0;
			}
		}
		close(fd);
	}
	return err;
}

static void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(
			       o, JSON_C_TO_STRING_SPACED |
					  JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(o);
}

static int xc_attach(const struct xc_opts *o, int in, int out)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .prog_name = XC_NAME);
	struct xdp_program *prog = NULL;
	struct xdp_multiprog *mp;
	struct rfc2544 *skel;
	char dst[18], src[18];
	uint8_t src_mac[6];
	bool alone;
	json_object *j;
	int err;

	err = mac_of(o->out, src_mac);
	if (err) {
		fprintf(stderr,
			"tn-rfc2544: xconnect: no Ethernet address on "
			"%s: %s\n",
			o->out, strerror(-err));
		return err;
	}
	mp = progs_on(in);
	if (mp && tn_dp_find_prog(mp, XC_NAME)) {
		fprintf(stderr,
			"tn-rfc2544: xconnect: %s carries %s already "
			"(--detach it first)\n",
			o->in, XC_NAME);
		err = -EEXIST;
	} else if (mp && xdp_multiprog__is_legacy(mp) &&
		   xdp_multiprog__main_prog(mp)) {
		fprintf(stderr,
			"tn-rfc2544: xconnect: %s carries %s attached alone, "
			"not through libxdp's dispatcher: %s cannot go in "
			"front of it, and will not replace it\n",
			o->in, xdp_program__name(xdp_multiprog__main_prog(mp)),
			XC_NAME);
		err = -EBUSY;
	}
	xdp_multiprog__close(mp);
	if (err)
		return err;

	/* The tool's object a second way: only rfc_xc loads, by libxdp
	 * (as an extension of its dispatcher, or alone). */
	skel = rfc2544__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "tn-rfc2544: xconnect: open: %s\n",
			strerror(-err));
		return err;
	}
	skel->rodata->xc_ifindex = (uint32_t)out;
	memcpy((void *)skel->rodata->xc_dst, o->dst_mac, 6);
	skel->rodata->xc_keep_dst = o->keep_dst;
	memcpy((void *)skel->rodata->xc_src, src_mac, 6);
	skel->rodata->xc_vlan_lo = (uint16_t)o->vlan_lo;
	skel->rodata->xc_vlan_hi = (uint16_t)o->vlan_hi;
	bpf_program__set_autoload(skel->progs.rfc_gen, false);
	bpf_program__set_autoload(skel->progs.rfc_sink, false);
	po.obj = skel->obj;
	prog = xdp_program__create(&po);
	err = libxdp_get_error(prog);
	if (err) {
		prog = NULL;
		fprintf(stderr, "tn-rfc2544: xconnect: %s: %s\n", XC_NAME,
			strerror(-err));
		goto out;
	}
	err = xdp_program__set_run_prio(prog, RFC_XC_PRIO);
	if (!err)
		err = xdp_program__set_chain_call_enabled(prog, XDP_PASS, true);
	if (err) {
		fprintf(stderr, "tn-rfc2544: xconnect: %s's run config: %s\n",
			XC_NAME, strerror(-err));
		goto out;
	}
	/* libxdp probes for its dispatcher and warns of permissions when
	 * the kernel refuses it: we say what came of it instead. */
	tn_log_libs_quiet(1);
	err = xdp_program__attach(prog, in, XDP_MODE_NATIVE, 0);
	tn_log_libs_quiet(0);
	if (err) {
		fprintf(stderr,
			"tn-rfc2544: xconnect: attaching %s to %s (native): "
			"%s\n",
			XC_NAME, o->in, strerror(-err));
		goto out;
	}
	mp = progs_on(in);
	alone = !mp || xdp_multiprog__is_legacy(mp);
	xdp_multiprog__close(mp);
	if (alone)
		fprintf(stderr,
			"tn-rfc2544: xconnect: libxdp's dispatcher is "
			"unavailable here: %s attached to %s alone (no other "
			"XDP program can share it meanwhile)\n",
			XC_NAME, o->in);
	mac_str(o->dst_mac, dst);
	mac_str(src_mac, src);
	j = json_object_new_object();
	json_object_object_add(j, "type", json_object_new_string("xconnect"));
	json_object_object_add(j, "in", json_object_new_string(o->in));
	json_object_object_add(j, "out", json_object_new_string(o->out));
	json_object_object_add(j, "ifindex_out", json_object_new_int(out));
	json_object_object_add(j, "dst_mac",
			       json_object_new_string(o->keep_dst ? "keep" :
								    dst));
	json_object_object_add(j, "src_mac", json_object_new_string(src));
	json_object_object_add(j, "vlan_lo", json_object_new_int(o->vlan_lo));
	json_object_object_add(j, "vlan_hi", json_object_new_int(o->vlan_hi));
	json_object_object_add(j, "dispatcher",
			       json_object_new_boolean(!alone));
	print_json(j);
out:
	xdp_program__close(prog);
	rfc2544__destroy(skel);
	return err;
}

static int xc_detach(const struct xc_opts *o, int in)
{
	struct xdp_multiprog *mp = progs_on(in);
	struct xdp_program *p = mp ? tn_dp_find_prog(mp, XC_NAME) : NULL;
	struct rfc_xc_stats st;
	json_object *j;
	int err, cerr;

	if (!p) {
		fprintf(stderr, "tn-rfc2544: xconnect: no %s on %s\n", XC_NAME,
			o->in);
		xdp_multiprog__close(mp);
		return -ENOENT;
	}
	cerr = xc_counters(xdp_program__fd(p), &st);
	if (cerr)
		fprintf(stderr,
			"tn-rfc2544: xconnect: %s's counters unreadable: %s\n",
			XC_NAME, strerror(-cerr));
	err = xdp_program__detach(p, in, xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	if (err) {
		fprintf(stderr,
			"tn-rfc2544: xconnect: detaching %s from %s: %s\n",
			XC_NAME, o->in, strerror(-err));
		return err;
	}
	j = json_object_new_object();
	json_object_object_add(j, "type", json_object_new_string("xconnect"));
	json_object_object_add(j, "in", json_object_new_string(o->in));
	json_object_object_add(j, "detached", json_object_new_boolean(1));
	if (!cerr) {
		json_object_object_add(
			j, "redirected",
			json_object_new_int64((int64_t)st.redirected));
		json_object_object_add(
			j, "passed", json_object_new_int64((int64_t)st.passed));
	}
	print_json(j);
	return 0;
}

int rfc_xconnect(int argc, char **argv)
{
	struct xc_opts o;
	int in, out = 0, ns;

	if (xc_parse(&o, argc, argv))
		return 2;
	tn_log_init("tn-rfc2544", TN_LOG_WARN);
	if (o.ns) {
		ns = rfc_ns_open(o.ns);
		if (ns < 0 || setns(ns, CLONE_NEWNET)) {
			fprintf(stderr, "tn-rfc2544: xconnect: netns %s: %s\n",
				o.ns, strerror(errno));
			return 1;
		}
		close(ns);
	}
	in = (int)if_nametoindex(o.in);
	if (!o.detach)
		out = (int)if_nametoindex(o.out);
	if (!in || (!o.detach && !out)) {
		fprintf(stderr, "tn-rfc2544: xconnect: no device %s%s%s\n",
			in ? o.out : o.in, o.ns ? " in netns " : "",
			o.ns ? o.ns : "");
		return 1;
	}
	if (o.detach)
		return xc_detach(&o, in) ? 1 : 0;
	return xc_attach(&o, in, out) ? 1 : 0;
}
