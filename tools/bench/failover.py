"""The failover row of the benchmark: rdbd-heartbeat with keepalive 200ms
and deadtime 1s moves the README's web service (rdbddisk, Filesystem,
IPaddr2, apache2) after a power cut of the node serving it.

failover_s: host seconds from the power cut (SIGKILL of corman's QEMU)
until rabius serves the page through the service address; it includes one
guest command round trip (well under a second) and every resource script,
each slowed by TCG.
"""
import os
import subprocess
import time

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VM = os.path.join(REPO, "tools", "vm", "vm")
HB_GUEST = os.path.join(REPO, "tests", "vm", "failover", "hb-guest.sh")
KEEPALIVE, DEADTIME = "200ms", "1"


def _cluster(on):
    hb = f". {HB_GUEST}; "
    for node in ("corman", "rabius"):
        on(node, hb + "rdbd_ready")
    on("corman", "rdbdadm wait-connect --timeout 60 r0 && "
       "rdbdadm primary --force r0 && rdbdadm wait-sync --timeout 300 r0 && "
       "mkfs.ext4 -q /dev/rdbd0 && mkdir -p /data && mount /dev/rdbd0 /data && "
       "mkdir -p /data/www && echo '<h1>bench page</h1>' >/data/www/index.html && "
       "umount /data && rdbdadm secondary r0")
    for node in ("corman", "rabius"):
        on(node, hb + f"hb_install {KEEPALIVE} {DEADTIME} && hb_start")
    on("corman", hb + "hb_await 300 'group[\"local\"]' held")
    on("rabius", hb + "hb_await 60 'group[\"held_by\"]' corman")


def _reset(on):
    """Back to two clean nodes: rabius releases and takes r0 down, corman
    boots again on its disks."""
    on("rabius", f". {HB_GUEST}; hb_stop && rdbdadm down r0")
    subprocess.run([VM, "start", "corman"], check=True)


HB_LOG = "/var/log/rdbd-heartbeat.log"
# The takeover's steps in rabius's log: where the seconds went.
TAKEOVER_STEPS = ("is dead|not taking|taking|running /|is running here|"
                  "failed")


def _log_lines(on):
    return int(on("rabius", f"wc -l <{HB_LOG} 2>/dev/null || echo 0"))


def _takeover_steps(on, after_line):
    return on("rabius", f"tail -n +{after_line + 1} {HB_LOG} | "
              f"grep -E '{TAKEOVER_STEPS}' || true").rstrip()


def measure_failover(on, runs, log):
    seconds = []
    for run in range(runs):
        _cluster(on)
        before = _log_lines(on)
        cut = time.monotonic()
        subprocess.run([VM, "kill", "corman"], check=True)
        on("rabius", f". {HB_GUEST}; await_page 300 'bench page'")
        seconds.append(time.monotonic() - cut)
        log(f"failover run {run + 1}: {seconds[-1]:.1f} s; rabius's log:\n"
            + _takeover_steps(on, before))
        _reset(on)
    return seconds
