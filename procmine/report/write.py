"""Write the batch report: report.html, summary.json, CSV tables and SVG maps."""

from __future__ import annotations

import contextlib
import glob
import json
import math
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from procmine._version import __version__
from procmine.analysis.candidates import TABLE_COLUMNS as CANDIDATE_COLUMNS
from procmine.analysis.episodes import TABLE_COLUMNS as EPISODE_COLUMNS
from procmine.analysis.kpis import KPI_COLUMNS
from procmine.analysis.rework import TABLE_COLUMNS as REWORK_COLUMNS
from procmine.errors import ProcmineError, UsageError
from procmine.io._paths import input_among
from procmine.io.xmlchars import xml_text
from procmine.render.charts import message_svg
from procmine.render.html import drawing_svg
from procmine.render.maps import (
    MIN_PAIR_ACTIVITIES,
    PAIR_PATHS,
    draw_as_is_to_be,
    draw_handoff_map,
    draw_map,
    draw_projection,
)
from procmine.render.medium import preset, text_px
from procmine.report._csv import write_table
from procmine.report.html import report_html
from procmine.report.model import SECTION_KEYS, Report, ReportFiles
from procmine.report.sections import HANDOFF_COLUMNS, REENTRY_COLUMNS
from procmine.schema import REJECT_COLUMNS

__all__ = ["MAP_NAMES", "TABLE_NAMES", "check_out_dir", "write_report"]

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
    """Every map as SVG text, fitted to an A4 page; a map that cannot be drawn says why.

    Drawn from the log, a map shows as many of the most frequent activities as a
    page shows with its text at 9 pt or more (the map says how many); the as-is /
    to-be pair always shows the steps the paying candidates change.
    """
    sec = report.sections
    out: dict[str, str] = {}
    process = sec["process"]
    pmap = process.maps.get("process")
    log = process.results.get("log")
    title = f"Process map: {report.name}"
    if pmap is None:
        out["process"] = message_svg("Process map", process.reason or "no map")
    elif log is not None:
        out["process"] = drawing_svg(draw_map(log, title=title, medium="print"))
    else:
        out["process"] = drawing_svg(draw_map(pmap, title=title, medium="print"))
    handoffs = sec["handoffs"]
    table = handoffs.maps.get("handoffs")
    if table is not None and len(table):
        out["handoffs"] = drawing_svg(draw_handoff_map(table, measure="count", medium="print"))
    else:
        out["handoffs"] = message_svg(
            "Handoff map", handoffs.reason or "no handoff between departments in this log")
    candidates = sec["candidates"]
    before, after = candidates.maps.get("as_is"), candidates.maps.get("to_be")
    projection = candidates.results.get("projection")
    if before is not None and after is not None and projection is not None:
        moves = list(projection.moves)
        # the figures leave the drawing (they would take the room the 9 pt text needs):
        # the report prints them as a table below the maps
        # (many changed steps in many lanes may not read at 9 pt left to right: then the
        # pair top to bottom, when its text is larger)
        best: tuple[float, str, str] | None = None
        for direction in ("LR", "TB"):
            pair = draw_projection(projection, steps=[m.activity for m in moves],
                                   titles=("As-is", "To-be"), currency=report.currency,
                                   medium="print", figures=False, direction=direction,
                                   min_activities=MIN_PAIR_ACTIVITIES, paths=PAIR_PATHS)
            svgs = drawing_svg(pair.before), drawing_svg(pair.after)
            size = min(text_px(svg, "print") for svg in svgs)
            if best is None or size > best[0]:
                best = (size, *svgs)
            if size >= preset("print").min_text_px:
                break
        assert best is not None
        out["as_is"], out["to_be"] = best[1], best[2]
    elif before is not None and after is not None:
        pair = draw_as_is_to_be(before, after, medium="print", projection=projection,
                                currency=report.currency)
        out["as_is"], out["to_be"] = drawing_svg(pair.before), drawing_svg(pair.after)
    else:
        why = candidates.reason or "no candidate saves money under the cost model"
        out["as_is"] = (drawing_svg(draw_map(log if log is not None else before,
                                             title=f"As-is: {report.name}", medium="print"))
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
        "run": dict(report.facts.get("run", {})),
        "executive_summary": _executive(report),
    }
    previous = sec["summary"].values.get("previous_run")
    if previous:
        data["previous"] = _since_previous(report, previous)
    return _json_value(data)


def _records(frame: pd.DataFrame | None, columns: list[str]) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    shown = frame.loc[:, [c for c in columns if c in frame.columns]]
    return [{k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items()}
            for row in shown.to_dict("records")]


def _executive(report: Report) -> dict[str, Any]:
    """The executive summary's figures (summary.json ``executive_summary``)."""
    section = report.sections["summary"]
    values = dict(section.values)
    values.pop("previous_run", None)
    values["kpi_week_changes"] = _records(
        section.tables.get("kpis"), ["kpi", "previous_week", "latest_week", "change"])
    return values


def _since_previous(report: Report, previous: Mapping[str, Any]) -> dict[str, Any]:
    """What changed since the previous run (summary.json ``previous``)."""
    sec = report.sections
    handoffs = sec["handoffs"].values
    costs = sec["summary"].tables.get("costs")
    return {
        "path": previous.get("path"), "date": previous.get("date"),
        "handoffs": {k: handoffs.get(k) for k in ("total_handoffs_previous",
                                                  "total_handoffs_change",
                                                  "total_cost_previous", "total_cost_change")},
        "costs": {r["cost"]: {"previous": r.get("previous"), "change": r.get("change")}
                  for r in _records(costs, ["cost", "previous", "change"])},
        "kpis": _records(sec["kpis"].tables.get("since_previous"),
                         ["kpi", "before", "now", "change"]),
        "handoff_routes": _records(sec["handoffs"].tables.get("table"),
                                   ["source", "target", "count", "count_previous",
                                    "count_change", "cost_change"]),
        "handoff_routes_gone": _records(sec["handoffs"].tables.get("gone"),
                                        ["source", "target", "count_previous"]),
    }


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
        Created when missing; the report's files in it are replaced, other
        files are left alone. The report is written into a private folder
        beside it first and moved into place when complete, so an interrupted
        run (SIGINT, SIGTERM, a full disk) leaves the previous report or none,
        never a partial one. A second run into the same folder at the same
        time fails (a lock beside it) instead of interleaving.
    progress : callable, optional, keyword-only
        Called with a short message before each long step.

    Returns
    -------
    ReportFiles

    Raises
    ------
    UsageError
        ``out_dir`` is a file, or the report would overwrite one of its inputs
        (nothing is written).
    ProcmineError
        Another run holds the folder, or writing failed (a full disk): nothing
        was changed in ``out_dir``.
    """
    out = Path(out_dir)
    _check_target(report, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    real = Path(os.path.realpath(out))  # a symlinked folder: stage beside its target
    with _locked(real), _staging(real) as stage:
        try:
            tables, maps = _write_into(report, stage, progress)
        except OSError as problem:  # a full disk, a quota: nothing was changed in out_dir
            raise ProcmineError(
                f"{out}: cannot write the report ({problem.strerror or problem}); "
                f"nothing was changed in {out}") from None
        _move_into_place(stage, real)
    return ReportFiles(out_dir=out, html=out / "report.html", summary=out / "summary.json",
                       tables={k: out / p.relative_to(stage) for k, p in tables.items()},
                       maps={k: out / p.relative_to(stage) for k, p in maps.items()})


def _write_into(report: Report, out: Path, progress: Callable[[str], None] | None,
                ) -> tuple[dict[str, Path], dict[str, Path]]:
    """Every file of the report, into the (staging) folder ``out``."""
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    if progress is not None:
        progress("tables")
    tables = {}
    for name, frame in _tables(report).items():
        tables[name] = write_table(frame.reset_index(drop=True), out / "tables" / f"{name}.csv")
    if progress is not None:
        progress("maps")
    svgs = {name: xml_text(svg) for name, svg in _svgs(report).items()}
    maps = {}
    for name in MAP_NAMES:
        path = out / "maps" / f"{name}.svg"
        path.write_text(svgs[name], encoding="utf-8")
        maps[name] = path
    if progress is not None:
        progress("report.html")
    html_path = out / "report.html"
    html_path.write_text(xml_text(report_html(report, svgs)), encoding="utf-8")
    files = {"report": "report.html", "summary": "summary.json",
             **{f"tables/{k}": f"tables/{k}.csv" for k in tables},
             **{f"maps/{k}": f"maps/{k}.svg" for k in maps}}
    summary_path = out / "summary.json"
    summary_path.write_text(
        json.dumps(summary(report, files), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return tables, maps


def _targets(out: Path) -> list[Path]:
    """The files the report writes into ``out``."""
    return [out / "report.html", out / "summary.json",
            *(out / "tables" / f"{name}.csv" for name in TABLE_NAMES),
            *(out / "maps" / f"{name}.svg" for name in MAP_NAMES)]


def _check_target(report: Report, out: Path) -> None:
    sources = report.sections["loaded"].tables.get("sources")
    check_out_dir(out, [] if sources is None else [Path(str(p)) for p in sources["path"]
                                                   if str(p)])


def check_out_dir(out: str | Path, inputs: list[Path]) -> None:
    """Refuse (UsageError, exit 2) a report folder that is a file or would overwrite an input.

    Called before anything is written: by :func:`write_report` with the
    extracts of the report, and by ``procmine report`` with INPUT before
    loading it.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder; give a folder to write "
                         "the report into")
    for target in _targets(out):
        source = input_among(target, inputs)
        if source is not None:
            raise UsageError(
                f"--out {out}: the report would overwrite its input {source}; procmine "
                "never overwrites its input: choose another folder")


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``.<name>.procmine-lock`` beside ``out``: a second run into it fails cleanly.

    The lock is an ``flock`` (released by the system when a run dies, so a
    killed run never leaves a stale lock); the lock file is removed after.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    lock = out.parent / f".{out.name}.procmine-lock"
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ProcmineError(
                f"{out}: another procmine run is writing a report into this folder (lock "
                f"{lock.name}); wait for it to finish, or choose another --out") from None
        try:  # the file may have been removed by the run that held it: lock the new one
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A private folder beside ``out`` (same file system, so moves are renames), removed after.

    Called with the lock held: any other such folder was left by a run that
    was killed outright (SIGKILL, a power cut), and is removed first.
    """
    prefix = f".{out.name}.procmine-tmp-"
    for stale in out.parent.glob(f"{glob.escape(prefix)}*"):
        shutil.rmtree(stale, ignore_errors=True)
    folder = out.parent / f"{prefix}{secrets.token_hex(8)}"
    folder.mkdir()  # not mkdtemp: the report folder keeps the usual permissions (umask)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _move_into_place(stage: Path, out: Path) -> None:
    """Move the complete report from ``stage`` into ``out``.

    A missing ``out`` is one rename. Into an existing folder each file
    replaces its namesake (other files in the folder are left alone), with
    ``report.html`` removed first and put back last: an interrupted move
    never leaves a ``report.html`` beside tables of another run.
    """
    if not out.exists():
        try:
            os.rename(stage, out)
        except OSError:  # created meanwhile (not by procmine: we hold the lock): merge
            pass
        else:
            return
    html = out / "report.html"
    if html.is_symlink() or html.exists():
        os.unlink(html)
    files = sorted(p for p in stage.rglob("*") if p.is_file() and p.name != "report.html")
    for path in [*files, stage / "report.html"]:
        target = out / path.relative_to(stage)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
