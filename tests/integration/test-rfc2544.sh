#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tn-rfc2544 on a bare veth pair, generator in one netns, sink in the other:
# every command produces its JSON, numbers where there must be numbers, the
# sink never counts more than was sent, and the sink is gone afterwards.
# Never a timing assert: this machine's rates are not this test's business
# (tools/README.rfc2544.md has the measured ones); but counts, where the
# tool sets them (a paced tenant's frames, with a flood). Then --dst-macs
# in the frames, and xconnect through a third netns. Under 30 s.
#
#   netns G                  netns S
#   g0 [BPF_PROG_RUN] ------ s0 [rfc_sink]
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v jq >/dev/null || t_skip_all "jq is needed"
[ -x "$BUILD/tn-rfc2544" ] || t_skip_all "build/tn-rfc2544 is not built"

RFC=$BUILD/tn-rfc2544
ns_add G && ns_add S || { t_fail "create netns"; exit 1; }
for n in G S; do nsx $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
nsx G ip link add g0 type veth peer name s0 netns "$P-S"
nsx G ip link set g0 up
nsx S ip link set s0 up
ARGS="--gen g0 --gen-ns $P-G --sink s0 --sink-ns $P-S"
OUT=$T_DIR/out.json

# One trial at 50 kpps, 4 tenants on VLANs 100..103.
if $RFC trial $ARGS --rate 50000 --duration 0.3 --drain-ms 50 --repeat 1 \
	--tenants 4 --vlan 100 >"$OUT" 2>"$T_DIR/err"; then
	t_ok "trial: ran"
else
	t_fail "trial: ran"
	sed 's/^/#   /' "$T_DIR/err"
fi
t_check "trial: offered >= received > 0, latency and shares there" \
	jq -se '[.[] | select(.type == "trial")] | length == 1 and (.[0] |
		.sent > 0 and .received > 0 and .sent >= .received and
		.offered_pps > 0 and .latency_ns.p50 > 0 and
		.latency_ns.min <= .latency_ns.p50 and
		.latency_ns.p50 <= .latency_ns.p99 and
		.latency_ns.p99 <= .latency_ns.max and
		(.per_tenant | length) == 4 and .per_tenant[3].vid == 103 and
		.bad_tenant == 0)' "$OUT"
t_check "trial: a summary of the repeats" \
	jq -e 'select(.type == "trials") | .repeats == 1 and
		.offered_pps.median > 0 and (.jain >= 0)' "$OUT"

# A coarse search on IMIX: a status always; a figure only when found.
if $RFC search $ARGS --size imix --duration 0.2 --drain-ms 50 --repeat 1 \
	--resolution 10 --latency-at 0 --no-overload >"$OUT" 2>"$T_DIR/err"; then
	t_ok "search: ran"
else
	t_fail "search: ran"
	sed 's/^/#   /' "$T_DIR/err"
fi
t_check "search: a status, and a zero-loss figure only if found" \
	jq -e 'select(.type == "search") |
		(.status | IN("found", "no-loss-at-generator-max",
			      "generator-bound", "loss-at-lowest-rate")) and
		.generator_max_pps.median > 0 and
		(if .status == "found" then .zero_loss_pps.median > 0
		 else .zero_loss_pps == null end)' "$OUT"
t_check "search: every trial offered at least what it received" \
	jq -se '[.[] | select(.type == "trial") | .sent >= .received] | all' \
	"$OUT"

t_check "the sink is detached afterwards" \
	sh -c "! nsenter --net=/run/netns/$P-S ip link show s0 | grep -q xdp"
t_check "bad input: one sentence naming the option" \
	sh -c "$RFC trial $ARGS --size 63 2>&1 >/dev/null | grep -q -- '--size takes'"

# A flood tenant: tenant 1 paced at 20 kpps (the limit: rate x duration,
# within 5% if the generator ended early), tenant 0 the generator's spare
# capacity, which is more; the trial's figures the paced tenant's.
if $RFC latency $ARGS --tenants 2 --vlan 100 --flood-tenant 0 --rate 20000 \
	--duration 1 --drain-ms 50 --repeat 1 >"$OUT" 2>"$T_DIR/err"; then
	t_ok "flood: ran"
else
	t_fail "flood: ran"
	sed 's/^/#   /' "$T_DIR/err"
fi
t_check "flood: tenant 1 sent ~20000, tenant 0 more; offered is the paced" \
	jq -se '.[] | select(.type == "trial") |
		(.per_tenant[1].sent | . >= 19000 and . <= 20000) and
		.per_tenant[0].sent > .per_tenant[1].sent and
		.flood_tenant == 0 and .flood_sent == .per_tenant[0].sent and
		.sent == .per_tenant[1].sent and .flood_pps > 0 and
		.offered_pps >= 19000 and .offered_pps <= 20100' "$OUT"
t_check "flood: the summary's flood_pps" \
	jq -e 'select(.type == "latency") | .flood_tenant == 0 and
		.flood_pps.median > 0 and .generator_bound == false' "$OUT"
$RFC search $ARGS --tenants 2 --flood-tenant 0 --rate 1000 >/dev/null 2>&1
RC=$?
t_check "flood: refused with search (status 2)" test $RC = 2
$RFC trial $ARGS --tenants 2 --flood-tenant 0 >/dev/null 2>&1
RC=$?
t_check "flood: refused without a rate (status 2)" test $RC = 2
$RFC trial $ARGS --flood-tenant 0 --rate 1000 >/dev/null 2>&1
RC=$?
t_check "flood: refused with one tenant (status 2)" test $RC = 2

# xconnect, the ceiling: rfc_xc on x0 in netns X redirects VLAN 100..
# to x1 with s1's MAC, and the trial from g1 is received at s1 (the sink
# there takes the redirected frames: veth wants an XDP program on the peer).
#
#   netns G          netns X                netns S
#   g1 ------------- x0 [rfc_xc] -> x1 ----- s1 [rfc_sink]
ns_add X || { t_fail "create netns X"; exit 1; }
nsx X sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsx G ip link add g1 type veth peer name x0 netns "$P-X"
nsx X ip link add x1 type veth peer name s1 netns "$P-S"
nsx G ip link set g1 up
nsx X ip link set x0 up
nsx X ip link set x1 up
nsx S ip link set s1 up
S1MAC=$(nsx S ip -j link show s1 | jq -r '.[0].address')
X1MAC=$(nsx X ip -j link show x1 | jq -r '.[0].address')
XARGS="--gen g1 --gen-ns $P-G --sink s1 --sink-ns $P-S --vlan 100 --rate 10000
	--duration 1 --drain-ms 50 --repeat 1"
xdp_on() { nsx X ip -j link show "$1" | jq -e '.[0].xdp != null' >/dev/null; }

$RFC xconnect --in x0 --out x1 --dst-mac "$S1MAC" --ns "$P-X" \
	>"$T_DIR/xc.json" 2>"$T_DIR/err"
RC=$?
t_check "xconnect: attached, and says where to" \
	jq -e --arg m "$S1MAC" --arg s "$X1MAC" '.type == "xconnect" and
		.in == "x0" and .out == "x1" and .ifindex_out > 0 and
		.dst_mac == $m and .src_mac == $s and .vlan_lo == 1 and
		.vlan_hi == 4094' "$T_DIR/xc.json"
[ $RC = 0 ] || sed 's/^/#   /' "$T_DIR/err"
$RFC trial $XARGS >"$OUT" 2>"$T_DIR/err"
t_check "xconnect: VLAN 100 in range, all received" \
	jq -se '.[] | select(.type == "trial") |
		.sent > 0 and .received == .sent' "$OUT"
SENT=$(jq -s '.[] | select(.type == "trial") | .sent' "$OUT")
$RFC xconnect --in x0 --detach --ns "$P-X" >"$T_DIR/xc.json" 2>"$T_DIR/err"
RC=$?
t_check "xconnect --detach: its counters, redirected >= sent" \
	jq -e --argjson n "${SENT:-0}" '.type == "xconnect" and .detached and
		.redirected >= $n and $n > 0' "$T_DIR/xc.json"
t_check "xconnect --detach: status 0 and x0 bare" \
	sh -c "[ $RC = 0 ] && ! nsenter --net=/run/netns/$P-X ip -j link show x0 |
		jq -e '.[0].xdp != null' >/dev/null"

$RFC xconnect --in x0 --out x1 --dst-mac "$S1MAC" --ns "$P-X" \
	--vlan-lo 200 --vlan-hi 300 >/dev/null 2>&1
$RFC trial $XARGS >"$OUT" 2>"$T_DIR/err"
t_check "xconnect: VLAN 100 out of 200..300, nothing received" \
	jq -se '.[] | select(.type == "trial") | .sent > 0 and .received == 0' \
	"$OUT"
$RFC xconnect --in x0 --detach --ns "$P-X" >"$T_DIR/xc.json" 2>&1
t_check "xconnect --detach: all passed, none redirected" \
	jq -e --argjson n "$(jq -s '.[] | select(.type == "trial") | .sent' \
		"$OUT")" '.redirected == 0 and .passed >= $n' "$T_DIR/xc.json"
$RFC xconnect --in x0 --detach --ns "$P-X" >/dev/null 2>"$T_DIR/err"
RC=$?
t_check "xconnect --detach without rfc_xc: status 1, said so" \
	sh -c "[ $RC = 1 ] && grep -q 'no rfc_xc on x0' '$T_DIR/err'"
$RFC xconnect --in nope --out x1 --dst-mac "$S1MAC" --ns "$P-X" \
	>/dev/null 2>&1
RC=$?
t_check "xconnect: no such device, status 1" test $RC = 1
$RFC xconnect --in x0 --ns "$P-X" >/dev/null 2>&1
RC=$?
t_check "xconnect: --out and --dst-mac missing, status 2" test $RC = 2

# Another program on x0 through libxdp, at nic_ingress's priority (50):
# rfc_xc goes in front of it in the dispatcher and --detach leaves it there; where the dispatcher cannot
# load (libxdp attached it alone), rfc_xc is refused (status 1) and the
# program stays.
if command -v xdp-loader >/dev/null &&
	nsx X xdp-loader load -m native -P 50 x0 \
		/usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o >/dev/null 2>&1; then
	progs() { nsx X ip -j link show x0 | jq -r '.[0].xdp.prog.name'; }
	MAIN=$(progs)
	$RFC xconnect --in x0 --out x1 --dst-mac "$S1MAC" --ns "$P-X" \
		>/dev/null 2>"$T_DIR/err"
	RC=$?
	if [ "$MAIN" = xdp_dispatcher ]; then
		t_check "xconnect: added to the dispatcher" test $RC = 0
		nsx X xdp-loader status x0 >"$T_DIR/st" 2>&1
		t_check "xconnect: rfc_xc first, the other still there" \
			sh -c "grep -A3 xdp_dispatcher '$T_DIR/st' |
				grep -A1 ' rfc_xc ' | grep -q xdpfilt_alw_all"
		$RFC xconnect --in x0 --detach --ns "$P-X" >/dev/null 2>&1
		nsx X xdp-loader status x0 >"$T_DIR/st" 2>&1
		t_check "xconnect --detach: only rfc_xc gone" \
			sh -c "grep -q xdpfilt_alw_all '$T_DIR/st' &&
				! grep -q rfc_xc '$T_DIR/st'"
	else
		t_check "xconnect: refused next to a program attached alone" \
			sh -c "[ $RC = 1 ] && grep -q 'attached alone' '$T_DIR/err'"
		t_check "xconnect: the program attached alone stays" \
			test "$(progs)" = xdpfilt_alw_all
	fi
	nsx X xdp-loader unload -a x0 >/dev/null 2>&1
else
	t_skip "xconnect next to another program" "no xdp-loader"
fi

# --dst-macs: one MAC a tenant, or a usage error (status 2).
$RFC trial $ARGS --tenants 3 --dst-macs 02:00:00:00:00:0a,02:00:00:00:00:0b \
	>/dev/null 2>"$T_DIR/err"
RC=$?
t_check "--dst-macs: 2 MACs for 3 tenants is status 2, naming the option" \
	sh -c "[ $RC = 2 ] && grep -q -- '--dst-macs takes one MAC a tenant' '$T_DIR/err'"

# --dst-macs in the frames: the sink elsewhere (m0), s0 with GRO on so that
# veth takes the frames into the stack, where tcpdump sees them.
nsx S ip link add m0 type veth peer name m1
nsx S ip link set m0 up
nsx S ip link set m1 up
nsx S ethtool -K s0 gro on >/dev/null
nsx_bg S timeout 10 tcpdump -c 20 -ni s0 -w "$T_DIR/cap.pcap" vlan and udp \
	2>/dev/null
sleep 1
$RFC trial --gen g0 --gen-ns $P-G --sink m0 --sink-ns $P-S --rate 1000 \
	--duration 0.1 --drain-ms 10 --repeat 1 --vlans 100,101 \
	--dst-macs 02:00:00:00:00:0a,02:00:00:00:00:0b >/dev/null 2>&1
wait "$BG" 2>/dev/null
nsx S ethtool -K s0 gro off >/dev/null
t_check "--dst-macs: VLAN 100's frames to the first MAC, 101's to the second" \
	sh -c "tcpdump -ner '$T_DIR/cap.pcap' 2>/dev/null |
		sed -n 's/.* > \([0-9a-f:]*\), .*vlan \([0-9]*\),.*/\2 \1/p' |
		sort -u | tr '\n' ' ' |
		grep -qx '100 02:00:00:00:00:0a 101 02:00:00:00:00:0b '"
t_done
