/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a running install is made of, by version: what a tenetd started over
 * an install made by another tenet checks before it touches anything.
 *
 *   TENET_VERSION         the release (debian/changelog's upstream part)
 *   TN_DP_LAYOUT_VERSION  the pinned maps (tenet/maps.h, dp.h, fast.h):
 *                         recorded in the pinned TN_MAP_LAYOUT. 1 is an
 *                         install from before it was recorded. An older
 *                         layout is migrated (maps whose definition changed
 *                         are copied into maps of the new one); a newer one
 *                         is refused.
 *   TN_HO_VERSION         the handoff protocol (lib/handoff.h): a router
 *                         speaking another is refused and, when it was
 *                         installed by an older tenetd, replaced.
 *   TN_RSTATS_VERSION     the router's stats file (tenet/router_stats.h)
 *   TN_STORE_SCHEMA_VERSION  tenetd's database (agent/store.h): migrated
 *                         up step by step, a newer one refused.
 */
#ifndef TENET_VERSION_H
#define TENET_VERSION_H

#define TENET_VERSION "0.17.0"
#define TN_DP_LAYOUT_VERSION 4
#define TN_HO_VERSION 3

/* Made by tenetd: u32 0 -> u64 TN_DP_LAYOUT_VERSION of the maps pinned
 * beside it. */
#define TN_MAP_LAYOUT "tn_layout"

#endif
