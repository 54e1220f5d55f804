# shellcheck shell=bash
# Helpers for commands run inside a test guest (sourced by `on`).
# Paths are the host's: the guest sees the host's root read-only.

RDBD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RDBD_BUILD_DIR=${RDBD_BUILD_DIR:-$RDBD_REPO/build}
RDBD_KO=$RDBD_BUILD_DIR/kernel/rdbd.ko
export PATH=$RDBD_BUILD_DIR/bin:$PATH

# load_rdbd: insert the freshly built module.
load_rdbd() { insmod "$RDBD_KO"; }

# unload_rdbd: remove it; fails if anything still holds it.
unload_rdbd() { rmmod rdbd; }

# write_conf [FILE]: write the standard two-node test config (stdin
# overrides it when given).
write_conf() {
	local file=${1:-/etc/rdbd.conf}
	cat >"$file" <<'CONF'
resource r0 {
	device /dev/rdbd0;
	disk /dev/vdb;
	meta-disk internal;
	net { protocol C; }
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
