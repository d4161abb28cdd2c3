"""Write the batch report: report.html, summary.json, CSV tables and SVG maps."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from procmine._version import __version__
from procmine.analysis.candidates import TABLE_COLUMNS as CANDIDATE_COLUMNS
from procmine.analysis.episodes import TABLE_COLUMNS as EPISODE_COLUMNS
from procmine.analysis.kpis import KPI_COLUMNS
from procmine.analysis.rework import TABLE_COLUMNS as REWORK_COLUMNS
from procmine.render.charts import message_svg
from procmine.render.html import drawing_svg
from procmine.render.maps import draw_as_is_to_be, draw_handoff_map, draw_map
from procmine.report._csv import write_table
from procmine.report.build import HANDOFF_COLUMNS, REENTRY_COLUMNS
from procmine.report.html import report_html
from procmine.report.model import SECTION_KEYS, Report, ReportFiles
from procmine.schema import REJECT_COLUMNS

__all__ = ["MAP_NAMES", "TABLE_NAMES", "write_report"]

#: CSV tables written under ``tables/``, by name (file ``tables/<name>.csv``).
TABLE_NAMES = ("dfg", "handoffs", "rework", "episodes", "reentry", "candidates",
               "candidates_weak", "kpis_daily", "kpis_weekly", "rejects")
#: SVG maps written under ``maps/``, by name (file ``maps/<name>.svg``).
MAP_NAMES = ("process", "handoffs", "as_is", "to_be")

_DFG_COLUMNS = ("source", "target", "count", "median_wait_s", "cases", "mean_wait_s",
                "p90_wait_s")


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="object") for c in columns})


def _tables(report: Report) -> dict[str, pd.DataFrame]:
    """Every CSV table, sorted, with its contract columns first (empty ones keep headers)."""
    sec = report.sections
    edges = sec["process"].tables.get("edges")
    dfg = (edges.loc[:, list(_DFG_COLUMNS)].sort_values(
        ["count", "source", "target"], ascending=[False, True, True], kind="stable")
        if edges is not None else _empty(_DFG_COLUMNS))

    def table(section: str, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
        found = sec[section].tables.get(name)
        return _empty(columns) if found is None else found

    handoffs = table("handoffs", "table", HANDOFF_COLUMNS)
    reentry = table("reentry", "table", REENTRY_COLUMNS)
    candidates = table("candidates", "table", ("rank", *CANDIDATE_COLUMNS))
    weak = table("candidates", "weak", CANDIDATE_COLUMNS)
    rework = table("rework", "table", REWORK_COLUMNS)
    episodes = table("rework", "episodes", EPISODE_COLUMNS)
    rejects = table("loaded", "rejects", REJECT_COLUMNS)
    daily = sec["kpis"].tables.get("daily")
    weekly = sec["kpis"].tables.get("weekly")
    daily = _empty(KPI_COLUMNS) if daily is None else daily.sort_values("period", kind="stable")
    weekly = _empty(KPI_COLUMNS) if weekly is None else weekly.sort_values("period",
                                                                           kind="stable")
    return {"dfg": dfg, "handoffs": handoffs, "rework": rework, "episodes": episodes,
            "reentry": reentry, "candidates": candidates, "candidates_weak": weak,
            "kpis_daily": _dates_as_text(daily), "kpis_weekly": _dates_as_text(weekly),
            "rejects": rejects}


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column].dtype):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def _svgs(report: Report) -> dict[str, str]:
    """Every map as SVG text; a map that cannot be drawn is an SVG saying why."""
    sec = report.sections
    out: dict[str, str] = {}
    process = sec["process"]
    pmap = process.maps.get("process")
    out["process"] = (drawing_svg(draw_map(pmap, title=f"Process map: {report.name}"))
                      if pmap is not None else
                      message_svg("Process map", process.reason or "no map"))
    handoffs = sec["handoffs"]
    table = handoffs.maps.get("handoffs")
    if table is not None and len(table):
        out["handoffs"] = drawing_svg(draw_handoff_map(table, measure="count"))
    else:
        out["handoffs"] = message_svg(
            "Handoff map", handoffs.reason or "no handoff between departments in this log")
    candidates = sec["candidates"]
    before, after = candidates.maps.get("as_is"), candidates.maps.get("to_be")
    if before is not None and after is not None:
        pair = draw_as_is_to_be(before, after)
        out["as_is"], out["to_be"] = drawing_svg(pair.before), drawing_svg(pair.after)
    else:
        why = candidates.reason or "no candidate saves money under the cost model"
        out["as_is"] = (drawing_svg(draw_map(before, title=f"As-is: {report.name}"))
                        if before is not None else message_svg("As-is map", why))
        out["to_be"] = message_svg("To-be map", why)
    return out


def _json_value(value: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python, floats rounded."""
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return value


def summary(report: Report, files: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The content of ``summary.json`` (deterministic: no time of writing)."""
    sec = report.sections

    sources: list[dict[str, Any]] = [
        {"source": str(r["source"]), "path": str(r["path"]), "format": str(r["format"]),
         "rows_read": int(r["rows_read"]), "rows_loaded": int(r["rows_loaded"]),
         "rows_rejected": int(r["rows_rejected"]), "events": int(r["events"])}
        for r in sec["loaded"].tables["sources"].to_dict("records")
    ]
    reasons = sec["loaded"].tables["reject_reasons"]
    for entry in sources:
        mine = reasons.loc[reasons["source"] == entry["source"]]
        entry["reject_reasons"] = {str(k): int(v) for k, v in
                                   sorted(zip(mine["reason"], mine["rows"], strict=True))}
    totals = {key: sum(s[key] for s in sources)
              for key in ("rows_read", "rows_loaded", "rows_rejected", "events")}
    cost_values = {
        "currency": report.currency,
        "handoff_cost_total": sec["handoffs"].values.get("total_cost"),
        "reentry_cost_total": sec["reentry"].values.get("total_cost"),
        "rework_labour_cost_total": sec["rework"].values.get("rework_labour_cost"),
        "episode_cost_total": sec["rework"].values.get("episode_cost"),
        "annualisation": report.facts.get("annualisation"),
        "candidates_annual_saving": sec["candidates"].values.get("annual_saving_positive"),
    }
    data = {
        "procmine_version": __version__,
        "log": dict(report.facts),
        "sources": sources,
        "totals": totals,
        "kpis": dict(sec["kpis"].values),
        "costs": cost_values,
        "handoffs": {k: v for k, v in sec["handoffs"].values.items() if k != "total_cost"},
        "reentry": {k: v for k, v in sec["reentry"].values.items() if k != "total_cost"},
        "rework": dict(sec["rework"].values),
        "candidates": {k: v for k, v in sec["candidates"].values.items()
                       if k not in ("annual_saving_positive", "projected")},
        "sections": {key: {"title": sec[key].title, "available": sec[key].available,
                           "reason": sec[key].reason, "notes": list(sec[key].notes)}
                     for key in SECTION_KEYS},
        "files": dict(files or {}),
    }
    return _json_value(data)


def write_report(
    report: Report,
    out_dir: str | Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> ReportFiles:
    """Write the report into ``out_dir`` as DESIGN.md's output contract says.

    Writes ``report.html`` (self-contained: inline CSS and SVG, no script, no
    external link), ``summary.json`` (sorted keys, no time of writing: the same
    input gives byte-identical files), ``tables/{dfg,handoffs,reentry,candidates,
    kpis_daily,kpis_weekly,rejects}.csv`` (UTF-8, sorted, spreadsheet formulas
    neutralised) and ``maps/{process,handoffs,as_is,to_be}.svg``. A map that
    cannot be drawn is an SVG that says why; a table that cannot be computed
    has its header only.

    Parameters
    ----------
    report : Report
        From :func:`procmine.report.build_report`.
    out_dir : str or Path
        Created when missing; files in it are overwritten.
    progress : callable, optional, keyword-only
        Called with a short message before each long step.

    Returns
    -------
    ReportFiles
    """
    out = Path(out_dir)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    if progress is not None:
        progress("tables")
    tables = {}
    for name, frame in _tables(report).items():
        tables[name] = write_table(frame.reset_index(drop=True), out / "tables" / f"{name}.csv")
    if progress is not None:
        progress("maps")
    svgs = _svgs(report)
    maps = {}
    for name in MAP_NAMES:
        path = out / "maps" / f"{name}.svg"
        path.write_text(svgs[name], encoding="utf-8")
        maps[name] = path
    if progress is not None:
        progress("report.html")
    html_path = out / "report.html"
    html_path.write_text(report_html(report, svgs), encoding="utf-8")
    files = {"report": "report.html", "summary": "summary.json",
             **{f"tables/{k}": f"tables/{k}.csv" for k in tables},
             **{f"maps/{k}": f"maps/{k}.svg" for k in maps}}
    summary_path = out / "summary.json"
    summary_path.write_text(
        json.dumps(summary(report, files), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return ReportFiles(out_dir=out, html=html_path, summary=summary_path, tables=tables,
                       maps=maps)
