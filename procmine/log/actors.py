"""Who did an event (its actor at a level), and where work changes hands: one definition each.

Every table, map, projection, KPI and report that speaks of an event's actor or of
a handoff calls these functions; nothing else computes either.

- The **actor** of an event at level ``resource`` is its resource, at ``source``
  the extract it came from, at ``party`` its party (internal, customer, supplier,
  carrier). At ``department`` it is its department or, when it has none and its
  party is an outside one (customer, supplier, carrier), that party: a customer
  placing an order on the web shop is the actor "customer" beside "Sales" and
  "Warehouse". An event with no actor at a level (no resource; an internal event
  without a department) is skipped at that level.
- A **handoff** is two events of one case, consecutive among the events that have
  an actor, whose actors differ (the handover-of-work relation of van der Aalst,
  Reijers & Song, 2005, with direct succession only).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Final, Literal, TypeVar, cast, get_args

import numpy as np
import pandas as pd

from procmine._check import check_choice
from procmine.schema import (
    ACTIVITY,
    CASE_ID,
    DEPARTMENT,
    EVENT_ID,
    PARTY,
    RESOURCE,
    SOURCE,
    TIMESTAMP,
)

__all__ = [
    "ACTOR_LEVELS",
    "LEVELS",
    "ActorLevel",
    "Level",
    "LogArrays",
    "actor",
    "actor_codes",
    "case_codes",
    "handoff_positions",
    "handoff_targets",
    "log_arrays",
    "value_codes",
]

#: Levels at which handoffs are counted.
Level = Literal["resource", "department", "party"]
LEVELS: Final[tuple[str, ...]] = get_args(Level)
#: Levels at which an actor can be read (re-entry also reads the source system).
ActorLevel = Literal["resource", "department", "party", "source"]
ACTOR_LEVELS: Final[tuple[str, ...]] = get_args(ActorLevel)

_OUTSIDE: Final = ("customer", "supplier", "carrier")
T = TypeVar("T")


def _strings(values: pd.Series) -> pd.Series:
    """``values`` as ``str`` dtype, without a copy when they already are."""
    if isinstance(values.dtype, pd.StringDtype):
        return values
    return values.astype("str")


def _outside(events: pd.DataFrame, at: np.ndarray | None = None) -> np.ndarray:
    """True where an event's party is an outside one (customer, supplier, carrier);
    of the events at positions ``at`` only, when given."""
    party = events[PARTY]
    if isinstance(party.dtype, pd.CategoricalDtype):
        outside = np.flatnonzero(np.isin(np.asarray(party.cat.categories, dtype=object),
                                         _OUTSIDE))
        codes = party.cat.codes.to_numpy()
        if at is not None:
            codes = codes[at]
        found = np.zeros(len(codes), dtype=bool)
        for code in outside.tolist():  # at most three: a comparison each, no gather
            found |= codes == code
        return found
    if at is not None:
        party = party.iloc[at]
    return party.astype("str").isin(_OUTSIDE).to_numpy(dtype=bool)


def _arrow(values: pd.Series) -> object | None:
    """The Arrow (chunked) array behind an Arrow-backed string column, else ``None``."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return None
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    try:
        return pa.chunked_array(pa.array(values.array))
    except (TypeError, ValueError, pa.ArrowException):  # pragma: no cover - not Arrow
        return None


def value_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` (-1 where missing) and the values they stand for.

    The same as :func:`pandas.factorize` (codes in order of first appearance), by
    Arrow's dictionary encoding when the column is Arrow-backed text (several
    times faster on a million strings), else by :func:`pandas.factorize`.

    Examples
    --------
    >>> codes, names = value_codes(pd.Series(["b", None, "a", "b"], dtype="str"))
    >>> codes.tolist(), names.tolist()
    ([0, -1, 1, 0], ['b', 'a'])
    """
    chunked = _arrow(values)
    if chunked is not None:
        import pyarrow as pa

        encoded = chunked.dictionary_encode()  # type: ignore[attr-defined]
        if encoded.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        if encoded.num_chunks > 1:
            encoded = encoded.unify_dictionaries()
        indices = pa.chunked_array([c.indices for c in encoded.chunks])
        if indices.null_count:
            indices = indices.fill_null(-1)
        codes = indices.to_numpy().astype(np.int64)
        names = encoded.chunks[0].dictionary.to_numpy(zero_copy_only=False)
        return codes, np.asarray(names, dtype=object)
    codes, names = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(names, dtype=object)


def actor(events: pd.DataFrame, level: str) -> pd.Series:
    """The actor of every event at ``level`` (``str`` dtype, missing when none).

    Parameters
    ----------
    events : pandas.DataFrame
        Canonical events (``EventLog.events``).
    level : {"resource", "department", "party", "source"}

    Returns
    -------
    pandas.Series
        Same index as ``events``.

    Raises
    ------
    UsageError
        ``level`` is not one of :data:`ACTOR_LEVELS`.

    Examples
    --------
    >>> f = pd.DataFrame({"department": ["Sales", None, None],
    ...                   "party": ["internal", "customer", "internal"]})
    >>> actor(f, "department").tolist()
    ['Sales', 'customer', nan]
    """
    check_choice(level, ACTOR_LEVELS, option="level")
    if level == "department":
        department = _strings(events[DEPARTMENT])
        fill = department.isna().to_numpy() & _outside(events)
        if not fill.any():
            return department
        return department.mask(fill, _strings(events[PARTY]))
    column = {"resource": RESOURCE, "party": PARTY, "source": SOURCE}[level]
    return _strings(events[column])


def actor_codes(events: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of :func:`actor` (-1 where missing) and the actor names they stand for.

    Computed without building the actor strings: the department's codes, then one
    code per outside party for the outside events without a department.

    Examples
    --------
    >>> f = pd.DataFrame({"department": ["Sales", None, "Sales"],
    ...                   "party": ["internal", "supplier", "internal"]})
    >>> codes, names = actor_codes(f, "department")
    >>> codes.tolist(), names.tolist()
    ([0, 1, 0], ['Sales', 'supplier'])
    """
    check_choice(level, ACTOR_LEVELS, option="level")
    if level != "department":
        column = {"resource": RESOURCE, "party": PARTY, "source": SOURCE}[level]
        codes, names = value_codes(events[column])
        return codes, names.astype(str)
    codes, names = value_codes(events[DEPARTMENT])
    return _department_actors(events, codes, names.astype(str))


def _department_actors(events: pd.DataFrame, codes: np.ndarray, names: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Department-level actor codes from the department's codes (copied when changed)."""
    missing = np.flatnonzero(codes < 0)
    fill = missing[_outside(events, missing)]  # outside events without a department
    if len(fill):
        codes = codes.copy()
        # the outside events' parties, numbered in order of first appearance
        party_of, party_names = log_arrays(events).codes(PARTY)
        seen, first = np.unique(party_of[fill], return_index=True)
        by_first = np.argsort(first, kind="stable")
        rank = np.empty(len(seen), dtype=np.int64)
        rank[by_first] = np.arange(len(seen))
        party_codes = rank[np.searchsorted(seen, party_of[fill])]
        parties = np.asarray(party_names, dtype=object)[seen[by_first]].astype(str)
        known = {n: i for i, n in enumerate(names.tolist())}
        extra = [p for p in parties.tolist() if p not in known]
        lookup = np.array([known.get(p, len(names) + extra.index(p) if p in extra else -1)
                           for p in parties.tolist()], dtype=np.int64)
        codes[fill] = lookup[party_codes]
        names = np.concatenate([names, np.asarray(extra, dtype=object).astype(str)])
    return codes, names


def case_codes(events: pd.DataFrame) -> np.ndarray:
    """Case codes 0, 1, ... increasing in log order (a canonical log is ordered by case).

    Examples
    --------
    >>> case_codes(pd.DataFrame({"case_id": ["b", "b", "a"]})).tolist()
    [0, 0, 1]
    """
    cases = events[CASE_ID]
    return _codes_of_changes(_case_changes(cases), len(cases))


def _case_changes(cases: pd.Series) -> np.ndarray:
    """True where an event's case id differs from its predecessor's (length ``n - 1``).

    A comparison of neighbours (the log is ordered by case): no hashing, no sort; on
    Arrow-backed text, Arrow compares the strings.
    """
    if len(cases) < 2:
        return np.zeros(0, dtype=bool)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pa = None
    if pa is not None:
        try:
            values = pa.array(cases.array)
            change = pc.not_equal(values[1:], values[:-1]).to_numpy(zero_copy_only=False)
        except (TypeError, ValueError, pa.ArrowException):  # not Arrow-backed
            pass
        else:
            return np.asarray(change, dtype=bool)
    ids = cases.to_numpy(dtype=object)
    return np.asarray(ids[1:] != ids[:-1], dtype=bool)


def _codes_of_changes(change: np.ndarray, n: int) -> np.ndarray:
    """Case codes of ``n`` events from their :func:`_case_changes`: 0, then a running
    count of the changes."""
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    codes = np.empty(n, dtype=np.int64)
    codes[0] = 0
    np.cumsum(change, dtype=np.int64, out=codes[1:])
    return codes


def handoff_positions(
    cases: np.ndarray, actors: np.ndarray, *, keep: np.ndarray | None = None,
    same: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the source and target event of every handoff, in log order.

    This is the one handoff counter: the handoff table, the maps' handoff edges,
    the projection's before/after figures and the KPIs all come from it.

    Parameters
    ----------
    cases : numpy.ndarray
        Case code of every event (:func:`case_codes`), events in log order.
    actors : numpy.ndarray
        Actor code of every event (:func:`actor_codes`), -1 for none.
    keep : numpy.ndarray of bool, optional, keyword-only
        Only these events take part (the others are skipped like events without
        an actor).
    same : numpy.ndarray of bool, optional, keyword-only
        ``cases[1:] == cases[:-1]`` when the caller has it already
        (:attr:`LogArrays.same_case`); computed when needed otherwise.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Positions of each handoff's source and target event.

    Examples
    --------
    >>> cases = np.array([0, 0, 0, 0, 1])
    >>> actors = np.array([0, -1, 1, 1, 0])
    >>> [p.tolist() for p in handoff_positions(cases, actors)]
    [[0], [2]]
    """
    at, hand = _handoff_pairs(cases, actors, keep=keep, same=same)
    if at is None:
        source = np.flatnonzero(hand)
        return source, source + 1
    return at[:-1][hand], at[1:][hand]


def handoff_targets(
    cases: np.ndarray, actors: np.ndarray, *, keep: np.ndarray | None = None,
    same: np.ndarray | None = None,
) -> np.ndarray:
    """True for every event that is the target of a handoff: the events at
    :func:`handoff_positions`' target positions, as a mask (no positions made).

    Parameters as for :func:`handoff_positions`.

    Examples
    --------
    >>> cases = np.array([0, 0, 0, 0, 1])
    >>> actors = np.array([0, -1, 1, 1, 0])
    >>> handoff_targets(cases, actors).tolist()
    [False, False, True, False, False]
    """
    at, hand = _handoff_pairs(cases, actors, keep=keep, same=same)
    target = np.zeros(len(cases), dtype=bool)
    if at is None:
        target[1:] = hand
    else:
        target[at[1:][hand]] = True
    return target


def _handoff_pairs(
    cases: np.ndarray, actors: np.ndarray, *, keep: np.ndarray | None,
    same: np.ndarray | None,
) -> tuple[np.ndarray | None, np.ndarray]:
    """The handoff relation itself: ``(at, hand)``, where ``at`` are the positions of
    the events that take part (``None`` when all do) and ``hand[i]`` says that the
    ``i``-th and ``i + 1``-th of them are a handoff (same case, actors differ)."""
    known = actors >= 0
    if keep is not None:
        known &= keep
    if known.all():  # every event has an actor: neighbours, no compaction
        hand = actors[1:] != actors[:-1]
        hand &= (cases[1:] == cases[:-1]) if same is None else same
        return None, hand
    at = np.flatnonzero(known)
    c = cases[at]
    a = actors[at]
    return at, (c[1:] == c[:-1]) & (a[1:] != a[:-1])


class LogArrays:
    """The integer arrays of a canonical log that every kernel starts from, computed once.

    Built by :func:`log_arrays`, which keeps one per events frame for as long as
    the frame lives, so the map, the handoffs, rework and the KPIs of one log
    encode its case ids, activities, times and actors once between them. Each
    array is computed on first use. A canonical log's events are never changed
    in place (every filter returns a new log), which is what makes keeping them
    safe.
    """

    def __init__(self, events: pd.DataFrame) -> None:
        self._events = weakref.ref(events)
        self.n = len(events)
        self.columns = tuple(events.columns)
        self._actors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._memo: dict[object, object] = {}

    @property
    def events(self) -> pd.DataFrame:
        """The events these arrays describe."""
        events = self._events()
        if events is None:  # pragma: no cover - the caller holds the frame
            raise ReferenceError("the events frame of these arrays is gone")
        return events

    @functools.cached_property
    def _case_change(self) -> np.ndarray:
        """True where an event's case differs from its predecessor's (length ``n - 1``)."""
        return _read_only(_case_changes(self.events[CASE_ID]))

    @functools.cached_property
    def case(self) -> np.ndarray:
        """:func:`case_codes` of the events."""
        return _read_only(_codes_of_changes(self._case_change, self.n))

    @functools.cached_property
    def same_case(self) -> np.ndarray:
        """True where an event's successor is of the same case (length ``n - 1``)."""
        return _read_only(~self._case_change)

    @functools.cached_property
    def case_starts(self) -> np.ndarray:
        """Position of the first event of each case (case code ``c`` starts at ``[c]``)."""
        if not self.n:
            return np.zeros(0, dtype=np.int64)
        change = self._case_change
        starts = np.empty(int(np.count_nonzero(change)) + 1, dtype=np.int64)
        starts[0] = 0
        starts[1:] = np.flatnonzero(change)
        starts[1:] += 1
        return _read_only(starts)

    @functools.cached_property
    def activity_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """:func:`value_codes` of the activities: codes and names."""
        return self.codes(ACTIVITY)

    @functools.cached_property
    def micros(self) -> np.ndarray:
        """Timestamps as int64 microseconds since the epoch."""
        return _read_only(self.events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64"))

    def codes(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes (-1 where missing) and values of a column (kept per column).

        :func:`value_codes`, or a categorical column's own codes and categories.
        """
        if column not in self._columns:
            values = self.events[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                self._columns[column] = _read_only((
                    values.cat.codes.to_numpy().astype(np.int64),
                    np.asarray(values.cat.categories.astype("str"), dtype=object)))
            else:
                self._columns[column] = _read_only(value_codes(values))
        return self._columns[column]

    @functools.cached_property
    def event_index(self) -> pd.Index:
        """The event ids as an index: ``event_index.get_indexer(ids)`` gives positions."""
        return pd.Index(self.events[EVENT_ID])

    def memo(self, key: object, compute: Callable[[pd.DataFrame], T]) -> T:
        """``compute(events)``, computed once per ``key`` for these events.

        For arrays a higher layer derives from the events alone (automation flags,
        the working time of every timestamp under one calendar): ``key`` must name
        everything the result depends on besides the events.
        """
        if key not in self._memo:
            self._memo[key] = _read_only(compute(self.events))
        return cast(T, self._memo[key])

    def seed(self, key: object, value: T) -> None:
        """Record ``value`` as :meth:`memo` of ``key``, for a caller that derived it exactly
        from another log's arrays (the projected log's planned dates from the as-is
        log's, in the projected order). Nothing is replaced once computed."""
        if key not in self._memo:
            self._memo[key] = _read_only(value)

    def memo_of(self, owner: object, key: object, compute: Callable[[pd.DataFrame], T]) -> T:
        """``compute(events)`` for another object ``owner`` of these events (a result
        table drawn from them), kept per ``key`` for as long as ``owner`` lives.

        ``owner`` is told apart by identity, so ``key`` and ``compute`` must depend
        on nothing else that changes.
        """
        slot = ("of", key, id(owner))
        entry = cast("tuple[weakref.ref[object], T] | None", self._memo.get(slot))
        if entry is not None and entry[0]() is owner:
            return entry[1]
        value = _read_only(compute(self.events))
        self._memo[slot] = (weakref.ref(owner), value)
        return value

    def actors(self, level: str) -> tuple[np.ndarray, np.ndarray]:
        """:func:`actor_codes` at ``level`` (kept per level)."""
        if level not in self._actors:
            check_choice(level, ACTOR_LEVELS, option="level")
            if level == "department":
                codes, names = self.codes(DEPARTMENT)
                found = _department_actors(self.events, codes, names.astype(str))
            else:
                codes, names = self.codes({"resource": RESOURCE, "party": PARTY,
                                           "source": SOURCE}[level])
                found = (codes, names.astype(str))
            self._actors[level] = _read_only(found)
        return self._actors[level]


def _read_only(value: T) -> T:
    """Arrays shared between kernels are frozen, so no kernel changes another's input."""
    for array in value if isinstance(value, tuple) else (value,):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return value


_ARRAYS: dict[int, LogArrays] = {}


def log_arrays(events: pd.DataFrame) -> LogArrays:
    """The :class:`LogArrays` of ``events``: the same object for as long as the frame lives.

    Examples
    --------
    >>> f = pd.DataFrame({"case_id": ["b", "b", "a"], "activity": ["x", "y", "x"],
    ...                   "timestamp": pd.to_datetime([1, 2, 3], unit="s", utc=True)})
    >>> arrays = log_arrays(f)
    >>> arrays.case.tolist(), arrays.activity_codes[0].tolist(), arrays is log_arrays(f)
    ([0, 0, 1], [0, 1, 0], True)
    """
    key = id(events)
    arrays = _ARRAYS.get(key)
    if (arrays is not None and arrays.n == len(events)
            and arrays.columns == tuple(events.columns) and arrays._events() is events):
        return arrays
    arrays = LogArrays(events)
    _ARRAYS[key] = arrays
    weakref.finalize(events, _ARRAYS.pop, key, None)
    return arrays
