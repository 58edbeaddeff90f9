// SPDX-License-Identifier: GPL-2.0
/*
 * Tenants: onboarding, removal, live changes, inspection, static routes,
 * and making the kernel match the database at start.
 *
 * One idempotent bring-up, tenant_up(), serves onboarding and restart: it
 * makes whatever of a tenant is missing (veth pair, map entries, egress
 * program, container, tenant_rx, routes) and leaves alone what is already
 * right, so a restart does not interrupt traffic. One idempotent teardown,
 * tenant_down(), serves rollback, removal and the sweep of leftovers; it
 * removes a map entry only when it holds this tenant's id, so undoing a
 * refused onboarding never touches the tenant that owned the key.
 *
 * Onboarding runs in one database transaction: row, then tenant_up(), then
 * commit. A failure anywhere runs tenant_down() and rolls back; a kill -9
 * leaves no row, and the next start sweeps what no row owns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <bpf/bpf.h>
#include <tenet/router.h>

#include "agent.h"
#include "container.h"
#include "dp.h"
#include "fs.h"
#include "log.h"
#include "nl.h"
#include "parse.h"
#include "rstats.h"

/* Below this a container dies starting (and liblxc waits for it). */
#define TN_MEMORY_MIN (32ULL << 20)
/* Each router runs as a uid of its own: locked memory (its UMEM) is
 * counted per user, against a limit that cannot be raised here. */
#define TN_ROUTER_UID_BASE 100000

#define CT_ACCESS "access0"
#define CT_UPLINK "uplink0"

static const char *const modes[] = { "veth", "direct", NULL };
static const char *const sides[] = { CT_ACCESS, CT_UPLINK };

/* ---- names ---- */

/* Host side tn<ID>a / tn<ID>u; the container side is made as tn<ID>ac /
 * tn<ID>uc and renamed access0 / uplink0 when LXC moves it in. */
static void veth_name(char *buf, uint32_t id, int role, bool peer)
{
	snprintf(buf, IF_NAMESIZE, "tn%u%c%s", id, role ? 'u' : 'a',
		 peer ? "c" : "");
}

/* The tenant's socket dir, bind-mounted at /run/tenet in its container. */
static void sock_dir(struct tenetd *d, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tenants/%s", d->run_dir, name);
}

static void rx_pin_dir(struct tenetd *d, uint32_t id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tenants/%u", d->bpffs, id);
}

/* Locally administered, derived from the id: 02:74:6e ("tn") + id. */
static void derived_mac(uint32_t id, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x74;
	mac[2] = 0x6e;
	mac[3] = (uint8_t)(id >> 16);
	mac[4] = (uint8_t)(id >> 8);
	mac[5] = (uint8_t)id;
}

static void mac_str(const uint8_t m[6], char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
}

static int ifindex_of(const char *name)
{
	return (int)if_nametoindex(name);
}

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
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/* Runs fn in the netns of pid, then comes back. */
static int in_netns(pid_t pid, int (*fn)(void *arg), void *arg)
{
	char path[64];
	int self, ns, err;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0) {
		err = -errno;
		goto out;
	}
	if (setns(ns, CLONE_NEWNET)) {
		err = -errno;
		goto out;
	}
	err = fn(arg);
	if (setns(self, CLONE_NEWNET)) {
		/* Cannot happen with our own netns; carrying on in the
		 * tenant's would be worse than stopping. */
		tn_err("cannot return to the agent's netns: %s\n",
		       strerror(errno));
		abort();
	}
out:
	if (self >= 0)
		close(self);
	if (ns >= 0)
		close(ns);
	return err;
}

/* ---- request arguments ---- */

/* A list argument: a JSON array of strings, at most max. */
static int list_arg(struct req *r, const char *key, unsigned int max,
		    json_object **out)
{
	json_object *v;
	size_t n;

	*out = NULL;
	if (!r->args || !json_object_object_get_ex(r->args, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return req_fail(r, -EINVAL, "%s: must be a list of values",
				key);
	n = json_object_array_length(v);
	if (n > max)
		return req_fail(r, -EINVAL, "%s: at most %u values, not %zu",
				key, max, n);
	for (size_t i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
					 json_type_string))
			return req_fail(r, -EINVAL,
					"%s: every value must be a string",
					key);
	*out = v;
	return 0;
}

/* Interface addresses: ADDR/LEN as typed, no duplicates. */
static int addrs_arg(struct req *r, const char *key, bool required,
		     char (*out)[TN_STORE_CIDR_MAX + 1], unsigned int *n)
{
	json_object *v;
	uint8_t a[16];
	unsigned int len;
	int fam, err = list_arg(r, key, TN_STORE_MAX_ADDRS, &v);

	*n = 0;
	if (err)
		return err;
	if (required && (!v || !json_object_array_length(v)))
		return req_fail(r, -EINVAL,
				"%s: required, one or more ADDR/LEN", key);
	for (size_t i = 0; v && i < json_object_array_length(v); i++) {
		const char *s =
			json_object_get_string(json_object_array_get_idx(v, i));

		if (tn_v_cidr(key, s, false, &fam, a, &len, r->err,
			      sizeof(r->err)))
			return -EINVAL;
		for (unsigned int j = 0; j < *n; j++)
			if (!strcmp(out[j], s))
				return req_fail(r, -EINVAL,
						"%s: %s given twice", key, s);
		snprintf(out[(*n)++], TN_STORE_CIDR_MAX + 1, "%s", s);
	}
	return 0;
}

static int vlan_arg(struct req *r, const char *key, bool required,
		    uint16_t *vid)
{
	const char *s = req_arg(r, key);

	*vid = 0;
	if (!s)
		return required ? req_fail(r, -EINVAL,
					   "%s: required, a VLAN ID 1..4094",
					   key) :
				  0;
	return tn_v_vlan(key, s, vid, r->err, sizeof(r->err)) ? -EINVAL : 0;
}

/* The live-changeable limits present in the request, over l. */
static int limits_arg(struct req *r, struct tn_limits *l, bool *any)
{
	unsigned int mc;
	const char *s;

	*any = false;
#define LIMIT(key, check)               \
	if ((s = req_arg(r, key))) {    \
		*any = true;            \
		if (check)              \
			return -EINVAL; \
	}
	LIMIT("cpu", tn_v_cpu("cpu", s, r->d->host_cores, &mc, r->err,
			      sizeof(r->err)) ||
			     ((l->cpu_millicores = mc), 0))
	LIMIT("memory",
	      tn_v_size("memory", s, &l->memory_bytes, r->err,
			sizeof(r->err)) ||
		      (l->memory_bytes < TN_MEMORY_MIN &&
		       req_fail(r, -EINVAL,
				"memory: at least %lluM (the router's UMEM and"
				" FIB, and the container's init), not \"%s\"",
				TN_MEMORY_MIN >> 20, s)))
	LIMIT("pids", tn_v_count("pids", s, 1, TN_V_PIDS_MAX, &l->pids, r->err,
				 sizeof(r->err)))
	LIMIT("rate",
	      tn_v_rate("rate", s, &l->rate_bps, r->err, sizeof(r->err)))
	LIMIT("pps", tn_v_count("pps", s, 1, TN_V_PPS_MAX, &l->pps, r->err,
				sizeof(r->err)))
#undef LIMIT
	return 0;
}

/* The keys a command takes; anything else is refused by name. */
static int only_keys(struct req *r, const char *const *keys)
{
	if (!r->args)
		return 0;
	if (!json_object_is_type(r->args, json_type_object))
		return req_fail(r, -EINVAL, "args: must be an object");
	json_object_object_foreach(r->args, k, v)
	{
		(void)v;
		if (tn_v_keyword("argument", k, keys, r->err, sizeof(r->err)) <
		    0)
			return -EINVAL;
	}
	return 0;
}

static int nic_arg(struct req *r, const char *key, enum tn_role role,
		   struct tn_nic_rec *nic)
{
	const char *s = req_arg(r, key);

	if (!s)
		return req_fail(r, -EINVAL, "%s: required, an attached %s NIC",
				key, tn_roles[role]);
	if (tn_v_ifname(key, s, r->err, sizeof(r->err)))
		return -EINVAL;
	if (tn_store_nic_get(r->d->st, s, nic))
		return req_fail(r, -ENODEV,
				"%s: %s is not attached (tenetctl nic attach"
				" %s role %s)",
				key, s, s, tn_roles[role]);
	if (nic->role != role)
		return req_fail(r, -EINVAL, "%s: %s is attached as %s, not %s",
				key, s, tn_roles[nic->role], tn_roles[role]);
	if (!ifindex_of(s))
		return req_fail(r, -ENODEV, "%s: %s is not on this host", key,
				s);
	return 0;
}

static int tenant_arg(struct req *r, struct tn_tenant_rec *t)
{
	const char *name = req_arg(r, "name");

	if (tn_v_name(name, r->err, sizeof(r->err)))
		return -EINVAL;
	if (tn_store_tenant_get_by_name(r->d->st, name, t))
		return req_fail(r, -ENOENT, "name: no tenant \"%s\"", name);
	return 0;
}

/* Everything tenant add takes, checked, into t (id 0: not yet given). */
static int parse_tenant(struct req *r, struct tn_tenant_rec *t)
{
	static const char *const keys[] = {
		"name",	       "access",      "vlan",	    "inner-vlan",
		"uplink",      "uplink-vlan", "uplink-mac", "prefix",
		"access-addr", "uplink-addr", "gateway",    "mode",
		"cpu",	       "cpuset",      "memory",	    "pids",
		"rate",	       "pps",	      NULL,
	};
	struct tn_nic_rec access, uplink;
	const char *name = req_arg(r, "name"), *s;
	json_object *prefixes;
	uint64_t mask;
	uint8_t a[16];
	int fam, mode, err;
	bool any;

	memset(t, 0, sizeof(*t));
	if ((err = only_keys(r, keys)))
		return err;
	if (tn_v_name(name, r->err, sizeof(r->err)))
		return -EINVAL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (!tn_store_tenant_get_by_name(r->d->st, name,
					 &(struct tn_tenant_rec){ 0 }))
		return req_fail(r, -EEXIST, "name: tenant \"%s\" exists", name);
	mode = req_kw(r, "mode", modes, TN_MODE_VETH);
	if (mode < 0)
		return mode;
	if (mode == TN_MODE_DIRECT)
		return req_fail(r, -EOPNOTSUPP,
				"mode: direct is not available yet; use veth");
	t->mode = (enum tn_tenant_mode)mode;
	if ((err = nic_arg(r, "access", TN_ROLE_ACCESS, &access)) ||
	    (err = vlan_arg(r, "vlan", true, &t->access_vlan)) ||
	    (err = vlan_arg(r, "inner-vlan", false, &t->access_inner_vlan)) ||
	    (err = nic_arg(r, "uplink", TN_ROLE_UPLINK, &uplink)) ||
	    (err = vlan_arg(r, "uplink-vlan", false, &t->uplink_vlan)))
		return err;
	t->access_nic = access.nic_id;
	t->uplink_nic = uplink.nic_id;
	if ((s = req_arg(r, "uplink-mac"))) {
		if (tn_v_mac("uplink-mac", s, t->uplink_mac, r->err,
			     sizeof(r->err)))
			return -EINVAL;
		t->has_uplink_mac = true;
	}
	if ((err = addrs_arg(r, "access-addr", true, t->access_addrs,
			     &t->n_access_addrs)) ||
	    (err = addrs_arg(r, "uplink-addr", true, t->uplink_addrs,
			     &t->n_uplink_addrs)) ||
	    (err = list_arg(r, "prefix", TN_STORE_MAX_PREFIXES, &prefixes)))
		return err;
	for (size_t i = 0; prefixes && i < json_object_array_length(prefixes);
	     i++) {
		struct tn_prefix *p = &t->prefixes[t->n_prefixes];

		s = json_object_get_string(
			json_object_array_get_idx(prefixes, i));
		if (tn_v_cidr("prefix", s, true, &p->family, p->addr, &p->len,
			      r->err, sizeof(r->err)))
			return -EINVAL;
		for (unsigned int j = 0; j < t->n_prefixes; j++)
			if (tn_v_overlap(p->family, p->addr, p->len,
					 t->prefixes[j].family,
					 t->prefixes[j].addr,
					 t->prefixes[j].len))
				return req_fail(r, -EINVAL,
						"prefix: %s overlaps another"
						" prefix given",
						s);
		t->n_prefixes++;
	}
	if ((s = req_arg(r, "gateway"))) {
		if (tn_v_ip("gateway", s, &fam, a, r->err, sizeof(r->err)))
			return -EINVAL;
		snprintf(t->gateway, sizeof(t->gateway), "%s", s);
	}
	if ((s = req_arg(r, "cpuset"))) {
		if (tn_v_cpuset("cpuset", s, r->d->host_cores, &mask, r->err,
				sizeof(r->err)))
			return -EINVAL;
		snprintf(t->cpuset, sizeof(t->cpuset), "%s", s);
	}
	if ((err = limits_arg(r, &t->limits, &any)))
		return err;
	t->state = TN_STATE_READY;
	return 0;
}

/* ---- the data path of one tenant ---- */

struct dp {
	struct tenetd *d;
	const struct tn_tenant_rec *t;
	struct tn_nic_rec access, uplink;
	int acc_if, up_if; /* the NICs */
	char *err;
	size_t n;
};

/* Sets k to the tenant's id unless another tenant holds it. */
static int claim(struct dp *p, const char *map, const void *k, const char *what)
{
	int fd = tn_dp_map_open(p->d->bpffs, map), err = 0;
	__u32 id = p->t->id, old;
	struct tn_tenant_rec o;

	if (fd < 0)
		return fd;
	if (!bpf_map_lookup_elem(fd, k, &old) && old != id) {
		err = -EEXIST;
		if (tn_store_tenant_get(p->d->st, old, &o))
			snprintf(o.name, sizeof(o.name), "id %u", old);
		snprintf(p->err, p->n, "%s is already tenant \"%s\"'s", what,
			 o.name);
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

/* The address of an interface address ADDR/LEN, host bits and all. */
static int addr_of(const char *cidr, int *family, uint8_t addr[16])
{
	char ip[TN_STORE_CIDR_MAX + 1];
	size_t n = strcspn(cidr, "/");

	if (n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, cidr, n);
	ip[n] = '\0';
	return tn_parse_ip(ip, family, addr);
}

static int host_key(int ifindex, const char *cidr, struct tn_host_key *k)
{
	int fam;

	memset(k, 0, sizeof(*k));
	if (addr_of(cidr, &fam, k->addr))
		return -EINVAL;
	k->ifindex = (__u32)ifindex;
	k->family = (__u32)fam;
	return 0;
}

/* The NIC's lookups follow its tenants: MAC for untagged uplinks, LPM
 * when any tenant routes prefixes there. */
static int nic_flags_sync(struct tenetd *d, const struct tn_nic_rec *nic,
			  int ifindex)
{
	struct tn_nic v = { .nic_id = nic->nic_id,
			    .role = nic->role,
			    .default_action = nic->default_action };

	v.flags = tenants_nic_flags(d, nic->nic_id);
	return map_set(d, "tn_nics", &ifindex, &v);
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
			 p->access.ifname);
	else
		snprintf(what, sizeof(what), "vlan %u on %s", t->access_vlan,
			 p->access.ifname);
	if ((err = claim(p, "tn_vlan", &vk, what)))
		return err;
	if (t->uplink_vlan) {
		vk = (struct tn_vlan_key){ .ifindex = (__u32)p->up_if,
					   .vid = t->uplink_vlan };
		snprintf(what, sizeof(what), "uplink vlan %u on %s",
			 t->uplink_vlan, p->uplink.ifname);
		return claim(p, "tn_vlan", &vk, what);
	}
	/* Untagged, shared uplink: by destination MAC, ARP/NS target. */
	struct tn_mac_key mk = { .ifindex = (__u32)p->up_if };
	char m[18];

	memcpy(mk.mac, t->uplink_mac, 6);
	mac_str(t->uplink_mac, m);
	snprintf(what, sizeof(what), "uplink-mac %s on %s", m,
		 p->uplink.ifname);
	if ((err = claim(p, "tn_mac", &mk, what)))
		return err;
	for (unsigned int i = 0; i < t->n_uplink_addrs; i++) {
		struct tn_host_key hk;

		if (host_key(p->up_if, t->uplink_addrs[i], &hk))
			return -EINVAL;
		snprintf(what, sizeof(what), "uplink-addr %s on %s",
			 t->uplink_addrs[i], p->uplink.ifname);
		if ((err = claim(p, "tn_host", &hk, what)))
			return err;
	}
	if (!t->n_prefixes)
		return 0;
	lpm = tn_dp_map_open(p->d->bpffs, "tn_lpm4");
	gen = tn_dp_map_open(p->d->bpffs, "tn_lpm_gen");
	err = lpm < 0 ? lpm : gen < 0 ? gen : 0;
	for (unsigned int i = 0; !err && i < t->n_prefixes; i++) {
		const struct tn_prefix *x = &t->prefixes[i];
		int fd = lpm;

		if (x->family == AF_INET6) {
			fd = tn_dp_map_open(p->d->bpffs, "tn_lpm6");
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
		snprintf(p->err, p->n, "prefixes on %s: %s", p->uplink.ifname,
			 strerror(-err));
	if (lpm >= 0)
		close(lpm);
	if (gen >= 0)
		close(gen);
	return err;
}

static void classify_down(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct tn_nic_rec access, uplink;
	int acc_if = 0, up_if = 0;

	if (!tn_store_nic_get_id(d->st, t->access_nic, &access))
		acc_if = ifindex_of(access.ifname);
	if (!tn_store_nic_get_id(d->st, t->uplink_nic, &uplink))
		up_if = ifindex_of(uplink.ifname);
	if (acc_if) {
		struct tn_vlan_key vk = { .ifindex = (__u32)acc_if,
					  .vid = t->access_vlan,
					  .inner_vid = t->access_inner_vlan };

		release(d, "tn_vlan", &vk, t->id);
	}
	if (!up_if)
		return;
	if (t->uplink_vlan) {
		struct tn_vlan_key vk = { .ifindex = (__u32)up_if,
					  .vid = t->uplink_vlan };

		release(d, "tn_vlan", &vk, t->id);
	} else {
		struct tn_mac_key mk = { .ifindex = (__u32)up_if };
		struct tn_host_key hk;

		memcpy(mk.mac, t->uplink_mac, 6);
		release(d, "tn_mac", &mk, t->id);
		for (unsigned int i = 0; i < t->n_uplink_addrs; i++)
			if (!host_key(up_if, t->uplink_addrs[i], &hk))
				release(d, "tn_host", &hk, t->id);
	}
	int gen = tn_dp_map_open(d->bpffs, "tn_lpm_gen");

	for (unsigned int i = 0; gen >= 0 && i < t->n_prefixes; i++) {
		const struct tn_prefix *x = &t->prefixes[i];
		int fd = tn_dp_map_open(
			d->bpffs, x->family == AF_INET ? "tn_lpm4" : "tn_lpm6");
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

/* Ports: veth in the DEVMAP, policer, egress binding, tenant_egress. */
static int port_up(struct dp *p, int role)
{
	const struct tn_tenant_rec *t = p->t;
	__u32 port = tn_port(t->id, (__u32)role);
	struct tn_egress eg = { .port = port };
	struct tn_policer pol, cur;
	enum xdp_attach_mode mode;
	char veth[IF_NAMESIZE];
	int ifindex, fd, err;
	bool multi;

	veth_name(veth, t->id, role, false);
	ifindex = ifindex_of(veth);
	if (!ifindex) {
		snprintf(p->err, p->n, "%s vanished", veth);
		return -ENODEV;
	}
	if (role == TN_ROLE_ACCESS) {
		eg.nic_id = p->access.nic_id;
		eg.vid = t->access_vlan;
		eg.inner_vid = t->access_inner_vlan;
	} else {
		eg.nic_id = p->uplink.nic_id;
		eg.vid = t->uplink_vlan;
	}
	tn_policer_config(&pol, t->limits.rate_bps, t->limits.pps, 0);
	/* Rewriting a policer refills its bucket: only when it changed. */
	fd = tn_dp_map_open(p->d->bpffs, "tn_policer");
	err = fd < 0 ? fd : 0;
	if (!err &&
	    (bpf_map_lookup_elem(fd, &port, &cur) ||
	     cur.pkt_cost != pol.pkt_cost || cur.byte_cost != pol.byte_cost))
		err = bpf_map_update_elem(fd, &port, &pol, 0) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (!err)
		err = map_set(p->d, "tn_ports", &port, &ifindex);
	if (!err)
		err = map_set(p->d, "tn_egress", &ifindex, &eg);
	if (!err && tn_dp_nic_query(ifindex, &mode, &multi))
		err = tn_dp_egress_attach(p->d->bpffs, ifindex,
					  XDP_MODE_NATIVE);
	if (err)
		snprintf(p->err, p->n, "%s: data path: %s", veth,
			 strerror(-err));
	return err;
}

static void ports_down(struct tenetd *d, uint32_t id)
{
	struct tn_policer pol;
	__u32 port;

	tn_policer_config(&pol, 0, 0, 0);
	for (int role = 0; role < 2; role++) {
		char veth[IF_NAMESIZE];
		int ifindex;

		veth_name(veth, id, role, false);
		ifindex = ifindex_of(veth);
		port = tn_port(id, (__u32)role);
		map_set(d, "tn_ports", &port, NULL);
		map_set(d, "tn_policer", &port, &pol);
		if (ifindex)
			map_set(d, "tn_egress", &ifindex, NULL);
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

	if (addr_of(cidr, &fam, k.addr))
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
		if (err) {
			snprintf(c->err, c->n, "%s in the container: %s",
				 sides[slot], strerror(-err));
			return err;
		}
		if (ifs < 0)
			ifs = tn_dp_map_open(dir, "tn_rx_ifs");
		err = ifs < 0 ? ifs :
		      bpf_map_update_elem(ifs, &(__u32){ (__u32)ifindex },
					  &slot, 0) ?
				-errno :
				0;
	}
	addrs = err ? -1 : tn_dp_map_open(dir, "tn_rx_addrs");
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

static void rx_pins_down(struct tenetd *d, uint32_t id)
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

static int routes_up_cb(const struct tn_route_rec *r, void *arg)
{
	pid_t pid = *(pid_t *)arg;
	struct route_ctx c = { true, r };
	int err = in_netns(pid, route_in, &c);

	if (err && err != -EEXIST)
		tn_warn("route %s via %s of tenant %u: %s\n", r->cidr, r->via,
			r->tenant_id, strerror(-err));
	return 0;
}

static void ct_name(const struct tn_tenant_rec *t, char *buf, size_t n)
{
	snprintf(buf, n, "%s", t->name);
}

static const char *self_dir(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	char *slash;

	if (len <= 0)
		return NULL;
	buf[len] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return buf;
}

static int container_up(struct dp *p, pid_t *pid)
{
	const struct tn_tenant_rec *t = p->t;
	struct tenetd *d = p->d;
	char name[64], peer[2][IF_NAMESIZE], bind[512], router[4096];
	char state[32];
	uint8_t mac[6];
	int err;

	ct_name(t, name, sizeof(name));
	if (!tn_ct_exists(d->lxc_path, name)) {
		struct tn_ct_spec s = {
			.lxc_path = d->lxc_path,
			.name = name,
			.template = d->template,
			.n_net = 2,
			.bind_dir = bind,
			.limits = &t->limits,
			.cpuset = t->cpuset,
			.router_uid = TN_ROUTER_UID_BASE + t->id,
		};

		veth_name(peer[0], t->id, TN_ROLE_ACCESS, true);
		veth_name(peer[1], t->id, TN_ROLE_UPLINK, true);
		memcpy(mac, t->uplink_mac, 6);
		s.net[0] = (struct tn_ct_net){
			.link = peer[0],
			.name = CT_ACCESS,
			.mtu = link_mtu(p->access.ifname),
			.n_addrs = t->n_access_addrs,
			.addrs = t->access_addrs,
		};
		s.net[1] = (struct tn_ct_net){
			.link = peer[1],
			.name = CT_UPLINK,
			.mtu = link_mtu(p->uplink.ifname),
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
		if (self_dir(router, sizeof(router) - 16)) {
			strcat(router, "/tenet-router");
			if (!access(router, X_OK))
				s.router = router;
		}
		err = tn_ct_create(&s, d->cgroup2, p->err, p->n);
		if (err)
			return err;
	}
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
		const char *nic = role ? p->uplink.ifname : p->access.ifname;

		veth_name(host, t->id, role, false);
		veth_name(peer, t->id, role, true);
		if (ifindex_of(host))
			continue;
		err = tn_nl_veth_add(host, peer, -1, link_mtu(nic));
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

/*
 * Makes what t needs exist; what exists and is right stays untouched.
 * err gets one sentence on failure; nothing is undone here.
 */
static int tenant_up(struct tenetd *d, const struct tn_tenant_rec *t,
		     char *err_buf, size_t n)
{
	struct dp p = { .d = d, .t = t, .err = err_buf, .n = n };
	struct tn_tenant v = { .flags = TN_TENANT_F_ACTIVE };
	char name[64], state[32];
	struct rx_ctx rx = { d, t, err_buf, n };
	pid_t pid;
	int err;

	*err_buf = '\0';
	if (tn_store_nic_get_id(d->st, t->access_nic, &p.access) ||
	    tn_store_nic_get_id(d->st, t->uplink_nic, &p.uplink))
		return -ENODEV;
	p.acc_if = ifindex_of(p.access.ifname);
	p.up_if = ifindex_of(p.uplink.ifname);
	if (!p.acc_if || !p.up_if) {
		snprintf(err_buf, n, "NIC %s is not on this host",
			 p.acc_if ? p.uplink.ifname : p.access.ifname);
		return -ENODEV;
	}
	/* A container whose links are gone cannot get them back: its
	 * netns is stale. Start it over. */
	ct_name(t, name, sizeof(name));
	for (int role = 0; role < 2; role++) {
		char host[IF_NAMESIZE];

		veth_name(host, t->id, role, false);
		if (!ifindex_of(host) &&
		    !tn_ct_state(d->lxc_path, name, state, sizeof(state),
				 &pid) &&
		    pid > 0) {
			tn_warn("tenant %s: %s is gone: container restarted\n",
				t->name, host);
			tn_ct_stop(d->lxc_path, name, false);
		}
	}
	err = veths_up(&p);
	if (!err)
		err = classify_up(&p);
	for (int role = 0; !err && role < 2; role++)
		err = port_up(&p, role);
	if (!err)
		err = nic_flags_sync(d, &p.access, p.acc_if);
	if (!err)
		err = nic_flags_sync(d, &p.uplink, p.up_if);
	if (!err)
		err = container_up(&p, &pid);
	if (!err)
		err = in_netns(pid, rx_up_in, &rx);
	if (!err) {
		tn_store_route_list(d->st, t->id, routes_up_cb, &pid);
		/* Frames flow only once everything is in place. */
		err = map_set(d, "tn_tenants", &t->id, &v);
	}
	if (err && !*err_buf)
		snprintf(err_buf, n, "tenant %s: %s", t->name, strerror(-err));
	return err;
}

/* Removes everything of tenant t that exists; never fails half-way. */
static int tenant_down(struct tenetd *d, const struct tn_tenant_rec *t)
{
	struct tn_tenant off = { 0 };
	char name[64], dir[512];
	int err;

	/* Stop frames first, then take the path apart. */
	map_set(d, "tn_tenants", &t->id, &off);
	classify_down(d, t);
	ports_down(d, t->id);
	ct_name(t, name, sizeof(name));
	err = tn_ct_destroy(d->lxc_path, name);
	if (err)
		tn_err("tenant %s: container %s not destroyed: %s\n", t->name,
		       name, strerror(-err));
	for (int role = 0; role < 2; role++) {
		char veth[IF_NAMESIZE];

		veth_name(veth, t->id, role, false);
		tn_nl_link_del(veth);
		veth_name(veth, t->id, role, true);
		tn_nl_link_del(veth);
	}
	rx_pins_down(d, t->id);
	sock_dir(d, t->name, dir, sizeof(dir));
	rmdir(dir);
	/* The NICs' lookups, now without this tenant. */
	struct tn_nic_rec nic;

	if (!tn_store_nic_get_id(d->st, t->access_nic, &nic))
		nic_flags_sync(d, &nic, ifindex_of(nic.ifname));
	if (!tn_store_nic_get_id(d->st, t->uplink_nic, &nic))
		nic_flags_sync(d, &nic, ifindex_of(nic.ifname));
	return err;
}

/* ---- flags of a NIC ---- */

struct flags_ctx {
	uint32_t nic_id, flags;
};

static int flags_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct flags_ctx *c = arg;

	if (t->uplink_nic != c->nic_id || t->uplink_vlan)
		return 0;
	c->flags |= TN_NIC_F_MAC;
	if (t->n_prefixes)
		c->flags |= TN_NIC_F_PREFIX;
	return 0;
}

uint32_t tenants_nic_flags(struct tenetd *d, uint32_t nic_id)
{
	struct flags_ctx c = { nic_id, 0 };

	tn_store_tenant_list(d->st, flags_cb, &c);
	return c.flags;
}

/* ---- JSON ---- */

static json_object *str_array(const char (*a)[TN_STORE_CIDR_MAX + 1],
			      unsigned int n)
{
	json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(a[i]));
	return arr;
}

static json_object *limits_json(const struct tn_tenant_rec *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
		o, "cpu_millicores",
		json_object_new_uint64(t->limits.cpu_millicores));
	json_object_object_add(o, "cpuset", json_object_new_string(t->cpuset));
	json_object_object_add(o, "memory_bytes",
			       json_object_new_uint64(t->limits.memory_bytes));
	json_object_object_add(o, "pids",
			       json_object_new_uint64(t->limits.pids));
	json_object_object_add(o, "rate_bps",
			       json_object_new_uint64(t->limits.rate_bps));
	json_object_object_add(o, "pps", json_object_new_uint64(t->limits.pps));
	return o;
}

static int route_json_cb(const struct tn_route_rec *r, void *arg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cidr", json_object_new_string(r->cidr));
	json_object_object_add(o, "via", json_object_new_string(r->via));
	json_object_array_add(arg, o);
	return 0;
}

static json_object *side_json(struct tenetd *d, uint32_t nic_id,
			      const struct tn_tenant_rec *t, int role)
{
	json_object *o = json_object_new_object();
	struct tn_nic_rec nic = { 0 };
	char veth[IF_NAMESIZE], m[18];

	tn_store_nic_get_id(d->st, nic_id, &nic);
	veth_name(veth, t->id, role, false);
	json_object_object_add(o, "ifname", json_object_new_string(nic.ifname));
	json_object_object_add(o, "vlan",
			       json_object_new_int(role ? t->uplink_vlan :
							  t->access_vlan));
	if (role == TN_ROLE_ACCESS)
		json_object_object_add(
			o, "inner_vlan",
			json_object_new_int(t->access_inner_vlan));
	else {
		mac_str(t->uplink_mac, m);
		json_object_object_add(o, "mac", json_object_new_string(m));
	}
	json_object_object_add(o, "veth", json_object_new_string(veth));
	json_object_object_add(
		o, "addrs",
		role ? str_array(t->uplink_addrs, t->n_uplink_addrs) :
		       str_array(t->access_addrs, t->n_access_addrs));
	if (role == TN_ROLE_UPLINK) {
		json_object *arr = json_object_new_array();
		char buf[INET6_ADDRSTRLEN], cidr[TN_STORE_CIDR_MAX + 1];

		for (unsigned int i = 0; i < t->n_prefixes; i++) {
			const struct tn_prefix *x = &t->prefixes[i];

			inet_ntop(x->family, x->addr, buf, sizeof(buf));
			snprintf(cidr, sizeof(cidr), "%s/%u", buf, x->len);
			json_object_array_add(arr,
					      json_object_new_string(cidr));
		}
		json_object_object_add(o, "prefixes", arr);
	}
	return o;
}

static json_object *tenant_json(struct tenetd *d, const struct tn_tenant_rec *t,
				bool routes)
{
	json_object *o = json_object_new_object(), *c;
	char name[64], state[32];
	pid_t pid;

	json_object_object_add(o, "id", json_object_new_int((int)t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(
		o, "state",
		json_object_new_string(tn_store_state_name(t->state)));
	json_object_object_add(o, "mode",
			       json_object_new_string(modes[t->mode]));
	json_object_object_add(o, "created", json_object_new_int64(t->created));
	json_object_object_add(o, "access",
			       side_json(d, t->access_nic, t, TN_ROLE_ACCESS));
	json_object_object_add(o, "uplink",
			       side_json(d, t->uplink_nic, t, TN_ROLE_UPLINK));
	json_object_object_add(o, "gateway",
			       json_object_new_string(t->gateway));
	json_object_object_add(o, "limits", limits_json(t));
	ct_name(t, name, sizeof(name));
	if (tn_ct_state(d->lxc_path, name, state, sizeof(state), &pid))
		snprintf(state, sizeof(state), "UNKNOWN");
	c = json_object_new_object();
	json_object_object_add(c, "name", json_object_new_string(name));
	json_object_object_add(c, "state", json_object_new_string(state));
	json_object_object_add(c, "pid", json_object_new_int(pid));
	json_object_object_add(o, "container", c);
	if (routes) {
		json_object *arr = json_object_new_array();

		tn_store_route_list(d->st, t->id, route_json_cb, arr);
		json_object_object_add(o, "routes", arr);
	}
	return o;
}

/* ---- commands ---- */

int do_tenant_add(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	char why[TN_V_ERR_MAX];
	int err;

	err = parse_tenant(r, &t);
	if (err)
		return err;
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_alloc_id(d->st, &t.id);
	if (!err && !t.has_uplink_mac) {
		derived_mac(t.id, t.uplink_mac);
		t.has_uplink_mac = true;
	}
	if (!err)
		err = tn_store_tenant_add(d->st, &t, r->err, sizeof(r->err));
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ?
			       err :
			       req_fail(r, err, "cannot record tenant %s: %s",
					t.name, strerror(-err));
	}
	tn_info("tenant %s: onboarding as id %u\n", t.name, t.id);
	err = tenant_up(d, &t, why, sizeof(why));
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		if (!*why)
			snprintf(why, sizeof(why), "commit: %s",
				 strerror(-err));
		tenant_down(d, &t);
		tn_store_rollback(d->st);
		tn_warn("tenant %s: onboarding undone: %s\n", t.name, why);
		return req_fail(r, err, "%s (nothing was kept)", why);
	}
	tn_store_tenant_get(d->st, t.id, &t);
	r->data = tenant_json(d, &t, true);
	tn_info("tenant %s: ready (id %u, veths tn%ua/tn%uu)\n", t.name, t.id,
		t.id, t.id);
	return 0;
}

int do_tenant_del(struct req *r)
{
	static const char *const keys[] = { "name", NULL };
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	int err;

	if ((err = only_keys(r, keys)) || (err = tenant_arg(r, &t)))
		return err;
	err = tenant_down(d, &t);
	if (err) {
		tn_store_tenant_set_state(d->st, t.id, TN_STATE_FAILED);
		return req_fail(r, err,
				"tenant %s: its container could not be"
				" destroyed (%s); state is failed, try again",
				t.name, strerror(-err));
	}
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_del(d->st, t.id);
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err,
				"tenant %s: removed, but the database"
				" still has it: %s",
				t.name, strerror(-err));
	}
	tn_info("tenant %s (id %u) deleted\n", t.name, t.id);
	return 0;
}

struct tlist {
	struct tenetd *d;
	json_object *arr;
	const char *only;
	json_object *(*fn)(struct tenetd *d, const struct tn_tenant_rec *t);
};

static json_object *list_one(struct tenetd *d, const struct tn_tenant_rec *t)
{
	return tenant_json(d, t, false);
}

static int tlist_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct tlist *c = arg;

	if (!c->only || !strcmp(c->only, t->name))
		json_object_array_add(c->arr, c->fn(c->d, t));
	return 0;
}

int do_tenant_list(struct req *r)
{
	static const char *const keys[] = { NULL };
	struct tlist c = { r->d, NULL, NULL, list_one };
	int err = only_keys(r, keys);

	if (err)
		return err;
	c.arr = json_object_new_array();
	err = tn_store_tenant_list(r->d->st, tlist_cb, &c);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "tenants", c.arr);
	return err;
}

int do_tenant_show(struct req *r)
{
	static const char *const keys[] = { "name", NULL };
	struct tn_tenant_rec t;
	int err;

	if ((err = only_keys(r, keys)) || (err = tenant_arg(r, &t)))
		return err;
	r->data = tenant_json(r->d, &t, true);
	return 0;
}

int do_tenant_set(struct req *r)
{
	static const char *const keys[] = { "name",   "rate", "pps", "cpu",
					    "memory", "pids", NULL };
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	struct tn_limits l;
	char name[64], why[TN_V_ERR_MAX] = "";
	bool any;
	int err;

	if ((err = only_keys(r, keys)) || (err = tenant_arg(r, &t)))
		return err;
	l = t.limits;
	if ((err = limits_arg(r, &l, &any)))
		return err;
	if (!any)
		return req_fail(r, -EINVAL,
				"tenant set: give one or more of rate, pps,"
				" cpu, memory, pids");
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_tenant_update_limits(d->st, t.id, &l);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err, "tenant %s: %s", t.name,
				strerror(-err));
	}
	/* Quotas first (the kernel may refuse one), then the policers. */
	ct_name(&t, name, sizeof(name));
	err = tn_ct_limits(d->lxc_path, name, d->cgroup2, &l, NULL, why,
			   sizeof(why));
	if (!err) {
		struct tn_policer pol;

		tn_policer_config(&pol, l.rate_bps, l.pps, 0);
		for (int role = 0; !err && role < 2; role++)
			err = map_set(d, "tn_policer",
				      &(__u32){ tn_port(t.id, (__u32)role) },
				      &pol);
	}
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		/* Put the old values back where they were changed. */
		tn_store_rollback(d->st);
		tn_ct_limits(d->lxc_path, name, d->cgroup2, &t.limits, NULL,
			     NULL, 0);
		struct tn_policer pol;

		tn_policer_config(&pol, t.limits.rate_bps, t.limits.pps, 0);
		for (int role = 0; role < 2; role++)
			map_set(d, "tn_policer",
				&(__u32){ tn_port(t.id, (__u32)role) }, &pol);
		return req_fail(r, err, "%s", *why ? why : strerror(-err));
	}
	t.limits = l;
	r->data = tenant_json(d, &t, true);
	tn_info("tenant %s: limits changed live\n", t.name);
	return 0;
}

/* ---- stats ---- */

static json_object *router_json(struct tenetd *d, const char *name,
				json_object *xsk)
{
	char path[600];
	struct tn_rstats_file *f;
	json_object *o, *ifs;
	bool zc_req = true, zc = false, any = false;
	int fd;

	sock_dir(d, name, path, sizeof(path));
	strcat(path, "/router.stats");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	f = fd < 0 ? MAP_FAILED :
		     mmap(NULL, sizeof(*f), PROT_READ, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	if (f == MAP_FAILED || f->magic != TN_RSTATS_MAGIC ||
	    f->version != TN_RSTATS_VERSION) {
		if (f != MAP_FAILED)
			munmap(f, sizeof(*f));
		json_object_object_add(xsk, "requested",
				       json_object_new_string("zero-copy"));
		json_object_object_add(xsk, "in_use",
				       json_object_new_string("none"));
		return NULL;
	}
	o = json_object_new_object();
	ifs = json_object_new_array();
	json_object_object_add(o, "pid", json_object_new_int((int)f->pid));
	json_object_object_add(o, "started",
			       json_object_new_int64((int64_t)f->started));
	for (uint32_t i = 0; i < f->nslots && i < TN_RSTATS_MAX; i++) {
		const struct tn_rstats_slot *s = &f->slot[i];
		json_object *x, *c;

		if (!s->used)
			continue;
		x = json_object_new_object();
		c = json_object_new_object();
		json_object_object_add(x, "ifname",
				       json_object_new_string_len(
					       s->ifname,
					       (int)strnlen(s->ifname, 16)));
		json_object_object_add(x, "queue",
				       json_object_new_int((int)s->queue));
		json_object_object_add(
			x, "zc_requested",
			json_object_new_boolean(s->zc_requested));
		json_object_object_add(x, "zc_in_use",
				       json_object_new_boolean(s->zc_in_use));
		for (int k = 0; k < TN_RC__MAX; k++)
			json_object_object_add(
				c, tn_rc_names[k],
				json_object_new_uint64(s->ctr[k]));
		json_object_object_add(x, "counters", c);
		json_object_array_add(ifs, x);
		zc_req &= !!s->zc_requested;
		zc |= !!s->zc_in_use;
		any = true;
	}
	json_object_object_add(o, "ifaces", ifs);
	json_object_object_add(xsk, "requested",
			       json_object_new_string(zc_req ? "zero-copy" :
							       "copy"));
	json_object_object_add(xsk, "in_use",
			       json_object_new_string(!any ? "none" :
						      zc   ? "zero-copy" :
							     "copy"));
	munmap(f, sizeof(*f));
	return o;
}

static json_object *stats_one(struct tenetd *d, const struct tn_tenant_rec *t)
{
	json_object *o = json_object_new_object(), *cl, *eg, *xsk, *u, *rt;
	struct tn_ct_usage use;
	char name[64];

	json_object_object_add(o, "id", json_object_new_int((int)t->id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	cl = json_object_new_object();
	eg = json_object_new_object();
	for (int role = 0; role < 2; role++) {
		__u32 port = tn_port(t->id, (__u32)role);

		json_object_object_add(cl, tn_roles[role],
				       stats_json(d, "tn_port_stats", port));
		json_object_object_add(eg, tn_roles[role],
				       stats_json(d, "tn_egress_stats", port));
	}
	json_object_object_add(o, "classifier", cl);
	json_object_object_add(o, "egress", eg);
	xsk = json_object_new_object();
	rt = router_json(d, t->name, xsk);
	json_object_object_add(o, "router", rt);
	json_object_object_add(o, "xsk", xsk);
	json_object_object_add(o, "limits", limits_json(t));
	ct_name(t, name, sizeof(name));
	u = json_object_new_object();
	if (!tn_ct_usage(d->lxc_path, name, d->cgroup2, &use)) {
		json_object_object_add(u, "cpu_ns",
				       json_object_new_uint64(use.cpu_ns));
		json_object_object_add(
			u, "memory_bytes",
			json_object_new_uint64(use.memory_bytes));
		json_object_object_add(u, "pids",
				       json_object_new_uint64(use.pids));
	}
	json_object_object_add(o, "usage", u);
	return o;
}

int do_tenant_stats(struct req *r)
{
	static const char *const keys[] = { "name", NULL };
	struct tlist c = { r->d, NULL, NULL, stats_one };
	struct tn_tenant_rec t;
	int err = only_keys(r, keys);

	if (err)
		return err;
	if (req_arg(r, "name")) {
		if ((err = tenant_arg(r, &t)))
			return err;
		c.only = t.name;
	}
	c.arr = json_object_new_array();
	err = tn_store_tenant_list(r->d->st, tlist_cb, &c);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "tenants", c.arr);
	return err;
}

/* ---- routes ---- */

static int route_args(struct req *r, struct tn_tenant_rec *t,
		      struct tn_route_rec *rt, bool need_via)
{
	static const char *const keys[] = { "name", "cidr", "via", NULL };
	const char *cidr = req_arg(r, "cidr"), *via = req_arg(r, "via");
	uint8_t a[16];
	unsigned int len;
	int fam, fam2, err;

	if ((err = only_keys(r, keys)) || (err = tenant_arg(r, t)))
		return err;
	if (!cidr)
		return req_fail(r, -EINVAL,
				"cidr: required, a prefix ADDR/LEN");
	if (tn_v_cidr("cidr", cidr, true, &fam, a, &len, r->err,
		      sizeof(r->err)))
		return -EINVAL;
	memset(rt, 0, sizeof(*rt));
	rt->tenant_id = t->id;
	snprintf(rt->cidr, sizeof(rt->cidr), "%s", cidr);
	if (!via)
		return need_via ? req_fail(r, -EINVAL,
					   "via: required, the next hop's"
					   " address") :
				  0;
	if (tn_v_ip("via", via, &fam2, a, r->err, sizeof(r->err)))
		return -EINVAL;
	if (fam != fam2)
		return req_fail(r, -EINVAL,
				"via: %s is not of the family of %s", via,
				cidr);
	snprintf(rt->via, sizeof(rt->via), "%s", via);
	return 0;
}

static int route_change(struct req *r, bool add)
{
	struct tenetd *d = r->d;
	struct tn_tenant_rec t;
	struct tn_route_rec rt;
	struct route_ctx c = { add, &rt };
	char name[64], state[32];
	pid_t pid;
	int err;

	if ((err = route_args(r, &t, &rt, true)))
		return err;
	ct_name(&t, name, sizeof(name));
	if (tn_ct_state(d->lxc_path, name, state, sizeof(state), &pid) ||
	    pid <= 0)
		return req_fail(r, -ESRCH,
				"tenant %s: its container is not running",
				t.name);
	err = tn_store_begin(d->st);
	if (!err)
		err = add ? tn_store_route_add(d->st, &rt, r->err,
					       sizeof(r->err)) :
			    tn_store_route_del(d->st, t.id, rt.cidr);
	if (err) {
		tn_store_rollback(d->st);
		if (err == -ENOENT)
			return req_fail(r, err, "tenant %s has no route %s",
					t.name, rt.cidr);
		return r->err[0] ? err :
				   req_fail(r, err, "route %s: %s", rt.cidr,
					    strerror(-err));
	}
	err = in_netns(pid, route_in, &c);
	if (!add && err == -ESRCH)
		err = 0; /* gone already: the database was the only copy */
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		if (add)
			return req_fail(r, err,
					"route %s via %s: the container's"
					" kernel refused it: %s",
					rt.cidr, rt.via,
					err == -ENETUNREACH ?
						"the next hop is on no"
						" interface" :
						strerror(-err));
		return req_fail(r, err, "route %s: %s", rt.cidr,
				strerror(-err));
	}
	tn_info("tenant %s: route %s %s via %s\n", t.name,
		add ? "added" : "deleted", rt.cidr, rt.via);
	return 0;
}

int do_route_add(struct req *r)
{
	return route_change(r, true);
}

int do_route_del(struct req *r)
{
	return route_change(r, false);
}

int do_route_list(struct req *r)
{
	static const char *const keys[] = { "name", NULL };
	struct tn_tenant_rec t;
	json_object *arr;
	int err;

	if ((err = only_keys(r, keys)) || (err = tenant_arg(r, &t)))
		return err;
	arr = json_object_new_array();
	err = tn_store_route_list(r->d->st, t.id, route_json_cb, arr);
	r->data = json_object_new_object();
	json_object_object_add(r->data, "routes", arr);
	return err;
}

/* ---- start-up: mark and sweep ---- */

static int reconcile_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct tenetd *d = arg;
	char why[TN_V_ERR_MAX];

	if (tenant_up(d, t, why, sizeof(why))) {
		tn_err("tenant %s: cannot restore: %s\n", t->name, why);
		tn_store_tenant_set_state(d->st, t->id, TN_STATE_FAILED);
	} else if (t->state != TN_STATE_READY) {
		tn_store_tenant_set_state(d->st, t->id, TN_STATE_READY);
	}
	return 0;
}

static bool known_id(struct tenetd *d, uint32_t id)
{
	struct tn_tenant_rec t;

	return id && id < TN_MAX_TENANTS && !tn_store_tenant_get(d->st, id, &t);
}

/* Entries whose value is a tenant id the database does not know. */
static void sweep_map(struct tenetd *d, const char *map, size_t key_size)
{
	int fd = tn_dp_map_open(d->bpffs, map);
	uint8_t key[64], next[64];
	bool first = true;
	__u32 id;
	int n = 0;

	if (fd < 0 || key_size > sizeof(key))
		goto out;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		memcpy(key, next, key_size);
		first = false;
		if (bpf_map_lookup_elem(fd, key, &id) || known_id(d, id))
			continue;
		bpf_map_delete_elem(fd, key);
		n++;
		first = true; /* the walk restarts: our key is gone */
	}
	if (n)
		tn_info("%s: %d entries of no tenant removed\n", map, n);
	/* A trie changed: answers cached from it must go. */
	if (n && !strncmp(map, "tn_lpm", 6)) {
		int gen = tn_dp_map_open(d->bpffs, "tn_lpm_gen");

		if (gen >= 0) {
			tn_dp_lpm_gen_bump(gen);
			close(gen);
		}
	}
out:
	if (fd >= 0)
		close(fd);
}

/* Links through netlink, not /sys/class/net: sysfs shows the netns it was
 * mounted in, which need not be the agent's. */
static void sweep_links(struct tenetd *d)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	unsigned int id;
	char side, c, extra;

	for (i = ifs; i && i->if_index; i++) {
		int n = sscanf(i->if_name, "tn%u%c%c%c", &id, &side, &c,
			       &extra);

		if (n < 2 || n > 3 || (side != 'a' && side != 'u') ||
		    (n == 3 && c != 'c') || known_id(d, id))
			continue;
		tn_info("link %s belongs to no tenant: removed\n", i->if_name);
		tn_nl_link_del(i->if_name);
	}
	if (ifs)
		if_freenameindex(ifs);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void sweep_containers(struct tenetd *d)
{
	DIR *dh = opendir(d->lxc_path);
	struct tn_tenant_rec t;
	struct dirent *e;

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		char path[4096];

		if (e->d_name[0] == '.' || e->d_type != DT_DIR ||
		    !tn_store_tenant_get_by_name(d->st, e->d_name, &t))
			continue;
		tn_info("container %s belongs to no tenant: destroyed\n",
			e->d_name);
		if (tn_ct_exists(d->lxc_path, e->d_name))
			tn_ct_destroy(d->lxc_path, e->d_name);
		/* What a template cut short leaves is no container to LXC. */
		snprintf(path, sizeof(path), "%s/%s", d->lxc_path, e->d_name);
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		snprintf(path, sizeof(path), "%s/%s.log", d->lxc_path,
			 e->d_name);
		unlink(path);
	}
	closedir(dh);
}

/* Ports, policers and activity of ids no row has: an onboarding killed
 * before its commit may have set them. */
/* Socket dirs of no tenant. */
static void sweep_sock_dirs(struct tenetd *d)
{
	char dir[512], path[1024];
	struct tn_tenant_rec t;
	struct dirent *e;
	DIR *dh;

	snprintf(dir, sizeof(dir), "%s/tenants", d->run_dir);
	dh = opendir(dir);
	while (dh && (e = readdir(dh))) {
		if (e->d_name[0] == '.' ||
		    !tn_store_tenant_get_by_name(d->st, e->d_name, &t))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (dh)
		closedir(dh);
}

static void sweep_ids(struct tenetd *d)
{
	int tfd = tn_dp_map_open(d->bpffs, "tn_tenants");
	int pfd = tn_dp_map_open(d->bpffs, "tn_ports");
	struct tn_tenant off = { 0 }, v;
	char dir[512];
	__u32 ifindex;

	for (uint32_t id = 1; tfd >= 0 && pfd >= 0 && id < TN_MAX_TENANTS;
	     id++) {
		bool used = !bpf_map_lookup_elem(tfd, &id, &v) && v.flags;

		for (__u32 role = 0; !used && role < 2; role++)
			used = !bpf_map_lookup_elem(
				pfd, &(__u32){ tn_port(id, role) }, &ifindex);
		if (!used || known_id(d, id))
			continue;
		bpf_map_update_elem(tfd, &id, &off, 0);
		ports_down(d, id);
		tn_info("tenant id %u is in no row: its ports removed\n", id);
	}
	if (tfd >= 0)
		close(tfd);
	if (pfd >= 0)
		close(pfd);
	snprintf(dir, sizeof(dir), "%s/tenants", d->bpffs);
	DIR *dh = opendir(dir);
	struct dirent *e;

	while (dh && (e = readdir(dh))) {
		unsigned int id;

		if (sscanf(e->d_name, "%u", &id) == 1 && !known_id(d, id))
			rx_pins_down(d, id);
	}
	if (dh)
		closedir(dh);
}

/* Egress bindings whose port is of no tenant, or whose veth is gone. */
static void sweep_egress(struct tenetd *d)
{
	int fd = tn_dp_map_open(d->bpffs, "tn_egress");
	__u32 key, next;
	struct tn_egress eg;
	bool first = true;
	char name[IF_NAMESIZE];

	while (fd >= 0 &&
	       !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		key = next;
		first = false;
		if (!bpf_map_lookup_elem(fd, &key, &eg) &&
		    known_id(d, eg.port / 2) && if_indextoname(key, name))
			continue;
		bpf_map_delete_elem(fd, &key);
		first = true;
	}
	if (fd >= 0)
		close(fd);
}

void tenants_reconcile(struct tenetd *d)
{
	/* Sweep first: a half-made tenant of a killed onboarding may hold
	 * the links or keys a recorded one needs. */
	sweep_containers(d);
	sweep_sock_dirs(d);
	sweep_links(d);
	sweep_ids(d);
	sweep_egress(d);
	sweep_map(d, "tn_vlan", sizeof(struct tn_vlan_key));
	sweep_map(d, "tn_mac", sizeof(struct tn_mac_key));
	sweep_map(d, "tn_host", sizeof(struct tn_host_key));
	sweep_map(d, "tn_lpm4", sizeof(struct tn_lpm4_key));
	sweep_map(d, "tn_lpm6", sizeof(struct tn_lpm6_key));
	tn_store_tenant_list(d->st, reconcile_cb, d);
}
