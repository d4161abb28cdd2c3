"""The self-contained HTML page of the batch report (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from procmine._version import __version__
from procmine.io.xmlchars import xml_text
from procmine.render.charts import html_table, line_chart, sanitize_svg
from procmine.render.maps import format_seconds
from procmine.report.model import SECTION_KEYS, Report, Section

__all__ = ["report_html"]

# Projector first: large type, black on white, thick focus; print: one section per page.
# Colours from the Okabe–Ito palette (blue #0072B2, vermillion #D55E00), safe for
# colour-vision deficiencies; nothing is told by colour alone.
_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { font-size: 20px; }
body { margin: 0 auto; max-width: 1500px; padding: 1.2rem 1.6rem 3rem;
  font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif;
  line-height: 1.45; color: #000; background: #fff; }
h1 { font-size: 2.1rem; margin: .4rem 0 .6rem; }
h2 { font-size: 1.65rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 4px solid #0072B2; }
h3 { font-size: 1.25rem; margin: 1.4rem 0 .5rem; }
p, li { max-width: 70em; }
nav ol { columns: 2; padding-left: 1.4rem; }
a { color: #0072B2; text-decoration: underline; }
a:focus { outline: 3px solid #D55E00; outline-offset: 2px; }
.facts { display: flex; flex-wrap: wrap; gap: .8rem; padding: 0; list-style: none; }
.facts li { border: 2px solid #000; padding: .4rem .8rem; border-radius: 6px; }
.facts b { display: block; font-size: 1.5rem; }
.reason { border-left: 8px solid #D55E00; background: #fff3e8; padding: .6rem 1rem;
  font-size: 1.1rem; }
.note { border-left: 8px solid #0072B2; background: #eaf4fb; padding: .5rem 1rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; max-width: 100%; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; font-size: 1rem; }
th, td { border: 1px solid #555; padding: .3rem .55rem; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
th { background: #e8e8e8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f5f5f5; }
.more { font-style: italic; }
figure { margin: .8rem 0; }
figcaption { font-weight: bold; margin-bottom: .3rem; }
.map { border: 1px solid #888; padding: .4rem; overflow: auto; max-height: 90vh; background: #fff; }
.map svg { max-width: 100%; height: auto; }
.map.wide svg { max-width: none; width: auto;
  height: min(var(--natural-height), max(62vh, 420px)); }
.map.pair svg { display: block; max-width: none; width: auto; height: 38vh; min-height: 280px; }
.pair-label { font-weight: bold; margin: .3rem 0 0; position: sticky; left: 0; }
.scroll { overflow-x: auto; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1rem; }
.charts svg { width: 100%; height: auto; }
footer { margin-top: 3rem; font-size: .85rem; color: #333; }
@media (max-width: 900px) { .side { grid-template-columns: 1fr; } }
@media print {
  html { font-size: 12pt; }
  body { max-width: none; padding: 0; }
  nav { display: none; }
  section.report-section { break-before: page; page-break-before: always; }
  section.report-section:first-of-type { break-before: auto; page-break-before: auto; }
  h2, h3, figcaption, caption { break-after: avoid; page-break-after: avoid; }
  table, figure, svg, .reason, .note { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .map { max-height: none; overflow: visible; border: none; }
  .map.wide svg, .map.pair svg { width: 100%; max-width: 100%; height: auto; min-height: 0; }
  .scroll { overflow: visible; }
  .side, .charts { grid-template-columns: 1fr 1fr; }
  a { color: #000; }
}
"""


def _esc(value: object) -> str:
    return html.escape(xml_text(str(value)), quote=True)


def _money(value: float, currency: str) -> str:
    return f"{value:,.2f} {currency}"


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


def _figure(caption: str, svg: str | None, *, fallback: str, zoom: bool = False) -> str:
    body = sanitize_svg(svg) if svg else f"<p>{_esc(fallback)}</p>"
    # On screen a wide map keeps a legible height and scrolls sideways (a projector
    # cannot show 30 activities in one row at page width); print fits it to the page.
    size = _size(svg) if zoom and svg else None
    wide = size is not None and size[0] / size[1] > 2.5
    attrs = f' style="--natural-height: {size[1]:.0f}px"' if wide and size else ""
    return (f'<figure><figcaption>{_esc(caption)}</figcaption>'
            f'<div class="map{" wide" if wide else ""}"{attrs} tabindex="0" role="region" '
            f'aria-label="{_esc(caption)}">{body}</div></figure>')


def _section_head(section: Section) -> list[str]:
    parts = [f'<section class="report-section" id="{section.key}" '
             f'aria-labelledby="h-{section.key}">',
             f'<h2 id="h-{section.key}">{_esc(section.title)}</h2>']
    if section.reason:
        parts.append(f'<p class="reason"><strong>Not computed:</strong> {_esc(section.reason)}</p>')
    parts += [f'<p class="note">{_esc(note)}</p>' for note in section.notes]
    return parts


Spec = list[tuple[str, str, str]]  # (column, header, kind)


def _cell(value: Any, kind: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "money":
        v = float(value)
        if v != v or v in (float("inf"), float("-inf")):
            return "–"
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}"
    if kind == "wait":
        return format_seconds(float(value))
    if kind == "pct":
        return f"{float(value):.0%}"
    if kind == "num":
        v = float(value)
        if v in (float("inf"), float("-inf")):
            return "never"
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"
    if kind == "hours":
        return f"{float(value):,.1f} h"
    if kind == "date":
        return str(value)[:10]
    if kind == "label":
        return str(value).replace("_", " ")
    return str(value)


def _show(frame: pd.DataFrame | None, spec: Spec, *, caption: str,
          max_rows: int | None = 25) -> str:
    """A display table: chosen columns, friendly headers, numbers formatted for people."""
    if frame is None or frame.empty:
        return f"<p>{_esc(caption)}: none.</p>"
    spec = [s for s in spec if s[0] in frame.columns]
    shown = frame if max_rows is None else frame.head(max_rows)
    text = pd.DataFrame({
        header: [_cell(v, kind) for v in shown[column].tolist()] for column, header, kind in spec
    })
    numeric = [header for _, header, kind in spec if kind not in ("text", "date", "label")]
    table = '<div class="scroll">' + html_table(text, caption=caption, max_rows=None,
                                                numeric=numeric) + "</div>"
    if max_rows is not None and len(frame) > max_rows:
        table += (f'<p class="more">{len(frame) - max_rows:,} more row(s) not shown; '
                  "see the CSV table.</p>")
    return table


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
                   ("count", "handoffs", "int"), ("cases", "orders", "int"),
                   ("median_wait_s", "median wait", "wait"), ("p90_wait_s", "p90 wait", "wait"),
                   ("queue_wait_s", "queue time, all (priced)", "wait"),
                   ("lead_time_s", "lead time, all (unpriced)", "wait"),
                   ("cost", "cost", "money"), ("causal_count", "causal", "int"),
                   ("system_count", "system to system", "int"),
                   ("pingpong", "ping-pong", "int")]
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
_CANDIDATES: Spec = [("rank", "#", "int"), ("activity", "step", "text"),
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
                     ("payback_months", "payback (months)", "num")]
_PROJECTION: Spec = [("metric", "measure", "text"), ("before", "as-is", "num"),
                     ("after", "to-be", "num"), ("change", "change", "num")]
_KPIS: Spec = [("period", "week of", "date"), ("orders_started", "orders", "int"),
               ("cycle_time_median_s", "cycle time (median)", "wait"),
               ("order_to_cash_median_s", "order to cash (median)", "wait"),
               ("touchless_rate", "touchless", "pct"),
               ("touchless_after_entry_rate", "touchless after entry", "pct"),
               ("kept_informed_rate", "kept informed", "pct"),
               ("handoffs_per_order", "handoffs / order", "num"),
               ("return_rate", "returns", "pct"), ("abandoned_rate", "abandoned", "pct")]
_VARIANTS: Spec = [("variant", "#", "int"), ("cases", "orders", "int"),
                   ("share", "share", "pct"), ("length", "steps", "int"),
                   ("activities", "variant", "text")]


def _loaded(report: Report, section: Section) -> list[str]:
    parts = _section_head(section)
    parts.append(_show(section.tables.get("sources"), _SOURCES, max_rows=None,
                       caption="Rows per source (rows read = loaded + rejected)"))
    reasons = section.tables.get("reject_reasons")
    if reasons is not None and not reasons.empty:
        parts.append(_show(reasons, _REASONS, caption="Rejected rows by reason", max_rows=None))
        parts.append(_show(section.tables.get("rejects"), _REJECTS, max_rows=15,
                           caption="First rejected rows (all in tables/rejects.csv)"))
    else:
        parts.append("<p>No row was rejected.</p>")
    missing = section.tables.get("missing_values")
    if missing is not None and not missing.empty:
        parts.append(_show(missing, _MISSING, max_rows=None,
                           caption="Placeholder values read as missing, per source and column"))
    return parts


def _pair(svgs: Mapping[str, str | None]) -> str:
    """As-is and to-be: side by side, or, when the maps are wide, one above the other
    in one box that scrolls sideways as a whole, so the same activities stay aligned."""
    names = [("as_is", "As-is (today; also maps/as_is.svg)"),
             ("to_be", "To-be (after the candidates that save money; also maps/to_be.svg)")]
    texts = [svgs.get(name) for name, _ in names]
    if not all(texts) or min(_aspect(t) for t in texts if t) <= 2.5:
        return '<div class="side">' + _maps_figures(svgs, names) + "</div>"
    rows = "".join(f'<p class="pair-label">{_esc(caption)}</p>{sanitize_svg(text or "")}'
                   for (_, caption), text in zip(names, texts, strict=True))
    return ('<figure><figcaption>As-is and to-be, aligned (scroll sideways to compare)'
            '</figcaption><div class="map pair" tabindex="0" role="region" '
            f'aria-label="As-is and to-be maps">{rows}</div></figure>')


def _maps_figures(svgs: Mapping[str, str | None], names: list[tuple[str, str]],
                  *, zoom: bool = False) -> str:
    return "".join(_figure(caption, svgs.get(name), fallback=f"{caption}: no map.", zoom=zoom)
                   for name, caption in names)


def _process(report: Report, section: Section, svgs: Mapping[str, str | None]) -> list[str]:
    parts = _section_head(section)
    if section.available:
        parts.append(_maps_figures(svgs, [("process", "Process map (activities; also in "
                                                     "maps/process.svg)")], zoom=True))
        parts.append(_show(section.tables.get("edges"), _DFG, max_rows=15,
                           caption="Most frequent paths (all in tables/dfg.csv)"))
    return parts


def _handoffs(report: Report, section: Section, svgs: Mapping[str, str | None]) -> list[str]:
    parts = _section_head(section)
    if section.available:
        total = section.values.get("total_cost", 0.0)
        count = section.values.get("total_handoffs", 0)
        parts.append(f"<p><strong>{count:,}</strong> handoffs between departments cost "
                     f"<strong>{_esc(_money(total, report.currency))}</strong> "
                     "(coordination plus waiting) in this log.</p>")
        parts.append(_maps_figures(svgs, [("handoffs", "Handoff map (departments)")],
                                   zoom=True))
        parts.append(_show(section.tables.get("table"), _HANDOFFS,
                           caption=f"Handoffs ranked by cost in {report.currency} "
                                   "(all in tables/handoffs.csv)"))
    return parts


def _reentry(report: Report, section: Section) -> list[str]:
    parts = _section_head(section)
    if section.available:
        total = section.values.get("total_cost", 0.0)
        parts.append(f"<p>Re-entry costs <strong>{_esc(_money(total, report.currency))}</strong> "
                     "(labour plus resolving discrepancies) in this log.</p>")
        parts.append(_show(section.tables.get("by_item"), _BY_ITEM, max_rows=None,
                           caption="Re-entry by information item"))
        parts.append(_show(section.tables.get("table"), _REENTRY,
                           caption=f"Who re-enters what, ranked by cost in {report.currency} "
                                   "(all in tables/reentry.csv)"))
    return parts


_PROJECTION_TEXT: Spec = [(c, h, "text") for c, h, _ in [
    ("metric", "measure", ""), ("before", "as-is", ""), ("after", "to-be", ""),
    ("change", "change", "")]]


def _readable_metrics(table: pd.DataFrame | None) -> pd.DataFrame | None:
    """The projection's metrics in words, durations as hours or days, the rest as numbers."""
    if table is None:
        return None
    out = table.copy().astype({"before": object, "after": object, "change": object})
    for i, metric in enumerate(table["metric"].astype(str)):
        duration = metric.endswith("_s")
        for column in ("before", "after", "change"):
            value = table[column].iloc[i]
            if duration and not pd.isna(value):
                text = format_seconds(abs(float(value)))
                if column == "change" and float(value) < 0:
                    text = "-" + text
            else:
                text = _cell(value, "num")
            out.iloc[i, out.columns.get_loc(column)] = text
        label = metric[:-2] if duration else metric
        out.iloc[i, out.columns.get_loc("metric")] = label.replace("_", " ")
    return out


def _rework(report: Report, section: Section) -> list[str]:
    parts = _section_head(section)
    if section.available:
        cost = _money(section.values.get("rework_labour_cost", 0.0), report.currency)
        delay = _money(section.values.get("episode_cost", 0.0), report.currency)
        parts.append(f"<p>Rework costs <strong>{_esc(cost)}</strong> of labour in this log; "
                     f"blocks cost <strong>{_esc(delay)}</strong> of waiting.</p>")
        parts.append(_show(section.tables.get("table"), _REWORK, max_rows=15,
                           caption="Rework by step and department, ranked by labour cost "
                                   "(all in tables/rework.csv)"))
        parts.append(_show(section.tables.get("episodes"), _EPISODES, max_rows=15,
                           caption="Blocks and holds: set, removed, how long, by whom "
                                   "(all in tables/episodes.csv)"))
    return parts


def _candidates(report: Report, section: Section, svgs: Mapping[str, str | None]) -> list[str]:
    parts = _section_head(section)
    if section.available:
        table = section.tables.get("table")
        parts.append(_show(table, _CANDIDATES, max_rows=15,
                           caption=f"Candidates ranked by saving, in {report.currency} "
                                   "(all columns in tables/candidates.csv)"))
        if table is not None and not table.empty and "rationale" in table.columns:
            items = "".join(f"<li>{_esc(text)}</li>" for text in table["rationale"].head(10))
            parts.append(f"<h3>Why</h3><ol>{items}</ol>")
        weak = section.tables.get("weak")
        if weak is not None and not weak.empty:
            parts.append(_show(weak, [c for c in _CANDIDATES if c[0] != "rank"], max_rows=10,
                               caption="Weak evidence: below the minimum support, not ranked "
                                       "(all in tables/candidates_weak.csv)"))
        projected = section.values.get("projected")
        if projected:
            parts.append(f"<h3>As-is and to-be</h3><p>To-be: {_esc(projected)}</p>")
            parts.append(_show(_readable_metrics(section.tables.get("projection")),
                               _PROJECTION_TEXT, max_rows=None,
                               caption="What changes (money over the log's period unless "
                                       "per year)"))
    parts.append(_pair(svgs))
    return parts


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


def _kpis(report: Report, section: Section) -> list[str]:
    parts = _section_head(section)
    weekly = section.tables.get("weekly")
    if section.available and weekly is not None and not weekly.empty:
        partial = (weekly["partial"] if "partial" in weekly.columns
                   else pd.Series(False, index=weekly.index))
        x = [str(v)[:10] + (" (part)" if p else "")
             for v, p in zip(weekly["period"].tolist(), partial.tolist(), strict=True)]
        charts = []
        for column, title, unit in _CHARTS:
            if column not in weekly.columns:
                continue
            values = weekly[column].astype("float64")
            if column.endswith("_s"):
                values = values / 3600.0  # charted in hours
            if values.isna().all():
                continue  # the section's notes say why it is not computable
            censored = (weekly["censored"].tolist() if column.startswith("cycle_time")
                        and "censored" in weekly.columns else None)
            charts.append(line_chart(x, {title: values.tolist()}, title=title, y_label=unit,
                                     censored=censored))
        parts.append('<div class="charts">' + "".join(charts) + "</div>")
        parts.append(_show(weekly, _KPIS, max_rows=60,
                           caption="KPIs per week (per day in tables/kpis_daily.csv)"))
    return parts


def _variants(report: Report, section: Section) -> list[str]:
    parts = _section_head(section)
    if section.available:
        parts.append(_show(section.tables.get("table"), _VARIANTS, max_rows=20,
                           caption="Most frequent variants (orders with the same sequence of "
                                   "activities)"))
    return parts


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
        ("events", f"{facts.get('events', 0):,}"),
        ("orders", f"{facts.get('cases', 0):,}"),
        ("activities", f"{facts.get('activities', 0):,}"),
        ("departments", f"{facts.get('departments', 0):,}"),
        ("rows rejected", f"{facts.get('rows_rejected', 0):,}"),
        ("days (UTC)" if not facts.get("time_outliers") else
         f"days (UTC; {facts['time_outliers']:,} outlying events left out)",
         f"{str(facts.get('bulk_first_event') or facts.get('first_event') or '–')[:10]} – "
         f"{str(facts.get('bulk_last_event') or facts.get('last_event') or '–')[:10]}"),
    ]
    nav = "".join(
        f'<li><a href="#{key}">{_esc(report.sections[key].title)}</a>'
        + ("" if report.sections[key].available else " (not computed)") + "</li>"
        for key in SECTION_KEYS if key in report.sections
    )
    body: list[str] = [
        "<header>",
        f"<h1>procmine report: {_esc(report.name)}</h1>",
        '<ul class="facts">'
        + "".join(f"<li><b>{_esc(v)}</b>{_esc(k)}</li>" for k, v in fact_items) + "</ul>",
        f'<nav aria-label="Sections"><ol>{nav}</ol></nav>',
        "</header><main>",
    ]
    for key in SECTION_KEYS:
        section = report.sections.get(key)
        if section is None:
            continue
        if key == "loaded":
            body += _loaded(report, section)
        elif key == "process":
            body += _process(report, section, svgs)
        elif key == "handoffs":
            body += _handoffs(report, section, svgs)
        elif key == "rework":
            body += _rework(report, section)
        elif key == "reentry":
            body += _reentry(report, section)
        elif key == "candidates":
            body += _candidates(report, section, svgs)
        elif key == "kpis":
            body += _kpis(report, section)
        elif key == "variants":
            body += _variants(report, section)
        body.append("</section>")
    body.append("</main>")

    body.append(f"<footer>Made by procmine {_esc(__version__)}. Costs in "
                f"{_esc(report.currency)}. The CSV tables, summary.json and maps beside this "
                "file hold every row.</footer>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>procmine report: {_esc(report.name)}</title>"
        f"<style>{_CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )
