"""Waits priced as what they are: working time, capped, lead time until a planned date
unpriced, system handoffs without coordination cost. Every figure worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine import EventLog, InformationItem, handoffs
from procmine.analysis.costs import Calendar, CostModel

H = 3600.0
ALL_WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _us(*stamps: str) -> np.ndarray:
    return np.array([pd.Timestamp(s, tz="UTC").value // 1000 for s in stamps], dtype=np.int64)


def _hours(calendar: Calendar, start: str, end: str) -> float:
    both = calendar.working_seconds(_us(start, end))
    return float(both[1] - both[0]) / H


def test_working_time_skips_nights_weekends_and_holidays():
    c = Calendar()  # Mon-Fri 08:00-17:00 UTC; 2024-01-05 is a Friday
    assert _hours(c, "2024-01-05 16:00", "2024-01-08 09:00") == pytest.approx(1 + 1)
    assert _hours(c, "2024-01-06 10:00", "2024-01-07 15:00") == 0  # a weekend
    assert _hours(c, "2024-01-01 07:00", "2024-01-01 20:00") == pytest.approx(9)
    assert _hours(c, "2024-01-01 09:00", "2024-01-08 09:00") == pytest.approx(45)  # a week
    off = Calendar(holidays=("2024-01-02",))
    assert _hours(off, "2024-01-01 09:00", "2024-01-03 09:00") == pytest.approx(8 + 0 + 1)
    assert _hours(off, "2024-01-02 09:00", "2024-01-02 12:00") == 0
    night = Calendar(days=ALL_WEEK, start="00:00", end="24:00")
    assert _hours(night, "2024-01-06 10:00", "2024-01-07 15:00") == pytest.approx(29)


def test_working_hours_are_local_time():
    # Amsterdam is UTC+1 in January: 08:00-17:00 local is 07:00-16:00 UTC
    c = Calendar(timezone="Europe/Amsterdam")
    assert _hours(c, "2024-01-01 06:00", "2024-01-01 20:00") == pytest.approx(9)
    assert _hours(c, "2024-01-01 15:00", "2024-01-01 20:00") == pytest.approx(1)
    # in July (UTC+2) 08:00-17:00 local is 06:00-15:00 UTC
    assert _hours(c, "2024-07-01 14:00", "2024-07-01 20:00") == pytest.approx(1)


def test_queue_is_capped_per_wait_and_starts_at_the_planned_date():
    m = CostModel(calendar=Calendar(days=ALL_WEEK, start="00:00", end="24:00"),
                  wait_cap_hours=10)
    start, end = _us("2024-01-01 00:00"), _us("2024-01-03 00:00")
    assert m.queue_seconds(start, end)[0] == pytest.approx(10 * H)  # 48 h capped at 10
    assert m.queue_seconds(start, end, cap=False)[0] == pytest.approx(48 * H)
    planned = _us("2024-01-02 20:00")
    assert m.queue_seconds(start, end, planned_us=planned)[0] == pytest.approx(4 * H)
    assert m.lead_seconds(start, end, planned)[0] == pytest.approx(44 * H)
    late = _us("2024-01-05 00:00")  # planned after the wait: all of it is lead time
    assert m.queue_seconds(start, end, planned_us=late)[0] == 0
    assert m.lead_seconds(start, end, late)[0] == pytest.approx(48 * H)


def _log(rows, items=()):
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department",
                                        "automated", "requested_date"])
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name="w", items=items)


def test_lead_time_until_the_requested_date_is_shown_not_priced():
    rows = [
        # requested for Monday 15 Jan; picked Mon 1 Jan, shipped Thu 11 Jan 10:00: lead time
        ("o1", "Enter order", "2024-01-01 09:00", "Sales", False, "15.01.2024"),
        ("o1", "Pick", "2024-01-01 10:00", "Warehouse", False, None),
        ("o1", "Ship", "2024-01-11 10:00", "Shipping", False, None),
        # ... invoiced on Wed 17 Jan 10:00: waiting after the requested date is delay
        ("o1", "Invoice", "2024-01-17 10:00", "Billing", False, None),
    ]
    log = _log(rows, items=[InformationItem("requested_date", "customer", type="date")])
    costs = CostModel(handoff_cost=0.0, wait_cost_per_hour=1.0, wait_cap_hours=0)
    h = handoffs(log, costs=costs)
    e = h.events.set_index("target")
    # Sales->Warehouse 1 h before the date: lead time
    assert e.loc["Warehouse", "lead_s"] == pytest.approx(1 * H) and e.loc["Warehouse",
                                                                          "queue_s"] == 0
    assert e.loc["Shipping", "lead_s"] == pytest.approx(240 * H)
    # Shipping->Billing: Thu 11 10:00 -> Mon 15 00:00 lead (86 h), then Mon 15 and Tue 16
    # (9 + 9 working hours) and Wed 17 08:00-10:00 (2 h) queue
    assert e.loc["Billing", "lead_s"] == pytest.approx(86 * H)
    assert e.loc["Billing", "queue_s"] == pytest.approx(20 * H)
    assert h.cost == pytest.approx(20.0)
    t = h.table.set_index("target")
    assert t.loc["Billing", "queue_wait_s"] == pytest.approx(20 * H)
    assert t.loc["Billing", "lead_time_s"] == pytest.approx(86 * H)


def test_system_handoffs_are_counted_but_cost_no_coordination():
    rows = [
        ("o1", "Check credit", "2024-01-01 09:00", "Credit", True, None),
        ("o1", "Release", "2024-01-01 09:00", "ERP", True, None),
        ("o1", "Pick", "2024-01-01 09:00", "Warehouse", False, None),
    ]
    h = handoffs(_log(rows), costs=CostModel(handoff_cost=5.0, wait_cost_per_hour=0.0))
    assert h.count == 2 and h.system_count == 1
    # Credit->ERP is robot to robot: no coordination; ERP->Warehouse a person picks: 5
    assert h.cost == pytest.approx(5.0)
    assert h.events["system"].tolist() == [True, False]
