"""The benchmark's recovery rows: bitmap resync and activity-log overhead.

Both run on rdbd and on DRBD 8.4 with the same steps, through the
implementation's connect/wait_synced/disconnect/counters (bench.py), with
corman as the Primary.

Resync ("resync-rdbd", "resync-drbd84"): a synced pair on /dev/vdb (256
MiB), the peer disconnected, exactly 16 MiB written in 4 KiB blocks at
seeded random offsets (fio's random map: no block twice; the same seeds
and offsets for both), then connect:

  resync_s      connect -> connected with both disks UpToDate, measured
                in the guest
  connect_s     ... of which connect -> connected (the handshake)
  resync_kib    data payload corman sent meanwhile: rdbd's
                resync_sent_kib delta; DRBD's /proc/drbd ns: delta (ns
                counts the data blocks of application and resync writes,
                and nothing else writes during the resync; 8.4 zeroes it
                when the connection is made, so its value after the
                resync is the resync's alone)
  wire_kib      bytes through corman's replication interface meanwhile,
                both directions: headers, bitmap exchange, acks included
  dirty_kib     out-of-sync KiB on corman before the connect (16384)

Activity log ("al-rdbd", "al-drbd84"): al-extents 67 on both (DRBD 8.4's
minimum, which rdbd accepts too), so the AL covers 67 x 4 MiB = 268 MiB.
A 256 MiB disk would fit in it whole, so these rows replicate a 512 MiB
dm-linear concatenation of /dev/vdb and /dev/vdc.  Then fio 4k random
writes (O_DIRECT, iodepth 1, seeded, the same job for both): per data
write, the AL transactions and bitmap block writes on the Primary
(rdbd: al_writes and bitmap_writes of `status --json`; DRBD: al: and bm:
of /proc/drbd) over a measured job of AL_WRITES writes, after a warm-up
job on the same working set:

  md_per_write_wide    (al + bm) per write, working set 480 MiB: 120
                       extents, more than the AL holds
  al_per_write_wide    ... the AL transactions alone
  bm_per_write_wide    ... the bitmap writes alone
  md_per_write_narrow  (al + bm) per write, working set 128 MiB: 32
                       extents, inside the AL
"""
import json
import os

RESYNC_FIGURES = ["resync_s", "connect_s", "resync_kib", "wire_kib",
                  "dirty_kib"]
AL_FIGURES = ["md_per_write_wide", "al_per_write_wide", "bm_per_write_wide",
              "md_per_write_narrow"]
RESYNC_DIRTY_MIB = 16
AL_EXTENTS = 67
AL_WARMUP = 256            # 4k writes before each measured job
AL_WRITES = 1024           # 4k writes in each measured job
AL_DM = "/dev/mapper/benchal"


def fio_writes(on, device, size, io_kib, seed, depth):
    """fio 4k random writes of @io_kib in the first @size of @device, each
    block at most once; return how many writes it issued."""
    out = on("corman", f"fio --name=w --filename={device} --rw=randwrite "
                       f"--bs=4k --direct=1 --ioengine=libaio "
                       f"--iodepth={depth} --size={size} "
                       f"--io_size={io_kib}k --randseed={seed} "
                       "--output-format=json")
    return json.loads(out[out.index("{"):])["jobs"][0]["write"]["total_ios"]


def link_bytes(on, node):
    """rx + tx bytes so far of @node's interface on the replication link."""
    return int(on(node, "i=$(ip -o -4 addr show | awk '/ 10\\.99\\.1\\./ "
                        "{ print $2; exit }'); "
                        "s=/sys/class/net/$i/statistics; "
                        "echo $(( $(cat $s/rx_bytes) + $(cat $s/tx_bytes) ))"))


def check(cond, what):
    if not cond:
        raise RuntimeError(f"bench: {what}")


def timed_resync(impl, on):
    """Seconds from connect to connected, and to both disks UpToDate."""
    out = on("corman", f"t0=$EPOCHREALTIME; {impl.connect}; "
                       f"{impl.wait_connected}; t1=$EPOCHREALTIME; "
                       f"{impl.wait_synced}; t2=$EPOCHREALTIME; "
                       "echo $t0 $t1 $t2")
    t0, t1, t2 = (float(t) for t in out.split()[-3:])
    return t1 - t0, t2 - t0


def measure_resync(impl, runs, on, outdir):
    """The resync figures; corman's kernel log after each resync lands in
    @outdir/<resync-rdbd|resync-drbd84>-<run>.dmesg, for the timeline."""
    impl.setup("C")
    impl.full_sync_seconds()
    figures = {f: [] for f in RESYNC_FIGURES}
    for run in range(runs):
        impl.disconnect()
        n = fio_writes(on, impl.device, "240M", RESYNC_DIRTY_MIB * 1024,
                       1000 + run, 16)
        before = impl.counters()
        check(n * 4 == RESYNC_DIRTY_MIB * 1024 and
              before["oos_kib"] == n * 4,
              f"{n} writes left {before['oos_kib']} KiB out of sync, "
              f"expected {RESYNC_DIRTY_MIB} MiB")
        wire = link_bytes(on, "corman")
        connect_s, seconds = timed_resync(impl, on)
        wire = link_bytes(on, "corman") - wire
        after = impl.counters()
        check(after["synced"] and after["oos_kib"] == 0,
              f"not in sync after the resync: {after}")
        figures["resync_s"].append(seconds)
        figures["connect_s"].append(connect_s)
        with open(os.path.join(outdir, f"resync-{impl.name}-{run}.dmesg"),
                  "w") as f:
            f.write(on("corman", "dmesg | tail -n 60"))
        figures["resync_kib"].append(after["resync_kib"] - (
            0 if impl.counters_zeroed_on_connect else before["resync_kib"]))
        figures["wire_kib"].append(wire / 1024)
        figures["dirty_kib"].append(before["oos_kib"])
    impl.teardown()
    return figures


def make_al_disk(on):
    """/dev/mapper/benchal: /dev/vdb followed by /dev/vdc, on both nodes."""
    for node in ("corman", "rabius"):
        on(node, "modprobe dm_mod; export DM_DISABLE_UDEV=1; "
                 "dmsetup remove benchal 2>/dev/null || true; "
                 "b=$(blockdev --getsz /dev/vdb); "
                 "c=$(blockdev --getsz /dev/vdc); "
                 "printf '0 %s linear /dev/vdb 0\\n%s %s linear /dev/vdc 0\\n' "
                 "$b $b $c | dmsetup create benchal; "
                 f"test -b {AL_DM}")


def remove_al_disk(on):
    for node in ("corman", "rabius"):
        on(node, "DM_DISABLE_UDEV=1 dmsetup remove benchal")


def md_per_write(impl, on, size, seed):
    """Metadata writes per 4k data write over AL_WRITES writes to the
    first @size of the device, after AL_WARMUP writes there."""
    fio_writes(on, impl.device, size, AL_WARMUP * 4, seed + 500, 1)
    before = impl.counters()
    n = fio_writes(on, impl.device, size, AL_WRITES * 4, seed, 1)
    after = impl.counters()
    al = (after["al"] - before["al"]) / n
    bm = (after["bm"] - before["bm"]) / n
    return al, bm


def measure_al(impl, runs, on):
    make_al_disk(on)
    try:
        impl.setup("C", disk=AL_DM, al_extents=AL_EXTENTS)
        impl.full_sync_seconds()
        figures = {f: [] for f in AL_FIGURES}
        for run in range(runs):
            al, bm = md_per_write(impl, on, "480M", 2000 + run)
            figures["md_per_write_wide"].append(al + bm)
            figures["al_per_write_wide"].append(al)
            figures["bm_per_write_wide"].append(bm)
            al, bm = md_per_write(impl, on, "128M", 3000 + run)
            figures["md_per_write_narrow"].append(al + bm)
        impl.teardown()
    finally:
        remove_al_disk(on)
    return figures
