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
 * the daemon: tenetd_request() below checks each against the command table
 * (lib/ctl_cmds.c), then hands it to its handler: NICs in nic.c, tenants
 * and routes in tenant.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
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
#include <tenet/ctl.h>
#include <tenet/version.h>

#include "ctl.h"
#include "ctl_cmds.h"
#include "dp.h"
#include "fs.h"
#include "log.h"
#include "agent.h"
#include "capture.h"
#include "container.h"
#include "control.h"
#include "ids.h"
#include "loop.h"
#include "metrics.h"
#include "naming.h"
#include "neigh.h"
#include "nic.h"
#include "parse.h"
#include "reaper.h"
#include "reconcile.h"
#include "session.h"
#include "store.h"
#include "supervise.h"
#include "tenant.h"
#include "upgrade.h"

#ifndef TN_TEMPLATE_INSTALLED
#define TN_TEMPLATE_INSTALLED "/usr/local/share/tenet/lxc-tenet"
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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
			       json_object_new_string(TENET_VERSION));
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
	upgrade_json(d, o);
	r->data = o;
	return 0;
}

/* The handlers, by the command table's index (lib/ctl_cmds.h). */
static int (*const handlers[TN_C__MAX])(struct req *r) = {
	[TN_C_STATUS] = do_status,
	[TN_C_NIC_ATTACH] = do_nic_attach,
	[TN_C_NIC_DETACH] = do_nic_detach,
	[TN_C_NIC_LIST] = do_nic_list,
	[TN_C_TENANT_ADD] = do_tenant_add,
	[TN_C_TENANT_DEL] = do_tenant_del,
	[TN_C_TENANT_LIST] = do_tenant_list,
	[TN_C_TENANT_SHOW] = do_tenant_show,
	[TN_C_TENANT_STATS] = do_tenant_stats,
	[TN_C_TENANT_SET] = do_tenant_set,
	[TN_C_ROUTE_ADD] = do_route_add,
	[TN_C_ROUTE_DEL] = do_route_del,
	[TN_C_ROUTE_LIST] = do_route_list,
	[TN_C_CAPTURE] = do_capture,
};

/*
 * One request: its command found in the table, its arguments checked
 * against it (unknown keys, types, bounds, required keys refused with the
 * sentence tenetctl gives; defaults filled in), then its handler, which
 * reads the checked values (r->a) and does the rest: what exists, what
 * collides.
 */
json_object *tenetd_request(struct tenetd *d, json_object *req, int err,
			    struct tn_ctl_hold *hold)
{
	struct req r = { .d = d, .hold = hold };
	json_object *rep, *cmdv, *args = NULL;
	const char *cmd = NULL;
	int c;

	if (err == -EMSGSIZE)
		req_fail(&r, err, "request larger than %d bytes", TN_CTL_MAX);
	else if (err == -EBADMSG)
		req_fail(&r, err, "request is not one JSON object");
	else if (err)
		req_fail(&r, err, "reading the request: %s", strerror(-err));
	if (!err && json_object_object_get_ex(req, "cmd", &cmdv) &&
	    json_object_is_type(cmdv, json_type_string))
		cmd = json_object_get_string(cmdv);
	c = err ? -1 : tn_ctl_cmd_find(cmd);
	if (!err && c < 0)
		err = req_fail(&r, -EOPNOTSUPP, "unknown command \"%.40s\"",
			       cmd ? cmd : "");
	if (!err) {
		json_object_object_get_ex(req, "args", &args);
		err = tn_g_json(&tn_ctl_grammar, &tn_ctl_grammar.cmds[c], args,
				&r.a, r.err, sizeof(r.err));
	}
	if (!err)
		err = handlers[c](&r);
	if (err && !r.err[0])
		req_fail(&r, err, "%s", strerror(-err));
	rep = tn_ctl_reply(err, err ? r.err : "ok", err ? NULL : r.data);
	if (err)
		json_object_put(r.data);
	return rep;
}

/* ---- start-up ---- */

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

/* A directory for this tenetd alone: -EBUSY (said) if another holds it. */
static int lock_dir(const char *dir, const char *what)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB))
		return 0; /* held as long as tenetd runs */
	tn_err("%s %s: %s\n", what, dir,
	       fd < 0 ? strerror(errno) : "another tenetd uses it");
	if (fd >= 0)
		close(fd);
	return -EBUSY;
}

/*
 * The directories this tenetd works in are its own: each locked against
 * a second tenetd, and the pinned maps marked with the database's
 * instance, so that a tenetd started with another database (a mistyped
 * --state-dir) refuses them rather than take another's maps apart. 0 or
 * -errno (said).
 */
static int own_dirs(struct tenetd *d)
{
	uint64_t owner = d->instance;
	int err;

	if ((err = lock_dir(d->state_dir, "state dir")) ||
	    (err = lock_dir(d->lxc_path, "LXC path")) ||
	    (err = lock_dir(d->bpffs, "bpffs dir")))
		return err;
	err = tn_dp_owner(d->bpffs, &owner);
	if (err) {
		tn_err("bpffs dir %s: %s: %s\n", d->bpffs, TN_MAP_OWNER,
		       strerror(-err));
		return err;
	}
	if (owner != d->instance) {
		tn_err("bpffs dir %s holds the maps of another tenet (instance"
		       " %016llx; this database %s is %016llx): give the"
		       " --state-dir that made them, or another --bpffs\n",
		       d->bpffs, (unsigned long long)owner, d->db_path,
		       (unsigned long long)d->instance);
		return -EEXIST;
	}
	return 0;
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
		"              [--group NAME] [--metrics ADDR:PORT] [--foreground]\n"
		"              [--log-level LEVEL]\n"
		"  --state-dir DIR   database and containers (/var/lib/tenet)\n"
		"  --run-dir DIR     control socket %s and tenants' sockets (/run/tenet)\n"
		"  --group NAME      the control socket is root's and NAME's, mode 0660\n"
		"                    (default: root's alone, 0600)\n"
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
		"  --metrics ADDR:PORT  serve Prometheus metrics at\n"
		"                    http://ADDR:PORT/metrics (IPv6 as [ADDR]:PORT, every\n"
		"                    address as :PORT; default: off)\n"
		"  --foreground      do not detach from the terminal\n"
		"  --log-level err|warn|info|debug\n",
		TN_CTL_SOCK, TN_ID_BASE_DEFAULT);
}

/* getgrnam's "not found": NULL, with any of these in errno. */
static bool no_such_group(int err)
{
	return !err || err == ENOENT || err == ESRCH || err == EBADF ||
	       err == EPERM;
}

struct opts {
	bool fg;
	int level;
	const char *metrics; /* ADDR:PORT, or NULL: off */
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
		{ "group", required_argument, NULL, 'g' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct group *g;
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
		case 'g':
			/* A name that is not a group is refused: falling back
			 * to root alone would lock out whoever was meant to
			 * get in, and a typo would go unseen. */
			errno = 0;
			g = getgrnam(optarg);
			if (!g) {
				fprintf(stderr, "tenetd: --group %s: %s\n",
					optarg,
					no_such_group(errno) ? "no such group" :
							       strerror(errno));
				return 2;
			}
			d->ctl_gid = g->gr_gid;
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
		case 'm': {
			struct sockaddr_storage ss;
			socklen_t len;
			char why[256];

			if (metrics_parse_addr(optarg, &ss, &len, why,
					       sizeof(why))) {
				fprintf(stderr, "tenetd: --metrics %s\n", why);
				return 2;
			}
			o->metrics = optarg;
			break;
		}
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
	if ((err = upgrade_init(d))) {
		tn_err("tenet-router beside %s: %s\n", d->exe_dir,
		       strerror(-err));
		return 1;
	}
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
	if ((err = tn_store_instance(d->st, &d->instance))) {
		tn_err("database %s: its instance: %s\n", d->db_path,
		       strerror(-err));
		return 1;
	}
	snprintf(d->mark, sizeof(d->mark), "tenet:%016llx",
		 (unsigned long long)d->instance);
	check_passrights(d);
	err = tn_reaper_init();
	if (!err)
		err = tn_loop_init(d);
	/* Ours (locked, of this database) before anything pinned there is
	 * migrated or loaded against. */
	if (!err)
		err = tn_dp_bpffs_prepare(d->bpffs);
	if (!err && (err = own_dirs(d))) {
		tn_store_close(d->st);
		return 1;
	}
	if (!err)
		err = tn_dp_prepare(d->bpffs);
	if (!err)
		err = control_listen(d);
	if (err) {
		tn_err("starting: %s\n", strerror(-err));
		tn_store_close(d->st);
		return 1;
	}
	nics_reconcile(d);
	capture_reset(d);
	tenants_reconcile(d);
	upgrade_plan(d);
	nics_sweep(d);
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
		/* What turned ready while a callback ran long (a container
		 * started, say) is heard before any deadline is judged: a
		 * tenant's answer waiting in its socket is not late. */
		tn_loop_once(d, 0);
		now = tn_now_ms();
		last_tick = now;
		sessions_tick(d, now);
		control_tick(d, now);
		upgrade_tick(d, now);
		if (now - last_sup >= 1000) {
			last_sup = now;
			supervise_tick(d, now);
			metrics_refresh(d);
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
			    .ctl_gid = (gid_t)-1,
			    .id_base = TN_ID_BASE_DEFAULT };
	struct opts o = { .level = TN_LOG_INFO };
	struct sigaction sa = { .sa_handler = on_signal };
	char lxc[512], tmpl[PATH_MAX];
	int ret = parse_args(argc, argv, &d, &o), mfd = -1;

	if (ret)
		return ret < 0 ? 0 : ret;
	if (o.metrics) {
		char why[300];

		mfd = metrics_listen(o.metrics, why, sizeof(why));
		if (mfd < 0) {
			fprintf(stderr, "tenetd: --metrics %s\n", why);
			return 1;
		}
	}
	if (setup(&d, &o, lxc, sizeof(lxc), tmpl, sizeof(tmpl)))
		return 1;
	d.started = time(NULL);
	/* After setup's daemon(): the thread must be the daemon's. */
	if (mfd >= 0 && metrics_start(&d, mfd, o.metrics))
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	tn_info("ready: control socket %s, database %s, maps %s\n", d.sock_path,
		d.db_path, d.bpffs);
	run(&d);
	tn_info("stopping: the data path stays as it is\n");
	metrics_stop(&d);
	control_close(&d);
	tn_store_close(d.st);
	return 0;
}
