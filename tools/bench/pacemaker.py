"""The Pacemaker rows of the benchmark: the README's web service
(Filesystem on /data, IPaddr2 10.99.0.10, Apache) under Corosync 3 (knet,
token 1000 ms) and Pacemaker 2.1, configured with crm from
tests/vm/pcmk/cluster.crm, on a promotable clone of

  pcmk-rdbd     ocf:rdbd:rdbd over rdbd
  pcmk-drbd84   ocf:linbit:drbd over DRBD 8.4 (drbd-utils)

Everything else is the same for both: the guests (booted afresh for each
row), the disks, the clone's meta attributes (notify=true, which
ocf:linbit:drbd needs), the group, the network timers (ping-int 1 s,
ping-timeout 0.5 s, connect-int 2 s), protocol C.

failover_s: host seconds from the power cut of the Promoted node (SIGKILL
of its QEMU) until the survivor serves the page through the service
address: Corosync's token loss, the scheduler, the disk agent's promote
(with notifications), then Filesystem, IPaddr2 and apache starts.  Each
run cuts the node that is Promoted, brings it back on its disks, and
waits until it has rejoined and resynced before the next run.
"""
import os
import secrets
import base64
import subprocess
import time

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VM = os.path.join(REPO, "tools", "vm", "vm")
PCMK_GUEST = os.path.join(REPO, "tests", "vm", "pcmk", "pcmk-guest.sh")
NODES = ("corman", "rabius")
# The rdbd test timers (conf/rdbd.conf), given to DRBD as well.
NET_TIMERS = "connect-int 2; ping-int 1; ping-timeout 5; timeout 9;"


class PcmkRdbd:
    name = "rdbd"
    configure = "pcmk_configure"

    def load(self, keep_md):
        return ("load_rdbd && "
                f"RDBD_NET_TIMERS='{NET_TIMERS}' write_conf" +
                ("" if keep_md else
                 " && rdbdadm create-md --force r0 >/dev/null"))

    up = "rdbdadm up r0"
    down = "rdbdadm down r0"
    primary = "rdbdadm primary --force r0"
    wait_sync = "rdbdadm wait-sync --timeout 300 r0 >/dev/null"
    device = "/dev/rdbd0"
    synced = "[ \"$(rdbdadm dstate r0)\" = UpToDate/UpToDate ]"


class PcmkDrbd84:
    name = "drbd84"
    configure = "pcmk_configure drbd84"

    def load(self, keep_md):
        conf = open(os.path.join(HERE, "drbd84.conf")).read()
        conf = (conf.replace("@PROTOCOL@", "C").replace("@DISK@", "/dev/vdb")
                .replace("@DISK_OPTS@", "")
                .replace("net {", "net { " + NET_TIMERS))
        # usermode_helper: as in the other DRBD rows, no handler runs.
        return ("modprobe drbd usermode_helper=/bin/true && "
                f"cat >/etc/drbd.conf <<'CONF'\n{conf}CONF\n" +
                ("true" if keep_md else
                 "drbdadm create-md --force r0 </dev/null >/dev/null 2>&1"))

    up = "drbdadm up r0"
    down = "drbdadm down r0"
    primary = "drbdadm primary --force r0"
    wait_sync = ("timeout 300 drbdsetup wait-sync 0; until grep -q "
                 "'cs:Connected .*ds:UpToDate/UpToDate' /proc/drbd; "
                 "do sleep 0.2; done")
    device = "/dev/drbd0"
    # in pcmk_await's single quotes: double quotes only
    synced = 'grep -q "cs:Connected .*ds:UpToDate/UpToDate" /proc/drbd'


def implementation(row):
    return PcmkDrbd84() if row == "pcmk-drbd84" else PcmkRdbd()


def _pcmk(on, node, script, timeout=600):
    return on(node, f". {PCMK_GUEST}; {script}", timeout)


def _join(on, impl, node, key, keep_md):
    _pcmk(on, node, f"{impl.load(keep_md)} && pcmk_install {key} && "
          "pcmk_seed_cib && pcmk_start")


def _cluster(on, impl, key):
    """Fresh guests; the disk synced with ext4 and the bench page; the
    cluster formed and configured; the page served."""
    subprocess.run([VM, "kill", "corman"], check=True)
    subprocess.run([VM, "kill", "rabius"], check=True)
    subprocess.run([VM, "start", *NODES], check=True)
    for node in NODES:
        _pcmk(on, node, impl.load(keep_md=False) + " && " + impl.up)
    on("corman", f"{impl.primary} && {impl.wait_sync} && "
       f"mkfs.ext4 -q {impl.device} && mkdir -p /data && "
       f"mount {impl.device} /data && mkdir -p /data/www && "
       "echo '<h1>bench page</h1>' >/data/www/index.html && umount /data")
    for node in NODES:
        on(node, impl.down)
    for node in NODES:
        _pcmk(on, node, f"pcmk_install {key} && pcmk_seed_cib && pcmk_start")
    _pcmk(on, "corman", f"pcmk_await 180 both_online && {impl.configure} "
          ">/dev/null && pcmk_await 300 'promoted_node >/dev/null'")
    # await_page watches the node's own port 80: ask the Promoted one,
    # which Pacemaker chose (either: both disks are UpToDate).
    promoted = _pcmk(on, "corman", "promoted_node").strip()
    _pcmk(on, promoted, "await_page 300 'bench page'")


def measure_pacemaker(row, on, runs, log):
    impl = implementation(row)
    key = base64.b64encode(secrets.token_bytes(256)).decode()
    _cluster(on, impl, key)
    seconds = []
    for run in range(runs):
        promoted = _pcmk(on, "corman", "promoted_node").strip()
        survivor = "rabius" if promoted == "corman" else "corman"
        cut = time.monotonic()
        subprocess.run([VM, "kill", promoted], check=True)
        _pcmk(on, survivor, "await_page 300 'bench page'")
        seconds.append(time.monotonic() - cut)
        log(f"{row} run {run + 1}: {seconds[-1]:.1f} s ({promoted} cut, "
            f"{survivor} took over)")
        # The cut node returns on its disks, rejoins and resyncs.
        subprocess.run([VM, "start", promoted], check=True)
        _join(on, impl, promoted, key, keep_md=True)
        _pcmk(on, survivor, f"pcmk_await 300 both_online && "
              f"pcmk_await 300 '{impl.synced}'")
    return seconds
