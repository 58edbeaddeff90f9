#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Direct mode (tenetctl tenant add ... mode direct): each tenant owns a
# queue of each NIC and its router reads that queue through an AF_XDP socket
# bound on the NIC itself, no veth on the way. topo_isp with two queues per
# NIC; the switch steers by CPU (lib.sh), so a customer pinned to CPU q
# lands on queue q. Checked: the queues handed out and refused when all are
# taken, what the maps hold (bpftool), traffic straight into each router's
# socket on its queue, transit on a foreign queue taking the veth way
# (counted, still forwarded, never seen by the queue's owner), ARP and ping
# of the router still answered by the container's kernel, a router killed
# and a tenetd killed, tenant del and the queue given out again.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq iperf3 lxc-create taskset bpftool
[ "$(nproc)" -ge 2 ] || t_skip_all "two CPUs are needed to steer two queues"

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
TOPO_QUEUES=2 topo_isp || { t_fail "topology"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
show() { ctl -j tenant show "$1" | jq -r "$2"; }
stats() { ctl -j tenant stats "$1" | jq -r ".tenants[0] | $2"; }
port() { stats "$1" ".classifier.$2.$3"; }
bt() { nsx H bpftool -j map dump pinned "$BPFFS/t/$1" | jq -c '[.[].formatted]'; }
# qowner NIC-ID QUEUE: the tenant id tn_qowner holds there.
qowner() {
	nsx H bpftool -j map lookup pinned "$BPFFS/t/tn_qowner" key \
		$(printf '%d 0 0 0' $(($1 * 64 + $2))) | jq '.formatted.value'
}
# ping from customer N on CPU C: the replies out of COUNT.
pinged() { # N CPU COUNT
	nsx C$1 taskset -c "$2" ping -c "$3" -i 0.05 -W 2 198.51.100.1 |
		grep -c 'bytes from'
}
reach() { # N CPU: ARP on every hop first
	local i
	for i in 1 2 3 4 5; do
		nsx C$1 taskset -c "$2" ping -c 1 -W 1 198.51.100.1 >/dev/null && return 0
	done
	return 1
}
# (fastpath off: the frames under test here are the router's; the fast
# path, which forwards before the direct delivery, is checked at the end)
add() { # NAME VLAN UPLINK-VLAN ADDR GW MORE...
	local n=$1 v=$2 uv=$3 a=$4 g=$5
	shift 5
	ctl tenant add "$n" access nic0 vlan "$v" uplink nic1 uplink-vlan "$uv" \
		access-addr 10.0.0.1/24 uplink-addr "$a" gateway "$g" mode direct \
		fastpath off "$@"
}

# nic0's direct sockets may try zero-copy (veths have none), nic1's are copy.
t_check "nic attach nic0 role access zerocopy on" ctl nic attach nic0 role access zerocopy on
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "nic list: zerocopy on for nic0, off (the default) for nic1" \
	test "$(ctl -j nic list | jq -r '[.nics[].zerocopy] | join(" ")')" = "on off"
t_check "tenant add acme ... mode direct" add acme 100 300 192.0.2.2/30 192.0.2.1 cpuset 0
t_check "tenant add beta ... mode direct" add beta 200 400 192.0.2.6/30 192.0.2.5 cpuset 1
t_check "acme owns queue 0 of both NICs, beta queue 1" \
	test "$(show acme '"\(.mode) \(.access.queue) \(.uplink.queue)"') $(show beta '"\(.access.queue) \(.uplink.queue)"')" = "direct 0 0 1 1"
t_check "tenant show (text) names the queue" \
	sh -c "nsenter --net=/run/netns/$P-H $TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock tenant show acme | grep -q 'access nic0 vlan 100 .*queue 0'"
for t in acme beta; do
	t_check "$t's router took 4 sockets: its veths' and a queue of each NIC" \
		until_is 50 "true 4" eval "show $t '\"\\(.router.connected) \\(.router.sockets)\"'"
done
t_check "its direct sockets are nic0 and nic1 on its queue" \
	test "$(stats acme '[.router.ifaces[] | select(.direct) | "\(.ifname) q\(.queue)"] | join(" ")') $(stats beta '[.router.ifaces[] | select(.direct) | "\(.ifname) q\(.queue)"] | join(" ")')" = "nic0 q0 nic1 q0 nic0 q1 nic1 q1"
t_check "XSK mode reported: copy in use, zero-copy not asked of every socket" \
	test "$(stats acme '"\(.xsk.requested) \(.xsk.in_use)"')" = "copy copy"
modes=$(stats acme '[.router.ifaces[] | "\(.ifname)=\(.xsk_mode)"] | sort | join(",")')
t_check "per socket, as operators read it: veths and nic0 copy (zero-copy requested), nic1 copy ($modes)" \
	test "$modes" = "access0=copy (zero-copy requested),nic0=copy (zero-copy requested),nic1=copy,uplink0=copy (zero-copy requested)"
# What the kernel lists on each NIC (sock_diag), not what routers report.
t_check "nic list: 2 queues each, and no steering a veth can do" \
	test "$(ctl -j nic list | jq -c '[.nics[] | [.queues, .steering]]')" = '[[2,"none"],[2,"none"]]'
xsks=$(ctl -j nic list | jq -c '[.nics[] | .ifname as $n | .direct_sockets[] | [$n, .queue, .tenant, .zerocopy, .tx_ring]]')
t_check "nic list: on each NIC one socket per queue, its tenant's, copy, no TX ring ($xsks)" \
	test "$xsks" = '[["nic0",0,"acme",false,false],["nic0",1,"beta",false,false],["nic1",0,"acme",false,false],["nic1",1,"beta",false,false]]'
xmodes=$(ctl -j nic list | jq -r '[.nics[] | .ifname as $n | .direct_sockets[] | "\($n)=\(.mode)"] | unique | join(",")')
t_check "nic list: its sockets' modes, by what each NIC allows ($xmodes)" \
	test "$xmodes" = "nic0=copy (zero-copy requested),nic1=copy"

# What nic_ingress knows, through bpftool.
AID=$(show acme .id)
BID=$(show beta .id)
N0=$(ctl -j nic list | jq '.nics[] | select(.ifname == "nic0") | .nic_id')
N1=$(ctl -j nic list | jq '.nics[] | select(.ifname == "nic1") | .nic_id')
t_check "tn_qowner: nic0/nic1 queue 0 -> acme, queue 1 -> beta" \
	test "$(qowner "$N0" 0) $(qowner "$N1" 0) $(qowner "$N0" 1) $(qowner "$N1" 1)" = "$AID $AID $BID $BID"
t_check "tn_tenants: both active and direct (flags 3)" \
	test "$(bt tn_tenants | jq -c "[.[] | select(.key == $AID or .key == $BID) | .value.flags]")" = "[3,3]"
t_check "tn_local: each router's 2 addresses and 2 link-local ones, by tenant" \
	test "$(bt tn_local | jq -c '[.[].key.tenant_id] | sort')" = "[$AID,$AID,$AID,$AID,$BID,$BID,$BID,$BID]"

# Steered right: customer 1 on CPU 0 (acme's queue), 2 on CPU 1.
t_check "customer 1 reaches the upstream through acme" reach 1 0
t_check "customer 2 reaches the upstream through beta" reach 2 1
A0=$(direct_rx acme)
PA0=$(port acme access direct_packets)
t_check "customer 1 on acme's queue: 40 of 40 pings answered" test "$(pinged 1 0 40)" = 40
A1=$(direct_rx acme)
PA1=$(port acme access direct_packets)
echo "# acme direct rx (access uplink): $A0 -> $A1; access port direct $PA0 -> $PA1"
t_check "the 40 requests went straight into acme's socket on nic0 queue 0" \
	eval "grew '$A0' '$A1' 40 && grew '$PA0' '$PA1' 40"
t_check "and the replies into its socket on nic1 queue 0" \
	grew "$A0" "$A1" 1 1
B0=$(direct_rx beta)
t_check "customer 2 on beta's queue: 40 of 40 answered" test "$(pinged 2 1 40)" = 40
B1=$(direct_rx beta)
t_check "through beta's socket on nic0 queue 1 ($B0 -> $B1)" \
	grew "$B0" "$B1" 40

# Steered wrong: customer 1 on CPU 1 lands on beta's queue. Its transit
# takes acme's veth, counted; beta's socket never sees it.
OQ0=$(port acme access offqueue_packets)
B2=$(direct_rx beta)
t_check "customer 1 on beta's queue: still 40 of 40 answered" test "$(pinged 1 1 40)" = 40
OQ1=$(port acme access offqueue_packets)
B3=$(direct_rx beta)
t_check "acme counted 40 off its queue ($OQ0 -> $OQ1)" grew "$OQ0" "$OQ1" 40
t_check "beta's socket on that queue read none of them ($B2 -> $B3)" \
	eval "grew '$B2' '$B3' 0 && ! grew '$B2' '$B3' 1"

# The container's kernel still answers for the router: ARP and ping.
t_check "customer 1 pings acme's router (10.0.0.1) on acme's queue" \
	nsx C1 taskset -c 0 ping -c 3 -i 0.2 -W 1 -q 10.0.0.1
t_check "ARP for it is answered too (arping-free: neighbour REACHABLE)" \
	sh -c "nsenter --net=/run/netns/$P-C1 ip neigh flush dev c1 && nsenter --net=/run/netns/$P-C1 taskset -c 0 ping -c 1 -W 1 10.0.0.1 >/dev/null && nsenter --net=/run/netns/$P-C1 ip neigh show 10.0.0.1 dev c1 | grep -q lladdr"

# TCP through the direct path.
nsx_bg U iperf3 -s -p 5201 -B 198.51.100.1%u1 >/dev/null 2>&1
sleep 0.5
D0=$(port acme access direct_packets)
nsx C1 taskset -c 0 iperf3 -c 198.51.100.1 -p 5201 -t 3 -J >"$T_DIR/tcp" 2>&1
rc=$?
D1=$(port acme access direct_packets)
OQ2=$(port acme access offqueue_packets)
mbps=$(jq '.end.sum_received.bits_per_second / 1e6 | floor' "$T_DIR/tcp")
echo "# acme access: direct $D0 -> $D1, offqueue now $OQ2"
t_check "iperf3 TCP through acme's direct path ($mbps Mbit/s)" test $rc = 0 -a "$mbps" -gt 10
t_check "the data went the direct way" grew "$D0" "$D1" 1000

# A rate holds on the direct path too: what the router forwards from its
# NIC queue leaves through its veths, shaped (TCP's goodput is at most
# 1448/1514 of the rate, 47.8 Mbit/s of 50).
t_check "tenant set acme rate 50M" ctl tenant set acme rate 50M
S0=$(stats acme .limited.to_upstream.shaped)
D0=$(port acme access direct_packets)
nsx C1 taskset -c 0 iperf3 -c 198.51.100.1 -p 5201 -t 4 -J >"$T_DIR/tcp50" 2>&1
rc=$?
D1=$(port acme access direct_packets)
S1=$(stats acme .limited.to_upstream.shaped)
mbps=$(jq '.end.sum_received.bits_per_second / 1e5 | floor / 10' "$T_DIR/tcp50")
in_rate() { [ "$rc" = 0 ] && awk -v m="$mbps" 'BEGIN { exit !(m >= 43 && m <= 50) }'; }
t_check "iperf3 TCP through acme's direct path at rate 50M: $mbps Mbit/s (43 to 50)" in_rate
t_check "still the direct way" grew "$D0" "$D1" 1000
t_check "and shaped: $S0 -> $S1 frames waited in the router's queue" grew "$S0" "$S1" 1
t_check "tenant set acme rate unlimited" ctl tenant set acme rate unlimited

# The router killed: the new one gets its 4 sockets and the queue again.
R=$(show acme .router.pid)
kill -9 "$R"
t_check "router killed -9: a new one takes 4 sockets within 2 s" \
	until_ok 20 sh -c "[ \"\$(nsenter --net=/run/netns/$P-H $TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock -j tenant show acme | jq -r '\"\\(.router.pid) \\(.router.sockets)\"')\" != '$R 4' ] && nsenter --net=/run/netns/$P-H $TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock -j tenant show acme | jq -e '.router.connected and .router.sockets == 4' >/dev/null"
reach 1 0
A2=$(direct_rx acme)
t_check "the new router reads acme's queue: 20 of 20 answered" test "$(pinged 1 0 20)" = 20
A3=$(direct_rx acme)
t_check "through its direct socket ($A2 -> $A3)" grew "$A2" "$A3" 20

# No queue left for a third direct tenant: refused, nothing made.
before=$(ctl -j tenant list | jq -c '[.tenants[].name]')
out=$(add gamma 500 500 192.0.2.10/30 192.0.2.9 2>&1)
rc=$?
echo "# $out"
t_check "a third direct tenant is refused: every queue of nic0 is taken" \
	test "$rc" != 0 -a "$out" = "tenetctl: mode: direct: every queue of nic0 (2) is another direct tenant's"
t_check "and nothing of it is left (row, veths, container)" \
	sh -c "[ '$(ctl -j tenant list | jq -c '[.tenants[].name]')' = '$before' ] && ! nsenter --net=/run/netns/$P-H ip link show | grep -q 'tn3[au]' && [ ! -e $LXCP/gamma ]"
t_check "a veth-mode tenant still fits beside them" \
	ctl tenant add gamma access nic0 vlan 500 uplink nic1 uplink-vlan 500 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.10/30
t_check "gamma owns no queue" test "$(show gamma '"\(.mode) \(.access.queue) \(.uplink.queue)"')" = "veth -1 -1"

# tenetd killed -9 and started again: the queues, their owners and the
# traffic stay.
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null
agent_start "$T_DIR/log2"
t_check "tenetd restarts" test $? = 0
t_check "after tenetd kill -9 and restart: tn_qowner unchanged" \
	test "$(qowner "$N0" 0) $(qowner "$N1" 0) $(qowner "$N0" 1) $(qowner "$N1" 1)" = "$AID $AID $BID $BID"
t_check "and customer 2 still reaches the upstream through beta" test "$(pinged 2 1 10)" = 10

# tenant del: the queue is free again, and given to the next.
t_check "tenant del acme" ctl tenant del acme
t_check "its queues are no one's, its addresses out of tn_local" \
	test "$(qowner "$N0" 0) $(qowner "$N1" 0) $(bt tn_local | jq -c "[.[].key.tenant_id | select(. == $AID or . == $BID)] | sort")" = "0 0 [$BID,$BID,$BID,$BID]"
t_check "beta is untouched: 10 of 10 answered" test "$(pinged 2 1 10)" = 10
t_check "a new direct tenant gets queue 0" add delta 100 300 192.0.2.2/30 192.0.2.1
t_check "delta: queue 0 of both" test "$(show delta '"\(.access.queue) \(.uplink.queue)"')" = "0 0"
t_check "delta's router took 4 sockets" \
	until_is 50 "true 4" eval "show delta '\"\\(.router.connected) \\(.router.sockets)\"'"

# A router must never send on a NIC: tenetd binds its NIC queues' sockets
# itself, read-only, before handing them over. A hostile router takes
# delta's place (its init stopped, its router killed) in the container's
# netns and pid ns, and tries to make them send.
DPID=$(show delta .container.pid)
kill -STOP "$DPID"
kill -9 "$(show delta .router.pid)"
t_check "delta's router gone, its init held" until_is 30 false show delta .router.connected
nsenter -t "$DPID" --net --pid python3 "$TOP/tests/integration/hostile_router.py" \
	"$T_DIR/run/tenants/delta/router.sock" >"$T_DIR/hostile" 2>&1 &
HOSTILE=$!
disown "$HOSTILE" # it is killed below: no "Killed" from bash
T_PIDS+=("$HOSTILE")
t_check "the hostile router got its own 2 sockets and 2 NIC queues' (4 answers)" \
	until_is 50 4 grep -c '^hostile:' "$T_DIR/hostile"
sed 's/^/# /' "$T_DIR/hostile"
subverted() { # NIC: what the kernel answered each attempt on its socket and its UMEM
	sed -n "s/^hostile: direct $1 //p" "$T_DIR/hostile" |
		jq -r '"\(.tx_ring) \(.umem_reg) \(.rebind) \(.sendto) \(.write) \(.map_rw) \(.grow)"'
}
t_check "on nic0's queue: no TX ring, no UMEM, no other bind, nothing sent; its UMEM not written, mapped writable or grown" \
	test "$(subverted nic0)" = "EBUSY EBUSY EBUSY ENOBUFS EPERM EPERM EPERM"
t_check "on nic1's queue the same" test "$(subverted nic1)" = "EBUSY EBUSY EBUSY ENOBUFS EPERM EPERM EPERM"
t_check "tenetd kept delta ready, with the 2 sockets the router bound" \
	test "$(show delta '"\(.state) \(.router.sockets)"')" = "ready 2"
HPID=$(cat "/proc/$HOSTILE/task/$HOSTILE/children")
kill -9 "$HPID"
kill -CONT "$DPID"
t_check "the hostile router gone and init let go, delta's router is back with 4" \
	until_is 50 "true 4" eval "show delta '\"\\(.router.connected) \\(.router.sockets)\"'"
t_check "beta is untouched: 10 of 10 answered" test "$(pinged 2 1 10)" = 10

# Direct mode has the fast path too: what its router put in its table goes
# out from nic_ingress, before the direct delivery.
t_check "tenant set beta fastpath on" ctl tenant set beta fastpath on
t_check "tn_tenants: beta active, direct and fast (flags 7)" \
	test "$(bt tn_tenants | jq -c "[.[] | select(.key == $BID) | .value.flags]")" = "[7]"
F0=$(port beta access fast_packets)
PB0=$(port beta access direct_packets)
pinged 2 1 50 >/dev/null
t_check "beta's pings went fast ($F0 -> $(port beta access fast_packets)), hardly any direct ($PB0 -> $(port beta access direct_packets))" \
	sh -c "test $(($(port beta access fast_packets) - F0)) -ge 45 -a $(($(port beta access direct_packets) - PB0)) -le 5"
t_done
