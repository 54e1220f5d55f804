#!/usr/bin/env python3
"""The benchmark's tables, from its results.json.

bench.py writes results.md with them; `report.py RESULTS_DIR` prints the
same tables, without the title and the ratio list, for the README's
benchmark section, so that section is reproducible from a run's JSON.
"""
import json
import os
import sys

# (figure, column header) of each table; a row shows in a table when it
# has any of the table's figures.
MAIN = [("seq_write_mib_s", "seq write MiB/s"),
        ("seq_host_cpu_pct", "host CPU %"),
        ("rand_iops", "4k sync IOPS"),
        ("rand_lat_mean_us", "4k mean µs"),
        ("rand_lat_p99_us", "4k p99 µs"),
        ("sync_mib_s", "full sync MiB/s"),
        ("failover_s", "failover s")]
RESYNC = [("resync_s", "resync s"),
          ("connect_s", "of which connect s"),
          ("resync_kib", "resync data KiB"),
          ("wire_kib", "link KiB, both ways"),
          ("dirty_kib", "dirty KiB before")]
AL = [("md_per_write_wide", "(AL + bitmap) / write, 480 MiB set"),
      ("al_per_write_wide", "AL / write, 480 MiB"),
      ("bm_per_write_wide", "bitmap / write, 480 MiB"),
      ("md_per_write_narrow", "(AL + bitmap) / write, 128 MiB set")]
NAMES = {"raw-disk": "raw disk", "raw-link": "raw link", "rdbd-A": "rdbd A",
         "rdbd-B": "rdbd B", "rdbd-C": "rdbd C", "drbd84-A": "DRBD 8.4 A",
         "drbd84-C": "DRBD 8.4 C", "resync-rdbd": "rdbd C",
         "resync-drbd84": "DRBD 8.4 C", "al-rdbd": "rdbd C",
         "al-drbd84": "DRBD 8.4 C", "failover": "rdbd-heartbeat",
         "pcmk-rdbd": "Pacemaker + rdbd", "pcmk-drbd84": "Pacemaker + DRBD 8.4"}
# Issue 4's goal: the same dirty set in no more time and no more bytes.
GOALS = [("resync-rdbd/resync-drbd84 resync_s", "resync time"),
         ("resync-rdbd/resync-drbd84 resync_kib", "resync data bytes")]


def number(v):
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 1:
        return f"{v:.1f}"
    return f"{v:.3f}"


def cell(s):
    if s is None:
        return "–"
    return f"{number(s['median'])} ({number(s['min'])}–{number(s['max'])})"


def table(results, columns):
    rows = [r for r, figs in results.items()
            if any(figs.get(f) for f, _ in columns)]
    if not rows:
        return []
    lines = ["| row | " + " | ".join(h for _, h in columns) + " |",
             "| --- " * (len(columns) + 1) + "|"]
    for r in rows:
        lines.append(f"| {NAMES.get(r, r)} | " + " | ".join(
            cell(results[r].get(f)) for f, _ in columns) + " |")
    return lines + [""]


def goals(rats):
    """Lines saying whether each goal is met (ratio of medians <= 1)."""
    lines = []
    for key, what in GOALS:
        if key in rats:
            verdict = "pass" if rats[key] <= 1 else "FAIL"
            lines.append(f"- {what}: rdbd/DRBD {rats[key]:.2f}× → {verdict}")
    return lines + [""] if lines else []


def tables(results, rats):
    return "\n".join(table(results, MAIN) + table(results, RESYNC) +
                     table(results, AL) + goals(rats))


def markdown(results, rats, meta):
    head = [f"# rdbd benchmark, {meta['date']}", "",
            f"{meta['runs']} runs per figure: median (min–max). "
            "Two QEMU/TCG guests, 1 vCPU each; disks /dev/vdb (raw file, "
            "cache=none); replication link through the harness relay.", "",
            "Host CPU: how busy the host's cores were during the "
            "sequential write (100 = all of them): TCG guests are "
            "CPU-bound where it nears 100.", ""]
    tail = ["| ratio (medians) | value |", "| --- | --- |"]
    tail += [f"| {k} | {v:.3f} |" for k, v in rats.items()]
    return "\n".join(head) + "\n" + tables(results, rats) + "\n" + \
        "\n".join(tail) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_DIR")
    with open(os.path.join(sys.argv[1], "results.json")) as f:
        d = json.load(f)
    print(tables(d["results"], d["ratios"]), end="")


if __name__ == "__main__":
    main()
