"""Filters that chain: each takes an EventLog and returns a new one with the same provenance.

Filters are verbs (bupaR style). None modifies its input; events keep the
canonical order. Each is also a method of :class:`~procmine.log.eventlog.EventLog`,
so ``log.filter_departments(["Sales"]).filter_case_size(min_events=3)`` chains.

:func:`variants` is the one variants engine of :mod:`procmine.log.variants`,
re-exported here so that ``EventLog.variants()`` and :func:`filter_variants`
read the same variants. A name given to a filter that matches nothing in the
log (a misspelt activity, department or resource) raises :class:`UsageError`
with the close matches, instead of returning an empty log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final, Literal, cast, get_args

import numpy as np
import pandas as pd

from procmine._check import check_choice, check_names
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.variants import Variants, variants
from procmine.schema import ACTIVITY, CASE_ID, DEPARTMENT, RESOURCE, TIMESTAMP

if TYPE_CHECKING:
    from procmine.log.eventlog import EventLog

__all__ = [
    "Variants",
    "filter_activities",
    "filter_case_size",
    "filter_cases",
    "filter_departments",
    "filter_resources",
    "filter_time",
    "filter_variants",
    "filter_where",
    "variants",
]

Scope = Literal["events", "cases"]
SCOPES: Final[tuple[str, ...]] = get_args(Scope)
TimeMode = Literal["intersecting", "contained", "started", "completed", "events"]
TIME_MODES: Final[tuple[str, ...]] = get_args(TimeMode)


def _as_list(values: Iterable[str] | str, what: str) -> list[str]:
    if isinstance(values, str):
        return [values]
    try:
        return [str(v) for v in values]
    except TypeError:
        raise UsageError(f"{what} must be a string or a list of strings, got "
                         f"{type(values).__name__}") from None


def _keep_events(log: EventLog, mask: np.ndarray) -> EventLog:
    return log.with_events(log.events.loc[mask])


def _by_column(
    log: EventLog, column: str, values: Iterable[str] | str, *, keep: bool, scope: Scope,
    what: str, where: str,
) -> EventLog:
    log = require_log(log, where=where)
    check_choice(scope, SCOPES, option="scope")
    wanted = _as_list(values, what)
    if len(log.events):  # an empty log has no names to match (and stays empty)
        check_names(wanted, set(log.events[column].dropna().astype(str).unique()),
                    what=what, where=where)
    hit = log.events[column].isin(wanted).to_numpy()
    if scope == "events":
        return _keep_events(log, hit if keep else ~hit)
    cases_hit = log.events[CASE_ID].isin(pd.Index(log.events[CASE_ID][hit].unique())).to_numpy()
    return _keep_events(log, cases_hit if keep else ~cases_hit)


def filter_activities(
    log: EventLog, activities: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
) -> EventLog:
    """Keep (or drop) events of the given activities, or whole cases that contain one.

    Parameters
    ----------
    log : EventLog
    activities : str or iterable of str
    keep : bool, keyword-only
        True keeps the matches, False drops them.
    scope : {"events", "cases"}, keyword-only
        ``events`` filters events; ``cases`` keeps (or drops) whole cases with
        at least one matching event.

    Returns
    -------
    EventLog

    Raises
    ------
    UsageError
        ``log`` is not an EventLog, ``scope`` is unknown, or an activity is not
        in the log (the message lists close matches).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2"], "activity": ["Enter", "Pick", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True)}))
    >>> filter_activities(log, ["Pick"]).events["activity"].tolist()
    ['Pick']
    >>> filter_activities(log, ["Pikc"])
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: filter_activities: the log has no activity 'Pikc' \
(did you mean 'Pick'?)
    >>> filter_activities(log, "Pick", scope="cases").events["case_id"].tolist()
    ['o1', 'o1']
    >>> filter_activities(log, "Pick", keep=False).n_events
    2
    """
    return _by_column(log, ACTIVITY, activities, keep=keep, scope=scope, what="activity",
                      where="filter_activities")


def filter_departments(
    log: EventLog, departments: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
) -> EventLog:
    """Keep (or drop) events of the given departments, or whole cases that touch one.

    Events without a department never match: ``keep=True`` drops them,
    ``keep=False`` keeps them. Parameters as in :func:`filter_activities`.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2"], "activity": ["Enter", "Pick", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True),
    ...     "department": ["Sales", "Warehouse", None]}))
    >>> filter_departments(log, "Sales").events["activity"].tolist()
    ['Enter']
    >>> filter_departments(log, "Sales", keep=False).events["case_id"].tolist()
    ['o1', 'o2']
    """
    return _by_column(log, DEPARTMENT, departments, keep=keep, scope=scope, what="department",
                      where="filter_departments")


def filter_resources(
    log: EventLog, resources: Iterable[str] | str, *, keep: bool = True, scope: Scope = "events"
) -> EventLog:
    """Keep (or drop) events of the given resources; as :func:`filter_departments`.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o2"], "activity": ["Enter", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03"], utc=True),
    ...     "resource": ["ann", "bob"]}))
    >>> filter_resources(log, ["bob"]).events["case_id"].tolist()
    ['o2']
    """
    return _by_column(log, RESOURCE, resources, keep=keep, scope=scope, what="resource",
                      where="filter_resources")


def filter_cases(log: EventLog, case_ids: Iterable[str] | str, *, keep: bool = True) -> EventLog:
    """Keep (or drop) the given cases.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o2"], "activity": ["Enter", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03"], utc=True)}))
    >>> filter_cases(log, ["o2"]).n_cases, filter_cases(log, "o2", keep=False).n_cases
    (1, 1)
    """
    log = require_log(log, where="filter_cases")
    hit = log.events[CASE_ID].isin(_as_list(case_ids, "case_ids")).to_numpy()
    return _keep_events(log, hit if keep else ~hit)


def _timestamp(value: object, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(cast(Any, value))  # a str, date, datetime or number
    except (ValueError, TypeError):
        raise UsageError(
            f"{what} must be a date or time (e.g. '2024-01-31'), got {value!r}"
        ) from None
    if pd.isna(stamp):
        raise UsageError(f"{what} must be a date or time, got {value!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def filter_time(
    log: EventLog,
    *,
    start: object = None,
    end: object = None,
    mode: TimeMode = "intersecting",
) -> EventLog:
    """Keep cases (or events) by time window ``[start, end)``.

    ``start`` is inclusive, ``end`` exclusive, so consecutive windows do not
    overlap; either may be omitted (open). Times without a zone are UTC.

    Modes (after bupaR's ``filter_time_period``):

    - ``intersecting``: whole cases with at least one moment in the window
      (case span ``[first, last]`` overlaps it);
    - ``contained``: whole cases that start and end inside the window;
    - ``started`` / ``completed``: whole cases whose first / last event is
      inside the window;
    - ``events``: only the events inside the window (cases are cut).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2"], "activity": ["Enter", "Pick", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-02-10", "2024-01-15"], utc=True)}))
    >>> filter_time(log, start="2024-01-10", end="2024-02-01").events["case_id"].tolist()
    ['o1', 'o1', 'o2']
    >>> filter_time(log, start="2024-01-10", end="2024-02-01", mode="contained").n_cases
    1
    >>> filter_time(log, end="2024-01-10", mode="events").events["activity"].tolist()
    ['Enter']
    """
    log = require_log(log, where="filter_time")
    check_choice(mode, TIME_MODES, option="mode")
    lo, hi = _timestamp(start, "start"), _timestamp(end, "end")
    if lo is not None and hi is not None and lo >= hi:
        raise UsageError(f"start ({lo}) must be before end ({hi})")
    ts = log.events[TIMESTAMP]

    def inside(values: pd.Series) -> np.ndarray:
        ok = np.ones(len(values), dtype=bool)
        if lo is not None:
            ok &= (values >= lo).to_numpy()
        if hi is not None:
            ok &= (values < hi).to_numpy()
        return ok

    if mode == "events":
        return _keep_events(log, inside(ts))
    grouped = ts.groupby(log.events[CASE_ID], sort=False)
    first = grouped.transform("min")
    last = grouped.transform("max")
    if mode == "contained":
        mask = inside(first) & inside(last)
    elif mode == "started":
        mask = inside(first)
    elif mode == "completed":
        mask = inside(last)
    else:  # intersecting: first < hi and last >= lo
        mask = np.ones(len(ts), dtype=bool)
        if hi is not None:
            mask &= (first < hi).to_numpy()
        if lo is not None:
            mask &= (last >= lo).to_numpy()
    return _keep_events(log, mask)


def filter_case_size(
    log: EventLog, *, min_events: int | None = None, max_events: int | None = None
) -> EventLog:
    """Keep cases with between ``min_events`` and ``max_events`` events (inclusive).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2"], "activity": ["Enter", "Pick", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"], utc=True)}))
    >>> filter_case_size(log, min_events=2).events["case_id"].unique().tolist()
    ['o1']
    """
    log = require_log(log, where="filter_case_size")
    for label, value in (("min_events", min_events), ("max_events", max_events)):
        if value is not None and (not isinstance(value, int | np.integer) or value < 0):
            raise UsageError(f"{label} must be a non-negative integer, got {value!r}")
    size = log.events.groupby(CASE_ID, sort=False)[CASE_ID].transform("size").to_numpy()
    mask = np.ones(len(size), dtype=bool)
    if min_events is not None:
        mask &= size >= min_events
    if max_events is not None:
        mask &= size <= max_events
    return _keep_events(log, mask)


def filter_variants(
    log: EventLog, *, top: int | None = None, coverage: float | None = None
) -> EventLog:
    """Keep the cases of the most frequent variants.

    Give exactly one of ``top`` (keep the ``top`` most frequent variants) or
    ``coverage`` (keep the most frequent variants until they cover at least
    that share of cases, 0 < coverage <= 1). Ties in frequency are broken by
    the variant text, so the result is deterministic.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o2", "o2", "o3"], "activity": ["A", "B", "A", "B", "A"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2 + ["2024-01-01"],
    ...                                 utc=True)}))
    >>> filter_variants(log, top=1).events["case_id"].unique().tolist()
    ['o1', 'o2']
    >>> filter_variants(log, coverage=0.9).n_cases
    3
    """
    log = require_log(log, where="filter_variants")
    if (top is None) == (coverage is None):
        raise UsageError("give exactly one of top= or coverage=")
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise UsageError(f"top must be a positive integer, got {top!r}")
    if coverage is not None and not 0 < coverage <= 1:
        raise UsageError(f"coverage must be in (0, 1], got {coverage!r}")
    result = variants(log, top=top, coverage=coverage)
    per_case = result.case_variant
    keep_cases = per_case.index[per_case.isin(result.table["variant"])]
    return _keep_events(log, log.events[CASE_ID].isin(keep_cases).to_numpy())


def filter_where(log: EventLog, predicate: Callable[[pd.DataFrame], object]) -> EventLog:
    """Keep the events for which ``predicate(events)`` is True (a boolean mask).

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine.log import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({
    ...     "case_id": ["o1", "o2"], "activity": ["Enter", "Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03"], utc=True),
    ...     "amount": [10, 500]}))
    >>> filter_where(log, lambda e: e["amount"] > 100).events["case_id"].tolist()
    ['o2']
    """
    log = require_log(log, where="filter_where")
    if not callable(predicate):
        raise UsageError(f"predicate must be a function of the events frame, got "
                         f"{type(predicate).__name__}")
    mask = predicate(log.events)
    values = np.asarray(getattr(mask, "to_numpy", lambda: mask)())
    if values.dtype != bool or values.shape != (len(log.events),):
        raise UsageError(
            f"predicate must return one boolean per event ({len(log.events)}); got "
            f"{values.dtype} of shape {values.shape}"
        )
    return _keep_events(log, values)
