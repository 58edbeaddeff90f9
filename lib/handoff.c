// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "handoff.h"
#include "xsk.h"

int tn_ho_send_fds(int conn, json_object *msg, const int *fds, int nfds)
{
	const char *s =
		json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	char cbuf[CMSG_SPACE(TN_HO_MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)s, .iov_len = strlen(s) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (iov.iov_len > TN_HO_MAX_MSG)
		return -EMSGSIZE;
	if (nfds < 0 || nfds > TN_HO_MAX_FDS)
		return -EINVAL;
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	if (sendmsg(conn, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int tn_ho_send(int conn, json_object *msg, int fd)
{
	return tn_ho_send_fds(conn, msg, &fd, fd >= 0);
}

int tn_ho_recv_fds(int conn, json_object **msg, int *fds, int max)
{
	char buf[TN_HO_MAX_MSG + 1], cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = TN_HO_MAX_MSG };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int got = 0;
	ssize_t n;

	for (int i = 0; i < max; i++)
		fds[i] = -1;
	*msg = NULL;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	/* Up to max descriptors are kept; any more the peer sent are
	 * closed. */
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < max)
				fds[got++] = f;
			else
				close(f);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		goto bad;
	buf[n] = '\0';
	if (!tn_ho_parse(buf, msg))
		return 0;
bad:
	for (int i = 0; i < got; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	return -EBADMSG;
}

int tn_ho_recv(int conn, json_object **msg, int *fd)
{
	return tn_ho_recv_fds(conn, msg, fd, 1);
}

int tn_ho_recv_nofd(int conn, json_object **msg,
		    void (*reap)(int fd, void *arg), void *arg)
{
	/* SCM_MAX_FD (253) descriptors and then some: whatever a message
	 * carries is installed here, never dropped by the kernel in our
	 * context (the last close of a file runs its release there). */
	union {
		char buf[CMSG_SPACE(256 * sizeof(int))];
		struct cmsghdr align;
	} c;
	char buf[TN_HO_MAX_MSG + 1];
	struct iovec iov = { .iov_base = buf, .iov_len = TN_HO_MAX_MSG };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf) };
	bool fds = false;
	ssize_t n;

	*msg = NULL;
	n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h;
	     h = CMSG_NXTHDR(&mh, h)) {
		size_t nfd;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			reap(f, arg);
			fds = true;
		}
	}
	if (fds)
		return -EPROTO;
	if (n == 0)
		return -ECONNRESET;
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return -EBADMSG;
	buf[n] = '\0';
	return tn_ho_parse(buf, msg);
}

int tn_ho_parse(const char *s, json_object **msg)
{
	*msg = json_tokener_parse(s);
	if (!*msg || !json_object_is_type(*msg, json_type_object)) {
		json_object_put(*msg);
		*msg = NULL;
		return -EBADMSG;
	}
	return 0;
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

int tn_ho_make(struct tn_ho_bound *b, const char *ifname, int64_t queue,
	       const char *rx_for, int map_fd, __u32 key)
{
	struct tn_ho_sock *k = &b->s[b->made];
	int ifindex = (int)if_nametoindex(ifname);

	if (b->made == TN_HO_MAX_SOCKS || strlen(ifname) >= sizeof(k->ifname) ||
	    strlen(rx_for) >= sizeof(k->rx_for))
		return -E2BIG;
	if (!ifindex)
		return -ENODEV;
	memset(k, 0, sizeof(*k));
	k->umem_fd = k->zc_map = -1;
	k->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		return -errno;
	k->ifindex = ifindex;
	k->queue = queue;
	strcpy(k->ifname, ifname);
	strcpy(k->rx_for, rx_for);
	k->map_fd = map_fd;
	k->key = key;
	b->made++;
	return 0;
}

void tn_ho_flag_zc(struct tn_ho_bound *b, int zc_map)
{
	for (int i = 0; i < b->made; i++)
		if (b->s[i].rx_for[0])
			b->s[i].zc_map = zc_map;
}

/* k's flag in its zc_map, if it has one. */
static void flag_zc(const struct tn_ho_sock *k, __u32 on)
{
	if (k->zc_map >= 0)
		bpf_map_update_elem(k->zc_map, &k->key, &on, 0);
}

int tn_ho_make_ifs(struct tn_ho_bound *b, const char *const *ifnames, int nifs,
		   int64_t queues, int xsk_map, int if_map)
{
	int err = 0;

	if (queues < 1 || queues > TN_MAX_QUEUES || nifs < 1 ||
	    nifs > TN_RX_MAX_IFS)
		return -EINVAL;
	for (int64_t q = 0; !err && q < queues; q++)
		for (int i = 0; !err && i < nifs; i++) {
			__u32 ifindex = if_nametoindex(ifnames[i]), slot;

			if (!ifindex)
				return -ENODEV;
			/* tenant_rx must know the interface already. */
			if (bpf_map_lookup_elem(if_map, &ifindex, &slot))
				return -ENOENT;
			err = tn_ho_make(b, ifnames[i], q, "", xsk_map,
					 slot * TN_MAX_QUEUES + (__u32)q);
		}
	return err;
}

static int send_sock(int conn, const struct tn_ho_sock *k, int id)
{
	json_object *m = json_object_new_object();
	int err;

	json_object_object_add(m, "type", json_object_new_string("xsk"));
	json_object_object_add(m, "id", json_object_new_int(id));
	json_object_object_add(m, "ifname", json_object_new_string(k->ifname));
	json_object_object_add(m, "ifindex", json_object_new_int(k->ifindex));
	json_object_object_add(m, "queue", json_object_new_int64(k->queue));
	if (k->rx_for[0]) {
		json_object_object_add(m, "rx_for",
				       json_object_new_string(k->rx_for));
		json_object_object_add(m, "ring",
				       json_object_new_int(TN_HO_DIRECT_RING));
		json_object_object_add(
			m, "frames", json_object_new_int(TN_HO_DIRECT_FRAMES));
		json_object_object_add(m, "frame_size",
				       json_object_new_int(TN_XSK_FRAME_SIZE));
		json_object_object_add(m, "zerocopy",
				       json_object_new_boolean(k->zerocopy));
		json_object_object_add(m, "zc_requested",
				       json_object_new_boolean(k->zc_ok));
	}
	err = tn_ho_send_fds(conn, m, (int[]){ k->fd, k->umem_fd },
			     k->rx_for[0] ? 2 : 1);
	json_object_put(m);
	return err;
}

int tn_ho_send_own(int conn, struct tn_ho_bound *b)
{
	int n = 0, err = 0;

	for (int i = 0; !err && i < b->made; i++)
		if (!b->s[i].rx_for[0]) {
			err = send_sock(conn, &b->s[i], i);
			b->s[i].sent = !err;
			n += !err;
		}
	return err ? err : n;
}

int tn_ho_answer(struct tn_ho_bound *b, json_object *m)
{
	const char *type = tn_ho_type(m);
	struct tn_ho_sock *k;
	int64_t id;

	if ((strcmp(type, "bound") && strcmp(type, "error")) ||
	    !tn_ho_int(m, "id", &id) || id < 0 || id >= b->made ||
	    !b->s[id].sent || b->s[id].answered)
		return 0;
	k = &b->s[id];
	k->answered = true;
	if (!strcmp(type, "bound") &&
	    !bpf_map_update_elem(k->map_fd, &k->key, &k->fd, 0)) {
		k->bound = true;
		/* A NIC queue's mode is what we bound it in. */
		if (!k->rx_for[0])
			k->zerocopy = json_object_get_boolean(
				json_object_object_get(m, "zerocopy"));
		b->zerocopy |= k->zerocopy;
		b->n++;
	}
	return 1;
}

/*
 * The NIC queues' sockets we bind ourselves, each on a UMEM of its own,
 * read-only, before the router has them: it can then neither add a TX ring
 * nor bind them elsewhere, and never sends on a NIC.
 */
int tn_ho_bind_nic(struct tn_ho_bound *b)
{
	int held = 0;

	for (int i = 0; i < b->made; i++) {
		struct tn_ho_sock *k = &b->s[i];
		int e;

		if (!k->rx_for[0] || k->nic_bound || k->nic_err)
			continue;
		e = k->nic_rings ?
			    0 :
			    tn_xsk_nic_umem(k->fd, TN_HO_DIRECT_FRAMES,
					    TN_HO_DIRECT_RING, &k->umem_fd);
		k->nic_rings = !e;
		if (!e)
			e = tn_xsk_bind_nic(
				k->fd, k->ifindex, (uint32_t)k->queue,
				k->zc_ok ? TN_XSK_AUTO : TN_XSK_COPY,
				&k->zerocopy);
		if (!e) {
			k->nic_bound = true;
			/* Its queue's frames are in its UMEM from now on. */
			flag_zc(k, k->zerocopy);
		} else if (e == -EBUSY)
			held++;
		else
			k->nic_err = e;
	}
	return held;
}

int tn_ho_send_nic(int conn, struct tn_ho_bound *b)
{
	int n = 0, err = 0;

	for (int i = 0; !err && i < b->made; i++) {
		struct tn_ho_sock *k = &b->s[i];

		if (!k->rx_for[0])
			continue;
		/* A queue another socket still holds stays unbound: the
		 * router goes without it, and says how many it has. */
		if (!k->nic_bound) {
			b->unsent++;
			b->unsent_err = k->nic_err ? k->nic_err : -EBUSY;
			continue;
		}
		err = send_sock(conn, k, i);
		k->sent = !err;
		n += !err;
	}
	return err ? err : n;
}

int tn_ho_send_done(int conn)
{
	json_object *m = json_object_new_object();
	int err;

	json_object_object_add(m, "type", json_object_new_string("done"));
	err = tn_ho_send(conn, m, -1);
	json_object_put(m);
	return err;
}

int tn_ho_send_fast(int conn, int fd, const char *const ports[2])
{
	json_object *m = json_object_new_object(), *a = json_object_new_array();
	int err;

	json_object_object_add(m, "type", json_object_new_string("fast"));
	json_object_object_add(m, "slots", json_object_new_int(TN_FAST_SLOTS));
	for (int i = 0; i < 2; i++)
		json_object_array_add(a, json_object_new_string(ports[i]));
	json_object_object_add(m, "ports", a);
	err = tn_ho_send(conn, m, fd);
	json_object_put(m);
	return err;
}

/* Reads n answers, blocking. */
static int answers(int conn, struct tn_ho_bound *b, int n)
{
	json_object *m;
	int err = 0, fd;

	while (!err && n > 0) {
		err = tn_ho_recv(conn, &m, &fd);
		if (err)
			break;
		if (fd >= 0)
			close(fd);
		if (tn_ho_answer(b, m))
			n--;
		else
			err = -EPROTO;
		json_object_put(m);
	}
	return err;
}

int tn_ho_serve(int conn, struct tn_ho_bound *b)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int n = tn_ho_send_own(conn, b), err = n < 0 ? n : 0;

	if (!err)
		err = answers(conn, b, n);
	for (int i = 0; !err && i < 5 && tn_ho_bind_nic(b); i++)
		nanosleep(&ts, NULL);
	if (!err) {
		n = tn_ho_send_nic(conn, b);
		err = n < 0 ? n : answers(conn, b, n);
	}
	if (!err)
		err = tn_ho_send_done(conn);
	if (err)
		tn_ho_unbind(b);
	return err;
}

void tn_ho_unbind(struct tn_ho_bound *b)
{
	for (int i = 0; i < b->made; i++) {
		if (b->s[i].bound)
			bpf_map_delete_elem(b->s[i].map_fd, &b->s[i].key);
		if (b->s[i].nic_bound)
			flag_zc(&b->s[i], 0);
		close(b->s[i].fd);
		tn_xsk_nic_umem_drop(b->s[i].umem_fd);
	}
	b->n = b->made = b->unsent = b->unsent_err = 0;
	b->zerocopy = false;
}
