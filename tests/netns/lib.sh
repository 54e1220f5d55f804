# shellcheck shell=bash
# Two rdbd-heartbeat daemons in two network namespaces joined by two veth
# cables (eth0: 10.98.0.0/24, eth1: 10.98.1.0/24), with dummy resource
# scripts and fast timing.  Sourced by the tests in this directory.
#
# Each test gets its own namespaces, directories and sockets, so tests may
# run in parallel (ctest -j).  Waits poll `status --json` in a bounded loop.
set -euo pipefail

HB=${RDBD_HEARTBEAT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin/rdbd-heartbeat}
TEST_NAME=$(basename "$0")
ID=$$
NS_corman=hb$ID-c
NS_rabius=hb$ID-r
WORK=$(mktemp -d "/tmp/rdbd-netns-$TEST_NAME.XXXXXX")
declare -A PIDS=() STARTED=()
# More namespaces a test makes (uplink-lib.sh: routers, internet, DNS):
# cleaned up with the two nodes'.
EXTRA_NS=()

log() { printf '%s: %s\n' "$TEST_NAME" "$*" >&2; }
fail() {
	log "FAIL: $*"
	for n in corman rabius; do
		[ -f "$WORK/$n/daemon.log" ] || continue
		echo "---- $n daemon log (last 40 lines)" >&2
		tail -n 40 "$WORK/$n/daemon.log" >&2
	done
	exit 1
}

requires_root_and_ip() {
	if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
		echo "skipped: needs root and ip(8)"
		exit 77
	fi
	[ -x "$HB" ] || fail "build rdbd-heartbeat first ($HB)"
}

# namespace_pids: every process left in the test's two namespaces: the
# daemons however they were started (--foreground or detached), and
# whatever resource script they had running.
namespace_pids() {
	local ns
	for ns in "$NS_corman" "$NS_rabius" "${EXTRA_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null || true
	done
}

# On every exit (pass, fail, set -e, a signal): SIGKILL everything in the
# namespaces, reap the children, delete the namespaces.  SIGKILL and not
# SIGTERM: a daemon's graceful stop hands resources over and may wait on
# a script or, with --stop-failure hold, on nothing ever, and the test
# asserts nothing any more.  A process that outlives this fails the test.
cleanup() {
	local status=$? pids left n deadline=$((SECONDS + 5))
	trap - EXIT INT TERM HUP
	# bash's "Killed" notice for each daemon is noise here.
	exec 3>&2 2>/dev/null
	while pids=$(namespace_pids) && [ -n "$pids" ]; do
		# shellcheck disable=SC2086 # a list of pids
		kill -KILL $pids 2>/dev/null || true
		[ $SECONDS -lt $deadline ] || break
		sleep 0.02
	done
	for n in "${!PIDS[@]}"; do
		wait "${PIDS[$n]}" || true
	done
	exec 2>&3 3>&-
	left=$(namespace_pids)
	for n in "$NS_corman" "$NS_rabius" "${EXTRA_NS[@]}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	if [ -n "$left" ]; then
		log "FAIL: processes left in the namespaces: ${left//$'\n'/ }"
		status=1
	fi
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
	exit "$status"
}
trap cleanup EXIT
# A signal (ctest's timeout, ^C) ends the test through the EXIT trap too.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# set -e ends a test silently on a failing command outside fail(): name it.
trap 'log "FAIL: line $LINENO: \"$BASH_COMMAND\" exited $?"' ERR

# on_node NODE CMD...: run CMD in NODE's namespace.
on_node() {
	local ns="NS_$1"
	shift
	ip netns exec "${!ns}" "$@"
}

make_network() {
	ip netns add "$NS_corman"
	ip netns add "$NS_rabius"
	local i
	for i in 0 1; do
		ip link add "eth$i" netns "$NS_corman" type veth peer \
			name "eth$i" netns "$NS_rabius"
		on_node corman ip addr add "10.98.$i.1/24" brd + dev "eth$i"
		on_node rabius ip addr add "10.98.$i.2/24" brd + dev "eth$i"
		on_node corman ip link set "eth$i" up
		on_node rabius ip link set "eth$i" up
	done
	on_node corman ip link set lo up
	on_node rabius ip link set lo up
}

# cable_down IF / cable_up IF: pull or plug cable ethN (both ends of the
# veth pair go down together, as with a real cable).
cable_down() { on_node corman ip link set "$1" down; }
cable_up() { on_node corman ip link set "$1" up; on_node rabius ip link set "$1" up; }

# write_config NODE [EXTRA-HA.CF-LINES]: ha.cf, authkeys, haresources and
# the dummy resource script for NODE.  HARESOURCES overrides the groups,
# LINKS the ucast lines, RSC_DEFAULTS the rsc_defaults line (monitoring is
# off by default here, so that tests can count the scripts' calls; the
# monitoring tests turn it on).
write_config() {
	local node=$1 extra=${2:-} dir=$WORK/$1
	mkdir -p "$dir/ha.d/resource.d" "$dir/state" "$dir/res"
	cat >"$dir/ha.d/ha.cf" <<CF
# fast timing for tests
keepalive ${KEEPALIVE:-100ms}
deadtime ${DEADTIME:-500ms}
warntime ${WARNTIME:-300ms}
initdead ${INITDEAD:-1}
udpport 694
${LINKS:-ucast eth0 10.98.0.1
ucast eth0 10.98.0.2
ucast eth1 10.98.1.1
ucast eth1 10.98.1.2}
auto_failback ${AUTO_FAILBACK:-off}
node corman rabius
logfile $dir/ha.log
${RSC_DEFAULTS-rsc_defaults monitor_interval=0}
$extra
CF
	install -m 600 /dev/null "$dir/ha.d/authkeys"
	printf 'auth 1\n1 sha256 %s\n' "${SECRET:-netns-test-secret}" \
		>"$dir/ha.d/authkeys"
	printf '%s\n' "${HARESOURCES:-corman dummy::disk dummy::fs dummy::ip}" \
		>"$dir/ha.d/haresources"
	cat >"$dir/ha.d/resource.d/dummy" <<'SH'
#!/bin/sh
# dummy NAME start|stop|status: a resource that is a file.  Creating
# fail-start-NAME or fail-stop-NAME in $HB_RES makes that action fail.
name=$1 action=$2
echo "$action $name" >>"$HB_RES/calls"
case $action in
start)	[ -e "$HB_RES/fail-start-$name" ] && exit 1
	touch "$HB_RES/$name" ;;
stop)	[ -e "$HB_RES/fail-stop-$name" ] && exit 1
	rm -f "$HB_RES/$name" ;;
status)	if [ -e "$HB_RES/$name" ]; then echo running; else echo stopped; fi ;;
esac
exit 0
SH
	chmod 755 "$dir/ha.d/resource.d/dummy"
}

# start_daemon NODE: run rdbd-heartbeat in NODE's namespace.
start_daemon() {
	local node=$1 dir=$WORK/$1 ns="NS_$1"
	# A simple command, not a function: $! is then the daemon itself
	# (setpriv and ip netns exec both exec).
	# --pdeathsig: should this script be SIGKILLed (no trap runs), the
	# daemon dies with it rather than outliving the test.
	HB_RES=$dir/res setpriv --pdeathsig KILL \
		ip netns exec "${!ns}" "$HB" --foreground --node "$node" \
		--config-dir "$dir/ha.d" --state-dir "$dir/state" \
		--socket "$dir/control.sock" --stop-failure hold \
		--rdbdadm "${RDBDADM:-/bin/false}" ${HB_EXTRA_ARGS:-} \
		>>"$dir/daemon.log" 2>&1 &
	PIDS[$node]=$!
	STARTED[$node]=$EPOCHREALTIME
}

# past NODE SECONDS: sleep what is left of SECONDS since NODE's daemon
# was started, if anything (a deadline, not a fixed pause on top of the
# time the test has already spent).
past() {
	sleep "$(awk -v t0="${STARTED[$1]}" -v s="$2" -v now="$EPOCHREALTIME" \
		'BEGIN { d = t0 + s - now; printf "%.3f", (d > 0 ? d : 0) }')"
}

# stop_daemon NODE: graceful stop (SIGTERM), waits for the exit.
stop_daemon() {
	kill -TERM "${PIDS[$1]}"
	wait "${PIDS[$1]}" || fail "$1's daemon exited with $?"
	unset "PIDS[$1]"
}

# kill_daemon NODE: the daemon dies at once (as in a power cut).
kill_daemon() {
	kill -KILL "${PIDS[$1]}"
	wait "${PIDS[$1]}" 2>/dev/null || true
	unset "PIDS[$1]"
}

hb() { local node=$1; shift; "$HB" --socket "$WORK/$node/control.sock" "$@"; }

# query NODE PYTHON-EXPR: evaluate EXPR with s = NODE's status JSON and
# peer = its entry for the other node; prints the result.
query() {
	hb "$1" status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
me = s["nodes"][0]
peer = s["nodes"][1]
group = s["groups"][0]
def holder(group): return [g["held_by"] for g in s["groups"] if g["group"] == group][0]
def local(group): return [g["local"] for g in s["groups"] if g["group"] == group][0]
def link(i): return peer["links"][i]
print(eval(sys.argv[1]))' "$2" 2>/dev/null
}

# await TIMEOUT NODE PYTHON-EXPR [WANT]: poll until query prints WANT
# (default True); fail after TIMEOUT seconds.
await() {
	local timeout=$1 node=$2 expr=$3 want=${4:-True} got=
	local deadline=$((SECONDS + timeout))
	while [ $SECONDS -lt $deadline ]; do
		got=$(query "$node" "$expr" || true)
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$node: '$expr' is '$got', wanted '$want' within $timeout s"
}

# held_by NODE GROUP: who NODE says holds GROUP (None if nobody).
held_by() { query "$1" "holder('$2')"; }

# resource_files NODE: which dummy resources are up on NODE.
resource_files() {
	local f name
	for f in "$WORK/$1/res"/*; do
		name=${f##*/}
		case $name in calls | fail-* | '*') continue ;; esac
		printf '%s ' "$name"
	done
}

# start_pair: both daemons, then wait until they see each other.
start_pair() {
	start_daemon corman
	start_daemon rabius
	await 10 corman 'peer["state"]' up
	await 10 rabius 'peer["state"]' up
}

pass() { echo "ok: $TEST_NAME"; exit 0; }

# A test that was SIGKILLed ran no trap: its daemons died with it
# (--pdeathsig) but its namespaces stay.  Remove those of scripts that
# are gone (hbPID-c, hbPID-r, hbPID-r1...), with anything still in them.
remove_stale_namespaces() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '/^hb[0-9]+-[a-z0-9]+( |$)/ { print $1 }'); do
		pid=${ns#hb}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		# shellcheck disable=SC2046 # a list of pids
		kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

requires_root_and_ip
remove_stale_namespaces
make_network

# acted_on NODE: the start and stop calls NODE's dummy scripts got, one
# per line, leaving out the startup probe's status calls.
acted_on() {
	grep -v '^status ' "$WORK/$1/res/calls" 2>/dev/null
	return 0
}
