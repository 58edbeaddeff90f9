// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "log.h"
#include "xsk.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

/* The free stack of u, all its frames on it. */
static int umem_frames(struct tn_umem *u, uint32_t nframes, uint32_t frame_size)
{
	u->free = calloc(nframes, sizeof(*u->free));
	if (!u->free)
		return -ENOMEM;
	u->frame_size = frame_size;
	u->nframes = nframes;
	for (uint32_t i = 0; i < nframes; i++)
		u->free[i] = (uint64_t)(nframes - 1 - i) * frame_size;
	u->nfree = nframes;
	return 0;
}

int tn_umem_init(struct tn_umem *u, uint32_t nframes, uint32_t frame_size)
{
	memset(u, 0, sizeof(*u));
	u->size = (uint64_t)nframes * frame_size;
	u->area = mmap(NULL, u->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->area == MAP_FAILED) {
		u->area = NULL;
		return -errno;
	}
	if (umem_frames(u, nframes, frame_size)) {
		munmap(u->area, u->size);
		u->area = NULL;
		return -ENOMEM;
	}
	return 0;
}

int tn_umem_attach(struct tn_umem *u, int memfd, uint32_t nframes,
		   uint32_t frame_size)
{
	struct stat st;
	int err;

	memset(u, 0, sizeof(*u));
	u->size = (uint64_t)nframes * frame_size;
	/* The file must hold every frame: a shorter one is a SIGBUS at the
	 * first frame past its end. */
	if (!nframes || frame_size < 2048 || frame_size > 4096 ||
	    u->size > (1ULL << 30))
		return -EINVAL;
	if (fstat(memfd, &st))
		return -errno;
	if ((uint64_t)st.st_size < u->size)
		return -EINVAL;
	u->area = mmap(NULL, u->size, PROT_READ, MAP_SHARED, memfd, 0);
	if (u->area == MAP_FAILED) {
		u->area = NULL;
		return -errno;
	}
	err = umem_frames(u, nframes, frame_size);
	if (err) {
		munmap(u->area, u->size);
		u->area = NULL;
	}
	return err;
}

void tn_umem_free(struct tn_umem *u)
{
	if (u->area)
		munmap(u->area, u->size);
	free(u->free);
	memset(u, 0, sizeof(*u));
}

static int map_ring(struct tn_xsk *x, int i, const struct xdp_ring_offset *off,
		    size_t desc_size, uint32_t n, uint64_t pgoff, void *ring,
		    bool producer)
{
	struct xsk_ring_prod *r = ring; /* prod and cons share a layout */
	void *m;

	x->map_len[i] = off->desc + n * desc_size;
	m = mmap(NULL, x->map_len[i], PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, x->fd, (off_t)pgoff);
	if (m == MAP_FAILED)
		return -errno;
	x->maps[i] = m;
	r->mask = n - 1;
	r->size = n;
	r->producer = (uint32_t *)((char *)m + off->producer);
	r->consumer = (uint32_t *)((char *)m + off->consumer);
	r->flags = (uint32_t *)((char *)m + off->flags);
	r->ring = (char *)m + off->desc;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	/* A producer sees size free slots past what the kernel consumed. */
	if (producer)
		r->cached_cons += n;
	return 0;
}

/* bind() right after the previous owner of the queue closed its socket can
 * see EBUSY for a moment: retry for up to a second. */
/* Binds, trying again on EBUSY (a queue just let go) every 20 ms. */
static int bind_tries(int fd, struct sockaddr_xdp *sxdp, int tries)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < tries; i++) {
		if (!bind(fd, (struct sockaddr *)sxdp, sizeof(*sxdp)))
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&ts, NULL);
	}
	return -EBUSY;
}

/* The UMEM of a socket that just went (a router killed and started again)
 * is let go by a kernel worker, and its pages stay counted against our
 * locked memory until then: ENOBUFS for a moment. Up to a second. */
static int umem_reg(int fd, const struct xdp_umem_reg *reg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < 50; i++) {
		if (!setsockopt(fd, SOL_XDP, XDP_UMEM_REG, reg, sizeof(*reg)))
			return 0;
		if (errno != ENOBUFS)
			return -1;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static int bind_retry(int fd, struct sockaddr_xdp *sxdp)
{
	return bind_tries(fd, sxdp, 50);
}

/* Zero-copy where the driver can; copy only when the kernel says it cannot,
 * and say so. */
static int bind_mode(int fd, struct sockaddr_xdp *sxdp, enum tn_xsk_mode mode)
{
	struct sockaddr_xdp zc = *sxdp;
	int err;

	if (mode != TN_XSK_COPY) {
		zc.sxdp_flags |= XDP_ZEROCOPY;
		err = bind_retry(fd, &zc);
		if (err != -EOPNOTSUPP || mode == TN_XSK_ZEROCOPY)
			return err;
		tn_info("ifindex %u queue %u: the driver cannot do zero-copy: "
			"copy mode\n",
			sxdp->sxdp_ifindex, sxdp->sxdp_queue_id);
	}
	sxdp->sxdp_flags |= XDP_COPY;
	return bind_retry(fd, sxdp);
}

int tn_xsk_setup(struct tn_xsk *x, int fd, struct tn_umem *u, int ifindex,
		 uint32_t queue, const struct tn_xsk_opts *o)
{
	uint32_t n = o->ring_size ? o->ring_size : TN_XSK_RING;
	struct xdp_umem_reg reg = {
		.addr = (uint64_t)(uintptr_t)u->area,
		.len = u->size,
		.chunk_size = u->frame_size,
	};
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (uint32_t)ifindex,
		.sxdp_queue_id = queue,
		.sxdp_flags = XDP_USE_NEED_WAKEUP,
	};
	struct xdp_mmap_offsets off;
	struct xdp_options opts;
	socklen_t len = sizeof(off);
	int err;

	memset(x, 0, sizeof(*x));
	x->fd = fd;
	x->ifindex = ifindex;
	x->queue = queue;
	if (n & (n - 1))
		return -EINVAL;
	if (!o->bound && o->shared_umem_fd < 0 && umem_reg(fd, &reg))
		return -errno;
	if ((!o->bound &&
	     (setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	      setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	      setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	      (!o->rx_only &&
	       setsockopt(fd, SOL_XDP, XDP_TX_RING, &n, sizeof(n))))) ||
	    getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len))
		return -errno;
	err = map_ring(x, 0, &off.rx, sizeof(struct xdp_desc), n,
		       XDP_PGOFF_RX_RING, &x->rx, false);
	if (!err && !o->rx_only && !o->bound)
		err = map_ring(x, 1, &off.tx, sizeof(struct xdp_desc), n,
			       XDP_PGOFF_TX_RING, &x->tx, true);
	if (!err)
		err = map_ring(x, 2, &off.fr, sizeof(uint64_t), n,
			       XDP_UMEM_PGOFF_FILL_RING, &x->fill, true);
	if (!err)
		err = map_ring(x, 3, &off.cr, sizeof(uint64_t), n,
			       XDP_UMEM_PGOFF_COMPLETION_RING, &x->comp, false);
	if (err)
		goto fail;

	if (o->bound) {
		/* the agent bound it */
	} else if (o->shared_umem_fd >= 0) {
		/* A socket sharing a UMEM takes its mode and wakeup flags
		 * from the first one: the kernel refuses any here. */
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = (uint32_t)o->shared_umem_fd;
		err = bind_retry(fd, &sxdp);
		if (err)
			goto fail;
	} else {
		err = bind_mode(fd, &sxdp, o->mode);
		if (err)
			goto fail;
	}
	len = sizeof(opts);
	if (!getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len))
		x->zerocopy = opts.flags & XDP_OPTIONS_ZEROCOPY;
	return 0;
fail:
	for (int i = 0; i < 4; i++)
		if (x->maps[i])
			munmap(x->maps[i], x->map_len[i]);
	memset(x->maps, 0, sizeof(x->maps));
	return err;
}

int tn_xsk_nic_umem(int fd, uint32_t nframes, uint32_t ring, int *memfd)
{
	size_t size = (size_t)nframes * TN_XSK_FRAME_SIZE;
	struct xdp_umem_reg reg = { .len = size,
				    .chunk_size = TN_XSK_FRAME_SIZE };
	void *area = MAP_FAILED;
	int mfd, err = 0;

	if (!ring || ring & (ring - 1) || !nframes)
		return -EINVAL;
	mfd = memfd_create("tenet-direct", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	/* Registration pins the pages (ours: tenetd's memory, never the
	 * router's locked-memory budget); the mapping can go after it. */
	if (ftruncate(mfd, (off_t)size) ||
	    (area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd,
			 0)) == MAP_FAILED) {
		err = -errno;
		goto out;
	}
	reg.addr = (uint64_t)(uintptr_t)area;
	if (umem_reg(fd, &reg) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &ring, sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &ring,
		       sizeof(ring)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &ring, sizeof(ring)))
		err = -errno;
	munmap(area, size);
	/* The router maps it read-only and cannot resize it; we can
	 * still empty it (tn_xsk_nic_umem_drop). */
	if (!err && fcntl(mfd, F_ADD_SEALS,
			  F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL))
		err = -errno;
out:
	if (err)
		close(mfd);
	else
		*memfd = mfd;
	return err;
}

void tn_xsk_nic_umem_drop(int memfd)
{
	if (memfd < 0)
		return;
	/* Frees the pages whoever else holds the file (a socket still
	 * bound keeps its pinned ones until it goes). */
	if (ftruncate(memfd, 0))
		tn_warn("emptying a direct socket's UMEM: %s\n",
			strerror(errno));
	close(memfd);
}

const char *tn_xsk_mode_name(bool requested, bool in_use)
{
	return in_use	 ? "zero-copy" :
	       requested ? "copy (zero-copy requested)" :
			   "copy";
}

int tn_xsk_bind_nic(int fd, int ifindex, uint32_t queue, enum tn_xsk_mode mode,
		    bool *zerocopy)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (uint32_t)ifindex,
		.sxdp_queue_id = queue,
		.sxdp_flags = XDP_USE_NEED_WAKEUP,
	};
	struct xdp_options opts;
	socklen_t len = sizeof(opts);
	int err;

	if (mode != TN_XSK_COPY) {
		struct sockaddr_xdp zc = sxdp;

		zc.sxdp_flags |= XDP_ZEROCOPY;
		err = bind_tries(fd, &zc, 1);
		if (err != -EOPNOTSUPP || mode == TN_XSK_ZEROCOPY)
			goto out;
	}
	sxdp.sxdp_flags |= XDP_COPY;
	err = bind_tries(fd, &sxdp, 1);
out:
	*zerocopy = !err &&
		    !getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) &&
		    (opts.flags & XDP_OPTIONS_ZEROCOPY);
	return err;
}

void tn_xsk_close(struct tn_xsk *x)
{
	for (int i = 0; i < 4; i++)
		if (x->maps[i])
			munmap(x->maps[i], x->map_len[i]);
	if (x->fd >= 0)
		close(x->fd);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

uint32_t tn_xsk_refill(struct tn_xsk *x, struct tn_umem *u, uint32_t n)
{
	uint32_t room = xsk_prod_nb_free(&x->fill, n), idx, i;

	/* reserve is all-or-nothing: ask for what surely fits */
	if (n > room)
		n = room;
	if (n > u->nfree)
		n = u->nfree;
	if (!n || xsk_ring_prod__reserve(&x->fill, n, &idx) != n)
		return 0;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) =
			u->free[--u->nfree];
	xsk_ring_prod__submit(&x->fill, n);
	return n;
}

uint32_t tn_xsk_complete(struct tn_xsk *x, struct tn_umem *u)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->comp, TN_XSK_RING, &idx);

	for (uint32_t i = 0; i < n; i++)
		tn_umem_put(u, *xsk_ring_cons__comp_addr(&x->comp, idx + i));
	if (n)
		xsk_ring_cons__release(&x->comp, n);
	return n;
}

void tn_xsk_kick_tx(struct tn_xsk *x)
{
	if (!xsk_ring_prod__needs_wakeup(&x->tx))
		return;
	/* Copy mode sends at most 32 frames a call and answers EAGAIN while
	 * more wait; other errors (ENOBUFS, EBUSY) mean the kernel is busy
	 * with the ring: the next loop kicks again. */
	for (int n = 0; n < 16; n++)
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 ||
		    errno != EAGAIN)
			break;
}
