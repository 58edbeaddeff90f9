// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what tenetd does with the bytes a control client sends
 * (include/tenet/ctl.h), up to the command's handler:
 *   - the framing of agent/control.c: the request ends at the first
 *     newline (or at EOF), is at most TN_CTL_MAX bytes;
 *   - tn_ctl_parse(): one JSON object, nothing after it but white space;
 *   - "cmd" looked up with tn_ctl_cmd_find(), "args" checked with
 *     tn_g_json(&tn_ctl_grammar, ...) (lib/grammar.h, lib/ctl_cmds.h);
 *   - the reply tenetd makes of it (tn_ctl_reply, tn_ctl_format).
 * Checked: the parse takes exactly what it should (an object, re-read
 * from its own formatting, is the same); a refusal is a NUL-terminated
 * sentence; arguments accepted keep the grammar's promises (required keys
 * there, values within their key's type and bounds, lists of 1..max
 * strings); the reply is one JSON line that parses back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tenet/ctl.h>

#include "check.h"
#include "ctl.h"
#include "ctl_cmds.h"
#include "grammar.h"
#include "validate.h"

static void check_value(const struct tn_gkey *k, const struct tn_gval *v)
{
	unsigned int nw = 0;

	if (v->unlimited) {
		CHECK(k->flags & TN_GK_UNLIMITED);
		CHECK(v->u == 0);
		return;
	}
	switch (k->type) {
	case TN_G_VLAN:
		CHECK(v->u >= 1 && v->u <= 4094);
		break;
	case TN_G_COUNT:
		CHECK(v->u >= k->min && v->u <= k->max);
		break;
	case TN_G_SIZE:
		CHECK(v->u >= (k->min ? k->min : 1) &&
		      v->u <= (k->max ? k->max : TN_V_SIZE_MAX));
		break;
	case TN_G_RATE:
		CHECK(v->u >= TN_V_RATE_MIN && v->u <= TN_V_RATE_MAX);
		break;
	case TN_G_CPU:
		CHECK(v->u >= 1);
		break;
	case TN_G_ENUM:
		while (k->words[nw])
			nw++;
		CHECK(v->u < nw);
		break;
	case TN_G_ADDR:
	case TN_G_PREFIX:
		CHECK(v->family == 2 || v->family == 10);
		CHECK(v->len <= (v->family == 2 ? 32u : 128u));
		break;
	case TN_G_IP:
		CHECK(v->family == 2 || v->family == 10);
		break;
	case TN_G_MAC:
		CHECK(!(v->addr[0] & 1));
		break;
	default:
		break;
	}
}

/* What tn_g_json() accepted, against the command's table. */
static void check_args(const struct tn_gargs *a, json_object *args)
{
	const struct tn_grammar *g = &tn_ctl_grammar;

	CHECK(a->g == g);
	for (const struct tn_guse *u = a->spec.u; u->key; u++) {
		const struct tn_gkey *k = &g->keys[u->key];
		const struct tn_gval *v = &a->v[u->key];
		json_object *given = NULL;

		CHECK(u->key > 0 && u->key < (int)g->nkeys);
		if (u->flags & TN_GU_REQ)
			CHECK(v->set);
		if (!v->set)
			continue;
		if (args && json_object_object_get_ex(args, k->name, &given) &&
		    json_object_is_type(given, json_type_array)) {
			size_t n = json_object_array_length(given);

			CHECK(n >= 1 && n <= TN_G_MAX_VALUES);
			CHECK(v->list == given);
		}
		/* A list's values are checked one by one: the last is in v. */
		check_value(k, v);
	}
}

static void reply(int status, const char *msg)
{
	json_object *rep = tn_ctl_reply(status, msg, NULL), *back;
	size_t len;
	char *s = tn_ctl_format(rep, &len);

	CHECK(s && len >= 2 && s[len - 1] == '\n');
	CHECK(!memchr(s, '\n', len - 1));
	CHECK(tn_ctl_parse(s, len, &back) == 0);
	CHECK(json_object_equal(rep, back));
	json_object_put(back);
	json_object_put(rep);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	size_t len = nl ? (size_t)(nl - in) : size;
	json_object *req = NULL, *cmdv, *args = NULL, *back;
	char err[TN_V_ERR_MAX];
	struct tn_gargs *a;
	const char *cmd;
	size_t flen, flen2;
	char *again, *twice;
	int c, ret;

	/* agent/control.c: more than TN_CTL_MAX before the newline is
	 * refused unread; so is an empty connection. */
	if (len > TN_CTL_MAX || !size)
		return 0;
	ret = tn_ctl_parse(in, len, &req);
	if (ret) {
		CHECK(ret == -EBADMSG && !req);
		reply(ret, "request is not one JSON object");
		return 0;
	}
	CHECK(json_object_is_type(req, json_type_object));
	/* Formatted (as a client sends it) and read again: the same text
	 * (not always json_object_equal(): NaN, which json-c reads, is not
	 * equal to itself). */
	again = tn_ctl_format(req, &flen);
	CHECK(again && tn_ctl_parse(again, flen, &back) == 0);
	twice = tn_ctl_format(back, &flen2);
	CHECK(twice && flen2 == flen && !memcmp(again, twice, flen));
	json_object_put(back);
	free(again);
	free(twice);

	if (!json_object_object_get_ex(req, "cmd", &cmdv) ||
	    !json_object_is_type(cmdv, json_type_string)) {
		reply(-EOPNOTSUPP, "unknown command");
		json_object_put(req);
		return 0;
	}
	cmd = json_object_get_string(cmdv);
	c = tn_ctl_cmd_find(cmd);
	if (c < 0) {
		reply(-EOPNOTSUPP, cmd);
		json_object_put(req);
		return 0;
	}
	CHECK(c < TN_C__MAX);
	json_object_object_get_ex(req, "args", &args);
	a = malloc(sizeof(*a));
	memset(err, 'x', sizeof(err));
	ret = tn_g_json(&tn_ctl_grammar, &tn_ctl_grammar.cmds[c], args, a, err,
			sizeof(err));
	if (ret) {
		CHECK(ret == -EINVAL);
		CHECK(memchr(err, '\0', sizeof(err)));
		CHECK(err[0]);
		reply(ret, err);
	} else {
		CHECK(a->cmd == &tn_ctl_grammar.cmds[c]);
		check_args(a, args);
		reply(0, "ok");
	}
	free(a);
	json_object_put(req);
	return 0;
}
