#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What leaves a tenant. Tenants a and b share an untagged uplink (frames to
# them told apart by destination MAC and ARP/ND target); b's customer pings
# the upstream all along. From a's container a hostile tenant sends out its
# uplink: foreign source IPs (b's address, and one outside its space), b's
# source MAC, a gratuitous ARP and an unsolicited NA claiming b's
# addresses, a spanning tree BPDU. The upstream sees none of them (a
# capture there), keeps b's MAC for b's addresses, b loses no ping, and a's
# egress counts each as spoofed or reserved. A legitimate frame of a's
# reaches the upstream (the capture sees what passes); with source-check
# off a's foreign source passes too. And a's rate bounds what its
# container originates: UDP offered at 3x its rate arrives at about the
# rate.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq lxc-create tcpdump iperf3

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
SPOOF="python3 $TOP/tests/integration/spoof.py"

ns_add H && ns_add C && ns_add U || { t_fail "create netns"; exit 1; }
# b's customer C on VLAN 200, straight on the access NIC's wire.
nsx H ip link add nic0 type veth peer name c netns "$P-C"
nsx H ip link add nic1 type veth peer name u netns "$P-U"
nsx H ip link set nic0 up && nsx H ip link set nic1 up
nsx C ip link set lo up
nsx C ip addr add 10.0.0.2/24 dev c
nsx C ip link set c up
# GRO (so NAPI, so frames XDP redirects in) once the link is up
nsx C ethtool -K c txvlan off tx off gro on >/dev/null
nsx C ip route add default via 10.0.0.1
nsx C "$BUILD/tn-dp" cust-vlan c 200 || { t_fail "customer VLAN port"; exit 1; }
# The upstream on the shared, untagged uplink.
nsx U ip link set lo up
nsx U ip addr add 192.0.2.1/24 dev u
nsx U ip addr add 2001:db8::1/64 dev u nodad
nsx U ip link set u up
nsx U ethtool -K u tx off gro on >/dev/null
nsx U ip route add 10.0.0.0/24 via 192.0.2.20

agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
ctl nic attach nic0 role access >/dev/null && ctl nic attach nic1 role uplink >/dev/null
t_check "tenant add a: untagged uplink 192.0.2.10, access 10.1.0.1/24" \
	ctl tenant add a access nic0 vlan 100 uplink nic1 \
	access-addr 10.1.0.1/24 uplink-addr 192.0.2.10/24 2001:db8::10/64 \
	gateway 192.0.2.1
t_check "tenant add b: the same uplink, 192.0.2.20, customers 10.0.0.0/24" \
	ctl tenant add b access nic0 vlan 200 uplink nic1 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.20/24 2001:db8::20/64 \
	gateway 192.0.2.1
field() { ctl -j tenant show "$1" | jq -r "$2"; }
both_connected() { echo "$(field a .router.connected) $(field b .router.connected)"; }
t_check "both routers take their sockets" until_is 100 "true true" both_connected
AMAC=$(field a .uplink.mac)
BMAC=$(field b .uplink.mac)
APID=$(field a .container.pid)
t_check "source-check is on by default, and shown" test "$(field a .source_check)" = on
a_ns() { nsenter --net="/proc/$APID/ns/net" "$@"; }
t_check "b's customer reaches the upstream" ping_reach C 192.0.2.1
nsx U ping -c 1 -W 2 192.0.2.20 >/dev/null
nsx U ping -c 1 -W 2 192.0.2.10 >/dev/null
nsx U ping -6 -c 1 -W 2 2001:db8::20 >/dev/null

egress_drops() { # TENANT REASON: drops of that reason on its uplink egress
	ctl -j tenant stats "$1" | jq ".tenants[0].egress.uplink.drops.$2"
}
SP0=$(egress_drops a spoofed)
RS0=$(egress_drops a reserved)

capture() { # FILE: tcpdump on u into FILE, CAP its PID, once it listens
	nsx_bg U tcpdump -i u -n --immediate-mode -U -w "$1" 2>"$1.err"
	CAP=$BG
	wait_for "$1.err" "listening on" 50
}
# Capture everything the upstream gets while b pings and a attacks.
capture "$T_DIR/u.pcap"
nsx_bg C ping -q -c 100 -i 0.05 -W 2 192.0.2.1 >"$T_DIR/ping.out"
PING=$BG
sleep 0.3
a_ns $SPOOF uplink0 "$AMAC" udp 192.0.2.20 192.0.2.1 --dst 02:00:00:00:00:01 --count 20
a_ns $SPOOF uplink0 "$AMAC" udp 10.0.0.2 192.0.2.1 --dst 02:00:00:00:00:01 --count 20
a_ns $SPOOF uplink0 "$BMAC" udp 192.0.2.10 192.0.2.1 --dst 02:00:00:00:00:01 --count 20
a_ns $SPOOF uplink0 "$AMAC" arp 192.0.2.20 --count 20
a_ns $SPOOF uplink0 "$AMAC" na 2001:db8::10 2001:db8::20 --count 20
a_ns $SPOOF uplink0 "$AMAC" stp --count 20
# and one frame a may send, to show the capture sees what passes
a_ns $SPOOF uplink0 "$AMAC" udp 192.0.2.10 192.0.2.1 --dport 9998 --count 3
wait "$PING"
sleep 0.5
kill "$CAP"
wait "$CAP" 2>/dev/null
seen() { tcpdump -n -r "$T_DIR/u.pcap" "$@" 2>/dev/null | wc -l; }

t_check "b's customer: 100 of 100 pings answered while a attacks" \
	grep -q "100 packets transmitted, 100 received" "$T_DIR/ping.out"
t_check "the upstream got a's legitimate frames (3)" test "$(seen udp dst port 9998)" = 3
t_check "the upstream got none of a's foreign-source, foreign-MAC UDP (60 sent)" \
	test "$(seen udp dst port 9999)" = 0
t_check "nor a's ARP claiming b's address (20 sent)" \
	test "$(seen "arp and ether src $AMAC and arp[14:4] = 0xc0000214")" = 0
t_check "nor a's NA claiming b's IPv6 address (20 sent)" \
	test "$(seen "icmp6 and ip6[40] = 136 and ether src $AMAC")" = 0
t_check "nor the BPDU (20 sent)" test "$(seen ether dst 01:80:c2:00:00:00)" = 0
b_known() {
	nsx U ip neigh show 192.0.2.20 | grep -q "$BMAC" &&
		nsx U ip -6 neigh show 2001:db8::20 | grep -q "$BMAC"
}
t_check "the upstream still knows b's addresses at b's MAC" b_known
t_check "a's uplink egress counted 100 spoofed" \
	test "$(($(egress_drops a spoofed) - SP0))" = 100
t_check "and 20 reserved" test "$(($(egress_drops a reserved) - RS0))" = 20
stats_text() { ctl tenant stats a | grep -q 'spoofed [1-9]'; }
t_check "tenant stats prints them (text)" stats_text

t_check "tenant set a source-check off" ctl tenant set a source-check off
t_check "tenant show says so" test "$(field a .source_check)" = off
capture "$T_DIR/u2.pcap"
a_ns $SPOOF uplink0 "$AMAC" udp 10.0.0.2 192.0.2.1 --dst 02:00:00:00:00:01 --count 20
sleep 0.5
kill "$CAP"
wait "$CAP" 2>/dev/null
passed_off() {
	local n
	n=$(tcpdump -n -r "$T_DIR/u2.pcap" udp dst port 9999 2>/dev/null | wc -l)
	[ "$n" = 20 ] || {
		echo "seen $n"
		ctl -j tenant stats a | jq -c .tenants[0].egress.uplink
		tcpdump -n -r "$T_DIR/u2.pcap" 2>&1 | head
		return 1
	}
}
t_check "source-check off: a's foreign source reaches the upstream (20)" passed_off
t_check "tenant set a source-check on" ctl tenant set a source-check on

# What a's container originates is limited by a's rate too.
t_check "tenant set a rate 10M" ctl tenant set a rate 10M
nsx_bg U iperf3 -s -1 -B 192.0.2.1 >/dev/null 2>&1
sleep 0.5
a_ns iperf3 -c 192.0.2.1 -u -b 30M -l 1200 -t 3 -J >"$T_DIR/iperf.json" 2>&1
got=$(jq '.end.sum.bits_per_second * (1 - .end.sum.lost_percent / 100) | floor' "$T_DIR/iperf.json")
echo "# container-originated UDP, 30 Mbit/s offered under rate 10M: ${got:-?} bit/s received"
about_rate() { [ -n "$got" ] && [ "$got" -le 11000000 ] && [ "$got" -ge 5000000 ]; }
t_check "UDP from a's container at 3x its rate arrives at about the rate (<= 11M)" about_rate
policed() { [ "$(egress_drops a policed)" -gt 0 ]; }
t_check "a's uplink egress counted the excess as policed" policed
t_done
