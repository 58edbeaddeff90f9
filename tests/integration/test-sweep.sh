#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenetd's start-up sweep removes only what this tenetd made. Its LXC path
# holds a foreign LXC container and foreign directories, its netns links
# named like a tenant's that are not its own: started on them, tenetd
# touches none of them and says what it found. A tenetd with another
# database (a mistyped --state-dir) refuses the first one's pinned maps,
# and with maps of its own leaves the first one's containers and links
# alone. A second tenetd on the same LXC path is refused. What this
# tenetd did make and no tenant owns (a container marked but never
# recorded) is still swept.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq lxc-create

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
ns_add H || { t_fail "create netns"; exit 1; }
host_nics H 2 || { t_fail "veth NICs"; exit 1; }

# Foreign things where tenetd looks: a container some other LXC user made
# (its config and rootfs, as lxc-create leaves them), a plain directory,
# and links named tn<N>a/u: one with no alias, one with another's.
mkdir -p "$LXCP/foreign/rootfs/etc" "$LXCP/notes"
printf 'lxc.uts.name = foreign\nlxc.rootfs.path = dir:%s\n' \
	"$LXCP/foreign/rootfs" >"$LXCP/foreign/config"
echo keep >"$LXCP/foreign/rootfs/etc/hostname"
echo keep >"$LXCP/notes/todo"
nsx H ip link add tn99a type veth peer name x99a
nsx H ip link add tn98u type veth peer name x98u
nsx H ip link set tn98u alias "someone-else"
foreign_intact() {
	[ "$(cat "$LXCP/foreign/rootfs/etc/hostname")" = keep ] &&
		[ -f "$LXCP/foreign/config" ] &&
		[ "$(cat "$LXCP/notes/todo")" = keep ] &&
		nsx H ip link show tn99a >/dev/null &&
		nsx H ip link show tn98u >/dev/null
}

agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
t_check "tenetd on an LXC path holding a foreign container and dirs: all intact" \
	foreign_intact
t_check "it says what it left alone: the container, the dir, both links" \
	sh -c "grep -q '/foreign: no tenant.s, and not made by this tenetd: left alone' '$T_DIR/log' &&
	       grep -q '/notes: no tenant.s, and not made by this tenetd: left alone' '$T_DIR/log' &&
	       grep -q 'link tn99a: of no tenant, and not made by this tenetd' '$T_DIR/log' &&
	       grep -q 'link tn98u: .*alias \"someone-else\".*left alone' '$T_DIR/log'"

ctl nic attach nic0 role access >/dev/null && ctl nic attach nic1 role uplink >/dev/null
t_check "tenant add acme" ctl tenant add acme access nic0 vlan 100 uplink nic1 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24
ACME_PID=$(ctl -j tenant show acme | jq -r .container.pid)
marked() { nsx H ip -d link show "$1" | grep -q 'alias tenet:'; }
t_check "acme's links carry this tenetd's mark (alias)" \
	sh -c "$(declare -f nsx marked); P=$P; marked tn1a && marked tn1u"

# A second tenetd on the same LXC path (its own state, run and bpffs).
nsx H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/two/state" \
	--run-dir "$T_DIR/two/run" --bpffs "$BPFFS/two" --lxc-path "$LXCP" \
	>"$T_DIR/two.log" 2>&1
rc=$?
t_check "a second tenetd on the same LXC path is refused, and says so" \
	sh -c "[ $rc != 0 ] && grep -q 'LXC path $LXCP: another tenetd uses it' '$T_DIR/two.log'"

kill -9 "$AGENT"
wait "$AGENT" 2>/dev/null

# The same maps, another database: refused.
nsx H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/typo" \
	--run-dir "$T_DIR/run" --bpffs "$BPFFS/t" --lxc-path "$LXCP" \
	>"$T_DIR/typo.log" 2>&1
rc=$?
t_check "a mistyped --state-dir on the first one's maps: refused, and said" \
	sh -c "[ $rc != 0 ] && grep -q 'holds the maps of another tenet' '$T_DIR/typo.log'"

# Another database with maps of its own: nothing of the first one goes.
agent_start "$T_DIR/typo2.log" --state-dir "$T_DIR/typo" --bpffs "$BPFFS/typo" \
	--lxc-path "$LXCP" || t_fail "a tenetd with another database starts"
t_check "another database: the first one's container, links, sockets untouched" \
	sh -c "[ -d '$LXCP/acme' ] && [ -d '$T_DIR/run/tenants/acme' ] &&
	       kill -0 $ACME_PID &&
	       nsenter --net=/run/netns/$P-H ip link show tn1a >/dev/null &&
	       nsenter --net=/run/netns/$P-H ip link show tn1u >/dev/null"
t_check "and says so: acme's container and links left alone" \
	sh -c "grep -q '/acme: no tenant.s, and not made by this tenetd: left alone' '$T_DIR/typo2.log' &&
	       grep -q 'link tn1a: of no tenant, and not made by this tenetd' '$T_DIR/typo2.log'"
t_check "foreign things still intact" foreign_intact
kill "$AGENT"
wait "$AGENT" 2>/dev/null

# A container this tenetd marked but never recorded (a kill -9 during its
# making): swept.
mkdir -p "$LXCP/ghost/rootfs"
printf '%s' "$LXCP" >"$T_DIR/state/made/ghost"
agent_start "$T_DIR/log2" || t_fail "the right tenetd starts again"
t_check "the right tenetd: acme as it was (same container init)" \
	sh -c "[ \"\$($TN_BIN/tenetctl --socket $T_DIR/run/tenetd.sock -j tenant show acme | jq -r .container.pid)\" = $ACME_PID ]"
t_check "its marked leftover is swept" \
	sh -c "[ ! -e '$LXCP/ghost' ] && [ ! -e '$T_DIR/state/made/ghost' ]"
t_check "foreign things intact after the right tenetd's sweep" foreign_intact
rx_access() { ctl -j tenant stats "$1" | jq '.tenants[0].classifier.access.rx_packets'; }
nsx H python3 "$TOP/tests/integration/sendframe.py" nic0p 02:00:00:00:00:01 \
	02:00:00:00:00:99 --vlan 100 --ipv4 10.0.0.2 198.18.0.1 --count 5
t_check "acme's access port counted 5 frames" until_is 20 5 rx_access acme
t_check "tenant del acme" ctl tenant del acme
t_check "its mark goes with it" test ! -e "$T_DIR/state/made/acme"
t_check "tenant add beta takes acme's id again" \
	sh -c "$(declare -f ctl nsx); P=$P BUILD=$BUILD TN_BIN=$TN_BIN T_DIR=$T_DIR
	       ctl tenant add beta access nic0 vlan 100 uplink nic1 \
	       access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/24 >/dev/null &&
	       [ \"\$(ctl -j tenant show beta | jq .id)\" = 1 ]"
t_check "its counters start from zero, not acme's 5" test "$(rx_access beta)" = 0
t_check "tenant del beta" ctl tenant del beta
t_done
