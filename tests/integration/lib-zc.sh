# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the zero-copy suites (test-zc.sh, test-zc-steer.sh) share: the NICs
# TN_ZC_NICS names ("NIC:PEER NIC:PEER", the access pair first: virtio-net
# in the qemu guest of make check-zc, wired back to back), their topology,
# and what is asked of tenetctl about direct sockets.
#
# The tenet NICs go into netns H; their wired peers into a switch netns, and
# the customers and the upstream sit behind real 802.1Q devices on the
# peers, moved into their own netns (the peer stays in the switch):
#
#   C1 c1 10.0.0.2/24 (VLAN 100 on PEER1) -.       .- u1 192.0.2.1/30 (VLAN 300 on PEER2) U
#   C2 c2 10.0.0.2/24 (VLAN 200 on PEER1) -+  SW   +- u2 192.0.2.5/30 (VLAN 400 on PEER2) U
#                                 PEER1 ---'       '--- PEER2                 lo 198.51.100.1
#                                   | wire               | wire
#   H                      NIC1 (access)           NIC2 (uplink)
#
# The addressing is topo_isp's (lib.sh), U's fwmark tables included, so
# that two tenants with one private space fit.

read -r PA PU REST <<<"${TN_ZC_NICS:-}"
NA=${PA%%:*} PEA=${PA#*:} NU=${PU%%:*} PEU=${PU#*:}

# tenant add and a router's start take seconds under emulation (qemu TCG):
# waits are long, and each says how long it took.
WAIT=600 # tenths

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# The guest's NIC driver and 802.1Q are modules of its kernel (built in
# elsewhere: modprobe says yes to those too). The NICs appear as the driver
# probes them.
nics_here() { for n in "$NA" "$PEA" "$NU" "$PEU"; do ip link show "$n" || return 1; done; }
setup_modules() {
	modprobe 8021q || return 1
	nics_here >/dev/null 2>&1 && return 0
	modprobe virtio_net && until_ok 100 nics_here
}

# zc_topo: the picture above. Everything is named with the run's prefix
# and goes with its netns in lib.sh's cleanup; the NICs go back to the
# guest's netns when H and SW are deleted.
zc_topo() {
	local n v
	ns_add H && ns_add SW && ns_add C1 && ns_add C2 && ns_add U || return 1
	ip link set "$NA" netns "$P-H" && ip link set "$NU" netns "$P-H" &&
		ip link set "$PEA" netns "$P-SW" && ip link set "$PEU" netns "$P-SW" || return 1
	# A NIC filters by destination MAC and, with rx-vlan-filter (virtio-net
	# in qemu filters VLANs it was not told of), by VID before any XDP
	# program sees the frame: the tenet NICs take frames to the tenants'
	# router MACs on VLANs no device of this kernel registered, so they
	# listen to everything.
	nsx H ip link set "$NA" promisc on up && nsx H ip link set "$NU" promisc on up &&
		nsx SW ip link set "$PEA" up && nsx SW ip link set "$PEU" up || return 1
	for n in 1 2; do
		v=$((n * 100))
		# Made in SW on the peer, then moved: the peer stays behind.
		nsx SW ip link add link "$PEA" name c$n type vlan id $v &&
			nsx SW ip link set c$n netns "$P-C$n" || return 1
		nsx C$n ip link set lo up
		nsx C$n ip addr add 10.0.0.2/24 dev c$n &&
			nsx C$n ip link set c$n up &&
			nsx C$n ip route add default via 10.0.0.1 || return 1
		v=$((200 + n * 100))
		nsx SW ip link add link "$PEU" name u$n type vlan id $v &&
			nsx SW ip link set u$n netns "$P-U" || return 1
	done
	nsx U ip link set lo up
	nsx U ip addr add 198.51.100.1/32 dev lo
	nsx U sysctl -qw net.ipv4.fwmark_reflect=1 net.ipv4.tcp_fwmark_accept=1
	nsx U ip addr add 192.0.2.1/30 dev u1 && nsx U ip addr add 192.0.2.5/30 dev u2 || return 1
	for n in 1 2; do
		v=$((200 + n * 100))
		# topo_isp's marks, from tc here (a real VLAN device has no
		# tn-dp cust-vlan): what comes in on VLAN v is marked v, ICMP
		# replies and accepted TCP take it, and it picks table v.
		nsx U ip link set u$n up &&
			nsx U tc qdisc add dev u$n clsact &&
			nsx U tc filter add dev u$n ingress matchall action skbedit mark $v &&
			nsx U ip rule add fwmark $v table $v || return 1
	done
	nsx U ip route add 10.0.0.0/24 via 192.0.2.2 dev u1 table 300 &&
		nsx U ip route add 10.0.0.0/24 via 192.0.2.6 dev u2 table 400 &&
		nsx U ip route add 10.0.0.0/24 via 192.0.2.2 dev u1 metric 300 &&
		nsx U ip route add 10.0.0.0/24 via 192.0.2.6 dev u2 metric 400
}

# zc_need: before t_init, the suite skips unless TN_ZC_NICS names NICs.
zc_need() {
	[ -n "${TN_ZC_NICS:-}" ] ||
		t_skip_all "needs NICs with a zero-copy AF_XDP driver wired in pairs," \
			"TN_ZC_NICS=\"NIC:PEER NIC:PEER\": make check-zc runs it in qemu on virtio-net"
}

# This kernel (6.13 and later) refuses libxdp 1.3's dispatcher (Debian
# 12's) an extension that changes packet data in a slot that does not
# ("Extension program changes packet data, while original does not",
# EINVAL), and libxdp does not fall back on that: tenetd attaches
# nic_ingress alone and says so (the dispatcher is test-tenetd's business).
alone_said() {
	[ "$(grep -c "libxdp's dispatcher refused nic_ingress (EINVAL.*attached alone" "$T_DIR/log")" = 2 ] &&
		[ "$(ctl -j nic list | jq -r '[.nics[].multiprog] | join(" ")')" = "false false" ]
}

# zc_start: after t_init, the suite's checks that the NICs are there and
# tenetd runs on them: the topology, tenetd (log in $T_DIR/log), both NICs
# attached in native XDP.
zc_start() {
	if [ -z "$NA" ] || [ -z "$PEA" ] || [ -z "$NU" ] || [ -z "$PEU" ] || [ "$PA" = "$NA" ] ||
		[ "$PU" = "$NU" ] || [ -n "${REST:-}" ]; then
		t_fail "TN_ZC_NICS is two NIC:PEER pairs, not '$TN_ZC_NICS'"
		t_done
		exit 1
	fi
	LXCP=$T_DIR/state/lxc
	T_LXC+=("H $LXCP")
	t_check "modprobe 8021q, the NICs ($TN_ZC_NICS) present" setup_modules
	zc_topo || { t_fail "topology"; exit 1; }
	t_ok "topology: $NA and $NU in H, customers and upstream on 802.1Q devices on $PEA and $PEU"
	for n in "$NA" "$NU"; do
		echo "# $n: driver $(nsx H ethtool -i "$n" | sed -n 's/^driver: //p')," \
			"$(nsx H ethtool -l "$n" | awk '/^Combined/ {c = $2} END {print c}') combined channel(s)," \
			"mtu $(nsx H ip -j link show "$n" | jq '.[0].mtu')"
	done
	agent_start "$T_DIR/log" || { t_fail "tenetd starts"; exit 1; }
	# Zero-copy on: the operator's word that a direct tenant may read
	# its whole queue (here, others' frames land there too).
	t_check "nic attach $NA role access xdp-mode native zerocopy on" \
		ctl nic attach "$NA" role access xdp-mode native zerocopy on
	t_check "nic attach $NU role uplink xdp-mode native default drop zerocopy on" \
		ctl nic attach "$NU" role uplink xdp-mode native default drop zerocopy on
	t_check "both in native XDP" \
		test "$(ctl -j nic list | jq -r '[.nics[].xdp_mode_in_use] | join(" ")')" = "native native"
	t_check "nic_ingress attached alone where libxdp's dispatcher is refused, said in tenetd's log and nic list" alone_said
}

show() { ctl -j tenant show "$1" | jq -r "$2"; }
stats() { ctl -j tenant stats "$1" | jq -r ".tenants[0] | $2"; }
# pinged N COUNT: customer N's COUNT pings to the upstream all answered;
# ping's summary if not.
pinged() {
	local out
	out=$(nsx "C$1" ping -c "$2" -i 0.1 -W 2 198.51.100.1)
	[ "$(grep -c 'bytes from' <<<"$out")" = "$2" ] || { tail -2 <<<"$out"; return 1; }
}
# sockets NAME N: until its router is connected with N sockets.
sockets() { until_is $WAIT "true $2" show "$1" '"\(.router.connected) \(.router.sockets)"'; }
# What tenetctl says of NAME's direct sockets: "IFNAME qQUEUE" each.
direct_q() { stats "$1" '[.router.ifaces[] | select(.direct) | "\(.ifname) q\(.queue)"] | join(" ")'; }
# The XSK mode each of NAME's sockets reports, direct ones or the others.
zc_in_use() { stats "$1" '[.router.ifaces[] | select(.direct) | .zc_in_use | tostring] | join(" ")'; }
xsk_mode() { # NAME direct|veth
	local sel='select(.direct)'
	[ "$2" = veth ] && sel='select(.direct | not)'
	stats "$1" "[.router.ifaces[] | $sel | .xsk_mode | tostring] | join(\",\")"
}
# nic_direct NIC: what nic list says of the direct sockets on NIC:
# "TENANT qQUEUE zerocopy=B" each (a missing list fails jq).
nic_direct() {
	ctl -j nic list | jq -r --arg n "$1" '.nics[] | select(.ifname == $n) |
		[.direct_sockets[] | "\(.tenant) q\(.queue) zerocopy=\(.zerocopy)"] | join(",")'
}
# ss_zc NIC [Q]: the kernel's word (sock_diag) on the AF_XDP sockets in H
# bound to NIC queue Q (0): each one's UMEM zero-copy flag, "zc:1" when it
# is.
ss_zc() {
	nsx H ss --xdp -a -e -H -O | awk -v q="$1:q${2:-0}" '
		{ bound = 0; for (i = 1; i <= NF; i++) if ($i == q) bound = 1 }
		bound { if (match($0, /zc:[0-9]+/)) z = z sep substr($0, RSTART, RLENGTH); sep = " " }
		END { print z }'
}
# zc_listed NAME Q: nic list has NAME's socket on queue Q of both NICs,
# zero-copy.
zc_listed() {
	local n
	n=$({ nic_direct "$NA" && echo && nic_direct "$NU"; } | tr , '\n' | grep -cx "$1 q$2 zerocopy=true")
	[ "$n" = 2 ] || { echo "nic list: $(nic_direct "$NA") / $(nic_direct "$NU")"; return 1; }
}
# check_zc NAME LABEL [Q]: NAME's direct sockets, on queue Q (0) of both
# NICs, are zero-copy by every account.
check_zc() {
	local q=${3:-0}
	t_check "$2: its direct sockets are zero-copy (zc_in_use: $(zc_in_use "$1"))" \
		test "$(zc_in_use "$1")" = "true true"
	t_check "$2: their xsk_mode is \"zero-copy\" ($(xsk_mode "$1" direct))" \
		test "$(xsk_mode "$1" direct)" = "zero-copy,zero-copy"
	t_check "$2: ss --xdp in H: the sockets on $NA:$q and $NU:$q have a zero-copy UMEM ($(ss_zc "$NA" "$q") / $(ss_zc "$NU" "$q"))" \
		test "$(ss_zc "$NA" "$q") $(ss_zc "$NU" "$q")" = "zc:1 zc:1"
	t_check "$2: nic list: $NA's and $NU's direct socket on queue $q is $1's, zero-copy" \
		zc_listed "$1" "$q"
}
# Under emulation a tenant's bring-up can take longer than tenetctl's
# default 30 s wait for a reply.
slow_ctl() { ctl --timeout 300 "$@"; }
# add_tenant NAME N MORE...: on customer N's VLAN (N * 100) and u N's
# (200 + N * 100), with topo_isp's addresses; MORE: further keys.
add_tenant() {
	local name=$1 n=$2
	shift 2
	slow_ctl tenant add "$name" access "$NA" vlan $((n * 100)) uplink "$NU" \
		uplink-vlan $((200 + n * 100)) access-addr 10.0.0.1/24 \
		uplink-addr 192.0.2.$((4 * n - 2))/30 gateway 192.0.2.$((4 * n - 3)) "$@"
}
# add_direct NAME [N]: add_tenant, mode direct, fast path off (the frames
# under test are its router's, read from its direct sockets; the fast path
# would forward them before).
add_direct() { add_tenant "$1" "${2:-1}" mode direct fastpath off; }
