// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl's contract, run as the operator runs it ($BUILD/tenetctl, default
 * build/tenetctl) against a socket that plays tenetd: the request each
 * command line sends, exit 2 and one line naming the field for bad input
 * with nothing sent, exit 1 for a refusal, -j printing the reply's data
 * whole, and the text of tenant show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>

#include <tenet/ctl.h>

#include "ctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define OUT_MAX 65536
/* Without a built tenetctl the tests skip. */
#define NEED_BIN()              \
	do {                    \
		if (srv < 0)    \
			skip(); \
	} while (0)

static char bin[256], dir[64], sock[96];
static int srv = -1;

struct result {
	int status;
	char out[OUT_MAX], err[OUT_MAX];
	json_object *req; /* NULL: nothing was sent */
};

/* Splits line at spaces into argv after the binary and --socket. */
static int make_argv(char *line, char **argv, int max)
{
	int n = 0;

	argv[n++] = bin;
	argv[n++] = "--socket";
	argv[n++] = sock;
	for (char *w = strtok(line, " "); w && n < max - 1;
	     w = strtok(NULL, " "))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

static void slurp(int fd, char *buf)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, OUT_MAX - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

/* Runs tenetctl with args; reply (a JSON text, NULL: none expected)
 * answers its request. */
static void run(struct result *r, const char *args, const char *reply)
{
	char line[1024], *argv[64];
	int out[2], err[2], fd, st;
	json_object *rep;
	struct pollfd p = { .fd = srv, .events = POLLIN };
	pid_t pid;

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "%s", args);
	make_argv(line, argv, ARRAY_SIZE(argv));
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (reply) {
		assert_int_equal(poll(&p, 1, 5000), 1);
		fd = accept(srv, NULL, NULL);
		assert_true(fd >= 0);
		assert_int_equal(tn_ctl_read(fd, 5000, TN_CTL_MAX, &r->req), 0);
		rep = json_tokener_parse(reply);
		assert_non_null(rep);
		assert_int_equal(tn_ctl_write(fd, rep), 0);
		json_object_put(rep);
		close(fd);
	}
	slurp(out[0], r->out);
	slurp(err[0], r->err);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	/* nothing else knocked */
	fd = accept(srv, NULL, NULL);
	if (fd >= 0) {
		tn_ctl_read(fd, 1000, TN_CTL_MAX, &r->req);
		close(fd);
		fail_msg("%s: a request was sent: %s", args,
			 json_object_to_json_string(r->req));
	}
}

static void assert_json(json_object *got, const char *want)
{
	json_object *w = json_tokener_parse(want);

	assert_non_null(w);
	if (!json_object_equal(got, w))
		fail_msg("got  %s\nwant %s", json_object_to_json_string(got),
			 want);
	json_object_put(w);
}

static void test_requests(void **state)
{
	static const struct {
		const char *args, *req;
	} cases[] = {
		{ "tenant add acme access eth1 vlan 100 uplink eth2 "
		  "access-addr 10.0.0.1/24 fd00::1/64 uplink-addr 192.0.2.2/24",
		  "{\"cmd\":\"tenant add\",\"args\":{\"name\":\"acme\","
		  "\"access\":\"eth1\",\"vlan\":\"100\",\"uplink\":\"eth2\","
		  "\"access-addr\":[\"10.0.0.1/24\",\"fd00::1/64\"],"
		  "\"uplink-addr\":[\"192.0.2.2/24\"]}}" },
		{ "tenant add b-2 prefix 198.51.100.0/24 uplink-addr 192.0.2.3/24 "
		  "uplink eth2 uplink-vlan 7 uplink-mac 02:74:6e:00:00:09 "
		  "access eth1 vlan 200 inner-vlan 5 access-addr 10.0.0.1/24 "
		  "prefix 2001:db8::/48 203.0.113.0/25 gateway 192.0.2.1 "
		  "mode direct cpu 0.5 cpuset 0 memory 256M pids 512 rate 100M "
		  "pps 20000",
		  "{\"cmd\":\"tenant add\",\"args\":{\"name\":\"b-2\","
		  "\"prefix\":[\"198.51.100.0/24\",\"2001:db8::/48\","
		  "\"203.0.113.0/25\"],\"uplink-addr\":[\"192.0.2.3/24\"],"
		  "\"uplink\":\"eth2\",\"uplink-vlan\":\"7\","
		  "\"uplink-mac\":\"02:74:6e:00:00:09\",\"access\":\"eth1\","
		  "\"vlan\":\"200\",\"inner-vlan\":\"5\","
		  "\"access-addr\":[\"10.0.0.1/24\"],\"gateway\":\"192.0.2.1\","
		  "\"mode\":\"direct\",\"cpu\":\"0.5\",\"cpuset\":\"0\","
		  "\"memory\":\"256M\",\"pids\":\"512\",\"rate\":\"100M\","
		  "\"pps\":\"20000\"}}" },
		{ "tenant del acme",
		  "{\"cmd\":\"tenant del\",\"args\":{\"name\":\"acme\"}}" },
		{ "tenant list", "{\"cmd\":\"tenant list\",\"args\":{}}" },
		{ "tenant show acme",
		  "{\"cmd\":\"tenant show\",\"args\":{\"name\":\"acme\"}}" },
		{ "tenant stats", "{\"cmd\":\"tenant stats\",\"args\":{}}" },
		{ "tenant stats acme",
		  "{\"cmd\":\"tenant stats\",\"args\":{\"name\":\"acme\"}}" },
		{ "tenant set acme pps 10 rate 1G",
		  "{\"cmd\":\"tenant set\",\"args\":{\"name\":\"acme\","
		  "\"pps\":\"10\",\"rate\":\"1G\"}}" },
		{ "route add acme 203.0.113.0/24 via 10.0.0.2",
		  "{\"cmd\":\"route add\",\"args\":{\"name\":\"acme\","
		  "\"cidr\":\"203.0.113.0/24\",\"via\":\"10.0.0.2\"}}" },
		{ "route del acme 2001:db8:1::/48 via fd00::2",
		  "{\"cmd\":\"route del\",\"args\":{\"name\":\"acme\","
		  "\"cidr\":\"2001:db8:1::/48\",\"via\":\"fd00::2\"}}" },
		{ "route list acme",
		  "{\"cmd\":\"route list\",\"args\":{\"name\":\"acme\"}}" },
		{ "nic attach eth1 role access",
		  "{\"cmd\":\"nic attach\",\"args\":{\"ifname\":\"eth1\","
		  "\"role\":\"access\"}}" },
	};
	struct result *r;

	(void)state;
	NEED_BIN();
	r = malloc(sizeof(*r));
	assert_non_null(r);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run(r, cases[i].args, "{\"status\":0,\"message\":\"done it\"}");
		if (r->status)
			fail_msg("%s: exit %d: %s", cases[i].args, r->status,
				 r->err);
		assert_json(r->req, cases[i].req);
		assert_string_equal(r->out, "done it\n");
		json_object_put(r->req);
	}
	free(r);
}

#define ADD "tenant add acme access eth1 vlan 100 uplink eth2 "
#define ADDRS "access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24"

/* Exit 2, one line that starts with what it names, nothing sent. */
static void test_bad_input(void **state)
{
	static const struct {
		const char *args, *err;
	} cases[] = {
		{ "tenant add acme access eth1 vlan 0 uplink eth2 " ADDRS,
		  "vlan: must be a number from 1 to 4094, not \"0\"" },
		{ "tenant add acme access eth1 vlan 4095 uplink eth2 " ADDRS,
		  "vlan: " },
		{ "tenant add acme access eth1 vlan abc uplink eth2 " ADDRS,
		  "vlan: " },
		{ "tenant add a/b access eth1 vlan 1 uplink eth2 " ADDRS,
		  "name: " },
		{ "tenant add abcdefghijklmnopqrstuvwxyz0123456 access eth1 "
		  "vlan 1 uplink eth2 " ADDRS,
		  "name: " },
		{ "tenant add acme access eth1/x vlan 1 uplink eth2 " ADDRS,
		  "access: " },
		{ ADD ADDRS " uplink-mac 01:00:00:00:00:01", "uplink-mac: " },
		{ ADD "access-addr 10.0.0.1 uplink-addr 192.0.2.2/24",
		  "access-addr: " },
		{ ADD "access-addr 10.0.0.0/24 uplink-addr 192.0.2.2/24",
		  "access-addr: " },
		{ ADD ADDRS " prefix 198.51.100.1/24", "prefix: " },
		{ ADD ADDRS " gateway 10.0.0", "gateway: " },
		{ ADD ADDRS " mode bridge", "mode: must be veth or direct" },
		{ ADD ADDRS " memory 10X", "memory: " },
		{ ADD ADDRS " cpu 99999", "cpu: " },
		{ ADD ADDRS " cpuset 0-99", "cpuset: " },
		{ ADD ADDRS " pids 0", "pids: " },
		{ ADD ADDRS " pps 0", "pps: " },
		{ ADD ADDRS " rate 10", "rate: " },
		{ "tenant add acme access eth1 vlan 1 " ADDRS,
		  "uplink is required" },
		{ ADD "access-addr 10.0.0.1/24", "uplink-addr is required" },
		{ ADD ADDRS " vlan 2", "vlan given twice" },
		{ ADD ADDRS " access-addr 10.0.0.2/24",
		  "access-addr given twice" },
		{ ADD "access-addr uplink-addr 192.0.2.2/24",
		  "access-addr needs a value" },
		{ ADD ADDRS " colour blue",
		  "tenant add: must be access, vlan, inner-vlan, uplink, "
		  "uplink-vlan, uplink-mac, prefix, access-addr, uplink-addr, "
		  "gateway, mode, cpu, cpuset, memory, pids, rate, " },
		{ ADD "access-addr 10.0.0.1/24 uplnk-addr 192.0.2.2/24",
		  "tenant add: must be access, " },
		{ ADD ADDRS " prefix 10.1.0.0/16 10.2.0.0/16 10.3.0.0/16 "
			    "10.4.0.0/16 10.5.0.0/16 10.6.0.0/16 10.7.0.0/16 "
			    "10.8.0.0/16 10.9.0.0/16 prefix 10.10.0.0/16 "
			    "10.11.0.0/16 10.12.0.0/16 10.13.0.0/16 "
			    "10.14.0.0/16 10.15.0.0/16 10.16.0.0/16 "
			    "10.17.0.0/16",
		  "prefix takes at most 16 values" },
		{ "tenant add", "missing NAME" },
		{ "tenant set acme",
		  "give at least one of rate, pps, burst, shape, cpu, cpuset, memory, " },
		{ "tenant set acme vlan 5", "tenant set: must be rate, " },
		{ "tenant set acme rate 0", "rate: " },
		{ "tenant del", "missing NAME" },
		{ "tenant show A", "name: " },
		{ "tenant list x", "too many arguments" },
		{ "tenant stats a b", "too many arguments" },
		{ "tenant frob", "tenant: must be add, del, list, show, stats "
				 "or set, not \"frob\"" },
		{ "route add acme 10.0.0.1/24 via 10.0.0.2", "cidr: " },
		{ "route add acme 10.0.0.0/24", "via is required" },
		{ "route add acme 10.0.0.0/24 via x", "via: " },
		{ "route add acme 10.0.0.0/24 gw 10.0.0.1",
		  "route add: must be via, not \"gw\"" },
		{ "route list", "missing NAME" },
	};
	struct result *r;
	char want[512];

	(void)state;
	NEED_BIN();
	r = malloc(sizeof(*r));
	assert_non_null(r);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		run(r, cases[i].args, NULL);
		snprintf(want, sizeof(want), "tenetctl: %s", cases[i].err);
		if (r->status != 2 || strncmp(r->err, want, strlen(want)) ||
		    strchr(r->err, '\n') != r->err + strlen(r->err) - 1 ||
		    *r->out)
			fail_msg("%s: exit %d, stderr %s(want %s)",
				 cases[i].args, r->status, r->err, want);
	}
	free(r);
}

static void test_refused(void **state)
{
	struct result *r;

	(void)state;
	NEED_BIN();
	r = malloc(sizeof(*r));
	assert_non_null(r);
	run(r, "tenant show zed",
	    "{\"status\":-2,\"message\":\"tenant zed: no such tenant\"}");
	assert_int_equal(r->status, 1);
	assert_string_equal(r->err, "tenetctl: tenant zed: no such tenant\n");
	json_object_put(r->req);
	free(r);
}

#define TENANT                                                                 \
	"{\"id\":1,\"name\":\"acme\",\"state\":\"ready\",\"mode\":\"veth\","   \
	"\"created\":1763880000,\"access\":{\"ifname\":\"eth1\",\"vlan\":100," \
	"\"inner_vlan\":0,\"veth\":\"tn1a\",\"addrs\":[\"10.0.0.1/24\"]},"     \
	"\"uplink\":{\"ifname\":\"eth2\",\"vlan\":0,"                          \
	"\"mac\":\"02:74:6e:00:00:01\",\"veth\":\"tn1u\","                     \
	"\"addrs\":[\"192.0.2.2/24\"],\"prefixes\":[\"198.51.100.0/24\"]},"    \
	"\"gateway\":\"192.0.2.1\",\"limits\":{\"cpu_millicores\":500,"        \
	"\"cpuset\":\"\",\"memory_bytes\":268435456,\"pids\":512,"             \
	"\"rate_bps\":100000000,\"pps\":0},\"container\":{\"name\":"           \
	"\"acme\",\"state\":\"RUNNING\",\"pid\":1234},\"routes\":"             \
	"[{\"cidr\":\"203.0.113.0/24\",\"via\":\"10.0.0.2\"}],"                \
	"\"future\":{\"a\":[1,null,\"x\"]}}"

#define COUNTERS                                                  \
	"{\"rx_packets\":10,\"rx_bytes\":1000,\"tx_packets\":9,"  \
	"\"tx_bytes\":900,\"pass_packets\":1,\"pass_bytes\":100," \
	"\"drops\":{\"policed\":1}}"

#define STATS                                                                \
	"{\"tenants\":[{\"id\":1,\"name\":\"acme\",\"classifier\":{"         \
	"\"access\":" COUNTERS ",\"uplink\":" COUNTERS "},\"egress\":{"      \
	"\"access\":" COUNTERS ",\"uplink\":" COUNTERS "},\"router\":{"      \
	"\"pid\":1300,\"started\":1763880100,\"ifaces\":[{\"ifname\":"       \
	"\"access0\",\"queue\":0,\"zc_requested\":true,\"zc_in_use\":false," \
	"\"xsk_mode\":\"copy (zero-copy requested)\","                       \
	"\"counters\":{\"rx\":10,\"tx\":9,\"forwarded\":9}}]},"              \
	"\"xsk\":{\"requested\":\"zero-copy\",\"in_use\":\"copy\","          \
	"\"mode\":\"copy (zero-copy requested)\"},"                          \
	"\"limits\":{\"cpu_millicores\":0,\"cpuset\":\"0-1\","               \
	"\"memory_bytes\":0,\"pids\":0,\"rate_bps\":1500000,\"pps\":10},"    \
	"\"usage\":{\"cpu_ns\":12345678901,\"memory_bytes\":1024,"           \
	"\"pids\":3}},{\"id\":2,\"name\":\"b\",\"router\":null}]}"

/* -j: the data exactly, whatever it holds. */
static void test_json_whole(void **state)
{
	static const struct {
		const char *args, *data;
	} cases[] = {
		{ "-j tenant show acme", TENANT },
		{ "-j tenant set acme pps 1", TENANT },
		{ "-j tenant list", "{\"tenants\":[" TENANT ",7]}" },
		{ "-j tenant stats", STATS },
		{ "-j route list acme",
		  "{\"routes\":[{\"cidr\":\"203.0.113.0/24\","
		  "\"via\":\"10.0.0.2\"}]}" },
	};
	struct result *r;
	char reply[8192];
	json_object *got;

	(void)state;
	NEED_BIN();
	r = malloc(sizeof(*r));
	assert_non_null(r);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(reply, sizeof(reply),
			 "{\"status\":0,\"message\":\"m\",\"data\":%s}",
			 cases[i].data);
		/* the same without -j: text */
		run(r, cases[i].args + 3, reply);
		json_object_put(r->req);
		assert_int_equal(r->status, 0);
		assert_true(strlen(r->out) > 0);
		/* the text run must not print JSON */
		assert_true(r->out[0] != '{');
		run(r, cases[i].args, reply);
		json_object_put(r->req);
		assert_int_equal(r->status, 0);
		got = json_tokener_parse(r->out);
		assert_non_null(got);
		assert_json(got, cases[i].data);
		json_object_put(got);
	}
	free(r);
}

static void test_text(void **state)
{
	struct result *r;

	(void)state;
	NEED_BIN();
	r = malloc(sizeof(*r));
	assert_non_null(r);
	run(r, "tenant show acme",
	    "{\"status\":0,\"message\":\"m\",\"data\":" TENANT "}");
	json_object_put(r->req);
	assert_int_equal(r->status, 0);
	assert_string_equal(
		r->out,
		"acme id 1 state ready mode veth created 2025-11-23T06:40:00Z\n"
		"  access eth1 vlan 100 veth tn1a addrs 10.0.0.1/24\n"
		"  uplink eth2 untagged mac 02:74:6e:00:00:01 veth tn1u addrs "
		"192.0.2.2/24 prefixes 198.51.100.0/24 gateway 192.0.2.1\n"
		"  limits cpu 0.5 cpuset any memory 256M pids 512 rate 100Mbit "
		"pps unlimited\n"
		"  container acme RUNNING pid 1234\n"
		"  route 203.0.113.0/24 via 10.0.0.2\n");
	run(r, "tenant stats",
	    "{\"status\":0,\"message\":\"m\",\"data\":" STATS "}");
	json_object_put(r->req);
	assert_int_equal(r->status, 0);
	assert_non_null(strstr(r->out,
			       "acme id 1 xsk copy (zero-copy requested)\n"
			       "  classifier access  rx 10 pkts"));
	assert_non_null(strstr(r->out, "  router pid 1300 started "
				       "2025-11-23T06:41:40Z\n"
				       "    access0 queue 0 xsk copy "
				       "(zero-copy requested)\n"
				       "      rx 10 tx 9 forwarded 9\n"));
	assert_non_null(strstr(r->out, "  limits cpu unlimited cpuset 0-1 "
				       "memory unlimited pids unlimited rate "
				       "1500kbit pps 10\n"
				       "  usage cpu 12.345s memory 1.0K "
				       "pids 3\n"));
	assert_non_null(strstr(r->out, "b id 2\n  router not running\n"));
	free(r);
}

static void test_unreachable(void **state)
{
	char *argv[] = { bin,	   "--socket", "/nonexistent/tenetd.sock",
			 "tenant", "list",     NULL };
	int st;
	pid_t pid;

	(void)state;
	NEED_BIN();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		execv(bin, argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
}

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *b = getenv("BUILD");

	(void)state;
	snprintf(bin, sizeof(bin), "%s/tenetctl", b && *b ? b : "build");
	if (access(bin, X_OK))
		return 0; /* the tests skip */
	snprintf(dir, sizeof(dir), "/tmp/test_tenetctl.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/tenetd.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	srv = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv < 0 || bind(srv, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(srv, 8))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (srv >= 0) {
		close(srv);
		unlink(sock);
		rmdir(dir);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_json_whole),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_unreachable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
