"""The batch report: contract files, accounting, exact headers, determinism, reasons."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import procmine as pm
from procmine import EventLog, InformationItem
from procmine.analysis.costs import CostModel
from procmine.log.outliers import time_outliers
from procmine.report import (
    MAP_NAMES,
    SECTION_KEYS,
    SECTION_TITLES,
    TABLE_NAMES,
    build_report,
    write_report,
)
from procmine.schema import empty_events

CONTRACT_FILES = [
    "report.html", "summary.json",
    "tables/dfg.csv", "tables/handoffs.csv", "tables/reentry.csv", "tables/candidates.csv",
    "tables/candidates_weak.csv", "tables/rework.csv", "tables/episodes.csv",
    "tables/kpis_daily.csv", "tables/kpis_weekly.csv", "tables/rejects.csv",
    "maps/process.svg", "maps/handoffs.svg", "maps/as_is.svg", "maps/to_be.svg",
]
HANDOFF_HEADER = ["source", "target", "count", "cases", "median_wait_s", "p90_wait_s", "cost"]
# DESIGN.md's output contract
REWORK_HEADER = ["activity", "level_value", "kind", "events", "cases", "share_of_orders",
                 "labour_cost"]
EPISODE_HEADER = ["opened_by", "closed_by", "orders", "episodes", "median_s", "p90_s", "cost"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def _frame(rows, columns=("case_id", "activity", "timestamp", "resource", "department")):
    frame = pd.DataFrame(rows, columns=list(columns))
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    return frame


# Two orders through Sales -> Warehouse -> Billing, waits chosen by hand.
TINY = [
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Pick", "2024-01-01 11:00", "bob", "Warehouse"),      # Sales->Warehouse 2 h
    ("o1", "Invoice", "2024-01-02 11:00", "cid", "Billing"),     # Warehouse->Billing 24 h
    ("o2", "Enter order", "2024-01-08 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-08 13:00", "bob", "Warehouse"),      # Sales->Warehouse 4 h
    ("o2", "Pick", "2024-01-08 14:00", "bob", "Warehouse"),      # same department: no handoff
    ("o2", "Invoice", "2024-01-09 14:00", "cid", "Billing"),     # Warehouse->Billing 24 h
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A small generated four-source sample (with injected bad rows) and its report."""
    from procmine.generate import generate
    from procmine.log.load import load

    folder = tmp_path_factory.mktemp("sample")
    generate(300, seed=11, out=folder)
    log = load(folder / "sources.toml")
    out = tmp_path_factory.mktemp("report")
    files = write_report(build_report(log), out)
    return folder, log, out, files


# -- the contract --------------------------------------------------------------------------
def test_every_contract_file_is_written(generated):
    _, _, out, files = generated
    for name in CONTRACT_FILES:
        assert (out / name).is_file(), name
        assert (out / name).stat().st_size > 0, name
    assert sorted(str(p.relative_to(out)) for p in files.all) == sorted(CONTRACT_FILES)
    for name, header in (("rework", REWORK_HEADER), ("episodes", EPISODE_HEADER)):
        with (out / "tables" / f"{name}.csv").open(encoding="utf-8") as handle:
            assert handle.readline().strip().split(",")[:len(header)] == header
    assert set(TABLE_NAMES) == {Path(n).stem for n in CONTRACT_FILES if n.startswith("tables/")}
    assert set(MAP_NAMES) == {Path(n).stem for n in CONTRACT_FILES if n.startswith("maps/")}


def test_summary_accounting_matches_the_extracts(generated):
    folder, _, out, _ = generated
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    rejects = _rows(out / "tables" / "rejects.csv")
    declared = tomllib.loads((folder / "sources.toml").read_text(encoding="utf-8"))["sources"]
    assert [s["source"] for s in summary["sources"]] == list(declared)
    for source in summary["sources"]:
        assert source["rows_read"] == source["rows_loaded"] + source["rows_rejected"]
        # rows read = data records in the extract, counted here with the csv module
        spec = declared[source["source"]]
        with open(folder / spec["file"], newline="", encoding=spec.get("encoding", "utf-8")) as f:
            records = sum(1 for _ in csv.reader(f, delimiter=spec.get("delimiter", ","))) - 1
        assert source["rows_read"] == records, source["source"]
        # rows rejected = distinct rows of this source in rejects.csv
        rejected_rows = {r["row"] for r in rejects if r["source"] == source["source"]}
        assert source["rows_rejected"] == len(rejected_rows)
        assert sum(source["reject_reasons"].values()) == source["rows_rejected"]
    for key in ("rows_read", "rows_loaded", "rows_rejected", "events"):
        assert summary["totals"][key] == sum(s[key] for s in summary["sources"])
    assert summary["totals"]["rows_rejected"] > 0  # the generator injects bad rows
    assert folder.is_dir()


def test_csv_headers_are_exact(generated):
    _, _, out, _ = generated
    tables = out / "tables"
    assert _header(tables / "handoffs.csv")[:7] == HANDOFF_HEADER
    assert _header(tables / "dfg.csv")[:4] == ["source", "target", "count", "median_wait_s"]
    assert _header(tables / "reentry.csv")[:6] == [
        "item", "first_entered_by", "reentered_by", "count", "discrepancy_rate", "cost"]
    assert _header(tables / "rejects.csv") == ["source", "row", "reason", "column", "value"]
    candidates = _header(tables / "candidates.csv")
    assert candidates[0] == "rank"
    for column in ("current_cost", "current_cost_annual", "implementation_cost",
                   "running_cost_annual", "annual_saving", "payback_months", "evidence"):
        assert column in candidates
    for name in ("kpis_daily.csv", "kpis_weekly.csv"):
        header = _header(tables / name)
        assert header[0] == "period"
        assert "orders_started" in header and "touchless_rate" in header


def test_tables_are_sorted(generated):
    _, _, out, _ = generated
    handoffs = pd.read_csv(out / "tables" / "handoffs.csv")
    assert handoffs["cost"].is_monotonic_decreasing
    candidates = pd.read_csv(out / "tables" / "candidates.csv")
    assert candidates["rank"].tolist() == list(range(1, len(candidates) + 1))
    assert candidates["annual_saving"].is_monotonic_decreasing
    weekly = pd.read_csv(out / "tables" / "kpis_weekly.csv")
    assert weekly["period"].is_monotonic_increasing
    rejects = pd.read_csv(out / "tables" / "rejects.csv")
    assert list(rejects.itertuples(index=False)) == list(
        rejects.sort_values(["source", "row"], kind="stable").itertuples(index=False))


def test_summary_totals_agree_with_the_tables(generated):
    _, log, out, _ = generated
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    handoffs = pd.read_csv(out / "tables" / "handoffs.csv")
    reentry = pd.read_csv(out / "tables" / "reentry.csv")
    assert summary["costs"]["handoff_cost_total"] == pytest.approx(handoffs["cost"].sum(),
                                                                   rel=1e-6)
    assert summary["costs"]["reentry_cost_total"] == pytest.approx(reentry["cost"].sum(),
                                                                   rel=1e-6)
    weekly = pd.read_csv(out / "tables" / "kpis_weekly.csv")
    # orders with an event far outside the log's bulk in time stay out of the periods
    outlier_orders = log.events.loc[time_outliers(log.events), "case_id"].nunique()
    assert weekly["orders_started"].sum() + outlier_orders == log.n_cases
    assert log.n_cases == summary["log"]["cases"]
    assert summary["log"]["events"] == log.n_events


def test_two_runs_are_byte_identical(generated, tmp_path):
    folder, _, first, _ = generated
    from procmine.log.load import load

    second = tmp_path / "again"
    write_report(build_report(load(folder / "sources.toml")), second)
    for name in CONTRACT_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


# -- values computed by hand ---------------------------------------------------------------
def test_tiny_log_tables_match_hand_counts(tmp_path):
    costs = CostModel(handoff_cost=2.0, wait_cost_per_hour=0.5)
    log = EventLog.from_frame(_frame(TINY), name="tiny")
    write_report(build_report(log, costs=costs), tmp_path)
    handoffs = {(r["source"], r["target"]): r for r in _rows(tmp_path / "tables/handoffs.csv")}
    assert set(handoffs) == {("Sales", "Warehouse"), ("Warehouse", "Billing")}
    sw, wb = handoffs[("Sales", "Warehouse")], handoffs[("Warehouse", "Billing")]
    assert (int(sw["count"]), int(sw["cases"])) == (2, 2)
    assert float(sw["median_wait_s"]) == 3 * 3600          # median of 2 h and 4 h
    assert float(wb["median_wait_s"]) == 24 * 3600
    # cost = count * handoff cost + working hours waited (Mon-Fri 08-17) * cost per hour:
    # Sales->Warehouse 2 h and 4 h within the day; Warehouse->Billing 11:00 to 11:00 the
    # next day is 6 + 3 = 9 working hours (2024-01-01 and -08 are Mondays)
    assert float(sw["cost"]) == pytest.approx(2 * 2.0 + (2 + 4) * 0.5)
    assert float(wb["cost"]) == pytest.approx(2 * 2.0 + (9 + 9) * 0.5)
    assert float(wb["queue_wait_s"]) == 18 * 3600
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["costs"]["handoff_cost_total"] == pytest.approx(2 * 2.0 + 3 + 2 * 2.0 + 9)
    dfg = {(r["source"], r["target"]): int(r["count"]) for r in _rows(tmp_path / "tables/dfg.csv")}
    assert dfg == {("Enter order", "Pick"): 2, ("Pick", "Invoice"): 2, ("Pick", "Pick"): 1}
    weekly = _rows(tmp_path / "tables/kpis_weekly.csv")
    assert [r["period"] for r in weekly] == ["2024-01-01", "2024-01-08"]  # ISO weeks (Mondays)
    assert [int(r["orders_started"]) for r in weekly] == [1, 1]


def test_sections_in_order_and_in_the_html(tmp_path):
    report = build_report(EventLog.from_frame(_frame(TINY), name="tiny"))
    assert list(report.sections) == list(SECTION_KEYS)
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    positions = [page.index(f">{SECTION_TITLES[key]}</h2>") for key in SECTION_KEYS]
    assert positions == sorted(positions)


# -- sections that cannot be computed say why ----------------------------------------------
def test_no_departments_no_items_every_section_still_there(tmp_path):
    rows = [(c, a, t, r) for c, a, t, r, _ in TINY]
    log = EventLog.from_frame(_frame(rows, ("case_id", "activity", "timestamp", "resource")))
    report = build_report(log)
    for key in ("handoffs", "reentry", "candidates"):
        assert not report[key].available
        assert "department" in report[key].reason
    assert report.process.available and report.kpis.available and report.variants.available
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for key in SECTION_KEYS:
        assert f">{SECTION_TITLES[key]}</h2>" in page
    assert page.count("Not computed:") == 3
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["sections"]["handoffs"]["available"] is False
    assert "department" in summary["sections"]["handoffs"]["reason"]
    for name in CONTRACT_FILES:
        assert (tmp_path / name).is_file(), name
    assert _header(tmp_path / "tables/handoffs.csv") == HANDOFF_HEADER
    assert _rows(tmp_path / "tables/handoffs.csv") == []
    assert "department" in (tmp_path / "maps/handoffs.svg").read_text()


def test_reentry_without_item_values_falls_back_to_redo_and_says_so():
    log = EventLog.from_frame(_frame(TINY))
    section = build_report(log).reentry
    assert section.available
    assert section.values["signal"] == "redo"
    assert any("falls back to redo" in note for note in section.notes)


def test_reentry_with_item_values_uses_them():
    frame = _frame(TINY)
    frame["delivery_address"] = ["Main St 1", "MAIN st 1", None, "Elm 2", "Oak 3", None, None]
    log = EventLog.from_frame(frame, items=[InformationItem("delivery_address", "customer")])
    section = build_report(log).reentry
    assert section.values["signal"] == "values"
    table = section.tables["table"]
    # o1: Sales entered it, Warehouse re-entered the same (normalised) value;
    # o2: Sales entered "Elm 2", Warehouse re-entered "Oak 3": a discrepancy.
    row = table.loc[(table["first_entered_by"] == "Sales") & (table["reentered_by"] == "Warehouse")]
    assert int(row["count"].iloc[0]) == 2
    assert float(row["discrepancy_rate"].iloc[0]) == pytest.approx(0.5)


def test_no_payment_activity_is_said_in_the_kpi_section():
    section = build_report(EventLog.from_frame(_frame(TINY))).kpis
    assert section.available
    assert section.values["order_to_cash_median_s"] is None
    assert any("payment" in note for note in section.notes)


@pytest.mark.parametrize("case", ["empty", "single"])
def test_empty_log_and_single_event(case, tmp_path):
    if case == "empty":
        log = EventLog.from_frame(empty_events(), name="empty")
    else:
        log = EventLog.from_frame(_frame([("o1", "Enter order", "2024-01-01", "ann", None)]))
    report = build_report(log)
    assert report.loaded.available
    files = write_report(report, tmp_path)
    assert len(files.all) == len(CONTRACT_FILES)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["totals"]["rows_read"] == len(log.events)
    if case == "empty":
        assert all(not report[k].available for k in SECTION_KEYS if k != "loaded")
        assert "no events" in report.process.reason


def test_timestamp_ties_keep_input_order_in_variants():
    rows = [("o1", "A", "2024-01-01 09:00", "x", "S"), ("o1", "B", "2024-01-01 09:00", "y", "W"),
            ("o2", "A", "2024-01-01 10:00", "x", "S"), ("o2", "B", "2024-01-01 10:00", "y", "W")]
    log = EventLog.from_frame(_frame(rows))
    table = build_report(log).variants.tables["table"]
    assert table[["activities", "cases"]].values.tolist() == [["A → B", 2]]
    # one variants engine: the report's table is the API's and the log's
    pd.testing.assert_frame_equal(table, pm.variants(log, top=20).table)
    pd.testing.assert_frame_equal(table, log.variants().table)


def test_missing_resource_does_not_break_the_report(tmp_path):
    rows = [(c, a, t, None, d) for c, a, t, _, d in TINY]
    report = build_report(EventLog.from_frame(_frame(rows)))
    assert report.handoffs.values["total_handoffs"] == 4
    write_report(report, tmp_path)


def test_kpi_section_names_partial_weeks_and_open_orders():
    from procmine import EventLog, build_report

    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2"],
        "activity": ["Enter", "Ship", "Enter"],
        "timestamp": pd.to_datetime(["2024-01-03 09:00", "2024-01-04 09:00",
                                     "2024-01-10 09:00"], utc=True),
        "department": ["Sales", "Shipping", "Sales"],
    })
    report = build_report(EventLog.from_frame(frame))
    notes = " ".join(report.sections["kpis"].notes)
    # the log runs Wed 3 to Wed 10 Jan: both weeks are covered only in part
    assert "2024-01-01, 2024-01-08" in notes
    # o2 has only its first event, at the very end of the log: still running
    assert "1 order was still running" in notes
    # the trend charts label both weeks as partial
    from procmine.report.html import report_html

    html_text = report_html(report, {})
    assert "2024-01-01 (part)" in html_text and "2024-01-08 (part)" in html_text


def test_printed_as_is_to_be_text_is_at_least_9_pt(generated):
    """The as-is / to-be maps of the report read at 9 pt (12 px) on the A4 page; their
    before / after figures are an HTML table below them, not part of the drawing."""
    from procmine.render.medium import text_px

    _, _, out, _ = generated
    html = (out / "report.html").read_text(encoding="utf-8")
    for name in ("as_is", "to_be"):
        svg = (out / "maps" / f"{name}.svg").read_text(encoding="utf-8")
        assert text_px(svg, "print") >= 12.0, name
        assert "Median cycle time" not in svg and "Handoff waits per order" not in svg
    # the figures are in the page, after the to-be map
    pos_map = html.index("To-be (after the candidates")
    assert html.find("What changes", pos_map) > pos_map
    assert "Median cycle time" in html[pos_map:] or "cycle time" in html[pos_map:]


def test_printed_as_is_to_be_of_the_sample_reads_at_9_pt(sample_logs_dir, tmp_path):
    """The sample's paying candidates change six steps in six lanes: the pair still reads at
    9 pt on the A4 page (left to right it did not: 10.4 px; it is drawn top to bottom)."""
    from procmine.log.load import load
    from procmine.render.medium import text_px

    log = load(sample_logs_dir / "sources.toml")
    write_report(build_report(log), tmp_path / "r")
    for name in ("process", "as_is", "to_be"):
        svg = (tmp_path / "r" / "maps" / f"{name}.svg").read_text(encoding="utf-8")
        assert text_px(svg, "print") >= 12.0, name
