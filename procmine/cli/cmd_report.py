"""``procmine report``: the batch report on handoff costs (HTML, JSON, CSV, SVG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procmine.cli._common import Context, Stages, handle_errors, mapping_options

__all__ = ["report_command"]


@click.command("report", short_help="Write the batch report (HTML, JSON, CSV tables, maps).")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out", "out", required=True, metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the report into (created when missing; files in it are replaced).",
)
@click.option(
    "--costs", "costs_path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path),
    help="Cost model (TOML); default: procmine's documented cost model (procmine/data/costs.toml).",
)
@mapping_options
@click.pass_obj
@handle_errors
def report_command(
    state: Context, input_path: Path, out: Path, costs_path: Path | None,
    mapping: dict[str, Any],
) -> None:
    """Write the batch report of INPUT: HTML, summary JSON, CSV tables and maps.

    INPUT is a sources file (TOML) or one log file (CSV, Parquet, XES, OCEL 2.0;
    use the mapping options to name its columns). DIR receives report.html
    (self-contained, opens offline), summary.json (rows read / loaded /
    rejected per source, KPIs, handoff and re-entry cost), tables/*.csv (dfg,
    handoffs, reentry, candidates, kpis_daily, kpis_weekly, rejects) and
    maps/*.svg (process, handoffs, as_is, to_be). A section that cannot be
    computed (say, no departments in the log) says why.

    Example: procmine report sample_logs/sources.toml --out out/report
    """
    from procmine.analysis.costs import CostModel, load_cost_model
    from procmine.log.load import load
    from procmine.report import build_report, write_report

    costs = load_cost_model(costs_path) if costs_path is not None else CostModel.default()
    # 1 load + 5 analysis stages (build_report) + 3 writing stages (write_report)
    with Stages(9, desc="report") as stage:
        stage(f"loading {input_path.name}")
        log = load(input_path, **mapping)
        report = build_report(log, costs=costs, progress=lambda what: stage(f"analysis: {what}"))
        files = write_report(report, out, progress=lambda what: stage(f"writing {what}"))
    missing = [s.key for s in report.sections.values() if not s.available]
    state.info(
        f"report of {log.n_events:,} events, {log.n_cases:,} orders -> {files.html}"
        + (f" (not computed: {', '.join(missing)}; the report says why)" if missing else "")
    )
