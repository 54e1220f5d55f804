# shellcheck shell=bash
# The debug kernel lane of tests/vm/run (--kernel debug): boot the guests on
# the kernel scripts/debug-kernel builds (KASAN, lockdep, kmemleak, debug
# objects, list checks), load an rdbd.ko built against it, and after each
# test unload rdbd.ko and ask kmemleak what it left behind.
# Sourced by tests/vm/run, which sets $repo.
# shellcheck disable=SC2154  # repo comes from tests/vm/run

# use_debug_kernel: point the harness at the debug kernel and build rdbd.ko
# for it into $RDBD_BUILD_DIR/kernel-debug (where tests/vm/lib/guest.sh
# looks when the guest runs that kernel).  Fails if it is not built.
use_debug_kernel() {
	local dir release out
	if ! dir=$("$repo/scripts/debug-kernel" --dir); then
		echo "run: the debug kernel is not built (${dir:-its cache}):" \
			"run scripts/debug-kernel first (a cold build takes 25 min to 2 h on 2 cores)" >&2
		return 1
	fi
	release=$(cat "$dir/release")
	export RDBD_GUEST_DIR=$dir RDBD_KVER=$release
	# KASAN and lockdep slow the guests down, the boot most of all.
	# acpi=off: the ACPI interpreter hits its 30 s AML loop timeout
	# once per PCI device on this kernel under TCG (the boot took over
	# 240 s); without ACPI the BIOS's PCI IRQ table routes them.
	export RDBD_VM_APPEND=${RDBD_VM_APPEND:-acpi=off}
	export RDBD_VM_BOOT_TIMEOUT=${RDBD_VM_BOOT_TIMEOUT:-240}
	# ... and everything after it: test and guest-command time limits
	# are multiplied by this (tests/vm/run, common.sh's on()).
	export RDBD_VM_SLOWDOWN=${RDBD_VM_SLOWDOWN:-4}
	out=${RDBD_BUILD_DIR:-$repo/build}/kernel-debug
	mkdir -p "$out"
	cp -u "$repo"/kernel/*.[ch] "$repo/kernel/Kbuild" "$out/"
	env -u MAKEFLAGS make -s -C "$dir/lib/modules/$release/build" M="$out" \
		RDBD_INCLUDE="$repo/include" modules >"$out/build.log" 2>&1 || {
		cat "$out/build.log" >&2
		echo "run: building rdbd.ko for $release failed" >&2
		return 1
	}
	echo "run: debug kernel $release ($dir), rdbd.ko from $out" >&2
}

# leak_check RESULT_DIR: run tests/vm/lib/leak-check on every guest still
# running, side by side; RESULT_DIR/kmemleak gets what they report (empty:
# no leak).
leak_check() {
	local dir=$1 node pids=()
	for node in corman rabius; do
		[ -f "$RDBD_VM_DIR/$node/qemu.pid" ] || continue
		{
			"$repo/tools/vm/vm" run "$node" -t 180 -- \
				"bash $repo/tests/vm/lib/leak-check" ||
				echo "the leak check failed (exit status $?)"
		} >"$dir/kmemleak.$node" 2>>"$dir/log" &
		pids+=($!)
	done
	[ ${#pids[@]} -eq 0 ] || wait "${pids[@]}"
	: >"$dir/kmemleak"
	for node in corman rabius; do
		[ -s "$dir/kmemleak.$node" ] || continue
		sed "s/^/$node: /" "$dir/kmemleak.$node" >>"$dir/kmemleak"
	done
}
