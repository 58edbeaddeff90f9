/* SPDX-License-Identifier: GPL-2.0 */
/* Framing of the control socket (include/tenet/ctl.h): one JSON object and
 * a newline each way. */
#ifndef TENET_LIB_CTL_H
#define TENET_LIB_CTL_H

#include <json-c/json.h>

/* Reads one object: 0, -EMSGSIZE (over TN_CTL_MAX), -EBADMSG (not a JSON
 * object, or cut short), -ETIMEDOUT (nothing complete within timeout_ms),
 * or -errno. The caller puts *msg. */
int tn_ctl_read(int fd, int timeout_ms, json_object **msg);
/* Writes one object and the newline. */
int tn_ctl_write(int fd, json_object *msg);
/* A reply: {"status": status, "message": message[, "data": data]}; takes
 * data's reference. */
json_object *tn_ctl_reply(int status, const char *message, json_object *data);

#endif
