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
t_done
