/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command grammars as data, in the spirit of xdp-tools' params tables: a
 * program's keys (name, value type, bounds, one line of help) are declared
 * once in a vocabulary, and each command lists the keys it takes, how
 * (positional, required, repeatable) and with what default. One engine
 * then
 *   - parses and checks a command line (tenetctl, tn-dp),
 *   - checks a request's JSON arguments the same way, with the same
 *     sentences (tenetd),
 *   - and writes the help, the man page, the bash completion and the
 *     command summary the README shows (tn-grammar, at build time).
 * Values are checked with lib/validate, so every refusal is one sentence
 * that names the field: "vlan: must be a number from 1 to 4094, not "0"".
 *
 * A command line is OBJECT [VERB] then its arguments: the leading
 * positional arguments in order, then "key value" pairs in any order (a
 * key of a list takes every word up to the next key), among which the
 * trailing positional arguments (declared after a key) take the words that
 * are no key. A flag (a key without a value: "--dry-run") may come
 * anywhere, before a leading positional argument too. The request a
 * command line becomes is
 *   {"cmd": "OBJECT VERB", "args": {"key": "value as typed", "list": [...]}}
 * with positional arguments under their key's name.
 */
#ifndef TENET_GRAMMAR_H
#define TENET_GRAMMAR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#define TN_G_MAX_KEYS 48 /* of a vocabulary, the unused index 0 included */
#define TN_G_MAX_VALUES 16 /* of a list, unless the key says fewer */

enum tn_gtype {
	TN_G_NAME, /* a tenant's name (tn_v_name) */
	TN_G_IFNAME, /* a Linux interface name */
	TN_G_VLAN, /* 802.1Q VID 1..4094 */
	TN_G_COUNT, /* decimal in [min, max] */
	TN_G_SIZE, /* bytes, K/M/G binary, in [min, max] (0: 1..1024G) */
	TN_G_RATE, /* bits/s, k/M/G decimal */
	TN_G_CPU, /* cores up to the host's: u = millicores */
	TN_G_CPUSET, /* CPU list of the host: u = mask */
	TN_G_ADDR, /* an interface's address, ADDR/LEN with host bits */
	TN_G_PREFIX, /* ADDR/LEN, host bits zero */
	TN_G_IP, /* an IPv4 or IPv6 address */
	TN_G_MAC, /* unicast aa:bb:cc:dd:ee:ff */
	TN_G_ENUM, /* one of words: u = its index */
	TN_G_PATH, /* a path of 1..max bytes */
	TN_G_BURST, /* a size (bytes, K/M/G binary, from min) or a time
		     * (Nus, Nms, Ns up to max ns): u bytes or ns, time says */
	TN_G_FLAG, /* the keyword alone, no value ("--prune"): u = 1; a
		    * leading positional argument never takes it */
};

/* Key flags. */
enum {
	TN_GK_LIST = 1 << 0, /* one or more values, up to the next key */
	TN_GK_UNLIMITED = 1 << 1, /* also takes "unlimited": u = 0 */
	TN_GK_DEFAULT = 1 << 2, /* also takes "default": u = 0, back to
				 * what is kept when it is not given */
};

/* A key of a vocabulary. Its index is the value's in struct tn_gargs. */
struct tn_gkey {
	const char *name; /* the CLI's keyword, the request's argument */
	enum tn_gtype type;
	const char *meta; /* the value in usage lines: "VID" (ENUM: words) */
	uint64_t min, max; /* COUNT, SIZE: bounds; PATH: max bytes; BURST:
			    * least bytes, most ns */
	const char *const *words; /* ENUM, NULL-terminated */
	unsigned int flags; /* TN_GK_* */
	unsigned int max_values; /* LIST: 0 is TN_G_MAX_VALUES */
	const char *help; /* one line, no final period */
};

/* Use flags: how a command takes a key. */
enum {
	TN_GU_POS = 1 << 0, /* positional: its value alone, no keyword */
	TN_GU_REQ = 1 << 1, /* required */
	TN_GU_REPEAT = 1 << 2, /* may be given again: the values add up */
};

struct tn_guse {
	int key; /* 0 ends the list */
	unsigned int flags; /* TN_GU_* */
	const char *dflt; /* the value when absent, as typed; NULL: none */
};

#define TN_G_MAX_USES 32

/* A command's arguments, read from its args (struct tn_gcmd). */
struct tn_gspec {
	struct tn_guse u[TN_G_MAX_USES + 1];
	char dflt[256]; /* the defaults' strings */
};

/* Command flags. */
enum {
	TN_GC_NEEDS_KEY = 1 << 0, /* at least one of its keys */
	TN_GC_LOCAL = 1 << 1, /* done by the program itself, through other
			       * commands: never a request of its own */
};

/*
 * A command. args lists the keys it takes, in order, as words:
 *   <name>    a positional argument (before the first key: in this place;
 *             after a key: any word that is no key); [<name>] optional
 *   name      a key, optional
 *   name!     a key, required
 *   name+     a key that may be given again, its values adding up
 *   name=V    a key, V when it is not given
 * e.g. "<name> <cidr> via!" or "<ifname> role! xdp-mode=native". A key of
 * type TN_G_FLAG ("--prune") takes no value; its request argument is
 * true.
 */
struct tn_gcmd {
	const char *obj, *verb; /* verb NULL: the object alone */
	const char *args;
	unsigned int flags; /* TN_GC_* */
	const char *summary; /* one line */
	const char *help; /* more, lines split by '\n'; NULL: none */
};

/* An option before OBJECT: "-s", "--socket", "PATH" (NULL: takes none);
 * val is what tn_g_opt() returns for it. */
struct tn_gopt {
	const char *shrt, *lng, *meta;
	const char *help; /* lines split by '\n' */
	int val;
};

#define TN_G_MAX_OPTS 16

struct tn_grammar {
	const char *prog; /* "tenetctl" */
	const char *summary; /* what prog is, one line: the man page's NAME */
	const struct tn_gopt *opts; /* ends with an empty entry */
	const char *notes; /* after the commands: keywords, exit status */
	const struct tn_gkey *keys; /* [0] unused */
	unsigned int nkeys;
	const struct tn_gcmd *cmds; /* each object's commands together */
	unsigned int ncmds;
};

/* A checked value. */
struct tn_gval {
	bool set; /* given, or its default */
	bool given; /* given */
	bool unlimited; /* "unlimited" */
	bool deflt; /* "default" (TN_GK_DEFAULT) */
	bool time; /* BURST: u is ns, not bytes */
	const char *s; /* as typed (borrowed); lists: the first value */
	uint64_t u; /* VLAN, COUNT, SIZE, RATE, CPU, CPUSET, ENUM */
	int family; /* IP, ADDR, PREFIX: AF_INET or AF_INET6 */
	uint8_t addr[16]; /* IP, ADDR, PREFIX; MAC in the first 6 */
	unsigned int len; /* ADDR, PREFIX */
	json_object *list; /* lists and repeats: the strings (borrowed) */
};

/* A command's checked arguments, by key index. */
struct tn_gargs {
	const struct tn_grammar *g;
	const struct tn_gcmd *cmd;
	struct tn_gspec spec; /* the defaults' strings live here */
	struct tn_gval v[TN_G_MAX_KEYS];
};

/* c's args read into s: 0, or -EINVAL for a table that is wrong (a word
 * that is no key of the vocabulary, a default too long). */
int tn_g_spec(const struct tn_grammar *g, const struct tn_gcmd *c,
	      struct tn_gspec *s);
/* The next option of argv (getopt_long over g->opts, stopping at the
 * first word that is none): its val, optarg set for one with a meta; -1
 * after the last; '?' for a word that is no option or lacks its value,
 * with one sentence in err. */
int tn_g_opt(const struct tn_grammar *g, int argc, char **argv, char *err,
	     size_t n);

/* "tenant add" into buf. */
const char *tn_g_name(const struct tn_gcmd *c, char *buf, size_t n);
/* The command named "OBJECT VERB" (or "OBJECT"), or NULL. */
const struct tn_gcmd *tn_g_find(const struct tn_grammar *g, const char *name);

/*
 * A command line, argv[0] the first word after OBJECT [VERB], into a (may
 * be NULL) and args (may be NULL: a request's "args" object to fill).
 * 0, or -EINVAL with one sentence in err; *usage then says whether the
 * shape of the line was wrong (show the usage) rather than a value.
 */
int tn_g_argv(const struct tn_grammar *g, const struct tn_gcmd *c, int argc,
	      char **argv, struct tn_gargs *a, json_object *args, char *err,
	      size_t n, bool *usage);
/* A request's "args" (NULL: none) into a, checked as the command line
 * would be: unknown keys, types, bounds, required keys. 0 or -EINVAL with
 * the sentence tn_g_argv() would give. */
int tn_g_json(const struct tn_grammar *g, const struct tn_gcmd *c,
	      json_object *args, struct tn_gargs *a, char *err, size_t n);
/* One value of key k (an item of a list, say) into v. 0 or -EINVAL. */
int tn_g_value(const struct tn_gkey *k, const char *s, struct tn_gval *v,
	       char *err, size_t n);

/* The arguments' grammar of c on one line: "NAME via IP [pps N]". */
const char *tn_g_usage(const struct tn_grammar *g, const struct tn_gcmd *c,
		       char *buf, size_t n);
/* --help: usage, options and every command (obj NULL), or obj's commands,
 * each with its usage wrapped, its help and its keys, then the notes. */
void tn_g_help(FILE *f, const struct tn_grammar *g, const char *obj);
/* "PROG [OPTIONS] OBJECT ...", then "PROG OBJ VERB ARGS" a command,
 * wrapped at width with continuation lines indented by 8: the summary
 * README shows (at this width). */
#define TN_G_SUMMARY_WIDTH 88
void tn_g_summary(FILE *f, const struct tn_grammar *g, unsigned int width);
/* A section 8 man page dated date (YYYY-MM-DD). */
void tn_g_man(FILE *f, const struct tn_grammar *g, const char *date);
/* A bash completion for PROG: options, objects, verbs, keys, enum words,
 * interface names for IFNAME values, files for PATH values. */
void tn_g_completion(FILE *f, const struct tn_grammar *g);

#endif
