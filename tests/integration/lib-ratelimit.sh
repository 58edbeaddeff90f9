# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What test-ratelimit.sh and tools/bench-ratelimit.sh share (issue 14): make
# demo's small ISP (topo_isp) with its two tenants onboarded, an iperf3
# server for each in the upstream, and the measurements both make: TCP
# goodput, UDP as the receiver counted it (in frame bits), ping RTTs.
# Source it after lib.sh and t_init.
#
# acme (customer C1, VLAN 100, uplink VLAN 300) is the tenant whose rate
# is measured; beta (C2, VLAN 200, uplink VLAN 400), with the same
# 10.0.0.0/24, is its neighbour. Both reach the upstream's 198.51.100.1.
# Directions are named as `tenetctl -j tenant stats` names them in its
# "limited" section: to_upstream (the customer sends; iperf3 client in C
# sending) and to_customer (the upstream sends; iperf3 -R).

RL_SECS=${RL_SECS:-10}
# The UDP datagram's payload (iperf3 -l). iperf3 counts UDP payload only;
# a tenant's rate counts untagged Ethernet frames (lib/dp.h,
# TN_LIMITS_FRAME): 14 B Ethernet header + 20 B IPv4 + 8 B UDP + the
# payload, 1442 B for 1400 B of payload (no tag, FCS, preamble or gap).
# So what arrived is converted to the bits of the frames that carried it:
# frame_bps = payload_bps * (RL_UDP_LEN + 42) / RL_UDP_LEN, and that is
# compared with the rate. Datagrams of 1400 B are never fragmented (MTU 1500).
RL_UDP_LEN=1400
RL_UDP_FRAME=$((RL_UDP_LEN + 14 + 20 + 8))

# rl_cust NAME: the customer netns of a tenant; rl_port NAME: its iperf3
# server's port in U (bound to its uplink port: UDP answers need it).
rl_cust() { case $1 in acme) echo C1 ;; beta) echo C2 ;; esac; }
rl_port() { case $1 in acme) echo 5201 ;; beta) echo 5202 ;; esac; }

rl_connected() {
	echo "$(ctl -j tenant show acme | jq -r .router.connected)" \
		"$(ctl -j tenant show beta | jq -r .router.connected)"
}
rl_listening() { nsx U ss -ltn | grep -q ":$1 "; }

# rl_setup [ACME-KEYS...]: topology, tenetd, both tenants (acme with the
# extra keys, say "rate 100M"), both customers reaching the upstream, an
# iperf3 server for each. Not in a subshell: nsx_bg records the PIDs the
# cleanup kills. Says what failed on stderr.
rl_setup() {
	LXCP=$T_DIR/state/lxc
	T_LXC+=("H $LXCP")
	topo_isp || { echo "topology" >&2; return 1; }
	agent_start "$T_DIR/log" || { echo "tenetd did not start" >&2; return 1; }
	{ ctl nic attach nic0 role access >/dev/null &&
		ctl nic attach nic1 role uplink default drop >/dev/null; } ||
		{ echo "nic attach" >&2; return 1; }
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1 \
		"$@" >/dev/null || { echo "tenant add acme $*" >&2; return 1; }
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5 \
		>/dev/null || { echo "tenant add beta" >&2; return 1; }
	until_is 150 "true true" rl_connected ||
		{ echo "routers not connected" >&2; return 1; }
	{ isp_reach 1 && isp_reach 2; } ||
		{ echo "customers do not reach the upstream" >&2; return 1; }
	# -J: so that a client's --get-server-output brings back the
	# server's (the receiver's) intervals as JSON.
	nsx_bg U iperf3 -s -J -p 5201 -B 198.51.100.1%u1 >/dev/null 2>&1
	nsx_bg U iperf3 -s -J -p 5202 -B 198.51.100.1%u2 >/dev/null 2>&1
	{ until_ok 50 rl_listening 5201 && until_ok 50 rl_listening 5202; } ||
		{ echo "iperf3 servers" >&2; return 1; }
}

# rl_iperf NAME DIR OUT ARGS...: one iperf3 test between NAME's customer
# and the upstream, RL_SECS long, JSON in OUT; DIR to_customer adds -R.
rl_iperf() {
	local name=$1 dir=$2 out=$3 r=
	shift 3
	[ "$dir" = to_customer ] && r=-R
	# shellcheck disable=SC2086
	nsx "$(rl_cust "$name")" iperf3 -c 198.51.100.1 -p "$(rl_port "$name")" \
		-t "$RL_SECS" -J --connect-timeout 3000 $r "$@" >"$out" 2>&1
}
# rl_tcp NAME DIR CC OUT [ARGS...]: a TCP test with that congestion
# control on the sender (iperf3 sets it on both ends).
rl_tcp() {
	local name=$1 dir=$2 cc=$3 out=$4
	shift 4
	rl_iperf "$name" "$dir" "$out" -C "$cc" "$@"
}
# rl_udp NAME DIR OFFERED_BPS OUT: UDP offered at OFFERED_BPS of payload,
# RL_UDP_LEN-byte datagrams; the server's own report comes back too.
rl_udp() {
	rl_iperf "$1" "$2" "$4" -u -b "$3" -l "$RL_UDP_LEN" --get-server-output
}

# rl_mbps FILE: what the receiver got in an iperf3 JSON (TCP: goodput;
# UDP: payload), Mbit/s with one decimal; nothing if the test failed.
rl_mbps() {
	jq -r '.end.sum_received.bits_per_second // empty | . / 1e6 * 10 | round / 10' \
		"$1" 2>/dev/null
}
# rl_err FILE: iperf3's error, if it had one.
rl_err() { jq -r '.error // empty' "$1" 2>/dev/null || head -3 "$1"; }

# rl_udp_frames FILE DIR: the receiver's intervals of a UDP test, one line
# each: "START END FRAME_MBPS" (payload converted to frame bits, above).
# The receiver is the client with -R (to_customer), else the server.
rl_udp_frames() {
	jq -r --arg dir "$2" --argjson f "$RL_UDP_FRAME" --argjson l "$RL_UDP_LEN" '
		(if $dir == "to_customer" then .intervals
		 else .server_output_json.intervals end)[].sum |
		"\(.start) \(.end) \(.seconds) \(.bytes * 8 * $f / $l / .seconds / 1e6)"' "$1" 2>/dev/null
}
# rl_udp_total FILE: frame Mbit/s the receiver got over the whole test.
rl_udp_total() {
	jq -r --argjson f "$RL_UDP_FRAME" --argjson l "$RL_UDP_LEN" \
		'.end.sum_received | .bytes * 8 * $f / $l / .seconds / 1e6' "$1" 2>/dev/null
}

# rl_ping_bg NETNS COUNT INTERVAL OUT: ping the upstream from NETNS in the
# background (PING gets the PID; wait for it).
rl_ping_bg() {
	nsx "$1" ping -n -c "$2" -i "$3" -W 2 198.51.100.1 >"$4" 2>&1 &
	# shellcheck disable=SC2034 # for the script that sources this
	PING=$!
}
# rl_rtts FILE [IDLE_MS]: the RTTs of a ping's replies, less IDLE_MS, one a
# line, sorted.
rl_rtts() {
	sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$1" |
		awk -v i="${2:-0}" '{ printf "%.3f\n", $1 - i }' | sort -g
}
# rl_pct P: the P-th percentile (nearest rank) of sorted numbers on stdin.
rl_pct() {
	awk -v p="$1" '{ v[NR] = $1 }
		END { if (!NR) exit 1; r = int(NR * p / 100); if (r < NR * p / 100) r++;
		      if (r < 1) r = 1; print v[r] }'
}
# rl_ping_sent FILE / rl_ping_lost FILE: from ping's summary line.
rl_ping_sent() { sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$1"; }
rl_ping_lost() {
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$1" |
		awk '{ print $1 - $2 }'
}

# fge A B / fle A B / flt A B: A >= B, A <= B, A < B as numbers; false if A
# is empty (nothing was measured). Say why when false.
fcmp() {
	[ -n "$1" ] || { echo "nothing measured"; return 1; }
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" && return 0
	echo "measured $1, wanted $2 $3"
	return 1
}
fge() { fcmp "$1" '>=' "$2"; }
fle() { fcmp "$1" '<=' "$2"; }
flt() { fcmp "$1" '<' "$2"; }
# fcalc EXPR: awk arithmetic, printed with two decimals.
fcalc() { awk "BEGIN { printf \"%.2f\n\", $1 }"; }

# rl_now: seconds since the epoch, to the millisecond.
rl_now() { date +%s.%3N; }
