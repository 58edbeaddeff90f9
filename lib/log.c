// SPDX-License-Identifier: GPL-2.0
/* One logger for every binary; libbpf's and libxdp's messages go through it
 * too, so a user sees one stream with one level setting. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static const char *log_prog = "tenet";
static enum tn_log_level log_level = TN_LOG_INFO;
static const char *const level_names[] = { "err", "warn", "info", "debug" };
static int libs_quiet;

void tn_log_libs_quiet(int quiet)
{
	libs_quiet = quiet;
}

static void vlog(enum tn_log_level level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	fprintf(stderr, "%s: ", log_prog);
	if (level != TN_LOG_INFO)
		fprintf(stderr, "%s: ", level_names[level]);
	vfprintf(stderr, fmt, ap);
}

void tn_log(enum tn_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	/* libbpf's warnings are often about features it probes for: debug. */
	vlog(l == LIBBPF_WARN && !libs_quiet ? TN_LOG_WARN : TN_LOG_DEBUG, fmt,
	     ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level l, const char *fmt, va_list ap)
{
	vlog(l == LIBXDP_WARN && !libs_quiet ? TN_LOG_WARN : TN_LOG_DEBUG, fmt,
	     ap);
	return 0;
}

void tn_log_init(const char *prog, enum tn_log_level level)
{
	log_prog = prog;
	log_level = level;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

int tn_log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++)
		if (!strcmp(s, level_names[i]))
			return (int)i;
	return -1;
}

void tn_errbuf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!err || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}
