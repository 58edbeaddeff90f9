/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TENET_FS_H
#define TENET_FS_H

#include <sys/types.h>

/* mkdir -p: parents 0755, the last one mode; existing ones are fine.
 * 0 or -errno. */
int tn_mkdir_p(const char *path, mode_t mode);

/* rm -r, without following links; a missing path is fine. 0 or -errno. */
int tn_rm_tree(const char *path);

#endif
