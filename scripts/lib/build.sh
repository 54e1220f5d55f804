# shellcheck shell=bash
# Configure and build rdbd (userspace, tests, tools and rdbd.ko) into
# $RDBD_BUILD_DIR.  Sourced by scripts/check, scripts/demo and
# scripts/bench, which set RDBD_REPO.
#
# For tests/fresh-clone only: RDBD_CMAKE=CMD runs CMD in place of cmake.

# Debian's tools, which scripts/setup installs, come first.  A python3
# shim of a user's pyenv costs over half a second of CPU a call, and the
# VM harness runs python3 on the host for every guest command.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

: "${RDBD_BUILD_DIR:=$RDBD_REPO/build}"
export RDBD_BUILD_DIR

rdbd_build() {
	local log=$RDBD_BUILD_DIR.configure.log
	"${RDBD_CMAKE:-cmake}" -S "$RDBD_REPO" -B "$RDBD_BUILD_DIR" >"$log" 2>&1 || {
		cat "$log" >&2
		echo "build: cmake configure failed" >&2
		return 1
	}
	"${RDBD_CMAKE:-cmake}" --build "$RDBD_BUILD_DIR" -j "$(nproc)" -- --no-print-directory
}

# rdbd_build_quietly WHO: build with the output in $RDBD_BUILD_DIR/WHO-build.log
# (a fresh clone has no build directory yet: make it first); on failure,
# show its end.
rdbd_build_quietly() {
	local log=$RDBD_BUILD_DIR/$1-build.log
	mkdir -p "$RDBD_BUILD_DIR" || return 1
	rdbd_build >"$log" 2>&1 && return 0
	tail -n 30 "$log"
	return 1
}
