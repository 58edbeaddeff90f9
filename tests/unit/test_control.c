// SPDX-License-Identifier: GPL-2.0
/*
 * tenetd's control socket (agent/control.c) on a real unix socket, its
 * loop in a thread of its own, against tenetctl's reader (lib/ctl.c):
 * replies of 1 and 10 MiB arrive whole; a request of 64 KiB is served and
 * one byte more is refused; silent, idle (1,000) and slow-reading clients
 * delay no other. tenetd_request() is this file's: it answers "big" with a
 * string of the size asked for, "echo" with the request's length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>
#include <tenet/ctl.h>

#include "agent.h"
#include "control.h"
#include "ctl.h"
#include "loop.h"

static struct tenetd d;
static pthread_t loop_th;
static volatile int stop_loop;
static char dir[64];

json_object *tenetd_request(struct tenetd *dd, json_object *req, int err,
			    struct tn_ctl_hold *hold)
{
	json_object *cmd, *args, *n, *data = NULL;
	const char *c;

	(void)dd;
	(void)hold;
	if (err)
		return tn_ctl_reply(err, "refused", NULL);
	json_object_object_get_ex(req, "cmd", &cmd);
	c = json_object_get_string(cmd);
	if (!strcmp(c, "big") &&
	    json_object_object_get_ex(req, "args", &args) &&
	    json_object_object_get_ex(args, "n", &n)) {
		size_t len = (size_t)json_object_get_int64(n);
		char *s = malloc(len + 1);

		memset(s, 'x', len);
		s[len] = '\0';
		data = json_object_new_object();
		json_object_object_add(data, "x", json_object_new_string(s));
		free(s);
	} else if (!strcmp(c, "echo")) {
		data = json_object_new_object();
		json_object_object_add(
			data, "len",
			json_object_new_int64(
				(int64_t)strlen(json_object_to_json_string_ext(
					req, JSON_C_TO_STRING_PLAIN))));
	}
	return tn_ctl_reply(0, "ok", data);
}

static void *loop_main(void *arg)
{
	(void)arg;
	while (!stop_loop) {
		tn_loop_once(&d, 20);
		control_tick(&d, tn_now_ms());
	}
	return NULL;
}

static int setup(void **state)
{
	struct rlimit rl = { 4096, 4096 };

	(void)state;
	setrlimit(RLIMIT_NOFILE, &rl);
	snprintf(dir, sizeof(dir), "/tmp/tn-control.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	memset(&d, 0, sizeof(d));
	d.epfd = -1;
	d.run_dir = dir;
	d.ctl_gid = (gid_t)-1;
	snprintf(d.sock_path, sizeof(d.sock_path), "%s/tenetd.sock", dir);
	if (tn_loop_init(&d) || control_listen(&d))
		return -1;
	stop_loop = 0;
	return pthread_create(&loop_th, NULL, loop_main, NULL);
}

static int teardown(void **state)
{
	(void)state;
	stop_loop = 1;
	pthread_join(loop_th, NULL);
	control_close(&d);
	close(d.epfd);
	rmdir(dir);
	return 0;
}

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, d.sock_path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One request as text, then EOF; the reply parsed (its status
 * returned). */
static int call(const char *req, json_object **rep)
{
	int fd = dial(), status;
	json_object *v;

	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	shutdown(fd, SHUT_WR);
	assert_int_equal(tn_ctl_read(fd, 10000, TN_CTL_REPLY_MAX, rep), 0);
	close(fd);
	assert_true(json_object_object_get_ex(*rep, "status", &v));
	status = json_object_get_int(v);
	return status;
}

static size_t big_len(json_object *rep)
{
	json_object *data, *x;

	if (!json_object_object_get_ex(rep, "data", &data) ||
	    !json_object_object_get_ex(data, "x", &x))
		return 0;
	return (size_t)json_object_get_string_len(x);
}

static void test_big_replies(void **state)
{
	static const size_t sizes[] = { 1 << 20, 10 << 20 };
	char req[128];
	json_object *rep;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		snprintf(req, sizeof(req),
			 "{\"cmd\":\"big\",\"args\":{\"n\":%zu}}\n", sizes[i]);
		assert_int_equal(call(req, &rep), 0);
		assert_int_equal(big_len(rep), sizes[i]);
		json_object_put(rep);
	}
}

/* A request whose whole text (no newline) is n bytes. */
static char *request_of(size_t n)
{
	static const char head[] = "{\"cmd\":\"echo\",\"args\":{\"p\":\"";
	char *r = malloc(n + 2);

	memcpy(r, head, sizeof(head) - 1);
	memset(r + sizeof(head) - 1, 'p', n - (sizeof(head) - 1) - 3);
	memcpy(r + n - 3, "\"}}\n", 5);
	return r;
}

static void test_request_sizes(void **state)
{
	json_object *rep, *v, *data;
	char *r = request_of(TN_CTL_MAX);

	(void)state;
	assert_int_equal(call(r, &rep), 0);
	assert_true(json_object_object_get_ex(rep, "data", &data));
	assert_true(json_object_object_get_ex(data, "len", &v));
	assert_int_equal(json_object_get_int(v), TN_CTL_MAX);
	json_object_put(rep);
	free(r);
	r = request_of(TN_CTL_MAX + 1);
	assert_int_equal(call(r, &rep), -EMSGSIZE);
	json_object_put(rep);
	free(r);
	/* No newline at all, then EOF: what came is the request. */
	assert_int_equal(call("{\"cmd\":\"echo\"}", &rep), 0);
	json_object_put(rep);
	assert_int_equal(call("{\"cmd\":", &rep), -EBADMSG);
	json_object_put(rep);
	assert_int_equal(call("{} {}\n", &rep), -EBADMSG);
	json_object_put(rep);
}

static void test_silent_and_idle(void **state)
{
	static int idle[1000];
	struct timespec t0;
	json_object *rep;

	(void)state;
	for (int i = 0; i < 1000; i++)
		idle[i] = dial();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call("{\"cmd\":\"echo\"}\n", &rep), 0);
	json_object_put(rep);
	/* The loop's tick is 20 ms here: far below a read deadline. */
	assert_true(ms_since(&t0) < 1000);
	/* The loop runs in its own thread: the answered client may be
	 * counted until it has seen its close. */
	for (int i = 0; i < 100 && control_clients(&d) != 1000; i++)
		usleep(10000);
	assert_int_equal(control_clients(&d), 1000);
	for (int i = 0; i < 1000; i++)
		close(idle[i]);
}

/* A client that takes its 10 MiB reply slowly, or not at all, while
 * another is served at once. */
static void test_slow_reader(void **state)
{
	static const char req[] =
		"{\"cmd\":\"big\",\"args\":{\"n\":10485760}}\n";
	struct timespec t0;
	json_object *rep;
	char buf[4096];
	int slow = dial();

	(void)state;
	assert_int_equal(write(slow, req, sizeof(req) - 1),
			 (ssize_t)sizeof(req) - 1);
	assert_true(read(slow, buf, sizeof(buf)) > 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call("{\"cmd\":\"echo\"}\n", &rep), 0);
	json_object_put(rep);
	assert_true(ms_since(&t0) < 1000);
	close(slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_big_replies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_request_sizes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_silent_and_idle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
