// SPDX-License-Identifier: GPL-2.0
/*
 * Links over rtnetlink with libmnl, for tenetd: tenants' veth pairs made,
 * moved, raised and removed without shelling out to ip(8); the one
 * ethtool ioctl everyone uses; the AF_XDP sockets the kernel lists. Every request
 * asks for an acknowledgement, so the kernel's own errno comes back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/veth.h>
#include <linux/xdp_diag.h>

#include "nl.h"

/* Sends one request and reads the answer: with cb, the kernel's reply
 * messages (a get); without, its acknowledgement. */
static int request(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	uint32_t portid, seq = (uint32_t)time(NULL);
	ssize_t n;
	int err;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | (cb ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		err = -errno;
		goto out;
	}
	/* An ack is an error message with error 0; mnl turns a non-zero one
	 * into -1 with errno set. */
	err = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data) < 0 ? -errno :
								      0;
out:
	mnl_socket_close(nl);
	return err;
}

static int talk(struct nlmsghdr *nlh)
{
	return request(nlh, NULL, NULL);
}

static int name_ok(const char *name)
{
	return name && *name && strlen(name) < IFNAMSIZ;
}

int tn_nl_veth_add(const char *name, const char *peer, int peer_netns_fd,
		   unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo, *data, *peer_attr;
	struct ifinfomsg *ifi;

	if (!name_ok(name) || !name_ok(peer))
		return -EINVAL;
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow its own ifinfomsg. */
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peer_attr);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return talk(nlh);
}

/* RTM_NEWLINK or RTM_DELLINK for an existing link by name. */
static struct nlmsghdr *link_msg(char *buf, uint16_t type, const char *name,
				 struct ifinfomsg **ifi)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	*ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifi));
	(*ifi)->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

int tn_nl_link_del(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;

	if (!name_ok(name))
		return -EINVAL;
	return talk(link_msg(buf, RTM_DELLINK, name, &ifi));
}

int tn_nl_link_up(const char *name, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	if (!name_ok(name))
		return -EINVAL;
	nlh = link_msg(buf, RTM_NEWLINK, name, &ifi);
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return talk(nlh);
}

int tn_nl_link_set_mac(const char *name, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	if (!name_ok(name))
		return -EINVAL;
	nlh = link_msg(buf, RTM_NEWLINK, name, &ifi);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return talk(nlh);
}

int tn_nl_link_set_alias(const char *name, const char *alias)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;

	if (!name_ok(name) || strlen(alias) >= 256)
		return -EINVAL;
	nlh = link_msg(buf, RTM_NEWLINK, name, &ifi);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	return talk(nlh);
}

struct alias_ctx {
	char *buf;
	size_t n;
};

static int alias_attr(const struct nlattr *a, void *data)
{
	struct alias_ctx *c = data;

	if (mnl_attr_get_type(a) == IFLA_IFALIAS &&
	    !mnl_attr_validate(a, MNL_TYPE_STRING))
		snprintf(c->buf, c->n, "%.*s",
			 (int)strnlen(mnl_attr_get_str(a),
				      mnl_attr_get_payload_len(a)),
			 mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int alias_msg(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), alias_attr, data);
}

int tn_nl_link_alias(const char *name, char *buf, size_t n)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct alias_ctx c = { buf, n };
	struct ifinfomsg *ifi;

	if (!name_ok(name) || !n)
		return -EINVAL;
	*buf = '\0';
	return request(link_msg(req, RTM_GETLINK, name, &ifi), alias_msg, &c);
}

static int rxq_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_NUM_RX_QUEUES &&
	    !mnl_attr_validate(a, MNL_TYPE_U32))
		*(unsigned int *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int rxq_msg(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), rxq_attr, data);
}

int tn_nl_link_rx_queues(const char *name, unsigned int *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifi;
	int err;

	if (!name_ok(name))
		return -EINVAL;
	*n = 0;
	err = request(link_msg(buf, RTM_GETLINK, name, &ifi), rxq_msg, n);
	return !err && !*n ? -ENODATA : err;
}

int tn_ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };
	int fd, err = 0;

	if (!name_ok(ifname))
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

int tn_nl_route(bool add, int family, const uint8_t *dst, unsigned int len,
		const uint8_t *via)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	size_t alen = family == AF_INET ? 4 : 16;
	struct rtmsg *rtm;

	if ((family != AF_INET && family != AF_INET6) || len > alen * 8)
		return -EINVAL;
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_EXCL : 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, alen, dst);
	mnl_attr_put(nlh, RTA_GATEWAY, alen, via);
	return talk(nlh);
}

/* ---- AF_XDP sockets, as the kernel lists them (sock_diag) ---- */

struct xsk_dump {
	int (*cb)(const struct tn_xsk_diag *x, void *arg);
	void *arg;
	int stop;
};

static int xsk_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= XDP_DIAG_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int xsk_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[XDP_DIAG_MAX + 1] = { 0 };
	const struct xdp_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct xsk_dump *d = data;
	struct tn_xsk_diag x = { .ino = m->xdiag_ino };

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) ||
	    mnl_attr_parse(nlh, sizeof(*m), xsk_attr, tb) < 0)
		return MNL_CB_ERROR;
	if (tb[XDP_DIAG_INFO] && mnl_attr_get_payload_len(tb[XDP_DIAG_INFO]) >=
					 sizeof(struct xdp_diag_info)) {
		const struct xdp_diag_info *i =
			mnl_attr_get_payload(tb[XDP_DIAG_INFO]);

		x.ifindex = i->ifindex;
		x.queue = i->queue_id;
	}
	if (tb[XDP_DIAG_UMEM] && mnl_attr_get_payload_len(tb[XDP_DIAG_UMEM]) >=
					 sizeof(struct xdp_diag_umem)) {
		const struct xdp_diag_umem *u =
			mnl_attr_get_payload(tb[XDP_DIAG_UMEM]);

		x.umem_id = u->id;
		x.umem_size = u->size;
		x.zerocopy = u->flags & XDP_DU_F_ZEROCOPY;
	}
	x.rx_ring = !!tb[XDP_DIAG_RX_RING];
	x.tx_ring = !!tb[XDP_DIAG_TX_RING];
	/* A socket not bound says ifindex 0: not on any queue. */
	if (x.ifindex && (d->stop = d->cb(&x, d->arg)))
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int tn_nl_xsk_list(int (*cb)(const struct tn_xsk_diag *x, void *arg), void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xdp_diag_req *req;
	struct xsk_dump d = { cb, arg, 0 };
	struct mnl_socket *nl;
	uint32_t portid, seq = (uint32_t)time(NULL);
	int err = 0, r = 0;
	ssize_t n;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = AF_XDP;
	req->xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM;
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			err = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, xsk_msg, &d);
		if (r < 0)
			err = errno ? -errno : -EBADMSG;
	} while (r > 0 && !d.stop);
out:
	mnl_socket_close(nl);
	return err ? err : d.stop;
}
