#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tenet-router with one thread per queue: 2-queue veths, --queues 2, and
# traffic from both of A's CPUs (its TX queue follows the CPU) lands on
# both router threads, each forwarding with its own UMEM and FIB mirror.
set -u
. "$(dirname "$0")/lib.sh"
t_init
command -v iperf3 >/dev/null || t_skip_all "iperf3 is needed"
[ "$(nproc)" -ge 2 ] || t_skip_all "needs 2 CPUs"

TOPO_QUEUES=2 topo_a_r_b || { t_fail "create the 2-queue topology"; exit 1; }
LOG=$T_DIR/router.log
nsx_bg R "$BUILD/tenet-router" --standalone -i a0 -i b0 --queues 2 >"$LOG" 2>&1
ROUTER=$BG
t_check "router starts with 2 queues" wait_for "$LOG" "forwarding on 2 interfaces, 2 queues" 100
t_check "ping from A's CPU 0" nsx A taskset -c 0 ping -c 2 -i 0.2 -W 2 10.2.0.2
t_check "ping from A's CPU 1" nsx A taskset -c 1 ping -c 2 -i 0.2 -W 2 10.2.0.2
nsx_bg B iperf3 -s -1 -p 5201 >/dev/null 2>&1
sleep 0.5
t_check "iperf3 TCP, 4 streams" nsx A iperf3 -c 10.2.0.2 -p 5201 -t 2 -P 4
kill -USR1 "$ROUTER"
sleep 0.3
fwd() { grep "^a0 q$1 " "$LOG" | tail -1 | sed -E 's/.* forwarded ([0-9]+).*/\1/'; }
t_check "queue 0's thread forwarded ($(fwd 0))" test "$(fwd 0)" -gt 0
t_check "queue 1's thread forwarded ($(fwd 1))" test "$(fwd 1)" -gt 0
kill -TERM "$ROUTER"
wait "$ROUTER"
t_check "clean exit" test $? = 0
t_done
