"""``procmine workshop``: a self-contained slide deck (HTML) for a reengineering workshop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from procmine.cli._common import Context, Stages, handle_errors, mapping_options
from procmine.cli._outputs import input_paths, refuse_input_as_output, writing
from procmine.errors import UsageError

__all__ = ["workshop_command"]


@click.command("workshop", short_help="Write a slide deck (one HTML file) for a workshop.")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, metavar="FILE.html",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the deck (one self-contained .html file). Never an input.")
@click.option("--costs", "costs_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Cost model (TOML); default: procmine's documented cost model "
                   "(procmine/data/costs.toml).")
@click.option("--max-candidates", "max_candidates", metavar="N", type=click.IntRange(min=0),
              help="At most N candidate slides (default: every ranked candidate).")
@mapping_options
@click.pass_obj
@handle_errors
def workshop_command(
    state: Context, input_path: Path, out: Path, costs_path: Path | None,
    max_candidates: int | None, mapping: dict[str, Any],
) -> None:
    """Write a slide deck of INPUT for a reengineering workshop to FILE.html.

    One self-contained HTML file of 1920x1080 slides (opens offline, no
    network): the process on one slide, handoffs by department, rework and
    blocks, re-entry by information item, one slide per ranked candidate
    (as-is and to-be of that change alone, its evidence, the three sets of
    costs and payback, the KPI to watch when it is tried on its own), and a
    closing slide ranking the changes. In the browser: arrow keys, Page Up/Down
    or Space to move, Home / End, F for full screen; printed, one slide per page.

    Example: procmine workshop sample_logs/sources.toml --out workshop.html
    """
    from procmine.analysis.costs import CostModel, load_cost_model
    from procmine.log.load import load
    from procmine.report.build import build_report
    from procmine.report.deck import workshop_deck

    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out {out}: the deck is one HTML file; give a name ending in .html")
    read = input_paths(input_path)
    refuse_input_as_output(out, read, option="--out")
    if costs_path is not None:
        refuse_input_as_output(out, [costs_path], option="--out")
    costs = load_cost_model(costs_path) if costs_path is not None else CostModel.default()
    with Stages(8, desc="workshop") as stage:  # load, 6 analysis stages, slides
        stage(f"loading {input_path.name}")
        log = load(input_path, **mapping)
        refuse_input_as_output(out, input_paths(input_path, log), option="--out")
        report = build_report(log, costs=costs,
                              cost_source=None if costs_path is None else str(costs_path),
                              progress=lambda what: stage(f"analysis: {what}"))
        stage("slides")
        deck = workshop_deck(log, report=report, max_candidates=max_candidates)
        with writing(out):
            deck.save(out)
    state.info(f"workshop deck of {log.n_events:,} events, {log.n_cases:,} orders: "
               f"{len(deck.slides)} slides -> {out}")
