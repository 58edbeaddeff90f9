#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenet-router without any capability, its AF_XDP sockets handed over by an
# agent (tn-dp serve, doing what tenetd does: sockets made in the router's
# netns, sent with SCM_RIGHTS, put in the XSKMAP once bound, taken out when
# the router goes). Same A - R - B topology as test-router.sh.
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v setpriv >/dev/null || t_skip_all "setpriv (util-linux) is needed"

topo_a_r_b || { t_fail "create the A - R - B topology"; exit 1; }
DP="$BUILD/tn-dp --bpffs $BPFFS/tenet"
RUN=$T_DIR/run
mkdir -p "$RUN" && chmod 755 "$T_DIR" && chmod 1777 "$RUN"

t_check "tenant_rx on a0 and b0, with the router's addresses" \
	sh -c "nsenter --net=/run/netns/$P-R $DP rx attach a0 tenant 1 slot 0 addr 10.1.0.1 addr 2001:db8:1::1 &&
	       nsenter --net=/run/netns/$P-R $DP rx attach b0 tenant 1 slot 1 addr 10.2.0.1 addr 2001:db8:2::1"
nsx_bg R $DP serve "$RUN/router.sock" tenant 1 a0 b0 >"$T_DIR/serve.log" 2>&1
SERVE=$BG
t_check "agent listening" wait_for "$T_DIR/serve.log" "serving"

# nobody, no capabilities in any set, no way to gain one
nsx_bg R setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all --no-new-privs \
	"$BUILD/tenet-router" --agent "$RUN/router.sock" \
	--stats-file "$RUN/stats" >"$T_DIR/router.log" 2>&1
ROUTER=$BG
t_check "router took both sockets and forwards" \
	wait_for "$T_DIR/router.log" "forwarding on 2 interfaces"
t_check "agent: both sockets bound, in the XSKMAP" \
	sh -c "grep -q 'bound a0 q0' $T_DIR/serve.log && grep -q 'bound b0 q0' $T_DIR/serve.log"
t_check "router runs as nobody with CapEff 0" \
	sh -c "grep -q '^CapEff:\s*0000000000000000$' /proc/$ROUTER/status &&
	       grep -q '^Uid:\s*65534' /proc/$ROUTER/status"
t_check "its UMEM fits the memlock limit it has ($(ulimit -l) KiB)" \
	grep -q 'a0 queue 0: AF_XDP' "$T_DIR/router.log"
t_check "ping A -> B through the capability-less router" \
	nsx A ping -c 3 -i 0.2 -W 2 10.2.0.2
t_check "ping6 A -> B through it" \
	nsx A ping -6 -c 3 -i 0.2 -W 2 2001:db8:2::2
t_check "its stats file is readable by others, counts forwarded frames" \
	python3 - "$RUN/stats" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
magic, version, nslots, pid, started = struct.unpack_from("<IIIIQ", b, 0)
assert magic == 0x74736e74 and version == 6 and nslots == 2, (magic, version, nslots)
slot = 24
ctr = struct.unpack_from("<22Q", b, slot + 16 + 4 + 4 + 8)
name = b[slot:slot + 16].split(b"\0")[0].decode()
assert name == "a0" and ctr[2] >= 6, (name, ctr)  # forwarded
PY

kill -KILL "$ROUTER"
wait "$ROUTER" 2>/dev/null
t_check "router killed: the agent takes its sockets out of the XSKMAP" \
	wait_for "$T_DIR/serve.log" "router gone: 2 XSKMAP slots cleared"
wait "$SERVE"
t_check "agent exits cleanly" test $? = 0
t_check "no router: A -> B no longer crosses (forwarding is off in R)" \
	sh -c "! nsenter --net=/run/netns/$P-A ping -c 1 -W 1 10.2.0.2"
t_done
