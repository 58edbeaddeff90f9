// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl: the operator's command line for tenetd. It checks every
 * argument (lib/validate), sends one request on tenetd's control socket
 * (include/tenet/ctl.h) and prints the reply's data as text or, with -j, as
 * JSON, through one printer (lib/print). Exit status: 0 done, 1 tenetd
 * refused or could not be reached, 2 bad usage or input (nothing is sent).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define MAX_PARAMS 8
#define MAX_WORDS 16

struct cmd;
typedef int (*cmd_fn)(const struct cmd *c, int argc, char **argv);

/* A "key value" argument and the keywords its value may be (xdp-tools'
 * params tables). */
struct param {
	const char *key;
	const char *const *values;
	bool required;
};

/* verb NULL: the object alone is the command; func NULL: not yet. */
struct cmd {
	const char *obj;
	const char *verb;
	cmd_fn func;
	const char *args;
	const char *help;
};

typedef void (*show_fn)(json_object *data);

static const char *sock_path = DEFAULT_SOCK;
static bool json;

static const char *const roles[] = { "access", "uplink", NULL };
static const char *const xdp_modes[] = { "native", "generic", NULL };
static const char *const defaults[] = { "pass", "drop", NULL };

static const struct param attach_params[] = {
	{ "role", roles, true },
	{ "xdp-mode", xdp_modes, false },
	{ "default", defaults, false },
	{},
};

static const char *cmd_name(const struct cmd *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", c->obj, c->verb ? " " : "",
		 c->verb ? c->verb : "");
	return buf;
}

/* One line on stderr: "tenetctl: WHAT[; usage: tenetctl CMD ARGS]". */
static int __attribute__((format(printf, 2, 3)))
usage_err(const struct cmd *c, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	fputs("tenetctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (c)
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

/* [IFNAME] then "key value" pairs in any order, each key at most once,
 * into args. */
static int parse_args(const struct cmd *c, int argc, char **argv, bool ifname,
		      const struct param *params, json_object *args)
{
	const char *keys[MAX_PARAMS + 1];
	bool seen[MAX_PARAMS] = { false };
	char err[TN_V_ERR_MAX], field[64];
	int i, k, n = 0;

	if (ifname) {
		if (argc < 1)
			return usage_err(c, "missing IFNAME");
		if (tn_v_ifname("ifname", argv[0], err, sizeof(err)))
			return usage_err(NULL, "%s", err);
		json_object_object_add(args, "ifname",
				       json_object_new_string(argv[0]));
		argc--;
		argv++;
	}
	while (params && n < MAX_PARAMS && params[n].key) {
		keys[n] = params[n].key;
		n++;
	}
	keys[n] = NULL;
	for (i = 0; i < argc; i += 2) {
		if (!n)
			return usage_err(c, "too many arguments");
		k = tn_v_keyword(cmd_name(c, field, sizeof(field)), argv[i],
				 keys, err, sizeof(err));
		if (k < 0)
			return usage_err(NULL, "%s", err);
		if (seen[k])
			return usage_err(c, "%s given twice", keys[k]);
		if (i + 1 >= argc)
			return usage_err(c, "%s needs a value", keys[k]);
		if (tn_v_keyword(keys[k], argv[i + 1], params[k].values, err,
				 sizeof(err)) < 0)
			return usage_err(NULL, "%s", err);
		seen[k] = true;
		json_object_object_add(args, keys[k],
				       json_object_new_string(argv[i + 1]));
	}
	for (k = 0; k < n; k++)
		if (params[k].required && !seen[k])
			return usage_err(c, "%s is required", keys[k]);
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
		err = tn_ctl_read(fd, REPLY_TIMEOUT_MS, reply);
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

/* v is of type t, or goes to JSON as it is. */
static bool nests(const char *key, json_object *v, json_type t)
{
	if (!json_object_is_type(v, t))
		tn_print_json(key, NULL, v);
	return json_object_is_type(v, t);
}

static void show_drops(const char *key, json_object *v)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_text("  drops");
	tn_print_obj_start(key);
	tn_print_pairs(v, " %s", " %s");
	tn_print_obj_end();
}

static const struct tn_print_field counter_fields[] = {
	{ .key = "rx_packets", .fmt = "  rx %s pkts" },
	{ .key = "rx_bytes", .fmt = " %s bytes" },
	{ .key = "tx_packets", .fmt = "  delivered %s pkts" },
	{ .key = "tx_bytes", .fmt = " %s bytes" },
	{ .key = "pass_packets", .fmt = "  passed %s pkts" },
	{ .key = "pass_bytes", .fmt = " %s bytes" },
	{ .key = "drops", .show = show_drops },
	{},
};

/* On a line of its own, under the NIC's. */
static void show_counters(const char *key, json_object *v)
{
	if (!nests(key, v, json_type_object))
		return;
	tn_print_nl();
	tn_print_obj_start(key);
	tn_print_fields(v, counter_fields);
	tn_print_obj_end();
}

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
	size_t i, n;

	if (!nests(key, v, json_type_array))
		return;
	tn_print_arr_start(key);
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		tn_print_obj_start(NULL);
		show_nic(json_object_array_get_idx(v, i));
		tn_print_obj_end();
	}
	tn_print_arr_end();
}

static const struct tn_print_field nic_list_fields[] = {
	{ .key = "nics", .show = show_nic_array },
	{},
};

static void show_nic_list(json_object *data)
{
	tn_print_fields(data, nic_list_fields);
}

/* "key value" per line, in tenetd's order. */
static void show_status(json_object *data)
{
	tn_print_pairs(data, "%s ", "%s\n");
}

/* Parses, asks tenetd and prints the reply's data with show; without show
 * or data, the message (text) or the data as it is (JSON). */
static int run(const struct cmd *c, int argc, char **argv, bool ifname,
	       const struct param *params, show_fn show)
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
	ret = parse_args(c, argc, argv, ifname, params, args);
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
	if (show && data) {
		show(data);
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

static int do_status(const struct cmd *c, int argc, char **argv)
{
	return run(c, argc, argv, false, NULL, show_status);
}

static int do_nic_attach(const struct cmd *c, int argc, char **argv)
{
	return run(c, argc, argv, true, attach_params, show_nic);
}

static int do_nic_detach(const struct cmd *c, int argc, char **argv)
{
	return run(c, argc, argv, true, NULL, NULL);
}

static int do_nic_list(const struct cmd *c, int argc, char **argv)
{
	return run(c, argc, argv, false, NULL, show_nic_list);
}

static const struct cmd cmds[] = {
	{ "status", NULL, do_status, "",
	  "tenetd's version, pid, uptime_s, state_dir, run_dir, bpffs,\n"
	  "lxc_path, nics and tenants, one \"key value\" a line." },
	{ "nic", "attach", do_nic_attach,
	  "IFNAME role access|uplink [xdp-mode native|generic] [default pass|drop]",
	  "Puts the data path on a NIC: role access (tenants' VLANs come in)\n"
	  "or uplink (their traffic goes out); the XDP mode asked for; what\n"
	  "becomes of frames of no tenant (to the host, or dropped). Keys in\n"
	  "any order, each once; tenetd's defaults: xdp-mode native, default\n"
	  "pass. Prints the NIC as nic list does." },
	{ "nic", "detach", do_nic_detach, "IFNAME",
	  "Takes the data path off a NIC and forgets it." },
	{ "nic", "list", do_nic_list, "",
	  "A line per NIC, then its counters: rx, delivered (to tenants),\n"
	  "passed (to the host), drops by reason:\n"
	  "eth1 nic 1 role access default pass xdp native (native in use) rxvlan-offload off\n"
	  "  rx 12 pkts 1234 bytes  delivered 9 pkts 900 bytes  passed 3 pkts  drops ...\n"
	  "\"detached\" ends the line of a NIC whose program is gone." },
	{ "tenant", NULL, NULL, "", NULL },
	{ "route", NULL, NULL, "", NULL },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* The commands of obj (all: NULL). */
static void help(FILE *f, const char *obj)
{
	const struct cmd *c;
	char name[64];

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
		if (!c->func || (obj && strcmp(c->obj, obj)))
			continue;
		fprintf(f, "  tenetctl %s%s%s\n",
			cmd_name(c, name, sizeof(name)), *c->args ? " " : "",
			c->args);
		for (const char *l = c->help; *l;) {
			size_t len = strcspn(l, "\n");

			fprintf(f, "      %.*s\n", (int)len, l);
			l += len + !!l[len];
		}
	}
	fputs("\nKeywords are exact, no abbreviations. Every argument is checked\n"
	      "before anything is sent. Exit status: 0 done, 1 tenetd refused\n"
	      "(its reason on stderr) or could not be reached, 2 bad usage or\n"
	      "input (one line on stderr, nothing sent).\n",
	      f);
	if (!obj)
		fputs("The tenant and route commands are not available yet.\n",
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
	if (!c->func)
		return usage_err(NULL, "%s commands are not available yet",
				 c->obj);
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
	return c->func(c, argc - 1, argv + 1);
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
