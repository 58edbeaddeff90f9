#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tenant containers under tenetd: the router runs in its container with no
# capabilities, as its own uid, reniced; its sockets come from tenetd and
# sit in the tenant's XSKMAP (frames reach it); the quotas hold (memory,
# pids) without touching the other tenant; a router killed is restarted and
# gets its sockets again; a container killed is started again; tenant del
# leaves nothing. The "host" is netns H; containers are destroyed in the
# EXIT trap.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq lxc-create

SEND="python3 $TOP/tests/integration/sendframe.py"
LXCP=$T_DIR/state/lxc

T_LXC+=("H $LXCP")

ns_add H || { t_fail "create netns"; exit 1; }
host_nics H 2 || { t_fail "veth NICs"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }

show() { ctl -j tenant show "$1"; }
field() { show "$1" | jq -r "$2"; }
lxa() { # NAME CMD...: CMD in the container, from H (LXC's socket is there)
	local n=$1
	shift
	nsx H lxc-attach -P "$LXCP" -n "$n" -- "$@"
}
rx_of() { # NAME: frames the router read on access0
	ctl -j tenant stats "$1" |
		jq '[.tenants[0].router.ifaces[] | select(.ifname == "access0") | .counters.rx] | add // 0'
}
send_transit() { # N: tagged frames for acme's router to forward
	nsx H $SEND nic0p "$AMAC" 02:00:00:00:00:99 --vlan 100 \
		--ipv4 10.0.0.2 198.18.0.1 --count "$1"
}

ctl nic attach nic0 role access >/dev/null && ctl nic attach nic1 role uplink >/dev/null
t_check "tenant add acme: memory 64M, pids 30, cpu 0.5, cpuset 1" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24 gateway 192.0.2.1 \
	memory 64M pids 30 cpu 0.5 cpuset 1
t_check "tenant add beta" ctl tenant add beta access nic0 vlan 200 uplink nic1 \
	uplink-vlan 300 access-addr 10.0.0.1/24 uplink-addr 192.0.2.3/24
t_check "acme's router took its two sockets" \
	until_is 50 "true 2" field acme '"\(.router.connected) \(.router.sockets)"'
R=$(field acme .router.pid)
C=$(field acme .container.pid)
B=$(field beta .container.pid)

t_check "the router runs without capabilities: CapEff 0" \
	grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$R/status"
UB=$(field acme .container.uid_base)
t_check "as a uid of its own: 1000 in its user namespace, uid_base + 1000 outside" \
	test "$(awk '/^Uid:/ {print $2}' "/proc/$R/status")" = $((UB + 1000)) -a \
	"$(field acme .container.router_uid)" = $((UB + 1000))
t_check "the container is unprivileged: its root is uid_base, 65536 ids mapped" \
	test "$(awk '{print $1, $2, $3}' "/proc/$C/uid_map") $(awk '/^Uid:/ {print $2}' "/proc/$C/status")" = "0 $UB 65536 $UB"
t_check "acme and beta map distinct ranges" \
	test "$(field beta .container.uid_base)" -ge $((UB + 65536))
t_check "at nice -10, every thread" \
	test "$(ps -L -o ni= -p "$R" | sort -u | tr -d ' ')" = -10
t_check "in the container's cgroups: memory 64M, cpu 0.5, pids 30, cpus 1" \
	test "$(cglimits "$R")" = "67108864 50000 30 1"

BR=$(field beta .router.pid)
t_check "beta, added without limits, got the defaults: 1 CPU, 256M, 256 pids" \
	test "$(field beta '[.limits.cpu_millicores, .limits.memory_bytes, .limits.pids] | join(" ")')" = "1000 268435456 256"
t_check "and they are in force in its cgroups" \
	until_is 30 "268435456 100000 256 $(cat /sys/devices/system/cpu/online)" eval 'cglimits "$(field beta .router.pid)"'
t_check "tenant show says so" \
	sh -c "nsenter --net=/run/netns/$P-H $TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock tenant show beta | grep -q 'limits cpu 1 cpuset any memory 256M pids 256 '"

# The XSKMAP holds the router's socket: transit frames reach the router.
AMAC=$(nsenter --net="/proc/$C/ns/net" ip -j link show access0 | jq -r '.[0].address')
send_transit 10
t_check "10 transit frames reach the router through the XSKMAP" until_is 30 10 rx_of acme
rx_xsk() { # tenant_rx's counters of access0 (slot 0), as bpftool shows them
	bpftool -j map dump pinned "$BPFFS/t/tenants/1/tn_rx_stats" |
		jq -c '[.[].formatted | select(.key == 0) | .values[].value] |
			[(map(.tx_packets) | add), (map(.nosock_packets) | add)]'
}
t_check "bpftool: tenant_rx put all 10 into an XSK, none without one" \
	test "$(rx_xsk)" = "[10,0]"
t_check "tenant stats: XSK copy mode in use" \
	test "$(ctl -j tenant stats acme | jq -r '.tenants[0].xsk | "\(.requested) \(.in_use)"')" = "zero-copy copy"

# Quotas hold, and only for the tenant that has them.
oom_killed() {
	local out
	out=$(lxa acme sh -c 'x=$(head -c 200000000 /dev/zero | tr "\000" x); echo survived' 2>&1)
	! grep -q survived <<<"$out" && [ "$(cgooms "$R")" -gt 0 ]
}
t_check "a process over acme's memory quota is killed" oom_killed
t_check "acme's router and both containers live on" \
	test "$(field acme .router.pid) $(field acme .container.pid) $(field beta .container.pid)" = "$R $C $B"
out=$(lxa acme sh -c 'for i in $(seq 40); do sleep 3 & done; wait' 2>&1)
t_check "pids 30: forks beyond it fail" grep -q "fork" <<<"$out"
t_check "pids.max held: the count never passed 30" \
	test "$(cglimits "$R" | cut -d' ' -f3)" = 30 -a "$(ctl -j tenant stats acme | jq .tenants[0].usage.pids)" -le 30
# Usage read from the cgroup's own files (v2: memory.current, pids.current,
# cpu.stat), and quotas changed live, the container kept.
t_check "tenant stats: acme's usage (memory, pids, cpu time)" \
	test "$(ctl -j tenant stats acme | jq -c '.tenants[0].usage | [.memory_bytes > 0, .pids > 0, .cpu_ns > 0]')" = \
	"[true,true,true]"
t_check "tenant set acme memory 96M cpu 0.4 pids 40 cpuset 0" \
	ctl tenant set acme memory 96M cpu 0.4 pids 40 cpuset 0
t_check "in force in its cgroups at once, the container not restarted" \
	test "$(cglimits "$R") $(field acme .container.pid)" = "100663296 40000 40 0 $C"
t_check "tenant show says cpuset 0" test "$(field acme .limits.cpuset)" = 0
t_check "tenant set acme memory 64M cpu 0.5 pids 30 cpuset 1: back" \
	ctl tenant set acme memory 64M cpu 0.5 pids 30 cpuset 1
t_check "and back in its cgroups" test "$(cglimits "$R")" = "67108864 50000 30 1"

# The router killed: its init starts it again, tenetd hands it sockets.
kill -9 "$R"
t_check "router killed -9: a new one connects within 2 s" \
	until_is 20 "true 2 1" field acme '"\(.router.connected) \(.router.sockets) \(.router.restarts)"'
R2=$(field acme .router.pid)
t_check "it is another process, again without capabilities" \
	sh -c "[ $R2 != $R ] && grep -q '^CapEff:[[:space:]]*0000000000000000$' /proc/$R2/status"
send_transit 10
t_check "traffic reaches the new router" until_is 30 10 rx_of acme

# The container killed: tenetd starts it again, router and all.
nsx H lxc-stop -k -P "$LXCP" -n acme
t_check "container killed: running again within 3 s, counted" \
	until_is 30 "RUNNING 1" field acme '"\(.container.state) \(.container.restarts)"'
t_check "its router connects again" until_is 50 "true 2" field acme '"\(.router.connected) \(.router.sockets)"'
C2=$(field acme .container.pid)
AMAC=$(nsenter --net="/proc/$C2/ns/net" ip -j link show access0 | jq -r '.[0].address')
send_transit 10
t_check "traffic reaches the router of the new container" until_is 30 10 rx_of acme
t_check "beta was not touched" test "$(field beta .container.pid)" = "$B"

# Real traffic: a customer on VLAN 100 behind nic0, the upstream behind
# nic1 (the "NICs'" peers move into netns C and U). A veth drops frames
# XDP redirects into it unless its peer has GRO on (DESIGN): the peers are
# the wire here.
ns_add C && ns_add U
nsx H ip link set nic0p netns "$P-C"
nsx H ip link set nic1p netns "$P-U"
nsx C ip link set lo up
nsx C ip addr add 10.0.0.2/24 dev nic0p
nsx C ip link set nic0p up
nsx C ip route add default via 10.0.0.1
nsx C ethtool -K nic0p txvlan off tx off gro on >/dev/null
nsx C "$BUILD/tn-dp" cust-vlan nic0p 100
nsx U ip link set lo up
nsx U ip addr add 192.0.2.1/24 dev nic1p
nsx U ip addr add 203.0.113.1/32 dev lo
nsx U ip link set nic1p up
nsx U ip route add 10.0.0.0/24 via 192.0.2.2
nsx U ethtool -K nic1p tx off gro on >/dev/null
t_check "customer reaches the upstream through acme's router" ping_reach C 203.0.113.1
t_check "ping: 5 of 5" nsx C ping -c 5 -i 0.2 -W 2 203.0.113.1
t_check "traceroute shows the router's hop" \
	sh -c "nsenter --net=/run/netns/$P-C traceroute -n -w 1 -q 1 203.0.113.1 | grep -q '^ 1  10.0.0.1 '"
# (the first of each destination by itself, the rest by its fast table)
t_check "the router forwarded them (its counters: forwarded and fast)" \
	test "$(ctl -j tenant stats acme | jq '[.tenants[0].router.ifaces[].counters | .forwarded + .fast] | add')" -gt 3
nsx_bg U iperf3 -s -1 >/dev/null 2>&1
sleep 0.5
t_check "iperf3 TCP through the router" \
	sh -c "nsenter --net=/run/netns/$P-C iperf3 -c 203.0.113.1 -t 2 -J | jq -e '.end.sum_received.bits_per_second > 1e7' >/dev/null"
R3=$(field acme .router.pid)
kill -9 "$R3"
resumed() { # connected again, then pings pass (its FIB loads first)
	until_is 30 true field acme .router.connected >/dev/null && ping_reach C 203.0.113.1
}
t_check "router killed again: restarted, and traffic flows once more" resumed

# What runs in a tenant cannot hang tenetd: a FIFO where the router's
# stats file was, a "router" that says hello and then nothing.
SD=$T_DIR/run/tenants/acme
rm -f "$SD/router.stats" && mkfifo "$SD/router.stats"
t_check "a FIFO for router.stats: tenant stats answers, router unknown" \
	test "$(timeout 5 nsenter --net=/run/netns/$P-H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" -j tenant stats acme | jq .tenants[0].router)" = null
# (in the container's netns, where tenetd makes sockets for it)
nsenter --net="/proc/$C2/ns/net" python3 - "$SD/router.sock" <<'PY' &
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(json.dumps({"type": "hello", "version": 1, "pid": 1, "queues": 64}).encode())
time.sleep(6)
PY
mute=$!
sleep 0.2
t0=$(date +%s%N)
t_check "a router that never answers: tenetd still serves" \
	timeout 5 nsenter --net=/run/netns/$P-H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" status
t1=$(date +%s%N)
t_check "without waiting on it (took $(((t1 - t0) / 1000000)) ms)" \
	test $(((t1 - t0) / 1000000)) -le 1000
wait $mute
t_check "the silent router's connection was dropped, and said" \
	grep -q 'tenant acme: .*wrong handoff version; connection dropped' "$T_DIR/log"

# tenant del: nothing of acme is left.
CG=$(cgdir "$C2" memory)
t_check "tenant del acme" ctl tenant del acme
t_check "no container, veth, socket dir, pins or cgroup" \
	test ! -e "$LXCP/acme" -a ! -e "$T_DIR/run/tenants/acme" -a ! -e "$BPFFS/t/tenants/1" -a \
	! -e "$CG" -a -z "$(nsx H ip -o link show | grep -E ': tn1(a|u)')"
# A container of an older tenetd, without a user namespace: never started
# again (its root would be the host's).
sed -i '/^lxc.idmap/d' "$LXCP/beta/config"
nsx H lxc-stop -k -P "$LXCP" -n beta
sleep 3
t_check "a container without a user namespace is not started again" \
	test "$(field beta .container.state)" = STOPPED
t_check "and tenetd says why" grep -q 'tenant beta: .*no user namespace' "$T_DIR/log"
t_check "tenant del beta" ctl tenant del beta
kill -TERM "$AGENT"
wait "$AGENT"
t_check "SIGTERM: clean exit" test $? = 0
t_done
