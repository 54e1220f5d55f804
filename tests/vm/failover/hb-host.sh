# shellcheck shell=bash
# Host-side helpers for the failover VM tests and the demo (sourced after
# tests/vm/lib/common.sh).  The cluster is the README's: rdbd r0 on
# /dev/vdb, rdbd-heartbeat on both links, corman preferring
# rdbddisk::r0 Filesystem::/dev/rdbd0::/data::ext4
# IPaddr2::10.99.0.10/24/eth0 apache2, docroot /data/www.

HB_GUEST=$REPO/tests/vm/failover/hb-guest.sh

# hb_on NODE CMD: `on`, with the failover helpers defined.  The waits in
# CMD carry their own timeouts, so `on`'s is only a backstop.
hb_on() {
	local node=$1
	shift
	ON_TIMEOUT=${ON_TIMEOUT:-900} on "$node" ". $HB_GUEST; $*"
}

require_failover() {
	require_rdbd
	require_file "$RDBD_BUILD_DIR/bin/rdbd-heartbeat"
	require_file /usr/lib/ocf/resource.d/heartbeat/IPaddr2 "run scripts/setup (resource-agents)"
	require_file /usr/lib/ocf/resource.d/heartbeat/Filesystem "run scripts/setup (resource-agents)"
	require_file /etc/init.d/apache2 "run scripts/setup (apache2)"
	require_file /usr/bin/curl "run scripts/setup (curl)"
}

# make_cluster [KEEPALIVE DEADTIME]: r0 synced, ext4 with a first page,
# both daemons running, corman serving.  HB_EXTRA_HA_CF: lines added to
# both ha.cf files.
make_cluster() {
	hb_on corman rdbd_ready
	hb_on rabius rdbd_ready
	on corman 'rdbdadm wait-connect --timeout 60 r0 >/dev/null &&
		rdbdadm primary --force r0 &&
		rdbdadm wait-sync --timeout 120 r0 >/dev/null &&
		mkfs.ext4 -q /dev/rdbd0 && mkdir -p /data && mount /dev/rdbd0 /data &&
		mkdir /data/www && echo "<h1>first page</h1>" >/data/www/index.html &&
		umount /data && rdbdadm secondary r0'
	local extra=
	[ -z "${HB_EXTRA_HA_CF:-}" ] ||
		extra="HB_EXTRA_HA_CF=$(printf %q "$HB_EXTRA_HA_CF") "
	hb_on corman "${extra}hb_install $* && hb_start"
	hb_on rabius "${extra}hb_install $* && hb_start"
	hb_on corman 'hb_await 180 group[\"local\"] held'
	hb_on rabius 'hb_await 30 group[\"held_by\"] corman'
}
