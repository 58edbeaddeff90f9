#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tn-rfc2544 on a bare veth pair, generator in one netns, sink in the other:
# every command produces its JSON, numbers where there must be numbers, the
# sink never counts more than was sent, and the sink is gone afterwards.
# Never a timing assert: this machine's rates are not this test's business
# (tools/README.rfc2544.md has the measured ones). Under 30 s.
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
