"""Re-entry after a move: the move engine's figures equal re-entry detected on the projected log."""

from __future__ import annotations

import pandas as pd

from procmine import EventLog, InformationItem, reentry
from procmine.analysis.costs import CostModel
from procmine.analysis.moves import Move, move_effects
from procmine.analysis.projection import project

COSTS = CostModel(department_rates={}, default_rate=60.0, default_minutes=6.0,
                  discrepancy_minutes=30.0, annual_orders=100)
COLUMNS = ["case_id", "activity", "timestamp", "department", "party", "automated", "object_id",
           "tracking_number"]


def _log(rows) -> EventLog:
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="t",
                               items=[InformationItem("tracking_number", "carrier", type="code")])


# Two packages of one order. The carrier scans each (its tracking number); Shipping keys
# both numbers (the second with a typo); Customer Service checks the second package's
# number. Re-entry is found per package: before, Shipping re-enters both (one
# discrepancy) and Customer Service re-enters package 2's number (same as the scan).
ROWS = [
    ("o1", "Carrier scan", "2024-01-01 09:00", None, "carrier", True, "P1", "T1"),
    ("o1", "Carrier scan", "2024-01-01 09:05", None, "carrier", True, "P2", "T2"),
    ("o1", "Enter tracking", "2024-01-01 11:00", "Shipping", "internal", False, "P1", "T1"),
    ("o1", "Enter tracking", "2024-01-01 11:05", "Shipping", "internal", False, "P2", "T2x"),
    ("o1", "Check tracking", "2024-01-01 15:00", "Customer Service", "internal", False, "P2",
     "T2"),
]


def test_reentry_after_a_move_is_found_per_sub_object():
    log = _log(ROWS)
    before = reentry(log, costs=COSTS)
    assert (before.count, int((~before.events["same_value"]).sum())) == (3, 1)  # by hand
    move = Move("Enter tracking", "Shipping", "carrier_api")
    p = project(log, [move], costs=COSTS)
    # the carrier now enters both numbers; Customer Service's check of package 2 still
    # re-enters the carrier's T2 (same value): one re-entry, no discrepancy. Compared
    # with the first entry of the order (package 1's T1) it would read as a discrepancy.
    after = reentry(p.after, costs=COSTS)
    assert after.count == 1
    assert not (~after.events["same_value"]).any()
    table = p.table.set_index("metric")
    assert table.loc["reentries", "after"] == after.count == 1
    assert table.loc["discrepancies", "after"] == 0
    effect = move_effects(log, [move], costs=COSTS, found=before.events).iloc[0]
    assert effect["reentries_removed"] == before.count - after.count == 2
    assert effect["discrepancies_removed"] == 1
    # the rework that goes: one discrepancy at Shipping's rate (30 min at 60/h)
    assert effect["rework_cost"] == 30.0


def test_a_move_is_measured_on_the_orders_it_touches():
    # the move touches one order of four (its frame of orders is a copy of that order);
    # its figures equal the projection's, and handoffs() of the projected log
    from procmine.analysis.handoffs import handoffs
    from procmine.analysis.moves import MoveFrame

    rows = [
        ("o1", "Carrier scan", "2024-01-01 09:00", None, "carrier", True, "P1", "T1"),
        ("o1", "Notify customer", "2024-01-01 09:30", "Shipping", "internal", True, "P1",
         None),
        ("o1", "Enter tracking", "2024-01-01 11:00", "Shipping", "internal", False, "P1",
         "T1x"),
        ("o1", "Invoice", "2024-01-02 10:00", "Billing", "internal", False, None, None),
    ] + [
        (o, a, f"2024-01-0{d} {h}", dept, "internal", False, None, None)
        for o, d in (("o2", 3), ("o3", 4), ("o4", 5))
        for a, h, dept in (("Pick", "09:00", "Warehouse"), ("Ship", "12:00", "Shipping"),
                           ("Invoice", "15:00", "Billing"))
    ]
    log = _log(rows)
    move = Move("Enter tracking", "Shipping", "carrier_api")
    frame = MoveFrame.of(log.events, COSTS)
    part = frame.orders(frame.step_positions(move))
    assert part is not frame and part.at is not None and part.at.tolist() == [0, 1, 2, 3]
    before = reentry(log, costs=COSTS)
    effect = move_effects(log, [move], costs=COSTS, found=before.events).iloc[0]
    p = project(log, [move], costs=COSTS)
    after = handoffs(p.after, level="department", costs=COSTS)
    # o1 by hand: carrier -> Shipping -> Billing (2 handoffs; the notice is Shipping's
    # too) becomes carrier, carrier (the keying, at the scan), Shipping, Billing: 2
    assert p.handoffs_before.count == 2 + 3 * 2
    assert effect["handoffs_removed"] == p.handoffs_before.count - after.count == 0
    assert effect["queue_s_removed"] == p.handoffs_before.queue_s - after.queue_s
    assert effect["handoff_cost_removed"] == p.handoffs_before.cost - after.cost
    table = p.table.set_index("metric")
    assert effect["reentries_removed"] == before.count - table.loc["reentries", "after"] == 1
    assert effect["discrepancies_removed"] == 1
