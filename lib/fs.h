/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TENET_FS_H
#define TENET_FS_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p: parents 0755, the last one mode; existing ones are fine.
 * 0 or -errno. */
int tn_mkdir_p(const char *path, mode_t mode);

/*
 * rm -r, where a tenant may be writing while we remove: every step is
 * relative to a directory descriptor opened without following links
 * (O_NOFOLLOW), so no link swapped in sends us elsewhere; mount points are
 * not crossed; nesting deeper than 64 is left (and reported -ELOOP). A
 * missing path is fine. 0 or -errno.
 */
int tn_rm_tree(const char *path);
/* The same for name under the directory dfd. */
int tn_rm_tree_at(int dfd, const char *name);
/*
 * A directory name under the directory parent, made with mode if missing,
 * opened without following a link, and given to uid:gid with mode: the
 * descriptor (O_DIRECTORY) or -errno. What is there and is not a directory
 * is refused (-ENOTDIR).
 */
int tn_dir_at(int parent, const char *name, mode_t mode, uid_t uid, gid_t gid);

/*
 * Reads up to n bytes of the regular file rel under dir, where a tenant
 * may have planted links or FIFOs: no symlink is followed, nothing outside
 * dir is reached, and nothing blocks (openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS, O_NONBLOCK, S_ISREG). Bytes read or -errno.
 */
ssize_t tn_read_beneath(const char *dir, const char *rel, void *buf, size_t n);
/* Writes n bytes as the regular file rel under dir (made 0644, or
 * truncated), with the same care: rel's directories must exist. 0 or
 * -errno. */
int tn_write_beneath(const char *dir, const char *rel, const void *buf,
		     size_t n);

/*
 * Installs the content of src (a descriptor, read from offset 0) as the
 * file rel under dir, where a tenant may be writing: rel's directory is
 * reached beneath dir without following links or crossing mounts, the file
 * is written there under a new name (O_EXCL), given the directory's owner
 * and mode, and renamed over rel. A program running from the old file
 * keeps it; a link or anything else at rel is replaced, never followed.
 * 0 or -errno.
 */
int tn_install_beneath(const char *dir, const char *rel, int src, mode_t mode);

#endif
