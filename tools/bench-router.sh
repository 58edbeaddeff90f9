#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-router: tenet-router, and tenetd's fast path, against the
# kernel's own IPv4 forwarding, with one generator and one core split, in
# one run: modes kernel, tenet and fast.
#
#   netns G (generator)     netns R (router)            netns S (sink)
#   g0 10.1.0.2 ---------- a0 10.1.0.1   b0 10.2.0.1 ---------- s0 10.2.0.2
#
#                           netns H (tenetd's host: mode fast)
#   PFXg ----------------- PFXfa (access)   PFXfu (uplink) ------- PFXs
#   gt0 10.3.0.2, VLAN 100  tenant f, its router in LXC:          st0 10.4.0.2,
#                           10.3.0.1/24, 10.4.0.1/24, fastpath on  VLAN 2100
#
# The generator is BPF_PROG_RUN with live frames transmitting out g0 (mode
# fast: PFXg; no skb per frame, ~7 Mpps a core here): it offers more than
# any forwarder takes. The sink counts and drops at XDP on s0 (PFXs).
# tenant_rx sits on a0 and b0 in both the kernel and the tenet run; with
# no socket bound it hands frames to R's kernel, which forwards them
# (ip_forward=1). In the tenet run R's kernel does not forward
# (ip_forward=0) and tenet-router (copy-mode AF_XDP) does.
#
# Cores: the generator and s0's NAPI thread on CPU 0, the latter real-time
# (SCHED_FIFO), as bench-rfc2544's sinks: the generator is a busy loop in
# the kernel there, which would hold the sink off for whole time slices,
# and the sink, not the forwarder, would set the figure: 64 B, runs of 2 s
# on 2026-12-03, the kernel forwarded 0.17-0.19 Mpps with the sink at
# SCHED_OTHER and 0.24-0.35 with it real-time, tenet-router 0.12-0.17
# either way, the fast path 0.40 and 1.0-1.3 (so runs before that change
# understate the kernel, and overstate tenet's ratio to it). a0's and
# b0's NAPI threads and the forwarder (the kernel in a0's NAPI, or
# tenet-router) on CPU 1. tenet-router runs at nice -10 (ROUTER_NICE), as
# tenetd starts it: it shares its core with the NAPI thread that feeds it
# and must win that core when it has frames, or under overload the NAPI
# thread spends it on frames that are then dropped at the full XSK RX ring.
# (The kernel forwards inside that NAPI thread: it has no second thread to
# balance.) The modes'
# runs alternate, ROUNDS times; medians are reported (this machine is
# shared and noisy).
#
# Mode fast: the fast path is nic_ingress (XDP on tenetd's NICs) forwarding
# by a table that tenetd makes and a tenant's router, in its container,
# fills; none of that is in R, where tenet-router runs standalone. So fast
# is its own setup: tenetd with one tenant on a second pair of veth "NICs"
# in netns H, as bench-rfc2544's tenet system has them (veth mode, access
# VLAN 100, uplink VLAN 2100; tools/bench-lib.sh's VLAN ports; the router
# on cpuset 1), measured by the same generator and sink, cores, run length
# and rounds, in turn with the other modes. Its frames are the same IP
# packets with an 802.1Q tag on top (4 bytes more on the wire: a VLAN is
# how a tenant's frames reach the NIC), and leave tagged for the uplink
# VLAN. The NICs' NAPI threads, which do all of its forwarding, are on
# CPU 1 like a0's and b0's, and its ratio is to the kernel's forwarding in
# R, as tenet's is. Before the first run a few pings through the tenant
# make its router forward to both sides and put them in its fast table;
# after each run tenetd's counters (tenant stats: fast_packets) say what
# share nic_ingress forwarded itself, and the benchmark fails if it
# forwarded nothing (the fast path did not engage). The sink passes ARP,
# so the router keeps its neighbour resolved meanwhile.
#
# The table on stdout; with BENCH_DIR set (make bench), the same as
# $BENCH_DIR/router.json too (tools/README): a row per size and mode, and
# one for the route change latency.
# Usage: tools/bench-router.sh [-t SECONDS] [-r ROUNDS] [-s SIZES]
#        [-m MODES] [--profile]
# -m: of "kernel tenet fast" (all by default); fast needs LXC (make deps).
# SECS and ROUNDS in the environment are -t's and -r's defaults (make
# bench-router SECS=2 ROUNDS=1).
set -u
[ -z "${BENCH_DIR:-}" ] || BENCH_DIR=$(realpath -m "$BENCH_DIR")
cd "$(dirname "$0")/.." || exit 2
. tests/integration/lib.sh
. tools/bench-lib.sh
SECS=${SECS:-4}
ROUNDS=${ROUNDS:-3}
ROUTER_NICE=${ROUTER_NICE:--10}
SIZES="64 1518"
MODES="kernel tenet fast"
PROFILE=
usage() {
	echo "usage: $0 [-t SECONDS] [-r ROUNDS] [-s \"64 1518\"] [-m \"kernel tenet fast\"]" \
		"[--profile]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	-t) SECS=$2; shift ;;
	-r) ROUNDS=$2; shift ;;
	-s) SIZES=$2; shift ;;
	-m) MODES=$2; shift ;;
	--profile) PROFILE=1 ;;
	*) usage ;;
	esac
	shift
done
for m in $MODES; do case $m in kernel | tenet | fast) ;; *) usage ;; esac; done
has() { [[ " $MODES " == *" $1 "* ]]; }
[ "$(id -u)" = 0 ] || { echo "bench-router: needs root" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench-router: needs 2 CPUs" >&2; exit 1; }
if has fast; then
	command -v lxc-start >/dev/null || { echo "bench-router: mode fast needs LXC" \
		"(make deps); -m \"kernel tenet\" runs without it" >&2; exit 1; }
fi
t_init >/dev/null

say() { echo "bench-router: $*" >&2; }
ns_add G && ns_add R && ns_add S || exit 1
nsx R ip link add a0 type veth peer name g0 netns "$P-G"
nsx R ip link add b0 type veth peer name s0 netns "$P-S"
for n in G R S; do
	nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
nsx G ip addr add 10.1.0.2/24 dev g0
nsx R ip addr add 10.1.0.1/24 dev a0
nsx R ip addr add 10.2.0.1/24 dev b0
nsx S ip addr add 10.2.0.2/24 dev s0
nsx G ip link set g0 up
nsx S ip link set s0 up
nsx R ip link set a0 up
nsx R ip link set b0 up
S_MAC=$(nsx S ip -j link show s0 | jq -r '.[0].address')
A_MAC=$(nsx R ip -j link show a0 | jq -r '.[0].address')
nsx R ip neigh replace 10.2.0.2 lladdr "$S_MAC" dev b0 nud permanent
# NAPI threads we can pin (a veth has NAPI only with GRO or XDP on).
for d in "R a0" "R b0" "S s0"; do
	set -- $d
	nsx $1 ethtool -K $2 gro on >/dev/null
	ip netns exec "$P-$1" sh -c "echo 1 > /sys/class/net/$2/threaded" ||
		{ say "cannot thread $2's NAPI"; exit 1; }
done
pin_napi a0 1
pin_napi b0 1
pin_napi s0 0 fifo

# Mode fast's setup (the picture above). Its devices are named with the
# run's prefix: pin_napi finds NAPI threads by device name.
FG=${P}g FS=${P}s FA=${P}fa FU=${P}fu
fast_setup() {
	ns_add H || return 1
	T_LXC+=("H $T_DIR/state/lxc")
	nsx H sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsx H ip link add "$FA" type veth peer name "$FG" netns "$P-G" &&
		nsx H ip link add "$FU" type veth peer name "$FS" netns "$P-S" || return 1
	# Tags in-band, full checksums at the ends; GRO on: NAPI (threaded,
	# pinned as a0's, b0's and s0's), and the peer a veth needs to take
	# what XDP redirects into it.
	nsx G ethtool -K "$FG" txvlan off tx off gro on >/dev/null &&
		nsx S ethtool -K "$FS" txvlan off tx off gro on >/dev/null &&
		nsx H ethtool -K "$FA" gro on >/dev/null && nsx H ethtool -K "$FU" gro on >/dev/null &&
		nsx G ip link set "$FG" up && nsx S ip link set "$FS" up &&
		nsx H ip link set "$FA" up && nsx H ip link set "$FU" up || return 1
	ip netns exec "$P-H" sh -c "echo 1 > /sys/class/net/$FA/threaded &&
		echo 1 > /sys/class/net/$FU/threaded" &&
		ip netns exec "$P-S" sh -c "echo 1 > /sys/class/net/$FS/threaded" || return 1
	pin_napi "$FA" 1 && pin_napi "$FU" 1 && pin_napi "$FS" 0 fifo || return 1
	# The customer (for the pings) and the gateway, on the tenant's VLANs.
	vlan_port G "$FG" gt0 100 10.3.0.2/24 && nsx G ip route add 10.4.0.0/24 via 10.3.0.1 &&
		vlan_port S "$FS" st0 2100 10.4.0.2/24 && nsx S ip route add 10.3.0.0/24 via 10.4.0.1 ||
		return 1
	agent_start "$T_DIR/tenetd.log" || { say "tenetd did not start ($T_DIR/tenetd.log)"; return 1; }
	ctl nic attach "$FA" role access >/dev/null && ctl nic attach "$FU" role uplink >/dev/null &&
		ctl tenant add f access "$FA" vlan 100 uplink "$FU" uplink-vlan 2100 \
			access-addr 10.3.0.1/24 uplink-addr 10.4.0.1/24 gateway 10.4.0.2 \
			cpuset 1 fastpath on >/dev/null || return 1
	F_MAC=$(ctl -j tenant show f | jq -r .access.mac)
	until_is 600 true eval "ctl -j tenant show f | jq .router.connected" ||
		{ say "tenant f's router did not connect"; return 1; }
	# The router forwards to both sides: it resolves their neighbours and
	# puts them in its table.
	ping_reach G 10.4.0.2 || { say "no ping through tenant f"; return 1; }
	nsx G ping -q -c 3 -i 0.2 10.4.0.2 >/dev/null || { say "pings through tenant f lost"; return 1; }
	until_is 50 true eval "ctl -j tenant show f | jq '.fast.entries >= 1'" ||
		{ say "tenant f's router put nothing in its fast table"; return 1; }
}
if has fast; then
	say "mode fast: tenetd, one tenant"
	fast_setup || { say "cannot set up mode fast"; exit 1; }
fi

DP="$BUILD/tn-dp --bpffs $BPFFS/tenet"
XDP="$BUILD/tn-bench-xdp"
declare -A RES=()

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run() { # MODE SIZE [profile]
	local mode=$1 size=$2 out gdev=g0 sdev=s0 mac=$A_MAC dst=10.2.0.2 src=10.1.0.2 vid=
	[ "$mode" != fast ] || gdev=$FG sdev=$FS mac=$F_MAC dst=10.4.0.2 src=10.3.0.2 vid=100
	nsx_bg S "$XDP" sink "$sdev" $((SECS + 2)) >"$T_DIR/sink" 2>&1
	local sink=$BG
	wait_for "$T_DIR/sink" ready || { say "sink did not start"; return 1; }
	if [ $# -eq 3 ]; then
		perf record -q -e cpu-clock -C 1 -o "$T_DIR/perf.data" -- \
			sleep $((SECS - 1)) >/dev/null 2>&1 &
	fi
	out=$(nsx G taskset -c 0 "$XDP" gen "$gdev" "$mac" "$dst" "$src" "$size" "$SECS" ${vid:+"$vid"}) ||
		{ say "generator failed: $out"; return 1; }
	wait "$sink"
	local offered received
	offered=$(jq '.offered_pps' <<<"$out")
	received=$(tail -1 "$T_DIR/sink" | jq '.received')
	offered=$(div "$offered" 1000000)
	received=$(div "$received" $((SECS * 1000000)))
	[ $# -eq 3 ] && return 0
	RES[$mode,$size,offered]+=" $offered"
	RES[$mode,$size,fwd]+=" $received"
	say "$(printf '%-6s %5s B: offered %s Mpps, forwarded %s Mpps' "$mode" "$size" \
		"$offered" "$received")"
}

kernel_run() { # SIZE
	nsx R sysctl -qw net.ipv4.ip_forward=1
	nsx R $DP rx attach a0 tenant 1 slot 0 addr 10.1.0.1 >/dev/null &&
		nsx R $DP rx attach b0 tenant 1 slot 1 addr 10.2.0.1 >/dev/null || return 1
	run kernel "$@" || return 1
	nsx R $DP detach a0 && nsx R $DP detach b0
}

tenet_run() { # SIZE [profile]
	nsx R sysctl -qw net.ipv4.ip_forward=0
	nsx_bg R nice -n "$ROUTER_NICE" taskset -c 1 "$BUILD/tenet-router" --standalone -i a0 -i b0 ${ROUTER_ARGS:-} \
		>"$T_DIR/router.log" 2>&1
	ROUTER=$BG
	wait_for "$T_DIR/router.log" "forwarding on" 100 ||
		{ cat "$T_DIR/router.log" >&2; return 1; }
	run tenet "$@" || return 1
	kill -TERM $ROUTER
	wait $ROUTER
	grep -E "^(a0|b0) q0" "$T_DIR/router.log" | tail -2 |
		sed 's/^/bench-router:   router /' >&2
}

# fast_ctrs: what tenant f's classifier ports forwarded fast and delivered
# to its router, both ports summed.
fast_ctrs() {
	ctl -j tenant stats f | jq -r '.tenants[0].classifier |
		"\([.[].fast_packets] | add) \([.[].tx_packets] | add)"'
}
fast_run() { # SIZE
	local f0 d0 f1 d1
	read -r f0 d0 <<<"$(fast_ctrs)"
	[ -n "$d0" ] || { say "no counters from tenetd"; return 1; }
	run fast "$@" || return 1
	read -r f1 d1 <<<"$(fast_ctrs)"
	[ -n "$d1" ] || { say "no counters from tenetd"; return 1; }
	if [ "$f1" -le "$f0" ]; then
		say "mode fast, $1 B: nic_ingress forwarded nothing itself, the fast path" \
			"did not engage (tenant show f: $(ctl -j tenant show f | jq -c .fast))"
		return 1
	fi
	RES[fast,$1,share]+=" $(div $((f1 - f0)) $((f1 - f0 + d1 - d0)))"
	say "  fast: $((f1 - f0)) frames forwarded by nic_ingress, $((d1 - d0)) by the router"
}

for size in $SIZES; do
	for r in $(seq "$ROUNDS"); do
		say "size $size, round $r: $MODES"
		for m in $MODES; do
			"${m}_run" "$size" || exit 1
		done
	done
done

# How long from starting `ip route add` to the route being in the FIB (an
# upper bound: it includes running nsenter and ip):
# the router logs the wall-clock time it applied each change (debug).
say "route change latency: 20 routes added in R while tenet-router runs"
nsx_bg R "$BUILD/tenet-router" --standalone -i a0 -i b0 --log-level debug \
	>"$T_DIR/route.log" 2>&1
ROUTER=$BG
wait_for "$T_DIR/route.log" "forwarding on" 100 || exit 1
LAT=()
for i in $(seq 20); do
	t0=$(date +%s.%N)
	nsx R ip route add "10.77.$i.0/24" via 10.2.0.2
	wait_for "$T_DIR/route.log" "route add 10.77.$i.0/24 in the FIB" 20 || { say "route $i never arrived"; exit 1; }
	t1=$(sed -n "s|.*route add 10.77.$i.0/24 in the FIB at \([0-9.]*\).*|\1|p" "$T_DIR/route.log")
	LAT+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
done
kill -TERM $ROUTER
wait $ROUTER
for i in $(seq 20); do nsx R ip route del "10.77.$i.0/24"; done

# ratio MODE SIZE: MODE's median over the kernel's ("-" for the kernel, or
# without its figure).
ratio() {
	local k f
	k=$(median <<<"${RES[kernel,$2,fwd]:-}")
	f=$(median <<<"${RES[$1,$2,fwd]:-}")
	if [ "$1" = kernel ] || [ -z "$k" ] || [ -z "$f" ] || awk -v k="$k" 'BEGIN { exit !(k <= 0) }'; then
		echo -
	else
		div "$f" "$k"
	fi
}
echo "tenet-router (nice $ROUTER_NICE) vs kernel IPv4 forwarding, veth" \
	"(AF_XDP copy mode), and tenetd's fast path (fast: XDP, NIC to NIC," \
	"802.1Q-tagged), median of $ROUNDS runs of ${SECS} s"
printf '%6s  %-7s %13s %15s %8s\n' size mode "offered Mpps" "forwarded Mpps" ratio
for size in $SIZES; do
	for mode in $MODES; do
		printf '%6s  %-7s %13s %15s %8s\n' "$size" "$mode" \
			"$(median <<<"${RES[$mode,$size,offered]}")" \
			"$(median <<<"${RES[$mode,$size,fwd]}")" "$(ratio "$mode" "$size")"
	done
done
if has fast; then
	printf 'fast: share nic_ingress forwarded itself (median):'
	for size in $SIZES; do printf ' %s B %s' "$size" "$(median <<<"${RES[fast,$size,share]}")"; done
	echo
fi
printf 'route change, from starting `ip route add` to in the FIB (ms, 20 routes):' 
printf ' median %s, max %s\n' "$(median <<<"${LAT[*]}")" \
	"$(tr ' ' '\n' <<<"${LAT[*]}" | sort -g | tail -1)"
if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	for size in $SIZES; do
		for mode in $MODES; do
			jq -n -c --argjson size "$size" --arg mode "$mode" \
				--argjson off "$(median <<<"${RES[$mode,$size,offered]}")" \
				--argjson fwd "$(median <<<"${RES[$mode,$size,fwd]}")" \
				--arg ratio "$(ratio "$mode" "$size")" \
				--arg share "$(median <<<"${RES[$mode,$size,share]:-}")" '
				{mode: $mode, size: $size, offered_mpps: $off, fwd_mpps: $fwd,
				 ratio: ($ratio | tonumber? // null)} +
				if $mode == "fast" then {fast_share: ($share | tonumber? // null)} else {} end'
		done
	done >"$T_DIR/rows.jsonl"
	jq -n -c --argjson med "$(median <<<"${LAT[*]}")" \
		--argjson max "$(tr ' ' '\n' <<<"${LAT[*]}" | sort -g | tail -1)" \
		'{mode: "route change", route_ms_median: $med, route_ms_max: $max}' \
		>>"$T_DIR/rows.jsonl"
	bench_write router "$BENCH_DIR/router.json" "$T_DIR/rows.jsonl" "$(jq -n -c \
		--argjson secs "$SECS" --argjson rounds "$ROUNDS" --argjson nice "$ROUTER_NICE" \
		--arg modes "$MODES" '
		{params: {run_s: $secs, rounds: $rounds, router_nice: $nice, modes: $modes,
		  what: ("medians of alternating kernel, tenet (AF_XDP copy mode) and fast" +
			 " (tenetd, nic_ingress, 802.1Q-tagged) runs, veth")},
		 keys: ["mode", "size"],
		 units: {size: "B", offered_mpps: "Mpps", fwd_mpps: "Mpps",
		  ratio: "mode/kernel", route_ms_median: "ms", route_ms_max: "ms"},
		 plots: [{name: "mpps", title: "Forwarded Mpps by frame size: kernel, tenet-router, fast path",
		  x: "size", series: ["mode"], y: ["fwd_mpps"], ylabel: "Mpps"}]}')" ||
		{ say "cannot write $BENCH_DIR/router.json"; exit 1; }
	echo "JSON: $BENCH_DIR/router.json"
fi
if [ -n "$PROFILE" ]; then
	size=${SIZES%% *}
	say "profiling CPU 1 in an extra tenet run at $size B"
	tenet_run "$size" profile || exit 1
	echo "CPU 1 during a tenet run at $size B (perf, cpu-clock), top symbols:"
	perf report -q -i "$T_DIR/perf.data" --no-children \
		--sort comm,symbol --stdio 2>/dev/null | grep -v '^$' | head -25
fi
