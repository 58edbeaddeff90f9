#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenetd and tenetctl, NICs so far: attach/list/detach in a throwaway netns
# with veth "NICs", the agent on its own state/run/bpffs dirs; bad input
# refused with nothing changed; garbage on the control socket survived;
# kill -9 and restart converge; two agents side by side; where libxdp's
# dispatcher runs, another XDP program beside nic_ingress, and another
# build's tenetd (make variant) replacing nic_ingress there and back.
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v jq >/dev/null || t_skip_all "jq is needed"

ns_add H || { t_fail "create netns"; exit 1; }
host_nics H 3 || { t_fail "veth NICs"; exit 1; }

start_agent() { # NAME [ARGS...]: state and run dirs of its own
	local a=$1
	shift
	mkdir -p "$T_DIR/$a"
	[ -f "$T_DIR/$a/log" ] && mv "$T_DIR/$a/log" "$T_DIR/$a/log.old"
	nsx_bg H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/$a/state" \
		--run-dir "$T_DIR/$a/run" --bpffs "$BPFFS/$a" "$@" >"$T_DIR/$a/log" 2>&1
	eval "PID_$a=$BG"
	wait_for "$T_DIR/$a/log" "ready" 100
}
ctl() { # AGENT ARGS...: tenetctl against that agent, in H
	local a=$1
	shift
	nsx H "$TN_BIN/tenetctl" --socket "$T_DIR/$a/run/tenetd.sock" "$@"
}
raw() { # AGENT BYTES-CMD: send raw bytes on the control socket, print the reply
	nsx H python3 - "$T_DIR/$1/run/tenetd.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
data = eval(sys.argv[2])
try:
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
print(s.makefile().readline().strip())
PY
}
xdp_prog() { nsx H ip -j link show dev "$1" | jq -r '.[0].xdp.prog.name // "none"'; }
nics() { ctl a -j nic list | jq -c '[.nics[] | [.ifname, .nic_id, .attached]]'; }

start_agent a
t_check "tenetd starts on its own dirs" test $? = 0
t_check "status -j: pid and no NICs" \
	test "$(ctl a -j status | jq -c '[.pid > 0, .nics]')" = "[true,0]"
t_check "nic attach nic0 role access" ctl a nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop xdp-mode native" \
	ctl a nic attach nic1 role uplink default drop xdp-mode native
t_check "nic list -j: both, ids 1 and 2, attached" \
	test "$(nics)" = '[["nic0",1,true],["nic1",2,true]]'
t_check "nic list -j: mode requested and in use, default action" \
	test "$(ctl a -j nic list | jq -c '.nics[1] | [.xdp_mode, .xdp_mode_in_use, .default, .role]')" = \
	'["native","native","drop","uplink"]'
on_nic() { # IFNAME PROG: PROG is on it, alone (ip link) or in libxdp's dispatcher
	[ "$(xdp_prog "$1")" = "$2" ] ||
		{ [ "$(xdp_prog "$1")" = xdp_dispatcher ] && nsx H xdp-loader status "$1" | grep -qw "$2"; }
}
t_check "nic_ingress is on nic0 (ip link, or libxdp's dispatcher)" on_nic nic0 nic_ingress
t_check "text output names the NIC" sh -c "$(declare -f ctl nsx); P=$P T_DIR=$T_DIR BUILD=$BUILD TN_BIN=$TN_BIN; ctl a nic list | grep -q 'nic0'"

# Bad input: refused, one line, nothing changed.
before=$(nics)
bad() { # EXPECTED-EXIT ARGS...
	local want=$1 out rc
	shift
	out=$(ctl a "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = "$want" ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] &&
		[ -n "$out" ] && [ "$(nics)" = "$before" ] ||
		{ echo "exit $rc, stderr: $out"; return 1; }
}
t_check "role missing: refused" bad 2 nic attach nic2
t_check "role x: refused" bad 2 nic attach nic2 role x
t_check "xdp-mode turbo: refused" bad 2 nic attach nic2 role access xdp-mode turbo
t_check "interface name with /: refused" bad 2 nic attach a/b role access
t_check "no such interface: refused by the agent" bad 1 nic attach nope0 role access
t_check "already attached: refused" bad 1 nic attach nic0 role uplink
t_check "detach of an unknown NIC: refused" bad 1 nic detach nic2
t_check "unknown command: refused" bad 2 nic frobnicate nic0

# The control socket survives what clients send.
t_check "not JSON: answered -EBADMSG" \
	sh -c "$(declare -f raw nsx); P=$P T_DIR=$T_DIR; raw a \"b'hello'\" | grep -q '\"status\":-74'"
t_check "truncated JSON: answered -EBADMSG" \
	sh -c "$(declare -f raw nsx); P=$P T_DIR=$T_DIR; raw a \"b'{\\\"cmd\\\": \\\"nic li'\" | grep -q '\"status\":-74'"
t_check "larger than 64 KiB: answered -EMSGSIZE" \
	sh -c "$(declare -f raw nsx); P=$P T_DIR=$T_DIR; raw a \"b'{\\\"cmd\\\":\\\"' + b'x' * 70000\" | grep -q '\"status\":-90'"
t_check "unknown command on the socket: -EOPNOTSUPP" \
	sh -c "$(declare -f raw nsx); P=$P T_DIR=$T_DIR; raw a \"b'{\\\"cmd\\\":\\\"reboot\\\"}\\n'\" | grep -q '\"status\":-95'"
t_check "the agent is still there" ctl a status

# kill -9, something changes behind its back, restart: it converges.
kill -9 "$PID_a"
wait "$PID_a" 2>/dev/null
nsx H ip link set dev nic0 xdp off
start_agent a
t_check "restart after kill -9" test $? = 0
t_check "nic_ingress put back on nic0" on_nic nic0 nic_ingress
t_check "the NICs are as before" test "$(nics)" = "$before"

# Two agents side by side, each with its own dirs and maps.
start_agent b
t_check "a second agent on other dirs" test $? = 0
t_check "the second attaches nic2" ctl b nic attach nic2 role access
t_check "each lists only its own NICs" \
	test "$(ctl b -j nic list | jq -c '[.nics[].ifname]')" = '["nic2"]' -a "$(nics)" = "$before"
t_check "a second agent on the first's run dir is refused" \
	sh -c "! nsenter --net=/run/netns/$P-H $TN_BIN/tenetd --foreground --state-dir $T_DIR/c --run-dir $T_DIR/a/run --bpffs $BPFFS/c"

# --group: the control socket for a group's members (the package's unit
# gives it to the group tenet); an unknown group stops tenetd at start.
nogroup() {
	local out
	out=$(nsx H "$TN_BIN/tenetd" --foreground --state-dir "$T_DIR/g0" --run-dir "$T_DIR/g0/run" \
		--bpffs "$BPFFS/g0" --group tn-no-such-group 2>&1)
	[ $? = 2 ] && grep -q 'tn-no-such-group: no such group' <<<"$out" && [ ! -e "$T_DIR/g0/run/tenetd.sock" ]
}
t_check "--group of no such group: tenetd refuses to start, and says why" nogroup
start_agent g --group daemon
t_check "--group daemon: tenetd.sock is root:daemon, mode 660 ($(stat -c '%U:%G %a' "$T_DIR/g/run/tenetd.sock"))" \
	test "$(stat -c '%U:%G %a' "$T_DIR/g/run/tenetd.sock")" = "root:daemon 660"
t_check "and it answers" ctl g status
kill -TERM "$PID_g"
wait "$PID_g"

# libxdp's dispatcher where the kernel runs it (freplace: 6.1 does, this
# project's 6.18 refuses it): another XDP program on nic0 beside
# nic_ingress, run first (default priority), both seeing every frame; tenet
# detached, the other stays.
if [ "$(ctl a -j nic list | jq -r '.nics[] | select(.ifname == "nic0") | .multiprog')" = true ]; then
	nic_rx() { bpftool -j map dump pinned "$BPFFS/a/tn_nic_stats" |
		jq '[.[] | (.formatted // .) | select(.key == 1) | .values[].value.rx_packets] | add'; }
	cnt_rx() { bpftool -j map dump id "$(bpftool -j prog show name xdp_count | jq '.map_ids[0]')" |
		jq '[.. | .frames? // empty] | first'; }
	t_check "xdp-loader adds another program (xdp_count) to nic0 beside nic_ingress" \
		nsx H xdp-loader load -m native nic0 "$BUILD/bpf/xdp_count.bpf.o"
	t_check "both in nic0's dispatcher" \
		sh -c "$(declare -f on_nic xdp_prog nsx); P=$P; on_nic nic0 nic_ingress && on_nic nic0 xdp_count"
	t_check "nic list: multiprog" \
		test "$(ctl a -j nic list | jq -r '.nics[] | select(.ifname == "nic0") | "\(.attached) \(.multiprog)"')" = "true true"
	n0=$(nic_rx) f0=$(cnt_rx)
	nsx H python3 "$(dirname "$0")/sendframe.py" nic0p ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 \
		--ipv4 10.9.0.2 10.9.0.1 --count 20
	n1=$(nic_rx) f1=$(cnt_rx)
	t_check "both saw the 20 frames (nic_ingress +$((n1 - n0)), xdp_count +$((f1 - f0)))" \
		test $((n1 - n0)) -ge 20 -a $((f1 - f0)) -ge 20
	# Another build's tenetd over this one (an upgrade, or a downgrade
	# back): its nic_ingress replaces this one's in the dispatcher, the
	# other program untouched (the same id), then back again.
	progs() { # the nic0 dispatcher's programs: "NAME ID TAG" per line
		nsx H xdp-loader status nic0 | awk '$1 == "=>" { print $3, $4, $5 }' | sort; }
	both_see() {
		local n0 f0 n1 f1
		n0=$(nic_rx) f0=$(cnt_rx)
		nsx H python3 "$(dirname "$0")/sendframe.py" nic0p ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 \
			--ipv4 10.9.0.2 10.9.0.1 --count 20
		n1=$(nic_rx) f1=$(cnt_rx)
		echo "# nic_ingress +$((n1 - n0)), xdp_count +$((f1 - f0))"
		test $((n1 - n0)) -ge 20 -a $((f1 - f0)) -ge 20
	}
	p0=$(progs)
	if [ -x "$TOP/build/variant/tenetd" ]; then
		kill -TERM "$PID_a"
		wait "$PID_a"
		TN_BIN=$TOP/build/variant start_agent a --template "$TOP/lxc-templates/lxc-tenet"
		t_check "another build's tenetd starts over it" test $? = 0
		t_check "it says: nic_ingress replaced" \
			grep -q 'nic0: nic_ingress replaced by this tenet' "$T_DIR/a/log"
		p1=$(progs)
		t_check "nic0's dispatcher: xdp_count the same program, one nic_ingress of another tag" \
			test "$(grep xdp_count <<<"$p1")" = "$(grep xdp_count <<<"$p0")" -a \
			"$(grep -c nic_ingress <<<"$p1")" = 1 -a \
			"$(grep nic_ingress <<<"$p1" | cut -d' ' -f3)" != "$(grep nic_ingress <<<"$p0" | cut -d' ' -f3)"
		t_check "both see frames after the swap" both_see
		kill -TERM "$PID_a"
		wait "$PID_a"
		start_agent a
		t_check "this tenetd back over it: nic_ingress replaced again" \
			grep -q 'nic0: nic_ingress replaced by this tenet' "$T_DIR/a/log"
		p2=$(progs)
		t_check "xdp_count still the same program, nic_ingress this build's tag again" \
			test "$(grep xdp_count <<<"$p2")" = "$(grep xdp_count <<<"$p0")" -a \
			"$(grep -c nic_ingress <<<"$p2")" = 1 -a \
			"$(grep nic_ingress <<<"$p2" | cut -d' ' -f3)" = "$(grep nic_ingress <<<"$p0" | cut -d' ' -f3)"
		t_check "both see frames" both_see
	else
		t_fail "another build's tenetd to swap in: $TOP/build/variant/tenetd is missing (make variant)"
	fi
	t_check "nic detach nic0" ctl a nic detach nic0
	t_check "the other program stays on nic0, tenet's is gone" \
		sh -c "$(declare -f on_nic xdp_prog nsx); P=$P; on_nic nic0 xdp_count && ! on_nic nic0 nic_ingress"
	t_check "xdp-loader unloads it" nsx H xdp-loader unload nic0 --all
else
	t_check "no dispatcher on this kernel: tenetd said nic_ingress is alone" \
		grep -q 'libxdp dispatcher unavailable, nic_ingress attached alone' "$T_DIR/a/log"
	t_skip "another XDP program beside nic_ingress" "this kernel refuses libxdp's dispatcher"
	t_check "nic detach nic0" ctl a nic detach nic0
fi
t_check "nic0 has no XDP program left" test "$(xdp_prog nic0)" = none
t_check "nic list: nic1 only" test "$(nics)" = '[["nic1",2,true]]'
kill -TERM "$PID_a" "$PID_b"
wait "$PID_a"
t_check "SIGTERM: clean exit" test $? = 0
t_done
