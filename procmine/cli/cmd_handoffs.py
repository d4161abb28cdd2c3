"""``procmine handoffs``: write the handoff table of a log at one level."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procmine.cli._common import Context, handle_errors, mapping_options, step
from procmine.cli._outputs import input_paths, refuse_input_as_output, writing
from procmine.log.actors import LEVELS

__all__ = ["csv_columns", "handoffs_command"]

#: Column order of the CSV: ``handoffs.csv`` of the batch report first, then the rest.
_REPORT_COLUMNS = ("source", "target", "count", "cases", "median_wait_s", "p90_wait_s", "cost")


def csv_columns() -> tuple[str, ...]:
    """The CSV's columns: ``handoffs.csv`` of the batch report first, then the rest."""
    from procmine.analysis.handoffs import TABLE_COLUMNS

    return (*_REPORT_COLUMNS, *(c for c in TABLE_COLUMNS if c not in _REPORT_COLUMNS))


@click.command("handoffs", short_help="Write the handoff table of INPUT (CSV).")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option(
    "--level", type=click.Choice(LEVELS), default="department", show_default=True,
    help="Actor level: who passes work to whom.",
)
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv", help="Where to write the handoff table (CSV).",
)
@click.option(
    "--costs", "costs_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
    help="Cost model (TOML) to price handoffs; default: procmine's built-in cost model.",
)
@mapping_options
@click.pass_obj
@handle_errors
def handoffs_command(
    state: Context, input_path: Path, level: str, out: Path, costs_path: Path | None,
    mapping: dict[str, Any],
) -> None:
    """Write the handoffs of INPUT between resources, departments or parties.

    INPUT is a sources file (TOML) or one log file (CSV, Parquet, XES, OCEL 2.0).
    One row per edge: source, target, count, cases, median_wait_s, p90_wait_s,
    cost, then mean_wait_s, causal_count (handoffs between activities that are
    not concurrent), pingpong (A→B followed directly by B→A) and per_case.
    Cells are written so that spreadsheets do not run them as formulas.

    Example: procmine handoffs orders.toml --level department --out handoffs.csv
    """
    from procmine import engine as engines
    from procmine.analysis.costs import CostModel, load_cost_model
    from procmine.io.export import write_csv_safe

    costs = load_cost_model(costs_path) if costs_path is not None else CostModel.default()
    refuse_input_as_output(out, input_paths(input_path), option="--out")
    engine = mapping.get("engine", "pandas")
    step(f"loading {input_path}" + (f" ({engine})" if engine != "pandas" else ""))
    log = engines.load(input_path, **mapping)
    if hasattr(log, "source_table"):  # the extracts it was read from are inputs too
        refuse_input_as_output(out, input_paths(input_path, log), option="--out")
    if engine == "pandas":
        step(f"computing {level} handoffs on {log.n_events:,} events")
        from procmine.analysis.handoffs import handoffs

        result = handoffs(log, level=level, costs=costs)  # type: ignore[arg-type]  # Choice
        table = result.table
        count, causal, pingpong = result.count, result.causal_count, result.pingpong
    else:
        step(f"computing {level} handoffs ({engine})")
        table = engines.handoffs_table(log, level=level, costs=costs)
        count, causal, pingpong = (int(table[c].sum())
                                   for c in ("count", "causal_count", "pingpong"))
    step(f"writing {out}")
    with writing(out):
        write_csv_safe(table[list(csv_columns())], out)
    state.info(
        f"{count:,} {level} handoffs on {len(table):,} edges "
        f"({causal:,} causal, {pingpong:,} ping-pong) -> {out}"
    )
