// SPDX-License-Identifier: GPL-2.0
/* Names of tenet-router's counters, for everyone who prints them. */
#include "rstats.h"

const char *const tn_rc_names[TN_RC__MAX] = {
	[TN_RC_RX] = "rx",
	[TN_RC_TX] = "tx",
	[TN_RC_FORWARDED] = "forwarded",
	[TN_RC_NO_ROUTE] = "no_route",
	[TN_RC_TTL_EXCEEDED] = "ttl_exceeded",
	[TN_RC_TOO_BIG] = "too_big",
	[TN_RC_NEIGH_MISS] = "neigh_miss",
	[TN_RC_NEIGH_DROP] = "neigh_drop",
	[TN_RC_TX_RING_FULL] = "tx_ring_full",
	[TN_RC_MALFORMED] = "malformed",
	[TN_RC_UNREACHABLE] = "unreachable",
	[TN_RC_BLACKHOLE] = "blackhole",
	[TN_RC_NO_IFACE] = "no_iface",
	[TN_RC_ICMP_SENT] = "icmp_sent",
	[TN_RC_ICMP_LIMITED] = "icmp_limited",
	[TN_RC_NO_FRAME] = "no_frame",
	[TN_RC_NOT_OURS] = "not_ours",
	[TN_RC_NEIGH_LIMITED] = "neigh_limited",
	[TN_RC_SHAPED] = "shaped",
	[TN_RC_SHAPED_DROP] = "shaped_drop",
	[TN_RC_XSK_FILL_EMPTY] = "xsk_fill_empty",
	[TN_RC_XSK_RX_RING_FULL] = "xsk_rx_ring_full",
	[TN_RC_XSK_RX_DROPPED] = "xsk_rx_dropped",
	[TN_RC_XSK_INVALID] = "xsk_invalid",
	[TN_RC_FAST] = "fast",
	[TN_RC_FAST_BYTES] = "fast_bytes",
};
