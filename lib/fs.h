/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TENET_FS_H
#define TENET_FS_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p: parents 0755, the last one mode; existing ones are fine.
 * 0 or -errno. */
int tn_mkdir_p(const char *path, mode_t mode);

/* rm -r, without following links; a missing path is fine. 0 or -errno. */
int tn_rm_tree(const char *path);

/*
 * Reads up to n bytes of the regular file rel under dir, where a tenant
 * may have planted links or FIFOs: no symlink is followed, nothing outside
 * dir is reached, and nothing blocks (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS, O_NONBLOCK, S_ISREG). Bytes read or -errno.
 */
ssize_t tn_read_beneath(const char *dir, const char *rel, void *buf, size_t n);

#endif
