// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the messages a router sends tenetd over the handoff
 * socket (lib/handoff.h), which a hostile router writes as it likes:
 *   - tn_ho_parse(), on the packet as both receives hold it (at most
 *     TN_HO_MAX_MSG bytes, a NUL after them);
 *   - the fields tenetd reads from a hello (tn_ho_type, tn_ho_int,
 *     tn_ho_str: version, pid, queues);
 *   - tn_ho_answer() on a session with three sockets made, two of them
 *     sent: a "bound" or "error" answer counts only for a socket sent and
 *     not answered yet, once; nothing else moves.
 * The input is the packet's bytes; several packets are separated by a
 * 0xff byte (never in UTF-8 JSON), the first 16 of them read in turn on
 * the same session, as tenetd would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "handoff.h"

#define MADE 3

static void session(struct tn_ho_bound *b)
{
	memset(b, 0, sizeof(*b));
	b->made = MADE;
	for (int i = 0; i < MADE; i++) {
		b->s[i].fd = -1;
		b->s[i].map_fd = -1; /* the map update fails: never bound */
		b->s[i].queue = i;
		b->s[i].sent = i < 2;
		snprintf(b->s[i].ifname, sizeof(b->s[i].ifname), "eth%d", i);
	}
}

static void one(struct tn_ho_bound *b, const uint8_t *p, size_t n)
{
	char *buf = malloc(TN_HO_MAX_MSG + 1);
	const char *type, *s;
	struct tn_ho_bound before;
	json_object *m;
	int64_t v, id = -1;
	int ret;

	/* recvmsg() takes at most TN_HO_MAX_MSG bytes of a packet. */
	if (n > TN_HO_MAX_MSG)
		n = TN_HO_MAX_MSG;
	memcpy(buf, p, n);
	buf[n] = '\0';
	ret = tn_ho_parse(buf, &m);
	if (ret) {
		CHECK(ret == -EBADMSG && !m);
		free(buf);
		return;
	}
	CHECK(json_object_is_type(m, json_type_object));
	type = tn_ho_type(m);
	CHECK(type);
	for (size_t i = 0; i < 4; i++) {
		static const char *const ints[] = { "version", "pid", "queues",
						    "id" };

		if (tn_ho_int(m, ints[i], &v) && i == 3)
			id = v;
	}
	s = tn_ho_str(m, "ifname");
	CHECK(!s || strlen(s) <= n);
	s = tn_ho_str(m, "message");
	CHECK(!s || strlen(s) <= n);

	before = *b;
	ret = tn_ho_answer(b, m);
	CHECK(ret == 0 || ret == 1);
	if (ret) {
		CHECK(!strcmp(type, "bound") || !strcmp(type, "error"));
		CHECK(id >= 0 && id < MADE && before.s[id].sent &&
		      !before.s[id].answered && b->s[id].answered);
		CHECK(!b->s[id].bound); /* no map to go into */
	} else {
		for (int i = 0; i < MADE; i++)
			CHECK(b->s[i].answered == before.s[i].answered &&
			      b->s[i].bound == before.s[i].bound);
	}
	CHECK(b->n == 0 && b->made == MADE);
	json_object_put(m);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tn_ho_bound b;
	size_t start = 0;
	int packets = 0;

	session(&b);
	for (size_t i = 0; i <= size && packets < 16; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		one(&b, data + start, i - start);
		packets++;
		start = i + 1;
	}
	return 0;
}
