// SPDX-License-Identifier: GPL-2.0
/*
 * tenetd's NICs: attaching nic_ingress to a host interface as access or
 * uplink (a row, then the data path, then the commit), detaching it, and
 * listing them with their counters; at start, nic_ingress back on every
 * recorded NIC and off every NIC no row names.
 *
 * This file is the one writer of the NICs' map entries: tn_nics (role,
 * default action, and the lookups the tenants on the NIC need, which
 * tenant bring-up and teardown change through nic_entry_set()) and
 * tn_nic_dev.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <bpf/bpf.h>

#include "ctl_cmds.h"
#include "dp.h"
#include "log.h"
#include "names.h"
#include "nic.h"
#include "nl.h"
#include "session.h"
#include "store.h"
#include "xsk.h"

/*
 * Real NICs strip VLAN tags into metadata unless rx-vlan offload is off,
 * and XDP would then see untagged frames: turn it off and say what came of
 * it ("off", "on" if the driver refused, "unknown" if it cannot say).
 */
static const char *rxvlan_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GFLAGS };

	if (tn_ethtool(ifname, &ev))
		return "unknown";
	if (ev.data & ETH_FLAG_RXVLAN) {
		ev.cmd = ETHTOOL_SFLAGS;
		ev.data &= ~ETH_FLAG_RXVLAN;
		tn_ethtool(ifname, &ev);
		ev.cmd = ETHTOOL_GFLAGS;
		if (tn_ethtool(ifname, &ev))
			return "unknown";
	}
	return ev.data & ETH_FLAG_RXVLAN ? "on" : "off";
}

int nic_queues(const char *ifname, unsigned int *n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (!tn_ethtool(ifname, &ch) && ch.rx_count + ch.combined_count) {
		*n = ch.rx_count + ch.combined_count;
		return 0;
	}
	return tn_nl_link_rx_queues(ifname, n);
}

struct flags_ctx {
	uint32_t nic_id, except, flags;
};

static int flags_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct flags_ctx *c = arg;

	if (t->id == c->except || t->uplink_nic != c->nic_id || t->uplink_vlan)
		return 0;
	c->flags |= TN_NIC_F_MAC;
	if (t->n_prefixes)
		c->flags |= TN_NIC_F_PREFIX;
	return 0;
}

uint32_t nic_tenant_flags(struct tenetd *d, uint32_t nic_id, uint32_t except)
{
	struct flags_ctx c = { nic_id, except, 0 };

	tn_store_tenant_list(d->st, flags_cb, &c);
	return c.flags;
}

int nic_entry_set(struct tenetd *d, const struct tn_nic_rec *n, int ifindex,
		  uint32_t flags)
{
	struct tn_nic v = { .nic_id = n->nic_id,
			    .role = n->role,
			    .default_action = n->default_action,
			    .flags = flags };

	if (ifindex <= 0)
		return -ENODEV;
	return map_set(d, TN_MAP_NICS, &ifindex, &v);
}

/* Puts nic_ingress on the NIC with its map entries; undoes itself on
 * failure. */
static int nic_up(struct tenetd *d, const struct tn_nic_rec *n, int ifindex,
		  enum xdp_attach_mode *in_use)
{
	enum xdp_attach_mode mode =
		n->xdp_mode == TN_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	int err;

	err = nic_entry_set(d, n, ifindex, nic_tenant_flags(d, n->nic_id, 0));
	if (!err)
		err = map_set(d, TN_MAP_NIC_DEV, &n->nic_id, &ifindex);
	if (!err)
		err = tn_dp_nic_attach(d->bpffs, ifindex, mode, in_use);
	if (err) {
		map_set(d, TN_MAP_NICS, &ifindex, NULL);
		map_set(d, TN_MAP_NIC_DEV, &n->nic_id, NULL);
	}
	return err;
}

static void nic_down(struct tenetd *d, const struct tn_nic_rec *n, int ifindex)
{
	if (ifindex > 0) {
		int err = tn_dp_nic_detach(ifindex);

		if (err && err != -ENOENT)
			tn_warn("%s: detach nic_ingress: %s\n", n->ifname,
				strerror(-err));
		map_set(d, TN_MAP_NICS, &ifindex, NULL);
	}
	map_set(d, TN_MAP_NIC_DEV, &n->nic_id, NULL);
}

/*
 * What the NIC can do to steer a direct tenant's frames to its queue:
 * "ntuple" (classification rules, e.g. by VLAN), "rss" (an indirection
 * table by hash only: no tenant can be steered with it), or "none" (as
 * veth and virtio-net without RSS). tenetd programs neither: frames land
 * where the NIC puts them, and those of a direct tenant off its queue take
 * its veth, counted as offqueue on its port.
 */
static const char *nic_steering(const char *ifname)
{
	struct ethtool_rxnfc nfc = { .cmd = ETHTOOL_GRXCLSRLCNT };
	struct ethtool_rxfh_indir ind = { .cmd = ETHTOOL_GRXFHINDIR };

	if (!tn_ethtool(ifname, &nfc))
		return "ntuple";
	if (!tn_ethtool(ifname, &ind) && ind.size)
		return "rss";
	return "none";
}

static json_object *nic_json(const struct tn_nic_rec *n, int ifindex)
{
	unsigned int queues = 0;
	json_object *o = json_object_new_object();
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC;
	bool multi = false;

	json_object_object_add(o, "ifname", json_object_new_string(n->ifname));
	json_object_object_add(o, "nic_id",
			       json_object_new_int((int)n->nic_id));
	json_object_object_add(o, "role",
			       json_object_new_string(tn_role_names[n->role]));
	json_object_object_add(
		o, "default",
		json_object_new_string(tn_default_names[n->default_action]));
	json_object_object_add(
		o, "xdp_mode",
		json_object_new_string(tn_xdp_mode_names[n->xdp_mode]));
	tn_dp_nic_query(ifindex, &mode, &multi);
	json_object_object_add(o, "xdp_mode_in_use",
			       json_object_new_string(tn_xdp_mode_name(mode)));
	json_object_object_add(o, "attached",
			       json_object_new_boolean(mode !=
						       XDP_MODE_UNSPEC));
	json_object_object_add(o, "multiprog", json_object_new_boolean(multi));
	json_object_object_add(
		o, "queues",
		json_object_new_int(
			nic_queues(n->ifname, &queues) ? 0 : (int)queues));
	json_object_object_add(o, "steering",
			       json_object_new_string(nic_steering(n->ifname)));
	json_object_object_add(
		o, "zerocopy",
		json_object_new_string(tn_onoff_names[n->zerocopy]));
	return o;
}

int do_nic_attach(struct req *r)
{
	struct tenetd *d = r->d;
	struct tn_nic_rec n = { 0 }, old;
	enum xdp_attach_mode in_use;
	const char *ifname = r->a.v[TN_K_IFNAME].s, *rxvlan;
	int ifindex, err;

	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return req_fail(r, -ENODEV,
				"ifname: no interface \"%s\" on this host",
				ifname);
	if (!tn_store_nic_get(d->st, ifname, &old))
		return req_fail(r, -EEXIST,
				"%s is already attached (nic %u, %s)", ifname,
				old.nic_id, tn_role_names[old.role]);
	snprintf(n.ifname, sizeof(n.ifname), "%s", ifname);
	n.role = (enum tn_role)r->a.v[TN_K_ROLE].u;
	n.xdp_mode = (enum tn_xdp_mode)r->a.v[TN_K_XDP_MODE].u;
	n.default_action = (enum tn_default_action)r->a.v[TN_K_DEFAULT].u;
	n.zerocopy = r->a.v[TN_K_ZEROCOPY].u != 0;

	/* Row, then data path, then commit: a failure anywhere leaves
	 * neither. */
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_nic_add(d->st, &n, r->err, sizeof(r->err));
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ?
			       err :
			       req_fail(r, err, "%s: cannot record the NIC: %s",
					ifname, strerror(-err));
	}
	err = nic_up(d, &n, ifindex, &in_use);
	if (err) {
		tn_store_rollback(d->st);
		return req_fail(r, err,
				"%s: cannot attach nic_ingress (%s): %s",
				ifname, tn_xdp_mode_names[n.xdp_mode],
				strerror(-err));
	}
	err = tn_store_commit(d->st);
	if (err) {
		nic_down(d, &n, ifindex);
		return req_fail(r, err, "%s: cannot commit: %s", ifname,
				strerror(-err));
	}
	rxvlan = rxvlan_off(ifname);
	r->data = nic_json(&n, ifindex);
	json_object_object_add(r->data, "rxvlan_offload",
			       json_object_new_string(rxvlan));
	tn_info("%s attached as nic %u (%s), xdp %s requested, %s in use\n",
		ifname, n.nic_id, tn_role_names[n.role],
		tn_xdp_mode_names[n.xdp_mode], tn_xdp_mode_name(in_use));
	if (n.zerocopy)
		tn_warn("%s: zerocopy on: a direct tenant's socket bound"
			" zero-copy receives every frame of its queue into"
			" memory the tenant reads, other tenants' too; steer"
			" only its frames there (steering: %s)\n",
			ifname, nic_steering(ifname));
	return 0;
}

int do_nic_detach(struct req *r)
{
	struct tenetd *d = r->d;
	const char *ifname = r->a.v[TN_K_IFNAME].s;
	struct tn_nic_rec n;
	int err;

	if (tn_store_nic_get(d->st, ifname, &n))
		return req_fail(r, -ENOENT, "ifname: %s is not attached",
				ifname);
	err = tn_store_begin(d->st);
	if (!err)
		err = tn_store_nic_del(d->st, n.nic_id, r->err, sizeof(r->err));
	if (!err)
		err = tn_store_commit(d->st);
	if (err) {
		tn_store_rollback(d->st);
		return r->err[0] ? err :
				   req_fail(r, err, "%s: %s", ifname,
					    strerror(-err));
	}
	nic_down(d, &n, (int)if_nametoindex(ifname));
	tn_info("%s detached (nic %u)\n", ifname, n.nic_id);
	return 0;
}

struct list_ctx {
	struct tenetd *d;
	json_object *arr;
	int qowner; /* tn_qowner, -1 if it cannot be opened */
};

struct xsks_ctx {
	struct list_ctx *c;
	const struct tn_nic_rec *n;
	uint32_t ifindex;
	json_object *arr;
};

/* One AF_XDP socket on the NIC, as the kernel says it is (not as a router
 * reports it): its queue, its mode, and the direct tenant owning the queue
 * (null: none of tenet's). */
static int nic_xsk_cb(const struct tn_xsk_diag *x, void *arg)
{
	struct xsks_ctx *xc = arg;
	struct tn_tenant_rec t;
	__u32 key = xc->n->nic_id * TN_MAX_QUEUES + x->queue, id = 0;
	json_object *o;

	if (x->ifindex != xc->ifindex)
		return 0;
	o = json_object_new_object();
	json_object_object_add(o, "queue", json_object_new_int((int)x->queue));
	if (x->queue < TN_MAX_QUEUES && xc->c->qowner >= 0 &&
	    !bpf_map_lookup_elem(xc->c->qowner, &key, &id) && id &&
	    !tn_store_tenant_get(xc->c->d->st, id, &t))
		json_object_object_add(o, "tenant",
				       json_object_new_string(t.name));
	else
		json_object_object_add(o, "tenant", NULL);
	json_object_object_add(o, "zerocopy",
			       json_object_new_boolean(x->zerocopy));
	/* Bound by tenetd, which asks for zero-copy where the NIC
	 * allows it. */
	json_object_object_add(o, "mode",
			       json_object_new_string(tn_xsk_mode_name(
				       xc->n->zerocopy, x->zerocopy)));
	json_object_object_add(o, "tx_ring",
			       json_object_new_boolean(x->tx_ring));
	json_object_object_add(o, "umem_bytes",
			       json_object_new_int64((int64_t)x->umem_size));
	json_object_array_add(xc->arr, o);
	return 0;
}

static int nic_list_cb(const struct tn_nic_rec *n, void *arg)
{
	struct list_ctx *c = arg;
	int ifindex = (int)if_nametoindex(n->ifname);
	json_object *o = nic_json(n, ifindex);
	struct xsks_ctx xc = { c, n, (uint32_t)ifindex,
			       json_object_new_array() };
	int err = ifindex ? tn_nl_xsk_list(nic_xsk_cb, &xc) : 0;

	/* The kernel's list where it has one (xsk_diag), else ours. */
	if (err == -ENOENT) {
		session_nic_xsks(c->d, n->ifname, xc.arr);
	} else if (err < 0) {
		tn_warn("%s: listing its AF_XDP sockets: %s\n", n->ifname,
			strerror(-err));
	}
	json_object_object_add(o, "direct_sockets", xc.arr);
	json_object_object_add(
		o, "direct_sockets_from",
		json_object_new_string(err == -ENOENT ? "tenetd" : "kernel"));
	json_object_object_add(o, "counters",
			       stats_json(c->d, TN_MAP_NIC_STATS, n->nic_id));
	json_object_array_add(c->arr, o);
	return 0;
}

int do_nic_list(struct req *r)
{
	struct list_ctx c = { r->d, json_object_new_array(),
			      tn_dp_map_open(r->d->bpffs, TN_MAP_QOWNER) };
	int err = tn_store_nic_list(r->d->st, nic_list_cb, &c);

	if (c.qowner >= 0)
		close(c.qowner);

	r->data = json_object_new_object();
	json_object_object_add(r->data, "nics", c.arr);
	return err;
}

/* ---- start-up ---- */

/* Makes what the database says exist, exist: nic_ingress and its map
 * entries on a recorded NIC. Traffic on NICs already right is not
 * touched; another tenet's nic_ingress is replaced atomically. */
static int reconcile_nic(const struct tn_nic_rec *n, void *arg)
{
	struct tenetd *d = arg;
	int ifindex = (int)if_nametoindex(n->ifname);
	enum xdp_attach_mode mode = XDP_MODE_UNSPEC, in_use;
	bool multi;
	struct tn_nic v;
	int fd, err;

	if (!ifindex) {
		tn_warn("%s (nic %u) is in the database but not on this host\n",
			n->ifname, n->nic_id);
		return 0;
	}
	fd = tn_dp_map_open(d->bpffs, TN_MAP_NICS);
	err = fd < 0 ? fd : bpf_map_lookup_elem(fd, &ifindex, &v) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	if (!tn_dp_nic_query(ifindex, &mode, &multi) && !err &&
	    v.nic_id == n->nic_id) {
		/* An older tenet's program, or one on maps an upgrade
		 * migrated, is swapped for ours in place. */
		if (tn_dp_nic_current(d->bpffs, ifindex))
			return 0;
		if (!tn_dp_nic_replace(d->bpffs, ifindex))
			tn_info("%s: nic_ingress replaced by this tenet's\n",
				n->ifname);
		return 0;
	}
	err = nic_up(d, n, ifindex, &in_use);
	if (err)
		tn_err("%s: cannot restore nic_ingress: %s\n", n->ifname,
		       strerror(-err));
	else
		tn_info("%s: nic_ingress restored (nic %u, %s)\n", n->ifname,
			n->nic_id, tn_xdp_mode_name(in_use));
	return 0;
}

void nics_reconcile(struct tenetd *d)
{
	tn_store_nic_list(d->st, reconcile_nic, d);
}

void nics_sweep(struct tenetd *d)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_NICS);
	__u32 key, next, *prev = NULL;
	char name[IF_NAMESIZE];

	if (fd < 0)
		return;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct tn_nic_rec n;

		key = next;
		prev = &key;
		/* Only a NIC the database surely does not know (or that is
		 * gone) loses its program: a store error keeps it. */
		if (if_indextoname(key, name) &&
		    tn_store_nic_get(d->st, name, &n) != -ENOENT)
			continue;
		tn_info("ifindex %u: not in the database: nic_ingress removed\n",
			key);
		tn_dp_nic_detach((int)key);
		bpf_map_delete_elem(fd, &key);
		prev = NULL; /* restart: the key we stood on is gone */
	}
	close(fd);
}
