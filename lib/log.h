/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TENET_LOG_H
#define TENET_LOG_H

#include <stddef.h>

enum tn_log_level {
	TN_LOG_ERR = 0,
	TN_LOG_WARN,
	TN_LOG_INFO,
	TN_LOG_DEBUG,
};

void tn_log_init(const char *prog, enum tn_log_level level);
/* Parses "err", "warn", "info", "debug"; returns -1 for anything else. */
int tn_log_level_parse(const char *s);
/* While set, libbpf's and libxdp's warnings are logged as debug: for calls
 * whose outcome we report ourselves (libxdp probing for its dispatcher
 * warns about "permission" on kernels that refuse freplace). */
void tn_log_libs_quiet(int quiet);
void tn_log(enum tn_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One sentence for a caller's buffer (err may be NULL or n 0: nothing). */
void tn_errbuf(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define tn_err(...) tn_log(TN_LOG_ERR, __VA_ARGS__)
#define tn_warn(...) tn_log(TN_LOG_WARN, __VA_ARGS__)
#define tn_info(...) tn_log(TN_LOG_INFO, __VA_ARGS__)
#define tn_dbg(...) tn_log(TN_LOG_DEBUG, __VA_ARGS__)

#endif
