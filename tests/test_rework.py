"""Rework (repeat, redo, change) on tiny hand-built logs, and against a plain-Python oracle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from procmine.analysis.costs import CostModel
from procmine.analysis.rework import (
    BY_KIND_COLUMNS,
    CHANGE_PATTERN,
    EVENT_COLUMNS,
    KINDS,
    TABLE_COLUMNS,
    Rework,
    rework,
)
from procmine.errors import UsageError
from procmine.log.eventlog import EventLog

T0 = pd.Timestamp("2024-01-01 09:00", tz="UTC")  # a Monday
#: 6 minutes per manual execution at 60 an hour: 6.0 per labour event, 5.0 in Billing.
COSTS = CostModel(department_rates={"Warehouse": 60.0, "Billing": 50.0}, default_rate=60.0,
                  default_minutes=6.0)


def make_log(rows: list[dict]) -> EventLog:
    """A log from dicts with ``case``, ``activity``, ``minute`` (after T0), optional
    ``department``, ``resource``, ``party``, ``automated``, ``object_id``."""
    frame = pd.DataFrame({
        "case_id": [r["case"] for r in rows],
        "activity": [r["activity"] for r in rows],
        "timestamp": pd.to_datetime([T0 + pd.Timedelta(minutes=r.get("minute", 0))
                                     for r in rows], utc=True),
        "resource": [r.get("resource") for r in rows],
        "department": [r.get("department") for r in rows],
        "party": [r.get("party", "internal") for r in rows],
        "automated": pd.array([r.get("automated") for r in rows], dtype="boolean"),
    })
    if any("object_id" in r for r in rows):
        frame["object_id"] = [r.get("object_id") for r in rows]
    return EventLog.from_frame(frame)


def ev(case: str, activity: str, minute: int, department: str | None = "Warehouse",
       **extra: object) -> dict:
    return {"case": case, "activity": activity, "minute": minute, "department": department,
            **extra}


def kinds(result: Rework) -> list[tuple[str, str, object]]:
    return [(r.event_id, r.kind, None if pd.isna(r.previous_event_id) else r.previous_event_id)
            for r in result.events.itertuples(index=False)]


# -- shape ---------------------------------------------------------------------------------
def test_empty_log() -> None:
    r = rework(EventLog.from_frame(pd.DataFrame({
        "case_id": pd.Series([], dtype="str"), "activity": pd.Series([], dtype="str"),
        "timestamp": pd.Series([], dtype="datetime64[us, UTC]")})))
    assert r.count == 0 and r.cases == 0 and r.orders == 0
    assert r.share_of_orders == 0.0 and r.labour_cost == 0.0
    assert tuple(r.table.columns) == TABLE_COLUMNS
    assert tuple(r.events.columns) == EVENT_COLUMNS
    assert r.by_kind["kind"].tolist() == list(KINDS)
    assert r.by_kind["events"].tolist() == [0, 0, 0]
    assert r.by_kind["share_of_orders"].tolist() == [0.0, 0.0, 0.0]
    assert "0 rework events" in repr(r)


def test_one_event_is_no_rework() -> None:
    r = rework(make_log([ev("o1", "Pick", 0)]), costs=COSTS)
    assert r.count == 0 and r.orders == 1 and r.table.empty


def test_table_leading_columns_are_the_report_contract() -> None:
    assert TABLE_COLUMNS[:7] == ("activity", "level_value", "kind", "events", "cases",
                                 "share_of_orders", "labour_cost")
    assert tuple(rework(make_log([ev("o1", "Pick", 0)])).by_kind.columns) == BY_KIND_COLUMNS


# -- repeat and redo -----------------------------------------------------------------------
def test_repeat_then_redo_compares_with_the_previous_occurrence() -> None:
    # o1: Pick(W) e0, Pick(W) e1 -> repeat of e0; Pick(Shipping) e2 -> redo of e1 (its
    # previous occurrence, W != Shipping); Pick(Shipping) e3 -> repeat of e2.
    log = make_log([ev("o1", "Pick", 0), ev("o1", "Pick", 10), ev("o1", "Pick", 20, "Shipping"),
                    ev("o1", "Pick", 30, "Shipping")])
    r = rework(log, costs=COSTS)
    assert kinds(r) == [("log:1", "repeat", "log:0"), ("log:2", "redo", "log:1"),
                        ("log:3", "repeat", "log:2")]
    assert r.events["level_value"].tolist() == ["Warehouse", "Shipping", "Shipping"]


def test_missing_actor_on_either_side_is_redo() -> None:
    # o1: W then none -> redo; o2: none then W -> redo; o3: none then none -> redo
    # (internal events without a department have no actor at department level).
    log = make_log([ev("o1", "Pick", 0), ev("o1", "Pick", 1, None),
                    ev("o2", "Pick", 0, None), ev("o2", "Pick", 1),
                    ev("o3", "Pick", 0, None), ev("o3", "Pick", 1, None)])
    r = rework(log, costs=COSTS)
    assert r.events["kind"].tolist() == ["redo", "redo", "redo"]
    assert r.events["level_value"].isna().tolist() == [True, False, True]
    # the table keeps the missing actor as its own row: Pick/Warehouse/redo (o2) and
    # Pick/<none>/redo (o1, o3); 6.0 labour each event, missing rate -> default 60
    table = r.table
    assert table[["level_value", "events", "cases"]].fillna("-").values.tolist() == [
        ["-", 2, 2], ["Warehouse", 1, 1]]
    assert table["labour_cost"].tolist() == [12.0, 6.0]
    assert table["share_of_orders"].tolist() == [2 / 3, 1 / 3]


def test_ties_in_time_keep_input_order() -> None:
    # two Picks at the same minute: the first in the input is the first occurrence
    rows = [ev("o1", "Pick", 5, "Warehouse"), ev("o1", "Pick", 5, "Shipping")]
    r = rework(make_log(rows), costs=COSTS)
    assert kinds(r) == [("log:1", "redo", "log:0")]
    assert r.events["level_value"].tolist() == ["Shipping"]
    r2 = rework(make_log(rows[::-1]), costs=COSTS)
    assert kinds(r2) == [("log:1", "redo", "log:0")]
    assert r2.events["level_value"].tolist() == ["Warehouse"]


def test_other_cases_and_activities_do_not_count() -> None:
    log = make_log([ev("o1", "Pick", 0), ev("o1", "Pack", 1), ev("o2", "Pick", 0)])
    assert rework(log, costs=COSTS).count == 0


def test_level_resource() -> None:
    # same department, different resources: repeat by department, redo by resource
    log = make_log([ev("o1", "Pick", 0, resource="ann"), ev("o1", "Pick", 1, resource="bob")])
    assert rework(log, costs=COSTS).events["kind"].tolist() == ["repeat"]
    by_resource = rework(log, level="resource", costs=COSTS)
    assert by_resource.events["kind"].tolist() == ["redo"]
    assert by_resource.events["level_value"].tolist() == ["bob"]
    assert by_resource.level == "resource"


# -- change activities ---------------------------------------------------------------------
@pytest.mark.parametrize("activity", [
    "Change delivery date", "Quantity changed", "Address Correction", "Order updated",
    "Updating price", "Amendment of lines", "Price corrected", "changes requested",
])
def test_change_pattern_matches(activity: str) -> None:
    r = rework(make_log([ev("o1", activity, 0)]), costs=COSTS)
    assert kinds(r) == [("log:0", "change", None)]


@pytest.mark.parametrize("activity", ["Changeover", "Exchange goods", "Incorrect scan",
                                      "Updater run", "Pick"])
def test_change_pattern_whole_words_only(activity: str) -> None:
    assert rework(make_log([ev("o1", activity, 0)]), costs=COSTS).count == 0


def test_change_first_and_second_occurrence() -> None:
    # e0 change (no earlier occurrence), e1 Pick, e2 change again -> previous e0,
    # kind stays change even by the same department
    log = make_log([ev("o1", "Change date", 0, "Sales"), ev("o1", "Pick", 1),
                    ev("o1", "Change date", 2, "Sales")])
    r = rework(log, costs=COSTS)
    assert kinds(r) == [("log:0", "change", None), ("log:2", "change", "log:0")]
    assert r.by_kind.set_index("kind")["events"].to_dict() == {"repeat": 0, "redo": 0,
                                                                "change": 2}
    assert r.by_kind.set_index("kind")["cases"].to_dict() == {"repeat": 0, "redo": 0,
                                                               "change": 1}


def test_custom_change_pattern_and_bad_pattern() -> None:
    log = make_log([ev("o1", "Fix address", 0), ev("o1", "Change date", 1)])
    r = rework(log, change_pattern=r"(?i)\bfix\b", costs=COSTS)
    assert r.events["activity"].tolist() == ["Fix address"]
    assert r.change_pattern == r"(?i)\bfix\b"
    assert rework(log).change_pattern == CHANGE_PATTERN
    with pytest.raises(UsageError, match="change_pattern"):
        rework(log, change_pattern="(unclosed")
    with pytest.raises(UsageError, match="change_pattern"):
        rework(log, change_pattern=3)  # type: ignore[arg-type]


# -- sub-objects ---------------------------------------------------------------------------
def test_same_step_for_another_object_is_not_rework() -> None:
    # Pack P1 e0, Pack P2 e1 (another package: not rework), Pack P1 e2 -> repeat of e0
    log = make_log([ev("o1", "Pack", 0, object_id="P1"), ev("o1", "Pack", 1, object_id="P2"),
                    ev("o1", "Pack", 2, object_id="P1")])
    r = rework(log, costs=COSTS)
    assert kinds(r) == [("log:2", "repeat", "log:0")]
    assert r.events["object_id"].tolist() == ["P1"]


def test_missing_object_is_the_order_itself() -> None:
    # Pack (order) e0, Pack P1 e1 (another object: not rework), Pack (order) e2 -> of e0,
    # Pack P1 e3 -> of e1
    log = make_log([ev("o1", "Pack", 0), ev("o1", "Pack", 1, object_id="P1"),
                    ev("o1", "Pack", 2), ev("o1", "Pack", 3, object_id="P1")])
    r = rework(log, costs=COSTS)
    assert kinds(r) == [("log:2", "repeat", "log:0"), ("log:3", "repeat", "log:1")]
    assert r.events["object_id"].isna().tolist() == [True, False]


def test_without_object_column_object_id_is_missing() -> None:
    r = rework(make_log([ev("o1", "Pack", 0), ev("o1", "Pack", 1)]), costs=COSTS)
    assert r.events["object_id"].isna().all()


# -- labour --------------------------------------------------------------------------------
def test_automated_and_outside_party_events_cost_no_labour() -> None:
    # e1 repeat, automated -> 0; e2 redo by the customer (party fills the department
    # level) -> 0; e3 repeat manual in Billing: 6 min at 50/h = 5.0; e4 redo by Warehouse
    # manual: 6 min at 60/h = 6.0
    log = make_log([
        ev("o1", "Enter", 0, "Billing"),
        ev("o1", "Enter", 1, "Billing", automated=True),
        ev("o1", "Enter", 2, None, party="customer"),
        ev("o1", "Enter", 3, None, party="customer"),
        ev("o1", "Enter", 4, "Billing"),
        ev("o1", "Enter", 5, "Warehouse"),
    ])
    r = rework(log, costs=COSTS)
    assert r.events["kind"].tolist() == ["repeat", "redo", "repeat", "redo", "redo"]
    assert r.events["level_value"].tolist() == ["Billing", "customer", "customer",
                                                "Billing", "Warehouse"]
    assert r.events["labour_minutes"].tolist() == [0.0, 0.0, 0.0, 6.0, 6.0]
    assert r.events["labour_cost"].tolist() == [0.0, 0.0, 0.0, 5.0, 6.0]
    assert r.labour_cost == 11.0


def test_table_sorted_by_labour_cost_then_names() -> None:
    # o1: Pick W, Pick W (repeat 6.0), Pack W, Pack W (repeat 6.0), Bill B, Bill B
    # (repeat 5.0); o2: Pick W, Pick W (repeat 6.0) -> Pick/W/repeat 2 events 12.0 in
    # 2 of 2 orders; Pack 6.0; Bill 5.0
    log = make_log([ev("o1", "Pick", 0), ev("o1", "Pick", 1), ev("o1", "Pack", 2),
                    ev("o1", "Pack", 3), ev("o1", "Bill", 4, "Billing"),
                    ev("o1", "Bill", 5, "Billing"), ev("o2", "Pick", 0), ev("o2", "Pick", 1)])
    table = rework(log, costs=COSTS).table
    assert table[["activity", "events", "cases", "share_of_orders", "labour_cost",
                  "labour_minutes"]].values.tolist() == [
        ["Pick", 2, 2, 1.0, 12.0, 12.0], ["Pack", 1, 1, 0.5, 6.0, 6.0],
        ["Bill", 1, 1, 0.5, 5.0, 6.0]]


def test_equal_costs_sort_by_activity_level_kind() -> None:
    # all automated: every cost 0, so names decide
    rows = [ev("o1", a, i, d, automated=True) for i, (a, d) in enumerate(
        [("B", "W"), ("B", "W"), ("A", "X"), ("A", "W"), ("A", "W")])]
    table = rework(make_log(rows), costs=COSTS).table
    assert table[["activity", "level_value", "kind"]].values.tolist() == [
        ["A", "W", "redo"], ["A", "W", "repeat"], ["B", "W", "repeat"]]


def test_default_costs() -> None:
    r = rework(make_log([ev("o1", "Pick", 0), ev("o1", "Pick", 1)]))
    default = CostModel.default()
    assert r.labour_cost == pytest.approx(default.minutes("Pick") / 60 * default.rate("Warehouse"))


# -- errors and display --------------------------------------------------------------------
def test_errors() -> None:
    log = make_log([ev("o1", "Pick", 0)])
    with pytest.raises(UsageError, match="level"):
        rework(log, level="team")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="rework: expected an EventLog"):
        rework(log.events)
    with pytest.raises(TypeError):
        rework(log, "department")  # type: ignore[call-arg]


def test_repr_and_html_escape_and_truncate() -> None:
    rows = [ev("o1", f"<b>step {i}</b>", 2 * i + j) for i in range(30) for j in range(2)]
    r = rework(make_log(rows), costs=COSTS)
    assert r.count == 30 and len(r.table) == 30
    assert repr(r).startswith("Rework(level='department': 30 rework events (30 repeat, 0 redo")
    from procmine._display import MAX_ROWS
    from procmine.render.tables import register

    register()  # the notebook displays (procmine.render.tables): _repr_html_ shows them
    shown = r._repr_html_()
    assert "<b>step" not in shown and "&lt;b&gt;step 0&lt;/b&gt;" in shown
    assert f"… {30 - MAX_ROWS} more rows" in shown
    assert set(r.tables) == {"table", "events", "by_kind"}
    assert r.tables["table"] is r.table


def test_caller_frame_not_modified() -> None:
    log = make_log([ev("o1", "Pick", 0), ev("o1", "Pick", 1)])
    before = log.events.copy()
    rework(log, costs=COSTS)
    pd.testing.assert_frame_equal(log.events, before)


# -- property: equals a plain-Python loop --------------------------------------------------
OUTSIDE = ("customer", "supplier", "carrier")


def oracle(log: EventLog, costs: CostModel, pattern: str = CHANGE_PATTERN
           ) -> list[tuple]:
    """Rework by walking the events one by one (the definition, spelt out)."""
    import re

    rx = re.compile(pattern)
    out = []
    last: dict[tuple, tuple[str, object]] = {}
    for row in log.events.to_dict("records"):
        dept, party = row["department"], str(row["party"])
        who = dept if isinstance(dept, str) else (party if party in OUTSIDE else None)
        obj = row.get("object_id")
        obj = obj if isinstance(obj, str) else None
        key = (row["case_id"], row["activity"], obj)
        before = last.get(key)
        last[key] = (row["event_id"], who)
        if rx.search(row["activity"]):
            kind = "change"
        elif before is None:
            continue
        else:
            kind = "repeat" if who is not None and before[1] == who else "redo"
        manual = row["automated"] is not True and party == "internal"
        minutes = costs.minutes(row["activity"]) if manual else 0.0
        cost = minutes / 60 * costs.rate(dept if isinstance(dept, str) else None)
        out.append((row["case_id"], row["event_id"], row["activity"], who, kind,
                    before[0] if before else None, obj, minutes, cost))
    return out


def random_log(seed: int) -> EventLog:
    rng = np.random.default_rng(seed)
    activities = ["Pick", "Pack", "Pick", "Pack", "Invoice", "Change date", "Address corrected"]
    departments = ["Warehouse", "Billing", "Warehouse", None]
    parties = ["internal", "internal", "internal", "customer", "carrier"]
    rows = []
    for case in range(int(rng.integers(1, 7))):
        for _ in range(int(rng.integers(0, 9))):
            rows.append({
                "case": f"c{case}", "activity": str(rng.choice(activities)),
                "minute": int(rng.integers(0, 6)),  # many ties
                "department": departments[int(rng.integers(0, 4))],
                "party": parties[int(rng.integers(0, 5))],
                "automated": [None, True, False][int(rng.integers(0, 3))],
                "object_id": [None, None, "P1", "P2"][int(rng.integers(0, 4))],
            })
    rows = [rows[i] for i in rng.permutation(len(rows))]
    if not rows:
        rows = [{"case": "c0", "activity": "Pick", "minute": 0}]
    return make_log(rows)


@pytest.mark.parametrize("seed", range(20))
def test_matches_plain_python_oracle(seed: int) -> None:
    log = random_log(seed)
    r = rework(log, costs=COSTS)
    got: list[tuple] = [tuple(None if not isinstance(v, str) and pd.isna(v) else v for v in row)
           for row in r.events.itertuples(index=False, name=None)]
    expected = oracle(log, COSTS)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[:7] == e[:7]
        assert math.isclose(g[7], e[7]) and math.isclose(g[8], e[8], abs_tol=1e-12)
    # the table: per (activity, level_value, kind) counts and distinct cases
    table: dict[tuple, list] = {}
    for e in expected:
        entry = table.setdefault((e[2], e[3], e[4]), [0, set(), 0.0])
        entry[0] += 1
        entry[1].add(e[0])
        entry[2] += e[8]
    got_table = {(a, None if pd.isna(v) else v, k): (n, c, s, cost)
                 for a, v, k, n, c, s, cost in r.table.iloc[:, :7].itertuples(index=False)}
    assert set(got_table) == set(table)
    for key, (n, cases, cost) in table.items():
        assert got_table[key][:2] == (n, len(cases))
        assert got_table[key][2] == pytest.approx(len(cases) / log.n_cases)
        assert got_table[key][3] == pytest.approx(cost)
