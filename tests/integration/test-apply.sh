#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenetctl apply against a real tenetd and real containers: a file of three
# tenants added (a line each as they go), tenant list -j fed back changing
# nothing, limits changed live with one tenant set (the router and the
# container left running), a tenant the file lacks kept and then removed
# with --prune, --dry-run changing nothing, faulty files refused whole
# with exit 2 before tenetd is asked anything, and a change tenant set
# cannot make, or tenetd refusing a tenant, failing that tenant alone. The
# "host" is netns H, its NICs veths; every container is destroyed in the
# EXIT trap.
set -u
. "$(dirname "$0")/lib.sh"
t_init
# Links and netns of this test are "ap..." (lib.sh makes P unique per run).
P="ap$(printf '%x' $$ | tail -c 5)"
command -v jq >/dev/null || t_skip_all "jq is needed"
command -v lxc-create >/dev/null || t_skip_all "LXC is needed (make deps)"
[ -x "$TN_BIN/tenetd" ] && [ -x "$TN_BIN/tenetctl" ] ||
	t_skip_all "build first (make)"

T_LXC+=("H $T_DIR/state/lxc")
ns_add H || { t_fail "create netns"; exit 1; }
host_nics H 2 || { t_fail "veth NICs"; exit 1; }
agent_start "$T_DIR/log"
t_check "tenetd starts" test $? = 0
t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink" ctl nic attach nic1 role uplink

# apply ARGS...: tenetctl apply's stdout in OUT, stderr in ERR, status in RC.
apply() {
	OUT=$(ctl "$@" 2>"$T_DIR/err")
	RC=$?
	ERR=$(cat "$T_DIR/err")
}
# is WHAT GOT WANT: GOT is WANT, or both are shown.
is() {
	[ "$2" = "$3" ] && return 0
	printf '%s:\n got: %s\nwant: %s\n' "$1" "$2" "$3"
	return 1
}
# has TEXT LINE...: every LINE is a whole line of TEXT.
has() {
	local text=$1 l
	shift
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$text" || { printf 'no line "%s" in:\n%s\n' "$l" "$text"; return 1; }
	done
}
list() { ctl -j tenant list; }
# What apply must leave alone: each tenant's identity, limits, processes.
snap() {
	list | jq -c '[.tenants[] | {name, id, created, mode, access, uplink,
		limits, source_check, sources, fastpath, pid: .container.pid,
		router: .router.pid}]'
}
F=$T_DIR

# ---- three tenants from a file written by hand: keys in any order,
# defaults left out ----
cat >"$F/three.json" <<'EOF'
{"tenants": [
 {"name": "acme",
  "access": {"ifname": "nic0", "vlan": 100, "addrs": ["10.0.0.1/24"]},
  "uplink": {"ifname": "nic1", "addrs": ["192.0.2.2/30"],
             "prefixes": ["198.51.100.0/24"]},
  "limits": {"cpu_millicores": 500, "rate_bps": 100000000}},
 {"limits": {"burst": {"given": "50ms"}, "pps": 1000}, "name": "beta",
  "uplink": {"vlan": 300, "addrs": ["192.0.2.6/30"], "ifname": "nic1"},
  "access": {"inner_vlan": 7, "addrs": ["10.0.0.1/24"], "vlan": 200,
             "ifname": "nic0"}},
 {"name": "gamma",
  "access": {"ifname": "nic0", "vlan": 300, "addrs": ["10.0.0.1/24"]},
  "uplink": {"ifname": "nic1", "addrs": ["192.0.2.10/30"]},
  "fastpath": "off"}
]}
EOF
apply apply "$F/three.json"
t_check "apply three.json: exit 0, 3 added" \
	has "$OUT" "apply: 3 added, 0 changed, 0 removed, 0 unchanged, 0 failed"
t_check "apply three.json: its exit status is 0" is status "$RC" 0
t_check "not on a terminal: a line a tenant as it ends, in the file's order" \
	is lines "$(grep -o '^apply: [0-9]/3 add [a-z]*: ok ([0-9.]* s)$' <<<"$OUT" |
		sed 's/ ([0-9.]* s)$//' | tr '\n' ' ')" \
	"apply: 1/3 add acme: ok apply: 2/3 add beta: ok apply: 3/3 add gamma: ok "
t_check "tenant list -j: the three as the file says, the rest defaults" \
	is list "$(list | jq -c '[.tenants[] | [.name, .access.vlan, .access.inner_vlan,
		.uplink.vlan, .uplink.prefixes, .limits.cpu_millicores, .limits.memory_bytes,
		.limits.rate_bps, .limits.pps, .limits.burst.given, .fastpath,
		.container.state]]')" \
	'[["acme",100,0,0,["198.51.100.0/24"],500,268435456,100000000,0,"default","on","RUNNING"],["beta",200,7,300,[],1000,268435456,0,1000,"50ms","on","RUNNING"],["gamma",300,0,0,[],1000,268435456,0,0,"default","off","RUNNING"]]'

# ---- tenant list -j fed back: nothing to do ----
list >"$F/list.json"
before=$(snap)
apply apply "$F/list.json"
t_check "list -j > f; apply f: says there is nothing to do, exit 0" \
	has "$OUT" "apply: nothing to do, the tenants are as $F/list.json says" \
	"apply: 0 added, 0 changed, 0 removed, 3 unchanged, 0 failed"
t_check "list -j > f; apply f: exit status 0" is status "$RC" 0
t_check "list -j > f; apply f: no request but tenant list (no other line)" \
	is lines "$(wc -l <<<"$OUT")" 2
apply apply "$F/three.json"
t_check "the hand-written file again: nothing to do (its defaults are the host's)" \
	has "$OUT" "apply: 0 added, 0 changed, 0 removed, 3 unchanged, 0 failed"
t_check "nothing changed on the host" is snapshot "$(snap)" "$before"

# ---- limits changed live: one tenant set, the router untouched ----
pids() { list | jq -c '[.tenants[] | select(.name == "acme") | .container.pid, .router.pid]'; }
pids_before=$(pids)
jq '(.tenants[] | select(.name == "acme") | .limits) |= (.rate_bps = 200000000 |
	.cpu_millicores = 250)' "$F/list.json" >"$F/faster.json"
apply apply "$F/faster.json"
t_check "rate and cpu changed: one tenant set of both, said" \
	has "$OUT" "apply: 0 added, 1 changed, 0 removed, 2 unchanged, 0 failed"
t_check "the set's line names what changed" \
	grep -qx 'apply: 1/1 set acme (cpu 0.5 -> 0.25, rate 100M -> 200M): ok ([0-9.]* s)' <<<"$OUT"
t_check "tenant show acme: rate 200M, cpu 0.25" \
	is show "$(ctl -j tenant show acme | jq -c '[.limits.rate_bps, .limits.cpu_millicores]')" \
	'[200000000,250]'
t_check "its cgroup: cpu 0.25 (25 ms per 100 ms)" \
	is cgroup "$(cglimits "$(ctl -j tenant show acme | jq .container.pid)" | cut -d' ' -f2)" 25000
t_check "its container and router kept running: the same pids" is pids "$(pids)" "$pids_before"

# ---- a tenant the file lacks: kept, --dry-run, --prune ----
list >"$F/list.json"
jq 'del(.tenants[] | select(.name == "gamma"))' "$F/list.json" >"$F/two.json"
before=$(snap)
jq '(.tenants[] | select(.name == "beta") | .limits.pps) = 2000' "$F/two.json" >"$F/two-pps.json"
apply apply --dry-run "$F/two-pps.json" --prune
t_check "--dry-run --prune: the plan, a line each, then the counts" \
	is plan "$OUT" "del gamma
set beta: pps 1000 -> 2000
apply --dry-run: 0 to add, 1 to change, 1 to remove, 1 unchanged, 0 failing; nothing changed"
t_check "--dry-run: exit 0" is status "$RC" 0
t_check "--dry-run: nothing changed" is snapshot "$(snap)" "$before"
apply apply "$F/two.json"
t_check "without --prune: gamma kept, and said" \
	has "$OUT" "apply: kept gamma (not in $F/two.json; --prune removes)" \
	"apply: 0 added, 0 changed, 0 removed, 2 unchanged, 1 kept, 0 failed"
t_check "without --prune: gamma still there, nothing changed" is snapshot "$(snap)" "$before"
t_check "without --prune: gamma's container is there" test -d "$T_DIR/state/lxc/gamma"
apply apply --prune "$F/two.json"
t_check "--prune: gamma removed" \
	has "$OUT" "apply: 0 added, 0 changed, 1 removed, 2 unchanged, 0 failed"
t_check "--prune: its line" grep -qx 'apply: 1/1 del gamma: ok ([0-9.]* s)' <<<"$OUT"
t_check "--prune: acme and beta left" is names "$(list | jq -c '[.tenants[].name]')" '["acme","beta"]'
t_check "--prune: gamma's container is gone" test ! -e "$T_DIR/state/lxc/gamma"

# ---- faulty files: refused whole, exit 2, before tenetd is asked ----
list >"$F/list.json"
before=$(snap)
refused() { # NAME FILE PATTERN: exit 2, PATTERN on stderr, nothing on stdout
	apply apply "$2"
	[ "$RC" = 2 ] && [ -z "$OUT" ] && grep -qF -- "$3" <<<"$ERR" &&
		grep -qxF "tenetctl: $2 refused: nothing was changed" <<<"$ERR" ||
		{ printf 'exit %s\nstdout: %s\nstderr: %s\n' "$RC" "$OUT" "$ERR"; return 1; }
	# the same with no tenetd at all: refused before it is asked
	nsx H "$TN_BIN/tenetctl" --socket "$T_DIR/none.sock" apply "$2" >/dev/null 2>&1
	is "status with no tenetd" $? 2
}
sed 's/"mode": "veth",/"mode": "veth",,/' "$F/list.json" >"$F/malformed.json"
line=$(grep -n '"mode": "veth",,' "$F/malformed.json" | head -1 | cut -d: -f1)
t_check "malformed JSON: refused, where said" \
	refused malformed "$F/malformed.json" "$F/malformed.json:$line:"
jq '.tenants[0].access.colour = "red"' "$F/list.json" >"$F/unknown.json"
t_check "an unknown key: refused, naming the tenant and the key" \
	refused unknown "$F/unknown.json" "tenetctl: $F/unknown.json: acme: unknown key \"access.colour\""
jq '(.tenants[] | select(.name == "beta") | .access) |= (.vlan = 100 | .inner_vlan = 0)' \
	"$F/list.json" >"$F/vlan.json"
t_check "two tenants on one VLAN: refused, naming the tenant and the field" \
	refused vlan "$F/vlan.json" "tenetctl: $F/vlan.json: beta: access.vlan: nic0 vlan 100 is also acme's"
jq '(.tenants[] | select(.name == "beta") | .limits.pps) = "lots"' "$F/list.json" >"$F/type.json"
t_check "a value of the wrong type: refused" \
	refused type "$F/type.json" "beta: limits.pps: must be a whole number, 0 or more, not \"lots\""
t_check "refused files changed nothing" is snapshot "$(snap)" "$before"

# ---- what tenant set cannot change fails that tenant alone ----
jq '(.tenants[] | select(.name == "acme") | .access.vlan) = 150 |
	(.tenants[] | select(.name == "beta") | .limits.pps) = 3000' "$F/list.json" >"$F/vlan150.json"
apply apply "$F/vlan150.json"
t_check "a VLAN changed: that tenant's failure, naming the field; exit 1" \
	has "$OUT" "apply: set acme: failed: access.vlan: 100 -> 150 cannot change live; tenant del and add it" \
	"apply: 0 added, 1 changed, 0 removed, 0 unchanged, 1 failed"
t_check "... exit status 1" is status "$RC" 1
t_check "... the other tenant changed, acme's VLAN not" \
	is values "$(list | jq -c '[.tenants[] | [.name, .access.vlan, .limits.pps]]')" \
	'[["acme",100,0],["beta",200,3000]]'

# ---- tenetd refusing one tenant: the next one is added all the same ----
jq '.tenants = [{"name": "delta", "access": {"ifname": "nic0", "vlan": 400,
	"addrs": ["10.0.0.1/24"]}, "uplink": {"ifname": "nic9", "addrs": ["192.0.2.14/30"]}},
	{"name": "gamma", "access": {"ifname": "nic0", "vlan": 300, "addrs": ["10.0.0.1/24"]},
	"uplink": {"ifname": "nic1", "addrs": ["192.0.2.10/30"]}}] + .tenants' \
	"$F/list.json" >"$F/four.json"
apply apply "$F/four.json"
t_check "tenetd refuses delta (its uplink is no NIC of ours): said, exit 1" \
	grep -q '^apply: 2/3 add delta: failed: uplink: nic9 is not attached' <<<"$OUT"
t_check "... gamma added after it" grep -qx 'apply: 3/3 add gamma: ok ([0-9.]* s)' <<<"$OUT"
t_check "... the counts" \
	has "$OUT" "apply: 1 added, 1 changed, 0 removed, 1 unchanged, 1 failed"
t_check "... exit status 1" is status "$RC" 1
t_check "... gamma running, no delta" \
	is tenants "$(list | jq -c '[.tenants[] | [.name, .container.state]]')" \
	'[["acme","RUNNING"],["beta","RUNNING"],["gamma","RUNNING"]]'

# ---- on a terminal: one line, rewritten ----
if command -v script >/dev/null; then
	list | jq '(.tenants[] | select(.name == "beta") | .limits.pps) = 4000' >"$F/tty.json"
	tty_out=$(nsx H script -qec "'$TN_BIN/tenetctl' --socket '$T_DIR/run/tenetd.sock' apply '$F/tty.json'" /dev/null)
	t_check "on a terminal: [1/1] set beta ..., rewritten in place by the counts" \
		is tty "$(printf '%s' "$tty_out" | tr -d '\r' | cat -v)" \
		"^[[K[1/1] set beta ...^[[Kapply: 0 added, 1 changed, 0 removed, 2 unchanged, 0 failed"
else
	t_skip "on a terminal" "no script(1)"
fi

# ---- -j: one object, each tenant's result ----
jq '(.tenants[] | select(.name == "beta") | .limits.pps) = 5000' "$F/tty.json" >"$F/json.json"
apply -j apply "$F/json.json"
t_check "-j: the counts and each tenant's action and result" \
	is json "$(jq -c '[.added, .changed, .removed, .unchanged, .failed,
		[.tenants[] | [.name, .action, .result, (.changes // [] | map(.key + " " + .from + " " + .to))]]]' <<<"$OUT")" \
	'[0,1,0,2,0,[["beta","set","ok",["pps 4000 5000"]],["acme","none","unchanged",[]],["gamma","none","unchanged",[]]]]'
t_done
