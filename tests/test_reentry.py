"""Re-entry: hand-built logs with expectations worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from procmine import EventLog, InformationItem
from procmine.analysis.costs import CostModel
from procmine.analysis.reentry import normalize_values, reentry
from procmine.errors import UsageError
from procmine.schema import empty_events

COLUMNS = ("case_id", "activity", "timestamp", "department", "party", "automated", "source",
           "address")
ITEMS = [InformationItem("address", "customer")]
COSTS = CostModel(activity_minutes={"Enter order": 6.0, "Book transport": 3.0, "Invoice": 2.0},
                  department_rates={"Sales": 60.0, "Shipping": 30.0, "Billing": 45.0},
                  discrepancy_minutes=10.0)


def make_log(rows, items=ITEMS) -> EventLog:
    frame = pd.DataFrame(rows, columns=list(COLUMNS[: len(rows[0])]))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    if "automated" in frame.columns:
        frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="t", items=items)


def basic_log() -> EventLog:
    return make_log([
        # case o1: Sales enters, Shipping re-keys the same (other spacing/case), Billing differs
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp",
         "Main St 1"),
        ("o1", "Book transport", "2024-01-01 11:00", "Shipping", "internal", False, "tms",
         "  MAIN st   1 "),
        ("o1", "Invoice", "2024-01-02 09:00", "Billing", "internal", False, "billing",
         "Main St 11"),
        # case o2: only Sales, twice: no re-entry
        ("o2", "Enter order", "2024-01-01 10:00", "Sales", "internal", False, "erp", "Elm 2"),
        ("o2", "Enter order", "2024-01-01 10:30", "Sales", "internal", False, "erp", "Elm 3"),
        ("o2", "Pick", "2024-01-01 12:00", "Warehouse", "internal", False, "wms", None),
    ])


def test_redundant_and_discrepant_reentries():
    r = reentry(basic_log(), costs=COSTS)
    assert r.signal == "values"
    got = r.events[["case_id", "item", "event_id", "first_event_id", "first_by", "by",
                    "same_value", "first_value", "value"]].values.tolist()
    # validate_events numbers events in input order: t:0 .. t:5
    assert got == [
        ["o1", "address", "t:1", "t:0", "Sales", "Shipping", True, "Main St 1",
         "  MAIN st   1 "],
        ["o1", "address", "t:2", "t:0", "Sales", "Billing", False, "Main St 1", "Main St 11"],
    ]


def test_costs_of_reentries():
    r = reentry(basic_log(), costs=COSTS)
    # Shipping: 3 min at 30/h = 1.5; Billing: (2 min + 10 min rework) at 45/h = 9.0
    assert r.events["labour_minutes"].tolist() == [3.0, 2.0]
    assert r.events["cost"].tolist() == pytest.approx([1.5, 9.0])


def test_summary_and_by_item():
    r = reentry(basic_log(), costs=COSTS)
    s = r.summary
    assert s[["item", "first_by", "by", "count", "cases", "discrepancies"]].values.tolist() == [
        ["address", "Sales", "Billing", 1, 1, 1],
        ["address", "Sales", "Shipping", 1, 1, 0],
    ]
    assert s["discrepancy_rate"].tolist() == [1.0, 0.0]
    b = r.by_item.iloc[0]
    # entries: 3 in o1 + 2 in o2 = 5, in 2 cases; 2 re-entries in 1 case; 1 of 2 differs
    assert (b["item"], b["owner"], b["cases"], b["entries"]) == ("address", "customer", 2, 5)
    assert (b["reentries"], b["cases_with_reentry"], b["discrepancies"]) == (2, 1, 1)
    assert b["discrepancy_rate"] == 0.5
    assert b["cost"] == pytest.approx(10.5)


def test_information_flow_graph():
    g = reentry(basic_log(), costs=COSTS).graph
    assert g.nodes["address"]["kind"] == "item" and g.nodes["Sales"]["kind"] == "actor"
    # Sales entered first in both orders
    assert g.edges["Sales", "address", "enters first"]["count"] == 2
    assert g.edges["Shipping", "address", "re-enters"]["count"] == 1
    assert g.edges["Billing", "address", "re-enters"]["discrepancies"] == 1
    assert not g.has_edge("Sales", "address", "re-enters")


def test_back_to_the_first_department_is_a_reentry():
    # A, B, A: the third entry follows B's entry, so it re-enters (compared to the first)
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", "x"),
        ("o1", "Book transport", "2024-01-01 10:00", "Shipping", "internal", False, "tms", "x"),
        ("o1", "Amend order", "2024-01-01 11:00", "Sales", "internal", False, "erp", "y"),
    ])
    r = reentry(log, costs=COSTS)
    assert r.events[["event_id", "by", "same_value"]].values.tolist() == [
        ["t:1", "Shipping", True], ["t:2", "Sales", False]]


def test_timestamp_ties_keep_input_order():
    log = make_log([
        ("o1", "Book transport", "2024-01-01 09:00", "Shipping", "internal", False, "tms", "a"),
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", "a"),
    ])
    r = reentry(log, costs=COSTS)
    assert r.events[["first_by", "by", "event_id"]].values.tolist() == [
        ["Shipping", "Sales", "t:1"]]


def test_missing_and_blank_values_are_not_entries():
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", "   "),
        ("o1", "Book transport", "2024-01-01 10:00", "Shipping", "internal", False, "tms", "a"),
        ("o1", "Invoice", "2024-01-01 11:00", "Billing", "internal", False, "billing", None),
    ])
    r = reentry(log, costs=COSTS)
    assert r.events.empty
    assert r.by_item["entries"].tolist() == [1]


def test_events_without_an_actor_are_skipped():
    # department missing on an internal event: no actor, so neither first nor re-entry
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", None, "internal", False, "erp", "a"),
        ("o1", "Book transport", "2024-01-01 10:00", "Shipping", "internal", False, "tms", "a"),
        ("o1", "Invoice", "2024-01-01 11:00", "Billing", "internal", False, "billing", "a"),
    ])
    r = reentry(log, costs=COSTS)
    assert r.events[["first_by", "by"]].values.tolist() == [["Shipping", "Billing"]]


def test_outside_party_without_department_counts_as_the_party():
    log = make_log([
        ("o1", "Web order", "2024-01-01 09:00", None, "customer", True, "shop", "a"),
        ("o1", "Enter order", "2024-01-01 10:00", "Sales", "internal", False, "erp", "A"),
    ])
    r = reentry(log, costs=COSTS)
    assert r.events[["first_by", "by", "same_value"]].values.tolist() == [
        ["customer", "Sales", True]]


def test_automated_copies_are_not_reentries_but_can_enter_first():
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", "a"),
        ("o1", "Interface to TMS", "2024-01-01 09:01", "Shipping", "internal", True, "tms", "a"),
        ("o1", "Web change", "2024-01-02 09:00", None, "customer", True, "shop", "b"),
    ])
    assert reentry(log, costs=COSTS).events.empty
    log = make_log([
        ("o1", "Web order", "2024-01-01 09:00", "Webshop", "internal", True, "shop", "a"),
        ("o1", "Enter order", "2024-01-01 10:00", "Sales", "internal", False, "erp", "a"),
    ])
    assert reentry(log, costs=COSTS).events["first_by"].tolist() == ["Webshop"]


def test_by_source_finds_reentry_within_one_department():
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", "a"),
        ("o1", "Log in CRM", "2024-01-01 10:00", "Sales", "internal", False, "crm", "a"),
    ])
    assert reentry(log, level="department", costs=COSTS).events.empty
    r = reentry(log, level="source", costs=COSTS)
    assert r.events[["first_by", "by"]].values.tolist() == [["erp", "crm"]]
    assert r.level == "source"


def test_by_party():
    log = make_log([
        ("o1", "Web order", "2024-01-01 09:00", None, "customer", True, "shop", "a"),
        ("o1", "Enter order", "2024-01-01 10:00", "Sales", "internal", False, "erp", "a"),
        ("o1", "Book transport", "2024-01-01 11:00", "Shipping", "internal", False, "tms", "a"),
    ])
    r = reentry(log, level="party", costs=COSTS)
    # Shipping is internal like Sales, but the customer entered it earlier: both re-enter
    assert r.events[["first_by", "by"]].values.tolist() == [
        ["customer", "internal"], ["customer", "internal"]]


def test_number_and_date_formats_are_normalised_in_reentry():
    items = [InformationItem("price", "supplier", type="money"),
             InformationItem("due", "supplier", type="date")]
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2"],
        "activity": ["Confirm", "Enter", "Confirm", "Enter"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                     "2024-01-01 09:00", "2024-01-01 10:00"], utc=True),
        "department": ["Purchasing", "Billing", "Purchasing", "Billing"],
        "price": ["1.234,50", "1234.5", "0042", "43"],
        "due": ["05.03.2024", "2024-03-05", "5/3/2024", "2024-05-03"],
    })
    r = reentry(EventLog.from_frame(frame, name="t", items=items), costs=COSTS)
    got = r.events[["case_id", "item", "same_value"]].values.tolist()
    assert got == [["o1", "due", True], ["o1", "price", True],
                   ["o2", "due", False], ["o2", "price", False]]


@pytest.mark.parametrize(("a", "b", "same", "kind"), [
    ("1.234,50", "1234.5", True, "number"),
    ("1,234.50", "1234.5", True, "number"),
    ("1 234,5", "1234.50", True, "number"),
    ("0042", "42", True, "number"),
    ("42.0", "42", True, "number"),
    ("1,5", "1.5", True, "number"),
    ("12,500", "12500", True, "number"),
    ("12", "13", False, "number"),
    ("EUR 1.234,50", "1234.50 €", True, "money"),
    ("$12", "12.00", True, "money"),
    ("05.03.2024", "2024-03-05", True, "date"),
    ("5/3/2024", "2024-03-05", True, "date"),
    ("2024-03-05", "2024-05-03", False, "date"),
    ("Main  Street 1", "main street 1", True, "text"),
    ("Main\u00a0Street 1", "main street 1", True, "text"),
    ("Main Street 1", "Main Street 2", False, "text"),
    ("ABC-0042", "abc-0042", True, "text"),
    # undeclared (text) items are never read as numbers or dates
    ("0042", "42", False, "text"),
    ("05.03.2024", "2024-03-05", False, "text"),
    # codes: exact after trimming, leading zeros and case count
    ("05022", "5022", False, "code"),
    (" 05022 ", "05022", True, "code"),
    ("AB-1", "ab-1", False, "code"),
])
def test_normalize_values_pairs(a, b, same, kind):
    keys = normalize_values(pd.Series([a, b], dtype="str"), kind=kind)
    assert (keys[0] == keys[1]) is same


def test_normalize_values_keeps_missing_and_index():
    keys = normalize_values(pd.Series([None, "", " x ", float("nan")], index=[5, 6, 7, 8],
                                      dtype="object"))
    assert keys.index.tolist() == [5, 6, 7, 8]
    assert keys.isna().tolist() == [True, True, False, True]
    assert keys[7] == "x"


def test_normalize_values_numeric_and_datetime_columns():
    assert normalize_values(pd.Series([42, 42.0]), kind="number").nunique() == 1
    stamps = pd.Series(pd.to_datetime(["2024-03-05", None], utc=True))
    keys = normalize_values(stamps)  # a datetime column compares as dates, whatever the type
    assert keys[0] == normalize_values(pd.Series(["05.03.2024"]), kind="date")[0]
    with pytest.raises(UsageError, match="item type"):
        normalize_values(pd.Series(["a"]), kind="postcode")
    assert math.isnan(keys[1]) if isinstance(keys[1], float) else pd.isna(keys[1])


def test_redo_fallback_without_item_values():
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp"),
        ("o1", "Enter order", "2024-01-01 10:00", "Sales", "internal", False, "erp"),
        ("o1", "Enter order", "2024-01-01 11:00", "Customer Service", "internal", False, "crm"),
        ("o1", "Pick", "2024-01-01 12:00", "Warehouse", "internal", False, "wms"),
        ("o2", "Pick", "2024-01-01 12:00", "Warehouse", "internal", False, "wms"),
        ("o2", "Pick", "2024-01-01 13:00", "Shipping", "internal", False, "wms"),
    ], items=())
    r = reentry(log, costs=COSTS)
    assert r.signal == "redo"
    assert "weaker signal" in r.note
    got = r.events[["case_id", "item", "event_id", "first_event_id", "first_by", "by"]]
    assert got.values.tolist() == [
        ["o1", "Enter order", "t:2", "t:0", "Sales", "Customer Service"],
        ["o2", "Pick", "t:5", "t:4", "Warehouse", "Shipping"],
    ]
    assert r.events["same_value"].isna().all()
    assert r.summary["discrepancy_rate"].isna().all()


def test_redo_fallback_when_items_declared_but_empty():
    log = make_log([
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp", None),
        ("o1", "Enter order", "2024-01-01 10:00", "Billing", "internal", False, "erp", None),
    ])
    r = reentry(log, costs=COSTS)
    assert r.signal == "redo" and r.events["event_id"].tolist() == ["t:1"]


def test_empty_log():
    log = EventLog.from_frame(empty_events(), name="t", items=ITEMS)
    r = reentry(log, costs=COSTS)
    assert r.events.empty and r.summary.empty
    assert list(r.events.columns)[:9] == ["case_id", "item", "event_id", "first_event_id",
                                          "first_by", "by", "same_value", "first_value", "value"]
    assert r.graph.number_of_edges() == 0
    _register_displays()
    assert "<div" in r._repr_html_()


def test_single_event():
    log = make_log([("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "erp",
                     "a")])
    r = reentry(log, costs=COSTS)
    assert r.events.empty
    assert r.by_item["entries"].tolist() == [1]
    assert r.graph.edges["Sales", "address", "enters first"]["count"] == 1


def test_unknown_level_is_a_usage_error_and_by_is_gone():
    with pytest.raises(UsageError, match="did you mean 'department'"):
        reentry(basic_log(), level="departmnet")
    with pytest.raises(TypeError):
        reentry(basic_log(), by="department")
    with pytest.raises(UsageError, match=r"pm\.load\(df"):
        reentry(basic_log().events)


def test_input_is_not_modified_and_repr():
    log = basic_log()
    before = log.events.copy()
    r = reentry(log, costs=COSTS)
    pd.testing.assert_frame_equal(log.events, before)
    assert "2 re-entries" in repr(r)
    _register_displays()
    assert "Shipping" in r._repr_html_()


def _packages(with_objects: bool):
    rows = [
        ("o1", "Carrier scan", "2024-01-01 09:00", None, "carrier", True, "P1", "T-1"),
        ("o1", "Carrier scan", "2024-01-01 09:05", None, "carrier", True, "P2", "T-2"),
        ("o1", "Register hand-over", "2024-01-01 10:00", "Shipping", "internal", False, "P1",
         "T-1"),
        ("o1", "Register hand-over", "2024-01-01 10:05", "Shipping", "internal", False, "P2",
         "T-2"),
    ]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department",
                                        "party", "automated", "object_id", "tracking"])
    if not with_objects:
        frame = frame.drop(columns="object_id")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return EventLog.from_frame(frame, name="p",
                               items=[InformationItem("tracking", "carrier", type="code")])


def test_another_sub_object_is_neither_reentry_nor_discrepancy():
    # with packages: Shipping re-keys each package's own tracking number (2 redundant)
    r = reentry(_packages(True), costs=COSTS)
    assert r.events[["value", "same_value"]].values.tolist() == [["T-1", True], ["T-2", True]]
    # without them, Shipping's second keying is compared with package 1's number: a
    # false discrepancy (the carrier's own second scan is the same actor: no re-entry)
    r = reentry(_packages(False), costs=COSTS)
    assert r.events[["value", "same_value"]].values.tolist() == [["T-1", True], ["T-2", False]]


def test_redo_counts_within_a_sub_object_only():
    log = _packages(True)
    bare = log.with_events(log.events.drop(columns="tracking"))
    bare = EventLog(events=bare.events, name="p")
    # no item values: redo; each package's step is done once by each actor: no redo
    assert reentry(bare, costs=COSTS).events.empty


def _register_displays() -> None:
    """The notebook displays of procmine.render.tables, which ``_repr_html_`` shows."""
    from procmine.render.tables import register

    register()
