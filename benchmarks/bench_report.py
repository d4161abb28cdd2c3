"""Benchmark ``procmine report`` end to end on generated four-source logs: 100k, 1M, 5M events.

Usage::

    .venv/bin/python benchmarks/bench_report.py [--sizes 100k,1M,5M] [--repeat 1]
        [--data DIR] [--engine pandas|duckdb]

The logs
--------
``procmine generate --orders N --seed 7`` (four system extracts: ERP sales orders, WMS
events with picklists, billing, returns, and the ``sources.toml`` that stitches them),
with N chosen for the event count (about 15.8 events per order). Each is made once and
reused (``--data``, default ``benchmarks/results/data``, git-ignored).

The measurement
---------------
``procmine report DIR/sources.toml --out OUT`` as a subprocess, timed from spawn to exit
(start-up, imports, reading the four extracts, stitching, validation, every analysis,
maps through Graphviz, tables, HTML). ``os.wait4`` gives the child's own CPU time (user +
system) and peak resident memory, so other processes on the machine do not count in the
memory figure. The report's own progress lines are kept, and the slowest stages are
printed with each run. With ``--repeat N`` each size keeps its fastest round.

Printed: events, wall, CPU, peak RSS, the targets (DESIGN.md: 1M under 15 s and 2 GB;
5M under 75 s; cost linear in events) and the growth of wall and CPU per 10x events.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: ``procmine generate --orders 63200 --seed 7`` gives 1,001,791 events.
EVENTS_PER_ORDER = 1_001_791 / 63_200
PROCMINE = [sys.executable, "-m", "procmine"]
TARGETS = {1_000_000: (15.0, 2048.0), 5_000_000: (75.0, None)}


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def _generated(events: int, data: Path) -> Path:
    orders = max(1, round(events / EVENTS_PER_ORDER))
    folder = data / f"report_{orders}_orders"
    done = folder / ".complete"
    if not done.exists():
        print(f"generating {orders:,} orders into {folder} ...", flush=True)
        started = time.perf_counter()
        subprocess.run([*PROCMINE, "generate", "--orders", str(orders), "--seed", "7",
                        "--out", str(folder), "-q"], check=True)
        done.write_text(f"{orders}\n", encoding="utf-8")
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return folder / "sources.toml"


def _run(sources: Path, out: Path, engine: str) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, stderr) of one ``procmine report`` in a fresh process."""
    command = [*PROCMINE, "report", str(sources), "--out", str(out)]
    if engine != "pandas":
        command += ["--engine", engine]
    env = {**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"}
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env, text=True)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"procmine report failed ({child.returncode}):\n{errors}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, errors


_STAGE = re.compile(r"^report \d+/\d+: (?P<name>.+): (?P<seconds>[\d.]+) s", re.M)


def _stages(errors: str) -> str:
    found = [(m["name"], float(m["seconds"])) for m in _STAGE.finditer(errors)]
    found.sort(key=lambda pair: -pair[1])
    return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in found[:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M,5M")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "results" / "data")
    parser.add_argument("--engine", default="pandas", choices=("pandas", "duckdb", "spark"))
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    rows = []
    for events in (_size(s) for s in args.sizes.split(",")):
        sources = _generated(events, args.data)
        best = None
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                measured = _run(sources, Path(tmp) / "report", args.engine)
            if best is None or measured[0] < best[0]:
                best = measured
        assert best is not None
        wall, cpu, rss, errors = best
        target = TARGETS.get(events)
        verdict = ""
        if target:
            limit_s, limit_mb = target
            ok = wall < limit_s and (limit_mb is None or rss < limit_mb)
            verdict = (f"  target < {limit_s:.0f} s" + (f", < {limit_mb / 1024:.0f} GB"
                                                        if limit_mb else "")
                       + (": met" if ok else ": NOT met"))
        print(f"{events:>11,} events  {wall:7.1f} s wall  {cpu:7.1f} s CPU  {rss:7.0f} MB peak"
              f"{verdict}", flush=True)
        print(f"{'':>19}slowest stages: {_stages(errors)}", flush=True)
        rows.append((events, wall, cpu))
    for (e0, w0, c0), (e1, w1, c1) in itertools.pairwise(rows):
        scale = e1 / e0
        print(f"growth {e0:,} -> {e1:,} events (x{scale:.0f}): wall x{w1 / w0:.1f}, "
              f"CPU x{c1 / c0:.1f} (per 10x events: wall x{(w1 / w0) ** (1 / _log10(scale)):.1f},"
              f" CPU x{(c1 / c0) ** (1 / _log10(scale)):.1f})")


def _log10(x: float) -> float:
    import math

    return math.log10(x)


if __name__ == "__main__":
    main()
