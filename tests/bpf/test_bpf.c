// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_RUN fixtures for nic_ingress, tenant_egress and tenant_rx: each
 * names an input frame, the maps it sets up, the verdict, the output frame
 * (byte for byte) and every counter of the entries it touches. A mismatch
 * prints both frames as hex. Each fixture loads the programs afresh.
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
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "dp.h"
#include "env.h"
#include "frames.h"
#include "log.h"
#include "parse.h"

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

static void setup_police_bps(struct xdp_env *e)
{
	struct frame f;

	in_mac_b(&f);
	setup_police(e, 0, 1000000, 10.5, f.len);
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

static void src_prefix(const char *cidr)
{
	unsigned int len;
	int family;
	__u8 a[16];

	assert_int_equal(tn_parse_prefix(cidr, 1, &family, a, &len), 0);
	if (family == AF_INET) {
		struct tn_src4_key k = { .prefixlen = 32 + len,
					 .tenant_id = T1 };

		memcpy(k.addr, a, 4);
		upd(env.eg->maps.tn_src4, &k, &(__u32){ 1 });
	} else {
		struct tn_src6_key k = { .prefixlen = 32 + len,
					 .tenant_id = T1 };

		memcpy(k.addr, a, 16);
		upd(env.eg->maps.tn_src6, &k, &(__u32){ 1 });
	}
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
	{ "nic: policed bps: burst 10.5 frames at 1 Mbit/s, 30 frames -> 10",
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

static void run_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct tn_stats before[3], after[3];
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
		__u64 *a, *b, *w;

		assert_int_equal(tn_dp_stats_read(stats_fd(c->map), c->key,
						  &after[i]),
				 0);
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
		a = (__u64 *)&after[i];
		b = (__u64 *)&before[i];
		w = (__u64 *)&d;
		for (size_t j = 0; j < sizeof(d) / sizeof(__u64); j++) {
			if (a[j] - b[j] == w[j])
				continue;
			fprintf(stderr, "counters of map %d key %u differ:\n",
				c->map, c->key);
			for (size_t k = 0; k < sizeof(d) / sizeof(__u64); k++)
				a[k] -= b[k];
			env_print_stats("  got ", &after[i]);
			env_print_stats("  want", &d);
			bad = 1;
			break;
		}
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
	assert_true(s.rx_packets > 5 * (s.tx_packets + 1)); /* really over */
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

int main(void)
{
	size_t n = sizeof(fixtures) / sizeof(fixtures[0]);
	struct CMUnitTest *tests = calloc(n + 6, sizeof(*tests));
	int err;

	tn_log_init("test_bpf", TN_LOG_WARN);
	err = env_world(&env, &skip_why);
	if (!err)
		skip_why = NULL;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = fixtures[i].name;
		tests[i].test_func = run_fixture;
		tests[i].initial_state = (void *)&fixtures[i];
	}
	tests[n].name = "policer: 200 kpps within 5% over a second";
	tests[n].test_func = test_police_accuracy_pps;
	tests[n + 1].name = "policer: 50 Mbit/s within 5% over a second";
	tests[n + 1].test_func = test_police_accuracy_bps;
	tests[n + 2].name = "prefix cache: follows every prefix change at once";
	tests[n + 2].test_func = test_prefix_cache;
	tests[n + 3].name = "policer: a VLAN frame costs its untagged length";
	tests[n + 3].test_func = test_police_vlan;
	tests[n + 4].name = "policer: a QinQ frame costs its untagged length";
	tests[n + 4].test_func = test_police_qinq;
	tests[n + 5].name =
		"egress policer: charged before the tag push (untagged)";
	tests[n + 5].test_func = test_police_egress_vlan;
	err = _cmocka_run_group_tests("bpf", tests, n + 6, NULL, NULL);
	free(tests);
	return err;
}
