#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Direct mode on NICs whose driver does zero-copy AF_XDP: virtio-net in the
# qemu guest of make check-zc (tests/debian/vm, VM_NICS=2: eth0..eth3,
# wired eth0-eth1 and eth2-eth3, iommu_platform=on so that AF_XDP binds
# zero-copy, one queue pair each). Nowhere else: TN_ZC_NICS names the NICs,
# "NIC:PEER NIC:PEER", the access pair first, and the suite skips without it.
#
# The topology is lib-zc.sh's: customers C1 (VLAN 100) and C2 (VLAN 200),
# the upstream U behind VLANs 300 and 400, tenant acme (mode direct, VLANs
# 100/300) and beta (veth mode, 200/400). Checked: acme's direct sockets
# are on the NICs' queue 0 and zero-copy, as tenetctl reports (tenant
# stats, nic list) and as the kernel reports (ss --xdp, sock_diag); ping,
# traceroute and iperf3 TCP both ways through acme's direct sockets; beta
# beside it on the same NICs and queue, by its router (its fast path
# leaves the frames of a zero-copy queue to it, counted) and by its fast
# path once no zero-copy socket is there, never on acme's sockets; a
# router kill -9 (back on queue 0, zero-copy); tenant del freeing queue 0
# for the next direct tenant. The NICs are attached "zerocopy on" for all
# that; attached again without it, a direct tenant's sockets bind copy.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-zc.sh
. "$(dirname "$0")/lib-zc.sh"
zc_need
t_init
t_need jq iperf3 lxc-create traceroute ss tc modprobe
zc_start

# flowed RC MBPS: iperf3 ended well and carried more than floor Mbit/s.
flowed() { [ "$1" = 0 ] && awk -v m="$2" -v f="$floor" 'BEGIN { exit !(m > f) }'; }

t0=$(now)
t_check "tenant add acme ... mode direct" add_direct acme
echo "# tenant add acme took $(since "$t0") s"
t_check "acme owns queue 0 of both NICs" \
	test "$(show acme '"\(.mode) \(.access.queue) \(.uplink.queue)"')" = "direct 0 0"
t_check "acme's router took 4 sockets: its veths' and queue 0 of each NIC" sockets acme 4
echo "# acme's router connected with 4 sockets $(since "$t0") s after tenant add"
t_check "acme's direct sockets are $NA and $NU on queue 0 ($(direct_q acme))" \
	test "$(direct_q acme)" = "$NA q0 $NU q0"
check_zc acme acme
t_check "acme's veth sockets: \"copy (zero-copy requested)\" ($(xsk_mode acme veth))" \
	test "$(xsk_mode acme veth)" = "copy (zero-copy requested),copy (zero-copy requested)"
echo "# ss --xdp -a -e in H:"
nsx H ss --xdp -a -e -O | sed 's/^/#   /'

# acme's traffic, through its direct sockets both ways.
t0=$(now)
t_check "customer 1 reaches the upstream through acme" ping_reach C1 198.51.100.1
echo "# first ping answered after $(since "$t0") s (ARP on every hop)"
A0=$(direct_rx acme)
t_check "customer 1: 20 of 20 pings answered" pinged 1 20
A1=$(direct_rx acme)
echo "# acme direct rx ($NA $NU): $A0 -> $A1"
t_check "the 20 requests came in on acme's socket on $NA queue 0" grew "$A0" "$A1" 20
t_check "the 20 replies on its socket on $NU queue 0" grew "$A0" "$A1" 20 1
t_check "traceroute from customer 1 shows acme's router as hop 1" \
	sh -c "nsenter --net=/run/netns/$P-C1 traceroute -n -w 2 -q 1 198.51.100.1 | grep -q '^ 1  10.0.0.1 '"

# beta, a veth tenant, on the same NICs and queue: its frames take its
# fast path or its veths, never acme's sockets (nothing else of acme's
# moves meanwhile).
# Added once acme's router is up: under emulation two bring-ups at once
# take long.
t0=$(now)
t_check "tenant add beta (veth mode) on the same NICs" \
	add_tenant beta 2
echo "# tenant add beta took $(since "$t0") s"
t_check "beta owns no queue" test "$(show beta '"\(.mode) \(.access.queue) \(.uplink.queue)"')" = "veth -1 -1"
t_check "beta's router took its 2 sockets, its veths'" sockets beta 2
echo "# beta's router connected with 2 sockets $(since "$t0") s after tenant add"
t_check "customer 2 reaches the upstream through beta" ping_reach C2 198.51.100.1
# beta's router's rx (access uplink), and the frames beta's fast path
# forwarded in nic_ingress (access uplink).
beta_rx() { stats beta '[.router.ifaces[].counters.rx] | join(" ")'; }
# (And the frames it left to the router for their zero-copy queue.)
beta_fast() { stats beta '"\(.classifier.access.fast_packets) \(.classifier.uplink.fast_packets)"'; }
beta_fast_zc() { stats beta '"\(.classifier.access.fast_zc_packets) \(.classifier.uplink.fast_zc_packets)"'; }
# What virtio-net's transmit of redirected frames dropped, on both NICs.
xmit_drops() {
	for n in "$NA" "$NU"; do
		nsx H ethtool -S "$n" | awk '$1 == "tx_xdp_tx_drops:" {printf "%s ", $2}'
	done
}
A2=$(direct_rx acme)
F0=$(beta_fast)
Z0=$(beta_fast_zc)
R0=$(beta_rx)
X0=$(xmit_drops)
# The fast path (on by default) would forward beta's frames from NIC to
# NIC in nic_ingress, but they come in on queue 0, into acme's zero-copy
# UMEM: redirected out a NIC, the kernel would copy each into a page
# without headroom, which virtio-net cannot send. tn_qzc says so, and they
# take beta's router's way.
t_check "customer 2, beta's fast path on: 20 of 20 pings answered" pinged 2 20
F1=$(beta_fast)
Z1=$(beta_fast_zc)
R1=$(beta_rx)
echo "# beta: fast (access uplink) $F0 -> $F1, fast_zc $Z0 -> $Z1, router rx $R0 -> $R1; tx_xdp_tx_drops ($NA $NU) $X0-> $(xmit_drops)"
t_check "none forwarded by the fast path out of a zero-copy queue" test "$F0" = "$F1" -a -n "$F0"
t_check "the fast path left them to the router, counted fast_zc_packets ($Z0 -> $Z1)" both_grew "$Z0" "$Z1" 15
t_check "beta's router forwarded them ($R0 -> $R1)" both_grew "$R0" "$R1" 20
t_check "virtio-net dropped none of tenet's redirects" test "$(xmit_drops)" = "$X0"
t_check "tenant set beta fastpath off" ctl tenant set beta fastpath off
R0=$(beta_rx)
t_check "customer 2, beta's fast path off: 20 of 20 pings answered" pinged 2 20
R1=$(beta_rx)
t_check "through beta's router ($R0 -> $R1)" both_grew "$R0" "$R1" 20
A3=$(direct_rx acme)
t_check "acme's direct sockets read none of beta's frames ($A2 -> $A3)" test "$A2" = "$A3" -a -n "$A2"

# TCP both ways: data into acme's socket on the access NIC, then (-R) on
# the uplink NIC. At least 100 Mbit/s, divided by T_RATE_DIV (make
# check-zc: 10; qemu TCG carried 60 to 80 through acme); the rate is
# printed.
floor=$((100 / T_RATE_DIV))
nsx_bg U iperf3 -s -p 5201 -B 198.51.100.1%u1 >/dev/null 2>&1
sleep 1
iperf() { # FILE MORE...: a TCP flow from customer 1, its Mbit/s received
	local f=$1
	shift
	nsx C1 iperf3 -c 198.51.100.1 -p 5201 -t 4 -J "$@" >"$f" 2>&1 &&
		jq '.end.sum_received.bits_per_second / 1e4 | floor / 100' "$f"
}
D0=$(direct_rx acme)
mbps=$(iperf "$T_DIR/up")
rc=$?
D1=$(direct_rx acme)
echo "# iperf3 TCP customer 1 -> upstream through acme: ${mbps:-?} Mbit/s; direct rx $D0 -> $D1"
t_check "iperf3 TCP to the upstream through acme: ${mbps:-none} Mbit/s (> $floor)" \
	flowed "$rc" "$mbps"
t_check "its data came in on acme's socket on $NA queue 0" grew "$D0" "$D1" 1000
mbps=$(iperf "$T_DIR/down" -R)
rc=$?
D2=$(direct_rx acme)
echo "# iperf3 TCP upstream -> customer 1 through acme: ${mbps:-?} Mbit/s; direct rx $D1 -> $D2"
t_check "iperf3 TCP from the upstream (-R) through acme: ${mbps:-none} Mbit/s (> $floor)" \
	flowed "$rc" "$mbps"
t_check "its data came in on acme's socket on $NU queue 0" grew "$D1" "$D2" 1000 1

# The router killed: the next one gets queue 0 of both NICs again, and
# zero-copy again.
R=$(show acme .router.pid)
t0=$(now)
kill -9 "$R"
t_check "router (pid $R) killed -9: a new one connected with 4 sockets" \
	until_is $WAIT true show acme "(.router.pid != $R) and .router.connected and .router.sockets == 4"
echo "# the next router connected with 4 sockets $(since "$t0") s after the kill"
t_check "its direct sockets are $NA and $NU on queue 0 ($(direct_q acme))" \
	test "$(direct_q acme)" = "$NA q0 $NU q0"
check_zc acme "after kill -9"
ping_reach C1 198.51.100.1
A4=$(direct_rx acme)
t_check "customer 1 through the new router: 20 of 20 answered" pinged 1 20
A5=$(direct_rx acme)
t_check "through its direct sockets ($A4 -> $A5)" both_grew "$A4" "$A5" 20

# tenant del: queue 0 free, and given to the next direct tenant.
t_check "tenant del acme" slow_ctl tenant del acme
none_of_acme() {
	ctl -j nic list | jq -e '[.nics[].direct_sockets[] | select(.tenant == "acme")] | length == 0'
}
t_check "nic list: no direct socket of acme's left" none_of_acme
t_check "beta is untouched: 10 of 10 answered" pinged 2 10
# Queue 0 holds no zero-copy socket now: beta's fast path forwards.
t_check "tenant set beta fastpath on" ctl tenant set beta fastpath on
ping_reach C2 198.51.100.1
F2=$(beta_fast)
Z2=$(beta_fast_zc)
X1=$(xmit_drops)
t_check "customer 2, no zero-copy socket on the NICs: 20 of 20 answered" pinged 2 20
F3=$(beta_fast)
echo "# beta: fast $F2 -> $F3, fast_zc $Z2 -> $(beta_fast_zc); tx_xdp_tx_drops $X1-> $(xmit_drops)"
t_check "by beta's fast path, both ways ($F2 -> $F3)" both_grew "$F2" "$F3" 15
t_check "none left to the router for a zero-copy queue" test "$(beta_fast_zc)" = "$Z2"
t_check "virtio-net dropped none of them" test "$(xmit_drops)" = "$X1"
t0=$(now)
t_check "tenant add delta ... mode direct (acme's VLANs and addresses)" add_direct delta
echo "# tenant add delta took $(since "$t0") s"
t_check "delta gets queue 0 of both NICs" \
	test "$(show delta '"\(.access.queue) \(.uplink.queue)"')" = "0 0"
t_check "delta's router took 4 sockets" sockets delta 4
echo "# delta's router connected with 4 sockets $(since "$t0") s after tenant add"
t_check "delta's direct sockets are $NA and $NU on queue 0 ($(direct_q delta))" \
	test "$(direct_q delta)" = "$NA q0 $NU q0"
check_zc delta delta
t_check "customer 1 reaches the upstream through delta" ping_reach C1 198.51.100.1
A6=$(direct_rx delta)
t_check "customer 1 through delta: 20 of 20 answered" pinged 1 20
A7=$(direct_rx delta)
t_check "through delta's direct sockets ($A6 -> $A7)" both_grew "$A6" "$A7" 20

# Without the operator's word (nic attach ... zerocopy on) a direct tenant's
# sockets bind copy even where the driver could do zero-copy: its UMEM then
# receives only what nic_ingress redirects to it, never another's frames.
t_check "tenant del delta, tenant del beta" eval 'slow_ctl tenant del delta && slow_ctl tenant del beta'
t_check "nic detach $NA and $NU" eval 'ctl nic detach "$NA" && ctl nic detach "$NU"'
t_check "nic attach both again, zerocopy left at its default" \
	eval 'ctl nic attach "$NA" role access xdp-mode native && ctl nic attach "$NU" role uplink xdp-mode native default drop'
t_check "nic list: zerocopy off on both" \
	test "$(ctl -j nic list | jq -r '[.nics[].zerocopy] | join(" ")')" = "off off"
t_check "tenant add eps ... mode direct" add_direct eps
t_check "eps's router took 4 sockets" sockets eps 4
t_check "eps: its direct sockets are copy (zc_in_use: $(zc_in_use eps))" \
	test "$(zc_in_use eps)" = "false false"
t_check "eps: their xsk_mode is \"copy\", zero-copy not asked ($(xsk_mode eps direct))" \
	test "$(xsk_mode eps direct)" = "copy,copy"
t_check "eps: ss --xdp in H: their UMEMs are not zero-copy ($(ss_zc "$NA") / $(ss_zc "$NU"))" \
	test "$(ss_zc "$NA") $(ss_zc "$NU")" = "zc:0 zc:0"
t_check "eps: nic list says copy for both ($(nic_direct "$NA") / $(nic_direct "$NU"))" \
	test "$(nic_direct "$NA") $(nic_direct "$NU")" = "eps q0 zerocopy=false eps q0 zerocopy=false"
t_check "customer 1 reaches the upstream through eps" ping_reach C1 198.51.100.1
A8=$(direct_rx eps)
t_check "customer 1 through eps: 20 of 20 answered" pinged 1 20
A9=$(direct_rx eps)
t_check "through eps's direct sockets, in copy mode ($A8 -> $A9)" both_grew "$A8" "$A9" 20
if [ "$T_FAILED" -gt 0 ]; then
	echo "# tenetd's errors and warnings:"
	grep -E ' (err|warn): ' "$T_DIR/log" | sed 's/^/#   /'
fi
t_done
