#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: a small ISP in network namespaces, never touching the host's
# own links. Two customers with the same 10.0.0.0/24 on VLANs 100 and 200
# reach one upstream, each through its own tenant router (tenet-router in
# an LXC container) that tenetd makes from two tenetctl commands.
#
#   scripts/demo.sh          bring it up, show traffic, tear it down
#   scripts/demo.sh up       bring it up and leave it (then: down)
#   scripts/demo.sh down     tear down what an earlier run left
#
# Everything is named tndemo-*; state, sockets and maps live under
# /tmp/tenet-demo. Only processes this script started are stopped, by the
# PIDs it wrote down.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=/tmp/tenet-demo
. "$TOP/tests/integration/lib.sh"
P=tndemo
T_NETNS=()
SOCK=$DIR/run/tenetd.sock
LXCP=$DIR/state/lxc

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { # shows a command, then runs it
	printf '\033[2m$ %s\033[0m\n' "$*" >&2
	"$@"
}
ctl() { nsx H "$BUILD/tenetctl" --socket "$SOCK" "$@"; }

down() {
	local p n
	say "Tearing down"
	if [ -f "$DIR/pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null; done <"$DIR/pids"
		sleep 0.5
		while read -r p; do kill -9 "$p" 2>/dev/null; done <"$DIR/pids"
	fi
	ls "$LXCP" 2>/dev/null | grep -v '\.log$' | sed 's/^/container /'
	T_LXC=("H $LXCP")
	t_lxc_cleanup
	for n in H SW C1 C2 U; do
		ip netns del "$P-$n" 2>/dev/null && echo "netns $P-$n"
	done
	mountpoint -q "$DIR/bpffs" && umount "$DIR/bpffs"
	rm -rf "$DIR"
	echo "done"
}

up() {
	[ "$(id -u)" = 0 ] || { echo "demo: run as root (network namespaces, XDP)"; exit 1; }
	[ -e "$DIR" ] && down >/dev/null
	mkdir -p "$DIR/bpffs"
	mount -t bpf bpf "$DIR/bpffs" || { echo "demo: cannot mount bpffs"; exit 1; }

	say "1. A host (netns $P-H) with two veth NICs, nic0 (access) and nic1 (uplink)"
	echo "   Customers C1 (VLAN 100) and C2 (VLAN 200) both use 10.0.0.2/24, gateway"
	echo "   10.0.0.1; the upstream U (198.51.100.1) has a port per tenant uplink VLAN"
	echo "   (300, 400). Plain bridges in $P-SW are the wires."
	topo_isp || { echo "demo: building the namespaces failed"; down; exit 1; }

	say "2. tenetd, the host agent, with its state under $DIR"
	nsx_bg H "$BUILD/tenetd" --foreground --state-dir "$DIR/state" \
		--run-dir "$DIR/run" --bpffs "$DIR/bpffs/tenet" >"$DIR/tenetd.log" 2>&1
	echo "$BG" >>"$DIR/pids"
	wait_for "$DIR/tenetd.log" ready 150 || { cat "$DIR/tenetd.log"; down; exit 1; }
	echo "tenetd pid $BG, log $DIR/tenetd.log"

	say "3. Attach the NICs: nic_ingress classifies every frame to its tenant"
	run ctl nic attach nic0 role access || { down; exit 1; }
	run ctl nic attach nic1 role uplink default drop || { down; exit 1; }

	say "4. Onboard two tenants with the same private space"
	run ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1 \
		cpu 0.5 memory 256M pids 200 || { down; exit 1; }
	run ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5 \
		cpu 0.5 memory 256M pids 200 rate 100M || { down; exit 1; }
	for n in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(ctl -j tenant list | jq '[.tenants[].router.connected] | all')" = true ] && break
		sleep 0.5
	done
	run ctl tenant list
}

traffic() {
	local n
	say "5. Each customer pings the upstream through its own router"
	for n in 1 2; do
		nsx C$n ping -c 1 -W 2 198.51.100.1 >/dev/null 2>&1 # ARP on each hop
		run nsx C$n ping -c 3 -i 0.3 198.51.100.1
	done
	say "6. traceroute: the tenant router is the first hop"
	run nsx C1 traceroute -n -q 1 -w 1 198.51.100.1

	say "7. iperf3 TCP from each customer (beta is limited to 100 Mbit/s)"
	nsx_bg U iperf3 -s -B 198.51.100.1%u1 >/dev/null 2>&1
	echo "$BG" >>"$DIR/pids"
	nsx_bg U iperf3 -s -p 5202 -B 198.51.100.1%u2 >/dev/null 2>&1
	echo "$BG" >>"$DIR/pids"
	sleep 0.5
	run nsx C1 iperf3 -c 198.51.100.1 -t 3 -f m | grep -E 'sender|receiver'
	run nsx C2 iperf3 -c 198.51.100.1 -p 5202 -t 3 -f m | grep -E 'sender|receiver'

	say "8. tenetctl tenant stats"
	run ctl tenant stats
	say "9. The same, as bpftool sees it"
	run nsx H bpftool net show
	run bpftool map dump pinned "$DIR/bpffs/tenet/tn_vlan"
}

case "${1:-all}" in
all)
	trap 'down; exit 130' INT TERM
	up
	traffic
	say "That was tenet. (scripts/demo.sh up keeps it running; make demo-down)"
	down
	;;
up)
	up
	traffic
	echo
	echo "Left running: try  nsenter --net=/run/netns/$P-C1 ping 198.51.100.1"
	echo "and  nsenter --net=/run/netns/$P-H $BUILD/tenetctl --socket $SOCK tenant stats"
	echo "Tear down with: make demo-down"
	;;
down) down ;;
*)
	echo "usage: scripts/demo.sh [up|down]" >&2
	exit 2
	;;
esac
