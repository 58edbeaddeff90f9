// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Benchmark helpers, not part of the data path: gen_tx turns BPF_PROG_RUN
 * with live frames into a traffic generator (each run transmits the frame
 * out of the given interface), sink_drop counts and drops what arrives
 * (but ARP: the DUT may be resolving the sink's side).
 *
 * Live frames come from a page pool whose pages are recycled as they are,
 * and a kernel that forwards a frame rewrites its MACs and TTL in place:
 * the next frame from that page would carry them. gen_tx writes the
 * headers back from gen_hdr on every run.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

/* Ethernet, an 802.1Q tag if any, IPv4, UDP: what forwarding rewrites (or
 * moves: popping and pushing tags); untagged, 4 bytes of payload too. */
#define GEN_HDR 46

struct gen_hdr {
	__u8 b[GEN_HDR];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_hdr);
} gen_hdr SEC(".maps");

SEC("xdp")
int gen_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct gen_hdr *h = bpf_map_lookup_elem(&gen_hdr, &zero);

	if (!h || data + GEN_HDR > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, h->b, GEN_HDR);
	return XDP_TX;
}

SEC("xdp")
int sink_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *b = data;
	__u32 zero = 0;
	__u64 *c;

	/* ARP, bare or under one 802.1Q tag (0x8100, 0x0806 in network
	 * order), to the kernel */
	if (data + 18 <= end && ((b[12] == 0x08 && b[13] == 0x06) ||
				 (b[12] == 0x81 && b[13] == 0x00 &&
				  b[16] == 0x08 && b[17] == 0x06)))
		return XDP_PASS;
	c = bpf_map_lookup_elem(&sink_count, &zero);
	if (c)
		(*c)++;
	return XDP_DROP;
}
