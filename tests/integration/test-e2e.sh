#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end, the way an ISP uses tenet (topo_isp in lib.sh): two tenants
# with the same 10.0.0.0/24 on VLANs 100 and 200, onboarded with tenetctl,
# their customers reaching the upstream through their own routers at once;
# counters per tenant; isolation (foreign tags, spoofed addresses, a
# smuggled inner tag); traceroute; a 50 Mbit/s rate limit; what bpftool
# shows against tenetctl; tenant del under traffic.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq iperf3 traceroute lxc-create

LXCP=$T_DIR/state/lxc
SEND="python3 $TOP/tests/integration/sendframe.py"
T_LXC+=("H $LXCP")

topo_isp || { t_fail "topology"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
stats() { ctl -j tenant stats "$1" | jq -c ".tenants[0] | $2"; }

t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "tenant add acme: VLAN 100, uplink VLAN 300" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1
t_check "tenant add beta: VLAN 200, uplink VLAN 400, the same 10.0.0.0/24" \
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5
for t in acme beta; do
	t_check "$t's router took its sockets" \
		until_is 50 "true 2" eval "ctl -j tenant show $t | jq -r '\"\\(.router.connected) \\(.router.sockets)\"'"
done
t_check "customer 1 reaches the upstream through acme" isp_reach 1
t_check "customer 2 reaches the upstream through beta" isp_reach 2

# Both at once: ping and TCP.
A0=$(stats acme '[.classifier.access.rx_packets, .classifier.uplink.rx_packets]')
B0=$(stats beta '[.classifier.access.rx_packets, .classifier.uplink.rx_packets]')
sent() { nsx "$1" ip -j -s link show "$2" | jq '.[0].stats64.tx.packets'; }
S1=$(sent C1 c1)
S2=$(sent C2 c2)
nsx_bg U iperf3 -s -p 5201 -B 198.51.100.1%u1 >/dev/null 2>&1
nsx_bg U iperf3 -s -p 5202 -B 198.51.100.1%u2 >/dev/null 2>&1
sleep 0.5
nsx C1 iperf3 -c 198.51.100.1 -p 5201 -b 200M -t 3 -J >"$T_DIR/tcp1" 2>&1 &
j1=$!
nsx C2 iperf3 -c 198.51.100.1 -p 5202 -b 200M -t 3 -J >"$T_DIR/tcp2" 2>&1 &
j2=$!
nsx C1 ping -c 20 -i 0.1 -W 2 198.51.100.1 >"$T_DIR/ping1" 2>&1 &
j3=$!
nsx C2 ping -c 20 -i 0.1 -W 2 198.51.100.1 >"$T_DIR/ping2" 2>&1
wait $j1
r1=$?
wait $j2
r2=$?
wait $j3
mbps() { jq '.end.sum_received.bits_per_second / 1e6 | floor' "$1"; }
mbps1() { jq '.end.sum_received.bits_per_second / 1e5 | floor / 10' "$1"; }
within() { awk -v v="$1" -v r="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo * r && v <= hi * r) }'; }
t_check "iperf3 TCP from both customers at once ($(mbps "$T_DIR/tcp1") and $(mbps "$T_DIR/tcp2") Mbit/s)" \
	test $r1 = 0 -a $r2 = 0 -a "$(mbps "$T_DIR/tcp1")" -gt 10 -a "$(mbps "$T_DIR/tcp2")" -gt 10
replies() { grep -c 'bytes from' "$1"; }
t_check "ping from both meanwhile ($(replies "$T_DIR/ping1") and $(replies "$T_DIR/ping2") of 20 answered beside 200 Mbit/s of TCP each)" \
	test "$(replies "$T_DIR/ping1")" -ge 19 -a "$(replies "$T_DIR/ping2")" -ge 19
# Each tenant's access port counted what its own customer sent, and only
# that: frames out of c1 are acme's, out of c2 beta's.
own() { # NAME BEFORE CUSTOMER-NS DEV SENT-BEFORE
	local got sent
	got=$(jq -n "$(stats "$1" '.classifier.access.rx_packets') - $2[0]")
	sent=$(($(sent "$3" "$4") - $5))
	echo "$1: $got counted, $sent sent"
	# (a frame or two in flight between the two readings)
	[ $((got - sent)) -ge -2 ] && [ $((got - sent)) -le 2 ]
}
t_check "acme's access port counted what customer 1 sent (to 2 frames in flight)" own acme "$A0" C1 c1 "$S1"
t_check "beta's access port counted what customer 2 sent (to 2 frames in flight)" own beta "$B0" C2 c2 "$S2"
t_check "traceroute from customer 1 shows acme's router" \
	sh -c "nsenter --net=/run/netns/$P-C1 traceroute -n -w 1 -q 1 198.51.100.1 | grep -q '^ 1  10.0.0.1 '"

# Isolation: nothing customer 1 sends reaches beta. c1 pushes VLAN 100
# itself, so what it tags 200 leaves as 100 over 200.
B1=$(stats beta '[.classifier.access.rx_packets, .router.ifaces[0].counters.rx]')
A1=$(stats acme '[.classifier.access.drops.vlan_smuggled, ([.router.ifaces[].counters.not_ours] | add)]')
M1=$(ctl -j nic list | jq '.nics[0].counters.drops.malformed')
C2MAC=$(nsx C2 ip -j link show c2 | jq -r '.[0].address')
BPID=$(ctl -j tenant show beta | jq -r .container.pid)
BMAC=$(nsenter --net="/proc/$BPID/ns/net" ip -j link show access0 | jq -r '.[0].address')
# beta's VLAN smuggled under acme's, to beta's router, from beta's
# customer's MAC and address; the same with a third tag; and untagged
# (so acme's VLAN) but addressed to beta's router.
nsx C1 $SEND c1 "$BMAC" "$C2MAC" --vlan 200 --ipv4 10.0.0.2 198.51.100.1 --count 20
nsx C1 $SEND c1 "$BMAC" "$C2MAC" --vlan 200 --vlan 200 --ipv4 10.0.0.2 198.51.100.1 --count 20
nsx C1 $SEND c1 "$BMAC" "$C2MAC" --ipv4 10.0.0.2 198.51.100.1 --count 20
sleep 0.5
B2=$(stats beta '[.classifier.access.rx_packets, .router.ifaces[0].counters.rx]')
t_check "beta saw none of it: its router read nothing ($B1 -> $B2, ARP aside)" \
	jq -e -n "$B1 as \$a | $B2 as \$b | \$b[1] == \$a[1] and \$b[0] - \$a[0] < 20"
t_check "acme's port counted 20 smuggled tags; its router 20 frames not for it" \
	test "$(stats acme '[.classifier.access.drops.vlan_smuggled, ([.router.ifaces[].counters.not_ours] | add)]')" = \
	"$(jq -c -n "$A1 | [.[0] + 20, .[1] + 20]")"
t_check "the NIC counted the three-tag frames as malformed" \
	test "$(ctl -j nic list | jq '.nics[0].counters.drops.malformed')" = $((M1 + 20))

# Rate limit: acme at 50 Mbit/s; beta, unlimited, unaffected (rates over
# T_RATE_DIV: make check-debian's emulated machine carries less).
rate=$((50 / T_RATE_DIV))
t_check "tenant set acme rate ${rate}M" ctl tenant set acme rate ${rate}M
nsx_bg U iperf3 -s -p 5203 -B 198.51.100.1%u1 >/dev/null 2>&1
nsx_bg U iperf3 -s -p 5204 -B 198.51.100.1%u2 >/dev/null 2>&1
sleep 0.5
nsx C1 iperf3 -c 198.51.100.1 -p 5203 -u -b $((2 * rate))M -l 1400 -t 4 -J >"$T_DIR/udp1" 2>&1 &
j1=$!
nsx C2 iperf3 -c 198.51.100.1 -p 5204 -u -b $((30 / T_RATE_DIV))M -l 1400 -t 4 -J >"$T_DIR/udp2" 2>&1
wait $j1
u1=$(mbps1 "$T_DIR/udp1")
u2=$(mbps1 "$T_DIR/udp2")
t_check "acme gets $rate Mbit/s +-5% of UDP ($u1 Mbit/s received of $((2 * rate)) offered)" \
	within "$u1" "$rate" 0.94 1.04
t_check "beta gets its $((30 / T_RATE_DIV)) Mbit/s ($u2 Mbit/s)" within "$u2" $((30 / T_RATE_DIV)) 0.94 2
t_check "acme's policer drops are counted" \
	test "$(stats acme '.classifier.access.drops.policed')" -gt 0

# What bpftool shows is what tenetctl says.
t_check "bpftool prog show: the three programs" \
	test "$(bpftool -j prog show | jq -c '[.[].name | select(. == "nic_ingress" or . == "tenant_egress" or . == "tenant_rx")] | unique')" = \
	'["nic_ingress","tenant_egress","tenant_rx"]'
xdp_names() { # devname=program of every XDP attachment in H; libxdp's
	# dispatcher (where the kernel runs it) by the programs in it
	local names dev prog
	names=$(bpftool -j prog show | jq -c 'map({(.id | tostring): .name}) | add')
	nsx H bpftool -j net show |
		jq -r --argjson n "$names" '.[0].xdp[] | "\(.devname) \($n[.id | tostring])"' |
		while read -r dev prog; do
			[ "$prog" = xdp_dispatcher ] &&
				prog=$(nsx H xdp-loader status "$dev" | awk '$1 == "=>" {print $3}' | paste -sd+)
			echo "$dev=$prog"
		done | jq -R . | jq -sc 'sort'
}
t_check "bpftool net show (in H): nic_ingress on the NICs, tenant_egress on the tenants' veths" \
	test "$(xdp_names)" = \
	'["nic0=nic_ingress","nic1=nic_ingress","tn1a=tenant_egress","tn1u=tenant_egress","tn2a=tenant_egress","tn2u=tenant_egress"]'
port_rx() { # PORT: rx_packets of tn_port_stats, summed over CPUs
	bpftool -j map dump pinned "$BPFFS/t/tn_port_stats" |
		jq "[.[].formatted | select(.key == $1) | .values[].value.rx_packets] | add"
}
both_rx() { # bpftool's view, then tenetctl's: equal once traffic is still
	echo "$(port_rx 2) $(port_rx 4) = $(stats acme .classifier.access.rx_packets) $(stats beta .classifier.access.rx_packets)"
}
same_rx() { both_rx | awk '{ exit !($1 == $4 && $2 == $5) }'; }
t_check "bpftool map dump tn_port_stats = tenetctl tenant stats (acme, beta access)" \
	until_is 30 0 sh -c "$(declare -f same_rx both_rx port_rx stats ctl nsx); P=$P T_DIR=$T_DIR BPFFS=$BPFFS BUILD=$BUILD TN_BIN=$TN_BIN; same_rx; echo \$?"

# tenant del under traffic: acme's stops, beta's goes on.
progs() { bpftool -j prog show | jq '[.[] | select(.name == "tenant_egress" or .name == "tenant_rx")] | length'; }
P0=$(progs)
nsx C1 ping -c 30 -i 0.1 -W 1 198.51.100.1 >"$T_DIR/ping1" 2>&1 &
j1=$!
nsx C2 ping -c 30 -i 0.1 -W 1 198.51.100.1 >"$T_DIR/ping2" 2>&1 &
j2=$!
sleep 1
t_check "tenant del acme under traffic" ctl tenant del acme
wait $j1
wait $j2
t_check "customer 1's pings stopped" sh -c "! grep -q ' 0% packet loss' $T_DIR/ping1"
t_check "customer 2's went on without loss" grep -q ' 0% packet loss' "$T_DIR/ping2"
t_check "acme's programs are gone (4 fewer: 2 tenant_egress, 2 tenant_rx)" test "$(progs)" = $((P0 - 4))
t_check "no container, veth, pins or map entry of acme" \
	sh -c "[ ! -e $LXCP/acme ] && [ ! -e $BPFFS/t/tenants/1 ] && ! nsenter --net=/run/netns/$P-H ip link show tn1a 2>/dev/null &&
	       [ -z \"\$(bpftool -j map dump pinned $BPFFS/t/tn_vlan | jq '.[].formatted | select(.value == 1)')\" ]"
t_check "tenant del beta" ctl tenant del beta
kill -TERM "$AGENT"
wait "$AGENT"
t_check "SIGTERM: clean exit" test $? = 0
t_done
