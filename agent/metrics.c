// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics (metrics.h). The names follow Prometheus' conventions:
 * tenet_ prefix, base units, counters end in _total, one family per
 * quantity with what varies in labels (tenant, port, nic, iface, queue,
 * reason). Label values that come from a tenant (its router's interface
 * names) are escaped as the format says and kept to printable ASCII.
 *
 * A scrape reads, per tenant, two entries of tn_port_stats and of
 * tn_egress_stats (per-CPU: one lookup each), its router's stats file
 * (tn_read_beneath, as tenant stats does: the dir is the tenant's) and, for
 * a running container, three cgroup files found through its init's
 * /proc/PID/cgroup, cut at LXC's "lxc.payload.NAME[-N]" (what the tenant may
 * have made below it counts in it; a pid the kernel has since given to
 * another container's process is not taken for this one's). No LXC call,
 * no database, no lock the loop waits on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <tenet/maps.h>
#include <tenet/router_stats.h>
#include <tenet/version.h>

#include "agent.h"
#include "dp.h"
#include "fs.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "names.h"
#include "naming.h"
#include "rstats.h"
#include "session.h"
#include "store.h"
#include "supervise.h"
#include "xsk.h"

/* ---- the loop's snapshot ---- */

struct mt_tenant {
	uint32_t id;
	char name[TN_STORE_NAME_MAX + 1];
	uint8_t mode, state, fastpath, up;
	unsigned int connects, container_restarts;
	pid_t init_pid;
	struct tn_limits limits;
};

struct mt_nic {
	uint32_t id;
	char ifname[IF_NAMESIZE];
	uint8_t role;
};

struct mt_snap {
	unsigned int refs; /* under tn_metrics.mu */
	int64_t taken_ms;
	unsigned int n, cap, n_nics;
	struct mt_tenant *t;
	struct mt_nic nics[TN_MAX_NICS];
};

struct tn_metrics {
	struct tenetd *d; /* its paths only, set before the thread runs */
	struct MHD_Daemon *mhd;
	pthread_mutex_t mu;
	struct mt_snap *cur;
	/* the thread's own */
	uint64_t scrapes;
	double last_s;
};

static struct tn_metrics *mt;

static void snap_put(struct mt_snap *s)
{
	bool last;

	if (!s)
		return;
	pthread_mutex_lock(&mt->mu);
	last = --s->refs == 0;
	pthread_mutex_unlock(&mt->mu);
	if (last) {
		free(s->t);
		free(s);
	}
}

static struct mt_snap *snap_get(void)
{
	struct mt_snap *s;

	pthread_mutex_lock(&mt->mu);
	s = mt->cur;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&mt->mu);
	return s;
}

struct snap_ctx {
	struct tenetd *d;
	struct mt_snap *s;
};

static int snap_tenant(const struct tn_tenant_rec *t, void *arg)
{
	struct snap_ctx *c = arg;
	struct mt_snap *s = c->s;
	struct mt_tenant *x;
	unsigned int fresh;
	int pidfd;

	if (s->n == s->cap) {
		unsigned int cap = s->cap ? s->cap * 2 : 64;
		struct mt_tenant *p = realloc(s->t, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->t = p;
		s->cap = cap;
	}
	x = &s->t[s->n++];
	memset(x, 0, sizeof(*x));
	x->id = t->id;
	snprintf(x->name, sizeof(x->name), "%s", t->name);
	x->mode = (uint8_t)t->mode;
	x->state = (uint8_t)t->state;
	x->fastpath = t->fastpath;
	x->limits = t->limits;
	x->up = session_state(c->d, t->id, &fresh, &pidfd);
	x->connects = fresh;
	x->container_restarts = supervise_restarts(c->d, t->id);
	x->init_pid = supervise_init_pid(c->d, t->id);
	return 0;
}

static int snap_nic(const struct tn_nic_rec *n, void *arg)
{
	struct mt_snap *s = ((struct snap_ctx *)arg)->s;
	struct mt_nic *x;

	if (s->n_nics == TN_MAX_NICS)
		return 0;
	x = &s->nics[s->n_nics++];
	x->id = n->nic_id;
	x->role = (uint8_t)n->role;
	snprintf(x->ifname, sizeof(x->ifname), "%s", n->ifname);
	return 0;
}

void metrics_refresh(struct tenetd *d)
{
	struct mt_snap *s, *old;
	struct snap_ctx c = { d, NULL };

	if (!mt)
		return;
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	c.s = s;
	s->refs = 1;
	s->taken_ms = tn_now_ms();
	if (tn_store_tenant_list(d->st, snap_tenant, &c) ||
	    tn_store_nic_list(d->st, snap_nic, &c)) {
		/* The last one serves on, and says its age. */
		free(s->t);
		free(s);
		return;
	}
	pthread_mutex_lock(&mt->mu);
	old = mt->cur;
	mt->cur = s;
	pthread_mutex_unlock(&mt->mu);
	snap_put(old);
}

/* ---- what a scrape reads ---- */

struct mt_counts {
	struct tn_stats port[2], egress[2];
	bool have_rs, have_restarts, have_usage;
	struct tn_rstats_file rs;
	uint64_t restarts;
	uint64_t cpu_ns, memory_bytes, pids;
};

int metrics_cg_path(const char *text, const char *name, bool v2,
		    const char *ctrl, char *out, size_t n)
{
	char want[TN_STORE_NAME_MAX + 16], line[1024];
	size_t wl, cl = strlen(ctrl);
	const char *next;

	wl = (size_t)snprintf(want, sizeof(want), "/lxc.payload.%s", name);
	for (const char *l = text; l && *l; l = next) {
		size_t ll = strcspn(l, "\n");
		char *ctrls, *p, *end, *w;

		next = l[ll] ? l + ll + 1 : NULL;
		if (ll >= sizeof(line))
			continue;
		memcpy(line, l, ll);
		line[ll] = '\0';
		/* ID:CONTROLLERS:PATH; v2's has no controllers */
		if (!(ctrls = strchr(line, ':')) || !(p = strchr(++ctrls, ':')))
			continue;
		*p++ = '\0';
		if (v2 && *ctrls)
			continue;
		if (!v2) { /* ctrl, a whole word of the list */
			for (w = strstr(ctrls, ctrl); w;
			     w = strstr(w + 1, ctrl))
				if ((w == ctrls || w[-1] == ',') &&
				    (w[cl] == '\0' || w[cl] == ','))
					break;
			if (!w)
				continue;
		}
		for (end = strstr(p, want); end; end = strstr(end + 1, want)) {
			/* LXC adds "-N" to a name a cgroup has already */
			size_t k = wl;

			if (end[k] == '-' && end[k + 1] >= '0' &&
			    end[k + 1] <= '9')
				for (k++; end[k] >= '0' && end[k] <= '9'; k++)
					;
			if (end[k] == '\0' || end[k] == '/') {
				end[k] = '\0';
				break;
			}
		}
		if (!end)
			continue;
		return snprintf(out, n, "/sys/fs/cgroup%s%s%s", v2 ? "" : "/",
				v2 ? "" : ctrl, p) < (int)n ?
			       0 :
			       -ENAMETOOLONG;
	}
	return -ENOENT;
}

/* The container's cgroup dir for ctrl, through its init's /proc/PID/cgroup
 * (metrics_cg_path). */
static int cg_dir(pid_t pid, const char *name, bool v2, const char *ctrl,
		  char *out, size_t n)
{
	char path[64], text[4096];
	ssize_t len;
	int fd;

	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	text[len] = '\0';
	return metrics_cg_path(text, name, v2, ctrl, out, n);
}

static int read_u64(const char *dir, const char *file, const char *key,
		    uint64_t *v)
{
	char path[4200], buf[1024], *p = buf;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	if (key) {
		size_t kl = strlen(key);

		for (p = buf; p && (strncmp(p, key, kl) || p[kl] != ' ');
		     p = strchr(p, '\n'), p = p ? p + 1 : NULL)
			;
		if (!p)
			return -ENOENT;
		p += kl + 1;
	}
	*v = strtoull(p, NULL, 10);
	return 0;
}

static void usage_read(struct tenetd *d, const struct mt_tenant *t,
		       struct mt_counts *c)
{
	char dir[4096];
	bool v2 = d->cgroup2;
	uint64_t usec = 0;

	if (cg_dir(t->init_pid, t->name, v2, "memory", dir, sizeof(dir)) ||
	    read_u64(dir, v2 ? "memory.current" : "memory.usage_in_bytes", NULL,
		     &c->memory_bytes))
		return;
	if (v2) {
		if (read_u64(dir, "cpu.stat", "usage_usec", &usec) ||
		    read_u64(dir, "pids.current", NULL, &c->pids))
			return;
		c->cpu_ns = usec * 1000;
	} else if (cg_dir(t->init_pid, t->name, v2, "cpuacct", dir,
			  sizeof(dir)) ||
		   read_u64(dir, "cpuacct.usage", NULL, &c->cpu_ns) ||
		   cg_dir(t->init_pid, t->name, v2, "pids", dir, sizeof(dir)) ||
		   read_u64(dir, "pids.current", NULL, &c->pids)) {
		return;
	}
	c->have_usage = true;
}

static void counts_read(struct tenetd *d, const struct mt_tenant *t,
			int port_fd, int egress_fd, struct mt_counts *c)
{
	char dir[4096], buf[32];
	ssize_t n;

	memset(c, 0, sizeof(*c));
	for (int role = 0; role < 2; role++) {
		__u32 port = tn_port(t->id, (__u32)role);

		if (port_fd >= 0)
			tn_dp_stats_read(port_fd, port, &c->port[role]);
		if (egress_fd >= 0)
			tn_dp_stats_read(egress_fd, port, &c->egress[role]);
	}
	sock_dir(d, t->name, dir, sizeof(dir));
	c->have_rs = tn_read_beneath(dir, "router.stats", &c->rs,
				     sizeof(c->rs)) == (ssize_t)sizeof(c->rs) &&
		     c->rs.magic == TN_RSTATS_MAGIC &&
		     c->rs.version == TN_RSTATS_VERSION;
	if (c->have_rs && c->rs.nslots > TN_RSTATS_MAX)
		c->rs.nslots = TN_RSTATS_MAX;
	rootfs_dir(d, t->name, dir, sizeof(dir));
	n = tn_read_beneath(dir, "run/tenet-init.restarts", buf,
			    sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		c->restarts = strtoull(buf, NULL, 10);
		c->have_restarts = true;
	}
	if (t->init_pid > 0)
		usage_read(d, t, c);
}

/* ---- the text ---- */

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_lval(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' || ch == '"')
			fprintf(f, "\\%c", ch);
		else
			fputc(ch >= 0x20 && ch < 0x7f ? ch : '?', f);
	}
}

/* name{tenant="NAME"[,port="ROLE"] */
static void t_open(FILE *f, const char *name, const struct mt_tenant *t,
		   int role)
{
	fprintf(f, "%s{tenant=\"", name);
	metrics_lval(f, t->name, sizeof(t->name));
	if (role >= 0)
		fprintf(f, "\",port=\"%s", tn_role_names[role]);
	fputc('"', f);
}

/* name{nic="IFNAME",role="ROLE" */
static void nic_open(FILE *f, const char *name, const struct mt_nic *n)
{
	fprintf(f, "%s{nic=\"", name);
	metrics_lval(f, n->ifname, sizeof(n->ifname));
	fprintf(f, "\",role=\"%s\"", tn_role_names[n->role]);
}

/* The counters of struct tn_stats, where each stage has them. */
enum { AT_NIC = 1, AT_PORT = 2, AT_EGRESS = 4 };
static const struct stat_field {
	const char *name, *help;
	size_t off;
	unsigned int at;
} stat_fields[] = {
#define F(n, at, h)                                     \
	{                                               \
#n, h, offsetof(struct tn_stats, n), at \
	}
	F(rx_packets, AT_NIC | AT_PORT | AT_EGRESS, "Frames received"),
	F(rx_bytes, AT_NIC | AT_PORT | AT_EGRESS, "Bytes received"),
	F(tx_packets, AT_NIC | AT_PORT | AT_EGRESS,
	  "Frames delivered (to tenants, or out the NIC for egress)"),
	F(tx_bytes, AT_NIC | AT_PORT | AT_EGRESS, "Bytes delivered"),
	F(pass_packets, AT_NIC | AT_PORT, "Frames given to the kernel stack"),
	F(pass_bytes, AT_NIC | AT_PORT, "Bytes given to the kernel stack"),
	F(nosock_packets, AT_PORT,
	  "Transit frames that found no AF_XDP socket"),
	F(direct_packets, AT_NIC | AT_PORT,
	  "Frames put into the tenant's socket on its NIC queue"),
	F(offqueue_packets, AT_NIC | AT_PORT,
	  "Direct-mode frames that came in on a queue the tenant does not own"),
	F(fast_packets, AT_NIC | AT_PORT,
	  "Frames forwarded by the tenant's fast table"),
	F(fast_bytes, AT_NIC | AT_PORT,
	  "Bytes forwarded by the tenant's fast table"),
	F(fast_zc_packets, AT_NIC | AT_PORT,
	  "Fast-table frames left to the router: their queue is zero-copy"),
#undef F
};

static const char *const stage_names[] = { "nic", "port", "egress" };

static uint64_t field(const struct tn_stats *st, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)st + off, sizeof(v));
	return v;
}

struct scrape {
	FILE *f;
	struct tenetd *d;
	struct mt_snap *s;
	struct mt_counts *c; /* per tenant of s */
	struct tn_stats nic[TN_MAX_NICS];
};

/* Each tn_stats counter of stage (0 nic, 1 port, 2 egress), then its
 * drops by reason. */
static void emit_stage(struct scrape *x, int stage)
{
	FILE *f = x->f;
	char name[96];

	for (size_t k = 0; k < sizeof(stat_fields) / sizeof(stat_fields[0]);
	     k++) {
		const struct stat_field *sf = &stat_fields[k];

		if (!(sf->at & (1u << stage)))
			continue;
		snprintf(name, sizeof(name), "tenet_%s_%s_total",
			 stage_names[stage], sf->name);
		family(f, name, "counter", sf->help);
		if (stage == 0) {
			for (unsigned int i = 0; i < x->s->n_nics; i++) {
				nic_open(f, name, &x->s->nics[i]);
				fprintf(f, "} %" PRIu64 "\n",
					field(&x->nic[i], sf->off));
			}
			continue;
		}
		for (unsigned int i = 0; i < x->s->n; i++)
			for (int role = 0; role < 2; role++) {
				const struct mt_counts *c = &x->c[i];

				t_open(f, name, &x->s->t[i], role);
				fprintf(f, "} %" PRIu64 "\n",
					field(stage == 1 ? &c->port[role] :
							   &c->egress[role],
					      sf->off));
			}
	}
	snprintf(name, sizeof(name), "tenet_%s_drops_total",
		 stage_names[stage]);
	family(f, name, "counter", "Frames dropped, by reason");
	for (int r = 0; r < TN_DROP__MAX; r++) {
		if (stage == 0) {
			for (unsigned int i = 0; i < x->s->n_nics; i++) {
				nic_open(f, name, &x->s->nics[i]);
				fprintf(f, ",reason=\"%s\"} %" PRIu64 "\n",
					tn_drop_names[r],
					(uint64_t)x->nic[i].drop_packets[r]);
			}
			continue;
		}
		for (unsigned int i = 0; i < x->s->n; i++)
			for (int role = 0; role < 2; role++) {
				const struct mt_counts *c = &x->c[i];

				t_open(f, name, &x->s->t[i], role);
				fprintf(f, ",reason=\"%s\"} %" PRIu64 "\n",
					tn_drop_names[r],
					(uint64_t)(stage == 1 ? c->port[role] :
								c->egress[role])
						.drop_packets[r]);
			}
	}
}

/* name{tenant,iface,queue} for a router's slot. */
static void slot_open(FILE *f, const char *name, const struct mt_tenant *t,
		      const struct tn_rstats_slot *sl)
{
	t_open(f, name, t, -1);
	fputs(",iface=\"", f);
	metrics_lval(f, sl->ifname, sizeof(sl->ifname));
	fprintf(f, "\",queue=\"%u\"", sl->queue);
}

static void emit_router(struct scrape *x)
{
	FILE *f = x->f;
	char name[96], help[128];

	family(f, "tenet_router_up", "gauge",
	       "1 while the tenant's router holds its sockets");
	for (unsigned int i = 0; i < x->s->n; i++) {
		t_open(f, "tenet_router_up", &x->s->t[i], -1);
		fprintf(f, "} %d\n", x->s->t[i].up);
	}
	family(f, "tenet_router_connects_total", "counter",
	       "Routers handed their sockets since tenetd started");
	for (unsigned int i = 0; i < x->s->n; i++) {
		t_open(f, "tenet_router_connects_total", &x->s->t[i], -1);
		fprintf(f, "} %u\n", x->s->t[i].connects);
	}
	family(f, "tenet_router_restarts_total", "counter",
	       "Router restarts by the container's init");
	for (unsigned int i = 0; i < x->s->n; i++)
		if (x->c[i].have_restarts) {
			t_open(f, "tenet_router_restarts_total", &x->s->t[i],
			       -1);
			fprintf(f, "} %" PRIu64 "\n", x->c[i].restarts);
		}
	family(f, "tenet_container_restarts_total", "counter",
	       "Container starts by tenetd's supervision since it started");
	for (unsigned int i = 0; i < x->s->n; i++) {
		t_open(f, "tenet_container_restarts_total", &x->s->t[i], -1);
		fprintf(f, "} %u\n", x->s->t[i].container_restarts);
	}
	family(f, "tenet_router_xsk_info", "gauge",
	       "The router's AF_XDP sockets: mode in use (and requested)");
	for (unsigned int i = 0; i < x->s->n; i++)
		for (uint32_t k = 0; x->c[i].have_rs && k < x->c[i].rs.nslots;
		     k++) {
			const struct tn_rstats_slot *sl = &x->c[i].rs.slot[k];

			if (!sl->used)
				continue;
			slot_open(f, "tenet_router_xsk_info", &x->s->t[i], sl);
			fprintf(f, ",direct=\"%s\",mode=\"%s\"} 1\n",
				sl->direct ? "true" : "false",
				tn_xsk_mode_name(sl->zc_requested,
						 sl->zc_in_use));
		}
	for (int k = 0; k < TN_RC__MAX; k++) {
		snprintf(name, sizeof(name), "tenet_router_%s_total",
			 tn_rc_names[k]);
		snprintf(help, sizeof(help),
			 "tenet-router's %s counter, per interface and queue",
			 tn_rc_names[k]);
		family(f, name, "counter", help);
		for (unsigned int i = 0; i < x->s->n; i++)
			for (uint32_t j = 0;
			     x->c[i].have_rs && j < x->c[i].rs.nslots; j++) {
				const struct tn_rstats_slot *sl =
					&x->c[i].rs.slot[j];

				if (!sl->used)
					continue;
				slot_open(f, name, &x->s->t[i], sl);
				fprintf(f, "} %" PRIu64 "\n", sl->ctr[k]);
			}
	}
}

static void emit_tenants(struct scrape *x)
{
	static const struct {
		const char *name, *help;
	} lim[] = {
		{ "tenet_tenant_limit_cpu_cores", "CPU quota, in cores" },
		{ "tenet_tenant_limit_memory_bytes", "Memory limit" },
		{ "tenet_tenant_limit_pids", "Task limit" },
		{ "tenet_tenant_limit_rate_bytes_per_second",
		  "Rate limit, each way" },
		{ "tenet_tenant_limit_packets_per_second",
		  "Packet-rate limit, each way" },
	};
	FILE *f = x->f;

	family(f, "tenet_tenant_info", "gauge",
	       "A tenant: its id, mode, state and fast path");
	for (unsigned int i = 0; i < x->s->n; i++) {
		const struct mt_tenant *t = &x->s->t[i];

		t_open(f, "tenet_tenant_info", t, -1);
		fprintf(f,
			",id=\"%u\",mode=\"%s\",state=\"%s\",fastpath=\"%s\"} 1\n",
			t->id, tn_tenant_mode_names[t->mode],
			tn_store_state_name((enum tn_tenant_state)t->state),
			tn_onoff_names[t->fastpath]);
	}
	/* A limit absent is no limit. */
	for (size_t k = 0; k < sizeof(lim) / sizeof(lim[0]); k++) {
		family(f, lim[k].name, "gauge", lim[k].help);
		for (unsigned int i = 0; i < x->s->n; i++) {
			const struct tn_limits *l = &x->s->t[i].limits;
			const double v[] = { l->cpu_millicores / 1000.0,
					     (double)l->memory_bytes,
					     (double)l->pids,
					     (double)l->rate_bps / 8,
					     (double)l->pps };

			if (!v[k])
				continue;
			t_open(f, lim[k].name, &x->s->t[i], -1);
			fprintf(f, "} %.17g\n", v[k]);
		}
	}
	family(f, "tenet_tenant_cpu_seconds_total", "counter",
	       "CPU time of the tenant's container (cgroup)");
	for (unsigned int i = 0; i < x->s->n; i++)
		if (x->c[i].have_usage) {
			t_open(f, "tenet_tenant_cpu_seconds_total", &x->s->t[i],
			       -1);
			fprintf(f, "} %.9f\n", x->c[i].cpu_ns / 1e9);
		}
	family(f, "tenet_tenant_memory_bytes", "gauge",
	       "Memory of the tenant's container (cgroup)");
	for (unsigned int i = 0; i < x->s->n; i++)
		if (x->c[i].have_usage) {
			t_open(f, "tenet_tenant_memory_bytes", &x->s->t[i], -1);
			fprintf(f, "} %" PRIu64 "\n", x->c[i].memory_bytes);
		}
	family(f, "tenet_tenant_pids", "gauge",
	       "Tasks in the tenant's container (cgroup)");
	for (unsigned int i = 0; i < x->s->n; i++)
		if (x->c[i].have_usage) {
			t_open(f, "tenet_tenant_pids", &x->s->t[i], -1);
			fprintf(f, "} %" PRIu64 "\n", x->c[i].pids);
		}
}

static void emit_self(struct scrape *x, double read_s)
{
	FILE *f = x->f;
	unsigned int up = 0;

	for (unsigned int i = 0; i < x->s->n; i++)
		up += x->s->t[i].up;
	family(f, "tenet_build_info", "gauge",
	       "tenetd's version, and the router build containers get");
	fprintf(f, "tenet_build_info{version=\"%s\",router_build=\"",
		TENET_VERSION);
	metrics_lval(f, x->d->router_build, sizeof(x->d->router_build));
	fputs("\"} 1\n", f);
	family(f, "tenet_start_time_seconds", "gauge",
	       "When tenetd started, Unix time");
	fprintf(f, "tenet_start_time_seconds %lld\n", (long long)x->d->started);
	family(f, "tenet_tenants", "gauge", "Tenants in tenetd's database");
	fprintf(f, "tenet_tenants %u\n", x->s->n);
	family(f, "tenet_nics", "gauge", "NICs attached");
	fprintf(f, "tenet_nics %u\n", x->s->n_nics);
	family(f, "tenet_routers_up", "gauge", "Routers holding their sockets");
	fprintf(f, "tenet_routers_up %u\n", up);
	family(f, "tenet_metrics_snapshot_age_seconds", "gauge",
	       "Age of tenetd's list of tenants this scrape used");
	fprintf(f, "tenet_metrics_snapshot_age_seconds %.3f\n",
		(double)(tn_now_ms() - x->s->taken_ms) / 1000);
	family(f, "tenet_metrics_scrapes_total", "counter",
	       "Scrapes served since tenetd started");
	fprintf(f, "tenet_metrics_scrapes_total %" PRIu64 "\n", mt->scrapes);
	family(f, "tenet_metrics_read_seconds", "gauge",
	       "Time this scrape took to read every counter");
	fprintf(f, "tenet_metrics_read_seconds %.6f\n", read_s);
	family(f, "tenet_metrics_last_scrape_seconds", "gauge",
	       "Time the previous scrape took, from request to text");
	fprintf(f, "tenet_metrics_last_scrape_seconds %.6f\n", mt->last_s);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The whole text, malloc'ed; NULL when there is no snapshot yet. */
static char *scrape(size_t *len)
{
	struct scrape x = { .d = mt->d };
	double t0 = now_s(), read_s;
	char *buf = NULL;
	int port_fd, egress_fd, nic_fd;

	x.s = snap_get();
	if (!x.s)
		return NULL;
	x.c = calloc(x.s->n ? x.s->n : 1, sizeof(*x.c));
	x.f = x.c ? open_memstream(&buf, len) : NULL;
	if (!x.f) {
		free(x.c);
		snap_put(x.s);
		return NULL;
	}
	port_fd = tn_dp_map_open(x.d->bpffs, TN_MAP_PORT_STATS);
	egress_fd = tn_dp_map_open(x.d->bpffs, TN_MAP_EGRESS_STATS);
	nic_fd = tn_dp_map_open(x.d->bpffs, TN_MAP_NIC_STATS);
	for (unsigned int i = 0; i < x.s->n; i++)
		counts_read(x.d, &x.s->t[i], port_fd, egress_fd, &x.c[i]);
	for (unsigned int i = 0; nic_fd >= 0 && i < x.s->n_nics; i++)
		tn_dp_stats_read(nic_fd, x.s->nics[i].id, &x.nic[i]);
	for (int *fd = (int[]){ port_fd, egress_fd, nic_fd, -2 }; *fd != -2;
	     fd++)
		if (*fd >= 0)
			close(*fd);
	read_s = now_s() - t0;
	mt->scrapes++;
	emit_self(&x, read_s);
	emit_tenants(&x);
	for (int stage = 0; stage < 3; stage++)
		emit_stage(&x, stage);
	emit_router(&x);
	fclose(x.f);
	free(x.c);
	snap_put(x.s);
	mt->last_s = now_s() - t0;
	return buf;
}

/* ---- HTTP ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     char *body, size_t len, bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body,
		owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(
		r, MHD_HTTP_HEADER_CONTENT_TYPE,
		code == MHD_HTTP_OK ?
			"text/plain; version=0.0.4; charset=utf-8" :
			"text/plain; charset=utf-8");
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

#define STATIC_BODY(s) (char *)(s), sizeof(s) - 1, false

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static int first;
	size_t len = 0;
	char *body;

	(void)cls;
	(void)version;
	(void)upload;
	/* The first call is for the headers: a body, if any, is not read. */
	if (!*state) {
		*state = &first;
		return MHD_YES;
	}
	*upload_size = 0;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			     STATIC_BODY("GET /metrics\n"));
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND,
			     STATIC_BODY("tenetd serves /metrics only\n"));
	body = scrape(&len);
	if (!body)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			     STATIC_BODY("tenetd has no snapshot yet\n"));
	return reply(conn, MHD_HTTP_OK, body, len, true);
}

/* ---- start, stop ---- */

int metrics_parse_addr(const char *s, struct sockaddr_storage *ss,
		       socklen_t *len, char *err, size_t n)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':'), *h = host;
	size_t hl;
	char *end;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (!colon) {
		snprintf(err, n, "%s: not ADDR:PORT", s);
		return -EINVAL;
	}
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || !port || port > 65535 ||
	    colon[1] == '+' || colon[1] == '-') {
		snprintf(err, n, "%s: the port must be 1..65535", s);
		return -EINVAL;
	}
	hl = (size_t)(colon - s);
	if (hl >= sizeof(host)) {
		snprintf(err, n, "%s: not an IP address", s);
		return -EINVAL;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		h = host + 1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		if (inet_pton(AF_INET6, h, &a->sin6_addr) == 1)
			return 0;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		if (!*h) {
			a->sin_addr.s_addr = htonl(INADDR_ANY);
			return 0;
		}
		if (inet_pton(AF_INET, h, &a->sin_addr) == 1)
			return 0;
	}
	snprintf(err, n, "%s: \"%s\" is not an IP address (IPv6 in [])", s, h);
	return -EINVAL;
}

int metrics_listen(const char *addr, char *err, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, e;

	e = metrics_parse_addr(addr, &ss, &len, err, n);
	if (e)
		return e;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 64)) {
		e = -errno;
		snprintf(err, n, "%s: cannot listen: %s", addr, strerror(-e));
		if (fd >= 0)
			close(fd);
		return e;
	}
	return fd;
}

int metrics_start(struct tenetd *d, int fd, const char *addr)
{
	mt = calloc(1, sizeof(*mt));
	if (!mt) {
		close(fd);
		return -ENOMEM;
	}
	mt->d = d;
	pthread_mutex_init(&mt->mu, NULL);
	metrics_refresh(d);
	/* One thread serves every connection in turn: scrapes never run
	 * at once, and a client that holds its connection holds one of
	 * 16, for at most 10 s. */
	mt->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
		on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT,
		10u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
		MHD_OPTION_END);
	if (!mt->mhd) {
		tn_err("--metrics %s: cannot serve\n", addr);
		close(fd);
		metrics_stop(d);
		return -EIO;
	}
	tn_info("metrics on http://%s/metrics\n", addr);
	return 0;
}

void metrics_stop(struct tenetd *d)
{
	(void)d;
	if (!mt)
		return;
	if (mt->mhd)
		MHD_stop_daemon(mt->mhd);
	snap_put(mt->cur);
	pthread_mutex_destroy(&mt->mu);
	free(mt);
	mt = NULL;
}
