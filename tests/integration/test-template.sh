#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lxc-templates/lxc-tenet: a router container built offline from the host's
# binaries; its size and build time; it starts, lxc-attach works, the
# libraries are complete (tenet-router, busybox, bird); tenet-init restarts
# a router that exits; the router runs in it as an unprivileged user, takes
# its AF_XDP sockets through the bind-mounted /run/tenet (tn-dp serve doing
# what tenetd does) and forwards A -> B over two phys links; lxc-stop is
# quick; lxc-destroy leaves nothing. Everything LXC does runs in netns H, in
# a private LXC path; containers are stopped and destroyed in the EXIT trap.
#
#   netns A               container (netns of its own)           netns B
#   ha 10.1.0.2 --------- a0 10.1.0.1  [tenet-router]  b0 10.2.0.1 --------- hb 10.2.0.2
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v lxc-create >/dev/null || t_skip_all "lxc-create is missing (apt-get install lxc)"
command -v busybox >/dev/null || t_skip_all "busybox is missing (apt-get install busybox-static)"

TPL=$TOP/lxc-templates/lxc-tenet
LXCP=$T_DIR/lxc
C1=$P-r1
C2=$P-r2
# A uid of its own: locked memory (the UMEM) is counted per host uid, shared
# with any other container's router that runs as the same uid.
RUID=$((200000 + $$ % 50000))
T_CTS=()
mkdir -p "$LXCP"

lxc() { # CMD ARGS...: an lxc-CMD on our LXC path, from netns H
	local c=$1
	shift
	nsx H "lxc-$c" -P "$LXCP" "$@"
}
att() { # NAME CMD...: CMD in the container
	local n=$1
	shift
	lxc attach -n "$n" -- "$@"
}
ms() { date +%s%3N; }

cleanup() {
	local n
	for n in "${T_CTS[@]}"; do
		lxc stop -k -n "$n" >/dev/null 2>&1
		lxc destroy -n "$n" >/dev/null 2>&1
	done
	t_cleanup
}
trap cleanup EXIT

[ -x "$BUILD/tenet-router" ] || { t_fail "$BUILD/tenet-router exists (run make)"; t_done; exit; }
ns_add H && ns_add A && ns_add B || { t_fail "create netns"; exit 1; }

# The container, as tenetd makes it: the tenant's socket dir bind-mounted on
# /run/tenet, set before the template runs; "--opt value" here, "--opt=value"
# below.
SOCK=$T_DIR/sock
mkdir -p "$SOCK" && chmod 1777 "$SOCK"
echo "lxc.mount.entry = $SOCK run/tenet none bind,create=dir 0 0" >"$T_DIR/pre.conf"
t0=$(ms)
T_CTS+=("$C1")
if out=$(lxc create -n "$C1" -f "$T_DIR/pre.conf" -t "$TPL" -- \
	--router "$BUILD/tenet-router" --router-uid "$RUID" 2>&1); then
	t_ok "lxc-create -t lxc-tenet -- --router PATH --router-uid $RUID"
else
	t_fail "lxc-create -t lxc-tenet -- --router PATH --router-uid $RUID"
	printf '%s\n' "$out" | sed 's/^/#   /'
	t_done
	exit
fi
t1=$(ms)
ROOTFS=$LXCP/$C1/rootfs
t_check "created in $((t1 - t0)) ms (< 30 s)" test $((t1 - t0)) -lt 30000
mb=$(du -sm "$ROOTFS" | cut -f1)
t_check "rootfs is $mb MB (< 64 MB)" test "$mb" -lt 64
t_check "config: tenet-init, its own empty netns" \
	sh -c "grep -q '^lxc.init.cmd = /sbin/tenet-init' $LXCP/$C1/config &&
	       grep -q '^lxc.net.0.type = empty' $LXCP/$C1/config"

# What tenetd adds after the template: two phys links.
nsx H ip link add a0 type veth peer name ha netns "$P-A"
nsx H ip link add b0 type veth peer name hb netns "$P-B"
cat >>"$LXCP/$C1/config" <<EOF
lxc.net.1.type = phys
lxc.net.1.link = a0
lxc.net.1.name = a0
lxc.net.1.flags = up
lxc.net.2.type = phys
lxc.net.2.link = b0
lxc.net.2.name = b0
lxc.net.2.flags = up
EOF

# With the signals' default dispositions, as tenetd starts containers: an
# init inherits what its starter ignores (a run under nohup ignores HUP),
# and a shell cannot trap what it started with ignored.
t_check "lxc-start" env --default-signal nsenter --net="/run/netns/$P-H" \
	lxc-start -P "$LXCP" -n "$C1"
t_check "RUNNING" lxc wait -n "$C1" -s RUNNING -t 10
IPID=$(lxc info -n "$C1" -pH)
t_check "init is tenet-init, its console in console.log on the host" \
	sh -c "tr '\0' ' ' </proc/$IPID/cmdline | grep -q /sbin/tenet-init &&
	       $(declare -f wait_for); wait_for $LXCP/$C1/console.log 'started (pid 1)'"
t_check "tenet-router --help runs inside (its libraries are all there)" \
	att "$C1" /usr/sbin/tenet-router --help
t_check "busybox ip and ps inside" \
	sh -c "$(declare -f lxc att nsx); P=$P LXCP=$LXCP
	       att $C1 ip link show a0 >/dev/null && att $C1 ps | grep -q tenet-init"
t_check "only lo, a0, b0 in its netns" \
	test "$(att "$C1" ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' ')" = "a0 b0 lo "
if command -v bird >/dev/null; then
	t_check "bird --version inside" att "$C1" bird --version
	t_check "bird runs with the placeholder config (parse only)" \
		att "$C1" bird -p -c /etc/bird/bird.conf
else
	t_skip "bird --version inside" "no bird on the host"
	t_skip "bird runs with the placeholder config" "no bird on the host"
fi

# Supervision: a router that exits at once is restarted every second.
echo "--help" >"$ROOTFS/etc/tenet/router.args"
kill -HUP "$IPID"
restarts() { # init rewrites the file: a read may catch it empty
	local i v
	for i in 1 2 3 4 5; do
		v=$(att "$C1" cat /run/tenet-init.restarts 2>/dev/null)
		case $v in '' | *[!0-9]*) sleep 0.05 ;; *) echo "$v" && return ;; esac
	done
	echo -1
}
sleep 2
r1=$(restarts)
sleep 2
r2=$(restarts)
t_check "a router that exits is restarted, about once a second ($r1, then $r2)" \
	test "$r1" -ge 1 -a "$r2" -gt "$r1"
t_check "each restart logged with the exit status" \
	sh -c "grep -q 'tenet-router exited with status 0; restart 1' $LXCP/$C1/console.log"

# The real thing: sockets from an agent through /run/tenet, frames A -> B.
rm -f "$ROOTFS/etc/tenet/router.args"
kill -HUP "$IPID"
nsx A ip addr add 10.1.0.2/24 dev ha && nsx A ip link set ha up
nsx B ip addr add 10.2.0.2/24 dev hb && nsx B ip link set hb up
nsx A ip route add default via 10.1.0.1
nsx B ip route add default via 10.2.0.1
# Hosts send finished checksums, as from a real wire (see topo_a_r_b).
nsx A ethtool -K ha tx off >/dev/null
nsx B ethtool -K hb tx off >/dev/null
att "$C1" sysctl -qw net.ipv4.ip_forward=0 # only tenet-router forwards
att "$C1" ip addr add 10.1.0.1/24 dev a0
att "$C1" ip addr add 10.2.0.1/24 dev b0
CNS="nsenter --net=/proc/$IPID/ns/net"
DP="$BUILD/tn-dp --bpffs $BPFFS/tenet"
t_check "tenant_rx on a0 and b0 in the container's netns" \
	sh -c "$CNS $DP rx attach a0 tenant 1 slot 0 addr 10.1.0.1 &&
	       $CNS $DP rx attach b0 tenant 1 slot 1 addr 10.2.0.1"
$CNS $DP serve "$SOCK/router.sock" tenant 1 a0 b0 >"$T_DIR/serve.log" 2>&1 &
SERVE=$!
T_PIDS+=("$SERVE")
wait_for "$T_DIR/serve.log" serving
echo "--agent /run/tenet/router.sock" >"$ROOTFS/etc/tenet/router.args"
kill -HUP "$IPID"
t_check "the router inside takes both sockets from the agent" \
	wait_for "$T_DIR/serve.log" "bound b0 q0" 100
RPID=$(att "$C1" cat /run/tenet-router.pid)
t_check "it runs as user router ($RUID) with no capabilities, no_new_privs" \
	sh -c "$(declare -f lxc att nsx); P=$P LXCP=$LXCP
	       att $C1 cat /proc/$RPID/status | grep -q '^Uid:\s*$RUID\s' &&
	       att $C1 cat /proc/$RPID/status | grep -q '^CapEff:\s*0000000000000000$' &&
	       att $C1 cat /proc/$RPID/status | grep -q '^NoNewPrivs:\s*1$'"
t_check "ping A -> B through the router in the container" \
	nsx A ping -c 3 -i 0.2 -W 2 10.2.0.2

t0=$(ms)
lxc stop -n "$C1" -t 10
t1=$(ms)
t_check "lxc-stop with the router running: $((t1 - t0)) ms (< 10 s)" \
	test $((t1 - t0)) -lt 10000
t_check "STOPPED" test "$(lxc info -n "$C1" -sH)" = STOPPED
t_check "tenet-init stopped the router and itself" \
	sh -c "$(declare -f wait_for); wait_for $T_DIR/serve.log 'router gone' &&
	       wait_for $LXCP/$C1/console.log 'tenet-init: stopped'"
t_check "the phys links are back in netns H" nsx H ip link show a0
t_check "lxc-destroy" lxc destroy -n "$C1"
t_check "nothing left of it" test ! -e "$LXCP/$C1"

# --opt=value, no routing daemons; bad options leave nothing behind.
T_CTS+=("$C2")
t_check "lxc-create -- --router=PATH --no-routing-daemons" \
	lxc create -n "$C2" -t "$TPL" -- --router="$BUILD/tenet-router" --no-routing-daemons
t_check "no bird in that rootfs, tenet-router there" \
	sh -c "test ! -e $LXCP/$C2/rootfs/usr/sbin/bird && test -x $LXCP/$C2/rootfs/usr/sbin/tenet-router"
t_check "default.conf's veth on lxcbr0 replaced by an empty netns" \
	sh -c "! grep -q lxcbr0 $LXCP/$C2/config && grep -q '^lxc.net.0.type = empty' $LXCP/$C2/config"
t_check "lxc-destroy" lxc destroy -n "$C2"
refused() { # MESSAGE OPTIONS...: lxc-create fails saying so, leaves nothing
	local want=$1 out
	shift
	out=$(lxc create -n "$C2" -t "$TPL" -- "$@" 2>&1) && return 1
	grep -qF -e "$want" <<<"$out" && test ! -e "$LXCP/$C2" || { echo "$out"; return 1; }
}
t_check "an unknown option is refused, no container left" \
	refused "unknown option '--frobnicate'" --frobnicate
t_check "--router-uid 0 is refused" \
	refused "--router-uid must be a number from 1 to 4294967294, not '0'" --router-uid=0
t_check "--router without a value is refused" refused "--router needs a value" --router
t_done
