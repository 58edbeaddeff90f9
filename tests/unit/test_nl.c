// SPDX-License-Identifier: GPL-2.0
/* lib/nl.c against the real kernel, in a network namespace of its own. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "nl.h"

static const char *skip_why;
static int other_ns = -1; /* a second netns, for a peer */

static void skip_unless_ready(void)
{
	if (skip_why) {
		fprintf(stderr, "SKIP: %s\n", skip_why);
		skip();
	}
}

static bool link_flag_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	bool up;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	up = !ioctl(fd, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_UP);
	close(fd);
	return up;
}

static void test_veth_lifecycle(void **state)
{
	(void)state;
	skip_unless_ready();
	assert_int_equal(tn_nl_veth_add("tn7a", "tn7p", -1, 1400), 0);
	assert_true(if_nametoindex("tn7a") > 0);
	assert_true(if_nametoindex("tn7p") > 0);
	assert_int_equal(tn_nl_veth_add("tn7a", "tn7q", -1, 0), -EEXIST);
	assert_int_equal(if_nametoindex("tn7q"), 0); /* nothing half-made */
	assert_int_equal(tn_nl_link_up("tn7a", true), 0);
	assert_true(link_flag_up("tn7a"));
	assert_int_equal(tn_nl_link_up("tn7a", false), 0);
	assert_false(link_flag_up("tn7a"));
	assert_int_equal(tn_nl_link_set_mac("tn7p",
					    (uint8_t[6]){ 2, 0, 0, 0, 0, 7 }),
			 0);
	assert_int_equal(tn_nl_link_del("tn7a"), 0);
	assert_int_equal(if_nametoindex("tn7a"), 0);
	assert_int_equal(if_nametoindex("tn7p"), 0); /* the peer went too */
	assert_int_equal(tn_nl_link_del("tn7a"), -ENODEV);
}

static void test_peer_in_other_netns(void **state)
{
	(void)state;
	skip_unless_ready();
	assert_int_equal(tn_nl_veth_add("tn8a", "tn8p", other_ns, 0), 0);
	assert_true(if_nametoindex("tn8a") > 0);
	assert_int_equal(if_nametoindex("tn8p"), 0); /* not here: there */
	assert_int_equal(tn_nl_link_del("tn8a"), 0);
}

static void test_bad_names(void **state)
{
	(void)state;
	skip_unless_ready();
	assert_int_equal(tn_nl_veth_add("", "x", -1, 0), -EINVAL);
	assert_int_equal(tn_nl_veth_add("sixteen-chars-xx", "x", -1, 0),
			 -EINVAL);
	assert_int_equal(tn_nl_link_del(NULL), -EINVAL);
	assert_int_equal(tn_nl_link_up("", true), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_veth_lifecycle),
		cmocka_unit_test(test_peer_in_other_netns),
		cmocka_unit_test(test_bad_names),
	};
	int here;

	/* Two fresh namespaces: one to hold a peer, then ours. */
	if (geteuid() != 0) {
		skip_why = "needs root (network namespaces)";
	} else if (unshare(CLONE_NEWNET) ||
		   (other_ns = open("/proc/self/ns/net",
				    O_RDONLY | O_CLOEXEC)) < 0 ||
		   unshare(CLONE_NEWNET) ||
		   (here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) <
			   0) {
		skip_why = "cannot make network namespaces";
	} else {
		close(here);
	}
	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
