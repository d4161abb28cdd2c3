"""The before / after page of a change: HTML (self-contained), CSV tables and the map.

:func:`compare_html` renders ``templates/compare.html.j2`` through the one Jinja2
environment (:mod:`procmine.report._templates`: autoescape on, so every
activity or department name is text); :func:`write_compare` writes the page,
the tables (formula-safe, :mod:`procmine.report._csv`) and the map as SVG.
The page needs no network and runs no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd

from procmine._version import __version__
from procmine.analysis.compare import Comparison, format_change, format_value
from procmine.render.compare import STATUS_COLOURS, draw_comparison
from procmine.render.html import drawing_svg, inline_svg
from procmine.report._csv import write_table
from procmine.report._templates import render

__all__ = ["TABLE_NAMES", "CompareFiles", "compare_html", "write_compare"]

#: CSV tables written under ``tables/`` (file ``tables/<name>.csv``).
TABLE_NAMES: Final = ("kpis", "activities", "paths", "departments", "items", "prediction",
                      "orders")
_GROUP_TEXT: Final = {
    "handoffs_in": "handoffs into it",
    "handoffs_out": "handoffs out of it",
    "rework": "rework events",
    "reentries": "re-entries",
}


@dataclass(frozen=True)
class CompareFiles:
    """What :func:`write_compare` wrote: the page, the tables and the map."""

    html: Path
    tables: dict[str, Path]
    map: Path


def _interval(low: float, high: float, unit: str, currency: str) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{format_change(low, unit, currency)} to {format_change(high, unit, currency)}"


def _arrow(before: float, after: float, unit: str) -> str:
    return f"{format_value(before, unit)} → {format_value(after, unit)}"


def _kpi_rows(comparison: Comparison) -> list[dict[str, Any]]:
    cur = str(comparison.settings.get("currency", ""))
    return [{
        "label": r.label, "before": format_value(r.before, r.unit, cur),
        "after": format_value(r.after, r.unit, cur),
        "difference": format_change(r.difference, r.unit, cur),
        "interval": _interval(r.ci_low, r.ci_high, r.unit, cur),
        "beyond": bool(r.beyond_noise),
        "orders": f"{int(r.orders_before):,} / {int(r.orders_after):,}",
    } for r in comparison.table.itertuples(index=False)]


def _prediction_rows(comparison: Comparison) -> list[dict[str, Any]]:
    cur = str(comparison.settings.get("currency", ""))
    return [{
        "label": r.label, "predicted": format_change(r.predicted, r.unit, cur),
        "measured": format_change(r.measured, r.unit, cur),
        "interval": _interval(r.ci_low, r.ci_high, r.unit, cur),
        "inside": bool(r.predicted_in_interval),
    } for r in comparison.prediction.itertuples(index=False)]


def _changed_activities(comparison: Comparison) -> list[dict[str, Any]]:
    a = comparison.activities
    changed = a.loc[a["status"] != "unchanged"]
    return [{
        "activity": r.activity, "status": r.status,
        "colour": STATUS_COLOURS.get(str(r.status), "#000000"),
        "lane": r.lane_before if r.lane_before == r.lane_after
        else f"{r.lane_before or '–'} → {r.lane_after or '–'}",
        "share": _arrow(r.share_before, r.share_after, "share"),
        "manual": f"{format_value(r.manual_share_before, 'share')} → "
                  f"{format_value(r.manual_share_after, 'share')}",
    } for r in changed.itertuples(index=False)]


def _changed_paths(comparison: Comparison) -> list[dict[str, Any]]:
    p = comparison.paths
    changed = p.loc[p["status"] != "unchanged"]
    return [{
        "source": r.source, "target": r.target, "status": r.status,
        "colour": STATUS_COLOURS.get(str(r.status), "#000000"),
        "share": _arrow(r.share_before, r.share_after, "share"),
        "wait": f"{format_value(r.median_wait_before_s, 'duration')} → "
                f"{format_value(r.median_wait_after_s, 'duration')}",
    } for r in changed.itertuples(index=False)]


def _group_rows(table: pd.DataFrame, *, only_beyond: bool) -> list[dict[str, Any]]:
    rows = table.loc[table["beyond_noise"]] if only_beyond else table
    return [{
        "name": r.name, "measure": _GROUP_TEXT.get(str(r.measure), str(r.measure)),
        "before": f"{r.before:,.2f}", "after": f"{r.after:,.2f}",
        "difference": format_change(r.difference, "count"),
        "interval": _interval(r.ci_low, r.ci_high, "count", ""), "beyond": bool(r.beyond_noise),
    } for r in rows.itertuples(index=False)]


def compare_html(comparison: Comparison, *, map_svg: str | None = None) -> str:
    """The before / after page as one self-contained HTML document.

    ``map_svg`` is the map difference already drawn (:func:`write_compare`
    draws it once for the page and the SVG file); by default it is drawn here.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> from procmine.analysis.compare import compare
    >>> rows = [(f"o{i}", a, pd.Timestamp("2024-02-01", tz="UTC") + pd.Timedelta(days=i, hours=h))
    ...         for i in range(30) for h, a in enumerate(["<b>Enter</b>", "Ship"])]
    >>> log = EventLog.from_frame(pd.DataFrame(rows, columns=["case_id", "activity", "timestamp"]))
    >>> page = compare_html(compare(log, change_date="2024-02-15", horizon=None, resamples=100))
    >>> page.startswith("<!DOCTYPE html>"), "<b>Enter</b>" in page, "&lt;b&gt;Enter" in page
    (True, False, True)
    """
    if map_svg is None:
        map_svg = drawing_svg(draw_comparison(comparison))
    s, c = comparison.settings, comparison.counts
    facts = [
        ("orders before", f"{c['orders_before']:,}"),
        ("orders after", f"{c['orders_after']:,}"),
    ]
    if s.get("change_date"):
        facts.insert(0, ("change date", str(s["change_date"])[:10]))
    if s.get("window"):
        facts.append(("window each side", str(s["window"])))
    left_out = [f"{c[k]:,} {text}" for k, text in (
        ("outside_window", "outside the window"), ("censored", "too recent to have finished"),
        ("outliers", "with events far outside the log's time range")) if c.get(k)]
    moves = [f"{m.activity} ({m.department or 'no department'}): {m.kind.replace('_', ' ')}"
             for m in comparison.moves]
    return render(
        "compare.html.j2",
        name=comparison.name, facts=facts, left_out=left_out,
        several=comparison.several_changes, attribution=comparison.attribution,
        changes=[", ".join(g) for g in comparison.changes],
        confidence=f"{s['confidence']:.0%}", method=s["method"],
        horizon=format_value(s["horizon_s"], "duration") if s.get("horizon_s") else "",
        kpis=_kpi_rows(comparison), prediction=_prediction_rows(comparison), moves=moves,
        map_svg=inline_svg(map_svg), activities=_changed_activities(comparison),
        paths=_changed_paths(comparison),
        departments=_group_rows(comparison.departments, only_beyond=False),
        items=_group_rows(comparison.items, only_beyond=False),
        notes=list(comparison.notes), version=__version__,
    )


def write_compare(comparison: Comparison, out_dir: str | Path) -> CompareFiles:
    """Write ``compare.html``, ``tables/<name>.csv`` (:data:`TABLE_NAMES`) and
    ``maps/compare.svg`` into ``out_dir`` (created when missing; these files replaced).

    The same comparison gives byte-identical files.
    """
    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    svg = drawing_svg(draw_comparison(comparison))
    map_path = out / "maps" / "compare.svg"
    map_path.write_text(svg, encoding="utf-8")
    tables = {}
    for name in TABLE_NAMES:
        frame = comparison.tables[name]
        if name == "orders":
            frame = frame.assign(start=frame["start"].astype("str"))
        tables[name] = write_table(frame, out / "tables" / f"{name}.csv")
    page = out / "compare.html"
    page.write_text(compare_html(comparison, map_svg=svg), encoding="utf-8")
    return CompareFiles(html=page, tables=tables, map=map_path)
