"""Variants: the distinct activity sequences of cases, with how many cases follow each.

This is the one variants engine: :func:`procmine.variants`, the filters
(:func:`~procmine.log.filters.filter_variants`, ``EventLog.variants()``), the
report and the notebooks all read variants from :func:`variants`.

The sequences are compared as integer matrices, one per case length (cases of
length ``L`` form an ``n x L`` matrix of activity codes, so all matrices
together hold exactly one cell per event); ``numpy.unique`` over the rows
finds the distinct sequences, and only those are turned into text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from procmine._display import repr_html
from procmine.errors import UsageError
from procmine.log._require import require_log
from procmine.log.actors import log_arrays
from procmine.schema import CASE_ID

if TYPE_CHECKING:
    from procmine.log.eventlog import EventLog

__all__ = ["SEPARATOR", "VARIANT_COLUMNS", "Variants", "variants"]

#: Columns of :attr:`Variants.table`.
VARIANT_COLUMNS: Final = ("variant", "activities", "length", "cases", "share",
                          "cumulative_share", "median_duration_s")
#: What joins the activities of a variant in :attr:`Variants.table` ``activities``.
SEPARATOR: Final = " → "


@dataclass(frozen=True, eq=False)
class Variants:
    """Variants of a log, most frequent first.

    Attributes
    ----------
    table : pandas.DataFrame
        ``variant`` (1 = most frequent), ``activities`` (the sequence joined
        with " → "), ``length`` (events), ``cases``, ``share`` (of all cases
        of the log), ``cumulative_share``, ``median_duration_s`` (first to last
        event of a case, in seconds). Ties in ``cases`` are ordered by the
        sequence text. With ``top``/``coverage`` only the kept variants are
        listed; numbers and shares stay those of the whole log.
    case_variant : pandas.Series
        Case id (sorted) -> variant number, for every case of the log, kept or not.
    n_cases, n_variants : int
        Cases and variants of the whole log (before ``top``/``coverage``).
    """

    table: pd.DataFrame
    case_variant: pd.Series
    n_cases: int
    n_variants: int

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``table`` (the variants), ``cases`` (``case_id``, ``variant``)."""
        cases = pd.DataFrame({CASE_ID: self.case_variant.index.astype("str"),
                              "variant": self.case_variant.to_numpy(dtype="int64")})
        return {"table": self.table, "cases": cases}

    @property
    def covered(self) -> float:
        """Share of the log's cases that follow a listed variant."""
        return float(self.table["share"].sum()) if len(self.table) else 0.0

    def __repr__(self) -> str:
        return (f"Variants({len(self.table)} of {self.n_variants} variants, "
                f"covering {self.covered:.0%} of {self.n_cases} cases)")

    def _repr_html_(self) -> str:
        return repr_html(self)


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({
        "variant": pd.Series([], dtype="int64"),
        "activities": pd.Series([], dtype="str"),
        "length": pd.Series([], dtype="int64"),
        "cases": pd.Series([], dtype="int64"),
        "share": pd.Series([], dtype="float64"),
        "cumulative_share": pd.Series([], dtype="float64"),
        "median_duration_s": pd.Series([], dtype="float64"),
    })


def _sequences(case: np.ndarray, position: np.ndarray, activity: np.ndarray, n_cases: int
               ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Distinct sequences of activity codes: (sequence number per case, the sequences).

    Events are sorted by (case length, case, position), so the events of the
    cases of length ``L`` are one ``n x L`` block in row-major order: a
    reshape, no scatter. The loop runs over distinct lengths (at most as
    many as there are variants), never over cases.
    """
    length = np.bincount(case, minlength=n_cases)
    # events are in log order (case, then position): a stable sort by length keeps it
    by_length = length[case]
    if len(by_length) and int(by_length.max()) < 1 << 16:
        by_length = by_length.astype(np.uint16)  # a radix sort
    order = np.argsort(by_length, kind="stable")
    act = activity[order]
    owner = case[order]
    per_case = np.empty(n_cases, dtype=np.int64)
    rows: list[np.ndarray] = []
    lo = 0
    for size in np.unique(length[length > 0]):
        count = int(np.count_nonzero(length == size))
        hi = lo + count * int(size)
        block = act[lo:hi].reshape(count, int(size))
        unique, inverse = np.unique(block, axis=0, return_inverse=True)
        per_case[owner[lo:hi:int(size)]] = len(rows) + inverse.ravel()
        rows.extend(unique)
        lo = hi
    return per_case, rows


def variants(log: EventLog, *, top: int | None = None, coverage: float | None = None) -> Variants:
    """The variants of a log: each distinct sequence of activities and the cases that follow it.

    Parameters
    ----------
    log : EventLog
    top : int, optional, keyword-only
        List only the ``top`` most frequent variants.
    coverage : float, optional, keyword-only
        List the most frequent variants until they cover at least this
        fraction of cases. With both, both limits apply.

    Returns
    -------
    Variants

    Raises
    ------
    UsageError
        ``log`` is not an EventLog, ``top`` < 1 or ``coverage`` outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b", "c"], "activity": ["Enter", "Ship"] * 2 + ["Enter"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00",
    ...         "2024-01-02 09:00", "2024-01-02 10:00", "2024-01-03 09:00"], utc=True)})
    >>> result = variants(EventLog.from_frame(frame))
    >>> result.table[["variant", "activities", "cases", "median_duration_s"]]
       variant    activities  cases  median_duration_s
    0        1  Enter → Ship      2             5400.0
    1        2         Enter      1                0.0
    >>> result.case_variant.to_dict()
    {'a': 1, 'b': 1, 'c': 2}
    """
    log = require_log(log, where="variants")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int | np.integer)
                            or top < 1):
        raise UsageError(f"top must be a whole number of at least 1, got {top!r}")
    if coverage is not None:
        try:
            fraction = float(coverage)
        except (TypeError, ValueError):
            raise UsageError(f"coverage must be a fraction in [0, 1], got {coverage!r}") from None
        if not 0.0 <= fraction <= 1.0:
            raise UsageError(f"coverage must be a fraction in [0, 1], got {coverage!r}")
    events = log.events
    arrays = log_arrays(events)
    starts = arrays.case_starts
    n_cases = len(starts)
    if n_cases == 0:
        empty = pd.Series([], dtype="int64", index=pd.Index([], dtype="str", name=CASE_ID))
        return Variants(table=_empty_table(), case_variant=empty, n_cases=0, n_variants=0)
    case = arrays.case
    activity, names = arrays.activity_codes
    position = np.arange(len(case)) - starts[case]
    per_case, rows = _sequences(case, position, activity, n_cases)
    labels = np.asarray(names, dtype=object).astype(str)
    texts = np.array([SEPARATOR.join(labels[row]) for row in rows], dtype=object)

    ts = arrays.micros  # ordered by time within each case: first and last are the ends
    ends = np.r_[starts[1:] - 1, len(case) - 1]
    duration = (ts[ends] - ts[starts]) / 1e6

    per_sequence = pd.DataFrame({"sequence": per_case, "duration": duration})
    stats = per_sequence.groupby("sequence", sort=True)["duration"].agg(["size", "median"])
    sequence = stats.index.to_numpy(dtype=np.int64)
    table = pd.DataFrame({
        "sequence": sequence,
        "activities": pd.Series(texts[sequence], dtype="str"),
        "length": np.array([len(rows[s]) for s in sequence], dtype="int64"),
        "cases": stats["size"].to_numpy(dtype="int64"),
        "median_duration_s": stats["median"].to_numpy(dtype="float64"),
    })
    table = table.sort_values(["cases", "activities"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    table.insert(0, "variant", np.arange(1, len(table) + 1, dtype="int64"))
    table["share"] = table["cases"] / n_cases
    table["cumulative_share"] = table["share"].cumsum()
    number = np.empty(len(table), dtype=np.int64)
    number[table["sequence"].to_numpy()] = table["variant"].to_numpy()
    case_ids = events[CASE_ID].take(starts).to_numpy(dtype=object).astype(str)
    by_id = np.argsort(case_ids, kind="stable")  # the cases sorted by id
    case_variant = pd.Series(number[per_case][by_id],
                             index=pd.Index(case_ids[by_id], dtype="str", name=CASE_ID),
                             name="variant", dtype="int64")
    table = table.loc[:, list(VARIANT_COLUMNS)]
    keep = np.ones(len(table), dtype=bool)
    if coverage is not None:
        before = table["cumulative_share"].to_numpy() - table["share"].to_numpy()
        keep &= before < float(coverage) - 1e-12
    if top is not None:
        keep &= table["variant"].to_numpy() <= top
    return Variants(table=table.loc[keep].reset_index(drop=True), case_variant=case_variant,
                    n_cases=n_cases, n_variants=len(table))
