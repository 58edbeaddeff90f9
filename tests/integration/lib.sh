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
