#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real control plane: BIRD in acme's container peers over BGP with a BIRD
# in the upstream netns (topo_isp); the route it learns lands in the
# container's kernel FIB, tenet-router mirrors it and forwards on it, and
# withdrawing it upstream stops the forwarding within seconds.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq bird birdc lxc-create

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")

topo_isp || { t_fail "topology"; exit 1; }
# The prefix BGP will carry: behind the upstream, nowhere else.
nsx U ip addr add 203.0.113.1/32 dev lo
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }

ctl nic attach nic0 role access >/dev/null && ctl nic attach nic1 role uplink default drop >/dev/null
# No gateway: the only way out is what BGP brings.
t_check "tenant add acme, no default route" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30
t_check "its router took its sockets" \
	until_ok 50 sh -c "[ \"\$(nsenter --net=/run/netns/$P-H $TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock -j tenant show acme | jq .router.connected)\" = true ]"
CPID=$(ctl -j tenant show acme | jq .container.pid)
cns() { nsenter --net="/proc/$CPID/ns/net" "$@"; }
rstat() { ctl -j tenant stats acme | jq "[.tenants[0].router.ifaces[].counters.$1] | add"; }

# Upstream: announces 203.0.113.0/24 to the tenant.
cat >"$T_DIR/bird-u.conf" <<'EOF'
router id 192.0.2.1;
protocol device {}
protocol static announce { ipv4; route 203.0.113.0/24 unreachable; }
protocol bgp acme {
	local 192.0.2.1 as 65000;
	neighbor 192.0.2.2 as 65001;
	ipv4 { import none; export all; };
}
EOF
nsx_bg U bird -f -c "$T_DIR/bird-u.conf" -s "$T_DIR/bird-u.ctl" -P "$T_DIR/bird-u.pid"
# The tenant: learns it, puts it in its kernel's main table.
ROOTFS=$LXCP/acme/rootfs
cat >"$ROOTFS/etc/bird/bird.conf" <<'EOF'
router id 192.0.2.2;
protocol device {}
protocol kernel { ipv4 { export all; }; }
protocol bgp upstream {
	local 192.0.2.2 as 65001;
	neighbor 192.0.2.1 as 65000;
	ipv4 { import all; export none; };
}
EOF
nsx_bg H lxc-attach -P "$LXCP" -n acme -- bird -f -c /etc/bird/bird.conf -s /run/bird.ctl
t_check "BGP session Established" \
	until_ok 150 sh -c "birdc -s $T_DIR/bird-u.ctl show protocols acme | grep -q Established"
t_check "the learned route is in the container's kernel FIB (proto bird)" \
	until_ok 50 sh -c "nsenter --net=/proc/$CPID/ns/net ip -j route show 203.0.113.0/24 | jq -e '.[0].protocol == \"bird\" and .[0].gateway == \"192.0.2.1\"'"
reach() { nsx C1 ping -c 1 -W 1 203.0.113.1; }
t_check "customer 1 reaches 203.0.113.1 through the route BGP brought" until_ok 5 reach
F0=$(rstat forwarded)
t_check "the router forwarded it (its counters)" test "$F0" -gt 0

# Withdraw upstream: the route leaves the tenant's FIB and the router's.
birdc -s "$T_DIR/bird-u.ctl" disable announce >/dev/null
t0=$(date +%s%N)
t_check "withdrawn: gone from the container's kernel FIB" \
	until_ok 100 sh -c "[ -z \"\$(nsenter --net=/proc/$CPID/ns/net ip route show 203.0.113.0/24)\" ]"
t1=$(date +%s%N)
t_check "the customer gets 'network unreachable' from the router (in $(((t1 - t0) / 1000000)) ms)" \
	sh -c "nsenter --net=/run/netns/$P-C1 ping -c 1 -W 1 203.0.113.1 | grep -q 'Unreachable'"
t_check "counted as no_route by the router" test "$(rstat no_route)" -gt 0
birdc -s "$T_DIR/bird-u.ctl" enable announce >/dev/null
t_check "announced again: forwarding resumes" until_ok 100 reach
t_check "tenant del acme" ctl tenant del acme
t_done
