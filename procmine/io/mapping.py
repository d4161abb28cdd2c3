"""Map a raw table to canonical events: roles, timestamps, correlation, rejected rows."""

from __future__ import annotations

import warnings
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from procmine._parallel import side_by_side, start
from procmine.errors import InputError
from procmine.io._fixed_iso import parse_fixed_iso
from procmine.io.result import SourceStats
from procmine.io.tables import RawTable, _one_line
from procmine.schema import (
    ACTIVITY,
    AUTOMATED,
    CASE_ID,
    CORE_COLUMNS,
    DEPARTMENT,
    EVENT_ID,
    OBJECT_ID,
    PARTIES,
    PARTY,
    PARTY_DTYPE,
    RESOURCE,
    SEQ,
    SOURCE,
    TIMESTAMP,
    _plain_edges,
    canonical_order,
    empty_rejects,
)

__all__ = [
    "DEFAULT_MISSING_VALUES",
    "EMPTY_AFTER_NORMALIZE",
    "EMPTY_ROW",
    "REASONS",
    "TOO_MANY_ORDERS",
    "ColumnMapping",
    "MappedTable",
    "drop_placeholders",
    "map_table",
    "parse_timestamps",
    "placeholder_stats",
]

#: Placeholder values read as missing in actor columns (resource, department, party, and an
#: automated column), compared after stripping spaces. An empty cell is always missing.
DEFAULT_MISSING_VALUES: tuple[str, ...] = (
    "", "Empty", "EMPTY", "N/A", "NA", "n/a", "NULL", "null", "None", "none", "-", "?", "#",
)

#: Reject reasons, in the order rows are checked (a row gets the first that applies).
REASONS = (
    "missing case id",
    "missing activity",
    "missing timestamp",
    "unparseable timestamp",
    "nonexistent or ambiguous local time",
    "no correlation to an order",
    "duplicate event",
)
(_MISSING_CASE, _MISSING_ACTIVITY, _MISSING_TIME, _BAD_TIME, _LOCAL_TIME, _NO_ORDER,
 _DUPLICATE) = REASONS
#: A row whose every field is empty: read, and rejected before any other check.
EMPTY_ROW = "empty row"
#: The ``normalize`` rule turned the row's order id into empty text.
EMPTY_AFTER_NORMALIZE = "empty case id after normalize"
#: The row's key correlates to more orders than ``max_orders_per_key`` allows.
TOO_MANY_ORDERS = "too many orders for one key"
#: Column of a resolver's frame naming why a row was refused (see :func:`map_table`).
PROBLEM = "problem"

_VALUE_CHARS = 200
#: A column with at least this many bad values, and bad in more than half of its
#: rows, is a wrong setting rather than a few bad rows.
_FEW = 3
# A plain pattern without \d or \s: pandas hands it to RE2 in Arrow (vectorised).
_OFFSET = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]+)?)? ?(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?)$"
_TRUE = frozenset({"true", "t", "yes", "y", "1", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})

#: Time status codes of :func:`parse_timestamps`.
TIME_OK, TIME_MISSING, TIME_UNPARSEABLE, TIME_LOCAL = 0, 1, 2, 3

Resolver = Callable[[pd.Series], pd.DataFrame]


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of an extract plays which role, and how to read its values.

    Parameters
    ----------
    case_id : str
        Column holding the order id, or the key a resolver correlates to orders.
    activity, timestamp : str
        Columns holding the activity and the completion time.
    resource, event_id : str, optional
        Columns holding the user/system account and the extract's own event id.
    department, party : str, optional
        Constant department / party for every row.
    department_column, party_column : str, optional
        Columns holding them per row.
    department_by_resource : Mapping[str, str], optional
        Department per resource (unmapped resources: missing).
    automated_resources : tuple of str
        Resource values that are system accounts.
    automated_column : str, optional
        Column with true/false (yes/no, 1/0), or with the values of
        ``automated_values``.
    automated_values : tuple of str, optional
        Values of ``automated_column`` (case-insensitive) that mark an event
        automated, e.g. ``("Robot", "System")``; every other value present
        marks it manual. Default: the column holds true/false flags.
    object_column : str, optional
        Column holding the sub-object of the order the event is about (a
        package, a delivery, an order line): the ``object_id`` column, as
        stripped text; empty cells and placeholders are missing (the order
        itself).
    missing_values : tuple of str
        Placeholder values read as missing in the resource, department, party,
        automated and object columns (after stripping spaces; case-sensitive).
        Default :data:`DEFAULT_MISSING_VALUES`; ``()`` keeps every value.
    timestamp_format : str, optional
        strftime format; default ISO 8601 (with or without offset).
    dayfirst : bool
        Without a format: read 01/02/2024 as 1 February.
    timezone : str, optional
        Zone of times without an offset (default UTC).
    items, attributes : Mapping[str, str]
        Canonical attribute name -> column. Items keep their text as entered
        (re-entry compares it). An attribute column whose every value is a
        plain number (no leading zero, ``decimal`` as decimal mark, no
        thousands separator) becomes a float column.
    decimal : str
        Decimal mark of numbers in attribute columns.
    normalize : tuple of (pattern, replacement), optional
        Regular-expression rewrite of the final order id, run by RE2 (linear
        time): no lookaround or backreferences in the pattern, ``\\1`` ..
        ``\\9`` in the replacement (a sources file's ``\\g<name>`` is
        translated by :func:`procmine.io.sources.parse_sources`).

    Examples
    --------
    >>> ColumnMapping(case_id="OrderNo", activity="Action", timestamp="At").columns()
    {'case_id': 'OrderNo', 'activity': 'Action', 'timestamp': 'At'}
    >>> ColumnMapping(case_id="OrderNo", activity="Action", timestamp="At",
    ...               object_column="PackageNo").columns()["object_id"]
    'PackageNo'
    """

    case_id: str = CASE_ID
    activity: str = ACTIVITY
    timestamp: str = TIMESTAMP
    resource: str | None = None
    event_id: str | None = None
    department: str | None = None
    department_column: str | None = None
    department_by_resource: Mapping[str, str] | None = None
    party: str | None = None
    party_column: str | None = None
    automated_resources: tuple[str, ...] = ()
    automated_column: str | None = None
    automated_values: tuple[str, ...] | None = None
    object_column: str | None = None
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    timestamp_format: str | None = None
    dayfirst: bool = False
    timezone: str | None = None
    items: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)
    normalize: tuple[str, str] | None = None
    decimal: str = "."

    def columns(self) -> dict[str, str]:
        """Role -> column for every column this mapping reads."""
        roles = {
            CASE_ID: self.case_id, ACTIVITY: self.activity, TIMESTAMP: self.timestamp,
            RESOURCE: self.resource, EVENT_ID: self.event_id,
            DEPARTMENT: self.department_column, PARTY: self.party_column,
            AUTOMATED: self.automated_column, OBJECT_ID: self.object_column,
        }
        roles.update(self.items)
        roles.update(self.attributes)
        return {role: column for role, column in roles.items() if column is not None}

    def offset_times(self, *, also_read: Iterable[str] = ()) -> tuple[str, ...]:
        """The timestamp column, for the reader to parse as ISO 8601 times with an offset
        (:func:`procmine.io.tables.read_table`'s ``times``); none when a format or
        day-first dates are set, or when the column is read for another role too, or by
        ``also_read`` (a lookup's key or value): those read its text.

        Examples
        --------
        >>> ColumnMapping(case_id="Order", activity="Act", timestamp="At").offset_times()
        ('At',)
        >>> ColumnMapping(case_id="At", activity="Act", timestamp="At").offset_times()
        ()
        """
        others = {column for role, column in self.columns().items() if role != TIMESTAMP}
        if self.timestamp_format is not None or self.dayfirst \
                or self.timestamp in others | set(also_read):
            return ()
        return (self.timestamp,)


@dataclass(frozen=True)
class MappedTable:
    """One extract mapped to canonical events (not yet validated), in row order.

    With ``map_table(..., canonical=True)`` the events are in the canonical order (case,
    timestamp, input order) instead, and carry ``seq`` (their place in row order).
    ``ids_unique`` says that no two ``event_id`` values are equal by construction (they
    are built from row numbers), so validation need not look.
    """

    events: pd.DataFrame
    rejects: pd.DataFrame
    stats: SourceStats
    ids_unique: bool = False


def map_table(
    table: RawTable,
    mapping: ColumnMapping,
    *,
    source: str,
    fix_hint: str = "",
    resolve: Resolver | None = None,
    canonical: bool = False,
) -> MappedTable:
    """Map a raw table to canonical events; bad rows go to the rejects.

    Rows are checked in the order of :data:`REASONS` and get the first reason
    that applies; a row whose fields are all empty is :data:`EMPTY_ROW` first,
    and the correlation and the ``normalize`` rule may reject a row with
    :data:`TOO_MANY_ORDERS` or :data:`EMPTY_AFTER_NORMALIZE`. A whole column
    of bad values (at least 3, and more than half of the rows) is a wrong
    setting, not bad rows: it raises.

    Parameters
    ----------
    table : RawTable
        As read by :func:`procmine.io.tables.read_table`.
    mapping : ColumnMapping
        Roles and value settings.
    source : str, keyword-only
        Source name: the ``source`` column and the prefix of ``event_id``.
    fix_hint : str, keyword-only
        Where the user changes settings, e.g. ``"in [sources.sales]"``.
    resolve : callable, keyword-only
        Correlation: takes the ``case_id`` column's values (index = frame
        positions) and returns a frame with columns ``pos`` and ``case_id``,
        one row per (row, order); rows absent are "no correlation to an order".
        An optional column ``problem`` marks rows refused for fanning out to
        too many orders (its text is the reject's value; ``case_id`` missing).
    canonical : bool, keyword-only
        Give the events in the canonical order (case, timestamp, row order) with
        their ``seq`` (0, 1, ... in row order), each column gathered once in that
        order: what :func:`procmine.schema.validate_events` returns them in, so it
        does not sort them again. Default: row order, without ``seq``.

    Returns
    -------
    MappedTable

    Raises
    ------
    InputError
        A mapped column is missing (the columns present are listed), a column
        is mostly unparseable, a party or flag value is unknown, or the
        extract's own event ids repeat.

    Examples
    --------
    >>> import numpy as np
    >>> raw = pd.DataFrame({"Order": ["1", "1", None], "Act": ["a", "b", "c"],
    ...                     "At": ["2024-01-01 10:00", "2024-01-01 11:00+01:00", "2024-01-02"]})
    >>> table = RawTable(raw, np.array([2, 3, 4]), path="x.csv")
    >>> m = map_table(table, ColumnMapping(case_id="Order", activity="Act", timestamp="At"),
    ...               source="x")
    >>> m.events[["case_id", "event_id"]].values.tolist()
    [['1', 'x:2'], ['1', 'x:3']]
    >>> m.rejects[["row", "reason"]].values.tolist()
    [[4, 'missing case id']]
    """
    frame = table.frame
    path = table.path or source
    _check_columns(table, mapping, fix_hint)
    n = len(frame)
    rows = np.asarray(table.rows, dtype="int64")

    try:  # the three columns every event needs, each read on its own thread
        key, activity, (when, status) = side_by_side(
            lambda: _text(frame[mapping.case_id]) if n else pd.Series([], dtype="str"),
            lambda: _text(frame[mapping.activity]),
            lambda: parse_timestamps(frame[mapping.timestamp],
                                     format=mapping.timestamp_format,
                                     dayfirst=mapping.dayfirst, timezone=mapping.timezone),
        )
    except InputError as problem:  # a wrong zone or format: say where it is set
        raise InputError(f"{path}: {problem}{_hint(fix_hint)}") from None
    _check_mostly_bad(
        status == TIME_UNPARSEABLE, status != TIME_MISSING, frame[mapping.timestamp], rows,
        f"{path}: column {mapping.timestamp!r} (→ timestamp) has {{n}} unparseable values, "
        f"first at row {{row}} ({{value!r}}); expected "
        + (f"format {mapping.timestamp_format!r}" if mapping.timestamp_format
           else "day-first dates" if mapping.dayfirst
           else "ISO 8601 such as '2024-03-01 14:05:00' or '2024-03-01T14:05:00+01:00'")
        + f"; set timestamp_format{_hint(fix_hint)}",
    )
    reason, column = _Labels(n), _Labels(n)  # why a row is rejected, and in which column
    note: np.ndarray | None = None  # a reject's value when not the cell's (made if needed)
    key_missing, activity_missing = key.isna().to_numpy(), activity.isna().to_numpy()
    rejected = np.zeros(n, dtype=bool)  # has a reason (kept beside the object array: fast)
    empty = _empty_rows(frame, key_missing & activity_missing & (status == TIME_MISSING))
    reason[empty] = EMPTY_ROW
    rejected[empty] = True
    for mask, why, col in (
        (key_missing, _MISSING_CASE, mapping.case_id),
        (activity_missing, _MISSING_ACTIVITY, mapping.activity),
        (status == TIME_MISSING, _MISSING_TIME, mapping.timestamp),
        (status == TIME_UNPARSEABLE, _BAD_TIME, mapping.timestamp),
        (status == TIME_LOCAL, _LOCAL_TIME, mapping.timestamp),
    ):
        new = mask & ~rejected
        if new.any():
            reason[new] = why
            column[new] = col
            rejected |= new

    # -- correlation: rows -> (row, order) pairs --------------------------------------------
    candidates = np.flatnonzero(~rejected)
    if resolve is None:
        pairs = pd.DataFrame({"pos": candidates, CASE_ID: _take(key, candidates)})
    else:
        keys = key.iloc[candidates]
        keys.index = candidates
        pairs = resolve(keys)
        if PROBLEM in pairs.columns:
            refused = pairs[PROBLEM].notna().to_numpy()
            at = pairs["pos"].to_numpy(dtype="int64")[refused]
            reason[at] = TOO_MANY_ORDERS
            column[at] = mapping.case_id
            note = np.full(n, None, dtype=object)
            note[at] = pairs[PROBLEM].to_numpy(dtype=object)[refused]
            candidates = candidates[~reason.given(candidates)]
            pairs = pairs.loc[~refused, ["pos", CASE_ID]].reset_index(drop=True)
        found = np.zeros(n, dtype=bool)
        found[pairs["pos"].to_numpy(dtype="int64")] = True
        lost = np.zeros(n, dtype=bool)
        lost[candidates] = ~found[candidates]
        if len(candidates) >= _FEW and lost.sum() == len(candidates):
            first = candidates[0]
            raise InputError(
                f"{path}: none of the {len(candidates)} values of column {mapping.case_id!r} "
                f"correlates to an order (first at row {rows[first]}: {key.iloc[first]!r}); "
                f"check the lookups in via and their key and value columns{_hint(fix_hint)}"
            )
        reason[lost] = _NO_ORDER
        column[lost] = mapping.case_id
    pairs = _normalize(pairs, mapping.normalize, one_per_row=resolve is None)
    if mapping.normalize is not None and len(pairs):
        blank = (pairs[CASE_ID].isna() | (pairs[CASE_ID].str.strip() == "")).to_numpy()
        if blank.any():
            pair_pos = pairs["pos"].to_numpy(dtype="int64")
            kept = np.zeros(n, dtype=bool)
            kept[pair_pos[~blank]] = True
            emptied = np.unique(pair_pos[blank])
            emptied = emptied[~kept[emptied]]
            reason[emptied] = EMPTY_AFTER_NORMALIZE
            column[emptied] = mapping.case_id
            pairs = pairs.loc[~blank].reset_index(drop=True)

    # -- the events --------------------------------------------------------------------------
    pos = pairs["pos"].to_numpy(dtype="int64")
    if resolve is None:
        multi, k = np.zeros(len(pos), dtype=bool), np.ones(len(pos), dtype="int64")
    else:
        multi = pairs.groupby("pos", sort=False)["pos"].transform("size").to_numpy() > 1
        k = pairs.groupby("pos", sort=False).cumcount().to_numpy() + 1
    case = pairs[CASE_ID].reset_index(drop=True)
    columns = _Columns(frame, {mapping.activity: activity})

    # -- duplicates: same everything but the id, within this source --------------------------
    duplicate_rows = np.zeros(n, dtype=bool)
    first_row = np.zeros(n, dtype="int64")
    case_uniques = None
    if len(pos):
        case_codes, case_uniques = pd.factorize(case, sort=canonical)
    else:
        case_codes = np.zeros(0, "int64")
    order, ties = None, None
    if canonical:  # sorted once, on codes; every column is then gathered in this order
        ts = _take(when, pos).to_numpy(dtype="datetime64[us]").view("int64")
        order = canonical_order(case_codes, ts, np.arange(len(pos), dtype="int64"))
        ties = _ties(case_codes, ts, order)
    duplicates = _duplicates(frame, mapping, pos, case, when, path, rows, fix_hint, source,
                             columns, case_codes, ties)
    survivors: np.ndarray | None = None  # the events left once duplicates go (None: all)
    if duplicates is not None:
        dup, first_event = duplicates
        nondup = np.bincount(pos[~dup], minlength=n)
        duplicate_rows[np.unique(pos[dup & (nondup[pos] == 0)])] = True
        first_row[pos[dup]] = rows[pos[first_event[dup]]]
        keep = survivors = ~dup
        pos, multi, k = pos[keep], multi[keep], k[keep]
        case_codes = case_codes[keep]
        if order is not None:  # the sorted order of the events kept, numbered anew
            order = (np.cumsum(keep) - 1)[order[keep[order]]]
    reason[duplicate_rows] = _DUPLICATE
    seq = np.arange(len(pos), dtype="int64")

    def kept_case() -> pd.Series:  # the case ids of the events kept, in row order
        return case if survivors is None else case[survivors].reset_index(drop=True)

    if order is None:
        event_pos, event_case, event_multi, event_k = pos, kept_case(), multi, k
    else:
        event_pos = pos[order]
        if resolve is None:  # one order per row: nothing to gather
            event_multi, event_k = multi, k
        else:
            event_multi, event_k = multi[order], k[order]
        sorted_codes = case_codes[order]
        if case_uniques is not None and len(sorted_codes) and sorted_codes[0] >= 0:
            # the ids in order are the sorted distinct ids, each repeated: read in sequence
            # from the distinct ids, not gathered from all over the column
            event_case = pd.Series(case_uniques.array.take(sorted_codes))
        else:
            event_case = kept_case().take(order).reset_index(drop=True)
    if mapping.event_id is None or order is None:  # made on a thread beside the columns
        ids = start(lambda: _event_ids(frame, mapping, source, rows, event_pos, event_multi,
                                       event_k, path))
    else:  # the extract's own ids are checked in row order (the first repeat named)
        ids = start(lambda: _event_ids(frame, mapping, source, rows, pos, multi, k, path)
                    .take(order).reset_index(drop=True))
    events, placeholders = _event_columns(frame, mapping, event_pos, event_case, when, path,
                                          rows, fix_hint, source, columns)
    events[EVENT_ID] = ids.result()
    if canonical:
        events[SEQ] = seq if order is None else order.astype("int64")
    events = events.reset_index(drop=True)

    # -- rejects and accounting --------------------------------------------------------------
    bad = np.flatnonzero(reason.given())
    values = np.full(len(bad), None, dtype=object)
    for col in {c for c in column[bad] if c is not None}:
        at = column[bad] == col
        raw = frame[col].iloc[bad[at]]
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):  # any year, as text
            raw = pd.Series(_datetime_text(raw), index=raw.index)
        values[at] = raw.to_numpy(dtype=object)
    dup_at = reason[bad] == _DUPLICATE
    values[dup_at] = [f"same as row {r}" for r in first_row[bad[dup_at]]]
    if note is not None:
        noted = note[bad] != None  # noqa: E711
        values[noted] = note[bad][noted]
    rejects = pd.DataFrame({
        "source": pd.Series([source] * len(bad), dtype="str"),
        "row": pd.Series(rows[bad], dtype="int64"),
        "reason": pd.Series(reason[bad], dtype="str"),
        "column": pd.Series(column[bad], dtype="str"),
        "value": _truncate(pd.Series(values, dtype="str")),
    })
    if len(table.rejects):
        rejects = pd.concat([table.rejects, rejects], ignore_index=True)
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    if rejects.empty:
        rejects = empty_rejects()
    reasons = {str(r): int(c) for r, c in rejects["reason"].value_counts(sort=False).items()}
    loaded = int(np.count_nonzero(np.diff(pos)) + 1) if len(pos) else 0  # pos is sorted
    counts, seen = placeholder_stats(placeholders)
    stats = SourceStats(
        name=source, path=table.path, format=table.format, rows_read=table.rows_read,
        rows_loaded=loaded, rows_rejected=len(rejects), events=len(events),
        reasons=dict(sorted(reasons.items())), missing_values=counts, placeholders=seen,
    )
    return MappedTable(events=events, rejects=rejects, stats=stats,
                       ids_unique=mapping.event_id is None)


def drop_placeholders(
    text: pd.Series, missing_values: Iterable[str] = DEFAULT_MISSING_VALUES
) -> tuple[pd.Series, pd.Series]:
    """Read placeholder values (``Empty``, ``N/A``, ``-``, ...) as missing.

    One vectorised ``isin`` on the already stripped values; the comparison is
    exact (case-sensitive) after stripping spaces from the placeholders too.

    Parameters
    ----------
    text : pandas.Series
        Stripped text, missing as NaN.
    missing_values : iterable of str
        The placeholders (default :data:`DEFAULT_MISSING_VALUES`).

    Returns
    -------
    values : pandas.Series
        ``text`` with placeholders missing.
    found : pandas.Series
        The placeholder values where ``text`` held one, missing elsewhere;
        same index as ``text``.

    Examples
    --------
    >>> values, found = drop_placeholders(pd.Series(["Sales", "Empty", None, "N/A"]))
    >>> values.tolist(), found.dropna().tolist()
    (['Sales', nan, nan, nan], ['Empty', 'N/A'])
    """
    placeholders = sorted({str(v).strip() for v in missing_values} - {""})
    if not placeholders or text.empty:
        return text, _all_missing(text)
    hit = text.isin(placeholders).to_numpy()
    if not hit.any():
        return text, _all_missing(text)
    return text.mask(hit), text.where(hit)


def _all_missing(text: pd.Series) -> pd.Series:
    """``text.where(False)``: every value missing, same dtype and index (Arrow text: one
    null array, not a pass over the values)."""
    if _arrow_text(text) is not None:
        import pyarrow as pa

        nulls = pa.nulls(len(text), pa.large_string())
        return pd.Series(pd.array(nulls, dtype=text.dtype), index=text.index)
    return text.where(np.zeros(len(text), dtype=bool))


def placeholder_stats(
    found: Mapping[str, pd.Series | np.ndarray],
) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    """Count the placeholders :func:`drop_placeholders` found, per canonical column.

    Parameters
    ----------
    found : Mapping[str, pandas.Series or numpy.ndarray]
        Canonical column -> its ``found`` values, one per event.

    Returns
    -------
    counts : dict
        Column -> number of placeholder values (non-zero only), for
        :attr:`SourceStats.missing_values`.
    seen : dict
        Column -> the distinct placeholders seen, sorted.

    Examples
    --------
    >>> placeholder_stats({"department": pd.Series(["EMPTY", None, "EMPTY", "-"]),
    ...                    "resource": pd.Series([None])})
    ({'department': 3}, {'department': ('-', 'EMPTY')})
    """
    counts: dict[str, int] = {}
    seen: dict[str, tuple[str, ...]] = {}
    for role, values in found.items():
        if isinstance(values, pd.Series) and _arrow_text(values) is not None:
            present = values.dropna()  # Arrow text: no object per value
        else:
            present = pd.Series(values, dtype=object).dropna()
        if len(present):
            counts[role] = len(present)
            seen[role] = tuple(sorted(str(v) for v in present.unique()))
    return counts, seen


def parse_timestamps(
    values: pd.Series,
    *,
    format: str | None = None,
    dayfirst: bool = False,
    timezone: str | None = None,
) -> tuple[pd.Series, np.ndarray]:
    """Parse times to UTC; say per value what went wrong.

    Values with an offset (ISO 8601 ``+01:00``/``Z``, or ``%z`` in the
    format) are converted to UTC each with its own offset; values without
    are local time in ``timezone`` (default UTC). A local time that does not
    exist (DST gap) or exists twice (DST fold) is not guessed.

    Parameters
    ----------
    values : pandas.Series
        Text, or datetimes (Parquet, Excel).
    format : str, keyword-only
        strftime format; default ISO 8601.
    dayfirst : bool, keyword-only
        Without a format, read ``01/02/2024`` as 1 February.
    timezone : str, keyword-only
        IANA zone for times without an offset.

    Returns
    -------
    times : pandas.Series
        ``datetime64[us, UTC]``, NaT where not parsed; same index as ``values``.
    status : numpy.ndarray
        Per value: 0 parsed, 1 missing, 2 unparseable, 3 nonexistent or
        ambiguous local time.

    Examples
    --------
    >>> s = pd.Series(["2024-03-31 01:30", "2024-03-31 02:30", "2024-03-31T09:00+02:00", "",
    ...                "31/03/2024"])
    >>> times, status = parse_timestamps(s, timezone="Europe/Amsterdam")
    >>> [str(t) for t in times[[0, 2]]], status.tolist()
    (['2024-03-31 00:30:00+00:00', '2024-03-31 07:00:00+00:00'], [0, 3, 0, 1, 2])
    """
    tz = _zone(timezone or "UTC")
    index = values.index
    n = len(values)
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    status = np.zeros(n, dtype="int8")
    if n == 0:
        return result, status
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        values, beyond = _within_microseconds(values)
        missing = values.isna().to_numpy() & ~beyond
        status[beyond] = TIME_UNPARSEABLE
        if values.dt.tz is not None:
            result = values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
        else:
            result, status = _localize(values, tz, missing, status)
        status[missing] = TIME_MISSING
        return result, status
    text = _text(values)
    missing = text.isna().to_numpy()
    status[missing] = TIME_MISSING
    present = ~missing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if format is not None:
            aware = "%z" in format or "%Z" in format
            by_arrow = None if aware else _strptime_by_arrow(text, format, present)
            if by_arrow is None:
                parsed = _to_datetime(text, format=format, utc=aware)
            else:
                parsed, done = by_arrow
                rest = present & ~done
                if rest.any():
                    parsed[rest] = _to_datetime(text[rest], format=format).to_numpy(
                        dtype="datetime64[us]")
            if aware:
                result = parsed.astype("datetime64[us, UTC]")
            else:
                result, status = _localize(parsed, tz, missing, status)
        else:
            todo = present
            if not dayfirst:  # the common ISO 8601 shapes, parsed by Arrow
                fast = _iso_by_arrow(text, tz, present)
                if fast is not None:
                    result, done, fast_status = fast
                    status[done] = fast_status[done]
                    todo = present & ~done
            has_offset = np.zeros(n, dtype=bool)
            if todo.any():
                rest = text[todo]
                has_offset[todo] = (rest.str.contains(_OFFSET, regex=True)  # noqa: E712
                                    == True).to_numpy()
            plain = todo & ~has_offset
            options = {"dayfirst": True} if dayfirst else {"format": "ISO8601"}
            if has_offset.any():
                result.loc[has_offset] = _to_datetime(
                    text[has_offset], utc=True, **options).astype("datetime64[us, UTC]")
            if plain.any():
                parsed = _to_datetime(text[plain], **options)
                local, sub = _localize(parsed, tz, np.zeros(int(plain.sum()), bool),
                                       np.zeros(int(plain.sum()), "int8"))
                result.loc[plain] = local
                status[plain] = sub
    unparsed = present & result.isna().to_numpy() & (status == TIME_OK)
    status[unparsed] = TIME_UNPARSEABLE
    return result, status


# -- helpers -------------------------------------------------------------------------------------
# ISO 8601 shapes Arrow parses exactly as pandas does (years 1700-2199, within pandas'
# nanosecond range; at most microseconds); anything else is parsed by pandas.
_ISO_DATE = "^(?:1[7-9]|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}"
_ISO_TIME = "[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?"
_ISO_AWARE = _ISO_DATE + _ISO_TIME + "(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
_ISO_PLAIN = _ISO_DATE + "(?:" + _ISO_TIME + ")?$"
_ISO_ANY = _ISO_DATE + "(?:" + _ISO_TIME + "(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
_NAT = np.iinfo(np.int64).min


def _iso_by_arrow(text: pd.Series, tz: str,
                  present: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray] | None:
    """Arrow-backed ISO 8601 text parsed by Arrow: times (UTC), which were parsed, status.

    Values with an offset are converted with it; values without are local time in
    ``tz`` (DST gaps and folds: status 3, by :func:`_localize`). A shape Arrow does not
    take, or a group Arrow refuses (a 30 February), is left for pandas (not done).
    None when the text is not Arrow-backed.
    """
    arrow = _arrow_text(text)
    if arrow is None or not present.any():
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    status = np.zeros(n, dtype="int8")
    fixed = parse_fixed_iso(arrow)
    if fixed is not None:  # one width and layout throughout: read from the bytes
        micros, aware, done = fixed
        if not aware and tz != "UTC":
            naive = pd.Series(micros[done].view("datetime64[us]"))
            local, sub = _localize(naive, tz, np.zeros(len(naive), bool),
                                   np.zeros(len(naive), "int8"))
            micros = micros.copy()  # Arrow's buffer is read-only
            micros[done] = local.dt.tz_localize(None).to_numpy().view("int64")
            status[done] = sub
        result = pd.Series(micros.view("datetime64[us]"), index=text.index).dt.tz_localize("UTC")
        return result, done, status
    micros = np.full(n, _NAT, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    if pc.all(pc.fill_null(pc.match_substring_regex(arrow, _ISO_ANY), False)).as_py():
        # every value present, in one of the shapes: one cast, if all have an offset or none
        for kind in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
            try:
                parsed = pc.cast(arrow, kind)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            values = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)
            if kind.tz is None and tz != "UTC":
                local, status = _localize(pd.Series(values.view("datetime64[us]")), tz,
                                          np.zeros(n, bool), status)
                values = local.dt.tz_localize(None).to_numpy().view("int64")
            result = pd.Series(values.view("datetime64[us]"),
                               index=text.index).dt.tz_localize("UTC")
            return result, np.ones(n, dtype=bool), status
    for pattern, kind in ((_ISO_AWARE, pa.timestamp("us", "UTC")), (_ISO_PLAIN,
                                                                     pa.timestamp("us"))):
        match = pc.fill_null(pc.match_substring_regex(arrow, pattern), False)
        mask = match.to_numpy(zero_copy_only=False) & ~done
        if not mask.any():
            continue
        try:
            parsed = pc.cast(pc.filter(arrow, pa.array(mask)), kind)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue  # pandas parses this group value by value
        values = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)
        if kind.tz is None and tz != "UTC":
            naive = pd.Series(values.view("datetime64[us]"))
            local, sub = _localize(naive, tz, np.zeros(len(values), bool),
                                   np.zeros(len(values), "int8"))
            values = local.dt.tz_localize(None).to_numpy().view("int64")
            status[mask] = sub
        micros[mask] = values
        done |= mask
    if not done.any():
        return None
    result = pd.Series(micros.view("datetime64[us]"), index=text.index).dt.tz_localize("UTC")
    return result, done, status


# strftime directives Arrow parses exactly as pandas does when every field has its full
# width (years 1700-2199, within pandas' nanosecond range)
_FIXED_FIELDS = {"Y": "(?:1[7-9]|2[01])[0-9]{2}", "m": "[0-9]{2}", "d": "[0-9]{2}",
                 "H": "[0-9]{2}", "M": "[0-9]{2}", "S": "[0-9]{2}"}


def _format_shape(format: str) -> tuple[str, int | None] | None:
    """A regular expression (RE2) for values of ``format`` written with full-width fields,
    and where the day of the month starts in such a value (None without ``%d``); None
    when the format has another directive."""
    parts = ["^"]
    at, width, day = 0, 0, None
    while at < len(format):
        char = format[at]
        if char == "%":
            directive = format[at + 1: at + 2]
            if directive == "%":
                parts.append("[%]")
                width += 1
            elif directive in _FIXED_FIELDS:
                parts.append(_FIXED_FIELDS[directive])
                if directive == "d":
                    day = width
                width += 4 if directive == "Y" else 2
            else:
                return None
            at += 2
            continue
        if not char.isascii():
            return None  # widths are counted in bytes below
        parts.append(char if char.isalnum() else "\\" + char if char in "\\]^" else
                     f"[{char}]")
        width += 1
        at += 1
    return "".join(parts) + "$", day


def _strptime_by_arrow(text: pd.Series, format: str,
                       present: np.ndarray) -> tuple[pd.Series, np.ndarray] | None:
    """Naive times of a format with fixed-width fields, parsed by Arrow; which were parsed.

    Only values in the format's full-width shape are taken; Arrow refuses a 25th hour
    or a 13th month, and a day beyond the month (31 February), which its ``strptime``
    rolls over into the next month, is found by its day changing. Those and anything
    else are left for pandas. None when the text is not Arrow-backed or the format has
    other directives.
    """
    arrow = _arrow_text(text)
    found = _format_shape(format)
    if arrow is None or found is None or not present.any():
        return None
    shape, day = found
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    match = pc.fill_null(pc.match_substring_regex(arrow, shape), False)
    parsed = pc.strptime(pc.if_else(match, arrow, pa.scalar(None, arrow.type)),
                         format=format, unit="s", error_is_null=True)
    ok = pc.is_valid(parsed)
    if day is not None:
        written = pc.if_else(ok, pc.utf8_slice_codeunits(arrow, day, day + 2),
                             pa.scalar("01", arrow.type))
        ok = pc.and_(ok, pc.equal(pc.day(parsed), pc.cast(written, pa.int64())))
    same = pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
    seconds = parsed.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    micros = np.where(same, seconds * 1_000_000, _NAT)
    return pd.Series(micros.view("datetime64[us]"), index=text.index), same


def _to_datetime(text: pd.Series, **options: object) -> pd.Series:
    try:
        parsed = pd.to_datetime(text, errors="coerce", **options)
    except (ValueError, TypeError):
        # mixed offsets without utc=True, or a format pandas rejects outright
        try:
            parsed = pd.to_datetime(text, errors="coerce", utc=True, **{
                k: v for k, v in options.items() if k != "utc"})
        except (ValueError, TypeError) as problem:
            raise InputError(f"timestamp format {options.get('format')!r} cannot be used: "
                             f"{_one_line(problem)}") from None
    return parsed


def _within_microseconds(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Times outside the years 1-9999 (a Parquet column can hold them; microseconds, and
    every date format procmine writes, cannot) become NaT.

    Returns the times and a mask of those beyond the range (rejected as unparseable,
    never a crash).
    """
    naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
    ints = naive.to_numpy().view("int64")
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}.get(
        getattr(values.dt, "unit", "us"), 1_000_000)
    seconds = np.floor_divide(ints, per_second)
    beyond = (ints != np.iinfo(np.int64).min) & (
        (seconds < _FIRST_SECOND) | (seconds > _LAST_SECOND))
    if beyond.any():
        values = values.mask(beyond)
    return values, beyond


def _datetime_text(values: pd.Series) -> np.ndarray:
    """Datetimes as ISO-like text even beyond the year 9999 (numpy formats every year);
    a missing time stays missing (None), as an empty cell of text does."""
    naive = values.dt.tz_localize(None) if values.dt.tz is not None else values
    times = naive.to_numpy()
    text = np.datetime_as_string(times, unit="s").astype(object)
    text[np.isnat(times)] = None
    return text


#: The first and last second procmine accepts (0001-01-01 to 9999-12-31), from the epoch.
_FIRST_SECOND = -62_135_596_800
_LAST_SECOND = 253_402_300_799


def _localize(parsed: pd.Series, tz: str, missing: np.ndarray,
              status: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Local wall time -> UTC; DST gaps and folds become NaT with status 3."""
    if parsed.dt.tz is not None:
        return parsed.dt.tz_convert("UTC").astype("datetime64[us, UTC]"), status
    if tz == "UTC":
        local = parsed.dt.tz_localize("UTC")
    else:
        local = parsed.dt.tz_localize(tz, nonexistent="NaT", ambiguous="NaT")
    gap = (parsed.notna() & local.isna()).to_numpy()
    status = status.copy()
    status[gap & ~missing] = TIME_LOCAL
    return local.dt.tz_convert("UTC").astype("datetime64[us, UTC]"), status


def _zone(name: str) -> str:
    if name.upper() == "UTC":
        return "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"unknown time zone {name!r}; use an IANA name such as "
                         "'Europe/Amsterdam', 'America/New_York' or 'UTC'") from None
    return name


#: pandas' text dtype backed by Arrow, missing as NaN (what read_csv(dtype=str) gives).
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)


def _arrow_text(values: pd.Series) -> Any:
    """The Arrow array behind Arrow-backed text, or None for any other dtype."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return values.array.__arrow_array__()
    return None


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped text; empty text is missing. Integral floats lose their '.0'."""
    arrow = _arrow_text(values)
    if arrow is not None:  # Arrow-backed text: strip in Arrow, and copy only if it changes
        import pyarrow as pa
        import pyarrow.compute as pc

        if _plain_edges(arrow, nulls=True):  # nothing to strip, no empty text
            return values
        trimmed = pc.utf8_trim_whitespace(arrow)
        length = pc.binary_length(trimmed)
        changed = pc.not_equal(length, pc.binary_length(arrow))
        empty = pc.equal(length, 0)
        if not (pc.any(changed).as_py() or pc.any(empty).as_py()):
            return values
        cleaned = pc.if_else(empty, pa.scalar(None, trimmed.type), trimmed)
        return pd.Series(pd.array(cleaned, dtype=TEXT_DTYPE), index=values.index)
    missing = values.isna().to_numpy()
    text = values.astype("str")
    if pd.api.types.is_float_dtype(values.dtype):
        # whole numbers a float holds exactly lose their '.0' (7.0 -> 7), value by value;
        # 1e30 or inf stay as written
        number = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(number) & (np.mod(number, 1) == 0) & (np.abs(number) < 2.0**53)
        if whole.any():
            text = text.mask(whole, pd.Series(number[whole].astype(np.int64).astype(str),
                                              index=values.index[whole]))
    if missing.any():
        text = text.mask(missing)
    text = text.str.strip()
    return text.mask(text == "")


def _truncate(values: pd.Series) -> pd.Series:
    return values.str.slice(0, _VALUE_CHARS)


def _hint(fix_hint: str) -> str:
    return f" {fix_hint}" if fix_hint else ""


def _check_columns(table: RawTable, mapping: ColumnMapping, fix_hint: str) -> None:
    present = table.columns
    missing = [(role, col) for role, col in mapping.columns().items() if col not in present]
    if missing:
        named = ", ".join(f"{col!r} (→ {role})" for role, col in missing)
        roles = [c for r, c in mapping.columns().items()
                 if r not in mapping.attributes and r not in mapping.items]
        if len(present) < 2 and not any(c in present for c in roles):
            # nothing expected is there and the first line is one field: not a recognised
            # extract (a wrong file, or another delimiter), so its content is not quoted
            raise InputError(
                f"{table.path}: column{'s' if len(missing) > 1 else ''} {named} not found; "
                "the first line is a single field, so this does not look like a table "
                f"extract: check the file and the delimiter{_hint(fix_hint)}"
            )
        raise InputError(
            f"{table.path}: column{'s' if len(missing) > 1 else ''} {named} not found; "
            f"columns present: {', '.join(map(repr, present)) or 'none'}; "
            f"map the roles to existing columns{_hint(fix_hint)}"
        )
    taken = (*CORE_COLUMNS, OBJECT_ID) if mapping.object_column else CORE_COLUMNS
    clash = [n for n in (*mapping.items, *mapping.attributes) if n in taken]
    both = set(mapping.items) & set(mapping.attributes)
    if clash or both:
        name = (clash or sorted(both))[0]
        raise InputError(f"{table.path}: item/attribute name {name!r} is already "
                         f"{'a canonical column' if clash else 'an item'}; rename it"
                         f"{_hint(fix_hint)}")


def _check_mostly_bad(bad: np.ndarray, present: np.ndarray, raw: pd.Series, rows: np.ndarray,
                      template: str) -> None:
    n_bad = int(bad.sum())
    if n_bad >= _FEW and n_bad > int(present.sum()) / 2:
        first = int(np.flatnonzero(bad)[0])
        raise InputError(template.format(n=n_bad, row=int(rows[first]),
                                         value=str(raw.iloc[first])[:_VALUE_CHARS]))


def _empty_rows(frame: pd.DataFrame, candidates: np.ndarray) -> np.ndarray:
    """Positions of rows whose every field is empty or blank text (checked on candidates only)."""
    at = np.flatnonzero(candidates)
    if not len(at) or not len(frame.columns):
        return at[:0]
    empty = np.ones(len(at), dtype=bool)
    for col in range(len(frame.columns)):
        values = frame.iloc[at, col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            empty &= values.isna().to_numpy()
        else:
            empty &= _text(values).isna().to_numpy()
        if not empty.any():
            break
    return at[empty]


def _normalize(pairs: pd.DataFrame, rule: tuple[str, str] | None, *,
               one_per_row: bool) -> pd.DataFrame:
    """Apply the id rewrite; one row per distinct (row, order), orders sorted within a row.

    The rule runs in RE2 (Arrow's ``replace_substring_regex``), in time linear
    in the ids; :func:`procmine.io.sources.parse_sources` checked it and gave
    the replacement in RE2's syntax.
    """
    ids = pairs[CASE_ID].astype("str")
    if rule is not None and len(ids):
        import pyarrow as pa
        import pyarrow.compute as pc

        pattern, replacement = rule
        text = _arrow_text(ids)
        if text is None:
            text = pa.array(ids.to_numpy(dtype=object), pa.string())
        try:
            rewritten = pc.replace_substring_regex(text, pattern=pattern,
                                                   replacement=replacement)
        except pa.ArrowInvalid as problem:
            raise InputError(f"normalize pattern {pattern!r} cannot be used "
                             f"({_one_line(problem)}); lookaround and backreferences are "
                             "not available (ids are matched in linear time, by RE2)") from None
        ids = pd.Series(pd.array(rewritten, dtype=TEXT_DTYPE), index=ids.index)
    out = pd.DataFrame({"pos": pairs["pos"].to_numpy(dtype="int64"),
                        CASE_ID: ids.reset_index(drop=True)})
    if one_per_row or not len(out):  # already one order per row, in row order
        return out
    # sorted by row, then order id (missing last), each (row, order) once: on codes
    codes, uniques = pd.factorize(out[CASE_ID], sort=True)
    codes = np.where(codes < 0, len(uniques), codes)
    pos = out["pos"].to_numpy()
    order = np.lexsort((codes, pos))
    pos, codes = pos[order], codes[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (pos[1:] != pos[:-1]) | (codes[1:] != codes[:-1])
    return out.take(order[first]).reset_index(drop=True)


class _Labels:
    """Per row, one of a few texts or none (a reject's reason, its column): small integer
    codes beside the texts, so that a million rows cost no million Python references."""

    def __init__(self, n: int) -> None:
        self._codes = np.zeros(n, dtype=np.int16)
        self._texts: list[str | None] = [None]

    def __setitem__(self, where: np.ndarray, text: str) -> None:
        if text not in self._texts:
            self._texts.append(text)
        self._codes[where] = self._texts.index(text)

    def __getitem__(self, where: np.ndarray) -> np.ndarray:
        """The texts at ``where`` (None where there is none), as an object array."""
        return np.array(self._texts, dtype=object)[self._codes[where]]

    def given(self, where: np.ndarray | None = None) -> np.ndarray:
        """Whether each row (of ``where``, default all) has a text."""
        codes = self._codes if where is None else self._codes[where]
        return codes != 0


class _Columns:
    """Each raw column as stripped text, computed once however many times it is taken."""

    def __init__(self, frame: pd.DataFrame, known: dict[str, pd.Series]) -> None:
        self._frame = frame
        self._text = dict(known)
        self.flags: dict[str, tuple[pd.Series, pd.Series]] = {}
        self.numbers: dict[str, pd.Series] = {}

    def text(self, col: str) -> pd.Series:
        if col not in self._text:
            self._text[col] = _text(self._frame[col])
        return self._text[col]


def _take(values: pd.Series, pos: np.ndarray) -> pd.Series:
    """``values.iloc[pos]`` with a fresh index; the values themselves when ``pos`` is all rows.

    Increasing positions (a table's rows, some rejected) of Arrow-backed text are a
    filter, which Arrow runs much faster than a gather.
    """
    n = len(values)
    # strictly increasing? (a sorted gather usually shows it in its first steps)
    head = pos[:65]
    increasing = bool(np.all(head[1:] > head[:-1])) and bool(np.all(pos[1:] > pos[:-1]))
    if len(pos) == n and (n == 0 or increasing):  # n increasing positions below n: all rows
        return values.reset_index(drop=True)
    arrow = _arrow_text(values)
    if arrow is not None and len(pos) and increasing:
        import pyarrow as pa

        keep = np.zeros(n, dtype=bool)
        keep[pos] = True
        return pd.Series(pd.array(arrow.filter(pa.array(keep)), dtype=TEXT_DTYPE))
    # the array's own take: iloc would also gather the index (a RangeIndex made into n
    # int64 labels), only to drop it again
    return pd.Series(values.array.take(pos), name=values.name)


def _duplicates(frame: pd.DataFrame, m: ColumnMapping, pos: np.ndarray, case: pd.Series,
                when: pd.Series, path: str, rows: np.ndarray, fix_hint: str, source: str,
                columns: _Columns, case_codes: np.ndarray,
                ties: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Events equal in every column but the id to an earlier one of this source.

    Returns, per event, whether it is such a duplicate and the event it repeats (the
    first of its group); None when there is none. Only events sharing order, activity
    and time with another can be duplicates: the full comparison runs on those alone.
    ``ties``, when given, are the events sharing order and time with another (found on
    the sorted events, :func:`_ties`): only they are looked at.
    """
    if len(pos) < 2:
        return None
    within = np.arange(len(pos)) if ties is None else ties
    if not len(within):
        return None
    activity = _take(columns.text(m.activity), pos[within])
    ts = _take(when, pos[within]).to_numpy(dtype="datetime64[us]").view("uint64")
    case_codes = case_codes[within].astype("uint64")  # equal ids, equal codes
    activity_codes = pd.factorize(activity)[0].astype("uint64")
    # one 64-bit key per event; equal events have equal keys (a collision only adds a
    # candidate, which the full comparison below clears)
    with np.errstate(over="ignore"):
        key = (case_codes * np.uint64(0x9E3779B97F4A7C15) + activity_codes) \
            * np.uint64(0xBF58476D1CE4E5B9) + ts
    at = within[np.flatnonzero(pd.Series(key).duplicated(keep=False).to_numpy())]
    if not len(at):
        return None
    try:
        sub, _ = _event_columns(frame, m, pos[at], case.iloc[at], when, path, rows, fix_hint,
                                source, columns)
    except InputError:
        return None  # the events themselves are refused, with the first bad row named
    subset = [c for c in sub.columns if c not in (SOURCE, EVENT_ID)]
    dup_sub = sub.duplicated(subset=subset, keep="first").to_numpy()
    if not dup_sub.any():
        return None
    group = sub.groupby(subset, dropna=False, sort=False, observed=True).ngroup().to_numpy()
    first_in_sub = pd.Series(np.arange(len(at))).groupby(group).transform("first").to_numpy()
    dup = np.zeros(len(pos), dtype=bool)
    dup[at] = dup_sub
    first_event = np.zeros(len(pos), dtype="int64")
    first_event[at] = at[first_in_sub]
    return dup, first_event


def _ties(case_codes: np.ndarray, ts: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """Events (in row order) sharing case and time with another, from the sorted order
    (``order``; None: the events are sorted already): one linear pass, no hash."""
    ranked = np.arange(len(ts)) if order is None else order
    c, t = case_codes[ranked], ts[ranked]
    same = (c[1:] == c[:-1]) & (t[1:] == t[:-1])
    tie = np.zeros(len(ts), dtype=bool)
    tie[1:] |= same
    tie[:-1] |= same
    return np.sort(ranked[tie])


def _event_columns(frame: pd.DataFrame, m: ColumnMapping, pos: np.ndarray, case: pd.Series,
                   when: pd.Series, path: str, rows: np.ndarray, fix_hint: str,
                   source: str, columns: _Columns) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    n = len(pos)
    found: dict[str, pd.Series] = {}

    def take(col: str) -> pd.Series:
        return _take(columns.text(col), pos)

    def actor(col: str, role: str) -> pd.Series:
        values, found[role] = drop_placeholders(take(col), m.missing_values)
        return values

    def const(value: object) -> pd.Series:  # repeat one value without n Python objects
        import pyarrow as pa

        text = None if pd.isna(value) else str(value)
        repeated = pa.repeat(pa.scalar(text, pa.large_string()), n)
        return pd.Series(pd.array(repeated, dtype=TEXT_DTYPE))

    # the columns every log has, each gathered on its own thread (Arrow's gathers and
    # placeholder checks release the GIL); the placeholders found are kept in role order
    def actor_found(col: str | None, role: str) -> tuple[pd.Series, pd.Series | None]:
        if not col:
            return const(np.nan), None
        return drop_placeholders(take(col), m.missing_values)

    (case_text, activity, timestamp, (resource, resource_found),
     (department, department_found), source_text) = side_by_side(
        lambda: case.reset_index(drop=True).astype("str"),
        lambda: take(m.activity),
        lambda: _take(when, pos),
        lambda: actor_found(m.resource, RESOURCE),
        lambda: actor_found(m.department_column, DEPARTMENT),
        lambda: const(source),
    )
    for role, placeholders in ((RESOURCE, resource_found), (DEPARTMENT, department_found)):
        if placeholders is not None:
            found[role] = placeholders
    out: dict[str, pd.Series] = {
        CASE_ID: case_text, ACTIVITY: activity, TIMESTAMP: timestamp, RESOURCE: resource,
    }
    if m.department_by_resource:
        lookup = {str(k): str(v) for k, v in m.department_by_resource.items()}
        department = department.fillna(out[RESOURCE].map(lookup))
    if m.department:
        department = department.fillna(m.department)
    out[DEPARTMENT] = department.astype("str")
    if m.party_column:
        party = actor(m.party_column, PARTY).str.lower()
        unknown = party.notna() & ~party.isin(PARTIES)
        if unknown.any():  # the first in row order (events may come in another order)
            candidates = np.flatnonzero(unknown.to_numpy())
            at = int(candidates[np.argmin(pos[candidates])])
            raise InputError(
                f"{path}: column {m.party_column!r} (→ party) has unknown value "
                f"{party.iloc[at]!r} at row {rows[pos[at]]}; expected one of "
                f"{', '.join(PARTIES)} (or a placeholder for missing such as 'N/A'; see "
                f"missing_values){_hint(fix_hint)}")
        if m.party:
            party = party.fillna(m.party)
        out[PARTY] = _parties(party.fillna("internal"))
    else:  # one party for every row: its code, repeated
        code = PARTIES.index(m.party or "internal")
        out[PARTY] = pd.Series(pd.Categorical.from_codes(np.full(n, code, dtype=np.int8),
                                                         dtype=PARTY_DTYPE))
    automated = pd.Series(_missing_flags(n))
    if m.automated_column:
        if m.automated_column not in columns.flags:
            columns.flags[m.automated_column] = _flags(frame[m.automated_column], m, path,
                                                       rows, fix_hint)
        flags, placeholders = columns.flags[m.automated_column]
        automated = _take(flags, pos)
        found[AUTOMATED] = _take(placeholders, pos)
    if m.automated_resources:
        system = out[RESOURCE].isin(set(m.automated_resources))
        by_resource = pd.Series(pd.array(system.to_numpy(), dtype="boolean"))
        by_resource[out[RESOURCE].isna().to_numpy()] = pd.NA
        automated = automated.fillna(by_resource)
    out[AUTOMATED] = automated
    if m.object_column:
        out[OBJECT_ID] = actor(m.object_column, OBJECT_ID)
    out[SOURCE] = source_text
    for name, col in {**m.items, **m.attributes}.items():
        values = frame[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            values = columns.text(col)
            if name in m.attributes:
                if col not in columns.numbers:
                    columns.numbers[col] = _numbers(values, m.decimal)
                values = columns.numbers[col]
        out[name] = _take(values, pos)
    return pd.DataFrame(out), {role: v.reset_index(drop=True) for role, v in found.items()}


def _parties(party: pd.Series) -> pd.Series:
    """Known party names (lower case, none missing) as the ``party`` categorical: codes
    found by Arrow for Arrow text (no Python object per value)."""
    arrow = _arrow_text(party)
    if arrow is None:
        return pd.Series(pd.Categorical(party, dtype=PARTY_DTYPE))
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = pc.index_in(arrow, value_set=pa.array(PARTIES, arrow.type))
    values = codes.to_numpy(zero_copy_only=False) if isinstance(codes, pa.Array) else \
        codes.combine_chunks().to_numpy(zero_copy_only=False)
    return pd.Series(pd.Categorical.from_codes(values.astype(np.int8), dtype=PARTY_DTYPE))


def _missing_flags(n: int) -> pd.arrays.BooleanArray:
    """``n`` missing booleans, without ``n`` Python objects."""
    return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))


def _numbers(text: pd.Series, decimal: str) -> pd.Series:
    """A text column of plain numbers as floats; anything else unchanged."""
    present = text.dropna()
    if present.empty:
        return text
    mark = "[.]" if decimal == "." else "[" + decimal + "]"
    pattern = "^[+-]?(?:0|[1-9][0-9]*)(?:" + mark + "[0-9]+)?$"
    if not present.str.match(pattern).all():
        return text
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    return text.astype("float64")


def _flags(values: pd.Series, m: ColumnMapping, path: str, rows: np.ndarray,
           fix_hint: str) -> tuple[pd.Series, pd.Series]:
    """The automated column as booleans (missing: NA), and the placeholders found in it."""
    col = m.automated_column
    if pd.api.types.is_bool_dtype(values.dtype):
        flags = values.astype("boolean").reset_index(drop=True)
        return flags, pd.Series(np.full(len(flags), None, dtype=object))
    text, found = drop_placeholders(_text(values).reset_index(drop=True), m.missing_values)
    if m.automated_values is not None:
        system = {str(v).strip().lower() for v in m.automated_values}
        lower = text.str.lower()
        result = pd.Series(pd.array(lower.isin(system).to_numpy(), dtype="boolean"))
        result[lower.isna().to_numpy()] = pd.NA
        return result, found
    text = text.str.lower()
    result = pd.Series(_missing_flags(len(text)))
    yes, no = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
    result[yes] = True
    result[no] = False
    unknown = text.notna().to_numpy() & ~yes & ~no
    if unknown.any():
        at = int(np.flatnonzero(unknown)[0])
        shown = str(values.iloc[at]).strip()
        raise InputError(f"{path}: column {col!r} (→ automated) has value {shown!r} "
                         f"at row {rows[at]}; expected true/false, yes/no or 1/0, or name the "
                         "values that mean automated with automated_values (on the command "
                         f"line --automated-values V,V){_hint(fix_hint)}")
    return result, found


def _event_ids(frame: pd.DataFrame, m: ColumnMapping, source: str, rows: np.ndarray,
               pos: np.ndarray, multi: np.ndarray, k: np.ndarray, path: str) -> pd.Series:
    import pyarrow as pa
    import pyarrow.compute as pc

    row_text = pc.cast(pa.array(rows[pos]), pa.large_string())
    prefix = pa.scalar(source + ":", pa.large_string())
    ids = pd.Series(pd.array(pc.binary_join_element_wise(prefix, row_text,
                                                         pa.scalar("", pa.large_string())),
                             dtype=TEXT_DTYPE))
    if m.event_id is not None:
        own = _text(frame[m.event_id]).iloc[pos].reset_index(drop=True)
        repeated = own.notna() & own.duplicated(keep=False) & ~pd.Series(multi)
        if repeated.any():
            at = int(np.flatnonzero(repeated.to_numpy())[0])
            raise InputError(
                f"{path}: column {m.event_id!r} (→ event_id) repeats value {own.iloc[at]!r} "
                f"(row {rows[pos[at]]} and another); event ids must be unique: remove the "
                "event_id mapping or fix the extract")
        ids = own.fillna(ids)
    if multi.any():
        suffix = ":" + pd.Series(k).astype("str")
        ids = ids.where(~multi, ids + suffix)
    return ids.astype("str").reset_index(drop=True)
