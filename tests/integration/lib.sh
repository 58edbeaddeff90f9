# SPDX-License-Identifier: GPL-2.0
# Shared by the integration tests: TAP output, throwaway network namespaces
# and a private bpffs, all named with a prefix unique to this run and torn
# down in an EXIT trap, pass or fail. Source it, then call t_init.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
# tenetd and tenetctl under test: the build's, or those of an installed
# package (make check-debian: a directory of links to them). The test
# tools (tn-dp, fixtures) are always the build's.
TN_BIN=${TN_BIN:-$BUILD}
T_N=0
T_FAILED=0
T_NETNS=()
T_PIDS=()
T_MOUNTS=()
T_LXC=() # "NETNS LXCPATH": containers there are destroyed at the end
T_DIR=

t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }

# t_check NAME CMD...: one test, passing if CMD succeeds; its output is shown
# only on failure.
t_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_ok "$name"
	else
		t_fail "$name"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

# Skips the whole file (with a reason) when it cannot run here.
t_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

t_cleanup() {
	local p m n
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${T_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	t_lxc_cleanup
	for n in "${T_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	for m in "${T_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	# T_KEEP=1 keeps the run's files (logs, rootfs) to look at.
	[ -n "$T_DIR" ] && [ -z "${T_KEEP:-}" ] && rm -rf "$T_DIR"
}

# Every container in the T_LXC paths, stopped and destroyed from the netns
# its agent ran in (LXC's command socket is abstract: per netns).
t_lxc_cleanup() {
	local e n path c
	for e in "${T_LXC[@]}"; do
		n=${e%% *}
		path=${e#* }
		for c in "$path"/*/config; do
			[ -f "$c" ] || continue
			c=$(basename "$(dirname "$c")")
			nsx "$n" lxc-stop -k -P "$path" -n "$c" >/dev/null 2>&1
			nsx "$n" lxc-destroy -P "$path" -n "$c" >/dev/null 2>&1
		done
	done
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# Traffic tests offer rates divided by this: make check-debian sets 10, its
# emulated machine (qemu TCG) carrying a few tens of Mbit/s. The checks keep
# their tolerances.
T_RATE_DIV=${T_RATE_DIV:-1}

# t_init: checks root, makes the run's prefix, temp dir and private bpffs.
t_init() {
	[ "$(id -u)" = 0 ] || t_skip_all "needs root (netns, XDP)"
	P="t$(printf '%x' $$ | tail -c 5)" # short: device names are <= 15 chars
	T_DIR=$(mktemp -d /tmp/tenet-test.XXXXXX)
	# Searchable (not readable) by the tenants' users: their containers
	# and socket dirs are in here.
	chmod 711 "$T_DIR"
	trap t_cleanup EXIT
	BPFFS=$T_DIR/bpffs
	mkdir -p "$BPFFS"
	mount -t bpf bpf "$BPFFS" || t_skip_all "cannot mount bpffs"
	T_MOUNTS+=("$BPFFS")
	export LIBXDP_BPFFS=$BPFFS
}

# ns_add NAME: a netns called $P-NAME; nsx NAME CMD... runs CMD in it
# (nsenter, not ip netns exec, which would hide our bpffs).
ns_add() {
	ip netns add "$P-$1" && T_NETNS+=("$P-$1")
}
nsx() {
	local n=$1
	shift
	nsenter --net="/run/netns/$P-$n" "$@"
}
# host_nics NAME N: veth "NICs" nic0..nic<N-1> in netns NAME, each with its
# peer nic<n>p there too, all up.
host_nics() {
	local n
	for n in $(seq 0 $(($2 - 1))); do
		nsx "$1" ip link add nic$n type veth peer name nic${n}p &&
			nsx "$1" ip link set nic$n up &&
			nsx "$1" ip link set nic${n}p up || return 1
	done
}
# nsx_bg NAME CMD...: CMD in the background; BG gets its PID (nsenter
# execs CMD, so it is CMD's), which the cleanup kills.
nsx_bg() {
	local n=$1
	shift
	nsenter --net="/run/netns/$P-$n" "$@" &
	BG=$!
	T_PIDS+=("$BG")
}

# topo_a_r_b: two hosts and a router netns between them, the router's own
# kernel forwarding off (so only tenet-router can forward):
#
#   netns A              netns R                            netns B
#   ha 10.1.0.2 ------- a0 10.1.0.1     b0 10.2.0.1 ------- hb 10.2.0.2
#   2001:db8:1::2          2001:db8:1::1  2001:db8:2::1       2001:db8:2::2
#                                                           lo 10.3.0.1
# TOPO_QUEUES=N gives every veth N queues.
topo_a_r_b() {
	local n q=${TOPO_QUEUES:-1}
	local mq="numtxqueues $q numrxqueues $q"
	ns_add A && ns_add R && ns_add B || return 1
	nsx R ip link add a0 $mq type veth peer name ha $mq netns "$P-A" || return 1
	nsx R ip link add b0 $mq type veth peer name hb $mq netns "$P-B" || return 1
	nsx R sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.all.keep_addr_on_down=1
	for n in A R B; do
		nsx $n sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
		nsx $n ip link set lo up
	done
	nsx A ip addr add 10.1.0.2/24 dev ha
	nsx A ip addr add 2001:db8:1::2/64 dev ha nodad
	nsx R ip addr add 10.1.0.1/24 dev a0
	nsx R ip addr add 2001:db8:1::1/64 dev a0 nodad
	nsx R ip addr add 10.2.0.1/24 dev b0
	nsx R ip addr add 2001:db8:2::1/64 dev b0 nodad
	nsx B ip addr add 10.2.0.2/24 dev hb
	nsx B ip addr add 2001:db8:2::2/64 dev hb nodad
	nsx B ip addr add 10.3.0.1/32 dev lo
	# Hosts send full checksums, as frames from a real wire have: a
	# veth would pass the kernel's "checksum later" on to the router,
	# which forwards bytes and would send them on unfinished.
	nsx A ethtool -K ha tx off >/dev/null &&
		nsx B ethtool -K hb tx off >/dev/null || return 1
	nsx A ip link set ha up && nsx B ip link set hb up &&
		nsx R ip link set a0 up && nsx R ip link set b0 up || return 1
	nsx A ip route add default via 10.1.0.1 &&
		nsx A ip -6 route add default via 2001:db8:1::1 &&
		nsx B ip route add default via 10.2.0.1 &&
		nsx B ip -6 route add default via 2001:db8:2::1
}

# until_is TENTHS EXPECTED CMD...: until CMD prints EXPECTED (then 0), or
# says what it printed last (1).
until_is() {
	local i n=$1 want=$2
	shift 2
	for i in $(seq "$n"); do
		[ "$("$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.1
	done
	echo "last: $("$@" 2>&1)"
	return 1
}
# until_ok TENTHS CMD...: until CMD succeeds.
until_ok() {
	local i n=$1
	shift
	for i in $(seq "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# cgv2: the host's cgroups are unified (v2 only), as systemd leaves them.
cgv2() { [ -e /sys/fs/cgroup/cgroup.controllers ]; }
# cgdir PID CONTROLLER: the cgroup directory that process's CONTROLLER
# limits are in (v2: the one directory).
cgdir() {
	if cgv2; then
		echo "/sys/fs/cgroup$(awk -F: '$1 == 0 {print $3}' "/proc/$1/cgroup")"
	else
		echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '$2 == c {print $3}' "/proc/$1/cgroup")"
	fi
}
# cglimits PID: "MEMORY CPU PIDS CPUS" of that process's cgroup read back
# from its files, alike on v1 and v2: memory in bytes, cpu as the quota in
# us per 100 ms period, pids, the cpuset; "max" where there is no limit.
cglimits() {
	local m c p s period
	if cgv2; then
		read -r c period <"$(cgdir "$1" cpu)/cpu.max"
		m=$(cat "$(cgdir "$1" memory)/memory.max")
		s=$(cat "$(cgdir "$1" cpuset)/cpuset.cpus.effective")
	else
		c=$(cat "$(cgdir "$1" cpu)/cpu.cfs_quota_us")
		period=$(cat "$(cgdir "$1" cpu)/cpu.cfs_period_us")
		m=$(cat "$(cgdir "$1" memory)/memory.limit_in_bytes")
		s=$(cat "$(cgdir "$1" cpuset)/cpuset.effective_cpus")
		[ "$c" = -1 ] && c=max
		[ "$m" -ge 9223372036854000000 ] && m=max
	fi
	[ "$c" = max ] || c=$((c * 100000 / period))
	p=$(cat "$(cgdir "$1" pids)/pids.max")
	echo "$m $c $p $s"
}
# cgooms PID: how many times its cgroup's OOM killer killed.
cgooms() {
	if cgv2; then
		awk '$1 == "oom_kill" {print $2}' "$(cgdir "$1" memory)/memory.events"
	else
		awk '$1 == "oom_kill" {print $2}' "$(cgdir "$1" memory)/memory.oom_control"
	fi
}

# wait_for FILE PATTERN [TENTHS]: until PATTERN shows in FILE (5 s).
wait_for() {
	local i
	for i in $(seq "${3:-50}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# t_need CMD...: skips the file unless every CMD is here (make deps) and
# tenet is built.
t_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || t_skip_all "$c is needed (make deps)"
	done
	[ -x "$TN_BIN/tenetd" ] && [ -x "$TN_BIN/tenetctl" ] && [ -x "$BUILD/tn-dp" ] ||
		t_skip_all "build first (make)"
}

# agent_start LOG [ARGS...]: tenetd (with ARGS) in netns H, its dirs in
# T_DIR, its bpffs BPFFS/t, logging to LOG; AGENT gets its PID; returns
# once it is ready. Not under t_check: its subshell would lose AGENT (and
# the cleanup the PID).
agent_start() {
	local log=$1
	shift
	nsx_bg H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/state" \
		--run-dir "$T_DIR/run" --bpffs "$BPFFS/t" "$@" >"$log" 2>&1
	AGENT=$BG
	wait_for "$log" ready 150
}
# ctl ARGS...: tenetctl to the agent of agent_start. T_CTL_TIMEOUT: its
# --timeout, where a tenant add takes longer than its default 30 s (an
# emulated machine, make check-debian).
ctl() {
	nsx H "$TN_BIN/tenetctl" --socket "$T_DIR/run/tenetd.sock" \
		${T_CTL_TIMEOUT:+--timeout "$T_CTL_TIMEOUT"} "$@"
}

# isp_reach N: customer N of topo_isp reaches the upstream (a few tries:
# the first ping waits for ARP on every hop).
isp_reach() { ping_reach C$1 198.51.100.1; }
# ping_reach NETNS DST: DST answers a ping from NETNS within five tries
# (the first waits for ARP on every hop).
ping_reach() {
	local i
	for i in 1 2 3 4 5; do
		nsx "$1" ping -c 1 -W 1 "$2" >/dev/null && return 0
	done
	return 1
}

# topo_isp: a small ISP around netns H (the tenet host), for two tenants
# with the same private space; tn-dp must be built (customer VLAN ports).
#
#   C1 c1 10.0.0.2/24 (VLAN 100) -.              .- u1 192.0.2.1/30 (VLAN 300) U
#   C2 c2 10.0.0.2/24 (VLAN 200) -+- SW bridges -+- u2 192.0.2.5/30 (VLAN 400) U
#                  trunk nic0p --'              '-- nic1p trunk      lo 198.51.100.1
#                        |                              |
#   H            nic0 (access NIC)               nic1 (uplink NIC)
#
# The customers and the upstream tag their own frames (tn-dp cust-vlan);
# the bridges in SW know nothing of VLANs. U keeps one routing table per
# uplink VLAN: its VLAN ports mark what comes in with the VID, and ICMP
# replies and accepted TCP take the mark of what they answer. Servers in U
# bind to u1 or u2 (iperf3 --bind-dev) for UDP.
#
# TOPO_QUEUES=N (default 1) gives nic0 and nic1 N queues. The switch then
# steers by CPU (XPS on the trunks): what a process on CPU q sends, and
# the switching it causes, reaches the NICs on rx queue q. This stands in
# for a real NIC's flow steering: pin a customer to a CPU (taskset -c q)
# to put its frames on queue q.
topo_isp() {
	local n
	local q=${TOPO_QUEUES:-1} mq
	mq="numrxqueues $q numtxqueues $q"
	ns_add H && ns_add SW && ns_add C1 && ns_add C2 && ns_add U || return 1
	# shellcheck disable=SC2086
	nsx H ip link add nic0 $mq type veth peer name nic0p $mq netns "$P-SW" &&
		nsx H ip link add nic1 $mq type veth peer name nic1p $mq netns "$P-SW" || return 1
	# XPS is set through the netns' own sysfs (ip netns exec mounts it).
	for n in 0 1; do
		[ "$q" -gt 1 ] || break
		ip netns exec "$P-SW" sh -c "q=0; while [ \$q -lt $q ]; do
			printf %x \$((1 << q)) >/sys/class/net/nic${n}p/queues/tx-\$q/xps_cpus || exit 1
			q=\$((q + 1)); done" || return 1
	done
	nsx SW ip link add bra type bridge && nsx SW ip link add bru type bridge || return 1
	for n in 1 2; do
		nsx C$n ip link add c$n type veth peer name c${n}p netns "$P-SW" &&
			nsx U ip link add u$n type veth peer name u${n}p netns "$P-SW" || return 1
		nsx SW ip link set c${n}p master bra up &&
			nsx SW ip link set u${n}p master bru up || return 1
	done
	nsx SW ip link set nic0p master bra up && nsx SW ip link set nic1p master bru up &&
		nsx SW ip link set bra up && nsx SW ip link set bru up || return 1
	# Tags leave the trunks in-band; frames XDP redirects into a veth
	# are dropped unless its peer has GRO on.
	nsx SW ethtool -K nic0p txvlan off gro on >/dev/null &&
		nsx SW ethtool -K nic1p txvlan off gro on >/dev/null || return 1
	nsx H ip link set nic0 up && nsx H ip link set nic1 up || return 1
	for n in 1 2; do
		nsx C$n ip link set lo up
		nsx C$n ip addr add 10.0.0.2/24 dev c$n
		nsx C$n ethtool -K c$n txvlan off tx off >/dev/null &&
			nsx C$n ip link set c$n up &&
			nsx C$n ip route add default via 10.0.0.1 &&
			nsx C$n "$BUILD/tn-dp" cust-vlan c$n $((n * 100)) || return 1
	done
	nsx U ip link set lo up
	nsx U ip addr add 198.51.100.1/32 dev lo
	nsx U sysctl -qw net.ipv4.fwmark_reflect=1 net.ipv4.tcp_fwmark_accept=1
	nsx U ip addr add 192.0.2.1/30 dev u1 && nsx U ip addr add 192.0.2.5/30 dev u2 || return 1
	for n in 1 2; do
		nsx U ethtool -K u$n txvlan off tx off >/dev/null &&
			nsx U ip link set u$n up &&
			nsx U "$BUILD/tn-dp" cust-vlan u$n $((200 + n * 100)) || return 1
		nsx U ip rule add fwmark $((200 + n * 100)) table $((200 + n * 100)) || return 1
	done
	nsx U ip route add 10.0.0.0/24 via 192.0.2.2 dev u1 table 300 &&
		nsx U ip route add 10.0.0.0/24 via 192.0.2.6 dev u2 table 400 || return 1
	# UDP from U takes no mark: a socket bound to u1 or u2 (iperf3
	# --bind-dev) picks the route of its port from these.
	nsx U ip route add 10.0.0.0/24 via 192.0.2.2 dev u1 metric 300 &&
		nsx U ip route add 10.0.0.0/24 via 192.0.2.6 dev u2 metric 400
}

# ---- direct mode (test-direct.sh, lib-zc.sh) ----

# direct_rx NAME: its router's direct sockets' rx, access then uplink.
direct_rx() {
	ctl -j tenant stats "$1" |
		jq -r '.tenants[0] | [.router.ifaces[] | select(.direct) | .counters.rx] | join(" ")'
}
# grew "A..." "B..." N [I]: word I (0: the first) of B exceeds that of A by
# N or more, both numbers (reckoned inside t_check, so empty values fail).
grew() {
	local a b
	a=$(echo "$1" | cut -d' ' -f$((${4:-0} + 1)))
	b=$(echo "$2" | cut -d' ' -f$((${4:-0} + 1)))
	[[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ $((b - a)) -ge "$3" ] ||
		{ echo "$a -> $b, want +$3"; return 1; }
}
# both_grew "A B" "C D" N: both words grew by N or more.
both_grew() { grew "$1" "$2" "$3" 0 && grew "$1" "$2" "$3" 1; }
