/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_XDP sockets set up on a file descriptor we are given (from tenetd over
 * SCM_RIGHTS, or our own in standalone mode): UMEM registered in our memory,
 * rings sized and mapped, bound with retry. libxdp 1.3.1 cannot do this
 * (no xsk_umem__create_with_fd; it resolves interface names in the caller's
 * netns), so only its ring structs and inline ring helpers are used.
 */
#ifndef TENET_XSK_H
#define TENET_XSK_H

#include <stdbool.h>
#include <stdint.h>
#include <xdp/xsk.h>

#define TN_XSK_FRAME_SIZE 2048
#define TN_XSK_DEFAULT_FRAMES 2048 /* 4 MiB of UMEM: inside an 8 MiB memlock */
#define TN_XSK_RING 512 /* descriptors per ring */

/* A UMEM and the stack of its free frames (addresses). */
struct tn_umem {
	void *area;
	uint64_t size;
	uint32_t frame_size;
	uint32_t nframes;
	uint64_t *free;
	uint32_t nfree;
};

enum tn_xsk_mode {
	TN_XSK_AUTO = 0, /* zero-copy if the driver can, else copy, said */
	TN_XSK_ZEROCOPY, /* zero-copy or fail */
	TN_XSK_COPY,
};

struct tn_xsk_opts {
	enum tn_xsk_mode mode;
	uint32_t ring_size; /* 0: TN_XSK_RING */
	int shared_umem_fd; /* -1: register the UMEM on this socket */
	bool rx_only; /* no TX ring: the socket can never transmit */
	bool bound; /* rings made and bound by the agent (tn_xsk_bind_rx):
		     * only map them, ring_size as the agent made them */
};

struct tn_xsk {
	int fd;
	int ifindex;
	uint32_t queue;
	bool zerocopy; /* the mode in use */
	struct xsk_ring_cons rx, comp;
	struct xsk_ring_prod tx, fill;
	void *maps[4];
	size_t map_len[4];
};

int tn_umem_init(struct tn_umem *u, uint32_t nframes, uint32_t frame_size);
/* u over nframes of a UMEM another made (tenetd, for a NIC queue's socket),
 * mapped read-only from memfd. 0 or -errno. */
int tn_umem_attach(struct tn_umem *u, int memfd, uint32_t nframes,
		   uint32_t frame_size);
void tn_umem_free(struct tn_umem *u);

static inline bool tn_umem_get(struct tn_umem *u, uint64_t *addr)
{
	if (!u->nfree)
		return false;
	*addr = u->free[--u->nfree];
	return true;
}

static inline void tn_umem_put(struct tn_umem *u, uint64_t addr)
{
	/* Frames come back with an offset into them: keep the frame start. */
	u->free[u->nfree++] = addr - addr % u->frame_size;
}

/* Sets up fd as an AF_XDP socket on ifindex/queue with UMEM u. On error
 * returns -errno; the fd is left to the caller. */
int tn_xsk_setup(struct tn_xsk *x, int fd, struct tn_umem *u, int ifindex,
		 uint32_t queue, const struct tn_xsk_opts *o);
/*
 * The agent's side of a read-only socket on a NIC queue (direct mode): a
 * UMEM of its own, nframes of TN_XSK_FRAME_SIZE in a sealed memfd the
 * agent's memory pays for (*memfd: the router maps it read-only, and
 * cannot grow it), fill, completion and RX rings of ring entries, no TX
 * ring. tn_xsk_nic_umem() once, then tn_xsk_bind_nic() once or more: one
 * try each, -EBUSY while another socket still holds the queue (the agent
 * never waits); zero-copy where the driver can (mode TN_XSK_AUTO), copy
 * when it says it cannot, *zerocopy the mode in use. Once bound no ring
 * can be added, so the router it goes to can read the queue and never
 * send on it. 0 or -errno. tn_xsk_nic_umem_drop() empties and closes the
 * memfd when the router is gone.
 */
int tn_xsk_nic_umem(int fd, uint32_t nframes, uint32_t ring, int *memfd);
int tn_xsk_bind_nic(int fd, int ifindex, uint32_t queue, enum tn_xsk_mode mode,
		    bool *zerocopy);
void tn_xsk_nic_umem_drop(int memfd);
/* As operators read OVS: the mode in use, and the request where it is not
 * met ("copy (zero-copy requested)"). */
const char *tn_xsk_mode_name(bool requested, bool in_use);
/* Unmaps the rings and closes the socket. */
void tn_xsk_close(struct tn_xsk *x);

/* Moves up to n free frames into the fill ring: min(free, n, room). */
uint32_t tn_xsk_refill(struct tn_xsk *x, struct tn_umem *u, uint32_t n);
/* Takes back frames the kernel finished sending. */
uint32_t tn_xsk_complete(struct tn_xsk *x, struct tn_umem *u);
/* Kicks the kernel to transmit when it asks for it (need_wakeup). */
void tn_xsk_kick_tx(struct tn_xsk *x);

#endif
