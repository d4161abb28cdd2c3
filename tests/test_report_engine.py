"""The batch report computed by an engine (DuckDB, Spark): the same tables as in memory."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import procmine as pm
from procmine import engine as pe
from procmine.cli import cli
from procmine.log.eventlog import EventLog
from procmine.report import Report, build_report
from procmine.report._csv import write_table
from procmine.report.html import report_html
from procmine.report.write import _tables, summary
from tests._engines import SPARK_REASON

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "sources.toml"
#: The report's tables an engine computes (the rest need the in-memory log).
ENGINE_TABLES = ("dfg", "handoffs", "reentry", "rework", "kpis_daily", "kpis_weekly")



def csv_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    """The bytes ``tables/<name>.csv`` gets (the report's own writer)."""
    return write_table(frame.reset_index(drop=True), path).read_bytes()


def same_engine_tables(in_memory: Report, report: Report, tmp_path: Path
                       ) -> tuple[dict, dict]:
    """Every table an engine computes written to the same bytes as in memory; both reports'
    tables (in memory, then the engine's)."""
    mine, theirs = _tables(in_memory), _tables(report)
    for name in ENGINE_TABLES:
        assert csv_bytes(theirs[name], tmp_path / f"e_{name}.csv") == csv_bytes(
            mine[name], tmp_path / f"m_{name}.csv"), name
    return mine, theirs


@pytest.fixture(scope="module")
def sample() -> EventLog:
    return pm.load(SAMPLE)


@pytest.fixture(scope="module")
def in_memory(sample):
    return build_report(sample, run_date="2024-03-01")


@pytest.fixture(scope="module")
def duckdb_backend():
    from procmine.engine._backend import DuckDBBackend

    backend = DuckDBBackend(memory_limit="1GB")
    yield backend
    backend.close()


def test_duckdb_report_with_memory_log_writes_the_in_memory_tables(
        sample, in_memory, duckdb_backend, tmp_path):
    elog = pe.from_log(sample, engine="duckdb", backend=duckdb_backend)
    report = build_report(elog, memory_log=sample, run_date="2024-03-01")
    mine, theirs = _tables(in_memory), _tables(report)
    assert sorted(mine) == sorted(theirs)
    for name in mine:  # every table: the engine's, and those of the in-memory log
        assert csv_bytes(theirs[name], tmp_path / f"e_{name}.csv") == csv_bytes(
            mine[name], tmp_path / f"m_{name}.csv"), name
    assert len(mine["candidates"]) > 0 and len(mine["handoffs"]) > 0  # not vacuous
    # the engine's name in summary.json and the HTML; the in-memory one says pandas
    assert summary(report)["run"]["engine"] == "duckdb"
    assert summary(in_memory)["run"]["engine"] == "pandas"
    assert summary(report)["executive_summary"]["engine"] == "duckdb"
    html = report_html(report, {})
    assert "computed by DuckDB" in html and "DuckDB" in html.split("Computed by", 1)[1][:200]
    assert "computed in memory" in " ".join(report.candidates.notes)
    # every other figure of summary.json equal (the engine's name and that note aside)
    a, b = summary(in_memory), summary(report)
    for data in (a, b):
        data["run"].pop("engine")
        data["log"]["run"].pop("engine")
        data["executive_summary"].pop("engine")
        data["sections"]["candidates"]["notes"] = [
            n for n in data["sections"]["candidates"]["notes"] if "computed in memory" not in n]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_duckdb_report_alone_says_what_it_did_not_compute(sample, in_memory, duckdb_backend,
                                                          tmp_path):
    elog = pe.from_log(sample, engine="duckdb", backend=duckdb_backend)
    report = build_report(elog, run_date="2024-03-01")
    _mine, theirs = same_engine_tables(in_memory, report, tmp_path)
    assert not report.candidates.available
    assert "in memory" in report.candidates.reason and "DuckDB" in report.candidates.reason
    assert theirs["candidates"].empty and theirs["episodes"].empty
    assert any("Blocks and holds" in n for n in report.rework.notes)
    assert report.rework.values["episodes"] is None  # not 0: not computed
    # the variants and KPIs sections: the in-memory figures
    pd.testing.assert_frame_equal(report.variants.tables["table"],
                                  in_memory.variants.tables["table"])
    assert report.variants.notes == in_memory.variants.notes
    assert report.kpis.notes == in_memory.kpis.notes
    assert report.kpis.values == in_memory.kpis.values
    assert report.handoffs.notes == in_memory.handoffs.notes
    assert report.reentry.notes == in_memory.reentry.notes
    assert report.facts["annualisation"] == in_memory.facts["annualisation"]
    for key in ("events", "cases", "activities", "departments", "first_event", "last_event",
                "time_outliers", "bulk_first_event", "bulk_last_event"):
        assert report.facts[key] == in_memory.facts[key], key


def test_engine_report_of_a_log_without_departments():
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2"],
        "activity": ["Enter order", "Pick", "Enter order", "Pick"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                     "2024-01-02 09:00", "2024-01-02 12:00"], utc=True)})
    log = EventLog.from_frame(frame, name="tiny")
    with pe.from_log(log, engine="duckdb") as elog:
        report = build_report(elog)
    expected = build_report(log)
    assert report.handoffs.reason == expected.handoffs.reason
    assert report.reentry.reason == expected.reentry.reason
    assert report.process.values == expected.process.values == {"activities": 2, "paths": 1}
    pd.testing.assert_frame_equal(report.variants.tables["table"],
                                  expected.variants.tables["table"])


def test_memory_log_needs_an_engine_log(sample):
    with pytest.raises(pm.UsageError, match="memory_log"):
        build_report(sample, memory_log=sample)


def test_cli_report_on_parquet_read_by_duckdb(sample, tmp_path):
    """A Parquet extract read by DuckDB itself: the report runs, names its engine."""
    path = tmp_path / "events.parquet"
    events = sample.events.loc[sample.events["case_id"].isin(
        sample.events["case_id"].drop_duplicates().head(60))]
    events[["case_id", "activity", "timestamp", "resource", "department", "party",
            "automated"]].to_parquet(path)
    out = tmp_path / "r"
    result = CliRunner().invoke(cli, ["report", str(path), "--engine", "duckdb", "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "summary.json").read_text())
    assert data["run"]["engine"] == "duckdb"
    assert data["totals"]["rows_read"] == len(events) == data["log"]["events"]
    assert not data["sections"]["candidates"]["available"]
    handoffs = pd.read_csv(out / "tables" / "handoffs.csv")
    expected = pm.handoffs(EventLog.from_frame(events.reset_index(drop=True)),
                           level="department").table
    assert int(handoffs["count"].sum()) == int(expected["count"].sum()) > 0


@pytest.mark.skipif(SPARK_REASON is not None, reason=SPARK_REASON or "")
def test_spark_report_tables_equal_the_in_memory_ones(sample, tmp_path):
    """On 80 of the sample's orders: Spark's cost is its queries, not the events."""
    from procmine.engine._backend import SparkBackend

    orders = sorted(sample.events["case_id"].astype(str).unique())[:80]
    part = sample.filter_cases(orders)
    in_memory = build_report(part, run_date="2024-03-01")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backend = SparkBackend(master="local[2]",
                               conf={"spark.sql.shuffle.partitions": "2",
                                     "spark.default.parallelism": "2"})
    try:
        elog = pe.from_log(part, engine="spark", backend=backend)
        report = build_report(elog, run_date="2024-03-01")
        mine, _theirs = same_engine_tables(in_memory, report, tmp_path)
        assert len(mine["handoffs"]) > 3 and len(mine["rework"]) > 0  # not vacuous
        assert summary(report)["run"]["engine"] == "spark"
        assert report.kpis.values == in_memory.kpis.values
        pd.testing.assert_frame_equal(report.variants.tables["table"],
                                      in_memory.variants.tables["table"])
    finally:
        backend.spark.stop()


@pytest.mark.parametrize("command", [["compare", "--change-date", "2024-01-15", "--out"],
                                     ["workshop", "--out"]])
def test_in_memory_commands_refuse_an_engine_naming_what_to_do(tmp_path, command):
    result = CliRunner().invoke(cli, [command[0], str(SAMPLE), *command[1:],
                                      str(tmp_path / "x"), "--engine", "duckdb"])
    assert result.exit_code == 2
    assert "without --engine" in result.output and "procmine handoffs, map and report" in \
        result.output
    assert not (tmp_path / "x").exists()


def test_engine_kpis_refuse_an_unknown_terminal_activity_as_in_memory(duckdb_backend):
    frame = pd.DataFrame({"case_id": ["o1", "o1"], "activity": ["Enter order", "Ship"],
                          "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)})
    elog = pe.from_log(EventLog.from_frame(frame), engine="duckdb", backend=duckdb_backend)
    with pytest.raises(pm.UsageError, match="did you mean 'Ship'"):
        build_report(elog, terminal=["Shipp"])
