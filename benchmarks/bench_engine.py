"""50M generated events through the embedded engine (DuckDB, spilling to disk): time, memory, spill.

Two steps, so the big input is never held in memory and the run's peak memory is the
engine's alone:

    # 1. write ~50M canonical events as Parquet part files (a few generated logs at
    #    different seeds and start dates, each repeated with shifted case ids and times)
    .venv/bin/python benchmarks/bench_engine.py generate --events 50000000 \
        --out /tmp/procmine-bench-engine
    # 2. run handoffs, re-entry, KPIs (and the report's other tables) on them
    /usr/bin/time -v .venv/bin/python benchmarks/bench_engine.py run \
        --input /tmp/procmine-bench-engine --memory-limit 8GB --threads 2

``run`` prints one line per kernel with its wall time, the process's peak RSS so far
(``resource.getrusage``) and the peak size of DuckDB's spill directory (sampled every
0.2 s while the kernel runs), then a summary line. ``--check`` also compares the
engine's tables with the in-memory kernels on the first part file (a correctness
spot check on real size; the full comparison lives in tests/test_engine_parity.py).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import procmine as pm  # noqa: E402
from procmine import engine as pe  # noqa: E402
from procmine.generate import generate  # noqa: E402

WEEK_US = 7 * 86_400_000_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _base(orders: int, seed: int, start: str, work: Path) -> tuple[pa.Table, list]:
    """One generated log, loaded and validated in memory, as an Arrow table of canonical
    columns (``timestamp`` as UTC microseconds, ``seq`` = input order)."""
    folder = work / f"base-{seed}"
    generate(orders, seed=seed, out=folder, start=start)
    log = pm.load(folder / "sources.toml")
    events = log.events.copy()
    events["party"] = events["party"].astype("str")
    if "seq" not in events.columns:
        events["seq"] = np.arange(len(events), dtype=np.int64)
    for column in events.columns:
        if events[column].dtype == object:
            events[column] = events[column].astype("str")
    table = pa.Table.from_pandas(events, preserve_index=False)
    return table, list(log.items)


def _shifted(table: pa.Table, k: int, offset: int) -> pa.Table:
    """The table as repeat ``k``: case and event ids suffixed, times ``k`` weeks later
    (whole weeks keep the working-time calendar), ``seq`` after the earlier parts."""
    import pyarrow.compute as pc

    suffix = f"~{k}"
    columns = {}
    for name in table.column_names:
        column = table[name]
        if name in ("case_id", "event_id"):
            column = pc.binary_join_element_wise(column, pa.scalar(suffix), "")
        elif name == "timestamp":
            micros = pc.cast(column, pa.timestamp("us", tz="UTC")).cast(pa.int64())
            column = pc.add(micros, k * WEEK_US).cast(pa.timestamp("us", tz="UTC"))
        elif name == "seq":
            column = pc.add(column, offset)
        columns[name] = column
    return pa.table(columns)


def cmd_generate(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = out / "_generated"
    started = time.perf_counter()
    bases = []
    for i in range(args.bases):
        start = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=91 * i)).strftime("%Y-%m-%d")
        table, items = _base(args.orders, 1000 + i, start, work)
        bases.append(table)
        print(f"base {i}: {table.num_rows:,} events ({time.perf_counter() - started:.1f} s)",
              flush=True)
    per_round = sum(t.num_rows for t in bases)
    rounds = int(np.ceil(args.events / per_round))
    written, part, offset = 0, 0, 0
    for k in range(rounds):
        for table in bases:
            if written >= args.events:
                break
            piece = _shifted(table, k, offset)
            if written + piece.num_rows > args.events:
                piece = piece.slice(0, args.events - written)
            pq.write_table(piece, out / f"part-{part:04d}.parquet", compression="zstd")
            written += piece.num_rows
            offset += table.num_rows
            part += 1
        print(f"round {k + 1}/{rounds}: {written:,} events in {part} parts "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    meta = {"events": written, "parts": part, "items": [
        {"name": i.name, "owner": i.owner, "type": getattr(i, "type", "text")} for i in items]}
    (out / "items.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    size = sum(p.stat().st_size for p in out.glob("part-*.parquet"))
    print(f"wrote {written:,} events in {part} part files, {size / 1e9:.2f} GB, "
          f"{time.perf_counter() - started:.1f} s", flush=True)


class _SpillWatch:
    """Peak bytes in DuckDB's spill directory, sampled in a thread while a step runs."""

    def __init__(self, backend: object) -> None:
        self.backend = backend
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            try:
                self.peak = max(self.peak, self.backend.spill_bytes())  # type: ignore[attr-defined]
            except OSError:
                pass

    def __enter__(self) -> _SpillWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cmd_run(args: argparse.Namespace) -> None:
    folder = Path(args.input)
    meta = json.loads((folder / "items.json").read_text(encoding="utf-8"))
    items = [pm.InformationItem(i["name"], i["owner"], type=i["type"]) for i in meta["items"]]
    began = time.perf_counter()
    elog = pe.load(folder, engine="duckdb", items=items, memory_limit=args.memory_limit,
                   temp_directory=args.temp_directory, name="bench")
    if args.threads:
        elog.backend.execute(f"SET threads = {int(args.threads)}")
    results: dict[str, object] = {}
    spill_peak = 0

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        nonlocal spill_peak
        t = time.perf_counter()
        with _SpillWatch(elog.backend) as watch:
            value = fn()
        spill_peak = max(spill_peak, watch.peak)
        rows = len(value) if hasattr(value, "__len__") else value
        print(f"{name:<28} {time.perf_counter() - t:8.1f} s   rows {rows!s:>10}   "
              f"peak RSS {_rss_mb():8.0f} MB   spill peak {watch.peak / 1e9:6.2f} GB",
              flush=True)
        results[name] = value
        return value

    step("count events", lambda: elog.n_events)
    step("handoffs (department)", lambda: pe.handoffs_table(elog, level="department"))
    step("re-entry (department)",
         lambda: pe.reentry_tables(elog, level="department")["summary"])
    step("KPIs (orders, daily, weekly)", lambda: pe.kpi_tables(elog)["weekly"])
    if not args.core_only:
        step("DFG", lambda: pe.dfg_tables(elog)["edges"])
        step("rework", lambda: pe.rework_tables(elog)["table"])
        step("handoffs (resource)", lambda: pe.handoffs_table(elog, level="resource"))
    total = time.perf_counter() - began
    print(f"TOTAL {elog.n_events:,} events, {elog.n_cases:,} orders: {total:.1f} s wall, "
          f"peak RSS {_rss_mb():.0f} MB, spill peak {spill_peak / 1e9:.2f} GB "
          f"(memory_limit {args.memory_limit})", flush=True)
    handoff = results["handoffs (department)"]
    print(f"department handoffs: {int(handoff['count'].sum()):,} on {len(handoff)} edges; "
          f"re-entry patterns: {len(results['re-entry (department)'])}; "
          f"weeks: {len(results['KPIs (orders, daily, weekly)'])}", flush=True)
    elog.close()
    if args.check:
        _check(folder, items)


def _check(folder: Path, items: list) -> None:
    """The engine and the in-memory kernels on the first part file: equal tables."""
    from procmine.analysis.handoffs import handoffs

    first = sorted(folder.glob("part-*.parquet"))[0]
    frame = pd.read_parquet(first)
    log = pm.EventLog.from_frame(frame.drop(columns=["seq"]), items=items)
    with pe.from_log(log, engine="duckdb") as elog:
        got = pe.handoffs_table(elog).sort_values(["source", "target"]).reset_index(drop=True)
    want = handoffs(log).table.sort_values(["source", "target"]).reset_index(drop=True)
    assert got["count"].tolist() == want["count"].tolist()
    np.testing.assert_allclose(got["median_wait_s"], want["median_wait_s"], atol=1e-6)
    print(f"check on {first.name}: handoff tables equal ({len(got)} edges)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the big input as Parquet part files")
    g.add_argument("--events", type=int, default=50_000_000)
    g.add_argument("--orders", type=int, default=50_000, help="orders per generated log")
    g.add_argument("--bases", type=int, default=4, help="generated logs (seeds, start dates)")
    g.add_argument("--out", default="/tmp/procmine-bench-engine")
    r = sub.add_parser("run", help="run the kernels on the part files with DuckDB")
    r.add_argument("--input", default="/tmp/procmine-bench-engine")
    r.add_argument("--memory-limit", default="8GB")
    r.add_argument("--temp-directory", default=None)
    r.add_argument("--threads", type=int, default=2)
    r.add_argument("--core-only", action="store_true",
                   help="only handoffs, re-entry and KPIs")
    r.add_argument("--check", action="store_true")
    args = parser.parse_args()
    {"generate": cmd_generate, "run": cmd_run}[args.command](args)


if __name__ == "__main__":
    main()
