# shellcheck shell=bash
# Host-side helpers for the Pacemaker VM tests (sourced after
# tests/vm/lib/common.sh).  The cluster: rdbd r0 on /dev/vdb of both guests,
# Corosync + Pacemaker, and the crm configuration of tests/vm/pcmk/cluster.crm
# (rdbd clone, Filesystem on /data, IPaddr2 10.99.0.10, Apache).

PCMK_GUEST=$REPO/tests/vm/pcmk/pcmk-guest.sh

# pcmk_on NODE CMD: `on`, with the Pacemaker helpers defined.
pcmk_on() {
	local node=$1
	shift
	ON_TIMEOUT=${ON_TIMEOUT:-600} on "$node" ". $PCMK_GUEST; $*"
}

require_pcmk() {
	require_rdbd
	local f
	for f in /usr/sbin/corosync /usr/sbin/pacemakerd /usr/sbin/crm \
		/usr/lib/ocf/resource.d/heartbeat/Filesystem \
		/usr/lib/ocf/resource.d/heartbeat/IPaddr2 \
		/usr/lib/ocf/resource.d/heartbeat/apache /usr/sbin/apache2 \
		/usr/bin/curl; do
		require_file "$f" "run scripts/setup"
	done
}

# The corosync authkey, the same for both nodes, new for each run.
PCMK_AUTHKEY=$(head -c 256 /dev/urandom | base64 -w0)

# pcmk_rdbd_prepare NODE: the module, the test rdbd.conf (pcmk_write_conf)
# and fresh metadata.
pcmk_rdbd_prepare() {
	pcmk_on "$1" 'load_rdbd && pcmk_write_conf &&
		rdbdadm create-md --force r0 >/dev/null'
}

# make_pcmk_cluster: r0 synced with ext4 and a first page (made by hand,
# then taken down, as an administrator prepares a resource before handing
# it to Pacemaker); the cluster formed; the configuration loaded; the page
# served by the node Pacemaker promoted (either: both disks are UpToDate).
make_pcmk_cluster() {
	local promoted
	pcmk_rdbd_prepare corman
	pcmk_rdbd_prepare rabius
	on rabius 'rdbdadm up r0'
	on corman 'rdbdadm up r0 && rdbdadm wait-connect --timeout 60 r0 >/dev/null &&
		rdbdadm primary --force r0 &&
		rdbdadm wait-sync --timeout 120 r0 >/dev/null &&
		mkfs.ext4 -q /dev/rdbd0 && mkdir -p /data && mount /dev/rdbd0 /data &&
		mkdir /data/www && echo "<h1>first page</h1>" >/data/www/index.html &&
		umount /data && rdbdadm down r0'
	on rabius 'rdbdadm down r0'
	pcmk_on_both "pcmk_install $PCMK_AUTHKEY && pcmk_seed_cib && pcmk_start"
	pcmk_on corman 'pcmk_await 300 both_online && pcmk_configure >/dev/null &&
		pcmk_await 300 "promoted_node >/dev/null"'
	# await_page watches the node's own port 80: ask the promoted one.
	promoted=$(pcmk_on corman promoted_node)
	pcmk_on "$promoted" 'await_page 300 "first page"'
}

# pcmk_on_both CMD: pcmk_on both guests at the same time; fails if either
# fails.
pcmk_on_both() {
	local pid rc=0
	pcmk_on rabius "$1" &
	pid=$!
	pcmk_on corman "$1" || rc=$?
	wait "$pid" || rc=$?
	return $rc
}

# pcmk_rdbd_prepare_keep NODE: as pcmk_rdbd_prepare after a reboot: the
# metadata on the disk is kept.
pcmk_rdbd_prepare_keep() {
	pcmk_on "$1" 'load_rdbd && pcmk_write_conf'
}
