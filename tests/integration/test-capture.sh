#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenetctl capture: a tenant's frames from XDP into a pcap file that tcpdump
# and tshark read, while another tenant floods - every frame of the one
# there, none of the other's; a line per frame like tcpdump -n; the cap
# bounding what is copied (the rest counted); one capture per tenant; a
# capture ended by its tenant's removal, by tenetctl's death (kill -9) and
# by tenetd's (the next tenetd turns it off); bad arguments refused before
# anything starts.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq tcpdump tshark bpftool lxc-create

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")

topo_isp || { t_fail "topology"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }

t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "tenant add acme (VLANs 100 and 300)" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1
t_check "tenant add beta (VLANs 200 and 400, the same addresses)" \
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5
t_check "customer 1 reaches the upstream through acme" isp_reach 1
t_check "customer 2 reaches the upstream through beta" isp_reach 2
ACME=$(ctl -j tenant show acme | jq .id)
BETA=$(ctl -j tenant show beta | jq .id)

# ---- bad arguments: refused before anything starts ----
refused() { # RC WORDS ARGS...: capture ARGS exits RC, saying WORDS
	local rc=$1 words=$2 out r
	shift 2
	out=$(ctl capture "$@" 2>&1)
	r=$?
	[ "$r" = "$rc" ] && grep -q -- "$words" <<<"$out" || { echo "rc $r: $out"; return 1; }
}
t_check "capture of no tenant: exit 1, no tenant" refused 1 'no tenant "nosuch"' nosuch count 1
t_check "port both: exit 2" refused 2 "port" acme port both
t_check "count 0: exit 2" refused 2 "count" acme count 0
t_check "snaplen 4000: exit 2" refused 2 "snaplen" acme snaplen 4000
t_check "cap 0: exit 2" refused 2 "cap" acme cap 0
t_check "an unknown key: exit 2" refused 2 "colour" acme colour red
t_check "write into a directory that is not there: exit 1, saying so" \
	refused 1 "write: $T_DIR/nodir/a.pcap" acme write "$T_DIR/nodir/a.pcap" duration 2
cap_off() { # ID: tn_capture[ID] is all zero (no capture on)
	local v
	v=$(bpftool -j map lookup pinned "$BPFFS/t/tn_capture" \
		key $(($1 & 255)) $(($1 >> 8 & 255)) 0 0 | jq -c '[.value[] | select(. != "0x00")] | length')
	[ "$v" = 0 ] || { echo "tn_capture[$1] not zero: $v bytes"; return 1; }
}
t_check "and that capture was turned off" until_ok 20 cap_off "$ACME"

# ---- acme captured while beta floods ----
nsx_bg H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" capture acme \
	duration 10 write "$T_DIR/acme.pcap" >"$T_DIR/cap.out" 2>"$T_DIR/cap.err"
CAP=$BG
sleep 1
t_check "a second capture of acme at once: refused (one at a time)" \
	refused 1 "running already" acme count 1
beta_rx0=$(ctl -j tenant stats beta | jq '.tenants[0].classifier.access.rx_packets')
nsx_bg C2 ping -q -f -s 200 -w 6 198.51.100.1 >/dev/null
FLOOD=$BG
t_check "20 pings of customer 1 through acme meanwhile" \
	eval 'nsx C1 ping -c 20 -i 0.2 -W 2 198.51.100.1 >/dev/null'
wait "$FLOOD"
wait "$CAP" # not under t_check: its subshell cannot wait for CAP
rc=$?
t_check "the capture ends by its duration, exit 0" eval '[ $rc = 0 ] || { cat "$T_DIR/cap.err"; false; }'
beta_rx=$(($(ctl -j tenant stats beta | jq '.tenants[0].classifier.access.rx_packets') - beta_rx0))
t_check "beta was flooded meanwhile ($beta_rx frames in at its access port)" test "$beta_rx" -gt 2000
t_check "tenetctl said what it took on stderr" grep -q "^capture: [0-9]* frames (0 over the cap, 0 lost)" "$T_DIR/cap.err"
td() { tcpdump -r "$T_DIR/acme.pcap" -nn -e "$@" 2>/dev/null; }
count() { td | grep -c -- "$1"; }
t_check "tcpdump -r reads the pcap" eval 'td >"$T_DIR/acme.txt" && [ -s "$T_DIR/acme.txt" ]'
t_check "the 20 echo requests as they came in on the access VLAN 100" \
	test "$(count 'vlan 100, .* 10.0.0.2 > 198.51.100.1: ICMP echo request')" = 20
t_check "the 20 as they left on the uplink, VLAN 300" \
	test "$(count 'vlan 300, .* 10.0.0.2 > 198.51.100.1: ICMP echo request')" = 20
t_check "the 20 replies in on VLAN 300" \
	test "$(count 'vlan 300, .* 198.51.100.1 > 10.0.0.2: ICMP echo reply')" = 20
t_check "the 20 replies out to the customer on VLAN 100" \
	test "$(count 'vlan 100, .* 198.51.100.1 > 10.0.0.2: ICMP echo reply')" = 20
t_check "none of beta's frames (VLANs 200 and 400, its 200-byte pings)" \
	eval '! grep -E "vlan (200|400)|length 208" "$T_DIR/acme.txt"'
t_check "every frame of the file is on acme's VLANs" \
	test "$(td | grep -cE 'vlan (100|300),')" = "$(td | wc -l)"
tsk() { tshark -r "$T_DIR/acme.pcap" "$@" 2>"$T_DIR/tshark.err"; }
tshark_reads() {
	local icmp beta
	icmp=$(tsk -Y 'icmp.type == 8 || icmp.type == 0' | wc -l) &&
		beta=$(tsk -Y 'vlan.id == 200 || vlan.id == 400' | wc -l)
	[ "$icmp $beta" = "80 0" ] || { echo "icmp $icmp, beta's $beta"; cat "$T_DIR/tshark.err"; return 1; }
}
t_check "tshark -r reads it: 80 ICMP echoes, none on beta's VLANs" tshark_reads
t_check "frames whole: caplen = length (tshark)" \
	test "$(tsk -T fields -e frame.len -e frame.cap_len | awk '$1 != $2' | wc -l)" = 0
t_check "acme's capture turned off after" cap_off "$ACME"

# ---- a line per frame, tcpdump -n's way ----
nsx_bg C1 ping -q -c 30 -i 0.1 -W 2 198.51.100.1 >/dev/null
PING=$BG
t_check "capture acme port uplink count 8: eight lines" \
	eval 'ctl capture acme port uplink count 8 >"$T_DIR/lines" 2>"$T_DIR/lines.err" && [ $(wc -l <"$T_DIR/lines") = 8 ]'
wait "$PING"
# The router's container sends frames of its own too (ARP, probes).
t_check "each: time, port uplink, direction, VLAN 300 (e.g. $(head -1 "$T_DIR/lines"))" \
	test "$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} uplink (in |out) vlan 300, (IP|IP6|ARP) ' "$T_DIR/lines")" = 8
t_check "the pings as tcpdump -n says them" \
	test "$(grep -cE ' vlan 300, IP (10.0.0.2|198.51.100.1) > (10.0.0.2|198.51.100.1): ICMP echo (request|reply), id [0-9]+, seq [0-9]+, length 64$' "$T_DIR/lines")" -ge 4
t_check "and the count on stderr" grep -q "^capture: 8 frames" "$T_DIR/lines.err"
t_check "-j: a JSON object per frame, then the end" \
	eval 'nsx_bg C1 ping -c 10 -i 0.1 198.51.100.1 >/dev/null; ctl -j capture acme count 2 >"$T_DIR/j"; wait $BG; jq -s -e "length == 3 and (.[0].port == \"access\" or .[0].port == \"uplink\") and .[2].frames == 2" "$T_DIR/j" >/dev/null'

# ---- the cap ----
nsx_bg C2 ping -q -f -s 200 -w 5 198.51.100.1 >/dev/null
FLOOD=$BG
t_check "capture beta cap 20 duration 3 while it floods" \
	eval 'ctl -j capture beta cap 20 duration 3 write "$T_DIR/beta.pcap" >"$T_DIR/bj"'
wait "$FLOOD"
n=$(tcpdump -r "$T_DIR/beta.pcap" -nn 2>/dev/null | wc -l)
# 3 s span 4 of the cap's seconds at most; two CPUs starting a second at
# once may each let one more through.
t_check "at most 20 frames a second were copied ($n in 3 s)" test "$n" -gt 0 -a "$n" -le 88
t_check "the rest counted over the cap ($(jq .capped "$T_DIR/bj")), the file holds what tenetctl counted" \
	test "$(jq '.capped > 1000' "$T_DIR/bj") $(jq .frames "$T_DIR/bj")" = "true $n"

# ---- ends ----
nsx_bg H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" capture acme \
	write "$T_DIR/kill.pcap"
CAP=$BG
until_ok 20 eval '! cap_off "$ACME"' >/dev/null
kill -9 "$CAP"
wait "$CAP" 2>/dev/null
t_check "tenetctl killed -9: tenetd turns its capture off" until_ok 20 cap_off "$ACME"
# two frames of acme's captured while customer 1 pings: exit 0
cap_two() { nsx_bg C1 ping -c 10 -i 0.2 198.51.100.1 >/dev/null; ctl capture acme count 2 >/dev/null; local rc=$?; wait $BG; return $rc; }
t_check "and a new capture of acme runs" cap_two

nsx_bg H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" capture beta \
	write "$T_DIR/del.pcap" >"$T_DIR/del.out" 2>"$T_DIR/del.err"
CAP=$BG
until_ok 20 eval '! cap_off "$BETA"' >/dev/null
t_check "tenant del beta during its capture" ctl tenant del beta
wait "$CAP"
rc=$?
t_check "the capture ends, exit 1: the tenant was removed" \
	eval '[ $rc = 1 ] && grep -q "capture ended: the tenant was removed" "$T_DIR/del.err"'
t_check "the pcap it wrote is whole (tcpdump reads it)" tcpdump -r "$T_DIR/del.pcap" -nn -c 1

nsx_bg H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" capture acme \
	write "$T_DIR/d.pcap" >/dev/null 2>"$T_DIR/d.err"
CAP=$BG
until_ok 20 eval '! cap_off "$ACME"' >/dev/null
kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null
wait "$CAP"
rc=$?
t_check "tenetd killed -9 during a capture: tenetctl ends, exit 1 ($(cat "$T_DIR/d.err"))" test $rc = 1
agent_start "$T_DIR/log2" || { t_fail "tenetd starts again"; exit 1; }
t_check "the next tenetd turns the capture left on off, saying so" \
	eval 'grep -q "1 captures left by an earlier tenetd turned off" "$T_DIR/log2" && cap_off "$ACME"'
t_check "and captures again" cap_two

t_check "tenant del acme" ctl tenant del acme
t_done
