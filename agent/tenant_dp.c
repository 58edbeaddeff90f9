// SPDX-License-Identifier: GPL-2.0
/*
 * The data path and container of one tenant (tenant_dp.h).
 *
 * One idempotent bring-up, tenant_up(), serves onboarding and restart: it
 * makes whatever of a tenant is missing (veth pair, map entries, egress
 * program, container, tenant_rx, routes) and leaves alone what is already
 * right, so a restart does not interrupt traffic. One idempotent teardown,
 * tenant_down(), serves rollback, removal and the sweep of leftovers; it
 * removes a map entry only when it holds this tenant's id, so undoing a
 * refused onboarding never touches the tenant that owned the key.
 *
 * This file talks to the kernel and LXC only. What it needs of the store
 * (the tenant's NICs, its routes, the NIC flags all tenants of a NIC need)
 * comes resolved in a struct tenant_ctx (tenant_row.c makes it); a key
 * another tenant holds is refused with that tenant's id, which the caller
 * names. NIC map entries are written by nic.c, the one writer of them.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "container.h"
#include "egress.h"
#include "fast.h"
#include "dp.h"
#include "fs.h"
#include "burst.h"
#include "log.h"
#include "loop.h"
#include "naming.h"
#include "nic.h"
#include "nl.h"
#include "parse.h"
#include "session.h"
#include "store.h"
#include "supervise.h"
#include "tenant_dp.h"

static const char *const sides[] = { CT_ACCESS, CT_UPLINK };

/* ---- small kernel helpers ---- */

static unsigned int link_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned int mtu = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && !ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = (unsigned int)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}

/* An AF_XDP router in copy mode hands the kernel frames without a
 * checksum to finish: checksum offload must be off on the veth it sends
 * into (measured: TCP through the router stalls otherwise). */
static int tx_csum_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };

	return tn_ethtool(ifname, &ev);
}

/* ---- the data path of one tenant ---- */

struct dp {
	struct tenetd *d;
	struct tenant_ctx *c;
	const struct tn_tenant_rec *t;
	const struct tn_nic_rec *access, *uplink;
	int acc_if, up_if; /* the NICs */
	char *err;
	size_t n;
	int64_t made_ms; /* tenant_up: the container's making (0: it was) */
};

/* Sets k to the tenant's id unless another tenant holds it: then its id
 * goes to the caller, who knows its name. */
static int claim(struct dp *p, const char *map, const void *k, const char *what)
{
	int fd = tn_dp_map_open(p->d->bpffs, map), err = 0;
	__u32 id = p->t->id, old;

	if (fd < 0)
		return fd;
	/* 0 is no one: ARRAY maps hold it for an empty slot. */
	if (!bpf_map_lookup_elem(fd, k, &old) && old && old != id) {
		err = -EEXIST;
		p->c->holder = old;
		snprintf(p->c->held, sizeof(p->c->held), "%s", what);
		snprintf(p->err, p->n, "%s is already tenant \"id %u\"'s", what,
			 old);
	} else if (bpf_map_update_elem(fd, k, &id, 0)) {
		err = -errno;
		snprintf(p->err, p->n, "%s: map %s: %s", what, map,
			 strerror(errno));
	}
	close(fd);
	return err;
}

/* Deletes k from map if it holds id. */
static void release(struct tenetd *d, const char *map, const void *k,
		    uint32_t id)
{
	int fd = tn_dp_map_open(d->bpffs, map);
	__u32 old;

	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, k, &old) && old == id)
		bpf_map_delete_elem(fd, k);
	close(fd);
}

static int host_key(int ifindex, const char *cidr, struct tn_host_key *k)
{
	int fam;

	memset(k, 0, sizeof(*k));
	if (cidr_addr(cidr, &fam, k->addr))
		return -EINVAL;
	k->ifindex = (__u32)ifindex;
	k->family = (__u32)fam;
	return 0;
}

/* What nic_ingress needs to deliver the tenant's frames to its veths. */
static int classify_up(struct dp *p)
{
	const struct tn_tenant_rec *t = p->t;
	struct tn_vlan_key vk = { .ifindex = (__u32)p->acc_if,
				  .vid = t->access_vlan,
				  .inner_vid = t->access_inner_vlan };
	char what[128];
	int err, lpm, gen;

	if (t->access_inner_vlan)
		snprintf(what, sizeof(what), "vlan %u inner-vlan %u on %s",
			 t->access_vlan, t->access_inner_vlan,
			 p->access->ifname);
	else
		snprintf(what, sizeof(what), "vlan %u on %s", t->access_vlan,
			 p->access->ifname);
	if ((err = claim(p, TN_MAP_VLAN, &vk, what)))
		return err;
	if (t->uplink_vlan) {
		vk = (struct tn_vlan_key){ .ifindex = (__u32)p->up_if,
					   .vid = t->uplink_vlan };
		snprintf(what, sizeof(what), "uplink vlan %u on %s",
			 t->uplink_vlan, p->uplink->ifname);
		return claim(p, TN_MAP_VLAN, &vk, what);
	}
	/* Untagged, shared uplink: by destination MAC, ARP/NS target. */
	struct tn_mac_key mk = { .ifindex = (__u32)p->up_if };
	char m[18];

	memcpy(mk.mac, t->uplink_mac, 6);
	mac_str(t->uplink_mac, m);
	snprintf(what, sizeof(what), "uplink-mac %s on %s", m,
		 p->uplink->ifname);
	if ((err = claim(p, TN_MAP_MAC, &mk, what)))
		return err;
	for (unsigned int i = 0; i < t->n_uplink_addrs; i++) {
		struct tn_host_key hk;

		if (host_key(p->up_if, t->uplink_addrs[i], &hk))
			return -EINVAL;
		snprintf(what, sizeof(what), "uplink-addr %s on %s",
			 t->uplink_addrs[i], p->uplink->ifname);
		if ((err = claim(p, TN_MAP_HOST, &hk, what)))
			return err;
	}
	if (!t->n_prefixes)
		return 0;
	lpm = tn_dp_map_open(p->d->bpffs, TN_MAP_LPM4);
	gen = tn_dp_map_open(p->d->bpffs, TN_MAP_LPM_GEN);
	err = lpm < 0 ? lpm : gen < 0 ? gen : 0;
	for (unsigned int i = 0; !err && i < t->n_prefixes; i++) {
		const struct tn_prefix *x = &t->prefixes[i];
		int fd = lpm;

		if (x->family == AF_INET6) {
			fd = tn_dp_map_open(p->d->bpffs, TN_MAP_LPM6);
			if (fd < 0) {
				err = fd;
				break;
			}
		}
		err = tn_dp_prefix_set(fd, gen, (uint32_t)p->up_if, x->family,
				       x->addr, x->len, t->id);
		if (fd != lpm)
			close(fd);
	}
	if (err)
		snprintf(p->err, p->n, "prefixes on %s: %s", p->uplink->ifname,
			 strerror(-err));
	if (lpm >= 0)
		close(lpm);
	if (gen >= 0)
		close(gen);
	return err;
}

static void classify_down(struct tenetd *d, const struct tenant_ctx *c)
{
	const struct tn_tenant_rec *t = c->t;
	int acc_if = 0, up_if = 0;

	if (c->access.nic_id)
		acc_if = ifindex_of(c->access.ifname);
	if (c->uplink.nic_id)
		up_if = ifindex_of(c->uplink.ifname);
	if (acc_if) {
		struct tn_vlan_key vk = { .ifindex = (__u32)acc_if,
					  .vid = t->access_vlan,
					  .inner_vid = t->access_inner_vlan };

		release(d, TN_MAP_VLAN, &vk, t->id);
	}
	if (!up_if)
		return;
	if (t->uplink_vlan) {
		struct tn_vlan_key vk = { .ifindex = (__u32)up_if,
					  .vid = t->uplink_vlan };

		release(d, TN_MAP_VLAN, &vk, t->id);
	} else {
		struct tn_mac_key mk = { .ifindex = (__u32)up_if };
		struct tn_host_key hk;

		memcpy(mk.mac, t->uplink_mac, 6);
		release(d, TN_MAP_MAC, &mk, t->id);
		for (unsigned int i = 0; i < t->n_uplink_addrs; i++)
			if (!host_key(up_if, t->uplink_addrs[i], &hk))
				release(d, TN_MAP_HOST, &hk, t->id);
	}
	int gen = tn_dp_map_open(d->bpffs, TN_MAP_LPM_GEN);

	for (unsigned int i = 0; gen >= 0 && i < t->n_prefixes; i++) {
		const struct tn_prefix *x = &t->prefixes[i];
		int fd = tn_dp_map_open(d->bpffs, x->family == AF_INET ?
							  TN_MAP_LPM4 :
							  TN_MAP_LPM6);
		struct tn_lpm6_key k = { .prefixlen =
						 TN_LPM_IFINDEX_BITS + x->len,
					 .ifindex = (__u32)up_if };
		__u32 old;

		memcpy(k.addr, x->addr, 16);
		/* A trie lookup is longest-match: ours only if it says so
		 * (prefixes on a NIC never overlap across tenants). */
		if (fd >= 0 && !bpf_map_lookup_elem(fd, &k, &old) &&
		    old == t->id)
			tn_dp_prefix_set(fd, gen, (uint32_t)up_if, x->family,
					 x->addr, x->len, 0);
		if (fd >= 0)
			close(fd);
	}
	if (gen >= 0)
		close(gen);
}

/* ---- direct mode ---- */

/* The NIC queue each side owns, its tn_qowner/tn_nic_xsks index. */
static __u32 queue_key(const struct tn_tenant_rec *t, int role)
{
	return role == TN_ROLE_ACCESS ?
		       t->access_nic * TN_MAX_QUEUES + (__u32)t->access_queue :
		       t->uplink_nic * TN_MAX_QUEUES + (__u32)t->uplink_queue;
}

/* tn_qowner gets the queues; the sockets come with the router (its
 * addresses are in tn_local, as every tenant's). */
static int direct_up(struct dp *p)
{
	const struct tn_tenant_rec *t = p->t;
	const struct tn_nic_rec *nic[] = { p->access, p->uplink };
	char what[64];
	int err = 0;

	for (int role = 0; !err && role < 2; role++) {
		__u32 key = queue_key(t, role);

		if (role == TN_ROLE_ACCESS ? t->access_queue < 0 :
					     t->uplink_queue < 0)
			return -EINVAL;
		snprintf(what, sizeof(what), "queue %u of %s",
			 key % TN_MAX_QUEUES, nic[role]->ifname);
		err = claim(p, TN_MAP_QOWNER, &key, what);
	}
	return err;
}

/* Frees slot key of tn_qowner if id holds it, its tn_nic_xsks entry and
 * its tn_qzc flag. */
static void direct_queue_free(struct tenetd *d, __u32 key, uint32_t id)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_QOWNER);
	__u32 old = 0, zero = 0;

	if (fd >= 0 && !bpf_map_lookup_elem(fd, &key, &old) && old == id) {
		bpf_map_update_elem(fd, &key, &zero, 0);
		map_set(d, TN_MAP_NIC_XSKS, &key, NULL);
		map_set(d, TN_MAP_QZC, &key, &zero);
	}
	if (fd >= 0)
		close(fd);
}

static void direct_down(struct tenetd *d, const struct tn_tenant_rec *t)
{
	if (t->mode != TN_MODE_DIRECT)
		return;
	for (int role = 0; role < 2; role++)
		direct_queue_free(d, queue_key(t, role), t->id);
}

/* Ports: veth in the DEVMAP, egress binding, tenant_egress. */
static int port_up(struct dp *p, int role)
{
	const struct tn_tenant_rec *t = p->t;
	const struct tn_nic_rec *nic = role == TN_ROLE_ACCESS ? p->access :
								p->uplink;
	__u32 port = tn_port(t->id, (__u32)role);
	struct tn_egress eg = { .port = port };
	enum xdp_attach_mode mode;
	char veth[IF_NAMESIZE];
	unsigned int mtu, nic_mtu;
	int ifindex, err;
	bool multi;

	veth_name(veth, t->id, role, false);
	ifindex = ifindex_of(veth);
	if (!ifindex) {
		snprintf(p->err, p->n, "%s vanished", veth);
		return -ENODEV;
	}
	if (role == TN_ROLE_ACCESS) {
		eg.nic_id = p->access->nic_id;
		eg.vid = t->access_vlan;
		eg.inner_vid = t->access_inner_vlan;
	} else {
		eg.nic_id = p->uplink->nic_id;
		eg.vid = t->uplink_vlan;
	}
	tenant_egress_fill(t, role, &eg);
	err = map_set(p->d, TN_MAP_PORTS, &port, &ifindex);
	if (!err)
		err = map_set(p->d, TN_MAP_EGRESS, &ifindex, &eg);
	/* The fast path sends what tenant_egress would, no larger than
	 * the tenant's link or the NIC takes. */
	mtu = link_mtu(veth);
	nic_mtu = link_mtu(nic->ifname);
	if (nic_mtu && nic_mtu < mtu)
		mtu = nic_mtu;
	eg.mtu = (__u16)(mtu > UINT16_MAX ? UINT16_MAX : mtu);
	if (!err)
		err = map_set(p->d, TN_MAP_FAST_PORTS, &port, &eg);
	if (!err && tn_dp_nic_query(ifindex, &mode, &multi))
		err = tn_dp_egress_attach(p->d->bpffs, ifindex,
					  XDP_MODE_NATIVE);
	if (err)
		snprintf(p->err, p->n, "%s: data path: %s", veth,
			 strerror(-err));
	return err;
}

/* The policers of map for id's two ports, rewritten only where they
 * change (a rewrite refills the bucket). */
static int policers_write(struct tenetd *d, const char *map, uint32_t id,
			  const struct tn_policer *pol)
{
	int fd = tn_dp_map_open(d->bpffs, map), err = 0;
	struct tn_policer cur;

	if (fd < 0)
		return fd;
	for (__u32 role = 0; !err && role < 2; role++) {
		__u32 port = tn_port(id, role);

		if (bpf_map_lookup_elem(fd, &port, &cur) ||
		    cur.pkt_cost != pol->pkt_cost ||
		    cur.byte_cost != pol->byte_cost ||
		    cur.pkt_burst != pol->pkt_burst ||
		    cur.byte_burst != pol->byte_burst)
			err = tn_dp_policer_write(fd, port, pol);
	}
	close(fd);
	return err;
}

int policers_set(struct tenetd *d, uint32_t id, const struct tn_limits *l)
{
	const struct tn_rate_limits rl = { l->rate_bps, l->pps, l->burst_bytes,
					   l->burst_ns };
	struct tn_policer pol;
	struct tn_burst b;
	int err;

	/* A policer drops what TCP bursts beyond its bucket: the router
	 * shapes what it sends to the same rate and burst (the "limits"
	 * message, session.c), so that what reaches a policer conforms.
	 * The buckets are exactly those the operator's burst makes. */
	tn_burst_eff(&rl, &b);
	tn_policer_config(&pol, rl.rate_bps, rl.pps, b.bytes, b.pkts);
	/* What each NIC sends it, and what it sends out each port: what its
	 * container originates counts too. */
	err = policers_write(d, TN_MAP_POLICER, id, &pol);
	if (!err)
		err = policers_write(d, TN_MAP_EGRESS_POLICER, id, &pol);
	return err;
}

/* A port's counters from zero: its id may have been another tenant's. */
static void counters_zero(struct tenetd *d, uint32_t id)
{
	static const char *const maps[] = { TN_MAP_PORT_STATS,
					    TN_MAP_EGRESS_STATS };

	for (size_t i = 0; i < 2; i++) {
		int fd = tn_dp_map_open(d->bpffs, maps[i]);

		for (__u32 role = 0; fd >= 0 && role < 2; role++)
			tn_dp_stats_zero(fd, tn_port(id, role));
		if (fd >= 0)
			close(fd);
	}
}

void ports_down(struct tenetd *d, uint32_t id)
{
	__u32 port;

	policers_set(d, id, &(struct tn_limits){ 0 });
	counters_zero(d, id);
	tenant_sources_down(d, id);
	tenant_own_down(d, id);
	for (int role = 0; role < 2; role++) {
		char veth[IF_NAMESIZE];
		int ifindex;

		veth_name(veth, id, role, false);
		ifindex = ifindex_of(veth);
		port = tn_port(id, (__u32)role);
		map_set(d, TN_MAP_PORTS, &port, NULL);
		map_set(d, TN_MAP_FAST_PORTS, &port, &(struct tn_egress){ 0 });
		if (ifindex)
			map_set(d, TN_MAP_EGRESS, &ifindex, NULL);
	}
}

/* The container's side: tenant_rx on both links, its maps filled. */
struct rx_ctx {
	struct tenetd *d;
	const struct tn_tenant_rec *t;
	char *err;
	size_t n;
};

static int rx_addr(int fd, const char *cidr)
{
	struct tn_addr_key k = { 0 };
	__u32 one = 1;
	int fam;

	if (cidr_addr(cidr, &fam, k.addr))
		return -EINVAL;
	k.family = (__u32)fam;
	return bpf_map_update_elem(fd, &k, &one, 0) ? -errno : 0;
}

static int rx_up_in(void *arg)
{
	struct rx_ctx *c = arg;
	const struct tn_tenant_rec *t = c->t;
	enum xdp_attach_mode mode;
	char dir[512];
	int ifs = -1, addrs = -1, err = 0;
	bool multi;

	rx_pin_dir(c->d, t->id, dir, sizeof(dir));
	for (__u32 slot = 0; !err && slot < 2; slot++) {
		int ifindex = ifindex_of(sides[slot]);

		if (!ifindex) {
			snprintf(c->err, c->n, "%s is missing in the container",
				 sides[slot]);
			return -ENODEV;
		}
		if (tn_dp_nic_query(ifindex, &mode, &multi))
			err = tn_dp_rx_attach(dir, ifindex, XDP_MODE_NATIVE);
		if (!err)
			err = tx_csum_off(sides[slot]);
		if (!err)
			err = tenant_mac_enforce(t, (int)slot, sides[slot]);
		if (err) {
			snprintf(c->err, c->n, "%s in the container: %s",
				 sides[slot], strerror(-err));
			return err;
		}
		if (ifs < 0)
			ifs = tn_dp_map_open(dir, TN_MAP_RX_IFS);
		err = ifs < 0 ? ifs :
		      bpf_map_update_elem(ifs, &(__u32){ (__u32)ifindex },
					  &slot, 0) ?
				-errno :
				0;
	}
	addrs = err ? -1 : tn_dp_map_open(dir, TN_MAP_RX_ADDRS);
	if (!err && addrs < 0)
		err = addrs;
	for (unsigned int i = 0; !err && i < t->n_access_addrs; i++)
		err = rx_addr(addrs, t->access_addrs[i]);
	for (unsigned int i = 0; !err && i < t->n_uplink_addrs; i++)
		err = rx_addr(addrs, t->uplink_addrs[i]);
	if (err && !*c->err)
		snprintf(c->err, c->n, "tenant_rx maps in %s: %s", dir,
			 strerror(-err));
	if (ifs >= 0)
		close(ifs);
	if (addrs >= 0)
		close(addrs);
	return err;
}

void rx_pins_down(struct tenetd *d, uint32_t id)
{
	char dir[512], path[768];
	struct dirent *e;
	DIR *dh;

	rx_pin_dir(d, id, dir, sizeof(dir));
	dh = opendir(dir);
	if (!dh)
		return;
	while ((e = readdir(dh)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(dh);
	rmdir(dir);
}

/* Static routes of the tenant, in its container's FIB. */
struct route_ctx {
	bool add;
	const struct tn_route_rec *r;
};

static int route_in(void *arg)
{
	struct route_ctx *c = arg;
	uint8_t dst[16] = { 0 }, via[16] = { 0 };
	unsigned int len;
	int fam, fam2;

	if (tn_parse_prefix(c->r->cidr, 1, &fam, dst, &len) ||
	    tn_parse_ip(c->r->via, &fam2, via) || fam != fam2)
		return -EINVAL;
	return tn_nl_route(c->add, fam, dst, len, via);
}

int tenant_route(pid_t pid, bool add, const struct tn_route_rec *r)
{
	struct route_ctx c = { add, r };

	return in_netns(pid, route_in, &c);
}

/* Routes already there are fine; others are said, not fatal. */
static void routes_up(const struct tenant_ctx *c, pid_t pid)
{
	for (unsigned int i = 0; i < c->n_routes; i++) {
		const struct tn_route_rec *r = &c->routes[i];
		int err = tenant_route(pid, true, r);

		if (err && err != -EEXIST)
			tn_warn("route %s via %s of tenant %u: %s\n", r->cidr,
				r->via, r->tenant_id, strerror(-err));
	}
}

/* What the container's init starts the router with: sockets from us,
 * counters where we read them (its /run/tenet is our sock_dir). Written
 * beneath the rootfs without following links: the rootfs is the
 * tenant's. */
static int router_args(struct tenetd *d, const char *name, char *err, size_t n)
{
	static const char args[] = "--agent /run/tenet/router.sock"
				   " --stats-file /run/tenet/router.stats\n";
	char path[4096];
	int ret;

	rootfs_dir(d, name, path, sizeof(path));
	ret = tn_write_beneath(path, "etc/tenet/router.args", args,
			       sizeof(args) - 1);
	if (ret)
		snprintf(err, n, "%s/etc/tenet/router.args: %s", path,
			 strerror(-ret));
	return ret;
}

static int container_up(struct dp *p, pid_t *pid)
{
	const struct tn_tenant_rec *t = p->t;
	struct tenetd *d = p->d;
	const char *name;
	char peer[2][IF_NAMESIZE], bind[512];
	char state[32];
	uint8_t mac[6], amac[6];
	int err;

	name = t->name;
	if (!tn_ct_exists(d->lxc_path, name)) {
		struct tn_ct_spec s = {
			.lxc_path = d->lxc_path,
			.name = name,
			.template = d->template,
			.n_net = 2,
			.bind_dir = bind,
			.limits = &t->limits,
			.cpuset = t->cpuset,
			.router_uid = TN_ROUTER_UID,
			.map_base = tenant_id_base(d, t->id),
			.map_count = TN_ID_RANGE,
		};

		veth_name(peer[0], t->id, TN_ROLE_ACCESS, true);
		veth_name(peer[1], t->id, TN_ROLE_UPLINK, true);
		memcpy(mac, t->uplink_mac, 6);
		access_mac(t->id, amac);
		s.net[0] = (struct tn_ct_net){
			.link = peer[0],
			.name = CT_ACCESS,
			.mac = amac,
			.mtu = link_mtu(p->access->ifname),
			.n_addrs = t->n_access_addrs,
			.addrs = t->access_addrs,
		};
		s.net[1] = (struct tn_ct_net){
			.link = peer[1],
			.name = CT_UPLINK,
			.mtu = link_mtu(p->uplink->ifname),
			.mac = mac,
			.n_addrs = t->n_uplink_addrs,
			.addrs = t->uplink_addrs,
			.gateway = t->gateway,
		};
		sock_dir(d, t->name, bind, sizeof(bind));
		err = tn_mkdir_p(bind, 0755);
		if (err) {
			snprintf(p->err, p->n, "%s: %s", bind, strerror(-err));
			return err;
		}
		if (*d->router_path)
			s.router = d->router_path;
		/* Marked before it exists: a kill -9 during its making
		 * leaves a container the sweep knows as this tenetd's. */
		err = ct_mark(d, name, true);
		if (err) {
			snprintf(p->err, p->n, "marking container %s: %s", name,
				 strerror(-err));
			return err;
		}
		p->made_ms = tn_now_ms();
		err = tn_ct_create(&s, d->cgroup2, p->err, p->n);
		p->made_ms = tn_now_ms() - p->made_ms;
		if (!err)
			err = router_args(d, name, p->err, p->n);
		if (err)
			return err;
		/* Which router it got: an upgrade replaces another build. */
		if (s.router && *d->router_build &&
		    tn_store_set_router_build(d->st, t->id, d->router_build))
			tn_warn("tenant %s: its router build not recorded\n",
				t->name);
	} else if (!tn_ct_unprivileged(d->lxc_path, name) &&
		   !tn_ct_state(d->lxc_path, name, state, sizeof(state), pid)) {
		/* Made by a tenetd before user namespaces: its root is the
		 * host's. One running keeps running; none is started. */
		snprintf(p->err, p->n,
			 "container %s has no user namespace (made by an"
			 " older tenetd): re-create the tenant (tenant del,"
			 " tenant add)",
			 name);
		if (*pid <= 0)
			return -EPERM;
		tn_warn("tenant %s: %s\n", t->name, p->err);
		*p->err = '\0';
	}
	/* A recorded tenant's container is this tenetd's: one made before
	 * marks is adopted. */
	if (!ct_marked(d, name) && (err = ct_mark(d, name, true)))
		tn_warn("tenant %s: marking its container: %s\n", t->name,
			strerror(-err));
	err = tn_ct_start(d->lxc_path, name, p->err, p->n);
	if (!err)
		err = tn_ct_state(d->lxc_path, name, state, sizeof(state), pid);
	if (!err && *pid <= 0) {
		snprintf(p->err, p->n, "container %s is %s after start", name,
			 state);
		err = -ESRCH;
	}
	return err;
}

/* Veth pair: host side tn<ID>a/u up, container side waiting for LXC. */
static int veths_up(struct dp *p)
{
	const struct tn_tenant_rec *t = p->t;
	char host[IF_NAMESIZE], peer[IF_NAMESIZE];
	int err;

	for (int role = 0; role < 2; role++) {
		const char *nic = role ? p->uplink->ifname : p->access->ifname;

		veth_name(host, t->id, role, false);
		veth_name(peer, t->id, role, true);
		/* Marked as this tenetd's, for the sweep (reconcile.c): one
		 * made by a tenetd before marks is adopted here. */
		if (ifindex_of(host)) {
			err = tn_nl_link_set_alias(host, p->d->mark);
			if (err) {
				snprintf(p->err, p->n, "%s: alias: %s", host,
					 strerror(-err));
				return err;
			}
			continue;
		}
		err = tn_nl_veth_add(host, peer, -1, link_mtu(nic));
		if (!err)
			err = tn_nl_link_set_alias(host, p->d->mark);
		if (!err)
			err = tn_nl_link_set_alias(peer, p->d->mark);
		if (!err)
			err = tn_nl_link_up(host, true);
		if (!err)
			err = tx_csum_off(host);
		if (err) {
			snprintf(p->err, p->n, "veth %s/%s: %s", host, peer,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Everything of t but its container and what needs it running (the
 * container's start needs what this makes: its links). */
static int prepare(struct dp *p)
{
	const struct tn_tenant_rec *t = p->t;
	struct tenetd *d = p->d;
	char state[32];
	pid_t pid;
	int err;

	*p->err = '\0';
	p->c->holder = 0;
	if (!p->access->nic_id || !p->uplink->nic_id)
		return -ENODEV;
	p->acc_if = ifindex_of(p->access->ifname);
	p->up_if = ifindex_of(p->uplink->ifname);
	if (!p->acc_if || !p->up_if) {
		snprintf(p->err, p->n, "NIC %s is not on this host",
			 p->acc_if ? p->uplink->ifname : p->access->ifname);
		return -ENODEV;
	}
	/* A container whose links are gone cannot get them back: its
	 * netns is stale. Start it over. */
	for (int role = 0; role < 2; role++) {
		char host[IF_NAMESIZE];

		veth_name(host, t->id, role, false);
		if (!ifindex_of(host) &&
		    !tn_ct_state(d->lxc_path, t->name, state, sizeof(state),
				 &pid) &&
		    pid > 0) {
			tn_warn("tenant %s: %s is gone: container restarted\n",
				t->name, host);
			tn_ct_stop(d->lxc_path, t->name, false);
		}
	}
	err = veths_up(p);
	if (!err)
		err = classify_up(p);
	if (!err)
		err = tenant_own_up(d, t, p->err, p->n);
	if (!err && (err = tenant_sources_sync(d, p->c, false)))
		snprintf(p->err, p->n, "tn_src: %s", strerror(-err));
	if (!err && t->mode == TN_MODE_DIRECT)
		err = direct_up(p);
	for (int role = 0; !err && role < 2; role++)
		err = port_up(p, role);
	if (!err && (err = policers_set(d, t->id, &t->limits)))
		snprintf(p->err, p->n, "policers: %s", strerror(-err));
	if (!err)
		err = nic_entry_set(d, p->access, p->acc_if,
				    p->c->access_flags);
	if (!err)
		err = nic_entry_set(d, p->uplink, p->up_if, p->c->uplink_flags);
	if (!err && (err = session_listen(d, t, router_host_uid(d, t->id),
					  router_host_uid(d, t->id))))
		snprintf(p->err, p->n, "router socket: %s", strerror(-err));
	return err;
}

static struct dp dp_of(struct tenetd *d, struct tenant_ctx *c, char *err,
		       size_t n)
{
	return (struct dp){ .d = d,
			    .c = c,
			    .t = c->t,
			    .access = &c->access,
			    .uplink = &c->uplink,
			    .err = err,
			    .n = n };
}

int tenant_prepare(struct tenetd *d, struct tenant_ctx *c, char *err_buf,
		   size_t n)
{
	struct dp p = dp_of(d, c, err_buf, n);
	int err = prepare(&p);

	if (err && !*err_buf)
		snprintf(err_buf, n, "tenant %s: %s", c->t->name,
			 strerror(-err));
	return err;
}

int tenant_up(struct tenetd *d, struct tenant_ctx *c, char *err_buf, size_t n)
{
	struct dp p = dp_of(d, c, err_buf, n);
	const struct tn_tenant_rec *t = c->t;
	struct tn_tenant v = { .flags = TN_TENANT_F_ACTIVE };
	struct rx_ctx rx = { d, t, err_buf, n };
	pid_t pid;
	int err;

	int64_t at[4] = { tn_now_ms() };

	if (t->mode == TN_MODE_DIRECT)
		v.flags |= TN_TENANT_F_DIRECT;
	if (fast_wanted(t))
		v.flags |= TN_TENANT_F_FAST;
	err = prepare(&p);
	at[1] = tn_now_ms();
	if (!err)
		err = container_up(&p, &pid);
	at[2] = tn_now_ms();
	if (!err) {
		supervise_watch_init(d, t->id, pid);
		err = in_netns(pid, rx_up_in, &rx);
	}
	if (!err) {
		routes_up(c, pid);
		/* Frames flow only once everything is in place. */
		err = map_set(d, TN_MAP_TENANTS, &t->id, &v);
	}
	at[3] = tn_now_ms();
	/* Where a bring-up's time goes, for whoever makes it shorter. */
	if (!err)
		tn_info("tenant %s: up in %lld ms: data path %lld, container"
			" %lld (made %lld, started %lld), its netns %lld\n",
			t->name, (long long)(at[3] - at[0]),
			(long long)(at[1] - at[0]), (long long)(at[2] - at[1]),
			(long long)p.made_ms,
			(long long)(at[2] - at[1] - p.made_ms),
			(long long)(at[3] - at[2]));
	if (err && !*err_buf)
		snprintf(err_buf, n, "tenant %s: %s", t->name, strerror(-err));
	return err;
}

int tenant_down(struct tenetd *d, const struct tenant_ctx *c)
{
	const struct tn_tenant_rec *t = c->t;
	struct tn_tenant off = { 0 };
	const char *name;
	char dir[512];
	int err;

	/* Stop frames first, then take the path apart. */
	map_set(d, TN_MAP_TENANTS, &t->id, &off);
	fast_table_drop(d, t->id);
	session_close(d, t->id);
	supervise_forget(d, t->id);
	classify_down(d, c);
	direct_down(d, t);
	ports_down(d, t->id);
	name = t->name;
	err = tn_ct_destroy(d->lxc_path, name);
	if (err)
		tn_err("tenant %s: container %s not destroyed: %s\n", t->name,
		       name, strerror(-err));
	else
		ct_mark(d, name, false);
	for (int role = 0; role < 2; role++) {
		char veth[IF_NAMESIZE];

		veth_name(veth, t->id, role, false);
		tn_nl_link_del(veth);
		veth_name(veth, t->id, role, true);
		tn_nl_link_del(veth);
	}
	rx_pins_down(d, t->id);
	sock_dir(d, t->name, dir, sizeof(dir));
	tn_rm_tree(dir);
	/* The NICs' lookups, now without this tenant. */
	if (c->access.nic_id)
		nic_entry_set(d, &c->access, ifindex_of(c->access.ifname),
			      c->access_flags);
	if (c->uplink.nic_id)
		nic_entry_set(d, &c->uplink, ifindex_of(c->uplink.ifname),
			      c->uplink_flags);
	return err;
}
