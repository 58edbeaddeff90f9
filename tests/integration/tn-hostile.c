// SPDX-License-Identifier: GPL-2.0
/*
 * tn-hostile: what a hostile tenant runs in its container, for
 * test-hostile.sh and test-fast-hostile.sh. Each mode is one attack on
 * tenetd, the host or the data path, run for a number of seconds; it prints
 * one JSON line of what the kernel and tenetd answered, so the test can say
 * whether the attack failed or was contained.
 * It runs where tenet-router runs (the router's binary replaced, as a
 * tenant may) or as the container's root (lxc-attach), and links only what
 * the router links (the container has those libraries).
 *
 *   tn-hostile linger SOCK SECS     hellos passing a TCP socket whose close
 *                                   blocks 30 s (SO_LINGER, full send queue)
 *   tn-hostile fdflood SOCK SECS    messages carrying 253 descriptors each
 *   tn-hostile slow SOCK SECS       hello 0.9 s late, each answer 1.5 s, then
 *                                   reconnect
 *   tn-hostile silent SOCK SECS N   N connections that never speak
 *   tn-hostile storm SOCK SECS      connect and close, as fast as it goes
 *   tn-hostile symlink DIR TARGET SECS
 *                                   DIR/router.sock and DIR/router.stats
 *                                   swapped for links to TARGET, in a loop
 *   tn-hostile stats FILE SECS      a stats file of 16 slots whose names
 *                                   are terminal escape sequences
 *   tn-hostile direct SOCK SECS     a router that takes its sockets, NIC
 *                                   queues' too, and tries to reach the host
 *                                   netns through them (SIOCGSKNS), then
 *                                   through a host netns descriptor on fd 3
 *                                   if the test gave one: setns, and
 *                                   RTM_DELLINK of $TN_VICTIM by nsid
 *   tn-hostile fastgarbage SOCK SECS DSTS MACS
 *                                   a router that takes its sockets and
 *                                   its fast table, maps the table and
 *                                   writes garbage into it: whole buckets
 *                                   of random bytes, valid-looking entries
 *                                   for each of DSTS (addresses, comma-
 *                                   separated) with any port number, MTU,
 *                                   flags and MACs (of MACS, or random,
 *                                   broadcast, multicast), and torn ones
 *                                   (test-fast-hostile.sh)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <libmnl/libmnl.h>
#include <tenet/fast.h>
#include <tenet/router_stats.h>

#include "handoff.h"
#include "xsk.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static int dial(const char *path, bool nonblock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX,
			SOCK_SEQPACKET | SOCK_CLOEXEC |
				(nonblock ? SOCK_NONBLOCK : 0),
			0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Progress: a JSON line of the counts so far, each second and at the end,
 * so the test reads where an attack stands while it runs. */
static double next_report;

#define REPORT(last, ...)                             \
	do {                                          \
		if ((last) || now() >= next_report) { \
			printf(__VA_ARGS__);          \
			fflush(stdout);               \
			next_report = now() + 1;      \
		}                                     \
	} while (0)

#define STR_(x) #x
#define STR(x) STR_(x)
static const char hello[] = "{\"type\":\"hello\",\"version\":" STR(
	TN_HO_VERSION) ",\"pid\":1,\"queues\":1}";

/* Sends msg with fds; errno of the send or 0. */
static int send_fds(int conn, const char *msg, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(253 * sizeof(int))];
		struct cmsghdr align;
	} c;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = strlen(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *h;

	if (n) {
		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(h), fds, n * sizeof(int));
	}
	return sendmsg(conn, &mh, MSG_NOSIGNAL) < 0 ? errno : 0;
}

/* A TCP connection on lo whose close blocks: the peer never reads, the
 * send queue is full, SO_LINGER waits 30 s. The client end, or -1. *srv
 * gets the peer's end, which must stay open. */
static int linger_socket(int *srv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	struct linger lg = { 1, 30 };
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c = -1,
	    small = 4096;
	char junk[4096] = { 0 };

	*srv = -1;
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &len))
		goto out;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	*srv = accept(l, NULL, NULL);
	setsockopt(*srv, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	fcntl(c, F_SETFL, O_NONBLOCK);
	while (send(c, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		;
	goto out;
fail:
	if (c >= 0)
		close(c);
	c = -1;
out:
	if (l >= 0)
		close(l);
	return c;
}

#define LINGER_FMT                                                          \
	"{\"attack\":\"linger\",\"tries\":%d,\"refused\":%d,\"passed\":%d," \
	"\"no_connection\":%d}\n"

static int do_linger(const char *sock, double secs)
{
	int tries = 0, refused = 0, passed = 0, no_conn = 0, srv[512], nsrv = 0;
	int nkept = 0;
	double end = now() + secs;

	while (now() < end) {
		int s, c, conn = dial(sock, false), e;

		if (conn < 0) {
			no_conn++;
			nap(0.2);
			continue;
		}
		c = linger_socket(&s);
		if (c < 0)
			break;
		if (nsrv < 512)
			srv[nsrv++] = s;
		tries++;
		e = send_fds(conn, hello, &c, 1);
		if (e == EPERM)
			refused++;
		else if (!e)
			passed++;
		/* Passed, tenetd's copy is now the last: its close is the one
		 * that would block. Not passed, ours would: kept. */
		close(conn);
		if (!e || nkept == 512)
			close(c);
		else
			nkept++; /* closed by our exit */
		nap(0.2);
		REPORT(false, LINGER_FMT, tries, refused, passed, no_conn);
	}
	REPORT(true, LINGER_FMT, tries, refused, passed, no_conn);
	for (int i = 0; i < nsrv; i++)
		close(srv[i]);
	return 0;
}

#define FDFLOOD_FMT                                                        \
	"{\"attack\":\"fdflood\",\"sent\":%d,\"refused\":%d,\"other\":%d," \
	"\"connections\":%d}\n"

static int do_fdflood(const char *sock, double secs)
{
	int fds[253], pipefd[2], sent = 0, refused = 0, other = 0, conns = 0;
	double end = now() + secs;
	int conn = -1;

	if (pipe(pipefd))
		return 1;
	for (int i = 0; i < 253; i++)
		fds[i] = i % 2 ? pipefd[0] : pipefd[1];
	while (now() < end) {
		int e;

		if (conn < 0) {
			conn = dial(sock, false);
			if (conn < 0) {
				nap(0.05);
				continue;
			}
			conns++;
		}
		e = send_fds(conn, hello, fds, 253);
		if (!e) {
			sent++;
			REPORT(false, FDFLOOD_FMT, sent, refused, other, conns);
			continue;
		}
		if (e == EPERM)
			refused++;
		else
			other++;
		close(conn);
		conn = -1;
		REPORT(false, FDFLOOD_FMT, sent, refused, other, conns);
	}
	REPORT(true, FDFLOOD_FMT, sent, refused, other, conns);
	return 0;
}

#define SLOW_FMT \
	"{\"attack\":\"slow\",\"sessions\":%d,\"answered\":%d,\"done\":%d}\n"

/* One handoff taken late at every step: the hello 0.9 s after connecting
 * (within tenetd's 1 s step), each answer 1.5 s after its request (past
 * it, even when tenetd reads it only once a long callback of its own is
 * over: it judges deadlines after reading what is ready). */
static int do_slow(const char *sock, double secs)
{
	int sessions = 0, answered = 0, done = 0;
	double end = now() + secs;
	char buf[4096];

	while (now() < end) {
		int conn = dial(sock, false);

		if (conn < 0) {
			nap(0.1);
			continue;
		}
		sessions++;
		nap(0.9);
		if (send_fds(conn, hello, NULL, 0)) {
			close(conn);
			continue;
		}
		for (;;) {
			ssize_t n = recv(conn, buf, sizeof(buf) - 1, 0);
			char reply[256];
			long id;
			char *p;

			if (n <= 0)
				break;
			buf[n] = '\0';
			if (strstr(buf, "\"done\"")) {
				done++;
				break;
			}
			p = strstr(buf, "\"id\":");
			id = p ? strtol(p + 5, NULL, 10) : -1;
			nap(1.5);
			snprintf(reply, sizeof(reply),
				 "{\"type\":\"error\",\"id\":%ld,\"ifname\":"
				 "\"x\",\"queue\":0,\"message\":\"slow\"}",
				 id);
			if (send_fds(conn, reply, NULL, 0))
				break;
			answered++;
		}
		close(conn);
		REPORT(false, SLOW_FMT, sessions, answered, done);
	}
	REPORT(true, SLOW_FMT, sessions, answered, done);
	return 0;
}

#define SILENT_FMT "{\"attack\":\"silent\",\"opened\":%d,\"dropped\":%d}\n"

static int do_silent(const char *sock, double secs, int n)
{
	int fds[64], opened = 0, dropped = 0;
	double end = now() + secs;

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		fds[i] = -1;
	while (now() < end) {
		for (int i = 0; i < n; i++) {
			struct pollfd p = { .fd = fds[i], .events = POLLIN };

			if (fds[i] >= 0 && poll(&p, 1, 0) == 1) {
				close(fds[i]); /* tenetd hung up */
				fds[i] = -1;
				dropped++;
			}
			if (fds[i] < 0 && (fds[i] = dial(sock, true)) >= 0)
				opened++;
		}
		nap(0.1);
		REPORT(false, SILENT_FMT, opened, dropped);
	}
	REPORT(true, SILENT_FMT, opened, dropped);
	return 0;
}

#define STORM_FMT "{\"attack\":\"storm\",\"connects\":%ld,\"refused\":%ld}\n"

static int do_storm(const char *sock, double secs)
{
	long connects = 0, waited = 0;
	double end = now() + secs;

	while (now() < end) {
		int fd = dial(sock, true);

		if (fd >= 0) {
			connects++;
			close(fd);
		} else {
			waited++; /* the backlog is full: tenetd is not
				   * accepting from us */
			nap(0.001);
		}
		REPORT(false, STORM_FMT, connects, waited);
	}
	REPORT(true, STORM_FMT, connects, waited);
	return 0;
}

static int do_symlink(const char *dir, const char *target, double secs)
{
	static const char *const names[] = { "router.sock", "router.stats" };
	double end = now() + secs;
	long swaps = 0;
	char path[512];

	while (now() < end) {
		for (int i = 0; i < 2; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
			if (!symlink(target, path))
				swaps++;
		}
		nap(0.0005);
		REPORT(false, "{\"attack\":\"symlink\",\"swaps\":%ld}\n",
		       swaps);
	}
	REPORT(true, "{\"attack\":\"symlink\",\"swaps\":%ld}\n", swaps);
	return 0;
}

static int do_stats(const char *path, double secs)
{
	static const char evil[16] = "\x1b[2J\x1b]0;pwn\x07\r";
	struct tn_rstats_file *f = calloc(1, sizeof(*f));
	FILE *out;

	if (!f)
		return 1;
	f->magic = TN_RSTATS_MAGIC;
	f->version = TN_RSTATS_VERSION;
	f->nslots = TN_RSTATS_MAX;
	f->pid = 1;
	for (int i = 0; i < TN_RSTATS_MAX; i++) {
		memcpy(f->slot[i].ifname, evil, sizeof(evil));
		f->slot[i].used = 1;
		f->slot[i].queue = (uint32_t)i;
		for (int k = 0; k < TN_RC__MAX; k++)
			f->slot[i].ctr[k] = 1234567890123ull + (uint64_t)k;
	}
	out = fopen(path, "w");
	if (!out || fwrite(f, sizeof(*f), 1, out) != 1 || fclose(out)) {
		perror(path);
		return 1;
	}
	printf("{\"attack\":\"stats\",\"written\":%zu}\n", sizeof(*f));
	fflush(stdout);
	nap(secs);
	free(f);
	return 0;
}

/* ---- direct: the host's netns through a NIC queue's socket ---- */

static const char *err_name(int e)
{
	static char buf[16];

	switch (e) {
	case 0:
		return "done";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENODEV:
		return "ENODEV";
	case EBADF:
		return "EBADF";
	}
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* One rtnetlink request; 0 or the errno the kernel answered. A reply of
 * type RTM_NEWNSID puts its NETNSA_NSID in *nsid. */
static int rtnl(struct nlmsghdr *nlh, int *nsid)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int ret = EIO;
	ssize_t n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		goto out;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		struct nlmsghdr *r = (struct nlmsghdr *)buf;
		struct nlattr *a;

		if (r->nlmsg_type == NLMSG_ERROR) {
			ret = -((struct nlmsgerr *)NLMSG_DATA(r))->error;
			break;
		}
		mnl_attr_for_each(
			a, r,
			sizeof(struct rtgenmsg)) if (nsid &&
						     r->nlmsg_type ==
							     RTM_NEWNSID &&
						     mnl_attr_get_type(a) ==
							     NETNSA_NSID) *nsid =
			(int)mnl_attr_get_u32(a);
	}
out:
	if (nl)
		mnl_socket_close(nl);
	return ret;
}

/* The id our netns gives the netns of fd: one it has, or a new one. */
static int nsid_of(int fd, int *nsid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	for (int type = RTM_GETNSID;; type = RTM_NEWNSID) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (uint16_t)type;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtgenmsg));
		mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
		if (type == RTM_NEWNSID)
			mnl_attr_put_u32(nlh, NETNSA_NSID, 4242);
		*nsid = -1;
		int e = rtnl(nlh, nsid);

		if (type == RTM_NEWNSID)
			return e ? e : (*nsid = 4242, 0);
		if (!e && *nsid >= 0)
			return 0;
	}
}

/* With a handle on the host's netns: the victim link deleted there by the
 * id our netns has for it, and setns into it. */
static void through_netns(int nsfd, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *victim = getenv("TN_VICTIM");
	struct nlmsghdr *nlh;
	int e_setns, e_nsid, e_del = EINVAL, nsid = -1;

	e_nsid = nsid_of(nsfd, &nsid);
	if (!e_nsid) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_DELLINK;
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, victim ? victim : "nic0");
		e_del = rtnl(nlh, NULL);
	}
	e_setns = setns(nsfd, CLONE_NEWNET) ? errno : 0;
	printf("{\"attack\":\"netns\",\"via\":\"%s\",\"nsid\":%d,"
	       "\"nsid_errno\":\"%s\",\"dellink\":\"%s\",\"setns\":\"%s\"}\n",
	       what, nsid, err_name(e_nsid), err_name(e_del),
	       err_name(e_setns));
	fflush(stdout);
}

/* A router's side of the handoff, up to "done": each socket of its own
 * bound in copy mode on one UMEM (so tenetd puts them in its maps and says
 * done), the fast table's descriptor kept in h->fast (-1 if none came). A NIC
 * queue's socket (direct mode) is refused, after probe(fd) if given. 0, -1
 * if tenetd hung up before "done", -2 if there is no UMEM to bind on. */
struct handoff {
	struct tn_umem u;
	struct tn_xsk x[4];
	int nx;
	int fast;
	int64_t slots;
};

static int take_handoff(int conn, struct handoff *h, void (*probe)(int fd))
{
	struct tn_xsk_opts o = { .mode = TN_XSK_COPY, .shared_umem_fd = -1 };

	h->nx = 0;
	h->fast = -1;
	h->slots = 0;
	if (tn_umem_init(&h->u, 1024, TN_XSK_FRAME_SIZE))
		return -2;
	for (;;) {
		json_object *m;
		const char *name, *rx_for;
		int64_t id = -1, ifindex = 0, q = 0;
		char reply[256];
		int fd, err = 0;

		if (tn_ho_recv(conn, &m, &fd))
			return -1;
		if (!strcmp(tn_ho_type(m), "done")) {
			json_object_put(m);
			return 0;
		}
		if (!strcmp(tn_ho_type(m), "fast")) {
			/* Nothing answers it. */
			if (h->fast >= 0)
				close(h->fast);
			h->fast = fd;
			tn_ho_int(m, "slots", &h->slots);
			json_object_put(m);
			continue;
		}
		name = tn_ho_str(m, "ifname");
		rx_for = tn_ho_str(m, "rx_for");
		tn_ho_int(m, "id", &id);
		tn_ho_int(m, "ifindex", &ifindex);
		tn_ho_int(m, "queue", &q);
		if (rx_for) {
			if (probe)
				probe(fd);
			err = -EPERM;
		} else if (h->nx < 4) {
			o.shared_umem_fd = h->nx ? h->x[0].fd : -1;
			err = tn_xsk_setup(&h->x[h->nx], fd, &h->u,
					   (int)ifindex, (uint32_t)q, &o);
			if (!err)
				h->nx++;
		}
		snprintf(reply, sizeof(reply),
			 "{\"type\":\"%s\",\"id\":%lld,\"ifname\":\"%s\","
			 "\"queue\":%lld%s}",
			 err ? "error" : "bound", (long long)id,
			 name ? name : "", (long long)q,
			 err ? ",\"message\":\"no\"" : ",\"zerocopy\":false");
		send_fds(conn, reply, NULL, 0);
		if (err && fd >= 0)
			close(fd);
		json_object_put(m);
	}
}

/* What take_handoff() made, undone, for another try. */
static void drop_handoff(struct handoff *h)
{
	for (int i = 0; i < h->nx; i++)
		tn_xsk_close(&h->x[i]);
	h->nx = 0;
	if (h->fast >= 0)
		close(h->fast);
	h->fast = -1;
	tn_umem_free(&h->u);
}

static int skns_tries, skns_err;

/* A socket of the host's netns: its netns, please. */
static void skns_probe(int fd)
{
	int ns = ioctl(fd, SIOCGSKNS);

	skns_tries++;
	if (ns < 0)
		skns_err = errno;
	else
		through_netns(ns, "SIOCGSKNS");
}

static int do_direct(const char *sock, double secs)
{
	int conn = dial(sock, false);
	struct handoff h;
	struct stat st;

	if (conn < 0 || send_fds(conn, hello, NULL, 0) ||
	    take_handoff(conn, &h, skns_probe) == -2) {
		perror("direct: connect");
		return 1;
	}
	printf("{\"attack\":\"skns\",\"tries\":%d,\"error\":\"%s\"}\n",
	       skns_tries, err_name(skns_err));
	fflush(stdout);
	if (!fstat(3, &st))
		through_netns(3, "fd 3");
	nap(secs);
	return 0;
}

/* ---- fastgarbage: a router that writes garbage into its fast table ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void rnd_fill(void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		uint64_t r = rnd();
		size_t k = n < 8 ? n : 8;

		memcpy(b, &r, k);
		b += k;
		n -= k;
	}
}

struct dst {
	uint8_t family;
	uint8_t d[16];
	uint32_t bucket;
};

/* "a,b,c" of IPv4 and IPv6 addresses into d (up to max); the count. */
static int parse_dsts(const char *s, struct dst *d, int max)
{
	char buf[1024], *save = NULL, *t;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (t = strtok_r(buf, ",", &save); t && n < max;
	     t = strtok_r(NULL, ",", &save)) {
		struct dst *x = &d[n];
		uint32_t w[4];

		memset(x, 0, sizeof(*x));
		if (inet_pton(AF_INET, t, x->d) == 1)
			x->family = AF_INET;
		else if (inet_pton(AF_INET6, t, x->d) == 1)
			x->family = AF_INET6;
		else
			continue;
		memcpy(w, x->d, 16);
		x->bucket = tn_fast_hash(x->family, w[0], w[1], w[2], w[3]);
		n++;
	}
	return n;
}

/* "aa:bb:cc:dd:ee:ff,..." into m (up to max); the count. */
static int parse_macs(const char *s, uint8_t (*m)[6], int max)
{
	const char *p = s;
	int n = 0;

	while (*p && n < max) {
		unsigned int b[6];

		if (sscanf(p, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
			   &b[4], &b[5]) == 6) {
			for (int i = 0; i < 6; i++)
				m[n][i] = (uint8_t)b[i];
			n++;
		}
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return n;
}

/* A valid-looking entry for d, in a way of its bucket: an even seq, its
 * family and address, and the rest as likely to be taken as not: out the
 * tenant's two ports or any other number, MACs of the test's hosts (the
 * neighbour's among them), broadcast, multicast or random, any MTU, any
 * flags. Written as plain stores, seq and all, with no lock: a reader may
 * see any mix of this and what was there. */
static void aim(struct tn_fast_entry *e, const struct dst *d,
		uint8_t (*macs)[6], int nmacs)
{
	uint64_t r = rnd();

	e->seq = (uint32_t)rnd() & ~1u;
	e->family = d->family;
	memcpy(e->dst, d->d, 16);
	e->out = (r & 1) ? (uint8_t)(r >> 1 & 1) : (uint8_t)(r >> 8);
	if (nmacs && (r >> 16) % 4)
		memcpy(e->mac, macs[(r >> 20) % (uint64_t)nmacs], 6);
	else
		rnd_fill(e->mac, 6);
	e->mtu = (r >> 32) % 3 ? (uint16_t)(1500 + (r >> 40) % 64036) :
				 (uint16_t)(r >> 40);
	e->flags = (r >> 56) % 4 ? 0 : (uint16_t)rnd();
	e->hits = rnd();
}

#define FG_FMT                                                             \
	"{\"attack\":\"fastgarbage\",\"slots\":%lld,\"mmap\":\"%s\","      \
	"\"mmap_past_end\":\"%s\",\"sockets\":%d,\"rounds\":%ld,"          \
	"\"random_buckets\":%ld,\"aimed\":%ld,\"torn\":%ld,\"limits\":%d," \
	"\"hung_up\":%s}\n"

static int do_fastgarbage(const char *sock, double secs, const char *dstarg,
			  const char *macarg)
{
	size_t len = (size_t)TN_FAST_SLOTS * sizeof(union tn_fast_slot);
	long rounds = 0, rbuckets = 0, aimed = 0, torn = 0;
	int conn = dial(sock, false), nd, nm, nlimits = 0, e_map = 0,
	    e_past = 0;
	bool hung_up = false;
	char s_map[16], s_past[16];
	union tn_fast_slot *t = NULL;
	struct dst d[32];
	uint8_t macs[32][6];
	struct handoff h = { .fast = -1 };
	double end;
	void *past;

	rng ^= (uint64_t)getpid() << 32 ^ (uint64_t)(now() * 1e6);
	nd = parse_dsts(dstarg, d, 32);
	nm = parse_macs(macarg, macs, 32);
	end = now() + secs;
	/* As a router would: again until tenetd says done (a step late
	 * under load and it hangs up). */
	for (;;) {
		int e = conn < 0 || send_fds(conn, hello, NULL, 0) ?
				-1 :
				take_handoff(conn, &h, NULL);

		if (!e)
			break;
		if (e == -2 || now() >= end) {
			perror("fastgarbage: handoff");
			return 1;
		}
		drop_handoff(&h);
		if (conn >= 0)
			close(conn);
		nap(0.5);
		conn = dial(sock, false);
	}
	if (h.fast < 0)
		e_map = EBADF;
	else if ((t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			   h.fast, 0)) == MAP_FAILED) {
		e_map = errno;
		t = NULL;
	}
	/* More than the table: the kernel's pages past it. */
	if (h.fast >= 0) {
		past = mmap(NULL, len + 16 * 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED, h.fast, 0);
		if (past == MAP_FAILED)
			e_past = errno;
		else
			munmap(past, len + 16 * 4096);
	}
	snprintf(s_map, sizeof(s_map), "%s", err_name(e_map));
	snprintf(s_past, sizeof(s_past), "%s", err_name(e_past));
	while (now() < end) {
		char buf[TN_HO_MAX_MSG];
		ssize_t n;

		/* tenetd's "limits", read so its queue never fills. */
		while ((n = recv(conn, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			nlimits++;
		if (n == 0)
			hung_up = true;
		if (!t) {
			nap(0.1);
			REPORT(false, FG_FMT, (long long)h.slots, s_map, s_past,
			       h.nx, rounds, rbuckets, aimed, torn, nlimits,
			       hung_up ? "true" : "false");
			continue;
		}
		/* (a) whole buckets of random bytes, seq included, and the
		 * counters */
		for (int i = 0; i < 8; i++, rbuckets++)
			rnd_fill(&t[rnd() % TN_FAST_BUCKETS], sizeof(*t));
		rnd_fill(&t[TN_FAST_BUCKETS + rnd() % TN_FAST_CPUS],
			 sizeof(*t));
		/* (b) every way of each destination's bucket aimed */
		for (int i = 0; i < nd; i++)
			for (int w = 0; w < TN_FAST_WAYS; w++, aimed++)
				aim(&t[d[i].bucket].b.e[w], &d[i], macs, nm);
		/* (c) torn: a seq left odd, an entry half written under
		 * an even one, an entry published half written */
		for (int i = 0; i < nd; i++, torn++) {
			struct tn_fast_entry *e =
				&t[d[i].bucket].b.e[rnd() % TN_FAST_WAYS];
			uint32_t s = e->seq;

			switch (rnd() % 3) {
			case 0:
				e->seq = s | 1;
				e->out = (uint8_t)rnd();
				break;
			case 1:
				rnd_fill(e->mac, 3);
				e->out = (uint8_t)rnd();
				break;
			default:
				e->seq = s | 1;
				rnd_fill(&e->out, 1);
				rnd_fill(e->mac, 6);
				e->seq = (s | 1) + 1;
				rnd_fill((uint8_t *)e->mac + 3, 3);
				break;
			}
		}
		rounds++;
		nap(0.0005);
		REPORT(false, FG_FMT, (long long)h.slots, s_map, s_past, h.nx,
		       rounds, rbuckets, aimed, torn, nlimits,
		       hung_up ? "true" : "false");
	}
	REPORT(true, FG_FMT, (long long)h.slots, s_map, s_past, h.nx, rounds,
	       rbuckets, aimed, torn, nlimits, hung_up ? "true" : "false");
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tn-hostile linger|fdflood|slow|storm|direct SOCK SECS\n"
		"       tn-hostile fastgarbage SOCK SECS DSTS MACS\n"
		"       tn-hostile silent SOCK SECS N\n"
		"       tn-hostile symlink DIR TARGET SECS\n"
		"       tn-hostile stats FILE SECS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	int ret;

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(m, "linger"))
		ret = do_linger(argv[2], atof(argv[3]));
	else if (argc == 4 && !strcmp(m, "fdflood"))
		ret = do_fdflood(argv[2], atof(argv[3]));
	else if (argc == 4 && !strcmp(m, "slow"))
		ret = do_slow(argv[2], atof(argv[3]));
	else if (argc == 5 && !strcmp(m, "silent"))
		ret = do_silent(argv[2], atof(argv[3]), atoi(argv[4]));
	else if (argc == 4 && !strcmp(m, "storm"))
		ret = do_storm(argv[2], atof(argv[3]));
	else if (argc == 5 && !strcmp(m, "symlink"))
		ret = do_symlink(argv[2], argv[3], atof(argv[4]));
	else if (argc == 4 && !strcmp(m, "stats"))
		ret = do_stats(argv[2], atof(argv[3]));
	else if (argc == 4 && !strcmp(m, "direct"))
		ret = do_direct(argv[2], atof(argv[3]));
	else if (argc == 6 && !strcmp(m, "fastgarbage"))
		ret = do_fastgarbage(argv[2], atof(argv[3]), argv[4], argv[5]);
	else
		usage();
	return ret;
}
