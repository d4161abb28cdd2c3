"""Benchmark procmine's handoff, re-entry and DFG steps beside pm4py, on 100k to 5M events.

Usage::

    .venv/bin/python benchmarks/bench_analysis.py --sizes 100k,1M,5M --repeat 3 --json out.json

The logs
--------
Built here by :func:`synthetic_log`, a fast numpy builder of *canonical* order-fulfilment
logs (not through ``procmine.generate``, whose multi-source CSV extracts would make a
5M-event run spend its time writing and parsing text rather than in the steps measured).
Orders follow one of ~40 variants of an order-to-cash process over 8 departments with
~20 people each plus system accounts: a credit check concurrent with picking, rework
loops, returns; 2 % of events lack a resource (they are skipped by procmine and dropped
from pm4py's input, where a missing resource would be a resource called ``nan``);
``delivery_address`` is entered by Sales and keyed in again by Shipping in a third of
the orders (re-entry's value path). Seeded, so every run measures the same logs.

Each measurement
----------------
``handoffs`` returns its table at once and builds ``.events`` (one row per handoff) and
``.graph`` on first access; both times are reported (``seconds`` and ``full_s``).

Runs in its own subprocess that first loads the prepared log from Parquet and runs the
step once on its first 2,000 events (neither timed: lazy imports and first-call set-up
are left out, for procmine and pm4py alike), then times the step with
``time.perf_counter`` and samples the process's resident memory (psutil, every 2 ms, in
a thread); ``peak_mb`` is the highest RSS during the step minus
the RSS before it; CPU time (``time.process_time``, all threads) is recorded beside the
wall-clock time, as it is less disturbed by other work on the machine. With
``--repeat N`` every step runs once per round, rounds one after the other (so a busy
machine slows procmine and pm4py alike), and the fastest time and the largest memory
of each step are kept.

Every procmine step is measured cold: the log is fresh from Parquet (the warm-up ran on
another frame, a copy of its first events), so the integer codes a step starts from
(case codes, activity and actor codes, kept per log by ``procmine.log.actors.LogArrays``
once made) are made inside the timed step, as on the first call in a notebook or a
batch run; nothing the step needs was built by loading. pm4py is handed its frame
(``case:concept:name`` and the other columns it reads) ready-made, untimed.

Steps, each beside pm4py's nearest equivalent:

=======================  =====================================================
procmine                 pm4py
=======================  =====================================================
``handoffs`` resource,   ``discover_handover_of_work_network`` (beta = 0)
department level
``reentry``              (none; timed with the handoffs, against the handover)
``process_map`` (DFG     ``discover_dfg`` (counts) and
with waits)              ``discover_performance_dfg`` (waits)
``rework``               ``get_rework_cases_per_activity``
``kpis``                 ``get_all_case_durations`` (the cycle time per order)
=======================  =====================================================

Results are checked equal: pm4py's handover network divided by its normaliser (the
number of directly-following pairs, self-handovers included) must give procmine's
resource-level edge counts, self-handovers excluded; pm4py's DFG must equal procmine's
edge counts, and its performance DFG's median and mean waits procmine's (to the
microsecond); pm4py's rework cases per activity must equal procmine's cases with a
repeat or redo of the activity; pm4py's case durations, sorted, must equal procmine's
cycle times per order.

Printed: a table of seconds and peak MB per step and size, the speed-up of procmine over
pm4py, and how time grows per 10x events (10 means linear).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEPARTMENTS = ["Sales", "Credit", "Warehouse", "Shipping", "Billing", "Customer Service",
               "Returns", "Purchasing"]
# activity -> department
ACTIVITIES = {
    "Receive order": "Sales", "Enter order": "Sales", "Change order": "Sales",
    "Check credit": "Credit", "Release credit block": "Credit",
    "Create pick list": "Warehouse", "Pick": "Warehouse", "Pack": "Warehouse",
    "Reorder item": "Purchasing", "Confirm supplier date": "Purchasing",
    "Book transport": "Shipping", "Ship": "Shipping", "Enter tracking number": "Shipping",
    "Create invoice": "Billing", "Send invoice": "Billing", "Payment received": "Billing",
    "Answer status query": "Customer Service", "Change delivery address": "Customer Service",
    "Register return": "Returns", "Inspect return": "Returns", "Refund": "Billing",
}
STEPS = ("handoffs_department", "handoffs_resource", "reentry", "dfg", "rework", "kpis",
         "pm4py_handover", "pm4py_dfg", "pm4py_performance_dfg", "pm4py_rework",
         "pm4py_case_durations")
#: procmine step -> pm4py's nearest equivalent (speed-ups and count checks pair them so)
PAIRS = (("handoffs_resource", "pm4py_handover"), ("handoffs_department", "pm4py_handover"),
         ("dfg", "pm4py_dfg"), ("dfg", "pm4py_performance_dfg"), ("rework", "pm4py_rework"),
         ("kpis", "pm4py_case_durations"))


# -- the synthetic log ------------------------------------------------------------------------
def _variants(rng: np.random.Generator, k: int = 40) -> list[list[str]]:
    """k order-fulfilment paths: a fixed spine with optional and swapped steps."""
    out = []
    for _ in range(k):
        path = ["Receive order", "Enter order"]
        if rng.random() < 0.2:
            path.append("Change order")
        middle = ["Check credit", "Create pick list"]
        if rng.random() < 0.5:
            middle.reverse()  # concurrent: either order
        path += middle
        if rng.random() < 0.2:
            path.append("Release credit block")
        if rng.random() < 0.15:
            path += ["Reorder item", "Confirm supplier date"]
        path += ["Pick", "Pack"]
        if rng.random() < 0.2:
            path += ["Pick", "Pack"]  # rework
        path += ["Book transport", "Ship"]
        if rng.random() < 0.5:
            path.append("Enter tracking number")
        if rng.random() < 0.3:
            path.append("Answer status query")
        if rng.random() < 0.1:
            path.insert(4, "Change delivery address")
        path += ["Create invoice", "Send invoice", "Payment received"]
        if rng.random() < 0.1:
            path += ["Register return", "Inspect return", "Refund"]
        out.append(path)
    return out


def synthetic_log(n_events: int, *, seed: int = 7) -> pd.DataFrame:
    """A canonical order-fulfilment event frame of about ``n_events`` events (vectorised)."""
    rng = np.random.default_rng(seed)
    variants = _variants(rng)
    names = np.array(list(ACTIVITIES))
    code = {a: i for i, a in enumerate(names)}
    act_dept = np.array([DEPARTMENTS.index(ACTIVITIES[a]) for a in names])
    lengths = np.array([len(v) for v in variants])
    weights = 1.0 / np.arange(1, len(variants) + 1) ** 0.8
    weights /= weights.sum()
    n_cases = max(1, round(n_events / float(lengths @ weights)))
    case_variant = rng.choice(len(variants), size=n_cases, p=weights)
    case_len = lengths[case_variant]
    n = int(case_len.sum())
    flat = np.concatenate([[code[a] for a in v] for v in variants])
    offsets = np.r_[0, np.cumsum(lengths)[:-1]]
    case_of = np.repeat(np.arange(n_cases), case_len)
    case_start = np.r_[0, np.cumsum(case_len)[:-1]]
    position = np.arange(n) - np.repeat(case_start, case_len)
    activity = flat[offsets[case_variant][case_of] + position]
    dept = act_dept[activity]
    # ~20 people per department; system accounts do 30 % of Sales/Billing/Shipping events
    resource = np.char.add(np.char.add(np.array(DEPARTMENTS)[dept].astype("U20"), "-"),
                           rng.integers(0, 20, n).astype("U3"))
    system = np.isin(dept, [0, 3, 4]) & (rng.random(n) < 0.3)
    resource = np.where(system, np.array(["EDI-GW", "WEBSHOP", "CARRIER-API", "ERP-BILL",
                                          "ERP"])[rng.integers(0, 5, n)], resource)
    resource = resource.astype(object)
    resource[rng.random(n) < 0.02] = None
    start_s = 1.70e9 + rng.integers(0, 365 * 86400, n_cases)
    gaps = rng.exponential(4 * 3600, n).astype(np.int64) + 1
    gaps[case_start] = 0
    within = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[case_start], case_len)
    seconds = np.repeat(start_s, case_len) + within
    address = np.full(n, None, dtype=object)
    entry = activity == code["Enter order"]
    address[entry] = np.char.add("Street ", case_of[entry].astype("U8"))
    rekey = (activity == code["Book transport"]) & (rng.random(n) < 0.33)
    typo = rng.random(n) < 0.1
    address[rekey] = np.char.add(np.where(typo[rekey], "Straat ", "STREET  "),
                                 case_of[rekey].astype("U8"))
    frame = pd.DataFrame({
        "case_id": pd.Series(np.char.add("SO-", case_of.astype("U8")), dtype="str"),
        "activity": pd.Series(names[activity], dtype="str"),
        "timestamp": pd.to_datetime(seconds, unit="s", utc=True),
        "resource": pd.Series(resource, dtype="str"),
        "department": pd.Series(np.array(DEPARTMENTS)[dept], dtype="str"),
        "automated": system,
        "source": pd.Series(np.array(["sales", "wms", "billing", "returns"])[
            np.minimum(dept // 2, 3)], dtype="str"),
        "delivery_address": pd.Series(address, dtype="str"),
    })
    return frame


# -- measurement in a subprocess -------------------------------------------------------------
class _Peak:
    """Highest RSS of this process while the block runs, sampled in a thread."""

    def __enter__(self) -> _Peak:
        import psutil

        self._proc = psutil.Process()
        self.before = self._proc.memory_info().rss
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.002)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def _pm4py():
    sys._pm4py_welcome_shown = True
    os.environ["PM4PY_SHOW_PROGRESS_BAR"] = "False"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py


def _pm4py_frame(events: pd.DataFrame, *, with_resource: bool) -> pd.DataFrame:
    frame = pd.DataFrame({
        "case:concept:name": events["case_id"].astype(object),
        "concept:name": events["activity"].astype(object),
        "time:timestamp": events["timestamp"],
    })
    if with_resource:
        frame["org:resource"] = events["resource"].astype(object)
        frame = frame[events["resource"].notna().to_numpy()].reset_index(drop=True)
    return frame


def _plain_dfg(events: pd.DataFrame) -> dict[tuple[str, str], int]:
    codes, names = pd.factorize(events["activity"])
    cases = pd.factorize(events["case_id"])[0]
    same = cases[1:] == cases[:-1]
    pair = codes[:-1][same] * len(names) + codes[1:][same]
    uniq, counts = np.unique(pair, return_counts=True)
    a, b = np.divmod(uniq, len(names))
    return dict(zip(zip(names[a], names[b], strict=True), counts.tolist(), strict=True))


def measure(step: str, data: Path, result_path: Path) -> None:
    """Run one step on the prepared log; write time, memory and counts to ``result_path``."""
    from procmine.io.result import InformationItem
    from procmine.log.eventlog import EventLog

    events = pd.read_parquet(data)
    items = (InformationItem("delivery_address", "customer"),)
    log = EventLog(events=events, items=items, name=data.stem)
    counts: object = None
    extra: dict[str, float] = {}
    # Warm-up: the same step once on the first 2,000 events, untimed, so that lazy
    # imports and first-call set-up are not counted (for procmine and pm4py alike).
    small = EventLog(events=events.head(2000).copy(), items=items, name="warm-up")
    if step.startswith("pm4py"):
        pm4py = _pm4py()
        frame = _pm4py_frame(events, with_resource=step == "pm4py_handover")
        warm = _pm4py_frame(small.events, with_resource=step == "pm4py_handover")
        _PM4PY_CALLS[step](pm4py, warm)
        del events, log
    elif step.startswith("handoffs"):
        from procmine.analysis.handoffs import handoffs as _warm

        _ = _warm(small, level=step.split("_")[1]).graph
    elif step == "reentry":
        from procmine.analysis.reentry import reentry as _warm

        _warm(small)
    elif step == "dfg":
        try:
            from procmine.discovery.dfg import process_map as _warm
        except ImportError:
            _plain_dfg(small.events)
        else:
            _warm(small)
    elif step == "rework":
        from procmine.analysis.rework import rework as _warm

        _warm(small)
    elif step == "kpis":
        from procmine.analysis.kpis import kpis as _warm

        _warm(small)
    del small
    if step == "handoffs_department" or step == "handoffs_resource":
        from procmine.analysis.handoffs import handoffs

        level = step.split("_")[1]
        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            result = handoffs(log, level=level)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
            _ = result.events, result.graph  # built on first access
            extra["full_s"] = time.perf_counter() - t0
        counts = {(s, t): int(c) for s, t, c in
                  result.table[["source", "target", "count"]].itertuples(index=False)}
    elif step == "reentry":
        from procmine.analysis.reentry import reentry

        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            result = reentry(log)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        counts = len(result.events)
    elif step == "dfg":
        try:
            from procmine.discovery.dfg import process_map
        except ImportError:
            process_map = None
        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            if process_map is not None:
                edges = process_map(log).edges
            else:
                plain = _plain_dfg(events)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        counts = ({(s, t): int(c) for s, t, c in
                   edges[["source", "target", "count"]].itertuples(index=False)}
                  if process_map is not None else plain)
        if process_map is not None:
            extra_counts = {(s, t): (float(m), float(a)) for s, t, m, a in edges[
                ["source", "target", "median_wait_s", "mean_wait_s"]].itertuples(index=False)}
            counts = {"count": counts, "waits": extra_counts}
    elif step == "rework":
        from procmine.analysis.rework import rework

        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            found = rework(log)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        again = found.events[found.events["kind"].isin(["repeat", "redo"])]
        counts = {str(a): int(n) for a, n in
                  again.groupby("activity")["case_id"].nunique().items()}
    elif step == "kpis":
        from procmine.analysis.kpis import kpis

        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            found = kpis(log)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        counts = sorted(found.orders["cycle_time_s"].tolist())
    elif step == "pm4py_handover":
        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            sna = pm4py.discover_handover_of_work_network(frame, beta=0)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        # Undo the normalisation: pm4py divides by the number of directly-following
        # resource pairs (self-handovers included) = events - cases of its input.
        dividend = len(frame) - frame["case:concept:name"].nunique()
        counts = {k: round(v * dividend) for k, v in sna.connections.items() if k[0] != k[1]}
        counts = {k: v for k, v in counts.items() if v}
    elif step.startswith("pm4py"):
        with _Peak() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            out = _PM4PY_CALLS[step](pm4py, frame)
            seconds = time.perf_counter() - t0
            extra["cpu_s"] = time.process_time() - c0
        if step == "pm4py_dfg":
            counts = {(str(a), str(b)): int(c) for (a, b), c in out[0].items()}
        elif step == "pm4py_performance_dfg":
            counts = {"waits": {(str(a), str(b)): (float(v["median"]), float(v["mean"]))
                                for (a, b), v in out[0].items()}}
        elif step == "pm4py_rework":
            counts = {str(a): int(n) for a, n in out.items()}
        else:  # pm4py_case_durations
            counts = sorted(float(v) for v in out)
    else:
        raise SystemExit(f"unknown step {step!r}; expected one of {', '.join(STEPS)}")
    with result_path.open("wb") as fh:
        pickle.dump({"seconds": seconds, "peak_mb": (mem.peak - mem.before) / 2**20,
                     "rss_mb": mem.peak / 2**20, "counts": counts, **extra}, fh)


_PM4PY_CALLS = {
    "pm4py_handover": lambda pm4py, f: pm4py.discover_handover_of_work_network(f, beta=0),
    "pm4py_dfg": lambda pm4py, f: pm4py.discover_dfg(f),
    "pm4py_performance_dfg": lambda pm4py, f: pm4py.discover_performance_dfg(f),
    "pm4py_rework": lambda pm4py, f: pm4py.get_rework_cases_per_activity(f),
    "pm4py_case_durations": lambda pm4py, f: pm4py.get_all_case_durations(f),
}


def _run(step: str, data: Path, tmp: Path) -> dict:
    out = tmp / f"{step}.pkl"
    cmd = [sys.executable, __file__, "--_measure", step, "--_data", str(data), "--_out", str(out)]
    subprocess.run(cmd, check=True)
    with out.open("rb") as fh:
        return pickle.load(fh)  # our own file, just written


# -- the driver ------------------------------------------------------------------------------
def _size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "km" else text) * factor)


def _label(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def _available_steps() -> list[str]:
    steps = list(STEPS)
    try:
        import procmine.analysis.reentry  # noqa: F401
    except ImportError:
        steps.remove("reentry")
    return steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M,5M", help="event counts, e.g. 100k,1M,5M")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument("--json", type=Path, help="also write all figures to this JSON file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--steps", help=f"comma-separated subset of {','.join(STEPS)}")
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    parser.add_argument("--_data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._measure:
        measure(args._measure, args._data, args._out)
        return 0

    from procmine.log.eventlog import EventLog

    steps = _available_steps()
    if args.steps:
        steps = [s for s in args.steps.split(",") if s in steps]
    sizes = [_size(s) for s in args.sizes.split(",")]
    records: list[dict] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="procmine-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for size in sizes:
            t0 = time.perf_counter()
            frame = synthetic_log(size, seed=args.seed)
            built = time.perf_counter() - t0
            t0 = time.perf_counter()
            events = EventLog.from_frame(frame, name=f"synthetic-{_label(size)}").events
            validated = time.perf_counter() - t0
            data = tmp / f"log-{size}.parquet"
            events.to_parquet(data)
            n_events, n_cases = len(events), int(events["case_id"].nunique())
            n_resources = int(events["resource"].nunique())
            del frame, events
            print(f"# {_label(size)}: {n_events:,} events, {n_cases:,} cases, {n_resources} "
                  f"resources (built in {built:.1f} s, validated in {validated:.1f} s)",
                  flush=True)
            # Interleaved: repeat r runs every step once, so that a busy machine slows
            # procmine and pm4py alike; the fastest run of each step is kept.
            runs: dict[str, list[dict]] = {step: [] for step in steps}
            for _ in range(args.repeat):
                for step in steps:
                    runs[step].append(_run(step, data, tmp))
            results = {}
            for step in steps:
                done = runs[step]
                best = {"seconds": min(r["seconds"] for r in done),
                        "peak_mb": max(r["peak_mb"] for r in done),
                        "rss_mb": max(r["rss_mb"] for r in done), "counts": done[0]["counts"]}
                best["cpu_s"] = min(r["cpu_s"] for r in done)
                if "full_s" in done[0]:
                    best["full_s"] = min(r["full_s"] for r in done)
                results[step] = best
                note = (f"  (with .events and .graph built: {best['full_s']:.2f} s)"
                        if "full_s" in best else "")
                print(f"  {step:<20} {best['seconds']:9.2f} s  (CPU {best['cpu_s']:7.2f} s)  "
                      f"{best['peak_mb']:8.0f} MB{note}", flush=True)
                records.append({"size": size, "events": n_events, "cases": n_cases,
                                "step": step, "seconds": best["seconds"],
                                "peak_mb": best["peak_mb"], "rss_mb": best["rss_mb"],
                                "cpu_s": best["cpu_s"], "full_s": best.get("full_s")})
            print(f"  (load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} "
                  f"on {os.cpu_count()} CPUs)", flush=True)
            problems += _check_counts(results, _label(size))
    _print_table(records, steps)
    if args.json:
        args.json.write_text(json.dumps({"records": records, "count_problems": problems},
                                        indent=2))
    for p in problems:
        print(f"COUNT MISMATCH: {p}")
    if not problems:
        print("results agree: procmine handoffs (resource) = pm4py handover x normaliser; "
              "DFG counts = pm4py DFG, median and mean waits = pm4py performance DFG; "
              "rework cases per activity = pm4py's; cycle times = pm4py case durations")
    return 1 if problems else 0


def _check_counts(results: dict, label: str) -> list[str]:
    problems = []
    for ours, theirs in PAIRS:
        if ours == "handoffs_department" or not (ours in results and theirs in results):
            continue
        a, b = results[ours]["counts"], results[theirs]["counts"]
        if ours == "dfg" and isinstance(a, dict) and "count" in a:
            a = a["count"] if theirs == "pm4py_dfg" else a["waits"]
            b = b["waits"] if theirs == "pm4py_performance_dfg" else b
        if isinstance(a, list):  # seconds: equal to the microsecond
            if len(a) != len(b) or not np.allclose(a, b, rtol=0, atol=1e-6):
                problems.append(f"{label} {ours} vs {theirs}: {len(a)} vs {len(b)} values, "
                                "not equal to the microsecond")
        elif theirs == "pm4py_performance_dfg":  # (median, mean) seconds per edge
            diff = {k for k in set(a) | set(b) if k not in a or k not in b
                    or not np.allclose(a[k], b[k], rtol=0, atol=1e-6)}
            if diff:
                problems.append(f"{label} {ours} vs {theirs}: {len(diff)} edges' waits "
                                f"differ, e.g. {sorted(diff)[:3]}")
        elif a != b:
            diff = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
            problems.append(f"{label} {ours} vs {theirs}: {len(diff)} keys differ, "
                            f"e.g. {sorted(diff)[:3]}")
    return problems


def _print_table(records: list[dict], steps: list[str]) -> None:
    table = pd.DataFrame(records)
    if table.empty:
        return
    sizes = sorted(table["size"].unique())
    print("\nseconds (peak MB above the process's RSS before the step)")
    header = f"{'step':<20}" + "".join(f"{_label(s):>22}" for s in sizes)
    if len(sizes) > 1:
        header += "   growth per 10x events"
    print(header)
    for step in steps:
        rows = table[table["step"] == step].set_index("size")
        cells = "".join(
            f"{rows.loc[s, 'seconds']:>11.2f} s {rows.loc[s, 'peak_mb']:>6.0f} MB"
            if s in rows.index else f"{'':>22}" for s in sizes)
        growth = []
        for a, b in itertools.pairwise(sizes):
            if a in rows.index and b in rows.index:
                ev = rows.loc[b, "events"] / rows.loc[a, "events"]
                factor = (rows.loc[b, "seconds"] / rows.loc[a, "seconds"]) ** (1 / np.log10(ev))
                growth.append(f"{factor:.1f}")
        print(f"{step:<20}{cells}   {' / '.join(growth)}")
    print("\nspeed-up of procmine over pm4py (pm4py time / procmine time; wall clock, and "
          "CPU time, which a busy machine disturbs less)")
    for ours, theirs in PAIRS:
        line = []
        for s in sizes:
            rows = table[table["size"] == s].set_index("step")
            if ours in rows.index and theirs in rows.index:
                wall = rows.loc[theirs, "seconds"] / rows.loc[ours, "seconds"]
                cpu = rows.loc[theirs, "cpu_s"] / rows.loc[ours, "cpu_s"]
                line.append(f"{_label(s)}: {wall:.1f}x (CPU {cpu:.1f}x)")
        if line:
            print(f"  {ours} vs {theirs}: " + ", ".join(line))
    line = []
    for s in sizes:
        rows = table[table["size"] == s].set_index("step")
        if {"handoffs_resource", "pm4py_handover"} <= set(rows.index):
            full = rows.loc["handoffs_resource", "full_s"]
            line.append(f"{_label(s)}: {rows.loc['pm4py_handover', 'seconds'] / full:.1f}x")
    if line:
        print("  handoffs_resource with .events and .graph built vs pm4py_handover: "
              + ", ".join(line))
    line = []
    for s in sizes:
        rows = table[table["size"] == s].set_index("step")["seconds"]
        if {"handoffs_resource", "reentry", "pm4py_handover"} <= set(rows.index):
            both = rows["handoffs_resource"] + rows["reentry"]
            line.append(f"{_label(s)}: {rows['pm4py_handover'] / both:.1f}x")
    if line:
        print("  handoffs_resource + reentry vs pm4py_handover: " + ", ".join(line))
    line = []
    for s in sizes:
        rows = table[table["size"] == s].set_index("step")["seconds"]
        if {"handoffs_department", "reentry", "pm4py_handover"} <= set(rows.index):
            both = rows["handoffs_department"] + rows["reentry"]
            line.append(f"{_label(s)}: {rows['pm4py_handover'] / both:.1f}x")
    if line:
        print("  handoffs_department + reentry vs pm4py_handover: " + ", ".join(line))


if __name__ == "__main__":
    sys.exit(main())
