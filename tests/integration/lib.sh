# SPDX-License-Identifier: GPL-2.0
# Shared by the integration tests: TAP output, throwaway network namespaces
# and a private bpffs, all named with a prefix unique to this run and torn
# down in an EXIT trap, pass or fail. Source it, then call t_init.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
T_N=0
T_FAILED=0
T_NETNS=()
T_PIDS=()
T_MOUNTS=()
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
	for n in "${T_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	for m in "${T_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	[ -n "$T_DIR" ] && rm -rf "$T_DIR"
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}

# t_init: checks root, makes the run's prefix, temp dir and private bpffs.
t_init() {
	[ "$(id -u)" = 0 ] || t_skip_all "needs root (netns, XDP)"
	P="t$(printf '%x' $$ | tail -c 5)" # short: device names are <= 15 chars
	T_DIR=$(mktemp -d /tmp/tenet-test.XXXXXX)
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

# wait_for FILE PATTERN [TENTHS]: until PATTERN shows in FILE (5 s).
wait_for() {
	local i
	for i in $(seq "${3:-50}"); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
