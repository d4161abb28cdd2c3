"""Order KPIs over time: cycle time, order-to-cash, touchless rate, handoffs, returns, abandonment.

Each order is counted in the period (UTC day, or ISO week starting Monday) in which
its first event happened. Every indicator is computed per order first
(:attr:`Kpis.orders`), then aggregated per period; all of it vectorised.

Definitions (each overridable where it rests on activity names):

- **cycle time**: first to last event of the order, in seconds (``*_s`` columns).
- **order-to-cash**: the order's first event (order entry) to its first *payment*
  event, an activity matching :data:`PAYMENT_PATTERN` ("Payment received",
  "Record payment", "pay order", but not "Send payment reminder"). Orders not paid
  in the log are left out of that statistic; ``orders_paid`` counts those that are.
- **touchless after order entry**: as touchless, but the order's entry itself may be
  manual: no manual touch after the order's first internal event (the one that entered
  it into the company's systems: Sales keying an e-mailed order, or the web shop).
- **touchless**: the order has no rework (no activity occurs twice) and no manual
  touch, i.e. no event of the ``internal`` party whose ``automated`` flag is not
  true, outside departments handling goods (:data:`TOUCH_EXEMPT_DEPARTMENTS`;
  picking or handing over a parcel is work, not a touch of the order). A missing flag counts as
  manual. Not computable when the log has no ``automated`` value at all.
- **handoffs per order**: department-level handoffs (see
  :func:`procmine.analysis.handoffs.handoff_events`). Not computable without departments.
- **return rate**: share of orders with an activity matching :data:`RETURN_PATTERN`.
- **abandoned**: the order has no *terminal* activity (it never *ended*), and its
  last event is more than ``open_days`` before the end of the log (younger ones are
  still *open*). Terminal activities: those matching :data:`CANCEL_PATTERN` (a
  cancellation is an ending), plus those that are the last activity of at least
  ``terminal_share`` of all orders *and* come late in the orders they occur in (mean
  relative position, 0 = first event, 1 = last, at least 0.75; so an early step where
  many orders stall is not taken for an ending); or an explicit ``terminal=`` set.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from procmine._check import check_names
from procmine._display import repr_html
from procmine._regex import search_each
from procmine.analysis.handoffs import automated_flags
from procmine.errors import UsageError
from procmine.log._groups import group_quantile, group_starts
from procmine.log._require import require_log
from procmine.log.actors import handoff_positions, log_arrays
from procmine.log.eventlog import EventLog
from procmine.log.outliers import time_outliers
from procmine.schema import AUTOMATED, CASE_ID, DEPARTMENT, PARTY, TIMESTAMP

__all__ = [
    "CANCEL_PATTERN",
    "KPI_COLUMNS",
    "ORDER_COLUMNS",
    "PAYMENT_PATTERN",
    "RETURN_PATTERN",
    "TOUCH_EXEMPT_DEPARTMENTS",
    "Kpis",
    "kpi_notes",
    "kpis",
]

#: Payment received: "payment received/receipt/posted/booked/cleared", "record/post
#: payment", "... paid", or an activity starting with "pay" ("pay order"); not reminders,
#: calls or requests about a payment.
PAYMENT_PATTERN: Final = (
    r"(?i)\bpayment\s+(?:received|receipt|posted|booked|cleared|captured)\b"
    r"|\b(?:receive|record|post|book)\w*\s+(?:\w+\s+)?payment\b|\bpaid\b|^\s*pay\b"
    r"|^\s*(?:incoming\s+)?payments?\s*$"
)
#: Key steps an order's customer expects to hear about, and the customer-facing
#: confirmation that tells them (regular expressions on activity names): the order
#: accepted, shipped, invoiced. Override with ``kpis(kept_informed=...)``.
KEPT_INFORMED: Final = (
    ("accepted", r"(?i)\b(?:check\s+credit|credit\s+check\w*|accept\w*|approv\w*|"
                 r"release\s+(?:credit|order))\b",
     r"(?i)\border\s+confirmation\b|\bconfirm\w*\s+(?:the\s+)?order\s+to\b"),
    ("shipped", r"(?i)\b(?:ship(?:ped)?|dispatch\w*|hand[- ]?over|pick[- ]?up\s+scan|"
                r"picked\s+up|send\s+package)\b",
     r"(?i)\b(?:shipping|shipment|dispatch|delivery)\s+(?:notification|notice|advice|"
     r"confirmation)\b|\bsend\w*\s+tracking\b"),
    ("invoiced", r"(?i)\b(?:create|post|issue)\w*\s+invoice\b|\binvoice\s+(?:created|posted)\b",
     r"(?i)\bsend\w*\s+invoice\b|\binvoice\s+sent\b|\be-?mail\w*\s+invoice\b"),
)
#: A return of goods by the customer.
RETURN_PATTERN: Final = r"(?i)\breturn"
#: A cancellation ends an order without completing it; it is not abandonment.
CANCEL_PATTERN: Final = r"(?i)\bcancel"
#: Departments whose manual events are physical handling of goods, not a touch of the order.
TOUCH_EXEMPT_DEPARTMENTS: Final = ("Warehouse", "Shipping")

#: A period whose orders are more than this share still open is right-censored.
CENSORED_SHARE: Final = 0.5

#: Columns of :attr:`Kpis.orders`, one row per order.
ORDER_COLUMNS: Final = (
    "case_id", "start", "end", "cycle_time_s", "order_to_cash_s", "rework", "manual_touches",
    "touchless", "touchless_after_entry", "handoffs", "returned", "ended", "open", "abandoned",
    "kept_informed", "outlier",
)
#: Columns of :attr:`Kpis.daily` and :attr:`Kpis.weekly`, one row per period.
KPI_COLUMNS: Final = (
    "period", "orders_started", "cycle_time_median_s", "cycle_time_p90_s", "orders_paid",
    "order_to_cash_median_s", "order_to_cash_p90_s", "touchless_rate",
    "touchless_after_entry_rate", "handoffs_per_order", "return_rate", "orders_abandoned",
    "abandoned_rate", "kept_informed_rate", "orders_open", "partial", "censored",
)

Freq = Literal["D", "W"]
#: Mean relative position in its orders from which an activity counts as late (terminal).
_LATE: Final = 0.75


@dataclass(frozen=True, eq=False)
class Kpis:
    """KPIs per day and per week, the per-order values behind them, and notes.

    Attributes
    ----------
    table : pandas.DataFrame
        The weekly table (the one reported), the same object as ``weekly``.
    daily, weekly : pandas.DataFrame
        Columns :data:`KPI_COLUMNS`; one row per UTC day / ISO week (label: the
        Monday) from the first to the last order start, periods without orders
        included (0 orders, other values missing). Durations in seconds (``*_s``).
    orders : pandas.DataFrame
        Columns :data:`ORDER_COLUMNS`, one row per order.
    terminal : tuple of str
        The activities taken as endings of an order.
    notes : tuple of str
        What could not be computed, and why; the definitions that rest on guesses.
    """

    daily: pd.DataFrame
    weekly: pd.DataFrame
    orders: pd.DataFrame
    terminal: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def table(self) -> pd.DataFrame:
        """The weekly table: KPIs are tracked daily and reported weekly."""
        return self.weekly

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``weekly``, ``daily`` and ``orders``."""
        return {"weekly": self.weekly, "daily": self.daily, "orders": self.orders}

    def __repr__(self) -> str:
        return (
            f"Kpis({len(self.orders)} orders, {len(self.daily)} days, {len(self.weekly)} weeks, "
            f"{len(self.notes)} notes)"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def _matches(names: np.ndarray, pattern: str, *, option: str) -> np.ndarray:
    """Which names the user's pattern matches: each distinct name once, in linear time (RE2)."""
    unique, codes = np.unique(np.asarray(names, dtype=object).astype(str), return_inverse=True)
    return search_each(unique, pattern, option=option)[codes]


def kpis(
    log: EventLog,
    *,
    payment_pattern: str = PAYMENT_PATTERN,
    return_pattern: str = RETURN_PATTERN,
    cancel_pattern: str = CANCEL_PATTERN,
    terminal: Collection[str] | None = None,
    terminal_share: float = 0.05,
    open_days: float = 14.0,
    exempt_departments: Collection[str] | None = None,
    kept_informed: Collection[tuple[str, str, str]] | None = None,
) -> Kpis:
    """Compute the order KPIs of a log, per order, per day and per week.

    The definitions are in the module docstring (:mod:`procmine.analysis.kpis`).

    Parameters
    ----------
    log : EventLog
    payment_pattern, return_pattern, cancel_pattern : str, keyword-only
        Regular expressions matched (``re.search``) against activity names.
    terminal : collection of str, optional, keyword-only
        The activities that end an order; replaces the derived set. Each must be
        an activity of the log.
    terminal_share : float, keyword-only
        Minimum share of orders an activity must end to be derived as terminal.
    open_days : float, keyword-only
        Orders without an ending whose last event is at most this many days
        before the log's last event are still open, not abandoned.
    exempt_departments : collection of str, optional, keyword-only
        Departments whose manual events do not break touchlessness (default
        :data:`TOUCH_EXEMPT_DEPARTMENTS`); when given, each must be a department
        of the log.
    kept_informed : collection of (name, step pattern, confirmation pattern), optional
        The key steps and the customer-facing confirmation each needs (default
        :data:`KEPT_INFORMED`: accepted, shipped, invoiced).

    Returns
    -------
    Kpis

    Raises
    ------
    UsageError
        A pattern is not a valid regular expression; ``terminal_share`` is not in
        [0, 1]; ``open_days`` is negative; ``terminal`` or ``exempt_departments``
        names an activity or department the log does not have (with the close
        matches).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["o1", "o1", "o1", "o2"],
    ...     "activity": ["Enter order", "Ship", "Payment received", "Enter order"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 15:00",
    ...                                  "2024-01-03 09:00", "2024-01-02 10:00"], utc=True),
    ...     "department": ["Sales", "Shipping", "Billing", "Sales"],
    ...     "automated": [False, True, True, True]})
    >>> k = kpis(EventLog.from_frame(f), terminal={"Payment received"}, open_days=0)
    >>> k.daily[["orders_started", "order_to_cash_median_s", "touchless_rate"]]
       orders_started  order_to_cash_median_s  touchless_rate
    0               1                  172800.0             0.0
    1               1                       NaN             1.0
    >>> k.orders[["case_id", "handoffs", "abandoned"]]
      case_id  handoffs  abandoned
    0      o1       2.0      False
    1      o2       0.0       True
    """
    if not 0.0 <= terminal_share <= 1.0:
        raise UsageError(f"terminal_share must be between 0 and 1, got {terminal_share}.")
    if open_days < 0:
        raise UsageError(f"open_days must not be negative, got {open_days}.")
    events = require_log(log, where="kpis").events
    arrays = log_arrays(events)
    activity_codes, activity_names = arrays.activity_codes
    if terminal is not None and len(events):
        check_names(list(terminal), set(activity_names.tolist()), what="activity",
                    where="terminal=")
    if exempt_departments is None:
        exempt_departments = TOUCH_EXEMPT_DEPARTMENTS
    elif len(events):
        check_names(list(exempt_departments), set(arrays.codes(DEPARTMENT)[1].tolist()),
                    what="department", where="exempt_departments=")
    n = len(events)
    case_codes = arrays.case
    first = arrays.case_starts
    n_cases = len(first)
    last = np.r_[first[1:] - 1, n - 1] if n else first
    micros = arrays.micros
    start, end = micros[first], micros[last]
    seconds = 1e6
    hours = 3600e6


    # order-to-cash
    is_payment = _matches(activity_names, payment_pattern, option="payment_pattern")
    paid_at = np.full(n_cases, np.iinfo(np.int64).max, dtype=np.int64)
    pay_events = _first_per_case(is_payment[activity_codes], case_codes) if n else np.array(
        [], np.int64)
    # the log is ordered by case, then time: a case's first payment is its earliest
    paid_at[case_codes[pay_events]] = micros[pay_events]
    paid = paid_at != np.iinfo(np.int64).max
    o2c = np.where(paid, (paid_at - start) / seconds, np.nan)

    # rework and manual touches -> touchless
    rework = _repeats(case_codes, activity_codes, n_cases, len(activity_names))
    automated = events[AUTOMATED]
    no_flag = automated.isna().to_numpy()
    if n and no_flag.all():
        touchless = np.full(n_cases, np.nan)
        manual = np.zeros(n_cases, dtype=np.int64)
        unknown = 0
    else:
        internal = _is(arrays.codes(PARTY), ["internal"])
        exempt = _is(arrays.codes(DEPARTMENT), list(exempt_departments))
        is_manual = internal & ~exempt & ~automated_flags(events)
        manual = np.bincount(case_codes[is_manual], minlength=n_cases)
        touchless = ((manual == 0) & ~rework).astype(float)
        unknown = int((no_flag & internal & ~exempt).sum())
    if n and not no_flag.all():
        # touchless after order entry: no manual touch after the event that entered the
        # order into the company's systems (its first internal event: the web shop's or
        # EDI's order is entered by a system, an e-mailed one by Sales keying it)
        entry = np.full(n_cases, n, dtype=np.int64)
        inside = _first_per_case(internal, case_codes)
        entry[case_codes[inside]] = inside
        after_entry = is_manual & (np.arange(n) > entry[case_codes])
        touchless_after = ((np.bincount(case_codes[after_entry], minlength=n_cases) == 0)
                           & ~rework).astype(float)
    else:
        touchless_after = np.full(n_cases, np.nan)

    # handoffs per order (department level, the one handoff counter)
    if log.has_departments:
        source_pos, _ = handoff_positions(case_codes, arrays.actors("department")[0])
        per_order = np.bincount(case_codes[source_pos], minlength=n_cases).astype(float)
    else:
        per_order = np.full(n_cases, np.nan)

    # returns
    is_return = _matches(activity_names, return_pattern, option="return_pattern")
    returned = np.bincount(case_codes[is_return[activity_codes]], minlength=n_cases) > 0

    # endings and abandonment
    last_activity = activity_codes[last]
    if terminal is None:
        ends = np.bincount(last_activity, minlength=len(activity_names))
        length = (last - first + 1)[case_codes]
        position = np.arange(n) - first[case_codes]
        relative = np.where(length > 1, position / np.maximum(length - 1, 1), 1.0)
        with np.errstate(invalid="ignore"):
            late = np.bincount(activity_codes, weights=relative, minlength=len(activity_names)) / (
                np.bincount(activity_codes, minlength=len(activity_names)))
        derived = (ends >= terminal_share * n_cases) & (late >= _LATE) & (ends > 0)
        is_terminal = derived | _matches(activity_names, cancel_pattern, option="cancel_pattern")
    else:
        is_terminal = np.isin(activity_names, list(terminal))
    ended = np.bincount(case_codes[is_terminal[activity_codes]], minlength=n_cases) > 0
    log_end = int(micros.max()) if n else 0
    is_open = ~ended & (log_end - end <= open_days * 24 * hours)
    abandoned = ~ended & ~is_open

    informed, key_steps = _kept_informed(
        activity_names, activity_codes, case_codes, n_cases,
        KEPT_INFORMED if kept_informed is None else kept_informed)
    outlier_event = time_outliers(events) if n else np.zeros(0, dtype=bool)
    outlier = np.bincount(case_codes[outlier_event], minlength=n_cases) > 0
    notes = kpi_notes(
        payment_pattern=payment_pattern if n and not is_payment.any() else None,
        automated_flags=not (n and no_flag.all()), unflagged=unknown,
        departments=bool(log.has_departments or not n),
        return_pattern=return_pattern if n and not is_return.any() else None,
        derived_terminal=(sorted(activity_names[is_terminal]) if terminal is None and n
                          else None),
        terminal_share=terminal_share, cancel_pattern=cancel_pattern,
        kept_informed=key_steps, outlier_orders=int(outlier.sum())) if n else ()

    orders = pd.DataFrame({
        "case_id": events[CASE_ID].take(first).reset_index(drop=True).astype("str"),
        "start": events[TIMESTAMP].take(first).reset_index(drop=True),
        "end": events[TIMESTAMP].take(last).reset_index(drop=True),
        "cycle_time_s": (end - start) / seconds,
        "order_to_cash_s": o2c,
        "rework": rework,
        "manual_touches": manual,
        "touchless": touchless,
        "touchless_after_entry": touchless_after,
        "handoffs": per_order,
        "returned": returned,
        "ended": ended,
        "open": is_open,
        "abandoned": abandoned,
        "kept_informed": informed,
        "outlier": outlier,
    })
    bulk = micros[~outlier_event]
    span = ((pd.Timestamp(int(bulk.min()), unit="us", tz="UTC"),
             pd.Timestamp(int(bulk.max()), unit="us", tz="UTC")) if len(bulk) else None)
    in_bulk = orders.loc[~outlier]
    return Kpis(
        daily=_per_period(in_bulk, "D", span=span),
        weekly=_per_period(in_bulk, "W", span=span),
        orders=orders,
        terminal=tuple(sorted(activity_names[is_terminal].tolist())),
        notes=notes,
    )


def _first_per_case(flags: np.ndarray, cases: np.ndarray, *, last: bool = False
                    ) -> np.ndarray:
    """Position of each case's first (or last) flagged event; cases in log order."""
    at = np.flatnonzero(flags)
    c = cases[at]
    keep = np.ones(len(at), dtype=bool)
    if last:
        keep[:-1] = c[1:] != c[:-1]
    else:
        keep[1:] = c[1:] != c[:-1]
    return at[keep]


def _is(coded: tuple[np.ndarray, np.ndarray], values: list[str]) -> np.ndarray:
    """True where a coded column's value is one of ``values`` (missing: False)."""
    codes, names = coded
    hit = np.r_[np.isin(names.astype(str), values), False]  # code -1 reads the False
    return hit[codes]


def _repeats(cases: np.ndarray, activities: np.ndarray, n_cases: int, n_activities: int
             ) -> np.ndarray:
    """Per order: some activity occurs in it more than once."""
    if not len(cases):
        return np.zeros(n_cases, dtype=bool)
    width = max(n_activities, 1)
    if n_cases * width <= 1 << 26:
        counts = np.bincount(cases * width + activities, minlength=n_cases * width)
        again = np.flatnonzero(counts > 1) // width
    else:
        pair = np.sort(cases * width + activities)
        again = pair[1:][pair[1:] == pair[:-1]] // width
    out = np.zeros(n_cases, dtype=bool)
    out[again] = True
    return out


def _per_period(orders: pd.DataFrame, freq: Freq, *,
                span: tuple[pd.Timestamp, pd.Timestamp] | None = None) -> pd.DataFrame:
    """Aggregate per-order values to one row per period of the order's start.

    ``orders_open`` counts the period's orders still running at the end of the log
    (their cycle times are not final); ``partial`` marks a period the log covers
    only in part (it starts before the log's first day or ends after its last),
    as the current week of a scheduled run always is.
    """
    if orders.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype="float64") for c in KPI_COLUMNS})
        frame["period"] = pd.Series([], dtype="datetime64[us, UTC]")
        return frame.astype({"orders_started": "int64", "orders_paid": "int64",
                             "orders_abandoned": "int64", "orders_open": "int64",
                             "partial": "bool", "censored": "bool"})
    day_us = 86_400_000_000
    step_days = 7 if freq == "W" else 1
    start = orders["start"].to_numpy(dtype="datetime64[us]").view("int64")
    days = start // day_us
    if freq == "W":
        days = days - (days + 3) % 7  # back to the Monday (1970-01-01 was a Thursday)
    first_period = int(days.min())
    period = (days - first_period) // step_days
    n_periods = int(period.max()) + 1
    size = np.bincount(period, minlength=n_periods)

    def mean(column: str) -> np.ndarray:
        values = orders[column].to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.bincount(period[known], weights=values[known], minlength=n_periods)
                    / np.bincount(period[known], minlength=n_periods))

    def quantiles(column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values = orders[column].to_numpy(dtype="float64", na_value=np.nan)
        known = np.flatnonzero(~np.isnan(values))
        # sorted by value within each period: two stable sorts, exact quantiles by index
        known = known[np.argsort(values[known], kind="stable")]
        known = known[np.argsort(period[known], kind="stable")]
        sizes = np.bincount(period[known], minlength=n_periods)
        starts = group_starts(sizes)
        return (group_quantile(values[known], starts, sizes, 0.5),
                group_quantile(values[known], starts, sizes, 0.9), sizes)

    cycle_median, cycle_p90, _ = quantiles("cycle_time_s")
    o2c_median, o2c_p90, paid = quantiles("order_to_cash_s")
    full = pd.DatetimeIndex(pd.to_datetime(
        (first_period + np.arange(n_periods) * step_days) * day_us, unit="us", utc=True),
        name="period")
    table = pd.DataFrame({
        "orders_started": size.astype("int64"),
        "cycle_time_median_s": cycle_median,
        "cycle_time_p90_s": cycle_p90,
        "orders_paid": paid.astype("int64"),
        "order_to_cash_median_s": o2c_median,
        "order_to_cash_p90_s": o2c_p90,
        "touchless_rate": mean("touchless"),
        "touchless_after_entry_rate": mean("touchless_after_entry"),
        "kept_informed_rate": mean("kept_informed"),
        "handoffs_per_order": mean("handoffs"),
        "return_rate": mean("returned"),
        "orders_abandoned": np.bincount(period, weights=orders["abandoned"].to_numpy(bool),
                                        minlength=n_periods).astype("int64"),
        "orders_open": np.bincount(period, weights=orders["open"].to_numpy(bool),
                                   minlength=n_periods).astype("int64"),
    }, index=full)
    step = pd.Timedelta(days=step_days)
    first_day, last_day = span if span is not None else (full.min(), full.max())
    first_day, last_day = first_day.floor("D"), last_day.floor("D")
    table["partial"] = (full < first_day) | (full + step > last_day + pd.Timedelta(days=1))
    started = table["orders_started"].replace(0, np.nan)
    table["abandoned_rate"] = table["orders_abandoned"] / started
    # right-censored: most of the period's orders are still running at the end of the
    # log, so its cycle times are not final (a fall there is not an improvement)
    table["censored"] = (table["orders_open"] / started > CENSORED_SHARE).fillna(False)
    table = table.reset_index()
    table["period"] = table["period"].astype("datetime64[us, UTC]")
    return table[list(KPI_COLUMNS)]


def kpi_notes(*, payment_pattern: str | None = None, automated_flags: bool = True,
              unflagged: int = 0, departments: bool = True, return_pattern: str | None = None,
              derived_terminal: Sequence[str] | None = None, terminal_share: float = 0.0,
              cancel_pattern: str = CANCEL_PATTERN, kept_informed: bool = True,
              outlier_orders: int = 0) -> tuple[str, ...]:
    """The notes of :func:`kpis` (and of the engines' KPIs) from what was found, in order.

    ``payment_pattern`` / ``return_pattern``: the pattern that matched no activity (None when
    one matched); ``automated_flags``: some event says whether it was automated;
    ``unflagged``: internal events without that flag; ``derived_terminal``: the terminal
    activities derived from the log (None when given); ``kept_informed``: some activity
    matched a key step; ``outlier_orders``: orders left out as time outliers.

    Examples
    --------
    >>> kpi_notes(departments=False)
    ('handoffs per order not computable: the log records no departments.',)
    >>> [note[:20] for note in kpi_notes(unflagged=3, outlier_orders=2)]
    ['3 internal events ha', '2 order(s) have even']
    """
    notes: list[str] = []
    if payment_pattern is not None:
        notes.append(
            f"order-to-cash not computable: no activity matches payment_pattern "
            f"{payment_pattern!r}; pass the pattern of your payment-received activity "
            "(payment_pattern=, or --payment-pattern RE on the command line)."
        )
    if not automated_flags:
        notes.append(
            "touchless rate not computable: no event says whether it was automated; "
            "set automated_resources or automated_column for the sources."
        )
    elif unflagged:
        notes.append(f"{unflagged} internal events have no automated flag; counted as manual.")
    if not departments:
        notes.append("handoffs per order not computable: the log records no departments.")
    if return_pattern is not None:
        notes.append(f"no activity matches return_pattern {return_pattern!r}: return rate is 0.")
    if derived_terminal is not None:
        notes.append(
            "terminal activities derived from the log (ending at least "
            f"{terminal_share:.0%} of orders and coming late in them, or matching "
            f"“{cancel_pattern}”): {', '.join(derived_terminal) or 'none'};"
            " pass terminal= (--terminal A,A on the command line) to set them."
        )
    if not kept_informed:
        notes.append("customer kept informed not computable: no activity matches a key step "
                     "(order accepted, shipped, invoiced); pass kept_informed=.")
    if outlier_orders:
        notes.append(
            f"{outlier_orders:,} order(s) have events far outside the bulk of the log in "
            "time (procmine.log.outliers); they are left out of the daily and weekly KPIs.")
    return tuple(notes)


def _kept_informed(names: np.ndarray, codes: np.ndarray, case_codes: np.ndarray, n_cases: int,
                   steps: Collection[tuple[str, str, str]]) -> tuple[np.ndarray, bool]:
    """Per order: 1.0 when a confirmation follows each key step it has, 0.0 when one is
    missing, NaN when it has none of the key steps; and whether any key step matched."""
    n = len(codes)
    have = np.zeros(n_cases, dtype=bool)
    missed = np.zeros(n_cases, dtype=bool)
    if n == 0:
        return np.full(n_cases, np.nan), True
    found_any = False
    for spec in steps:
        try:
            name, step_pattern, confirm_pattern = spec
        except (TypeError, ValueError):
            raise UsageError(
                f"kept_informed= expects (name, step pattern, confirmation pattern) triples, "
                f"got {spec!r}") from None
        is_step = _matches(names, step_pattern, option=f"kept_informed {name} step")[codes]
        is_confirm = _matches(names, confirm_pattern,
                              option=f"kept_informed {name} confirmation")[codes]
        if not is_step.any():
            continue
        found_any = True
        # a confirmation must follow the key step's first occurrence (when it happened)
        first_step = np.full(n_cases, n, dtype=np.int64)
        at = _first_per_case(is_step, case_codes)
        first_step[case_codes[at]] = at
        last_confirm = np.full(n_cases, -1, dtype=np.int64)
        at = _first_per_case(is_confirm, case_codes, last=True)
        last_confirm[case_codes[at]] = at
        has = first_step < n
        have |= has
        missed |= has & (last_confirm < first_step)
    if not found_any:
        return np.full(n_cases, np.nan), False
    return np.where(have, (~missed).astype(float), np.nan), True
