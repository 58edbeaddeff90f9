/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The uids and gids tenetd gives its tenants' user namespaces: one range of
 * TN_ID_RANGE per tenant id, from a base (--id-base). The whole span must
 * be no one else's: not in a range of /etc/subuid or /etc/subgid (which
 * unprivileged containers and rootless tools map), not a user or group of
 * this host, not past the last valid id. tenetd refuses to start otherwise.
 */
#ifndef TENET_AGENT_IDS_H
#define TENET_AGENT_IDS_H

#include <stddef.h>
#include <stdint.h>

/* Above systemd's container range (524288..1879048191) and Debian's
 * default subordinate ids (100000..600100000). */
#define TN_ID_BASE_DEFAULT 1879048192u

/* 0, or -EEXIST / -ERANGE with the reason in err. The files are read from
 * etc_dir ("/etc" but for tests). */
int tn_ids_check(const char *etc_dir, uint64_t base, uint64_t count, char *err,
		 size_t n);

#endif
