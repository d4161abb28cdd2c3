"""Notebook displays in human units (procmine.render.tables): hand-built results, shown as a
person reads them: waits in hours or days, money with its currency, long tables cut."""

from __future__ import annotations

import re

import networkx as nx
import pandas as pd
import pytest
from conftest import make_frame

from procmine import EventLog, _display
from procmine.analysis.candidates import TABLE_COLUMNS as CANDIDATE_COLUMNS
from procmine.analysis.candidates import Candidates
from procmine.analysis.episodes import Episodes
from procmine.analysis.handoffs import handoffs
from procmine.analysis.kpis import Kpis
from procmine.analysis.moves import Move
from procmine.analysis.projection import Projection
from procmine.analysis.reentry import Reentry
from procmine.analysis.rework import Rework
from procmine.log.variants import Variants
from procmine.render import tables

HOUR, DAY = 3600.0, 86400.0

ROWS = [
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Pick", "2024-01-01 12:00", "bob", "Warehouse"),  # 3 h after Enter
    ("o2", "Enter order", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-04 09:00", "bob", "Warehouse"),  # 2 days after Enter
]


@pytest.fixture(autouse=True)
def _registered():
    tables.register()


def _log():
    return EventLog.from_frame(make_frame(ROWS), name="shop")


def _cells(out: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", out)


def _money(out: str, currency: str = "EUR") -> list[str]:
    return re.findall(rf"-?[\d,]+\.\d\d {currency}", out)


def _variants(n: int) -> Variants:
    table = pd.DataFrame({
        "variant": range(1, n + 1), "activities": [f"a → v{i}" for i in range(n)],
        "length": 2, "cases": 1, "share": 1 / n, "cumulative_share": [(i + 1) / n
                                                                       for i in range(n)],
        "median_duration_s": 2 * DAY + 6 * HOUR,
    })
    return Variants(table, pd.Series(dtype="int64"), n, n)


def _kpis() -> Kpis:
    weekly = pd.DataFrame({
        "period": pd.to_datetime(["2024-01-01", "2024-01-08"], utc=True),
        "orders_started": [12, 0], "cycle_time_median_s": [1.5 * DAY, float("nan")],
        "touchless_rate": [0.25, float("nan")], "handoffs_per_order": [1.8333, float("nan")],
    })
    return Kpis(daily=weekly.iloc[:0], weekly=weekly, orders=pd.DataFrame({"case_id": ["o1"]}),
                terminal=("Ship",), notes=("weeks with few orders are marked",))


def _candidates() -> Candidates:
    row = {c: 0 for c in CANDIDATE_COLUMNS}
    row.update(activity="Enter order", department="Sales", kind="customer_self_service",
               item="delivery_address", owner="customer", evidence="values",
               evidence_kind="values", strength="strong", events=120, cases=100, support=0.1,
               median_wait_s=5 * HOUR, labour_minutes=90.0, annual_saving=12345.678,
               current_cost_annual=20000.0, implementation_cost=5000.0,
               running_cost_annual=1000.0, payback_months=4.86, rationale="customers key it")
    table = pd.DataFrame([row], columns=list(CANDIDATE_COLUMNS))
    return Candidates(table=table, events=pd.DataFrame(), currency="CHF", annual_factor=1.0,
                      weak=table.iloc[:0])


def _rework() -> Rework:
    by_kind = pd.DataFrame({"kind": ["repeat", "redo", "change"], "events": [3, 1, 0],
                            "cases": [2, 1, 0], "share_of_orders": [0.2, 0.1, 0.0],
                            "labour_cost": [30.0, 12.5, 0.0],
                            "labour_minutes": [45.0, 150.0, 0.0]})
    events = pd.DataFrame({"case_id": ["o1", "o1", "o2", "o3"],
                           "labour_cost": [10.0, 10.0, 10.0, 12.5]})
    table = by_kind.assign(activity="Pick", level_value="Warehouse")
    return Rework(table=table, events=events, by_kind=by_kind, level="department", orders=10,
                  change_pattern="change")


def _episodes() -> Episodes:
    by_status = pd.DataFrame({"status": ["credit block"], "orders": [4], "episodes": [5],
                              "open_episodes": [1], "median_s": [26 * HOUR],
                              "p90_s": [3 * DAY], "cost": [99.5], "share_of_orders": [0.4],
                              "stray_closes": [0]})
    events = pd.DataFrame({"case_id": ["o1", "o2", "o3", "o4", "o4"],
                           "open": [False, False, False, False, True],
                           "cost": [20.0, 20.0, 20.0, 39.5, 0.0]})
    return Episodes(table=by_status, events=events, by_status=by_status, level="department",
                    orders=10, stray_closes=0)


def _reentry() -> Reentry:
    summary = pd.DataFrame({"item": ["delivery_address"], "first_by": ["customer"],
                            "by": ["Sales"], "count": [7], "cases": [6], "discrepancies": [2],
                            "discrepancy_rate": [2 / 7], "labour_minutes": [35.0],
                            "cost": [29.17]})
    events = pd.DataFrame({"case_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o6"]})
    return Reentry(events=events, summary=summary, by_item=summary, graph=nx.MultiDiGraph(),
                   signal="values", level="department", note="compared by value")


def _projection() -> Projection:
    log = _log()
    before = handoffs(log)
    table = pd.DataFrame({
        "metric": ["events", "handoff_wait_s", "labour_minutes", "total_cost_annual",
                   "handoffs_per_order"],
        "before": [4.0, 2 * DAY + 3 * HOUR, 120.0, 50000.0, 1.0],
        "after": [4.0, 3 * HOUR, 60.0, 42000.0, 0.5],
    })
    table["change"] = table["after"] - table["before"]
    return Projection(table=table, before=log, after=log, handoffs_before=before,
                      handoffs_after=before,
                      moves=(Move("Enter order", "Sales", "customer_self_service"),),
                      events_changed=2)


# -- one function per result ---------------------------------------------------------------
def test_handoffs_show_waits_in_hours_and_days_and_money_with_currency():
    result = handoffs(_log())
    out = tables.handoffs_html(result)
    # waits by hand: 3 h and 48 h; mean 25.5 h, median 25.5 h
    assert "25.5 h" in out and "51.0 h" not in out
    assert "total wait 2.1 d" in out  # 51 h
    assert "10800" not in out and "91800" not in out and "183600" not in out
    assert _money(out) and "2 handoffs at department level on 1 edges" in out


def test_variants_of_a_big_log_show_20_rows_and_say_how_many_more():
    out = tables.variants_html(_variants(2720))
    assert len(re.findall(r"<tr>", out)) == 1 + 20  # header + 20 rows
    assert "… 2,700 more variants" in out
    assert "2.2 d" in out and "194400" not in out  # 2 days 6 hours
    assert "<strong>2,720 of 2,720 variants, covering 100.0% of 2,720 cases</strong>" in out
    small = tables.variants_html(_variants(3))
    assert "more variants" not in small and len(re.findall(r"<tr>", small)) == 4


def test_kpis_show_durations_rates_and_missing_values_plainly():
    out = tables.kpis_html(_kpis())
    cells = _cells(out)
    # 1.5 days is under two days: in hours
    assert "36.0 h" in cells and "25.0%" in cells and "1.83" in cells
    assert "2024-01-01" in cells and "–" in cells and "nan" not in out.lower()
    assert "weeks with few orders are marked" in out


def test_candidates_show_money_with_their_currency_and_payback_in_months():
    out = tables.candidates_html(_candidates())
    assert "12,346 CHF" in out and "4.9 months" in out and "5.0 h" in out
    assert "1.5 h" in out  # 90 labour minutes
    assert "10.0%" in out  # support
    assert "customers key it" in out and "EUR" not in out


def test_rework_and_episodes_in_human_units():
    out = tables.rework_html(_rework())
    assert "2.5 h" in out and "45 min" in out and "30.00 EUR" in out and "20.0%" in out
    assert "4 rework events in 3 of 10 orders (30.0%)" in out
    out = tables.episodes_html(_episodes())
    assert "26.0 h" in out and "3.0 d" in out and "99.50 EUR" in out and "40.0%" in out
    assert "5 episodes of 1 statuses in 4 of 10 orders, 1 still open" in out


def test_reentry_shows_rates_and_cost():
    out = tables.reentry_html(_reentry())
    assert "28.6%" in out and "29.17 EUR" in out and "35 min" in out
    assert "7 re-entries in 6 orders" in out and "compared by value" in out


def test_projection_rows_are_shown_in_the_unit_of_their_metric():
    out = tables.projection_html(_projection())
    rows = re.findall(r"<tr>(.*?)</tr>", out)[1:]
    by_metric = {_cells(r)[0]: _cells(r)[1:] for r in rows}
    assert by_metric["handoff_wait_s"] == ["2.1 d", "3.0 h", "-2.0 d"]
    assert by_metric["labour_minutes"] == ["2.0 h", "1.0 h", "-1.0 h"]
    assert by_metric["total_cost_annual"] == ["50,000 EUR", "42,000 EUR", "-8,000 EUR"]
    assert by_metric["events"] == ["4", "4", "±0"]
    assert by_metric["handoffs_per_order"] == ["1", "0.50", "-0.50"]


def test_a_filtered_log_counts_the_filtered_events_per_source():
    log = _log()
    out = tables.eventlog_html(log.filter_cases(["o1"]))
    assert "filtered: 2 of 4 loaded events" in out
    header = re.findall(r"<th>(.*?)</th>", out)
    row = _cells(out)
    assert header[-1] == "events_in_log" and row[-1] == "2"
    assert "filtered" not in tables.eventlog_html(log)


def test_text_is_escaped():
    log = EventLog.from_frame(make_frame([("o1", "<b>x</b>", "2024-01-01", "a", "S&M")]),
                              name="<script>")
    out = tables.eventlog_html(log)
    assert "<script>" not in out and "&lt;script&gt;" in out and "S&amp;M" in out


# -- what a notebook shows ----------------------------------------------------------------
RESULTS = {
    "Handoffs": (lambda: handoffs(_log()), "25.5 h"),
    "Variants": (lambda: _variants(2720), "… 2,700 more variants"),
    "Kpis": (_kpis, "36.0 h"),
    "Candidates": (_candidates, "12,346 CHF"),
    "Rework": (_rework, "2.5 h"),
    "Episodes": (_episodes, "26.0 h"),
    "Reentry": (_reentry, "28.6%"),
    "Projection": (_projection, "-2.0 d"),
    "EventLog": (lambda: _log().filter_cases(["o1"]), "filtered: 2 of 4 loaded events"),
}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_a_notebook_display_shows_units_not_raw_seconds(name):
    from IPython.core.formatters import DisplayFormatter

    make, expected = RESULTS[name]
    result = make()
    assert _display.html_of(result) is not None  # registered by render.tables
    data, _ = DisplayFormatter().format(result)
    shown = data["text/html"]
    assert expected in shown
    assert not re.search(r">\s*\d{5,}(\.\d+)?\s*<", shown)  # no bare 10800 / 183600.0 cells
