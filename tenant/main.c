// SPDX-License-Identifier: GPL-2.0
/* tenet-router's command line. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>

#include "burst.h"
#include "dp.h"
#include "log.h"
#include "parse.h"
#include "validate.h"
#include "rtsetup.h"

static volatile sig_atomic_t stop, want_stats;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_stats = 1;
	else
		stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tenet-router --standalone -i IFNAME [-i IFNAME]... [options]\n"
		"       tenet-router --agent SOCKET [options]\n"
		"  --standalone        make the AF_XDP sockets and attach tenant_rx\n"
		"                      (needs CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF)\n"
		"  --agent SOCKET      take the sockets from tenetd (no capability\n"
		"                      needed)\n"
		"  -i, --iface IFNAME  an interface to forward on (standalone)\n"
		"  -q, --queues N      queues per interface, one thread each (1)\n"
		"  --xdp-mode native|generic  tenant_rx attach mode (native)\n"
		"  --umem-frames N     2 KiB frames per queue (%u: 4 MiB)\n"
		"  --ring N            descriptors per ring, power of 2 (%u)\n"
		"  --batch N           frames per RX batch (%u)\n"
		"  --zerocopy | --copy AF_XDP mode: forced (default: zero-copy\n"
		"                      where the driver can, copy otherwise)\n"
		"  --busy-poll         busy-poll instead of poll()\n"
		"  --icmp-rate N       ICMP errors per second at most (100)\n"
		"  --rate BITS         shape what leaves each interface to BITS/s\n"
		"                      (untagged Ethernet bytes; e.g. 100M), until\n"
		"                      tenetd says otherwise\n"
		"  --pps N             and to N packets/s\n"
		"  --burst BYTES       the depth of the policers behind us (the\n"
		"                      shaper keeps to half of it; default 50 ms\n"
		"                      of the rate)\n"
		"  --stats-file PATH   keep counters in PATH (struct tn_rstats_file)\n"
		"  --stats-interval S  print counters every S seconds (and on SIGUSR1)\n"
		"  -j, --json          print counters as JSON, one document a dump\n"
		"  --log-level err|warn|info|debug\n",
		TN_XSK_DEFAULT_FRAMES, TN_XSK_RING, RT_BATCH_DEFAULT);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "standalone", no_argument, NULL, 's' },
		{ "agent", required_argument, NULL, 'a' },
		{ "iface", required_argument, NULL, 'i' },
		{ "queues", required_argument, NULL, 'q' },
		{ "xdp-mode", required_argument, NULL, 'x' },
		{ "umem-frames", required_argument, NULL, 'F' },
		{ "ring", required_argument, NULL, 'R' },
		{ "batch", required_argument, NULL, 'b' },
		{ "zerocopy", no_argument, NULL, 'z' },
		{ "copy", no_argument, NULL, 'c' },
		{ "busy-poll", no_argument, NULL, 'B' },
		{ "icmp-rate", required_argument, NULL, 'I' },
		{ "rate", required_argument, NULL, 'r' },
		{ "pps", required_argument, NULL, 'p' },
		{ "burst", required_argument, NULL, 'u' },
		{ "stats-file", required_argument, NULL, 'S' },
		{ "stats-interval", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct rt_config cfg = {
		.o = { .batch = RT_BATCH_DEFAULT,
		       .frames = TN_XSK_DEFAULT_FRAMES,
		       .ring = TN_XSK_RING,
		       .icmp_rate = 100 },
		.queues = 1,
		.xdp_mode = XDP_FLAGS_DRV_MODE,
	};
	int c, level = TN_LOG_INFO;
	uint32_t v;

	while ((c = getopt_long(argc, argv, "i:q:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.standalone = true;
			break;
		case 'a':
			cfg.agent = optarg;
			break;
		case 'i':
			if (cfg.nifs == RT_MAX_IFS) {
				fprintf(stderr,
					"tenet-router: at most %d interfaces\n",
					RT_MAX_IFS);
				return 2;
			}
			cfg.ifnames[cfg.nifs++] = optarg;
			break;
		case 'q':
		case 'F':
		case 'R':
		case 'b':
		case 'I':
		case 'T': {
			static const struct {
				int opt;
				const char *name;
				uint32_t min, max;
			} lim[] = {
				{ 'q', "queues", 1, 16 },
				{ 'F', "umem-frames", 64, 1 << 20 },
				{ 'R', "ring", 64, 16384 },
				{ 'b', "batch", 1, 1024 },
				{ 'I', "icmp-rate", 0, 1000000 },
				{ 'T', "stats-interval", 1, 86400 },
			};
			size_t k = 0;

			while (lim[k].opt != c)
				k++;
			if (tn_parse_u32(optarg, lim[k].min, lim[k].max, &v)) {
				fprintf(stderr,
					"tenet-router: --%s must be %u..%u, not '%s'\n",
					lim[k].name, lim[k].min, lim[k].max,
					optarg);
				return 2;
			}
			if (c == 'q')
				cfg.queues = v;
			else if (c == 'F')
				cfg.o.frames = v;
			else if (c == 'R')
				cfg.o.ring = v;
			else if (c == 'b')
				cfg.o.batch = v;
			else if (c == 'I')
				cfg.o.icmp_rate = v;
			else
				cfg.stats_interval = v;
			break;
		}
		case 'r':
		case 'p':
		case 'u': {
			char why[128];
			int bad = c == 'r' ?
					  tn_v_rate("--rate", optarg, &cfg.rate,
						    why, sizeof(why)) :
				  c == 'p' ? tn_v_count("--pps", optarg, 1,
							UINT32_MAX, &cfg.pps,
							why, sizeof(why)) :
					     tn_v_size("--burst", optarg,
						       &cfg.burst, why,
						       sizeof(why));

			if (bad) {
				fprintf(stderr, "tenet-router: %s\n", why);
				return 2;
			}
			break;
		}
		case 'x':
			if (!strcmp(optarg, "native"))
				cfg.xdp_mode = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "generic"))
				cfg.xdp_mode = XDP_FLAGS_SKB_MODE;
			else {
				fprintf(stderr,
					"tenet-router: --xdp-mode must be native or generic\n");
				return 2;
			}
			break;
		case 'z':
			cfg.o.xsk_mode = TN_XSK_ZEROCOPY;
			break;
		case 'c':
			cfg.o.xsk_mode = TN_XSK_COPY;
			break;
		case 'B':
			cfg.o.busy_poll = true;
			break;
		case 'S':
			cfg.stats_path = optarg;
			break;
		case 'j':
			cfg.json = true;
			break;
		case 'l':
			level = tn_log_level_parse(optarg);
			if (level < 0) {
				fprintf(stderr,
					"tenet-router: --log-level must be err, warn, info or debug\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || cfg.standalone == !!cfg.agent ||
	    (cfg.standalone && !cfg.nifs) || (cfg.agent && cfg.nifs)) {
		usage(stderr);
		return 2;
	}
	if (cfg.o.ring & (cfg.o.ring - 1) || cfg.o.frames < 2 * cfg.o.ring) {
		fprintf(stderr,
			"tenet-router: --ring must be a power of two and "
			"--umem-frames at least twice --ring\n");
		return 2;
	}
	if (cfg.rate || cfg.pps) {
		/* The policers tenetd would make of them (lib/burst.h). */
		const struct tn_rate_limits rl = { cfg.rate, cfg.pps, cfg.burst,
						   0 };
		struct tn_burst b;

		tn_burst_eff(&rl, &b);
		cfg.burst = b.bytes;
		cfg.burst_pkts = b.pkts;
	}
	tn_log_init("tenet-router", (enum tn_log_level)level);
	/* No SA_RESTART: a signal must end a wait for tenetd too. */
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return rt_main(&cfg, &stop, &want_stats) ? 1 : 0;
}
