// SPDX-License-Identifier: GPL-2.0
/*
 * A frame in one line, the way tcpdump -n prints it (pktsum.h). Every
 * field is read through take(), which refuses what lies past the bytes
 * captured: a cut or lying frame ends its line with "[|what]", as tcpdump
 * does, never a read out of bounds.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pktsum.h"

struct out {
	char *buf;
	size_t n, len;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->len >= o->n)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->len += (size_t)k < o->n - o->len ? (size_t)k :
						      o->n - o->len - 1;
}

struct frame {
	const uint8_t *p;
	size_t caplen;
};

/* len bytes at off, or NULL if they were not all captured. */
static const uint8_t *take(const struct frame *f, size_t off, size_t len)
{
	return off <= f->caplen && len <= f->caplen - off ? f->p + off : NULL;
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned long be32(const uint8_t *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}

static const char *ip4s(const uint8_t *a, char *b)
{
	return inet_ntop(AF_INET, a, b, INET6_ADDRSTRLEN);
}

static const char *ip6s(const uint8_t *a, char *b)
{
	return inet_ntop(AF_INET6, a, b, INET6_ADDRSTRLEN);
}

#define ETH_IP4 0x0800
#define ETH_ARP 0x0806
#define ETH_IP6 0x86dd

static void arp(struct out *o, const struct frame *f, size_t off)
{
	const uint8_t *a = take(f, off, 28);
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN];

	/* Ethernet and IPv4 only: hardware 1, length 6; protocol 0x0800,
	 * length 4. */
	if (!a || be16(a) != 1 || be16(a + 2) != ETH_IP4 || a[4] != 6 ||
	    a[5] != 4) {
		put(o, "ARP, [|arp]");
		return;
	}
	switch (be16(a + 6)) {
	case 1:
		put(o, "ARP, Request who-has %s tell %s, length 28",
		    ip4s(a + 24, t), ip4s(a + 14, s));
		break;
	case 2:
		put(o,
		    "ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x,"
		    " length 28",
		    ip4s(a + 14, s), a[8], a[9], a[10], a[11], a[12], a[13]);
		break;
	default:
		put(o, "ARP, op %u, length 28", be16(a + 6));
	}
}

static void tcp(struct out *o, const struct frame *f, size_t off, size_t len,
		const char *src, const char *dst, char sep)
{
	static const char flag_chars[] = "FSRPAUEW";
	const uint8_t *t = take(f, off, 20);
	size_t hl;
	char flags[12];
	int k = 0;

	if (!t || len < 20) {
		put(o, "%s > %s: [|tcp]", src, dst);
		return;
	}
	hl = (size_t)(t[12] >> 4) * 4;
	/* tcpdump's order: S F R P, then . for ACK; U E W as they are */
	if (t[13] & 0x02)
		flags[k++] = 'S';
	if (t[13] & 0x01)
		flags[k++] = 'F';
	if (t[13] & 0x04)
		flags[k++] = 'R';
	if (t[13] & 0x08)
		flags[k++] = 'P';
	for (int i = 5; i < 8; i++)
		if (t[13] & (1u << i))
			flags[k++] = flag_chars[i];
	if (t[13] & 0x10)
		flags[k++] = '.';
	if (!k)
		flags[k++] = 'n';
	flags[k] = '\0';
	put(o, "%s%c%u > %s%c%u: Flags [%s], seq %lu", src, sep, be16(t), dst,
	    sep, be16(t + 2), flags, be32(t + 4));
	if (t[13] & 0x10)
		put(o, ", ack %lu", be32(t + 8));
	put(o, ", win %u, length %zu", be16(t + 14),
	    hl >= 20 && hl <= len ? len - hl : 0);
}

static void udp(struct out *o, const struct frame *f, size_t off,
		const char *src, const char *dst, char sep)
{
	const uint8_t *u = take(f, off, 8);

	if (!u) {
		put(o, "%s > %s: [|udp]", src, dst);
		return;
	}
	put(o, "%s%c%u > %s%c%u: UDP, length %u", src, sep, be16(u), dst, sep,
	    be16(u + 2), be16(u + 4) >= 8 ? be16(u + 4) - 8 : 0);
}

static void icmp(struct out *o, const struct frame *f, size_t off, size_t len)
{
	const uint8_t *c = take(f, off, 8);

	if (!c) {
		put(o, "ICMP [|icmp]");
		return;
	}
	switch (c[0]) {
	case 0:
	case 8:
		put(o, "ICMP echo %s, id %u, seq %u, length %zu",
		    c[0] ? "request" : "reply", be16(c + 4), be16(c + 6), len);
		return;
	case 3:
		put(o, "ICMP unreachable, code %u, length %zu", c[1], len);
		return;
	case 11:
		put(o, "ICMP time exceeded in-transit, length %zu", len);
		return;
	default:
		put(o, "ICMP type %u, code %u, length %zu", c[0], c[1], len);
	}
}

static void icmp6(struct out *o, const struct frame *f, size_t off, size_t len)
{
	const uint8_t *c = take(f, off, 8), *tgt;
	char t[INET6_ADDRSTRLEN];

	if (!c) {
		put(o, "ICMP6, [|icmp6]");
		return;
	}
	switch (c[0]) {
	case 128:
	case 129:
		put(o, "ICMP6, echo %s, id %u, seq %u, length %zu",
		    c[0] == 128 ? "request" : "reply", be16(c + 4), be16(c + 6),
		    len);
		return;
	case 135:
	case 136:
		tgt = take(f, off + 8, 16);
		put(o, "ICMP6, neighbor %s, ",
		    c[0] == 135 ? "solicitation" : "advertisement");
		if (tgt)
			put(o, "%s %s, length %zu",
			    c[0] == 135 ? "who has" : "tgt is", ip6s(tgt, t),
			    len);
		else
			put(o, "[|icmp6]");
		return;
	case 1:
		put(o, "ICMP6, destination unreachable, code %u, length %zu",
		    c[1], len);
		return;
	case 2:
		put(o, "ICMP6, packet too big, mtu %lu, length %zu",
		    be32(c + 4), len);
		return;
	case 3:
		put(o, "ICMP6, time exceeded in-transit, length %zu", len);
		return;
	}
	put(o, "ICMP6, type %u, code %u, length %zu", c[0], c[1], len);
}

/* The transport of an IP packet: proto, at off, len bytes of it. */
static void l4(struct out *o, const struct frame *f, unsigned int proto,
	       size_t off, size_t len, const char *src, const char *dst,
	       bool v6)
{
	switch (proto) {
	case 6:
		tcp(o, f, off, len, src, dst, '.');
		return;
	case 17:
		udp(o, f, off, src, dst, '.');
		return;
	}
	put(o, "%s > %s: ", src, dst);
	if (proto == 1 && !v6)
		icmp(o, f, off, len);
	else if (proto == 58 && v6)
		icmp6(o, f, off, len);
	else
		put(o, "ip-proto-%u %zu", proto, len);
}

static void ip4(struct out *o, const struct frame *f, size_t off)
{
	const uint8_t *h = take(f, off, 20);
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	size_t hl, tot;
	unsigned int frag;

	if (!h || h[0] >> 4 != 4 || (h[0] & 15) < 5) {
		put(o, "IP [|ip]");
		return;
	}
	hl = (size_t)(h[0] & 15) * 4;
	tot = be16(h + 2);
	if (tot < hl) {
		put(o, "IP %s > %s: bad total length %zu", ip4s(h + 12, s),
		    ip4s(h + 16, d), tot);
		return;
	}
	put(o, "IP ");
	frag = be16(h + 6);
	if (frag & 0x1fff) { /* a later fragment: no transport header */
		put(o, "%s > %s: ip-proto-%u (frag %u:%zu@%u%s)",
		    ip4s(h + 12, s), ip4s(h + 16, d), h[9], be16(h + 4),
		    tot - hl, (frag & 0x1fff) * 8, frag & 0x2000 ? "+" : "");
		return;
	}
	l4(o, f, h[9], off + hl, tot - hl, ip4s(h + 12, s), ip4s(h + 16, d),
	   false);
	if (frag & 0x2000)
		put(o, " (frag %u:%zu@0+)", be16(h + 4), tot - hl);
}

static void ip6(struct out *o, const struct frame *f, size_t off)
{
	const uint8_t *h = take(f, off, 40);
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (!h || h[0] >> 4 != 6) {
		put(o, "IP6 [|ip6]");
		return;
	}
	put(o, "IP6 ");
	l4(o, f, h[6], off + 40, be16(h + 4), ip6s(h + 8, s), ip6s(h + 24, d),
	   true);
}

const char *tn_pkt_summary(const uint8_t *p, size_t caplen, size_t len,
			   char *buf, size_t n)
{
	struct frame f = { p, caplen };
	struct out o = { buf, n, 0 };
	const uint8_t *e = take(&f, 0, 14), *tag;
	size_t off = 12;
	unsigned int type;

	if (!n)
		return buf;
	buf[0] = '\0';
	if (!e) {
		put(&o, "[|ether], length %zu", len);
		return buf;
	}
	type = be16(e + off);
	/* The tags, outer first, as 802.1Q (and QinQ's S-tag) stack them. */
	for (int i = 0;
	     i < 2 && (type == 0x8100 || type == 0x88a8 || type == 0x9100);
	     i++) {
		tag = take(&f, off + 2, 4);
		if (!tag) {
			put(&o, "vlan [|vlan]");
			return buf;
		}
		put(&o, "vlan %u, ", be16(tag) & 0xfff);
		off += 4;
		type = be16(tag + 2);
	}
	off += 2;
	switch (type) {
	case ETH_IP4:
		ip4(&o, &f, off);
		break;
	case ETH_IP6:
		ip6(&o, &f, off);
		break;
	case ETH_ARP:
		arp(&o, &f, off);
		break;
	default:
		put(&o, "ethertype 0x%04x, length %zu", type, len);
	}
	return buf;
}
