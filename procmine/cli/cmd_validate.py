"""``procmine validate``: load an input and account for every row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from procmine.cli._common import handle_errors, mapping_options, step
from procmine.cli._outputs import input_paths, refuse_input_as_output, writing
from procmine.engine import load
from procmine.errors import UsageError
from procmine.io.export import write_csv_safe
from procmine.log.outliers import time_outliers
from procmine.schema import SOURCE, TIMESTAMP

__all__ = ["validate"]


@click.command("validate")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--rejects", "rejects_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write every rejected row (source, row, reason, column, value) to this CSV.")
@mapping_options
@handle_errors
def validate(input_path: Path, rejects_path: Path | None, mapping: dict[str, Any]) -> None:
    """Load INPUT and print rows read / loaded / rejected per source.

    INPUT is a sources file (.toml) or one log file (CSV, Parquet, Excel, XES,
    OCEL). Rejected rows are counted per reason; --rejects writes them all.
    Events far outside the bulk of the log in time (a 1948 or 9999-12-31
    timestamp among 2024 ones) are counted per source: they stay in the log
    and are left out of KPI periods.
    Exit code 0 when the input loads (even with rejected rows), 1 when it
    cannot be used, 2 on wrong usage (also: --rejects naming one of the
    inputs, which is never overwritten).
    """
    if mapping.get("engine", "pandas") != "pandas":
        raise UsageError(f"validate accounts for every row in memory (--engine pandas); "
                         f"--engine {mapping['engine']} applies to the analysis commands "
                         "(handoffs, map, report)")
    refuse_input_as_output(rejects_path, input_paths(input_path), option="--rejects")
    step(f"loading {input_path}")
    log = load(input_path, **mapping)
    refuse_input_as_output(rejects_path, input_paths(input_path, log), option="--rejects")
    table = log.source_table()
    headers = ("source", "format", "rows read", "loaded", "rejected", "events")
    rows = [
        (str(r.source), str(r.format), f"{r.rows_read:,}", f"{r.rows_loaded:,}",
         f"{r.rows_rejected:,}", f"{r.events:,}")
        for r in table.itertuples(index=False)
    ]
    totals = ("total", "", f"{int(table['rows_read'].sum()):,}",
              f"{int(table['rows_loaded'].sum()):,}", f"{int(table['rows_rejected'].sum()):,}",
              f"{int(table['events'].sum()):,}")
    widths = [max(len(h), *(len(r[i]) for r in [*rows, totals])) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    click.echo(line(headers))
    for stats, cells in zip(log.sources, rows, strict=True):
        click.echo(line(cells))
        for reason, count in sorted(stats.reasons.items()):
            click.echo(f"    {reason}: {count:,}")
        for column, count in stats.missing_values.items():
            seen = stats.placeholders.get(column, ())
            click.echo(f"    {column}: {count:,} placeholder values read as missing"
                       + (f" ({', '.join(seen)})" if seen else ""))
        if stats.rows_outside_view:
            click.echo(f"    not counted, outside the {stats.format.upper()} order view: "
                       f"{stats.rows_outside_view:,}")
    if len(rows) > 1:
        click.echo(line(totals))
    click.echo(f"{log.n_events:,} events, {log.n_cases:,} cases, "
               f"{len(log.activities):,} activities")
    for text in _outlier_lines(log.events, [s.name for s in log.sources]):
        click.echo(text)
    if rejects_path is not None:
        step(f"writing {rejects_path}")
        with writing(rejects_path):
            write_csv_safe(log.rejects, rejects_path)
        click.echo(f"{len(log.rejects):,} rejected rows written to {rejects_path}")


def _outlier_lines(events: pd.DataFrame, sources: list[str]) -> list[str]:
    """Lines on the time outliers (procmine.log.outliers): none when there are none."""
    flags = time_outliers(events)
    if not flags.any():
        return []
    times = events[TIMESTAMP]
    rest = times[~flags]
    span = (f"the other events span {_when(rest.min())} to {_when(rest.max())}"
            if len(rest) else "no event lies inside it")
    lines = [f"time outliers: {int(flags.sum()):,} event(s) lie far outside the bulk of the "
             f"log in time ({span}):"]
    found = events.loc[flags, [SOURCE, TIMESTAMP]].groupby(SOURCE, sort=False)[TIMESTAMP]
    table = found.agg(["size", "min", "max"])
    order = [s for s in sources if s in table.index]
    order += sorted(s for s in table.index if s not in order)
    for source in order:
        size, first, last = table.loc[source, ["size", "min", "max"]]
        lines.append(f"    {source}: {int(size):,}, earliest {_when(first)}, latest {_when(last)}")
    lines.append("    they are kept in the log and left out of KPI periods; check the "
                 "timestamps in the source (a sentinel date such as 9999-12-31, a wrong year)")
    return lines


def _when(value: pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S UTC")
