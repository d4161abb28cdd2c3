"""Folders and Delta tables as INPUT on the command line: read by an engine, refused in memory."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import procmine as pm
from procmine import EventLog
from procmine.cli import cli

deltalake = pytest.importorskip("deltalake")
pytest.importorskip("duckdb")

SAMPLE = "sample_logs/sources.toml"
COLUMNS = ["case_id", "activity", "timestamp", "resource", "department"]


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    events = pm.load(SAMPLE).events
    orders = sorted(events["case_id"].astype(str).unique())[:150]
    frame = events.loc[events["case_id"].astype(str).isin(orders), COLUMNS].copy()
    for column in ("case_id", "activity", "resource", "department"):
        frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def table(rows, tmp_path_factory):
    """A Delta table: version 0 the first 50 orders, version 1 all of them (overwrite)."""
    path = tmp_path_factory.mktemp("cli_delta") / "orders"
    first = rows["case_id"].isin(sorted(rows["case_id"].unique())[:50])
    deltalake.write_deltalake(path, rows[first])
    deltalake.write_deltalake(path, rows, mode="overwrite")
    return path


def _expected(frame: pd.DataFrame) -> pd.DataFrame:
    log = EventLog.from_frame(frame.reset_index(drop=True))
    table = pm.handoffs(log, level="department").table
    return table[["source", "target", "count", "cases"]].sort_values(
        ["source", "target"]).reset_index(drop=True)


def _read(path) -> pd.DataFrame:
    got = pd.read_csv(path)[["source", "target", "count", "cases"]]
    return got.sort_values(["source", "target"]).reset_index(drop=True)


def test_a_delta_table_is_read_by_duckdb_at_its_current_and_an_older_version(table, rows,
                                                                            tmp_path):
    runner = CliRunner()
    now = runner.invoke(cli, ["handoffs", str(table), "--engine", "duckdb", "--out",
                              str(tmp_path / "now.csv")])
    assert now.exit_code == 0, now.output
    pd.testing.assert_frame_equal(_read(tmp_path / "now.csv"), _expected(rows),
                                  check_dtype=False)
    old = runner.invoke(cli, ["handoffs", str(table), "--engine", "duckdb", "--delta-version",
                              "0", "--out", str(tmp_path / "old.csv")])
    assert old.exit_code == 0, old.output
    first = rows["case_id"].isin(sorted(rows["case_id"].unique())[:50])
    expected_old = _expected(rows[first])
    assert int(expected_old["count"].sum()) < int(_expected(rows)["count"].sum())
    pd.testing.assert_frame_equal(_read(tmp_path / "old.csv"), expected_old, check_dtype=False)


def test_a_folder_of_parquet_parts_is_read_by_duckdb(rows, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    cases = sorted(rows["case_id"].unique())
    for i, chunk in enumerate((cases[:70], cases[70:])):
        rows[rows["case_id"].isin(chunk)].to_parquet(folder / f"part-{i}.parquet", index=False)
    result = CliRunner().invoke(cli, ["handoffs", str(folder), "--engine", "duckdb", "--out",
                                      str(tmp_path / "h.csv")])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(_read(tmp_path / "h.csv"), _expected(rows), check_dtype=False)


@pytest.mark.parametrize("extra", [[], ["--delta-version", "0"]])
def test_in_memory_a_delta_table_is_refused_naming_the_engines(table, tmp_path, extra):
    result = CliRunner().invoke(cli, ["handoffs", str(table), *extra, "--out",
                                      str(tmp_path / "h.csv")])
    assert result.exit_code == (1 if not extra else 2)  # an input problem; a usage one
    assert "--engine duckdb" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "h.csv").exists()


def test_in_memory_a_plain_folder_is_refused(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "is a folder, not a file" in result.output and "--engine" in result.output
