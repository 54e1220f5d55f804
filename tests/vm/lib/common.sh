# shellcheck shell=bash
# Helpers for VM tests (sourced on the host by tests/vm/lib/run-one).
#
# A test is a bash file tests/vm/<group>/NNN that sets DESCRIPTION (which
# completes "This test will..."), NODES (guests to boot, default corman),
# TIMEOUT (seconds, default 300), ALONE=1 (run with no other test beside
# it: for assertions about timing), LIGHT=1 (its guests mostly wait: start
# it away from other LIGHT tests), DISK_MB (size of the guests' rdbd disks
# /dev/vdb and /dev/vdc, default 256), and defines test() and optionally
# requires().  test() runs on the host and drives the guests with the
# functions below; its stdout is compared with NNN.out if that exists, so
# print only what is deterministic there.  Its stderr goes to the log.
# test() runs under "set -e": a command that fails unexpectedly fails it.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
VM=$REPO/tools/vm/vm
export RDBD_BUILD_DIR=${RDBD_BUILD_DIR:-$REPO/build}

# on NODE CMD...: run CMD (a bash command line) in guest NODE, with the
# helpers of tests/vm/lib/guest.sh defined.  Output is passed through;
# the exit status is the command's (124 if it timed out).  Under
# tests/vm/run the log gets one line per call with its duration, to show
# where a slow test spends its time.
on() {
	local node=$1 start=$EPOCHREALTIME status=0
	shift
	# The guest uses the same build as the host (RDBD_BUILD_DIR).
	"$VM" run "$node" -t "$((${ON_TIMEOUT:-120} * ${RDBD_VM_SLOWDOWN:-1}))" -- \
		"RDBD_BUILD_DIR=$RDBD_BUILD_DIR; . $REPO/tests/vm/lib/guest.sh; $*" ||
		status=$?
	[ -z "${RDBD_LOG_STEPS:-}" ] || log_step "on $node" "$start" "$*"
	return $status
}

# log_step WHAT START CMD: "WHAT   1.2 s  <CMD's first line>" on stderr.
log_step() {
	local first_line=${3%%$'\n'*}
	printf '%-10s %5.1f s  %.70s\n' "$1" \
		"$(awk "BEGIN { print $EPOCHREALTIME - $2 }")" "$first_line" >&2
}

# on_all CMD...: run CMD on every booted guest in turn; fail if any fails.
on_all() {
	local node rc=0
	for node in $NODES; do on "$node" "$@" || rc=$?; done
	return $rc
}

# boot NODE...: start guests (in parallel) and wait until they are ready.
boot() { "$VM" start "$@"; }

# power_cut NODE: pull the plug (SIGKILL its QEMU).  Disks keep whatever
# reached them; boot NODE brings it back on the same disks.
power_cut() { "$VM" kill "$1"; }

# link_down lan|repl / link_up lan|repl: cut or restore a cable.
link_down() { "$VM" link "$1" down >/dev/null; }
link_up() { "$VM" link "$1" up >/dev/null; }

# await_acks FILE K: wait (up to 60 s) until FILE, where `on NODE
# durable-writer ... >FILE &` records a writer's acknowledgements on the
# host, holds K of them.
await_acks() {
	local deadline=$((SECONDS + 60))
	until [ "$(grep -c '^[0-9]' "$1")" -ge "$2" ]; do
		if [ $SECONDS -ge $deadline ]; then
			echo "await_acks: fewer than $2 acknowledged writes in $1 after 60 s" >&2
			return 1
		fi
		sleep 0.1
	done
}

# skip REASON: call from requires() to skip the test.
skip() { export SKIP_REASON="$*"; }

# expect_fail CMD...: succeed only if CMD fails; print its output.
expect_fail() {
	if "$@"; then
		echo "unexpected success: $*" >&2
		return 1
	fi
	return 0
}

# Requirements.
require_file() {
	[ -e "$1" ] || skip "$1 is missing (${2:-build the project first})"
}
require_rdbd() {
	require_file "$RDBD_BUILD_DIR/kernel/rdbd.ko"
	require_file "$RDBD_BUILD_DIR/bin/rdbdadm"
}
