/* SPDX-License-Identifier: GPL-2.0 */
/* Routers of an older tenet replaced by this one's: see upgrade.c. */
#ifndef TENET_UPGRADE_H
#define TENET_UPGRADE_H

#include <stdint.h>
#include <json-c/json.h>

struct tenetd;

/* Finds the tenet-router containers get (beside tenetd, or in ../bin)
 * and its build: d->router_path, d->router_build ("" when there is none,
 * and nothing is upgraded). 0 or -errno. */
int upgrade_init(struct tenetd *d);
/* After start-up: the tenants whose container holds another build. */
void upgrade_plan(struct tenetd *d);
/* One step of the tenant being upgraded; never waits. */
void upgrade_tick(struct tenetd *d, int64_t now);
/* Into tenetd's status: "router_build", and since it started
 * "upgrade_pending", "upgrade_replaced", "upgrade_installed" (put in a
 * container whose router was not running), "upgrade_failed",
 * "upgrade_max_ms" (the longest a tenant went from its old router's stop
 * to its new one's handoff). */
void upgrade_json(struct tenetd *d, json_object *o);

#endif
