#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-router: tenet-router against the kernel's own IPv4 forwarding
# in one topology, with one generator and one core split, in one run.
#
#   netns G (generator)     netns R (router)            netns S (sink)
#   g0 10.1.0.2 ---------- a0 10.1.0.1   b0 10.2.0.1 ---------- s0 10.2.0.2
#
# The generator is BPF_PROG_RUN with live frames transmitting out g0 (no skb
# per frame, ~7 Mpps a core here): it offers more than either forwarder
# takes. The sink counts and drops at XDP on s0. tenant_rx sits on a0 and
# b0 in both runs; with no socket bound it hands frames to R's kernel,
# which forwards them (ip_forward=1). In the tenet run R's kernel does not
# forward (ip_forward=0) and tenet-router (copy-mode AF_XDP) does.
#
# Cores: the generator and s0's NAPI thread on CPU 0; a0's and b0's NAPI
# threads and the forwarder (the kernel in a0's NAPI, or tenet-router) on
# CPU 1. tenet-router runs at nice -10 (ROUTER_NICE), as tenetd starts it:
# it shares its core with the NAPI thread that feeds it and must win that
# core when it has frames, or under overload the NAPI thread spends it on
# frames that are then dropped at the full XSK RX ring. (The kernel forwards
# inside that NAPI thread: it has no second thread to balance.) Kernel and tenet runs alternate, ROUNDS times; medians are
# reported (this machine is shared and noisy).
#
# The table on stdout; with BENCH_DIR set (make bench), the same as
# $BENCH_DIR/router.json too (tools/README): a row per size and mode, and
# one for the route change latency.
# Usage: tools/bench-router.sh [-t SECONDS] [-r ROUNDS] [-s SIZES] [--profile]
set -u
[ -z "${BENCH_DIR:-}" ] || BENCH_DIR=$(realpath -m "$BENCH_DIR")
cd "$(dirname "$0")/.." || exit 2
. tests/integration/lib.sh
. tools/bench-lib.sh
SECS=4
ROUNDS=3
ROUTER_NICE=${ROUTER_NICE:--10}
SIZES="64 1518"
PROFILE=
while [ $# -gt 0 ]; do
	case $1 in
	-t) SECS=$2; shift ;;
	-r) ROUNDS=$2; shift ;;
	-s) SIZES=$2; shift ;;
	--profile) PROFILE=1 ;;
	*) echo "usage: $0 [-t SECONDS] [-r ROUNDS] [-s \"64 1518\"] [--profile]" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench-router: needs root" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench-router: needs 2 CPUs" >&2; exit 1; }
t_init >/dev/null

say() { echo "bench-router: $*" >&2; }
ns_add G && ns_add R && ns_add S || exit 1
nsx R ip link add a0 type veth peer name g0 netns "$P-G"
nsx R ip link add b0 type veth peer name s0 netns "$P-S"
for n in G R S; do
	nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
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
pin_napi s0 0

DP="$BUILD/tn-dp --bpffs $BPFFS/tenet"
XDP="$BUILD/tn-bench-xdp"
declare -A RES=()

div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run() { # MODE SIZE [profile]
	local mode=$1 size=$2 out
	nsx_bg S "$XDP" sink s0 $((SECS + 2)) >"$T_DIR/sink" 2>&1
	local sink=$BG
	wait_for "$T_DIR/sink" ready || { say "sink did not start"; return 1; }
	if [ $# -eq 3 ]; then
		perf record -q -e cpu-clock -C 1 -o "$T_DIR/perf.data" -- \
			sleep $((SECS - 1)) >/dev/null 2>&1 &
	fi
	out=$(nsx G taskset -c 0 "$XDP" gen g0 "$A_MAC" 10.2.0.2 10.1.0.2 "$size" "$SECS") ||
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

for size in $SIZES; do
	for r in $(seq "$ROUNDS"); do
		say "size $size, round $r: kernel forwarding, then tenet-router"
		kernel_run "$size" && tenet_run "$size" || exit 1
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

echo "tenet-router (nice $ROUTER_NICE) vs kernel IPv4 forwarding, veth" \
	"(AF_XDP copy mode), median of $ROUNDS runs of ${SECS} s"
printf '%6s  %-7s %13s %15s %8s\n' size mode "offered Mpps" "forwarded Mpps" ratio
for size in $SIZES; do
	k=$(median <<<"${RES[kernel,$size,fwd]}")
	t=$(median <<<"${RES[tenet,$size,fwd]}")
	for mode in kernel tenet; do
		printf '%6s  %-7s %13s %15s %8s\n' "$size" "$mode" \
			"$(median <<<"${RES[$mode,$size,offered]}")" \
			"$(median <<<"${RES[$mode,$size,fwd]}")" \
			"$([ $mode = tenet ] && div "$t" "$k" || echo -)"
	done
done
printf 'route change, from starting `ip route add` to in the FIB (ms, 20 routes):' 
printf ' median %s, max %s\n' "$(median <<<"${LAT[*]}")" \
	"$(tr ' ' '\n' <<<"${LAT[*]}" | sort -g | tail -1)"
if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	for size in $SIZES; do
		k=$(median <<<"${RES[kernel,$size,fwd]}")
		for mode in kernel tenet; do
			f=$(median <<<"${RES[$mode,$size,fwd]}")
			jq -n -c --argjson size "$size" --arg mode "$mode" \
				--argjson off "$(median <<<"${RES[$mode,$size,offered]}")" \
				--argjson fwd "$f" --argjson k "$k" '
				{mode: $mode, size: $size, offered_mpps: $off, fwd_mpps: $fwd,
				 ratio: (if $mode == "tenet" and $k > 0 then $fwd / $k * 1000 | round / 1000
					 else null end)}'
		done
	done >"$T_DIR/rows.jsonl"
	jq -n -c --argjson med "$(median <<<"${LAT[*]}")" \
		--argjson max "$(tr ' ' '\n' <<<"${LAT[*]}" | sort -g | tail -1)" \
		'{mode: "route change", route_ms_median: $med, route_ms_max: $max}' \
		>>"$T_DIR/rows.jsonl"
	bench_write router "$BENCH_DIR/router.json" "$T_DIR/rows.jsonl" "$(jq -n -c \
		--argjson secs "$SECS" --argjson rounds "$ROUNDS" --argjson nice "$ROUTER_NICE" '
		{params: {run_s: $secs, rounds: $rounds, router_nice: $nice,
		  what: "medians of alternating kernel and tenet runs, veth, AF_XDP copy mode"},
		 keys: ["mode", "size"],
		 units: {size: "B", offered_mpps: "Mpps", fwd_mpps: "Mpps",
		  ratio: "tenet/kernel", route_ms_median: "ms", route_ms_max: "ms"},
		 plots: [{name: "mpps", title: "Forwarded Mpps by frame size, kernel vs tenet-router",
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
