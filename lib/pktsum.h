/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A frame in one line, as tcpdump -n prints it after the time stamp, its
 * 802.1Q tags first ("vlan 100, IP 10.0.0.2 > 10.0.1.2: ICMP echo
 * request, id 7, seq 1, length 64"): tenetctl capture's lines. Ethernet,
 * 802.1Q/802.1ad, ARP, IPv4 (fragments), IPv6, TCP, UDP, ICMP, ICMPv6;
 * anything else by its number.
 */
#ifndef TENET_LIB_PKTSUM_H
#define TENET_LIB_PKTSUM_H

#include <stddef.h>
#include <stdint.h>

/* The caplen bytes captured of a frame of len bytes, into buf (n bytes,
 * always ended, cut short if need be): buf. Nothing past caplen is read. */
const char *tn_pkt_summary(const uint8_t *p, size_t caplen, size_t len,
			   char *buf, size_t n);

#endif
