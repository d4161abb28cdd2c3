"""Candidates: evidence rules and costs on a hand-built log, expectations worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from procmine import EventLog, InformationItem
from procmine.analysis.candidates import annual_factor, candidates
from procmine.analysis.costs import CHANGE_KINDS, CostModel
from procmine.analysis.handoffs import handoffs
from procmine.errors import UsageError
from procmine.schema import empty_events

COLUMNS = ["case_id", "activity", "timestamp", "department", "party", "automated", "address",
           "supplier_date"]
ITEMS = [InformationItem("address", "customer"), InformationItem("supplier_date", "supplier")]
# every rate 60/h and every step 6 minutes: 6.0 of labour per manual event
COSTS = CostModel(
    department_rates={}, default_rate=60.0, activity_minutes={}, default_minutes=6.0,
    handoff_cost=1.0, wait_cost_per_hour=1.0, discrepancy_minutes=30.0, annual_orders=300,
    implementation=dict.fromkeys(CHANGE_KINDS, 1200.0), running=dict.fromkeys(CHANGE_KINDS, 10.0),
    residual_share=dict.fromkeys(CHANGE_KINDS, 0.0),
)


def make_log(rows, items=ITEMS) -> EventLog:
    frame = pd.DataFrame(rows, columns=COLUMNS[: len(rows[0])])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="t", items=items)


ROWS = [
    # o1: customer e-mails, Sales re-keys (same), Warehouse picks, Billing re-keys (differs)
    ("o1", "Customer e-mails order", "2024-01-01 09:00", None, "customer", True, "Main 1", None),
    ("o1", "Enter order", "2024-01-01 11:00", "Sales", "internal", False, "main  1", None),
    ("o1", "Pick", "2024-01-01 12:00", "Warehouse", "internal", False, None, None),
    ("o1", "Create invoice", "2024-01-01 15:00", "Billing", "internal", False, "Main 2", None),
    # o2: customer calls, Sales keys first, Customer Service answers a status enquiry
    ("o2", "Customer calls", "2024-01-01 09:00", None, "customer", True, None, None),
    ("o2", "Enter order", "2024-01-01 09:10", "Sales", "internal", False, "Elm 3", None),
    ("o2", "Answer order status enquiry", "2024-01-01 10:00", "Customer Service", "internal",
     False, None, None),
    # o3: the supplier confirms, Purchasing re-keys the date, Warehouse receives
    ("o3", "Supplier confirms date", "2024-01-01 09:00", None, "supplier", True, None,
     "2024-02-01"),
    ("o3", "Enter supplier date", "2024-01-01 13:00", "Purchasing", "internal", False, None,
     "01.02.2024"),
    ("o3", "Receive goods", "2024-01-02 09:00", "Warehouse", "internal", False, None, None),
]


def table():
    return candidates(make_log(ROWS), costs=COSTS).table


def test_candidates_found_from_evidence_and_ranked():
    t = table()
    got = t[["activity", "department", "kind"]].values.tolist()
    # ranked by annual saving, worked out in test_three_sets_of_costs:
    # invoice 40 x 100 - 120, order 16.17 x 100 - 120, supplier 11 x 100 - 120, status 7.83 x 100
    assert got == [
        ["Create invoice", "Billing", "shared_data"],
        ["Enter order", "Sales", "customer_self_service"],
        ["Enter supplier date", "Purchasing", "supplier_portal_edi"],
        ["Answer order status enquiry", "Customer Service", "customer_self_service"],
    ]
    # owner: whose information it is (the invoice re-keys the customer's address)
    assert t["owner"].tolist() == ["customer", "customer", "supplier", "customer"]
    assert t["item"].iloc[:3].tolist() == ["address", "address", "supplier_date"]
    assert pd.isna(t["item"].iloc[3])


def test_evidence_counts():
    t = table().set_index("activity")
    assert t.loc["Enter order", "events"] == 2 and t.loc["Enter order", "cases"] == 2
    # Sales→Warehouse (o1) and Sales→Customer Service (o2)
    assert t.loc["Enter order", "handoffs_removed"] == 2
    assert t.loc["Create invoice", "handoffs_removed"] == 1  # Warehouse→Billing
    assert t.loc["Answer order status enquiry", "handoffs_removed"] == 1
    assert t.loc["Enter supplier date", "handoffs_removed"] == 1  # Purchasing→Warehouse
    # waits before: 2 h and 10 min -> median 65 min
    assert t.loc["Enter order", "median_wait_s"] == 3900.0
    assert t.loc["Create invoice", "median_wait_s"] == 3 * 3600.0
    assert t.loc["Create invoice", "discrepancies"] == 1
    assert t.loc["Enter order", "discrepancies"] == 0
    assert t.loc["Enter order", "labour_minutes"] == 12.0
    assert "re-entry" in t.loc["Enter order", "evidence"]
    assert "owner's information" in t.loc["Enter order", "evidence"]
    assert t.loc["Answer order status enquiry", "evidence"] == "request keyword"


def test_three_sets_of_costs():
    t = table().set_index("activity")
    factor = 300 / 3
    # Enter order: labour 2 x 6; 2 handoffs x 1; waits 2 h + 10 min at 1/h; no rework
    current = 12 + 2 + (7200 + 600) / 3600
    row = t.loc["Enter order"]
    assert row["labour_cost"] == pytest.approx(12.0)
    assert row["handoff_cost"] == pytest.approx(2.0)
    assert row["waiting_cost"] == pytest.approx((7200 + 600) / 3600)
    assert row["current_cost"] == pytest.approx(current)
    assert row["current_cost_annual"] == pytest.approx(current * factor)
    assert row["implementation_cost"] == 1200.0
    assert row["running_cost_annual"] == pytest.approx(120.0)
    assert row["annual_saving"] == pytest.approx(current * factor - 120)
    assert row["payback_months"] == pytest.approx(1200 / ((current * factor - 120) / 12))
    # Create invoice: labour 6, one handoff 1, 3 h waiting 3, one discrepancy 30 min at 60/h
    row = t.loc["Create invoice"]
    assert row["rework_cost"] == pytest.approx(30.0)
    assert row["current_cost"] == pytest.approx(6 + 1 + 3 + 30)
    assert row["annual_saving"] == pytest.approx(40 * factor - 120)


def test_sorted_by_annual_saving_then_names():
    t = table()
    assert t["annual_saving"].is_monotonic_decreasing
    # two candidates with equal figures are ordered by activity
    rows = [
        ("o1", "B step", "2024-01-01 09:00", "Sales", "internal", False, "x"),
        ("o1", "A step", "2024-01-01 10:00", "Billing", "internal", False, "x"),
        ("o2", "A step", "2024-01-01 09:00", "Sales", "internal", False, "y"),
        ("o2", "B step", "2024-01-01 10:00", "Billing", "internal", False, "y"),
    ]
    t = candidates(make_log(rows, [InformationItem("address", "internal")]), costs=COSTS,
                   keywords=()).table
    assert t[["activity", "department"]].values.tolist() == [["A step", "Billing"],
                                                             ["B step", "Billing"]]


def test_never_pays_back_is_infinite():
    costs = CostModel(**{**COSTS.__dict__, "running": dict.fromkeys(CHANGE_KINDS, 1e6)})
    t = candidates(make_log(ROWS), costs=costs).table
    assert (t["annual_saving"] < 0).all()
    assert t["payback_months"].map(math.isinf).all()
    assert "does not pay back" in t["rationale"].iloc[0]


def test_rationale_is_plain_language():
    t = table().set_index("activity")
    text = t.loc["Enter supplier date", "rationale"]
    assert "supplier" in text and "Purchasing" in text and "pays back" in text
    assert "Share the data" in t.loc["Create invoice", "rationale"]


def test_keywords_are_overridable():
    t = candidates(make_log(ROWS), costs=COSTS, keywords=()).table
    assert "Answer order status enquiry" not in set(t["activity"])
    t = candidates(make_log(ROWS), costs=COSTS, keywords=[r"^pick$"]).table
    assert "Pick" in set(t["activity"])
    with pytest.raises(UsageError, match="regular expression"):
        candidates(make_log(ROWS), costs=COSTS, keywords=["("])


def test_step_that_follows_customer_requests():
    rows = [
        ("o1", "Customer asks", "2024-01-01 09:00", None, "customer", True),
        ("o1", "Call back", "2024-01-01 10:00", "Customer Service", "internal", False),
        ("o2", "Customer asks", "2024-01-01 09:00", None, "customer", True),
        ("o2", "Call back", "2024-01-01 09:30", "Customer Service", "internal", False),
        ("o2", "Pick", "2024-01-01 11:00", "Warehouse", "internal", False),
    ]
    t = candidates(make_log(rows, ()), costs=COSTS, keywords=()).table
    assert t[["activity", "kind", "evidence", "events"]].values.tolist() == [
        ["Call back", "customer_self_service", "follows customer request", 2]]


def test_automated_and_outside_events_are_never_candidates():
    rows = [
        ("o1", "Customer e-mails order", "2024-01-01 09:00", None, "customer", True, "a"),
        ("o1", "Interface", "2024-01-01 10:00", "Sales", "internal", True, "a"),
        ("o1", "Customer changes it", "2024-01-01 11:00", None, "customer", False, "b"),
    ]
    assert candidates(make_log(rows), costs=COSTS).table.empty


def test_redo_fallback_candidates():
    rows = [
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False),
        ("o1", "Enter order", "2024-01-01 10:00", "Billing", "internal", False),
    ]
    t = candidates(make_log(rows, ()), costs=COSTS, keywords=()).table
    assert t[["activity", "department", "kind"]].values.tolist() == [
        ["Enter order", "Billing", "shared_data"]]
    assert "weaker" in t["rationale"].iloc[0]


def test_handoffs_can_be_passed_in():
    log = make_log(ROWS)
    given = candidates(log, costs=COSTS, handoffs=handoffs(log, level="department")).table
    pd.testing.assert_frame_equal(given, table())
    with pytest.raises(UsageError, match="department level"):
        candidates(log, costs=COSTS, handoffs=handoffs(log, level="resource"))


def test_empty_log_and_single_event():
    empty = EventLog.from_frame(empty_events(), name="t", items=ITEMS)
    c = candidates(empty, costs=COSTS)
    assert c.table.empty and "activity" in c.table.columns
    assert "<div" in c._repr_html_()
    one = make_log([ROWS[1]])
    # a lone manual first entry of the customer's address is the owner's information
    assert candidates(one, costs=COSTS).table["activity"].tolist() == ["Enter order"]


def test_annual_factor_from_span_with_one_day_minimum():
    log = make_log(ROWS)  # spans one day exactly
    assert annual_factor(log, CostModel()) == pytest.approx(365.0)
    short = make_log(ROWS[:2])
    assert annual_factor(short, CostModel()) == pytest.approx(365.0)


def test_input_not_modified():
    log = make_log(ROWS)
    before = log.events.copy()
    candidates(log, costs=COSTS)
    pd.testing.assert_frame_equal(log.events, before)
