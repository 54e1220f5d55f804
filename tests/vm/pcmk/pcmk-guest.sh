# shellcheck shell=bash
# Guest-side helpers for the Pacemaker VM tests and bench rows: sourced in
# a guest after tests/vm/lib/guest.sh.  A two-node Corosync 3 (knet) +
# Pacemaker 2.1 cluster of Debian's packages: ring 0 on the replication
# link, ring 1 on the lan; no STONITH device (a lab: production needs one).

# Apache on /data/www, fetch, await_page: the failover tests' helpers.
# shellcheck source=tests/vm/failover/hb-guest.sh
. "$RDBD_REPO/tests/vm/failover/hb-guest.sh"

PCMK_TEST_DIR=$RDBD_REPO/tests/vm/pcmk

# pcmk_install AUTHKEY: corosync.conf, the shared authkey (256 bytes,
# given in base64 by the host so both nodes have the same), the directories a
# fresh tmpfs root lacks, Apache's docroot on /data, and rdbd installed as
# a package would install it (cmake --install of the build, in the guest's
# writable overlay).
pcmk_install() {
	local key=$1
	mkdir -p /etc/corosync /var/lib/corosync /var/log/cluster \
		/var/log/pacemaker /run/crm /data
	cp "$PCMK_TEST_DIR/corosync.conf" /etc/corosync/corosync.conf
	(umask 077 && base64 -d <<<"$key" >/etc/corosync/authkey)
	chown -R hacluster:haclient /var/lib/pacemaker /var/log/pacemaker
	apache_on_data
	rdbd_install
}

# rdbd_install: this build's rdbdadm, OCF agent and fencing handlers
# where the rdbd-utils package puts them (/usr/sbin, /usr/lib/ocf,
# /usr/lib/rdbd), over whatever the host has there.
rdbd_install() {
	cmake --install "$RDBD_BUILD_DIR" --prefix /usr >/dev/null
}

# pcmk_seed_cib: a CIB with the cluster options before the first start, so
# the first formation already uses them (dc-deadtime, the time a starting
# controller waits for an existing DC, is 20 s by default).  What a user
# would type is in pcmk_configure; this only saves test time.
pcmk_seed_cib() {
	local cib=/var/lib/pacemaker/cib/cib.xml
	[ -e "$cib" ] && return 0
	cibadmin --empty >"$cib"
	CIB_file=$cib crm_attribute --type crm_config --name dc-deadtime --update 5s
	chown hacluster:haclient "$cib"
	chmod 600 "$cib"
}

# pcmk_start: corosync first, then pacemakerd, both detached (no systemd).
pcmk_start() {
	corosync || return
	background /var/log/pacemaker/pacemakerd.out pacemakerd
}

# pcmk_stop: pacemakerd stops its resources and exits, then corosync.
pcmk_stop() {
	pkill -TERM -x pacemakerd
	while pgrep -x pacemakerd >/dev/null; do sleep 0.2; done
	corosync-cfgtool -H --force >/dev/null 2>&1 || pkill -TERM -x corosync
	while pgrep -x corosync >/dev/null; do sleep 0.2; done
}

# pcmk_await TIMEOUT WHAT: poll (crm_mon is one short program) until WHAT
# holds; WHAT is a shell condition.  Prints crm_mon on timeout.
pcmk_await() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -lt "$deadline" ]; do
		eval "$2" && return 0
		sleep 0.5
	done
	echo "pcmk_await: '$2' not true within $1 s" >&2
	crm_mon -1 -r -A >&2
	return 1
}

# crm_xml: crm_mon's XML status, one program.
crm_xml() { crm_mon -1 --output-as=xml 2>/dev/null; }

# both_online: two nodes online with a DC.
both_online() {
	local x
	x=$(crm_xml) || return
	[ "$(grep -c 'online="true"' <<<"$x")" = 2 ] &&
		grep -q 'current_dc present="true"' <<<"$x"
}

# pcmk_configure [drbd84]: load the cluster configuration with crm, as a
# user types it (README, "Running under Pacemaker").  drbd84: the same
# with DRBD 8.4 and ocf:linbit:drbd in place of rdbd (the bench's
# baseline).
pcmk_configure() {
	local conf=$PCMK_TEST_DIR/cluster.crm
	if [ "${1-}" = drbd84 ]; then
		sed -e 's/ocf:rdbd:rdbd/ocf:linbit:drbd/' \
			-e 's/params resource=r0/params drbd_resource=r0/' \
			-e 's,/dev/rdbd0,/dev/drbd0,' "$conf" >/tmp/cluster-drbd84.crm
		conf=/tmp/cluster-drbd84.crm
	fi
	crm configure load update "$conf"
}

# promoted_node: print the node where the rdbd clone is Promoted; fails if
# it is nowhere.  (crm_resource says "running on: NODE Promoted"; older
# Pacemakers said Master.)
promoted_node() {
	local line
	line=$(crm_resource --locate --resource ms_rdbd 2>/dev/null |
		grep -E 'running on: [^ ]+ (Promoted|Master)') || return
	line=${line#*running on: }
	echo "${line%% *}"
}

# peer_disk_is STATE: rdbd here sees the peer's disk in STATE.
peer_disk_is() {
	[[ $(rdbdadm dstate r0 2>/dev/null) == */"$1" ]]
}

# rdbd_events_log: record every rdbd state change of this node, with
# times, in /var/log/rdbd-events.log (read by promoted_only_when_uptodate).
rdbd_events_log() {
	background /var/log/rdbd-events.log rdbdadm events --timestamps all
}

# promoted_only_when_uptodate: from the events log, the disk state at each
# promotion to Primary; fails unless every one found the disk UpToDate
# and the disk was Inconsistent (resyncing) at some point before.
promoted_only_when_uptodate() {
	awk '
	/ device name:r0 / && match($0, /disk:[A-Za-z]+/) {
		disk = substr($0, RSTART + 5, RLENGTH - 5)
		if (disk == "Inconsistent") resynced = 1
	}
	/ resource name:r0 / && /role:Primary/ {
		promotions++
		if (disk != "UpToDate") bad = bad " " disk
	}
	END {
		if (!promotions) { print "never promoted"; exit 1 }
		if (bad != "") { print "promoted with the disk" bad; exit 1 }
		if (!resynced) { print "never resynced"; exit 1 }
		print "promoted only once the resync made its disk UpToDate"
	}' /var/log/rdbd-events.log
}

# rdbd_connected: r0 is connected to its peer.
rdbd_connected() { [ "$(rdbdadm cstate r0 2>/dev/null)" = Connected ]; }

# pcmk_write_conf: r0's rdbd.conf in the cluster, as the README's "Running
# under Pacemaker" gives it: DRBD's Pacemaker fencing (rdbd.ko runs the
# handlers through /usr/sbin/rdbdadm, which rdbd_install put there), and
# conf/rdbd.conf's timers, so rdbd sees a dead peer after 1.5 s, before
# Corosync does.
pcmk_write_conf() {
	RDBD_NET_TIMERS="connect-int 2; ping-int 1; ping-timeout 5; timeout 9;" \
	RDBD_RES_EXTRA='disk { fencing resource-only; }
	handlers {
		fence-peer "/usr/lib/rdbd/crm-fence-peer.sh";
		after-resync-target "/usr/lib/rdbd/crm-unfence-peer.sh";
	}' write_conf
}

# constraint_node: which node the fencing constraint keeps the Promoted
# role on, or "no fencing constraint".
constraint_node() {
	local x
	x=$(cibadmin --query --xpath "//rsc_location[@id='rdbd-fence-by-handler-r0-ms_rdbd']//expression" 2>/dev/null)
	if [[ $x =~ value=\"([^\"]+)\" ]]; then
		[ "${BASH_REMATCH[1]}" = "$(uname -n)" ] &&
			echo "fencing constraint: Promoted only on this node" ||
			echo "fencing constraint: Promoted only on ${BASH_REMATCH[1]}"
	else
		echo "no fencing constraint"
	fi
}
