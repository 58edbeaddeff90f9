#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tenants through tenetd and tenetctl, with real containers: onboarding
# (veths, maps, container, quotas, routes), list/show/stats as JSON, live
# quota changes, bad input refused with the database, links, maps and
# containers unchanged, kill -9 after and during onboarding then restart
# converging, removal leaving nothing, and two agents side by side.
# The "host" is netns H (agent a) and H2 (agent b); every container is
# stopped and destroyed in the EXIT trap.
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v jq >/dev/null || t_skip_all "jq is needed"
command -v lxc-create >/dev/null || t_skip_all "LXC is needed (make deps)"
[ -x "$TN_BIN/tenetd" ] && [ -x "$TN_BIN/tenetctl" ] ||
	t_skip_all "build first (make)"

declare -A NS=([a]=H [b]=H2)
SEND="python3 $TOP/tests/integration/sendframe.py"

T_LXC+=("H $T_DIR/a/state/lxc" "H2 $T_DIR/b/state/lxc")

ns_add H && ns_add H2 || { t_fail "create netns"; exit 1; }
for h in H H2; do
	host_nics $h 3 || { t_fail "veth NICs"; exit 1; }
done

start_agent() { # NAME
	local a=$1
	mkdir -p "$T_DIR/$a"
	[ -f "$T_DIR/$a/log" ] && cat "$T_DIR/$a/log" >>"$T_DIR/$a/log.old"
	nsx_bg "${NS[$a]}" "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/$a/state" \
		--run-dir "$T_DIR/$a/run" --bpffs "$BPFFS/$a" >"$T_DIR/$a/log" 2>&1
	eval "PID_$a=$BG"
	wait_for "$T_DIR/$a/log" "ready" 150
}
ctl() { # AGENT ARGS...
	local a=$1
	shift
	nsx "${NS[$a]}" "$TN_BIN/tenetctl" --socket "$T_DIR/$a/run/tenetd.sock" "$@"
}
raw() { # AGENT PYTHON-BYTES: sent as is on the control socket; the reply
	nsx "${NS[$1]}" python3 - "$T_DIR/$1/run/tenetd.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
try:
    s.sendall(eval(sys.argv[2]))
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
print(s.makefile().readline().strip())
PY
}
show() { ctl "$1" -j tenant show "$2"; }
cpid() { show "$1" "$2" | jq -r .container.pid; }
cns() { # PID CMD...: CMD in that container's netns
	local p=$1
	shift
	nsenter --net="/proc/$p/ns/net" "$@"
}
xdp_prog() { # NETNS DEV
	nsx "$1" ip -j link show dev "$2" | jq -r '.[0].xdp.prog.name // "none"'
}
dump() { bpftool -j map dump pinned "$BPFFS/$1/$2"; }
# (sysfs would show the netns it was mounted in: ask netlink)
ifindex() { nsx "$1" ip -j link show dev "$2" | jq '.[0].ifindex'; }
# What a refused request must leave as it was.
snap() { # AGENT
	local a=$1 m
	python3 - "$T_DIR/$a/state/tenet.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("nics", "tenants", "tenant_addrs", "tenant_prefixes", "routes"):
    print(t, db.execute("SELECT * FROM %s ORDER BY 1, 2" % t).fetchall())
PY
	nsx "${NS[$a]}" ip -o link show | awk -F': ' '{print $2}' | sort
	for m in tn_vlan tn_mac tn_host tn_lpm4 tn_lpm6 tn_egress; do
		dump "$a" $m | jq -c 'map(.formatted // .) | sort_by(.key | tostring)'
	done
	dump "$a" tn_tenants | jq -c '[.[] | select(.formatted.value.flags != 0) | .formatted.key]'
	dump "$a" tn_ports | jq -c '[.[] | select(.value | type == "array")]'
	ls "$T_DIR/$a/state/lxc" "$BPFFS/$a/tenants" "$T_DIR/$a/run/tenants"
}

start_agent a
t_check "tenetd starts" test $? = 0
t_check "nic attach nic0 role access" ctl a nic attach nic0 role access
t_check "nic attach nic1 role uplink" ctl a nic attach nic1 role uplink

# ---- onboarding ----
ACME=(acme access nic0 vlan 100 uplink nic1 prefix 198.51.100.0/24
	access-addr 10.0.0.1/24 fd00::1/64 uplink-addr 192.0.2.2/24
	gateway 192.0.2.1 cpu 0.5 memory 256M pids 200 rate 100M)
out=$(ctl a -j tenant add "${ACME[@]}")
t_check "tenant add acme" test $? = 0
t_check "add -j: id 1, ready, container running" \
	test "$(jq -c '[.id, .state, .container.state, .access.veth, .uplink.veth]' <<<"$out")" = \
	'[1,"ready","RUNNING","tn1a","tn1u"]'
t_check "add -j: the uplink MAC made from the id" \
	test "$(jq -r .uplink.mac <<<"$out")" = 02:74:6e:00:00:01
P1=$(cpid a acme)
t_check "add -j: the access MAC is the router's there" \
	test "$(jq -r .access.mac <<<"$out")" = \
	"$(cns "$P1" ip -j link show access0 | jq -r '.[0].address')"
t_check "host veths tn1a, tn1u carry tenant_egress" \
	test "$(xdp_prog H tn1a) $(xdp_prog H tn1u)" = "tenant_egress tenant_egress"
t_check "container: access0 and uplink0 with tenant_rx" \
	test "$(cns "$P1" ip -j link show | jq -c '[.[] | select(.ifname != "lo") | [.ifname, .xdp.prog.name]] | sort')" = \
	'[["access0","tenant_rx"],["uplink0","tenant_rx"]]'
t_check "container: addresses on both sides" \
	test "$(cns "$P1" ip -j addr show | jq -c '[.[].addr_info[] | select(.scope == "global") | "\(.local)/\(.prefixlen)"] | sort')" = \
	'["10.0.0.1/24","192.0.2.2/24","fd00::1/64"]'
t_check "container: uplink0 has the tenant's MAC" \
	test "$(cns "$P1" ip -j link show uplink0 | jq -r '.[0].address')" = 02:74:6e:00:00:01
t_check "container: default route via the gateway" \
	test "$(cns "$P1" ip -j route show default | jq -r '.[0].gateway')" = 192.0.2.1
IF0=$(ifindex H nic0)
IF1=$(ifindex H nic1)
t_check "tn_vlan: (nic0, 100) -> tenant 1" \
	test "$(dump a tn_vlan | jq -c "[.[].formatted | select(.key.ifindex == $IF0) | [.key.vid, .value]]")" = '[[100,1]]'
t_check "tn_mac: (nic1, its MAC) -> tenant 1" \
	test "$(dump a tn_mac | jq -c "[.[].formatted | select(.key.ifindex == $IF1) | .value]")" = '[1]'
t_check "tn_lpm4: its prefix on nic1 -> tenant 1" \
	test "$(dump a tn_lpm4 | jq -c '[.[].formatted | [.key.prefixlen, .key.addr, .value]]')" = '[[56,[198,51,100,0],1]]'
t_check "tn_nics: nic1 looks up MACs and prefixes" \
	test "$(dump a tn_nics | jq -c "[.[].formatted | select(.key == $IF1) | .value.flags]")" = '[3]'
t_check "cgroup: memory 256M, cpu 0.5, pids 200" \
	test "$(cglimits "$P1" | cut -d' ' -f1-3)" = "268435456 50000 200"

# A tagged frame for the router's own address reaches its container.
before=$(ctl a -j tenant stats acme | jq '.tenants[0].classifier.access.tx_packets')
nsx H $SEND nic0p "$(cns "$P1" ip -j link show access0 | jq -r '.[0].address')" 02:00:00:00:00:99 \
	--vlan 100 --ipv4 10.0.0.2 10.0.0.1 --count 5
t_check "stats: 5 frames of VLAN 100 delivered to acme" \
	test "$(ctl a -j tenant stats acme | jq '.tenants[0].classifier.access.tx_packets')" = $((before + 5))

connected() { # AGENT NAME: its router took its sockets (5 s)
	local i
	for i in $(seq 50); do
		[ "$(show "$1" "$2" | jq -r .router.connected)" = true ] && return 0
		sleep 0.1
	done
	return 1
}
BETA=(beta access nic0 vlan 200 uplink nic1 uplink-vlan 300
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.3/24 pps 20000)
t_check "tenant add beta: same 10.0.0.0/24, another VLAN" ctl a tenant add "${BETA[@]}"
t_check "tenant list -j: acme and beta, ids 1 and 2" \
	test "$(ctl a -j tenant list | jq -c '[.tenants[] | [.name, .id, .state]]')" = \
	'[["acme",1,"ready"],["beta",2,"ready"]]'
text_names() { ctl a tenant list | grep -q "^acme id 1" && ctl a tenant list | grep -q "^beta id 2"; }
t_check "tenant list (text) names both" text_names
t_check "tenant show -j: limits as given" \
	test "$(show a acme | jq -c '.limits | [.cpu_millicores, .memory_bytes, .pids, .rate_bps, .pps]')" = \
	'[500,268435456,200,100000000,0]'
both_connected() { connected a acme && connected a beta; }
t_check "both routers took their sockets" both_connected
t_check "tenant stats -j: counters, XSK modes, usage of both" \
	test "$(ctl a -j tenant stats | jq -c '[.tenants[] | [.name, (.classifier.uplink.drops | has("policed")), .xsk.in_use, (.usage.memory_bytes > 0), (.usage.pids > 0)]]')" = \
	'[["acme",true,"copy",true,true],["beta",true,"copy",true,true]]'
t_check "beta's frames are not acme's" \
	test "$(ctl a -j tenant stats beta | jq '.tenants[0].classifier.access.rx_packets')" = 0

# ---- live changes ----
t_check "tenant set acme memory 512M cpu 1 pids 300 rate 50M" \
	ctl a tenant set acme memory 512M cpu 1 pids 300 rate 50M
t_check "cgroup changed in place" \
	test "$(cglimits "$P1" | cut -d' ' -f1-3)" = "536870912 100000 300"
t_check "the container was not restarted" test "$(cpid a acme)" = "$P1"
# 50 Mbit/s: a byte costs (8e9 << 16) / 50e6 ns of credit, on both ports
t_check "policers at 50 Mbit/s on both ports" \
	test "$(dump a tn_policer | jq -c '[.[].formatted | select(.key == 2 or .key == 3) | .value.byte_cost]')" = \
	'[10485760,10485760]'
t_check "tenant set acme memory unlimited pids unlimited: no limit, asked for" \
	ctl a tenant set acme memory unlimited pids unlimited
t_check "shown as unlimited (0 in JSON) and lifted in its cgroups" \
	test "$(show a acme | jq -c '.limits | [.memory_bytes, .pids]') $(cglimits "$P1" | cut -d' ' -f1,3)" = "[0,0] max max"
unlimited_text() { ctl a tenant show acme | grep -q 'memory unlimited pids unlimited'; }
t_check "text: memory unlimited pids unlimited" unlimited_text
t_check "tenant set acme memory 512M pids 300: back" ctl a tenant set acme memory 512M pids 300
t_check "beta's policers: 20000 pps, no bit limit" \
	test "$(dump a tn_policer | jq -c '[.[].formatted | select(.key == 4) | [.value.pkt_cost, .value.byte_cost]]')" = \
	'[[3276800000,0]]'
t_check "show: the new limits" \
	test "$(show a acme | jq -c '.limits | [.cpu_millicores, .memory_bytes, .pids, .rate_bps]')" = \
	'[1000,536870912,300,50000000]'

# ---- burst ----
burst() { show a "$1" | jq -c '.limits.burst'; }
t_check "default burst: 50 ms of 50 Mbit/s" test "$(burst acme)" = '{"bytes":312500,"packets":0,"given":"default"}'
t_check "beta (pps alone): 50 ms of 20000 pps, no byte bucket" \
	test "$(burst beta)" = '{"bytes":0,"packets":1000,"given":"default"}'
sent0=$(show a acme | jq .router.limits_sent)
t_check "the router got its limits at the handoff" test "$sent0" -ge 1
t_check "tenant set acme burst 2M" ctl a tenant set acme burst 2M
t_check "show -j: 2M given, 2097152 bytes" test "$(burst acme)" = '{"bytes":2097152,"packets":0,"given":"2M"}'
# 50 Mbit/s: a byte costs 10485760 of credit; the bucket holds 2M of them
t_check "policers: a bucket of 2097152 bytes on both ports" \
	test "$(dump a tn_policer | jq -c '[.[].formatted | select(.key == 2 or .key == 3) | .value.byte_burst]')" = \
	"[$((2097152 * 10485760)),$((2097152 * 10485760))]"
t_check "the router was told (limits message sent)" \
	test "$(show a acme | jq '.router.limits_sent')" -gt "$sent0"
t_check "tenant set acme burst 50ms" ctl a tenant set acme burst 50ms
t_check "show -j: 50ms given, 312500 bytes at 50 Mbit/s" \
	test "$(burst acme)" = '{"bytes":312500,"packets":0,"given":"50ms"}'
burst_text() { ctl a tenant show acme | grep -q 'rate 50Mbit pps unlimited burst 312500 bytes (50ms given)'; }
t_check "text: burst 312500 bytes (50ms given)" burst_text
time_follows() {
	ctl a tenant set acme rate 100M >/dev/null &&
		test "$(burst acme)" = '{"bytes":625000,"packets":0,"given":"50ms"}'
}
t_check "a time follows the rate: rate 100M -> 625000 bytes" time_follows
back_to_default() {
	ctl a tenant set acme burst default rate 50M >/dev/null &&
		test "$(burst acme)" = '{"bytes":312500,"packets":0,"given":"default"}'
}
t_check "burst default goes back (50 ms at 50 Mbit/s)" back_to_default
t_check "tenant set acme burst 2M (kept for the bad cases)" ctl a tenant set acme burst 2M
limited_shape() {
	ctl a -j tenant stats acme | jq -e '.tenants[0].limited | (keys == ["to_customer","to_upstream"]) and
		(.to_upstream | keys == ["policed_in","policed_out","shaped","shaped_drop"])' >/dev/null &&
		ctl a tenant stats acme | grep -q '^  limited to-upstream policed-in [0-9]* shaped [0-9]* shaped-drop [0-9]* policed-out [0-9]*$' &&
		ctl a tenant stats acme | grep -q '^  limited to-customer policed-in'
}
t_check "tenant stats: what the limits dropped or delayed, each way" limited_shape

# ---- routes ----
t_check "route add acme 203.0.113.0/24 via 10.0.0.2" ctl a route add acme 203.0.113.0/24 via 10.0.0.2
t_check "route list -j" \
	test "$(ctl a -j route list acme | jq -c '.routes')" = '[{"cidr":"203.0.113.0/24","via":"10.0.0.2"}]'
t_check "the route is in the container's FIB" \
	test "$(cns "$P1" ip -j route show 203.0.113.0/24 | jq -r '.[0].gateway')" = 10.0.0.2

# ---- bad input: refused, one line naming the field, nothing changed ----
BEFORE=$(snap a)
bad() { # PATTERN ARGS...
	local pat=$1 out rc
	shift
	out=$(ctl a "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" != 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
		grep -q -- "$pat" <<<"$out" && [ "$(snap a)" = "$BEFORE" ] || {
		echo "exit $rc: $out"
		diff <(echo "$BEFORE") <(snap a)
		return 1
	}
}
badraw() { # STATUS PATTERN PYTHON-BYTES: straight to tenetd, past tenetctl
	local out
	out=$(raw a "$3")
	grep -q "\"status\":$1" <<<"$out" && grep -q -- "$2" <<<"$out" &&
		[ "$(snap a)" = "$BEFORE" ] || {
		echo "reply: $out"
		diff <(echo "$BEFORE") <(snap a)
		return 1
	}
}
G=(access nic0 vlan 300 uplink nic1 access-addr 10.0.0.1/24 uplink-addr 192.0.2.9/24)
GA=(access nic0 vlan 300 uplink nic1)
GB=(access-addr 10.0.0.1/24 uplink-addr 192.0.2.9/24)
t_check "bad: empty name" bad name tenant add "" "${G[@]}"
t_check "bad: name of 33 characters" bad name tenant add "$(printf 'a%.0s' {1..33})" "${G[@]}"
t_check "bad: name with /" bad name tenant add a/b "${G[@]}"
t_check "bad: name with a space" bad name tenant add "a b" "${G[@]}"
t_check "bad: name with shell characters" bad name tenant add 'x;rm$(id)' "${G[@]}"
t_check "bad: duplicate name" bad acme tenant add acme access nic0 vlan 300 uplink nic1 "${GB[@]}"
t_check "bad: vlan 0" bad vlan tenant add gamma access nic0 vlan 0 uplink nic1 "${GB[@]}"
t_check "bad: vlan 4095" bad vlan tenant add gamma access nic0 vlan 4095 uplink nic1 "${GB[@]}"
t_check "bad: vlan 4096" bad vlan tenant add gamma access nic0 vlan 4096 uplink nic1 "${GB[@]}"
t_check "bad: vlan abc" bad vlan tenant add gamma access nic0 vlan abc uplink nic1 "${GB[@]}"
t_check "bad: inner-vlan 0" bad inner-vlan tenant add gamma "${G[@]}" inner-vlan 0
t_check "bad: (nic0, vlan 100) is acme's" bad acme tenant add gamma access nic0 vlan 100 uplink nic1 "${GB[@]}"
t_check "bad: uplink-vlan 300 on nic1 is beta's" bad beta tenant add gamma "${G[@]}" uplink-vlan 300
t_check "bad: prefix acme has" bad acme tenant add gamma "${G[@]}" prefix 198.51.100.0/24
t_check "bad: prefix overlapping acme's" bad acme tenant add gamma "${G[@]}" prefix 198.51.100.128/25
t_check "bad: overlapping prefixes in one request" bad prefix tenant add gamma "${G[@]}" prefix 203.0.0.0/16 203.0.1.0/24
t_check "bad: uplink-mac acme has" bad acme tenant add gamma "${G[@]}" uplink-mac 02:74:6e:00:00:01
t_check "bad: uplink-addr acme answers ARP for on nic1 (undone after veths and maps)" \
	bad acme tenant add gamma "${GA[@]}" access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24
t_check "bad: unknown NIC" bad nope0 tenant add gamma access nope0 vlan 300 uplink nic1 "${GB[@]}"
t_check "bad: NIC not attached" bad nic2 tenant add gamma access nic2 vlan 300 uplink nic1 "${GB[@]}"
t_check "bad: uplink NIC as access" bad nic1 tenant add gamma access nic1 vlan 300 uplink nic1 "${GB[@]}"
t_check "bad: access-addr /33" bad access-addr tenant add gamma "${GA[@]}" access-addr 10.0.0.1/33 uplink-addr 192.0.2.9/24
t_check "bad: access-addr 10.0.0.300" bad access-addr tenant add gamma "${GA[@]}" access-addr 10.0.0.300/24 uplink-addr 192.0.2.9/24
t_check "bad: prefix with host bits" bad prefix tenant add gamma "${G[@]}" prefix 198.51.100.1/24
t_check "bad: gateway not an address" bad gateway tenant add gamma "${G[@]}" gateway gw
t_check "bad: uplink-mac of 5 bytes" bad uplink-mac tenant add gamma "${G[@]}" uplink-mac 02:00:00:00:00
t_check "bad: multicast uplink-mac" bad uplink-mac tenant add gamma "${G[@]}" uplink-mac 01:00:5e:00:00:01
t_check "bad: memory 10X" bad memory tenant add gamma "${G[@]}" memory 10X
t_check "bad: memory 0" bad memory tenant add gamma "${G[@]}" memory 0
t_check "bad: memory 1M (below what a container needs)" bad memory tenant add gamma "${G[@]}" memory 1M
t_check "bad: pids 0" bad pids tenant add gamma "${G[@]}" pids 0
t_check "bad: rate 100Q" bad rate tenant add gamma "${G[@]}" rate 100Q
t_check "bad: pps abc" bad pps tenant add gamma "${G[@]}" pps abc
POL_BEFORE=$(dump a tn_policer | jq -c '[.[].formatted | select(.key == 2) | .value | [.byte_cost, .byte_burst]]')
t_check "bad: burst 1k (less than 10 full frames)" bad burst tenant set acme burst 1k
t_check "bad: burst 5s (more than 1 s)" bad burst tenant set acme burst 5s
t_check "bad: burst 0" bad burst tenant set acme burst 0
t_check "bad: burst 12x" bad burst tenant set acme burst 12x
t_check "bad: burst 20M, more than 1 s at 50 Mbit/s" bad "more than 1s" tenant set acme burst 20M
t_check "bad: burst 1ms, fewer bytes than 10 frames at 50 Mbit/s" bad "10 full frames" tenant set acme burst 1ms
t_check "bad: rate 1M, which acme's burst 2M does not go with" bad "give a burst too" tenant set acme rate 1M
t_check "bad: rate unlimited, leaving acme's 2M burst nothing" bad "give a burst too" tenant set acme rate unlimited
t_check "bad: burst 2M for beta, which has pps alone" bad "no rate" tenant set beta burst 2M
t_check "bad: tenant add with a burst and no rate, no pps" bad "no rate and no pps" tenant add gamma "${G[@]}" burst 50ms
t_check "bad: tenant add with a burst too large for its rate" bad "more than 1s" tenant add gamma "${G[@]}" rate 1M burst 1M
t_check "the refused sets left acme's policers as they were" \
	test "$(dump a tn_policer | jq -c '[.[].formatted | select(.key == 2) | .value | [.byte_cost, .byte_burst]]')" = "$POL_BEFORE"
t_check "bad: cpu 99, more than the host has" bad cpu tenant add gamma "${G[@]}" cpu 99
t_check "bad: cpuset 0-99, outside the host" bad cpuset tenant add gamma "${G[@]}" cpuset 0-99
t_check "bad: access-addr missing" bad access-addr tenant add gamma "${GA[@]}" uplink-addr 192.0.2.9/24
t_check "bad: mode bogus" bad mode tenant add gamma "${G[@]}" mode bogus
t_check "bad: unknown key" bad colour tenant add gamma "${G[@]}" colour red
t_check "bad: tenant del of no tenant" bad nobody tenant del nobody
t_check "bad: tenant set without a key" bad rate tenant set acme
t_check "bad: tenant set memory 0" bad memory tenant set acme memory 0
t_check "bad: tenant set memory limitless" bad memory tenant set acme memory limitless
t_check "bad: route via another family" bad via route add acme 203.0.114.0/24 via fd00::2
t_check "bad: route of no tenant" bad nobody route add nobody 203.0.114.0/24 via 10.0.0.2
t_check "bad: route via no interface (the kernel refuses)" bad "next hop" route add acme 203.0.114.0/24 via 10.9.9.9
t_check "bad: route del of no route" bad 203.0.115.0 route del acme 203.0.115.0/24 via 10.0.0.2
t_check "raw: vlan 0, past tenetctl" badraw -22 vlan \
	"b'{\"cmd\":\"tenant add\",\"args\":{\"name\":\"gamma\",\"access\":\"nic0\",\"vlan\":\"0\",\"uplink\":\"nic1\",\"access-addr\":[\"10.0.0.1/24\"],\"uplink-addr\":[\"192.0.2.9/24\"]}}\n'"
t_check "raw: a list that is not a list" badraw -22 access-addr \
	"b'{\"cmd\":\"tenant add\",\"args\":{\"name\":\"gamma\",\"access\":\"nic0\",\"vlan\":\"300\",\"uplink\":\"nic1\",\"access-addr\":\"10.0.0.1/24\",\"uplink-addr\":[\"192.0.2.9/24\"]}}\n'"
t_check "raw: an unknown argument" badraw -22 colour \
	"b'{\"cmd\":\"tenant del\",\"args\":{\"name\":\"acme\",\"colour\":\"red\"}}\n'"
t_check "raw: args not an object" badraw -22 args \
	"b'{\"cmd\":\"tenant del\",\"args\":[\"acme\"]}\n'"
t_check "raw: larger than 64 KiB" badraw -90 "larger" \
	"b'{\"cmd\":\"tenant add\",\"args\":{\"name\":\"' + b'x' * 70000 + b'\"}}\n'"
t_check "raw: truncated JSON" badraw -74 "JSON" "b'{\"cmd\":\"tenant add\",\"args\":{\"na'"
t_check "raw: not JSON" badraw -74 "JSON" "b'tenant add acme\n'"
t_check "tenetd is still serving" ctl a status

# ---- restart ----
RPID=$(show a acme | jq .router.pid)
kill -9 "$PID_a"
wait "$PID_a" 2>/dev/null
IFX=$(ifindex H tn1a)
start_agent a
t_check "restart after kill -9" test $? = 0
# The router forwarded on, and connects again for its limits.
router_back() { show a acme | jq -r '"\(.router.connected) \(.router.pid) \(.router.resumed) \(.router.limits_sent)"'; }
t_check "acme's router ($RPID) is back, the same process, and has its limits" \
	until_is 50 "true $RPID 1 1" router_back
sent0=$(show a acme | jq .router.limits_sent)
t_check "tenant set acme rate 60M reaches it" ctl a tenant set acme rate 60M
t_check "(a limits message sent)" \
	test "$(show a acme | jq '.router.limits_sent')" -gt "$sent0"
t_check "tenant set acme rate 50M again" ctl a tenant set acme rate 50M
t_check "acme's container and veths untouched" \
	test "$(cpid a acme) $(ifindex H tn1a)" = "$P1 $IFX"
t_check "database, links, maps, containers as before" test "$(snap a)" = "$BEFORE"

# A container that died comes back at the next start, links and all.
kill -9 "$PID_a"
wait "$PID_a" 2>/dev/null
nsx H lxc-stop -k -P "$T_DIR/a/state/lxc" -n beta
start_agent a
t_check "beta's container started again" \
	test "$(show a beta | jq -r .container.state)" = RUNNING
P2=$(cpid a beta)
t_check "beta: uplink0 and its tenant_rx back" \
	test "$(cns "$P2" ip -j link show uplink0 | jq -r '.[0].xdp.prog.name')" = tenant_rx

# kill -9 in the middle of onboarding, at several points: after the
# restart, gamma is either whole or not there at all.
whole_or_gone() {
	local s
	s=$(ctl a -j tenant list | jq -r '[.tenants[].name] | index("gamma") != null')
	if [ "$s" = true ]; then
		[ "$(show a gamma | jq -r '.state + " " + .container.state')" = "ready RUNNING" ] &&
			ctl a tenant del gamma
	fi
	[ "$(snap a)" = "$(snap_ok)" ] || { diff <(snap_ok) <(snap a); return 1; }
}
snap_ok() { echo "$CONVERGED"; }
CONVERGED=$(snap a)
for d in 0.05 0.2 0.4 0.7; do
	ctl a tenant add gamma "${G[@]}" >/dev/null 2>&1 &
	cl=$!
	sleep $d
	kill -9 "$PID_a"
	wait "$PID_a" 2>/dev/null
	wait $cl 2>/dev/null
	start_agent a
	t_check "kill -9 ${d}s into onboarding, restart: whole or nothing left" whole_or_gone
done

# ---- removal ----
CG1=$(cgdir "$P1" memory)
t_check "tenant del acme" ctl a tenant del acme
t_check "no acme: container, veths, pins, socket dir" \
	test ! -e "$T_DIR/a/state/lxc/acme" -a ! -e "$BPFFS/a/tenants/1" -a ! -e "$T_DIR/a/run/tenants/acme" -a \
	-z "$(nsx H ip -o link show | grep -E ': tn1(a|u)')"
t_check "no map entry holds tenant 1" \
	test "$(for m in tn_vlan tn_mac tn_host tn_lpm4 tn_lpm6; do dump a $m | jq -c '.[].formatted | select(.value == 1)'; done)" = ""
t_check "no cgroup of acme's left ($CG1)" test ! -e "$CG1"
t_check "beta still runs" test "$(show a beta | jq -r .container.state)" = RUNNING

# ---- two agents side by side ----
start_agent b
t_check "a second agent on its own dirs, in H2" test $? = 0
ctl b nic attach nic0 role access >/dev/null && ctl b nic attach nic1 role uplink >/dev/null
t_check "agent b onboards its own acme" ctl b tenant add "${ACME[@]}"
t_check "each agent lists its own tenants" \
	test "$(ctl a -j tenant list | jq -c '[.tenants[].name]') $(ctl b -j tenant list | jq -c '[.tenants[].name]')" = \
	'["beta"] ["acme"]'
t_check "agent b removes its acme" ctl b tenant del acme
t_check "agent a's beta is untouched" test "$(cpid a beta)" = "$P2"
t_check "tenant del beta" ctl a tenant del beta
kill -TERM "$PID_a" "$PID_b"
wait "$PID_a"
t_check "SIGTERM: clean exit" test $? = 0
t_done
