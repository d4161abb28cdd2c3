"""KPIs: a hand-built two-week log whose every figure is worked out by hand below."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from procmine import EventLog, UsageError
from procmine.analysis.kpis import KPI_COLUMNS, ORDER_COLUMNS, kpis
from procmine.schema import empty_events

COLS = ("case_id", "activity", "timestamp", "department", "automated", "party")
ROWS = [
    # o1: manual entry (not touchless), 4 handoffs, paid after 96 h, cycle 96 h
    ("o1", "Enter order", "2024-01-01 09:00", "Sales", False, "internal"),
    ("o1", "Check credit", "2024-01-01 10:00", "Credit", True, "internal"),
    ("o1", "Pick", "2024-01-02 09:00", "Warehouse", False, "internal"),
    ("o1", "Ship", "2024-01-02 12:00", "Shipping", True, "internal"),
    ("o1", "Payment received", "2024-01-05 09:00", "Billing", True, "internal"),
    # o2: touchless (manual picking is exempt), 3 handoffs, paid after 24 h
    ("o2", "Enter order", "2024-01-01 11:00", "Sales", True, "internal"),
    ("o2", "Pick", "2024-01-01 12:00", "Warehouse", False, "internal"),
    ("o2", "Ship", "2024-01-01 13:00", "Shipping", True, "internal"),
    ("o2", "Payment received", "2024-01-02 11:00", "Billing", True, "internal"),
    # o3: rework (entered twice), cancelled, cycle 2 h
    ("o3", "Enter order", "2024-01-02 08:00", "Sales", True, "internal"),
    ("o3", "Enter order", "2024-01-02 09:00", "Sales", True, "internal"),
    ("o3", "Cancel order", "2024-01-02 10:00", "Sales", True, "internal"),
    # o4: returned (manual return handling), 4 handoffs, paid after 24 h, cycle 288 h
    ("o4", "Enter order", "2024-01-08 09:00", "Sales", True, "internal"),
    ("o4", "Pick", "2024-01-08 10:00", "Warehouse", False, "internal"),
    ("o4", "Ship", "2024-01-08 11:00", "Shipping", True, "internal"),
    ("o4", "Payment received", "2024-01-09 09:00", "Billing", True, "internal"),
    ("o4", "Return requested", "2024-01-20 09:00", "Returns", False, "internal"),
    # o5: one event, 11 days before the log ends: open if open_days >= 11, else abandoned
    ("o5", "Enter order", "2024-01-09 09:00", "Sales", True, "internal"),
    # o6: the customer's own (manual) event is no internal touch; 1 handoff; paid after 3 h
    ("o6", "Order online", "2024-01-10 09:00", None, False, "customer"),
    ("o6", "Enter order", "2024-01-10 09:30", "Sales", True, "internal"),
    ("o6", "Payment received", "2024-01-10 12:00", "Billing", True, "internal"),
]


def _log(rows=ROWS, columns=COLS, drop=()):
    frame = pd.DataFrame(rows, columns=list(columns)).drop(columns=list(drop))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return EventLog.from_frame(frame, name="k")


def _nan_equal(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert np.isnan(a)
        else:
            assert a == pytest.approx(e)


def test_per_order_values():
    k = kpis(_log(), open_days=7)
    o = k.orders.set_index("case_id")
    assert list(k.orders.columns) == list(ORDER_COLUMNS)
    hours = {"o1": 96, "o2": 24, "o3": 2, "o4": 288, "o5": 0, "o6": 3}
    assert o["cycle_time_s"].to_dict() == {k: v * 3600 for k, v in hours.items()}
    _nan_equal(o["order_to_cash_s"].tolist(), [96 * 3600, 24 * 3600, None, 24 * 3600, None,
                                               3 * 3600])
    assert o["rework"].tolist() == [False, False, True, False, False, False]
    assert o["manual_touches"].tolist() == [1, 0, 0, 1, 0, 0]
    assert o["touchless"].tolist() == [0, 1, 0, 0, 1, 1]
    # o6: the customer's event has no department, so it counts as the actor "customer":
    # customer -> Sales -> Billing is 2 handoffs
    assert o["handoffs"].tolist() == [4, 3, 0, 4, 0, 2]
    assert o["returned"].tolist() == [False, False, False, True, False, False]
    # Enter order ends o5, but comes early in the orders it occurs in (mean relative
    # position (0 + 0 + 0 + 1/2 + 0 + 1 + 1/2) / 7 = 2/7 < 0.75): not terminal.
    assert k.terminal == ("Cancel order", "Payment received", "Return requested")
    assert o["ended"].tolist() == [True, True, True, True, False, True]
    assert o["abandoned"].tolist() == [False, False, False, False, True, False]
    assert not o["open"].any()


def test_open_orders_are_not_abandoned():
    o = kpis(_log(), open_days=14).orders.set_index("case_id")
    assert o.loc["o5", "open"] and not o["abandoned"].any()


def test_weekly_table_by_hand():
    w = kpis(_log(), open_days=7).weekly
    assert list(w.columns) == list(KPI_COLUMNS)
    assert w["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08"], utc=True))
    assert w["orders_started"].tolist() == [3, 3]
    # cycle times: week 1 [2, 24, 96], week 2 [0, 3, 288]; p90 by linear interpolation
    _nan_equal(w["cycle_time_median_s"].tolist(), [24 * 3600, 3 * 3600])
    _nan_equal(w["cycle_time_p90_s"].tolist(), [(24 + 0.8 * 72) * 3600, (3 + 0.8 * 285) * 3600])
    assert w["orders_paid"].tolist() == [2, 2]
    # order-to-cash: week 1 [24, 96], week 2 [24, 3]
    _nan_equal(w["order_to_cash_median_s"].tolist(), [60 * 3600, 13.5 * 3600])
    _nan_equal(w["order_to_cash_p90_s"].tolist(), [(24 + 0.9 * 72) * 3600, (3 + 0.9 * 21) * 3600])
    _nan_equal(w["touchless_rate"].tolist(), [1 / 3, 2 / 3])
    _nan_equal(w["handoffs_per_order"].tolist(), [7 / 3, 6 / 3])
    _nan_equal(w["return_rate"].tolist(), [0, 1 / 3])
    assert w["orders_abandoned"].tolist() == [0, 1]
    _nan_equal(w["abandoned_rate"].tolist(), [0, 1 / 3])


def test_daily_table_includes_days_without_orders():
    d = kpis(_log(), open_days=7).daily
    assert d["period"].tolist() == list(pd.date_range("2024-01-01", "2024-01-10", freq="D",
                                                      tz="UTC"))
    assert d["orders_started"].tolist() == [2, 1, 0, 0, 0, 0, 0, 1, 1, 1]
    first = d.iloc[0]
    assert first["cycle_time_median_s"] == 60 * 3600
    assert first["cycle_time_p90_s"] == pytest.approx(88.8 * 3600)
    assert first["touchless_rate"] == 0.5 and first["handoffs_per_order"] == 3.5
    empty_day = d.iloc[3]
    assert np.isnan(empty_day["touchless_rate"]) and np.isnan(empty_day["abandoned_rate"])
    assert d.iloc[8]["abandoned_rate"] == 1.0
    k = kpis(_log())
    assert k.table is k.weekly and k.tables["daily"] is k.daily and k.tables["orders"] is k.orders


def test_explicit_terminal_set():
    o = kpis(_log(), terminal={"Payment received"}, open_days=0).orders.set_index("case_id")
    # o3 (cancelled) and o5 now have no terminal activity; o4 has (it was paid, then
    # returned), so it ended.
    assert o["ended"].tolist() == [True, True, False, True, False, True]
    assert o["abandoned"].tolist() == [False, False, True, False, True, False]
    assert not o["open"].any()


def test_notes_when_not_computable():
    rows = [r[:3] for r in ROWS]
    k = kpis(_log(rows, COLS[:3]), payment_pattern=r"(?i)settled")
    text = " ".join(k.notes)
    assert "order-to-cash not computable" in text
    assert "touchless rate not computable" in text
    assert "handoffs per order not computable" in text
    assert k.orders["order_to_cash_s"].isna().all()
    assert k.orders["touchless"].isna().all() and k.orders["handoffs"].isna().all()
    assert "no activity matches return_pattern" in " ".join(
        kpis(_log(), return_pattern="refund").notes)


def test_missing_automated_flag_counts_as_manual():
    rows = [r if r[0] != "o2" or r[1] != "Enter order" else (*r[:4], None, *r[5:]) for r in ROWS]
    k = kpis(_log(rows))
    assert k.orders.set_index("case_id").loc["o2", "touchless"] == 0
    assert any("1 internal events have no automated flag" in n for n in k.notes)


def test_empty_log_and_single_event():
    k = kpis(EventLog.from_frame(empty_events()))
    assert k.daily.empty and k.weekly.empty and k.orders.empty
    assert list(k.weekly.columns) == list(KPI_COLUMNS)
    one = kpis(_log([ROWS[0]]))
    assert one.daily["orders_started"].tolist() == [1]
    assert one.orders["cycle_time_s"].tolist() == [0.0]
    _register_displays()
    assert "<table" in one._repr_html_()


def test_bad_options_raise():
    with pytest.raises(UsageError, match="payment_pattern"):
        kpis(_log(), payment_pattern="(")
    with pytest.raises(UsageError, match="terminal_share"):
        kpis(_log(), terminal_share=2)
    with pytest.raises(UsageError, match="open_days"):
        kpis(_log(), open_days=-1)
    with pytest.raises(UsageError, match=r"pm\.load\(df"):
        kpis(_log().events)
    with pytest.raises(UsageError, match=r"terminal=: the log has no activity 'Payment "
                                         r"recieved' \(did you mean 'Payment received'\?\)"):
        kpis(_log(), terminal={"Payment recieved"})
    with pytest.raises(UsageError, match=r"exempt_departments=.*'Warehouse'"):
        kpis(_log(), exempt_departments=["Warehuose"])


def test_an_early_step_where_orders_stall_is_not_an_ending():
    # 4 orders stop after Enter order (40 % of orders end there); 6 go on to payment.
    rows = [(f"s{i}", "Enter order", f"2024-01-0{1 + i % 3} 09:00") for i in range(4)]
    for i in range(6):
        rows += [(f"p{i}", "Enter order", "2024-01-01 09:00"),
                 (f"p{i}", "Ship", "2024-01-02 09:00"),
                 (f"p{i}", "Payment received", "2024-01-30 09:00")]
    k = kpis(_log(rows, COLS[:3]), open_days=7)
    # Enter order: mean relative position (4 * 1 + 6 * 0) / 10 = 0.4 < 0.75.
    assert k.terminal == ("Payment received",)
    o = k.orders.set_index("case_id")
    assert o["abandoned"].sum() == 4 and o.loc[["s0", "s1", "s2", "s3"], "abandoned"].all()


def test_partial_periods_and_open_orders():
    # the log runs Wed 3 Jan to Tue 16 Jan 2024: the weeks of 1 Jan (starts before the log)
    # and 15 Jan (ends after it) are partial, the week of 8 Jan is whole
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2", "o3", "o3"],
        "activity": ["Enter", "Ship", "Enter", "Ship", "Enter", "Pick"],
        "timestamp": pd.to_datetime(["2024-01-03 09:00", "2024-01-04 09:00",
                                     "2024-01-09 09:00", "2024-01-10 09:00",
                                     "2024-01-15 09:00", "2024-01-16 09:00"], utc=True),
    })
    k = kpis(EventLog.from_frame(frame), terminal={"Ship"}, open_days=14)
    weekly = k.weekly.set_index(k.weekly["period"].dt.strftime("%Y-%m-%d"))
    assert weekly["partial"].to_dict() == {"2024-01-01": True, "2024-01-08": False,
                                           "2024-01-15": True}
    # o3 never shipped and its last event is the log's last: still open, not abandoned
    assert weekly["orders_open"].to_dict() == {"2024-01-01": 0, "2024-01-08": 0,
                                               "2024-01-15": 1}
    assert weekly["orders_abandoned"].sum() == 0
    # days: the log covers each of its days (from the first to the last), none is partial
    assert not k.daily["partial"].any()
    assert list(k.weekly.columns) == list(KPI_COLUMNS)


def test_touchless_after_order_entry():
    o = kpis(_log(), open_days=7).orders.set_index("case_id")
    # o1's only manual touch is the order entry itself (picking is exempt): touchless after
    # entry, not strictly touchless; o3 has rework, o4 a manual return: neither
    assert o["touchless"].tolist() == [0, 1, 0, 0, 1, 1]
    assert o["touchless_after_entry"].tolist() == [1, 1, 0, 0, 1, 1]
    w = kpis(_log(), open_days=7).weekly
    _nan_equal(w["touchless_after_entry_rate"].tolist(), [2 / 3, 2 / 3])


def test_customer_kept_informed_after_each_key_step():
    rows = [
        # k1: accepted, confirmed; shipped, notified; invoiced, invoice sent: kept informed
        ("k1", "Check credit", "2024-01-01 09:00", "Credit", True, "internal"),
        ("k1", "Send order confirmation", "2024-01-01 09:05", "Sales", True, "internal"),
        ("k1", "Register carrier hand-over", "2024-01-02 09:00", "Shipping", False, "internal"),
        ("k1", "Send shipping notification", "2024-01-02 09:05", "Shipping", True, "internal"),
        ("k1", "Create invoice", "2024-01-03 09:00", "Billing", True, "internal"),
        ("k1", "Send invoice", "2024-01-03 09:01", "Billing", True, "internal"),
        # k2: shipped without a notification: not kept informed
        ("k2", "Check credit", "2024-01-01 10:00", "Credit", True, "internal"),
        ("k2", "Send order confirmation", "2024-01-01 10:05", "Sales", True, "internal"),
        ("k2", "Register carrier hand-over", "2024-01-02 10:00", "Shipping", False, "internal"),
        # k3: the confirmation came before the step it should confirm: not kept informed
        ("k3", "Send order confirmation", "2024-01-01 11:00", "Sales", True, "internal"),
        ("k3", "Check credit", "2024-01-01 11:05", "Credit", True, "internal"),
        # k4: no key step at all: not counted
        ("k4", "Enter order", "2024-01-01 12:00", "Sales", False, "internal"),
    ]
    k = kpis(_log(rows), open_days=30)
    informed = k.orders.set_index("case_id")["kept_informed"]
    assert informed.tolist()[:3] == [1.0, 0.0, 0.0] and np.isnan(informed["k4"])
    assert k.weekly["kept_informed_rate"].tolist() == [pytest.approx(1 / 3)]


def test_a_bare_payment_activity_is_a_payment():
    rows = [("p1", "Enter order", "2024-01-01 09:00", "Sales", True, "internal"),
            ("p1", "Payment", "2024-01-03 09:00", "Billing", True, "internal"),
            ("p1", "Payment reminder", "2024-01-02 09:00", "Billing", True, "internal")]
    o = kpis(_log(rows)).orders
    assert o["order_to_cash_s"].tolist() == [48 * 3600]


def test_time_outliers_stay_out_of_the_kpi_periods():
    rows = [*ROWS, ("o7", "Enter order", "1948-03-01 09:00", "Sales", True, "internal")]
    k = kpis(_log(rows), open_days=7)
    assert k.orders.set_index("case_id").loc["o7", "outlier"]
    # the weekly table still covers the two weeks of 2024, not 76 years
    assert k.weekly["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08"],
                                                              utc=True))
    assert k.weekly["orders_started"].sum() == 6
    assert any("far outside the bulk" in note for note in k.notes)


def test_weeks_whose_orders_are_mostly_open_are_right_censored():
    # o5 (the only order of its day, still open with open_days=14) is 1 of 3 in week 2
    w = kpis(_log(), open_days=14).weekly
    assert w["orders_open"].tolist() == [0, 1] and w["censored"].tolist() == [False, False]
    d = kpis(_log(), open_days=14).daily.set_index("period")
    assert bool(d.loc[pd.Timestamp("2024-01-09", tz="UTC"), "censored"])
    assert not d["censored"].drop(pd.Timestamp("2024-01-09", tz="UTC")).any()


def test_sentinel_dates_do_not_stretch_the_kpi_periods():
    # a 4-row extract whose system wrote "no date" as 0001-01-01 and 9999-12-31: the daily
    # table must cover the real days, not 3.6 million of them
    rows = [("s1", "Enter order", "2024-03-01 09:00", "Sales", False, "internal"),
            ("s1", "Ship", "9999-12-31 00:00", "Shipping", True, "internal"),
            ("s2", "Enter order", "0001-01-01 00:00", "Sales", False, "internal"),
            ("s3", "Enter order", "2024-03-02 09:00", "Sales", False, "internal")]
    frame = pd.DataFrame(rows, columns=list(COLS))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    k = kpis(EventLog.from_frame(frame, name="sentinel"))
    # s1 (shipped in 9999: its cycle time means nothing) and s2 stay out; s3 is the one day
    assert len(k.daily) == 1 and len(k.weekly) == 1
    assert k.orders.set_index("case_id")["outlier"].to_dict() == {"s1": True, "s2": True,
                                                                  "s3": False}


def _register_displays() -> None:
    """The notebook displays of procmine.render.tables, which ``_repr_html_`` shows."""
    from procmine.render.tables import register

    register()
