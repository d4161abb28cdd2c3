"""Benchmark the analysis steps of ``procmine report`` one by one, at 100k, 1M (and 5M) events.

Usage::

    .venv/bin/python benchmarks/bench_report_analysis.py [--sizes 100k,1M] [--data DIR]
        [--repeat 1] [--json out.json] [--logs A.pkl,B.pkl]

The logs
--------
The four-source logs of ``benchmarks/bench_report.py`` (``procmine generate --orders N
--seed 7``, about 15.8 events per order, made once under ``--data``, default
``benchmarks/results/data``, git-ignored). Each is loaded once with ``procmine.load`` and
the loaded :class:`~procmine.EventLog` kept beside it as a pickle (``analysis_log.pkl``),
so the steps are measured without the loading (that is ``bench_report.py``'s and
``bench_cli.py``'s part). ``--logs`` measures pickled EventLogs given instead (one per
size, smallest first; ``--sizes`` is then ignored).

The measurement
---------------
Each size runs in a fresh subprocess that unpickles the log, runs every step once on a
small log (the first 2,000 events: imports and first-call set-up are not timed), then
runs the steps in the order ``build_report`` runs them, on the same log, each timed
with ``time.process_time`` (CPU: user + system, all threads) and ``time.perf_counter``
(wall). Later steps reuse what earlier ones keep per log (the log's codes, working
times, planned dates, item keys), as they do in a report, and Arrow allocates from the
system allocator as in ``build_report`` (``procmine.io._memory.reusing_memory``):

==============  ==============================================================
step            call
==============  ==============================================================
process map     ``procmine.discovery.dfg.process_map(log)``
handoffs        ``handoffs(log, level="department", costs=costs)``
rework          ``rework(log, level="department", costs=costs)``
episodes        ``episodes(log, costs=costs)``
re-entry        ``reentry(log, level="department", costs=costs)``
candidates      ``candidates(log, reentry=found, costs=costs)``
projection      ``project(log, paying candidates' moves, costs=costs, reentry=found)``
==============  ==============================================================

Printed: CPU and wall seconds per step and size, the analysis total, and the growth
per 10x events of each (``(t2 / t1) ** (1 / log10(n2 / n1))``: 10 means linear). The
target (issue 12): about 6 s CPU for the analysis at 1M events, linear in events.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_report import _generated, _size  # noqa: E402  (the same generated logs)

STEPS = ("process map", "handoffs", "rework", "episodes", "re-entry", "candidates",
         "projection")


def _loaded(sources: Path) -> Path:
    """The loaded log of ``sources``, pickled beside it (made once, in a subprocess)."""
    path = sources.parent / "analysis_log.pkl"
    if not path.exists():
        print(f"loading {sources} ...", flush=True)
        code = ("import pickle, sys, procmine as pm\n"
                "log = pm.load(sys.argv[1])\n"
                "pickle.dump(log, open(sys.argv[2] + '.tmp', 'wb'), protocol=5)\n")
        subprocess.run([sys.executable, "-c", code, str(sources), str(path)], check=True,
                       env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
        Path(str(path) + ".tmp").rename(path)
    return path


def _steps(log, costs):  # type: ignore[no-untyped-def]
    """The steps, in build_report's order: (name, callable of the results so far)."""
    from procmine.analysis.candidates import candidates
    from procmine.analysis.episodes import episodes
    from procmine.analysis.handoffs import handoffs
    from procmine.analysis.projection import project
    from procmine.analysis.reentry import reentry
    from procmine.analysis.rework import rework
    from procmine.discovery.dfg import process_map

    def projection(done):  # type: ignore[no-untyped-def]
        found = done["candidates"]
        paying = found.table.index[found.table["annual_saving"] > 0]
        return project(log, [found.moves[i] for i in paying], costs=costs,
                       reentry=done["re-entry"])

    return [
        ("process map", lambda done: process_map(log)),
        ("handoffs", lambda done: handoffs(log, level="department", costs=costs).table),
        ("rework", lambda done: rework(log, level="department", costs=costs).table),
        ("episodes", lambda done: episodes(log, costs=costs).table),
        ("re-entry", lambda done: reentry(log, level="department", costs=costs)),
        ("candidates", lambda done: candidates(log, reentry=done["re-entry"], costs=costs)),
        ("projection", projection),
    ]


def _child(path: Path) -> None:
    """Time every step on the pickled log at ``path``; print one JSON line."""
    from procmine.analysis.costs import CostModel
    from procmine.io._memory import reusing_memory

    with open(path, "rb") as f:
        log = pickle.load(f)
    costs = CostModel.default()
    small = log.with_events(log.events.iloc[:2000])
    with reusing_memory():  # as build_report runs the analyses
        done: dict = {}
        for name, step in _steps(small, costs):  # warm-up: imports, first calls
            done[name] = step(done)
        done = {}
        out = {"events": int(log.n_events), "steps": {}}
        for name, step in _steps(log, costs):
            cpu, wall = time.process_time(), time.perf_counter()
            done[name] = step(done)
            out["steps"][name] = {"cpu_s": time.process_time() - cpu,
                                  "wall_s": time.perf_counter() - wall}
    print(json.dumps(out), flush=True)


def _growth(a: tuple[int, float], b: tuple[int, float]) -> float:
    (n1, t1), (n2, t2) = a, b
    if t1 <= 0 or n2 == n1:
        return math.nan
    return (t2 / t1) ** (1.0 / math.log10(n2 / n1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "results" / "data")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--logs", help="pickled EventLogs to measure instead, comma-separated")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child)
        return
    args.data.mkdir(parents=True, exist_ok=True)
    results = []
    paths = ([Path(p) for p in args.logs.split(",")] if args.logs else
             [_loaded(_generated(_size(s), args.data)) for s in args.sizes.split(",")])
    for path in paths:
        best = None
        for _ in range(args.repeat):
            run = subprocess.run([sys.executable, __file__, "--child", str(path)],
                                 check=True, capture_output=True, text=True,
                                 env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
            measured = json.loads(run.stdout.strip().splitlines()[-1])
            total = sum(s["cpu_s"] for s in measured["steps"].values())
            if best is None or total < best[0]:
                best = (total, measured)
        assert best is not None
        results.append(best[1])
        print(f"{best[1]['events']:,} events: analysis {best[0]:.2f} s CPU", flush=True)
    header = f"{'step':<14}" + "".join(f"{r['events']:>12,} ev (cpu / wall)" for r in results)
    if len(results) > 1:
        header += "   growth/10x cpu, wall"
    print(header)
    for name in (*STEPS, "cand + proj", "analysis"):
        def get(r: dict, key: str, name: str = name) -> float:
            if name == "analysis":
                return sum(s[key] for s in r["steps"].values())
            if name == "cand + proj":  # the report's "candidates and projection" stage
                return r["steps"]["candidates"][key] + r["steps"]["projection"][key]
            return r["steps"][name][key]
        line = f"{name:<14}" + "".join(
            f"{get(r, 'cpu_s'):>14.2f} / {get(r, 'wall_s'):>6.2f} s" for r in results)
        if len(results) > 1:
            first, last = results[0], results[-1]
            line += "   " + ", ".join(
                f"{_growth((first['events'], get(first, k)), (last['events'], get(last, k))):.1f}"
                for k in ("cpu_s", "wall_s"))
        print(line)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
