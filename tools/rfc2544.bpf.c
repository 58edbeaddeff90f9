// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * tn-rfc2544's generator and sink, not part of the data path.
 *
 * rfc_gen runs under BPF_PROG_RUN with live frames, once per frame: it
 * drops the frame unsent if its time has not come (gen_ctl: pacing in the
 * kernel, frame by frame), or sends the flood tenant's instead if there is
 * one; else picks the frame's tenant (round robin over the paced tenants)
 * and size (the mix's pattern), trims the frame to that size, writes the
 * tenant's headers from gen_tmpl, the bench header, and last the
 * timestamp, and transmits (XDP_TX: out of the device BPF_PROG_RUN was
 * given). Live frames' pages are recycled as they are, so every header is
 * written on every run.
 *
 * rfc_sink is attached to the receiving device: a bench frame (after up
 * to two VLAN tags) is counted for its tenant with its latency, the sink's
 * clock less the generator's, and dropped; anything else is counted and
 * passed to the kernel (ARP for the sink's address, say).
 *
 * rfc_xc is the benchmark's ceiling (tn-rfc2544 xconnect): a frame whose
 * outer 802.1Q VID is in [xc_vlan_lo, xc_vlan_hi] gets the MACs of the
 * next hop and is redirected out of xc_ifindex, tag and all; anything else
 * is passed, to the program after it in libxdp's dispatcher.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "rfc2544.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set before load. */
const volatile __u32 ntenants = 1;
const volatile __u32 hdr_len = RFC_HDR_TAGGED; /* or RFC_HDR_UNTAGGED */
const volatile __u32 pat_len = 1;
const volatile __u8 pat_cls[RFC_PAT] = { 0 };
const volatile __u16 cls_len[RFC_NCLS] = { 60 }; /* without the FCS */
const volatile __u16 sink_port = RFC_PORT; /* 0: any */
const volatile __u32 flood_tenant = RFC_NO_FLOOD; /* or < ntenants */
const volatile __u32 xc_ifindex = 0; /* rfc_xc: out of here */
const volatile __u8 xc_dst[6] = { 0 }; /* to this MAC */
const volatile __u8 xc_keep_dst = 0; /* or to the one the frame has */
const volatile __u8 xc_src[6] = { 0 }; /* from this one: xc_ifindex's */
const volatile __u16 xc_vlan_lo = 1, xc_vlan_hi = 4094;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rfc_gen_ctl);
} gen_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RFC_NCLS); /* ntenants * RFC_NCLS, set at load */
	__type(key, __u32);
	__type(value, struct rfc_gen_tmpl);
} gen_tmpl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* ntenants, set at load */
	__type(key, __u32);
	__type(value, struct rfc_gen_stats);
} gen_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1); /* ntenants, set at load */
	__type(key, __u32);
	__type(value, struct rfc_sink_stats);
} sink_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rfc_sink_misc);
} sink_misc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rfc_xc_stats);
} xc_stats SEC(".maps");

/*
 * Frame k of tenant (k: the tenant's own frame number, which picks the
 * size from the pattern and is the bench header's seq): trims the frame to
 * its size, writes the tenant's headers, the bench header and last the
 * transmit time, and counts it in gen_stats, *sent and *t_last.
 */
static __always_inline int gen_frame(struct xdp_md *ctx, __u32 tenant, __u64 k,
				     __u64 *sent, __u64 *t_last)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 slot, cls, len, key;
	struct rfc_bench_hdr *h;
	struct rfc_gen_tmpl *t;
	struct rfc_gen_stats *s;
	__u64 now;

	slot = (__u32)(k % pat_len);
	if (slot >= RFC_PAT)
		return XDP_ABORTED;
	cls = pat_cls[slot];
	if (cls >= RFC_NCLS)
		return XDP_ABORTED;
	len = cls_len[cls];
	if (len != (__u32)(end - data)) {
		if (bpf_xdp_adjust_tail(ctx, (int)len - (int)(end - data)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
	}
	key = tenant * RFC_NCLS + cls;
	t = bpf_map_lookup_elem(&gen_tmpl, &key);
	if (!t)
		return XDP_ABORTED;
	if (data + RFC_HDR_TAGGED + sizeof(*h) > end)
		return XDP_ABORTED;
	if (hdr_len == RFC_HDR_TAGGED) {
		__builtin_memcpy(data, t->b, RFC_HDR_TAGGED);
		h = data + RFC_HDR_TAGGED;
	} else {
		__builtin_memcpy(data, t->b, RFC_HDR_UNTAGGED);
		h = data + RFC_HDR_UNTAGGED;
	}
	h->magic = bpf_htons(RFC_MAGIC);
	h->tenant = bpf_htons((__u16)tenant);
	h->seq = bpf_htons((__u16)k);
	s = bpf_map_lookup_elem(&gen_stats, &tenant);
	if (s) {
		s->packets++;
		s->bytes += len + 4;
	}
	(*sent)++;
	now = bpf_ktime_get_ns();
	*t_last = now;
	h->tx_ns = now;
	return XDP_TX;
}

SEC("xdp")
int rfc_gen(struct xdp_md *ctx)
{
	__u32 zero = 0, npaced, tenant;
	struct rfc_gen_ctl *c;
	__u64 n, now;

	c = bpf_map_lookup_elem(&gen_ctl, &zero);
	if (!c)
		return XDP_ABORTED;
	if (c->limit && c->sent >= c->limit)
		return XDP_DROP;
	now = bpf_ktime_get_ns();
	if (!c->t0)
		c->t0 = now;
	if (c->ps_per_frame && now < c->t0 + c->sent * c->ps_per_frame / 1000) {
		/* not yet: this run's frame stays unsent, or is the flood's */
		if (flood_tenant >= ntenants)
			return XDP_DROP;
		return gen_frame(ctx, flood_tenant, c->flood_seq++,
				 &c->flood_sent, &c->flood_t_last);
	}
	/* The paced tenants in turn: all of them, or all but the flood. */
	npaced = flood_tenant < ntenants ? ntenants - 1 : ntenants;
	if (!npaced)
		return XDP_ABORTED;
	n = c->seq++;
	tenant = (__u32)(n % npaced);
	if (tenant >= flood_tenant)
		tenant++; /* past the flood (none: flood_tenant is ~0) */
	return gen_frame(ctx, tenant, n / npaced, &c->sent, &c->t_last);
}

static __always_inline void count_other(__u32 which)
{
	__u32 zero = 0;
	struct rfc_sink_misc *m = bpf_map_lookup_elem(&sink_misc, &zero);

	if (!m)
		return;
	if (which == 0)
		m->other++;
	else if (which == 1)
		m->bad_tenant++;
	else
		m->future++;
}

SEC("xdp")
int rfc_sink(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_ns(), tx, lat;
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rfc_sink_stats *s;
	struct rfc_bench_hdr *h;
	struct udphdr *udp;
	struct iphdr *ip;
	__u32 tenant, b;
	__u16 proto;
	void *p;

	if ((void *)(eth + 1) > end)
		goto other;
	proto = eth->h_proto;
	p = eth + 1;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if (p + 4 > end)
			goto other;
		proto = *(__be16 *)(p + 2);
		p += 4;
	}
	if (proto != bpf_htons(ETH_P_IP))
		goto other;
	ip = p;
	if ((void *)(ip + 1) > end || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3fff)))
		goto other;
	udp = (void *)(ip + 1);
	h = (void *)(udp + 1);
	if ((void *)(h + 1) > end)
		goto other;
	if ((sink_port && udp->dest != bpf_htons(sink_port)) ||
	    h->magic != bpf_htons(RFC_MAGIC))
		goto other;
	tenant = bpf_ntohs(h->tenant);
	s = bpf_map_lookup_elem(&sink_stats, &tenant);
	if (tenant >= ntenants || !s) {
		count_other(1);
		return XDP_DROP;
	}
	tx = h->tx_ns;
	if (tx > now) {
		count_other(2);
		lat = 0;
	} else {
		lat = now - tx;
	}
	if (!s->packets || lat < s->lat_min)
		s->lat_min = lat;
	if (lat > s->lat_max)
		s->lat_max = lat;
	s->packets++;
	s->bytes += (__u64)(end - data) + 4;
	s->lat_sum += lat;
	b = rfc_hist_bucket(lat);
	if (b < RFC_HIST_N)
		s->hist[b]++;
	return XDP_DROP;
other:
	count_other(0);
	return XDP_PASS;
}

SEC("xdp")
int rfc_xc(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rfc_xc_stats *s;
	__u32 zero = 0;
	__u16 vid;

	s = bpf_map_lookup_elem(&xc_stats, &zero);
	if (!s)
		return XDP_PASS;
	/* the whole tag, not only its VID: a frame cut short is not ours */
	if ((void *)(eth + 1) + 4 > end ||
	    eth->h_proto != bpf_htons(ETH_P_8021Q))
		goto pass;
	vid = bpf_ntohs(*(__be16 *)(eth + 1)) & 0x0fff;
	if (vid < xc_vlan_lo || vid > xc_vlan_hi)
		goto pass;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (!xc_keep_dst)
			eth->h_dest[i] = xc_dst[i];
		eth->h_source[i] = xc_src[i];
	}
	s->redirected++;
	return bpf_redirect(xc_ifindex, 0);
pass:
	s->passed++;
	return XDP_PASS;
}
