# shellcheck shell=bash
# Configure and build rdbd (userspace, tests, tools and rdbd.ko) into
# $RDBD_BUILD_DIR.  Sourced by scripts/check and scripts/demo, which set
# RDBD_REPO.

# Debian's tools, which scripts/setup installs, come first.  A python3
# shim of a user's pyenv costs over half a second of CPU a call, and the
# VM harness runs python3 on the host for every guest command.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

: "${RDBD_BUILD_DIR:=$RDBD_REPO/build}"
export RDBD_BUILD_DIR

rdbd_build() {
	local log=$RDBD_BUILD_DIR.configure.log
	cmake -S "$RDBD_REPO" -B "$RDBD_BUILD_DIR" >"$log" 2>&1 || {
		cat "$log" >&2
		echo "build: cmake configure failed" >&2
		return 1
	}
	cmake --build "$RDBD_BUILD_DIR" -j "$(nproc)" -- --no-print-directory
}
