/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words tenet reads and prints for its enums, each list once: drop
 * reasons (counters), and the values operators type (lib/ctl_cmds.c's
 * keys) and tenetd prints back. Index = the enum's value; the lists that
 * operators type end with NULL, for tn_v_keyword().
 */
#ifndef TENET_NAMES_H
#define TENET_NAMES_H

#include <tenet/dp.h>

extern const char *const tn_drop_names[TN_DROP__MAX];
extern const char *const tn_role_names[]; /* enum tn_role */
extern const char *const tn_default_names[]; /* enum tn_default_action */
extern const char *const tn_xdp_mode_names[]; /* native, generic */
extern const char *const tn_tenant_mode_names[]; /* veth, direct */
extern const char *const tn_onoff_names[]; /* off, on: index is the bool */

#endif
