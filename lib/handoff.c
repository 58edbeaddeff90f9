// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "handoff.h"

int tn_ho_send(int conn, json_object *msg, int fd)
{
	const char *s =
		json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (iov.iov_len > TN_HO_MAX_MSG)
		return -EMSGSIZE;
	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(conn, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int tn_ho_recv(int conn, json_object **msg, int *fd)
{
	char buf[TN_HO_MAX_MSG + 1], cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = TN_HO_MAX_MSG };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	*msg = NULL;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	/* One descriptor is kept; any more the peer sent are closed. */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		goto bad;
	buf[n] = '\0';
	*msg = json_tokener_parse(buf);
	if (!*msg || !json_object_is_type(*msg, json_type_object))
		goto bad;
	return 0;
bad:
	json_object_put(*msg);
	*msg = NULL;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return -EBADMSG;
}

const char *tn_ho_type(json_object *msg)
{
	const char *t = tn_ho_str(msg, "type");

	return t ? t : "";
}

bool tn_ho_int(json_object *msg, const char *key, int64_t *v)
{
	json_object *o;

	if (!json_object_object_get_ex(msg, key, &o) ||
	    !json_object_is_type(o, json_type_int))
		return false;
	*v = json_object_get_int64(o);
	return true;
}

const char *tn_ho_str(json_object *msg, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(msg, key, &o) ||
	    !json_object_is_type(o, json_type_string))
		return NULL;
	return json_object_get_string(o);
}

/* The socket made for ifindex and queue q, or -1. */
static int made_for(const struct tn_ho_bound *b, int64_t ifindex, int64_t q)
{
	for (int i = 0; i < b->made; i++)
		if (b->ifindex[i] == ifindex && b->queue[i] == q)
			return i;
	return -1;
}

int tn_ho_serve(int conn, int64_t queues, const char *const *ifnames, int nifs,
		int xsk_map, int if_map, struct tn_ho_bound *b)
{
	json_object *m;
	int err = 0, fd;

	memset(b, 0, sizeof(*b));
	if (queues < 1 || queues > TN_MAX_QUEUES || nifs < 1 ||
	    nifs > TN_RX_MAX_IFS)
		return -EINVAL;
	for (int64_t q = 0; !err && q < queues; q++)
		for (int i = 0; !err && i < nifs; i++) {
			int ifindex = (int)if_nametoindex(ifnames[i]);
			int s = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

			if (!ifindex || s < 0) {
				err = s < 0 ? -errno : -ENODEV;
				if (s >= 0)
					close(s);
				break;
			}
			b->fds[b->made] = s;
			b->ifindex[b->made] = ifindex;
			b->queue[b->made++] = q;
			m = json_object_new_object();
			json_object_object_add(m, "type",
					       json_object_new_string("xsk"));
			json_object_object_add(
				m, "ifname",
				json_object_new_string(ifnames[i]));
			json_object_object_add(m, "ifindex",
					       json_object_new_int(ifindex));
			json_object_object_add(m, "queue",
					       json_object_new_int64(q));
			err = tn_ho_send(conn, m, s);
			json_object_put(m);
		}
	if (!err) {
		m = json_object_new_object();
		json_object_object_add(m, "type",
				       json_object_new_string("done"));
		err = tn_ho_send(conn, m, -1);
		json_object_put(m);
	}
	/* One answer per socket sent: bound ones go into the XSKMAP. */
	for (int n = 0; !err && n < b->made; n++) {
		int64_t ifindex, q;
		__u32 slot, key;
		int i;

		err = tn_ho_recv(conn, &m, &fd);
		if (err)
			break;
		if (fd >= 0)
			close(fd);
		if (strcmp(tn_ho_type(m), "bound") ||
		    !tn_ho_int(m, "ifindex", &ifindex) ||
		    !tn_ho_int(m, "queue", &q) ||
		    (i = made_for(b, ifindex, q)) < 0 ||
		    bpf_map_lookup_elem(if_map, &(__u32){ (__u32)ifindex },
					&slot)) {
			json_object_put(m);
			continue;
		}
		key = slot * TN_MAX_QUEUES + (__u32)q;
		if (!bpf_map_update_elem(xsk_map, &key, &b->fds[i], 0)) {
			b->which[b->n] = i;
			b->keys[b->n++] = key;
			b->zerocopy |= json_object_get_boolean(
				json_object_object_get(m, "zerocopy"));
		}
		json_object_put(m);
	}
	if (err)
		tn_ho_unbind(b, xsk_map);
	return err;
}

void tn_ho_unbind(struct tn_ho_bound *b, int xsk_map)
{
	for (int k = 0; k < b->n; k++)
		bpf_map_delete_elem(xsk_map, &b->keys[k]);
	for (int i = 0; i < b->made; i++)
		close(b->fds[i]);
	b->n = b->made = 0;
}
