"""Simplification by activity and path coverage: hand-computed selections, monotone, connected."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from conftest import make_frame

from procmine import EventLog, UsageError, process_map
from procmine.discovery.dfg import END, START
from procmine.discovery.simplify import select_activities, select_paths


def _random_log(seed: int, n_cases: int = 60, n_acts: int = 9) -> EventLog:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cases):
        length = int(rng.integers(1, 8))
        weights = np.arange(n_acts, 0, -1) / sum(range(1, n_acts + 1))
        acts = rng.choice(n_acts, size=length, p=weights)
        for k, a in enumerate(acts):
            rows.append((f"c{c:03d}", f"act {a}", f"2024-01-01 {k:02d}:{c % 60:02d}"))
    return EventLog.from_frame(make_frame(rows), name=f"random{seed}")


def _edge_set(pmap):
    edges = set(zip(pmap.edges["source"], pmap.edges["target"], strict=True))
    edges |= {(START, a) for a in pmap.start["activity"]}
    edges |= {(a, END) for a in pmap.end["activity"]}
    return edges


def test_activity_coverage_hand_computed():
    nodes = pd.DataFrame({"activity": ["a", "b", "c", "d"], "count": [40, 30, 20, 10]})
    assert select_activities(nodes, coverage=0.0)[0] == ["a"]  # at least one
    assert select_activities(nodes, coverage=0.4)[0] == ["a"]
    assert select_activities(nodes, coverage=0.41)[0] == ["a", "b"]
    assert select_activities(nodes, coverage=0.9)[0] == ["a", "b", "c"]
    assert select_activities(nodes, coverage=1.0)[0] == ["a", "b", "c", "d"]


def test_activity_ties_break_by_name():
    nodes = pd.DataFrame({"activity": ["z", "m", "a"], "count": [5, 5, 5]})
    assert select_activities(nodes, coverage=0.5)[0] == ["a", "m"]


def test_paths_hand_computed_with_backbone():
    # start->a (10), a->b (6), a->c (4), b->end (6), c->end (4), b->c (1)
    edges = pd.DataFrame({"source": ["a", "a", "b"], "target": ["b", "c", "c"], "count": [6, 4, 1]})
    start = pd.DataFrame({"activity": ["a"], "count": [10]})
    end = pd.DataFrame({"activity": ["b", "c"], "count": [6, 4]})
    # traffic 31; ranked: start-a 10, a-b 6, b-end 6, a-c 4, c-end 4, b-c 1
    e, s, t = select_paths(edges, start, end, coverage=0.5)  # 15.5 -> first 2 + backbone
    # backbone: widest tree from start reaches c via a->c (4 > 1), into end: c->end (4)
    assert e.tolist() == [True, True, False]
    assert s.tolist() == [True] and t.tolist() == [True, True]
    e, _, _ = select_paths(edges, start, end, coverage=1.0)
    assert e.tolist() == [True, True, True]


def test_paths_coverage_out_of_range():
    empty = pd.DataFrame({"source": [], "target": [], "count": []})
    terminal = pd.DataFrame({"activity": [], "count": []})
    with pytest.raises(UsageError, match=r"\[0, 1\]"):
        select_paths(empty, terminal, terminal, coverage=2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fewer_paths_never_add_an_edge(seed):
    log = _random_log(seed)
    grid = [i / 10 for i in range(11)]
    for activities in (0.5, 0.8, 1.0):
        sets = [_edge_set(process_map(log, activities=activities, paths=p)) for p in grid]
        for lower, higher in itertools.pairwise(sets):
            assert lower <= higher


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kept_activities_stay_connected_from_start_and_to_end(seed):
    log = _random_log(seed)
    for activities, paths in itertools.product((0.3, 0.7, 1.0), (0.0, 0.2, 0.6, 1.0)):
        pmap = process_map(log, activities=activities, paths=paths)
        graph = pmap.graph
        for activity in pmap.activities:
            assert nx.has_path(graph, START, activity), (activities, paths, activity)
            assert nx.has_path(graph, activity, END), (activities, paths, activity)


def test_full_coverage_keeps_every_edge_and_is_deterministic():
    log = _random_log(3)
    full = process_map(log, activities=1.0, paths=1.0)
    assert len(full.edges) == full.n_edges_total and not full.simplified
    a = process_map(log, activities=0.6, paths=0.3)
    b = process_map(log, activities=0.6, paths=0.3)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    assert a.simplified and a.path_coverage == 0.3


def test_fewer_activities_never_add_an_activity():
    log = _random_log(4)
    kept = [set(process_map(log, activities=a / 10).activities) for a in range(11)]
    for lower, higher in itertools.pairwise(kept):
        assert lower <= higher


def test_coverage_for_keeps_exactly_the_most_frequent():
    from procmine.discovery.simplify import coverage_for

    nodes = pd.DataFrame({"activity": list("abcdef"), "count": [30, 20, 20, 10, 10, 10]})
    for k in range(1, 6):
        # ties broken by name, as select_activities ranks: a, b, c, d, e, f
        assert select_activities(nodes, coverage=coverage_for(nodes, max_activities=k))[0] == \
            list("abcdef")[:k]
    assert coverage_for(nodes, max_activities=6) is None
    with pytest.raises(UsageError):
        coverage_for(nodes, max_activities=0)


def test_select_routes_keeps_coverage_and_every_department():
    from procmine.discovery.simplify import select_routes

    table = pd.DataFrame({"source": ["Sales", "Credit", "Sales", "Billing", "Returns"],
                          "target": ["Credit", "Warehouse", "Warehouse", "Sales", "Billing"],
                          "count": [50, 30, 10, 6, 4]})
    # 0.5 of 100 handoffs: Sales->Credit (50) covers it; Warehouse, Billing and Returns are
    # on no kept route: each gets back its busiest route out and in
    kept = select_routes(table, coverage=0.5)
    assert kept.tolist() == [True, True, False, True, True]
    assert select_routes(table, coverage=1.0).all()
    assert select_routes(table.iloc[:0], coverage=0.5).tolist() == []
    with pytest.raises(UsageError, match="paths"):
        select_routes(table, coverage=1.5)
