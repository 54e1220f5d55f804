# shellcheck shell=bash
# Guest-side helpers for the failover VM tests and the demo: sourced in a
# guest after tests/vm/lib/guest.sh.  The configuration is conf/ha.d with
# test timing.

HB_CONF=$RDBD_REPO/conf/ha.d

# hb_install [KEEPALIVE DEADTIME]: /etc/ha.d from conf/ha.d (with the
# given timing, and HB_EXTRA_HA_CF appended), rdbddisk in resource.d,
# Apache serving /data/www.
hb_install() {
	local keepalive=${1:-200ms} deadtime=${2:-2}
	mkdir -p /etc/ha.d/resource.d /data
	sed -e "s/^keepalive .*/keepalive $keepalive/" \
		-e "s/^deadtime .*/deadtime $deadtime/" \
		-e "s/^warntime .*/warntime $(awk "BEGIN{print $deadtime/2}")/" \
		-e "s/^auto_failback .*/auto_failback ${HB_AUTO_FAILBACK:-on}/" \
		"$HB_CONF/ha.cf" >/etc/ha.d/ha.cf
	[ -z "${HB_EXTRA_HA_CF:-}" ] || echo "$HB_EXTRA_HA_CF" >>/etc/ha.d/ha.cf
	install -m 600 "$HB_CONF/authkeys" /etc/ha.d/authkeys
	cp "$HB_CONF/haresources" /etc/ha.d/haresources
	install -m 755 "$RDBD_REPO/scripts/rdbddisk" /etc/ha.d/resource.d/rdbddisk
	apache_on_data
}

# Apache's docroot on the replicated filesystem.
apache_on_data() {
	sed -i 's,DocumentRoot .*,DocumentRoot /data/www,' \
		/etc/apache2/sites-available/000-default.conf
	cat >/etc/apache2/conf-enabled/rdbd-data.conf <<'CONF'
ServerName rdbd-web
<Directory /data/www/>
	Require all granted
</Directory>
CONF
}

# hb_start: the daemon, detached; it logs to /var/log/rdbd-heartbeat.log.
hb_start() {
	rdbd-heartbeat --pidfile /run/rdbd-heartbeat.pid
}

# hb_stop: graceful stop (hands the resources over); waits for the exit.
hb_stop() {
	local pid
	pid=$(cat /run/rdbd-heartbeat.pid)
	kill -TERM "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# hb_query PYTHON-EXPR: evaluate with s = status JSON, me/peer = nodes.
hb_query() {
	rdbd-heartbeat status --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
me, peer = s["nodes"][0], s["nodes"][1]
group = s["groups"][0]
print(eval(sys.argv[1]))' "$1" 2>/dev/null
}

# hb_await TIMEOUT PYTHON-EXPR [WANT]: poll until hb_query prints WANT
# (default True); fails after TIMEOUT seconds.
hb_await() {
	local timeout=$1 expr=$2 want=${3:-True} got=
	local deadline=$((SECONDS + timeout))
	while [ $SECONDS -lt "$deadline" ]; do
		got=$(hb_query "$expr")
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	echo "hb_await: '$expr' is '$got', wanted '$want' after $timeout s" >&2
	tail -n 30 /var/log/rdbd-heartbeat.log >&2
	return 1
}

SERVICE_URL=http://10.99.0.10/

# fetch [URL]: the page, or nothing (curl's short timeouts: a client).
fetch() { curl -sf --connect-timeout 1 --max-time 2 "${1:-$SERVICE_URL}"; }

# await_page TIMEOUT TEXT: poll the service until its page contains TEXT.
# The client runs on the node that is taking over, whose one vCPU the
# resource scripts need: until something listens on port 80 it checks
# with shell builtins, and curl runs only once Apache is up.  (The pause
# is sleep(1): bash's read -t times out by SIGALRM, which can outlive
# the read and kill the shell.)
await_page() {
	local deadline=$((SECONDS + $1))
	while [ $SECONDS -lt "$deadline" ]; do
		http_listening && fetch | grep -q "$2" && return 0
		sleep 0.2
	done
	echo "await_page: no page with '$2' within $1 s" >&2
	return 1
}

# http_listening: a socket listens on port 80 (hex 0050; state 0A is
# LISTEN in /proc/net/tcp{,6}).
http_listening() {
	local file local_addr state
	for file in /proc/net/tcp /proc/net/tcp6; do
		while read -r _ local_addr _ state _; do
			[ "${local_addr##*:}" = 0050 ] && [ "$state" = 0A ] && return 0
		done <"$file"
	done
	return 1
}

# rdbd_ready: the standard r0 up on this node (tests/vm/lib/guest.sh),
# without fresh metadata when KEEP_MD is set (after a reboot).  Its timers
# are conf/rdbd.conf's: rdbd must see a dead peer (ping-int + ping-timeout,
# 1.5 s) about when heartbeat does (deadtime), as rdbd-heartbeat will not
# promote while rdbd still sees the peer connected and Primary.  So is its
# fencing (HB_FENCING, default resource-and-stonith; dont-care turns it
# off): rdbd-heartbeat fence-peer outdates the peer over heartbeat's links.
rdbd_ready() {
	local fencing=${HB_FENCING:-resource-and-stonith}
	{ [ -d /sys/module/rdbd ] ||
		insmod "$RDBD_KO" usermode_helper="$RDBD_BUILD_DIR/bin/rdbdadm"; } &&
		RDBD_NET_TIMERS='connect-int 2; ping-int 1; ping-timeout 5; timeout 9;' \
		RDBD_RES_EXTRA="disk { fencing $fencing; } handlers { fence-peer \"$RDBD_BUILD_DIR/bin/rdbd-heartbeat fence-peer\"; after-resync-target \"echo \$DRBD_RESOURCE >>/run/rdbd-after-resync-target\"; }" \
		write_conf &&
		{ [ -n "${KEEP_MD:-}" ] || rdbdadm create-md --force r0 >/dev/null; } &&
		rdbdadm up r0
}
