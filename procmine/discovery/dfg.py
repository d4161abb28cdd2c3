"""Directly-follows process maps with frequency and performance, computed with pandas.

The counts agree with pm4py's ``discover_dfg`` (tested on public logs); the
computation is vectorised (a shift within each case) so it runs on millions of
events without pm4py. Which paths carry handoffs comes from the one handoff
counter, :func:`procmine.log.actors.handoff_positions`, at department level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import networkx as nx
import numpy as np
import pandas as pd

from procmine._display import repr_html
from procmine.discovery.simplify import (
    MAX_ACTIVITIES,
    default_path_coverage,
    select_activities,
    select_paths,
)
from procmine.log._require import require_log
from procmine.log.actors import actor_codes, case_codes, handoff_positions
from procmine.schema import ACTIVITY, CASE_ID, DEPARTMENT, PARTY, TIMESTAMP

if TYPE_CHECKING:
    from procmine.log import EventLog

__all__ = ["END", "START", "ProcessMap", "process_map"]

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


def _most_frequent(events: pd.DataFrame, column: str) -> pd.Series:
    """activity -> its most frequent value of ``column`` (ties: first by name)."""
    known = events.loc[events[column].notna(), [ACTIVITY, column]]
    known = known.assign(**{column: known[column].astype("str")})
    if known.empty:
        return pd.Series(dtype="str")
    sizes = known.groupby([ACTIVITY, column], sort=False).size().reset_index(name="n")
    sizes = sizes.sort_values(["n", ACTIVITY, column], ascending=[False, True, True],
                              kind="stable")
    first = sizes.drop_duplicates(ACTIVITY)
    return pd.Series(first[column].to_numpy(), index=first[ACTIVITY].to_numpy(), dtype="str")


def _nodes(events: pd.DataFrame) -> pd.DataFrame:
    grouped = events.groupby(ACTIVITY, sort=True)[CASE_ID].agg(["size", "nunique"])
    nodes = pd.DataFrame({
        "activity": grouped.index.astype("str"),
        "count": grouped["size"].to_numpy(dtype="int64"),
        "cases": grouped["nunique"].to_numpy(dtype="int64"),
    })
    nodes["department"] = nodes["activity"].map(_most_frequent(events, DEPARTMENT)).astype("str")
    nodes["party"] = nodes["activity"].map(_most_frequent(events, PARTY)).astype("str")
    return nodes.sort_values(["count", "activity"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def _pairs(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                          np.ndarray, np.ndarray]:
    """Directly-follows pairs as integer codes: (source, target, case, wait_s, handoff, names).

    Events are ordered by case, then time (a validated log), so a pair is two
    neighbouring rows of the same case: a shift, no loop. ``handoff`` marks
    the pairs whose second event is the target of a department handoff
    (:func:`~procmine.log.actors.handoff_positions` on these same events).
    """
    cases = case_codes(events)
    act_codes, names = pd.factorize(events[ACTIVITY].to_numpy(), sort=False)
    ts = events[TIMESTAMP].to_numpy(dtype="datetime64[us]").view("int64")
    _, targets = handoff_positions(cases, actor_codes(events, "department")[0])
    is_target = np.zeros(len(events), dtype=bool)
    is_target[targets] = True
    same = cases[1:] == cases[:-1]
    return (act_codes[:-1][same], act_codes[1:][same], cases[1:][same],
            (ts[1:] - ts[:-1])[same] / 1e6, is_target[1:][same], np.asarray(names, dtype=object))


def _count_paths(events: pd.DataFrame) -> int:
    """Number of distinct directly-follows pairs."""
    source, target, _, _, _, names = _pairs(events)
    return int(np.unique(source.astype("int64") * max(len(names), 1) + target).size)


def _edges(events: pd.DataFrame) -> pd.DataFrame:
    source, target, case, wait, handoff, names = _pairs(events)
    key = source.astype("int64") * max(len(names), 1) + target
    pairs = pd.DataFrame({"key": key, "case": case, "wait": wait, "handoff": handoff})
    grouped = pairs.groupby("key", sort=True)["wait"]
    stats = grouped.agg(["size", "median", "mean"])
    stats["p90"] = grouped.quantile(0.9)
    stats["handoffs"] = pairs.groupby("key", sort=True)["handoff"].sum()
    stats["cases"] = pairs.drop_duplicates(["key", "case"]).groupby("key", sort=True).size()
    keys = stats.index.to_numpy(dtype="int64")
    n = max(len(names), 1)
    edges = pd.DataFrame({
        "source": pd.Series(names[keys // n] if len(keys) else [], dtype="str"),
        "target": pd.Series(names[keys % n] if len(keys) else [], dtype="str"),
        "count": stats["size"].to_numpy(dtype="int64"),
        "cases": stats["cases"].to_numpy(dtype="int64"),
        "median_wait_s": stats["median"].to_numpy(dtype="float64"),
        "mean_wait_s": stats["mean"].to_numpy(dtype="float64"),
        "p90_wait_s": stats["p90"].to_numpy(dtype="float64"),
        "handoffs": stats["handoffs"].to_numpy(dtype="int64"),
    })
    edges["handoff"] = edges["handoffs"].to_numpy() > 0
    return edges.sort_values(["count", "source", "target"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


def _terminal(events: pd.DataFrame, *, keep: Literal["first", "last"]) -> pd.DataFrame:
    first = ~events[CASE_ID].duplicated(keep=keep)
    counts = events.loc[first, ACTIVITY].value_counts()
    table = pd.DataFrame({"activity": counts.index.astype("str"),
                          "count": counts.to_numpy(dtype="int64")})
    return table.sort_values(["count", "activity"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


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
    events = log.events
    all_nodes = _nodes(events)
    kept, used_activities = select_activities(all_nodes, coverage=activities,
                                              max_activities=MAX_ACTIVITIES)
    if len(kept) < len(all_nodes):
        events = events.loc[events[ACTIVITY].isin(kept)]
    nodes = all_nodes.loc[all_nodes["activity"].isin(kept)].reset_index(drop=True)
    full_edges = _edges(events)
    start = _terminal(events, keep="first")
    end = _terminal(events, keep="last")
    if paths is None:
        paths = default_path_coverage(full_edges, start, end)
    keep_e, keep_s, keep_t = select_paths(full_edges, start, end, coverage=paths)
    edges = full_edges.loc[keep_e].reset_index(drop=True)
    n_edges_total = _count_paths(log.events) if len(kept) < len(all_nodes) else len(full_edges)
    simplified = len(kept) < len(all_nodes) or len(edges) < len(full_edges) or not (
        keep_s.all() and keep_t.all())
    return ProcessMap(
        nodes=nodes,
        edges=edges,
        start=start.loc[keep_s].reset_index(drop=True),
        end=end.loc[keep_t].reset_index(drop=True),
        name=log.name,
        n_events=log.n_events,
        n_cases=log.n_cases,
        n_activities_total=len(all_nodes),
        n_edges_total=n_edges_total,
        simplified=bool(simplified),
        activity_coverage=float(used_activities),
        path_coverage=float(paths),
    )
