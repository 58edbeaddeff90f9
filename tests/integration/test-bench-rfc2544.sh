#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-rfc2544's smoke run (issue 15): one point (64 B, 1 tenant) for
# every system, short trials, one TCP case, the noisy neighbour. It asserts
# that every system produced its numbers, that no trial forwarded more
# than was offered and that tenet fast forwarded fast where tenet did not;
# never a rate or a time.
. "$(dirname "$0")/lib.sh"
t_init
t_need lxc-start iperf3 jq gnuplot
[ -x "$BUILD/tn-rfc2544" ] || t_skip_all "build first (make)"
[ "$(nproc)" -ge 2 ] || t_skip_all "needs 2 CPUs"

OUT=$T_DIR/out
SYSTEMS="tenet tenet-fast kernel kernel-xdp xconnect"
t_check "bench-rfc2544 runs (64 B, 1 tenant, every system)" \
	env BENCH_DIR="$OUT" "$TOP/tools/bench-rfc2544.sh" -s 64 -n 1 -r 1 -t 0.3 \
	--tcp-secs 2 --tcp-tenants 1 --tcp-flows 1
J=$OUT/rfc2544.json
t_check "rfc2544.json in the JSON convention" \
	jq -e '.bench == "rfc2544" and (.rows | length > 0) and (.keys | index("system"))' "$J"

row() { # TABLE SYSTEM: that row
	jq -c --arg t "$1" --arg s "$2" '.rows[] | select(.table == $t and .system == $s)' "$J"
}
for s in $SYSTEMS; do
	t_check "$s: a search status, a zero-loss figure or its lower bound, the rate forwarded at the generator's max" \
		jq -e '((.zero_loss_mpps // .lower_bound_mpps) | type == "number") and
			.gen_max_mpps > 0 and .top_forwarded_mpps > 0 and
			.top_forwarded_mpps <= .gen_max_mpps * 1.0001 and
			(.status | type == "string")' <<<"$(row throughput "$s")"
	t_check "$s: forwarded <= offered at 90% and at 2x the zero-loss rate" \
		jq -e '.zero_loss_mpps == null or
			(.lat_forwarded_mpps <= .lat_offered_mpps * 1.0001 and
			 .mfr_mpps <= .mfr_offered_mpps * 1.0001 and .lat_us.p99 >= .lat_us.p50)' \
		<<<"$(row throughput "$s")"
	t_check "$s: TCP goodput measured" jq -e '.gbps > 0' <<<"$(row tcp "$s")"
	t_check "$s: noisy neighbour, B's loss alone and flooded, A offered" \
		jq -e '.b_rate_pps > 0 and (.b_loss_alone | type == "number") and
			(.b_loss_flooded | type == "number") and .a_offered_pps > 0' \
		<<<"$(row noisy "$s")"
done
every_trial() { # every trial line of every run: received <= sent
	local bad
	bad=$(cat "$OUT"/rfc2544/*.jsonl | jq -c 'select(.type == "trial") |
		select(.received > .sent or .forwarded_pps > .offered_pps * 1.0001 + 1)')
	[ -z "$bad" ] || { echo "$bad" | head -3; return 1; }
	[ "$(cat "$OUT"/rfc2544/*.jsonl | jq -c 'select(.type == "trial")' | wc -l)" -gt 20 ]
}
t_check "no trial received more than it sent (and there were trials)" every_trial
t_check "tenet's ratio to the kernel is tenet's figure over the kernel's" \
	jq -e '[.rows[] | select(.table == "throughput" and .size == 64 and .tenants == 1)] |
		(map(select(.system == "tenet"))[0]) as $t |
		(map(select(.system == "kernel"))[0]) as $k |
		if $t.zero_loss_mpps and $k.zero_loss_mpps then
			(($t.ratio_kernel - $t.zero_loss_mpps / $k.zero_loss_mpps) | fabs) < 0.002
		else $t.ratio_kernel == null end' "$J"
t_check "tenet fast: nic_ingress forwarded frames itself, in every table" \
	jq -e '[.rows[] | select(.system == "tenet-fast") | .fast_share] |
		length == 3 and all(. > 0)' "$J"
t_check "tenet: fastpath off, the routers forwarded every frame" \
	jq -e '[.rows[] | select(.system == "tenet") | .fast_share] |
		length == 3 and all(. == 0)' "$J"
t_check "tenet fast's ratio to the ceiling is its figure over the ceiling's" \
	jq -e '[.rows[] | select(.table == "throughput" and .size == 64 and .tenants == 1)] |
		(map(select(.system == "tenet-fast"))[0]) as $t |
		(map(select(.system == "xconnect"))[0]) as $x |
		(($t.top_ratio_xconnect - $t.top_forwarded_mpps / $x.top_forwarded_mpps) | fabs) < 0.002 and
		if $t.zero_loss_mpps and $x.zero_loss_mpps then
			(($t.ratio_xconnect - $t.zero_loss_mpps / $x.zero_loss_mpps) | fabs) < 0.002
		else $t.ratio_xconnect == null end' "$J"
t_check "the report has its tables" \
	grep -q "## Throughput by frame size, 1 tenant" "$OUT/rfc2544.md"
t_check "the noisy-neighbour and TCP tables" \
	sh -c "grep -q '## Noisy neighbour' '$OUT/rfc2544.md' && grep -q '## TCP' '$OUT/rfc2544.md'"
t_check "the fast path's targets" grep -q "## tenet fast against the fast path's targets" "$OUT/rfc2544.md"
t_check "plots: throughput by size and TCP" \
	sh -c "'$TOP/tools/bench-report' --plot '$OUT' >/dev/null &&
		[ -s '$OUT/rfc2544-size.png' ] && [ -s '$OUT/rfc2544-tcp.png' ]"
t_check "the summary shows the benchmark's own tables" \
	sh -c "'$TOP/tools/bench-report' '$OUT' | grep -q 'tenet against kernel forwarding'"
t_done
