#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenetd --metrics: Prometheus' text format checked by promtool, values
# against what tenetctl says (per tenant and port, drops by reason, the
# router's sockets and counters, cgroup usage and limits, restarts,
# tenetd's own), series gone with their tenant, and a scrape that never
# holds the control socket: clients that hold every connection the server
# allows, and scrapes in a loop, while tenetctl is served. Bad --metrics
# arguments and a taken port fail tenetd at start, saying why.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq curl promtool lxc-create

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
PORT=9464
URL=http://127.0.0.1:$PORT/metrics

topo_isp || { t_fail "topology"; exit 1; }
nsx H ip link set lo up

# ---- arguments ----
bad_arg() { # ARG WORDS: tenetd refuses --metrics ARG at once (2), saying WORDS
	local out rc
	out=$(nsx H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/bad" \
		--run-dir "$T_DIR/badrun" --bpffs "$BPFFS/bad" --metrics "$1" 2>&1)
	rc=$?
	[ "$rc" = 2 ] && grep -q -- "$2" <<<"$out" || { echo "rc $rc: $out"; return 1; }
}
t_check "--metrics 9464 (no colon): refused" bad_arg 9464 "not ADDR:PORT"
t_check "--metrics 127.0.0.1:0: refused" bad_arg 127.0.0.1:0 "port must be"
t_check "--metrics 127.0.0.1:70000: refused" bad_arg 127.0.0.1:70000 "port must be"
t_check "--metrics localhost:9464: refused (an IP address)" bad_arg localhost:9464 "not an IP address"
t_check "--metrics ::1:9464: refused (IPv6 in [])" bad_arg ::1:9464 "not an IP address"
t_check "nothing made for the refused starts" test ! -e "$T_DIR/bad"

# A port another program holds: tenetd stops at once, saying so.
nsx_bg H python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $PORT)); s.listen(); time.sleep(120)"
HOLDER=$BG
sleep 0.5
taken() {
	local out rc
	out=$(nsx H timeout 60 "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/taken" \
		--run-dir "$T_DIR/takenrun" --bpffs "$BPFFS/taken" --metrics 127.0.0.1:$PORT 2>&1)
	rc=$?
	[ "$rc" = 1 ] && grep -q "cannot listen" <<<"$out" || { echo "rc $rc: $out"; return 1; }
}
t_check "--metrics on a port in use: tenetd exits 1, cannot listen" taken
t_check "before touching anything (no state dir, no maps)" test ! -e "$T_DIR/taken" -a ! -e "$BPFFS/taken"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null

agent_start "$T_DIR/log" --metrics 127.0.0.1:$PORT || { t_fail "tenetd starts"; exit 1; }
t_check "the log says where the metrics are" grep -q "metrics on http://127.0.0.1:$PORT/metrics" "$T_DIR/log"
scrape() { nsx H curl -sf --max-time 10 "$URL"; }
# val SERIES: the value of one series (name and labels as printed).
val() { awk -v s="$1 " 'index($0, s) == 1 { print $NF; f = 1 } END { exit !f }' "$T_DIR/m"; }
check_format() { # promtool's lint of the last scrape: silent
	local out
	out=$(promtool check metrics <"$T_DIR/m" 2>&1) || { echo "$out" | head -20; return 1; }
	[ -z "$out" ] || { echo "$out" | head -20; return 1; }
}

t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "tenant add acme (memory 200M, rate 50M)" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1 \
	memory 200M rate 50M
t_check "tenant add beta" \
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5
for t in acme beta; do
	t_check "$t's router took its sockets" \
		until_is 50 "true 2" eval "ctl -j tenant show $t | jq -r '\"\\(.router.connected) \\(.router.sockets)\"'"
done
t_check "customer 1 reaches the upstream through acme" isp_reach 1
t_check "20 pings through acme" eval 'nsx C1 ping -c 20 -i 0.05 -W 2 198.51.100.1 >/dev/null'
sleep 1.5 # the list of tenants the scrape uses is at most a second old

t_check "GET /metrics answers" eval 'scrape >"$T_DIR/m"'
t_check "promtool check metrics: no complaint" check_format
t_check "Content-Type is the text format 0.0.4" \
	eval "nsx H curl -sf -o /dev/null -w '%{content_type}' '$URL' | grep -q 'text/plain; version=0.0.4'"
t_check "tenetd's own: build info, 2 tenants, 2 routers up, 2 NICs" \
	test "$(val 'tenet_build_info{version="'"$(ctl -j status | jq -r .version)"'",router_build="'"$(ctl -j status | jq -r .router_build)"'"}') $(val tenet_tenants) $(val tenet_routers_up) $(val tenet_nics)" = "1 2 2 2"
t_check "tenet_tenant_info for acme: veth mode, ready, fast path on" \
	test "$(val "tenet_tenant_info{tenant=\"acme\",id=\"$(ctl -j tenant show acme | jq .id)\",mode=\"veth\",state=\"ready\",fastpath=\"on\"}")" = 1

# Counters against tenetctl's, traffic stopped.
classifier() { ctl -j tenant stats "$1" | jq -r ".tenants[0].classifier.$2"; }
for what in rx_packets rx_bytes tx_packets; do
	m=$(val "tenet_port_${what}_total{tenant=\"acme\",port=\"access\"}")
	c=$(classifier acme "access.$what")
	t_check "tenet_port_${what}_total of acme's access port = tenant stats' ($m, $c)" \
		test "$m" = "$c" -a "${m:-0}" -gt 0
done
t_check "drops by reason, as labels (acme access, policed: $(val 'tenet_port_drops_total{tenant="acme",port="access",reason="policed"}'))" \
	test "$(val 'tenet_port_drops_total{tenant="acme",port="access",reason="policed"}')" = "$(classifier acme access.drops.policed)"
t_check "every drop reason of tenetctl is a label value" \
	test "$(grep -c '^tenet_port_drops_total{tenant="acme",port="uplink",' "$T_DIR/m")" = \
	"$(ctl -j tenant stats acme | jq '.tenants[0].classifier.uplink.drops | length')"
t_check "the egress stage too: acme's uplink sent the 20 requests ($(val 'tenet_egress_tx_packets_total{tenant="acme",port="uplink"}'))" \
	test "$(val 'tenet_egress_tx_packets_total{tenant="acme",port="uplink"}')" -ge 20
t_check "NIC counters: nic0 received what both tenants' access ports did, at least" \
	test "$(val 'tenet_nic_rx_packets_total{nic="nic0",role="access"}')" -ge "$(val 'tenet_port_rx_packets_total{tenant="acme",port="access"}')"
rt_rx=$(val 'tenet_router_rx_total{tenant="acme",iface="access0",queue="0"}')
t_check "router counters per interface and queue: acme's access0 read the pings ($rt_rx)" \
	test "${rt_rx:-0}" -ge 20
t_check "its sockets' mode, as tenetctl says it" \
	test "$(val 'tenet_router_xsk_info{tenant="acme",iface="access0",queue="0",direct="false",mode="'"$(ctl -j tenant stats acme | jq -r '.tenants[0].router.ifaces[] | select(.ifname == "access0") | .xsk_mode')"'"}')" = 1
t_check "limits: memory 200M, rate 50M; beta has no rate limit series" \
	test "$(val 'tenet_tenant_limit_memory_bytes{tenant="acme"}') $(val 'tenet_tenant_limit_rate_bytes_per_second{tenant="acme"}') $(grep -c 'tenet_tenant_limit_rate_bytes_per_second{tenant="beta"}' "$T_DIR/m")" = "209715200 6250000 0"
mem=$(val 'tenet_tenant_memory_bytes{tenant="acme"}')
tmem=$(ctl -j tenant stats acme | jq '.tenants[0].usage.memory_bytes')
t_check "cgroup usage: memory within 2x of tenant stats' ($mem, $tmem), pids > 0, CPU > 0" \
	eval "awk -v a='$mem' -v b='$tmem' -v p='$(val 'tenet_tenant_pids{tenant="acme"}')' -v c='$(val 'tenet_tenant_cpu_seconds_total{tenant="acme"}')' 'BEGIN { exit !(a > 0 && a < 2 * b && b < 2 * a && p > 0 && c > 0) }'"
dash_missing() { # what contrib/grafana-tenet.json asks for that a scrape lacks
	local n miss=
	for n in $(grep -o 'tenet_[a-z_]*' "$TOP/contrib/grafana-tenet.json" | sort -u); do
		grep -q "^# TYPE $n " "$T_DIR/m" || miss+=" $n"
	done
	[ -z "$miss" ] || { echo "missing:$miss"; return 1; }
}
t_check "every family the sample Grafana dashboard uses is served" dash_missing
echo "# scrape of 2 tenants: read $(val tenet_metrics_read_seconds) s"

# A router killed: its restart counted, up again.
R0=$(val 'tenet_router_restarts_total{tenant="acme"}')
C0=$(val 'tenet_router_connects_total{tenant="acme"}')
pid=$(ctl -j tenant show acme | jq .router.pid)
t_check "kill -9 acme's router ($pid)" kill -9 "$pid"
t_check "acme's router back" \
	until_is 100 true eval "ctl -j tenant show acme | jq '.router.connected and .router.pid != $pid'"
sleep 1.5
restarted() {
	scrape >"$T_DIR/m" &&
		[ "$(val 'tenet_router_restarts_total{tenant="acme"}')" = $((R0 + 1)) ] &&
		[ "$(val 'tenet_router_connects_total{tenant="acme"}')" = $((C0 + 1)) ] &&
		[ "$(val 'tenet_router_up{tenant="acme"}')" = 1 ]
}
t_check "tenet_router_restarts_total and _connects_total +1 ($R0, $C0), up" until_is 20 0 eval 'restarted; echo $?'

# ---- never the control socket's time ----
# Clients that take every connection the server allows and never finish,
# and scrapes in a loop: tenetctl is served all along.
nsx_bg H python3 -c "
import socket, time
ss = []
for i in range(20):
    s = socket.socket(); s.connect(('127.0.0.1', $PORT)); s.send(b'GET /metrics HTTP/1.1\r\n'); ss.append(s)
time.sleep(8)"
SLOW=$BG
nsx_bg H sh -c "while :; do curl -s --max-time 5 -o /dev/null '$URL'; done"
LOOP=$BG
sleep 1
t0=$(date +%s%N)
t_check "tenetctl tenant list served while scrapes hold the server" \
	eval 'ctl -j tenant list | jq -e ".tenants | length == 2" >/dev/null'
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "in well under a second (${ms} ms)" test "$ms" -lt 1000
kill "$LOOP" 2>/dev/null
wait "$SLOW" "$LOOP" 2>/dev/null
t_check "scrapes answer again once the idle clients are gone" until_is 30 0 eval 'scrape >/dev/null; echo $?'

t_check "GET /other: 404" test "$(nsx H curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/other)" = 404
t_check "POST /metrics: 405" test "$(nsx H curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")" = 405

# A tenant gone: its series with it.
t_check "tenant del beta" ctl tenant del beta
sleep 1.5
t_check "scrape" eval 'scrape >"$T_DIR/m"'
t_check "no series of beta left, acme's still there" \
	test "$(grep -c 'tenant="beta"' "$T_DIR/m") $(val tenet_tenants)" = "0 1"
t_check "promtool check metrics still silent" check_format
t_done
