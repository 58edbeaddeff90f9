// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <tenet/ctl.h>

#include "ctl.h"

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

int tn_ctl_read(int fd, int timeout_ms, json_object **msg)
{
	struct timespec end;
	size_t len = 0;
	char *buf;
	int err = 0;

	*msg = NULL;
	buf = malloc(TN_CTL_MAX + 1);
	if (!buf)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	/* A slow or silent client must not hold the daemon: a deadline for
	 * the whole message. */
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = ms_left(&end);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			err = -ETIMEDOUT;
			break;
		}
		n = read(fd, buf + len, TN_CTL_MAX + 1 - len);
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
		len += (size_t)n;
		if (memchr(buf + len - n, '\n', (size_t)n))
			break;
		if (len > TN_CTL_MAX) {
			err = -EMSGSIZE;
			break;
		}
	}
	if (!err) {
		buf[len] = '\0';
		*msg = json_tokener_parse(buf);
		if (!*msg || !json_object_is_type(*msg, json_type_object)) {
			json_object_put(*msg);
			*msg = NULL;
			err = -EBADMSG;
		}
	}
	free(buf);
	return err;
}

int tn_ctl_write(int fd, json_object *msg)
{
	const char *s =
		json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;

	while (off <= len) {
		/* the terminating NUL is sent as the newline */
		const char *p = off < len ? s + off : "\n";
		size_t want = off < len ? len - off : 1;
		ssize_t n = write(fd, p, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
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
