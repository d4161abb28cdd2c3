"""``procmine report`` on the command line: files, exit codes, messages, quiet progress."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from procmine.cli import cli, main

CSV = (
    "Order,Step,At,User,Dept\n"
    "SO-1,Enter order,2024-01-01 09:00,ann,Sales\n"
    "SO-1,Pick,2024-01-01 11:00,bob,Warehouse\n"
    "SO-1,Invoice,2024-01-02 09:00,cid,Billing\n"
    "SO-2,Enter order,2024-01-08 09:00,ann,Sales\n"
    "SO-2,Pick,not a date,bob,Warehouse\n"
    "SO-2,Invoice,2024-01-09 09:00,cid,Billing\n"
)
MAPPING = ["--case-id", "Order", "--activity", "Step", "--timestamp", "At", "--resource", "User"]


@pytest.fixture()
def orders_csv(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_single_file_with_mapping_options(orders_csv, tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["report", str(orders_csv), "--out", str(out), *MAPPING, "--department", "Dept"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    (source,) = summary["sources"]
    assert (source["rows_read"], source["rows_loaded"], source["rows_rejected"]) == (6, 5, 1)
    assert summary["sections"]["handoffs"]["available"] is True
    rejects = (out / "tables" / "rejects.csv").read_text().splitlines()
    assert len(rejects) == 2 and ",6," in rejects[1]  # header is row 1: the bad row is row 6
    err = capsys.readouterr().err
    assert "report.html" in err


def test_log_without_departments_says_why(orders_csv, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(orders_csv), "--out", str(out), *MAPPING]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Not computed:" in page and "no departments" in page
    assert "not computed: handoffs" in capsys.readouterr().err


def test_quiet_prints_nothing_and_progress_stays_off_a_terminal(orders_csv, tmp_path):
    runner = CliRunner()
    loud = runner.invoke(cli, ["report", str(orders_csv), "--out", str(tmp_path / "a"),
                               *MAPPING])
    assert loud.exit_code == 0, loud.output
    assert "…" not in loud.stderr  # not a terminal: no progress lines
    quiet = runner.invoke(cli, ["--quiet", "report", str(orders_csv), "--out",
                                str(tmp_path / "b"), *MAPPING])
    assert quiet.exit_code == 0
    assert quiet.stderr == "" and quiet.stdout == ""


def test_missing_input_exits_1_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "nowhere.csv"
    assert main(["report", str(missing), "--out", str(tmp_path / "r"), *MAPPING]) == 1
    err = capsys.readouterr().err
    assert "nowhere.csv" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unusable_input_exits_1_naming_file_and_column(orders_csv, tmp_path, capsys):
    code = main(["report", str(orders_csv), "--out", str(tmp_path / "r"), "--case-id", "Nope",
                 "--activity", "Step", "--timestamp", "At"])
    assert code == 1
    err = capsys.readouterr().err
    assert "orders.csv" in err and "Nope" in err
    assert not (tmp_path / "r" / "report.html").exists()


def test_bad_cost_model_exits_1(orders_csv, tmp_path, capsys):
    costs = tmp_path / "costs.toml"
    costs.write_text("handof_cost = 3\n", encoding="utf-8")
    code = main(["report", str(orders_csv), "--out", str(tmp_path / "r"), "--costs",
                 str(costs), *MAPPING])
    assert code == 1
    assert "handof_cost" in capsys.readouterr().err


def test_debug_shows_the_traceback(tmp_path, capsys):
    code = main(["--debug", "report", str(tmp_path / "nowhere.csv"), "--out",
                 str(tmp_path / "r"), *MAPPING])
    assert code == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["report"],                                          # no INPUT
    ["report", "orders.csv"],                            # no --out
    ["report", "orders.csv", "--out", "r", "--bogus"],   # unknown option
])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2


def test_mapping_options_on_a_sources_file_are_usage_errors(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text("[sources]\n", encoding="utf-8")
    assert main(["report", str(sources), "--out", str(tmp_path / "r"), "--case-id", "x"]) == 2


def test_help_lists_every_command_on_one_line(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    block = text.split("Commands:", 1)[1]
    lines = [line for line in block.splitlines() if line.strip()]
    names = [line.split()[0] for line in lines]
    assert names == sorted(cli.commands)  # one line per registered command
    assert "report" in names
    report_line = next(line for line in lines if line.split()[0] == "report")
    assert re.search(r"batch report", report_line) and not report_line.endswith("...")


def test_report_help(capsys):
    assert main(["report", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--out", "--costs", "--case-id", "--activity", "--timestamp", "--department"):
        assert option in text


def test_sources_file_from_the_generator(tmp_path, capsys):
    from procmine.generate import generate

    sample = generate(150, seed=5, out=tmp_path / "sample")
    out = tmp_path / "report"
    assert main(["report", str(tmp_path / "sample" / "sources.toml"), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["sources"]) == 4
    assert summary["log"]["cases"] == sample.orders
    assert all(s["rows_read"] == s["rows_loaded"] + s["rows_rejected"]
               for s in summary["sources"])


def test_min_support_option(tmp_path, capsys):
    from procmine.cli.cmd_report import _min_support

    assert _min_support("0.05,3") == {"min_share": 0.05, "min_events": 3}
    assert _min_support("0.02") == {"min_share": 0.02}
    sources = tmp_path / "nope.toml"
    assert main(["report", str(sources), "--out", str(tmp_path / "r"),
                 "--min-support", "lots"]) == 2
    assert "--min-support expects SHARE[,EVENTS]" in capsys.readouterr().err
