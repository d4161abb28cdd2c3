"""``procmine compare``: a log before and after a change, with intervals (HTML, CSV, SVG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procmine.cli._common import Context, Stages, handle_errors, mapping_options
from procmine.errors import InputError, UsageError

__all__ = ["compare_command", "parse_move", "read_candidate"]


def parse_move(text: str, log: Any) -> Any:
    """``KIND:ACTIVITY[@DEPARTMENT]`` as a :class:`procmine.Move` (department inferred when
    the activity's manual internal events all belong to one department of ``log``)."""
    import pandas as pd

    from procmine.analysis.costs import CostModel
    from procmine.analysis.moves import Move
    from procmine.schema import ACTIVITY, DEPARTMENT

    kind, colon, rest = text.partition(":")
    if not colon or not kind.strip() or not rest.strip():
        raise UsageError(f"--move expects KIND:ACTIVITY[@DEPARTMENT], e.g. "
                         f"'carrier_api:Register carrier hand-over@Shipping'; got {text!r}")
    activity, at, department = rest.rpartition("@") if "@" in rest else (rest, "", "")
    activity, department = activity.strip(), department.strip()
    if at and not department:
        raise UsageError(f"--move {text!r}: no department after '@'")
    if not at:
        events = log.events
        step = (events[ACTIVITY] == activity).to_numpy() & CostModel.labour_mask(events)
        found = sorted(pd.unique(events.loc[step, DEPARTMENT].dropna().astype(str)))
        if len(found) > 1:
            raise UsageError(f"--move {text!r}: {activity!r} is done by several departments "
                             f"({', '.join(found)}); name one: {text}@{found[0]}")
        department = found[0] if found else ""
    return Move(activity, department or None, kind.strip())


def read_candidate(path: Path, rank: int) -> Any:
    """The move of candidate ``rank`` in a previous report's ``tables/candidates.csv``."""
    import pandas as pd

    from procmine.analysis.moves import Move

    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (the candidates.csv of a previous "
                         "'procmine report', under its tables/ folder)") from None
    except (OSError, ValueError, pd.errors.ParserError) as problem:
        raise InputError(f"{path}: cannot be read as CSV ({problem})") from None
    missing = [c for c in ("rank", "activity", "department", "kind") if c not in table.columns]
    if missing:
        raise InputError(f"{path}: not a candidates table: no column {', '.join(missing)} "
                         f"(columns: {', '.join(table.columns[:12])})")
    row = table.loc[table["rank"].str.strip() == str(rank)]
    if row.empty:
        ranks = ", ".join(table["rank"].head(10))
        raise UsageError(f"--candidate {rank}: {path} has no candidate of that rank "
                         f"(ranks: {ranks or 'none'})")
    first = row.iloc[0]
    department = str(first["department"]).strip()
    # a candidates.csv written by the report is formula-safe: a leading quote was added
    activity = str(first["activity"])
    if activity.startswith("'") and activity[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        activity = activity[1:]
    return Move(activity, department or None, str(first["kind"]).strip())


@click.command("compare", short_help="Compare before and after a change, with intervals.")
@click.argument("inputs", metavar="INPUT [AFTER]", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write compare.html, tables/*.csv and maps/compare.svg into.")
@click.option("--change-date", "change_date", metavar="DATE",
              help="With one INPUT: the day the change took effect (orders started from it "
                   "on are 'after'), e.g. 2024-03-01.")
@click.option("--window", metavar="8w",
              help="With --change-date: compare the orders started this long before and "
                   "after it (days or weeks, e.g. 8w or 56d); default: all of them.")
@click.option("--move", "move", metavar="KIND:ACTIVITY[@DEPARTMENT]",
              help="The change that was made, to put its projected effect beside the "
                   "measured one, e.g. 'carrier_api:Register carrier hand-over@Shipping'.")
@click.option("--candidate", "candidate", type=int, metavar="RANK",
              help="The change that was made, as the rank of a candidate in --candidates.")
@click.option("--candidates", "candidates_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="tables/candidates.csv of a previous 'procmine report'.")
@click.option("--costs", "costs_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Cost model (TOML); default: procmine's documented cost model.")
@click.option("--horizon", default="auto", show_default=True, metavar="auto|14d|none",
              help="Only orders started at least this long before the end of the log are "
                   "compared (the others may not have finished); auto: the 90th percentile "
                   "of the before period's cycle time.")
@click.option("--resamples", default=2000, show_default=True, type=int,
              help="Bootstrap resamples per period.")
@click.option("--confidence", default=0.95, show_default=True, type=float,
              help="Level of the intervals.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the resampling (same seed, same intervals).")
@click.option("--cluster", metavar="COL",
              help="Resample whole groups of orders that share this column's value, e.g. "
                   "customer (one customer's orders are not independent); default: orders "
                   "one by one.")
@mapping_options
@click.pass_obj
@handle_errors
def compare_command(
    state: Context, inputs: tuple[Path, ...], out: Path, change_date: str | None,
    window: str | None, move: str | None, candidate: int | None,
    candidates_path: Path | None, costs_path: Path | None, horizon: str, resamples: int,
    confidence: float, seed: int, cluster: str | None, mapping: dict[str, Any],
) -> None:
    """Compare orders before and after a change: KPIs, map, handoffs, with intervals.

    Either one INPUT and --change-date (orders are 'before' or 'after' by the
    day they started), or two logs, BEFORE and AFTER. DIR receives compare.html
    (self-contained, opens offline), tables/*.csv (kpis, activities, paths,
    departments, items, prediction, orders) and maps/compare.svg. Every KPI's
    difference comes with a bootstrap interval over orders; when several
    unrelated steps changed beyond noise, the page says the effect cannot be
    attributed to one change. With --move (or --candidate and --candidates)
    the projected effect of that move on the before period is shown beside the
    measured one.

    Example: procmine compare sample_logs/changed/sources.toml --change-date 2024-01-15
    --cluster customer --move 'carrier_api:Register carrier hand-over@Shipping'
    --out out/compare
    """
    from procmine.analysis.compare import compare
    from procmine.analysis.costs import CostModel, load_cost_model
    from procmine.log.load import load
    from procmine.report.compare_page import write_compare
    from procmine.report.write import check_out_dir

    if len(inputs) > 2:
        raise UsageError(f"compare takes INPUT or BEFORE AFTER, got {len(inputs)} files")
    if len(inputs) == 1 and change_date is None:
        raise UsageError("compare: one INPUT needs --change-date DATE (or give two logs, "
                         "BEFORE AFTER)")
    if len(inputs) == 2 and (change_date is not None or window is not None):
        raise UsageError("compare: --change-date and --window go with one INPUT; with two "
                         "logs every order of each is compared")
    if window is not None and change_date is None:
        raise UsageError("--window needs --change-date")
    if move is not None and candidate is not None:
        raise UsageError("give --move or --candidate, not both")
    if (candidate is None) != (candidates_path is None):
        raise UsageError("--candidate RANK and --candidates FILE go together")
    check_out_dir(out, list(inputs))
    costs = load_cost_model(costs_path) if costs_path is not None else CostModel.default()
    chosen = read_candidate(candidates_path, candidate) if candidates_path is not None and (
        candidate is not None) else None
    horizon_value: object = None if horizon.strip().lower() == "none" else horizon.strip()
    with Stages(2 + len(inputs), desc="compare") as stage:
        logs = []
        for path in inputs:
            stage(f"loading {path.name}")
            logs.append(load(path, **mapping))
        if move is not None:
            chosen = parse_move(move, logs[0])
        stage("comparing")
        comparison = compare(
            logs[0], logs[1] if len(logs) == 2 else None, change_date=change_date,
            window=window, moves=chosen, costs=costs, horizon=horizon_value,
            resamples=resamples, confidence=confidence, seed=seed, cluster=cluster)
        stage("writing")
        files = write_compare(comparison, out)
    c = comparison.counts
    state.info(f"compared {c['orders_before']:,} orders before and {c['orders_after']:,} "
               f"after -> {files.html}")
    if comparison.several_changes:
        state.info("several unrelated changes beyond noise: the effect cannot be attributed "
                   "to one change (see the page)")
