"""How results show themselves as tables in Jupyter: human units, long tables cut with a count.

One function per result type, each a headline in words and its main table through
the one table display (:func:`procmine._display.table_html`): waits in minutes,
hours or days, money with its currency, shares as percentages, counts with
thousands separators, and at most :data:`procmine._display.MAX_ROWS` rows, then
"… 2,700 more variants". :func:`register` registers them with
:mod:`procmine._display`, so that a result's ``_repr_html_``
(``return repr_html(self)``) shows them. Nothing here computes a figure: the
results already hold them; a headline only adds up what a table shows.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from procmine import _format
from procmine._display import MAX_ROWS, register_html, table_html

if TYPE_CHECKING:
    from procmine.analysis.candidates import Candidates
    from procmine.analysis.episodes import Episodes
    from procmine.analysis.handoffs import Handoffs
    from procmine.analysis.kpis import Kpis
    from procmine.analysis.projection import Projection
    from procmine.analysis.reentry import Reentry
    from procmine.analysis.rework import Rework
    from procmine.log.eventlog import EventLog
    from procmine.log.variants import Variants

__all__ = [
    "candidates_html",
    "episodes_html",
    "eventlog_html",
    "handoffs_html",
    "kpis_html",
    "projection_html",
    "reentry_html",
    "register",
    "rework_html",
    "variants_html",
]


def _currency(result: object) -> str:
    """The result's currency, else the default cost model's (the one it was priced with)."""
    given = getattr(result, "currency", None)
    if isinstance(given, str):
        return given
    from procmine.analysis.costs import CostModel

    return CostModel.default().currency


def _box(kind: str, headline: str, *parts: str) -> str:
    return (f"<div class='procmine-{kind}'><p><strong>{html.escape(headline)}</strong></p>"
            + "".join(parts) + "</div>")


def _notes(notes: Any) -> str:
    items = "".join(f"<li>{html.escape(str(n))}</li>" for n in notes)
    return f"<ul>{items}</ul>" if items else ""


def handoffs_html(result: Handoffs, *, max_rows: int = MAX_ROWS) -> str:
    """Handoffs: count, causal, ping-pong, total wait and cost; the edges, costliest first.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> from procmine.analysis.handoffs import handoffs
    >>> f = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 12:00"], utc=True),
    ...     "department": ["Sales", "Warehouse"]})
    >>> out = handoffs_html(handoffs(EventLog.from_frame(f)))
    >>> "3.0 h" in out and "10800" not in out
    True
    """
    currency = _currency(result)
    headline = (f"{_format.count(result.count)} handoffs at {result.level} level on "
                f"{_format.count(len(result.table))} edges: {_format.count(result.causal_count)} "
                f"causal, {_format.count(result.pingpong)} ping-pong; total wait "
                f"{_format.duration(result.wait_s)}; cost {_format.money(result.cost, currency)}")
    return _box("handoffs", headline, table_html(result.table, currency=currency,
                                                 max_rows=max_rows, noun="edges"))


def reentry_html(result: Reentry, *, max_rows: int = MAX_ROWS) -> str:
    """Re-entry: what was measured, how often, and the table per item and who re-entered it."""
    currency = _currency(result)
    cases = int(result.events["case_id"].nunique()) if len(result.events) else 0
    headline = (f"Re-entry by {result.level} ({result.signal}): "
                f"{_format.count(result.count)} re-entries in {_format.count(cases)} orders")
    return _box("reentry", headline, f"<p>{html.escape(result.note)}</p>",
                table_html(result.summary, currency=currency, max_rows=max_rows,
                           noun="patterns", where=".summary"))


def candidates_html(result: Candidates, *, max_rows: int = MAX_ROWS) -> str:
    """Candidates: the ranked table in money and months, their rationale, the weak ones."""
    currency = result.currency
    saving = float(result.table["annual_saving"].clip(lower=0).sum()) if len(result.table) else 0.0
    headline = (f"{_format.count(len(result.table))} candidates, annual saving up to "
                f"{_format.money(saving, currency)}; {_format.count(len(result.weak))} on weak "
                "evidence")
    ranked = result.table.drop(columns=["rationale"], errors="ignore")
    why = "".join(
        f"<li><strong>{html.escape(str(r.activity))}</strong> ({html.escape(str(r.department))}, "
        f"{html.escape(str(r.kind))}): {html.escape(str(r.rationale))}</li>"
        for r in result.table.head(max_rows).itertuples(index=False)
    )
    weak = result.weak.drop(columns=["rationale"], errors="ignore")
    return _box(
        "candidates", headline,
        table_html(ranked, currency=currency, max_rows=max_rows, noun="candidates"),
        f"<ul>{why}</ul>" if why else "",
        f"<p>Weak evidence (below the minimum support, not ranked): {len(result.weak):,}</p>",
        table_html(weak, currency=currency, max_rows=max_rows, noun="weak candidates",
                   where=".weak") if len(weak) else "",
    )


def projection_html(result: Projection, *, max_rows: int = 40) -> str:
    """A projection: the moves, then before / after / change, each row in its own unit."""
    currency = _currency(result)
    headline = (f"{len(result.moves)} move(s), {_format.count(result.events_changed)} events "
                f"changed; department handoffs {_format.count(result.handoffs_before.count)} → "
                f"{_format.count(result.handoffs_after.count)}")
    moves = "".join(
        f"<li>{html.escape(str(m.activity))} ({html.escape(str(m.department))}): "
        f"{html.escape(str(m.kind))}</li>" for m in result.moves)
    return _box("projection", headline, f"<ul>{moves}</ul>" if moves else "",
                table_html(result.table, currency=currency, max_rows=max_rows,
                           noun="metrics", row_kind="metric"))


def kpis_html(result: Kpis, *, max_rows: int = MAX_ROWS) -> str:
    """KPIs: the weekly table (durations in hours or days, rates in percent) and the notes."""
    headline = (f"KPIs of {_format.count(len(result.orders))} orders: "
                f"{_format.count(len(result.weekly))} weeks, {_format.count(len(result.daily))} "
                "days (weekly shown)")
    return _box("kpis", headline, table_html(result.weekly, max_rows=max_rows, noun="weeks",
                                             where=".weekly"), _notes(result.notes))


def variants_html(result: Variants, *, max_rows: int = MAX_ROWS) -> str:
    """Variants, most frequent first: the first ``max_rows`` and how many more there are.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log.variants import Variants
    >>> table = pd.DataFrame({"variant": range(1, 2721), "activities": "a → b", "length": 2,
    ...     "cases": 1, "share": 1 / 2720, "cumulative_share": 1.0, "median_duration_s": 7200.0})
    >>> out = variants_html(Variants(table, pd.Series(dtype="int64"), 2720, 2720))
    >>> "… 2,700 more variants" in out and "2.0 h" in out
    True
    """
    headline = (f"{_format.count(len(result.table))} of {_format.count(result.n_variants)} "
                f"variants, covering {_format.share(result.covered)} of "
                f"{_format.count(result.n_cases)} cases")
    return _box("variants", headline, table_html(result.table, max_rows=max_rows,
                                                 noun="variants"))


def rework_html(result: Rework, *, max_rows: int = MAX_ROWS) -> str:
    """Rework: per kind, then per activity and actor, labour in minutes, hours or days."""
    currency = _currency(result)
    headline = (f"Rework at {result.level} level: {_format.count(result.count)} rework events "
                f"in {_format.count(result.cases)} of {_format.count(result.orders)} orders "
                f"({_format.share(result.share_of_orders)}); labour cost "
                f"{_format.money(result.labour_cost, currency)}")
    return _box("rework", headline,
                table_html(result.by_kind, currency=currency, max_rows=max_rows, noun="kinds",
                           where=".by_kind"),
                table_html(result.table, currency=currency, max_rows=max_rows, noun="rows"))


def episodes_html(result: Episodes, *, max_rows: int = MAX_ROWS) -> str:
    """Episodes: per status, then per opener and closer, durations in hours or days."""
    currency = _currency(result)
    cases = int(result.events["case_id"].nunique()) if len(result.events) else 0
    headline = (f"{_format.count(result.count)} episodes of {len(result.by_status)} statuses in "
                f"{_format.count(cases)} of {_format.count(result.orders)} orders, "
                f"{_format.count(result.open_count)} still open; delay cost "
                f"{_format.money(result.cost, currency)}")
    return _box("episodes", headline,
                table_html(result.by_status, currency=currency, max_rows=max_rows,
                           noun="statuses", where=".by_status"),
                table_html(result.table, currency=currency, max_rows=max_rows, noun="rows"))


def eventlog_html(log: EventLog, *, max_rows: int = MAX_ROWS) -> str:
    """An event log: its facts, and per source the rows read and the events *in this log*.

    A filtered log keeps its sources' accounting (rows read, loaded, rejected);
    the column ``events_in_log`` counts the events of each source that are still
    in this log, and the headline says how many of the loaded events remain.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> f = pd.DataFrame({"case_id": ["o1", "o1", "o2"], "activity": ["a", "b", "a"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True)})
    >>> out = eventlog_html(EventLog.from_frame(f, name="t").filter_cases(["o1"]))
    >>> "2 of 3 loaded events" in out
    True
    """
    events = log.events
    stamps = events["timestamp"]
    span = (f"{stamps.min():%Y-%m-%d} – {stamps.max():%Y-%m-%d}" if len(stamps) else "no events")
    loaded = sum(s.events for s in log.sources)
    facts = [
        ("events", _format.count(log.n_events)),
        ("cases", _format.count(log.n_cases)),
        ("activities", _format.count(events["activity"].nunique())),
        ("departments", ", ".join(log.departments) or "none recorded"),
        ("time span (UTC)", span),
        ("information items", ", ".join(i.name for i in log.items) or "none declared"),
    ]
    rows = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td style='text-align:left'>{html.escape(v)}</td></tr>" for k, v in facts)
    table = log.source_table().drop(columns=["path"], errors="ignore")
    table["events_in_log"] = table["source"].map(log.events_per_source).fillna(0).astype(
        "int64")
    filtered = (f"; filtered: {log.n_events:,} of {loaded:,} loaded events"
                if loaded != log.n_events else "")
    return (
        f"<div class='procmine-eventlog'><p><strong>EventLog {html.escape(log.name)}"
        f"</strong></p><table>{rows}</table><details open><summary>sources "
        f"({log.rows_read:,} rows read, {log.rows_rejected:,} rejected"
        f"{html.escape(filtered)})</summary>"
        + table_html(table, max_rows=max_rows, noun="sources",
                     kinds={"reject_reasons": "text"}, where=".source_table()")
        + "</details></div>"
    )


def register() -> None:
    """Register the table displays with :mod:`procmine._display` (one per result type)."""
    from procmine.analysis.candidates import Candidates
    from procmine.analysis.episodes import Episodes
    from procmine.analysis.handoffs import Handoffs
    from procmine.analysis.kpis import Kpis
    from procmine.analysis.projection import Projection
    from procmine.analysis.reentry import Reentry
    from procmine.analysis.rework import Rework
    from procmine.log.eventlog import EventLog
    from procmine.log.variants import Variants

    for cls, fn in ((Handoffs, handoffs_html), (Reentry, reentry_html),
                    (Candidates, candidates_html), (Projection, projection_html),
                    (Kpis, kpis_html), (Variants, variants_html), (Rework, rework_html),
                    (Episodes, episodes_html), (EventLog, eventlog_html)):
        register_html(cls, fn)

