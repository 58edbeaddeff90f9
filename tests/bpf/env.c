// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "env.h"
#include "names.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static int world_ready;

int env_world(struct xdp_env *e, const char **why)
{
	static const char *const cmds[] = {
		"ip link add tfnic0 numrxqueues 4 numtxqueues 4 type veth "
		"peer name tfnic0p numrxqueues 4 numtxqueues 4",
		"ip link add tfnic1 type veth peer name tfnic1p",
		"ip link add tfveth0 type veth peer name tfveth0p",
		"for d in tfnic0 tfnic0p tfnic1 tfnic1p tfveth0 tfveth0p; do "
		"ip link set $d up || exit 1; done",
	};

	if (!world_ready) {
		if (geteuid() != 0) {
			*why = "needs root (BPF_PROG_RUN, netns)";
			return -EPERM;
		}
		if (unshare(CLONE_NEWNET)) {
			*why = "unshare(CLONE_NEWNET) failed";
			return -errno;
		}
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			if (system(cmds[i])) {
				*why = "creating veth devices failed";
				return -EIO;
			}
		}
		world_ready = 1;
	}
	e->if_nic = (int)if_nametoindex("tfnic0");
	e->if_nic2 = (int)if_nametoindex("tfnic1");
	e->if_veth = (int)if_nametoindex("tfveth0");
	e->if_veth2 = (int)if_nametoindex("tfveth0p");
	return 0;
}

static void unpin(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
}

/* The maps of bpf/shared.maps.h are one map in production, whichever
 * program is loaded first (they are pinned by the same name): so here, to
 * a program loaded after the one that created them. */
static int share(struct bpf_object *from, struct bpf_object *to)
{
	struct bpf_map *map, *same;

	bpf_object__for_each_map(map, to) {
		if (bpf_map__is_internal(map))
			continue;
		same = bpf_object__find_map_by_name(from, bpf_map__name(map));
		if (same && bpf_map__reuse_fd(map, bpf_map__fd(same)))
			return -1;
	}
	return 0;
}

int env_load(struct xdp_env *e)
{
	e->ni = nic_ingress__open();
	e->eg = tenant_egress__open();
	e->rx = tenant_rx__open();
	if (!e->ni || !e->eg || !e->rx)
		goto err;
	e->ni->rodata->tn_pcache_off = e->pcache_off ? 1 : 0;
	unpin(e->ni->obj);
	unpin(e->eg->obj);
	unpin(e->rx->obj);
	if (nic_ingress__load(e->ni) || share(e->ni->obj, e->eg->obj) ||
	    tenant_egress__load(e->eg) || tenant_rx__load(e->rx))
		goto err;
	return 0;
err:
	env_unload(e);
	return -EINVAL;
}

void env_unload(struct xdp_env *e)
{
	nic_ingress__destroy(e->ni);
	tenant_egress__destroy(e->eg);
	tenant_rx__destroy(e->rx);
	e->ni = NULL;
	e->eg = NULL;
	e->rx = NULL;
}

int env_run(int prog_fd, int ifindex, uint32_t rxq, const struct frame *in,
	    struct frame *out, uint32_t *verdict, uint32_t repeat,
	    uint32_t *duration_ns)
{
	struct xdp_md ctx = {
		.data_end = (uint32_t)in->len,
		.ingress_ifindex = (uint32_t)ifindex,
		.rx_queue_index = rxq,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->b,
		    .data_size_in = (uint32_t)in->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err;

	if (out) {
		fr_init(out);
		opts.data_out = out->b;
		opts.data_size_out = sizeof(out->b);
	}
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	if (out)
		out->len = opts.data_size_out;
	*verdict = opts.retval;
	if (duration_ns)
		*duration_ns = opts.duration;
	return 0;
}

#define XSK_FRAMES 64
#define XSK_FRAME_SIZE 2048

int env_xsk(int ifindex, uint32_t queue)
{
	static void *area;
	struct xdp_umem_reg reg = { .len = XSK_FRAMES * XSK_FRAME_SIZE,
				    .chunk_size = XSK_FRAME_SIZE };
	struct sockaddr_xdp sxdp = { .sxdp_family = AF_XDP,
				     .sxdp_ifindex = (uint32_t)ifindex,
				     .sxdp_queue_id = queue,
				     .sxdp_flags = XDP_COPY };
	int n = XSK_FRAMES, fd, err;

	if (!area) {
		area = mmap(NULL, reg.len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED) {
			area = NULL;
			return -ENOMEM;
		}
	}
	reg.addr = (uint64_t)(uintptr_t)area;
	fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n)) ||
	    bind(fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int env_prog_fd(const struct xdp_env *e, enum env_prog p)
{
	switch (p) {
	case P_NIC:
		return bpf_program__fd(e->ni->progs.nic_ingress);
	case P_EGRESS:
		return bpf_program__fd(e->eg->progs.tenant_egress);
	default:
		return bpf_program__fd(e->rx->progs.tenant_rx);
	}
}

int env_stats_fd(const struct xdp_env *e, enum env_smap m)
{
	switch (m) {
	case S_NIC:
		return bpf_map__fd(e->ni->maps.tn_nic_stats);
	case S_PORT:
		return bpf_map__fd(e->ni->maps.tn_port_stats);
	case S_EGRESS:
		return bpf_map__fd(e->eg->maps.tn_egress_stats);
	default:
		return bpf_map__fd(e->rx->maps.tn_rx_stats);
	}
}

void env_print_stats(const char *title, const struct tn_stats *s)
{
	fprintf(stderr,
		"%s: rx %llu/%llu tx %llu/%llu pass %llu/%llu nosock %llu "
		"direct %llu offqueue %llu fast %llu/%llu drops",
		title, s->rx_packets, s->rx_bytes, s->tx_packets, s->tx_bytes,
		s->pass_packets, s->pass_bytes, s->nosock_packets,
		s->direct_packets, s->offqueue_packets, s->fast_packets,
		s->fast_bytes);
	for (int i = 0; i < TN_DROP__MAX; i++)
		fprintf(stderr, " %s=%llu", tn_drop_names[i],
			s->drop_packets[i]);
	fputc('\n', stderr);
}
