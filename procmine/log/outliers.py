"""Events far outside the bulk of a log in time: one rule, used by validate, KPIs and the report.

A timestamp is a **time outlier** when it lies more than :data:`FENCE` robust
scales from the log's median time, the scale being the median absolute deviation
(MAD) of the event times, at least :data:`MIN_SCALE` (a Hampel-type identifier:
the median and the MAD have a 50% breakdown point, so up to half the events can
be wrong without moving the fence, unlike a mean or a min/max span). Sentinel
dates that systems write for "no date" (before 1971, e.g. ``0001-01-01`` or epoch
0, and from 2200 on, e.g. ``9999-12-31``) are outliers too.

With the defaults, a log whose events spread evenly over one year keeps events
within about five years of its middle; a one-month extract keeps about five
months either side; a 1948 timestamp in a 2024 log, or ``9999-12-31``, is out.

References
----------
F. R. Hampel (1974). The influence curve and its role in robust estimation.
Journal of the American Statistical Association 69(346), 383-393.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from procmine.schema import CASE_ID

__all__ = ["FENCE", "MIN_SCALE", "TimeBulk", "outlier_cases", "time_bulk", "time_outliers"]

#: How many robust scales (MADs) from the median a time may lie.
FENCE: Final = 20.0
#: The smallest robust scale: a log whose events mostly share a day still keeps
#: the weeks around it.
MIN_SCALE: Final = pd.Timedelta(days=7)
_SENTINEL_BEFORE: Final = pd.Timestamp("1971-01-01", tz="UTC")
_SENTINEL_FROM: Final = pd.Timestamp("2200-01-01", tz="UTC")


class TimeBulk:
    """The span of time that holds the bulk of a log: ``start`` to ``end`` (UTC)."""

    def __init__(self, start: pd.Timestamp | None, end: pd.Timestamp | None) -> None:
        self.start = start
        self.end = end

    def contains(self, times: pd.Series) -> np.ndarray:
        """True where a time lies inside the bulk (every time, when the log is empty)."""
        if self.start is None or self.end is None:
            return np.ones(len(times), dtype=bool)
        return ((times >= self.start) & (times <= self.end)).to_numpy(dtype=bool)

    def __repr__(self) -> str:
        return f"TimeBulk({self.start} – {self.end})"


def time_bulk(times: pd.Series) -> TimeBulk:
    """The fences of :func:`time_outliers` for these times (tz-aware UTC datetimes).

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
    ...                               "9999-12-31"], utc=True))
    >>> b = time_bulk(t)
    >>> b.contains(t).tolist()
    [True, True, True, False]
    """
    return _bulk(times.to_numpy(dtype="datetime64[us]").view("int64"))


def _bulk(all_micros: np.ndarray) -> TimeBulk:
    """:func:`time_bulk` of times given as µs since the epoch (NaT: ``INT64_MIN``)."""
    before, after = _SENTINEL_BEFORE.value // 1000, _SENTINEL_FROM.value // 1000
    micros = all_micros[(all_micros >= before) & (all_micros < after)]
    if not len(micros):
        return (TimeBulk(None, None) if not len(all_micros)
                else TimeBulk(_SENTINEL_FROM, _SENTINEL_FROM))
    median = float(np.median(micros))
    mad = float(np.median(np.abs(micros - median)))
    scale = max(mad, MIN_SCALE / pd.Timedelta(microseconds=1))
    low = max(median - FENCE * scale, _SENTINEL_BEFORE.value / 1000)
    high = min(median + FENCE * scale, _SENTINEL_FROM.value / 1000 - 1)
    return TimeBulk(pd.Timestamp(int(low), unit="us", tz="UTC"),
                    pd.Timestamp(int(high), unit="us", tz="UTC"))


def time_outliers(events: pd.DataFrame) -> np.ndarray:
    """Which events' times lie far outside the bulk of the log (see the module).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``EventLog.events``).

    Returns
    -------
    numpy.ndarray of bool
        One flag per event.

    Examples
    --------
    >>> f = pd.DataFrame({"case_id": ["a", "a", "b", "c"],
    ...     "timestamp": pd.to_datetime(["2024-03-01", "2024-03-05", "1948-06-01",
    ...                                  "2024-04-01"], utc=True)})
    >>> time_outliers(f).tolist()
    [False, False, True, False]
    """
    from procmine.log.actors import log_arrays

    arrays = log_arrays(events)
    return arrays.memo(("time_outliers",), lambda _: _outside(arrays.micros))


def _outside(micros: np.ndarray) -> np.ndarray:
    bulk = _bulk(micros)
    if bulk.start is None or bulk.end is None:
        return np.zeros(len(micros), dtype=bool)
    low, high = bulk.start.value // 1000, bulk.end.value // 1000
    return (micros < low) | (micros > high)


def outlier_cases(events: pd.DataFrame) -> pd.Index:
    """Cases with at least one time outlier (sorted)."""
    flags = time_outliers(events)
    return pd.Index(sorted(pd.unique(events.loc[flags, CASE_ID])))
