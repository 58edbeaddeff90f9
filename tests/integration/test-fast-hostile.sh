#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A hostile router and its fast table (include/tenet/fast.h): in topo_isp,
# acme (VLANs 100 and 300) stops its router and runs in its place, as the
# router's user, tn-hostile fastgarbage: it takes its sockets and its fast
# table like a router, maps the table and writes garbage into it all along:
# whole buckets of random bytes, valid-looking entries for every address
# the test's traffic uses (acme's and beta's, the same 10.0.0.0/24) with any
# port number, MAC (the neighbours', broadcast, multicast, random), MTU and
# flags, and torn ones. Meanwhile acme's customer and the upstream send
# acme's frames into the garbage, and beta (VLANs 200 and 400, its real
# router, fast path on) pings and runs iperf3. Beta loses nothing and its
# fast path works on; captures on both trunks show every frame out of the
# host on its tenant's VLAN with that tenant's MAC, none of acme's on
# beta's VLANs, and none taken in by beta's customer; tenetd answers and
# logs no error; the kernel warns of nothing. Killed, the hostile router's
# table is out of tn_fast at once.
set -u
. "$(dirname "$0")/lib.sh"
t_init
t_need jq iperf3 tcpdump bpftool lxc-attach python3
[ -x "$BUILD/tn-hostile" ] || t_skip_all "build first (make)"

LXCP=$T_DIR/state/lxc
T_LXC+=("H $LXCP")
SOCK=/run/tenet/router.sock
SEND="python3 $TOP/tests/integration/sendframe.py"
SECS=${FH_SECS:-15} # seconds of traffic under the garbage
NPING=$((SECS * 10))

topo_isp || { t_fail "topology"; exit 1; }
agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
show() { ctl -j tenant show "$1" | jq -r "$2"; }
mac() { nsx "$1" ip -j link show "$2" | jq -r '.[0].address'; }
cmac() { nsenter --net="/proc/$(show "$1" .container.pid)/ns/net" ip -j link show "$2" | jq -r '.[0].address'; }
# ms one command takes
took() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || return 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

t_check "nic attach nic0 role access" ctl nic attach nic0 role access
t_check "nic attach nic1 role uplink default drop" ctl nic attach nic1 role uplink default drop
t_check "tenant add acme: VLAN 100, uplink VLAN 300" \
	ctl tenant add acme access nic0 vlan 100 uplink nic1 uplink-vlan 300 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.2/30 gateway 192.0.2.1
t_check "tenant add beta: VLAN 200, uplink VLAN 400, the same 10.0.0.0/24" \
	ctl tenant add beta access nic0 vlan 200 uplink nic1 uplink-vlan 400 \
	access-addr 10.0.0.1/24 uplink-addr 192.0.2.6/30 gateway 192.0.2.5
for t in acme beta; do
	t_check "$t's router took its sockets" \
		until_is 300 "true 2" eval "ctl -j tenant show $t | jq -r '\"\\(.router.connected) \\(.router.sockets)\"'"
done
t_check "customer 1 reaches the upstream through acme" isp_reach 1
t_check "customer 2 reaches the upstream through beta" isp_reach 2
t_check "both have a fast table" test "$(show acme .fast.table) $(show beta .fast.table)" = "true true"

AID=$(show acme .id)
AA=$(cmac acme access0) AU=$(cmac acme uplink0)
BA=$(cmac beta access0) BU=$(cmac beta uplink0)
C1M=$(mac C1 c1) C2M=$(mac C2 c2) U1M=$(mac U u1) U2M=$(mac U u2)
N0M=$(mac H nic0) N1M=$(mac H nic1)
echo "# acme $AA $AU, beta $BA $BU, C1 $C1M, C2 $C2M, U $U1M $U2M, nic0 $N0M, nic1 $N1M"

# ---- acme's router replaced by a hostile one ----
cp "$BUILD/tn-hostile" "$LXCP/acme/rootfs/usr/sbin/tn-hostile"
rm -f "$LXCP/acme/rootfs/etc/tenet/router.args"
kill -HUP "$(show acme .container.pid)"
t_check "acme's router stopped (router.args gone, init told)" \
	until_is 50 false show acme .router.connected
t_check "its fast table is out of tn_fast with it" until_is 20 false show acme .fast.table
# The hostile router answers no ARP: its neighbours learn it once. C1
# gets IPv6 too, from an address acme does not have (so not its to send
# upstream: the source check).
nsx C1 ip neigh replace 10.0.0.1 lladdr "$AA" dev c1 nud permanent
nsx U ip neigh replace 192.0.2.2 lladdr "$AU" dev u1 nud permanent
nsx C1 ip -6 addr add 2001:db8:a::2/64 dev c1 nodad
nsx C1 ip -6 neigh replace fe80::1 lladdr "$AA" dev c1 nud permanent
nsx C1 ip -6 route add 2001:db8:b::/64 via fe80::1 dev c1

# Captures: what leaves the host on each trunk, what reaches C2's port.
cap() { # NETNS DEV NAME
	nsx_bg "$1" tcpdump -i "$2" -Q in -nn -s 96 -U -Z root -w "$T_DIR/$3.pcap" \
		2>"$T_DIR/$3.err"
	CAPS+=("$BG")
	wait_for "$T_DIR/$3.err" "listening on" 50
}
CAPS=()
cap SW nic0p nic0p && cap SW nic1p nic1p && cap C2 c2 c2
t_check "captures on nic0p, nic1p (in SW) and c2 (in C2) listening" test $? = 0
DM0=$(dmesg | tail -n 1)

DSTS=10.0.0.2,10.0.0.1,10.0.0.3,198.51.100.1,192.0.2.1,192.0.2.2,192.0.2.5,192.0.2.6
DSTS+=,2001:db8:b::1
MACS=$AA,$AU,$BA,$BU,$C1M,$C2M,$U1M,$U2M,$N0M,$N1M
MACS+=,ff:ff:ff:ff:ff:ff,01:00:5e:00:00:01,33:33:00:00:00:01,00:00:00:00:00:00
nsx_bg H lxc-attach -P "$LXCP" -n acme -u 1000 -g 1000 -- \
	/usr/sbin/tn-hostile fastgarbage $SOCK $((SECS + 60)) "$DSTS" "$MACS" \
	>"$T_DIR/fg.out" 2>&1
HOSTILE=$BG
# What it says of itself, its last line (each second)
hostile() { tail -n 1 "$T_DIR/fg.out" 2>/dev/null | jq -r "$1" 2>/dev/null; }
t_check "the hostile router took its sockets: tenetd counts it up" \
	until_is 300 "true 2" eval "ctl -j tenant show acme | jq -r '\"\\(.router.connected) \\(.router.sockets)\"'"
until_is 30 true hostile '.rounds > 0' >/dev/null
t_check "it got a table of $(hostile .slots) slots, mapped it read-write ($(hostile .mmap)) and writes into it" \
	until_is 30 "2112 done true" hostile '"\(.slots) \(.mmap) \(.rounds > 0)"'
t_check "mapping past the table's end refused ($(hostile .mmap_past_end))" test "$(hostile .mmap_past_end)" = EINVAL

# ---- traffic under the garbage ----
cat >"$T_DIR/udp.py" <<'PY'
import random, socket, sys, time
dst, port, secs, pps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ai = socket.getaddrinfo(dst, port, type=socket.SOCK_DGRAM)[0]
s = socket.socket(ai[0], socket.SOCK_DGRAM)
end, n = time.time() + secs, 0
while time.time() < end:
    try:
        s.sendto(b"acme" * random.randint(1, 370), ai[4])
        n += 1
    except OSError:
        pass
    time.sleep(1.0 / pps)
print(n)
PY
fastp() { show "$1" .fast.fast_packets; }
AF0=$(fastp acme)
BF0=$(fastp beta)
nsx_bg U iperf3 -s -p 5202 -B 198.51.100.1%u2 >/dev/null 2>&1
sleep 0.5
# acme's: its customer to the upstream (ping, UDP 7777), the upstream to
# its customer (UDP 7778), through the garbage both ways.
nsx C1 ping -c $NPING -i 0.1 -W 1 -q 198.51.100.1 >"$T_DIR/ping1" 2>&1 &
ja=$!
nsx C1 python3 "$T_DIR/udp.py" 198.51.100.1 7777 "$SECS" 400 >"$T_DIR/udp1" 2>&1 &
jb=$!
nsx U python3 "$T_DIR/udp.py" 10.0.0.2 7778 "$SECS" 400 >"$T_DIR/udpu" 2>&1 &
jc=$!
# ... and from sources not acme's: IPv6, and IPv4 from 203.0.113.7
nsx C1 python3 "$T_DIR/udp.py" 2001:db8:b::1 7777 "$SECS" 100 >"$T_DIR/udp6" 2>&1 &
jf=$!
(for i in $(seq $((SECS * 4))); do
	nsx C1 $SEND c1 "$AA" "$C1M" --ipv4 203.0.113.7 198.51.100.1 --count 25
	sleep 0.25
done) &
jg=$!
# beta's: ping and TCP.
nsx C2 ping -c $NPING -i 0.1 -W 1 198.51.100.1 >"$T_DIR/ping2" 2>&1 &
jd=$!
nsx C2 iperf3 -c 198.51.100.1 -p 5202 -b 100M -t $((SECS - 2)) -J >"$T_DIR/tcp2" 2>&1 &
je=$!
sleep $((SECS / 2))
# tenetd meanwhile: tenant show reads the garbage too (entries).
worst=0
for i in 1 2 3 4 5; do
	ms=$(took ctl tenant show acme) || { worst=fail; break; }
	[ "$ms" -gt "$worst" ] && worst=$ms
	sleep 0.2
done
t_check "tenetd answers meanwhile: tenant show acme, slowest of 5 in $worst ms (< 1000)" \
	test "$worst" != fail -a "$worst" -lt 1000
echo "# acme meanwhile: $(ctl -j tenant show acme | jq -c '.fast | {table, entries, fast_packets, hit_ratio}')"
wait $je
rtcp=$?
wait $ja $jb $jc $jf $jg
wait $jd
AF1=$(fastp acme)
BF1=$(fastp beta)
echo "# hostile: $(tail -n 1 "$T_DIR/fg.out")"
echo "# acme's customer: $(grep 'packets transmitted' "$T_DIR/ping1"); UDP: $(cat "$T_DIR/udp1") from C1, $(cat "$T_DIR/udpu") from U, $(cat "$T_DIR/udp6") IPv6 from C1; $((SECS * 100)) IPv4 from 203.0.113.7"

got=$(grep -c 'bytes from' "$T_DIR/ping2")
t_check "beta's customer: $got of $NPING pings answered (at most 1 lost)" test "$got" -ge $((NPING - 1))
mb=$(jq '.end.sum_received.bits_per_second / 1e6 | floor' "$T_DIR/tcp2" 2>/dev/null)
t_check "beta's iperf3 TCP: ${mb:-none} Mbit/s of 100 offered (> 20)" \
	test "$rtcp" = 0 -a "${mb:-0}" -gt 20
t_check "beta's fast path forwarded on: fast_packets $BF0 -> $BF1" test "$BF1" -gt $((BF0 + 100))
t_check "acme's garbage entries were used: $((AF1 - AF0)) of its frames forwarded by them" \
	test "$AF1" -gt "$AF0"

for p in "${CAPS[@]}"; do kill -INT "$p"; done
for p in "${CAPS[@]}"; do wait "$p"; done
# One line a frame: VLAN (- untagged) SOURCE DESTINATION TAGS ACME-UDP
# (0/1: to port 7777 or 7778, or sendframe's) FOREIGN-SOURCE (0/1:
# acme's from a source not its own) IPV6 (0/1)
frames() {
	tcpdump -r "$T_DIR/$1.pcap" -e -nn -t 2>/dev/null | awk '{
		src = $1; dst = $3; sub(/,$/, "", dst)
		n = split($0, a, /vlan [0-9]+,/) - 1
		v = "-"
		if (match($0, /vlan [0-9]+,/)) v = substr($0, RSTART + 5, RLENGTH - 6)
		print v, src, dst, n, ($0 ~ /\.(777[78]|5000): /) ? 1 : 0,
			($0 ~ /(203\.0\.113\.7|2001:db8:a::2)\.[0-9]+ > /) ? 1 : 0,
			($0 ~ /ethertype IPv6/) ? 1 : 0
	}'
}
frames nic0p >"$T_DIR/nic0p.txt"
frames nic1p >"$T_DIR/nic1p.txt"
frames c2 >"$T_DIR/c2.txt"
summary() { # FILE: frames by VLAN and source
	awk '{print $1, $2}' "$1" | sort | uniq -c | sort -rn | head -n 8 | awk '{printf "%s on %s from %s; ", $1, $2, $3}'
}
echo "# out of the host on nic0: $(wc -l <"$T_DIR/nic0p.txt") frames: $(summary "$T_DIR/nic0p.txt")"
echo "# out of the host on nic1: $(wc -l <"$T_DIR/nic1p.txt") frames: $(summary "$T_DIR/nic1p.txt")"
# Frames out of a trunk not as its tenant's: VLAN own -> MAC, untagged
# from the NIC itself, one tag.
stray() { # FILE VLAN-A MAC-A VLAN-B MAC-B NIC-MAC
	awk -v va="$2" -v ma="$3" -v vb="$4" -v mb="$5" -v nm="$6" '
		!(($1 == va && $2 == ma) || ($1 == vb && $2 == mb) || ($1 == "-" && $2 == nm)) || $4 > 1 {
			n++; if (n <= 5) print "#   stray: " $0 > "/dev/stderr" }
		END { print n + 0 }' "$1"
}
s0=$(stray "$T_DIR/nic0p.txt" 100 "$AA" 200 "$BA" "$N0M")
s1=$(stray "$T_DIR/nic1p.txt" 300 "$AU" 400 "$BU" "$N1M")
n0=$(awk -v m="$AA" -v m2="$AU" '($2 == m || $2 == m2) && $1 != 100' "$T_DIR/nic0p.txt" | wc -l)
n1=$(awk -v m="$AA" -v m2="$AU" '($2 == m || $2 == m2) && $1 != 300' "$T_DIR/nic1p.txt" | wc -l)
na=$(awk '$1 == 100 || $1 == 300' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
t_check "of $na frames of acme's out of the host, $n0 + $n1 on another VLAN than its own (100 access, 300 uplink)" \
	test "$na" -gt 0 -a "$n0" = 0 -a "$n1" = 0
nb=$(awk '($1 == 200 || $1 == 400)' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
bx=$(awk -v a="$BA" -v u="$BU" '($1 == 200 && $2 != a) || ($1 == 400 && $2 != u)' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
bm=$(awk '($1 == 200 || $1 == 400) && $5 == 1' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
t_check "of $nb frames on beta's VLANs, $bx not from beta's router's MACs, $bm of acme's UDP" \
	test "$nb" -gt 0 -a "$bx" = 0 -a "$bm" = 0
ag=$(awk '($1 == 100 || $1 == 300) && $5 == 1 && $3 ~ /^.[13579bdf]:/' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
au=$(awk '($1 == 100 || $1 == 300) && $5 == 1' "$T_DIR/nic0p.txt" "$T_DIR/nic1p.txt" | wc -l)
t_check "of $au frames of acme's UDP forwarded, $ag to a broadcast or multicast MAC (its entries named them)" \
	test "$au" -gt 0 -a "$ag" = 0
f0=$(awk '$1 == 100 && $6 == 1' "$T_DIR/nic0p.txt" | wc -l)
f6=$(awk '$1 == 100 && $6 == 1 && $7 == 1' "$T_DIR/nic0p.txt" | wc -l)
f1=$(awk '$6 == 1' "$T_DIR/nic1p.txt" | wc -l)
t_check "acme's frames from sources not its own: $f0 sent back its access VLAN by its entries ($f6 IPv6), $f1 out the uplink (source check)" \
	test "$f0" -gt 0 -a "$f6" -gt 0 -a "$f1" = 0
t_check "every frame out of the host is on its tenant's VLAN with its MAC, one tag (nic0: $s0, nic1: $s1 not)" \
	test "$s0" = 0 -a "$s1" = 0
c2n=$(wc -l <"$T_DIR/c2.txt")
c2x=$(awk -v a="$BA" '$1 == 200 && $2 != a' "$T_DIR/c2.txt" | wc -l)
c2m=$(awk '$1 == 200 && $5 == 1' "$T_DIR/c2.txt" | wc -l)
c2f=$(awk '$1 != 200' "$T_DIR/c2.txt" | wc -l)
c2a=$(awk '$1 == 100' "$T_DIR/c2.txt" | wc -l)
c2d=$(awk -v m="$C2M" '$1 == 100 && $3 == m' "$T_DIR/c2.txt" | wc -l)
echo "# at c2: $c2n frames, $c2f not on VLAN 200: $c2a on acme's 100 (the test's switch knows no VLANs; $c2d of them to C2's MAC, as acme's entries said; C2's port drops them)"
t_check "C2's port (VLAN 200) took in no frame of acme's: of $((c2n - c2f)), $c2x not from beta's router, $c2m of acme's UDP" \
	test "$((c2n - c2f))" -gt 0 -a "$c2x" = 0 -a "$c2m" = 0

t_check "tenetd logged no error about the fast table" \
	sh -c "! grep -iE 'fast' '$T_DIR/log' | grep -iE 'err|fail|not taken|cannot'"
DM=$(dmesg | awk -v m="$DM0" 'f; $0 == m {f = 1}' | grep -E 'BUG|WARNING|bpf')
t_check "no kernel BUG, WARNING or bpf line in dmesg since the hostile router started" \
	test -z "$DM"
[ -n "$DM" ] && printf '%s\n' "$DM" | head -n 5 | sed 's/^/#   /'

# ---- the hostile router killed ----
gone() { ! bpftool map lookup pinned "$BPFFS/t/tn_fast" key $((AID & 255)) $((AID >> 8 & 255)) 0 0 >/dev/null 2>&1; }
t_check "while it runs, tn_fast[$AID] holds its table (bpftool map lookup)" eval '! gone'
HP=$(show acme .router.pid)
t0=$(date +%s%N)
kill -9 "$HP"
until_ok 20 gone
r=$?
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "killed (pid $HP): its table out of tn_fast[$AID] in $ms ms (bpftool map lookup)" test $r = 0
t_check "tenant show acme: .fast.table false, router not connected" \
	test "$(show acme '"\(.fast.table) \(.router.connected)"')" = "false false"
AF2=$(fastp acme)
nsx C1 python3 "$T_DIR/udp.py" 198.51.100.1 7777 1 200 >/dev/null
t_check "acme's frames are no longer forwarded by it (fast_packets $AF2 -> $(fastp acme))" \
	test "$(fastp acme)" = "$AF2"
kill "$HOSTILE" 2>/dev/null
t_check "customer 2 still reaches the upstream through beta" isp_reach 2
t_check "tenant del acme" ctl tenant del acme
t_done
