// SPDX-License-Identifier: GPL-2.0
/*
 * redirect_spy: what tests/fuzz/fuzz_xdp learns of a redirect besides the
 * verdict. BPF_PROG_RUN reports XDP_REDIRECT but not where to; the kernel
 * turns bpf_redirect_map() into a direct call of the map's map_redirect
 * op (dev_map_redirect, xsk_map_redirect), and an fexit program there
 * sees the map, the key and the answer. Only the maps the fuzzer names
 * in watch[] are recorded (other XDP programs on the host redirect too):
 * the last call, and how many there were. One writer: the fuzzer's own
 * BPF_PROG_RUN, on its CPU.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* The kernel's struct bpf_map, as far as this reads it (CO-RE). */
struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));

#define SPY_WATCH 8

__u32 watch[SPY_WATCH];
__u64 calls;
__u32 last_map;
__u64 last_key;
__s64 last_ret;

static __always_inline void record(struct bpf_map *map, __u64 key, __s64 ret)
{
	__u32 id = map->id;
	int i;

	for (i = 0; i < SPY_WATCH; i++)
		if (watch[i] && watch[i] == id)
			break;
	if (i == SPY_WATCH)
		return;
	calls++;
	last_map = id;
	last_key = key;
	last_ret = ret;
}

/* long dev_map_redirect(struct bpf_map *map, u64 ifindex, u64 flags):
 * ctx[0..2] the arguments, ctx[3] the return. */
SEC("fexit/dev_map_redirect")
int spy_devmap(__u64 *ctx)
{
	record((struct bpf_map *)ctx[0], ctx[1], (__s64)ctx[3]);
	return 0;
}

SEC("fexit/xsk_map_redirect")
int spy_xskmap(__u64 *ctx)
{
	record((struct bpf_map *)ctx[0], ctx[1], (__s64)ctx[3]);
	return 0;
}
