"""Directly-follows maps: hand-computed expectations and agreement with pm4py's discover_dfg."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pm4py_logs import canonical, pm4py, read_order_management, read_xes
from conftest import make_frame

import procmine
from procmine import EventLog, UsageError
from procmine.discovery.dfg import END, START, process_map, process_map_of
from procmine.log.actors import actor_codes, case_codes, handoff_positions


def _log(rows, name="t"):
    return EventLog.from_frame(make_frame(rows), name=name)


def _edge_counts(pmap):
    table = pmap.edges[["source", "target", "count"]]
    return {(a, b): n for a, b, n in table.itertuples(index=False)}


def _pm4py_dfg(log: EventLog):
    frame = pd.DataFrame({
        "case:concept:name": log.events["case_id"].astype(object),
        "concept:name": log.events["activity"].astype(object),
        "time:timestamp": log.events["timestamp"],
    })
    dfg, start, end = pm4py().discover_dfg(frame)
    return dict(dfg), dict(start), dict(end)


TINY = [
    ("o1", "Enter", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Check", "2024-01-01 09:30", "bob", "Credit"),
    ("o1", "Pick", "2024-01-01 11:00", "cy", "Warehouse"),
    ("o1", "Ship", "2024-01-01 15:00", "dee", "Warehouse"),
    ("o2", "Enter", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-02 09:10", "cy", "Warehouse"),
    ("o2", "Ship", "2024-01-02 10:10", "dee", "Warehouse"),
    ("o3", "Enter", "2024-01-03 09:00", "ann", "Sales"),
    ("o3", "Check", "2024-01-03 10:00", "bob", "Credit"),
    ("o3", "Check", "2024-01-03 12:00", "bob", "Sales"),
]


def test_hand_computed_counts_waits_and_terminals():
    pmap = process_map(_log(TINY))
    assert _edge_counts(pmap) == {
        ("Enter", "Check"): 2, ("Check", "Pick"): 1, ("Pick", "Ship"): 2,
        ("Enter", "Pick"): 1, ("Check", "Check"): 1,
    }
    edges = pmap.edges.set_index(["source", "target"])
    # Enter->Check waits 30 min and 60 min
    assert edges.loc[("Enter", "Check"), "median_wait_s"] == 2700.0
    assert edges.loc[("Enter", "Check"), "mean_wait_s"] == 2700.0
    assert edges.loc[("Enter", "Check"), "p90_wait_s"] == pytest.approx(1800 + 0.9 * 1800)
    # Pick->Ship waits 4 h and 1 h
    assert edges.loc[("Pick", "Ship"), "median_wait_s"] == 9000.0
    assert edges.loc[("Pick", "Ship"), "cases"] == 2
    assert dict(pmap.start.values.tolist()) == {"Enter": 3}
    assert dict(pmap.end.values.tolist()) == {"Ship": 2, "Check": 1}
    nodes = pmap.nodes.set_index("activity")
    assert nodes.loc["Check", "count"] == 3 and nodes.loc["Check", "cases"] == 2
    # Check: Credit twice, Sales once -> Credit
    assert nodes.loc["Check", "department"] == "Credit"
    assert edges.loc[("Enter", "Check"), "handoff"]
    assert edges.loc[("Enter", "Check"), "handoffs"] == 2
    assert not edges.loc[("Pick", "Ship"), "handoff"]
    # o3's second Check is done by Sales after Credit's: work changes hands on Check -> Check
    # (the activities' most frequent departments, both Credit, do not decide it)
    assert edges.loc[("Check", "Check"), "handoffs"] == 1
    assert pmap.n_events == 10 and pmap.n_cases == 3
    assert not pmap.simplified


def test_tables_have_the_contract_columns_and_order():
    pmap = process_map(_log(TINY))
    assert list(pmap.nodes.columns) == ["activity", "count", "cases", "department", "party"]
    assert set(pmap.nodes["party"]) == {"internal"}
    assert list(pmap.edges.columns) == ["source", "target", "count", "cases", "median_wait_s",
                                        "mean_wait_s", "p90_wait_s", "handoffs", "handoff"]
    assert pmap.edges["handoffs"].dtype == "int64" and pmap.edges["handoff"].dtype == bool
    assert pmap.table is pmap.edges
    assert set(pmap.tables) == {"nodes", "edges", "start", "end"}
    assert pmap.tables["nodes"] is pmap.nodes
    assert pmap.nodes["activity"].tolist() == ["Check", "Enter", "Pick", "Ship"]  # 3,3,2,2
    counts = pmap.edges["count"].tolist()
    assert counts == sorted(counts, reverse=True)
    assert list(pmap.edge_table().columns) == ["source", "target", "count", "median_wait_s"]


def test_graph_has_start_and_end():
    graph = process_map(_log(TINY)).graph
    assert graph.has_edge(START, "Enter") and graph[START]["Enter"]["count"] == 3
    assert graph.has_edge("Check", END)
    assert graph["Pick"]["Ship"]["count"] == 2


def test_equals_pm4py_on_hand_built_log():
    log = _log(TINY)
    dfg, start, end = _pm4py_dfg(log)
    pmap = process_map(log)
    assert _edge_counts(pmap) == dfg
    assert dict(pmap.start.values.tolist()) == start
    assert dict(pmap.end.values.tolist()) == end


def test_timestamp_ties_keep_input_order():
    rows = [("o1", "B", "2024-01-01 09:00"), ("o1", "A", "2024-01-01 09:00"),
            ("o1", "C", "2024-01-01 10:00")]
    pmap = process_map(_log(rows))
    assert _edge_counts(pmap) == {("B", "A"): 1, ("A", "C"): 1}
    assert pmap.edges.set_index(["source", "target"]).loc[("B", "A"), "median_wait_s"] == 0.0


def test_empty_log():
    frame = pd.DataFrame({"case_id": pd.Series([], dtype="str"),
                          "activity": pd.Series([], dtype="str"),
                          "timestamp": pd.Series([], dtype="datetime64[us, UTC]")})
    pmap = process_map(EventLog.from_frame(frame))
    assert pmap.nodes.empty and pmap.edges.empty and pmap.start.empty and pmap.end.empty
    assert list(pmap.edges.columns)[:3] == ["source", "target", "count"]
    assert pmap.n_events == 0


def test_single_event():
    pmap = process_map(_log([("o1", "Enter", "2024-01-01 09:00")]))
    assert pmap.edges.empty
    assert pmap.nodes[["activity", "count", "cases"]].values.tolist() == [["Enter", 1, 1]]
    assert dict(pmap.start.values.tolist()) == {"Enter": 1} == dict(pmap.end.values.tolist())


def test_missing_departments_give_no_handoffs():
    rows = [("o1", "A", "2024-01-01 09:00", None, None), ("o1", "B", "2024-01-01 10:00", None, "X")]
    pmap = process_map(_log(rows))
    assert pmap.nodes.set_index("activity")["department"].isna().tolist() == [True, False] or \
        pmap.nodes.set_index("activity").loc["A", "department"] != pmap.nodes.set_index(
            "activity").loc["A", "department"]
    assert not pmap.edges["handoff"].any()


def test_activity_filter_reconnects_remaining_events():
    rows = [("o1", "A", "2024-01-01 09:00"), ("o1", "x", "2024-01-01 10:00"),
            ("o1", "B", "2024-01-01 11:00"), ("o2", "A", "2024-01-02 09:00"),
            ("o2", "B", "2024-01-02 10:00")]
    pmap = process_map(_log(rows), activities=0.8)  # A, B = 4 of 5 events
    assert pmap.activities == ["A", "B"]
    assert _edge_counts(pmap) == {("A", "B"): 2}
    assert pmap.simplified and pmap.activity_coverage == 0.8


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), "lots"])
def test_bad_coverage_is_usage_error(bad):
    with pytest.raises(UsageError, match=r"fraction|number"):
        process_map(_log(TINY), paths=bad)
    with pytest.raises(UsageError):
        process_map(_log(TINY), activities=bad)


def test_more_than_30_activities_start_simplified():
    rows = []
    for i in range(35):  # activity a00 has 35 events ... a34 has 1
        rows += [(f"c{k}", f"a{i:02d}", f"2024-01-01 {i % 24:02d}:00") for k in range(35 - i)]
    pmap = process_map(_log(rows))
    assert pmap.simplified and len(pmap.nodes) == 30
    assert pmap.activities == [f"a{i:02d}" for i in range(30)]
    total = sum(range(1, 36))
    assert pmap.activity_coverage == pytest.approx(sum(range(6, 36)) / total)
    assert len(process_map(_log(rows), activities=1.0).nodes) == 35


# -- the public logs --------------------------------------------------------------------------
def _assert_equals_pm4py(frame: pd.DataFrame, log: EventLog) -> None:
    dfg, start, end = pm4py().discover_dfg(frame)
    pmap = process_map(log, activities=1.0, paths=1.0)
    assert _edge_counts(pmap) == {k: int(v) for k, v in dfg.items()}
    assert dict(pmap.start.values.tolist()) == {k: int(v) for k, v in start.items()}
    assert dict(pmap.end.values.tolist()) == {k: int(v) for k, v in end.items()}
    assert pmap.nodes["count"].sum() == len(frame)


# procmine reads the logs (procmine.load / its OCEL reader); pm4py reads them again on its own
# and its discover_dfg gives the expectation.
@pytest.mark.real_logs
def test_equals_pm4py_on_running_example(real_logs_dir):
    path = real_logs_dir / "running-example.xes"
    _assert_equals_pm4py(read_xes(path), procmine.load(path))


@pytest.mark.real_logs
@pytest.mark.slow
def test_equals_pm4py_on_receipt(real_logs_dir):
    path = real_logs_dir / "receipt.xes.gz"
    _assert_equals_pm4py(read_xes(path), procmine.load(path))


@pytest.mark.real_logs
@pytest.mark.slow
def test_equals_pm4py_on_order_management_flattened_on_orders(real_logs_dir, tmp_path_factory):
    from procmine.io.ocel import read_ocel

    frame = read_order_management(real_logs_dir, tmp_path_factory.mktemp("ocel"))
    # pm4py.ocel_flattening keeps the events related to the order itself: include="direct"
    log = EventLog.from_result(read_ocel(real_logs_dir / "ocel2_order-management.xml.gz",
                                         object_type="orders", include="direct"))
    _assert_equals_pm4py(frame, log)


@pytest.mark.real_logs
@pytest.mark.slow
def test_equals_pm4py_on_order_management_as_procmine_loads_it(real_logs_dir):
    # procmine.load's default order view also takes the events of an order's items; pm4py's
    # discover_dfg on that same flattened frame is the expectation
    log = procmine.load(real_logs_dir / "ocel2_order-management.xml.gz")
    dfg, start, end = _pm4py_dfg(log)
    pmap = process_map(log, activities=1.0, paths=1.0)
    assert _edge_counts(pmap) == {k: int(v) for k, v in dfg.items()}
    assert dict(pmap.start.values.tolist()) == {k: int(v) for k, v in start.items()}
    assert dict(pmap.end.values.tolist()) == {k: int(v) for k, v in end.items()}


@pytest.mark.real_logs
def test_pm4py_built_log_gives_the_same_map_as_procmine_load(real_logs_dir):
    path = real_logs_dir / "running-example.xes"
    ours = process_map(procmine.load(path), activities=1.0, paths=1.0)
    theirs = process_map(canonical(read_xes(path), name="r"), activities=1.0, paths=1.0)
    cols = ["source", "target", "count", "median_wait_s"]
    pd.testing.assert_frame_equal(ours.edges[cols], theirs.edges[cols])


def test_outside_parties_make_lanes_for_handoffs():
    frame = make_frame([
        ("o1", "Order online", "2024-01-01 09:00", None, None),
        ("o1", "Confirm", "2024-01-01 10:00", "ann", "Sales"),
        ("o1", "Note", "2024-01-01 10:30", None, None),
        ("o1", "Deliver", "2024-01-01 11:00", None, None),
    ])
    frame["party"] = ["customer", "internal", "internal", "carrier"]
    pmap = process_map(EventLog.from_frame(frame))
    nodes = pmap.nodes.set_index("activity")
    assert nodes.loc["Order online", "party"] == "customer"
    edges = pmap.edges.set_index(["source", "target"])["handoff"]
    assert edges[("Order online", "Confirm")]          # customer -> Sales
    assert not edges[("Confirm", "Note")]              # Note has neither department nor party
    # Sales -> carrier: Note is skipped, so the handoff lands on the path into Deliver
    assert edges[("Note", "Deliver")]


# -- handoff edges come from the one handoff counter ------------------------------------------
def _department_handoffs(events: pd.DataFrame) -> int:
    cases = case_codes(events)
    return len(handoff_positions(cases, actor_codes(events, "department")[0])[0])


def test_handoffs_on_edges_sum_to_the_logs_department_handoffs_on_the_sample(sample_logs_dir):
    log = procmine.load(sample_logs_dir / "sources.toml")
    pmap = process_map(log, activities=1.0, paths=1.0)
    expected = _department_handoffs(log.events)
    assert expected > 0
    assert int(pmap.edges["handoffs"].sum()) == expected
    assert (pmap.edges["handoff"] == (pmap.edges["handoffs"] > 0)).all()
    assert (pmap.edges["handoffs"] <= pmap.edges["count"]).all()
    # with an activity left out, the handoffs are counted on the map's own events
    kept = pmap.nodes["activity"].iloc[:-1].tolist()
    fewer = process_map(log, activities=float(pmap.nodes["count"].iloc[:-1].sum()
                                              / pmap.nodes["count"].sum()), paths=1.0)
    assert fewer.activities == kept
    own = log.events.loc[log.events["activity"].isin(kept)]
    assert int(fewer.edges["handoffs"].sum()) == _department_handoffs(own)


# an event with no department between two departments (o1 Check), customer events with no
# department (o1 Confirm, o2 Order), a department repeated across a skipped event (o3)
HANDOFF_ROWS = [
    ("o1", "Enter", "2024-01-01 09:00", "ann", "Sales", "internal"),
    ("o1", "Check", "2024-01-01 10:00", "bot", None, "internal"),
    ("o1", "Pick", "2024-01-01 11:00", "cy", "Warehouse", "internal"),
    ("o1", "Ship", "2024-01-01 12:00", "dee", "Shipping", "internal"),
    ("o1", "Confirm", "2024-01-01 13:00", None, None, "customer"),
    ("o2", "Order", "2024-01-02 08:00", None, None, "customer"),
    ("o2", "Enter", "2024-01-02 09:00", "ann", "Sales", "internal"),
    ("o2", "Enter", "2024-01-02 09:30", "ann", "Sales", "internal"),
    ("o2", "Pick", "2024-01-02 11:00", "cy", "Warehouse", "internal"),
    ("o3", "Enter", "2024-01-03 09:00", "ann", "Sales", "internal"),
    ("o3", "Check", "2024-01-03 10:00", "bot", None, "internal"),
    ("o3", "Enter", "2024-01-03 11:00", "ann", "Sales", "internal"),
    ("o4", "Pick", "2024-01-04 09:00", "cy", "Warehouse", "internal"),
]


def _plain_pandas_handoff_edges(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Independent: walk each case's events that have an actor; a change of actor is a
    handoff; it sits on the path from the event just before its target to the target."""
    f = frame.reset_index(drop=True)
    outside = f["party"].where(f["party"].isin(["customer", "supplier", "carrier"]))
    f["who"] = f["department"].fillna(outside)
    f["previous_activity"] = f.groupby("case_id")["activity"].shift()
    known = f.loc[f["who"].notna()].copy()
    known["previous_who"] = known.groupby("case_id")["who"].shift()
    targets = known.loc[known["previous_who"].notna() & (known["who"] != known["previous_who"])]
    return targets.groupby(["previous_activity", "activity"]).size().to_dict()


def test_handoff_edges_agree_with_a_plain_pandas_walk():
    frame = make_frame(HANDOFF_ROWS, ("case_id", "activity", "timestamp", "resource",
                                      "department", "party"))
    pmap = process_map(EventLog.from_frame(frame), activities=1.0, paths=1.0)
    mine = {(a, b): int(n) for a, b, n in pmap.edges[["source", "target", "handoffs"]]
            .itertuples(index=False) if n}
    expected = _plain_pandas_handoff_edges(frame)
    assert mine == expected == {
        ("Check", "Pick"): 1,      # Sales -> Warehouse across Check (no department)
        ("Pick", "Ship"): 1,       # Warehouse -> Shipping
        ("Ship", "Confirm"): 1,    # Shipping -> customer
        ("Order", "Enter"): 1,     # customer -> Sales
        ("Enter", "Pick"): 1,      # Sales -> Warehouse
    }
    assert int(pmap.edges["handoffs"].sum()) == 5 == _department_handoffs(
        EventLog.from_frame(frame).events)
    edges = pmap.edges.set_index(["source", "target"])
    assert not edges.loc[("Check", "Enter"), "handoff"]   # o3: Sales -> Sales across Check
    assert not edges.loc[("Enter", "Enter"), "handoff"]


def test_a_dataframe_is_not_a_log():
    with pytest.raises(UsageError, match=r"process_map: expected an EventLog, got a pandas "
                                         r"DataFrame; make one with pm\.load\(df"):
        process_map(make_frame(TINY))


# -- the map of some activities (process_map_of) -------------------------------------------------
def test_map_of_some_activities_by_hand():
    frame = make_frame(HANDOFF_ROWS, ("case_id", "activity", "timestamp", "resource",
                                      "department", "party"))
    pmap = process_map_of(EventLog.from_frame(frame), ["Enter", "Pick"], paths=1.0)
    # kept events: o1 Enter Pick, o2 Enter Enter Pick, o3 Enter Enter, o4 Pick
    assert (pmap.n_events, pmap.n_cases, pmap.n_activities_total) == (8, 4, 2)
    edges = pmap.edges.set_index(["source", "target"])
    assert edges["count"].to_dict() == {("Enter", "Pick"): 2, ("Enter", "Enter"): 2}
    assert edges["handoffs"].to_dict() == {("Enter", "Pick"): 2, ("Enter", "Enter"): 0}
    # o1 09:00 -> 11:00 and o2 09:30 -> 11:00
    assert edges.loc[("Enter", "Pick"), "median_wait_s"] == (7200 + 5400) / 2
    assert dict(pmap.start.values.tolist()) == {"Enter": 3, "Pick": 1}
    assert dict(pmap.end.values.tolist()) == {"Pick": 3, "Enter": 1}


def test_map_of_some_activities_equals_the_map_of_the_filtered_log(sample_logs_dir):
    from procmine.log.filters import filter_activities

    log = procmine.load(sample_logs_dir / "sources.toml")
    ranked = process_map(log, activities=1.0).activities
    for names in (ranked[:3], ranked[:9], ranked[2:14:2], ranked):
        for paths in (None, 0.8):
            mine = process_map_of(log, names, paths=paths)
            theirs = process_map(filter_activities(log, names), paths=paths)
            for key, table in theirs.tables.items():
                pd.testing.assert_frame_equal(mine.tables[key], table)
            for field in ("name", "n_events", "n_cases", "n_activities_total", "n_edges_total",
                          "simplified", "activity_coverage", "path_coverage"):
                assert getattr(mine, field) == getattr(theirs, field), (names, paths, field)


def test_map_of_an_unknown_activity_names_the_close_match():
    with pytest.raises(UsageError, match=r"no activity 'Pikc' \(did you mean 'Pick'\?\)"):
        process_map_of(_log(TINY), ["Enter", "Pikc"])


# -- edge statistics against a plain Python walk, whatever the packing of the waits -------------
def _walk_edges(events: pd.DataFrame) -> dict[tuple[str, str], tuple]:
    """Independent: neighbouring rows of a case, waits in µs as Python ints; median
    (a + b) / 2 and p90 a + frac * (b - a) of the waits in seconds, mean from the sum."""
    micros = events["timestamp"].to_numpy(dtype="datetime64[us]").view("int64").tolist()
    cases, acts = events["case_id"].tolist(), events["activity"].tolist()
    pairs: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for i in range(1, len(cases)):
        if cases[i] == cases[i - 1]:
            pairs.setdefault((acts[i - 1], acts[i]), []).append(
                (cases[i], micros[i] - micros[i - 1]))
    out = {}
    for edge, rows in pairs.items():
        waits = sorted(w for _, w in rows)
        size = len(waits)
        median = (waits[size // 2] / 1e6 if size % 2
                  else (waits[size // 2 - 1] / 1e6 + waits[size // 2] / 1e6) / 2)
        position = 0.9 * (size - 1)
        low = int(position)
        a, b = waits[low] / 1e6, waits[min(low + 1, size - 1)] / 1e6
        out[edge] = (size, len({c for c, _ in rows}), median, sum(waits) / size / 1e6,
                     a + (position - low) * (b - a))
    return out


def _random_frame(seed: int, *, activities: int, start: str, span_years: float,
                  sparse: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = [f"step {i:02d}" for i in range(activities)]
    rows = []
    for case in range(150):
        at = pd.Timestamp(start, tz="UTC") + pd.Timedelta(
            microseconds=int(rng.integers(0, int(span_years * 365 * 86400e6))))
        step = int(rng.integers(0, activities))
        for _ in range(int(rng.integers(1, 12))):
            rows.append((f"o{case:03d}", names[step], at, ["Sales", "Credit"][step % 2]))
            step = ((step + int(rng.choice([1, 2, -1]))) % activities if sparse
                    else int(rng.integers(0, activities)))
            if rng.random() > 0.1:  # else a tie
                at += pd.Timedelta(microseconds=int(rng.integers(1, 3 * 86400e6)))
    return make_frame(rows, ("case_id", "activity", "timestamp", "department"))


@pytest.mark.parametrize(("activities", "start", "span_years", "sparse"), [
    (9, "2024-01-01", 1, False),     # waits packed with the pair key
    (12, "1700-01-01", 550, True),   # the key's bits do not fit beside 550 years: the edge's do
    (12, "1700-01-01", 550, False),  # neither fits: the waits are sorted apart
])
def test_edge_statistics_equal_a_plain_walk(activities, start, span_years, sparse):
    frame = _random_frame(activities, activities=activities, start=start,
                          span_years=span_years, sparse=sparse)
    log = EventLog.from_frame(frame)
    edges = process_map(log, activities=1.0, paths=1.0).edges
    mine = {(s, t): (n, c, m, a, p) for s, t, n, c, m, a, p in edges[
        ["source", "target", "count", "cases", "median_wait_s", "mean_wait_s",
         "p90_wait_s"]].itertuples(index=False)}
    assert mine == _walk_edges(log.events)  # exactly, to the last bit


def test_edge_statistics_of_a_log_out_of_time_order_within_cases():
    # A log built without validation, its times shuffled within each case: negative waits
    # (the packed sort must notice them and sort the waits apart).
    log = EventLog.from_frame(_random_frame(3, activities=9, start="2024-01-01",
                                            span_years=1, sparse=False))
    events = log.events.copy()
    rng = np.random.default_rng(0)
    events["timestamp"] = events.groupby("case_id")["timestamp"].transform(
        lambda t: t.sample(frac=1.0, random_state=int(rng.integers(1000))).to_numpy())
    shuffled = EventLog(events=events, name="shuffled")
    waits = events["timestamp"].diff().dt.total_seconds()
    assert (waits[events["case_id"].eq(events["case_id"].shift())] < 0).any()
    edges = process_map(shuffled, activities=1.0, paths=1.0).edges
    mine = {(s, t): (n, c, m, a, p) for s, t, n, c, m, a, p in edges[
        ["source", "target", "count", "cases", "median_wait_s", "mean_wait_s",
         "p90_wait_s"]].itertuples(index=False)}
    assert mine == _walk_edges(events)
