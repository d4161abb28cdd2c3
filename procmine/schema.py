"""The canonical event-log schema and the one entry point that validates it."""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from procmine.errors import InputError

__all__ = [
    "ACTIVITY",
    "AUTOMATED",
    "CASE_ID",
    "CORE_COLUMNS",
    "DEPARTMENT",
    "EVENT_ID",
    "OBJECT_ID",
    "PARTIES",
    "PARTY",
    "PARTY_DTYPE",
    "REJECT_COLUMNS",
    "REQUIRED_COLUMNS",
    "RESOURCE",
    "SEQ",
    "SOURCE",
    "TIMESTAMP",
    "Party",
    "canonical_order",
    "empty_events",
    "empty_rejects",
    "stable_code_order",
    "validate_events",
]

CASE_ID: Final = "case_id"
ACTIVITY: Final = "activity"
TIMESTAMP: Final = "timestamp"
RESOURCE: Final = "resource"
DEPARTMENT: Final = "department"
PARTY: Final = "party"
AUTOMATED: Final = "automated"
SOURCE: Final = "source"
EVENT_ID: Final = "event_id"
#: Input order (int64): sources in sources-file order, then rows in file order. The last
#: key of every sort of events (case, timestamp, seq), so ties never depend on an engine.
SEQ: Final = "seq"
#: Optional column: the sub-object of the order an event is about (a delivery, a package,
#: an order line), when the data carries one (a declared ``object_column``, or an OCEL
#: event's related objects of the order's sub-object types). Doing a step again for
#: another sub-object is neither rework nor re-entry. Missing: the order itself.
OBJECT_ID: Final = "object_id"

#: The canonical columns, in the order a validated log carries them.
CORE_COLUMNS: Final = (
    CASE_ID,
    ACTIVITY,
    TIMESTAMP,
    RESOURCE,
    DEPARTMENT,
    PARTY,
    AUTOMATED,
    SOURCE,
    EVENT_ID,
    SEQ,
)
#: Columns without which a frame is not an event log.
REQUIRED_COLUMNS: Final = (CASE_ID, ACTIVITY, TIMESTAMP)

Party = Literal["internal", "customer", "supplier", "carrier"]
#: Who an actor belongs to; the categories of the ``party`` column.
PARTIES: Final[tuple[str, ...]] = get_args(Party)

_STRING_COLUMNS: Final = (CASE_ID, ACTIVITY, RESOURCE, DEPARTMENT, SOURCE, EVENT_ID)
PARTY_DTYPE: Final = pd.CategoricalDtype(list(PARTIES))

#: Columns of a rejects table: which source, which row (1-based, the header
#: being row 1, as a spreadsheet shows it), why, and in which column.
REJECT_COLUMNS: Final = ("source", "row", "reason", "column", "value")


def empty_rejects() -> pd.DataFrame:
    """Return an empty rejects table with the canonical columns.

    Examples
    --------
    >>> list(empty_rejects().columns)
    ['source', 'row', 'reason', 'column', 'value']
    """
    return pd.DataFrame(
        {
            "source": pd.Series([], dtype="str"),
            "row": pd.Series([], dtype="int64"),
            "reason": pd.Series([], dtype="str"),
            "column": pd.Series([], dtype="str"),
            "value": pd.Series([], dtype="str"),
        }
    )


def empty_events() -> pd.DataFrame:
    """Return a validated event log with no events.

    Examples
    --------
    >>> empty_events().shape
    (0, 10)
    """
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in REQUIRED_COLUMNS})
    frame[TIMESTAMP] = pd.Series([], dtype="datetime64[us, UTC]")
    return validate_events(frame)


def validate_events(events: pd.DataFrame, *, source: str = "log",
                    ids_unique: bool = False) -> pd.DataFrame:
    """Check a frame against the canonical schema; return a clean, sorted copy.

    This is the single validation entry point: everything below it trusts its
    output. The input is never modified.

    - ``case_id``, ``activity`` and ``timestamp`` are required; ``timestamp``
      must already be datetimes (tz-aware, converted to UTC; naive values are
      taken as UTC).
    - Missing optional columns are added: ``resource`` and ``department``
      empty, ``party`` ``"internal"``, ``automated`` missing, ``source`` the
      given name, ``event_id`` ``"<source>:<position>"``, ``seq`` the
      position (the input order).
    - ``seq``, when given, must be unique integers (a filtered or projected
      log keeps its own).
    - Events are ordered by ``case_id``, then ``timestamp``, then ``seq``:
      the canonical order, whatever the engine.
    - Further columns are kept after the canonical ones, sorted by name.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event, with at least the required columns.
    source : str, keyword-only
        Name used in messages and to fill a missing ``source`` column.
    ids_unique : bool, keyword-only
        The caller built ``event_id`` so that no two are equal (from row numbers, as
        :func:`procmine.io.mapping.map_table` does): the repeat check is skipped. Ids
        this function makes itself (no ``event_id`` column) are never checked.

    Returns
    -------
    pandas.DataFrame
        A new frame with the canonical columns and dtypes, index 0..n-1.

    Raises
    ------
    InputError
        A required column is missing, a required value is empty, a timestamp
        is not a datetime, a party is not one of :data:`PARTIES`, or
        ``event_id`` repeats.

    Examples
    --------
    >>> raw = pd.DataFrame({
    ...     "case_id": ["o2", "o1", "o1"],
    ...     "activity": ["Pick", "Enter order", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-01"], utc=True),
    ... })
    >>> log = validate_events(raw, source="demo")
    >>> log[["case_id", "activity", "event_id", "seq"]].values.tolist()
    [['o1', 'Enter order', 'demo:1', 1], ['o1', 'Pick', 'demo:2', 2], ['o2', 'Pick', 'demo:0', 0]]
    >>> str(log["party"].iloc[0])
    'internal'
    """
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(events).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in events.columns]
    if missing:
        raise InputError(
            f"{source}: required column(s) {', '.join(repr(c) for c in missing)} missing; "
            f"columns present: {', '.join(map(repr, map(str, events.columns))) or 'none'}. "
            "Map your columns to case_id, activity and timestamp."
        )
    n = len(events)
    out: dict[str, pd.Series] = {}
    index = pd.RangeIndex(n)
    for column in _STRING_COLUMNS:
        if column in events.columns:
            out[column] = _as_string(events[column].reset_index(drop=True))
        else:
            out[column] = pd.Series(np.full(n, np.nan, dtype=object), index=index, dtype="str")
    if SOURCE not in events.columns:
        out[SOURCE] = pd.Series(np.full(n, source, dtype=object), index=index, dtype="str")
    if EVENT_ID not in events.columns:
        ids = pd.Series(np.arange(n), index=index).astype("str")
        out[EVENT_ID] = (source + ":" + ids).astype("str")
    for column in (CASE_ID, ACTIVITY):
        empty = _blank(out[column])
        if empty.any():
            first = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                f"{source}: column {column!r} has {int(empty.sum())} empty value(s), "
                f"first at position {first}; every event needs a {column}."
            )
    out[TIMESTAMP] = _as_utc(events[TIMESTAMP].reset_index(drop=True), source=source)
    out[PARTY] = _as_party(events, source=source, n=n)
    if AUTOMATED in events.columns:
        out[AUTOMATED] = events[AUTOMATED].reset_index(drop=True).astype("boolean")
    else:
        out[AUTOMATED] = pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool),
                                                           np.ones(n, dtype=bool)), index=index)
    out[SEQ] = _as_seq(events, source=source, n=n)
    given = EVENT_ID in events.columns and not ids_unique
    duplicated = _repeats(out[EVENT_ID]) if given else np.zeros(1, dtype=bool)
    if duplicated.any():
        first = out[EVENT_ID][duplicated].iloc[0]
        raise InputError(
            f"{source}: event_id must be unique; {int(duplicated.sum())} repeat(s), "
            f"first {first!r}."
        )
    extra = sorted(c for c in events.columns if c not in CORE_COLUMNS)
    # every column in one go: inserting extra columns one at a time is quadratic in a wide file
    columns: dict[str, object] = {c: out[c] for c in CORE_COLUMNS}
    columns.update({str(c): _attribute(events[c]) for c in extra})
    frame = pd.DataFrame(columns, index=index)
    return _stable_case_time_order(frame)


def _attribute(values: pd.Series) -> object:
    """A data attribute column as the log holds it: the column's values as a NumPy array,
    typed afresh (object text becomes ``str``, an all-missing text column ``object``).

    Text that is ``str`` already, and NumPy numbers, booleans and naive times, would come
    back with the same dtype and values: they are kept as they are (no round trip through
    Python objects).
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufM":
        return values.to_numpy()
    arrow: Any = _arrow(values)
    if (arrow is not None and isinstance(dtype, pd.StringDtype) and dtype.na_value is np.nan
            and values.notna().any()):
        import pyarrow as pa

        if arrow.type != pa.large_string():  # as the text dtype stores it
            arrow = arrow.cast(pa.large_string())
        return pd.array(arrow, dtype=dtype)
    return values.to_numpy()


def _stable_case_time_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Order by case, then time, then seq (the canonical order); unchanged when already so."""
    ts = frame[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    seq = frame[SEQ].to_numpy()
    if _sorted_text_order(frame[CASE_ID], ts, seq):
        return frame
    case_codes, _ = pd.factorize(frame[CASE_ID], sort=True)
    order = canonical_order(case_codes, ts, seq)
    if order is None:
        return frame
    return frame.take(order).reset_index(drop=True)


def _sorted_text_order(case: pd.Series, ts: np.ndarray, seq: np.ndarray) -> bool:
    """True when Arrow-backed case ids, with ``ts`` and ``seq``, are in the canonical order
    already (a loader's output): neighbours compared by Arrow, with no sort of the ids.
    False means "sort them" (or text that is not Arrow's). Text compares by code point,
    as the sort does."""
    dtype = case.dtype
    if len(case) < 2 or not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return False
    import pyarrow.compute as pc

    ids = case.array.__arrow_array__()
    if ids.null_count:
        return False
    before, after = ids[:-1], ids[1:]
    less = pc.less(before, after).to_numpy(zero_copy_only=False)
    same = pc.equal(before, after).to_numpy(zero_copy_only=False)
    later = (ts[1:] > ts[:-1]) | ((ts[1:] == ts[:-1]) & (seq[1:] > seq[:-1]))
    return bool(np.all(less | (same & later)))


def canonical_order(case_codes: np.ndarray, ts: np.ndarray, seq: np.ndarray) -> np.ndarray | None:
    """Positions that put events in the canonical order (case, timestamp, seq).

    ``case_codes`` must sort as the case ids do (``pd.factorize(..., sort=True)``);
    ``ts`` and ``seq`` are int64. Returns None when the events are in that order
    already (one linear check, no sort).

    Examples
    --------
    >>> canonical_order(np.array([1, 0, 0]), np.array([5, 7, 7]), np.array([0, 2, 1])).tolist()
    [2, 1, 0]
    >>> canonical_order(np.array([0, 0]), np.array([1, 2]), np.array([1, 0])) is None
    True
    """
    n = len(case_codes)
    if n > 1:
        c, t, s = case_codes, ts, seq
        later = (c[1:] > c[:-1]) | ((c[1:] == c[:-1]) & (
            (t[1:] > t[:-1]) | ((t[1:] == t[:-1]) & (s[1:] > s[:-1]))))
        if not later.all():
            return _merged_order(case_codes, ts, seq, runs=n - int(np.count_nonzero(later)))
    return None


def _merged_order(case_codes: np.ndarray, ts: np.ndarray, seq: np.ndarray, *,
                  runs: int) -> np.ndarray:
    """The canonical order of events that come in a few sorted runs (the sources of a log,
    each in the canonical order): one stable sort of a single (case, time) key, which
    merges the runs in linear time, when that key fits in 64 bits and ties come in
    ``seq`` order; else the sort of the three keys."""
    n = len(case_codes)
    if n and int(case_codes.min()) >= 0 and _in_time_order(ts, seq):
        return stable_code_order(case_codes)  # an extract written in time order: sort cases
    if runs <= max(16, n // 1024) and n:
        low, high = int(ts.min()), int(ts.max())
        span = high - low + 1
        cases = int(case_codes.max()) + 1
        if int(case_codes.min()) >= 0 and cases * span < 2**62:
            key = case_codes.astype(np.int64) * span + (ts - low)
            order = np.argsort(key, kind="stable")
            sorted_key, sorted_seq = key[order], seq[order]
            if not bool(np.any((sorted_key[1:] == sorted_key[:-1])
                               & (sorted_seq[1:] <= sorted_seq[:-1]))):
                return order
    return np.lexsort((seq, ts, case_codes))


def _in_time_order(ts: np.ndarray, seq: np.ndarray) -> bool:
    """True when the events come in (timestamp, seq) order, as a system's extract written
    in time order does: then a stable sort by case alone gives the canonical order."""
    return bool(np.all(seq[1:] > seq[:-1])) and bool(np.all(ts[1:] >= ts[:-1]))


def stable_code_order(codes: np.ndarray) -> np.ndarray:
    """The positions that sort non-negative integer codes, equal codes kept in their order.

    A least-significant-digit radix sort on 16-bit digits: numpy sorts a 16-bit array
    stably by counting (one linear pass), where a stable sort of wider integers is a
    merge sort. Two passes cover codes below 2**32 (four billion cases); the cost
    follows the number of codes and the digits of the largest, never their order.

    Examples
    --------
    >>> stable_code_order(np.array([70000, 3, 70000, 0, 3])).tolist()
    [3, 1, 4, 0, 2]
    """
    codes = np.asarray(codes)
    if not len(codes):
        return np.arange(0)
    top = int(codes.max())
    order = np.argsort((codes & 0xFFFF).astype(np.uint16), kind="stable")
    shift = 16
    while top >> shift:
        digit = ((codes[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
    return order


def _as_seq(events: pd.DataFrame, *, source: str, n: int) -> pd.Series:
    """The input order: the given ``seq`` (unique integers) or the position."""
    if SEQ not in events.columns:
        return pd.Series(np.arange(n, dtype="int64"))
    raw = events[SEQ].reset_index(drop=True)
    if not pd.api.types.is_integer_dtype(raw.dtype) or raw.isna().any():
        raise InputError(
            f"{source}: column 'seq' (the input order) must hold integers without missing "
            f"values, got {raw.dtype}; drop the column to number the events in input order.")
    values = raw.to_numpy(dtype="int64")
    if _distinct_ints(values):
        return pd.Series(values)
    repeated = pd.Series(values).duplicated()
    if repeated.any():
        raise InputError(
            f"{source}: column 'seq' (the input order) must be unique; "
            f"{int(repeated.sum())} repeat(s), first {int(values[repeated.to_numpy()][0])}; "
            "drop the column to number the events in input order.")
    return pd.Series(values)


def _distinct_ints(values: np.ndarray) -> bool:
    """True when the int64 values are all different, found by counting when they lie in a
    range not much wider than their number (a permutation of positions, sources' offsets);
    False means "look closer" (a hash of every value)."""
    n = len(values)
    if n < 2:
        return True
    low, high = int(values.min()), int(values.max())
    if high - low >= 4 * n + 1024:
        return False
    return int(np.bincount(values - low).max()) <= 1


def offset_width(arrow_type: Any) -> Any:
    """The numpy type of an Arrow text type's value offsets (``string``: int32,
    ``large_string``: int64), or None for a type that is not text.

    Examples
    --------
    >>> import pyarrow as pa
    >>> offset_width(pa.string()).__name__, offset_width(pa.int64())
    ('int32', None)
    """
    import pyarrow as pa

    if pa.types.is_large_string(arrow_type):
        return np.int64
    if pa.types.is_string(arrow_type):
        return np.int32
    return None


def _plain_edges(arrow: Any, *, last: bool = True, nulls: bool = False) -> bool:
    """True when Arrow text has no empty value (nor a missing one, unless ``nulls``), and
    every value present starts (and, with ``last``, ends) with a byte from ``!`` to ``~``:
    a whole printable ASCII character that is not whitespace (UTF-8 continuation bytes
    are 0x80 and above). Then no value is blank and stripping changes nothing. Read from
    the offsets and those bytes, no new text; False means "look closer".

    Examples
    --------
    >>> import pyarrow as pa
    >>> _plain_edges(pa.array(["a", "b c"])), _plain_edges(pa.array(["a ", "b"]))
    (True, False)
    >>> _plain_edges(pa.array(["a ", "b"]), last=False), _plain_edges(pa.array(["", "b"]))
    (True, False)
    >>> _plain_edges(pa.array(["a", None])), _plain_edges(pa.array(["a", None]), nulls=True)
    (False, True)
    """
    import pyarrow as pa

    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    for chunk in chunks:
        width = offset_width(chunk.type)
        if width is None:
            return False
        n = len(chunk)
        if n == 0 or (nulls and chunk.null_count == n):
            continue
        if chunk.null_count and not nulls:
            return False
        _, offsets_buffer, data_buffer = chunk.buffers()
        if data_buffer is None:
            return False
        offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset: chunk.offset + n + 1]
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            present = chunk.is_valid().to_numpy(zero_copy_only=False)
            starts, ends = starts[present], ends[present]
        if not bool(np.all(ends > starts)):
            return False
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        first = data[starts]
        if not bool(np.all((first > 0x20) & (first < 0x7F))):
            return False
        if last:
            final = data[ends - 1]
            if not bool(np.all((final > 0x20) & (final < 0x7F))):
                return False
    return True


def _arrow(values: pd.Series) -> object | None:
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return values.array.__arrow_array__()
    return None


def _blank(values: pd.Series) -> pd.Series:
    """True where text is missing, empty or only whitespace."""
    arrow = _arrow(values)
    if arrow is None:
        return values.isna() | (values.str.strip() == "")
    if _plain_edges(arrow, last=False):
        return pd.Series(np.zeros(len(values), dtype=bool), index=values.index)
    import pyarrow.compute as pc

    blank = pc.or_kleene(pc.equal(pc.binary_length(arrow), 0), pc.utf8_is_space(arrow))
    flags = pc.fill_null(blank, True).to_numpy(zero_copy_only=False)
    return pd.Series(flags, index=values.index)


def _repeats(values: pd.Series) -> pd.Series:
    """True where a value repeats an earlier one (Arrow counts the distinct values first:
    ids almost never repeat, and then no flags are built)."""
    arrow = _arrow(values)
    if arrow is not None:
        import pyarrow.compute as pc

        if len(pc.unique(arrow)) == len(values) and not values.isna().any():
            return pd.Series(np.zeros(len(values), dtype=bool), index=values.index)
    return values.duplicated()


def _as_string(values: pd.Series) -> pd.Series:
    """Strings with missing kept missing (never the text 'nan')."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.na_value is np.nan:
        return values.copy()
    mask = values.isna().to_numpy()
    result = values.astype("str")
    if mask.any():
        result = result.mask(mask)
    return result


def _as_utc(values: pd.Series, *, source: str) -> pd.Series:
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        raise InputError(
            f"{source}: column 'timestamp' must hold datetimes, got {values.dtype}; "
            "parse it first (the readers do this, with timestamp_format and timezone)."
        )
    if values.isna().any():
        first = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InputError(
            f"{source}: column 'timestamp' has {int(values.isna().sum())} missing value(s), "
            f"first at position {first}; every event needs a time."
        )
    if values.dt.tz is None:
        values = values.dt.tz_localize("UTC")
    return values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")


def _as_party(events: pd.DataFrame, *, source: str, n: int) -> pd.Series:
    if PARTY not in events.columns:
        code = PARTIES.index("internal")
        return pd.Series(pd.Categorical.from_codes(np.full(n, code, dtype=np.int8),
                                                   dtype=PARTY_DTYPE))
    raw = events[PARTY].reset_index(drop=True)
    if isinstance(raw.dtype, pd.CategoricalDtype) and raw.dtype == PARTY_DTYPE:
        if not raw.isna().any():
            return raw
    # normalise each distinct value once, then map the codes
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    text = _as_string(pd.Series(uniques, dtype=object)).str.strip().str.lower()
    text = text.fillna("internal")
    bad = ~text.isin(PARTIES)
    if bad.any():
        raise InputError(
            f"{source}: column 'party' has unknown value {text[bad].iloc[0]!r}; "
            f"expected one of {', '.join(PARTIES)}."
        )
    lookup = np.append(PARTY_DTYPE.categories.get_indexer(text), PARTIES.index("internal"))
    return pd.Series(pd.Categorical.from_codes(lookup[codes].astype(np.int8),
                                               dtype=PARTY_DTYPE))
