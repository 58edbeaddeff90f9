// SPDX-License-Identifier: GPL-2.0
/* lib/parse.c: what users type is accepted exactly when it is well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "parse.h"

static void test_u32(void **state)
{
	static const char *const bad[] = { "",	  "-1",		"+1",	" 1",
					   "1 ",  "0x10",	"4095", "abc",
					   "1e3", "99999999999" };
	uint32_t v;

	(void)state;
	assert_int_equal(tn_parse_u32("1", 1, 4094, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(tn_parse_u32("4094", 1, 4094, &v), 0);
	assert_int_equal(v, 4094);
	assert_int_equal(tn_parse_u32("0", 1, 4094, &v), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tn_parse_u32(bad[i], 1, 4094, &v), -EINVAL);
	assert_int_equal(tn_parse_u32(NULL, 0, 1, &v), -EINVAL);
}

static void test_mac(void **state)
{
	static const char *const bad[] = { "",
					   "02:00:00:00:00",
					   "02:00:00:00:00:0g",
					   "02-00-00-00-00-01",
					   "02:00:00:00:00:01:",
					   "2:0:0:0:0:1",
					   "02:00:00:00:00:001" };
	uint8_t m[6];

	(void)state;
	assert_int_equal(tn_parse_mac("02:aB:00:00:00:ff", m), 0);
	assert_memory_equal(m, "\x02\xab\x00\x00\x00\xff", 6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tn_parse_mac(bad[i], m), -EINVAL);
}

static void test_ip_prefix(void **state)
{
	uint8_t a[16];
	unsigned int len;
	int fam;

	(void)state;
	assert_int_equal(tn_parse_ip("192.0.2.1", &fam, a), 0);
	assert_int_equal(fam, AF_INET);
	assert_memory_equal(a, "\xc0\x00\x02\x01\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(tn_parse_ip("2001:db8::1", &fam, a), 0);
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(tn_parse_ip("192.0.2.256", &fam, a), -EINVAL);
	assert_int_equal(tn_parse_ip("10.0.0.0/8", &fam, a), -EINVAL);

	assert_int_equal(tn_parse_prefix("10.0.0.0/8", 1, &fam, a, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(tn_parse_prefix("0.0.0.0/0", 1, &fam, a, &len), 0);
	assert_int_equal(tn_parse_prefix("192.0.2.1/32", 1, &fam, a, &len), 0);
	assert_int_equal(tn_parse_prefix("2001:db8::/128", 1, &fam, a, &len),
			 0);
	assert_int_equal(len, 128);
	/* host bits: refused when strict, cleared otherwise */
	assert_int_equal(tn_parse_prefix("10.1.0.0/8", 1, &fam, a, &len),
			 -EINVAL);
	assert_int_equal(tn_parse_prefix("10.1.0.0/8", 0, &fam, a, &len), 0);
	assert_memory_equal(a, "\x0a\x00\x00\x00", 4);
	assert_int_equal(tn_parse_prefix("10.0.0.0/33", 1, &fam, a, &len),
			 -EINVAL);
	assert_int_equal(tn_parse_prefix("2001:db8::/129", 1, &fam, a, &len),
			 -EINVAL);
	assert_int_equal(tn_parse_prefix("10.0.0.0", 1, &fam, a, &len),
			 -EINVAL);
	assert_int_equal(tn_parse_prefix("10.0.0.0/", 1, &fam, a, &len),
			 -EINVAL);
	assert_int_equal(tn_parse_prefix("/8", 1, &fam, a, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_ip_prefix),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
