// SPDX-License-Identifier: GPL-2.0
/*
 * tenetd: the host agent. It owns all privileged state: the database (the
 * source of truth for what should exist), the XDP programs and pinned maps,
 * tenants' veths and containers. Operators talk to it through the control
 * socket (include/tenet/ctl.h) with tenetctl.
 *
 * BIRD-style: main() is parse, set-up, loop; a flat init sequence, the
 * control socket made early, signal handlers that only set a flag, and the
 * work in the loop (loop.h). Nothing in the loop waits on a peer: control
 * clients (control.c) and routers (session.c) are state machines with
 * deadlines, descriptors tenants hand over are closed by the reaper
 * (reaper.h), containers are started again by children (supervise.c).
 * Requests are served one at a time, and nothing a client sends can crash
 * the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/ethtool.h>
#include <bpf/bpf.h>
#include <tenet/ctl.h>

#include "ctl.h"
#include "dp.h"
#include "fs.h"
#include "log.h"
#include "nl.h"
#include "agent.h"
#include "container.h"
#include "control.h"
#include "ids.h"
#include "loop.h"
#include "neigh.h"
#include "parse.h"
#include "reaper.h"
#include "session.h"
#include "supervise.h"
#include "tenant.h"

#define TENETD_VERSION "0.2"
#ifndef TN_TEMPLATE_INSTALLED
#define TN_TEMPLATE_INSTALLED "/usr/local/share/tenet/lxc-tenet"
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *const xdp_modes[] = { "native", "generic", NULL };
static const char *const defaults[] = { "pass", "drop", NULL };

/* ---- the data path side of a NIC ---- */

/*
 * Real NICs strip VLAN tags into metadata unless rx-vlan offload is off,
 * and XDP would then see untagged frames: turn it off and say what came of
 * it ("off", "on" if the driver refused, "unknown" if it cannot say).
 */
static const char *rxvlan_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };

	if (tn_ethtool(ifname, &ev))
		return "unknown";
	if (ev.data & ETH_FLAG_RXVLAN) {
		ev.cmd = ETHTOOL_SFLAGS;
		ev.data &= ~ETH_FLAG_RXVLAN;
		tn_ethtool(ifname, &ev);
		ev.cmd = ETHTOOL_GFLAGS;
		if (tn_ethtool(ifname, &ev))
			return "unknown";
	}
	return ev.data & ETH_FLAG_RXVLAN ? "on" : "off";
}

/* Puts nic_ingress on the NIC with its map entries; undoes itself on
 * failure. */
static int nic_up(struct tenetd *d, const struct tn_nic_rec *n, int ifindex,
		  enum xdp_attach_mode *in_use)
{
	struct tn_nic v = { .nic_id = n->nic_id,
			    .role = n->role,
			    .default_action = n->default_action,
			    .flags = tenants_nic_flags(d, n->nic_id) };
	enum xdp_attach_mode mode =
		n->xdp_mode == TN_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	int err;

	err = map_set(d, "tn_nics", &ifindex, &v);
	if (!err)
		err = map_set(d, "tn_nic_dev", &n->nic_id, &ifindex);
	if (!err)
		err = tn_dp_nic_attach(d->bpffs, ifindex, mode, in_use);
	if (err) {
		map_set(d, "tn_nics", &ifindex, NULL);
		map_set(d, "tn_nic_dev", &n->nic_id, NULL);
	}
	return err;
}

static void nic_down(struct tenetd *d, const struct tn_nic_rec *n, int ifindex)
{
	if (ifindex > 0) {
		int err = tn_dp_nic_detach(ifindex);

		if (err && err != -ENOENT)
			tn_warn("%s: detach nic_ingress: %s\n", n->ifname,
				strerror(-err));
		map_set(d, "tn_nics", &ifindex, NULL);
	}
	map_set(d, "tn_nic_dev", &n->nic_id, NULL);
}

static json_object *nic_json(const struct tn_nic_rec *n, int ifindex)
{
	json_object *o = json_object_new_object();
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	bool multi = false;

	json_object_object_add(o, "ifname", json_object_new_string(n->ifname));
	json_object_object_add(o, "nic_id",
			       json_object_new_int((int)n->nic_id));
	json_object_object_add(o, "role",
			       json_object_new_string(tn_roles[n->role]));
	json_object_object_add(
		o, "default",
		json_object_new_string(defaults[n->default_action]));
	json_object_object_add(o, "xdp_mode",
			       json_object_new_string(xdp_modes[n->xdp_mode]));
	tn_dp_nic_query(ifindex, &mode, &multi);
	json_object_object_add(o, "xdp_mode_in_use",
			       json_object_new_string(tn_xdp_mode_name(mode)));
	json_object_object_add(o, "attached",
			       json_object_new_boolean(mode !=
						       XDP_MODE_UNSPEC));
	json_object_object_add(o, "multiprog", json_object_new_boolean(multi));
	return o;
}

/* ---- requests ---- */

static int count_nic(const struct tn_nic_rec *n, void *arg)
{
	(void)n;
	++*(int *)arg;
	return 0;
}

static int count_tenant(const struct tn_tenant_rec *t, void *arg)
{
	(void)t;
	++*(int *)arg;
	return 0;
}

static int do_status(struct req *r)
{
	struct tenetd *d = r->d;
	json_object *o = json_object_new_object();
	int nics = 0, tenants = 0;

	tn_store_nic_list(d->st, count_nic, &nics);
	tn_store_tenant_list(d->st, count_tenant, &tenants);
	json_object_object_add(o, "version",
			       json_object_new_string(TENETD_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "uptime_s",
			       json_object_new_int64(time(NULL) - d->started));
	json_object_object_add(o, "state_dir",
			       json_object_new_string(d->state_dir));
	json_object_object_add(o, "run_dir",
			       json_object_new_string(d->run_dir));
	json_object_object_add(o, "bpffs", json_object_new_string(d->bpffs));
	json_object_object_add(o, "lxc_path",
			       json_object_new_string(d->lxc_path));
	json_object_object_add(o, "nics", json_object_new_int(nics));
	json_object_object_add(o, "tenants", json_object_new_int(tenants));
	r->data = o;
	return 0;
}

static int do_nic_attach(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_nic_rec n = { 0 }, old;
	enum xdp_attach_mode in_use;
	const char *ifname = req_arg(r, "ifname"), *rxvlan;
	int role, mode, dflt, ifindex, err;

	if (tn_v_ifname("ifname", ifname, r->err, sizeof(r->err)))
		return -EINVAL;
	role = req_kw(r, "role", tn_roles, -1);
	if (role == -1 && !req_arg(r, "role"))
		return req_fail(r, -EINVAL, "role: required, access or uplink");
	mode = req_kw(r, "xdp-mode", xdp_modes, 0);
	dflt = req_kw(r, "default", defaults, 0);
	if (role < 0 || mode < 0 || dflt < 0)
		return -EINVAL;
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return req_fail(r, -ENODEV,
				"ifname: no interface \"%s\" on this host",
				ifname);
	if (!tn_store_nic_get(d->st, ifname, &old))
		return req_fail(r, -EEXIST,
				"%s is already attached (nic %u, %s)", ifname,
				old.nic_id, tn_roles[old.role]);
	snprintf(n.ifname, sizeof(n.ifname), "%s", ifname);
	n.role = (enum tn_role)role;
	n.xdp_mode = (enum tn_xdp_mode)mode;
	n.default_action = (enum tn_default_action)dflt;

	/* Row, then data path, then commit: a failure anywhere leaves
	 * neither. */
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_nic_add(d->st, &n, r->err, sizeof(r->err));
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ?
			       err :
			       req_fail(r, err, "%s: cannot record the NIC: %s",
					ifname, strerror(-err));
	}
	err = nic_up(d, &n, ifindex, &in_use);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err,
				"%s: cannot attach nic_ingress (%s): %s",
				ifname, xdp_modes[mode], strerror(-err));
	}
	err = tn_store_commit(d->st);
	if (err) {
		nic_down(d, &n, ifindex);
		return req_fail(r, err, "%s: cannot commit: %s", ifname,
				strerror(-err));
	}
	rxvlan = rxvlan_off(ifname);
	r->data = nic_json(&n, ifindex);
	json_object_object_add(r->data, "rxvlan_offload",
			       json_object_new_string(rxvlan));
	tn_info("%s attached as nic %u (%s), xdp %s requested, %s in use\n",
		ifname, n.nic_id, tn_roles[role], xdp_modes[mode],
		tn_xdp_mode_name(in_use));
	return 0;
}

static int do_nic_detach(struct req *r)
{
	struct tenetd *d = r->d;
	const char *ifname = req_arg(r, "ifname");
	struct tn_nic_rec n;
	int err;

	if (tn_v_ifname("ifname", ifname, r->err, sizeof(r->err)))
		return -EINVAL;
	if (tn_store_nic_get(d->st, ifname, &n))
		return req_fail(r, -ENOENT, "ifname: %s is not attached",
				ifname);
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_nic_del(d->st, n.nic_id, r->err, sizeof(r->err));
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ? err :
				   req_fail(r, err, "%s: %s", ifname,
					    strerror(-err));
	}
	nic_down(d, &n, (int)if_nametoindex(ifname));
	tn_info("%s detached (nic %u)\n", ifname, n.nic_id);
	return 0;
}

struct list_ctx {
	struct tenetd *d;
	json_object *arr;
};

static int nic_list_cb(const struct tn_nic_rec *n, void *arg)
{
	struct list_ctx *c = arg;
	json_object *o = nic_json(n, (int)if_nametoindex(n->ifname));

	json_object_object_add(o, "counters",
			       stats_json(c->d, "tn_nic_stats", n->nic_id));
	json_object_array_add(c->arr, o);
	return 0;
}

static int do_nic_list(struct req *r)
{
	struct list_ctx c = { r->d, json_object_new_array() };
	int err = tn_store_nic_list(r->d->st, nic_list_cb, &c);

	r->data = json_object_new_object();
	json_object_object_add(r->data, "nics", c.arr);
	return err;
}

static const struct cmd {
	const char *name;
	int (*fn)(struct req *r);
} cmds[] = {
	{ "status", do_status },
	{ "nic attach", do_nic_attach },
	{ "nic detach", do_nic_detach },
	{ "nic list", do_nic_list },
	{ "tenant add", do_tenant_add },
	{ "tenant del", do_tenant_del },
	{ "tenant list", do_tenant_list },
	{ "tenant show", do_tenant_show },
	{ "tenant stats", do_tenant_stats },
	{ "tenant set", do_tenant_set },
	{ "route add", do_route_add },
	{ "route del", do_route_del },
	{ "route list", do_route_list },
};

json_object *tenetd_request(struct tenetd *d, json_object *req, int err)
{
	struct req r = { .d = d };
	json_object *rep, *cmdv;
	const char *cmd = NULL;

	if (err == -EMSGSIZE)
		req_fail(&r, err, "request larger than %d bytes", TN_CTL_MAX);
	else if (err == -EBADMSG)
		req_fail(&r, err, "request is not one JSON object");
	else if (err)
		req_fail(&r, err, "reading the request: %s", strerror(-err));
	if (!err && json_object_object_get_ex(req, "cmd", &cmdv) &&
	    json_object_is_type(cmdv, json_type_string))
		cmd = json_object_get_string(cmdv);
	if (!err) {
		json_object_object_get_ex(req, "args", &r.args);
		err = req_fail(&r, -EOPNOTSUPP, "unknown command \"%.40s\"",
			       cmd ? cmd : "");
		for (size_t i = 0; cmd && i < sizeof(cmds) / sizeof(cmds[0]);
		     i++)
			if (!strcmp(cmd, cmds[i].name)) {
				r.err[0] = '\0';
				err = cmds[i].fn(&r);
				break;
			}
	}
	if (err && !r.err[0])
		req_fail(&r, err, "%s", strerror(-err));
	rep = tn_ctl_reply(err, err ? r.err : "ok", err ? NULL : r.data);
	if (err)
		json_object_put(r.data);
	return rep;
}

/* ---- start-up ---- */

/* Makes what the database says exist, exist: nic_ingress and its map
 * entries on every recorded NIC (mark), and nothing on NICs it does not
 * know (sweep). Traffic on NICs already right is not touched. */
static int reconcile_nic(const struct tn_nic_rec *n, void *arg)
{
	struct tenetd *d = arg;
	int ifindex = (int)if_nametoindex(n->ifname);
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC, in_use;
	bool multi;
	struct tn_nic v;
	int fd, err;

	if (!ifindex) {
		tn_warn("%s (nic %u) is in the database but not on this host\n",
			n->ifname, n->nic_id);
		return 0;
	}
	fd = tn_dp_map_open(d->bpffs, "tn_nics");
	err = fd < 0 ? fd : bpf_map_lookup_elem(fd, &ifindex, &v) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (!tn_dp_nic_query(ifindex, &mode, &multi) && !err &&
	    v.nic_id == n->nic_id)
		return 0;
	err = nic_up(d, n, ifindex, &in_use);
	if (err)
		tn_err("%s: cannot restore nic_ingress: %s\n", n->ifname,
		       strerror(-err));
	else
		tn_info("%s: nic_ingress restored (nic %u, %s)\n", n->ifname,
			n->nic_id, tn_xdp_mode_name(in_use));
	return 0;
}

static void sweep_nics(struct tenetd *d)
{
	int fd = tn_dp_map_open(d->bpffs, "tn_nics");
	__u32 key, next, *prev = NULL;
	char name[IF_NAMESIZE];

	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct tn_nic_rec n;

		key = next;
		prev = &key;
		if (if_indextoname(key, name) &&
		    !tn_store_nic_get(d->st, name, &n))
			continue;
		tn_info("ifindex %u: not in the database: nic_ingress removed\n",
			key);
		tn_dp_nic_detach((int)key);
		bpf_map_delete_elem(fd, &key);
		prev = NULL; /* restart: the key we stood on is gone */
	}
	close(fd);
}

/* The directory of this binary, "" if unknown. */
static void exe_dir(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	char *slash;

	buf[len > 0 ? len : 0] = '\0';
	slash = strrchr(buf, '/');
	*(slash ? slash : buf) = '\0';
}

/* The template LXC runs, by absolute path: the one given, the one next to
 * the build (lxc-templates/ beside build/), or the installed one. */
static const char *find_template(const char *given, const char *dir, char *buf,
				 size_t n)
{
	char path[PATH_MAX];

	if (given)
		return realpath(given, buf) && !access(buf, X_OK) ? buf : NULL;
	if (*dir &&
	    snprintf(path, sizeof(path), "%s/../lxc-templates/lxc-tenet", dir) <
		    (int)sizeof(path) &&
	    realpath(path, buf) && !access(buf, X_OK))
		return buf;
	snprintf(buf, n, "%s", TN_TEMPLATE_INSTALLED);
	return access(buf, X_OK) ? NULL : buf;
}

/*
 * The tenants' mapped users must reach their containers and socket dirs:
 * every directory above them searchable by others (o+x).
 */
static int check_reachable(const char *path, char *err, size_t n)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	if (!realpath(path, buf))
		return -errno;
	for (;;) {
		if (stat(buf, &st))
			return -errno;
		if (!(st.st_mode & S_IXOTH)) {
			tn_errbuf(err, n,
				  "%s is mode %04o: the tenants' users (their"
				  " own uids, no capability on the host)"
				  " cannot reach %s through it: chmod o+x it,"
				  " or choose other directories",
				  buf, st.st_mode & 07777, path);
			return -EACCES;
		}
		if (!strcmp(buf, "/"))
			return 0;
		slash = strrchr(buf, '/');
		slash[slash == buf] = '\0';
	}
}

/* Whether the kernel refuses descriptors routers pass (6.16+), or tenetd
 * takes them and closes them off its loop: said once. */
static void check_passrights(struct tenetd *d)
{
	int sv[2], zero = 0;

	if (d->passrights &&
	    !socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		if (setsockopt(sv[0], SOL_SOCKET, SO_PASSRIGHTS, &zero,
			       sizeof(zero)))
			d->passrights = false;
		close(sv[0]);
		close(sv[1]);
	}
	tn_info("descriptors routers pass: %s\n",
		d->passrights ? "refused by the kernel (SO_PASSRIGHTS)" :
				"taken and closed off the loop (no"
				" SO_PASSRIGHTS: kernel before 6.16, or"
				" --no-passrights)");
}

/* A descriptor or so per control client and about ten per tenant (its
 * sockets, pidfds, maps): the soft limit goes to the hard one, and a
 * low hard one is said. */
#define NOFILE_WANT (1u << 20)
#define NOFILE_ENOUGH 16384

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max < NOFILE_WANT ? rl.rlim_max :
							  NOFILE_WANT;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < NOFILE_ENOUGH)
		tn_warn("open files limited to %llu: about %llu tenants;"
			" raise it (LimitNOFILE=)\n",
			(unsigned long long)rl.rlim_cur,
			(unsigned long long)rl.rlim_cur / 12);
	else
		tn_dbg("open files: up to %llu\n",
		       (unsigned long long)rl.rlim_cur);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tenetd [--state-dir DIR] [--run-dir DIR] [--bpffs DIR]\n"
		"              [--lxc-path DIR] [--template PATH] [--id-base N]\n"
		"              [--foreground] [--log-level LEVEL]\n"
		"  --state-dir DIR   database and containers (/var/lib/tenet)\n"
		"  --run-dir DIR     control socket %s and tenants' sockets (/run/tenet)\n"
		"  --bpffs DIR       pinned maps (/sys/fs/bpf/tenet; bpffs is mounted\n"
		"                    if missing)\n"
		"  --lxc-path DIR    containers (<state-dir>/lxc)\n"
		"  --template PATH   the lxc-tenet template (default: lxc-templates/\n"
		"                    next to the build, else " TN_TEMPLATE_INSTALLED
		")\n"
		"  --id-base N       tenant N's user namespace maps uids and gids 0..65535\n"
		"                    to N + id * 65536.. (default %u); the span must be\n"
		"                    outside /etc/subuid, /etc/subgid and the host's users\n"
		"  --no-passrights   accept descriptors routers pass, and close them off\n"
		"                    the loop, as on kernels before 6.16 (for tests)\n"
		"  --foreground      do not detach from the terminal\n"
		"  --log-level err|warn|info|debug\n",
		TN_CTL_SOCK, TN_ID_BASE_DEFAULT);
}

struct opts {
	bool fg;
	int level;
};

/* 0 to run, or the exit status. */
static int parse_args(int argc, char **argv, struct tenetd *d, struct opts *o)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "bpffs", required_argument, NULL, 'b' },
		{ "lxc-path", required_argument, NULL, 'x' },
		{ "template", required_argument, NULL, 't' },
		{ "id-base", required_argument, NULL, 'i' },
		{ "no-passrights", no_argument, NULL, 'P' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint32_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			d->state_dir = optarg;
			break;
		case 'r':
			d->run_dir = optarg;
			break;
		case 'b':
			d->bpffs = optarg;
			break;
		case 'x':
			d->lxc_path = optarg;
			break;
		case 't':
			d->template = optarg;
			break;
		case 'i':
			if (tn_parse_u32(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr,
					"tenetd: --id-base must be a number"
					" from 1 to %u, not '%s'\n",
					UINT32_MAX, optarg);
				return 2;
			}
			d->id_base = v;
			break;
		case 'P':
			d->passrights = false;
			break;
		case 'f':
			o->fg = true;
			break;
		case 'l':
			o->level = tn_log_level_parse(optarg);
			if (o->level < 0) {
				fprintf(stderr,
					"tenetd: --log-level must be err, warn, info or debug\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Everything before the loop, in order: paths, the lock, the database,
 * the maps, the control socket, then the kernel made to match the
 * database. 0 or 1 (said why). */
static int setup(struct tenetd *d, const struct opts *o, char *lxc, size_t nl,
		 char *tmpl, size_t nt)
{
	char why[TN_V_ERR_MAX];
	int err;

	tn_log_init("tenetd", (enum tn_log_level)o->level);
	if (!d->lxc_path) {
		snprintf(lxc, nl, "%s/lxc", d->state_dir);
		d->lxc_path = lxc;
	}
	exe_dir(d->exe_dir, sizeof(d->exe_dir));
	d->template = find_template(d->template, d->exe_dir, tmpl, nt);
	if (!d->template) {
		tn_err("no lxc-tenet template (--template PATH)\n");
		return 1;
	}
	err = tn_ids_check("/etc", d->id_base,
			   (uint64_t)TN_MAX_TENANTS * TN_ID_RANGE, why,
			   sizeof(why));
	if (err) {
		tn_err("%s\n", why);
		return 1;
	}
	d->host_cores = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	d->sess = calloc(TN_MAX_TENANTS, sizeof(*d->sess));
	d->sup = calloc(TN_MAX_TENANTS, sizeof(*d->sup));
	if (!d->sess || !d->sup) {
		tn_err("out of memory\n");
		return 1;
	}
	d->cgroup2 = tn_ct_cgroup2();
	snprintf(d->db_path, sizeof(d->db_path), "%s/tenet.db", d->state_dir);
	snprintf(d->sock_path, sizeof(d->sock_path), "%s/%s", d->run_dir,
		 TN_CTL_SOCK);
	snprintf(d->lock_path, sizeof(d->lock_path), "%s/tenetd.lock",
		 d->run_dir);
	/* Searchable, not readable, by the tenants' users. */
	err = tn_mkdir_p(d->state_dir, 0711);
	if (!err)
		err = tn_mkdir_p(d->run_dir, 0755);
	if (!err)
		err = tn_mkdir_p(d->lxc_path, 0711);
	if (err) {
		tn_err("creating %s, %s, %s: %s\n", d->state_dir, d->run_dir,
		       d->lxc_path, strerror(-err));
		return 1;
	}
	if ((err = check_reachable(d->lxc_path, why, sizeof(why))) ||
	    (err = check_reachable(d->run_dir, why, sizeof(why)))) {
		tn_err("%s\n", err == -EACCES ? why : strerror(-err));
		return 1;
	}
	raise_nofile();
	/* One agent per run dir: a second would fight the first. */
	d->lock_fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0 || flock(d->lock_fd, LOCK_EX | LOCK_NB)) {
		tn_err("another tenetd runs with run dir %s\n", d->run_dir);
		return 1;
	}
	err = tn_store_open(d->db_path, &d->st);
	if (!err && chmod(d->db_path, 0600))
		err = -errno;
	if (err) {
		tn_err("database %s: %s\n", d->db_path, strerror(-err));
		return 1;
	}
	check_passrights(d);
	err = tn_reaper_init();
	if (!err)
		err = tn_loop_init(d);
	if (!err)
		err = tn_dp_prepare(d->bpffs);
	if (!err)
		err = control_listen(d);
	if (err) {
		tn_err("starting: %s\n", strerror(-err));
		tn_store_close(d->st);
		return 1;
	}
	tn_store_nic_list(d->st, reconcile_nic, d);
	tenants_reconcile(d);
	sweep_nics(d);
	neigh_size(d);
	if (!o->fg && daemon(0, 0)) {
		tn_err("daemon: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* The loop: callbacks as descriptors turn ready, deadlines each tick,
 * supervision each second. */
#define TICK_MS 50

static void run(struct tenetd *d)
{
	int64_t last_tick = 0, last_sup = tn_now_ms();

	while (!stop) {
		int64_t now = tn_now_ms();
		int wait = (int)(last_tick + TICK_MS - now);

		tn_loop_once(d, wait < 0 ? 0 : wait);
		now = tn_now_ms();
		if (now - last_tick < TICK_MS)
			continue;
		last_tick = now;
		sessions_tick(d, now);
		control_tick(d, now);
		if (now - last_sup >= 1000) {
			last_sup = now;
			supervise_tick(d, now);
		}
	}
}

int main(int argc, char **argv)
{
	struct tenetd d = { .state_dir = "/var/lib/tenet",
			    .run_dir = "/run/tenet",
			    .bpffs = "/sys/fs/bpf/tenet",
			    .lock_fd = -1,
			    .epfd = -1,
			    .passrights = true,
			    .id_base = TN_ID_BASE_DEFAULT };
	struct opts o = { .level = TN_LOG_INFO };
	struct sigaction sa = { .sa_handler = on_signal };
	char lxc[512], tmpl[PATH_MAX];
	int ret = parse_args(argc, argv, &d, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	if (setup(&d, &o, lxc, sizeof(lxc), tmpl, sizeof(tmpl)))
		return 1;
	d.started = time(NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	tn_info("ready: control socket %s, database %s, maps %s\n", d.sock_path,
		d.db_path, d.bpffs);
	run(&d);
	tn_info("stopping: the data path stays as it is\n");
	control_close(&d);
	tn_store_close(d.st);
	return 0;
}
