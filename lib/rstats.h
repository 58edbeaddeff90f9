/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TENET_RSTATS_H
#define TENET_RSTATS_H

#include <tenet/router_stats.h>

/* tn_rc_names[TN_RC_RX] is "rx", and so on: the JSON and text keys. */
extern const char *const tn_rc_names[TN_RC__MAX];

#endif
