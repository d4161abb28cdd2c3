"""Handoffs: hand-built logs with hand-computed expectations, and pm4py on real logs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from procmine import EventLog, UsageError
from procmine.analysis.costs import Calendar, CostModel
from procmine.analysis.handoffs import (
    EVENT_COLUMNS,
    TABLE_COLUMNS,
    concurrent_activities,
    graph_measures,
    handoff_events,
    handoffs,
)
from procmine.schema import empty_events

H = 3600.0


def _log(rows, columns=("case_id", "activity", "timestamp", "department")):
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return EventLog.from_frame(frame, name="t")


def _edges(h):
    return {(s, t): c for s, t, c in h.table[["source", "target", "count"]].itertuples(index=False)}


# -- edge cases -----------------------------------------------------------------------------
def test_empty_log_has_no_handoffs_but_all_columns():
    h = handoffs(EventLog.from_frame(empty_events()))
    assert list(h.table.columns) == list(TABLE_COLUMNS)
    assert list(h.events.columns) == list(EVENT_COLUMNS)
    assert h.table.empty and h.events.empty
    assert h.graph.number_of_nodes() == 0
    assert h.count == 0 and h.cost == 0.0
    assert graph_measures(h).empty
    assert "handoffs" in h._repr_html_().lower()


def test_single_event_has_no_handoff():
    h = handoffs(_log([("o1", "Enter", "2024-01-01 09:00", "Sales")]))
    assert h.count == 0 and h.table.empty


def test_case_boundary_is_not_a_handoff():
    log = _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o2", "Pick", "2024-01-01 10:00", "Warehouse"),
    ])
    assert handoffs(log).count == 0


def test_same_actor_in_a_row_is_not_a_handoff():
    log = _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Check", "2024-01-01 09:30", "Sales"),
        ("o1", "Pick", "2024-01-01 11:00", "Warehouse"),
    ])
    ev = handoff_events(log)
    assert ev[["source", "target"]].values.tolist() == [["Sales", "Warehouse"]]
    # The wait runs from the last Sales event, 09:30, to the Warehouse event, 11:00.
    assert ev["wait_s"].tolist() == [1.5 * H]
    assert ev["source_activity"].tolist() == ["Check"]
    assert ev["source_event_id"].tolist() == ["t:1"] and ev["target_event_id"].tolist() == ["t:2"]


def test_timestamp_ties_keep_input_order():
    rows = [
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Check", "2024-01-01 10:00", "Credit"),
        ("o1", "Pick", "2024-01-01 10:00", "Warehouse"),
    ]
    assert _edges(handoffs(_log(rows))) == {("Sales", "Credit"): 1, ("Credit", "Warehouse"): 1}
    swapped = [rows[0], rows[2], rows[1]]
    assert _edges(handoffs(_log(swapped))) == {
        ("Sales", "Warehouse"): 1, ("Warehouse", "Credit"): 1}
    assert handoff_events(_log(rows))["wait_s"].tolist() == [H, 0.0]


def test_missing_actor_is_skipped_and_links_nearest_known():
    log = _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Auto mail", "2024-01-01 09:05", None),
        ("o1", "Auto mail", "2024-01-01 09:10", None),
        ("o1", "Check", "2024-01-01 11:00", "Credit"),
        ("o2", "Enter", "2024-01-01 09:00", None),
        ("o2", "Pick", "2024-01-01 12:00", "Warehouse"),
    ])
    ev = handoff_events(log)
    assert ev[["case_id", "source", "target", "wait_s"]].values.tolist() == [
        ["o1", "Sales", "Credit", 2 * H]]
    assert ev["target_activity"].tolist() == ["Check"]


def test_unknown_level_is_a_usage_error():
    log = _log([("o1", "Enter", "2024-01-01 09:00", "Sales")])
    with pytest.raises(UsageError, match="department"):
        handoffs(log, level="team")
    with pytest.raises(UsageError, match="max_cycle_length"):
        graph_measures(handoffs(log), max_cycle_length=1)


# -- the three levels -----------------------------------------------------------------------
def test_all_three_levels():
    cols = ("case_id", "activity", "timestamp", "resource", "department", "party")
    log = _log([
        ("o1", "Order online", "2024-01-01 08:00", "webshop", "Sales", "customer"),
        ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales", "internal"),
        ("o1", "Check credit", "2024-01-01 10:00", "bob", "Credit", "internal"),
        ("o1", "Release", "2024-01-01 11:00", "cid", "Credit", "internal"),
        ("o1", "Ship", "2024-01-02 09:00", "dhl-api", "Shipping", "carrier"),
    ], columns=cols)
    assert _edges(handoffs(log, level="resource")) == {
        ("webshop", "ann"): 1, ("ann", "bob"): 1, ("bob", "cid"): 1, ("cid", "dhl-api"): 1}
    assert _edges(handoffs(log, level="department")) == {
        ("Sales", "Credit"): 1, ("Credit", "Shipping"): 1}
    party = handoffs(log, level="party")
    assert _edges(party) == {("customer", "internal"): 1, ("internal", "carrier"): 1}
    # internal -> carrier waits from Release (11:00) to Ship (09:00 next day).
    row = party.table.set_index(["source", "target"]).loc[("internal", "carrier")]
    assert row["median_wait_s"] == 22 * H
    assert party.level == "party"


# -- statistics, ping-pong, cost ------------------------------------------------------------
def _pingpong_log():
    # o1: Sales -> Credit -> Sales -> Credit -> Warehouse ; o2: Sales -> Credit -> Warehouse
    return _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Check", "2024-01-01 10:00", "Credit"),
        ("o1", "Fix", "2024-01-01 13:00", "Sales"),
        ("o1", "Check", "2024-01-01 14:00", "Credit"),
        ("o1", "Pick", "2024-01-01 18:00", "Warehouse"),
        ("o2", "Enter", "2024-01-02 09:00", "Sales"),
        ("o2", "Check", "2024-01-02 11:00", "Credit"),
        ("o2", "Pick", "2024-01-02 12:00", "Warehouse"),
    ])


def test_counts_waits_pingpong_and_per_case():
    h = handoffs(_pingpong_log())
    t = h.table.set_index(["source", "target"])
    sc = t.loc[("Sales", "Credit")]
    # Sales->Credit waits: 1 h, 1 h (o1), 2 h (o2)
    assert (sc["count"], sc["cases"]) == (3, 2)
    assert sc["mean_wait_s"] == pytest.approx(4 / 3 * H)
    assert sc["median_wait_s"] == H
    assert sc["p90_wait_s"] == pytest.approx(np.percentile([1, 1, 2], 90) * H)
    assert sc["per_case"] == pytest.approx(1.5)
    # o1: S->C (then C->S: ping-pong), C->S (then S->C: ping-pong), S->C (then C->W: no)
    assert sc["pingpong"] == 1
    assert t.loc[("Credit", "Sales"), "pingpong"] == 1
    assert t.loc[("Credit", "Warehouse"), "pingpong"] == 0
    assert h.pingpong == 2
    assert h.count == 6
    assert t.loc[("Credit", "Warehouse"), "count"] == 2
    assert t.loc[("Credit", "Warehouse"), "mean_wait_s"] == pytest.approx(2.5 * H)


def test_cost_uses_the_cost_model_and_sorts_by_cost():
    round_the_clock = Calendar(days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                               start="00:00", end="24:00")
    model = CostModel(handoff_cost=10.0, wait_cost_per_hour=1.0, calendar=round_the_clock)
    h = handoffs(_pingpong_log(), costs=model)
    cost = h.table.set_index(["source", "target"])["cost"].to_dict()
    # count * 10 + total wait hours * 1 (every hour is working time)
    assert cost[("Sales", "Credit")] == pytest.approx(3 * 10 + (1 + 1 + 2))
    assert cost[("Credit", "Sales")] == pytest.approx(1 * 10 + 3)
    assert cost[("Credit", "Warehouse")] == pytest.approx(2 * 10 + (4 + 1))
    assert h.table["cost"].tolist() == sorted(h.table["cost"], reverse=True)
    assert h.cost == pytest.approx(34 + 13 + 25)
    default = handoffs(_pingpong_log())
    d = CostModel.default()
    # default calendar Mon-Fri 08-17 (2024-01-01 is a Monday): o1 Credit 14:00 ->
    # Warehouse 18:00 queues 3 working hours, not 4
    assert default.table["cost"].sum() == pytest.approx(
        6 * d.handoff_cost + (4 + 3 + 4) * d.wait_cost_per_hour)
    assert default.table["queue_wait_s"].sum() == pytest.approx(11 * H)
    assert default.table["lead_time_s"].sum() == 0 and default.table["system_count"].sum() == 0


def test_graph_carries_the_table():
    h = handoffs(_pingpong_log())
    assert set(h.graph.nodes) == {"Sales", "Credit", "Warehouse"}
    assert h.graph.number_of_edges() == len(h.table)
    for row in h.table.to_dict("records"):
        attrs = h.graph.edges[row["source"], row["target"]]
        for key in TABLE_COLUMNS[2:]:
            assert attrs[key] == row[key]


def test_graph_measures_by_hand():
    h = handoffs(_pingpong_log())
    m = graph_measures(h).set_index("actor")
    assert m.loc["Sales", "out_count"] == 3 and m.loc["Sales", "in_count"] == 1
    assert m.loc["Credit", "in_count"] == 3 and m.loc["Credit", "out_count"] == 3
    assert m.loc["Warehouse", "out_degree"] == 0 and m.loc["Warehouse", "in_degree"] == 1
    # The only cycle is Sales <-> Credit.
    assert m["cycles"].to_dict() == {"Sales": 1, "Credit": 1, "Warehouse": 0}
    # Credit lies on the only shortest path Sales -> Warehouse; normalised by (n-1)(n-2) = 2.
    assert m.loc["Credit", "betweenness"] == pytest.approx(0.5)
    assert m.loc["Sales", "betweenness"] == 0 and m.loc["Warehouse", "betweenness"] == 0
    assert m["pagerank"].sum() == pytest.approx(1.0)
    assert m["pingpong"].to_dict() == {"Sales": 1, "Credit": 1, "Warehouse": 0}
    assert m.index[0] == "Credit"


def test_repr_html_shows_the_table():
    page = handoffs(_pingpong_log())._repr_html_()
    assert "<table" in page and "Warehouse" in page and "pingpong" in page


# -- causal handoffs -------------------------------------------------------------------------
def _concurrency_log():
    # Credit check and picking run in parallel after Enter: both orders occur.
    return _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Check credit", "2024-01-01 10:00", "Credit"),
        ("o1", "Pick", "2024-01-01 11:00", "Warehouse"),
        ("o1", "Invoice", "2024-01-01 12:00", "Billing"),
        ("o2", "Enter", "2024-01-01 09:00", "Sales"),
        ("o2", "Pick", "2024-01-01 10:00", "Warehouse"),
        ("o2", "Check credit", "2024-01-01 11:00", "Credit"),
        ("o2", "Invoice", "2024-01-01 12:00", "Billing"),
        ("o3", "Enter", "2024-01-01 09:00", "Sales"),
        ("o3", "Enter", "2024-01-01 09:30", "Sales"),
        ("o3", "Pick", "2024-01-01 10:00", "Warehouse"),
    ])


def test_concurrent_pairs_by_hand():
    # Directly follows: Enter>Check, Check>Pick, Pick>Invoice, Enter>Pick, Pick>Check,
    # Check>Invoice, Enter>Enter. Only Check/Pick go both ways (Enter>Enter is a loop).
    assert concurrent_activities(_concurrency_log()) == {
        ("Check credit", "Pick"), ("Pick", "Check credit")}


def test_causal_count_excludes_concurrent_successions():
    h = handoffs(_concurrency_log())
    t = h.table.set_index(["source", "target"])
    assert t.loc[("Credit", "Warehouse"), "count"] == 1
    assert t.loc[("Credit", "Warehouse"), "causal_count"] == 0
    assert t.loc[("Warehouse", "Credit"), "causal_count"] == 0
    assert t.loc[("Sales", "Credit"), "causal_count"] == 1
    assert h.count == 7 and h.causal_count == 5


def test_concurrent_override():
    h = handoffs(_concurrency_log(), concurrent={("Invoice", "Pick")})
    t = h.table.set_index(["source", "target"])
    assert t.loc[("Credit", "Warehouse"), "causal_count"] == 1  # no longer concurrent
    assert t.loc[("Warehouse", "Billing"), "causal_count"] == 0  # Pick -> Invoice now is
    assert t.loc[("Credit", "Billing"), "causal_count"] == 1
    assert handoffs(_concurrency_log(), concurrent=()).causal_count == 7
    with pytest.raises(UsageError, match="pairs"):
        handoffs(_concurrency_log(), concurrent=["Pick"])


# -- against pm4py ---------------------------------------------------------------------------
def _pm4py():
    from tests._pm4py_logs import pm4py

    return pm4py()


def _read_xes(path):
    pm4py = _pm4py()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.read_xes(str(path))
    # The order procmine defines: case, then time, ties in file order.
    df = df.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    return df.reset_index(drop=True)


def _to_log(df, department=None):
    frame = pd.DataFrame({
        "case_id": df["case:concept:name"].astype("str"),
        "activity": df["concept:name"],
        "timestamp": df["time:timestamp"],
        "resource": df["org:resource"],
    })
    if department:
        frame["department"] = df[department]
    return EventLog.from_frame(frame, name="xes")


def _pm4py_raw_handover(df, key):
    """pm4py's handover-of-work network (beta = 0) with its normalisation undone.

    pm4py divides each count by the number of directly-following pairs in the log
    (self-handovers included), i.e. events minus cases; multiply back.
    """
    pm4py = _pm4py()
    sna = pm4py.discover_handover_of_work_network(df, beta=0, resource_key=key)
    dividend = len(df) - df["case:concept:name"].nunique()
    counts = {pair: round(v * dividend) for pair, v in sna.connections.items()}
    return {pair: c for pair, c in counts.items() if pair[0] != pair[1] and c}


@pytest.mark.real_logs
@pytest.mark.parametrize(
    ("name", "key", "level"),
    [("running-example.xes", "org:resource", "resource"),
     ("receipt.xes.gz", "org:resource", "resource"),
     ("receipt.xes.gz", "org:group", "department")],
)
def test_counts_agree_with_pm4py_handover_of_work(real_logs_dir, name, key, level):
    df = _read_xes(real_logs_dir / name)
    log = _to_log(df, department=key if level == "department" else None)
    expected = _pm4py_raw_handover(df, key)
    assert expected, "pm4py found no handover"
    assert _edges(handoffs(log, level=level)) == expected


@pytest.mark.real_logs
def test_concurrency_agrees_with_pm4py_footprints_on_running_example(real_logs_dir):
    df = _read_xes(real_logs_dir / "running-example.xes")
    parallel = _pm4py().discover_footprints(df)["parallel"]
    expected = {(a, b) for a, b in parallel if a != b}  # procmine requires a != b
    assert expected
    assert concurrent_activities(_to_log(df)) == expected


def test_concurrency_agrees_with_pm4py_footprints_on_hand_built_log():
    log = _concurrency_log()
    df = pd.DataFrame({
        "case:concept:name": log.events["case_id"].astype(object),
        "concept:name": log.events["activity"].astype(object),
        "time:timestamp": log.events["timestamp"],
    })
    parallel = _pm4py().discover_footprints(df)["parallel"]
    # pm4py's footprint also puts a length-one loop (Enter > Enter) in 'parallel';
    # procmine's definition requires a != b, so the diagonal is left out.
    assert ("Enter", "Enter") in parallel
    assert concurrent_activities(log) == {(a, b) for a, b in parallel if a != b}


def test_cycle_counts_agree_with_networkx_enumeration():
    import networkx as nx

    from procmine.analysis.handoffs import _cycles_through

    for seed in range(20):
        g = nx.gnp_random_graph(10, 0.3, directed=True, seed=seed)
        nodes = list(g.nodes)
        for length in (2, 3, 4):
            expected = dict.fromkeys(nodes, 0)
            for cycle in nx.simple_cycles(g, length_bound=length):
                for v in cycle:
                    expected[v] += 1
            assert _cycles_through(g, nodes, length).tolist() == [expected[v] for v in nodes]


def test_graph_measures_longer_cycles():
    # Sales -> Credit -> Warehouse -> Sales: one 3-cycle, no 2-cycle.
    log = _log([
        ("o1", "Enter", "2024-01-01 09:00", "Sales"),
        ("o1", "Check", "2024-01-01 10:00", "Credit"),
        ("o1", "Pick", "2024-01-01 11:00", "Warehouse"),
        ("o1", "Fix", "2024-01-01 12:00", "Sales"),
    ])
    h = handoffs(log)
    assert graph_measures(h, max_cycle_length=2)["cycles"].tolist() == [0, 0, 0]
    assert graph_measures(h, max_cycle_length=3)["cycles"].tolist() == [1, 1, 1]
    assert graph_measures(h, max_cycle_length=5)["cycles"].tolist() == [1, 1, 1]


def test_events_and_graph_are_built_once_and_match_handoff_events():
    log = _pingpong_log()
    h = handoffs(log)
    assert h.events is h.events and h.graph is h.graph
    pd.testing.assert_frame_equal(h.events, handoff_events(log))
    assert h.count == len(h.events) == 6


def test_unknown_concurrent_activity_raises_with_close_matches():
    import pandas as pd

    from procmine import EventLog, UsageError, handoffs

    f = pd.DataFrame({"case_id": ["o1"] * 3, "activity": ["Enter", "Pick", "Invoice"],
                      "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                                   "2024-01-01 11:00"], utc=True),
                      "department": ["Sales", "Warehouse", "Billing"]})
    log = EventLog.from_frame(f)
    with pytest.raises(UsageError, match=r"concurrent=: the log has no activity 'Invoce' "
                                         r"\(did you mean 'Invoice'\?\)"):
        handoffs(log, concurrent={("Pick", "Invoce")})
    # a real pair is taken: Pick→Invoice is then not causal
    h = handoffs(log, concurrent={("Pick", "Invoice")})
    assert h.count == 2 and h.causal_count == 1


def test_outside_party_without_department_is_a_department_level_actor():
    import pandas as pd

    from procmine import EventLog, handoffs

    f = pd.DataFrame({"case_id": ["o1"] * 4,
                      "activity": ["Web order", "Enter", "Scan parcel", "Invoice"],
                      "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                                   "2024-01-01 11:00", "2024-01-01 12:00"],
                                                  utc=True),
                      "department": [None, "Sales", None, "Billing"],
                      "party": ["customer", "internal", "carrier", "internal"]})
    h = handoffs(EventLog.from_frame(f), level="department")
    assert h.events[["source", "target"]].values.tolist() == [
        ["customer", "Sales"], ["Sales", "carrier"], ["carrier", "Billing"]]
    # an internal event without a department is still skipped
    f.loc[2, "party"] = "internal"
    h = handoffs(EventLog.from_frame(f), level="department")
    assert h.events[["source", "target"]].values.tolist() == [
        ["customer", "Sales"], ["Sales", "Billing"]]


def _pairs_log(forward: int, backward: int):
    import numpy as np
    import pandas as pd

    from procmine import EventLog

    n = forward + backward
    first = np.where(np.arange(n) < forward, "Pick", "Invoice")
    second = np.where(np.arange(n) < forward, "Invoice", "Pick")
    cases = np.repeat([f"o{i}" for i in range(n)], 2)
    activity = np.column_stack([first, second]).ravel()
    hours = np.tile([0, 1], n) + np.repeat(np.arange(n) * 2, 2)
    department = np.where(activity == "Pick", "Warehouse", "Billing")
    return EventLog.from_frame(pd.DataFrame({
        "case_id": cases, "activity": activity, "department": department,
        "timestamp": pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(hours, unit="h")}))


def test_one_noisy_reversal_in_28000_is_causal():
    from procmine import handoffs
    from procmine.analysis.handoffs import concurrent_activities

    log = _pairs_log(28_000, 1)
    # dependency (28000 - 1) / (28000 + 1 + 1) = 0.99993 >= 0.9
    assert concurrent_activities(log) == frozenset()
    h = handoffs(log)
    assert h.count == 28_001 and h.causal_count == 28_001


def test_a_real_parallel_split_is_concurrent():
    from procmine import handoffs
    from procmine.analysis.handoffs import concurrent_activities

    log = _pairs_log(500, 480)  # dependency 20 / 981 = 0.02
    assert concurrent_activities(log) == {("Pick", "Invoice"), ("Invoice", "Pick")}
    assert handoffs(log).causal_count == 0
    # the threshold is the heuristics miner's: 19 to 1 is 18 / 21 = 0.857
    log = _pairs_log(19, 1)
    assert concurrent_activities(log, dependency_threshold=0.9) != frozenset()
    assert concurrent_activities(log, dependency_threshold=0.85) == frozenset()
