"""The cost model: what labour, handoffs and waiting cost, and what a change costs to make."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from procmine._changes import CHANGE_KINDS, KIND_PARTY, ChangeKind
from procmine.errors import InputError
from procmine.log.actors import log_arrays, value_codes
from procmine.schema import ACTIVITY, AUTOMATED, CASE_ID, DEPARTMENT, PARTY, TIMESTAMP

if TYPE_CHECKING:
    from procmine.log.eventlog import EventLog

__all__ = [
    "CHANGE_KINDS", "KIND_PARTY", "AnnualBasis", "Calendar", "ChangeKind", "CostModel",
    "automated_flags", "load_cost_model",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def automated_flags(events: pd.DataFrame) -> np.ndarray:
    """True where an event is automated (a missing flag counts as manual); kept per log.

    Examples
    --------
    >>> automated_flags(pd.DataFrame({"automated": pd.array([True, None, False],
    ...                                                     dtype="boolean")})).tolist()
    [True, False, False]
    """
    return log_arrays(events).memo(("automated",), _automated)


def _automated(events: pd.DataFrame) -> np.ndarray:
    values = events[AUTOMATED]
    if isinstance(values.dtype, pd.BooleanDtype):
        return values.to_numpy(dtype=bool, na_value=False)
    return values.fillna(False).to_numpy(dtype=bool)
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Calendar:
    """Working time: the hours in which a waiting order is in somebody's queue.

    Parameters
    ----------
    days : tuple of str
        Working weekdays (``"Mon"`` ... ``"Sun"``).
    start, end : str
        Working hours each working day, ``"HH:MM"`` local time (``end`` after ``start``;
        ``"00:00"``-``"24:00"`` for round the clock).
    timezone : str
        IANA zone of the working hours (events are in UTC).
    holidays : tuple of str
        Dates (``YYYY-MM-DD``, local) that are not worked.

    Examples
    --------
    >>> c = Calendar()
    >>> monday_9, tuesday_9 = pd.Timestamp("2024-01-01 09:00", tz="UTC"), pd.Timestamp(
    ...     "2024-01-02 09:00", tz="UTC")
    >>> us = np.array([monday_9.value // 1000, tuesday_9.value // 1000])
    >>> float(np.diff(c.working_seconds(us))[0] / 3600)  # 09-17 Monday, 08-09 Tuesday
    9.0
    """

    days: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")
    start: str = "08:00"
    end: str = "17:00"
    timezone: str = "UTC"
    holidays: tuple[str, ...] = ()

    def _hours(self) -> tuple[int, int]:
        def seconds(text: str) -> int:
            hours, _, minutes = text.partition(":")
            return (int(hours) * 60 + int(minutes or 0)) * 60

        return seconds(self.start), seconds(self.end)

    def working_seconds(self, micros: np.ndarray) -> np.ndarray:
        """Working seconds from a fixed origin to each time (µs since the epoch, UTC).

        The difference of two values is the working time between them. Vectorised:
        days since a Monday, whole weeks, the working days before in the week, the
        worked part of the day, less the holidays before.
        """
        micros = np.asarray(micros, dtype=np.int64)
        if self.timezone in ("UTC", "utc", "Z"):
            local = micros
        else:
            stamps = pd.to_datetime(micros, unit="us", utc=True).tz_convert(self.timezone)
            local = stamps.tz_localize(None).to_numpy(dtype="datetime64[us]").view("int64")
        if not len(local):
            return np.zeros(0)
        day, in_day = np.divmod(local, _DAY_US)
        first, last = int(day.min()), int(day.max())
        if last - first > max(4 * len(local), 100_000):  # a sparse span: day by day
            before, worked = self._days(day)
        else:  # one row per day of the span, read by index
            before, worked = self._days(np.arange(first, last + 1, dtype=np.int64))
            at = day - first
            before, worked = before[at], worked[at]
        start_s, end_s = self._hours()
        per_day = max(end_s - start_s, 0)
        within = in_day / 1e6
        within -= start_s
        np.clip(within, 0, per_day, out=within)
        within *= worked
        within += before
        return within

    def _days(self, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Working seconds before each day (days since the epoch) and whether it is worked.

        Whole weeks, the working days before in the week, less the holidays before.
        """
        start_s, end_s = self._hours()
        per_day = max(end_s - start_s, 0)
        worked = np.array([d in self.days for d in _WEEKDAYS], dtype=bool)
        work = np.where(worked, per_day, 0).astype(np.int64)
        before = np.r_[0, np.cumsum(work)[:-1]]
        day = day + 3  # 1970-01-01 was a Thursday: day 0 is a Monday
        week, weekday = np.divmod(day, 7)
        total = (week * int(work.sum()) + before[weekday]).astype(np.float64)
        is_worked = worked[weekday]
        if self.holidays:
            dates = pd.to_datetime(list(self.holidays)).to_numpy(dtype="datetime64[D]")
            off = np.unique(dates.astype(np.int64) + 3)
            off = off[worked[off % 7]]
            total = total - np.searchsorted(off, day, side="left") * per_day
            is_worked = is_worked & ~np.isin(day, off)
        return total, is_worked


@dataclass(frozen=True)
class AnnualBasis:
    """The basis of every per-year figure: ``factor`` times the log's figure.

    ``method`` is ``"annual_orders"`` (the cost model's orders per year) or
    ``"order starts"`` (the orders the log shows starting per day, times 365);
    ``orders`` and ``days`` are the log's orders and the span of their starts.
    """

    factor: float
    method: str
    orders: int
    days: float

    def describe(self, currency: str = "") -> str:
        """One sentence for a report: how figures were annualised.

        Examples
        --------
        >>> AnnualBasis(36.5, "order starts", 20, 10.0).describe()
        'per-year figures: 20 orders started over 10.0 days, so a year is 36.5 times the log'
        """
        if self.method == "annual_orders":
            return (f"per-year figures: {self.orders * self.factor:,.0f} orders a year (cost "
                    f"model), so a year is {self.factor:,.1f} times the log's {self.orders:,} "
                    "orders")
        if self.method == "no events":
            return "per-year figures: none (the log has no events)"
        return (f"per-year figures: {self.orders:,} orders started over {self.days:,.1f} days, "
                f"so a year is {self.factor:,.1f} times the log")


@dataclass(frozen=True)
class CostModel:
    """Rates and unit costs used to price handoffs, re-entry and changes.

    All money is in ``currency``; times in the units the field names say.
    :meth:`default` reads the documented file shipped with procmine
    (``procmine/data/costs.toml``); :func:`load_cost_model` reads your own.

    Parameters
    ----------
    currency : str
        Display only.
    department_rates : Mapping[str, float]
        Fully loaded labour cost per hour, by department.
    default_rate : float
        Rate per hour for departments not listed (and events with none).
    activity_minutes : Mapping[str, float]
        Manual touch time per execution of an activity, in minutes.
    default_minutes : float
        Touch time for activities not listed (manual events only).
    handoff_cost : float
        Fixed coordination cost of one handoff (a queue, a message, a check).
    wait_cost_per_hour : float
        Cost of one order waiting one hour (working capital, customer patience).
    implementation : Mapping[str, float]
        One-off cost to implement a change, by kind (see :data:`CHANGE_KINDS`).
    running : Mapping[str, float]
        Running cost per month of a change once in place, by kind.
    discrepancy_minutes : float
        Minutes to find and resolve one discrepancy between two copies of an item.
    annual_orders : float
        Orders per year used to annualise; 0 means derive it from the log's span.
    residual_share : Mapping[str, float]
        Share (0..1) of a moved step's labour that stays with staff, by kind.
    calendar : Calendar
        Working time: only waiting in working hours is queue time (priced).
    wait_cap_hours : float
        Most working hours of queue time priced for one handoff (default 40, one
        working week): beyond it the order is parked, not queued; 0 = no cap.
    planned_dates : tuple of str
        Information items or attributes that carry a date the order is planned
        for (the requested or confirmed delivery date): waiting until that date is
        lead time (shown, never priced), waiting after it is delay. The first of
        them the log has is used.

    Examples
    --------
    >>> m = CostModel()
    >>> m.rate("Sales") > 0 and m.minutes("Enter order") >= 0
    True
    >>> round(m.handoff_cost_of(count=2, wait_seconds=7200.0), 2) == round(
    ...     2 * m.handoff_cost + 2 * m.wait_cost_per_hour, 2)
    True

    Every price procmine shows comes from a method of this class: labour
    (:meth:`labour`), handoffs (:meth:`handoff_price`), waiting
    (:meth:`waiting_price`), discrepancy rework (:meth:`discrepancy_cost`), the
    changes' one-off and running costs (:meth:`implementation_cost`,
    :meth:`running_cost_annual`), and the basis that turns a log's period into a
    year (:meth:`annual_basis`).
    """

    currency: str = "EUR"
    department_rates: Mapping[str, float] = field(default_factory=lambda: {
        "Sales": 55.0, "Customer Service": 45.0, "Credit": 60.0, "Warehouse": 40.0,
        "Shipping": 42.0, "Billing": 50.0, "Returns": 42.0, "Purchasing": 58.0,
    })
    default_rate: float = 50.0
    activity_minutes: Mapping[str, float] = field(default_factory=dict)
    default_minutes: float = 4.0
    handoff_cost: float = 2.5
    wait_cost_per_hour: float = 0.05
    implementation: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 40000.0, "supplier_portal_edi": 30000.0,
        "carrier_api": 15000.0, "shared_data": 20000.0,
    })
    running: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 500.0, "supplier_portal_edi": 400.0,
        "carrier_api": 150.0, "shared_data": 200.0,
    })
    discrepancy_minutes: float = 15.0
    annual_orders: float = 0.0
    residual_share: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 0.10, "supplier_portal_edi": 0.05,
        "carrier_api": 0.02, "shared_data": 0.0,
    })
    calendar: Calendar = field(default_factory=Calendar)
    wait_cap_hours: float = 40.0
    planned_dates: tuple[str, ...] = ("requested_date", "requested_delivery_date",
                                      "confirmed_delivery_date", "delivery_date")

    @classmethod
    def default(cls) -> CostModel:
        """The documented default model shipped as ``procmine/data/costs.toml``.

        Examples
        --------
        >>> m = CostModel.default()
        >>> m.currency, m.rate("Warehouse")
        ('EUR', 40.0)
        """
        resource = resources.files("procmine").joinpath("data/costs.toml")
        with resources.as_file(resource) as path:
            return load_cost_model(path)

    @staticmethod
    def default_toml() -> str:
        """The text of the default cost-model file, with its comments: a start for your own.

        Write it to a file, change the figures, and pass the file to
        :func:`load_cost_model` (or ``procmine report --costs FILE``).

        Examples
        --------
        >>> text = CostModel.default_toml()
        >>> "[department_rates]" in text
        True
        """
        return resources.files("procmine").joinpath("data/costs.toml").read_text(encoding="utf-8")

    def rate(self, department: str | None) -> float:
        """Labour cost per hour of ``department`` (the default for unknown or missing)."""
        if department is None or (isinstance(department, float) and math.isnan(department)):
            return self.default_rate
        return float(self.department_rates.get(department, self.default_rate))

    def minutes(self, activity: str) -> float:
        """Manual touch minutes of one execution of ``activity``."""
        return float(self.activity_minutes.get(activity, self.default_minutes))

    def handoff_price(self, count: Any) -> Any:
        """Coordination cost of ``count`` handoffs (a number or an array)."""
        return count * self.handoff_cost

    def waiting_price(self, wait_seconds: Any) -> Any:
        """Cost of orders waiting ``wait_seconds`` in all (a number or an array)."""
        return wait_seconds / 3600.0 * self.wait_cost_per_hour

    def queue_seconds(self, start_us: np.ndarray, end_us: np.ndarray, *,
                      planned_us: np.ndarray | None = None, cap: bool = True) -> np.ndarray:
        """Seconds of the waits from ``start_us`` to ``end_us`` that are priced as queue time.

        The one definition every priced wait goes through (:meth:`queue_between` on
        positions): working time only (:attr:`calendar`), never the time until the
        order's planned date (``planned_us``, µs since the epoch, ``INT64_MIN`` where
        none: that part is lead time, see :meth:`lead_seconds`), and at most
        :attr:`wait_cap_hours` per wait when ``cap``.
        """
        start = np.asarray(start_us, dtype=np.int64)
        end = np.asarray(end_us, dtype=np.int64)
        m = len(start)
        return self.queue_between(np.concatenate([start, end]), np.arange(m),
                                  np.arange(m, 2 * m), planned_us=planned_us, cap=cap)

    def queue_between(self, micros: np.ndarray, source_pos: np.ndarray, target_pos: np.ndarray,
                      *, planned_us: np.ndarray | None = None, cap: bool = True,
                      working: np.ndarray | None = None) -> np.ndarray:
        """Queue seconds of the waits from ``micros[source_pos]`` to ``micros[target_pos]``.

        As :meth:`queue_seconds`; ``planned_us`` is aligned with the waits. The
        working time of every time is computed once (``working``, if the caller has
        :meth:`Calendar.working_seconds` of ``micros`` already), so pricing a log's
        handoffs costs one pass over its events.
        """
        micros = np.asarray(micros, dtype=np.int64)
        if len(source_pos) == 0:
            return np.zeros(0)
        working = self.calendar.working_seconds(micros) if working is None else working
        w_start = working[source_pos]
        if planned_us is not None:
            planned = np.asarray(planned_us, dtype=np.int64)
            later = planned > micros[source_pos]
            if later.any():
                stop = np.minimum(planned[later], micros[target_pos][later])
                w_start = w_start.copy()
                w_start[later] = self.calendar.working_seconds(stop)
        seconds = np.maximum(working[target_pos] - w_start, 0.0)
        if cap and self.wait_cap_hours > 0:
            np.minimum(seconds, self.wait_cap_hours * 3600.0, out=seconds)
        return seconds

    @staticmethod
    def lead_seconds(start_us: np.ndarray, end_us: np.ndarray,
                     planned_us: np.ndarray | None) -> np.ndarray:
        """Seconds of the waits that fall before the order's planned date: lead time, unpriced."""
        start = np.asarray(start_us, dtype=np.int64)
        end = np.asarray(end_us, dtype=np.int64)
        if planned_us is None:
            return np.zeros(len(start))
        planned = np.asarray(planned_us, dtype=np.int64)
        known = planned > np.iinfo(np.int64).min  # INT64_MIN: no planned date
        stop = np.where(known, np.minimum(end, planned), start)
        return np.maximum(stop - start, 0) / 1e6

    def delay_cost(self, start_us: np.ndarray, end_us: np.ndarray) -> np.ndarray:
        """Cost of orders waiting from ``start_us`` to ``end_us`` (arrays of µs since the
        epoch), e.g. a block until it is removed: :meth:`waiting_price` of their working
        time (:meth:`queue_seconds`, not capped: a block is a delay however long)."""
        return np.asarray(self.waiting_price(self.queue_seconds(start_us, end_us, cap=False)),
                          dtype=float)

    def handoff_cost_of(self, *, count: Any, wait_seconds: Any) -> Any:
        """Cost of ``count`` handoffs whose waits add up to ``wait_seconds``.

        :meth:`handoff_price` plus :meth:`waiting_price`; numbers or arrays.
        """
        return self.handoff_price(count) + self.waiting_price(wait_seconds)

    def rates(self, departments: pd.Series) -> np.ndarray:
        """Labour rate per hour of each event's department (the default for missing).

        Each distinct department is looked up once (:meth:`rate`).

        Examples
        --------
        >>> CostModel(department_rates={"Sales": 60.0}).rates(
        ...     pd.Series(["Sales", None, "Other"])).tolist()
        [60.0, 50.0, 50.0]
        """
        codes, names = value_codes(departments)
        return self._rate_table(names)[codes]

    def event_rates(self, events: pd.DataFrame) -> np.ndarray:
        """:meth:`rates` of every event's department, from the log's department codes."""
        codes, names = log_arrays(events).codes(DEPARTMENT)
        return self._rate_table(names)[codes]

    def _rate_table(self, names: np.ndarray) -> np.ndarray:
        """:meth:`rate` of each name, then the default rate (what code -1 reads)."""
        return np.array([*(self.rate(d) for d in names.tolist()), self.default_rate],
                        dtype="float64")

    def labour(self, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Touch minutes and labour cost of every event: the one definition of labour.

        Labour is what staff spend on manual internal events: an event whose
        ``automated`` flag is not true (a missing flag counts as manual) and whose
        ``party`` is ``internal``. It takes :meth:`minutes` of its activity at
        the :meth:`rate` of its department. Automated events and events of an
        outside party (the customer on the web shop, the carrier's scan) cost the
        company no labour: both arrays are 0 there.

        Parameters
        ----------
        events : pandas.DataFrame
            Canonical events (at least ``activity``, ``department``, ``party``,
            ``automated``).

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Minutes and cost per event, aligned with ``events``.

        Examples
        --------
        >>> m = CostModel(department_rates={"Sales": 60.0}, default_minutes=5.0)
        >>> e = pd.DataFrame({"activity": ["Enter", "Enter", "Enter"],
        ...     "department": ["Sales", "Sales", None],
        ...     "party": ["internal", "internal", "customer"],
        ...     "automated": pd.array([False, True, pd.NA], dtype="boolean")})
        >>> [v.tolist() for v in m.labour(e)]
        [[5.0, 0.0, 0.0], [5.0, 0.0, 0.0]]
        """
        if len(events) == 0:
            return np.zeros(0), np.zeros(0)
        key = ("labour", self.default_minutes, tuple(sorted(self.activity_minutes.items())),
               self.default_rate, tuple(sorted(self.department_rates.items())))
        return log_arrays(events).memo(key, self._labour)

    def _labour(self, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`labour` computed (on codes: each activity and department priced once)."""
        arrays = log_arrays(events)
        labour = self.labour_mask(events)
        codes, names = arrays.codes(ACTIVITY)
        per_activity = np.array([self.minutes(a) for a in names.tolist()], dtype="float64")
        minutes = np.where(labour, per_activity[codes] if len(names) else 0.0, 0.0)
        cost = minutes / 60.0 * self.event_rates(events)
        return minutes, cost

    @staticmethod
    def labour_mask(events: pd.DataFrame) -> np.ndarray:
        """The events that are labour: manual (``automated`` not true) and internal."""
        manual = ~automated_flags(events)
        codes, names = log_arrays(events).codes(PARTY)
        return manual & np.r_[names.astype(str) == "internal", False][codes]

    def discrepancy_cost(self, departments: pd.Series) -> np.ndarray:
        """Cost of resolving one discrepancy, at the rate of each event's department."""
        return self.discrepancy_minutes / 60.0 * self.rates(departments)

    def implementation_cost(self, kinds: Iterable[str]) -> float:
        """One-off cost to implement the changes of ``kinds`` (each kind once).

        The rule for every table: one implementation per kind of change, however
        many steps it moves (one self-service portal serves every step moved to
        the customer).
        """
        return float(sum(self.implementation.get(k, 0.0) for k in sorted(set(kinds))))

    def running_cost_annual(self, kinds: Iterable[str]) -> float:
        """Running cost per year of the changes of ``kinds`` (each kind once)."""
        return float(sum(self.running.get(k, 0.0) * 12.0 for k in sorted(set(kinds))))

    def annual_basis(self, log: EventLog) -> AnnualBasis:
        """How the log's figures become figures per year: the one annualisation basis.

        Costs, savings and KPIs are per order, so a year is a number of orders:
        ``annual_orders`` from the cost model when it gives one, else the orders
        the log shows starting per day times 365, over the span of the orders'
        first events (time outliers left out; at least one day). Not the span of
        all events: the last orders' tails (payments, returns weeks later) would
        stretch it and understate the year.

        Examples
        --------
        >>> from procmine.log.eventlog import EventLog
        >>> f = pd.DataFrame({"case_id": ["a", "b", "b"], "activity": ["x", "x", "y"],
        ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-03-01"],
        ...                                 utc=True)})
        >>> CostModel().annual_basis(EventLog.from_frame(f)).factor
        36.5
        >>> CostModel(annual_orders=1000).annual_basis(EventLog.from_frame(f)).factor
        500.0
        """
        if log.n_events == 0:
            return AnnualBasis(0.0, "no events", 0, 0.0)
        return log_arrays(log.events).memo(("annual basis", self.annual_orders),
                                           lambda _: self._annual_basis(log))

    def _annual_basis(self, log: EventLog) -> AnnualBasis:
        from procmine.log.outliers import time_bulk

        if log.n_events == 0:
            return AnnualBasis(0.0, "no events", 0, 0.0)
        events = log.events
        first = ~events[CASE_ID].duplicated().to_numpy()
        starts = events[TIMESTAMP][first]
        starts = starts[time_bulk(events[TIMESTAMP]).contains(starts)]
        return self.basis_of(int(first.sum()), starts.min() if len(starts) else None,
                             starts.max() if len(starts) else None)

    def basis_of(self, orders: int, first_start: pd.Timestamp | None,
                 last_start: pd.Timestamp | None) -> AnnualBasis:
        """:meth:`annual_basis` from its inputs, wherever they were counted (in memory or
        in an engine): ``orders`` in the log and the first and last of their starts
        inside the time bulk (``None`` when there are none).

        Examples
        --------
        >>> day = pd.Timestamp("2024-01-01", tz="UTC")
        >>> CostModel().basis_of(2, day, day + pd.Timedelta(days=10)).factor
        36.5
        """
        days = (float((last_start - first_start) / pd.Timedelta(days=1))
                if first_start is not None and last_start is not None else 0.0)
        if self.annual_orders > 0:
            return AnnualBasis(float(self.annual_orders) / orders, "annual_orders", orders, days)
        return AnnualBasis(365.0 / max(days, 1.0), "order starts", orders, days)

    def annual_factor(self, log: EventLog) -> float:
        """Multiplier turning a log's figures into figures per year (:meth:`annual_basis`)."""
        return self.annual_basis(log).factor


_NUMBER_KEYS = ("default_rate", "default_minutes", "handoff_cost", "wait_cost_per_hour",
                "discrepancy_minutes", "annual_orders", "wait_cap_hours")
_CALENDAR_KEYS = ("days", "hours", "timezone", "holidays")
_FREE_TABLES = ("department_rates", "activity_minutes")
_KIND_TABLES = ("implementation", "running", "residual_share")


def load_cost_model(path: str | Path) -> CostModel:
    """Read a cost model from a TOML file.

    Keys not given keep the values of :class:`CostModel`; the tables
    ``implementation``, ``running`` and ``residual_share`` are merged kind by
    kind over those defaults, while ``department_rates`` and
    ``activity_minutes`` replace them. See ``procmine/data/costs.toml`` for a
    documented example.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file.

    Returns
    -------
    CostModel

    Raises
    ------
    InputError
        The file is missing or not valid TOML, a key is unknown (the message
        lists the allowed keys), a value is not a number, a rate or cost is
        negative, or a residual share is outside 0..1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.toml").write_text('handoff_cost = 4.0\\n[department_rates]\\nSales = 70\\n')
    >>> m = load_cost_model(d / "c.toml")
    >>> m.handoff_cost, m.rate("Sales"), m.rate("Warehouse")
    (4.0, 70.0, 50.0)
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: cost model file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML cost model: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: not a valid cost model: arrays or tables nested too deeply "
                         f"(at most {_MAX_DEPTH} levels)") from None
    except OSError as exc:  # a directory, a FIFO, no permission
        raise InputError(f"{path}: cannot read the cost model ({exc.strerror or exc})") from None
    _check_depth(path, data)
    allowed = [f.name for f in fields(CostModel)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r} in the cost model; "
            f"allowed keys: {', '.join(allowed)}"
        )
    base = CostModel()
    kwargs: dict[str, Any] = {}
    if "currency" in data:
        if not isinstance(data["currency"], str):
            raise InputError(f"{path}: 'currency' must be text, got {data['currency']!r}")
        kwargs["currency"] = data["currency"]
    for key in _NUMBER_KEYS:
        if key in data:
            kwargs[key] = _non_negative(path, key, data[key])
    for key in _FREE_TABLES:
        if key in data:
            table = _table(path, key, data[key])
            kwargs[key] = {str(k): _non_negative(path, f"{key}.{k}", v) for k, v in table.items()}
    if "planned_dates" in data:
        names = data["planned_dates"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError(f"{path}: 'planned_dates' must be a list of item or attribute "
                             f"names, got {names!r}")
        kwargs["planned_dates"] = tuple(names)
    if "calendar" in data:
        kwargs["calendar"] = _calendar(path, _table(path, "calendar", data["calendar"]))
    for key in _KIND_TABLES:
        if key in data:
            table = _table(path, key, data[key])
            bad = sorted(set(table) - set(CHANGE_KINDS))
            if bad:
                raise InputError(
                    f"{path}: unknown key {bad[0]!r} in [{key}]; "
                    f"allowed keys: {', '.join(CHANGE_KINDS)}"
                )
            merged = dict(getattr(base, key))
            for kind, value in table.items():
                number = _non_negative(path, f"{key}.{kind}", value)
                if key == "residual_share" and number > 1:
                    raise InputError(
                        f"{path}: residual_share.{kind} must be between 0 and 1, got {number}"
                    )
                merged[kind] = number
            kwargs[key] = merged
    return CostModel(**kwargs)


#: Deepest nesting a cost model needs is 3 (``calendar.hours``); deeper input is refused.
_MAX_DEPTH = 8


def _check_depth(path: Path, data: Mapping[str, object]) -> None:
    """Refuse tables or arrays nested deeper than :data:`_MAX_DEPTH` (iteratively: no recursion)."""
    stack: list[tuple[object, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, key = stack.pop()
        if depth > _MAX_DEPTH:
            shown = key if len(key) <= 60 else key[:57] + "..."
            raise InputError(f"{path}: not a valid cost model: {shown!r} is nested {depth} "
                             f"levels deep (at most {_MAX_DEPTH})")
        if isinstance(value, Mapping):
            stack.extend((v, depth + 1, f"{key}.{k}" if key else str(k))
                         for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{key}[{i}]") for i, v in enumerate(value))


def _calendar(path: Path, table: Mapping[str, object]) -> Calendar:
    unknown = sorted(set(table) - set(_CALENDAR_KEYS))
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r} in [calendar]; "
                         f"allowed keys: {', '.join(_CALENDAR_KEYS)}")
    base = Calendar()
    days = table.get("days", list(base.days))
    if not isinstance(days, list) or not set(days) <= set(_WEEKDAYS):
        raise InputError(f"{path}: [calendar] days must be a list of {', '.join(_WEEKDAYS)}, "
                         f"got {days!r}")
    hours = table.get("hours", [base.start, base.end])
    pattern = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
    if (not isinstance(hours, list) or len(hours) != 2
            or not all(isinstance(h, str) and pattern.match(h) for h in hours)
            or hours[0] >= hours[1]):
        raise InputError(f"{path}: [calendar] hours must be [\"HH:MM\", \"HH:MM\"] with the "
                         f"start before the end, got {hours!r}")
    zone = table.get("timezone", base.timezone)
    try:
        pd.Timestamp("2024-01-01", tz=str(zone))
    except (KeyError, ValueError, TypeError):  # an unknown zone
        raise InputError(f"{path}: [calendar] timezone {zone!r} is not an IANA time zone "
                         "(e.g. Europe/Amsterdam)") from None
    holidays = table.get("holidays", [])
    if not isinstance(holidays, list):
        raise InputError(f"{path}: [calendar] holidays must be a list of dates")
    try:
        days_off = tuple(pd.Timestamp(str(h)).strftime("%Y-%m-%d") for h in holidays)
    except ValueError:
        raise InputError(f"{path}: [calendar] holidays must be dates YYYY-MM-DD, got "
                         f"{holidays!r}") from None
    return Calendar(days=tuple(days), start=hours[0], end=hours[1], timezone=str(zone),
                    holidays=days_off)


def _table(path: Path, key: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InputError(f"{path}: {key!r} must be a table ([{key}]), got {value!r}")
    return value


def _non_negative(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{path}: {key!r} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InputError(
            f"{path}: {key!r} must be a finite number >= 0, got {value!r}; "
            "rates, minutes and costs cannot be negative"
        )
    return number
