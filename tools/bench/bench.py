#!/usr/bin/env python3
"""rdbd benchmark: rdbd against the raw disk, the raw link and DRBD 8.4.

Boots the two test guests once and measures, on the same disks (/dev/vdb on
both nodes) and the same replication link (10.99.1.0/24) for every row:

  seq_write_mib_s   fio sequential write, bs=1M, O_DIRECT
  rand_iops         fio 4k random write, O_DIRECT + O_SYNC, iodepth 1
  rand_lat_mean_us  ... its mean completion latency
  rand_lat_p99_us   ... its 99th percentile
  sync_mib_s        initial full sync of the whole device (replicated rows)
  failover_s        power cut -> web page served again by the peer
                    (row "failover": rdbd-heartbeat, keepalive 200ms,
                    deadtime 1s; see failover.py; rows "pcmk-rdbd" and
                    "pcmk-drbd84": Corosync + Pacemaker, token 1000 ms,
                    ocf:rdbd:rdbd or ocf:linbit:drbd; see pacemaker.py)

Recovery rows (recovery.py, protocol C, rdbd and DRBD 8.4 each):

  resync-*          16 MiB written at random while disconnected from a
                    synced 256 MiB pair, then connect: resync seconds,
                    data KiB sent, link KiB
  al-*              metadata writes (activity log + bitmap) per 4k random
                    data write, al-extents 67, working sets outside and
                    inside the activity log

Rows: the raw backing disk, the raw guest-to-guest TCP link (netprobe.py:
MiB/s of a 256 MiB stream; its 4k "IOPS" and latencies are round trips), rdbd under protocols A, B and C, and
the kernel's own DRBD 8.4 driven by drbd-utils under protocols A and C.
Each figure is measured RUNS times and reported as min, median and max;
ratios compare medians.  Results: a markdown table and a JSON file.

usage: bench.py [--runs N] [--rows raw-disk,raw-link,rdbd-A,...] OUTDIR
"""
import argparse
import datetime
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

from failover import measure_failover
from pacemaker import measure_pacemaker
from recovery import (AL_FIGURES, RESYNC_FIGURES, measure_al,
                      measure_resync)
import report

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VM = os.path.join(REPO, "tools", "vm", "vm")
GUEST_LIB = os.path.join(REPO, "tests", "vm", "lib", "guest.sh")
NODES = ("rabius", "corman")
# The failover rows power-cut nodes and boot them again: they run last.
ROWS = ["raw-disk", "raw-link", "rdbd-A", "rdbd-B", "rdbd-C",
        "drbd84-A", "drbd84-C", "resync-rdbd", "resync-drbd84",
        "al-rdbd", "al-drbd84", "failover", "pcmk-rdbd", "pcmk-drbd84"]
FIGURES = [f for f, _ in report.MAIN]
FIO_SEQ = ("--name=seq --rw=write --bs=1M --direct=1 --ioengine=libaio "
           "--iodepth=4 --size=128M --output-format=json")
FIO_RAND = ("--name=rand --rw=randwrite --bs=4k --direct=1 --sync=1 "
            "--ioengine=psync --iodepth=1 --size=128M --runtime=8 "
            "--time_based --output-format=json")


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def on(node, script, timeout=300):
    """Run a bash script in a guest; return its output, raise on failure."""
    full = f". {shlex.quote(GUEST_LIB)}; set -e; {script}"
    p = subprocess.run([VM, "run", node, "-t", str(timeout), "--", full],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{node}: `{script}` failed ({p.returncode}):\n"
                           f"{p.stdout}{p.stderr}")
    return p.stdout


def fio_json(node, device, args):
    """Run fio in @node; return the job's write stats."""
    out = on(node, f"fio --filename={device} {args}")
    return json.loads(out[out.index("{"):])["jobs"][0]["write"]


def host_cpu_ticks():
    """(busy, total) jiffies of the whole host, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]                    # idle + iowait
    return sum(fields) - idle, sum(fields)


class HostCpu:
    """How busy the host's cores were, in percent, over a `with` block:
    the profile that tells a CPU-bound figure (TCG) from a latency-bound
    one.  100 means every host core was busy."""

    def __enter__(self):
        self.start = host_cpu_ticks()
        return self

    def __exit__(self, *exc):
        busy, total = host_cpu_ticks()
        self.pct = 100.0 * (busy - self.start[0]) / max(1, total - self.start[1])


def seq_write(node, device):
    """MiB/s, and the host's CPU use meanwhile."""
    with HostCpu() as cpu:
        bw = fio_json(node, device, FIO_SEQ)["bw"] / 1024   # KiB/s -> MiB/s
    return bw, cpu.pct


def rand_write(node, device):
    w = fio_json(node, device, FIO_RAND)
    clat = w["clat_ns"]
    return {"rand_iops": w["iops"],
            "rand_lat_mean_us": w["lat_ns"]["mean"] / 1000,
            "rand_lat_p99_us": clat["percentile"]["99.000000"] / 1000}


def timed_sync(node, start, wait):
    """Seconds from @start (making this node SyncSource) to @wait's end,
    measured inside the guest."""
    out = on(node, f"t0=$EPOCHREALTIME; {start}; {wait}; "
                   f"awk \"BEGIN {{ print $EPOCHREALTIME - $t0 }}\"")
    return float(out.split()[-1])


# ---------------------------------------------------------------- the rows

class Replicated:
    """A replicated block device on /dev/vdb of both nodes."""
    device = None
    data_mib = None

    def setup(self, protocol):
        raise NotImplementedError

    def full_sync_seconds(self):
        raise NotImplementedError

    def teardown(self):
        raise NotImplementedError


class Rdbd(Replicated):
    device = "/dev/rdbd0"

    def setup(self, protocol, disk="/dev/vdb", al_extents=None):
        self.protocol = protocol
        self.disk = disk
        self.disk_opts = f" al-extents {al_extents};" if al_extents else ""
        for node in ("corman", "rabius"):
            on(node, "lsmod | grep -q '^rdbd ' || load_rdbd")

    def _config(self):
        return (f"cat >/etc/rdbd.conf <<'CONF'\n"
                f"resource r0 {{\n device /dev/rdbd0; disk {self.disk}; "
                f"meta-disk internal;\n net {{ protocol {self.protocol}; "
                f"connect-int 1; ping-int 10; ping-timeout 5; timeout 5; }}\n"
                # The DRBD rows' rate settings (drbd84.conf): no cap.
                f" disk {{ c-plan-ahead 0; resync-rate 4194304;{self.disk_opts} }}\n"
                f" on corman {{ address 10.99.1.1:7789; }}\n"
                f" on rabius {{ address 10.99.1.2:7789; }}\n}}\nCONF\n")

    def full_sync_seconds(self):
        # Both down before either comes up again: a node with new meta
        # data must never meet the other's old UpToDate Primary.
        for node in NODES:
            on(node, self._config() + "rdbdadm down r0 2>/dev/null || true")
        for node in NODES:
            on(node, "rdbdadm create-md --force r0 >/dev/null; rdbdadm up r0")
        on("corman", "rdbdadm wait-connect --timeout 60 r0")
        self.data_mib = int(on("corman", "cat /sys/block/rdbd0/size")) / 2048
        return timed_sync("corman", "rdbdadm primary --force r0",
                          "rdbdadm wait-sync --timeout 600 r0")

    # The resync and activity-log rows (recovery.py): corman is Primary.
    name = "rdbd"
    connect = "rdbdadm connect r0"
    wait_connected = "rdbdadm wait-connect --timeout 60 r0"
    counters_zeroed_on_connect = False      # status counts since `up`
    wait_synced = "rdbdadm wait-sync --timeout 600 r0"

    def disconnect(self):
        on("corman", "rdbdadm disconnect r0")

    def counters(self):
        """corman's resync payload sent, out-of-sync KiB and metadata
        writes, from `rdbdadm status --json`."""
        s = json.loads(on("corman", "rdbdadm status --json r0"))[0]
        return {"resync_kib": s["resync_sent_kib"],
                "oos_kib": s["out_of_sync_kib"],
                "al": s["al_writes"], "bm": s["bitmap_writes"],
                "synced": (s["connection_state"], s["disk_state"],
                           s["peer_disk_state"]) ==
                          ("Connected", "UpToDate", "UpToDate")}

    def teardown(self):
        for node in ("corman", "rabius"):
            on(node, "rdbdadm down r0")


class Drbd84(Replicated):
    device = "/dev/drbd0"

    def setup(self, protocol, disk="/dev/vdb", al_extents=None):
        conf = open(os.path.join(HERE, "drbd84.conf")).read()
        conf = conf.replace("@PROTOCOL@", protocol).replace("@DISK@", disk)
        conf = conf.replace("@DISK_OPTS@", f" al-extents {al_extents};"
                            if al_extents else "")
        for node in ("corman", "rabius"):
            # usermode_helper: else every resync waits ~150 ms for
            # "drbdadm before-resync-*" helpers that do nothing here.
            on(node, "lsmod | grep -q '^drbd ' || "
                     "modprobe drbd usermode_helper=/bin/true; "
                     f"cat >/etc/drbd.conf <<'CONF'\n{conf}CONF\n")

    def full_sync_seconds(self):
        # As for rdbd: DRBD 8.4 meeting its old Primary with new meta data
        # ends in "I shall become SyncSource, but I am inconsistent!".
        for node in NODES:
            on(node, "drbdadm down r0 2>/dev/null || true")
        for node in NODES:
            on(node, "drbdadm create-md --force r0 </dev/null >/dev/null 2>&1; "
                     "drbdadm up r0")
        on("corman", "drbdsetup wait-connect-resource r0 2>/dev/null || "
                     "drbdsetup wait-connect 0")
        self.data_mib = int(on("corman", "cat /sys/block/drbd0/size")) / 2048
        return timed_sync("corman", "drbdadm primary --force r0",
                          "timeout 300 drbdsetup wait-sync 0")

    name = "drbd84"
    connect = "drbdadm connect r0"
    wait_connected = "drbdsetup wait-connect 0"
    counters_zeroed_on_connect = True       # /proc/drbd ns:, nr:
    # wait-sync may return before the handshake: wait for the state too.
    wait_synced = ("timeout 300 drbdsetup wait-sync 0; "
                   "until grep -q 'cs:Connected .*ds:UpToDate/UpToDate' "
                   "/proc/drbd; do sleep 0.05; done")

    def disconnect(self):
        on("corman", "drbdadm disconnect r0")

    def counters(self):
        """corman's /proc/drbd: ns (KiB of data blocks sent: application
        and resync writes; none of the former during a resync), oos, al
        (activity-log transactions) and bm (bitmap block writes)."""
        text = on("corman", "cat /proc/drbd")
        f = dict(re.findall(r"\b(ns|oos|al|bm):(\d+)", text))
        return {"resync_kib": int(f["ns"]), "oos_kib": int(f["oos"]),
                "al": int(f["al"]), "bm": int(f["bm"]),
                "synced": re.search(r"cs:Connected .*ds:UpToDate/UpToDate",
                                    text) is not None}

    def teardown(self):
        for node in ("corman", "rabius"):
            on(node, "drbdadm down r0")


def implementation(row):
    return Drbd84() if "drbd84" in row else Rdbd()


def measure_replicated(impl, protocol, runs):
    impl.setup(protocol)
    figures = {f: [] for f in FIGURES}
    for _ in range(runs):
        seconds = impl.full_sync_seconds()
        figures["sync_mib_s"].append(impl.data_mib / seconds)
    for _ in range(runs):
        bw, cpu = seq_write("corman", impl.device)
        figures["seq_write_mib_s"].append(bw)
        figures["seq_host_cpu_pct"].append(cpu)
        for k, v in rand_write("corman", impl.device).items():
            figures[k].append(v)
    impl.teardown()
    return figures


def measure_raw_disk(runs):
    figures = {f: [] for f in FIGURES}
    for _ in range(runs):
        bw, cpu = seq_write("corman", "/dev/vdb")
        figures["seq_write_mib_s"].append(bw)
        figures["seq_host_cpu_pct"].append(cpu)
        for k, v in rand_write("corman", "/dev/vdb").items():
            figures[k].append(v)
    return figures


def measure_raw_link(runs):
    """TCP from corman to rabius on the replication link (netprobe.py)."""
    probe = os.path.join(HERE, "netprobe.py")
    on("rabius", f"background /tmp/netprobe.log python3 {probe} serve 8765")
    figures = {f: [] for f in FIGURES}
    for _ in range(runs):
        with HostCpu() as cpu:
            out = on("corman", f"python3 {probe} stream 10.99.1.2 8765 256")
        figures["seq_write_mib_s"].append(float(out))
        figures["seq_host_cpu_pct"].append(cpu.pct)
        rt = json.loads(on("corman", f"python3 {probe} pingpong 10.99.1.2 8765 2000"))
        figures["rand_iops"].append(rt["iops"])
        figures["rand_lat_mean_us"].append(rt["mean_us"])
        figures["rand_lat_p99_us"].append(rt["p99_us"])
    on("rabius", "pkill -f 'netprobe.py serve' || true")
    return figures


# ----------------------------------------------------------------- report

def summarize(values):
    if not values:
        return None
    return {"min": min(values), "median": statistics.median(values),
            "max": max(values), "runs": values}


def ratio(results, a, b, figure):
    try:
        return (results[a][figure]["median"] / results[b][figure]["median"])
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def ratios(results):
    r = {}
    for proto in ("A", "C"):
        for fig in (f for f in FIGURES if f != "seq_host_cpu_pct"):
            r[f"rdbd-{proto}/drbd84-{proto} {fig}"] = ratio(
                results, f"rdbd-{proto}", f"drbd84-{proto}", fig)
    for proto in ("A", "B", "C"):
        for fig in ("seq_write_mib_s", "rand_iops"):
            r[f"rdbd-{proto}/raw-disk {fig}"] = ratio(
                results, f"rdbd-{proto}", "raw-disk", fig)
    for fig in RESYNC_FIGURES[:-1]:  # not dirty_kib: the same by design
        r[f"resync-rdbd/resync-drbd84 {fig}"] = ratio(
            results, "resync-rdbd", "resync-drbd84", fig)
    for fig in AL_FIGURES:
        r[f"al-rdbd/al-drbd84 {fig}"] = ratio(
            results, "al-rdbd", "al-drbd84", fig)
    r["pcmk-rdbd/pcmk-drbd84 failover_s"] = ratio(
        results, "pcmk-rdbd", "pcmk-drbd84", "failover_s")
    try:
        floor = min(results["raw-disk"]["seq_write_mib_s"]["median"],
                    results["raw-link"]["seq_write_mib_s"]["median"])
        r["rdbd-C/min(raw-disk,raw-link) seq_write_mib_s"] = (
            results["rdbd-C"]["seq_write_mib_s"]["median"] / floor)
    except (KeyError, TypeError):
        pass
    return {k: v for k, v in r.items() if v is not None}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rows", default=",".join(ROWS))
    p.add_argument("outdir")
    a = p.parse_args()
    # The failover row power-cuts corman: keep it after the others.
    rows = sorted(a.rows.split(","),
                  key=lambda r: ROWS.index(r) if r in ROWS else 0)
    unknown = set(rows) - set(ROWS)
    if unknown:
        sys.exit(f"bench: unknown rows {sorted(unknown)} (known: {ROWS})")
    os.makedirs(a.outdir, exist_ok=True)
    os.environ["RDBD_VM_DIR"] = os.path.join(a.outdir, "vm")
    subprocess.run([VM, "stop-all"], check=False)
    subprocess.run([VM, "start", "corman", "rabius"], check=True)
    results = {}
    try:
        for row in rows:
            log(f"measuring {row}")
            t0 = time.monotonic()
            if row == "raw-disk":
                figs = measure_raw_disk(a.runs)
            elif row == "raw-link":
                figs = measure_raw_link(a.runs)
            elif row == "failover":
                figs = {"failover_s": measure_failover(on, a.runs, log)}
            elif row.startswith("pcmk-"):
                figs = {"failover_s": measure_pacemaker(row, on, a.runs,
                                                        log)}
            elif row.startswith("resync-"):
                figs = measure_resync(implementation(row), a.runs, on,
                                      a.outdir)
            elif row.startswith("al-"):
                figs = measure_al(implementation(row), a.runs, on)
            else:
                figs = measure_replicated(implementation(row), row[-1],
                                          a.runs)
            results[row] = {f: summarize(v) for f, v in figs.items() if v}
            log(f"{row} done in {time.monotonic() - t0:.0f} s")
    finally:
        subprocess.run([VM, "check-log", "corman", "rabius"], check=False)
        subprocess.run([VM, "stop-all"], check=False)
    meta = {"date": datetime.datetime.now(datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"), "runs": a.runs}
    rats = ratios(results)
    with open(os.path.join(a.outdir, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results, "ratios": rats}, f,
                  indent=2)
    md = report.markdown(results, rats, meta)
    with open(os.path.join(a.outdir, "results.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
