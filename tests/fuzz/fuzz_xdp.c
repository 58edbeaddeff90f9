// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_xdp: the three XDP programs (nic_ingress, tenant_egress, tenant_rx)
 * through BPF_PROG_RUN with mutated frames, every frame checked against an
 * oracle that knows the configuration and nothing of the programs' code.
 * Not libFuzzer: its coverage would be userspace's only.
 *
 * The world: env_world()'s namespace and veths (tests/bpf/env.c); two
 * NICs, six tenants (VLAN, QinQ, MAC, ARP/ND target and prefix keys on both
 * NICs, ports, an inactive one, one without ports, policers in pps and
 * bps, a direct-mode tenant owning NIC queues, one with a bound XSK),
 * tenant_egress on five veths (tagged, QinQ, untagged, no NIC, none) and
 * tenant_rx on three (with an XSK, without, unknown) with the router's
 * addresses. A prefix comes and goes every 64 batches (the prefix cache
 * must follow).
 *
 * A frame: a valid template (any of the tags, QinQ, three tags, ARP, IPv4
 * with options, IPv6, ND, LLDP; to each tenant's keys and to none), then
 * 0..4 mutations (bit flips, bytes, truncation, extension, a tag inserted
 * or removed, IPv4/IPv6 length fields, ND bits), run by a program on one
 * of its devices and queues. Each frame comes from (seed, index) alone, so
 * `fuzz_xdp -s SEED -i INDEX -v` replays one.
 *
 * After every frame: the verdict is the oracle's (a policed port may also
 * drop); on XDP_REDIRECT the map and key the program redirected to (seen by
 * tests/fuzz/redirect_spy.bpf.c, an fexit on the kernel's map_redirect
 * ops) are the port of the tenant the frame's key classifies it to, or
 * that tenant's XSK on its own queue: a frame of tenant A never reaches a
 * port of tenant B, one of no tenant no port at all; the frame out is the
 * frame in with its tags popped (nic_ingress), the NIC's pushed
 * (tenant_egress) or untouched. After every batch: every counter entry is
 * the oracle's, and rx = delivered + passed + every drop in each.
 *
 * Usage: fuzz_xdp [-t SECONDS] [-n FRAMES] [-s SEED] [-i INDEX] [-v]
 * Prints frames, frames/s and verdicts; exits 1 on the first broken
 * invariant (with the seed and index to replay it), 77 if it cannot run.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp.h"
#include "env.h"
#include "frames.h"
#include "log.h"
#include "names.h"
#include "parse.h"
#include "redirect_spy.skel.h"
#include "xdp_oracle.h"

#define BATCH 512
#define MAX_LEN 1600

static const char *const prog_names[] = { "nic_ingress", "tenant_egress",
					  "tenant_rx" };

static struct xdp_env env;
static struct redirect_spy *spy;
static int devs[6]; /* every device BPF_PROG_RUN may name */
static int nrxq[6];

static const uint8_t MAC_C[6] = { 0x02, 0, 0, 0, 0, 0x0c };

static void die(const char *what)
{
	fprintf(stderr, "fuzz_xdp: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void upd(struct bpf_map *m, const void *k, const void *v)
{
	if (bpf_map_update_elem(bpf_map__fd(m), k, v, 0))
		die(bpf_map__name(m));
}

static void ip(const char *s, int *family, uint8_t a[16])
{
	memset(a, 0, 16);
	if (tn_parse_ip(s, family, a))
		die(s);
}

static void cfg_nic(int i, int ifindex, uint32_t id, uint32_t role,
		    uint32_t dflt, uint32_t flags)
{
	struct tn_nic n = { id, role, dflt, flags };

	nics[i] = (struct nicdev){ ifindex, id, role, dflt, flags };
	upd(env.ni->maps.tn_nics, &ifindex, &n);
}

static void cfg_tenant(uint32_t tid, uint32_t flags, bool acc, bool upl)
{
	struct tn_tenant t = { .flags = flags };

	tflags[tid] = flags;
	upd(env.ni->maps.tn_tenants, &tid, &t);
	for (uint32_t role = 0; role < 2; role++) {
		__u32 p = tn_port(tid, role);

		if (!(role ? upl : acc))
			continue;
		port_slot[p] = true;
		upd(env.ni->maps.tn_ports, &p, &env.if_veth);
	}
}

static void cfg_vlan(int ifindex, uint16_t vid, uint16_t inner, uint32_t tid)
{
	struct tn_vlan_key k = { ifindex, vid, inner };

	vkeys[nvkeys++] = (struct vkey){ ifindex, vid, inner, tid };
	upd(env.ni->maps.tn_vlan, &k, &tid);
}

static void cfg_mac(int ifindex, const uint8_t mac[6], uint32_t tid)
{
	struct tn_mac_key k = { .ifindex = ifindex };
	struct hkey *h = &hkeys[nhkeys++];

	memcpy(k.mac, mac, 6);
	*h = (struct hkey){ .ifindex = ifindex, .family = 0, .tid = tid };
	memcpy(h->addr, mac, 6);
	upd(env.ni->maps.tn_mac, &k, &tid);
}

static void cfg_host(int ifindex, const char *a, uint32_t tid)
{
	struct tn_host_key k = { .ifindex = ifindex };
	struct hkey *h = &hkeys[nhkeys++];

	*h = (struct hkey){ .ifindex = ifindex, .tid = tid };
	ip(a, &h->family, h->addr);
	k.family = h->family;
	memcpy(k.addr, h->addr, 16);
	upd(env.ni->maps.tn_host, &k, &tid);
}

static void prefix_apply(struct pfx *p, bool on)
{
	int lpm = p->family == AF_INET ? bpf_map__fd(env.ni->maps.tn_lpm4) :
					 bpf_map__fd(env.ni->maps.tn_lpm6);

	if (tn_dp_prefix_set(lpm, bpf_map__fd(env.ni->maps.tn_lpm_gen),
			     (uint32_t)p->ifindex, p->family, p->addr, p->len,
			     on ? p->tid : 0))
		die("tn_dp_prefix_set");
	p->on = on;
}

static struct pfx *cfg_prefix(int ifindex, const char *cidr, uint32_t tid)
{
	struct pfx *p = &pfxs[npfxs++];

	p->ifindex = ifindex;
	p->tid = tid;
	if (tn_parse_prefix(cidr, 1, &p->family, p->addr, &p->len))
		die(cidr);
	prefix_apply(p, true);
	return p;
}

static void cfg_policer(uint32_t port, uint64_t bps, uint64_t pps)
{
	struct tn_policer pol;

	tn_policer_config(&pol, bps, pps, 0, 0); /* the least buckets */
	policed[port] = true;
	upd(env.ni->maps.tn_policer, &port, &pol);
}

static void cfg_egress(int i, int ifindex, uint32_t port, uint32_t nic,
		       uint16_t vid, uint16_t inner, uint32_t flags)
{
	egs[i] = (struct egdev){ ifindex,
				 port != 0,
				 { .port = port,
				   .nic_id = nic,
				   .vid = vid,
				   .inner_vid = inner,
				   .flags = flags } };
	memcpy(egs[i].eg.mac, MAC_A, 6);
	if (port)
		upd(env.eg->maps.tn_egress, &ifindex, &egs[i].eg);
}

/* An address tenant tid's ARP and ND may claim (tenant_egress). */
static void cfg_own(uint32_t tid, const char *addr)
{
	struct hkey *h = &eg_own[neg_own++];
	struct tn_local_key k = { .tenant_id = tid };

	ip(addr, &h->family, h->addr);
	h->tid = tid;
	k.family = h->family;
	memcpy(k.addr, h->addr, 16);
	upd(env.eg->maps.tn_local, &k, &(__u32){ 1 });
}

/* A prefix of tenant tid's source space. */
static void cfg_src(uint32_t tid, const char *cidr)
{
	struct pfx *x = &eg_src[neg_src++];

	if (tn_parse_prefix(cidr, 1, &x->family, x->addr, &x->len))
		die("bad prefix");
	x->tid = tid;
	x->on = true;
	if (x->family == AF_INET) {
		struct tn_src4_key k = { .prefixlen = 32 + x->len,
					 .tenant_id = tid };

		memcpy(k.addr, x->addr, 4);
		upd(env.eg->maps.tn_src4, &k, &(__u32){ 1 });
	} else {
		struct tn_src6_key k = { .prefixlen = 32 + x->len,
					 .tenant_id = tid };

		memcpy(k.addr, x->addr, 16);
		upd(env.eg->maps.tn_src6, &k, &(__u32){ 1 });
	}
}

static uint32_t map_id(struct bpf_map *m)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(m), &info, &len))
		die("map info");
	return info.id;
}

static struct pfx *toggled;
static int nic_xsk_fd = -1, rx_xsk_fd = -1; /* kept across reloads: a
					       * queue stays bound */

/* An XSK bound to ifindex/queue into an XSKMAP slot; the socket is made
 * once and kept across reloads (a queue stays bound to it). */
static void cfg_xsk(struct bpf_map *m, __u32 idx, int *fd, int ifindex,
		    uint32_t queue)
{
	if (*fd < 0)
		*fd = env_xsk(ifindex, queue);
	if (*fd < 0)
		die("binding an XSK");
	upd(m, &idx, fd);
}

static void configure(void)
{
	int n1 = env.if_nic, n2 = env.if_nic2;
	__u32 idx, one = 1;

	nvkeys = nhkeys = npfxs = nlocals = neg_own = neg_src = 0;
	memset(eg_policed, 0, sizeof(eg_policed));
	memset(tflags, 0, sizeof(tflags));
	memset(port_slot, 0, sizeof(port_slot));
	memset(policed, 0, sizeof(policed));
	memset(qowner, 0, sizeof(qowner));
	memset(nic_xsk, 0, sizeof(nic_xsk));
	memset(nic_dev, 0, sizeof(nic_dev));
	memset(rx_xsk, 0, sizeof(rx_xsk));

	cfg_nic(0, n1, NIC1, TN_ROLE_ACCESS, TN_DEFAULT_PASS, TN_NIC_F_PREFIX);
	cfg_nic(1, n2, NIC2, TN_ROLE_UPLINK, TN_DEFAULT_DROP,
		TN_NIC_F_MAC | TN_NIC_F_PREFIX);

	cfg_tenant(1, TN_TENANT_F_ACTIVE, true, true);
	cfg_tenant(2, TN_TENANT_F_ACTIVE, true, true);
	cfg_tenant(3, TN_TENANT_F_ACTIVE | TN_TENANT_F_DIRECT, true, true);
	cfg_tenant(4, TN_TENANT_F_ACTIVE, false, false); /* no ports */
	cfg_tenant(5, TN_TENANT_F_ACTIVE, true, false);
	cfg_tenant(9, 0, true, true); /* inactive */

	cfg_vlan(n1, 100, 0, 1);
	cfg_vlan(n1, 200, 300, 2);
	cfg_vlan(n1, 300, 0, 3);
	cfg_vlan(n1, 500, 0, 4);
	cfg_vlan(n1, 600, 700, 5);
	cfg_vlan(n1, 400, 0, 9);
	cfg_vlan(n2, 100, 0, 2); /* the same VID on the other NIC */
	cfg_mac(n2, MAC_B, 1);
	cfg_mac(n2, MAC_C, 4);
	cfg_host(n2, "192.0.2.10", 2);
	cfg_host(n2, "2001:db8::10", 2);
	cfg_prefix(n2, "198.51.100.0/24", 1);
	cfg_prefix(n2, "198.51.100.128/25", 2);
	cfg_prefix(n2, "2001:db8:1::/48", 1);
	cfg_prefix(n2, "2001:db8:1:2::/64", 2);
	cfg_prefix(n2, "203.0.113.0/24", 3);
	cfg_prefix(n2, "2001:db8:9::/48", 9);
	cfg_prefix(n1, "203.0.113.128/25", 5);
	toggled = cfg_prefix(n2, "198.51.100.64/26", 5);

	cfg_policer(tn_port(2, TN_ROLE_UPLINK), 0, 2000);
	cfg_policer(tn_port(5, TN_ROLE_ACCESS), 5000000, 0);

	/* Direct mode: T3 owns NIC1 queues 1 (its router's socket bound
	 * there) and 2 (none); queue 3 is T1's. */
	qowner[NIC1 * TN_MAX_QUEUES + 1] = 3;
	qowner[NIC1 * TN_MAX_QUEUES + 2] = 3;
	qowner[NIC1 * TN_MAX_QUEUES + 3] = 1;
	for (idx = 0; idx < TN_MAX_NICS * TN_MAX_QUEUES; idx++)
		if (qowner[idx])
			upd(env.ni->maps.tn_qowner, &idx, &qowner[idx]);
	cfg_xsk(env.ni->maps.tn_nic_xsks, NIC1 * TN_MAX_QUEUES + 1, &nic_xsk_fd,
		env.if_nic, 1);
	nic_xsk[NIC1 * TN_MAX_QUEUES + 1] = true;
	for (int i = 0; i < 2; i++) {
		struct tn_local_key k = { .tenant_id = 3 };
		struct hkey *h = &locals[nlocals++];

		ip(i ? "2001:db8:3::1" : "10.0.0.1", &h->family, h->addr);
		h->tid = 3;
		k.family = h->family;
		memcpy(k.addr, h->addr, 16);
		upd(env.ni->maps.tn_local, &k, &one);
	}

	/* tenant_egress: T1's access port checks all, its uplink the MAC,
	 * T2's access port polices; T1 owns the addresses the templates'
	 * ARP and NS come from, and half its customers' subnet. */
	cfg_egress(0, env.if_veth, tn_port(1, 0), NIC1, 100, 0,
		   TN_EG_F_MAC | TN_EG_F_ARP | TN_EG_F_SRC);
	cfg_egress(1, env.if_veth2, tn_port(2, 0), NIC1, 200, 300, 0);
	cfg_egress(2, (int)if_nametoindex("tfnic1p"), tn_port(1, 1), NIC2, 0, 0,
		   TN_EG_F_MAC);
	cfg_egress(3, (int)if_nametoindex("tfnic0p"), tn_port(3, 0), 5, 100, 0,
		   0);
	cfg_egress(4, env.if_nic, 0, 0, 0, 0, 0);
	cfg_own(1, "192.0.2.1");
	cfg_own(1, "fe80::2");
	cfg_own(1, "2001:db8::10");
	cfg_src(1, "10.0.0.0/25");
	cfg_src(1, "2001:db8:a::/64");
	cfg_src(1, "192.0.2.1/32");
	{
		struct tn_policer pol;
		__u32 port = tn_port(2, 0);

		tn_policer_config(&pol, 0, 2000, 0, 0);
		eg_policed[port] = true;
		upd(env.eg->maps.tn_egress_policer, &port, &pol);
	}
	for (uint32_t id = NIC1; id <= NIC2; id++) {
		int dev = id == NIC1 ? env.if_nic : env.if_nic2;

		nic_dev[id] = true;
		upd(env.eg->maps.tn_nic_dev, &id, &dev);
	}

	/* tenant_rx: the container side (slot 1, XSK on queue 0), the host
	 * side pretending (slot 0, no XSK), and an unknown interface. */
	rx_slot_of[0][0] = env.if_veth2;
	rx_slot_of[0][1] = 1;
	rx_slot_of[1][0] = env.if_veth;
	rx_slot_of[1][1] = 0;
	rx_slot_of[2][0] = env.if_nic2;
	rx_slot_of[2][1] = -1;
	for (int i = 0; i < 2; i++) {
		__u32 s = (__u32)rx_slot_of[i][1];

		upd(env.rx->maps.tn_rx_ifs, &rx_slot_of[i][0], &s);
	}
	cfg_xsk(env.rx->maps.tn_rx_xsks, 1 * TN_MAX_QUEUES + 0, &rx_xsk_fd,
		env.if_veth2, 0);
	rx_xsk[1 * TN_MAX_QUEUES + 0] = true;
	for (int i = 0; i < 2; i++) {
		struct tn_addr_key k = { 0 };

		ip(i ? "2001:db8:a::1" : "10.0.0.1", &rx_addrs[i].family,
		   rx_addrs[i].addr);
		k.family = rx_addrs[i].family;
		memcpy(k.addr, rx_addrs[i].addr, 16);
		upd(env.rx->maps.tn_rx_addrs, &k, &one);
	}

	map_ids[P_NIC][0] = map_id(env.ni->maps.tn_ports);
	map_ids[P_NIC][1] = map_id(env.ni->maps.tn_nic_xsks);
	map_ids[P_EGRESS][0] = map_id(env.eg->maps.tn_nic_dev);
	map_ids[P_RX][1] = map_id(env.rx->maps.tn_rx_xsks);
}

/* ---- randomness: every frame from (seed, index) ---- */

static uint64_t rs;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rs += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

#define PICK(a) ((a)[below(sizeof(a) / sizeof((a)[0]))])

/* ---- frames ---- */

static const uint16_t tpids[] = { ETH_P_8021Q, ETH_P_8021AD, 0x9100 };
static const uint16_t vids[] = { 100, 200, 300, 400, 500, 600, 700, 999, 0 };

static const uint8_t MAC_ND[6] = { 0x33, 0x33, 0xff, 0, 0, 0x10 };
static const uint8_t MAC_MC4[6] = { 0x01, 0, 0x5e, 0, 0, 5 };
static const uint8_t MAC_STP[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

static void template(struct frame *f)
{
	const uint8_t *const macs[] = { MAC_B,	MAC_C,	 MAC_A,	 MAC_BCAST,
					MAC_ND, MAC_MC4, MAC_STP };
	const uint8_t *const srcs[] = { MAC_A, MAC_A, MAC_A, MAC_B };
	static const char *const src4[] = { "10.0.0.2", "10.0.0.2",
					    "10.0.0.200", "192.0.2.1" };
	static const char *const src6[] = { "2001:db8:a::2", "2001:db8:a::2",
					    "2001:db8:b::2", "::" };
	static const char *const dst4[] = {
		"198.51.100.7",	   "198.51.100.200", "198.51.100.70",
		"203.0.113.1",	   "203.0.113.200",  "10.0.0.1",
		"10.0.0.2",	   "192.0.2.10",     "224.0.0.5",
		"255.255.255.255",
	};
	static const char *const dst6[] = {
		"2001:db8:1::5", "2001:db8:1:2::5", "2001:db8:9::1",
		"2001:db8:3::1", "2001:db8:a::1",   "fe80::1",
		"ff02::1",	 "2001:db8:f::1",
	};
	static const char *const tgt4[] = { "192.0.2.10", "192.0.2.99",
					    "10.0.0.1" };
	static const char *const tgt6[] = { "2001:db8::10", "2001:db8:a::1",
					    "2001:db8::99" };
	uint32_t tags = below(8);

	fr_init(f);
	fr_eth(f, PICK(macs), PICK(srcs));
	/* 0-3: none, 4-5: one, 6: QinQ, 7: three */
	if (tags >= 4) {
		int n = tags < 6 ? 1 : tags == 6 ? 2 : 3;

		for (int i = 0; i < n; i++)
			fr_tag(f, n == 2 && !i ? ETH_P_8021AD : PICK(tpids),
			       PICK(vids));
	}
	switch (below(8)) {
	case 0:
	case 1:
		fr_type(f, ETH_P_IP);
		fr_ipv4_udp(f, PICK(src4), PICK(dst4), 0, below(64));
		break;
	case 2:
		fr_type(f, ETH_P_IP);
		fr_ipv4_udp(f, "10.0.0.2", PICK(dst4), 4 * below(11),
			    below(32));
		break;
	case 3:
	case 4:
		fr_type(f, ETH_P_IPV6);
		fr_ipv6_udp(f, PICK(src6), PICK(dst6), below(64));
		break;
	case 5:
		fr_type(f, ETH_P_IPV6);
		fr_nd(f, (uint8_t)(135 + below(2)),
		      below(4) ? "fe80::2" : PICK(src6), PICK(tgt6));
		break;
	case 6:
		fr_type(f, ETH_P_ARP);
		fr_arp(f, (uint16_t)(1 + below(2)), below(4) ? MAC_A : MAC_B,
		       below(4) ? "192.0.2.1" : PICK(tgt4), PICK(tgt4));
		break;
	default:
		fr_type(f, 0x88cc); /* LLDP: looked into by no one */
		fr_put(f, "\x02\x07\x04\x02\x00\x00\x00\x00\x01", 9);
		break;
	}
}

static void insert(struct frame *f, size_t at, const uint8_t *p, size_t n)
{
	if (at > f->len || f->len + n > MAX_LEN)
		return;
	memmove(f->b + at + n, f->b + at, f->len - at);
	memcpy(f->b + at, p, n);
	f->len += n;
}

/* Where the network header seems to start, tags skipped. */
static size_t l3_guess(const struct frame *f)
{
	size_t off = 12;

	while (off + 2 <= f->len && off < 12 + 4 * 4 &&
	       (get16(f->b + off) == 0x8100 || get16(f->b + off) == 0x88a8 ||
		get16(f->b + off) == 0x9100))
		off += 4;
	return off + 2;
}

static void mutate(struct frame *f)
{
	uint32_t n = below(5);

	for (uint32_t i = 0; i < n; i++) {
		size_t l3 = l3_guess(f), at;
		uint8_t tag[4];

		switch (below(9)) {
		case 0: /* bit flips, mostly in the headers */
			for (uint32_t k = below(8) + 1; k && f->len; k--) {
				at = below(4) ? below(f->len < 64 ?
							      (uint32_t)f->len :
							      64) :
						below((uint32_t)f->len);
				f->b[at] ^= (uint8_t)(1u << below(8));
			}
			break;
		case 1: /* a byte */
			if (f->len)
				f->b[below((uint32_t)f->len)] = (uint8_t)rnd();
			break;
		case 2: /* cut */
			f->len = below((uint32_t)f->len + 1);
			break;
		case 3: /* extend */
			for (uint32_t k = below(64) + 1; k && f->len < MAX_LEN;
			     k--)
				f->b[f->len++] = (uint8_t)rnd();
			break;
		case 4: /* a tag in */
			put16(tag, PICK(tpids));
			put16(tag + 2, PICK(vids) | (uint16_t)(below(8) << 13));
			insert(f, below(2) ? 12 : l3 - 2, tag, 4);
			break;
		case 5: /* a tag out */
			if (f->len >= 16 && l3 > 14) {
				memmove(f->b + 12, f->b + 16, f->len - 16);
				f->len -= 4;
			}
			break;
		case 6: /* IPv4 total length, IHL; IPv6 payload length */
			if (l3 + 6 > f->len)
				break;
			if (get16(f->b + l3 - 2) == ETH_P_IPV6)
				put16(f->b + l3 + 4,
				      (uint16_t)(get16(f->b + l3 + 4) +
						 below(17) - 8));
			else if (below(2))
				put16(f->b + l3 + 2,
				      (uint16_t)(get16(f->b + l3 + 2) +
						 below(17) - 8));
			else
				f->b[l3] = (uint8_t)((f->b[l3] & 0xf0) |
						     below(16));
			break;
		case 7: /* toward ND: hop limit 255, ICMPv6, a type */
			if (l3 + 41 <= f->len &&
			    get16(f->b + l3 - 2) == ETH_P_IPV6) {
				f->b[l3 + 6] = 58;
				f->b[l3 + 7] = below(2) ? 255 : 64;
				f->b[l3 + 40] = (uint8_t)(128 + below(12));
			}
			break;
		default: /* the ethertype */
			if (l3 <= f->len) {
				static const uint16_t types[] = {
					ETH_P_IP, ETH_P_IPV6, ETH_P_ARP,
					0x8100,	  0x88a8,     0x0000
				};

				put16(f->b + l3 - 2, PICK(types));
			}
			break;
		}
	}
}

/* ---- counters ---- */

#define MAX_KEYS (NTEN * 2 + 4)

struct model {
	uint32_t key;
	struct tn_stats want;
};

static struct model models[S__MAX][MAX_KEYS];
static int nmodels[S__MAX];

static struct tn_stats *model(int m, uint32_t key)
{
	for (int i = 0; i < nmodels[m]; i++)
		if (models[m][i].key == key)
			return &models[m][i].want;
	if (nmodels[m] == MAX_KEYS)
		die("too many counter entries");
	models[m][nmodels[m]].key = key;
	memset(&models[m][nmodels[m]].want, 0, sizeof(struct tn_stats));
	return &models[m][nmodels[m]++].want;
}

static void account(const struct expect *e, size_t in_len, size_t out_len)
{
	for (int i = 0; i < 2; i++) {
		struct tn_stats *s;

		if (!e->sset[i])
			continue;
		s = model(e->smap[i], e->skey[i]);
		if (e->rx[i]) {
			s->rx_packets++;
			s->rx_bytes += in_len;
		}
		if (e->tx[i]) {
			s->tx_packets++;
			s->tx_bytes += out_len;
		}
		if (e->pass[i]) {
			s->pass_packets++;
			s->pass_bytes += in_len;
		}
		s->nosock_packets += e->nosock[i];
		s->direct_packets += e->direct[i];
		s->offqueue_packets += e->offqueue[i];
		if (e->drop[i] >= 0)
			s->drop_packets[e->drop[i]]++;
	}
}

/* ---- running ---- */

struct stats {
	uint64_t frames, einval, verdicts[5], per_prog[P__MAX];
	uint64_t policed, batches;
};

static struct stats st;
static uint64_t seed;
static int verbose;

static const char *const smap_names[] = { "tn_nic_stats", "tn_port_stats",
					  "tn_egress_stats", "tn_rx_stats" };

/* Every entry a frame can touch, each expected to stay at zero until the
 * oracle says otherwise: a frame counted on a port it should not reach
 * shows there. */
static void model_reset(void)
{
	memset(nmodels, 0, sizeof(nmodels));
	for (uint32_t k = 0; k < 3; k++)
		model(S_NIC, k);
	for (uint32_t k = 0; k < NTEN * 2; k++) {
		model(S_PORT, k);
		model(S_EGRESS, k);
	}
	for (uint32_t k = 0; k < TN_RX_MAX_IFS; k++)
		model(S_RX, k);
}

/* Every counter entry the oracle knows of, as it says. */
static int check_counters(void)
{
	int bad = 0;

	for (int m = 0; m < S__MAX; m++)
		for (int i = 0; i < nmodels[m]; i++) {
			struct tn_stats got, *w = &models[m][i].want;
			uint64_t drops = 0;

			if (tn_dp_stats_read(env_stats_fd(&env,
							  (enum env_smap)m),
					     models[m][i].key, &got))
				die("stats read");
			for (int d = 0; d < TN_DROP__MAX; d++)
				drops += got.drop_packets[d];
			if (got.rx_packets !=
			    got.tx_packets + got.pass_packets + drops) {
				fprintf(stderr,
					"fuzz_xdp: %s[%u]: rx %llu != "
					"delivered %llu + passed %llu + "
					"drops %llu\n",
					smap_names[m], models[m][i].key,
					got.rx_packets, got.tx_packets,
					got.pass_packets,
					(unsigned long long)drops);
				bad = 1;
			}
			if (memcmp(&got, w, sizeof(got))) {
				fprintf(stderr,
					"fuzz_xdp: %s[%u] is not what the "
					"frames make it:\n",
					smap_names[m], models[m][i].key);
				env_print_stats("  got ", &got);
				env_print_stats("  want", w);
				bad = 1;
			}
		}
	return bad;
}

struct job {
	enum env_prog prog;
	int ifindex;
	uint32_t rxq;
};

static void choose(struct job *j)
{
	j->prog = (enum env_prog)below(P__MAX);
	switch (j->prog) {
	case P_NIC: {
		static const int *const d[] = { &env.if_nic, &env.if_nic2,
						&env.if_veth };
		j->ifindex = *PICK(d);
		break;
	}
	case P_EGRESS:
		j->ifindex = egs[below(5)].ifindex;
		if (!below(8))
			j->ifindex = env.if_nic2; /* no config */
		break;
	default:
		j->ifindex = rx_slot_of[below(3)][0];
		break;
	}
	j->rxq = 0;
	for (int i = 0; i < 6; i++)
		if (devs[i] == j->ifindex)
			j->rxq = below((uint32_t)nrxq[i]);
}

static void report(uint64_t index, const struct job *j, const struct frame *in,
		   const struct frame *out, const struct expect *e,
		   uint32_t verdict, const char *why)
{
	fprintf(stderr,
		"fuzz_xdp: FAIL %s\n"
		"  seed %llu frame %llu: %s on ifindex %d rx queue %u\n"
		"  verdict %u, want %u%s; tenant %u; want map %u key %u\n"
		"  replay: fuzz_xdp -s %llu -i %llu -v\n",
		why, (unsigned long long)seed, (unsigned long long)index,
		prog_names[j->prog], j->ifindex, j->rxq, verdict, e->verdict,
		e->may_police ? " (or drop: policed)" : "", e->tid, e->map,
		e->key, (unsigned long long)seed, (unsigned long long)index);
	if (spy)
		fprintf(stderr,
			"  redirect: %llu calls, last map %u key %llu ret "
			"%lld\n",
			(unsigned long long)spy->bss->calls, spy->bss->last_map,
			(unsigned long long)spy->bss->last_key,
			(long long)spy->bss->last_ret);
	fr_hexdump("  frame in", in->b, in->len);
	if (out)
		fr_hexdump("  frame out", out->b, out->len);
}

/* One frame: 0, or 1 with a report. */
static int one(uint64_t index)
{
	struct frame in, out, want;
	struct expect e;
	struct job j;
	uint32_t verdict = 0;
	int err;

	rs = seed ^ (index * 0xd1342543de82ef95ull);
	rnd();
	template(&in);
	mutate(&in);
	choose(&j);
	memset(&e, 0, sizeof(e));
	e.drop[0] = e.drop[1] = -1;
	switch (j.prog) {
	case P_NIC:
		oracle_nic(&in, j.ifindex, j.rxq, &e);
		break;
	case P_EGRESS:
		oracle_egress(&in, j.ifindex, &e);
		break;
	default:
		oracle_rx(&in, j.ifindex, j.rxq, &e);
		break;
	}
	if (spy) {
		spy->bss->calls = 0;
		spy->bss->last_map = 0;
	}
	err = env_run(env_prog_fd(&env, j.prog), j.ifindex, j.rxq, &in, &out,
		      &verdict, 1, NULL);
	st.frames++;
	st.per_prog[j.prog]++;
	if (verbose)
		fprintf(stderr,
			"frame %llu: %s ifindex %d q %u len %zu -> %d/%u\n",
			(unsigned long long)index, prog_names[j.prog],
			j.ifindex, j.rxq, in.len, err, verdict);
	if (in.len < ETH_HLEN) {
		/* The kernel refuses runts before any program runs. */
		if (err != -EINVAL) {
			report(index, &j, &in, NULL, &e, verdict,
			       "a runt was not refused with EINVAL");
			return 1;
		}
		st.einval++;
		return 0;
	}
	if (err) {
		errno = -err;
		report(index, &j, &in, NULL, &e, verdict,
		       "BPF_PROG_RUN failed");
		return 1;
	}
	if (verdict < 5)
		st.verdicts[verdict]++;
	if (verdict != e.verdict && e.may_police && verdict == XDP_DROP) {
		/* Policed: before any direct/nosock/offqueue counting. */
		for (int i = 0; i < 2; i++) {
			e.tx[i] = e.nosock[i] = e.direct[i] = e.offqueue[i] =
				false;
			e.drop[i] = TN_DROP_POLICED;
		}
		e.verdict = XDP_DROP;
		st.policed++;
	}
	if (verdict != e.verdict) {
		report(index, &j, &in, &out, &e, verdict, "wrong verdict");
		return 1;
	}
	if (!spy) {
		/* The target is checked by the counters, per batch. */
	} else if (verdict == XDP_REDIRECT) {
		bool port_map = j.prog == P_NIC &&
				spy->bss->last_map == map_ids[P_NIC][0];

		if (!spy->bss->calls || spy->bss->last_ret != XDP_REDIRECT) {
			report(index, &j, &in, &out, &e, verdict,
			       "redirect not seen by the spy");
			return 1;
		}
		if (port_map && (!e.tid || spy->bss->last_key / 2 != e.tid)) {
			report(index, &j, &in, &out, &e, verdict,
			       e.tid ? "frame redirected to another tenant's "
				       "port" :
				       "frame of no tenant redirected to a "
				       "port");
			return 1;
		}
		if (spy->bss->last_map != e.map ||
		    spy->bss->last_key != e.key) {
			report(index, &j, &in, &out, &e, verdict,
			       "redirected to the wrong map or key");
			return 1;
		}
	} else if (spy->bss->calls && spy->bss->last_ret == XDP_REDIRECT) {
		report(index, &j, &in, &out, &e, verdict,
		       "a redirect was set up, then another verdict given");
		return 1;
	}
	expected_out(&in, &e, &want);
	if (verdict != XDP_DROP &&
	    (out.len != want.len || memcmp(out.b, want.b, want.len))) {
		report(index, &j, &in, &out, &e, verdict, "frame out not sane");
		fr_hexdump("  frame wanted", want.b, want.len);
		return 1;
	}
	account(&e, in.len, verdict == XDP_REDIRECT ? want.len : in.len);
	return 0;
}

/* The counters of a batch broke: the frame that did it, by running the
 * batch again on fresh maps, counters checked after each frame. */
static void locate(uint64_t first, uint64_t last)
{
	bool on = toggled->on;

	fprintf(stderr,
		"fuzz_xdp: seed %llu frames %llu..%llu: counters "
		"broken; again one by one:\n",
		(unsigned long long)seed, (unsigned long long)first,
		(unsigned long long)last);
	env_unload(&env);
	if (env_load(&env))
		die("reloading the XDP programs");
	configure();
	if (!on)
		prefix_apply(toggled, false);
	model_reset();
	for (uint64_t i = first; i <= last; i++)
		if (one(i) || check_counters()) {
			fprintf(stderr,
				"fuzz_xdp: seed %llu frame %llu; replay: "
				"fuzz_xdp -s %llu -i %llu -v\n",
				(unsigned long long)seed, (unsigned long long)i,
				(unsigned long long)seed,
				(unsigned long long)i);
			return;
		}
	fprintf(stderr, "fuzz_xdp: not again one by one (the policer's "
			"clock?)\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_xdp [-t SECONDS] [-n FRAMES] [-s SEED] "
			"[-i INDEX] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	double secs = 10, t0, dt;
	uint64_t frames = UINT64_MAX, index = 0;
	bool single = false;
	const char *why;
	int c, bad = 0;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((c = getopt(argc, argv, "t:n:s:i:v")) != -1) {
		switch (c) {
		case 't':
			secs = atof(optarg);
			break;
		case 'n':
			frames = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'i':
			index = strtoull(optarg, NULL, 0);
			single = true;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			usage();
		}
	}
	tn_log_init("fuzz_xdp", TN_LOG_WARN);
	if (env_world(&env, &why)) {
		printf("fuzz_xdp: SKIP: %s\n", why);
		return 77;
	}
	if (env_load(&env))
		die("loading the XDP programs");
	/* Where a redirect went, per frame: only where the kernel lets
	 * tracing programs load (a locked-down kernel refuses fexit with
	 * EPERM). Without it the counters, read after every batch, tell
	 * which port every frame went to. */
	tn_log_libs_quiet(1);
	spy = redirect_spy__open_and_load();
	if (spy && redirect_spy__attach(spy)) {
		redirect_spy__destroy(spy);
		spy = NULL;
	}
	tn_log_libs_quiet(0);
	printf("fuzz_xdp: redirect targets checked %s\n",
	       spy ? "per frame (fexit on dev_map_redirect, xsk_map_redirect)" :
		     "per batch by the port counters (no fexit here)");
	devs[0] = env.if_nic;
	nrxq[0] = 4;
	devs[1] = (int)if_nametoindex("tfnic0p");
	nrxq[1] = 4;
	devs[2] = env.if_nic2;
	devs[3] = (int)if_nametoindex("tfnic1p");
	devs[4] = env.if_veth;
	devs[5] = env.if_veth2;
	for (int i = 2; i < 6; i++)
		nrxq[i] = 1;
	configure();
	model_reset();
	for (int p = 0; spy && p < P__MAX; p++)
		for (int k = 0; k < 2; k++)
			for (int w = 0; map_ids[p][k] && w < 8; w++)
				if (!spy->bss->watch[w]) {
					spy->bss->watch[w] = map_ids[p][k];
					break;
				}

	printf("fuzz_xdp: seed %llu\n", (unsigned long long)seed);
	fflush(stdout);
	t0 = now_s();
	if (single) {
		/* The toggled prefix as it was then. */
		if ((index / BATCH / 64) % 2)
			prefix_apply(toggled, false);
		bad = one(index);
		bad |= check_counters();
		goto out;
	}
	for (index = 0; index < frames && !bad; index++) {
		bad = one(index);
		if ((index + 1) % BATCH)
			continue;
		st.batches++;
		if (check_counters()) {
			locate(index + 1 - BATCH, index);
			bad = 1;
			break;
		}
		/* A prefix comes and goes: the prefix cache must follow. */
		if (st.batches % 64 == 0)
			prefix_apply(toggled, !toggled->on);
		if (now_s() - t0 >= secs)
			break;
	}
	if (!bad)
		bad = check_counters();
out:
	dt = now_s() - t0;
	printf("fuzz_xdp: seed %llu: %llu frames in %.1f s, %.0f frames/s "
	       "(nic_ingress %llu, tenant_egress %llu, tenant_rx %llu); "
	       "redirect %llu pass %llu drop %llu (policed %llu) runts %llu; "
	       "%s\n",
	       (unsigned long long)seed, (unsigned long long)st.frames, dt,
	       dt > 0 ? (double)st.frames / dt : 0.0,
	       (unsigned long long)st.per_prog[P_NIC],
	       (unsigned long long)st.per_prog[P_EGRESS],
	       (unsigned long long)st.per_prog[P_RX],
	       (unsigned long long)st.verdicts[XDP_REDIRECT],
	       (unsigned long long)st.verdicts[XDP_PASS],
	       (unsigned long long)st.verdicts[XDP_DROP],
	       (unsigned long long)st.policed, (unsigned long long)st.einval,
	       bad ? "INVARIANT BROKEN" : "every invariant held");
	if (spy)
		redirect_spy__destroy(spy);
	env_unload(&env);
	return bad ? 1 : 0;
}
