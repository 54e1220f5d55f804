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
export PATH=$RDBD_BUILD_DIR/bin:$PATH

# load_rdbd: insert the freshly built module.
load_rdbd() { insmod "$RDBD_KO"; }

# unload_rdbd: remove it; fails if anything still holds it.
unload_rdbd() { rmmod rdbd; }

# write_conf [PROTOCOL [NET-OPTIONS]]: write /etc/rdbd.conf, the standard
# two-node test resource r0 (protocol C by default).  Its timers are short
# so that tests reconnect and notice a dead peer quickly: connect-int 2 s,
# ping-int 2 s, ping-timeout 0.5 s, timeout 1 s.
# write_conf [PROTOCOL [EXTRA NET OPTIONS]]: the standard r0; the timers
# come from RDBD_NET_TIMERS when set.
write_conf() {
	local protocol=${1:-C} extra=${2:-}
	# It may hold a shared secret: root only, as rdbdadm asks.
	install -m 600 /dev/null /etc/rdbd.conf
	cat >/etc/rdbd.conf <<CONF
resource r0 {
	device /dev/rdbd0;
	disk /dev/vdb;
	meta-disk internal;
	net { protocol $protocol; ${RDBD_NET_TIMERS:-connect-int 2; ping-int 2; ping-timeout 5; timeout 10;} $extra }
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
			kill "$EVENTS_PID" 2>/dev/null
			echo "$line"
			return 0
		fi
	done
	kill "$EVENTS_PID" 2>/dev/null
	echo "await_event: no event matching '$pattern' within $timeout s" >&2
	return 1
}
