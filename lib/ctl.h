/* SPDX-License-Identifier: GPL-2.0 */
/* Framing of the control socket (include/tenet/ctl.h): one JSON object and
 * a newline each way. The blocking calls are the client's (tenetctl);
 * tenetd reads and writes without blocking (agent/control.c) and shares
 * the parsing and formatting. */
#ifndef TENET_LIB_CTL_H
#define TENET_LIB_CTL_H

#include <stddef.h>
#include <json-c/json.h>

/* Reads one object of at most max bytes (newline excluded): 0, -EMSGSIZE,
 * -EBADMSG (not a JSON object, or cut short), -ETIMEDOUT (nothing complete
 * within timeout_ms), or -errno. The caller puts *msg. */
int tn_ctl_read(int fd, int timeout_ms, size_t max, json_object **msg);
/* tn_ctl_read(), the descriptor sent with the object (SCM_RIGHTS) kept in
 * *pass (-1 before; still -1 if none came; any other is closed). */
int tn_ctl_read_fd(int fd, int timeout_ms, size_t max, json_object **msg,
		   int *pass);
/* Writes one object and the newline. */
int tn_ctl_write(int fd, json_object *msg);
/* The object in buf[0..len) (a newline may end it): 0 or -EBADMSG. */
int tn_ctl_parse(const char *buf, size_t len, json_object **msg);
/* msg as sent: a malloc'd string ending in a newline, its length in *len;
 * NULL when out of memory. */
char *tn_ctl_format(json_object *msg, size_t *len);
/* A reply: {"status": status, "message": message[, "data": data]}; takes
 * data's reference. */
json_object *tn_ctl_reply(int status, const char *message, json_object *data);

#endif
