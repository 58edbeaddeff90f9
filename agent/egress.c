// SPDX-License-Identifier: GPL-2.0
/*
 * What a tenant may send (egress.h): what tenant_egress checks of the frames
 * it sends toward a NIC, as tenetd sets it up for each tenant. Its MACs
 * (set again in the container at every bring-up), the addresses its ARP and
 * ND may claim (tn_local), the sources it may send from out its uplink
 * (tn_src4/tn_src6, kept in step with its routes) and the checks of each
 * port (tn_egress.flags). tenant_dp.c calls these at bring-up and teardown.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "dp.h"
#include "egress.h"
#include "naming.h"
#include "nl.h"
#include "parse.h"

/* fe80::/64 and the interface id the kernel makes of mac (EUI-64, its
 * default addr_gen_mode). */
static void link_local(const uint8_t mac[6], uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0xfe;
	a[1] = 0x80;
	a[8] = mac[0] ^ 0x02;
	a[9] = mac[1];
	a[10] = mac[2];
	a[11] = 0xff;
	a[12] = 0xfe;
	a[13] = mac[3];
	a[14] = mac[4];
	a[15] = mac[5];
}

static void port_mac(const struct tn_tenant_rec *t, int role, uint8_t mac[6])
{
	if (role == TN_ROLE_ACCESS)
		access_mac(t->id, mac);
	else
		memcpy(mac, t->uplink_mac, 6);
}

/* A prefix of the tenant's space: family, 16 bytes of address, length. */
struct span {
	int family;
	uint8_t addr[16];
	unsigned int len;
};

#define MAX_SPANS                                         \
	(2 * TN_STORE_MAX_ADDRS + TN_STORE_MAX_PREFIXES + \
	 TN_STORE_MAX_SOURCES + 2)

/* What it may claim in ARP and ND (tn_local): every address of its router
 * and the link-local ones of its two MACs. */
static int own_addrs(const struct tn_tenant_rec *t, struct span *o)
{
	const char(*addrs[])[TN_STORE_CIDR_MAX + 1] = { t->access_addrs,
							t->uplink_addrs };
	const unsigned int naddrs[] = { t->n_access_addrs, t->n_uplink_addrs };
	int n = 0;

	for (int role = 0; role < 2; role++) {
		uint8_t mac[6];

		for (unsigned int i = 0; i < naddrs[role]; i++) {
			if (cidr_addr(addrs[role][i], &o[n].family, o[n].addr))
				return -EINVAL;
			o[n].len = o[n].family == AF_INET ? 32 : 128;
			n++;
		}
		port_mac(t, role, mac);
		o[n].family = AF_INET6;
		o[n].len = 128;
		link_local(mac, o[n++].addr);
	}
	return n;
}

/* Where it may send from out its uplink (tn_src4/6): its own addresses,
 * the subnets of its access side (its customers), its prefixes, its
 * routes (customer networks behind them) and the sources given. */
static int source_space(const struct tenant_ctx *c, struct span *o)
{
	const struct tn_tenant_rec *t = c->t;
	int n = own_addrs(t, o);

	for (unsigned int i = 0; n >= 0 && i < t->n_access_addrs; i++) {
		if (tn_parse_prefix(t->access_addrs[i], 0, &o[n].family,
				    o[n].addr, &o[n].len))
			return -EINVAL;
		n++;
	}
	for (unsigned int i = 0; n >= 0 && i < t->n_prefixes; i++, n++) {
		o[n].family = t->prefixes[i].family;
		memcpy(o[n].addr, t->prefixes[i].addr, 16);
		o[n].len = t->prefixes[i].len;
	}
	for (unsigned int i = 0; n >= 0 && i < t->n_sources; i++, n++) {
		o[n].family = t->sources[i].family;
		memcpy(o[n].addr, t->sources[i].addr, 16);
		o[n].len = t->sources[i].len;
	}
	for (unsigned int i = 0; n >= 0 && i < c->n_routes && n < MAX_SPANS;
	     i++) {
		if (tn_parse_prefix(c->routes[i].cidr, 1, &o[n].family,
				    o[n].addr, &o[n].len))
			continue;
		n++;
	}
	return n;
}

int tenant_own_up(struct tenetd *d, const struct tn_tenant_rec *t,
		  char *err_buf, size_t n)
{
	struct span o[2 * TN_STORE_MAX_ADDRS + 2];
	int cnt = own_addrs(t, o), err = cnt < 0 ? cnt : 0;

	for (int i = 0; !err && i < cnt; i++) {
		struct tn_local_key k = { .tenant_id = t->id,
					  .family = (__u32)o[i].family };

		memcpy(k.addr, o[i].addr, 16);
		err = map_set(d, TN_MAP_LOCAL, &k, &(__u32){ 1 });
	}
	if (err)
		snprintf(err_buf, n, "tn_local: %s", strerror(-err));
	return err;
}

/* A tn_src4/6 key of tenant id. */
static void *src_key(int family, uint32_t id, const uint8_t *addr,
		     unsigned int len, struct tn_src6_key *k6)
{
	struct tn_src4_key *k4 = (struct tn_src4_key *)k6;

	memset(k6, 0, sizeof(*k6));
	if (family == AF_INET) {
		k4->prefixlen = TN_SRC_TENANT_BITS + len;
		k4->tenant_id = id;
		memcpy(k4->addr, addr, 4);
	} else {
		k6->prefixlen = TN_SRC_TENANT_BITS + len;
		k6->tenant_id = id;
		memcpy(k6->addr, addr, 16);
	}
	return k6;
}

/* Removes id's entries of a tn_src map but those in keep (n of them). */
static void src_prune(struct tenetd *d, const char *map, int family,
		      uint32_t id, const struct span *keep, int n)
{
	int fd = tn_dp_map_open(d->bpffs, map);
	struct tn_src6_key k, next, want;
	size_t ksz = family == AF_INET ? sizeof(struct tn_src4_key) :
					 sizeof(struct tn_src6_key);
	bool first = true;

	while (fd >= 0 && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		bool kept = false;

		memcpy(&k, &next, ksz);
		first = false;
		if (k.tenant_id != id)
			continue;
		for (int i = 0; !kept && i < n; i++)
			kept = keep[i].family == family &&
			       !memcmp(src_key(family, id, keep[i].addr,
					       keep[i].len, &want),
				       &k, ksz);
		if (kept)
			continue;
		bpf_map_delete_elem(fd, &k);
		first = true; /* the walk starts over */
	}
	if (fd >= 0)
		close(fd);
}

int tenant_sources_sync(struct tenetd *d, const struct tenant_ctx *c,
			bool prune)
{
	struct span o[MAX_SPANS];
	int n = source_space(c, o), err = n < 0 ? n : 0;
	struct tn_src6_key k;

	for (int i = 0; !err && i < n; i++)
		err = map_set(
			d, o[i].family == AF_INET ? TN_MAP_SRC4 : TN_MAP_SRC6,
			src_key(o[i].family, c->t->id, o[i].addr, o[i].len, &k),
			&(__u32){ 1 });
	if (err || !prune)
		return err;
	src_prune(d, TN_MAP_SRC4, AF_INET, c->t->id, o, n);
	src_prune(d, TN_MAP_SRC6, AF_INET6, c->t->id, o, n);
	return 0;
}

void tenant_sources_down(struct tenetd *d, uint32_t id)
{
	src_prune(d, TN_MAP_SRC4, AF_INET, id, NULL, 0);
	src_prune(d, TN_MAP_SRC6, AF_INET6, id, NULL, 0);
}

/* Removes the tn_local entries of every tenant id keep() says no to. */
void local_sweep(struct tenetd *d,
		 bool (*keep)(struct tenetd *d, uint32_t id, void *arg),
		 void *arg)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_LOCAL);
	struct tn_local_key k, next;
	bool first = true;

	while (fd >= 0 && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		k = next;
		first = false;
		if (keep(d, k.tenant_id, arg))
			continue;
		bpf_map_delete_elem(fd, &k);
		first = true;
	}
	if (fd >= 0)
		close(fd);
}

/* Removes id's entries of tn_local. */
static bool not_this(struct tenetd *d, uint32_t id, void *arg)
{
	(void)d;
	return id != *(uint32_t *)arg;
}

void tenant_own_down(struct tenetd *d, uint32_t id)
{
	local_sweep(d, not_this, &id);
}

/* What tenant_egress checks on this port: its MAC and ARP/ND claims on
 * both, its IP sources toward the uplink (toward its customers it
 * forwards the Internet's); nothing with source-check off. */
void tenant_egress_fill(const struct tn_tenant_rec *t, int role,
			struct tn_egress *eg)
{
	port_mac(t, role, eg->mac);
	if (t->source_check)
		eg->flags = TN_EG_F_MAC | TN_EG_F_ARP |
			    (role == TN_ROLE_UPLINK ? TN_EG_F_SRC : 0);
}

int tenant_egress_checks(struct tenetd *d, const struct tn_tenant_rec *t)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_EGRESS), err = 0;

	if (fd < 0)
		return fd;
	for (int role = 0; !err && role < 2; role++) {
		char veth[IF_NAMESIZE];
		struct tn_egress eg;
		__u32 ifindex;

		veth_name(veth, t->id, role, false);
		ifindex = (__u32)ifindex_of(veth);
		if (!ifindex || bpf_map_lookup_elem(fd, &ifindex, &eg)) {
			err = -ENOENT;
			break;
		}
		eg.flags = 0;
		tenant_egress_fill(t, role, &eg);
		if (bpf_map_update_elem(fd, &ifindex, &eg, 0))
			err = -errno;
	}
	close(fd);
	return err;
}

/* The MAC tenant_egress lets out of that side, set again if container
 * root changed it (its frames would be dropped as spoofed). */
int tenant_mac_enforce(const struct tn_tenant_rec *t, int role,
		       const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t mac[6];
	bool same;

	port_mac(t, role, mac);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	same = fd >= 0 && !ioctl(fd, SIOCGIFHWADDR, &ifr) &&
	       !memcmp(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (fd >= 0)
		close(fd);
	return same ? 0 : tn_nl_link_set_mac(ifname, mac);
}
