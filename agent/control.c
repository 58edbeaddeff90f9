// SPDX-License-Identifier: GPL-2.0
/* The control socket's clients, side by side: see control.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <tenet/ctl.h>

#include "agent.h"
#include "control.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"

/* After EMFILE and the like, accepting waits this long. */
#define PAUSE_MS 200
/* Accepted per wake-up, so a burst of clients does not starve the rest of
 * the loop. */
#define ACCEPT_BATCH 64

struct client {
	struct tn_watch w;
	struct client *prev, *next;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off;
	int64_t deadline;
};

struct control {
	struct tn_watch lw;
	struct client *clients;
	unsigned int n;
	bool paused;
	int64_t resume_at; /* 0: when a client leaves (at the cap) */
	int64_t last_warn;
};

static void drop(struct tenetd *d, struct client *c)
{
	struct control *k = d->ctl;
	int fd = c->w.fd;

	tn_watch_del(d, &c->w);
	close(fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		k->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	free(c->out);
	k->n--;
	tn_loop_free(d, c);
}

/* Writes what the client takes now; drops it when all is sent or it is
 * gone. */
static void flush(struct tenetd *d, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->w.fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			tn_watch_set(d, &c->w, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
		c->deadline = tn_now_ms() + TN_CTL_WRITE_MS;
	}
	drop(d, c);
}

static void answer(struct tenetd *d, struct client *c, int err)
{
	json_object *req = NULL, *rep;

	if (!err)
		err = tn_ctl_parse(c->in, c->in_len, &req);
	rep = tenetd_request(d, req, err);
	json_object_put(req);
	free(c->in);
	c->in = NULL;
	c->out = tn_ctl_format(rep, &c->out_len);
	json_object_put(rep);
	if (!c->out) {
		drop(d, c);
		return;
	}
	c->deadline = tn_now_ms() + TN_CTL_WRITE_MS;
	flush(d, c);
}

static void on_client(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct client *c = (struct client *)w;

	if (c->out) {
		if (ev & (EPOLLERR | EPOLLHUP))
			drop(d, c);
		else
			flush(d, c);
		return;
	}
	for (;;) {
		size_t room = c->in_cap - c->in_len;
		ssize_t n;
		char *nl;

		if (!room && c->in_cap > TN_CTL_MAX) {
			/* no newline in TN_CTL_MAX + 1 bytes */
			answer(d, c, -EMSGSIZE);
			return;
		}
		if (!room) { /* most requests fit the first 4 KiB */
			size_t cap = c->in_cap * 4 > TN_CTL_MAX + 1 ?
					     TN_CTL_MAX + 1 :
					     c->in_cap * 4;
			char *b = realloc(c->in, cap);

			if (!b) {
				drop(d, c);
				return;
			}
			c->in = b;
			c->in_cap = cap;
			room = cap - c->in_len;
		}
		n = recv(w->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			drop(d, c);
			return;
		}
		if (n == 0) { /* EOF: what came must be a whole object */
			if (c->in_len)
				answer(d, c, 0);
			else
				drop(d, c);
			return;
		}
		nl = memchr(c->in + c->in_len, '\n', (size_t)n);
		c->in_len += (size_t)n;
		if (nl) {
			c->in_len = (size_t)(nl - c->in);
			answer(d, c, c->in_len > TN_CTL_MAX ? -EMSGSIZE : 0);
			return;
		}
	}
}

static void pause_accept(struct tenetd *d, int64_t until)
{
	struct control *k = d->ctl;

	k->paused = true;
	k->resume_at = until;
	tn_watch_set(d, &k->lw, 0);
}

static void on_listen(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct control *k = d->ctl;
	int64_t now = tn_now_ms();

	(void)ev;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct client *c;
		int fd;

		if (k->n >= TN_CTL_CLIENTS_MAX) {
			pause_accept(d, 0);
			return;
		}
		fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			       errno == ECONNABORTED))
			return;
		if (fd < 0) {
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the connection
			 * waits in the backlog; accepting at once again
			 * would only spin. */
			if (now - k->last_warn >= 10000) {
				tn_warn("control socket: accept: %s; pausing"
					" %d ms (%u clients)\n",
					strerror(errno), PAUSE_MS, k->n);
				k->last_warn = now;
			}
			pause_accept(d, now + PAUSE_MS);
			return;
		}
		c = calloc(1, sizeof(*c));
		if (c && (c->in = malloc(4096)))
			c->in_cap = 4096;
		if (!c || !c->in ||
		    tn_watch_add(d, &c->w, fd, EPOLLIN, on_client)) {
			if (c)
				free(c->in);
			free(c);
			close(fd);
			pause_accept(d, now + PAUSE_MS);
			return;
		}
		c->deadline = now + TN_CTL_READ_MS;
		c->next = k->clients;
		if (k->clients)
			k->clients->prev = c;
		k->clients = c;
		k->n++;
	}
}

void control_tick(struct tenetd *d, int64_t now)
{
	struct control *k = d->ctl;
	struct client *c, *next;

	if (!k)
		return;
	for (c = k->clients; c; c = next) {
		next = c->next;
		if (now >= c->deadline)
			drop(d, c);
	}
	if (k->paused &&
	    (k->resume_at ? now >= k->resume_at : k->n < TN_CTL_CLIENTS_MAX)) {
		k->paused = false;
		tn_watch_set(d, &k->lw, EPOLLIN);
	}
}

/*
 * Binds fd as <run-dir>/tenetd.sock, made 0600: never reachable by others,
 * not even for a moment. With --group it is then given to that group and
 * made 0660, still before it listens, so no client connects before it has
 * its final owner and mode. Bound, chowned and chmodded relative to one
 * descriptor of the run dir, the socket's name never followed: all three
 * act on the same file.
 */
static int bind_ctl(struct tenetd *d, int fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int dfd, err = 0;
	mode_t old;

	dfd = open(d->run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd,
		 TN_CTL_SOCK);
	unlinkat(dfd, TN_CTL_SOCK, 0);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		err = -errno;
	umask(old);
	if (!err && d->ctl_gid != (gid_t)-1 &&
	    (fchownat(dfd, TN_CTL_SOCK, (uid_t)-1, d->ctl_gid,
		      AT_SYMLINK_NOFOLLOW) ||
	     fchmodat(dfd, TN_CTL_SOCK, 0660, AT_SYMLINK_NOFOLLOW)))
		err = -errno;
	close(dfd);
	return err;
}

int control_listen(struct tenetd *d)
{
	struct sockaddr_un sa;
	struct control *k = calloc(1, sizeof(*k));
	int fd, err;

	if (!k)
		return -ENOMEM;
	k->lw.fd = -1;
	/* Clients connect by the whole path: it must fit. */
	if (strlen(d->sock_path) >= sizeof(sa.sun_path)) {
		free(k);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	err = fd < 0 ? -errno : bind_ctl(d, fd);
	if (!err && listen(fd, 128))
		err = -errno;
	if (!err)
		err = tn_watch_add(d, &k->lw, fd, EPOLLIN, on_listen);
	if (err) {
		if (fd >= 0)
			close(fd);
		free(k);
		return err;
	}
	d->ctl = k;
	return 0;
}

void control_close(struct tenetd *d)
{
	struct control *k = d->ctl;
	int fd;

	if (!k)
		return;
	while (k->clients)
		drop(d, k->clients);
	fd = k->lw.fd;
	tn_watch_del(d, &k->lw);
	close(fd);
	unlink(d->sock_path);
	free(k);
	d->ctl = NULL;
}

unsigned int control_clients(struct tenetd *d)
{
	return d->ctl ? ((struct control *)d->ctl)->n : 0;
}
