// SPDX-License-Identifier: GPL-2.0
/*
 * tenetctl capture, tenetd's side (include/tenet/capture.h): a ring made for
 * each capture, put in the tenant's slot of tn_cap_rings, the capture turned
 * on in tn_capture, the ring handed to tenetctl with the reply, and all of
 * it undone when the capture ends: tenetctl says stop or goes away, its
 * duration passes, the tenant is removed, or tenetd stops. tenetd never
 * reads a ring: tenetctl does, at its own pace; a reader too slow loses
 * frames, counted, and costs the data path nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <tenet/capture.h>
#include <tenet/maps.h>

#include "agent.h"
#include "capture.h"
#include "control.h"
#include "ctl.h"
#include "ctl_cmds.h"
#include "dp.h"
#include "log.h"
#include "loop.h"
#include "names.h"
#include "store.h"

/* Captures at once, host-wide: each ring is TN_CAP_RING_SIZE of tenetd's
 * memory. */
#define CAPTURES_MAX 32
/* tenetctl ends a capture of a duration itself; tenetd's own end comes
 * this much later, for a tenetctl that does not. */
#define DURATION_SLACK_MS 2000

struct capture {
	struct capture *next;
	uint32_t id;
	char name[TN_NAME_MAX + 1];
	int64_t started;
};

static struct capture *captures;
static unsigned int ncaptures;

static struct capture *find(uint32_t id)
{
	struct capture *c = captures;

	while (c && c->id != id)
		c = c->next;
	return c;
}

/* Reads the counters of id's capture and turns it off: the programs copy
 * no more, and the ring leaves the slot (tenetctl's descriptor keeps it
 * readable to the end). */
static void turn_off(struct tenetd *d, uint32_t id, struct tn_capture *last)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_CAPTURE), err;
	struct tn_capture off = { 0 };

	memset(last, 0, sizeof(*last));
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &id, last);
		if (bpf_map_update_elem(fd, &id, &off, 0))
			tn_err("capture of tenant id %u: not turned off: %s\n",
			       id, strerror(errno));
		close(fd);
	}
	err = map_set(d, TN_MAP_CAP_RINGS, &id, NULL);
	if (err)
		tn_err("capture of tenant id %u: ring not taken out: %s\n", id,
		       strerror(-err));
}

static json_object *end(struct tenetd *d, void *ctx, int why)
{
	struct capture *c = ctx, **pp = &captures;
	json_object *o = json_object_new_object();
	struct tn_capture last;
	const char *how;
	int status = 0;

	turn_off(d, c->id, &last);
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	ncaptures--;
	switch (why) {
	case 0:
		how = "stopped";
		break;
	case -ETIME:
		how = "duration over";
		break;
	case -ENOENT:
		how = "the tenant was removed";
		status = why;
		break;
	case -ESHUTDOWN:
		how = "tenetd stopping";
		status = why;
		break;
	default:
		how = "tenetctl gone";
		break;
	}
	tn_info("capture of %s ended (%s): %llu frames, %llu over the cap,"
		" %llu lost\n",
		c->name, how, (unsigned long long)last.captured,
		(unsigned long long)last.capped, (unsigned long long)last.lost);
	json_object_object_add(o, "tenant", json_object_new_string(c->name));
	json_object_object_add(o, "ended", json_object_new_string(how));
	json_object_object_add(o, "captured",
			       json_object_new_uint64(last.captured));
	json_object_object_add(o, "capped",
			       json_object_new_uint64(last.capped));
	json_object_object_add(o, "lost", json_object_new_uint64(last.lost));
	json_object_object_add(
		o, "seconds",
		json_object_new_double((double)(tn_now_ms() - c->started) /
				       1000.0));
	free(c);
	return tn_ctl_reply(status, how, o);
}

/* The ring in id's slot, and the capture on: 0 or -errno; *ring_fd the
 * ring's. */
static int turn_on(struct tenetd *d, uint32_t id, const struct tn_capture *cfg,
		   int *ring_fd)
{
	char name[BPF_OBJ_NAME_LEN];
	int rings, fd, err = 0;

	snprintf(name, sizeof(name), "tn_cap_%u", id);
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, name, 0, 0, TN_CAP_RING_SIZE,
			    NULL);
	if (fd < 0)
		return -errno;
	rings = tn_dp_map_open(d->bpffs, TN_MAP_CAP_RINGS);
	if (rings < 0)
		err = rings;
	else if (bpf_map_update_elem(rings, &id, &fd, 0))
		err = -errno;
	if (rings >= 0)
		close(rings);
	if (!err)
		err = map_set(d, TN_MAP_CAPTURE, &id, cfg);
	if (err) {
		map_set(d, TN_MAP_CAP_RINGS, &id, NULL);
		close(fd);
		return err;
	}
	*ring_fd = fd;
	return 0;
}

int do_capture(struct req *r)
{
	const struct tn_gval *v = r->a.v;
	struct tenetd *d = r->d;
	struct tn_capture cfg = { 0 };
	struct tn_tenant_rec t;
	json_object *o, *ports;
	struct capture *c;
	int err, fd = -1;

	if (tn_store_tenant_get_by_name(d->st, v[TN_K_NAME].s, &t))
		return req_fail(r, -ENOENT, "name: no tenant \"%s\"",
				v[TN_K_NAME].s);
	if (find(t.id))
		return req_fail(r, -EBUSY,
				"tenant %s: a capture of it is running already"
				" (one at a time)",
				t.name);
	if (ncaptures >= CAPTURES_MAX)
		return req_fail(r, -EBUSY,
				"%d captures are running, as many as tenetd"
				" allows at once",
				CAPTURES_MAX);
	cfg.ports = TN_CAP_ACCESS | TN_CAP_UPLINK;
	if (v[TN_K_PORT].given)
		cfg.ports = v[TN_K_PORT].u == TN_ROLE_UPLINK ? TN_CAP_UPLINK :
							       TN_CAP_ACCESS;
	cfg.snaplen = v[TN_K_SNAPLEN].given ? (__u32)v[TN_K_SNAPLEN].u :
					      TN_CAP_SNAP_MAX;
	cfg.rate = v[TN_K_CAP].given ? (__u32)v[TN_K_CAP].u :
				       TN_CAP_RATE_DEFAULT;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = turn_on(d, t.id, &cfg, &fd);
	if (err) {
		free(c);
		return req_fail(r, err, "tenant %s: capture not started: %s",
				t.name, strerror(-err));
	}
	c->id = t.id;
	snprintf(c->name, sizeof(c->name), "%s", t.name);
	c->started = tn_now_ms();
	c->next = captures;
	captures = c;
	ncaptures++;
	r->hold->fd = fd;
	r->hold->ctx = c;
	r->hold->end = end;
	if (v[TN_K_DURATION].given)
		r->hold->until = c->started +
				 (int64_t)v[TN_K_DURATION].u * 1000 +
				 DURATION_SLACK_MS;

	o = json_object_new_object();
	ports = json_object_new_array();
	if (cfg.ports & TN_CAP_ACCESS)
		json_object_array_add(ports, json_object_new_string("access"));
	if (cfg.ports & TN_CAP_UPLINK)
		json_object_array_add(ports, json_object_new_string("uplink"));
	json_object_object_add(o, "tenant", json_object_new_string(t.name));
	json_object_object_add(o, "id", json_object_new_int64(t.id));
	json_object_object_add(o, "ports", ports);
	json_object_object_add(o, "snaplen",
			       json_object_new_int64(cfg.snaplen));
	json_object_object_add(o, "cap", json_object_new_int64(cfg.rate));
	json_object_object_add(o, "ring_bytes",
			       json_object_new_int64(TN_CAP_RING_SIZE));
	r->data = o;
	tn_info("capture of %s started (%s%s%s, cap %u/s, snaplen %u)\n",
		t.name, cfg.ports & TN_CAP_ACCESS ? "access" : "",
		cfg.ports == (TN_CAP_ACCESS | TN_CAP_UPLINK) ? " and " : "",
		cfg.ports & TN_CAP_UPLINK ? "uplink" : "", cfg.rate,
		cfg.snaplen);
	return 0;
}

void capture_tenant_gone(struct tenetd *d, uint32_t id)
{
	struct capture *c = find(id);

	if (c)
		control_hold_end(d, c, -ENOENT);
}

void capture_reset(struct tenetd *d)
{
	int fd = tn_dp_map_open(d->bpffs, TN_MAP_CAPTURE);
	struct tn_capture v, off = { 0 };
	unsigned int n = 0;

	if (fd < 0)
		return;
	for (__u32 id = 1; id < TN_MAX_TENANTS; id++) {
		if (bpf_map_lookup_elem(fd, &id, &v) || !v.ports)
			continue;
		bpf_map_update_elem(fd, &id, &off, 0);
		map_set(d, TN_MAP_CAP_RINGS, &id, NULL);
		n++;
	}
	close(fd);
	if (n)
		tn_info("%u captures left by an earlier tenetd turned off\n",
			n);
}
