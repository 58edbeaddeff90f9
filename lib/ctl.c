// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <tenet/ctl.h>

#include "ctl.h"

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

int tn_ctl_parse(const char *buf, size_t len, json_object **msg)
{
	json_tokener *tok = json_tokener_new();

	*msg = NULL;
	if (!tok)
		return -ENOMEM;
	if (len && buf[len - 1] == '\n')
		len--;
	/* One object, nothing after it but white space. */
	*msg = json_tokener_parse_ex(tok, buf, (int)len);
	if (*msg && json_object_is_type(*msg, json_type_object) &&
	    json_tokener_get_error(tok) == json_tokener_success) {
		size_t off = json_tokener_get_parse_end(tok);

		while (off < len && strchr(" \t\r", buf[off]))
			off++;
		if (off == len) {
			json_tokener_free(tok);
			return 0;
		}
	}
	json_tokener_free(tok);
	json_object_put(*msg);
	*msg = NULL;
	return -EBADMSG;
}

/* read(), keeping the first descriptor that comes with the bytes in *pass
 * (when pass, and it holds none yet) and closing any other. */
static ssize_t read_fds(int fd, char *buf, size_t len, int *pass)
{
	union {
		char b[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cb.b,
			     .msg_controllen = sizeof(cb.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	if (n < 0)
		return n;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h;
	     h = CMSG_NXTHDR(&mh, h)) {
		size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (pass && *pass < 0)
				*pass = f;
			else
				close(f);
		}
	}
	return n;
}

int tn_ctl_read(int fd, int timeout_ms, size_t max, json_object **msg)
{
	return tn_ctl_read_fd(fd, timeout_ms, max, msg, NULL);
}

int tn_ctl_read_fd(int fd, int timeout_ms, size_t max, json_object **msg,
		   int *pass)
{
	struct timespec end;
	size_t len = 0, cap = 0;
	char *buf = NULL, *nl = NULL;
	int err = 0;

	*msg = NULL;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	/* A deadline for the whole message; the buffer grows with it, up
	 * to max and the newline. */
	while (!nl) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = ms_left(&end);
		ssize_t n;

		if (len > max) {
			err = -EMSGSIZE;
			break;
		}
		if (cap - len < 4096) {
			size_t want = cap ? cap * 2 : 16384;
			char *b = realloc(buf, want > max + 2 ? max + 2 : want);

			if (!b) {
				err = -ENOMEM;
				break;
			}
			buf = b;
			cap = want > max + 2 ? max + 2 : want;
		}
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			err = -ETIMEDOUT;
			break;
		}
		n = read_fds(fd, buf + len, cap - len, pass);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0) { /* EOF: what came must be a whole object */
			err = len ? 0 : -EBADMSG;
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	if (!err && nl && (size_t)(nl - buf) > max)
		err = -EMSGSIZE;
	if (!err)
		err = tn_ctl_parse(buf, nl ? (size_t)(nl - buf) : len, msg);
	free(buf);
	return err;
}

int tn_ctl_write(int fd, json_object *msg)
{
	size_t len, off = 0;
	char *s = tn_ctl_format(msg, &len);
	int err = s ? 0 : -ENOMEM;

	while (!err && off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		else
			off += (size_t)n;
	}
	free(s);
	return err;
}

char *tn_ctl_format(json_object *msg, size_t *len)
{
	const char *s =
		json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t n = s ? strlen(s) : 0;
	char *out = s ? malloc(n + 1) : NULL;

	if (!out)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\n';
	*len = n + 1;
	return out;
}

json_object *tn_ctl_reply(int status, const char *message, json_object *data)
{
	json_object *r = json_object_new_object();

	json_object_object_add(r, "status", json_object_new_int(status));
	json_object_object_add(r, "message",
			       json_object_new_string(message ? message : ""));
	if (data)
		json_object_object_add(r, "data", data);
	return r;
}
