"""Benchmark the report's "writing maps" step at 100k and 1M events: time, Graphviz runs, growth.

Usage::

    .venv/bin/python benchmarks/bench_maps.py [--orders 6320,63200] [--repeat 2] [--data DIR]
    .venv/bin/python benchmarks/bench_maps.py --sources A/sources.toml,B/sources.toml

The logs
--------
``procmine generate --orders N --seed 7`` (four extracts and a sources file; 6,320
orders give about 100k events, 63,200 about 1M, as the report benchmark's log), made
once into ``--data`` (default ``benchmarks/results/data``, git-ignored) and reused; or
the sources files given with ``--sources`` (e.g. the 1M and 5M logs of
``bench_report.py``'s cache, ``benchmarks/results/data/report_63087_orders/sources.toml``
and ``report_315435_orders/sources.toml``).

The measurement, in a fresh interpreter per size and round
----------------------------------------------------------
The log is loaded and the report built (``procmine.report.build.build_report``), as
``procmine report`` does; then the map step alone is timed: ``report.write._svgs``, the
SVG of every map of the report (process map, handoff map, as-is / to-be pair), each
fitted to its A4 page. Printed per size: wall time, CPU time of this process (all its
threads) and of its Graphviz children (``dot`` layouts run on the other core while the
fitting goes on), the number of Graphviz runs by kind, and the growth of each figure
per 10x events (maps are drawn from small tables: it should stay near 1, never near
10), and the same per map: the process map, the handoff map and the as-is / to-be
pair (the report tries the pair left to right, then top to bottom when left to right
misses the page's 9 pt: each direction is shown with its own time and layouts). The
SVGs of each size are written under ``--data`` (``maps-<orders>/``, or
``maps-<folder of the sources file>/``), so that a change can be checked to leave
every map byte-identical (``diff -r``). With ``--repeat N`` each size keeps its
fastest round. On a machine others use, compare the CPU figures (this process's and
Graphviz's), measured in the same minute before and after a change.

Target (issue 12): the step at 1M events at most 1.5 s wall; at 5M no more than at 1M
plus the growth of the maps' own computation (the activity-filtered maps of the
as-is and to-be logs, made from every event).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _generate(orders: int, data: Path) -> Path:
    folder = data / f"generated-{orders}-seed7"
    sources = folder / "sources.toml"
    if not sources.exists():
        subprocess.run([sys.executable, "-m", "procmine", "generate", "--orders", str(orders),
                        "--seed", "7", "--out", str(folder)], check=True, cwd=ROOT)
    return sources


def _measure(sources: Path, out: Path, result: Path) -> None:
    """In this (fresh) interpreter: load, build the report, time the map step."""
    import collections

    runs: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    class Counted(subprocess.Popen):  # type: ignore[type-arg]
        """Every child process (subprocess.run starts one too), counted by its command."""

        def __init__(self, args, *rest, **kwargs):  # type: ignore[no-untyped-def]
            if isinstance(args, list | tuple) and args:
                # e.g. "dot -Kdot -Tjson0" (a layout), "dot -Kneato -Tsvg" (a drawing)
                kind = " ".join([os.path.basename(str(args[0])), *map(str, args[1:3])])
                with lock:
                    runs[kind] += 1
            super().__init__(args, *rest, **kwargs)

    subprocess.Popen = Counted  # type: ignore[misc]

    from procmine.log.load import load
    from procmine.render import _spec
    from procmine.report import write
    from procmine.report.build import build_report

    layouts = [0]
    laid_out = _spec._layout

    def counted_layout(source: str):  # type: ignore[no-untyped-def]
        with lock:
            layouts[0] += 1
        return laid_out(source)

    _spec._layout = counted_layout  # type: ignore[assignment]
    parts: dict[str, list[float]] = {}

    def timed(name: str, draw):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            key = f"{name} {kwargs['direction']}" if "direction" in kwargs else name
            start, n = time.perf_counter(), layouts[0]
            try:
                return draw(*args, **kwargs)
            finally:
                part = parts.setdefault(key, [0.0, 0])
                part[0] += time.perf_counter() - start
                part[1] += layouts[0] - n
        return run

    write.draw_map = timed("process map", write.draw_map)  # type: ignore[attr-defined]
    write.draw_handoff_map = timed("handoff map", write.draw_handoff_map)  # type: ignore[attr-defined]
    write.draw_projection = timed("pair", write.draw_projection)  # type: ignore[attr-defined]

    log = load(sources)
    report = build_report(log)
    before = os.times()
    t0 = time.perf_counter()
    svgs = write._svgs(report)
    wall = time.perf_counter() - t0
    after = os.times()
    out.mkdir(parents=True, exist_ok=True)
    for name, svg in svgs.items():
        (out / f"{name}.svg").write_text(svg, encoding="utf-8")
    result.write_text(json.dumps({
        "events": log.n_events,
        "wall_s": wall,
        "cpu_s": (after.user - before.user) + (after.system - before.system),
        "graphviz_cpu_s": ((after.children_user - before.children_user)
                           + (after.children_system - before.children_system)),
        "graphviz_runs": dict(runs),
        "parts": parts,
    }))


def _growth(small: float, large: float, events: tuple[int, int]) -> str:
    if small <= 0 or events[0] <= 0:
        return "–"
    per_10x = math.log(large / small) / math.log(events[1] / events[0]) if large > 0 else 0.0
    return f"{10 ** per_10x:.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", default="6320,63200",
                        help="orders per generated log (6320 ~ 100k events, 63200 ~ 1M)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size (fastest kept)")
    parser.add_argument("--data", type=Path, default=HERE / "results" / "data")
    parser.add_argument("--sources", help="sources files to measure (comma-separated), "
                        "instead of generating --orders")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--_measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._measure:
        sources, out, result = (Path(p) for p in args._measure)
        _measure(sources, out, result)
        return 0
    args.data.mkdir(parents=True, exist_ok=True)
    if args.sources:
        inputs = [(Path(p).resolve().parent.name, Path(p)) for p in args.sources.split(",")]
    else:
        inputs = [(str(n), _generate(int(n), args.data)) for n in args.orders.split(",")]
    records = []
    for label, sources in inputs:
        rounds = []
        for r in range(args.repeat):
            result = args.data / f"maps-{label}-{r}.json"
            subprocess.run([sys.executable, __file__, "--_measure", str(sources),
                            str(args.data / f"maps-{label}"), str(result)], check=True,
                           env={**os.environ, "PM4PY_SHOW_PROGRESS_BAR": "False"})
            rounds.append(json.loads(result.read_text()))
        best = min(rounds, key=lambda x: x["cpu_s"] + x["graphviz_cpu_s"])
        best["input"] = label
        records.append(best)
        runs = ", ".join(f"{n} x {kind}" for kind, n in sorted(best["graphviz_runs"].items()))
        print(f"{best['events']:>10,} events ({label}): maps {best['wall_s']:6.2f} s "
              f"wall, CPU {best['cpu_s']:5.2f} s + Graphviz {best['graphviz_cpu_s']:5.2f} s; "
              f"Graphviz runs: {sum(best['graphviz_runs'].values())} ({runs})", flush=True)
        print("    " + "; ".join(f"{name} {seconds:.2f} s, {n} layouts"
                                 for name, (seconds, n) in best["parts"].items()), flush=True)
    for small, large in itertools.pairwise(records):
        events = (small["events"], large["events"])
        n_runs = (sum(small["graphviz_runs"].values()), sum(large["graphviz_runs"].values()))
        print(f"growth per 10x events ({small['events']:,} -> {large['events']:,}): "
              f"wall {_growth(small['wall_s'], large['wall_s'], events)}, "
              f"CPU {_growth(small['cpu_s'], large['cpu_s'], events)}, "
              f"Graphviz CPU {_growth(small['graphviz_cpu_s'], large['graphviz_cpu_s'], events)}"
              f", runs {_growth(*n_runs, events)}")
    print(f"(load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs)")
    if args.json:
        args.json.write_text(json.dumps(records, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
