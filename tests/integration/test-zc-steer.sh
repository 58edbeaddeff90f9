#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Direct mode on NICs of two queues, each direct tenant on a queue of its
# own: what reaches a queue is the NIC's steering, and what tenet does with
# a frame on another tenant's queue. In the qemu guest of make check-zc
# (tests/debian/vm with VM_NIC_QUEUES=2 and rss=on: virtio-net NICs of two
# queue pairs whose RSS indirection table qemu honours), on lib-zc.sh's
# topology; skipped without TN_ZC_NICS.
#
# virtio-net offers no ntuple filters ("ntuple-filters: off [fixed]"), the
# only steering that can single out a tenant's frames (by VLAN or MAC), and
# tenet programs none: nic list says "rss" (an indirection table over a
# hash of addresses and ports, which spreads flows, not tenants). The test
# plays the operator and points the whole table at one queue, then at the
# other: acme (direct, queue 0) and beta (direct, queue 1) each get their
# frames on their own socket when the table sends them to their queue, and
# by their veth, counted offqueue_packets, when it sends them to the other
# tenant's queue, whose socket never reads them.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/lib-zc.sh
. "$(dirname "$0")/lib-zc.sh"
zc_need
t_init
t_need jq lxc-create ss tc modprobe ethtool
zc_start

queues() { ctl -j nic list | jq -r '[.nics[] | "\(.queues) \(.steering)"] | join(", ")'; }
t_check "nic list: 2 queues each, RSS the steering they offer ($(queues))" \
	test "$(queues)" = "2 rss, 2 rss"
for n in "$NA" "$NU"; do
	t_check "$n: no ntuple filters (ethtool -k: $(nsx H ethtool -k "$n" | sed -n 's/^ntuple-filters: //p'))" \
		test "$(nsx H ethtool -k "$n" | sed -n 's/^ntuple-filters: //p')" = "off [fixed]"
done

# Both bring-ups one after the other: under emulation two at once take long.
t0=$(now)
t_check "tenant add acme ... mode direct (VLANs 100/300)" add_direct acme 1
t_check "acme's router took 4 sockets" sockets acme 4
t_check "tenant add beta ... mode direct (VLANs 200/400)" add_direct beta 2
t_check "beta's router took 4 sockets" sockets beta 4
echo "# both routers connected $(since "$t0") s after the first tenant add"
t_check "acme owns queue 0 of both NICs, beta queue 1" \
	test "$(show acme '"\(.access.queue) \(.uplink.queue)"') $(show beta '"\(.access.queue) \(.uplink.queue)"')" = "0 0 1 1"
t_check "acme's direct sockets are $NA and $NU on queue 0 ($(direct_q acme))" \
	test "$(direct_q acme)" = "$NA q0 $NU q0"
t_check "beta's on queue 1 ($(direct_q beta))" test "$(direct_q beta)" = "$NA q1 $NU q1"
check_zc acme acme 0
check_zc beta beta 1

# port NAME ROLE FIELD: a counter of NAME's port of that role.
port() { stats "$1" ".classifier.$2.$3"; }
# counts NAME: its ports' direct and offqueue packets, and its direct
# sockets' rx: "ACCESS-DIRECT UPLINK-DIRECT ACCESS-OFFQ UPLINK-OFFQ RX RX".
counts() {
	stats "$1" '"\(.classifier.access.direct_packets) \(.classifier.uplink.direct_packets) \(.classifier.access.offqueue_packets) \(.classifier.uplink.offqueue_packets) " + ([.router.ifaces[] | select(.direct) | .counters.rx] | join(" "))'
}
# moved "BEFORE" "AFTER": the six counts' differences.
moved() {
	local -a a b
	read -r -a a <<<"$1"
	read -r -a b <<<"$2"
	for i in 0 1 2 3 4 5; do printf '%s ' $((b[i] - a[i])); done
}
# ge "DIFFS" "MINS": each difference at least its minimum ("=N": exactly N).
ge() {
	local -a d m
	read -r -a d <<<"$1"
	read -r -a m <<<"$2"
	for i in 0 1 2 3 4 5; do
		if [[ ${m[i]} == =* ]]; then
			[ "${d[i]}" = "${m[i]#=}" ] || { echo "got $1, want $2"; return 1; }
		else
			[ "${d[i]}" -ge "${m[i]}" ] || { echo "got $1, want $2"; return 1; }
		fi
	done
}
# table Q: the operator's RSS indirection table on both NICs, every entry
# queue Q.
table() {
	local w="1 0"
	[ "$1" = 1 ] && w="0 1"
	# shellcheck disable=SC2086 # the weights are words
	nsx H ethtool -X "$NA" weight $w && nsx H ethtool -X "$NU" weight $w
}
# on_queue Q: every entry of both NICs' tables says Q.
on_queue() {
	local n
	for n in "$NA" "$NU"; do
		nsx H ethtool -x "$n" | awk -v q="$1" '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i != q) bad = 1; seen = 1 }
			END { exit !(seen && !bad) }' || return 1
	done
}

# step Q: the table at queue Q; 20 pings of each customer; the counters.
# A tenant whose queue is Q reads its frames from its own sockets (direct,
# both ways); the other takes them by its veth (offqueue) and its sockets
# read nothing, the owner's socket on Q nothing of them either.
step() {
	local q=$1 t o n tq x0 x1 y0 y1
	local own="20 20 =0 =0 20 20" other="=0 =0 20 20 =0 =0" none="=0 =0 =0 =0 =0 =0"
	t_check "ethtool -X $NA and $NU weight: every frame to queue $q" table "$q"
	t_check "both tables say queue $q (ethtool -x)" on_queue "$q"
	ping_reach C1 198.51.100.1
	ping_reach C2 198.51.100.1
	for t in acme beta; do
		# customer n, queue tq, the other tenant o
		n=1 tq=0 o=beta
		[ "$t" = beta ] && n=2 tq=1 o=acme
		x0=$(counts $t) y0=$(counts $o)
		t_check "queue $q: customer $n ($t): 20 of 20 pings answered" pinged $n 20
		x1=$(counts $t) y1=$(counts $o)
		echo "# queue $q, $t's pings: $t $(moved "$x0" "$x1")/ $o $(moved "$y0" "$y1")(direct a u, offqueue a u, socket rx a u)"
		if [ "$q" = "$tq" ]; then
			t_check "$t's frames on its queue $q: into its own sockets, none offqueue" \
				ge "$(moved "$x0" "$x1")" "$own"
		else
			t_check "$t's frames on $o's queue $q: by $t's veth, counted offqueue, its sockets read none" \
				ge "$(moved "$x0" "$x1")" "$other"
		fi
		t_check "$o's sockets read none of $t's frames (queue $q)" ge "$(moved "$y0" "$y1")" "$none"
	done
}
step 1
step 0
if [ "$T_FAILED" -gt 0 ]; then
	echo "# tenetd's errors and warnings:"
	grep -E ' (err|warn): ' "$T_DIR/log" | sed 's/^/#   /'
fi
t_done
