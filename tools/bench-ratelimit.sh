#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-ratelimit: what a tenant's rate does to TCP (issue 14). In make
# demo's topology (topo_isp; tests/integration/lib-ratelimit.sh), one
# iperf3 TCP flow through tenant acme for each rate (10M, 100M, 1G) x
# direction (to_upstream: the customer sends; to_customer: iperf3 -R) x
# congestion control (bbr, cubic), while its customer pings the upstream
# through it every 50 ms. For each: the goodput iperf3's receiver counted as
# a fraction of the rate, and the queueing delay, each ping's RTT less the
# idle RTT (the median of 40 pings with no flow, measured again for each
# rate and mechanism), at p50 and p99.
#
# "after" is the shaper (tenant key `shape on`, the default burst); "before"
# the old mechanism, the policers alone with the 20 ms burst they had
# (`shape off burst 20ms`). First, with no rate, what acme reaches unlimited, for
# each direction and congestion control: a rate above that (1G here)
# cannot be reached whatever limits it.
#
# A queueing delay a little under zero is no error: a loaded path keeps
# the CPUs awake, and an idle ping pays for waking them.
#
# A Markdown table on stdout, progress on stderr, JSON (tools/README) in
# $BENCH_DIR/ratelimit.json, build/bench/ratelimit.json without BENCH_DIR.
# About 5 minutes with the defaults.
# Usage: tools/bench-ratelimit.sh [-t SECONDS] [-r "10M 100M 1G"] [-c "bbr cubic"]
set -u
[ -z "${BENCH_DIR:-}" ] || BENCH_DIR=$(realpath -m "$BENCH_DIR")
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tools/bench-lib.sh
. tools/bench-lib.sh
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh
# shellcheck source=tests/integration/lib-ratelimit.sh
. tests/integration/lib-ratelimit.sh
RL_SECS=10
RATES="10M 100M 1G"
CCS="bbr cubic"
DIRS="to_upstream to_customer"
while [ $# -gt 0 ]; do
	case $1 in
	-t) RL_SECS=$2; shift ;;
	-r) RATES=$2; shift ;;
	-c) CCS=$2; shift ;;
	*) echo "usage: $0 [-t SECONDS] [-r \"10M 100M 1G\"] [-c \"bbr cubic\"]" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench-ratelimit: needs root" >&2; exit 1; }
for c in jq iperf3 lxc-create ss; do
	command -v "$c" >/dev/null || { echo "bench-ratelimit: $c is needed (make deps)" >&2; exit 1; }
done
t_init >/dev/null
OUT=${BENCH_DIR:-$BUILD/bench}/ratelimit.json
ROWS=$T_DIR/rows.jsonl
: >"$ROWS"
say() { echo "bench-ratelimit: $*" >&2; }
bps_of() { # 10M -> 10000000 (k, M, G decimal, as tenetctl takes them)
	awk -v r="$1" 'BEGIN { m = 1; u = substr(r, length(r))
		if (u == "k") m = 1e3; else if (u == "M") m = 1e6; else if (u == "G") m = 1e9
		if (m > 1) r = substr(r, 1, length(r) - 1); printf "%d", r * m }'
}

say "topology, tenetd, tenants acme and beta"
# fastpath off: the policer-alone rows are the router's, as before the fast
# table (with it, a `shape off` tenant's frames are policed in XDP only)
rl_setup fastpath off || { say "set-up failed"; exit 1; }


# idle_rtt: the median RTT through acme with no flow.
idle_rtt() {
	nsx C1 ping -n -c 40 -i 0.05 -W 2 198.51.100.1 >"$T_DIR/idle" 2>&1
	rl_rtts "$T_DIR/idle" | rl_pct 50
}

# row RATE MODE DIR CC IDLE: one flow with pings meanwhile; prints the
# progress line and appends a JSON row.
row() {
	local rate=$1 mode=$2 dir=$3 cc=$4 idle=$5 bps f mb p50 p99 r50 r99 sent lost
	f=$T_DIR/$rate-$mode-$dir-$cc
	bps=0
	[ "$rate" = unlimited ] || bps=$(bps_of "$rate")
	rl_tcp acme "$dir" "$cc" "$f.json" &
	local job=$!
	sleep 0.5
	rl_ping_bg C1 $(((RL_SECS - 1) * 20)) 0.05 "$f.ping"
	wait "$PING"
	wait "$job"
	mb=$(rl_mbps "$f.json")
	[ -n "$mb" ] || say "iperf3 failed: $(rl_err "$f.json")"
	r50=$(rl_rtts "$f.ping" | rl_pct 50)
	r99=$(rl_rtts "$f.ping" | rl_pct 99)
	p50=$(rl_rtts "$f.ping" "$idle" | rl_pct 50)
	p99=$(rl_rtts "$f.ping" "$idle" | rl_pct 99)
	sent=$(rl_ping_sent "$f.ping")
	lost=$(rl_ping_lost "$f.ping")
	say "$(printf '%-9s %-6s %-11s %-5s %7s Mbit/s%s, queueing delay p50 %s p99 %s ms, %s of %s pings lost' \
		"$rate" "$mode" "$dir" "$cc" "${mb:--}" \
		"$([ "$bps" -gt 0 ] && [ -n "$mb" ] && printf ' (%s of the rate)' "$(fcalc "$mb * 1e6 / $bps")")" \
		"${p50:--}" "${p99:--}" "${lost:--}" "${sent:--}")"
	jq -n -c --arg rate "$rate" --argjson bps "$bps" --arg mode "$mode" --arg dir "$dir" \
		--arg cc "$cc" --arg mb "$mb" --arg idle "$idle" --arg p50 "$p50" --arg p99 "$p99" \
		--arg r50 "$r50" --arg r99 "$r99" --arg sent "$sent" --arg lost "$lost" '
		def num: if . == "" then null else tonumber end;
		{rate: $rate, rate_bps: $bps, mode: $mode, direction: $dir, cc: $cc,
		 goodput_bps: (($mb | num) as $m | if $m == null then null else $m * 1e6 end),
		 fraction: (if $bps > 0 and ($mb | num) != null then ($mb | num) * 1e6 / $bps else null end),
		 idle_rtt_ms: ($idle | num),
		 qdelay_ms: {p50: ($p50 | num), p99: ($p99 | num)},
		 rtt_ms: {p50: ($r50 | num), p99: ($r99 | num)},
		 pings: {sent: ($sent | num), lost: ($lost | num)}}' >>"$ROWS"
}

block() { # RATE MODE: every direction and congestion control
	local idle dir cc
	idle=$(idle_rtt)
	say "rate $1, $2: idle RTT ${idle:-?} ms"
	for dir in $DIRS; do
		for cc in $CCS; do
			row "$1" "$2" "$dir" "$cc" "${idle:-0}"
		done
	done
}

block unlimited none
for rate in $RATES; do
	ctl tenant set acme rate "$rate" >/dev/null || { say "rate $rate refused"; exit 1; }
	block "$rate" after
	ctl tenant set acme shape off burst 20ms >/dev/null || exit 1
	block "$rate" before
	ctl tenant set acme shape on burst default >/dev/null || exit 1
done

mkdir -p "$(dirname "$OUT")"
bench_write ratelimit "$OUT" "$ROWS" "$(jq -n -c --argjson secs "$RL_SECS" '
	{params: {flow_s: $secs, ping_interval_s: 0.05,
	  before: "shape off burst 20ms: the policers alone, as before issue 14",
	  after: "shape on, burst default: the shaper"},
	 keys: ["rate", "mode", "direction", "cc"],
	 values: ["goodput_bps", "fraction", "idle_rtt_ms", "qdelay_ms.p50", "qdelay_ms.p99",
	  "pings.lost"],
	 units: {rate_bps: "bit/s", goodput_bps: "bit/s", fraction: "goodput/rate",
	  idle_rtt_ms: "ms", "qdelay_ms.p50": "ms", "qdelay_ms.p99": "ms",
	  "rtt_ms.p50": "ms", "rtt_ms.p99": "ms", "pings.sent": "pings", "pings.lost": "pings"},
	 plots: [{name: "goodput", title: "TCP goodput as a fraction of the rate",
	   x: "rate", series: ["mode", "direction", "cc"], y: ["fraction"],
	   ylabel: "goodput / rate"},
	  {name: "qdelay", title: "Queueing delay p99 during the flow",
	   x: "rate", series: ["mode", "direction", "cc"], y: ["qdelay_ms.p99"],
	   ylabel: "ms"}]}')" || { say "cannot write $OUT"; exit 1; }

# The table, from the JSON.
echo "TCP through a rate-limited tenant, one iperf3 flow of ${RL_SECS} s; goodput as a"
echo "fraction of the rate; queueing delay = ping RTT during the flow less the idle RTT (ms)."
echo
jq -r '
	def f(x): if x == null then "n/a" else (x * 1000 | round / 1000 | tostring) end;
	def q(x): if x == null then "n/a" else "\(f(x.p50)) / \(f(x.p99))" end;
	(.rows | map(select(.rate == "unlimited"))) as $u |
	(.rows | map(select(.rate != "unlimited"))) as $r |
	"| rate | direction | cc | after: goodput/rate | after: delay p50 / p99 ms | before: goodput/rate | before: delay p50 / p99 ms |",
	"|---|---|---|---|---|---|---|",
	(([$r[] | {rate, direction, cc}] |
	   reduce .[] as $x ([]; if any(.[]; . == $x) then . else . + [$x] end) | .[]) as $k |
	 ($r | map(select(.rate == $k.rate and .direction == $k.direction and .cc == $k.cc))) as $m |
	 ($m | map(select(.mode == "after"))[0]) as $a |
	 ($m | map(select(.mode == "before"))[0]) as $b |
	 "| \($k.rate) | \($k.direction) | \($k.cc) | \(f($a.fraction)) | \(q($a.qdelay_ms)) | \(f($b.fraction)) | \(q($b.qdelay_ms)) |"),
	"",
	"Unlimited (no rate), Mbit/s: " +
	([$u[] | "\(.direction) \(.cc) \(if .goodput_bps == null then "n/a" else (.goodput_bps / 1e6 | round | tostring) end)"] | join(", "))
' "$OUT"
echo
echo "JSON: $OUT"
