"""The self-contained HTML page of the batch report (inline CSS and SVG, no script, no network).

The page is the template ``report/templates/report.html.j2``, rendered with
autoescaping (:mod:`procmine.report._templates`): this module only turns the
report's values into display values (formatted cells, chart SVGs), and every
text from a log is escaped by the template. Only SVG that procmine drew itself
is marked safe, after :func:`procmine.render.charts.sanitize_svg`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from procmine import _format
from procmine._version import __version__
from procmine.io.xmlchars import xml_text
from procmine.render.charts import line_chart, sanitize_svg
from procmine.report._templates import render
from procmine.report.model import SECTION_KEYS, Report, Section

__all__ = ["Cell", "TableView", "report_html", "safe_svg", "table_view"]


@dataclass(frozen=True)
class Cell:
    """One formatted table cell: its text and whether it is a number (right-aligned)."""

    text: str
    numeric: bool = False


@dataclass(frozen=True)
class TableView:
    """A table ready for a template: caption, headers, formatted rows, rows left out."""

    caption: str
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    more: int = 0

    @property
    def empty(self) -> bool:
        return not self.rows


def _text(value: object) -> str:
    return xml_text(str(value))


def _size(svg: str) -> tuple[float, float] | None:
    """Width and height of an SVG document in CSS pixels, from its root element."""
    root = re.search(r"<svg\b[^>]*>", svg)
    width = re.search(r'\swidth="([\d.]+)(pt|px)?"', root.group(0)) if root else None
    height = re.search(r'\sheight="([\d.]+)(pt|px)?"', root.group(0)) if root else None
    if not width or not height or float(height.group(1)) == 0:
        return None
    scale = 4 / 3 if height.group(2) == "pt" else 1.0
    return float(width.group(1)) * scale, float(height.group(1)) * scale


def _aspect(svg: str) -> float:
    """Width / height of an SVG document (1.0 when unknown)."""
    size = _size(svg)
    return size[0] / size[1] if size else 1.0


def safe_svg(svg: str | None) -> Markup | None:
    """An SVG procmine drew, sanitised and marked safe for a template (``None`` stays)."""
    return None if not svg else Markup(sanitize_svg(svg))  # noqa: S704 - sanitised above


# -- cells ------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def cell_text(value: Any, kind: str, currency: str) -> str:
    """A value as the report shows it (money with its currency, waits in h or d, ...).

    Examples
    --------
    >>> cell_text(1234.5, "money", "EUR"), cell_text(5400, "wait", ""), cell_text(0.25, "pct", "")
    ('1,235 EUR', '1.5 h', '25.0%')
    >>> cell_text(-40.0, "signed_money", "EUR"), cell_text(float("inf"), "months", "")
    ('-40.00 EUR', 'never')
    """
    if _missing(value):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "signed_int":
        return f"{int(value):+,}" if int(value) else "±0"
    if kind == "money":
        return _format.money(value, currency)
    if kind == "signed_money":
        return _format.signed_money(value, currency)
    if kind == "wait":
        return _format.duration(value)
    if kind == "signed_wait":
        text = _format.duration(value)
        return text if text.startswith("-") else "+" + text
    if kind == "pct":
        return _format.share(value)
    if kind == "points":
        return f"{100 * float(value):+.1f} pp"
    if kind in ("num", "months"):
        v = float(value)
        if v in (float("inf"), float("-inf")):
            return "never"
        return _format.count(v) if kind == "num" else f"{v:,.1f}"
    if kind == "date":
        return str(value)[:10]
    if kind == "label":
        return str(value).replace("_", " ")
    return str(value)


Spec = Sequence[tuple[str, str, str]]  # (column, header, kind)
_TEXT_KINDS = ("text", "date", "label")


def table_view(frame: pd.DataFrame | None, spec: Spec, *, caption: str, currency: str,
               max_rows: int | None = 25) -> TableView:
    """A display table: chosen columns, friendly headers, numbers formatted for people."""
    if frame is None or frame.empty:
        return TableView(caption=caption, headers=(), rows=())
    spec = [s for s in spec if s[0] in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    headers = tuple(Cell(_text(header), kind not in _TEXT_KINDS) for _, header, kind in spec)
    columns = [shown[column].tolist() for column, _, _ in spec]
    rows = tuple(
        tuple(Cell(_text(cell_text(value, kind, currency)), kind not in _TEXT_KINDS)
              for value, (_, _, kind) in zip(values, spec, strict=True))
        for values in zip(*columns, strict=True)
    )
    more = len(frame) - max_rows if max_rows is not None and len(frame) > max_rows else 0
    return TableView(caption=_text(caption), headers=headers, rows=rows, more=more)


def _unit_kinds(unit: str) -> tuple[str, str]:
    """(value kind, change kind) of a KPI's unit."""
    return {"duration": ("wait", "signed_wait"), "share": ("pct", "points")}.get(
        unit, ("num", "signed_num"))


def kpi_rows(table: pd.DataFrame | None, columns: Sequence[tuple[str, str, bool]]
             ) -> TableView:
    """KPIs in rows, each column formatted in the KPI's own unit (change columns signed)."""
    headers = (Cell("KPI"), *(Cell(h, True) for _, h, _ in columns))
    if table is None or table.empty:
        return TableView(caption="", headers=headers, rows=())
    rows = []
    for record in table.to_dict("records"):
        value_kind, change_kind = _unit_kinds(str(record["unit"]))
        cells = [Cell(_text(record["label"]))]
        for column, _, is_change in columns:
            value = record.get(column)
            if is_change and change_kind == "signed_num":
                text = "–" if _missing(value) else f"{float(value):+,.2f}"
            else:
                text = cell_text(value, change_kind if is_change else value_kind, "")
            cells.append(Cell(_text(text), True))
        rows.append(tuple(cells))
    return TableView(caption="", headers=headers, rows=tuple(rows))


# -- what each section shows ------------------------------------------------------------
_SOURCES: Spec = [("source", "source", "text"), ("path", "file", "text"),
                  ("format", "format", "text"), ("rows_read", "rows read", "int"),
                  ("rows_loaded", "loaded", "int"), ("rows_rejected", "rejected", "int"),
                  ("events", "events", "int")]
_MISSING: Spec = [("source", "source", "text"), ("column", "column", "text"),
                  ("values", "placeholders read as missing", "int"),
                  ("seen", "values seen", "text")]
_REASONS: Spec = [("source", "source", "text"), ("reason", "reason", "text"),
                  ("rows", "rows", "int")]
_REJECTS: Spec = [("source", "source", "text"), ("row", "row", "int"),
                  ("reason", "reason", "text"), ("column", "column", "text"),
                  ("value", "value", "text")]
_DFG: Spec = [("source", "from", "text"), ("target", "to", "text"), ("count", "times", "int"),
              ("cases", "orders", "int"), ("median_wait_s", "median wait", "wait"),
              ("p90_wait_s", "p90 wait", "wait")]
_HANDOFFS: Spec = [("source", "from", "text"), ("target", "to", "text"),
                   ("count", "handoffs", "int"), ("count_previous", "previous run", "int"),
                   ("count_change", "change", "signed_int"), ("cases", "orders", "int"),
                   ("median_wait_s", "median wait", "wait"), ("p90_wait_s", "p90 wait", "wait"),
                   ("queue_wait_s", "queue time, all (priced)", "wait"),
                   ("lead_time_s", "lead time, all (unpriced)", "wait"),
                   ("cost", "cost", "money"), ("cost_change", "cost change", "signed_money"),
                   ("causal_count", "causal", "int"),
                   ("system_count", "system to system", "int"),
                   ("pingpong", "ping-pong", "int")]
_GONE: Spec = [("source", "from", "text"), ("target", "to", "text"),
               ("count_previous", "handoffs in the previous run", "int"),
               ("cost_previous", "cost then", "money")]
_REWORK: Spec = [("activity", "step", "text"), ("level_value", "department", "text"),
                 ("kind", "kind", "label"), ("events", "events", "int"),
                 ("cases", "orders", "int"), ("share_of_orders", "share of orders", "pct"),
                 ("labour_cost", "labour cost", "money")]
_EPISODES: Spec = [("status", "status", "text"), ("opened_by", "set by", "text"),
                   ("closed_by", "removed by", "text"), ("orders", "orders", "int"),
                   ("episodes", "episodes", "int"), ("open_episodes", "still open", "int"),
                   ("median_s", "median", "wait"), ("p90_s", "p90", "wait"),
                   ("cost", "cost of the delay", "money")]
_REENTRY: Spec = [("item", "item", "text"), ("first_entered_by", "first entered by", "text"),
                  ("reentered_by", "re-entered by", "text"), ("count", "re-entries", "int"),
                  ("discrepancy_rate", "discrepancy rate", "pct"), ("cost", "cost", "money")]
_BY_ITEM: Spec = [("item", "item", "text"), ("owner", "owner", "text"),
                  ("cases", "orders with it", "int"), ("entries", "entries", "int"),
                  ("reentries", "re-entries", "int"), ("discrepancies", "discrepancies", "int"),
                  ("discrepancy_rate", "discrepancy rate", "pct"), ("cost", "cost", "money")]
CANDIDATE_SPEC: Spec = [("rank", "#", "int"), ("activity", "step", "text"),
                        ("department", "department", "text"), ("kind", "change", "label"),
                        ("item", "information", "label"),
                        ("evidence_kind", "evidence", "text"), ("strength", "strength", "text"),
                        ("events", "events", "int"), ("executions", "of executions", "int"),
                        ("support", "orders", "pct"),
                        ("handoffs_removed", "handoffs removed", "int"),
                        ("coordinated_removed", "of them needing a person", "int"),
                        ("current_cost_annual", "today / year", "money"),
                        ("implementation_cost", "implement (once)", "money"),
                        ("running_cost_annual", "new running / year", "money"),
                        ("annual_saving", "saving / year", "money"),
                        ("payback_months", "payback (months)", "months")]
ACTION_SPEC: Spec = [("rank", "#", "int"), ("activity", "step", "text"),
                     ("department", "department", "text"), ("kind", "change", "label"),
                     ("annual_saving", "saving / year", "money"),
                     ("implementation_cost", "implement (once)", "money"),
                     ("payback_months", "payback (months)", "months")]
_KPIS: Spec = [("period", "week of", "date"), ("orders_started", "orders", "int"),
               ("cycle_time_median_s", "cycle time (median)", "wait"),
               ("order_to_cash_median_s", "order to cash (median)", "wait"),
               ("touchless_rate", "touchless", "pct"),
               ("touchless_after_entry_rate", "touchless after entry", "pct"),
               ("kept_informed_rate", "kept informed", "pct"),
               ("handoffs_per_order", "handoffs / order", "num"),
               ("return_rate", "returns", "pct"), ("abandoned_rate", "abandoned", "pct"),
               ("note", "note", "text")]
_VARIANTS: Spec = [("variant", "#", "int"), ("cases", "orders", "int"),
                   ("share", "share", "pct"), ("length", "steps", "int"),
                   ("activities", "variant", "text")]
#: How the report names the engine that computed it (summary facts and footer).
_ENGINE_TEXT: Mapping[str, str] = {
    "pandas": "procmine in memory (pandas)",
    "duckdb": "DuckDB (procmine --engine duckdb)",
    "spark": "Apache Spark (procmine --engine spark)",
}
_COSTS: Spec = [("label", "cost", "text"), ("period", "over the log's period", "money"),
                ("annual", "per year", "money"), ("previous", "previous run", "money"),
                ("change", "change since", "signed_money")]

_CHARTS = [
    ("orders_started", "Orders started", "orders"),
    ("cycle_time_median_s", "Order cycle time (median)", "hours"),
    ("order_to_cash_median_s", "Order to cash (median)", "hours"),
    ("touchless_rate", "Touchless orders", "share"),
    ("touchless_after_entry_rate", "Touchless after order entry", "share"),
    ("kept_informed_rate", "Customer kept informed", "share"),
    ("handoffs_per_order", "Handoffs per order", "handoffs"),
    ("return_rate", "Return rate", "share"),
]


def readable_metrics(table: pd.DataFrame | None, currency: str) -> TableView:
    """The projection's metrics in words: money with its currency, durations in h or d."""
    headers = (Cell("measure"), Cell("as-is", True), Cell("to-be", True), Cell("change", True))
    if table is None:
        return TableView(caption="", headers=headers, rows=())
    rows = []
    for record in table.to_dict("records"):
        metric = str(record["metric"])
        if metric.endswith("_s"):
            kinds, label = ("wait", "signed_wait"), metric[:-2]
        elif "cost" in metric:
            kinds, label = ("money", "signed_money"), metric
        else:
            kinds, label = ("num", "num"), metric
        change = cell_text(record["change"], kinds[1], currency)
        if kinds[1] == "num" and not _missing(record["change"]) and float(record["change"]) > 0:
            change = "+" + change
        rows.append((Cell(_text(label.replace("_", " "))),
                     Cell(cell_text(record["before"], kinds[0], currency), True),
                     Cell(cell_text(record["after"], kinds[0], currency), True),
                     Cell(change, True)))
    return TableView(caption="What changes (money over the log's period unless per year)",
                     headers=headers, rows=tuple(rows))


def _figure(name: str, caption: str, svg: str | None, *, zoom: bool = False) -> dict[str, Any]:
    # On screen a wide map keeps a legible height and scrolls sideways (a projector
    # cannot show 30 activities in one row at page width); print fits it to the page.
    size = _size(svg) if zoom and svg else None
    wide = size is not None and size[0] / size[1] > 2.5
    return {"name": name, "caption": caption, "svg": safe_svg(svg), "wide": wide,
            "natural_height": f"{size[1]:.0f}px" if wide and size else None}


def _pair(svgs: Mapping[str, str | None]) -> dict[str, Any]:
    """As-is and to-be: side by side, or, when the maps are wide, one above the other
    in one box that scrolls sideways as a whole, so the same activities stay aligned."""
    names = [("as_is", "As-is (today; also maps/as_is.svg)"),
             ("to_be", "To-be (after the candidates that save money; also maps/to_be.svg)")]
    texts = [svgs.get(name) for name, _ in names]
    stacked = all(texts) and min(_aspect(t) for t in texts if t) > 2.5
    return {"stacked": stacked,
            "figures": [_figure(name, caption, svgs.get(name)) for name, caption in names]}


def _weekly_charts(weekly: pd.DataFrame) -> list[Markup]:
    def flags(column: str) -> list[bool]:
        return (weekly[column].astype(bool).tolist() if column in weekly.columns
                else [False] * len(weekly))

    partial, few = flags("partial"), flags("few_orders")
    x = [str(v)[:10] + (" (few)" if f else " (part)" if p else "")
         for v, p, f in zip(weekly["period"].tolist(), partial, few, strict=True)]
    charts = []
    for column, title, unit in _CHARTS:
        if column not in weekly.columns:
            continue
        values = weekly[column].astype("float64")
        if column.endswith("_s"):
            values = values / 3600.0  # charted in hours
        if values.isna().all():
            continue  # the section's notes say why it is not computable
        censored = (flags("censored") if column.startswith("cycle_time") else None)
        sparse = few if column != "orders_started" and any(few) else None
        charts.append(Markup(sanitize_svg(line_chart(  # noqa: S704 - escaped by line_chart
            x, {title: values.tolist()}, title=title, y_label=unit, censored=censored,
            sparse=sparse))))
    return charts


def _weekly_table(weekly: pd.DataFrame) -> pd.DataFrame:
    out = weekly.copy()
    few = out["few_orders"] if "few_orders" in out.columns else pd.Series(False, index=out.index)
    part = out["partial"] if "partial" in out.columns else pd.Series(False, index=out.index)
    out["note"] = [("few orders" if f else "") + ("; " if f and p else "")
                   + ("part of the week" if p else "") for f, p in zip(few, part, strict=True)]
    return out


def _section(report: Report, section: Section, svgs: Mapping[str, str | None]) -> dict[str, Any]:
    """The display values of one section."""
    cur = report.currency
    view: dict[str, Any] = {"key": section.key, "title": _text(section.title),
                            "reason": None if section.reason is None else _text(section.reason),
                            "notes": [_text(n) for n in section.notes],
                            "available": section.available}
    t, v = section.tables, section.values

    def table(name: str, spec: Spec, caption: str, max_rows: int | None = 25) -> TableView:
        return table_view(t.get(name), spec, caption=caption, currency=cur, max_rows=max_rows)

    if section.key == "summary" and section.available:
        kpis = t.get("kpis")
        week_cols: list[tuple[str, str, bool]] = [
            ("previous_week", f"week of {v.get('previous_week') or '–'}", False),
            ("latest_week", f"week of {v.get('latest_week') or '–'}", False),
            ("change", "change", True)]
        if kpis is not None and "this_run" in kpis.columns:
            week_cols += [("previous_run", "previous run (whole log)", False),
                          ("this_run", "this run (whole log)", False),
                          ("change_since_run", "change since that run", True)]
        view.update(
            costs=table("costs", _COSTS, f"What the process costs, in {cur}", None),
            actions=table("actions", ACTION_SPEC,
                          f"Top {len(t.get('actions', ()))} actions, by saving per year", None),
            kpis=kpi_rows(kpis, week_cols),
            facts=[("Run date", v["run_date"]),
                   ("Period covered (UTC)",
                    f"{str(v.get('period_first') or '–')[:10]} – "
                    f"{str(v.get('period_last') or '–')[:10]}"),
                   ("Computed by", _ENGINE_TEXT.get(v.get("engine", "pandas"),
                                                    str(v.get("engine")))),
                   ("Cost model", f"{v['cost_model']} ({v['cost_model_digest']})"),
                   ("Annualisation", v["annualisation"]),
                   ("Currency", cur)]
            + ([("Compared with", f"{v['previous_run']['path']}"
                 + (f" (run of {v['previous_run']['date']})" if v['previous_run']['date']
                    else ""))] if v.get("previous_run") else []),
        )
    elif section.key == "loaded":
        reasons = t.get("reject_reasons")
        view.update(
            sources=table("sources", _SOURCES,
                          "Rows per source (rows read = loaded + rejected)", None),
            rejected=reasons is not None and not reasons.empty,
            reasons=table("reject_reasons", _REASONS, "Rejected rows by reason", None),
            rejects=table("rejects", _REJECTS,
                          "First rejected rows (all in tables/rejects.csv)", 15),
            missing=table("missing_values", _MISSING,
                          "Placeholder values read as missing, per source and column", None),
        )
    elif section.key == "process" and section.available:
        view.update(
            figure=_figure("process", "Process map (activities; also in maps/process.svg)",
                           svgs.get("process"), zoom=True),
            paths=table("edges", _DFG, "Most frequent paths (all in tables/dfg.csv)", 15))
    elif section.key == "handoffs" and section.available:
        view.update(
            count=_format.count(v.get("total_handoffs", 0)),
            cost=_format.money(v.get("total_cost", 0.0), cur),
            change=(None if "total_handoffs_change" not in v else
                    f"{v['total_handoffs_change']:+,} handoffs"
                    + (f", {_format.signed_money(v['total_cost_change'], cur)}"
                       if "total_cost_change" in v else "") + " since the previous run"),
            figure=_figure("handoffs", "Handoff map (departments)", svgs.get("handoffs"),
                           zoom=True),
            table=table("table", _HANDOFFS,
                        f"Handoffs ranked by cost in {cur} (all in tables/handoffs.csv)"),
            gone=table("gone", _GONE, "Routes of the previous run that no longer occur", None))
    elif section.key == "rework" and section.available:
        view.update(
            cost=_format.money(v.get("rework_labour_cost", 0.0), cur),
            delay=_format.money(v.get("episode_cost", 0.0), cur),
            table=table("table", _REWORK, "Rework by step and department, ranked by labour "
                        "cost (all in tables/rework.csv)", 15),
            episodes=table("episodes", _EPISODES, "Blocks and holds: set, removed, how long, "
                           "by whom (all in tables/episodes.csv)", 15))
    elif section.key == "reentry" and section.available:
        view.update(
            cost=_format.money(v.get("total_cost", 0.0), cur),
            by_item=table("by_item", _BY_ITEM, "Re-entry by information item", None),
            table=table("table", _REENTRY, f"Who re-enters what, ranked by cost in {cur} "
                        "(all in tables/reentry.csv)"))
    elif section.key == "candidates":
        ranked = t.get("table")
        view.update(
            table=table("table", CANDIDATE_SPEC, f"Candidates ranked by saving, in {cur} "
                        "(all columns in tables/candidates.csv)", 15),
            why=([_text(x) for x in ranked["rationale"].head(10)]
                 if ranked is not None and not ranked.empty and "rationale" in ranked.columns
                 else []),
            weak=table("weak", [c for c in CANDIDATE_SPEC if c[0] != "rank"],
                       "Weak evidence: below the minimum support, not ranked (all in "
                       "tables/candidates_weak.csv)", 10),
            projected=None if not v.get("projected") else _text(v["projected"]),
            projection=readable_metrics(t.get("projection"), cur),
            pair=_pair(svgs))
    elif section.key == "kpis" and section.available:
        weekly = t.get("weekly")
        has_weeks = weekly is not None and not weekly.empty
        since = t.get("since_previous")
        view.update(
            charts=_weekly_charts(weekly) if has_weeks else [],
            weekly=table_view(_weekly_table(weekly) if has_weeks else None, _KPIS,
                              caption="KPIs per week (per day in tables/kpis_daily.csv)",
                              currency=cur, max_rows=60),
            since=None if since is None else kpi_rows(
                since, [("before", "previous run", False), ("now", "this run", False),
                        ("change", "change", True)]))
    elif section.key == "variants" and section.available:
        view.update(table=table("table", _VARIANTS, "Most frequent variants (orders with the "
                                "same sequence of activities)", 20))
    return view


def report_html(report: Report, svgs: Mapping[str, str | None]) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    report : Report
        What :func:`procmine.report.build_report` computed.
    svgs : mapping of str to str or None
        Rendered maps by name (``process``, ``handoffs``, ``as_is``, ``to_be``);
        ``None`` when a map could not be drawn. Sanitised before inlining.

    Returns
    -------
    str
        A complete document: inline CSS and SVG; no script; no external URL.
    """
    facts = report.facts
    fact_items = [
        ("events", _format.count(facts.get("events", 0))),
        ("orders", _format.count(facts.get("cases", 0))),
        ("activities", _format.count(facts.get("activities", 0))),
        ("departments", _format.count(facts.get("departments", 0))),
        ("rows rejected", _format.count(facts.get("rows_rejected", 0))),
        ("days (UTC)" if not facts.get("time_outliers") else
         f"days (UTC; {facts['time_outliers']:,} outlying events left out)",
         f"{str(facts.get('bulk_first_event') or facts.get('first_event') or '–')[:10]} – "
         f"{str(facts.get('bulk_last_event') or facts.get('last_event') or '–')[:10]}"),
    ]
    sections = [_section(report, report.sections[key], svgs)
                for key in SECTION_KEYS if key in report.sections]
    run = facts.get("run", {})
    engine = run.get("engine", "pandas")
    return render("report.html.j2", name=_text(report.name), facts=fact_items,
                  sections=sections, currency=report.currency, version=__version__,
                  run_date=run.get("date", ""),
                  engine=_ENGINE_TEXT.get(engine, str(engine)))
