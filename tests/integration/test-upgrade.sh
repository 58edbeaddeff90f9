#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Upgrades: this tenetd started over a running install made by an older
# tenet -- the commit before issue 17's first (FROM), built from a git
# worktree into build/upgrade/ and kept there for the next run. The old
# tenetd runs topo_isp's two tenants while each customer pings the upstream
# every 10 ms; it stops; this tree's tenetd starts over the same state,
# bpffs and containers and must take the install over: maps of the old
# layout kept (migrated), nic_ingress replaced in place, each router
# replaced by this build's, one tenant at a time, each tenant's forwarding
# interrupted <= 1 s (printed), counters going on, tenant show as before.
# Then: the old tenetd refuses what the new one made (a downgrade); a
# layout newer than this tenetd's is refused; maps of an older definition
# (planted in a scratch bpffs) are migrated with their entries.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq git bpftool lxc-create

FROM=15871fce7d30f3c08c3fc951c341d94d8d49b47d
OLD=$TOP/build/upgrade/$FROM
LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")

# ---- the old tenet, built once ----
if [ ! -x "$OLD/build/tenetd" ]; then
	git -C "$TOP" cat-file -e "$FROM^{commit}" 2>/dev/null ||
		t_skip_all "commit $FROM is not in this clone (a shallow clone?)"
	if [ ! -d "$OLD" ]; then
		# One make clean removed is still registered: forgotten first.
		git -C "$TOP" worktree prune
		git -C "$TOP" worktree add --detach "$OLD" "$FROM" >"$T_DIR/worktree.log" 2>&1 || {
			t_fail "git worktree add $OLD $FROM"
			sed 's/^/#   /' "$T_DIR/worktree.log"
			exit 1
		}
	fi
	echo "# building the old tenet ($FROM) in $OLD: a minute or two, once"
	make -C "$OLD" -j2 all >"$T_DIR/old-build.log" 2>&1 || {
		t_fail "the old tenet builds"
		tail -20 "$T_DIR/old-build.log" | sed 's/^/#   /'
		exit 1
	}
fi
t_ok "the old tenet ($(git -C "$TOP" log -1 --format='%h %s' "$FROM" | cut -c1-60)) is built"

topo_isp || { t_fail "topology"; exit 1; }
show() { ctl -j tenant show "$1"; }
field() { show "$1" | jq -r "$2"; }
# What tenant show says that must not change across the upgrade.
config() { ctl -j tenant show "$1" | jq -S 'del(.router, .fast, .container.pid, .container.restarts, .usage, .state_since)'; }
rx_access() { ctl -j tenant stats "$1" | jq '.tenants[0].classifier.access.rx_packets'; }

TN_BIN=$OLD/build agent_start "$T_DIR/old.log" || { t_fail "the old tenetd starts"; exit 1; }
OLD_AGENT=$AGENT
octl() { TN_BIN=$OLD/build ctl "$@"; }
octl nic attach nic0 role access >/dev/null && octl nic attach nic1 role uplink default drop >/dev/null
add_both() {
	octl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
		access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1 &&
		octl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
			access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5
}
t_check "old tenetd: tenant add acme and beta" add_both
sockets() { "$1" -j tenant show "$2" | jq -r '"\(.router.connected) \(.router.sockets)"'; }
for t in acme beta; do
	t_check "old tenetd: $t's router took its sockets" until_is 50 "true 2" sockets octl $t
done
both_reach() { isp_reach 1 && isp_reach 2; }
t_check "both customers reach the upstream" both_reach
# gamma, without customers, runs its own code as its router, which never
# talks to tenetd: the upgrade must get past it through its init.
lxa() { # NAME CMD...: CMD in the container
	local n=$1
	shift
	nsx H lxc-attach -P "$LXCP" -n "$n" -- "$@"
}
octl tenant add gamma access nic0 vlan 500 uplink nic1 uplink-vlan 600 \
	access-addr 10.9.0.1/24 uplink-addr 192.0.2.9/30 >/dev/null
until_is 50 "true 2" sockets octl gamma >/dev/null
lxa gamma sh -c 'printf "#!/bin/sh\nexec sleep 100000\n" >/usr/sbin/r.own &&
	chmod 755 /usr/sbin/r.own && mv /usr/sbin/r.own /usr/sbin/tenet-router'
kill -9 "$(octl -j tenant show gamma | jq .router.pid)"
t_check "gamma's own router runs, not connected to tenetd" \
	until_is 50 "false 1" eval "octl -j tenant show gamma | jq -r '\"\\(.router.connected) \\(.router.restarts)\"'"

# ---- the upgrade, under traffic ----
declare -A R0 CONF0
for t in acme beta; do
	R0[$t]=$(octl -j tenant show "$t" | jq .router.pid)
	CONF0[$t]=$(TN_BIN=$OLD/build config "$t")
done
nsx_bg C1 ping -n -i 0.01 -W 1 198.51.100.1 >"$T_DIR/ping1"
P1=$BG
nsx_bg C2 ping -n -i 0.01 -W 1 198.51.100.1 >"$T_DIR/ping2"
P2=$BG
sleep 2
A0=$(TN_BIN=$OLD/build rx_access acme)
B0=$(TN_BIN=$OLD/build rx_access beta)
[ -n "$A0" ] && [ -n "$B0" ] || t_fail "the old tenetd's tenant stats"

kill -TERM "$OLD_AGENT"
wait "$OLD_AGENT"
t_check "the old tenetd stops (SIGTERM), its tenants running" test $? = 0
agent_start "$T_DIR/new.log" || { t_fail "this tenetd starts over the old install"; sed 's/^/#   /' "$T_DIR/new.log"; exit 1; }
t_ok "this tenetd starts over the old install"
upgraded() { ctl -j status | jq -r '"\(.upgrade_pending) \(.upgrade_replaced) \(.upgrade_failed)"'; }
t_check "the three routers replaced, one at a time, none failed" until_is 400 "0 3 0" upgraded
sleep 2
kill -INT "$P1" "$P2"
wait "$P1" "$P2"
# tn_layout's value (its first byte: bpftool prints hex without BTF).
layout() { printf '%d' "$(bpftool -j map lookup pinned "$1/tn_layout" key 0 0 0 0 | jq -r '.value[0]')"; }
# This tenet's layout, as include/tenet/version.h has it.
LV_NOW=$(awk '$1 == "#define" && $2 == "TN_DP_LAYOUT_VERSION" {print $3}' "$TOP/include/tenet/version.h")
from_v1() { grep -q "maps of layout v1, this tenetd's is v$LV_NOW" "$T_DIR/new.log" && [ "$(layout "$BPFFS/t")" = "$LV_NOW" ]; }
t_check "the layout was unrecorded (v1): recorded v$LV_NOW now, the maps kept" from_v1
t_check "nic_ingress of the old tenet replaced in place on nic0 and nic1" \
	test "$(grep -c 'nic_ingress replaced by this tenet' "$T_DIR/new.log")" = 2
new_router() { # NAME OLD-PID
	local r
	r=$(field "$1" .router.pid)
	[ "$r" != "$2" ] && [ "$r" != 0 ] && [ "$(field "$1" .router.build_current)" = true ] &&
		cmp /proc/"$r"/exe "$BUILD/tenet-router"
}
for t in acme beta; do
	t_check "$t: a new router, this build's (its binary is build/tenet-router)" new_router $t "${R0[$t]}"
done
t_check "gamma: its own router stopped through its init (SIGHUP), ours connected" \
	new_router gamma 0
# The longest run of unanswered pings (10 ms apart), per tenant.
gap_ms() {
	awk -F'icmp_seq=' '/icmp_seq=/ { split($2, a, " "); s = a[1] + 0;
		if (NR > 1 && s - last - 1 > g) g = s - last - 1; last = s }
		END { print g * 10 }' "$1"
}
G1=$(gap_ms "$T_DIR/ping1")
G2=$(gap_ms "$T_DIR/ping2")
echo "# forwarding interrupted by the upgrade: acme ${G1} ms, beta ${G2} ms (longest run of lost pings, 10 ms apart); tenetd: $(ctl -j status | jq .upgrade_max_ms) ms at most from a router's stop to its successor's handoff"
t_check "acme's forwarding interrupted ${G1} ms (<= 1000)" test "$G1" -le 1000
t_check "beta's forwarding interrupted ${G2} ms (<= 1000)" test "$G2" -le 1000
A1=$(rx_access acme)
B1=$(rx_access beta)
t_check "counters go on: access rx_packets $A0 -> $A1 (acme), $B0 -> $B1 (beta)" \
	test "$A1" -gt "$A0" -a "$B1" -gt "$B0"
for t in acme beta; do
	t_check "$t: tenant show as before" diff <(echo "${CONF0[$t]}") <(config "$t")
done
t_check "both customers reach the upstream" both_reach

# ---- restarted on the same build: nothing replaced ----
R1=$(field acme .router.pid)
kill -TERM "$AGENT"
wait "$AGENT"
agent_start "$T_DIR/new2.log" || { t_fail "restart"; exit 1; }
t_check "restarted on the same build: no router replaced" until_is 50 "0 0 0" upgraded
t_check "acme's router is the same process, back (resumed)" \
	until_is 50 "true $R1" field acme '"\(.router.connected) \(.router.pid)"'

# ---- downgrades refused ----
# refused BIN LOG PATTERN: tenetd BIN exits at once, not 0, saying PATTERN
# (one that started would be stopped by timeout: 124).
refused() {
	timeout 30 nsenter --net="/run/netns/$P-H" "$1" --foreground --state-dir "$T_DIR/state" \
		--run-dir "$T_DIR/run" --bpffs "$BPFFS/t" >"$2" 2>&1
	local rc=$?
	[ $rc != 0 ] && [ $rc != 124 ] && grep "$3" "$2"
}
kill -TERM "$AGENT"
wait "$AGENT"
t_check "the old tenetd refuses the newer install, with a sentence" \
	refused "$OLD/build/tenetd" "$T_DIR/old2.log" "newer than this"
bpftool map update pinned "$BPFFS/t/tn_layout" key 0 0 0 0 value 99 0 0 0 0 0 0 0
t_check "a layout newer than this tenetd's is refused, with a sentence" \
	refused "$TN_BIN/tenetd" "$T_DIR/new3.log" "layout v99.*downgrading is not supported"
t_check "and the pins are left as they were" test "$(layout "$BPFFS/t")" = 99
bpftool map update pinned "$BPFFS/t/tn_layout" key 0 0 0 0 value 2 0 0 0 0 0 0 0
agent_start "$T_DIR/new4.log" || { t_fail "restart"; exit 1; }
t_check "back on layout 2: it starts, acme's router kept" \
	until_is 50 "true $R1" field acme '"\(.router.connected) \(.router.pid)"'

# ---- maps of an older definition, migrated with their entries ----
# A scratch install: tn_nics as this tenet makes it (an install without a
# layout record), tn_egress_stats (per-CPU array) and tn_local (hash) with
# half their entries and an entry each, and tn_policer (array; its values
# hold a spin lock, known only through BTF) with values 8 bytes short.
def() { bpftool -j map show pinned "$BPFFS/t/$1" | jq -r '"\(.type) key \(.bytes_key) value \(.bytes_value) entries \(.max_entries) flags \(.flags)"'; }
M=$BPFFS/m
mkdir -p "$M"
plant() { # NAME HALVE? [SHORTER-BY]
	read -r type _ k _ v _ n _ f <<<"$(def "$1")"
	[ "$2" = 1 ] && n=$((n / 2))
	v=$((v - ${3:-0}))
	bpftool map create "$M/$1" type "$type" key "$k" value "$v" entries "$n" name "$1" flags "$f"
}
bytes() { # N BYTE [AT]: N bytes, BYTE at offset AT (0), zeros elsewhere
	local i
	for i in $(seq 0 $(($1 - 1))); do [ "$i" = "${3:-0}" ] && printf '%s ' "$2" || printf '0 '; done
}
plant tn_nics 0 && plant tn_egress_stats 1 && plant tn_local 1 && plant tn_policer 0 8
PV=$(def tn_policer | awk '{print $5}')
SV=$(def tn_egress_stats | awk '{print $5}')
LK=$(def tn_local | awk '{print $3}')
LV=$(def tn_local | awk '{print $5}')
# shellcheck disable=SC2046
bpftool map update pinned "$M/tn_egress_stats" key 3 0 0 0 value $(bytes "$SV" 7)
# shellcheck disable=SC2046
bpftool map update pinned "$M/tn_local" key $(bytes "$LK" 9) value $(bytes "$LV" 5)
# (At offset 8, pkt_cost: the spin lock at 0 is never copied.)
# shellcheck disable=SC2046
bpftool map update pinned "$M/tn_policer" key 5 0 0 0 value $(bytes $((PV - 8)) 7 8)
mkdir -p "$T_DIR/m"
nsx_bg H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/m/state" --run-dir "$T_DIR/m/run" \
	--bpffs "$M" >"$T_DIR/m.log" 2>&1
MA=$BG
wait_for "$T_DIR/m.log" ready 150
entries() { bpftool -j map show pinned "$1/$2" | jq .max_entries; }
stats_kept() {
	[ "$(entries "$M" tn_egress_stats)" = "$(entries "$BPFFS/t" tn_egress_stats)" ] &&
		[ "$(bpftool -j map lookup pinned "$M/tn_egress_stats" key 3 0 0 0 |
			jq -r '[.values[].value[0]] | unique | join(" ")')" = 0x07 ]
}
# (Its entry names a tenant the scratch database does not have: the sweep
# that follows removes it.)
local_kept() {
	[ "$(entries "$M" tn_local)" = "$(entries "$BPFFS/t" tn_local)" ] &&
		grep "tn_local: migrated, 1 entries copied" "$T_DIR/m.log"
}
t_check "tn_egress_stats migrated: all its entries now, key 3's values on every CPU kept" stats_kept
t_check "tn_local migrated: its entry copied" local_kept
# nic_ingress takes the policer's spin lock: it loaded, so the new map has
# the lock's BTF.
policer_grown() {
	grep "tn_policer: migrated, .* (value $((PV - 8)) -> $PV bytes" "$T_DIR/m.log" &&
		[ "$(bpftool -j map show pinned "$M/tn_policer" | jq .bytes_value)" = "$PV" ] &&
		bpftool -j map lookup pinned "$M/tn_policer" key 5 0 0 0 |
		jq -e '.formatted.value.pkt_cost == 7 and (.value[-8:] | all(. == "0x00"))'
}
t_check "tn_policer migrated: values grown by 8 zero bytes, key 5's kept, its spin lock known" policer_grown
said_migrated() { grep "tn_egress_stats: migrated" "$T_DIR/m.log" && grep "tn_local: migrated" "$T_DIR/m.log"; }
t_check "the log says what was migrated" said_migrated
t_check "layout v$LV_NOW recorded" test "$(layout "$M")" = "$LV_NOW"
kill -TERM "$MA"
wait "$MA"

t_done
