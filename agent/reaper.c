// SPDX-License-Identifier: GPL-2.0
/* Closing tenants' descriptors off the main loop: see reaper.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <tenet/dp.h>

#include "log.h"
#include "reaper.h"

/* Enough for close() and what the kernel runs on its return. */
#define WORKER_STACK (64 * 1024)

struct job {
	struct job *next;
	int fd;
	uint32_t owner;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t drained = PTHREAD_COND_INITIALIZER;
static struct job *head, **tail = &head;
static unsigned int workers, idle, spawning;
static bool started;
/* Per owner: descriptors not yet closed, and whether a worker is closing
 * one of them now. Owner ids are tenant ids; others count as 0. */
static unsigned int pending[TN_MAX_TENANTS];
static bool busy[TN_MAX_TENANTS];
static unsigned int total;
/* Marks for counting owners once (runnable()). */
static uint32_t seen[TN_MAX_TENANTS], gen;

static uint32_t slot(uint32_t owner)
{
	return owner < TN_MAX_TENANTS ? owner : 0;
}

/* The first job whose owner no worker is closing for; NULL if none. */
static struct job *take(void)
{
	for (struct job **pp = &head; *pp; pp = &(*pp)->next) {
		struct job *j = *pp;

		if (busy[j->owner])
			continue;
		*pp = j->next;
		if (!*pp)
			tail = pp;
		busy[j->owner] = true;
		return j;
	}
	return NULL;
}

/* Owners with jobs queued that no worker is closing for: each can keep a
 * worker busy now. */
static unsigned int runnable(void)
{
	unsigned int n = 0;

	gen++;
	for (struct job *j = head; j; j = j->next)
		if (!busy[j->owner] && seen[j->owner] != gen) {
			seen[j->owner] = gen;
			n++;
		}
	return n;
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	spawning--;
	for (;;) {
		struct job *j = take();

		if (!j) {
			idle++;
			pthread_cond_wait(&work, &mu);
			idle--;
			continue;
		}
		pthread_mutex_unlock(&mu);
		close(j->fd);
		pthread_mutex_lock(&mu);
		busy[j->owner] = false;
		pending[j->owner]--;
		if (!--total)
			pthread_cond_broadcast(&drained);
		/* This owner's next job may wait for a worker. */
		if (head)
			pthread_cond_signal(&work);
		free(j);
	}
	return NULL;
}

/* Called locked. */
static int spawn(void)
{
	pthread_attr_t a;
	pthread_t th;
	int err;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, WORKER_STACK);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &a, worker, NULL);
	pthread_attr_destroy(&a);
	if (!err) {
		workers++;
		spawning++;
	}
	return -err;
}

int tn_reaper_init(void)
{
	int err;

	pthread_mutex_lock(&mu);
	err = started ? 0 : spawn();
	started = !err;
	pthread_mutex_unlock(&mu);
	return err;
}

void tn_reap(int fd, uint32_t owner)
{
	struct job *j;

	if (fd < 0)
		return;
	j = malloc(sizeof(*j));
	pthread_mutex_lock(&mu);
	if (!j || !started) {
		pthread_mutex_unlock(&mu);
		free(j);
		close(fd);
		return;
	}
	*j = (struct job){ .fd = fd, .owner = slot(owner) };
	*tail = j;
	tail = &j->next;
	pending[j->owner]++;
	total++;
	/* Every worker may be stuck in another tenant's close: as many as
	 * there are owners to close for now, idle ones counted (woken or
	 * about to be). */
	while (runnable() > idle + spawning && workers < TN_REAPER_MAX_WORKERS)
		if (spawn()) {
			tn_warn("reaper: no thread for another worker\n");
			break;
		}
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&mu);
}

unsigned int tn_reaper_pending(uint32_t owner)
{
	unsigned int n;

	pthread_mutex_lock(&mu);
	n = pending[slot(owner)];
	pthread_mutex_unlock(&mu);
	return n;
}

int tn_reaper_drain(int timeout_ms)
{
	struct timespec end;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	while (total && !err)
		err = pthread_cond_timedwait(&drained, &mu, &end);
	pthread_mutex_unlock(&mu);
	return err ? -ETIMEDOUT : 0;
}
