"""Simplify a process map by activity coverage and path coverage (the Disco/Apromore sliders).

Both sliders take a fraction in [0, 1]:

- **activities**: keep the most frequent activities until they cover that
  fraction of all events (ranked by count, then name; at least one is kept).
- **paths**: keep the most frequent paths (directly-follows edges, including
  the edges from the start and into the end) until they cover that fraction of
  all path traffic; then add back the strongest edges needed so every kept
  activity stays reachable from the start and can reach the end.

The add-back set does not depend on the slider: it is the union of the
widest-path tree from the start and the widest-path tree into the end (a path's
width is its least frequent edge), so lowering ``paths`` only ever removes
edges (the selection is monotone). Every choice is deterministic: ties are
broken by count, then by name.
"""

from __future__ import annotations

import heapq
import math
from typing import Final

import networkx as nx
import numpy as np
import pandas as pd

from procmine.errors import UsageError

__all__ = [
    "MAX_ACTIVITIES",
    "MAX_PATHS",
    "coverage_for",
    "default_path_coverage",
    "rank_activities",
    "select_activities",
    "select_paths",
    "select_routes",
]

#: A map with more activities than this starts simplified.
MAX_ACTIVITIES: Final = 30
#: A map with more paths (between activities) than this starts with fewer paths
#: (and with fewer than twice its number of activities, at least 12, when that is less).
MAX_PATHS: Final = 50

_START: Final = 0  # node ids used only inside this module
_END: Final = -1


def _check_fraction(value: float, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a number in [0, 1], got {value!r}") from None
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise UsageError(f"{name} must be a fraction in [0, 1], got {value!r}; e.g. 0.8 keeps 80%")
    return number


def _covering_prefix(counts: np.ndarray, coverage: float) -> int:
    """Length of the shortest prefix of ``counts`` covering ``coverage`` of their sum."""
    if len(counts) == 0:
        return 0
    before = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return int(np.count_nonzero(before < coverage * counts.sum()))


def rank_activities(nodes: pd.DataFrame) -> pd.DataFrame:
    """Activities by count (descending), then name: the order both sliders use.

    Examples
    --------
    >>> nodes = pd.DataFrame({"activity": ["b", "a", "c"], "count": [5, 5, 9]})
    >>> rank_activities(nodes)["activity"].tolist()
    ['c', 'a', 'b']
    """
    ranked = nodes.sort_values(["count", "activity"], ascending=[False, True], kind="stable")
    return ranked.reset_index(drop=True)


def select_activities(
    nodes: pd.DataFrame, *, coverage: float | None = None, max_activities: int = MAX_ACTIVITIES
) -> tuple[list[str], float]:
    """Activities to keep, and the coverage that was used.

    Parameters
    ----------
    nodes : pandas.DataFrame
        Columns ``activity`` and ``count``.
    coverage : float or None, keyword-only
        Fraction of events the kept activities must cover. ``None`` keeps all
        activities when there are at most ``max_activities``, otherwise the
        ``max_activities`` most frequent ones (the coverage returned is then
        the share of events they cover).
    max_activities : int, keyword-only
        Limit used when ``coverage`` is None.

    Returns
    -------
    (list of str, float)
        Kept activities in rank order, and the coverage used.

    Examples
    --------
    >>> nodes = pd.DataFrame({"activity": ["a", "b", "c", "d"], "count": [50, 30, 15, 5]})
    >>> select_activities(nodes, coverage=0.8)
    (['a', 'b'], 0.8)
    >>> select_activities(nodes, coverage=0.81)
    (['a', 'b', 'c'], 0.81)
    >>> select_activities(nodes, max_activities=2)
    (['a', 'b'], 0.8)
    """
    ranked = rank_activities(nodes)
    names = ranked["activity"].astype(str).tolist()
    counts = ranked["count"].to_numpy(dtype="int64")
    if coverage is None:
        if len(names) <= max_activities:
            return names, 1.0
        kept = max_activities
        share = float(counts[:kept].sum() / counts.sum())
        return names[:kept], share
    fraction = _check_fraction(coverage, "activities")
    kept = max(_covering_prefix(counts, fraction), min(1, len(names)))
    return names[:kept], fraction


def _widest_tree(n_nodes: int, arcs: list[tuple[int, int, int, int]], root: int) -> set[int]:
    """Arc ranks on the widest (maximin) path tree from ``root``.

    ``arcs`` are (source, target, count, rank); rank is unique and orders ties.
    """
    out: dict[int, list[tuple[int, int, int]]] = {}
    for source, target, count, rank in arcs:
        out.setdefault(source, []).append((target, count, rank))
    done: set[int] = set()
    chosen: set[int] = set()
    heap: list[tuple[int, int, int]] = [(-(2**62), -1, root)]
    while heap and len(done) < n_nodes:
        width, rank, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        if rank >= 0:
            chosen.add(rank)
        for target, count, arc_rank in out.get(node, ()):
            if target not in done:
                heapq.heappush(heap, (max(width, -count), arc_rank, target))
    return chosen


def select_paths(
    edges: pd.DataFrame,
    start: pd.DataFrame,
    end: pd.DataFrame,
    *,
    coverage: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which edges, start arcs and end arcs to keep.

    Parameters
    ----------
    edges : pandas.DataFrame
        Directly-follows edges: ``source``, ``target``, ``count``.
    start, end : pandas.DataFrame
        ``activity`` and ``count`` of the arcs from the start and into the end.
    coverage : float, keyword-only
        Fraction of all arc traffic (edges plus start and end arcs) that the
        most frequent arcs must cover.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Boolean masks aligned with ``edges``, ``start`` and ``end``.

    Raises
    ------
    UsageError
        ``coverage`` is not in [0, 1].

    Examples
    --------
    A strong path a→b→c and a rare detour a→c: at 0 only the backbone stays.

    >>> edges = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "c"],
    ...                       "count": [9, 9, 1]})
    >>> start = pd.DataFrame({"activity": ["a"], "count": [10]})
    >>> end = pd.DataFrame({"activity": ["c"], "count": [10]})
    >>> [m.tolist() for m in select_paths(edges, start, end, coverage=0.0)]
    [[True, True, False], [True], [True]]
    >>> [m.tolist() for m in select_paths(edges, start, end, coverage=1.0)]
    [[True, True, True], [True], [True]]
    """
    fraction = _check_fraction(coverage, "paths")
    e_source = edges["source"].astype(str).tolist()
    e_target = edges["target"].astype(str).tolist()
    s_activity = start["activity"].astype(str).tolist()
    t_activity = end["activity"].astype(str).tolist()
    activities = sorted(set(e_source) | set(e_target) | set(s_activity) | set(t_activity))
    ids = {name: i + 1 for i, name in enumerate(activities)}
    n_e, n_s, n_t = len(e_source), len(s_activity), len(t_activity)
    source = np.array([ids[a] for a in e_source] + [_START] * n_s
                      + [ids[a] for a in t_activity], dtype="int64")
    target = np.array([ids[a] for a in e_target] + [ids[a] for a in s_activity]
                      + [_END] * n_t, dtype="int64")
    count = np.concatenate([
        edges["count"].to_numpy(dtype="int64"),
        start["count"].to_numpy(dtype="int64"),
        end["count"].to_numpy(dtype="int64"),
    ])
    # names for tie-breaking: start sorts first, end last
    source_name = np.array(e_source + [""] * n_s + t_activity, dtype=str)
    target_name = np.array(e_target + s_activity + ["\uffff"] * n_t, dtype=str)
    order = np.lexsort((target_name, source_name, -count))
    rank = np.empty(len(count), dtype="int64")
    rank[order] = np.arange(len(count))
    keep = np.zeros(len(count), dtype=bool)
    keep[order[: _covering_prefix(count[order], fraction)]] = True

    triples = list(zip(source.tolist(), target.tolist(), count.tolist(), rank.tolist(),
                       strict=True))
    n_nodes = len(activities) + 2
    backbone = _widest_tree(n_nodes, triples, _START)
    backbone |= _widest_tree(n_nodes, [(t, s, c, r) for s, t, c, r in triples], _END)
    keep[np.isin(rank, np.fromiter(backbone, dtype="int64", count=len(backbone)))] = True

    _check_connected(source, target, keep, activities=[ids[a] for a in activities])
    return keep[:n_e], keep[n_e : n_e + n_s], keep[n_e + n_s :]


def _check_connected(source: np.ndarray, target: np.ndarray, keep: np.ndarray, *,
                     activities: list[int]) -> None:
    """Every activity connected in the full graph stays connected (start → a → end)."""
    def reach(arcs: np.ndarray) -> tuple[set[int], set[int]]:
        graph = nx.DiGraph()
        graph.add_nodes_from([_START, _END, *activities])
        graph.add_edges_from(zip(source[arcs].tolist(), target[arcs].tolist(), strict=True))
        return nx.descendants(graph, _START), nx.ancestors(graph, _END)

    full_from, full_to = reach(np.ones(len(keep), dtype=bool))
    kept_from, kept_to = reach(keep)
    if not (full_from <= kept_from | {_START} and full_to <= kept_to | {_END}):
        raise AssertionError("path simplification disconnected an activity; procmine bug")


def default_path_coverage(
    edges: pd.DataFrame, start: pd.DataFrame, end: pd.DataFrame, *, max_paths: int = MAX_PATHS
) -> float:
    """The path coverage a map starts with: 1.0, or the largest of 0.95, 0.90, ... 0.0
    that leaves at most ``max_paths`` paths between activities, nor more than
    twice as many paths as activities (but 12 are always allowed).

    Examples
    --------
    >>> edges = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "c"],
    ...                       "count": [9, 9, 1]})
    >>> start = pd.DataFrame({"activity": ["a"], "count": [10]})
    >>> end = pd.DataFrame({"activity": ["c"], "count": [10]})
    >>> default_path_coverage(edges, start, end), default_path_coverage(edges, start, end,
    ...                                                                  max_paths=2)
    (1.0, 0.95)
    """
    n_activities = len(set(start["activity"]) | set(end["activity"]) | set(edges["source"])
                       | set(edges["target"]))
    max_paths = min(max_paths, max(12, 2 * n_activities))
    if len(edges) <= max_paths:
        return 1.0
    low, high = 0, 19  # the largest step in [0, 19] that fits (monotone: binary search)
    while low < high:
        middle = (low + high + 1) // 2
        kept, _, _ = select_paths(edges, start, end, coverage=middle / 20)
        if int(kept.sum()) <= max_paths:
            low = middle
        else:
            high = middle - 1
    return low / 20


def coverage_for(nodes: pd.DataFrame, *, max_activities: int) -> float | None:
    """An activity coverage that keeps exactly the ``max_activities`` most frequent activities.

    ``None`` when there are no more than that (nothing to leave out). The
    value lies halfway between the share of events the top ``max_activities``
    cover and the share without the last of them, so that rounding never keeps
    one more or one less (see :func:`select_activities`).

    Examples
    --------
    >>> nodes = pd.DataFrame({"activity": ["a", "b", "c", "d"], "count": [50, 30, 15, 5]})
    >>> coverage_for(nodes, max_activities=2)
    0.65
    >>> select_activities(nodes, coverage=coverage_for(nodes, max_activities=2))[0]
    ['a', 'b']
    >>> coverage_for(nodes, max_activities=4) is None
    True
    """
    if max_activities < 1:
        raise UsageError(f"max_activities must be at least 1, got {max_activities!r}")
    if len(nodes) <= max_activities:
        return None
    counts = rank_activities(nodes)["count"].to_numpy(dtype="float64")
    total = counts.sum()
    upto = counts[:max_activities].sum()
    before = upto - counts[max_activities - 1]
    return float((upto + before) / 2 / total) if total > 0 else 1.0


def select_routes(table: pd.DataFrame, *, coverage: float) -> np.ndarray:
    """Which routes of a handoff table to keep at a path coverage (``--paths`` at department level).

    The most frequent routes (``count``, then source and target names)
    covering ``coverage`` of all handoffs are kept; then a department or party
    that no kept route touches gets back its busiest route out and its busiest
    route in, so that no one disappears from the map.

    Parameters
    ----------
    table : pandas.DataFrame
        ``source``, ``target``, ``count`` (the ``table`` of :func:`procmine.handoffs`).
    coverage : float, keyword-only
        Fraction in [0, 1].

    Returns
    -------
    numpy.ndarray
        A boolean mask aligned with ``table``.

    Examples
    --------
    >>> t = pd.DataFrame({"source": ["Sales", "Credit", "Sales"],
    ...                   "target": ["Credit", "Warehouse", "Warehouse"], "count": [90, 80, 5]})
    >>> select_routes(t, coverage=0.5).tolist()  # Sales->Warehouse adds no one
    [True, True, False]
    >>> select_routes(t, coverage=1.0).tolist()
    [True, True, True]
    """
    fraction = _check_fraction(coverage, "paths")
    if len(table) == 0:
        return np.zeros(0, dtype=bool)
    source = table["source"].astype(str).to_numpy()
    target = table["target"].astype(str).to_numpy()
    counts = table["count"].to_numpy(dtype="int64")
    order = np.lexsort((target, source, -counts))
    keep = np.zeros(len(table), dtype=bool)
    keep[order[: _covering_prefix(counts[order], fraction)]] = True
    busiest_out: dict[str, int] = {}
    busiest_in: dict[str, int] = {}
    for i in order.tolist():  # ranked: the first seen is the busiest
        busiest_out.setdefault(source[i], i)
        busiest_in.setdefault(target[i], i)
    covered = set(source[keep]) | set(target[keep])
    for name in sorted(set(source) | set(target)):
        if name in covered:
            continue
        for pick in (busiest_out.get(name), busiest_in.get(name)):
            if pick is not None:
                keep[pick] = True
    return keep
