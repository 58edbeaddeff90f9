// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_RUN fixtures for nic_ingress, tenant_egress and tenant_rx: each
 * names an input frame, the maps it sets up, the verdict, the output frame
 * (byte for byte) and every counter of the entries it touches. A mismatch
 * prints both frames as hex. Each fixture loads the programs afresh.
 *
 * nic_ingress's fast path (bpf/lib/fast.h) has a table of its own
 * (fast_fixtures): each names the outcome, and the harness derives and
 * checks every counter of both tenants, both fast tables entry by entry,
 * and the frame out. Then tests by hand: an entry's garbage port, the
 * shared egress policer, every IPv4 checksum, an entry rewritten under
 * traffic, and a million frames against a random table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>
#include <tenet/fast.h>

#include "dp.h"
#include "env.h"
#include "frames.h"
#include "log.h"
#include "parse.h"
#include "redirect_spy.skel.h"

enum dev { D_NIC, D_NIC2, D_VETH, D_VETH2, D_LO };

#define T1 1 /* veth mode tenant */
#define T2 2 /* veth mode tenant */
#define T3 3 /* direct mode tenant */
#define NIC1 1 /* tfnic0, access, default pass, 4 queues */
#define NIC2 2 /* tfnic1, uplink, default drop */
#define ACC TN_ROLE_ACCESS
#define UPL TN_ROLE_UPLINK

/* Expected change of one counter entry; bytes follow from the packets and
 * the input (rx, pass) or output (tx) frame length. */
struct count {
	enum env_smap map;
	__u32 key;
	__u64 rx, tx, pass, nosock, direct, offqueue;
	__u64 drop[TN_DROP__MAX];
	int set;
};

struct fixture {
	const char *name;
	enum env_prog prog;
	enum dev dev;
	__u32 rxq;
	void (*setup)(struct xdp_env *e);
	void (*in)(struct frame *f);
	__u32 repeat; /* 0: once */
	int err; /* expected -errno of BPF_PROG_RUN itself, then nothing else */
	__u32 verdict;
	void (*out)(struct frame *f); /* NULL: the input, unchanged */
	struct count c[3];
};

static struct xdp_env env;
static const char *skip_why;

/* ---- map set-up ---- */

static void upd(struct bpf_map *m, const void *k, const void *v)
{
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(m), k, v, 0), 0);
}

static int dev_index(enum dev d)
{
	switch (d) {
	case D_NIC:
		return env.if_nic;
	case D_NIC2:
		return env.if_nic2;
	case D_VETH:
		return env.if_veth;
	case D_VETH2:
		return env.if_veth2;
	default:
		return 1; /* lo */
	}
}

static void nic(int ifindex, __u32 id, __u32 role, __u32 dflt, __u32 flags)
{
	struct tn_nic n = { .nic_id = id,
			    .role = role,
			    .default_action = dflt,
			    .flags = flags };

	upd(env.ni->maps.tn_nics, &ifindex, &n);
}

static void tenant(__u32 tid, __u32 flags)
{
	struct tn_tenant t = { .flags = flags };

	upd(env.ni->maps.tn_tenants, &tid, &t);
}

static void port(__u32 tid, __u32 role, int ifindex)
{
	__u32 p = tn_port(tid, role);

	upd(env.ni->maps.tn_ports, &p, &ifindex);
}

static void vlan(int ifindex, __u16 vid, __u16 inner, __u32 tid)
{
	struct tn_vlan_key k = { .ifindex = ifindex,
				 .vid = vid,
				 .inner_vid = inner };

	upd(env.ni->maps.tn_vlan, &k, &tid);
}

static void host(int ifindex, const char *ip, __u32 tid)
{
	struct tn_host_key k = { .ifindex = ifindex };
	int family;

	assert_int_equal(tn_parse_ip(ip, &family, k.addr), 0);
	k.family = family;
	upd(env.ni->maps.tn_host, &k, &tid);
}

/* Sets (tid) or removes (tid 0) a prefix as the agent does: trie, then
 * generation. */
static void prefix(int ifindex, const char *cidr, __u32 tid)
{
	unsigned int len;
	int family;
	__u8 a[16];

	assert_int_equal(tn_parse_prefix(cidr, 1, &family, a, &len), 0);
	assert_int_equal(
		tn_dp_prefix_set(family == AF_INET ?
					 bpf_map__fd(env.ni->maps.tn_lpm4) :
					 bpf_map__fd(env.ni->maps.tn_lpm6),
				 bpf_map__fd(env.ni->maps.tn_lpm_gen), ifindex,
				 family, a, len, tid),
		0);
}

/* The standard world most fixtures run in. */
static void setup_std(struct xdp_env *e)
{
	struct tn_mac_key mk = { .ifindex = e->if_nic2 };

	nic(e->if_nic, NIC1, ACC, TN_DEFAULT_PASS, 0);
	nic(e->if_nic2, NIC2, UPL, TN_DEFAULT_DROP,
	    TN_NIC_F_MAC | TN_NIC_F_PREFIX);
	tenant(T1, TN_TENANT_F_ACTIVE);
	tenant(T2, TN_TENANT_F_ACTIVE);
	tenant(T3, TN_TENANT_F_ACTIVE | TN_TENANT_F_DIRECT);
	port(T1, ACC, e->if_veth);
	port(T1, UPL, e->if_veth);
	port(T2, ACC, e->if_veth);
	port(T2, UPL, e->if_veth);
	vlan(e->if_nic, 100, 0, T1);
	vlan(e->if_nic, 200, 300, T2);
	vlan(e->if_nic, 300, 0, T3);
	vlan(e->if_nic, 400, 0, 9); /* tenant 9 is not active */
	memcpy(mk.mac, MAC_B, 6);
	upd(e->ni->maps.tn_mac, &mk, &(__u32){ T1 });
	host(e->if_nic2, "192.0.2.10", T2);
	host(e->if_nic2, "2001:db8::10", T2);
	prefix(e->if_nic2, "198.51.100.0/24", T1);
	prefix(e->if_nic2, "198.51.100.128/25", T2);
	prefix(e->if_nic2, "2001:db8:1::/48", T1);
	prefix(e->if_nic2, "2001:db8:1:2::/64", T2);
}

static void setup_no_port(struct xdp_env *e)
{
	__u32 p = tn_port(T1, ACC);

	setup_std(e);
	bpf_map_delete_elem(bpf_map__fd(e->ni->maps.tn_ports), &p);
}

/* Direct mode: NIC1 queue 1 belongs to T3, queue 2 to T1; T3's router
 * has 10.0.0.1 and its veth the way to the container's kernel. */
static void setup_direct(struct xdp_env *e)
{
	__u32 q1 = NIC1 * TN_MAX_QUEUES + 1, q2 = NIC1 * TN_MAX_QUEUES + 2;
	struct tn_local_key lk = { .tenant_id = T3, .family = AF_INET };

	setup_std(e);
	port(T3, ACC, e->if_veth);
	upd(e->ni->maps.tn_qowner, &q1, &(__u32){ T3 });
	upd(e->ni->maps.tn_qowner, &q2, &(__u32){ T1 });
	inet_pton(AF_INET, "10.0.0.1", lk.addr);
	upd(e->ni->maps.tn_local, &lk, &(__u32){ 1 });
}

static int xsk_fd = -1;

static void setup_direct_xsk(struct xdp_env *e)
{
	__u32 q1 = NIC1 * TN_MAX_QUEUES + 1;

	setup_direct(e);
	if (xsk_fd < 0)
		xsk_fd = env_xsk(e->if_nic, 1);
	assert_true(xsk_fd >= 0);
	upd(e->ni->maps.tn_nic_xsks, &q1, &xsk_fd);
}

static void setup_direct_no_port(struct xdp_env *e)
{
	__u32 p = tn_port(T3, ACC);

	setup_direct(e);
	bpf_map_delete_elem(bpf_map__fd(e->ni->maps.tn_ports), &p);
}

/* Policers on T1's uplink port, which frames to MAC_B on NIC2 reach
 * unmodified (BPF_PROG_RUN's repeat runs the program on the same buffer
 * again, so a popped tag would stay popped). A burst of 4.5 frames at 1 pps,
 * and of 10.5 frames of in_mac_b's size at 1 Mbit/s. */
static void setup_police(struct xdp_env *e, __u64 pps, __u64 bps, double n,
			 size_t len)
{
	struct tn_policer pol;
	__u32 p = tn_port(T1, UPL);

	setup_std(e);
	tn_policer_config(&pol, bps, pps, 0, 0);
	if (pps)
		pol.pkt_burst = pol.pkt_credit = (__u64)(n * pol.pkt_cost);
	if (bps)
		pol.byte_burst = pol.byte_credit =
			(__u64)(n * len * pol.byte_cost);
	upd(e->ni->maps.tn_policer, &p, &pol);
}

static void in_mac_b(struct frame *f);

static void setup_police_pps(struct xdp_env *e)
{
	setup_police(e, 1, 0, 4.5, 0);
}

/* A frame's worth of credit every 7.5 ms: the 30 frames run well within
 * it even under qemu's emulation (at 1 Mbit/s, 0.5 ms, one came back). */
static void setup_police_bps(struct xdp_env *e)
{
	struct frame f;

	in_mac_b(&f);
	setup_police(e, 0, 64000, 10.5, f.len);
}

static void setup_egress(struct xdp_env *e, __u16 vid, __u16 inner)
{
	struct tn_egress eg = { .port = tn_port(T1, ACC),
				.nic_id = NIC1,
				.vid = vid,
				.inner_vid = inner };
	__u32 id = NIC1;

	upd(e->eg->maps.tn_egress, &e->if_veth, &eg);
	upd(e->eg->maps.tn_nic_dev, &id, &e->if_nic);
}

static void setup_eg_vlan(struct xdp_env *e)
{
	setup_egress(e, 100, 0);
}

static void setup_eg_qinq(struct xdp_env *e)
{
	setup_egress(e, 200, 300);
}

static void setup_eg_untagged(struct xdp_env *e)
{
	setup_egress(e, 0, 0);
}

static void setup_eg_no_nic(struct xdp_env *e)
{
	struct tn_egress eg = { .port = tn_port(T1, ACC),
				.nic_id = NIC2,
				.vid = 100 };

	upd(e->eg->maps.tn_egress, &e->if_veth, &eg);
}

/* T1's access port with every check on: its MAC is MAC_A, it owns
 * 192.0.2.50 and 2001:db8::50, its sources are 10.0.0.0/24 and
 * 2001:db8:a::/64. */
static void own_addr(const char *ip)
{
	struct tn_local_key k = { .tenant_id = T1 };
	int family;

	assert_int_equal(tn_parse_ip(ip, &family, k.addr), 0);
	k.family = family;
	upd(env.eg->maps.tn_local, &k, &(__u32){ 1 });
}

static void src_prefix_of(__u32 tid, const char *cidr)
{
	unsigned int len;
	int family;
	__u8 a[16];

	assert_int_equal(tn_parse_prefix(cidr, 1, &family, a, &len), 0);
	if (family == AF_INET) {
		struct tn_src4_key k = { .prefixlen = 32 + len,
					 .tenant_id = tid };

		memcpy(k.addr, a, 4);
		upd(env.eg->maps.tn_src4, &k, &(__u32){ 1 });
	} else {
		struct tn_src6_key k = { .prefixlen = 32 + len,
					 .tenant_id = tid };

		memcpy(k.addr, a, 16);
		upd(env.eg->maps.tn_src6, &k, &(__u32){ 1 });
	}
}

static void src_prefix(const char *cidr)
{
	src_prefix_of(T1, cidr);
}

static void setup_eg_checked(struct xdp_env *e, __u32 flags)
{
	struct tn_egress eg = { .port = tn_port(T1, ACC),
				.nic_id = NIC1,
				.flags = flags };
	__u32 id = NIC1;

	memcpy(eg.mac, MAC_A, 6);
	upd(e->eg->maps.tn_egress, &e->if_veth, &eg);
	upd(e->eg->maps.tn_nic_dev, &id, &e->if_nic);
	own_addr("192.0.2.50");
	own_addr("2001:db8::50");
	src_prefix("10.0.0.0/24");
	src_prefix("2001:db8:a::/64");
	src_prefix("192.0.2.50/32");
	src_prefix("2001:db8::50/128");
}

static void setup_eg_check(struct xdp_env *e)
{
	setup_eg_checked(e, TN_EG_F_MAC | TN_EG_F_ARP | TN_EG_F_SRC);
}

/* source-check off */
static void setup_eg_nocheck(struct xdp_env *e)
{
	setup_eg_checked(e, 0);
}

/* 1 pps, a burst of 4.5 frames, on what T1 sends out its access port. */
static void setup_eg_police(struct xdp_env *e)
{
	struct tn_policer pol;
	__u32 p = tn_port(T1, ACC);

	setup_eg_check(e);
	tn_policer_config(&pol, 0, 1, 0, 0);
	pol.pkt_burst = pol.pkt_credit = (__u64)(4.5 * pol.pkt_cost);
	upd(e->eg->maps.tn_egress_policer, &p, &pol);
}

/* T1's single VLAN 100 and T2's QinQ 100/200 on one NIC. */
static void setup_mix(struct xdp_env *e)
{
	setup_std(e);
	vlan(e->if_nic, 100, 200, T2);
}

static void setup_rx(struct xdp_env *e)
{
	struct tn_addr_key k4 = { .family = AF_INET },
			   k6 = { .family = AF_INET6 };
	__u32 slot = 1;

	upd(e->rx->maps.tn_rx_ifs, &e->if_veth2, &slot);
	inet_pton(AF_INET, "10.0.0.1", k4.addr);
	inet_pton(AF_INET6, "2001:db8:a::1", k6.addr);
	upd(e->rx->maps.tn_rx_addrs, &k4, &(__u32){ 1 });
	upd(e->rx->maps.tn_rx_addrs, &k6, &(__u32){ 1 });
}

static int rx_xsk_fd = -1;

static void setup_rx_xsk(struct xdp_env *e)
{
	__u32 idx = 1 * TN_MAX_QUEUES + 0;

	setup_rx(e);
	if (rx_xsk_fd < 0)
		rx_xsk_fd = env_xsk(e->if_veth2, 0);
	assert_true(rx_xsk_fd >= 0);
	upd(e->rx->maps.tn_rx_xsks, &idx, &rx_xsk_fd);
}

/* ---- frames ---- */

#define FRAME(name, body)                 \
	static void name(struct frame *f) \
	{                                 \
		body;                     \
	}

FRAME(in_vlan100, fr_udp4(f, MAC_B, 100, 0, "10.0.0.2", "203.0.113.1"))
FRAME(out_vlan100, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_vlan100_v6,
      fr_udp6(f, MAC_B, 100, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(out_vlan100_v6, fr_udp6(f, MAC_B, 0, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(in_qinq, fr_udp4(f, MAC_B, 200, 300, "10.0.0.2", "203.0.113.1"))
FRAME(in_smuggled, fr_udp4(f, MAC_B, 100, 200, "10.0.0.2", "203.0.113.1"))
FRAME(in_vlan200, fr_udp4(f, MAC_B, 200, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_vlan300, fr_udp4(f, MAC_B, 300, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_own_vlan300, fr_udp4(f, MAC_B, 300, 0, "10.0.0.2", "10.0.0.1"))
FRAME(out_own_vlan300, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "10.0.0.1"))
FRAME(in_vlan400, fr_udp4(f, MAC_B, 400, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_vlan999, fr_udp4(f, MAC_B, 999, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_untagged, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "203.0.113.1"))
FRAME(in_mac_b, fr_udp4(f, MAC_B, 0, 0, "203.0.113.1", "203.0.113.99"))
FRAME(in_mac_a, fr_udp4(f, MAC_A, 0, 0, "203.0.113.1", "203.0.113.99"))
FRAME(in_lpm4_24, fr_udp4(f, MAC_A, 0, 0, "203.0.113.1", "198.51.100.7"))
FRAME(in_lpm4_25, fr_udp4(f, MAC_A, 0, 0, "203.0.113.1", "198.51.100.200"))
FRAME(in_lpm6_48, fr_udp6(f, MAC_A, 0, 0, "2001:db8:f::1", "2001:db8:1:1::5"))
FRAME(in_lpm6_64, fr_udp6(f, MAC_A, 0, 0, "2001:db8:f::1", "2001:db8:1:2::5"))
FRAME(in_tagged_from_tenant,
      fr_udp4(f, MAC_B, 200, 0, "10.0.0.2", "203.0.113.1"))
FRAME(out_eg_qinq, fr_udp4(f, MAC_B, 200, 300, "10.0.0.2", "203.0.113.1"))

static void l2(struct frame *f, const uint8_t *dst, __u16 type)
{
	fr_init(f);
	fr_eth(f, dst, MAC_A);
	fr_type(f, type);
}

/* What a tenant sends out its port (its MAC is MAC_A) */
FRAME(eg_ok4, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "203.0.113.1"))
FRAME(eg_ok6, fr_udp6(f, MAC_B, 0, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(eg_own4, fr_udp4(f, MAC_B, 0, 0, "192.0.2.50", "203.0.113.1"))
FRAME(eg_spoof4, fr_udp4(f, MAC_B, 0, 0, "10.0.1.2", "203.0.113.1"))
FRAME(eg_spoof6, fr_udp6(f, MAC_B, 0, 0, "2001:db8:b::2", "2001:db8:f::1"))
FRAME(eg_unspec_mcast, fr_udp6(f, MAC_B, 0, 0, "::", "ff02::16"))
FRAME(eg_unspec_ucast, fr_udp6(f, MAC_B, 0, 0, "::", "2001:db8:f::1"))

static void eg_spoof_mac(struct frame *f)
{
	eg_ok4(f);
	memcpy(f->b + 6, MAC_B, 6);
}

static void eg_arp(struct frame *f, __u16 op, const uint8_t *sha,
		   const char *spa, const char *tpa)
{
	l2(f, MAC_BCAST, ETH_P_ARP);
	fr_arp(f, op, sha, spa, tpa);
}

FRAME(eg_arp_own, eg_arp(f, 1, MAC_A, "192.0.2.50", "192.0.2.1"))
FRAME(eg_arp_probe, eg_arp(f, 1, MAC_A, "0.0.0.0", "192.0.2.50"))
/* a gratuitous reply claiming T2's uplink address */
FRAME(eg_arp_claim, eg_arp(f, 2, MAC_A, "192.0.2.10", "192.0.2.10"))
/* its own address, another's MAC */
FRAME(eg_arp_sha, eg_arp(f, 2, MAC_B, "192.0.2.50", "192.0.2.50"))

static void eg_nd(struct frame *f, __u8 type, const char *src,
		  const char *target)
{
	static const uint8_t mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	l2(f, mcast, ETH_P_IPV6);
	fr_nd(f, type, src, target);
}

FRAME(eg_na_own, eg_nd(f, 136, "2001:db8::50", "2001:db8::50"))
FRAME(eg_na_claim, eg_nd(f, 136, "2001:db8::50", "2001:db8::10"))
FRAME(eg_ns_own, eg_nd(f, 135, "2001:db8::50", "2001:db8::1"))
FRAME(eg_ns_dad, eg_nd(f, 135, "::", "2001:db8::50"))
FRAME(eg_ns_claim, eg_nd(f, 135, "2001:db8::10", "2001:db8::1"))

/* a spanning tree BPDU: 802.3 length, LLC 42 42 03 */
static void eg_stp(struct frame *f)
{
	static const uint8_t stp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };
	static const uint8_t llc[38] = { 0x42, 0x42, 0x03 };

	fr_init(f);
	fr_eth(f, stp, MAC_A);
	fr_type(f, sizeof(llc));
	fr_put(f, llc, sizeof(llc));
}

/* An inner tag under an 802.1Q outer tag is a customer's own, not QinQ. */
static void in_inject(struct frame *f, __u16 outer_tpid)
{
	fr_init(f);
	fr_eth(f, MAC_B, MAC_A);
	fr_tag(f, outer_tpid, 100);
	fr_tag(f, ETH_P_8021Q, 200);
	fr_type(f, ETH_P_IP);
	fr_ipv4_udp(f, "10.0.0.2", "203.0.113.1", 0, 18);
}

FRAME(in_inject_q, in_inject(f, ETH_P_8021Q))
FRAME(in_qinq_100_200, in_inject(f, ETH_P_8021AD))

static void in_arp_req(struct frame *f)
{
	l2(f, MAC_BCAST, ETH_P_ARP);
	fr_arp(f, 1, MAC_A, "192.0.2.1", "192.0.2.10");
}

static void in_arp_vlan300(struct frame *f)
{
	fr_init(f);
	fr_eth(f, MAC_BCAST, MAC_A);
	fr_tag(f, ETH_P_8021Q, 300);
	fr_type(f, ETH_P_ARP);
	fr_arp(f, 1, MAC_A, "10.0.0.2", "10.0.0.1");
}

static void out_arp_vlan300(struct frame *f)
{
	l2(f, MAC_BCAST, ETH_P_ARP);
	fr_arp(f, 1, MAC_A, "10.0.0.2", "10.0.0.1");
}

static void in_arp_reply_bcast(struct frame *f)
{
	l2(f, MAC_BCAST, ETH_P_ARP);
	fr_arp(f, 2, MAC_A, "192.0.2.1", "192.0.2.10");
}

static void in_arp_other(struct frame *f)
{
	l2(f, MAC_BCAST, ETH_P_ARP);
	fr_arp(f, 1, MAC_A, "192.0.2.1", "192.0.2.99");
}

static void in_arp_truncated(struct frame *f)
{
	in_arp_req(f);
	f->len = 14 + 20; /* body cut after the sender address */
}

static void in_ns(struct frame *f)
{
	static const uint8_t mcast[6] = { 0x33, 0x33, 0xff, 0, 0, 0x10 };

	l2(f, mcast, ETH_P_IPV6);
	fr_ns(f, "fe80::1", "2001:db8::10");
}

static void in_runt(struct frame *f)
{
	in_untagged(f);
	f->len = 13;
}

static void in_eth_only_ipv4(struct frame *f)
{
	in_untagged(f);
	f->len = 14; /* Ethernet header alone, claiming IPv4 */
}

static void in_trunc_vlan(struct frame *f)
{
	in_vlan100(f);
	f->len = 16; /* half a tag */
}

static void in_trunc_qinq(struct frame *f)
{
	in_qinq(f);
	f->len = 20; /* outer tag and half the inner one */
}

static void in_three_tags(struct frame *f)
{
	fr_init(f);
	fr_eth(f, MAC_B, MAC_A);
	fr_tag(f, ETH_P_8021AD, 200);
	fr_tag(f, ETH_P_8021Q, 300);
	fr_tag(f, ETH_P_8021Q, 100);
	fr_type(f, ETH_P_IP);
	fr_ipv4_udp(f, "10.0.0.2", "203.0.113.1", 0, 18);
}

static void in_trunc_ipv4(struct frame *f)
{
	in_vlan100(f);
	f->len = 18 + 19; /* one byte short of the minimal header */
}

static void in_trunc_ipv6(struct frame *f)
{
	in_vlan100_v6(f);
	f->len = 18 + 39;
}

static void in_ipv6_payload_long(struct frame *f)
{
	in_vlan100_v6(f);
	f->b[18 + 5] += 1; /* payload length one past the frame */
}

static void ipv4_opts(struct frame *f, const uint8_t *mac, __u16 vid,
		      const char *dst)
{
	fr_init(f);
	fr_eth(f, mac, MAC_A);
	if (vid)
		fr_tag(f, ETH_P_8021Q, vid);
	fr_type(f, ETH_P_IP);
	fr_ipv4_udp(f, "10.0.0.2", dst, 12, 18); /* IHL 8 */
}

FRAME(in_ipv4_opts, ipv4_opts(f, MAC_B, 100, "203.0.113.1"))
FRAME(out_ipv4_opts, ipv4_opts(f, MAC_B, 0, "203.0.113.1"))
FRAME(in_ipv4_opts_lpm, ipv4_opts(f, MAC_A, 0, "198.51.100.200"))

static void in_bad_ihl4(struct frame *f)
{
	in_vlan100(f);
	f->b[18] = 0x44; /* IHL 4: less than the fixed header */
}

static void in_bad_ihl15(struct frame *f)
{
	in_vlan100(f);
	f->len = 18 + 20 + 26; /* the frame ends before 60 bytes of header */
	f->b[18] = 0x4f;
}

static void in_bad_version(struct frame *f)
{
	in_vlan100(f);
	f->b[18] = 0x65;
}

static void in_totlen_long(struct frame *f)
{
	in_vlan100(f);
	f->b[18 + 3] += 1; /* total length one past the frame */
}

/* tenant_rx frames, as the container side of the veth sees them */
FRAME(rx_transit4, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "203.0.113.1"))
FRAME(rx_transit6, fr_udp6(f, MAC_B, 0, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(rx_own4, fr_udp4(f, MAC_B, 0, 0, "10.0.0.2", "10.0.0.1"))
FRAME(rx_own6, fr_udp6(f, MAC_B, 0, 0, "2001:db8:a::2", "2001:db8:a::1"))
FRAME(rx_linklocal6, fr_udp6(f, MAC_B, 0, 0, "fe80::2", "fe80::1"))
FRAME(rx_bcast4, fr_udp4(f, MAC_BCAST, 0, 0, "10.0.0.2", "10.0.0.255"))
FRAME(rx_tagged, fr_udp4(f, MAC_B, 100, 0, "10.0.0.2", "203.0.113.1"))

static void rx_ns_unicast(struct frame *f)
{
	/* NS for address resolution sent unicast (NUD probe) to the router's
	 * link-layer address, target not in tn_rx_addrs: still the kernel's. */
	l2(f, MAC_B, ETH_P_IPV6);
	fr_ns(f, "2001:db8:a::2", "2001:db8:a::99");
	inet_pton(AF_INET6, "2001:db8:a::99", f->b + 14 + 24);
}

static void rx_trunc_ipv4(struct frame *f)
{
	rx_transit4(f);
	f->len = 14 + 12;
}

/* ---- the table ---- */

#define DROP(r) .drop = { [TN_DROP_##r] = 1 }
#define C(m, k, ...)                                          \
	{                                                     \
		.set = 1, .map = (m), .key = (k), __VA_ARGS__ \
	}
#define PORT(t, r) ((t)*2 + (r)) /* tn_port(), as a constant */

/* Columns: name; program, ingress device, rx queue, set-up, input frame,
 * repeat, BPF_PROG_RUN error, verdict, output frame (NULL: unchanged);
 * counter entries and their expected changes. */
/* clang-format off */
static const struct fixture fixtures[] = {
	/* nic_ingress: classification and delivery */
	{ "nic: 802.1Q VLAN 100 -> T1 access port, tag popped",
	  P_NIC, D_NIC, 0, setup_std, in_vlan100, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "nic: 802.1Q VLAN 100 IPv6 -> T1, tag popped",
	  P_NIC, D_NIC, 0, setup_std, in_vlan100_v6, 0, 0, XDP_REDIRECT, out_vlan100_v6,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "nic: QinQ 200/300 -> T2, both tags popped",
	  P_NIC, D_NIC, 0, setup_std, in_qinq, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, ACC), .rx = 1, .tx = 1) } },
	{ "nic: inner tag 200 under T1's single VLAN 100 -> smuggled, dropped on T1",
	  P_NIC, D_NIC, 0, setup_std, in_smuggled, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(VLAN_SMUGGLED)),
	    C(S_PORT, PORT(T1, ACC), .rx = 1, DROP(VLAN_SMUGGLED)),
	    C(S_PORT, PORT(T2, ACC)) } },
	{ "nic: inner tag 200 under 802.1Q 100 is not QinQ 100/200: T1's, smuggled",
	  P_NIC, D_NIC, 0, setup_mix, in_inject_q, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(VLAN_SMUGGLED)),
	    C(S_PORT, PORT(T1, ACC), .rx = 1, DROP(VLAN_SMUGGLED)),
	    C(S_PORT, PORT(T2, ACC)) } },
	{ "nic: 100/200 under an 802.1ad outer tag -> QinQ T2, beside T1's 100",
	  P_NIC, D_NIC, 0, setup_mix, in_qinq_100_200, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, ACC), .rx = 1, .tx = 1),
	    C(S_PORT, PORT(T1, ACC)) } },
	{ "nic: outer VLAN 200 alone is not QinQ 200/300 -> default pass",
	  P_NIC, D_NIC, 0, setup_std, in_vlan200, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .pass = 1), C(S_PORT, PORT(T2, ACC)) } },
	{ "nic: unknown VLAN 999, default pass -> host stack, untouched",
	  P_NIC, D_NIC, 0, setup_std, in_vlan999, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .pass = 1) } },
	{ "nic: untagged on a VLAN-only NIC, default pass",
	  P_NIC, D_NIC, 0, setup_std, in_untagged, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .pass = 1), C(S_PORT, PORT(T1, ACC)) } },
	{ "nic: VLAN of an inactive tenant, default pass",
	  P_NIC, D_NIC, 0, setup_std, in_vlan400, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .pass = 1), C(S_PORT, PORT(9, ACC)) } },
	{ "nic: unconfigured NIC -> pass, counted in nic slot 0",
	  P_NIC, D_NIC2, 0, NULL, in_vlan100, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, 0, .rx = 1, .pass = 1) } },
	{ "nic: untagged dst MAC match -> T1 uplink port",
	  P_NIC, D_NIC2, 0, setup_std, in_mac_b, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, UPL), .rx = 1, .tx = 1) } },
	{ "nic: ARP request by target IP -> T2 uplink port",
	  P_NIC, D_NIC2, 0, setup_std, in_arp_req, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, UPL), .rx = 1, .tx = 1) } },
	{ "nic: broadcast ARP reply is not matched by target, default drop",
	  P_NIC, D_NIC2, 0, setup_std, in_arp_reply_bcast, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 1, DROP(NO_TENANT)), C(S_PORT, PORT(T2, UPL)) } },
	{ "nic: ARP request for nobody's address, default drop",
	  P_NIC, D_NIC2, 0, setup_std, in_arp_other, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 1, DROP(NO_TENANT)) } },
	{ "nic: IPv6 neighbour solicitation by target -> T2",
	  P_NIC, D_NIC2, 0, setup_std, in_ns, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, UPL), .rx = 1, .tx = 1) } },
	{ "nic: IPv4 LPM /24 -> T1",
	  P_NIC, D_NIC2, 0, setup_std, in_lpm4_24, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, UPL), .rx = 1, .tx = 1) } },
	{ "nic: IPv4 LPM longest match /25 over /24 -> T2",
	  P_NIC, D_NIC2, 0, setup_std, in_lpm4_25, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, UPL), .rx = 1, .tx = 1), C(S_PORT, PORT(T1, UPL)) } },
	{ "nic: IPv6 LPM /48 -> T1",
	  P_NIC, D_NIC2, 0, setup_std, in_lpm6_48, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, UPL), .rx = 1, .tx = 1) } },
	{ "nic: IPv6 LPM longest match /64 over /48 -> T2",
	  P_NIC, D_NIC2, 0, setup_std, in_lpm6_64, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, UPL), .rx = 1, .tx = 1) } },
	{ "nic: unknown tenant (no MAC, no prefix), default drop",
	  P_NIC, D_NIC2, 0, setup_std, in_mac_a, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 1, DROP(NO_TENANT)) } },
	{ "nic: prefixes are per NIC: NIC1 does not match NIC2's /24",
	  P_NIC, D_NIC, 0, setup_std, in_lpm4_24, 0, 0, XDP_PASS, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .pass = 1), C(S_PORT, PORT(T1, UPL)) } },
	{ "nic: IPv4 with options, VLAN 100 -> T1, header intact",
	  P_NIC, D_NIC, 0, setup_std, in_ipv4_opts, 0, 0, XDP_REDIRECT, out_ipv4_opts,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "nic: IPv4 with options, LPM -> T2",
	  P_NIC, D_NIC2, 0, setup_std, in_ipv4_opts_lpm, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_NIC, NIC2, .rx = 1, .tx = 1), C(S_PORT, PORT(T2, UPL), .rx = 1, .tx = 1) } },
	{ "nic: veth mode, empty DEVMAP slot -> drop no_slot",
	  P_NIC, D_NIC, 0, setup_no_port, in_vlan100, 0, 0, XDP_DROP, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, DROP(NO_SLOT)), C(S_PORT, PORT(T1, ACC), .rx = 1, DROP(NO_SLOT)) } },
	/* nic_ingress: policing */
	{ "nic: policed pps: burst 4.5 at 1 pps, 10 frames -> 4 pass",
	  P_NIC, D_NIC2, 0, setup_police_pps, in_mac_b, 10, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 10, .tx = 4, .drop = { [TN_DROP_POLICED] = 6 }), C(S_PORT, PORT(T1, UPL), .rx = 10, .tx = 4, .drop = { [TN_DROP_POLICED] = 6 }), C(S_PORT, PORT(T1, ACC)) } },
	{ "nic: policed bps: burst 10.5 frames at 64 kbit/s, 30 frames -> 10",
	  P_NIC, D_NIC2, 0, setup_police_bps, in_mac_b, 30, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 30, .tx = 10, .drop = { [TN_DROP_POLICED] = 20 }), C(S_PORT, PORT(T1, UPL), .rx = 30, .tx = 10, .drop = { [TN_DROP_POLICED] = 20 }) } },
	/* nic_ingress: direct mode */
	{ "nic: direct mode, transit on the tenant's queue -> its XSK there",
	  P_NIC, D_NIC, 1, setup_direct_xsk, in_vlan300, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1, .direct = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1, .direct = 1) } },
	{ "nic: direct mode, no XSK on the tenant's queue -> veth, nosock",
	  P_NIC, D_NIC, 1, setup_direct, in_vlan300, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1, .nosock = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1, .nosock = 1) } },
	{ "nic: direct mode, queue owned by another tenant -> veth, offqueue",
	  P_NIC, D_NIC, 2, setup_direct_xsk, in_vlan300, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1, .offqueue = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1, .offqueue = 1) } },
	{ "nic: direct mode, queue owned by no one -> veth, offqueue",
	  P_NIC, D_NIC, 3, setup_direct_xsk, in_vlan300, 0, 0, XDP_REDIRECT, out_vlan100,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1, .offqueue = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1, .offqueue = 1) } },
	{ "nic: direct mode, ARP on the tenant's queue -> veth (container kernel)",
	  P_NIC, D_NIC, 1, setup_direct_xsk, in_arp_vlan300, 0, 0, XDP_REDIRECT, out_arp_vlan300,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1) } },
	{ "nic: direct mode, to the router's address -> veth (container kernel)",
	  P_NIC, D_NIC, 1, setup_direct_xsk, in_own_vlan300, 0, 0, XDP_REDIRECT, out_own_vlan300,
	  { C(S_NIC, NIC1, .rx = 1, .tx = 1), C(S_PORT, PORT(T3, ACC), .rx = 1, .tx = 1) } },
	{ "nic: direct mode, no XSK and no veth -> drop no_slot",
	  P_NIC, D_NIC, 1, setup_direct_no_port, in_vlan300, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, .nosock = 1, DROP(NO_SLOT)), C(S_PORT, PORT(T3, ACC), .rx = 1, .nosock = 1, DROP(NO_SLOT)) } },
	/* nic_ingress: malformed frames */
	{ "nic: runt (13 B) is refused by the kernel before XDP (EINVAL)",
	  P_NIC, D_NIC, 0, setup_std, in_runt, 0, -EINVAL, 0, NULL,
	  { { 0 } } },
	{ "nic: 14 B Ethernet header claiming IPv4 -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_eth_only_ipv4, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: truncated VLAN tag -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_trunc_vlan, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)), C(S_PORT, PORT(T1, ACC)) } },
	{ "nic: truncated inner QinQ tag -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_trunc_qinq, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)), C(S_PORT, PORT(T2, ACC)) } },
	{ "nic: three tags -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_three_tags, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)), C(S_PORT, PORT(T2, ACC)) } },
	{ "nic: truncated IPv4 header -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_trunc_ipv4, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)), C(S_PORT, PORT(T1, ACC)) } },
	{ "nic: truncated IPv6 header -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_trunc_ipv6, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: IPv6 payload length past the frame -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_ipv6_payload_long, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: bad IHL 4 -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_bad_ihl4, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: IHL 15 past the end of the frame -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_bad_ihl15, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: IP version 6 in an IPv4 ethertype -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_bad_version, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: IPv4 total length past the frame -> malformed",
	  P_NIC, D_NIC, 0, setup_std, in_totlen_long, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC1, .rx = 1, DROP(MALFORMED)) } },
	{ "nic: truncated ARP body -> malformed",
	  P_NIC, D_NIC2, 0, setup_std, in_arp_truncated, 0, 0, XDP_DROP, NULL,
	  { C(S_NIC, NIC2, .rx = 1, DROP(MALFORMED)) } },
	/* tenant_egress */
	{ "egress: untagged from tenant -> VLAN 100 pushed, out NIC1",
	  P_EGRESS, D_VETH, 0, setup_eg_vlan, out_vlan100, 0, 0, XDP_REDIRECT, in_vlan100,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: QinQ 200/300 pushed (802.1ad outer)",
	  P_EGRESS, D_VETH, 0, setup_eg_qinq, out_vlan100, 0, 0, XDP_REDIRECT, out_eg_qinq,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: untagged NIC -> frame unchanged, out NIC1",
	  P_EGRESS, D_VETH, 0, setup_eg_untagged, out_vlan100, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: smuggled tag from the tenant side -> drop",
	  P_EGRESS, D_VETH, 0, setup_eg_vlan, in_tagged_from_tenant, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(VLAN_SMUGGLED)) } },
	{ "egress: smuggled QinQ from the tenant side -> drop",
	  P_EGRESS, D_VETH, 0, setup_eg_untagged, in_qinq, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(VLAN_SMUGGLED)) } },
	{ "egress: veth not bound to a NIC -> drop no_config",
	  P_EGRESS, D_VETH, 0, NULL, out_vlan100, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, 0, .rx = 1, DROP(NO_CONFIG)) } },
	{ "egress: NIC slot empty -> drop no_slot",
	  P_EGRESS, D_VETH, 0, setup_eg_no_nic, out_vlan100, 0, 0, XDP_DROP, in_vlan100,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(NO_SLOT)) } },
	{ "egress: truncated tag from the tenant -> malformed",
	  P_EGRESS, D_VETH, 0, setup_eg_vlan, in_trunc_vlan, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(MALFORMED)) } },
	/* tenant_egress: what a tenant may send */
	{ "egress: source in its space, its MAC -> out NIC1",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_ok4, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: IPv6 source in its space -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_ok6, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: from its own address -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_own4, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: another source MAC -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_spoof_mac, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: IPv4 source outside its space -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_spoof4, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: IPv6 source outside its space -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_spoof6, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: from :: to a multicast group (MLD, DAD) -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_unspec_mcast, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: from :: to a unicast address -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_unspec_ucast, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: ARP request from its own address -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_arp_own, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: ARP probe from 0.0.0.0 -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_arp_probe, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: gratuitous ARP claiming another's address -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_arp_claim, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: ARP with another's MAC as sender -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_arp_sha, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: NA for its own address -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_na_own, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: unsolicited NA claiming another's address -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_na_claim, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: NS from its own address -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_ns_own, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: NS from :: (DAD) -> out",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_ns_dad, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: NS from another's address -> spoofed",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_ns_claim, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(SPOOFED)) } },
	{ "egress: STP BPDU to 01:80:c2:00:00:00 -> reserved",
	  P_EGRESS, D_VETH, 0, setup_eg_check, eg_stp, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(RESERVED)) } },
	{ "egress: source-check off: another MAC passes",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_spoof_mac, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: source-check off: a foreign IPv4 source passes",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_spoof4, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: source-check off: a foreign IPv6 source passes",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_spoof6, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: source-check off: an ARP claim passes",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_arp_claim, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: source-check off: an NA claim passes",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_na_claim, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, .tx = 1) } },
	{ "egress: source-check off: reserved multicast still dropped",
	  P_EGRESS, D_VETH, 0, setup_eg_nocheck, eg_stp, 0, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 1, DROP(RESERVED)) } },
	{ "egress: policed: burst 4.5 at 1 pps, 10 frames -> 4 leave",
	  P_EGRESS, D_VETH, 0, setup_eg_police, eg_ok4, 10, 0, XDP_DROP, NULL,
	  { C(S_EGRESS, PORT(T1, ACC), .rx = 10, .tx = 4, .drop = { [TN_DROP_POLICED] = 6 }) } },
	/* tenant_rx */
	{ "rx: transit IPv4, XSK bound -> redirect to XSK",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_transit4, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_RX, 1, .rx = 1, .tx = 1) } },
	{ "rx: transit IPv6, XSK bound -> redirect to XSK",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_transit6, 0, 0, XDP_REDIRECT, NULL,
	  { C(S_RX, 1, .rx = 1, .tx = 1) } },
	{ "rx: transit, no XSK bound yet -> pass, counted",
	  P_RX, D_VETH2, 0, setup_rx, rx_transit4, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1, .nosock = 1) } },
	{ "rx: interface unknown to tenant_rx -> pass, counted",
	  P_RX, D_VETH2, 0, NULL, rx_transit4, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 0, .rx = 1, .pass = 1, .nosock = 1) } },
	{ "rx: ARP -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, in_arp_req, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: IPv6 NS to solicited-node multicast -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, in_ns, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: unicast IPv6 NS, target not ours -> kernel (ND)",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_ns_unicast, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: to the router's IPv4 address -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_own4, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: to the router's IPv6 address -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_own6, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: IPv6 link-local destination -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_linklocal6, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: broadcast -> kernel",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_bcast4, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: tagged frame -> kernel, not forwarded",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_tagged, 0, 0, XDP_PASS, NULL,
	  { C(S_RX, 1, .rx = 1, .pass = 1) } },
	{ "rx: truncated IPv4 -> malformed",
	  P_RX, D_VETH2, 0, setup_rx_xsk, rx_trunc_ipv4, 0, 0, XDP_DROP, NULL,
	  { C(S_RX, 1, .rx = 1, DROP(MALFORMED)) } },
};
/* clang-format on */

/* ---- the harness ---- */

static int stats_fd(enum env_smap m)
{
	return env_stats_fd(&env, m);
}

static int prog_fd(enum env_prog p)
{
	return env_prog_fd(&env, p);
}

/* Has counter entry key of map m changed by want since before? If not,
 * prints the change and want. */
static int stats_check(enum env_smap m, __u32 key,
		       const struct tn_stats *before,
		       const struct tn_stats *want)
{
	struct tn_stats after;
	__u64 *a = (__u64 *)&after;
	const __u64 *b = (const __u64 *)before, *w = (const __u64 *)want;

	assert_int_equal(tn_dp_stats_read(stats_fd(m), key, &after), 0);
	for (size_t j = 0; j < sizeof(after) / sizeof(__u64); j++) {
		if (a[j] - b[j] == w[j])
			continue;
		fprintf(stderr, "counters of map %d key %u differ:\n", m, key);
		for (size_t k = 0; k < sizeof(after) / sizeof(__u64); k++)
			a[k] -= b[k];
		env_print_stats("  got ", &after);
		env_print_stats("  want", want);
		return 1;
	}
	return 0;
}

static void run_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct tn_stats before[3];
	struct frame in, out, want;
	__u32 verdict = 0;
	int err, bad = 0;

	if (skip_why) {
		fprintf(stderr, "SKIP: %s\n", skip_why);
		skip();
	}
	assert_int_equal(env_load(&env), 0);
	if (fx->setup)
		fx->setup(&env);
	fx->in(&in);
	for (int i = 0; i < 3 && fx->c[i].set; i++)
		assert_int_equal(tn_dp_stats_read(stats_fd(fx->c[i].map),
						  fx->c[i].key, &before[i]),
				 0);

	err = env_run(prog_fd(fx->prog), dev_index(fx->dev), fx->rxq, &in, &out,
		      &verdict, fx->repeat, NULL);
	if (fx->err) {
		assert_int_equal(err, fx->err);
		env_unload(&env);
		return;
	}
	assert_int_equal(err, 0);

	if (fx->out)
		fx->out(&want);
	else
		want = in;
	if (verdict != fx->verdict) {
		fprintf(stderr, "verdict %u, want %u\n", verdict, fx->verdict);
		bad = 1;
	}
	/* A dropped frame's bytes are of no one's concern; all others are. */
	if (fx->verdict != XDP_DROP &&
	    (out.len != want.len || memcmp(out.b, want.b, want.len))) {
		fr_hexdump("output frame", out.b, out.len);
		fr_hexdump("expected frame", want.b, want.len);
		bad = 1;
	}
	for (int i = 0; i < 3 && fx->c[i].set; i++) {
		const struct count *c = &fx->c[i];
		struct tn_stats d = { 0 };

		d.rx_packets = c->rx;
		d.rx_bytes = c->rx * in.len;
		d.tx_packets = c->tx;
		d.tx_bytes = c->tx * want.len;
		d.pass_packets = c->pass;
		d.pass_bytes = c->pass * in.len;
		d.nosock_packets = c->nosock;
		d.direct_packets = c->direct;
		d.offqueue_packets = c->offqueue;
		memcpy(d.drop_packets, c->drop, sizeof(d.drop_packets));
		bad |= stats_check(c->map, c->key, &before[i], &d);
	}
	env_unload(&env);
	if (bad)
		fail_msg("fixture '%s' failed", fx->name);
}

/*
 * The policer against the clock: offered far above the rate for about a
 * second, the frames let through must be rate x the time they were offered
 * over, within 5%. The bucket starts empty at t0, so what it lets through
 * from then to its last frame (as its own clock saw it) is all earned.
 */
static void police_accuracy(__u64 bps, __u64 pps)
{
	struct tn_stats s;
	struct tn_policer pol, end;
	struct frame in;
	struct timespec t0, t1;
	__u32 p = tn_port(T1, UPL), verdict, repeat = 1000000;
	double elapsed = 0, want, span;
	__u64 t0_ns;

	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_std(&env);
	in_mac_b(&in);
	/* 200 ms of burst */
	tn_policer_config(&pol, bps, pps, tn_burst_of(bps, 200000000), pps / 5);
	pol.pkt_credit = pol.byte_credit = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t0_ns = (__u64)t0.tv_sec * 1000000000ull + (__u64)t0.tv_nsec;
	pol.last_ns = t0_ns;
	upd(env.ni->maps.tn_policer, &p, &pol);
	while (elapsed < 1.0) {
		assert_int_equal(env_run(prog_fd(P_NIC), env.if_nic2, 0, &in,
					 NULL, &verdict, repeat, NULL),
				 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed = (double)(t1.tv_sec - t0.tv_sec) +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	assert_int_equal(
		tn_dp_stats_read(bpf_map__fd(env.ni->maps.tn_port_stats), p,
				 &s),
		0);
	assert_int_equal(
		bpf_map_lookup_elem(bpf_map__fd(env.ni->maps.tn_policer), &p,
				    &end),
		0);
	env_unload(&env);
	span = (double)(end.last_ns - t0_ns) / 1e9;
	want = pps ? (double)pps * span :
		     (double)bps * span / 8.0 / (double)in.len;
	fprintf(stderr,
		"# %s: offered %llu frames over %.3f s, passed %llu, "
		"rate x time %.0f: error %.2f%%\n",
		pps ? "pps" : "bps", s.rx_packets, span, s.tx_packets, want,
		100.0 * ((double)s.tx_packets - want) / want);
	/* really over: twice the rate at least (4.7 times under qemu TCG) */
	assert_true(s.rx_packets > 2 * (s.tx_packets + 1));
	/* the program's clock is the wall's: its span fits in ours */
	assert_true(span <= elapsed && span >= 0.9 * elapsed);
	assert_true(s.tx_packets >= 0.95 * want && s.tx_packets <= 1.05 * want);
}

static void test_police_accuracy_pps(void **state)
{
	(void)state;
	police_accuracy(0, 200000);
}

static void test_police_accuracy_bps(void **state)
{
	(void)state;
	police_accuracy(50000000, 0); /* 50 Mbit/s */
}

/*
 * What a policer charges a frame: its untagged length (lib/dp.h's
 * TN_LIMITS_*), whatever tags it carries on the wire. A byte bucket of
 * exactly N untagged frames at 1000 bit/s (it refills a byte per 8 ms:
 * nothing here) lets N of them through, tagged or not, and drops the
 * next; charged 4 bytes a tag more, the N-th would be dropped. One run a
 * frame, as a run changes its buffer (a tag popped or pushed).
 */
#define N_BURST 8

static void police_untagged(bool egress, __u32 tid,
			    void (*setup)(struct xdp_env *),
			    void (*fin)(struct frame *),
			    void (*funtagged)(struct frame *))
{
	struct bpf_map *pm, *sm;
	struct tn_policer pol;
	struct tn_stats s;
	struct frame in, plain;
	__u32 p = tn_port(tid, ACC), verdict;

	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup(&env);
	fin(&in);
	funtagged(&plain);
	assert_true(in.len >= plain.len);
	pm = egress ? env.eg->maps.tn_egress_policer : env.ni->maps.tn_policer;
	sm = egress ? env.eg->maps.tn_egress_stats : env.ni->maps.tn_port_stats;
	tn_policer_config(&pol, 1000, 0, N_BURST * plain.len, 0);
	upd(pm, &p, &pol);
	for (int i = 0; i <= N_BURST; i++) {
		fin(&in);
		assert_int_equal(env_run(prog_fd(egress ? P_EGRESS : P_NIC),
					 egress ? env.if_veth : env.if_nic, 0,
					 &in, NULL, &verdict, 1, NULL),
				 0);
		if (verdict != (i < N_BURST ? XDP_REDIRECT : XDP_DROP))
			fail_msg("frame %d of %d+1: verdict %u", i + 1, N_BURST,
				 verdict);
	}
	assert_int_equal(tn_dp_stats_read(bpf_map__fd(sm), p, &s), 0);
	assert_int_equal(s.tx_packets, N_BURST);
	assert_int_equal(s.drop_packets[TN_DROP_POLICED], 1);
	env_unload(&env);
}

static void test_police_vlan(void **state)
{
	(void)state;
	police_untagged(false, T1, setup_std, in_vlan100, out_vlan100);
}

static void test_police_qinq(void **state)
{
	(void)state;
	police_untagged(false, T2, setup_std, in_qinq, out_vlan100);
}

static void test_police_egress_vlan(void **state)
{
	(void)state;
	police_untagged(true, T1, setup_eg_vlan, out_vlan100, out_vlan100);
}

/* Which tenant's uplink port the frame went to: 0 if none. */
static __u32 delivered_to(void (*in)(struct frame *f))
{
	static const __u32 tids[] = { T1, T2 };
	struct tn_stats before[2], after;
	struct frame f, out;
	__u32 verdict, who = 0;
	int fd = bpf_map__fd(env.ni->maps.tn_port_stats);

	for (int i = 0; i < 2; i++)
		assert_int_equal(tn_dp_stats_read(fd, tn_port(tids[i], UPL),
						  &before[i]),
				 0);
	in(&f);
	assert_int_equal(env_run(prog_fd(P_NIC), env.if_nic2, 0, &f, &out,
				 &verdict, 0, NULL),
			 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			tn_dp_stats_read(fd, tn_port(tids[i], UPL), &after), 0);
		if (after.tx_packets != before[i].tx_packets)
			who = tids[i];
	}
	return who;
}

/*
 * The prefix cache never answers from a table that has changed: answers
 * follow every add and delete at once, IPv4 and IPv6, including a prefix
 * that turns "no tenant" into a tenant.
 */
static void test_prefix_cache(void **state)
{
	__u32 zero = 0;
	__u64 v;
	struct tn_pcache_key k = { .ifindex = (__u32)env.if_nic2,
				   .family = AF_INET };

	(void)state;
	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_std(&env);
	assert_int_equal(delivered_to(in_lpm4_25), T2);
	assert_int_equal(delivered_to(in_lpm4_25), T2); /* from the cache */
	inet_pton(AF_INET, "198.51.100.200", k.addr);
	assert_int_equal(bpf_map_lookup_elem(
				 bpf_map__fd(env.ni->maps.tn_pcache), &k, &v),
			 0);
	assert_int_equal((__u32)v, T2);

	prefix(env.if_nic2, "198.51.100.128/25", 0);
	assert_int_equal(delivered_to(in_lpm4_25), T1);
	prefix(env.if_nic2, "198.51.100.200/32", T2);
	assert_int_equal(delivered_to(in_lpm4_25), T2);
	prefix(env.if_nic2, "198.51.100.200/32", 0);
	prefix(env.if_nic2, "198.51.100.0/24", 0);
	assert_int_equal(delivered_to(in_lpm4_25), 0); /* cached: none */
	assert_int_equal(delivered_to(in_lpm4_25), 0);
	prefix(env.if_nic2, "198.51.100.0/24", T1);
	assert_int_equal(delivered_to(in_lpm4_25), T1);

	assert_int_equal(delivered_to(in_lpm6_64), T2);
	prefix(env.if_nic2, "2001:db8:1:2::/64", 0);
	assert_int_equal(delivered_to(in_lpm6_64), T1);
	assert_int_equal(
		bpf_map_lookup_elem(bpf_map__fd(env.ni->maps.tn_lpm_gen), &zero,
				    &zero),
		0);
	assert_int_equal(zero, 4 + 6); /* one bump per change */
	env_unload(&env);
}

/* ---- nic_ingress's fast path (bpf/lib/fast.h) ---- */

/*
 * The fast path's world: setup_std with T1 and T2 TN_TENANT_F_FAST, each
 * with a table (made and mmapped here, and written as its router writes
 * it) and both its ports in tn_fast_ports, MTU 1500:
 *
 *   T1 access   NIC1  VLAN 100        MAC_T1A
 *   T1 uplink   NIC2  untagged        MAC_B    TN_EG_F_SRC
 *   T2 access   NIC1  QinQ 200/300    MAC_T2A
 *   T2 uplink   NIC2  untagged        MAC_T2U  TN_EG_F_SRC
 *
 * T1's sources are 10.0.0.0/24 and 2001:db8:a::/64, T2's 10.2.0.0/24 and
 * 2001:db8:2a::/64. T1's table sends 203.0.113.1 and 2001:db8:f::1 out its
 * uplink to NH_U, 10.0.0.2 and 2001:db8:a::2 out its access port to NH_A,
 * and 10.0.0.3 back out its access port (hairpin) to NH_A3; T2's the same
 * upstream addresses to NH_U2, 10.2.0.2 and 2001:db8:2a::2 to NH_A2.
 */
static const uint8_t MAC_T1A[6] = { 0x02, 0, 0, 0, 0x01, 0x0a };
static const uint8_t MAC_T2A[6] = { 0x02, 0, 0, 0, 0x02, 0x0a };
static const uint8_t MAC_T2U[6] = { 0x02, 0, 0, 0, 0x02, 0x0b };
static const uint8_t NH_U[6] = { 0x02, 0, 0, 0, 0x99, 0x01 };
static const uint8_t NH_A[6] = { 0x02, 0, 0, 0, 0x99, 0x02 };
static const uint8_t NH_A3[6] = { 0x02, 0, 0, 0, 0x99, 0x03 };
static const uint8_t NH_U2[6] = { 0x02, 0, 0, 0, 0x99, 0x21 };
static const uint8_t NH_A2[6] = { 0x02, 0, 0, 0, 0x99, 0x22 };
static const uint8_t MAC_MCAST[6] = { 0x01, 0x00, 0x5e, 0, 0, 0x01 };

#define TAG_LEN 4
#define FAST_SIZE ((size_t)TN_FAST_SLOTS * sizeof(union tn_fast_slot))
#define FAST_BUCKETS_SIZE ((size_t)TN_FAST_BUCKETS * sizeof(union tn_fast_slot))

/* Each tenant's table: the map, and the router's view of it. */
static struct {
	int fd;
	union tn_fast_slot *m;
} ftab[T2 + 1];

static void fast_tables_free(void)
{
	for (size_t i = 0; i < sizeof(ftab) / sizeof(ftab[0]); i++) {
		if (!ftab[i].m)
			continue;
		munmap(ftab[i].m, FAST_SIZE);
		close(ftab[i].fd);
		ftab[i].m = NULL;
	}
}

/* As tenetd makes a router's table and puts it in tn_fast. */
static void fast_table(__u32 tid)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	void *m;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tn_fast_table", sizeof(__u32),
			    sizeof(union tn_fast_slot), TN_FAST_SLOTS, &opts);
	assert_true(fd >= 0);
	m = mmap(NULL, FAST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	ftab[tid].fd = fd;
	ftab[tid].m = m;
	upd(env.ni->maps.tn_fast, &tid, &fd);
}

static __u8 fast_addr(const char *ip, __u8 dst[16])
{
	int family;

	assert_int_equal(tn_parse_ip(ip, &family, dst), 0);
	return (__u8)family;
}

static __u32 fast_bucket(__u8 family, const __u8 dst[16])
{
	__u32 w[4];

	memcpy(w, dst, 16);
	return tn_fast_hash(family, w[0], w[1], w[2], w[3]);
}

/* Way `way` of bucket b of tid's table, written as a router writes it:
 * seq to odd, the entry, seq + 2 (release). e's own seq is not used. */
static struct tn_fast_entry *fast_write(__u32 tid, __u32 b, int way,
					const struct tn_fast_entry *e)
{
	struct tn_fast_entry *x = &ftab[tid].m[b].b.e[way];
	__u32 seq = __atomic_load_n(&x->seq, __ATOMIC_RELAXED) & ~1u;

	__atomic_store_n(&x->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	x->flags = e->flags;
	x->family = e->family;
	x->out = e->out;
	memcpy(x->dst, e->dst, 16);
	memcpy(x->mac, e->mac, 6);
	x->mtu = e->mtu;
	x->hits = e->hits;
	__atomic_store_n(&x->seq, seq + 2, __ATOMIC_RELEASE);
	return x;
}

/* The entry for ip: in the way of its bucket that holds it, else in the
 * first empty one. */
static struct tn_fast_entry *fast_put(__u32 tid, const char *ip, __u8 out,
				      const uint8_t mac[6], __u16 mtu,
				      __u16 flags)
{
	struct tn_fast_entry e = { .flags = flags, .out = out, .mtu = mtu };
	union tn_fast_slot *s;
	int way = -1;
	__u32 b;

	e.family = fast_addr(ip, e.dst);
	memcpy(e.mac, mac, 6);
	b = fast_bucket(e.family, e.dst);
	s = &ftab[tid].m[b];
	for (int i = TN_FAST_WAYS - 1; i >= 0; i--) {
		if (s->b.e[i].family == e.family &&
		    !memcmp(s->b.e[i].dst, e.dst, 16)) {
			way = i;
			break;
		}
		if (!s->b.e[i].family)
			way = i;
	}
	if (way < 0)
		fail_msg("bucket %u of tenant %u is full", b, tid);
	return fast_write(tid, b, way, &e);
}

/* Empties the ways holding ip, as a router does. */
static void fast_del(__u32 tid, const char *ip)
{
	struct tn_fast_entry e = { 0 };
	__u8 dst[16], family = fast_addr(ip, dst);
	__u32 b = fast_bucket(family, dst);

	for (int i = 0; i < TN_FAST_WAYS; i++) {
		const struct tn_fast_entry *x = &ftab[tid].m[b].b.e[i];

		if (x->family == family && !memcmp(x->dst, dst, 16))
			fast_write(tid, b, i, &e);
	}
}

/* The way of the bucket of (family, dst) that the fast path takes: stable
 * (even seq), same family, same 16 bytes; -1 if none. bucket * ways + way. */
static int fast_way(const union tn_fast_slot *m, __u8 family,
		    const __u8 dst[16])
{
	__u32 b = fast_bucket(family, dst);

	for (int i = 0; i < TN_FAST_WAYS; i++) {
		const struct tn_fast_entry *x = &m[b].b.e[i];

		if (!(x->seq & 1) && x->family == family &&
		    !memcmp(x->dst, dst, 16))
			return (int)(b * TN_FAST_WAYS + (__u32)i);
	}
	return -1;
}

static const struct tn_fast_entry *fast_entry(const union tn_fast_slot *m,
					      int idx)
{
	return &m[idx / TN_FAST_WAYS].b.e[idx % TN_FAST_WAYS];
}

static void fast_port(__u32 tid, __u32 role, __u32 nic_id, __u16 vid,
		      __u16 inner, const uint8_t mac[6], __u16 mtu, __u32 flags)
{
	struct tn_egress eg = { .port = tn_port(tid, role),
				.nic_id = nic_id,
				.vid = vid,
				.inner_vid = inner,
				.flags = flags,
				.mtu = mtu };
	__u32 p = eg.port;

	memcpy(eg.mac, mac, 6);
	upd(env.ni->maps.tn_fast_ports, &p, &eg);
}

static struct tn_egress fast_port_get(__u32 tid, __u32 role)
{
	struct tn_egress eg;
	__u32 p = tn_port(tid, role);

	assert_int_equal(
		bpf_map_lookup_elem(bpf_map__fd(env.ni->maps.tn_fast_ports), &p,
				    &eg),
		0);
	return eg;
}

#define EG_CHECKS (TN_EG_F_MAC | TN_EG_F_ARP)

static void setup_fast(struct xdp_env *e)
{
	struct tn_mac_key mk = { .ifindex = e->if_nic2 };
	__u32 id;

	setup_std(e);
	tenant(T1, TN_TENANT_F_ACTIVE | TN_TENANT_F_FAST);
	tenant(T2, TN_TENANT_F_ACTIVE | TN_TENANT_F_FAST);
	memcpy(mk.mac, MAC_T2U, 6);
	upd(e->ni->maps.tn_mac, &mk, &(__u32){ T2 });
	fast_port(T1, ACC, NIC1, 100, 0, MAC_T1A, 1500, EG_CHECKS);
	fast_port(T1, UPL, NIC2, 0, 0, MAC_B, 1500, EG_CHECKS | TN_EG_F_SRC);
	fast_port(T2, ACC, NIC1, 200, 300, MAC_T2A, 1500, EG_CHECKS);
	fast_port(T2, UPL, NIC2, 0, 0, MAC_T2U, 1500, EG_CHECKS | TN_EG_F_SRC);
	id = NIC1;
	upd(e->ni->maps.tn_nic_dev, &id, &e->if_nic);
	id = NIC2;
	upd(e->ni->maps.tn_nic_dev, &id, &e->if_nic2);
	src_prefix_of(T1, "10.0.0.0/24");
	src_prefix_of(T1, "2001:db8:a::/64");
	src_prefix_of(T2, "10.2.0.0/24");
	src_prefix_of(T2, "2001:db8:2a::/64");

	fast_tables_free();
	fast_table(T1);
	fast_table(T2);
	fast_put(T1, "203.0.113.1", UPL, NH_U, 1500, 0);
	fast_put(T1, "2001:db8:f::1", UPL, NH_U, 1500, 0);
	fast_put(T1, "10.0.0.2", ACC, NH_A, 1500, 0);
	fast_put(T1, "2001:db8:a::2", ACC, NH_A, 1500, 0);
	fast_put(T1, "10.0.0.3", ACC, NH_A3, 1500, 0);
	fast_put(T2, "203.0.113.1", UPL, NH_U2, 1500, 0);
	fast_put(T2, "2001:db8:f::1", UPL, NH_U2, 1500, 0);
	fast_put(T2, "10.2.0.2", ACC, NH_A2, 1500, 0);
	fast_put(T2, "2001:db8:2a::2", ACC, NH_A2, 1500, 0);
}

/* The fixtures' table, 203.0.113.1's entry taken out and its address put
 * in x->dst, for the caller to write its own: that address's IPv4 bucket. */
static __u32 fast_fresh_203(struct xdp_env *e, struct tn_fast_entry *x)
{
	setup_fast(e);
	fast_del(T1, "203.0.113.1");
	fast_addr("203.0.113.1", x->dst);
	return fast_bucket(AF_INET, x->dst);
}

/* T1 without TN_TENANT_F_FAST: its table is there, and not used. */
static void setup_fast_off(struct xdp_env *e)
{
	setup_fast(e);
	tenant(T1, TN_TENANT_F_ACTIVE);
}

/* T1's slot of tn_fast empty (its router gone). */
static void setup_fast_no_table(struct xdp_env *e)
{
	__u32 tid = T1;

	setup_fast(e);
	assert_int_equal(
		bpf_map_delete_elem(bpf_map__fd(e->ni->maps.tn_fast), &tid), 0);
}

static void setup_fast_in_mtu0(struct xdp_env *e)
{
	setup_fast(e);
	fast_port(T1, ACC, NIC1, 100, 0, MAC_T1A, 0, EG_CHECKS);
}

static void setup_fast_out_mtu0(struct xdp_env *e)
{
	setup_fast(e);
	fast_port(T1, UPL, NIC2, 0, 0, MAC_B, 0, EG_CHECKS | TN_EG_F_SRC);
}

/* The router's MTU below the port's */
static void setup_fast_entry_mtu100(struct xdp_env *e)
{
	setup_fast(e);
	fast_put(T1, "203.0.113.1", UPL, NH_U, 100, 0);
	fast_put(T1, "2001:db8:f::1", UPL, NH_U, 100, 0);
}

/* and the port's below the router's. */
static void setup_fast_port_mtu100(struct xdp_env *e)
{
	setup_fast(e);
	fast_port(T1, UPL, NIC2, 0, 0, MAC_B, 100, EG_CHECKS | TN_EG_F_SRC);
}

static void setup_fast_entry_mtu0(struct xdp_env *e)
{
	setup_fast(e);
	fast_put(T1, "203.0.113.1", UPL, NH_U, 0, 0);
}

static void setup_fast_slow_flag(struct xdp_env *e)
{
	setup_fast(e);
	fast_put(T1, "203.0.113.1", UPL, NH_U, 1500, TN_FAST_F_SLOW);
}

/* The router is writing 203.0.113.1's entry (whole, but seq still odd). */
static void setup_fast_odd_seq(struct xdp_env *e)
{
	struct tn_fast_entry *x;

	setup_fast(e);
	x = fast_put(T1, "203.0.113.1", UPL, NH_U, 1500, 0);
	__atomic_store_n(&x->seq, x->seq + 1, __ATOMIC_RELEASE);
}

static void setup_fast_out2(struct xdp_env *e)
{
	setup_fast(e);
	fast_put(T1, "203.0.113.1", 2, NH_U, 1500, 0);
}

static void setup_fast_mcast_nh(struct xdp_env *e)
{
	setup_fast(e);
	fast_put(T1, "203.0.113.1", UPL, MAC_MCAST, 1500, 0);
}

/* 203.0.113.1's bucket holds its 4 bytes under the other family. */
static void setup_fast_family(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET6,
				   .out = UPL,
				   .mtu = 1500 };
	__u32 b;

	b = fast_fresh_203(e, &x);
	memcpy(x.mac, NH_U, 6);
	fast_write(T1, b, 0, &x);
}

/* A whole entry for 203.0.113.1, in the bucket after its own. */
static void setup_fast_bucket(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET, .out = UPL, .mtu = 1500 };
	__u32 b;

	b = (fast_fresh_203(e, &x) + 1) & (TN_FAST_BUCKETS - 1);
	memcpy(x.mac, NH_U, 6);
	fast_write(T1, b, 0, &x);
}

/* 203.0.113.1 with something in the 12 bytes an IPv4 entry leaves zero. */
static void setup_fast_v4_tail(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET, .out = UPL, .mtu = 1500 };
	__u32 b;

	b = fast_fresh_203(e, &x);
	memcpy(x.mac, NH_U, 6);
	x.dst[15] = 1;
	fast_write(T1, b, 0, &x);
}

/* 2001:db8:f::1's bucket full of it, but for one bit in one word each. */
static void setup_fast_v6_words(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET6,
				   .out = UPL,
				   .mtu = 1500 };
	__u8 dst[16];
	__u32 b;

	setup_fast(e);
	fast_del(T1, "2001:db8:f::1");
	fast_addr("2001:db8:f::1", dst);
	memcpy(x.mac, NH_U, 6);
	b = fast_bucket(AF_INET6, dst);
	for (int w = 0; w < TN_FAST_WAYS; w++) {
		memcpy(x.dst, dst, 16);
		x.dst[w * 4 + 3] ^= 0x10;
		fast_write(T1, b, w, &x);
	}
}

/* 203.0.113.1 in the last way, the three before it other addresses. */
static void setup_fast_way3(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET, .out = ACC, .mtu = 1500 };
	__u32 b;

	b = fast_fresh_203(e, &x);
	memcpy(x.mac, NH_A3, 6);
	for (int w = 0; w < 3; w++) {
		x.dst[3] = (__u8)(10 + w);
		fast_write(T1, b, w, &x);
	}
	x.out = UPL;
	x.dst[3] = 1;
	memcpy(x.mac, NH_U, 6);
	fast_write(T1, b, 3, &x);
}

/* Way 0 holds 203.0.113.1 mid-write (odd seq, another port and next hop);
 * way 1 holds it whole. */
static void setup_fast_torn_way(struct xdp_env *e)
{
	struct tn_fast_entry x = { .family = AF_INET, .out = ACC, .mtu = 1500 };
	struct tn_fast_entry *w0;
	__u32 b;

	b = fast_fresh_203(e, &x);
	memcpy(x.mac, NH_A3, 6);
	w0 = fast_write(T1, b, 0, &x);
	__atomic_store_n(&w0->seq, w0->seq + 1, __ATOMIC_RELEASE);
	x.out = UPL;
	memcpy(x.mac, NH_U, 6);
	fast_write(T1, b, 1, &x);
}

/* Destinations the fast path never forwards, each in T1's table, and
 * those just beside them, which it does. */
static void setup_fast_reserved(struct xdp_env *e)
{
	static const char *const ips[] = {
		"224.0.0.5",	   "239.1.2.3",	      "240.0.0.1",
		"255.255.255.255", "223.255.255.254", "fe80::1",
		"febf::1",	   "fec0::1",	      "ff0e::1",
		"ff02::1:ff00:1",
	};

	setup_fast(e);
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++)
		fast_put(T1, ips[i], UPL, NH_U, 1500, 0);
}

/* T1's table without the upstream addresses, which T2's still has. */
static void setup_fast_t2_only(struct xdp_env *e)
{
	setup_fast(e);
	fast_del(T1, "203.0.113.1");
	fast_del(T1, "2001:db8:f::1");
}

/* Half a frame of credit in T1's uplink egress policer (1 pps). */
static void setup_fast_police(struct xdp_env *e)
{
	struct tn_policer pol;
	__u32 p = tn_port(T1, UPL);

	setup_fast(e);
	tn_policer_config(&pol, 0, 1, 0, 0);
	pol.pkt_burst = pol.pkt_credit = pol.pkt_cost / 2;
	upd(e->ni->maps.tn_egress_policer, &p, &pol);
}

/* Queue q of NIC1 bound zero-copy (tn_qzc): frames come in on queue 0. */
static void fast_zc_queue(struct xdp_env *e, __u32 q)
{
	__u32 idx = NIC1 * TN_MAX_QUEUES + q;

	setup_fast(e);
	upd(e->ni->maps.tn_qzc, &idx, &(__u32){ 1 });
}

static void setup_fast_zc_q0(struct xdp_env *e)
{
	fast_zc_queue(e, 0);
}

static void setup_fast_zc_q1(struct xdp_env *e)
{
	fast_zc_queue(e, 1);
}

/* T1's uplink NIC gone from tn_nic_dev. */
static void setup_fast_no_nic(struct xdp_env *e)
{
	__u32 id = NIC2;

	setup_fast(e);
	assert_int_equal(
		bpf_map_delete_elem(bpf_map__fd(e->ni->maps.tn_nic_dev), &id),
		0);
}

/* ---- the fast path's frames ---- */

static int frame_tags(const struct frame *f)
{
	int n = 0;

	while (n < 2) {
		__u16 t = (__u16)(f->b[12 + TAG_LEN * n] << 8 |
				  f->b[13 + TAG_LEN * n]);

		if (t != ETH_P_8021Q && t != ETH_P_8021AD && t != 0x9100)
			break;
		n++;
	}
	return n;
}

/* Offset of the ethertype after the tags. */
static size_t frame_type_off(const struct frame *f)
{
	return 12 + TAG_LEN * (size_t)frame_tags(f);
}

/* RFC 791's header checksum, computed afresh over the whole header. */
static __u16 ip4_csum(const uint8_t *h)
{
	size_t hlen = (h[0] & 0x0f) * 4u;
	uint32_t sum = 0;

	for (size_t i = 0; i < hlen; i += 2)
		if (i != 10)
			sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static void ip4_csum_set(uint8_t *h)
{
	__u16 c = ip4_csum(h);

	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

static uint8_t *frame_l3(struct frame *f)
{
	return f->b + frame_type_off(f) + 2;
}

/* The frame as nic_ingress delivers it to the tenant's port. */
static void frame_popped(const struct frame *in, struct frame *out)
{
	size_t off = frame_type_off(in);

	fr_init(out);
	fr_put(out, in->b, 12);
	fr_put(out, in->b + off, in->len - off);
}

/*
 * What the fast path must make of frame in, out port eg, next hop nh: the
 * tags popped, the next hop's MAC and the port's, TTL or hop limit one
 * less (the IPv4 checksum computed afresh: not the program's incremental
 * way), the port's tags pushed.
 */
static void fast_expect(const struct frame *in, const struct tn_egress *eg,
			const uint8_t nh[6], struct frame *want)
{
	size_t off = frame_type_off(in);
	uint8_t *l3;

	fr_init(want);
	fr_eth(want, nh, eg->mac);
	if (eg->vid && eg->inner_vid) {
		fr_tag(want, ETH_P_8021AD, eg->vid & 0x0fff);
		fr_tag(want, ETH_P_8021Q, eg->inner_vid & 0x0fff);
	} else if (eg->vid) {
		fr_tag(want, ETH_P_8021Q, eg->vid & 0x0fff);
	}
	fr_put(want, in->b + off, in->len - off);
	l3 = frame_l3(want);
	if (in->b[off] == 0x08 && in->b[off + 1] == 0x00) {
		l3[8]--;
		ip4_csum_set(l3);
	} else {
		l3[7]--;
	}
}

/* The frames of the tables above, forwarded by hand: TTL 64 -> 63. */
static void fwd4(struct frame *f, const uint8_t *nh, const uint8_t *mac,
		 __u16 vid, __u16 inner, const char *src, const char *dst)
{
	uint8_t *l3;

	fr_udp4(f, nh, vid, inner, src, dst);
	memcpy(f->b + 6, mac, 6);
	l3 = frame_l3(f);
	assert_int_equal(l3[8], 64);
	l3[8] = 63;
	ip4_csum_set(l3);
}

static void fwd6(struct frame *f, const uint8_t *nh, const uint8_t *mac,
		 __u16 vid, __u16 inner, const char *src, const char *dst)
{
	uint8_t *l3;

	fr_udp6(f, nh, vid, inner, src, dst);
	memcpy(f->b + 6, mac, 6);
	l3 = frame_l3(f);
	assert_int_equal(l3[7], 64);
	l3[7] = 63;
}

/* T1: access (VLAN 100) to upstream, upstream to access, access back to
 * access; T2: access (QinQ) to upstream, upstream to access. */
FRAME(fi4_t1a, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "203.0.113.1"))
FRAME(fo4_t1a, fwd4(f, NH_U, MAC_B, 0, 0, "10.0.0.2", "203.0.113.1"))
FRAME(fi4_t1u, fr_udp4(f, MAC_B, 0, 0, "203.0.113.1", "10.0.0.2"))
FRAME(fo4_t1u, fwd4(f, NH_A, MAC_T1A, 100, 0, "203.0.113.1", "10.0.0.2"))
FRAME(fi4_t1aa, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "10.0.0.3"))
FRAME(fo4_t1aa, fwd4(f, NH_A3, MAC_T1A, 100, 0, "10.0.0.2", "10.0.0.3"))
FRAME(fi4_t2a, fr_udp4(f, MAC_T2A, 200, 300, "10.2.0.2", "203.0.113.1"))
FRAME(fo4_t2a, fwd4(f, NH_U2, MAC_T2U, 0, 0, "10.2.0.2", "203.0.113.1"))
FRAME(fi4_t2u, fr_udp4(f, MAC_T2U, 0, 0, "203.0.113.1", "10.2.0.2"))
FRAME(fo4_t2u, fwd4(f, NH_A2, MAC_T2A, 200, 300, "203.0.113.1", "10.2.0.2"))
FRAME(fi6_t1a, fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(fo6_t1a, fwd6(f, NH_U, MAC_B, 0, 0, "2001:db8:a::2", "2001:db8:f::1"))
FRAME(fi6_t1u, fr_udp6(f, MAC_B, 0, 0, "2001:db8:f::1", "2001:db8:a::2"))
FRAME(fo6_t1u, fwd6(f, NH_A, MAC_T1A, 100, 0, "2001:db8:f::1", "2001:db8:a::2"))
FRAME(fi6_t2a, fr_udp6(f, MAC_T2A, 200, 300, "2001:db8:2a::2", "2001:db8:f::1"))
FRAME(fo6_t2a, fwd6(f, NH_U2, MAC_T2U, 0, 0, "2001:db8:2a::2", "2001:db8:f::1"))
FRAME(fi6_t2u, fr_udp6(f, MAC_T2U, 0, 0, "2001:db8:f::1", "2001:db8:2a::2"))
FRAME(fo6_t2u,
      fwd6(f, NH_A2, MAC_T2A, 200, 300, "2001:db8:f::1", "2001:db8:2a::2"))

static void fi4_ttl(struct frame *f, uint8_t ttl)
{
	fi4_t1a(f);
	frame_l3(f)[8] = ttl;
	ip4_csum_set(frame_l3(f));
}

static void fi6_hlim(struct frame *f, uint8_t hlim)
{
	fi6_t1a(f);
	frame_l3(f)[7] = hlim;
}

FRAME(fi4_ttl0, fi4_ttl(f, 0))
FRAME(fi4_ttl1, fi4_ttl(f, 1))
FRAME(fi4_ttl2, fi4_ttl(f, 2))
FRAME(fi4_ttl255, fi4_ttl(f, 255))
FRAME(fi6_hlim1, fi6_hlim(f, 1))
FRAME(fi6_hlim2, fi6_hlim(f, 2))
FRAME(fi4_opts, ipv4_opts(f, MAC_T1A, 100, "203.0.113.1"))

static void fi4_bad_csum(struct frame *f)
{
	fi4_t1a(f);
	frame_l3(f)[11] ^= 0x01;
}

static void fi6_hbh(struct frame *f)
{
	fi6_t1a(f);
	frame_l3(f)[6] = 0; /* Hop-by-Hop Options */
}

/* T1's access to 203.0.113.1 / 2001:db8:f::1, l3 IP bytes long. */
static void fi4_len(struct frame *f, size_t l3)
{
	fr_init(f);
	fr_eth(f, MAC_T1A, MAC_A);
	fr_tag(f, ETH_P_8021Q, 100);
	fr_type(f, ETH_P_IP);
	fr_ipv4_udp(f, "10.0.0.2", "203.0.113.1", 0, l3 - 28);
}

static void fi6_len(struct frame *f, size_t l3)
{
	fr_init(f);
	fr_eth(f, MAC_T1A, MAC_A);
	fr_tag(f, ETH_P_8021Q, 100);
	fr_type(f, ETH_P_IPV6);
	fr_ipv6_udp(f, "2001:db8:a::2", "2001:db8:f::1", l3 - 48);
}

FRAME(fi4_l3_100, fi4_len(f, 100))
FRAME(fi4_l3_101, fi4_len(f, 101))
FRAME(fi6_l3_100, fi6_len(f, 100))
FRAME(fi6_l3_101, fi6_len(f, 101))
FRAME(fi4_l3_1500, fi4_len(f, 1500))
FRAME(fi4_l3_1501, fi4_len(f, 1501))

/* Ethernet padding after the IP packet: the IP length counts, the frame
 * goes out whole. */
static void fi4_padded(struct frame *f)
{
	fi4_t1a(f);
	fr_put(f, "\0\0\0\0\0\0\0\0\0\0", 10);
}

FRAME(fi4_other_mac, fr_udp4(f, MAC_T2A, 100, 0, "10.0.0.2", "203.0.113.1"))
FRAME(fi4_bcast, fr_udp4(f, MAC_BCAST, 100, 0, "10.0.0.2", "203.0.113.1"))
FRAME(fi4_mcast, fr_udp4(f, MAC_MCAST, 100, 0, "10.0.0.2", "203.0.113.1"))
FRAME(fi4_foreign, fr_udp4(f, MAC_T1A, 100, 0, "10.1.0.2", "203.0.113.1"))
FRAME(fi6_foreign,
      fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:b::2", "2001:db8:f::1"))
FRAME(fi4_to_224, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "224.0.0.5"))
FRAME(fi4_to_239, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "239.1.2.3"))
FRAME(fi4_to_240, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "240.0.0.1"))
FRAME(fi4_to_bcast, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "255.255.255.255"))
FRAME(fi4_to_223, fr_udp4(f, MAC_T1A, 100, 0, "10.0.0.2", "223.255.255.254"))
FRAME(fi6_to_ll, fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "fe80::1"))
FRAME(fi6_to_febf, fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "febf::1"))
FRAME(fi6_to_fec0, fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "fec0::1"))
FRAME(fi6_to_mcast, fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "ff0e::1"))
FRAME(fi6_to_snm,
      fr_udp6(f, MAC_T1A, 100, 0, "2001:db8:a::2", "ff02::1:ff00:1"))
/* from a link-local source, out a port without the source check */
FRAME(fi6_from_ll, fr_udp6(f, MAC_B, 0, 0, "fe80::2", "2001:db8:a::2"))
FRAME(fi6_from_fec0, fr_udp6(f, MAC_B, 0, 0, "fec0::2", "2001:db8:a::2"))

/* ---- the fast path's harness ---- */

/*
 * Where a redirect went: tests/fuzz/redirect_spy.bpf.c (an fexit on the
 * kernel's dev_map_redirect) tells the map and the key, where the kernel
 * lets tracing programs load. Where it does not, the counters do: a
 * redirect by tn_nic_dev is counted tx in tn_egress_stats of the port
 * whose tn_fast_ports entry named the NIC, one by tn_ports tx in
 * tn_port_stats, and the frame's source MAC and tags are that port's.
 */
static struct redirect_spy *spy;
static __u32 id_ports, id_nic_dev;

static __u32 map_id(const struct bpf_map *m)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len),
			 0);
	return info.id;
}

static void spy_watch(void)
{
	if (!spy)
		return;
	id_ports = map_id(env.ni->maps.tn_ports);
	id_nic_dev = map_id(env.ni->maps.tn_nic_dev);
	memset(spy->bss->watch, 0, sizeof(spy->bss->watch));
	spy->bss->watch[0] = id_ports;
	spy->bss->watch[1] = id_nic_dev;
}

static void spy_reset(void)
{
	if (!spy)
		return;
	spy->bss->calls = 0;
	spy->bss->last_map = 0;
	spy->bss->last_key = 0;
	spy->bss->last_ret = 0;
}

/* Was the last run's one redirect call to map id, key key, and did it
 * succeed (ok)? id 0: there was none. 0 if so, or without the spy. */
static int spy_check(__u32 id, __u64 key, int ok)
{
	if (!spy)
		return 0;
	if (!id ? !spy->bss->calls :
		  spy->bss->calls == 1 && spy->bss->last_map == id &&
			    spy->bss->last_key == key &&
			    (spy->bss->last_ret == XDP_REDIRECT) == !!ok)
		return 0;
	fprintf(stderr,
		"redirects: %llu, last to map %u key %llu (%lld); want map "
		"%u key %llu%s\n",
		(unsigned long long)spy->bss->calls, spy->bss->last_map,
		(unsigned long long)spy->bss->last_key,
		(long long)spy->bss->last_ret, id, (unsigned long long)key,
		ok ? "" : " refused");
	return 1;
}

/* Sums of the table's per-CPU counters, by the port frames came in. */
static void fast_ctrs(const union tn_fast_slot *m, __u64 pkts[2],
		      __u64 bytes[2])
{
	pkts[0] = pkts[1] = bytes[0] = bytes[1] = 0;
	for (int c = 0; c < TN_FAST_CPUS; c++) {
		const struct tn_fast_ctrs *k = &m[TN_FAST_BUCKETS + c].c;

		for (int r = 0; r < 2; r++) {
			pkts[r] += k->packets[r];
			bytes[r] += k->bytes[r];
		}
	}
}

/* Is tid's table now what it was (was), but for entry hit_idx's hits
 * (+1; -1: none) and a frame of bytes counted for role (-1: none)? Prints
 * what is not. */
static int fast_table_check(__u32 tid, const union tn_fast_slot *was,
			    int hit_idx, int role, __u64 bytes)
{
	static union tn_fast_slot want[TN_FAST_BUCKETS];
	const union tn_fast_slot *now = ftab[tid].m;
	__u64 p0[2], b0[2], p1[2], b1[2];
	int bad = 0;

	memcpy(want, was, FAST_BUCKETS_SIZE);
	if (hit_idx >= 0)
		want[hit_idx / TN_FAST_WAYS].b.e[hit_idx % TN_FAST_WAYS].hits++;
	for (int i = 0; i < TN_FAST_ENTRIES; i++) {
		const struct tn_fast_entry *w = fast_entry(want, i),
					   *n = fast_entry(now, i);

		if (!memcmp(w, n, sizeof(*w)))
			continue;
		fprintf(stderr,
			"tenant %u entry %d (bucket %d way %d): hits %llu, "
			"want %llu; seq %u, want %u\n",
			tid, i, i / TN_FAST_WAYS, i % TN_FAST_WAYS,
			(unsigned long long)n->hits,
			(unsigned long long)w->hits, n->seq, w->seq);
		bad = 1;
	}
	fast_ctrs(was, p0, b0);
	fast_ctrs(now, p1, b1);
	for (int r = 0; r < 2; r++) {
		__u64 wp = r == role;

		if (p1[r] - p0[r] == wp && b1[r] - b0[r] == wp * bytes)
			continue;
		fprintf(stderr,
			"tenant %u counters of role %d: %llu/%llu, want "
			"%llu/%llu\n",
			tid, r, (unsigned long long)(p1[r] - p0[r]),
			(unsigned long long)(b1[r] - b0[r]),
			(unsigned long long)wp,
			(unsigned long long)(wp * bytes));
		bad = 1;
	}
	return bad;
}

enum fast_kind {
	FK_HIT, /* out the NIC: XDP_REDIRECT by tn_nic_dev */
	FK_SLOW, /* as if there were no table: to the tenant's port */
	FK_ZC, /* FK_SLOW, from a zero-copy queue: counted fast_zc */
	FK_POLICED, /* over the out port's egress policer: XDP_DROP */
	FK_NO_NIC, /* the out port's NIC not in tn_nic_dev: XDP_DROP */
};

struct fast_fixture {
	const char *name;
	enum dev dev;
	void (*setup)(struct xdp_env *e);
	void (*in)(struct frame *f);
	enum fast_kind kind;
	__u32 tid, in_role, out_role; /* out_role: not of FK_SLOW */
	void (*out)(struct frame *f); /* FK_HIT's; NULL: fast_expect()'s */
};

static int same_frame(const struct frame *a, const struct frame *b)
{
	return a->len == b->len && !memcmp(a->b, b->b, a->len);
}

static int frames_differ(const struct frame *out, const struct frame *want)
{
	if (same_frame(out, want))
		return 0;
	fr_hexdump("output frame", out->b, out->len);
	fr_hexdump("expected frame", want->b, want->len);
	return 1;
}

/* The destination of the frame's IP packet, as fast.h keys it. */
static __u8 frame_dst(struct frame *f, __u8 dst[16])
{
	uint8_t *l3 = frame_l3(f);

	memset(dst, 0, 16);
	if ((l3[0] >> 4) == 4) {
		memcpy(dst, l3 + 16, 4);
		return AF_INET;
	}
	memcpy(dst, l3 + 24, 16);
	return AF_INET6;
}

#define PIDX(t, r) (((t)-1) * 2 + (r)) /* T1, T2's ports: 0..3 */

/*
 * One frame through nic_ingress, everything it may touch checked: the
 * verdict, the frame out (byte for byte), where it was redirected (with
 * the spy), the NIC's counters, all four ports' counters in tn_port_stats
 * and tn_egress_stats, and both tables, entry by entry and their
 * counters. What each kind of outcome changes:
 *
 *   FK_HIT      NIC and in port: rx, fast; out port's egress: rx, tx;
 *               table: the entry's hits, the in role's counters
 *   FK_SLOW     NIC and in port: rx, tx (delivered to the port); no more
 *   FK_ZC       FK_SLOW's, and fast_zc
 *   FK_POLICED  NIC and in port: rx, fast; out port's egress: rx, policed
 *   FK_NO_NIC   NIC and in port: rx, fast; out port's egress: rx, no_slot;
 *               the entry's hits
 *
 * A frame's fast bytes and egress rx bytes are its length without tags,
 * its tx bytes the length it leaves with.
 */
static void run_fast(void **state)
{
	static union tn_fast_slot was[T2 + 1][TN_FAST_SLOTS];
	const struct fast_fixture *fx = *state;
	struct tn_stats nic_b, port_b[4], eg_b[4], w;
	struct frame in, out, want, ref;
	__u32 nic_id = fx->dev == D_NIC ? NIC1 : NIC2, verdict = 0;
	__u32 in_port = tn_port(fx->tid, fx->in_role);
	int ipx = PIDX(fx->tid, fx->in_role), opx = PIDX(fx->tid, fx->out_role);
	int bad = 0, idx = -1, fast = fx->kind == FK_HIT;
	int slow = fx->kind == FK_SLOW || fx->kind == FK_ZC;
	struct tn_egress eg = { 0 };
	__u64 ulen;
	__u8 dst[16], family;

	if (skip_why) {
		fprintf(stderr, "SKIP: %s\n", skip_why);
		skip();
	}
	assert_int_equal(env_load(&env), 0);
	fx->setup(&env);
	spy_watch();
	fx->in(&in);
	ulen = in.len - TAG_LEN * (size_t)frame_tags(&in);
	assert_int_equal(tn_dp_stats_read(stats_fd(S_NIC), nic_id, &nic_b), 0);
	for (__u32 t = T1; t <= T2; t++)
		for (__u32 r = 0; r < 2; r++) {
			assert_int_equal(tn_dp_stats_read(stats_fd(S_PORT),
							  tn_port(t, r),
							  &port_b[PIDX(t, r)]),
					 0);
			assert_int_equal(tn_dp_stats_read(stats_fd(S_EGRESS),
							  tn_port(t, r),
							  &eg_b[PIDX(t, r)]),
					 0);
		}
	for (__u32 t = T1; t <= T2; t++)
		if (ftab[t].m)
			memcpy(was[t], ftab[t].m, FAST_SIZE);
	if (fx->kind == FK_HIT || fx->kind == FK_NO_NIC) {
		family = frame_dst(&in, dst);
		idx = fast_way(was[fx->tid], family, dst);
		assert_true(idx >= 0);
		eg = fast_port_get(fx->tid, fx->out_role);
	}

	spy_reset();
	assert_int_equal(env_run(prog_fd(P_NIC), dev_index(fx->dev), 0, &in,
				 &out, &verdict, 0, NULL),
			 0);

	if (verdict != (fx->kind <= FK_ZC ? XDP_REDIRECT : XDP_DROP)) {
		fprintf(stderr, "verdict %u\n", verdict);
		bad = 1;
	}
	if (fast) {
		fast_expect(&in, &eg, fast_entry(was[fx->tid], idx)->mac, &ref);
		if (fx->out) {
			fx->out(&want);
			/* the reference agrees with the frames made by hand */
			if (frames_differ(&ref, &want)) {
				fprintf(stderr, "fast_expect() is wrong\n");
				bad = 1;
			}
		} else {
			want = ref;
		}
	} else {
		frame_popped(&in, &want);
	}
	if (fx->kind <= FK_ZC)
		bad |= frames_differ(&out, &want);
	switch (fx->kind) {
	case FK_HIT:
		bad |= spy_check(id_nic_dev, eg.nic_id, 1);
		break;
	case FK_SLOW:
	case FK_ZC:
		bad |= spy_check(id_ports, in_port, 1);
		break;
	case FK_POLICED:
		bad |= spy_check(0, 0, 0);
		break;
	case FK_NO_NIC:
		bad |= spy_check(id_nic_dev, eg.nic_id, 0);
		break;
	}

	memset(&w, 0, sizeof(w));
	w.rx_packets = 1;
	w.rx_bytes = in.len;
	/* taken by the fast path, policed or without a NIC too */
	if (!slow) {
		w.fast_packets = 1;
		w.fast_bytes = ulen;
	} else {
		w.tx_packets = 1;
		w.tx_bytes = want.len;
	}
	w.fast_zc_packets = fx->kind == FK_ZC;
	bad |= stats_check(S_NIC, nic_id, &nic_b, &w);
	for (__u32 t = T1; t <= T2; t++)
		for (__u32 r = 0; r < 2; r++) {
			struct tn_stats z = { 0 };
			int i = PIDX(t, r);

			bad |= stats_check(S_PORT, tn_port(t, r), &port_b[i],
					   i == ipx ? &w : &z);
		}
	memset(&w, 0, sizeof(w));
	if (!slow) {
		w.rx_packets = 1;
		w.rx_bytes = ulen;
	}
	if (fast) {
		w.tx_packets = 1;
		w.tx_bytes = want.len;
	}
	if (fx->kind == FK_POLICED)
		w.drop_packets[TN_DROP_POLICED] = 1;
	if (fx->kind == FK_NO_NIC)
		w.drop_packets[TN_DROP_NO_SLOT] = 1;
	for (__u32 t = T1; t <= T2; t++)
		for (__u32 r = 0; r < 2; r++) {
			struct tn_stats z = { 0 };
			int i = PIDX(t, r);

			bad |= stats_check(S_EGRESS, tn_port(t, r), &eg_b[i],
					   i == opx && !slow ? &w : &z);
		}
	for (__u32 t = T1; t <= T2; t++)
		if (ftab[t].m)
			bad |= fast_table_check(
				t, was[t], t == fx->tid ? idx : -1,
				t == fx->tid && fast ? (int)fx->in_role : -1,
				ulen);

	fast_tables_free();
	env_unload(&env);
	if (bad)
		fail_msg("fixture '%s' failed", fx->name);
}

#define HIT(t, in, out) FK_HIT, (t), (in), (out)
#define SLOW(t, in) FK_SLOW, (t), (in), 0
#define ZC(t, in) FK_ZC, (t), (in), 0
#define T1A_UPL(kind) kind, T1, ACC, UPL

/* Columns: name; ingress device, set-up, input frame; outcome, tenant, the
 * port the frame comes in by, the port it leaves by; output frame
 * (FK_HIT; NULL: fast_expect()'s, from the entry). */
/* clang-format off */
static const struct fast_fixture fast_fixtures[] = {
	/* forwarded: MACs, TTL and checksum, tags popped and pushed */
	{ "fast: T1 IPv4, VLAN 100 in -> tag popped, out the untagged uplink",
	  D_NIC, setup_fast, fi4_t1a, HIT(T1, ACC, UPL), fo4_t1a },
	{ "fast: T1 IPv4, untagged in -> VLAN 100 pushed, out the access port",
	  D_NIC2, setup_fast, fi4_t1u, HIT(T1, UPL, ACC), fo4_t1u },
	{ "fast: T1 IPv4, VLAN 100 in -> VLAN 100 out again (hairpin)",
	  D_NIC, setup_fast, fi4_t1aa, HIT(T1, ACC, ACC), fo4_t1aa },
	{ "fast: T2 IPv4, QinQ in -> both tags popped, out untagged, T2's entry",
	  D_NIC, setup_fast, fi4_t2a, HIT(T2, ACC, UPL), fo4_t2a },
	{ "fast: T2 IPv4, untagged in -> QinQ 200/300 pushed (802.1ad outer)",
	  D_NIC2, setup_fast, fi4_t2u, HIT(T2, UPL, ACC), fo4_t2u },
	{ "fast: T1 IPv6, VLAN 100 in -> tag popped, out the untagged uplink",
	  D_NIC, setup_fast, fi6_t1a, HIT(T1, ACC, UPL), fo6_t1a },
	{ "fast: T1 IPv6, untagged in -> VLAN 100 pushed, out the access port",
	  D_NIC2, setup_fast, fi6_t1u, HIT(T1, UPL, ACC), fo6_t1u },
	{ "fast: T2 IPv6, QinQ in -> both tags popped, out untagged",
	  D_NIC, setup_fast, fi6_t2a, HIT(T2, ACC, UPL), fo6_t2a },
	{ "fast: T2 IPv6, untagged in -> QinQ 200/300 pushed",
	  D_NIC2, setup_fast, fi6_t2u, HIT(T2, UPL, ACC), fo6_t2u },
	{ "fast: TTL 2 -> out with TTL 1",
	  D_NIC, setup_fast, fi4_ttl2, HIT(T1, ACC, UPL), NULL },
	{ "fast: TTL 255 -> out with TTL 254",
	  D_NIC, setup_fast, fi4_ttl255, HIT(T1, ACC, UPL), NULL },
	{ "fast: hop limit 2 -> out with hop limit 1",
	  D_NIC, setup_fast, fi6_hlim2, HIT(T1, ACC, UPL), NULL },
	{ "fast: Ethernet padding after the packet goes out with it",
	  D_NIC, setup_fast, fi4_padded, HIT(T1, ACC, UPL), NULL },
	{ "fast: the destination in the last way of its bucket",
	  D_NIC, setup_fast_way3, fi4_t1a, HIT(T1, ACC, UPL), fo4_t1a },
	{ "fast: a way mid-write (odd seq) is passed over for the next, whole",
	  D_NIC, setup_fast_torn_way, fi4_t1a, HIT(T1, ACC, UPL), fo4_t1a },
	{ "fast: to 223.255.255.254, the last unicast IPv4 -> out",
	  D_NIC, setup_fast_reserved, fi4_to_223, HIT(T1, ACC, UPL), NULL },
	{ "fast: to fec0::1, just past fe80::/10 -> out",
	  D_NIC, setup_fast_reserved, fi6_to_fec0, HIT(T1, ACC, UPL), NULL },
	{ "fast: from fec0::2, just past fe80::/10 -> out",
	  D_NIC2, setup_fast, fi6_from_fec0, HIT(T1, UPL, ACC), NULL },
	/* MTU: min(the entry's, the out port's), IP bytes */
	{ "fast: IP length 1500 = the port's MTU -> out",
	  D_NIC, setup_fast, fi4_l3_1500, HIT(T1, ACC, UPL), NULL },
	{ "fast: IP length 1501 > the port's MTU -> slow path",
	  D_NIC, setup_fast, fi4_l3_1501, SLOW(T1, ACC), NULL },
	{ "fast: IPv4 length 100 = the entry's MTU 100 (port 1500) -> out",
	  D_NIC, setup_fast_entry_mtu100, fi4_l3_100, HIT(T1, ACC, UPL), NULL },
	{ "fast: IPv4 length 101 > the entry's MTU 100 -> slow path",
	  D_NIC, setup_fast_entry_mtu100, fi4_l3_101, SLOW(T1, ACC), NULL },
	{ "fast: IPv6 length 100 = the entry's MTU 100 (port 1500) -> out",
	  D_NIC, setup_fast_entry_mtu100, fi6_l3_100, HIT(T1, ACC, UPL), NULL },
	{ "fast: IPv6 length 101 > the entry's MTU 100 -> slow path",
	  D_NIC, setup_fast_entry_mtu100, fi6_l3_101, SLOW(T1, ACC), NULL },
	{ "fast: IPv4 length 100 = the port's MTU 100 (entry 1500) -> out",
	  D_NIC, setup_fast_port_mtu100, fi4_l3_100, HIT(T1, ACC, UPL), NULL },
	{ "fast: IPv4 length 101 > the port's MTU 100 -> slow path",
	  D_NIC, setup_fast_port_mtu100, fi4_l3_101, SLOW(T1, ACC), NULL },
	{ "fast: IPv6 length 100 = the port's MTU 100 (entry 1500) -> out",
	  D_NIC, setup_fast_port_mtu100, fi6_l3_100, HIT(T1, ACC, UPL), NULL },
	{ "fast: IPv6 length 101 > the port's MTU 100 -> slow path",
	  D_NIC, setup_fast_port_mtu100, fi6_l3_101, SLOW(T1, ACC), NULL },
	/* the source check of the out port (TN_EG_F_SRC) */
	{ "fast: IPv4 source outside T1's space, out its checked uplink -> slow",
	  D_NIC, setup_fast, fi4_foreign, SLOW(T1, ACC), NULL },
	{ "fast: IPv6 source outside T1's space, out its checked uplink -> slow",
	  D_NIC, setup_fast, fi6_foreign, SLOW(T1, ACC), NULL },
	/* (and from a foreign source out the access port, unchecked: the
	 * forwarded T1 IPv4 and IPv6 fixtures from the uplink above) */
	/* the frame is the router's */
	{ "fast: TTL 1 -> slow path (the router's ICMP)",
	  D_NIC, setup_fast, fi4_ttl1, SLOW(T1, ACC), NULL },
	{ "fast: TTL 0 -> slow path",
	  D_NIC, setup_fast, fi4_ttl0, SLOW(T1, ACC), NULL },
	{ "fast: hop limit 1 -> slow path",
	  D_NIC, setup_fast, fi6_hlim1, SLOW(T1, ACC), NULL },
	{ "fast: IPv4 options (IHL 8) -> slow path",
	  D_NIC, setup_fast, fi4_opts, SLOW(T1, ACC), NULL },
	{ "fast: IPv4 header checksum wrong -> slow path (the router drops it)",
	  D_NIC, setup_fast, fi4_bad_csum, SLOW(T1, ACC), NULL },
	{ "fast: IPv6 Hop-by-Hop options (next header 0) -> slow path",
	  D_NIC, setup_fast, fi6_hbh, SLOW(T1, ACC), NULL },
	{ "fast: to another MAC than the tenant's on the port -> slow path",
	  D_NIC, setup_fast, fi4_other_mac, SLOW(T1, ACC), NULL },
	{ "fast: to the broadcast MAC -> slow path",
	  D_NIC, setup_fast, fi4_bcast, SLOW(T1, ACC), NULL },
	{ "fast: to a multicast MAC -> slow path",
	  D_NIC, setup_fast, fi4_mcast, SLOW(T1, ACC), NULL },
	{ "fast: to 224.0.0.5 (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi4_to_224, SLOW(T1, ACC), NULL },
	{ "fast: to 239.1.2.3 (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi4_to_239, SLOW(T1, ACC), NULL },
	{ "fast: to 240.0.0.1, class E (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi4_to_240, SLOW(T1, ACC), NULL },
	{ "fast: to 255.255.255.255 (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi4_to_bcast, SLOW(T1, ACC), NULL },
	{ "fast: to fe80::1, link-local (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi6_to_ll, SLOW(T1, ACC), NULL },
	{ "fast: to febf::1, the end of fe80::/10 (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi6_to_febf, SLOW(T1, ACC), NULL },
	{ "fast: to ff0e::1, multicast (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi6_to_mcast, SLOW(T1, ACC), NULL },
	{ "fast: to a solicited-node group (in the table) -> slow path",
	  D_NIC, setup_fast_reserved, fi6_to_snm, SLOW(T1, ACC), NULL },
	{ "fast: from fe80::2, link-local, out an unchecked port -> slow path",
	  D_NIC2, setup_fast, fi6_from_ll, SLOW(T1, UPL), NULL },
	/* the entry, which nothing of is trusted */
	{ "fast: entry with TN_FAST_F_SLOW -> slow path",
	  D_NIC, setup_fast_slow_flag, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: entry mid-write (odd seq) -> slow path",
	  D_NIC, setup_fast_odd_seq, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: entry's out 2 (no role) -> slow path",
	  D_NIC, setup_fast_out2, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: entry's next hop a multicast MAC -> slow path",
	  D_NIC, setup_fast_mcast_nh, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: entry's MTU 0 -> slow path",
	  D_NIC, setup_fast_entry_mtu0, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: the IPv4 address under AF_INET6 in its bucket -> slow path",
	  D_NIC, setup_fast_family, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: a whole entry in the bucket after its own -> slow path",
	  D_NIC, setup_fast_bucket, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: IPv4 entry with a byte set after the address -> slow path",
	  D_NIC, setup_fast_v4_tail, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: IPv6 entries a bit off in each of the 4 words -> slow path",
	  D_NIC, setup_fast_v6_words, fi6_t1a, SLOW(T1, ACC), NULL },
	/* the tenant's set-up */
	{ "fast: tenant without TN_TENANT_F_FAST, table full -> slow path",
	  D_NIC, setup_fast_off, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: no table in the tenant's tn_fast slot -> slow path",
	  D_NIC, setup_fast_no_table, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: the in port's tn_fast_ports MTU 0 -> slow path",
	  D_NIC, setup_fast_in_mtu0, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: the out port's tn_fast_ports MTU 0 -> slow path",
	  D_NIC, setup_fast_out_mtu0, fi4_t1a, SLOW(T1, ACC), NULL },
	{ "fast: only T2's table has the destination -> T1's frame slow path",
	  D_NIC, setup_fast_t2_only, fi4_t1a, SLOW(T1, ACC), NULL },
	/* a NIC queue a socket has bound zero-copy */
	{ "fast: come in on a zero-copy queue -> slow path, counted fast_zc",
	  D_NIC, setup_fast_zc_q0, fi4_t1a, ZC(T1, ACC), NULL },
	{ "fast: IPv6, come in on a zero-copy queue -> slow path, fast_zc",
	  D_NIC, setup_fast_zc_q0, fi6_t1a, ZC(T1, ACC), NULL },
	{ "fast: another queue of the NIC zero-copy -> forwarded",
	  D_NIC, setup_fast_zc_q1, fi4_t1a, HIT(T1, ACC, UPL), fo4_t1a },
	/* dropped on the way out, counted on the out port */
	{ "fast: over the out port's egress policer -> drop policed",
	  D_NIC, setup_fast_police, fi4_t1a, T1A_UPL(FK_POLICED), NULL },
	{ "fast: the out port's NIC not in tn_nic_dev -> drop no_slot",
	  D_NIC, setup_fast_no_nic, fi4_t1a, T1A_UPL(FK_NO_NIC), NULL },
};
/* clang-format on */

static int run_nic(enum dev d, const struct frame *in, struct frame *out)
{
	__u32 verdict = 0;

	assert_int_equal(env_run(prog_fd(P_NIC), dev_index(d), 0, in, out,
				 &verdict, 0, NULL),
			 0);
	return (int)verdict;
}

/* Nothing counted on any port of T1 and T2 but T1's in port (want). */
static int fast_quiet_but(__u32 in_port, const struct tn_stats *want)
{
	struct tn_stats z = { 0 };
	__u64 p[2], b[2];
	int bad = 0;

	for (__u32 t = T1; t <= T2; t++) {
		for (__u32 r = 0; r < 2; r++) {
			__u32 port = tn_port(t, r);

			bad |= stats_check(S_PORT, port, &z,
					   port == in_port ? want : &z);
			bad |= stats_check(S_EGRESS, port, &z, &z);
		}
		fast_ctrs(ftab[t].m, p, b);
		if (p[0] | p[1] | b[0] | b[1]) {
			fprintf(stderr, "tenant %u's table counted frames\n",
				t);
			bad = 1;
		}
	}
	return bad;
}

/*
 * An entry names a role, not a device, and out is masked to the tenant's
 * two: whatever else its router writes there (2..255), T1's frame goes to
 * T1's own port by the slow path, never out any NIC, and no port of T1 or
 * T2 counts anything else.
 */
static void test_fast_out_garbage(void **state)
{
	struct frame in, out, want;
	struct tn_stats w = { 0 };
	int n = 0;

	(void)state;
	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_fast(&env);
	spy_watch();
	fi4_t1a(&in);
	frame_popped(&in, &want);
	for (unsigned int o = 2; o <= 255; o++, n++) {
		struct tn_fast_entry *x =
			fast_put(T1, "203.0.113.1", (__u8)o, NH_U, 1500, 0);
		int v;

		spy_reset();
		v = run_nic(D_NIC, &in, &out);
		if (v != XDP_REDIRECT || frames_differ(&out, &want) ||
		    spy_check(id_ports, tn_port(T1, ACC), 1) || x->hits)
			fail_msg("out %u: verdict %d, hits %llu", o, v,
				 (unsigned long long)x->hits);
	}
	w.rx_packets = w.tx_packets = (__u64)n;
	w.rx_bytes = (__u64)n * in.len;
	w.tx_bytes = (__u64)n * want.len;
	if (fast_quiet_but(tn_port(T1, ACC), &w))
		fail_msg("counters moved");
	fast_tables_free();
	env_unload(&env);
}

/*
 * The out port's egress policer is tenant_egress's (one map, as the pins
 * make it): 3.5 frames of burst at 1 pps on T1's uplink. Two frames by
 * the fast path, one its router sends out that port through
 * tenant_egress, and the fourth, by the fast path, is over.
 */
static void test_fast_police_shared(void **state)
{
	struct tn_egress eg = { .port = tn_port(T1, UPL), .nic_id = NIC2 };
	struct tn_stats z = { 0 }, w = { 0 };
	struct tn_policer pol;
	struct frame in, out, fwd;
	__u32 p = tn_port(T1, UPL), verdict;

	(void)state;
	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_fast(&env);
	memcpy(eg.mac, MAC_B, 6);
	upd(env.eg->maps.tn_egress, &env.if_veth, &eg);
	tn_policer_config(&pol, 0, 1, 0, 0);
	pol.pkt_burst = pol.pkt_credit = pol.pkt_cost * 7 / 2;
	upd(env.eg->maps.tn_egress_policer, &p, &pol);
	fi4_t1a(&in);
	fo4_t1a(&fwd);
	assert_int_equal(run_nic(D_NIC, &in, &out), XDP_REDIRECT);
	assert_false(frames_differ(&out, &fwd));
	assert_int_equal(run_nic(D_NIC, &in, &out), XDP_REDIRECT);
	assert_int_equal(env_run(prog_fd(P_EGRESS), env.if_veth, 0, &fwd, &out,
				 &verdict, 0, NULL),
			 0);
	assert_int_equal(verdict, XDP_REDIRECT);
	assert_int_equal(run_nic(D_NIC, &in, &out), XDP_DROP);

	w.rx_packets = 4;
	w.rx_bytes = 4 * fwd.len;
	w.tx_packets = 3;
	w.tx_bytes = 3 * fwd.len;
	w.drop_packets[TN_DROP_POLICED] = 1;
	assert_int_equal(stats_check(S_EGRESS, p, &z, &w), 0);
	memset(&w, 0, sizeof(w));
	w.rx_packets = 3;
	w.rx_bytes = 3 * in.len;
	/* the policed one too: taken by the fast path */
	w.fast_packets = 3;
	w.fast_bytes = 3 * (in.len - TAG_LEN);
	assert_int_equal(stats_check(S_PORT, tn_port(T1, ACC), &z, &w), 0);
	fast_tables_free();
	env_unload(&env);
}

/*
 * The checksum after the TTL, against a full recomputation, from every
 * checksum an IPv4 header can have (its id swept over 0..65535 makes them
 * all, 0x0000..0xfffe); and at the wrap by name, the checksum going up by
 * 0x0100 in one's complement: 0xfeff to 0x0000 (never 0xffff), 0xff00 to
 * 0x0001, 0xfffe to 0x00ff, 0x0000 to 0x0100.
 */
static void test_fast_csum(void **state)
{
	static const __u16 wrap[][2] = {
		{ 0xfeff, 0x0000 }, { 0xff00, 0x0001 }, { 0xfffe, 0x00ff },
		{ 0x0000, 0x0100 }, { 0x00ff, 0x01ff }, { 0xfeff - 1, 0xfffe },
	};
	static int got[65536];
	struct frame in, out, want;
	struct tn_egress eg;
	struct tn_stats s;
	unsigned int seen = 0;

	(void)state;
	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_fast(&env);
	eg = fast_port_get(T1, UPL);
	for (int c = 0; c < 65536; c++)
		got[c] = -1;
	for (unsigned int id = 0; id < 65536; id++) {
		uint8_t *l3;
		__u16 c;

		fi4_t1a(&in);
		l3 = frame_l3(&in);
		l3[4] = (uint8_t)(id >> 8);
		l3[5] = (uint8_t)id;
		ip4_csum_set(l3);
		c = (__u16)(l3[10] << 8 | l3[11]);
		fast_expect(&in, &eg, NH_U, &want);
		if (run_nic(D_NIC, &in, &out) != XDP_REDIRECT ||
		    frames_differ(&out, &want))
			fail_msg("IP id 0x%04x, checksum 0x%04x", id, c);
		l3 = frame_l3(&out);
		if (got[c] < 0)
			seen++;
		got[c] = l3[10] << 8 | l3[11];
	}
	assert_int_equal(seen, 65535);
	assert_int_equal(got[0xffff], -1);
	for (size_t i = 0; i < sizeof(wrap) / sizeof(wrap[0]); i++)
		if (got[wrap[i][0]] != wrap[i][1])
			fail_msg("checksum 0x%04x became 0x%04x, want 0x%04x",
				 wrap[i][0], got[wrap[i][0]], wrap[i][1]);
	assert_int_equal(
		tn_dp_stats_read(stats_fd(S_PORT), tn_port(T1, ACC), &s), 0);
	assert_int_equal(s.fast_packets, 65536);
	fast_tables_free();
	env_unload(&env);
}

/*
 * A router rewriting an entry while frames use it. A thread flips
 * 203.0.113.1's entry between two versions, (uplink, NH_U) and (access,
 * NH_A3), under seq as a router does, but a byte at a time with pauses
 * between: a reader that let seq go would send frames with half of one
 * MAC and half of the other, or one version's MAC out the other's port.
 * Every frame must leave as one version wholly, or take the slow path.
 */
struct torn {
	struct tn_fast_entry *x;
	int stop;
	unsigned long flips;
};

static void spin(int n)
{
	for (volatile int i = 0; i < n; i++)
		;
}

static void *torn_writer(void *arg)
{
	struct torn *t = arg;
	struct tn_fast_entry *x = t->x;
	volatile __u8 *mac = x->mac, *out = &x->out;

	while (!__atomic_load_n(&t->stop, __ATOMIC_RELAXED)) {
		const uint8_t *m = t->flips & 1 ? NH_A3 : NH_U;
		__u32 seq = __atomic_load_n(&x->seq, __ATOMIC_RELAXED);

		__atomic_store_n(&x->seq, seq + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		for (int i = 0; i < 6; i++) {
			mac[i] = m[i];
			spin(50);
		}
		*out = t->flips & 1 ? ACC : UPL;
		spin(50);
		__atomic_store_n(&x->seq, seq + 2, __ATOMIC_RELEASE);
		spin(500);
		t->flips++;
	}
	return NULL;
}

static void test_fast_torn(void **state)
{
	struct frame in, out, va, vb, slow;
	struct tn_egress acc;
	unsigned long n[3] = { 0 };
	struct torn t = { 0 };
	struct timespec t0, t1;
	pthread_t th;
	double dt = 0;

	(void)state;
	if (skip_why)
		skip();
	assert_int_equal(env_load(&env), 0);
	setup_fast(&env);
	acc = fast_port_get(T1, ACC);
	fi4_t1a(&in);
	fo4_t1a(&va);
	fast_expect(&in, &acc, NH_A3, &vb);
	frame_popped(&in, &slow);
	t.x = fast_put(T1, "203.0.113.1", UPL, NH_U, 1500, 0);
	assert_int_equal(pthread_create(&th, NULL, torn_writer, &t), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; dt < 1.0; i++) {
		int v = run_nic(D_NIC, &in, &out);

		if (v == XDP_REDIRECT && same_frame(&out, &va))
			n[0]++;
		else if (v == XDP_REDIRECT && same_frame(&out, &vb))
			n[1]++;
		else if (v == XDP_REDIRECT && same_frame(&out, &slow))
			n[2]++;
		else {
			__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
			pthread_join(th, NULL);
			fr_hexdump("torn frame", out.b, out.len);
			fail_msg("frame %d: verdict %d, neither version", i, v);
		}
		if (!(i & 1023)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			dt = (double)(t1.tv_sec - t0.tv_sec) +
			     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		}
	}
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	fprintf(stderr,
		"# torn: %lu rewrites; frames by the first version %lu, the "
		"second %lu, slow path %lu\n",
		t.flips, n[0], n[1], n[2]);
	assert_true(t.flips > 0 && n[0] + n[1] > 0);
	fast_tables_free();
	env_unload(&env);
}

/*
 * The fast path against garbage, FUZZ_FRAMES frames through BPF_PROG_RUN.
 * T1's table is random bytes, drawn anew every FUZZ_PERIOD frames, with
 * FUZZ_PLANTS entries among them for the destinations frames aim at, each
 * wrong in some way or whole (seq, family, out, flags, MAC, MTU, a bit of
 * the address, the bucket); its ports' MTUs and source checks are drawn
 * anew too. The frames are T1's, in by either port, to a planted
 * destination or any, with TTLs, lengths, options, checksums, sources,
 * MACs and next headers drawn to meet every rule of lib/fast.h.
 *
 * Each frame's fate is foretold from the rules (fz_model(): the header
 * comments of include/tenet/fast.h and bpf/lib/fast.h, not its code): the
 * entry and port it leaves by, or the slow path; the frame out is then
 * fast_expect()'s or the frame with its tag popped, byte for byte, and
 * always XDP_REDIRECT. After each period, every entry's hits, the
 * table's counters and the NICs' and ports' counters are the model's.
 * T2 has a table of whole entries for the same destinations, and ports on
 * NICs tn_nic_dev does not have: a frame of T1's that went by T2's table
 * or ports would show, and T2's counters must never move.
 *
 * TN_FAST_SEED=N replays a run.
 */
#define FUZZ_FRAMES 1000000
#define FUZZ_PERIOD 4096
#define FUZZ_PLANTS 768
#define NIC3 3 /* T2's, in the fuzz: not in tn_nic_dev */
#define NIC4 4

static uint64_t fz_seed, fz_state;

static uint64_t fz_rnd(void)
{
	/* splitmix64 */
	uint64_t z = (fz_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t fz_below(uint32_t n)
{
	return (uint32_t)(fz_rnd() % n);
}

static void fz_fill(void *p, size_t n)
{
	uint8_t *b = p;
	uint64_t r;

	for (; n >= 8; n -= 8, b += 8) {
		r = fz_rnd();
		memcpy(b, &r, 8);
	}
	r = fz_rnd();
	memcpy(b, &r, n);
}

struct fz_plant {
	__u8 family;
	__u8 dst[16];
	__u16 mtu;
};

static struct fz_plant fz_plants[FUZZ_PLANTS];
static struct tn_egress fz_ports[2]; /* T1's tn_fast_ports, as drawn */
static union tn_fast_slot fz_was[T2 + 1][TN_FAST_SLOTS]; /* at the start */
static __u64 fz_hits[TN_FAST_ENTRIES]; /* this period's, by the model */

/* The model's count of what it foretold since the start. */
static struct {
	struct tn_stats port[2], eg[2]; /* T1's, by role */
	__u64 pkts[2], bytes[2]; /* the table's counters, this period */
	__u64 frames, fast;
} fz;

static void fz_dst(__u8 family, __u8 dst[16])
{
	memset(dst, 0, 16);
	if (family == AF_INET) {
		__u32 r = fz_below(100);

		fz_fill(dst, 4);
		if (r < 75)
			dst[0] = (__u8)(1 + fz_below(223)); /* unicast */
		else if (r < 90)
			dst[0] = (__u8)(224 + fz_below(32)); /* D, E */
		return;
	}
	fz_fill(dst, 16);
	switch (fz_below(10)) {
	case 0: /* link-local: fe80::/10 */
		dst[0] = 0xfe;
		dst[1] = (__u8)(0x80 | (dst[1] & 0x3f));
		break;
	case 1: /* fec0::/10, just past it */
		dst[0] = 0xfe;
		dst[1] = (__u8)(0xc0 | (dst[1] & 0x3f));
		break;
	case 2:
		dst[0] = 0xff;
		break;
	case 3: /* anything */
		break;
	default:
		memcpy(dst, "\x20\x01\x0d\xb8", 4);
	}
}

static __u16 fz_mtu(void)
{
	switch (fz_below(10)) {
	case 0:
		return 0;
	case 1:
		return (__u16)fz_rnd();
	case 2:
	case 3:
		return (__u16)(40 + fz_below(300));
	case 4:
		return 9000;
	default:
		return 1500;
	}
}

/* A new period: T1's table and ports drawn anew, T2's table remade. */
static void fz_period(void)
{
	union tn_fast_slot *m = ftab[T1].m, *m2 = ftab[T2].m;

	fz_fill(m, FAST_SIZE);
	memset(m2, 0, FAST_SIZE);
	for (int i = 0; i < FUZZ_PLANTS; i++) {
		struct fz_plant *p = &fz_plants[i];
		struct tn_fast_entry *x, e = { 0 };
		__u32 b, r;

		p->family = fz_below(2) ? AF_INET : AF_INET6;
		fz_dst(p->family, p->dst);
		b = fast_bucket(p->family, p->dst);
		x = &m[fz_below(20) ? b : fz_below(TN_FAST_BUCKETS)]
			     .b.e[fz_below(TN_FAST_WAYS)];
		fz_fill(x, sizeof(*x)); /* seq, hits and the rest */
		if (fz_below(4))
			x->seq &= ~1u;
		r = fz_below(20);
		x->family = r < 18 ? p->family :
			    r < 19 ? (p->family ^ AF_INET ^ AF_INET6) :
				     (__u8)fz_rnd();
		r = fz_below(20);
		x->out = r < 9 ? ACC : r < 18 ? UPL : (__u8)fz_rnd();
		if (fz_below(8))
			x->flags = 0;
		memcpy(x->dst, p->dst, 16);
		if (!fz_below(20))
			x->dst[fz_below(16)] ^= (__u8)(1u << fz_below(8));
		if (fz_below(5))
			x->mac[0] &= 0xfe;
		else
			x->mac[0] |= 1;
		x->mtu = p->mtu = fz_mtu();

		/* T2's: whole, for the same destination */
		e.family = p->family;
		memcpy(e.dst, p->dst, 16);
		e.out = (__u8)fz_below(2);
		fz_fill(e.mac, 6);
		e.mac[0] &= 0xfe;
		e.mtu = 9000;
		m2[b].b.e[fz_below(TN_FAST_WAYS)] = e;
	}
	for (__u32 r = 0; r < 2; r++) {
		__u32 port = tn_port(T1, r);

		fz_ports[r].mtu = fz_mtu();
		fz_ports[r].flags = EG_CHECKS;
		if (fz_below(2))
			fz_ports[r].flags |= TN_EG_F_SRC;
		upd(env.ni->maps.tn_fast_ports, &port, &fz_ports[r]);
	}
	memcpy(fz_was[T1], m, FAST_SIZE);
	memcpy(fz_was[T2], m2, FAST_SIZE);
	memset(fz_hits, 0, sizeof(fz_hits));
	memset(fz.pkts, 0, sizeof(fz.pkts));
	memset(fz.bytes, 0, sizeof(fz.bytes));
}

/* T1's frame in by *role. */
static void fz_frame(struct frame *f, __u32 *role)
{
	static const __u8 ttls[] = { 0, 1, 2, 3, 64, 64, 64, 255 };
	const struct fz_plant *p = &fz_plants[fz_below(FUZZ_PLANTS)];
	__u8 h[60], dmac[6], dst[16], family = p->family, hop;
	uint8_t pay[2048];
	size_t hlen, l3len;
	__u32 r;

	memcpy(dst, p->dst, 16);
	if (!fz_below(10)) {
		family = fz_below(2) ? AF_INET : AF_INET6;
		fz_dst(family, dst);
	}
	*role = fz_below(2);
	fr_init(f);
	if (*role == ACC) {
		r = fz_below(100);
		if (r < 85)
			memcpy(dmac, MAC_T1A, 6);
		else if (r < 90)
			memcpy(dmac, MAC_B, 6);
		else if (r < 93)
			memcpy(dmac, MAC_BCAST, 6);
		else if (r < 96)
			memcpy(dmac, MAC_MCAST, 6);
		else
			fz_fill(dmac, 6);
		fr_eth(f, dmac, MAC_A);
		fr_tag(f, ETH_P_8021Q, (__u16)(100 | fz_below(8) << 13));
	} else {
		fr_eth(f, MAC_B, MAC_A);
	}
	switch (fz_below(4)) {
	case 0: /* about the entry's MTU */
		l3len = p->mtu + fz_below(3);
		l3len = l3len ? l3len - 1 : 0;
		break;
	case 1:
		l3len = fz_below(1600);
		break;
	default:
		l3len = 28 + fz_below(200);
	}
	hop = fz_below(9) ? ttls[fz_below(sizeof(ttls))] : (__u8)fz_rnd();
	if (family == AF_INET) {
		hlen = fz_below(8) ? 20 : 4 * (6 + fz_below(10));
		l3len = l3len < hlen ? hlen : l3len > 1800 ? 1800 : l3len;
		fz_fill(h, hlen);
		h[0] = (__u8)(0x40 | hlen / 4);
		h[2] = (__u8)(l3len >> 8);
		h[3] = (__u8)l3len;
		h[8] = hop;
		if (fz_below(3))
			memcpy(h + 12, "\x0a\x00\x00", 3); /* T1's */
		memcpy(h + 16, dst, 4);
		ip4_csum_set(h);
		if (!fz_below(30))
			h[10 + fz_below(2)] ^= (__u8)(1u << fz_below(8));
		fr_type(f, ETH_P_IP);
	} else {
		hlen = 40;
		l3len = l3len < hlen ? hlen : l3len > 1800 ? 1800 : l3len;
		fz_fill(h, hlen);
		h[0] = (__u8)(0x60 | (h[0] & 0x0f));
		h[4] = (__u8)((l3len - 40) >> 8);
		h[5] = (__u8)(l3len - 40);
		r = fz_below(100);
		h[6] = r < 90 ? 17 : r < 95 ? 0 : h[6];
		h[7] = hop;
		r = fz_below(20);
		if (r < 12) /* T1's */
			memcpy(h + 8, "\x20\x01\x0d\xb8\x00\x0a\x00\x00", 8);
		else if (r < 14) /* link-local */
			memcpy(h + 8, "\xfe\x80", 2);
		else if (r < 15)
			memcpy(h + 8, "\xfe\xc0", 2);
		memcpy(h + 24, dst, 16);
		fr_type(f, ETH_P_IPV6);
	}
	fr_put(f, h, hlen);
	fz_fill(pay, l3len - hlen);
	fr_put(f, pay, l3len - hlen);
	if (!fz_below(10)) { /* Ethernet padding */
		r = fz_below(40);
		fz_fill(pay, r);
		fr_put(f, pay, r);
	}
}

static __u16 be16(const uint8_t *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Why the model sent a frame where it did (the first rule it failed). */
enum fz_why {
	W_HIT,
	W_OPTIONS,
	W_CSUM,
	W_TTL,
	W_DST4,
	W_HLIM,
	W_HBH,
	W_DST6,
	W_SRC_LL,
	W_IN_PORT,
	W_NO_ENTRY,
	W_SLOW,
	W_OUT,
	W_NH_MCAST,
	W_MTU,
	W_SRC,
	W__MAX
};

static const char *const fz_why_names[W__MAX] = {
	[W_HIT] = "table",	   [W_OPTIONS] = "options",
	[W_CSUM] = "checksum",	   [W_TTL] = "ttl",
	[W_DST4] = "dst4",	   [W_HLIM] = "hoplimit",
	[W_HBH] = "hbh",	   [W_DST6] = "dst6",
	[W_SRC_LL] = "src-ll",	   [W_IN_PORT] = "in-port",
	[W_NO_ENTRY] = "no-entry", [W_SLOW] = "slow-flag",
	[W_OUT] = "out",	   [W_NH_MCAST] = "nh-mcast",
	[W_MTU] = "mtu",	   [W_SRC] = "src-check",
};

static __u64 fz_whys[W__MAX];

#define FZ_MISS(why)              \
	do {                      \
		fz_whys[(why)]++; \
		return -1;        \
	} while (0)

/*
 * Which entry frame f (T1's, in by role) leaves by, and by which port
 * (*out); -1: the slow path. From the rules alone:
 *   the frame: IPv4 without options, a sound header checksum, TTL > 1,
 *     to unicast (below 224.0.0.0); IPv6 with hop limit > 1, no
 *     Hop-by-Hop, to neither multicast nor link-local, from no
 *     link-local; to the tenant's MAC on the in port, whose MTU is set;
 *   the entry: the first way of the destination's bucket with an even
 *     seq, the family and all 16 bytes the same; not TN_FAST_F_SLOW, out
 *     a role, the next hop's MAC unicast;
 *   the out port's MTU set, the IP length within it and the entry's, and
 *     with TN_EG_F_SRC a source in the tenant's space.
 */
static int fz_model(const struct frame *f, __u32 role, __u32 *out)
{
	const uint8_t *h = f->b + 12 + TAG_LEN * (role == ACC) + 2;
	const struct tn_fast_entry *x;
	const struct tn_egress *o;
	__u8 family, dst[16];
	__u32 l3len, mtu;
	int idx, src_ok;

	memset(dst, 0, 16);
	if (be16(h - 2) == ETH_P_IP) {
		if ((h[0] & 0x0f) != 5)
			FZ_MISS(W_OPTIONS);
		if (ip4_csum(h) != be16(h + 10))
			FZ_MISS(W_CSUM);
		if (h[8] <= 1)
			FZ_MISS(W_TTL);
		if (h[16] >= 224)
			FZ_MISS(W_DST4);
		family = AF_INET;
		memcpy(dst, h + 16, 4);
		l3len = be16(h + 2);
		src_ok = h[12] == 10 && h[13] == 0 && h[14] == 0;
	} else {
		if (h[7] <= 1)
			FZ_MISS(W_HLIM);
		if (h[6] == 0)
			FZ_MISS(W_HBH);
		if (h[24] == 0xff || (h[24] == 0xfe && (h[25] & 0xc0) == 0x80))
			FZ_MISS(W_DST6);
		if (h[8] == 0xfe && (h[9] & 0xc0) == 0x80)
			FZ_MISS(W_SRC_LL);
		family = AF_INET6;
		memcpy(dst, h + 24, 16);
		l3len = 40u + be16(h + 4);
		src_ok = !memcmp(h + 8, "\x20\x01\x0d\xb8\x00\x0a\x00\x00", 8);
	}
	if (!fz_ports[role].mtu || memcmp(f->b, fz_ports[role].mac, 6))
		FZ_MISS(W_IN_PORT);
	idx = fast_way(ftab[T1].m, family, dst);
	if (idx < 0)
		FZ_MISS(W_NO_ENTRY);
	x = fast_entry(ftab[T1].m, idx);
	if (x->flags & TN_FAST_F_SLOW)
		FZ_MISS(W_SLOW);
	if (x->out > UPL)
		FZ_MISS(W_OUT);
	if (x->mac[0] & 1)
		FZ_MISS(W_NH_MCAST);
	o = &fz_ports[x->out];
	mtu = x->mtu < o->mtu ? x->mtu : o->mtu;
	/* the frame untagged, trailer included, no more than the MTU's */
	if (!o->mtu || l3len > mtu ||
	    f->len - TAG_LEN * (role == ACC) > mtu + 14)
		FZ_MISS(W_MTU);
	if ((o->flags & TN_EG_F_SRC) && !src_ok)
		FZ_MISS(W_SRC);
	fz_whys[W_HIT]++;
	*out = x->out;
	return idx;
}

/* After a period: the tables and every counter as foretold. */
static int fz_check(void)
{
	static union tn_fast_slot want[TN_FAST_BUCKETS];
	struct tn_stats z = { 0 };
	__u64 p0[2], b0[2], p1[2], b1[2];
	int bad = 0;

	memcpy(want, fz_was[T1], FAST_BUCKETS_SIZE);
	for (int i = 0; i < TN_FAST_ENTRIES; i++)
		want[i / TN_FAST_WAYS].b.e[i % TN_FAST_WAYS].hits += fz_hits[i];
	for (int i = 0; i < TN_FAST_ENTRIES && !bad; i++) {
		const struct tn_fast_entry *w = fast_entry(want, i),
					   *n = fast_entry(ftab[T1].m, i);

		if (memcmp(w, n, sizeof(*w))) {
			fprintf(stderr,
				"entry %d: hits %llu, want %llu (or more "
				"changed)\n",
				i, (unsigned long long)n->hits,
				(unsigned long long)w->hits);
			bad = 1;
		}
	}
	fast_ctrs(fz_was[T1], p0, b0);
	fast_ctrs(ftab[T1].m, p1, b1);
	for (int r = 0; r < 2; r++)
		if (p1[r] - p0[r] != fz.pkts[r] ||
		    b1[r] - b0[r] != fz.bytes[r]) {
			fprintf(stderr,
				"table counters of role %d: %llu/%llu, "
				"want %llu/%llu\n",
				r, (unsigned long long)(p1[r] - p0[r]),
				(unsigned long long)(b1[r] - b0[r]),
				(unsigned long long)fz.pkts[r],
				(unsigned long long)fz.bytes[r]);
			bad = 1;
		}
	if (memcmp(fz_was[T2], ftab[T2].m, FAST_SIZE)) {
		fprintf(stderr, "T2's table changed\n");
		bad = 1;
	}
	for (__u32 r = 0; r < 2; r++) {
		bad |= stats_check(S_NIC, r == ACC ? NIC1 : NIC2, &z,
				   &fz.port[r]);
		bad |= stats_check(S_PORT, tn_port(T1, r), &z, &fz.port[r]);
		bad |= stats_check(S_EGRESS, tn_port(T1, r), &z, &fz.eg[r]);
		bad |= stats_check(S_PORT, tn_port(T2, r), &z, &z);
		bad |= stats_check(S_EGRESS, tn_port(T2, r), &z, &z);
	}
	return bad;
}

static void test_fast_fuzz(void **state)
{
	const char *s = getenv("TN_FAST_SEED");
	struct frame in, out, want;
	struct timespec t0, t1;
	__u32 role, orole = 0;
	int idx, v;

	(void)state;
	if (skip_why)
		skip();
	fz_seed = s ? strtoull(s, NULL, 0) :
		      (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	fz_state = fz_seed;
	fprintf(stderr, "# fast fuzz: seed %llu (TN_FAST_SEED)\n",
		(unsigned long long)fz_seed);
	memset(&fz, 0, sizeof(fz));
	memset(fz_whys, 0, sizeof(fz_whys));
	assert_int_equal(env_load(&env), 0);
	setup_fast(&env);
	fast_port(T2, ACC, NIC3, 200, 300, MAC_T2A, 1500, EG_CHECKS);
	fast_port(T2, UPL, NIC4, 0, 0, MAC_T2U, 1500, EG_CHECKS | TN_EG_F_SRC);
	fz_ports[ACC] = fast_port_get(T1, ACC);
	fz_ports[UPL] = fast_port_get(T1, UPL);
	spy_watch();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < FUZZ_FRAMES; i++) {
		if (!(i % FUZZ_PERIOD)) {
			if (i && fz_check())
				fail_msg("seed %llu: period up to frame %u",
					 (unsigned long long)fz_seed, i);
			fz_period();
		}
		fz_frame(&in, &role);
		idx = fz_model(&in, role, &orole);
		spy_reset();
		v = run_nic(role == ACC ? D_NIC : D_NIC2, &in, &out);
		if (idx >= 0)
			fast_expect(&in, &fz_ports[orole],
				    fast_entry(ftab[T1].m, idx)->mac, &want);
		else
			frame_popped(&in, &want);
		if (v != XDP_REDIRECT || frames_differ(&out, &want) ||
		    (idx >= 0 ?
			     spy_check(id_nic_dev, fz_ports[orole].nic_id, 1) :
			     spy_check(id_ports, tn_port(T1, role), 1))) {
			fr_hexdump("input frame", in.b, in.len);
			fail_msg("seed %llu frame %u (in by %u): verdict %d, "
				 "want %s",
				 (unsigned long long)fz_seed, i, role, v,
				 idx >= 0 ? "out by the table" : "slow path");
		}

		fz.frames++;
		fz.port[role].rx_packets++;
		fz.port[role].rx_bytes += in.len;
		if (idx < 0) {
			fz.port[role].tx_packets++;
			fz.port[role].tx_bytes += want.len;
			continue;
		}
		fz.fast++;
		fz_hits[idx]++;
		fz.port[role].fast_packets++;
		fz.port[role].fast_bytes += in.len - TAG_LEN * (role == ACC);
		fz.pkts[role]++;
		fz.bytes[role] += in.len - TAG_LEN * (role == ACC);
		fz.eg[orole].rx_packets++;
		fz.eg[orole].rx_bytes += in.len - TAG_LEN * (role == ACC);
		fz.eg[orole].tx_packets++;
		fz.eg[orole].tx_bytes += want.len;
	}
	if (fz_check())
		fail_msg("seed %llu: the last period",
			 (unsigned long long)fz_seed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr,
		"# fast fuzz: %llu frames in %.1f s, %llu by the table, "
		"%llu by the slow path\n",
		(unsigned long long)fz.frames,
		(double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		(unsigned long long)fz.fast,
		(unsigned long long)(fz.frames - fz.fast));
	fprintf(stderr, "# fast fuzz: by rule:");
	for (int w = 0; w < W__MAX; w++)
		fprintf(stderr, " %s %llu", fz_why_names[w],
			(unsigned long long)fz_whys[w]);
	fputc('\n', stderr);
	/* the draw meets every rule, and the table often */
	for (int w = 0; w < W__MAX; w++)
		if (fz_whys[w] < 100)
			fail_msg("rule %s met %llu times only", fz_why_names[w],
				 (unsigned long long)fz_whys[w]);
	assert_true(fz.fast > FUZZ_FRAMES / 50);
	fast_tables_free();
	env_unload(&env);
}

static const struct {
	const char *name;
	void (*fn)(void **state);
} tests_by_hand[] = {
	{ "policer: 200 kpps within 5% over a second",
	  test_police_accuracy_pps },
	{ "policer: 50 Mbit/s within 5% over a second",
	  test_police_accuracy_bps },
	{ "prefix cache: follows every prefix change at once",
	  test_prefix_cache },
	{ "policer: a VLAN frame costs its untagged length", test_police_vlan },
	{ "policer: a QinQ frame costs its untagged length", test_police_qinq },
	{ "egress policer: charged before the tag push (untagged)",
	  test_police_egress_vlan },
	{ "fast: an entry's out 2..255 never leaves by any NIC",
	  test_fast_out_garbage },
	{ "fast: the egress policer is tenant_egress's, one bucket",
	  test_fast_police_shared },
	{ "fast: the IPv4 checksum after the TTL, from every checksum",
	  test_fast_csum },
	{ "fast: an entry rewritten while frames use it: whole or slow",
	  test_fast_torn },
	{ "fast: 1,000,000 frames against a random table", test_fast_fuzz },
};

int main(void)
{
	size_t n = sizeof(fixtures) / sizeof(fixtures[0]);
	size_t nf = sizeof(fast_fixtures) / sizeof(fast_fixtures[0]);
	size_t nh = sizeof(tests_by_hand) / sizeof(tests_by_hand[0]);
	struct CMUnitTest *tests = calloc(n + nf + nh, sizeof(*tests));
	size_t k = 0;
	int err;

	tn_log_init("test_bpf", TN_LOG_WARN);
	err = env_world(&env, &skip_why);
	if (!err)
		skip_why = NULL;
	/* Where a redirect went, where the kernel lets fexit load. */
	tn_log_libs_quiet(1);
	spy = redirect_spy__open_and_load();
	if (spy && redirect_spy__attach(spy)) {
		redirect_spy__destroy(spy);
		spy = NULL;
	}
	tn_log_libs_quiet(0);
	fprintf(stderr, "# fast path: redirect targets checked %s\n",
		spy ? "by fexit on dev_map_redirect" :
		      "by the counters and frames (no fexit here)");
	for (size_t i = 0; i < n; i++, k++) {
		tests[k].name = fixtures[i].name;
		tests[k].test_func = run_fixture;
		tests[k].initial_state = (void *)&fixtures[i];
	}
	for (size_t i = 0; i < nf; i++, k++) {
		tests[k].name = fast_fixtures[i].name;
		tests[k].test_func = run_fast;
		tests[k].initial_state = (void *)&fast_fixtures[i];
	}
	for (size_t i = 0; i < nh; i++, k++) {
		tests[k].name = tests_by_hand[i].name;
		tests[k].test_func = tests_by_hand[i].fn;
	}
	err = _cmocka_run_group_tests("bpf", tests, k, NULL, NULL);
	if (spy)
		redirect_spy__destroy(spy);
	free(tests);
	return err;
}
