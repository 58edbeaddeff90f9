/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tn-rfc2544 xconnect (tools/rfc2544_xc.c): the benchmark's ceiling, an XDP
 * cross-connect with no router; and what it shares with the rest of the
 * tool (tools/rfc2544.c).
 */
#ifndef TN_RFC2544_XC_H
#define TN_RFC2544_XC_H

/* argv[0] is "xconnect"; returns the exit status (0, 1, or 2: usage). */
int rfc_xconnect(int argc, char **argv);

/* A netns by name (under /run/netns) or path: an fd, or -1 (errno). */
int rfc_ns_open(const char *name);

#endif
