// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: tenet-router's mirror of its container's kernel
 * (tenant/nl.c): links, addresses, routes and neighbours, fed as a buffer
 * of rtnetlink messages to nl_apply(), the parsing half of nl_events(),
 * with no socket. The router has two interfaces (ifindex 2 and 3) and a
 * direct-mode socket (ifindex 7, not one of its own), fresh per input.
 *
 * The input lies against a page that cannot be read (after it: at most
 * the 0..3 bytes that round it to netlink's 4-byte alignment), so a read
 * past the messages faults even inside libmnl, which ASan does not see.
 *
 * After the messages, checked:
 *   - every interface's count of unresolved neighbours is the number of
 *     its entries not valid, within RT_NEIGH_UNRESOLVED_MAX;
 *   - next-hop references are the routes held: the FIB's prefixes, plus
 *     the extra routes of prefixes with several;
 *   - lookups give no route or a next hop in use;
 *   - addresses reported to addr_cb are IPv4 or IPv6.
 * Then everything is freed (LeakSanitizer).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "rt.h"

#define MAX_IN (64 * 1024)

static uint8_t *area; /* MAX_IN readable bytes, then a page that is not */
static size_t page;
static uint64_t ctr[RT_MAX_IFS][TN_RC__MAX];
static unsigned int addr_events;

static void addr_cb(struct router *r, bool add, int family, const uint8_t *addr)
{
	volatile uint8_t sink = 0;

	(void)r;
	(void)add;
	CHECK(family == AF_INET || family == AF_INET6);
	for (int i = 0; i < (family == AF_INET ? 4 : 16); i++)
		sink ^= addr[i];
	(void)sink;
	addr_events++;
}

static void add_if(struct router *r, int ifindex, int rx_of, const char *n)
{
	struct rt_if *i = &r->ifs[r->nifs];

	i->ifindex = ifindex;
	i->rx_of = rx_of;
	snprintf(i->name, sizeof(i->name), "%s", n);
	i->mtu = 1500;
	i->up = true;
	i->ctr = ctr[r->nifs];
	r->nifs++;
}

static int setup(struct router *r)
{
	memset(r, 0, sizeof(*r));
	memset(ctr, 0, sizeof(ctr));
	r->probe4 = r->probe6 = -1;
	r->now_ns = 1000000000ull;
	r->addr_cb = addr_cb;
	add_if(r, 2, -1, "access0");
	add_if(r, 3, -1, "uplink0");
	add_if(r, 7, 0, "nic0");
	r->fib4 = fib4_create();
	r->fib6 = fib6_create();
	if (!r->fib4 || !r->fib6 || nh_table_init(&r->nh) ||
	    neigh_table_init(&r->neigh, 1024))
		return -ENOMEM;
	return 0;
}

static void teardown(struct router *r)
{
	routes_free(r);
	neigh_table_free(&r->neigh);
	nh_table_free(&r->nh);
	fib4_destroy(r->fib4);
	fib6_destroy(r->fib6);
}

struct count {
	int ifindex;
	uint32_t unresolved;
};

static void count_neigh(struct neigh *n, void *arg)
{
	struct count *c = arg;

	CHECK(n->family == AF_INET || n->family == AF_INET6);
	CHECK(n->state <= NEIGH_FAILED);
	CHECK(n->nheld == 0);
	if (n->ifindex == c->ifindex && n->state != NEIGH_VALID)
		c->unresolved++;
}

static void check(struct router *r)
{
	uint64_t refs = 0, routes = fib4_routes(r->fib4) + fib6_routes(r->fib6);
	static const uint8_t probe6[][16] = {
		{ 0 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ 0xfe, 0x80, [15] = 1 },
		{ [0 ... 15] = 0xff },
	};
	static const uint32_t probe4[] = { 0, 0x0a000001, 0xc0000201,
					   0xcb007101, 0xffffffff };

	for (int i = 0; i < r->nifs; i++) {
		struct count c = { r->ifs[i].ifindex, 0 };

		if (r->ifs[i].rx_of >= 0)
			continue;
		neigh_walk(&r->neigh, count_neigh, &c);
		CHECK(r->ifs[i].unresolved == c.unresolved);
		CHECK(r->ifs[i].unresolved <= RT_NEIGH_UNRESOLVED_MAX);
	}
	for (uint32_t i = 0; i < r->nh.n; i++)
		refs += r->nh.v[i].refs;
	for (size_t i = 0; i < sizeof(probe4) / sizeof(probe4[0]); i++) {
		uint32_t nh = fib4_lookup(r->fib4, probe4[i]);

		CHECK(nh == FIB_NONE || (nh < r->nh.n && r->nh.v[nh].refs));
	}
	for (size_t i = 0; i < sizeof(probe6) / sizeof(probe6[0]); i++) {
		uint32_t nh = fib6_lookup(r->fib6, probe6[i]);

		CHECK(nh == FIB_NONE || (nh < r->nh.n && r->nh.v[nh].refs));
	}
	/* Each prefix in the FIB holds one route at least, at most
	 * RT_MULTI_MAX (routes.c keeps the others aside). */
	CHECK(refs >= routes && refs <= routes * RT_MULTI_MAX);
}

/* lib/log.c's logger, quiet: a message is formatted (its arguments are
 * read) and thrown away, not written a million times. */
void tn_log(enum tn_log_level level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	page = (size_t)sysconf(_SC_PAGESIZE);
	area = mmap(NULL, MAX_IN + page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || mprotect(area + MAX_IN, page, PROT_NONE))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct router r;
	size_t room = (size + 3) & ~(size_t)3;
	uint8_t *buf;

	if (size > MAX_IN)
		return 0;
	buf = area + MAX_IN - room;
	memcpy(buf, data, size);
	memset(buf + size, 0, room - size);
	CHECK(setup(&r) == 0);
	nl_apply(&r, buf, size);
	check(&r);
	teardown(&r);
	return 0;
}
