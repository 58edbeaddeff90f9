#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What is made from tenetctl's command table (lib/ctl_cmds.c) says what the
# table says: README's command summary, the man page, the bash completion
# and --help; tn-dp's grammar refuses as tenetctl's does. No root needed.
set -u
. "$(dirname "$0")/lib.sh"
[ -x "$BUILD/tn-grammar" ] || t_skip_all "tn-grammar is not built"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BUILD/tn-grammar" summary >"$TMP/summary"
readme_has_summary() { # tn-grammar readme on a copy changes nothing
	cp "$TOP/README.md" "$TMP/README.md" &&
		"$BUILD/tn-grammar" readme "$TMP/README.md" &&
		diff -u "$TOP/README.md" "$TMP/README.md"
}
t_check "README's command summary is the table's (make readme)" readme_has_summary

cmds=$(grep -o '^tenetctl [a-z][a-z]* *[a-z]*' "$TMP/summary" | sed 's/ *$//')
t_check "the summary has the 15 commands" test "$(echo "$cmds" | wc -l)" = 15

man_ok() {
	local warn
	warn=$(groff -man -ww -z "$TN_BIN/tenetctl.8" 2>&1) && [ -z "$warn" ] || {
		echo "$warn"
		return 1
	}
	local page
	page=$(MANWIDTH=200 man -l "$TN_BIN/tenetctl.8" 2>/dev/null | tr -s " ")
	while read -r c; do
		grep -q -- "$c" <<<"$page" || { echo "no $c"; return 1; }
	done <<<"$cmds"
	grep -q -- "--socket PATH" <<<"$page" && grep -q "EXIT\|Exit status" <<<"$page"
}
t_check "the man page renders without a warning and has every command" man_ok

help_ok() {
	local h
	h=$("$TN_BIN/tenetctl" --help) || return 1
	while read -r c; do
		grep -q -- "$c" <<<"$h" || { echo "no $c"; return 1; }
	done <<<"$cmds"
	# every key of tenant add, with its help
	for k in access vlan inner-vlan uplink uplink-vlan uplink-mac prefix \
		access-addr uplink-addr gateway mode cpu cpuset memory pids rate pps \
		source source-check fastpath; do
		grep -Eq "^        $k +[a-zA-Z]" <<<"$("$TN_BIN/tenetctl" tenant --help)" ||
			{ echo "no help for $k"; return 1; }
	done
}
t_check "tenetctl --help has every command, tenant --help every key" help_ok

# The completion, as bash runs it.
comp() { # WORDS...: what completes the last one
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMPREPLY=(); _tenetctl; echo "${COMPREPLY[*]}"' _ \
		"$TN_BIN/tenetctl.bash-completion" tenetctl "$@"
}
t_check "completion: objects" test "$(comp '')" = "tenant nic apply capture route status"
t_check "completion: tenant's verbs" test "$(comp tenant '')" = "add del list show stats set --help"
# tenant add's keys as its help lists them, from the same table
add_keys=$("$TN_BIN/tenetctl" tenant --help | sed -n '/^  tenetctl tenant add/,/^  tenetctl tenant del/p' |
	awk '/^        [a-z]/ {print $1}' | tr '\n' ' ' | sed 's/ $//')
t_check "completion: tenant add's keys after NAME, as its help lists them" \
	test "$(comp tenant add acme '')" = "$add_keys"
t_check "completion: a key given is not offered again, prefix is" \
	test "$(comp tenant add acme mode veth prefix 10.0.0.0/8 p)" = "prefix pids pps"
t_check "completion: enum words of mode" test "$(comp tenant add acme mode '')" = "veth direct"
t_check "completion: interfaces for access" \
	sh -c "[ \"\$(echo \$1 | tr ' ' '\n' | grep -cx lo)\" = 1 ]" _ "$(comp tenant add acme access '')"
t_check "completion: unlimited for memory" test "$(comp tenant set acme memory u)" = "unlimited"
t_check "completion: options before the object" test "$(comp --s)" = "--socket"
t_check "completion: apply's flags after FILE, a flag taking no value" \
	test "$(comp apply f.json --prune '')" = "--dry-run"
t_check "completion: apply FILE completes files" \
	sh -c "[ \"\$(echo \$1 | tr ' ' '\n' | grep -cx README.md)\" = 1 ]" _ "$(cd "$TOP" && comp apply '')"
apply_help() {
	local h
	h=$("$TN_BIN/tenetctl" apply --help) || return 1
	grep -q '^  tenetctl apply FILE \[--prune\] \[--dry-run\]$' <<<"$h" &&
		grep -Eq '^        --prune +also remove' <<<"$h" &&
		grep -Eq '^        --dry-run +print the plan' <<<"$h"
}
t_check "tenetctl apply --help: its usage and both flags" apply_help

opt_refused() { # PATTERN ARGS...: tenetctl refuses, exit 2, one line
	local pat=$1 out rc
	shift
	out=$("$TN_BIN/tenetctl" "$@" 2>&1)
	rc=$?
	[ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && grep -q -- "$pat" <<<"$out" ||
		{ echo "exit $rc: $out"; return 1; }
}
t_check "options come from the table too: an unknown one named with the others" \
	opt_refused 'option: must be -j, --json, -s, --socket, -t, --timeout, -h or --help, not "--colour"' --colour
t_check "and one without its value" opt_refused '--socket needs a PATH' --socket
t_check "--timeout 0 refused with its range" \
	opt_refused 'timeout: must be a number from 1 to 3600, not "0"' --timeout 0 status
t_check "-t 3601 too" opt_refused 'timeout: must be a number from 1 to 3600, not "3601"' -t 3601 status
t_check "apply: FILE is required" opt_refused 'missing FILE; usage: tenetctl apply FILE' apply
t_check "apply: a flag twice" opt_refused '--prune given twice' apply f.json --prune --prune
# A tenetd that never answers: a listening socket nobody accepts from.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(30)' \
	"$TMP/mute.sock" &
MUTE=$!
until_ok 50 test -S "$TMP/mute.sock"
mute_timeout() {
	local out rc t0=$SECONDS
	out=$("$TN_BIN/tenetctl" --socket "$TMP/mute.sock" --timeout 1 status 2>&1)
	rc=$?
	[ "$rc" = 1 ] && [ $((SECONDS - t0)) -lt 20 ] &&
		grep -q "no reply within 1 s (--timeout)" <<<"$out" || { echo "exit $rc: $out"; return 1; }
}
t_check "--timeout 1: a tenetd that does not answer is given up on after 1 s, said" mute_timeout
kill "$MUTE"
wait "$MUTE" 2>/dev/null

# tn-dp: the same engine, its own table.
dp_refuses() { # PATTERN ARGS...: exit 2, one line
	local pat=$1 out rc
	shift
	out=$("$BUILD/tn-dp" --bpffs "$TMP/none" "$@" 2>&1)
	rc=$?
	[ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && grep -q -- "$pat" <<<"$out" ||
		{ echo "exit $rc: $out"; return 1; }
}
t_check "tn-dp: an unknown key" dp_refuses 'egress attach: must be tenant, role, nic-id' \
	egress attach lo tenant 1 role access nic-id 1 colour red
t_check "tn-dp: a tenant id out of range" dp_refuses 'tenant: must be a number from 1 to 16383' \
	vlan add lo 100 tenant 16384
t_check "tn-dp: a missing DEV" dp_refuses 'missing DEV; usage: tn-dp port set T role access|uplink DEV' \
	port set 1 role access
t_check "tn-dp --help lists its commands" sh -c "'$BUILD/tn-dp' --help | grep -q 'tn-dp serve SOCKPATH tenant T IFNAME...'"
t_done
