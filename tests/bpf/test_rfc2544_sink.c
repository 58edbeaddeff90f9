// SPDX-License-Identifier: GPL-2.0
/*
 * tn-rfc2544's XDP programs through BPF_PROG_RUN (tools/rfc2544.bpf.c).
 *
 * The sink: bench frames with known transmit times (the clock read just
 * before and after the run brackets the latency the sink must have taken),
 * untagged, one tag and two; each lands in its tenant's counters and in the
 * histogram bucket of its latency; frames that are not bench frames are
 * counted apart and passed; a tenant out of range is dropped and counted;
 * a transmit time in the future counts as 0 ns.
 *
 * The generator: tenants in turn, IMIX sizes in their 7:4:1 pattern, each
 * frame its tenant's headers, the bench header and a transmit time within
 * the run; frames before their time or past the limit dropped unsent; with
 * a flood tenant, the runs between paced frames are the flood's.
 *
 * The cross-connect: a frame tagged in its VID range gets the next hop's
 * MACs and is redirected, the rest of it as it was; other VIDs, untagged,
 * QinQ and frames too short for a tag are passed untouched; every frame
 * counted once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "frames.h"
#include "log.h"
#include "rfc2544.h"
#include "rfc2544.skel.h"
#include "rfc2544_search.h"

#define NT 4
/* rfc_xc's configuration here: out of ifindex 1 (lo: BPF_PROG_RUN does not
 * redirect), VIDs 100..199. */
#define XC_IFINDEX 1
static const uint8_t XC_DST[6] = { 0x02, 0xdd, 0, 0, 0, 0xdd };
static const uint8_t XC_SRC[6] = { 0x02, 0x55, 0, 0, 0, 0x55 };

static struct rfc2544 *skel;
static int ncpu;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* NT tenants, IMIX, flood_tenant as given (RFC_NO_FLOOD: none). */
static struct rfc2544 *open_load(uint32_t flood)
{
	static const uint8_t pat[RFC_PAT] = {
		0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1
	};
	static const uint16_t len[RFC_NCLS] = { 60, 566, 1514 };
	struct rfc2544 *s = rfc2544__open();

	assert_non_null(s);
	s->rodata->ntenants = NT;
	s->rodata->pat_len = RFC_PAT;
	s->rodata->flood_tenant = flood;
	s->rodata->xc_ifindex = XC_IFINDEX;
	memcpy((void *)s->rodata->xc_dst, XC_DST, 6);
	memcpy((void *)s->rodata->xc_src, XC_SRC, 6);
	s->rodata->xc_vlan_lo = 100;
	s->rodata->xc_vlan_hi = 199;
	memcpy((void *)s->rodata->pat_cls, pat, sizeof(pat));
	memcpy((void *)s->rodata->cls_len, len, sizeof(len));
	bpf_map__set_max_entries(s->maps.gen_tmpl, NT * RFC_NCLS);
	bpf_map__set_max_entries(s->maps.gen_stats, NT);
	bpf_map__set_max_entries(s->maps.sink_stats, NT);
	assert_int_equal(rfc2544__load(s), 0);
	return s;
}

static int load(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	skel = open_load(RFC_NO_FLOOD);
	ncpu = libbpf_num_possible_cpus();
	assert_true(ncpu > 0);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	rfc2544__destroy(skel);
	skel = NULL;
	return 0;
}

/* A bench frame: tags (0: none), UDP to port, the bench header. */
static void bench(struct frame *f, uint16_t outer, uint16_t inner,
		  uint16_t port, uint16_t magic, uint16_t tenant, uint64_t tx,
		  size_t payload)
{
	struct rfc_bench_hdr h = { .magic = htons(magic),
				   .tenant = htons(tenant),
				   .seq = htons(7),
				   .tx_ns = tx };
	size_t udp;

	fr_init(f);
	fr_eth(f, MAC_A, MAC_B);
	if (outer)
		fr_tag(f, inner ? ETH_P_8021AD : ETH_P_8021Q, outer);
	if (inner)
		fr_tag(f, ETH_P_8021Q, inner);
	fr_type(f, ETH_P_IP);
	udp = f->len + 20;
	fr_ipv4_udp(f, "198.18.0.1", "198.19.0.1", 0, payload);
	f->b[udp + 2] = (uint8_t)(port >> 8);
	f->b[udp + 3] = (uint8_t)port;
	memcpy(f->b + udp + 8, &h, sizeof(h));
}

static uint32_t run(int prog, const struct frame *in, struct frame *out,
		    uint32_t repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b,
		    .data_size_in = (uint32_t)in->len, .repeat = repeat);

	if (out) {
		fr_init(out);
		o.data_out = out->b;
		o.data_size_out = sizeof(out->b);
	}
	assert_int_equal(bpf_prog_test_run_opts(prog, &o), 0);
	if (out)
		out->len = o.data_size_out;
	return o.retval;
}

static void zero_maps(void)
{
	size_t sz = sizeof(struct rfc_sink_stats);
	void *z = calloc((size_t)ncpu, sz);

	assert_non_null(z);
	for (uint32_t k = 0; k < NT; k++) {
		assert_int_equal(
			bpf_map_update_elem(bpf_map__fd(skel->maps.sink_stats),
					    &k, z, 0),
			0);
		assert_int_equal(
			bpf_map_update_elem(bpf_map__fd(skel->maps.gen_stats),
					    &k, z, 0),
			0);
	}
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.sink_misc),
					     &(uint32_t){ 0 }, z, 0),
			 0);
	free(z);
}

static void sink_read(uint32_t tenant, struct rfc_sink_stats *s)
{
	struct rfc_sink_stats *v = calloc((size_t)ncpu, sizeof(*v));

	assert_non_null(v);
	memset(s, 0, sizeof(*s));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sink_stats),
					     &tenant, v),
			 0);
	for (int c = 0; c < ncpu; c++)
		rfc_sink_stats_add(s, &v[c]);
	free(v);
}

static struct rfc_sink_misc misc_read(void)
{
	struct rfc_sink_misc m[ncpu], sum = { 0 };
	uint32_t k = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sink_misc),
					     &k, m),
			 0);
	for (int c = 0; c < ncpu; c++) {
		sum.other += m[c].other;
		sum.bad_tenant += m[c].bad_tenant;
		sum.future += m[c].future;
	}
	return sum;
}

/* Sends a bench frame sent `age` ns ago; checks its tenant's counters and
 * that exactly `repeat` frames sit in buckets the latency can have had. */
static void one(uint16_t outer, uint16_t inner, uint16_t tenant, uint64_t age,
		uint32_t repeat)
{
	int prog = bpf_program__fd(skel->progs.rfc_sink);
	struct rfc_sink_stats before, after;
	uint64_t t0, t1, tx, n = 0;
	struct frame f;

	sink_read(tenant, &before);
	t0 = mono_ns();
	tx = t0 - age;
	bench(&f, outer, inner, RFC_PORT, RFC_MAGIC, tenant, tx, 14);
	assert_int_equal(run(prog, &f, NULL, repeat), XDP_DROP);
	t1 = mono_ns();
	sink_read(tenant, &after);
	assert_int_equal(after.packets - before.packets, repeat);
	assert_int_equal(after.bytes - before.bytes, repeat * (f.len + 4));
	if (!before.packets) {
		assert_true(after.lat_min >= t0 - tx);
		assert_true(after.lat_min <= t1 - tx);
	}
	assert_true(after.lat_max <= t1 - tx);
	for (uint32_t b = rfc_hist_bucket(t0 - tx);
	     b <= rfc_hist_bucket(t1 - tx); b++)
		n += after.hist[b] - before.hist[b];
	assert_int_equal(n, repeat);
}

static void test_sink_tenants(void **state)
{
	struct rfc_sink_stats s;
	struct rfc_latency l;

	(void)state;
	if (!skel)
		skip();
	zero_maps();
	one(100, 0, 2, 50000, 1); /* VLAN 100, tenant 2, 50 us ago */
	one(0, 0, 0, 1000000, 10); /* untagged, tenant 0, 1 ms, 10 of them */
	one(200, 300, 1, 20000, 3); /* QinQ, tenant 1, 20 us */
	one(100, 0, 3, 5000000000ULL, 1); /* 5 s: beyond the last bucket */
	sink_read(3, &s);
	assert_int_equal(s.hist[RFC_HIST_N - 1], 1);
	sink_read(2, &s);
	rfc_latency_of(&s, &l);
	/* one frame: its percentiles are its exact latency */
	assert_true(l.p50 >= 50000);
	assert_int_equal(l.p50, l.min);
	assert_int_equal(l.p99, l.max);
	assert_int_equal(misc_read().other, 0);
	assert_int_equal(misc_read().bad_tenant, 0);
}

static void test_sink_others(void **state)
{
	int prog;
	struct frame f;
	struct rfc_sink_stats s;
	uint64_t now;

	(void)state;
	if (!skel)
		skip();
	prog = bpf_program__fd(skel->progs.rfc_sink);
	zero_maps();
	now = mono_ns();
	/* not bench frames: passed and counted as other */
	bench(&f, 100, 0, 5000, RFC_MAGIC, 0, now, 14); /* another port */
	assert_int_equal(run(prog, &f, NULL, 1), XDP_PASS);
	bench(&f, 100, 0, RFC_PORT, 0x1234, 0, now, 14); /* no magic */
	assert_int_equal(run(prog, &f, NULL, 1), XDP_PASS);
	bench(&f, 100, 0, RFC_PORT, RFC_MAGIC, 0, now, 14);
	f.len -= 1; /* the header cut short */
	assert_int_equal(run(prog, &f, NULL, 1), XDP_PASS);
	fr_init(&f);
	fr_arp(&f, 1, MAC_A, "198.18.0.1", "198.18.0.2");
	assert_int_equal(run(prog, &f, NULL, 1), XDP_PASS);
	fr_init(&f);
	fr_eth(&f, MAC_A, MAC_B);
	fr_type(&f, ETH_P_IPV6);
	fr_ipv6_udp(&f, "2001:db8::1", "2001:db8::2", 14);
	assert_int_equal(run(prog, &f, NULL, 1), XDP_PASS);
	assert_int_equal(misc_read().other, 5);
	/* a tenant out of range: dropped, counted apart */
	bench(&f, 100, 0, RFC_PORT, RFC_MAGIC, NT, now, 14);
	assert_int_equal(run(prog, &f, NULL, 1), XDP_DROP);
	assert_int_equal(misc_read().bad_tenant, 1);
	/* a timestamp from the future: 0 ns, counted */
	bench(&f, 0, 0, RFC_PORT, RFC_MAGIC, 1, mono_ns() + 10000000000ULL, 14);
	assert_int_equal(run(prog, &f, NULL, 1), XDP_DROP);
	assert_int_equal(misc_read().future, 1);
	sink_read(1, &s);
	assert_int_equal(s.packets, 1);
	assert_int_equal(s.hist[0], 1);
	assert_int_equal(s.lat_max, 0);
	for (uint32_t t = 0; t < NT; t++) {
		sink_read(t, &s);
		assert_int_equal(s.packets, t == 1 ? 1 : 0);
	}
}

/* Pacing and the limit: a frame before its time, or after the limit, is
 * dropped unsent and counted nowhere. */
static void test_gen_pacing(void **state)
{
	struct rfc_gen_ctl ctl = { .limit = 2 };
	struct frame in, out;
	uint32_t zero = 0;
	int prog, fd;

	(void)state;
	if (!skel)
		skip();
	prog = bpf_program__fd(skel->progs.rfc_gen);
	fd = bpf_map__fd(skel->maps.gen_ctl);
	fr_init(&in);
	in.len = 1514;
	assert_int_equal(bpf_map_update_elem(fd, &zero, &ctl, 0), 0);
	assert_int_equal(run(prog, &in, &out, 1), XDP_TX);
	assert_int_equal(run(prog, &in, &out, 1), XDP_TX);
	assert_int_equal(run(prog, &in, &out, 1), XDP_DROP);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &ctl), 0);
	assert_int_equal(ctl.sent, 2);
	assert_true(ctl.t0 && ctl.t_last >= ctl.t0);

	/* one frame every 1000 s: the first now, the next not yet */
	ctl = (struct rfc_gen_ctl){ .ps_per_frame = 1000000000000000ULL };
	assert_int_equal(bpf_map_update_elem(fd, &zero, &ctl, 0), 0);
	assert_int_equal(run(prog, &in, &out, 1), XDP_TX);
	assert_int_equal(run(prog, &in, &out, 10), XDP_DROP);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &ctl), 0);
	assert_int_equal(ctl.sent, 1);
	assert_int_equal(ctl.seq, 1);
}

/* template (tenant, class) of s: every byte 16 * tenant + class */
static void tmpl_fill(struct rfc2544 *s)
{
	for (uint32_t k = 0; k < NT * RFC_NCLS; k++) {
		struct rfc_gen_tmpl t;

		memset(t.b, (int)(16 * (k / RFC_NCLS) + k % RFC_NCLS),
		       sizeof(t.b));
		assert_int_equal(
			bpf_map_update_elem(bpf_map__fd(s->maps.gen_tmpl), &k,
					    &t, 0),
			0);
	}
}

static const uint16_t imix_len[RFC_PAT] = { 60,	  566, 60,  60, 566, 60,
					    1514, 60,  566, 60, 60,  566 };
static const uint8_t imix_cls[RFC_PAT] = { 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1 };

/* One run of s's rfc_gen: XDP_TX, a frame of tenant, its k-th (size and
 * seq), headers from its template. */
static void gen_one(struct rfc2544 *s, uint32_t tenant, uint64_t k)
{
	uint32_t slot = (uint32_t)(k % RFC_PAT);
	struct rfc_bench_hdr h;
	struct frame in, out;

	fr_init(&in);
	in.len = 1514;
	assert_int_equal(run(bpf_program__fd(s->progs.rfc_gen), &in, &out, 1),
			 XDP_TX);
	assert_int_equal(out.len, imix_len[slot]);
	for (int i = 0; i < RFC_HDR_TAGGED; i++)
		assert_int_equal(out.b[i], 16 * tenant + imix_cls[slot]);
	memcpy(&h, out.b + RFC_HDR_TAGGED, sizeof(h));
	assert_int_equal(ntohs(h.tenant), tenant);
	assert_int_equal(ntohs(h.seq), k);
}

static uint64_t gen_packets(struct rfc2544 *s, uint32_t tenant)
{
	struct rfc_gen_stats g[256];
	uint64_t p = 0;

	assert_true(ncpu <= 256);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.gen_stats),
					     &tenant, g),
			 0);
	for (int c = 0; c < ncpu; c++)
		p += g[c].packets;
	return p;
}

/*
 * A flood tenant (1 of 0..3): every run whose paced frame is not due sends
 * the flood's frame, numbered apart (sizes from its own count); the paced
 * tenants (0, 2, 3) keep their round robin and numbers; past the limit of
 * paced frames, nothing at all.
 */
static void test_gen_flood(void **state)
{
	struct rfc_gen_ctl ctl = { .ps_per_frame = 1000000000000000ULL };
	struct rfc2544 *s;
	struct frame in, out;
	uint32_t zero = 0;
	int fd;

	(void)state;
	if (!skel)
		skip();
	s = open_load(1);
	tmpl_fill(s);
	fd = bpf_map__fd(s->maps.gen_ctl);
	/* one frame every 1000 s: the first is paced, then 30 of the flood */
	assert_int_equal(bpf_map_update_elem(fd, &zero, &ctl, 0), 0);
	gen_one(s, 0, 0);
	for (uint64_t k = 0; k < 30; k++)
		gen_one(s, 1, k);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &ctl), 0);
	assert_int_equal(ctl.sent, 1);
	assert_int_equal(ctl.seq, 1);
	assert_int_equal(ctl.flood_sent, 30);
	assert_int_equal(ctl.flood_seq, 30);
	assert_true(ctl.flood_t_last >= ctl.t_last && ctl.t_last >= ctl.t0);
	assert_int_equal(gen_packets(s, 0), 1);
	assert_int_equal(gen_packets(s, 1), 30);
	assert_int_equal(gen_packets(s, 2), 0);
	assert_int_equal(gen_packets(s, 3), 0);

	/* unpaced, limit 7: 0, 2, 3 in turn, then nothing, not even the
	 * flood; the flood's numbering goes on where it was */
	ctl = (struct rfc_gen_ctl){ .limit = 7, .flood_seq = 30 };
	assert_int_equal(bpf_map_update_elem(fd, &zero, &ctl, 0), 0);
	for (uint64_t n = 0; n < 7; n++)
		gen_one(s, (uint32_t[]){ 0, 2, 3 }[n % 3], n / 3);
	fr_init(&in);
	in.len = 1514;
	assert_int_equal(run(bpf_program__fd(s->progs.rfc_gen), &in, &out, 5),
			 XDP_DROP);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &ctl), 0);
	assert_int_equal(ctl.sent, 7);
	assert_int_equal(ctl.flood_sent, 0);
	assert_int_equal(gen_packets(s, 0), 1 + 3);
	assert_int_equal(gen_packets(s, 1), 30);
	assert_int_equal(gen_packets(s, 2), 2);
	assert_int_equal(gen_packets(s, 3), 2);

	/* paced and limited: after the last paced frame, no flood either */
	ctl = (struct rfc_gen_ctl){ .limit = 1,
				    .ps_per_frame = 1000000000000000ULL };
	assert_int_equal(bpf_map_update_elem(fd, &zero, &ctl, 0), 0);
	gen_one(s, 0, 0);
	assert_int_equal(run(bpf_program__fd(s->progs.rfc_gen), &in, &out, 5),
			 XDP_DROP);
	assert_int_equal(bpf_map_lookup_elem(fd, &zero, &ctl), 0);
	assert_int_equal(ctl.flood_sent, 0);
	rfc2544__destroy(s);
}

static void test_gen(void **state)
{
	int prog;
	uint64_t seq0 = 0, t0, t1;
	struct rfc_gen_ctl ctl = { 0 };
	struct rfc_gen_stats g[256];
	struct frame in, out;
	uint32_t zero = 0;

	(void)state;
	if (!skel)
		skip();
	assert_true(ncpu <= 256);
	prog = bpf_program__fd(skel->progs.rfc_gen);
	zero_maps();
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.gen_ctl),
					     &zero, &ctl, 0),
			 0);
	tmpl_fill(skel);
	fr_init(&in);
	in.len = 1514;
	for (uint64_t n = seq0; n < NT * RFC_PAT * 2; n++) {
		uint32_t tenant = (uint32_t)(n % NT), slot = (n / NT) % RFC_PAT;
		struct rfc_bench_hdr h;

		t0 = mono_ns();
		assert_int_equal(run(prog, &in, &out, 1), XDP_TX);
		t1 = mono_ns();
		assert_int_equal(out.len, imix_len[slot]);
		for (int i = 0; i < RFC_HDR_TAGGED; i++)
			assert_int_equal(out.b[i],
					 16 * tenant + imix_cls[slot]);
		memcpy(&h, out.b + RFC_HDR_TAGGED, sizeof(h));
		assert_int_equal(ntohs(h.magic), RFC_MAGIC);
		assert_int_equal(ntohs(h.tenant), tenant);
		assert_int_equal(ntohs(h.seq), n / NT);
		assert_true(h.tx_ns >= t0 && h.tx_ns <= t1);
	}
	for (uint32_t t = 0; t < NT; t++) {
		uint64_t p = 0, b = 0;

		assert_int_equal(
			bpf_map_lookup_elem(bpf_map__fd(skel->maps.gen_stats),
					    &t, g),
			0);
		for (int c = 0; c < ncpu; c++) {
			p += g[c].packets;
			b += g[c].bytes;
		}
		/* two rounds of the pattern: 14 x 64, 8 x 570, 2 x 1518 */
		assert_int_equal(p, 2 * RFC_PAT);
		assert_int_equal(b, 14 * 64 + 8 * 570 + 2 * 1518);
	}
}

static struct rfc_xc_stats xc_read(void)
{
	struct rfc_xc_stats v[ncpu], sum = { 0 };
	uint32_t k = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.xc_stats),
					     &k, v),
			 0);
	for (int c = 0; c < ncpu; c++) {
		sum.redirected += v[c].redirected;
		sum.passed += v[c].passed;
	}
	return sum;
}

/* Runs rfc_xc on the frame's bytes after meta bytes of metadata; out gets
 * the frame as the program left it. The verdict, or -errno if the kernel
 * would not run it. */
static int xc_run(const struct frame *in, uint32_t meta, struct frame *out)
{
	uint8_t buf[FR_MAX + 32] = { 0 };
	struct xdp_md ctx = { .data = meta,
			      .data_end = meta + (uint32_t)in->len };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf,
		    .data_size_in = meta + (uint32_t)in->len,
		    .data_out = out->b, .data_size_out = sizeof(out->b),
		    .ctx_in = meta ? &ctx : NULL,
		    .ctx_size_in = meta ? sizeof(ctx) : 0, .repeat = 1);

	memcpy(buf + meta, in->b, in->len);
	fr_init(out);
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.rfc_xc), &o))
		return -errno;
	out->len = o.data_size_out;
	if (meta) { /* the metadata is returned too: drop it */
		assert_true(out->len >= meta);
		memmove(out->b, out->b + meta, out->len - meta);
		out->len -= meta;
	}
	return (int)o.retval;
}

static void frames_equal(const struct frame *want, const struct frame *got)
{
	if (want->len == got->len && !memcmp(want->b, got->b, want->len))
		return;
	fr_hexdump("want", want->b, want->len);
	fr_hexdump("got", got->b, got->len);
	fail();
}

/* Passed and counted as passed, the frame untouched. */
static void xc_passes(const struct frame *in, uint32_t meta)
{
	struct rfc_xc_stats before = xc_read(), after;
	struct frame out;

	assert_int_equal(xc_run(in, meta, &out), XDP_PASS);
	frames_equal(in, &out);
	after = xc_read();
	assert_int_equal(after.passed - before.passed, 1);
	assert_int_equal(after.redirected - before.redirected, 0);
}

static void test_xc(void **state)
{
	struct rfc_xc_stats before, after;
	struct frame in, want, out;
	int r;

	(void)state;
	if (!skel)
		skip();
	/* in range (the bounds too): the MACs rewritten, redirected */
	for (uint16_t vid = 99; vid <= 200; vid++) {
		fr_udp4(&in, MAC_B, vid, 0, "198.18.0.1", "198.19.0.1");
		if (vid == 99 || vid == 200) {
			xc_passes(&in, 0);
			continue;
		}
		want = in;
		memcpy(want.b, XC_DST, 6);
		memcpy(want.b + 6, XC_SRC, 6);
		before = xc_read();
		assert_int_equal(xc_run(&in, 0, &out), XDP_REDIRECT);
		frames_equal(&want, &out);
		after = xc_read();
		assert_int_equal(after.redirected - before.redirected, 1);
		assert_int_equal(after.passed - before.passed, 0);
	}
	/* the VID is 12 bits: priority and DEI bits set do not change it */
	fr_udp4(&in, MAC_B, 150, 0, "198.18.0.1", "198.19.0.1");
	in.b[14] |= 0xf0;
	assert_int_equal(xc_run(&in, 0, &out), XDP_REDIRECT);
	fr_udp4(&in, MAC_B, 3000, 0, "198.18.0.1", "198.19.0.1");
	xc_passes(&in, 0); /* out of range */
	fr_udp4(&in, MAC_B, 0, 0, "198.18.0.1", "198.19.0.1");
	xc_passes(&in, 0); /* untagged */
	fr_init(&in);
	fr_eth(&in, MAC_B, MAC_A);
	fr_tag(&in, ETH_P_8021AD, 150);
	fr_tag(&in, ETH_P_8021Q, 150);
	fr_type(&in, ETH_P_IP);
	fr_ipv4_udp(&in, "198.18.0.1", "198.19.0.1", 0, 14);
	xc_passes(&in, 0); /* outer tag 802.1ad: not 802.1Q */
	/* cut short, VID 150 where it would be: 17 and 16 bytes (the tag
	 * without its EtherType, or part of it), 14 (no tag: behind 4 bytes
	 * of metadata, as a driver may leave them) */
	fr_udp4(&in, MAC_B, 150, 0, "198.18.0.1", "198.19.0.1");
	in.len = 17;
	xc_passes(&in, 0);
	in.len = 16;
	xc_passes(&in, 0);
	in.len = 14;
	xc_passes(&in, 4);
	/* 13 bytes, not even an Ethernet header: this kernel refuses to run a
	 * frame under 14 bytes (EINVAL), metadata or not, as no driver hands
	 * one to XDP; where one runs, it must pass */
	in.len = 13;
	before = xc_read();
	r = xc_run(&in, 4, &out);
	assert_true(r == -EINVAL || r == XDP_PASS);
	if (r == XDP_PASS)
		frames_equal(&in, &out);
	assert_int_equal(xc_read().redirected, before.redirected);
	in.len = 18; /* the whole tag, nothing after it: ours */
	assert_int_equal(xc_run(&in, 0, &out), XDP_REDIRECT);
	assert_int_equal(out.len, 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_tenants),
		cmocka_unit_test(test_sink_others),
		cmocka_unit_test(test_gen),
		cmocka_unit_test(test_gen_pacing),
		cmocka_unit_test(test_gen_flood),
		cmocka_unit_test(test_xc),
	};

	tn_log_init("test_rfc2544_sink", TN_LOG_WARN);
	if (geteuid() != 0)
		fprintf(stderr, "test_rfc2544_sink: needs root (BPF_PROG_RUN): "
				"skipping\n");
	return cmocka_run_group_tests(tests, load, unload);
}
