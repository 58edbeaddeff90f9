// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl: the operator's command line for tenetd. It checks every
 * argument (lib/validate), sends one request on tenetd's control socket
 * (include/tenet/ctl.h) and prints the reply's data as text or, with -j, as
 * JSON, through one printer (lib/print). Exit status: 0 done, 1 tenetd
 * refused or could not be reached, 2 bad usage or input (nothing is sent).
 *
 * Each command is one entry of cmds[]: its positional arguments, its
 * "key value" arguments and the printer of its reply. The request's args
 * are named after the CLI's keywords, every value a string as typed, a
 * list of strings for keys that take several.
 */
#include <ctype.h>
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
#include "print.h"
#include "validate.h"

#define DEFAULT_SOCK "/run/tenet/" TN_CTL_SOCK
#define REPLY_TIMEOUT_MS 30000
#define EXIT_USAGE 2
#define MAX_PARAMS 24
#define MAX_WORDS 16
#define MAX_VALUES 16 /* of a key that takes a list */

typedef int (*check_fn)(const char *field, const char *s, char *err, size_t n);
typedef void (*show_fn)(json_object *data);

enum {
	P_REQUIRED = 1 << 0,
	P_LIST = 1 << 1, /* one or more values, up to the next key */
	P_REPEAT = 1 << 2, /* may be given again; the values add up */
};

/* An argument: its name in the request, how its value is checked (check,
 * or one of values) and P_ flags (xdp-tools' params tables). */
struct param {
	const char *key;
	check_fn check;
	unsigned int flags;
	const char *const *values;
};

/* verb NULL: the object alone is the command. pos: the arguments before
 * the "key value" pairs, in order (an optional one only last). args: the
 * grammar for help, lines split by '\n'. */
struct cmd {
	const char *obj;
	const char *verb;
	const struct param *pos;
	const struct param *keys;
	bool needs_key; /* at least one of keys */
	show_fn show;
	const char *args;
	const char *help;
};

static const char *sock_path = DEFAULT_SOCK;
static bool json;

static const char *cmd_name(const struct cmd *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", c->obj, c->verb ? " " : "",
		 c->verb ? c->verb : "");
	return buf;
}

/* One line on stderr: "tenetctl: WHAT[; usage: tenetctl CMD ARGS]", or
 * for a grammar of several lines a pointer to the object's help. */
static int __attribute__((format(printf, 2, 3)))
usage_err(const struct cmd *c, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	fputs("tenetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c && strchr(c->args, '\n'))
		fprintf(stderr, "; see tenetctl %s --help", c->obj);
	else if (c)
		fprintf(stderr, "; usage: tenetctl %s%s%s",
			cmd_name(c, name, sizeof(name)), *c->args ? " " : "",
			c->args);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* The daemon's sentence, kept to one line. */
static void say(const char *msg)
{
	fputs("tenetctl: ", stderr);
	for (; *msg; msg++)
		fputc((unsigned char)*msg < 0x20 ? ' ' : *msg, stderr);
	fputc('\n', stderr);
}

/* Values, checked as tenetd will check them again. */

static unsigned int host_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned int)n : 1;
}

static int check_name(const char *field, const char *s, char *err, size_t n)
{
	(void)field; /* always "name" */
	return tn_v_name(s, err, n);
}

static int check_vlan(const char *field, const char *s, char *err, size_t n)
{
	uint16_t vid;

	return tn_v_vlan(field, s, &vid, err, n);
}

/* An interface's own address: host bits wanted. */
static int check_addr(const char *field, const char *s, char *err, size_t n)
{
	unsigned int len;
	uint8_t a[16];
	int fam;

	return tn_v_cidr(field, s, false, &fam, a, &len, err, n);
}

/* A prefix routed: host bits zero. */
static int check_prefix(const char *field, const char *s, char *err, size_t n)
{
	unsigned int len;
	uint8_t a[16];
	int fam;

	return tn_v_cidr(field, s, true, &fam, a, &len, err, n);
}

static int check_ip(const char *field, const char *s, char *err, size_t n)
{
	uint8_t a[16];
	int fam;

	return tn_v_ip(field, s, &fam, a, err, n);
}

static int check_mac(const char *field, const char *s, char *err, size_t n)
{
	uint8_t mac[6];

	return tn_v_mac(field, s, mac, err, n);
}

static int check_cpu(const char *field, const char *s, char *err, size_t n)
{
	uint32_t m;

	if (tn_v_unlimited(s))
		return 0;
	return tn_v_cpu(field, s, host_cores(), &m, err, n);
}

static int check_cpuset(const char *field, const char *s, char *err, size_t n)
{
	uint64_t mask;

	return tn_v_cpuset(field, s, host_cores(), &mask, err, n);
}

static int check_size(const char *field, const char *s, char *err, size_t n)
{
	uint64_t v;

	if (tn_v_unlimited(s))
		return 0;
	return tn_v_size(field, s, &v, err, n);
}

static int check_rate(const char *field, const char *s, char *err, size_t n)
{
	uint64_t v;

	if (tn_v_unlimited(s))
		return 0;
	return tn_v_rate(field, s, &v, err, n);
}

static int check_pids(const char *field, const char *s, char *err, size_t n)
{
	uint64_t v;

	if (tn_v_unlimited(s))
		return 0;
	return tn_v_count(field, s, 1, TN_V_PIDS_MAX, &v, err, n);
}

static int check_pps(const char *field, const char *s, char *err, size_t n)
{
	uint64_t v;

	if (tn_v_unlimited(s))
		return 0;
	return tn_v_count(field, s, 1, TN_V_PPS_MAX, &v, err, n);
}

static const char *const roles[] = { "access", "uplink", NULL };
static const char *const xdp_modes[] = { "native", "generic", NULL };
static const char *const defaults[] = { "pass", "drop", NULL };
static const char *const tenant_modes[] = { "veth", "direct", NULL };

static const struct param ifname_pos[] = {
	{ .key = "ifname", .check = tn_v_ifname, .flags = P_REQUIRED },
	{},
};

static const struct param attach_keys[] = {
	{ .key = "role", .values = roles, .flags = P_REQUIRED },
	{ .key = "xdp-mode", .values = xdp_modes },
	{ .key = "default", .values = defaults },
	{},
};

static const struct param name_pos[] = {
	{ .key = "name", .check = check_name, .flags = P_REQUIRED },
	{},
};

static const struct param opt_name_pos[] = {
	{ .key = "name", .check = check_name },
	{},
};

static const struct param tenant_add_keys[] = {
	{ .key = "access", .check = tn_v_ifname, .flags = P_REQUIRED },
	{ .key = "vlan", .check = check_vlan, .flags = P_REQUIRED },
	{ .key = "inner-vlan", .check = check_vlan },
	{ .key = "uplink", .check = tn_v_ifname, .flags = P_REQUIRED },
	{ .key = "uplink-vlan", .check = check_vlan },
	{ .key = "uplink-mac", .check = check_mac },
	{ .key = "prefix", .check = check_prefix, .flags = P_LIST | P_REPEAT },
	{ .key = "access-addr",
	  .check = check_addr,
	  .flags = P_REQUIRED | P_LIST },
	{ .key = "uplink-addr",
	  .check = check_addr,
	  .flags = P_REQUIRED | P_LIST },
	{ .key = "gateway", .check = check_ip },
	{ .key = "mode", .values = tenant_modes },
	{ .key = "cpu", .check = check_cpu },
	{ .key = "cpuset", .check = check_cpuset },
	{ .key = "memory", .check = check_size },
	{ .key = "pids", .check = check_pids },
	{ .key = "rate", .check = check_rate },
	{ .key = "pps", .check = check_pps },
	{},
};

static const struct param tenant_set_keys[] = {
	{ .key = "rate", .check = check_rate },
	{ .key = "pps", .check = check_pps },
	{ .key = "cpu", .check = check_cpu },
	{ .key = "memory", .check = check_size },
	{ .key = "pids", .check = check_pids },
	{},
};

static const struct param route_pos[] = {
	{ .key = "name", .check = check_name, .flags = P_REQUIRED },
	{ .key = "cidr", .check = check_prefix, .flags = P_REQUIRED },
	{},
};

static const struct param via_keys[] = {
	{ .key = "via", .check = check_ip, .flags = P_REQUIRED },
	{},
};

static int check_value(const struct param *p, const char *s, char *err,
		       size_t n)
{
	if (p->values)
		return tn_v_keyword(p->key, s, p->values, err, n) < 0 ?
			       -EINVAL :
			       0;
	return p->check(p->key, s, err, n);
}

/* "a", "a or b", "a, b or c" into buf. */
static const char *join(const char *const *w, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; w[i] && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s",
				 !i	  ? "" :
				 w[i + 1] ? ", " :
					    " or ",
				 w[i]);
	return buf;
}

static bool is_key(const char *const *keys, const char *s)
{
	return tn_v_keyword("key", s, keys, NULL, 0) >= 0;
}

/* A word of a list cannot be a key unless it holds no digit and no ':'
 * (addresses always do): such a word after a list is a mistyped key. */
static bool looks_like_key(const char *s)
{
	return !strpbrk(s, "0123456789:");
}

/* The words from argv[*i] up to the next key, added to p's list in args. */
static int take_list(const struct cmd *c, const struct param *p,
		     const char *const *keys, int argc, char **argv, int *i,
		     json_object *args)
{
	char err[TN_V_ERR_MAX], field[64];
	json_object *list;
	int n;

	if (!json_object_object_get_ex(args, p->key, &list)) {
		list = json_object_new_array();
		json_object_object_add(args, p->key, list);
	}
	for (n = 0; *i < argc && !is_key(keys, argv[*i]); (*i)++, n++) {
		if (check_value(p, argv[*i], err, sizeof(err))) {
			if (n && looks_like_key(argv[*i]))
				tn_v_keyword(cmd_name(c, field, sizeof(field)),
					     argv[*i], keys, err, sizeof(err));
			return usage_err(NULL, "%s", err);
		}
		if (json_object_array_length(list) >= MAX_VALUES)
			return usage_err(c, "%s takes at most %d values",
					 p->key, MAX_VALUES);
		json_object_array_add(list, json_object_new_string(argv[*i]));
	}
	return n ? 0 : usage_err(c, "%s needs a value", p->key);
}

/*
 * The positional arguments, then "key value" pairs in any order into
 * args: each key at most once unless P_REPEAT, a P_LIST key taking every
 * word up to the next key.
 */
static int parse_args(const struct cmd *c, int argc, char **argv,
		      json_object *args)
{
	const struct param *p, *keys = c->keys;
	const char *words[MAX_PARAMS + 1];
	bool seen[MAX_PARAMS] = { false };
	char err[TN_V_ERR_MAX], field[64], meta[16];
	int i = 0, k, n = 0, given = 0, ret;

	for (p = c->pos; p && p->key; p++, i++) {
		if (i >= argc) {
			if (!(p->flags & P_REQUIRED))
				break;
			for (k = 0; p->key[k] && k < (int)sizeof(meta) - 1; k++)
				meta[k] =
					(char)toupper((unsigned char)p->key[k]);
			meta[k] = '\0';
			return usage_err(c, "missing %s", meta);
		}
		if (check_value(p, argv[i], err, sizeof(err)))
			return usage_err(NULL, "%s", err);
		json_object_object_add(args, p->key,
				       json_object_new_string(argv[i]));
	}
	while (keys && n < MAX_PARAMS && keys[n].key) {
		words[n] = keys[n].key;
		n++;
	}
	words[n] = NULL;
	while (i < argc) {
		if (!n)
			return usage_err(c, "too many arguments");
		k = tn_v_keyword("key", argv[i], words, NULL, 0);
		if (k < 0) {
			tn_v_keyword(cmd_name(c, field, sizeof(field)), argv[i],
				     words, err, sizeof(err));
			return usage_err(NULL, "%s", err);
		}
		p = &keys[k];
		if (seen[k] && !(p->flags & P_REPEAT))
			return usage_err(c, "%s given twice", p->key);
		seen[k] = true;
		given++;
		if (++i >= argc)
			return usage_err(c, "%s needs a value", p->key);
		if (p->flags & P_LIST) {
			ret = take_list(c, p, words, argc, argv, &i, args);
			if (ret)
				return ret;
			continue;
		}
		if (check_value(p, argv[i], err, sizeof(err)))
			return usage_err(NULL, "%s", err);
		json_object_object_add(args, p->key,
				       json_object_new_string(argv[i++]));
	}
	for (k = 0; k < n; k++)
		if ((keys[k].flags & P_REQUIRED) && !seen[k])
			return usage_err(c, "%s is required", keys[k].key);
	if (c->needs_key && !given)
		return usage_err(c, "give at least one of %s",
				 join(words, err, sizeof(err)));
	return 0;
}

/* Sends req and gets the reply: 0, or 1 after saying why on stderr. */
static int call(json_object *req, json_object **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_object *v = NULL;
	int fd, err;

	memcpy(sa.sun_path, sock_path, strlen(sock_path)); /* checked */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "tenetctl: cannot reach tenetd at %s: %s\n",
			sock_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	/* tenetd going away mid-write is an error to report, not a signal */
	signal(SIGPIPE, SIG_IGN);
	err = tn_ctl_write(fd, req);
	if (!err)
		err = tn_ctl_read(fd, REPLY_TIMEOUT_MS, TN_CTL_REPLY_MAX,
				  reply);
	signal(SIGPIPE, SIG_DFL);
	close(fd);
	if (!err && (!json_object_object_get_ex(*reply, "status", &v) ||
		     !json_object_is_type(v, json_type_int)))
		err = -EBADMSG;
	if (err) {
		fprintf(stderr, "tenetctl: tenetd at %s: %s\n", sock_path,
			err == -ETIMEDOUT ? "no reply within 30 s" :
			err == -EBADMSG || err == -EMSGSIZE ?
					    "malformed reply" :
					    strerror(-err));
		return 1;
	}
	err = json_object_get_int(v);
	if (!err)
		return 0;
	json_object_object_get_ex(*reply, "message", &v);
	say(json_object_get_string_len(v) ? json_object_get_string(v) :
					    strerror(err < 0 ? -err : err));
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

/* An object on a line of its own: label, then its fields. */
static void line(const char *key, json_object *v, const char *label,
		 const struct tn_print_field *fields)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_nl();
	tn_print_text("%s", label);
	tn_print_obj_start(key);
	tn_print_fields(v, fields);
	tn_print_obj_end();
}

/* Each object of an array through show; anything else to JSON as it is. */
static void each(const char *key, json_object *v, show_fn show)
{
	json_object *e;
	size_t i, n;

	if (!nests(key, v, json_type_array))
		return;
	tn_print_arr_start(key);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_object)) {
			tn_print_json(NULL, NULL, e);
			continue;
		}
		tn_print_obj_start(NULL);
		show(e);
		tn_print_obj_end();
	}
	tn_print_arr_end();
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
 * can be typed back. */

static void fmt_plain(uint64_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%" PRIu64, v);
}

/* Cores: 500 millicores "0.5", 1250 "1.25", 2000 "2". */
static void fmt_cores(uint64_t m, char *buf, size_t n)
{
	int len =
		snprintf(buf, n, "%" PRIu64 ".%03" PRIu64, m / 1000, m % 1000);

	while (len > 0 && (size_t)len < n && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && (size_t)len < n && buf[len - 1] == '.')
		buf[len - 1] = '\0';
}

/* v in the largest unit of mul[] that divides it exactly, or as it is. */
static void fmt_exact(uint64_t v, const uint64_t *mul, const char *const *sfx,
		      const char *unit, char *buf, size_t n)
{
	int i;

	for (i = 0; mul[i] && (v < mul[i] || v % mul[i]); i++)
		;
	if (mul[i])
		snprintf(buf, n, "%" PRIu64 "%s%s", v / mul[i], sfx[i], unit);
	else
		snprintf(buf, n, "%" PRIu64 "%s", v, unit);
}

/* Bytes, binary: "256M". */
static void fmt_size(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1ULL << 30, 1ULL << 20, 1ULL << 10, 0 };
	static const char *const sfx[] = { "G", "M", "K" };

	fmt_exact(v, mul, sfx, "", buf, n);
}

/* Bits/s, decimal: "100Mbit". */
static void fmt_rate(uint64_t v, char *buf, size_t n)
{
	static const uint64_t mul[] = { 1000000000, 1000000, 1000, 0 };
	static const char *const sfx[] = { "G", "M", "k" };

	fmt_exact(v, mul, sfx, "bit", buf, n);
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
	show_num(key, v, "cpu", "unlimited", fmt_cores);
}

static void show_cpuset(const char *key, json_object *v)
{
	show_str(key, v, "cpuset", "any");
}

static void show_memory(const char *key, json_object *v)
{
	show_num(key, v, "memory", "unlimited", fmt_size);
}

static void show_pids(const char *key, json_object *v)
{
	show_num(key, v, "pids", "unlimited", fmt_plain);
}

static void show_rate(const char *key, json_object *v)
{
	show_num(key, v, "rate", "unlimited", fmt_rate);
}

static void show_pps(const char *key, json_object *v)
{
	show_num(key, v, "pps", "unlimited", fmt_plain);
}

static void show_cpu_used(const char *key, json_object *v)
{
	show_num(key, v, "cpu", NULL, fmt_ns);
}

static void show_memory_used(const char *key, json_object *v)
{
	show_num(key, v, "memory", NULL, fmt_bytes);
}

static const struct tn_print_field limit_fields[] = {
	{ .key = "cpu_millicores", .show = show_cpu },
	{ .key = "cpuset", .show = show_cpuset },
	{ .key = "memory_bytes", .show = show_memory },
	{ .key = "pids", .show = show_pids },
	{ .key = "rate_bps", .show = show_rate },
	{ .key = "pps", .show = show_pps },
	{},
};

static void show_limits(const char *key, json_object *v)
{
	line(key, v, "  limits", limit_fields);
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

/* Counters of direct mode and missing sockets: said when not 0. */
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
	{ .key = "pass_packets", .fmt = "  passed %s pkts" },
	{ .key = "pass_bytes", .fmt = " %s bytes" },
	{ .key = "nosock_packets", .show = show_nonzero },
	{ .key = "direct_packets", .show = show_nonzero },
	{ .key = "offqueue_packets", .show = show_nonzero },
	{ .key = "drops", .show = show_drops },
	{},
};

/* On a line of its own, under the NIC's. */
static void show_counters(const char *key, json_object *v)
{
	line(key, v, "", counter_fields);
}

/* NICs */

static void show_attached(const char *key, json_object *v)
{
	tn_print_json(key, NULL, v);
	if (json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v))
		tn_print_text(" detached");
}

static const struct tn_print_field nic_fields[] = {
	{ .key = "ifname", .fmt = "%s" },
	{ .key = "nic_id", .fmt = " nic %s" },
	{ .key = "role", .fmt = " role %s" },
	{ .key = "default", .fmt = " default %s" },
	{ .key = "xdp_mode", .fmt = " xdp %s" },
	{ .key = "xdp_mode_in_use", .fmt = " (%s in use)" },
	{ .key = "rxvlan_offload", .fmt = " rxvlan-offload %s" },
	{ .key = "multiprog" },
	{ .key = "attached", .show = show_attached },
	{ .key = "counters", .show = show_counters },
	{},
};

static void show_nic(json_object *nic)
{
	tn_print_fields(nic, nic_fields);
	tn_print_nl();
}

static void show_nic_array(const char *key, json_object *v)
{
	each(key, v, show_nic);
}

static const struct tn_print_field nic_list_fields[] = {
	{ .key = "nics", .show = show_nic_array },
	{},
};

static void show_nic_list(json_object *data)
{
	tn_print_fields(data, nic_list_fields);
}

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

/* "  access eth1 vlan 100 ..." */
static void show_port(const char *key, json_object *v)
{
	char label[32];

	snprintf(label, sizeof(label), "  %s", key);
	line(key, v, label, port_fields);
}

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

static void show_container(const char *key, json_object *v)
{
	line(key, v, "  container", container_fields);
}

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

static void show_router_state(const char *key, json_object *v)
{
	line(key, v, "  router", router_state_fields);
}

static const struct tn_print_field route_fields[] = {
	{ .key = "cidr", .fmt = "%s" },
	{ .key = "via", .fmt = " via %s" },
	{},
};

/* "  route CIDR via IP" under the tenant. */
static void show_tenant_route(json_object *route)
{
	tn_print_nl();
	tn_print_text("  route ");
	tn_print_fields(route, route_fields);
}

static void show_tenant_routes(const char *key, json_object *v)
{
	each(key, v, show_tenant_route);
}

/* The gateway ends the uplink's line. */
static const struct tn_print_field tenant_fields[] = {
	{ .key = "name", .fmt = "%s" },
	{ .key = "id", .fmt = " id %s" },
	{ .key = "state", .fmt = " state %s" },
	{ .key = "mode", .fmt = " mode %s" },
	{ .key = "created", .show = show_time },
	{ .key = "access", .show = show_port },
	{ .key = "uplink", .show = show_port },
	{ .key = "gateway", .show = show_gateway },
	{ .key = "limits", .show = show_limits },
	{ .key = "container", .show = show_container },
	{ .key = "router", .show = show_router_state },
	{ .key = "routes", .show = show_tenant_routes },
	{},
};

static void show_tenant(json_object *t)
{
	tn_print_fields(t, tenant_fields);
	tn_print_nl();
}

static void show_tenant_array(const char *key, json_object *v)
{
	each(key, v, show_tenant);
}

static const struct tn_print_field tenant_list_fields[] = {
	{ .key = "tenants", .show = show_tenant_array },
	{},
};

static void show_tenant_list(json_object *data)
{
	tn_print_fields(data, tenant_list_fields);
}

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

/* Requested next to in use, as for the NICs' XDP mode. */
static void show_zc(const char *key, json_object *v)
{
	bool in_use = !strcmp(key, "zc_in_use");

	tn_print_json(key, NULL, v);
	if (json_object_is_type(v, json_type_boolean))
		tn_print_text(in_use ? " (%s in use)" : " xsk %s",
			      json_object_get_boolean(v) ? "zero-copy" :
							   "copy");
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
	{ .key = "zc_requested", .show = show_zc },
	{ .key = "zc_in_use", .show = show_zc },
	{ .key = "direct", .show = show_direct },
	{ .key = "counters", .show = show_router_counters },
	{},
};

static void show_iface(json_object *iface)
{
	tn_print_nl();
	tn_print_text("    ");
	tn_print_fields(iface, iface_fields);
}

static void show_ifaces(const char *key, json_object *v)
{
	each(key, v, show_iface);
}

static const struct tn_print_field router_fields[] = {
	{ .key = "pid", .fmt = " pid %s" },
	{ .key = "started", .show = show_time },
	{ .key = "ifaces", .show = show_ifaces },
	{},
};

/* null: no router process. */
static void show_router(const char *key, json_object *v)
{
	if (!v) {
		tn_print_json(key, NULL, v);
		tn_print_nl();
		tn_print_text("  router not running");
		return;
	}
	line(key, v, "  router", router_fields);
}

static const struct tn_print_field xsk_fields[] = {
	{ .key = "requested", .fmt = " xsk %s" },
	{ .key = "in_use", .fmt = " (%s in use)" },
	{},
};

static void show_xsk(const char *key, json_object *v)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_obj_start(key);
	tn_print_fields(v, xsk_fields);
	tn_print_obj_end();
}

static const struct tn_print_field usage_fields[] = {
	{ .key = "cpu_ns", .show = show_cpu_used },
	{ .key = "memory_bytes", .show = show_memory_used },
	{ .key = "pids", .fmt = " pids %s" },
	{},
};

static void show_usage(const char *key, json_object *v)
{
	line(key, v, "  usage", usage_fields);
}

static const struct tn_print_field stats_fields[] = {
	{ .key = "name", .fmt = "%s" },
	{ .key = "id", .fmt = " id %s" },
	{ .key = "xsk", .show = show_xsk },
	{ .key = "classifier", .show = show_stage },
	{ .key = "egress", .show = show_stage },
	{ .key = "router", .show = show_router },
	{ .key = "limits", .show = show_limits },
	{ .key = "usage", .show = show_usage },
	{},
};

static void show_stats(json_object *s)
{
	tn_print_fields(s, stats_fields);
	tn_print_nl();
}

static void show_stats_array(const char *key, json_object *v)
{
	each(key, v, show_stats);
}

static const struct tn_print_field stats_list_fields[] = {
	{ .key = "tenants", .show = show_stats_array },
	{},
};

static void show_stats_list(json_object *data)
{
	tn_print_fields(data, stats_list_fields);
}

/* Routes */

static void show_route(json_object *route)
{
	tn_print_fields(route, route_fields);
	tn_print_nl();
}

static void show_route_array(const char *key, json_object *v)
{
	each(key, v, show_route);
}

static const struct tn_print_field route_list_fields[] = {
	{ .key = "routes", .show = show_route_array },
	{},
};

static void show_route_list(json_object *data)
{
	tn_print_fields(data, route_list_fields);
}

/* "key value" per line, in tenetd's order. */
static void show_status(json_object *data)
{
	tn_print_pairs(data, "%s ", "%s\n");
}

/* Parses, asks tenetd and prints the reply's data with c->show; without
 * show or data, the message (text) or the data as it is (JSON). */
static int run(const struct cmd *c, int argc, char **argv)
{
	static const struct tn_print_field none[] = { {} };
	json_object *req = json_object_new_object(), *reply = NULL, *data, *msg;
	json_object *args = json_object_new_object();
	char name[64];
	int ret;

	json_object_object_add(
		req, "cmd",
		json_object_new_string(cmd_name(c, name, sizeof(name))));
	json_object_object_add(req, "args", args);
	ret = parse_args(c, argc, argv, args);
	if (!ret)
		ret = call(req, &reply);
	json_object_put(req);
	if (ret) {
		json_object_put(reply);
		return ret;
	}
	if (!json_object_object_get_ex(reply, "data", &data) ||
	    !json_object_is_type(data, json_type_object))
		data = NULL;
	tn_print_open(stdout, json);
	if (c->show && data) {
		c->show(data);
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

#define TENANT_ADD_ARGS                                                             \
	"NAME access IFNAME vlan VID [inner-vlan VID]\n"                            \
	"uplink IFNAME [uplink-vlan VID] [uplink-mac MAC] [prefix CIDR]...\n"       \
	"access-addr CIDR... uplink-addr CIDR... [gateway IP] [mode veth|direct]\n" \
	"[cpu CORES] [cpuset LIST] [memory SIZE] [pids N] [rate BITS] [pps N]"

static const struct cmd cmds[] = {
	{ .obj = "status",
	  .show = show_status,
	  .args = "",
	  .help = "tenetd's version, pid, uptime_s, state_dir, run_dir, bpffs,\n"
		  "lxc_path, nics and tenants, one \"key value\" a line." },
	{ .obj = "nic",
	  .verb = "attach",
	  .pos = ifname_pos,
	  .keys = attach_keys,
	  .show = show_nic,
	  .args = "IFNAME role access|uplink [xdp-mode native|generic] [default pass|drop]",
	  .help = "Puts the data path on a NIC: role access (tenants' VLANs come in)\n"
		  "or uplink (their traffic goes out); the XDP mode asked for; what\n"
		  "becomes of frames of no tenant (to the host, or dropped). Keys in\n"
		  "any order, each once; tenetd's defaults: xdp-mode native, default\n"
		  "pass. Prints the NIC as nic list does." },
	{ .obj = "nic",
	  .verb = "detach",
	  .pos = ifname_pos,
	  .args = "IFNAME",
	  .help = "Takes the data path off a NIC and forgets it." },
	{ .obj = "nic",
	  .verb = "list",
	  .show = show_nic_list,
	  .args = "",
	  .help = "A line per NIC, then its counters: rx, delivered (to tenants),\n"
		  "passed (to the host), drops by reason:\n"
		  "eth1 nic 1 role access default pass xdp native (native in use) rxvlan-offload off\n"
		  "  rx 12 pkts 1234 bytes  delivered 9 pkts 900 bytes  passed 3 pkts  drops ...\n"
		  "\"detached\" ends the line of a NIC whose program is gone." },
	{ .obj = "tenant",
	  .verb = "add",
	  .pos = name_pos,
	  .keys = tenant_add_keys,
	  .show = show_tenant,
	  .args = TENANT_ADD_ARGS,
	  .help = "Makes tenant NAME and starts its router in a container. NAME:\n"
		  "1 to 32 of a-z 0-9 _ . - starting with a letter or digit.\n"
		  "  access, vlan  the NIC its customers' frames come in on, and\n"
		  "                their 802.1Q VLAN ID, 1 to 4094; inner-vlan:\n"
		  "                the inner tag of QinQ\n"
		  "  uplink        the NIC its traffic leaves by, tagged uplink-vlan\n"
		  "                or untagged; uplink-mac: its MAC there (default:\n"
		  "                one tenetd makes)\n"
		  "  prefix        its own prefixes, routed to it from the uplink,\n"
		  "                host bits zero (198.51.100.0/24)\n"
		  "  access-addr, uplink-addr\n"
		  "                the router's addresses on each side, with their\n"
		  "                length (10.0.0.1/24 fd00::1/64)\n"
		  "  gateway       the next hop of its default route, on the uplink\n"
		  "  mode          veth (frames reach the router through a veth\n"
		  "                pair; tenetd's default) or direct (the tenant\n"
		  "                also owns a queue of each NIC, which its router\n"
		  "                reads straight; the NIC must steer the tenant's\n"
		  "                frames there; tenant show names the queue)\n"
		  "Limits (\"unlimited\": none; cpuset, rate and pps: none unless\n"
		  "given):\n"
		  "  cpu           cores, up to the host's: 0.5, 2 (default 1)\n"
		  "  cpuset        the CPUs it may run on: 0-1,3\n"
		  "  memory        bytes, with K, M or G binary (1K = 1024), 32M to\n"
		  "                1024G (default 256M)\n"
		  "  pids          tasks (processes and threads) at most (default\n"
		  "                256)\n"
		  "  rate, pps     bits/s, with k, M or G decimal (1k = 1000), 1000\n"
		  "                to 400G: 100M; packets/s. Both police what each\n"
		  "                NIC sends it\n"
		  "The container runs in a user namespace of its own: its root\n"
		  "has no capability on the host (tenant show: uids).\n"
		  "access-addr, uplink-addr and prefix take every word up to the\n"
		  "next key, 16 at most, and prefix may be given again; other keys\n"
		  "once each; all in any order. Prints the tenant as tenant show\n"
		  "does." },
	{ .obj = "tenant",
	  .verb = "del",
	  .pos = name_pos,
	  .args = "NAME",
	  .help = "Stops tenant NAME's router and removes the tenant: container,\n"
		  "veths, VLANs, prefixes and routes." },
	{ .obj = "tenant",
	  .verb = "list",
	  .show = show_tenant_list,
	  .args = "",
	  .help = "Every tenant as tenant show prints it, without routes." },
	{ .obj = "tenant",
	  .verb = "show",
	  .pos = name_pos,
	  .show = show_tenant,
	  .args = "NAME",
	  .help = "Tenant NAME: its state, its two sides, its limits (0 or \"\" in\n"
		  "JSON: none), its container and routes:\n"
		  "acme id 1 state ready mode veth created 2025-11-23T06:40:00Z\n"
		  "  access eth1 vlan 100 veth tn1a addrs 10.0.0.1/24\n"
		  "  uplink eth2 untagged mac 02:74:6e:00:00:01 veth tn1u addrs ...\n"
		  "  limits cpu 0.5 cpuset any memory 256M pids 512 rate 100Mbit pps unlimited\n"
		  "  container acme RUNNING pid 1234 restarts 0 uids 1879113728+65536\n"
		  "  route 203.0.113.0/24 via 10.0.0.2" },
	{ .obj = "tenant",
	  .verb = "stats",
	  .pos = opt_name_pos,
	  .show = show_stats_list,
	  .args = "[NAME]",
	  .help = "Counters of every tenant, or of NAME: each port (access, uplink)\n"
		  "at the classifier on the NICs and at the egress back to them,\n"
		  "as nic list prints them; the router's interfaces, with the XSK\n"
		  "mode requested and in use, and its own counters; its limits and\n"
		  "usage (cpu time, memory, tasks)." },
	{ .obj = "tenant",
	  .verb = "set",
	  .pos = name_pos,
	  .keys = tenant_set_keys,
	  .needs_key = true,
	  .show = show_tenant,
	  .args = "NAME [rate BITS] [pps N] [cpu CORES] [memory SIZE] [pids N]",
	  .help = "Changes tenant NAME's limits while it runs, in tenant add's\n"
		  "units; at least one key, each once. Prints the tenant." },
	{ .obj = "route",
	  .verb = "add",
	  .pos = route_pos,
	  .keys = via_keys,
	  .args = "NAME CIDR via IP",
	  .help = "Adds a route to tenant NAME's router: CIDR (host bits zero,\n"
		  "like 203.0.113.0/24) through the next hop IP." },
	{ .obj = "route",
	  .verb = "del",
	  .pos = route_pos,
	  .keys = via_keys,
	  .args = "NAME CIDR via IP",
	  .help = "Removes that route." },
	{ .obj = "route",
	  .verb = "list",
	  .pos = name_pos,
	  .show = show_route_list,
	  .args = "NAME",
	  .help = "Tenant NAME's routes, one \"CIDR via IP\" a line." },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* Lines of s, each after indent. */
static void indented(FILE *f, const char *indent, const char *s)
{
	while (*s) {
		size_t len = strcspn(s, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)len, s);
		s += len + !!s[len];
	}
}

/* The commands of obj (all: NULL). */
static void help(FILE *f, const char *obj)
{
	const struct cmd *c;
	char name[64];
	size_t len;

	if (!obj)
		fputs("Usage: tenetctl [OPTIONS] OBJECT [COMMAND] [ARGS]\n\n"
		      "Options, before OBJECT:\n"
		      "  -j, --json         print the reply's data as JSON, exactly\n"
		      "                     (tenetctl -j nic list | jq .nics[0].nic_id)\n"
		      "  -s, --socket PATH  tenetd's control socket (default " DEFAULT_SOCK
		      ")\n"
		      "  -h, --help         this help; tenetctl OBJECT --help: one object's\n\n",
		      f);
	fputs("Commands:\n", f);
	for (c = cmds; c < cmds + NCMDS; c++) {
		if (obj && strcmp(c->obj, obj))
			continue;
		len = strcspn(c->args, "\n");
		fprintf(f, "  tenetctl %s%s%.*s\n",
			cmd_name(c, name, sizeof(name)), len ? " " : "",
			(int)len, c->args);
		indented(f, "          ", c->args + len + !!c->args[len]);
		indented(f, "      ", c->help);
	}
	fputs("\nKeywords are exact, no abbreviations. Every argument is checked\n"
	      "before anything is sent. Exit status: 0 done, 1 tenetd refused\n"
	      "(its reason on stderr) or could not be reached, 2 bad usage or\n"
	      "input (one line on stderr, nothing sent).\n",
	      f);
}

static bool is_help(const char *s)
{
	return s &&
	       (!strcmp(s, "--help") || !strcmp(s, "-h") || !strcmp(s, "help"));
}

/* The objects (obj NULL) or obj's verbs for tn_v_keyword(), and their
 * entries; cmds keeps each object's entries together. */
static void words(const char *obj, const char **w, const struct cmd **e)
{
	const struct cmd *c;
	int n = 0;

	for (c = cmds; c < cmds + NCMDS && n < MAX_WORDS - 1; c++) {
		if (obj ? strcmp(c->obj, obj) : n && !strcmp(w[n - 1], c->obj))
			continue;
		e[n] = c;
		w[n++] = obj ? c->verb : c->obj;
	}
	w[n] = NULL;
}

static int dispatch(int argc, char **argv)
{
	const struct cmd *e[MAX_WORDS], *c;
	const char *w[MAX_WORDS];
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
	return run(c, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { "-j", "--json", "-s", "--socket",
					     "-h", "--help", NULL };
	struct sockaddr_un sa;
	char err[TN_V_ERR_MAX];
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:hjs:", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'h':
			help(stdout, NULL);
			return 0;
		case ':':
			return usage_err(NULL, "--socket needs a PATH");
		default:
			tn_v_keyword("option", argv[optind - 1], names, err,
				     sizeof(err));
			return usage_err(NULL, "%s", err);
		}
	}
	if (!*sock_path || strlen(sock_path) >= sizeof(sa.sun_path))
		return usage_err(NULL,
				 "socket: must be a path of 1 to %zu bytes",
				 sizeof(sa.sun_path) - 1);
	return dispatch(argc - optind, argv + optind);
}
