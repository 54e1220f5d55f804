# shellcheck shell=bash
# Failing backing disks (sourced by the tests of tests/vm/disk/ on the host).
#
# Each node's rdbd disk is /dev/mapper/r0disk, a device-mapper map of
# /dev/vdb whose table a scenario switches, under running I/O, to
#   error    every I/O fails (dm-error)
#   flakey   I/O works for 1 s, fails for 1 s, and so on (dm-flakey)
#   delay    every I/O is held 20 ms (dm-delay): slow, never failing
#   flushfail  writes work and every flush fails: device-mapper sends a
#            flush to each target of the map, and the last MiB of the
#            data area, which no scenario writes, is a dm-flakey that is
#            always down and fails writes (a flush is one)
# and back to linear (the repair).  corman is Primary throughout; the
# writer is tests/vm/lib/durable-writer, whose acknowledgements go to the
# host (the test's result directory), never only to the guest.  Every
# scenario ends with each acknowledged write on both backing disks and the
# two data areas equal, byte for byte.

# The guest side: dm_table NAME prints the table of /dev/vdb as NAME;
# dm_switch NAME loads it live.  Only the data area fails: the metadata
# at the end of the disk stays linear, because a failing metadata write
# detaches the disk whatever on-io-error says (as in DRBD 8.4), and
# pass_on could not be tested otherwise.  No udev in the guests: dmsetup
# makes the nodes itself.  durable-writer runs the fault with sh, where
# guest.sh is not sourced: the data area's size is read from a file that
# faildisk_setup wrote.  A table that fails to load still resumes the
# device, which would otherwise hold every I/O for ever.
DM_LIB='export DM_DISABLE_UDEV=1
dm_table() {
	local size data
	size=$(blockdev --getsz /dev/vdb)
	data=$(( $(cat /run/r0disk-data-bytes) / 512 ))
	case $1 in
	linear) echo "0 $size linear /dev/vdb 0" ;;
	error) echo "0 $data error" ;;
	flakey) echo "0 $data flakey /dev/vdb 0 1 1" ;;
	delay) echo "0 $data delay /dev/vdb 0 20" ;;
	flushfail)
		echo "0 $((data - 2048)) linear /dev/vdb 0"
		echo "$((data - 2048)) 2048 flakey /dev/vdb $((data - 2048)) 0 1 1 error_writes" ;;
	esac
	[ "$1" = linear ] || echo "$data $((size - data)) linear /dev/vdb $data"
}
dm_switch() {
	local status=0
	dmsetup suspend r0disk || return
	dmsetup load r0disk --table "$(dm_table "$1")" || status=$?
	dmsetup resume r0disk && return $status
}'

WRITER="python3 $REPO/tests/vm/lib/durable-writer"
SCENARIO_WRITES=1500	# 4 KiB blocks from block 0: 6 MiB
FAULT_AT=150		# acknowledged writes before the disk starts failing
RESYNC_WRITES=1024	# written while disconnected, from block 2048 (8 MiB)

# faildisk_setup POLICY: both nodes up on r0disk with on-io-error POLICY,
# synced, corman Primary.  A fixed 1 MiB/s resync rate makes a resync of
# the disconnected writes last about 4 s, long enough to fail a disk in.
faildisk_setup() {
	local policy=$1
	on_all "$DM"'; rdbd_data_bytes /dev/vdb >/run/r0disk-data-bytes &&
		modprobe dm-mod && dmsetup create r0disk --table "$(dm_table linear)" &&
		load_rdbd && write_conf &&
		sed -i "s#disk /dev/vdb;#disk /dev/mapper/r0disk;#;
			s#meta-disk internal;#meta-disk internal; disk { on-io-error '"$policy"'; c-plan-ahead 0; resync-rate 1M; }#" /etc/rdbd.conf &&
		rdbdadm create-md --force r0 >/dev/null && rdbdadm up r0'
	# The first full sync runs fast; the scenarios' resyncs at 1 MiB/s.
	on corman 'rdbdadm wait-connect --timeout 60 r0 &&
		rdbdadm disk-options r0 --resync-rate 409600 &&
		rdbdadm primary --force r0 && rdbdadm wait-sync --timeout 120 r0 &&
		rdbdadm disk-options r0 --resync-rate 1024'
}
DM=$DM_LIB

# faildisk_scenario N PHASE NODE TARGET POLICY: one scenario.
#   PHASE writes: the disk fails under the Primary's writes;
#   PHASE resync: corman wrote RESYNC_WRITES blocks while disconnected,
#   reconnects, and the disk fails during that resync, under more writes.
# NODE's disk turns TARGET after FAULT_AT acknowledged writes.
faildisk_scenario() {
	local n=$1 phase=$2 node=$3 target=$4 policy=$5
	local acks=$RESULT_DIR/acks.$n pre=$RESULT_DIR/acks.$n.pre writer inject
	echo "-- scenario $n: $target on $node during $phase, on-io-error $policy"
	inject="$DM; dm_switch $target"
	if [ "$phase" = resync ]; then
		# The failing node holds the resync paused until its disk
		# fails, so the fault lands inside the resync however slow
		# the writer is to start.
		on corman "rdbdadm disconnect r0 &&
			$WRITER --first 2048 pre$n $RESYNC_WRITES" >"$pre"
		on corman 'rdbdadm connect r0'
		on "$node" 'await_event 60 "replication:Sync(Source|Target)" >/dev/null &&
			rdbdadm pause-sync r0 && echo "$(hostname): resync started, held"'
		inject+="; rdbdadm resume-sync r0"
	fi
	if [ "$node" = corman ]; then
		on corman "$WRITER --keep-going --at $FAULT_AT '$inject' s$n $SCENARIO_WRITES" >"$acks" &
		writer=$!
	else
		on corman "$WRITER --keep-going s$n $SCENARIO_WRITES" >"$acks" &
		writer=$!
		await_acks "$acks" "$FAULT_AT"
		on rabius "$inject"
	fi
	wait "$writer"
	echo "acknowledged $(grep -c '^[0-9]' "$acks") writes, $(grep -c '^error' "$acks") failed" >&2
	faildisk_expect "$phase" "$node" "$target" "$policy"
	faildisk_repair "$phase" "$node" "$target" "$policy"
	faildisk_check "$n" "$acks" "$pre"
}


# faildisk_expect PHASE NODE TARGET POLICY: print the state the fault left.
# detach: a disk that failed is Diskless (flakey and error fail I/O, delay
# never does); under writes the connection stays and the peer's disk is
# UpToDate, whether the first I/O to fail on a Secondary is one of the
# Primary's writes or the flush that ends an epoch of them (flakey may
# fail either first; kernel/epoch.c); during the resync, which needs the
# failed disk on either side, the node also drops the connection
# (kernel/ioerr.c), and the state is printed once it has.  pass_on: the
# disk stays.
faildisk_expect() {
	local phase=$1 node=$2 target=$3 policy=$4 gone=true
	[ "$phase" = resync ] && gone='await_event 60 "peer-disk:DUnknown" >/dev/null'
	if [ "$target" != delay ] && [ "$policy" = detach ]; then
		on "$node" 'await_event 60 "minor:0 disk:Diskless" >/dev/null && '"$gone"' &&
			echo "$(hostname): detached: $(rdbdadm dstate r0)"'
	else
		on "$node" '[ "$(rdbdadm dstate r0 | cut -d/ -f1)" != Diskless ] &&
			echo "$(hostname): kept its disk"'
	fi
}

# faildisk_repair PHASE NODE TARGET POLICY: repair NODE's disk and bring
# the pair back to Connected, UpToDate on both sides, corman Primary.
faildisk_repair() {
	local phase=$1 node=$2 target=$3 policy=$4
	on "$node" "$DM; dm_switch linear"
	if [ "$target" = delay ]; then
		:
	elif [ "$policy" = detach ] && [ "$node" = corman ] && [ "$phase" = resync ]; then
		# The Primary lost the only good copy (its peer was still a
		# SyncTarget): it cannot attach as Primary, since no UpToDate
		# peer can resync it.  Demote, attach, resync, promote.
		on corman 'rdbdadm secondary r0 && rdbdadm attach r0 &&
			rdbdadm wait-sync --timeout 120 r0 && rdbdadm primary r0 &&
			echo "corman: attached as Secondary, resynced, Primary again"'
	elif [ "$policy" = detach ]; then
		on "$node" 'rdbdadm attach r0 && echo "$(hostname): attached"'
	else
		# pass_on keeps the disk; the blocks it failed are marked and
		# a new connection resyncs them.
		on corman 'rdbdadm disconnect r0 && rdbdadm connect r0 && echo "corman: reconnected"'
	fi
	on corman 'rdbdadm wait-sync --timeout 120 r0 && rdbdadm role r0 && rdbdadm dstate r0 && rdbdadm cstate r0'
}

# faildisk_check N ACKS PRE: every acknowledged write on both backing disks,
# and both data areas equal.  One guest command per node: the verdicts,
# then the checksum.
faildisk_check() {
	local n=$1 acks=$2 pre=$3 node out sums=()
	for node in corman rabius; do
		out=$(on "$node" "$WRITER --verify s$n /dev/vdb <$acks
			[ ! -f $pre ] || $WRITER --verify pre$n /dev/vdb <$pre
			data_md5 /dev/vdb")
		sed '$d; s/^verified [0-9]*/verified N/; s/^/'"$node"': /' <<<"$out"
		sums+=("$(tail -1 <<<"$out")")
	done
	[ "${sums[0]}" = "${sums[1]}" ] && echo "replicas equal" || echo "replicas differ: ${sums[*]}"
}

# faildisk_all POLICY: every scenario, in one boot of the pair.
faildisk_all() {
	local policy=$1 n=0 phase node target
	faildisk_setup "$policy"
	for phase in writes resync; do
		for node in corman rabius; do
			for target in error flakey delay; do
				n=$((n + 1))
				faildisk_scenario $n $phase $node $target "$policy"
			done
		done
	done
}
