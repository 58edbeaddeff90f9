// SPDX-License-Identifier: GPL-2.0
/*
 * tn-bench-classifier: what finding a frame's tenant costs nic_ingress with
 * 1, 1,000 and 10,000 tenants, for each kind of key it looks up: one tag,
 * QinQ, destination MAC, ARP target, IPv4 and IPv6 destination prefix.
 *
 * Per kind and tenant count N it loads fresh programs in a private netns
 * (tests/bpf/env.h), configures tenants 1..N on one NIC, each active, with
 * a veth in tn_ports and one key of the kind, and times a frame of tenant
 * N/2+1 with BPF_PROG_RUN (the kernel's average ns over REPEAT runs). The
 * three counts are timed in turn, RUNS times; the best (lowest) of each is
 * reported: noise on a shared VM only ever adds time. Every
 * timed run must have redirected all REPEAT frames to the tenant (its tx
 * counter says so): a number for a miss or a drop would be worthless.
 *
 * nic_ingress pops the tags of tagged frames and a plain BPF_PROG_RUN hands
 * the popped frame to the next repetition, so tagged kinds are run with
 * BPF_F_TEST_XDP_LIVE_FRAMES, which resets the frame between repetitions
 * and performs the redirect (into a veth without NAPI, which drops it). -l
 * runs every kind so, to compare kinds on the same footing.
 *
 * Target: for each kind, ns(10,000 tenants) <= 1.1 x ns(1 tenant).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench-json.h"
#include "dp.h"
#include "env.h"
#include "log.h"

#define TARGET 1.10
#define NCOUNTS 3
#define MAX_RUNS 99
#define NVIDS 4094
#define MAP(name) offsetof(struct nic_ingress, maps.name)

enum kind { VLAN, QINQ, MAC, ARP, LPM4, LPM6, LPM4T, LPM6T, NKINDS };

/* lpm4/lpm6 are what nic_ingress does: the trie behind its prefix cache,
 * which a repeated frame always hits. lpm4t/lpm6t load it with the cache
 * off (tn_pcache_off): the trie's own cost, the floor of a cache miss.
 * They are reported for information, outside the target. */
static const struct {
	const char *name;
	size_t map; /* offset of the key map in the skeleton */
	__u32 nic_flags;
	int tagged;
	int trie_only;
} kinds[NKINDS] = {
	[VLAN] = { "vlan", MAP(tn_vlan), 0, 1, 0 },
	[QINQ] = { "qinq", MAP(tn_vlan), 0, 1, 0 },
	[MAC] = { "mac", MAP(tn_mac), TN_NIC_F_MAC, 0, 0 },
	[ARP] = { "arp", MAP(tn_host), TN_NIC_F_MAC, 0, 0 },
	[LPM4] = { "lpm4", MAP(tn_lpm4), TN_NIC_F_PREFIX, 0, 0 },
	[LPM6] = { "lpm6", MAP(tn_lpm6), TN_NIC_F_PREFIX, 0, 0 },
	[LPM4T] = { "lpm4t", MAP(tn_lpm4), TN_NIC_F_PREFIX, 0, 1 },
	[LPM6T] = { "lpm6t", MAP(tn_lpm6), TN_NIC_F_PREFIX, 0, 1 },
};

static int is_v6(enum kind k)
{
	return k == LPM6 || k == LPM6T;
}

static const __u32 counts[NCOUNTS] = { 1, 1000, 10000 };

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tn-bench-classifier: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

union key {
	struct tn_vlan_key vlan;
	struct tn_mac_key mac;
	struct tn_host_key host;
	struct tn_lpm4_key lpm4;
	struct tn_lpm6_key lpm6;
};

/*
 * Prefixes: drawn with a fixed seed, mixed lengths, each aligned and placed
 * after the previous one of its pool with a gap of 0-2 of its own size, so
 * they never overlap. IPv4 counts addresses, IPv6 counts /64s.
 */
struct pool {
	__u64 next, end;
};

struct gen {
	__u64 rng;
	struct pool pool[2][2]; /* [v6][which] */
};

static const struct gen gen_start = {
	.rng = 0x9e3779b97f4a7c15,
	.pool = { { { 0x64400000, 0x64800000 }, /* 100.64.0.0/10 */
		    { 0x0a000000, 0x0b000000 } }, /* 10.0.0.0/8 */
		  { { 0x20010db800000000,
		      0x20010db900000000 }, /* 2001:db8::/32 */
		    { 0xfd00000000000000,
		      0xfe00000000000000 } } }, /* fd00::/8 */
};

/* Prefix lengths, in proportion: IPv4 mostly /24, IPv6 /48 to /64. */
static const __u8 lens[2][20] = {
	{ 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
	  24, 24, 24, 24, 22, 23, 28, 28, 29, 30 },
	{ 48, 56, 56, 64, 64, 48, 56, 56, 64, 64,
	  48, 56, 56, 64, 64, 48, 56, 56, 64, 64 },
};

static __u64 rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static int next_prefix(struct gen *g, int v6, __u64 *base, unsigned int *len)
{
	struct pool *p = &g->pool[v6][rnd(g) & 1];
	__u64 size, at;

	*len = lens[v6][rnd(g) % sizeof(lens[0])];
	size = 1ull << ((v6 ? 64 : 32) - *len);
	at = (p->next + size - 1) & ~(size - 1);
	at += size * (rnd(g) % 3);
	if (at + size > p->end || at + size < at)
		return -ENOSPC;
	p->next = at + size;
	*base = at;
	return 0;
}

/* One benchmarked configuration: programs, maps and the frame. */
struct setup {
	struct xdp_env e;
	struct frame f;
	__u32 n, tid;
	__u32 ns[MAX_RUNS];
};

static struct bpf_map *key_map(struct xdp_env *e, enum kind k)
{
	return *(struct bpf_map **)((char *)e->ni + kinds[k].map);
}

static void put_be(__u8 *p, __u64 v, int n)
{
	for (int b = n - 1; b >= 0; b--, v >>= 8)
		p[b] = (__u8)v;
}

/*
 * The key of kind k for index i (tenant i + 1), and with f, a frame that
 * matches it. A NIC has only 4094 VIDs, so single-tag keys come in blocks
 * of 4094: the block of the looked-up index t on the NIC, the others on
 * absent ifindexes (the table still holds one key per tenant). QinQ: outer
 * 1 + i % 4094, inner 1 + i / 4094. MACs 02:7e:<i>, ARP targets
 * 100.64.0.1 + i. Frames are from 192.0.2.1 (2001:db8:ffff::1) to the
 * tenant's VLAN, MAC, ARP target or first address in the prefix.
 */
static int make_key(enum kind k, __u32 i, __u32 t, __u32 nic, struct gen *g,
		    union key *key, struct frame *f)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned int len;
	__u8 a[16] = { 0 };
	__u64 base;

	memset(key, 0, sizeof(*key));
	key->vlan.ifindex = nic; /* every key starts with it but LPM's */
	switch (k) {
	case VLAN:
	case QINQ:
		key->vlan.vid = (__u16)(1 + i % NVIDS);
		if (k == QINQ)
			key->vlan.inner_vid = (__u16)(1 + i / NVIDS);
		else if (i / NVIDS != t / NVIDS)
			key->vlan.ifindex = 0x10000 + i / NVIDS;
		if (!f)
			return 0;
		fr_udp4(f, MAC_B, key->vlan.vid, key->vlan.inner_vid,
			"192.0.2.1", "198.51.100.1");
		/* Live frames keep what the program wrote, and nic_ingress
		 * pops tags by moving the MACs over them: MACs that repeat
		 * the tags make the popped frame the same as the original. */
		for (int j = 11; j >= 0; j--)
			f->b[j] = f->b[j + (k == QINQ ? 8 : 4)];
		return 0;
	case MAC:
		key->mac.mac[0] = 0x02;
		key->mac.mac[1] = 0x7e;
		put_be(key->mac.mac + 2, i, 4);
		if (f)
			fr_udp4(f, key->mac.mac, 0, 0, "192.0.2.1",
				"198.51.100.1");
		return 0;
	case ARP:
		key->host.family = AF_INET;
		put_be(key->host.addr, 0x64400001 + i, 4);
		if (!f)
			return 0;
		inet_ntop(AF_INET, key->host.addr, ip, sizeof(ip));
		fr_init(f);
		fr_eth(f, MAC_BCAST, MAC_A);
		fr_type(f, ETH_P_ARP);
		fr_arp(f, 1, MAC_A, "192.0.2.1", ip);
		f->len = ETH_ZLEN; /* padded as on the wire */
		return 0;
	default: /* lpm4 keys are lpm6 keys with a shorter address */
		if (next_prefix(g, is_v6(k), &base, &len))
			return -ENOSPC;
		key->lpm6.prefixlen = TN_LPM_IFINDEX_BITS + len;
		key->lpm6.ifindex = nic;
		put_be(a, base, is_v6(k) ? 8 : 4);
		memcpy(key->lpm6.addr, a, 16);
		if (!f)
			return 0;
		a[is_v6(k) ? 15 : 3] |= 1;
		inet_ntop(is_v6(k) ? AF_INET6 : AF_INET, a, ip, sizeof(ip));
		if (is_v6(k))
			fr_udp6(f, MAC_B, 0, 0, "2001:db8:ffff::1", ip);
		else
			fr_udp4(f, MAC_B, 0, 0, "192.0.2.1", ip);
		return 0;
	}
}

static int update(struct bpf_map *map, const void *key, const void *val)
{
	if (bpf_map_update_elem(bpf_map__fd(map), key, val, 0))
		return fail("updating %s: %s", bpf_map__name(map),
			    strerror(errno));
	return 0;
}

/* Loads fresh programs and configures n tenants with one key of kind k. */
static int fill(struct setup *s, enum kind k, __u32 n)
{
	struct xdp_env *e = &s->e;
	struct tn_nic nic = { .nic_id = 1, .flags = kinds[k].nic_flags };
	struct tn_tenant tenant = { .flags = TN_TENANT_F_ACTIVE };
	__u32 t = n / 2, nicif = (__u32)e->if_nic, veth = (__u32)e->if_veth;
	struct gen g = gen_start;
	union key key;

	e->pcache_off = kinds[k].trie_only;
	if (env_load(e))
		return fail("loading the programs failed");
	s->n = n;
	s->tid = t + 1;
	if (update(e->ni->maps.tn_nics, &nicif, &nic))
		return -1;
	for (__u32 i = 0, tid = 1; i < n; i++, tid++) {
		__u32 port = tn_port(tid, TN_ROLE_ACCESS);

		if (make_key(k, i, t, nicif, &g, &key, i == t ? &s->f : NULL))
			return fail("%s: out of prefixes", kinds[k].name);
		if (update(key_map(e, k), &key, &tid) ||
		    update(e->ni->maps.tn_tenants, &tid, &tenant) ||
		    update(e->ni->maps.tn_ports, &port, &veth))
			return -1;
	}
	return 0;
}

static __u64 tx_packets(struct setup *s)
{
	int fd = bpf_map__fd(s->e.ni->maps.tn_port_stats);
	struct tn_stats st;

	if (tn_dp_stats_read(fd, tn_port(s->tid, TN_ROLE_ACCESS), &st))
		return 0;
	return st.tx_packets;
}

/*
 * Runs s's frame repeat times and puts the kernel's average in *ns; fails
 * unless every run redirected the frame to the tenant. env_run has no flags
 * argument, so live frames are run here.
 */
static int run(struct setup *s, int live, __u32 repeat, __u32 *ns)
{
	int fd = bpf_program__fd(s->e.ni->progs.nic_ingress), err;
	struct xdp_md ctx = { .data_end = (__u32)s->f.len,
			      .ingress_ifindex = (__u32)s->e.if_nic };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = s->f.b,
		    .data_size_in = (__u32)s->f.len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	__u64 before = tx_packets(s), got;
	__u32 verdict = XDP_REDIRECT;

	if (live) {
		err = bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
		*ns = opts.duration;
	} else {
		err = env_run(fd, s->e.if_nic, 0, &s->f, NULL, &verdict, repeat,
			      ns);
	}
	if (err)
		return fail("BPF_PROG_RUN: %s", strerror(-err));
	got = tx_packets(s) - before;
	if (verdict != XDP_REDIRECT || got != repeat) {
		fr_hexdump("frame", s->f.b, s->f.len);
		return fail(
			"%u tenants: %llu of %u frames redirected to tenant "
			"%u, verdict %u (XDP_REDIRECT is %u): not the path "
			"to measure",
			s->n, (unsigned long long)got, repeat, s->tid, verdict,
			XDP_REDIRECT);
	}
	return 0;
}

static double best(const __u32 *v, int n)
{
	__u32 m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

/* Measures kind k into res[count], the three counts in turn. */
static int bench_kind(const struct xdp_env *world, enum kind k, int live,
		      __u32 repeat, int runs, struct setup *s, double *res)
{
	int err = 0;
	__u32 ns;

	for (int c = 0; c < NCOUNTS && !err; c++) {
		s[c].e = *world;
		err = fill(&s[c], k, counts[c]) || run(&s[c], 0, 1, &ns);
	}
	for (int r = 0; r < runs && !err; r++)
		for (int c = 0; c < NCOUNTS && !err; c++)
			err = run(&s[c], live, repeat, &s[c].ns[r]);
	for (int c = 0; c < NCOUNTS; c++) {
		if (!err)
			res[c] = best(s[c].ns, runs);
		env_unload(&s[c].e);
	}
	return err ? -1 : 0;
}

/*
 * The table on stdout (unless -j), and the same results as make bench's
 * JSON (tools/README): on stdout with -j, in -o's file. Rows are kinds;
 * ns_1, ns_1000 and ns_10000 the ns/frame for that many tenants:
 *
 *   kind  bytes  run    1 tenant  1000 tenants  10000 tenants  ratio ...
 *   vlan     64  live       41.0          41.0           42.0   1.02  ok
 */
static int report(int json, const char *out, __u32 repeat, int runs,
		  const int *live, const int *len, double res[][NCOUNTS])
{
	static const char *const keys[] = { "kind", NULL };
	struct bench_doc d;
	char missed[64] = "";
	json_object *row;
	double ratio;
	int err;

	if (bench_doc_init(&d, "classifier", keys))
		return fail("out of memory");
	bench_num(d.params, "repeat", "%.0f", repeat);
	bench_num(d.params, "runs", "%.0f", runs);
	bench_num(d.params, "target_ratio", "%.2f", TARGET);
	bench_unit(&d, "frame_bytes", "B");
	bench_unit(&d, "ns_1", "ns/frame");
	bench_unit(&d, "ns_1000", "ns/frame");
	bench_unit(&d, "ns_10000", "ns/frame");
	bench_unit(&d, "ratio", "ns_10000/ns_1");
	bench_plot(&d, "ns",
		   "nic_ingress: ns per frame by key kind and tenants", "kind",
		   NULL, "ns_1 ns_1000 ns_10000", "ns/frame");
	if (!json)
		printf("nic_ingress classifier, BPF_PROG_RUN, repeat %u, "
		       "best of %d (ns/frame)\nkind  bytes  run    1 tenant  "
		       "1000 tenants  10000 tenants  ratio 10000/1  "
		       "target <=%.2f\n",
		       repeat, runs, TARGET);
	for (int k = 0; k < NKINDS; k++) {
		if (!len[k])
			continue;
		ratio = res[k][2] / res[k][0];
		if (ratio > TARGET && !kinds[k].trie_only)
			strcat(strcat(missed, " "), kinds[k].name);
		if (!json)
			printf("%-5s %5d  %-5s  %8.1f  %12.1f  %13.1f  "
			       "%13.2f  %s\n",
			       kinds[k].name, len[k],
			       live[k] ? "live" : "plain", res[k][0], res[k][1],
			       res[k][2], ratio,
			       kinds[k].trie_only ? "(info)" :
			       ratio <= TARGET	  ? "ok" :
						    "MISSED");
		row = bench_row(&d);
		bench_str(row, "kind", kinds[k].name);
		bench_num(row, "frame_bytes", "%.0f", len[k]);
		bench_str(row, "run", live[k] ? "live" : "plain");
		bench_num(row, "ns_1", "%.1f", res[k][0]);
		bench_num(row, "ns_1000", "%.1f", res[k][1]);
		bench_num(row, "ns_10000", "%.1f", res[k][2]);
		bench_num(row, "ratio", "%.3f", ratio);
		bench_str(row, "target",
			  kinds[k].trie_only ? "info" :
			  ratio <= TARGET    ? "ok" :
					       "missed");
	}
	json_object_object_add(d.params, "target_met",
			       json_object_new_boolean(!*missed));
	if (!json)
		printf("run: plain = BPF_PROG_RUN, live = with "
		       "BPF_F_TEST_XDP_LIVE_FRAMES (redirect included)\n"
		       "lpm4/lpm6: prefix cache hit; lpm4t/lpm6t: cache off, "
		       "the trie alone (a miss costs this and a cache insert)\n");
	fprintf(json ? stderr : stdout,
		*missed ? "target missed for:%s\n" : "target met\n", missed);
	err = json || out ? bench_write(&d, json ? NULL : out) : 0;
	if (err)
		fail("%s: %s", out ? out : "stdout", strerror(-err));
	bench_doc_free(&d);
	return err;
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: tn-bench-classifier [-j] [-l] [-r REPEAT] [-n RUNS] "
		"[-k KIND] [-o FILE]\n"
		"  -r REPEAT  repetitions per BPF_PROG_RUN (default 2000000, "
		"at least 1000000)\n"
		"  -n RUNS    runs per tenant count, the best is reported "
		"(default 7, 1 .. %d)\n"
		"  -k KIND    only vlan, qinq, mac, arp, lpm4, lpm6, lpm4t or "
		"lpm6t\n"
		"  -l         live frames for every kind (tagged kinds always)\n"
		"  -j         make bench's JSON (tools/README) instead of the "
		"table\n"
		"  -o FILE    the table, and the JSON in FILE\n",
		MAX_RUNS);
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	static struct setup s[NCOUNTS];
	int len[NKINDS] = { 0 }, live[NKINDS], json = 0, all_live = 0;
	int runs = 7, only = -1, c;
	double res[NKINDS][NCOUNTS];
	unsigned long repeat = 2000000;
	const char *why = NULL, *out = NULL;
	struct xdp_env world = { 0 };
	char *end = "";
	time_t t0;

	while ((c = getopt(argc, argv, "jlr:n:k:o:h")) != -1) {
		if (c == 'j' || c == 'l') {
			*(c == 'j' ? &json : &all_live) = 1;
		} else if (c == 'r') {
			repeat = strtoul(optarg, &end, 10);
			if (*end || repeat < 1000000 || repeat > UINT32_MAX)
				return usage(stderr);
		} else if (c == 'n') {
			runs = (int)strtol(optarg, &end, 10);
			if (*end || runs < 1 || runs > MAX_RUNS)
				return usage(stderr);
		} else if (c == 'o') {
			out = optarg;
		} else if (c == 'k') {
			for (only = NKINDS - 1; only >= 0; only--)
				if (!strcmp(optarg, kinds[only].name))
					break;
			if (only < 0)
				return usage(stderr);
		} else {
			return usage(c == 'h' ? stdout : stderr);
		}
	}
	if (optind < argc)
		return usage(stderr);
	tn_log_init("tn-bench-classifier", TN_LOG_ERR);
	if (env_world(&world, &why)) {
		fail("%s", why);
		return 1;
	}

	for (int k = 0; k < NKINDS; k++) {
		if (only >= 0 && k != only)
			continue;
		t0 = time(NULL);
		live[k] = all_live || kinds[k].tagged;
		if (bench_kind(&world, k, live[k], (__u32)repeat, runs, s,
			       res[k])) {
			fail("measuring %s failed", kinds[k].name);
			return 1;
		}
		len[k] = (int)s[0].f.len;
		fprintf(stderr,
			"%-5s %d-byte frame, %s: %.1f %.1f %.1f ns (%ld s)\n",
			kinds[k].name, len[k], live[k] ? "live" : "plain",
			res[k][0], res[k][1], res[k][2],
			(long)(time(NULL) - t0));
	}
	return report(json, out, (__u32)repeat, runs, live, len, res) ? 1 : 0;
}
