// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl: the operator's command line for tenetd. It checks every
 * argument (lib/validate), sends one request on tenetd's control socket
 * (include/tenet/ctl.h) and prints the reply's data as text or, with -j, as
 * JSON, through one printer (lib/print). Exit status: 0 done, 1 tenetd
 * refused or could not be reached, 2 bad usage or input (nothing is sent).
 *
 * The commands, their keys and their help are lib/ctl_cmds.c's table
 * (lib/grammar.h), which tenetd checks requests with too; this file adds
 * the printer of each command's reply. The request's args are named after
 * the CLI's keywords, every value a string as typed, a list of strings for
 * keys that take several. tenetctl apply, which makes its own requests
 * of these, is cli/apply.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <json-c/json.h>
#include <tenet/ctl.h>

#include "ctl.h"
#include "ctl_cmds.h"
#include "print.h"
#include "tenetctl.h"
#include "validate.h"

#define DEFAULT_SOCK "/run/tenet/" TN_CTL_SOCK
#define REPLY_TIMEOUT_S 30
#define REPLY_TIMEOUT_MAX_S 3600

static const struct tn_grammar *const g = &tn_ctl_grammar;
static const char *sock_path = DEFAULT_SOCK;
static uint64_t reply_timeout_s = REPLY_TIMEOUT_S;
static bool json;

/* One line on stderr: "tenetctl: WHAT[; usage: tenetctl CMD ARGS]", or
 * for a long grammar a pointer to the object's help. */
static int __attribute__((format(printf, 2, 3)))
usage_err(const struct tn_gcmd *c, const char *fmt, ...)
{
	char name[64], args[512];
	va_list ap;

	fputs("tenetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c && strlen(tn_g_usage(g, c, args, sizeof(args))) > 48)
		fprintf(stderr, "; see tenetctl %s --help", c->obj);
	else if (c)
		fprintf(stderr, "; usage: tenetctl %s%s%s",
			tn_g_name(c, name, sizeof(name)), *args ? " " : "",
			args);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Why a request failed, kept to one line: into why, or (why NULL) on
 * stderr. */
static void __attribute__((format(printf, 3, 4)))
tell(char *why, size_t n, const char *fmt, ...)
{
	char buf[TN_CTL_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (why)
		snprintf(why, n, "%s", buf);
	else
		fprintf(stderr, "tenetctl: %s\n", buf);
}

int ctl_connect(char *why, size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	memcpy(sa.sun_path, sock_path, strlen(sock_path)); /* checked */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		tell(why, n, "cannot reach tenetd at %s: %s", sock_path,
		     strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int ctl_call(json_object *req, json_object **reply, char *why, size_t n)
{
	return ctl_call_fd(-1, req, reply, NULL, why, n);
}

int ctl_call_fd(int fd, json_object *req, json_object **reply, int *pass,
		char *why, size_t n)
{
	bool own = fd < 0;
	json_object *v = NULL;
	int err;

	if (own && (fd = ctl_connect(why, n)) < 0)
		return 1;
	/* tenetd going away mid-write is an error to report, not a signal */
	signal(SIGPIPE, SIG_IGN);
	err = tn_ctl_write(fd, req);
	if (!err)
		err = tn_ctl_read_fd(fd, (int)reply_timeout_s * 1000,
				     TN_CTL_REPLY_MAX, reply, pass);
	signal(SIGPIPE, SIG_DFL);
	if (own)
		close(fd);
	if (!err && (!json_object_object_get_ex(*reply, "status", &v) ||
		     !json_object_is_type(v, json_type_int)))
		err = -EBADMSG;
	if (err) {
		if (err == -ETIMEDOUT)
			tell(why, n,
			     "tenetd at %s: no reply within %llu s (--timeout)",
			     sock_path, (unsigned long long)reply_timeout_s);
		else
			tell(why, n, "tenetd at %s: %s", sock_path,
			     err == -EBADMSG || err == -EMSGSIZE ?
				     "malformed reply" :
				     strerror(-err));
		goto fail;
	}
	err = json_object_get_int(v);
	if (!err)
		return 0;
	json_object_object_get_ex(*reply, "message", &v);
	tell(why, n, "%s",
	     json_object_get_string_len(v) ? json_object_get_string(v) :
					     strerror(err < 0 ? -err : err));
fail:
	if (pass && *pass >= 0) {
		close(*pass);
		*pass = -1;
	}
	return 1;
}

/*
 * Printers of replies. Every value goes to JSON as tenetd sent it; text
 * shows the fields it knows, each show_*() adding its words to the line.
 */

/* v is of type t, or goes to JSON as it is. */
static bool nests(const char *key, json_object *v, json_type t)
{
	if (!json_object_is_type(v, t))
		tn_print_json(key, NULL, v);
	return json_object_is_type(v, t);
}

/* " key a b c" for a list of words; nothing in text if it is empty. */
static void show_words(const char *key, json_object *v)
{
	size_t i, n;

	if (!nests(key, v, json_type_array))
		return;
	n = json_object_array_length(v);
	if (n)
		tn_print_text(" %s", key);
	tn_print_arr_start(key);
	for (i = 0; i < n; i++)
		tn_print_json(NULL, " %s", json_object_array_get_idx(v, i));
	tn_print_arr_end();
}

/* " key 2025-11-23T06:40:00Z" for seconds since the epoch. */
static void show_time(const char *key, json_object *v)
{
	time_t t = (time_t)json_object_get_int64(v);
	char buf[32];
	struct tm tm;

	tn_print_json(key, NULL, v);
	if (json_object_is_type(v, json_type_int) && gmtime_r(&t, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		tn_print_text(" %s %s", key, buf);
}

/* Numbers in the units tenetctl reads them in, so that what is printed
 * can be typed back (lib/print.h's tn_fmt_*). Bits/s: "100Mbit", "1500kbit". */
static void fmt_rate(uint64_t v, char *buf, size_t n)
{
	size_t len;

	tn_fmt_rate(v, buf, n);
	len = strlen(buf);
	snprintf(buf + len, n - len, "bit");
}

/* Bytes in use, rounded: "97.7M". */
static void fmt_bytes(uint64_t v, char *buf, size_t n)
{
	static const char sfx[] = "KMGT";
	double d = (double)v;
	int i = -1;

	while (d >= 1024 && i < 3) {
		d /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%" PRIu64, v);
	else
		snprintf(buf, n, "%.1f%c", d, sfx[i]);
}

/* Nanoseconds as seconds: "12.345s". */
static void fmt_ns(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64 ".%03" PRIu64 "s", v / 1000000000,
		 v / 1000000 % 1000);
}

/* " label TEXT": a number through fmt, 0 as zero (NULL: a number too),
 * anything else as JSON writes it. */
static void show_num(const char *key, json_object *v, const char *label,
		     const char *zero, void (*fmt)(uint64_t, char *, size_t))
{
	char buf[48];

	tn_print_json(key, NULL, v);
	if (!v)
		return;
	if (!json_object_is_type(v, json_type_int))
		snprintf(buf, sizeof(buf), "%s", json_object_get_string(v));
	else if (!json_object_get_uint64(v) && zero)
		snprintf(buf, sizeof(buf), "%s", zero);
	else
		fmt(json_object_get_uint64(v), buf, sizeof(buf));
	tn_print_text(" %s %s", label, buf);
}

/* " label TEXT" for a string, "" as empty (NULL: nothing at all). */
static void show_str(const char *key, json_object *v, const char *label,
		     const char *empty)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_string_len(v))
		tn_print_text(" %s %s", label, json_object_get_string(v));
	else if (v && empty)
		tn_print_text(" %s %s", label, empty);
}

static void show_cpu(const char *key, json_object *v)
{
	show_num(key, v, "cpu", "unlimited", tn_fmt_cores);
}

static void show_cpuset(const char *key, json_object *v)
{
	show_str(key, v, "cpuset", "any");
}

static void show_memory(const char *key, json_object *v)
{
	show_num(key, v, "memory", "unlimited", tn_fmt_size);
}

static void show_pids(const char *key, json_object *v)
{
	show_num(key, v, "pids", "unlimited", tn_fmt_plain);
}

static void show_rate(const char *key, json_object *v)
{
	show_num(key, v, "rate", "unlimited", fmt_rate);
}

static void show_pps(const char *key, json_object *v)
{
	show_num(key, v, "pps", "unlimited", tn_fmt_plain);
}

static void show_cpu_used(const char *key, json_object *v)
{
	show_num(key, v, "cpu", NULL, fmt_ns);
}

static void show_memory_used(const char *key, json_object *v)
{
	show_num(key, v, "memory", NULL, fmt_bytes);
}

/* " burst 625000 bytes 1000 pkts (default)", " burst 2097152 bytes
 * (2M given)": the buckets in force, then what was given; nothing when
 * there is neither a rate nor pps. */
static void show_burst(const char *key, json_object *v)
{
	json_object *bytes = NULL, *pkts = NULL, *given = NULL;

	if (!nests(key, v, json_type_object))
		return;
	tn_print_json(key, NULL, v);
	json_object_object_get_ex(v, "bytes", &bytes);
	json_object_object_get_ex(v, "packets", &pkts);
	json_object_object_get_ex(v, "given", &given);
	if (!json_object_get_uint64(bytes) && !json_object_get_uint64(pkts))
		return;
	tn_print_text(" burst");
	if (json_object_get_uint64(bytes))
		tn_print_text(" %" PRIu64 " bytes",
			      json_object_get_uint64(bytes));
	if (json_object_get_uint64(pkts))
		tn_print_text(" %" PRIu64 " pkts",
			      json_object_get_uint64(pkts));
	if (json_object_get_string_len(given) &&
	    strcmp(json_object_get_string(given), "default"))
		tn_print_text(" (%s given)", json_object_get_string(given));
	else
		tn_print_text(" (default)");
}

static const struct tn_print_field limit_fields[] = {
	{ .key = "cpu_millicores", .show = show_cpu },
	{ .key = "cpuset", .show = show_cpuset },
	{ .key = "memory_bytes", .show = show_memory },
	{ .key = "pids", .show = show_pids },
	{ .key = "rate_bps", .show = show_rate },
	{ .key = "pps", .show = show_pps },
	{ .key = "burst", .show = show_burst },
	{ .key = "shape", .fmt = " shape %s" },
	{},
};

#define LIMITS                                                                \
	{                                                                     \
		.key = "limits", .fields = limit_fields, .label = "  limits", \
		.flags = TN_PF_NL                                             \
	}

/* NIC and tenant counters: what came in, went on, went to the host, was
 * dropped and why. */

static void show_drops(const char *key, json_object *v)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_text("  drops");
	tn_print_obj_start(key);
	tn_print_pairs(v, " %s", " %s");
	tn_print_obj_end();
}

/* Counters of direct mode, zero-copy queues and missing sockets: said
 * when not 0. */
static void show_nonzero(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_uint64(v))
		tn_print_text("  %.*s %s", (int)(strlen(key) - 8), key,
			      json_object_get_string(v));
}

static const struct tn_print_field counter_fields[] = {
	{ .key = "rx_packets", .fmt = "  rx %s pkts" },
	{ .key = "rx_bytes", .fmt = " %s bytes" },
	{ .key = "tx_packets", .fmt = "  delivered %s pkts" },
	{ .key = "tx_bytes", .fmt = " %s bytes" },
	{ .key = "fast_packets", .fmt = "  fast %s pkts" },
	{ .key = "fast_bytes", .fmt = " %s bytes" },
	{ .key = "pass_packets", .fmt = "  passed %s pkts" },
	{ .key = "pass_bytes", .fmt = " %s bytes" },
	{ .key = "nosock_packets", .show = show_nonzero },
	{ .key = "direct_packets", .show = show_nonzero },
	{ .key = "offqueue_packets", .show = show_nonzero },
	{ .key = "fast_zc_packets", .show = show_nonzero },
	{ .key = "drops", .show = show_drops },
	{},
};

/* NICs */

static void show_attached(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v))
		tn_print_text(" detached");
}

/* In JSON only: the text says it with "mode". */
static void show_json_only(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
}

/* "  xsk queue 0 tenant acme zero-copy": an AF_XDP socket on a NIC queue,
 * as the kernel lists it. */
static const struct tn_print_field nic_xsk_fields[] = {
	{ .key = "queue", .fmt = " queue %s" },
	{ .key = "tenant", .fmt = " tenant %s" },
	{ .key = "zerocopy", .show = show_json_only },
	{ .key = "mode", .fmt = " %s" },
	{},
};

static const struct tn_print_field nic_fields[] = {
	{ .key = "ifname", .fmt = "%s" },
	{ .key = "nic_id", .fmt = " nic %s" },
	{ .key = "role", .fmt = " role %s" },
	{ .key = "default", .fmt = " default %s" },
	{ .key = "xdp_mode", .fmt = " xdp %s" },
	{ .key = "xdp_mode_in_use", .fmt = " (%s in use)" },
	{ .key = "rxvlan_offload", .fmt = " rxvlan-offload %s" },
	{ .key = "queues", .fmt = " queues %s" },
	{ .key = "steering", .fmt = " steering %s" },
	{ .key = "zerocopy", .fmt = " zerocopy %s" },
	{ .key = "multiprog" },
	{ .key = "attached", .show = show_attached },
	/* on a line of its own, under the NIC's */
	{ .key = "counters", .fields = counter_fields, .flags = TN_PF_NL },
	{ .key = "direct_sockets",
	  .fields = nic_xsk_fields,
	  .label = "  xsk",
	  .flags = TN_PF_EACH | TN_PF_NL },
	{},
};

static const struct tn_print_field nic_list_fields[] = {
	{ .key = "nics",
	  .fields = nic_fields,
	  .flags = TN_PF_EACH | TN_PF_NL_AFTER },
	{},
};

/* Tenants */

/* 0: untagged (uplink); inner 0: no QinQ. */
static void show_vlan(const char *key, json_object *v)
{
	bool inner = !strcmp(key, "inner_vlan");

	tn_print_json(key, NULL, v);
	if (json_object_is_type(v, json_type_int) && !json_object_get_int(v))
		tn_print_text("%s", inner ? "" : " untagged");
	else if (v)
		tn_print_text(" %s %s", inner ? "inner-vlan" : "vlan",
			      json_object_get_string(v));
}

static void show_gateway(const char *key, json_object *v)
{
	show_str(key, v, "gateway", NULL);
}

/* Direct mode's NIC queue; -1 (veth mode) is not said. */
static void show_queue(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_int(v) >= 0)
		tn_print_text(" queue %d", json_object_get_int(v));
}

static const struct tn_print_field port_fields[] = {
	{ .key = "ifname", .fmt = " %s" },
	{ .key = "vlan", .show = show_vlan },
	{ .key = "inner_vlan", .show = show_vlan },
	{ .key = "mac", .fmt = " mac %s" },
	{ .key = "veth", .fmt = " veth %s" },
	{ .key = "queue", .show = show_queue },
	{ .key = "addrs", .show = show_words },
	{ .key = "prefixes", .show = show_words },
	{},
};

/* " starting" while a start runs, " backoff 4s" once restarts wait. */
static void show_supervision(const char *key, json_object *v)
{
	json_object *x;

	tn_print_json(key, NULL, v);
	if (json_object_object_get_ex(v, "starting", &x) &&
	    json_object_get_boolean(x))
		tn_print_text(" starting");
	if (json_object_object_get_ex(v, "backoff_ms", &x) &&
	    json_object_get_int64(x) > 1000)
		tn_print_text(" backoff %llds",
			      (long long)json_object_get_int64(x) / 1000);
}

static const struct tn_print_field container_fields[] = {
	{ .key = "name", .fmt = " %s" },
	{ .key = "state", .fmt = " %s" },
	{ .key = "pid", .fmt = " pid %s" },
	{ .key = "restarts", .fmt = " restarts %s" },
	{ .key = "uid_base", .fmt = " uids %s" },
	{ .key = "uid_count", .fmt = "+%s" },
	{ .key = "supervision", .show = show_supervision },
	{},
};

static void show_connected(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	tn_print_text(" %s", json_object_get_boolean(v) ? "connected" :
							  "not connected");
}

/* "  router connected pid 1300 sockets 2 connects 3 restarts 2" */
static const struct tn_print_field router_state_fields[] = {
	{ .key = "connected", .show = show_connected },
	{ .key = "pid", .fmt = " pid %s" },
	{ .key = "sockets", .fmt = " sockets %s" },
	{ .key = "connects", .fmt = " connects %s" },
	{ .key = "restarts", .fmt = " restarts %s" },
	{},
};

static const struct tn_print_field route_fields[] = {
	{ .key = "cidr", .fmt = "%s" },
	{ .key = "via", .fmt = " via %s" },
	{},
};

static void show_ratio(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	tn_print_text(" hit-ratio %.3f", json_object_get_double(v));
}

static void show_fast_shaped(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_boolean(v))
		tn_print_text(" (not in use: the router shapes)");
}

static const struct tn_print_field fast_fields[] = {
	{ .key = "active" },
	{ .key = "shaped", .show = show_fast_shaped },
	{ .key = "table" },
	{ .key = "entries", .fmt = " entries %s" },
	{ .key = "capacity", .fmt = "/%s" },
	{ .key = "fast_packets" },
	{ .key = "delivered_packets" },
	{ .key = "hit_ratio", .show = show_ratio },
	{},
};

/* The gateway ends the uplink's line. */
static const struct tn_print_field tenant_fields[] = {
	{ .key = "name", .fmt = "%s" },
	{ .key = "id", .fmt = " id %s" },
	{ .key = "state", .fmt = " state %s" },
	{ .key = "mode", .fmt = " mode %s" },
	{ .key = "created", .show = show_time },
	/* "  access eth1 vlan 100 ..." */
	{ .key = "access",
	  .fields = port_fields,
	  .label = "  access",
	  .flags = TN_PF_NL },
	{ .key = "uplink",
	  .fields = port_fields,
	  .label = "  uplink",
	  .flags = TN_PF_NL },
	{ .key = "gateway", .show = show_gateway },
	LIMITS,
	/* "  source-check on sources 203.0.113.0/24" */
	{ .key = "source_check", .fmt = "\n  source-check %s" },
	{ .key = "sources", .show = show_words },
	/* "  fastpath on entries 12/8192 hit-ratio 0.98" */
	{ .key = "fastpath", .fmt = "\n  fastpath %s" },
	{ .key = "fast", .fields = fast_fields },
	{ .key = "container",
	  .fields = container_fields,
	  .label = "  container",
	  .flags = TN_PF_NL },
	{ .key = "router",
	  .fields = router_state_fields,
	  .label = "  router",
	  .flags = TN_PF_NL },
	/* "  route CIDR via IP" under the tenant */
	{ .key = "routes",
	  .fields = route_fields,
	  .label = "  route ",
	  .flags = TN_PF_EACH | TN_PF_NL },
	{},
};

static const struct tn_print_field tenant_list_fields[] = {
	{ .key = "tenants",
	  .fields = tenant_fields,
	  .flags = TN_PF_EACH | TN_PF_NL_AFTER },
	{},
};

/* Tenant statistics */

/* "  classifier access  rx ...": a line per port of a stage. */
static void show_stage(const char *key, json_object *v)
{
	struct json_object_iterator it, end;
	json_object *c;
	const char *port;

	if (!nests(key, v, json_type_object))
		return;
	tn_print_obj_start(key);
	end = json_object_iter_end(v);
	for (it = json_object_iter_begin(v); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		port = json_object_iter_peek_name(&it);
		c = json_object_iter_peek_value(&it);
		if (!json_object_is_type(c, json_type_object)) {
			tn_print_json(port, NULL, c);
			continue;
		}
		tn_print_nl();
		tn_print_text("  %s %s", key, port);
		tn_print_obj_start(port);
		tn_print_fields(c, counter_fields);
		tn_print_obj_end();
	}
	tn_print_obj_end();
}

/* A NIC queue the router reads in direct mode. */
static void show_direct(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_get_boolean(v))
		tn_print_text(" direct");
}

/* The router's own counters, by name. */
static void show_router_counters(const char *key, json_object *v)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_nl();
	tn_print_text("     ");
	tn_print_obj_start(key);
	tn_print_pairs(v, " %s", " %s");
	tn_print_obj_end();
}

static const struct tn_print_field iface_fields[] = {
	{ .key = "ifname", .fmt = "%s" },
	{ .key = "queue", .fmt = " queue %s" },
	{ .key = "zc_requested", .show = show_json_only },
	{ .key = "zc_in_use", .show = show_json_only },
	{ .key = "xsk_mode", .fmt = " xsk %s" },
	{ .key = "direct", .show = show_direct },
	{ .key = "counters", .show = show_router_counters },
	{},
};

static const struct tn_print_field router_fields[] = {
	{ .key = "pid", .fmt = " pid %s" },
	{ .key = "started", .show = show_time },
	{ .key = "ifaces",
	  .fields = iface_fields,
	  .label = "    ",
	  .flags = TN_PF_EACH | TN_PF_NL },
	{},
};

/* null: no router process. */
static void show_router(const char *key, json_object *v)
{
	static const struct tn_print_field router = {
		.key = "router",
		.fields = router_fields,
		.label = "  router",
		.flags = TN_PF_NL,
	};

	if (!v) {
		tn_print_json(key, NULL, v);
		tn_print_nl();
		tn_print_text("  router not running");
		return;
	}
	tn_print_field(&router, v);
}

/* In use, and what was requested where it is not that, as OVS says it:
 * "xsk copy (zero-copy requested)". */
static const struct tn_print_field xsk_fields[] = {
	{ .key = "requested", .show = show_json_only },
	{ .key = "in_use", .show = show_json_only },
	{ .key = "mode", .fmt = " xsk %s" },
	{},
};

static const struct tn_print_field usage_fields[] = {
	{ .key = "cpu_ns", .show = show_cpu_used },
	{ .key = "memory_bytes", .show = show_memory_used },
	{ .key = "pids", .fmt = " pids %s" },
	{},
};

/* "  limited to-upstream policed-in 0 shaped 12 shaped-drop 1
 * policed-out 0": what each limit dropped (or the shaper delayed), by
 * direction, in the order a frame meets them. */
static const struct tn_print_field limited_dir_fields[] = {
	{ .key = "policed_in", .fmt = " policed-in %s" },
	{ .key = "shaped", .fmt = " shaped %s" },
	{ .key = "shaped_drop", .fmt = " shaped-drop %s" },
	{ .key = "policed_out", .fmt = " policed-out %s" },
	{},
};

static const struct tn_print_field limited_fields[] = {
	{ .key = "to_upstream",
	  .fields = limited_dir_fields,
	  .label = "  limited to-upstream",
	  .flags = TN_PF_NL },
	{ .key = "to_customer",
	  .fields = limited_dir_fields,
	  .label = "  limited to-customer",
	  .flags = TN_PF_NL },
	{},
};

static const struct tn_print_field stats_fields[] = {
	{ .key = "name", .fmt = "%s" },
	{ .key = "id", .fmt = " id %s" },
	{ .key = "xsk", .fields = xsk_fields },
	{ .key = "classifier", .show = show_stage },
	{ .key = "egress", .show = show_stage },
	{ .key = "router", .show = show_router },
	LIMITS,
	{ .key = "limited", .fields = limited_fields },
	{ .key = "usage",
	  .fields = usage_fields,
	  .label = "  usage",
	  .flags = TN_PF_NL },
	{},
};

static const struct tn_print_field stats_list_fields[] = {
	{ .key = "tenants",
	  .fields = stats_fields,
	  .flags = TN_PF_EACH | TN_PF_NL_AFTER },
	{},
};

/* Routes */

static const struct tn_print_field route_list_fields[] = {
	{ .key = "routes",
	  .fields = route_fields,
	  .flags = TN_PF_EACH | TN_PF_NL_AFTER },
	{},
};

/* "key value" per line, in tenetd's order. */
static void show_status(json_object *data)
{
	tn_print_pairs(data, "%s ", "%s\n");
}

/* How each command's data is printed: through a table (a single object
 * ends its line), or by a function. */
static const struct printer {
	const struct tn_print_field *fields;
	void (*fn)(json_object *data);
	bool one;
} printers[TN_C__MAX] = {
	[TN_C_STATUS] = { .fn = show_status },
	[TN_C_NIC_ATTACH] = { .fields = nic_fields, .one = true },
	[TN_C_NIC_LIST] = { .fields = nic_list_fields },
	[TN_C_TENANT_ADD] = { .fields = tenant_fields, .one = true },
	[TN_C_TENANT_LIST] = { .fields = tenant_list_fields },
	[TN_C_TENANT_SHOW] = { .fields = tenant_fields, .one = true },
	[TN_C_TENANT_STATS] = { .fields = stats_list_fields },
	[TN_C_TENANT_SET] = { .fields = tenant_fields, .one = true },
	[TN_C_ROUTE_LIST] = { .fields = route_list_fields },
};

/* Parses, asks tenetd and prints the reply's data with the command's
 * printer; without one, or without data, the message (text) or the data
 * as it is (JSON). */
static int run(const struct tn_gcmd *c, int argc, char **argv)
{
	static const struct tn_print_field none[] = { {} };
	json_object *req = json_object_new_object(), *reply = NULL, *data, *msg;
	json_object *args = json_object_new_object();
	const struct printer *pr = &printers[c - g->cmds];
	char name[64], err[TN_V_ERR_MAX];
	struct tn_gargs a;
	bool usage;
	int ret;

	json_object_object_add(
		req, "cmd",
		json_object_new_string(tn_g_name(c, name, sizeof(name))));
	json_object_object_add(req, "args", args);
	ret = tn_g_argv(g, c, argc, argv, &a, args, err, sizeof(err), &usage);
	if (ret)
		ret = usage_err(usage ? c : NULL, "%s", err);
	if (!ret)
		ret = ctl_call(req, &reply, NULL, 0);
	json_object_put(req);
	if (ret) {
		json_object_put(reply);
		return ret;
	}
	if (!json_object_object_get_ex(reply, "data", &data) ||
	    !json_object_is_type(data, json_type_object))
		data = NULL;
	tn_print_open(stdout, json);
	if (pr->fn && data) {
		pr->fn(data);
	} else if (pr->fields && data) {
		tn_print_fields(data, pr->fields);
		if (pr->one)
			tn_print_nl();
	} else {
		if (json_object_object_get_ex(reply, "message", &msg) &&
		    json_object_get_string_len(msg))
			tn_print_text("%s\n", json_object_get_string(msg));
		tn_print_fields(data, none);
	}
	ret = tn_print_close();
	json_object_put(reply);
	if (ret || ferror(stdout)) {
		fprintf(stderr, "tenetctl: cannot print the reply: %s\n",
			strerror(ret ? -ret : EIO));
		return 1;
	}
	return 0;
}

/* A command tenetctl does itself, through others (apply). */
static int local(const struct tn_gcmd *c, int argc, char **argv)
{
	char err[TN_V_ERR_MAX];
	struct tn_gargs a;
	bool usage;

	if (tn_g_argv(g, c, argc, argv, &a, NULL, err, sizeof(err), &usage))
		return usage_err(usage ? c : NULL, "%s", err);
	return apply_main(&a, json);
}

/* A request tenetctl stays with: capture. */
static int capture(const struct tn_gcmd *c, int argc, char **argv)
{
	json_object *args = json_object_new_object();
	char err[TN_V_ERR_MAX];
	struct tn_gargs a;
	bool usage;
	int ret;

	if (tn_g_argv(g, c, argc, argv, &a, args, err, sizeof(err), &usage))
		ret = usage_err(usage ? c : NULL, "%s", err);
	else
		ret = capture_main(&a, args, json);
	json_object_put(args);
	return ret;
}

static void help(FILE *f, const char *obj)
{
	tn_g_help(f, g, obj);
}

static bool is_help(const char *s)
{
	return s &&
	       (!strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help"));
}

/* The objects (obj NULL) or obj's verbs for tn_v_keyword(), and their
 * commands; the table keeps each object's commands together. */
static void words(const char *obj, const char **w, const struct tn_gcmd **e)
{
	int n = 0;

	for (unsigned int i = 0; i < g->ncmds && n < TN_C__MAX; i++) {
		const struct tn_gcmd *c = &g->cmds[i];

		if (obj ? strcmp(c->obj, obj) : n && !strcmp(w[n - 1], c->obj))
			continue;
		e[n] = c;
		w[n++] = obj ? c->verb : c->obj;
	}
	w[n] = NULL;
}

static int dispatch(int argc, char **argv)
{
	const struct tn_gcmd *e[TN_C__MAX + 1], *c;
	const char *w[TN_C__MAX + 1];
	char err[TN_V_ERR_MAX];
	int k;

	if (argc < 1)
		return usage_err(NULL, "missing OBJECT; see tenetctl --help");
	words(NULL, w, e);
	k = tn_v_keyword("object", argv[0], w, err, sizeof(err));
	if (k < 0)
		return usage_err(NULL, "%s", err);
	c = e[k];
	if (c->verb && !is_help(argv[1])) {
		if (argc < 2)
			return usage_err(
				NULL,
				"%s needs a command; see tenetctl %s --help",
				c->obj, c->obj);
		words(c->obj, w, e);
		k = tn_v_keyword(c->obj, argv[1], w, err, sizeof(err));
		if (k < 0)
			return usage_err(NULL, "%s", err);
		c = e[k];
		argc--;
		argv++;
	}
	if (is_help(argv[1])) {
		help(stdout, c->obj);
		return 0;
	}
	if (c->flags & TN_GC_LOCAL)
		return local(c, argc - 1, argv + 1);
	if (c == &g->cmds[TN_C_CAPTURE])
		return capture(c, argc - 1, argv + 1);
	return run(c, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	char err[TN_V_ERR_MAX];
	struct sockaddr_un sa;
	int o;

	while ((o = tn_g_opt(g, argc, argv, err, sizeof(err))) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 't':
			if (tn_v_count("timeout", optarg, 1,
				       REPLY_TIMEOUT_MAX_S, &reply_timeout_s,
				       err, sizeof(err)))
				return usage_err(NULL, "%s", err);
			break;
		case 'h':
			help(stdout, NULL);
			return 0;
		default:
			return usage_err(NULL, "%s", err);
		}
	}
	if (!*sock_path || strlen(sock_path) >= sizeof(sa.sun_path))
		return usage_err(NULL,
				 "socket: must be a path of 1 to %zu bytes",
				 sizeof(sa.sun_path) - 1);
	return dispatch(argc - optind, argv + optind);
}
