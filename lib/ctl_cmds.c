// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's grammar (ctl_cmds.h): the keys once, then the
 * commands, each listing the keys it takes. The request a command line
 * makes carries every value as typed; lists (prefix, access-addr,
 * uplink-addr) as arrays of strings.
 */
#include <string.h>

#include <tenet/capture.h>
#include <tenet/ctl.h>

#include "ctl_cmds.h"
#include "dp.h"
#include "names.h"
#include "validate.h"

#define KEY(k, ...) [TN_K_##k] = { __VA_ARGS__ }

static const struct tn_gkey keys[TN_K__MAX] = {
	KEY(NAME, .name = "name", .type = TN_G_NAME, .meta = "NAME",
	    .help = "the tenant: 1 to 32 of a-z 0-9 _ . - starting with a"
		    " letter or digit"),
	KEY(IFNAME, .name = "ifname", .type = TN_G_IFNAME, .meta = "IFNAME",
	    .help = "the NIC, an interface of the host"),
	KEY(ROLE, .name = "role", .type = TN_G_ENUM, .words = tn_role_names,
	    .help = "access: tenants' customers come in on it; uplink:"
		    " their traffic goes out on it"),
	KEY(XDP_MODE, .name = "xdp-mode", .type = TN_G_ENUM,
	    .words = tn_xdp_mode_names,
	    .help = "the XDP mode asked for (nic list shows the one in use)"),
	KEY(DEFAULT, .name = "default", .type = TN_G_ENUM,
	    .words = tn_default_names,
	    .help = "what becomes of frames of no tenant: to the host, or"
		    " dropped"),
	KEY(ACCESS, .name = "access", .type = TN_G_IFNAME, .meta = "IFNAME",
	    .help = "the access NIC its customers' frames come in on"),
	KEY(VLAN, .name = "vlan", .type = TN_G_VLAN, .meta = "VID",
	    .help = "its customers' 802.1Q VLAN ID there, 1 to 4094"),
	KEY(INNER_VLAN, .name = "inner-vlan", .type = TN_G_VLAN, .meta = "VID",
	    .help = "the inner tag of QinQ under vlan"),
	KEY(UPLINK, .name = "uplink", .type = TN_G_IFNAME, .meta = "IFNAME",
	    .help = "the uplink NIC its traffic leaves by"),
	KEY(UPLINK_VLAN, .name = "uplink-vlan", .type = TN_G_VLAN,
	    .meta = "VID", .help = "its VLAN there; none: untagged"),
	KEY(UPLINK_MAC, .name = "uplink-mac", .type = TN_G_MAC, .meta = "MAC",
	    .help = "its MAC there (default: 02:74:6e and the tenant's id)"),
	KEY(PREFIX, .name = "prefix", .type = TN_G_PREFIX, .meta = "CIDR",
	    .flags = TN_GK_LIST,
	    .help = "its own prefixes, routed to it from the uplink, host"
		    " bits zero (198.51.100.0/24)"),
	KEY(ACCESS_ADDR, .name = "access-addr", .type = TN_G_ADDR,
	    .meta = "CIDR", .flags = TN_GK_LIST,
	    .help = "the router's addresses on the access side, with their"
		    " length (10.0.0.1/24 fd00::1/64)"),
	KEY(UPLINK_ADDR, .name = "uplink-addr", .type = TN_G_ADDR,
	    .meta = "CIDR", .flags = TN_GK_LIST,
	    .help = "the router's addresses on the uplink side"),
	KEY(GATEWAY, .name = "gateway", .type = TN_G_IP, .meta = "IP",
	    .help = "the next hop of its default route, on the uplink"),
	KEY(MODE, .name = "mode", .type = TN_G_ENUM,
	    .words = tn_tenant_mode_names,
	    .help = "veth: frames reach the router through a veth pair;"
		    " direct: the tenant also owns a queue of each NIC, which"
		    " its router reads straight (the NIC must steer the"
		    " tenant's frames there; tenant show names the queue)"),
	KEY(CPU, .name = "cpu", .type = TN_G_CPU, .meta = "CORES",
	    .flags = TN_GK_UNLIMITED,
	    .help = "CPU time in cores, up to the host's: 0.5, 2"),
	KEY(CPUSET, .name = "cpuset", .type = TN_G_CPUSET, .meta = "LIST",
	    .help = "the CPUs it may run on: 0-1,3; any unless given"),
	KEY(MEMORY, .name = "memory", .type = TN_G_SIZE, .meta = "SIZE",
	    .min = TN_MEMORY_MIN, .max = TN_V_SIZE_MAX,
	    .flags = TN_GK_UNLIMITED,
	    .help = "bytes, with K, M or G binary (1K = 1024), 32M to 1024G"),
	KEY(PIDS, .name = "pids", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = TN_V_PIDS_MAX, .flags = TN_GK_UNLIMITED,
	    .help = "tasks (processes and threads) at most"),
	KEY(RATE, .name = "rate", .type = TN_G_RATE, .meta = "BITS",
	    .flags = TN_GK_UNLIMITED,
	    .help = "bits/s each NIC may send it, with k, M or G decimal"
		    " (1k = 1000), 1000 to 400G: 100M; none unless given"),
	KEY(PPS, .name = "pps", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = TN_V_PPS_MAX, .flags = TN_GK_UNLIMITED,
	    .help = "packets/s each NIC may send it; none unless given"),
	KEY(BURST, .name = "burst", .type = TN_G_BURST, .meta = "SIZE|TIME",
	    .min = TN_BURST_MIN, .max = TN_BURST_MAX_NS, .flags = TN_GK_DEFAULT,
	    .help = "how far rate and pps may be exceeded at once: bytes"
		    " (2M, binary; kept when the rate changes) or a time at"
		    " the rate (50ms; follows the rate), from 10 full frames"
		    " (15140 bytes) to 1s at the rate; needs a rate (a time:"
		    " a rate or pps). Default: 50ms at the rate, at least"
		    " 15140 bytes (below 121k of rate, more than 1s);"
		    " \"default\" goes back to it"),
	KEY(SHAPE, .name = "shape", .type = TN_G_ENUM, .words = tn_onoff_names,
	    .help = "on: the tenant's router queues what exceeds rate and pps"
		    " and sends it as they allow (CoDel keeps the queue short),"
		    " the policers behind it catching only what it does not"
		    " shape; off: the policers alone, dropping what exceeds"
		    " the burst"),
	KEY(CIDR, .name = "cidr", .type = TN_G_PREFIX, .meta = "CIDR",
	    .help = "the route's destination, host bits zero: 203.0.113.0/24"),
	KEY(VIA, .name = "via", .type = TN_G_IP, .meta = "IP",
	    .help = "the next hop, on one of the router's subnets"),
	KEY(SOURCE, .name = "source", .type = TN_G_PREFIX, .meta = "CIDR",
	    .flags = TN_GK_LIST,
	    .help = "more sources it may send from out its uplink, beside its"
		    " own addresses, its access subnets, its prefixes and its"
		    " routes (customer networks it transits)"),
	KEY(SOURCE_CHECK, .name = "source-check", .type = TN_G_ENUM,
	    .words = tn_onoff_names,
	    .help = "on: what it sends out a NIC must come from its own MAC,"
		    " claim only its own addresses in ARP and ND, and (uplink)"
		    " come from its sources, or is dropped as spoofed; off: for"
		    " a tenant that transits others' traffic"),
	KEY(FASTPATH, .name = "fastpath", .type = TN_G_ENUM,
	    .words = tn_onoff_names,
	    .help = "on: the NICs' XDP forwards by the destinations the"
		    " tenant's router has put in its fast table, the router"
		    " seeing the first frames and every exception; off: the"
		    " router sees every frame. A tenant whose router shapes"
		    " (rate or pps with shape on) takes the router's way"),
	KEY(ZEROCOPY, .name = "zerocopy", .type = TN_G_ENUM,
	    .words = tn_onoff_names,
	    .help = "on: direct tenants' sockets on its queues bind zero-copy"
		    " where the driver can. Such a socket's memory receives"
		    " every frame its queue does, so its tenant can read them"
		    " all: only where the NIC steers nothing but that tenant's"
		    " frames to its queue (or carries no other tenant). off:"
		    " copy mode, each tenant sees only its own frames"),
	KEY(FILE, .name = "file", .type = TN_G_PATH, .meta = "FILE",
	    .max = 4096,
	    .help = "the tenants wanted, as tenetctl -j tenant list prints"
		    " them; - reads standard input"),
	KEY(PRUNE, .name = "--prune", .type = TN_G_FLAG,
	    .help = "also remove the tenants FILE does not name (without it"
		    " they are kept, and said so)"),
	KEY(DRY_RUN, .name = "--dry-run", .type = TN_G_FLAG,
	    .help = "print the plan, a line per tenant to add, change, remove"
		    " or keep, and change nothing"),
	KEY(PORT, .name = "port", .type = TN_G_ENUM, .words = tn_role_names,
	    .help = "the tenant's port whose frames to take, both ways: access"
		    " or uplink; both unless given"),
	KEY(COUNT, .name = "count", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = 1000000000,
	    .help = "stop after N frames (default: on Ctrl-C or duration)"),
	KEY(DURATION, .name = "duration", .type = TN_G_COUNT, .meta = "SECONDS",
	    .min = 1, .max = 86400,
	    .help = "stop after this many seconds (at most a day)"),
	KEY(WRITE, .name = "write", .type = TN_G_PATH, .meta = "FILE",
	    .max = 4096,
	    .help = "write the frames to FILE in pcap format (tcpdump -r,"
		    " tshark -r read it; - is standard output) instead of a"
		    " line per frame"),
	KEY(CAP, .name = "cap", .type = TN_G_COUNT, .meta = "N", .min = 1,
	    .max = TN_CAP_RATE_MAX,
	    .help = "frames a second copied at most, the bound on what the"
		    " capture costs the data path (default 1000; the rest"
		    " are counted as over the cap)"),
	KEY(SNAPLEN, .name = "snaplen", .type = TN_G_COUNT, .meta = "BYTES",
	    .min = 14, .max = TN_CAP_SNAP_MAX,
	    .help = "bytes of each frame kept (default 2048)"),
};

#define CMD(c, ...) [TN_C_##c] = { __VA_ARGS__ }

static const struct tn_gcmd cmds[TN_C__MAX] = {
	CMD(STATUS, .obj = "status",
	    .summary = "tenetd's version, pid, uptime_s, state_dir, run_dir,"
		       " bpffs, lxc_path, nics and tenants, the router build"
		       " containers get and the routers upgraded to it since"
		       " tenetd started, one \"key value\" a line."),
	CMD(NIC_ATTACH, .obj = "nic", .verb = "attach",
	    .args = "<ifname> role! xdp-mode=native default=pass zerocopy=off",
	    .summary = "Puts the data path on a NIC, turns its rx-vlan offload"
		       " off, and prints it as nic list does."),
	CMD(NIC_DETACH, .obj = "nic", .verb = "detach", .args = "<ifname>",
	    .summary = "Takes the data path off a NIC and forgets it."),
	CMD(NIC_LIST, .obj = "nic", .verb = "list",
	    .summary = "A line per NIC, then its counters: rx, delivered (to"
		       " tenants), passed (to the host), drops by reason;"
		       " \"detached\" ends the line of a NIC whose program is"
		       " gone:",
	    .help = "eth1 nic 1 role access default pass xdp native (native in"
		    " use) rxvlan-offload off\n"
		    "  rx 12 pkts 1234 bytes  delivered 9 pkts 900 bytes "
		    " passed 3 pkts  drops ..."),
	/* A tenant added without a limit gets 1 CPU, 256M and 256 tasks:
	 * enough for its router (UMEM, FIB of a full table), a routing daemon
	 * and a shell, not enough for container root to take the host's
	 * memory, processes or CPUs. */
	CMD(TENANT_ADD, .obj = "tenant", .verb = "add",
	    .args = "<name> access! vlan! inner-vlan uplink! uplink-vlan uplink-mac prefix+"
		    " access-addr! uplink-addr! gateway mode=veth cpu=1 cpuset"
		    " memory=256M pids=256 rate pps burst shape=on source+"
		    " source-check=on fastpath=on",
	    .summary = "Makes tenant NAME and starts its router in a container"
		       " of its own, in a user namespace of its own (its root"
		       " has no capability on the host; tenant show: uids)."
		       " Keys in any order; a list takes every word up to the"
		       " next key. \"unlimited\" lifts a limit. Prints the"
		       " tenant as tenant show does."),
	CMD(TENANT_DEL, .obj = "tenant", .verb = "del", .args = "<name>",
	    .summary = "Stops tenant NAME's router and removes the tenant:"
		       " container, veths, VLANs, prefixes and routes."),
	CMD(TENANT_LIST, .obj = "tenant", .verb = "list",
	    .summary = "Every tenant as tenant show prints it, without"
		       " routes."),
	CMD(TENANT_SHOW, .obj = "tenant", .verb = "show", .args = "<name>",
	    .summary = "Tenant NAME: its state, its two sides, the limits in"
		       " force (0 or \"\" in JSON: none), its container, router"
		       " and routes:",
	    .help = "acme id 1 state ready mode veth created"
		    " 2025-11-23T06:40:00Z\n"
		    "  access eth1 vlan 100 veth tn1a addrs 10.0.0.1/24\n"
		    "  uplink eth2 untagged mac 02:74:6e:00:00:01 veth tn1u"
		    " addrs ...\n"
		    "  limits cpu 0.5 cpuset any memory 256M pids 512 rate"
		    " 100Mbit pps unlimited burst 625000 bytes (default)\n"
		    "  source-check on sources 203.0.113.0/24\n"
		    "  fastpath on entries 12/8192 hit-ratio 0.981\n"
		    "  container acme RUNNING pid 1234 restarts 0 uids"
		    " 1879113728+65536\n"
		    "  route 203.0.113.0/24 via 10.0.0.2"),
	CMD(TENANT_STATS, .obj = "tenant", .verb = "stats", .args = "[<name>]",
	    .summary = "Counters of every tenant, or of NAME: each port"
		       " (access, uplink) at the classifier on the NICs (fast:"
		       " forwarded there by the tenant's fast table) and at"
		       " the egress back to them, as nic list prints them; the"
		       " router's interfaces, with the XSK mode requested and"
		       " in use, and its own counters; its limits; what they"
		       " dropped or delayed each way (limited to-upstream:"
		       " policed in at the access port, shaped by the router"
		       " out uplink0, policed out at the uplink port;"
		       " to-customer the other way); usage (cpu time, memory,"
		       " tasks)."),
	CMD(TENANT_SET, .obj = "tenant", .verb = "set",
	    .args = "<name> rate pps burst shape cpu cpuset memory pids"
		    " source-check fastpath",
	    .flags = TN_GC_NEEDS_KEY,
	    .summary =
		    "Changes tenant NAME's limits, cpuset, source-check and"
		    " fastpath while it runs, in tenant add's units; at least"
		    " one key. Prints the tenant."),
	CMD(ROUTE_ADD, .obj = "route", .verb = "add",
	    .args = "<name> <cidr> via!",
	    .summary = "Adds a route to tenant NAME's router: CIDR through"
		       " the next hop IP."),
	CMD(ROUTE_DEL, .obj = "route", .verb = "del",
	    .args = "<name> <cidr> via!", .summary = "Removes that route."),
	CMD(ROUTE_LIST, .obj = "route", .verb = "list", .args = "<name>",
	    .summary = "Tenant NAME's routes, one \"CIDR via IP\" a line."),
	CMD(APPLY, .obj = "apply", .args = "<file> --prune --dry-run",
	    .flags = TN_GC_LOCAL,
	    .summary =
		    "Makes the host's tenants what FILE says, FILE being what"
		    " tenetctl -j tenant list prints (read-only fields such as"
		    " id, state, container and router are ignored; a field"
		    " left out is tenant add's default). FILE is checked whole"
		    " first, against the grammar of tenant add and for clashes"
		    " between its tenants (VLANs, uplink MACs, prefixes); a"
		    " fault refuses all of it (exit 2). Then tenetctl compares"
		    " it with tenant list: a tenant not on the host is added, one"
		    " whose limits, cpuset, source-check or fastpath differ is"
		    " changed live with one tenant set, one FILE does not name"
		    " is kept unless --prune. A change tenant set cannot make"
		    " (NICs, VLANs, addresses, prefixes, mode...) fails that"
		    " tenant alone, naming the field. Each tenant is a request"
		    " of its own; one failing does not stop the others. A line"
		    " per tenant as it goes (on a terminal one line, rewritten),"
		    " then the counts; -j: one JSON object with each tenant's"
		    " result and the counts. Exit status 1 if a tenant failed:",
	    .help = "apply: 1/3 del old: ok (0.52 s)\n"
		    "apply: 2/3 set beta (rate 100M -> 200M): ok (0.05 s)\n"
		    "apply: 3/3 add gamma: ok (0.71 s)\n"
		    "apply: 1 added, 1 changed, 1 removed, 5 unchanged, 0"
		    " failed"),
	CMD(CAPTURE, .obj = "capture",
	    .args = "<name> port count duration write cap snaplen",
	    .summary =
		    "Copies tenant NAME's frames, as they cross its ports on"
		    " the NICs (in: as they came in, tagged; out: as they"
		    " leave), from XDP into a ring buffer of that capture's"
		    " own: only that tenant's frames, ever. Without write, a"
		    " line per frame as tcpdump -n prints it; with write, a"
		    " pcap file. At most cap frames a second are copied. Ends"
		    " on count, duration, Ctrl-C, or the tenant's removal,"
		    " then says on stderr what was taken, what the cap left"
		    " out and what was lost (the reader too slow). One"
		    " capture per tenant at a time:",
	    .help = "12:00:01.000123 access in vlan 100 IP 10.0.0.2 >"
		    " 10.0.1.2: ICMP echo request, id 7, seq 1, length 64\n"
		    "capture: 2 frames (0 over the cap, 0 lost)"),
};

static const struct tn_gopt opts[] = {
	{ "-j", "--json", NULL,
	  "print the reply's data as JSON, exactly\n"
	  "(tenetctl -j nic list | jq .nics[0].nic_id)",
	  'j' },
	{ "-s", "--socket", "PATH",
	  "tenetd's control socket (default /run/tenet/" TN_CTL_SOCK ")", 's' },
	{ "-t", "--timeout", "SECONDS",
	  "how long to wait for tenetd's reply (default 30, at most 3600;\n"
	  "a tenant's bring-up on a slow or emulated host can take longer)",
	  't' },
	{ "-h", "--help", NULL,
	  "this help; tenetctl OBJECT --help: one object's", 'h' },
	{},
};

const struct tn_grammar tn_ctl_grammar = {
	.prog = "tenetctl",
	.summary = "the operator's command line for tenetd, tenet's host agent",
	.opts = opts,
	.notes = "Keywords are exact, no abbreviations. Every argument is"
		 " checked before anything is sent. Exit status: 0 done, 1"
		 " tenetd refused (its reason on stderr) or could not be"
		 " reached, 2 bad usage or input (one line on stderr, nothing"
		 " sent).",
	.keys = keys,
	.nkeys = TN_K__MAX,
	.cmds = cmds,
	.ncmds = TN_C__MAX,
};

_Static_assert(TN_K__MAX <= TN_G_MAX_KEYS, "too many keys for grammar.h");

int tn_ctl_cmd_find(const char *name)
{
	const struct tn_gcmd *c = tn_g_find(&tn_ctl_grammar, name);

	return c && !(c->flags & TN_GC_LOCAL) ? (int)(c - cmds) : -1;
}
