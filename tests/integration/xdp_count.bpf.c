// SPDX-License-Identifier: GPL-2.0
/* xdp_count: an operator's own XDP program beside nic_ingress in libxdp's
 * dispatcher (test-tenetd.sh): counts every frame and passes it on, at
 * libxdp's default priority. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 frames;

SEC("xdp")
int xdp_count(struct xdp_md *ctx __attribute__((unused)))
{
	__sync_fetch_and_add(&frames, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
