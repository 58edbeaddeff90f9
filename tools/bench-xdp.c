// SPDX-License-Identifier: GPL-2.0
/*
 * tn-bench-xdp: the traffic generator and sink of make bench-router.
 *
 *   gen DEV DST_MAC DST_IP SRC_IP SIZE SECONDS [VID]
 *       transmits UDP frames of SIZE bytes (64..1518, FCS not counted as
 *       on the wire: 60..1514 here) out of DEV for SECONDS with
 *       BPF_PROG_RUN's live frames (an in-kernel generator: no skb per
 *       frame, so it outruns what it measures); prints the offered rate.
 *       With VID (1..4094), an 802.1Q tag on top: the same IP packet, 4
 *       bytes more on the wire, for a DUT whose ports are VLANs.
 *   sink DEV SECONDS
 *       counts and drops at XDP what arrives on DEV for SECONDS, but ARP
 *       (tagged or not), which it passes to the kernel, so that a DUT can
 *       resolve the sink's side meanwhile; prints the count and the rate
 *       over the whole window.
 *
 * Output is one JSON object per line, for the bench script.
 */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
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

#include "bench_xdp.skel.h"
#include "frames.h"
#include "log.h"
#include "parse.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int gen(struct bench_xdp *skel, int ifindex, char **argv)
{
	uint8_t dst_mac[6], src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint32_t size, secs, vid = 0;
	struct frame f;
	struct xdp_md ctx = { .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1 << 20,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	double t0, t;
	uint64_t sent = 0;

	if (tn_parse_mac(argv[0], dst_mac) ||
	    tn_parse_u32(argv[3], 64, 1518, &size) ||
	    tn_parse_u32(argv[4], 1, 600, &secs) ||
	    (argv[5] && tn_parse_u32(argv[5], 1, 4094, &vid))) {
		fprintf(stderr, "gen DEV DST_MAC DST_IP SRC_IP SIZE(64..1518)"
				" SECONDS [VID]\n");
		return 2;
	}
	fr_init(&f);
	fr_eth(&f, dst_mac, src_mac);
	if (vid)
		fr_tag(&f, ETH_P_8021Q, (uint16_t)vid);
	fr_type(&f, ETH_P_IP);
	fr_ipv4_udp(&f, argv[2], argv[1], 0, size - 4 - 14 - 20 - 8);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.gen_hdr),
				&(uint32_t){ 0 }, f.b, 0)) {
		fprintf(stderr, "gen: header template: %s\n", strerror(errno));
		return 1;
	}
	opts.data_in = f.b;
	opts.data_size_in = (uint32_t)f.len;
	ctx.data_end = (uint32_t)f.len;
	t0 = t = now_s();
	while (t - t0 < secs) {
		if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.gen_tx),
					   &opts)) {
			fprintf(stderr, "gen: BPF_PROG_RUN: %s\n",
				strerror(errno));
			return 1;
		}
		sent += opts.repeat;
		t = now_s();
	}
	printf("{\"offered_pps\": %.0f, \"frames\": %llu, \"seconds\": %.3f, "
	       "\"size\": %u, \"vid\": %u}\n",
	       (double)sent / (t - t0), (unsigned long long)sent, t - t0, size,
	       vid);
	return 0;
}

static uint64_t sink_total(struct bench_xdp *skel)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t v[ncpu > 0 ? ncpu : 1], sum = 0;
	uint32_t zero = 0;

	if (ncpu <= 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(skel->maps.sink_count), &zero, v))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += v[c];
	return sum;
}

static int sink(struct bench_xdp *skel, int ifindex, char **argv)
{
	uint32_t secs;
	double t0;
	int err;

	if (tn_parse_u32(argv[0], 1, 600, &secs)) {
		fprintf(stderr, "sink DEV SECONDS\n");
		return 2;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.sink_drop),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "sink: attach: %s\n", strerror(-err));
		return 1;
	}
	t0 = now_s();
	printf("{\"sink\": \"ready\"}\n");
	fflush(stdout);
	sleep(secs);
	printf("{\"received\": %llu, \"seconds\": %.3f}\n",
	       (unsigned long long)sink_total(skel), now_s() - t0);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_xdp *skel;
	int ifindex, ret;

	bool is_gen = (argc == 8 || argc == 9) && !strcmp(argv[1], "gen");
	bool is_sink = argc == 4 && !strcmp(argv[1], "sink");

	if (!is_gen && !is_sink) {
		fprintf(stderr,
			"usage: tn-bench-xdp gen DEV DST_MAC DST_IP SRC_IP SIZE SECONDS"
			" [VID]\n"
			"       tn-bench-xdp sink DEV SECONDS\n");
		return 2;
	}
	tn_log_init("tn-bench-xdp", TN_LOG_WARN);
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "tn-bench-xdp: no device %s\n", argv[2]);
		return 1;
	}
	skel = bench_xdp__open_and_load();
	if (!skel) {
		fprintf(stderr, "tn-bench-xdp: load: %s\n", strerror(errno));
		return 1;
	}
	ret = is_gen ? gen(skel, ifindex, argv + 3) :
		       sink(skel, ifindex, argv + 3);
	bench_xdp__destroy(skel);
	return ret;
}
