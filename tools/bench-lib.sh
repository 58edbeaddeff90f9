# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the benchmarks in shell: make bench's JSON (tools/README, "The
# JSON convention"), the envelope every benchmark's NAME.json has around
# its rows, as tools/bench-json.c writes it for the ones in C.

# bench_commit: the short commit, "-dirty" when tracked files differ from
# it; $BENCH_COMMIT when make has worked it out already.
bench_commit() {
	if [ -n "${BENCH_COMMIT:-}" ]; then
		echo "$BENCH_COMMIT"
		return
	fi
	local c
	c=$(git rev-parse --short HEAD 2>/dev/null) || return 0
	[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || c=$c-dirty
	echo "$c"
}

# bench_write NAME FILE ROWS EXTRA: writes FILE, the envelope of benchmark
# NAME, then the object EXTRA (params, keys, units, plots), then the rows:
# ROWS holds one JSON object a line.
bench_write() {
	local name=$1 file=$2 rows=$3 extra=$4
	jq -s --arg bench "$name" --arg date "$(date -u +%FT%TZ)" \
		--arg commit "$(bench_commit)" --arg kernel "$(uname -r)" \
		--argjson cpus "$(nproc)" --argjson extra "$extra" '
		{bench: $bench, date: $date,
		 commit: (if $commit == "" then null else $commit end),
		 kernel: $kernel, cpus: $cpus} + $extra + {rows: .}' \
		"$rows" >"$file.tmp" && mv "$file.tmp" "$file"
}

# pin_napi DEV CPU [fifo]: the NAPI threads of DEV (threaded: echo 1 >
# /sys/class/net/DEV/threaded) on CPU, and real-time (SCHED_FIFO 50) with
# fifo. Threads are found by name, napi/DEV-ID: give DEV a name of the run.
pin_napi() {
	local pid
	for pid in $(ps -e -o pid=,comm= | awk -v d="napi/$1-" 'index($2, d) == 1 {print $1}'); do
		taskset -p -c "$2" "$pid" >/dev/null || return 1
		[ -z "${3:-}" ] || chrt -f -p 50 "$pid" || return 1
	done
}

# vlan_port NETNS TRUNK NAME VID ADDR: a host's port NAME on VLAN VID of
# TRUNK, with ADDR (no 802.1Q devices on this kernel, DESIGN.md): a veth
# whose tc programs push and pop the tag (tn-dp cust-vlan), its peer in a
# VLAN-unaware bridge, br-TRUNK, with the trunk. For customers' and
# gateways' ports; needs tests/integration/lib.sh (nsx, BUILD).
vlan_port() {
	local br=br-$2
	nsx "$1" ip link show "$br" >/dev/null 2>&1 ||
		{ nsx "$1" ip link add "$br" type bridge && nsx "$1" ip link set "$2" master "$br" &&
			nsx "$1" ip link set "$br" up; } || return 1
	nsx "$1" ip link add "$3" type veth peer name "$3p" &&
		nsx "$1" ethtool -K "$3" txvlan off tx off >/dev/null &&
		nsx "$1" ip link set "$3p" master "$br" up &&
		nsx "$1" ip addr add "$5" dev "$3" && nsx "$1" ip link set "$3" up &&
		nsx "$1" "$BUILD/tn-dp" cust-vlan "$3" "$4" >/dev/null
}
