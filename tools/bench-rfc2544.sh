#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-rfc2544: RFC 2544 throughput, overload and latency, TCP and a
# noisy neighbour, for tenet and for what an ISP would run instead, five
# systems measured alternately in one run (tools/README).
#
#   netns G (generator)          netns H (the host)                 netns S (sink)
#   g0 -------------- PFXa  tenetd's NICs: routers in LXC  PFXu -------------- s0
#   g1 -------------- PFXka  bridges kba/kbu: K0..Kn      PFXku -------------- s1
#   g2 -------------- PFXxa  XDP cross-connect            PFXxu -------------- s2
#   customers' ports (TCP)                                     gateways' ports,
#                                                              iperf3 servers
#
# Each system has its own pair of veth "NICs", all alike, their NAPI
# threaded on the same cores: libxdp's dispatcher is refused on this kernel
# (DESIGN.md), so no second program can sit in front of tenet's classifier,
# and the kernel's routers see no XDP on their links. This kernel has no
# 802.1Q devices and no bridge VLAN filtering either: the ports of a VLAN
# in G and S are veths tagging with tc (tn-dp cust-vlan) on a bridge with
# the trunk, and the kernel's tenants are told apart by MAC, untagged.
# Every system has N tenants, each with its own addresses:
#   tenet       tenant i: tenetd's veth mode, VLAN 100+i / 2100+i,
#               10.i.0.1/24 and 100.64.i.2/30 (gateway 100.64.i.1, in S),
#               fastpath off: the router forwards every frame
#   tenet-fast  the same tenants, routers and NICs, fastpath on (tenant
#               set, live, before each run): nic_ingress forwards what the
#               routers put in their fast tables, out the NIC. One set of
#               tenants for both, so that the flag is all that differs. The
#               routers fill their tables whatever the flag (the warm-up
#               resolves every gateway); each run of either is checked by
#               tenetd's counters (tenant stats: fast_packets), and the
#               run stops if a tenet-fast tenant forwarded nothing fast or
#               a tenet one did (rfc2544/fast-*.json; fast_share in rows)
#   kernel      netns K<i>: a plain Linux router (ip_forward), veths a0 and
#               b0 on two bridges in H with the links (as LXC routers on a
#               host bridge), untagged, 10.(64+i).0.1/24 and 100.65.i.2/30
#   kernel-xdp  the same routers with tenet's tenant_rx on a0 and b0 (no
#               socket: it passes every frame on), as tenet's veths carry
#               XDP: both then take one frame a packet through NAPI
#   xconnect    the ceiling: XDP on both NICs redirecting VLAN 500+i NIC
#               to NIC, the source MAC rewritten, no router (G and S share
#               10.(128+i).0.0/24 for TCP)
#
# Cores: the generator (tn-rfc2544, BPF_PROG_RUN) and the sinks' NAPI on
# CPU 0; the access NICs' NAPI threads, and with them all forwarding of
# every system, on CPU 1: the tenants' routers get "cpuset 1" from tenetd
# (their nice and cpu quota are tenetd's defaults).
#
# Each point (frame size, tenants) is a `tn-rfc2544 search --repeat 1`
# per system and repeat (zero-loss rate, latency at 90% of it, forwarding
# rate at 2x), the systems in a rotating order; medians and spread of the
# repeats. Then TCP (iperf3, 1 and 8 flows, 1 and 8 tenants) and the noisy
# neighbour (tenant B at 50% of its zero-loss rate, tenant A flooded).
#
# Results: a Markdown report on stdout (and rfc2544.md), rfc2544.json in
# the JSON convention, plots, and every run's raw output under rfc2544/,
# all in BENCH_DIR (make bench) or build/bench/rfc2544/.
# Usage: tools/bench-rfc2544.sh [-t TRIAL_S] [-l LOSS_PCT] [-r REPEATS] [-s SIZES]
#        [-n TENANTS] [-y SYSTEMS] [--tcp-secs S] [--tcp-tenants L]
#        [--tcp-flows L] [--no-tcp] [--no-noisy] [--profile]
# --profile: perf of the forwarding core during each search, its report in
# rfc2544/search-SYSTEM-SIZE-TENANTS-REPEAT.jsonl.profile.txt.
# QUICK=1: 64 and 1518 B, 1 and 8 tenants, one repeat, short trials.
set -u
[ -z "${BENCH_DIR:-}" ] || BENCH_DIR=$(realpath -m "$BENCH_DIR")
cd "$(dirname "$0")/.." || exit 2
. tests/integration/lib.sh
. tools/bench-lib.sh

SYSTEMS="tenet tenet-fast kernel kernel-xdp xconnect"
if [ -n "${QUICK:-}" ]; then
	SIZES="64 1518" TENANTS="1 8" TRIAL=0.5 REPEATS=1 TCP_SECS=3
else
	SIZES="64 128 256 512 1024 1280 1518 imix" TENANTS="1 2 4 8 16 64"
	TRIAL=1 REPEATS=3 TCP_SECS=8
fi
TCP=1 NOISY=1 TCP_TENANTS="1 8" TCP_FLOWS="1 8" LOSS=0 PROFILE=
usage() {
	echo "usage: $0 [-t TRIAL_S] [-l LOSS_PCT] [-r REPEATS] [-s \"SIZES\"] [-n \"TENANTS\"]" \
		"[-y \"SYSTEMS\"] [--tcp-secs S] [--tcp-tenants \"1 8\"]" \
		"[--tcp-flows \"1 8\"] [--no-tcp] [--no-noisy] [--profile]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || case $1 in --no-* | --profile) ;; *) usage ;; esac
	case $1 in
	-t) TRIAL=$2; shift ;;
	-l) LOSS=$2; shift ;;
	-r) REPEATS=$2; shift ;;
	-s) SIZES=$2; shift ;;
	-n) TENANTS=$2; shift ;;
	-y) SYSTEMS=$2; shift ;;
	--tcp-secs) TCP_SECS=$2; shift ;;
	--tcp-tenants) TCP_TENANTS=$2; shift ;;
	--tcp-flows) TCP_FLOWS=$2; shift ;;
	--no-tcp) TCP= ;;
	--no-noisy) NOISY= ;;
	--profile) PROFILE=1 ;;
	*) usage ;;
	esac
	shift
done
for s in $SYSTEMS; do
	case $s in tenet | tenet-fast | kernel | kernel-xdp | xconnect) ;;
	*) echo "bench-rfc2544: no system \"$s\" (tenet tenet-fast kernel kernel-xdp xconnect)" >&2; exit 2 ;;
	esac
done
for n in $TENANTS $TCP_TENANTS; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 64 ] ||
		{ echo "bench-rfc2544: tenants are 1 to 64, not \"$n\"" >&2; exit 2; }
done
for n in $TCP_FLOWS; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 128 ] ||
		{ echo "bench-rfc2544: TCP flows are 1 to 128, not \"$n\"" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "bench-rfc2544: needs root" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "bench-rfc2544: needs 2 CPUs" >&2; exit 1; }
for c in lxc-start iperf3 jq gnuplot; do
	command -v $c >/dev/null || { echo "bench-rfc2544: $c is needed (make deps)" >&2; exit 1; }
done
t_init >/dev/null
LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
OUT=${BENCH_DIR:-build/bench/rfc2544}
OUT=$(realpath -m "$OUT")
RAW=$OUT/rfc2544
rm -rf "$RAW"
mkdir -p "$RAW" || exit 1
NMAX=1
for n in $TENANTS; do [ "$n" -gt "$NMAX" ] && NMAX=$n; done
[ -z "$NOISY" ] || [ "$NMAX" -ge 2 ] || NMAX=2
for n in $TCP_TENANTS; do [ -z "$TCP" ] || [ "$n" -le "$NMAX" ] || NMAX=$n; done
T0=$(date +%s)
say() { echo "bench-rfc2544: [$(($(date +%s) - T0)) s] $*" >&2; }
die() { say "$*"; exit 1; }
RFC="$BUILD/tn-rfc2544"
DP="$BUILD/tn-dp --bpffs $BPFFS/k"

# ---- the topology ----
say "topology: $NMAX tenants a system"
ns_add G && ns_add H && ns_add S || die "netns"
for n in G H S; do
	nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	nsx $n ip link set lo up
done
# nic_pair K ACCESS UPLINK: g<K> in G to ACCESS in H, UPLINK in H to s<K>
# in S. Tags in-band and full checksums at the ends (a router forwards
# bytes); GRO on: NAPI, which XDP_REDIRECT into a veth needs, and which can
# be threaded. The access NIC's NAPI on CPU 1 (the forwarding core), the
# sink's on CPU 0 (the generator's), real-time: the generator is a busy
# loop in the kernel there, which would hold the sink off for a whole
# time slice (~5 ms: its ring of 256 overflows, its clock runs late).
nic_pair() {
	nsx H ip link add "$2" type veth peer name "g$1" netns "$P-G" &&
		nsx H ip link add "$3" type veth peer name "s$1" netns "$P-S" &&
		nsx G ethtool -K "g$1" txvlan off tx off gro on >/dev/null &&
		nsx S ethtool -K "s$1" txvlan off tx off gro on >/dev/null &&
		nsx H ethtool -K "$2" gro on >/dev/null && nsx H ethtool -K "$3" gro on >/dev/null &&
		nsx G ip link set "g$1" up && nsx S ip link set "s$1" up &&
		nsx H ip link set "$2" up && nsx H ip link set "$3" up &&
		ip netns exec "$P-H" sh -c "echo 1 > /sys/class/net/$2/threaded" &&
		ip netns exec "$P-S" sh -c "echo 1 > /sys/class/net/s$1/threaded" &&
		pin_napi "$2" 1 && pin_napi "s$1" 0 fifo
}
ACC=${P}a UPL=${P}u
nic_pair 0 "$ACC" "$UPL" && nic_pair 1 "${P}ka" "${P}ku" && nic_pair 2 "${P}xa" "${P}xu" ||
	die "veth NICs"
declare -A MAC=()
for k in 0 1 2; do
	MAC[g$k]=$(nsx G ip -j link show "g$k" | jq -r '.[0].address')
	MAC[s$k]=$(nsx S ip -j link show "s$k" | jq -r '.[0].address')
done

TCPMAX=0
for n in $TCP_TENANTS; do [ -z "$TCP" ] || [ "$n" -le "$TCPMAX" ] || TCPMAX=$n; done
say "ports: gateways in S, customers in G"
nsx S ip addr add 198.19.0.1/32 dev lo
for i in $(seq 0 $((NMAX - 1))); do
	# tenet: gateways on the uplink VLANs; customers (TCP) on the access ones.
	vlan_port S s0 "st$i" $((2100 + i)) "100.64.$i.1/30" &&
		nsx S ip route add "10.$i.0.0/24" via "100.64.$i.2" || die "S's port st$i"
	if [ "$i" -lt "$TCPMAX" ]; then
		vlan_port G g0 "gt$i" $((100 + i)) "10.$i.0.2/24" &&
			nsx G ip rule add from "10.$i.0.2" table $((1000 + i)) &&
			nsx G ip route add default via "10.$i.0.1" table $((1000 + i)) &&
			vlan_port G g2 "gx$i" $((500 + i)) "10.$((128 + i)).0.2/24" &&
			vlan_port S s2 "sx$i" $((500 + i)) "10.$((128 + i)).0.1/24" ||
			die "TCP's ports of tenant $i"
	fi
	# kernel: untagged, on the links themselves (its bridge tells the
	# tenants apart by MAC).
	nsx S ip addr add "100.65.$i.1/30" dev s1 &&
		nsx S ip route add "10.$((64 + i)).0.0/24" via "100.65.$i.2" &&
		nsx G ip addr add "10.$((64 + i)).0.2/24" dev g1 &&
		nsx G ip rule add from "10.$((64 + i)).0.2" table $((2000 + i)) &&
		nsx G ip route add default via "10.$((64 + i)).0.1" table $((2000 + i)) ||
		die "kernel tenant $i's addresses in G and S"
done

# tenet: tenetd, both NICs, the tenants, fastpath off (sys_up turns it on
# for tenet-fast).
say "tenetd and $NMAX tenants"
agent_start "$T_DIR/tenetd.log" || die "tenetd did not start ($T_DIR/tenetd.log)"
ctl nic attach "$ACC" role access >/dev/null && ctl nic attach "$UPL" role uplink >/dev/null ||
	die "nic attach"
for i in $(seq 0 $((NMAX - 1))); do
	ctl tenant add "b$i" access "$ACC" vlan $((100 + i)) uplink "$UPL" \
		uplink-vlan $((2100 + i)) access-addr "10.$i.0.1/24" \
		uplink-addr "100.64.$i.2/30" gateway "100.64.$i.1" cpuset 1 fastpath off >/dev/null ||
		die "tenant add b$i"
	MAC[tenet,$i]=$(ctl -j tenant show "b$i" | jq -r .access.mac)
done
connected() { ctl -j tenant list | jq '[.tenants[] | select(.router.connected)] | length'; }
until_is $((600 + NMAX * 50)) "$NMAX" connected || die "routers not connected: $(connected) of $NMAX"

# kernel: a netns router per tenant, its veths on two bridges (access,
# uplink) with the links, as LXC routers on a host bridge; the bridges
# know every MAC for good (no flooding when an entry would age out).
say "$NMAX kernel routers"
G1=${MAC[g1]} S1=${MAC[s1]}
for br in kba kbu; do nsx H ip link add $br type bridge || die "bridge $br"; done
nsx H ip link set "${P}ka" master kba && nsx H ip link set "${P}ku" master kbu &&
	nsx H bridge fdb replace "$G1" dev "${P}ka" master static &&
	nsx H bridge fdb replace "$S1" dev "${P}ku" master static &&
	nsx H ip link set kba up && nsx H ip link set kbu up || die "bridges"
for i in $(seq 0 $((NMAX - 1))); do
	ns_add "K$i" || die "netns K$i"
	nsx H ip link add "ka$i" type veth peer name a0 netns "$P-K$i" &&
		nsx H ip link add "kb$i" type veth peer name b0 netns "$P-K$i" || die "K$i's veths"
	nsx "K$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.ip_forward=1
	MAC[kernel,$i]=$(nsx "K$i" ip -j link show a0 | jq -r '.[0].address')
	nsx "K$i" ethtool -K a0 tx off >/dev/null && nsx "K$i" ethtool -K b0 tx off >/dev/null &&
		nsx "K$i" ip addr add "10.$((64 + i)).0.1/24" dev a0 &&
		nsx "K$i" ip addr add "100.65.$i.2/30" dev b0 &&
		nsx "K$i" ip link set a0 up && nsx "K$i" ip link set b0 up &&
		nsx "K$i" ip route add default via "100.65.$i.1" &&
		nsx H ip link set "ka$i" master kba up && nsx H ip link set "kb$i" master kbu up &&
		nsx H bridge fdb replace "${MAC[kernel,$i]}" dev "ka$i" master static &&
		nsx H bridge fdb replace "$(nsx "K$i" ip -j link show b0 | jq -r '.[0].address')" \
			dev "kb$i" master static || die "K$i"
done

# xconnect: both ways, for every tenant's VLAN; the source MAC rewritten,
# the destination kept (the generator's frames are addressed to s2, TCP's
# to the VLAN port that answered ARP behind the bridge).
say "cross-connect"
nsx H "$RFC" xconnect --in "${P}xa" --out "${P}xu" --dst-mac keep \
	--vlan-lo 500 --vlan-hi $((499 + NMAX)) >"$RAW/xconnect.log" 2>&1 &&
	nsx H "$RFC" xconnect --in "${P}xu" --out "${P}xa" --dst-mac keep \
		--vlan-lo 500 --vlan-hi $((499 + NMAX)) >>"$RAW/xconnect.log" 2>&1 ||
	die "xconnect: $(cat "$RAW/xconnect.log")"

# ---- the systems ----
sys_vlan() { # SYSTEM I: the customer VLAN of its tenant I (kernel: none)
	case $1 in
	tenet*) echo $((100 + $2)) ;;
	kernel*) echo 0 ;;
	xconnect) echo $((500 + $2)) ;;
	esac
}
sys_net() { # SYSTEM: its customers are 10.(this + i).0.2
	case $1 in tenet*) echo 0 ;; kernel*) echo 64 ;; xconnect) echo 128 ;; esac
}
sys_mac() { # SYSTEM I: the MAC its customer I sends to
	case $1 in
	tenet*) echo "${MAC[tenet,$2]}" ;;
	kernel*) echo "${MAC[kernel,$2]}" ;;
	xconnect) echo "${MAC[s2]}" ;; # the sink's
	esac
}
sys_link() { # SYSTEM: the number of its link pair (g<K>, s<K>)
	case $1 in tenet*) echo 0 ;; kernel*) echo 1 ;; xconnect) echo 2 ;; esac
}
XDP_ON=0 # kernel-xdp: tenant_rx is on K0 .. K(XDP_ON - 1)
xdp_off() {
	local i
	for i in $(seq 0 $((XDP_ON - 1))); do
		nsx "K$i" $DP detach a0 && nsx "K$i" $DP detach b0 || return 1
	done
	XDP_ON=0
}
FAST_ON=0 # tenet-fast: fastpath is on for tenants b0 .. b(FAST_ON - 1)
# fast_up N: fastpath on for tenants 0 .. N-1; 0: off for every tenant.
fast_up() {
	local i
	if [ "$1" = 0 ]; then
		for i in $(seq 0 $((FAST_ON - 1))); do
			ctl tenant set "b$i" fastpath off >/dev/null || return 1
		done
		FAST_ON=0
		return
	fi
	for i in $(seq "$FAST_ON" $(($1 - 1))); do
		ctl tenant set "b$i" fastpath on >/dev/null || return 1
		FAST_ON=$((i + 1))
	done
}
# sys_up SYSTEM N: SYSTEM ready for tenants 0 .. N-1 (kernel-xdp: tenant_rx
# on their routers' veths; the others: on none; tenet: fastpath off for
# every tenant, tenet-fast: on for these).
sys_up() {
	local i
	case $1 in
	tenet) xdp_off && fast_up 0; return ;;
	tenet-fast) xdp_off && fast_up "$2"; return ;;
	kernel-xdp) ;;
	*) xdp_off; return ;;
	esac
	for i in $(seq "$XDP_ON" $(($2 - 1))); do
		nsx "K$i" $DP rx attach a0 tenant $((i + 1)) slot 0 \
			addr "10.$((64 + i)).0.1" >/dev/null &&
			nsx "K$i" $DP rx attach b0 tenant $((i + 1)) slot 1 \
				addr "100.65.$i.2" >/dev/null || return 1
		XDP_ON=$((i + 1))
	done
}
# gen_args SYSTEM N [FIRST]: tn-rfc2544's options for tenants FIRST ..
# FIRST+N-1 of SYSTEM.
gen_args() {
	local s=$1 n=$2 first=${3:-0} i vl="" ml="" b k
	b=$(sys_net "$s")
	k=$(sys_link "$s")
	for i in $(seq "$first" $((first + n - 1))); do
		vl+=${vl:+,}$(sys_vlan "$s" "$i")
		ml+=${ml:+,}$(sys_mac "$s" "$i")
	done
	case $s in kernel*) vl="--tenants $n --vlan 0" ;; *) vl="--vlans $vl" ;; esac
	echo --gen "g$k" --gen-ns "$P-G" --sink "s$k" --sink-ns "$P-S" --cpu 0 \
		$vl --dst-macs "$ml" --src-mac "${MAC[g$k]}" \
		--src-ip "10.$((b + first)).0.2" --dst-ip "198.$((19 + first)).0.1" --ip-step 65536
}
# fast_snap SYSTEM: for tenet and tenet-fast, tenetd's counters of every
# tenant, both ports summed, {NAME: [frames nic_ingress forwarded itself
# (fast), frames it delivered to the router]}; {} for the others.
fast_snap() {
	case $1 in tenet*) ;; *) echo '{}'; return ;; esac
	ctl -j tenant stats | jq -c '[.tenants[] | {key: .name, value:
		[([.classifier[].fast_packets] | add), ([.classifier[].tx_packets] | add)]}] |
		from_entries'
}
# fast_check SYSTEM N BEFORE FILE WHAT: what tenants 0 .. N-1 forwarded
# fast and through their routers since BEFORE (fast_snap), into FILE
# ({fast, delivered, share, idle}); the run stops if a tenet-fast tenant
# forwarded nothing fast (its fast path did not engage) or a tenet tenant
# forwarded anything fast (it would not be measuring the routers). Nothing
# for the other systems.
fast_check() {
	local s=$1 n=$2 before=$3 file=$4 what=$5 idle
	case $s in tenet*) ;; *) return 0 ;; esac
	jq -n -c --argjson a "$before" --argjson b "$(fast_snap "$s")" --argjson n "$n" '
		[range($n) | "b\(.)" | {name: ., fast: ($b[.][0] - $a[.][0]),
		 delivered: ($b[.][1] - $a[.][1])}] as $t |
		{fast: ($t | map(.fast) | add), delivered: ($t | map(.delivered) | add),
		 idle: [$t[] | select(.fast == 0) | .name]} |
		. + {share: (if .fast + .delivered > 0 then
			.fast / (.fast + .delivered) * 10000 | round / 10000 else null end)}' \
		>"$file" 2>&1 || die "$s, $what: no counters from tenetd: $(cat "$file")"
	if [ "$s" = tenet ]; then
		jq -e '.fast == 0' "$file" >/dev/null ||
			die "tenet, $what: $(jq .fast "$file") frames took the fast path, which is off ($file)"
	else
		idle=$(jq -r '.idle | join(" ")' "$file")
		[ -z "$idle" ] || die "tenet-fast, $what: nothing forwarded fast by $idle," \
			"the fast path did not engage ($file; ${idle%% *}: $(ctl -j tenant show "${idle%% *}" |
				jq -c .fast))"
	fi
}
# fast_say FILE: ", N% fast" of fast_check's FILE, if any.
fast_say() {
	[ -f "$1" ] && jq -r 'if .share then ", \(.share * 1000 | round / 10)% fast" else "" end' "$1"
}
# fast_share FILE...: the median share of fast_check's FILEs; null if none.
fast_share() {
	cat "$@" 2>/dev/null | jq -s -c 'map(.share | select(. != null)) | sort |
		if length == 0 then null else .[(length - 1) / 2 | floor] end'
}
say "warm-up: every router resolves its gateway (tenet-fast: fills its fast table)"
for s in $SYSTEMS; do
	sys_up "$s" "$NMAX" || die "cannot set up $s"
	before=$(fast_snap "$s") || die "tenetd's counters"
	# shellcheck disable=SC2046
	taskset -c 0 "$RFC" trial $(gen_args "$s" "$NMAX") --size 64 --rate $((NMAX * 100)) \
		--duration 1 --repeat 1 >"$RAW/warmup-$s.jsonl" 2>"$RAW/warmup-$s.err" ||
		die "warm-up of $s: $(tail -3 "$RAW/warmup-$s.err")"
	fast_check "$s" "$NMAX" "$before" "$RAW/fast-warmup-$s.json" warm-up
done

# rotate LIST K: LIST's words from the K-th on, then the first K.
rotate() {
	local a k=$(($2 % $(wc -w <<<"$1")))
	read -r -a a <<<"$1"
	echo "${a[@]:k}" "${a[@]:0:k}"
}

# ---- RFC 2544: zero-loss rate, latency at 90% of it, overload at 2x ----
POINTS=()
for s in $SIZES; do [[ " $TENANTS " == *" 1 "* ]] && POINTS+=("$s 1"); done
for n in $TENANTS; do [ "$n" = 1 ] || POINTS+=("${SIZES%% *} $n"); done
for s in 512 1518; do
	[[ " $SIZES " == *" $s "* ]] || continue
	for n in 8 64; do
		[[ " $TENANTS " == *" $n "* ]] && [[ " ${POINTS[*]/%/,} " != *" $s $n, "* ]] &&
			POINTS+=("$s $n")
	done
done
NRUNS=$((${#POINTS[@]} * REPEATS * $(wc -w <<<"$SYSTEMS")))
say "${#POINTS[@]} points x $REPEATS repeats x systems ($SYSTEMS): $NRUNS searches of ${TRIAL} s trials"
k=0
for pt in "${POINTS[@]}"; do
	set -- $pt
	size=$1 n=$2
	for r in $(seq "$REPEATS"); do
		for s in $(rotate "$SYSTEMS" $((r - 1))); do
			k=$((k + 1))
			f=$RAW/search-$s-$size-$n-$r.jsonl
			sys_up "$s" "$n" || die "cannot set up $s"
			before=$(fast_snap "$s") || die "tenetd's counters"
			if [ -n "$PROFILE" ]; then # the forwarding core, all along
				perf record -q -g -C 1 -o "$f.perf" >/dev/null 2>&1 &
				perf_pid=$!
			fi
			# shellcheck disable=SC2046
			taskset -c 0 "$RFC" search $(gen_args "$s" "$n") --size "$size" \
				--duration "$TRIAL" --loss-tolerance "$LOSS" --repeat 1 >"$f" 2>"$f.err" ||
				die "tn-rfc2544 search failed ($f.err): $(tail -3 "$f.err")"
			if [ -n "$PROFILE" ]; then
				kill -INT "$perf_pid" && wait "$perf_pid"
				perf report -i "$f.perf" --stdio --no-children --sort comm,dso,sym \
					--percent-limit 0.5 -g none 2>/dev/null >"$f.profile.txt"
				rm -f "$f.perf"
			fi
			fast_check "$s" "$n" "$before" "$RAW/fast-search-$s-$size-$n-$r.json" \
				"$size B, $n tenants, repeat $r"
			say "$k/$NRUNS $s, $size B, $n tenants, repeat $r: $(jq -r '
				select(.type == "search") | .status + ", zero-loss " +
				((.zero_loss_pps.median // .lower_bound_pps.median) / 1e6 * 1000 | round / 1000 |
				 tostring) + " Mpps" + (if .zero_loss_pps then "" else " (lower bound)" end) +
				", generator max " + (.generator_max_pps.median / 1e6 * 1000 | round / 1000 |
				tostring)' "$f")$(fast_say "$RAW/fast-search-$s-$size-$n-$r.json")"
		done
	done
done

# A row per system and point: medians (and spread) of the repeats.
ROWS=$T_DIR/rows.jsonl
: >"$ROWS"
for pt in "${POINTS[@]}"; do
	set -- $pt
	for s in $SYSTEMS; do
		cat "$RAW/search-$s-$1-$2"-*.jsonl | jq -s -c --arg s "$s" --arg size "$1" \
			--argjson n "$2" --argjson fs "$(fast_share "$RAW/fast-search-$s-$1-$2"-*.json)" '
		def med: map(select(. != null)) | sort |
			if length == 0 then null else .[(length - 1) / 2 | floor] end;
		def mpps: if . == null then null else . / 1e6 * 10000 | round / 10000 end;
		def us: if . == null then null else . / 1e3 * 100 | round / 100 end;
		[.[] | select(.type == "search")] as $S |
		[.[] | select(.type == "latency")] as $L |
		[.[] | select(.type == "overload")] as $O |
		($S | length > 0 and all(.status == "found")) as $found |
		{table: "throughput", system: $s,
		 size: ($size | tonumber? // $size), tenants: $n,
		 status: (if $found then "found" else [$S[].status] | unique | join(",") end),
		 repeats: ($S | length),
		 zero_loss_mpps: (if $found then [$S[].zero_loss_pps.median] | med | mpps else null end),
		 zero_loss_min: (if $found then [$S[].zero_loss_pps.median] | min | mpps else null end),
		 zero_loss_max: (if $found then [$S[].zero_loss_pps.median] | max | mpps else null end),
		 lower_bound_mpps: (if $found then null else
			[$S[] | .zero_loss_pps.median // .lower_bound_pps.median] | med | mpps end),
		 offered_mpps: ([$S[].searches[0].offered_pps] | med | mpps),
		 gen_max_mpps: ([$S[].generator_max_pps.median] | med | mpps),
		 top_forwarded_mpps: ([.[] | select(.type == "trial" and .mode == "search" and
			.target_pps == 0) | .forwarded_pps] | med | mpps),
		 mfr_mpps: ([$O[].forwarded_pps.median] | med | mpps),
		 mfr_offered_mpps: ([$O[].offered_pps.median] | med | mpps),
		 lat_us: {min: ([$L[].latency_ns.min.median] | med | us),
			  p50: ([$L[].latency_ns.p50.median] | med | us),
			  p99: ([$L[].latency_ns.p99.median] | med | us),
			  max: ([$L[].latency_ns.max.median] | med | us)},
		 lat_offered_mpps: ([$L[].offered_pps.median] | med | mpps),
		 lat_forwarded_mpps: ([$L[].forwarded_pps.median] | med | mpps),
		 jain: ([$L[].jain] | med),
		 generator_bound: ([$L[], $O[] | .generator_bound] | any),
		 fast_share: $fs}' >>"$ROWS" ||
			die "cannot read the results of $s at $1 B, $2 tenants"
	done
done

# ---- TCP: iperf3, 1 and 8 flows, through 1 and through 8 tenants ----
tcp_ends() { # SYSTEM I: the client's source and the server's address
	case $1 in
	xconnect) echo "10.$((128 + $2)).0.2 10.$((128 + $2)).0.1" ;;
	*) echo "10.$(($(sys_net "$1") + $2)).0.2 198.19.0.1" ;;
	esac
}
# tcp_sum SYSTEM TENANTS FLOWS REPEAT: {gbps, error} of one TCP case, the
# tenants' goodputs summed; gbps null if any of its iperf3 runs failed (a
# system that loses so much that TCP gives up is a result, not an error).
tcp_sum() {
	cat "$RAW/tcp-$1-$2-$3-$4"-*.json | jq -s -c '
		map(.end.sum_received.bits_per_second // null) as $b |
		{gbps: (if any($b[]; . == null) then null
			else $b | add / 1e9 * 1000 | round / 1000 end),
		 error: (map(.error // empty) | first)}' 2>/dev/null ||
		echo '{"gbps": null, "error": "iperf3 wrote no JSON"}'
}
if [ -n "$TCP" ]; then
	TCPMAX=0
	for n in $TCP_TENANTS; do [ "$n" -le "$TCPMAX" ] || TCPMAX=$n; done
	for j in $(seq 0 $((TCPMAX - 1))); do
		nsx_bg S iperf3 -s -p $((5201 + j)) >/dev/null 2>&1
	done
	listening() { [ "$(nsx S ss -ltnH | awk '$4 ~ /:52[0-9][0-9]$/' | wc -l)" -ge "$TCPMAX" ]; }
	until_ok 50 listening || die "iperf3 servers"
	say "TCP: ${TCP_SECS} s a test, $REPEATS repeats"
	for r in $(seq "$REPEATS"); do
		for nt in $TCP_TENANTS; do
			for flows in $TCP_FLOWS; do
				for s in $(rotate "$SYSTEMS" $((r - 1))); do
					sys_up "$s" "$nt" || die "cannot set up $s"
					before=$(fast_snap "$s") || die "tenetd's counters"
					pids=()
					for j in $(seq 0 $((nt - 1))); do
						read -r src dst <<<"$(tcp_ends "$s" "$j")"
						nsx G iperf3 -c "$dst" -B "$src" -p $((5201 + j)) -t "$TCP_SECS" \
							-P "$flows" -J --connect-timeout 3000 \
							>"$RAW/tcp-$s-$nt-$flows-$r-$j.json" 2>&1 &
						pids+=($!)
					done
					for p in "${pids[@]}"; do wait "$p"; done
					fast_check "$s" "$nt" "$before" "$RAW/fast-tcp-$s-$nt-$flows-$r.json" \
						"TCP $nt tenants x $flows flows, repeat $r"
					say "TCP $s, $nt tenants x $flows flows, repeat $r: $(tcp_sum \
						"$s" "$nt" "$flows" "$r" | jq -r 'if .gbps then "\(.gbps) Gbit/s"
						else "failed: \(.error)" end')$(fast_say \
						"$RAW/fast-tcp-$s-$nt-$flows-$r.json")"
				done
			done
		done
	done
	for nt in $TCP_TENANTS; do
		for flows in $TCP_FLOWS; do
			for s in $SYSTEMS; do
				for r in $(seq "$REPEATS"); do
					tcp_sum "$s" "$nt" "$flows" "$r"
				done | jq -s -c --arg s "$s" --argjson nt "$nt" --argjson f "$flows" \
					--argjson fs "$(fast_share "$RAW/fast-tcp-$s-$nt-$flows"-*.json)" '
					(map(.gbps | select(. != null)) | sort) as $v |
					{table: "tcp", system: $s, tenants: $nt, flows: $f,
					 case: "\($nt) x \($f)",
					 gbps: (if $v == [] then null else $v[(($v | length) - 1) / 2 | floor] end),
					 gbps_min: $v[0], gbps_max: $v[-1], repeats: ($v | length),
					 failed: map(select(.gbps == null)) | length,
					 error: (map(.error // empty) | first), fast_share: $fs}' >>"$ROWS"
			done
		done
	done
fi

# ---- noisy neighbour: B at 50% of its zero-loss rate, A flooded ----
NSIZE=${SIZES%% *}
if [ -n "$NOISY" ]; then
	say "noisy neighbour: $NSIZE B, $REPEATS repeats"
	for r in $(seq "$REPEATS"); do
		for s in $(rotate "$SYSTEMS" $((r - 1))); do
			base=$(jq -r --arg s "$s" --arg size "$NSIZE" 'select(.table == "throughput" and
				.system == $s and (.size | tostring) == $size and .tenants == 1) |
				.zero_loss_mpps // .top_forwarded_mpps // empty' "$ROWS")
			[ -n "$base" ] && [ "$base" != 0 ] ||
				die "noisy neighbour: no 1-tenant figure for $s at $NSIZE B (-n must hold 1)"
			rate=$(jq -n "$base * 1e6 / 2 | round")
			sys_up "$s" 2 || die "cannot set up $s"
			before=$(fast_snap "$s") || die "tenetd's counters"
			# shellcheck disable=SC2046
			taskset -c 0 "$RFC" latency $(gen_args "$s" 1 1) --size "$NSIZE" --rate "$rate" \
				--duration "$TRIAL" --repeat 1 >"$RAW/noisy-$s-alone-$r.jsonl" \
				2>"$RAW/noisy-$s-alone-$r.err" &&
				taskset -c 0 "$RFC" latency $(gen_args "$s" 2 0) --size "$NSIZE" --rate "$rate" \
					--flood-tenant 0 --duration "$TRIAL" --repeat 1 \
					>"$RAW/noisy-$s-flood-$r.jsonl" 2>"$RAW/noisy-$s-flood-$r.err" ||
				die "noisy neighbour runs of $s failed ($RAW/noisy-$s-*-$r.err)"
			fast_check "$s" 2 "$before" "$RAW/fast-noisy-$s-$r.json" "noisy neighbour, repeat $r"
			say "noisy $s, repeat $r: B at $rate pps: $(jq -r 'select(.type == "trial") |
				"lost \(.per_tenant[1].sent - .per_tenant[1].received) of \(.per_tenant[1].sent)" +
				", A offered \(.per_tenant[0].sent / .seconds | round) pps"' \
				"$RAW/noisy-$s-flood-$r.jsonl")$(fast_say "$RAW/fast-noisy-$s-$r.json")"
		done
	done
	for s in $SYSTEMS; do
		base=$(jq -r --arg s "$s" --arg size "$NSIZE" 'select(.table == "throughput" and
			.system == $s and (.size | tostring) == $size and .tenants == 1) |
			if .zero_loss_mpps then "zero-loss" else "forwarded at generator max" end' "$ROWS")
		# not noisy-$s-*: noisy-tenet-* would be tenet-fast's too
		cat "$RAW/noisy-$s"-{alone,flood}-*.jsonl | jq -s -c --arg s "$s" --arg basis "$base" \
			--arg size "$NSIZE" --argjson fs "$(fast_share "$RAW/fast-noisy-$s"-[0-9]*.json)" '
			def med: map(select(. != null)) | sort |
				if length == 0 then null else .[(length - 1) / 2 | floor] end;
			def loss: if .sent > 0 then (.sent - .received) / .sent else null end;
			def us: if . == null then null else . / 1e3 * 100 | round / 100 end;
			[.[] | select(.type == "trial")] as $t |
			[$t[] | select(.tenants == 1) | .per_tenant[0]] as $alone |
			[$t[] | select(.tenants == 2)] as $fl |
			{table: "noisy", system: $s, size: ($size | tonumber? // $size),
			 b_rate_pps: ([$t[] | select(.tenants == 1) | .target_pps] | med),
			 basis: $basis,
			 b_loss_alone: ([$alone[] | loss] | med),
			 b_loss_flooded: ([$fl[].per_tenant[1] | loss] | med),
			 b_p99_alone_us: ([$alone[].latency_ns.p99] | med | us),
			 b_p99_flooded_us: ([$fl[].per_tenant[1].latency_ns.p99] | med | us),
			 a_offered_pps: ([$fl[] | .per_tenant[0].sent / .seconds | round] | med),
			 a_forwarded_pps: ([$fl[] | .per_tenant[0].received / .seconds | round] | med),
			 repeats: ($fl | length), fast_share: $fs}' >>"$ROWS"
	done
fi

# Ratios within the run: to the kernel's figure and to the ceiling's at
# the same point (the zero-loss rate, and what was forwarded at the
# generator's maximum), and of N tenants' aggregate to 1 tenant's.
jq -s -c '
	def fig: .zero_loss_mpps // null;
	def ratio(a; b): if a == null or b == null or b == 0 then null
		else a / b * 1000 | round / 1000 end;
	(map(select(.table == "throughput")) | map({key: "\(.system) \(.size) \(.tenants)",
		value: .}) | from_entries) as $p |
	(map(select(.table == "tcp")) | map({key: "\(.system) \(.tenants) \(.flows)",
		value: .gbps}) | from_entries) as $t |
	.[] | if .table == "throughput" then
		$p["kernel \(.size) \(.tenants)"] as $k | $p["xconnect \(.size) \(.tenants)"] as $x |
		$p["\(.system) \(.size) 1"] as $one |
		. + {ratio_kernel: ratio(fig; $k | fig),
		     ratio_xconnect: ratio(fig; $x | fig),
		     pct_ceiling: (ratio(fig; $x | fig) | if . == null then null else . * 100 | round end),
		     top_ratio_kernel: ratio(.top_forwarded_mpps; $k.top_forwarded_mpps),
		     top_ratio_xconnect: ratio(.top_forwarded_mpps; $x.top_forwarded_mpps),
		     mfr_ratio_kernel: ratio(.mfr_mpps; $k.mfr_mpps)} +
		if .tenants == 1 then {} else
			{ratio_1tenant: ratio(fig; $one | fig),
			 top_ratio_1tenant: ratio(.top_forwarded_mpps; $one.top_forwarded_mpps)} end
	elif .table == "tcp" then
		. + {ratio_kernel: ratio(.gbps; $t["kernel \(.tenants) \(.flows)"]),
		     ratio_xconnect: ratio(.gbps; $t["xconnect \(.tenants) \(.flows)"])} +
		if .tenants == 1 then {} else {ratio_1tenant: ratio(.gbps; $t["\(.system) 1 \(.flows)"])} end
	else . end' "$ROWS" >"$ROWS.2" && mv "$ROWS.2" "$ROWS" || die "ratios"

# ---- latency CDF: at 90% of the zero-loss rate, 1 tenant, the first size ----
CDF=$OUT/rfc2544-latency-cdf
: >"$CDF.dat"
plotcmd=
for s in $SYSTEMS; do
	f=$RAW/search-$s-$NSIZE-1-1.jsonl
	[ -f "$f" ] || continue
	jq -r 'select(.type == "trial" and .mode == "latency" and .latency_cdf) |
		.latency_cdf[] | "\(.[0] / 1000) \(.[1])"' "$f" | head -2000 >"$T_DIR/cdf"
	[ -s "$T_DIR/cdf" ] || continue
	{ echo "# $s"; cat "$T_DIR/cdf"; printf '\n\n'; } >>"$CDF.dat"
	plotcmd+="${plotcmd:+, }'$CDF.dat' index $(($(grep -c '^# ' "$CDF.dat") - 1)) using 1:2 with steps title '$s'"
done
IMAGES='[]'
if [ -n "$plotcmd" ] && gnuplot -e "set terminal pngcairo size 1000,600 noenhanced font ',10';
	set output '$CDF.png'; set title 'Latency CDF at 90% of the zero-loss rate, $NSIZE B, 1 tenant (first repeat)';
	set xlabel 'latency (us)'; set ylabel 'fraction of frames'; set logscale x; set grid;
	set key bottom right; plot $plotcmd"; then
	IMAGES='[{"file": "rfc2544-latency-cdf.png", "title": "Latency CDF at 90% of the zero-loss rate"}]'
fi

# ---- the JSON, the tables, the plots ----
mkdir -p "$OUT"
bench_write rfc2544 "$OUT/rfc2544.json" "$ROWS" "$(jq -n -c \
	--argjson trial "$TRIAL" --argjson rep "$REPEATS" --arg sizes "$SIZES" --argjson loss "$LOSS" \
	--arg tenants "$TENANTS" --arg systems "$SYSTEMS" --argjson tcp "${TCP_SECS}" \
	--arg quick "${QUICK:-}" --arg nsize "$NSIZE" --argjson images "$IMAGES" '
	($nsize | tonumber? // $nsize) as $ns |
	{params: {trial_s: $trial, loss_tolerance_pct: $loss, repeats: $rep, sizes: $sizes, tenants: $tenants,
		  systems: $systems, tcp_s: $tcp, quick: ($quick != ""),
		  cores: "generator and sink CPU 0, forwarding CPU 1"},
	 keys: ["table", "system", "size", "tenants", "flows"],
	 units: {size: "B", zero_loss_mpps: "Mpps", zero_loss_min: "Mpps", zero_loss_max: "Mpps",
		 lower_bound_mpps: "Mpps", offered_mpps: "Mpps", gen_max_mpps: "Mpps",
		 mfr_mpps: "Mpps", mfr_offered_mpps: "Mpps", "lat_us.min": "us",
		 "lat_us.p50": "us", "lat_us.p99": "us", "lat_us.max": "us",
		 lat_offered_mpps: "Mpps", lat_forwarded_mpps: "Mpps", pct_ceiling: "%",
		 gbps: "Gbit/s", gbps_min: "Gbit/s", gbps_max: "Gbit/s", b_rate_pps: "pps",
		 b_p99_alone_us: "us", b_p99_flooded_us: "us", a_offered_pps: "pps",
		 a_forwarded_pps: "pps"},
	 plots: [
	  {name: "size", title: "Zero-loss throughput by frame size, 1 tenant",
	   x: "size", series: ["system"], y: ["zero_loss_mpps"], ylabel: "Mpps",
	   where: {table: "throughput", tenants: 1}},
	  {name: "mfr-size", title: "Forwarded under 2x overload by frame size, 1 tenant",
	   x: "size", series: ["system"], y: ["mfr_mpps"], ylabel: "Mpps",
	   where: {table: "throughput", tenants: 1}},
	  {name: "tenants", title: "Aggregate zero-loss throughput by tenants, \($nsize) B",
	   x: "tenants", series: ["system"], y: ["zero_loss_mpps"], ylabel: "Mpps",
	   where: {table: "throughput", size: $ns}},
	  {name: "tcp", title: "TCP goodput (iperf3), tenants x flows each",
	   x: "case", series: ["system"], y: ["gbps"], ylabel: "Gbit/s",
	   where: {table: "tcp"}}],
	 images: $images}')" || die "writing rfc2544.json"
tools/bench-rfc2544-tables "$OUT/rfc2544.json" >"$OUT/rfc2544.md" || die "tables"
cat "$OUT/rfc2544.md"
if [ -z "${BENCH_DIR:-}" ]; then
	tools/bench-report --plot "$OUT" >/dev/null || die "plots"
	say "results in $OUT"
fi
xdp_off
