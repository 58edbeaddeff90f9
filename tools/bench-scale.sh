#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-scale: N tenants on one host (issue 19), measured against its
# targets. A host netns with two veth "NICs" (access, uplink) into a switch
# netns; tenants t0001..tNNNN in veth mode on access VLAN 100+i and uplink
# VLAN 2000+i (i from 1), every 10th with a customer netns and an upstream
# netns of its own behind its VLANs (tn-dp cust-vlan tags in tc, as
# make demo's), which must forward: a ping through each, before and after.
# The others are checked through tn_vlan (two entries each).
#
# Measured, each against the issue's target:
#   tenant add: latency p50 and p99 overall and per tenth of the fill
#     (target p50 <= 0.5 s, p99 <= 1.5 s at any fill level);
#   host memory per tenant: MemAvailable before the first add less after
#     the last, over N (everything a tenant costs the host: processes,
#     kernel objects, page cache it makes), and the resident set (PSS) of
#     one tenant's processes, router, container init and LXC monitor, for
#     a sample (target <= 8 MiB);
#   tenetd's RSS at the end;
#   tenetd restarted (SIGTERM, started again): seconds until every router
#     is up again, and the pings lost meanwhile by the forwarding tenants'
#     customers, pinging every 20 ms (target <= 30 s, none interrupted);
#   tenant list and tenant stats for all N (target <= 1 s each);
#   CPU of the N idle routers over 10 s (target ~0);
#   a metrics scrape (tenetd --metrics) of all N (target <= 200 ms);
#   tenant del of all N, and what is left.
#
# A Markdown table on stdout, progress on stderr, JSON (tools/README) in
# $BENCH_DIR/scale.json, build/bench/scale.json without it.
# Usage: tools/bench-scale.sh [-n N]   (N=1000 by default; -n 100: quick)
set -u
[ -z "${BENCH_DIR:-}" ] || BENCH_DIR=$(realpath -m "$BENCH_DIR")
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tools/bench-lib.sh
. tools/bench-lib.sh
# shellcheck source=tests/integration/lib.sh
. tests/integration/lib.sh
N=1000
while [ $# -gt 0 ]; do
	case $1 in
	-n) N=$2; shift ;;
	*) echo "usage: $0 [-n N]" >&2; exit 2 ;;
	esac
	shift
done
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 10 ] && [ "$N" -le 1990 ] ||
	{ echo "bench-scale: N from 10 to 1990" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench-scale: needs root" >&2; exit 1; }
for c in jq lxc-create curl bpftool; do
	command -v "$c" >/dev/null || { echo "bench-scale: $c is needed (make deps)" >&2; exit 1; }
done
t_init >/dev/null
OUT=${BENCH_DIR:-$BUILD/bench}/scale.json
mkdir -p "$(dirname "$OUT")"
LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
MPORT=9464
say() { echo "bench-scale: $*" >&2; }
now() { date +%s.%N; }
ms_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
name() { printf 't%04d' "$1"; }
# pct P < numbers: the P-th percentile (nearest rank)
pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (!NR) exit 1; i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'; }
mem_avail_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
pss_kib() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }

# ---- the host ----
say "topology: host, switch, $((N / 10)) customers and upstreams"
ns_add H && ns_add SW || exit 1
nsx H ip link set lo up
nsx H ip link add nic0 type veth peer name nic0p netns "$P-SW" &&
	nsx H ip link add nic1 type veth peer name nic1p netns "$P-SW" &&
	nsx SW ip link add bra type bridge && nsx SW ip link add bru type bridge &&
	nsx SW ip link set nic0p master bra up && nsx SW ip link set nic1p master bru up &&
	nsx SW ip link set bra up && nsx SW ip link set bru up &&
	nsx SW ethtool -K nic0p txvlan off gro on >/dev/null &&
	nsx SW ethtool -K nic1p txvlan off gro on >/dev/null &&
	nsx H ip link set nic0 up && nsx H ip link set nic1 up || { say "host NICs"; exit 1; }
# port NETNS DEV BRIDGE VID ADDR: DEV in NETNS, tagged VID by tn-dp in tc,
# its peer in the switch's BRIDGE.
port() {
	nsx "$1" ip link add "$2" type veth peer name "$2p" netns "$P-SW" &&
		nsx SW ip link set "$2p" master "$3" up &&
		nsx "$1" ethtool -K "$2" txvlan off tx off >/dev/null &&
		nsx "$1" ip addr add "$5" dev "$2" && nsx "$1" ip link set "$2" up &&
		nsx "$1" "$BUILD/tn-dp" cust-vlan "$2" "$4" >/dev/null
}
FWD=()
for i in $(seq 10 10 "$N"); do
	ns_add "C$i" && ns_add "U$i" || exit 1
	port "C$i" "c$i" bra $((100 + i)) 10.0.0.2/24 &&
		nsx "C$i" ip route add default via 10.0.0.1 &&
		port "U$i" "u$i" bru $((2000 + i)) 192.0.2.1/30 &&
		nsx "U$i" ip link set lo up && nsx "U$i" ip addr add 198.51.100.1/32 dev lo &&
		nsx "U$i" ip route add 10.0.0.0/24 via 192.0.2.2 || { say "customer $i"; exit 1; }
	FWD+=("$i")
done

agent_start "$T_DIR/log" --metrics 127.0.0.1:$MPORT || { say "tenetd did not start"; exit 1; }
ctl nic attach nic0 role access >/dev/null && ctl nic attach nic1 role uplink default drop >/dev/null ||
	{ say "nic attach"; exit 1; }

# ---- onboarding ----
say "tenant add x $N"
sync
echo 3 >/proc/sys/vm/drop_caches
MEM0=$(mem_avail_kib)
: >"$T_DIR/add"
for i in $(seq 1 "$N"); do
	t0=$(now)
	ctl tenant add "$(name "$i")" access nic0 vlan $((100 + i)) uplink nic1 uplink-vlan $((2000 + i)) \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1 >/dev/null ||
		{ say "tenant add $(name "$i") failed"; exit 1; }
	echo "$i $(ms_since "$t0")" >>"$T_DIR/add"
	[ $((i % 50)) = 0 ] && say "  $i/$N, last $(tail -n 1 "$T_DIR/add" | cut -d' ' -f2) ms"
done
up_count() { ctl -j tenant list | jq '[.tenants[] | select(.router.connected)] | length'; }
for _ in $(seq 1 600); do [ "$(up_count)" = "$N" ] && break; sleep 0.5; done
UP=$(up_count)
sleep 5
sync
echo 3 >/proc/sys/vm/drop_caches
MEM1=$(mem_avail_kib)
ADD_P50=$(cut -d' ' -f2 "$T_DIR/add" | pct 50)
ADD_P99=$(cut -d' ' -f2 "$T_DIR/add" | pct 99)
ADD_WORST_P50=0 ADD_WORST_P99=0
for d in $(seq 0 9); do
	lo=$((d * N / 10 + 1)) hi=$(((d + 1) * N / 10))
	p50=$(awk -v lo=$lo -v hi=$hi '$1 >= lo && $1 <= hi { print $2 }' "$T_DIR/add" | pct 50)
	p99=$(awk -v lo=$lo -v hi=$hi '$1 >= lo && $1 <= hi { print $2 }' "$T_DIR/add" | pct 99)
	[ "$p50" -gt "$ADD_WORST_P50" ] && ADD_WORST_P50=$p50
	[ "$p99" -gt "$ADD_WORST_P99" ] && ADD_WORST_P99=$p99
	echo "{\"row\":\"add_by_fill\",\"from\":$lo,\"to\":$hi,\"p50_ms\":$p50,\"p99_ms\":$p99}" >>"$T_DIR/rows"
done
PER_TENANT_KIB=$(((MEM0 - MEM1) / N))

# One tenant's processes: its router, the container's init, LXC's monitor.
sample_pss() {
	local t=$1 rp ip mp
	rp=$(ctl -j tenant show "$t" | jq .router.pid)
	ip=$(ctl -j tenant show "$t" | jq .container.pid)
	mp=$(ps -e -o pid=,args= | awk -v n="$t" '$2 == "[lxc" && $3 == "monitor]" && $NF == n { print $1; exit }')
	echo "$(pss_kib "$rp") $(pss_kib "$ip") $(pss_kib "${mp:-0}")"
}
read -r PSS_ROUTER PSS_INIT PSS_MON < <(sample_pss "$(name $((N / 2)))")
TENETD_RSS=$(awk '/^VmRSS:/ { print $2 }' "/proc/$AGENT/status")

# ---- forwarding, and the maps ----
fwd_ok=0
for i in "${FWD[@]}"; do ping_reach "C$i" 198.51.100.1 && fwd_ok=$((fwd_ok + 1)); done
VLANS=$(bpftool -j map dump pinned "$BPFFS/t/tn_vlan" | jq length)

# ---- list, stats, metrics ----
t0=$(now); ctl -j tenant list >"$T_DIR/list"; LIST_MS=$(ms_since "$t0")
t0=$(now); ctl -j tenant stats >"$T_DIR/stats"; STATS_MS=$(ms_since "$t0")
sleep 1.5
# tenetd's own measure of a scrape (request to text, no curl nor nsenter):
# the second scrape says how long the first took.
nsx H curl -sf "http://127.0.0.1:$MPORT/metrics" >"$T_DIR/metrics" &&
	nsx H curl -sf "http://127.0.0.1:$MPORT/metrics" >"$T_DIR/metrics2"
SCRAPE_MS=$(awk '$1 == "tenet_metrics_last_scrape_seconds" { printf "%.0f", $2 * 1000 }' "$T_DIR/metrics2")
SCRAPE_MB=$(awk -v b="$(stat -c %s "$T_DIR/metrics")" 'BEGIN { printf "%.1f", b / 1048576 }')
STATS_N=$(jq '.tenants | length' "$T_DIR/stats")

# ---- idle routers' CPU over 10 s ----
say "idle routers' CPU over 10 s"
PIDS=$(for t in $(jq -r '.tenants[].name' "$T_DIR/list"); do ctl -j tenant show "$t" | jq .router.pid; done)
ticks() { local p s=0 v; for p in $PIDS; do v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null) && s=$((s + v)); done; echo "$s"; }
T0=$(ticks); sleep 10; T1=$(ticks)
IDLE_CPU_S=$(awk -v t=$((T1 - T0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')

# ---- tenetd restarted under the forwarding tenants' pings ----
say "tenetd restart with $N tenants"
for i in "${FWD[@]}"; do
	nsx_bg "C$i" ping -n -i 0.02 -W 1 198.51.100.1 >"$T_DIR/ping$i" 2>&1
	echo "$BG" >>"$T_DIR/pingers"
done
sleep 2
kill "$AGENT"
wait "$AGENT" 2>/dev/null
t0=$(now)
agent_start "$T_DIR/log2" --metrics 127.0.0.1:$MPORT || { say "tenetd did not start again"; exit 1; }
for _ in $(seq 1 1200); do [ "$(up_count)" = "$N" ] && break; sleep 0.1; done
RESTART_MS=$(ms_since "$t0")
UP2=$(up_count)
sleep 2
while read -r p; do kill -INT "$p" 2>/dev/null; done <"$T_DIR/pingers"
while read -r p; do wait "$p" 2>/dev/null; done <"$T_DIR/pingers"
LOST=0 SENT=0
for i in "${FWD[@]}"; do
	s=$(awk '/packets transmitted/ { print $1, $4 }' "$T_DIR/ping$i")
	SENT=$((SENT + ${s%% *})) LOST=$((LOST + ${s%% *} - ${s##* }))
done

# ---- removal ----
say "tenant del x $N"
t0=$(now)
for i in $(seq 1 "$N"); do ctl tenant del "$(name "$i")" >/dev/null || say "tenant del $(name "$i") failed"; done
DEL_S=$(awk -v m="$(ms_since "$t0")" 'BEGIN { printf "%.1f", m / 1000 }')
LEFT=$(ctl -j tenant list | jq '.tenants | length')
LEFT_CT=$(find "$LXCP" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)

# ---- report ----
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
cat <<EOF
| N = $N | measured | target |
|---|---|---|
| tenant add p50 / p99 | ${ADD_P50} / ${ADD_P99} ms | <= 500 / 1500 ms |
| tenant add, worst tenth of the fill: p50 / p99 | ${ADD_WORST_P50} / ${ADD_WORST_P99} ms | <= 500 / 1500 ms |
| routers up after onboarding | $UP / $N | all |
| forwarding (every 10th) | $fwd_ok / ${#FWD[@]} | all |
| tn_vlan entries (an access and an uplink VLAN each) | $VLANS | $((2 * N)) |
| host memory per tenant (MemAvailable) | $(mib "$PER_TENANT_KIB") MiB | <= 8 MiB |
| one tenant's PSS: router, init, LXC monitor | $(mib "${PSS_ROUTER:-0}") + $(mib "${PSS_INIT:-0}") + $(mib "${PSS_MON:-0}") MiB | |
| tenetd RSS | $(mib "$TENETD_RSS") MiB | (printed) |
| tenetd restart: all routers up again | $RESTART_MS ms ($UP2 / $N up) | <= 30 s |
| pings lost during the restart (every 20 ms) | $LOST of $SENT | 0 |
| tenant list / tenant stats, all | $LIST_MS / $STATS_MS ms ($STATS_N tenants) | <= 1000 ms |
| metrics scrape, all | $SCRAPE_MS ms, $SCRAPE_MB MiB | <= 200 ms |
| CPU of $N idle routers over 10 s | $IDLE_CPU_S s | ~0 |
| tenant del x $N | $DEL_S s, $LEFT tenants and $LEFT_CT containers left | nothing left |
EOF
cat >>"$T_DIR/rows" <<EOF
{"row":"summary","n":$N,"add_p50_ms":$ADD_P50,"add_p99_ms":$ADD_P99,"add_worst_tenth_p50_ms":$ADD_WORST_P50,"add_worst_tenth_p99_ms":$ADD_WORST_P99,"up":$UP,"forwarding":$fwd_ok,"forwarding_of":${#FWD[@]},"vlan_entries":$VLANS,"mem_per_tenant_kib":$PER_TENANT_KIB,"pss_router_kib":${PSS_ROUTER:-0},"pss_init_kib":${PSS_INIT:-0},"pss_monitor_kib":${PSS_MON:-0},"tenetd_rss_kib":$TENETD_RSS,"restart_ms":$RESTART_MS,"restart_up":$UP2,"restart_pings_lost":$LOST,"restart_pings_sent":$SENT,"list_ms":$LIST_MS,"stats_ms":$STATS_MS,"scrape_ms":${SCRAPE_MS:-null},"idle_cpu_s_10s":$IDLE_CPU_S,"del_s":$DEL_S,"left_tenants":$LEFT,"left_containers":$LEFT_CT}
EOF
bench_write scale "$OUT" "$T_DIR/rows" "{\"params\":{\"n\":$N}}"
say "wrote $OUT"
