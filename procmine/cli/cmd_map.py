"""``procmine map``: draw the process map (or the department handoff map) of a log."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from procmine.cli._common import INPUT_FORMATS, Context, handle_errors, mapping_options, step
from procmine.cli._outputs import input_paths, refuse_input_as_output, writing
from procmine.errors import UsageError
from procmine.render.output import FORMATS

__all__ = ["format_for", "map_command"]

_SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".html": "html", ".htm": "html"}


def format_for(out: Path, given: str | None) -> str:
    """The output format: ``--format`` if given, else from the suffix of ``out``.

    Examples
    --------
    >>> format_for(Path("map.SVG"), None), format_for(Path("map.txt"), "png")
    ('svg', 'png')
    """
    if given is not None:
        return given
    suffix = out.suffix.lower()
    if suffix not in _SUFFIXES:
        raise UsageError(
            f"cannot tell the format of {out} from its suffix {suffix or '(none)'!r}; "
            f"use .svg, .png, .pdf or .html, or give --format {{{','.join(FORMATS)}}}"
        )
    return _SUFFIXES[suffix]


@click.command("map")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Where to draw the map (.svg, .png, .pdf or .html).")
@click.option("--level", type=click.Choice(["activity", "department"]), default="activity",
              show_default=True,
              help="activity: the process map; department: handoffs between departments.")
@click.option("--activities", type=click.FloatRange(0, 1), default=None, metavar="F",
              help="Activity coverage in [0,1]: keep the most frequent activities covering this "
                   "share of events (default: all, or the 30 most frequent if there are more).")
@click.option("--paths", type=click.FloatRange(0, 1), default=None, metavar="F",
              help="Path coverage in [0,1]: keep the most frequent paths covering this share "
                   "of path traffic, plus those keeping every activity connected (default: all, or "
                   "fewer when there are more than 50). At --level department: keep the busiest "
                   "routes covering this share of handoffs (every department keeps one).")
@click.option("--table", "table", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE.csv",
              help="Also write the edge table: source,target,count,median_wait_s.")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, *INPUT_FORMATS)), multiple=True,
              help="Format of the map (svg, png, pdf, html; default: from the suffix of "
                   "--out) or of INPUT (csv, parquet, excel, xes, ocel, sources; default: from "
                   "its suffix); give it twice for both, e.g. --format xes --format png.")
@click.option("--measure", type=click.Choice(["frequency", "performance"]), default="frequency",
              show_default=True, help="Edge labels: how often, or median wait.")
@click.option("--direction", type=click.Choice(["LR", "TB"]), default="LR", show_default=True,
              help="Flow left to right (swimlanes as bands) or top to bottom.")
@click.option("--fit", type=click.Choice(["slide", "notebook", "print", "projector", "none"]),
              default="slide", show_default=True,
              help="Where the map is shown: slide (1920x1080, text >= 32 px, at most ~15 "
                   "activities), notebook (900 px wide, >= 12 px), print (A4, >= 9 pt); the map "
                   "is simplified and folded into rows to fit. projector = slide; none: one "
                   "unfolded strip for a slide.")
@mapping_options(input_format=False)
@click.pass_obj
@handle_errors
def map_command(
    state: Context, input_path: Path, out: Path, level: str, activities: float | None,
    paths: float | None, table: Path | None, fmt: tuple[str, ...], measure: str,
    direction: str, fit: str, mapping: dict[str, Any],
) -> None:
    """Draw the process map of INPUT to FILE.

    INPUT is a sources file (TOML) or one log file (CSV, Parquet, XES, OCEL 2.0).
    The map runs left to right, with departments as swimlanes (or coloured,
    when lanes would make the text too small) and handoffs between
    departments dashed. --fit says where it is shown: without --activities
    and --paths it keeps as many of the most frequent activities (at most 15
    on a slide) as leave its text at the medium's size (32 px on a 1920x1080
    slide, 12 px in a notebook, 9 pt on A4), and says the share of events
    shown. --level department draws departments and outside parties with the
    handoffs between them instead.

    Example: procmine map orders.toml --out map.svg --activities 0.9 --paths 0.8
    """
    from procmine import engine as engines
    from procmine.io.export import write_csv_safe
    from procmine.render.output import save

    outputs = [f for f in fmt if f in FORMATS]
    inputs = [f for f in fmt if f in INPUT_FORMATS]
    for kind, given in (("map", outputs), ("input", inputs)):
        if len(given) > 1:
            raise UsageError(f"--format gives the {kind} format twice ({', '.join(given)}); "
                             "give it once")
    if inputs:
        mapping = {**mapping, "format": inputs[0]}
    output_format = format_for(out, outputs[0] if outputs else None)
    if level == "department" and activities is not None:
        raise UsageError("--activities simplifies the activity map; at --level department "
                         "use --paths (route coverage), or use --level activity")
    if level == "department" and (direction != "LR" or fit == "none"):
        raise UsageError("--direction and --fit none shape the activity map; "
                         "drop them or use --level activity")
    medium = {"projector": "slide", "none": "slide"}.get(fit, fit)
    read = input_paths(input_path)
    refuse_input_as_output(out, read, option="--out")
    refuse_input_as_output(table, read, option="--table")
    refuse_input_as_output(table, [out], option="--table")
    engine = mapping.get("engine", "pandas")
    step(f"loading {input_path}" + (f" ({engine})" if engine != "pandas" else ""))
    log = engines.load(input_path, **mapping)
    with contextlib.ExitStack() as stack:
        if engine != "pandas":
            stack.callback(log.close)
        if hasattr(log, "source_table"):  # the extracts it was read from are inputs too
            read = input_paths(input_path, log)
            refuse_input_as_output(out, read, option="--out")
            refuse_input_as_output(table, read, option="--table")
        drawing, edges, summary = _draw(log, engine=engine, level=level,
                                        activities=activities, paths=paths, measure=measure,
                                        direction=direction, fit=fit, medium=medium)
    step(f"drawing {out}")
    with writing(out):
        save(drawing, out, format=output_format)  # type: ignore[arg-type]
    if table is not None:
        with writing(table):
            write_csv_safe(edges.reset_index(drop=True), table)
    state.info(f"{summary} -> {out}" + (f" (table: {table})" if table is not None else ""))


def _draw(log: Any, *, engine: str, level: str, activities: float | None, paths: float | None,
          measure: str, direction: str, fit: str, medium: str) -> tuple[Any, Any, str]:
    """The map of ``log`` (in memory or an engine's), its edge table and the result line."""
    from procmine import engine as engines
    from procmine.discovery.dfg import process_map
    from procmine.render.maps import draw_handoff_map, draw_map

    on_engine = engine != "pandas"
    if level == "activity":
        step(f"discovering the map of {log.n_events:,} events"
             + (f" ({engine})" if on_engine else ""))
        folding = "none" if fit == "none" else "projector"
        if activities is None and paths is None:  # simplified until its text is large enough
            if on_engine:
                from procmine.report.engine_sections import engine_map_drawing

                drawing = engine_map_drawing(log, measure=measure, direction=direction,
                                             fit=folding, medium=medium)
            else:
                drawing = draw_map(log, measure=measure,  # type: ignore[arg-type]
                                   direction=direction, fit=folding,  # type: ignore[arg-type]
                                   medium=medium)  # type: ignore[arg-type]
            pmap = drawing.process_map
        else:
            pmap = (engines.process_map(log, activities=activities, paths=paths) if on_engine
                    else process_map(log, activities=activities, paths=paths))
            drawing = draw_map(pmap, measure=measure, direction=direction,  # type: ignore[arg-type]
                               fit=folding, medium=medium)  # type: ignore[arg-type]
        edges = pmap.edge_table()
        summary = (f"{len(pmap.nodes):,} of {pmap.n_activities_total:,} activities, "
                   f"{len(pmap.edges):,} of {pmap.n_edges_total:,} paths")
    else:
        from procmine.analysis.handoffs import handoffs

        step(f"computing department handoffs of {log.n_events:,} events"
             + (f" ({engine})" if on_engine else ""))
        found = (engines.handoffs_table(log, level="department", costs=None) if on_engine
                 else handoffs(log, level="department").table)
        drawing = draw_handoff_map(found,
                                   measure="count" if measure == "frequency" else "wait",
                                   title=f"{log.name}: handoffs between departments",
                                   medium=medium, paths=paths)  # type: ignore[arg-type]
        table_shown = found
        if paths is not None:
            from procmine.discovery.simplify import select_routes

            table_shown = found.loc[select_routes(found, coverage=paths)]
        edges = table_shown.loc[:, ["source", "target", "count", "median_wait_s"]]
        summary = f"{int(found['count'].sum()):,} handoffs on {len(found):,} routes"
    return drawing, edges, summary
