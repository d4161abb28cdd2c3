"""compare: hand-built logs whose before / after differences are known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from procmine import EventLog, InformationItem, Move
from procmine.analysis import _bootstrap
from procmine.analysis.compare import KPI_COLUMNS, Comparison, compare, parse_window
from procmine.errors import UsageError

DAY = pd.Timedelta(days=1)
HOUR = pd.Timedelta(hours=1)
T0 = pd.Timestamp("2024-03-01 09:00", tz="UTC")
CHANGE = "2024-03-21"


def _log(orders: list[tuple[str, pd.Timestamp, list[tuple]]], **kwargs) -> EventLog:
    """Orders as (id, start, [(activity, hours after start, department, party, automated)])."""
    rows = []
    for case, start, steps in orders:
        for activity, hours, department, party, automated in steps:
            rows.append({"case_id": case, "activity": activity,
                         "timestamp": start + pd.Timedelta(hours=hours),
                         "department": department, "party": party, "automated": automated})
    frame = pd.DataFrame(rows)
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, **kwargs)


def _step(activity, hours, department, party="internal", automated=False):
    return (activity, hours, department, party, automated)


OLD = [_step("Enter order", 0, "Sales"), _step("Check credit", 2, "Credit"),
       _step("Ship", 48, "Shipping")]
NEW = [_step("Enter order", 0, "Sales"), _step("Ship", 24, "Shipping")]


def _periods(before_steps, after_steps, n=20, **kwargs) -> EventLog:
    """``n`` orders a day apart before the change date, ``n`` after, each period's orders alike."""
    orders = [(f"b{i:02d}", T0 + i * DAY, before_steps) for i in range(n)]
    orders += [(f"a{i:02d}", pd.Timestamp(CHANGE, tz="UTC") + 9 * HOUR + i * DAY, after_steps)
               for i in range(n)]
    return _log(orders, **kwargs)


def _kpi(c: Comparison, key: str) -> pd.Series:
    return c.table.set_index("kpi").loc[key]


def test_constant_periods_give_the_exact_difference_and_a_point_interval():
    c = compare(_periods(OLD, NEW), change_date=CHANGE, horizon=None, resamples=200)
    assert list(c.table.columns) == list(KPI_COLUMNS)
    assert c.counts["orders_before"] == c.counts["orders_after"] == 20
    hand = _kpi(c, "handoffs_per_order")  # Sales→Credit→Shipping (2) becomes Sales→Shipping (1)
    assert (hand["before"], hand["after"], hand["difference"]) == (2.0, 1.0, -1.0)
    assert (hand["ci_low"], hand["ci_high"]) == (-1.0, -1.0)
    assert bool(hand["beyond_noise"])
    for key in ("cycle_time_median_s", "cycle_time_mean_s"):  # 48 h before, 24 h after
        row = _kpi(c, key)
        assert row["difference"] == -24 * 3600.0
        assert row["ci_low"] == row["ci_high"] == -24 * 3600.0
    touchless = _kpi(c, "touchless_rate")  # every order has manual Sales work
    assert (touchless["before"], touchless["after"], touchless["beyond_noise"]) == (0.0, 0.0,
                                                                                   False)
    dept = c.departments.set_index(["measure", "name"])
    assert dept.loc[("handoffs_in", "Credit"), "before"] == 1.0
    assert dept.loc[("handoffs_in", "Credit"), "after"] == 0.0
    assert dept.loc[("handoffs_out", "Sales"), "difference"] == 0.0


def test_the_same_orders_in_both_periods_show_no_change():
    mixed = [OLD, NEW, OLD, OLD]  # the same mix of orders before and after
    orders = [(f"b{i:02d}", T0 + i * DAY, mixed[i % 4]) for i in range(40)]
    orders += [(f"a{i:02d}", T0 + (40 + i) * DAY, mixed[i % 4]) for i in range(40)]
    c = compare(_log(orders), change_date=T0 + 40 * DAY - HOUR, horizon=None, resamples=500)
    t = c.table.set_index("kpi")
    assert t.loc[["order_to_cash_median_s", "order_to_cash_mean_s"], "ci_low"].isna().all()
    t = t.drop(["order_to_cash_median_s", "order_to_cash_mean_s"])  # nothing is paid
    assert (t["difference"].abs() < 1e-9).all()
    assert ((t["ci_low"] <= 0) & (t["ci_high"] >= 0)).all()
    assert not c.table["beyond_noise"].any()
    assert (c.activities["status"] == "unchanged").all()
    assert (c.paths["status"] == "unchanged").all()
    assert c.changes == () and not c.several_changes
    assert "No activity or path changed" in c.attribution


def test_a_vanished_step_and_its_paths_are_one_change():
    c = compare(_periods(OLD, NEW), change_date=CHANGE, horizon=None, resamples=200)
    status = c.activities.set_index("activity")["status"]
    assert status["Check credit"] == "vanished"
    assert status["Enter order"] == status["Ship"] == "unchanged"
    paths = c.paths.set_index(["source", "target"])["status"]
    assert paths[("Enter order", "Check credit")] == "vanished"
    assert paths[("Check credit", "Ship")] == "vanished"
    assert paths[("Enter order", "Ship")] == "appeared"
    assert c.changes == (("Check credit", "Enter order", "Ship"),)
    assert not c.several_changes
    assert "can be attributed" in c.attribution


def test_two_unrelated_changes_are_flagged():
    common = [_step("Pick", 30, "Warehouse"), _step("Pack", 31, "Warehouse"),
              _step("Ship", 32, "Shipping"), _step("Invoice", 40, "Billing"),
              _step("Payment received", 100, "Billing")]
    before = [_step("Enter order", 0, "Sales"), _step("Check credit", 2, "Credit"), *common]
    after = [_step("Enter order", 0, "Sales"), *common,
             _step("Send payment reminder", 120, "Billing")]
    c = compare(_periods(before, after), change_date=CHANGE, horizon=None, resamples=200)
    assert c.several_changes
    assert len(c.changes) == 2
    assert {"Check credit", "Send payment reminder"} <= {a for g in c.changes for a in g}
    assert "cannot be attributed to one change" in c.attribution
    assert "cannot be attributed" in c._repr_html_()


def test_automating_a_step_is_less_manual_and_touchless():
    before = [_step("Receive web order", 0, None, "customer", True),
              _step("Enter order", 1, "Sales")]
    after = [_step("Receive web order", 0, None, "customer", True),
             _step("Enter order", 1, "Sales", "internal", True)]
    c = compare(_periods(before, after), change_date=CHANGE, horizon=None, resamples=200)
    row = c.activities.set_index("activity").loc["Enter order"]
    assert (row["manual_share_before"], row["manual_share_after"]) == (1.0, 0.0)
    assert row["status"] == "less manual"
    touchless = _kpi(c, "touchless_rate")
    assert (touchless["before"], touchless["after"]) == (0.0, 1.0)
    assert bool(touchless["beyond_noise"])
    labour = c.orders.groupby("period")["labour_minutes"].mean()
    assert labour["after"] == 0.0 and labour["before"] > 0


def test_a_slower_path_is_found_by_its_waits():
    rng = np.random.default_rng(3)
    orders = []
    for i in range(30):
        fast = [_step("Enter order", 0, "Sales"), _step("Ship", 1 + rng.random(), "Shipping")]
        slow = [_step("Enter order", 0, "Sales"), _step("Ship", 10 + rng.random(), "Shipping")]
        orders.append((f"b{i:02d}", T0 + i * DAY, fast))
        orders.append((f"a{i:02d}", T0 + (40 + i) * DAY, slow))
    c = compare(_log(orders), change_date=T0 + 35 * DAY, horizon=None, resamples=200)
    path = c.paths.set_index(["source", "target"]).loc[("Enter order", "Ship")]
    assert path["status"] == "slower" and bool(path["wait_changed"])
    assert not bool(path["share_changed"])  # every order takes it in both periods
    assert path["median_wait_before_s"] < 2 * 3600 < 10 * 3600 < path["median_wait_after_s"]


def test_mood_test_needs_enough_waits():
    orders = [(f"b{i}", T0 + i * DAY, [_step("Enter order", 0, "Sales"),
                                       _step("Ship", 1, "Shipping")]) for i in range(5)]
    orders += [(f"a{i}", T0 + (10 + i) * DAY, [_step("Enter order", 0, "Sales"),
                                               _step("Ship", 20, "Shipping")]) for i in range(5)]
    c = compare(_log(orders), change_date=T0 + 8 * DAY, horizon=None, resamples=100)
    assert c.paths["p_wait"].tolist() == [1.0]  # 5 waits a period: not tested


def test_censoring_leaves_out_recent_orders_and_says_so():
    orders = [(f"b{i:02d}", T0 + i * DAY, OLD) for i in range(20)]
    orders += [(f"a{i:02d}", T0 + (30 + i) * DAY, OLD) for i in range(20)]
    log = _log(orders)
    c = compare(log, change_date=T0 + 25 * DAY, resamples=100)
    # auto horizon: the 90th percentile of the finished orders' cycle time, 48 h; the log ends
    # 48 h after the last order started, so every order had the time to finish
    assert c.settings["horizon_s"] == 48 * 3600.0
    assert c.counts["censored"] == 0 and c.counts["orders_after"] == 20
    c = compare(log, change_date=T0 + 25 * DAY, horizon="10d", resamples=100)
    # the log ends on day 51: orders started after day 41 (days 42..49) are left out
    assert c.counts["censored"] == 8 and c.counts["orders_after"] == 12
    assert any("censoring horizon" in n for n in c.notes)
    assert compare(log, change_date=T0 + 25 * DAY, horizon=10 * 86400.0,
                   resamples=100).counts == c.counts


def test_window_keeps_orders_near_the_change():
    orders = [(f"o{i:02d}", T0 + i * DAY, OLD) for i in range(60)]
    c = compare(_log(orders), change_date=T0 + 30 * DAY, window="1w", horizon=None,
                resamples=100)
    assert (c.counts["orders_before"], c.counts["orders_after"]) == (7, 7)
    assert c.counts["outside_window"] == 46
    starts = c.orders.groupby("period")["start"].agg(["min", "max"])
    assert starts.loc["before", "min"] == T0 + 23 * DAY
    assert starts.loc["after", "max"] == T0 + 36 * DAY


def test_two_logs_and_one_log_with_a_date_agree():
    log = _periods(OLD, NEW)
    ids = log.events["case_id"].drop_duplicates()
    before = log.filter_cases(ids[ids.str.startswith("b")].tolist())
    after = log.filter_cases(ids[ids.str.startswith("a")].tolist())
    one = compare(log, change_date=CHANGE, horizon=None, resamples=200)
    two = compare(before, after, horizon=None, resamples=200)
    cols = ["before", "after", "difference"]
    pd.testing.assert_frame_equal(one.table[cols], two.table[cols])


def test_same_seed_same_intervals():
    rng = np.random.default_rng(0)
    orders = [(f"o{i:03d}", T0 + i * HOUR * 7,
               OLD if rng.random() < 0.5 else NEW) for i in range(200)]
    log = _log(orders)
    a = compare(log, change_date=T0 + 700 * HOUR, horizon=None, resamples=300, seed=5)
    b = compare(log, change_date=T0 + 700 * HOUR, horizon=None, resamples=300, seed=5)
    c = compare(log, change_date=T0 + 700 * HOUR, horizon=None, resamples=300, seed=6)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table["ci_low"].equals(c.table["ci_low"])


def test_bootstrap_interval_matches_a_loop_over_the_same_resamples():
    values = np.random.default_rng(1).exponential(size=(57, 2))
    values[3, 1] = np.nan
    draws = _bootstrap.mean_draws(values, 150, np.random.default_rng(9))
    index = np.random.default_rng(9).integers(0, 57, size=(150, 57))
    loop = np.array([[np.nanmean(values[row, j]) for j in range(2)] for row in index])
    np.testing.assert_allclose(draws, loop)
    medians = _bootstrap.median_draws(values[:, 0], 150, np.random.default_rng(4))
    index = np.random.default_rng(4).integers(0, 57, size=(150, 57))
    np.testing.assert_allclose(medians, [np.median(values[row, 0]) for row in index])


def test_percentile_interval_covers_a_known_mean():
    # 200 samples of 80 normal values: the 95% interval of the mean covers 0 about 95% of times
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(200):
        x = rng.normal(size=(80, 1))
        low, high = _bootstrap.interval(_bootstrap.mean_draws(x, 400, rng), 0.95)
        covered += bool(low[0] <= 0.0 <= high[0])
    assert 0.88 <= covered / 200 <= 0.99


def test_two_proportion_test_agrees_with_scipy():
    x1, n1, x2, n2 = np.array([12, 40, 0]), np.array([100, 80, 50]), np.array([30, 41, 5]), \
        np.array([90, 80, 50])
    p = _bootstrap.two_proportion_p(x1, n1, x2, n2)
    pooled = (x1 + x2) / (n1 + n2)
    z = (x2 / n2 - x1 / n1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(z)))
    assert _bootstrap.two_proportion_p(np.array([0]), np.array([10]), np.array([0]),
                                       np.array([10])).tolist() == [1.0]


def test_holm_steps_down():
    p = np.array([0.001, 0.011, 0.02, 0.04, 0.5])
    # thresholds 0.01, 0.0125, 0.0167: the third fails, so it and every later one stay
    assert _bootstrap.holm(p, 0.05).tolist() == [True, True, False, False, False]


def test_prediction_beside_measurement_for_self_service():
    before = [_step("Customer e-mails order", 0, None, "customer", False),
              _step("Enter order", 3, "Sales"), _step("Pick", 20, "Warehouse")]
    after = [_step("Customer e-mails order", 0, None, "customer", False),
             _step("Enter order", 0, None, "customer", True), _step("Pick", 17, "Warehouse")]
    log = _periods(before, after)
    c = compare(log, change_date=CHANGE, horizon=None, resamples=200,
                moves=Move("Enter order", "Sales", "customer_self_service"))
    pred = c.prediction.set_index("metric")
    # customer → Sales → Warehouse (2 handoffs) becomes customer → Warehouse (1)
    assert pred.loc["handoffs_per_order", "predicted"] == -1.0
    assert pred.loc["handoffs_per_order", "measured"] == -1.0
    assert bool(pred.loc["handoffs_per_order", "predicted_in_interval"])
    # the step waited 3 h for Sales; with the customer entering it, Pick comes 3 h sooner
    assert pred.loc["cycle_time_mean_s", "predicted"] == -3 * 3600.0
    assert pred.loc["cycle_time_mean_s", "measured"] == -3 * 3600.0
    assert pred.loc["labour_minutes_per_order", "predicted"] < 0
    assert pred.loc["labour_minutes_per_order", "measured"] == pytest.approx(
        pred.loc["labour_minutes_per_order", "predicted"])
    assert c.moves == (Move("Enter order", "Sales", "customer_self_service"),)


def test_no_moves_no_prediction():
    c = compare(_periods(OLD, NEW), change_date=CHANGE, horizon=None, resamples=100)
    assert c.prediction.empty
    assert set(c.tables) == {"kpis", "activities", "paths", "departments", "items",
                             "prediction", "orders"}


def test_reentry_by_item_and_department():
    rows = []
    for i in range(20):
        for prefix, start, rekeyed in (("b", T0, True), ("a", pd.Timestamp(CHANGE, tz="UTC"),
                                                         False)):
            t = start + i * DAY
            rows += [(f"{prefix}{i}", "Enter order", t, "Sales", "Main St 1"),
                     (f"{prefix}{i}", "Book transport", t + HOUR, "Shipping",
                      "MAIN st 1" if rekeyed else None)]
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department",
                                        "delivery_address"])
    log = EventLog.from_frame(frame, items=[InformationItem("delivery_address", "customer")])
    c = compare(log, change_date=CHANGE, horizon=None, resamples=100)
    items = c.items.set_index("name")
    assert (items.loc["delivery_address", "before"], items.loc["delivery_address", "after"]) \
        == (1.0, 0.0)
    dept = c.departments.set_index(["measure", "name"])
    assert dept.loc[("reentries", "Shipping"), "difference"] == -1.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "give either two logs"),
    ({"change_date": "2024-03-21", "window": "eight weeks"}, "window: expected"),
    ({"change_date": "2024-03-21", "resamples": 10}, "resamples"),
    ({"change_date": "2024-03-21", "confidence": 1.5}, "confidence"),
    ({"change_date": "not a date"}, "change_date: expected a date"),
    ({"change_date": "2030-01-01"}, "no orders to compare after"),
    ({"change_date": "2024-03-21", "moves": Move("Enter ordr", "Sales", "shared_data")},
     "did you mean 'Enter order'"),
])
def test_mistakes_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError, match=message):
        compare(_periods(OLD, NEW), horizon=None, **kwargs)


def test_window_parsing():
    assert parse_window("2w") == pd.Timedelta(days=14)
    assert parse_window(" 3D ") == pd.Timedelta(days=3)
    with pytest.raises(UsageError, match="positive"):
        parse_window("0d")


def test_repr_html_shows_the_verdict_and_with_render_the_map():
    c = compare(_periods(OLD, NEW), change_date=CHANGE, horizon=None, resamples=100)
    import procmine.render.compare  # noqa: F401  (registers the drawing)

    page = c._repr_html_()
    assert "can be attributed" in page and "<svg" in page
    assert "handoffs per order" in page
    assert repr(c).startswith("Comparison(")


def test_period_draws_match_a_loop_over_the_same_resamples():
    rng = np.random.default_rng(2)
    means = rng.exponential(size=(41, 2))
    medians = rng.normal(size=(41, 1))
    medians[[0, 7], 0] = np.nan
    got_mean, got_median = _bootstrap.period_draws(means, medians, 120,
                                                   np.random.default_rng(8))
    np.testing.assert_allclose(got_mean,
                               _bootstrap.mean_draws(means, 120, np.random.default_rng(8)))
    index = np.random.default_rng(8).integers(0, 41, size=(120, 41))
    lower = []
    for row in index:
        drawn = np.sort(medians[row, 0][~np.isnan(medians[row, 0])])
        lower.append(drawn[(len(drawn) + 1) // 2 - 1])  # the lower median
    np.testing.assert_allclose(got_median[:, 0], lower)
    groups = np.arange(41) // 3  # whole groups: each drawn group brings its three orders
    g_mean, _ = _bootstrap.period_draws(means, medians, 50, np.random.default_rng(1),
                                        groups=groups)
    picks = np.random.default_rng(1).integers(0, 14, size=(50, 14))
    loop = [np.concatenate([means[groups == g] for g in row]).mean(axis=0) for row in picks]
    np.testing.assert_allclose(g_mean, loop)


def test_a_log_without_departments_or_paths():
    frame = pd.DataFrame({"case_id": [f"o{i:02d}" for i in range(30)],
                          "activity": ["A"] * 15 + ["B"] * 15,
                          "timestamp": [T0 + i * DAY for i in range(30)]})
    c = compare(EventLog.from_frame(frame), change_date=T0 + 15 * DAY - HOUR, horizon=None,
                resamples=100)
    assert np.isnan(_kpi(c, "handoffs_per_order")["before"])
    assert c.departments.empty and c.items.empty
    assert any("records no departments" in n for n in c.notes)
    # single-event orders: A vanished and B appeared, with no path between them
    assert c.changes == (("A",), ("B",))
    with pytest.raises(UsageError, match="no orders to compare before"):
        compare(EventLog.from_frame(frame.iloc[:0]), change_date=T0, horizon=None)
