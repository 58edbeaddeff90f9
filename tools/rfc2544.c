// SPDX-License-Identifier: GPL-2.0
/*
 * tn-rfc2544: RFC 2544 throughput, overload and latency with an in-kernel
 * generator and an XDP sink (tools/README.rfc2544.md).
 *
 *   tn-rfc2544 trial    --gen DEV --sink DEV [--rate PPS] [options]
 *   tn-rfc2544 search   --gen DEV --sink DEV [options]
 *   tn-rfc2544 overload --gen DEV --sink DEV [--rate PPS] [options]
 *   tn-rfc2544 latency  --gen DEV --sink DEV --rate PPS [options]
 *   tn-rfc2544 xconnect --in DEV --out DEV --dst-mac MAC [options]
 *   tn-rfc2544 xconnect --in DEV --detach
 *
 * The generator is BPF_PROG_RUN with live frames out of --gen, paced
 * frame by frame in the kernel to the target rate; rfc_gen writes each
 * frame's tenant, size and transmit time. The sink is rfc_sink on --sink: per tenant counts and a
 * latency histogram, read after each trial. No userspace on the timing
 * path: both timestamps are bpf_ktime_get_ns() in XDP.
 *
 * Output: one JSON object a line on stdout, "type" first: every trial, then
 * the command's summary. xconnect, the benchmark's router-less ceiling, is
 * tools/rfc2544_xc.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "parse.h"
#include "rfc2544.h"
#include "rfc2544.skel.h"
#include "rfc2544_search.h"
#include "rfc2544_xc.h"

struct opts {
	const char *gen_dev, *gen_ns, *sink_dev, *sink_ns;
	uint32_t size; /* 0: IMIX */
	uint32_t ntenants;
	int flood; /* --flood-tenant: the tenant, -1: none */
	uint16_t vids[RFC_MAX_TENANTS]; /* 0: untagged */
	uint8_t dst_mac[6], src_mac[6];
	uint8_t dst_macs[RFC_MAX_TENANTS][6]; /* per tenant: --dst-macs */
	uint32_t ndst_macs; /* 0: every tenant dst_mac */
	uint32_t src_ip, dst_ip, ip_step; /* host order */
	uint32_t port;
	double duration, rate, lo, hi, resolution, loss_tol, gen_tol;
	double latency_at;
	uint32_t drain_ms, batch, repeat, retries;
	int cpu, overload, skb_mode;
};

struct app {
	struct opts o;
	struct rfc2544 *skel;
	int gen_ifindex, sink_ifindex;
	int ns_gen, ns_sink; /* -1: the netns we started in */
	int ncpu;
	bool sink_attached;
	uint32_t pkt_len; /* data_in: the largest frame of the mix */
	const char *mode; /* for the trial lines */
};

/* One trial's everything. With a flood tenant, t, sent_bytes, all and
 * jain are the paced tenants' and the flood is apart. */
struct result {
	struct rfc_trial t;
	double seconds;
	uint64_t sent_bytes;
	uint64_t *gen_pkts; /* per tenant */
	struct rfc_sink_stats *rx; /* per tenant */
	struct rfc_sink_stats all;
	struct rfc_sink_misc misc;
	double jain;
	uint64_t flood_sent, flood_received;
	double flood_pps;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- namespaces ---- */

int rfc_ns_open(const char *name)
{
	char path[256];

	if (!name)
		return -1;
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Enter ns (or the one we started in, held as ns_home). */
static int ns_home = -1;

static int ns_enter(int ns)
{
	if (setns(ns >= 0 ? ns : ns_home, CLONE_NEWNET)) {
		fprintf(stderr, "tn-rfc2544: setns: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- set-up ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t ip_csum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet, the tenant's tag, IPv4 and UDP for a frame of len bytes
 * (without FCS). */
static void build_tmpl(const struct opts *o, uint32_t tenant, uint32_t len,
		       struct rfc_gen_tmpl *t)
{
	uint8_t *p = t->b, *ip;
	uint32_t l3 = len - (o->vids[0] ? 18 : 14);

	memset(t, 0, sizeof(*t));
	memcpy(p, o->dst_macs[tenant], 6);
	memcpy(p + 6, o->src_mac, 6);
	p += 12;
	if (o->vids[0]) {
		put16(p, ETH_P_8021Q);
		put16(p + 2, o->vids[tenant]);
		p += 4;
	}
	put16(p, ETH_P_IP);
	ip = p + 2;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)l3);
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, o->src_ip + tenant * o->ip_step);
	put32(ip + 16, o->dst_ip + tenant * o->ip_step);
	put16(ip + 10, ip_csum(ip));
	put16(ip + 20, (uint16_t)(1024 + tenant));
	put16(ip + 22, (uint16_t)o->port);
	put16(ip + 24, (uint16_t)(l3 - 20));
}

static const uint16_t imix_len[RFC_NCLS] = { 60, 566, 1514 };
static const uint8_t imix_pat[RFC_PAT] = { 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1 };

static int setup(struct app *a)
{
	struct opts *o = &a->o;
	struct rfc2544 *s;
	uint32_t ncls = o->size ? 1 : RFC_NCLS;
	int err;

	s = rfc2544__open();
	if (!s) {
		fprintf(stderr, "tn-rfc2544: open: %s\n", strerror(errno));
		return -errno;
	}
	a->skel = s;
	s->rodata->ntenants = o->ntenants;
	s->rodata->hdr_len = o->vids[0] ? RFC_HDR_TAGGED : RFC_HDR_UNTAGGED;
	s->rodata->sink_port = (uint16_t)o->port;
	s->rodata->flood_tenant = o->flood >= 0 ? (uint32_t)o->flood :
						  RFC_NO_FLOOD;
	if (o->size) {
		s->rodata->pat_len = 1;
		s->rodata->pat_cls[0] = 0;
		s->rodata->cls_len[0] = (uint16_t)(o->size - 4);
		a->pkt_len = o->size - 4;
	} else {
		s->rodata->pat_len = RFC_PAT;
		for (int i = 0; i < RFC_PAT; i++)
			s->rodata->pat_cls[i] = imix_pat[i];
		for (int i = 0; i < RFC_NCLS; i++)
			s->rodata->cls_len[i] = imix_len[i];
		a->pkt_len = imix_len[RFC_NCLS - 1];
	}
	bpf_map__set_max_entries(s->maps.gen_tmpl, o->ntenants * RFC_NCLS);
	bpf_map__set_max_entries(s->maps.gen_stats, o->ntenants);
	bpf_map__set_max_entries(s->maps.sink_stats, o->ntenants);
	err = rfc2544__load(s);
	if (err) {
		fprintf(stderr, "tn-rfc2544: load: %s\n", strerror(-err));
		return err;
	}
	for (uint32_t t = 0; t < o->ntenants; t++) {
		for (uint32_t c = 0; c < ncls; c++) {
			struct rfc_gen_tmpl tm;
			uint32_t key = t * RFC_NCLS + c;

			build_tmpl(o, t, o->size ? o->size - 4 : imix_len[c],
				   &tm);
			if (bpf_map_update_elem(bpf_map__fd(s->maps.gen_tmpl),
						&key, &tm, 0))
				return -errno;
		}
	}
	return 0;
}

static int sink_attach(struct app *a, bool on)
{
	__u32 flags = a->o.skb_mode ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int err;

	if (ns_enter(a->ns_sink))
		return -1;
	if (on) {
		err = bpf_xdp_attach(a->sink_ifindex,
				     bpf_program__fd(a->skel->progs.rfc_sink),
				     flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (err)
			fprintf(stderr,
				"tn-rfc2544: attaching the sink to %s: %s\n",
				a->o.sink_dev, strerror(-err));
		else
			a->sink_attached = true;
	} else {
		err = bpf_xdp_detach(a->sink_ifindex, flags, NULL);
		a->sink_attached = false;
	}
	if (ns_enter(a->ns_gen))
		return -1;
	return err;
}

/* ---- maps ---- */

static int zero_map(struct bpf_map *m, size_t vsize, uint32_t n, int ncpu)
{
	void *z = calloc((size_t)ncpu, vsize);
	int err = 0;

	if (!z)
		return -ENOMEM;
	for (uint32_t k = 0; k < n && !err; k++)
		if (bpf_map_update_elem(bpf_map__fd(m), &k, z, 0))
			err = -errno;
	free(z);
	return err;
}

static int read_maps(struct app *a, struct result *r)
{
	size_t ss = sizeof(struct rfc_sink_stats);
	uint32_t nt = a->o.ntenants, zero = 0;
	struct rfc_gen_stats g[a->ncpu];
	struct rfc_sink_misc m[a->ncpu];
	struct rfc_sink_stats *v = calloc((size_t)a->ncpu, ss);
	int err = 0;

	if (!v)
		return -ENOMEM;
	memset(&r->all, 0, sizeof(r->all));
	memset(&r->misc, 0, sizeof(r->misc));
	r->t.sent = r->sent_bytes = r->flood_sent = r->flood_received = 0;
	for (uint32_t t = 0; t < nt && !err; t++) {
		r->gen_pkts[t] = 0;
		memset(&r->rx[t], 0, ss);
		if (bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.gen_stats),
					&t, g) ||
		    bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.sink_stats),
					&t, v)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < a->ncpu; c++)
			r->gen_pkts[t] += g[c].packets;
		for (int c = 0; c < a->ncpu; c++)
			rfc_sink_stats_add(&r->rx[t], &v[c]);
		if ((int)t == a->o.flood) {
			r->flood_sent = r->gen_pkts[t];
			r->flood_received = r->rx[t].packets;
			continue; /* apart from the paced tenants' figures */
		}
		for (int c = 0; c < a->ncpu; c++)
			r->sent_bytes += g[c].bytes;
		r->t.sent += r->gen_pkts[t];
		rfc_sink_stats_add(&r->all, &r->rx[t]);
	}
	if (!err &&
	    bpf_map_lookup_elem(bpf_map__fd(a->skel->maps.sink_misc), &zero, m))
		err = -errno;
	for (int c = 0; !err && c < a->ncpu; c++) {
		r->misc.other += m[c].other;
		r->misc.bad_tenant += m[c].bad_tenant;
		r->misc.future += m[c].future;
	}
	free(v);
	r->t.received = r->all.packets;
	return err;
}

/* ---- a trial ---- */

static void on_wake(int sig)
{
	(void)sig; /* only to interrupt BPF_PROG_RUN (EINTR) */
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The generating thread: BPF_PROG_RUN until told to end (SIGUSR1). */
struct gen_run {
	int prog;
	struct bpf_test_run_opts *ro;
	volatile int end, done;
	int err;
	int cpu;
};

static void *gen_thread(void *arg)
{
	struct gen_run *g = arg;

	if (g->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(g->cpu, &set);
		g->err = -pthread_setaffinity_np(pthread_self(), sizeof(set),
						 &set);
		if (g->err) {
			g->done = 1;
			return NULL; /* --cpu not honoured: no trial */
		}
	}
	while (!g->end && !stop) {
		if (bpf_prog_test_run_opts(g->prog, g->ro) && errno != EINTR) {
			g->err = -errno;
			break;
		}
	}
	g->done = 1;
	return NULL;
}

/*
 * Offers target pps (0: as fast as it can) for the trial's duration. The
 * pacing is rfc_gen's, frame by frame (struct rfc_gen_ctl): one
 * BPF_PROG_RUN runs the whole trial, in a thread ended by SIGUSR1 a
 * little after the last frame is due (a live-frames run costs ms to set up, far too much
 * to pace with many short runs). Then drain_ms for frames in flight, and
 * the maps. offered_pps is frames sent over the time from the first to
 * one interval after the last (kernel clock), or over the time the
 * schedule allotted them if longer: a generator that falls behind shows.
 */
static int run_trial(struct app *a, double target, struct result *r)
{
	const struct opts *o = &a->o;
	struct xdp_md ctx = { .ingress_ifindex = (uint32_t)a->gen_ifindex,
			      .data_end = a->pkt_len };
	uint8_t buf[RFC_HDR_TAGGED + 1600] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = buf,
		    .data_size_in = a->pkt_len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = UINT32_MAX,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = o->batch);
	int fd = bpf_map__fd(a->skel->maps.gen_ctl), err;
	struct gen_run g = { .prog = bpf_program__fd(a->skel->progs.rfc_gen),
			     .ro = &ro,
			     .cpu = o->cpu };
	struct rfc_gen_ctl ctl = { 0 };
	uint64_t end_ns;
	uint32_t zero = 0;
	double t0, window;
	pthread_t tid;

	if (zero_map(a->skel->maps.gen_stats, sizeof(struct rfc_gen_stats),
		     o->ntenants, a->ncpu) ||
	    zero_map(a->skel->maps.sink_stats, sizeof(struct rfc_sink_stats),
		     o->ntenants, a->ncpu) ||
	    zero_map(a->skel->maps.sink_misc, sizeof(struct rfc_sink_misc), 1,
		     a->ncpu))
		return -EIO;
	if (target > 0) {
		ctl.limit = (uint64_t)(target * o->duration + 0.5);
		ctl.ps_per_frame = (uint64_t)(1e12 / target + 0.5);
	}
	if (bpf_map_update_elem(fd, &zero, &ctl, 0))
		return -errno;
	t0 = now_s();
	if (pthread_create(&tid, NULL, gen_thread, &g))
		return -errno;
	/* The trial runs from the generator's first frame (a live-frames run
	 * takes a while to start): until every frame is sent, and 1% (at
	 * least 5 ms) later, or for the duration, unpaced. */
	end_ns = (uint64_t)(o->duration * 1e9) +
		 (target > 0 ? (uint64_t)(o->duration * 1e7) + 5000000 : 0);
	while (!g.done) {
		if (bpf_map_lookup_elem(fd, &zero, &ctl))
			break;
		if (stop || (ctl.t0 && mono_ns() - ctl.t0 >= end_ns) ||
		    now_s() - t0 > 2 * o->duration + 5)
			g.end = 1;
		if (g.end)
			pthread_kill(tid, SIGUSR1);
		usleep(1000);
	}
	pthread_join(tid, NULL);
	if (g.err) {
		fprintf(stderr, "tn-rfc2544: BPF_PROG_RUN: %s\n",
			strerror(-g.err));
		return g.err;
	}
	usleep(o->drain_ms * 1000);
	if (bpf_map_lookup_elem(fd, &zero, &ctl))
		return -errno;
	err = read_maps(a, r);
	if (err)
		return err;
	if (r->t.sent != ctl.sent || r->flood_sent != ctl.flood_sent)
		fprintf(stderr,
			"tn-rfc2544: the generator counted %llu frames (%llu "
			"flood), its tenants %llu (%llu)\n",
			(unsigned long long)ctl.sent,
			(unsigned long long)ctl.flood_sent,
			(unsigned long long)r->t.sent,
			(unsigned long long)r->flood_sent);
	window = ctl.sent ? (double)(ctl.t_last - ctl.t0) / 1e9 : 0;
	if (target > 0) {
		window += 1 / target;
		if ((double)ctl.sent / target > window)
			window = (double)ctl.sent / target;
	} else if (ctl.sent > 1) {
		window *= (double)ctl.sent / (double)(ctl.sent - 1);
	}
	r->seconds = window > 0 ? window : now_s() - t0;
	r->t.target_pps = target;
	/* Paced frames only: the flood's run in the paced frames' gaps,
	 * over the same window. */
	r->t.offered_pps = r->seconds > 0 ? (double)r->t.sent / r->seconds : 0;
	r->flood_pps = r->seconds > 0 ? (double)r->flood_sent / r->seconds : 0;
	{
		double x[o->ntenants];
		uint32_t n = 0;

		for (uint32_t i = 0; i < o->ntenants; i++)
			if ((int)i != o->flood)
				x[n++] =
					r->gen_pkts[i] ?
						(double)r->rx[i].packets /
							(double)r->gen_pkts[i] :
						0;
		r->jain = rfc_jain(x, n);
	}
	return stop ? -EINTR : 0;
}

/* ---- output ---- */

static void print_lat(const char *key, const struct rfc_sink_stats *s)
{
	struct rfc_latency l;

	rfc_latency_of(s, &l);
	if (!l.count) {
		printf("\"%s\": null", key);
		return;
	}
	printf("\"%s\": {\"min\": %llu, \"p50\": %llu, \"p99\": %llu, "
	       "\"max\": %llu, \"mean\": %.0f}",
	       key, (unsigned long long)l.min, (unsigned long long)l.p50,
	       (unsigned long long)l.p99, (unsigned long long)l.max, l.mean);
}

/* The CDF of the latencies in s: [ns, fraction at or below] for every
 * bucket that holds any, ns its highest value (at most the maximum). */
static void print_cdf(const char *key, const struct rfc_sink_stats *s)
{
	uint64_t below = 0;
	bool first = true;

	printf("\"%s\": [", key);
	for (uint32_t b = 0; b < RFC_HIST_N && s->packets; b++) {
		uint64_t top = rfc_hist_upper(b);

		if (!s->hist[b])
			continue;
		below += s->hist[b];
		printf("%s[%llu, %.6g]", first ? "" : ", ",
		       (unsigned long long)(top < s->lat_max ? top :
							       s->lat_max),
		       (double)below / (double)s->packets);
		first = false;
	}
	printf("]");
}

static void print_size(const struct opts *o)
{
	if (o->size)
		printf("\"size\": %u", o->size);
	else
		printf("\"size\": \"imix\"");
}

static void print_trial(const struct app *a, const struct result *r,
			bool per_tenant)
{
	const struct opts *o = &a->o;
	uint64_t lost = r->t.sent > r->t.received ? r->t.sent - r->t.received :
						    0;

	printf("{\"type\": \"trial\", \"mode\": \"%s\", ", a->mode);
	print_size(o);
	printf(", \"tenants\": %u, \"target_pps\": %.0f, \"offered_pps\": %.0f, "
	       "\"offered_bps\": %.0f, \"seconds\": %.3f, \"sent\": %llu, "
	       "\"received\": %llu, \"lost\": %llu, \"loss\": %.6g, "
	       "\"forwarded_pps\": %.0f, ",
	       o->ntenants, r->t.target_pps, r->t.offered_pps,
	       (double)r->sent_bytes * 8 / r->seconds, r->seconds,
	       (unsigned long long)r->t.sent, (unsigned long long)r->t.received,
	       (unsigned long long)lost,
	       r->t.sent ? (double)lost / (double)r->t.sent : 0,
	       (double)r->t.received / r->seconds);
	print_lat("latency_ns", &r->all);
	if (!strcmp(a->mode, "latency")) {
		printf(", ");
		print_cdf("latency_cdf", &r->all);
	}
	if (r->jain >= 0)
		printf(", \"jain\": %.4f", r->jain);
	else
		printf(", \"jain\": null");
	printf(", \"other_frames\": %llu, \"bad_tenant\": %llu",
	       (unsigned long long)r->misc.other,
	       (unsigned long long)r->misc.bad_tenant);
	if (o->flood >= 0)
		printf(", \"flood_tenant\": %d, \"flood_pps\": %.0f, "
		       "\"flood_sent\": %llu, \"flood_received\": %llu",
		       o->flood, r->flood_pps,
		       (unsigned long long)r->flood_sent,
		       (unsigned long long)r->flood_received);
	if (per_tenant) {
		uint64_t rx = r->t.received + r->flood_received;

		printf(", \"per_tenant\": [");
		for (uint32_t i = 0; i < o->ntenants; i++) {
			printf("%s{\"tenant\": %u, \"vid\": %u, \"sent\": %llu, "
			       "\"received\": %llu, \"share\": %.4f, ",
			       i ? ", " : "", i, o->vids[i],
			       (unsigned long long)r->gen_pkts[i],
			       (unsigned long long)r->rx[i].packets,
			       rx ? (double)r->rx[i].packets / (double)rx : 0);
			print_lat("latency_ns", &r->rx[i]);
			printf("}");
		}
		printf("]");
	}
	printf("}\n");
	fflush(stdout);
}

static void print_mmm(const char *key, double *v, size_t n)
{
	double lo, hi, med = rfc_median(v, n, &lo, &hi);

	printf("\"%s\": {\"median\": %.0f, \"min\": %.0f, \"max\": %.0f}", key,
	       med, lo, hi);
}

static int result_alloc(const struct opts *o, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->gen_pkts = calloc(o->ntenants, sizeof(*r->gen_pkts));
	r->rx = calloc(o->ntenants, sizeof(*r->rx));
	return r->gen_pkts && r->rx ? 0 : -ENOMEM;
}

static void result_free(struct result *r)
{
	free(r->gen_pkts);
	free(r->rx);
}

/* ---- commands ---- */

struct search_arg {
	struct app *a;
	struct result r;
};

static int search_trial(void *arg, double target, struct rfc_trial *out)
{
	struct search_arg *s = arg;
	int err = run_trial(s->a, target, &s->r);

	if (err)
		return err;
	print_trial(s->a, &s->r, false);
	*out = s->r.t;
	return 0;
}

/* Repeats trials at target, prints each and a summary of them all. */
static int repeat_trials(struct app *a, const char *what, double target,
			 double asked)
{
	const struct opts *o = &a->o;
	double off[o->repeat], fwd[o->repeat], p50[o->repeat], p99[o->repeat],
		mx[o->repeat], mn[o->repeat], jain[o->repeat], flood[o->repeat];
	uint32_t n = 0;
	bool short_gen = false;
	struct result r;
	int err;

	if (result_alloc(o, &r))
		return -ENOMEM;
	for (uint32_t i = 0; i < o->repeat; i++) {
		struct rfc_latency l;

		err = run_trial(a, target, &r);
		if (err)
			goto out;
		print_trial(a, &r, true);
		rfc_latency_of(&r.all, &l);
		off[n] = r.t.offered_pps;
		fwd[n] = (double)r.t.received / r.seconds;
		p50[n] = (double)l.p50;
		p99[n] = (double)l.p99;
		mn[n] = (double)l.min;
		mx[n] = (double)l.max;
		jain[n] = r.jain;
		flood[n] = r.flood_pps;
		if (target > 0 && r.t.offered_pps < o->gen_tol * target)
			short_gen = true;
		n++;
	}
	printf("{\"type\": \"%s\", ", what);
	print_size(o);
	printf(", \"tenants\": %u, \"trial_seconds\": %.3g, \"repeats\": %u, "
	       "\"asked_pps\": %.0f, \"target_pps\": %.0f, "
	       "\"generator_bound\": %s, ",
	       o->ntenants, o->duration, n, asked, target,
	       short_gen ? "true" : "false");
	print_mmm("offered_pps", off, n);
	printf(", ");
	print_mmm("forwarded_pps", fwd, n);
	if (o->flood >= 0) {
		printf(", \"flood_tenant\": %d, ", o->flood);
		print_mmm("flood_pps", flood, n);
	}
	printf(", \"latency_ns\": {");
	print_mmm("min", mn, n);
	printf(", ");
	print_mmm("p50", p50, n);
	printf(", ");
	print_mmm("p99", p99, n);
	printf(", ");
	print_mmm("max", mx, n);
	printf("}, ");
	printf("\"jain\": %.4f}\n", rfc_median(jain, n, NULL, NULL));
	fflush(stdout);
	err = 0;
out:
	result_free(&r);
	return err;
}

static int do_trial(struct app *a)
{
	a->mode = "trial";
	return repeat_trials(a, "trials", a->o.rate, a->o.rate);
}

static int do_overload(struct app *a)
{
	a->mode = "overload";
	return repeat_trials(a, "overload", 2 * a->o.rate, a->o.rate);
}

static int do_latency(struct app *a)
{
	if (a->o.rate <= 0) {
		fprintf(stderr, "latency: --rate PPS is required (90%% of the "
				"zero-loss rate, RFC 2544 §26.2)\n");
		return -EINVAL;
	}
	a->mode = "latency";
	return repeat_trials(a, "latency", a->o.rate, a->o.rate);
}

static int do_search(struct app *a)
{
	const struct opts *o = &a->o;
	struct rfc_search_cfg cfg = { .lo_pps = o->lo,
				      .hi_pps = o->hi,
				      .resolution = o->resolution,
				      .loss_tolerance = o->loss_tol,
				      .gen_tolerance = o->gen_tol,
				      .gen_retries = (int)o->retries };
	struct rfc_search_result res[o->repeat];
	double rate[o->repeat], top[o->repeat], lb[o->repeat];
	uint32_t nfound = 0, n = 0;
	enum rfc_status worst = RFC_FOUND;
	struct search_arg sa = { .a = a };
	int err = 0;

	if (result_alloc(o, &sa.r))
		return -ENOMEM;
	a->mode = "search";
	for (uint32_t i = 0; i < o->repeat; i++) {
		err = rfc_search(&cfg, search_trial, &sa, &res[i]);
		if (err)
			goto out;
		top[n] = res[i].top_pps;
		if (res[i].status == RFC_FOUND)
			rate[nfound++] = res[i].rate_pps;
		lb[n] = res[i].rate_pps;
		if (res[i].status > worst)
			worst = res[i].status;
		n++;
	}
	printf("{\"type\": \"search\", ");
	print_size(o);
	printf(", \"tenants\": %u, \"trial_seconds\": %.3g, "
	       "\"note\": \"trials of %.3g s, shorter than RFC 2544's 60 s\", "
	       "\"resolution\": %.4g, \"loss_tolerance\": %.3g, "
	       "\"repeats\": %u, \"status\": \"%s\", ",
	       o->ntenants, o->duration, o->duration, o->resolution,
	       o->loss_tol, n, rfc_status_name(worst));
	print_mmm("generator_max_pps", top, n);
	printf(", ");
	if (worst == RFC_FOUND) {
		print_mmm("zero_loss_pps", rate, nfound);
	} else {
		/* No figure the generator could not have disproved. */
		printf("\"zero_loss_pps\": null, ");
		print_mmm("lower_bound_pps", lb, n);
	}
	printf(", \"searches\": [");
	for (uint32_t i = 0; i < n; i++)
		printf("%s{\"status\": \"%s\", \"rate_pps\": %.0f, "
		       "\"offered_pps\": %.0f, \"fail_pps\": %.0f, "
		       "\"top_pps\": %.0f, \"trials\": %d}",
		       i ? ", " : "", rfc_status_name(res[i].status),
		       res[i].rate_pps, res[i].rate_offered_pps,
		       res[i].fail_pps, res[i].top_pps, res[i].trials);
	printf("]}\n");
	fflush(stdout);
	if (worst == RFC_FOUND) {
		double z = rfc_median(rate, nfound, NULL, NULL);

		if (o->latency_at > 0) {
			a->mode = "latency";
			err = repeat_trials(a, "latency", o->latency_at * z, z);
			if (err)
				goto out;
		}
		if (o->overload) {
			a->mode = "overload";
			err = repeat_trials(a, "overload", 2 * z, z);
		}
	}
out:
	result_free(&sa.r);
	return err;
}

/* ---- options ---- */

static const struct cmd {
	const char *name;
	int (*fn)(struct app *a);
	const char *doc;
	bool flood; /* takes --flood-tenant */
	int (*own)(int argc, char **argv); /* its own options and all */
} cmds[] = {
	{ "trial", do_trial, "offer --rate (0: the generator's max)", true,
	  NULL },
	{ "search", do_search,
	  "zero-loss rate by binary search, then latency at 90% of it and "
	  "overload at 2x",
	  false, NULL },
	{ "overload", do_overload,
	  "offer 2 x --rate (0: the generator's max), report forwarded", false,
	  NULL },
	{ "latency", do_latency, "latency per tenant at --rate", true, NULL },
	{ "xconnect", NULL,
	  "--in DEV --out DEV --dst-mac MAC: XDP cross-connect, no router "
	  "(xconnect --help)",
	  false, rfc_xconnect },
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tn-rfc2544 COMMAND --gen DEV --sink DEV [options]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].doc);
	fprintf(f,
		"options (tools/README.rfc2544.md):\n"
		"  --gen DEV --gen-ns NS --sink DEV --sink-ns NS --skb-sink\n"
		"  --size 64..1518|imix  --tenants N  --vlan BASE (0: untagged)"
		"  --vlans V,V,...\n"
		"  --flood-tenant I (trial, latency: tenant I takes the paced "
		"tenants' gaps)\n"
		"  --dst-mac MAC --dst-macs MAC,MAC,... (one a tenant) "
		"--src-mac MAC\n"
		"  --dst-ip IP --src-ip IP --ip-step N --port N\n"
		"  --rate PPS --duration S --drain-ms N --batch N "
		"--cpu N --repeat N\n"
		"  --lo PPS --hi PPS --resolution PCT --loss-tolerance PCT "
		"--gen-tolerance PCT --retries N\n"
		"  --latency-at PCT (0: none) --no-overload\n");
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

static int parse_vlans(struct opts *o, const char *s)
{
	char *dup = strdup(s), *save = NULL, *tok;
	uint32_t n = 0, v;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n >= RFC_MAX_TENANTS || tn_parse_u32(tok, 1, 4094, &v)) {
			err = -EINVAL;
			break;
		}
		o->vids[n++] = (uint16_t)v;
	}
	free(dup);
	if (!err && !n)
		err = -EINVAL;
	o->ntenants = n;
	return err;
}

/* --dst-macs: as many as there are (counted against the tenants later). */
static int parse_macs(struct opts *o, const char *s)
{
	char *dup = strdup(s), *save = NULL, *tok;
	uint32_t n = 0;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n >= RFC_MAX_TENANTS || tn_parse_mac(tok, o->dst_macs[n])) {
			err = -EINVAL;
			break;
		}
		n++;
	}
	free(dup);
	if (!err && !n)
		err = -EINVAL;
	o->ndst_macs = n;
	return err;
}

enum {
	O_GEN = 256,
	O_GEN_NS,
	O_SINK,
	O_SINK_NS,
	O_SKB,
	O_SIZE,
	O_TENANTS,
	O_FLOOD,
	O_VLAN,
	O_VLANS,
	O_DMAC,
	O_DMACS,
	O_SMAC,
	O_DIP,
	O_SIP,
	O_STEP,
	O_PORT,
	O_RATE,
	O_DUR,
	O_DRAIN,
	O_BATCH,
	O_CPU,
	O_REPEAT,
	O_LO,
	O_HI,
	O_RES,
	O_LOSS,
	O_GTOL,
	O_RETRIES,
	O_LAT,
	O_NOOVL,
};

static const struct option lopts[] = {
	{ "gen", 1, 0, O_GEN },
	{ "gen-ns", 1, 0, O_GEN_NS },
	{ "sink", 1, 0, O_SINK },
	{ "sink-ns", 1, 0, O_SINK_NS },
	{ "skb-sink", 0, 0, O_SKB },
	{ "size", 1, 0, O_SIZE },
	{ "tenants", 1, 0, O_TENANTS },
	{ "flood-tenant", 1, 0, O_FLOOD },
	{ "vlan", 1, 0, O_VLAN },
	{ "vlans", 1, 0, O_VLANS },
	{ "dst-mac", 1, 0, O_DMAC },
	{ "dst-macs", 1, 0, O_DMACS },
	{ "src-mac", 1, 0, O_SMAC },
	{ "dst-ip", 1, 0, O_DIP },
	{ "src-ip", 1, 0, O_SIP },
	{ "ip-step", 1, 0, O_STEP },
	{ "port", 1, 0, O_PORT },
	{ "rate", 1, 0, O_RATE },
	{ "duration", 1, 0, O_DUR },
	{ "drain-ms", 1, 0, O_DRAIN },
	{ "batch", 1, 0, O_BATCH },
	{ "cpu", 1, 0, O_CPU },
	{ "repeat", 1, 0, O_REPEAT },
	{ "lo", 1, 0, O_LO },
	{ "hi", 1, 0, O_HI },
	{ "resolution", 1, 0, O_RES },
	{ "loss-tolerance", 1, 0, O_LOSS },
	{ "gen-tolerance", 1, 0, O_GTOL },
	{ "retries", 1, 0, O_RETRIES },
	{ "latency-at", 1, 0, O_LAT },
	{ "no-overload", 0, 0, O_NOOVL },
	{ "help", 0, 0, 'h' },
	{ 0, 0, 0, 0 },
};

/* One sentence naming the option and what it takes. */
static int bad(const char *opt, const char *range)
{
	fprintf(stderr, "tn-rfc2544: --%s takes %s\n", opt, range);
	return -EINVAL;
}

static int parse_opts(struct opts *o, int argc, char **argv)
{
	uint32_t base_vlan = 0, u;
	bool vlan_list = false, ntenants_set = false;
	double pct;
	int c;

	*o = (struct opts){ .size = 64,
			    .ntenants = 1,
			    .flood = -1,
			    .src_mac = { 0x02, 0, 0, 0, 0, 0x01 },
			    .dst_mac = { 0x02, 0, 0, 0, 0, 0x02 },
			    .src_ip = 0xc6120001, /* 198.18.0.1, RFC 2544 */
			    .dst_ip = 0xc6130001, /* 198.19.0.1 */
			    .port = RFC_PORT,
			    .duration = 2,
			    .resolution = 0.01,
			    .gen_tol = 0.99,
			    .latency_at = 0.9,
			    .drain_ms = 200,
			    .batch = 64,
			    .repeat = 3,
			    .retries = 2,
			    .cpu = -1,
			    .overload = 1 };
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		const char *name =
			c >= O_GEN && c <= O_NOOVL ? lopts[c - O_GEN].name : "";

		switch (c) {
		case O_GEN:
			o->gen_dev = optarg;
			break;
		case O_GEN_NS:
			o->gen_ns = optarg;
			break;
		case O_SINK:
			o->sink_dev = optarg;
			break;
		case O_SINK_NS:
			o->sink_ns = optarg;
			break;
		case O_SKB:
			o->skb_mode = 1;
			break;
		case O_SIZE:
			if (!strcmp(optarg, "imix"))
				o->size = 0;
			else if (tn_parse_u32(optarg, 64, 1518, &o->size))
				return bad(name, "a frame size 64..1518 "
						 "(with the FCS) or imix");
			break;
		case O_TENANTS:
			if (tn_parse_u32(optarg, 1, RFC_MAX_TENANTS,
					 &o->ntenants))
				return bad(name, "a count 1..4094");
			ntenants_set = true;
			break;
		case O_FLOOD:
			if (tn_parse_u32(optarg, 0, RFC_MAX_TENANTS - 1, &u))
				return bad(name, "a tenant index, 0 .. tenants "
						 "- 1");
			o->flood = (int)u;
			break;
		case O_VLAN:
			if (tn_parse_u32(optarg, 0, 4094, &base_vlan))
				return bad(name, "a VLAN id 1..4094, or 0 for "
						 "untagged frames");
			break;
		case O_VLANS:
			if (parse_vlans(o, optarg))
				return bad(name, "a list of VLAN ids 1..4094, "
						 "comma-separated, one a "
						 "tenant");
			vlan_list = true;
			break;
		case O_DMAC:
		case O_SMAC:
			if (tn_parse_mac(optarg,
					 c == O_DMAC ? o->dst_mac : o->src_mac))
				return bad(name, "a MAC address");
			break;
		case O_DMACS:
			if (parse_macs(o, optarg))
				return bad(name, "a list of MAC addresses, "
						 "comma-separated, one a "
						 "tenant");
			break;
		case O_DIP:
		case O_SIP:
			if (parse_ip4(optarg,
				      c == O_DIP ? &o->dst_ip : &o->src_ip))
				return bad(name, "an IPv4 address");
			break;
		case O_STEP:
			if (tn_parse_u32(optarg, 0, 1 << 16, &o->ip_step))
				return bad(name, "a step 0..65536");
			break;
		case O_PORT:
			if (tn_parse_u32(optarg, 0, 65535, &o->port))
				return bad(name,
					   "a UDP port (0: the sink takes "
					   "any)");
			break;
		case O_RATE:
		case O_LO:
		case O_HI:
			if (parse_double(optarg, 0, 1e9,
					 c == O_RATE ? &o->rate :
					 c == O_LO   ? &o->lo :
						       &o->hi))
				return bad(name, "frames a second, 0..1e9");
			break;
		case O_DUR:
			if (parse_double(optarg, 0.01, 600, &o->duration))
				return bad(name, "seconds, 0.01..600");
			break;
		case O_DRAIN:
			if (tn_parse_u32(optarg, 0, 60000, &o->drain_ms))
				return bad(name, "milliseconds, 0..60000");
			break;
		case O_BATCH:
			if (tn_parse_u32(optarg, 1, 256, &o->batch))
				return bad(name, "frames, 1..256");
			break;
		case O_CPU:
			if (tn_parse_u32(optarg, 0, CPU_SETSIZE - 1, &u))
				return bad(name, "a CPU number");
			o->cpu = (int)u;
			break;
		case O_REPEAT:
			if (tn_parse_u32(optarg, 1, 100, &o->repeat))
				return bad(name, "a count 1..100");
			break;
		case O_RETRIES:
			if (tn_parse_u32(optarg, 0, 10, &o->retries))
				return bad(name, "a count 0..10");
			break;
		case O_RES:
			if (parse_double(optarg, 0.01, 50, &pct))
				return bad(name, "a percentage 0.01..50");
			o->resolution = pct / 100;
			break;
		case O_LOSS:
			if (parse_double(optarg, 0, 100, &pct))
				return bad(name, "a percentage 0..100");
			o->loss_tol = pct / 100;
			break;
		case O_GTOL:
			if (parse_double(optarg, 50, 100, &pct))
				return bad(name, "a percentage 50..100");
			o->gen_tol = pct / 100;
			break;
		case O_LAT:
			if (parse_double(optarg, 0, 100, &pct))
				return bad(name, "a percentage 0..100");
			o->latency_at = pct / 100;
			break;
		case O_NOOVL:
			o->overload = 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (!o->gen_dev || !o->sink_dev) {
		fprintf(stderr, "tn-rfc2544: --gen DEV and --sink DEV are "
				"required\n");
		return -EINVAL;
	}
	if (vlan_list && ntenants_set) {
		fprintf(stderr, "tn-rfc2544: --vlans gives the tenants; leave "
				"out --tenants\n");
		return -EINVAL;
	}
	if (!vlan_list) {
		if (base_vlan && base_vlan + o->ntenants - 1 > 4094)
			return bad("vlan", "a base that leaves room for every "
					   "tenant (base + tenants - 1 <= "
					   "4094)");
		for (uint32_t i = 0; i < o->ntenants; i++)
			o->vids[i] = (uint16_t)(base_vlan ? base_vlan + i : 0);
	}
	if (o->ndst_macs && o->ndst_macs != o->ntenants) {
		fprintf(stderr,
			"tn-rfc2544: --dst-macs takes one MAC a tenant, in "
			"tenant order: %u given for %u tenants\n",
			o->ndst_macs, o->ntenants);
		return -EINVAL;
	}
	for (uint32_t i = 0; !o->ndst_macs && i < o->ntenants; i++)
		memcpy(o->dst_macs[i], o->dst_mac, 6); /* --dst-mac for all */
	if (o->flood >= 0 &&
	    (o->ntenants < 2 || (uint32_t)o->flood >= o->ntenants))
		return bad("flood-tenant", "a tenant index, 0 .. tenants - 1, "
					   "with 2 tenants or more");
	if (!o->vids[0] && o->ntenants > 1)
		fprintf(stderr,
			"tn-rfc2544: %u tenants, untagged: told apart "
			"by the bench header only\n",
			o->ntenants);
	return 0;
}

int main(int argc, char **argv)
{
	const struct cmd *cmd = NULL;
	struct app a = { .ns_gen = -1, .ns_sink = -1 };
	int err, ret = 1;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			cmd = &cmds[i];
	if (!cmd) {
		fprintf(stderr, "tn-rfc2544: no command %s\n", argv[1]);
		usage(stderr);
		return 2;
	}
	if (cmd->own)
		return cmd->own(argc - 1, argv + 1);
	if (parse_opts(&a.o, argc - 1, argv + 1))
		return 2;
	if (a.o.flood >= 0 && !cmd->flood) {
		fprintf(stderr,
			"tn-rfc2544: --flood-tenant is for trial and "
			"latency, not %s\n",
			cmd->name);
		return 2;
	}
	if (a.o.flood >= 0 && a.o.rate <= 0) {
		fprintf(stderr,
			"tn-rfc2544: --flood-tenant needs --rate PPS > 0 "
			"(the paced tenants' total; the flood takes "
			"what is left)\n");
		return 2;
	}
	tn_log_init("tn-rfc2544", TN_LOG_WARN);
	a.ncpu = libbpf_num_possible_cpus();
	ns_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	a.ns_gen = rfc_ns_open(a.o.gen_ns);
	a.ns_sink = rfc_ns_open(a.o.sink_ns);
	if (a.ncpu <= 0 || ns_home < 0 || (a.o.gen_ns && a.ns_gen < 0) ||
	    (a.o.sink_ns && a.ns_sink < 0)) {
		fprintf(stderr, "tn-rfc2544: no such netns (or no CPUs)\n");
		return 1;
	}
	if (ns_enter(a.ns_sink))
		return 1;
	a.sink_ifindex = (int)if_nametoindex(a.o.sink_dev);
	if (ns_enter(a.ns_gen))
		return 1;
	a.gen_ifindex = (int)if_nametoindex(a.o.gen_dev);
	if (!a.sink_ifindex || !a.gen_ifindex) {
		fprintf(stderr, "tn-rfc2544: no device %s\n",
			a.gen_ifindex ? a.o.sink_dev : a.o.gen_dev);
		return 1;
	}
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sa.sa_handler = on_wake;
		sigaction(SIGUSR1, &sa, NULL);
	}
	if (setup(&a) || sink_attach(&a, true))
		goto out;
	err = cmd->fn(&a);
	if (err)
		fprintf(stderr, "tn-rfc2544: %s: %s\n", cmd->name,
			strerror(-err));
	else
		ret = 0;
out:
	if (a.sink_attached)
		sink_attach(&a, false);
	rfc2544__destroy(a.skel);
	return ret;
}
