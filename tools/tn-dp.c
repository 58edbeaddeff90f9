// SPDX-License-Identifier: GPL-2.0
/*
 * tn-dp: load, attach and configure the host data path by hand, without
 * tenetd (like xdp-loader for tenet's programs). For tests, benchmarks and
 * debugging; tenetd uses the same lib/dp.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif

#include "cust_vlan.skel.h"
#include "dp.h"
#include "handoff.h"
#include "log.h"
#include "parse.h"
#include "validate.h"

static const char *bpffs = "/sys/fs/bpf/tenet";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tn-dp [--bpffs DIR] [-v] OBJECT COMMAND ...\n"
		"  nic attach DEV id N [role access|uplink] [default pass|drop]\n"
		"             [mode native|generic] [match mac|prefix|mac,prefix]\n"
		"  nic detach DEV\n"
		"  egress attach DEV tenant T role access|uplink nic-id N\n"
		"             [vlan V [inner-vlan V]] [mode native|generic]\n"
		"  rx attach DEV tenant T slot S [addr IP]... [mode native|generic]\n"
		"  detach DEV                 (tenant_egress or tenant_rx)\n"
		"  tenant add T [direct]      mark tenant T active\n"
		"  vlan add DEV V [inner-vlan V] tenant T\n"
		"  port set T role access|uplink DEV\n"
		"  prefix add DEV CIDR tenant T | prefix del DEV CIDR\n"
		"  serve SOCKPATH tenant T IFNAME...  hand AF_XDP sockets to a\n"
		"             tenet-router --agent SOCKPATH, as tenetd does\n"
		"  cust-vlan DEV VID          make DEV a customer's port of VLAN\n"
		"             VID (tc: tag pushed out, popped in; tests, demo)\n"
		"The bpffs DIR (default %s) holds the pinned maps; tenant_rx\n"
		"pins under DIR/tenants/T. Run in the netns that holds DEV.\n",
		bpffs);
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "tn-dp: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int dev_index(const char *name, int *ifindex)
{
	*ifindex = (int)if_nametoindex(name);
	if (!*ifindex)
		return fail("no such device: %s", name);
	return 0;
}

/* A keyword argument through lib/validate: its index, or -1 said. */
static int keyword(const char *field, const char *s, const char *const *allowed)
{
	char err[TN_V_ERR_MAX];
	int k = tn_v_keyword(field, s, allowed, err, sizeof(err));

	if (k < 0)
		fail("%s", err);
	return k;
}

static int parse_mode(const char *s, enum xdp_attach_mode *mode)
{
	static const char *const modes[] = { "native", "generic", NULL };
	int k = keyword("mode", s, modes);

	if (k >= 0)
		*mode = k ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	return k < 0;
}

static int parse_role(const char *s, __u32 *role)
{
	static const char *const roles[] = { "access", "uplink", NULL };
	int k = keyword("role", s, roles);

	if (k >= 0)
		*role = (__u32)k; /* TN_ROLE_ACCESS, TN_ROLE_UPLINK */
	return k < 0;
}

static int map_update(const char *dir, const char *map, const void *k,
		      const void *v)
{
	int fd = tn_dp_map_open(dir, map), err = 0;

	/* The agent's maps are made on first use, whatever the command. */
	if (fd == -ENOENT && dir == bpffs && !tn_dp_prepare(bpffs))
		fd = tn_dp_map_open(dir, map);
	if (fd < 0) {
		fprintf(stderr, "tn-dp: open %s/%s: %s\n", dir, map,
			strerror(-fd));
		return 1;
	}
	if (bpf_map_update_elem(fd, k, v, 0)) {
		fprintf(stderr, "tn-dp: update %s: %s\n", map, strerror(errno));
		err = 1;
	}
	close(fd);
	return err;
}

/* argv: DEV id N [...] */
static int do_nic_attach(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE, in_use;
	struct tn_nic nic = { .role = TN_ROLE_ACCESS };
	int ifindex, i, err;

	if (argc < 1 || dev_index(argv[0], &ifindex))
		return argc < 1 ? fail("%s", "nic attach needs DEV") : 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "id")) {
			if (tn_parse_u32(v, 1, TN_MAX_NICS - 1, &nic.nic_id))
				return fail("id must be 1..63, not '%s'", v);
		} else if (!strcmp(k, "role")) {
			if (parse_role(v, &nic.role))
				return 1;
		} else if (!strcmp(k, "default")) {
			static const char *const acts[] = { "pass", "drop",
							    NULL };
			int a = keyword("default", v, acts);

			if (a < 0)
				return 1;
			nic.default_action = (__u32)a; /* TN_DEFAULT_* */
		} else if (!strcmp(k, "mode")) {
			if (parse_mode(v, &mode))
				return 1;
		} else if (!strcmp(k, "match")) {
			if (strstr(v, "mac"))
				nic.flags |= TN_NIC_F_MAC;
			if (strstr(v, "prefix"))
				nic.flags |= TN_NIC_F_PREFIX;
			if (!nic.flags)
				return fail(
					"match takes mac, prefix or mac,prefix, not '%s'",
					v);
		} else {
			return fail("unknown nic attach argument '%s'", k);
		}
	}
	if (i != argc || !nic.nic_id)
		return fail("%s", "nic attach DEV id N [...]: id is required");

	if (tn_dp_prepare(bpffs))
		return 1;
	if (map_update(bpffs, "tn_nics", &ifindex, &nic) ||
	    map_update(bpffs, "tn_nic_dev", &nic.nic_id, &ifindex))
		return 1;
	err = tn_dp_nic_attach(bpffs, ifindex, mode, &in_use);
	if (err)
		return 1;
	printf("nic_ingress on %s: xdp-mode %s requested, %s in use\n", argv[0],
	       tn_xdp_mode_name(mode), tn_xdp_mode_name(in_use));
	return 0;
}

static int do_nic_detach(int argc, char **argv)
{
	int ifindex, err, fd;

	if (argc != 1)
		return fail("%s", "nic detach DEV");
	if (dev_index(argv[0], &ifindex))
		return 1;
	err = tn_dp_nic_detach(ifindex);
	if (err) {
		fprintf(stderr, "tn-dp: detach nic_ingress from %s: %s\n",
			argv[0], strerror(-err));
		return 1;
	}
	fd = tn_dp_map_open(bpffs, "tn_nics");
	if (fd >= 0) {
		bpf_map_delete_elem(fd, &ifindex);
		close(fd);
	}
	return 0;
}

static int do_egress_attach(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	struct tn_egress eg = { 0 };
	__u32 tid = 0, role = 0, v32;
	int ifindex, i, have_role = 0, have_nic = 0;

	if (argc < 1 || dev_index(argv[0], &ifindex))
		return argc < 1 ? fail("%s", "egress attach needs DEV") : 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "tenant")) {
			if (tn_parse_u32(v, 1, TN_MAX_TENANTS - 1, &tid))
				return fail("tenant must be 1..16383, not '%s'",
					    v);
		} else if (!strcmp(k, "role")) {
			if (parse_role(v, &role))
				return 1;
			have_role = 1;
		} else if (!strcmp(k, "nic-id")) {
			if (tn_parse_u32(v, 1, TN_MAX_NICS - 1, &eg.nic_id))
				return fail("nic-id must be 1..63, not '%s'",
					    v);
			have_nic = 1;
		} else if (!strcmp(k, "vlan") || !strcmp(k, "inner-vlan")) {
			if (tn_parse_u32(v, 1, 4094, &v32))
				return fail("vlan must be 1..4094, not '%s'",
					    v);
			if (k[0] == 'v')
				eg.vid = v32;
			else
				eg.inner_vid = v32;
		} else if (!strcmp(k, "mode")) {
			if (parse_mode(v, &mode))
				return 1;
		} else {
			return fail("unknown egress attach argument '%s'", k);
		}
	}
	if (i != argc || !tid || !have_role || !have_nic)
		return fail("%s", "egress attach DEV tenant T role R nic-id N");
	if (eg.inner_vid && !eg.vid)
		return fail("%s", "inner-vlan needs vlan");
	eg.port = tn_port(tid, role);
	if (tn_dp_prepare(bpffs) ||
	    map_update(bpffs, "tn_egress", &ifindex, &eg))
		return 1;
	return tn_dp_egress_attach(bpffs, ifindex, mode) ? 1 : 0;
}

static int do_rx_attach(int argc, char **argv)
{
	enum xdp_attach_mode mode = XDP_MODE_NATIVE;
	__u32 tid = 0, slot = TN_RX_MAX_IFS, one = 1;
	char dir[PATH_MAX];
	int ifindex, i, fd, err = 0;

	if (argc < 1 || dev_index(argv[0], &ifindex))
		return argc < 1 ? fail("%s", "rx attach needs DEV") : 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "tenant")) {
			if (tn_parse_u32(v, 1, TN_MAX_TENANTS - 1, &tid))
				return fail("tenant must be 1..16383, not '%s'",
					    v);
		} else if (!strcmp(k, "slot")) {
			if (tn_parse_u32(v, 0, TN_RX_MAX_IFS - 1, &slot))
				return fail("slot must be 0..3, not '%s'", v);
		} else if (!strcmp(k, "addr")) {
			continue; /* after the maps exist */
		} else if (!strcmp(k, "mode")) {
			if (parse_mode(v, &mode))
				return 1;
		} else {
			return fail("unknown rx attach argument '%s'", k);
		}
	}
	if (i != argc || !tid || slot >= TN_RX_MAX_IFS)
		return fail("%s", "rx attach DEV tenant T slot S");
	snprintf(dir, sizeof(dir), "%s/tenants/%u", bpffs, tid);
	if (tn_dp_bpffs_prepare(bpffs) || tn_dp_rx_attach(dir, ifindex, mode))
		return 1;
	if (map_update(dir, "tn_rx_ifs", &ifindex, &slot))
		return 1;
	fd = tn_dp_map_open(dir, "tn_rx_addrs");
	for (i = 1; fd >= 0 && i + 1 < argc && !err; i += 2) {
		struct tn_addr_key k = { 0 };
		int family;

		if (strcmp(argv[i], "addr"))
			continue;
		if (tn_parse_ip(argv[i + 1], &family, k.addr)) {
			err = fail(
				"addr must be an IPv4 or IPv6 address, not '%s'",
				argv[i + 1]);
			break;
		}
		k.family = family;
		if (bpf_map_update_elem(fd, &k, &one, 0))
			err = fail("update tn_rx_addrs: %s", strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return fd < 0 ? 1 : err;
}

static int do_detach(int argc, char **argv)
{
	int ifindex, err;

	if (argc != 1)
		return fail("%s", "detach DEV");
	if (dev_index(argv[0], &ifindex))
		return 1;
	err = tn_dp_plain_detach(ifindex);
	if (err)
		return fail("detach: %s", strerror(-err));
	return 0;
}

static int do_tenant_add(int argc, char **argv)
{
	struct tn_tenant t = { .flags = TN_TENANT_F_ACTIVE };
	__u32 tid;

	if (argc < 1 || argc > 2 ||
	    tn_parse_u32(argv[0], 1, TN_MAX_TENANTS - 1, &tid))
		return fail("%s", "tenant add T [direct], T in 1..16383");
	if (argc == 2) {
		if (strcmp(argv[1], "direct"))
			return fail("unknown tenant add argument '%s'",
				    argv[1]);
		t.flags |= TN_TENANT_F_DIRECT;
	}
	return map_update(bpffs, "tn_tenants", &tid, &t);
}

static int do_vlan_add(int argc, char **argv)
{
	struct tn_vlan_key k = { 0 };
	__u32 v, tid;
	int ifindex, i = 2;

	if (argc < 4 || dev_index(argv[0], &ifindex))
		return argc < 4 ?
			       fail("%s",
				    "vlan add DEV V [inner-vlan V] tenant T") :
			       1;
	k.ifindex = ifindex;
	if (tn_parse_u32(argv[1], 1, 4094, &v))
		return fail("vlan must be 1..4094, not '%s'", argv[1]);
	k.vid = v;
	if (!strcmp(argv[i], "inner-vlan") && argc == 6) {
		if (tn_parse_u32(argv[i + 1], 1, 4094, &v))
			return fail("inner-vlan must be 1..4094, not '%s'",
				    argv[i + 1]);
		k.inner_vid = v;
		i += 2;
	}
	if (i + 2 != argc || strcmp(argv[i], "tenant") ||
	    tn_parse_u32(argv[i + 1], 1, TN_MAX_TENANTS - 1, &tid))
		return fail("%s", "vlan add DEV V [inner-vlan V] tenant T");
	return map_update(bpffs, "tn_vlan", &k, &tid);
}

/* prefix add DEV CIDR tenant T | prefix del DEV CIDR */
static int do_prefix(int argc, char **argv, int add)
{
	int ifindex, family, lpm, gen, err;
	unsigned int len;
	__u32 tid = 0;
	__u8 a[16];

	if (argc != (add ? 4 : 2) || (add && strcmp(argv[2], "tenant")))
		return fail(
			"%s",
			"prefix add DEV CIDR tenant T | prefix del DEV CIDR");
	if (dev_index(argv[0], &ifindex))
		return 1;
	if (tn_parse_prefix(argv[1], 1, &family, a, &len))
		return fail(
			"prefix must be ADDR/LEN with no host bits set, not '%s'",
			argv[1]);
	if (add && tn_parse_u32(argv[3], 1, TN_MAX_TENANTS - 1, &tid))
		return fail("tenant must be 1..16383, not '%s'", argv[3]);
	if (tn_dp_prepare(bpffs))
		return 1;
	lpm = tn_dp_map_open(bpffs, family == AF_INET ? "tn_lpm4" : "tn_lpm6");
	gen = tn_dp_map_open(bpffs, "tn_lpm_gen");
	err = lpm < 0 ? lpm : gen < 0 ? gen : 0;
	if (!err)
		err = tn_dp_prefix_set(lpm, gen, ifindex, family, a, len, tid);
	if (lpm >= 0)
		close(lpm);
	if (gen >= 0)
		close(gen);
	if (err)
		return fail("prefix: %s", strerror(-err));
	return 0;
}

static int do_prefix_add(int argc, char **argv)
{
	return do_prefix(argc, argv, 1);
}

static int do_prefix_del(int argc, char **argv)
{
	return do_prefix(argc, argv, 0);
}

static int do_port_set(int argc, char **argv)
{
	__u32 tid, role, port;
	int ifindex;

	if (argc != 4 || strcmp(argv[1], "role"))
		return fail("%s", "port set T role access|uplink DEV");
	if (tn_parse_u32(argv[0], 1, TN_MAX_TENANTS - 1, &tid))
		return fail("tenant must be 1..16383, not '%s'", argv[0]);
	if (parse_role(argv[2], &role) || dev_index(argv[3], &ifindex))
		return 1;
	port = tn_port(tid, role);
	return map_update(bpffs, "tn_ports", &port, &ifindex);
}

/*
 * serve SOCKPATH tenant T IFNAME...: what tenetd does for a router that
 * holds no capability (lib/handoff.h): make its AF_XDP sockets here, in the
 * netns of its interfaces, hand them over, put the bound ones in the
 * tenant's XSKMAP, and take them out when the router goes away.
 */
static int do_serve(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, conn = -1, xsk_map = -1, if_map = -1, err = 1, fd;
	int nifs = argc - 3;
	struct tn_ho_bound b = { 0 };
	int64_t queues = 1;
	char dir[PATH_MAX];
	json_object *m;
	__u32 tid;

	if (argc < 4 || strcmp(argv[1], "tenant") ||
	    tn_parse_u32(argv[2], 1, TN_MAX_TENANTS - 1, &tid) ||
	    nifs > TN_RX_MAX_IFS || strlen(argv[0]) >= sizeof(sa.sun_path))
		return fail("%s",
			    "serve SOCKPATH tenant T IFNAME... (at most 4)");
	snprintf(dir, sizeof(dir), "%s/tenants/%u", bpffs, tid);
	xsk_map = tn_dp_map_open(dir, "tn_rx_xsks");
	if_map = tn_dp_map_open(dir, "tn_rx_ifs");
	if (xsk_map < 0 || if_map < 0)
		return fail("no tenant_rx maps in %s: rx attach first", dir);
	strcpy(sa.sun_path, argv[0]);
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(sa.sun_path, 0666) || listen(lfd, 1))
		return fail("listen: %s", strerror(errno));
	printf("serving %s\n", sa.sun_path);
	fflush(stdout);
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0 || tn_ho_recv(conn, &m, &fd) ||
	    strcmp(tn_ho_type(m), "hello")) {
		fail("%s", "no hello from the router");
		goto out;
	}
	tn_ho_int(m, "queues", &queues);
	json_object_put(m);
	err = tn_ho_make_ifs(&b, (const char *const *)argv + 3, nifs, queues,
			     xsk_map, if_map);
	if (!err)
		err = tn_ho_serve(conn, &b);
	if (err) {
		fail("handing sockets over: %s", strerror(-err));
		err = 1;
		goto out;
	}
	for (int i = 0; i < b.made; i++)
		if (b.s[i].bound)
			printf("bound %s q%lld zerocopy %s\n", b.s[i].ifname,
			       (long long)b.s[i].queue,
			       b.s[i].zerocopy ? "yes" : "no");
	fflush(stdout);
	/* Until the router goes: then its sockets leave the XSKMAP. */
	while (!tn_ho_recv(conn, &m, &fd))
		json_object_put(m);
	printf("router gone: %d XSKMAP slots cleared\n", b.n);
	tn_ho_unbind(&b);
	err = 0;
out:
	if (conn >= 0)
		close(conn);
	close(lfd);
	unlink(sa.sun_path);
	close(xsk_map);
	close(if_map);
	return err ? 1 : 0;
}

/*
 * cust-vlan DEV VID: a customer's access port on a kernel without 802.1Q
 * devices (tools/cust_vlan.bpf.c on tc egress and ingress). tc keeps the
 * programs after we exit; they go with the device. tx-vlan offload must be
 * off on DEV for the tag to leave in-band.
 */
static int do_cust_vlan(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_tc_hook, hook,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, in);
	LIBBPF_OPTS(bpf_tc_opts, out);
	struct cust_vlan *skel;
	int ifindex, err;
	__u32 vid;

	if (argc != 2)
		return fail("%s", "cust-vlan DEV VID");
	if (dev_index(argv[0], &ifindex))
		return 1;
	if (tn_parse_u32(argv[1], 1, 4094, &vid))
		return fail("VID must be 1..4094, not '%s'", argv[1]);
	skel = cust_vlan__open();
	if (!skel)
		return fail("cannot open cust_vlan: %s", strerror(errno));
	skel->rodata->vid = (__u16)vid;
	err = cust_vlan__load(skel);
	hook.ifindex = ifindex;
	if (!err) {
		err = bpf_tc_hook_create(&hook);
		if (err == -EEXIST)
			err = 0;
	}
	hook.attach_point = BPF_TC_EGRESS;
	out.prog_fd = bpf_program__fd(skel->progs.cust_vlan_push);
	if (!err)
		err = bpf_tc_attach(&hook, &out);
	hook.attach_point = BPF_TC_INGRESS;
	in.prog_fd = bpf_program__fd(skel->progs.cust_vlan_pop);
	if (!err)
		err = bpf_tc_attach(&hook, &in);
	cust_vlan__destroy(skel);
	if (err)
		return fail("cust-vlan: %s", strerror(-err));
	return 0;
}

static const struct cmd {
	const char *obj, *verb;
	int (*func)(int argc, char **argv);
} cmds[] = {
	{ "nic", "attach", do_nic_attach },
	{ "nic", "detach", do_nic_detach },
	{ "egress", "attach", do_egress_attach },
	{ "rx", "attach", do_rx_attach },
	{ "detach", NULL, do_detach },
	{ "tenant", "add", do_tenant_add },
	{ "vlan", "add", do_vlan_add },
	{ "port", "set", do_port_set },
	{ "prefix", "add", do_prefix_add },
	{ "prefix", "del", do_prefix_del },
	{ "serve", NULL, do_serve },
	{ "cust-vlan", NULL, do_cust_vlan },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bpffs", required_argument, NULL, 'b' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum tn_log_level level = TN_LOG_WARN;
	int c;

	while ((c = getopt_long(argc, argv, "+b:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bpffs = optarg;
			break;
		case 'v':
			level = TN_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	tn_log_init("tn-dp", level);
	argc -= optind;
	argv += optind;
	for (size_t i = 0; argc >= 1 && i < sizeof(cmds) / sizeof(cmds[0]);
	     i++) {
		const struct cmd *cm = &cmds[i];

		if (strcmp(argv[0], cm->obj))
			continue;
		if (!cm->verb)
			return cm->func(argc - 1, argv + 1);
		if (argc >= 2 && !strcmp(argv[1], cm->verb))
			return cm->func(argc - 2, argv + 2);
	}
	usage(stderr);
	return 2;
}
