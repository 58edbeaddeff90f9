/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tenant's rate, kept by the router on what it sends: frames wait in a
 * queue per interface and leave when the rate allows, and CoDel keeps that
 * queue short. TCP then meets a queue, as on any access link, instead of a
 * policer that drops whole windows.
 *
 * The policers in XDP (bpf/lib/policer.h) still enforce the rate -- the
 * router is the tenant's and may be replaced -- so the shaper is sized to
 * pass them untouched: its own buckets hold half the policers' burst, the
 * other half being slack for the time a frame takes from our TX ring to
 * the policer. Both count a frame's untagged L2 bytes (lib/dp.h).
 *
 * struct shaper is one per interface, shared by the forwarding threads
 * (each takes credit under its lock); struct shape_queue is one per
 * interface and thread, with its CoDel state.
 */
#ifndef TN_SHAPE_H
#define TN_SHAPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Two buckets, bits/s and packets/s, kept as the time each would be empty:
 * a frame may leave at now if, for each bucket, max(empty, now - depth) +
 * its cost <= now. Costs are exact: the remainder of each division is
 * carried to the next frame, so the long-run rate is the configured one.
 */
struct shaper {
	pthread_spinlock_t lock;
	uint64_t bps, pps; /* 0: no limit of that kind */
	uint64_t depth_b, depth_p; /* ns of credit each bucket holds */
	uint64_t empty_b, rem_b; /* rem_b in 1/bps ns */
	uint64_t empty_p, rem_p; /* rem_p in 1/pps ns */
	uint32_t gen; /* bumped by every shaper_set() */
};

int shaper_init(struct shaper *s);
void shaper_destroy(struct shaper *s);
/* New limits (0: none), credit kept; burst and burst_pkts are the
 * policers' depths, in bytes and in packets (lib/burst.h's tn_burst). Frames
 * already queued stay queued. */
void shaper_set(struct shaper *s, uint64_t bps, uint64_t pps, uint64_t burst,
		uint64_t burst_pkts);
static inline bool shaper_on(const struct shaper *s)
{
	return s && (__atomic_load_n(&s->bps, __ATOMIC_RELAXED) ||
		     __atomic_load_n(&s->pps, __ATOMIC_RELAXED));
}
/* Takes the credit for a frame of len bytes at now: true if it may leave;
 * else false and *at is when it may (if nobody else takes first). */
bool shaper_take(struct shaper *s, uint32_t len, uint64_t now, uint64_t *at);
/* When the frame could leave, without taking anything. */
uint64_t shaper_when(struct shaper *s, uint32_t len, uint64_t now);
/* How long after a frame could leave to wake up for it, so that a wake-up
 * sends several frames at high rates: half the bucket, at most 1 ms. */
uint64_t shaper_slack(struct shaper *s);

struct shape_frame {
	uint64_t addr;
	uint64_t enq_ns;
	uint32_t len;
};

/* CoDel (RFC 8289) over a ring of frames. */
struct shape_queue {
	struct shape_frame *f;
	uint32_t cap, head, n;
	uint64_t bytes;
	/* CoDel */
	uint64_t target, interval; /* ns */
	uint64_t first_above, drop_next;
	uint32_t count, lastcount;
	bool dropping;
	uint32_t gen; /* of the shaper the targets were set for */
};

int shape_queue_init(struct shape_queue *q, uint32_t cap);
void shape_queue_free(struct shape_queue *q);
/* Sets CoDel's target and interval for s's rate (several frame times at
 * low rates). */
void shape_queue_tune(struct shape_queue *q, const struct shaper *s);
/* false if full */
bool shape_enqueue(struct shape_queue *q, uint64_t addr, uint32_t len,
		   uint64_t now);
static inline const struct shape_frame *shape_head(const struct shape_queue *q)
{
	return q->n ? &q->f[q->head] : (const struct shape_frame *)0;
}
/* The next frame to send into *out, CoDel's drops through drop(); false if
 * the queue is (or became) empty. */
bool shape_dequeue(struct shape_queue *q, uint64_t now, struct shape_frame *out,
		   void (*drop)(const struct shape_frame *f, void *arg),
		   void *arg);
/* Puts back a frame dequeued but not sent, at the head. */
void shape_unget(struct shape_queue *q, const struct shape_frame *f);

#endif
