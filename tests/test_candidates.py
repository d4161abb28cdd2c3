"""Candidates: evidence rules and costs on a hand-built log, expectations worked out by hand."""

from __future__ import annotations

import functools
import math

import pandas as pd
import pytest

from procmine import EventLog, InformationItem
from procmine.analysis.candidates import candidates as find_candidates
from procmine.analysis.costs import CHANGE_KINDS, Calendar, CostModel
from procmine.analysis.handoffs import handoffs
from procmine.analysis.projection import Move, project
from procmine.errors import UsageError
from procmine.schema import empty_events

COLUMNS = ["case_id", "activity", "timestamp", "department", "party", "automated", "address",
           "supplier_date"]
ITEMS = [InformationItem("address", "customer"),
         InformationItem("supplier_date", "supplier", type="date")]
# every rate 60/h and every step 6 minutes: 6.0 of labour per manual event
COSTS = CostModel(
    department_rates={}, default_rate=60.0, activity_minutes={}, default_minutes=6.0,
    handoff_cost=1.0, wait_cost_per_hour=1.0, discrepancy_minutes=30.0, annual_orders=300,
    implementation=dict.fromkeys(CHANGE_KINDS, 1200.0), running=dict.fromkeys(CHANGE_KINDS, 10.0),
    residual_share=dict.fromkeys(CHANGE_KINDS, 0.0),
    # every hour is queue time and no wait is capped, so the waits below are elapsed hours
    calendar=Calendar(days=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), start="00:00",
                      end="24:00"),
    wait_cap_hours=0.0,
)


# these hand-built logs hold a few orders: rank every candidate (support is tested on its own)
candidates = functools.partial(find_candidates, min_share=0.0, min_events=0)


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
    # ranked by annual saving (x 100 a year, less 120 running), worked out in
    # test_three_sets_of_costs: invoice 36, order 12 + 2 + 2.17 = 16.17,
    # supplier date 6 + 1 + 4 = 11, status enquiry 6 (labour only)
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
    assert t.loc["Enter order", "step_events"] == 2
    # the customer is an actor at department level: o1 customer→Sales→Warehouse becomes
    # customer→Warehouse (one fewer); o2 customer→Sales→Customer Service becomes
    # customer→Customer Service (one fewer)
    assert t.loc["Enter order", "handoffs_removed"] == 2
    # shared data automates the invoice in Billing: Warehouse→Billing stays
    assert t.loc["Create invoice", "handoffs_removed"] == 0
    # the customer looks the status up after Sales: Sales→Customer Service becomes
    # Sales→customer, no handoff fewer
    assert t.loc["Answer order status enquiry", "handoffs_removed"] == 0
    # supplier→Purchasing→Warehouse becomes supplier→Warehouse
    assert t.loc["Enter supplier date", "handoffs_removed"] == 1
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
    # Enter order: labour 2 x 6; 2 handoffs x 1; handoff waiting that disappears:
    # o1 customer→Sales 2 h, Sales→Warehouse 1 h, Warehouse→Billing 3 h become
    # customer→Warehouse 1 h, Warehouse→Billing 3 h (the entry happens with the e-mail,
    # the order moves 2 h earlier): 2 h; o2 customer→Sales 10 min, Sales→Customer
    # Service 50 min become customer→Customer Service 50 min: 10 min; at 1/h; no rework
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
    # Create invoice (shared data): labour 6 and one discrepancy 30 min at 60/h; it
    # stays in Billing at its time, so no handoff or waiting changes
    row = t.loc["Create invoice"]
    assert row["rework_cost"] == pytest.approx(30.0)
    assert row["handoff_cost"] == 0 and row["waiting_cost"] == 0
    assert row["current_cost"] == pytest.approx(6 + 30)
    assert row["annual_saving"] == pytest.approx(36 * factor - 120)
    # Enter supplier date: labour 6, one handoff, and the 4 h between the supplier's
    # confirmation and Purchasing keying it go (the goods still take 20 h after it)
    row = t.loc["Enter supplier date"]
    assert row["current_cost"] == pytest.approx(6 + 1 + 4)


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


def test_dead_handoffs_parameter_is_gone_and_dataframes_are_refused():
    log = make_log(ROWS)
    with pytest.raises(TypeError, match="handoffs"):
        candidates(log, costs=COSTS, handoffs=handoffs(log, level="department"))
    with pytest.raises(UsageError, match=r"pm\.load\(df, case_id="):
        candidates(log.events, costs=COSTS)


def test_empty_log_and_single_event():
    empty = EventLog.from_frame(empty_events(), name="t", items=ITEMS)
    c = candidates(empty, costs=COSTS)
    assert c.table.empty and "activity" in c.table.columns
    _register_displays()
    assert "<div" in c._repr_html_()
    one = make_log([ROWS[1]])
    # a lone manual first entry of the customer's address is the owner's information
    assert candidates(one, costs=COSTS).table["activity"].tolist() == ["Enter order"]


def test_annual_factor_from_span_with_one_day_minimum():
    log = make_log(ROWS)  # spans one day exactly
    assert CostModel().annual_factor(log) == pytest.approx(365.0)
    short = make_log(ROWS[:2])
    assert CostModel().annual_factor(short) == pytest.approx(365.0)


def test_input_not_modified():
    log = make_log(ROWS)
    before = log.events.copy()
    candidates(log, costs=COSTS)
    pd.testing.assert_frame_equal(log.events, before)


# -- handoffs removed and costs agree with the projection of the move alone -------------
def _internal(rows):
    """Rows (case, activity, hour, department) of manual internal events."""
    return [(c, a, f"2024-01-01 {h:02d}:00", d, "internal", False, None, None)
            for c, a, h, d in rows]


def test_handoffs_removed_is_the_net_change():
    rows = _internal([
        # A→X→B: the customer now does X between A and B: two handoffs stay two
        ("o1", "Enter order", 8, "Sales"), ("o1", "Key it", 9, "Credit"),
        ("o1", "Invoice", 10, "Billing"),
        # A→X→A: A→customer→A, still two
        ("o2", "Enter order", 8, "Sales"), ("o2", "Key it", 9, "Credit"),
        ("o2", "Confirm", 10, "Sales"),
        # A→X→X→B (the step twice in a row): A→customer→B, two stay two
        ("o3", "Enter order", 8, "Sales"), ("o3", "Key it", 9, "Credit"),
        ("o3", "Key it", 10, "Credit"), ("o3", "Invoice", 11, "Billing"),
        # X first, then B: customer→B, one stays one
        ("o4", "Key it", 8, "Credit"), ("o4", "Invoice", 9, "Billing"),
        # X alone: nothing
        ("o5", "Key it", 8, "Credit"),
    ])
    # the customer's own event triggers X: customer→X→B becomes customer→B (one fewer)
    rows += [("o6", "Customer sends form", "2024-01-01 08:00", None, "customer", True, None,
              None),
             ("o6", "Key it", "2024-01-01 09:00", "Credit", "internal", False, None, None),
             ("o6", "Invoice", "2024-01-01 10:00", "Billing", "internal", False, None, None)]
    log = make_log(rows, ())
    t = candidates(log, costs=COSTS, keywords=[r"^key it$"]).table
    row = t.set_index("activity").loc["Key it"]
    assert row["kind"] == "customer_self_service" and row["step_events"] == 7
    assert row["handoffs_removed"] == 0 + 0 + 0 + 0 + 0 + 1
    # only o6's step moves in time (to the customer's form, 1 h earlier, and the invoice
    # with it): its waits customer→Credit 1 h + Credit→Billing 1 h become customer→Billing
    # 1 h; every other order keeps its waits (A→customer→B waits as A→X→B did)
    assert row["waiting_cost"] == pytest.approx(1.0)
    p = project(log, [Move("Key it", "Credit", "customer_self_service")], costs=COSTS)
    assert p.handoffs_before.count - p.handoffs_after.count == 1


def test_single_event_step_removes_no_handoff():
    log = make_log(_internal([("o1", "Key it", 8, "Credit")]), ())
    row = candidates(log, costs=COSTS, keywords=[r"^key it$"]).table.iloc[0]
    assert row["handoffs_removed"] == 0 and row["waiting_cost"] == 0
    assert row["labour_cost"] == pytest.approx(6.0)


def test_step_without_department_and_missing_resource():
    rows = _internal([("o1", "Enter order", 8, "Sales"), ("o1", "Key it", 9, None),
                      ("o1", "Invoice", 10, "Billing")])
    log = make_log(rows, ())
    row = candidates(log, costs=COSTS, keywords=[r"^key it$"]).table.iloc[0]
    # no department: the step is in no department handoff today (Sales→Billing); done by
    # the customer it is: Sales→customer→Billing, one handoff more
    assert pd.isna(row["department"]) and row["handoffs_removed"] == -1
    # no customer event triggered the step: nothing moves; 2 h of waiting either way
    assert row["waiting_cost"] == pytest.approx(0.0)


def test_timestamp_ties_keep_the_net_count():
    rows = [("o1", "Customer form", "2024-01-01 08:00", None, "customer", True, None, None),
            ("o1", "Key it", "2024-01-01 08:00", "Credit", "internal", False, None, None),
            ("o1", "Invoice", "2024-01-01 08:00", "Billing", "internal", False, None, None)]
    row = candidates(make_log(rows, ()), costs=COSTS, keywords=[r"^key it$"]).table.iloc[0]
    assert row["handoffs_removed"] == 1 and row["waiting_cost"] == 0


def _move(row) -> Move:
    return Move(row["activity"], None if pd.isna(row["department"]) else row["department"],
                row["kind"])


@pytest.fixture(scope="module")
def generated_log(tmp_path_factory):
    import procmine

    out = tmp_path_factory.mktemp("generated")
    procmine.generate(300, seed=5, out=out)
    return procmine.load(out / "sources.toml")


def test_candidates_agree_with_the_projection_of_each_move(generated_log):
    log = generated_log
    costs = CostModel.default()
    c = candidates(log, costs=costs)
    assert len(c.table) >= 3
    assert set(c.table["kind"]) >= {"shared_data", "customer_self_service"}
    assert len(c.moves) == len(c.table)
    for rank, (_, row) in enumerate(c.table.iterrows(), start=1):
        move = c.move(rank)
        assert (move.activity, move.kind) == (row["activity"], row["kind"])
        # priced on its evidence: the move changes the evidence events only
        assert row["step_events"] == row["events"] <= row["executions"]
        assert (move.events is None) == (row["events"] == row["executions"])
        p = project(log, [move], costs=costs)
        d = p.table.set_index("metric")["change"]
        assert row["handoffs_removed"] == p.handoffs_before.count - p.handoffs_after.count
        assert row["handoffs_removed"] == -d["department_handoffs"]
        assert row["labour_minutes"] == pytest.approx(-d["labour_minutes"])
        assert row["step_events"] == p.events_changed
        assert row["handoff_cost"] + row["waiting_cost"] == pytest.approx(
            -d["handoff_cost"], rel=1e-9, abs=1e-9)
        assert row["rework_cost"] == pytest.approx(-d["rework_cost"], rel=1e-9, abs=1e-9)
        assert row["annual_saving"] == pytest.approx(-d["total_cost_annual"],
                                                     rel=1e-9, abs=1e-6)
        if row["kind"] == "shared_data":
            assert row["handoffs_removed"] == 0


def test_move_that_creates_a_reentry_at_another_step():
    # Sales enters the customer's address, then Sales keys it again differently in
    # another step: one department, so not a re-entry today. Once the customer enters
    # it, Sales' second keying re-enters the customer's information, a discrepancy
    # (30 min at 60/h): the move adds rework, and the candidate counts it as the
    # projection does
    rows = [
        ("o1", "Enter order", "2024-01-01 08:00", "Sales", "internal", False, "Main 1", None),
        ("o1", "Confirm order", "2024-01-01 09:00", "Sales", "internal", False, "Main 2",
         None),
    ]
    log = make_log(rows)
    t = candidates(log, costs=COSTS, keywords=()).table
    row = t.set_index("activity").loc["Enter order"]
    assert row["kind"] == "customer_self_service"
    assert row["rework_cost"] == pytest.approx(-30.0)
    # labour 6, rework -30, and customer→Sales becomes a handoff (1.0 and its 1 h of
    # waiting at 1/h)
    assert row["handoffs_removed"] == -1
    assert row["current_cost"] == pytest.approx(6.0 - 1.0 - 1.0 - 30.0)
    p = project(log, [_move(t.iloc[0])], costs=COSTS)
    d = p.table.set_index("metric")["change"]
    assert d["rework_cost"] == pytest.approx(30.0)
    assert d["reentries"] == 1 and d["discrepancies"] == 1
    assert row["annual_saving"] == pytest.approx(-d["total_cost_annual"])


def _keyed_orders(n_orders: int, n_rekeyed: int, *, robot: bool = False):
    """n orders: the customer orders on the web (address), Sales confirms; in the first
    n_rekeyed orders Sales re-keys the address by hand (the evidence), in the others
    Sales confirms without keying anything."""
    rows = []
    for i in range(n_orders):
        day = f"2024-01-{1 + i % 28:02d}"
        rows.append((f"o{i}", "Web order", f"{day} 09:00", None, "customer", True,
                     f"Main {i}", None))
        rows.append((f"o{i}", "Confirm order", f"{day} 10:00", "Sales", "internal", robot,
                     f"Main {i}" if i < n_rekeyed else None, None))
        rows.append((f"o{i}", "Pick", f"{day} 11:00", "Warehouse", "internal", False, None,
                     None))
    return make_log(rows)


def test_a_candidate_is_priced_on_its_evidence_not_on_every_execution():
    log = _keyed_orders(100, 30)
    c = find_candidates(log, costs=COSTS, keywords=())
    row = c.table.set_index("activity").loc["Confirm order"]
    # 100 executions of the step, 30 re-key the customer's address: only those 30 count
    assert row["executions"] == 100 and row["events"] == 30 and row["step_events"] == 30
    assert row["labour_cost"] == pytest.approx(30 * 6.0)
    assert row["evidence_kind"] == "values" and row["support"] == pytest.approx(0.30)
    assert row["strength"] == "strong"
    p = project(log, [c.move(1)], costs=COSTS)
    assert p.events_changed == 30


def test_below_the_minimum_support_is_weak_evidence_not_ranked():
    log = _keyed_orders(300, 6)  # 6 events in 2% of the orders: < 20 events
    c = find_candidates(log, costs=COSTS, keywords=())
    assert c.table.empty
    assert c.weak[["activity", "events", "strength"]].values.tolist() == [
        ["Confirm order", 6, "weak"]]
    # 1% of 300 orders is 3; at least 20 events: both are needed
    ranked = find_candidates(log, costs=COSTS, keywords=(), min_events=5, min_share=0.01)
    assert ranked.table["activity"].tolist() == ["Confirm order"] and ranked.weak.empty
    assert find_candidates(log, costs=COSTS, keywords=(), min_events=5,
                           min_share=0.05).table.empty
    with pytest.raises(UsageError, match="min_share"):
        find_candidates(log, min_share=2)


def test_automated_steps_are_never_candidates_nor_labour():
    log = _keyed_orders(100, 100, robot=True)  # a robot account confirms (declared)
    c = find_candidates(log, costs=COSTS, keywords=())
    assert "Confirm order" not in set(c.table["activity"]) | set(c.weak["activity"])
    assert c.events.loc[c.events["activity"] == "Confirm order"].empty


def _register_displays() -> None:
    """The notebook displays of procmine.render.tables, which ``_repr_html_`` shows."""
    from procmine.render.tables import register

    register()
