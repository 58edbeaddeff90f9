// SPDX-License-Identifier: GPL-2.0
/* The names of a tenant's things, and its netns: see naming.h. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "naming.h"
#include "parse.h"
#include "records.h"

/* The address of an interface address ADDR/LEN, host bits and all. */
int cidr_addr(const char *cidr, int *family, uint8_t addr[16])
{
	char ip[TN_STORE_CIDR_MAX + 1];
	size_t n = strcspn(cidr, "/");

	if (n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, cidr, n);
	ip[n] = '\0';
	return tn_parse_ip(ip, family, addr);
}

void veth_name(char *buf, uint32_t id, int role, bool peer)
{
	snprintf(buf, IF_NAMESIZE, "tn%u%c%s", id, role ? 'u' : 'a',
		 peer ? "c" : "");
}

void tenants_dir(struct tenetd *d, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tenants", d->run_dir);
}

void sock_dir(struct tenetd *d, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tenants/%s", d->run_dir, name);
}

void rx_pin_dir(struct tenetd *d, uint32_t id, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tenants/%u", d->bpffs, id);
}

void rootfs_dir(struct tenetd *d, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/rootfs", d->lxc_path, name);
}

void derived_mac(uint32_t id, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x74;
	mac[2] = 0x6e;
	mac[3] = (uint8_t)(id >> 16);
	mac[4] = (uint8_t)(id >> 8);
	mac[5] = (uint8_t)id;
}

void access_mac(uint32_t id, uint8_t mac[6])
{
	derived_mac(id, mac);
	mac[0] = 0x06; /* another locally administered unicast block */
}

void mac_str(const uint8_t m[6], char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		m[4], m[5]);
}

int ifindex_of(const char *name)
{
	return (int)if_nametoindex(name);
}

int in_netns_fd(int fd, int (*fn)(void *arg), void *arg)
{
	int self, err;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		close(self);
		return err;
	}
	err = fn(arg);
	if (setns(self, CLONE_NEWNET)) {
		/* Cannot happen with our own netns; carrying on in the
		 * tenant's would be worse than stopping. */
		tn_err("cannot return to the agent's netns: %s\n",
		       strerror(errno));
		abort();
	}
	close(self);
	return err;
}

int in_netns(pid_t pid, int (*fn)(void *arg), void *arg)
{
	char path[64];
	int ns, err;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -errno;
	err = in_netns_fd(ns, fn, arg);
	close(ns);
	return err;
}

int ct_mark(struct tenetd *d, const char *name, bool set)
{
	char path[4096], dir[4096];
	int err;

	/* <state-dir>/made/NAME holds the LXC path it was made in */
	snprintf(dir, sizeof(dir), "%s/made", d->state_dir);
	if (strchr(name, '/') || snprintf(path, sizeof(path), "%s/%s", dir,
					  name) >= (int)sizeof(path))
		return -EINVAL;
	if (!set)
		return unlink(path) && errno != ENOENT ? -errno : 0;
	err = tn_mkdir_p(dir, 0700);
	if (!err)
		err = tn_write_beneath(dir, name, d->lxc_path,
				       strlen(d->lxc_path));
	return err;
}

bool ct_marked(struct tenetd *d, const char *name)
{
	char dir[4096], buf[4096];
	ssize_t len;

	snprintf(dir, sizeof(dir), "%s/made", d->state_dir);
	len = tn_read_beneath(dir, name, buf, sizeof(buf) - 1);
	if (len < 0)
		return false;
	buf[len] = '\0';
	return !strcmp(buf, d->lxc_path);
}
