// SPDX-License-Identifier: GPL-2.0
/*
 * What tenetd does where tenants can reach, in isolation: removing and
 * making directories a tenant writes to never follows a link out of them
 * (lib/fs.c); closes that block as long as a tenant likes run on the
 * reaper's threads, never the caller's, one tenant's never holding
 * another's (agent/reaper.c); the tenants' id span is checked against
 * /etc/subuid and /etc/subgid (agent/ids.c); the neighbour thresholds grow
 * with the tenants (agent/neigh.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fs.h"
#include "ids.h"
#include "neigh.h"
#include "reaper.h"

static char top[64];

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int mktop(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/tn-safety.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int rmtop(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd) ? -1 : 0;
}

/* A tree with links to a file and a directory outside it: removed, the
 * outside left as it was. */
static void test_rm_tree_no_follow(void **state)
{
	char p[256], victim[256], vdir[256];
	struct stat st;

	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", top);
	snprintf(vdir, sizeof(vdir), "%s/vdir", top);
	put(victim, "keep");
	mkdir(vdir, 0755);
	snprintf(p, sizeof(p), "%s/vdir/inside", top);
	put(p, "keep");
	snprintf(p, sizeof(p), "%s/t", top);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/t/a", top);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/t/a/file", top);
	put(p, "x");
	snprintf(p, sizeof(p), "%s/t/a/tofile", top);
	assert_int_equal(symlink(victim, p), 0);
	snprintf(p, sizeof(p), "%s/t/todir", top);
	assert_int_equal(symlink(vdir, p), 0);
	snprintf(p, sizeof(p), "%s/t", top);
	assert_int_equal(tn_rm_tree(p), 0);
	assert_int_equal(lstat(p, &st), -1);
	assert_int_equal(stat(victim, &st), 0);
	snprintf(p, sizeof(p), "%s/vdir/inside", top);
	assert_int_equal(stat(p, &st), 0);
	/* Missing: fine. A link given itself: removed, not followed. */
	snprintf(p, sizeof(p), "%s/none", top);
	assert_int_equal(tn_rm_tree(p), 0);
	snprintf(p, sizeof(p), "%s/link", top);
	assert_int_equal(symlink(vdir, p), 0);
	assert_int_equal(tn_rm_tree(p), 0);
	snprintf(p, sizeof(p), "%s/vdir/inside", top);
	assert_int_equal(stat(p, &st), 0);
}

/* Nesting past the bound is left, and said. */
static void test_rm_tree_deep(void **state)
{
	char p[4096];
	size_t n;

	(void)state;
	n = (size_t)snprintf(p, sizeof(p), "%s/deep", top);
	mkdir(p, 0755);
	for (int i = 0; i < 70; i++) {
		n += (size_t)snprintf(p + n, sizeof(p) - n, "/d");
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/deep", top);
	assert_int_equal(tn_rm_tree(p), -ELOOP);
}

static void test_dir_at(void **state)
{
	char p[256];
	int dfd, fd;
	struct stat st;

	(void)state;
	dfd = open(top, O_PATH | O_DIRECTORY);
	assert_true(dfd >= 0);
	fd = tn_dir_at(dfd, "sock", 0700, 4242, 4243);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode) && st.st_uid == 4242 &&
		    st.st_gid == 4243 && (st.st_mode & 07777) == 0700);
	close(fd);
	/* A link in its place is refused, its target untouched. */
	snprintf(p, sizeof(p), "%s/victim2", top);
	put(p, "keep");
	assert_int_equal(symlinkat(p, dfd, "sock2"), 0);
	assert_int_equal(tn_dir_at(dfd, "sock2", 0700, 4242, 4242), -ENOTDIR);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 0);
	close(dfd);
}

static void test_write_beneath(void **state)
{
	char p[256], buf[16] = "";
	struct stat st;

	(void)state;
	snprintf(p, sizeof(p), "%s/etc", top);
	mkdir(p, 0755);
	assert_int_equal(tn_write_beneath(top, "etc/args", "a b\n", 4), 0);
	assert_int_equal(tn_read_beneath(top, "etc/args", buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "a b\n", 4);
	snprintf(p, sizeof(p), "%s/victim3", top);
	put(p, "keep");
	snprintf(buf, sizeof(buf), "etc/lnk");
	{
		char l[256];

		snprintf(l, sizeof(l), "%s/etc/lnk", top);
		assert_int_equal(symlink(p, l), 0);
	}
	assert_int_equal(tn_write_beneath(top, "etc/lnk", "x", 1), -ELOOP);
	assert_int_equal(tn_write_beneath(top, "../x", "x", 1), -EXDEV);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 4);
}

/* A binary put in a tenant's rootfs: through no link, past a running
 * copy, owned as its directory is. */
static void test_install_beneath(void **state)
{
	char p[256], l[256], buf[16] = "";
	struct stat st, dst;
	int src, busy;

	(void)state;
	snprintf(p, sizeof(p), "%s/src", top);
	put(p, "new binary");
	src = open(p, O_RDONLY);
	assert_true(src >= 0);
	snprintf(p, sizeof(p), "%s/usr", top);
	mkdir(p, 0755);
	assert_int_equal(chown(p, 4242, 4343), 0);
	snprintf(p, sizeof(p), "%s/usr/router", top);
	put(p, "old");
	/* Held open for writing elsewhere: renamed over, not written. */
	busy = open(p, O_RDONLY);
	assert_int_equal(tn_install_beneath(top, "usr/router", src, 0755), 0);
	assert_int_equal(tn_read_beneath(top, "usr/router", buf, sizeof(buf)),
			 10);
	assert_memory_equal(buf, "new binary", 10);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(read(busy, buf, sizeof(buf)), 3); /* the old file */
	close(busy);
	/* A link in its place is replaced, its target untouched. */
	snprintf(l, sizeof(l), "%s/victim4", top);
	put(l, "keep");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(l, p), 0);
	assert_int_equal(tn_install_beneath(top, "usr/router", src, 0755), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(l, &dst), 0);
	assert_int_equal(dst.st_size, 4);
	/* A directory reached through a link is refused; so is leaving. */
	snprintf(p, sizeof(p), "%s/lnkdir", top);
	assert_int_equal(symlink("/etc", p), 0);
	assert_int_equal(tn_install_beneath(top, "lnkdir/passwd", src, 0755),
			 -ELOOP);
	assert_int_equal(tn_install_beneath(top, "../x/y", src, 0755), -EXDEV);
	assert_int_equal(tn_install_beneath(top, "norel", src, 0755), -EINVAL);
	close(src);
}

/* ---- the reaper ---- */

/* A TCP socket whose close blocks `secs` s: linger, full queue, a peer
 * that never reads (*peer, kept open). */
static int blocking_close(int *peer, int secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct linger lg = { 1, secs };
	int l = socket(AF_INET, SOCK_STREAM, 0), c, small = 4096;
	char junk[4096] = { 0 };

	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &len), 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	*peer = accept(l, NULL, NULL);
	setsockopt(*peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	fcntl(c, F_SETFL, O_NONBLOCK);
	while (send(c, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		;
	close(l);
	return c;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_reaper(void **state)
{
	int peer, c, p[2];
	double t0;

	(void)state;
	assert_int_equal(tn_reaper_init(), 0);
	c = blocking_close(&peer, 2);
	t0 = now();
	tn_reap(c, 7);
	assert_true(now() - t0 < 0.1); /* not on our thread */
	assert_int_equal(pipe(p), 0);
	tn_reap(p[0], 7); /* waits behind tenant 7's close */
	tn_reap(p[1], 8); /* another tenant's: at once */
	for (int i = 0; i < 100 && tn_reaper_pending(8); i++)
		usleep(10000);
	assert_int_equal(tn_reaper_pending(8), 0);
	assert_int_equal(tn_reaper_pending(7), 2);
	assert_int_equal(tn_reaper_drain(5000), 0);
	assert_true(now() - t0 >= 1.5); /* the linger ran its course */
	assert_int_equal(tn_reaper_pending(7), 0);
	close(peer);
}

/* ---- ids and neighbours ---- */

static void test_ids(void **state)
{
	char etc[256], p[300], err[256];
	uint64_t span = 1 << 20;

	(void)state;
	snprintf(etc, sizeof(etc), "%s/etc-ids", top);
	mkdir(etc, 0755);
	/* No files: nothing is anyone's. */
	assert_int_equal(tn_ids_check(etc, TN_ID_BASE_DEFAULT, span, err,
				      sizeof(err)),
			 0);
	snprintf(p, sizeof(p), "%s/subuid", etc);
	put(p, "alice:100000:65536\n# comment\nbob:165536:65536\n");
	snprintf(p, sizeof(p), "%s/subgid", etc);
	put(p, "alice:100000:65536\n");
	assert_int_equal(tn_ids_check(etc, TN_ID_BASE_DEFAULT, span, err,
				      sizeof(err)),
			 0);
	assert_int_equal(tn_ids_check(etc, 200000, span, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "subuid line 3"));
	assert_non_null(strstr(err, "bob:165536:65536"));
	snprintf(p, sizeof(p), "%s/subuid", etc);
	put(p, "");
	assert_int_equal(tn_ids_check(etc, 99999, 2, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "subgid line 1"));
	assert_int_equal(tn_ids_check(etc, 4294967295ull - 100, span, err,
				      sizeof(err)),
			 -ERANGE);
}

static void test_neigh_want(void **state)
{
	uint32_t t[3];

	(void)state;
	tn_neigh_want(0, t);
	assert_true(t[0] == 128 && t[1] == 512 && t[2] == 1024);
	tn_neigh_want(1000, t);
	assert_int_equal(t[2], TN_NEIGH_HOST + 1000 * TN_NEIGH_PER_TENANT);
	assert_true(t[0] <= t[1] && t[1] <= t[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rm_tree_no_follow),
		cmocka_unit_test(test_rm_tree_deep),
		cmocka_unit_test(test_dir_at),
		cmocka_unit_test(test_write_beneath),
		cmocka_unit_test(test_install_beneath),
		cmocka_unit_test(test_reaper),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_neigh_want),
	};

	return cmocka_run_group_tests_name("safety", tests, mktop, rmtop);
}
