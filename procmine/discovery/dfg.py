"""Directly-follows process maps with frequency and performance, computed with pandas.

The counts agree with pm4py's ``discover_dfg`` (tested on public logs); the
computation is vectorised (a shift within each case) so it runs on millions of
events without pm4py. Which paths carry handoffs comes from the one handoff
counter, :func:`procmine.log.actors.handoff_positions`, at department level.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from procmine._display import repr_html
from procmine.discovery.simplify import (
    MAX_ACTIVITIES,
    default_path_coverage,
    select_activities,
    select_paths,
)
from procmine.log._groups import (
    distinct_per_group,
    group_median,
    group_quantile,
    group_starts,
    sort_within,
)
from procmine.log._require import require_log
from procmine.log.actors import handoff_targets, log_arrays
from procmine.schema import DEPARTMENT, PARTY

if TYPE_CHECKING:
    import networkx as nx

    from procmine.log import EventLog

__all__ = ["END", "START", "ProcessMap", "activity_counts", "process_map", "process_map_of"]

#: Names of the artificial start and end nodes in :attr:`ProcessMap.graph`.
START = "▶ start"
END = "■ end"

NODE_COLUMNS = ("activity", "count", "cases", "department", "party")
EDGE_COLUMNS = ("source", "target", "count", "cases", "median_wait_s", "mean_wait_s",
                "p90_wait_s", "handoffs", "handoff")
TERMINAL_COLUMNS = ("activity", "count")


@dataclass(frozen=True, eq=False)
class ProcessMap:
    """A directly-follows map: activities, the paths between them, and their waits.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per kept activity: ``activity``, ``count`` (events),
        ``cases`` (cases with it), ``department`` (its most frequent
        department; missing when none is recorded), ``party`` (its most
        frequent party: internal, customer, supplier or carrier). Sorted by
        count, then name.
    edges : pandas.DataFrame
        One row per kept directly-follows path: ``source``, ``target``,
        ``count``, ``cases``, ``median_wait_s``, ``mean_wait_s``,
        ``p90_wait_s`` (seconds between the two events; p90 interpolated
        linearly), ``handoffs`` (how many of the path's occurrences are
        department handoffs: the second event is the target of a handoff of
        :func:`~procmine.log.actors.handoff_positions` at department level,
        counted on the map's events, where an event of an outside party with
        no department counts as that party and an event with no actor is
        skipped, so a handoff lands on the path into the next known actor's
        event), ``handoff`` (``handoffs > 0``; drawn dashed). On a map that
        keeps every activity and path, ``handoffs`` sums to the log's number
        of department handoffs. Sorted by count, then names.
    start, end : pandas.DataFrame
        ``activity`` and ``count``: how many cases start / end with it (kept
        arcs only).
    table : pandas.DataFrame
        The main table: ``edges`` (attribute, like every result's ``table``).
    tables : dict of str to pandas.DataFrame
        Every table by name: ``nodes``, ``edges``, ``start``, ``end``.
    name : str
        The log's name.
    n_events, n_cases : int
        Events and cases of the whole log (before simplification).
    n_activities_total, n_edges_total : int
        Activities and paths before simplification.
    simplified : bool
        True when activities or paths were left out.
    activity_coverage, path_coverage : float
        The slider values used (with the defaults, a map of more than
        :data:`~procmine.discovery.simplify.MAX_ACTIVITIES` activities keeps
        that many, and ``activity_coverage`` is the share of events they cover;
        a map of more than :data:`~procmine.discovery.simplify.MAX_PATHS`
        paths starts with a lower path coverage).

    Notes
    -----
    In Jupyter a map displays itself: :mod:`procmine.render` registers its
    drawing with :mod:`procmine._display` (``import procmine`` does it), and
    ``_repr_html_`` shows it as inline SVG, or the no-binary drawing when
    ``dot`` is missing. Discovery never imports render; without it the map
    shows its ``repr``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    start: pd.DataFrame
    end: pd.DataFrame
    name: str = "log"
    n_events: int = 0
    n_cases: int = 0
    n_activities_total: int = 0
    n_edges_total: int = 0
    simplified: bool = False
    activity_coverage: float = 1.0
    path_coverage: float = 1.0

    @property
    def table(self) -> pd.DataFrame:
        """The edges (every result's main table is its ``table``)."""
        return self.edges

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name: ``nodes``, ``edges``, ``start``, ``end``."""
        return {"nodes": self.nodes, "edges": self.edges, "start": self.start, "end": self.end}

    @property
    def activities(self) -> list[str]:
        """Kept activities, most frequent first."""
        return self.nodes["activity"].astype(str).tolist()

    @property
    def graph(self) -> nx.DiGraph:
        """The map as a networkx DiGraph, with :data:`START` and :data:`END` nodes.

        Node attributes: count, cases, department, party; edge attributes: the edge
        table's columns (start/end arcs carry only ``count``).
        """
        import networkx as nx

        graph = nx.DiGraph(name=self.name)
        graph.add_node(START)
        graph.add_node(END)
        for node in self.nodes.to_dict("records"):
            attrs = {str(k): v for k, v in node.items()}
            graph.add_node(attrs.pop("activity"), **attrs)
        for edge in self.edges.to_dict("records"):
            attrs = {str(k): v for k, v in edge.items()}
            graph.add_edge(attrs.pop("source"), attrs.pop("target"), **attrs)
        for row in self.start.to_dict("records"):
            graph.add_edge(START, row["activity"], count=row["count"])
        for row in self.end.to_dict("records"):
            graph.add_edge(row["activity"], END, count=row["count"])
        return graph

    def edge_table(self) -> pd.DataFrame:
        """The table the CLI and the report write: source, target, count, median_wait_s."""
        return self.edges.loc[:, ["source", "target", "count", "median_wait_s"]].copy()

    def __repr__(self) -> str:
        extra = (
            f", simplified: activities {_share(self.activity_coverage)}, "
            f"paths {_share(self.path_coverage)}"
            if self.simplified else ""
        )
        return (
            f"ProcessMap({self.name!r}: {len(self.nodes)} of {self.n_activities_total} activities, "
            f"{len(self.edges)} of {self.n_edges_total} paths{extra})"
        )

    def _repr_html_(self) -> str:
        return repr_html(self)


def _share(fraction: float) -> str:
    """A share as a percentage rounded down to one decimal: 100% only when nothing is left out.

    Examples
    --------
    >>> _share(1.0), _share(0.9996), _share(0.995), _share(0.5)
    ('100%', '99.9%', '99.5%', '50.0%')
    """
    if fraction >= 1.0:
        return "100%"
    return f"{math.floor(round(fraction * 1000, 6)) / 10:.1f}%"


def _most_frequent(counts: np.ndarray, names: np.ndarray) -> np.ndarray:
    """activity -> its most frequent value (ties: first by name), ``None`` when none.

    ``counts[a, 1 + v]`` is how many events of activity ``a`` have value ``v``
    (column 0: no value).
    """
    out = np.full(len(counts), None, dtype=object)
    if not len(names):
        return out
    by_name = np.argsort(names.astype(str), kind="stable")
    counts = counts[:, 1 + by_name]  # columns in name order
    best = counts.argmax(axis=1)  # the first maximum: the smallest name
    has = counts.max(axis=1) > 0
    out[has] = names[by_name][best[has]]
    return out


#: Up to this many (activity, department, party) cells, the three are counted in one pass.
_CELL_LIMIT = 1 << 22


def _value_counts(act: np.ndarray, n_act: int, *coded: tuple[np.ndarray, np.ndarray]
                  ) -> list[np.ndarray]:
    """For each ``(codes, names)``: events per activity and value, ``(n_act, 1 + values)``
    (column 0: no value, code -1).

    One bincount of the combined cell when the cells are few, else one per column.
    """
    widths = [len(names) + 1 for _, names in coded]
    total = n_act * int(np.prod(widths))
    if total > _CELL_LIMIT:
        out = []
        for (codes, _), width in zip(coded, widths, strict=True):
            cell = act * width
            cell += codes
            cell += 1
            out.append(np.bincount(cell, minlength=n_act * width).reshape(n_act, width))
        return out
    cell = np.asarray(act, dtype=np.intp).copy()  # intp: what bincount counts without a copy
    for (codes, _), width in zip(coded, widths, strict=True):
        cell *= width
        cell += codes
        cell += 1
    counts = np.bincount(cell, minlength=total).reshape(n_act, *widths)
    axes = range(1, len(widths) + 1)
    return [counts.sum(axis=tuple(a for a in axes if a != k)) for k in axes]


def _by_count(counts: np.ndarray, names: np.ndarray) -> np.ndarray:
    """Order of rows by count (descending), then name: the order of every table of a map."""
    return np.lexsort((names.astype(str), -np.asarray(counts, dtype=np.int64)))


class _Codes:
    """The map's events as integer arrays (all of the log's, or the kept activities')."""

    def __init__(self, case: np.ndarray, act: np.ndarray, names: np.ndarray,
                 micros: np.ndarray, actors: np.ndarray, *, same: np.ndarray | None = None,
                 boundary: np.ndarray | None = None) -> None:
        self.case = case
        self.act = act
        self.names = names  # activity names by code
        self.micros = micros
        self.actors = actors  # department-level actor codes, -1 where none
        self._same = same
        self._boundary = boundary

    @classmethod
    def of(cls, events: pd.DataFrame) -> _Codes:
        arrays = log_arrays(events)
        act, names = arrays.activity_codes
        return cls(case=arrays.case, act=act, names=names, micros=arrays.micros,
                   actors=arrays.actors("department")[0], same=arrays.same_case,
                   boundary=arrays.case_starts[1:] - 1)

    def rows(self, keep: np.ndarray) -> _Codes:
        return _Codes(case=self.case[keep], act=self.act[keep], names=self.names,
                      micros=self.micros[keep], actors=self.actors[keep])

    @property
    def same(self) -> np.ndarray:
        """True where an event's successor belongs to the same case (length n - 1)."""
        if self._same is None:
            self._same = self.case[1:] == self.case[:-1]
        return self._same

    @property
    def boundary(self) -> np.ndarray:
        """Positions of the last event of every case but the last one."""
        if self._boundary is None:
            self._boundary = np.flatnonzero(~self.same)
        return self._boundary

    def keys(self) -> np.ndarray:
        """Pair key of every two neighbouring events: ``source * n + target`` (intp).

        Events are ordered by case, then time (a validated log), so a
        directly-follows pair is two neighbouring rows of the same case: a shift,
        no loop. Neighbours of two cases get the key ``n * n`` (no pair), so no
        array is compacted.
        """
        act = self.act
        n = max(len(self.names), 1)
        key = np.multiply(act[:-1], n, dtype=np.intp)
        key += act[1:]
        key[self.boundary] = n * n
        return key

    def handoff_pairs(self) -> np.ndarray:
        """True for the pairs whose second event is the target of a department handoff
        (:func:`~procmine.log.actors.handoff_targets` on these same events)."""
        return handoff_targets(self.case, self.actors, same=self._same)[1:]


def _nodes(codes: _Codes, events: pd.DataFrame) -> pd.DataFrame:
    n_act = len(codes.names)
    arrays = log_arrays(events)
    department, party = arrays.codes(DEPARTMENT), arrays.codes(PARTY)
    by_department, by_party = _value_counts(codes.act, n_act, department, party)
    count = by_department.sum(axis=1)
    cases = distinct_per_group(codes.act, codes.case, n_act)
    present = np.flatnonzero(count)
    present = present[_by_count(count[present], codes.names[present])]
    return pd.DataFrame({
        "activity": pd.Series(codes.names[present], dtype="str"),
        "count": count[present].astype("int64"),
        "cases": cases[present].astype("int64"),
        "department": pd.Series(_most_frequent(by_department, department[1])[present],
                                dtype="str"),
        "party": pd.Series(_most_frequent(by_party, party[1])[present], dtype="str"),
    })


def _count_paths(codes: _Codes) -> int:
    """Number of distinct directly-follows pairs."""
    key = codes.keys()
    n = max(len(codes.names), 1)
    return int(np.count_nonzero(np.bincount(key, minlength=n * n + 1)[: n * n]))


def _sorted_waits(key: np.ndarray, edge: np.ndarray, edge_keys: np.ndarray,
                  sizes: np.ndarray, codes: _Codes) -> np.ndarray:
    """The waits (µs) of neighbouring events, ordered by edge, then wait (0 between cases).

    The same array as :func:`~procmine.log._groups.sort_within` of the waits by
    ``edge``, but the waits are never an array of their own: the group ``<< bits``
    plus the later time minus the earlier, packed in one int64 and sorted once,
    ``bits`` from the log's time span (which bounds every wait). The group is the
    pair ``key``, in ``key``'s own memory (``key`` is used up; edges are numbered
    in the order of their keys, ``edge_keys``, so key order is edge order), or,
    when the key's bits do not fit, the ``edge``. A negative wait (events out of
    time order within a case, in a log that was never validated) would land in the
    group below; then some group's first or last value names another group, and
    the waits are sorted apart.
    """
    micros = codes.micros
    at = codes.boundary
    full = np.flatnonzero(sizes)  # the edges with pairs (and the gaps between cases)
    if len(edge):
        low, high = int(micros.min()), int(micros.max())
        value_bits = (high - low).bit_length()
        for group, ids in ((key, edge_keys[full]), (edge, full)):
            group_bits = int(max(int(ids[-1]), 1)).bit_length()
            if value_bits + group_bits > 61 or max(-low, high) >= 1 << 61:
                continue
            packed = group if group is key else group.astype(np.int64)
            gap = np.left_shift(packed[at], value_bits)
            packed <<= value_bits
            packed += micros[1:]
            packed -= micros[:-1]
            packed[at] = gap  # wait 0 between two cases
            packed.sort()
            first = group_starts(sizes)[full]
            last = first + sizes[full] - 1
            if (np.array_equal(packed[first] >> value_bits, ids)
                    and np.array_equal(packed[last] >> value_bits, ids)):
                packed &= (1 << value_bits) - 1
                return packed
            break  # a negative wait
    wait = micros[1:] - micros[:-1]
    wait[at] = 0
    return sort_within(edge, wait, len(sizes))


def _edges(codes: _Codes) -> pd.DataFrame:
    key = codes.keys()
    n = max(len(codes.names), 1)
    count_all = np.bincount(key, minlength=n * n + 1)
    present = np.flatnonzero(count_all[: n * n])
    n_edges = len(present)
    edge_keys = np.r_[present, n * n]  # edge id -> key; no pair: the last group
    lookup = np.full(n * n + 1, n_edges, dtype=np.int16 if n_edges < 1 << 15 else np.intp)
    lookup[present] = np.arange(n_edges)
    edge = lookup[key]
    sizes = count_all[edge_keys]
    count = sizes[:n_edges]
    starts = group_starts(count)
    waits_us = _sorted_waits(key, edge, edge_keys, sizes, codes)  # uses key up
    del key
    total_us = (np.add.reduceat(waits_us, starts) if n_edges
                else np.zeros(0, dtype=np.int64))
    cases = distinct_per_group(edge, codes.case[1:], n_edges + 1)[:n_edges]
    handoffs = np.bincount(edge[codes.handoff_pairs()], minlength=n_edges + 1)[:n_edges]
    names = codes.names
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    source, target = present // n, present % n
    order = np.lexsort((rank[target], rank[source], -count))  # count down, then names
    edges = pd.DataFrame({
        "source": pd.Series(names[source[order]], dtype="str"),
        "target": pd.Series(names[target[order]], dtype="str"),
        "count": count[order].astype("int64"),
        "cases": cases[order].astype("int64"),
        "median_wait_s": group_median(waits_us, starts, count, divisor=1e6)[order],
        "mean_wait_s": (total_us / count / 1e6)[order],
        "p90_wait_s": group_quantile(waits_us, starts, count, 0.9, divisor=1e6)[order],
        "handoffs": handoffs[order].astype("int64"),
    })
    edges["handoff"] = edges["handoffs"].to_numpy() > 0
    return edges


def _terminal(codes: _Codes, *, keep: Literal["first", "last"]) -> pd.DataFrame:
    case = codes.case
    boundary = codes.boundary
    if not len(case):
        at = boundary
    elif keep == "first":
        at = np.r_[0, boundary + 1]
    else:
        at = np.r_[boundary, len(case) - 1]
    counts = np.bincount(codes.act[at], minlength=len(codes.names))
    present = np.flatnonzero(counts)
    present = present[_by_count(counts[present], codes.names[present])]
    return pd.DataFrame({"activity": pd.Series(codes.names[present], dtype="str"),
                         "count": counts[present].astype("int64")})


def process_map(
    log: EventLog,
    *,
    activities: float | None = None,
    paths: float | None = None,
) -> ProcessMap:
    """Discover the directly-follows map of a log, with frequencies and waits.

    Parameters
    ----------
    log : EventLog
        The canonical log (events ordered by case, then time).
    activities : float or None, keyword-only
        Activity coverage in [0, 1]: keep the most frequent activities that
        cover this fraction of the events (see :mod:`procmine.discovery.simplify`).
        Events of left-out activities are removed before the paths are
        counted, so the map connects what remains (as Disco does). ``None``
        (default) keeps everything unless there are more than
        :data:`~procmine.discovery.simplify.MAX_ACTIVITIES` activities; then
        the map starts simplified to that many.
    paths : float or None, keyword-only
        Path coverage in [0, 1]: keep the most frequent paths covering this
        fraction of path traffic, plus the strongest paths that keep every
        kept activity connected from the start and to the end. ``None``
        (default) keeps every path unless there are more than
        :data:`~procmine.discovery.simplify.MAX_PATHS`; then the map starts
        with the largest coverage (in steps of 5%) that leaves at most that many.

    Returns
    -------
    ProcessMap

    Raises
    ------
    UsageError
        ``log`` is not an EventLog, or a coverage outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> frame = pd.DataFrame({
    ...     "case_id": ["o1", "o1", "o1", "o2", "o2"],
    ...     "activity": ["Enter order", "Pick", "Ship", "Enter order", "Ship"],
    ...     "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
    ...         "2024-01-01 12:00", "2024-01-02 09:00", "2024-01-02 09:30"], utc=True),
    ...     "department": ["Sales", "Warehouse", "Shipping", "Sales", "Shipping"],
    ... })
    >>> pmap = process_map(EventLog.from_frame(frame))
    >>> pmap.table[["source", "target", "count", "median_wait_s", "handoffs", "handoff"]]
            source target  count  median_wait_s  handoffs  handoff
    0  Enter order   Pick      1         3600.0         1     True
    1  Enter order   Ship      1         1800.0         1     True
    2         Pick   Ship      1         7200.0         1     True
    >>> pmap.start.values.tolist(), pmap.end.values.tolist()
    ([['Enter order', 2]], [['Ship', 2]])
    """
    log = require_log(log, where="process_map")
    whole = _whole(log)
    return _map(whole.codes, whole.nodes, name=log.name, n_paths=whole.n_paths,
                activities=activities, paths=paths)


def process_map_of(
    log: EventLog,
    activities: Sequence[str],
    *,
    paths: float | None = None,
) -> ProcessMap:
    """The map of the log's events of ``activities``, as if the others were filtered out first.

    The same map as ``process_map(filter_activities(log, activities), paths=paths)``
    (its counts are those of the filtered log: events, cases, activities and
    paths), computed from the log's integer codes, which are made once per log:
    fitting a map to a page tries several activity sets of one log, and each
    costs a pass over the kept events, not a new log.

    Parameters
    ----------
    log : EventLog
    activities : sequence of str
        The activities whose events are kept (each must be in the log).
    paths : float or None, keyword-only
        As for :func:`process_map`.

    Returns
    -------
    ProcessMap

    Raises
    ------
    UsageError
        An activity that is not in the log (with the close matches), or a
        coverage outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case_id": ["o1", "o1", "o1", "o2", "o2"],
    ...     "activity": ["a", "b", "c", "a", "c"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=5, freq="h", tz="UTC")}))
    >>> pmap = process_map_of(log, ["a", "c"])
    >>> pmap.table[["source", "target", "count"]].values.tolist(), pmap.n_events
    ([['a', 'c', 2]], 4)
    """
    from procmine.log.filters import filter_activities

    log = require_log(log, where="process_map_of")
    whole = _whole(log)
    wanted = [activities] if isinstance(activities, str) else [str(a) for a in activities]
    known = set(whole.nodes["activity"])
    if not wanted or not len(whole.codes.case) or not known.issuperset(wanted):
        # nothing kept, an empty log or a name the log lacks: the filter's own answer
        return process_map(filter_activities(log, wanted), activities=None, paths=paths)
    if known.issubset(wanted):
        return _map(whole.codes, whole.nodes, name=log.name, n_paths=whole.n_paths,
                    activities=None, paths=paths)
    codes = whole.codes.rows(_kept_events(whole.codes, wanted))
    nodes = whole.nodes.loc[whole.nodes["activity"].isin(wanted)].reset_index(drop=True)
    return _map(codes, nodes, name=log.name, n_paths=functools.partial(_count_paths, codes),
                activities=None, paths=paths)


def activity_counts(log: EventLog) -> pd.DataFrame:
    """``activity`` and ``count`` (events) of every activity of the log, most frequent first.

    The map's own activity table (ties by name), made once per log with its codes:
    fitting a map to a page asks for it at every activity count it tries.

    Examples
    --------
    >>> import pandas as pd
    >>> from procmine import EventLog
    >>> log = EventLog.from_frame(pd.DataFrame({"case_id": ["o1", "o1", "o2"],
    ...     "activity": ["b", "a", "b"],
    ...     "timestamp": pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")}))
    >>> activity_counts(log).values.tolist()
    [['b', 2], ['a', 1]]
    """
    log = require_log(log, where="activity_counts")
    return _whole(log).nodes.loc[:, ["activity", "count"]].copy()


class _Whole:
    """A log's map ingredients made once: its codes, its activity table, its number of paths."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.codes = _Codes.of(events)
        self.nodes = _nodes(self.codes, events)
        self._paths: int | None = None

    def n_paths(self) -> int:
        if self._paths is None:
            self._paths = _count_paths(self.codes)
        return self._paths


def _whole(log: EventLog) -> _Whole:
    """The log's :class:`_Whole`, kept with its events (:meth:`LogArrays.memo`)."""
    return log_arrays(log.events).memo("procmine.discovery.dfg", _Whole)


def _kept_events(codes: _Codes, activities: Sequence[str]) -> np.ndarray:
    """True for the events of ``activities``."""
    kept_codes = np.isin(codes.names, np.asarray(list(activities), dtype=object))
    return kept_codes[codes.act]


def _map(everything: _Codes, all_nodes: pd.DataFrame, *, name: str,
         n_paths: Callable[[], int], activities: float | None,
         paths: float | None) -> ProcessMap:
    """:func:`process_map` of the events ``everything`` (activity table ``all_nodes``)."""
    codes = everything
    if activities is None and len(all_nodes) <= MAX_ACTIVITIES:  # all, already in rank order
        kept, used_activities = all_nodes["activity"].astype(str).tolist(), 1.0
    else:
        kept, used_activities = select_activities(all_nodes, coverage=activities,
                                                  max_activities=MAX_ACTIVITIES)
    if len(kept) < len(all_nodes):
        codes = codes.rows(_kept_events(codes, kept))
    nodes = all_nodes.loc[all_nodes["activity"].isin(kept)].reset_index(drop=True)
    full_edges = _edges(codes)
    start = _terminal(codes, keep="first")
    end = _terminal(codes, keep="last")
    if paths is None:
        paths = default_path_coverage(full_edges, start, end)
    keep_e, keep_s, keep_t = select_paths(full_edges, start, end, coverage=paths)
    edges = full_edges.loc[keep_e].reset_index(drop=True)
    n_edges_total = n_paths() if len(kept) < len(all_nodes) else len(full_edges)
    simplified = len(kept) < len(all_nodes) or len(edges) < len(full_edges) or not (
        keep_s.all() and keep_t.all())
    n_events = len(everything.case)
    return ProcessMap(
        nodes=nodes,
        edges=edges,
        start=start.loc[keep_s].reset_index(drop=True),
        end=end.loc[keep_t].reset_index(drop=True),
        name=name,
        n_events=n_events,
        n_cases=len(everything.boundary) + 1 if n_events else 0,
        n_activities_total=len(all_nodes),
        n_edges_total=n_edges_total,
        simplified=bool(simplified),
        activity_coverage=float(used_activities),
        path_coverage=float(paths),
    )
