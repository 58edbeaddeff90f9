/* SPDX-License-Identifier: GPL-2.0 */
/* Start-up's sweep of the tenants (reconcile.c). */
#ifndef TENET_AGENT_RECONCILE_H
#define TENET_AGENT_RECONCILE_H

struct tenetd;

/* Removes what no tenant row owns, then makes every recorded tenant
 * whole. */
void tenants_reconcile(struct tenetd *d);

#endif
