// SPDX-License-Identifier: GPL-2.0
/* The router's shaper and its CoDel queues: see shape.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dp.h"
#include "shape.h"

#define NS 1000000000ULL
#define MS 1000000ULL
/*
 * The shaper's buckets hold half the policers': the more credit it keeps,
 * the less a late wake-up of ours (a busy CPU, the tenant's cpu quota)
 * costs the tenant of its rate; the other half is the policers' slack for
 * frames that reach them late. The policers' packet bucket holds at least
 * 10 packets (lib/burst.c): ours at least 5.
 */
#define SHAPE_DEPTH_PKTS 5
/* Wake-ups for a queue at most this late: a few frames each at high
 * rates, and little added delay. */
#define SHAPE_SLACK_NS MS
/* CoDel's target and interval (RFC 8289 §4.3, 4.4), at least a few frame
 * times at low rates, where one frame takes longer than the target. */
#define CODEL_TARGET_NS (5 * MS)
#define CODEL_INTERVAL_NS (100 * MS)

int shaper_init(struct shaper *s)
{
	memset(s, 0, sizeof(*s));
	return -pthread_spin_init(&s->lock, PTHREAD_PROCESS_PRIVATE);
}

void shaper_destroy(struct shaper *s)
{
	pthread_spin_destroy(&s->lock);
}

/* ns to send bytes at bps, rounded up. */
static uint64_t ns_of(uint64_t bytes, uint64_t bps)
{
	return (uint64_t)(((unsigned __int128)bytes * 8 * NS + bps - 1) / bps);
}

void shaper_set(struct shaper *s, uint64_t bps, uint64_t pps, uint64_t burst,
		uint64_t burst_pkts)
{
	uint64_t depth = 0, dp = 0;

	if (burst < TN_BURST_MIN)
		burst = TN_BURST_MIN;
	if (bps)
		depth = ns_of(burst / 2, bps);
	if (pps) {
		/* Half the policer's too: with 5 packets alone, at 2000/s a
		 * wake-up 2.5 ms late lost credit, and the tenant some of
		 * its pps (measured: 1830-1970 a second of 2000). */
		uint64_t half = burst_pkts / 2;

		dp = (half > SHAPE_DEPTH_PKTS ? half : SHAPE_DEPTH_PKTS) *
		     (NS / pps);
		if (dp < depth)
			dp = depth;
	}
	pthread_spin_lock(&s->lock);
	/* The remainders are fractions of the old costs: start afresh. */
	if (bps != s->bps)
		s->rem_b = 0;
	if (pps != s->pps)
		s->rem_p = 0;
	__atomic_store_n(&s->bps, bps, __ATOMIC_RELAXED);
	__atomic_store_n(&s->pps, pps, __ATOMIC_RELAXED);
	s->depth_b = depth;
	s->depth_p = dp;
	s->gen++;
	pthread_spin_unlock(&s->lock);
}

/*
 * One bucket: when it is empty after a frame costing num / div ns, taken
 * at now (the bucket holds at most depth ns of credit). *rem carries what
 * the division leaves.
 */
static uint64_t bucket_after(uint64_t empty, uint64_t *rem, uint64_t depth,
			     uint64_t now, uint64_t num, uint64_t div)
{
	uint64_t floor = now > depth ? now - depth : 0;

	if (empty < floor) {
		empty = floor;
		*rem = 0;
	}
	num += *rem;
	*rem = num % div;
	return empty + num / div;
}

/* Under the lock: when the frame may leave, and the state if it does. */
static uint64_t when_locked(const struct shaper *s, uint32_t len, uint64_t now,
			    uint64_t *eb, uint64_t *rb, uint64_t *ep,
			    uint64_t *rp)
{
	*rb = s->rem_b;
	*rp = s->rem_p;
	*eb = s->bps ? bucket_after(s->empty_b, rb, s->depth_b, now,
				    (uint64_t)len * 8 * NS, s->bps) :
		       0;
	*ep = s->pps ? bucket_after(s->empty_p, rp, s->depth_p, now, NS,
				    s->pps) :
		       0;
	return *eb > *ep ? *eb : *ep;
}

bool shaper_take(struct shaper *s, uint32_t len, uint64_t now, uint64_t *at)
{
	uint64_t eb, rb, ep, rp;
	bool ok;

	pthread_spin_lock(&s->lock);
	*at = when_locked(s, len, now, &eb, &rb, &ep, &rp);
	ok = *at <= now;
	if (ok) {
		if (s->bps) {
			s->empty_b = eb;
			s->rem_b = rb;
		}
		if (s->pps) {
			s->empty_p = ep;
			s->rem_p = rp;
		}
	}
	pthread_spin_unlock(&s->lock);
	return ok;
}

uint64_t shaper_when(struct shaper *s, uint32_t len, uint64_t now)
{
	uint64_t eb, rb, ep, rp, at;

	pthread_spin_lock(&s->lock);
	at = when_locked(s, len, now, &eb, &rb, &ep, &rp);
	pthread_spin_unlock(&s->lock);
	return at;
}

uint64_t shaper_slack(struct shaper *s)
{
	uint64_t d;

	pthread_spin_lock(&s->lock);
	d = s->depth_b > s->depth_p ? s->depth_b : s->depth_p;
	pthread_spin_unlock(&s->lock);
	return d / 2 < SHAPE_SLACK_NS ? d / 2 : SHAPE_SLACK_NS;
}

int shape_queue_init(struct shape_queue *q, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->f = calloc(cap, sizeof(*q->f));
	if (!q->f)
		return -ENOMEM;
	q->cap = cap;
	q->target = CODEL_TARGET_NS;
	q->interval = CODEL_INTERVAL_NS;
	return 0;
}

void shape_queue_free(struct shape_queue *q)
{
	free(q->f);
	q->f = NULL;
	q->cap = q->n = 0;
}

void shape_queue_tune(struct shape_queue *q, const struct shaper *s)
{
	uint64_t frame = 0, t;

	if (s->bps)
		frame = ns_of(TN_LIMITS_FRAME, s->bps);
	if (s->pps && NS / s->pps > frame)
		frame = NS / s->pps;
	t = frame * 3 / 2;
	q->target = t > CODEL_TARGET_NS ? t : CODEL_TARGET_NS;
	q->interval = 20 * q->target > CODEL_INTERVAL_NS ? 20 * q->target :
							   CODEL_INTERVAL_NS;
	q->gen = s->gen;
}

bool shape_enqueue(struct shape_queue *q, uint64_t addr, uint32_t len,
		   uint64_t now)
{
	struct shape_frame *f;

	if (q->n == q->cap)
		return false;
	f = &q->f[(q->head + q->n) % q->cap];
	f->addr = addr;
	f->len = len;
	f->enq_ns = now;
	q->n++;
	q->bytes += len;
	return true;
}

static bool pop(struct shape_queue *q, struct shape_frame *out)
{
	if (!q->n)
		return false;
	*out = q->f[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	q->bytes -= out->len;
	return true;
}

void shape_unget(struct shape_queue *q, const struct shape_frame *f)
{
	q->head = (q->head + q->cap - 1) % q->cap;
	q->f[q->head] = *f;
	q->n++;
	q->bytes += f->len;
}

/* Whether f, just dequeued, waited too long for too long (the queue left
 * behind it more than one frame). */
static bool should_drop(struct shape_queue *q, const struct shape_frame *f,
			uint64_t now)
{
	if (now - f->enq_ns < q->target || q->bytes <= TN_LIMITS_FRAME) {
		q->first_above = 0;
		return false;
	}
	if (!q->first_above) {
		q->first_above = now + q->interval;
		return false;
	}
	return now >= q->first_above;
}

/* Drops come closer together the longer the queue stays above target. */
static uint64_t control_law(const struct shape_queue *q, uint64_t t)
{
	return t + (uint64_t)((double)q->interval / sqrt((double)q->count));
}

bool shape_dequeue(struct shape_queue *q, uint64_t now, struct shape_frame *out,
		   void (*drop)(const struct shape_frame *f, void *arg),
		   void *arg)
{
	struct shape_frame f;
	bool over;

	if (!pop(q, &f)) {
		q->dropping = false;
		return false;
	}
	over = should_drop(q, &f, now);
	if (q->dropping) {
		if (!over)
			q->dropping = false;
		while (q->dropping && now >= q->drop_next) {
			drop(&f, arg);
			q->count++;
			if (!pop(q, &f)) {
				q->dropping = false;
				return false;
			}
			if (should_drop(q, &f, now))
				q->drop_next = control_law(q, q->drop_next);
			else
				q->dropping = false;
		}
	} else if (over) {
		uint32_t delta = q->count - q->lastcount;

		drop(&f, arg);
		q->dropping = true;
		/* Back in trouble soon after leaving it: resume at the drop
		 * rate it had, not from the start. */
		q->count = delta > 1 && (int64_t)(now - q->drop_next) <
						   (int64_t)(16 * q->interval) ?
				   delta :
				   1;
		q->drop_next = control_law(q, now);
		q->lastcount = q->count;
		if (!pop(q, &f))
			return false;
		should_drop(q, &f, now);
	}
	*out = f;
	return true;
}
