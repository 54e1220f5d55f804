# shellcheck shell=bash
# The seed's second half in namespaces: two routers between the cluster's
# LANs and an "internet" with a client and a BIND9 server.  Sourced after
# lib.sh (which made corman and rabius with their heartbeat cables).
#
#   corman wan1 192.0.2.11 ─┐                        ┌─ 203.0.113.100 client
#   rabius wan1 192.0.2.12 ─┤ router1 (lan 192.0.2.1, wan 203.0.113.1) ─┤
#                           (service 192.0.2.10)      │  (bridge in inet)
#   corman wan2 198.51.100.11 ─┐                      │
#   rabius wan2 198.51.100.12 ─┤ router2 (lan 198.51.100.1, wan .2) ────┤
#                              (service 198.51.100.10)└─ dns 203.0.113.53
#
# The routers route (no NAT): the DNS record is the service address of
# the uplink in use.  Failing router 1 = its internet side goes down.
# shellcheck disable=SC2154 # NS_corman, NS_rabius: set by lib.sh
for tool in named tsig-keygen dig curl /usr/bin/python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "skipped: needs $tool (scripts/setup installs bind9, bind9-dnsutils, curl)"
		exit 77
	fi
done
# shellcheck disable=SC2034 # used by the tests that source this
NS_router1=hb$ID-r1
NS_router2=hb$ID-r2
NS_inet=hb$ID-i
NS_dns=hb$ID-d
EXTRA_NS=("$NS_router1" "$NS_router2" "$NS_inet" "$NS_dns")
PYTHON=/usr/bin/python3 # not a pyenv shim: half a second per start
DNS=203.0.113.53
NAME=www.example.test

# veth NS1 IF1 NS2 IF2: a cable.
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set dev "$2" up
	ip -n "$3" link set dev "$4" up
}

# bridge NS BR ADDR PORT...: a switch with an address in NS.
bridge() {
	local ns=$1 br=$2 addr=$3 p
	shift 3
	ip -n "$ns" link add "$br" type bridge
	for p in "$@"; do ip -n "$ns" link set dev "$p" master "$br"; done
	ip -n "$ns" addr add "$addr" dev "$br"
	ip -n "$ns" link set dev "$br" up
}

make_uplink_network() {
	local ns
	for ns in "${EXTRA_NS[@]}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	# The LANs: each router's bridge has a port per node.
	veth "$NS_corman" wan1 "$NS_router1" c
	veth "$NS_rabius" wan1 "$NS_router1" r
	veth "$NS_corman" wan2 "$NS_router2" c
	veth "$NS_rabius" wan2 "$NS_router2" r
	bridge "$NS_router1" lan 192.0.2.1/24 c r
	bridge "$NS_router2" lan 198.51.100.1/24 c r
	ip -n "$NS_corman" addr add 192.0.2.11/24 dev wan1
	ip -n "$NS_rabius" addr add 192.0.2.12/24 dev wan1
	ip -n "$NS_corman" addr add 198.51.100.11/24 dev wan2
	ip -n "$NS_rabius" addr add 198.51.100.12/24 dev wan2
	# The internet: one bridge for the routers' wan sides and the DNS
	# server; the client is the bridge's own address.
	veth "$NS_router1" wan "$NS_inet" r1
	veth "$NS_router2" wan "$NS_inet" r2
	veth "$NS_dns" eth0 "$NS_inet" d
	bridge "$NS_inet" net 203.0.113.100/24 r1 r2 d
	ip -n "$NS_router1" addr add 203.0.113.1/24 dev wan
	ip -n "$NS_router2" addr add 203.0.113.2/24 dev wan
	ip -n "$NS_dns" addr add $DNS/24 dev eth0
	for ns in "$NS_router1" "$NS_router2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	for ns in "$NS_inet" "$NS_dns"; do
		ip -n "$ns" route add 192.0.2.0/24 via 203.0.113.1
		ip -n "$ns" route add 198.51.100.0/24 via 203.0.113.2
	done
}

# router_down N / router_up N: router N's internet side fails / returns.
router_down() { local ns="NS_router$1"; ip -n "${!ns}" link set dev wan down; }
router_up() { local ns="NS_router$1"; ip -n "${!ns}" link set dev wan up; }

# start_named: BIND9, authoritative for example.test, www allowed to be
# updated with the key ha-update (written to $WORK/dns/key.conf).
start_named() {
	local d=$WORK/dns
	mkdir -p "$d"
	tsig-keygen -a hmac-sha256 ha-update >"$d/key.conf"
	chmod 600 "$d/key.conf"
	cat >"$d/example.test.zone" <<ZONE
\$TTL 5
@	IN SOA ns.example.test. hostmaster.example.test. 1 60 60 600 5
@	IN NS ns.example.test.
ns	IN A $DNS
www	IN A 192.0.2.10
ZONE
	cat >"$d/named.conf" <<CONF
options {
	directory "$d";
	listen-on port 53 { $DNS; };
	listen-on-v6 { none; };
	pid-file "$d/named.pid";
	session-keyfile "$d/session.key";
	managed-keys-directory "$d";
	recursion no;
	dnssec-validation no;
};
controls { };
include "$d/key.conf";
zone "example.test" {
	type primary;
	file "$d/example.test.zone";
	update-policy { grant ha-update name $NAME. A; };
};
CONF
	restart_named
}

# restart_named: (again) after stop_named; waits until it answers.
restart_named() {
	local deadline=$((SECONDS + 15))
	setpriv --pdeathsig KILL ip netns exec "$NS_dns" \
		named -c "$WORK/dns/named.conf" -g -n 1 \
		>>"$WORK/dns/named.log" 2>&1 &
	PIDS["named"]=$!
	until [ -n "$(dns_record)" ]; do
		[ $SECONDS -lt $deadline ] || fail "named did not answer: $(tail -5 "$WORK/dns/named.log")"
		sleep 0.1
	done
}

stop_named() {
	kill -TERM "${PIDS["named"]}"
	wait "${PIDS["named"]}" || true
	unset "PIDS[named]"
}

# dns_record: what the internet's DNS says for www (empty if no answer).
dns_record() {
	ip netns exec "$NS_inet" dig +short +time=1 +tries=1 @$DNS $NAME A 2>/dev/null |
		grep -E '^[0-9.]+$' || true
}

# start_service NODE: the "web server": answers with the node's name.
start_service() {
	mkdir -p "$WORK/$1/www"
	echo "$1" >"$WORK/$1/www/index.html"
	local ns="NS_$1"
	setpriv --pdeathsig KILL ip netns exec "${!ns}" "$PYTHON" -m http.server \
		--bind 0.0.0.0 --directory "$WORK/$1/www" 80 >/dev/null 2>&1 &
	PIDS["web-$1"]=$!
}

# fetch: what the client on the internet gets from http://www/ (resolved
# afresh each time, as a client whose cache expired); empty if nothing.
fetch() {
	local addr
	addr=$(dns_record)
	[ -n "$addr" ] || return 0
	ip netns exec "$NS_inet" curl -s --max-time 1 "http://$addr/" 2>/dev/null || true
}

# uplink_config NODE: the ha.cf lines of the uplink monitor; TIMING
# overrides the uplink_timing line.
uplink_config() {
	local dir=$WORK/$1
	mkdir -p "$dir"
	install -m 600 "$WORK/dns/key.conf" "$dir/dns.key"
	cat >"$dir/hook" <<'SH'
#!/bin/sh
# The provider hook (NO-IP, ddclient): here it records what it was told.
echo "$1 $RDBD_UPLINK $RDBD_UPLINK_PREVIOUS $RDBD_UPLINK_PUBLIC $RDBD_NODE" >>"$HB_RES/hook.calls"
SH
	chmod 755 "$dir/hook"
	cat <<CF
uplink wan1 dev=wan1 gateway=192.0.2.1 address=192.0.2.10/24 probe=203.0.113.100,$DNS
uplink wan2 dev=wan2 gateway=198.51.100.1 address=198.51.100.10/24 probe=203.0.113.100,$DNS
${TIMING:-uplink_timing interval=200ms down=3 up=5 holddown=3}
uplink_log $dir/connections.log
uplink_hook $dir/hook
dns_update server=$DNS zone=example.test name=$NAME keyfile=$dir/dns.key ttl=5
CF
}

# setup_uplinks: everything up, corman serving through router 1.
setup_uplinks() {
	make_uplink_network
	start_named
	write_config corman "$(uplink_config corman)"
	write_config rabius "$(uplink_config rabius)"
	start_service corman
	start_service rabius
	start_pair
	await 10 corman 'holder("dummy::disk")' corman
	await 10 corman 's["uplink"]["serving"] and s["uplink"]["active"] == "wan1" and s["uplink"]["dns"]["state"] == "ok"'
	await_fetch corman 10
}

# await_output WANT TIMEOUT WHAT CMD...: until CMD prints WANT.
await_output() {
	local want=$1 timeout=$2 what=$3 got=
	local deadline=$((SECONDS + timeout))
	shift 3
	while [ $SECONDS -lt $deadline ]; do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$what: '$got', wanted '$want' within $timeout s"
}

# await_fetch NODE TIMEOUT: until the client is served by NODE.
await_fetch() { await_output "$1" "$2" "the client got from http://$NAME/" fetch; }

# await_record ADDRESS TIMEOUT: until DNS says ADDRESS.
await_record() { await_output "$1" "$2" "DNS says for $NAME" dns_record; }

# since T0: seconds since EPOCHREALTIME T0, to the millisecond.
since() { awk -v t0="$1" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.2f", now - t0 }'; }

