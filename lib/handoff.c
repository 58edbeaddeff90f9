// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
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
