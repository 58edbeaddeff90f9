#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fast table (include/tenet/fast.h), in topo_isp with two tenants: acme
# with the fast path (the default), beta without. What XDP forwards for
# acme's router is what the router would have sent, byte for byte; it is
# counted (tenant stats, the router's counters, tenant show); traceroute
# still meets the router; a neighbour or route change in the container
# stops the old entry within 10 ms, and a route change takes out only what
# it covers; a router killed with -9 has its table taken out at once; the
# policers hold for fast frames; fastpath off|on live; tenant del leaves
# nothing.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq iperf3 traceroute tcpdump lxc-create bpftool

LXCP=$T_DIR/state/lxc
SEND="python3 $TOP/tests/integration/sendframe.py"
T_LXC+=("H $LXCP")

topo_isp || { t_fail "topology"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
stats() { ctl -j tenant stats "$1" | jq -c ".tenants[0] | $2"; }
show() { ctl -j tenant show "$1" | jq -r "$2"; }
fast() { stats "$1" '[.classifier.access.fast_packets, .classifier.uplink.fast_packets]'; }
# in acme's container's netns (CT: its init's pid)
ct() { nsenter --net="/proc/$CT/ns/net" "$@"; }
# the id of the table in tenant $1's tn_fast slot, "" if none
slot() { # (ids below 256)
	bpftool -j map lookup pinned "$BPFFS/t/tn_fast" key "$1" 0 0 0 2>/dev/null |
		jq -r '.value // empty | join(",")'
}

t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "tenant add acme (fastpath by default)" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 2001:db8:a::1/64 uplink-addr 192.0.2.2/30 \
	2001:db8:f::2/64 gateway 192.0.2.1
t_check "tenant add beta fastpath off" \
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5 fastpath off
for t in acme beta; do
	t_check "$t's router took its sockets and its table" \
		until_is 150 "true 2 true" eval "ctl -j tenant show $t | jq -r '\"\\(.router.connected) \\(.router.sockets) \\(.fast.table)\"'"
done
t_check "tenant show: fastpath on, off" test "$(show acme .fastpath) $(show beta .fastpath)" = "on off"
# IPv6 for acme too: C1 2001:db8:a::2, U 2001:db8:f::1 and 2001:db8:ff::1.
nsx C1 ip -6 addr add 2001:db8:a::2/64 dev c1 nodad
nsx C1 ip -6 route add default via 2001:db8:a::1
nsx U ip -6 addr add 2001:db8:f::1/64 dev u1 nodad
nsx U ip -6 addr add 2001:db8:ff::1/128 dev lo
nsx U ip -6 route add 2001:db8:a::/64 via 2001:db8:f::2 dev u1
t_check "route add acme 2001:db8:ff::/64 via 2001:db8:f::1" \
	ctl route add acme 2001:db8:ff::/64 via 2001:db8:f::1
t_check "customer 1 reaches the upstream through acme" isp_reach 1
t_check "and over IPv6" ping_reach C1 2001:db8:ff::1
t_check "customer 2 reaches the upstream through beta" isp_reach 2
nsx U ip addr add 198.51.100.2/32 dev lo
CT=$(show acme .container.pid)

# Counted where the issue says: per port, by the router, in tenant show.
A0=$(fast acme)
nsx C1 ping -c 200 -i 0.005 -q 198.51.100.1 >/dev/null
nsx C1 ping -6 -c 5 -i 0.05 -q 2001:db8:ff::1 >/dev/null
nsx C2 ping -c 200 -i 0.005 -q 198.51.100.1 >/dev/null
A1=$(fast acme)
t_check "acme: 200 pings went fast both ways ($A0 -> $A1)" \
	jq -e -n "$A0 as \$a | $A1 as \$b | (\$b[0] - \$a[0]) >= 195 and (\$b[1] - \$a[1]) >= 195"
t_check "beta (fastpath off): nothing fast ($(fast beta))" test "$(fast beta)" = "[0,0]"
t_check "acme's router counts what XDP forwarded for it" \
	until_ok 20 eval "test \"\$(stats acme '[.router.ifaces[].counters.fast] | add')\" -ge 390"
t_check "tenant show: entries $(show acme .fast.entries), hit ratio $(show acme .fast.hit_ratio)" \
	jq -e -n "$(show acme .fast.entries) >= 2 and $(show acme .fast.hit_ratio) > 0.9"
t_check "traceroute from customer 1 still shows acme's router" \
	sh -c "nsenter --net=/run/netns/$P-C1 traceroute -n -w 1 -q 1 198.51.100.1 | grep -q '^ 1  10.0.0.1 '"

# Byte for byte: the same 300 frames (ids, TTLs 2..63, TOS and lengths
# varied; IPv6: flow labels, hop limits, traffic classes and lengths)
# through the fast path and through the router.
AMAC=$(show acme .access.mac)
C1MAC=$(nsx C1 ip -j link show c1 | jq -r '.[0].address')
received() { # FILE: the frames U got, as hex, one a line
	tcpdump -r "$1" -nn -xx 2>/dev/null |
		awk '/^[0-9]/ { if (f) print f; f = "" } /^\t0x/ { $1 = ""; f = f $0 } END { if (f) print f }' | tr -d ' '
}
capture() { # NAME
	nsx_bg U tcpdump -i u1 -w "$T_DIR/$1.pcap" -U udp port 5000 2>/dev/null
	local pid=$BG
	sleep 1
	nsx C1 $SEND c1 "$AMAC" "$C1MAC" --ipv4 10.0.0.2 198.51.100.1 --count 300 --vary
	nsx C1 $SEND c1 "$AMAC" "$C1MAC" --ipv6 2001:db8:a::2 2001:db8:ff::1 --count 300 --vary
	sleep 1
	kill "$pid"
	wait "$pid" 2>/dev/null
	received "$T_DIR/$1.pcap" >"$T_DIR/$1.hex"
}
F0=$(fast acme)
R0=$(stats acme '[.router.ifaces[].counters.rx]')
capture on
F1=$(fast acme)
echo "# the router read $R0 -> $(stats acme '[.router.ifaces[].counters.rx]') meanwhile; $(ctl -j tenant show acme | jq -c .fast)"
t_check "tenant set acme fastpath off" ctl tenant set acme fastpath off
capture off
F2=$(fast acme)
t_check "600 frames fast ($F0 -> $F1), then none ($F2)" \
	jq -e -n "$F0 as \$a | $F1 as \$b | $F2 as \$c | \$b[0] - \$a[0] == 600 and \$c == \$b"
t_check "U received all 600 both ways, byte-identical ($(wc -l <"$T_DIR/on.hex") and $(wc -l <"$T_DIR/off.hex") frames)" \
	sh -c "test \$(wc -l <'$T_DIR/on.hex') = 600 && cmp '$T_DIR/on.hex' '$T_DIR/off.hex'"
t_check "tenant set acme fastpath on" ctl tenant set acme fastpath on
nsx C1 ping -c 20 -i 0.01 -q 198.51.100.1 >/dev/null
t_check "fast again ($(fast acme))" jq -e -n "$(fast acme) as \$b | $F2 as \$a | \$b[0] > \$a[0]"

# Consistency: a stream of several thousand UDP datagrams a second that do not
# wait for answers; the time from a change in the container to the last
# frame that left by the old decision, on the uplink trunk (tcpdump's clock
# is the realtime clock date reads).
UMAC=$(nsx U ip -j link show u1 | jq -r '.[0].address')
stream_start() { # DST
	nsx_bg C1 python3 -c "if 1:
		import socket, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		end = time.time() + 20
		while time.time() < end:
			s.sendto(b'tenet', ('$1', 5209))
			time.sleep(0.0001)"
	STREAM=$BG
	sleep 1
}
stream_stop() { kill "$STREAM" 2>/dev/null; wait "$STREAM" 2>/dev/null; sleep 0.5; }
trunk_start() { # what leaves on the uplink trunk for the upstream
	nsx_bg SW tcpdump -i nic1p -e -nn -tt -U -w "$T_DIR/trunk.pcap" 'vlan 300 and udp' 2>/dev/null
	TRUNK=$BG
	sleep 1
}
trunk_stop() { sleep 1.5; kill "$TRUNK"; wait "$TRUNK" 2>/dev/null; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'; }
# ms from T0 to the last datagram to DST with destination MAC $2
last_after() { # T0 MAC DST
	tcpdump -r "$T_DIR/trunk.pcap" -e -nn -tt 2>/dev/null |
		awk -v t0="$1" -v mac="$2" -v dst="$3" 'index($0, "> " mac ",") && index($0, "> " dst ".") { last = $1 }
			END { if (last == "") print "none"; else printf "%.2f\n", (last - t0) * 1000 }'
}

stream_start 198.51.100.1
trunk_start
T1=$(date +%s.%N)
ct ip neigh replace 192.0.2.1 lladdr 02:00:5e:00:53:99 dev uplink0 nud permanent
T0=$(date +%s.%N)
trunk_stop
stream_stop
d=$(last_after "$T0" "$UMAC" 198.51.100.1)
n=$(last_after "$T0" 02:00:5e:00:53:99 198.51.100.1)
t_check "neighbour's MAC changed: the last frame to the old one left ${d} ms after \`ip neigh replace\` returned (<= 10; it took $(ms "$T1" "$T0") ms), frames to the new one follow" \
	awk -v d="$d" -v n="$n" 'BEGIN { exit !(d != "none" && d <= 10 && n != "none") }'
ct ip neigh replace 192.0.2.1 lladdr "$UMAC" dev uplink0 nud reachable
isp_reach 1 >/dev/null

# A route that covers one destination of three takes out that one only.
nsx C1 ping -c 3 -i 0.05 -q 198.51.100.2 >/dev/null
nsx C1 ping -c 3 -i 0.05 -q 198.51.100.1 >/dev/null
E0=$(show acme .fast.entries)
ct ip route add 198.51.100.1/32 via 10.0.0.3 dev access0
sleep 0.2
E1=$(show acme .fast.entries)
t_check "route 198.51.100.1/32 added: one entry of $E0 taken out ($E1 left)" test "$E1" = $((E0 - 1))
ct ip route del 198.51.100.1/32 via 10.0.0.3 dev access0
isp_reach 1 >/dev/null

stream_start 198.51.100.1
trunk_start
T1=$(date +%s.%N)
ct ip route add 198.51.100.1/32 via 10.0.0.3 dev access0
T0=$(date +%s.%N)
trunk_stop
stream_stop
d=$(last_after "$T0" "$UMAC" 198.51.100.1)
t_check "route changed under traffic: the last frame the old way left ${d} ms after \`ip route add\` returned (<= 10; it took $(ms "$T1" "$T0") ms)" \
	awk -v d="$d" 'BEGIN { exit !(d != "none" && d <= 10) }'
ct ip route del 198.51.100.1/32 via 10.0.0.3 dev access0
isp_reach 1 >/dev/null

# kill -9 under traffic: the dead router's table leaves its slot at once.
stream_start 198.51.100.1
S0=$(slot 1)
RPID=$(show acme .router.pid)
kill -9 "$RPID"
sleep 0.05
S1=$(slot 1)
t_check "router $RPID killed: table $S0 out of the slot within 50 ms (now: ${S1:-none})" \
	test -n "$S0" -a "$S0" != "$S1"
t_check "the restarted router has a table of its own again" \
	until_ok 100 eval "test -n \"\$(slot 1)\" -a \"\$(show acme .router.pid)\" != $RPID"
stream_stop
F3=$(fast acme)
nsx C1 ping -c 50 -i 0.01 -q 198.51.100.1 >/dev/null
t_check "and forwards fast ($F3 -> $(fast acme))" \
	jq -e -n "$(fast acme) as \$b | $F3 as \$a | \$b[0] - \$a[0] >= 45"

# tenetd killed -9 and started again: the router keeps its table (it
# resumes), and XDP keeps forwarding by it meanwhile.
S2=$(slot 1)
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null
# acme's access port's fast frames, from the map (tenetctl has no tenetd)
fastmap() {
	bpftool -j map lookup pinned "$BPFFS/t/tn_port_stats" key 2 0 0 0 |
		jq '[.formatted.values[].value.fast_packets] | add'
}
F5=$(fastmap)
nsx C1 ping -c 50 -i 0.01 -q 198.51.100.1 >/dev/null
F6=$(fastmap)
agent_start "$T_DIR/log2"
t_check "tenetd restarts" test $? = 0
t_check "while it was gone, the fast path forwarded on ($F5 -> $F6)" \
	test $((F6 - F5)) -ge 45
t_check "the router is back, with the same table ($S2)" \
	until_ok 50 eval "test \"\$(show acme .router.connected) \$(slot 1)\" = \"true $S2\""

# The policers hold for fast frames: with shape off the fast path stays on.
t_check "tenant set acme rate 50M shape off" ctl tenant set acme rate 50M shape off
t_check "tenant show: fast path in use (active $(show acme .fast.active))" test "$(show acme .fast.active)" = true
nsx_bg U iperf3 -s -p 5203 -B 198.51.100.1%u1 >/dev/null 2>&1
sleep 0.5
F4=$(fast acme)
nsx C1 iperf3 -c 198.51.100.1 -p 5203 -u -b 100M -l 1400 -t 4 -J >"$T_DIR/udp" 2>&1
u=$(jq '.end.sum_received.bits_per_second / 1e6 | floor' "$T_DIR/udp" 2>/dev/null || echo 0)
t_check "UDP at 100M through the fast path: $u Mbit/s arrive of 50 (+-5%)" test "$u" -ge 47 -a "$u" -le 52
t_check "forwarded fast ($F4 -> $(fast acme)), policed drops counted ($(stats acme .classifier.access.drops.policed))" \
	jq -e -n "$(fast acme) as \$b | $F4 as \$a | \$b[0] - \$a[0] > 10000 and $(stats acme .classifier.access.drops.policed) > 0"
t_check "tenant set acme shape on: the router shapes, the fast path steps aside" \
	ctl tenant set acme shape on
t_check "tenant show says so (active $(show acme .fast.active), shaped $(show acme .fast.shaped))" \
	test "$(show acme .fast.active) $(show acme .fast.shaped)" = "false true"

t_check "tenant del acme" ctl tenant del acme
t_check "its slot and its fast ports are empty" \
	sh -c "test -z '$(slot 1)' && bpftool -j map lookup pinned $BPFFS/t/tn_fast_ports key 2 0 0 0 | jq -e '.formatted.value.mtu == 0' >/dev/null &&
		bpftool -j map lookup pinned $BPFFS/t/tn_fast_ports key 3 0 0 0 | jq -e '.formatted.value.mtu == 0' >/dev/null"
t_check "beta forwards on" isp_reach 2
t_done
