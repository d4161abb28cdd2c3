"""procmine compare (through the command object: the lead registers it in the group)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from procmine.cli._common import Context
from procmine.cli.cmd_compare import compare_command
from procmine.report.compare_page import TABLE_NAMES

T0 = pd.Timestamp("2024-03-01 09:00", tz="UTC")


def _csv(path: Path, before_steps, after_steps, n=15, first_activity=None) -> Path:
    rows = []
    for period, steps, start in (("b", before_steps, T0), ("a", after_steps,
                                                            T0 + pd.Timedelta(days=20))):
        for i in range(n):
            for activity, hours, department in steps:
                rows.append({"order": f"{period}{i:02d}", "step": activity,
                             "time": (start + pd.Timedelta(days=i, hours=hours)).isoformat(),
                             "dept": department})
    if first_activity is not None:
        rows[0]["step"] = first_activity
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


OLD = [("Enter order", 0, "Sales"), ("Check credit", 2, "Credit"), ("Ship", 48, "Shipping")]
NEW = [("Enter order", 0, "Sales"), ("Ship", 24, "Shipping")]
MAPPING = ["--case-id", "order", "--activity", "step", "--timestamp", "time",
           "--department", "dept"]


def _run(*args: str):
    return CliRunner().invoke(compare_command, [*args, "--resamples", "200"], obj=Context())


def _kpis(out: Path) -> dict[str, dict[str, str]]:
    with (out / "tables" / "kpis.csv").open(newline="", encoding="utf-8") as handle:
        return {row["kpi"]: row for row in csv.DictReader(handle)}


def test_one_log_and_a_change_date(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    out = tmp_path / "out"
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none",
                  "--out", str(out), *MAPPING)
    assert result.exit_code == 0, result.output
    assert "compared 15 orders before and 15 after" in result.output
    assert (out / "compare.html").is_file() and (out / "maps" / "compare.svg").is_file()
    assert sorted(p.stem for p in (out / "tables").glob("*.csv")) == sorted(TABLE_NAMES)
    hand = _kpis(out)["handoffs_per_order"]
    assert (float(hand["before"]), float(hand["after"]), float(hand["ci_low"])) == (2.0, 1.0,
                                                                                   -1.0)


def test_two_logs_give_the_same_table(tmp_path):
    whole = _csv(tmp_path / "log.csv", OLD, NEW)
    frame = pd.read_csv(whole)
    frame[frame["order"].str.startswith("b")].to_csv(tmp_path / "before.csv", index=False)
    frame[frame["order"].str.startswith("a")].to_csv(tmp_path / "after.csv", index=False)
    one, two = tmp_path / "one", tmp_path / "two"
    assert _run(str(whole), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                str(one), *MAPPING).exit_code == 0
    result = _run(str(tmp_path / "before.csv"), str(tmp_path / "after.csv"), "--horizon",
                  "none", "--out", str(two), *MAPPING)
    assert result.exit_code == 0, result.output
    for key in ("handoffs_per_order", "cycle_time_mean_s"):
        assert _kpis(one)[key]["difference"] == _kpis(two)[key]["difference"]


def test_a_move_is_projected_beside_the_measurement(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    out = tmp_path / "out"
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                  str(out), "--move", "shared_data:Check credit", *MAPPING)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "tables" / "prediction.csv").set_index("metric")
    # shared data automates Check credit where it stands: the handoffs stay (predicted 0),
    # while the measured orders lost the step (and a handoff)
    assert table.loc["handoffs_per_order", "predicted"] == 0.0
    assert table.loc["handoffs_per_order", "measured"] == -1.0


def test_a_candidate_of_a_previous_report(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    candidates = tmp_path / "candidates.csv"
    pd.DataFrame({"rank": [1, 2], "activity": ["Ship", "Check credit"],
                  "department": ["Shipping", "Credit"],
                  "kind": ["carrier_api", "shared_data"]}).to_csv(candidates, index=False)
    out = tmp_path / "out"
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                  str(out), "--candidate", "2", "--candidates", str(candidates), *MAPPING)
    assert result.exit_code == 0, result.output
    assert "Check credit (Credit): shared data" in (out / "compare.html").read_text("utf-8")
    result = _run(str(log), "--change-date", "2024-03-17", "--out", str(out), "--candidate",
                  "7", "--candidates", str(candidates), *MAPPING)
    assert result.exit_code == 2
    assert "has no candidate of that rank (ranks: 1, 2)" in result.output


@pytest.mark.parametrize(("extra", "message"), [
    ([], "one INPUT needs --change-date"),
    (["--change-date", "2024-03-17", "--move", "teleport:Ship"], "kind must be one of"),
    (["--change-date", "2024-03-17", "--move", "Ship"], "--move expects KIND:ACTIVITY"),
    (["--change-date", "2024-03-17", "--candidate", "1"], "go together"),
    (["--change-date", "2024-03-17", "--window", "soon"], "window: expected"),
])
def test_usage_mistakes_exit_2(tmp_path, extra, message):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    result = _run(str(log), "--out", str(tmp_path / "out"), *extra, *MAPPING)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_never_writes_over_its_input(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    result = _run(str(log), "--change-date", "2024-03-17", "--out", str(tmp_path), *MAPPING)
    assert result.exit_code in (0, 2)
    assert pd.read_csv(log).shape[0] == 2 * 15 * 3 - 15  # untouched


def test_missing_candidates_file_exits_1(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    result = _run(str(log), "--change-date", "2024-03-17", "--out", str(tmp_path / "o"),
                  "--candidate", "1", "--candidates", str(tmp_path / "nope.csv"), *MAPPING)
    assert result.exit_code == 1
    assert "nope.csv: no such file" in result.output


def test_formula_like_names_are_written_safely(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW, first_activity="=HYPERLINK(1)")
    out = tmp_path / "out"
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                  str(out), *MAPPING)
    assert result.exit_code == 0, result.output
    text = (out / "tables" / "activities.csv").read_text("utf-8")
    assert "'=HYPERLINK(1)" in text
    assert "\n=HYPERLINK" not in text


def test_cluster_option_names_a_column(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    out = tmp_path / "out"
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                  str(out), "--cluster", "dept", *MAPPING)
    assert result.exit_code == 2
    assert "cluster: the log has no column 'dept'" in result.output  # mapped to department
    result = _run(str(log), "--change-date", "2024-03-17", "--horizon", "none", "--out",
                  str(out), "--cluster", "department", *MAPPING)
    assert result.exit_code == 0, result.output
    assert "groups of orders by department" in (out / "compare.html").read_text("utf-8")


def test_same_input_same_bytes(tmp_path):
    log = _csv(tmp_path / "log.csv", OLD, NEW)
    outs = [tmp_path / "one", tmp_path / "two"]
    for out in outs:
        assert _run(str(log), "--change-date", "2024-03-17", "--out", str(out),
                    *MAPPING).exit_code == 0
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert len(files) == 1 + 1 + len(TABLE_NAMES)
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
