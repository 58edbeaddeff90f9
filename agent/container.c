// SPDX-License-Identifier: GPL-2.0
/*
 * Tenant containers through liblxc (no lxc-* commands). See container.h.
 *
 * A container's config is written before the template runs (set items on
 * a fresh container, so /etc/lxc/default.conf and its lxcbr0 never apply);
 * the template appends the rootfs, init and mounts. LXC moves each phys
 * link into the container at start and back to the agent's netns at stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <lxc/lxccontainer.h>

#include "container.h"
#include "log.h"

static const char *lxc_why(struct lxc_container *c)
{
	return c->error_string && *c->error_string ? c->error_string :
						     "liblxc gave no reason";
}

bool tn_ct_cgroup2(void)
{
	struct stat st;

	/* cgroup.controllers exists at the root only on a unified host. */
	return !stat("/sys/fs/cgroup/cgroup.controllers", &st);
}

static struct lxc_container *ct_get(const char *lxc_path, const char *name)
{
	struct lxc_container *c = lxc_container_new(name, lxc_path);

	if (!c)
		tn_err("lxc: cannot open container %s in %s\n", name, lxc_path);
	return c;
}

/* One quota in the two hierarchies' terms; value 0 is "no limit". */
struct quota {
	const char *v1, *v2;
	int (*fmt)(char *buf, size_t n, uint64_t v, bool cg2);
};

static int fmt_cpu(char *buf, size_t n, uint64_t mc, bool cg2)
{
	/* CFS: quota per 100 ms period; 1000 millicores = one CPU. */
	if (cg2)
		return mc ? snprintf(buf, n, "%llu 100000",
				     (unsigned long long)mc * 100) :
			    snprintf(buf, n, "max 100000");
	return mc ? snprintf(buf, n, "%llu", (unsigned long long)mc * 100) :
		    snprintf(buf, n, "-1");
}

static int fmt_plain(char *buf, size_t n, uint64_t v, bool cg2)
{
	if (!v)
		return snprintf(buf, n, cg2 ? "max" : "-1");
	return snprintf(buf, n, "%llu", (unsigned long long)v);
}

static int fmt_pids(char *buf, size_t n, uint64_t v, bool cg2)
{
	(void)cg2;
	return v ? snprintf(buf, n, "%llu", (unsigned long long)v) :
		   snprintf(buf, n, "max");
}

enum { Q_CPU, Q_MEM, Q_PIDS, Q__MAX };

static const struct quota quotas[Q__MAX] = {
	[Q_CPU] = { "cpu.cfs_quota_us", "cpu.max", fmt_cpu },
	[Q_MEM] = { "memory.limit_in_bytes", "memory.max", fmt_plain },
	[Q_PIDS] = { "pids.max", "pids.max", fmt_pids },
};

static uint64_t quota_value(const struct tn_limits *l, int q)
{
	return q == Q_CPU ? l->cpu_millicores :
	       q == Q_MEM ? l->memory_bytes :
			    l->pids;
}

static bool set_item(struct lxc_container *c, const char *key,
		     const char *value, char *err, size_t n)
{
	if (c->set_config_item(c, key, value))
		return true;
	tn_errbuf(err, n, "container %s: lxc refused %s = %s", c->name, key,
		  value);
	return false;
}

/* Writes the quotas into c's config: an unlimited one has no key. */
static bool config_limits(struct lxc_container *c, bool cg2,
			  const struct tn_limits *l, const char *cpuset,
			  char *err, size_t n)
{
	const char *pfx = cg2 ? "lxc.cgroup2." : "lxc.cgroup.";
	char key[64], val[64];

	for (int q = 0; q < Q__MAX; q++) {
		uint64_t v = quota_value(l, q);

		snprintf(key, sizeof(key), "%s%s", pfx,
			 cg2 ? quotas[q].v2 : quotas[q].v1);
		c->clear_config_item(c, key);
		if (!v)
			continue;
		quotas[q].fmt(val, sizeof(val), v, cg2);
		if (!set_item(c, key, val, err, n))
			return false;
	}
	if (!cg2) {
		c->clear_config_item(c, "lxc.cgroup.cpu.cfs_period_us");
		if (l->cpu_millicores &&
		    !set_item(c, "lxc.cgroup.cpu.cfs_period_us", "100000", err,
			      n))
			return false;
	}
	if (cpuset) {
		snprintf(key, sizeof(key), "%scpuset.cpus", pfx);
		c->clear_config_item(c, key);
		if (*cpuset && !set_item(c, key, cpuset, err, n))
			return false;
	}
	return true;
}

/* "A/P BCAST" for IPv4 (LXC wants the broadcast spelled out), as is for
 * IPv6. */
static int lxc_addr(const char *cidr, char *buf, size_t n)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');
	struct in_addr a;
	unsigned int len;

	if (!slash || (size_t)(slash - cidr) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, cidr, slash - cidr);
	ip[slash - cidr] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1) {
		snprintf(buf, n, "%s", cidr);
		return AF_INET6;
	}
	len = (unsigned int)atoi(slash + 1);
	if (len < 32)
		a.s_addr |= htonl(0xffffffffu >> len);
	snprintf(buf, n, "%s ", cidr);
	inet_ntop(AF_INET, &a, buf + strlen(buf), n - strlen(buf));
	return AF_INET;
}

static bool net_item(struct lxc_container *c, unsigned int i, const char *sfx,
		     const char *val, char *err, size_t n)
{
	char key[64];

	snprintf(key, sizeof(key), "lxc.net.%u.%s", i, sfx);
	return set_item(c, key, val, err, n);
}

static bool config_net(struct lxc_container *c, unsigned int i,
		       const struct tn_ct_net *net, char *err, size_t n)
{
	char val[128];
	int fam;

	if (!net_item(c, i, "type", "phys", err, n) ||
	    !net_item(c, i, "link", net->link, err, n) ||
	    !net_item(c, i, "name", net->name, err, n) ||
	    !net_item(c, i, "flags", "up", err, n))
		return false;
	if (net->mtu) {
		snprintf(val, sizeof(val), "%u", net->mtu);
		if (!net_item(c, i, "mtu", val, err, n))
			return false;
	}
	if (net->mac) {
		const uint8_t *m = net->mac;

		snprintf(val, sizeof(val), "%02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
		if (!net_item(c, i, "hwaddr", val, err, n))
			return false;
	}
	for (unsigned int a = 0; a < net->n_addrs; a++) {
		fam = lxc_addr(net->addrs[a], val, sizeof(val));
		if (fam < 0 ||
		    !net_item(c, i,
			      fam == AF_INET ? "ipv4.address" : "ipv6.address",
			      val, err, n))
			return false;
	}
	if (net->gateway && *net->gateway &&
	    !net_item(c, i,
		      strchr(net->gateway, ':') ? "ipv6.gateway" :
						  "ipv4.gateway",
		      net->gateway, err, n))
		return false;
	return true;
}

static int create(const struct tn_ct_spec *s, bool cgroup2, char *err, size_t n)
{
	char *argv[5] = { NULL };
	char log[4096], mnt[4096], uid[16];
	int a = 0;
	struct lxc_container *c;
	int ret = -EIO;

	c = ct_get(s->lxc_path, s->name);
	if (!c)
		return -ENOMEM;
	if (c->is_defined(c)) {
		tn_errbuf(err, n, "container %s already exists in %s", s->name,
			  s->lxc_path);
		ret = -EEXIST;
		goto out;
	}
	snprintf(log, sizeof(log), "%s/%s.log", s->lxc_path, s->name);
	/* Set before create: a container with a config in memory does not
	 * take /etc/lxc/default.conf's network. */
	if (!set_item(c, "lxc.log.file", log, err, n) ||
	    !set_item(c, "lxc.log.level", "WARN", err, n))
		goto out;
	/* Before the template: LXC runs it as the mapped root, in the user
	 * namespace, and the rootfs is that root's. */
	if (!s->map_count) {
		tn_errbuf(err, n, "container %s: no uid range to map", s->name);
		ret = -EINVAL;
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		char map[64];

		snprintf(map, sizeof(map), "%c 0 %u %u", i ? 'g' : 'u',
			 s->map_base, s->map_count);
		if (!set_item(c, "lxc.idmap", map, err, n))
			goto out;
	}
	if (s->bind_dir) {
		snprintf(mnt, sizeof(mnt),
			 "%s run/tenet none bind,create=dir 0 0", s->bind_dir);
		if (!set_item(c, "lxc.mount.entry", mnt, err, n))
			goto out;
	}
	if (!config_limits(c, cgroup2, s->limits, s->cpuset, err, n))
		goto out;
	snprintf(uid, sizeof(uid), "%u", s->router_uid);
	argv[a++] = "--router-uid";
	argv[a++] = uid;
	if (s->router) {
		argv[a++] = "--router";
		argv[a++] = (char *)s->router;
	}
	if (!c->create(c, s->template, NULL, NULL, LXC_CREATE_QUIET, argv)) {
		tn_errbuf(err, n, "container %s: template %s failed (%s)",
			  s->name, s->template, lxc_why(c));
		goto undo;
	}
	/* After the template, whose config may name a network of its own
	 * (lxc-tenet's default is an empty netns). */
	c->clear_config_item(c, "lxc.net");
	for (unsigned int i = 0; i < s->n_net; i++)
		if (!config_net(c, i, &s->net[i], err, n))
			goto undo;
	if (!c->save_config(c, NULL)) {
		tn_errbuf(err, n, "container %s: cannot save its config",
			  s->name);
		goto undo;
	}
	ret = 0;
	goto out;
undo:
	c->destroy(c);
out:
	lxc_container_put(c);
	return ret;
}

/*
 * The template runs for a second or so. Should the agent die meanwhile, it
 * must not go on writing a container no one will own after the restart's
 * sweep: create() runs as pid 1 of a pid namespace of its own, which dies
 * with the agent (PDEATHSIG), and the kernel kills the template with it.
 */
int tn_ct_create(const struct tn_ct_spec *s, bool cgroup2, char *err, size_t n)
{
	int fds[2], status, ret;
	pid_t pid;
	ssize_t len;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (!pid) {
		char msg[512] = "";

		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1 || unshare(CLONE_NEWPID))
			_exit(EIO);
		pid = fork();
		if (pid < 0)
			_exit(EIO);
		if (!pid) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			/* LXC maps the template's user namespace through
			 * /proc/PID: a /proc of this pid namespace, in a
			 * mount namespace of this process only. */
			if (unshare(CLONE_NEWNS) ||
			    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
			    mount("proc", "/proc", "proc",
				  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
				_exit(EIO);
			ret = create(s, cgroup2, msg, sizeof(msg));
			if (ret && write(fds[1], msg, strlen(msg)) < 0)
				_exit(EIO);
			_exit(-ret);
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EIO);
	}
	close(fds[1]);
	len = read(fds[0], err, n ? n - 1 : 0);
	if (n)
		err[len > 0 ? len : 0] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	ret = WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
	if (ret && n && !*err)
		tn_errbuf(err, n, "container %s: creating it failed: %s",
			  s->name, strerror(-ret));
	return ret;
}

/*
 * liblxc's start moves the process that calls it into the container's
 * monitor cgroup (seen here: tenetd ended up in lxc.monitor.<name>), so a
 * child calls it and exits once the container runs; LXC's own monitor
 * lives on, daemonized.
 */
static bool start_child(struct lxc_container *c)
{
	int status, ms = 0;
	sigset_t none;
	pid_t pid = fork(), w;

	if (pid < 0)
		return false;
	if (!pid) {
		/* The container's init inherits this mask: it must be able
		 * to take lxc-stop's SIGPWR. And it must not inherit the
		 * agent's database, sockets and lock. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Nor what tenetd ignores (say it was started by nohup): a
		 * shell cannot trap a signal ignored when it started, and
		 * tenet-init's HUP (re-read, restart the router) would be
		 * lost. */
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		/* Not past the agent: a restarted one sweeps what it left. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		c->want_close_all_fds(c, true);
		c->want_daemonize(c, true);
		_exit(c->start(c, 0, NULL) ? 0 : 1);
	}
	/* liblxc waits for an init that died during start-up for ever. */
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
	       ms < TN_CT_START_TIMEOUT_S * 1000) {
		usleep(10000);
		ms += 10;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		tn_err("lxc: container %s not started within %d s\n", c->name,
		       TN_CT_START_TIMEOUT_S);
		return false;
	}
	return w == pid && WIFEXITED(status) && !WEXITSTATUS(status);
}

int tn_ct_start(const char *lxc_path, const char *name, char *err, size_t n)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	int ret = 0;

	if (!c)
		return -ENOMEM;
	if (c->is_running(c))
		goto out;
	if (!start_child(c) || !c->wait(c, "RUNNING", TN_CT_START_TIMEOUT_S)) {
		tn_errbuf(err, n,
			  "container %s did not start (%s; log %s/%s.log)",
			  name, lxc_why(c), lxc_path, name);
		c->stop(c);
		ret = -EIO;
	}
out:
	lxc_container_put(c);
	return ret;
}

int tn_ct_stop(const char *lxc_path, const char *name, bool graceful)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	int ret = 0;

	if (!c)
		return -ENOMEM;
	if (c->is_running(c)) {
		if (!graceful || !c->shutdown(c, TN_CT_STOP_TIMEOUT_S))
			c->stop(c);
		if (!c->wait(c, "STOPPED", TN_CT_STOP_TIMEOUT_S))
			ret = -ETIMEDOUT;
	}
	lxc_container_put(c);
	return ret;
}

int tn_ct_destroy(const char *lxc_path, const char *name)
{
	struct lxc_container *c;
	int ret = tn_ct_stop(lxc_path, name, false);

	if (ret)
		return ret;
	c = ct_get(lxc_path, name);
	if (!c)
		return -ENOMEM;
	if (c->is_defined(c) && !c->destroy(c))
		ret = -EIO;
	lxc_container_put(c);
	if (!ret) {
		char log[4096];

		snprintf(log, sizeof(log), "%s/%s.log", lxc_path, name);
		unlink(log);
	}
	return ret;
}

bool tn_ct_unprivileged(const char *lxc_path, const char *name)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	char buf[256];
	bool ret = c &&
		   c->get_config_item(c, "lxc.idmap", buf, sizeof(buf)) > 0;

	if (c)
		lxc_container_put(c);
	return ret;
}

bool tn_ct_exists(const char *lxc_path, const char *name)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	bool ret = c && c->is_defined(c);

	if (c)
		lxc_container_put(c);
	return ret;
}

int tn_ct_state(const char *lxc_path, const char *name, char *state, size_t n,
		pid_t *pid)
{
	struct lxc_container *c = ct_get(lxc_path, name);

	*pid = -1;
	if (!c)
		return -ENOMEM;
	if (!c->is_defined(c)) {
		snprintf(state, n, "ABSENT");
	} else {
		snprintf(state, n, "%s", c->state(c));
		if (c->is_running(c))
			*pid = c->init_pid(c);
	}
	lxc_container_put(c);
	return 0;
}

static bool set_live(struct lxc_container *c, const char *key, const char *val,
		     char *err, size_t n)
{
	if (c->set_cgroup_item(c, key, val))
		return true;
	tn_errbuf(err, n, "container %s: the kernel refused %s = %s live",
		  c->name, key, val);
	return false;
}

/* The same quotas into a running container's cgroups. */
static bool live_limits(struct lxc_container *c, bool cg2,
			const struct tn_limits *l, const char *cpuset,
			char *err, size_t n)
{
	char val[64];

	if (!cg2 && !set_live(c, "cpu.cfs_period_us", "100000", err, n))
		return false;
	for (int q = 0; q < Q__MAX; q++) {
		quotas[q].fmt(val, sizeof(val), quota_value(l, q), cg2);
		if (!set_live(c, cg2 ? quotas[q].v2 : quotas[q].v1, val, err,
			      n))
			return false;
	}
	/* "" (any): on v2 the parent's CPUs; v1 has no such value. */
	return !cpuset || (!*cpuset && !cg2) ||
	       set_live(c, "cpuset.cpus", cpuset, err, n);
}

int tn_ct_limits(const char *lxc_path, const char *name, bool cgroup2,
		 const struct tn_limits *l, const char *cpuset, char *err,
		 size_t n)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	int ret = -EIO;

	if (!c)
		return -ENOMEM;
	if (!config_limits(c, cgroup2, l, cpuset, err, n))
		goto out;
	if (!c->save_config(c, NULL)) {
		tn_errbuf(err, n, "container %s: cannot save its config", name);
		goto out;
	}
	if (c->is_running(c) && !live_limits(c, cgroup2, l, cpuset, err, n))
		goto out;
	ret = 0;
out:
	lxc_container_put(c);
	return ret;
}

static int cg_u64(struct lxc_container *c, const char *key, uint64_t *v)
{
	char buf[64];

	if (c->get_cgroup_item(c, key, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

int tn_ct_usage(const char *lxc_path, const char *name, bool cgroup2,
		struct tn_ct_usage *u)
{
	struct lxc_container *c = ct_get(lxc_path, name);
	char buf[512], *p;
	int ret = 0;

	memset(u, 0, sizeof(*u));
	if (!c)
		return -ENOMEM;
	if (!c->is_running(c)) {
		ret = -ESRCH;
		goto out;
	}
	cg_u64(c, "pids.current", &u->pids);
	if (cgroup2) {
		cg_u64(c, "memory.current", &u->memory_bytes);
		if (c->get_cgroup_item(c, "cpu.stat", buf, sizeof(buf)) > 0 &&
		    (p = strstr(buf, "usage_usec ")))
			u->cpu_ns = strtoull(p + 11, NULL, 10) * 1000;
	} else {
		cg_u64(c, "memory.usage_in_bytes", &u->memory_bytes);
		cg_u64(c, "cpuacct.usage", &u->cpu_ns);
	}
out:
	lxc_container_put(c);
	return ret;
}
