# shellcheck shell=bash
# Helpers for commands run inside a test guest (sourced by `on`).
# Paths are the host's: the guest sees the host's root read-only.

# Every guest command sources this file: find the repository without
# starting a process when the path is absolute, as `on` gives it.
case ${BASH_SOURCE[0]} in
/*/tests/vm/lib/guest.sh) RDBD_REPO=${BASH_SOURCE[0]%/tests/vm/lib/guest.sh} ;;
*) RDBD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd) ;;
esac
RDBD_BUILD_DIR=${RDBD_BUILD_DIR:-$RDBD_REPO/build}
RDBD_KO=$RDBD_BUILD_DIR/kernel/rdbd.ko
# On the debug kernel (tests/vm/run --kernel debug), the module built for it.
read -r RDBD_OSRELEASE </proc/sys/kernel/osrelease
case $RDBD_OSRELEASE in
*-rdbd-debug) RDBD_KO=$RDBD_BUILD_DIR/kernel-debug/rdbd.ko ;;
esac
export PATH=$RDBD_BUILD_DIR/bin:$PATH

# load_rdbd: insert the freshly built module.
load_rdbd() { insmod "$RDBD_KO"; }

# unload_rdbd: remove it; fails if anything still holds it.
unload_rdbd() { rmmod rdbd; }

# write_conf [PROTOCOL [EXTRA NET OPTIONS]]: write /etc/rdbd.conf, the
# standard two-node test resource r0 (protocol C by default) on /dev/vdb,
# or on RDBD_DISK when set (a device-mapper table over it, say).  Its
# timers are short so that tests reconnect and notice a dead peer
# quickly: connect-int 2 s, ping-int 2 s, ping-timeout 0.5 s, timeout
# 1 s, or RDBD_NET_TIMERS when set; RDBD_RES_EXTRA adds sections
# (disk { }, handlers { }) to the resource.
write_conf() {
	local protocol=${1:-C} extra=${2:-}
	# It may hold a shared secret: root only, as rdbdadm asks.
	install -m 600 /dev/null /etc/rdbd.conf
	cat >/etc/rdbd.conf <<CONF
resource r0 {
	device /dev/rdbd0;
	disk ${RDBD_DISK:-/dev/vdb};
	meta-disk internal;
	net { protocol $protocol; ${RDBD_NET_TIMERS:-connect-int 2; ping-int 2; ping-timeout 5; timeout 10;} $extra }
	${RDBD_RES_EXTRA:-}
	on corman { address 10.99.1.1:7789; }
	on rabius { address 10.99.1.2:7789; }
}
CONF
}

# background LOG CMD...: start CMD detached, output to LOG.  A plain `&` in
# a command keeps the command's output pipe open, so `on` would wait for
# the background job to end (as ssh does).
background() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 </dev/null &
}

# data_md5 DISK: checksum of the data area of an rdbd backing disk (all
# but the metadata at its end), read with O_DIRECT so no stale page cache
# of the backing disk can hide what is really on it.
data_md5() {
	local disk=${1:-/dev/vdb} bytes
	bytes=$(rdbd_data_bytes "$disk")
	dd if="$disk" iflag=direct,count_bytes bs=1M count="$bytes" status=none |
		md5sum | cut -d' ' -f1
}

# rdbd_data_bytes DISK: the size /dev/rdbdN exposes on top of DISK.
rdbd_data_bytes() {
	local size bitmap
	size=$(( $(blockdev --getsize64 "$1") / 4096 * 4096 ))
	bitmap=$(( ( (size / 4096 + 7) / 8 + 4095) / 4096 * 4096 ))
	echo $(( size - bitmap - 32768 - 4096 ))
}

# up_fresh: the standard resource, fresh metadata, up on this node.
up_fresh() {
	load_rdbd && write_conf && rdbdadm create-md --force r0 >/dev/null &&
		rdbdadm up r0
}

# Stop and reap the events coprocess, so that the next await_event in the
# same shell can start its own (bash runs one coprocess at a time).
await_event_end() {
	local pid=$EVENTS_PID
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# await_event TIMEOUT ERE: wait until "rdbdadm events" prints a line that
# matches ERE (the first lines describe the current state, so a state
# already reached matches at once); print that line.  Fails on timeout.
await_event() {
	local timeout=$1 pattern=$2 line left
	coproc EVENTS { exec rdbdadm events all 2>&1; }
	local deadline=$((SECONDS + timeout))
	while left=$((deadline - SECONDS)) && [ "$left" -gt 0 ] &&
		IFS= read -r -t "$left" line <&"${EVENTS[0]}"; do
		if [[ $line =~ $pattern ]]; then
			await_event_end
			echo "$line"
			return 0
		fi
	done
	await_event_end
	echo "await_event: no event matching '$pattern' within $timeout s" >&2
	return 1
}
