// SPDX-License-Identifier: GPL-2.0
/* The words of tenet's enums: see names.h. */
#include <stddef.h>

#include "names.h"

const char *const tn_drop_names[TN_DROP__MAX] = {
	[TN_DROP_MALFORMED] = "malformed",
	[TN_DROP_NO_TENANT] = "no_tenant",
	[TN_DROP_POLICED] = "policed",
	[TN_DROP_NO_SLOT] = "no_slot",
	[TN_DROP_VLAN_SMUGGLED] = "vlan_smuggled",
	[TN_DROP_NO_CONFIG] = "no_config",
	[TN_DROP_SPOOFED] = "spoofed",
	[TN_DROP_RESERVED] = "reserved",
};

const char *const tn_role_names[] = {
	[TN_ROLE_ACCESS] = "access",
	[TN_ROLE_UPLINK] = "uplink",
	NULL,
};

const char *const tn_default_names[] = {
	[TN_DEFAULT_PASS] = "pass",
	[TN_DEFAULT_DROP] = "drop",
	NULL,
};

/* The order of enum tn_xdp_mode and enum tn_tenant_mode (agent/records.h). */
const char *const tn_xdp_mode_names[] = { "native", "generic", NULL };
const char *const tn_tenant_mode_names[] = { "veth", "direct", NULL };
const char *const tn_onoff_names[] = { "off", "on", NULL };
