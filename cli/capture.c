// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl capture (include/tenet/capture.h): asks tenetd for a capture of
 * the tenant and gets, with the reply, the ring the XDP programs copy that
 * tenant's frames into; reads it with libbpf's ring_buffer into a pcap file
 * (libpcap) or a line per frame (lib/pktsum.h); and ends it on count,
 * duration, Ctrl-C, or tenetd's word (the tenant removed, tenetd
 * stopping), by a line on the connection the capture lives as long as.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
/* the kernel's struct bpf_insn (libbpf's headers), not libpcap's */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/dlt.h>
#include <pcap/pcap.h>
#include <tenet/capture.h>
#include <tenet/ctl.h>

#include "ctl.h"
#include "ctl_cmds.h"
#include "pktsum.h"
#include "tenetctl.h"

/* How long tenetd has to say how the capture ended, once asked. */
#define END_TIMEOUT_MS 10000

struct cap {
	bool json;
	uint64_t count, got, bad;
	pcap_dumper_t *dump;
	int64_t mono_to_real; /* ns */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void print_line(struct cap *c, const struct tn_cap_rec *r,
		       const uint8_t *frame, struct timespec ts)
{
	const char *port = r->port == TN_CAP_UPLINK ? "uplink" : "access";
	const char *dir = r->dir == TN_CAP_OUT ? "out" : "in";
	char sum[512], when[32];
	struct tm tm;

	tn_pkt_summary(frame, r->caplen, r->len, sum, sizeof(sum));
	if (c->json) {
		json_object *o = json_object_new_object();

		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
			 gmtime_r(&ts.tv_sec, &tm));
		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(o, "ns",
				       json_object_new_int64(ts.tv_nsec));
		json_object_object_add(o, "port", json_object_new_string(port));
		json_object_object_add(o, "dir", json_object_new_string(dir));
		json_object_object_add(o, "len", json_object_new_int64(r->len));
		json_object_object_add(o, "caplen",
				       json_object_new_int64(r->caplen));
		json_object_object_add(o, "summary",
				       json_object_new_string(sum));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&ts.tv_sec, &tm));
	printf("%s.%06ld %s %-3s %s\n", when, ts.tv_nsec / 1000, port, dir,
	       sum);
}

/* One record of the ring: checked (the ring is the programs', but a
 * length is never taken on trust), then written or printed. */
static int on_record(void *ctx, void *data, size_t size)
{
	struct cap *c = ctx;
	const struct tn_cap_rec *r = data;
	const uint8_t *frame = (const uint8_t *)(r + 1);
	struct timespec ts;
	int64_t ns;

	if (c->count && c->got >= c->count)
		return 0;
	if (size < sizeof(*r) || r->caplen > size - sizeof(*r) ||
	    r->caplen > r->len) {
		c->bad++;
		return 0;
	}
	ns = (int64_t)r->ts_ns + c->mono_to_real;
	ts.tv_sec = (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	if (c->dump) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = ts.tv_sec,
				.tv_usec = ts.tv_nsec / 1000 },
			.caplen = r->caplen,
			.len = r->len,
		};

		pcap_dump((u_char *)c->dump, &h, frame);
	} else {
		print_line(c, r, frame, ts);
	}
	c->got++;
	return 0;
}

static uint64_t u64_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
		       (uint64_t)json_object_get_int64(v) :
		       0;
}

/* Reads the ring until the capture is to end; 1 if tenetd ended it (its
 * last reply waits on conn). */
static bool run(struct ring_buffer *rb, int conn, struct cap *c,
		uint64_t duration, bool progress)
{
	int64_t end = duration ? clock_ns(CLOCK_MONOTONIC) +
					 (int64_t)duration * 1000000000 :
				 0,
		next_progress = 0;
	struct pollfd p[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = conn, .events = POLLIN },
	};

	while (!interrupted && !(c->count && c->got >= c->count)) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		int wait = 1000;

		if (end && now >= end)
			break;
		if (end && (end - now) / 1000000 < wait)
			wait = (int)((end - now) / 1000000) + 1;
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		ring_buffer__consume(rb);
		if (p[1].revents)
			return true;
		if (progress && now >= next_progress) {
			fprintf(stderr, "\rcapture: %llu frames",
				(unsigned long long)c->got);
			next_progress = now + 1000000000;
		}
	}
	return false;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: poll() returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int capture_main(const struct tn_gargs *a, json_object *args, bool json)
{
	const char *path = a->v[TN_K_WRITE].given ? a->v[TN_K_WRITE].s : NULL;
	json_object *req = json_object_new_object(), *reply = NULL, *data;
	struct cap c = { .json = json };
	struct ring_buffer *rb = NULL;
	int conn, ring = -1, ret = 1, status;
	bool by_tenetd, progress;
	pcap_t *pd = NULL;
	FILE *dumpf;

	c.count = a->v[TN_K_COUNT].given ? a->v[TN_K_COUNT].u : 0;
	/* What tenetctl does itself stays here: tenetd is told the rest. */
	json_object_object_del(args, "count");
	json_object_object_del(args, "write");
	json_object_object_add(req, "cmd", json_object_new_string("capture"));
	json_object_object_add(req, "args", json_object_get(args));

	conn = ctl_connect(NULL, 0);
	if (conn < 0) {
		json_object_put(req);
		return 1;
	}
	ret = ctl_call_fd(conn, req, &reply, &ring, NULL, 0);
	json_object_put(req);
	if (ret)
		goto out;
	ret = 1;
	if (ring < 0) {
		fprintf(stderr, "tenetctl: tenetd at its socket started the"
				" capture but sent no ring\n");
		goto stop;
	}
	catch_signals();
	c.mono_to_real = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	if (path) {
		json_object_object_get_ex(reply, "data", &data);
		pd = pcap_open_dead_with_tstamp_precision(
			DLT_EN10MB, (int)u64_of(data, "snaplen"),
			PCAP_TSTAMP_PRECISION_MICRO);
		c.dump = pd ? pcap_dump_open(pd, path) : NULL;
		if (!c.dump) {
			fprintf(stderr, "tenetctl: write: %s: %s\n", path,
				pd ? pcap_geterr(pd) : "out of memory");
			goto stop;
		}
	}
	rb = ring_buffer__new(ring, on_record, &c, NULL);
	if (!rb) {
		fprintf(stderr, "tenetctl: reading the capture's ring: %s\n",
			strerror(errno));
		goto stop;
	}
	progress = path && strcmp(path, "-") && isatty(STDERR_FILENO);
	if (!path && !json)
		setvbuf(stdout, NULL, _IOLBF, 0);
	by_tenetd = run(rb, conn, &c,
			a->v[TN_K_DURATION].given ? a->v[TN_K_DURATION].u : 0,
			progress);
	/* What the ring still holds, before the end is asked for. */
	ring_buffer__consume(rb);
	if (progress)
		fputc('\n', stderr);
	ret = 0;
	if (c.dump) {
		dumpf = pcap_dump_file(c.dump);
		if (pcap_dump_flush(c.dump) || ferror(dumpf)) {
			fprintf(stderr, "tenetctl: write: %s: %s\n", path,
				strerror(errno ? errno : EIO));
			ret = 1;
		}
	}
	if (by_tenetd)
		goto last;
stop:
	/* A line ends the capture; tenetd answers with how it went. */
	if (write(conn, "{}\n", 3) != 3) {
		fprintf(stderr, "tenetctl: ending the capture: %s\n",
			strerror(errno));
		ret = 1;
		goto out;
	}
last:
	json_object_put(reply);
	reply = NULL;
	if (tn_ctl_read(conn, END_TIMEOUT_MS, TN_CTL_REPLY_MAX, &reply) ||
	    !json_object_object_get_ex(reply, "data", &data)) {
		fprintf(stderr, "tenetctl: tenetd did not say how the capture"
				" ended\n");
		ret = 1;
		goto out;
	}
	status = (int)u64_of(reply, "status");
	if (status) {
		json_object_object_get_ex(reply, "message", &data);
		fprintf(stderr, "tenetctl: capture ended: %s\n",
			json_object_get_string(data));
		json_object_object_get_ex(reply, "data", &data);
		ret = 1;
	}
	json_object_object_add(data, "frames", json_object_new_uint64(c.got));
	if (c.bad)
		json_object_object_add(data, "malformed",
				       json_object_new_uint64(c.bad));
	if (json && !(path && !strcmp(path, "-")))
		puts(json_object_to_json_string_ext(data,
						    JSON_C_TO_STRING_PLAIN));
	else if (rb)
		fprintf(stderr,
			"capture: %llu frames (%llu over the cap, %llu lost)\n",
			(unsigned long long)c.got,
			(unsigned long long)u64_of(data, "capped"),
			(unsigned long long)u64_of(data, "lost"));
out:
	ring_buffer__free(rb);
	if (c.dump)
		pcap_dump_close(c.dump);
	if (pd)
		pcap_close(pd);
	if (ring >= 0)
		close(ring);
	json_object_put(reply);
	close(conn);
	return ret;
}
