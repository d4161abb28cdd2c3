"""Variants: the distinct activity sequences of cases, with how many cases follow each."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from procmine.errors import UsageError
from procmine.schema import ACTIVITY, CASE_ID, TIMESTAMP

if TYPE_CHECKING:
    from procmine.log import EventLog

__all__ = ["VARIANT_COLUMNS", "Variants", "variants"]

#: Columns of :attr:`Variants.table`.
VARIANT_COLUMNS = ("variant", "activities", "length", "cases", "share", "cumulative_share",
                   "median_duration_s")
_SEPARATOR = " → "


@dataclass(frozen=True, eq=False)
class Variants:
    """Variants of a log, most frequent first.

    Attributes
    ----------
    table : pandas.DataFrame
        ``variant`` (1 = most frequent), ``activities`` (the sequence joined
        with " → "), ``length``, ``cases``, ``share`` (of all cases),
        ``cumulative_share``, ``median_duration_s`` (first to last event).
        Ties in ``cases`` are ordered by the sequence text.
    case_variant : pandas.Series
        Case id -> variant number (for every case of the log, kept or not).
    n_cases, n_variants : int
        Cases and variants of the whole log (before ``top``/``coverage``).
    """

    table: pd.DataFrame
    case_variant: pd.Series
    n_cases: int
    n_variants: int

    def __repr__(self) -> str:
        covered = float(self.table["share"].sum()) if len(self.table) else 0.0
        return (f"Variants({len(self.table)} of {self.n_variants} variants, "
                f"covering {covered:.0%} of {self.n_cases} cases)")

    def _repr_html_(self) -> str:
        return (f"<div class='procmine-variants'><strong>{html.escape(repr(self))}</strong>"
                + self.table.to_html(index=False, escape=True) + "</div>")


_MAX_MATRIX_CELLS = 50_000_000


def _sequence_keys(events: pd.DataFrame, length: pd.Series) -> pd.Series:
    """One text key per case (cases sorted), e.g. "Enter → Ship".

    The sequences are laid out as a cases x positions matrix of activity
    codes; ``numpy.unique`` over its rows finds the distinct sequences, and
    only those are turned into text. A log whose longest case would make the
    matrix too large falls back to joining each case's activities.
    """
    n_cases = len(length)
    longest = int(length.max()) if n_cases else 0
    if n_cases == 0:
        return pd.Series([], index=length.index, dtype="str")
    if n_cases * longest > _MAX_MATRIX_CELLS:
        keys = events.groupby(CASE_ID, sort=True)[ACTIVITY].agg(_SEPARATOR.join)
        return keys.astype("str")
    # events are ordered by case, then time: rows of one case are contiguous
    case_codes, _ = pd.factorize(events[CASE_ID], sort=True)
    codes, names = pd.factorize(events[ACTIVITY], sort=False)
    starts = np.flatnonzero(np.r_[True, case_codes[1:] != case_codes[:-1]])
    position = np.arange(len(events)) - np.repeat(starts, np.diff(np.r_[starts, len(events)]))
    matrix = np.full((n_cases, longest), -1, dtype=np.int32)
    matrix[case_codes, position] = codes
    unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
    labels = np.asarray(names, dtype=object)
    texts = np.array([_SEPARATOR.join(labels[row[row >= 0]]) for row in unique], dtype=object)
    return pd.Series(texts[inverse.ravel()], index=length.index, dtype="str")


def variants(log: EventLog, *, top: int | None = None, coverage: float | None = None) -> Variants:
    """The variants of a log (vectorised: one sequence key per case).

    Parameters
    ----------
    log : EventLog
    top : int, optional, keyword-only
        Keep only the ``top`` most frequent variants.
    coverage : float, optional, keyword-only
        Keep the most frequent variants covering this fraction of cases.
        With both, both limits apply.

    Returns
    -------
    Variants

    Raises
    ------
    UsageError
        ``top`` < 1 or ``coverage`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b", "c"], "activity": ["Enter", "Ship"] * 2 + ["Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00",
    ...         "2024-01-02 09:00", "2024-01-02 10:00", "2024-01-03 09:00"], utc=True)})
    >>> variants(EventLog.from_frame(frame)).table[["variant", "activities", "cases",
    ...                                              "median_duration_s"]]
       variant     activities  cases  median_duration_s
    0        1  Enter → Ship      2             5400.0
    1        2          Enter      1                0.0
    """
    if top is not None and (not isinstance(top, int | np.integer) or top < 1):
        raise UsageError(f"top must be a whole number of at least 1, got {top!r}")
    if coverage is not None and not (0.0 <= float(coverage) <= 1.0):
        raise UsageError(f"coverage must be a fraction in [0, 1], got {coverage!r}")
    events = log.events
    grouped = events.groupby(CASE_ID, sort=True)
    length = grouped[ACTIVITY].size()
    times = grouped[TIMESTAMP].agg(["min", "max"])
    duration = (times["max"] - times["min"]).dt.total_seconds()
    per_case = pd.DataFrame({"activities": _sequence_keys(events, length), "length": length,
                             "duration": duration})
    table = per_case.groupby("activities", sort=True).agg(
        length=("length", "first"), cases=("length", "size"),
        median_duration_s=("duration", "median"),
    ).reset_index()
    table = table.sort_values(["cases", "activities"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    n_cases = len(per_case)
    table.insert(0, "variant", np.arange(1, len(table) + 1, dtype="int64"))
    table["share"] = table["cases"] / n_cases if n_cases else 0.0
    table["cumulative_share"] = table["share"].cumsum()
    table = table.loc[:, list(VARIANT_COLUMNS)]
    table["median_duration_s"] = table["median_duration_s"].astype("float64")
    numbers = pd.Series(table["variant"].to_numpy(), index=table["activities"].to_numpy())
    case_variant = per_case["activities"].map(numbers).astype("int64")
    case_variant.index.name = CASE_ID
    n_variants = len(table)
    keep = np.ones(len(table), dtype=bool)
    if coverage is not None:
        before = table["cumulative_share"].to_numpy() - table["share"].to_numpy()
        keep &= before < float(coverage) - 1e-12
    if top is not None:
        keep &= table["variant"].to_numpy() <= top
    return Variants(table=table.loc[keep].reset_index(drop=True), case_variant=case_variant,
                    n_cases=n_cases, n_variants=n_variants)
