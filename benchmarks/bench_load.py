"""Benchmark loading a four-source generated log at 100k and 1M events (and more): CPU, wall, RSS.

Usage::

    .venv/bin/python benchmarks/bench_load.py [--orders 6320 63200] [--repeat 2] [--data DIR]
                                              [--code DIR] [--sources FILE.toml ...]

The logs
--------
``procmine generate --orders N --seed 7`` (ERP, WMS + pick lists, billing, returns: about
15.8 events per order, so 6,320 orders give about 100k events and 63,200 about 1M), made
once under ``--data`` (default ``benchmarks/results/data``, git-ignored) and reused.

The measurement
---------------
Each load runs in a fresh interpreter: ``procmine.log.load.load(sources.toml)`` after the
imports, timed inside the child (CPU time is user + system of every thread, as
``time.process_time`` counts it; the machine is shared, so CPU time is the figure to
compare). Peak RSS is the child's high-water mark (imports included). With ``--repeat N``
each size keeps its fastest round (by CPU). The growth per 10x events is the ratio of
CPU time per event between consecutive sizes, scaled to 10x: 10 means linear.
``--code DIR`` loads with the ``procmine`` package found in DIR instead (for example an
older commit exported with ``git archive COMMIT procmine | tar -x -C DIR``), to compare
before and after on the same logs in the same minute.
Target (issue 12): about 3-4 s CPU at 1M, linear in events.

Each round also prints the CPU time split into user and system time, with the page
faults: on a busy machine the system time (the kernel handing out fresh pages, reclaiming
page cache to do so) grows faster than the events do, while the user time stays linear;
compare user time when the system time of two runs differs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, os, resource, sys, time, warnings
os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
t0 = time.perf_counter()
from procmine.log.load import load
t1 = time.perf_counter()
wall, cpu = time.perf_counter(), time.process_time()
before = resource.getrusage(resource.RUSAGE_SELF)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    log = load(sys.argv[1])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF)
peak = after.ru_maxrss * 1024
read = sum(s.rows_read for s in log.sources)
loaded = sum(s.rows_loaded for s in log.sources)
rejected = sum(s.rows_rejected for s in log.sources)
print(json.dumps({"events": log.n_events, "cpu": cpu, "wall": wall, "peak": peak,
                  "user": after.ru_utime - before.ru_utime,
                  "sys": after.ru_stime - before.ru_stime,
                  "faults": after.ru_minflt - before.ru_minflt,
                  "imports": t1 - t0, "read": read, "loaded": loaded,
                  "rejected": rejected}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[6_320, 63_200])
    parser.add_argument("--sources", type=Path, nargs="+", default=None,
                        help="Sources files to load instead of generated ones (e.g. "
                             "bench_report's cache of 1M and 5M events), smallest first.")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "results" / "data")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="Folder holding the procmine package to measure.")
    args = parser.parse_args(argv)
    code = args.code.resolve()

    best: dict[int, dict[str, float]] = {}
    given = {i: path for i, path in enumerate(args.sources or [])}
    if given:
        args.orders = list(given)
    for orders in args.orders:
        sources = given[orders] if given else prepare(args.data, orders)
        for round_ in range(args.repeat):
            result = _run(sources.resolve(), code)
            if result["read"] != result["loaded"] + result["rejected"]:
                print(f"ROWS DO NOT ADD UP at {sources}: {result}")
                return 1
            print(f"{sources.parent.name}, round {round_ + 1}: {result['events']:,} events, "
                  f"{result['cpu']:.2f} s CPU ({result['user']:.2f} user + "
                  f"{result['sys']:.2f} system, {result['faults']:,} page faults), "
                  f"{result['wall']:.2f} s wall, peak {result['peak'] / 2**20:,.0f} MB",
                  flush=True)
            if orders not in best or result["cpu"] < best[orders]["cpu"]:
                best[orders] = result
    print()
    print(f"{'events':>12s} {'CPU s':>8s} {'user s':>8s} {'wall s':>8s} {'peak MB':>9s} "
          f"{'CPU us/event':>13s} {'growth per 10x':>15s} {'(user)':>7s}")
    previous = None
    for orders in args.orders:
        r = best[orders]
        per_event = r["cpu"] / r["events"] * 1e6
        growth = user_growth = ""
        if previous is not None:
            scale = math.log10(r["events"] / previous["events"])
            if scale:
                growth = f"{(r['cpu'] / previous['cpu']) ** (1 / scale):.1f}"
                user_growth = f"{(r['user'] / previous['user']) ** (1 / scale):.1f}"
        print(f"{int(r['events']):12,d} {r['cpu']:8.2f} {r['user']:8.2f} {r['wall']:8.2f} "
              f"{r['peak'] / 2**20:9,.0f} {per_event:13.2f} {growth:>15s} {user_growth:>7s}")
        previous = r
    return 0


def prepare(folder: Path, orders: int) -> Path:
    """The sources file of a generated log of ``orders`` orders, seed 7 (made once)."""
    target = folder / f"load_{orders}_orders"
    sources = target / "sources.toml"
    if sources.exists():
        return sources
    import procmine

    folder.mkdir(parents=True, exist_ok=True)
    print(f"generating {orders:,} orders ...", flush=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        procmine.generate(orders=orders, seed=7, out=scratch)
        os.replace(scratch, target)
        os.makedirs(scratch)  # for the context manager to remove
    return sources


def _run(sources: Path, code: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(sources)], capture_output=True,
                          text=True, cwd=code,
                          env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed to load {sources} (exit {done.returncode})")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    sys.exit(main())
