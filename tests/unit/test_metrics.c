// SPDX-License-Identifier: GPL-2.0
/*
 * agent/metrics.c's pure parts: --metrics ADDR:PORT, the container's cgroup
 * dir found in its init's /proc/PID/cgroup (v1 and v2, what a tenant may
 * have made below it, another container's path refused), label values
 * escaped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "control.h"
#include "metrics.h"

/* tenetd's request handler is main.c's, which this test does not link;
 * nothing here serves a request. */
json_object *tenetd_request(struct tenetd *d, json_object *req, int err,
			    struct tn_ctl_hold *hold)
{
	(void)d;
	(void)req;
	(void)err;
	(void)hold;
	return NULL;
}

static void test_addr(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	static const char *const bad[] = {
		"9464",		 "127.0.0.1",	    "127.0.0.1:",
		"127.0.0.1:0",	 "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:+80", "127.0.0.1:80x",   "localhost:80",
		"::1:80",	 "[::1]80",	    "[127.0.0.1]:80",
		"1.2.3:80",	 "[]:80",
	};
	socklen_t len;
	char err[256];

	(void)state;
	assert_int_equal(metrics_parse_addr("127.0.0.1:9464", &ss, &len, err,
					    sizeof(err)),
			 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(a4->sin_port), 9464);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(metrics_parse_addr(":80", &ss, &len, err, sizeof(err)),
			 0);
	assert_int_equal(a4->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(metrics_parse_addr("[::1]:65535", &ss, &len, err,
					    sizeof(err)),
			 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(a6->sin6_port), 65535);
	assert_true(IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (metrics_parse_addr(bad[i], &ss, &len, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(strstr(err, bad[i]));
	}
}

static const char v1[] = "9:name=systemd:/lxc.payload.acme\n"
			 "8:pids:/lxc.payload.acme\n"
			 "4:memory:/lxc.payload.acme/inner\n"
			 "2:cpu,cpuacct:/lxc.payload.acme\n"
			 "0::/lxc.payload.acme\n";

static void test_cg_v1(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(metrics_cg_path(v1, "acme", false, "pids", out,
					 sizeof(out)),
			 0);
	assert_string_equal(out, "/sys/fs/cgroup/pids/lxc.payload.acme");
	/* What the tenant made below its cgroup counts in the container's. */
	assert_int_equal(metrics_cg_path(v1, "acme", false, "memory", out,
					 sizeof(out)),
			 0);
	assert_string_equal(out, "/sys/fs/cgroup/memory/lxc.payload.acme");
	/* A controller among others of its line, a whole word only. */
	assert_int_equal(metrics_cg_path(v1, "acme", false, "cpuacct", out,
					 sizeof(out)),
			 0);
	assert_string_equal(out, "/sys/fs/cgroup/cpuacct/lxc.payload.acme");
	assert_int_equal(metrics_cg_path(v1, "acme", false, "acct", out,
					 sizeof(out)),
			 -ENOENT);
	assert_int_equal(metrics_cg_path(v1, "acme", false, "blkio", out,
					 sizeof(out)),
			 -ENOENT);
}

static void test_cg_v2(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(metrics_cg_path("0::/lxc.payload.acme/init.scope\n",
					 "acme", true, "", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/sys/fs/cgroup/lxc.payload.acme");
	assert_int_equal(metrics_cg_path("0::/system.slice/x/lxc.payload.acme",
					 "acme", true, "", out, sizeof(out)),
			 0);
	assert_string_equal(out,
			    "/sys/fs/cgroup/system.slice/x/lxc.payload.acme");
	/* No newline at the end, v1 lines ignored on v2. */
	assert_int_equal(
		metrics_cg_path(v1, "acme", true, "", out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/lxc.payload.acme");
}

/* A pid now another container's, or a name that is a prefix of another. */
static void test_cg_other(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(metrics_cg_path("0::/lxc.payload.beta\n", "acme", true,
					 "", out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(metrics_cg_path("0::/lxc.payload.acme2\n", "acme",
					 true, "", out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(
		metrics_cg_path("0::/lxc.payload.acme2/lxc.payload.acme\n",
				"acme", true, "", out, sizeof(out)),
		0);
	assert_string_equal(
		out, "/sys/fs/cgroup/lxc.payload.acme2/lxc.payload.acme");
	assert_int_equal(metrics_cg_path("0::/lxc.payload.acme-x\n", "acme",
					 true, "", out, sizeof(out)),
			 -ENOENT);
	/* LXC's second cgroup of a name (another lxc path has one). */
	assert_int_equal(metrics_cg_path("0::/lxc.payload.acme-12/in\n", "acme",
					 true, "", out, sizeof(out)),
			 0);
	assert_string_equal(out, "/sys/fs/cgroup/lxc.payload.acme-12");
	assert_int_equal(metrics_cg_path("", "acme", true, "", out,
					 sizeof(out)),
			 -ENOENT);
	assert_int_equal(metrics_cg_path("0::/lxc.payload.acme\n", "acme", true,
					 "", out, 10),
			 -ENAMETOOLONG);
}

static void test_lval(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	metrics_lval(f, "a\"b\\c\nd\x01\xff", 16);
	metrics_lval(f, "|0123456789", 4);
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c?d??|012");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),  cmocka_unit_test(test_cg_v1),
		cmocka_unit_test(test_cg_v2), cmocka_unit_test(test_cg_other),
		cmocka_unit_test(test_lval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
