#!/usr/bin/env bash
# The second story: "router 1 fails".  corman and rabius, two routers, an
# internet client and a BIND9 server, all in network namespaces on this
# machine (root, no VM).  corman serves http://www.example.test through
# router 1; router 1's internet side is cut, rdbd-heartbeat moves the
# service to router 2 and updates DNS; router 1 returns and the service
# moves back.  Prints a timeline (the connections log merged with what
# the client saw) and the two measured times; exits non-zero if anything
# does not behave as told.
#
#   sudo bash scripts/lib/demo-uplink.sh     (RDBD_HEARTBEAT: the binary;
#                                             default build/bin/)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
export RDBD_HEARTBEAT=${RDBD_HEARTBEAT:-${RDBD_BUILD_DIR:-$repo/build}/bin/rdbd-heartbeat}
# The namespace tests' helpers: the same topology as tests/netns/023-.
# shellcheck source=tests/netns/lib.sh
. "$repo/tests/netns/lib.sh"
# shellcheck source=tests/netns/uplink-lib.sh
. "$repo/tests/netns/uplink-lib.sh"

events=$WORK/client-events
# client_event TEXT: a timeline line from the internet's side.
client_event() {
	printf '%s client %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$*" >>"$events"
}

# watch_client: until the client is served by WANT-NODE at WANT-ADDRESS.
await_served() {
	local want_addr=$1 deadline=$((SECONDS + 20)) addr got
	while [ $SECONDS -lt $deadline ]; do
		addr=$(dns_record)
		got=$(fetch)
		if [ "$addr" = "$want_addr" ] && [ "$got" = corman ]; then
			client_event "http://$NAME/ -> $addr: served by $got"
			return 0
		fi
		sleep 0.05
	done
	fail "the client was not served at $want_addr"
}

echo "== setting up: corman and rabius, router 1 and 2, the internet, BIND9"
setup_uplinks
client_event "http://$NAME/ -> $(dns_record): served by $(fetch)"

echo "== router 1's internet link fails"
t_fail=$EPOCHREALTIME
client_event "ROUTER 1 FAILS (its internet side goes down)"
router_down 1
await_served 198.51.100.10
failover=$(since "$t_fail")

await 10 corman 's["uplink"]["last_switch_ms_ago"] > 3000' # the hold-down
echo "== router 1 returns"
t_back=$EPOCHREALTIME
client_event "ROUTER 1 RETURNS"
router_up 1
await 10 corman 's["uplink"]["active"]' wan1
switchback=$(since "$t_back")
await_served 192.0.2.10
served_back=$(since "$t_back")

echo
echo "== timeline (UTC; corman's connections log and the client)"
sort -s -k1,1 "$WORK/corman/connections.log" "$events" |
	awk '{ t = $1; sub(/^[^ ]+ /, ""); print substr(t, 12, 12) "  " $0 }'
echo
printf 'router 1 fails -> first request served through router 2: %s s\n' "$failover"
printf 'router 1 returns -> service switched back: %s s (first request through router 1: %s s)\n' \
	"$switchback" "$served_back"
echo "(probe interval 200 ms, down 3, up 5, hold-down 3 s)"
pass
