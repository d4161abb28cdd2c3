"""The workshop deck: one self-contained HTML file of 1920×1080 slides for a reengineering workshop.

The deck shows what :func:`procmine.report.build_report` computed (one
definition of every figure): the process on one slide, handoffs by department,
rework and blocks, re-entry by information item, one slide per ranked
candidate (as-is / to-be of that change alone, its evidence, the three sets of
costs and payback, and the KPI to watch when the change is tried on its own),
and a closing slide ranking the changes. The only new computation is the
projection of each candidate on its own (:func:`procmine.project`, the one
projection engine), which the report does for the paying candidates together.

The file needs no network: inline CSS and SVG and one small inline script
(allowed by its hash in the page's Content-Security-Policy) for keyboard
navigation (← → PageUp PageDown Space Home End, F for full screen). Printed,
it gives one slide per page.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from procmine import _format
from procmine._version import __version__
from procmine.analysis.costs import CostModel
from procmine.analysis.projection import project
from procmine.io.xmlchars import xml_text
from procmine.log._require import require_log
from procmine.log.eventlog import EventLog
from procmine.render.charts import message_svg
from procmine.render.html import drawing_svg
from procmine.render.maps import (
    MIN_PAIR_ACTIVITIES,
    PAIR_PATHS,
    draw_handoff_map,
    draw_map,
    draw_projection,
)
from procmine.report._templates import environment
from procmine.report.build import build_report
from procmine.report.html import (
    CANDIDATE_SPEC,
    Cell,
    TableView,
    cell_text,
    safe_svg,
    table_view,
)
from procmine.report.model import Report

__all__ = ["SLIDE_KINDS", "Deck", "Slide", "workshop_deck"]

#: The kinds of slide, in the order the deck shows them (``candidate`` repeats).
SLIDE_KINDS = ("title", "process", "handoffs", "rework", "reentry", "candidate", "ranking")

#: The keyboard script of the deck (allowed by its hash: no other script can run).
_SCRIPT = """
(function () {
  var root = document.documentElement;
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  var counter = document.getElementById("counter");
  var current = 0;
  var step = 0;
  root.classList.add("js");
  function fit() {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    root.style.setProperty("--scale", String(scale));
  }
  function steps(k) { return slides[k].querySelectorAll(".step").length || 1; }
  function show(n, s) {
    current = Math.max(0, Math.min(slides.length - 1, n));
    step = Math.max(0, Math.min(steps(current) - 1, s || 0));
    slides.forEach(function (el, k) { el.classList.toggle("current", k === current); });
    slides[current].querySelectorAll(".step").forEach(function (el, k) {
      el.classList.toggle("shown", k === step);
    });
    slides[current].dataset.step = String(step);
    counter.textContent = (current + 1) + " / " + slides.length;
    if (window.location.hash !== "#" + slides[current].id) {
      window.history.replaceState(null, "", "#" + slides[current].id);
    }
  }
  function next() {
    if (step + 1 < steps(current)) { show(current, step + 1); }
    else if (current + 1 < slides.length) { show(current + 1, 0); }
  }
  function back() {
    if (step > 0) { show(current, step - 1); }
    else if (current > 0) { show(current - 1, steps(current - 1) - 1); }
  }
  function fullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (root.requestFullscreen) { root.requestFullscreen().catch(function () {}); }
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var keys = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1,
                ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
    if (e.key in keys) { if (keys[e.key] > 0) { next(); } else { back(); } e.preventDefault(); }
    else if (e.key === "Home") { show(0); e.preventDefault(); }
    else if (e.key === "End") { show(slides.length - 1); e.preventDefault(); }
    else if (e.key === "f" || e.key === "F") { fullscreen(); e.preventDefault(); }
  });
  window.addEventListener("resize", fit);
  var start = slides.findIndex(function (s) { return "#" + s.id === window.location.hash; });
  fit();
  show(start < 0 ? 0 : start);
})();
""".strip()


@dataclass(frozen=True, eq=False)
class Slide:
    """One slide: its kind, heading and what the template shows on it."""

    key: str
    kind: str
    title: str
    content: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Slide({self.key!r}, {self.title!r})"


@dataclass(frozen=True, eq=False)
class Deck:
    """A workshop deck: slides and the self-contained HTML document.

    Attributes
    ----------
    name : str
        The log's name.
    slides : tuple of Slide
        In order.
    html : str
        The whole deck as one HTML document.
    report : Report
        The report the deck shows (its figures are the report's).
    table : DataFrame
        One row per slide: ``slide, kind, title``.
    """

    name: str
    slides: tuple[Slide, ...]
    html: str
    report: Report

    @property
    def table(self) -> pd.DataFrame:
        """One row per slide: number, kind, heading."""
        return pd.DataFrame({"slide": range(1, len(self.slides) + 1),
                             "kind": [s.kind for s in self.slides],
                             "title": [s.title for s in self.slides]})

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """``{"slides": table}``."""
        return {"slides": self.table}

    def save(self, path: str | Path) -> Path:
        """Write the deck to ``path`` (UTF-8 HTML); returns the path."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # written beside the target and moved into place: never half a deck
        temporary = target.with_name(f".{target.name}.procmine-tmp-{secrets.token_hex(6)}")
        try:
            temporary.write_text(self.html, encoding="utf-8")
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        return target

    def __repr__(self) -> str:
        return f"Deck({self.name!r}: {len(self.slides)} slides)"

    def _repr_html_(self) -> str:
        # the deck's own script runs inside a sandboxed frame (no access to the notebook)
        data = base64.b64encode(self.html.encode("utf-8")).decode("ascii")
        return (f'<iframe title="workshop deck" sandbox="allow-scripts" '
                f'style="width:100%;aspect-ratio:16/9;border:1px solid #888" '
                f'src="data:text/html;base64,{data}"></iframe>')


def _svg(drawing: Any) -> str:
    return xml_text(drawing_svg(drawing))


def _text(value: object) -> str:
    return xml_text(str(value))


#: Projected measures that are KPIs of :func:`procmine.kpis` (or labour per order when
#: neither improves): (metric, KPI key, label, unit).
_WATCH = (
    ("handoffs_per_order", "handoffs_per_order", "Handoffs per order", "number"),
    ("median_cycle_time_s", "cycle_time_median_s", "Order cycle time (median)", "duration"),
)
#: A predicted change smaller than this (relative) is too small to measure in a trial.
_MEASURABLE = 0.005


def _kpi_to_watch(projection: pd.DataFrame, current: Mapping[str, Any],
                  orders: int) -> dict[str, str]:
    """The KPI the change improves most (relative), today's value and the predicted one.

    When neither KPI the projection predicts improves measurably, the measure to
    watch is the manual labour per order, which the change exists to remove.
    """
    rows = projection.set_index("metric")
    best: tuple[float, str, str, str, float, float] | None = None
    for metric, kpi, label, unit in _WATCH:
        if metric not in rows.index:
            continue
        before, after = float(rows.at[metric, "before"]), float(rows.at[metric, "after"])
        if pd.isna(before) or pd.isna(after) or before == 0:
            continue
        gain = (before - after) / abs(before)  # a fall is the improvement for both
        if gain >= _MEASURABLE and (best is None or gain > best[0]):
            best = (gain, kpi, label, unit, before, after)
    how = ("Try the change on its own, then measure before and after its start date "
           "(procmine compare INPUT --change-date DATE): the interval says whether it moved.")
    if best is None:
        if "labour_minutes" not in rows.index or not orders:
            return {"label": "Handoffs per order", "text": "no predicted change to measure",
                    "how": how}
        before = float(rows.at["labour_minutes", "before"]) / orders
        after = float(rows.at["labour_minutes", "after"]) / orders
        change = (after - before) / before if before else 0.0
        return {"label": "Manual labour per order",
                "text": (f"predicted {before:,.1f} → {after:,.1f} minutes ({change:+.1%}) with "
                         "this change alone (handoffs per order and cycle time barely move)"),
                "how": how}
    _, kpi, label, unit, before, after = best

    def show(value: float) -> str:
        return _format.duration(value) if unit == "duration" else f"{value:,.2f}"

    now = current.get(kpi)
    return {
        "label": label,
        "text": (f"predicted {show(before)} → {show(after)} ({(after - before) / before:+.1%}) "
                 "with this change alone"
                 + (f"; the whole log today: {show(float(now))}" if now is not None else "")),
        "how": how,
    }


#: The projection's figures a candidate slide shows (metric, label, kind).
_CHANGES = (("department_handoffs", "Handoffs", "int"),
            ("labour_minutes", "Labour (minutes)", "int"),
            ("median_cycle_time_s", "Median cycle time", "wait"),
            ("total_cost_annual", "Cost per year", "money"))


def _changes(projection: pd.DataFrame, currency: str) -> TableView:
    """Before → after of the change alone: handoffs, labour, cycle time, cost per year."""
    rows = projection.set_index("metric")
    out = []
    for metric, label, kind in _CHANGES:
        if metric not in rows.index:
            continue
        before, after = rows.at[metric, "before"], rows.at[metric, "after"]
        change = after - before
        change_text = (cell_text(change, "signed_money", currency) if kind == "money" else
                       cell_text(change, "signed_wait", currency) if kind == "wait" else
                       f"{change:+,.0f}")
        out.append((Cell(label), Cell(cell_text(before, kind, currency), True),
                    Cell(cell_text(after, kind, currency), True), Cell(change_text, True)))
    return TableView(caption="", headers=(Cell(""), Cell("as-is", True), Cell("to-be", True),
                                          Cell("change", True)), rows=tuple(out))


def _handoff_evidence(removed: Any, coordinated: Any) -> str:
    removed, coordinated = int(removed), int(coordinated)
    people = (f"{abs(coordinated):,} {'fewer' if coordinated >= 0 else 'more'} of them "
              "needing a person")
    if removed >= 0:
        return f"{removed:,} handoffs removed ({people})"
    return (f"{-removed:,} more handoffs in all (now with the outside party, system to "
            f"system), {people}")


def _facts(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_text(k), _text(v)) for k, v in pairs]


def _candidate_slides(log: EventLog, report: Report, costs: CostModel, pmap: Any,
                      max_candidates: int | None) -> list[Slide]:
    """One slide per ranked candidate, in three steps: as-is, to-be, the figures."""
    section = report.candidates
    table = section.tables.get("table")
    found = section.results.get("candidates")
    if table is None or table.empty or found is None:
        return []
    reentry = section.results.get("reentry")
    current = report.kpis.values
    cur = report.currency
    slides = []
    shown = table if max_candidates is None else table.head(max_candidates)
    for index, row in shown.iterrows():
        move = found.moves[index]
        projection = project(log, [move], costs=costs, reentry=reentry)
        kind = str(row["kind"]).replace("_", " ")
        rank = int(row["rank"])
        if pmap is not None:
            # the projection marks the steps shared data automates; a step moved to an
            # outside party shows by its lane, and the figures go on the slide's third step
            # (drawn beside the maps they would take a third of the slide's width)
            pair = draw_projection(projection, steps=[str(row["activity"])],
                                   titles=(f"As-is #{rank}", f"To-be #{rank}, {kind}"),
                                   currency=cur, medium="slide", figures=False,
                                   min_activities=MIN_PAIR_ACTIVITIES, paths=PAIR_PATHS)
            svgs = drawing_svg(pair.before), drawing_svg(pair.after)
            maps = [safe_svg(svgs[0]), safe_svg(svgs[1])]
        else:
            maps = [safe_svg(message_svg("As-is", "no process map")), None]
        payback = row["payback_months"]
        costs_view = TableView(caption="", headers=(Cell("cost"), Cell(cur, True)), rows=tuple(
            (Cell(label), Cell(_text(cell_text(row[column], kind_, cur)), True))
            for label, column, kind_ in (
                ("Today, per year (what the change alters)", "current_cost_annual", "money"),
                ("To implement, once", "implementation_cost", "money"),
                ("New running cost, per year", "running_cost_annual", "money"),
                ("Saving per year", "annual_saving", "money"),
                ("Payback (months)", "payback_months", "months"),
            )))
        evidence = [
            f"{_format.count(row['events'])} events of {_format.count(row['executions'])} "
            f"executions, in {_format.share(row['support'])} of orders "
            f"({row['evidence_kind']}, {row['strength']})",
            _handoff_evidence(row["handoffs_removed"], row["coordinated_removed"]),
            f"median wait {_format.duration(row['median_wait_s'])}; "
            f"{_format.count(row['labour_minutes'])} labour minutes; "
            f"{_format.count(row['discrepancies'])} discrepancies",
        ]
        slides.append(Slide(
            key=f"candidate-{rank}", kind="candidate",
            title=_text(f"#{rank} {row['activity']} ({row['department']}): {kind}"),
            content={
                "maps": maps, "evidence": [_text(e) for e in evidence],
                "rationale": _text(row.get("rationale", "")),
                "costs": costs_view,
                "changes": _changes(projection.table, cur),
                "pays": bool(row["annual_saving"] > 0),
                "payback": cell_text(payback, "months", cur),
                "watch": {k: _text(v) for k, v in _kpi_to_watch(
                    projection.table, current, int(log.n_cases)).items()},
            }))
    return slides


def _ranking(report: Report) -> TableView:
    # the candidate slides have every cost; the ranking: what it saves, costs once, pays back
    spec = [c for c in CANDIDATE_SPEC if c[0] in (
        "rank", "activity", "department", "kind", "annual_saving", "implementation_cost",
        "payback_months")]
    return table_view(report.candidates.tables.get("table"), spec, caption="",
                      currency=report.currency, max_rows=8)


def _small(frame: pd.DataFrame | None, spec: list[tuple[str, str, str]], report: Report,
           rows: int) -> TableView:
    return table_view(frame, spec, caption="", currency=report.currency, max_rows=rows)


def _slides(log: EventLog, report: Report, costs: CostModel, max_candidates: int | None
            ) -> list[Slide]:
    facts = report.facts
    cur = report.currency
    summary = report.summary.values
    slides = [Slide("title", "title", _text(f"Reengineering workshop: {report.name}"), {
        "facts": _facts([
            ("Orders", _format.count(facts.get("cases", 0))),
            ("Events", _format.count(facts.get("events", 0))),
            ("Period (UTC)",
             f"{str(facts.get('bulk_first_event') or facts.get('first_event') or '–')[:10]} – "
             f"{str(facts.get('bulk_last_event') or facts.get('last_event') or '–')[:10]}"),
            ("Departments", _format.count(facts.get("departments", 0))),
            ("Cost model", f"{summary.get('cost_model', '')} "
                           f"({summary.get('cost_model_digest', '')})"),
            ("Annualisation", str(facts.get("annualisation", {}).get("text", ""))),
            ("Run date", str(facts.get("run", {}).get("date", ""))),
        ])})]
    process = report.process
    # drawn from the log: the most frequent activities a 1920×1080 slide can show with its
    # text at 32 px (the coverage stated on the map)
    drawing = (draw_map(log, title=f"The process: {report.name}", medium="slide")
               if process.available else None)
    pmap = None if drawing is None else drawing.process_map
    svg = (_svg(drawing) if drawing is not None
           else message_svg("Process map", process.reason or "no map"))
    slides.append(Slide("process", "process", "The process", {
        "map": safe_svg(svg), "lead": "", "notes": [_text(n) for n in process.notes]}))
    handoffs = report.handoffs
    table = handoffs.maps.get("handoffs")
    svg = (_svg(draw_handoff_map(table, measure="count", medium="slide"))
           if table is not None and len(table) else
           message_svg("Handoffs", handoffs.reason or "no handoff between departments"))
    values = handoffs.values
    slides.append(Slide("handoffs", "handoffs", "Handoffs by department", {
        "map": safe_svg(svg),
        "lead": _text(f"{_format.count(values.get('total_handoffs', 0))} handoffs cost "
                      f"{_format.money(values.get('total_cost', 0.0), cur)}")
        if handoffs.available else _text(handoffs.reason or "")}))
    rework = report.rework
    slides.append(Slide("rework", "rework", "Rework and blocks", {
        "available": rework.available, "reason": _text(rework.reason or ""),
        "lead": _text(
            f"{_format.count(rework.values.get('rework_events', 0))} rework events in "
            f"{_format.share(rework.values.get('rework_share_of_orders', 0.0))} of orders: "
            f"{_format.money(rework.values.get('rework_labour_cost', 0.0), cur)} of labour; "
            f"{_format.count(rework.values.get('episodes', 0))} blocks cost "
            f"{_format.money(rework.values.get('episode_cost', 0.0), cur)} of waiting")
        if rework.available else "",
        "rework": _small(rework.tables.get("table"), [
            ("activity", "step", "text"), ("level_value", "department", "text"),
            ("kind", "kind", "label"), ("cases", "orders", "int"),
            ("labour_cost", "labour", "money")], report, 5),
        "episodes": _small(rework.tables.get("episodes"), [
            ("status", "block", "text"), ("opened_by", "set by", "text"),
            ("closed_by", "removed by", "text"), ("episodes", "times", "int"),
            ("median_s", "median", "wait"), ("cost", "cost", "money")], report, 4)}))
    reentry = report.reentry
    slides.append(Slide("reentry", "reentry", "Re-entry by information item", {
        "available": reentry.available, "reason": _text(reentry.reason or ""),
        "lead": _text(f"{_format.count(reentry.values.get('reentries', 0))} re-entries cost "
                      f"{_format.money(reentry.values.get('total_cost', 0.0), cur)}")
        if reentry.available else "",
        "by_item": _small(reentry.tables.get("by_item"), [
            ("item", "information", "label"), ("owner", "owner", "text"),
            ("reentries", "re-entries", "int"), ("discrepancy_rate", "discrepancies", "pct"),
            ("cost", "cost", "money")], report, 8)}))
    slides += _candidate_slides(log, report, costs, pmap, max_candidates)
    slides.append(Slide("ranking", "ranking", "The changes, ranked by saving", {
        "table": _ranking(report),
        "note": _text(str(report.candidates.values.get("projected") or ""))}))
    return slides


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def workshop_deck(
    log: EventLog,
    *,
    costs: CostModel | None = None,
    report: Report | None = None,
    max_candidates: int | None = None,
    **report_options: Any,
) -> Deck:
    """A self-contained slide deck (HTML, 1920×1080 slides) for a reengineering workshop.

    Parameters
    ----------
    log : EventLog
        From :func:`procmine.load`.
    costs : CostModel, optional, keyword-only
        Default :meth:`CostModel.default`; ignored when ``report`` is given (its
        cost model is used).
    report : Report, optional, keyword-only
        A report of ``log`` already built (:func:`procmine.report.build_report`):
        the deck shows its figures without computing them again.
    max_candidates : int, optional, keyword-only
        At most this many candidate slides (default: every ranked candidate).
    **report_options
        Passed to :func:`procmine.report.build_report` (``cost_source``,
        ``terminal``, ``min_share``, ...) when ``report`` is not given.

    Returns
    -------
    Deck
        ``.html`` (the document), ``.slides``, ``.save(path)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter order", "Pick", "Enter order", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-02 09:00", "2024-01-02 12:00"], utc=True),
    ...     "department": ["Sales", "Warehouse", "Sales", "Warehouse"]})
    >>> deck = workshop_deck(EventLog.from_frame(frame, name="tiny"))
    >>> deck.table["kind"].tolist()
    ['title', 'process', 'handoffs', 'rework', 'reentry', 'ranking']
    >>> links = deck.html.replace("http://www.w3.org/", "")  # SVG namespaces are no links
    >>> deck.html.startswith("<!DOCTYPE html>") and "://" not in links
    True
    """
    log = require_log(log, where="workshop_deck")
    if report is None:
        report = build_report(log, costs=costs, **report_options)
    elif report_options:
        from procmine.errors import UsageError

        raise UsageError(f"workshop_deck: {', '.join(sorted(report_options))} only apply when "
                         "the deck builds its report; pass them to build_report instead")
    model = report.summary.results.get("costs")
    costs = model if isinstance(model, CostModel) else (costs or CostModel.default())
    slides = _slides(log, report, costs, max_candidates)
    html = environment().get_template("deck.html.j2").render(
        name=_text(report.name), slides=slides, version=__version__,
        script=Markup(_SCRIPT), script_hash=_script_hash(_SCRIPT),  # noqa: S704 - our own
        run_date=str(report.facts.get("run", {}).get("date", "")))
    return Deck(name=report.name, slides=tuple(slides), html=xml_text(html), report=report)
