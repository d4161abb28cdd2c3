"""Benchmark ``procmine handoffs`` end to end on a 1M-event CSV, beside the floor and pm4py.

Usage::

    .venv/bin/python benchmarks/bench_cli.py [--events 1000000] [--repeat 3] [--data DIR]

The file
--------
One canonical CSV (``case_id,activity,timestamp,resource,department``, ISO 8601 times
with their offset), flattened from ``procmine generate`` (the four extracts of
``--orders`` orders, seed 7, stitched by ``procmine.load``) and written in time order,
as an extract comes out of a system. It is made once and reused (``--data``, default
``benchmarks/results/data``, git-ignored; about 70 MB at 1M events).

The three measurements, in one run, each in its own fresh interpreter
---------------------------------------------------------------------
(a) ``procmine handoffs FILE.csv --case-id ... --level department --out OUT.csv`` as a
    subprocess: start-up, imports, reading, mapping, validation, the handoff table with
    waits and costs, writing. Wall time from spawn to exit.
(b) The floor: a Python script that imports pyarrow and numpy, reads the file with
    ``pyarrow.csv`` (typed timestamp column), sorts by case then time with numpy and
    counts the department changes between consecutive events of a case (events without
    a department skipped, as procmine does). Also timed from spawn to exit.
(c) pandas ``read_csv`` and pm4py's ``discover_handover_of_work_network`` (beta = 0) on
    the department column, rows without a department dropped: the count is pm4py's
    network times its normaliser (directly-following pairs, self-handovers included),
    self-handovers left out.

The three counts must be equal (exit 1 otherwise). With ``--repeat N`` the rounds run one
after the other and each measurement keeps its fastest round; CPU time (user + system of
the child) is printed beside the wall time, as it is less disturbed by a busy machine.
Target (DESIGN.md): (a) within 2x of (b).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ``procmine generate --orders 63200 --seed 7`` gives 1,001,791 events.
EVENTS_PER_ORDER = 1_000_000 / 63_200

FLOOR = textwrap.dedent("""
    import sys, time
    t0 = time.perf_counter()
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    t1 = time.perf_counter()
    table = pacsv.read_csv(sys.argv[1], convert_options=pacsv.ConvertOptions(
        column_types={"timestamp": pa.timestamp("us", "UTC")},
        include_columns=["case_id", "timestamp", "department"], strings_can_be_null=True))
    t2 = time.perf_counter()
    cases = pc.dictionary_encode(table["case_id"]).combine_chunks().indices.to_numpy()
    times = table["timestamp"].combine_chunks().cast(pa.int64()).to_numpy()
    departments = pc.dictionary_encode(table["department"]).combine_chunks()
    codes = departments.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    order = np.lexsort((times, cases))
    c, d = cases[order], codes[order]
    known = d >= 0
    c, d = c[known], d[known]
    count = int(np.count_nonzero((c[1:] == c[:-1]) & (d[1:] != d[:-1])))
    t3 = time.perf_counter()
    print(count, round(t1 - t0, 3), round(t2 - t1, 3), round(t3 - t2, 3))
""")

PM4PY = textwrap.dedent("""
    import os, sys, time, warnings
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    import pandas as pd
    import pm4py
    t1 = time.perf_counter()
    frame = pd.read_csv(sys.argv[1])
    frame = frame[frame["department"].notna()]
    frame = pd.DataFrame({"case:concept:name": frame["case_id"].astype(object),
                          "concept:name": frame["activity"].astype(object),
                          "time:timestamp": pd.to_datetime(frame["timestamp"], utc=True,
                                                           format="ISO8601"),
                          "org:resource": frame["department"].astype(object)})
    t2 = time.perf_counter()
    network = pm4py.discover_handover_of_work_network(frame, beta=0)
    t3 = time.perf_counter()
    dividend = len(frame) - frame["case:concept:name"].nunique()
    count = sum(round(v * dividend) for k, v in network.connections.items() if k[0] != k[1])
    print(count, round(t1 - t0, 3), round(t2 - t1, 3), round(t3 - t2, 3))
""")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "results" / "data")
    parser.add_argument("--skip-pm4py", action="store_true", help="Measure (a) and (b) only.")
    args = parser.parse_args(argv)

    csv = prepare(args.data, args.events)
    size_mb = csv.stat().st_size / 2**20
    print(f"file: {csv} ({size_mb:.0f} MB)")
    best: dict[str, tuple[float, float, int, str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "handoffs.csv"
        for round_ in range(args.repeat):
            runs = {
                "a": ([sys.executable, "-m", "procmine", "--quiet", "handoffs", str(csv),
                       "--case-id", "case_id", "--activity", "activity", "--timestamp",
                       "timestamp", "--resource", "resource", "--department", "department",
                       "--level", "department", "--out", str(out)], None),
                "b": ([sys.executable, "-c", FLOOR, str(csv)], None),
            }
            if not args.skip_pm4py:
                runs["c"] = ([sys.executable, "-c", PM4PY, str(csv)], None)
            for key, (command, _) in runs.items():
                wall, cpu, stdout = _run(command)
                count = _handoff_count(out) if key == "a" else int(stdout.split()[0])
                detail = "" if key == "a" else stdout.strip()
                if key not in best or wall < best[key][0]:
                    best[key] = (wall, cpu, count, detail)
                print(f"round {round_ + 1} ({key}): {wall:.2f} s wall, {cpu:.2f} s CPU, "
                      f"{count:,} handoffs", flush=True)
    return report(best)


def prepare(folder: Path, events: int) -> Path:
    """The canonical CSV of about ``events`` events (made once, then reused)."""
    csv = folder / f"events_{events}.csv"
    if csv.exists():
        return csv
    import pandas as pd

    import procmine

    folder.mkdir(parents=True, exist_ok=True)
    orders = max(1, round(events / EVENTS_PER_ORDER))
    print(f"generating {orders:,} orders ...", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        sample = procmine.generate(orders=orders, seed=7, out=scratch)
        log = procmine.load(sample.sources_file)
    frame = log.events[["case_id", "activity", "timestamp", "resource", "department"]]
    frame = frame.sort_values("timestamp", kind="stable")  # an extract in time order
    partial = csv.with_suffix(".part")
    pd.DataFrame(frame).to_csv(partial, index=False)
    os.replace(partial, csv)
    return csv


def _run(command: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(command[:4])} ... (exit {done.returncode})")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def _handoff_count(path: Path) -> int:
    import pandas as pd

    return int(pd.read_csv(path)["count"].sum())


def report(best: dict[str, tuple[float, float, int, str]]) -> int:
    names = {"a": "procmine handoffs (CLI, end to end)",
             "b": "pyarrow + numpy read-sort-count",
             "c": "pandas read_csv + pm4py handover network"}
    print()
    print(f"{'measurement':44s} {'wall s':>8s} {'CPU s':>8s} {'handoffs':>10s}")
    for key, (wall, cpu, count, _) in best.items():
        print(f"{names[key]:44s} {wall:8.2f} {cpu:8.2f} {count:10,}")
    for key, (_, _, _, detail) in best.items():
        if detail:
            _, imports, read, rest = detail.split()
            print(f"  ({key}) imports {imports} s, read {read} s, the rest {rest} s")
    a, b = best["a"], best["b"]
    print(f"(a) / (b): {a[0] / b[0]:.2f}x wall, {a[1] / b[1]:.2f}x CPU (target: within 2x)")
    if "c" in best:
        print(f"(c) / (a): procmine is {best['c'][0] / a[0]:.1f}x faster than pandas + pm4py "
              "end to end")
    counts = {key: value[2] for key, value in best.items()}
    if len(set(counts.values())) != 1:
        print(f"COUNTS DIFFER: {counts}")
        return 1
    print(f"counts equal: {a[2]:,} department handoffs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
