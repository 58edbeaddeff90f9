// SPDX-License-Identifier: GPL-2.0
/*
 * Start-up: making the kernel match the database. A mark and sweep removes
 * what no tenant row owns (containers, socket dirs, links, ports, map
 * entries), then tenant_up() restores each recorded tenant (a stopped
 * container is started by supervise.c, off the loop).
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "container.h"
#include "egress.h"
#include "dp.h"
#include "fs.h"
#include "egress.h"
#include "log.h"
#include "naming.h"
#include "nl.h"
#include "reconcile.h"
#include "store.h"
#include "supervise.h"
#include "tenant_dp.h"
#include "tenant_row.h"

/* ---- start-up: mark and sweep ---- */

static int reconcile_cb(const struct tn_tenant_rec *t, void *arg)
{
	struct tenetd *d = arg;
	char why[TN_V_ERR_MAX], state[32];
	pid_t pid;
	int err;

	/* A stopped container starts in a child, while the loop runs: one
	 * whose init dies at once must not hold the start-up. */
	if (tn_ct_exists(d->lxc_path, t->name) &&
	    !tn_ct_state(d->lxc_path, t->name, state, sizeof(state), &pid) &&
	    pid <= 0)
		err = supervise_start(d, t, why, sizeof(why));
	else
		err = tenant_row_up(d, t, why, sizeof(why));
	if (err) {
		tn_err("tenant %s: cannot restore: %s\n", t->name, why);
		tn_store_tenant_set_state(d->st, t->id, TN_STATE_FAILED);
	} else if (t->state != TN_STATE_READY) {
		tn_store_tenant_set_state(d->st, t->id, TN_STATE_READY);
	}
	return 0;
}

/* Only a row surely absent (not found) makes a thing no one's: on any
 * other error of the store it is kept. */
static bool known_id(struct tenetd *d, uint32_t id)
{
	struct tn_tenant_rec t;

	return id && id < TN_MAX_TENANTS &&
	       tn_store_tenant_get(d->st, id, &t) != -ENOENT;
}

static bool known_name(struct tenetd *d, const char *name)
{
	struct tn_tenant_rec t;

	return tn_store_tenant_get_by_name(d->st, name, &t) != -ENOENT;
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
		int gen = tn_dp_map_open(d->bpffs, TN_MAP_LPM_GEN);

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
 * mounted in, which need not be the agent's. Only links this tenetd
 * marked (their alias) go: one named like ours may be another's. */
static void sweep_links(struct tenetd *d)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	char side, c, extra, alias[256];
	unsigned int id;

	for (i = ifs; i && i->if_index; i++) {
		int n = sscanf(i->if_name, "tn%u%c%c%c", &id, &side, &c,
			       &extra);

		if (n < 2 || n > 3 || (side != 'a' && side != 'u') ||
		    (n == 3 && c != 'c') || known_id(d, id))
			continue;
		if (tn_nl_link_alias(i->if_name, alias, sizeof(alias)) ||
		    strcmp(alias, d->mark)) {
			tn_info("link %s: of no tenant, and not made by this"
				" tenetd (alias \"%.40s\"): left alone\n",
				i->if_name, alias);
			continue;
		}
		tn_info("link %s belongs to no tenant: removed\n", i->if_name);
		tn_nl_link_del(i->if_name);
	}
	if (ifs)
		if_freenameindex(ifs);
}

/* Containers of no tenant that this tenetd made (marked in its state
 * dir, for this LXC path); anything else in the LXC path is said and left
 * alone. Then marks of containers that are gone. */
static void sweep_containers(struct tenetd *d)
{
	DIR *dh = opendir(d->lxc_path);
	struct dirent *e;
	char made[4096];

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		char path[4096];

		if (e->d_name[0] == '.' || e->d_type != DT_DIR ||
		    known_name(d, e->d_name))
			continue;
		if (!ct_marked(d, e->d_name)) {
			tn_info("%s/%s: no tenant's, and not made by this"
				" tenetd: left alone\n",
				d->lxc_path, e->d_name);
			continue;
		}
		tn_info("container %s belongs to no tenant: destroyed\n",
			e->d_name);
		if (tn_ct_exists(d->lxc_path, e->d_name))
			tn_ct_destroy(d->lxc_path, e->d_name);
		/* What a template cut short leaves is no container to LXC. */
		snprintf(path, sizeof(path), "%s/%s", d->lxc_path, e->d_name);
		tn_rm_tree(path);
		snprintf(path, sizeof(path), "%s/%s.log", d->lxc_path,
			 e->d_name);
		unlink(path);
		ct_mark(d, e->d_name, false);
	}
	closedir(dh);
	snprintf(made, sizeof(made), "%s/made", d->state_dir);
	dh = opendir(made);
	while (dh && (e = readdir(dh))) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", d->lxc_path, e->d_name);
		if (e->d_name[0] != '.' && !known_name(d, e->d_name) &&
		    stat(path, &st) && errno == ENOENT)
			ct_mark(d, e->d_name, false);
	}
	if (dh)
		closedir(dh);
}

/* The tenants' socket dirs' parent is this tenetd's if it carries its
 * mark (.tenet), or is new (then marked): a run dir typed wrong may hold
 * a "tenants" of someone else's. */
static bool tenants_dir_ours(struct tenetd *d, const char *dir)
{
	char buf[64];
	ssize_t len;
	DIR *dh;
	struct dirent *e;
	int n = 0;

	len = tn_read_beneath(dir, ".tenet", buf, sizeof(buf) - 1);
	if (len >= 0) {
		buf[len] = '\0';
		if (!strcmp(buf, d->mark))
			return true;
		tn_warn("%s is marked by another tenet (%s): not swept\n", dir,
			buf);
		return false;
	}
	dh = opendir(dir);
	while (dh && (e = readdir(dh)))
		n += e->d_name[0] != '.';
	if (dh)
		closedir(dh);
	/* Not there, or empty: ours from now on. With sockets of tenants
	 * in it but no mark it is from before marks: ours if every entry is
	 * a tenant's of ours, which the sweep below checks one by one. */
	if (tn_mkdir_p(dir, 0755) ||
	    tn_write_beneath(dir, ".tenet", d->mark, strlen(d->mark)))
		return false;
	if (n)
		tn_info("%s: marked as this tenetd's\n", dir);
	return true;
}

/* Socket dirs of no tenant. */
static void sweep_sock_dirs(struct tenetd *d)
{
	char dir[512], path[1024];
	struct dirent *e;
	DIR *dh;

	tenants_dir(d, dir, sizeof(dir));
	if (!tenants_dir_ours(d, dir))
		return;
	dh = opendir(dir);
	while (dh && (e = readdir(dh))) {
		if (e->d_name[0] == '.' || known_name(d, e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		tn_rm_tree(path);
	}
	if (dh)
		closedir(dh);
}

/* Ports, policers and activity of ids no row has: an onboarding killed
 * before its commit may have set them. */
static void sweep_ids(struct tenetd *d)
{
	int tfd = tn_dp_map_open(d->bpffs, TN_MAP_TENANTS);
	int pfd = tn_dp_map_open(d->bpffs, TN_MAP_PORTS);
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
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_EGRESS);
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

/* Queues owned, and sockets on them, of no direct tenant of the rows. */
static void sweep_queues(struct tenetd *d)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_QOWNER);
	int xfd = tn_dp_map_open(d->bpffs, TN_MAP_NIC_XSKS);
	int zfd = tn_dp_map_open(d->bpffs, TN_MAP_QZC);
	struct tn_tenant_rec t;
	__u32 id, zero = 0;

	for (__u32 key = 0;
	     fd >= 0 && xfd >= 0 && key < TN_MAX_NICS * TN_MAX_QUEUES; key++) {
		if (bpf_map_lookup_elem(fd, &key, &id))
			break;
		if (id && !tn_store_tenant_get(d->st, id, &t) &&
		    t.mode == TN_MODE_DIRECT &&
		    (key == t.access_nic * TN_MAX_QUEUES +
				     (__u32)t.access_queue ||
		     key == t.uplink_nic * TN_MAX_QUEUES +
				     (__u32)t.uplink_queue))
			continue;
		if (id)
			bpf_map_update_elem(fd, &key, &zero, 0);
		/* A socket may be left where no one owns. */
		bpf_map_delete_elem(xfd, &key);
		if (zfd >= 0)
			bpf_map_update_elem(zfd, &key, &zero, 0);
	}
	if (fd >= 0)
		close(fd);
	if (xfd >= 0)
		close(xfd);
	if (zfd >= 0)
		close(zfd);
}

static bool has_row(struct tenetd *d, uint32_t id, void *arg)
{
	(void)arg;
	return known_id(d, id);
}

/* tn_local and tn_src4/6 entries of ids no row has. */
static void sweep_own(struct tenetd *d)
{
	static const char *const maps[] = { TN_MAP_SRC4, TN_MAP_SRC6 };

	local_sweep(d, has_row, NULL);
	for (int m = 0; m < 2; m++) {
		int fd = tn_dp_map_open(d->bpffs, maps[m]);
		struct tn_src6_key k, next;
		size_t ksz = m ? sizeof(struct tn_src6_key) :
				 sizeof(struct tn_src4_key);
		bool first = true;

		while (fd >= 0 &&
		       !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
			memcpy(&k, &next, ksz);
			first = false;
			if (known_id(d, k.tenant_id))
				continue;
			tenant_sources_down(d, k.tenant_id);
			first = true;
		}
		if (fd >= 0)
			close(fd);
	}
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
	sweep_map(d, TN_MAP_VLAN, sizeof(struct tn_vlan_key));
	sweep_map(d, TN_MAP_MAC, sizeof(struct tn_mac_key));
	sweep_map(d, TN_MAP_HOST, sizeof(struct tn_host_key));
	sweep_map(d, TN_MAP_LPM4, sizeof(struct tn_lpm4_key));
	sweep_map(d, TN_MAP_LPM6, sizeof(struct tn_lpm6_key));
	sweep_queues(d);
	sweep_own(d);
	tn_store_tenant_list(d->st, reconcile_cb, d);
}
