// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include "fs.h"

int tn_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	if (!*path ||
	    snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

#define RM_DEPTH_MAX 64

static int rm_at(int dfd, const char *name, dev_t dev, int depth)
{
	struct stat st;
	struct dirent *e;
	DIR *dh;
	int fd, err = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) && errno != ENOENT ? -errno : 0;
	if (st.st_dev != dev)
		return -EXDEV; /* a mount point: not ours to empty */
	if (depth >= RM_DEPTH_MAX)
		return -ELOOP;
	fd = openat(dfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	dh = fdopendir(fd);
	if (!dh) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((e = readdir(dh))) {
		int e2;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		e2 = rm_at(fd, e->d_name, dev, depth + 1);
		if (e2 && !err)
			err = e2;
	}
	closedir(dh);
	if (unlinkat(dfd, name, AT_REMOVEDIR) && errno != ENOENT && !err)
		err = -errno;
	return err;
}

int tn_rm_tree_at(int dfd, const char *name)
{
	struct stat st;

	if (fstat(dfd, &st))
		return -errno;
	return rm_at(dfd, name, st.st_dev, 0);
}

int tn_rm_tree(const char *path)
{
	char buf[PATH_MAX], *slash;
	int dfd, err;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	while ((slash = strrchr(buf, '/')) && slash != buf && !slash[1])
		*slash = '\0'; /* trailing slashes */
	slash = strrchr(buf, '/');
	if (slash == buf)
		dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else if (slash) {
		*slash = '\0';
		dfd = open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else {
		dfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = tn_rm_tree_at(dfd, slash ? slash + 1 : buf);
	close(dfd);
	return err;
}

int tn_dir_at(int parent, const char *name, mode_t mode, uid_t uid, gid_t gid)
{
	int fd;

	if (mkdirat(parent, name, mode) && errno != EEXIST)
		return -errno;
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -ENOTDIR : -errno;
	if (fchown(fd, uid, gid) || fchmod(fd, mode)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

ssize_t tn_read_beneath(const char *dir, const char *rel, void *buf, size_t n)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int dfd, fd;
	struct stat st;
	ssize_t ret;

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	ret = fd < 0 ? -errno : 0;
	close(dfd);
	if (ret)
		return ret;
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode))
		ret = -EINVAL;
	else if ((ret = pread(fd, buf, n, 0)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int tn_write_beneath(const char *dir, const char *rel, const void *buf,
		     size_t n)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC,
		.mode = 0644,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int dfd, fd, err = 0;
	struct stat st;
	ssize_t w;

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0)
		err = -errno;
	close(dfd);
	if (err)
		return err;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if ((w = write(fd, buf, n)) < 0)
		err = -errno;
	else if ((size_t)w != n)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int tn_install_beneath(const char *dir, const char *rel, int src, mode_t mode)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	char parent[PATH_MAX], tmp[NAME_MAX + 1];
	const char *base = strrchr(rel, '/');
	int dfd, pdfd, fd = -1, err = 0;
	struct stat st;
	off_t off = 0;

	if (!base || base == rel || !base[1] ||
	    snprintf(parent, sizeof(parent), "%.*s", (int)(base - rel), rel) >=
		    (int)sizeof(parent) ||
	    snprintf(tmp, sizeof(tmp), ".%s.tenet-new", base + 1) >=
		    (int)sizeof(tmp))
		return -EINVAL;
	base++;
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	/* Owned as the directory it goes in is: the container's root. */
	pdfd = (int)syscall(SYS_openat2, dfd, parent, &how, sizeof(how));
	if (pdfd < 0 || fstat(pdfd, &st))
		err = -errno;
	close(dfd);
	if (!err && unlinkat(pdfd, tmp, 0) && errno != ENOENT)
		err = -errno;
	if (!err) {
		fd = openat(pdfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd < 0)
			err = -errno;
	}
	while (!err) {
		char buf[65536];
		ssize_t r = pread(src, buf, sizeof(buf), off), w;

		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		w = write(fd, buf, (size_t)r);
		if (w != r)
			err = w < 0 ? -errno : -EIO;
		off += r;
	}
	if (!err &&
	    (fchown(fd, st.st_uid, st.st_gid) || fchmod(fd, mode) || fsync(fd)))
		err = -errno;
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	if (!err && renameat(pdfd, tmp, pdfd, base))
		err = -errno;
	if (err && fd >= 0)
		unlinkat(pdfd, tmp, 0);
	if (pdfd >= 0)
		close(pdfd);
	return err;
}
