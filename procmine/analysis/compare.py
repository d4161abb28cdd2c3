"""Before and after a change: KPIs, map, handoffs, rework and re-entry, with intervals.

One change at a time, measured directly. :func:`compare` takes two logs (before
and after), or one log and the date of the change, and returns a
:class:`Comparison`:

- **Periods.** An order belongs to the period in which it *started* (its first
  event), as in :mod:`procmine.analysis.kpis`. With ``change_date`` the before
  period is ``[change_date - window, change_date)`` and the after period
  ``[change_date, change_date + window)`` (``window=None``: everything before /
  from the date on).
- **Censoring.** An order that started shortly before the log's end has not
  finished, so its cycle time, returns and abandonment are not final. Only
  *mature* orders are compared: those that started at least ``horizon`` before
  the last event of their log. The default horizon (``"auto"``) is the 90th
  percentile of the cycle time of the before period's finished orders (the
  ``open`` flag of :attr:`procmine.analysis.kpis.Kpis.orders`: not ended, last
  event recent). Orders with events far outside the bulk of the log in time
  (the KPI module's ``outlier`` flag) are left out too. How many orders each
  rule left out is in :attr:`Comparison.counts`.
- **KPIs.** The per-order values of :func:`procmine.analysis.kpis.kpis` (cycle
  time, order-to-cash, touchless, touchless after order entry, handoffs per
  order, returned, abandoned, customer kept informed) and of
  :func:`procmine.analysis.rework.rework` (the order has rework), aggregated
  per period: medians and means of durations, means of the others (a share for
  yes/no values). Nothing is redefined here.
- **Intervals.** The difference ``after - before`` of each figure with a
  percentile bootstrap interval (:mod:`procmine.analysis._bootstrap`): each
  period's orders resampled with replacement, independently, ``resamples``
  times, seeded by ``seed``, level ``confidence``; every mean and median comes
  from the same resamples. A difference is *beyond noise* when its interval
  excludes zero. Orders of one customer are not independent (its payment
  habits, its channel, its collective invoices): with ``cluster="customer"``
  (any attribute column) whole customers are resampled instead (the cluster
  bootstrap). On 20 generated logs with a change (500-600 orders each),
  order-by-order intervals of the mean cycle time covered the generator's true
  effect in 16 of 20 seeds, customer-by-customer ones in 20 of 20; the coverage
  test (``tests/test_compare_coverage.py``) resamples customers.
- **Map.** Activities and paths (directly-follows pairs of consecutive events of
  an order, as in :func:`procmine.discovery.process_map`, each period on its own;
  an activity's lane is its most frequent department-level actor) that appear,
  vanish, change the share of orders they occur in, change the share of their events
  done by hand (:meth:`CostModel.labour_mask`: manual and internal; a step moved
  to the customer or automated drops it), or change their wait. Noise: a
  two-proportion z-test per activity and path (orders with it / orders of the
  period; manual events / events of the activity), and Mood's median test for
  waits (the share of the path's waits above its pooled median, before against
  after; paths with at least :data:`MIN_WAITS` waits in each period), all of a
  map's tests corrected together by Holm's step-down method at ``alpha``, so
  that the chance of *any* false alarm on a map without a change is at most
  ``alpha``.
- **One change at a time.** The activities and paths beyond noise are grouped:
  a path links its two activities, so a step and the paths around it form one
  group. More than one group means several unrelated steps changed in the
  window: :attr:`Comparison.several_changes` is true and
  :attr:`Comparison.attribution` says plainly that the effect cannot be
  attributed to one change.
- **Per department and item.** Handoffs into and out of each department (the
  one handoff counter, :func:`procmine.log.actors.handoff_positions`), rework
  events by department, re-entries by the department re-entering and by item
  (:func:`procmine.analysis.reentry.reentry`), per order, with intervals.
- **Predicted against measured.** Given the move that was made, the projection
  of :func:`procmine.analysis.projection.project` on the before period (change
  per order of handoffs, labour minutes, queue time, labour and handoff cost,
  mean cycle time) beside the measured change with its interval.

References
----------
.. [1] B. Efron, R. J. Tibshirani (1993). An Introduction to the Bootstrap.
   Chapman & Hall (two-sample bootstrap, ch. 8; percentile intervals, ch. 13).
.. [2] S. Holm (1979). A simple sequentially rejective multiple test procedure.
   Scandinavian Journal of Statistics 6, 65-70.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import networkx as nx
import numpy as np
import pandas as pd

from procmine import _format
from procmine.analysis import _bootstrap
from procmine.analysis.costs import CostModel
from procmine.analysis.handoffs import handoff_prices
from procmine.analysis.kpis import kpis
from procmine.analysis.moves import Move, MoveFrame, as_moves
from procmine.analysis.projection import project
from procmine.analysis.reentry import reentry
from procmine.analysis.rework import rework
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.actors import actor, handoff_positions
from procmine.log.eventlog import EventLog
from procmine.schema import ACTIVITY, CASE_ID, TIMESTAMP

__all__ = [
    "ACTIVITY_COLUMNS",
    "GROUP_COLUMNS",
    "KPIS",
    "KPI_COLUMNS",
    "MIN_WAITS",
    "PATH_COLUMNS",
    "PREDICTION_COLUMNS",
    "Comparison",
    "compare",
    "format_change",
    "format_value",
    "parse_window",
    "summary_html",
]

#: The compared KPIs: (key, label, per-order value, statistic, unit). Units:
#: ``duration`` (seconds), ``share`` (0..1), ``count`` (per order).
KPIS: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    ("cycle_time_median_s", "cycle time (median)", "cycle_time_s", "median", "duration"),
    ("cycle_time_mean_s", "cycle time (mean)", "cycle_time_s", "mean", "duration"),
    ("order_to_cash_median_s", "order-to-cash (median)", "order_to_cash_s", "median",
     "duration"),
    ("order_to_cash_mean_s", "order-to-cash (mean)", "order_to_cash_s", "mean", "duration"),
    ("touchless_rate", "touchless orders", "touchless", "mean", "share"),
    ("touchless_after_entry_rate", "touchless after order entry", "touchless_after_entry",
     "mean", "share"),
    ("handoffs_per_order", "handoffs per order", "handoffs", "mean", "count"),
    ("rework_share", "orders with rework", "rework", "mean", "share"),
    ("return_rate", "orders returned", "returned", "mean", "share"),
    ("abandoned_rate", "orders abandoned", "abandoned", "mean", "share"),
    ("kept_informed_rate", "customer kept informed", "kept_informed", "mean", "share"),
)
#: Per-order costs behind the predicted-against-measured table: (key, label, value, unit).
_EFFECTS: Final = (
    ("handoffs_per_order", "department handoffs per order", "handoffs", "count"),
    ("labour_minutes_per_order", "labour minutes per order", "labour_minutes", "count"),
    ("handoff_queue_s_per_order", "handoff queue time per order", "handoff_queue_s",
     "duration"),
    ("cost_per_order", "labour and handoff cost per order", "cost", "money"),
    ("cycle_time_mean_s", "cycle time (mean)", "cycle_time_s", "duration"),
)
#: Columns of :attr:`Comparison.table`.
KPI_COLUMNS: Final = (
    "kpi", "label", "statistic", "unit", "before", "after", "difference", "ci_low", "ci_high",
    "beyond_noise", "orders_before", "orders_after",
)
#: Columns of :attr:`Comparison.activities`.
ACTIVITY_COLUMNS: Final = (
    "activity", "lane_before", "lane_after", "orders_before", "orders_after", "share_before",
    "share_after", "p_share", "manual_share_before", "manual_share_after", "p_manual",
    "share_changed", "manual_changed", "status",
)
#: Columns of :attr:`Comparison.paths`.
PATH_COLUMNS: Final = (
    "source", "target", "orders_before", "orders_after", "share_before", "share_after",
    "p_share", "median_wait_before_s", "median_wait_after_s", "p_wait", "share_changed",
    "wait_changed", "status",
)
#: Columns of :attr:`Comparison.departments` and :attr:`Comparison.items`.
GROUP_COLUMNS: Final = (
    "measure", "name", "before", "after", "difference", "ci_low", "ci_high", "beyond_noise",
)
#: Columns of :attr:`Comparison.prediction`.
PREDICTION_COLUMNS: Final = (
    "metric", "label", "unit", "predicted", "measured", "ci_low", "ci_high",
    "predicted_in_interval",
)
#: Waits a path needs in each period before its wait is tested.
MIN_WAITS: Final = 10

_PER_ORDER: Final = (
    "cycle_time_s", "order_to_cash_s", "touchless", "touchless_after_entry", "handoffs",
    "rework", "returned", "abandoned", "kept_informed", "labour_minutes", "labour_cost",
    "handoff_queue_s", "handoff_cost", "cost",
)
_GROUPS: Final = (
    ("handoffs_in", "handoffs into the department, per order"),
    ("handoffs_out", "handoffs out of the department, per order"),
    ("rework", "rework events by the department, per order"),
    ("reentries", "re-entries keyed by the department, per order"),
)
_UNITS = {"s": 1, "d": 86400, "w": 7 * 86400}


def parse_window(window: object) -> pd.Timedelta | None:
    """A window as a :class:`pandas.Timedelta`: ``"8w"``, ``"56d"``, a Timedelta, or None.

    Examples
    --------
    >>> parse_window("8w"), parse_window("10d"), parse_window(None)
    (Timedelta('56 days 00:00:00'), Timedelta('10 days 00:00:00'), None)
    >>> parse_window("eight weeks")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: window: expected a number of days or weeks such as '8w' or \
'56d', got 'eight weeks'
    """
    if window is None:
        return None
    if isinstance(window, pd.Timedelta):
        value = window
    else:
        text = str(window).strip().lower()
        number, unit = text[:-1], text[-1:]
        try:
            if unit not in ("d", "w") or not number:
                raise ValueError
            value = pd.Timedelta(seconds=float(number) * _UNITS[unit])
        except ValueError:
            raise UsageError(f"window: expected a number of days or weeks such as '8w' or "
                             f"'56d', got {window!r}") from None
    if value <= pd.Timedelta(0):
        raise UsageError(f"window: must be positive, got {window!r}")
    return value


def _timestamp(value: object, option: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise UsageError(f"{option}: expected a date such as 2024-03-01, got {value!r}"
                         ) from None
    if pd.isna(stamp):
        raise UsageError(f"{option}: expected a date such as 2024-03-01, got {value!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


# -- per-order values -------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Measured:
    """Per-order values of one log and its per-order group counts (rows aligned)."""

    log: EventLog
    orders: pd.DataFrame  # case_id, start, open, outlier, ended + _PER_ORDER
    groups: dict[str, pd.DataFrame]  # measure -> orders x names (counts)
    terminal: tuple[str, ...]
    notes: tuple[str, ...]


def _counts(rows: np.ndarray, names: np.ndarray, n: int) -> pd.DataFrame:
    """Orders x names matrix of how many times each name occurs for each order row."""
    names = np.asarray(names, dtype=object)
    keep = (rows >= 0) & ~pd.isna(names)
    rows, names = rows[keep], names[keep].astype(str)
    codes, labels = pd.factorize(names, sort=True)
    k = len(labels)
    flat = np.bincount(rows.astype(np.int64) * max(k, 1) + codes, minlength=n * max(k, 1))
    return pd.DataFrame(flat.reshape(n, max(k, 1))[:, :k].astype(np.float64),
                        columns=pd.Index(labels.astype(str), dtype="object"))


def _measure(log: EventLog, costs: CostModel, kpi_options: Mapping[str, Any],
             cluster: str | None = None) -> _Measured:
    events = log.events
    k = kpis(log, **kpi_options)
    orders = k.orders[["case_id", "start", "end", "open", "outlier", "ended",
                       "cycle_time_s", "order_to_cash_s", "touchless", "touchless_after_entry",
                       "handoffs", "returned", "abandoned", "kept_informed"]].copy()
    n = len(orders)
    row_of = pd.Index(orders["case_id"]).get_indexer(events[CASE_ID].astype("str"))
    found = rework(log, level="department", costs=costs)
    rework_rows = pd.Index(orders["case_id"]).get_indexer(found.events["case_id"])
    orders["rework"] = np.bincount(rework_rows, minlength=n)[:n] > 0
    minutes, labour = costs.labour(events)
    orders["labour_minutes"] = np.bincount(row_of, weights=minutes, minlength=n)[:n]
    orders["labour_cost"] = np.bincount(row_of, weights=labour, minlength=n)[:n]
    frame = MoveFrame.of(events, costs)
    source, target = handoff_positions(frame.case, frame.actors)
    prices = handoff_prices(source, target, micros=frame.micros, automated=frame.automated,
                            planned=frame.planned, costs=costs)
    orders["handoff_queue_s"] = np.bincount(row_of[target], weights=prices.queue_s,
                                            minlength=n)[:n]
    orders["handoff_cost"] = np.bincount(row_of[target], weights=prices.cost(costs),
                                         minlength=n)[:n]
    orders["cost"] = orders["labour_cost"] + orders["handoff_cost"]
    if cluster is not None:
        orders["cluster"] = _cluster_labels(log, cluster, orders["case_id"])
    for column in ("rework", "returned", "abandoned"):
        orders[column] = orders[column].astype(np.float64)
    names = frame.actor_names
    groups = {
        "handoffs_in": _counts(row_of[target], names[frame.actors[target]], n),
        "handoffs_out": _counts(row_of[source], names[frame.actors[source]], n),
        "rework": _counts(rework_rows, found.events["level_value"].to_numpy(dtype=object), n),
    }
    notes = list(k.notes)
    found_reentry = reentry(log, level="department", costs=costs)
    entries = found_reentry.events
    entry_rows = pd.Index(orders["case_id"]).get_indexer(entries["case_id"].astype("str"))
    groups["reentries"] = _counts(entry_rows, entries["by"].to_numpy(dtype=object), n)
    groups["items"] = _counts(entry_rows, entries["item"].to_numpy(dtype=object), n)
    if found_reentry.signal == "redo":
        notes.append("re-entry: " + found_reentry.note)
    return _Measured(log=log, orders=orders.reset_index(drop=True), groups=groups,
                     terminal=k.terminal, notes=tuple(notes))


def _cluster_labels(log: EventLog, column: str, case_ids: pd.Series) -> np.ndarray:
    """Each order's value of ``column`` (its first one); an order without one is its own."""
    events = log.events
    if column not in events.columns:
        from procmine._check import close_matches

        hint = close_matches(column, [str(c) for c in events.columns], n=1)
        raise UsageError(
            f"cluster: the log has no column {column!r}"
            + (f" (did you mean {hint[0]!r}?)" if hint else "")
            + f"; its columns: {', '.join(map(str, events.columns))}")
    values = events[[CASE_ID, column]].dropna().drop_duplicates(CASE_ID)
    first = values.set_index(CASE_ID)[column].astype("str")
    labels = case_ids.map(first)
    alone = "order " + case_ids.astype("str")
    return labels.where(labels.notna(), alone).to_numpy(dtype=object)


@dataclass(frozen=True, eq=False)
class _Side:
    log: EventLog
    orders: pd.DataFrame
    groups: dict[str, pd.DataFrame]


def _side(measured: _Measured, keep: np.ndarray) -> _Side:
    ids = measured.orders.loc[keep, "case_id"]
    return _Side(
        log=measured.log.filter_cases(ids.tolist()),
        orders=measured.orders.loc[keep].reset_index(drop=True),
        groups={k: g.loc[keep].reset_index(drop=True) for k, g in measured.groups.items()},
    )


def _horizon(orders: pd.DataFrame, horizon: object) -> float:
    """The censoring horizon in seconds (see the module docstring)."""
    if horizon is None:
        return 0.0
    if isinstance(horizon, str) and horizon == "auto":
        done = orders.loc[~orders["open"].to_numpy(bool) & ~orders["outlier"].to_numpy(bool),
                          "cycle_time_s"]
        return float(done.quantile(0.9)) if len(done) else 0.0
    if isinstance(horizon, int | float) and not isinstance(horizon, bool):
        if horizon < 0:
            raise UsageError(f"horizon: must not be negative, got {horizon!r}")
        return float(horizon)
    window = parse_window(horizon)
    return 0.0 if window is None else window.total_seconds()


def _mature(orders: pd.DataFrame, log: EventLog, horizon_s: float) -> np.ndarray:
    end = log.events[TIMESTAMP].max() if log.n_events else pd.Timestamp(0, tz="UTC")
    cutoff = end - pd.Timedelta(seconds=horizon_s)
    return (orders["start"] <= cutoff).to_numpy(bool)


# -- the result -------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Comparison:
    """A log before and after a change: KPIs, map and handoffs, with intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per KPI (:data:`KPIS`), columns :data:`KPI_COLUMNS`: the value
        before and after, ``difference = after - before``, its bootstrap
        interval ``ci_low .. ci_high``, ``beyond_noise`` (the interval excludes
        0), and the orders behind each value. Durations in seconds, shares 0..1.
    activities, paths : pandas.DataFrame
        The map difference (:data:`ACTIVITY_COLUMNS`, :data:`PATH_COLUMNS`):
        shares of orders, manual share, median waits, p-values, which changes
        are beyond noise (Holm-corrected) and a ``status`` (``appeared``,
        ``vanished``, ``more often``, ``less often``, ``less manual``, ``more
        manual``, ``slower``, ``faster``, ``unchanged``).
    departments, items : pandas.DataFrame
        Per department (handoffs in, handoffs out, rework, re-entries) and per
        information item (re-entries), per order, with intervals
        (:data:`GROUP_COLUMNS`).
    prediction : pandas.DataFrame
        The projection's predicted change per order beside the measured one
        (:data:`PREDICTION_COLUMNS`); empty without ``moves``.
    orders : pandas.DataFrame
        The compared orders: ``case_id``, ``period`` (before / after), ``start``
        and the per-order values.
    changes : tuple of tuple of str
        Groups of related activities changed beyond noise (see the module).
    moves : tuple of Move
        The move(s) whose projection is compared.
    counts : dict
        Orders compared and left out (``orders_before``, ``orders_after``,
        ``censored``, ``outliers``, ``outside_window``).
    settings : dict
        ``change_date``, ``window``, ``horizon_s``, ``resamples``,
        ``confidence``, ``alpha``, ``seed``, ``currency`` (of the costs),
        ``method`` (one sentence).
    notes : tuple of str
    name : str
    """

    table: pd.DataFrame
    activities: pd.DataFrame
    paths: pd.DataFrame
    departments: pd.DataFrame
    items: pd.DataFrame
    prediction: pd.DataFrame
    orders: pd.DataFrame
    changes: tuple[tuple[str, ...], ...]
    moves: tuple[Move, ...]
    counts: dict[str, int]
    settings: dict[str, Any]
    notes: tuple[str, ...] = field(default=())
    name: str = "log"

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``kpis``, ``activities``, ``paths``, ``departments``,
        ``items``, ``prediction``, ``orders``."""
        return {"kpis": self.table, "activities": self.activities, "paths": self.paths,
                "departments": self.departments, "items": self.items,
                "prediction": self.prediction, "orders": self.orders}

    @property
    def several_changes(self) -> bool:
        """More than one unrelated group of steps changed beyond noise in the window."""
        return len(self.changes) > 1

    @property
    def attribution(self) -> str:
        """One plain sentence: can the difference be attributed to one change?"""
        n = len(self.changes)
        if n == 0:
            return ("No activity or path changed beyond noise between the periods; the KPI "
                    "intervals show what the data can tell.")
        groups = "; ".join(", ".join(g[:4]) + (" ..." if len(g) > 4 else "")
                           for g in self.changes[:5])
        if n == 1:
            return (f"One change beyond noise on the map (around {groups}): the differences "
                    "can be attributed to it.")
        return (f"{n} unrelated changes beyond noise on the map ({groups}): the effect cannot "
                "be attributed to one change. Measure one change at a time, or narrow the "
                "window.")

    def __repr__(self) -> str:
        c = self.counts
        return (f"Comparison({self.name!r}: {c['orders_before']:,} orders before, "
                f"{c['orders_after']:,} after; {int(self.table['beyond_noise'].sum())} KPIs "
                f"beyond noise; {len(self.changes)} change(s) on the map)")

    def _repr_html_(self) -> str:
        from procmine._display import html_of

        drawn = html_of(self)
        if drawn is not None:
            return drawn
        return summary_html(self)


def format_value(value: float, unit: str, currency: str = "") -> str:
    """A figure of a comparison as text, by its unit (duration, share, money, count).

    Examples
    --------
    >>> format_value(7200, "duration"), format_value(0.25, "share"), format_value(2.5, "count")
    ('2.0 h', '25.0%', '2.50')
    """
    if unit == "duration":
        return _format.duration(value)
    if unit == "share":
        return _format.share(value)
    if unit == "money":
        return _format.money(value, currency)
    if pd.isna(value):
        return "–"
    return f"{value:,.2f}"


def format_change(value: float, unit: str, currency: str = "") -> str:
    """A difference as signed text: shares in percentage points.

    Examples
    --------
    >>> format_change(-0.05, "share"), format_change(1.5, "count"), format_change(-60, "duration")
    ('-5.0 pts', '+1.50', '-1 min')
    """
    text = format_value(value, unit, currency)
    if unit == "share" and not pd.isna(value):
        text = f"{100 * value:+.1f} pts"
    elif not pd.isna(value) and value > 0 and not text.startswith("+"):
        text = "+" + text
    return text


def summary_html(comparison: Comparison) -> str:
    """A compact HTML summary (KPIs with intervals, the attribution sentence, prediction)."""
    t = comparison.table
    rows = "".join(
        f"<tr><td>{html.escape(r.label)}</td><td>{html.escape(format_value(r.before, r.unit))}</td>"
        f"<td>{html.escape(format_value(r.after, r.unit))}</td>"
        f"<td>{html.escape(format_change(r.difference, r.unit))}</td>"
        f"<td>{html.escape(format_change(r.ci_low, r.unit))} .. "
        f"{html.escape(format_change(r.ci_high, r.unit))}</td>"
        f"<td>{'yes' if r.beyond_noise else 'no'}</td></tr>"
        for r in t.itertuples(index=False))
    flag = ("<p class='procmine-warning'><strong>Several changes:</strong> "
            if comparison.several_changes else "<p>")
    body = (
        f"<div class='procmine-comparison'><strong>{html.escape(repr(comparison))}</strong>"
        f"{flag}{html.escape(comparison.attribution)}</p>"
        "<table><thead><tr><th>KPI</th><th>before</th><th>after</th><th>difference</th>"
        f"<th>{comparison.settings['confidence']:.0%} interval</th><th>beyond noise</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    if len(comparison.prediction):
        cur = str(comparison.settings.get("currency", ""))
        pred = "".join(
            f"<tr><td>{html.escape(r.label)}</td>"
            f"<td>{html.escape(format_change(r.predicted, r.unit, cur))}</td>"
            f"<td>{html.escape(format_change(r.measured, r.unit, cur))}</td>"
            f"<td>{html.escape(format_change(r.ci_low, r.unit, cur))} .. "
            f"{html.escape(format_change(r.ci_high, r.unit, cur))}</td></tr>"
            for r in comparison.prediction.itertuples(index=False))
        body += ("<div>Predicted against measured (change per order)</div><table><thead><tr>"
                 "<th>metric</th><th>predicted</th><th>measured</th><th>interval</th></tr>"
                 f"</thead><tbody>{pred}</tbody></table>")
    return body + "</div>"


# -- the comparison ---------------------------------------------------------------------
def compare(
    before: EventLog,
    after: EventLog | None = None,
    *,
    change_date: object = None,
    window: object = None,
    moves: Move | Iterable[Move | Mapping] | None = None,
    costs: CostModel | None = None,
    horizon: object = "auto",
    resamples: int = _bootstrap.DEFAULT_RESAMPLES,
    confidence: float = 0.95,
    alpha: float = 0.05,
    seed: int = 0,
    cluster: str | None = None,
    terminal: Collection[str] | None = None,
    payment_pattern: str | None = None,
    open_days: float | None = None,
) -> Comparison:
    """Compare a log before and after a change, with bootstrap intervals.

    Call it with two logs, ``compare(before, after)``, or with one log and the
    date of the change, ``compare(log, change_date="2024-03-01", window="8w")``.
    The definitions (periods, censoring, noise, attribution) are in the module
    docstring (:mod:`procmine.analysis.compare`).

    Parameters
    ----------
    before : EventLog
        The log before the change, or the whole log when ``change_date`` is given.
    after : EventLog, optional
        The log after the change; leave out with ``change_date``.
    change_date : date, keyword-only
        The day the change took effect (a string such as ``"2024-03-01"`` or a
        timestamp; without a zone it is UTC).
    window : str or pandas.Timedelta, optional, keyword-only
        With ``change_date``: compare the orders started this long before and
        after it (``"8w"``, ``"56d"``); default: all of them.
    moves : Move or iterable of Move, optional, keyword-only
        The change that was made: its projection on the before period is put
        beside the measured change (:attr:`Comparison.prediction`).
    costs : CostModel, optional, keyword-only
        Prices labour, waits and handoffs; default :meth:`CostModel.default`.
    horizon : "auto", str, float or None, keyword-only
        Censoring: only orders started at least this long before the end of their
        log are compared (``"auto"``: the 90th percentile of the before period's
        finished orders' cycle time; seconds, or ``"14d"``; ``None``: no rule).
    resamples : int, keyword-only
        Bootstrap resamples per period (at least 100).
    confidence : float, keyword-only
        Level of the intervals, in (0, 1).
    alpha : float, keyword-only
        Family-wise level of the map's tests of change, in (0, 1).
    seed : int, keyword-only
        Seed of the resampling: the same input and seed give the same intervals.
    cluster : str, optional, keyword-only
        An attribute column whose value groups orders that are not independent
        (``"customer"``: one customer's orders share its payment habits and its
        invoices). Whole groups are then resampled (the cluster bootstrap) instead
        of single orders; an order without a value is a group of its own.
    terminal, payment_pattern, open_days : keyword-only
        Passed to :func:`procmine.analysis.kpis.kpis` (with two logs, the
        endings derived from the before log are used for both).

    Returns
    -------
    Comparison

    Raises
    ------
    UsageError
        Neither ``after`` nor ``change_date`` (or both) is given; a period has no
        orders; an option is out of range; a move names an activity or
        department the before period does not have.

    Examples
    --------
    Orders with a handoff from Sales to Credit before 1 March, none after:

    >>> import pandas as pd
    >>> rows = []
    >>> for i in range(40):
    ...     day = pd.Timestamp("2024-02-01", tz="UTC") + pd.Timedelta(days=i)
    ...     dept = "Credit" if day < pd.Timestamp("2024-03-01", tz="UTC") else "Sales"
    ...     rows += [(f"o{i}", "Enter order", day, "Sales"),
    ...              (f"o{i}", "Check credit", day + pd.Timedelta(hours=2), dept)]
    >>> log = EventLog.from_frame(pd.DataFrame(
    ...     rows, columns=["case_id", "activity", "timestamp", "department"]))
    >>> c = compare(log, change_date="2024-03-01", horizon=None, resamples=200)
    >>> c.counts["orders_before"], c.counts["orders_after"]
    (29, 11)
    >>> row = c.table.set_index("kpi").loc["handoffs_per_order"]
    >>> float(row["before"]), float(row["after"]), float(row["ci_low"]), float(row["ci_high"])
    (1.0, 0.0, -1.0, -1.0)
    """
    before = require_log(before, where="compare")
    if (after is None) == (change_date is None):
        raise UsageError("compare: give either two logs, compare(before, after), or one log "
                         "and change_date=, compare(log, change_date='2024-03-01')")
    if after is not None:
        after = require_log(after, where="compare")
        if window is not None:
            raise UsageError("compare: window= goes with change_date=; with two logs every "
                             "order of each is compared")
    if not isinstance(resamples, int) or isinstance(resamples, bool) or resamples < 100:
        raise UsageError(f"resamples: expected a whole number of at least 100, got "
                         f"{resamples!r}")
    for option, value in (("confidence", confidence), ("alpha", alpha)):
        if not 0.0 < float(value) < 1.0:
            raise UsageError(f"{option}: must be between 0 and 1, got {value!r}")
    if not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed: expected a non-negative whole number, got {seed!r}")
    costs = costs if costs is not None else CostModel.default()
    chosen = tuple(as_moves(moves)) if moves is not None else ()
    kpi_options: dict[str, Any] = {}
    if terminal is not None:
        kpi_options["terminal"] = terminal
    if payment_pattern is not None:
        kpi_options["payment_pattern"] = payment_pattern
    if open_days is not None:
        kpi_options["open_days"] = open_days
    span = parse_window(window)

    counts = {"orders_before": 0, "orders_after": 0, "censored": 0, "outliers": 0,
              "outside_window": 0}
    settings: dict[str, Any] = {
        "change_date": None, "window": None if span is None else str(window),
        "resamples": resamples, "confidence": float(confidence), "alpha": float(alpha),
        "seed": seed, "currency": costs.currency,
        "cluster": cluster,
        "method": ("percentile bootstrap over "
                   + (f"groups of orders by {cluster}" if cluster else "orders")
                   + f", {resamples:,} resamples per period, "
                   f"seed {seed}; map tests: two-proportion z-tests and Mood's median test, "
                   f"Holm-corrected at {alpha:g}"),
    }
    if after is None:
        date = _timestamp(change_date, "change_date")
        settings["change_date"] = date.isoformat()
        measured = _measure(before, costs, kpi_options, cluster)
        orders = measured.orders
        is_before = (orders["start"] < date).to_numpy(bool)
        inside = np.ones(len(orders), dtype=bool)
        if span is not None:
            inside = ((orders["start"] >= date - span) & (orders["start"] < date + span)
                      ).to_numpy(bool)
        horizon_s = _horizon(orders.loc[is_before & inside], horizon)
        mature = _mature(orders, before, horizon_s)
        outlier = orders["outlier"].to_numpy(bool)
        counts["outside_window"] = int((~inside).sum())
        counts["outliers"] = int((inside & outlier).sum())
        counts["censored"] = int((inside & ~outlier & ~mature).sum())
        keep = inside & mature & ~outlier
        side_b, side_a = _side(measured, keep & is_before), _side(measured, keep & ~is_before)
        notes = list(measured.notes)
    else:
        measured_b = _measure(before, costs, kpi_options, cluster)
        options_a = dict(kpi_options)
        if terminal is None and after.n_events:
            present = set(after.events[ACTIVITY].unique())
            options_a["terminal"] = [a for a in measured_b.terminal if a in present]
        measured_a = _measure(after, costs, options_a, cluster)
        horizon_s = _horizon(measured_b.orders, horizon)
        keeps = []
        for measured, log in ((measured_b, before), (measured_a, after)):
            o = measured.orders
            mature = _mature(o, log, horizon_s)
            outlier = o["outlier"].to_numpy(bool)
            counts["outliers"] += int(outlier.sum())
            counts["censored"] += int((~outlier & ~mature).sum())
            keeps.append(mature & ~outlier)
        side_b, side_a = _side(measured_b, keeps[0]), _side(measured_a, keeps[1])
        notes = [*measured_b.notes, *(n for n in measured_a.notes if n not in measured_b.notes)]
    settings["horizon_s"] = horizon_s
    counts["orders_before"], counts["orders_after"] = len(side_b.orders), len(side_a.orders)
    for label, side in (("before", side_b), ("after", side_a)):
        if side.orders.empty:
            raise UsageError(
                f"compare: no orders to compare {label} the change "
                f"({counts['outside_window']:,} outside the window, {counts['censored']:,} "
                f"too recent to have finished, {counts['outliers']:,} outliers); check "
                "change_date, window and horizon")
    if cluster is None and "customer" in before.events.columns:
        notes.append("orders were resampled one by one; the log has a customer column, and "
                     "one customer's orders are seldom independent: cluster='customer' "
                     "(--cluster customer) resamples whole customers and gives honest "
                     "intervals when they are not.")
    if counts["censored"]:
        notes.append(
            f"{counts['censored']:,} order(s) started less than {_format.duration(horizon_s)} "
            "before the end of the log (the censoring horizon) and may not have finished; "
            "they are left out.")

    est = _estimate(side_b, side_a, resamples, confidence, np.random.SeedSequence(seed))
    table = _kpi_table(side_b, side_a, est)
    departments, items = _group_tables(est)
    activities, paths = _map_difference(side_b, side_a, alpha)
    changes = _changes(activities, paths)
    prediction = _prediction(side_b, chosen, costs, est)
    period = np.r_[np.full(len(side_b.orders), "before"), np.full(len(side_a.orders), "after")]
    compared = pd.concat([side_b.orders, side_a.orders], ignore_index=True)
    compared.insert(1, "period", period)
    compared = compared.drop(columns=["end", "open", "outlier", "ended"])
    return Comparison(
        table=table, activities=activities, paths=paths, departments=departments, items=items,
        prediction=prediction, orders=compared, changes=changes, moves=chosen, counts=counts,
        settings=settings, notes=tuple(notes), name=before.name,
    )


@dataclass(frozen=True, eq=False)
class _Estimates:
    """Every bootstrapped figure: point values before and after, difference, interval."""

    index: dict[tuple[str, ...], int]
    before: np.ndarray
    after: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def rows(self, keys: list[tuple[str, ...]]) -> tuple[np.ndarray, ...]:
        at = np.array([self.index[k] for k in keys], dtype=np.int64)
        b, a = self.before[at], self.after[at]
        return b, a, a - b, self.low[at], self.high[at]


def _estimate(side_b: _Side, side_a: _Side, resamples: int, confidence: float,
              seq: np.random.SeedSequence) -> _Estimates:
    """One bootstrap per period for every figure (KPIs, departments, items, costs).

    Each resample of a period's orders (or of its clusters) gives every mean and
    median at once (:func:`procmine.analysis._bootstrap.period_draws`); the two
    periods are resampled independently.
    """
    mean_columns = list(dict.fromkeys(
        [spec[2] for spec in KPIS if spec[3] == "mean"] + [e[2] for e in _EFFECTS]))
    median_columns = list(dict.fromkeys(spec[2] for spec in KPIS if spec[3] == "median"))
    keys: list[tuple[str, ...]] = [("mean", c) for c in mean_columns]
    blocks: dict[str, list[np.ndarray]] = {"before": [], "after": []}
    for key, measure, target in [*((m, m, "departments") for m, _ in _GROUPS),
                                 ("items", "reentries", "items")]:
        gb, ga = side_b.groups[key], side_a.groups[key]
        names = sorted(set(gb.columns) | set(ga.columns))
        blocks["before"].append(gb.reindex(columns=names, fill_value=0.0).to_numpy(np.float64))
        blocks["after"].append(ga.reindex(columns=names, fill_value=0.0).to_numpy(np.float64))
        keys += [("group", target, measure, name) for name in names]
    keys += [("median", c) for c in median_columns]
    clusters = _clusters(side_b, side_a)
    rngs = [np.random.default_rng(s) for s in seq.spawn(2)]
    points, draws = [], []
    for side, label, rng, groups in ((side_b, "before", rngs[0], clusters[0]),
                                     (side_a, "after", rngs[1], clusters[1])):
        means = np.hstack([side.orders[mean_columns].to_numpy(np.float64), *blocks[label]])
        medians = side.orders[median_columns].to_numpy(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a column with no value: NaN
            point = np.r_[np.nanmean(means, axis=0),
                          [_median(medians[:, j]) for j in range(medians.shape[1])]]
        drawn_mean, drawn_median = _bootstrap.period_draws(means, medians, resamples, rng,
                                                           groups=groups)
        points.append(point)
        draws.append(np.hstack([drawn_mean, drawn_median]))
    low, high = _bootstrap.interval(draws[1] - draws[0], confidence)
    return _Estimates(index={k: i for i, k in enumerate(keys)}, before=points[0],
                      after=points[1], low=low, high=high)


def _clusters(side_b: _Side, side_a: _Side) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Cluster codes of each period's orders (None when orders are resampled one by one)."""
    if "cluster" not in side_b.orders.columns:
        return None, None
    return (pd.factorize(side_b.orders["cluster"])[0],
            pd.factorize(side_a.orders["cluster"])[0])


def _median(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(np.median(values)) if len(values) else np.nan


def _beyond(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return ((low > 0) | (high < 0)) & ~np.isnan(low)


def _kpi_table(side_b: _Side, side_a: _Side, est: _Estimates) -> pd.DataFrame:
    b, a, d, low, high = est.rows([(spec[3], spec[2]) for spec in KPIS])
    columns = [spec[2] for spec in KPIS]
    return pd.DataFrame({
        "kpi": [spec[0] for spec in KPIS], "label": [spec[1] for spec in KPIS],
        "statistic": [spec[3] for spec in KPIS], "unit": [spec[4] for spec in KPIS],
        "before": b, "after": a, "difference": d, "ci_low": low, "ci_high": high,
        "beyond_noise": _beyond(low, high),
        "orders_before": side_b.orders[columns].notna().sum(axis=0).to_numpy(np.int64),
        "orders_after": side_a.orders[columns].notna().sum(axis=0).to_numpy(np.int64),
    }, columns=list(KPI_COLUMNS))


def _group_tables(est: _Estimates) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per department and per item (:data:`GROUP_COLUMNS`)."""
    out = []
    for target in ("departments", "items"):
        keys = [k for k in est.index if k[0] == "group" and k[1] == target]
        b, a, d, low, high = est.rows(keys) if keys else (np.zeros(0),) * 5
        out.append(pd.DataFrame({
            "measure": pd.Series([k[2] for k in keys], dtype="object"),
            "name": pd.Series([k[3] for k in keys], dtype="str"), "before": b, "after": a,
            "difference": d, "ci_low": low, "ci_high": high, "beyond_noise": _beyond(low, high),
        }, columns=list(GROUP_COLUMNS)))
    return out[0], out[1]


# -- the map difference -----------------------------------------------------------------
def _activity_stats(side: _Side) -> pd.DataFrame:
    """Per activity: events, manual events, orders with it, and its lane (most frequent actor).

    The lane is the activity's most frequent department-level actor
    (:func:`procmine.log.actors.actor`: its department, or the outside party for an
    event of the customer, supplier or carrier without one); ties go to the name first
    in alphabetical order.
    """
    events = side.log.events
    frame = pd.DataFrame({
        "activity": events[ACTIVITY].astype("str").to_numpy(dtype=object),
        "case": events[CASE_ID].astype("str").to_numpy(dtype=object),
        "manual": CostModel.labour_mask(events) if len(events) else np.zeros(0, bool),
        "actor": actor(events, "department").astype("object").to_numpy(dtype=object)
        if len(events) else np.zeros(0, dtype=object),
    })
    grouped = frame.groupby("activity", sort=True)
    stats = pd.DataFrame({"events": grouped.size(), "manual": grouped["manual"].sum(),
                          "orders": grouped["case"].nunique()})
    known = frame.dropna(subset=["actor"])
    if len(known):
        counts = known.groupby(["activity", "actor"]).size().rename("n").reset_index()
        counts = counts.sort_values(["activity", "n", "actor"], ascending=[True, False, True],
                                    kind="stable").drop_duplicates("activity")
        stats["lane"] = counts.set_index("activity")["actor"].astype(str)
    else:
        stats["lane"] = pd.Series(dtype="object")
    return stats


def _path_waits(side: _Side) -> pd.DataFrame:
    """Every directly-follows occurrence: source, target, case, wait (s)."""
    events = side.log.events
    case = events[CASE_ID].to_numpy(dtype=object)
    activity = events[ACTIVITY].astype("str").to_numpy(dtype=object)
    micros = events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    same = case[1:] == case[:-1] if len(case) > 1 else np.zeros(0, bool)
    return pd.DataFrame({
        "source": activity[:-1][same] if len(case) else [],
        "target": activity[1:][same] if len(case) else [],
        "case": case[1:][same] if len(case) else [],
        "wait_s": ((micros[1:] - micros[:-1])[same] / 1e6) if len(case) else [],
    })


def _map_difference(side_b: _Side, side_a: _Side, alpha: float
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_b, n_a = len(side_b.orders), len(side_a.orders)
    sb, sa = _activity_stats(side_b), _activity_stats(side_a)
    names = sorted(set(sb.index) | set(sa.index))
    sb, sa = sb.reindex(names), sa.reindex(names)
    acts = pd.DataFrame({
        "activity": pd.Series(names, dtype="str"),
        "lane_before": sb["lane"].fillna("").to_numpy(dtype=object),
        "lane_after": sa["lane"].fillna("").to_numpy(dtype=object),
        "orders_before": sb["orders"].fillna(0).to_numpy(dtype=np.int64),
        "orders_after": sa["orders"].fillna(0).to_numpy(dtype=np.int64),
    })
    acts["share_before"] = acts["orders_before"] / n_b
    acts["share_after"] = acts["orders_after"] / n_a
    acts["p_share"] = _bootstrap.two_proportion_p(acts["orders_before"], n_b,
                                                  acts["orders_after"], n_a)
    ev_b, ev_a = sb["events"].fillna(0).to_numpy(), sa["events"].fillna(0).to_numpy()
    man_b, man_a = sb["manual"].fillna(0).to_numpy(), sa["manual"].fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        acts["manual_share_before"] = np.where(ev_b > 0, man_b / np.maximum(ev_b, 1), np.nan)
        acts["manual_share_after"] = np.where(ev_a > 0, man_a / np.maximum(ev_a, 1), np.nan)
    p_manual = _bootstrap.two_proportion_p(man_b, ev_b, man_a, ev_a)
    acts["p_manual"] = np.where((ev_b > 0) & (ev_a > 0), p_manual, 1.0)

    wb, wa = _path_waits(side_b), _path_waits(side_a)

    def path_stats(waits: pd.DataFrame) -> pd.DataFrame:
        grouped = waits.groupby(["source", "target"], sort=True)
        return pd.DataFrame({"orders": grouped["case"].nunique(),
                             "median": grouped["wait_s"].median()})

    pb, pa = path_stats(wb), path_stats(wa)
    keys = pb.index.union(pa.index)
    pb, pa = pb.reindex(keys), pa.reindex(keys)
    paths = pd.DataFrame({
        "source": pd.Series(keys.get_level_values(0), dtype="str"),
        "target": pd.Series(keys.get_level_values(1), dtype="str"),
        "orders_before": pb["orders"].fillna(0).to_numpy(dtype=np.int64),
        "orders_after": pa["orders"].fillna(0).to_numpy(dtype=np.int64),
    })
    paths["share_before"] = paths["orders_before"] / n_b
    paths["share_after"] = paths["orders_after"] / n_a
    paths["p_share"] = _bootstrap.two_proportion_p(paths["orders_before"], n_b,
                                                   paths["orders_after"], n_a)
    paths["median_wait_before_s"] = pb["median"].to_numpy(dtype=np.float64)
    paths["median_wait_after_s"] = pa["median"].to_numpy(dtype=np.float64)
    paths["p_wait"] = _mood(wb, wa, keys)

    p_all = np.r_[acts["p_share"], acts["p_manual"], paths["p_share"], paths["p_wait"]]
    significant = _bootstrap.holm(p_all, alpha)
    k, m = len(acts), len(paths)
    acts["share_changed"] = significant[:k]
    acts["manual_changed"] = significant[k:2 * k]
    paths["share_changed"] = significant[2 * k:2 * k + m]
    paths["wait_changed"] = significant[2 * k + m:]
    acts["status"] = _status(acts, "manual_changed",
                             np.where(acts["manual_share_after"] < acts["manual_share_before"],
                                      "less manual", "more manual"))
    paths["status"] = _status(paths, "wait_changed",
                              np.where(paths["median_wait_after_s"]
                                       < paths["median_wait_before_s"], "faster", "slower"))
    return acts[list(ACTIVITY_COLUMNS)], paths[list(PATH_COLUMNS)]


def _status(table: pd.DataFrame, other: str, other_text: np.ndarray) -> np.ndarray:
    share = table["share_changed"].to_numpy(bool)
    status = np.where(
        share & (table["orders_before"] == 0), "appeared",
        np.where(share & (table["orders_after"] == 0), "vanished",
                 np.where(share & (table["share_after"] > table["share_before"]), "more often",
                          np.where(share, "less often", "unchanged"))))
    return np.where(~share & table[other].to_numpy(bool), other_text, status).astype(object)


def _mood(wb: pd.DataFrame, wa: pd.DataFrame, keys: pd.MultiIndex) -> np.ndarray:
    """Mood's median test per path: p-value of the share of waits above the pooled median."""
    both = pd.concat([wb.assign(after=False), wa.assign(after=True)], ignore_index=True)
    if both.empty:
        return np.ones(len(keys))
    pooled = both.groupby(["source", "target"])["wait_s"].transform("median")
    both["above"] = both["wait_s"].to_numpy() > pooled.to_numpy()
    grouped = both.groupby(["source", "target", "after"])["above"].agg(["sum", "size"])
    table = grouped.unstack("after").reindex(keys).fillna(0)

    def col(stat: str, after: bool) -> np.ndarray:
        if (stat, after) in table.columns:
            return table[(stat, after)].to_numpy(dtype=np.float64)
        return np.zeros(len(keys))

    x_b, n_b, x_a, n_a = col("sum", False), col("size", False), col("sum", True), col(
        "size", True)
    p = _bootstrap.two_proportion_p(x_b, n_b, x_a, n_a)
    return np.where((n_b >= MIN_WAITS) & (n_a >= MIN_WAITS), p, 1.0)


def _changes(activities: pd.DataFrame, paths: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    """Groups of related activities changed beyond noise (connected through changed paths)."""
    graph = nx.Graph()
    changed = activities.loc[activities["status"] != "unchanged", "activity"]
    graph.add_nodes_from(changed.astype(str))
    moved = paths.loc[paths["status"] != "unchanged", ["source", "target"]]
    graph.add_edges_from(zip(moved["source"].astype(str), moved["target"].astype(str),
                             strict=True))
    groups = [tuple(sorted(c)) for c in nx.connected_components(graph)]
    return tuple(sorted(groups, key=lambda g: (-len(g), g)))


# -- predicted against measured ---------------------------------------------------------
def _prediction(side_b: _Side, moves: tuple[Move, ...], costs: CostModel, est: _Estimates
                ) -> pd.DataFrame:
    if not moves:
        return pd.DataFrame({c: pd.Series([], dtype="float64") for c in PREDICTION_COLUMNS})
    projection = project(side_b.log, list(moves), costs=costs)
    change = projection.table.set_index("metric")["change"]
    n = side_b.log.n_cases
    predicted = {
        "handoffs_per_order": float(change["department_handoffs"]) / n,
        "labour_minutes_per_order": float(change["labour_minutes"]) / n,
        "handoff_queue_s_per_order": float(change["handoff_queue_s"]) / n,
        "cost_per_order": float(change["labour_cost"] + change["handoff_cost"]) / n,
        "cycle_time_mean_s": float(change["mean_cycle_time_s"]),
    }
    _, _, d, low, high = est.rows([("mean", value) for _, _, value, _ in _EFFECTS])
    rows = []
    for j, (key, label, _value, unit) in enumerate(_EFFECTS):
        p = predicted[key]
        rows.append({"metric": key, "label": label, "unit": unit, "predicted": p,
                     "measured": d[j], "ci_low": low[j], "ci_high": high[j],
                     "predicted_in_interval": bool(low[j] <= p <= high[j])})
    return pd.DataFrame(rows, columns=list(PREDICTION_COLUMNS))
