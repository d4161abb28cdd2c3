"""``procmine report``: the batch report on handoff costs (HTML, JSON, CSV, SVG)."""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from procmine.cli._common import Context, Stages, handle_errors, mapping_options, split_list
from procmine.errors import UsageError

__all__ = ["report_command"]


@click.command("report", short_help="Write the batch report (HTML, JSON, CSV tables, maps).")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--out", "out", required=True, metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the report into (created when missing; the report's files in it "
         "are replaced, once the new report is complete). Never one of the inputs.",
)
@click.option(
    "--costs", "costs_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
    help="Cost model (TOML); default: procmine's documented cost model (procmine/data/costs.toml).",
)
@click.option(
    "--terminal", "terminal", metavar="A,A",
    help="Activities that end an order (default: inferred from the log), e.g. "
         "'Close order,Cancel order'.",
)
@click.option(
    "--payment-pattern", "payment_pattern", metavar="RE",
    help="Regular expression matching the payment-received activity, for order-to-cash "
         "time (default: procmine's built-in pattern).",
)
@click.option(
    "--min-support", "min_support", metavar="SHARE[,EVENTS]",
    help="Minimum evidence of a ranked candidate: share of the orders and events "
         "(default 0.01,20); weaker candidates are listed as weak evidence.",
)
@click.option(
    "--previous", "previous_dir", metavar="DIR",
    type=click.Path(path_type=Path),
    help="The --out folder of an earlier report run: the summary, the KPI table and the "
         "handoff table show the change since that run (also in summary.json).",
)
@click.option(
    "--min-week-orders", "min_week_orders", metavar="N", type=click.IntRange(min=0),
    help="A week with fewer orders started is drawn as a week with few orders (hollow, "
         "labelled), never as a fall (default: 20%% of the median week).",
)
@mapping_options
@click.pass_obj
@handle_errors
def report_command(
    state: Context, input_path: Path, out: Path, costs_path: Path | None,
    terminal: str | None, payment_pattern: str | None, min_support: str | None,
    previous_dir: Path | None, min_week_orders: int | None, mapping: dict[str, Any],
) -> None:
    """Write the batch report of INPUT: HTML, summary JSON, CSV tables and maps.

    INPUT is a sources file (TOML) or one log file (CSV, Parquet, XES, OCEL 2.0;
    use the mapping options to name its columns). DIR receives report.html
    (self-contained, opens offline), summary.json (rows read / loaded /
    rejected per source, KPIs, handoff and re-entry cost), tables/*.csv (dfg,
    handoffs, rework, episodes, reentry, candidates, candidates_weak, kpis_daily,
    kpis_weekly, rejects) and
    maps/*.svg (process, handoffs, as_is, to_be). A section that cannot be
    computed (say, no departments in the log) says why.

    The report is written beside DIR and moved into place when complete: an
    interrupted run (Ctrl-C, SIGTERM, a full disk) leaves the previous report
    or none. A second run into DIR while one is writing stops with an error
    (exit 1); a DIR that would overwrite an input is refused (exit 2).

    With --previous OLD (the DIR of an earlier run), the executive summary,
    the KPI table and the handoff table show the change since that run.

    With --engine duckdb or spark, the process map, handoffs, rework, re-entry,
    KPIs and variants are computed by that engine (the same tables as in
    memory; summary.json and the HTML name the engine). A Parquet or CSV file
    (or, on Spark, a Delta table) is read by the engine itself, so it may be
    larger than memory; candidates, the to-be projection and blocks work event
    by event in memory and are then left out, each section saying why. A
    sources file, XES or OCEL input is read in memory first, and then those
    sections are computed in memory on the same events.

    Example: procmine report sample_logs/sources.toml --out out/report

    Example: procmine report events.parquet --engine duckdb --out out/report
    """
    from procmine.analysis.costs import CostModel, load_cost_model
    from procmine.report import build_report, write_report
    from procmine.report.previous import read_previous
    from procmine.report.write import check_out_dir

    check_out_dir(out, [input_path])
    costs = load_cost_model(costs_path) if costs_path is not None else CostModel.default()
    kpi_options: dict[str, Any] = {}
    if costs_path is not None:
        kpi_options["cost_source"] = str(costs_path)
    if previous_dir is not None:  # checked before the (long) load
        kpi_options["previous"] = read_previous(previous_dir)
    if min_week_orders is not None:
        kpi_options["min_week_orders"] = min_week_orders
    if terminal is not None:
        kpi_options["terminal"] = split_list(terminal)
        if not kpi_options["terminal"]:
            raise UsageError("--terminal needs at least one activity, e.g. --terminal "
                             "'Close order'")
    if payment_pattern is not None:
        try:
            re.compile(payment_pattern)
        except re.error as problem:
            raise UsageError(f"--payment-pattern {payment_pattern!r} is not a valid regular "
                             f"expression ({problem})") from None
        kpi_options["payment_pattern"] = payment_pattern
    if min_support is not None:
        kpi_options.update(_min_support(min_support))
    _check_report_options(build_report, kpi_options)
    # 1 load + 6 analysis stages (build_report) + 3 writing stages (write_report)
    engine = mapping.get("engine", "pandas")
    with (_terminate_cleanly(), Stages(10, desc="report") as stage,
          contextlib.ExitStack() as held):
        stage(f"loading {input_path.name}" + (f" ({engine})" if engine != "pandas" else ""))
        log, memory = _load(input_path, mapping)
        if engine != "pandas":
            held.callback(log.close)
            kpi_options["memory_log"] = memory
        report = build_report(log, costs=costs, progress=lambda what: stage(f"analysis: {what}"),
                              **kpi_options)
        files = write_report(report, out, progress=lambda what: stage(f"writing {what}"))
    missing = [s.key for s in report.sections.values() if not s.available]
    state.info(
        f"report of {log.n_events:,} events, {log.n_cases:,} orders -> {files.html}"
        + (f" (not computed: {', '.join(missing)}; the report says why)" if missing else "")
    )


def _load(input_path: Path, mapping: dict[str, Any]) -> tuple[Any, Any]:
    """INPUT in memory, or in the engine of ``--engine`` with the in-memory log it was handed.

    A file the engine reads itself (Parquet, CSV, Delta) stays in the engine (no
    in-memory log); anything else (a sources file, XES, OCEL) is read in memory first,
    so the report's rows per source, blocks and candidates come from that log.
    """
    from procmine import engine as engines

    engine = mapping.get("engine", "pandas")
    if engine == "pandas":
        return engines.load(input_path, **mapping), None
    from procmine.engine.log import _native_kind

    if _native_kind(input_path, mapping.get("format")) is not None:
        return engines.load(input_path, **mapping), None
    from procmine.log.load import load as load_in_memory

    options = {k: v for k, v in mapping.items() if k not in ("engine", "spark_master")}
    if mapping.get("spark_master") is not None and engine != "spark":
        return engines.load(input_path, **mapping), None  # refused there, with its message
    memory = load_in_memory(input_path, **options)
    return engines.from_log(memory, engine=engine,
                            spark_master=mapping.get("spark_master")), memory


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM as SystemExit(143) while the report runs, so its temporary folder is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _min_support(text: str) -> dict[str, Any]:
    """``--min-support 0.01,20`` as build_report's ``min_share`` and ``min_events``."""
    parts = split_list(text) or []
    try:
        if not 1 <= len(parts) <= 2:
            raise ValueError
        share = float(parts[0])
        events = int(parts[1]) if len(parts) == 2 else None
    except ValueError:
        raise UsageError(f"--min-support expects SHARE[,EVENTS], e.g. 0.01,20; got {text!r}"
                         ) from None
    if not 0.0 <= share <= 1.0 or (events is not None and events < 0):
        raise UsageError(f"--min-support: the share must be between 0 and 1 and the events 0 "
                         f"or more; got {text!r}")
    return {"min_share": share} if events is None else {"min_share": share, "min_events": events}


def _check_report_options(builder: Any, options: dict[str, Any]) -> None:
    """Refuse (usage error) options this installation's report builder does not take yet."""
    import inspect

    accepted = inspect.signature(builder).parameters
    unknown = [k for k in options if k not in accepted]
    if unknown:
        flags = ", ".join("--" + k.replace("_", "-") for k in unknown)
        raise UsageError(f"{flags}: this version of procmine's report builder does not "
                         "accept it; upgrade procmine or leave the option out")
