"""Handoffs: where work passes between resources, departments or parties, and what it costs.

A *handoff* is a pair of consecutive events of one case whose actor differs at the
chosen level (the handover-of-work relation of van der Aalst, Reijers & Song, 2005,
with beta = 0, i.e. direct succession only). Events without an actor at that level
are skipped, so a handoff links the nearest known actors before and after. The actor
and the counter are defined once, in :mod:`procmine.log.actors`: at department level
an outside party's event without a department counts as that party.

Everything here is vectorised with numpy/pandas: no Python loop over events or cases.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from procmine._check import check_choice, check_names
from procmine._display import repr_html
from procmine._parallel import side_by_side
from procmine.analysis.costs import CostModel, automated_flags
from procmine.analysis.reentry import item_key_codes
from procmine.errors import UsageError
from procmine.log._groups import distinct_per_group, group_quantile, group_starts, sort_within
from procmine.log._require import require_log
from procmine.log.actors import (
    LEVELS,
    Level,
    LogArrays,
    handoff_positions,
    log_arrays,
)
from procmine.log.eventlog import EventLog
from procmine.schema import ACTIVITY, CASE_ID, EVENT_ID

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEPENDENCY_THRESHOLD",
    "EVENT_COLUMNS",
    "LEVELS",
    "TABLE_COLUMNS",
    "HandoffPrices",
    "Handoffs",
    "Level",
    "automated_flags",
    "concurrent_activities",
    "graph_measures",
    "handoff_events",
    "handoff_prices",
    "handoffs",
    "planned_times",
]

#: Columns of :func:`handoff_events`, one row per handoff.
EVENT_COLUMNS: Final = (
    "case_id", "source", "target", "wait_s", "queue_s", "lead_s", "source_event_id",
    "target_event_id", "source_activity", "target_activity", "concurrent", "pingpong",
    "system",
)
#: Columns of :attr:`Handoffs.table`, one row per edge (source actor -> target actor).
TABLE_COLUMNS: Final = (
    "source", "target", "count", "cases", "mean_wait_s", "median_wait_s", "p90_wait_s",
    "cost", "queue_wait_s", "lead_time_s", "system_count", "causal_count", "pingpong",
    "per_case",
)

Pairs = Iterable[tuple[str, str]]
#: Up to this many possible pairs, pairs are counted in a dense array instead of hashed.
_DENSE_LIMIT: Final = 4_000_000


#: Heuristics-miner dependency threshold: a succession a→b is causal when
#: ``dependency(a, b) >= DEPENDENCY_THRESHOLD`` (ProM's Heuristics Miner default).
DEPENDENCY_THRESHOLD: Final = 0.9


def _follows(cases: np.ndarray, activity_codes: np.ndarray, n: int,
             same: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Directly-follows activity pairs ``a * n + b`` that occur, and how often.

    Dense (few enough pairs): every two neighbours get their pair code, neighbours
    of two cases the code ``n * n``, which is not counted (nothing is compacted).
    """
    same = cases[1:] == cases[:-1] if same is None else same
    if n * n <= _DENSE_LIMIT:
        pairs = np.multiply(activity_codes[:-1], n, dtype=np.intp)
        pairs += activity_codes[1:]
        pairs[~same] = n * n
        counts = np.bincount(pairs, minlength=n * n + 1)[: n * n]
        follows = np.flatnonzero(counts)
        return follows, counts[follows]
    pairs = activity_codes[:-1][same].astype(np.int64)
    pairs *= n
    pairs += activity_codes[1:][same]
    return np.unique(pairs, return_counts=True)


def _concurrent_codes(cases: np.ndarray, activity_codes: np.ndarray, n: int,
                      threshold: float = DEPENDENCY_THRESHOLD, *,
                      counted: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Pair codes ``a * n + b`` of activities the dependency measure calls concurrent.

    Both successions occur (``a > b`` and ``b > a``) and neither is a dependency:
    ``|dependency(a, b)| < threshold`` with ``dependency(a, b) = (|a>b| - |b>a|) /
    (|a>b| + |b>a| + 1)`` (Weijters & van der Aalst's heuristics miner).
    """
    follows, count_of = _follows(cases, activity_codes, n) if counted is None else counted
    first, second = np.divmod(follows, n)
    reverse = second * n + first
    at = np.searchsorted(follows, reverse)
    at = np.minimum(at, max(len(follows) - 1, 0))
    both = (follows[at] == reverse) & (first != second) if len(follows) else np.zeros(0, bool)
    forward = count_of.astype(float)
    backward = np.where(both, count_of[at], 0).astype(float)
    dependency = (forward - backward) / (forward + backward + 1.0)
    return follows[both & (np.abs(dependency) < threshold)]


def _log_follows(arrays: LogArrays) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_follows` of a whole log, kept with its arrays."""
    codes, names = arrays.activity_codes
    n = max(len(names), 1)
    return arrays.memo(("follows",), lambda _: _follows(arrays.case, codes, n,
                                                         arrays.same_case))


@dataclass(frozen=True, eq=False)
class _Raw:
    """Handoffs as positions and codes (the fast form shared by the public functions)."""

    events: pd.DataFrame
    level: str
    source_pos: np.ndarray
    target_pos: np.ndarray
    cases: np.ndarray  # case code per handoff
    source_actor: np.ndarray  # actor code per handoff
    target_actor: np.ndarray
    actor_names: np.ndarray
    wait_us: np.ndarray  # int64 microseconds
    concurrent: np.ndarray
    pingpong: np.ndarray
    prices: HandoffPrices


@dataclass(frozen=True, eq=False)
class HandoffPrices:
    """What each handoff's wait is, priced as :class:`CostModel` says (one row per handoff).

    ``system``: both events automated (system to system: counted, no coordination
    cost); ``queue_s``: priced queue time (working hours, after the planned date,
    capped: :meth:`CostModel.queue_seconds`); ``lead_s``: lead time until the
    order's planned date (shown, never priced).
    """

    system: np.ndarray
    queue_s: np.ndarray
    lead_s: np.ndarray

    def cost(self, costs: CostModel) -> np.ndarray:
        """Cost of each handoff: coordination (unless system) plus its queue time."""
        return np.asarray(costs.handoff_price((~self.system).astype(float))
                          + costs.waiting_price(self.queue_s), dtype=float)


_NO_DATE: Final = np.iinfo(np.int64).min


def planned_times(events: pd.DataFrame, costs: CostModel) -> np.ndarray | None:
    """The order's planned date in force at each event (µs since the epoch), or ``None``.

    The first of :attr:`CostModel.planned_dates` the log carries (an information
    item or attribute with at least one value), read as a date (as re-entry reads a
    ``date`` item) and carried forward within the order from the event that
    entered it; ``INT64_MIN`` before it is known.
    """
    return log_arrays(events).memo(("planned", tuple(costs.planned_dates)),
                                   lambda frame: _planned_times(frame, costs))


def own_planned_times(events: pd.DataFrame, costs: CostModel) -> np.ndarray | None:
    """The planned date each event enters itself (µs since the epoch, ``INT64_MIN``
    where none), or ``None``: :func:`planned_times` before it is carried forward."""
    return log_arrays(events).memo(("planned own", tuple(costs.planned_dates)),
                                   lambda frame: _own_planned_times(frame, costs))


def _planned_times(events: pd.DataFrame, costs: CostModel) -> np.ndarray | None:
    own = own_planned_times(events, costs)
    if own is None:
        return None
    entered = own != _NO_DATE
    n = len(own)
    latest = np.maximum.accumulate(np.where(entered, np.arange(n), -1))
    arrays = log_arrays(events)
    in_case = latest >= arrays.case_starts[arrays.case]  # entered earlier in the same order
    return np.where(in_case, own[np.maximum(latest, 0)], _NO_DATE)


def _own_planned_times(events: pd.DataFrame, costs: CostModel) -> np.ndarray | None:
    for name in costs.planned_dates:
        if name not in events.columns or not events[name].notna().any():
            continue
        # each distinct key read once (normalize_values's keys, as codes)
        codes, texts = item_key_codes(events, name, "date")
        keys = pd.Series(texts, dtype="str")
        text = keys.str.removeprefix("date:")
        dates = pd.to_datetime(text.where(keys.str.startswith("date:")), errors="coerce",
                               utc=True, format="%Y-%m-%dT%H:%M:%S")
        if dates.notna().sum() == 0:
            continue
        per_key = dates.to_numpy(dtype="datetime64[us]").view("int64").copy()
        per_key[dates.isna().to_numpy()] = _NO_DATE
        return np.r_[per_key, _NO_DATE][codes]
    return None


def handoff_prices(source_pos: np.ndarray, target_pos: np.ndarray, *, micros: np.ndarray,
                   automated: np.ndarray, planned: np.ndarray | None, costs: CostModel,
                   working: np.ndarray | None = None) -> HandoffPrices:
    """Price the handoffs at these positions: the one definition the handoff table, the
    projection and the candidates share (see :class:`HandoffPrices`). ``working`` is
    the working time of ``micros`` when the caller has it (:func:`working_seconds`)."""
    at_source = None if planned is None else planned[source_pos]
    return HandoffPrices(
        system=automated[source_pos] & automated[target_pos],
        queue_s=costs.queue_between(micros, source_pos, target_pos, planned_us=at_source,
                                    working=working),
        lead_s=costs.lead_seconds(micros[source_pos], micros[target_pos], at_source),
    )


def _raw(log: EventLog, level: str, concurrent: Pairs | None,
         threshold: float = DEPENDENCY_THRESHOLD, costs: CostModel | None = None) -> _Raw:
    check_choice(level, LEVELS, option="level")
    costs = CostModel.default() if costs is None else costs
    events = log.events
    arrays = log_arrays(events)
    # the per-event arrays below, each from its own column, computed side by side (each
    # is kept with the log for the other analyses)
    (cases, (actors, actor_names), (activity_codes, activity_names), working) = side_by_side(
        lambda: arrays.case, lambda: arrays.actors(level), lambda: arrays.activity_codes,
        lambda: working_seconds(events, costs))
    source_pos, target_pos = handoff_positions(cases, actors)
    n = max(len(activity_names), 1)
    if concurrent is None:
        parallel = _concurrent_codes(cases, activity_codes, n, threshold,
                                     counted=_log_follows(arrays))
    else:
        parallel = _override_codes(concurrent, np.asarray(activity_names, dtype=object), n)
    is_parallel = np.zeros(n * n, dtype=bool)
    is_parallel[parallel] = True
    pair = activity_codes[source_pos] * n
    pair += activity_codes[target_pos]
    micros = arrays.micros
    src_actor = actors[source_pos]
    tgt_actor = actors[target_pos]
    handoff_case = cases[source_pos]
    pingpong = np.zeros(len(source_pos), dtype=bool)
    pingpong[:-1] = (handoff_case[1:] == handoff_case[:-1]) & (tgt_actor[1:] == src_actor[:-1])
    return _Raw(
        events=events, level=level, source_pos=source_pos, target_pos=target_pos,
        cases=handoff_case, source_actor=src_actor, target_actor=tgt_actor,
        actor_names=actor_names,
        wait_us=micros[target_pos] - micros[source_pos],
        concurrent=is_parallel[pair], pingpong=pingpong,
        prices=handoff_prices(source_pos, target_pos, micros=micros,
                              automated=automated_flags(events),
                              planned=planned_times(events, costs), costs=costs,
                              working=working),
    )


def working_seconds(events: pd.DataFrame, costs: CostModel) -> np.ndarray:
    """:meth:`Calendar.working_seconds` of every event's time, kept per log and calendar."""
    arrays = log_arrays(events)
    return arrays.memo(("working", costs.calendar),
                       lambda _: costs.calendar.working_seconds(arrays.micros))


def concurrent_activities(log: EventLog, *, dependency_threshold: float = DEPENDENCY_THRESHOLD
                          ) -> frozenset[tuple[str, str]]:
    """Pairs of activities that run concurrently, robust to noise.

    Decided by the heuristics miner's frequency-aware dependency measure, not by
    the alpha algorithm's raw footprint (where one noisy reversal among thousands
    makes a pair parallel): with ``|a>b|`` the number of times ``b`` directly
    follows ``a`` in a case,

        dependency(a, b) = (|a>b| - |b>a|) / (|a>b| + |b>a| + 1)

    and ``a || b`` when both successions occur and ``|dependency(a, b)|`` stays
    below ``dependency_threshold`` (neither order dominates). A pair followed
    28,000 times one way and once the other (dependency 0.9999) is causal; a real
    parallel split where both orders are common (500 and 480: 0.02) is concurrent;
    19 to 1 (0.86) counts as concurrent at the default 0.9, as in ProM. Both
    orientations of a pair are returned.

    Parameters
    ----------
    log : EventLog
    dependency_threshold : float, keyword-only
        In (0, 1]; default :data:`DEPENDENCY_THRESHOLD` (0.9).

    Returns
    -------
    frozenset of (str, str)

    References
    ----------
    A. J. M. M. Weijters, W. M. P. van der Aalst (2003). Rediscovering workflow
    models from event-based data using Little Thumb. Integrated Computer-Aided
    Engineering 10(2), 151-162. A. J. M. M. Weijters, J. T. S. Ribeiro (2011).
    Flexible Heuristics Miner (FHM). IEEE CIDM.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["1", "1", "1", "2", "2", "2"],
    ...     "activity": ["a", "b", "c", "a", "c", "b"],
    ...     "timestamp": pd.to_datetime([1, 2, 3, 1, 2, 3], unit="h", utc=True)})
    >>> sorted(concurrent_activities(EventLog.from_frame(f)))
    [('b', 'c'), ('c', 'b')]
    """
    events = require_log(log, where="concurrent_activities").events
    _check_threshold(dependency_threshold)
    arrays = log_arrays(events)
    codes, names = arrays.activity_codes
    n = max(len(names), 1)
    first, second = np.divmod(
        _concurrent_codes(arrays.case, codes, n, dependency_threshold,
                          counted=_log_follows(arrays)), n)
    names = np.asarray(names, dtype=object)
    return frozenset(zip(names[first].tolist(), names[second].tolist(), strict=True))


def _check_threshold(threshold: float) -> None:
    if not 0.0 < float(threshold) <= 1.0:
        raise UsageError(f"dependency_threshold must be in (0, 1], got {threshold!r}.")


def _override_codes(pairs: Pairs, names: np.ndarray, n: int) -> np.ndarray:
    """Pair codes of user-given concurrent pairs, both orientations.

    A name that is no activity of the log raises (with the close matches).
    """
    index = {name: i for i, name in enumerate(names.tolist())}
    codes = []
    pairs = list(pairs)
    for pair in pairs:
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise UsageError(
                f"concurrent= expects pairs of activity names, got {pair!r}; "
                "pass e.g. {('Pick', 'Invoice')}."
            ) from None
        check_names([a, b], index, what="activity", where="concurrent=")
        codes += [index[a] * n + index[b], index[b] * n + index[a]]
    return np.asarray(codes, dtype=np.int64)


# -- public API --------------------------------------------------------------------------
def handoff_events(
    log: EventLog, *, level: Level = "department", concurrent: Pairs | None = None
) -> pd.DataFrame:
    """One row per handoff: which case, from which actor to which, and the wait.

    Parameters
    ----------
    log : EventLog
    level : {"resource", "department", "party"}, keyword-only
        Which column is the actor. Events with no value there are skipped.
    concurrent : iterable of (str, str), optional, keyword-only
        Pairs of activities to treat as concurrent (either order), replacing
        the ones derived by :func:`concurrent_activities`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EVENT_COLUMNS`, in log order (case, then time):
        ``case_id``, ``source``, ``target`` (actors), ``wait_s`` (seconds between
        the two events), ``source_event_id``, ``target_event_id``,
        ``source_activity``, ``target_activity``, ``concurrent`` (the two
        activities are concurrent, so the succession is not causal) and
        ``pingpong`` (the next handoff of the case goes straight back:
        A→B followed by B→A; counted on A→B).

    Raises
    ------
    UsageError
        ``level`` is not one of :data:`LEVELS`.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["o1"] * 4,
    ...     "activity": ["Enter", "Check credit", "Fix", "Release"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-01 10:30", "2024-01-01 12:00"], utc=True),
    ...     "department": ["Sales", "Credit", None, "Sales"]})
    >>> handoff_events(EventLog.from_frame(f))[["source", "target", "wait_s", "pingpong"]]
       source  target  wait_s  pingpong
    0   Sales  Credit  3600.0      True
    1  Credit   Sales  7200.0     False
    """
    return _events_frame(_raw(require_log(log, where="handoff_events"), level, concurrent))


def _events_frame(raw: _Raw) -> pd.DataFrame:
    events = raw.events

    def take(name: str, pos: np.ndarray) -> pd.Series:
        return events[name].take(pos).reset_index(drop=True).astype("str")

    return pd.DataFrame({
        "case_id": take(CASE_ID, raw.source_pos),
        "source": pd.Series(raw.actor_names[raw.source_actor], dtype="str"),
        "target": pd.Series(raw.actor_names[raw.target_actor], dtype="str"),
        "wait_s": raw.wait_us / 1e6,
        "queue_s": raw.prices.queue_s,
        "lead_s": raw.prices.lead_s,
        "source_event_id": take(EVENT_ID, raw.source_pos),
        "target_event_id": take(EVENT_ID, raw.target_pos),
        "source_activity": take(ACTIVITY, raw.source_pos),
        "target_activity": take(ACTIVITY, raw.target_pos),
        "concurrent": raw.concurrent,
        "pingpong": raw.pingpong,
        "system": raw.prices.system,
    })


def _edge_table(raw: _Raw, costs: CostModel) -> pd.DataFrame:
    """Aggregate handoffs to one row per (source, target) edge, all in numpy."""
    n_actors = max(len(raw.actor_names), 1)
    edge = raw.source_actor * n_actors
    edge += raw.target_actor
    if n_actors * n_actors <= _DENSE_LIMIT:
        edges = np.flatnonzero(np.bincount(edge, minlength=n_actors * n_actors))
        lookup = np.zeros(n_actors * n_actors, dtype=np.int64)
        lookup[edges] = np.arange(len(edges))
        edge_id = lookup[edge]
    else:
        edge_id, edges = pd.factorize(edge)
    n_edges = len(edges)

    def flagged(flags: np.ndarray) -> np.ndarray:  # handoffs per edge with a flag set
        return np.bincount(edge_id[flags], minlength=n_edges)

    count = np.bincount(edge_id, minlength=n_edges)
    total_wait = np.bincount(edge_id, weights=raw.wait_us, minlength=n_edges) / 1e6
    causal = count - flagged(raw.concurrent)
    pingpong = flagged(raw.pingpong)
    cases = distinct_per_group(edge_id, raw.cases, n_edges)
    waits_us = sort_within(edge_id, raw.wait_us, n_edges)
    starts = group_starts(count)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame({
            "source": pd.Series(raw.actor_names[edges // n_actors], dtype="str"),
            "target": pd.Series(raw.actor_names[edges % n_actors], dtype="str"),
            "count": count.astype(np.int64),
            "cases": cases.astype(np.int64),
            "mean_wait_s": total_wait / count,
            "median_wait_s": group_quantile(waits_us, starts, count, 0.5, divisor=1e6),
            "p90_wait_s": group_quantile(waits_us, starts, count, 0.9, divisor=1e6),
            "cost": np.bincount(edge_id, weights=raw.prices.cost(costs), minlength=n_edges),
            "queue_wait_s": np.bincount(edge_id, weights=raw.prices.queue_s,
                                        minlength=n_edges),
            "lead_time_s": np.bincount(edge_id, weights=raw.prices.lead_s, minlength=n_edges),
            "system_count": flagged(raw.prices.system).astype(np.int64),
            "causal_count": causal.astype(np.int64),
            "pingpong": pingpong.astype(np.int64),
            "per_case": count / cases,
        })
    table = table.sort_values(
        ["cost", "source", "target"], ascending=[False, True, True], kind="stable"
    )
    return table[list(TABLE_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Handoffs:
    """Handoffs of a log at one level: edge table, the handoffs themselves, and a graph.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per edge, columns :data:`TABLE_COLUMNS`, sorted by cost
        (descending), then source, target.
    events : pandas.DataFrame
        One row per handoff (see :func:`handoff_events`).
    graph : networkx.DiGraph
        Actors as nodes, one edge per table row, the table's columns as edge attributes.

    Notes
    -----
    ``events`` and ``graph`` are built on first access, then kept: many uses need
    only the table, and on a million events the per-handoff strings and a graph of
    thousands of resource pairs each cost about as much as the aggregation itself.
    level : str
        ``"resource"``, ``"department"`` or ``"party"``.
    """

    table: pd.DataFrame
    level: str
    _raw: _Raw = field(repr=False)

    @functools.cached_property
    def events(self) -> pd.DataFrame:
        """One row per handoff, columns :data:`EVENT_COLUMNS` (see :func:`handoff_events`)."""
        return _events_frame(self._raw)

    @functools.cached_property
    def graph(self) -> nx.DiGraph:
        """Actors as nodes, one edge per table row with the table's columns as attributes."""
        return _graph(self.table, self.level)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``table`` (edges) and ``events`` (one row per handoff)."""
        return {"table": self.table, "events": self.events}

    @property
    def count(self) -> int:
        """Total number of handoffs."""
        return len(self._raw.source_pos)

    @property
    def wait_s(self) -> float:
        """Total wait over all handoffs, in seconds (elapsed)."""
        return float(self._raw.wait_us.sum()) / 1e6

    @property
    def queue_s(self) -> float:
        """Total priced queue time over all handoffs, in seconds (CostModel.queue_seconds)."""
        return float(self._raw.prices.queue_s.sum())

    @property
    def lead_s(self) -> float:
        """Total lead time until the orders' planned dates over all handoffs (unpriced), s."""
        return float(self._raw.prices.lead_s.sum())

    @property
    def system_count(self) -> int:
        """Handoffs between two automated actors (system to system)."""
        return int(self._raw.prices.system.sum())

    @property
    def causal_count(self) -> int:
        """Handoffs whose two activities are not concurrent."""
        return int((~self._raw.concurrent).sum())

    @property
    def pingpong(self) -> int:
        """Total ping-pongs (A→B immediately followed by B→A in the same case)."""
        return int(self._raw.pingpong.sum())

    @property
    def cost(self) -> float:
        """Total cost over all edges."""
        return float(self.table["cost"].sum())

    def __repr__(self) -> str:
        return (
            f"Handoffs(level={self.level!r}: {self.count} handoffs on {len(self.table)} edges, "
            f"{self.causal_count} causal, {self.pingpong} ping-pong, cost {self.cost:,.2f})"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def handoffs(
    log: EventLog,
    *,
    level: Level = "department",
    costs: CostModel | None = None,
    concurrent: Pairs | None = None,
    dependency_threshold: float = DEPENDENCY_THRESHOLD,
) -> Handoffs:
    """Count, time and price the handoffs between actors of a log.

    Parameters
    ----------
    log : EventLog
    level : {"resource", "department", "party"}, keyword-only
        Who the actor is (see :func:`procmine.log.actors.actor`); events without
        one are skipped.
    costs : CostModel, optional, keyword-only
        Prices each edge with :meth:`CostModel.handoff_cost_of` (its count and
        total wait). Default: :meth:`CostModel.default` (``procmine/data/costs.toml``).
    concurrent : iterable of (str, str), optional, keyword-only
        Activity pairs to treat as concurrent instead of those derived from the
        log (see :func:`concurrent_activities`).
    dependency_threshold : float, keyword-only
        The heuristics-miner dependency from which a succession is causal
        (:func:`concurrent_activities`); default 0.9.

    Returns
    -------
    Handoffs
        ``table`` columns: ``source``, ``target``, ``count`` (handoffs),
        ``cases`` (cases with at least one), ``mean_wait_s``, ``median_wait_s``,
        ``p90_wait_s`` (linear interpolation, as ``numpy.percentile``), ``cost``,
        ``causal_count`` (handoffs whose activities are not concurrent by the
        heuristics miner's dependency measure, see :func:`concurrent_activities`),
        ``pingpong`` (A→B followed directly by B→A, counted on A→B) and
        ``per_case`` (``count / cases``).

    Raises
    ------
    UsageError
        ``level`` is not one of :data:`LEVELS`; ``concurrent`` names an activity
        the log does not have; ``log`` is not an EventLog.

    References
    ----------
    W. M. P. van der Aalst, H. A. Reijers, M. Song (2005). Discovering social
    networks from event logs. Computer Supported Cooperative Work 14(6), 549–593.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["o1", "o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter", "Pick", "Invoice", "Enter", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 11:00",
    ...         "2024-01-02 09:00", "2024-01-01 10:00", "2024-01-01 11:00"], utc=True),
    ...     "department": ["Sales", "Warehouse", "Billing", "Sales", "Warehouse"]})
    >>> h = handoffs(EventLog.from_frame(f))
    >>> h.table[["source", "target", "count", "cases", "median_wait_s"]]
          source     target  count  cases  median_wait_s
    0      Sales  Warehouse      2      2         5400.0
    1  Warehouse    Billing      1      1        79200.0
    >>> h.graph["Sales"]["Warehouse"]["count"]
    2
    """
    log = require_log(log, where="handoffs")
    costs = CostModel.default() if costs is None else costs
    _check_threshold(dependency_threshold)
    raw = _raw(log, level, concurrent, dependency_threshold, costs)
    table = _edge_table(raw, costs)
    return Handoffs(table=table, level=level, _raw=raw)


def _graph(table: pd.DataFrame, level: str) -> nx.DiGraph:
    """The edge table as a DiGraph: actors as nodes, the table's columns as edge attributes."""
    import networkx as nx

    source = table["source"].to_numpy(dtype=object)
    target = table["target"].to_numpy(dtype=object)
    graph = nx.DiGraph(level=level)
    graph.add_nodes_from(sorted(set(source) | set(target)))
    attrs = [c for c in TABLE_COLUMNS if c not in ("source", "target")]
    values = [table[c].to_numpy().tolist() for c in attrs]
    graph.add_edges_from(
        (s, t, dict(zip(attrs, row, strict=True)))
        for s, t, *row in zip(source.tolist(), target.tolist(), *values, strict=True)
    )
    return graph


def _cycles_through(graph: nx.DiGraph, nodes: list, max_length: int) -> np.ndarray:
    """Number of simple directed cycles of length 2 .. ``max_length`` through each node.

    Up to length 3 by matrix algebra (A has no self-loops, so the closed walks of
    length 2 and 3 from a node are exactly its 2- and 3-cycles: diag(A @ A) and
    diag(A @ A @ A)); longer ones by enumerating with networkx.
    """
    import networkx as nx

    if max_length <= 3 and len(nodes) <= 4000:
        a = nx.to_numpy_array(graph, nodelist=nodes, weight=None, dtype=np.int64)
        np.fill_diagonal(a, 0)
        a2 = a @ a
        counts = np.diagonal(a2).copy()
        if max_length == 3:
            counts += np.einsum("ij,ji->i", a2, a)
        return counts.astype(np.int64)
    index = {v: i for i, v in enumerate(nodes)}
    counts = np.zeros(len(nodes), dtype=np.int64)
    for cycle in nx.simple_cycles(graph, length_bound=max_length):
        if len(cycle) >= 2:
            counts[[index[v] for v in cycle]] += 1
    return counts


def graph_measures(handoffs: Handoffs, *, max_cycle_length: int = 3) -> pd.DataFrame:
    """Per actor: how much work flows in and out, and how central it is.

    Parameters
    ----------
    handoffs : Handoffs
    max_cycle_length : int, keyword-only
        Longest simple cycle counted (2 = ping-pong pairs only). Bounded because
        the number of cycles grows very fast with their length.

    Returns
    -------
    pandas.DataFrame
        One row per actor, sorted by ``betweenness`` then ``pagerank``
        (descending), then actor: ``actor``; ``in_count`` / ``out_count``
        (handoffs received / passed on: degree weighted by count);
        ``in_degree`` / ``out_degree`` (distinct actors); ``betweenness``
        (normalised betweenness centrality, distance of an edge = 1 / count,
        so busy edges are short); ``pagerank`` (weighted by count);
        ``cycles`` (simple cycles of length 2 .. ``max_cycle_length`` through
        the actor: loops that work goes round); ``pingpong`` (ping-pongs on
        the actor's outgoing edges).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"case_id": ["o1"] * 4,
    ...     "activity": ["Enter", "Check", "Fix", "Pick"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...                                  "2024-01-01 11:00", "2024-01-01 12:00"], utc=True),
    ...     "department": ["Sales", "Credit", "Sales", "Warehouse"]})
    >>> m = graph_measures(handoffs(EventLog.from_frame(f)))
    >>> m[["actor", "in_count", "out_count", "cycles"]]
           actor  in_count  out_count  cycles
    0      Sales         1          2       1
    1     Credit         1          1       1
    2  Warehouse         1          0       0
    """
    import networkx as nx

    if max_cycle_length < 2:
        raise UsageError(f"max_cycle_length must be at least 2, got {max_cycle_length}.")
    graph = handoffs.graph
    nodes = list(graph.nodes)
    columns = ["actor", "in_count", "out_count", "in_degree", "out_degree", "betweenness",
               "pagerank", "cycles", "pingpong"]
    if not nodes:
        frame = pd.DataFrame({c: pd.Series([], dtype="float64") for c in columns})
        return frame.astype({"actor": "str", "in_count": "int64", "out_count": "int64",
                             "in_degree": "int64", "out_degree": "int64", "cycles": "int64",
                             "pingpong": "int64"})
    distance = nx.DiGraph()
    distance.add_nodes_from(nodes)
    distance.add_edges_from((s, t, {"d": 1.0 / a["count"]}) for s, t, a in graph.edges(data=True))
    betweenness = nx.betweenness_centrality(distance, weight="d", normalized=True)
    pagerank = nx.pagerank(graph, weight="count") if graph.number_of_edges() else {
        v: 1.0 / len(nodes) for v in nodes}
    on_cycles = _cycles_through(graph, nodes, max_cycle_length)
    frame = pd.DataFrame({
        "actor": pd.Series(nodes, dtype="str"),
        "in_count": [int(graph.in_degree(v, weight="count")) for v in nodes],
        "out_count": [int(graph.out_degree(v, weight="count")) for v in nodes],
        "in_degree": [int(graph.in_degree(v)) for v in nodes],
        "out_degree": [int(graph.out_degree(v)) for v in nodes],
        "betweenness": [betweenness[v] for v in nodes],
        "pagerank": [pagerank[v] for v in nodes],
        "cycles": on_cycles,
        "pingpong": [int(graph.out_degree(v, weight="pingpong")) for v in nodes],
    })
    frame = frame.sort_values(["betweenness", "pagerank", "actor"],
                              ascending=[False, False, True], kind="stable")
    return frame.reset_index(drop=True)
