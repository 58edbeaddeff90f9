// SPDX-License-Identifier: GPL-2.0
/*
 * tn-dp: load, attach and configure the host data path by hand, without
 * tenetd (like xdp-loader for tenet's programs). For tests, benchmarks and
 * debugging; tenetd uses the same lib/dp.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
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
#include "grammar.h"
#include "names.h"
#include "print.h"
#include "validate.h"

static const char *bpffs = "/sys/fs/bpf/tenet";
static bool json;

/* tn-dp's grammar (lib/grammar.h): its keys, then its commands. */
enum {
	K_DEV = 1,
	K_ID,
	K_ROLE,
	K_DEFAULT,
	K_MODE,
	K_MATCH,
	K_TENANT,
	K_NIC_ID,
	K_VLAN,
	K_INNER_VLAN,
	K_SLOT,
	K_ADDR,
	K_CIDR,
	K_SOCK,
	K_IFNAMES,
	K_DIRECT,
	K__MAX,
};

static const char *const matches[] = { "mac", "prefix", "mac,prefix",
				       "prefix,mac", NULL };
static const char *const direct[] = { "direct", NULL };

#define KEY(k, ...) [K_##k] = { __VA_ARGS__ }

static const struct tn_gkey keys[K__MAX] = {
	KEY(DEV, .name = "dev", .type = TN_G_IFNAME, .meta = "DEV",
	    .help = "the interface, in this netns"),
	KEY(ID, .name = "id", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = TN_MAX_NICS - 1, .help = "the NIC's id in the maps"),
	KEY(ROLE, .name = "role", .type = TN_G_ENUM, .words = tn_role_names,
	    .help = "the tenant's port this side stands for"),
	KEY(DEFAULT, .name = "default", .type = TN_G_ENUM,
	    .words = tn_default_names,
	    .help = "frames of no tenant: to the host, or dropped"),
	KEY(MODE, .name = "mode", .type = TN_G_ENUM, .words = tn_xdp_mode_names,
	    .help = "the XDP mode asked for"),
	KEY(MATCH, .name = "match", .type = TN_G_ENUM, .words = matches,
	    .help = "untagged frames are looked up by destination MAC,"
		    " prefix, or both"),
	KEY(TENANT, .name = "tenant", .type = TN_G_COUNT, .meta = "T", .min = 1,
	    .max = TN_MAX_TENANTS - 1, .help = "the tenant's id"),
	KEY(NIC_ID, .name = "nic-id", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = TN_MAX_NICS - 1, .help = "the NIC frames leave by"),
	KEY(VLAN, .name = "vlan", .type = TN_G_VLAN, .meta = "VID",
	    .help = "the 802.1Q VLAN ID"),
	KEY(INNER_VLAN, .name = "inner-vlan", .type = TN_G_VLAN, .meta = "VID",
	    .help = "the inner tag of QinQ"),
	KEY(SLOT, .name = "slot", .type = TN_G_COUNT, .meta = "S", .min = 0,
	    .max = TN_RX_MAX_IFS - 1,
	    .help = "the interface's slot in the tenant's XSKMAP"),
	KEY(ADDR, .name = "addr", .type = TN_G_IP, .meta = "IP",
	    .help = "an address of the router's: its frames go to the kernel"),
	KEY(CIDR, .name = "cidr", .type = TN_G_PREFIX, .meta = "CIDR",
	    .help = "the prefix, host bits zero"),
	KEY(SOCK, .name = "sockpath", .type = TN_G_PATH, .meta = "SOCKPATH",
	    .max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
	    .help = "where tenet-router --agent connects"),
	KEY(IFNAMES, .name = "ifname", .type = TN_G_IFNAME, .meta = "IFNAME",
	    .flags = TN_GK_LIST, .max_values = TN_RX_MAX_IFS,
	    .help = "the interfaces to make sockets on"),
	KEY(DIRECT, .name = "direct", .type = TN_G_ENUM, .words = direct,
	    .help = "the tenant is in direct mode"),
};

enum {
	C_NIC_ATTACH,
	C_NIC_DETACH,
	C_EGRESS_ATTACH,
	C_RX_ATTACH,
	C_DETACH,
	C_TENANT_ADD,
	C_VLAN_ADD,
	C_PORT_SET,
	C_PREFIX_ADD,
	C_PREFIX_DEL,
	C_SERVE,
	C_CUST_VLAN,
	C__MAX,
};

#define CMD(c, ...) [C_##c] = { __VA_ARGS__ }

static const struct tn_gcmd cmds[C__MAX] = {
	CMD(NIC_ATTACH, .obj = "nic", .verb = "attach",
	    .args = "<dev> id! role=access default=pass mode=native match",
	    .summary = "nic_ingress on DEV, with its entry in tn_nics."),
	CMD(NIC_DETACH, .obj = "nic", .verb = "detach", .args = "<dev>",
	    .summary = "nic_ingress off DEV."),
	CMD(EGRESS_ATTACH, .obj = "egress", .verb = "attach",
	    .args = "<dev> tenant! role! nic-id! vlan inner-vlan mode=native",
	    .summary = "tenant_egress on a tenant's host-side veth DEV."),
	CMD(RX_ATTACH, .obj = "rx", .verb = "attach",
	    .args = "<dev> tenant! slot! addr+ mode=native",
	    .summary = "tenant_rx on a tenant's container-side veth DEV; its"
		       " maps are pinned under the bpffs dir's tenants/T."),
	CMD(DETACH, .obj = "detach", .args = "<dev>",
	    .summary = "tenant_egress or tenant_rx off DEV."),
	CMD(TENANT_ADD, .obj = "tenant", .verb = "add",
	    .args = "<tenant> [<direct>]", .summary = "Marks tenant T active."),
	CMD(VLAN_ADD, .obj = "vlan", .verb = "add",
	    .args = "<dev> <vlan> inner-vlan tenant!",
	    .summary = "Frames tagged VID on DEV are tenant T's."),
	CMD(PORT_SET, .obj = "port", .verb = "set",
	    .args = "<tenant> role! <dev>",
	    .summary = "Tenant T's port of that role is the host-side veth"
		       " DEV."),
	CMD(PREFIX_ADD, .obj = "prefix", .verb = "add",
	    .args = "<dev> <cidr> tenant!",
	    .summary = "Untagged frames to CIDR on DEV are tenant T's (the"
		       " trie and its generation)."),
	CMD(PREFIX_DEL, .obj = "prefix", .verb = "del", .args = "<dev> <cidr>",
	    .summary = "Removes that prefix."),
	CMD(SERVE, .obj = "serve", .args = "<sockpath> tenant! <ifname>",
	    .summary = "Hands AF_XDP sockets on the interfaces to a"
		       " tenet-router --agent SOCKPATH, as tenetd does."),
	CMD(CUST_VLAN, .obj = "cust-vlan", .args = "<dev> <vlan>",
	    .summary = "Makes DEV a customer's port of VLAN VID (tc: the tag"
		       " pushed on the way out, popped on the way in; for tests"
		       " and the demo)."),
};

static const struct tn_gopt opts[] = {
	{ NULL, "--bpffs", "DIR",
	  "the pinned maps (default /sys/fs/bpf/tenet); tenant_rx's\n"
	  "under DIR/tenants/T",
	  'b' },
	{ "-j", "--json", NULL, "JSON output", 'j' },
	{ "-v", "--verbose", NULL, "libbpf's and libxdp's messages too", 'v' },
	{ "-h", "--help", NULL, "this help", 'h' },
	{},
};

static const struct tn_grammar grammar = {
	.prog = "tn-dp",
	.summary = "load, attach and configure tenet's data path by hand",
	.opts = opts,
	.notes = "Run in the netns that holds DEV. Exit status: 0 done, 1"
		 " failed (why on stderr), 2 bad usage.",
	.keys = keys,
	.nkeys = K__MAX,
	.cmds = cmds,
	.ncmds = C__MAX,
};

static void usage(FILE *f)
{
	tn_g_help(f, &grammar, NULL);
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

static enum xdp_attach_mode xdp_mode(const struct tn_gargs *a)
{
	return a->v[K_MODE].u ? XDP_MODE_SKB : XDP_MODE_NATIVE;
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

static int do_nic_attach(const struct tn_gargs *a)
{
	enum xdp_attach_mode mode = xdp_mode(a), in_use;
	struct tn_nic nic = {
		.nic_id = (__u32)a->v[K_ID].u,
		.role = (__u32)a->v[K_ROLE].u, /* TN_ROLE_* */
		.default_action = (__u32)a->v[K_DEFAULT].u, /* TN_DEFAULT_* */
	};
	const char *match = a->v[K_MATCH].s;
	int ifindex;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	if (match && strstr(match, "mac"))
		nic.flags |= TN_NIC_F_MAC;
	if (match && strstr(match, "prefix"))
		nic.flags |= TN_NIC_F_PREFIX;
	if (tn_dp_prepare(bpffs) ||
	    map_update(bpffs, TN_MAP_NICS, &ifindex, &nic) ||
	    map_update(bpffs, TN_MAP_NIC_DEV, &nic.nic_id, &ifindex) ||
	    tn_dp_nic_attach(bpffs, ifindex, mode, &in_use))
		return 1;
	tn_print_open(stdout, json);
	tn_print_str("dev", "nic_ingress on %s:", a->v[K_DEV].s);
	tn_print_str("xdp_mode", " xdp-mode %s requested,",
		     tn_xdp_mode_name(mode));
	tn_print_str("xdp_mode_in_use", " %s in use", tn_xdp_mode_name(in_use));
	tn_print_nl();
	return tn_print_close() ? 1 : 0;
}

static int do_nic_detach(const struct tn_gargs *a)
{
	int ifindex, err, fd;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	err = tn_dp_nic_detach(ifindex);
	if (err) {
		fprintf(stderr, "tn-dp: detach nic_ingress from %s: %s\n",
			a->v[K_DEV].s, strerror(-err));
		return 1;
	}
	fd = tn_dp_map_open(bpffs, TN_MAP_NICS);
	if (fd >= 0) {
		bpf_map_delete_elem(fd, &ifindex);
		close(fd);
	}
	return 0;
}

static int do_egress_attach(const struct tn_gargs *a)
{
	struct tn_egress eg = {
		.port = tn_port((__u32)a->v[K_TENANT].u, (__u32)a->v[K_ROLE].u),
		.nic_id = (__u32)a->v[K_NIC_ID].u,
		.vid = (__u16)a->v[K_VLAN].u,
		.inner_vid = (__u16)a->v[K_INNER_VLAN].u,
	};
	int ifindex;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	if (eg.inner_vid && !eg.vid)
		return fail("%s", "inner-vlan needs vlan");
	if (tn_dp_prepare(bpffs) ||
	    map_update(bpffs, TN_MAP_EGRESS, &ifindex, &eg))
		return 1;
	return tn_dp_egress_attach(bpffs, ifindex, xdp_mode(a)) ? 1 : 0;
}

static int do_rx_attach(const struct tn_gargs *a)
{
	__u32 slot = (__u32)a->v[K_SLOT].u, one = 1;
	json_object *addrs = a->v[K_ADDR].list;
	char dir[PATH_MAX];
	int ifindex, fd, err = 0;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	snprintf(dir, sizeof(dir), "%s/tenants/%u", bpffs,
		 (__u32)a->v[K_TENANT].u);
	if (tn_dp_bpffs_prepare(bpffs) ||
	    tn_dp_rx_attach(dir, ifindex, xdp_mode(a)) ||
	    map_update(dir, TN_MAP_RX_IFS, &ifindex, &slot))
		return 1;
	fd = tn_dp_map_open(dir, TN_MAP_RX_ADDRS);
	if (fd < 0)
		return fail("open tn_rx_addrs: %s", strerror(-fd));
	for (size_t i = 0; addrs && i < json_object_array_length(addrs); i++) {
		const char *s = json_object_get_string(
			json_object_array_get_idx(addrs, i));
		struct tn_addr_key k = { 0 };
		int family;

		tn_parse_ip(s, &family, k.addr); /* checked by the grammar */
		k.family = family;
		if (bpf_map_update_elem(fd, &k, &one, 0)) {
			err = fail("update tn_rx_addrs: %s", strerror(errno));
			break;
		}
	}
	close(fd);
	return err;
}

static int do_detach(const struct tn_gargs *a)
{
	int ifindex, err;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	err = tn_dp_plain_detach(ifindex);
	if (err)
		return fail("detach: %s", strerror(-err));
	return 0;
}

static int do_tenant_add(const struct tn_gargs *a)
{
	struct tn_tenant t = { .flags = TN_TENANT_F_ACTIVE };
	__u32 tid = (__u32)a->v[K_TENANT].u;

	if (a->v[K_DIRECT].given)
		t.flags |= TN_TENANT_F_DIRECT;
	return map_update(bpffs, TN_MAP_TENANTS, &tid, &t);
}

static int do_vlan_add(const struct tn_gargs *a)
{
	struct tn_vlan_key k = { .vid = (__u16)a->v[K_VLAN].u,
				 .inner_vid = (__u16)a->v[K_INNER_VLAN].u };
	__u32 tid = (__u32)a->v[K_TENANT].u;
	int ifindex;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	k.ifindex = ifindex;
	return map_update(bpffs, TN_MAP_VLAN, &k, &tid);
}

static int do_prefix(const struct tn_gargs *a, bool add)
{
	const struct tn_gval *p = &a->v[K_CIDR];
	__u32 tid = add ? (__u32)a->v[K_TENANT].u : 0;
	int ifindex, lpm, gen, err;

	if (dev_index(a->v[K_DEV].s, &ifindex) || tn_dp_prepare(bpffs))
		return 1;
	lpm = tn_dp_map_open(bpffs,
			     p->family == AF_INET ? TN_MAP_LPM4 : TN_MAP_LPM6);
	gen = tn_dp_map_open(bpffs, TN_MAP_LPM_GEN);
	err = lpm < 0 ? lpm : gen < 0 ? gen : 0;
	if (!err)
		err = tn_dp_prefix_set(lpm, gen, ifindex, p->family, p->addr,
				       p->len, tid);
	if (lpm >= 0)
		close(lpm);
	if (gen >= 0)
		close(gen);
	if (err)
		return fail("prefix: %s", strerror(-err));
	return 0;
}

static int do_prefix_add(const struct tn_gargs *a)
{
	return do_prefix(a, true);
}

static int do_prefix_del(const struct tn_gargs *a)
{
	return do_prefix(a, false);
}

static int do_port_set(const struct tn_gargs *a)
{
	__u32 port = tn_port((__u32)a->v[K_TENANT].u, (__u32)a->v[K_ROLE].u);
	int ifindex;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	return map_update(bpffs, TN_MAP_PORTS, &port, &ifindex);
}

/*
 * serve SOCKPATH tenant T IFNAME...: what tenetd does for a router that
 * holds no capability (lib/handoff.h): make its AF_XDP sockets here, in the
 * netns of its interfaces, hand them over, put the bound ones in the
 * tenant's XSKMAP, and take them out when the router goes away.
 */
static int do_serve(const struct tn_gargs *a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd, conn = -1, xsk_map = -1, if_map = -1, err = 1, fd;
	json_object *ifs = a->v[K_IFNAMES].list, *m;
	const char *names[TN_RX_MAX_IFS];
	int nifs = (int)json_object_array_length(ifs);
	struct tn_ho_bound b = { 0 };
	int64_t queues = 1;
	char dir[PATH_MAX];

	for (int i = 0; i < nifs; i++)
		names[i] = json_object_get_string(
			json_object_array_get_idx(ifs, i));
	snprintf(dir, sizeof(dir), "%s/tenants/%u", bpffs,
		 (__u32)a->v[K_TENANT].u);
	xsk_map = tn_dp_map_open(dir, TN_MAP_RX_XSKS);
	if_map = tn_dp_map_open(dir, TN_MAP_RX_IFS);
	if (xsk_map < 0 || if_map < 0)
		return fail("no tenant_rx maps in %s: rx attach first", dir);
	strcpy(sa.sun_path, a->v[K_SOCK].s); /* its length checked */
	unlink(sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(sa.sun_path, 0666) || listen(lfd, 1))
		return fail("listen: %s", strerror(errno));
	tn_print_open(stdout, json);
	tn_print_str("serving", "serving %s\n", sa.sun_path);
	tn_print_close();
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0 || tn_ho_recv(conn, &m, &fd) ||
	    strcmp(tn_ho_type(m), "hello")) {
		fail("%s", "no hello from the router");
		goto out;
	}
	tn_ho_int(m, "queues", &queues);
	json_object_put(m);
	err = tn_ho_make_ifs(&b, names, nifs, queues, xsk_map, if_map);
	if (!err)
		err = tn_ho_serve(conn, &b);
	if (err) {
		fail("handing sockets over: %s", strerror(-err));
		err = 1;
		goto out;
	}
	tn_print_open(stdout, json);
	tn_print_arr_start("bound");
	for (int i = 0; i < b.made; i++) {
		if (!b.s[i].bound)
			continue;
		tn_print_obj_start(NULL);
		tn_print_str("ifname", "bound %s", b.s[i].ifname);
		tn_print_s64("queue", " q%" PRId64, b.s[i].queue);
		tn_print_bool("zerocopy", " zerocopy %s", b.s[i].zerocopy);
		tn_print_obj_end();
		tn_print_nl();
	}
	tn_print_arr_end();
	tn_print_close();
	/* Until the router goes: then its sockets leave the XSKMAP. */
	while (!tn_ho_recv(conn, &m, &fd))
		json_object_put(m);
	tn_print_open(stdout, json);
	tn_print_u64("router_gone_slots_cleared",
		     "router gone: %" PRIu64 " XSKMAP slots cleared\n",
		     (uint64_t)b.n);
	tn_print_close();
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
static int do_cust_vlan(const struct tn_gargs *a)
{
	LIBBPF_OPTS(bpf_tc_hook, hook,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, in);
	LIBBPF_OPTS(bpf_tc_opts, out);
	struct cust_vlan *skel;
	int ifindex, err;

	if (dev_index(a->v[K_DEV].s, &ifindex))
		return 1;
	skel = cust_vlan__open();
	if (!skel)
		return fail("cannot open cust_vlan: %s", strerror(errno));
	skel->rodata->vid = (__u16)a->v[K_VLAN].u;
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

static int (*const funcs[C__MAX])(const struct tn_gargs *a) = {
	[C_NIC_ATTACH] = do_nic_attach,
	[C_NIC_DETACH] = do_nic_detach,
	[C_EGRESS_ATTACH] = do_egress_attach,
	[C_RX_ATTACH] = do_rx_attach,
	[C_DETACH] = do_detach,
	[C_TENANT_ADD] = do_tenant_add,
	[C_VLAN_ADD] = do_vlan_add,
	[C_PORT_SET] = do_port_set,
	[C_PREFIX_ADD] = do_prefix_add,
	[C_PREFIX_DEL] = do_prefix_del,
	[C_SERVE] = do_serve,
	[C_CUST_VLAN] = do_cust_vlan,
};

/* OBJECT [VERB] ARGS: the command, its arguments checked, then run. */
static int dispatch(int argc, char **argv)
{
	const struct tn_gcmd *c = NULL;
	char name[64], err[TN_V_ERR_MAX], line[256];
	json_object *args = json_object_new_object(); /* lists live here */
	struct tn_gargs a;
	bool bad_usage;
	int skip, ret;

	for (skip = 2; !c && skip > 0; skip--)
		if (argc >= skip) {
			snprintf(name, sizeof(name), "%s%s%s", argv[0],
				 skip > 1 ? " " : "", skip > 1 ? argv[1] : "");
			c = tn_g_find(&grammar, name);
		}
	if (!c) {
		usage(stderr);
		json_object_put(args);
		return 2;
	}
	argc -= skip + 1;
	argv += skip + 1;
	if (tn_g_argv(&grammar, c, argc, argv, &a, args, err, sizeof(err),
		      &bad_usage)) {
		json_object_put(args);
		if (bad_usage)
			fprintf(stderr, "tn-dp: %s; usage: tn-dp %s %s\n", err,
				tn_g_name(c, name, sizeof(name)),
				tn_g_usage(&grammar, c, line, sizeof(line)));
		else
			fprintf(stderr, "tn-dp: %s\n", err);
		return 2;
	}
	ret = funcs[c - cmds](&a);
	json_object_put(args);
	return ret;
}

int main(int argc, char **argv)
{
	enum tn_log_level level = TN_LOG_WARN;
	char err[TN_V_ERR_MAX];
	int c;

	while ((c = tn_g_opt(&grammar, argc, argv, err, sizeof(err))) != -1) {
		switch (c) {
		case 'b':
			bpffs = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			level = TN_LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "tn-dp: %s\n", err);
			return 2;
		}
	}
	tn_log_init("tn-dp", level);
	return dispatch(argc - optind, argv + optind);
}
