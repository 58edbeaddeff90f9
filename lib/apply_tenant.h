/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One tenant for tenetctl apply's planner (lib/apply.c), the file's or
 * tenetd's alike, read as tenant list prints it into tenant add's
 * arguments, as tenetctl would send them: every field through one table
 * (tn_apply_fields[]), its value typed in tenetctl's units and checked by
 * the command table's validator under the field's own name, then all of it
 * by tn_g_json() for tenant add and as tenetd checks a whole tenant; and
 * what two tenants may not share, as tenetd refuses it. Private to the
 * planner.
 */
#ifndef TENET_APPLY_TENANT_H
#define TENET_APPLY_TENANT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "apply.h"
#include "grammar.h"

/* The fields of a tenant, as tenant list prints it. */
enum tn_apply_kind {
	TN_AF_NODE, /* an object of more fields */
	TN_AF_READ, /* tenant list says it, tenant add does not take it */
	TN_AF_STR, /* a string: the key's value as typed */
	TN_AF_INT, /* a whole number, typed through fmt */
	TN_AF_LIST, /* an array of strings: the key's values */
};

enum {
	TN_AF_NONE = 1 << 0, /* "", 0 or [] is the key not given */
	TN_AF_UNLIMITED = 1 << 1, /* 0 is "unlimited" */
	TN_AF_DERIVED = 1
			<< 2, /* left out: what tenetd made it, not compared */
};

/* "access.vlan": key vlan, an integer typed by fmt. */
struct tn_apply_field {
	const char *path;
	enum tn_apply_kind kind;
	int key;
	unsigned int flags;
	void (*fmt)(uint64_t v, char *buf, size_t n);
	const char *none; /* how the key not given reads; NULL: "none" */
};

/* A prefix or an address with its length. */
struct tn_apply_cidr {
	int family;
	uint8_t addr[16];
	unsigned int len;
};

struct tn_apply_tenant {
	char name[TN_NAME_MAX + 1]; /* "": none the file names validly */
	char who[48]; /* in messages: the name, or "tenants[3]" */
	json_object *args; /* tenant add's */
	bool ok; /* read without a fault */
	/* What two tenants may not share (tenetd's tenant_clash()). */
	char access[IF_NAMESIZE], uplink[IF_NAMESIZE];
	unsigned int vlan, inner, uplink_vlan;
	bool has_mac;
	uint8_t mac[6];
	unsigned int nprefix;
	struct tn_apply_cidr prefix[TN_G_MAX_VALUES];
	const char *prefix_s[TN_G_MAX_VALUES]; /* in args */
};

/* Every field, in the order a plan names what differs. */
extern const struct tn_apply_field tn_apply_fields[];
extern const unsigned int tn_apply_nfields;

/* A field holding a value of tenant add's (not an object, not read-only). */
static inline bool tn_apply_is_value(const struct tn_apply_field *f)
{
	return f->kind == TN_AF_STR || f->kind == TN_AF_INT ||
	       f->kind == TN_AF_LIST;
}

/* A fault into e (the first TN_APPLY_ERRS_MAX kept, all counted). */
void tn_apply_fault(struct tn_apply_errs *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tn_apply_errs_free(struct tn_apply_errs *e);
/* What a file says, safe to print: printable ASCII, 40 bytes at most. */
const char *tn_apply_clean(const char *s, char *buf, size_t n);

/*
 * Tenant o, the i-th of a list, into t: its name, tenant add's args (t
 * owns them) and what it may not share. Faults go to e, each after where
 * ("f.json: ") and the tenant ("acme: "); t->ok says there were none. 0,
 * or -ENOMEM.
 */
int tn_apply_tenant_read(struct tn_apply_errs *e, const char *where,
			 json_object *o, size_t i, struct tn_apply_tenant *t);
/* Whether b may not be beside a, as tenetd would refuse it: why in why,
 * naming b's field, and a as owner ("acme's"). */
bool tn_apply_clash(const struct tn_apply_tenant *a,
		    const struct tn_apply_tenant *b, const char *owner,
		    char *why, size_t n);

#endif
