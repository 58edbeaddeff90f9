#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The three XDP programs attached to veths in throwaway namespaces by tn-dp:
# checked with bpftool (net show, prog show, map dump pinned) and with real
# frames both ways through them.
#
#   netns X (outside)        netns H (host)                 netns C (container)
#   nic0p ---------------- nic0 [nic_ingress]
#                          tn1a [tenant_egress] ----------- acc0 [tenant_rx]
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v bpftool >/dev/null && command -v jq >/dev/null ||
	t_skip_all "bpftool and jq are needed"

DP="$BUILD/tn-dp --bpffs $BPFFS/tenet"
SEND="python3 $TOP/tests/integration/sendframe.py"
ns_add X && ns_add H && ns_add C || { t_fail "create netns"; exit 1; }
# No IPv6 chatter (router solicitations, MLD): the counters count our frames.
for n in X H C; do nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
nsx H ip link add nic0 type veth peer name nic0p netns "$P-X"
nsx H ip link add tn1a type veth peer name acc0 netns "$P-C"
for d in nic0 tn1a; do nsx H ip link set "$d" up; done
nsx X ip link set nic0p up
nsx C ip link set acc0 up
# Frames redirected into a veth are dropped unless its peer runs XDP or GRO.
nsx X ethtool -K nic0p gro on >/dev/null

t_check "tn-dp nic attach nic0 (native)" \
	nsx H $DP nic attach nic0 id 1 role access default pass
t_check "tn-dp tenant 1 on VLAN 100 with port tn1a" \
	sh -c "nsx() { nsenter --net=/run/netns/$P-H \"\$@\"; }
	       nsx $DP tenant add 1 && nsx $DP vlan add nic0 100 tenant 1 &&
	       nsx $DP port set 1 role access tn1a"
t_check "tn-dp egress attach tn1a (VLAN 100 out nic0)" \
	nsx H $DP egress attach tn1a tenant 1 role access nic-id 1 vlan 100
t_check "tn-dp rx attach acc0 in the container netns" \
	nsx C $DP rx attach acc0 tenant 1 slot 0 addr 10.0.0.1

# bpftool net show: which program, in which mode, on which device.
prog_on() { # NETNS DEV -> "name mode"
	local j id mode
	j=$(nsx "$1" bpftool -j net show dev "$2") || return 1
	id=$(jq -r '.[0].xdp[0].id' <<<"$j")
	mode=$(jq -r '.[0].xdp[0].mode' <<<"$j")
	echo "$(bpftool -j prog show id "$id" | jq -r .name) $mode"
}
t_check "bpftool: nic_ingress on nic0, driver mode" \
	test "$(prog_on H nic0)" = "nic_ingress driver"
t_check "bpftool: tenant_egress on tn1a, driver mode" \
	test "$(prog_on H tn1a)" = "tenant_egress driver"
t_check "bpftool: tenant_rx on acc0, driver mode" \
	test "$(prog_on C acc0)" = "tenant_rx driver"

ifx() { nsx "$1" ip -j link show dev "$2" | jq '.[0].ifindex'; }
NIC0=$(ifx H nic0) TN1A=$(ifx H tn1a) ACC0=$(ifx C acc0)
# bpftool's JSON carries the BTF view of each entry under "formatted".
dump() { bpftool -j map dump pinned "$BPFFS/tenet/$1" | jq '[.[].formatted]'; }
t_check "bpftool map dump pinned tn_nics: nic0 is nic 1, access" \
	test "$(dump tn_nics | jq -c ".[] | select(.key == $NIC0) | .value")" = \
	'{"nic_id":1,"role":0,"default_action":0,"flags":0}'
t_check "bpftool map dump pinned tn_vlan: (nic0, 100) -> tenant 1" \
	test "$(dump tn_vlan | jq -c '.[] | .key.vid, .value' | tr '\n' ' ')" = "100 1 "
t_check "bpftool map dump pinned tn_egress: tn1a -> port 2, nic 1, VLAN 100" \
	test "$(dump tn_egress | jq -c ".[] | select(.key == $TN1A) | [.value.port, .value.nic_id, .value.vid]")" = "[2,1,100]"
t_check "bpftool map dump pinned tenants/1/tn_rx_ifs: acc0 -> slot 0" \
	test "$(dump tenants/1/tn_rx_ifs | jq -c ".[] | select(.key == $ACC0) | .value")" = 0
t_check "bpftool map dump pinned tenants/1/tn_rx_addrs: 10.0.0.1" \
	test "$(dump tenants/1/tn_rx_addrs | jq -c '.[0].key.addr[0:4]')" = "[10,0,0,1]"

nsx H $DP prefix add nic0 198.51.100.0/24 tenant 1
t_check "tn-dp prefix add: tn_lpm4 has (nic0, 198.51.100.0/24) -> 1" \
	test "$(dump tn_lpm4 | jq -c '.[0] | [.key.prefixlen, .key.addr, .value]')" = "[56,[198,51,100,0],1]"
t_check "tn-dp prefix add: tn_lpm_gen bumped to 1" \
	test "$(dump tn_lpm_gen | jq -c '.[0].value')" = 1

# Per-CPU counters, summed: stat MAP KEY FIELD [DROP-INDEX]
stat() {
	local sel=".value.$3"
	[ $# -eq 4 ] && sel=".value.drop_packets[$4]"
	bpftool -j map lookup pinned "$BPFFS/tenet/$1" key $(printf '%d 0 0 0' "$2") |
		jq "[.formatted.values[] | $sel] | add"
}

# In: 5 frames tagged 100 from outside reach the container side untagged.
nsx X $SEND nic0p 02:00:00:00:00:0b 02:00:00:00:00:0a --vlan 100 \
	--ipv4 10.0.0.2 203.0.113.1 --count 5
sleep 0.2
t_check "in: 5 frames delivered to tenant 1's access port (tn_port_stats)" \
	test "$(stat tn_port_stats 2 tx_packets)" = 5
t_check "in: tenant_rx saw them, no XSK yet -> passed and counted" \
	test "$(stat tenants/1/tn_rx_stats 0 nosock_packets)" = 5

# Out: untagged from the container leaves nic0 tagged 100.
nsx_bg X timeout 10 tcpdump -i nic0p -nn -e -c 3 'vlan 100 and udp port 5000' \
	>"$T_DIR/cap" 2>/dev/null
cap=$BG
sleep 1
nsx C $SEND acc0 02:00:00:00:00:0c 02:00:00:00:00:0b \
	--ipv4 10.0.0.1 198.51.100.1 --count 3
wait "$cap"
t_check "out: 3 frames from the container left nic0 with VLAN 100 (tcpdump)" \
	test "$(grep -c 'vlan 100' "$T_DIR/cap")" = 3
t_check "out: tn_egress_stats counts 3 delivered" \
	test "$(stat tn_egress_stats 2 tx_packets)" = 3

# A tenant cannot hop VLANs: its tagged frames are dropped and counted.
nsx C $SEND acc0 02:00:00:00:00:0c 02:00:00:00:00:0b --vlan 200 \
	--ipv4 10.0.0.1 198.51.100.1 --count 2
sleep 0.2
t_check "out: 2 frames with a smuggled tag dropped (vlan_smuggled)" \
	test "$(stat tn_egress_stats 2 x 4)" = 2 # TN_DROP_VLAN_SMUGGLED

t_check "tn-dp nic detach nic0 leaves no XDP program" \
	sh -c "nsenter --net=/run/netns/$P-H $DP nic detach nic0 &&
	       test \"\$(nsenter --net=/run/netns/$P-H bpftool -j net show dev nic0 | jq '.[0].xdp | length')\" = 0"
t_done
