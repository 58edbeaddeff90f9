#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenet-router --standalone between two hosts, with the router netns's own
# kernel forwarding off, so every frame that crosses was forwarded by the
# router: ping (v4/v6), traceroute, iperf3 TCP and UDP, a route added and
# removed inside the router netns, ICMP unreachable, clean shutdown.
#
#   netns A              netns R (tenet-router)            netns B
#   ha 10.1.0.2 ------- a0 10.1.0.1     b0 10.2.0.1 ------- hb 10.2.0.2
#   2001:db8:1::2          2001:db8:1::1  2001:db8:2::1       2001:db8:2::2
#                                                           lo 10.3.0.1
set -u
. "$(dirname "$0")/lib.sh"
t_init
for c in iperf3 traceroute ping; do
	command -v $c >/dev/null || t_skip_all "$c is needed"
done

topo_a_r_b || { t_fail "create the A - R - B topology"; exit 1; }

LOG=$T_DIR/router.log
start_router() {
	nsx_bg R "$@" "$BUILD/tenet-router" --standalone -i a0 -i b0 \
		--icmp-rate 1000 >"$LOG" 2>&1
	ROUTER=$BG
	wait_for "$LOG" 'forwarding on' 100 && return 0
	sed 's/^/#   /' "$LOG"
	return 1
}
# counter IFACE NAME: the router's counter, after a SIGUSR1 dump
counter() {
	: >"$LOG.stats"
	kill -USR1 "$ROUTER"
	sleep 0.3
	grep "^$1 q0" "$LOG" | tail -1 | sed -E "s/.* $2 ([0-9]+).*/\1/"
}

start_router
t_check "tenet-router starts in standalone mode on a0, b0" test $? = 0
t_check "it says which AF_XDP mode is in use (copy on veth)" \
	grep -q 'a0 queue 0: AF_XDP copy (zero-copy if possible requested)' "$LOG"
t_check "ping A -> B (IPv4) through the router" \
	nsx A ping -c 3 -i 0.2 -W 2 10.2.0.2
t_check "ping A -> B (IPv6) through the router" \
	nsx A ping -6 -c 3 -i 0.2 -W 2 2001:db8:2::2
t_check "ping the router itself (its kernel answers)" \
	nsx A ping -c 1 -W 2 10.1.0.1
fwd=$(counter a0 forwarded)
t_check "a0 counted the forwarded frames ($fwd)" test "${fwd:-0}" -ge 6
t_check "traceroute A -> B shows the router hop 10.1.0.1 (ICMP time exceeded)" \
	sh -c "nsenter --net=/run/netns/$P-A traceroute -n -q 1 -w 2 -m 3 10.2.0.2 | tee /dev/stderr | grep -E '^ 1 +10\.1\.0\.1 '"
t_check "traceroute6 A -> B shows the router hop 2001:db8:1::1" \
	sh -c "nsenter --net=/run/netns/$P-A traceroute -6 -n -q 1 -w 2 -m 3 2001:db8:2::2 | grep -E '^ 1 +2001:db8:1::1 '"
t_check "ttl_exceeded counted" test "$(counter a0 ttl_exceeded)" -ge 2

# Servers in the foreground of a recorded PID: the cleanup stops them even
# when a client never comes.
nsx_bg B iperf3 -s -1 -p 5201 >"$T_DIR/iperf-s1" 2>&1
nsx_bg B iperf3 -s -1 -p 5202 >"$T_DIR/iperf-s2" 2>&1
sleep 0.5
t_check "iperf3 TCP A -> B, 3 s" \
	sh -c "nsenter --net=/run/netns/$P-A iperf3 -c 10.2.0.2 -p 5201 -t 3 -J >$T_DIR/tcp.json"
tcp=$(jq '.end.sum_received.bits_per_second / 1e6 | floor' "$T_DIR/tcp.json" 2>/dev/null)
echo "# iperf3 TCP: ${tcp:-?} Mbit/s received"
t_check "iperf3 TCP moved data (${tcp:-0} Mbit/s)" test "${tcp:-0}" -gt 0
t_check "iperf3 UDP A -> B, 50 Mbit/s, 3 s" \
	sh -c "nsenter --net=/run/netns/$P-A iperf3 -c 10.2.0.2 -p 5202 -u -b 50M -t 3 -J >$T_DIR/udp.json"
loss=$(jq '.end.sum.lost_percent | floor' "$T_DIR/udp.json" 2>/dev/null)
echo "# iperf3 UDP at 50 Mbit/s: ${loss:-?}% lost"
t_check "iperf3 UDP lost under 5% (${loss:-?}%)" test "${loss:-100}" -lt 5

# Routes come from the router netns's kernel, live.
t_check "no route to 10.3.0.1 yet: ICMP net unreachable from 10.1.0.1" \
	sh -c "nsenter --net=/run/netns/$P-A ping -c 1 -W 2 10.3.0.1 | grep -q 'From 10.1.0.1 .*Destination Net Unreachable'"
nsx R ip route add 10.3.0.0/24 via 10.2.0.2
t_check "ip route add inside R: 10.3.0.1 reachable, no restart" \
	nsx A ping -c 2 -i 0.2 -W 2 10.3.0.1
nsx R ip route del 10.3.0.0/24 via 10.2.0.2
t_check "ip route del inside R: unreachable again" \
	sh -c "nsenter --net=/run/netns/$P-A ping -c 1 -W 2 10.3.0.1 | grep -q 'Destination Net Unreachable'"
# Several routes for one prefix: the kernel uses the lowest metric, and
# deleting another one must not take the prefix away.
nsx R ip route add 10.3.0.0/24 via 10.2.0.2 metric 100
nsx R ip route add 10.3.0.0/24 via 10.2.0.77 metric 200
t_check "two routes, metrics 100 and 200: the router uses metric 100" \
	nsx A ping -c 2 -i 0.2 -W 2 10.3.0.1
nsx R ip route del 10.3.0.0/24 via 10.2.0.77 metric 200
t_check "metric 200 deleted: still forwarding on metric 100" \
	nsx A ping -c 2 -i 0.2 -W 2 10.3.0.1
nsx R ip route add 10.3.0.0/24 via 10.2.0.77 metric 50
t_check "metric 50 via a dead gateway added: it wins, frames are lost" \
	sh -c "! nsenter --net=/run/netns/$P-A ping -c 2 -i 0.2 -W 1 10.3.0.1"
nsx R ip route del 10.3.0.0/24 via 10.2.0.77 metric 50
t_check "metric 50 deleted: back to metric 100" \
	nsx A ping -c 2 -i 0.2 -W 2 10.3.0.1
nsx R ip route del 10.3.0.0/24 via 10.2.0.2 metric 100

# Link down: the kernel drops the routes out of b0 and says nothing of the
# static one; the router must drop it too.
nsx R ip route add 10.3.0.0/24 via 10.2.0.2
nsx R ip link set b0 down
nsx R ip link set b0 up
sleep 0.5
t_check "b0 down and up: the static route through it is gone here too" \
	sh -c "nsenter --net=/run/netns/$P-A ping -c 1 -W 2 10.3.0.1 | grep -q 'Destination Net Unreachable'"
t_check "b0 up again: B reachable (connected route back)" \
	nsx A ping -c 2 -i 0.3 -W 2 10.2.0.2
nsx R ip route add unreachable 10.4.0.0/16
t_check "unreachable route: ICMP host unreachable" \
	sh -c "nsenter --net=/run/netns/$P-A ping -c 1 -W 2 10.4.0.1 | grep -q 'Destination Host Unreachable'"
t_check "IPv6 without a route: ICMPv6 no route" \
	sh -c "nsenter --net=/run/netns/$P-A ping -6 -c 1 -W 2 2001:db8:99::1 | grep -qi 'no route'"
t_check "no_route counted" test "$(counter a0 no_route)" -ge 3

# Egress MTU: DF set -> ICMP fragmentation needed; IPv6 -> packet too big.
nsx R ip link set b0 mtu 1400
sleep 0.2
t_check "IPv4 DF over b0's MTU 1400: frag needed (mtu = 1400) from the router" \
	sh -c "nsenter --net=/run/netns/$P-A ping -c 1 -W 2 -M do -s 1472 10.2.0.2 | grep -q 'mtu = 1400'"
t_check "IPv4 DF at b0's MTU passes" \
	nsx A ping -c 1 -W 2 -M do -s 1372 10.2.0.2
t_check "IPv6 over b0's MTU: packet too big (mtu=1400)" \
	sh -c "nsenter --net=/run/netns/$P-A ping -6 -c 2 -i 0.3 -W 2 -s 1452 2001:db8:2::2 | grep -qi 'mtu=1400'"
t_check "too_big counted" test "$(counter a0 too_big)" -ge 2
nsx R ip link set b0 mtu 1500

# A next hop that never answers: frames held, then dropped and counted.
nsx R ip route add 10.5.0.0/24 via 10.2.0.99
t_check "gateway 10.2.0.99 does not exist: ping fails" \
	sh -c "! nsenter --net=/run/netns/$P-A ping -c 2 -i 0.5 -W 1 10.5.0.1"
sleep 3.5
t_check "neigh_miss counted" test "$(counter a0 neigh_miss)" -ge 2
t_check "neigh_drop counted once resolution failed" test "$(counter a0 neigh_drop)" -ge 1

kill -TERM "$ROUTER"
wait "$ROUTER"
t_check "SIGTERM: clean exit 0" test $? = 0
t_check "SIGTERM: tenant_rx detached from a0 and b0" \
	sh -c "test \"\$(nsenter --net=/run/netns/$P-R ip -j link show a0 | jq '.[0].xdp')\" = null"

if command -v valgrind >/dev/null; then
	VG=$T_DIR/vg.log
	start_router valgrind --leak-check=full --error-exitcode=9 \
		--suppressions="$TOP/tests/valgrind.supp" --log-file="$VG" ||
		t_fail "router under valgrind did not start"
	nsx A ping -c 3 -i 0.2 -W 3 10.2.0.2 >/dev/null
	kill -TERM "$ROUTER"
	wait "$ROUTER"
	rc=$?
	t_check "valgrind: no errors, nothing definitely lost (exit $rc)" \
		sh -c "test $rc = 0 && grep -q 'ERROR SUMMARY: 0 errors' $VG && ! grep -q 'definitely lost: [1-9]' $VG"
fi
t_done
