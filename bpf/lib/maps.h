/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * How every tenet map is defined. Maps are pinned by name under the bpffs
 * directory the loader gives (LIBBPF_PIN_BY_NAME): the variable's name is
 * the name userspace opens the map by, so TN_PINNED_MAP() takes both and
 * fails the build unless they are the same string. Each program's maps
 * stand in bpf/<program>.maps.h, each with what it holds and who writes it.
 *
 *   TN_PINNED_MAP(tn_vlan, TN_MAP_VLAN, BPF_MAP_TYPE_HASH,
 *                 struct tn_vlan_key, __u32, TN_MAX_VLAN_KEYS, 0);
 *
 * is the usual struct { __uint(type, ...); ... } tn_vlan SEC(".maps"):
 * name, its TN_MAP_* constant, type, key, value, max_entries, map_flags.
 */
#ifndef TN_BPF_MAPS_H
#define TN_BPF_MAPS_H

#include "common.h"

#define TN_PINNED_MAP(_name, _pin, _type, _key, _value, _max, _flags)       \
	struct {                                                            \
		__uint(type, _type);                                        \
		__uint(max_entries, _max);                                  \
		__type(key, _key);                                          \
		__type(value, _value);                                      \
		__uint(map_flags, _flags);                                  \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                        \
	} _name SEC(".maps");                                               \
	_Static_assert(__builtin_strcmp(#_name, _pin) == 0,                 \
		       "map " #_name " would be pinned as " #_name ", but " \
		       "userspace opens " _pin)

/* A pinned array of maps, one slot per tenant id: name, its TN_MAP_*
 * constant, and the struct (a map definition) its inner maps are like. */
#define TN_PINNED_TENANT_MAPS(_name, _pin, _inner)                          \
	struct {                                                            \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                   \
		__uint(max_entries, TN_MAX_TENANTS);                        \
		__type(key, __u32);                                         \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                        \
		__array(values, _inner);                                    \
	} _name SEC(".maps");                                               \
	_Static_assert(__builtin_strcmp(#_name, _pin) == 0,                 \
		       "map " #_name " would be pinned as " #_name ", but " \
		       "userspace opens " _pin)

#endif
