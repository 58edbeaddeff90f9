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
	struct tn_ctl_hold hold;
	bool held; /* the reply is out; the client holds hold.ctx */
};

struct control {
	struct tn_watch lw;
	struct client *clients;
	unsigned int n;
	bool paused;
	int64_t resume_at; /* 0: when a client leaves (at the cap) */
	int64_t last_warn;
};

/* Ends c's hold, if any, with no reply to send. */
static void hold_forget(struct tenetd *d, struct client *c, int why)
{
	void *ctx = c->hold.ctx;

	c->hold.ctx = NULL;
	if (ctx)
		json_object_put(c->hold.end(d, ctx, why));
}

static void drop(struct tenetd *d, struct client *c)
{
	struct control *k = d->ctl;
	int fd = c->w.fd;

	hold_forget(d, c, -EPIPE); /* gone before its hold ended */
	if (c->hold.fd >= 0)
		close(c->hold.fd);
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

/* send(), the hold's descriptor going with the first bytes. */
static ssize_t send_some(struct client *c)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = c->out + c->out_off,
			     .iov_len = c->out_len - c->out_off };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *h;
	ssize_t n;

	if (c->hold.fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &c->hold.fd, sizeof(int));
	}
	n = sendmsg(c->w.fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0 && c->hold.fd >= 0) {
		close(c->hold.fd);
		c->hold.fd = -1;
	}
	return n;
}

/* Holds the client whose reply is out: it may now only send a line. */
static void hold(struct tenetd *d, struct client *c)
{
	free(c->out);
	c->out = NULL;
	c->held = true;
	c->deadline = c->hold.until ? c->hold.until : INT64_MAX;
	tn_watch_set(d, &c->w, EPOLLIN);
}

/* Writes what the client takes now; when all is sent, holds it or drops
 * it; drops it if it is gone. */
static void flush(struct tenetd *d, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send_some(c);

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
	if (c->out_off == c->out_len && c->hold.ctx && !c->held)
		hold(d, c);
	else
		drop(d, c);
}

/* The reply rep (taken) on its way, or the client dropped. */
static void reply(struct tenetd *d, struct client *c, json_object *rep)
{
	c->out = rep ? tn_ctl_format(rep, &c->out_len) : NULL;
	json_object_put(rep);
	if (!c->out) {
		drop(d, c);
		return;
	}
	c->out_off = 0;
	c->deadline = tn_now_ms() + TN_CTL_WRITE_MS;
	flush(d, c);
}

static void hold_end(struct tenetd *d, struct client *c, int why)
{
	void *ctx = c->hold.ctx;

	c->hold.ctx = NULL;
	reply(d, c, c->hold.end(d, ctx, why));
}

/* A held client: a line (or anything, up to a newline) ends the hold; so
 * does its going away. */
static void on_held(struct tenetd *d, struct client *c)
{
	char buf[256];

	for (;;) {
		ssize_t n = recv(c->w.fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			drop(d, c); /* the hold ends with -EPIPE */
			return;
		}
		if (memchr(buf, '\n', (size_t)n)) {
			hold_end(d, c, 0);
			return;
		}
	}
}

void control_hold_end(struct tenetd *d, void *ctx, int why)
{
	struct control *k = d->ctl;

	for (struct client *c = k ? k->clients : NULL; c; c = c->next)
		if (c->hold.ctx == ctx) {
			if (c->held)
				hold_end(d, c, why);
			else /* its reply still going out: no hold after */
				hold_forget(d, c, why);
			return;
		}
}

static void answer(struct tenetd *d, struct client *c, int err)
{
	json_object *req = NULL, *rep;

	if (!err)
		err = tn_ctl_parse(c->in, c->in_len, &req);
	rep = tenetd_request(d, req, err, &c->hold);
	json_object_put(req);
	free(c->in);
	c->in = NULL;
	reply(d, c, rep);
}

static void on_client(struct tenetd *d, struct tn_watch *w, uint32_t ev)
{
	struct client *c = (struct client *)w;

	if (c->held && !c->out) {
		on_held(d, c);
		return;
	}
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
		if (c)
			c->hold.fd = -1;
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
		if (now < c->deadline)
			continue;
		if (c->held && !c->out && c->hold.ctx)
			hold_end(d, c, -ETIME);
		else
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
	while (k->clients) {
		hold_forget(d, k->clients, -ESHUTDOWN);
		drop(d, k->clients);
	}
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
