/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tenetctl apply's planner: the tenants a file wants against those the
 * host has, both in the JSON tenetctl -j tenant list prints, made into
 * the requests that turn the one into the other -- tenant del, one tenant
 * set per changed tenant, tenant add -- or into the reason a tenant cannot
 * be. Pure: no socket, no clock, no terminal; cli/apply.c sends the
 * requests and shows how they go.
 *
 * A tenant of the file is read (lib/apply_tenant.c) as the command line
 * tenant add would be: every field becomes that key's value as tenetctl
 * would type it (vlan 100, memory 256M, cpu 0.5), checked by the command
 * table's validators (lib/grammar.h) under the field's own name
 * ("access.vlan: must be a number from 1 to 4094, not "0""), then as
 * tenetd checks what only a whole tenant can say (an address given twice, prefixes overlapping, a burst
 * with no rate), then against the file's other tenants for what tenetd
 * would refuse between two tenants: one access NIC and VLAN (and inner
 * VLAN), one uplink NIC and VLAN or MAC, prefixes overlapping on one
 * uplink NIC. Fields tenant list prints but tenant add does not take (id,
 * state, created, the veths, queues, the access MAC, the burst's buckets,
 * container, router) are read-only: accepted, never compared. A field left
 * out is tenant add's default, so that one file makes the same tenant on
 * any host; the uplink MAC left out is whatever tenetd derived.
 *
 * Current and wanted are compared by value, not by text (cpuset 0-1 is
 * 0,1; lists are sets), and every key's order is free. What differs among
 * the keys tenant set takes (read from its line of the table, not listed
 * here) goes into one tenant set; anything else differing fails that
 * tenant, naming the field, current and wanted: it would take a tenant del
 * and add, which apply never does unasked.
 */
#ifndef TENET_APPLY_H
#define TENET_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "validate.h"

/* What becomes of a tenant, in the order apply does them: removals first
 * (they free VLANs and prefixes an addition may take), then changes, then
 * additions; the rest are not requests. */
enum tn_apply_op {
	TN_APPLY_DEL, /* on the host, not in the file, --prune */
	TN_APPLY_SET, /* a field tenant set changes live differs */
	TN_APPLY_ADD, /* in the file, not on the host */
	TN_APPLY_KEEP, /* on the host, not in the file, no --prune */
	TN_APPLY_SAME, /* as the file says */
	TN_APPLY__MAX,
};

/* "del", "set", "add", "keep", "none" */
extern const char *const tn_apply_op_names[TN_APPLY__MAX];

struct tn_apply_act {
	enum tn_apply_op op;
	char name[TN_NAME_MAX + 1];
	/* DEL, SET, ADD that can be done: {"cmd": ..., "args": ...} */
	json_object *req;
	/* SET: what differs, [{"field": "limits.rate_bps", "key": "rate",
	 * "from": "100M", "to": "200M", "live": true}]; NULL otherwise */
	json_object *changes;
	char *what; /* SET: "rate 100M -> 200M, cpu 1 -> 0.5"; or NULL */
	char *why; /* it cannot be done: "access.vlan: 100 -> 200 cannot
		    * change live; tenant del and add it"; or NULL */
};

/* Faults of a file, a line each ("f.json: acme: access.vlan: ..."); the
 * first TN_APPLY_ERRS_MAX are kept, total counts all. */
#define TN_APPLY_ERRS_MAX 50

struct tn_apply_errs {
	char *line[TN_APPLY_ERRS_MAX];
	unsigned int n, total;
};

struct tn_apply_tenant;

struct tn_apply {
	char file[256]; /* as messages name it */
	json_object *doc;
	struct tn_apply_tenant *want; /* the file's, in its order */
	unsigned int nwant;
	struct tn_apply_errs errs;
	/* tn_apply_plan(): every tenant of either side once, in op order */
	struct tn_apply_act *act;
	unsigned int nact;
	unsigned int count[TN_APPLY__MAX]; /* those that can be done */
	unsigned int failed; /* those with a why */
};

/*
 * The file named file (for messages; text[len] must be '\0') read into
 * ap, zeroed first: 0, -EINVAL with ap->errs saying every fault found
 * (malformed JSON with its line and column; unknown keys, values and
 * clashes naming the tenant and the field), or -ENOMEM.
 */
int tn_apply_read(struct tn_apply *ap, const char *file, const char *text,
		  size_t len);
/*
 * The plan from tenant list's reply data ({"tenants": [...]}) to what
 * tn_apply_read() read: 0, -EBADMSG if list is not such a reply, or
 * -ENOMEM.
 */
int tn_apply_plan(struct tn_apply *ap, json_object *list, bool prune);
void tn_apply_free(struct tn_apply *ap);

#endif
