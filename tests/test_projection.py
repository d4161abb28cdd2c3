"""Projection: moves applied to hand-built logs; times, handoffs and costs worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from procmine import EventLog, InformationItem, handoffs
from procmine.analysis.candidates import candidates
from procmine.analysis.costs import CHANGE_KINDS, CostModel
from procmine.analysis.projection import Move, project
from procmine.errors import UsageError
from procmine.schema import empty_events

COLUMNS = ["case_id", "activity", "timestamp", "department", "party", "automated", "resource",
           "address"]
COSTS = CostModel(
    department_rates={}, default_rate=60.0, activity_minutes={}, default_minutes=6.0,
    handoff_cost=1.0, wait_cost_per_hour=0.0, discrepancy_minutes=30.0, annual_orders=200,
    implementation=dict.fromkeys(CHANGE_KINDS, 1000.0), running=dict.fromkeys(CHANGE_KINDS, 10.0),
    residual_share=dict.fromkeys(CHANGE_KINDS, 0.5),
)


ITEMS = (InformationItem("address", "customer"),)


def make_log(rows, items=ITEMS) -> EventLog:
    frame = pd.DataFrame(rows, columns=COLUMNS[: len(rows[0])])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="t", items=items)


ROWS = [
    ("o1", "Customer e-mails order", "2024-01-01 08:00", None, "customer", True, "MAIL", "a"),
    ("o1", "Enter order", "2024-01-01 12:00", "Sales", "internal", False, "ann", "a"),
    ("o1", "Pick", "2024-01-01 15:00", "Warehouse", "internal", False, "bob", None),
    ("o1", "Create invoice", "2024-01-02 09:00", "Billing", "internal", False, "cy", "b"),
    ("o1", "Send invoice", "2024-01-02 10:00", "Billing", "internal", False, "cy", None),
    ("o2", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "ann", "c"),
    ("o2", "Pick", "2024-01-01 10:00", "Warehouse", "internal", False, "bob", None),
]


def times(log: EventLog, case: str) -> list[list[str]]:
    e = log.case(case)
    return [[a, str(t)] for a, t in zip(e["activity"], e["timestamp"], strict=True)]


def test_move_to_customer_happens_at_the_customers_event_and_saves_the_wait():
    p = project(make_log(ROWS), [Move("Enter order", "Sales", "customer_self_service")],
                costs=COSTS)
    # o1: Enter order waited 4 h after the e-mail: it now happens at 08:00 and later
    # events move 4 h earlier
    assert times(p.after, "o1") == [
        ["Customer e-mails order", "2024-01-01 08:00:00+00:00"],
        ["Enter order", "2024-01-01 08:00:00+00:00"],
        ["Pick", "2024-01-01 11:00:00+00:00"],
        ["Create invoice", "2024-01-02 05:00:00+00:00"],
        ["Send invoice", "2024-01-02 06:00:00+00:00"],
    ]
    # o2: first event, nothing before it: unchanged
    assert times(p.after, "o2") == times(p.before, "o2")
    moved = p.after.events[p.after.events["activity"] == "Enter order"]
    assert moved["party"].astype(str).tolist() == ["customer", "customer"]
    assert moved["department"].isna().all() and moved["resource"].isna().all()
    assert moved["automated"].tolist() == [True, True]
    assert p.events_changed == 2


def test_department_handoffs_recomputed():
    log = make_log(ROWS)
    p = project(log, [Move("Enter order", "Sales", "customer_self_service")], costs=COSTS)
    # before: o1 customer→Sales, Sales→Warehouse, Warehouse→Billing; o2 Sales→Warehouse = 4
    # after: the customer enters the order (the customer is an actor at department level):
    # o1 customer→Warehouse, Warehouse→Billing; o2 customer→Warehouse = 3
    assert p.handoffs_before.count == 4
    assert p.handoffs_after.count == 3
    d = p.table.set_index("metric")
    assert d.loc["department_handoffs", "before"] == 4 and d.loc["department_handoffs",
                                                                 "after"] == 3
    assert d.loc["department_handoffs", "change"] == -1
    assert d.loc["handoffs_per_order", "after"] == 1.5
    # the projection's figures are the handoff counter's on the projected log
    assert p.handoffs_after.count == handoffs(p.after, level="department").count
    assert d.loc["handoff_wait_s", "after"] == pytest.approx(p.handoffs_after.wait_s)


def test_shared_data_automates_the_keying_and_keeps_the_step():
    log = make_log(ROWS)
    p = project(log, [Move("Create invoice", "Billing", "shared_data")], costs=COSTS)
    # the event stays: same events, same times, same department and resource
    assert p.after.n_events == 7 and p.events_changed == 1
    assert times(p.after, "o1") == times(p.before, "o1")
    invoice = p.after.events[p.after.events["activity"] == "Create invoice"].iloc[0]
    assert invoice["automated"] == True  # noqa: E712 (nullable boolean)
    assert invoice["department"] == "Billing" and invoice["resource"] == "cy"
    assert invoice["party"] == "internal" and invoice["address"] == "b"
    d = p.table.set_index("metric")
    assert d.loc["events", "change"] == 0
    # department handoffs unchanged: o1 customer→Sales→Warehouse→Billing, o2 Sales→Warehouse
    assert d.loc["department_handoffs", "before"] == 4 and d.loc["department_handoffs",
                                                                 "change"] == 0
    # no timeline shift: cycle times o1 26 h, o2 1 h stay
    assert d.loc["mean_cycle_time_s", "after"] == pytest.approx((26 + 1) / 2 * 3600)
    assert d.loc["mean_cycle_time_s", "change"] == 0
    # the invoice no longer re-keys the address by hand: its discrepancy (b vs a) goes,
    # the re-entry by Sales stays
    assert d.loc["reentries", "before"] == 2 and d.loc["reentries", "after"] == 1
    assert d.loc["discrepancies", "before"] == 1 and d.loc["discrepancies", "after"] == 0
    # labour: 6 manual events x 6 min at 60/h = 36; after 5 x 6 + residual 0.5 x 6 = 33
    assert d.loc["manual_events", "after"] == 5
    assert d.loc["labour_cost", "before"] == pytest.approx(36.0)
    assert d.loc["labour_cost", "after"] == pytest.approx(33.0)
    assert d.loc["rework_cost", "after"] == 0


def test_shared_data_on_a_physical_step_keeps_the_transit_time():
    # the return travels three days; receiving it re-keys the customer's return reason
    rows = [
        ("r1", "Request return", "2024-01-01 09:00", None, "customer", True, "web", "damaged"),
        ("r1", "Record return request", "2024-01-01 10:00", "Customer Service", "internal",
         False, "cs", "damaged"),
        ("r1", "Receive returned goods", "2024-01-04 10:00", "Returns", "internal", False,
         "rt", "Damaged"),
        ("r1", "Refund", "2024-01-04 12:00", "Billing", "internal", False, "bi", None),
    ]
    log = make_log(rows)
    p = project(log, [Move("Receive returned goods", "Returns", "shared_data")], costs=COSTS)
    assert times(p.after, "r1") == times(log, "r1")  # the parcel still takes three days
    d = p.table.set_index("metric")
    # customer→Customer Service→Returns→Billing stays
    assert d.loc["department_handoffs", "after"] == 3
    assert d.loc["median_cycle_time_s", "change"] == 0
    # re-entries: Customer Service and Returns re-key the reason; Returns no longer
    assert d.loc["reentries", "before"] == 2 and d.loc["reentries", "after"] == 1
    assert d.loc["manual_events", "change"] == -1


def test_timeline_shifts_only_for_moves_to_an_outside_party():
    rows = [
        ("o1", "Enter order", "2024-01-01 08:00", "Sales", "internal", False, "a", None),
        ("o1", "Book carrier", "2024-01-01 10:00", "Shipping", "internal", False, "b", None),
        ("o1", "Carrier scan", "2024-01-01 12:00", None, "carrier", True, "api", None),
        ("o1", "Book carrier", "2024-01-01 15:00", "Shipping", "internal", False, "b", None),
        ("o1", "Ship", "2024-01-01 16:00", "Shipping", "internal", False, "d", None),
    ]
    log = make_log(rows)
    p = project(log, [Move("Book carrier", "Shipping", "carrier_api")], costs=COSTS)
    # the first booking follows a Sales event: the carrier does it, at the same time.
    # The second follows the carrier's scan (its trigger): it happens with the scan
    # (3 h earlier) and Ship moves 3 h earlier too.
    assert times(p.after, "o1") == [
        ["Enter order", "2024-01-01 08:00:00+00:00"],
        ["Book carrier", "2024-01-01 10:00:00+00:00"],
        ["Carrier scan", "2024-01-01 12:00:00+00:00"],
        ["Book carrier", "2024-01-01 12:00:00+00:00"],
        ["Ship", "2024-01-01 13:00:00+00:00"],
    ]
    shared = project(log, [Move("Book carrier", "Shipping", "shared_data")], costs=COSTS)
    assert times(shared.after, "o1") == times(log, "o1")


def test_reentry_given_gives_the_same_projection():
    from procmine.analysis.reentry import reentry

    log = make_log(ROWS)
    for move in (Move("Enter order", "Sales", "customer_self_service"),
                 Move("Create invoice", "Billing", "shared_data")):
        fresh = project(log, [move], costs=COSTS)
        given = project(log, [move], costs=COSTS, reentry=reentry(log, costs=COSTS))
        pd.testing.assert_frame_equal(given.table, fresh.table)
        pd.testing.assert_frame_equal(given.after.events, fresh.after.events)
        # a result by another level is not used for the as-is figures
        other = project(log, [move], costs=COSTS, reentry=reentry(log, level="source"))
        pd.testing.assert_frame_equal(other.table, fresh.table)


def test_projected_log_is_canonical():
    from procmine.schema import validate_events

    log = make_log(ROWS)
    moves = [Move("Enter order", "Sales", "customer_self_service"),
             Move("Create invoice", "Billing", "shared_data")]
    after = project(log, moves, costs=COSTS).after.events
    pd.testing.assert_frame_equal(after, validate_events(after, source="t"))


def test_labour_and_costs():
    p = project(make_log(ROWS), [Move("Enter order", "Sales", "customer_self_service")],
                costs=COSTS)
    d = p.table.set_index("metric")
    # manual internal events: 6 before, 4 after; 6 minutes each at 60/h
    assert d.loc["manual_events", "before"] == 6 and d.loc["manual_events", "after"] == 4
    assert d.loc["labour_minutes", "after"] == 24
    # residual share 0.5 of the moved steps' labour (2 x 6.0) stays
    assert d.loc["labour_cost", "after"] == pytest.approx(24.0 + 6.0)
    # 4 department handoffs (customer→Sales among them) at 1.0 each
    assert d.loc["handoff_cost", "before"] == pytest.approx(4.0)
    # rework: o1 invoice differs from the first entry in both logs: 30 min at 60/h
    assert d.loc["rework_cost", "before"] == pytest.approx(30.0)
    # running cost 10 a month = 120 a year; the log is 2 of 200 orders a year
    assert d.loc["running_cost", "after"] == pytest.approx(120 / 100)
    assert d.loc["implementation_cost", "after"] == 1000.0
    total_before = 36.0 + 4.0 + 30.0
    assert d.loc["total_cost", "before"] == pytest.approx(total_before)
    assert d.loc["total_cost_annual", "before"] == pytest.approx(total_before * 100)


def test_implementation_once_per_kind():
    moves = [Move("Enter order", "Sales", "customer_self_service"),
             Move("Create invoice", "Billing", "customer_self_service")]
    d = project(make_log(ROWS), moves, costs=COSTS).table.set_index("metric")
    assert d.loc["implementation_cost", "after"] == 1000.0
    moves.append(Move("Send invoice", "Billing", "shared_data"))
    d = project(make_log(ROWS), moves, costs=COSTS).table.set_index("metric")
    assert d.loc["implementation_cost", "after"] == 2000.0


def test_move_not_triggered_by_its_owner_keeps_its_time():
    p = project(make_log(ROWS), [Move("Pick", "Warehouse", "carrier_api")], costs=COSTS)
    # no carrier event before Pick: the carrier does it when it was done; nothing moves
    assert times(p.after, "o1") == times(p.before, "o1")
    assert times(p.after, "o2") == times(p.before, "o2")
    assert set(p.after.events.loc[p.after.events["activity"] == "Pick", "party"].astype(str)) \
        == {"carrier"}


def test_department_none_matches_missing_department():
    rows = [("o1", "Enter order", "2024-01-01 09:00", None, "internal", False, "x", None),
            ("o1", "Pick", "2024-01-01 10:00", "Warehouse", "internal", False, "y", None)]
    p = project(make_log(rows), [Move("Enter order", None, "shared_data")], costs=COSTS)
    assert p.after.events["activity"].tolist() == ["Enter order", "Pick"]
    assert p.after.events["automated"].tolist() == [True, False]
    assert times(p.after, "o1") == times(p.before, "o1")
    p = project(make_log(rows), [Move("Enter order", None, "customer_self_service")],
                costs=COSTS)
    # the moved step was the first of the order: no wait before it, nothing moves
    assert p.after.events["party"].astype(str).tolist() == ["customer", "internal"]
    assert times(p.after, "o1") == times(p.before, "o1")


def test_moves_in_every_accepted_form_agree():
    log = make_log(ROWS)
    one = project(log, Move("Enter order", "Sales", "customer_self_service"), costs=COSTS)
    forms = [
        [Move("Enter order", "Sales", "customer_self_service")],
        [{"activity": "Enter order", "department": "Sales", "kind": "customer_self_service"}],
        pd.DataFrame([{"activity": "Enter order", "department": "Sales",
                       "kind": "customer_self_service"}]),
    ]
    for form in forms:
        other = project(log, form, costs=COSTS)
        pd.testing.assert_frame_equal(other.after.events, one.after.events)
        pd.testing.assert_frame_equal(other.table, one.table)


def test_candidate_rows_are_moves():
    log = make_log(ROWS)
    c = candidates(log, costs=COSTS, min_share=0, min_events=0)  # a tiny log: rank all
    row = c.table[c.table["activity"] == "Enter order"].iloc[0]
    p = project(log, [row], costs=COSTS)
    assert p.moves == (Move("Enter order", "Sales", row["kind"]),)
    everything = project(log, c, costs=COSTS)
    assert len(everything.moves) == len(c.table)


def test_bad_moves_are_usage_errors():
    log = make_log(ROWS)
    with pytest.raises(UsageError, match="kind must be one of"):
        project(log, [Move("Enter order", "Sales", "fax")])
    with pytest.raises(UsageError, match="lacks kind"):
        project(log, [{"activity": "Enter order", "department": "Sales"}])
    with pytest.raises(UsageError, match="must be a Move"):
        project(log, ["Enter order"])


def test_no_moves_changes_nothing():
    log = make_log(ROWS)
    p = project(log, [], costs=COSTS)
    pd.testing.assert_frame_equal(p.after.events, log.events)
    assert (p.table["change"].fillna(0) == 0).all()


def test_timestamp_ties_and_input_untouched():
    rows = [
        ("o1", "Customer e-mails order", "2024-01-01 08:00", None, "customer", True, "m", "a"),
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", "internal", False, "ann", "a"),
        ("o1", "Check", "2024-01-01 09:00", "Credit", "internal", False, "z", None),
    ]
    log = make_log(rows)
    before = log.events.copy()
    p = project(log, [Move("Enter order", "Sales", "customer_self_service")], costs=COSTS)
    pd.testing.assert_frame_equal(log.events, before)
    # the moved step takes the customer's time and Check (tied with it) moves 1 h too;
    # the stable order keeps e-mail, entry, check
    assert [a for a, _ in times(p.after, "o1")] == ["Customer e-mails order", "Enter order",
                                                    "Check"]
    assert {t for _, t in times(p.after, "o1")} == {"2024-01-01 08:00:00+00:00"}


def test_empty_log():
    empty = EventLog.from_frame(empty_events(), name="t")
    p = project(empty, [Move("Enter order", "Sales", "shared_data")], costs=COSTS)
    assert p.after.n_events == 0
    assert p.table.set_index("metric").loc["implementation_cost", "after"] == 0
    _register_displays()
    assert "<div" in p._repr_html_()


def _register_displays() -> None:
    """The notebook displays of procmine.render.tables, which ``_repr_html_`` shows."""
    from procmine.render.tables import register

    register()


# -- the trigger: the party's most recent earlier event, and the projected order ----------
def _frame_log(rows, columns, items=()) -> EventLog:
    frame = pd.DataFrame(rows, columns=columns)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="t", items=items)


SHIP = ["case_id", "activity", "timestamp", "department", "party", "automated", "object_id"]
HAND = "Register carrier hand-over"


def test_a_system_event_between_the_trigger_and_the_step_does_not_hide_the_trigger():
    rows = [
        ("o1", "Pack order", "2024-01-01 10:00", "Warehouse", "internal", False, None),
        ("o1", "Carrier pick-up scan", "2024-01-01 12:00", None, "carrier", True, None),
        ("o1", "Send shipping notification", "2024-01-01 12:20", "Shipping", "internal", True,
         None),
        ("o1", HAND, "2024-01-01 14:00", "Shipping", "internal", False, None),
        ("o1", "Create invoice", "2024-01-01 16:00", "Billing", "internal", False, None),
    ]
    log = _frame_log(rows, SHIP)
    p = project(log, [Move(HAND, "Shipping", "carrier_api")], costs=COSTS)
    # the carrier registers it with its scan (12:00), before Shipping's notification;
    # the invoice moves earlier by the hand-over's own wait (14:00 - 12:20)
    assert times(p.after, "o1") == [
        ["Pack order", "2024-01-01 10:00:00+00:00"],
        ["Carrier pick-up scan", "2024-01-01 12:00:00+00:00"],
        [HAND, "2024-01-01 12:00:00+00:00"],
        ["Send shipping notification", "2024-01-01 12:20:00+00:00"],
        ["Create invoice", "2024-01-01 14:20:00+00:00"],
    ]
    # Warehouse→carrier→Shipping→Billing: 3 before (the hand-over stays with Shipping)
    # and 3 after; kept after the notification it would bounce Shipping→carrier→Billing (4)
    assert p.handoffs_before.count == 3 and p.handoffs_after.count == 3
    assert handoffs(p.after, level="department", costs=COSTS).count == 3


def test_a_packages_hand_over_is_triggered_by_that_packages_scan():
    rows = [
        ("o1", "Carrier pick-up scan", "2024-01-01 12:00", None, "carrier", True, "p1"),
        ("o1", "Carrier pick-up scan", "2024-01-01 13:00", None, "carrier", True, "p2"),
        ("o1", HAND, "2024-01-01 15:00", "Shipping", "internal", False, "p1"),
        ("o1", HAND, "2024-01-01 15:30", "Shipping", "internal", False, "p2"),
        ("o1", "Create invoice", "2024-01-01 17:00", "Billing", "internal", False, None),
    ]
    p = project(_frame_log(rows, SHIP), [Move(HAND, "Shipping", "carrier_api")], costs=COSTS)
    after = p.after.events
    assert times(p.after, "o1") == [
        ["Carrier pick-up scan", "2024-01-01 12:00:00+00:00"],
        [HAND, "2024-01-01 12:00:00+00:00"],
        ["Carrier pick-up scan", "2024-01-01 13:00:00+00:00"],
        [HAND, "2024-01-01 13:00:00+00:00"],
        ["Create invoice", "2024-01-01 14:30:00+00:00"],  # 2 h + 30 min earlier
    ]
    assert after["object_id"].tolist()[:4] == ["p1", "p1", "p2", "p2"]
    # carrier→Shipping→Billing before; carrier→Billing after
    assert (p.handoffs_before.count, p.handoffs_after.count) == (2, 1)


def test_staff_work_in_between_means_the_step_did_not_wait_on_the_party():
    rows = [
        ("o1", "Customer calls", "2024-01-01 09:00", None, "customer", True, None),
        ("o1", "Enter order", "2024-01-01 09:10", "Sales", "internal", False, None),
        ("o1", "Answer order status enquiry", "2024-01-01 10:00", "Customer Service",
         "internal", False, None),
        ("o1", "Pick", "2024-01-01 11:00", "Warehouse", "internal", False, None),
    ]
    log = _frame_log(rows, SHIP)
    p = project(log, [Move("Answer order status enquiry", "Customer Service",
                           "customer_self_service")], costs=COSTS)
    # Sales keyed the order between the call and the enquiry: the customer looks it up
    # when it does, nothing moves
    assert times(p.after, "o1") == times(log, "o1")
    assert p.after.events["party"].astype(str).tolist()[2] == "customer"


def test_figures_in_the_projected_order_equal_the_analysis_of_the_projected_log():
    from procmine.analysis.moves import move_effects

    costs = CostModel(
        department_rates={}, default_rate=60.0, activity_minutes={}, default_minutes=6.0,
        handoff_cost=1.0, wait_cost_per_hour=10.0, discrepancy_minutes=30.0, annual_orders=200,
        implementation=dict.fromkeys(CHANGE_KINDS, 1000.0),
        running=dict.fromkeys(CHANGE_KINDS, 10.0),
        residual_share=dict.fromkeys(CHANGE_KINDS, 0.5),
    )
    columns = [*SHIP, "confirmed_delivery_date"]
    rows = [  # the moved step enters the planned date: it brings it forward with it
        ("o1", "Supplier confirms date", "2024-01-01 09:00", None, "supplier", True, None, None),
        ("o1", "Notify buyer", "2024-01-01 09:10", "Purchasing", "internal", True, None, None),
        ("o1", "Enter supplier date", "2024-01-01 12:00", "Purchasing", "internal", False,
         None, "2024-01-10"),
        ("o1", "Receive goods", "2024-01-12 09:00", "Warehouse", "internal", False, None, None),
        ("o2", "Supplier confirms date", "2024-01-02 09:00", None, "supplier", True, None, None),
        ("o2", "Enter supplier date", "2024-01-02 10:00", "Purchasing", "internal", False,
         None, "2024-01-09"),
        ("o2", "Receive goods", "2024-01-03 09:00", "Warehouse", "internal", False, None, None),
    ]
    log = _frame_log(rows, columns)
    move = Move("Enter supplier date", "Purchasing", "supplier_portal_edi")
    p = project(log, [move], costs=costs)
    # o1: supplier, entry (09:00), then Purchasing's notice, Warehouse; o2: adjacent
    assert [a for a, _ in times(p.after, "o1")] == [
        "Supplier confirms date", "Enter supplier date", "Notify buyer", "Receive goods"]
    d = p.table.set_index("metric")["change"]
    effects = move_effects(log, [move], costs=costs, found=None).iloc[0]
    after = handoffs(p.after, level="department", costs=costs)
    assert effects["handoffs_removed"] == -d["department_handoffs"] == (
        p.handoffs_before.count - after.count)
    assert effects["queue_s_removed"] == pytest.approx(-d["handoff_queue_s"])
    assert effects["queue_s_removed"] == pytest.approx(
        p.handoffs_before.queue_s - after.queue_s)
    assert effects["handoff_cost_removed"] == pytest.approx(p.handoffs_before.cost - after.cost)
