"""``procmine handoffs``: run through click's test runner on tiny files."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner

from procmine.cli import cli

HEADER = "Order,Step,When,User,Dept\n"
ROWS = (
    "o1,Enter order,2024-01-01 09:00,ann,Sales\n"
    "o1,Check credit,2024-01-01 10:00,bob,Credit\n"
    "o1,Fix order,2024-01-01 12:00,ann,Sales\n"
    "o1,Pick,2024-01-02 09:00,cid,=HYPERLINK(\"x\")\n"
    "o2,Enter order,2024-01-01 09:30,dan,Sales\n"
    "o2,Check credit,2024-01-01 11:30,bob,Credit\n"
)
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "When",
           "--resource", "User", "--department", "Dept"]


@pytest.fixture
def log_csv(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_department_level_writes_the_design_columns_first(log_csv, tmp_path):
    out = tmp_path / "handoffs.csv"
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), "--level", "department",
                                      "--out", str(out), *MAPPING])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    assert header[:7] == ["source", "target", "count", "cases", "median_wait_s", "p90_wait_s",
                          "cost"]
    assert set(header[7:]) == {"mean_wait_s", "queue_wait_s", "lead_time_s", "system_count",
                               "causal_count", "pingpong", "per_case"}
    rows = {(r["source"], r["target"]): r for r in _read(out)}
    # Sales->Credit: o1 09:00->10:00 (1 h), o2 09:30->11:30 (2 h)
    sc = rows[("Sales", "Credit")]
    assert (int(sc["count"]), int(sc["cases"])) == (2, 2)
    assert float(sc["median_wait_s"]) == 5400.0
    assert int(rows[("Credit", "Sales")]["count"]) == 1
    assert int(sc["pingpong"]) == 1  # o1: Sales -> Credit -> Sales
    # A department that looks like a formula is written as text, not run by a spreadsheet.
    assert ("Sales", "'=HYPERLINK(\"x\")") in rows
    assert "handoffs" in result.output or result.output == ""


def test_resource_and_party_levels(log_csv, tmp_path):
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), "--level", "resource",
                                      "--out", str(out), *MAPPING])
    assert result.exit_code == 0, result.output
    edges = {(r["source"], r["target"]): int(r["count"]) for r in _read(out)}
    assert edges == {("ann", "bob"): 1, ("bob", "ann"): 1, ("ann", "cid"): 1, ("dan", "bob"): 1}
    out = tmp_path / "p.csv"
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), "--level", "party",
                                      "--out", str(out), *MAPPING])
    assert result.exit_code == 0, result.output
    assert _read(out) == []  # everyone is internal: no handoff between parties


def test_unknown_level_is_usage_error(log_csv, tmp_path):
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), "--level", "team",
                                      "--out", str(tmp_path / "x.csv"), *MAPPING])
    assert result.exit_code == 2
    assert "team" in result.output


def test_missing_out_is_usage_error(log_csv):
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), *MAPPING])
    assert result.exit_code == 2


def test_unusable_input_exits_1_with_one_line(tmp_path):
    missing = tmp_path / "nope.csv"
    result = CliRunner().invoke(cli, ["handoffs", str(missing), "--out",
                                      str(tmp_path / "x.csv"), *MAPPING])
    assert result.exit_code == 1
    assert "procmine: error:" in result.output
    assert "Traceback" not in result.output


def test_wrong_column_mapping_names_the_column(log_csv, tmp_path):
    result = CliRunner().invoke(cli, ["handoffs", str(log_csv), "--out", str(tmp_path / "x.csv"),
                                      "--case-id", "OrderNo", "--activity", "Step",
                                      "--timestamp", "When"])
    assert result.exit_code == 1
    assert "OrderNo" in result.output


def test_help():
    result = CliRunner().invoke(cli, ["handoffs", "--help"])
    assert result.exit_code == 0
    assert "--level" in result.output and "resource" in result.output
